"""Bad input to cnnguide.ops raises ValueError naming the shapes or values involved.

Nothing is broadcast or corrected silently: each case below is one a reader
could plausibly write, and each asserts the message says what was wrong.
"""

import re

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

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


def esc(text):
    return re.escape(text)


# --- corr2d family ------------------------------------------------------------------------


def test_corr2d_kernel_larger_than_input():
    with pytest.raises(ValueError, match=esc("kernel of shape (3, 3) is larger than input of shape (2, 2)")):
        corr2d(torch.zeros(2, 2), torch.zeros(3, 3))
    with pytest.raises(ValueError, match=esc("(1, 4)")):
        corr2d(torch.zeros(5, 3), torch.zeros(1, 4))


def test_corr2d_wrong_rank_is_not_broadcast():
    with pytest.raises(ValueError, match=esc("X must be 2-D, got a 1-D tensor of shape (5,)")):
        corr2d(torch.zeros(5), torch.zeros(1, 2))
    with pytest.raises(ValueError, match=esc("X must be 2-D, got a 3-D tensor of shape (1, 4, 4)")):
        corr2d(torch.zeros(1, 4, 4), torch.zeros(2, 2))
    with pytest.raises(ValueError, match=esc("K must be 2-D, got a 3-D tensor of shape (1, 2, 2)")):
        corr2d(torch.zeros(4, 4), torch.zeros(1, 2, 2))
    with pytest.raises(ValueError, match=esc("K must be 2-D, got a 0-D tensor of shape ()")):
        corr2d(torch.zeros(4, 4), torch.tensor(2.0))


def test_corr2d_non_tensor():
    with pytest.raises(ValueError, match="X must be a torch.Tensor, got list"):
        corr2d([[1, 2], [3, 4]], torch.ones(1, 1))
    with pytest.raises(ValueError, match="K must be a torch.Tensor, got ndarray"):
        corr2d(torch.ones(2, 2), np.ones((1, 1)))


def test_corr2d_empty_kernel_and_odd_dtypes():
    with pytest.raises(ValueError, match=esc("K must not have an empty dimension, got shape (0, 2)")):
        corr2d(torch.zeros(3, 3), torch.zeros(0, 2))
    with pytest.raises(ValueError, match="X must hold real numbers, got dtype torch.bool"):
        corr2d(torch.ones(3, 3, dtype=torch.bool), torch.ones(2, 2))
    with pytest.raises(ValueError, match="K must hold real numbers, got dtype torch.complex64"):
        corr2d(torch.ones(3, 3), torch.ones(2, 2, dtype=torch.complex64))


def test_corr2d_multi_in_errors():
    with pytest.raises(ValueError, match=esc("input of shape (3, 4, 4) has 3 channels but kernel of shape (2, 2, 2) expects 2")):
        corr2d_multi_in(torch.zeros(3, 4, 4), torch.zeros(2, 2, 2))
    with pytest.raises(ValueError, match=esc("X must be 3-D, got a 2-D tensor of shape (4, 4)")):
        corr2d_multi_in(torch.zeros(4, 4), torch.zeros(1, 2, 2))
    with pytest.raises(ValueError, match=esc("kernel of shape (2, 5, 2) is larger than input of shape (2, 4, 4)")):
        corr2d_multi_in(torch.zeros(2, 4, 4), torch.zeros(2, 5, 2))
    with pytest.raises(ValueError, match=esc("K must not have an empty dimension, got shape (0, 2, 2)")):
        corr2d_multi_in(torch.zeros(0, 4, 4), torch.zeros(0, 2, 2))


def test_corr2d_multi_in_out_errors():
    with pytest.raises(ValueError, match=esc("has 3 channels but kernel of shape (4, 2, 1, 1) expects 2")):
        corr2d_multi_in_out(torch.zeros(3, 4, 4), torch.zeros(4, 2, 1, 1))
    with pytest.raises(ValueError, match=esc("K must be 4-D, got a 3-D tensor of shape (3, 2, 2)")):
        corr2d_multi_in_out(torch.zeros(3, 4, 4), torch.zeros(3, 2, 2))
    with pytest.raises(ValueError, match=esc("larger than input of shape (1, 2, 2)")):
        corr2d_multi_in_out(torch.zeros(1, 2, 2), torch.zeros(1, 1, 3, 3))


def test_corr2d_multi_in_out_1x1_errors():
    with pytest.raises(ValueError, match=esc("K must have shape (O, C, 1, 1), got (2, 3, 3, 3)")):
        corr2d_multi_in_out_1x1(torch.zeros(3, 4, 4), torch.zeros(2, 3, 3, 3))
    with pytest.raises(ValueError, match=esc("has 3 channels but kernel of shape (2, 4, 1, 1) expects 4")):
        corr2d_multi_in_out_1x1(torch.zeros(3, 4, 4), torch.zeros(2, 4, 1, 1))
    with pytest.raises(ValueError, match=esc("X must be 3-D, got a 4-D tensor of shape (1, 3, 4, 4)")):
        corr2d_multi_in_out_1x1(torch.zeros(1, 3, 4, 4), torch.zeros(2, 3, 1, 1))


# --- conv2d ------------------------------------------------------------------------------

X4 = torch.zeros(2, 3, 5, 5)
W4 = torch.zeros(4, 3, 3, 3)


def test_conv2d_rank_and_type():
    with pytest.raises(ValueError, match=esc("X must be 4-D, got a 3-D tensor of shape (3, 5, 5)")):
        conv2d(torch.zeros(3, 5, 5), W4)
    with pytest.raises(ValueError, match=esc("weight must be 4-D, got a 2-D tensor of shape (3, 3)")):
        conv2d(X4, torch.zeros(3, 3))
    with pytest.raises(ValueError, match="X must be a torch.Tensor, got ndarray"):
        conv2d(np.zeros((2, 3, 5, 5)), W4)


def test_conv2d_dtypes():
    with pytest.raises(ValueError, match="X must be a floating-point tensor, got dtype torch.int64"):
        conv2d(X4.long(), W4)
    with pytest.raises(ValueError, match="weight must be a floating-point tensor, got dtype torch.int32"):
        conv2d(X4, W4.int())
    with pytest.raises(ValueError, match="X has dtype torch.float32 but weight has dtype torch.float64"):
        conv2d(X4, W4.double())
    with pytest.raises(ValueError, match="X has dtype torch.float32 but bias has dtype torch.float64"):
        conv2d(X4, W4, torch.zeros(4, dtype=torch.float64))


def test_conv2d_channel_mismatch():
    with pytest.raises(ValueError, match=esc("input of shape (2, 3, 5, 5) has 3 channels but kernel of shape (4, 2, 3, 3) expects 2")):
        conv2d(X4, torch.zeros(4, 2, 3, 3))


def test_conv2d_bias_shape():
    with pytest.raises(ValueError, match=esc("bias must have shape (4,) to match weight of shape (4, 3, 3, 3), got (3,)")):
        conv2d(X4, W4, torch.zeros(3))
    with pytest.raises(ValueError, match=esc("got (1, 4)")):
        conv2d(X4, W4, torch.zeros(1, 4))
    with pytest.raises(ValueError, match="bias must be a torch.Tensor or None, got float"):
        conv2d(X4, W4, 0.0)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"stride": 0}, "stride must have entries >= 1, got (0, 0)"),
        ({"stride": (1, 0)}, "stride must have entries >= 1, got (1, 0)"),
        ({"stride": 1.5}, "stride must be an int or a pair of ints, got 1.5"),
        ({"stride": True}, "stride must be an int or a pair of ints, got True"),
        ({"stride": (1, 1, 1)}, "stride must be an int or a pair of ints, got (1, 1, 1)"),
        ({"padding": -1}, "padding must have entries >= 0, got (-1, -1)"),
        ({"padding": (0, -2)}, "padding must have entries >= 0, got (0, -2)"),
        ({"padding": "same"}, "padding must be an int or a pair of ints, got 'same'"),
    ],
)
def test_conv2d_bad_stride_or_padding(kwargs, message):
    with pytest.raises(ValueError, match=esc(message)):
        conv2d(X4, W4, **kwargs)


def test_conv2d_kernel_larger_than_padded_input():
    with pytest.raises(ValueError, match=esc("kernel of shape (1, 3, 7, 7) is larger than input of shape (2, 3, 5, 5) padded by (0, 0)")):
        conv2d(X4, torch.zeros(1, 3, 7, 7))
    # With enough padding the same kernel fits (and torch agrees on the shape).
    assert conv2d(X4, torch.zeros(1, 3, 7, 7), padding=1).shape == (2, 1, 1, 1)
    with pytest.raises(ValueError, match=esc("does not fit in 5x7")):
        conv2d(X4, torch.zeros(1, 3, 7, 7), padding=(0, 1))


# --- pool2d ------------------------------------------------------------------------------


def test_pool2d_bad_mode():
    with pytest.raises(ValueError, match="mode must be 'max' or 'avg', got 'min'"):
        pool2d(torch.zeros(3, 3), 2, mode="min")
    with pytest.raises(ValueError, match="mode must be 'max' or 'avg', got 'mean'"):
        pool2d(torch.zeros(3, 3), 2, mode="mean")


def test_pool2d_rank_and_type():
    with pytest.raises(ValueError, match=esc("X must be 2-D or 3-D or 4-D, got a 1-D tensor of shape (5,)")):
        pool2d(torch.zeros(5), 2)
    with pytest.raises(ValueError, match=esc("got a 5-D tensor of shape (1, 1, 1, 3, 3)")):
        pool2d(torch.zeros(1, 1, 1, 3, 3), 2)
    with pytest.raises(ValueError, match="X must be a torch.Tensor, got list"):
        pool2d([[1.0, 2.0], [3.0, 4.0]], 2)


def test_pool2d_window_stride_padding():
    X = torch.zeros(4, 4)
    with pytest.raises(ValueError, match=esc("pool_size must have entries >= 1, got (0, 2)")):
        pool2d(X, (0, 2))
    with pytest.raises(ValueError, match=esc("stride must have entries >= 1, got (0, 0)")):
        pool2d(X, 2, stride=0)
    with pytest.raises(ValueError, match=esc("padding must have entries >= 0, got (-1, -1)")):
        pool2d(X, 2, padding=-1)
    with pytest.raises(ValueError, match=esc("pool_size must be an int or a pair of ints, got 2.0")):
        pool2d(X, 2.0)


def test_pool2d_padding_at_most_half_the_window():
    X = torch.zeros(1, 1, 5, 5)
    with pytest.raises(ValueError, match=esc("padding (2, 2) must be at most half of pool_size (3, 3)")):
        pool2d(X, 3, padding=2)
    with pytest.raises(ValueError, match=esc("padding (0, 1) must be at most half of pool_size (2, 1)")):
        pool2d(X, (2, 1), padding=(0, 1))
    # torch has the same rule.
    with pytest.raises(RuntimeError, match="at most half"):
        torch.nn.functional.max_pool2d(X, 3, 1, 2)


def test_pool2d_window_larger_than_input():
    with pytest.raises(ValueError, match=esc("pool_size (3, 3) is larger than input of shape (2, 2) padded by (0, 0)")):
        pool2d(torch.zeros(2, 2), 3)
    with pytest.raises(ValueError, match=esc("pool_size (5, 1) is larger than input of shape (1, 1, 2, 4) padded by (1, 0)")):
        pool2d(torch.zeros(1, 1, 2, 4), (5, 1), padding=(1, 0))


def test_pool2d_avg_needs_floating():
    with pytest.raises(ValueError, match="X \\(average pooling\\) must be a floating-point tensor, got dtype torch.int64"):
        pool2d(torch.arange(9).reshape(3, 3), 2, mode="avg")
    with pytest.raises(ValueError, match="X must hold real numbers, got dtype torch.bool"):
        pool2d(torch.ones(3, 3, dtype=torch.bool), 2)


# --- arithmetic ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        ((5, 0), {}, "kernel_size must be an integer >= 1, got 0"),
        ((5, 3), {"stride": 0}, "stride must be an integer >= 1, got 0"),
        ((5, 3), {"padding": -1}, "padding must be an integer >= 0, got -1"),
        ((5, 3), {"dilation": 0}, "dilation must be an integer >= 1, got 0"),
        ((0, 1), {}, "n must be an integer >= 1, got 0"),
        ((5.0, 3), {}, "n must be an integer >= 1, got 5.0"),
        ((5, 3.0), {}, "kernel_size must be an integer >= 1, got 3.0"),
        ((5, True), {}, "kernel_size must be an integer >= 1, got True"),
        ((5, 3), {"stride": True}, "stride must be an integer >= 1, got True"),
        ((5, 3), {"padding": False}, "padding must be an integer >= 0, got False"),
        ((5, (3, 3)), {}, "kernel_size must be an integer >= 1, got (3, 3)"),
        ((2, 3), {}, "kernel_size 3 with dilation 1 spans 3 pixels, more than the padded input n + 2*padding = 2 + 2*0 = 2"),
        ((5, 3), {"dilation": 3}, "kernel_size 3 with dilation 3 spans 7 pixels, more than the padded input n + 2*padding = 5 + 2*0 = 5"),
    ],
)
def test_conv_output_size_errors(args, kwargs, message):
    with pytest.raises(ValueError, match=esc(message)):
        conv_output_size(*args, **kwargs)


def test_conv_output_size_accepts_numpy_integers():
    assert conv_output_size(np.int64(5), np.int32(3)) == 3


@given(st.integers(1, 6), st.integers(1, 6), st.integers(0, 2), st.integers(1, 3))
def test_conv_output_size_raises_exactly_when_kernel_does_not_fit(n, k, p, d):
    span = d * (k - 1) + 1
    if span > n + 2 * p:
        with pytest.raises(ValueError, match=f"spans {span} pixels"):
            conv_output_size(n, k, padding=p, dilation=d)
    else:
        assert conv_output_size(n, k, padding=p, dilation=d) >= 1


@pytest.mark.parametrize(
    "layers, message",
    [
        (3, "layers must be a sequence of (kernel_size, stride) pairs, got 3"),
        ("33", "layers must be a sequence of (kernel_size, stride) pairs, got '33'"),
        ([3], "layer 0 must be a (kernel_size, stride) pair of ints >= 1, got 3"),
        ([(3, 1), (3,)], "layer 1 must be a (kernel_size, stride) pair of ints >= 1, got (3,)"),
        ([(3, 1, 1)], "layer 0 must be a (kernel_size, stride) pair of ints >= 1, got (3, 1, 1)"),
        ([(0, 1)], "layer 0 must be a (kernel_size, stride) pair of ints >= 1, got (0, 1)"),
        ([(3, 0)], "layer 0 must be a (kernel_size, stride) pair of ints >= 1, got (3, 0)"),
        ([(3, True)], "layer 0 must be a (kernel_size, stride) pair of ints >= 1, got (3, True)"),
        ([(3.0, 1)], "layer 0 must be a (kernel_size, stride) pair of ints >= 1, got (3.0, 1)"),
        ([(2, 2), "ab"], "layer 1 must be a (kernel_size, stride) pair of ints >= 1, got 'ab'"),
    ],
)
def test_receptive_field_errors(layers, message):
    with pytest.raises(ValueError, match=esc(message)):
        receptive_field(layers)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: conv_param_count(0, 5, 3), "in_channels must be an integer >= 1, got 0"),
        (lambda: conv_param_count(3, 0, 3), "out_channels must be an integer >= 1, got 0"),
        (lambda: conv_param_count(3, 5, 0), "kernel_size must have entries >= 1, got (0, 0)"),
        (lambda: conv_param_count(3, 5, (3, 0)), "kernel_size must have entries >= 1, got (3, 0)"),
        (lambda: conv_param_count(3.0, 5, 3), "in_channels must be an integer >= 1, got 3.0"),
        (lambda: conv_param_count(True, 5, 3), "in_channels must be an integer >= 1, got True"),
        (lambda: conv_param_count(3, 5, 3, bias=1), "bias must be True or False, got 1"),
        (lambda: dense_param_count(0, 5), "in_features must be an integer >= 1, got 0"),
        (lambda: dense_param_count(5, -1), "out_features must be an integer >= 1, got -1"),
        (lambda: dense_param_count(5, 2.5), "out_features must be an integer >= 1, got 2.5"),
        (lambda: dense_param_count(5, 2, bias="yes"), "bias must be True or False, got 'yes'"),
    ],
)
def test_param_count_errors(call, message):
    with pytest.raises(ValueError, match=esc(message)):
        call()


# --- Conv2D ------------------------------------------------------------------------------


def test_conv2d_module_errors():
    with pytest.raises(ValueError, match=esc("kernel_size must have entries >= 1, got (0, 2)")):
        Conv2D((0, 2))
    with pytest.raises(ValueError, match="kernel_size must be an int or a pair of ints, got 2.5"):
        Conv2D(2.5)
    layer = Conv2D((1, 2))
    with pytest.raises(ValueError, match=esc("X must be 2-D, got a 4-D tensor of shape (1, 1, 6, 8)")):
        layer(torch.zeros(1, 1, 6, 8))
    with pytest.raises(ValueError, match=esc("kernel of shape (1, 2) is larger than input of shape (3, 1)")):
        layer(torch.zeros(3, 1))
