"""The GAN networks by name: what ``cnnguide summary`` and the recipes build.

The unconditional networks live in :mod:`cnnguide.gan.nets`, the
conditional ones (built from them) in :mod:`cnnguide.gan.conditional`; this
registry imports both, so neither needs the other's names at import time.
"""

from __future__ import annotations

import inspect
from typing import Callable

from torch import nn

from .conditional import (
    ConditionalDCGANGenerator, ProjectionDiscriminator, conditional_dcgan_generator, projection_discriminator,
)  # fmt: skip
from .nets import (
    DCGANDiscriminator, DCGANGenerator, MLPDiscriminator, MLPGenerator, dcgan_discriminator, dcgan_generator,
    mlp_discriminator, mlp_generator,
)  # fmt: skip

__all__ = ["create", "input_shape", "names"]

_BUILDERS: dict[str, Callable[..., nn.Module]] = {
    "conditional_dcgan_generator": conditional_dcgan_generator,
    "projection_discriminator": projection_discriminator,
    "mlp_generator": mlp_generator,
    "mlp_discriminator": mlp_discriminator,
    "dcgan_generator": dcgan_generator,
    "dcgan_discriminator": dcgan_discriminator,
}


def names() -> list[str]:
    """The registered GAN network names, sorted.

    Examples
    --------
    >>> names()
    ['conditional_dcgan_generator', 'dcgan_discriminator', 'dcgan_generator', 'mlp_discriminator',
     'mlp_generator', 'projection_discriminator']
    """
    return sorted(_BUILDERS)


def create(name: str, **options) -> nn.Module:
    """Build the GAN network registered as ``name`` with builder ``options``.

    Raises
    ------
    ValueError
        For an unknown name (the message lists the known ones), an unknown
        option or a bad value.

    Examples
    --------
    >>> create("dcgan_generator", width=16).latent_dim
    100
    >>> create("dcgan_generator", depth=3)
    Traceback (most recent call last):
    ...
    ValueError: dcgan_generator: unknown option(s) ['depth']; known options: ['latent_dim', 'out_channels', 'width']
    """
    if name not in _BUILDERS:
        raise ValueError(f"unknown GAN network {name!r}; known: {', '.join(names())}")
    known = list(inspect.signature(_BUILDERS[name]).parameters)
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise ValueError(f"{name}: unknown option(s) {unknown}; known options: {sorted(known)}")
    return _BUILDERS[name](**options)


def input_shape(net: nn.Module, batch: int = 1) -> tuple[int, ...]:
    """The shape of one input batch of ``net``: noise for a generator, samples for a discriminator.

    Examples
    --------
    >>> input_shape(create("dcgan_generator")), input_shape(create("dcgan_discriminator"))
    ((1, 100), (1, 1, 28, 28))
    >>> input_shape(MLPDiscriminator(), batch=4)
    (4, 2)
    """
    if isinstance(net, (MLPGenerator, DCGANGenerator, ConditionalDCGANGenerator)):
        return (batch, net.latent_dim)  # a conditional network takes (batch,) labels besides
    if isinstance(net, ProjectionDiscriminator):
        return (batch, net.in_channels, 28, 28)
    if isinstance(net, MLPDiscriminator):
        return (batch * net.pack, net.in_dim)
    if isinstance(net, DCGANDiscriminator):
        return (batch * net.pack, net.in_channels, 28, 28)
    raise ValueError(f"input_shape knows the networks of cnnguide.gan.nets and cnnguide.gan.conditional, not {type(net).__name__}")
