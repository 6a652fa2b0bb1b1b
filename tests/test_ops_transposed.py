"""cnnguide.ops.conv_transpose2d against torch: values, gradients, shapes, the adjoint identity, errors.

As in test_ops.py: float64, hypothesis draws the shapes (ints and pairs for
stride, padding and output padding) and a seed for the values.
"""

import re

import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given
from hypothesis import strategies as st
from torch import nn

from cnnguide.ops import conv2d, conv_output_size, conv_transpose2d, conv_transpose_output_size

F64 = torch.float64
TIGHT = dict(rtol=1e-10, atol=1e-10)
seeds = st.integers(0, 2**31 - 1)


def randn(seed, *shape, dtype=F64):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=g, dtype=dtype).requires_grad_()


def grads(output, inputs, seed):
    """Gradients of <output, G> for a random G, so every output entry matters."""
    g = torch.Generator().manual_seed(seed + 1)
    weight = torch.randn(output.shape, generator=g, dtype=output.dtype)
    return torch.autograd.grad((output * weight).sum(), inputs)


def pair(v):
    return (v, v) if isinstance(v, int) else v


def pair_or_int(low, high):
    return st.one_of(st.integers(low, high), st.tuples(st.integers(low, high), st.integers(low, high)))


@st.composite
def transposed_case(draw):
    n, c_in, c_out = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    H, W = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    kernel = draw(st.tuples(st.integers(1, 4), st.integers(1, 4)))
    stride = draw(pair_or_int(1, 3))
    padding = draw(pair_or_int(0, 2))
    (sh, sw) = pair(stride)
    # output_padding must stay below the stride, dimension by dimension.
    output_padding = draw(st.one_of(st.integers(0, min(sh, sw) - 1),
                                    st.tuples(st.integers(0, sh - 1), st.integers(0, sw - 1))))
    (ph, pw), (oph, opw) = pair(padding), pair(output_padding)
    assume((H - 1) * sh - 2 * ph + kernel[0] + oph >= 1)
    assume((W - 1) * sw - 2 * pw + kernel[1] + opw >= 1)
    return n, c_in, c_out, H, W, kernel, stride, padding, output_padding, draw(st.booleans())


@given(transposed_case(), seeds)
def test_conv_transpose2d_matches_torch(case, seed):
    n, c_in, c_out, H, W, (kh, kw), stride, padding, output_padding, use_bias = case
    X, K = randn(seed, n, c_in, H, W), randn(seed + 7, c_in, c_out, kh, kw)
    bias = randn(seed + 11, c_out) if use_bias else None
    inputs = (X, K) + ((bias,) if use_bias else ())
    ours = conv_transpose2d(X, K, stride, padding, output_padding, bias=bias)
    theirs = F.conv_transpose2d(X, K, bias, stride, padding, output_padding)
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    torch.testing.assert_close(ours, theirs, **TIGHT)
    for a, b in zip(grads(ours, inputs, seed), grads(theirs, inputs, seed)):
        torch.testing.assert_close(a, b, **TIGHT)
    (sh, sw), (ph, pw), (oph, opw) = pair(stride), pair(padding), pair(output_padding)
    assert ours.shape[-2:] == (conv_transpose_output_size(H, kh, ph, sh, oph),
                               conv_transpose_output_size(W, kw, pw, sw, opw))


@given(transposed_case(), seeds)
def test_conv_transpose2d_unbatched_matches_torch(case, seed):
    _, c_in, c_out, H, W, (kh, kw), stride, padding, output_padding, _ = case
    X, K = randn(seed, c_in, H, W), randn(seed + 7, c_in, c_out, kh, kw)
    ours = conv_transpose2d(X, K, stride, padding, output_padding)
    theirs = F.conv_transpose2d(X, K, None, stride, padding, output_padding)
    assert ours.shape == theirs.shape == (c_out, *theirs.shape[-2:])
    torch.testing.assert_close(ours, theirs, **TIGHT)
    for a, b in zip(grads(ours, (X, K), seed), grads(theirs, (X, K), seed)):
        torch.testing.assert_close(a, b, **TIGHT)


@given(transposed_case(), seeds)
def test_conv_transpose2d_is_the_adjoint_of_conv2d(case, seed):
    """<conv2d(x, K), y> == <x, conv_transpose2d(y, K)> with the same stride and padding."""
    n, c, o, H, W, (kh, kw), stride, padding, _, _ = case
    (sh, sw), (ph, pw) = pair(stride), pair(padding)
    assume(kh <= H + 2 * ph and kw <= W + 2 * pw)
    x, K = randn(seed, n, c, H, W).detach(), randn(seed + 7, o, c, kh, kw).detach()
    out_h, out_w = conv_output_size(H, kh, ph, sh), conv_output_size(W, kw, pw, sw)
    y = randn(seed + 3, n, o, out_h, out_w).detach()
    # A stride-s convolution drops the last (H + 2p - k) mod s rows; output_padding gives them back.
    output_padding = ((H + 2 * ph - kh) % sh, (W + 2 * pw - kw) % sw)
    back = conv_transpose2d(y, K, stride, padding, output_padding)
    assert back.shape == x.shape
    lhs = (conv2d(x, K, stride=stride, padding=padding) * y).sum()
    rhs = (x * back).sum()
    torch.testing.assert_close(lhs, rhs, **TIGHT)


@given(transposed_case(), seeds)
def test_conv_transpose2d_is_the_input_gradient_of_conv2d(case, seed):
    """Backpropagating y through conv2d gives conv_transpose2d(y, K): the reason for the name."""
    n, c, o, H, W, (kh, kw), stride, padding, _, _ = case
    (sh, sw), (ph, pw) = pair(stride), pair(padding)
    assume(kh <= H + 2 * ph and kw <= W + 2 * pw)
    x, K = randn(seed, n, c, H, W), randn(seed + 7, o, c, kh, kw).detach()
    Y = conv2d(x, K, stride=stride, padding=padding)
    y = randn(seed + 3, *Y.shape).detach()
    (grad,) = torch.autograd.grad(Y, x, y)
    output_padding = ((H + 2 * ph - kh) % sh, (W + 2 * pw - kw) % sw)
    torch.testing.assert_close(conv_transpose2d(y, K, stride, padding, output_padding), grad, **TIGHT)


def test_conv_transpose2d_float32_close_to_torch():
    X, K = randn(0, 2, 3, 4, 5, dtype=torch.float32), randn(1, 3, 2, 4, 4, dtype=torch.float32)
    ours = conv_transpose2d(X, K, stride=2, padding=1)
    torch.testing.assert_close(ours, F.conv_transpose2d(X, K, stride=2, padding=1), rtol=1e-4, atol=1e-5)


def test_conv_transpose2d_matches_nn_conv_transpose2d():
    torch.manual_seed(0)
    layer = nn.ConvTranspose2d(3, 2, 4, stride=2, padding=1, output_padding=1, dtype=F64)
    X = torch.randn(2, 3, 5, 5, dtype=F64)
    ours = conv_transpose2d(X, layer.weight, 2, 1, 1, bias=layer.bias)
    torch.testing.assert_close(ours, layer(X), **TIGHT)
    assert ours.shape == (2, 2, 11, 11)


def test_conv_transpose2d_worked_example():
    X = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
    Y = conv_transpose2d(X[None, None], X[None, None])[0, 0]
    assert torch.equal(Y, torch.tensor([[0.0, 0.0, 1.0], [0.0, 4.0, 6.0], [4.0, 12.0, 9.0]]))


def test_conv_transpose2d_empty_batch():
    X, K = torch.rand(0, 2, 3, 3), torch.rand(2, 4, 3, 3)
    assert conv_transpose2d(X, K, stride=2).shape == F.conv_transpose2d(X, K, stride=2).shape == (0, 4, 7, 7)


def test_conv_transpose2d_does_not_call_torch_convolution(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("torch convolution called")

    for name in ("conv2d", "conv_transpose2d", "convolution", "conv_transpose1d", "conv_transpose3d"):
        monkeypatch.setattr(torch.nn.functional, name, forbidden, raising=False)
        monkeypatch.setattr(torch, name, forbidden, raising=False)
    assert conv_transpose2d(torch.rand(2, 3, 4, 4), torch.rand(3, 5, 4, 4), 2, 1).shape == (2, 5, 8, 8)


@given(st.integers(1, 8), st.integers(1, 5), st.integers(0, 3), st.integers(1, 4), st.data())
def test_conv_transpose_output_size_matches_nn_conv_transpose2d(n, k, p, s, data):
    op = data.draw(st.integers(0, s - 1))
    expected = (n - 1) * s - 2 * p + k + op
    if expected < 1:
        with pytest.raises(ValueError, match="crops away the whole output"):
            conv_transpose_output_size(n, k, p, s, op)
        return
    layer = nn.ConvTranspose2d(1, 1, k, stride=s, padding=p, output_padding=op, bias=False)
    assert layer(torch.zeros(1, 1, n, n)).shape[-1] == conv_transpose_output_size(n, k, p, s, op) == expected


# --- errors: ValueError naming what was wrong, where torch raises too ---------------------------


def esc(text):
    return re.escape(text)


X1 = torch.rand(1, 2, 3, 3)
K1 = torch.rand(2, 1, 2, 2)


def test_output_padding_must_be_smaller_than_stride():
    with pytest.raises(ValueError, match=esc("got output_padding (2, 2) and stride (2, 2)")):
        conv_transpose2d(X1, K1, stride=2, output_padding=2)
    with pytest.raises(ValueError, match=esc("got output_padding (0, 1) and stride (1, 1)")):
        conv_transpose2d(X1, K1, output_padding=(0, 1))
    with pytest.raises(RuntimeError, match="output padding must be smaller"):
        F.conv_transpose2d(X1, K1, stride=2, output_padding=2)
    with pytest.raises(ValueError, match=esc("got output_padding (1, 1) and stride (1, 1)")):
        conv_transpose_output_size(3, 2, output_padding=1)


def test_padding_that_leaves_no_output():
    with pytest.raises(ValueError, match=esc("padding (3, 3) crops away the whole output: input of shape "
                                             "(1, 2, 3, 3), kernel of shape (2, 1, 2, 2)")):
        conv_transpose2d(X1, K1, padding=3)
    with pytest.raises(ValueError, match=esc("give a -2x4 output")):
        conv_transpose2d(X1, K1, padding=(3, 0))
    with pytest.raises(RuntimeError, match="Output size is too small"):
        F.conv_transpose2d(X1, K1, padding=3)
    with pytest.raises(ValueError, match=esc("(3 - 1)*1 - 2*3 + 2 + 0 = -2")):
        conv_transpose_output_size(3, 2, padding=3)


def test_negative_padding():
    with pytest.raises(ValueError, match=esc("padding must have entries >= 0, got (-1, -1)")):
        conv_transpose2d(X1, K1, padding=-1)
    with pytest.raises(RuntimeError, match="negative padding"):
        F.conv_transpose2d(X1, K1, padding=-1)
    with pytest.raises(ValueError, match="padding must be an integer >= 0, got -1"):
        conv_transpose_output_size(3, 2, padding=-1)


def test_channel_mismatch():
    with pytest.raises(ValueError, match=esc("channel mismatch: input of shape (1, 2, 3, 3) has 2 channels "
                                             "but kernel of shape (3, 1, 2, 2) expects 3")):
        conv_transpose2d(X1, torch.rand(3, 1, 2, 2))
    # The kernel's first dimension counts *input* channels (torch's layout), unlike conv2d's weight.
    with pytest.raises(ValueError, match=esc("kernel of shape (1, 2, 2, 2) expects 1")):
        conv_transpose2d(X1, torch.rand(1, 2, 2, 2))


def test_bad_tensors():
    with pytest.raises(ValueError, match=esc("X must be 3-D or 4-D, got a 2-D tensor of shape (3, 3)")):
        conv_transpose2d(torch.rand(3, 3), K1)
    with pytest.raises(ValueError, match=esc("K must be 4-D, got a 3-D tensor of shape (2, 2, 2)")):
        conv_transpose2d(X1, torch.rand(2, 2, 2))
    with pytest.raises(ValueError, match="X must be a floating-point tensor, got dtype torch.int64"):
        conv_transpose2d(torch.ones(1, 2, 3, 3, dtype=torch.long), K1)
    with pytest.raises(ValueError, match="X has dtype torch.float32 but K has dtype torch.float64"):
        conv_transpose2d(X1, K1.double())
    with pytest.raises(ValueError, match=esc("K must not have an empty dimension, got shape (2, 0, 2, 2)")):
        conv_transpose2d(X1, torch.rand(2, 0, 2, 2))
    with pytest.raises(ValueError, match=esc("X must not have an empty dimension, got shape (2, 0, 3)")):
        conv_transpose2d(torch.rand(2, 0, 3), K1)
    with pytest.raises(ValueError, match="X must be a torch.Tensor, got list"):
        conv_transpose2d([[1.0]], K1)


def test_bad_bias_stride_and_sizes():
    with pytest.raises(ValueError, match=esc("bias must have shape (1,) to match K of shape (2, 1, 2, 2), got (2,)")):
        conv_transpose2d(X1, K1, bias=torch.rand(2))
    with pytest.raises(ValueError, match="X has dtype torch.float32 but bias has dtype torch.float64"):
        conv_transpose2d(X1, K1, bias=torch.rand(1, dtype=F64))
    with pytest.raises(ValueError, match=esc("stride must have entries >= 1, got (0, 1)")):
        conv_transpose2d(X1, K1, stride=(0, 1))
    with pytest.raises(ValueError, match="output_padding must be an int or a pair of ints, got 0.5"):
        conv_transpose2d(X1, K1, output_padding=0.5)
    with pytest.raises(ValueError, match="n must be an integer >= 1, got 0"):
        conv_transpose_output_size(0, 2)
    with pytest.raises(ValueError, match="stride must be an integer >= 1, got True"):
        conv_transpose_output_size(3, 2, stride=True)
