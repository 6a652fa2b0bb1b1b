"""``cnnguide predict RUN_DIR --data DIR``: a submission (id,label) from a run trained with ``--data``.

::

    cnnguide predict runs/comp --data comp/ --out submission.csv

The images predicted are those a test table lists (``sample_submission.csv``
or ``test.csv``: its ids, in its order, and its header), else the files of a
test folder (``test/``, ``test_images/``), else the images of ``DIR`` itself
(see :mod:`cnnguide.data.layouts`). They are resized to the run's size and
converted to its channels; with a run whose training flipped images, each
prediction averages the image and its mirror image (``--no-tta`` turns that
off; a run trained with ``--augment none`` or ``crop`` never flips).
"""

from __future__ import annotations

from pathlib import Path

from .options import add_prediction_options, fail, pick_device

__all__ = ["add_predict_command", "predict", "test_images"]


def add_predict_command(commands) -> None:
    """Add ``cnnguide predict`` to the command's subcommands."""
    parser = commands.add_parser(
        "predict", help="write a submission (id,label) from a run trained with --data",
        description="Predict the images to predict in DIR (a test table's or a test folder's, else DIR's own) "
        "with the network of RUN_DIR and write the CSV id,label, labels spelled as in the training data.")
    parser.add_argument("run_dir", type=Path, metavar="RUN_DIR", help="the output folder of cnnguide train --data")
    parser.add_argument("--data", type=Path, required=True, metavar="DIR",
                        help="the dataset folder (its test table or test folder is predicted), or a folder of images")
    parser.add_argument("--out", type=Path, default=Path("submission.csv"), metavar="CSV",
                        help="the submission file (default: submission.csv)")
    add_prediction_options(parser)
    parser.set_defaults(run=predict, subparser=parser)


def test_images(data_dir: Path, run: dict):
    """``(FolderImages, where, header)``: the images to predict in ``data_dir``, decoded as ``run`` was trained."""
    from ..data.folders import FolderDataError, FolderImages, decode_images, read_images
    from ..data.layouts import find_layout, files_to_predict

    if not data_dir.is_dir():
        raise FolderDataError(f"{data_dir} is not a folder")
    try:  # a dataset folder: its training images' folder may hold a test table's images too
        layout = find_layout(data_dir, **run.get("data_options", {}))
    except FolderDataError:
        layout = None  # not a dataset folder: a folder of images to predict
    listed = files_to_predict(data_dir, layout.images if layout else None)
    if listed is None:
        if layout is not None:
            raise FolderDataError(f"{data_dir} holds training data ({layout.describe()}) but no images to predict: "
                                  "no test folder (test/, test_images/) and no sample_submission.csv or test.csv; "
                                  "give the folder of images to predict as --data")
        found = read_images(data_dir, size=run["resize"], channels=run["channels"])
        return found, data_dir, None
    files, ids, source, header = listed
    decoded, _ = decode_images(files, run["channels"], run["resize"], None)
    return FolderImages(decoded, tuple(ids), tuple(files)), source, header


def predict(parser, args) -> int:
    """``cnnguide predict RUN_DIR --data DIR --out CSV``."""
    from ..data.competition import predict_images, write_submission
    from ..data.folders import FolderDataError
    from .runs import load_classifier

    device = pick_device(parser, args.device)
    try:
        net, run = load_classifier(args.run_dir)
        test, where, header = test_images(args.data, run)
    except (FolderDataError, ValueError, OSError) as error:
        return fail("predict", error)
    if len(test) == 0:
        return fail("predict", ValueError(f"{where} holds no images"))
    tta = not args.no_tta and run.get("tta", run.get("recipe") == "baseline")
    probabilities = predict_images(net.to(device), test.images, batch_size=args.batch_size, device=device,
                                   tta=tta, progress=False if args.quiet else None)
    labels = [run["classes"][i] for i in probabilities.argmax(dim=1).tolist()]
    path = write_submission(args.out, test.ids, labels, header=header or ("id", "label"))
    if not args.quiet:
        print(f"wrote {path}: {len(labels):,} rows for the images of {where}"
              f"{', flip test-time augmentation' if tta else ''}")
    return 0
