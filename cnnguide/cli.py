"""The ``cnnguide`` command: train a registered network on Fashion-MNIST, or print its layer table.

::

    cnnguide train lenet                      # 10 epochs, lr 0.9, batch 256, into runs/lenet/
    cnnguide train resnet18 --epochs 5 --device cuda --out runs/r18
    cnnguide train lenet --epochs 20 --resume  # continue runs/lenet/ up to epoch 20
    cnnguide summary vgg11 --size 224         # shapes, parameters and FLOPs per image
    cnnguide train resnet18 --data comp/ --out runs/comp   # a competition folder, baseline recipe
    cnnguide predict runs/comp --data comp/ --out submission.csv   # (cnnguide.cli_baseline)
    cnnguide gan train dcgan --width 32       # a GAN recipe (cnnguide.cli_gan)

A training run writes into its output folder ``metrics.json`` (the per-epoch
history with the model, hyper-parameters, device, torch version, date and the
exact command line), ``metrics.csv`` (one row per epoch), ``metrics-points.csv``
(the training loss and accuracy at 5 points within each epoch), ``curves.png``,
the checkpoint that ``--resume`` continues from, and ``run.json``, the settings
written when the run starts: a resumed run takes from it every setting not given
again, so ``cnnguide train lenet --resume`` finishes an interrupted run as it began.
The defaults (learning rate, batch size, epochs, image size, builder options)
come from the book's recipes, :data:`cnnguide.recipes.RECIPES` (see
:func:`defaults_for`): ``cnnguide train vgg11`` trains the book's ¼-width VGG-11.

:func:`main` takes the argument list and returns the exit status, so the
command can be run inside Python (and the tests do)::

    from cnnguide.cli import main
    main(["summary", "lenet"])
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import re
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path

import torch

from . import models

__all__ = ["FALLBACK_DEFAULTS", "TrainDefaults", "build_parser", "defaults_for", "main"]


@dataclass(frozen=True)
class TrainDefaults:
    """The settings ``cnnguide train MODEL`` uses for the flags left out.

    Attributes
    ----------
    lr, batch_size, epochs, resize
        As the flags of the same names.
    options : dict
        Builder options applied unless ``-o`` gives others (only for a model
        that has a recipe of its own, e.g. VGG-11's ``width_multiplier``).
    recipe : str or None
        The :data:`cnnguide.recipes.RECIPES` entry they come from.
    """

    lr: float
    batch_size: int
    epochs: int
    resize: int
    options: dict = field(default_factory=dict)
    recipe: str | None = None


#: For a registered model of a family that has no recipe.
FALLBACK_DEFAULTS = TrainDefaults(lr=0.05, batch_size=128, epochs=10, resize=96)


def _family(name: str) -> str:
    return re.match(r"[a-z]*", name.lower()).group()  # "densenet121", "densenet_small" -> "densenet"


def defaults_for(model: str) -> TrainDefaults:
    """The training defaults of ``model``, from the book's recipes (:mod:`cnnguide.recipes`).

    A model with a recipe of its own gets it, builder options included; another
    member of a family (``vgg16``, ``resnet50``) gets the hyper-parameters of
    its family's recipe, without options; any other model gets
    :data:`FALLBACK_DEFAULTS`. The recipes are the one table of these numbers,
    shared with ``scripts/reproduce.py`` and the chapters.

    Examples
    --------
    >>> defaults_for("lenet")
    TrainDefaults(lr=0.9, batch_size=256, epochs=10, resize=28, options={}, recipe='lenet')
    >>> defaults_for("resnet50").resize, defaults_for("resnet50").recipe
    (96, 'resnet18')
    """
    from .recipes import RECIPES

    recipe = RECIPES.get(model)
    options = dict(recipe.options) if recipe else {}
    if recipe is None:
        recipe = next((r for r in RECIPES.values() if _family(r.name) == _family(model)), None)
    if recipe is None:
        return FALLBACK_DEFAULTS
    return TrainDefaults(recipe.lr, recipe.batch_size, recipe.epochs, recipe.resize, options, recipe.name)


# --- argument types: a bad value becomes argparse's one-line usage error ------


def _int_at_least(minimum: int, what: str):
    """An argparse type: an integer >= ``minimum``, else a one-line usage error naming ``what``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < minimum:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
        return value

    return parse


_positive_int = _int_at_least(1, "a positive integer")
_non_negative_int = _int_at_least(0, "a non-negative integer")


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive finite number, got {text!r}")
    return value


def _model_option(text: str) -> tuple[str, object]:
    key, sep, raw = text.partition("=")
    if not sep or not key.isidentifier():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    try:
        value = ast.literal_eval(raw)  # numbers, booleans, tuples
    except (ValueError, SyntaxError):
        value = raw  # a bare word such as variant=modern
    return key, value


#: What `cnnguide summary` tabulates besides the models: the GAN networks, as
#: cnnguide.gan.nets.names() lists them (a test keeps the two equal). Written
#: out so that building this parser does not import the GAN package.
GAN_NETWORKS = ("conditional_dcgan_generator", "dcgan_discriminator", "dcgan_generator", "mlp_discriminator",
                "mlp_generator", "projection_discriminator")
GAN_HELP = "train a GAN (the 2-D ring, DCGAN on Fashion-MNIST)"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``cnnguide`` command (``gan`` has its own: :mod:`cnnguide.cli_gan`)."""
    parser = argparse.ArgumentParser(
        prog="cnnguide",
        description="Train the networks of the cnnguide book on Fashion-MNIST, or print their layer tables.",
        epilog="Models: " + ", ".join(models.names()) + ". Run 'cnnguide COMMAND --help' for a command's options.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    model_help = "a registered model: " + ", ".join(models.names())
    option_help = ("a builder option of the model, repeatable (e.g. -o variant=modern for LeNet); "
                   "the value is read as a Python literal, else as text")

    train = commands.add_parser(
        "train",
        allow_abbrev=False,  # --nproc-per-node must be spelt out: it is removed by name when relaunching
        help="train a model on Fashion-MNIST and save its metrics, curves and checkpoint",
        description="Train MODEL on Fashion-MNIST. Flags left out take the book's recipe for the model "
        "or its family (cnnguide.recipes), e.g. lenet: lr 0.9, batch 256, 10 epochs, 28 px.",
    )
    train.add_argument("model", metavar="MODEL", help=model_help)
    train.add_argument("--epochs", type=_positive_int, help="total number of epochs (with --resume: up to this epoch)")
    train.add_argument("--lr", type=_positive_float, help="learning rate of SGD")
    train.add_argument("--batch-size", type=_positive_int, help="examples per mini-batch")
    train.add_argument("--resize", type=_positive_int, metavar="R", help="train on R x R images (28 = no resizing)")
    train.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto",
                       help="where to train; auto = the first GPU if there is one (default)")
    train.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: runs/MODEL)")
    train.add_argument("--resume", action="store_true", help="continue from the checkpoint in --out")
    train.add_argument("--seed", type=_non_negative_int,
                       help="seed of the initial weights and the shuffles (default: 0)")
    train.add_argument("--train-size", type=_positive_int, metavar="N",
                       help="use only the first N training images (short runs)")
    train.add_argument("--test-size", type=_positive_int, metavar="N", help="use only the first N test images")
    train.add_argument("--compile", action="store_true", help="compile the model with torch.compile")
    train.add_argument("-o", "--option", type=_model_option, action="append", default=[],
                       metavar="KEY=VALUE", help=option_help)
    train.add_argument("--quiet", action="store_true", help="no progress bar or per-epoch lines")
    train.add_argument("--nproc-per-node", type=_positive_int, metavar="N",
                       help="train data-parallel in N processes on this machine, started through torchrun "
                            "(one per GPU; on a CPU, gloo); --batch-size stays the global batch")
    train.add_argument("--sync-batchnorm", action="store_true",
                       help="under torchrun on GPUs: batch norm over the global batch (SyncBatchNorm), "
                            "not each process's share")
    from .cli_baseline import add_baseline_options, add_predict_command  # --data, predict

    add_baseline_options(train)
    train.set_defaults(run=_train, subparser=train)

    summary = commands.add_parser(
        "summary",
        help="print a model's layers with output shapes, parameters and FLOPs per image",
        description="Print MODEL's leaf layers with output shapes, parameters and FLOPs per image "
        "(FLOPs = 2 x multiply-accumulates; convolutions and linear layers only).",
    )
    summary.add_argument("model", metavar="MODEL", help=model_help + "; or a GAN network: " + ", ".join(GAN_NETWORKS))
    summary.add_argument("--size", type=_positive_int, metavar="S",
                         help="input height and width (default: the model's training size)")
    summary.add_argument("--num-classes", type=_positive_int, default=10, metavar="K", help="outputs (default: 10)")
    summary.add_argument("--in-channels", type=_positive_int, default=1, metavar="C",
                         help="input channels (default: 1)")
    summary.add_argument("-o", "--option", type=_model_option, action="append", default=[],
                         metavar="KEY=VALUE", help=option_help)
    summary.set_defaults(run=_summary, subparser=summary)
    add_predict_command(commands)
    # Listed for `cnnguide --help`; main() hands `cnnguide gan ...` to cnnguide.cli_gan before parsing.
    commands.add_parser("gan", help=GAN_HELP, add_help=False)
    return parser


def _check_model(parser, args) -> None:
    if args.model not in models.names():
        known = models.names()
        if args.command == "summary":  # the GAN networks have layer tables too
            known = [*known, *GAN_NETWORKS]
        parser.error(f"unknown model {args.model!r}; known models: {', '.join(known)}")


def _create(parser, args, **kwargs) -> torch.nn.Module:
    """Build the model, turning an unknown name or a bad option into a usage error."""
    _check_model(parser, args)
    try:
        return models.create(args.model, **kwargs, **dict(args.option))
    except (TypeError, ValueError) as error:
        parser.error(f"cannot build {args.model}: {error}")


def _layer_table(parser, args, size: int, num_classes: int, in_channels: int):
    """The model's :class:`~cnnguide.summary.Summary` at ``size``, or a usage error if it cannot take that size.

    The model is built on PyTorch's ``meta`` device, where tensors have shapes
    but no data: no weights are initialised and no arithmetic is done, so even
    VGG-19 is tabulated at once. A model whose forward pass needs real values
    is retried on the CPU.
    """
    from .summary import summarize

    shape = (1, in_channels, size, size)
    try:
        with torch.device("meta"):
            net = _create(parser, args, num_classes=num_classes, in_channels=in_channels)
        return summarize(net, shape, device="meta")
    except ValueError as error:  # the model's own check of its input
        problem = error
    except (NotImplementedError, RuntimeError):
        try:
            return summarize(_create(parser, args, num_classes=num_classes, in_channels=in_channels), shape)
        except (ValueError, RuntimeError) as error:  # a deep network runs out of pixels
            problem = error
    parser.error(f"{args.model} cannot take {size}x{size} inputs: {str(problem).splitlines()[0]}")


def _summary(parser, args) -> int:
    if args.model in GAN_NETWORKS:
        from .cli_gan import gan_summary

        return gan_summary(parser, args)
    size = args.size or defaults_for(args.model).resize
    table = _layer_table(parser, args, size, args.num_classes, args.in_channels)
    print(f"{args.model}, input (1, {args.in_channels}, {size}, {size})")
    print(table)
    return 0


RUN_JSON = "run.json"


def _previous_run(parser, args, out: Path) -> dict:
    """With ``--resume``: the settings recorded by the run in ``out`` (empty if none)."""
    path = out / RUN_JSON
    if not args.resume or not path.is_file():
        return {}
    run = json.loads(path.read_text())
    if run.get("model") != args.model:
        parser.error(f"{out} holds a run of {run.get('model')!r}, not {args.model!r}; choose another --out")
    if dict(args.option) and dict(args.option) != run.get("model_options", {}):
        parser.error(f"{out} was trained with options {run.get('model_options')}, not {dict(args.option)}")
    # Only the number of epochs may change: anything else would make the
    # resumed run a different experiment from the one it continues.
    for name in ("lr", "batch_size", "resize", "seed", "train_size", "test_size"):
        given = getattr(args, name)
        if given is not None and given != run.get(name):
            flag = "--" + name.replace("_", "-")
            parser.error(f"{out} was trained with {flag} {run.get(name)}, not {given}; "
                         f"leave {flag} out to resume, or choose another --out")
    return run


def _train(parser, args) -> int:
    from . import data, train
    from .train.checkpoint import CHECKPOINT_JSON
    from .train.distributed import world_from_env

    if args.nproc_per_node is not None and args.nproc_per_node > 1:
        from .launch import relaunch

        try:
            return relaunch(args.argv, args.nproc_per_node)
        except ValueError as error:
            parser.error(str(error))
    # Under torchrun every rank trains; rank 0 alone prints and writes (fit does the same for its checkpoints).
    args.main_rank = world_from_env()[0] == 0
    args.quiet = args.quiet or not args.main_rank
    if args.data is not None or args.recipe == "baseline":
        from .cli_baseline import train_on_folders

        return train_on_folders(parser, args)
    _check_model(parser, args)
    out = args.out or Path("runs") / args.model
    previous = _previous_run(parser, args, out)
    # A flag given now wins; then the interrupted run's setting; then the recipe.
    defaults = defaults_for(args.model)
    if previous:
        args.option = list(previous.get("model_options", {}).items())
    else:
        args.option = list({**defaults.options, **dict(args.option)}.items())
    settings = {}
    for name in ("epochs", "lr", "batch_size", "resize", "seed", "train_size", "test_size"):
        given = getattr(args, name)
        settings[name] = given if given is not None else previous.get(name, getattr(defaults, name, None))
    if settings["seed"] is None:
        settings["seed"] = 0

    if args.device == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda: no CUDA device is available")
    device = train.try_gpu() if args.device == "auto" else torch.device(args.device)

    resize = settings["resize"]
    # A size the network cannot take is a one-line error now, not a traceback
    # after the data is loaded.
    _layer_table(parser, args, resize, num_classes=10, in_channels=1)
    torch.manual_seed(settings["seed"])
    net = _create(parser, args, num_classes=10, in_channels=1)

    try:
        train_iter, test_iter = data.load_fashion_mnist(
            settings["batch_size"], resize=None if resize == 28 else resize, device=device,
            train_size=settings["train_size"], test_size=settings["test_size"], seed=settings["seed"])
    except (ValueError, OSError) as error:
        return _fail(args, error)

    command = shlex.join(["cnnguide", *args.argv])
    run = {"model": args.model, "model_options": dict(args.option), **settings, "compile": args.compile,
           "commands": [*previous.get("commands", []), command]}
    if args.main_rank:
        from .train.checkpoint import _write_atomically  # the other ranks may be reading it to resume

        out.mkdir(parents=True, exist_ok=True)
        _write_atomically(out / RUN_JSON, lambda p: p.write_text(json.dumps(run, indent=2) + "\n"))
    if not args.quiet:
        action = "resuming" if args.resume and (out / CHECKPOINT_JSON).is_file() else "training"
        shown = ", ".join([*(f"{k}={v}" for k, v in args.option),
                           *(f"{k} {v}" for k, v in settings.items() if v is not None)])
        print(f"{action} {args.model} on {device} ({shown}) into {out}")
    try:
        history = train.fit(
            net, train_iter, test_iter, settings["epochs"], settings["lr"], device=device,
            seed=settings["seed"], compile=args.compile, checkpoint_dir=out, resume=args.resume,
            sync_batchnorm=args.sync_batchnorm,
            progress=False if args.quiet else None, callbacks=[] if args.quiet else [train.PrintEpochs()])
    except (ValueError, FloatingPointError) as error:
        # A checkpoint made with other hyper-parameters, a diverging loss.
        return _fail(args, error)
    except KeyboardInterrupt:
        print(f"\ninterrupted; the checkpoint in {out} holds the last finished epoch. Continue with:\n"
              f"  cnnguide train {args.model} --resume --out {shlex.quote(str(out))}", file=sys.stderr)
        return 130

    if not args.main_rank:
        return 0
    history.save_json(out / "metrics.json", **run,
                      parameters=sum(p.numel() for p in net.parameters()),
                      command=command)
    history.save_csv(out / "metrics.csv")
    history.save_points_csv(out / "metrics-points.csv")
    from .figures import plot_history  # matplotlib is imported only when needed

    label = args.model + "".join(f", {k}={v}" for k, v in args.option)
    title = f"{label} on Fashion-MNIST, {history.metadata.get('device', device)}"
    plot_history(history, title=title).savefig(out / "curves.png")
    if not args.quiet:
        print(history)
        print(f"wrote metrics.json, metrics.csv, metrics-points.csv, curves.png and the checkpoint into {out}")
    return 0


def _fail(args, error: BaseException) -> int:
    print(f"cnnguide {args.command}: error: {error}", file=sys.stderr)
    return 1


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
        from .cli_gan import gan_main

        return gan_main(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = argv
    return args.run(args.subparser, args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
