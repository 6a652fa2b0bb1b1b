"""Reading a run folder back: its settings, its weights, and what kind of run it is.

``cnnguide train`` and ``cnnguide gan train`` write ``run.json`` into their
output folder when a run starts. The commands that read a run (``predict``,
``evaluate``, ``gan sample``, ``gan score``) start here, so that a missing,
damaged or wrong kind of file is one line naming it, never a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["MODEL_WEIGHTS", "RUN_JSON", "RunError", "load_classifier", "load_generator", "load_tensors", "read_run",
           "run_kind", "run_to_resume"]

RUN_JSON = "run.json"
#: The weights a ``--data`` / ``--recipe baseline`` run ends with (its best epoch's).
MODEL_WEIGHTS = "model.safetensors"


class RunError(ValueError):
    """A run folder that cannot be used; the message names the file and what to do."""


def read_run(run_dir) -> dict:
    """The settings ``run.json`` of ``run_dir`` records."""
    run_dir = Path(run_dir)
    path = run_dir / RUN_JSON
    if not run_dir.is_dir():
        raise RunError(f"{run_dir} is not a folder: give the output folder of cnnguide train or cnnguide gan train")
    if not path.is_file():
        raise RunError(f"{run_dir} holds no {RUN_JSON}: it is not the output folder of a cnnguide training run")
    try:
        run = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as error:
        raise RunError(f"{path} is damaged: not readable JSON ({error})") from None
    if not isinstance(run, dict) or "model" not in run:
        raise RunError(f"{path} is damaged: it names no model")
    return run


def run_to_resume(parser, command: str, out: Path, model: str) -> dict:
    """With ``--resume``: the settings the run in ``out`` recorded (empty if there is none yet).

    A damaged ``run.json`` ends the command with its one-line error; a run of
    another model is a usage error.
    """
    if not (Path(out) / RUN_JSON).is_file():
        return {}
    try:
        run = read_run(out)
    except RunError as error:
        parser.exit(1, f"cnnguide {command}: error: {error}\n")
    if run.get("model") != model:
        parser.error(f"{out} holds a run of {run.get('model')!r}, not {model!r}; choose another --out")
    return run


def run_kind(run: dict) -> str:
    """``"gan"``, ``"classifier"`` (a ``--data`` or baseline run, with its classes) or ``"fashion-mnist"``.

    >>> run_kind({"model": "dcgan", "lr_g": 2e-4}), run_kind({"model": "lenet", "classes": ["a", "b"]})
    ('gan', 'classifier')
    """
    if run.get("kind"):
        return run["kind"]
    if "discriminator_options" in run or "lr_g" in run:  # written before run.json had a kind
        return "gan"
    return "classifier" if "classes" in run else "fashion-mnist"


def load_tensors(path) -> dict:
    """The tensors of a safetensors file; a missing or damaged one is a :class:`RunError` naming it."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    path = Path(path)
    if not path.is_file():
        raise RunError(f"{path} is missing")
    try:
        return load_file(str(path))
    except (SafetensorError, OSError, ValueError) as error:
        raise RunError(f"{path} is damaged or cut short ({error}); train the run again or restore the file") from None


def load_classifier(run_dir):
    """The network a ``--data`` run ended with, and its ``run.json``.

    Refuses a GAN run, and a Fashion-MNIST run of plain ``cnnguide train``
    (its weights live in the training checkpoint, and it records no classes).
    """
    from .. import models

    run_dir = Path(run_dir)
    run = read_run(run_dir)
    kind = run_kind(run)
    if kind == "gan":
        raise RunError(f"{run_dir} is a GAN run ({run['model']}); use cnnguide gan sample or cnnguide gan score")
    if kind != "classifier":
        raise RunError(f"{run_dir} is a Fashion-MNIST run of plain cnnguide train; train with --data DIR or "
                       "--recipe baseline to get a run that predict and evaluate read")
    tensors = load_tensors(run_dir / MODEL_WEIGHTS)
    net = models.create(run["model"], num_classes=len(run["classes"]), in_channels=run["channels"],
                        **run.get("model_options", {}))
    try:
        net.load_state_dict(tensors)
    except RuntimeError as error:
        raise RunError(f"{run_dir / MODEL_WEIGHTS} does not fit the {run['model']} that {RUN_JSON} describes: "
                       f"{str(error).splitlines()[0]}") from None
    return net, run


def load_generator(run_dir, *, raw: bool = False):
    """The generator of a ``cnnguide gan train`` run, its ``run.json`` and which weights were loaded.

    Returns ``(generator, run, weights)``: the moving average of the weights
    where the run kept one (``weights`` is ``"average"``; its batch norm
    statistics recomputed from its own outputs, as the run measured it), else
    (or with ``raw``) the generator's own (``"raw"``), from the run's last checkpoint.
    """
    from ..gan.checkpoint import FORMAT
    from ..gan.recipes import GAN_RECIPES
    from ..train.checkpoint import read_checkpoint

    run_dir = Path(run_dir)
    run = read_run(run_dir)
    if run_kind(run) != "gan":
        raise RunError(f"{run_dir} is a classifier run ({run['model']}), not a GAN run; "
                       "use cnnguide predict or cnnguide evaluate")
    if run["model"] not in GAN_RECIPES:
        raise RunError(f"{run_dir / RUN_JSON} names the GAN recipe {run['model']!r}, which this cnnguide "
                       f"does not know (known: {', '.join(GAN_RECIPES)})")
    recipe = GAN_RECIPES[run["model"]]
    loaded = read_checkpoint(run_dir, FORMAT)
    if loaded is None:
        raise RunError(f"{run_dir} holds no checkpoint.json: the run saved no weights yet")
    record, tensors = loaded
    generator, _ = recipe.build(width=run.get("width") if "width" in recipe.generator_options else None)
    average = {k.removeprefix("state.ema.module."): v for k, v in tensors.items()
               if k.startswith("state.ema.module.")}
    weights = "average" if average and not raw else "raw"
    chosen = average if weights == "average" else {k.removeprefix("generator."): v for k, v in tensors.items()
                                                  if k.startswith("generator.")}
    try:
        generator.load_state_dict(chosen)
    except RuntimeError as error:
        raise RunError(f"the checkpoint in {run_dir} does not fit the generator {RUN_JSON} describes: "
                       f"{str(error).splitlines()[0]}") from None
    run = {**run, "step": record.get("step")}
    if weights == "average":  # as the run measured it: with batch norm statistics of its own
        from ..gan.average import standing_statistics

        generator = standing_statistics(generator, seed=run.get("seed") or 0)
    return generator.eval(), run, weights
