"""Figures of mode collapse: where a GAN's fixed samples go over training.

Both draw a heatmap with one column per sample step of a
:class:`~cnnguide.gan.GANHistory` (the same fixed noise batch each time), so a
generator that hops from mode to mode shows as a bright cell that moves from
row to row. The numbers come from :mod:`cnnguide.gan.collapse`:

- :func:`plot_modes_over_steps` -- 2-D data with known modes: the share of the
  samples that are high quality in each mode (plus the share off every mode),
  and optionally a row of scatter plots at a few steps;
- :func:`plot_class_histogram_over_training` -- Fashion-MNIST images: the share
  the judge puts in each class.
"""

from __future__ import annotations

import math

import numpy as np

from ..data import CLASS_NAMES
from ..gan.collapse import class_fractions_over_steps, mode_turnover, modes_over_steps
from ._base import BookFigure
from .gan_points import FAKE_STYLE, MAX_PANELS, _points

__all__ = ["plot_class_histogram_over_training", "plot_modes_over_steps"]

_CMAP = "magma_r"  # white for an empty cell, dark for a full one: the empty cells fade into the page


def _mode_labels(centers: np.ndarray) -> list[str]:
    """``mode k`` (with its angle on the ring for 2-D centres around the origin)."""
    if centers.shape[1] != 2:
        return [f"mode {k}" for k in range(len(centers))]
    angles = np.degrees(np.arctan2(centers[:, 1], centers[:, 0])) % 360
    return [f"mode {k} ({a:.0f}°)" for k, a in enumerate(angles)]


def _heatmap(ax, values: np.ndarray, steps: list[int], labels: list[str], vmax: float):
    """``values`` (rows x steps) as cells, the columns labelled by step (at most ~12 labels)."""
    image = ax.imshow(values, aspect="auto", cmap=_CMAP, vmin=0, vmax=vmax, interpolation="nearest")
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    every = max(1, math.ceil(len(steps) / 12))
    ticks = list(range(0, len(steps), every))
    ax.set_xticks(ticks, [str(steps[i]) for i in ticks], fontsize=7, rotation=45 if len(ticks) > 6 else 0)
    ax.set_xlabel("training step (the fixed noise batch, mapped by the generator)")
    return image


def plot_modes_over_steps(history, centers, std: float, *, scatter_steps=None, threshold: float = 3.0,
                          min_fraction: float = 0.05, title: str | None = None) -> BookFigure:
    """Which modes the fixed samples occupy at each sample step: a heatmap, modes x steps.

    Cell ``(k, j)`` is the share of the fixed samples that are high quality in
    mode ``k`` at the ``j``-th sample step (:func:`~cnnguide.gan.collapse.modes_over_steps`);
    a last row, below a gap, is the share that lies off every mode. Mode
    hopping shows as a dark cell that moves from row to row; a generator that
    covers the data shows as eight even rows and an empty last one.

    Parameters
    ----------
    history : GANHistory or mapping of int to Tensor
        The fixed samples, step -> ``(n, 2)``.
    centers : torch.Tensor
        ``(M, 2)`` mode centres (e.g. :func:`~cnnguide.gan.toy_data.ring_centers`).
    std : float
        The modes' standard deviation (the ring's 0.02).
    scatter_steps : sequence of int, optional
        Up to eight sample steps drawn below the heatmap as small scatter
        plots of the samples over the circled centres.
    threshold : float
        High-quality radius in standard deviations.
    min_fraction : float
        The share that counts a mode as occupied in the alt text's count of
        modes entered or left (:func:`~cnnguide.gan.collapse.mode_turnover`).
    title : str, optional

    Returns
    -------
    BookFigure
        Axes: the modes' heatmap, the off-mode row, the colour bar, then one per scatter step.

    Examples
    --------
    >>> import torch
    >>> from cnnguide.gan.toy_data import ring_centers
    >>> c = ring_centers()
    >>> samples = {0: torch.zeros(10, 2), 50: c[:1].repeat(10, 1), 100: c[3:4].repeat(10, 1)}
    >>> fig = plot_modes_over_steps(samples, c, 0.02, scatter_steps=[50, 100])
    >>> [ax.get_title() for ax in fig.axes[3:]], len(fig.axes)  # modes, off-mode row, colour bar, 2 scatters
    (['step 50', 'step 100'], 5)
    >>> fig.alt
    'Heatmap of the share of 10 fixed generated samples that lie within 3 standard deviations of each of 8 modes (rows) at 3 training steps from 0 to 100 (columns), with a last row for the share off every mode; at the last step 1 of 8 modes hold at least 5% of the samples, and between consecutive steps 1.5 modes are entered or left on average. Below, scatter plots of the samples at steps 50, 100.'
    """
    import torch

    steps, fractions = modes_over_steps(history, centers, std, threshold=threshold)
    centers_np = _points(centers, "centers")
    samples = history if isinstance(history, dict) else history.samples
    chosen = [] if scatter_steps is None else sorted(scatter_steps)
    if len(chosen) > MAX_PANELS:
        raise ValueError(f"scatter_steps must name at most {MAX_PANELS} steps, got {len(chosen)}")
    missing = [s for s in chosen if s not in steps]
    if missing:
        raise ValueError(f"no samples at step(s) {missing}; the history has samples at {steps}")
    n_samples = len(samples[steps[0]])
    off = 1 - fractions.sum(dim=0, keepdim=True)
    turnover = mode_turnover(fractions, min_fraction)
    occupied_last = int((fractions[:, -1] >= min_fraction).sum())
    M = len(centers_np)
    alt = (f"Heatmap of the share of {n_samples} fixed generated samples that lie within {threshold:g} standard "
           f"deviations of each of {M} modes (rows) at {len(steps)} training steps from {steps[0]} to {steps[-1]} "
           f"(columns), with a last row for the share off every mode; at the last step {occupied_last} of {M} "
           f"modes hold at least {100 * min_fraction:g}% of the samples"
           + (f", and between consecutive steps {np.mean(turnover):.2g} modes are entered or left on average"
              if turnover else "")
           + "." + (f" Below, scatter plots of the samples at steps {', '.join(map(str, chosen))}." if chosen else ""))
    height = 0.28 * (M + 1) + 1.2
    fig = BookFigure(alt=alt, figsize=(max(6.5, 1.6 * len(chosen)), height + (1.8 if chosen else 0)),
                     layout="constrained")
    if chosen:
        top, bottom = fig.subfigures(2, 1, height_ratios=[height, 1.8])
    else:
        top, bottom = fig, None
    ax_modes, ax_off = top.subplots(2, 1, sharex=True, height_ratios=[M, 1], squeeze=True)
    vmax = float(max(fractions.max(), off.max(), 1e-12))
    image = _heatmap(ax_modes, fractions.numpy(), steps, _mode_labels(centers_np), vmax)
    _heatmap(ax_off, off.clamp(min=0).numpy(), steps, ["off every mode"], vmax)
    ax_modes.set_xlabel("")
    ax_modes.tick_params(labelbottom=False)
    top.colorbar(image, ax=[ax_modes, ax_off], label="share of the samples", shrink=0.9)
    if title:
        top.suptitle(title, fontsize=10)
    if chosen:
        half = 1.25 * float(np.abs(centers_np).max())
        for ax, step in zip(np.atleast_1d(bottom.subplots(1, len(chosen))), chosen):
            points = _points(samples[step].to(torch.float64), f"samples at step {step}")
            ax.scatter(points[:, 0], points[:, 1], **{**FAKE_STYLE, "s": 2})
            ax.scatter(centers_np[:, 0], centers_np[:, 1], marker="o", s=30, facecolors="none",
                       edgecolors="black", linewidths=0.6)
            ax.set(xlim=(-half, half), ylim=(-half, half), aspect="equal", xticks=[], yticks=[])
            ax.set_title(f"step {step}", fontsize=8)
    return fig


def plot_class_histogram_over_training(history, *, net=None, class_names=CLASS_NAMES,
                                       title: str | None = None) -> BookFigure:
    """The judge's predicted classes of a DCGAN's fixed samples at each sample step: a heatmap, classes x steps.

    Cell ``(c, j)`` is the share of the fixed samples that the judge
    (:mod:`cnnguide.gan.judge`) assigns to class ``c`` at the ``j``-th sample
    step (:func:`~cnnguide.gan.collapse.class_fractions_over_steps`); balanced
    data would give 10% everywhere. Classes that go dark together while others
    fade are a generator collapsing onto a few kinds of garment.

    Parameters
    ----------
    history : GANHistory or mapping of int to Tensor
        Step -> images ``(N, 1, 28, 28)`` in a ``tanh`` generator's [-1, 1].
    net : nn.Module, optional
        The classifier (default: the shipped judge).
    class_names : sequence of str
        One name per class (default :data:`cnnguide.data.CLASS_NAMES`).
    title : str, optional

    Examples
    --------
    >>> import torch
    >>> fig = plot_class_histogram_over_training({0: -torch.ones(8, 1, 28, 28), 500: torch.ones(8, 1, 28, 28)})
    >>> len(fig.axes), [t.get_text() for t in fig.axes[0].get_yticklabels()][:2]
    (2, ['t-shirt', 'trouser'])
    """
    steps, fractions = class_fractions_over_steps(history, net)
    names = list(class_names)
    if len(names) != fractions.shape[0]:
        raise ValueError(f"class_names must name {fractions.shape[0]} classes, got {len(names)}")
    first, last = fractions[:, 0], fractions[:, -1]
    top_last = int(last.argmax())
    n = len((history if isinstance(history, dict) else history.samples)[steps[0]])
    covered = int((last >= 0.01).sum())
    alt = (f"Heatmap of the share of {n} fixed generated images that the judge assigns to each of the "
           f"{len(names)} Fashion-MNIST classes (rows) at {len(steps)} training steps from {steps[0]} to "
           f"{steps[-1]} (columns); at the last step {covered} classes receive at least 1% and the most "
           f"frequent, {names[top_last]}, {100 * float(last[top_last]):.0f}% (it was "
           f"{100 * float(first[top_last]):.0f}% at step {steps[0]}).")
    fig = BookFigure(alt=alt, figsize=(6.5, 0.3 * len(names) + 1.3), layout="constrained")
    ax = fig.subplots()
    image = _heatmap(ax, fractions.numpy(), steps, names, float(max(fractions.max(), 1e-12)))
    fig.colorbar(image, ax=ax, label="share of the samples", shrink=0.9)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig
