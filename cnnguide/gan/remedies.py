"""Remedies for mode collapse that live inside the discriminator: spectral norm, minibatch std, packing.

Each one changes what the discriminator can see or how fast it can change:

- :func:`spectral_norm_` -- spectral normalization (Miyato et al., 2018): every
  weight matrix divided by its largest singular value, estimated by one power
  iteration per training forward pass (torch's
  :func:`torch.nn.utils.parametrizations.spectral_norm`), which bounds how
  sharply each linear layer can change with its input (exactly 1-Lipschitz
  for a linear layer; for a convolution torch normalises the reshaped
  kernel matrix, a bound up to a factor, and batch norm kept after it adds
  its own scale);
- :class:`MinibatchStd` -- the minibatch standard deviation layer (Karras et
  al., 2018, ProGAN): one extra feature, the spread of the features across a
  group of examples, so that a batch of identical fakes looks different from
  a batch of varied real examples;
- :func:`pack_samples` -- PacGAN's packing (Lin et al., 2018): the
  discriminator judges ``pack`` samples at once, concatenated, so that it sees
  the joint distribution of ``pack`` samples, where a collapsed generator is
  easy to tell apart.

The builders of :mod:`cnnguide.gan.nets` take them as options
(``spectral_norm=``, ``minibatch_std=``, ``pack=``); :func:`discriminator_remedies`
reads them back from a network, for :func:`~cnnguide.gan.fit_gan`'s records.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils import parametrize
from torch.nn.utils.parametrizations import spectral_norm

__all__ = ["MinibatchStd", "discriminator_remedies", "is_spectral_normed", "pack_samples",
           "refresh_spectral_norm_", "reset_spectral_normed_parameters_", "spectral_norm_"]

_NORMED = (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)


# --- spectral normalization -----------------------------------------------------------------------


def spectral_norm_(net: nn.Module) -> nn.Module:
    """Apply spectral normalization to every ``Linear``, ``Conv2d`` and ``ConvTranspose2d`` of ``net``, in place.

    Each weight ``W`` becomes ``W / σ(W)``, ``σ`` the largest singular value of
    ``W`` reshaped to a matrix, estimated by power iteration (one step per
    forward pass in training mode; torch's
    :func:`~torch.nn.utils.parametrizations.spectral_norm`). The trainable
    parameter is then ``parametrizations.weight.original``. A layer that is
    already normalized is left as it is. Returns ``net``.

    Examples
    --------
    >>> net = spectral_norm_(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1)))
    >>> [is_spectral_normed(m) for m in net]
    [True, False, True]
    >>> _ = net.train(); _ = [net(torch.randn(16, 4)) for _ in range(20)]
    >>> round(torch.linalg.matrix_norm(net[0].weight.detach(), ord=2).item(), 3)
    1.0
    """
    for module in net.modules():
        if isinstance(module, _NORMED) and not is_spectral_normed(module):
            # ConvTranspose2d keeps its output channels in dim 1: that is the
            # dimension torch's spectral_norm must keep as rows.
            spectral_norm(module, dim=1 if isinstance(module, nn.ConvTranspose2d) else 0)
    return net


def is_spectral_normed(module: nn.Module) -> bool:
    """Whether ``module.weight`` is parametrized by torch's spectral normalization."""
    return parametrize.is_parametrized(module, "weight") and any(
        type(p).__name__ == "_SpectralNorm" for p in module.parametrizations.weight)


def refresh_spectral_norm_(module: nn.Module, iterations: int = 15) -> None:
    """Redraw a spectrally normed layer's power-iteration vectors and iterate, after its weight was re-initialised.

    The vectors ``u, v`` that estimate ``σ(W)`` were set when
    :func:`spectral_norm_` ran, for the weight of that moment; after an
    initialisation they are stale. They are drawn again from torch's global
    generator (so a seeded initialisation decides them) and ``iterations``
    power steps are run, as torch does when it first applies the norm.
    """
    for p in module.parametrizations.weight:
        if type(p).__name__ != "_SpectralNorm":
            continue
        with torch.no_grad():
            # _u and _v are the parametrization's buffers (in the state dict);
            # torch offers no public call to redraw them.
            p._u.copy_(F.normalize(torch.randn_like(p._u), dim=0, eps=p.eps))
            p._v.copy_(F.normalize(torch.randn_like(p._v), dim=0, eps=p.eps))
            was_training = p.training
            p.train()
            try:
                for _ in range(iterations):  # a training-mode forward is one power step
                    module.parametrizations.weight()
            finally:
                p.train(was_training)


def reset_spectral_normed_parameters_(module: nn.Module) -> None:
    """``reset_parameters()`` for a spectrally normed ``Linear`` or convolution, on the underlying weight.

    Calling ``module.reset_parameters()`` itself would initialise the
    normalized weight, a temporary recomputed at each access, and leave the
    trainable ``parametrizations.weight.original`` as it was. This is the
    initialisation of ``nn.Linear`` and ``nn.Conv*d`` (Kaiming-uniform with
    ``a = √5``, the bias uniform in ``±1/√fan_in``), drawn in the same order
    from torch's generator, then :func:`refresh_spectral_norm_`.

    Examples
    --------
    >>> a, b = nn.Linear(3, 2), spectral_norm_(nn.Linear(3, 2))
    >>> _ = torch.manual_seed(0); a.reset_parameters()
    >>> _ = torch.manual_seed(0); reset_spectral_normed_parameters_(b)
    >>> torch.equal(a.weight, b.parametrizations.weight.original), torch.equal(a.bias, b.bias)
    (True, True)
    """
    weight = module.parametrizations.weight.original
    with torch.no_grad():
        nn.init.kaiming_uniform_(weight, a=math.sqrt(5))
        if getattr(module, "bias", None) is not None:
            fan_in, _ = nn.init._calculate_fan_in_and_fan_out(weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            nn.init.uniform_(module.bias, -bound, bound)
    refresh_spectral_norm_(module)


# --- minibatch standard deviation -----------------------------------------------------------------


class MinibatchStd(nn.Module):
    """Append the features' standard deviation over groups of examples as one more feature (ProGAN).

    The batch ``(N, F)`` or ``(N, C, H, W)`` is cut into groups of
    ``G = min(group_size, N)`` consecutive examples (example ``i`` is in group
    ``i // G``; ProGAN's reshape to ``[G, N/G, ...]`` groups every ``N/G``-th
    example instead, which is the same for a shuffled batch). For each group and each feature
    (each channel and position of an image) the **biased** standard deviation
    over the ``G`` examples is ``sqrt(var + 1e-8)`` (``var`` the mean squared
    deviation, divided by ``G``, as in ProGAN); these are averaged over the
    features to one number per group, which every example of the group gets
    as an extra feature: ``(N, F + 1)``, or ``(N, C + 1, H, W)`` with the
    number broadcast over ``H × W``. A batch of identical samples gets
    ``1e-4`` there, a varied one more.

    ``N`` must be a multiple of ``G`` (as in ProGAN); otherwise ``ValueError``.
    A batch smaller than ``group_size`` is one group.

    Examples
    --------
    >>> layer = MinibatchStd(group_size=2)
    >>> x = torch.tensor([[0.0, 0.0], [2.0, 4.0], [1.0, 1.0], [1.0, 1.0]])
    >>> layer(x)  # stds of group 1: 1 and 2 (mean 1.5); group 2 identical: sqrt(1e-8)
    tensor([[0.0000e+00, 0.0000e+00, 1.5000e+00],
            [2.0000e+00, 4.0000e+00, 1.5000e+00],
            [1.0000e+00, 1.0000e+00, 1.0000e-04],
            [1.0000e+00, 1.0000e+00, 1.0000e-04]])
    >>> MinibatchStd()(torch.zeros(6, 3, 5, 5))
    Traceback (most recent call last):
    ...
    ValueError: MinibatchStd: a batch of N=6 examples is not a multiple of the group size 4
    """

    def __init__(self, group_size: int = 4, eps: float = 1e-8):
        super().__init__()
        if isinstance(group_size, bool) or not isinstance(group_size, int) or group_size < 1:
            raise ValueError(f"group_size must be a positive integer, got {group_size!r}")
        self.group_size, self.eps = group_size, eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() not in (2, 4):
            raise ValueError(f"MinibatchStd expects (N, F) or (N, C, H, W) features, got {tuple(x.shape)}")
        n = x.shape[0]
        g = min(self.group_size, n)
        if n % g:
            raise ValueError(f"MinibatchStd: a batch of N={n} examples is not a multiple of the group size {g}")
        groups = x.reshape(n // g, g, *x.shape[1:])
        var = groups.var(dim=1, unbiased=False)                        # (N/G, features...)
        std = (var + self.eps).sqrt().flatten(1).mean(dim=1)           # one number per group
        extra = std.repeat_interleave(g)                               # back to one per example
        extra = extra.view(n, 1, *([1] * (x.dim() - 2))).expand(n, 1, *x.shape[2:])
        return torch.cat([x, extra.to(x.dtype)], dim=1)

    def extra_repr(self) -> str:
        return f"group_size={self.group_size}"


# --- packing -------------------------------------------------------------------------------------------


def pack_samples(x: torch.Tensor, pack: int) -> torch.Tensor:
    """PacGAN's packing: ``(N, D, ...)`` -> ``(N / pack, pack · D, ...)``, ``pack`` consecutive samples concatenated.

    Samples ``k·pack, ..., k·pack + pack - 1`` form pack ``k``, joined along
    dimension 1 (features of a vector, channels of an image). ``N`` must be a
    multiple of ``pack``.

    Examples
    --------
    >>> pack_samples(torch.arange(8.0).reshape(4, 2), 2)
    tensor([[0., 1., 2., 3.],
            [4., 5., 6., 7.]])
    >>> pack_samples(torch.zeros(3, 1, 28, 28), 2)
    Traceback (most recent call last):
    ...
    ValueError: a batch of N=3 samples cannot be cut into packs of 2; use a batch size divisible by 2
    """
    if pack == 1:
        return x
    n = x.shape[0]
    if n % pack:
        raise ValueError(f"a batch of N={n} samples cannot be cut into packs of {pack}; "
                         f"use a batch size divisible by {pack}")
    return x.reshape(n // pack, pack * x.shape[1], *x.shape[2:])


def discriminator_remedies(discriminator: nn.Module) -> dict:
    """The remedies a discriminator was built with: ``{"pack", "minibatch_std", "spectral_norm"}``.

    Read from its attributes of those names (the networks of
    :mod:`cnnguide.gan.nets` set them); a network without them counts as
    ``pack=1`` and neither layer, except that spectral normalization is also
    found by looking at its layers.

    Examples
    --------
    >>> discriminator_remedies(nn.Linear(2, 1))
    {'pack': 1, 'minibatch_std': False, 'spectral_norm': False}
    >>> discriminator_remedies(spectral_norm_(nn.Linear(2, 1)))['spectral_norm']
    True
    """
    sn = getattr(discriminator, "spectral_norm", None)
    if not isinstance(sn, bool):
        sn = any(is_spectral_normed(m) for m in discriminator.modules())
    mbstd = getattr(discriminator, "minibatch_std", None)
    if not isinstance(mbstd, bool):
        mbstd = any(isinstance(m, MinibatchStd) for m in discriminator.modules())
    return {"pack": int(getattr(discriminator, "pack", 1)), "minibatch_std": mbstd, "spectral_norm": sn}
