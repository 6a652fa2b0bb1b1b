"""cnnguide.figures.networks: gradient norms by depth."""

import math
import warnings

import pytest
import torch
from torch import nn

from cnnguide import figures


def render(fig):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert fig.to_png()[:4] == b"\x89PNG"


def test_draws_measured_norms_of_a_real_stack():
    torch.manual_seed(0)
    net = nn.Sequential(*[nn.Sequential(nn.Linear(8, 8), nn.Tanh()) for _ in range(5)])
    net(torch.randn(4, 8)).sum().backward()
    norms = [float(layer[0].weight.grad.norm()) for layer in net]
    fig = figures.gradient_norms_by_depth({"tanh stack": norms}, title="t")
    render(fig)
    (line,) = fig.axes[0].get_lines()
    assert list(line.get_xdata()) == [1, 2, 3, 4, 5]
    assert all(math.isclose(a, b) for a, b in zip(line.get_ydata(), norms))
    assert fig.axes[0].get_yscale() == "log"
    assert f"ratio {norms[0] / norms[-1]:.3g}" in fig.alt


@pytest.mark.parametrize("norms, match", [
    ({}, "at least one"),
    ({"a": []}, "non-empty"),
    ({"a": [1.0, 0.0]}, "positive finite"),
    ({"a": [1.0, float("nan")]}, "positive finite"),
])
def test_rejects_what_a_log_axis_cannot_show(norms, match):
    with pytest.raises(ValueError, match=match):
        figures.gradient_norms_by_depth(norms)
