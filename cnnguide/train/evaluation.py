"""Accuracy on held-out batches: one host sync per pass, summed over the ranks of a distributed run."""

from __future__ import annotations

import torch
from torch import nn

from ..devices import autocast, batches_on, device_of
from .distributed import DistributedRun, sharded

__all__ = ["evaluate_accuracy"]


def accuracy_counts(net, data_iter, device, amp, channels_last, run: DistributedRun | None = None):
    """(correct, total) over ``data_iter``, with a single host sync at the end;
    under an active ``run``, each rank counts its slices and the counts are summed."""
    net.eval()
    correct = torch.zeros((), dtype=torch.int64, device=device)
    total = 0
    if run is not None and run.active:
        data_iter = ((X, y) for X, y, _ in sharded(data_iter, run, strict=False))
    with torch.inference_mode(), autocast(device, amp):
        for X, y in batches_on(data_iter, device, channels_last):
            if y.shape[0]:
                correct += (net(X).argmax(dim=1) == y).sum()
            total += y.shape[0]
    if run is not None and run.active:
        summed, total = run.sum_([float(correct), float(total)])
        return int(summed), int(total)
    return int(correct), total


def evaluate_accuracy(net: nn.Module, data_iter, device=None, *, amp=None) -> float:
    """Fraction of the examples in ``data_iter`` that ``net`` classifies correctly.

    Parameters
    ----------
    net : nn.Module
        Put in evaluation mode (dropout off, batch norm uses running statistics).
    data_iter : iterable of (X, y)
        Any re-iterable of batches.
    device : torch.device, optional
        Where to compute; by default the device of ``net``'s first parameter.
    amp : None, False or torch.dtype
        Autocast: ``None`` means bf16 on CUDA and full precision elsewhere.

    Examples
    --------
    >>> net = nn.Linear(2, 2)
    >>> with torch.no_grad():
    ...     _ = net.weight.copy_(torch.eye(2)), net.bias.zero_()
    >>> evaluate_accuracy(net, [(torch.tensor([[1., 0.], [0., 1.], [2., 3.]]), torch.tensor([0, 1, 0]))])
    0.666...
    """
    correct, total = accuracy_counts(net, data_iter, device_of(net, device), amp, False)
    if total == 0:
        raise ValueError("data_iter yielded no examples")
    return correct / total
