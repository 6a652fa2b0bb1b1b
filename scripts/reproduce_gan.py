#!/usr/bin/env python
"""Train the GAN recipes in full on a GPU and record each run.

::

    python scripts/reproduce_gan.py                    # every recipe, on the first GPU
    python scripts/reproduce_gan.py --only dcgan-cpu --device cpu --allow-cpu --measure-every 10000
    python scripts/reproduce_gan.py --only dcgan
    python scripts/reproduce_gan.py --dry-run          # print the plan and stop
    python scripts/reproduce_gan.py --smoke --device cpu --out /tmp/smoke   # a few steps: checks the code path

The recipes live in :mod:`cnnguide.gan.recipes`: the ring of 8 Gaussians (25,000
steps, batch 512), DCGAN and the conditional DCGAN on the 60,000 Fashion-MNIST
images (25 epochs, batch 128), and the two DCGANs sized for a CPU
(``dcgan-cpu``: about 45 minutes on 2 cores, ``cgan-cpu`` half an hour). Each run
writes ``<out>/gan-<name>.json``: the logged history and, in its metadata, the
settings, the final measures (mode coverage on the ring; the judge's Inception
Score, FID and classes for DCGAN), wall time, steps per second, device, cores,
threads, torch version, date and the exact command; and
``<out>/gan-<name>-samples.safetensors``, the fixed noise batch's samples at up
to seven steps (float16), for the pages to draw. ``<out>`` defaults to
``docs/recorded``.

The full recipes are GPU runs: without CUDA the script refuses to start unless
``--device cpu`` is given, and a CPU run, a smoke run or one with fewer steps
(``--steps``) is never written into ``docs/recorded`` unless ``--allow-cpu``
(for a full CPU run) says so.
"""

from __future__ import annotations

import argparse
import math
import shlex
import sys
import time
from pathlib import Path

import torch
from safetensors.torch import save_file

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run from a checkout without installing the package
    sys.path.insert(0, str(REPO))

from cnnguide import recorded  # noqa: E402
from cnnguide.gan import recipes  # noqa: E402
from cnnguide.gan.average import GeneratorEMA  # noqa: E402
from cnnguide.gan.training import fit_gan  # noqa: E402

# --smoke: enough to run every line of the real path, in seconds on a CPU.
SMOKE = {
    "ring": {"steps": 4, "epochs": None, "train_size": 512, "batch_size": 64, "width": None, "eval_samples": 200},
    "dcgan": {"steps": 2, "epochs": None, "train_size": 64, "batch_size": 16, "width": 4, "eval_samples": 40},
    "cgan": {"steps": 2, "epochs": None, "train_size": 64, "batch_size": 16, "width": 4, "eval_samples": 40},
    "dcgan-cpu": {"steps": 2, "epochs": None, "train_size": 64, "batch_size": 16, "width": 4, "eval_samples": 40},
    "cgan-cpu": {"steps": 2, "epochs": None, "train_size": 64, "batch_size": 16, "width": 4, "eval_samples": 40},
}
#: Steps whose samples are kept in the samples file.
KEPT_SAMPLE_STEPS = 7


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reproduce_gan.py",
        description="Train the GAN recipes in full (on a GPU) and record each run as JSON.",
        epilog="Recipes: " + ", ".join(recipes.GAN_RECIPES) + " (see cnnguide/gan/recipes.py).")
    parser.add_argument("--only", metavar="NAME[,NAME]", help="comma-separated recipe names (default: all)")
    parser.add_argument("--steps", type=int, help="override the number of steps (a shortened run)")
    parser.add_argument("--device", help="torch device, e.g. cuda:0 or cpu (default: the first GPU; "
                                         "without one the script refuses unless --device cpu)")
    parser.add_argument("--out", type=Path, help="folder for the files (default: docs/recorded)")
    parser.add_argument("--seed", type=int, default=0, help="seed of everything random")
    parser.add_argument("--data-root", type=Path, help="folder holding the four Fashion-MNIST .gz files")
    parser.add_argument("--dry-run", action="store_true", help="print the plan and stop")
    parser.add_argument("--smoke", action="store_true", help="a few steps on tiny data, for tests (needs --out)")
    parser.add_argument("--allow-cpu", action="store_true", help="allow a full CPU run to write into docs/recorded")
    parser.add_argument("--measure-every", type=int, metavar="N",
                        help="also measure the generator every N steps (a multiple of the recipe's sample_every) "
                             "with a fifth of the final samples, kept in the JSON as measures_over_training")
    return parser


def _names(parser, only: str | None) -> list[str]:
    if only is None:
        return list(recipes.GAN_RECIPES)
    names = [name.strip() for name in only.split(",") if name.strip()]
    unknown = [name for name in names if name not in recipes.GAN_RECIPES]
    if unknown or not names:
        parser.error(f"--only: unknown recipe(s) {unknown or [only]}; known: {', '.join(recipes.GAN_RECIPES)}")
    return names


def settings_for(recipe, args) -> dict:
    """The run's sizes: the recipe's, the smoke sizes, or the recipe with ``--steps``."""
    settings = {"steps": recipe.steps, "epochs": recipe.epochs, "train_size": recipe.train_size,
                "batch_size": recipe.batch_size, "width": recipe.generator_options.get("width"),
                "eval_samples": recipe.eval_samples}
    if args.smoke:
        settings.update(SMOKE[recipe.name])
    if args.steps is not None:
        settings.update(steps=args.steps, epochs=None)
    return settings


def plan(names: list[str], args) -> str:
    lines = []
    for name in names:
        recipe, s = recipes.get_gan_recipe(name), settings_for(recipes.get_gan_recipe(name), args)
        length = f"{s['steps']:,} steps" if s["steps"] else f"{s['epochs']} epochs"
        width = f", width {s['width']}" if s["width"] else ""
        lines.append(f"{name}: {recipe.title}: {length}, batch {s['batch_size']}, {s['train_size']:,} real "
                     f"examples{width}, lr G {recipe.lr_g:g} / D {recipe.lr_d:g}, betas {recipe.betas}"
                     + (f", both learning rates decayed linearly to 0 over the last {recipe.lr_decay:.0%} of the steps"
                        if recipe.lr_decay else "")
                     + f", {s['eval_samples']:,} samples measured"
                     + (f" from the generator's moving average (decay {recipe.ema:g}, its own batch norm statistics)"
                        if recipe.ema else ""))
    return "\n".join(lines)


def _kept_samples(samples: dict) -> dict:
    steps = sorted(samples)
    if len(steps) > KEPT_SAMPLE_STEPS:
        picks = {round(i * (len(steps) - 1) / (KEPT_SAMPLE_STEPS - 1)) for i in range(KEPT_SAMPLE_STEPS)}
        steps = [steps[i] for i in sorted(picks)]
    return {f"step.{s}": samples[s].half().contiguous() for s in steps}


def run_recipe(name: str, args, device: torch.device, command: str) -> dict:
    """Train one recipe, write its files, and return the row of the final table."""
    recipe = recipes.get_gan_recipe(name)
    s = settings_for(recipe, args)
    generator, discriminator = recipe.build(width=s["width"] if s["width"] else None)
    data, batch_size = recipes.real_data(recipe, train_size=s["train_size"], batch_size=s["batch_size"],
                                         seed=args.seed, device=device, root=args.data_root)
    parameters = {"generator": sum(p.numel() for p in generator.parameters()),
                  "discriminator": sum(p.numel() for p in discriminator.parameters())}
    print(f"\n{recipe.title} ({name}) on {device}: {plan([name], args).split(': ', 2)[2]}", flush=True)
    ema = GeneratorEMA(generator, recipe.ema) if recipe.ema else None
    over_training, measuring = [], [0.0]

    def measure(step, sampler):
        if not args.measure_every or step % args.measure_every or step == 0:
            return
        t = time.perf_counter()
        point = measure_all(generator, ema, max(2, s["eval_samples"] // 5))
        over_training.append({"step": step, "train_seconds": round(t - tic - measuring[0], 1), **point})
        measuring[0] += time.perf_counter() - t
        print(f"  step {step:,}: {_measure_text(point)}{_others_text(point)}", flush=True)

    def measure_all(generator, ema, samples):
        """The recipe's measures of what it samples from and, with an average, of the alternatives beside it."""
        if ema is None:
            return recipes.evaluate(recipe, generator, seed=args.seed, samples=samples)
        # The average with its own batch norm statistics is what the recipe samples from; the raw
        # generator and the average with averaged statistics are measured beside it, at every horizon.
        point = recipes.evaluate(recipe, ema.standing_statistics(seed=args.seed), seed=args.seed, samples=samples)
        point["raw_generator"] = recipes.evaluate(recipe, generator, seed=args.seed, samples=samples)
        point["average_with_averaged_statistics"] = recipes.evaluate(recipe, ema.module, seed=args.seed,
                                                                     samples=samples)
        return point

    tic = time.perf_counter()
    history = fit_gan(generator, discriminator, data, steps=s["steps"], epochs=s["epochs"], batch_size=batch_size,
                      loss=recipe.loss, lr_g=recipe.lr_g, lr_d=recipe.lr_d, betas=recipe.betas,
                      scale_to_tanh=recipe.scale_to_tanh, seed=args.seed, device=device, init=recipe.init_function,
                      sample_every=recipe.sample_every, num_samples=recipe.num_samples, log_every=recipe.log_every,
                      ema=ema, lr_decay=recipe.lr_decay, on_sample=measure, progress=False, verbose=not args.smoke)
    train_seconds = time.perf_counter() - tic - measuring[0]
    measured = measure_all(generator, ema, s["eval_samples"])
    wall = time.perf_counter() - tic
    steps = history.last_step
    args.out.mkdir(parents=True, exist_ok=True)
    samples_file = args.out / f"gan-{name}-samples.safetensors"
    save_file(_kept_samples(history.samples), str(samples_file))
    path = history.save_json(
        args.out / f"gan-{name}.json", recipe=name, title=recipe.title, smoke=args.smoke, **s, seed=args.seed,
        lr_g=recipe.lr_g, lr_d=recipe.lr_d, parameters=parameters, wall_seconds=wall,
        train_seconds=train_seconds, steps_per_sec=steps / train_seconds, samples_file=samples_file.name,
        command=command, threads=torch.get_num_threads(), measures_over_training=over_training, **measured)
    print(f"wrote {path} and {samples_file}", flush=True)
    return {"title": recipe.title, "name": name, "steps": steps, "final": history.final, "measured": measured,
            "wall": wall, "rate": steps / train_seconds}


def _others_text(measured: dict) -> str:
    """The alternatives measured beside an averaged generator, if any."""
    others = [(what, measured[key]) for what, key in (("raw generator", "raw_generator"),
              ("average with averaged statistics", "average_with_averaged_statistics")) if key in measured]
    return "".join(f"; {what}: {_measure_text(m)}" for what, m in others)


def _measure_text(measured: dict) -> str:
    if "mode_coverage" in measured:
        c = measured["mode_coverage"]
        return f"{c['modes']}/{c['of']} modes, {100 * c['high_quality']:.1f}% high quality"
    if "judge" in measured:
        j = measured["judge"]
        agreed = (f"label agreement {measured['label_agreement']['overall']:.3f}, "
                  if "label_agreement" in measured else "")
        return (f"{agreed}IS {j['inception_score']:.2f}, judge FID {j['judge_fid']:.2f}, "
                f"{j['classes_covered']}/10 classes")
    return ""


def final_table(rows: list[dict]) -> str:
    """recipe, steps, final losses, the measures, wall time, steps/s; then the total wall time."""
    header = ("recipe", "steps", "D loss", "G loss", "measured", "wall time", "steps/s")
    body = [(r["name"], f"{r['steps']:,}", f"{r['final']['d_loss']:.3f}", f"{r['final']['g_loss']:.3f}",
             _measure_text(r["measured"]), f"{r['wall']:.1f} s", f"{r['rate']:,.1f}") for r in rows]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    lines = ["  ".join([line[0].ljust(widths[0]), *(c.rjust(w) for c, w in zip(line[1:4], widths[1:4])),
                        line[4].ljust(widths[4]), *(c.rjust(w) for c, w in zip(line[5:], widths[5:]))]).rstrip()
             for line in [header, *body]]
    lines.insert(1, "-" * max(len(line) for line in lines))
    lines.append(f"total wall time: {sum(r['wall'] for r in rows):.1f} s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    names = _names(parser, args.only)
    if args.steps is not None and args.steps < 1:
        parser.error(f"--steps must be a positive integer, got {args.steps}")
    if args.out is None:
        if args.smoke:
            parser.error("--smoke needs --out: a smoke run is never written into docs/recorded")
        args.out = recorded.recorded_dir()
    print(plan(names, args))
    if args.dry_run:
        print("would write " + ", ".join(str(args.out / f"gan-{n}.json") for n in names))
        return 0

    if args.device is None:
        if not torch.cuda.is_available():
            parser.error("no CUDA device: the full GAN recipes are GPU runs; pass --device cpu to run on the CPU "
                         "anyway (hours for dcgan)")
        args.device = "cuda"
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        parser.error(f"--device {args.device}: no CUDA device is available")
    refusal = recorded.recording_refusal(
        args.out, smoke=args.smoke, shortened=args.steps is not None, on_cpu=device.type == "cpu",
        allow_cpu=args.allow_cpu, also_protected=[REPO / "docs" / "recorded"])
    if refusal:
        parser.error(refusal)

    command = shlex.join(["python", "scripts/reproduce_gan.py", *argv])
    rows = [run_recipe(name, args, device, command) for name in names]
    print()
    print(final_table(rows))
    finite = all(math.isfinite(r["final"]["d_loss"]) and math.isfinite(r["final"]["g_loss"]) for r in rows)
    return 0 if finite else 1


if __name__ == "__main__":
    sys.exit(main())
