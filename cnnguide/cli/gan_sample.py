"""``cnnguide gan sample RUN_DIR``: draw samples from a trained GAN into a picture.

::

    cnnguide gan sample runs/dcgan --n 64 --out grid.png            # 8 x 8 garments
    cnnguide gan sample runs/cgan --label 7 --seed 3 --out sneakers.png
    cnnguide gan sample runs/gan-ring --n 2500 --out ring.png       # a scatter of the points

The samples come from the moving average of the generator's weights where the
run kept one (``--raw`` for the generator's own weights), from the run's last
checkpoint, and from noise seeded by ``--seed``: the same command draws the
same picture.
"""

from __future__ import annotations

import math
from pathlib import Path

from .options import fail, int_at_least, non_negative_int

__all__ = ["add_gan_sample_command", "sample"]


def add_gan_sample_command(commands) -> None:
    parser = commands.add_parser(
        "sample", help="draw samples from a trained GAN into a PNG grid",
        description="Draw --n samples from the generator of RUN_DIR (the moving average of its weights where "
        "the run kept one) into a PNG: a grid of images, or a scatter of the ring's points.")
    parser.add_argument("run_dir", type=Path, metavar="RUN_DIR", help="the output folder of cnnguide gan train")
    parser.add_argument("--n", type=int_at_least(1, "a positive integer"), default=64, help="samples (default 64)")
    parser.add_argument("--seed", type=non_negative_int, default=0, help="seed of the noise (default 0)")
    parser.add_argument("--label", type=non_negative_int, metavar="K",
                        help="a conditional GAN: draw class K only (default: every class in turn)")
    parser.add_argument("--raw", action="store_true", help="the generator's own weights, not their moving average")
    parser.add_argument("--out", type=Path, default=Path("samples.png"), metavar="PNG",
                        help="the picture (default: samples.png)")
    parser.set_defaults(run=sample, subparser=parser)


def sample(parser, args) -> int:
    """``cnnguide gan sample RUN_DIR --n N --out PNG``."""
    from ..gan.recipes import draw_samples
    from .runs import load_generator

    try:
        generator, run, weights = load_generator(args.run_dir, raw=args.raw)
        samples, _ = draw_samples(generator, args.n, args.seed, label=args.label)
    except (ValueError, OSError) as error:
        return fail("gan sample", error)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if samples.dim() == 2:  # points of the ring
        from ..figures.gan_points import plot_real_samples
        from ..gan.toy_data import ring_centers

        plot_real_samples(samples, ring_centers(), title=f"{args.n:,} samples of {args.run_dir}").savefig(args.out)
    else:
        from torchvision.utils import save_image

        # tanh's [-1, 1] back to [0, 1]; rows as square as the count allows, with a 2-pixel white frame
        save_image(samples.clamp(-1, 1).add(1).div(2), args.out, nrow=math.ceil(math.sqrt(args.n)),
                   padding=2, pad_value=1.0)
    what = f"class {args.label}" if args.label is not None else f"{args.n} samples"
    print(f"wrote {args.out}: {what} of {run['model']} at step {run['step']:,} "
          f"({'moving average of the weights' if weights == 'average' else 'raw weights'}, seed {args.seed})")
    return 0
