"""The book's training recipes for the five networks, and the accuracies they are measured against.

One table, read by ``scripts/reproduce.py`` (which trains the five networks
and records each run in ``docs/recorded/<name>.json``), by the results page
and by the chapters that print the command of their full run.

Every recipe is the d2l book's: 10 epochs of plain mini-batch SGD (no momentum,
no weight decay) with Xavier-uniform initialisation, on Fashion-MNIST resized to
the size the network was designed around.

Beside them, :data:`BASELINE` is the modern recipe of chapter 16 (a
:class:`~cnnguide.train.modern.ModernRecipe`: augmentation, Nesterov momentum,
a one-cycle schedule, label smoothing, a moving average of the weights, the
best epoch, flip test-time augmentation), which ``cnnguide train --recipe
baseline`` and ``scripts/reproduce.py --recipe baseline`` train each network
with, at the book's image size.

Two sets of reference numbers are *quoted* here, not computed; each carries its
source:

- :data:`BOOK_ACCURACY` -- the test accuracy after 10 epochs that the d2l book
  prints for each network;
- :data:`BENCHMARK_ACCURACY` -- the best test accuracies listed for these
  architectures in the benchmark table of the Fashion-MNIST README
  (zalandoresearch/fashion-mnist), from longer runs with augmentation and
  without the 10-epoch limit.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from .tables import Table
from .train.modern import ModernRecipe

__all__ = [
    "BASELINE",
    "BASELINE_OPTIONS",
    "BASELINE_TARGET",
    "BENCHMARK_ACCURACY",
    "BENCHMARK_SOURCE",
    "BOOK_ACCURACY",
    "BOOK_SOURCE",
    "RECIPES",
    "Recipe",
    "get_recipe",
    "recipe_table",
]


@dataclass(frozen=True)
class Recipe:
    """How the book trains one network on Fashion-MNIST.

    Attributes
    ----------
    name : str
        Name of the recipe, of its recorded run (``docs/recorded/<name>.json``)
        and of the model in :func:`cnnguide.models.create`.
    title : str
        How pages call the network (``"VGG-11 (¼ width)"``).
    lr : float
        Learning rate of plain SGD.
    batch_size : int
        Examples per mini-batch.
    resize : int
        Side of the square images the network trains on (28 = not resized).
    epochs : int
        Passes over the 60,000 training images.
    options : dict
        Keyword options of the model's builder (e.g. VGG's ``width_multiplier``).
    chapter : str
        The slug of the network's chapter (``"11-vgg"``, the page ``chapters/11-vgg/``).
    """

    name: str
    title: str
    lr: float
    batch_size: int
    resize: int
    epochs: int = 10
    options: dict = field(default_factory=dict)
    chapter: str = ""

    def build(self, **overrides):
        """The network, built for Fashion-MNIST (10 classes, 1 channel) with this recipe's options.

        Examples
        --------
        >>> net = get_recipe("vgg11").build()
        >>> [block[0].out_channels for block in net.features]
        [16, 32, 64, 128, 128]
        """
        from . import models

        return models.create(self.name, num_classes=10, in_channels=1, **{**self.options, **overrides})

    def command(self) -> str:
        """The command that trains this recipe on a GPU and records it.

        Examples
        --------
        >>> get_recipe("resnet18").command()
        'python scripts/reproduce.py --only resnet18'
        """
        return shlex.join(["python", "scripts/reproduce.py", "--only", self.name])

    def baseline_command(self) -> str:
        """The command that trains this network with :data:`BASELINE` on a GPU and records it.

        Examples
        --------
        >>> get_recipe("resnet18").baseline_command()
        'python scripts/reproduce.py --recipe baseline --only resnet18'
        """
        return shlex.join(["python", "scripts/reproduce.py", "--recipe", "baseline", "--only", self.name])


#: The five recipes, in the order of the chapters.
RECIPES: dict[str, Recipe] = {
    recipe.name: recipe
    for recipe in (
        Recipe("lenet", "LeNet-5", lr=0.9, batch_size=256, resize=28, chapter="10-lenet"),
        Recipe("vgg11", "VGG-11 (¼ width)", lr=0.05, batch_size=128, resize=224,
               options={"width_multiplier": 0.25}, chapter="11-vgg"),
        Recipe("googlenet", "GoogLeNet", lr=0.1, batch_size=128, resize=96, chapter="14-googlenet"),
        Recipe("resnet18", "ResNet-18", lr=0.05, batch_size=256, resize=96, chapter="13-resnet"),
        Recipe("densenet_small", "DenseNet (4 blocks of 4)", lr=0.1, batch_size=256, resize=96,
               chapter="15-densenet"),
    )
}

#: The modern recipe of chapter 16, for every network at its book size (runs recorded as
#: ``docs/recorded/<name>-baseline.json``). 30 epochs: three times the book's.
BASELINE = ModernRecipe(name="baseline")

#: Builder options the baseline trains a network with, over the book recipe's: LeNet with today's
#: layers (ReLU, max pooling, batch norm). The sigmoid LeNet stays on its plateau under this
#: recipe: at chance after 3 epochs of 54,000 images, where the book's lr 0.9 crosses it.
BASELINE_OPTIONS: dict[str, dict] = {"lenet": {"variant": "modern"}}

#: What the recorded GPU run of :data:`BASELINE` aims at: above the benchmark table's ResNet18.
BASELINE_TARGET: dict[str, float] = {"resnet18": 0.95}

#: Where :data:`BOOK_ACCURACY` comes from.
BOOK_SOURCE = ("Dive into Deep Learning, English edition 0.17.5 (PyTorch), the training output printed "
               "at the end of sections 6.6 (LeNet), 7.2 (VGG), 7.4 (GoogLeNet), 7.6 (ResNet) and 7.7 "
               "(DenseNet), 10 epochs on one GPU: the executed notebooks of d2l-ai/d2l-pytorch-colab "
               "at commit 32f0fdc2 (2022-07-15); one run each")

#: Test accuracy after the recipe's 10 epochs, as printed by the d2l book (quoted).
BOOK_ACCURACY: dict[str, float] = {
    "lenet": 0.789,
    "vgg11": 0.922,
    "googlenet": 0.883,
    "resnet18": 0.918,
    "densenet_small": 0.821,
}

#: Where :data:`BENCHMARK_ACCURACY` comes from.
BENCHMARK_SOURCE = ("the benchmark table of the Fashion-MNIST README, "
                    "https://github.com/zalandoresearch/fashion-mnist#benchmark")

#: Best test accuracy listed in the Fashion-MNIST README's benchmark table for
#: the architecture (quoted): ``recipe name -> (architecture as listed, accuracy)``.
#: Those runs are longer and use augmentation; LeNet has no entry.
BENCHMARK_ACCURACY: dict[str, tuple[str, float]] = {
    "vgg11": ("VGG16", 0.935),
    "googlenet": ("GoogLeNet", 0.937),
    "resnet18": ("ResNet18", 0.949),
    "densenet_small": ("DenseNet-BC", 0.954),
}


def get_recipe(name: str) -> Recipe:
    """The recipe called ``name``.

    Raises
    ------
    ValueError
        If there is none; the message lists the known names.

    Examples
    --------
    >>> get_recipe("lenet").lr
    0.9
    >>> get_recipe("vgg16")
    Traceback (most recent call last):
    ...
    ValueError: no recipe called 'vgg16'; known recipes: lenet, vgg11, googlenet, resnet18, densenet_small
    """
    if name not in RECIPES:
        raise ValueError(f"no recipe called {name!r}; known recipes: {', '.join(RECIPES)}")
    return RECIPES[name]


def recipe_table(names=None) -> Table:
    """The recipes as a table: aligned text when printed (what ``reproduce.py --dry-run``
    prints), an HTML table when a notebook displays it.

    Examples
    --------
    >>> print(recipe_table(["lenet", "resnet18"]))
    network    model     options  image  batch    lr  epochs  book acc
    ------------------------------------------------------------------
    LeNet-5    lenet     -        28x28    256   0.9      10     0.789
    ResNet-18  resnet18  -        96x96    256  0.05      10     0.918
    """
    recipes = [get_recipe(name) for name in (names or RECIPES)]
    header = ("network", "model", "options", "image", "batch", "lr", "epochs", "book acc")
    rows = [
        (r.title, r.name, ", ".join(f"{k}={v}" for k, v in r.options.items()) or "-",
         f"{r.resize}x{r.resize}", str(r.batch_size), f"{r.lr:g}", str(r.epochs), f"{BOOK_ACCURACY[r.name]:.3f}")
        for r in recipes
    ]
    return Table(header, rows, align="lllrrrrr")
