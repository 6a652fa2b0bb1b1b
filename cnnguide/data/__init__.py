"""The data a network learns from: Fashion-MNIST, a reader's own image folders, splits and submissions.

- :mod:`~cnnguide.data.fashion_mnist` -- the four official files, found offline and verified;
- :mod:`~cnnguide.data.batches` -- one ``uint8`` tensor on the device, cut into batches there;
- :mod:`~cnnguide.data.layouts` -- where a folder's images and labels are (class folders, a label table);
- :mod:`~cnnguide.data.label_tables` -- label tables: the names recognised, their columns;
- :mod:`~cnnguide.data.image_files` -- which files are images, their order, an id's file;
- :mod:`~cnnguide.data.folders` -- a folder's images decoded once, checked, with their labels;
- :mod:`~cnnguide.data.splits` -- stratified hold-out sets and folds;
- :mod:`~cnnguide.data.competition` -- predictions with test-time flips, submissions and their scores.

The names used most are importable from here (``from cnnguide.data import
load_fashion_mnist, read_folders``).
"""

from .batches import ImageBatches
from .fashion_mnist import (
    CLASS_NAMES,
    DatasetFileError,
    DatasetNotFoundError,
    find_fashion_mnist,
    load_fashion_mnist,
    read_fashion_mnist,
    text_labels,
)
from .folders import FolderData, FolderDataError, FolderImages, read_folders, read_images, read_labelled
from .splits import stratified_folds, stratified_split

__all__ = [
    "CLASS_NAMES",
    "DatasetFileError",
    "DatasetNotFoundError",
    "FolderData",
    "FolderDataError",
    "FolderImages",
    "ImageBatches",
    "find_fashion_mnist",
    "load_fashion_mnist",
    "read_fashion_mnist",
    "read_folders",
    "read_images",
    "read_labelled",
    "stratified_folds",
    "stratified_split",
    "text_labels",
]
