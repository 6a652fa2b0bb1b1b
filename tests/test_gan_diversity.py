"""The seeded draw and the judge's diversity numbers that chapter 20 and the GAN scripts share."""

import math

import pytest
import torch
from torch import nn

from cnnguide.data import read_fashion_mnist
from cnnguide.gan import ConditionalDCGANGenerator, DCGANGenerator, judge_diversity, seeded_fakes


class Replay(nn.Module):
    """A 'generator' that returns given images (in tanh range), one per noise vector, ignoring the noise."""

    latent_dim = 3

    def __init__(self, images: torch.Tensor):
        super().__init__()
        self.register_buffer("images", images * 2 - 1)
        self.anchor = nn.Parameter(torch.zeros(()))  # a parameter, so the device can be read

    def forward(self, z):
        return self.images[: len(z)] + 0 * self.anchor


@pytest.fixture(scope="module")
def test_images():
    images, labels = read_fashion_mnist("test")
    return images[:400, None] / 255, labels[:400]


def test_same_seed_same_noise_for_every_generator_of_that_latent_size():
    torch.manual_seed(0)
    g = DCGANGenerator(width=8)
    h = DCGANGenerator(width=8)
    h.load_state_dict(g.state_dict())
    assert torch.equal(seeded_fakes(g, 6, seed=1), seeded_fakes(h, 6, seed=1))
    assert not torch.equal(seeded_fakes(g, 6, seed=1), seeded_fakes(g, 6, seed=2))


def test_seeded_fakes_is_the_generator_in_eval_mode_on_seeded_noise_and_restores_the_mode():
    torch.manual_seed(0)
    g = DCGANGenerator(width=8)
    z = torch.randn(5, 100, generator=torch.Generator().manual_seed(4))
    g.eval()
    with torch.no_grad():
        expected = (g(z) + 1) / 2
    g.train()
    assert torch.allclose(seeded_fakes(g, 5, seed=4), expected, atol=1e-6)
    assert g.training


def test_conditional_generator_is_asked_for_the_classes_in_turn():
    asked = []

    class Recorder(ConditionalDCGANGenerator):
        def forward(self, z, labels):
            asked.append(labels.clone())
            return super().forward(z, labels)

    seeded_fakes(Recorder(width=8), 12)
    assert asked[0].tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]


def test_diversity_of_real_images_is_the_datas(test_images):
    images, labels = test_images
    d = judge_diversity(Replay(images), images, n=len(images))
    counts = torch.bincount(labels, minlength=10).double()
    p = counts / counts.sum()
    data_entropy = -(p * p.log()).sum().item()
    assert d.entropy == pytest.approx(data_entropy, abs=0.1)  # the judge is ~93 % accurate
    assert d.largest < 0.2
    assert d.precision > 0.9 and d.recall > 0.9  # the same images: each is inside its own ball


def test_diversity_of_one_repeated_image_is_collapse(test_images):
    images, _ = test_images
    one = images[:1].expand(len(images), -1, -1, -1).clone()
    d = judge_diversity(Replay(one), images, n=len(images))
    assert d.entropy == pytest.approx(0.0, abs=1e-9) and d.largest == 1.0
    assert d.recall < 0.1
    assert not math.isnan(d.precision)


@pytest.mark.parametrize("n", [0, -3, 2.5, True])
def test_bad_sample_counts_are_refused(n):
    with pytest.raises(ValueError, match="n must be a positive number of samples"):
        seeded_fakes(DCGANGenerator(width=8), n)


def test_a_generator_without_latent_dim_is_refused():
    with pytest.raises(ValueError, match="has no latent_dim attribute"):
        seeded_fakes(nn.Linear(3, 3), 2)
