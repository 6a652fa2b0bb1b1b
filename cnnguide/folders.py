"""A competition's images, read from folders: decoded once, checked, split for validation.

Competitions hand out their images in one of two layouts, both read here from a
folder ``root``:

``root/train/<class>/*.png`` -- one folder per class
    The class names are the folder names.
``root/train.csv`` beside ``root/train/*.png`` -- a table of labels
    ``train.csv`` has a header with the columns ``id`` and ``label`` (others are
    allowed and ignored); the image of a row is ``train/<id>``, or
    ``train/<id>.<ext>`` when the id has no extension.

The images to predict, if any, are the files of ``root/test/``; each one's id
is its file name without the extension. Images are PNG, JPEG, BMP, GIF, WebP
or TIFF files (:data:`IMAGE_EXTENSIONS`, any case); names starting with a dot
(``.DS_Store``) are skipped; anything else is an error.

As :mod:`cnnguide.data` does with Fashion-MNIST, every image is decoded once
(Pillow, in threads) into one ``uint8`` tensor of shape ``(N, C, H, W)``, which
:class:`cnnguide.data.ImageBatches` cuts into batches on the device.

Colour modes: with ``channels=None`` the images keep one channel if every
one of them is grey (Pillow modes ``1``, ``L``, ``LA``), else all get three
(RGB; a grey image's value is copied into each channel). ``channels=1`` or
``3`` converts every image to grey (Pillow's ITU-R 601 luma) or RGB. Alpha
is discarded by the conversion; 16-bit and floating-point images are refused,
because Pillow's conversion to 8 bits clips them rather than scaling them.

Nothing is skipped silently: an unreadable or truncated image, an empty class
folder, a CSV row whose image is missing, or an image no row or class claims
raises :class:`FolderDataError`, naming the file or the CSV line.
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

from .data import ImageBatches, _check_resize

__all__ = [
    "IMAGE_EXTENSIONS",
    "FolderData",
    "FolderDataError",
    "FolderImages",
    "read_folders",
    "read_images",
]

#: File endings read as images (compared in lower case).
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")
_GREY_MODES = {"1", "L", "LA"}
_DEEP_MODES = {"I", "F", "I;16", "I;16L", "I;16B", "I;16N"}


class FolderDataError(ValueError):
    """A dataset folder that cannot be read as it stands; the message names the file or CSV line."""


def _natural(names):
    """Numbers in numeric order when every name is one, else in text order.

    >>> _natural(["10", "9", "2"]), _natural(["dog", "cat"])
    (['2', '9', '10'], ['cat', 'dog'])
    """
    names = list(names)
    if names and all(n.isdigit() for n in names):
        return sorted(names, key=int)
    return sorted(names)


def _listing(folder: Path) -> tuple[list[Path], list[Path]]:
    """(image files, sub-folders) of ``folder``; any other file is an error."""
    files, folders = [], []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            folders.append(entry)
        elif entry.suffix.lower() in IMAGE_EXTENSIONS:
            files.append(entry)
        else:
            raise FolderDataError(
                f"{entry}: not an image (expected one of {', '.join(IMAGE_EXTENSIONS)}); "
                "move it out of the dataset folder")
    return files, folders


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
            raise ValueError("these images have no labels; predict them with cnnguide.competition.predict_images")
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


def _decode_all(files, channels, size, workers) -> tuple[torch.Tensor, int]:
    """One ``uint8`` tensor ``(N, C, H, W)`` and its channel count; every bad file is named."""
    if channels not in (None, 1, 3):
        raise ValueError(f"channels must be None, 1 or 3, got {channels!r}")
    size = _check_resize(size)
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
        shown = "\n  ".join(str(e) for e in bad[:10])
        more = f"\n  ... and {len(bad) - 10} more" if len(bad) > 10 else ""
        raise FolderDataError(f"{len(bad)} image(s) cannot be used:\n  {shown}{more}")


# --- the two labelled layouts, and the test folder ----------------------------------


def _class_folders(train: Path) -> tuple[list[Path], list[str], tuple[str, ...]]:
    files, folders = _listing(train)
    if files:
        raise FolderDataError(
            f"{files[0]} is in no class: in the class-folder layout every image lies in "
            f"{train}/<class>/ (or give a train.csv beside {train})")
    if not folders:
        raise FolderDataError(f"{train} has no class folders (and there is no train.csv beside it)")
    classes = tuple(_natural(f.name for f in folders))
    paths, names = [], []
    for name in classes:
        images, nested = _listing(train / name)
        if nested:
            raise FolderDataError(f"{nested[0]} is a folder inside the class folder {train / name}; "
                                  "classes are one level deep")
        if not images:
            raise FolderDataError(f"the class folder {train / name} holds no images")
        paths += images
        names += [name] * len(images)
    return paths, names, classes


def _csv_rows(table: Path, train: Path) -> tuple[list[Path], list[str], list[str]]:
    if not train.is_dir():
        raise FolderDataError(f"{table} names images in {train}, which is not a folder")
    files, folders = _listing(train)
    if folders:
        raise FolderDataError(
            f"{folders[0]} is a folder, but with {table.name} the images lie directly in {train}; "
            f"remove {table.name} to use the class-folder layout")
    by_name = {f.name: f for f in files}
    by_stem: dict[str, list[Path]] = {}
    for f in files:
        by_stem.setdefault(f.stem, []).append(f)
    with table.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or not {"id", "label"} <= set(reader.fieldnames):
            raise FolderDataError(f"{table}: the header must name the columns id and label, "
                                  f"got {reader.fieldnames}")
        paths, ids, labels, seen = [], [], [], {}
        for row in reader:
            line = reader.line_num
            where = f"{table} line {line}"
            image_id, label = (row.get("id") or "").strip(), (row.get("label") or "").strip()
            if not image_id or not label:
                raise FolderDataError(f"{where}: empty {'id' if not image_id else 'label'} in {row}")
            if image_id in seen:
                raise FolderDataError(f"{where}: id {image_id!r} already on line {seen[image_id]}")
            seen[image_id] = line
            found = [by_name[image_id]] if image_id in by_name else by_stem.get(image_id, [])
            if not found:
                raise FolderDataError(f"{where}: no image for id {image_id!r} in {train} "
                                      f"(looked for {image_id} and {image_id}.png, .jpg, ...)")
            if len(found) > 1:
                raise FolderDataError(f"{where}: id {image_id!r} matches {len(found)} files: "
                                      f"{', '.join(f.name for f in found)}")
            paths.append(found[0])
            ids.append(image_id)
            labels.append(label)
    if not paths:
        raise FolderDataError(f"{table} has no rows")
    unclaimed = sorted(set(files) - set(paths))
    if unclaimed:
        raise FolderDataError(f"{unclaimed[0]} has no row in {table} (an image with no label"
                              f"{f'; {len(unclaimed)} such images' if len(unclaimed) > 1 else ''})")
    return paths, ids, labels


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
    files, folders = _listing(folder)
    if folders:
        raise FolderDataError(f"{folders[0]} is a folder; {folder} must hold the images directly")
    stems: dict[str, Path] = {}
    for f in files:
        if f.stem in stems:
            raise FolderDataError(f"{stems[f.stem]} and {f} have the same id {f.stem!r}")
        stems[f.stem] = f
    ids = _natural(stems)
    paths = [stems[i] for i in ids]
    images, _ = _decode_all(paths, channels, size, workers)
    return FolderImages(images, tuple(ids), tuple(paths))


@dataclass(frozen=True)
class FolderData:
    """A competition folder: the labelled training images and, if there is one, the test set.

    Attributes
    ----------
    root : pathlib.Path
    train : FolderImages
    test : FolderImages or None
        The images of ``root/test/``, decoded like ``train``.
    layout : {"class folders", "csv"}
    """

    root: Path
    train: FolderImages
    test: FolderImages | None
    layout: str

    @property
    def classes(self) -> tuple:
        return self.train.classes

    @property
    def channels(self) -> int:
        return self.train.images.shape[1]


def read_folders(root, size=None, channels=None, *, test: bool = True, workers=None) -> FolderData:
    """Read a competition folder in either layout (see the module docstring).

    Parameters
    ----------
    root : path-like
        Holds ``train/`` (class folders, or flat images with ``train.csv``
        beside it) and optionally ``test/``.
    size : int or (int, int), optional
        Resize every image to it; ``None`` requires all images to share one size.
    channels : {None, 1, 3}
        ``None``: 1 if every training image is grey, else 3; the test images
        get the same number.
    test : bool
        Read ``root/test/`` too when it exists.

    Raises
    ------
    FolderDataError
        Naming the file or CSV line that is wrong.

    Examples
    --------
    >>> import tempfile
    >>> from PIL import Image
    >>> with tempfile.TemporaryDirectory() as root:
    ...     for name in ("cat", "dog"):
    ...         Path(root, "train", name).mkdir(parents=True)
    ...         Image.new("RGB", (8, 8), "white").save(f"{root}/train/{name}/1.png")
    ...     Path(root, "train", "cat", "2.jpg").write_bytes(b"not a picture")
    ...     read_folders(root)
    Traceback (most recent call last):
    ...
    cnnguide.folders.FolderDataError: 1 image(s) cannot be used:
      .../train/cat/2.jpg: cannot decode the image (cannot identify image file ...)
    """
    root = Path(root)
    train_dir, table = root / "train", root / "train.csv"
    if not root.is_dir():
        raise FolderDataError(f"{root} is not a folder")
    if table.is_file():
        layout = "csv"
        paths, ids, names = _csv_rows(table, train_dir)
        classes = tuple(_natural(set(names)))
    elif train_dir.is_dir():
        layout = "class folders"
        paths, names, classes = _class_folders(train_dir)
        ids = [p.stem for p in paths]
    else:
        raise FolderDataError(f"{root} has neither train/ nor train.csv; expected train/<class>/*.png "
                              "or train.csv with train/*.png")
    index = {name: i for i, name in enumerate(classes)}
    images, channels = _decode_all(paths, channels, size, workers)
    labels = torch.tensor([index[n] for n in names], dtype=torch.int64)
    train = FolderImages(images, tuple(ids), tuple(paths), labels, classes)
    test_set = None
    if test and (root / "test").is_dir():
        test_set = read_images(root / "test", size or tuple(images.shape[2:]), channels, workers=workers)
    return FolderData(root, train, test_set, layout)
