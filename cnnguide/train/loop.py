"""The training loop: d2l's ``train_ch6`` semantics, without its stalls.

d2l's loop calls ``float()`` on the loss and the accuracy after every batch.
Each call makes the CPU wait until the GPU has finished that batch, so the GPU
idles while Python prepares the next one. Here the loss sum, the number of
correct predictions and the index of the first non-finite loss stay on the
device as tensors, and are read once per epoch, plus at the few points within
it that the training curves show. On CUDA the loop also uses bf16 autocast,
channels-last tensors and cuDNN's autotuner.

Everything else a run may do -- print a line per epoch, save checkpoints, redraw
a plot -- is a callback (:mod:`cnnguide.train.callbacks`), so :func:`fit` is the
loop and nothing more. Its defaults are the book's recipe (plain SGD, a constant
learning rate, cross-entropy, no augmentation); ``optimizer=``, ``scheduler=``,
``loss_fn=``, ``augment=`` and ``evaluate=`` swap those pieces for others,
as the modern recipe does (:mod:`cnnguide.train.modern`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import torch
from torch import nn

from ..devices import autocast, batches_on, try_gpu
from .callbacks import HOOKS, Callback, SaveCheckpoint
from .distributed import DistributedRun, loss_weight, sharded
from .evaluation import accuracy_counts, evaluate_accuracy
from .history import History, run_metadata
from .progress import progress_bar
from .sums import NO_BAD_BATCH, EpochSums, NonFiniteLossError

__all__ = ["NonFiniteLossError", "evaluate_accuracy", "fit", "try_gpu"]

def _check_reiterable(name: str, data_iter) -> None:
    # Not iter(data_iter) is data_iter: that would start a DataLoader's workers.
    if isinstance(data_iter, Iterator):
        raise ValueError(
            f"{name} must be re-iterable (a list, a DataLoader, load_fashion_mnist's batches), "
            f"got a one-shot iterator of type {type(data_iter).__name__}")


def _xavier(module: nn.Module) -> None:
    # Reset first, so that the biases (PyTorch's default init, as in d2l) also
    # come from `seed` rather than from the generator's state when the model was built.
    if hasattr(module, "reset_parameters"):
        module.reset_parameters()
    if isinstance(module, (nn.Linear, nn.Conv2d)):
        nn.init.xavier_uniform_(module.weight)


def _initialise(net: nn.Module, init, seed: int | None) -> None:
    if seed is not None:
        torch.manual_seed(seed)
    if init == "xavier":
        net.apply(_xavier)
    elif callable(init):
        net.apply(init)
    elif init is not None:
        raise ValueError(f"init must be 'xavier', None or a callable, got {init!r}")


def _point_batches(num_batches: int | None, points_per_epoch: int) -> set[int]:
    """The batch counts, from 1, after which a point is recorded: evenly spaced, the
    last at the epoch's end (just the end when the number of batches is unknown).

    >>> sorted(_point_batches(235, 5)), sorted(_point_batches(3, 5)), _point_batches(None, 5)
    ([47, 94, 141, 188, 235], [1, 2, 3], set())
    """
    if not num_batches or not points_per_epoch:
        return set()
    return {-(-k * num_batches // points_per_epoch) for k in range(1, points_per_epoch + 1)}


def _check_callbacks(callbacks) -> list:
    if any(hasattr(callbacks, hook) for hook in HOOKS):
        raise ValueError(f"callbacks must be a list of callbacks, got one {type(callbacks).__name__}; "
                         "pass callbacks=[...]")
    callbacks = list(callbacks)
    for i, callback in enumerate(callbacks):
        if isinstance(callback, type):
            raise ValueError(f"callbacks[{i}] is the class {callback.__name__}; pass an instance, "
                             f"{callback.__name__}(...)")
        if not any(callable(getattr(callback, hook, None)) for hook in HOOKS):
            raise ValueError(f"callbacks[{i}] ({type(callback).__name__}) has none of the methods "
                             f"{', '.join(HOOKS)}")
    return callbacks


def fit(net: nn.Module, train_iter, test_iter, num_epochs: int, lr: float, device=None, *,
        init="xavier", momentum: float = 0.0, weight_decay: float = 0.0, seed: int | None = None,
        amp=None, channels_last: bool | None = None, compile: bool = False,
        points_per_epoch: int = 5, callbacks=(), progress: bool | None = None,
        checkpoint_dir=None, resume: bool = False, optimizer=None, scheduler=None,
        loss_fn=None, augment=None, evaluate=None, sync_batchnorm: bool = False) -> History:
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
    points_per_epoch : int
        How many points of the training curves to record within each epoch,
        at evenly spaced batches, the last at the epoch's end (as d2l's
        animator, which draws 5): the loss and accuracy averaged over the
        epoch's batches so far, in :attr:`History.point_epoch` and its
        companions. Each point reads the device once; 0 records none. When
        ``train_iter`` has no ``len``, only the epoch's end is recorded.
    callbacks : sequence of callbacks
        Called around the loop, in order (see :mod:`cnnguide.train.callbacks`):
        e.g. :class:`~cnnguide.train.PrintEpochs` prints one line per epoch,
        :class:`cnnguide.figures.LivePlot` redraws the curves in a notebook.
    progress : bool, optional
        A tqdm bar; ``None`` shows it only when stderr is a terminal and ``CI``
        is unset, so site builds and CI logs stay clean.
    checkpoint_dir : path-like, optional
        Save weights, optimizer, random generators and history there after
        every epoch (a :class:`~cnnguide.train.SaveCheckpoint` run before the
        other callbacks).
    resume : bool
        Continue from the checkpoint in ``checkpoint_dir`` if there is one
        (otherwise start afresh); its hyper-parameters must match.
    optimizer : callable, optional
        ``optimizer(net)`` returns the optimizer, built once ``net`` is
        initialised and on ``device`` (e.g. :func:`cnnguide.train.optim.make_optimizer`);
        default :class:`torch.optim.SGD` with ``lr``, ``momentum`` and ``weight_decay``,
        which must then keep their defaults.
    scheduler : callable, optional
        ``scheduler(optimizer, total_steps)`` returns a learning-rate scheduler,
        stepped after every optimizer step (``total_steps`` = epochs x batches;
        needs a ``train_iter`` with ``len``). A run with one cannot be resumed.
    loss_fn : callable, optional
        ``loss_fn(logits, y)``, the mean loss of a batch; default
        :class:`torch.nn.CrossEntropyLoss` (e.g. ``nn.CrossEntropyLoss(label_smoothing=0.1)``).
    augment : callable, optional
        Applied to each training batch's ``X`` on the device, without gradients
        (e.g. :class:`cnnguide.train.augment.BatchAugment`); the test batches are left alone.
    evaluate : callable, optional
        Returns the network whose test accuracy is recorded after each epoch
        (e.g. :meth:`cnnguide.train.weights.EMA.averaged`); default the one trained.
    sync_batchnorm : bool
        Under ``torchrun``: convert batch-norm layers to :class:`torch.nn.SyncBatchNorm`,
        so their statistics are those of the global batch (otherwise each rank
        normalises by its own slice's). Ignored in a world of one; needs GPUs
        (torch's SyncBatchNorm takes CUDA or XPU tensors: a ``ValueError`` otherwise).

    Notes
    -----
    Under ``torchrun`` (``WORLD_SIZE`` > 1 in the environment, see
    :mod:`cnnguide.train.distributed`) the network is wrapped in DDP, each rank
    trains on its slice of every global batch (the batches of ``train_iter``,
    which must be the same on every rank), the losses and accuracies are summed
    over ranks, so every rank's history is the global one, and only rank 0 runs
    the callbacks, saves checkpoints and shows progress.

    Returns
    -------
    History
        Per-epoch ``train_loss``, ``train_acc``, ``test_acc``,
        ``examples_per_sec``, ``epoch_seconds``; the points within epochs;
        ``metadata`` has the device, versions, date and hyper-parameters.

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
    >>> history.point_epoch[:5]  # 4 batches an epoch: a point after each
    [0.25, 0.5, 0.75, 1.0, 1.25]
    """
    if isinstance(num_epochs, bool) or not isinstance(num_epochs, int) or num_epochs < 0:
        raise ValueError(f"num_epochs must be a non-negative integer, got {num_epochs!r}")
    if not lr > 0:
        raise ValueError(f"lr must be positive, got {lr!r}")
    if isinstance(points_per_epoch, bool) or not isinstance(points_per_epoch, int) or points_per_epoch < 0:
        raise ValueError(f"points_per_epoch must be a non-negative integer, got {points_per_epoch!r}")
    if resume and checkpoint_dir is None:
        raise ValueError("resume=True needs a checkpoint_dir")
    if resume and scheduler is not None:
        raise ValueError("a run with a scheduler cannot be resumed: the checkpoint does not hold its state")
    if optimizer is not None and (momentum or weight_decay):
        raise ValueError("momentum and weight_decay configure fit's default SGD; with optimizer=..., "
                         "give them to the optimizer instead")
    for name, value in (("optimizer", optimizer), ("scheduler", scheduler), ("loss_fn", loss_fn),
                        ("augment", augment), ("evaluate", evaluate)):
        if value is not None and not callable(value):
            raise ValueError(f"{name} must be callable, got {type(value).__name__}")
    if scheduler is not None and not hasattr(train_iter, "__len__"):
        raise ValueError("a scheduler needs the number of steps: train_iter must have a len")
    _check_reiterable("train_iter", train_iter)
    _check_reiterable("test_iter", test_iter)
    callbacks = _check_callbacks(callbacks)
    device = try_gpu() if device is None else torch.device(device)
    if device.type == "cuda" and int(os.environ.get("WORLD_SIZE", "1")) > 1 and not device.index:
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))  # one GPU per process
    if channels_last is None:
        channels_last = device.type == "cuda"
    run = DistributedRun(device)
    try:
        return _fit(net, train_iter, test_iter, num_epochs, lr, device, run, init=init, momentum=momentum,
                    weight_decay=weight_decay, seed=seed, amp=amp, channels_last=channels_last,
                    compile=compile, points_per_epoch=points_per_epoch, callbacks=callbacks,
                    progress=progress, checkpoint_dir=checkpoint_dir, resume=resume, optimizer=optimizer,
                    scheduler=scheduler, loss_fn=loss_fn, augment=augment, evaluate=evaluate,
                    sync_batchnorm=sync_batchnorm)
    finally:
        run.close()


def _fit(net, train_iter, test_iter, num_epochs, lr, device, run, *, init, momentum, weight_decay, seed,
         amp, channels_last, compile, points_per_epoch, callbacks, progress, checkpoint_dir, resume,
         optimizer, scheduler, loss_fn, augment, evaluate, sync_batchnorm) -> History:
    if not run.is_main:  # rank 0 alone prints, plots and writes
        callbacks, progress = [c for c in callbacks if getattr(c, "on_every_rank", False)], False
    _initialise(net, init, seed)
    if run.active and sync_batchnorm:
        if device.type not in ("cuda", "xpu"):  # torch's own limit, found otherwise only at the first batch
            raise ValueError(f"sync_batchnorm needs GPUs: torch's SyncBatchNorm takes CUDA or XPU tensors, "
                             f"and this run is on {device.type}")
        net = nn.SyncBatchNorm.convert_sync_batchnorm(net)
    net.to(device)
    if channels_last:
        net.to(memory_format=torch.channels_last)
    if optimizer is None:
        optimizer = torch.optim.SGD(net.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay)
    else:
        optimizer = optimizer(net)
    schedule = None if scheduler is None else scheduler(optimizer, num_epochs * len(train_iter))
    history = History(metadata={
        **run_metadata(device), "model": type(net).__name__, "lr": lr, "momentum": momentum,
        "weight_decay": weight_decay, "num_epochs": num_epochs, "optimizer": type(optimizer).__name__,
        **({"scheduler": type(schedule).__name__} if schedule is not None else {}),
        "batch_size": getattr(train_iter, "batch_size", None), "seed": seed,
        "amp": str(amp) if amp is not None else ("torch.bfloat16" if device.type == "cuda" else None),
        "channels_last": channels_last, "compile": compile, "points_per_epoch": points_per_epoch,
        "world_size": run.world_size})
    start = 0
    if checkpoint_dir is not None:
        saver = SaveCheckpoint(checkpoint_dir)
        if run.is_main:
            callbacks.insert(0, saver)  # first, so an epoch is saved even if a later callback fails
        restored = saver.restore(net, optimizer) if resume else None  # every rank reads it
        if restored is not None:
            start, history = restored
            history.metadata["num_epochs"] = num_epochs

    # Each callback's hooks, less the base class's do-nothing ones (on_batch_end runs on every batch).
    hooks = {hook: [getattr(c, hook) for c in callbacks if callable(getattr(c, hook, None))
                    and getattr(type(c), hook, None) is not getattr(Callback, hook)] for hook in HOOKS}

    def notify(hook: str, epoch: int, **batch) -> None:
        for method in hooks[hook]:
            method(history, epoch=epoch, **batch, num_epochs=num_epochs, net=net, optimizer=optimizer)

    model = net
    if run.active:
        from torch.nn.parallel import DistributedDataParallel

        model = DistributedDataParallel(net, device_ids=[device.index] if device.type == "cuda" else None)
    model = torch.compile(model) if compile else model
    loss_fn = nn.CrossEntropyLoss() if loss_fn is None else loss_fn
    num_batches = len(train_iter) if hasattr(train_iter, "__len__") else None
    points = _point_batches(num_batches, points_per_epoch)
    bar = progress_bar(progress, (num_epochs - start) * num_batches if num_batches is not None else None)
    benchmark = torch.backends.cudnn.benchmark
    torch.backends.cudnn.benchmark = device.type == "cuda" or benchmark
    try:
        notify("on_train_begin", start)
        for epoch in range(start, num_epochs):
            tic = time.perf_counter()
            if hasattr(train_iter, "set_epoch"):
                train_iter.set_epoch(epoch)
            bar.set_description(f"epoch {epoch + 1}/{num_epochs}")
            model.train()
            sums = EpochSums(device)
            seen = 0  # examples of the global batches, on all ranks together
            for i, (X, y, n) in enumerate(_on_device(sharded(train_iter, run), device, channels_last)):
                if augment is not None:
                    with torch.no_grad():
                        X = augment(X)
                    if channels_last:
                        X = X.contiguous(memory_format=torch.channels_last)
                optimizer.zero_grad(set_to_none=True)
                with autocast(device, amp):
                    y_hat = model(X)
                    loss = loss_fn(y_hat, y)
                # Under DDP, the weight makes the ranks' averaged gradient the global batch's mean.
                (loss * loss_weight(y.shape[0], n, run.world_size) if run.active else loss).backward()
                optimizer.step()
                if schedule is not None:
                    schedule.step()
                seen += n
                sums.add(epoch + 1, i, loss, y_hat, y)  # on the device: no waiting for the GPU
                if i + 1 in points and i + 1 < num_batches:  # the last point comes with the epoch's end
                    history.append_point(epoch + (i + 1) / num_batches, *sums.means(run)[:2])
                notify("on_batch_end", epoch + 1, batch=i)
                bar.update()
            if sums.examples == 0:
                raise ValueError("train_iter yielded no batches")
            train_loss, train_acc, bad = sums.means(run)  # waits for the GPU, as each point did
            train_seconds = time.perf_counter() - tic
            if bad < NO_BAD_BATCH:
                raise NonFiniteLossError(epoch + 1, int(bad))
            if points_per_epoch:
                history.append_point(epoch + 1, train_loss, train_acc)
            judged = model if evaluate is None else evaluate()
            test_correct, test_total = accuracy_counts(judged, test_iter, device, amp, channels_last, run)
            if test_total == 0:
                raise ValueError("test_iter yielded no examples")
            history.append(train_loss, train_acc, test_correct / test_total,
                           seen / train_seconds, time.perf_counter() - tic)
            bar.set_postfix(loss=f"{train_loss:.3f}", test_acc=f"{history.test_acc[-1]:.3f}")
            notify("on_epoch_end", epoch + 1)
        notify("on_train_end", num_epochs)
    finally:
        torch.backends.cudnn.benchmark = benchmark
        bar.close()
    return history


def _on_device(batches, device, channels_last):
    """:func:`batches_on` for ``(X, y, global batch size)`` triples."""
    for X, y, n in batches:
        (X, y), = batches_on([(X, y)], device, channels_last)
        yield X, y, n
