"""Scores of a set of generated Fashion-MNIST images, all seen through the judge.

- :func:`inception_score` -- the classifier-based Inception Score (Salimans et al., 2016)
  with the judge in Inception v3's place;
- :func:`judge_fid` -- the Fréchet distance between two image sets in the judge's
  penultimate features (FID's formula, *not* FID's network: the numbers do not compare
  with published FIDs);
- :func:`judge_precision_recall` -- improved precision and recall (Kynkäänniemi et al., 2019)
  in the same features (:func:`improved_precision_recall` on any vectors);
- :func:`judge_reference` -- what those numbers are for real images and for noise, to read
  a score against;
- :func:`per_class_scores` -- per predicted class: how many, how confidently, how far from
  real images of that class.

All take images as :mod:`cnnguide.gan.judge` does: floats ``(N, 1, 28, 28)`` in [0, 1].
"""

from __future__ import annotations

import functools
import warnings
from typing import NamedTuple

import torch
from torch import nn
from torchmetrics.image.fid import FrechetInceptionDistance
from torchmetrics.image.inception import InceptionScore

from ..data import CLASS_NAMES, read_fashion_mnist
from .judge import BATCH_SIZE, check_images, class_probabilities, judge, judge_features

__all__ = [
    "ClassScore",
    "JudgeReference",
    "PrecisionRecall",
    "Score",
    "inception_score",
    "improved_precision_recall",
    "judge_fid",
    "judge_precision_recall",
    "judge_reference",
    "per_class_scores",
]


class Score(NamedTuple):
    """A score averaged over splits: ``mean`` and the standard deviation ``std`` across them."""

    mean: float
    std: float


class PrecisionRecall(NamedTuple):
    precision: float
    recall: float


class JudgeReference(NamedTuple):
    """The scores of real images and of noise, for ``n`` images of each set.

    Attributes
    ----------
    real_vs_real : float
        :func:`judge_fid` of ``n`` training images against ``n`` test images:
        about the best a generator can score with ``n`` samples.
    real_vs_noise : float
        :func:`judge_fid` of ``n`` test images against ``n`` images of uniform
        noise in [0, 1]: a generator that has learnt nothing.
    inception_real : Score
        :func:`inception_score` of the ``n`` test images (10 splits; one
        split, so a NaN ``std``, when ``n < 200``).
    precision_recall_real : PrecisionRecall
        :func:`judge_precision_recall` of the training sample (as real)
        against the test sample (as fake).
    n, seed : int
    """

    real_vs_real: float
    real_vs_noise: float
    inception_real: Score
    precision_recall_real: PrecisionRecall
    n: int
    seed: int


class ClassScore(NamedTuple):
    """What the judge says about the generated images it puts in one class."""

    label: int
    name: str
    count: int
    fraction: float
    mean_confidence: float  # mean of the max probability; NaN when count is 0
    fid: float | None  # judge_fid against real test images of the class; None below min_count


def _check_count(label: str, value, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"{label} must be an integer >= {low}, got {value!r}")
    return value


class _Logits(nn.Module):
    """The judge as InceptionScore's feature extractor: images -> logits."""

    def __init__(self, net: nn.Module):
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class _Features(nn.Module):
    """The judge as FrechetInceptionDistance's feature extractor: images -> penultimate features.

    ``num_features`` tells torchmetrics the width, so it never pushes a dummy
    (uint8) image through the judge to find out.
    """

    def __init__(self, net: nn.Module):
        super().__init__()
        self.net = net
        self.num_features = net.num_features

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net.features(x)


def inception_score(images: torch.Tensor, splits: int = 10, seed: int = 0) -> Score:
    """The Inception Score with the judge as classifier: ``exp(E_x KL(p(y|x) || p(y)))``.

    High when each image is confidently one class (``p(y|x)`` peaked) *and*
    the classes are used evenly (``p(y)`` flat); it ranges from 1 (every image
    gets the same prediction) to 10, the number of classes. As in the original,
    the images are shuffled and cut into ``splits`` groups; the score is the
    mean over groups and ``std`` their spread (NaN for ``splits=1``).

    Computed by torchmetrics' ``InceptionScore`` with the judge's logits as
    features. It is given the [0, 1] floats as they are (``normalize=False``:
    with ``True`` it would turn them into uint8 first, which suits only its
    own Inception network). Its split shuffle draws from torch's global
    generator; ``seed`` fixes it without disturbing the caller's.

    Examples
    --------
    >>> images, labels = read_fashion_mnist("test")
    >>> inception_score(images[:1].repeat(100, 1, 1)[:, None] / 255)
    Score(mean=1.0..., std=0.0...)
    """
    images = check_images(images)
    _check_count("splits", splits)
    if len(images) < 2 * splits:
        raise ValueError(f"inception_score needs at least 2 images per split: {len(images)} images "
                         f"for splits={splits}")
    metric = _metric(InceptionScore, feature=_Logits(judge(images.device)), splits=splits, normalize=False)
    with torch.no_grad():
        for start in range(0, len(images), BATCH_SIZE):
            metric.update(images[start:start + BATCH_SIZE].float())
        with torch.random.fork_rng(devices=[images.device] if images.is_cuda else []):
            torch.manual_seed(seed)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the std of a single split (NaN) warns
                mean, std = metric.compute()
    return Score(float(mean), float(std))


def _metric(cls, **options):
    with warnings.catch_warnings():
        # InceptionScore warns that it keeps every feature in memory: 10 floats an image here.
        warnings.filterwarnings("ignore", message=".*will save all extracted features.*")
        return cls(**options)


def judge_fid(a: torch.Tensor, b: torch.Tensor) -> float:
    """Fréchet distance between image sets ``a`` and ``b`` in the judge's 128 features.

    FID's formula ``|mu_a - mu_b|^2 + tr(S_a + S_b - 2 (S_a S_b)^(1/2))`` on
    the means and covariances of the penultimate features of :func:`judge`,
    computed by torchmetrics' ``FrechetInceptionDistance`` with the judge as
    its feature extractor (statistics in float64). It is called *judge* FID
    because the network is not Inception v3: its values are on a scale of its
    own, comparable only with other ``judge_fid`` values -- read them against
    :func:`judge_reference`. Lower is better; 0 for identical sets. Like FID
    it is biased upwards for small sets, so compare sets of equal size.

    torchmetrics hands a custom extractor the images unchanged (its uint8
    conversion is only for its own Inception), so the judge sees the same
    [0, 1] floats as everywhere else; a test checks this against a direct
    computation.

    Examples
    --------
    >>> images, labels = read_fashion_mnist("test")
    >>> x = images[:200, None] / 255
    >>> abs(judge_fid(x, x)) < 1e-3
    True
    """
    a, b = check_images(a, "a"), check_images(b, "b")
    for name, images in (("a", a), ("b", b)):
        if len(images) < 2:
            raise ValueError(f"judge_fid needs at least 2 images in each set, {name} has {len(images)}")
    if a.device != b.device:
        raise ValueError(f"a and b must be on the same device, got {a.device} and {b.device}")
    # normalize=True only matters if torchmetrics probes the extractor with a dummy image (it does
    # not, given num_features): then the dummy is a float image, as the judge expects.
    metric = FrechetInceptionDistance(feature=_Features(judge(a.device)), normalize=True).to(a.device)
    with torch.no_grad():
        for images, real in ((a, True), (b, False)):
            for start in range(0, len(images), BATCH_SIZE):
                metric.update(images[start:start + BATCH_SIZE].float(), real=real)
        return float(metric.compute())


def _kth_neighbour_radius(x: torch.Tensor, k: int) -> torch.Tensor:
    """Distance from each row of ``x`` to its k-th nearest other row."""
    radii = []
    for start in range(0, len(x), BATCH_SIZE):
        d = torch.cdist(x[start:start + BATCH_SIZE], x)
        radii.append(d.topk(k + 1, dim=1, largest=False).values[:, k])  # column 0: the point itself
    return torch.cat(radii)


def _inside_some_ball(points: torch.Tensor, centres: torch.Tensor, radii: torch.Tensor) -> torch.Tensor:
    inside = []
    for start in range(0, len(points), BATCH_SIZE):
        d = torch.cdist(points[start:start + BATCH_SIZE], centres)
        inside.append((d <= radii[None, :]).any(dim=1))
    return torch.cat(inside)


def improved_precision_recall(real: torch.Tensor, fake: torch.Tensor, k: int = 3) -> PrecisionRecall:
    """Improved precision and recall (Kynkäänniemi et al., 2019) of two sets of vectors.

    Each set is turned into a region of space: the union of balls around its
    points, each as large as the distance from that point to its ``k``-th
    nearest neighbour in its own set. Then

    - precision = fraction of ``fake`` points inside the real region
      (are the generated samples realistic?);
    - recall = fraction of ``real`` points inside the fake region
      (does the generator cover the variety of the data?).

    Both are in [0, 1], higher is better; a point on a ball's boundary is
    inside. Distances are Euclidean, by ``torch.cdist``: for a few thousand
    vectors this is a few lines, not a package.

    Parameters
    ----------
    real, fake : torch.Tensor
        ``(N, D)`` and ``(M, D)`` floating point, on one device, ``N, M > k``.
    k : int

    Examples
    --------
    Ten real points 1 apart on a line (each ball has radius 1 for ``k=1``); of
    the two fake points, 0.5 is inside a real ball and 20 is not. The fake
    points are 19.5 apart, so their balls are huge and cover every real point:
    the outlier costs precision, and buys recall.

    >>> real = torch.arange(10.0)[:, None]
    >>> improved_precision_recall(real, torch.tensor([[0.5], [20.0]]), k=1)
    PrecisionRecall(precision=0.5, recall=1.0)
    >>> improved_precision_recall(real, real + 100, k=1)
    PrecisionRecall(precision=0.0, recall=0.0)
    """
    _check_count("k", k)
    for name, x in (("real", real), ("fake", fake)):
        if not isinstance(x, torch.Tensor) or x.dim() != 2 or not x.is_floating_point():
            raise ValueError(f"{name} must be a floating-point tensor of shape (N, D), got "
                             + (f"{x.dtype} {tuple(x.shape)}" if isinstance(x, torch.Tensor) else type(x).__name__))
        if len(x) <= k:
            raise ValueError(f"k={k} needs more than {k} samples in each set, {name} has {len(x)}")
    if real.shape[1] != fake.shape[1] or real.device != fake.device:
        raise ValueError(f"real and fake must have the same width and device, got {tuple(real.shape)} "
                         f"on {real.device} and {tuple(fake.shape)} on {fake.device}")
    precision = _inside_some_ball(fake, real, _kth_neighbour_radius(real, k))
    recall = _inside_some_ball(real, fake, _kth_neighbour_radius(fake, k))
    return PrecisionRecall(float(precision.double().mean()), float(recall.double().mean()))


def judge_precision_recall(real: torch.Tensor, fake: torch.Tensor, k: int = 3) -> PrecisionRecall:
    """:func:`improved_precision_recall` of two image sets in the judge's 128 features.

    As in Kynkäänniemi et al. (who used VGG-16 features and ``k=3``), but with
    the judge's penultimate features. Precision: how many generated images
    look like some real image; recall: how many real images have a generated
    one near them. A mode-collapsed generator can have high precision but low
    recall.

    Examples
    --------
    >>> images, labels = read_fashion_mnist("test")
    >>> x = images[:100, None] / 255
    >>> judge_precision_recall(x, x)
    PrecisionRecall(precision=1.0, recall=1.0)
    >>> judge_precision_recall(x, x[:3])
    Traceback (most recent call last):
    ...
    ValueError: k=3 needs more than 3 images in each set, fake has 3
    """
    real, fake = check_images(real, "real"), check_images(fake, "fake")
    _check_count("k", k)
    for name, images in (("real", real), ("fake", fake)):
        if len(images) <= k:
            raise ValueError(f"k={k} needs more than {k} images in each set, {name} has {len(images)}")
    return improved_precision_recall(judge_features(real), judge_features(fake).to(real.device), k)


def _real_images(split: str) -> tuple[torch.Tensor, torch.Tensor]:
    images, labels = read_fashion_mnist(split)
    return images[:, None], labels


@functools.lru_cache(maxsize=8)
def judge_reference(n: int = 1000, seed: int = 0) -> JudgeReference:
    """Real-vs-real and real-vs-noise scores for ``n`` images: the scale to read a GAN's scores on.

    ``n`` training and ``n`` test images are drawn at random (``seed``), and
    ``n`` noise images uniform in [0, 1]. Use the same ``n`` as the generated
    set you compare, since Fréchet distances grow as sets shrink. Cached per
    ``(n, seed)`` in the process.

    Examples
    --------
    >>> ref = judge_reference(n=100)
    >>> ref.real_vs_real < ref.real_vs_noise, ref.inception_real.std  # one split below 200 images
    (True, nan)
    """
    _check_count("n", n, low=20)
    if n > 10_000:
        raise ValueError(f"n must be at most 10000 (the test images), got {n}")
    generator = torch.Generator().manual_seed(seed)
    train_images, _ = _real_images("train")
    test_images, _ = _real_images("test")
    train = train_images[torch.randperm(len(train_images), generator=generator)[:n]] / 255
    test = test_images[torch.randperm(len(test_images), generator=generator)[:n]] / 255
    noise = torch.rand(n, 1, 28, 28, generator=generator)
    return JudgeReference(
        real_vs_real=judge_fid(train, test),
        real_vs_noise=judge_fid(test, noise),
        inception_real=inception_score(test, splits=10 if n >= 200 else 1),
        precision_recall_real=judge_precision_recall(train, test),
        n=n, seed=seed,
    )


def per_class_scores(images: torch.Tensor, min_count: int = 50) -> list[ClassScore]:
    """For each class the judge predicts: how many images, how confidently, how close to real ones.

    Answers "which categories does the generator draw well?". Images are put
    in the class the judge finds most probable; for each of the 10 classes:

    - ``count`` and ``fraction`` of the images put there;
    - ``mean_confidence``: the mean of their highest probability (1.0 means
      the judge is sure of every one; NaN for an empty class);
    - ``fid``: :func:`judge_fid` of those images against the 1,000 real test
      images of that class, computed only when ``count >= min_count``
      (``None`` otherwise; few images give a large, noisy distance). Counts
      differ between classes and the distance grows as sets shrink, so
      compare it between classes with that in mind.

    Examples
    --------
    >>> images, labels = read_fashion_mnist("test")
    >>> rows = per_class_scores(images[:300, None] / 255, min_count=40)
    >>> sum(r.count for r in rows), rows[9].name
    (300, 'ankle boot')
    """
    images = check_images(images)
    _check_count("min_count", min_count, low=2)
    probabilities = class_probabilities(images)
    confidence, predicted = probabilities.max(dim=1)
    real_images, real_labels = _real_images("test")
    rows = []
    for label, name in enumerate(CLASS_NAMES):
        mask = predicted == label
        count = int(mask.sum())
        fid = None
        if count >= min_count:
            real = real_images[real_labels == label].to(images.device) / 255
            fid = judge_fid(images[mask], real)
        rows.append(ClassScore(
            label=label, name=name, count=count, fraction=count / len(images),
            mean_confidence=float(confidence[mask].mean()) if count else float("nan"), fid=fid,
        ))
    return rows
