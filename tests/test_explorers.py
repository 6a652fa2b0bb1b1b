"""The Python side of the explorable figures: what goes into the page, and the exported network.

The page's JavaScript is tested in headless Chromium by ``tests/test_site_explorers.py``.
"""

from __future__ import annotations

import base64
import json
from html.parser import HTMLParser

import numpy as np
import pytest
import torch
from torch import nn

from cnnguide import models
from cnnguide.figures import BookFigure
from cnnguide.figures.explorers import (
    EXPLORER_LIMITS,
    Explorer,
    LiveNetwork,
    convolution_explorer,
    input_pattern,
    kernel_pattern,
    live_lenet,
    pooling_explorer,
)
from cnnguide.figures.network_export import SUPPORTED_LAYERS, lenet_export, load_export


class Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.scripts, self._in_script = [], [], False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)

    def handle_endtag(self, tag):
        self._in_script = False


def parse(html: str) -> Tags:
    parser = Tags()
    parser.feed(html)
    return parser


def mount_point(html: str) -> dict:
    return parse(html).tags[0][1]


# --- explorers ------------------------------------------------------------------------------


def test_convolution_explorer_puts_its_settings_and_values_in_data_attributes():
    X, K = torch.arange(16.0).reshape(4, 4) - 5, torch.tensor([[1.0, -1.0], [0.5, 2.0]])
    explorer = convolution_explorer(X, K, padding=1, stride=2)
    html = explorer._repr_html_()
    attrs = mount_point(html)
    assert attrs["class"] == "cnnguide-explorer" and attrs["data-cnnguide"] == "convolution"
    assert json.loads(attrs["data-settings"]) == {"n": 4, "kernel_size": 2, "padding": 1, "stride": 2, "dilation": 1}
    assert json.loads(attrs["data-input"]) == X.tolist()
    assert json.loads(attrs["data-kernel"]) == K.tolist()
    assert {k: tuple(v) for k, v in json.loads(attrs["data-limits"]).items()} == EXPLORER_LIMITS
    assert "data-search-exclude" in attrs
    # The static figure for the same settings is inside, as the no-JavaScript fallback.
    tags = parse(html).tags
    assert ("figure", {"class": "cnnguide-fallback"}) in tags
    image = next(a for t, a in tags if t == "img")
    assert image["src"].startswith("data:image/png;base64,") and "stride 2" in image["alt"]
    assert isinstance(explorer.fallback, BookFigure) and repr(explorer).startswith("Explorer('convolution'")


@pytest.mark.parametrize(
    ("options", "caption"),
    [
        ({}, "0×1 + 1×2 + 2×3 + 5×0 + 6×1 + 7×2 + 0×3 + 1×0 + 2×1 = 30"),
        ({"padding": 1}, "output height = width = ⌊(5 + 2·1 − 3)/1⌋ + 1 = 5"),
        ({"stride": 2}, "output height = width = ⌊(5 + 2·0 − 3)/2⌋ + 1 = 2"),
        ({"dilation": 2}, "output size ⌊(5 + 2·0 − 2·(3 − 1) − 1)/1⌋ + 1 = 1;   first cell: "),
    ],
)
def test_the_fallback_is_the_chapters_figure_for_those_settings(options, caption):
    explorer = convolution_explorer(**options)  # 5 x 5 input pattern, 3 x 3 kernel pattern
    assert explorer.settings["n"] == 5 and explorer.settings["kernel_size"] == 3
    assert explorer.input is None and explorer.kernel is None  # the page makes the same patterns
    assert explorer.fallback.get_supxlabel().startswith(caption)


def test_dilated_fallback_writes_out_the_first_window_with_torchs_value():
    X, K = np.arange(25.0).reshape(5, 5), np.ones((2, 2))
    fig = convolution_explorer(X, K, dilation=3).fallback
    value = torch.nn.functional.conv2d(torch.tensor(X)[None, None], torch.tensor(K)[None, None], dilation=3)[0, 0, 0, 0]
    assert fig.get_supxlabel().endswith(f"first cell: 0×1 + 3×1 + 15×1 + 18×1 = {int(value)}")
    assert value == 36


def test_patterns():
    assert input_pattern(4)[3] == [2, 3, 4, 5]
    assert kernel_pattern(3) == [[1, 2, 3], [0, 1, 2], [3, 0, 1]]
    assert all(any(v for row in kernel_pattern(k) for v in row) for k in range(1, 8))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: convolution_explorer(n=11), "n must be an integer from 1 to 10 in an explorer, got 11"),
        (lambda: convolution_explorer(padding=5), "padding must be an integer from 0 to 4"),
        (lambda: convolution_explorer(stride=True), "stride must be an integer from 1 to 4 in an explorer, got True"),
        (lambda: convolution_explorer(dilation=1.0), "dilation must be an integer from 1 to 3"),
        (lambda: convolution_explorer(torch.zeros(3, 4)), r"X must be square in an explorer, got shape \(3, 4\)"),
        (lambda: convolution_explorer(torch.zeros(3, 3), n=4), r"n=4 contradicts X of shape \(3, 3\)"),
        (lambda: convolution_explorer(torch.zeros(11, 11)), "n must be an integer from 1 to 10"),
        (lambda: convolution_explorer(torch.full((2, 2), float("nan"))), "X must hold finite numbers"),
        (lambda: convolution_explorer(n=2, kernel_size=3), "kernel_size 3 with dilation 1 spans 3 pixels, more than"),
        (lambda: pooling_explorer(n=4, pool_size=3, padding=2), "padding 2 is more than half of pool_size 3"),
        (lambda: pooling_explorer(mode="avg", dilation=2), "average pooling has no dilation in PyTorch"),
        (lambda: pooling_explorer(mode="min"), "mode must be 'max' or 'avg', got 'min'"),
        (lambda: pooling_explorer(n=2, pool_size=3), "kernel_size 3 with dilation 1 spans 3 pixels"),
    ],
)
def test_explorers_refuse_bad_settings(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_pooling_explorer():
    explorer = pooling_explorer(torch.arange(16.0).reshape(4, 4), 2, stride=2, mode="avg")
    attrs = mount_point(explorer._repr_html_())
    assert attrs["data-cnnguide"] == "pooling" and "data-kernel" not in attrs
    assert json.loads(attrs["data-settings"])["mode"] == "avg"
    assert explorer.fallback.get_supxlabel() == "max(0, 1, 4, 5) = 5     mean(0, 1, 4, 5) = 2.5"
    padded = pooling_explorer(n=3, pool_size=3, padding=1).fallback.get_supxlabel()
    assert padded.endswith("first cell: max(−∞, −∞, −∞, −∞, 0, 1, −∞, 3, 4) = 4")
    averaged = pooling_explorer(n=3, pool_size=3, padding=1, mode="avg").fallback.get_supxlabel()
    assert averaged.endswith("first cell: mean(0, 0, 0, 0, 0, 1, 0, 3, 4) = 0.89")


# --- the exported network -------------------------------------------------------------------


def randomised(net: nn.Module) -> nn.Module:
    torch.manual_seed(0)
    for m in net.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            m.running_mean.uniform_(-1, 1)
            m.running_var.uniform_(0.2, 3)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-1, 1)
    return net


@pytest.mark.parametrize("variant", ["classic", "modern"])
def test_lenet_export_round_trip(variant):
    net = randomised(models.create("lenet", variant=variant)).eval()
    manifest, data = lenet_export(net)
    stored = sum(p.numel() for p in net.parameters()) + sum(
        b.numel() for name, b in net.named_buffers() if name.endswith(("running_mean", "running_var")))
    assert manifest["parameter_count"] == stored and len(data) == 4 * stored
    assert manifest["input_shape"] == [1, 28, 28] and manifest["variant"] == variant
    assert manifest["classes"][7] == "sneaker" and manifest["byte_order"] == "little"
    assert json.loads(json.dumps(manifest)) == manifest
    # The first weight, read by hand as little-endian float32.
    assert np.frombuffer(data[:4], "<f4")[0] == net.features[0].weight.flatten()[0].item()
    copy = load_export(manifest, data)
    x = torch.rand(3, 1, 28, 28)
    with torch.no_grad():
        assert torch.equal(copy(x), net(x))
    names = [layer["name"] for layer in manifest["layers"]]
    assert names[0] == "features.0"
    assert names[-1] == ("classifier.7" if variant == "modern" else "classifier.5")


def test_lenet_export_of_a_sequential():
    net = nn.Sequential(nn.Conv2d(3, 4, 3, stride=2, padding=1, dilation=2, bias=False),
                        nn.Sequential(nn.Tanh(), nn.MaxPool2d(3, padding=1, dilation=2)), nn.Flatten(),
                        nn.Linear(4, 2)).eval()
    manifest, data = lenet_export(net, input_shape=(3, 9, 9))
    assert [layer["name"] for layer in manifest["layers"]] == ["0", "1.0", "1.1", "2", "3"]
    conv, _, pool = manifest["layers"][:3]
    assert conv["stride"] == [2, 2] and conv["dilation"] == [2, 2] and list(conv["params"]) == ["weight"]
    assert pool["stride"] == [3, 3] and pool["dilation"] == [2, 2] and manifest["classes"] is None
    x = torch.randn(2, 3, 9, 9)
    with torch.no_grad():
        assert torch.equal(load_export(manifest, data)(x), net(x))


@pytest.mark.parametrize(
    ("net", "message"),
    [
        (nn.Sequential(nn.GELU()), "layer 0 is a GELU; the page runs only Conv2d"),
        (nn.Sequential(nn.Conv2d(2, 2, 3, groups=2)), "layer 0: the page runs Conv2d with groups=1"),
        (nn.Sequential(nn.Conv2d(1, 2, 3, padding="same")), "padding='same'"),
        (nn.Sequential(nn.Conv2d(1, 2, 3, padding_mode="reflect")), "padding_mode='reflect'"),
        (nn.Sequential(nn.MaxPool2d(2, ceil_mode=True)), "ceil_mode=True is not supported"),
        (nn.Sequential(nn.AvgPool2d(2, padding=1, count_include_pad=False)), "count_include_pad=True"),
        (nn.Sequential(nn.BatchNorm2d(2, track_running_stats=False)), "batch norm without running statistics"),
        (nn.Sequential(nn.Flatten(start_dim=2)), r"only Flatten\(start_dim=1, end_dim=-1\)"),
        (nn.Conv2d(1, 1, 3), "lenet_export needs a LeNet or an nn.Sequential, got Conv2d"),
    ],
)
def test_lenet_export_refuses_what_the_page_cannot_run(net, message):
    with pytest.raises(ValueError, match=message):
        lenet_export(net, input_shape=(1, 8, 8))


def test_lenet_export_needs_an_input_shape_and_load_export_checks_the_data():
    with pytest.raises(ValueError, match=r"input_shape \(C, H, W\) is needed"):
        lenet_export(nn.Sequential(nn.ReLU()))
    manifest, data = lenet_export(models.create("lenet"))
    with pytest.raises(ValueError, match="the manifest lists 61706 float32 values, the data holds 61705"):
        load_export(manifest, data[:-4])
    with pytest.raises(ValueError, match="not a cnnguide-network manifest of version 1"):
        load_export({**manifest, "version": 2}, data)
    assert set(SUPPORTED_LAYERS) >= {layer["type"] for layer in manifest["layers"]}


# --- the live network -----------------------------------------------------------------------


def payload_of(live: LiveNetwork) -> dict:
    tags = parse(live._repr_html_())
    assert tags.tags[0][1]["class"] == "cnnguide-network" and tags.tags[0][1]["data-cnnguide"] == "network"
    assert ("script", {"type": "application/json", "class": "cnnguide-network-data"}) in tags.tags
    return json.loads("".join(tags.scripts))


def test_live_lenet_embeds_weights_images_and_torchs_logits():
    net = randomised(models.create("lenet", variant="modern")).train()
    images = torch.randint(0, 256, (4, 1, 28, 28)).float() / 255
    live = live_lenet(net, images, torch.tensor([7, 0, 1, 2]))
    assert net.training, "the network's mode is restored"
    payload = payload_of(live)
    data = base64.b64decode(payload["weights"])
    assert payload["manifest"] == live.manifest and data == live.data
    samples = payload["samples"]
    assert samples["dtype"] == "uint8" and samples["shape"] == [4, 1, 28, 28] and samples["labels"] == [7, 0, 1, 2]
    decoded = torch.tensor(np.frombuffer(base64.b64decode(samples["data"]), np.uint8).reshape(4, 1, 28, 28)) / 255
    assert torch.equal(decoded.float(), images)
    with torch.no_grad():
        expected = net.eval()(images)
    assert torch.equal(torch.tensor(samples["logits"]), expected)
    assert torch.equal(load_export(payload["manifest"], data)(images), expected)
    wrong = sum(int(t) != int(p) for t, p in zip([7, 0, 1, 2], expected.argmax(1)))
    assert f"{wrong} of the 4 predictions" in live.fallback.alt
    assert repr(live) == "LiveNetwork(16 layers, 62,384 values, 4 samples)"


def test_live_lenet_keeps_inexact_images_as_float32_and_escapes_the_script():
    images = torch.full((1, 1, 28, 28), 0.3)
    live = live_lenet(models.create("lenet"), images)
    assert live.samples["dtype"] == "float32" and live.samples["labels"] is None
    decoded = np.frombuffer(base64.b64decode(live.samples["data"]), "<f4")
    assert np.array_equal(decoded, images.flatten().numpy())
    live.manifest["classes"] = ["</script><b>x"] + live.manifest["classes"][1:]
    html = live._repr_html_()
    assert html.count("</script>") == 1 and payload_of(live)["manifest"]["classes"][0] == "</script><b>x"


@pytest.mark.parametrize(
    ("images", "labels", "message"),
    [
        (torch.zeros(17, 1, 28, 28), None, r"1 <= N <= 16, got shape \(17, 1, 28, 28\)"),
        (torch.zeros(28, 28), None, r"images must be \(N, C, H, W\) or \(N, H, W\)"),
        (torch.full((1, 28, 28), 2.0), None, r"values in \[0, 1\]"),
        (torch.zeros(2, 1, 32, 32), None, r"images have shape \(1, 32, 32\), the network takes \(1, 28, 28\)"),
        (torch.zeros(2, 1, 28, 28), [1], "got 1 labels for 2 images"),
    ],
)
def test_live_lenet_refuses_bad_images(images, labels, message):
    with pytest.raises(ValueError, match=message):
        live_lenet(models.create("lenet"), images, labels)


def test_explorer_is_exported():
    from cnnguide.figures import explorers

    assert {"Explorer", "LiveNetwork", "live_lenet", "lenet_export"} <= set(explorers.__all__)
    assert Explorer.__module__ == "cnnguide.figures.explorers"
