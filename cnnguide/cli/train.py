"""``cnnguide train MODEL``: train a registered network on Fashion-MNIST with the book's recipe.

::

    cnnguide train lenet                      # 10 epochs, lr 0.9, batch 256, into runs/lenet/
    cnnguide train resnet18 --epochs 5 --device cuda --out runs/r18
    cnnguide train lenet --epochs 20 --resume  # continue runs/lenet/ up to epoch 20

A training run writes into its output folder ``metrics.json`` (the per-epoch
history with the model, hyper-parameters, device, torch version, date and the
exact command line), ``metrics.csv`` (one row per epoch), ``metrics-points.csv``
(the training loss and accuracy at 5 points within each epoch), ``curves.png``,
the checkpoint that ``--resume`` continues from, and ``run.json``, the settings
written when the run starts: a resumed run takes from it every setting not given
again, so ``cnnguide train lenet --resume`` finishes an interrupted run as it began.
The defaults (learning rate, batch size, epochs, image size, builder options)
come from the book's recipes, :data:`cnnguide.recipes.RECIPES` (see
:func:`~cnnguide.cli.defaults.defaults_for`): ``cnnguide train vgg11`` trains the book's ¼-width VGG-11.
With ``--data DIR`` or ``--recipe baseline`` the run is :mod:`cnnguide.cli.train_folders`'s.
"""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import torch

from .building import check_model, create, layer_table
from .defaults import defaults_for
from .options import add_device_option, fail, model_option, non_negative_int, pick_device, positive_float, positive_int
from .runs import RUN_JSON, run_to_resume
from .train_folders import add_folder_options

__all__ = ["add_train_command", "train_fashion_mnist"]


def add_train_command(commands, model_help: str, option_help: str) -> None:
    train = commands.add_parser(
        "train",
        allow_abbrev=False,  # --nproc-per-node must be spelt out: it is removed by name when relaunching
        help="train a model on Fashion-MNIST or on your own images (--data) and save its metrics, curves "
             "and weights",
        description="Train MODEL on Fashion-MNIST, or with --data DIR on a folder of your own images. Flags "
        "left out take the book's recipe for the model or its family (cnnguide.recipes), e.g. lenet: lr 0.9, "
        "batch 256, 10 epochs, 28 px; with --data, the baseline recipe (cnnguide.recipes.BASELINE).",
    )
    train.add_argument("model", metavar="MODEL", help=model_help)
    train.add_argument("--epochs", type=positive_int, help="total number of epochs (with --resume: up to this epoch)")
    train.add_argument("--lr", type=positive_float, help="learning rate of SGD")
    train.add_argument("--batch-size", type=positive_int, help="examples per mini-batch")
    train.add_argument("--resize", type=positive_int, metavar="R", help="train on R x R images (28 = no resizing)")
    add_device_option(train, "where to train")
    train.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: runs/MODEL)")
    train.add_argument("--resume", action="store_true", help="continue from the checkpoint in --out")
    train.add_argument("--seed", type=non_negative_int,
                       help="seed of the initial weights and the shuffles (default: 0)")
    train.add_argument("--train-size", type=positive_int, metavar="N",
                       help="use only the first N training images (short runs)")
    train.add_argument("--test-size", type=positive_int, metavar="N", help="use only the first N test images")
    train.add_argument("--compile", action="store_true", help="compile the model with torch.compile")
    train.add_argument("-o", "--option", type=model_option, action="append", default=[],
                       metavar="KEY=VALUE", help=option_help)
    train.add_argument("--quiet", action="store_true", help="no progress bar or per-epoch lines")
    train.add_argument("--nproc-per-node", type=positive_int, metavar="N",
                       help="train data-parallel in N processes on this machine, started through torchrun "
                            "(one per GPU; on a CPU, gloo); --batch-size stays the global batch")
    train.add_argument("--sync-batchnorm", action="store_true",
                       help="under torchrun on GPUs: batch norm over the global batch (SyncBatchNorm), "
                            "not each process's share")
    add_folder_options(train)
    train.set_defaults(run=train_fashion_mnist, subparser=train)


def previous_run(parser, args, out: Path) -> dict:
    """With ``--resume``: the settings recorded by the run in ``out`` (empty if none)."""
    run = run_to_resume(parser, "train", out, args.model) if args.resume else {}
    if not run:
        return {}
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


def train_fashion_mnist(parser, args) -> int:
    """``cnnguide train MODEL``: the book's recipe on Fashion-MNIST (or, with ``--data``, :mod:`.train_folders`)."""
    from .. import data, train
    from ..train.checkpoint import CHECKPOINT_JSON
    from ..train.distributed import world_from_env

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
        from .train_folders import train_on_folders

        return train_on_folders(parser, args)
    given = [flag for flag, value in (("--labels", args.labels), ("--images", args.images),
                                      ("--id-column", args.id_column), ("--label-column", args.label_column),
                                      ("--channels", args.channels), ("--augment", args.augment)) if value is not None]
    if given:  # the book's recipe on Fashion-MNIST reads no folder and changes no image
        parser.error(f"{given[0]} applies to --data DIR or --recipe baseline")
    check_model(parser, args)
    out = args.out or Path("runs") / args.model
    previous = previous_run(parser, args, out)
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

    device = pick_device(parser, args.device)

    resize = settings["resize"]
    # A size the network cannot take is a one-line error now, not a traceback
    # after the data is loaded.
    layer_table(parser, args, resize, num_classes=10, in_channels=1)
    torch.manual_seed(settings["seed"])
    net = create(parser, args, num_classes=10, in_channels=1)

    try:
        train_iter, test_iter = data.load_fashion_mnist(
            settings["batch_size"], resize=None if resize == 28 else resize, device=device,
            train_size=settings["train_size"], test_size=settings["test_size"], seed=settings["seed"])
    except (ValueError, OSError) as error:
        return fail("train", error)

    command = shlex.join(["cnnguide", *args.argv])
    run = {"kind": "fashion-mnist", "model": args.model, "model_options": dict(args.option), **settings, "compile": args.compile,
           "commands": [*previous.get("commands", []), command]}
    if args.main_rank:
        from ..train.checkpoint import _write_atomically  # the other ranks may be reading it to resume

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
        return fail("train", error)
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
    from ..figures import plot_history  # matplotlib is imported only when needed

    label = args.model + "".join(f", {k}={v}" for k, v in args.option)
    title = f"{label} on Fashion-MNIST, {history.metadata.get('device', device)}"
    plot_history(history, title=title).savefig(out / "curves.png")
    if not args.quiet:
        print(history)
        print(f"wrote metrics.json, metrics.csv, metrics-points.csv, curves.png and the checkpoint into {out}")
    return 0
