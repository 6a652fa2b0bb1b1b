"""Figures of a GAN on 2-D data: the samples over training, and the discriminator's view of the plane.

Both take plain tensors (and, for the decision surface, the discriminator as
an :class:`torch.nn.Module`), nothing from a training loop, so a chapter can
draw them from whatever it recorded. The data are the ring and the grid of
:mod:`cnnguide.gan.toy_data`.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from cnnguide.ops._checks import check_floating, check_int, check_tensor, is_int, shape_of

from ._base import BookFigure, new_figure

__all__ = ["plot_decision_surface", "plot_real_samples", "plot_ring_samples"]

#: A row of more panels than this is too small to read.
MAX_PANELS = 8
REAL_STYLE = dict(s=4, color="0.55", alpha=0.35, linewidths=0, label="real")
FAKE_STYLE = dict(s=4, color="tab:orange", alpha=0.6, linewidths=0, label="generated")


def _points(value, name: str) -> np.ndarray:
    """A floating ``(n, 2)`` tensor as a numpy array, or ``ValueError``."""
    check_tensor(value, name, (2,))
    check_floating(value, name)
    if value.shape[1] != 2 or value.shape[0] < 1:
        raise ValueError(f"{name} must have shape (n, 2) with n >= 1, got {shape_of(value)}")
    return value.detach().cpu().double().numpy()


def plot_ring_samples(real, generated_by_step, centers=None) -> BookFigure:
    """A row of scatter plots, one per training step: real points in grey, generated in colour.

    Parameters
    ----------
    real : torch.Tensor
        Real samples, shape ``(n, 2)`` (the ring or the grid of :mod:`cnnguide.gan.toy_data`).
    generated_by_step : dict of int to torch.Tensor
        Generated samples, shape ``(m, 2)``, keyed by the training step they
        were drawn at; at most eight steps, drawn in increasing order.
    centers : torch.Tensor, optional
        Mode centres, shape ``(M, 2)``, circled in black.

    Returns
    -------
    BookFigure
        One panel per step, all with the same square limits (wide enough for
        every point), titled ``step k``.

    Examples
    --------
    >>> from cnnguide.gan.toy_data import ring_centers, ring_of_gaussians
    >>> real = ring_of_gaussians(500, seed=0)
    >>> fig = plot_ring_samples(real, {0: torch.randn(500, 2) * 0.1, 1000: real.flip(0)}, ring_centers())
    >>> len(fig.axes), fig.axes[1].get_title()
    (2, 'step 1000')
    """
    real_np = _points(real, "real")
    if not isinstance(generated_by_step, dict):
        raise ValueError(f"generated_by_step must be a dict of step -> samples, "
                         f"got {type(generated_by_step).__name__}")
    if not 1 <= len(generated_by_step) <= MAX_PANELS:
        raise ValueError(f"generated_by_step must hold 1 to {MAX_PANELS} steps, got {len(generated_by_step)}")
    if not all(is_int(s) for s in generated_by_step):
        raise ValueError(f"generated_by_step's keys must be training steps (ints), got {list(generated_by_step)}")
    steps = sorted(generated_by_step)
    fakes = {s: _points(generated_by_step[s], f"generated_by_step[{s}]") for s in steps}
    centers_np = None if centers is None else _points(centers, "centers")
    clouds = [real_np, *fakes.values()] + ([] if centers_np is None else [centers_np])
    finite = np.concatenate(clouds)[np.isfinite(np.concatenate(clouds)).all(axis=1)]
    half = 1.1 * max(float(np.abs(finite).max()) if len(finite) else 1.0, 1e-3)
    marked = "" if centers_np is None else f", with the {len(centers_np)} mode centres circled"
    alt = (f"{len(steps)} scatter plot(s), one per training step ({', '.join(map(str, steps))}): "
           f"{len(real_np)} real points in grey and the generated points in orange "
           f"({', '.join(str(len(f)) for f in fakes.values())} of them){marked}.")
    # At most two panels a row: four in one row would shrink the ticks to a few pixels on the page.
    ncols = min(len(steps), 2)
    nrows = -(-len(steps) // ncols)
    fig, axes = new_figure(alt, nrows, ncols, figsize=(3.3 * ncols, 3.3 * nrows + 0.4), squeeze=False)
    for ax, step in zip(axes.flat, steps):
        if centers_np is not None:
            # Wide open circles around the modes, drawn first: the tight real clusters show inside them.
            ax.scatter(centers_np[:, 0], centers_np[:, 1], marker="o", s=260, facecolors="none",
                       edgecolors="0.25", linewidths=0.6, label="centre", zorder=1)
        ax.scatter(real_np[:, 0], real_np[:, 1], **{**REAL_STYLE, "color": "0.35", "alpha": 0.6}, zorder=2)
        ax.scatter(fakes[step][:, 0], fakes[step][:, 1], **FAKE_STYLE, zorder=3)
        ax.set(xlim=(-half, half), ylim=(-half, half), aspect="equal")
        ax.set_title(f"step {step}", fontsize=10)
        ax.tick_params(labelsize=9)
    for ax in list(axes.flat)[len(steps):]:
        ax.remove()  # an odd panel count leaves a slot empty
    # Below the panels, not inside one: the modes fill the corners.
    fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="outside lower center", ncols=3,
               fontsize=9, markerscale=2, scatterpoints=1, frameon=False)
    return fig


def plot_real_samples(real, centers=None, title: str = "The data") -> BookFigure:
    """The real 2-D samples alone, in grey, with the mode centres circled: what a generator should learn.

    Examples
    --------
    >>> from cnnguide.gan.toy_data import ring_centers, ring_of_gaussians
    >>> fig = plot_real_samples(ring_of_gaussians(500, seed=0), ring_centers())
    >>> fig.alt
    '500 real points in grey, with the 8 mode centres circled.'
    """
    real_np = _points(real, "real")
    centers_np = None if centers is None else _points(centers, "centers")
    marked = "" if centers_np is None else f", with the {len(centers_np)} mode centres circled"
    fig, ax = new_figure(f"{len(real_np)} real points in grey{marked}.", figsize=(3.6, 3.6))
    if centers_np is not None:
        ax.scatter(centers_np[:, 0], centers_np[:, 1], marker="o", s=260, facecolors="none",
                   edgecolors="0.25", linewidths=0.6, zorder=1)
    ax.scatter(real_np[:, 0], real_np[:, 1], **{**REAL_STYLE, "color": "0.35", "alpha": 0.6}, zorder=2)
    half = 1.1 * max(float(np.abs(real_np).max()), 1e-3)
    ax.set(xlim=(-half, half), ylim=(-half, half), aspect="equal")
    ax.set_title(title, fontsize=10)
    ax.tick_params(labelsize=9)
    return fig


def _evaluate(discriminator: nn.Module, points: torch.Tensor) -> torch.Tensor:
    """``sigmoid(D(points))`` in eval mode without gradients; every module's own mode restored."""
    modes = [(m, m.training) for m in discriminator.modules()]
    discriminator.eval()
    try:
        with torch.no_grad():
            logits = discriminator(points)
    finally:
        for module, training in modes:
            module.training = training
    if not isinstance(logits, torch.Tensor) or logits.numel() != len(points):
        got = shape_of(logits) if isinstance(logits, torch.Tensor) else type(logits).__name__
        raise ValueError(f"the discriminator must return one logit per point: {len(points)} points "
                         f"of shape {shape_of(points)} gave {got}")
    return torch.sigmoid(logits.reshape(-1).double()).cpu()


def plot_decision_surface(discriminator, real, generated, extent=3.0, resolution=200) -> BookFigure:
    """The discriminator's probability of "real", ``sigmoid(D(x))``, over the plane, with the points on top.

    ``D`` is called once on a ``resolution x resolution`` grid of points
    covering ``[-extent, extent]²``, in eval mode (dropout off, batch-norm
    running statistics) and without gradients; afterwards every submodule is
    back in the training mode it was in.

    Parameters
    ----------
    discriminator : torch.nn.Module
        Maps a batch ``(N, 2)`` to ``N`` logits (shape ``(N,)`` or ``(N, 1)``).
        The grid is built with its parameters' dtype and device.
    real, generated : torch.Tensor
        Shape ``(n, 2)`` each; real points in grey, generated in black.
    extent : float
        Half-width of the square shown, ``> 0``.
    resolution : int
        Grid points per side, 2 to 1000.

    Returns
    -------
    BookFigure
        The image and its colour bar (two axes); the alt text gives the range
        of probabilities and how many points, if any, lie outside the square.

    Examples
    --------
    >>> from cnnguide.gan.toy_data import ring_of_gaussians
    >>> D = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 1))
    >>> fig = plot_decision_surface(D, ring_of_gaussians(300, seed=0), torch.randn(300, 2), resolution=50)
    >>> len(fig.axes), D.training
    (2, True)
    """
    if not isinstance(discriminator, nn.Module):
        raise ValueError(f"discriminator must be a torch.nn.Module, got {type(discriminator).__name__}")
    real_np, fake_np = _points(real, "real"), _points(generated, "generated")
    if isinstance(extent, bool) or not isinstance(extent, (int, float)) or not 0 < extent < float("inf"):
        raise ValueError(f"extent must be a positive finite number, got {extent!r}")
    resolution = check_int(resolution, "resolution", 2)
    if resolution > 1000:
        raise ValueError(f"resolution must be at most 1000 (a million points), got {resolution}")
    param = next(discriminator.parameters(), None)
    dtype, device = (torch.float32, "cpu") if param is None else (param.dtype, param.device)
    axis = torch.linspace(-extent, extent, resolution, dtype=dtype, device=device)
    ys, xs = torch.meshgrid(axis, axis, indexing="ij")  # row i is y = axis[i]: image rows from the bottom
    prob = _evaluate(discriminator, torch.stack([xs.reshape(-1), ys.reshape(-1)], dim=1))
    prob = prob.reshape(resolution, resolution).numpy()
    both = np.concatenate([real_np, fake_np])
    outside = int((np.abs(both) > extent).any(axis=1).sum())
    alt = (f"The discriminator's probability that a point is real, sigmoid(D(x)), as colours over the square "
           f"[−{extent:g}, {extent:g}]² (from {prob.min():.2f} to {prob.max():.2f}), with {len(real_np)} real "
           f"points in grey and {len(fake_np)} generated points in black on top"
           + (f"; {outside} of the points lie outside the square." if outside else "."))
    fig, ax = new_figure(alt, figsize=(4.4, 3.6))
    image = ax.imshow(prob, origin="lower", extent=(-extent, extent, -extent, extent),
                      cmap="coolwarm", vmin=0, vmax=1, interpolation="bilinear")
    ax.scatter(real_np[:, 0], real_np[:, 1], **REAL_STYLE)
    # Black, not orange: orange vanishes on the red half of the colour map.
    ax.scatter(fake_np[:, 0], fake_np[:, 1], **{**FAKE_STYLE, "color": "black", "alpha": 0.5})
    ax.set(xlim=(-extent, extent), ylim=(-extent, extent), aspect="equal")
    ax.legend(loc="upper left", fontsize=7, markerscale=3, scatterpoints=1)
    fig.colorbar(image, ax=ax, label="sigmoid(D(x)): P(real)", shrink=0.85)
    return fig
