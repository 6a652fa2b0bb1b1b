"""Pooling: the sliding window of cross-correlation with a fixed summary instead of a kernel.

A pooling layer slides a window over each channel just as :func:`corr2d` does,
but instead of multiplying by learned weights it reports the window's maximum
(max pooling) or mean (average pooling). It has no parameters, and it works on
every channel separately, so the number of channels does not change.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from cnnguide.ops._checks import as_pair, check_floating, check_real, check_tensor, check_window_fits

__all__ = ["pool2d"]

_MODES = ("max", "avg")


def pool2d(
    X: torch.Tensor,
    pool_size: int | tuple[int, int],
    mode: str = "max",
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
) -> torch.Tensor:
    """Max or average pooling over the last two dimensions of ``X``.

    Matches :func:`torch.nn.functional.max_pool2d` and
    :func:`torch.nn.functional.avg_pool2d` (values and gradients) with the
    same ``kernel_size``, ``stride`` and ``padding``, with two differences in
    defaults and conventions worth knowing:

    - ``stride`` defaults to 1, as in the worked example, whereas torch's
      pooling functions default to a stride equal to the window;
    - padding is virtual: max pooling pads with minus infinity (so padding
      never wins a maximum) and average pooling pads with zeros that *count*
      towards the mean, torch's default ``count_include_pad=True``.

    Like torch, the padding may be at most half the window in each direction;
    more would create windows that see only padding.

    Parameters
    ----------
    X : torch.Tensor
        Input of shape ``(H, W)``, ``(C, H, W)`` or ``(N, C, H, W)``; every
        leading dimension is pooled separately.
    pool_size : int or (int, int)
        Window height and width, ``>= 1``.
    mode : {"max", "avg"}
        Which summary of each window to report.
    stride : int or (int, int)
        Step between windows, ``>= 1``.
    padding : int or (int, int)
        Virtual padding on each side, ``0 <= padding <= pool_size // 2``.

    Returns
    -------
    torch.Tensor
        Same leading dimensions, spatial size
        ``(H + 2*ph - kh) // sh + 1`` by ``(W + 2*pw - kw) // sw + 1``.
        Max pooling keeps the dtype (integers are allowed); average pooling
        needs a floating input, because an integer mean would have to be
        rounded silently.

    Raises
    ------
    ValueError
        On a non-tensor, a rank other than 2, 3 or 4, an unknown ``mode``, a
        bad window, stride or padding, or a window larger than the padded input.

    Examples
    --------
    The worked example: a 3x3 input and a 2x2 window with stride 1 give a 2x2 output.

    >>> X = torch.arange(9.).reshape(3, 3)
    >>> pool2d(X, 2)
    tensor([[4., 5.],
            [7., 8.]])
    >>> pool2d(X, 2, mode="avg")
    tensor([[2., 3.],
            [5., 6.]])

    Batched, with torch's usual "window = stride" setting and padding:

    >>> X = torch.arange(16.).reshape(1, 1, 4, 4)
    >>> pool2d(X, 3, stride=2, padding=1)
    tensor([[[[ 5.,  7.],
              [13., 15.]]]])
    """
    check_tensor(X, "X", (2, 3, 4))
    check_real(X, "X")
    if mode not in _MODES:
        raise ValueError(f"mode must be 'max' or 'avg', got {mode!r}")
    kh, kw = as_pair(pool_size, "pool_size", minimum=1)
    sh, sw = as_pair(stride, "stride", minimum=1)
    ph, pw = as_pair(padding, "padding", minimum=0)
    if ph > kh // 2 or pw > kw // 2:
        raise ValueError(
            f"padding {(ph, pw)} must be at most half of pool_size {(kh, kw)}, "
            f"i.e. at most {(kh // 2, kw // 2)}"
        )
    if mode == "avg":
        check_floating(X, "X (average pooling)")
    check_window_fits(f"pool_size {(kh, kw)}", X, (kh, kw), (ph, pw))
    if mode == "max":
        fill = -float("inf") if X.is_floating_point() else torch.iinfo(X.dtype).min
    else:
        fill = 0.0
    padded = F.pad(X, (pw, pw, ph, ph), value=fill) if ph or pw else X
    # (..., H_out, W_out, kh, kw): every window as a view, as in conv2d. The dims
    # are counted from the front because each unfold appends a new last dimension.
    rows, cols = X.dim() - 2, X.dim() - 1
    windows = padded.unfold(rows, kh, sh).unfold(cols, kw, sw)
    if mode == "avg":
        return windows.mean(dim=(-2, -1))
    # max(dim=...) sends the whole gradient to the first maximal entry of each
    # window, as max_pool2d does; amax would split it between ties.
    return windows.flatten(-2).max(dim=-1).values
