"""Architecture figures draw what a forward pass measured, say it in their alt text, and refuse bad input."""

import warnings

import pytest
from torch import nn

from cnnguide import figures, models
from cnnguide.memory import StepCost
from cnnguide.models.densenet import DenseNet
from cnnguide.models.googlenet import Inception


def render(fig):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. a glyph missing from the font
        png = fig.to_png()
    assert png[:4] == b"\x89PNG"


def test_branch_cost_bars_counts_each_branch():
    block = Inception(192, 64, (96, 128), (16, 32), 32)  # GoogLeNet's 3a
    branches = dict(block.named_children())
    fig = figures.branch_cost_bars({"3a": branches}, (1, 192, 28, 28))
    render(fig)
    params = [bar.get_height() for bar in fig.axes[0].patches]
    macs = [bar.get_height() for bar in fig.axes[1].patches]
    # 1x1: 192*64 + 64; 3x3 branch: 192*96 + 96 + 96*128*9 + 128; and so on.
    assert params == [12352, 129248, 15920, 6176]
    assert sum(params) == sum(p.numel() for p in block.parameters())
    assert macs[0] == 28 * 28 * 64 * 192
    assert "3a" in fig.alt and "164 k parameters" in fig.alt


def test_branch_cost_bars_refuses_mismatched_variants():
    with pytest.raises(ValueError, match="same, non-empty list of branches"):
        figures.branch_cost_bars({"a": {"x": nn.Conv2d(1, 1, 1)}, "b": {"y": nn.Conv2d(1, 1, 1)}}, (1, 1, 4, 4))
    with pytest.raises(ValueError, match="input_size"):
        figures.branch_cost_bars({"a": {"x": nn.Conv2d(1, 1, 1)}}, (1, 4, 4))


def test_inception_channel_split_matches_the_paper():
    fig = figures.inception_channel_split(models.create("googlenet"), (1, 1, 64, 64))
    render(fig)
    notes = [text.get_text() for text in fig.axes[0].texts if "→" in text.get_text()]  # "256 → 256 × 4 × 4"
    totals = [int(note.split(" ")[0]) for note in notes]
    assert totals == [256, 480, 512, 512, 512, 528, 832, 832, 1024]
    assert notes[0] == "256 → 256 × 8 × 8" and notes[-1] == "1024 → 1024 × 2 × 2"  # 64 / 8, then / 4
    assert "3a is 256 channels (64 + 128 + 32 + 32)" in fig.alt
    with pytest.raises(ValueError, match="no Inception blocks"):
        figures.inception_channel_split(nn.Sequential(nn.Conv2d(1, 1, 1)), (1, 1, 4, 4))


def test_dense_channel_growth_climbs_by_the_growth_rate():
    net = DenseNet((3, 2), growth_rate=5, num_init_features=8, num_classes=10, in_channels=1)
    fig = figures.dense_channel_growth(net, (1, 1, 32, 32))
    render(fig)
    heights = list(fig.axes[0].get_lines()[0].get_ydata())
    # stem 8, three layers (+5 each), transition halves 23 -> 11, two layers
    assert heights == [8, 13, 18, 23, 11, 16, 21]
    assert "climbs by 5 per dense layer" in fig.alt
    with pytest.raises(ValueError, match="no DenseLayer"):
        figures.dense_channel_growth(nn.Sequential(nn.Conv2d(1, 1, 1)), (1, 1, 4, 4))


def test_step_cost_bars_labels_the_values():
    fig = figures.step_cost_bars({"a": StepCost(2_000_000, 16_000_000, 8, 5_000_000, 0.08)})
    render(fig)
    labels = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert labels == ["2.00", "2.00", "5", "10.0"]
    with pytest.raises(ValueError, match="empty"):
        figures.step_cost_bars({})
