"""How varied an image generator's samples are, in the judge's eyes: a seeded draw and its four numbers.

A collapse check compares runs, so every run must be scored on the *same*
noise: :func:`seeded_fakes` draws ``n`` images from noise seeded by ``seed``
(the generator in evaluation mode, so batch norm uses its running
statistics), and :func:`judge_diversity` scores them with the judge
(:mod:`cnnguide.gan.judge`) -- the class histogram's entropy, the largest
class's share, and precision and recall against real images
(:func:`~cnnguide.gan.image_metrics.judge_precision_recall`). Chapter 20,
``scripts/screen_collapse.py`` and ``scripts/tune_gan.py`` all draw their
samples here, so their numbers agree.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from .image_metrics import judge_precision_recall
from .judge import class_entropy, class_histogram, from_tanh
from .setup import latent_dim_of

__all__ = ["Diversity", "judge_diversity", "seeded_fakes"]


class Diversity(NamedTuple):
    """What :func:`judge_diversity` measures.

    Attributes
    ----------
    entropy : float
        Of the judge's class histogram, in nats (ln 10 ≈ 2.303 for ten equal classes).
    largest : float
        The share of the samples in the judge's most frequent class (0.1 for ten equal classes).
    precision, recall : float
        Of the samples against the real images, in the judge's feature space.
    """

    entropy: float
    largest: float
    precision: float
    recall: float


def seeded_fakes(generator: nn.Module, n: int = 2000, seed: int = 1) -> torch.Tensor:
    """``n`` images in [0, 1] from a ``tanh`` generator, drawn from noise seeded by ``seed``.

    The noise is ``torch.randn(n, generator.latent_dim)`` from a
    ``torch.Generator`` seeded with ``seed``, on the CPU, so two generators
    with the same ``latent_dim`` meet the same vectors. A conditional
    generator (one with ``num_classes``) is asked for the classes in turn,
    sample ``i`` for class ``i % num_classes``. The generator is put in
    evaluation mode and left as it was found.

    Examples
    --------
    >>> from cnnguide.gan import DCGANGenerator
    >>> g = DCGANGenerator(width=8)
    >>> images = seeded_fakes(g, n=4)
    >>> images.shape, bool(images.min() >= 0), bool(images.max() <= 1), g.training
    (torch.Size([4, 1, 28, 28]), True, True, True)
    >>> torch.equal(images, seeded_fakes(g, n=4))
    True
    >>> seeded_fakes(g, n=0)
    Traceback (most recent call last):
    ...
    ValueError: n must be a positive number of samples, got 0
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive number of samples, got {n!r}")
    device = next(generator.parameters()).device
    z = torch.randn(n, latent_dim_of(generator, None), generator=torch.Generator().manual_seed(seed)).to(device)
    num_classes = getattr(generator, "num_classes", None)
    was_training = generator.training
    generator.eval()
    try:
        with torch.no_grad():
            if num_classes is None:
                images = generator(z)
            else:
                images = generator(z, (torch.arange(n) % num_classes).to(device))
    finally:
        generator.train(was_training)
    return from_tanh(images.float().cpu())


def judge_diversity(generator: nn.Module, real: torch.Tensor, n: int = 2000, seed: int = 1) -> Diversity:
    """Class entropy, largest class, precision and recall of ``n`` :func:`seeded_fakes` against ``real``.

    ``real`` are images in [0, 1] of shape ``(N, 1, 28, 28)``, for instance
    ``n`` Fashion-MNIST test images.

    Examples
    --------
    >>> from cnnguide.gan import DCGANGenerator
    >>> _ = torch.manual_seed(0)
    >>> untrained = judge_diversity(DCGANGenerator(width=8), torch.rand(50, 1, 28, 28), n=50)
    >>> 0 <= untrained.entropy <= 2.31, 0.1 <= untrained.largest <= 1
    (True, True)
    """
    fakes = seeded_fakes(generator, n, seed)
    histogram = class_histogram(fakes)
    pr = judge_precision_recall(real, fakes)
    return Diversity(entropy=class_entropy(histogram), largest=histogram.max().item() / len(fakes),
                     precision=pr.precision, recall=pr.recall)
