"""The two players' losses, as one small object the training loop calls.

A :class:`GANLoss` turns the discriminator's logits into the two numbers the
loop minimises: :meth:`~GANLoss.discriminator_loss` on a real and a fake batch,
:meth:`~GANLoss.generator_loss` on a fake batch. The loop knows nothing else
about the game, so another formulation (a Wasserstein critic, hinge losses)
is one more subclass; :meth:`~GANLoss.discriminator_penalty` is where a
gradient penalty, which needs the network and the samples, plugs in.

Two are built here, both from ``binary_cross_entropy_with_logits`` (never a
sigmoid followed by ``BCELoss``, whose ``log`` of a rounded-off probability
saturates to ``-100`` and loses the gradient):

- ``"bce"`` -- :class:`NonSaturatingLoss`, the generator maximises ``log D(G(z))``
  (Goodfellow et al., 2014, section 3), the one everyone trains with;
- ``"saturating"`` -- :class:`SaturatingLoss`, the generator minimises
  ``log(1 - D(G(z)))``, the minimax game as written, kept to show why not:
  when the discriminator rejects the fakes confidently its gradient vanishes.

With the discriminator at its equilibrium ``D = 1/2`` (logits 0) the
discriminator loss is ``2 log 2 ≈ 1.386`` and the non-saturating generator loss
``log 2 ≈ 0.693``: the reference lines of the training curves.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import torch
import torch.nn.functional as F

__all__ = ["GANLoss", "NonSaturatingLoss", "SaturatingLoss", "gan_loss", "loss_names"]


class GANLoss(ABC):
    """What the discriminator and the generator minimise, given the discriminator's logits.

    The discriminator's loss is the same for both built-in losses: binary
    cross-entropy with real examples labelled 1 and fakes labelled 0, the sum
    of the two batch means, ``-mean log D(x) - mean log(1 - D(G(z)))``.
    Subclasses define :meth:`generator_loss`.
    """

    #: The name :func:`gan_loss` knows it by.
    name = ""

    def discriminator_loss(self, real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
        """``BCE(real, 1) + BCE(fake, 0)``, each averaged over its batch.

        Examples
        --------
        >>> NonSaturatingLoss().discriminator_loss(torch.zeros(4), torch.zeros(4))  # D = 1/2: 2 log 2
        tensor(1.3863)
        """
        real = F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
        fake = F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
        return real + fake

    @abstractmethod
    def generator_loss(self, fake_logits: torch.Tensor) -> torch.Tensor:
        """What the generator minimises, from the discriminator's logits on its samples."""

    def discriminator_penalty(self, discriminator, real: torch.Tensor, fake: torch.Tensor):
        """A term added to the discriminator's loss that needs the network itself, or ``None``.

        None for the losses here; a gradient penalty (WGAN-GP) returns
        ``λ · mean((‖∇D(x̂)‖ - 1)²)`` computed on ``discriminator``.
        """
        return None

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class NonSaturatingLoss(GANLoss):
    """The generator maximises ``log D(G(z))``: ``BCE(D(G(z)), 1)``.

    Its gradient with respect to a fake's logit ``l`` is ``-(1 - sigmoid(l))``,
    close to -1 exactly when the discriminator rejects the fake (``l ≪ 0``):
    the generator learns most where it is worst.

    Examples
    --------
    >>> loss = NonSaturatingLoss()
    >>> loss.generator_loss(torch.zeros(3))  # log 2
    tensor(0.6931)
    >>> logits = torch.tensor([-10.0], requires_grad=True)
    >>> loss.generator_loss(logits).backward()
    >>> logits.grad
    tensor([-1.0000])
    """

    name = "bce"

    def generator_loss(self, fake_logits: torch.Tensor) -> torch.Tensor:
        return F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))


class SaturatingLoss(GANLoss):
    """The generator minimises ``log(1 - D(G(z)))``: ``-BCE(D(G(z)), 0)``, the minimax game as written.

    Its gradient with respect to a fake's logit ``l`` is ``-sigmoid(l)``, which
    vanishes when the discriminator rejects the fakes confidently -- early in
    training, when the generator most needs it.

    Examples
    --------
    >>> loss = SaturatingLoss()
    >>> loss.generator_loss(torch.zeros(3))  # log(1/2)
    tensor(-0.6931)
    >>> logits = torch.tensor([-10.0], requires_grad=True)
    >>> loss.generator_loss(logits).backward()
    >>> logits.grad
    tensor([-4.5398e-05])
    """

    name = "saturating"

    def generator_loss(self, fake_logits: torch.Tensor) -> torch.Tensor:
        return -F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))


_LOSSES = {cls.name: cls for cls in (NonSaturatingLoss, SaturatingLoss)}


def loss_names() -> list[str]:
    """The names :func:`gan_loss` knows.

    Examples
    --------
    >>> loss_names()
    ['bce', 'saturating']
    """
    return list(_LOSSES)


def gan_loss(loss) -> GANLoss:
    """A :class:`GANLoss` from its name (``"bce"``, ``"saturating"``), or ``loss`` itself if it is one.

    Examples
    --------
    >>> gan_loss("bce")
    NonSaturatingLoss()
    >>> gan_loss("wgan")
    Traceback (most recent call last):
    ...
    ValueError: unknown GAN loss 'wgan'; known: bce, saturating
    """
    if isinstance(loss, GANLoss):
        return loss
    if isinstance(loss, str) and loss in _LOSSES:
        return _LOSSES[loss]()
    raise ValueError(f"unknown GAN loss {loss!r}; known: {', '.join(_LOSSES)}")
