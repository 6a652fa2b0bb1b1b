"""The optimal discriminator and the generator losses' gradients, checked by code."""

import math

import pytest
import torch

from cnnguide.figures.gan_theory import generator_gradient_figure, optimal_discriminator_figure
from cnnguide.gan.losses import NonSaturatingLoss
from cnnguide.gan.nets import MLPDiscriminator
from cnnguide.gan.theory import generator_loss_gradient, optimal_discriminator, train_discriminator


def gaussian(x, mean, std):
    return torch.exp(-0.5 * ((x - mean) / std) ** 2) / (std * math.sqrt(2 * math.pi))


def test_d_star_maximises_the_pointwise_objective():
    a, b = torch.tensor(0.3, dtype=torch.float64), torch.tensor(0.9, dtype=torch.float64)
    y = torch.linspace(1e-4, 1 - 1e-4, 100_001, dtype=torch.float64)
    best = y[torch.argmax(a * torch.log(y) + b * torch.log1p(-y))]
    assert best.item() == pytest.approx(optimal_discriminator(a, b).item(), abs=1e-4)


def test_d_star_errors_name_the_problem():
    with pytest.raises(ValueError, match="one shape"):
        optimal_discriminator(torch.ones(2), torch.ones(3))
    with pytest.raises(ValueError, match="non-negative"):
        optimal_discriminator(torch.tensor([-1.0]), torch.ones(1))
    with pytest.raises(ValueError, match="both densities are 0"):
        optimal_discriminator(torch.zeros(1), torch.zeros(1))


def test_a_trained_discriminator_approaches_d_star():
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(1)
    real = torch.randn(4000, 1, generator=g) * 0.5 + 1.0
    fake = torch.randn(4000, 1, generator=g) * 0.5 - 0.5
    d = MLPDiscriminator(in_dim=1, hidden=32)
    losses = train_discriminator(d, real, fake, steps=600, lr=3e-3)
    x = torch.linspace(-1.0, 1.5, 26).unsqueeze(1)
    with torch.no_grad():
        trained = torch.sigmoid(d(x)).squeeze()
    expected = optimal_discriminator(gaussian(x, 1.0, 0.5), gaussian(x, -0.5, 0.5)).squeeze()
    assert (trained - expected).abs().max() < 0.1
    # At the optimum the loss is 2 log 2 - 2 JSD, below the 2 log 2 of a guessing D.
    assert losses[-1] < 2 * math.log(2) - 0.3


def test_gradients_are_autograds_of_the_losses():
    p = torch.tensor([0.01, 0.3, 0.9])
    assert torch.allclose(generator_loss_gradient("saturating", p), -p, atol=1e-6)
    assert torch.allclose(generator_loss_gradient("bce", p), -(1 - p), atol=1e-6)
    logits = torch.logit(p).requires_grad_()
    NonSaturatingLoss().generator_loss(logits).backward()
    assert torch.allclose(logits.grad * 3, generator_loss_gradient("bce", p), atol=1e-6)
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        generator_loss_gradient("bce", torch.tensor([0.0]))


def test_figures_draw_the_computed_curves():
    fig = generator_gradient_figure(num=50)
    lines = fig.axes[0].get_lines()
    assert len(lines) == 2 and "saturating" in fig.alt
    x = torch.linspace(-3, 3, 61)
    p, q = gaussian(x, 1, 0.5), gaussian(x, -1, 0.5)
    fig = optimal_discriminator_figure(x, p, q, optimal_discriminator(p, q), trained=torch.zeros(61))
    assert len(fig.axes) == 2 and "x ≈ 0.00" in fig.alt
    with pytest.raises(ValueError, match="one length"):
        optimal_discriminator_figure(x, p, q[:-1], p / (p + q))
