"""cnnguide.gan.nets: shapes, logits, DCGAN's layer rules and initialisation, the registry, summaries."""

import pytest
import torch
from torch import nn

from cnnguide.gan import nets, registry
from cnnguide.summary import summarize


def leaf_types(net, shape):
    return [row.type for row in summarize(net, shape).rows]


@pytest.mark.parametrize("width", [4, 16, 64])
def test_dcgan_shapes(width):
    g, d = nets.DCGANGenerator(latent_dim=20, width=width), nets.DCGANDiscriminator(width=width)
    x = g(torch.randn(3, 20))
    assert x.shape == (3, 1, 28, 28)
    assert d(x).shape == (3,)
    colour = nets.DCGANGenerator(width=width, out_channels=3)(torch.randn(2, 100))
    assert colour.shape == (2, 3, 28, 28)
    assert nets.DCGANDiscriminator(width=width, in_channels=3)(colour).shape == (2,)


def test_mlp_shapes():
    g, d = nets.MLPGenerator(latent_dim=5, hidden=7, layers=3, out_dim=4), nets.MLPDiscriminator(in_dim=4)
    x = g(torch.randn(6, 5))
    assert x.shape == (6, 4) and d(x).shape == (6,)
    assert sum(isinstance(m, nn.Linear) for m in g.modules()) == 4  # 3 hidden + output


def test_bad_inputs_and_options():
    with pytest.raises(ValueError, match=r"expected noise of shape \(N, 100\), got \(2, 100, 1, 1\)"):
        nets.DCGANGenerator()(torch.zeros(2, 100, 1, 1))
    with pytest.raises(ValueError, match=r"expected samples of shape \(N, 2\), got \(2, 3\)"):
        nets.MLPDiscriminator()(torch.zeros(2, 3))
    with pytest.raises(ValueError, match="width must be a positive integer, got 0"):
        nets.DCGANGenerator(width=0)
    with pytest.raises(ValueError, match="layers must be a positive integer, got 1.5"):
        nets.MLPGenerator(layers=1.5)


@pytest.mark.parametrize("d", [nets.DCGANDiscriminator(width=8), nets.MLPDiscriminator()])
def test_discriminators_return_logits_not_probabilities(d):
    assert not any(isinstance(m, (nn.Sigmoid, nn.Softmax)) for m in d.modules())
    last = [m for m in d.modules() if isinstance(m, (nn.Conv2d, nn.Linear))][-1]
    with torch.no_grad():
        last.weight.mul_(1000)
    x = torch.randn(32, 1, 28, 28) if isinstance(d, nets.DCGANDiscriminator) else torch.randn(32, 2)
    d.eval()
    assert d(x).abs().max() > 1  # a sigmoid would be inside (0, 1)
    with torch.no_grad():
        last.bias.fill_(-1e6)
    assert d(x).max() < 0


def test_dcgan_layer_rules():
    # Strided (transposed) convolutions only: no pooling, no fully connected layer; batch norm
    # everywhere except after G's output layer and D's input layer; ReLU/tanh in G, LeakyReLU in D.
    g, d = nets.DCGANGenerator(width=8), nets.DCGANDiscriminator(width=8)
    assert leaf_types(g, (2, 100)) == ["ConvTranspose2d", "BatchNorm2d", "ReLU", "ConvTranspose2d", "BatchNorm2d",
                                       "ReLU", "ConvTranspose2d", "Tanh"]
    assert leaf_types(d, (2, 1, 28, 28)) == ["Conv2d", "LeakyReLU", "Conv2d", "BatchNorm2d", "LeakyReLU", "Conv2d"]
    assert all(m.negative_slope == 0.2 for m in d.modules() if isinstance(m, nn.LeakyReLU))
    assert [m.stride for m in d.modules() if isinstance(m, nn.Conv2d)] == [(2, 2), (2, 2), (1, 1)]
    # A convolution followed by batch norm has no bias (the norm's shift replaces it); the others have one.
    assert [m.bias is not None for m in g.modules() if isinstance(m, nn.ConvTranspose2d)] == [False, False, True]
    assert [m.bias is not None for m in d.modules() if isinstance(m, nn.Conv2d)] == [True, False, True]


def test_dcgan_parameter_counts_by_hand():
    g, d = nets.dcgan_generator(), nets.dcgan_discriminator()
    assert sum(p.numel() for p in g.parameters()) == (100 * 128 * 49 + 2 * 128) + (128 * 64 * 16 + 2 * 64) + (
        64 * 1 * 16 + 1) == 759_681
    assert sum(p.numel() for p in d.parameters()) == (1 * 64 * 16 + 64) + (64 * 128 * 16 + 2 * 128) + (
        128 * 49 + 1) == 138_689


def test_dcgan_init_statistics():
    torch.manual_seed(0)
    g, d = nets.DCGANGenerator(), nets.DCGANDiscriminator()
    for net in (g, d):
        net.apply(nets.dcgan_init_)
    convs = [m for net in (g, d) for m in net.modules() if isinstance(m, nn.modules.conv._ConvNd)]
    weights = torch.cat([m.weight.flatten() for m in convs])
    assert abs(weights.mean().item()) < 1e-3 and weights.std().item() == pytest.approx(0.02, rel=0.01)
    norms = [m for net in (g, d) for m in net.modules() if isinstance(m, nn.BatchNorm2d)]
    scales = torch.cat([m.weight for m in norms])
    assert scales.mean().item() == pytest.approx(1.0, abs=0.005)
    assert scales.std().item() == pytest.approx(0.02, rel=0.15)  # 448 scales: a rough estimate
    biases = [m.bias for m in convs if m.bias is not None] + [m.bias for m in norms]
    assert biases and all(torch.count_nonzero(b) == 0 for b in biases)


def test_dcgan_init_covers_linear_and_leaves_others():
    torch.manual_seed(1)
    lin, relu = nn.Linear(500, 400), nn.ReLU()
    nets.dcgan_init_(lin)
    nets.dcgan_init_(relu)
    assert lin.weight.std().item() == pytest.approx(0.02, rel=0.01) and torch.count_nonzero(lin.bias) == 0


def test_default_init_redraws_from_the_seed():
    torch.manual_seed(0)
    a = nets.MLPGenerator(latent_dim=3)
    torch.manual_seed(5)
    b = nets.MLPGenerator(latent_dim=3)
    for net in (a, b):
        torch.manual_seed(2)
        net.apply(nets.default_init_)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


def test_registry():
    assert registry.names() == ["conditional_dcgan_generator", "dcgan_discriminator", "dcgan_generator",
                            "mlp_discriminator", "mlp_generator", "projection_discriminator"]
    assert isinstance(registry.create("mlp_generator", latent_dim=3), nets.MLPGenerator)
    assert registry.create("dcgan_discriminator", width=8).logit.in_channels == 16
    with pytest.raises(ValueError, match="unknown GAN network 'wgan'; known: conditional_dcgan_generator, dcgan_discriminator"):
        registry.create("wgan")
    with pytest.raises(ValueError, match=r"mlp_discriminator: unknown option\(s\) \['latent_dim'\]"):
        registry.create("mlp_discriminator", latent_dim=3)
    with pytest.raises(ValueError, match="input_shape knows the networks of cnnguide.gan.nets and cnnguide.gan.conditional, not Linear"):
        registry.input_shape(nn.Linear(2, 2))


@pytest.mark.parametrize("name", registry.names())
def test_summarize_tabulates_every_network(name):
    from cnnguide.gan.conditional import FixedLabel

    net = registry.create(name)
    # A conditional network takes a label too: FixedLabel calls it with one.
    summary = summarize(FixedLabel(net) if hasattr(net, "num_classes") else net, registry.input_shape(net))
    assert summary.total_parameters == sum(p.numel() for p in net.parameters())
    assert sum(r.parameters for r in summary.rows) == summary.total_parameters
    last = {"dcgan_generator": (1, 1, 28, 28), "dcgan_discriminator": (1, 1, 1, 1),  # flattened to (1,) after
            "mlp_generator": (1, 2), "mlp_discriminator": (1, 1),  # squeezed to (1,) after
            "conditional_dcgan_generator": (1, 1, 28, 28), "projection_discriminator": (1, 1, 1, 1)}
    assert summary.rows[-1].output_shape == last[name]
    text = summary.table()
    assert f"Parameters: {summary.total_parameters:,}" in text
    assert ("ConvTranspose2d" in text) == name.endswith("dcgan_generator")


def test_transposed_convolutions_are_counted_as_the_convolution_they_transpose():
    up, down = nn.ConvTranspose2d(8, 4, 4, stride=2, padding=1), nn.Conv2d(4, 8, 4, stride=2, padding=1)
    macs_up = summarize(up, (1, 8, 7, 7)).macs
    assert macs_up == summarize(down, (1, 4, 14, 14)).macs == 8 * 7 * 7 * 4 * 16
    # DCGAN's generator by hand: input elements x output channels x kernel area, layer by layer.
    g = nets.dcgan_generator()
    summary = summarize(g, registry.input_shape(g))
    assert [r.macs for r in summary.rows if r.type == "ConvTranspose2d"] == [
        100 * 128 * 49, 128 * 7 * 7 * 64 * 16, 64 * 14 * 14 * 1 * 16]
    assert summary.table().splitlines()[-1] == (
        "Per input of 100 values: 7,250,432 multiply-accumulates (7.25 M MACs) = 14,500,864 FLOPs (14.5 M)")
