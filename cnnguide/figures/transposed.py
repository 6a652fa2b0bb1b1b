"""Figures of the transposed convolution: scattered kernel copies, and the same result by zero insertion.

Every grid is computed: the kernel copies and the output by
:func:`cnnguide.ops.conv_transpose2d`, the zero-insertion result by
:func:`cnnguide.ops.conv2d`, and each figure checks that the two ways of
computing the output agree before drawing it.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from cnnguide import ops
from cnnguide.ops._checks import as_pair

from ._grid import Panel, Region, as_matrix, format_number, grid_figure, grid_row, pair_text

__all__ = ["transposed_conv_figure", "zero_insertion_figure"]

#: At most this many input elements, one kernel-copy panel each, fit in a row.
MAX_COPIES = 6


def _transposed(X, K, stride=(1, 1), padding=(0, 0)):
    """``conv_transpose2d`` of one 2-D input with one 2-D kernel."""
    return ops.conv_transpose2d(X[None, None], K[None, None], stride, padding)[0, 0]


def _check_same(Y, reference, what: str) -> None:
    # Raise rather than `assert`: the check must survive `python -O`.
    if Y.shape != reference.shape or not torch.allclose(Y, reference, rtol=1e-5, atol=1e-5):
        raise RuntimeError(f"{what} differs from conv_transpose2d: {Y.tolist()} vs {reference.tolist()}")


def _size_text(X, K, stride, padding) -> str:
    """The output-size formula with numbers, for height and (if different) width."""
    def one(d):
        n, k, s, p = X.shape[d], K.shape[d], stride[d], padding[d]
        return f"({n} − 1)·{s} − 2·{p} + {k} = {ops.conv_transpose_output_size(n, k, p, s)}"
    if (X.shape[0], K.shape[0], stride[0], padding[0]) == (X.shape[1], K.shape[1], stride[1], padding[1]):
        return f"output height = width = {one(0)}"
    return f"output height = {one(0)},   width = {one(1)}"


def transposed_conv_figure(X, K, stride=1):
    """Each input element scales a copy of the kernel; the copies, ``stride`` apart, add up to the output.

    Parameters
    ----------
    X, K : 2-D tensor or array-like
        Input (at most six elements: one panel per element) and kernel.
    stride : int or (int, int)
        Distance between neighbouring copies.

    Returns
    -------
    BookFigure
        First row: the input, each element outlined in its colour, and the
        kernel. Second row: for each element, the output-sized grid holding
        its scaled kernel copy (outlined in the same colour, the rest shaded),
        joined by ``+``, and their sum, which is checked to equal
        :func:`cnnguide.ops.conv_transpose2d`'s output. The caption is the
        output size from :func:`cnnguide.ops.conv_transpose_output_size`.

    Examples
    --------
    >>> X = torch.tensor([[0., 1.], [2., 3.]])
    >>> fig = transposed_conv_figure(X, torch.tensor([[0., 1.], [2., 3.]]))
    >>> fig.get_supxlabel()
    'output height = width = (2 − 1)·1 − 2·0 + 2 = 3'
    """
    X, K = as_matrix(X, "X"), as_matrix(K, "K")
    step = as_pair(stride, "stride", minimum=1)
    if X.numel() > MAX_COPIES:
        raise ValueError(f"X has {X.numel()} elements; the figure draws at most {MAX_COPIES} kernel copies")
    Y = _transposed(X, K, step)
    (h, w), copies, marks = K.shape, [], []
    for n, (i, j) in enumerate(np.ndindex(*X.shape)):
        color = f"C{n}"
        alone = torch.zeros_like(X)
        alone[i, j] = X[i, j]
        copy = _transposed(alone, K, step)  # the whole output of this one element
        footprint = np.ones(Y.shape, dtype=bool)
        footprint[i * step[0] : i * step[0] + h, j * step[1] : j * step[1] + w] = False
        copies.append(Panel(copy, f"{format_number(X[i, j])} × kernel",
                            [Region(i * step[0], j * step[1], h, w, color=color, filled=False)],
                            muted=footprint))
        marks.append(Region(i, j, color=color))
    _check_same(sum(p.values for p in copies), Y, "the sum of the kernel copies")
    slots = len(copies) + 1
    rows = [[Panel(X, "input", marks), Panel(K, "kernel")] + [None] * (slots - 2),
            copies + [Panel(Y, "output")]]
    operators = [[""] * (slots - 1), ["+"] * (len(copies) - 1) + ["="]]
    caption = _size_text(X, K, step, (0, 0))
    alt = (f"Transposed convolution of a {X.shape[0]}×{X.shape[1]} input with a {h}×{w} kernel, stride "
           f"{pair_text(step)}: each of the {X.numel()} input elements multiplies a copy of the kernel, "
           f"placed {pair_text(step)} cell(s) further for each step along the input, and the {X.numel()} "
           f"copies add up to the {Y.shape[0]}×{Y.shape[1]} output; {caption}.")
    return grid_figure(alt, rows, operators, caption)


def zero_insertion_figure(X, K, stride=2, padding=0):
    """The same output by an ordinary convolution: zeros between the inputs, a border, the kernel rotated.

    Inserting ``stride - 1`` zeros between neighbouring input elements,
    padding by ``kernel_size - 1 - padding`` zeros and cross-correlating
    with the kernel rotated by 180° gives :func:`cnnguide.ops.conv_transpose2d`'s
    output; the figure computes both and checks that they agree.

    Parameters
    ----------
    X, K : 2-D tensor or array-like
        Input and kernel.
    stride : int or (int, int)
        Stride of the transposed convolution: ``stride - 1`` zeros go between elements.
    padding : int or (int, int)
        Its padding, at most ``kernel_size - 1`` in each dimension (the border
        drawn is ``kernel_size - 1 - padding`` wide).

    Returns
    -------
    BookFigure
        The input, the zero-inserted and padded input (zeros shaded, the first
        window outlined), the rotated kernel, and the output, computed by
        :func:`cnnguide.ops.conv2d`; the caption is the output size.

    Examples
    --------
    >>> fig = zero_insertion_figure(torch.tensor([[0., 1.], [2., 3.]]), torch.tensor([[0., 1.], [2., 3.]]))
    >>> fig.get_supxlabel()
    'output height = width = (2 − 1)·2 − 2·0 + 2 = 4'
    """
    X, K = as_matrix(X, "X"), as_matrix(K, "K")
    (sh, sw), (ph, pw) = as_pair(stride, "stride", minimum=1), as_pair(padding, "padding", minimum=0)
    (H, W), (h, w) = X.shape, K.shape
    if ph > h - 1 or pw > w - 1:
        raise ValueError(f"padding {(ph, pw)} must be at most kernel_size - 1 = {(h - 1, w - 1)} "
                         f"for the zero-insertion picture")
    spread = torch.zeros((H - 1) * sh + 1, (W - 1) * sw + 1)
    spread[::sh, ::sw] = X
    border = (h - 1 - ph, w - 1 - pw)
    Xz = F.pad(spread, (border[1], border[1], border[0], border[0]))
    flipped = torch.flip(K, (0, 1))
    Y = ops.conv2d(Xz[None, None], flipped[None, None])[0, 0]
    _check_same(Y, _transposed(X, K, (sh, sw), (ph, pw)), "convolving the zero-inserted input")
    zeros = np.ones(Xz.shape, dtype=bool)
    zeros[border[0] : border[0] + spread.shape[0] : sh, border[1] : border[1] + spread.shape[1] : sw] = False
    caption = _size_text(X, K, (sh, sw), (ph, pw))
    alt = (f"A {H}×{W} input with {sh - 1} zero row(s) and {sw - 1} zero column(s) inserted between its "
           f"elements and a border of {pair_text(border)} zeros becomes {Xz.shape[0]}×{Xz.shape[1]}; "
           f"cross-correlating it with the {h}×{w} kernel rotated by 180° gives the {Y.shape[0]}×{Y.shape[1]} "
           f"output of the transposed convolution with stride {pair_text((sh, sw))} and padding "
           f"{pair_text((ph, pw))}; {caption}.")
    panels = [
        Panel(X, "input"),
        Panel(Xz, f"zeros inserted, border {pair_text(border)}", [Region(0, 0, h, w)], muted=zeros),
        Panel(flipped, "kernel rotated 180°", [Region(0, 0, h, w, color="tab:orange")]),
        Panel(Y, "output", [Region(0, 0)]),
    ]
    return grid_row(alt, panels, ["→", "⋆", "="], caption)
