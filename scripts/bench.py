#!/usr/bin/env python
"""Benchmark: the blog's training loop against ``cnnguide.train.fit``.

Both loops train the same network (fresh copies, same seed, Xavier init) with
the same hyper-parameters on the same device, one after the other in this
process, on the same Fashion-MNIST files:

* **blog** -- d2l's ``train_ch6`` as the blog prints it: torchvision's
  ``FashionMNIST`` dataset with ``ToTensor`` (and ``Resize``) per image, a
  ``DataLoader`` with 4 worker processes, a ``float()`` host sync per batch
  through its ``Accumulator``, ``evaluate_accuracy_gpu`` after each epoch.
* **cnnguide** -- :func:`cnnguide.data.load_fashion_mnist` (the set kept as one
  uint8 tensor on the device) and :func:`cnnguide.train.fit` (no per-batch sync;
  bf16 autocast and channels-last on CUDA).

Throughput is measured the same way for both: training examples
(epochs x 60,000) divided by the wall-clock time of the whole training call,
data loading and the per-epoch test evaluation included.

    python scripts/bench.py                         # LeNet, 2 epochs, lr 0.9, batch 256
    python scripts/bench.py --model resnet18 --resize 96 --lr 0.05 --device cuda --json bench.json
"""

from __future__ import annotations

import argparse
import gzip
import json
import shlex
import sys
import tempfile
import time
import warnings
from pathlib import Path

import torch
import torchvision
from torch import nn
from torch.utils import data as tud
from torchvision import transforms

from cnnguide import data, models, train

# --- The blog's loop (d2l's train_ch6), kept as written there. The Animator is
#     left out: it only draws, and drawing would be charged to the blog's time.


class Accumulator:
    """d2l's: sums ``n`` Python floats."""

    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *args):
        self.data = [a + float(b) for a, b in zip(self.data, args)]

    def __getitem__(self, idx):
        return self.data[idx]


class Timer:
    """d2l's: sums the intervals between start() and stop()."""

    def __init__(self):
        self.times = []

    def start(self):
        self.tik = time.time()

    def stop(self):
        self.times.append(time.time() - self.tik)
        return self.times[-1]

    def sum(self):
        return sum(self.times)


def accuracy(y_hat, y):
    """d2l's: number of correct predictions (a tensor; ``float()`` syncs)."""
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())


def evaluate_accuracy_gpu(net, data_iter, device=None):
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


def train_ch6(net, train_iter, test_iter, num_epochs, lr, device):
    def init_weights(m):
        if type(m) == nn.Linear or type(m) == nn.Conv2d:
            nn.init.xavier_uniform_(m.weight)

    net.apply(init_weights)
    net.to(device)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    loss = nn.CrossEntropyLoss()
    timer = Timer()
    for epoch in range(num_epochs):
        metric = Accumulator(3)
        net.train()
        for i, (X, y) in enumerate(train_iter):
            timer.start()
            optimizer.zero_grad()
            X, y = X.to(device), y.to(device)
            y_hat = net(X)
            l = loss(y_hat, y)
            l.backward()
            optimizer.step()
            with torch.no_grad():
                metric.add(l * X.shape[0], accuracy(y_hat, y), X.shape[0])
            timer.stop()
            train_l, train_acc = metric[0] / metric[2], metric[1] / metric[2]
        test_acc = evaluate_accuracy_gpu(net, test_iter)
    return {"train_loss": train_l, "train_acc": train_acc, "test_acc": test_acc,
            "own_timer_examples_per_sec": metric[2] * num_epochs / timer.sum()}


def blog_data(batch_size, resize, scratch: Path, train_size=None, test_size=None):
    """d2l's load_data_fashion_mnist on our verified files (laid out as torchvision wants)."""
    raw = scratch / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    folder = data.find_fashion_mnist()
    data.read_fashion_mnist("train"), data.read_fashion_mnist("test")  # verify before use
    for gz in sorted(folder.glob("*-ubyte.gz")):
        (raw / gz.name.removesuffix(".gz")).write_bytes(gzip.decompress(gz.read_bytes()))
    trans = [transforms.ToTensor()]
    if resize:
        trans.insert(0, transforms.Resize(resize))
    trans = transforms.Compose(trans)
    # d2l asks for 4 workers whatever the machine; PyTorch warns when there are
    # fewer cores. Keep the setting (it is the blog's) and the output readable.
    warnings.filterwarnings("ignore", message="This DataLoader will create")
    sets = [torchvision.datasets.FashionMNIST(root=str(scratch), train=t, transform=trans) for t in (True, False)]
    for i, size in enumerate((train_size, test_size)):
        if size:
            sets[i] = tud.Subset(sets[i], range(size))
    return (tud.DataLoader(sets[0], batch_size, shuffle=True, num_workers=4),
            tud.DataLoader(sets[1], batch_size, shuffle=False, num_workers=4))


def build(args):
    torch.manual_seed(args.seed)
    return models.create(args.model)


def warm_up(args, device):
    """One step of each kind on a throwaway copy, so neither loop pays first-call costs."""
    net = build(args).to(device)
    size = args.resize or 28
    X = torch.rand(args.batch_size, 1, size, size, device=device)
    nn.functional.cross_entropy(net(X), torch.zeros(args.batch_size, dtype=torch.long, device=device)).backward()


def run_blog(args, device):
    with tempfile.TemporaryDirectory() as scratch:
        tic = time.perf_counter()
        train_iter, test_iter = blog_data(args.batch_size, args.resize, Path(scratch),
                                          args.train_size, args.test_size)
        setup = time.perf_counter() - tic
        n = len(train_iter.dataset)
        tic = time.perf_counter()
        result = train_ch6(build(args), train_iter, test_iter, args.epochs, args.lr, device)
        if device.type == "cuda":
            torch.cuda.synchronize()
        seconds = time.perf_counter() - tic
    return {"loop": "blog (d2l train_ch6, DataLoader x4 workers)", "setup_seconds": setup,
            "train_seconds": seconds, "examples_per_sec": args.epochs * n / seconds, **result}


def run_ours(args, device):
    tic = time.perf_counter()
    train_iter, test_iter = data.load_fashion_mnist(
        args.batch_size, resize=args.resize, device=device, train_size=args.train_size,
        test_size=args.test_size, seed=args.seed)
    setup = time.perf_counter() - tic
    n = len(train_iter.labels)
    tic = time.perf_counter()
    history = train.fit(build(args), train_iter, test_iter, args.epochs, args.lr, device,
                        compile=args.compile, progress=False)
    seconds = time.perf_counter() - tic
    return {"loop": "cnnguide.train.fit" + (" (compiled)" if args.compile else ""), "setup_seconds": setup,
            "train_seconds": seconds, "examples_per_sec": args.epochs * n / seconds,
            "train_loss": history.train_loss[-1], "train_acc": history.train_acc[-1],
            "test_acc": history.test_acc[-1]}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="lenet", choices=models.names())
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--lr", type=float, default=0.9)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--resize", type=int, default=None, help="e.g. 96 for resnet18")
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    parser.add_argument("--compile", action="store_true", help="torch.compile in cnnguide's loop")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--train-size", type=int, default=None, help="first N training examples only (smoke test)")
    parser.add_argument("--test-size", type=int, default=None, help="first N test examples only (smoke test)")
    parser.add_argument("--only", choices=["blog", "cnnguide"], help="run one loop only")
    parser.add_argument("--json", type=Path, help="write the results there")
    args = parser.parse_args(argv)
    device = train.try_gpu() if args.device == "auto" else torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda, but torch sees no GPU")

    meta = train.run_metadata(device)
    print(f"{args.model}, {args.epochs} epochs, lr {args.lr}, batch {args.batch_size}, "
          f"resize {args.resize}; {meta['device']}, torch {meta['torch']}", flush=True)
    warm_up(args, device)
    rows = []
    for name, runner in (("blog", run_blog), ("cnnguide", run_ours)):
        if args.only in (None, name):
            rows.append(runner(args, device))
            r = rows[-1]
            print(f"{r['loop']:<46} {r['examples_per_sec']:9.1f} examples/sec  "
                  f"({r['train_seconds']:.1f} s)  test acc {r['test_acc']:.3f}", flush=True)
    ratio = rows[1]["examples_per_sec"] / rows[0]["examples_per_sec"] if len(rows) == 2 else None
    if ratio is not None:
        print(f"speed-up: {ratio:.2f}x (wall clock, data and evaluation included)")
        print(f"(the blog loop's own timer, which leaves out waiting for data, "
              f"says {rows[0]['own_timer_examples_per_sec']:.1f} examples/sec)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        record = {**meta, "command": shlex.join([Path(sys.argv[0]).name, *sys.argv[1:]]),
                  "model": args.model, "epochs": args.epochs, "lr": args.lr, "batch_size": args.batch_size,
                  "resize": args.resize, "train_size": args.train_size, "test_size": args.test_size,
                  "compile": args.compile, "rows": rows, "speedup": ratio}
        args.json.write_text(json.dumps(record, indent=2) + "\n")
    return rows


if __name__ == "__main__":
    main()
