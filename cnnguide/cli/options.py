"""What the commands share: argument types, the flags several of them take, and the one-line error.

An argument type turns a bad value into argparse's one-line usage error
(status 2) that names the flag; :func:`fail` reports a problem found later
(a damaged file, a folder that cannot be read) in one line with status 1.
"""

from __future__ import annotations

import argparse
import ast
import math
import sys

__all__ = ["AUGMENTATIONS", "add_device_option", "add_prediction_options", "fail", "fraction", "int_at_least", "model_option",
           "non_negative_int", "pick_device", "positive_float", "positive_int"]


def int_at_least(minimum: int, what: str):
    """An argparse type: an integer >= ``minimum``, else a one-line usage error naming ``what``.

    >>> int_at_least(2, "an integer >= 2")("3")
    3
    """

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < minimum:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
        return value

    return parse


positive_int = int_at_least(1, "a positive integer")
non_negative_int = int_at_least(0, "a non-negative integer")


def positive_float(text: str) -> float:
    """An argparse type: a positive finite number."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive finite number, got {text!r}")
    return value


def fraction(text: str) -> float:
    """An argparse type: a number strictly between 0 and 1.

    >>> fraction("0.2")
    0.2
    """
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a fraction between 0 and 1, got {text!r}")
    return value


def model_option(text: str) -> tuple[str, object]:
    """An argparse type: ``KEY=VALUE``, the value read as a Python literal, else as text.

    >>> model_option("variant=modern"), model_option("width_multiplier=0.25")
    (('variant', 'modern'), ('width_multiplier', 0.25))
    """
    key, sep, raw = text.partition("=")
    if not sep or not key.isidentifier():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    try:
        value = ast.literal_eval(raw)  # numbers, booleans, tuples
    except (ValueError, SyntaxError):
        value = raw  # a bare word such as variant=modern
    return key, value


#: ``--augment``'s choices: what a training batch may be changed by (see cnnguide.train.augment).
AUGMENTATIONS = ("none", "crop", "flip", "crop+flip")


def add_device_option(parser, what: str = "where to compute") -> None:
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto",
                        help=f"{what}; auto = the first GPU if there is one (default)")


def add_prediction_options(parser) -> None:
    """The options of a command that predicts with a trained classifier: ``predict``, ``evaluate``."""
    add_device_option(parser, "where to predict")
    parser.add_argument("--batch-size", type=positive_int, default=256)
    parser.add_argument("--no-tta", action="store_true", help="no flip test-time augmentation")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def pick_device(parser, choice: str):
    """The torch device ``--device`` names; ``cuda`` without a GPU is a usage error."""
    import torch

    from ..devices import try_gpu

    if choice == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda: no CUDA device is available")
    return try_gpu() if choice == "auto" else torch.device(choice)


def fail(command: str, error: BaseException) -> int:
    """Print ``cnnguide COMMAND: error: ...`` on one line to stderr and return the exit status 1."""
    print(f"cnnguide {command}: error: {error}", file=sys.stderr)
    return 1

