"""``cnnguide train MODEL --data DIR``: the competition baseline on a reader's own images, or on Fashion-MNIST.

::

    cnnguide train resnet18 --data comp/ --out runs/comp      # the baseline recipe, 10 % held out
    cnnguide train lenet --data digits/ --augment crop        # no flips: a mirrored digit is no digit
    cnnguide train resnet18 --data dogs/ --labels labels.csv --images train --label-column breed
    cnnguide train lenet --data comp/ --recipe book           # the book's recipe, for comparison
    cnnguide train resnet18 --recipe baseline                 # the baseline on Fashion-MNIST

``--data DIR`` is a dataset folder in any layout of :mod:`cnnguide.data.layouts`
(class folders; a label table such as ``train.csv``, ``labels.csv`` or
``trainLabels.csv`` beside a folder of images, or named by ``--labels`` and
``--images``; ``--id-column`` and ``--label-column`` where the header's names
are unusual). Its training images are decoded
once, resized to ``--resize`` (default: the model's book size), and a stratified
``--holdout`` share (10 %) is kept aside to judge each epoch and pick the best:
the scores printed are validation scores. With ``--recipe baseline`` (the
default with ``--data``) the run uses :data:`cnnguide.recipes.BASELINE`;
``--epochs``, ``--lr`` and ``--batch-size`` override its settings,
``--augment`` chooses what may change a training image (random crops, flips,
both, or nothing: a flip is wrong for digits, text, and any data whose mirror
image is another class), and :data:`cnnguide.recipes.BASELINE_OPTIONS` give the
builder options it trains a network with unless ``-o`` says otherwise
(``lenet``: ``variant=modern``). Without ``--data`` it trains on Fashion-MNIST, holding
out part of the training set, and reports the test accuracy at the end.

The run folder receives what ``cnnguide train`` writes (``run.json``,
``metrics.json``, ``metrics.csv``, ``metrics-points.csv``, ``curves.png``)
plus ``model.safetensors``, the weights the run ends with (the best epoch's),
which ``cnnguide predict`` and ``cnnguide evaluate`` read back with the classes,
image size, channels and augmentation recorded in ``run.json``. A baseline run cannot be resumed.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import torch

from .options import AUGMENTATIONS, fail, fraction, pick_device

__all__ = ["add_folder_options", "augment_pieces", "train_on_folders"]


def add_folder_options(train) -> None:
    """Add ``--data`` and the options of a run on a dataset folder to ``cnnguide train``."""
    train.add_argument("--data", type=Path, metavar="DIR",
                       help="train on a dataset folder (class folders, or a label table such as train.csv, "
                            "labels.csv or trainLabels.csv beside a folder of images) instead of Fashion-MNIST")
    train.add_argument("--labels", type=Path, metavar="FILE",
                       help="with --data: the label table (when the folder has none of the usual names, or two)")
    train.add_argument("--images", type=Path, metavar="DIR",
                       help="with --data: the folder of the label table's images (when it is not found alone)")
    train.add_argument("--id-column", metavar="NAME", help="with --data: the label table's column of image ids")
    train.add_argument("--label-column", metavar="NAME", help="with --data: the label table's column of labels")
    train.add_argument("--recipe", choices=("book", "baseline"),
                       help="book: plain SGD as in the book (default without --data); baseline: the modern "
                            "recipe of cnnguide.recipes.BASELINE (default with --data)")
    train.add_argument("--augment", choices=AUGMENTATIONS,
                       help="with the baseline recipe: what may change a training image (default crop+flip); "
                            "flip also turns on flipped test-time predictions; use crop or none for digits, "
                            "text, or any data whose mirror image is another class")
    train.add_argument("--holdout", type=fraction, default=0.1, metavar="F",
                       help="share of each class held out for validation with --data or --recipe baseline "
                            "(default 0.1)")
    train.add_argument("--channels", type=int, choices=(1, 3),
                       help="with --data: convert every image to grey (1) or RGB (3); default: 1 if all "
                            "images are grey, else 3")


def augment_pieces(augment: str) -> tuple[str, ...]:
    """The pieces of the baseline recipe (:data:`cnnguide.train.modern.PIECES`) that ``--augment`` switches off.

    >>> augment_pieces("crop+flip"), augment_pieces("crop"), augment_pieces("none")
    ((), ('flip',), ('augmentation',))
    """
    return {"crop+flip": (), "crop": ("flip",), "flip": ("crop",), "none": ("augmentation",)}[augment]


def _labelled_data(args, resize: int):
    """(images uint8 (N, C, H, W), labels, classes, test, where, layout); test = (images, labels) or None."""
    from .. import data
    from ..data.folders import read_folders

    if args.data is not None:
        folder = read_folders(args.data, size=resize, channels=args.channels, test=False, labels=args.labels,
                              images=args.images, id_column=args.id_column, label_column=args.label_column)
        train = folder.train
        return train.images, train.labels, train.classes, None, f"{args.data}: {folder.found.describe()}", folder.found
    images, labels = data.read_fashion_mnist("train")
    test_images, test_labels = data.read_fashion_mnist("test")
    n, m = args.train_size or len(labels), args.test_size or len(test_labels)
    return (images[:n, None], labels[:n], data.CLASS_NAMES, (test_images[:m, None], test_labels[:m]),
            "Fashion-MNIST", None)


def train_on_folders(parser, args) -> int:
    """``cnnguide train`` with ``--data`` or ``--recipe baseline`` (called by :mod:`cnnguide.cli.train`)."""
    from .. import train
    from ..data import ImageBatches
    from ..data.competition import tta_accuracy
    from ..data.folders import FolderDataError
    from ..data.splits import stratified_split
    from ..recipes import BASELINE, BASELINE_OPTIONS
    from ..train.checkpoint import module_tensors
    from .building import check_model, create, layer_table
    from .defaults import defaults_for
    from .runs import MODEL_WEIGHTS, RUN_JSON

    check_model(parser, args)
    if args.resume:
        parser.error("--resume: a run with --data or --recipe baseline cannot be resumed (its schedule and "
                     "moving average are not checkpointed); start it again")
    if args.data is not None and (args.train_size or args.test_size):
        parser.error("--train-size and --test-size apply to Fashion-MNIST, not to --data")
    if args.data is None:
        given = [f for f, v in (("--labels", args.labels), ("--images", args.images), ("--id-column", args.id_column),
                                ("--label-column", args.label_column), ("--channels", args.channels)) if v is not None]
        if given:
            parser.error(f"{given[0]} applies to --data DIR")
    recipe_name = args.recipe or "baseline"
    if recipe_name == "book" and args.augment not in (None, "none"):
        parser.error("--augment applies to the baseline recipe; the book's recipe trains on the images as they are")
    augment = (args.augment or "crop+flip") if recipe_name == "baseline" else "none"
    defaults = defaults_for(args.model)
    # The baseline trains today's layers (LeNet: variant=modern) unless -o says otherwise.
    extra = BASELINE_OPTIONS.get(args.model, {}) if recipe_name == "baseline" else {}
    args.option = list({**defaults.options, **extra, **dict(args.option)}.items())
    resize, seed = args.resize or defaults.resize, 0 if args.seed is None else args.seed
    device = pick_device(parser, args.device)
    folder_size = resize if args.data is not None else None  # Fashion-MNIST is resized batch by batch
    try:
        images, labels, classes, test, where, found = _labelled_data(args, folder_size)
        train_idx, val_idx = stratified_split(labels, args.holdout, seed)
    except (FolderDataError, ValueError, OSError) as error:
        return fail("train", error)
    channels = images.shape[1]
    layer_table(parser, args, resize, num_classes=len(classes), in_channels=channels)
    torch.manual_seed(seed)
    net = create(parser, args, num_classes=len(classes), in_channels=channels)

    if recipe_name == "baseline":
        overrides = {k: v for k, v in (("epochs", args.epochs), ("lr", args.lr), ("batch_size", args.batch_size))
                     if v is not None}
        recipe = BASELINE.replace(**overrides).without(*augment_pieces(augment))
        settings = {"epochs": recipe.epochs, "lr": recipe.lr, "batch_size": recipe.batch_size}
    else:
        recipe = None
        settings = {"epochs": args.epochs or defaults.epochs, "lr": args.lr or defaults.lr,
                    "batch_size": args.batch_size or defaults.batch_size}
    batch_resize = None if folder_size is not None or resize == images.shape[-1] else resize
    on = images.to(device), labels.to(device)
    # A last batch of one image would stop batch norm ("expected more than 1 value per channel"):
    # leave that one image out of each epoch, a different one each time.
    lone = len(train_idx) % settings["batch_size"] == 1
    train_iter = ImageBatches(on[0][train_idx], on[1][train_idx], settings["batch_size"], True, seed=seed,
                              resize=batch_resize, drop_last=lone)
    val_iter = ImageBatches(on[0][val_idx], on[1][val_idx], 512, False, resize=batch_resize)

    out = args.out or Path("runs") / args.model
    # How the folder was read, for predict and evaluate to find its images again.
    data_options = {k: v for k, v in (("labels", args.labels and str(found.table.resolve())),
                                      ("images", args.images and str(found.images.resolve())),
                                      ("id_column", args.id_column), ("label_column", args.label_column)) if v}
    command = shlex.join(["cnnguide", *args.argv])
    run = {"kind": "classifier", "model": args.model, "model_options": dict(args.option), "data": where,
           "data_dir": str(args.data.resolve()) if args.data is not None else None, "data_options": data_options,
           "classes": list(classes),
           "channels": channels, "resize": resize, "holdout": args.holdout, "recipe": recipe_name, "augment": augment,
           "tta": bool(recipe.tta) if recipe is not None else False,
           **settings, "seed": seed, "train_images": len(train_idx), "validation_images": len(val_idx),
           "compile": args.compile, "commands": [command]}
    if args.main_rank:  # under torchrun, rank 0 alone writes (cnnguide.cli.train)
        out.mkdir(parents=True, exist_ok=True)
        (out / RUN_JSON).write_text(json.dumps(run, indent=2) + "\n")
    if not args.quiet:
        print(f"training {args.model} on {device} with the {recipe_name} recipe: {where}, {len(classes)} classes, "
              f"{len(train_idx):,} images ({len(val_idx):,} held out), {resize}x{resize}x{channels}, "
              f"augment {augment}, {settings['epochs']} epochs, into {out}")
    progress = False if args.quiet else None
    callbacks = [] if args.quiet else [train.PrintEpochs(evaluated_on="validation")]
    try:
        if recipe is not None:
            history = recipe.fit(net, train_iter, val_iter, device=device, seed=seed, callbacks=callbacks,
                                 best_dir=out, progress=progress, compile=args.compile,
                                 sync_batchnorm=args.sync_batchnorm)
        else:
            history = train.fit(net, train_iter, val_iter, settings["epochs"], settings["lr"], device=device,
                                seed=seed, callbacks=callbacks, progress=progress, compile=args.compile,
                                sync_batchnorm=args.sync_batchnorm)
    except (ValueError, FloatingPointError) as error:
        return fail("train", error)
    except KeyboardInterrupt:
        print(f"\ninterrupted; {out} holds the best epoch so far (best.safetensors) if any", flush=True)
        return 130

    if not args.main_rank:
        return 0
    from safetensors.torch import save_file

    save_file(module_tensors("", net), str(out / MODEL_WEIGHTS))
    tta = run["tta"]
    results = {"validation_acc": train.evaluate_accuracy(net, val_iter),
               "validation_tta_acc": tta_accuracy(net, val_iter) if tta else None}
    if test is not None:
        test_iter = ImageBatches(test[0].to(device), test[1].to(device), 512, False, resize=batch_resize)
        results["final_test_acc"] = tta_accuracy(net, test_iter, flip=tta)
    history.save_json(out / "metrics.json", **run, **results,
                      parameters=sum(p.numel() for p in net.parameters()), command=command)
    history.save_csv(out / "metrics.csv")
    history.save_points_csv(out / "metrics-points.csv")
    from ..figures import plot_history

    title = f"{args.model}, {recipe_name} recipe, {where}"
    plot_history(history, title=title, evaluated_on="validation").savefig(out / "curves.png")
    if not args.quiet:
        print(history.summary(evaluated_on="validation"))
        shown = ", ".join(f"{k.replace('_', ' ')} {v:.4f}" for k, v in results.items() if v is not None)
        print(f"{shown}; wrote run.json, metrics.json, metrics.csv, metrics-points.csv, curves.png and "
              f"{MODEL_WEIGHTS} into {out}")
    return 0
