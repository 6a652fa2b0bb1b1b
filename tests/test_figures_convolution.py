"""The convolution, channel and pooling figures: they render, and what they draw is what ops computes."""

import re

import numpy as np
import pytest
import torch
from matplotlib.text import Text
from PIL import Image

from cnnguide import ops
from cnnguide.figures import (
    BookFigure,
    GifAnimation,
    cross_correlation_figure,
    multi_in_channel_figure,
    multi_out_channel_figure,
    one_by_one_figure,
    padding_figure,
    pooling_figure,
    shift_invariance_figure,
    sliding_window_animation,
    stride_figure,
)
from cnnguide.figures._grid import format_number

X3 = torch.arange(9.0).reshape(3, 3)
K2 = torch.arange(4.0).reshape(2, 2)
X2C = torch.stack([torch.arange(9.0), torch.arange(1.0, 10.0)]).reshape(2, 3, 3)
K2C = torch.stack([torch.arange(4.0), torch.arange(1.0, 5.0)]).reshape(2, 2, 2)


def texts(fig):
    """Every string drawn on the figure, in drawing order."""
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def grid_numbers(ax, values):
    """The labels of the first ``values.numel()`` numeric texts in ``ax``, reshaped like ``values``."""
    labels = [t.get_text() for t in ax.texts if re.fullmatch(r"−?\d+(\.\d+)?", t.get_text())]
    return np.array(labels[: values.numel()]).reshape(tuple(values.shape))


def expected_labels(values):
    return np.vectorize(format_number)(values.detach().numpy())


def check_book_figure(fig):
    assert isinstance(fig, BookFigure)
    assert fig.alt.strip()
    png = fig.to_png()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert fig._repr_html_().startswith('<img class="cnnguide-figure" alt="')


FIGURES = [
    lambda: cross_correlation_figure(X3, K2),
    lambda: cross_correlation_figure(X3, K2, position=(1, 1)),
    lambda: padding_figure(X3, K2),
    lambda: padding_figure(torch.ones(3, 4), torch.ones(3, 3), padding=(1, 2)),
    lambda: stride_figure(X3, K2, stride=(3, 2), padding=1),
    lambda: stride_figure(torch.arange(25.0).reshape(5, 5), torch.ones(3, 3), stride=2),
    lambda: pooling_figure(X3),
    lambda: pooling_figure(torch.arange(16.0).reshape(4, 4), pool_size=2, stride=2, position=(1, 0)),
    lambda: shift_invariance_figure(torch.eye(5), torch.tensor([[1.0, -1.0]])),
    lambda: multi_in_channel_figure(X2C, K2C),
    lambda: multi_out_channel_figure(X2C, torch.stack([K2C, K2C + 1, K2C + 2])),
    lambda: one_by_one_figure(torch.arange(27.0).reshape(3, 3, 3), torch.ones(2, 3, 1, 1), position=(2, 1)),
]


@pytest.mark.parametrize("make", FIGURES)
def test_every_figure_renders_with_alt_text(make):
    check_book_figure(make())


def test_cross_correlation_writes_the_sum_ops_computes():
    fig = cross_correlation_figure(X3, K2)
    assert fig.get_supxlabel() == "0×0 + 1×1 + 3×2 + 4×3 = 19"
    Y = ops.corr2d(X3, K2)
    assert (grid_numbers(fig.axes[4], Y) == expected_labels(Y)).all()
    assert fig.get_supxlabel() in fig.alt


@pytest.mark.parametrize("position", [(0, 1), (1, 0), (1, 1)])
def test_cross_correlation_caption_follows_the_position(position):
    X, K = torch.randint(-5, 6, (4, 5)).float(), torch.randint(-3, 4, (2, 3)).float()
    i, j = position
    caption = cross_correlation_figure(X, K, position).get_supxlabel()
    terms, result = caption.split(" = ")
    assert result == format_number(ops.corr2d(X, K)[i, j])
    assert len(terms.split(" + ")) == K.numel()


def test_padding_figure_draws_the_padded_input_and_the_conv2d_output():
    fig = padding_figure(X3, K2, padding=1)
    Y = ops.conv2d(X3[None, None], K2[None, None], padding=1)[0, 0]
    padded = torch.nn.functional.pad(X3, (1, 1, 1, 1))
    assert (grid_numbers(fig.axes[0], padded) == expected_labels(padded)).all()
    assert (grid_numbers(fig.axes[4], Y) == expected_labels(Y)).all()
    assert fig.get_supxlabel().endswith(f"= {ops.conv_output_size(3, 2, padding=1)}")


def test_stride_figure_shows_the_output_size_with_the_floor():
    # 7 + 2*0 - 3 = 4, and 4/3 is not whole: the floor matters.
    fig = stride_figure(torch.arange(49.0).reshape(7, 7), torch.ones(3, 3), stride=3)
    Y = ops.conv2d(torch.arange(49.0).reshape(1, 1, 7, 7), torch.ones(1, 1, 3, 3), stride=3)[0, 0]
    assert Y.shape == (2, 2)
    assert fig.get_supxlabel() == "output height = width = ⌊(7 + 2·0 − 3)/3⌋ + 1 = 2"
    assert (grid_numbers(fig.axes[4], Y) == expected_labels(Y)).all()


def test_pooling_figure_names_the_maximum_and_the_mean():
    X = torch.tensor([[1.0, 7.0, 2.0], [4.0, 3.0, 0.0], [5.0, 6.0, 8.0]])
    fig = pooling_figure(X, position=(0, 1))
    assert fig.get_supxlabel() == "max(7, 2, 3, 0) = 7     mean(7, 2, 3, 0) = 3"
    for ax, mode in ((fig.axes[2], "max"), (fig.axes[4], "avg")):
        Y = ops.pool2d(X, 2, mode=mode)
        assert (grid_numbers(ax, Y) == expected_labels(Y)).all()


def kept_responses(before, after):
    """How many of ``before``'s nonzero cells keep their value in ``after``, and how many there are."""
    responses = before != 0
    return int((responses & (after == before)).sum()), int(responses.sum())


@pytest.mark.parametrize("stride, edge, expected", [(1, 4, (5, 10)), (2, 4, (0, 3)), (2, 3, (3, 3))])
def test_shift_invariance_counts_the_responses_that_stay(stride, edge, expected):
    X = torch.ones(6, 8)
    X[:, edge:] = 0
    K = torch.tensor([[1.0, -1.0]])
    fig = shift_invariance_figure(X, K, shift=1, stride=stride)
    Xs = torch.cat([X[:, :1], X[:, :-1]], dim=1)
    fmap, fmap_s = ops.corr2d(X, K), ops.corr2d(Xs, K)
    conv = kept_responses(fmap, fmap_s)
    pooled = kept_responses(ops.pool2d(fmap, 2, stride=stride), ops.pool2d(fmap_s, 2, stride=stride))
    assert fig.get_supxlabel() == (
        f"responses still in place after the shift: {conv[0]} of {conv[1]} in the feature map, "
        f"{pooled[0]} of {pooled[1]} after max pooling"
    )
    # The edge moves by a whole column, so no feature-map response stays.
    # Stride-1 pooling keeps half (each response covers two columns). At
    # stride 2 it depends on the edge: all stay if it remains inside one
    # pooling window (feature-map columns 2 -> 3), none if it crosses (3 -> 4).
    assert conv == (0, 6)
    assert pooled == expected


def test_multi_in_channel_figure_adds_the_channel_results():
    fig = multi_in_channel_figure(X2C, K2C)
    assert fig.get_supxlabel() == "at row 0, column 0: 19 + 37 = 56"
    total = ops.corr2d_multi_in(X2C, K2C)
    assert (grid_numbers(fig.axes[-1], total) == expected_labels(total)).all()


def test_multi_out_channel_figure_draws_every_output_channel():
    K = torch.stack([K2C, K2C + 1, K2C + 2])
    Y = ops.corr2d_multi_in_out(X2C, K)
    drawn = texts(multi_out_channel_figure(X2C, K))
    for o in range(3):
        start = drawn.index(f"output channel {o}")
        assert drawn[start - 4 : start] == list(expected_labels(Y[o]).ravel())


def test_one_by_one_figure_writes_each_output_as_a_weighted_sum():
    X = torch.arange(12.0).reshape(3, 2, 2)
    K = torch.tensor([[1.0, 2.0, -1.0], [0.0, 1.0, 1.0]]).reshape(2, 3, 1, 1)
    fig = one_by_one_figure(X, K, position=(1, 0))
    Y = ops.corr2d_multi_in_out_1x1(X, K)
    lines = fig.get_supxlabel().splitlines()
    assert lines == [
        f"out[0] = 2×1 + 6×2 + 10×(−1) = {format_number(Y[0, 1, 0])}",
        f"out[1] = 2×0 + 6×1 + 10×1 = {format_number(Y[1, 1, 0])}",
    ]
    assert Y[0, 1, 0] == 4 and Y[1, 1, 0] == 16


def test_sliding_window_animation_writes_a_small_gif(tmp_path):
    X = torch.arange(16.0).reshape(4, 4)
    gif = sliding_window_animation(X, torch.ones(3, 3), tmp_path / "slide.gif", padding=1)
    assert isinstance(gif, GifAnimation)
    with Image.open(gif.path) as im:
        assert im.format == "GIF"
        assert im.n_frames == gif.n_frames == 16
    assert (tmp_path / "slide.gif").stat().st_size < 300_000
    html = gif._repr_html_()
    assert html.startswith('<img class="cnnguide-figure" alt="Animation: a 3×3 kernel')
    assert 'src="data:image/gif;base64,R0lGOD' in html  # base64 of "GIF8"


def test_sliding_window_animation_with_stride(tmp_path):
    gif = sliding_window_animation(X3, K2, tmp_path / "s.gif", padding=1, stride=(3, 2))
    assert gif.n_frames == ops.conv2d(X3[None, None], K2[None, None], padding=1, stride=(3, 2)).numel()
    assert gif.n_frames > 1


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: cross_correlation_figure(torch.ones(3), K2), "2-D"),
        (lambda: cross_correlation_figure(X3, torch.ones(4, 4)), "larger than input"),
        (lambda: cross_correlation_figure(X3, K2, position=(2, 0)), "outside"),
        (lambda: cross_correlation_figure(torch.ones(20, 20), K2), "at most 16"),
        (lambda: padding_figure(X3, K2, padding=-1), "padding"),
        (lambda: stride_figure(X3, K2, stride=0), "stride"),
        (lambda: pooling_figure(X3, pool_size=4), "larger"),
        (lambda: pooling_figure(X3, position=(0, 2)), "outside"),
        (lambda: shift_invariance_figure(X3, K2, shift=3), "shift"),
        (lambda: multi_in_channel_figure(X3, K2), "3-D"),
        (lambda: multi_in_channel_figure(X2C, K2C[:1]), "channel"),
        (lambda: multi_out_channel_figure(torch.ones(5, 3, 3), torch.ones(1, 5, 2, 2)), "at most 4 channels"),
        (lambda: one_by_one_figure(X2C, torch.ones(2, 2, 2, 2)), r"\(O, C, 1, 1\)"),
    ],
)
def test_bad_inputs_raise_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_bad_animation_arguments_raise_value_error(tmp_path):
    with pytest.raises(ValueError, match=r"\.gif"):
        sliding_window_animation(X3, K2, tmp_path / "slide.png")
    with pytest.raises(ValueError, match="does not exist"):
        sliding_window_animation(X3, K2, tmp_path / "missing" / "slide.gif")
    with pytest.raises(ValueError, match="at most"):
        sliding_window_animation(torch.ones(9, 9), torch.ones(1, 1), tmp_path / "big.gif")
