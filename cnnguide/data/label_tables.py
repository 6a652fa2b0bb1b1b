"""Label tables: the file names recognised, their delimiters, and which columns hold ids and labels.

A table of labels is a CSV (or semicolon or tab separated) file with a
header. Its id column is the first of :data:`ID_COLUMNS` the header has and
its label column the first of :data:`LABEL_COLUMNS`, compared in lower case
without ``_``, ``-`` or spaces (``image_id``, ``ImageId`` and ``image-id`` are one
name); where none is there, the command asks for ``--id-column`` or ``--label-column``.
"""

from __future__ import annotations

import csv
from pathlib import Path

#: Image file endings, to tell a header-less table by its first line.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")

__all__ = ["FolderDataError", "ID_COLUMNS", "LABEL_COLUMNS", "TABLE_NAMES", "TEST_TABLE_NAMES", "find_column",
           "key", "read_table", "table_candidates"]


class FolderDataError(ValueError):
    """A dataset folder that cannot be read as it stands; the message names the file or table line."""


#: Label tables recognised by name (any case); two of them in one folder is an error.
TABLE_NAMES = ("train.csv", "labels.csv", "trainLabels.csv", "train_labels.csv", "training_labels.csv",
               "train-labels.csv", "train.tsv", "labels.tsv")
#: Tables that list the images to predict.
TEST_TABLE_NAMES = ("sample_submission.csv", "sampleSubmission.csv", "test.csv")
#: Header names read as the id column, the first one present wins (compared in lower case, without _ - space).
ID_COLUMNS = ("id", "imageid", "image", "img", "file", "filename", "fname", "imagename", "name", "path",
              "filepath", "imagepath", "relativepath")
#: Header names read as the label column.
LABEL_COLUMNS = ("label", "labels", "class", "classname", "category", "target", "breed", "species", "y")


def key(name: str) -> str:
    """A header or folder name compared without case, ``_``, ``-`` or spaces.

    >>> key("Image_ID"), key("test images")
    ('imageid', 'testimages')
    """
    return "".join(c for c in name.lower() if c not in "_- ")


def read_table(path: Path) -> tuple[list[str], list[tuple[int, dict]]]:
    """The header and the ``(line number, row)`` pairs of a comma, semicolon or tab separated table."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise FolderDataError(f"{path}: not a UTF-8 text table ({error})") from None
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = max(",;\t", key=first.count) if first else ","
    reader = csv.DictReader(text.splitlines(), delimiter=delimiter)
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header:
        raise FolderDataError(f"{path} is empty: a label table needs a header line (e.g. id,label)")
    reader.fieldnames = header
    if any(Path(h).suffix.lower() in IMAGE_SUFFIXES for h in header):
        raise FolderDataError(f"{path} has no header line: its first line names an image ({first.strip()[:60]}); "
                              "add a header such as id,label as the first line")
    rows = [(reader.line_num, row) for row in reader]
    return header, rows


def find_column(path: Path, header: list[str], given: str | None, known: tuple, what: str, flag: str,
                other: str | None = None) -> str:
    """The column of ``header`` that holds ``what``: ``given``, else the first ``known`` name, else the one left.

    With two columns and the other one (``other``) already found, the
    remaining column is the only candidate: ``id,has_cactus`` needs no flag.

    >>> find_column(Path("t.csv"), ["id", "has_cactus"], None, LABEL_COLUMNS, "labels", "--label-column", other="id")
    'has_cactus'
    """
    if given is not None:
        if given not in header:
            raise FolderDataError(f"{path} has no column {given!r} (its columns: {', '.join(header)})")
        return given
    for name in known:
        for column in header:
            if key(column) == name and column != other:
                return column
    if other is not None and len(header) == 2:
        return next(column for column in header if column != other)
    raise FolderDataError(f"{path}: cannot tell which column holds the {what} (its columns: "
                          f"{', '.join(header)}); name it with {flag}")


def table_candidates(root: Path, names=TABLE_NAMES) -> list[Path]:
    """The files of ``root`` named as one of ``names`` (any case)."""
    wanted = {t.lower() for t in names}
    return sorted(p for p in root.iterdir() if not p.name.startswith(".") and p.is_file() and p.name.lower() in wanted)
