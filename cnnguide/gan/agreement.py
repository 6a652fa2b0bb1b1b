"""Does a conditional generator draw the class it is asked for? Label agreement, and FID class by class.

A class-conditional generator can produce convincing images and still
ignore its label. The judge (:mod:`cnnguide.gan.judge`) tells: **label
agreement** is the fraction of generated images that the judge classifies as
the label they were generated for.

- :func:`label_agreement` -- of images and the labels they were asked for;
- :func:`generator_label_agreement` -- of a conditional generator, on ``per_class``
  samples of every class from seeded noise;
- :func:`class_conditional_fid` -- :func:`~cnnguide.gan.image_metrics.judge_fid`
  of each class's generated images against real images of that class ("intra-class
  FID", as Miyato and Koyama (2018) report it), and their mean.

How to read label agreement: the judge's own accuracy on real test images
(about 0.9; :func:`~cnnguide.gan.judge.judge_accuracy`) is what real images
with their true labels score -- :func:`label_agreement` of those *is* that
accuracy -- so a generator near it draws its classes as recognisably as the
data does; a generator that ignores its label scores the chance level
``1 / 10`` whenever the asked labels are balanced, however good its images
are. Images are taken as the judge takes them: floats ``(N, 1, 28, 28)`` in
[0, 1]; a ``tanh`` generator's output goes through
:func:`~cnnguide.gan.judge.from_tanh` (as :func:`generator_label_agreement` does).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
from torch import nn

from ..data import CLASS_NAMES
from .conditional import check_labels
from .image_metrics import judge_fid
from .judge import check_images, class_probabilities, from_tanh

__all__ = [
    "ClassConditionalFID", "LabelAgreement", "class_conditional_fid", "generator_label_agreement",
    "label_agreement",
]  # fmt: skip

NUM_CLASSES = len(CLASS_NAMES)


class LabelAgreement(NamedTuple):
    """How often the judge sees the asked-for class.

    Attributes
    ----------
    overall : float
        Fraction of all images classified as their label. With unequal
        ``counts`` this weighs classes by their counts; it is not the mean of
        ``per_class``.
    per_class : tuple of float
        For each of the 10 classes, the fraction of the images asked for it
        that the judge classifies as it; ``nan`` for a class never asked for
        (a float, so the tuple stays numeric and a plot leaves the bar out).
    counts : tuple of int
        How many images were asked for each class.
    """

    overall: float
    per_class: tuple[float, ...]
    counts: tuple[int, ...]


class ClassConditionalFID(NamedTuple):
    """:func:`~cnnguide.gan.image_metrics.judge_fid` class by class.

    ``per_class[c]`` is ``nan`` for a class with no generated image; ``mean``
    is the mean over the others; ``counts`` are the generated images per class.
    """

    per_class: tuple[float, ...]
    mean: float
    counts: tuple[int, ...]


def _labels(labels, n: int) -> torch.Tensor:
    # Every value is checked here, wherever the labels live: a metric is called once, not per step.
    labels = check_labels(labels.cpu() if isinstance(labels, torch.Tensor) else labels, n, NUM_CLASSES)
    return labels.long()


def label_agreement(images: torch.Tensor, labels: torch.Tensor) -> LabelAgreement:
    """The fraction of ``images`` that the judge classifies as their ``labels``, overall and per class.

    Parameters
    ----------
    images : torch.Tensor
        ``(N, 1, 28, 28)`` floats in [0, 1] (:func:`~cnnguide.gan.judge.check_images`).
    labels : torch.Tensor
        ``(N,)`` integers in [0, 10): the class each image was asked to be.

    Examples
    --------
    Real test images with their true labels agree as often as the judge is right:

    >>> from cnnguide.data import read_fashion_mnist
    >>> images, labels = read_fashion_mnist("test")
    >>> a = label_agreement(images[:500, None] / 255, labels[:500])
    >>> 0.85 < a.overall < 1, sum(a.counts), len(a.per_class)
    (True, 500, 10)
    >>> label_agreement(images[:3, None] / 255, labels[:3]).per_class  # classes 0, 1, 3, 5, 6, 8 never asked
    (nan, 1.0, 1.0, nan, nan, nan, nan, nan, nan, 1.0)
    >>> label_agreement(images[:2, None] / 255, torch.tensor([3, 10]))
    Traceback (most recent call last):
    ...
    ValueError: labels must lie in [0, 10) (num_classes=10), got values from 3 to 10
    """
    images = check_images(images)
    labels = _labels(labels, len(images))
    predicted = class_probabilities(images).argmax(dim=1).cpu()
    agreed = predicted == labels
    counts = torch.bincount(labels, minlength=NUM_CLASSES)
    hits = torch.bincount(labels[agreed], minlength=NUM_CLASSES)
    per_class = tuple(float(h) / int(c) if c else math.nan for h, c in zip(hits.tolist(), counts.tolist()))
    return LabelAgreement(overall=float(agreed.double().mean()), per_class=per_class,
                          counts=tuple(counts.tolist()))


def _device_of(net: nn.Module) -> torch.device:
    tensor = next(iter(net.parameters()), None)
    if tensor is None:
        tensor = next(iter(net.buffers()), None)
    return torch.device("cpu") if tensor is None else tensor.device


def _positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return value


def generator_label_agreement(generator: nn.Module, per_class: int = 100, seed: int = 0,
                              batch_size: int = 500) -> LabelAgreement:
    """:func:`label_agreement` of ``per_class`` samples of each class from a conditional generator.

    The generator runs in eval mode (batch norm with its running statistics,
    as a finished generator is used) under ``torch.no_grad()``, on the
    device of its parameters, and its mode is restored afterwards. The noise
    is drawn on the CPU from ``seed`` (the same samples on every device);
    the labels are ``0`` ``per_class`` times, then ``1``, and so on.

    Parameters
    ----------
    generator : nn.Module
        Called ``generator(z, labels)``, with ``latent_dim`` and ``num_classes``
        (which must be the judge's 10) attributes and ``tanh`` output in [-1, 1].
    per_class, seed, batch_size : int

    Examples
    --------
    >>> from cnnguide.gan.conditional import ConditionalDCGANGenerator
    >>> g = ConditionalDCGANGenerator(width=8)
    >>> a = generator_label_agreement(g, per_class=5)
    >>> a.counts, g.training
    ((5, 5, 5, 5, 5, 5, 5, 5, 5, 5), True)
    """
    for name in ("latent_dim", "num_classes"):
        if not isinstance(getattr(generator, name, None), int):
            raise ValueError(f"a conditional generator has an integer attribute {name}; "
                             f"{type(generator).__name__} has none")
    if generator.num_classes != NUM_CLASSES:
        raise ValueError(f"the judge knows {NUM_CLASSES} classes, the generator has "
                         f"num_classes={generator.num_classes}")
    _positive_int("per_class", per_class)
    _positive_int("batch_size", batch_size)
    device = _device_of(generator)
    labels = torch.arange(NUM_CLASSES).repeat_interleave(per_class)
    z = torch.randn(len(labels), generator.latent_dim, generator=torch.Generator().manual_seed(seed))
    was_training = generator.training
    generator.eval()
    try:
        with torch.no_grad():
            images = torch.cat([
                generator(z[i:i + batch_size].to(device), labels[i:i + batch_size].to(device)).float()
                for i in range(0, len(labels), batch_size)])
    finally:
        generator.train(was_training)
    return label_agreement(from_tanh(images), labels)


def class_conditional_fid(images: torch.Tensor, labels: torch.Tensor, real_images: torch.Tensor,
                          real_labels: torch.Tensor) -> ClassConditionalFID:
    """:func:`~cnnguide.gan.image_metrics.judge_fid` of each class's images against real ones of that class.

    For every class ``c`` with generated images, the Fréchet distance between
    ``images[labels == c]`` and ``real_images[real_labels == c]`` in the
    judge's features; ``mean`` averages them over those classes. Unlike the
    FID of all the images together, it is large for a generator that draws
    good images of the *wrong* class.

    **Small-sample bias.** A Fréchet distance estimated from ``n`` images is
    biased upwards, by roughly a constant over ``n``; here ``n`` is a tenth of
    the set, and below 129 images a class's 128×128 feature covariance is
    singular. So the per-class numbers are far above the FID of the whole
    set, and are comparable only at equal counts per class (and equal real
    sets): read them against real-vs-real images with the same counts (the
    first example), not against :func:`~cnnguide.gan.image_metrics.judge_reference`.

    Raises
    ------
    ValueError
        For bad images or labels, or a class with generated images but fewer
        than 2 generated or real ones.

    Examples
    --------
    >>> from cnnguide.data import read_fashion_mnist
    >>> images, labels = read_fashion_mnist("test")
    >>> x, y = images[:, None] / 255, labels
    >>> real_vs_real = class_conditional_fid(x[:300], y[:300], x[5000:7000], y[5000:7000])
    >>> real_vs_real.counts == tuple(torch.bincount(y[:300]).tolist()), real_vs_real.mean > 0
    (True, True)
    >>> class_conditional_fid(x[:10], torch.zeros(10, dtype=torch.long), x[:1000], y[:1000]).per_class[1]
    nan
    """
    images, real_images = check_images(images), check_images(real_images, "real_images")
    labels, real_labels = _labels(labels, len(images)), _labels(real_labels, len(real_images))
    counts = torch.bincount(labels, minlength=NUM_CLASSES).tolist()
    real_counts = torch.bincount(real_labels, minlength=NUM_CLASSES).tolist()
    per_class = []
    for c, (n, m) in enumerate(zip(counts, real_counts)):
        if n == 0:
            per_class.append(math.nan)
            continue
        if n < 2 or m < 2:
            raise ValueError(f"class {c} ({CLASS_NAMES[c]}) has {n} generated and {m} real images; "
                             "a Fréchet distance needs at least 2 of each")
        per_class.append(judge_fid(images[(labels == c).to(images.device)],
                                   real_images[(real_labels == c).to(real_images.device)].to(images.device)))
    present = [v for v in per_class if not math.isnan(v)]
    return ClassConditionalFID(per_class=tuple(per_class), mean=sum(present) / len(present), counts=tuple(counts))
