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
        Two rows (original, shifted) of image, cross-correlation and max pooling.
        In the shifted row, cells that differ from the original are shaded red.
        The caption counts the original's nonzero responses (feature map and
        pooled map) that are still there, with the same value, after the shift.

    Examples
    --------
    One edge, moved one column right. The feature map's response moves with
    it, so none stays in place; 2x2 max pooling at stride 1 spreads each
    response over two columns, so half of the pooled responses stay.

    >>> X = torch.ones(4, 6); X[:, 3:] = 0
    >>> fig = shift_invariance_figure(X, torch.tensor([[1., -1.]]))
    >>> fig.get_supxlabel()
    'responses still in place after the shift: 0 of 4 in the feature map, 3 of 6 after max pooling'
    """
    X, K = as_matrix(X, "X"), as_matrix(K, "K")
    if not isinstance(shift, int) or isinstance(shift, bool) or not 1 <= shift < X.shape[1]:
        raise ValueError(f"shift must be an integer between 1 and {X.shape[1] - 1}, got {shift!r}")
    size, step = as_pair(pool_size, "pool_size", minimum=1), as_pair(stride, "stride", minimum=1)
    rows = []
    for image in (X, _shift_right(X, shift)):
        fmap = ops.corr2d(image, K)
        rows.append([image, fmap, ops.pool2d(fmap, size, mode="max", stride=step)])
    titles = ["image", "feature map (image ⋆ kernel)",
              f"{size[0]}×{size[1]} max pool, stride {pair_text(step)}"]
    grid = [[Panel(m, t if r == 0 else f"{t}, shifted") for m, t in zip(row, titles)]
            for r, row in enumerate(rows)]
    kept = []
    for k in range(3):
        before, after = rows[0][k], rows[1][k]
        changed = np.argwhere((before != after).numpy())
        grid[1][k].regions = [Region(int(a), int(b), color="tab:red", linewidth=1) for a, b in changed]
        responses = before != 0
        kept.append((int((responses & (after == before)).sum()), int(responses.sum())))
    caption = (f"responses still in place after the shift: {kept[1][0]} of {kept[1][1]} in the feature map, "
               f"{kept[2][0]} of {kept[2][1]} after max pooling")
    alt = (f"A {X.shape[0]}×{X.shape[1]} image and a copy shifted right by {shift} pixel(s), each "
           f"cross-correlated with a {K.shape[0]}×{K.shape[1]} kernel and then max-pooled; changed cells of "
           f"the shifted copy are shaded red; {caption}.")
    return grid_figure(alt, grid, [["→", "→"]] * 2, caption)
