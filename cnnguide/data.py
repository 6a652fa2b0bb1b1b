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

Instead of a ``DataLoader`` that decodes one picture at a time in worker
processes, the whole set is kept as one ``uint8`` tensor (47 MB) on the
training device, and each batch is a slice of it converted to ``float32`` --
on a GPU nothing crosses the bus during an epoch.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import secrets
import shutil
import tempfile
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

__all__ = [
    "CLASS_NAMES",
    "DatasetFileError",
    "DatasetNotFoundError",
    "ImageBatches",
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


def _check_resize(resize) -> tuple[int, int] | None:
    if resize is None:
        return None
    size = (resize, resize) if isinstance(resize, int) else resize
    if not isinstance(size, (tuple, list)) or len(size) != 2 or any(isinstance(s, bool) or not isinstance(s, int) or s < 1 for s in size):
        raise ValueError(f"resize must be a positive int or a (height, width) pair, got {resize!r}")
    return size


class ImageBatches:
    """A re-iterable of ``(X, y)`` batches cut from a ``uint8`` image tensor.

    Each pass yields every example once (the last batch may be smaller): ``X``
    is ``float32`` in [0, 1] of shape ``(B, C, H, W)`` on ``images.device``
    (``C`` = 1 for ``(N, H, W)`` images),
    ``y`` is ``int64`` of shape ``(B,)``. With ``shuffle``, the order of epoch
    ``e`` is a permutation drawn from ``(seed, e)`` alone, so a run resumed at
    epoch ``e`` sees the same batches as an uninterrupted one. The epoch
    advances by itself at each pass; :meth:`set_epoch` (called by
    :func:`cnnguide.train.fit`) sets it explicitly.

    Parameters
    ----------
    images : torch.Tensor
        ``uint8`` of shape ``(N, H, W)`` (grey) or ``(N, C, H, W)``.
    labels : torch.Tensor
        ``int64`` of shape ``(N,)``, on the same device.
    batch_size : int
    shuffle : bool
    seed : int, optional
        Seed of the shuffles; ``None`` draws one at random (kept in ``.seed``).
    resize : int or (int, int), optional
        Output size; batches are resized on the device with bilinear
        interpolation and antialiasing, as torchvision's ``Resize`` on tensors.

    Examples
    --------
    >>> images = torch.arange(5 * 4, dtype=torch.uint8).reshape(5, 2, 2)
    >>> batches = ImageBatches(images, torch.arange(5), batch_size=2, shuffle=False)
    >>> len(batches), [tuple(X.shape) for X, y in batches]
    (3, [(2, 1, 2, 2), (2, 1, 2, 2), (1, 1, 2, 2)])
    >>> [y.tolist() for X, y in ImageBatches(images, torch.arange(5), 2, True, seed=0)]
    [[2, 4], [3, 0], [1]]
    """

    def __init__(self, images, labels, batch_size, shuffle, seed=None, resize=None):
        if images.dtype != torch.uint8 or images.dim() not in (3, 4):
            raise ValueError("images must be uint8 of shape (N, H, W) or (N, C, H, W), "
                             f"got {images.dtype} {tuple(images.shape)}")
        if labels.shape != images.shape[:1]:
            raise ValueError(f"labels must have shape ({len(images)},), got {tuple(labels.shape)}")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        self.images, self.labels = images, labels
        self.batch_size, self.shuffle = batch_size, bool(shuffle)
        self.seed = secrets.randbits(63) if seed is None else int(seed)
        self.resize = _check_resize(resize)
        self.epoch = 0

    @property
    def device(self) -> torch.device:
        return self.images.device

    def __len__(self) -> int:
        return -(-len(self.labels) // self.batch_size)

    def set_epoch(self, epoch: int) -> None:
        """Make the next pass use the shuffle of ``epoch`` (counted from 0)."""
        self.epoch = int(epoch)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        images, labels = self.images, self.labels
        if self.shuffle:
            # numpy's SeedSequence mixes (seed, epoch) properly and gives the same
            # permutation on every platform and device.
            order = np.random.default_rng((self.seed, self.epoch)).permutation(len(labels))
            order = torch.from_numpy(order).to(self.device)
            images, labels = images[order], labels[order]  # one gather per epoch
        self.epoch += 1
        for start in range(0, len(labels), self.batch_size):
            X = images[start:start + self.batch_size]
            X = (X.unsqueeze(1) if X.dim() == 3 else X).to(torch.float32).div_(255)
            if self.resize is not None:
                X = F.interpolate(X, size=self.resize, mode="bilinear",
                                  align_corners=False, antialias=True)
            yield X, labels[start:start + self.batch_size]

    def __repr__(self) -> str:
        return (f"ImageBatches({len(self.labels)} examples, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, resize={self.resize}, device={self.device})")


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
