"""The concept figures: headless rendering, alt text, input checks, drawn values = computed values."""

import numpy as np
import pytest
import torch
from torch import nn

from cnnguide import figures
from cnnguide.figures import BookFigure
from cnnguide.figures.activations import activation_curves
from cnnguide.figures.feature_maps import feature_map_grid, kernel_grid
from cnnguide.figures.parameters import parameter_count_bars, parameter_growth
from cnnguide.figures.receptive_fields import receptive_field_growth, receptive_field_vs_depth
from cnnguide.ops import conv_param_count, dense_param_count, receptive_field

RESNET_STEM = [(7, 2), (3, 2)]


def test_one_module_per_subject_and_the_old_names_still_work():
    from cnnguide.figures import concepts

    for name in concepts.__all__:
        assert getattr(concepts, name) is getattr(figures, name) is globals()[name]
    assert {getattr(figures, name).__module__.rsplit(".", 1)[1] for name in concepts.__all__} == {
        "activations", "feature_maps", "parameters", "receptive_fields"}


def assert_renders(fig):
    assert isinstance(fig, BookFigure)
    assert fig.alt.strip()
    assert fig.to_png().startswith(b"\x89PNG")
    assert f'alt="' in fig._repr_html_()


def images(fig):
    return [im for ax in fig.axes for im in ax.images]


# --- parameter counts -------------------------------------------------------


def test_parameter_growth_draws_the_ops_counts():
    sizes = (28, 224, 512)
    fig = parameter_growth(sizes, in_channels=3, hidden_units=100, out_channels=8, kernel_size=5)
    assert_renders(fig)
    dense, conv = fig.axes[0].lines[:2]
    assert dense.get_ydata().tolist() == [dense_param_count(s * s * 3, 100) for s in sizes]
    assert conv.get_ydata().tolist() == [conv_param_count(3, 8, 5)] * 3
    assert f"{dense_param_count(512 * 512 * 3, 100):,}" in fig.alt


def test_parameter_growth_matches_torch_modules():
    fig = parameter_growth((64,))
    dense = sum(p.numel() for p in nn.Linear(64 * 64, 1000).parameters())
    conv = sum(p.numel() for p in nn.Conv2d(1, 64, 3).parameters())
    assert fig.axes[0].lines[0].get_ydata()[0] == dense
    assert fig.axes[0].lines[1].get_ydata()[0] == conv


@pytest.mark.parametrize("sizes", [(), (0, 4), (8, 4), (4, 4), (2.5,)])
def test_parameter_growth_rejects_bad_sizes(sizes):
    with pytest.raises(ValueError, match="image_sizes"):
        parameter_growth(sizes)


def test_parameter_count_bars_counts_real_parameters():
    heads = {
        "flatten": nn.Sequential(nn.Flatten(), nn.Linear(8 * 3 * 3, 5)),
        "gap": nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 5)),
    }
    fig = parameter_count_bars(heads, title="heads")
    assert_renders(fig)
    widths = [bar.get_width() for bar in fig.axes[0].patches]
    assert widths == [8 * 9 * 5 + 5, 8 * 5 + 5]
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["flatten", "gap"]
    assert fig.axes[0].get_xscale() == "log"
    linear = parameter_count_bars({**heads, "relu": nn.ReLU()}, log=False)
    assert linear.axes[0].get_xscale() == "linear"
    assert [bar.get_width() for bar in linear.axes[0].patches] == widths + [0]


@pytest.mark.parametrize(
    "modules", [{}, {"relu": nn.ReLU()}, {"not a module": torch.zeros(3)}], ids=["empty", "no-params", "tensor"]
)
def test_parameter_count_bars_rejects_bad_input(modules):
    with pytest.raises(ValueError):
        parameter_count_bars(modules)


# --- activations ------------------------------------------------------------


def test_activation_derivatives_match_closed_forms():
    fig = activation_curves(num=201)
    assert_renders(fig)
    ax_f, ax_d = fig.axes
    x = torch.as_tensor(ax_f.lines[0].get_xdata())
    s = torch.sigmoid(x)
    expected = {
        0: (s, s * (1 - s)),
        1: (torch.tanh(x), 1 - torch.tanh(x) ** 2),
        2: (torch.relu(x), (x > 0).double()),
    }
    for i, (f, df) in expected.items():
        np.testing.assert_allclose(ax_f.lines[i].get_ydata(), f.numpy(), atol=1e-12)
        np.testing.assert_allclose(ax_d.lines[i].get_ydata(), df.numpy(), atol=1e-12)
    assert max(ax_d.lines[0].get_ydata()) == pytest.approx(0.25)
    assert "0.25" in ax_d.lines[0].get_label()


@pytest.mark.parametrize(
    "kwargs", [{"names": ("swish",)}, {"names": ()}, {"x_min": 1, "x_max": 1}, {"num": 2}]
)
def test_activation_curves_rejects_bad_input(kwargs):
    with pytest.raises(ValueError):
        activation_curves(**kwargs)


# --- receptive field --------------------------------------------------------


def nonzero_extent(grad):
    """Side lengths of the bounding box of the nonzero entries, and whether the box is full."""
    rows, cols = np.nonzero(grad)
    box = grad[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    return rows.max() - rows.min() + 1, cols.max() - cols.min() + 1, bool((box != 0).all())


@pytest.mark.parametrize(
    "layers", [[(3, 1)] * 3, RESNET_STEM, [(5, 1), (2, 2), (5, 1), (2, 2)], [(3, 2), (3, 2), (3, 1)]]
)
def test_receptive_field_agrees_with_autograd_on_random_convs(layers):
    # A random network (not the all-ones one the figure uses): the gradient of one
    # output unit w.r.t. the input is nonzero exactly on an r x r square.
    torch.manual_seed(0)
    r = receptive_field(layers)
    net = nn.Sequential(*[nn.Conv2d(1, 1, k, stride=s) for k, s in layers]).double()
    x = torch.randn(1, 1, r + 12, r + 12, dtype=torch.float64, requires_grad=True)
    y = net(x)
    y[0, 0, 1, 1].backward()
    assert nonzero_extent(x.grad[0, 0].numpy()) == (r, r, True)


@pytest.mark.parametrize("layers", [[(3, 1)] * 3, RESNET_STEM, [(2, 2)] * 3])
def test_receptive_field_growth_outlines_and_shades_the_same_square(layers):
    fig = receptive_field_growth(layers)
    assert_renders(fig)
    assert len(fig.axes) == len(layers)
    for i, ax in enumerate(fig.axes):
        r = receptive_field(layers[: i + 1])
        (square,) = ax.patches
        assert square.get_width() == square.get_height() == r
        shaded = ~np.ma.getmaskarray(ax.images[0].get_array())
        assert nonzero_extent(shaded.astype(float)) == (r, r, True)
        rows, cols = np.nonzero(shaded)
        assert (rows.min() - 0.5, cols.min() - 0.5) == (square.get_y(), square.get_x())
        assert f"{r}×{r}" in ax.get_title()


def test_receptive_field_growth_centres_the_last_unit():
    fig = receptive_field_growth(RESNET_STEM)
    shaded = ~np.ma.getmaskarray(fig.axes[-1].images[0].get_array())
    rows, _ = np.nonzero(shaded)
    n = shaded.shape[0]
    assert rows.min() == n - 1 - rows.max()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"layers": []},
        {"layers": [(3, 0)]},
        {"layers": [(3,)]},
        {"layers": [(3, 1)], "labels": ["a", "b"]},
        {"layers": [(3, 1), (3, 1)], "input_size": 4},
    ],
)
def test_receptive_field_growth_rejects_bad_input(kwargs):
    with pytest.raises(ValueError):
        receptive_field_growth(**kwargs)


def test_receptive_field_vs_depth_draws_receptive_field_of_each_prefix():
    stacks = {"3x3": [(3, 1)] * 6, "stem": RESNET_STEM + [(3, 1)] * 4}
    fig = receptive_field_vs_depth(stacks)
    assert_renders(fig)
    plain, stem = fig.axes[0].lines
    assert plain.get_ydata().tolist() == [2 * d + 1 for d in range(1, 7)]
    assert stem.get_ydata().tolist() == [receptive_field(stacks["stem"][:d]) for d in range(1, 7)]
    assert plain.get_xdata().tolist() == list(range(1, 7))


@pytest.mark.parametrize("stacks", [{}, {"bad": []}, {"bad": [(0, 1)]}])
def test_receptive_field_vs_depth_rejects_bad_input(stacks):
    with pytest.raises(ValueError):
        receptive_field_vs_depth(stacks)


# --- feature maps and kernels -----------------------------------------------


def test_feature_map_grid_shows_the_first_maps():
    maps = torch.randn(20, 7, 9)
    fig = feature_map_grid(maps, title="activations", max_maps=10, ncols=4)
    assert_renders(fig)
    shown = images(fig)
    assert len(shown) == 10
    assert len(fig.axes) == 12  # 3 rows of 4, two left empty
    for i, im in enumerate(shown):
        np.testing.assert_allclose(im.get_array(), maps[i].numpy(), rtol=1e-6)
    assert fig._suptitle.get_text() == "activations"


def test_feature_map_grid_labels_title_the_panels():
    fig = feature_map_grid(torch.rand(2, 4, 4), labels=["input", "output"])
    assert [ax.get_title() for ax in fig.axes] == ["input", "output"]
    with pytest.raises(ValueError, match="labels"):
        feature_map_grid(torch.rand(3, 4, 4), labels=["only one"])


def test_feature_map_grid_with_fewer_maps_than_the_limit():
    fig = feature_map_grid(np.ones((3, 4, 4)))
    assert len(images(fig)) == 3 and len(fig.axes) == 3


@pytest.mark.parametrize(
    "maps, kwargs",
    [
        (torch.rand(4, 4), {}),
        (torch.rand(1, 2, 4, 4), {}),
        (torch.rand(0, 4, 4), {}),
        (torch.full((2, 3, 3), float("nan")), {}),
        (torch.rand(2, 3, 3), {"max_maps": 0}),
        (torch.rand(2, 3, 3), {"ncols": 0}),
    ],
)
def test_feature_map_grid_rejects_bad_input(maps, kwargs):
    with pytest.raises(ValueError):
        feature_map_grid(maps, **kwargs)


def test_kernel_grid_draws_each_kernel_on_one_symmetric_scale():
    conv = nn.Conv2d(3, 4, 3)
    fig = kernel_grid(conv)
    assert_renders(fig)
    shown = images(fig)
    assert len(shown) == 12
    w = conv.weight.detach().numpy()
    np.testing.assert_allclose(shown[5].get_array(), w[1, 2], rtol=1e-6)  # row-major: out 1, in 2
    vmax = np.abs(w).max()
    assert all(im.get_clim() == pytest.approx((-vmax, vmax)) for im in shown)


def test_kernel_grid_single_input_channel_and_limits():
    w = torch.randn(20, 1, 5, 5)
    assert len(images(kernel_grid(w, max_out=10))) == 10
    w = torch.randn(6, 12, 3, 3)
    assert len(images(kernel_grid(w, max_out=2, max_in=5))) == 10


@pytest.mark.parametrize(
    "weight, kwargs",
    [(torch.rand(3, 3, 3), {}), (nn.Linear(3, 3), {}), (torch.rand(2, 2, 3, 3), {"max_in": 0})],
)
def test_kernel_grid_rejects_bad_input(weight, kwargs):
    with pytest.raises(ValueError):
        kernel_grid(weight, **kwargs)
