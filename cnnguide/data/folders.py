"""A dataset folder's images: decoded once, checked, with their ids and labels.

:mod:`cnnguide.data.layouts` finds where a folder keeps its images and labels
(class folders, or a label table such as ``train.csv``, ``labels.csv`` or
``trainLabels.csv`` beside a folder of images) and which images are to be
predicted (a test folder, or a ``sample_submission.csv`` / ``test.csv``);
:func:`read_folders` decodes them. Images are PNG, JPEG, BMP, GIF, WebP
or TIFF files (:data:`~cnnguide.data.image_files.IMAGE_EXTENSIONS`, any case);
names starting with a dot (``.DS_Store``) are skipped; any other file in a class
folder or in the table's folder of images is an error.

As :mod:`cnnguide.data.fashion_mnist` does with Fashion-MNIST, every image is decoded once
(Pillow, in threads) into one ``uint8`` tensor of shape ``(N, C, H, W)``, which
:class:`cnnguide.data.batches.ImageBatches` cuts into batches on the device.

Colour modes: with ``channels=None`` the images keep one channel if every
one of them is grey (Pillow modes ``1``, ``L``, ``LA``), else all get three
(RGB; a grey image's value is copied into each channel). ``channels=1`` or
``3`` converts every image to grey (Pillow's ITU-R 601 luma) or RGB. Alpha
is discarded by the conversion; 16-bit and floating-point images are refused,
because Pillow's conversion to 8 bits clips them rather than scaling them.

Nothing is skipped silently: an unreadable or truncated image, an empty class
folder, a table row whose image is missing, or an image no row or class claims
raises :class:`~cnnguide.data.layouts.FolderDataError`, naming the file or the table line.
"""

from __future__ import annotations

import csv
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torchvision.transforms.v2 import functional as TF

from .batches import ImageBatches, check_resize
from .image_files import folder_files
from .image_files import natural as _natural
from .label_tables import FolderDataError
from .layouts import files_to_predict, find_layout, training_files

# FolderDataError (cnnguide.data.label_tables) is importable from here too, as before the package was split.
__all__ = [
    "FolderData",
    "FolderImages",
    "decode_images",
    "read_folders",
    "read_labelled",
    "read_images",
]

_GREY_MODES = {"1", "L", "LA"}
_DEEP_MODES = {"I", "F", "I;16", "I;16L", "I;16B", "I;16N"}


@dataclass(frozen=True)
class FolderImages:
    """Images decoded from a folder, with their ids and (for training data) labels.

    Attributes
    ----------
    images : torch.Tensor
        ``uint8`` of shape ``(N, C, H, W)``.
    ids : tuple of str
        One per image: the CSV id, or the file name without its extension.
    files : tuple of pathlib.Path
    labels : torch.Tensor or None
        ``int64`` class indices into ``classes``; ``None`` for unlabelled images.
    classes : tuple of str
        The class names, spelled as in the data (empty for unlabelled images).
    """

    images: torch.Tensor
    ids: tuple
    files: tuple
    labels: torch.Tensor | None = None
    classes: tuple = ()

    def __len__(self) -> int:
        return len(self.ids)

    def subset(self, indices) -> "FolderImages":
        """The images at ``indices`` (e.g. one side of :func:`stratified_split`)."""
        index = torch.as_tensor(indices, dtype=torch.int64)
        pick = index.tolist()
        return FolderImages(self.images[index], tuple(self.ids[i] for i in pick),
                            tuple(self.files[i] for i in pick),
                            None if self.labels is None else self.labels[index], self.classes)

    def batches(self, batch_size: int, shuffle: bool = False, seed=None, device=None) -> ImageBatches:
        """Labelled images as :class:`~cnnguide.data.ImageBatches` on ``device`` (default: the CPU)."""
        if self.labels is None:
            raise ValueError("these images have no labels; predict them with cnnguide.data.competition.predict_images")
        device = torch.device("cpu" if device is None else device)
        return ImageBatches(self.images.to(device), self.labels.to(device), batch_size, shuffle, seed=seed)

    def __repr__(self) -> str:
        shape = "x".join(str(s) for s in self.images.shape[1:])
        labels = f", {len(self.classes)} classes" if self.labels is not None else ""
        return f"FolderImages({len(self)} images of {shape}{labels})"


# --- decoding -----------------------------------------------------------------------


def _open(path: Path):
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(path)
        image.load()  # decodes now: a truncated file fails here, not later
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise FolderDataError(f"{path}: cannot decode the image ({error})") from None
    if image.mode in _DEEP_MODES:
        raise FolderDataError(f"{path}: mode {image.mode!r} (16-bit or float) is not supported; "
                              "save it with 8 bits per channel")
    return image


def _decode(path: Path, channels: int, size) -> torch.Tensor:
    image = _open(path).convert("L" if channels == 1 else "RGB")
    array = np.asarray(image, dtype=np.uint8)
    tensor = torch.from_numpy(array.reshape(array.shape[0], array.shape[1], -1).copy()).permute(2, 0, 1)
    if size is not None and tuple(tensor.shape[1:]) != size:
        tensor = TF.resize(tensor, list(size), antialias=True)
    return tensor


def _workers(workers) -> int:
    return max(1, min(8, os.cpu_count() or 1)) if workers is None else int(workers)


def decode_images(files, channels, size, workers) -> tuple[torch.Tensor, int]:
    """One ``uint8`` tensor ``(N, C, H, W)`` and its channel count; every bad file is named."""
    if channels not in (None, 1, 3):
        raise ValueError(f"channels must be None, 1 or 3, got {channels!r}")
    size = check_resize(size)
    with ThreadPoolExecutor(_workers(workers)) as pool:
        if channels is None:
            modes = list(pool.map(lambda p: _safe(lambda: _open(p).mode), files))
            _raise_bad(modes)
            channels = 1 if all(m in _GREY_MODES for m in modes) else 3
        tensors = list(pool.map(lambda p: _safe(lambda: _decode(p, channels, size)), files))
    _raise_bad(tensors)
    for path, tensor in zip(files, tensors):
        if tensor.shape != tensors[0].shape:
            (h0, w0), (h, w) = tensors[0].shape[1:], tensor.shape[1:]
            raise FolderDataError(
                f"{files[0]} is {w0}x{h0} pixels but {path} is {w}x{h} (width x height); "
                "choose one size to resize them all to (size=..., or --resize)")
    if not tensors:
        return torch.empty(0, channels, *(size or (0, 0)), dtype=torch.uint8), channels
    return torch.stack(tensors), channels


def _safe(job):
    try:
        return job()
    except FolderDataError as error:
        return error


def _raise_bad(results) -> None:
    bad = [r for r in results if isinstance(r, FolderDataError)]
    if bad:
        shown = "; ".join(str(e) for e in bad[:3])  # one line: a command's error is one line
        more = f" (and {len(bad) - 3} more)" if len(bad) > 3 else ""
        raise FolderDataError(f"{len(bad)} image(s) cannot be used: {shown}{more}")


# --- reading a folder ----------------------------------------------------------------


def read_images(folder, size=None, channels=None, *, workers=None) -> FolderImages:
    """The unlabelled images of ``folder`` (e.g. a competition's ``test/``), sorted by id.

    Parameters
    ----------
    folder : path-like
        Holds the image files directly; their ids are the names without extension.
    size : int or (int, int), optional
        Resize every image to it; ``None`` requires all images to share one size.
    channels : {None, 1, 3}
        See the module docstring; pass the training data's channels here.
    workers : int, optional
        Decoding threads (default: up to 8).

    Examples
    --------
    >>> import tempfile
    >>> from PIL import Image
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     for name in ("10", "9"):
    ...         Image.new("L", (6, 4)).save(f"{folder}/{name}.png")
    ...     test = read_images(folder)
    >>> test, test.ids
    (FolderImages(2 images of 1x4x6), ('9', '10'))
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FolderDataError(f"{folder} is not a folder")
    paths, ids = folder_files(folder)
    images, _ = decode_images(paths, channels, size, workers)
    return FolderImages(images, tuple(ids), tuple(paths))


def read_labelled(files, labels, size=None, channels=None, *, workers=None) -> FolderImages:
    """Images listed in Python, with their labels: fastai's ``from_lists`` / ``from_df``, without a folder layout.

    Parameters
    ----------
    files : sequence of path-like
        The image files, in any folders.
    labels : sequence of str or int
        One label per file; the classes are the distinct labels, numbers in
        numeric order when all of them are numbers.
    size, channels, workers
        As :func:`read_folders`.

    Examples
    --------
    >>> import tempfile
    >>> from PIL import Image
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     for name in ("a", "b", "c"):
    ...         Image.new("L", (4, 4)).save(f"{folder}/{name}.png")
    ...     images = read_labelled([f"{folder}/{n}.png" for n in "abc"], ["dog", "cat", "dog"])
    >>> images.classes, images.labels.tolist(), images.ids
    (('cat', 'dog'), [1, 0, 1], ('a', 'b', 'c'))
    """
    paths, names = [Path(f) for f in files], [str(label) for label in labels]
    if len(paths) != len(names):
        raise ValueError(f"need one label per file: {len(paths)} files, {len(names)} labels")
    missing = [p for p in paths if not p.is_file()]
    if missing:
        raise FolderDataError(f"{missing[0]} is not a file ({len(missing)} of the {len(paths)} files are missing)")
    classes = tuple(_natural(set(names)))
    index = {name: i for i, name in enumerate(classes)}
    decoded, _ = decode_images(paths, channels, size, workers)
    return FolderImages(decoded, tuple(p.stem for p in paths), tuple(paths),
                        torch.tensor([index[n] for n in names], dtype=torch.int64), classes)


@dataclass(frozen=True)
class FolderData:
    """A dataset folder: the labelled training images and, if there are any, the images to predict.

    Attributes
    ----------
    root : pathlib.Path
    train : FolderImages
    test : FolderImages or None
        The images to predict (a test folder, or those a test table lists), decoded like ``train``.
    layout : {"class folders", "csv"}
    found : cnnguide.data.layouts.Layout
        Where the images and labels were found (:meth:`~cnnguide.data.layouts.Layout.describe`).
    test_header : (str, str) or None
        The test table's id and label columns, for a submission with the same header.
    """

    root: Path
    train: FolderImages
    test: FolderImages | None
    layout: str
    found: object = None
    test_header: tuple | None = None

    @property
    def classes(self) -> tuple:
        return self.train.classes

    @property
    def channels(self) -> int:
        return self.train.images.shape[1]


def read_folders(root, size=None, channels=None, *, test: bool = True, labels=None, images=None,
                 id_column: str | None = None, label_column: str | None = None, workers=None) -> FolderData:
    """Read a dataset folder in any layout of :mod:`cnnguide.data.layouts`.

    Parameters
    ----------
    root : path-like
        Holds class folders (in ``train/`` or directly), or a label table
        beside a folder of images; and optionally the images to predict.
    size : int or (int, int), optional
        Resize every image to it; ``None`` requires all images to share one size.
    channels : {None, 1, 3}
        ``None``: 1 if every training image is grey, else 3; the test images
        get the same number.
    test : bool
        Read the images to predict too, when there are some.
    labels, images : path-like, optional
        The label table and the folder of its images, where finding them alone
        is ambiguous (relative to ``root`` or to the working folder).
    id_column, label_column : str, optional
        The table's columns, where their names are not among the usual ones.

    Raises
    ------
    FolderDataError
        Naming the file or table line that is wrong, and the option that settles an ambiguity.

    Examples
    --------
    >>> import tempfile
    >>> from PIL import Image
    >>> with tempfile.TemporaryDirectory() as root:
    ...     Path(root, "images").mkdir()
    ...     for i, breed in enumerate(["beagle", "pug", "beagle"]):
    ...         Image.new("RGB", (8, 8), "white").save(f"{root}/images/{i}.jpg")
    ...     _ = Path(root, "labels.csv").write_text("id,breed\\n0,beagle\\n1,pug\\n2,beagle\\n")
    ...     data = read_folders(root)
    >>> data.classes, data.train.labels.tolist(), data.found.describe()
    (('beagle', 'pug'), [0, 1, 0], "labels.csv (id column 'id', label column 'breed'), images in .../images")
    """
    found = find_layout(root, labels=labels, images=images, id_column=id_column, label_column=label_column)
    paths, ids, names = training_files(found)
    classes = tuple(_natural(set(names)))
    index = {name: i for i, name in enumerate(classes)}
    decoded, channels = decode_images(paths, channels, size, workers)
    labels_tensor = torch.tensor([index[n] for n in names], dtype=torch.int64)
    train = FolderImages(decoded, tuple(ids), tuple(paths), labels_tensor, classes)
    test_set, header = None, None
    listed = files_to_predict(found.root, found.images) if test else None
    if listed is not None:
        test_paths, test_ids, _, header = listed
        test_images, _ = decode_images(test_paths, channels, size or tuple(decoded.shape[2:]), workers)
        test_set = FolderImages(test_images, tuple(test_ids), tuple(test_paths))
    return FolderData(found.root, train, test_set, found.kind, found, header)
