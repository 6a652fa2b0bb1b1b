"""Batches cut on the device from one ``uint8`` image tensor.

Instead of a ``DataLoader`` that decodes one picture at a time in worker
processes, a whole image set is kept as one ``uint8`` tensor on the training
device (Fashion-MNIST's 60,000 pictures are 47 MB), and each batch is a slice
of it converted to ``float32``: on a GPU nothing crosses the bus during an
epoch. :func:`cnnguide.data.load_fashion_mnist` and the folder reader
(:mod:`cnnguide.data.folders`) both hand their images to :class:`ImageBatches`.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import numpy as np
import torch
import torch.nn.functional as F

__all__ = ["ImageBatches", "check_resize"]


def check_resize(resize) -> tuple[int, int] | None:
    """``resize`` as a ``(height, width)`` pair (``None`` stays ``None``); anything else is an error.

    >>> check_resize(32), check_resize((24, 32)), check_resize(None)
    ((32, 32), (24, 32), None)
    """
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
    drop_last : bool
        Leave out the last, smaller batch of each pass (as ``DataLoader``'s
        ``drop_last``): batch norm cannot train on a batch of one image. With
        ``shuffle`` a different remainder is left out every epoch.

    Examples
    --------
    >>> images = torch.arange(5 * 4, dtype=torch.uint8).reshape(5, 2, 2)
    >>> batches = ImageBatches(images, torch.arange(5), batch_size=2, shuffle=False)
    >>> len(batches), [tuple(X.shape) for X, y in batches]
    (3, [(2, 1, 2, 2), (2, 1, 2, 2), (1, 1, 2, 2)])
    >>> [y.tolist() for X, y in ImageBatches(images, torch.arange(5), 2, True, seed=0)]
    [[2, 4], [3, 0], [1]]
    """

    def __init__(self, images, labels, batch_size, shuffle, seed=None, resize=None, drop_last=False):
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
        self.resize = check_resize(resize)
        self.drop_last = bool(drop_last)
        self.epoch = 0

    @property
    def device(self) -> torch.device:
        return self.images.device

    def __len__(self) -> int:
        if self.drop_last:
            return len(self.labels) // self.batch_size
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
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            X = images[start:start + self.batch_size]
            X = (X.unsqueeze(1) if X.dim() == 3 else X).to(torch.float32).div_(255)
            if self.resize is not None:
                X = F.interpolate(X, size=self.resize, mode="bilinear",
                                  align_corners=False, antialias=True)
            yield X, labels[start:start + self.batch_size]

    def __repr__(self) -> str:
        return (f"ImageBatches({len(self.labels)} examples, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, resize={self.resize}, device={self.device})")
