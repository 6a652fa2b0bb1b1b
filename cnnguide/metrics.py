"""What a trained classifier gets right and wrong: predictions, the confusion matrix, a scored report."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from .devices import autocast, batches_on, device_of

__all__ = ["Report", "confusion_matrix", "predict", "report"]


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


@dataclass(frozen=True)
class Report:
    """A classifier's scores on labelled examples (see :func:`report`).

    Attributes
    ----------
    accuracy, standard_error : float
        The share right, and its binomial standard error ``sqrt(p (1 - p) / n)``.
    per_class : list of (str, int, float)
        Each true class's name, example count and accuracy (NaN for a class with no example).
    matrix : torch.Tensor
        Confusion counts, rows true classes and columns predictions.
    mistakes : torch.Tensor
        Indices of the wrong predictions, the most confident first.
    """

    accuracy: float
    standard_error: float
    per_class: list
    matrix: torch.Tensor
    mistakes: torch.Tensor

    def __str__(self) -> str:
        n = int(self.matrix.sum())
        lines = [f"accuracy {self.accuracy:.4f} ± {self.standard_error:.4f} (standard error) on {n:,} images"]
        width = max(len(name) for name, _, _ in self.per_class)
        lines += [f"  {name:<{width}}  {count:>6,} images  accuracy "
                  + ("  n/a" if math.isnan(acc) else f"{acc:.3f}") for name, count, acc in self.per_class]
        return "\n".join(lines)


def report(probabilities: torch.Tensor, labels: torch.Tensor, classes) -> Report:
    """Score class ``probabilities`` ``(N, K)`` against true ``labels`` ``(N,)``.

    Examples
    --------
    >>> p = torch.tensor([[0.9, 0.1], [0.4, 0.6], [0.2, 0.8], [0.7, 0.3]])
    >>> r = report(p, torch.tensor([0, 0, 1, 1]), ["cat", "dog"])
    >>> round(r.accuracy, 2), round(r.standard_error, 3), r.mistakes.tolist()
    (0.5, 0.25, [3, 1])
    >>> print(r)
    accuracy 0.5000 ± 0.2500 (standard error) on 4 images
      cat       2 images  accuracy 0.500
      dog       2 images  accuracy 0.500
    """
    probabilities, labels = probabilities.float().cpu(), labels.long().cpu()
    k = len(classes)
    if probabilities.dim() != 2 or probabilities.shape != (len(labels), k):
        raise ValueError(f"probabilities must have shape ({len(labels)}, {k}), got {tuple(probabilities.shape)}")
    if len(labels) == 0:
        raise ValueError("no labelled examples to score")
    if labels.min() < 0 or labels.max() >= k:
        raise ValueError(f"labels must be from 0 to {k - 1}")
    confidence, predicted = probabilities.max(dim=1)
    right = predicted == labels
    n, p = len(labels), right.float().mean().item()
    matrix = torch.bincount(labels * k + predicted, minlength=k * k).reshape(k, k)
    per_class = []
    for c, name in enumerate(classes):
        count = int((labels == c).sum())
        per_class.append((str(name), count, right[labels == c].float().mean().item() if count else math.nan))
    wrong = torch.nonzero(~right).flatten()
    mistakes = wrong[confidence[wrong].argsort(descending=True, stable=True)]
    return Report(p, math.sqrt(p * (1 - p) / n), per_class, matrix, mistakes)
