"""Figures of channels: summing over input channels, one kernel per output channel, and 1x1 convolution.

The per-channel maps come from :func:`cnnguide.ops.corr2d`, their sum from
:func:`cnnguide.ops.corr2d_multi_in`, the output channels from
:func:`cnnguide.ops.corr2d_multi_in_out` and the 1x1 case from
:func:`cnnguide.ops.corr2d_multi_in_out_1x1`.
"""

from __future__ import annotations

import torch

from cnnguide import ops

from ._grid import Panel, Region, check_drawable, check_position, format_number, grid_figure, product_sum_text

__all__ = ["multi_in_channel_figure", "multi_out_channel_figure", "one_by_one_figure"]

#: More channels than this make the figures too tall or wide to read.
MAX_CHANNELS = 4


def _as_tensor(values, name: str, ndim: int, what: str) -> torch.Tensor:
    t = torch.as_tensor(values).detach().to(torch.float32)
    if t.dim() != ndim:
        raise ValueError(f"{name} must be {ndim}-D {what}, got shape {tuple(t.shape)}")
    check_drawable(t.shape, name)
    for dim in range(ndim - 2):
        if t.shape[dim] > MAX_CHANNELS:
            raise ValueError(f"{name} has shape {tuple(t.shape)}: at most {MAX_CHANNELS} channels can be drawn")
    return t


def multi_in_channel_figure(X, K, position=(0, 0)):
    """Each input channel cross-correlated with its own kernel slice, and the sum of the results.

    Parameters
    ----------
    X : tensor or array-like of shape (C, H, W)
        The input, at most four channels.
    K : tensor or array-like of shape (C, h, w)
        One kernel slice per input channel.
    position : (int, int)
        Output entry whose windows are highlighted.

    Returns
    -------
    BookFigure
        One row per channel (``X[c] ⋆ K[c] = Y[c]``) and a last row with the sum
        :func:`cnnguide.ops.corr2d_multi_in` returns; the caption adds the
        per-channel values at ``position``.

    Examples
    --------
    >>> X = torch.stack([torch.arange(9.), torch.arange(1., 10.)]).reshape(2, 3, 3)
    >>> K = torch.stack([torch.arange(4.), torch.arange(1., 5.)]).reshape(2, 2, 2)
    >>> multi_in_channel_figure(X, K).get_supxlabel()
    'at row 0, column 0: 19 + 37 = 56'
    """
    X = _as_tensor(X, "X", 3, "(channels, height, width)")
    K = _as_tensor(K, "K", 3, "(channels, height, width)")
    total = ops.corr2d_multi_in(X, K)
    i, j = check_position(position, total.shape)
    h, w = K.shape[1:]
    rows, parts = [], []
    for c in range(X.shape[0]):
        Y = ops.corr2d(X[c], K[c])
        parts.append(Y[i, j])
        rows.append([Panel(X[c], f"input channel {c}", [Region(i, j, h, w)]),
                     Panel(K[c], f"kernel channel {c}", [Region(0, 0, h, w, color="tab:orange")]),
                     Panel(Y, f"channel {c} result", [Region(i, j)])])
    rows.append([None, None, Panel(total, "sum over channels", [Region(i, j, color="tab:red")])])
    operators = [["⋆", "="]] * X.shape[0] + [["", "Σ"]]
    terms = " + ".join(format_number(v) for v in parts)
    caption = f"at row {i}, column {j}: {terms} = {format_number(total[i, j])}"
    alt = (f"A {X.shape[0]}-channel input cross-correlated channel by channel with a "
           f"{K.shape[0]}×{h}×{w} kernel; "
           f"the per-channel results add up to one {total.shape[0]}×{total.shape[1]} output ({caption}).")
    return grid_figure(alt, rows, operators, caption)


def multi_out_channel_figure(X, K):
    """The input channels, and for each output channel its own stack of kernel slices and its output.

    Parameters
    ----------
    X : tensor or array-like of shape (C, H, W)
        The input, at most four channels.
    K : tensor or array-like of shape (O, C, h, w)
        One ``C x h x w`` kernel per output channel, at most four.

    Returns
    -------
    BookFigure
        The first row shows the input channels; row ``o + 1`` shows ``K[o]``'s
        slices and output channel ``o`` from :func:`cnnguide.ops.corr2d_multi_in_out`.

    Examples
    --------
    >>> fig = multi_out_channel_figure(torch.ones(2, 3, 3), torch.ones(3, 2, 2, 2))
    >>> fig.get_supxlabel()
    'weights of shape (3, 2, 2, 2): 3 output channels, each summing 2 input channels'
    """
    X = _as_tensor(X, "X", 3, "(channels, height, width)")
    K = _as_tensor(K, "K", 4, "(out_channels, in_channels, height, width)")
    Y = ops.corr2d_multi_in_out(X, K)
    C, O = X.shape[0], K.shape[0]
    rows = [[Panel(X[c], f"input channel {c}") for c in range(C)] + [None]]
    for o in range(O):
        color = f"C{o + 1}"
        kernels = [Panel(K[o, c], f"K[{o}, {c}]", [Region(0, 0, *K.shape[2:], color=color, filled=False)])
                   for c in range(C)]
        output = Panel(Y[o], f"output channel {o}", [Region(0, 0, *Y.shape[1:], color=color, filled=False)])
        rows.append(kernels + [output])
    operators = [[""] * C] + [[""] * (C - 1) + ["→"]] * O
    caption = (f"weights of shape {tuple(K.shape)}: {O} output channels, each summing {C} input channel"
               f"{'s' if C > 1 else ''}")
    alt = (f"A {C}-channel input and {O} kernels of shape {C}×{K.shape[2]}×{K.shape[3]}, one per row; "
           f"each kernel "
           f"gives one {Y.shape[1]}×{Y.shape[2]} output channel, so the output has {O} channels.")
    return grid_figure(alt, rows, operators, caption)


def one_by_one_figure(X, K, position=(0, 0)):
    """A 1x1 convolution as a weighted sum of the channels at each pixel.

    Parameters
    ----------
    X : tensor or array-like of shape (C, H, W)
        The input, at most four channels.
    K : tensor or array-like of shape (O, C, 1, 1)
        The 1x1 kernels, at most four output channels.
    position : (int, int)
        The pixel to highlight in every channel.

    Returns
    -------
    BookFigure
        The input channels, the ``O x C`` weight matrix, and the output channels
        from :func:`cnnguide.ops.corr2d_multi_in_out_1x1`; the caption writes out
        each output value at ``position``.

    Examples
    --------
    >>> X = torch.arange(18.).reshape(2, 3, 3)
    >>> K = torch.tensor([[1., 1.], [1., -1.]]).reshape(2, 2, 1, 1)
    >>> print(one_by_one_figure(X, K).get_supxlabel())
    out[0] = 0×1 + 9×1 = 9
    out[1] = 0×1 + 9×(−1) = −9
    """
    X = _as_tensor(X, "X", 3, "(channels, height, width)")
    K = _as_tensor(K, "K", 4, "(out_channels, in_channels, 1, 1)")
    if tuple(K.shape[2:]) != (1, 1):
        raise ValueError(f"K must have shape (O, C, 1, 1), got {tuple(K.shape)}")
    Y = ops.corr2d_multi_in_out_1x1(X, K)
    i, j = check_position(position, Y.shape[1:])
    C, O = X.shape[0], K.shape[0]
    W = K[:, :, 0, 0]
    pixel = [Region(i, j)]
    panels = ([Panel(X[c], f"input {c}", pixel) for c in range(C)]
              + [Panel(W, f"weights {O}×{C}", [Region(0, 0, O, C, color="tab:orange", filled=False)])]
              + [Panel(Y[o], f"output {o}", [Region(i, j, color="tab:red")]) for o in range(O)])
    operators = [""] * (C - 1) + ["→", "→"] + [""] * (O - 1)
    caption = "\n".join(f"out[{o}] = " + product_sum_text(X[:, i, j], W[o], Y[o, i, j]) for o in range(O))
    alt = (f"A 1×1 convolution of a {C}-channel input with a weight matrix of shape {O}×{C}: each output "
           f"pixel is a weighted "
           f"sum of the {C} input values at the same pixel ({'; '.join(caption.splitlines())}).")
    return grid_figure(alt, [panels], [operators], caption)
