"""``cnnguide gan train MODEL``: train a GAN recipe and save its metrics, curves, samples and checkpoint.

::

    cnnguide gan train ring                       # the 2-D ring, 25,000 steps, into runs/gan-ring/
    cnnguide gan train dcgan --width 32 --epochs 2 --train-size 6000 --out runs/dcgan-small
    cnnguide gan train dcgan --epochs 4 --resume --out runs/dcgan-small   # two more epochs
    cnnguide gan train ring --unroll 5 --pack 2 --out runs/gan-ring-remedies   # remedies for mode collapse
    cnnguide gan train cgan --width 32 --epochs 2 # the conditional DCGAN, label agreement in metrics.json

The defaults come from :data:`cnnguide.gan.recipes.GAN_RECIPES`. The output
folder receives ``metrics.json`` (the logged history with the settings, the
device, torch version, date and the exact command; for the ring, the final
mode coverage, for DCGAN the judge's scores), ``metrics.csv``, ``curves.png`` (losses and D's outputs),
``samples.png`` (the fixed noise batch at several steps), the checkpoint that
``--resume`` continues from (with the moving average of the generator's
weights, where ``--ema`` or the recipe keeps one), and ``run.json``, the
settings of the run: a resumed run takes from it every setting not given
again. ``cnnguide gan sample`` and ``cnnguide gan score`` read the folder back.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

import torch

from .options import (add_device_option, fail, int_at_least, non_negative_int, pick_device, positive_float,
                      positive_int)
from .gan_score import score_lines
from .runs import RUN_JSON, run_to_resume

__all__ = ["add_gan_train_command", "train_gan"]

#: The settings a run records in run.json; all but steps/epochs must match when resuming.
_SETTINGS = ("steps", "epochs", "train_size", "batch_size", "seed", "width", "loss", "d_steps", "lr_g", "lr_d",
             "gp_weight", "spectral_norm", "minibatch_std", "unroll", "pack", "ema", "lr_decay")
#: The remedies' settings, with what a run without them has.
_REMEDY_DEFAULTS = {"gp_weight": None, "spectral_norm": False, "minibatch_std": False, "unroll": 0, "pack": 1}
#: A run.json from before --ema and --lr-decay had neither.
_OLD_DEFAULTS = {**_REMEDY_DEFAULTS, "ema": None, "lr_decay": None}


def add_gan_train_command(gan_commands) -> None:
    """Add ``train`` to ``cnnguide gan``'s subcommands."""
    from ..gan.losses import loss_names
    from ..gan.recipes import GAN_RECIPES

    names = ", ".join(GAN_RECIPES)
    train = gan_commands.add_parser(
        "train", help="train a GAN recipe and save its metrics, curves, samples and checkpoint",
        description="Train the GAN recipe MODEL. Flags left out take the recipe's settings "
        "(cnnguide.gan.recipes): ring: 25,000 steps, batch 512; dcgan and cgan: 25 epochs, batch 128, width 64.")
    train.add_argument("model", metavar="MODEL", help=f"a GAN recipe: {names}")
    length = train.add_mutually_exclusive_group()
    length.add_argument("--steps", type=positive_int, help="total generator updates (with --resume: up to this step)")
    length.add_argument("--epochs", type=positive_int, help="total passes over the real data by the discriminator")
    train.add_argument("--train-size", type=positive_int, metavar="N",
                       help="real examples: points drawn from the ring, or the first N Fashion-MNIST images")
    train.add_argument("--batch-size", type=positive_int, help="examples per mini-batch")
    train.add_argument("--width", type=positive_int, help="dcgan and cgan only: channels of the first layer (64 in the recipes)")
    train.add_argument("--loss", choices=loss_names(),
                       help="the players' losses (default: bce, non-saturating); wgan-gp: a Wasserstein critic "
                            "with a gradient penalty (DCGAN's critic is then built without batch norm); "
                            "hinge: SNGAN's and BigGAN's margins, usually with --spectral-norm")
    train.add_argument("--gp-weight", type=positive_float, metavar="X",
                       help="with --loss wgan-gp: the gradient penalty's weight (default 10)")
    train.add_argument("--spectral-norm", action="store_true", default=None,
                       help="spectral normalization of every discriminator layer (Miyato et al. 2018)")
    train.add_argument("--minibatch-std", action="store_true", default=None,
                       help="a minibatch standard deviation feature before D's last layer (groups of 4, ProGAN)")
    train.add_argument("--unroll", type=positive_int, metavar="K",
                       help="unrolled GAN: the generator answers D after K look-ahead updates (first order)")
    train.add_argument("--pack", type=int_at_least(2, "an integer >= 2"), metavar="M",
                       help="PacGAN: D judges M samples at once (the batch size must be divisible by M)")
    train.add_argument("--d-steps", type=positive_int, help="discriminator updates per generator update (default 1)")
    train.add_argument("--lr-g", type=positive_float, help="Adam's learning rate for the generator")
    train.add_argument("--lr-d", type=positive_float, help="Adam's learning rate for the discriminator")
    train.add_argument("--eval-samples", type=int_at_least(2, "an integer >= 2"), metavar="N",
                       help="samples measured after training (ring: mode coverage; dcgan, cgan: the judge's scores, cgan also label agreement); "
                            "default: the recipe's, 2,500 and 10,000")
    train.add_argument("--ema", type=_decay, metavar="DECAY",
                       help="sample from a moving average of the generator's weights with this decay (e.g. "
                            "0.999; the recipe's by default: dcgan-cpu and cgan-cpu 0.999, others none); "
                            "0 turns it off")
    train.add_argument("--lr-decay", type=_share, metavar="SHARE",
                       help="let both learning rates fall linearly to 0 over this last share of the steps "
                            "(e.g. 0.3; the recipe's by default); 0 keeps them constant")
    add_device_option(train, "where to train")
    train.add_argument("--seed", type=non_negative_int, help="seed of everything random (default: 0)")
    train.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: runs/gan-MODEL)")
    train.add_argument("--resume", action="store_true", help="continue from the checkpoint in --out")
    train.add_argument("--quiet", action="store_true", help="no progress bar or log lines")
    train.set_defaults(run=train_gan, subparser=train)


def _decay(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"expected a decay from 0 to 1 (excluded), got {text!r}")
    return value


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"expected a share of the run from 0 to 1, got {text!r}")
    return value


def _previous_run(parser, args, out: Path) -> dict:
    run = run_to_resume(parser, "gan train", out, args.model) if args.resume else {}
    if not run:
        return {}
    for name in _SETTINGS:
        given = getattr(args, name)
        before = run.get(name, _OLD_DEFAULTS.get(name))
        if name not in ("steps", "epochs") and given is not None and given != before:
            flag = "--" + name.replace("_", "-")
            if name in ("spectral_norm", "minibatch_std"):
                parser.error(f"{out} was trained without {flag}; leave it out to resume, or choose another --out")
            parser.error(f"{out} was trained with {flag} {before}, not {given}; "
                         f"leave {flag} out to resume, or choose another --out")
    return run


def _settings(parser, args, recipe, previous: dict) -> dict:
    if args.width is not None and "width" not in recipe.generator_options:
        parser.error(f"--width applies to dcgan and cgan, not to {args.model}")
    defaults = {"steps": recipe.steps, "epochs": recipe.epochs, "train_size": recipe.train_size,
                "batch_size": recipe.batch_size, "seed": 0, "width": recipe.generator_options.get("width"),
                "loss": "bce", "d_steps": 1, "lr_g": recipe.lr_g, "lr_d": recipe.lr_d, **_REMEDY_DEFAULTS,
                "ema": recipe.ema, "lr_decay": recipe.lr_decay}
    if previous:  # a run resumed: what it had, and for a setting it predates, what it then meant
        defaults.update(_OLD_DEFAULTS)
    settings = {name: previous.get(name, defaults[name]) for name in _SETTINGS}
    for name in _SETTINGS:
        if getattr(args, name) is not None:
            settings[name] = getattr(args, name)
    if recipe.discriminator == "projection_discriminator":
        given = [flag for flag, on in (("--pack", settings["pack"] != 1), ("--minibatch-std", settings["minibatch_std"]),
                                       ("--spectral-norm", settings["spectral_norm"]),
                                       ("--loss wgan-gp", settings["loss"] == "wgan-gp")) if on]
        if given:
            parser.error(f"{given[0]} applies to the ring's and dcgan's discriminators, "
                         f"not to {args.model}'s projection discriminator")
    if settings["loss"] == "wgan-gp":
        settings["gp_weight"] = settings["gp_weight"] or 10.0
    elif args.gp_weight is not None:
        parser.error(f"--gp-weight applies to --loss wgan-gp, not to --loss {settings['loss']}")
    pack, batch = settings["pack"], settings["batch_size"]
    if batch % pack:
        parser.error(f"--pack {pack} needs a batch size divisible by {pack}, got --batch-size {batch}")
    last = settings["train_size"] % batch
    if recipe.name != "ring" and last % pack:  # Fashion-MNIST's last batch is smaller
        parser.error(f"--pack {pack}: the last batch of --train-size {settings['train_size']} has {last} images, "
                     f"not divisible by {pack}")
    group = min(4, batch // pack)
    if settings["minibatch_std"] and (batch // pack) % group:
        parser.error(f"--minibatch-std groups 4 (packed) samples, but a batch has {batch // pack}; "
                     "use a batch size divisible by 4" + (f" x {pack}" if pack > 1 else ""))
    settings["ema"] = settings["ema"] or None  # --ema 0: no average
    settings["lr_decay"] = settings["lr_decay"] or None  # --lr-decay 0: constant learning rates
    if args.steps is not None:
        settings["epochs"] = None
    elif args.epochs is not None:
        settings["steps"] = None
    return settings


def train_gan(parser, args) -> int:
    """``cnnguide gan train MODEL``."""
    from ..figures.gan_training import plot_gan_history, plot_samples_over_training
    from ..gan import recipes
    from ..gan.average import GeneratorEMA
    from ..gan.checkpoint import checkpoint_step
    from ..gan.losses import gan_loss
    from ..gan.toy_data import ring_centers
    from ..gan.training import fit_gan

    if args.model not in recipes.GAN_RECIPES:
        parser.error(f"unknown GAN model {args.model!r}; known: {', '.join(recipes.GAN_RECIPES)}")
    recipe = recipes.get_gan_recipe(args.model)
    out = args.out or Path("runs") / f"gan-{args.model}"
    previous = _previous_run(parser, args, out)
    settings = _settings(parser, args, recipe, previous)
    device = pick_device(parser, args.device)
    d_options = {name: settings[name] for name in ("pack", "minibatch_std", "spectral_norm")
                 if settings[name] != _REMEDY_DEFAULTS[name]}
    if settings["loss"] == "wgan-gp" and recipe.name != "ring":
        d_options["batch_norm"] = False  # the gradient penalty is per example; batch norm mixes them
    generator, discriminator = recipe.build(width=settings["width"] if recipe.name != "ring" else None,
                                            **d_options)
    try:
        data, batch_size = recipes.real_data(recipe, train_size=settings["train_size"],
                                             batch_size=settings["batch_size"], seed=settings["seed"], device=device)
    except (ValueError, OSError) as error:
        return fail("gan train", error)

    ema = GeneratorEMA(generator, settings["ema"]) if settings["ema"] else None
    command = shlex.join(["cnnguide", *args.argv])
    run = {"kind": "gan", "model": args.model, **settings, "discriminator_options": d_options,
           "commands": [*previous.get("commands", []), command]}
    out.mkdir(parents=True, exist_ok=True)
    (out / RUN_JSON).write_text(json.dumps(run, indent=2) + "\n")
    if not args.quiet:
        done = checkpoint_step(out) if args.resume else None
        action = f"resuming {args.model} at step {done}" if done else f"training {args.model}"
        shown = ", ".join(f"{k} {v}" for k, v in settings.items()
                          if v is not None and not (k in _REMEDY_DEFAULTS and v == _REMEDY_DEFAULTS[k]))
        print(f"{action} on {device} ({shown}) into {out}", flush=True)
    try:
        history = fit_gan(
            generator, discriminator, data, steps=settings["steps"], epochs=settings["epochs"],
            batch_size=batch_size, d_steps=settings["d_steps"], unroll=settings["unroll"],
            loss=gan_loss(settings["loss"], **({"gp_weight": settings["gp_weight"]}
                                               if settings["loss"] == "wgan-gp" else {})), lr_g=settings["lr_g"],
            lr_d=settings["lr_d"], betas=recipe.betas, scale_to_tanh=recipe.scale_to_tanh, seed=settings["seed"],
            device=device, init=recipe.init_function, sample_every=recipe.sample_every,
            num_samples=recipe.num_samples, log_every=recipe.log_every, checkpoint_dir=out, resume=args.resume,
            ema=ema, lr_decay=settings["lr_decay"], progress=False if args.quiet else None)
    except (ValueError, FloatingPointError) as error:  # a checkpoint of another run, a diverging loss
        return fail("gan train", error)
    except KeyboardInterrupt:
        print(f"\ninterrupted; the checkpoint in {out} holds the last saved step. Continue with:\n"
              f"  cnnguide gan train {args.model} --resume --out {shlex.quote(str(out))}", file=sys.stderr)
        return 130

    # What the recipe samples from: the average, with batch norm statistics of its own.
    sampler = generator if ema is None else ema.standing_statistics(seed=settings["seed"])
    measured = recipes.evaluate(recipe, sampler, seed=settings["seed"], samples=args.eval_samples)
    parameters = {"generator": sum(p.numel() for p in generator.parameters()),
                  "discriminator": sum(p.numel() for p in discriminator.parameters())}
    history.save_json(out / "metrics.json", **run, recipe=recipe.name, parameters=parameters, command=command,
                      **measured)
    history.save_csv(out / "metrics.csv")
    where = history.metadata.get("device", device)
    plot_gan_history(history, title=f"{recipe.title}, {where}").savefig(out / "curves.png")
    real = data[:2000] if isinstance(data, torch.Tensor) else None
    plot_samples_over_training(history, real=real, centers=ring_centers() if real is not None else None).savefig(
        out / "samples.png")
    if not args.quiet:
        print(history)
        for line in score_lines(measured):
            print(line)
        print(f"wrote metrics.json, metrics.csv, curves.png, samples.png and the checkpoint into {out}")
    return 0
