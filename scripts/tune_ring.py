"""Which ring games hop, and which remedies cure collapse at a budget a page can afford?

Trains ring settings with :func:`cnnguide.gan.stacked.train_ring_seeds` (all
seeds of a setting at once) and prints, per setting and horizon, the mean and
standard error over the seeds of the modes covered, the share of
high-quality samples and the reverse KL (on 2,500 fresh samples, as PacGAN
measures), the **turnover** (modes entered or left between consecutive sample
steps, summed over the second half of the run: how much a generator still
hops once it has settled), the **hops** (moves of the majority of the
samples from one mode to another, :func:`cnnguide.gan.compare.hop_count`),
the share of the fixed samples on a mode in the second half (the rest is in
transit or spread) and the seconds the stacked run took.

    python scripts/tune_ring.py --games                   # vanilla GAN in each candidate game
    python scripts/tune_ring.py --games --only "hopping, G and D 0.05" --steps 20000 --sample-every 100
    python scripts/tune_ring.py --steps 4000 12000        # the remedies, in the chapter's game
    python scripts/tune_ring.py --only PacGAN2 "spectral norm" --seeds 10

Run it on a quiet machine: the seconds are wall time with ``--threads``
torch threads.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cnnguide.gan import modes_over_steps, ring_centers  # noqa: E402
from cnnguide.gan.compare import (COLLAPSING_GAME, HOPPING_GAME, STD, RingSetting, hop_count,  # noqa: E402
                                  late_turnover)
from cnnguide.gan.stacked import standard_error, train_ring_seeds  # noqa: E402
from cnnguide.train.history import cpu_model  # noqa: E402

# Candidate games for the vanilla GAN: does it hop (turnover) or settle?
GAMES = {
    "collapsing": dict(COLLAPSING_GAME),
    "collapsing, lr_d 1e-4": dict(COLLAPSING_GAME, lr_g=1e-3, lr_d=1e-4),
    "collapsing, batch 256": dict(COLLAPSING_GAME, batch_size=256),
    "collapsing, lr_d 1e-4, batch 256": dict(COLLAPSING_GAME, lr_g=1e-3, lr_d=1e-4, batch_size=256),
    "small D (2 x 64)": dict(COLLAPSING_GAME, d_hidden=64, d_layers=2),
    "Metz sizes (2 x 128, z 256), batch 256": dict(COLLAPSING_GAME, latent_dim=256, g_hidden=128, g_layers=2,
                                                   d_hidden=128, d_layers=2, lr_g=1e-3, lr_d=1e-4,
                                                   batch_size=256),
    # Plain gradient steps (the ODE-GAN colab's Euler step) in that colab's network sizes: the chapter's
    # hopping game and its neighbours.
    "hopping: plain steps, G 0.05, D 0.1, batch 128": dict(HOPPING_GAME),
    "hopping, G and D 0.05": dict(HOPPING_GAME, lr_d=0.05),
    "hopping, G 0.02, D 0.05": dict(HOPPING_GAME, lr_g=0.02, lr_d=0.05),
    "hopping, G and D 0.05, batch 512 (the colab's)": dict(HOPPING_GAME, lr_d=0.05, batch_size=512),
}


def settings(game: dict) -> list[RingSetting]:
    """The remedies of the chapter in ``game``, each changing it in one respect."""
    return [
        RingSetting("GAN", game=game),
        RingSetting("PacGAN2", pack=2, game=game),
        RingSetting("PacGAN2, lr 3e-4", pack=2, game=dict(game, lr=3e-4, lr_g=3e-4, lr_d=3e-4)),
        RingSetting("minibatch std", minibatch_std=True, game=game),
        RingSetting("spectral norm", spectral_norm=True, game=game),
        RingSetting("unrolled K=5, first order", unroll=5, game=game),
        RingSetting("unrolled K=5, through the steps", unroll=5, unroll_through=True, game=game),
        # gan_toy.py's settings: λ 0.1, 5 critic steps, Adam 1e-4 with β (0.5, 0.9).
        RingSetting("WGAN-GP (gan_toy.py)", loss="wgan-gp", d_steps=5, gp_weight=0.1, betas=(0.5, 0.9),
                    game=dict(game, lr=1e-4, lr_g=1e-4, lr_d=1e-4)),
    ]


def line(name: str, runs: list, seconds: float) -> str:
    def ms(values, scale=1.0):
        values = [v * scale for v in values]
        return f"{sum(values) / len(values):6.2f} ± {standard_error(values):4.2f}"

    return (f"{name:48s} {ms([r.coverage.modes for r in runs])} {ms([r.coverage.high_quality for r in runs], 100)}"
            f" {ms([r.coverage.reverse_kl for r in runs])} {ms([late_turnover(r) for r in runs])}"
            f" {ms([hop_count(r) for r in runs])} {ms([on_a_mode(r) for r in runs], 100)} {seconds:7.1f}")


def on_a_mode(run) -> float:
    """The share of the fixed samples within 3 std of a mode, averaged over the second half's sample steps."""
    shares = modes_over_steps(run.samples, ring_centers(), STD)[1].sum(dim=0)
    return shares[len(shares) // 2:].mean().item()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", action="store_true", help="the vanilla GAN in every candidate game")
    parser.add_argument("--game", default="collapsing", choices=list(GAMES), help="the remedies' game")
    parser.add_argument("--only", nargs="+", metavar="NAME",
                        help="remedies (or with --games, games) to run (default: all)")
    parser.add_argument("--seeds", type=int, default=10, help="seeds 0 .. N-1")
    parser.add_argument("--steps", nargs="+", type=int, default=[4000], help="generator steps (one run each)")
    parser.add_argument("--sample-every", type=int, default=50)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--json", type=Path, help="write every seed's measures here, labelled with the machine")
    args = parser.parse_args(argv)
    started, rows = time.perf_counter(), []
    torch.set_num_threads(args.threads)
    print(f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {cpu_model()}, "
          f"{os.cpu_count()} cores, {args.threads} threads, torch {torch.__version__}; seeds 0-{args.seeds - 1}")
    if args.games:
        jobs = [(name, RingSetting("GAN", game=game)) for name, game in GAMES.items()
                if not args.only or name in args.only]
    else:
        jobs = [(s.name, s) for s in settings(GAMES[args.game]) if not args.only or s.name in args.only]
    for steps in args.steps:
        print(f"\n{steps:,} generator steps; mean ± standard error over {args.seeds} seeds; "
              f"seconds for all seeds at once")
        print(f"{'setting':48s} {'modes':>13s} {'high quality %':>13s} {'reverse KL':>13s} "
              f"{'late turnover':>13s} {'hops':>13s} {'on a mode %':>13s} {'seconds':>7s}")
        for name, setting in jobs:
            tic = time.perf_counter()
            runs = train_ring_seeds(setting, range(args.seeds), steps, sample_every=args.sample_every)
            seconds = time.perf_counter() - tic
            print(line(name, runs, seconds), flush=True)
            rows.append({"setting": name, "steps": steps, "seconds_all_seeds": round(seconds, 1),
                         "seeds": [{"seed": r.seed, "modes": r.coverage.modes,
                                    "high_quality": r.coverage.high_quality,
                                    "reverse_kl": r.coverage.reverse_kl if r.coverage.high_quality > 0 else None,
                                    "late_turnover": late_turnover(r), "hops": hop_count(r),
                                    "on_a_mode": on_a_mode(r),
                                    "counts": list(r.coverage.counts)}
                                   for r in runs]})
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "device": f"cpu ({cpu_model()}, {args.threads} threads)",
            "cores": os.cpu_count(), "torch": torch.__version__,
            "command": shlex.join(["python", "scripts/tune_ring.py", *(sys.argv[1:] if argv is None else argv)]),
            "wall_seconds": round(time.perf_counter() - started, 1), "game": args.game,
            "rows": rows}, indent=1) + "\n")
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
