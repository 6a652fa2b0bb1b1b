#!/usr/bin/env python
"""Train the GAN chapters' judge and write the weights shipped in the package.

::

    OMP_NUM_THREADS=1 python scripts/train_judge.py            # rewrites cnnguide/gan/judge_weights.*
    python scripts/train_judge.py --out /tmp/judge --epochs 1 --train-size 2000   # a quick look

Trains :class:`cnnguide.gan.judge.JudgeNet` on the 60,000 Fashion-MNIST
training images (no augmentation) with Adam and a cosine learning-rate decay,
from a fixed seed, on the CPU by default: with one thread the run is
deterministic, so the same command gives the same weights. It writes

- ``judge_weights.safetensors`` -- the state dict, float32;
- ``judge_weights.json`` -- the accuracy on the 10,000 test images, the
  per-epoch log, the seconds it took, date, torch version, the exact command
  and the SHA-256 of the weights file.

The package reads these two files (:func:`cnnguide.gan.judge.judge`); it never
trains the judge itself, so CI and the site build never run this script.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import shlex
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run from a checkout without installing the package
    sys.path.insert(0, str(REPO))

from cnnguide import data  # noqa: E402
from cnnguide.gan.judge import MANIFEST_FILE, WEIGHTS_FILE, JudgeNet  # noqa: E402
from cnnguide.train import evaluate_accuracy, run_metadata  # noqa: E402

DEFAULT_OUT = REPO / "cnnguide" / "gan"
DEFAULTS = {"epochs": 6, "batch_size": 128, "lr": 2e-3, "seed": 0}


def train_judge(out_dir=DEFAULT_OUT, *, epochs: int = DEFAULTS["epochs"],
                batch_size: int = DEFAULTS["batch_size"], lr: float = DEFAULTS["lr"],
                seed: int = DEFAULTS["seed"], train_size: int | None = None,
                test_size: int | None = None, device="cpu", command: str | None = None,
                log=print) -> dict:
    """Train a :class:`JudgeNet` from ``seed`` and write its weights and manifest into ``out_dir``.

    Parameters
    ----------
    out_dir : path-like
        Folder for ``judge_weights.safetensors`` and ``judge_weights.json``
        (created if missing; existing files are replaced).
    epochs, batch_size, lr, seed
        The recipe: Adam at ``lr`` decayed to 0 along a cosine over all steps.
    train_size, test_size : int, optional
        Use only the first examples of each split (for a smoke run).
    device : torch.device or str
    command : str, optional
        Recorded in the manifest; defaults to this process's command line.
    log : callable
        Receives one line per epoch.

    Returns
    -------
    dict
        The manifest that was written.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    out_dir = Path(out_dir)
    device = torch.device(device)
    start = time.perf_counter()
    torch.manual_seed(seed)
    train_iter, test_iter = data.load_fashion_mnist(
        batch_size, device=device, train_size=train_size, test_size=test_size, seed=seed)
    net = JudgeNet().to(device)
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs * len(train_iter))
    log_rows = []
    for epoch in range(epochs):
        net.train()
        loss_sum = torch.zeros((), device=device)
        seen = 0
        for X, y in train_iter:
            loss = F.cross_entropy(net(X), y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            loss_sum += loss.detach() * len(y)
            seen += len(y)
        loss = float(loss_sum) / seen
        if not math.isfinite(loss):
            raise RuntimeError(f"training diverged: mean loss {loss} in epoch {epoch + 1}")
        accuracy = evaluate_accuracy(net, test_iter, amp=False)
        seconds = time.perf_counter() - start
        log_rows.append({"epoch": epoch + 1, "train_loss": round(loss, 5),
                         "test_accuracy": accuracy, "seconds": round(seconds, 1)})
        log(f"epoch {epoch + 1}/{epochs}  loss {loss:.4f}  test accuracy {accuracy:.4f}  ({seconds:.0f} s)")
    seconds = time.perf_counter() - start

    out_dir.mkdir(parents=True, exist_ok=True)
    weights = out_dir / WEIGHTS_FILE
    state = {name: tensor.detach().cpu().contiguous() for name, tensor in net.state_dict().items()}
    save_file(state, str(weights))
    meta = run_metadata(device)
    manifest = {
        "model": "cnnguide.gan.judge.JudgeNet",
        "test_accuracy": log_rows[-1]["test_accuracy"],
        "test_images": len(test_iter.labels),
        "train_images": len(train_iter.labels),
        "seconds": round(seconds, 1),
        "recipe": {"epochs": epochs, "batch_size": batch_size, "optimizer": "Adam", "lr": lr,
                   "schedule": "cosine to 0, per step", "augmentation": None, "seed": seed},
        "parameters": sum(p.numel() for p in net.parameters()),
        "epochs": log_rows,
        "command": command if command is not None else shlex.join([sys.executable, *sys.argv]),
        **meta,
        "sha256": hashlib.sha256(weights.read_bytes()).hexdigest(),
    }
    (out_dir / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n")
    log(f"test accuracy {manifest['test_accuracy']:.4f} after {seconds:.0f} s; wrote {weights} "
        f"({weights.stat().st_size / 1e6:.2f} MB) and {MANIFEST_FILE}")
    return manifest


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(prog="train_judge.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"output folder (default: {DEFAULT_OUT.relative_to(REPO)}, the shipped weights)")
    parser.add_argument("--epochs", type=int, default=DEFAULTS["epochs"])
    parser.add_argument("--batch-size", type=int, default=DEFAULTS["batch_size"])
    parser.add_argument("--lr", type=float, default=DEFAULTS["lr"])
    parser.add_argument("--seed", type=int, default=DEFAULTS["seed"])
    parser.add_argument("--train-size", type=int, help="use only the first N training images")
    parser.add_argument("--test-size", type=int, help="use only the first N test images")
    parser.add_argument("--device", default="cpu", help="torch device (default: cpu, reproducible)")
    args = parser.parse_args(argv)
    shipped = args.out.resolve() == DEFAULT_OUT.resolve()
    if shipped and (args.train_size or args.test_size):
        parser.error("--train-size/--test-size would overwrite the shipped weights with a partial run; "
                     "pass --out too")
    # The thread count is part of the command: it changes the float sums, so the weights.
    threads = [f"OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}"] if "OMP_NUM_THREADS" in os.environ else []
    command = shlex.join([*threads, "python", "scripts/train_judge.py",
                          *(sys.argv[1:] if argv is None else argv)])
    return train_judge(args.out, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                       seed=args.seed, train_size=args.train_size, test_size=args.test_size,
                       device=args.device, command=command)


if __name__ == "__main__":
    main()
