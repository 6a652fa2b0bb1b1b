"""An exponential moving average of the generator's weights, to draw samples from.

The generator's weights at any one step carry the last few updates' noise,
and a GAN's updates are noisy: the discriminator moves too. ProGAN (Karras et
al., 2018), StyleGAN and BigGAN draw their samples from an exponential moving
average of the generator's weights instead. Whether that helps, and after how
many steps, is measured for this book's runs by ``scripts/tune_gan.py``.

:class:`GeneratorEMA` wraps ``torch.optim.swa_utils.AveragedModel``: after
generator update ``t`` (counted from 0) the average moves towards the weights
by ``1 - d_t``, with ``d_t = min(decay, (1 + t) / (10 + t))``, a warm-up that
keeps the first updates, far from the final weights, from lingering in the
average of a short run. Batch norm's running statistics are averaged the
same way (``use_buffers=True``).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.optim.swa_utils import AveragedModel

__all__ = ["GeneratorEMA", "standing_statistics"]


def _check_decay(decay) -> float:
    if isinstance(decay, bool) or not isinstance(decay, (int, float)) or not 0 <= decay < 1:
        raise ValueError(f"the EMA's decay must be from 0 to 1 (excluded), got {decay!r}")
    return float(decay)


class GeneratorEMA:
    """An exponential moving average of ``generator``'s weights and buffers, with a warm-up.

    Give it to :func:`~cnnguide.gan.fit_gan` (``ema=``), which updates it
    after every generator update and draws the run's samples from it; use
    :attr:`module` to sample after training.

    Parameters
    ----------
    generator : nn.Module
        The generator to average (copied; the copy is the average).
    decay : float
        From 0 to 1 (excluded); the average remembers about ``1 / (1 - decay)`` updates.

    Examples
    --------
    >>> g = nn.Linear(1, 1, bias=False)
    >>> ema = GeneratorEMA(g, decay=0.9)
    >>> for w in (0.0, 10.0, 10.0):
    ...     _ = g.weight.data.fill_(w)
    ...     ema.update(g)
    >>> [round(d, 4) for d in (ema.decay_at(1), ema.decay_at(2), ema.decay_at(1000))]
    [0.1818, 0.25, 0.9]
    >>> round(ema.module.weight.item(), 3)  # 0, then 0.1818·0 + 0.8182·10, then 0.25·8.182 + 0.75·10
    9.545
    """

    def __init__(self, generator: nn.Module, decay: float = 0.999):
        self.decay = _check_decay(decay)
        self.model = AveragedModel(generator, avg_fn=self._average, use_buffers=True)

    def decay_at(self, updates: int) -> float:
        """The decay used when ``updates`` updates are already in the average."""
        return min(self.decay, (1 + updates) / (10 + updates))

    def _average(self, averaged: torch.Tensor, current: torch.Tensor, updates: torch.Tensor) -> torch.Tensor:
        d = self.decay_at(int(updates))
        return averaged * d + current * (1 - d)

    def update(self, generator: nn.Module) -> None:
        """Move the average towards ``generator``'s current weights (the first call copies them)."""
        self.model.update_parameters(generator)

    @property
    def module(self) -> nn.Module:
        """The averaged generator (same class as the one averaged), to sample from."""
        return self.model.module

    @property
    def updates(self) -> int:
        """How many updates the average has seen."""
        return int(self.model.n_averaged)

    def standing_statistics(self, batches: int = 40, batch_size: int = 256, seed: int = 0) -> nn.Module:
        """A copy of the average with its own batch norm statistics (see :func:`standing_statistics`)."""
        return standing_statistics(self.module, batches, batch_size, seed)

    def state_dict(self) -> dict:
        """The average's weights, buffers and update count (for checkpoints)."""
        return self.model.state_dict()

    def load_state_dict(self, state: dict) -> None:
        self.model.load_state_dict(state)


def standing_statistics(generator: nn.Module, batches: int = 40, batch_size: int = 256, seed: int = 0) -> nn.Module:
    """A copy of ``generator`` whose batch norm statistics are its own (BigGAN's "standing statistics").

    An averaged generator's running means and variances are averages of the
    raw generator's, measured on the raw generator's activations; the averaged
    weights produce slightly different ones. The copy's statistics are
    recomputed from ``batches`` batches of its own outputs on fresh noise
    (and, for a conditional generator, labels drawn uniformly), as
    ``torch.optim.swa_utils.update_bn`` does for a classifier (which cannot
    pass a label beside the noise). ``generator`` itself is unchanged.

    Examples
    --------
    >>> from cnnguide.gan.nets import DCGANGenerator
    >>> g = DCGANGenerator(latent_dim=8, width=4)
    >>> standing = standing_statistics(g, batches=2, batch_size=16)
    >>> first_norm = lambda net: next(m for m in net.modules() if isinstance(m, nn.BatchNorm2d))
    >>> bool(first_norm(g).running_mean.abs().sum() == 0), bool(first_norm(standing).running_mean.abs().sum() > 0)
    (True, True)
    """
    import copy

    generator = copy.deepcopy(generator)
    norms = [m for m in generator.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    if not norms:
        return generator.eval()
    param = next(generator.parameters())
    noise = torch.Generator().manual_seed(seed)
    num_classes = getattr(generator, "num_classes", None)
    momenta = {}
    for norm in norms:
        norm.reset_running_stats()
        momenta[norm], norm.momentum = norm.momentum, None  # None: a cumulative average over the batches
    generator.train()
    with torch.no_grad():
        for _ in range(batches):
            z = torch.randn(batch_size, generator.latent_dim, generator=noise).to(param.device)
            if num_classes is None:
                generator(z)
            else:
                generator(z, torch.randint(num_classes, (batch_size,), generator=noise).to(param.device))
    for norm, momentum in momenta.items():
        norm.momentum = momentum
    return generator.eval()
