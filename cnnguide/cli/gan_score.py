"""``cnnguide gan score RUN_DIR``: the measures of a trained GAN, on fresh samples.

::

    cnnguide gan score runs/dcgan                 # the judge: Inception Score, judge FID, classes covered
    cnnguide gan score runs/cgan --samples 2000   # and label agreement
    cnnguide gan score runs/gan-ring --out score.json

The measures are :func:`cnnguide.gan.recipes.evaluate`'s: for the ring, mode
coverage; for DCGAN, the offline judge's Inception Score and FID against as
many Fashion-MNIST test images, and the classes covered; for the conditional
DCGAN also the share of samples the judge puts in the class asked for.
"""

from __future__ import annotations

import json
from pathlib import Path

from .options import fail, int_at_least, non_negative_int

__all__ = ["add_gan_score_command", "score", "score_lines"]


def add_gan_score_command(commands) -> None:
    parser = commands.add_parser(
        "score", help="measure a trained GAN: the judge's scores, or the ring's mode coverage",
        description="Measure the generator of RUN_DIR on fresh samples (the moving average of its weights "
        "where the run kept one).")
    parser.add_argument("run_dir", type=Path, metavar="RUN_DIR", help="the output folder of cnnguide gan train")
    parser.add_argument("--samples", type=int_at_least(2, "an integer >= 2"), metavar="N",
                        help="samples measured (default: the recipe's, 2,500 for the ring and 10,000 for DCGAN)")
    parser.add_argument("--seed", type=non_negative_int, default=0, help="seed of the noise (default 0)")
    parser.add_argument("--raw", action="store_true", help="the generator's own weights, not their moving average")
    parser.add_argument("--out", type=Path, metavar="JSON", help="also write the measures as JSON")
    parser.set_defaults(run=score, subparser=parser)


def score_lines(measured: dict) -> list[str]:
    """The measures of :func:`cnnguide.gan.recipes.evaluate` as lines of text.

    >>> score_lines({"mode_coverage": {"modes": 8, "of": 8, "high_quality": 0.9, "reverse_kl": 0.01,
    ...                                "samples": 2500}})
    ['mode coverage of 2500 samples: 8/8 modes, 90.0% high quality, reverse KL 0.010']
    """
    lines = []
    if "mode_coverage" in measured:
        c = measured["mode_coverage"]
        kl = "undefined" if c["reverse_kl"] is None else f"{c['reverse_kl']:.3f}"
        lines.append(f"mode coverage of {c['samples']} samples: {c['modes']}/{c['of']} modes, "
                     f"{100 * c['high_quality']:.1f}% high quality, reverse KL {kl}")
    if "label_agreement" in measured:
        lines.append(f"label agreement (the judge's class = the class asked for): "
                     f"{measured['label_agreement']['overall']:.3f}")
    if "judge" in measured:
        j = measured["judge"]
        lines.append(f"the judge on {j['samples']} samples: Inception Score {j['inception_score']:.2f}, judge FID "
                     f"{j['judge_fid']:.2f} (against {j['real_test_images']} test images), "
                     f"{j['classes_covered']}/10 classes covered")
    return lines


def score(parser, args) -> int:
    """``cnnguide gan score RUN_DIR``."""
    from ..gan.recipes import evaluate, get_gan_recipe
    from .runs import load_generator

    try:
        generator, run, weights = load_generator(args.run_dir, raw=args.raw)
        measured = evaluate(get_gan_recipe(run["model"]), generator, seed=args.seed, samples=args.samples)
    except (ValueError, OSError) as error:
        return fail("gan score", error)
    print(f"{run['model']} at step {run['step']:,} "
          f"({'moving average of the weights' if weights == 'average' else 'raw weights'}, seed {args.seed}):")
    for line in score_lines(measured):
        print("  " + line)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"run": str(args.run_dir), "step": run["step"], "weights": weights,
                                        "seed": args.seed, **measured}, indent=2) + "\n")
        print(f"wrote {args.out}")
    return 0
