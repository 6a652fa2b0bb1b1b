"""Figures of pooling: what a window gives to max and average pooling, and why a small shift matters less.

The pooled values come from :func:`cnnguide.ops.pool2d` and the feature maps
from :func:`cnnguide.ops.corr2d`; the figures only choose what to highlight.
"""

from __future__ import annotations

import numpy as np
import torch

from cnnguide import ops
from cnnguide.ops._checks import as_pair

from ._grid import Panel, Region, as_matrix, check_position, pair_text, format_number, grid_figure, grid_row

__all__ = ["pooling_figure", "shift_invariance_figure"]


def pooling_figure(X, pool_size=2, stride=1, position=(0, 0)):
    """One pooling window and what max and average pooling take from it.

    Parameters
    ----------
    X : 2-D tensor or array-like
        The input.
    pool_size, stride : int or (int, int)
        Window shape and step, passed to :func:`cnnguide.ops.pool2d`.
    position : (int, int)
        Output entry whose window is highlighted.

    Returns
    -------
    BookFigure
        The input with the window (its largest value outlined in red), the
        max-pooled and the average-pooled outputs, and a caption such as
        ``max(0, 1, 3, 4) = 4,  mean(0, 1, 3, 4) = 2``.

    Examples
    --------
    >>> fig = pooling_figure(torch.arange(9.).reshape(3, 3))
    >>> fig.get_supxlabel()
    'max(0, 1, 3, 4) = 4     mean(0, 1, 3, 4) = 2'
    """
    X = as_matrix(X, "X")
    size, step = as_pair(pool_size, "pool_size", minimum=1), as_pair(stride, "stride", minimum=1)
    Ymax = ops.pool2d(X, size, mode="max", stride=step)
    Yavg = ops.pool2d(X, size, mode="avg", stride=step)
    i, j = check_position(position, Ymax.shape)
    top, left = i * step[0], j * step[1]
    window = X[top : top + size[0], left : left + size[1]]
    a, b = np.unravel_index(int(torch.argmax(window)), tuple(window.shape))
    listed = ", ".join(format_number(v) for v in window.flatten())
    caption = f"max({listed}) = {format_number(Ymax[i, j])}     mean({listed}) = {format_number(Yavg[i, j])}"
    alt = (f"{size[0]}×{size[1]} pooling with stride {pair_text(step)} over a {X.shape[0]}×{X.shape[1]} input; "
           f"for the highlighted window, {caption}.")
    panels = [
        Panel(X, "input", [Region(top, left, *size), Region(top + int(a), left + int(b), color="tab:red",
                                                            filled=False, inset=0.08)]),
        Panel(Ymax, "max pooling", [Region(i, j, color="tab:red")]),
        Panel(Yavg, "average pooling", [Region(i, j, color="tab:green")]),
    ]
    return grid_row(alt, panels, ["→", ""], caption)


def _shift_right(X: torch.Tensor, shift: int) -> torch.Tensor:
    # Repeat the first column into the gap, so the shifted image has no new edge at its border.
    return torch.cat([X[:, :1].repeat(1, shift), X[:, : X.shape[1] - shift]], dim=1)


def shift_invariance_figure(X, K, shift=1, pool_size=2, stride=1):
    """An image and the same image shifted right, their feature maps, and those maps max-pooled.

    Parameters
    ----------
    X, K : 2-D tensor or array-like
        Image and kernel (e.g. the edge detector ``[[1, -1]]``).
    shift : int
        Columns to shift the image right by (its first column fills the gap).
    pool_size, stride : int or (int, int)
        Max-pooling window and its step.

    Returns
    -------
    BookFigure
        Two rows (original, shifted) of image, cross-correlation and max pooling;
        cells of the shifted row that differ from the original are shaded red
        and counted in the caption.

    Examples
    --------
    An edge between columns 2 and 3, moved one column right: the feature map
    changes in two columns, but with 2x2 windows at stride 2 the edge stays
    inside the same pooling window and the pooled map does not change at all.

    >>> X = torch.ones(4, 6); X[:, 3:] = 0
    >>> fig = shift_invariance_figure(X, torch.tensor([[1., -1.]]), stride=2)
    >>> fig.get_supxlabel()
    'changed by the shift: 8 of 20 feature-map cells, 0 of 4 pooled cells'
    """
    X, K = as_matrix(X, "X"), as_matrix(K, "K")
    if not isinstance(shift, int) or isinstance(shift, bool) or not 1 <= shift < X.shape[1]:
        raise ValueError(f"shift must be an integer between 1 and {X.shape[1] - 1}, got {shift!r}")
    size, step = as_pair(pool_size, "pool_size", minimum=1), as_pair(stride, "stride", minimum=1)
    Xs = _shift_right(X, shift)
    rows, changed = [], []
    for image in (X, Xs):
        fmap = ops.corr2d(image, K)
        rows.append([image, fmap, ops.pool2d(fmap, size, mode="max", stride=step)])
    for k in range(3):
        changed.append(np.argwhere((rows[0][k] != rows[1][k]).numpy()))
    titles = ["image", "feature map", f"{size[0]}×{size[1]} max pool, stride {pair_text(step)}"]
    grid = [[Panel(m, t if r == 0 else f"{t}, shifted") for m, t in zip(row, titles)]
            for r, row in enumerate(rows)]
    for k in range(3):
        grid[1][k].regions = [Region(int(a), int(b), color="tab:red", linewidth=1) for a, b in changed[k]]
    fm, pooled = rows[0][1], rows[0][2]
    caption = (f"changed by the shift: {len(changed[1])} of {fm.numel()} feature-map cells, "
               f"{len(changed[2])} of {pooled.numel()} pooled cells")
    alt = (f"A {X.shape[0]}×{X.shape[1]} image and a copy shifted right by {shift} pixel(s), each "
           f"cross-correlated "
           f"with a {K.shape[0]}×{K.shape[1]} kernel and then max-pooled; {caption}.")
    return grid_figure(alt, grid, [["⋆K →", "pool →"]] * 2, caption)
