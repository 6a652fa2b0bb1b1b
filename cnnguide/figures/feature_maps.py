"""What a convolution layer holds and produces: its kernels and its feature maps.

- :func:`feature_map_grid` -- a layer's activations, one panel per channel;
- :func:`kernel_grid` -- a convolution's weights, one panel per (output, input) channel pair.

Every value drawn is one of the tensors passed in.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from ._base import BookFigure, new_figure

__all__ = ["feature_map_grid", "kernel_grid"]


def _as_array(x, name: str, ndim: int) -> np.ndarray:
    """A float numpy copy of a tensor/array with exactly ``ndim`` dimensions."""
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    try:
        a = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be a tensor or array of numbers, got {type(x).__name__}") from err
    if a.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {tuple(a.shape)}")
    if a.size == 0:
        raise ValueError(f"{name} is empty (shape {tuple(a.shape)})")
    if not np.isfinite(a).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return a


def _grid_shape(n: int, ncols: int | None) -> tuple[int, int]:
    ncols = min(n, 8) if ncols is None else ncols
    if not isinstance(ncols, int) or ncols < 1:
        raise ValueError(f"ncols must be a positive int, got {ncols!r}")
    ncols = min(ncols, n)
    return math.ceil(n / ncols), ncols


def _shade_words(maps: np.ndarray) -> str:
    """What the viridis shades mean for these maps, for the alt text.

    After a ReLU every value is >= 0 and dark means "no response"; before one
    (a convolution's raw output) dark means the most *negative* value, which is
    a response of the opposite sign, not silence.

    >>> _shade_words(np.array([[[0.0, 2.0]]]))
    'yellow where the channel responds most, dark purple where it responds least'
    >>> _shade_words(np.array([[[-1.0, 2.0]]]))
    'yellow at its largest values, dark purple at its most negative ones'
    """
    if maps.min() >= 0:
        return "yellow where the channel responds most, dark purple where it responds least"
    return "yellow at its largest values, dark purple at its most negative ones"


def feature_map_grid(
    maps,
    title: str | None = None,
    max_maps: int = 16,
    ncols: int | None = None,
    labels: Sequence[str] | None = None,
) -> BookFigure:
    """The first ``max_maps`` channels of a ``(C, H, W)`` activation, one panel each.

    Each map has its own colour scale (brighter = larger value), since
    channels differ in range; where the maps have signs, the darkest shade is
    the most negative value, not the absence of a response. Panels are titled
    ``labels[i]``, or by channel index when no labels are given.

    Examples
    --------
    >>> fig = feature_map_grid(torch.rand(6, 8, 8), max_maps=4)
    >>> len(fig.axes[0].images), sum(len(ax.images) for ax in fig.axes)
    (1, 4)
    """
    a = _as_array(maps, "maps", 3)
    if not isinstance(max_maps, int) or max_maps < 1:
        raise ValueError(f"max_maps must be a positive int, got {max_maps!r}")
    c, h, w = a.shape
    n = min(c, max_maps)
    if labels is not None and len(labels) < n:
        raise ValueError(f"got {len(labels)} labels for {n} maps")
    nrows, ncols = _grid_shape(n, ncols)
    fig, axes = new_figure(
        f"A grid of {n} of {c} feature maps, each {h}x{w} on its own colour scale, {_shade_words(a[:n])}.",
        nrows,
        ncols,
        figsize=(1.5 * ncols, 1.5 * nrows + 0.4),
        squeeze=False,
    )
    for i, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if i < n:
            ax.imshow(a[i], cmap="viridis")
            ax.set_title(labels[i] if labels is not None else f"ch {i}", fontsize=8)
    fig.suptitle(title or f"{n} of {c} feature maps ({h}×{w})", fontsize=10)
    return fig


def kernel_grid(weight, title: str | None = None, max_out: int = 16, max_in: int = 8) -> BookFigure:
    """A convolution's kernels: one row per output channel, one column per input channel.

    ``weight`` is an ``(O, C, h, w)`` tensor or an :class:`torch.nn.Conv2d`. All
    panels share one diverging colour scale centred on 0 (red positive, blue
    negative), so strengths compare across kernels. With one input channel the
    kernels are laid out in rows of 8 instead.

    Examples
    --------
    >>> fig = kernel_grid(nn.Conv2d(2, 3, 5).weight)
    >>> sum(len(ax.images) for ax in fig.axes)
    6
    """
    if isinstance(weight, nn.Conv2d):
        weight = weight.weight
    w = _as_array(weight, "weight", 4)
    if any(not isinstance(m, int) or m < 1 for m in (max_out, max_in)):
        raise ValueError(f"max_out and max_in must be positive ints, got {max_out!r}, {max_in!r}")
    o, c, kh, kw = w.shape
    shown = w[:max_out, :max_in]
    vmax = float(np.abs(shown).max()) or 1.0
    if c == 1:
        nrows, ncols = _grid_shape(shown.shape[0], None)
        cells = [(shown[i, 0], f"{i}") for i in range(shown.shape[0])]
    else:
        nrows, ncols = shown.shape[:2]
        cells = [(shown[i, j], f"{i}←{j}") for i in range(nrows) for j in range(ncols)]
    fig, axes = new_figure(
        f"A grid of {len(cells)} {kh}x{kw} kernels from a convolution weight of shape {(o, c, kh, kw)}, "
        "red for positive weights and blue for negative.",
        nrows,
        ncols,
        figsize=(0.9 * ncols + 0.9, 0.9 * nrows + 0.5),
        squeeze=False,
    )
    image = None
    for ax, cell in zip(axes.flat, cells + [None] * (axes.size - len(cells))):
        ax.set_axis_off()
        if cell is not None:
            image = ax.imshow(cell[0], cmap="RdBu_r", vmin=-vmax, vmax=vmax)
            ax.set_title(cell[1], fontsize=6)
    fig.colorbar(image, ax=axes, shrink=0.8 if nrows <= 4 else 0.3, aspect=25, label="weight")
    fig.suptitle(title or f"Kernels (out←in), weight shape {tuple(w.shape)}", fontsize=10)
    return fig
