"""The GAN recipes: the settings of the full runs, in one table.

``cnnguide gan train NAME`` takes its defaults from here, and
``scripts/reproduce_gan.py`` records the full runs on a GPU with them.

- ``ring`` -- the 2-D ring of eight Gaussians (radius 2, standard deviation
  0.02) with the settings of the unrolled-GAN reference notebook (Metz et al.,
  2017; github.com/poolio/unrolled_gan) and its PyTorch ports: MLPs with two
  hidden layers of 128, 256-d noise, batch 512, Adam with β1 = 0.5 and learning
  rates 1e-3 (generator) and 1e-4 (discriminator), 25,000 steps, 2,500 samples
  to evaluate mode coverage.
- ``dcgan`` -- DCGAN (Radford et al., 2016) on the 60,000 Fashion-MNIST
  training images: batch 128, Adam lr 2e-4 and betas (0.5, 0.999), 100-d
  noise, width 64, 25 epochs (the PyTorch DCGAN example's default); 10,000
  samples judged against the 10,000 test images.
- ``cgan`` -- the conditional DCGAN (:mod:`cnnguide.gan.conditional`): the
  label embedded and concatenated with the noise in the generator, a
  projection discriminator; otherwise DCGAN's settings. 100 fixed samples,
  10 of each class; its measures add the judge's label agreement.
- ``dcgan-cpu`` and ``cgan-cpu`` -- the same networks sized for a CPU, with
  the settings that ``scripts/tune_gan.py`` found best per CPU second
  (2026-12-06/07): width 32, batches of 64 from all 60,000 images, Adam at
  8e-4 for both players with betas (0.5, 0.999); ``dcgan-cpu`` 60,000 steps
  (about 45 minutes on a 2-core CPU), ``cgan-cpu`` 40,000. Both sample from
  a moving average of the generator's weights (decay 0.999) with batch norm
  statistics of its own; the recording measures the raw generator and the
  average with averaged statistics beside it at every horizon, since at
  5,000 steps the average did not help (``scripts/tune_gan.py``, 2026-12-07).
  Chapter 19 trains the first few thousand steps of ``cgan-cpu`` live,
  without the average; chapter 18 trains ``dcgan-cpu``'s network for 8,000
  steps at 1e-3, which a later screen found better over that many steps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
from torch import nn

from .nets import dcgan_init_, default_init_
from .registry import create

__all__ = ["GANRecipe", "GAN_RECIPES", "RING_STD", "draw_samples", "evaluate", "get_gan_recipe", "real_data"]


@dataclass(frozen=True)
class GANRecipe:
    """One full GAN run: networks, data size and optimiser settings.

    Attributes
    ----------
    name, title : str
    generator, discriminator : str
        Names in :func:`cnnguide.gan.registry.names`.
    generator_options, discriminator_options : dict
        Builder options (``width`` goes to both DCGAN networks, see :meth:`build`).
    batch_size : int
    steps, epochs : int or None
        Exactly one is set.
    lr_g, lr_d : float
        Adam's learning rates.
    betas : (float, float)
    train_size : int
        Real examples: points drawn from the ring, or Fashion-MNIST images.
    init : str
        ``"dcgan"`` (:func:`~cnnguide.gan.nets.dcgan_init_`) or ``"default"``
        (:func:`~cnnguide.gan.nets.default_init_`).
    scale_to_tanh : bool
        Whether the real batches are mapped from [0, 1] to [-1, 1].
    num_samples, sample_every, log_every : int
        The fixed noise batch, and how often it is drawn and the losses logged.
    eval_samples : int
        Samples drawn after training to measure it (see :func:`evaluate`).
    loss : str
        The players' losses (:func:`~cnnguide.gan.losses.gan_loss`).
    ema : float, optional
        The decay of a moving average of the generator's weights
        (:class:`~cnnguide.gan.average.GeneratorEMA`), which is then what is
        sampled and measured (with its own batch norm statistics,
        :func:`~cnnguide.gan.average.standing_statistics`).
    lr_decay : float, optional
        The share of the run, at its end, over which both learning rates fall
        linearly to zero (``fit_gan``'s ``lr_decay``).
    """

    name: str
    title: str
    generator: str
    discriminator: str
    batch_size: int
    lr_g: float
    lr_d: float
    train_size: int
    init: str
    scale_to_tanh: bool
    steps: int | None = None
    epochs: int | None = None
    betas: tuple[float, float] = (0.5, 0.999)
    generator_options: dict = field(default_factory=dict)
    discriminator_options: dict = field(default_factory=dict)
    num_samples: int = 64
    sample_every: int = 500
    log_every: int = 50
    eval_samples: int = 2500
    loss: str = "bce"
    ema: float | None = None
    lr_decay: float | None = None

    def build(self, width: int | None = None, **discriminator_options) -> tuple[nn.Module, nn.Module]:
        """The generator and the discriminator (``width`` overrides a DCGAN's width).

        ``discriminator_options`` go to the discriminator's builder on top of
        the recipe's: the remedies ``pack``, ``minibatch_std``,
        ``spectral_norm`` (:mod:`cnnguide.gan.remedies`), or DCGAN's ``batch_norm``.

        Examples
        --------
        >>> g, d = get_gan_recipe("dcgan").build(width=8)
        >>> g.latent_dim, d.logit.in_channels
        (100, 16)
        >>> get_gan_recipe("ring").build(pack=2, spectral_norm=True)[1].pack
        2
        """
        g_options = dict(self.generator_options)
        d_options = {**self.discriminator_options, **discriminator_options}
        if width is not None:
            if "width" not in g_options:
                raise ValueError(f"the {self.name} recipe's networks have no width")
            g_options["width"] = d_options["width"] = width
        return (create(self.generator, **g_options), create(self.discriminator, **d_options))

    @property
    def init_function(self):
        """The ``init`` of :func:`~cnnguide.gan.fit_gan` this recipe names."""
        return {"dcgan": dcgan_init_, "default": default_init_}[self.init]

    def command(self) -> str:
        """The command that records this recipe's full run on a GPU."""
        return f"python scripts/reproduce_gan.py --only {self.name}"


GAN_RECIPES: dict[str, GANRecipe] = {
    "ring": GANRecipe(
        name="ring", title="GAN on the ring of 8 Gaussians", generator="mlp_generator",
        discriminator="mlp_discriminator", generator_options={"latent_dim": 256},
        batch_size=512, steps=25_000, lr_g=1e-3, lr_d=1e-4, train_size=100_000, init="default",
        scale_to_tanh=False, num_samples=512, sample_every=2500, log_every=100),
    "dcgan": GANRecipe(
        name="dcgan", title="DCGAN on Fashion-MNIST", generator="dcgan_generator",
        discriminator="dcgan_discriminator", generator_options={"latent_dim": 100, "width": 64},
        discriminator_options={"width": 64}, batch_size=128, epochs=25, lr_g=2e-4, lr_d=2e-4,
        train_size=60_000, init="dcgan", scale_to_tanh=True, num_samples=64, sample_every=500, log_every=50,
        eval_samples=10_000),
    "cgan": GANRecipe(
        name="cgan", title="Conditional DCGAN on Fashion-MNIST", generator="conditional_dcgan_generator",
        discriminator="projection_discriminator", generator_options={"latent_dim": 100, "width": 64},
        discriminator_options={"width": 64}, batch_size=128, epochs=25, lr_g=2e-4, lr_d=2e-4,
        train_size=60_000, init="dcgan", scale_to_tanh=True, num_samples=100, sample_every=500, log_every=50,
        eval_samples=10_000),
    "dcgan-cpu": GANRecipe(
        name="dcgan-cpu", title="DCGAN on Fashion-MNIST, sized for a CPU", generator="dcgan_generator",
        discriminator="dcgan_discriminator", generator_options={"latent_dim": 100, "width": 32},
        discriminator_options={"width": 32}, batch_size=64, steps=60_000, lr_g=8e-4, lr_d=8e-4,
        train_size=60_000, init="dcgan", scale_to_tanh=True, num_samples=64, sample_every=1000, log_every=100,
        eval_samples=10_000, ema=0.999),
    "cgan-cpu": GANRecipe(
        name="cgan-cpu", title="Conditional DCGAN on Fashion-MNIST, sized for a CPU",
        generator="conditional_dcgan_generator", discriminator="projection_discriminator",
        generator_options={"latent_dim": 100, "width": 32}, discriminator_options={"width": 32}, batch_size=64,
        steps=40_000, lr_g=8e-4, lr_d=8e-4, train_size=60_000, init="dcgan", scale_to_tanh=True, num_samples=100,
        sample_every=1000, log_every=100, eval_samples=10_000, ema=0.999),
}


def get_gan_recipe(name: str) -> GANRecipe:
    """The recipe called ``name``.

    Examples
    --------
    >>> get_gan_recipe("ring").steps
    25000
    >>> get_gan_recipe("wgan")
    Traceback (most recent call last):
    ...
    ValueError: unknown GAN recipe 'wgan'; known recipes: ring, dcgan, cgan, dcgan-cpu, cgan-cpu
    """
    if name not in GAN_RECIPES:
        raise ValueError(f"unknown GAN recipe {name!r}; known recipes: {', '.join(GAN_RECIPES)}")
    return GAN_RECIPES[name]


# --- data and the measures after training ------------------------------------------------

#: The ring's standard deviation (toy_data's default, VEEGAN's 2-D ring).
RING_STD = 0.02


def real_data(recipe: GANRecipe, *, train_size: int | None = None, batch_size: int | None = None,
              seed: int = 0, device=None, root=None):
    """The real examples of ``recipe``: a tensor of ring points, or Fashion-MNIST training batches.

    Returns ``(data, batch_size)``: what :func:`~cnnguide.gan.fit_gan` takes
    as ``data`` and ``batch_size`` (``None`` for batches that bring their own).
    """
    n = recipe.train_size if train_size is None else train_size
    batch_size = recipe.batch_size if batch_size is None else batch_size
    if recipe.name == "ring":
        from .batches import derived_seed
        from .toy_data import ring_of_gaussians

        return ring_of_gaussians(n, std=RING_STD, seed=derived_seed(seed, 4)), batch_size
    from ..data import load_fashion_mnist

    train_iter, _ = load_fashion_mnist(batch_size, device=device, root=root, train_size=n, test_size=1, seed=seed)
    return train_iter, None


def draw_samples(generator: nn.Module, n: int, seed: int, label: int | None = None):
    """``n`` samples of ``generator`` in evaluation mode, from noise seeded by ``seed`` (on its device).

    Returns ``(samples, labels)``: a conditional generator is asked for every
    class equally often (:func:`~cnnguide.gan.training.fixed_labels`), or for
    ``label`` alone; ``labels`` is ``None`` for an unconditional one.
    """
    import torch

    from .batches import derived_seed
    from .training import fixed_labels

    param = next(generator.parameters())
    z = torch.randn(n, generator.latent_dim, generator=torch.Generator().manual_seed(derived_seed(seed, 5)))
    num_classes = getattr(generator, "num_classes", None)
    if label is not None and (num_classes is None or not 0 <= label < num_classes):
        raise ValueError(f"label {label} does not apply: the generator takes "
                         + ("no labels" if num_classes is None else f"labels from 0 to {num_classes - 1}"))
    labels = None if num_classes is None else fixed_labels(n, num_classes)
    if label is not None:
        labels = torch.full((n,), label, dtype=torch.int64)
    was_training = generator.training
    generator.eval()
    try:
        with torch.no_grad():
            if labels is None:
                return generator(z.to(param.device)).float(), None
            return generator(z.to(param.device), labels.to(param.device)).float(), labels
    finally:
        generator.train(was_training)


def evaluate(recipe: GANRecipe, generator: nn.Module, *, seed: int = 0, samples: int | None = None) -> dict:
    """What the trained ``generator`` is measured by after the run, as JSON values.

    ``samples`` fresh samples (default ``recipe.eval_samples``) are drawn in
    evaluation mode from noise seeded by ``seed``.

    - The ring: ``"mode_coverage"``, :func:`~cnnguide.gan.coverage.mode_coverage`
      with the ring's standard deviation (``reverse_kl`` is ``None`` when no
      sample is high quality).
    - DCGAN: ``"judge"``, the judge's view (:mod:`cnnguide.gan.judge`): the
      Inception Score (10 splits when there are 20 images or more), the judge
      FID against as many real test images, the classes covered (at least 1 %
      of the predictions) and the predicted-class histogram.
    - A conditional generator (``cgan``): also ``"label_agreement"``, the share
      of samples the judge puts in the class asked for, overall and per class
      (:func:`~cnnguide.gan.agreement.label_agreement`), each class asked for
      equally often.
    """
    n = recipe.eval_samples if samples is None else samples
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ValueError(f"samples must be an integer >= 2, got {n!r}")
    points, labels = draw_samples(generator, n, seed)
    if recipe.name == "ring":
        from .coverage import mode_coverage
        from .toy_data import ring_centers

        coverage = mode_coverage(points.cpu(), ring_centers(), std=RING_STD)
        kl = coverage.reverse_kl if math.isfinite(coverage.reverse_kl) else None  # no high-quality sample
        return {"mode_coverage": {"modes": coverage.modes, "of": len(coverage.counts),
                                  "high_quality": coverage.high_quality, "reverse_kl": kl,
                                  "counts": list(coverage.counts), "samples": n}}
    from ..data import read_fashion_mnist
    from .image_metrics import inception_score, judge_fid
    from .judge import class_histogram, classes_covered, from_tanh

    images = from_tanh(points.clamp(-1, 1))
    real, _ = read_fashion_mnist("test")
    real = real[:n, None].to(images.device, torch.float32) / 255
    score = inception_score(images, splits=10 if n >= 20 else 1)
    agreement = {}
    if labels is not None:
        from .agreement import label_agreement

        agreed = label_agreement(images, labels)
        agreement = {"label_agreement": {"overall": agreed.overall, "per_class": list(agreed.per_class),
                                         "counts": list(agreed.counts)}}
    return {**agreement, "judge": {"inception_score": score.mean, "inception_score_std": score.std if n >= 20 else None,
                      "judge_fid": judge_fid(images, real), "classes_covered": classes_covered(images),
                      "class_histogram": class_histogram(images).tolist(), "samples": n,
                      "real_test_images": len(real)}}
