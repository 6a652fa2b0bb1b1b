"""Fashion-MNIST, found offline, verified, and cut into batches on the device.

The book trains on Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017): 70,000
grey 28x28 pictures of clothes in ten classes, 60,000 for training and 10,000
for testing. This module reads the four official ``.gz`` files from the first
place that has all of them:

1. the ``root`` argument;
2. the folder named by the ``CNNGUIDE_DATA`` environment variable;
3. the user cache, ``$XDG_CACHE_HOME/cnnguide/fashion-mnist``
   (``~/.cache/cnnguide/fashion-mnist`` by default);
4. ``/usr/share/datasets/fashion-mnist``, where Debian's
   ``dataset-fashion-mnist`` package puts them;
5. otherwise torchvision's downloader fetches them into the user cache.

Every file is checked before use: it must decompress completely, carry the IDX
header of its kind (magic number, count, 28x28), and its decompressed bytes
must have the SHA-256 recorded below. The check is on the *contents* because
Debian re-compressed its copies, so their ``.gz`` checksums differ from the
official ones while the data is identical.

The images are kept as one ``uint8`` tensor on the training device and cut
into batches there (:class:`~cnnguide.data.batches.ImageBatches`).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import tempfile
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from .batches import ImageBatches

__all__ = [
    "CLASS_NAMES",
    "DatasetFileError",
    "DatasetNotFoundError",
    "find_fashion_mnist",
    "load_fashion_mnist",
    "read_fashion_mnist",
    "text_labels",
]

CLASS_NAMES = (
    "t-shirt", "trouser", "pullover", "dress", "coat",
    "sandal", "shirt", "sneaker", "bag", "ankle boot",
)  # fmt: skip

# name -> (SHA-256 of the decompressed IDX bytes, IDX magic number, item count)
_FILES = {
    "train-images-idx3-ubyte.gz": (
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888", 2051, 60_000),
    "train-labels-idx1-ubyte.gz": (
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9", 2049, 60_000),
    "t10k-images-idx3-ubyte.gz": (
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b", 2051, 10_000),
    "t10k-labels-idx1-ubyte.gz": (
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34", 2049, 10_000),
}  # fmt: skip
_SPLITS = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
# Where Debian's dataset-fashion-mnist installs the files. A module constant so
# that tests can point it elsewhere.
SYSTEM_DIRS: tuple[Path, ...] = (Path("/usr/share/datasets/fashion-mnist"),)
_INSTALL_HINT = (
    "Install Debian's copy with `sudo apt-get install dataset-fashion-mnist`, "
    "or set CNNGUIDE_DATA to a folder holding the four files ({files})."
)


class DatasetNotFoundError(FileNotFoundError):
    """No folder holds all four Fashion-MNIST files and none could be downloaded."""


class DatasetFileError(ValueError):
    """A Fashion-MNIST file is truncated, damaged or not the expected file.

    Attributes
    ----------
    path : pathlib.Path
        The file that was refused.
    """

    def __init__(self, path: Path, problem: str):
        self.path = Path(path)
        super().__init__(f"{self.path}: {problem}; delete it or replace it with a good copy")


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "cnnguide" / "fashion-mnist"


def _candidates(root) -> list[Path]:
    dirs = []
    if root is not None:
        dirs.append(Path(root).expanduser())
    if os.environ.get("CNNGUIDE_DATA"):
        dirs.append(Path(os.environ["CNNGUIDE_DATA"]).expanduser())
    dirs.append(_cache_dir())
    dirs.extend(SYSTEM_DIRS)
    return dirs


def _has_all(folder: Path) -> bool:
    return all((folder / name).is_file() for name in _FILES)


def _download(folder: Path) -> None:
    """Fetch the official files with torchvision's downloader (checks their MD5)."""
    from torchvision.datasets import FashionMNIST
    from torchvision.datasets.utils import download_url

    folder.mkdir(parents=True, exist_ok=True)
    # Download into a scratch folder and move the files in only once they are all
    # there and verified, so that an interrupted download leaves nothing behind.
    with tempfile.TemporaryDirectory(dir=folder) as scratch:
        for name, md5 in FashionMNIST.resources:
            download_url(FashionMNIST.mirrors[0] + name, scratch, name, md5)
        for name in _FILES:
            _read_idx(Path(scratch) / name)
        for name in _FILES:
            shutil.move(str(Path(scratch) / name), folder / name)


def find_fashion_mnist(root=None, *, download: bool = True) -> Path:
    """Return the folder that holds the four Fashion-MNIST ``.gz`` files.

    Looks in ``root``, ``$CNNGUIDE_DATA``, the user cache and
    ``/usr/share/datasets/fashion-mnist``, in that order, and returns the first
    folder that has all four files (their contents are checked when they are
    read). If none has them and ``download`` is true, downloads them into the
    user cache with torchvision's downloader.

    Raises
    ------
    DatasetNotFoundError
        If no folder has the files and downloading is off or fails; the
        message lists the folders searched and says what to install or set.

    Examples
    --------
    >>> folder = find_fashion_mnist()
    >>> sorted(p.name for p in folder.glob("*-ubyte.gz"))[0]
    't10k-images-idx3-ubyte.gz'
    """
    searched = _candidates(root)
    for folder in searched:
        if _has_all(folder):
            return folder
    hint = _INSTALL_HINT.format(files=", ".join(_FILES))
    where = ", ".join(str(p) for p in searched)
    if not download:
        raise DatasetNotFoundError(f"Fashion-MNIST not found in {where}. {hint}")
    try:
        _download(_cache_dir())
    except DatasetFileError:
        raise
    except Exception as error:  # offline, proxy, HTTP error, MD5 mismatch...
        raise DatasetNotFoundError(
            f"Fashion-MNIST not found in {where}, and downloading it failed "
            f"({type(error).__name__}: {error}). {hint}"
        ) from error
    return _cache_dir()


# (resolved path, size, mtime) -> parsed array; files are read and hashed once per process.
_PARSED: dict[tuple[str, int, int], np.ndarray] = {}


def _read_idx(path: Path) -> np.ndarray:
    """Decompress, verify and parse one IDX file into a uint8 array."""
    path = Path(path)
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key in _PARSED:
        return _PARSED[key]
    digest, magic, count = _FILES[path.name]
    try:
        raw = gzip.decompress(path.read_bytes())
    except (OSError, EOFError, zlib.error) as error:
        raise DatasetFileError(path, f"not a complete gzip file ({error})") from None
    shape = (count, 28, 28) if magic == 2051 else (count,)
    header_len = 4 + 4 * len(shape)
    if len(raw) < header_len:
        raise DatasetFileError(path, f"only {len(raw)} bytes after decompression")
    header = tuple(int(v) for v in np.frombuffer(raw, dtype=">u4", count=1 + len(shape)))
    if header != (magic, *shape):
        raise DatasetFileError(
            path, f"IDX header {header} where (magic, count, dims) = {(magic, *shape)} was expected")
    if len(raw) != header_len + int(np.prod(shape)):
        raise DatasetFileError(
            path, f"{len(raw) - header_len} data bytes where {int(np.prod(shape))} were expected")
    actual = hashlib.sha256(raw).hexdigest()
    if actual != digest:
        raise DatasetFileError(
            path, f"contents have SHA-256 {actual}, not Fashion-MNIST's {digest}")
    array = np.frombuffer(raw, dtype=np.uint8, offset=header_len).reshape(shape).copy()
    _PARSED[key] = array
    return array


def read_fashion_mnist(split: str = "train", root=None, *, download: bool = True):
    """Read one split as tensors: ``(images, labels)``.

    Parameters
    ----------
    split : {"train", "test"}
    root : path-like, optional
        Folder searched first (see :func:`find_fashion_mnist`).

    Returns
    -------
    images : torch.Tensor
        ``uint8`` of shape ``(N, 28, 28)``, 0 black to 255 white.
    labels : torch.Tensor
        ``int64`` of shape ``(N,)``, class indices 0-9 (see :data:`CLASS_NAMES`).

    Raises
    ------
    DatasetFileError
        If either file is damaged; its message names the file.

    Examples
    --------
    >>> images, labels = read_fashion_mnist("test")
    >>> images.shape, images.dtype, labels[:3].tolist()
    (torch.Size([10000, 28, 28]), torch.uint8, [9, 2, 1])
    """
    if split not in _SPLITS:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    folder = find_fashion_mnist(root, download=download)
    image_file, label_file = _SPLITS[split]
    # Both files are verified before either is returned: nothing half-loaded.
    images = _read_idx(folder / image_file)
    labels = _read_idx(folder / label_file)
    return torch.from_numpy(images), torch.from_numpy(labels).long()


def _check_size(label: str, value, total: int) -> int:
    if value is None:
        return total
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= total:
        raise ValueError(f"{label} must be an integer from 1 to {total}, got {value!r}")
    return value


def load_fashion_mnist(batch_size: int, resize=None, device=None, root=None, *,
                       train_size: int | None = None, test_size: int | None = None,
                       seed: int | None = None, download: bool = True):
    """Fashion-MNIST as ``(train_iter, test_iter)``, two :class:`ImageBatches`.

    Parameters
    ----------
    batch_size : int
    resize : int or (int, int), optional
        Resize the 28x28 images (e.g. 224 for VGG), batch by batch on the device.
    device : torch.device or str, optional
        Where the images live and batches are made; ``None`` means
        :func:`cnnguide.train.try_gpu` (the first GPU, else the CPU).
    root : path-like, optional
        Folder searched first (see :func:`find_fashion_mnist`).
    train_size, test_size : int, optional
        Use only the *first* ``train_size`` training and ``test_size`` test
        examples (the files are already in random order, so the classes stay
        balanced), for short runs on a CPU.
    seed : int, optional
        Seed of the training set's per-epoch shuffles (the test set is not
        shuffled). ``None`` draws one at random.

    Examples
    --------
    >>> train_iter, test_iter = load_fashion_mnist(256, device="cpu", test_size=1000)
    >>> len(train_iter), len(test_iter)
    (235, 4)
    >>> X, y = next(iter(test_iter))
    >>> X.shape, X.dtype, y.dtype, bool(X.min() >= 0 and X.max() <= 1)
    (torch.Size([256, 1, 28, 28]), torch.float32, torch.int64, True)
    """
    if device is None:
        device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
    device = torch.device(device)
    iters = []
    for split, size, shuffle in (("train", train_size, True), ("test", test_size, False)):
        images, labels = read_fashion_mnist(split, root, download=download)
        n = _check_size(f"{split}_size", size, len(labels))
        images, labels = images[:n].to(device), labels[:n].to(device)
        iters.append(ImageBatches(images, labels, batch_size, shuffle, seed=seed, resize=resize))
    return tuple(iters)


def text_labels(indices):
    """Class names of Fashion-MNIST label indices.

    A single index (an int or a 0-d tensor) gives one name; a sequence or a
    1-d tensor gives a list.

    Examples
    --------
    >>> text_labels(9)
    'ankle boot'
    >>> text_labels(torch.tensor([0, 6]))
    ['t-shirt', 'shirt']
    >>> text_labels([10])
    Traceback (most recent call last):
    ...
    ValueError: label indices must be integers from 0 to 9, got 10
    """
    if isinstance(indices, (torch.Tensor, np.ndarray)):
        if indices.ndim > 1:
            raise ValueError(f"label indices must be a scalar or 1-d, got shape {tuple(indices.shape)}")
        if indices.ndim == 0:
            return text_labels(indices.item())
        return [text_labels(i) for i in indices.tolist()]
    if isinstance(indices, Sequence) and not isinstance(indices, str):
        return [text_labels(i) for i in indices]
    if isinstance(indices, (bool, float)) or not isinstance(indices, (int, np.integer)) \
            or not 0 <= indices < len(CLASS_NAMES):
        raise ValueError(f"label indices must be integers from 0 to 9, got {indices!r}")
    return CLASS_NAMES[int(indices)]
