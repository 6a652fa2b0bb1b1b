"""Generators and discriminators: small MLPs for 2-D data, DCGAN for 28×28 images.

A generator maps a noise vector ``z`` of shape ``(N, latent_dim)`` to a sample;
a discriminator maps a sample to **one logit per example**, shape ``(N,)``,
never a probability: the losses of :mod:`cnnguide.gan.losses` apply the
sigmoid inside ``binary_cross_entropy_with_logits``, which stays finite where
``log(sigmoid(x))`` would round to ``log(0)``.

DCGAN (Radford, Metz and Chintala, 2016) is the set of rules that first made
convolutional GANs train reliably: strided convolutions instead of pooling in
the discriminator and transposed convolutions to upsample in the generator; no
fully connected hidden layers; batch normalization in both networks except the
generator's output layer and the discriminator's input layer; ReLU in the
generator with ``tanh`` at the output; LeakyReLU (slope 0.2) in the
discriminator. For 28×28 images the projection of ``z`` is a transposed
convolution from 1×1 to 7×7, and two stride-2 layers bring 7 to 14 to 28::

    G: z (100) -> 7x7x(2w) -> 14x14x(w) -> 28x28x1 (tanh)
    D: 28x28x1 -> 14x14x(w) -> 7x7x(2w) -> 1 logit (a 7x7 convolution)

``w`` is ``width`` (64 in the paper's spirit; 16 or 32 trains on a CPU).
The networks are registered by name in :mod:`cnnguide.gan.registry`
(``names``, ``create``, and ``input_shape`` for :func:`cnnguide.summary.summarize`).
"""

from __future__ import annotations

import torch
from torch import nn

from .remedies import (
    MinibatchStd, is_spectral_normed, pack_samples, refresh_spectral_norm_, reset_spectral_normed_parameters_,
    spectral_norm_,
)  # fmt: skip

__all__ = [
    "DCGANDiscriminator", "DCGANGenerator", "DownBlock", "MLPDiscriminator", "MLPGenerator", "UpBlock",
    "dcgan_discriminator", "dcgan_generator", "dcgan_init_", "default_init_", "mlp_discriminator",
    "mlp_generator",
]


def _positive(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return value


def _flag(name: str, value) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return value


def _remedies(net: nn.Module, pack, minibatch_std, spectral_norm) -> None:
    """Check and record a discriminator's remedy options (see :mod:`cnnguide.gan.remedies`)."""
    net.pack = _positive("pack", pack)
    net.minibatch_std = _flag("minibatch_std", minibatch_std)
    net.spectral_norm = _flag("spectral_norm", spectral_norm)


def _as_noise_batch(z: torch.Tensor, latent_dim: int) -> torch.Tensor:
    if z.dim() != 2 or z.shape[1] != latent_dim:
        raise ValueError(f"expected noise of shape (N, {latent_dim}), got {tuple(z.shape)}")
    return z


# --- the 2-D game -----------------------------------------------------------------------


def _mlp(in_dim: int, hidden: int, layers: int, out_dim: int) -> nn.Sequential:
    modules: list[nn.Module] = []
    for i in range(layers):
        modules += [nn.Linear(in_dim if i == 0 else hidden, hidden), nn.ReLU()]
    modules.append(nn.Linear(hidden if layers else in_dim, out_dim))
    return nn.Sequential(*modules)


class MLPGenerator(nn.Module):
    """``layers`` hidden ReLU layers of ``hidden`` units, then a linear map to ``out_dim`` values.

    The output is linear (no ``tanh``): 2-D data such as the ring of Gaussians
    is not confined to [-1, 1]. The defaults follow the 2-D experiments of Metz
    et al. (2017, unrolled GANs): two hidden layers of 128 and 256-dimensional noise.

    Examples
    --------
    >>> g = MLPGenerator(latent_dim=8)
    >>> g(torch.zeros(5, 8)).shape
    torch.Size([5, 2])
    >>> g(torch.zeros(5, 3))
    Traceback (most recent call last):
    ...
    ValueError: expected noise of shape (N, 8), got (5, 3)
    """

    def __init__(self, latent_dim: int = 256, hidden: int = 128, layers: int = 2, out_dim: int = 2):
        super().__init__()
        self.latent_dim = _positive("latent_dim", latent_dim)
        self.net = _mlp(latent_dim, _positive("hidden", hidden), _positive("layers", layers),
                        _positive("out_dim", out_dim))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(_as_noise_batch(z, self.latent_dim))


class MLPDiscriminator(nn.Module):
    """``layers`` hidden ReLU layers of ``hidden`` units, then one logit per example, shape ``(N,)``.

    Three remedies for mode collapse are options (:mod:`cnnguide.gan.remedies`):
    ``pack=m`` judges ``m`` consecutive samples at once (PacGAN: the first
    layer takes ``m · in_dim`` inputs, and a batch of ``N`` gives ``N / m``
    logits); ``minibatch_std=True`` puts a :class:`~cnnguide.gan.remedies.MinibatchStd`
    before the last layer, which then takes ``hidden + 1`` inputs;
    ``spectral_norm=True`` normalizes every linear layer. The choices are kept
    as the attributes ``pack``, ``minibatch_std`` and ``spectral_norm``.

    Examples
    --------
    >>> d = MLPDiscriminator()
    >>> d(torch.zeros(5, 2)).shape
    torch.Size([5])
    >>> packed = MLPDiscriminator(pack=4, minibatch_std=True)
    >>> packed.net[0].in_features, packed.net[-1].in_features, packed(torch.zeros(32, 2)).shape
    (8, 129, torch.Size([8]))
    """

    def __init__(self, in_dim: int = 2, hidden: int = 128, layers: int = 2, *, pack: int = 1,
                 minibatch_std: bool = False, spectral_norm: bool = False):
        super().__init__()
        self.in_dim = _positive("in_dim", in_dim)
        _remedies(self, pack, minibatch_std, spectral_norm)
        self.net = _mlp(in_dim * pack, _positive("hidden", hidden), _positive("layers", layers), 1)
        if minibatch_std:
            last = self.net[-1]
            self.net[-1] = MinibatchStd()
            self.net.append(nn.Linear(last.in_features + 1, 1))
        if spectral_norm:
            spectral_norm_(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 2 or x.shape[1] != self.in_dim:
            raise ValueError(f"expected samples of shape (N, {self.in_dim}), got {tuple(x.shape)}")
        return self.net(pack_samples(x, self.pack)).squeeze(1)


# --- DCGAN --------------------------------------------------------------------------------


class UpBlock(nn.Sequential):
    """Transposed convolution, batch norm, ReLU: one upsampling layer of the DCGAN generator.

    The default ``kernel_size=4, stride=2, padding=1`` doubles the height and
    width exactly (``(H - 1)·2 - 2 + 4 = 2H``). The convolution has no bias:
    the batch norm that follows subtracts the mean and brings its own shift.

    Examples
    --------
    >>> UpBlock(8, 4)(torch.zeros(2, 8, 7, 7)).shape
    torch.Size([2, 4, 14, 14])
    >>> [type(m).__name__ for m in UpBlock(8, 4)]
    ['ConvTranspose2d', 'BatchNorm2d', 'ReLU']
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 4, stride: int = 2,
                 padding: int = 1):
        super().__init__(
            nn.ConvTranspose2d(in_channels, out_channels, kernel_size, stride, padding, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(),
        )


class DownBlock(nn.Sequential):
    """Strided convolution, batch norm (optional), LeakyReLU(0.2): one layer of the DCGAN discriminator.

    The default ``kernel_size=4, stride=2, padding=1`` halves the height and
    width (an even size exactly). ``batch_norm=False`` is for the input layer,
    where DCGAN leaves it out; the convolution then keeps its bias.

    Examples
    --------
    >>> DownBlock(1, 8, batch_norm=False)(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 8, 14, 14])
    >>> [type(m).__name__ for m in DownBlock(8, 16)]
    ['Conv2d', 'BatchNorm2d', 'LeakyReLU']
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 4, stride: int = 2,
                 padding: int = 1, batch_norm: bool = True):
        layers: list[nn.Module] = [
            nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding, bias=not batch_norm)]
        if batch_norm:
            layers.append(nn.BatchNorm2d(out_channels))
        layers.append(nn.LeakyReLU(0.2))
        super().__init__(*layers)


class DCGANGenerator(nn.Module):
    """DCGAN generator for ``out_channels``×28×28 images in [-1, 1].

    ``project`` (a 7×7 transposed convolution of the 1×1 noise "image"),
    ``upsample`` (7 → 14), then ``to_image`` (14 → 28, no batch norm) and
    ``tanh``. Takes noise of shape ``(N, latent_dim)``.

    Examples
    --------
    >>> g = DCGANGenerator(latent_dim=10, width=8)
    >>> x = g(torch.randn(3, 10))
    >>> x.shape, bool(x.abs().max() <= 1)
    (torch.Size([3, 1, 28, 28]), True)
    """

    def __init__(self, latent_dim: int = 100, width: int = 64, out_channels: int = 1):
        super().__init__()
        self.latent_dim = _positive("latent_dim", latent_dim)
        w = _positive("width", width)
        self.project = UpBlock(latent_dim, 2 * w, kernel_size=7, stride=1, padding=0)  # 1x1 -> 7x7
        self.upsample = UpBlock(2 * w, w)                                                # 7 -> 14
        self.to_image = nn.ConvTranspose2d(w, _positive("out_channels", out_channels), 4, 2, 1)  # 14 -> 28
        self.tanh = nn.Tanh()

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        z = _as_noise_batch(z, self.latent_dim)
        x = self.project(z[:, :, None, None])
        return self.tanh(self.to_image(self.upsample(x)))


class DCGANDiscriminator(nn.Module):
    """DCGAN discriminator for ``in_channels``×28×28 images: one logit per image, shape ``(N,)``.

    ``features`` (28 → 14 without batch norm, 14 → 7 with it), then ``logit``,
    a 7×7 convolution to one channel: the whole 7×7 map read by one filter,
    which is what DCGAN's "no fully connected hidden layers" leaves room for.

    The remedies of :mod:`cnnguide.gan.remedies` are options, as for
    :class:`MLPDiscriminator`: ``pack=m`` stacks ``m`` consecutive images as
    ``m · in_channels`` channels (``N / m`` logits); ``minibatch_std=True``
    adds the 7×7 map of :class:`~cnnguide.gan.remedies.MinibatchStd` as one
    more channel before ``logit`` (``2w + 1`` input channels);
    ``spectral_norm=True`` normalizes every convolution. Batch norm stays
    (DCGAN's): a WGAN-GP critic needs ``batch_norm=False``.

    Examples
    --------
    >>> d = DCGANDiscriminator(width=8)
    >>> d(torch.zeros(3, 1, 28, 28)).shape
    torch.Size([3])
    >>> d(torch.zeros(3, 1, 32, 32))
    Traceback (most recent call last):
    ...
    ValueError: expected images of shape (N, 1, 28, 28), got (3, 1, 32, 32)
    >>> DCGANDiscriminator(width=8, pack=2, minibatch_std=True)(torch.zeros(8, 1, 28, 28)).shape
    torch.Size([4])
    """

    def __init__(self, width: int = 64, in_channels: int = 1, *, pack: int = 1, minibatch_std: bool = False,
                 spectral_norm: bool = False, batch_norm: bool = True):
        super().__init__()
        w = _positive("width", width)
        self.in_channels = _positive("in_channels", in_channels)
        _remedies(self, pack, minibatch_std, spectral_norm)
        self.features = nn.Sequential(
            DownBlock(in_channels * pack, w, batch_norm=False),                # 28 -> 14
            DownBlock(w, 2 * w, batch_norm=_flag("batch_norm", batch_norm)),  # 14 -> 7
        )
        self.stddev = MinibatchStd() if minibatch_std else None
        self.logit = nn.Conv2d(2 * w + minibatch_std, 1, kernel_size=7)       # 7 -> 1
        if spectral_norm:
            spectral_norm_(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 4 or tuple(x.shape[1:]) != (self.in_channels, 28, 28):
            raise ValueError(f"expected images of shape (N, {self.in_channels}, 28, 28), got {tuple(x.shape)}")
        h = self.features(pack_samples(x, self.pack))
        return self.logit(h if self.stddev is None else self.stddev(h)).flatten()


def dcgan_init_(module: nn.Module) -> None:
    """DCGAN's initialisation of one module, in place; use it as ``net.apply(dcgan_init_)``.

    Weights of convolutions, transposed convolutions and linear layers from
    N(0, 0.02²), batch-norm scales from N(1, 0.02²), all biases and batch-norm
    shifts zero. Other modules are left alone.

    d2l's DCGAN section draws the batch-norm scales from N(0, 0.02²) as well,
    which starts every normalised activation at about 2 % of unit scale and
    makes the generator's first outputs nearly constant; the PyTorch DCGAN
    example and most reimplementations of the paper use N(1, 0.02²), i.e.
    batch norm that starts close to its identity-scale default.

    Examples
    --------
    >>> torch.manual_seed(0)  # doctest: +ELLIPSIS
    <torch._C.Generator object at ...>
    >>> conv = nn.Conv2d(64, 64, 3)
    >>> dcgan_init_(conv)
    >>> round(conv.weight.std().item(), 3), conv.bias.abs().max().item()
    (0.02, 0.0)

    A spectrally normed layer (:func:`~cnnguide.gan.remedies.spectral_norm_`)
    has its underlying weight drawn, and its power iteration restarted. The
    label embeddings of a conditional network are drawn again with their own
    ``reset_parameters`` (the projection discriminator's restart at zero).
    """
    if isinstance(module, (nn.modules.conv._ConvNd, nn.Linear)) and is_spectral_normed(module):
        # module.weight is recomputed from the underlying weight at each access: initialise that one.
        nn.init.normal_(module.parametrizations.weight.original, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
        refresh_spectral_norm_(module)
    elif isinstance(module, (nn.modules.conv._ConvNd, nn.Linear)):
        nn.init.normal_(module.weight, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.modules.batchnorm._NormBase) and module.affine:
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)
    elif isinstance(module, nn.Embedding):
        # A conditional network's label vectors: drawn again (as the module
        # itself draws them) so that they too come from fit_gan's seed.
        module.reset_parameters()


def default_init_(module: nn.Module) -> None:
    """PyTorch's own initialisation of one module, drawn again; use it as ``net.apply(default_init_)``.

    For :func:`~cnnguide.gan.fit_gan`'s ``init``: the weights then come from
    its ``seed``, as with :func:`dcgan_init_`. The small MLPs of the 2-D game
    learn faster from PyTorch's (Kaiming-uniform) start than from DCGAN's
    N(0, 0.02²), which makes the generator's first samples a dot at the origin.

    Examples
    --------
    >>> a, b = nn.Linear(2, 2), nn.Linear(2, 2)
    >>> _ = torch.manual_seed(0); default_init_(a)
    >>> _ = torch.manual_seed(0); default_init_(b)
    >>> torch.equal(a.weight, b.weight)
    True

    A spectrally normed layer gets the same draw into its underlying weight
    (:func:`~cnnguide.gan.remedies.reset_spectral_normed_parameters_`):
    resetting it directly would write into the normalized weight, a temporary.
    """
    if isinstance(module, (nn.modules.conv._ConvNd, nn.Linear)) and is_spectral_normed(module):
        reset_spectral_normed_parameters_(module)
    elif hasattr(module, "reset_parameters"):
        module.reset_parameters()


# --- registry -------------------------------------------------------------------------------


def mlp_generator(latent_dim: int = 256, hidden: int = 128, layers: int = 2, out_dim: int = 2) -> MLPGenerator:
    """The generator of the 2-D experiments: 256-d noise, two hidden layers of 128, 2-D output."""
    return MLPGenerator(latent_dim, hidden, layers, out_dim)


def mlp_discriminator(in_dim: int = 2, hidden: int = 128, layers: int = 2, pack: int = 1,
                      minibatch_std: bool = False, spectral_norm: bool = False) -> MLPDiscriminator:
    """The discriminator of the 2-D experiments: two hidden layers of 128, one logit (remedies: see the class)."""
    return MLPDiscriminator(in_dim, hidden, layers, pack=pack, minibatch_std=minibatch_std,
                            spectral_norm=spectral_norm)


def dcgan_generator(latent_dim: int = 100, width: int = 64, out_channels: int = 1) -> DCGANGenerator:
    """DCGAN's generator for 28×28 images: 100-d noise, 7×7×128 -> 14×14×64 -> 28×28 at width 64."""
    return DCGANGenerator(latent_dim, width, out_channels)


def dcgan_discriminator(width: int = 64, in_channels: int = 1, pack: int = 1, minibatch_std: bool = False,
                        spectral_norm: bool = False, batch_norm: bool = True) -> DCGANDiscriminator:
    """DCGAN's discriminator for 28×28 images: 14×14×64 -> 7×7×128 -> 1 logit at width 64 (remedies: the class)."""
    return DCGANDiscriminator(width, in_channels, pack=pack, minibatch_std=minibatch_std,
                              spectral_norm=spectral_norm, batch_norm=batch_norm)
