"""One step of the GAN game: the discriminator's updates, then the generator's (unrolled or not).

:func:`~cnnguide.gan.fit_gan` makes one :class:`GameStep` per run and calls
:meth:`GameStep.discriminator_update` ``d_steps`` times, then
:meth:`GameStep.generator_update`, at every step. The class holds what a step
needs: both networks and optimizers, the loss, the stream of real batches and
the noise generator, and the options that change a step (conditional labels,
the discriminator's packing, unrolling).
"""

from __future__ import annotations

import copy
import inspect

import torch

from ..devices import autocast

__all__ = ["GameStep"]


class GameStep:
    """One step of the game: the discriminator's updates, then the generator's (unrolled or not)."""

    def __init__(self, generator, discriminator, optimizer_g, optimizer_d, loss, real, noise, latent_dim,
                 d_steps, device, amp, unroll=0, num_classes=None, pack=1):
        self.g, self.d, self.opt_g, self.opt_d, self.loss = generator, discriminator, optimizer_g, optimizer_d, loss
        self.real, self.noise, self.latent_dim, self.d_steps = real, noise, latent_dim, d_steps
        self.device, self.amp = device, amp
        self.unroll, self.num_classes, self.pack = unroll, num_classes, pack
        self.penalty_takes_noise = "generator" in inspect.signature(loss.discriminator_penalty).parameters
        self.checked_shape = False

    def _z(self, n):
        return torch.randn(n, self.latent_dim, generator=self.noise, device=self.device)

    def _labels(self, n):
        """Fake labels, uniform over the classes, from the noise generator; None for an unconditional game."""
        if self.num_classes is None:
            return None
        return torch.randint(self.num_classes, (n,), generator=self.noise, device=self.device)

    def _G(self, z, y):
        return self.g(z) if y is None else self.g(z, y)

    def _D(self, x, y):
        return self.d(x) if y is None else self.d(x, y)

    def _real(self):
        batch = self.real.next()
        X, y = batch if self.num_classes is not None else (batch, None)
        if not self.checked_shape and X.shape[0] % self.pack:
            raise ValueError(f"the discriminator packs {self.pack} samples, but a batch has {X.shape[0]} "
                             f"examples; use a batch size divisible by {self.pack}")
        return X, y

    def discriminator_update(self):
        """One Adam step of the discriminator on a real batch and a batch of fresh fakes."""
        X, y = self._real()
        fake, fake_y = self._fakes(X)
        self.opt_d.zero_grad(set_to_none=True)
        with autocast(self.device, self.amp):
            real_logits, fake_logits = self._D(X, y).float(), self._D(fake, fake_y).float()
            loss = self.loss.discriminator_loss(real_logits, fake_logits) + self._penalty(X, y, fake)
        loss.backward()
        self.opt_d.step()
        with torch.no_grad():
            real_stat, fake_stat = self.loss.describe(real_logits, fake_logits)
            return loss.detach(), real_stat, fake_stat, X.shape[0]

    def _fakes(self, X):
        """Fakes as many as the real batch ``X`` (with labels, in a conditional game), made without gradients."""
        with torch.no_grad(), autocast(self.device, self.amp):
            fake_y = self._labels(X.shape[0])
            fake = self._G(self._z(X.shape[0]), fake_y)
        if not self.checked_shape:
            if fake.shape[1:] != X.shape[1:]:
                raise ValueError(f"the generator makes samples of shape {tuple(fake.shape[1:])}, "
                                 f"but the real examples have shape {tuple(X.shape[1:])}")
            self.checked_shape = True
        return fake, fake_y

    def _penalty(self, X, y, fake):
        """The loss's penalty term on this batch (WGAN-GP's gradient penalty), or 0."""
        # A conditional critic is judged at the real labels on the interpolates.
        critic = self.d if y is None else (lambda x: self.d(x, y))
        extra = {"generator": self.noise} if self.penalty_takes_noise else {}
        penalty = self.loss.discriminator_penalty(critic, X, fake, **extra)
        return 0.0 if penalty is None else penalty

    def generator_update(self, n):
        if not self.unroll:
            return self.generator_step(n)
        # Unrolled GAN, first order: look K discriminator updates ahead, let the
        # generator answer that discriminator, then put D (and Adam's moments)
        # back exactly as they were. state_dict() tensors alias the live ones,
        # hence the clones; load_state_dict copies back in place.
        weights = {k: v.detach().clone() for k, v in self.d.state_dict().items()}
        optimizer_state = copy.deepcopy(self.opt_d.state_dict())
        try:
            for _ in range(self.unroll):
                self.discriminator_update()
            return self.generator_step(n)
        finally:
            self.d.load_state_dict(weights)
            self.opt_d.load_state_dict(optimizer_state)

    def generator_step(self, n):
        """One Adam step of the generator on ``n`` fresh noise vectors, against the discriminator as it is."""
        self.opt_g.zero_grad(set_to_none=True)
        # The generator's loss backpropagates through D, but only G's weights
        # change here: not computing D's weight gradients saves work.
        flags = [p.requires_grad for p in self.d.parameters()]
        self.d.requires_grad_(False)
        try:
            with autocast(self.device, self.amp):
                y = self._labels(n)
                loss = self.loss.generator_loss(self._D(self._G(self._z(n), y), y).float())
            loss.backward()
        finally:
            for p, flag in zip(self.d.parameters(), flags):
                p.requires_grad_(flag)
        self.opt_g.step()
        return loss.detach()
