"""Figures of the adversarial game on paper: the optimal discriminator, the generator's gradient.

Both draw values computed by :mod:`cnnguide.gan.theory` (densities, a trained
discriminator's outputs, gradients from autograd); nothing is typed in.
"""

from __future__ import annotations

import numpy as np
import torch

from ..gan.theory import generator_loss_gradient
from ._base import BookFigure, new_figure

__all__ = ["generator_gradient_figure", "optimal_discriminator_figure"]


def optimal_discriminator_figure(x: torch.Tensor, p_data: torch.Tensor, p_model: torch.Tensor,
                                 d_star: torch.Tensor, trained: torch.Tensor | None = None) -> BookFigure:
    """Two 1-D densities above, the optimal discriminator ``D*`` (and a trained one) below.

    Parameters
    ----------
    x : Tensor
        The points, shape ``(n,)``, increasing.
    p_data, p_model, d_star : Tensor
        The data's and the generator's densities at ``x``, and ``D*`` there.
    trained : Tensor, optional
        A trained discriminator's probabilities ``sigmoid(D(x))`` at ``x``.

    Examples
    --------
    >>> x = torch.linspace(-3, 3, 7)
    >>> p, q = torch.exp(-(x - 1) ** 2), torch.exp(-(x + 1) ** 2)
    >>> fig = optimal_discriminator_figure(x, p, q, p / (p + q))
    >>> len(fig.axes)
    2
    """
    arrays = [np.asarray(t, dtype=float).ravel() for t in (x, p_data, p_model, d_star)]
    if len({a.size for a in arrays}) != 1:
        raise ValueError(f"x, p_data, p_model and d_star must have one length, got "
                         f"{[a.size for a in arrays]}")
    x, p, q, d = arrays
    crossing = round(float(x[np.argmin(np.abs(d - 0.5))]), 2) + 0.0  # no '-0.00'
    alt = ("Two panels. Above: the data's density and the generator's density over x. Below: the "
           f"optimal discriminator D*(x) = p_data/(p_data + p_model), near 1 where only data lies, near 0 "
           f"where only fakes lie, and 1/2 where the densities are equal (x ≈ {crossing:.2f})")
    if trained is not None:
        alt += ", with a trained discriminator's output drawn over it"
    fig, (top, bottom) = new_figure(alt + ".", 2, 1, figsize=(6.4, 4.4), sharex=True)
    top.plot(x, p, color="C0", label="data, $p_{data}$")
    top.plot(x, q, color="C3", label="generator, $p_{model}$")
    top.set_ylabel("density")
    top.legend(fontsize=8)
    bottom.plot(x, d, color="k", label="$D^*(x)$, from the formula")
    if trained is not None:
        bottom.plot(x, np.asarray(trained, dtype=float).ravel(), "--", color="C2",
                    label="trained discriminator")
    bottom.axhline(0.5, color="0.6", lw=0.8)
    bottom.set_ylim(-0.05, 1.05)
    bottom.set_xlabel("x")
    bottom.set_ylabel("P(real)")
    bottom.legend(fontsize=8)
    top.set_title("The best discriminator against a fixed generator")
    return fig


def generator_gradient_figure(num: int = 200) -> BookFigure:
    """How much gradient each generator loss passes back, against the discriminator's verdict.

    The x axis is ``D(G(z))``, the probability the discriminator gives a fake;
    the y axis is the size of the loss's gradient with respect to that fake's
    logit, from autograd (:func:`cnnguide.gan.theory.generator_loss_gradient`),
    on log scales.

    Examples
    --------
    >>> generator_gradient_figure(num=20).axes[0].get_xscale()
    'log'
    """
    d = torch.logspace(-4, np.log10(0.5), num, dtype=torch.float64)
    grads = {name: generator_loss_gradient(name, d).abs() for name in ("saturating", "bce")}
    first = {name: g[0].item() for name, g in grads.items()}
    fig, ax = new_figure(
        "Log-log chart of the generator's gradient against D(G(z)) from 0.0001 to 0.5. The saturating "
        f"loss log(1 - D) gives {first['saturating']:.2g} at D(G(z)) = 0.0001 and grows with D; the "
        f"non-saturating loss -log D gives {first['bce']:.2g} there, close to 1.", figsize=(6.4, 3.4))
    labels = {"saturating": "saturating: minimise log(1 − D(G(z)))",
              "bce": "non-saturating: minimise −log D(G(z))"}
    for i, (name, g) in enumerate(grads.items()):
        ax.plot(d.numpy(), g.numpy(), color=f"C{i}", label=labels[name])
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("D(G(z)): how real the discriminator finds the fake")
    ax.set_ylabel("|∂ loss / ∂ logit|")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title("What the generator learns from when the discriminator wins")
    return fig
