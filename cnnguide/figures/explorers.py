"""Explorable figures: a convolution (or pooling) explorer and a live network, run in the reader's browser.

A chapter is executed once, at build time; these objects put into the page a
figure the reader can change. Each displays (its ``_repr_html_``) as a mount
point that the site's ES modules (``docs/javascripts/cnnguide/``) turn into an
interactive figure, with the settings in data attributes -- and inside it the
executed static figure for the same settings, which is what a reader without
JavaScript (or a notebook) sees.

- :func:`convolution_explorer` and :func:`pooling_explorer`: the reader sets
  input size, kernel size, padding, stride and dilation and watches the window
  slide, with the multiply-add of each output cell and PyTorch's output size;
- :func:`live_lenet`: the weights of a trained network (:func:`lenet_export`)
  embedded in the page, so the reader can draw an image and see every layer's
  feature maps and the class probabilities computed in the page.

The JavaScript side is documented on the site's *JavaScript API* reference page.
"""

from __future__ import annotations

import html
import json

import numpy as np
import torch
import torch.nn.functional as F

from cnnguide import ops

from ._grid import Panel, Region, as_matrix, format_number, grid_row, product_sum_text
from .convolution import cross_correlation_figure, padding_figure, stride_figure
from .live_network import LiveNetwork, live_lenet
from .network_export import lenet_export
from .pooling import pooling_figure

__all__ = [
    "Explorer", "LiveNetwork", "convolution_explorer", "pooling_explorer", "live_lenet", "lenet_export",
    "EXPLORER_LIMITS",
]

#: The range of every explorer setting, ``(lowest, highest)``: the sliders' ends.
#: Grids stay small enough to show a number in every cell.
EXPLORER_LIMITS = {
    "n": (1, 10),
    "kernel_size": (1, 7),
    "padding": (0, 4),
    "stride": (1, 4),
    "dilation": (1, 3),
}


def input_pattern(n: int) -> list[list[int]]:
    """The input an explorer shows when the reader picks a size the chapter gave no values for.

    It counts along the rows modulo 10, so a cell's value says where it is (3 × 3 is d2l's example).
    The page's JavaScript makes the same grid (``cnnguide.inputPattern``).

    >>> input_pattern(3)
    [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    """
    return [[(i * n + j) % 10 for j in range(n)] for i in range(n)]


def kernel_pattern(k: int) -> list[list[int]]:
    """The kernel shown for a size the chapter gave no values for: small integers, never all zero.

    >>> kernel_pattern(1), kernel_pattern(2)
    ([[1]], [[1, 2], [3, 0]])
    """
    return [[(a * k + b + 1) % 4 for b in range(k)] for a in range(k)]


def _setting(value, name: str) -> int:
    low, high = EXPLORER_LIMITS[name]
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer from {low} to {high} in an explorer, got {value!r}")
    return int(value)


def _square(values, name: str, size: int | None, size_name: str) -> list[list[float]]:
    if values is None:
        return None
    t = as_matrix(values, name)
    if t.shape[0] != t.shape[1]:
        raise ValueError(f"{name} must be square in an explorer, got shape {tuple(t.shape)}")
    if not torch.isfinite(t).all():
        raise ValueError(f"{name} must hold finite numbers")
    if size is not None and size != t.shape[0]:
        raise ValueError(f"{size_name}={size} contradicts {name} of shape {tuple(t.shape)}")
    _setting(t.shape[0], size_name)
    return [[float(v) for v in row] for row in t.tolist()]


def _json_attr(value) -> str:
    return html.escape(json.dumps(value, separators=(",", ":")), quote=True)


class Explorer:
    """An explorable figure: the mount point for the page's JavaScript, with a static figure inside.

    Made by :func:`convolution_explorer` and :func:`pooling_explorer`; shown
    by notebooks and by the site through :meth:`_repr_html_`.

    Attributes
    ----------
    kind : {"convolution", "pooling"}
    settings : dict
        ``n``, ``kernel_size``, ``padding``, ``stride``, ``dilation`` (and ``mode`` for pooling).
    input, kernel : list of lists of float, or None
        The values the chapter gave (``kernel`` is None for pooling).
    fallback : BookFigure
        The executed static figure for the same settings.
    """

    def __init__(self, kind: str, settings: dict, input, kernel, fallback):
        self.kind, self.settings, self.input, self.kernel, self.fallback = kind, settings, input, kernel, fallback

    def _repr_html_(self) -> str:
        attrs = {
            "class": "cnnguide-explorer",
            "data-cnnguide": self.kind,
            "data-settings": _json_attr(self.settings),
            "data-limits": _json_attr(EXPLORER_LIMITS),
            "data-search-exclude": "",
        }
        if self.input is not None:
            attrs["data-input"] = _json_attr(self.input)
        if self.kernel is not None:
            attrs["data-kernel"] = _json_attr(self.kernel)
        opening = " ".join(f'{k}="{v}"' if v else k for k, v in attrs.items())
        return (f"<div {opening}>\n<figure class=\"cnnguide-fallback\">{self.fallback._repr_html_()}"
                f"<figcaption>The static figure for these settings; with JavaScript, an explorer "
                f"replaces it.</figcaption></figure>\n</div>")

    def __repr__(self) -> str:
        return f"Explorer({self.kind!r}, {self.settings})"


def _size_caption(n, k, p, s, d) -> str:
    out = ops.conv_output_size(n, k, padding=p, stride=s, dilation=d)
    return f"output size ⌊({n} + 2·{p} − {d}·({k} − 1) − 1)/{s}⌋ + 1 = {out}"


def _window_figure(X, K, k, p, s, d, mode=None):
    """A static render for settings the older figures do not draw (dilation, padded pooling).

    The padded input with the taps of the first window, the kernel (convolution
    only) and the output computed by torch, which :mod:`cnnguide.ops` does not
    cover here (dilation), with the output size and the first cell written out.
    """
    n = X.shape[0]
    if mode is None:
        Y = F.conv2d(X[None, None], K[None, None], padding=p, stride=s, dilation=d)[0, 0]
    elif mode == "max":
        Y = F.max_pool2d(X[None, None], k, stride=s, padding=p, dilation=d)[0, 0]
    else:
        Y = ops.pool2d(X, k, mode="avg", stride=s, padding=p)
    Xp = F.pad(X, (p, p, p, p))
    muted = np.ones(Xp.shape, dtype=bool)
    muted[p : p + n, p : p + n] = False
    taps = [(a * d, b * d) for a in range(k) for b in range(k)]
    window = [float(Xp[r, c]) for r, c in taps]
    if mode is None:
        what = product_sum_text(np.reshape(window, (k, k)), K, Y[0, 0])
    elif mode == "max":  # max pooling pads with -inf: padding never wins
        inside = [v if not muted[r, c] else float("-inf") for v, (r, c) in zip(window, taps)]
        what = f"max({', '.join(format_number(v) if v > float('-inf') else '−∞' for v in inside)}) = " \
               f"{format_number(Y[0, 0])}"
    else:
        what = f"mean({', '.join(format_number(v) for v in window)}) = {format_number(Y[0, 0])}"
    caption = f"{_size_caption(n, k, p, s, d)};   first cell: {what}"
    name = "convolution" if mode is None else f"{mode} pooling"
    alt = (f"A {n}×{n} input padded by {p}, {name} with a {k}×{k} window, stride {s} and dilation {d}, "
           f"giving a {Y.shape[0]}×{Y.shape[1]} output; the taps of the first window are highlighted; {caption}.")
    input_panel = Panel(Xp, f"input, padding {p}", [Region(r, c) for r, c in taps], muted=muted)
    if mode is None:
        panels = [input_panel, Panel(K, "kernel", [Region(0, 0, k, k, color="tab:orange")]),
                  Panel(Y, "output", [Region(0, 0)])]
        return grid_row(alt, panels, ["⋆", "="], caption)
    return grid_row(alt, [input_panel, Panel(Y, f"{mode} pooling", [Region(0, 0)])], ["→"], caption)


def convolution_explorer(X=None, K=None, *, n=None, kernel_size=None, padding=0, stride=1, dilation=1):
    """An explorer of the sliding window: the reader changes every setting, the page recomputes.

    Parameters
    ----------
    X, K : square 2-D tensor or array-like, optional
        Input and kernel values to start with (shown while the reader keeps
        their size); by default :func:`input_pattern` and :func:`kernel_pattern`.
    n, kernel_size : int, optional
        Sizes to start with when ``X`` or ``K`` is not given (default 5 and 3).
    padding, stride, dilation : int
        Settings to start with. Every setting must lie in :data:`EXPLORER_LIMITS`.

    Returns
    -------
    Explorer
        Its static figure is the one the chapters already use for these
        settings (:func:`cross_correlation_figure`, :func:`padding_figure`,
        :func:`stride_figure`), or the first window drawn with its dilation.

    Raises
    ------
    ValueError
        On a setting out of range, a non-square input or kernel, or a kernel
        larger than the padded input (the message of :func:`cnnguide.ops.conv_output_size`).

    Examples
    --------
    >>> e = convolution_explorer(torch.arange(9.).reshape(3, 3), torch.arange(4.).reshape(2, 2))
    >>> e.settings
    {'n': 3, 'kernel_size': 2, 'padding': 0, 'stride': 1, 'dilation': 1}
    >>> e.fallback.get_supxlabel()
    '0×0 + 1×1 + 3×2 + 4×3 = 19'
    >>> 'data-cnnguide="convolution"' in e._repr_html_()
    True
    >>> convolution_explorer(n=3, kernel_size=3, dilation=2)
    Traceback (most recent call last):
    ...
    ValueError: kernel_size 3 with dilation 2 spans 5 pixels, more than the padded input n + 2*padding = 3 + 2*0 = 3
    """
    Xv, Kv = _square(X, "X", n, "n"), _square(K, "K", kernel_size, "kernel_size")
    settings = {
        "n": _setting(len(Xv) if Xv else (5 if n is None else n), "n"),
        "kernel_size": _setting(len(Kv) if Kv else (3 if kernel_size is None else kernel_size), "kernel_size"),
        "padding": _setting(padding, "padding"),
        "stride": _setting(stride, "stride"),
        "dilation": _setting(dilation, "dilation"),
    }
    n, k, p, s, d = settings.values()
    ops.conv_output_size(n, k, padding=p, stride=s, dilation=d)  # refuses a window that does not fit
    Xt = torch.tensor(Xv if Xv else input_pattern(n), dtype=torch.float32)
    Kt = torch.tensor(Kv if Kv else kernel_pattern(k), dtype=torch.float32)
    if d > 1:
        fallback = _window_figure(Xt, Kt, k, p, s, d)
    elif s > 1:
        fallback = stride_figure(Xt, Kt, stride=s, padding=p)
    elif p > 0:
        fallback = padding_figure(Xt, Kt, padding=p)
    else:
        fallback = cross_correlation_figure(Xt, Kt)
    return Explorer("convolution", settings, Xv, Kv, fallback)


def pooling_explorer(X=None, pool_size=2, *, n=None, mode="max", padding=0, stride=1, dilation=1):
    """An explorer of max and average pooling: window, padding, stride and dilation under the reader's control.

    Parameters
    ----------
    X : square 2-D tensor or array-like, optional
        Input values to start with; by default :func:`input_pattern` of size ``n`` (default 4).
    pool_size : int
        Window size.
    mode : {"max", "avg"}
        The pooling shown first; the reader can switch.
    padding, stride, dilation : int
        As in :func:`torch.nn.functional.max_pool2d` (stride defaults to 1, as
        in :func:`cnnguide.ops.pool2d`). PyTorch allows padding up to half the
        window, and dilation only for max pooling; so does the explorer.

    Returns
    -------
    Explorer
        With :func:`pooling_figure` as its static figure when there is no
        padding or dilation, otherwise the first window drawn.

    Examples
    --------
    >>> e = pooling_explorer(torch.arange(9.).reshape(3, 3))
    >>> e.settings
    {'n': 3, 'kernel_size': 2, 'padding': 0, 'stride': 1, 'dilation': 1, 'mode': 'max'}
    >>> e.fallback.get_supxlabel()
    'max(0, 1, 3, 4) = 4     mean(0, 1, 3, 4) = 2'
    >>> pooling_explorer(n=4, pool_size=2, padding=2)
    Traceback (most recent call last):
    ...
    ValueError: padding 2 is more than half of pool_size 2: PyTorch allows at most 1
    """
    Xv = _square(X, "X", n, "n")
    if mode not in ("max", "avg"):
        raise ValueError(f"mode must be 'max' or 'avg', got {mode!r}")
    settings = {
        "n": _setting(len(Xv) if Xv else (4 if n is None else n), "n"),
        "kernel_size": _setting(pool_size, "kernel_size"),
        "padding": _setting(padding, "padding"),
        "stride": _setting(stride, "stride"),
        "dilation": _setting(dilation, "dilation"),
        "mode": mode,
    }
    n, k, p, s, d = list(settings.values())[:5]
    if p > k // 2:
        raise ValueError(f"padding {p} is more than half of pool_size {k}: PyTorch allows at most {k // 2}")
    if mode == "avg" and d > 1:
        raise ValueError(f"average pooling has no dilation in PyTorch, got dilation={d}")
    ops.conv_output_size(n, k, padding=p, stride=s, dilation=d)
    Xt = torch.tensor(Xv if Xv else input_pattern(n), dtype=torch.float32)
    if p == 0 and d == 1:
        fallback = pooling_figure(Xt, pool_size=k, stride=s)
    else:
        fallback = _window_figure(Xt, None, k, p, s, d, mode=mode)
    return Explorer("pooling", settings, Xv, None, fallback)

