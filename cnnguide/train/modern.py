"""A modern training recipe, piece by piece, each piece switchable: what competition baselines use.

The book's recipe (plain SGD at a constant learning rate, no augmentation,
Xavier initialisation, 10 epochs) is :func:`~cnnguide.train.fit`'s default.
:class:`ModernRecipe` trains through the same :func:`~cnnguide.train.fit`
and swaps in, each piece a field that can be turned off:

========================  ========================================================
piece                     what it is (torch / torchvision / cnnguide)
========================  ========================================================
``"augmentation"``        random crop with padding, horizontal flip, optional
                          random erasing (:class:`~cnnguide.train.augment.BatchAugment`)
``"momentum"``            SGD with Nesterov momentum, or AdamW
                          (:func:`~cnnguide.train.optim.make_optimizer`)
``"weight_decay"``        weight decay on the weights, not on biases and batch norm
``"schedule"``            a warm-up, then a cosine decay of the learning rate, every
                          step (``OneCycleLR``; :func:`~cnnguide.train.optim.make_schedule`)
``"label_smoothing"``     ``nn.CrossEntropyLoss(label_smoothing=0.1)``
``"ema"``                 an exponential moving average of the weights, the one
                          evaluated and kept (:class:`~cnnguide.train.weights.EMA`)
``"best"``                the weights of the epoch with the best validation accuracy
                          (:class:`~cnnguide.train.weights.KeepBest`)
``"tta"``                 predictions averaged over the image and its mirror image
                          (:func:`cnnguide.data.competition.tta_probabilities`)
``"amp"``                 bf16 autocast on a GPU (full precision on a CPU either way)
========================  ========================================================

``recipe.without("ema", "tta")`` is the same recipe with those pieces off, which
is how the chapter measures what each one is worth.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from torch import nn

from .augment import BatchAugment
from .optim import OPTIMIZERS, SCHEDULES, make_optimizer, make_schedule
from .weights import EMA, KeepBest

__all__ = ["PIECES", "ModernRecipe"]

#: What :meth:`ModernRecipe.without` sets to switch each piece off.
PIECES = {
    # Flip test-time augmentation shows the network mirrored images: without flips in
    # training they are pictures it has never seen, so it goes with the flips.
    "augmentation": {"crop_padding": 0.0, "flip": False, "erasing": 0.0, "tta": False},
    "crop": {"crop_padding": 0.0},
    "flip": {"flip": False, "tta": False},
    "erasing": {"erasing": 0.0},
    # Momentum alone: weight decay is a piece of its own, so that each ablation changes one thing.
    "momentum": {"momentum": 0.0},
    "weight_decay": {"weight_decay": 0.0},
    "schedule": {"schedule": None},
    "label_smoothing": {"label_smoothing": 0.0},
    "ema": {"ema": None},
    "best": {"keep_best": False},
    "tta": {"tta": False},
    "amp": {"amp": False},
}


@dataclass(frozen=True)
class ModernRecipe:
    """Settings of a modern training run; :meth:`fit` trains with them.

    Attributes
    ----------
    name : str
    epochs, batch_size : int
    optimizer : {"sgd", "adamw"}
    lr : float
        The peak learning rate.
    momentum : float
        Nesterov momentum of SGD (0: plain SGD).
    weight_decay : float
        On convolution and linear weights only.
    schedule : {"onecycle", "cosine", None}
        Stepped after every batch; ``None`` keeps ``lr`` constant.
    warmup : float
        The warm-up's share of the steps.
    label_smoothing : float
    crop_padding : float
        Padding of the random crop as a share of the image side (0.075: 2
        pixels at 28 or 32 pixels, 7 at 96); 0 turns the crop off. (CIFAR's
        classic 4 pixels at 32 is 0.125; Fashion-MNIST's objects fill their
        frame, and shifting them that far costs more than it teaches.)
    flip : bool
        Random horizontal flips in training (and, with ``tta``, at test time).
    erasing : float
        Probability of random erasing (0: off).
    ema : float or None
        The moving average remembers about this share of the run's steps:
        its decay is ``1 - 1 / (ema * total_steps)``, so it suits a short CPU
        run and a long GPU run alike. ``None``: no average.
    keep_best : bool
        End with the weights of the best validation epoch.
    tta : bool
        Flip test-time augmentation in :mod:`cnnguide.data.competition`'s predictions
        (switching ``"augmentation"`` or ``"flip"`` off switches it off too).
    amp : bool
        bf16 autocast on a GPU.
    init : "xavier" or None
        ``None`` keeps the network's own initialisation (He for ResNets).

    Examples
    --------
    >>> recipe = ModernRecipe()
    >>> recipe.without("augmentation", "ema").crop_padding, recipe.without("ema").ema
    (0.0, None)
    >>> recipe.padding(28), recipe.padding(96), recipe.ema_decay(30 * 469)  # 60,000 images
    (2, 7, 0.99857...)
    >>> recipe.without("dropout")
    Traceback (most recent call last):
    ...
    ValueError: no piece called 'dropout'; pieces: augmentation, crop, flip, erasing, momentum, ...
    """

    name: str = "baseline"
    epochs: int = 30
    batch_size: int = 128
    optimizer: str = "sgd"
    lr: float = 0.1
    momentum: float = 0.9
    weight_decay: float = 5e-4
    schedule: str | None = "onecycle"
    warmup: float = 0.15
    label_smoothing: float = 0.1
    crop_padding: float = 0.075
    flip: bool = True
    erasing: float = 0.0
    ema: float | None = 0.05
    keep_best: bool = True
    tta: bool = True
    amp: bool = True
    init: str | None = None

    def __post_init__(self):
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {self.optimizer!r}")
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule must be one of {SCHEDULES}, got {self.schedule!r}")
        if self.ema is not None and not 0 < self.ema <= 1:
            raise ValueError(f"ema must be a share of the steps in (0, 1] or None, got {self.ema!r}")
        if not 0 <= self.label_smoothing < 1:
            raise ValueError(f"label_smoothing must be in [0, 1), got {self.label_smoothing!r}")

    def without(self, *pieces: str) -> "ModernRecipe":
        """The same recipe with ``pieces`` (names of :data:`PIECES`) switched off."""
        changes = {}
        for piece in pieces:
            if piece not in PIECES:
                raise ValueError(f"no piece called {piece!r}; pieces: {', '.join(PIECES)}")
            changes.update(PIECES[piece])
        return dataclasses.replace(self, **changes)

    def replace(self, **changes) -> "ModernRecipe":
        """The same recipe with some settings changed (``dataclasses.replace``)."""
        return dataclasses.replace(self, **changes)

    def padding(self, side: int) -> int:
        """The crop's padding in pixels for images ``side`` pixels wide."""
        return int(round(self.crop_padding * side + 1e-9))  # 3.5 -> 4: round half up

    def ema_decay(self, total_steps: int) -> float:
        """The EMA's decay for a run of ``total_steps`` steps."""
        return max(0.0, 1 - 1 / (self.ema * total_steps))

    def augmentation(self, side: int) -> BatchAugment:
        """The training batches' augmentation for images ``side`` pixels wide."""
        return BatchAugment(padding=self.padding(side), flip=self.flip, erasing=self.erasing)

    def loss(self) -> nn.CrossEntropyLoss:
        """Cross-entropy with this recipe's label smoothing."""
        return nn.CrossEntropyLoss(label_smoothing=self.label_smoothing)

    def make_optimizer(self, net: nn.Module):
        return make_optimizer(net, self.optimizer, self.lr, momentum=self.momentum, nesterov=True,
                              weight_decay=self.weight_decay)

    def make_schedule(self, optimizer, total_steps: int):
        return make_schedule(optimizer, self.schedule, total_steps, self.warmup)

    def settings(self) -> dict:
        """The recipe as a JSON-ready dict (recorded in a run's metadata)."""
        return dataclasses.asdict(self)

    def fit(self, net: nn.Module, train_iter, val_iter, *, epochs: int | None = None, device=None,
            seed: int | None = 0, callbacks=(), best_dir=None, progress=None, **fit_options):
        """Train ``net`` with this recipe through :func:`~cnnguide.train.fit`; return its History.

        ``val_iter`` is what each epoch is judged on (and the best epoch chosen
        by): a validation split of the training data, never the test set.
        ``net`` ends with the weights the recipe keeps (the best epoch's, of the
        moving average when there is one). The history's metadata records the
        recipe (``recipe_settings``), ``best_epoch`` and ``best_acc``.

        Parameters
        ----------
        epochs : int, optional
            Overrides :attr:`epochs` (the chapter's short runs).
        best_dir : path-like, optional
            Where :class:`~cnnguide.train.weights.KeepBest` saves the best weights.
        **fit_options
            Passed on to :func:`~cnnguide.train.fit` (``compile``, ``points_per_epoch``...).
        """
        from .loop import fit

        epochs = self.epochs if epochs is None else epochs
        total_steps = epochs * len(train_iter)
        ema = EMA(self.ema_decay(total_steps)) if self.ema is not None else None
        pieces = [] if ema is None else [ema]
        if self.keep_best:
            pieces.append(KeepBest(source=ema.averaged if ema else None, directory=best_dir))
        augmenting = self.crop_padding > 0 or self.flip or self.erasing > 0

        def augment(X):  # the crop's padding depends on the image side, seen in the first batch
            return self.augmentation(X.shape[-1])(X)

        history = fit(
            net, train_iter, val_iter, epochs, self.lr, device, init=self.init, seed=seed,
            amp=None if self.amp else False, optimizer=self.make_optimizer,
            scheduler=None if self.schedule is None else self.make_schedule, loss_fn=self.loss(),
            augment=augment if augmenting else None, evaluate=ema.averaged if ema else None,
            callbacks=[*pieces, *callbacks], progress=progress, **fit_options)
        if ema is not None and not self.keep_best:
            net.load_state_dict(ema.averaged().state_dict())  # the average is the result
        history.metadata["recipe_settings"] = self.settings()
        return history
