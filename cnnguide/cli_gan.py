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
``--resume`` continues from, and ``run.json``, the settings of the run: a
resumed run takes from it every setting not given again.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

import torch

__all__ = ["build_gan_parser", "gan_main"]

RUN_JSON = "run.json"
#: The settings a run records in run.json; all but steps/epochs must match when resuming.
_SETTINGS = ("steps", "epochs", "train_size", "batch_size", "seed", "width", "loss", "d_steps", "lr_g", "lr_d",
             "gp_weight", "spectral_norm", "minibatch_std", "unroll", "pack")
#: The remedies' settings (the last five), with what a run without them has.
_REMEDY_DEFAULTS = {"gp_weight": None, "spectral_norm": False, "minibatch_std": False, "unroll": 0, "pack": 1}


def gan_main(argv: list[str]) -> int:
    """Run ``cnnguide gan ARGV`` (called by :func:`cnnguide.cli.main`, which hands ``gan`` over unparsed)."""
    args = build_gan_parser().parse_args(argv)
    args.argv = ["gan", *argv]
    return args.run(args.subparser, args)


def build_gan_parser() -> argparse.ArgumentParser:
    """The parser of ``cnnguide gan``: its own, so that the other commands never import the GAN package."""
    from .cli import GAN_HELP, _int_at_least, _non_negative_int, _positive_float, _positive_int
    from .gan.losses import loss_names
    from .gan.recipes import GAN_RECIPES

    gan = argparse.ArgumentParser(prog="cnnguide gan", description=GAN_HELP[0].upper() + GAN_HELP[1:] + ".")
    gan_commands = gan.add_subparsers(dest="gan_command", metavar="COMMAND", required=True)
    names = ", ".join(GAN_RECIPES)
    train = gan_commands.add_parser(
        "train", help="train a GAN recipe and save its metrics, curves, samples and checkpoint",
        description="Train the GAN recipe MODEL. Flags left out take the recipe's settings "
        "(cnnguide.gan.recipes): ring: 25,000 steps, batch 512; dcgan and cgan: 25 epochs, batch 128, width 64.")
    train.add_argument("model", metavar="MODEL", help=f"a GAN recipe: {names}")
    length = train.add_mutually_exclusive_group()
    length.add_argument("--steps", type=_positive_int, help="total generator updates (with --resume: up to this step)")
    length.add_argument("--epochs", type=_positive_int, help="total passes over the real data by the discriminator")
    train.add_argument("--train-size", type=_positive_int, metavar="N",
                       help="real examples: points drawn from the ring, or the first N Fashion-MNIST images")
    train.add_argument("--batch-size", type=_positive_int, help="examples per mini-batch")
    train.add_argument("--width", type=_positive_int, help="dcgan and cgan only: channels of the first layer (64 in the recipes)")
    train.add_argument("--loss", choices=loss_names(),
                       help="the players' losses (default: bce, non-saturating); wgan-gp: a Wasserstein critic "
                            "with a gradient penalty (DCGAN's critic is then built without batch norm); "
                            "hinge: SNGAN's and BigGAN's margins, usually with --spectral-norm")
    train.add_argument("--gp-weight", type=_positive_float, metavar="X",
                       help="with --loss wgan-gp: the gradient penalty's weight (default 10)")
    train.add_argument("--spectral-norm", action="store_true", default=None,
                       help="spectral normalization of every discriminator layer (Miyato et al. 2018)")
    train.add_argument("--minibatch-std", action="store_true", default=None,
                       help="a minibatch standard deviation feature before D's last layer (groups of 4, ProGAN)")
    train.add_argument("--unroll", type=_positive_int, metavar="K",
                       help="unrolled GAN: the generator answers D after K look-ahead updates (first order)")
    train.add_argument("--pack", type=_int_at_least(2, "an integer >= 2"), metavar="M",
                       help="PacGAN: D judges M samples at once (the batch size must be divisible by M)")
    train.add_argument("--d-steps", type=_positive_int, help="discriminator updates per generator update (default 1)")
    train.add_argument("--lr-g", type=_positive_float, help="Adam's learning rate for the generator")
    train.add_argument("--lr-d", type=_positive_float, help="Adam's learning rate for the discriminator")
    train.add_argument("--eval-samples", type=_int_at_least(2, "an integer >= 2"), metavar="N",
                       help="samples measured after training (ring: mode coverage; dcgan, cgan: the judge's scores, cgan also label agreement); "
                            "default: the recipe's, 2,500 and 10,000")
    train.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto",
                       help="where to train; auto = the first GPU if there is one (default)")
    train.add_argument("--seed", type=_non_negative_int, help="seed of everything random (default: 0)")
    train.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: runs/gan-MODEL)")
    train.add_argument("--resume", action="store_true", help="continue from the checkpoint in --out")
    train.add_argument("--quiet", action="store_true", help="no progress bar or log lines")
    train.set_defaults(run=_train, subparser=train)
    return gan


def _previous_run(parser, args, out: Path) -> dict:
    path = out / RUN_JSON
    if not args.resume or not path.is_file():
        return {}
    run = json.loads(path.read_text())
    if run.get("model") != args.model:
        parser.error(f"{out} holds a run of {run.get('model')!r}, not {args.model!r}; choose another --out")
    for name in _SETTINGS:
        given = getattr(args, name)
        before = run.get(name, _REMEDY_DEFAULTS.get(name))
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
                "loss": "bce", "d_steps": 1, "lr_g": recipe.lr_g, "lr_d": recipe.lr_d, **_REMEDY_DEFAULTS}
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
    if args.steps is not None:
        settings["epochs"] = None
    elif args.epochs is not None:
        settings["steps"] = None
    return settings


def _train(parser, args) -> int:
    from .figures.gan_training import plot_gan_history, plot_samples_over_training
    from .gan import recipes
    from .gan.checkpoint import checkpoint_step
    from .gan.losses import gan_loss
    from .gan.training import fit_gan
    from .gan.toy_data import ring_centers
    from .devices import try_gpu

    if args.model not in recipes.GAN_RECIPES:
        parser.error(f"unknown GAN model {args.model!r}; known: {', '.join(recipes.GAN_RECIPES)}")
    recipe = recipes.get_gan_recipe(args.model)
    out = args.out or Path("runs") / f"gan-{args.model}"
    previous = _previous_run(parser, args, out)
    settings = _settings(parser, args, recipe, previous)
    if args.device == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda: no CUDA device is available")
    device = try_gpu() if args.device == "auto" else torch.device(args.device)
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
        return _fail(error)

    command = shlex.join(["cnnguide", *args.argv])
    run = {"model": args.model, **settings, "discriminator_options": d_options,
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
            progress=False if args.quiet else None)
    except (ValueError, FloatingPointError) as error:  # a checkpoint of another run, a diverging loss
        return _fail(error)
    except KeyboardInterrupt:
        print(f"\ninterrupted; the checkpoint in {out} holds the last saved step. Continue with:\n"
              f"  cnnguide gan train {args.model} --resume --out {shlex.quote(str(out))}", file=sys.stderr)
        return 130

    measured = recipes.evaluate(recipe, generator, seed=settings["seed"], samples=args.eval_samples)
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
        if "mode_coverage" in measured:
            c = measured["mode_coverage"]
            kl = "undefined" if c["reverse_kl"] is None else f"{c['reverse_kl']:.3f}"
            print(f"mode coverage of {c['samples']} samples: {c['modes']}/{c['of']} modes, "
                  f"{100 * c['high_quality']:.1f}% high quality, reverse KL {kl}")
        if "label_agreement" in measured:
            print(f"label agreement (the judge's class = the class asked for): "
                  f"{measured['label_agreement']['overall']:.3f}")
        if "judge" in measured:
            j = measured["judge"]
            print(f"the judge on {j['samples']} samples: Inception Score {j['inception_score']:.2f}, judge FID "
                  f"{j['judge_fid']:.2f} (against {j['real_test_images']} test images), "
                  f"{j['classes_covered']}/10 classes covered")
        print(f"wrote metrics.json, metrics.csv, curves.png, samples.png and the checkpoint into {out}")
    return 0


def _fail(error: BaseException) -> int:
    print(f"cnnguide gan train: error: {error}", file=sys.stderr)
    return 1


def gan_summary(parser, args) -> int:
    """``cnnguide summary dcgan_generator``: the layer table of a GAN network, on its own input shape.

    ``--in-channels`` is the image channels of a DCGAN network (the generator's
    output, the discriminator's input); builder options come with ``-o``.
    """
    from .gan import nets
    from .summary import summarize

    options = dict(args.option)
    if args.num_classes != 10:
        parser.error(f"--num-classes does not apply to {args.model}: it outputs "
                     + ("samples" if "generator" in args.model else "one logit per example"))
    channels = {"dcgan_generator": "out_channels", "dcgan_discriminator": "in_channels",
                "conditional_dcgan_generator": "out_channels",
                "projection_discriminator": "in_channels"}.get(args.model)
    if channels:
        options.setdefault(channels, args.in_channels)
    elif args.in_channels != 1:
        parser.error(f"--in-channels does not apply to {args.model}")
    if args.size is not None and not (args.model in ("dcgan_discriminator", "projection_discriminator")
                                      and args.size == 28):
        parser.error(f"--size does not apply to {args.model}: "
                     + ("DCGAN's networks are built for 28x28 images" if "dcgan" in args.model
                        else "it takes vectors, not images"))
    try:
        net = nets.create(args.model, **options)
    except (TypeError, ValueError) as error:
        parser.error(f"cannot build {args.model}: {error}")
    shape = nets.input_shape(net)
    if getattr(net, "num_classes", None) is not None:  # a conditional network: the label too
        from .gan.conditional import FixedLabel

        print(f"{args.model}, input {shape} and a label (0 here)")
        print(summarize(FixedLabel(net), shape))
        return 0
    print(f"{args.model}, input {shape}")
    print(summarize(net, shape))
    return 0
