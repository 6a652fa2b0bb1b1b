"""Data-parallel training across processes: the plumbing :func:`~cnnguide.train.fit` uses under ``torchrun``.

``torchrun --nproc_per_node N`` starts N copies of a program and gives each,
in its environment, ``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK`` and the address of
rank 0. :func:`init_from_env` joins them into one process group (NCCL on CUDA,
gloo on CPU). Every rank then reads the *same* shuffled global batch and keeps
the contiguous slice :func:`shard` gives it. DDP averages the ranks' gradients;
scaling each rank's mean loss by :func:`loss_weight` turns that average into the
mean gradient over the whole global batch, even when the batch does not split
into equal slices. So one process and N processes compute the same updates,
and ``batch_size`` keeps meaning the global batch.

Outside ``torchrun`` (no ``WORLD_SIZE`` in the environment, or 1) everything
here is a no-op: a world of one.
"""

from __future__ import annotations

import datetime
import os

import torch
import torch.distributed as dist

__all__ = ["DistributedRun", "init_from_env", "loss_weight", "shard", "sharded", "world_from_env"]


def world_from_env() -> tuple[int, int]:
    """``(rank, world_size)`` from torchrun's environment; ``(0, 1)`` outside it.

    >>> import os
    >>> os.environ.pop("WORLD_SIZE", None) and None
    >>> world_from_env()
    (0, 1)
    """
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    if world < 1 or not 0 <= rank < world:
        raise ValueError(f"RANK={rank} and WORLD_SIZE={world} in the environment are inconsistent")
    return rank, world


def shard(X: torch.Tensor, y: torch.Tensor, rank: int, world_size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Rank ``rank``'s contiguous slice of a global batch; sizes differ by at most one.

    Raises ``ValueError`` when the batch has fewer examples than ranks (a rank
    would get nothing to compute a mean loss of).

    >>> X, y = torch.arange(10.).reshape(5, 2), torch.arange(5)
    >>> [shard(X, y, r, 2)[1].tolist() for r in range(2)]
    [[0, 1, 2], [3, 4]]
    >>> shard(X[:1], y[:1], 0, 2)
    Traceback (most recent call last):
    ...
    ValueError: a batch of 1 examples cannot be split between 2 ranks...
    """
    n = y.shape[0]
    if n < world_size:
        raise ValueError(f"a batch of {n} examples cannot be split between {world_size} ranks; "
                         "use a larger batch size or fewer processes")
    base, extra = divmod(n, world_size)
    start = rank * base + min(rank, extra)
    stop = start + base + (rank < extra)
    return X[start:stop], y[start:stop]


def loss_weight(local: int, global_: int, world_size: int) -> float:
    """Factor on a rank's mean loss so that DDP's average of gradients is the global mean.

    DDP averages over ranks: ``mean_r(w_r g_r)`` with ``g_r`` the gradient of
    the mean loss over ``local`` examples. With ``w_r = local * world / global``
    that is ``sum(all examples' gradients) / global``.

    >>> loss_weight(3, 5, 2), loss_weight(2, 4, 2)
    (1.2, 1.0)
    """
    return local * world_size / global_


class DistributedRun:
    """The process group of one ``fit`` call, from torchrun's environment.

    ``active`` is ``False`` in a world of one, and then every method does nothing.
    ``fit`` creates the group if it does not exist (and destroys it at the end);
    one created by the caller is used and left alone.

    >>> run = DistributedRun(torch.device("cpu"))
    >>> run.active, run.rank, run.world_size, run.is_main
    (False, 0, 1, True)
    >>> run.sum_([3.0, 4.0])
    [3.0, 4.0]
    >>> run.close()
    """

    def __init__(self, device: torch.device, timeout_s: float | None = None):
        self.rank, self.world_size = world_from_env()
        self.device = device
        self.owns_group = False
        if self.world_size > 1 and not dist.is_initialized():
            init_from_env(device, timeout_s)
            self.owns_group = True
        if dist.is_initialized():
            self.rank, self.world_size = dist.get_rank(), dist.get_world_size()
        self.active = self.world_size > 1

    @property
    def is_main(self) -> bool:
        """Whether this is rank 0, the one that writes files and prints."""
        return self.rank == 0

    def sum_(self, values: list[float]) -> list[float]:
        """The sums over ranks of ``values`` (one collective, float64)."""
        if not self.active:
            return list(values)
        t = torch.tensor(values, dtype=torch.float64, device=self._comm_device())
        dist.all_reduce(t)
        return t.tolist()

    def min_(self, value: float) -> float:
        """The minimum over ranks of ``value``."""
        if not self.active:
            return value
        t = torch.tensor([value], dtype=torch.float64, device=self._comm_device())
        dist.all_reduce(t, op=dist.ReduceOp.MIN)
        return t.item()

    def barrier(self) -> None:
        if self.active:
            dist.barrier()

    def _comm_device(self) -> torch.device:
        return self.device if dist.get_backend() == "nccl" else torch.device("cpu")

    def close(self) -> None:
        """Destroy the process group if this run created it."""
        if self.owns_group and dist.is_initialized():
            dist.destroy_process_group()
        self.owns_group = False


def init_from_env(device: torch.device, timeout_s: float | None = None) -> None:
    """Join torchrun's process group: NCCL on CUDA (one GPU per ``LOCAL_RANK``), gloo otherwise.

    ``timeout_s`` (default ``CNNGUIDE_DIST_TIMEOUT`` or 300 s) bounds how long a
    collective waits for a lost rank before raising, so a job never hangs.
    """
    if timeout_s is None:
        timeout_s = float(os.environ.get("CNNGUIDE_DIST_TIMEOUT", "300"))
    backend = "nccl" if device.type == "cuda" else "gloo"
    if device.type == "cuda":
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
    dist.init_process_group(backend, timeout=datetime.timedelta(seconds=timeout_s))


def sharded(data_iter, run: DistributedRun, strict: bool = True):
    """Each global batch's slice for this rank, with the global batch size."""
    for X, y in data_iter:
        if run.active and (strict or y.shape[0] >= run.world_size):
            n = y.shape[0]
            X, y = shard(X, y, run.rank, run.world_size)
            yield X, y, n
        elif run.active:  # a test batch smaller than the world: rank 0 takes it all
            yield (X, y, y.shape[0]) if run.is_main else (X[:0], y[:0], y.shape[0])
        else:
            yield X, y, y.shape[0]
