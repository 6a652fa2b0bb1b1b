"""The remedies for mode collapse on the ring of 8 Gaussians: the table of chapter 20, at any size.

Every setting of :data:`cnnguide.gan.compare.REMEDIES` (the vanilla GAN and
five remedies) is trained from every seed for the same number of generator
steps, and the script prints modes covered, high-quality samples, reverse KL
and seconds per run as mean ± standard deviation over the seeds. The chapter
builds it at 800 steps; longer runs show where each remedy ends up.

    python scripts/bench_gan_remedies.py                        # 800 steps, 5 seeds, 2 workers
    python scripts/bench_gan_remedies.py --steps 5000 --seeds 10
    python scripts/bench_gan_remedies.py --only GAN,PacGAN2

The seconds are this machine's, with ``--workers`` runs at a time, one CPU
thread each: compare them with each other, not with other machines.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run from a checkout without installing the package
    sys.path.insert(0, str(REPO))

from cnnguide.gan.compare import REMEDIES, remedies_table, run_ring_table  # noqa: E402


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bench_gan_remedies.py", description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=_positive, default=800, help="generator steps per run (default 800)")
    parser.add_argument("--seeds", type=_positive, default=5, help="seeds per setting: 0, 1, ... (default 5)")
    parser.add_argument("--workers", type=_positive, default=2, help="runs at a time (default 2)")
    parser.add_argument("--only", metavar="NAME[,NAME]",
                        help="settings to run, by name: " + ", ".join(s.name for s in REMEDIES))
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    settings = list(REMEDIES)
    if args.only is not None:
        names = [n.strip() for n in args.only.split(",") if n.strip()]
        known = {s.name: s for s in REMEDIES}
        unknown = [n for n in names if n not in known]
        if unknown or not names:
            parser.error(f"--only: unknown setting(s) {unknown or [args.only]}; known: {', '.join(known)}")
        settings = [known[n] for n in names]
    tic = time.perf_counter()
    runs = run_ring_table(settings, range(args.seeds), args.steps, workers=args.workers)
    print(remedies_table(runs, steps=args.steps))
    print(f"{len(runs)} runs in {time.perf_counter() - tic:.0f} s with {args.workers} worker(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
