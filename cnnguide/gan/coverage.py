"""Mode coverage on data with known modes: how many modes a generator reaches, and how evenly.

The measures of VEEGAN (Srivastava et al., 2017) and PacGAN (Lin et al.,
2018) for the ring and the grid of :mod:`cnnguide.gan.toy_data`:

- every sample is assigned to its nearest centre, and is *high quality* if it
  lies within ``threshold`` (3) standard deviations of it;
- a mode is *covered* if at least ``min_count`` high-quality samples fall in it;
- the *reverse KL* compares the histogram of high-quality samples over the
  modes with the uniform distribution the data has.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from cnnguide.ops._checks import check_floating, check_int, check_tensor, shape_of

from .toy_data import _positive

__all__ = ["ModeCoverage", "mode_coverage"]


@dataclass(frozen=True)
class ModeCoverage:
    """What :func:`mode_coverage` measured.

    Attributes
    ----------
    modes : int
        Number of modes covered (with at least ``min_count`` high-quality samples).
    high_quality : float
        Fraction of all samples that are high quality, in ``[0, 1]``.
    reverse_kl : float
        ``KL(p_gen || uniform)`` over the modes, in nats, between 0 (every mode
        equally often) and ``ln M`` (one mode out of ``M``); ``nan`` when no
        sample is high quality.
    counts : tuple of int
        High-quality samples per mode, in the order of the centres.
    """

    modes: int
    high_quality: float
    reverse_kl: float
    counts: tuple[int, ...]

    def __str__(self) -> str:
        return (f"{self.modes}/{len(self.counts)} modes, {100 * self.high_quality:.1f}% high quality, "
                f"reverse KL {self.reverse_kl:.3f}")


def _check_points(value: object, name: str) -> torch.Tensor:
    check_tensor(value, name, (2,))
    check_floating(value, name)
    if value.shape[0] < 1 or value.shape[1] < 1:
        raise ValueError(f"{name} must have shape (count, dims) with both >= 1, got {shape_of(value)}")
    return value


def mode_coverage(
    samples: torch.Tensor,
    centers: torch.Tensor,
    std: float,
    *,
    threshold: float = 3.0,
    min_count: int | None = None,
) -> ModeCoverage:
    """Modes covered, fraction of high-quality samples and reverse KL of samples from a mixture.

    Each sample is assigned to its nearest centre (Euclidean distance; the
    modes share one ``std``, so this is also the nearest in standard
    deviations). It is high quality if that distance is *less than*
    ``threshold * std``. A mode is covered if it receives at least
    ``min_count`` high-quality samples. The rule is PacGAN's code
    (github.com/fjxmlzn/PacGAN, ``synthetic_data_experiments/PacGAN/pacgan/extensions.py``,
    ``MetricLogger``: ``min_dis < dis_thre`` with ``dis_thre = 3`` standard
    deviations, and ``mode coverage = len(nonzero(detail_of_coverage))``, a
    mode counting once it has one high-quality sample): so ``min_count=None``
    means 1.

    The reverse KL is over the modes: with ``p_k = counts[k] / sum(counts)``
    the share of high-quality samples in mode ``k`` and ``M`` modes,

    .. math::

        \\mathrm{KL}(p \\,\\|\\, u) = \\sum_{k:\\, p_k > 0} p_k \\log (p_k M),

    where empty modes contribute ``0 log 0 = 0``. With ``p`` first the
    divergence stays finite when modes are missing (it is at most ``ln M``,
    reached when one mode has everything); samples that are not high quality
    are left out of ``p`` -- they are counted by ``high_quality``. When no
    sample is high quality, ``p`` is undefined and ``reverse_kl`` is ``nan``.

    Parameters
    ----------
    samples : torch.Tensor
        Floating, shape ``(n, d)`` (``d = 2`` for the toy data).
    centers : torch.Tensor
        Floating, shape ``(M, d)``: the mixture's means.
    std : float
        The mixture's standard deviation per coordinate, ``> 0``.
    threshold : float
        High-quality radius in standard deviations, ``> 0``.
    min_count : int or None
        High-quality samples a mode needs to count as covered, ``>= 1``;
        None means 1, PacGAN's rule.

    Returns
    -------
    ModeCoverage

    Raises
    ------
    ValueError
        If ``samples`` or ``centers`` is not a 2-D floating tensor with rows,
        their second dimensions differ, or ``std``, ``threshold`` or
        ``min_count`` is out of range.

    Examples
    --------
    Real data covers every mode evenly; a generator that collapsed onto one
    mode covers one, with the largest reverse KL, ``ln 8``:

    >>> from cnnguide.gan.toy_data import ring_centers, ring_of_gaussians
    >>> centers = ring_centers()
    >>> print(mode_coverage(ring_of_gaussians(10_000, seed=0), centers, std=0.02))
    8/8 modes, 99...% high quality, reverse KL 0.00...
    >>> collapsed = mode_coverage(centers[:1].repeat(100, 1), centers, std=0.02)
    >>> collapsed.modes, round(collapsed.reverse_kl, 6), round(math.log(8), 6)
    (1, 2.079442, 2.079442)
    >>> collapsed.counts
    (100, 0, 0, 0, 0, 0, 0, 0)
    """
    _check_points(samples, "samples")
    _check_points(centers, "centers")
    if samples.shape[1] != centers.shape[1]:
        raise ValueError(
            f"samples of shape {shape_of(samples)} and centers of shape {shape_of(centers)} "
            f"differ in dimension: {samples.shape[1]} vs {centers.shape[1]}"
        )
    std = _positive(std, "std")
    threshold = _positive(threshold, "threshold")
    min_count = 1 if min_count is None else check_int(min_count, "min_count", 1)
    # Differences rather than torch.cdist: cdist's matrix-product shortcut loses
    # precision for points far from the origin, and float64 keeps the 3-sigma test exact.
    x, c = samples.detach().double(), centers.detach().double().to(samples.device)
    distance = (x[:, None, :] - c[None, :, :]).pow(2).sum(-1).sqrt()
    nearest_distance, nearest = distance.min(dim=1)
    good = nearest_distance < threshold * std
    counts = torch.bincount(nearest[good], minlength=len(c)).tolist()
    total = sum(counts)
    if total == 0:
        reverse_kl = math.nan
    else:
        M = len(counts)
        reverse_kl = sum(k / total * math.log(k / total * M) for k in counts if k > 0)
        reverse_kl = max(reverse_kl, 0.0)  # rounding can give -1e-17 for a perfectly even histogram
    return ModeCoverage(
        modes=sum(k >= min_count for k in counts),
        high_quality=total / len(x),
        reverse_kl=reverse_kl,
        counts=tuple(counts),
    )
