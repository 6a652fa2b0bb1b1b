"""The exercises of chapters 1-9: every number an answer writes is what the library computes.

Each test computes the answer with :mod:`cnnguide` (or torch) and checks that
the chapter's hidden answer states it (see ``tests/_exercises.py``). Answers
that make a claim rather than give a number have the claim checked instead.
"""

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from _exercises import answer, answers, assert_states
from cnnguide.ops import (
    conv2d,
    conv_output_size,
    conv_param_count,
    corr2d,
    dense_param_count,
    pool2d,
    receptive_field,
)
from cnnguide.summary import summarize


@pytest.mark.parametrize("chapter", range(1, 10))
def test_every_chapter_has_three_to_five_answered_exercises(chapter):
    assert 3 <= len(answers(chapter)) <= 5
    for text in answers(chapter):
        assert "```" not in text, "no code blocks inside an answer"


# Chapter 1: why convolutions ------------------------------------------------


def test_ch1_dense_and_conv_counts():
    assert_states(1, 1, dense_param_count(224 * 224 * 3, 4096))
    assert_states(1, 1, conv_param_count(3, 64, 3))


def test_ch1_matrix_of_a_convolution():
    kernel = torch.randn(1, 1, 3, 3)
    M = conv2d(torch.eye(100).reshape(100, 1, 10, 10), kernel).reshape(100, -1).T
    assert_states(1, 2, conv_output_size(10, 3))
    assert_states(1, 2, M.numel())
    assert_states(1, 2, int((M != 0).sum()))
    assert_states(1, 2, torch.unique(M[M != 0]).numel())


def _square():
    image = torch.zeros(1, 1, 16, 16)
    image[0, 0, 3:7, 2:6] = 1.0
    return image


def test_ch1_stride_two_follows_only_even_shifts():
    image, edges = _square(), torch.tensor([[[[1.0, 0.0, -1.0]] * 3]])
    out = conv2d(image, edges, padding=1, stride=2)

    def gap(pixels, cells):
        shifted = torch.roll(image, (pixels, pixels), (2, 3))
        moved = torch.roll(out, (cells, cells), (2, 3))
        return (moved - conv2d(shifted, edges, padding=1, stride=2)).abs().max().item()

    assert gap(2, 1) == 0
    assert min(gap(1, 0), gap(1, 1)) > 0.5
    assert_states(1, 3, 0)


def test_ch1_rotation_symmetric_kernel():
    image = _square()
    laplacian = torch.tensor([[[[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]]]])
    for kernel in (laplacian, torch.ones(1, 1, 3, 3)):
        rotated = conv2d(torch.rot90(image, 1, (2, 3)), kernel, padding=1)
        assert torch.equal(torch.rot90(conv2d(image, kernel, padding=1), 1, (2, 3)), rotated)
    assert_states(1, 4, -4)


# Chapter 2: cross-correlation -----------------------------------------------


def _band():
    image = torch.ones(6, 8)
    image[:, 2:6] = 0
    return image


def test_ch2_four_by_four_input():
    Y = corr2d(torch.arange(16.0).reshape(4, 4), torch.arange(4.0).reshape(2, 2))
    assert Y.shape == (3, 3)
    assert_states(2, 1, int(Y[0, 0]))
    assert_states(2, 1, int(Y[-1, -1]))


def test_ch2_outputs_and_macs_of_a_5x5_kernel():
    side = conv_output_size(28, 5)
    macs = summarize(nn.Conv2d(1, 1, 5, bias=False), (1, 1, 28, 28)).macs
    assert macs == side * side * 25
    for value in (side, side * side, macs, 2 * macs):
        assert_states(2, 2, value)


def test_ch2_horizontal_edges():
    Y = corr2d(_band().T, torch.tensor([[1.0, -1.0]]).T)
    rows = Y.ne(0).any(dim=1).nonzero().flatten().tolist()
    assert_states(2, 3, int(Y.ne(0).sum()))
    for value in (*rows, Y.shape[0], Y.shape[1]):
        assert_states(2, 3, value)


def test_ch2_learning_rate_threshold():
    image = _band().double()
    left, right = image[:, :-1].flatten(), image[:, 1:].flatten()
    A = torch.stack([left, right, torch.ones_like(left)], dim=1)
    top = torch.linalg.eigvalsh(2 * A.T @ A).max().item()
    assert_states(2, 4, top, "{:.1f}")
    assert_states(2, 4, 2 / top, "{:.4f}")
    assert 0.01 < 2 / top < 0.03

    # ... and the chapter's 60 steps converge at 0.01 and diverge at 0.03, as it says.
    assert _descend(0.01) < 1e-3
    assert not math.isfinite(_descend(0.03))


def _descend(lr, steps=60):
    """The chapter's training loop: final loss of plain gradient descent from Conv2D's start.

    The fast conv2d computes Conv2D's corr2d(X, weight) + bias; the start is Conv2D's
    (torch.rand after the chapter's seed, bias 0); the update is what torch.optim.SGD does.
    """
    torch.manual_seed(0)
    weight = torch.rand(1, 1, 1, 2).requires_grad_()
    bias = torch.zeros(1, requires_grad=True)
    image = _band()[None, None]
    target = conv2d(image, torch.tensor([[[[1.0, -1.0]]]]))
    for _ in range(steps):
        loss = ((conv2d(image, weight, bias) - target) ** 2).sum()
        grad_w, grad_b = torch.autograd.grad(loss, [weight, bias])
        with torch.no_grad():
            weight -= lr * grad_w
            bias -= lr * grad_b
    return loss.item()


# Chapter 3: padding and stride ----------------------------------------------


def _coverage(n, k, padding=0, stride=1):
    """How many k x k windows cover each pixel of an n x n input, as the chapter counts it."""
    X = torch.zeros(1, 1, n, n, requires_grad=True)
    conv2d(X, torch.ones(1, 1, k, k), padding=padding, stride=stride).sum().backward()
    return X.grad[0, 0].int()


def test_ch3_two_layers():
    first = conv_output_size(100, 5, padding=1, stride=2)
    assert_states(3, 1, first)
    assert_states(3, 1, conv_output_size(first, 3, stride=2))


def test_ch3_how_many_layers_fit():
    side, layers = 28, 0
    while True:
        try:
            side = conv_output_size(side, 3)
        except ValueError:
            break
        layers += 1
    assert_states(3, 2, layers)
    assert_states(3, 2, side)


def test_ch3_coverage_with_padding():
    padded, bare = _coverage(6, 3, padding=1), _coverage(6, 3)
    for value in (padded[0, 0], padded[0, 2], padded[2, 2], bare[0, 0], bare[2, 2]):
        assert_states(3, 3, int(value))
    assert padded.min() == padded[0, 0]


def test_ch3_stride_three_leaves_a_pixel():
    row = _coverage(10, 3, stride=3)[1]  # a middle row: only the columns matter here
    assert_states(3, 4, conv_output_size(10, 3, stride=3))
    assert_states(3, 4, int((row == 0).sum()))
    assert row[-1] == 0 and (row[:-1] > 0).all()
    padded = _coverage(10, 3, padding=1, stride=3)[1]
    assert_states(3, 4, conv_output_size(10, 3, padding=1, stride=3))
    assert (padded > 0).all()


def test_ch3_same_padding():
    assert conv_output_size(20, 7, padding=3) == 20
    assert_states(3, 5, 3)
    # No symmetric padding keeps a 4-tap kernel's size; torch's "same" pads unevenly.
    assert all(conv_output_size(20, 4, padding=p) != 20 for p in range(4))
    with pytest.warns(UserWarning):
        same = nn.Conv2d(1, 1, 4, padding="same")(torch.zeros(1, 1, 9, 9))
    assert same.shape[-2:] == (9, 9)


# Chapter 4: channels --------------------------------------------------------


def test_ch4_layer_parameters():
    layer = nn.Conv2d(64, 128, 3)
    assert tuple(layer.weight.shape) == (128, 64, 3, 3)
    count = conv_param_count(64, 128, 3)
    assert count == sum(p.numel() for p in layer.parameters())
    assert_states(4, 1, count)


def test_ch4_dense_between_the_same_shapes():
    dense = dense_param_count(32 * 32 * 64, 32 * 32 * 128)
    assert_states(4, 2, dense)
    assert dense / conv_param_count(64, 128, 3) > 100_000
    assert dense * 4 / 1e9 > 32


def test_ch4_inputs_of_one_output():
    torch.manual_seed(0)
    x = torch.randn(1, 64, 5, 5, requires_grad=True)
    nn.Conv2d(64, 128, 3)(x)[0, 0, 1, 1].backward()
    assert_states(4, 3, int((x.grad != 0).sum()))


def test_ch4_macs():
    macs = summarize(nn.Conv2d(3, 5, 3), (1, 3, 8, 8)).macs
    assert macs == 6 * 6 * 5 * 27
    assert_states(4, 4, macs)
    assert_states(4, 4, 2 * macs)


# Chapter 5: 1x1 convolution -------------------------------------------------


def test_ch5_one_by_one_parameters():
    count = conv_param_count(512, 128, 1)
    assert count == dense_param_count(512, 128)
    assert_states(5, 1, count)


def test_ch5_bottleneck_512():
    parts = [conv_param_count(512, 128, 1), conv_param_count(128, 128, 3),
             conv_param_count(128, 512, 1)]
    direct = conv_param_count(512, 512, 3)
    for value in (*parts, sum(parts), direct):
        assert_states(5, 2, value)
    assert_states(5, 2, direct / sum(parts), "{:.1f}")


def test_ch5_googlenet_branch_macs():
    with torch.device("meta"):
        direct = nn.Conv2d(192, 32, 5, padding=2)
        reduce, conv = nn.Conv2d(192, 16, 1), nn.Conv2d(16, 32, 5, padding=2)
    size = (1, 192, 28, 28)
    direct_macs = summarize(direct, size, device="meta").macs
    reduce_macs = summarize(reduce, size, device="meta").macs
    conv_macs = summarize(conv, (1, 16, 28, 28), device="meta").macs
    for value in (direct_macs, reduce_macs, conv_macs, reduce_macs + conv_macs):
        assert_states(5, 3, value)
    assert 9 < direct_macs / (reduce_macs + conv_macs) < 11  # "about a tenth"


def test_ch5_two_linear_one_by_ones_are_one():
    torch.manual_seed(0)
    first, second = nn.Conv2d(8, 2, 1, bias=False), nn.Conv2d(2, 8, 1, bias=False)
    W = second.weight.reshape(8, 2) @ first.weight.reshape(2, 8)
    x = torch.randn(1, 8, 5, 5)
    with torch.no_grad():
        single = F.conv2d(x, W.reshape(8, 8, 1, 1))
        assert torch.allclose(second(first(x)), single, atol=1e-6)
    assert_states(5, 4, int(torch.linalg.matrix_rank(W.detach())))


# Chapter 6: activation functions --------------------------------------------


def _gradient_through(f, start, layers=10):
    x = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    y = x
    for _ in range(layers):
        y = f(y)
    y.backward()
    return x.grad.item()


def test_ch6_sigmoid_slope_at_three():
    x = torch.tensor(3.0, dtype=torch.float64, requires_grad=True)
    torch.sigmoid(x).backward()
    s = torch.sigmoid(x).item()
    assert math.isclose(x.grad.item(), s * (1 - s))
    assert_states(6, 1, s, "{:.4f}")
    assert_states(6, 1, x.grad.item(), "{:.4f}")
    assert x.grad.item() < 0.25 / 5


def test_ch6_layers_until_a_millionth():
    layers = next(n for n in range(1, 100) if 0.25**n < 1e-6)
    assert_states(6, 2, layers)
    assert_states(6, 2, 0.25 ** (layers - 1) / 1e-6, "{:.1f}")
    assert_states(6, 2, 0.25**layers / 1e-7, "{:.1f}")


def test_ch6_tanh_against_sigmoid():
    assert_states(6, 3, _gradient_through(torch.tanh, 0.5), "{:.3f}")
    assert _gradient_through(torch.tanh, 0.0) == 1.0
    x = torch.tensor(0.5, dtype=torch.float64)
    for _ in range(500):
        x = torch.sigmoid(x)
    assert_states(6, 3, x.item(), "{:.3f}")
    assert_states(6, 3, (x * (1 - x)).item(), "{:.3f}")
    assert _gradient_through(torch.sigmoid, 0.5) < 1e-6


def test_ch6_two_5x5_convolutions_are_one_9x9():
    torch.manual_seed(0)
    X = torch.randn(1, 1, 20, 20, dtype=torch.float64)
    K1, K2 = torch.randn(5, 5, dtype=torch.float64), torch.randn(5, 5, dtype=torch.float64)
    K = corr2d(F.pad(K1, (4, 4, 4, 4)), torch.flip(K2, dims=(0, 1)))
    two = conv2d(conv2d(X, K1[None, None]), K2[None, None])
    assert torch.allclose(conv2d(X, K[None, None]), two)
    assert K.shape[0] == receptive_field([(5, 1), (5, 1)])
    assert_states(6, 4, K.shape[0])
    assert_states(6, 4, 4)


# Chapter 7: pooling ---------------------------------------------------------


def test_ch7_resnet_stem_pooling():
    size = conv_output_size(112, 3, padding=1, stride=2)
    assert nn.MaxPool2d(3, stride=2, padding=1)(torch.zeros(1, 1, 112, 112)).shape[-1] == size
    assert_states(7, 1, size)
    assert_states(7, 1, (112 - 3) / 2 + 1, "{:.1f}")


def test_ch7_ceil_mode():
    X = torch.arange(49.0).reshape(1, 1, 7, 7)
    floor, ceil = nn.MaxPool2d(2)(X), nn.MaxPool2d(2, ceil_mode=True)(X)
    assert floor.shape[-1] == conv_output_size(7, 2, stride=2)
    assert_states(7, 2, floor.shape[-1])
    assert_states(7, 2, ceil.shape[-1])
    assert ceil[0, 0, -1, -1] == X[0, 0, 6, 6]  # the last window holds only the corner
    assert_states(7, 2, 6)


def test_ch7_average_pooling_values():
    Y = pool2d(torch.arange(16.0).reshape(4, 4), 2, mode="avg", stride=2)
    for value in Y.flatten().tolist():
        assert_states(7, 3, value, "{:.1f}")


def test_ch7_padding_counts_in_the_mean():
    ones = torch.ones(1, 1, 3, 3)
    corner = pool2d(ones, 3, mode="avg", padding=1)[0, 0, 0, 0].item()
    assert math.isclose(corner, 4 / 9, rel_tol=1e-6)
    assert_states(7, 4, corner, "{:.3f}")
    exclude = nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)(ones)
    assert torch.allclose(exclude, ones)


# Chapter 8: from feature maps to classes ------------------------------------


def test_ch8_vgg_first_dense_layer_as_convolution():
    count = conv_param_count(512, 4096, 7)
    assert count == dense_param_count(7 * 7 * 512, 4096)
    assert_states(8, 1, count)
    assert_states(8, 1, 7 * 7 * 512)


def test_ch8_vgg_on_a_larger_image():
    side = 384
    for _ in range(5):
        side = conv_output_size(conv_output_size(side, 3, padding=1), 2, stride=2)
    grid = conv_output_size(side, 7)
    assert_states(8, 2, side)
    assert_states(8, 2, grid)
    assert_states(8, 2, 2**5)  # the grid's step in pixels


def test_ch8_resnet50_heads():
    gap, flat = dense_param_count(2048, 1000), dense_param_count(2048 * 7 * 7, 1000)
    assert_states(8, 3, gap)
    assert_states(8, 3, flat)
    assert_states(8, 3, round(flat / gap))


def _pooled_change(stride, shift):
    """The chapter's shift experiment: largest change of conv(stride) -> ReLU -> GAP."""
    torch.manual_seed(0)
    network = nn.Sequential(
        nn.Conv2d(1, 8, 3, stride=stride, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1)
    )
    image = torch.zeros(1, 1, 32, 32)
    image[0, 0, 10:15, 8:12] = torch.rand(5, 4)
    with torch.no_grad():
        moved = network(torch.roll(image, shift, dims=(2, 3)))
        return (moved - network(image)).abs().max().item()


def test_ch8_which_shifts_gap_ignores():
    shifts = [(0, 2), (4, 6), (0, 1), (1, 1), (3, 0)]
    assert all(_pooled_change(1, s) < 1e-6 for s in shifts)
    assert all(_pooled_change(4, s) > 1e-4 for s in shifts)
    assert _pooled_change(4, (4, 8)) < 1e-6
    # the chapter's own stride 2: even shifts are rounding, odd ones are not
    assert [_pooled_change(2, s) < 1e-6 for s in shifts] == [True, True, False, False, False]


# Chapter 9: receptive field -------------------------------------------------


def _pair(value):
    return value[0] if isinstance(value, tuple) else value


def test_ch9_vgg16_receptive_field():
    from torchvision.models import vgg16

    with torch.device("meta"):
        features = vgg16().features
    path = [
        (_pair(m.kernel_size), _pair(m.stride))
        for m in features
        if isinstance(m, (nn.Conv2d, nn.MaxPool2d))
    ]
    assert_states(9, 1, receptive_field(path[:-1]))  # the last convolution
    assert_states(9, 1, receptive_field(path))  # after the last pooling
    assert_states(9, 1, len(path))
    assert_states(9, 1, sum(k == 3 for k, _ in path))


def test_ch9_layers_to_see_a_digit():
    depth = next(d for d in range(1, 100) if receptive_field([(3, 1)] * d) >= 28)
    assert_states(9, 2, depth)
    assert_states(9, 2, receptive_field([(3, 1)] * depth))
    assert_states(9, 2, receptive_field([(5, 1), (2, 2), (5, 1), (2, 2)]))


def test_ch9_stacked_against_single():
    assert receptive_field([(3, 1)] * 3) == receptive_field([(7, 1)])
    assert_states(9, 3, 3 * conv_param_count(256, 256, 3, bias=False))
    assert_states(9, 3, conv_param_count(256, 256, 7, bias=False))


def test_ch9_resnet_first_stage():
    stem = [(7, 2), (3, 2)]
    assert_states(9, 4, receptive_field(stem + [(3, 1)] * 4))
    assert_states(9, 4, receptive_field(stem))
    assert_states(9, 4, receptive_field(stem + [(3, 1)]) - receptive_field(stem))
