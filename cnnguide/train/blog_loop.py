"""The blog's training loop, d2l's ``train_ch6``, kept as the blog runs it: the baseline.

Nothing here is for teaching or for real training; :func:`cnnguide.train.fit`
is. This module exists so that the claims made about ``fit`` are measured
against the real thing, in one place:

* ``scripts/bench.py`` times both loops on the same network, one after the other;
* ``scripts/reproduce.py --loop blog`` runs the book's recipes through it, for
  the results page's wall-time goal;
* the tests check that ``fit`` computes bit for bit the weights this loop computes.

What makes it slow is kept on purpose: images decoded one at a time by
torchvision's ``FashionMNIST`` dataset and ``ToTensor`` in ``DataLoader``
workers, and a ``float()`` of the loss and the accuracy after every batch (d2l's
``Accumulator``), each of which makes the host wait for the device. The one
addition is bookkeeping: each epoch's numbers go into a
:class:`~cnnguide.train.History`, measured on the wall clock like ``fit``'s.
"""

from __future__ import annotations

import gzip
import time
import warnings
from pathlib import Path

import torch
from torch import nn
from torch.utils import data as tud

from .. import data
from .history import History, run_metadata

__all__ = ["Accumulator", "accuracy", "blog_data_loaders", "evaluate_accuracy_gpu", "train_ch6"]


class Accumulator:
    """d2l's: sums ``n`` running totals as Python floats (so each ``add`` syncs).

    Examples
    --------
    >>> metric = Accumulator(2)
    >>> metric.add(1, 2); metric.add(3, torch.tensor(4.0))
    >>> metric[0], metric[1]
    (4.0, 6.0)
    """

    def __init__(self, n: int):
        self.data = [0.0] * n

    def add(self, *args) -> None:
        self.data = [a + float(b) for a, b in zip(self.data, args)]

    def __getitem__(self, idx):
        return self.data[idx]


def accuracy(y_hat: torch.Tensor, y: torch.Tensor) -> float:
    """d2l's: the number of correct predictions, as a Python float.

    Examples
    --------
    >>> accuracy(torch.tensor([[0.1, 0.9], [0.8, 0.2]]), torch.tensor([1, 1]))
    1.0
    """
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())


def evaluate_accuracy_gpu(net: nn.Module, data_iter, device=None) -> float:
    """d2l's: accuracy over ``data_iter``, with a host sync per batch."""
    if isinstance(net, nn.Module):
        net.eval()
        if not device:
            device = next(iter(net.parameters())).device
    metric = Accumulator(2)
    with torch.no_grad():
        for X, y in data_iter:
            X, y = X.to(device), y.to(device)
            metric.add(accuracy(net(X), y), y.numel())
    return metric[0] / metric[1]


def train_ch6(net: nn.Module, train_iter, test_iter, num_epochs: int, lr: float, device) -> History:
    """d2l's ``train_ch6``: Xavier weights, SGD, cross-entropy, a host sync per batch.

    The caller seeds torch's generator, as the blog does implicitly. The
    ``History``'s ``examples_per_sec`` is wall-clock time of each training pass,
    data loading included (as for :func:`~cnnguide.train.fit`); the figure the
    blog prints, from d2l's own ``Timer`` that stops while waiting for data, is
    kept as ``metadata["own_timer_examples_per_sec"]``.
    """

    def init_weights(m):
        if type(m) == nn.Linear or type(m) == nn.Conv2d:  # noqa: E721 -- the blog's test, kept
            nn.init.xavier_uniform_(m.weight)

    device = torch.device(device)
    net.apply(init_weights)
    net.to(device)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    loss = nn.CrossEntropyLoss()
    history = History(metadata={**run_metadata(device), "loop": "blog (d2l train_ch6)"})
    timed_seconds = timed_examples = 0.0
    for epoch in range(num_epochs):
        tic = time.perf_counter()
        metric = Accumulator(3)  # training loss sum, correct predictions, examples
        net.train()
        for X, y in train_iter:
            batch_tic = time.perf_counter()  # d2l's timer.start()
            optimizer.zero_grad()
            X, y = X.to(device), y.to(device)
            y_hat = net(X)
            l = loss(y_hat, y)  # noqa: E741 -- the blog's name
            l.backward()
            optimizer.step()
            with torch.no_grad():
                metric.add(l * X.shape[0], accuracy(y_hat, y), X.shape[0])
            timed_seconds += time.perf_counter() - batch_tic  # d2l's timer.stop()
        train_seconds = time.perf_counter() - tic
        timed_examples += metric[2]
        test_acc = evaluate_accuracy_gpu(net, test_iter)
        history.append(metric[0] / metric[2], metric[1] / metric[2], test_acc,
                       metric[2] / train_seconds, time.perf_counter() - tic)
    history.metadata["own_timer_examples_per_sec"] = timed_examples / timed_seconds
    return history


def blog_data_loaders(batch_size: int, resize=None, *, scratch, root=None, train_size=None,
                      test_size=None, num_workers: int = 4):
    """d2l's ``load_data_fashion_mnist``, reading this machine's verified files.

    torchvision's ``FashionMNIST`` wants the decompressed IDX files under
    ``<scratch>/FashionMNIST/raw``; they are written there after
    :func:`cnnguide.data.read_fashion_mnist` has verified them. ``scratch`` must
    outlive the loaders (use a temporary directory around the training).

    Parameters
    ----------
    batch_size : int
    resize : int, optional
        ``transforms.Resize(resize)`` before ``ToTensor``, as in d2l.
    scratch : path
        An empty directory for the decompressed files.
    root : path, optional
        Where the ``.gz`` files are (see :func:`cnnguide.data.find_fashion_mnist`).
    train_size, test_size : int, optional
        Use only the first examples (smoke tests).
    num_workers : int
        d2l asks for 4 whatever the machine.
    """
    import torchvision
    from torchvision import transforms

    raw = Path(scratch) / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    folder = data.find_fashion_mnist(root)
    for split in ("train", "test"):
        data.read_fashion_mnist(split, folder)  # verify before use
    for gz in sorted(folder.glob("*-ubyte.gz")):
        (raw / gz.name.removesuffix(".gz")).write_bytes(gzip.decompress(gz.read_bytes()))
    steps = [transforms.ToTensor()]
    if resize:
        steps.insert(0, transforms.Resize(resize))
    transform = transforms.Compose(steps)
    # PyTorch warns when 4 workers exceed the cores; the setting is the blog's, keep the output readable.
    warnings.filterwarnings("ignore", message="This DataLoader will create")
    sets = [torchvision.datasets.FashionMNIST(root=str(scratch), train=is_train, transform=transform)
            for is_train in (True, False)]
    for i, size in enumerate((train_size, test_size)):
        if size:
            sets[i] = tud.Subset(sets[i], range(size))
    return (tud.DataLoader(sets[0], batch_size, shuffle=True, num_workers=num_workers),
            tud.DataLoader(sets[1], batch_size, shuffle=False, num_workers=num_workers))
