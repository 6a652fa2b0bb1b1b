"""Figures of the sliding window: cross-correlation, padding, stride, and its animation.

Every number on these figures is computed by :mod:`cnnguide.ops` -- the
output grids, the product sum written under the window, the output sizes --
so a figure cannot disagree with the library it illustrates. The channel
figures live in :mod:`cnnguide.figures.channels`, the pooling figures in
:mod:`cnnguide.figures.pooling`.
"""

from __future__ import annotations

import base64
import html
import io
import os

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from cnnguide import ops
from cnnguide.ops._checks import as_pair

from ._grid import Panel, Region, as_matrix, check_position, pair_text, grid_row, product_sum_text

__all__ = [
    "cross_correlation_figure",
    "padding_figure",
    "stride_figure",
    "sliding_window_animation",
    "GifAnimation",
]

#: Colours of successive windows in the stride figure (matplotlib's tab10).
WINDOW_COLORS = [f"C{k}" for k in range(10)]
#: The largest number of frames an animation may have; keeps the GIFs small.
MAX_FRAMES = 49


def _size_text(n: int, k: int, p: int, s: int) -> str:
    """The output-size formula with numbers, e.g. ``⌊(3 + 2·1 − 2)/1⌋ + 1 = 4``."""
    out = ops.conv_output_size(n, k, padding=p, stride=s)
    return f"⌊({n} + 2·{p} − {k})/{s}⌋ + 1 = {out}"


def _sizes_caption(X, K, padding, stride) -> str:
    (ph, pw), (sh, sw) = padding, stride
    height = _size_text(X.shape[0], K.shape[0], ph, sh)
    if (X.shape[1], K.shape[1], pw, sw) == (X.shape[0], K.shape[0], ph, sh):
        return f"output height = width = {height}"
    return f"output height = {height},   width = {_size_text(X.shape[1], K.shape[1], pw, sw)}"


def _convolve(X, K, padding, stride):
    """``X`` padded by ``padding``, and ``conv2d`` of it with ``K`` (both 2-D)."""
    (ph, pw) = padding
    Y = ops.conv2d(X[None, None], K[None, None], padding=padding, stride=stride)[0, 0]
    return F.pad(X, (pw, pw, ph, ph)), Y


def _padding_mask(shape, padding):
    (H, W), (ph, pw) = shape, padding
    muted = np.ones((H + 2 * ph, W + 2 * pw), dtype=bool)
    muted[ph : ph + H, pw : pw + W] = False
    return muted


def cross_correlation_figure(X, K, position=(0, 0)):
    """Input, kernel and output of a cross-correlation, with one window and its sum written out.

    Parameters
    ----------
    X, K : 2-D tensor or array-like
        Input and kernel (at most 16 rows and columns each, so numbers fit).
    position : (int, int)
        Output entry whose window is highlighted.

    Returns
    -------
    BookFigure
        Three grids joined by ``⋆`` and ``=``; the caption is the product sum,
        e.g. ``0×0 + 1×1 + 3×2 + 4×3 = 19``, ending in the value
        :func:`cnnguide.ops.corr2d` returned.

    Examples
    --------
    >>> fig = cross_correlation_figure(torch.arange(9.).reshape(3, 3), torch.arange(4.).reshape(2, 2))
    >>> fig.get_supxlabel()
    '0×0 + 1×1 + 3×2 + 4×3 = 19'
    """
    X, K = as_matrix(X, "X"), as_matrix(K, "K")
    Y = ops.corr2d(X, K)
    i, j = check_position(position, Y.shape)
    h, w = K.shape
    caption = product_sum_text(X[i : i + h, j : j + w], K, Y[i, j])
    alt = (f"Cross-correlation of a {X.shape[0]}×{X.shape[1]} input with a {h}×{w} kernel giving a "
           f"{Y.shape[0]}×{Y.shape[1]} output; the window for output row {i}, column {j} is highlighted: "
           f"{caption}.")
    panels = [
        Panel(X, "input", [Region(i, j, h, w)]),
        Panel(K, "kernel", [Region(0, 0, h, w, color="tab:orange")]),
        Panel(Y, "output", [Region(i, j)]),
    ]
    return grid_row(alt, panels, ["⋆", "="], caption)


def padding_figure(X, K, padding=1):
    """The input inside its border of zeros, the kernel, and the larger output that padding gives.

    Parameters
    ----------
    X, K : 2-D tensor or array-like
        Input and kernel.
    padding : int or (int, int)
        Rows of zeros added at top and bottom, columns at left and right.

    Returns
    -------
    BookFigure
        The padded input (the border shaded) with the first window, the kernel,
        :func:`cnnguide.ops.conv2d`'s output, and the output-size formula as caption.

    Examples
    --------
    >>> fig = padding_figure(torch.arange(9.).reshape(3, 3), torch.arange(4.).reshape(2, 2))
    >>> fig.get_supxlabel()
    'output height = width = ⌊(3 + 2·1 − 2)/1⌋ + 1 = 4'
    """
    X, K = as_matrix(X, "X"), as_matrix(K, "K")
    pad = as_pair(padding, "padding", minimum=0)
    Xp, Y = _convolve(X, K, pad, (1, 1))
    h, w = K.shape
    caption = _sizes_caption(X, K, pad, (1, 1))
    alt = (f"A {X.shape[0]}×{X.shape[1]} input padded with zeros ({pad[0]} row(s) above and below, "
           f"{pad[1]} column(s) left and right), "
           f"cross-correlated with a {h}×{w} kernel, gives a {Y.shape[0]}×{Y.shape[1]} output; {caption}.")
    panels = [
        Panel(Xp, f"input, padding {pair_text(pad)}", [Region(0, 0, h, w)],
              muted=_padding_mask(X.shape, pad)),
        Panel(K, "kernel", [Region(0, 0, h, w, color="tab:orange")]),
        Panel(Y, "output", [Region(0, 0)]),
    ]
    return grid_row(alt, panels, ["⋆", "="], caption)


def stride_figure(X, K, stride=2, padding=0):
    """Every window a strided cross-correlation visits, each in its own colour, and the output.

    Parameters
    ----------
    X, K : 2-D tensor or array-like
        Input and kernel.
    stride : int or (int, int)
        Step between windows, down and across.
    padding : int or (int, int)
        Zero padding, shaded in the input grid.

    Returns
    -------
    BookFigure
        Window ``n`` is outlined in the input in the colour of output cell ``n``;
        the caption gives the output size from :func:`cnnguide.ops.conv_output_size`.

    Examples
    --------
    >>> X, K = torch.arange(9.).reshape(3, 3), torch.arange(4.).reshape(2, 2)
    >>> fig = stride_figure(X, K, stride=(3, 2), padding=1)
    >>> fig.get_supxlabel()
    'output height = ⌊(3 + 2·1 − 2)/3⌋ + 1 = 2,   width = ⌊(3 + 2·1 − 2)/2⌋ + 1 = 2'
    """
    X, K = as_matrix(X, "X"), as_matrix(K, "K")
    pad, step = as_pair(padding, "padding", minimum=0), as_pair(stride, "stride", minimum=1)
    Xp, Y = _convolve(X, K, pad, step)
    h, w = K.shape
    windows, outputs = [], []
    for n, (i, j) in enumerate(np.ndindex(*Y.shape)):
        color = WINDOW_COLORS[n % len(WINDOW_COLORS)]
        # Overlapping windows share edges; insetting them by different amounts keeps each outline visible.
        windows.append(Region(i * step[0], j * step[1], h, w, color=color, filled=False,
                              inset=0.06 + 0.08 * (n % 3), linewidth=2))
        outputs.append(Region(i, j, color=color))
    caption = _sizes_caption(X, K, pad, step)
    alt = (f"With stride {pair_text(step)} and padding {pair_text(pad)}, a {h}×{w} kernel visits "
           f"{len(windows)} windows of the "
           f"{X.shape[0]}×{X.shape[1]} input, outlined in the colours of the {Y.shape[0]}×{Y.shape[1]} "
           f"output cells they produce; {caption}.")
    title = f"input, stride {pair_text(step)}"
    if any(pad):
        title += f", padding {pair_text(pad)}"
    panels = [
        Panel(Xp, title, windows, muted=_padding_mask(X.shape, pad)),
        Panel(K, "kernel", [Region(0, 0, h, w, color="gray", filled=False)]),
        Panel(Y, "output", outputs),
    ]
    return grid_row(alt, panels, ["⋆", "="], caption)


class GifAnimation:
    """An animated GIF saved on disk that a notebook displays inline.

    nbconvert (and so the site) cannot render ``image/gif`` outputs, so the GIF
    is embedded in an HTML ``<img>`` with a base64 ``data:`` URL and the alt text.

    Attributes
    ----------
    path : str
        Where the GIF file is.
    alt : str
        What it shows.
    n_frames : int
        Number of frames.
    """

    def __init__(self, path, alt: str, n_frames: int):
        self.path, self.alt, self.n_frames = os.fspath(path), alt, n_frames

    def _repr_html_(self) -> str:
        with open(self.path, "rb") as f:
            data = base64.b64encode(f.read()).decode("ascii")
        alt = html.escape(self.alt, quote=True)
        return f'<img class="cnnguide-figure" alt="{alt}" src="data:image/gif;base64,{data}">'

    def __repr__(self) -> str:
        return f"GifAnimation({self.path!r}, {self.n_frames} frames)"


def _frame(fig, dpi: float) -> Image.Image:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    # A 32-colour palette is plenty for black digits on white and four highlight colours.
    return Image.open(buf).convert("RGB").quantize(colors=32, method=Image.Quantize.MEDIANCUT)


def sliding_window_animation(X, K, path, padding=0, stride=1, *, seconds_per_frame=0.8, dpi=80):
    """Write a GIF of the window sliding over ``X``, filling in the output one cell per frame.

    Parameters
    ----------
    X, K : 2-D tensor or array-like
        Input and kernel.
    path : str or os.PathLike
        Where to write the GIF; must end in ``.gif`` and its folder must exist.
    padding, stride : int or (int, int)
        As in :func:`cnnguide.ops.conv2d`.
    seconds_per_frame : float
        Display time of each frame (the last one is held three times as long).
    dpi : float
        Resolution of the frames; 80 keeps a 16-frame GIF well under 300 KB.

    Returns
    -------
    GifAnimation
        Displays inline in a notebook.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     X, K = torch.arange(9.).reshape(3, 3), torch.ones(2, 2)
    ...     gif = sliding_window_animation(X, K, pathlib.Path(tmp) / "w.gif")
    ...     gif.n_frames
    4
    """
    X, K = as_matrix(X, "X"), as_matrix(K, "K")
    pad, step = as_pair(padding, "padding", minimum=0), as_pair(stride, "stride", minimum=1)
    path = os.fspath(path)
    if not path.lower().endswith(".gif"):
        raise ValueError(f"path must end in .gif, got {path!r}")
    if not os.path.isdir(os.path.dirname(os.path.abspath(path))):
        raise ValueError(f"the folder of {path!r} does not exist")
    if not seconds_per_frame > 0:
        raise ValueError(f"seconds_per_frame must be positive, got {seconds_per_frame!r}")
    Xp, Y = _convolve(X, K, pad, step)
    if Y.numel() > MAX_FRAMES:
        raise ValueError(
            f"the output has {Y.numel()} cells; an animation shows at most {MAX_FRAMES} (one per frame)"
        )
    h, w = K.shape
    muted = _padding_mask(X.shape, pad)
    frames = []
    for n, (i, j) in enumerate(np.ndindex(*Y.shape)):
        hidden = np.arange(Y.numel()).reshape(Y.shape) > n
        window = Xp[i * step[0] : i * step[0] + h, j * step[1] : j * step[1] + w]
        panels = [
            Panel(Xp, f"input, padding {pair_text(pad)}, stride {pair_text(step)}",
                  [Region(i * step[0], j * step[1], h, w)], muted=muted),
            Panel(K, "kernel", [Region(0, 0, h, w, color="tab:orange")]),
            Panel(Y, "output", [Region(i, j)], hidden=hidden),
        ]
        caption = product_sum_text(window, K, Y[i, j])
        fig = grid_row("One frame of the sliding window.", panels, ["⋆", "="], caption)
        frames.append(_frame(fig, dpi))
    durations = [int(1000 * seconds_per_frame)] * (len(frames) - 1) + [int(3000 * seconds_per_frame)]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=durations, loop=0, optimize=True)
    alt = (f"Animation: a {h}×{w} kernel slides over a {X.shape[0]}×{X.shape[1]} input with padding "
           f"{pair_text(pad)} and stride {pair_text(step)}, filling in the {Y.shape[0]}×{Y.shape[1]} output "
           f"one cell per frame.")
    return GifAnimation(path, alt, len(frames))

