"""The layer table: parameter totals, MAC counts checked against independent numbers."""

import pytest
import torch
import torchvision
from torch import nn

from cnnguide import models
from cnnguide.summary import format_count, summarize


def test_lenet_rows_and_totals():
    net = models.create("lenet")
    summary = summarize(net)
    assert [(r.type, r.output_shape) for r in summary.rows][:3] == [
        ("Conv2d", (1, 6, 28, 28)),
        ("Sigmoid", (1, 6, 28, 28)),
        ("AvgPool2d", (1, 6, 14, 14)),
    ]
    assert summary.rows[-1].output_shape == (1, 10)
    assert summary.total_parameters == sum(p.numel() for p in net.parameters()) == 61_706
    assert sum(r.parameters for r in summary.rows) == summary.total_parameters
    # MACs by hand: out elements x (in_channels x kernel area) for convolutions, out x in for linears.
    by_hand = 6 * 28 * 28 * 1 * 25 + 16 * 10 * 10 * 6 * 25 + 400 * 120 + 120 * 84 + 84 * 10
    assert summary.macs == by_hand == 416_520
    assert summary.flops == 2 * by_hand


def test_table_is_aligned_and_has_totals():
    text = summarize(models.create("lenet")).table()
    lines = text.splitlines()
    assert lines[0].split() == ["Layer", "Type", "Output", "shape", "Parameters", "FLOPs"]
    rows = lines[2:14]
    assert len({len(line) for line in rows}) == 1  # right-aligned numbers end in one column
    assert "61,706" in text and "833,040 FLOPs" in text and "416,520 multiply-accumulates" in text


def test_counts_are_per_image_and_mode_is_restored():
    net = models.create("lenet", variant="modern").train()
    one = summarize(net, (1, 1, 28, 28))
    four = summarize(net, (4, 1, 28, 28))
    assert net.training
    assert one.macs == four.macs
    assert four.rows[0].output_shape == (4, 6, 28, 28)


@pytest.mark.parametrize(
    "builder, expected_gmacs",
    [(torchvision.models.resnet18, 1.814), (torchvision.models.resnet50, 4.089)],
)
def test_macs_match_torchvision_resnets(builder, expected_gmacs):
    # torchvision's model tables list ResNet-18 as 1.814 "GFLOPS" and ResNet-50
    # as 4.089, in the convention of multiply-adds (the papers' 1.8 G and 3.8-4.1 G).
    weights = {torchvision.models.resnet18: torchvision.models.ResNet18_Weights.IMAGENET1K_V1,
               torchvision.models.resnet50: torchvision.models.ResNet50_Weights.IMAGENET1K_V1}[builder]
    assert weights.meta["_ops"] == expected_gmacs
    net = builder()
    summary = summarize(net, (1, 3, 224, 224))  # on the CPU: real arithmetic
    assert summary.macs / 1e9 == pytest.approx(expected_gmacs, abs=0.0005)
    assert summary.total_parameters == weights.meta["num_params"]
    # torchvision's BasicBlock/Bottleneck call one ReLU module several times:
    # one row per call, its (zero) parameters counted once.
    assert sum(r.parameters for r in summary.rows) == summary.total_parameters


def test_concatenating_blocks_torchvision_googlenet():
    net = torchvision.models.googlenet(init_weights=False, aux_logits=True)
    summary = summarize(net, (1, 3, 224, 224))
    assert summary.macs / 1e9 == pytest.approx(1.498, abs=0.0005)
    # The auxiliary classifiers only run in training mode; their parameters are
    # in the total but not in the rows, and the table says so.
    aux = sum(p.numel() for m in (net.aux1, net.aux2) for p in m.parameters())
    assert summary.unused_parameters == aux > 0
    assert f"{aux:,}" in summary.table()


@pytest.mark.parametrize("name", models.names())
def test_every_registered_model(name):
    # On the meta device: shapes only, no weights to initialise (VGG has 10^8).
    with torch.device("meta"):
        net = models.create(name)
    size = 28 if name == "lenet" else 96
    summary = summarize(net, (1, 1, size, size), device="meta")
    assert summary.rows[-1].output_shape == (1, 10)
    assert summary.total_parameters == sum(p.numel() for p in net.parameters())
    assert sum(r.parameters for r in summary.rows) == summary.total_parameters
    assert summary.macs > 0


@pytest.mark.parametrize("name, size", [("lenet", 28), ("resnet18", 64), ("densenet_small", 64)])
def test_meta_device_counts_like_the_cpu(name, size):
    with torch.device("meta"):
        on_meta = summarize(models.create(name), (2, 1, size, size), device="meta")
    assert summarize(models.create(name), (2, 1, size, size)) == on_meta


def test_device_mismatch():
    with pytest.raises(ValueError, match="parameters are on cpu, but device is meta"):
        summarize(models.create("lenet"), device="meta")


def test_shared_module_and_own_parameters():
    class Scaled(nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = nn.Parameter(torch.ones(1))
            self.linear = nn.Linear(4, 4)

        def forward(self, x):
            return self.scale * self.linear(self.linear(x))  # the same layer twice

    summary = summarize(Scaled(), (2, 4))
    assert [r.name for r in summary.rows] == ["linear", "linear", "Scaled"]
    assert [r.parameters for r in summary.rows] == [20, 0, 1]
    assert [r.macs for r in summary.rows] == [16, 16, 0]
    assert summary.total_parameters == 21


def test_frozen_parameters():
    net = models.create("lenet")
    for p in net.features.parameters():
        p.requires_grad_(False)
    summary = summarize(net)
    assert summary.trainable_parameters == 61_706 - 156 - 2_416


@pytest.mark.parametrize("size", [(1, 1, 0, 28), (1, 1, 28.0, 28), (), (1, -1, 28, 28)])
def test_bad_input_size(size):
    with pytest.raises(ValueError, match="input_size"):
        summarize(models.create("lenet"), size)


def test_format_count():
    assert format_count(999) == "999"
    assert format_count(1_500) == "1.5 k"
    assert format_count(3_628_146_688) == "3.63 G"


# --- the HTML table that notebooks and the site display --------------------------------------


def parse_html(markup):
    """The table and its notes (one line each) as element trees: parsing fails unless the markup is well formed."""
    import xml.etree.ElementTree as ET

    wrap = ET.fromstring(markup)
    table, notes = wrap.find("table"), wrap.find("p")
    lines = [] if notes is None else [notes.text, *(br.tail for br in notes.iter("br"))]
    return table, lines


def test_html_table_has_header_rows_totals_and_the_flop_convention():
    from cnnguide.summary import FLOP_CONVENTION

    summary = summarize(models.create("lenet"))
    table, notes = parse_html(summary._repr_html_())
    assert table.tag == "table"
    assert [th.text for th in table.find("thead").iter("th")] == ["Layer", "Type", "Output shape", "Parameters",
                                                                  "FLOPs"]
    body = table.find("tbody").findall("tr")
    assert len(body) == len(summary.rows) == 12
    first = [td.text for td in body[0]]
    assert first == ["features.0", "Conv2d", "(1, 6, 28, 28)", "156", "235,200"]
    assert all("text-align: right" in td.get("style") for td in body[0][3:])
    assert "text-align: left" in body[0][0].get("style")
    footer = table.find("tfoot").findall("tr")
    assert [cell.text for cell in footer[0]] == ["Total", None, None, "61,706", "833,040"]
    assert any("416,520 multiply-accumulates" in note for note in notes)
    assert notes[-1] == FLOP_CONVENTION
    assert FLOP_CONVENTION.startswith("FLOPs count a multiply-accumulate as 2 operations")
    # The text table is unchanged by the HTML one: no totals row, no convention line.
    assert str(summary) == summary.table() and "Total" not in str(summary) and FLOP_CONVENTION not in str(summary)


def test_html_table_escapes_names_and_shows_unused_parameters():
    class Odd(nn.Module):
        def __init__(self):
            super().__init__()
            self.add_module("a<b>&c", nn.Linear(3, 2))
            self.unused = nn.Linear(5, 5)

        def forward(self, x):
            return getattr(self, "a<b>&c")(x)

    summary = summarize(Odd(), (1, 3))
    markup = summary._repr_html_()
    assert "a&lt;b&gt;&amp;c" in markup and "a<b>" not in markup
    table, notes = parse_html(markup)
    assert table.find("tbody").find("tr")[0].text == "a<b>&c"
    assert table.find("tfoot").find("tr")[0].text == "Total"
    assert "Parameters not used by this forward pass: 30" in notes
