"""The two players' losses, as one small object the training loop calls.

A :class:`GANLoss` turns the discriminator's logits into the two numbers the
loop minimises: :meth:`~GANLoss.discriminator_loss` on a real and a fake batch,
:meth:`~GANLoss.generator_loss` on a fake batch. The loop knows nothing else
about the game, so another formulation (a Wasserstein critic, hinge losses)
is one more subclass; :meth:`~GANLoss.discriminator_penalty` is where a
gradient penalty, which needs the network and the samples, plugs in.

Two are built from ``binary_cross_entropy_with_logits`` (never a sigmoid
followed by ``BCELoss``, whose ``log`` of a rounded-off probability saturates
to ``-100`` and loses the gradient):

- ``"bce"`` -- :class:`NonSaturatingLoss`, the generator maximises ``log D(G(z))``
  (Goodfellow et al., 2014, section 3), the usual choice for DCGAN;
- ``"saturating"`` -- :class:`SaturatingLoss`, the generator minimises
  ``log(1 - D(G(z)))``, the minimax game as written, kept to show why not:
  when the discriminator rejects the fakes confidently its gradient vanishes.

Two more are not classifiers at all; their discriminator's outputs are
unbounded scores, not logits:

- ``"wgan-gp"`` -- :class:`WGANGPLoss`, the Wasserstein critic with a gradient
  penalty (Gulrajani et al., 2017);
- ``"hinge"`` -- :class:`HingeLoss`, the hinge loss of SAGAN and BigGAN
  (Lim and Ye, 2017; Miyato et al., 2018, with spectral normalization).

With the discriminator at its equilibrium ``D = 1/2`` (logits 0) the
discriminator loss is ``2 log 2 ≈ 1.386`` and the non-saturating generator loss
``log 2 ≈ 0.693``: the reference lines of the training curves.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import torch
import torch.nn.functional as F

__all__ = ["GANLoss", "HingeLoss", "NonSaturatingLoss", "SaturatingLoss", "WGANGPLoss", "gan_loss", "loss_names"]


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

        None for the BCE losses; a gradient penalty (:class:`WGANGPLoss`) returns
        ``λ · mean((‖∇D(x̂)‖ - 1)²)`` computed on ``discriminator``, a callable
        from samples to outputs (for a conditional network, with the labels
        bound). :func:`~cnnguide.gan.fit_gan` also passes ``generator=``, its
        noise generator, to an override that has a parameter of that name.
        """
        return None

    def describe(self, real_logits: torch.Tensor, fake_logits: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """What the history logs as ``d_real`` and ``d_fake``: here ``mean sigmoid``, D's probability of "real".

        Examples
        --------
        >>> NonSaturatingLoss().describe(torch.zeros(2), torch.tensor([-100.0, 100.0]))
        (tensor(0.5000), tensor(0.5000))
        """
        return torch.sigmoid(real_logits).mean(), torch.sigmoid(fake_logits).mean()

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


class WGANGPLoss(GANLoss):
    """WGAN-GP (Gulrajani et al., 2017): a Wasserstein critic kept near 1-Lipschitz by a gradient penalty.

    The discriminator is a **critic**: its outputs are scores, not logits. It
    minimises ``mean D(G(z)) - mean D(x)`` (the negated estimate of the
    Wasserstein-1 distance) plus :meth:`discriminator_penalty`; the generator
    minimises ``-mean D(G(z))``. The paper's critic takes 5 updates per
    generator update (``d_steps=5`` in :func:`~cnnguide.gan.fit_gan`) and no
    batch norm (fit_gan refuses a critic with batch norm).

    Logged as ``d_real`` and ``d_fake`` (:meth:`describe`): the critic's mean
    score on the real and on the fake batch, unbounded; their difference is
    the critic's estimate of the Wasserstein distance.

    Parameters
    ----------
    gp_weight : float
        λ, the penalty's weight (10 in the paper).

    Examples
    --------
    >>> loss = gan_loss("wgan-gp")
    >>> loss
    WGANGPLoss(gp_weight=10.0)
    >>> loss.discriminator_loss(torch.tensor([2.0, 4.0]), torch.tensor([-1.0, 1.0]))  # 0 - 3
    tensor(-3.)
    >>> loss.generator_loss(torch.tensor([-1.0, 1.0, 3.0]))
    tensor(-1.)
    >>> w = torch.tensor([3.0, 4.0])  # a linear critic: |grad| = |w| = 5 everywhere
    >>> loss.discriminator_penalty(lambda x: x @ w, torch.randn(8, 2), torch.randn(8, 2))  # 10 (5 - 1)^2
    tensor(160.)
    >>> WGANGPLoss(gp_weight=-1)
    Traceback (most recent call last):
    ...
    ValueError: gp_weight must be a positive finite number, got -1
    """

    name = "wgan-gp"

    def __init__(self, gp_weight: float = 10.0):
        if isinstance(gp_weight, bool) or not isinstance(gp_weight, (int, float)) or not 0 < gp_weight < float("inf"):
            raise ValueError(f"gp_weight must be a positive finite number, got {gp_weight!r}")
        self.gp_weight = float(gp_weight)

    def discriminator_loss(self, real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
        """``mean D(G(z)) - mean D(x)``: the critic pushes real scores up and fake scores down."""
        return fake_logits.mean() - real_logits.mean()

    def generator_loss(self, fake_logits: torch.Tensor) -> torch.Tensor:
        """``-mean D(G(z))``."""
        return -fake_logits.mean()

    def discriminator_penalty(self, discriminator, real: torch.Tensor, fake: torch.Tensor, *,
                              generator: torch.Generator | None = None) -> torch.Tensor:
        """``gp_weight · mean((‖∇D(x̂)‖₂ - 1)²)`` on interpolates ``x̂ = ε x + (1 - ε) G(z)``.

        ``ε ~ U[0, 1]``, one per example, is drawn from ``generator`` (fit_gan's
        noise generator, so a run is decided by its seed). The gradient of the
        critic's summed outputs is taken with ``create_graph=True`` (the
        penalty is differentiated again in the critic's update). Its norm is
        taken per output: when the critic returns ``M`` outputs for ``N``
        samples (a packing critic, ``M = N / pack``), per group of ``N / M``
        consecutive samples, the input of one output.
        """
        if real.shape != fake.shape:
            raise ValueError(f"real and fake batches differ in shape: {tuple(real.shape)} and {tuple(fake.shape)}")
        eps = torch.rand(real.shape[0], *([1] * (real.dim() - 1)), generator=generator, device=real.device)
        x_hat = (eps * real.detach() + (1 - eps) * fake.detach()).requires_grad_(True)
        scores = discriminator(x_hat)
        (grad,) = torch.autograd.grad(scores.sum(), x_hat, create_graph=True)
        # At least float32 for the norm (autocast may hand back bf16); float64 stays float64.
        grad = grad.to(torch.promote_types(grad.dtype, torch.float32))
        norms = grad.reshape(scores.numel(), -1).norm(dim=1)
        return self.gp_weight * ((norms - 1) ** 2).mean()

    def describe(self, real_logits, fake_logits):
        """The critic's mean scores on real and fake samples (not probabilities)."""
        return real_logits.mean(), fake_logits.mean()

    def __repr__(self) -> str:
        return f"WGANGPLoss(gp_weight={self.gp_weight})"


class HingeLoss(GANLoss):
    """The hinge loss: ``mean relu(1 - D(x)) + mean relu(1 + D(G(z)))`` for D, ``-mean D(G(z))`` for G.

    The discriminator is penalised only for real samples it scores below 1
    and fakes it scores above -1, so it stops pushing on samples it already
    separates with a margin; paired with spectral normalization
    (``spectral_norm=True``) in SNGAN, SAGAN and BigGAN. Logged as ``d_real``
    and ``d_fake`` (:meth:`describe`): the mean scores, unbounded.

    Examples
    --------
    >>> loss = gan_loss("hinge")
    >>> loss.discriminator_loss(torch.tensor([2.0, 0.5]), torch.tensor([-3.0, 0.0]))  # (0 + 0.5)/2 + (0 + 1)/2
    tensor(0.7500)
    >>> loss.generator_loss(torch.tensor([-1.0, 3.0]))
    tensor(-1.)
    """

    name = "hinge"

    def discriminator_loss(self, real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
        return F.relu(1 - real_logits).mean() + F.relu(1 + fake_logits).mean()

    def generator_loss(self, fake_logits: torch.Tensor) -> torch.Tensor:
        return -fake_logits.mean()

    def describe(self, real_logits, fake_logits):
        """The discriminator's mean scores on real and fake samples (not probabilities)."""
        return real_logits.mean(), fake_logits.mean()


_LOSSES = {cls.name: cls for cls in (NonSaturatingLoss, SaturatingLoss, WGANGPLoss, HingeLoss)}


def loss_names() -> list[str]:
    """The names :func:`gan_loss` knows.

    Examples
    --------
    >>> loss_names()
    ['bce', 'saturating', 'wgan-gp', 'hinge']
    """
    return list(_LOSSES)


def gan_loss(loss, **options) -> GANLoss:
    """A :class:`GANLoss` from its name (``"bce"``, ``"saturating"``, ``"wgan-gp"``, ``"hinge"``), or ``loss`` itself.

    ``options`` go to the loss's class (``gp_weight`` for ``"wgan-gp"``).

    Examples
    --------
    >>> gan_loss("bce")
    NonSaturatingLoss()
    >>> gan_loss("wgan-gp", gp_weight=1.0)
    WGANGPLoss(gp_weight=1.0)
    >>> gan_loss("wgan")
    Traceback (most recent call last):
    ...
    ValueError: unknown GAN loss 'wgan'; known: bce, saturating, wgan-gp, hinge
    """
    if isinstance(loss, GANLoss):
        if options:
            raise ValueError(f"options {sorted(options)} apply to a loss given by name, not to {loss!r}")
        return loss
    if isinstance(loss, str) and loss in _LOSSES:
        try:
            return _LOSSES[loss](**options)
        except TypeError:
            raise ValueError(f"the {loss} loss takes no option(s) {sorted(options)}") from None
    raise ValueError(f"unknown GAN loss {loss!r}; known: {', '.join(_LOSSES)}")
