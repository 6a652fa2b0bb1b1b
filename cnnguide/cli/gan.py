"""``cnnguide gan COMMAND``: train a GAN recipe, draw samples from a trained one, score it.

::

    cnnguide gan train dcgan-cpu --steps 5000 --out runs/dcgan   # cnnguide.cli.gan_train
    cnnguide gan sample runs/dcgan --n 64 --out grid.png         # cnnguide.cli.gan_sample
    cnnguide gan score runs/dcgan                                # cnnguide.cli.gan_score

``gan`` has its own parser, so that the other commands never import the GAN
package; :func:`cnnguide.cli.main` hands ``cnnguide gan ...`` over unparsed.
"""

from __future__ import annotations

import argparse

from .gan_sample import add_gan_sample_command
from .gan_score import add_gan_score_command
from .gan_train import add_gan_train_command

__all__ = ["GAN_HELP", "build_gan_parser", "gan_main"]

GAN_HELP = "train a GAN (the 2-D ring, DCGAN on Fashion-MNIST), draw samples from it, score it"


def build_gan_parser() -> argparse.ArgumentParser:
    """The parser of ``cnnguide gan``."""
    gan = argparse.ArgumentParser(prog="cnnguide gan", description=GAN_HELP[0].upper() + GAN_HELP[1:] + ".")
    commands = gan.add_subparsers(dest="gan_command", metavar="COMMAND", required=True)
    add_gan_train_command(commands)
    add_gan_sample_command(commands)
    add_gan_score_command(commands)
    return gan


def gan_main(argv: list[str]) -> int:
    """Run ``cnnguide gan ARGV`` and return the exit status."""
    args = build_gan_parser().parse_args(argv)
    args.argv = ["gan", *argv]
    return args.run(args.subparser, args)
