"""Image files in folders: which files are images, in what order, and how an id finds its file.

The pieces :mod:`cnnguide.data.layouts` builds the layouts from: a file is an
image by its ending (:data:`IMAGE_EXTENSIONS`, any case), names starting with
a dot (``.DS_Store``) are never looked at, ids sort as numbers when they all
are numbers, and an id names its file with or without the extension.
"""

from __future__ import annotations

from pathlib import Path

from .label_tables import IMAGE_SUFFIXES, FolderDataError

__all__ = ["IMAGE_EXTENSIONS", "folder_files", "file_index", "files_for_id", "images_in", "is_image", "natural", "only_images",
           "visible"]

#: File endings read as images (compared in lower case).
IMAGE_EXTENSIONS = IMAGE_SUFFIXES


def natural(names) -> list[str]:
    """Numbers in numeric order when every name is one, else in text order.

    >>> natural(["10", "9", "2"]), natural(["dog", "cat"])
    (['2', '9', '10'], ['cat', 'dog'])
    """
    names = list(names)
    if names and all(n.isdigit() for n in names):
        return sorted(names, key=int)
    return sorted(names)


def is_image(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_EXTENSIONS


def visible(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if not p.name.startswith("."))


def images_in(folder: Path) -> list[Path]:
    return [p for p in visible(folder) if p.is_file() and is_image(p)]


def only_images(folder: Path) -> None:
    """Refuse a file in ``folder`` that is not an image: it would be dropped without a word."""
    for entry in visible(folder):
        if entry.is_file() and not is_image(entry):
            raise FolderDataError(f"{entry}: not an image (expected one of {', '.join(IMAGE_EXTENSIONS)}); "
                         "move it out of the dataset folder")


def file_index(folder: Path) -> dict[str, list[Path]]:
    """File name -> [file], and stem -> [files], of the images in ``folder``."""
    index: dict[str, list[Path]] = {}
    for f in images_in(folder):
        index.setdefault(f.name, []).append(f)
        if f.stem != f.name:
            index.setdefault(f.stem, []).append(f)
    return index


def files_for_id(index: dict, image_id: str) -> list[Path]:
    found = index.get(image_id, [])
    exact = [f for f in found if f.name == image_id]
    return exact or found


def folder_files(folder: Path) -> tuple[list[Path], list[str]]:
    """The images of ``folder`` (nothing else allowed in it) and their ids, sorted by id."""
    stems: dict[str, Path] = {}
    for entry in visible(folder):
        if entry.is_dir():
            raise FolderDataError(f"{entry} is a folder; {folder} must hold the images directly")
        if not is_image(entry):
            raise FolderDataError(f"{entry}: not an image (expected one of {', '.join(IMAGE_EXTENSIONS)}); "
                         "move it out of the dataset folder")
        if entry.stem in stems:
            raise FolderDataError(f"{stems[entry.stem]} and {entry} have the same id {entry.stem!r}")
        stems[entry.stem] = entry
    ids = natural(stems)
    return [stems[i] for i in ids], ids
