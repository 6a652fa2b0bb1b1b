"""What a trained classifier gets right and wrong: predictions and the confusion matrix."""

from __future__ import annotations

import torch
from torch import nn

from .devices import autocast, batches_on, device_of

__all__ = ["confusion_matrix", "predict"]


def predict(net: nn.Module, X: torch.Tensor, device=None) -> torch.Tensor:
    """Predicted class indices of the batch ``X`` (``int64`` on the CPU).

    Examples
    --------
    >>> net = nn.Linear(2, 2)
    >>> with torch.no_grad():
    ...     _ = net.weight.copy_(torch.eye(2)), net.bias.zero_()
    >>> predict(net, torch.tensor([[1., 0.], [0., 1.]]))
    tensor([0, 1])
    """
    device = device_of(net, device)
    net.eval()
    with torch.inference_mode(), autocast(device):
        return net(X.to(device)).argmax(dim=1).cpu()


def confusion_matrix(net: nn.Module, data_iter, num_classes: int = 10, device=None) -> torch.Tensor:
    """Count how often each true class is predicted as each class.

    Returns
    -------
    torch.Tensor
        ``int64`` of shape ``(num_classes, num_classes)`` on the CPU: entry
        ``[t, p]`` counts the examples of true class ``t`` predicted as ``p``, so
        the diagonal holds the correct predictions and each row sums to the
        number of examples of that class.

    Examples
    --------
    >>> net = nn.Linear(2, 2)
    >>> with torch.no_grad():
    ...     _ = net.weight.copy_(torch.eye(2)), net.bias.zero_()
    >>> X = torch.tensor([[1., 0.], [0., 1.], [2., 3.]])
    >>> confusion_matrix(net, [(X, torch.tensor([0, 1, 0]))], num_classes=2)
    tensor([[1, 1],
            [0, 1]])
    """
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive integer, got {num_classes!r}")
    device = device_of(net, device)
    k = num_classes
    # One extra bin collects out-of-range labels or predictions; scatter_add_
    # (unlike bincount or a per-batch check) never waits for the GPU.
    counts = torch.zeros(k * k + 1, dtype=torch.int64, device=device)
    net.eval()
    with torch.inference_mode(), autocast(device):
        for X, y in batches_on(data_iter, device):
            y_hat = net(X).argmax(dim=1)
            valid = (y >= 0) & (y < k) & (y_hat < k)
            index = torch.where(valid, y * k + y_hat, k * k)
            counts.scatter_add_(0, index, torch.ones_like(index))
    counts = counts.cpu()
    if counts[-1]:
        raise ValueError(f"{int(counts[-1])} labels or predictions are outside 0..{k - 1}")
    return counts[:-1].reshape(k, k)
