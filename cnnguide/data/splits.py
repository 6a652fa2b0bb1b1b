"""Validation splits that keep each class's share: a stratified holdout, stratified k folds.

A competition's test labels are hidden, so a model is chosen (its best epoch,
its recipe) on examples held out of the training set. Drawing them class by
class keeps the held-out set's class proportions those of the whole, so a
rare class is neither missing from it nor over-represented.
"""

from __future__ import annotations

import numpy as np
import torch

__all__ = ["stratified_folds", "stratified_split"]


def _per_class(labels, seed, need: int, why: str) -> list[np.ndarray]:
    labels = torch.as_tensor(labels).cpu().numpy()
    if labels.ndim != 1 or len(labels) == 0:
        raise ValueError(f"labels must be a non-empty 1-d sequence, got shape {labels.shape}")
    rng = np.random.default_rng(seed)
    groups = []
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        if len(members) < need:
            raise ValueError(f"class {c} has {len(members)} example(s); {why} needs at least {need}")
        groups.append(rng.permutation(members))
    return groups


def stratified_split(labels, holdout: float = 0.1, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Indices ``(train, validation)``: each class split ``1 - holdout`` to ``holdout``.

    Each class sends ``round(holdout * n)`` of its ``n`` examples to the
    validation side (at least one, and at least one stays for training), so
    the validation set has the classes in the proportions of the whole.

    Examples
    --------
    >>> labels = torch.tensor([0] * 8 + [1] * 4)
    >>> train, val = stratified_split(labels, holdout=0.25, seed=0)
    >>> len(train), labels[val].tolist()
    (9, [0, 0, 1])
    """
    if not 0 < holdout < 1:
        raise ValueError(f"holdout must be a fraction between 0 and 1, got {holdout!r}")
    train, val = [], []
    for members in _per_class(labels, seed, 2, "a stratified holdout"):
        k = min(max(1, round(holdout * len(members))), len(members) - 1)
        val.append(members[:k])
        train.append(members[k:])
    return (torch.from_numpy(np.sort(np.concatenate(train))),
            torch.from_numpy(np.sort(np.concatenate(val))))


def stratified_folds(labels, k: int = 5, seed: int = 0) -> list[torch.Tensor]:
    """``k`` disjoint index sets covering every example, each class dealt out evenly.

    Fold ``i`` validates a model trained on the others; class counts differ by
    at most one between folds.

    Examples
    --------
    >>> folds = stratified_folds(torch.tensor([0] * 6 + [1] * 3), k=3)
    >>> [len(f) for f in folds], sorted(torch.cat(folds).tolist()) == list(range(9))
    ([3, 3, 3], True)
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 2:
        raise ValueError(f"k must be an integer of at least 2, got {k!r}")
    folds = [[] for _ in range(k)]
    dealt = 0
    for members in _per_class(labels, seed, k, f"{k}-fold splitting"):
        for j, index in enumerate(members):
            folds[(dealt + j) % k].append(index)  # continue the deal where the last class stopped
        dealt += len(members)
    return [torch.tensor(sorted(f), dtype=torch.int64) for f in folds]
