"""Optimizers and learning-rate schedules of the modern recipe, built from torch's own.

- :func:`make_optimizer` -- SGD with Nesterov momentum, or AdamW, with weight
  decay on the weights of convolutions and linear layers only;
- :func:`make_schedule` -- a warm-up then a cosine decay, stepped after every
  batch: torch's ``OneCycleLR``, or ``LinearLR`` followed by
  ``CosineAnnealingLR``.

Why no weight decay on biases and batch-norm parameters: decay pulls a weight
towards zero to keep the function simple, but a batch norm's scale and shift
(and the biases) set the *range* of a layer's output, not its complexity, and
shrinking them only fights the normalisation. Most modern recipes (Goyal et
al., 2017; timm) exempt every one-dimensional parameter.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.optim import lr_scheduler

__all__ = ["OPTIMIZERS", "SCHEDULES", "make_optimizer", "make_schedule", "parameter_groups"]

#: The optimizers :func:`make_optimizer` builds.
OPTIMIZERS = ("sgd", "adamw")
#: The schedules :func:`make_schedule` builds (``None``: a constant learning rate).
SCHEDULES = ("onecycle", "cosine", None)


def parameter_groups(net: nn.Module, weight_decay: float, decay_all: bool = False) -> list[dict]:
    """Two parameter groups: weights with ``weight_decay``, 1-d parameters (biases, norms) without.

    Examples
    --------
    >>> net = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4))
    >>> [(len(g["params"]), g["weight_decay"]) for g in parameter_groups(net, 5e-4)]
    [(1, 0.0005), (3, 0.0)]
    """
    params = [p for p in net.parameters() if p.requires_grad]
    if decay_all:
        return [{"params": params, "weight_decay": weight_decay}]
    decayed = [p for p in params if p.dim() > 1]
    exempt = [p for p in params if p.dim() <= 1]
    return [g for g in ({"params": decayed, "weight_decay": weight_decay},
                        {"params": exempt, "weight_decay": 0.0}) if g["params"]]


def make_optimizer(net: nn.Module, name: str = "sgd", lr: float = 0.1, *, momentum: float = 0.9,
                   nesterov: bool = True, weight_decay: float = 5e-4,
                   decay_all: bool = False) -> torch.optim.Optimizer:
    """``torch.optim.SGD`` (Nesterov momentum) or ``torch.optim.AdamW`` over ``net``'s parameters.

    Parameters
    ----------
    name : {"sgd", "adamw"}
    lr : float
        The peak learning rate (a schedule scales it).
    momentum, nesterov : float, bool
        SGD's; ``momentum=0`` is plain SGD (then ``nesterov`` is ignored).
    weight_decay : float
        On weights of dimension 2 and more (see :func:`parameter_groups`);
        AdamW's is decoupled from the gradient (Loshchilov and Hutter, 2019).
    decay_all : bool
        Decay every parameter, as ``torch.optim.SGD(weight_decay=...)`` alone does.

    Examples
    --------
    >>> sgd = make_optimizer(nn.Linear(3, 2), "sgd", 0.1)
    >>> type(sgd).__name__, sgd.defaults["nesterov"], [g["weight_decay"] for g in sgd.param_groups]
    ('SGD', True, [0.0005, 0.0])
    >>> make_optimizer(nn.Linear(3, 2), "adam")
    Traceback (most recent call last):
    ...
    ValueError: optimizer must be one of ('sgd', 'adamw'), got 'adam'
    """
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {name!r}")
    if not lr > 0:
        raise ValueError(f"lr must be positive, got {lr!r}")
    groups = parameter_groups(net, weight_decay, decay_all)
    if name == "adamw":
        return torch.optim.AdamW(groups, lr=lr)
    return torch.optim.SGD(groups, lr=lr, momentum=momentum, nesterov=nesterov and momentum > 0)


def make_schedule(optimizer: torch.optim.Optimizer, kind: str | None, total_steps: int,
                  warmup: float = 0.15) -> lr_scheduler.LRScheduler:
    """A learning-rate schedule over ``total_steps`` optimizer steps, stepped after each of them.

    Parameters
    ----------
    kind : {"onecycle", "cosine", None}
        ``"onecycle"``: ``OneCycleLR`` with cosine annealing, rising from
        1/25 of the peak to the peak over the warm-up, then falling to
        1/10,000 of the start (for SGD it also cycles the momentum between
        0.95 and 0.85, Smith's 2018 recommendation). ``"cosine"``: ``LinearLR``
        from 1/100 of the peak over the warm-up, then ``CosineAnnealingLR``
        down to 0. ``None``: constant, the peak throughout.
    total_steps : int
        Optimizer steps of the whole run (epochs x batches per epoch).
    warmup : float
        The warm-up's share of ``total_steps``.

    Examples
    --------
    >>> sgd = torch.optim.SGD(nn.Linear(1, 1).parameters(), lr=0.1, momentum=0.9)
    >>> schedule = make_schedule(sgd, "cosine", total_steps=20, warmup=0.25)
    >>> rates = []
    >>> for _ in range(20):
    ...     rates.append(schedule.get_last_lr()[0]); sgd.step(); schedule.step()
    >>> [round(r, 4) for r in rates[:6]], round(max(rates), 4), round(rates[-1], 4)
    ([0.001, 0.0208, 0.0406, 0.0604, 0.0802, 0.1], 0.1, 0.0011)
    """
    if kind not in SCHEDULES:
        raise ValueError(f"schedule must be one of {SCHEDULES}, got {kind!r}")
    if isinstance(total_steps, bool) or not isinstance(total_steps, int) or total_steps < 1:
        raise ValueError(f"total_steps must be a positive integer, got {total_steps!r}")
    if not 0 <= warmup < 1:
        raise ValueError(f"warmup must be a fraction from 0 to 1 (excluded), got {warmup!r}")
    if kind is None:
        return lr_scheduler.ConstantLR(optimizer, factor=1.0, total_iters=0)
    warmup_steps = max(1, round(warmup * total_steps)) if warmup else 0
    if kind == "onecycle":
        if total_steps < 3:
            raise ValueError(f"the onecycle schedule needs at least 3 steps (a rise and a fall), got {total_steps}")
        # OneCycleLR's rise ends at step pct_start * total - 1: at least 1, and before the last step.
        warmup_steps = min(max(warmup_steps, 2), total_steps - 1)
        peaks = [group["lr"] for group in optimizer.param_groups]
        cycle = "momentum" in optimizer.defaults and optimizer.defaults["momentum"] > 0
        return lr_scheduler.OneCycleLR(optimizer, max_lr=peaks, total_steps=total_steps,
                                       pct_start=warmup_steps / total_steps, anneal_strategy="cos",
                                       cycle_momentum=cycle, base_momentum=0.85, max_momentum=0.95)
    cosine = lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(1, total_steps - warmup_steps))
    if not warmup_steps:
        return cosine
    ramp = lr_scheduler.LinearLR(optimizer, start_factor=0.01, end_factor=1.0, total_iters=warmup_steps)
    return lr_scheduler.SequentialLR(optimizer, [ramp, cosine], milestones=[warmup_steps])
