"""The ``cnnguide`` command's parser and entry point: one sub-command per module of this package.

:func:`main` takes the argument list and returns the exit status, so the
command can be run inside Python (and the tests do)::

    from cnnguide.cli import main
    main(["summary", "lenet"])
"""

from __future__ import annotations

import argparse
import sys

from .. import models
from .evaluate import add_evaluate_command
from .gan import GAN_HELP
from .predict import add_predict_command
from .summary import add_summary_command
from .train import add_train_command

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``cnnguide`` command (``gan`` has its own: :mod:`cnnguide.cli.gan`)."""
    parser = argparse.ArgumentParser(
        prog="cnnguide",
        description="Train the networks of the cnnguide book on Fashion-MNIST or on your own images, "
        "score and use them, print their layer tables; train GANs and draw from them.",
        epilog="Models: " + ", ".join(models.names()) + ". Run 'cnnguide COMMAND --help' for a command's options.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    model_help = "a registered model: " + ", ".join(models.names())
    option_help = ("a builder option of the model, repeatable (e.g. -o variant=modern for LeNet); "
                   "the value is read as a Python literal, else as text")
    add_train_command(commands, model_help, option_help)
    add_summary_command(commands, model_help, option_help)
    add_predict_command(commands)
    add_evaluate_command(commands)
    # Listed for `cnnguide --help`; main() hands `cnnguide gan ...` to cnnguide.cli.gan before parsing.
    commands.add_parser("gan", help=GAN_HELP, add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``cnnguide`` command with ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    Usage errors (an unknown model, ``--epochs -3``) print one line of usage
    and exit with status 2, as argparse does.

    Examples
    --------
    >>> main(["summary", "lenet"])  # doctest: +ELLIPSIS
    lenet, input (1, 1, 28, 28)
    Layer         Type       Output shape     Parameters    FLOPs
    ...
    Parameters: 61,706 (61.7 k), trainable: 61,706
    Per 1x28x28 image: 416,520 multiply-accumulates (417 k MACs) = 833,040 FLOPs (833 k)
    0
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["gan"]:
        from .gan import gan_main

        return gan_main(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = argv
    return args.run(args.subparser, args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
