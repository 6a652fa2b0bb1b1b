"""The training loop: d2l's ``train_ch6`` semantics, without its stalls.

d2l's loop calls ``float()`` on the loss and the accuracy after every batch.
Each call makes the CPU wait until the GPU has finished that batch, so the GPU
idles while Python prepares the next one. Here the loss sum, the number of
correct predictions and the index of the first non-finite loss stay on the
device as tensors, and are read once per epoch. On CUDA the loop also uses
bf16 autocast, channels-last tensors and cuDNN's autotuner.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
import warnings
from collections.abc import Iterator

import torch
from torch import nn

from .checkpoint import load_checkpoint, save_checkpoint
from .history import History, run_metadata

__all__ = ["NonFiniteLossError", "evaluate_accuracy", "fit", "try_gpu"]

_NO_BAD_BATCH = torch.iinfo(torch.int64).max


class NonFiniteLossError(FloatingPointError):
    """The training loss became ``nan`` or ``inf``.

    Attributes
    ----------
    epoch : int
        The epoch, counted from 1.
    batch : int
        The first batch of that epoch whose loss was not finite, counted from 0.
    """

    def __init__(self, epoch: int, batch: int):
        self.epoch, self.batch = epoch, batch
        super().__init__(
            f"the training loss is not finite at epoch {epoch}, batch {batch} (counted from 0); "
            "the learning rate is probably too high for this network")


def try_gpu(i: int = 0) -> torch.device:
    """The ``i``-th CUDA GPU if there is one, else the CPU.

    Examples
    --------
    >>> try_gpu(99)
    device(type='cpu')
    """
    return torch.device(f"cuda:{i}") if torch.cuda.device_count() > i else torch.device("cpu")


def _check_reiterable(name: str, data_iter) -> None:
    # Not iter(data_iter) is data_iter: that would start a DataLoader's workers.
    if isinstance(data_iter, Iterator):
        raise ValueError(
            f"{name} must be re-iterable (a list, a DataLoader, load_fashion_mnist's batches), "
            f"got a one-shot iterator of type {type(data_iter).__name__}")


def _autocast(device: torch.device, amp):
    """``amp``: None (bf16 on CUDA, off elsewhere), False, or a dtype."""
    if amp is None:
        amp = torch.bfloat16 if device.type == "cuda" else False
    if amp is False:
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=amp)


def _batches(data_iter, device, channels_last):
    for X, y in data_iter:
        X, y = X.to(device, non_blocking=True), y.to(device, non_blocking=True)
        if channels_last and X.dim() == 4:
            X = X.contiguous(memory_format=torch.channels_last)
        yield X, y


def _accuracy_counts(net, data_iter, device, amp, channels_last):
    """(correct, total) over ``data_iter``, with a single host sync at the end."""
    net.eval()
    correct = torch.zeros((), dtype=torch.int64, device=device)
    total = 0
    with torch.inference_mode(), _autocast(device, amp):
        for X, y in _batches(data_iter, device, channels_last):
            correct += (net(X).argmax(dim=1) == y).sum()
            total += y.shape[0]
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
    if device is None:
        param = next(net.parameters(), None)
        device = param.device if param is not None else torch.device("cpu")
    correct, total = _accuracy_counts(net, data_iter, torch.device(device), amp, False)
    if total == 0:
        raise ValueError("data_iter yielded no examples")
    return correct / total


def _xavier(module: nn.Module) -> None:
    # Reset first, so that the biases (PyTorch's default init, as in d2l) also
    # come from `seed` rather than from the generator's state when the model was built.
    if hasattr(module, "reset_parameters"):
        module.reset_parameters()
    if isinstance(module, (nn.Linear, nn.Conv2d)):
        nn.init.xavier_uniform_(module.weight)


def _checks_each_batch(device: torch.device) -> bool:
    """Whether to test each loss on the host at once: on a CPU there is no
    queue of kernels to stall, so that costs nothing; on a GPU it would."""
    return device.type == "cpu"


def _show_progress(progress) -> bool:
    if progress is not None:
        return bool(progress)
    # Interactive terminals only: site builds, notebooks run by a builder and CI
    # logs would fill with carriage-return garbage.
    return sys.stderr.isatty() and not os.environ.get("CI")


class _LivePlot:
    """Redraws the curves of a history in one notebook output, in place."""

    def __init__(self):
        self.handle = None
        try:
            from IPython import get_ipython
        except ImportError:
            get_ipython = lambda: None  # noqa: E731
        if get_ipython() is None:
            warnings.warn("live_plot needs a notebook (IPython); ignored", stacklevel=3)
            self.enabled = False
        else:
            self.enabled = True

    def update(self, history: History, num_epochs: int) -> None:
        if not self.enabled:
            return
        from IPython.display import display

        from ..figures.training import plot_history

        fig = plot_history(history, title=f"epoch {history.epochs} of {num_epochs}")
        if self.handle is None:
            self.handle = display(fig, display_id=True)
        else:
            self.handle.update(fig)


def fit(net: nn.Module, train_iter, test_iter, num_epochs: int, lr: float, device=None, *,
        init="xavier", momentum: float = 0.0, weight_decay: float = 0.0, seed: int | None = None,
        amp=None, channels_last: bool | None = None, compile: bool = False,
        progress: bool | None = None, verbose: bool = False,
        checkpoint_dir=None, resume: bool = False, live_plot: bool = False) -> History:
    """Train ``net`` for classification with SGD and cross-entropy; return its :class:`History`.

    Same semantics as d2l's ``train_ch6``: Xavier-uniform weights, plain
    mini-batch SGD, the mean cross-entropy loss, training loss and accuracy
    averaged over each epoch, test accuracy after each epoch.

    Parameters
    ----------
    net : nn.Module
        Maps ``X`` to class scores (logits). Moved to ``device``.
    train_iter, test_iter : re-iterable of (X, y)
        Batches: :func:`cnnguide.data.load_fashion_mnist`'s, a ``DataLoader``, a
        list of tuples... If ``train_iter`` has ``set_epoch`` it is called
        before each epoch (so a resumed run gets the same shuffles).
    num_epochs : int
        Total number of epochs (when resuming, including those already done).
    lr : float
        Learning rate.
    device : torch.device or str, optional
        Default :func:`try_gpu`.
    init : "xavier", None or callable
        ``"xavier"``: re-initialise every layer, with Xavier-uniform weights for
        ``Linear`` and ``Conv2d`` (biases and other layers get PyTorch's default
        initialisation); ``None``: keep the model's weights as they are; a
        callable is applied with ``net.apply``.
    momentum, weight_decay : float
        Passed to :class:`torch.optim.SGD`.
    seed : int, optional
        Seeds torch's generator before the initialisation, so that the
        initial weights depend on ``seed`` alone (data shuffles have their own
        seed, see :func:`cnnguide.data.load_fashion_mnist`).
    amp : None, False or torch.dtype
        Autocast; ``None`` means bf16 on CUDA and full precision elsewhere.
    channels_last : bool, optional
        Memory format of weights and batches; ``None`` means on CUDA only.
    compile : bool
        Run the network through :func:`torch.compile` (pays off on GPUs for
        long runs; compiling costs tens of seconds).
    progress : bool, optional
        A tqdm bar; ``None`` shows it only when stderr is a terminal and ``CI``
        is unset, so site builds and CI logs stay clean.
    verbose : bool
        Print one line per epoch.
    checkpoint_dir : path-like, optional
        Save weights, optimizer, random generators and history there after
        every epoch (see :mod:`cnnguide.train.checkpoint`).
    resume : bool
        Continue from the checkpoint in ``checkpoint_dir`` if there is one
        (otherwise start afresh); its hyper-parameters must match.
    live_plot : bool
        In a notebook, redraw the training curves in place after each epoch.

    Returns
    -------
    History
        Per-epoch ``train_loss``, ``train_acc``, ``test_acc``,
        ``examples_per_sec``, ``epoch_seconds``; ``metadata`` has the device,
        versions, date and hyper-parameters.

    Raises
    ------
    NonFiniteLossError
        If the loss becomes ``nan`` or ``inf``; names the epoch and batch.
        (On a GPU this is detected at the end of the epoch, without a per-batch
        host sync.)

    Examples
    --------
    >>> torch.manual_seed(0)  # doctest: +ELLIPSIS
    <torch._C.Generator object at ...>
    >>> X = torch.randn(200, 2); y = (X[:, 0] > 0).long()
    >>> batches = [(X[i:i + 50], y[i:i + 50]) for i in range(0, 200, 50)]
    >>> history = fit(nn.Linear(2, 2), batches, batches, num_epochs=5, lr=0.5, device="cpu", seed=0)
    >>> history.epochs, history.test_acc[-1] > 0.9
    (5, True)
    """
    if isinstance(num_epochs, bool) or not isinstance(num_epochs, int) or num_epochs < 0:
        raise ValueError(f"num_epochs must be a non-negative integer, got {num_epochs!r}")
    if not lr > 0:
        raise ValueError(f"lr must be positive, got {lr!r}")
    if resume and checkpoint_dir is None:
        raise ValueError("resume=True needs a checkpoint_dir")
    _check_reiterable("train_iter", train_iter)
    _check_reiterable("test_iter", test_iter)
    device = try_gpu() if device is None else torch.device(device)
    if channels_last is None:
        channels_last = device.type == "cuda"

    if seed is not None:
        torch.manual_seed(seed)
    if init == "xavier":
        net.apply(_xavier)
    elif callable(init):
        net.apply(init)
    elif init is not None:
        raise ValueError(f"init must be 'xavier', None or a callable, got {init!r}")
    net.to(device)
    if channels_last:
        net.to(memory_format=torch.channels_last)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay)
    options = {"lr": lr, "momentum": momentum, "weight_decay": weight_decay}
    history = History(metadata={
        **run_metadata(device), "model": type(net).__name__, **options, "num_epochs": num_epochs,
        "batch_size": getattr(train_iter, "batch_size", None), "seed": seed,
        "amp": str(amp) if amp is not None else ("torch.bfloat16" if device.type == "cuda" else None),
        "channels_last": channels_last, "compile": compile})
    start = 0
    if resume:
        loaded = load_checkpoint(checkpoint_dir, net, optimizer)
        if loaded is not None:
            start, history, saved = loaded
            if saved != options:
                raise ValueError(f"the checkpoint in {checkpoint_dir} was made with {saved}, "
                                 f"but fit was called with {options}")
            history.metadata["num_epochs"] = num_epochs

    model = torch.compile(net) if compile else net
    loss_fn = nn.CrossEntropyLoss()
    show = _show_progress(progress)
    plot = _LivePlot() if live_plot else None
    bar = None
    if show:
        from tqdm.auto import tqdm

        total = (num_epochs - start) * len(train_iter) if hasattr(train_iter, "__len__") else None
        bar = tqdm(total=total, unit="batch", dynamic_ncols=True)
    accumulate = torch.float32 if device.type == "mps" else torch.float64
    benchmark = torch.backends.cudnn.benchmark
    torch.backends.cudnn.benchmark = device.type == "cuda" or benchmark
    try:
        for epoch in range(start, num_epochs):
            tic = time.perf_counter()
            if hasattr(train_iter, "set_epoch"):
                train_iter.set_epoch(epoch)
            if bar is not None:
                bar.set_description(f"epoch {epoch + 1}/{num_epochs}")
            model.train()
            loss_sum = torch.zeros((), dtype=accumulate, device=device)
            correct = torch.zeros((), dtype=torch.int64, device=device)
            first_bad = torch.full((), _NO_BAD_BATCH, dtype=torch.int64, device=device)
            n = 0
            for i, (X, y) in enumerate(_batches(train_iter, device, channels_last)):
                optimizer.zero_grad(set_to_none=True)
                with _autocast(device, amp):
                    y_hat = model(X)
                    loss = loss_fn(y_hat, y)
                loss.backward()
                optimizer.step()
                with torch.no_grad():
                    loss = loss.detach()
                    if _checks_each_batch(device):
                        if not torch.isfinite(loss):
                            raise NonFiniteLossError(epoch + 1, i)
                    else:
                        first_bad = torch.minimum(
                            first_bad, torch.where(torch.isfinite(loss), _NO_BAD_BATCH, i))
                    loss_sum += loss.to(accumulate) * y.shape[0]
                    correct += (y_hat.argmax(dim=1) == y).sum()
                n += y.shape[0]
                if bar is not None:
                    bar.update()
            if n == 0:
                raise ValueError("train_iter yielded no batches")
            loss_total, correct_total, bad = torch.stack(
                [loss_sum.double(), correct.double(), first_bad.double()]).tolist()  # the one sync
            train_seconds = time.perf_counter() - tic
            if bad < _NO_BAD_BATCH:
                raise NonFiniteLossError(epoch + 1, int(bad))
            test_correct, test_total = _accuracy_counts(model, test_iter, device, amp, channels_last)
            if test_total == 0:
                raise ValueError("test_iter yielded no examples")
            history.append(loss_total / n, correct_total / n, test_correct / test_total,
                           n / train_seconds, time.perf_counter() - tic)
            if checkpoint_dir is not None:
                save_checkpoint(checkpoint_dir, net, optimizer, epoch + 1, history, options)
            if verbose:
                print(f"epoch {epoch + 1}/{num_epochs}: loss {history.train_loss[-1]:.3f}, "
                      f"train acc {history.train_acc[-1]:.3f}, test acc {history.test_acc[-1]:.3f}, "
                      f"{history.examples_per_sec[-1]:.1f} examples/sec on {device}")
            if bar is not None:
                bar.set_postfix(loss=f"{history.train_loss[-1]:.3f}", test_acc=f"{history.test_acc[-1]:.3f}")
            if plot is not None:
                plot.update(history, num_epochs)
    finally:
        torch.backends.cudnn.benchmark = benchmark
        if bar is not None:
            bar.close()
    return history
