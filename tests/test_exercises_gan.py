"""The exercises of chapters 17 and 18 (GANs): every number an answer writes is what the library computes."""

import math

import torch

from _exercises import answers, assert_states
from cnnguide.gan import mode_coverage, ring_centers, ring_of_gaussians
from cnnguide.gan.nets import DCGANDiscriminator, DCGANGenerator, MLPDiscriminator, MLPGenerator
from cnnguide.gan.theory import generator_loss_gradient, optimal_discriminator
from cnnguide.ops import conv_output_size, conv_transpose_output_size


def count(net):
    return sum(p.numel() for p in net.parameters())


def test_every_exercise_is_answered():
    assert len(answers(17)) == 5
    assert len(answers(18)) == 4


def test_ch17_optimal_discriminator():
    d = optimal_discriminator(torch.tensor([3.0]), torch.tensor([1.0])).item()
    assert_states(17, 1, d, "{:.2f}")


def test_ch17_gradient_ratio():
    p = torch.tensor([0.01], dtype=torch.float64)
    saturating, bce = generator_loss_gradient("saturating", p), generator_loss_gradient("bce", p)
    assert_states(17, 2, saturating.item(), "{:.2f}")
    assert_states(17, 2, bce.item(), "{:.2f}")
    assert_states(17, 2, round((bce / saturating).item()))


def test_ch17_two_modes():
    ring = ring_of_gaussians(4000, seed=0)
    angle = torch.atan2(ring[:, 1], ring[:, 0])
    two = ring[(angle.abs() < 0.1) | ((angle - math.pi / 2).abs() < 0.1)]
    result = mode_coverage(two, ring_centers(), std=0.02)
    assert_states(17, 3, result.modes)
    assert abs(result.reverse_kl - math.log(4)) < 0.01
    assert_states(17, 3, math.log(4), "{:.3f}")


def test_ch17_mlp_parameters():
    assert_states(17, 5, count(MLPGenerator(latent_dim=16)))
    assert_states(17, 5, count(MLPDiscriminator()))


def test_ch18_sizes():
    up = conv_transpose_output_size(7, 4, padding=1, stride=2)
    assert_states(18, 1, up)
    assert conv_output_size(up, 4, padding=1, stride=2) == 7
    assert conv_output_size(7, 3, padding=1, stride=2) == conv_output_size(8, 3, padding=1, stride=2) == 4
    assert_states(18, 2, conv_transpose_output_size(4, 3, padding=1, stride=2))
    assert conv_transpose_output_size(4, 3, padding=1, stride=2, output_padding=1) == 8


def test_ch18_parameters():
    g, d = DCGANGenerator(latent_dim=100, width=32), DCGANDiscriminator(width=32)
    assert_states(18, 3, count(g))
    assert_states(18, 3, g.project[0].weight.numel())
    assert_states(18, 3, count(d))


# --- chapters 19 (conditional GAN) and 20 (mode collapse) ---------------------------------------------


def test_ch19_and_ch20_every_exercise_is_answered():
    assert len(answers(19)) == 4
    assert len(answers(20)) == 4


def test_ch19_extra_parameters_of_the_conditional_networks():
    from cnnguide.gan import ConditionalDCGANGenerator, ProjectionDiscriminator

    g_extra = count(ConditionalDCGANGenerator(width=32)) - count(DCGANGenerator(width=32))
    d_extra = count(ProjectionDiscriminator(width=32)) - count(DCGANDiscriminator(width=32))
    assert_states(19, 1, g_extra)
    assert_states(19, 1, 10 * 64 * 49)
    assert_states(19, 2, d_extra)
    assert_states(19, 2, 64 * 7 * 7)


def test_ch20_reverse_kl_of_one_and_two_modes():
    centers = ring_centers()
    one = mode_coverage(centers[:1].repeat(100, 1), centers, std=0.02)
    two = mode_coverage(centers[:2].repeat(50, 1), centers, std=0.02)
    assert_states(20, 1, one.reverse_kl, "{:.3f}")
    assert_states(20, 1, two.reverse_kl, "{:.3f}")


def test_ch20_packed_discriminator_and_gradient_penalty():
    from cnnguide.gan import WGANGPLoss

    d = MLPDiscriminator(pack=2)
    assert_states(20, 2, d.net[0].in_features)
    assert_states(20, 2, d(torch.randn(64, 2)).shape[0])
    critic = torch.nn.Linear(2, 1, bias=False)
    with torch.no_grad():
        critic.weight.copy_(torch.tensor([[3.0, 0.0]]))
    penalty = WGANGPLoss(gp_weight=0.1).discriminator_penalty(
        lambda x: critic(x).flatten(), torch.randn(16, 2), torch.randn(16, 2), generator=torch.Generator().manual_seed(0))
    assert_states(20, 3, penalty.item(), "{:.1f}")
