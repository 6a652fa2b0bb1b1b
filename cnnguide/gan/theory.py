"""The game on paper, checked by code: the optimal discriminator and the generator's gradient.

Goodfellow et al. (2014) write the game as

    min_G max_D  V(D, G) = E_x[log D(x)] + E_z[log(1 - D(G(z)))].

For a fixed generator whose samples have density ``p_model``, the integrand
``p_data(x) log D(x) + p_model(x) log(1 - D(x))`` is maximised pointwise by

    D*(x) = p_data(x) / (p_data(x) + p_model(x)),

because ``a log y + b log(1 - y)`` peaks at ``y = a / (a + b)``. This module
computes ``D*`` from two densities (:func:`optimal_discriminator`), trains a
real discriminator on samples of the two so that a chapter can compare them
(:func:`train_discriminator`), and measures what each generator loss passes
back to the generator (:func:`generator_loss_gradient`).
"""

from __future__ import annotations

import torch
from torch import nn

from .losses import gan_loss

__all__ = ["generator_loss_gradient", "optimal_discriminator", "train_discriminator"]


def optimal_discriminator(p_data: torch.Tensor, p_model: torch.Tensor) -> torch.Tensor:
    """``p_data / (p_data + p_model)``: the best discriminator against a fixed generator.

    Parameters
    ----------
    p_data, p_model : Tensor
        The two densities evaluated at the same points (non-negative, same shape).

    Raises
    ------
    ValueError
        For different shapes, a negative density, or a point where both are 0
        (there D* is undefined: no sample ever lands there).

    Examples
    --------
    >>> optimal_discriminator(torch.tensor([3.0, 1.0, 0.0]), torch.tensor([1.0, 1.0, 2.0]))
    tensor([0.7500, 0.5000, 0.0000])
    """
    if p_data.shape != p_model.shape:
        raise ValueError(f"p_data and p_model must have one shape, got {tuple(p_data.shape)} "
                         f"and {tuple(p_model.shape)}")
    if (p_data < 0).any() or (p_model < 0).any():
        raise ValueError("densities must be non-negative")
    total = p_data + p_model
    if (total == 0).any():
        raise ValueError("D* is undefined where both densities are 0")
    return p_data / total


def train_discriminator(discriminator: nn.Module, real: torch.Tensor, fake: torch.Tensor, *,
                        steps: int = 500, batch_size: int = 256, lr: float = 1e-3,
                        seed: int = 0) -> list[float]:
    """Train ``discriminator`` alone to tell ``real`` from ``fake`` samples; return its losses.

    The generator is frozen (here: a fixed set of samples), which is the
    situation the formula for ``D*`` describes. The loss is the GAN
    discriminator's, ``BCE(D(x), 1) + BCE(D(fake), 0)``, minimised with Adam
    on batches drawn with replacement from each set.

    Parameters
    ----------
    discriminator : nn.Module
        Maps a batch to one logit per example.
    real, fake : Tensor
        Samples of the data and of the frozen generator, ``(n, ...)`` each.
    steps, batch_size, lr, seed
        The optimisation; ``seed`` fixes the batches (the network's initial
        weights are whatever it was built with).

    Returns
    -------
    list of float
        The loss after each step (at the optimum it is ``2 log 2 - 2 JSD``).

    Examples
    --------
    >>> from cnnguide.gan.nets import MLPDiscriminator
    >>> _ = torch.manual_seed(0)
    >>> d = MLPDiscriminator(in_dim=1, hidden=16)
    >>> losses = train_discriminator(d, torch.randn(500, 1) + 2, torch.randn(500, 1) - 2, steps=200)
    >>> losses[0] > 1.0 > 0.3 > losses[-1]  # from guessing (2 log 2) to telling them apart
    True
    """
    if steps < 1 or batch_size < 1:
        raise ValueError(f"steps and batch_size must be positive, got {steps} and {batch_size}")
    loss_fn = gan_loss("bce")
    optimizer = torch.optim.Adam(discriminator.parameters(), lr=lr, betas=(0.5, 0.999))
    generator = torch.Generator().manual_seed(seed)
    losses = []
    discriminator.train()
    for _ in range(steps):
        real_batch = real[torch.randint(len(real), (batch_size,), generator=generator)]
        fake_batch = fake[torch.randint(len(fake), (batch_size,), generator=generator)]
        loss = loss_fn.discriminator_loss(discriminator(real_batch), discriminator(fake_batch))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def generator_loss_gradient(loss: str, d_of_fake: torch.Tensor) -> torch.Tensor:
    """The gradient of a generator loss with respect to the discriminator's logit on a fake.

    This is what flows back into the generator (times the logit's own
    gradient), as a function of how sure the discriminator is: ``d_of_fake``
    is ``D(G(z))``, the probability it gives the fake of being real.

    Parameters
    ----------
    loss : str
        ``"saturating"`` (minimise ``log(1 - D(G(z)))``) or ``"bce"`` (the
        non-saturating loss, minimise ``-log D(G(z))``).
    d_of_fake : Tensor
        Probabilities strictly between 0 and 1.

    Examples
    --------
    >>> p = torch.tensor([0.001, 0.5, 0.999])
    >>> generator_loss_gradient("saturating", p)  # -D: vanishes as D rejects the fakes
    tensor([-0.0010, -0.5000, -0.9990])
    >>> generator_loss_gradient("bce", p)         # -(1 - D): largest exactly there
    tensor([-0.9990, -0.5000, -0.0010])
    """
    if not ((d_of_fake > 0) & (d_of_fake < 1)).all():
        raise ValueError("d_of_fake must lie strictly between 0 and 1")
    logits = torch.logit(d_of_fake.detach().double()).requires_grad_()
    # A sum of per-example losses, so each logit gets its own example's gradient.
    (gan_loss(loss).generator_loss(logits) * logits.numel()).backward()
    return logits.grad.to(d_of_fake.dtype)
