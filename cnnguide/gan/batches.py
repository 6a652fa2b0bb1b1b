"""The real examples a discriminator sees: an endless stream of batches that knows where it is.

:func:`~cnnguide.gan.fit_gan` counts steps, not epochs, so the real data is a
stream that starts the next epoch by itself. Its position (epoch, batch) is
saved in checkpoints, so that a resumed run reads the batches an uninterrupted
run would have read.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch

__all__ = ["RealBatches", "derived_seed"]

DEFAULT_BATCH_SIZE = 64


def derived_seed(seed: int, stream: int, *more: int) -> int:
    """A seed for one stream of random numbers (shuffles, noise...), mixed from ``seed`` by numpy's SeedSequence.

    Examples
    --------
    >>> derived_seed(0, 1) == derived_seed(0, 1) != derived_seed(0, 2)
    True
    """
    return int(np.random.SeedSequence((seed, stream, *more)).generate_state(1, np.uint64)[0] >> 1)


class RealBatches:
    """Batches of real examples on ``device``, epoch after epoch.

    Parameters
    ----------
    data : tensor, (tensor, tensor) or re-iterable
        A floating-point tensor of examples ``(N, ...)``, cut into
        ``batch_size`` batches (the incomplete last one dropped) in an order
        that :attr:`seed` and the epoch alone decide; or a tuple ``(X, y)`` of
        examples and their integer labels, shuffled together; or a re-iterable
        of ``(X, y)`` batches or of bare ``X`` tensors, whose ``set_epoch`` is
        called before each pass if it has one.
    batch_size : int, optional
        For a tensor (default 64). An iterable brings its own.
    device : torch.device or str
    scale_to_tanh : bool
        Map each batch from [0, 1] to [-1, 1]; the first batch is checked.
    seed : int
        Seed of a tensor's shuffles (epoch ``e`` uses ``derived_seed(seed, 0, e)``).
    labelled : bool
        Keep the labels (a conditional GAN): :meth:`next` returns ``(X, y)``,
        and data without labels is refused. Otherwise labels are ignored.

    Examples
    --------
    >>> stream = RealBatches(torch.arange(10.0)[:, None], 4, "cpu", False, seed=0)
    >>> stream.batches_per_epoch, [stream.next().flatten().tolist() for _ in range(3)]
    (2, [[7.0, 0.0, 9.0, 2.0], [1.0, 3.0, 8.0, 4.0], [9.0, 2.0, 6.0, 8.0]])
    >>> stream.state()
    {'epoch': 1, 'index': 1}
    >>> RealBatches(torch.zeros(3, 2), 4, "cpu", False)
    Traceback (most recent call last):
    ...
    ValueError: data has 3 examples, fewer than one batch of batch_size=4
    >>> pairs = RealBatches((torch.arange(10.0)[:, None], torch.arange(10)), 4, "cpu", labelled=True)
    >>> X, y = pairs.next()
    >>> bool((X.flatten().long() == y).all())
    True
    """

    def __init__(self, data, batch_size, device, scale_to_tanh: bool = False, seed: int = 0,
                 labelled: bool = False):
        self.device = torch.device(device)
        self.scale_to_tanh = bool(scale_to_tanh)
        self.seed = seed
        self.labelled = bool(labelled)
        self.epoch, self.index = 0, 0
        self._order = None
        self._iterator = None
        self._checked = False
        self.labels = None
        if (isinstance(data, tuple) and len(data) == 2 and all(isinstance(t, torch.Tensor) for t in data)):
            data, labels = data
            if labels.dim() != 1 or labels.dtype.is_floating_point or len(labels) != len(data):
                raise ValueError(f"the labels of (X, y) must be integers of shape ({len(data)},), "
                                 f"got {labels.dtype} of shape {tuple(labels.shape)}")
            if self.labelled:
                self.labels = labels.to(self.device)
        elif self.labelled and isinstance(data, torch.Tensor):
            raise ValueError("a conditional GAN needs labelled data: (X, y) tensors or (X, y) batches, "
                             f"got a tensor of shape {tuple(data.shape)} alone")
        if isinstance(data, torch.Tensor):
            batch_size = DEFAULT_BATCH_SIZE if batch_size is None else batch_size
            if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
                raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
            if not data.is_floating_point() or data.dim() < 2:
                raise ValueError(f"a tensor of real examples must be floating point of shape (N, ...), "
                                 f"got {data.dtype} of shape {tuple(data.shape)}")
            if len(data) < batch_size:
                raise ValueError(f"data has {len(data)} examples, fewer than one batch of batch_size={batch_size}")
            self.tensor = data.to(self.device)
            self.batch_size = batch_size
            self.batches_per_epoch = len(data) // batch_size
        else:
            if batch_size is not None:
                raise ValueError(f"batch_size={batch_size!r} applies to a tensor of examples; "
                                 "an iterable of batches has its own")
            if isinstance(data, Iterator) or not hasattr(data, "__iter__"):
                raise ValueError("data must be a tensor or a re-iterable of batches (a list, a DataLoader, "
                                 f"load_fashion_mnist's batches), got {type(data).__name__}")
            self.tensor = None
            self.data = data
            self.batch_size = getattr(data, "batch_size", None)
            self.batches_per_epoch = len(data) if hasattr(data, "__len__") else None

    def state(self) -> dict:
        """Where the stream is: ``{"epoch": e, "index": batches already read in epoch e}``."""
        return {"epoch": self.epoch, "index": self.index}

    def restore(self, state: dict) -> None:
        """Continue from a :meth:`state`; an iterable is read again from its epoch's start up to there."""
        self.epoch, self.index = int(state["epoch"]), 0
        self._start_epoch()
        for _ in range(int(state["index"])):
            self._read()

    def _start_epoch(self) -> None:
        if self.tensor is not None:
            # A generator seeded from (seed, epoch) alone: epoch e's order never
            # depends on how the earlier epochs were run, or whether they were.
            g = torch.Generator().manual_seed(derived_seed(self.seed, 0, self.epoch))
            self._order = torch.randperm(len(self.tensor), generator=g).to(self.device)
        else:
            if hasattr(self.data, "set_epoch"):
                self.data.set_epoch(self.epoch)
            self._iterator = iter(self.data)

    def _read(self):
        if self.tensor is not None:
            if self.index == self.batches_per_epoch:
                return None
            rows = self._order[self.index * self.batch_size:(self.index + 1) * self.batch_size]
            batch = self.tensor[rows]
            labels = None if self.labels is None else self.labels[rows]
        else:
            batch = next(self._iterator, None)
            if batch is None:
                return None
            labels = None
            if isinstance(batch, (tuple, list)):
                batch, labels = batch[0], (batch[1] if len(batch) > 1 else None)
            if not isinstance(batch, torch.Tensor) or not batch.is_floating_point():
                raise ValueError("each batch must be a floating-point tensor or an (X, y) pair with one, got "
                                 + (str(batch.dtype) if isinstance(batch, torch.Tensor) else type(batch).__name__))
            if self.labelled and (not isinstance(labels, torch.Tensor) or labels.dtype.is_floating_point
                                  or labels.shape != batch.shape[:1]):
                raise ValueError("a conditional GAN needs (X, y) batches with integer labels y of shape (N,), got "
                                 + ("no labels" if labels is None else f"{getattr(labels, 'dtype', type(labels))} "
                                    f"of shape {tuple(getattr(labels, 'shape', ()))}"))
        self.index += 1
        return (batch, labels) if self.labelled else batch

    def next(self):
        """The next batch, on the device (and in [-1, 1] with ``scale_to_tanh``); ``(X, y)`` when ``labelled``."""
        if self._order is None and self._iterator is None:
            self._start_epoch()
        batch = self._read()
        if batch is None:
            if self.index == 0:
                raise ValueError("data yielded no batches")
            self.epoch, self.index = self.epoch + 1, 0
            self._start_epoch()
            batch = self._read()
            if batch is None:
                raise ValueError(f"data yielded no batches in epoch {self.epoch}")
        if self.labelled:
            batch, labels = batch
            labels = labels.to(self.device, non_blocking=True)
        batch = batch.to(self.device, non_blocking=True)
        if self.scale_to_tanh:
            if not self._checked:  # one host sync, once
                low, high = batch.min().item(), batch.max().item()
                if low < 0 or high > 1:
                    raise ValueError(f"scale_to_tanh=True expects examples in [0, 1], got values in "
                                     f"[{low:.3g}, {high:.3g}]")
                self._checked = True
            batch = batch * 2 - 1
        return (batch, labels) if self.labelled else batch
