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
import json
import shlex
import sys
import tempfile
import time
from pathlib import Path

import torch
from torch import nn

from cnnguide import data, models, train
from cnnguide.train import blog_loop


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
        train_iter, test_iter = blog_loop.blog_data_loaders(
            args.batch_size, args.resize, scratch=scratch, train_size=args.train_size, test_size=args.test_size)
        setup = time.perf_counter() - tic
        n = len(train_iter.dataset)
        tic = time.perf_counter()
        history = blog_loop.train_ch6(build(args), train_iter, test_iter, args.epochs, args.lr, device)
        if device.type == "cuda":
            torch.cuda.synchronize()
        seconds = time.perf_counter() - tic
    return {"loop": "blog (d2l train_ch6, DataLoader x4 workers)", "setup_seconds": setup,
            "train_seconds": seconds, "examples_per_sec": args.epochs * n / seconds,
            "train_loss": history.train_loss[-1], "train_acc": history.train_acc[-1],
            "test_acc": history.test_acc[-1],
            "own_timer_examples_per_sec": history.metadata["own_timer_examples_per_sec"]}


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
