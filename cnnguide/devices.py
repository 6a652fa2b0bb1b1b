"""Where a network computes: choosing the device, moving batches there, mixed precision.

The training loop (:mod:`cnnguide.train`) and the evaluation helpers
(:mod:`cnnguide.metrics`) both run a network over batches of ``(X, y)`` on
some device; these are the few lines they share.

- :func:`try_gpu` -- the first GPU if there is one, else the CPU;
- :func:`device_of` -- the device a network lives on;
- :func:`batches_on` -- batches moved to a device, optionally channels-last;
- :func:`autocast` -- the autocast context of a device (bf16 on CUDA by default).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

import torch
from torch import nn

__all__ = ["autocast", "batches_on", "device_of", "try_gpu"]


def try_gpu(i: int = 0) -> torch.device:
    """The ``i``-th CUDA GPU if there is one, else the CPU.

    Examples
    --------
    >>> try_gpu(99)
    device(type='cpu')
    """
    return torch.device(f"cuda:{i}") if torch.cuda.device_count() > i else torch.device("cpu")


def device_of(net: nn.Module, device=None) -> torch.device:
    """``device`` if given, else the device of ``net``'s first parameter (the CPU if it has none).

    Examples
    --------
    >>> device_of(nn.Linear(2, 2)), device_of(nn.ReLU()), device_of(nn.ReLU(), "meta")
    (device(type='cpu'), device(type='cpu'), device(type='meta'))
    """
    if device is not None:
        return torch.device(device)
    param = next(net.parameters(), None)
    return param.device if param is not None else torch.device("cpu")


def autocast(device, amp=None):
    """The autocast context for computing on ``device``.

    Parameters
    ----------
    device : torch.device or str
    amp : None, False or torch.dtype
        ``None``: bf16 on CUDA, full precision elsewhere; ``False``: full
        precision; a dtype: autocast to it.

    Examples
    --------
    >>> with autocast("cpu"):
    ...     (torch.ones(2, 2) @ torch.ones(2, 2)).dtype
    torch.float32
    >>> with autocast("cpu", torch.bfloat16):
    ...     (torch.ones(2, 2) @ torch.ones(2, 2)).dtype
    torch.bfloat16
    """
    device = torch.device(device)
    if amp is None:
        amp = torch.bfloat16 if device.type == "cuda" else False
    if amp is False:
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=amp)


def batches_on(data_iter: Iterable, device, channels_last: bool = False) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """The ``(X, y)`` batches of ``data_iter``, moved to ``device`` as they are read.

    The copies are ``non_blocking``, so on a GPU the next batch can travel
    while the current one computes. With ``channels_last``, 4-d images are laid
    out as NHWC, the layout cuDNN's fastest convolutions want.

    Examples
    --------
    >>> X, y = next(batches_on([(torch.zeros(2, 3, 4, 4), torch.tensor([0, 1]))], "cpu", channels_last=True))
    >>> X.is_contiguous(memory_format=torch.channels_last), y.device
    (True, device(type='cpu'))
    """
    device = torch.device(device)
    for X, y in data_iter:
        X, y = X.to(device, non_blocking=True), y.to(device, non_blocking=True)
        if channels_last and X.dim() == 4:
            X = X.contiguous(memory_format=torch.channels_last)
        yield X, y
