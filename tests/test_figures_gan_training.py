"""cnnguide.figures.gan_training: the curves and the samples of a GAN run."""

import math

import numpy as np
import pytest
import torch

from cnnguide.figures import BookFigure, plot_gan_history, plot_samples_over_training
from cnnguide.gan.history import GANHistory
from cnnguide.gan.toy_data import ring_centers, ring_of_gaussians


def history(samples):
    h = GANHistory(samples=samples)
    for step in (100, 200, 300):
        h.append(step, d_loss=1.4 - step / 1e3, g_loss=0.7 + step / 1e3, d_real=0.5 + step / 1e4,
                 d_fake=0.5 - step / 1e4, seconds=step / 100)
    return h


def test_history_curves_have_equilibrium_lines():
    fig = plot_gan_history(history({}), title="run")
    assert isinstance(fig, BookFigure) and len(fig.axes) == 2
    loss_ax, prob_ax = fig.axes
    assert [line.get_label() for line in loss_ax.lines[::2]] == ["discriminator", "generator"]
    dotted = sorted(line.get_ydata()[0] for line in loss_ax.lines if line.get_linestyle() == ":")
    assert dotted == pytest.approx([math.log(2), 2 * math.log(2)])
    assert list(prob_ax.lines[0].get_xdata()) == [100, 200, 300]
    assert "ends at 0.530" in fig.alt and "D(G(z)) at 0.470" in fig.alt
    with pytest.raises(ValueError, match=r"history lacks the series \['d_fake'\]"):
        plot_gan_history({"step": [1], "d_loss": [1], "g_loss": [1], "d_real": [1]})


def test_image_samples_one_row_per_step_same_noise():
    samples = {s: torch.full((10, 1, 28, 28), -1.0 + s / 500) for s in (0, 250, 500, 750, 1000)}
    fig = plot_samples_over_training(history(samples), per_step=4, most=3)
    assert len(fig.axes) == 3
    assert [ax.get_ylabel() for ax in fig.axes] == ["step 0", "step 500", "step 1000"]
    # tanh's -1 is drawn white (0 on gray_r), +1 black; the grid is 4 images wide.
    first, last = (np.asarray(ax.images[0].get_array()) for ax in (fig.axes[0], fig.axes[-1]))
    assert first.max() == 0 and last.max() == 1 and first.shape == (32, 4 * 30 + 2)
    chosen = plot_samples_over_training(history(samples), steps=[750, 250])
    assert [ax.get_ylabel() for ax in chosen.axes] == ["step 250", "step 750"]
    assert "8 images each" in chosen.alt


def test_points_are_scattered_over_the_ring():
    real = ring_of_gaussians(300, seed=0)
    fig = plot_samples_over_training(history({0: torch.zeros(50, 2), 100: real[:50]}), real=real,
                                     centers=ring_centers())
    assert [ax.get_title() for ax in fig.axes] == ["step 0", "step 100"]
    with pytest.raises(ValueError, match="2-D samples are drawn over the real points: pass real="):
        plot_samples_over_training(history({0: torch.zeros(5, 2)}))


def test_sample_errors():
    with pytest.raises(ValueError, match="history has no samples"):
        plot_samples_over_training(history({}))
    with pytest.raises(ValueError, match=r"samples must be images \(N, C, H, W\) or 2-D points \(N, 2\)"):
        plot_samples_over_training(history({0: torch.zeros(5, 3)}))
    with pytest.raises(ValueError, match="per_step must be a positive integer, got 0"):
        plot_samples_over_training(history({0: torch.zeros(5, 1, 8, 8)}), per_step=0)
