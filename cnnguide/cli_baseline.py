"""``cnnguide train MODEL --data DIR`` and ``cnnguide predict RUN_DIR``: a competition baseline.

::

    cnnguide train resnet18 --data comp/ --out runs/comp      # the baseline recipe, 10 % held out
    cnnguide train lenet --data comp/ --recipe book           # the book's recipe, for comparison
    cnnguide train resnet18 --recipe baseline                 # the baseline on Fashion-MNIST
    cnnguide predict runs/comp --data comp/ --out submission.csv

``--data DIR`` is a competition folder (:mod:`cnnguide.folders`: ``train/<class>/``
or ``train.csv`` with ``train/``, and ``test/``). Its training images are decoded
once, resized to ``--resize`` (default: the model's book size), and a stratified
``--holdout`` share (10 %) is kept aside to judge each epoch and pick the best.
With ``--recipe baseline`` (the default with ``--data``) the run uses
:data:`cnnguide.recipes.BASELINE`; ``--epochs``, ``--lr`` and ``--batch-size``
override its settings, and :data:`cnnguide.recipes.BASELINE_OPTIONS` give the
builder options it trains a network with unless ``-o`` says otherwise
(``lenet``: ``variant=modern``). Without ``--data`` it trains on Fashion-MNIST, holding
out part of the training set, and reports the test accuracy at the end.

The run folder receives what ``cnnguide train`` writes (``run.json``,
``metrics.json``, ``metrics.csv``, ``metrics-points.csv``, ``curves.png``)
plus ``model.safetensors``, the weights the run ends with (the best epoch's),
which ``cnnguide predict`` reads back with the classes, image size and
channels recorded in ``run.json``. A baseline run cannot be resumed.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import torch

__all__ = ["add_baseline_options", "add_predict_command", "predict", "train_on_folders"]

MODEL_WEIGHTS = "model.safetensors"


def _fraction(text: str) -> float:
    import argparse

    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a fraction between 0 and 1, got {text!r}")
    return value


def add_baseline_options(train) -> None:
    """Add ``--data``, ``--recipe``, ``--holdout`` and ``--channels`` to ``cnnguide train``."""
    train.add_argument("--data", type=Path, metavar="DIR",
                       help="train on a competition folder (train/<class>/*.png, or train.csv + train/) "
                            "instead of Fashion-MNIST")
    train.add_argument("--recipe", choices=("book", "baseline"),
                       help="book: plain SGD as in the book (default without --data); baseline: the modern "
                            "recipe of cnnguide.recipes.BASELINE (default with --data)")
    train.add_argument("--holdout", type=_fraction, default=0.1, metavar="F",
                       help="share of each class held out for validation with --data or --recipe baseline "
                            "(default 0.1)")
    train.add_argument("--channels", type=int, choices=(1, 3),
                       help="with --data: convert every image to grey (1) or RGB (3); default: 1 if all "
                            "images are grey, else 3")


def add_predict_command(commands) -> None:
    """Add ``cnnguide predict`` to the command's subcommands."""
    from .cli import _positive_int

    predict_parser = commands.add_parser(
        "predict", help="write a competition submission (id,label) from a run trained with --data",
        description="Predict the images of DIR/test/ (or of DIR itself) with the network of RUN_DIR and "
        "write the CSV id,label, one row per image, labels spelled as in the training data.")
    predict_parser.add_argument("run_dir", type=Path, metavar="RUN_DIR", help="the output folder of cnnguide train")
    predict_parser.add_argument("--data", type=Path, required=True, metavar="DIR",
                                help="the competition folder (its test/ is predicted), or a folder of images")
    predict_parser.add_argument("--out", type=Path, default=Path("submission.csv"), metavar="CSV",
                                help="the submission file (default: submission.csv)")
    predict_parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    predict_parser.add_argument("--batch-size", type=_positive_int, default=256)
    predict_parser.add_argument("--no-tta", action="store_true", help="no flip test-time augmentation")
    predict_parser.add_argument("--quiet", action="store_true", help="no progress bar")
    predict_parser.set_defaults(run=predict, subparser=predict_parser)


def _device(parser, args) -> torch.device:
    from .devices import try_gpu

    if args.device == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda: no CUDA device is available")
    return try_gpu() if args.device == "auto" else torch.device(args.device)


def _labelled_data(args, resize: int):
    """(images uint8 (N, C, H, W), labels, classes, test or None, where); test = (images, labels) or None."""
    from . import data
    from .folders import read_folders

    if args.data is not None:
        folder = read_folders(args.data, size=resize, channels=args.channels, test=False)
        train = folder.train
        return train.images, train.labels, train.classes, None, f"{args.data} ({folder.layout})"
    images, labels = data.read_fashion_mnist("train")
    test_images, test_labels = data.read_fashion_mnist("test")
    n, m = args.train_size or len(labels), args.test_size or len(test_labels)
    return (images[:n, None], labels[:n], data.CLASS_NAMES, (test_images[:m, None], test_labels[:m]),
            "Fashion-MNIST")


def train_on_folders(parser, args) -> int:
    """``cnnguide train`` with ``--data`` or ``--recipe baseline`` (called by :mod:`cnnguide.cli`)."""
    from . import train
    from .cli import RUN_JSON, _check_model, _create, _fail, _layer_table, defaults_for
    from .competition import tta_accuracy
    from .data import ImageBatches
    from .folders import FolderDataError
    from .recipes import BASELINE, BASELINE_OPTIONS
    from .splits import stratified_split
    from .train.checkpoint import module_tensors

    _check_model(parser, args)
    if args.resume:
        parser.error("--resume: a run with --data or --recipe baseline cannot be resumed (its schedule and "
                     "moving average are not checkpointed); start it again")
    if args.data is not None and (args.train_size or args.test_size):
        parser.error("--train-size and --test-size apply to Fashion-MNIST, not to --data")
    recipe_name = args.recipe or "baseline"
    defaults = defaults_for(args.model)
    # The baseline trains today's layers (LeNet: variant=modern) unless -o says otherwise.
    extra = BASELINE_OPTIONS.get(args.model, {}) if recipe_name == "baseline" else {}
    args.option = list({**defaults.options, **extra, **dict(args.option)}.items())
    resize, seed = args.resize or defaults.resize, 0 if args.seed is None else args.seed
    device = _device(parser, args)
    folder_size = resize if args.data is not None else None  # Fashion-MNIST is resized batch by batch
    try:
        images, labels, classes, test, where = _labelled_data(args, folder_size)
        train_idx, val_idx = stratified_split(labels, args.holdout, seed)
    except (FolderDataError, ValueError, OSError) as error:
        return _fail(args, error)
    channels = images.shape[1]
    _layer_table(parser, args, resize, num_classes=len(classes), in_channels=channels)
    torch.manual_seed(seed)
    net = _create(parser, args, num_classes=len(classes), in_channels=channels)

    if recipe_name == "baseline":
        overrides = {k: v for k, v in (("epochs", args.epochs), ("lr", args.lr), ("batch_size", args.batch_size))
                     if v is not None}
        recipe = BASELINE.replace(**overrides)
        settings = {"epochs": recipe.epochs, "lr": recipe.lr, "batch_size": recipe.batch_size}
    else:
        recipe = None
        settings = {"epochs": args.epochs or defaults.epochs, "lr": args.lr or defaults.lr,
                    "batch_size": args.batch_size or defaults.batch_size}
    batch_resize = None if folder_size is not None or resize == images.shape[-1] else resize
    on = images.to(device), labels.to(device)
    train_iter = ImageBatches(on[0][train_idx], on[1][train_idx], settings["batch_size"], True, seed=seed,
                              resize=batch_resize)
    val_iter = ImageBatches(on[0][val_idx], on[1][val_idx], 512, False, resize=batch_resize)

    out = args.out or Path("runs") / args.model
    command = shlex.join(["cnnguide", *args.argv])
    run = {"model": args.model, "model_options": dict(args.option), "data": where,
           "data_dir": str(args.data.resolve()) if args.data is not None else None, "classes": list(classes),
           "channels": channels, "resize": resize, "holdout": args.holdout, "recipe": recipe_name,
           **settings, "seed": seed, "train_images": len(train_idx), "validation_images": len(val_idx),
           "compile": args.compile, "commands": [command]}
    if args.main_rank:  # under torchrun, rank 0 alone writes (cnnguide.cli)
        out.mkdir(parents=True, exist_ok=True)
        (out / RUN_JSON).write_text(json.dumps(run, indent=2) + "\n")
    if not args.quiet:
        print(f"training {args.model} on {device} with the {recipe_name} recipe: {where}, {len(classes)} classes, "
              f"{len(train_idx):,} images ({len(val_idx):,} held out), {resize}x{resize}x{channels}, "
              f"{settings['epochs']} epochs, into {out}")
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
        return _fail(args, error)
    except KeyboardInterrupt:
        print(f"\ninterrupted; {out} holds the best epoch so far (best.safetensors) if any", flush=True)
        return 130

    if not args.main_rank:
        return 0
    from safetensors.torch import save_file

    save_file(module_tensors("", net), str(out / MODEL_WEIGHTS))
    tta = recipe.tta if recipe is not None else False
    results = {"validation_acc": train.evaluate_accuracy(net, val_iter),
               "validation_tta_acc": tta_accuracy(net, val_iter) if tta else None}
    if test is not None:
        test_iter = ImageBatches(test[0].to(device), test[1].to(device), 512, False, resize=batch_resize)
        results["final_test_acc"] = tta_accuracy(net, test_iter, flip=tta)
    history.save_json(out / "metrics.json", **run, **results, tta=tta,
                      parameters=sum(p.numel() for p in net.parameters()), command=command)
    history.save_csv(out / "metrics.csv")
    history.save_points_csv(out / "metrics-points.csv")
    from .figures import plot_history

    title = f"{args.model}, {recipe_name} recipe, {where}"
    plot_history(history, title=title, evaluated_on="validation").savefig(out / "curves.png")
    if not args.quiet:
        print(history)
        shown = ", ".join(f"{k.replace('_', ' ')} {v:.4f}" for k, v in results.items() if v is not None)
        print(f"{shown}; wrote run.json, metrics.json, metrics.csv, metrics-points.csv, curves.png and "
              f"{MODEL_WEIGHTS} into {out}")
    return 0


def load_run(run_dir) -> tuple[torch.nn.Module, dict]:
    """The network a ``--data`` run ended with, and its ``run.json``."""
    from safetensors.torch import load_file

    from . import models
    from .cli import RUN_JSON

    run_dir = Path(run_dir)
    if not (run_dir / RUN_JSON).is_file() or not (run_dir / MODEL_WEIGHTS).is_file():
        raise ValueError(f"{run_dir} holds no {RUN_JSON} and {MODEL_WEIGHTS}: train it with "
                         "cnnguide train MODEL --data DIR --out RUN_DIR first")
    run = json.loads((run_dir / RUN_JSON).read_text())
    if "classes" not in run:
        raise ValueError(f"{run_dir} is a Fashion-MNIST run from before --data; it records no classes")
    net = models.create(run["model"], num_classes=len(run["classes"]), in_channels=run["channels"],
                        **run.get("model_options", {}))
    net.load_state_dict(load_file(str(run_dir / MODEL_WEIGHTS)))
    return net, run


def predict(parser, args) -> int:
    """``cnnguide predict RUN_DIR --data DIR --out CSV``."""
    from .cli import _fail
    from .competition import predict_images, write_submission
    from .folders import FolderDataError, read_images

    device = _device(parser, args)
    try:
        net, run = load_run(args.run_dir)
        folder = args.data / "test" if (args.data / "test").is_dir() else args.data
        test = read_images(folder, size=run["resize"], channels=run["channels"])
    except (FolderDataError, ValueError, OSError) as error:
        return _fail(args, error)
    if len(test) == 0:
        return _fail(args, ValueError(f"{folder} holds no images"))
    tta = not args.no_tta and run.get("recipe") == "baseline"
    probabilities = predict_images(net.to(device), test.images, batch_size=args.batch_size, device=device,
                                   tta=tta, progress=False if args.quiet else None)
    labels = [run["classes"][i] for i in probabilities.argmax(dim=1).tolist()]
    path = write_submission(args.out, test.ids, labels)
    if not args.quiet:
        print(f"wrote {path}: {len(labels):,} rows (id,label) for the images of {folder}"
              f"{', flip test-time augmentation' if tta else ''}")
    return 0
