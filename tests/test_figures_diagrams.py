"""Architecture diagrams are drawn from the model objects: their labels, shapes and boxes follow the model."""

import itertools
import warnings

import pytest
import torch
from matplotlib.text import Text
from torch import nn

from cnnguide import figures, models
from cnnguide.figures import BookFigure
from cnnguide.models.densenet import DenseBlock
from cnnguide.models.googlenet import Inception
from cnnguide.models.resnet import BasicBlock, Bottleneck
from cnnguide.models.vgg import vgg_block


def texts(fig):
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def boxes(fig, gid="layer"):
    return [p for p in fig.axes[0].patches if p.get_gid() == gid]


def shape(tensor):
    return " × ".join(map(str, tensor.shape[1:]))


def check_legible(fig):
    """Renders without a missing glyph, fits the site's ~700 px column, no two texts overlap,
    every label lies inside its box, and the background is opaque white like the other figures."""
    assert isinstance(fig, BookFigure) and fig.alt
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        png = fig.to_png()
    assert png[:4] == b"\x89PNG"
    assert int.from_bytes(png[16:20], "big") <= 700  # the width in the PNG header
    assert tuple(fig.get_facecolor()) == (1, 1, 1, 1)
    renderer = fig.canvas.get_renderer()
    drawn = [t for t in fig.findobj(Text) if t.get_text()]
    extents = [t.get_window_extent(renderer) for t in drawn]
    for (a, ea), (b, eb) in itertools.combinations(zip(drawn, extents), 2):
        assert not ea.overlaps(eb), f"{a.get_text()!r} overlaps {b.get_text()!r}"
    for patch in boxes(fig) + boxes(fig, "tensor") + boxes(fig, "merge"):
        area = patch.get_window_extent(renderer)
        inside = [e for e in extents if area.contains(*e.get_points().mean(axis=0))]
        assert inside, "a box without its label"
        for e in inside:
            assert area.x0 <= e.x0 and e.x1 <= area.x1 and area.y0 <= e.y0 and e.y1 <= area.y1


def test_lenet_diagram_has_one_box_per_layer_and_the_traced_shapes():
    net = models.create("lenet")
    fig = figures.plot_sequential(net, (1, 1, 28, 28))
    check_legible(fig)
    layers = [*net.features, *net.classifier]
    assert len(boxes(fig)) == len(layers) == 12
    x, expected = torch.zeros(1, 1, 28, 28), []
    for layer in layers:
        x = layer(x)
        expected.append(shape(x))
    drawn = texts(fig)
    assert [t for t in drawn if t in expected] == expected  # under the boxes, in order
    assert {"6 × 28 × 28", "16 × 5 × 5", "400", "10"} <= set(drawn)
    assert {"Conv2d 5×5, 6\npad 2", "Conv2d 5×5, 16", "AvgPool 2×2\nstride 2", "Sigmoid", "Linear 120"} <= set(drawn)
    assert "Flatten → 400" in fig.alt and fig.alt.endswith("Linear 10 → 10.")


def test_sequential_diagram_follows_the_model():
    modern = figures.plot_sequential(models.create("lenet", variant="modern"), (1, 1, 28, 28))
    check_legible(modern)
    assert len(boxes(modern)) == 16  # a batch norm after each of the 2 convolutions and 2 hidden linear layers
    assert "MaxPool 2×2\nstride 2" in texts(modern) and "BatchNorm" in texts(modern)
    wider = figures.plot_sequential(models.create("lenet", num_classes=7), (1, 1, 28, 28))
    assert "Linear 7" in texts(wider) and "7" in texts(wider)


def test_a_long_chain_wraps_into_rows_within_the_width():
    net = nn.Sequential(*[m for _ in range(6) for m in (nn.Conv2d(4, 4, 3, padding=1), nn.ReLU())])
    fig = figures.plot_sequential(net, (1, 4, 8, 8))
    check_legible(fig)
    rows = {round(b.get_y(), 6) for b in boxes(fig)}
    assert len(rows) > 1
    narrow = figures.plot_sequential(net, (1, 4, 8, 8), max_width=3)
    assert len({round(b.get_y(), 6) for b in boxes(narrow)}) > len(rows)


@pytest.mark.parametrize("block", [BasicBlock(8, 8), Inception(8, 2, (2, 2), (2, 2), 2), DenseBlock(2, 8, 4)],
                         ids=type)
def test_sequential_refuses_branching_blocks(block):
    with pytest.raises(ValueError, match=rf"chain of layers, but in {type(block).__name__} .* plot_block"):
        figures.plot_sequential(block, (1, 8, 6, 6))


def test_vgg_block_diagram():
    block = vgg_block(2, 3, 16)
    fig = figures.plot_vgg_block(block, (1, 3, 32, 32))
    check_legible(fig)
    assert len(boxes(fig)) == 5
    assert shape(block(torch.zeros(1, 3, 32, 32))) in texts(fig)  # after the pool
    assert texts(fig).count("Conv2d 3×3, 16\npad 1") == 2
    assert fig.get_size_inches()[1] < 2  # one row
    assert len(boxes(figures.plot_vgg_block(vgg_block(3, 3, 16), (1, 3, 32, 32)))) == 7
    with pytest.raises(ValueError, match=r"VGG block .* got BasicBlock"):
        figures.plot_vgg_block(BasicBlock(3, 3), (1, 3, 8, 8))
    with pytest.raises(ValueError, match=r"got Sequential\(Conv2d, Sigmoid, MaxPool2d\)"):
        figures.plot_vgg_block(nn.Sequential(nn.Conv2d(3, 4, 3), nn.Sigmoid(), nn.MaxPool2d(2)), (1, 3, 8, 8))


def test_residual_block_identity_and_projection_shortcuts():
    same = BasicBlock(16, 16)
    fig = figures.plot_residual_block(same, (1, 16, 12, 12))
    check_legible(fig)
    assert len(boxes(fig)) == 6  # conv, BN, ReLU, conv, BN, and the ReLU after the sum
    assert len(boxes(fig, "merge")) == 1  # the ⊕
    assert "identity\n16 × 12 × 12" in texts(fig) and "Shortcut: identity" in fig.alt

    down = BasicBlock(16, 32, stride=2)
    fig = figures.plot_residual_block(down, (1, 16, 12, 12))
    check_legible(fig)
    assert len(boxes(fig)) == 8  # plus the shortcut's 1×1 convolution and batch norm
    assert {"Conv2d 1×1, 32\nstride 2", "Conv2d 3×3, 32\nstride 2, pad 1"} <= set(texts(fig))
    out = shape(down(torch.zeros(1, 16, 12, 12)))
    assert f"output\n{out}" in texts(fig) and not any(t.startswith("identity") for t in texts(fig))
    assert down.shortcut(torch.zeros(1, 16, 12, 12)).shape[1:] == (32, 6, 6)

    fig = figures.plot_residual_block(Bottleneck(16, 8), (1, 16, 12, 12))
    check_legible(fig)
    assert len(boxes(fig)) == 11  # 8 on the main path, 2 on the shortcut, the last ReLU


def test_residual_block_refuses_other_modules_and_wrong_inputs():
    with pytest.raises(ValueError, match="BasicBlock or Bottleneck, got Inception"):
        figures.plot_residual_block(Inception(8, 2, (2, 2), (2, 2), 2), (1, 8, 6, 6))
    with pytest.raises(ValueError, match=r"BasicBlock cannot run on an input of size \(1, 3, 8, 8\)"):
        figures.plot_residual_block(BasicBlock(16, 16), (1, 3, 8, 8))
    with pytest.raises(ValueError, match="input_size must be four positive integers"):
        figures.plot_residual_block(BasicBlock(16, 16), (1, 16, 8))


def test_plotting_leaves_the_model_as_it_was():
    block = BasicBlock(8, 8)
    before = {k: v.clone() for k, v in block.state_dict().items()}
    figures.plot_residual_block(block, (1, 8, 6, 6))
    assert block.training
    assert all(torch.equal(before[k], v) for k, v in block.state_dict().items())  # BN running stats too
    assert not block._forward_hooks and not any(m._forward_hooks for m in block.modules())


def test_inception_block_diagram():
    block = Inception(8, 4, (2, 6), (2, 3), 5)
    fig = figures.plot_inception_block(block, (1, 8, 6, 6))
    check_legible(fig)
    leaves = [m for m in block.modules() if not list(m.children())]
    assert len(boxes(fig)) == len(leaves) == 13
    x = torch.zeros(1, 8, 6, 6)
    branch_channels = [branch(x).shape[1] for branch in (block.branch1, block.branch2, block.branch3, block.branch4)]
    total = " + ".join(map(str, branch_channels)) + f" = {sum(branch_channels)}"
    assert f"concatenate along channels\n{total}" in texts(fig)
    assert f"output\n{shape(block(x))}" in texts(fig)
    assert {"Conv2d 5×5, 3\npad 2", "MaxPool 3×3\nstride 1, pad 1"} <= set(texts(fig))
    other = figures.plot_inception_block(Inception(8, 4, (2, 6), (2, 7), 5), (1, 8, 6, 6))
    assert "concatenate along channels\n4 + 6 + 7 + 5 = 22" in texts(other)
    with pytest.raises(ValueError, match="Inception block, got DenseBlock"):
        figures.plot_inception_block(DenseBlock(2, 8, 4), (1, 8, 6, 6))


@pytest.mark.parametrize("growth_rate", [5, 7])
def test_dense_block_diagram_shows_the_channels_growing(growth_rate):
    block = DenseBlock(3, 4, growth_rate=growth_rate, bn_size=None)
    fig = figures.plot_dense_block(block, (1, 4, 6, 6))
    check_legible(fig)
    assert len(boxes(fig)) == 3 and len(boxes(fig, "merge")) == 3
    x, sums = torch.zeros(1, 4, 6, 6), []
    block.eval()
    for layer in block.children():
        new = layer(x)
        sums.append(f"concatenate: {x.shape[1]} + {new.shape[1]} = {x.shape[1] + new.shape[1]}")
        x = torch.cat([x, new], dim=1)
    assert [t for t in texts(fig) if t.startswith("concatenate")] == sums
    assert f"output\n{shape(x)}" in texts(fig)
    assert f"computes {growth_rate} new channels" in fig.alt
    assert "denselayer1\nBatchNorm → ReLU → Conv2d 3×3, {}, pad 1".format(growth_rate) in texts(fig)


def test_dense_block_with_bottleneck_layers():
    fig = figures.plot_dense_block(DenseBlock(2, 16, growth_rate=8, bn_size=4), (1, 16, 6, 6))
    check_legible(fig)
    label = "denselayer2\nBatchNorm → ReLU → Conv2d 1×1, 32\nBatchNorm → ReLU → Conv2d 3×3, 8, pad 1"
    assert label in texts(fig)
    with pytest.raises(ValueError, match="DenseBlock, got Sequential"):
        figures.plot_dense_block(vgg_block(1, 3, 4), (1, 3, 8, 8))


def test_plot_block_picks_the_diagram():
    cases = [
        (vgg_block(2, 3, 8), (1, 3, 8, 8), figures.plot_vgg_block),
        (BasicBlock(8, 8), (1, 8, 6, 6), figures.plot_residual_block),
        (Inception(8, 2, (2, 2), (2, 2), 2), (1, 8, 6, 6), figures.plot_inception_block),
        (DenseBlock(2, 8, 4), (1, 8, 6, 6), figures.plot_dense_block),
    ]
    for block, size, plot in cases:
        assert texts(figures.plot_block(block, size)) == texts(plot(block, size))
    assert figures.plot_block(BasicBlock(8, 8), (1, 8, 6, 6), title="A block").alt.startswith("BasicBlock")
    assert "A block" in texts(figures.plot_block(BasicBlock(8, 8), (1, 8, 6, 6), title="A block"))
    with pytest.raises(ValueError, match="got LeNet"):
        figures.plot_block(models.create("lenet"), (1, 1, 28, 28))
    with pytest.raises(ValueError, match=r"got Sequential\(Conv2d, ReLU\)"):
        figures.plot_block(nn.Sequential(nn.Conv2d(3, 3, 1), nn.ReLU()), (1, 3, 4, 4))


def test_layer_label_reads_the_module():
    assert figures.layer_label(nn.Conv2d(3, 8, (3, 5), stride=(1, 2), padding=(1, 2))) == \
        "Conv2d 3×5, 8\nstride (1, 2), pad (1, 2)"
    assert figures.layer_label(nn.Conv2d(8, 8, 3, groups=8)) == "Conv2d 3×3, 8\ngroups 8"
    assert figures.layer_label(nn.AdaptiveAvgPool2d((7, 7))) == "AdaptiveAvgPool\nto 7×7"
    assert figures.layer_label(nn.Dropout(0.5)) == "Dropout 0.5"
    assert figures.layer_label(nn.GELU()) == "GELU"
