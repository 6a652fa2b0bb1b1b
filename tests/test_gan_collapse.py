"""cnnguide.gan.collapse and cnnguide.figures.gan_collapse: mode hopping, counted and drawn."""

import numpy as np
import pytest
import torch

from cnnguide.data import CLASS_NAMES, read_fashion_mnist
from cnnguide.figures import BookFigure
from cnnguide.figures.gan_collapse import plot_class_histogram_over_training, plot_modes_over_steps
from cnnguide.gan.collapse import (
    class_fractions_over_steps, home_modes, mode_fractions, mode_turnover, modes_over_steps, occupied_modes,
)  # fmt: skip
from cnnguide.gan.history import GANHistory
from cnnguide.gan.toy_data import ring_centers

CENTERS = ring_centers()
STD = 0.02


def at_modes(counts, off=0, seed=0):
    """Points: counts[k] near centre k (within 1 std), then `off` points at the origin (off every mode)."""
    g = torch.Generator().manual_seed(seed)
    parts = [CENTERS[k] + 0.5 * STD * torch.rand(n, 2, generator=g) for k, n in enumerate(counts) if n]
    return torch.cat(parts + [torch.zeros(off, 2)])


def hopping_history():
    """Fixed samples that sit on mode 0, then mode 3, then split between 3 and 5, with some off-mode points."""
    h = GANHistory()
    h.samples = {0: torch.zeros(20, 2),
                 100: at_modes([20, 0, 0, 0, 0, 0, 0, 0]),
                 200: at_modes([0, 0, 0, 16, 0, 0, 0, 0], off=4),
                 300: at_modes([0, 0, 0, 10, 0, 10, 0, 0])}
    return h


def test_mode_fractions_count_high_quality_samples_over_all_samples():
    f = mode_fractions(at_modes([3, 0, 1, 0, 0, 0, 0, 0], off=4), CENTERS, STD)
    assert f.dtype == torch.float64 and f.shape == (8,)
    assert f.tolist() == [0.375, 0, 0.125, 0, 0, 0, 0, 0]
    # A point 4 std from a centre is not high quality at 3 std, but is at 5.
    far = CENTERS[:1] + torch.tensor([[4 * STD, 0.0]])
    assert mode_fractions(far, CENTERS, STD).sum() == 0
    assert mode_fractions(far, CENTERS, STD, threshold=5.0)[0] == 1


def test_modes_over_steps_follows_the_fixed_samples():
    steps, f = modes_over_steps(hopping_history(), CENTERS, STD)
    assert steps == [0, 100, 200, 300]
    assert f.shape == (8, 4)
    assert f[:, 0].sum() == 0                       # the untrained blob at the origin
    assert f[0, 1] == 1 and f[3, 2] == 0.8           # mode 0, then mode 3 with 4 of 20 off
    assert f[3, 3] == f[5, 3] == 0.5
    # The same numbers from a plain mapping, in any key order.
    steps2, f2 = modes_over_steps(dict(reversed(hopping_history().samples.items())), CENTERS, STD)
    assert steps2 == steps and torch.equal(f, f2)


def test_occupancy_and_turnover():
    _, f = modes_over_steps(hopping_history(), CENTERS, STD)
    occupied = occupied_modes(f)
    assert occupied.sum(dim=0).tolist() == [0, 1, 1, 2]
    assert mode_turnover(f) == [1, 2, 1]             # mode 0 appears; 0 -> 3; 5 joins 3
    assert mode_turnover(f, min_fraction=0.9) == [1, 1, 0]
    assert mode_turnover(f[:, :1]) == []


def test_home_modes_follow_the_majority_and_skip_steps_without_one():
    _, f = modes_over_steps(hopping_history(), CENTERS, STD)
    # No home at step 0 (off every mode), mode 0, mode 3 (80 %), then a 50/50 split: the lower index wins a tie.
    assert home_modes(f) == [(1, 0), (2, 3)]
    assert home_modes(f, majority=0.9) == [(1, 0)]
    # Leaving a mode and coming back is no hop; coming back after another mode is two.
    back = torch.tensor([[1.0, 0.0, 1.0, 0.0, 1.0], [0.0, 0.0, 0.0, 1.0, 0.0]])
    assert home_modes(back[:, :3]) == [(0, 0)]
    assert home_modes(back) == [(0, 0), (3, 1), (4, 0)]
    assert home_modes(torch.zeros(8, 3)) == []
    with pytest.raises(ValueError, match=r"majority must be in \[0.5, 1\].*0.3"):
        home_modes(f, majority=0.3)


def test_ring_runs_count_their_hops():
    from cnnguide.gan.compare import RingRun, home_modes as run_homes, hop_count

    run = RingRun("GAN", 0, None, 0.0, hopping_history().samples)
    assert run_homes(run) == [(100, 0), (200, 3)] and hop_count(run) == 1
    assert hop_count(RingRun("GAN", 0, None, 0.0, {0: torch.zeros(5, 2)})) == 0


def test_errors_name_the_bad_value():
    with pytest.raises(ValueError, match="history has no samples"):
        modes_over_steps(GANHistory(), CENTERS, STD)
    with pytest.raises(ValueError, match="history must be a GANHistory or a mapping"):
        modes_over_steps([torch.zeros(3, 2)], CENTERS, STD)
    with pytest.raises(ValueError, match="sample steps must be ints, got '10'"):
        modes_over_steps({"10": torch.zeros(3, 2)}, CENTERS, STD)
    with pytest.raises(ValueError, match="the samples at step 10 must be a tensor, got list"):
        modes_over_steps({10: [[0.0, 0.0]]}, CENTERS, STD)
    with pytest.raises(ValueError, match="differ in dimension"):
        modes_over_steps({10: torch.zeros(3, 3)}, CENTERS, STD)
    with pytest.raises(ValueError, match=r"fractions must be a tensor of shape \(modes, steps\)"):
        mode_turnover(torch.zeros(8))
    with pytest.raises(ValueError, match="min_fraction must be a number in"):
        occupied_modes(torch.zeros(8, 2), min_fraction=1.5)


def test_modes_heatmap_shows_the_fractions_and_the_off_mode_share():
    fig = plot_modes_over_steps(hopping_history(), CENTERS, STD, scatter_steps=[300, 100], title="hops")
    assert isinstance(fig, BookFigure)
    modes_ax, off_ax, colorbar_ax, *scatter = fig.axes
    shown = np.asarray(modes_ax.images[0].get_array())
    _, f = modes_over_steps(hopping_history(), CENTERS, STD)
    assert np.array_equal(shown, f.numpy())
    off = np.asarray(off_ax.images[0].get_array())
    assert off.shape == (1, 4) and off[0].tolist() == pytest.approx([1.0, 0.0, 0.2, 0.0])
    labels = [t.get_text() for t in modes_ax.get_yticklabels()]
    assert labels[0] == "mode 0 (0°)" and labels[2] == "mode 2 (90°)" and len(labels) == 8
    assert [t.get_text() for t in off_ax.get_xticklabels()] == ["0", "100", "200", "300"]
    assert [ax.get_title() for ax in scatter] == ["step 100", "step 300"]
    assert "20 fixed generated samples" in fig.alt and "at the last step 2 of 8 modes" in fig.alt
    assert "1.3 modes are entered or left on average" in fig.alt
    assert fig.to_png()[:4] == b"\x89PNG"
    assert len(plot_modes_over_steps(hopping_history(), CENTERS, STD).axes) == 3


def test_modes_heatmap_errors():
    with pytest.raises(ValueError, match=r"no samples at step\(s\) \[150\]"):
        plot_modes_over_steps(hopping_history(), CENTERS, STD, scatter_steps=[150])
    with pytest.raises(ValueError, match="scatter_steps must name at most 8 steps"):
        plot_modes_over_steps(hopping_history(), CENTERS, STD, scatter_steps=range(9))


def garments(label, n):
    """n real test images of one class, in a tanh generator's [-1, 1]."""
    images, labels = read_fashion_mnist("test")
    return images[labels == label][:n, None].float() / 255 * 2 - 1


def test_class_fractions_follow_the_judge():
    history = {0: garments(1, 10), 500: torch.cat([garments(7, 5), garments(1, 5)])}
    steps, f = class_fractions_over_steps(history)
    assert steps == [0, 500] and f.shape == (10, 2) and f.dtype == torch.float64
    assert f.sum(dim=0).tolist() == pytest.approx([1.0, 1.0])
    assert f[1, 0] >= 0.9 and f[7, 1] >= 0.4    # trousers, then half sneakers: the judge is 90%+ right
    with pytest.raises(ValueError, match=r"generator images must lie in \[-1, 1\]"):
        class_fractions_over_steps({0: garments(1, 2) + 1.5})


def test_class_heatmap_names_the_classes():
    h = GANHistory(samples={0: garments(1, 10), 500: garments(7, 10), 1000: garments(7, 10)})
    fig = plot_class_histogram_over_training(h, title="DCGAN")
    ax, colorbar_ax = fig.axes
    assert [t.get_text() for t in ax.get_yticklabels()] == list(CLASS_NAMES)
    shown = np.asarray(ax.images[0].get_array())
    assert shown.shape == (10, 3) and np.allclose(shown.sum(axis=0), 1)
    assert "10 fixed generated images" in fig.alt and "the most frequent, sneaker" in fig.alt
    with pytest.raises(ValueError, match="class_names must name 10 classes, got 2"):
        plot_class_histogram_over_training(h, class_names=["a", "b"])
