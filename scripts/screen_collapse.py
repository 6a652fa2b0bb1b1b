#!/usr/bin/env python
"""Which short Fashion-MNIST DCGAN narrows its output, and which remedy widens it again?

Trains chapter 20's small DCGAN (generator width 16, 600 steps of 64 from
12,800 images, DCGAN's Adam settings) in games meant to make it collapse --
a discriminator of width 4 or 2 against the generator's 16, a discriminator
that learns 5× faster (or a generator that does), no batch norm in the
generator (the DCGAN paper credits batch norm with preventing collapse), the
saturating loss -- each alone and with the remedies of ``cnnguide.gan.remedies``
(minibatch standard deviation, packing, spectral normalisation). Each run is
measured on 2,000 samples against 2,000 test images: the entropy of the
judge's class histogram (ln 10 ≈ 2.30 for equal classes), the largest class's
share, the judge's precision and recall.

    python scripts/screen_collapse.py                                  # every game, seed 0
    python scripts/screen_collapse.py --only "small D" "small D + minibatch std" --seeds 0 1 2

Chapter 20 shows the game whose generator still draws garments, narrows, and
has a remedy that helps in every seed (2026-12-07: "small D" and "small D +
minibatch std"). Run it on a quiet machine; ``--threads`` defaults to 1.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cnnguide.data import load_fashion_mnist, read_fashion_mnist  # noqa: E402
from cnnguide.gan import DCGANDiscriminator, DCGANGenerator, fit_gan, judge_diversity  # noqa: E402

# name -> how the game differs from chapter 20's DCGAN. d_width: the discriminator's width (the
# generator's is 16); d: remedies of the discriminator; no_bn: the generator without batch norm.
GAMES = {
    "DCGAN": {},
    "small D": dict(d_width=4),
    "small D + minibatch std": dict(d_width=4, d=dict(minibatch_std=True)),
    "small D + pack 2": dict(d_width=4, d=dict(pack=2)),
    "tiny D": dict(d_width=2),
    "tiny D + minibatch std": dict(d_width=2, d=dict(minibatch_std=True)),
    "tiny D + pack 2": dict(d_width=2, d=dict(pack=2)),
    "D lr 5x": dict(lr_g=2e-4, lr_d=1e-3),
    "D lr 5x + minibatch std": dict(lr_g=2e-4, lr_d=1e-3, d=dict(minibatch_std=True)),
    "D lr 5x + pack 2": dict(lr_g=2e-4, lr_d=1e-3, d=dict(pack=2)),
    "G lr 5x": dict(lr_g=1e-3, lr_d=2e-4),
    "G lr 5x + minibatch std": dict(lr_g=1e-3, lr_d=2e-4, d=dict(minibatch_std=True)),
    "G without BN": dict(no_bn=True),
    "G without BN + minibatch std": dict(no_bn=True, d=dict(minibatch_std=True)),
    "G without BN + pack 2": dict(no_bn=True, d=dict(pack=2)),
    "G without BN + spectral norm": dict(no_bn=True, d=dict(spectral_norm=True)),
    "saturating loss": dict(loss="saturating"),
    "saturating loss + minibatch std": dict(loss="saturating", d=dict(minibatch_std=True)),
    "saturating loss + pack 2": dict(loss="saturating", d=dict(pack=2)),
}


def without_batch_norm(net: nn.Module) -> nn.Module:
    """``net`` with every BatchNorm2d replaced by the identity (a screen variant, not a library option)."""
    for module in list(net.modules()):
        for name, child in list(module.named_children()):
            if isinstance(child, nn.BatchNorm2d):
                setattr(module, name, nn.Identity())
    return net


def run(game: dict, seed: int, data, real: torch.Tensor, steps: int) -> dict:
    generator = DCGANGenerator(width=16)
    if game.get("no_bn"):
        without_batch_norm(generator)
    discriminator = DCGANDiscriminator(width=game.get("d_width", 16), **game.get("d", {}))
    tic = time.perf_counter()
    fit_gan(generator, discriminator, data, steps=steps, scale_to_tanh=True, seed=seed, device="cpu",
            sample_every=steps, num_samples=16, log_every=50, lr_g=game.get("lr_g"), lr_d=game.get("lr_d"),
            loss=game.get("loss", "bce"), progress=False)
    seconds = time.perf_counter() - tic
    # the same 2,000 noise vectors (seed 1) as chapter 20 measures with
    return dict(judge_diversity(generator, real, n=2000, seed=1)._asdict(), seconds=seconds)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", metavar="GAME", help="games to run (default: all)")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    unknown = [g for g in args.only or [] if g not in GAMES]
    if unknown:
        parser.error(f"unknown game(s) {unknown}; known: {', '.join(GAMES)}")
    torch.set_num_threads(args.threads)
    data, _ = load_fashion_mnist(64, device="cpu", train_size=12_800, seed=0)
    test_images, _ = read_fashion_mnist("test")
    real = test_images[:2000, None] / 255
    print(f"{'game':32s} {'seed':>4s} {'entropy':>8s} {'largest':>8s} {'precision':>9s} {'recall':>7s} {'s':>4s}")
    for name in args.only or list(GAMES):
        results = []
        for seed in args.seeds:
            r = run(GAMES[name], seed, data, real, args.steps)
            results.append(r)
            print(f"{name:32s} {seed:4d} {r['entropy']:8.3f} {r['largest']:8.2f} {r['precision']:9.3f} "
                  f"{r['recall']:7.3f} {r['seconds']:4.0f}", flush=True)
        if len(results) > 1:
            mean = {k: statistics.mean(r[k] for r in results) for k in results[0]}
            print(f"{name + ', mean':32s} {'':4s} {mean['entropy']:8.3f} {mean['largest']:8.2f} "
                  f"{mean['precision']:9.3f} {mean['recall']:7.3f}")


if __name__ == "__main__":
    main()
