"""Checkpoints of a GAN run: two networks, two optimizers, the noise generator and the samples.

Built from :mod:`cnnguide.train.checkpoint`'s pieces, in the same layout: a
``checkpoint.json`` (step, history, hyper-parameters, optimizer records, the
data stream's position, Python's and numpy's generator states) naming one
``step-NNNNNNN.safetensors`` (weights, optimizer tensors, torch's generator
states, the fixed-noise samples). No pickle anywhere.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch

from ..train.checkpoint import (CHECKPOINT_JSON, load_module_tensors, load_optimizer_tensors, module_tensors,
                                optimizer_tensors, read_checkpoint, rng_state, set_rng_state, write_checkpoint)
from .history import GANHistory

__all__ = ["FORMAT", "checkpoint_step", "load_gan_checkpoint", "save_gan_checkpoint"]

FORMAT = "cnnguide-gan-checkpoint-1"


def save_gan_checkpoint(directory, *, generator, discriminator, optimizer_g, optimizer_d, step: int,
                        history: GANHistory, options: dict, state: dict, tensors: dict) -> Path:
    """Save a GAN run after ``step`` generator updates into ``directory``.

    ``options`` are the hyper-parameters a resumed run must share; ``state``
    (JSON values) and ``tensors`` are whatever else the loop needs to continue
    exactly (the data stream's position, the noise generator's state).
    """
    all_tensors = {**module_tensors("generator.", generator), **module_tensors("discriminator.", discriminator)}
    records = {}
    for name, optimizer in (("optimizer_g", optimizer_g), ("optimizer_d", optimizer_d)):
        opt_tensors, records[name] = optimizer_tensors(name, optimizer)
        all_tensors.update(opt_tensors)
    rng_tensors, rng_info = rng_state()
    all_tensors.update(rng_tensors)
    all_tensors.update({f"samples.{k}": v.detach().cpu().contiguous().clone() for k, v in history.samples.items()})
    all_tensors.update({f"state.{k}": v.detach().cpu().contiguous().clone() for k, v in tensors.items()})
    record = {"format": FORMAT, "step": step, "options": options, "state": state,
              "history": history.to_dict(), **records, "rng": rng_info}
    return write_checkpoint(directory, f"step-{step:07d}.safetensors", all_tensors, record,
                            stale="step-*.safetensors")


def load_gan_checkpoint(directory, *, generator, discriminator, optimizer_g, optimizer_d, check_options=None):
    """Restore both networks, both optimizers and torch's, Python's and numpy's generators.

    ``check_options``, if given, is called with the saved options before
    anything is loaded (so that a run with other settings, e.g. another
    discriminator, is refused by its own message rather than by a shape error).

    Returns
    -------
    (step, history, options, state, tensors) or None
        ``None`` if ``directory`` holds no checkpoint; ``history`` has its
        samples; ``state`` and ``tensors`` are those given to
        :func:`save_gan_checkpoint`.
    """
    loaded = read_checkpoint(directory, FORMAT)
    if loaded is None:
        return None
    record, tensors = loaded
    if check_options is not None:
        check_options(record["options"])
    load_module_tensors("generator.", generator, tensors)
    load_module_tensors("discriminator.", discriminator, tensors)
    load_optimizer_tensors(optimizer_g, record["optimizer_g"], tensors)
    load_optimizer_tensors(optimizer_d, record["optimizer_d"], tensors)
    set_rng_state(tensors, record["rng"])
    samples = {int(k.removeprefix("samples.")): v for k, v in tensors.items() if k.startswith("samples.")}
    history = GANHistory.from_dict(record["history"], samples=samples)
    extra = {k.removeprefix("state."): v for k, v in tensors.items() if k.startswith("state.")}
    return record["step"], history, record["options"], record["state"], extra


def checkpoint_step(directory) -> int | None:
    """The step of the GAN checkpoint in ``directory``, or ``None`` if it holds none (reads only the JSON)."""
    path = Path(directory) / CHECKPOINT_JSON
    if not path.is_file():
        return None
    record = json.loads(path.read_text())
    return record.get("step") if record.get("format") == FORMAT else None
