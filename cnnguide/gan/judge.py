"""The judge: a small Fashion-MNIST classifier that looks at generated images.

A GAN's samples cannot be scored by a loss: the discriminator's loss only says
how the two networks are doing against each other. The usual yardsticks --
the Inception Score and the Fréchet Inception Distance -- run the samples
through a classifier trained on real images. Their Inception v3 was trained on
ImageNet photographs and would have to be downloaded; this book instead trains
its own small classifier on Fashion-MNIST, :class:`JudgeNet`, and ships its
weights inside the package (``judge_weights.safetensors``, about 0.5 MB,
written by ``scripts/train_judge.py``; ``judge_weights.json`` beside it records
the run: test accuracy, seconds, date, torch version, command, SHA-256).

This module gives the judge and what it says about single images: class
probabilities, penultimate features, the class histogram. The scores built on
them (Inception Score, Fréchet distance, precision and recall) are in
:mod:`cnnguide.gan.image_metrics`.

Every function takes images as :func:`cnnguide.data.load_fashion_mnist` gives
them: floating point, shape ``(N, 1, 28, 28)``, values in [0, 1]. A generator
ending in ``tanh`` produces [-1, 1]; :func:`from_tanh` maps that to [0, 1].
"""

from __future__ import annotations

import json
import math
from importlib import resources

import torch
from safetensors.torch import load_file
from torch import nn

from ..data import CLASS_NAMES, read_fashion_mnist

__all__ = [
    "JudgeNet",
    "WEIGHTS_FILE",
    "MANIFEST_FILE",
    "check_images",
    "class_entropy",
    "class_histogram",
    "class_probabilities",
    "classes_covered",
    "from_tanh",
    "judge",
    "judge_accuracy",
    "judge_features",
    "judge_manifest",
    "load_judge",
]

#: Names of the shipped weights and of their manifest, inside ``cnnguide/gan``.
WEIGHTS_FILE = "judge_weights.safetensors"
MANIFEST_FILE = "judge_weights.json"

IMAGE_SHAPE = (1, 28, 28)
# Images per forward pass: bounds the memory of a call whatever N is (the first block's
# output is 100 KB an image), and keeps each batch's activations small enough for the cache.
BATCH_SIZE = 256


def conv_bn_relu(in_channels: int, out_channels: int) -> nn.Sequential:
    """3x3 convolution (padding 1, no bias: batch norm cancels it), batch norm, ReLU."""
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(inplace=True),
    )


class JudgeNet(nn.Module):
    """A LeNet-sized classifier with batch norm and a 128-unit feature layer.

    Three 3x3 convolution blocks (32, 64, 64 channels), each followed by 2x2
    max pooling (28 -> 14 -> 7 -> 3), then a fully connected layer of
    ``num_features`` units (batch norm, ReLU) -- the *penultimate features*
    that the Fréchet distance and precision/recall compare -- and the linear
    classifier.

    Parameters
    ----------
    num_classes : int
    num_features : int
        Width of the penultimate layer.

    Attributes
    ----------
    features : nn.Sequential
        Image ``(N, 1, 28, 28)`` -> features ``(N, num_features)``.
    classifier : nn.Linear
        Features -> logits ``(N, num_classes)``.
    num_features : int
        Read by torchmetrics' ``FrechetInceptionDistance`` to size its statistics.

    Examples
    --------
    >>> net = JudgeNet()
    >>> net.features(torch.zeros(2, 1, 28, 28)).shape, net(torch.zeros(2, 1, 28, 28)).shape
    (torch.Size([2, 128]), torch.Size([2, 10]))
    >>> sum(p.numel() for p in net.parameters())
    131178
    >>> net(torch.zeros(2, 28, 28))
    Traceback (most recent call last):
    ...
    ValueError: JudgeNet expects input of shape (N, 1, 28, 28), got (2, 28, 28)
    """

    def __init__(self, num_classes: int = 10, num_features: int = 128):
        super().__init__()
        self.num_classes, self.num_features = num_classes, num_features
        self.features = nn.Sequential(
            conv_bn_relu(1, 32), nn.MaxPool2d(2),  # 28 -> 14
            conv_bn_relu(32, 64), nn.MaxPool2d(2),  # 14 -> 7
            conv_bn_relu(64, 64), nn.MaxPool2d(2),  # 7 -> 3
            nn.Flatten(),  # (N, 64 * 3 * 3): keeps where things are (a sleeve, a heel)
            nn.Linear(64 * 3 * 3, num_features, bias=False), nn.BatchNorm1d(num_features), nn.ReLU(inplace=True),
        )  # fmt: skip
        self.classifier = nn.Linear(num_features, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 4 or tuple(x.shape[1:]) != IMAGE_SHAPE:
            raise ValueError(f"JudgeNet expects input of shape (N, 1, 28, 28), got {tuple(x.shape)}")
        return self.classifier(self.features(x))


def _shipped(name: str):
    return resources.files(__package__) / name


def load_judge(path=None, device="cpu") -> JudgeNet:
    """A new :class:`JudgeNet` with the weights in ``path`` (default: the shipped file), in eval mode.

    Its parameters do not require gradients: the judge is only ever looked at.
    """
    net = JudgeNet()
    if path is None:
        with resources.as_file(_shipped(WEIGHTS_FILE)) as file:
            state = load_file(str(file))
    else:
        state = load_file(str(path))
    net.load_state_dict(state)  # strict: a missing or extra tensor is an error
    return net.requires_grad_(False).eval().to(device)


# device -> the shared judge on it; loaded once per process and device.
_JUDGES: dict[str, JudgeNet] = {}


def judge(device=None) -> JudgeNet:
    """The book's judge: a trained :class:`JudgeNet` in eval mode, shared per process.

    How its weights reach you: they are trained by ``python scripts/train_judge.py``
    in this repository (seeded, a few CPU minutes) and shipped inside the package as
    ``cnnguide/gan/judge_weights.safetensors``; this function only reads that
    file. Nothing is downloaded and nothing is trained when you call it.
    :func:`judge_manifest` tells how the shipped weights were made.

    The same module is returned on every call for a device, so do not train
    or modify it (its parameters do not require gradients); use
    :func:`load_judge` for a copy of your own.

    Examples
    --------
    >>> net = judge()
    >>> net is judge(), net.training, next(net.parameters()).requires_grad
    (True, False, False)
    """
    device = torch.device("cpu" if device is None else device)
    key = str(device)
    if key not in _JUDGES:
        _JUDGES[key] = load_judge(device=device)
    return _JUDGES[key]


def judge_manifest() -> dict:
    """How the shipped weights were made: accuracy, seconds, date, torch, command, sha256...

    Examples
    --------
    >>> m = judge_manifest()
    >>> m["test_accuracy"] >= 0.90, len(m["sha256"])
    (True, 64)
    """
    return json.loads(_shipped(MANIFEST_FILE).read_text())


def check_images(images, name: str = "images") -> torch.Tensor:
    """Refuse anything but judge input: floats of shape ``(N, 1, 28, 28)`` in [0, 1].

    Returns ``images`` unchanged. Nothing is clamped or converted: an image
    outside [0, 1] is a bug upstream (often a generator's [-1, 1] output that
    did not go through :func:`from_tanh`), and the message says so.

    Examples
    --------
    >>> check_images(torch.rand(3, 1, 28, 28)).shape
    torch.Size([3, 1, 28, 28])
    >>> check_images(torch.rand(3, 28, 28))
    Traceback (most recent call last):
    ...
    ValueError: images must have shape (N, 1, 28, 28), got (3, 28, 28)
    >>> check_images(torch.full((1, 1, 28, 28), -0.5))
    Traceback (most recent call last):
    ...
    ValueError: images must lie in [0, 1], got values from -0.5 to -0.5; generator output in [-1, 1] needs from_tanh() first
    """
    return _check(images, name, 0.0, 1.0)


def _check(images, name: str, low: float, high: float) -> torch.Tensor:
    if not isinstance(images, torch.Tensor):
        raise ValueError(f"{name} must be a torch.Tensor, got {type(images).__name__}")
    if images.dim() != 4 or tuple(images.shape[1:]) != IMAGE_SHAPE:
        raise ValueError(f"{name} must have shape (N, 1, 28, 28), got {tuple(images.shape)}")
    if len(images) == 0:
        raise ValueError(f"{name} holds no images (shape {tuple(images.shape)})")
    if not images.is_floating_point():
        raise ValueError(f"{name} must be floating point, got {images.dtype}"
                         + ("; divide uint8 images by 255" if images.dtype == torch.uint8 else ""))
    bad = int((~torch.isfinite(images)).sum())
    if bad:
        raise ValueError(f"{name} has {bad} non-finite values (NaN or infinity)")
    lo, hi = float(images.min()), float(images.max())
    if lo < low or hi > high:
        tanh_like = low == 0 and -1 <= lo < 0 and hi <= 1  # looks like a tanh generator's output
        hint = "; generator output in [-1, 1] needs from_tanh() first" if tanh_like else ""
        raise ValueError(f"{name} must lie in [{low:g}, {high:g}], got values from {lo:.3g} to {hi:.3g}{hint}")
    return images


def from_tanh(images: torch.Tensor) -> torch.Tensor:
    """Map a ``tanh`` generator's output from [-1, 1] to the judge's [0, 1]: ``(x + 1) / 2``.

    No clamping: ``tanh`` never leaves [-1, 1], so a value outside it means
    the generator has no final ``tanh`` (or the images were already in
    [0, 1] and scaled twice), and it is refused rather than hidden.

    Raises
    ------
    ValueError
        For a non-tensor, a shape other than ``(N, 1, 28, 28)``, an integer
        dtype, a NaN or infinity, or a value outside [-1, 1].

    Examples
    --------
    >>> from_tanh(torch.tensor([-1.0, 0.0, 1.0]).reshape(3, 1, 1, 1).expand(3, 1, 28, 28))[:, 0, 0, 0]
    tensor([0.0000, 0.5000, 1.0000])
    >>> from_tanh(torch.full((2, 1, 28, 28), 1.5))
    Traceback (most recent call last):
    ...
    ValueError: generator images must lie in [-1, 1], got values from 1.5 to 1.5
    """
    images = _check(images, "generator images", -1.0, 1.0)
    return (images + 1) / 2


def _batched(net: nn.Module, images: torch.Tensor, part) -> torch.Tensor:
    """``part(net, batch)`` over ``images`` in batches, concatenated, without gradients."""
    images = check_images(images)
    net = judge(images.device) if net is None else net
    with torch.no_grad():
        return torch.cat([part(net, images[i:i + BATCH_SIZE].float())
                          for i in range(0, len(images), BATCH_SIZE)])


def class_probabilities(images: torch.Tensor, net: nn.Module | None = None) -> torch.Tensor:
    """The judge's ``p(y | x)``: softmax probabilities, ``(N, 10)`` on ``images.device``.

    ``net`` defaults to :func:`judge` on the images' device.

    Examples
    --------
    >>> p = class_probabilities(torch.rand(4, 1, 28, 28))
    >>> p.shape, torch.allclose(p.sum(dim=1), torch.ones(4))
    (torch.Size([4, 10]), True)
    """
    return _batched(net, images, lambda n, x: n(x).softmax(dim=1))


def judge_features(images: torch.Tensor, net: nn.Module | None = None) -> torch.Tensor:
    """The judge's penultimate features, ``(N, 128)`` float32 (non-negative: after a ReLU).

    Examples
    --------
    >>> f = judge_features(torch.rand(4, 1, 28, 28))
    >>> f.shape, bool((f >= 0).all())
    (torch.Size([4, 128]), True)
    """
    return _batched(net, images, lambda n, x: n.features(x))


def class_histogram(images: torch.Tensor, net: nn.Module | None = None) -> torch.Tensor:
    """How many images the judge assigns to each class: ``int64`` of shape ``(10,)``, summing to N.

    Index ``c`` counts the images whose most probable class is ``c``
    (:data:`cnnguide.data.CLASS_NAMES` names them).

    Examples
    --------
    >>> images, labels = read_fashion_mnist("test")
    >>> class_histogram(images[:1000, None] / 255).sum().item()
    1000
    """
    predicted = class_probabilities(images, net).argmax(dim=1)
    return torch.bincount(predicted.cpu(), minlength=len(CLASS_NAMES))


def classes_covered(images: torch.Tensor, min_fraction: float = 0.01, net: nn.Module | None = None) -> int:
    """Number of classes that receive at least ``min_fraction`` of the judge's predictions.

    The rule: class ``c`` is covered when ``count_c >= min_fraction * N``.
    With the default 1%, a class that a mode-collapsed generator produces only
    by accident (a few images in a thousand) does not count; real, balanced
    Fashion-MNIST gives about 10% per class, so all 10 are covered.

    Examples
    --------
    >>> images, labels = read_fashion_mnist("test")
    >>> classes_covered(images[:1000, None] / 255)
    10
    >>> classes_covered(images[:1].repeat(50, 1, 1)[:, None] / 255)
    1
    >>> classes_covered(torch.rand(4, 1, 28, 28), min_fraction=0)
    Traceback (most recent call last):
    ...
    ValueError: min_fraction must be a number in (0, 1], got 0
    """
    if isinstance(min_fraction, bool) or not isinstance(min_fraction, (int, float)) \
            or not 0 < min_fraction <= 1 or math.isnan(min_fraction):
        raise ValueError(f"min_fraction must be a number in (0, 1], got {min_fraction!r}")
    counts = class_histogram(images, net)
    return int((counts >= min_fraction * counts.sum()).sum())


def class_entropy(counts: torch.Tensor) -> float:
    """The entropy (in nats) of a class histogram: ln 10 ≈ 2.303 for ten equal classes, 0 for one.

    A summary of :func:`class_histogram` in one number: a generator that
    drops classes, or draws some far more often than others, scores below
    the data's (Fashion-MNIST's classes are equally frequent).

    Examples
    --------
    >>> round(class_entropy(torch.full((10,), 100)), 3)
    2.303
    >>> class_entropy(torch.tensor([0, 50, 0, 0, 0, 0, 0, 0, 0, 0]))
    0.0
    >>> class_entropy(torch.zeros(10))
    Traceback (most recent call last):
    ...
    ValueError: a class histogram needs at least one count, got all zeros
    """
    counts = torch.as_tensor(counts, dtype=torch.float64)
    if counts.sum() <= 0 or (counts < 0).any():
        raise ValueError("a class histogram needs at least one count, got all zeros"
                         if not (counts < 0).any() else f"counts must not be negative, got {counts.tolist()}")
    p = counts[counts > 0] / counts.sum()
    return float(-(p * p.log()).sum()) + 0.0  # + 0.0: no "-0.0" for one class


def judge_accuracy(split: str = "test", device=None) -> float:
    """Fraction of a Fashion-MNIST split (all of it) that the shipped judge classifies correctly.

    On the 10,000 test images this is the number the tests hold to >= 0.90
    and that the pages print beside the scores.
    """
    images, labels = read_fashion_mnist(split)
    device = torch.device("cpu" if device is None else device)
    probabilities = class_probabilities(images.to(device)[:, None] / 255)
    return float((probabilities.argmax(dim=1).cpu() == labels).double().mean())
