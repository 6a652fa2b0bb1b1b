"""LeNet-5: the registered builder, its shapes, parameter count and both variants."""

import pytest
import torch
from torch import nn

from cnnguide import models
from cnnguide.models.lenet import LeNet


def shape_table(net: LeNet, size=(1, 1, 28, 28)):
    x = torch.zeros(size)
    table = []
    for layer in [*net.features, *net.classifier]:
        x = layer(x)
        table.append((type(layer).__name__, tuple(x.shape)))
    return table


def test_registered_and_parameter_count():
    net = models.create("lenet")
    assert isinstance(net, LeNet)
    assert sum(p.numel() for p in net.parameters()) == 61_706
    # The count by hand: conv weights + biases, then the three linear layers.
    by_hand = (1 * 6 * 25 + 6) + (6 * 16 * 25 + 16) + (400 * 120 + 120) + (120 * 84 + 84) + (84 * 10 + 10)
    assert by_hand == 61_706


def test_classic_shape_table():
    assert shape_table(models.create("lenet")) == [
        ("Conv2d", (1, 6, 28, 28)),
        ("Sigmoid", (1, 6, 28, 28)),
        ("AvgPool2d", (1, 6, 14, 14)),
        ("Conv2d", (1, 16, 10, 10)),
        ("Sigmoid", (1, 16, 10, 10)),
        ("AvgPool2d", (1, 16, 5, 5)),
        ("Flatten", (1, 400)),
        ("Linear", (1, 120)),
        ("Sigmoid", (1, 120)),
        ("Linear", (1, 84)),
        ("Sigmoid", (1, 84)),
        ("Linear", (1, 10)),
    ]


def test_layer_loop_equals_forward():
    torch.manual_seed(0)
    net = models.create("lenet")
    x = torch.randn(3, 1, 28, 28)
    y = x
    for layer in [*net.features, *net.classifier]:
        y = layer(y)
    torch.testing.assert_close(y, net(x))


def test_modern_variant_layers_and_shapes():
    net = models.create("lenet", variant="modern")
    kinds = [type(m) for m in net.modules()]
    assert nn.Sigmoid not in kinds and nn.AvgPool2d not in kinds
    assert kinds.count(nn.BatchNorm2d) == 2 and kinds.count(nn.BatchNorm1d) == 2
    assert kinds.count(nn.ReLU) == 4 and kinds.count(nn.MaxPool2d) == 2
    net.eval()
    shapes = [shape for name, shape in shape_table(net) if name in ("Conv2d", "MaxPool2d", "Flatten", "Linear")]
    assert shapes == [(1, 6, 28, 28), (1, 6, 14, 14), (1, 16, 10, 10), (1, 16, 5, 5), (1, 400), (1, 120), (1, 84), (1, 10)]


def test_modern_variant_trains_a_step():
    torch.manual_seed(0)
    net = models.create("lenet", variant="modern")
    x = torch.randn(16, 1, 28, 28)
    y = torch.randint(0, 10, (16,))
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    before = [p.detach().clone() for p in net.parameters()]
    losses = []
    for _ in range(5):
        loss = nn.functional.cross_entropy(net(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert all(p.grad is not None for p in net.parameters())
    assert any(not torch.equal(a, b) for a, b in zip(before, net.parameters()))
    assert losses[-1] < losses[0]


@pytest.mark.parametrize("variant", ["classic", "modern"])
def test_classes_and_channels(variant):
    net = models.create("lenet", num_classes=5, in_channels=3, variant=variant).eval()
    assert net(torch.zeros(2, 3, 28, 28)).shape == (2, 5)
    assert net.features[0].in_channels == 3


@pytest.mark.parametrize(
    "shape", [(1, 1, 32, 32), (1, 3, 28, 28), (1, 28, 28), (4, 1, 28, 29)]
)
def test_wrong_input_shape_names_it(shape):
    net = models.create("lenet")
    with pytest.raises(ValueError, match=r"\(N, 1, 28, 28\).*" + re_shape(shape)):
        net(torch.zeros(shape))


def re_shape(shape):
    return r"\(" + r", ".join(map(str, shape)) + r"\)"


def test_bad_options():
    with pytest.raises(ValueError, match="variant"):
        models.create("lenet", variant="lenet1")
    with pytest.raises(ValueError, match=r"lenet: unknown option\(s\) \['dropout'\]; known options: \['variant'\]"):
        models.create("lenet", dropout=0.5)
    with pytest.raises(ValueError, match="num_classes"):
        LeNet(num_classes=0)
