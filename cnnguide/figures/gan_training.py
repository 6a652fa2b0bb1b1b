"""Figures of a GAN training run: the two losses and the discriminator's outputs, and the samples over time.

They draw what :func:`cnnguide.gan.fit_gan` recorded in a
:class:`~cnnguide.gan.GANHistory`: the logged series, and the generator's
outputs on one fixed noise batch at several steps, so that a row of the
sample figure differs from the row above only by training.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import torch

from ._base import BookFigure, new_figure
from .gan_points import plot_ring_samples

__all__ = ["plot_gan_history", "plot_samples_over_training"]

_SERIES = ("step", "d_loss", "g_loss", "d_real", "d_fake")
#: The losses at the equilibrium D = 1/2: 2 log 2 (discriminator) and log 2 (non-saturating generator).
_EQUILIBRIUM = {"d_loss": 2 * math.log(2), "g_loss": math.log(2)}


def _series(history) -> dict[str, list[float]]:
    record = history if isinstance(history, Mapping) else history.to_dict()
    missing = [name for name in _SERIES if name not in record]
    if missing:
        raise ValueError(f"history lacks the series {missing}")
    values = {name: [float(v) for v in record[name]] for name in _SERIES}
    if len({len(v) for v in values.values()}) != 1 or not values["step"]:
        raise ValueError("history must have the same, non-zero number of entries in every series")
    return values


def plot_gan_history(history, title: str | None = None) -> BookFigure:
    """Both losses (left) and the discriminator's mean outputs D(x), D(G(z)) (right), by step.

    Dotted lines mark the values of the equilibrium ``D = 1/2``: losses
    ``2 log 2`` and ``log 2``, probabilities 0.5. A WGAN-GP run (its
    metadata's ``loss`` is ``"wgan-gp"``) logs the critic's unbounded mean
    scores instead: they are drawn unclipped, without those lines.

    Parameters
    ----------
    history : GANHistory or mapping
        Anything with lists ``step``, ``d_loss``, ``g_loss``, ``d_real``, ``d_fake``.
    title : str, optional

    Examples
    --------
    >>> fig = plot_gan_history({"step": [50, 100], "d_loss": [1.2, 1.3], "g_loss": [0.9, 0.8],
    ...                         "d_real": [0.6, 0.55], "d_fake": [0.4, 0.45]})
    >>> fig.alt
    'GAN training over 100 steps: the discriminator loss goes from 1.200 to 1.300, the generator loss from 0.900 to 0.800; D(x) ends at 0.550 and D(G(z)) at 0.450.'
    """
    v = _series(history)
    metadata = getattr(history, "metadata", None) or (history.get("metadata") if isinstance(history, dict) else None)
    critic = (metadata or {}).get("loss") == "wgan-gp"  # unbounded scores, no D = 1/2 equilibrium
    alt = (f"GAN training over {int(v['step'][-1])} steps: the discriminator loss goes from {v['d_loss'][0]:.3f} "
           f"to {v['d_loss'][-1]:.3f}, the generator loss from {v['g_loss'][0]:.3f} to {v['g_loss'][-1]:.3f}; "
           f"D(x) ends at {v['d_real'][-1]:.3f} and D(G(z)) at {v['d_fake'][-1]:.3f}.")
    fig, (ax_loss, ax_prob) = new_figure(alt, 1, 2, figsize=(8, 3))
    marker = "o-" if len(v["step"]) <= 30 else "-"
    for name, label, colour in (("d_loss", "discriminator", "tab:blue"), ("g_loss", "generator", "tab:orange")):
        ax_loss.plot(v["step"], v[name], marker, color=colour, label=label, markersize=3, linewidth=1)
        if not critic:
            ax_loss.axhline(_EQUILIBRIUM[name], color=colour, linestyle=":", linewidth=1)
    for name, label, colour in (("d_real", "D(x), real", "tab:green"), ("d_fake", "D(G(z)), fake", "tab:red")):
        ax_prob.plot(v["step"], v[name], marker, color=colour, label=label, markersize=3, linewidth=1)
    if critic:
        ax_loss.set_ylabel("loss (critic: -W + penalty)")
        ax_prob.set_ylabel("mean critic score")
    else:
        ax_prob.axhline(0.5, color="0.4", linestyle=":", linewidth=1)
        ax_prob.set_ylim(-0.02, 1.02)
        ax_loss.set_ylabel("loss (dotted: at D = 1/2)")
        ax_prob.set_ylabel("mean probability of 'real'")
    for ax in (ax_loss, ax_prob):
        ax.set_xlabel("step")
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    if title:
        fig.suptitle(title)
    return fig


def draw_image_row(ax, images, value_range, label: str) -> None:
    """Draw ``images`` ``(N, C, H, W)`` side by side in ``ax``, mapped from ``value_range`` to [0, 1], labelled on the left.

    Grey-scale images are drawn dark on white (``gray_r``), with white between them.
    """
    from torchvision.utils import make_grid

    low, high = value_range
    images = ((images.detach().cpu().float() - low) / (high - low)).clamp(0, 1)
    grid = make_grid(images, nrow=len(images), padding=2, pad_value=0.0)  # pad 0: white between images
    shown = grid[0] if images.shape[1] == 1 else grid.permute(1, 2, 0)
    ax.imshow(shown.numpy(), cmap="gray_r" if images.shape[1] == 1 else None, vmin=0, vmax=1)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_ylabel(label, rotation=0, ha="right", va="center", fontsize=9)


def _pick_steps(available: list[int], steps, most: int) -> list[int]:
    if steps is None:
        if len(available) <= most:
            return available
        picks = np.linspace(0, len(available) - 1, most).round().astype(int)
        return [available[i] for i in sorted(set(picks.tolist()))]
    steps = list(steps)
    missing = [s for s in steps if s not in available]
    if missing or not steps:
        raise ValueError(f"no samples at step(s) {missing or steps}; the history has samples at {available}")
    return sorted(steps)


def plot_samples_over_training(history, steps=None, *, real=None, centers=None, per_step: int = 8,
                               value_range=(-1.0, 1.0), most: int = 6, title: str | None = None) -> BookFigure:
    """The generator's outputs on the fixed noise batch at several steps of training.

    Images (``(N, C, H, W)`` samples) are drawn one row per step, the same
    ``per_step`` noise vectors in every row, dark on light as
    :func:`~cnnguide.figures.image_grid` draws the data. 2-D samples
    (``(N, 2)``) are scatter plots over the ``real`` points, one panel per
    step (:func:`~cnnguide.figures.plot_ring_samples`).

    Parameters
    ----------
    history : GANHistory
        With ``samples``, a dict of step -> tensor.
    steps : sequence of int, optional
        Which steps; by default up to ``most`` of them, evenly spread from the first to the last.
    real, centers : tensor, optional
        For 2-D samples: the real points (required) and the mode centres.
    per_step : int
        Images per row.
    value_range : (float, float)
        What the samples' values span (``tanh``: -1 to 1), mapped from light to dark.
    most : int
    title : str, optional

    Examples
    --------
    >>> from cnnguide.gan.history import GANHistory
    >>> h = GANHistory(samples={0: torch.zeros(16, 1, 28, 28), 500: torch.ones(16, 1, 28, 28)})
    >>> fig = plot_samples_over_training(h)
    >>> len(fig.axes), fig.alt
    (2, 'Generated 28x28 images at steps 0, 500 (one row per step, 8 images each, from the same noise).')
    >>> plot_samples_over_training(h, steps=[100])
    Traceback (most recent call last):
    ...
    ValueError: no samples at step(s) [100]; the history has samples at [0, 500]
    """
    samples = getattr(history, "samples", None)
    if not isinstance(samples, Mapping) or not samples:
        raise ValueError("history has no samples (GANHistory.samples is empty)")
    chosen = _pick_steps(sorted(samples), steps, most)
    first = samples[chosen[0]]
    if first.dim() == 2 and first.shape[1] == 2:
        if real is None:
            raise ValueError("2-D samples are drawn over the real points: pass real=")
        return plot_ring_samples(real, {s: samples[s] for s in chosen}, centers)
    if first.dim() != 4:
        raise ValueError(f"samples must be images (N, C, H, W) or 2-D points (N, 2), got shape {tuple(first.shape)}")
    if isinstance(per_step, bool) or not isinstance(per_step, int) or per_step < 1:
        raise ValueError(f"per_step must be a positive integer, got {per_step!r}")
    low, high = value_range
    n = min(per_step, len(first))
    h, w = first.shape[-2:]
    alt = (f"Generated {h}x{w} images at steps {', '.join(map(str, chosen))} (one row per step, "
           f"{n} images each, from the same noise).")
    fig, axes = new_figure(alt, len(chosen), 1, figsize=(1.0 * n + 0.6, 1.05 * len(chosen) + (0.3 if title else 0)),
                           squeeze=False)
    for ax, step in zip(axes[:, 0], chosen):
        draw_image_row(ax, samples[step][:n], (low, high), f"step {step}")
    if title:
        fig.suptitle(title, fontsize=10)
    return fig
