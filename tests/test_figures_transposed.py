"""The transposed-convolution figures: they render, and every grid they draw is what ops computes."""

import re

import numpy as np
import pytest
import torch

from cnnguide import ops
from cnnguide.figures import BookFigure, transposed_conv_figure, zero_insertion_figure
from cnnguide.figures._grid import format_number

X2 = torch.tensor([[0.0, 1.0], [2.0, 3.0]])


def grid_numbers(ax, shape):
    """The first numeric labels drawn in ``ax``, reshaped to ``shape``."""
    labels = [t.get_text() for t in ax.texts if re.fullmatch(r"−?\d+(\.\d+)?", t.get_text())]
    return np.array(labels[: int(np.prod(shape))]).reshape(tuple(shape))


def labels(values):
    return np.vectorize(format_number)(values.detach().numpy())


def transposed(X, K, stride=1, padding=0):
    return ops.conv_transpose2d(X[None, None], K[None, None], stride, padding)[0, 0]


def check_book_figure(fig):
    assert isinstance(fig, BookFigure)
    assert fig.alt.strip() and fig.get_supxlabel() in fig.alt
    assert fig.to_png()[:8] == b"\x89PNG\r\n\x1a\n"


CASES = [
    (X2, X2, 1),
    (X2, X2, 2),
    (torch.tensor([[1.0, -2.0, 3.0]]), torch.tensor([[1.0, 0.5], [-1.0, 2.0]]), (2, 1)),
    (torch.arange(6.0).reshape(2, 3), torch.ones(1, 3), (1, 2)),
]


@pytest.mark.parametrize("X, K, stride", CASES)
def test_kernel_copies_add_up_to_the_transposed_convolution(X, K, stride):
    fig = transposed_conv_figure(X, K, stride)
    check_book_figure(fig)
    slots = X.numel() + 1
    columns = 2 * slots - 1  # panels alternate with operator columns
    assert len(fig.axes) == 2 * columns
    Y = transposed(X, K, stride)
    assert (grid_numbers(fig.axes[columns + 2 * X.numel()], Y.shape) == labels(Y)).all()
    for n, (i, j) in enumerate(np.ndindex(*X.shape)):
        alone = torch.zeros_like(X)
        alone[i, j] = X[i, j]
        copy = transposed(alone, K, stride)
        assert (grid_numbers(fig.axes[columns + 2 * n], copy.shape) == labels(copy)).all()
    operators = [fig.axes[columns + 2 * n + 1].texts[0].get_text() for n in range(X.numel())]
    assert operators == ["+"] * (X.numel() - 1) + ["="]


def test_transposed_conv_figure_caption_and_alt():
    fig = transposed_conv_figure(X2, X2)
    size = ops.conv_transpose_output_size(2, 2)
    assert fig.get_supxlabel() == f"output height = width = (2 − 1)·1 − 2·0 + 2 = {size}"
    assert fig.alt.startswith("Transposed convolution of a 2×2 input with a 2×2 kernel, stride 1")
    assert "the 4 copies add up to the 3×3 output" in fig.alt
    fig = transposed_conv_figure(torch.ones(1, 3), torch.ones(2, 2), stride=(2, 1))
    assert fig.get_supxlabel() == ("output height = (1 − 1)·2 − 2·0 + 2 = 2,   "
                                   "width = (3 − 1)·1 − 2·0 + 2 = 4")


@pytest.mark.parametrize("X, K, stride, padding", [
    (X2, X2, 2, 0),
    (X2, X2, 1, 0),
    (torch.arange(9.0).reshape(3, 3), torch.tensor([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0], [0.0, 1.0, 1.0]]), 2, 1),
    (torch.arange(6.0).reshape(2, 3) - 2, torch.arange(6.0).reshape(3, 2), (3, 2), (2, 0)),
])
def test_zero_insertion_draws_the_transposed_convolution(X, K, stride, padding):
    fig = zero_insertion_figure(X, K, stride, padding)
    check_book_figure(fig)
    assert len(fig.axes) == 7
    (sh, sw), (ph, pw) = ops._checks.as_pair(stride, "s"), ops._checks.as_pair(padding, "p")
    (H, W), (h, w) = X.shape, K.shape
    spread = torch.zeros((H - 1) * sh + 1, (W - 1) * sw + 1)
    spread[::sh, ::sw] = X
    Xz = torch.nn.functional.pad(spread, (w - 1 - pw, w - 1 - pw, h - 1 - ph, h - 1 - ph))
    Y = transposed(X, K, stride, padding)
    assert (grid_numbers(fig.axes[2], Xz.shape) == labels(Xz)).all()
    assert (grid_numbers(fig.axes[4], K.shape) == labels(torch.flip(K, (0, 1)))).all()
    assert (grid_numbers(fig.axes[6], Y.shape) == labels(Y)).all()
    assert fig.get_supxlabel().endswith(f"= {ops.conv_transpose_output_size(W, w, pw, sw)}")
    assert f"{Y.shape[0]}×{Y.shape[1]} output" in fig.alt


def test_zero_insertion_caption():
    fig = zero_insertion_figure(X2, X2)
    assert fig.get_supxlabel() == "output height = width = (2 − 1)·2 − 2·0 + 2 = 4"
    assert "a border of 1 zeros becomes 5×5" in fig.alt


@pytest.mark.parametrize("call, message", [
    (lambda: transposed_conv_figure(torch.ones(3, 3), X2), "X has 9 elements; the figure draws at most 6"),
    (lambda: transposed_conv_figure(torch.ones(2), X2), "X must be 2-D (height, width), got shape (2,)"),
    (lambda: transposed_conv_figure(X2, X2, stride=0), "stride must have entries >= 1, got (0, 0)"),
    (lambda: zero_insertion_figure(X2, X2, padding=2), "padding (2, 2) must be at most kernel_size - 1 = (1, 1)"),
    (lambda: zero_insertion_figure(X2, X2, padding=-1), "padding must have entries >= 0, got (-1, -1)"),
    (lambda: zero_insertion_figure(torch.ones(9, 9), X2),
     "panel 'zeros inserted, border 1' has shape (19, 19): at most 16 rows"),
])
def test_bad_arguments(call, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        call()
