"""Where a dataset folder keeps its images and labels: class folders, or a label table beside a folder of images.

Real data sets come in a handful of layouts; :func:`find_layout` recognises
them in a folder ``root`` and :func:`training_files` lists the labelled images:

``root/train/<class>/*.png`` or ``root/<class>/*.png`` -- class folders
    The class names are the folder names (torchvision's ``ImageFolder``).
A label table beside a folder of images
    ``train.csv``, ``labels.csv`` (d2l's dog breeds), ``trainLabels.csv``
    (CIFAR-10 on Kaggle), ``train_labels.csv`` or ``training_labels.csv``, or
    any file given as ``labels=``; comma, semicolon or tab separated. The id
    column is the first of :data:`ID_COLUMNS` the header has and the label
    column the first of :data:`LABEL_COLUMNS` (any case; or name them with
    ``id_column=`` and ``label_column=``). The images lie in the one folder
    beside the table that holds images (``train/``, ``images/``,
    ``train_images/`` ...; or ``images=``), and an id names its file with or
    without the extension. An id that is a path (``images/cat/1.jpg``) is
    read relative to the table's folder.

The images to predict are listed by a test table (``sample_submission.csv``
or ``test.csv``; its ids in its order) or are the files of a test folder
(``test/``, ``test_images/``), found by :func:`files_to_predict`.

Nothing is guessed silently: two candidate tables or folders, an unknown
header, ids without an image and images without a row are each one
:class:`FolderDataError` naming the files, how many,
and the option that settles it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .image_files import (IMAGE_EXTENSIONS, file_index, files_for_id, folder_files, images_in, is_image,
                          only_images, visible)
from .label_tables import (ID_COLUMNS, LABEL_COLUMNS, TABLE_NAMES, TEST_TABLE_NAMES, FolderDataError, find_column, key,
                           read_table, table_candidates)

# FolderDataError comes from cnnguide.data.label_tables, IMAGE_EXTENSIONS and folder_files from
# cnnguide.data.image_files; they are importable from here too.
__all__ = ["TEST_FOLDER_NAMES", "TRAIN_FOLDER_NAMES", "Layout", "files_to_predict", "find_layout", "training_files"]

#: Folders that hold the images to predict, never training images (compared as the table columns are:
#: any case, without _ - and spaces, so test_images, testImages and "test images" are one name).
TEST_FOLDER_NAMES = ("test", "testimages", "testimgs", "testing", "testset", "testdata")
#: Folders that hold the class folders when the root does not (trainingSet/<class>/ of Kaggle's MNIST as PNGs).
TRAIN_FOLDER_NAMES = ("train", "training", "trainingset", "trainset", "traindata", "trainimages")


def _error(message: str) -> FolderDataError:  # one name for the module's many refusals
    return FolderDataError(message)


@dataclass(frozen=True)
class Layout:
    """A dataset folder's layout, as :func:`find_layout` found it.

    Attributes
    ----------
    root : pathlib.Path
    kind : {"class folders", "csv"}
    images : pathlib.Path or None
        The class folders' parent, or the folder of the table's images
        (``None`` when the table's ids are paths).
    table : pathlib.Path or None
    id_column, label_column : str or None
        The table's columns, spelled as in its header.
    one_hot : tuple of str
        Instead of a label column: one 0/1 column per class, a single 1 per
        row (Kaggle's Plant Pathology: ``image_id,healthy,multiple_diseases,rust,scab``).
    """

    root: Path
    kind: str
    images: Path | None
    table: Path | None = None
    id_column: str | None = None
    label_column: str | None = None
    one_hot: tuple = ()

    def describe(self) -> str:
        """One phrase for the command's first line.

        >>> Layout(Path("d"), "class folders", Path("d/train")).describe()
        'class folders in d/train'
        """
        if self.kind == "class folders":
            return f"class folders in {self.images}"
        where = f"images in {self.images}" if self.images is not None else "paths relative to its folder"
        labels = (f"one-hot columns {', '.join(self.one_hot)}" if self.one_hot
                  else f"label column {self.label_column!r}")
        return f"{self.table.name} (id column {self.id_column!r}, {labels}), {where}"

    def label_of(self, row: dict) -> str:
        """The label of a table row: its label column, or the name of its one-hot column holding 1."""
        if not self.one_hot:
            return (row.get(self.label_column) or "").strip()
        ones = [c for c in self.one_hot if float(row.get(c) or 0) == 1]
        return ones[0] if len(ones) == 1 else ""


# --- finding the layout -----------------------------------------------------------------


def find_layout(root, *, labels=None, images=None, id_column: str | None = None,
                label_column: str | None = None) -> Layout:
    """Recognise the layout of the dataset folder ``root`` (see the module docstring).

    ``labels`` and ``images`` (relative to ``root`` or absolute) name the label
    table and the folder of images where finding them alone is ambiguous.
    """
    root = Path(root)
    if not root.is_dir():
        raise _error(f"{root} is not a folder")
    images = None if images is None else _under(root, images, "--images", folder=True)
    if labels is not None:
        table = _under(root, labels, "--labels", folder=False)
    else:
        tables = table_candidates(root)
        if len(tables) > 1:
            raise _error(f"{root} holds {len(tables)} label tables: {', '.join(t.name for t in tables)}; "
                         "choose one with --labels FILE")
        table = tables[0] if tables else None
    if table is None:
        if id_column or label_column:
            raise _error(f"--id-column and --label-column need a label table, and {root} has none "
                         f"(looked for {', '.join(TABLE_NAMES)}; or give --labels FILE)")
        return Layout(root, "class folders", images or _class_folder_parent(root))
    header, rows = read_table(table)
    id_col = find_column(table, header, id_column, ID_COLUMNS, "image ids", "--id-column")
    try:
        label_col = find_column(table, header, label_column, LABEL_COLUMNS, "labels", "--label-column", other=id_col)
        one_hot = ()
    except FolderDataError:
        label_col, one_hot = None, _one_hot_columns(header, rows, id_col)
        if label_column is not None or not one_hot:
            raise
    if id_col == label_col:
        raise _error(f"{table}: the id and the label column are both {id_col!r}")
    ids = [(row.get(id_col) or "").strip() for _, row in rows]
    if images is None and not any("/" in i or "\\" in i for i in ids):
        images = _image_folder(root, table, ids)
    return Layout(root, "csv", images, table, id_col, label_col, one_hot)


def _one_hot_columns(header: list[str], rows, id_col: str) -> tuple:
    """The class columns of a one-hot table (every other column 0 or 1, one 1 per row), or ``()``."""
    others = [h for h in header if h != id_col]
    if len(others) < 2 or not rows:
        return ()
    for _, row in rows:
        try:
            values = [float(row.get(c) or "nan") for c in others]
        except ValueError:
            return ()
        if any(v not in (0.0, 1.0) for v in values) or sum(values) != 1:
            return ()
    return tuple(others)


def _under(root: Path, given, flag: str, *, folder: bool) -> Path:
    path = Path(given)
    if not path.is_absolute() and not path.exists() and (root / path).exists():
        path = root / path
    if folder and not path.is_dir():
        raise _error(f"{flag} {given}: not a folder (looked in {Path.cwd()} and in {root})")
    if not folder and not path.is_file():
        raise _error(f"{flag} {given}: not a file (looked in {Path.cwd()} and in {root})")
    return path


def _class_folder_parent(root: Path) -> Path:
    """Where the class folders are: ``root/train`` (or ``training``, ``trainingSet`` ...), or ``root`` itself."""
    folders = [p for p in visible(root) if p.is_dir() and key(p.name) not in TEST_FOLDER_NAMES]
    named = [p for p in folders if key(p.name) in TRAIN_FOLDER_NAMES]
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        raise _error(f"{root} holds {len(named)} training folders: {', '.join(p.name for p in named)}; "
                     "give the one to read as --data DIR")
    if folders and all(images_in(f) for f in folders) and not images_in(root):
        return root
    if len(folders) == 1 and _holds_class_folders(folders[0]):  # flower_photos/<class>/ inside the root
        return folders[0]
    raise _error(f"{root} has neither train/ nor a label table ({', '.join(TABLE_NAMES[:5])}); expected "
                 "train/<class>/*.png, <class>/*.png, or a label table beside a folder of images "
                 "(--labels FILE --images DIR)")


def _holds_class_folders(folder: Path) -> bool:
    inner = [p for p in visible(folder) if p.is_dir()]
    return bool(inner) and all(images_in(p) for p in inner) and not images_in(folder)


def _image_folder(root: Path, table: Path, ids: list[str]) -> Path:
    """The one folder beside ``table`` whose images the ids name."""
    candidates = [p for p in visible(root) if p.is_dir() and key(p.name) not in TEST_FOLDER_NAMES
                  and images_in(p)]
    if images_in(root):
        candidates.append(root)
    if len(candidates) > 1:  # keep the folders that hold the first ids' images
        probe = [i for i in ids[:20] if i]
        holding = [c for c in candidates if all(files_for_id(file_index(c), i) for i in probe)]
        if len(holding) == 1:
            return holding[0]
        raise _error(f"{table.name}'s images could be in {len(candidates)} folders: "
                     f"{', '.join(str(c) for c in candidates)}; choose one with --images DIR")
    if candidates:
        return candidates[0]
    nested = root / "train"
    if nested.is_dir() and any(p.is_dir() for p in visible(nested)):
        raise _error(f"{nested} holds class folders, but with {table.name} the images lie directly in one "
                     f"folder; remove {table.name} to use the class-folder layout")
    raise _error(f"{root} holds {table.name} but no folder of images beside it; give the folder with --images DIR")


# --- listing the files ------------------------------------------------------------------


def _by_path(layout: Layout, image_id: str) -> list[Path]:
    for base in (layout.table.parent, layout.root):
        path = base / image_id
        if path.is_file():
            return [path]
        matches = [path.with_name(path.name + ext) for ext in IMAGE_EXTENSIONS
                   if path.with_name(path.name + ext).is_file()]
        if matches:
            return matches
    return []


def training_files(layout: Layout) -> tuple[list[Path], list[str], list[str]]:
    """``(files, ids, label names)`` of the labelled images, in the table's (or the folders') order."""
    if layout.kind == "class folders":
        return _class_folders(layout.images, layout.root)
    return _table_rows(layout)


def _class_folders(parent: Path, root: Path) -> tuple[list[Path], list[str], list[str]]:
    # Files beside the class folders (a LICENSE.txt, a README) belong to no class and are no images:
    # they are left alone. Inside a class folder every file must be an image.
    entries = visible(parent)
    loose = [p for p in entries if p.is_file() and is_image(p)]
    folders = [p for p in entries if p.is_dir() and not (parent == root and key(p.name) in TEST_FOLDER_NAMES)]
    if loose:
        raise _error(f"{loose[0]} is in no class: in the class-folder layout every image lies in "
                     f"{parent}/<class>/ (or give a label table: train.csv, labels.csv, or --labels FILE)")
    if not folders:
        raise _error(f"{parent} has no class folders (and there is no label table beside it)")
    paths, names = [], []
    for folder in folders:
        nested = [p for p in visible(folder) if p.is_dir()]
        if nested:
            raise _error(f"{nested[0]} is a folder inside the class folder {folder}; classes are one level deep")
        only_images(folder)
        files = images_in(folder)
        if not files:
            raise _error(f"the class folder {folder} holds no images")
        paths += files
        names += [folder.name] * len(files)
    return paths, [p.stem for p in paths], names


def _table_rows(layout: Layout) -> tuple[list[Path], list[str], list[str]]:
    table = layout.table
    _, rows = read_table(table)
    if layout.images is not None and layout.images != layout.root:
        only_images(layout.images)
        nested = [p for p in visible(layout.images) if p.is_dir()]
        if nested:
            raise _error(f"{nested[0]} is a folder, but with {table.name} the images lie directly in "
                         f"{layout.images}; remove {table.name} to use the class-folder layout, or move the "
                         "folder out")
    index = file_index(layout.images) if layout.images is not None else None
    paths, ids, labels, seen, missing = [], [], [], {}, []
    for line, row in rows:
        where = f"{table} line {line}"
        image_id = (row.get(layout.id_column) or "").strip()
        label = layout.label_of(row)
        if not image_id or not label:
            raise _error(f"{where}: empty {'id' if not image_id else 'label'} in {dict(row)}")
        if image_id in seen:
            raise _error(f"{where}: id {image_id!r} already on line {seen[image_id]}")
        seen[image_id] = line
        found = files_for_id(index, image_id) if index is not None else _by_path(layout, image_id)
        if not found:
            missing.append((line, image_id))
            continue
        if len(found) > 1:
            raise _error(f"{where}: id {image_id!r} matches {len(found)} files: {', '.join(f.name for f in found)}")
        paths.append(found[0])
        ids.append(image_id)
        labels.append(label)
    if missing:
        line, first = missing[0]
        where = f"in {layout.images}" if layout.images is not None else f"relative to {table.parent}"
        more = f" ({len(missing)} of {len(rows)} ids have none; first lines {', '.join(str(m[0]) for m in missing[:5])})"
        raise _error(f"{table} line {line}: no image for id {first!r} {where} (looked for {first} and "
                     f"{first}.png, .jpg, ...){more if len(missing) > 1 else ''}; fix the ids or give --images DIR")
    if not paths:
        raise _error(f"{table} has no rows")
    if index is not None:
        claimed = set(paths) | set(_test_claims(layout))
        unclaimed = [f for f in images_in(layout.images) if f not in claimed]
        if unclaimed:
            raise _error(f"{unclaimed[0]} has no row in {table} (an image with no label"
                         f"{f'; {len(unclaimed)} such images' if len(unclaimed) > 1 else ''}); move it out of "
                         f"{layout.images}, or list the images to predict in sample_submission.csv or test.csv")
    return paths, ids, labels


# --- the images to predict ----------------------------------------------------------------


def _test_table(root: Path) -> Path | None:
    tables = table_candidates(root, TEST_TABLE_NAMES)
    return tables[0] if tables else None  # sample_submission.csv sorts before test.csv


def _test_folder(root: Path) -> Path | None:
    folders = [p for p in visible(root) if p.is_dir() and key(p.name) in TEST_FOLDER_NAMES]
    if len(folders) > 1:
        raise _error(f"{root} has {len(folders)} test folders: {', '.join(f.name for f in folders)}; keep one")
    return folders[0] if folders else None


def _test_claims(layout: Layout) -> list[Path]:
    """The files of the training images' folder that the test table names (a shared ``images/`` folder)."""
    table = _test_table(layout.root)
    if table is None or layout.images is None or _test_folder(layout.root) is not None:
        return []
    try:
        return files_to_predict(layout.root, layout.images)[0]
    except ValueError:
        return []


def files_to_predict(root, images: Path | None = None) -> tuple[list[Path], list[str], Path, tuple | None] | None:
    """The images to predict in the dataset folder ``root``, or ``None`` if it has none.

    Returns ``(files, ids, source, header)``: with a test table its ids in its
    order, found in the test folder or else in ``images`` (the training
    images' folder) or ``root``, and ``header`` its first two columns (the
    submission's header); without one the images of the test folder sorted by
    id (their names without extension) and ``header`` ``None``.
    """
    root = Path(root)
    table, folder = _test_table(root), _test_folder(root)
    if table is None:
        if folder is None:
            return None
        return folder_files(folder) + (folder, None)
    header, rows = read_table(table)
    id_col = find_column(table, header, None, ID_COLUMNS, "image ids", "--id-column")
    where = folder or images or root
    index = file_index(where)
    files, ids, missing = [], [], []
    for line, row in rows:
        image_id = (row.get(id_col) or "").strip()
        found = files_for_id(index, image_id)
        if len(found) != 1:
            missing.append(image_id)
            continue
        files.append(found[0])
        ids.append(image_id)
    if missing:
        raise _error(f"{table}: {len(missing)} of {len(rows)} ids have no single image in {where} "
                     f"(first: {', '.join(repr(m) for m in missing[:5])})")
    # A two-column table (id,label) is the submission's model; a table of per-class columns is not.
    others = [h for h in header if h != id_col]
    return files, ids, table, (id_col, others[0] if len(others) == 1 else "label")
