"""Building the model a command names: an unknown name or a bad option is a usage error, not a traceback."""

from __future__ import annotations

import torch

from .. import models

__all__ = ["GAN_NETWORKS", "check_model", "create", "layer_table"]

#: What `cnnguide summary` tabulates besides the models: the GAN networks, as
#: cnnguide.gan.registry.names() lists them (a test keeps the two equal). Written
#: out so that building this parser does not import the GAN package.
GAN_NETWORKS = ("conditional_dcgan_generator", "dcgan_discriminator", "dcgan_generator", "mlp_discriminator",
                "mlp_generator", "projection_discriminator")

def check_model(parser, args) -> None:
    if args.model not in models.names():
        known = models.names()
        if args.command == "summary":  # the GAN networks have layer tables too
            known = [*known, *GAN_NETWORKS]
        parser.error(f"unknown model {args.model!r}; known models: {', '.join(known)}")


def create(parser, args, **kwargs) -> torch.nn.Module:
    """Build the model, turning an unknown name or a bad option into a usage error."""
    check_model(parser, args)
    try:
        return models.create(args.model, **kwargs, **dict(args.option))
    except (TypeError, ValueError) as error:
        parser.error(f"cannot build {args.model}: {error}")


def layer_table(parser, args, size: int, num_classes: int, in_channels: int):
    """The model's :class:`~cnnguide.summary.Summary` at ``size``, or a usage error if it cannot take that size.

    The model is built on PyTorch's ``meta`` device, where tensors have shapes
    but no data: no weights are initialised and no arithmetic is done, so even
    VGG-19 is tabulated at once. A model whose forward pass needs real values
    is retried on the CPU.
    """
    from ..summary import summarize

    shape = (1, in_channels, size, size)
    try:
        with torch.device("meta"):
            net = create(parser, args, num_classes=num_classes, in_channels=in_channels)
        return summarize(net, shape, device="meta")
    except ValueError as error:  # the model's own check of its input
        problem = error
    except (NotImplementedError, RuntimeError):
        try:
            return summarize(create(parser, args, num_classes=num_classes, in_channels=in_channels), shape)
        except (ValueError, RuntimeError) as error:  # a deep network runs out of pixels
            problem = error
    parser.error(f"{args.model} cannot take {size}x{size} inputs: {str(problem).splitlines()[0]}")
