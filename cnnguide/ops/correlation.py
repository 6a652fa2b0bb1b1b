"""Cross-correlation, the operation a convolutional layer actually computes.

Deep-learning "convolution" does not flip the kernel: it slides the kernel over
the input and, at every position, multiplies the overlapping entries and adds
them up. That is cross-correlation. Because the kernel is learned, the flip
would make no difference to what a network can represent, so every framework
computes the cheaper, unflipped version and still calls it convolution.

The functions build up in the order the book teaches them:

- :func:`corr2d` -- one channel, the sliding window written out as a loop;
- :func:`corr2d_multi_in` -- several input channels, summed;
- :func:`corr2d_multi_in_out` -- several output channels, stacked;
- :func:`corr2d_multi_in_out_1x1` -- the 1x1 case as one matrix product;
- :func:`conv2d` -- the batched, padded, strided operator, as fast as a
  matrix product and checked against :func:`torch.nn.functional.conv2d`;
- :class:`Conv2D` -- a learnable layer around :func:`corr2d`.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from cnnguide.ops._checks import (
    as_pair,
    check_bias,
    check_window_fits,
    check_floating,
    check_nonempty,
    check_real,
    check_tensor,
    shape_of,
)

__all__ = [
    "Conv2D",
    "conv2d",
    "corr2d",
    "corr2d_multi_in",
    "corr2d_multi_in_out",
    "corr2d_multi_in_out_1x1",
]


def _check_kernel_fits(X: torch.Tensor, K: torch.Tensor) -> None:
    """Raise unless the kernel's last two dimensions fit inside the input's."""
    (H, W), (h, w) = X.shape[-2:], K.shape[-2:]
    if h > H or w > W:
        raise ValueError(
            f"kernel of shape {shape_of(K)} is larger than input of shape {shape_of(X)}: "
            f"a {h}x{w} window does not fit in a {H}x{W} input"
        )


def _check_channels(X: torch.Tensor, K: torch.Tensor, k_dim: int) -> None:
    """Raise unless ``K.shape[k_dim]`` equals the input's channel count."""
    c_dim = X.dim() - 3
    if X.shape[c_dim] != K.shape[k_dim]:
        raise ValueError(
            f"channel mismatch: input of shape {shape_of(X)} has {X.shape[c_dim]} channels "
            f"but kernel of shape {shape_of(K)} expects {K.shape[k_dim]}"
        )


def corr2d(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """Two-dimensional cross-correlation of ``X`` with kernel ``K`` (no padding, stride 1).

    The output entry ``Y[i, j]`` is the sum of the elementwise product of ``K``
    with the window of ``X`` whose top-left corner is ``(i, j)``. For an
    ``H x W`` input and an ``h x w`` kernel there are ``(H - h + 1) x (W - w + 1)``
    such windows. The loop below is the definition, kept readable on purpose;
    :func:`conv2d` computes the same numbers fast.

    Parameters
    ----------
    X : torch.Tensor
        Input of shape ``(H, W)``.
    K : torch.Tensor
        Kernel of shape ``(h, w)`` with ``1 <= h <= H`` and ``1 <= w <= W``.

    Returns
    -------
    torch.Tensor
        Shape ``(H - h + 1, W - w + 1)``. Integer inputs are allowed (the
        blog's example uses them) and give an ``int64`` result, because
        ``Tensor.sum`` promotes integers to ``int64``; mixed dtypes follow
        torch's type promotion. The result is differentiable with respect to
        floating ``X`` and ``K`` through autograd.

    Raises
    ------
    ValueError
        If either argument is not a 2-D real tensor, or the kernel is empty or
        larger than the input.

    Examples
    --------
    The worked example: the top-left output is 0*0 + 1*1 + 3*2 + 4*3 = 19.

    >>> X = torch.arange(9).reshape(3, 3)
    >>> K = torch.arange(4).reshape(2, 2)
    >>> corr2d(X, K)
    tensor([[19, 25],
            [37, 43]])
    """
    check_tensor(X, "X", (2,))
    check_tensor(K, "K", (2,))
    check_real(X, "X")
    check_real(K, "K")
    check_nonempty(K, "K", (0, 1))
    _check_kernel_fits(X, K)
    h, w = K.shape
    out_h, out_w = X.shape[0] - h + 1, X.shape[1] - w + 1
    # torch.stack rather than writing into a preallocated tensor: no in-place
    # writes, so autograd sees plain slicing, multiplication and sums.
    rows = []
    for i in range(out_h):
        row = [(X[i : i + h, j : j + w] * K).sum() for j in range(out_w)]
        rows.append(torch.stack(row))
    return torch.stack(rows)


def corr2d_multi_in(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """Cross-correlate each input channel with its own kernel slice and add the results.

    Parameters
    ----------
    X : torch.Tensor
        Input of shape ``(C, H, W)``.
    K : torch.Tensor
        Kernel of shape ``(C, h, w)``, one ``h x w`` slice per input channel.

    Returns
    -------
    torch.Tensor
        Shape ``(H - h + 1, W - w + 1)``: one output channel, whatever ``C`` is.
        Wrong ranks, mismatched channel counts, no channels or a kernel larger
        than the input raise ``ValueError``.

    Examples
    --------
    Two channels; the second one's window sums add to the first one's.

    >>> X = torch.stack([torch.arange(9.).reshape(3, 3), torch.arange(1., 10.).reshape(3, 3)])
    >>> K = torch.stack([torch.arange(4.).reshape(2, 2), torch.arange(1., 5.).reshape(2, 2)])
    >>> corr2d_multi_in(X, K)
    tensor([[ 56.,  72.],
            [104., 120.]])
    """
    check_tensor(X, "X", (3,))
    check_tensor(K, "K", (3,))
    check_nonempty(K, "K", (0, 1, 2))
    _check_channels(X, K, 0)
    _check_kernel_fits(X, K)
    return sum(corr2d(x, k) for x, k in zip(X, K))


def corr2d_multi_in_out(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """Multi-input, multi-output cross-correlation: one :func:`corr2d_multi_in` per output channel.

    Parameters
    ----------
    X : torch.Tensor
        Input of shape ``(C, H, W)``.
    K : torch.Tensor
        Kernels of shape ``(O, C, h, w)``: ``O`` kernels, each spanning all
        ``C`` input channels.

    Returns
    -------
    torch.Tensor
        Shape ``(O, H - h + 1, W - w + 1)``. Wrong ranks, mismatched channel
        counts, an empty dimension in ``K`` or a kernel larger than the input
        raise ``ValueError``.

    Examples
    --------
    Stacking a kernel with itself plus one and plus two gives three output
    channels; each new one adds the window sums of all channels.

    >>> X = torch.stack([torch.arange(9.).reshape(3, 3), torch.arange(1., 10.).reshape(3, 3)])
    >>> K = torch.stack([torch.arange(4.).reshape(2, 2), torch.arange(1., 5.).reshape(2, 2)])
    >>> K = torch.stack([K, K + 1, K + 2])
    >>> corr2d_multi_in_out(X, K).shape
    torch.Size([3, 2, 2])
    >>> corr2d_multi_in_out(X, K)[:, 0, 0]
    tensor([56., 76., 96.])
    """
    check_tensor(X, "X", (3,))
    check_tensor(K, "K", (4,))
    check_nonempty(K, "K", (0, 1, 2, 3))
    _check_channels(X, K, 1)
    _check_kernel_fits(X, K)
    return torch.stack([corr2d_multi_in(X, k) for k in K])


def corr2d_multi_in_out_1x1(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """A 1x1 convolution computed as one matrix product.

    With a 1x1 window, every output pixel is a weighted sum of the ``C``
    input values *at the same pixel*: the kernel mixes channels and ignores
    neighbours. Flattening the ``H x W`` pixels into columns turns the whole
    layer into ``(O, C) @ (C, H*W)``, a fully connected layer applied at every
    pixel with shared weights.

    Parameters
    ----------
    X : torch.Tensor
        Input of shape ``(C, H, W)``.
    K : torch.Tensor
        Kernels of shape ``(O, C, 1, 1)``.

    Returns
    -------
    torch.Tensor
        Shape ``(O, H, W)``; equal to ``corr2d_multi_in_out(X, K)`` up to
        floating-point rounding. Mixed dtypes follow torch's type promotion.
        Wrong ranks, a kernel that is not 1x1, mismatched channel counts or an
        empty dimension raise ``ValueError``.

    Examples
    --------
    >>> X = torch.arange(18.).reshape(2, 3, 3)
    >>> K = torch.tensor([[1., 1.], [1., -1.]]).reshape(2, 2, 1, 1)
    >>> Y = corr2d_multi_in_out_1x1(X, K)
    >>> Y[0]
    tensor([[ 9., 11., 13.],
            [15., 17., 19.],
            [21., 23., 25.]])
    >>> Y[1]
    tensor([[-9., -9., -9.],
            [-9., -9., -9.],
            [-9., -9., -9.]])
    >>> torch.allclose(Y, corr2d_multi_in_out(X, K))
    True
    """
    check_tensor(X, "X", (3,))
    check_tensor(K, "K", (4,))
    check_real(X, "X")
    check_real(K, "K")
    if tuple(K.shape[-2:]) != (1, 1):
        raise ValueError(f"K must have shape (O, C, 1, 1), got {shape_of(K)}")
    check_nonempty(K, "K", (0, 1))
    _check_channels(X, K, 1)
    c, h, w = X.shape
    o = K.shape[0]
    # matmul wants one dtype; promote the way elementwise arithmetic would.
    dtype = torch.promote_types(X.dtype, K.dtype)
    Y = K.reshape(o, c).to(dtype) @ X.reshape(c, h * w).to(dtype)
    return Y.reshape(o, h, w)


def conv2d(
    X: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
) -> torch.Tensor:
    """Batched 2-D convolution (cross-correlation) with zero padding and stride.

    Computes the same values and gradients as
    ``torch.nn.functional.conv2d(X, weight, bias, stride, padding)`` without
    calling any torch convolution. The method is *im2col*: pad with zeros,
    view every ``kh x kw`` window as a column with ``Tensor.unfold`` (a
    strided view, so no copying yet), and contract the windows with the
    weights in one ``einsum``, which torch runs as a single batched matrix
    product. This is how the Python loop of :func:`corr2d` becomes fast: the
    loop over positions turns into the rows of a matrix, and matrix products
    are what CPUs and GPUs do best. Autograd differentiates through ``pad``,
    ``unfold`` and ``einsum``, so the gradients come for free.

    Parameters
    ----------
    X : torch.Tensor
        Floating input of shape ``(N, C, H, W)``.
    weight : torch.Tensor
        Kernels of shape ``(O, C, kh, kw)``, same dtype as ``X``.
    bias : torch.Tensor or None
        Shape ``(O,)``, added to every position of output channel ``o``.
    stride : int or (int, int)
        Step between windows, ``>= 1``; an int means the same in both directions.
    padding : int or (int, int)
        Zeros added on each side (top and bottom, left and right), ``>= 0``.

    Returns
    -------
    torch.Tensor
        Shape ``(N, O, H_out, W_out)`` with
        ``H_out = (H + 2*ph - kh) // sh + 1`` and likewise for ``W_out``
        (see :func:`cnnguide.ops.conv_output_size`).

    Raises
    ------
    ValueError
        On a non-tensor, wrong rank, non-floating or mismatched dtypes, a
        channel mismatch, a bias of the wrong shape, a bad stride or padding,
        or a kernel larger than the padded input.

    Examples
    --------
    The worked example, now batched and padded by one: the middle of the
    output is the unpadded result.

    >>> X = torch.arange(9.).reshape(1, 1, 3, 3)
    >>> K = torch.arange(4.).reshape(1, 1, 2, 2)
    >>> conv2d(X, K)
    tensor([[[[19., 25.],
              [37., 43.]]]])
    >>> conv2d(X, K, padding=1)[0, 0, 1:3, 1:3]
    tensor([[19., 25.],
            [37., 43.]])

    Stride and padding can differ between height and width; the result is
    torch's, computed without torch's convolution:

    >>> b = torch.tensor([1.])
    >>> conv2d(X, K, bias=b, stride=(2, 3), padding=1)
    tensor([[[[ 1.,  5.],
              [22., 17.]]]])
    >>> torch.equal(conv2d(X, K, b, (2, 3), 1), F.conv2d(X, K, b, (2, 3), 1))
    True
    """
    check_tensor(X, "X", (4,))
    check_tensor(weight, "weight", (4,))
    check_floating(X, "X")
    check_floating(weight, "weight")
    if X.dtype != weight.dtype:
        raise ValueError(f"X has dtype {X.dtype} but weight has dtype {weight.dtype}")
    check_nonempty(weight, "weight", (0, 1, 2, 3))
    _check_channels(X, weight, 1)
    out_channels, _, kh, kw = weight.shape
    check_bias(bias, out_channels, X, "weight", weight)
    sh, sw = as_pair(stride, "stride", minimum=1)
    ph, pw = as_pair(padding, "padding", minimum=0)
    check_window_fits(f"kernel of shape {shape_of(weight)}", X, (kh, kw), (ph, pw))
    # F.pad's tuple runs from the last dimension backwards: (left, right, top, bottom).
    padded = F.pad(X, (pw, pw, ph, ph))
    # unfold(dim, size, step) adds a trailing dimension of length `size` holding each
    # window: (N, C, H_out, W_out, kh, kw), still a view of `padded`.
    windows = padded.unfold(2, kh, sh).unfold(3, kw, sw)
    # Sum over input channel c and the window (i, j) for every output channel o:
    # exactly "multiply the window by the kernel and add up", for all windows at once.
    Y = torch.einsum("nchwij,ocij->nohw", windows, weight)
    if bias is not None:
        Y = Y + bias.reshape(1, out_channels, 1, 1)
    # F.conv2d returns a contiguous tensor; so do we, so .view() works downstream.
    return Y.contiguous()


class Conv2D(nn.Module):
    """A learnable single-channel convolutional layer built on :func:`corr2d`.

    Its parameters are a ``kernel_size`` weight, initialised uniformly in
    ``[0, 1)`` by :func:`torch.rand`, and a scalar bias initialised to zero.
    The forward pass is ``corr2d(X, weight) + bias`` on a 2-D input: slow,
    but every step is visible, and autograd still gives the gradients.

    Parameters
    ----------
    kernel_size : int or (int, int)
        Shape of the learnable kernel.

    Examples
    --------
    Learn the vertical-edge detector ``[[1, -1]]`` from an image and its edge map.
    The image is white with a black band; the target marks the band's edges.
    (With the bias and a summed loss, plain gradient descent diverges for
    learning rates above about 0.016 on this image, so we use 0.01.)

    >>> _ = torch.manual_seed(0)
    >>> X = torch.ones(6, 8)
    >>> X[:, 2:6] = 0
    >>> Y = corr2d(X, torch.tensor([[1.0, -1.0]]))
    >>> layer = Conv2D((1, 2))
    >>> optimizer = torch.optim.SGD(layer.parameters(), lr=0.01)
    >>> for step in range(60):
    ...     optimizer.zero_grad()
    ...     loss = ((layer(X) - Y) ** 2).sum()
    ...     loss.backward()
    ...     optimizer.step()
    >>> print(f"{loss.item():.6f}")
    0.0...
    >>> layer.weight.detach().round(decimals=2)
    tensor([[ 1.0000, -1.0000]])
    >>> abs(layer.bias.item()) < 0.01
    True
    """

    def __init__(self, kernel_size: int | tuple[int, int]) -> None:
        super().__init__()
        shape = as_pair(kernel_size, "kernel_size", minimum=1)
        self.weight = nn.Parameter(torch.rand(shape))
        # A 0-d parameter: one number added to every output position.
        self.bias = nn.Parameter(torch.zeros(()))

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        """Cross-correlate the 2-D input with the kernel and add the bias."""
        return corr2d(X, self.weight) + self.bias

    def extra_repr(self) -> str:
        return f"kernel_size={tuple(self.weight.shape)}"
