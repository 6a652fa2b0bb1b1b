"""What :func:`~cnnguide.train.fit` does around its loop, as callbacks: printing, checkpoints, pictures.

A callback is any object with some of these methods; :func:`~cnnguide.train.fit`
calls each one it finds, in the order the callbacks were given, with the
:class:`~cnnguide.train.History` so far and the same keywords every time:

- ``on_train_begin(history, *, epoch, num_epochs, net, optimizer)`` -- before
  the first epoch (``epoch`` epochs are already done: 0, or more when resuming);
- ``on_batch_end(history, *, epoch, batch, num_epochs, net, optimizer)`` -- after
  each optimizer step (``epoch`` in progress counted from 1, ``batch`` from 0,
  as :class:`~cnnguide.train.NonFiniteLossError` counts them); it runs on every
  batch, so it should not read values from the GPU (each read waits for it);
- ``on_epoch_end(history, *, epoch, num_epochs, net, optimizer)`` -- after each
  epoch, once its test accuracy is in ``history`` (``epoch`` counts from 1);
- ``on_train_end(history, *, epoch, num_epochs, net, optimizer)`` -- after the
  last epoch.

Under ``torchrun`` (see :mod:`cnnguide.train.distributed`) only rank 0 runs
the callbacks, since they print and write files; a callback that keeps state
the run's result depends on (the moving average of :class:`~cnnguide.train.weights.EMA`)
sets ``on_every_rank = True`` and runs on every rank, writing nothing except on rank 0.

Subclassing :class:`Callback` gives the methods you do not write for free.
Built in: :class:`PrintEpochs` (one line per epoch) and :class:`SaveCheckpoint`
(what ``fit(checkpoint_dir=...)`` uses). The live plot of a notebook is a
picture, so it lives with the pictures: :class:`cnnguide.figures.LivePlot`.

Examples
--------
>>> class StopWatch(Callback):
...     def on_epoch_end(self, history, *, epoch, num_epochs, net, optimizer):
...         print(f"epoch {epoch} of {num_epochs} took {history.epoch_seconds[-1]:.0f} s")
>>> from .history import History
>>> StopWatch().on_epoch_end(History([1.0], [0.5], [0.5], [10.0], [2.0]), epoch=1, num_epochs=3,
...                          net=None, optimizer=None)
epoch 1 of 3 took 2 s
"""

from __future__ import annotations

import sys
from pathlib import Path

from torch import nn, optim

from ..devices import device_of
from .checkpoint import load_checkpoint, save_checkpoint
from .history import History

__all__ = ["HOOKS", "Callback", "PrintEpochs", "SaveCheckpoint"]

#: The methods :func:`~cnnguide.train.fit` calls, in the order of a run.
HOOKS = ("on_train_begin", "on_batch_end", "on_epoch_end", "on_train_end")


class Callback:
    """Base class of callbacks: every hook does nothing until overridden.

    Each hook receives the :class:`~cnnguide.train.History` so far and the
    keywords ``epoch``, ``num_epochs``, ``net`` and ``optimizer``
    (:meth:`on_batch_end` also ``batch``).
    """

    #: Whether :func:`~cnnguide.train.fit` runs this callback on every rank of
    #: a distributed run (``True``: it keeps state every rank needs) or on rank 0 alone.
    on_every_rank = False

    def on_train_begin(self, history: History, *, epoch: int, num_epochs: int,
                       net: nn.Module, optimizer: optim.Optimizer) -> None:
        """Before the first epoch of this call (``epoch`` > 0 when resuming)."""

    def on_batch_end(self, history: History, *, epoch: int, batch: int, num_epochs: int,
                     net: nn.Module, optimizer: optim.Optimizer) -> None:
        """After the optimizer step on batch ``batch`` (from 0) of epoch ``epoch`` (from 1)."""

    def on_epoch_end(self, history: History, *, epoch: int, num_epochs: int,
                     net: nn.Module, optimizer: optim.Optimizer) -> None:
        """After epoch ``epoch`` (counted from 1), once its results are in ``history``."""

    def on_train_end(self, history: History, *, epoch: int, num_epochs: int,
                     net: nn.Module, optimizer: optim.Optimizer) -> None:
        """After the last epoch."""


class PrintEpochs(Callback):
    """Print one line per epoch: loss, accuracies and speed.

    Parameters
    ----------
    file : file-like, optional
        Where to print; ``sys.stdout`` (looked up at each line) by default.
    evaluated_on : str
        What the per-epoch accuracy is measured on (``"validation"`` when
        ``fit``'s ``test_iter`` is a held-out share of the training data).

    Examples
    --------
    >>> from torch import nn
    >>> h = History([0.61], [0.78], [0.8], [12345.6], [3.0])
    >>> PrintEpochs().on_epoch_end(h, epoch=1, num_epochs=10, net=nn.Linear(2, 2), optimizer=None)
    epoch 1/10: loss 0.610, train acc 0.780, test acc 0.800, 12345.6 examples/sec on cpu
    """

    def __init__(self, file=None, evaluated_on: str = "test"):
        self.file, self.evaluated_on = file, evaluated_on

    def on_epoch_end(self, history, *, epoch, num_epochs, net, optimizer):
        print(f"epoch {epoch}/{num_epochs}: loss {history.train_loss[-1]:.3f}, "
              f"train acc {history.train_acc[-1]:.3f}, {self.evaluated_on} acc {history.test_acc[-1]:.3f}, "
              f"{history.examples_per_sec[-1]:.1f} examples/sec on {device_of(net)}",
              file=self.file or sys.stdout, flush=True)


def _hyper_parameters(optimizer: optim.Optimizer) -> dict:
    """The settings a resumed run must share with the run it continues."""
    # .get: an optimizer without momentum (AdamW) records None.
    return {name: optimizer.defaults.get(name) for name in ("lr", "momentum", "weight_decay")}


class SaveCheckpoint(Callback):
    """Save a checkpoint into ``directory`` after every epoch; :meth:`restore` resumes from it.

    The checkpoint (see :mod:`cnnguide.train.checkpoint`) holds the weights, the
    optimizer's state, the random generators and the history, so that a run
    resumed from it computes what the uninterrupted run would have. It also
    records the optimizer's ``lr``, ``momentum`` and ``weight_decay``, which
    :meth:`restore` checks. ``fit(..., checkpoint_dir=d, resume=True)`` uses
    this class; pass it in ``callbacks`` yourself only to resume by hand.

    Examples
    --------
    >>> import tempfile, torch
    >>> net = torch.nn.Linear(2, 2)
    >>> sgd = torch.optim.SGD(net.parameters(), lr=0.1)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     saver = SaveCheckpoint(folder)
    ...     saver.on_epoch_end(History([1.0], [0.5], [0.5], [10.0], [2.0]), epoch=1, num_epochs=3,
    ...                        net=net, optimizer=sgd)
    ...     epoch, history = saver.restore(net, sgd)
    >>> epoch, history.test_acc
    (1, [0.5])
    """

    def __init__(self, directory):
        self.directory = Path(directory)

    def on_epoch_end(self, history, *, epoch, num_epochs, net, optimizer):
        save_checkpoint(self.directory, net, optimizer, epoch, history, _hyper_parameters(optimizer))

    def restore(self, net: nn.Module, optimizer: optim.Optimizer) -> tuple[int, History] | None:
        """Load the checkpoint into ``net``, ``optimizer`` and the random generators.

        Returns
        -------
        (epoch, history) or None
            The epochs done and their history; ``None`` if ``directory`` holds
            no checkpoint.

        Raises
        ------
        ValueError
            If the checkpoint was made with another ``lr``, ``momentum`` or
            ``weight_decay`` than ``optimizer``'s; the message gives both.
        """
        loaded = load_checkpoint(self.directory, net, optimizer)
        if loaded is None:
            return None
        epoch, history, saved = loaded
        options = _hyper_parameters(optimizer)
        if saved != options:
            raise ValueError(f"the checkpoint in {self.directory} was made with {saved}, "
                             f"but fit was called with {options}")
        return epoch, history
