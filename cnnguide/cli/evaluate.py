"""``cnnguide evaluate RUN_DIR``: how a trained classifier does on labelled images, class by class.

::

    cnnguide evaluate runs/lenet                       # a Fashion-MNIST run: the 10,000 test images
    cnnguide evaluate runs/comp --data comp/           # the run's own folder: its held-out images only
    cnnguide evaluate runs/comp --data new-labelled/   # any labelled folder with the run's classes

Prints the accuracy with its standard error and each class's accuracy, and
writes into ``--out`` (default ``RUN_DIR/evaluation``) ``evaluation.json``
(the scores, the confusion counts and a description of each picture),
``confusion.png`` (rows true classes, columns predictions) and
``mistakes.png``, the most confident wrong predictions. Predictions are made as
``cnnguide predict`` makes them (with flipped test-time predictions where the
run trained with flips). Given the folder the run trained on, only the images
it held out for validation are scored: the others were learnt.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch

from .options import add_prediction_options, fail, pick_device, positive_int

__all__ = ["add_evaluate_command", "evaluate"]


def add_evaluate_command(commands) -> None:
    parser = commands.add_parser(
        "evaluate", help="score a trained classifier: accuracy, per class, confusion matrix, worst mistakes",
        description="Score the network of RUN_DIR on labelled images: Fashion-MNIST's test set, or --data DIR "
        "(a dataset folder in any layout cnnguide train --data reads).")
    parser.add_argument("run_dir", type=Path, metavar="RUN_DIR", help="the output folder of cnnguide train")
    parser.add_argument("--data", type=Path, metavar="DIR",
                        help="labelled images to score on (default: Fashion-MNIST's test set, for a run trained "
                             "on Fashion-MNIST); the run's own folder scores its held-out images")
    parser.add_argument("--out", type=Path, metavar="DIR", help="where to write (default: RUN_DIR/evaluation)")
    parser.add_argument("--mistakes", type=positive_int, default=24, metavar="N",
                        help="wrong predictions drawn in mistakes.png, the most confident first (default 24)")
    add_prediction_options(parser)
    parser.set_defaults(run=evaluate, subparser=parser)


def _fashion_mnist_run(run_dir: Path, run: dict):
    """The network of a plain ``cnnguide train`` run, from its checkpoint."""
    from .. import models
    from ..data import CLASS_NAMES
    from ..train.checkpoint import read_checkpoint
    from .runs import RunError

    loaded = read_checkpoint(run_dir, "cnnguide-checkpoint-1")  # a damaged file is named there
    if loaded is None:
        raise RunError(f"{run_dir} holds no checkpoint.json: the run has not finished an epoch")
    net = models.create(run["model"], num_classes=10, in_channels=1, **run.get("model_options", {}))
    net.load_state_dict({k.removeprefix("model."): v for k, v in loaded[1].items() if k.startswith("model.")})
    return net, {**run, "classes": list(CLASS_NAMES), "channels": 1, "tta": False}


def _resized(images: torch.Tensor, size: int) -> torch.Tensor:
    from torchvision.transforms.v2 import functional as TF

    if images.shape[-1] == size:
        return images
    return torch.cat([TF.resize(chunk, [size, size], antialias=True) for chunk in images.split(1000)])


def _labelled(args, run: dict):
    """``(uint8 images (N, C, H, W), labels as the run's class indices, where)``."""
    from ..data import read_fashion_mnist
    from ..data.folders import read_folders
    from ..data.splits import stratified_split
    from .runs import RunError

    classes = list(run["classes"])
    if args.data is None:
        from ..data import CLASS_NAMES

        if classes != list(CLASS_NAMES):
            raise RunError(f"{args.run_dir} was trained on {run.get('data', 'a folder')}, not Fashion-MNIST: "
                           "give the labelled images to score with --data DIR")
        images, labels = read_fashion_mnist("test")
        return _resized(images[:, None], run["resize"]), labels, "Fashion-MNIST's 10,000 test images"
    own = run.get("data_dir") is not None and args.data.resolve() == Path(run["data_dir"])
    folder = read_folders(args.data, size=run["resize"], channels=run["channels"], test=False,
                          **(run.get("data_options", {}) if own else {}))
    unknown = sorted(set(folder.classes) - set(classes))
    if unknown:
        raise RunError(f"{args.data} has classes the run never learnt: {', '.join(unknown[:5])} "
                       f"(the run's classes: {', '.join(classes[:10])}{' ...' if len(classes) > 10 else ''})")
    index = torch.tensor([classes.index(c) for c in folder.classes])
    images, labels = folder.train.images, index[folder.train.labels]
    if own:  # the images it learnt from would flatter it: score the held-out share only
        _, held_out = stratified_split(folder.train.labels, run["holdout"], run["seed"])
        return (images[held_out], labels[held_out],
                f"the {len(held_out):,} images of {args.data} that the run held out for validation")
    return images, labels, f"the {len(labels):,} images of {args.data}"


def evaluate(parser, args) -> int:
    """``cnnguide evaluate RUN_DIR [--data DIR]``."""
    from ..data.competition import predict_images
    from ..data.folders import FolderDataError
    from ..figures import confusion_matrix_figure, prediction_grid
    from ..metrics import report
    from .runs import RunError, load_classifier, read_run, run_kind

    device = pick_device(parser, args.device)
    try:
        run = read_run(args.run_dir)
        if run_kind(run) == "gan":
            raise RunError(f"{args.run_dir} is a GAN run ({run['model']}); score it with cnnguide gan score")
        if run_kind(run) == "fashion-mnist":
            net, run = _fashion_mnist_run(args.run_dir, run)
        else:
            net, run = load_classifier(args.run_dir)
        images, labels, where = _labelled(args, run)
    except (FolderDataError, ValueError, OSError) as error:
        return fail("evaluate", error)
    tta = not args.no_tta and run.get("tta", run.get("recipe") == "baseline")
    probabilities = predict_images(net.to(device), images, batch_size=args.batch_size, device=device, tta=tta,
                                   progress=False if args.quiet else None)
    scored = report(probabilities, labels, run["classes"])
    out = args.out or args.run_dir / "evaluation"
    out.mkdir(parents=True, exist_ok=True)
    figures = {"confusion.png": confusion_matrix_figure(scored.matrix, run["classes"])}
    worst = scored.mistakes[:args.mistakes]
    if len(worst):
        confidence = probabilities[worst].max(dim=1).values
        figures["mistakes.png"] = prediction_grid(
            images[worst], labels[worst], probabilities[worst].argmax(dim=1), names=run["classes"],
            confidences=confidence, ncols=min(8, len(worst)), title=f"The {len(worst)} most confident mistakes",
            what="images, the most confident mistakes,")
    for name, figure in figures.items():
        figure.savefig(out / name, dpi=96)
    (out / "evaluation.json").write_text(json.dumps({
        "run": str(args.run_dir), "data": where, "tta": tta, "accuracy": scored.accuracy,
        "standard_error": scored.standard_error,
        "per_class": [{"class": c, "images": n, "accuracy": None if a != a else a} for c, n, a in scored.per_class],
        "confusion_matrix": scored.matrix.tolist(),
        "figures": {name: figure.alt for name, figure in figures.items()}}, indent=2) + "\n")
    print(f"{run['model']} on {where}{', flip test-time augmentation' if tta else ''}:")
    print(scored)
    drawn = ", mistakes.png" if len(worst) else " (no mistakes to draw)"
    print(f"wrote evaluation.json, confusion.png{drawn} into {out}")
    return 0
