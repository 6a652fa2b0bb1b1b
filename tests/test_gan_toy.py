"""The 2-D toy data (ring, grid), the mode-coverage measure with known answers, and their figures."""

import math
import re

import pytest
import torch
from torch import nn

from cnnguide.figures import BookFigure, plot_decision_surface, plot_ring_samples
from cnnguide.gan.coverage import ModeCoverage, mode_coverage
from cnnguide.gan.toy_data import grid_centers, grid_of_gaussians, ring_centers, ring_of_gaussians

LN8, LN25 = math.log(8), math.log(25)


# --- toy data ---------------------------------------------------------------------------


def test_ring_centers_are_distinct_and_evenly_spaced():
    c = ring_centers(8, radius=2.0)
    assert c.shape == (8, 2) and c.dtype == torch.float32
    torch.testing.assert_close(c.norm(dim=1), torch.full((8,), 2.0))
    angles = torch.atan2(c[:, 1].double(), c[:, 0].double()) % (2 * math.pi)
    torch.testing.assert_close(angles, 2 * math.pi * torch.arange(8, dtype=torch.float64) / 8,
                               atol=1e-6, rtol=0)
    gaps = torch.cdist(c, c) + torch.eye(8) * 10
    # Neighbours on a circle of radius 2 with 8 points: chord 2 * 2 * sin(pi / 8).
    assert gaps.min().item() == pytest.approx(4 * math.sin(math.pi / 8), rel=1e-5)


def test_grid_centers_are_pacgans_grid():
    c = grid_centers()
    expected = torch.tensor([[i, j] for i in range(-4, 5, 2) for j in range(-4, 5, 2)], dtype=torch.float32)
    assert torch.equal(c, expected)
    assert grid_centers(3, spacing=1.5).tolist()[0] == [-1.5, -1.5]


@pytest.mark.parametrize("sample, centers, std", [
    (lambda n, seed: ring_of_gaussians(n, seed=seed), ring_centers(), 0.02),
    (lambda n, seed: grid_of_gaussians(n, seed=seed), grid_centers(), 0.05),
    (lambda n, seed: ring_of_gaussians(n, modes=5, radius=1.0, std=0.1, seed=seed), ring_centers(5, 1.0), 0.1),
])
def test_samples_are_centres_plus_gaussian_noise(sample, centers, std):
    x = sample(20_000, 0)
    assert x.shape == (20_000, 2) and x.dtype == torch.float32
    nearest = torch.cdist(x, centers).argmin(dim=1)
    noise = x - centers[nearest]
    # Every mode is used about equally often, and the noise has the stated spread.
    share = torch.bincount(nearest, minlength=len(centers)).float() / len(x)
    assert (share - 1 / len(centers)).abs().max() < 0.015
    assert noise.mean(dim=0).abs().max() < 0.05 * std
    assert noise.std(dim=0).sub(std).abs().max() < 0.03 * std


def test_seed_reproduces_and_the_global_rng_is_untouched():
    torch.manual_seed(123)
    before = torch.random.get_rng_state()
    a, b = ring_of_gaussians(100, seed=7), ring_of_gaussians(100, seed=7)
    unseeded_1, unseeded_2 = grid_of_gaussians(100), grid_of_gaussians(100)
    assert torch.equal(torch.random.get_rng_state(), before)
    assert torch.equal(a, b)
    assert not torch.equal(a, ring_of_gaussians(100, seed=8))
    assert not torch.equal(unseeded_1, unseeded_2)


@pytest.mark.parametrize("call, message", [
    (lambda: ring_of_gaussians(0), "n must be an integer >= 1, got 0"),
    (lambda: ring_of_gaussians(2.5), "n must be an integer >= 1, got 2.5"),
    (lambda: ring_of_gaussians(10, modes=0), "modes must be an integer >= 1, got 0"),
    (lambda: ring_of_gaussians(10, std=-0.1), "std must be a positive finite number, got -0.1"),
    (lambda: ring_of_gaussians(10, std=float("nan")), "std must be a positive finite number, got nan"),
    (lambda: ring_of_gaussians(10, std=True), "std must be a positive finite number, got True"),
    (lambda: ring_of_gaussians(10, radius=0.0), "radius must be a positive finite number, got 0.0"),
    (lambda: ring_of_gaussians(10, seed="0"), "seed must be an int or None, got '0'"),
    (lambda: grid_of_gaussians(10, side=0), "side must be an integer >= 1, got 0"),
    (lambda: grid_of_gaussians(10, spacing=-2), "spacing must be a positive finite number, got -2"),
    (lambda: grid_of_gaussians(10, std=0), "std must be a positive finite number, got 0"),
    (lambda: ring_centers(modes=True), "modes must be an integer >= 1, got True"),
])
def test_toy_data_rejects_bad_arguments(call, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


# --- mode coverage ------------------------------------------------------------------------


@pytest.mark.parametrize("sample, centers, std, modes", [
    (lambda: ring_of_gaussians(10_000, seed=1), ring_centers(), 0.02, 8),
    (lambda: grid_of_gaussians(10_000, seed=1), grid_centers(), 0.05, 25),
])
def test_real_samples_cover_every_mode_evenly(sample, centers, std, modes):
    result = mode_coverage(sample(), centers, std)
    assert isinstance(result, ModeCoverage)
    assert result.modes == modes == len(result.counts)
    # A 2-D Gaussian puts 1 - exp(-9/2) = 98.9% of its mass within 3 sigma of its mean (see below).
    assert result.high_quality > 0.98
    assert result.reverse_kl < 0.01
    assert sum(result.counts) == round(result.high_quality * 10_000)


def test_high_quality_fraction_is_the_3_sigma_disc_mass():
    # In 2-D, |noise| / std is chi with 2 degrees of freedom: P(r < 3) = 1 - exp(-9/2).
    result = mode_coverage(ring_of_gaussians(200_000, seed=2), ring_centers(), 0.02)
    assert result.high_quality == pytest.approx(1 - math.exp(-4.5), abs=0.002)


@pytest.mark.parametrize("centers, std, ln_m", [(ring_centers(), 0.02, LN8), (grid_centers(), 0.05, LN25)])
def test_samples_from_one_mode(centers, std, ln_m):
    g = torch.Generator().manual_seed(0)
    x = centers[3] + std * torch.randn(5000, 2, generator=g)
    result = mode_coverage(x, centers, std)
    assert result.modes == 1
    assert result.counts[3] == sum(result.counts)
    assert result.reverse_kl == pytest.approx(ln_m, abs=1e-6)


@pytest.mark.parametrize("centers, std, limit", [(ring_centers(), 0.02, 0.05), (grid_centers(), 0.05, 0.05)])
def test_uniform_noise_is_mostly_low_quality(centers, std, limit):
    g = torch.Generator().manual_seed(0)
    side = 3.0 if len(centers) == 8 else 5.0
    x = (torch.rand(20_000, 2, generator=g) * 2 - 1) * side
    result = mode_coverage(x, centers, std)
    # The discs of radius 3*std cover len(centers) * pi * (3 std)^2 of the (2*side)^2 square.
    expected = len(centers) * math.pi * (3 * std) ** 2 / (2 * side) ** 2
    assert result.high_quality < limit
    assert result.high_quality == pytest.approx(expected, abs=0.005)


def test_two_modes_and_min_count():
    centers = ring_centers()
    x = torch.cat([centers[0].repeat(30, 1), centers[4].repeat(10, 1), torch.tensor([[9.0, 9.0]])])
    result = mode_coverage(x, centers, 0.02)
    assert result.counts == (30, 0, 0, 0, 10, 0, 0, 0)
    assert result.modes == 2
    assert result.high_quality == pytest.approx(40 / 41)
    p = [0.75, 0.25]
    assert result.reverse_kl == pytest.approx(sum(q * math.log(q * 8) for q in p), abs=1e-12)
    assert mode_coverage(x, centers, 0.02, min_count=11).modes == 1
    assert mode_coverage(x, centers, 0.02, min_count=31).modes == 0


def test_threshold_is_strict_and_in_standard_deviations():
    centers = torch.tensor([[0.0, 0.0], [10.0, 0.0]], dtype=torch.float64)
    # Distances 1.25, 1.5 (exactly 3 std: not counted, as PacGAN's `min_dis < dis_thre`) and 1.75.
    x = torch.tensor([[1.25, 0.0], [0.0, 1.5], [-1.75, 0.0], [11.0, 0.0]], dtype=torch.float64)
    assert mode_coverage(x, centers, 0.5).counts == (1, 1)
    assert mode_coverage(x, centers, 0.5, threshold=3.6).counts == (3, 1)
    assert mode_coverage(x, centers, 0.25, threshold=6.0).counts == (1, 1)
    assert mode_coverage(x, centers, 0.5, threshold=2.0).counts == (0, 0)  # 11 is exactly 2 std from 10


def test_no_high_quality_sample_gives_nan_reverse_kl():
    result = mode_coverage(torch.full((5, 2), 50.0), ring_centers(), 0.02)
    assert (result.modes, result.high_quality, result.counts) == (0, 0.0, (0,) * 8)
    assert math.isnan(result.reverse_kl)
    assert str(result) == "0/8 modes, 0.0% high quality, reverse KL nan"


def test_str_is_short():
    result = mode_coverage(ring_centers(), ring_centers(), 0.02)
    assert str(result) == "8/8 modes, 100.0% high quality, reverse KL 0.000"
    with pytest.raises(AttributeError):
        result.modes = 3  # frozen


@pytest.mark.parametrize("call, message", [
    (lambda: mode_coverage(torch.zeros(10), ring_centers(), 0.02),
     "samples must be 2-D, got a 1-D tensor of shape (10,)"),
    (lambda: mode_coverage(torch.zeros(10, 2, 1), ring_centers(), 0.02),
     "samples must be 2-D, got a 3-D tensor of shape (10, 2, 1)"),
    (lambda: mode_coverage(torch.zeros(0, 2), ring_centers(), 0.02),
     "samples must have shape (count, dims) with both >= 1, got (0, 2)"),
    (lambda: mode_coverage(torch.zeros(10, 3), ring_centers(), 0.02),
     "samples of shape (10, 3) and centers of shape (8, 2) differ in dimension: 3 vs 2"),
    (lambda: mode_coverage(torch.zeros(10, 2), ring_centers()[0], 0.02),
     "centers must be 2-D, got a 1-D tensor of shape (2,)"),
    (lambda: mode_coverage(torch.zeros(10, 2, dtype=torch.long), ring_centers(), 0.02),
     "samples must be a floating-point tensor, got dtype torch.int64"),
    (lambda: mode_coverage([[0.0, 0.0]], ring_centers(), 0.02), "samples must be a torch.Tensor, got list"),
    (lambda: mode_coverage(torch.zeros(10, 2), ring_centers(), 0.0), "std must be a positive finite number, got 0.0"),
    (lambda: mode_coverage(torch.zeros(10, 2), ring_centers(), -1), "std must be a positive finite number, got -1"),
    (lambda: mode_coverage(torch.zeros(10, 2), ring_centers(), 0.02, threshold=0),
     "threshold must be a positive finite number, got 0"),
    (lambda: mode_coverage(torch.zeros(10, 2), ring_centers(), 0.02, min_count=0),
     "min_count must be an integer >= 1, got 0"),
])
def test_mode_coverage_rejects_bad_arguments(call, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


# --- figures of the 2-D data ----------------------------------------------------------------

def check_book_figure(fig, n_axes):
    assert isinstance(fig, BookFigure)
    assert len(fig.axes) == n_axes
    assert fig.alt.strip()
    assert fig.to_png()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_ring_samples_one_panel_per_step_in_order():
    real = ring_of_gaussians(300, seed=0)
    generated = {2000: real[:100], 0: torch.randn(50, 2), 500: 0.5 * real[:80]}
    fig = plot_ring_samples(real, generated, centers=ring_centers())
    check_book_figure(fig, 3)
    assert [ax.get_title() for ax in fig.axes] == ["step 0", "step 500", "step 2000"]
    assert fig.alt == ("3 scatter plot(s), one per training step (0, 500, 2000): 300 real points in grey and "
                       "the generated points in orange (50, 80, 100 of them), with the 8 mode centres circled.")
    # Real, generated and the centres in every panel; all panels share the limits.
    assert all(len(ax.collections) == 3 for ax in fig.axes)
    assert len({ax.get_xlim() for ax in fig.axes}) == 1
    fig = plot_ring_samples(grid_of_gaussians(100, seed=0), {7: torch.zeros(5, 2)})
    check_book_figure(fig, 1)
    assert len(fig.axes[0].collections) == 2 and "centres" not in fig.alt


@pytest.mark.parametrize("call, message", [
    (lambda: plot_ring_samples(torch.zeros(5, 3), {0: torch.zeros(5, 2)}), "real must have shape (n, 2) with n >= 1"),
    (lambda: plot_ring_samples(torch.zeros(5, 2), [torch.zeros(5, 2)]),
     "generated_by_step must be a dict of step -> samples, got list"),
    (lambda: plot_ring_samples(torch.zeros(5, 2), {}), "generated_by_step must hold 1 to 8 steps, got 0"),
    (lambda: plot_ring_samples(torch.zeros(5, 2), {k: torch.zeros(1, 2) for k in range(9)}),
     "generated_by_step must hold 1 to 8 steps, got 9"),
    (lambda: plot_ring_samples(torch.zeros(5, 2), {"end": torch.zeros(5, 2)}),
     "generated_by_step's keys must be training steps (ints), got ['end']"),
    (lambda: plot_ring_samples(torch.zeros(5, 2), {3: torch.zeros(5)}),
     "generated_by_step[3] must be 2-D, got a 1-D tensor of shape (5,)"),
    (lambda: plot_ring_samples(torch.zeros(5, 2), {3: torch.zeros(5, 2)}, centers=torch.zeros(8, 3)),
     "centers must have shape (n, 2) with n >= 1, got (8, 3)"),
])
def test_plot_ring_samples_rejects_bad_arguments(call, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


class ModeRecorder(nn.Module):
    """A discriminator that records the mode and grad state it was called in."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2, 8), nn.Dropout(0.5), nn.BatchNorm1d(8), nn.Linear(8, 1))
        self.calls = []

    def forward(self, x):
        self.calls.append((self.training, self.net[1].training, torch.is_grad_enabled(), x.dtype, x.shape))
        return self.net(x)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_plot_decision_surface_calls_d_in_eval_mode_and_restores_every_mode(dtype):
    D = ModeRecorder().to(dtype)
    D.train()
    D.net[2].eval()  # a mixed state: D.train(True) afterwards would not restore it
    before = [m.training for m in D.modules()]
    fig = plot_decision_surface(D, ring_of_gaussians(100, seed=0), torch.randn(60, 2), extent=2.5, resolution=40)
    check_book_figure(fig, 2)  # the image and its colour bar
    assert [m.training for m in D.modules()] == before
    assert D.calls == [(False, False, False, dtype, (1600, 2))]
    assert fig.alt.startswith("The discriminator's probability that a point is real, sigmoid(D(x)), as colours "
                              "over the square [−2.5, 2.5]² (from ")
    assert "100 real points in grey and 60 generated points in black on top" in fig.alt


def test_plot_decision_surface_draws_sigmoid_of_d():
    class Linear(nn.Module):  # D(x) = x_0: P(real) = sigmoid(x), 0.5 down the middle
        def forward(self, x):
            return x[:, :1]

    fig = plot_decision_surface(Linear(), torch.zeros(3, 2), torch.full((2, 2), 5.0), extent=2.0, resolution=5)
    image = fig.axes[0].images[0].get_array()
    expected = torch.sigmoid(torch.linspace(-2, 2, 5, dtype=torch.float64)).repeat(5, 1)
    assert torch.allclose(torch.as_tensor(image.data), expected)
    assert fig.alt.endswith("; 2 of the points lie outside the square.")
    assert f"(from {expected.min():.2f} to {expected.max():.2f})" in fig.alt


def test_plot_decision_surface_restores_mode_when_d_fails():
    class Broken(nn.Module):
        def forward(self, x):
            raise RuntimeError("boom")

    D = Broken().train()
    with pytest.raises(RuntimeError, match="boom"):
        plot_decision_surface(D, torch.zeros(3, 2), torch.zeros(3, 2), resolution=4)
    assert D.training


@pytest.mark.parametrize("call, message", [
    (lambda: plot_decision_surface(lambda x: x, torch.zeros(3, 2), torch.zeros(3, 2)),
     "discriminator must be a torch.nn.Module, got function"),
    (lambda: plot_decision_surface(nn.Linear(2, 2), torch.zeros(3, 2), torch.zeros(3, 2), resolution=4),
     "the discriminator must return one logit per point: 16 points of shape (16, 2) gave (16, 2)"),
    (lambda: plot_decision_surface(nn.Linear(2, 1), torch.zeros(3, 2), torch.zeros(3, 2), extent=0),
     "extent must be a positive finite number, got 0"),
    (lambda: plot_decision_surface(nn.Linear(2, 1), torch.zeros(3, 2), torch.zeros(3, 2), resolution=1),
     "resolution must be an integer >= 2, got 1"),
    (lambda: plot_decision_surface(nn.Linear(2, 1), torch.zeros(3, 2), torch.zeros(3, 2), resolution=1001),
     "resolution must be at most 1000 (a million points), got 1001"),
    (lambda: plot_decision_surface(nn.Linear(2, 1), torch.zeros(3, 2), torch.zeros(0, 2)),
     "generated must have shape (n, 2) with n >= 1, got (0, 2)"),
])
def test_plot_decision_surface_rejects_bad_arguments(call, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


def test_plot_real_samples_draws_the_data_and_centres():
    from cnnguide.figures import plot_real_samples

    fig = plot_real_samples(ring_of_gaussians(300, seed=0), ring_centers())
    (ax,) = fig.axes
    # The centres are drawn first so that the real points lie over them.
    centres, points = ax.collections
    assert centres.get_offsets().shape == (8, 2) and points.get_offsets().shape == (300, 2)
    assert "8 mode centres" in fig.alt
