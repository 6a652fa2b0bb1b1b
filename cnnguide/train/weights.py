"""Which weights a run ends with: an exponential moving average of them, and the best epoch's.

Two callbacks for :func:`~cnnguide.train.fit`:

- :class:`EMA` keeps ``torch.optim.swa_utils.AveragedModel``'s exponential
  moving average of the weights (and of batch norm's running statistics),
  updated after every optimizer step. The average of the last few hundred
  steps' weights sits nearer the middle of the valley SGD bounces around in,
  so it often generalises better than the last step's weights.
  ``fit(..., evaluate=ema.averaged)`` makes the recorded test (validation)
  accuracy the average's.
- :class:`KeepBest` remembers the weights of the epoch with the best recorded
  accuracy and puts them back into the network at the end (and, given a
  folder, saves them as ``best.safetensors``), so a run that peaked before
  its last epoch does not end on a worse one.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors.torch import save_file
from torch import nn
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

from .callbacks import Callback
from .checkpoint import module_tensors
from .distributed import world_from_env

__all__ = ["BEST_JSON", "BEST_WEIGHTS", "EMA", "KeepBest"]

BEST_WEIGHTS = "best.safetensors"
BEST_JSON = "best.json"


class EMA(Callback):
    """An exponential moving average of the weights, updated after every optimizer step.

    After step ``t`` the average is ``decay * average + (1 - decay) * weights``
    (``get_ema_multi_avg_fn``); it starts as a copy of the weights at the first
    step. It remembers about ``1 / (1 - decay)`` steps: 0.999 suits runs of
    many thousand steps, a short run needs a smaller decay.

    Parameters
    ----------
    decay : float
        From 0 to 1 (excluded).

    Examples
    --------
    >>> net = nn.Linear(1, 1, bias=False)
    >>> ema = EMA(decay=0.5)
    >>> ema.on_train_begin(None, epoch=0, num_epochs=1, net=net, optimizer=None)
    >>> for w in (1.0, 3.0, 5.0):
    ...     _ = net.weight.data.fill_(w)
    ...     ema.on_batch_end(None, epoch=0, batch=0, num_epochs=1, net=net, optimizer=None)
    >>> ema.averaged().weight.item()  # 1, then (1 + 3) / 2, then (2 + 5) / 2
    3.5
    """

    on_every_rank = True  # every rank evaluates its share of the test set with the average

    def __init__(self, decay: float = 0.999) -> None:
        if not 0 <= decay < 1:
            raise ValueError(f"decay must be from 0 to 1 (excluded), got {decay!r}")
        self.decay = float(decay)
        self.model: AveragedModel | None = None

    def on_train_begin(self, history, *, epoch, num_epochs, net, optimizer):
        # A deep copy of the network as fit has initialised it, on its device.
        self.model = AveragedModel(net, multi_avg_fn=get_ema_multi_avg_fn(self.decay), use_buffers=True)

    def on_batch_end(self, history, *, epoch, batch, num_epochs, net, optimizer):
        self.model.update_parameters(net)

    def averaged(self) -> nn.Module:
        """The averaged network (a copy of the trained one's class), for evaluating or saving."""
        if self.model is None:
            raise ValueError("the EMA has not started: pass it to fit(callbacks=[...]) first")
        return self.model.module


class KeepBest(Callback):
    """Keep the weights of the epoch whose recorded accuracy is the highest; restore them at the end.

    Parameters
    ----------
    source : callable, optional
        Returns the network whose weights to keep (e.g. :meth:`EMA.averaged`,
        when that is the one evaluated); default: the network being trained.
    directory : path-like, optional
        Also save the best weights there as ``best.safetensors`` with
        ``best.json`` (epoch and accuracy) whenever they improve.

    Attributes
    ----------
    best_epoch : int
        Counted from 1; 0 before any epoch.
    best_acc : float

    Examples
    --------
    >>> from cnnguide.train import History
    >>> net, keep = nn.Linear(1, 1, bias=False), KeepBest()
    >>> history = History()
    >>> for epoch, (w, acc) in enumerate([(1.0, 0.7), (2.0, 0.9), (3.0, 0.8)], start=1):
    ...     _ = net.weight.data.fill_(w)
    ...     history.append(1.0, 0.5, acc, 100.0, 1.0)
    ...     keep.on_epoch_end(history, epoch=epoch, num_epochs=3, net=net, optimizer=None)
    >>> keep.on_train_end(history, epoch=3, num_epochs=3, net=net, optimizer=None)
    >>> keep.best_epoch, keep.best_acc, net.weight.item()
    (2, 0.9, 2.0)
    """

    # Every rank puts the best weights back, so the ranks end alike; rank 0 alone writes them.
    on_every_rank = True

    def __init__(self, source=None, directory=None) -> None:
        self.source = source
        self.directory = None if directory is None else Path(directory)
        self.best_epoch, self.best_acc, self.state = 0, float("-inf"), None

    def on_epoch_end(self, history, *, epoch, num_epochs, net, optimizer):
        acc = history.test_acc[-1]
        if acc <= self.best_acc:
            return
        module = net if self.source is None else self.source()
        self.best_epoch, self.best_acc = epoch, acc
        self.state = {k: v.detach().clone() for k, v in module.state_dict().items()}
        if self.directory is not None and world_from_env()[0] == 0:
            self.directory.mkdir(parents=True, exist_ok=True)
            save_file(module_tensors("", module), str(self.directory / BEST_WEIGHTS))
            (self.directory / BEST_JSON).write_text(json.dumps({"epoch": epoch, "acc": acc}) + "\n")

    def on_train_end(self, history, *, epoch, num_epochs, net, optimizer):
        if self.state is not None:
            with torch.no_grad():
                net.load_state_dict(self.state)
            history.metadata.update(best_epoch=self.best_epoch, best_acc=self.best_acc)
