"""Mode collapse over time: where a generator's fixed samples go, step after step.

:func:`~cnnguide.gan.fit_gan` maps one fixed noise batch to samples every
``sample_every`` steps (``GANHistory.samples``). Following those same noise
vectors through training shows *mode hopping*: a collapsed generator does not
stay on one mode, it moves its mass from mode to mode as the discriminator
learns to reject wherever the fakes pile up. The functions here turn the
samples into the numbers behind such pictures, as plain tensors:

- on 2-D data with known modes (:mod:`cnnguide.gan.toy_data`),
  :func:`mode_fractions` and :func:`modes_over_steps` -- the share of the
  samples that are high quality in each mode (the rule of
  :func:`~cnnguide.gan.coverage.mode_coverage`);
- :func:`occupied_modes` and :func:`mode_turnover` -- which modes hold at
  least a given share, and how many modes are entered or left between two
  sample steps (zero for a generator that stays put), and :func:`home_modes`,
  the modes the bulk of the samples settles on, one after another;
- on Fashion-MNIST images, :func:`class_fractions_over_steps` -- the share of
  the samples the judge (:mod:`cnnguide.gan.judge`) puts in each class.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping

import torch

from .coverage import mode_coverage

__all__ = ["class_fractions_over_steps", "home_modes", "mode_fractions", "mode_turnover", "modes_over_steps",
           "occupied_modes"]


def _samples_by_step(history) -> dict[int, torch.Tensor]:
    """``history.samples`` (or a mapping step -> tensor), checked: non-empty, int steps, tensors."""
    samples = history if isinstance(history, Mapping) else getattr(history, "samples", None)
    if not isinstance(samples, Mapping):
        raise ValueError(f"history must be a GANHistory or a mapping of step -> samples, "
                         f"got {type(history).__name__}")
    if not samples:
        raise ValueError("history has no samples (GANHistory.samples is empty)")
    for step, value in samples.items():
        if isinstance(step, bool) or not isinstance(step, numbers.Integral):
            raise ValueError(f"sample steps must be ints, got {step!r}")
        if not isinstance(value, torch.Tensor):
            raise ValueError(f"the samples at step {step} must be a tensor, got {type(value).__name__}")
    return {int(s): samples[s] for s in sorted(samples)}


def mode_fractions(samples: torch.Tensor, centers: torch.Tensor, std: float, *,
                   threshold: float = 3.0) -> torch.Tensor:
    """The fraction of ``samples`` that are high quality in each mode, float64 of shape ``(M,)``.

    Entry ``k`` is ``counts[k] / n`` with the counts of
    :func:`~cnnguide.gan.coverage.mode_coverage` (nearest centre, within
    ``threshold * std``) and ``n`` *all* the samples, so the entries sum to
    the high-quality fraction; ``1 - sum`` is the share that lies off every mode.

    Examples
    --------
    >>> from cnnguide.gan.toy_data import ring_centers
    >>> centers = ring_centers(4, radius=1.0)
    >>> samples = torch.stack([centers[0], centers[0], centers[2], torch.zeros(2)])
    >>> mode_fractions(samples, centers, std=0.02)
    tensor([0.5000, 0.0000, 0.2500, 0.0000], dtype=torch.float64)
    """
    coverage = mode_coverage(samples, centers, std, threshold=threshold)
    return torch.tensor(coverage.counts, dtype=torch.float64) / len(samples)


def modes_over_steps(history, centers: torch.Tensor, std: float, *,
                     threshold: float = 3.0) -> tuple[list[int], torch.Tensor]:
    """:func:`mode_fractions` of the fixed samples at every sample step of a run.

    Parameters
    ----------
    history : GANHistory or mapping of int to Tensor
        Its ``samples``: step -> ``(n, d)`` generated points.
    centers : torch.Tensor
        ``(M, d)``, the modes' centres.
    std : float
        The modes' standard deviation.
    threshold : float
        High-quality radius in standard deviations.

    Returns
    -------
    steps : list of int
        The sample steps, increasing.
    fractions : torch.Tensor
        float64, shape ``(M, len(steps))``: column ``j`` is :func:`mode_fractions`
        at ``steps[j]`` (rows are modes, as in a heatmap).

    Raises
    ------
    ValueError
        For a history without samples, a step that is not an int, or samples
        that :func:`~cnnguide.gan.coverage.mode_coverage` refuses.

    Examples
    --------
    A generator that sits on mode 0, then jumps to mode 1:

    >>> from cnnguide.gan.toy_data import ring_centers
    >>> c = ring_centers(4, radius=1.0)
    >>> steps, f = modes_over_steps({100: c[1].repeat(8, 1), 0: c[0].repeat(8, 1)}, c, std=0.02)
    >>> steps
    [0, 100]
    >>> f
    tensor([[1., 0.],
            [0., 1.],
            [0., 0.],
            [0., 0.]], dtype=torch.float64)
    """
    samples = _samples_by_step(history)
    columns = [mode_fractions(points, centers, std, threshold=threshold) for points in samples.values()]
    return list(samples), torch.stack(columns, dim=1)


def _check_fractions(fractions) -> torch.Tensor:
    if not isinstance(fractions, torch.Tensor) or fractions.dim() != 2 or 0 in fractions.shape:
        got = tuple(fractions.shape) if isinstance(fractions, torch.Tensor) else type(fractions).__name__
        raise ValueError(f"fractions must be a tensor of shape (modes, steps) with both >= 1, got {got}")
    return fractions


def occupied_modes(fractions: torch.Tensor, min_fraction: float = 0.05) -> torch.Tensor:
    """Which modes hold at least ``min_fraction`` of the samples at each step: bool ``(M, S)``.

    ``fractions`` is the second value of :func:`modes_over_steps`.

    Examples
    --------
    >>> occupied_modes(torch.tensor([[0.5, 0.02], [0.0, 0.9]]))
    tensor([[ True, False],
            [False,  True]])
    >>> occupied_modes(torch.zeros(2, 2), min_fraction=0)
    Traceback (most recent call last):
        ...
    ValueError: min_fraction must be a number in (0, 1], got 0
    """
    fractions = _check_fractions(fractions)
    if (isinstance(min_fraction, bool) or not isinstance(min_fraction, numbers.Real)
            or math.isnan(min_fraction) or not 0 < min_fraction <= 1):
        raise ValueError(f"min_fraction must be a number in (0, 1], got {min_fraction!r}")
    return fractions >= min_fraction


def mode_turnover(fractions: torch.Tensor, min_fraction: float = 0.05) -> list[int]:
    """Modes entered or left between consecutive sample steps (one number per pair of steps).

    Entry ``j`` counts the modes whose occupancy (:func:`occupied_modes`)
    differs between steps ``j`` and ``j + 1``: 0 when the generator keeps
    the same modes, 2 when it moves from one mode to another. A generator
    that hops keeps this above zero long after its coverage has settled.

    Examples
    --------
    >>> f = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.5], [0.0, 0.0, 0.5]])
    >>> mode_turnover(f)
    [2, 1]
    >>> mode_turnover(f[:, :1])
    []
    """
    occupied = occupied_modes(fractions, min_fraction)
    return (occupied[:, 1:] != occupied[:, :-1]).sum(dim=0).tolist()


def home_modes(fractions: torch.Tensor, majority: float = 0.5) -> list[tuple[int, int]]:
    """The modes the generator's samples gathered on, in order: ``(step index, mode)`` at each arrival.

    At a sample step (a column of ``fractions``) the samples have a home if
    one mode holds at least ``majority`` of them. An entry is added each time
    the home differs from the last home seen; steps without a home (the mass
    in transit, or spread) are skipped, so a generator that leaves a mode and
    comes back to it has not moved. Every entry after the first is a **hop**:
    ``len(result) - 1`` of them. Unlike :func:`mode_turnover`, which also
    counts a share crossing the occupancy line, this counts only mass that
    has settled somewhere else.

    Examples
    --------
    >>> f = torch.tensor([[0.9, 0.1, 0.0, 0.0, 0.8],
    ...                   [0.0, 0.2, 0.0, 0.9, 0.0],
    ...                   [0.0, 0.0, 0.0, 0.0, 0.0]])
    >>> home_modes(f)  # mode 0, no home, no home, mode 1, mode 0 again: two hops
    [(0, 0), (3, 1), (4, 0)]
    >>> home_modes(f[:, :3])
    [(0, 0)]
    """
    if not 0.5 <= majority <= 1:
        raise ValueError(f"majority must be in [0.5, 1] (one mode at most), got {majority!r}")
    homes: list[tuple[int, int]] = []
    shares, modes = fractions.max(dim=0)
    for j, (share, mode) in enumerate(zip(shares.tolist(), modes.tolist())):
        if share >= majority and (not homes or homes[-1][1] != mode):
            homes.append((j, mode))
    return homes


def class_fractions_over_steps(history, net=None) -> tuple[list[int], torch.Tensor]:
    """The judge's predicted-class fractions of a DCGAN's fixed samples, at every sample step.

    The samples are a ``tanh`` generator's, in [-1, 1]; they are mapped to the
    judge's [0, 1] by :func:`~cnnguide.gan.judge.from_tanh` (which refuses
    values outside [-1, 1] rather than clamping them) and counted by
    :func:`~cnnguide.gan.judge.class_histogram`.

    Parameters
    ----------
    history : GANHistory or mapping of int to Tensor
        Step -> images ``(N, 1, 28, 28)`` in [-1, 1].
    net : nn.Module, optional
        The classifier; the shipped judge by default.

    Returns
    -------
    steps : list of int
    fractions : torch.Tensor
        float64, shape ``(10, len(steps))``; each column sums to 1. Row ``c``
        is the class :data:`cnnguide.data.CLASS_NAMES` ``[c]``.

    Examples
    --------
    >>> from cnnguide.data import read_fashion_mnist
    >>> images, labels = read_fashion_mnist("test")
    >>> trousers = images[labels == 1][:20, None] / 255 * 2 - 1   # as a tanh generator would give them
    >>> steps, f = class_fractions_over_steps({0: trousers})
    >>> steps, f.shape, f.sum(dim=0).tolist()
    ([0], torch.Size([10, 1]), [1.0])
    >>> int(f[:, 0].argmax())
    1
    """
    from .judge import class_histogram, from_tanh

    samples = _samples_by_step(history)
    columns = []
    for images in samples.values():
        counts = class_histogram(from_tanh(images.float()), net)
        columns.append(counts.double() / counts.sum())
    return list(samples), torch.stack(columns, dim=1)
