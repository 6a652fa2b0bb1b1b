"""Which DCGAN settings draw the best garments per CPU second? Judge FID and IS against training time.

Trains each candidate setting (width, batch, learning rates, loss, spectral
norm, an EMA of the generator) with ``fit_gan`` from several seeds, and every
``--every`` steps draws ``--samples`` images from the generator (from its
average, for the EMA candidates) and measures them with the judge: FID
against the first ``--samples`` test images, and the Inception Score. The
training time excludes the measuring. Prints one table per horizon (FID and
IS at the last measurement within each time budget, mean over seeds) and
writes every measurement to ``--json``.

    python scripts/tune_gan.py                          # every candidate, seeds 0 1, 300 s each
    python scripts/tune_gan.py --only w64-b128 w64-b128-ema --seconds 600 --seeds 0 1 2
    python scripts/tune_gan.py --conditional            # the conditional DCGAN's candidates

With ``--conditional`` the candidates are conditional DCGANs and the judge's
label agreement is measured too. Run it on a quiet machine: the seconds are
wall time with ``--threads`` torch threads.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cnnguide.data import load_fashion_mnist, read_fashion_mnist  # noqa: E402
from cnnguide.gan.average import standing_statistics  # noqa: E402
from cnnguide.gan import (  # noqa: E402
    GeneratorEMA, fit_gan, generator_label_agreement, inception_score, judge_fid, seeded_fakes,
)
from cnnguide.gan.registry import create as create_net  # noqa: E402

# name -> settings. width: both networks' width (d_width: the discriminator's, where it
# differs); loss: "bce" or "hinge"; sn: spectral norm in D (its batch norm is then dropped,
# as SNGAN's D has none); ema: the decay or None;
# steps and lr_decay: a run of a fixed length whose learning rates fall linearly to 0 over that
# last share of it (a run without steps goes on until --seconds).
CANDIDATES = {
    "w32-b64": dict(width=32, batch=64, lr_g=2e-4, lr_d=2e-4),  # DCGAN's learning rate
    "w32-b64-ema": dict(width=32, batch=64, lr_g=2e-4, lr_d=2e-4, ema=0.999),
    "w32-b64-lr4": dict(width=32, batch=64, lr_g=4e-4, lr_d=4e-4),
    "w32-b64-ttur": dict(width=32, batch=64, lr_g=2e-4, lr_d=4e-4),
    "w32-b32": dict(width=32, batch=32, lr_g=2e-4, lr_d=2e-4),
    "w24-b64": dict(width=24, batch=64, lr_g=2e-4, lr_d=2e-4),
    "w48-b64": dict(width=48, batch=64, lr_g=2e-4, lr_d=2e-4),
    "w32-b64-lr6": dict(width=32, batch=64, lr_g=6e-4, lr_d=6e-4),
    "w32-b64-lr8": dict(width=32, batch=64, lr_g=8e-4, lr_d=8e-4),  # chapter 18 and recipe dcgan-cpu
    "w32-b64-lr10": dict(width=32, batch=64, lr_g=1e-3, lr_d=1e-3),
    "w32-b64-lr8-ema": dict(width=32, batch=64, lr_g=8e-4, lr_d=8e-4, ema=0.999),
    # Chapter 18's 5,000 steps, with and without a linear decay of both learning rates at the end.
    "w32-b64-lr8-5k": dict(width=32, batch=64, lr_g=8e-4, lr_d=8e-4, steps=5000),
    "w32-b64-lr8-5k-decay30": dict(width=32, batch=64, lr_g=8e-4, lr_d=8e-4, steps=5000, lr_decay=0.3),
    # An average of the generator's weights, measured with its own batch norm statistics (standing statistics).
    "w32-b64-lr8-5k-ema999": dict(width=32, batch=64, lr_g=8e-4, lr_d=8e-4, steps=5000, ema=0.999, standing=True),
    "w32-b64-lr8-5k-ema995": dict(width=32, batch=64, lr_g=8e-4, lr_d=8e-4, steps=5000, ema=0.995, standing=True),
    "w48-b64-lr8": dict(width=48, batch=64, lr_g=8e-4, lr_d=8e-4),
    "w32-b128-lr8": dict(width=32, batch=128, lr_g=8e-4, lr_d=8e-4),
    "w32-b64-g8d4": dict(width=32, batch=64, lr_g=8e-4, lr_d=4e-4),
    "w32-b64-lr4-ema": dict(width=32, batch=64, lr_g=4e-4, lr_d=4e-4, ema=0.999),
    "w32-b32-lr4": dict(width=32, batch=32, lr_g=4e-4, lr_d=4e-4),
    "w48-b64-lr4": dict(width=48, batch=64, lr_g=4e-4, lr_d=4e-4),
    # Beyond lr 1e-3; and at lr 1e-3, a discriminator twice as wide as the generator (the
    # width-32 D has a tenth of G's parameters), and Adam with a shorter memory of squared gradients.
    "w32-b64-lr12": dict(width=32, batch=64, lr_g=1.2e-3, lr_d=1.2e-3),
    # Chapter 18's live run (lr 1e-3, 8,000 steps) and the same length at the recipes' 8e-4, for other seeds.
    "w32-b64-lr10-8k": dict(width=32, batch=64, lr_g=1e-3, lr_d=1e-3, steps=8000),
    "w32-b64-lr8-8k": dict(width=32, batch=64, lr_g=8e-4, lr_d=8e-4, steps=8000),
    # Chapter 18's run with bf16 autocast (the CPU has AVX-512 BF16); scripts/bench_gan.py measures its speed.
    "w32-b64-lr10-8k-bf16": dict(width=32, batch=64, lr_g=1e-3, lr_d=1e-3, steps=8000, amp=torch.bfloat16),
    # Shorter bf16 runs whose learning rates fall linearly to 0 over the last 30 % or 50 % of the steps.
    "w32-b64-lr10-6k-bf16-decay30": dict(width=32, batch=64, lr_g=1e-3, lr_d=1e-3, steps=6000, lr_decay=0.3,
                                         amp=torch.bfloat16),
    "w32-b64-lr10-6k-bf16-decay50": dict(width=32, batch=64, lr_g=1e-3, lr_d=1e-3, steps=6000, lr_decay=0.5,
                                         amp=torch.bfloat16),
    "w32-b64-lr15": dict(width=32, batch=64, lr_g=1.5e-3, lr_d=1.5e-3),
    "w32-d64-b64-lr10": dict(width=32, d_width=64, batch=64, lr_g=1e-3, lr_d=1e-3),
    "w32-b64-lr10-b99": dict(width=32, batch=64, lr_g=1e-3, lr_d=1e-3, betas=(0.5, 0.99)),
    "w32-b64-hinge-sn": dict(width=32, batch=64, lr_g=1e-4, lr_d=4e-4, loss="hinge", sn=True, betas=(0.0, 0.9)),
    # Wider and larger batches: worse per CPU second in a first screen (2026-12-06), kept to re-check.
    "w64-b64": dict(width=64, batch=64, lr_g=2e-4, lr_d=2e-4),
    "w64-b128": dict(width=64, batch=128, lr_g=2e-4, lr_d=2e-4),
    "w64-b128-ema": dict(width=64, batch=128, lr_g=2e-4, lr_d=2e-4, ema=0.999),
}
CONDITIONAL = {
    "c-w32-b64": dict(width=32, batch=64, lr_g=2e-4, lr_d=2e-4),  # DCGAN's learning rate
    "c-w32-b64-ema": dict(width=32, batch=64, lr_g=2e-4, lr_d=2e-4, ema=0.999),
    "c-w32-b64-lr4": dict(width=32, batch=64, lr_g=4e-4, lr_d=4e-4),
    "c-w32-b64-lr8": dict(width=32, batch=64, lr_g=8e-4, lr_d=8e-4),  # chapter 19 and recipe cgan-cpu
    "c-w24-b64": dict(width=24, batch=64, lr_g=2e-4, lr_d=2e-4),
    "c-w48-b64": dict(width=48, batch=64, lr_g=2e-4, lr_d=2e-4),
    "c-w64-b128": dict(width=64, batch=128, lr_g=2e-4, lr_d=2e-4),
    # Chapter 19's live run (3,000 steps), in full precision and under bf16 autocast.
    "c-w32-b64-lr8-3k": dict(width=32, batch=64, lr_g=8e-4, lr_d=8e-4, steps=3000),
    "c-w32-b64-lr8-3k-bf16": dict(width=32, batch=64, lr_g=8e-4, lr_d=8e-4, steps=3000, amp=torch.bfloat16),
}


def build(settings: dict, conditional: bool):
    width = settings["width"]
    d_options = {"width": settings.get("d_width", width)}
    if settings.get("sn"):
        d_options.update(spectral_norm=True, batch_norm=False)
    if conditional:
        return (create_net("conditional_dcgan_generator", width=width),
                create_net("projection_discriminator", width=width))
    return create_net("dcgan_generator", width=width), create_net("dcgan_discriminator", **d_options)


def run(name: str, settings: dict, seed: int, args, real: torch.Tensor, conditional: bool) -> list[dict]:
    generator, discriminator = build(settings, conditional)
    ema = GeneratorEMA(generator, settings["ema"]) if settings.get("ema") else None
    data = load_fashion_mnist(settings["batch"], device="cpu", seed=seed)[0]
    points, measuring = [], [0.0]
    start = time.perf_counter()

    def measure(step, sampler):
        tic = time.perf_counter()
        trained = tic - start - measuring[0]
        if settings.get("standing") and step > 0:  # the average with batch norm statistics of its own
            sampler = standing_statistics(sampler, seed=seed)
        fakes = seeded_fakes(sampler, args.samples, seed=1)  # the same noise at every step and in every run
        point = {"step": step, "seconds": round(trained, 1), "fid": judge_fid(real, fakes),
                 "inception_score": inception_score(fakes).mean}
        if conditional:
            point["label_agreement"] = generator_label_agreement(sampler, per_class=args.samples // 10).overall
        points.append(point)
        measuring[0] += time.perf_counter() - tic
        print(f"  {name} seed {seed} step {step:5d}: {trained:6.1f} s, FID {point['fid']:6.2f}, "
              f"IS {point['inception_score']:.2f}"
              + (f", agreement {point['label_agreement']:.3f}" if conditional else ""), flush=True)
        if trained > args.seconds:
            raise _Done

    try:
        fit_gan(generator, discriminator, data, steps=settings.get("steps", 10**7), loss=settings.get("loss", "bce"),
                lr_decay=settings.get("lr_decay"),
                lr_g=settings["lr_g"], lr_d=settings["lr_d"], betas=settings.get("betas", (0.5, 0.999)),
                scale_to_tanh=True, seed=seed, device="cpu", amp=settings.get("amp", False), ema=ema,
                sample_every=args.every,
                log_every=args.every, on_sample=measure, progress=False)
    except _Done:
        pass
    return points


class _Done(Exception):
    """Raised by the measuring callback once the time budget is spent."""


def at(points: list[dict], seconds: float) -> dict | None:
    """The last measurement within ``seconds`` of training."""
    within = [p for p in points if p["seconds"] <= seconds and p["step"] > 0]
    return within[-1] if within else None


def summary(results: dict, horizons: list[float], conditional: bool) -> str:
    lines = []
    for horizon in horizons:
        lines.append(f"\nat {horizon:.0f} s of training (mean over seeds; best of each seed's last point "
                     f"within the budget):")
        lines.append(f"{'candidate':22s} {'steps':>7s} {'FID':>7s} {'± sd':>6s} {'IS':>6s}"
                     + (f" {'agree':>6s}" if conditional else ""))
        for name, by_seed in results.items():
            pts = [at(p, horizon) for p in by_seed.values()]
            pts = [p for p in pts if p is not None]
            if not pts:
                continue
            fids = [p["fid"] for p in pts]
            sd = statistics.stdev(fids) if len(fids) > 1 else float("nan")
            line = (f"{name:22s} {statistics.mean(p['step'] for p in pts):7.0f} {statistics.mean(fids):7.2f} "
                    f"{sd:6.2f} {statistics.mean(p['inception_score'] for p in pts):6.2f}")
            if conditional:
                line += f" {statistics.mean(p['label_agreement'] for p in pts):6.3f}"
            lines.append(line)
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conditional", action="store_true", help="the conditional DCGAN's candidates")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="candidates to run (default: all)")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    parser.add_argument("--seconds", type=float, default=300, help="training seconds per run")
    parser.add_argument("--every", type=int, default=250, help="steps between measurements")
    parser.add_argument("--samples", type=int, default=5000, help="images per measurement")
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--json", type=Path, help="write every measurement here")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    table = CONDITIONAL if args.conditional else CANDIDATES
    names = args.only or list(table)
    unknown = [n for n in names if n not in table]
    if unknown:
        parser.error(f"unknown candidate(s) {unknown}; known: {', '.join(table)}")
    test_images, _ = read_fashion_mnist("test")
    real = test_images[:args.samples, None] / 255
    results = {}
    started = time.perf_counter()
    for name in names:
        results[name] = {}
        for seed in args.seeds:
            results[name][seed] = run(name, table[name], seed, args, real, args.conditional)
    horizons = [h for h in (60, 120, 180, 240, 300, 450, 600, 900, 1200, 1800, 2700, 3600) if h <= args.seconds]
    print(summary(results, horizons or [args.seconds], args.conditional))
    record = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "torch": torch.__version__,
        "machine": {"cores": os.cpu_count(), "cpu": platform.processor() or platform.machine()},
        "threads": args.threads, "command": " ".join(["python", "scripts/tune_gan.py", *(argv or sys.argv[1:])]),
        "wall_seconds": round(time.perf_counter() - started, 1), "candidates": {n: table[n] for n in names},
        "results": results,
    }
    if args.json:
        args.json.write_text(json.dumps(record, indent=1, default=str))
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
