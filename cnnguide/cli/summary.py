"""``cnnguide summary MODEL``: a network's layers with output shapes, parameters and FLOPs per image.

::

    cnnguide summary vgg11 --size 224
    cnnguide summary dcgan_generator -o width=32
"""

from __future__ import annotations

from .building import GAN_NETWORKS, layer_table
from .defaults import defaults_for
from .options import model_option, positive_int

__all__ = ["add_summary_command"]


def add_summary_command(commands, model_help: str, option_help: str) -> None:
    summary = commands.add_parser(
        "summary",
        help="print a model's layers with output shapes, parameters and FLOPs per image",
        description="Print MODEL's leaf layers with output shapes, parameters and FLOPs per image "
        "(FLOPs = 2 x multiply-accumulates; convolutions and linear layers only).",
    )
    summary.add_argument("model", metavar="MODEL", help=model_help + "; or a GAN network: " + ", ".join(GAN_NETWORKS))
    summary.add_argument("--size", type=positive_int, metavar="S",
                         help="input height and width (default: the model's training size)")
    summary.add_argument("--num-classes", type=positive_int, default=10, metavar="K", help="outputs (default: 10)")
    summary.add_argument("--in-channels", type=positive_int, default=1, metavar="C",
                         help="input channels (default: 1)")
    summary.add_argument("-o", "--option", type=model_option, action="append", default=[],
                         metavar="KEY=VALUE", help=option_help)
    summary.set_defaults(run=summarize_model, subparser=summary)


def summarize_model(parser, args) -> int:
    """Print the layer table of ``args.model`` (a GAN network on its own input shape)."""
    if args.model in GAN_NETWORKS:
        return gan_summary(parser, args)
    size = args.size or defaults_for(args.model).resize
    table = layer_table(parser, args, size, args.num_classes, args.in_channels)
    print(f"{args.model}, input (1, {args.in_channels}, {size}, {size})")
    print(table)
    return 0


def gan_summary(parser, args) -> int:
    """``cnnguide summary dcgan_generator``: the layer table of a GAN network, on its own input shape.

    ``--in-channels`` is the image channels of a DCGAN network (the generator's
    output, the discriminator's input); builder options come with ``-o``.
    """
    from ..gan import registry
    from ..summary import summarize

    options = dict(args.option)
    if args.num_classes != 10:
        parser.error(f"--num-classes does not apply to {args.model}: it outputs "
                     + ("samples" if "generator" in args.model else "one logit per example"))
    channels = {"dcgan_generator": "out_channels", "dcgan_discriminator": "in_channels",
                "conditional_dcgan_generator": "out_channels",
                "projection_discriminator": "in_channels"}.get(args.model)
    if channels:
        options.setdefault(channels, args.in_channels)
    elif args.in_channels != 1:
        parser.error(f"--in-channels does not apply to {args.model}")
    if args.size is not None and not (args.model in ("dcgan_discriminator", "projection_discriminator")
                                      and args.size == 28):
        parser.error(f"--size does not apply to {args.model}: "
                     + ("DCGAN's networks are built for 28x28 images" if "dcgan" in args.model
                        else "it takes vectors, not images"))
    try:
        net = registry.create(args.model, **options)
    except (TypeError, ValueError) as error:
        parser.error(f"cannot build {args.model}: {error}")
    shape = registry.input_shape(net)
    if getattr(net, "num_classes", None) is not None:  # a conditional network: the label too
        from ..gan.conditional import FixedLabel

        print(f"{args.model}, input {shape} and a label (0 here)")
        print(summarize(FixedLabel(net), shape))
        return 0
    print(f"{args.model}, input {shape}")
    print(summarize(net, shape))
    return 0
