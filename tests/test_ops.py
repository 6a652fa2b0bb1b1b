"""cnnguide.ops against torch.nn.functional: values and gradients on random shapes.

Every from-scratch operator is compared with the torch function that computes
the same thing, in float64 so the tolerances can be tight. Hypothesis draws the
shapes (batch, channels, height, width, kernel, stride, padding as ints and as
pairs) and a seed for the tensor values.
"""


import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from cnnguide.ops import (
    Conv2D,
    conv2d,
    conv_output_size,
    conv_param_count,
    corr2d,
    corr2d_multi_in,
    corr2d_multi_in_out,
    corr2d_multi_in_out_1x1,
    dense_param_count,
    pool2d,
    receptive_field,
)

F64 = torch.float64
TIGHT = dict(rtol=1e-10, atol=1e-10)

seeds = st.integers(0, 2**31 - 1)


def randn(seed, *shape, dtype=F64):
    """A reproducible tensor that requires grad."""
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=g, dtype=dtype).requires_grad_()


def grads(output, inputs, seed):
    """Gradients of <output, G> for a random G, so every output entry matters."""
    g = torch.Generator().manual_seed(seed + 1)
    weight = torch.randn(output.shape, generator=g, dtype=output.dtype)
    return torch.autograd.grad((output * weight).sum(), inputs)


def assert_same(ours, theirs, inputs, seed, **tol):
    tol = tol or TIGHT
    assert ours.shape == theirs.shape
    assert ours.dtype == theirs.dtype
    torch.testing.assert_close(ours, theirs, **tol)
    for a, b in zip(grads(ours, inputs, seed), grads(theirs, inputs, seed)):
        torch.testing.assert_close(a, b, **tol)


def pair_or_int(low, high):
    """An int or an (int, int) pair, as the operators accept."""
    return st.one_of(st.integers(low, high), st.tuples(st.integers(low, high), st.integers(low, high)))


def as_pair(v):
    return (v, v) if isinstance(v, int) else v


# --- single-image cross-correlation -------------------------------------------------------


@st.composite
def image_and_kernel(draw, max_side=6):
    h, w = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    H, W = draw(st.integers(h, max_side)), draw(st.integers(w, max_side))
    return H, W, h, w


def test_corr2d_worked_example():
    X = torch.arange(9).reshape(3, 3)
    K = torch.arange(4).reshape(2, 2)
    Y = corr2d(X, K)
    assert Y.tolist() == [[19, 25], [37, 43]]
    assert Y.dtype == torch.int64
    # The top-left entry is the sum of the elementwise product of the first window.
    assert Y[0, 0].item() == 0 * 0 + 1 * 1 + 3 * 2 + 4 * 3


@given(image_and_kernel(), seeds)
def test_corr2d_matches_torch(shape, seed):
    H, W, h, w = shape
    X, K = randn(seed, H, W), randn(seed + 7, h, w)
    ours = corr2d(X, K)
    theirs = F.conv2d(X[None, None], K[None, None])[0, 0]
    assert_same(ours, theirs, (X, K), seed)


def test_corr2d_integer_matches_float():
    g = torch.Generator().manual_seed(3)
    X = torch.randint(-5, 6, (5, 6), generator=g)
    K = torch.randint(-3, 4, (2, 3), generator=g)
    assert torch.equal(corr2d(X, K).double(), corr2d(X.double(), K.double()))


def test_corr2d_kernel_same_size_as_input_is_a_dot_product():
    X, K = torch.arange(6.).reshape(2, 3), torch.ones(2, 3)
    assert corr2d(X, K).tolist() == [[15.0]]


@given(image_and_kernel(max_side=5), st.integers(1, 3), seeds)
def test_corr2d_multi_in_matches_torch(shape, channels, seed):
    H, W, h, w = shape
    X, K = randn(seed, channels, H, W), randn(seed + 7, channels, h, w)
    ours = corr2d_multi_in(X, K)
    theirs = F.conv2d(X[None], K[None])[0, 0]
    assert_same(ours, theirs, (X, K), seed)


@given(image_and_kernel(max_side=5), st.integers(1, 3), st.integers(1, 3), seeds)
def test_corr2d_multi_in_out_matches_torch(shape, channels, outputs, seed):
    H, W, h, w = shape
    X, K = randn(seed, channels, H, W), randn(seed + 7, outputs, channels, h, w)
    ours = corr2d_multi_in_out(X, K)
    theirs = F.conv2d(X[None], K)[0]
    assert_same(ours, theirs, (X, K), seed)


@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 6), st.integers(1, 6), seeds)
def test_corr2d_multi_in_out_1x1_matches_torch_and_loop(channels, outputs, H, W, seed):
    X, K = randn(seed, channels, H, W), randn(seed + 7, outputs, channels, 1, 1)
    assert_same(corr2d_multi_in_out_1x1(X, K), F.conv2d(X[None], K)[0], (X, K), seed)
    assert_same(corr2d_multi_in_out_1x1(X, K), corr2d_multi_in_out(X, K), (X, K), seed)


def test_corr2d_multi_in_out_1x1_is_one_matmul(monkeypatch):
    """The 1x1 case must not fall back to the per-channel loop."""
    import cnnguide.ops.correlation as correlation

    def forbidden(*args, **kwargs):
        raise AssertionError("corr2d called from the 1x1 path")

    monkeypatch.setattr(correlation, "corr2d", forbidden)
    X, K = torch.rand(3, 4, 5), torch.rand(2, 3, 1, 1)
    assert corr2d_multi_in_out_1x1(X, K).shape == (2, 4, 5)


# --- batched conv2d ----------------------------------------------------------------------


@st.composite
def conv_case(draw):
    n, c, o = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    kernel = draw(pair_or_int(1, 4))
    stride = draw(pair_or_int(1, 3))
    padding = draw(pair_or_int(0, 2))
    (kh, kw), (ph, pw) = as_pair(kernel), as_pair(padding)
    H = draw(st.integers(max(1, kh - 2 * ph), kh + 4))
    W = draw(st.integers(max(1, kw - 2 * pw), kw + 4))
    bias = draw(st.booleans())
    return n, c, o, H, W, (kh, kw), stride, padding, bias


@given(conv_case(), seeds)
def test_conv2d_matches_torch(case, seed):
    n, c, o, H, W, (kh, kw), stride, padding, use_bias = case
    X, weight = randn(seed, n, c, H, W), randn(seed + 7, o, c, kh, kw)
    bias = randn(seed + 11, o) if use_bias else None
    inputs = (X, weight) + ((bias,) if use_bias else ())
    ours = conv2d(X, weight, bias, stride=stride, padding=padding)
    theirs = F.conv2d(X, weight, bias, stride=stride, padding=padding)
    assert_same(ours, theirs, inputs, seed)
    assert ours.is_contiguous()
    (sh, sw), (ph, pw) = as_pair(stride), as_pair(padding)
    assert ours.shape[-2:] == (
        conv_output_size(H, kh, padding=ph, stride=sh),
        conv_output_size(W, kw, padding=pw, stride=sw),
    )


@given(conv_case(), seeds)
def test_conv2d_float32_close_to_torch(case, seed):
    n, c, o, H, W, (kh, kw), stride, padding, use_bias = case
    X = randn(seed, n, c, H, W, dtype=torch.float32)
    weight = randn(seed + 7, o, c, kh, kw, dtype=torch.float32)
    bias = randn(seed + 11, o, dtype=torch.float32) if use_bias else None
    inputs = (X, weight) + ((bias,) if use_bias else ())
    ours = conv2d(X, weight, bias, stride=stride, padding=padding)
    theirs = F.conv2d(X, weight, bias, stride=stride, padding=padding)
    assert_same(ours, theirs, inputs, seed, rtol=1e-4, atol=1e-5)


def test_conv2d_does_not_call_torch_convolution(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("torch convolution called")

    for name in ("conv2d", "conv_transpose2d", "convolution"):
        monkeypatch.setattr(torch.nn.functional, name, forbidden, raising=False)
        monkeypatch.setattr(torch, name, forbidden, raising=False)
    X, weight = torch.rand(2, 3, 6, 6), torch.rand(4, 3, 3, 3)
    assert conv2d(X, weight, padding=1, stride=2).shape == (2, 4, 3, 3)


def test_conv2d_empty_batch():
    X, weight = torch.rand(0, 2, 5, 5), torch.rand(3, 2, 3, 3)
    assert conv2d(X, weight).shape == F.conv2d(X, weight).shape == (0, 3, 3, 3)


# --- pooling -----------------------------------------------------------------------------


@st.composite
def pool_case(draw):
    window = draw(pair_or_int(1, 4))
    kh, kw = as_pair(window)
    stride = draw(pair_or_int(1, 3))
    padding = draw(st.one_of(st.integers(0, min(kh, kw) // 2),
                             st.tuples(st.integers(0, kh // 2), st.integers(0, kw // 2))))
    ph, pw = as_pair(padding)
    H = draw(st.integers(max(1, kh - 2 * ph), kh + 4))
    W = draw(st.integers(max(1, kw - 2 * pw), kw + 4))
    lead = draw(st.sampled_from([(), (2,), (1, 2), (2, 3)]))
    mode = draw(st.sampled_from(["max", "avg"]))
    # Small integers make ties inside windows common, which checks that the
    # max gradient goes to the same (first) entry as torch's.
    ties = draw(st.booleans())
    return lead, H, W, window, stride, padding, mode, ties


def torch_pool(X, window, mode, stride, padding):
    """torch's pooling on any of our ranks (torch wants 3-D or 4-D)."""
    fn = F.max_pool2d if mode == "max" else F.avg_pool2d
    if X.dim() == 2:
        return fn(X[None], window, stride, padding)[0]
    return fn(X, window, stride, padding)


@given(pool_case(), seeds)
def test_pool2d_matches_torch(case, seed):
    lead, H, W, window, stride, padding, mode, ties = case
    X = randn(seed, *lead, H, W)
    if ties:
        X = X.detach().mul(1.5).round().requires_grad_()
    ours = pool2d(X, window, mode=mode, stride=stride, padding=padding)
    theirs = torch_pool(X, window, mode, stride, padding)
    assert_same(ours, theirs, (X,), seed)


def test_pool2d_worked_example():
    X = torch.arange(9.0).reshape(3, 3)
    assert pool2d(X, 2).tolist() == [[4.0, 5.0], [7.0, 8.0]]
    assert pool2d(X, (2, 2), mode="avg").tolist() == [[2.0, 3.0], [5.0, 6.0]]


def test_pool2d_default_stride_is_one_unlike_torch():
    X = torch.rand(1, 1, 4, 4)
    assert pool2d(X, 2).shape == (1, 1, 3, 3)
    assert F.max_pool2d(X, 2).shape == (1, 1, 2, 2)


def test_pool2d_max_padding_never_wins():
    X = -torch.ones(1, 1, 3, 3) * torch.arange(1.0, 10.0).reshape(3, 3)
    assert (pool2d(X, 3, padding=1) < 0).all()


def test_pool2d_avg_counts_padding_zeros():
    X = torch.ones(3, 3)
    Y = pool2d(X, 3, mode="avg", padding=1)
    assert Y[0, 0].item() == pytest.approx(4 / 9)
    assert Y[1, 1].item() == 1.0


@pytest.mark.parametrize("padding", [0, 1])
def test_pool2d_integer_max_matches_torch(padding):
    X = torch.randint(-100, 100, (2, 5, 5), generator=torch.Generator().manual_seed(0))
    ours = pool2d(X, 3, stride=2, padding=padding)
    assert ours.dtype == torch.int64
    assert torch.equal(ours, F.max_pool2d(X, 3, 2, padding))


# --- arithmetic ---------------------------------------------------------------------------


@given(
    st.integers(1, 12), st.integers(1, 5), st.integers(0, 3), st.integers(1, 4), st.integers(1, 3)
)
def test_conv_output_size_matches_nn_conv2d(n, k, p, s, d):
    layer = nn.Conv2d(1, 1, (k, 1), stride=(s, 1), padding=(p, 0), dilation=(d, 1), bias=False)
    x = torch.zeros(1, 1, n, 1)
    try:
        expected = layer(x).shape[2]
    except RuntimeError:
        with pytest.raises(ValueError, match="spans"):
            conv_output_size(n, k, padding=p, stride=s, dilation=d)
    else:
        assert conv_output_size(n, k, padding=p, stride=s, dilation=d) == expected
        assert conv_output_size(n, k, p, s, d) == expected


def test_conv_output_size_examples():
    assert conv_output_size(3, 2) == 2
    assert conv_output_size(4, 3, padding=1) == 4
    assert conv_output_size(28, 5, padding=2) == 28  # LeNet's first layer keeps 28x28
    assert conv_output_size(224, 7, padding=3, stride=2) == 112


@given(st.integers(1, 4), st.integers(1, 4), pair_or_int(1, 5), st.booleans())
def test_conv_param_count_matches_nn_conv2d(c_in, c_out, kernel, bias):
    layer = nn.Conv2d(c_in, c_out, kernel, bias=bias)
    expected = sum(p.numel() for p in layer.parameters())
    assert conv_param_count(c_in, c_out, kernel, bias=bias) == expected


@given(st.integers(1, 50), st.integers(1, 50), st.booleans())
def test_dense_param_count_matches_nn_linear(n_in, n_out, bias):
    layer = nn.Linear(n_in, n_out, bias=bias)
    expected = sum(p.numel() for p in layer.parameters())
    assert dense_param_count(n_in, n_out, bias=bias) == expected


def test_param_count_worked_examples():
    assert conv_param_count(3, 5, 3) == 140 == 5 * (3 * 3 * 3 + 1)
    assert 512 * 512 == 262_144
    assert dense_param_count(512 * 512, 1, bias=False) == 262_144
    assert dense_param_count(3 * 3 * 5, 4096) == sum(p.numel() for p in nn.Linear(45, 4096).parameters())


def brute_force_receptive_field(layers, extra, unit):
    """Backpropagate from one output unit of a stack of all-ones convolutions and
    measure how many input rows receive a nonzero gradient."""
    r = receptive_field(layers)
    n = r + extra
    x = torch.zeros(1, 1, n, 1, dtype=F64, requires_grad=True)
    y = x
    for k, s in layers:
        y = F.conv2d(y, torch.ones(1, 1, k, 1, dtype=F64), stride=(s, 1))
    out_len = y.shape[2]
    index = min(unit, out_len - 1)
    (grad,) = torch.autograd.grad(y[0, 0, index, 0], x)
    rows = grad[0, 0, :, 0].nonzero().flatten()
    return int(rows.max() - rows.min() + 1), n


@given(
    st.lists(st.tuples(st.integers(1, 4), st.integers(1, 3)), max_size=4),
    st.integers(0, 4),
    st.integers(0, 3),
)
def test_receptive_field_matches_gradient_extent(layers, extra, unit):
    extent, n = brute_force_receptive_field(layers, extra, unit)
    assert extent == receptive_field(layers)
    # An input exactly as large as the receptive field yields one output unit.
    size = receptive_field(layers)
    for k, s in layers:
        size = conv_output_size(size, k, stride=s)
    assert size == 1


def test_receptive_field_examples():
    assert receptive_field([]) == 1
    assert receptive_field([(3, 1), (3, 1)]) == 5
    assert receptive_field([(5, 1)]) == 5
    assert receptive_field(iter([(3, 1), (2, 2), (3, 1)])) == 8
    # LeNet-like: 5x5 conv, 2x2/2 pool, 5x5 conv, 2x2/2 pool.
    assert receptive_field([(5, 1), (2, 2), (5, 1), (2, 2)]) == 16


# --- the learnable layer ------------------------------------------------------------------


def test_conv2d_module_parameters_and_forward():
    torch.manual_seed(0)
    layer = Conv2D((2, 3))
    assert layer.weight.shape == (2, 3)
    assert layer.bias.numel() == 1
    assert ((layer.weight >= 0) & (layer.weight < 1)).all()
    assert len(list(layer.parameters())) == 2
    with torch.no_grad():
        layer.bias.fill_(0.5)
    X = torch.rand(4, 5)
    torch.testing.assert_close(layer(X), corr2d(X, layer.weight) + 0.5)
    assert Conv2D(3).weight.shape == (3, 3)


def test_conv2d_module_learns_edge_detector():
    X = torch.ones(6, 8)
    X[:, 2:6] = 0
    K = torch.tensor([[1.0, -1.0]])
    Y = corr2d(X, K)
    assert Y[:, 1].eq(1).all() and Y[:, 5].eq(-1).all() and Y.abs().sum() == 12
    torch.manual_seed(0)
    layer = Conv2D((1, 2))
    optimizer = torch.optim.SGD(layer.parameters(), lr=0.01)
    for _ in range(60):
        optimizer.zero_grad()
        loss = ((layer(X) - Y) ** 2).sum()
        loss.backward()
        optimizer.step()
    torch.testing.assert_close(layer.weight.detach(), K, atol=0.01, rtol=0)
    assert abs(layer.bias.item()) < 0.01
    assert loss.item() < 1e-3
