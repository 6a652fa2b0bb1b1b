"""Transposed convolution, the layer that makes feature maps larger.

A convolution maps a large input to a smaller output; a generator needs the
opposite. The *transposed* convolution runs a convolution's wiring backwards:
every input pixel scatters a copy of the kernel, scaled by the pixel's value,
onto the output, ``stride`` pixels apart, and overlapping copies add up. With
the same kernel, stride and padding it is exactly the adjoint (the transpose)
of :func:`~cnnguide.ops.conv2d`, which is what its name says and what gives
the gradient of a convolution with respect to its input.

- :func:`conv_transpose_output_size` -- ``(n - 1)·s - 2p + k + output_padding``;
- :func:`conv_transpose2d` -- batched, strided, padded, checked against
  :func:`torch.nn.functional.conv_transpose2d` (values and gradients).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from cnnguide.ops._checks import (
    as_pair,
    check_bias,
    check_floating,
    check_int,
    check_nonempty,
    check_tensor,
    shape_of,
)
from cnnguide.ops.correlation import _check_channels

__all__ = ["conv_transpose2d", "conv_transpose_output_size"]


def _check_output_padding(output_padding: tuple[int, int], stride: tuple[int, int]) -> None:
    # output_padding picks one of the `stride` input sizes that a strided convolution
    # maps to the same output size; a value >= stride would pick none (torch's rule,
    # "smaller than either stride or dilation", with dilation 1).
    if any(op >= s for op, s in zip(output_padding, stride)):
        raise ValueError(
            f"output_padding must be smaller than stride in each dimension, "
            f"got output_padding {output_padding} and stride {stride}"
        )


def _length(n: int, k: int, p: int, s: int, op: int) -> int:
    return (n - 1) * s - 2 * p + k + op


def conv_transpose_output_size(
    n: int, kernel_size: int, padding: int = 0, stride: int = 1, output_padding: int = 0
) -> int:
    """Output length of a transposed convolution along one dimension.

    .. math::

        (n - 1)\\,s - 2p + k + \\text{output\\_padding}

    The ``n`` scattered kernel copies start ``s`` pixels apart, so together
    they cover ``(n - 1) s + k`` pixels; ``padding`` then crops ``p`` from
    each side (undoing the padding of the convolution it transposes), and
    ``output_padding`` adds rows at the bottom (columns at the right). It is
    the inverse of :func:`~cnnguide.ops.conv_output_size`: a convolution
    with stride ``s`` maps ``s`` different input lengths to the same output
    length, and ``output_padding`` (``0 <= output_padding < s``) says which
    of them to give back. This is :class:`torch.nn.ConvTranspose2d`'s
    output shape (dilation 1), applied to height and width separately.

    Parameters
    ----------
    n : int
        Input length (height or width), ``>= 1``.
    kernel_size : int
        Kernel length, ``>= 1``.
    padding : int
        Pixels cropped from *each* side, ``>= 0``.
    stride : int
        Distance between the kernel copies, ``>= 1``.
    output_padding : int
        Extra pixels at the end, ``0 <= output_padding < stride``.

    Returns
    -------
    int
        The output length, at least 1.

    Raises
    ------
    ValueError
        If an argument is not an int (or is a bool), is out of range,
        ``output_padding >= stride``, or the padding leaves no output.

    Examples
    --------
    A 2x2 kernel on a 2x2 input, stride 1, gives 3x3; stride 2 places the
    copies side by side and doubles the size:

    >>> conv_transpose_output_size(2, 2), conv_transpose_output_size(2, 2, stride=2)
    (3, 4)

    DCGAN's upsampling layer (kernel 4, stride 2, padding 1) doubles a length
    exactly, undoing the convolution that halves it:

    >>> from cnnguide.ops import conv_output_size
    >>> conv_transpose_output_size(7, 4, padding=1, stride=2)
    14
    >>> conv_output_size(14, 4, padding=1, stride=2)
    7

    Stride 2 maps lengths 7 and 8 to the same 4; ``output_padding`` chooses:

    >>> conv_output_size(7, 3, padding=1, stride=2), conv_output_size(8, 3, padding=1, stride=2)
    (4, 4)
    >>> [conv_transpose_output_size(4, 3, 1, 2, op) for op in (0, 1)]
    [7, 8]
    >>> conv_transpose_output_size(4, 3, 1, 2, 2)
    Traceback (most recent call last):
        ...
    ValueError: output_padding must be smaller than stride in each dimension, got output_padding (2, 2) and stride (2, 2)
    """
    n = check_int(n, "n", 1)
    k = check_int(kernel_size, "kernel_size", 1)
    p = check_int(padding, "padding", 0)
    s = check_int(stride, "stride", 1)
    op = check_int(output_padding, "output_padding", 0)
    _check_output_padding((op, op), (s, s))
    out = _length(n, k, p, s, op)
    if out < 1:
        raise ValueError(
            f"padding {p} crops away the whole output: (n - 1)*stride - 2*padding + kernel_size "
            f"+ output_padding = ({n} - 1)*{s} - 2*{p} + {k} + {op} = {out}"
        )
    return out


def conv_transpose2d(
    X: torch.Tensor,
    K: torch.Tensor,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    output_padding: int | tuple[int, int] = 0,
    *,
    bias: torch.Tensor | None = None,
) -> torch.Tensor:
    """Batched 2-D transposed convolution, without torch's convolution operators.

    Computes the same values and gradients as
    ``torch.nn.functional.conv_transpose2d(X, K, bias, stride, padding, output_padding)``.
    Input pixel ``X[n, c, h, w]`` adds ``X[n, c, h, w] * K[c, o]`` to the
    ``kh x kw`` patch of output channel ``o`` whose top-left corner is
    ``(h * sh - ph, w * sw - pw)``; parts of a patch outside the output are
    dropped (that is what ``padding`` means here), and overlapping patches add up.

    Parameters
    ----------
    X : torch.Tensor
        Floating input of shape ``(N, C_in, H, W)``, or ``(C_in, H, W)`` for
        one image (as torch accepts).
    K : torch.Tensor
        Kernels of shape ``(C_in, C_out, kh, kw)`` -- torch's layout for
        transposed convolution, input channels first, so that the *same*
        tensor is a weight of :func:`~cnnguide.ops.conv2d` from ``C_out`` to
        ``C_in`` channels. Same dtype as ``X``.
    stride : int or (int, int)
        Distance between the kernel copies, ``>= 1``.
    padding : int or (int, int)
        Rows (columns) cropped from each side of the full output, ``>= 0``.
    output_padding : int or (int, int)
        Extra rows at the bottom (columns at the right), smaller than ``stride``.
    bias : torch.Tensor or None
        Shape ``(C_out,)``, added to every position of each output channel.

    Returns
    -------
    torch.Tensor
        Shape ``(N, C_out, H_out, W_out)`` (no ``N`` for a 3-D input) with
        ``H_out = (H - 1)*sh - 2*ph + kh + oph`` and likewise for ``W_out``
        (see :func:`conv_transpose_output_size`).

    Raises
    ------
    ValueError
        On a non-tensor, wrong rank, non-floating or mismatched dtypes, an
        empty dimension, a channel mismatch, a bias of the wrong shape, a
        negative padding, ``output_padding >= stride``, or padding that
        leaves an output of size ``< 1``.

    Examples
    --------
    A 2x2 input and a 2x2 kernel: four scaled copies of the kernel, shifted
    by one pixel each, add up to a 3x3 output.

    >>> X = torch.tensor([[0., 1.], [2., 3.]]).reshape(1, 1, 2, 2)
    >>> K = torch.tensor([[0., 1.], [2., 3.]]).reshape(1, 1, 2, 2)
    >>> conv_transpose2d(X, K)[0, 0]
    tensor([[ 0.,  0.,  1.],
            [ 0.,  4.,  6.],
            [ 4., 12.,  9.]])

    With stride 2 the copies no longer overlap; padding 1 crops the border:

    >>> conv_transpose2d(X, K, stride=2)[0, 0]
    tensor([[0., 0., 0., 1.],
            [0., 0., 2., 3.],
            [0., 2., 0., 3.],
            [4., 6., 6., 9.]])
    >>> conv_transpose2d(X, K, stride=2, padding=1)[0, 0]
    tensor([[0., 2.],
            [2., 0.]])
    >>> torch.equal(conv_transpose2d(X, K, 2, 1, 1), F.conv_transpose2d(X, K, None, 2, 1, 1))
    True

    It is the adjoint of :func:`~cnnguide.ops.conv2d` with the same kernel:
    ``<conv2d(x, K), y> == <x, conv_transpose2d(y, K)>``.

    >>> from cnnguide.ops import conv2d
    >>> x, y = torch.randn(1, 1, 5, 5, dtype=torch.float64), torch.randn(1, 1, 2, 2, dtype=torch.float64)
    >>> K = torch.randn(1, 1, 3, 3, dtype=torch.float64)
    >>> lhs = (conv2d(x, K, stride=2) * y).sum()
    >>> rhs = (x * conv_transpose2d(y, K, stride=2)).sum()
    >>> torch.allclose(lhs, rhs)
    True
    """
    check_tensor(X, "X", (3, 4))
    check_tensor(K, "K", (4,))
    check_floating(X, "X")
    check_floating(K, "K")
    if X.dtype != K.dtype:
        raise ValueError(f"X has dtype {X.dtype} but K has dtype {K.dtype}")
    check_nonempty(X, "X", range(X.dim() - 3, X.dim()))
    check_nonempty(K, "K", (0, 1, 2, 3))
    _check_channels(X, K, 0)
    _, out_channels, kh, kw = K.shape
    check_bias(bias, out_channels, X, "K", K)
    sh, sw = as_pair(stride, "stride", minimum=1)
    ph, pw = as_pair(padding, "padding", minimum=0)
    oph, opw = as_pair(output_padding, "output_padding", minimum=0)
    _check_output_padding((oph, opw), (sh, sw))
    H, W = X.shape[-2:]
    out_h, out_w = _length(H, kh, ph, sh, oph), _length(W, kw, pw, sw, opw)
    if out_h < 1 or out_w < 1:
        raise ValueError(
            f"padding {(ph, pw)} crops away the whole output: input of shape {shape_of(X)}, "
            f"kernel of shape {shape_of(K)}, stride {(sh, sw)} and output_padding {(oph, opw)} "
            f"give a {out_h}x{out_w} output"
        )
    batched = X.dim() == 4
    if not batched:
        X = X.unsqueeze(0)
    N = X.shape[0]
    # Why fold: conv2d is "cut out every window (unfold), then contract with the
    # kernel". Its transpose runs the same two steps backwards: contract every
    # input pixel with the kernel, giving one scaled kh x kw copy per pixel, then
    # add each copy back into its window (fold, the adjoint of unfold). Fold's
    # stride and padding are conv2d's, so the copies land s apart and the
    # `padding` border is cropped. Zero insertion would compute the same numbers
    # with a convolution over an input that is mostly zeros (s**2 times the work).
    copies = torch.einsum("nchw,coij->noijhw", X, K).reshape(N, out_channels * kh * kw, H * W)
    Y = F.fold(copies, (out_h, out_w), (kh, kw), padding=(ph, pw), stride=(sh, sw))
    if bias is not None:
        Y = Y + bias.reshape(1, out_channels, 1, 1)
    return Y if batched else Y.squeeze(0)
