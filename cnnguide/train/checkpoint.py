"""Checkpoints without pickle: tensors in safetensors, everything else in JSON.

A checkpoint folder holds ``epoch-NNNN.safetensors`` (weights, optimizer
tensors such as momentum buffers, the torch random-number generator states) and
``checkpoint.json`` (epoch, history, hyper-parameters, the optimizer's
non-tensor state, Python's and numpy's generator states). ``checkpoint.json``
names its tensor file and is replaced last and atomically, so a run killed
while saving leaves the previous checkpoint intact. The checkpoint before the
last is kept too (``checkpoint.previous.json`` and its tensor file): when a
disk fills up or a copy is cut short, the last checkpoint may not read, and
:func:`read_checkpoint` then names the damaged file and offers the previous one.
Loading a checkpoint never executes code from the files, unlike ``torch.load``
of a pickle.

:func:`save_checkpoint` and :func:`load_checkpoint` are the classifier loop's;
the pieces they are made of (:func:`module_tensors`, :func:`optimizer_tensors`,
:func:`rng_state`, :func:`write_checkpoint`, :func:`read_checkpoint` and their
inverses) serve other loops with other states, such as
:func:`cnnguide.gan.fit_gan`'s two networks and two optimizers.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from .history import History

__all__ = [
    "CheckpointError", "load_checkpoint", "load_module_tensors", "load_optimizer_tensors", "module_tensors", "optimizer_tensors",
    "read_checkpoint", "rng_state", "save_checkpoint", "set_rng_state", "write_checkpoint",
]

CHECKPOINT_JSON = "checkpoint.json"
PREVIOUS_JSON = "checkpoint.previous.json"


class CheckpointError(ValueError):
    """A checkpoint that cannot be read; the message names the damaged file (and any previous checkpoint that reads)."""


def _write_atomically(path: Path, write) -> None:
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    os.replace(tmp, path)


def rng_state() -> tuple[dict, dict]:
    """The global generators' states: torch's (and CUDA's) as tensors, Python's and numpy's as JSON."""
    tensors = {"rng.torch": torch.get_rng_state()}
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        for i, state in enumerate(torch.cuda.get_rng_state_all()):
            tensors[f"rng.cuda.{i}"] = state
    version, internal, gauss = random.getstate()
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    info = {
        "python": [version, list(internal), gauss],
        "numpy": [kind, keys.tolist(), int(pos), int(has_gauss), float(cached)],
    }
    return tensors, info


def set_rng_state(tensors: dict, info: dict) -> None:
    """Inverse of :func:`rng_state`."""
    torch.set_rng_state(tensors["rng.torch"])
    cuda = [tensors[k] for k in sorted(k for k in tensors if k.startswith("rng.cuda."))]
    if cuda and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(cuda[: torch.cuda.device_count()])
    version, internal, gauss = info["python"]
    random.setstate((version, tuple(internal), gauss))
    kind, keys, pos, has_gauss, cached = info["numpy"]
    np.random.set_state((kind, np.array(keys, dtype=np.uint32), pos, has_gauss, cached))


def module_tensors(prefix: str, module: torch.nn.Module) -> dict[str, torch.Tensor]:
    """``module``'s state dict as CPU tensors named ``prefix + key``, ready for safetensors."""
    # clone(): safetensors refuses tensors that share memory (tied weights) and
    # wants them contiguous (channels_last weights are not, in NCHW terms).
    return {f"{prefix}{k}": v.detach().cpu().contiguous().clone() for k, v in module.state_dict().items()}


def load_module_tensors(prefix: str, module: torch.nn.Module, tensors: dict) -> None:
    """Inverse of :func:`module_tensors`: load the tensors named ``prefix + key`` into ``module``."""
    module.load_state_dict({k.removeprefix(prefix): v for k, v in tensors.items() if k.startswith(prefix)})


def optimizer_tensors(prefix: str, optimizer: torch.optim.Optimizer) -> tuple[dict, dict]:
    """Split ``optimizer``'s state into tensors (named ``prefix.index.key``) and a JSON record."""
    opt = optimizer.state_dict()
    tensors, opt_state = {}, {}
    for index, entry in opt["state"].items():
        opt_state[str(index)] = {}
        for key, value in entry.items():
            if torch.is_tensor(value):
                name = f"{prefix}.{index}.{key}"
                tensors[name] = value.detach().cpu().contiguous().clone()
                opt_state[str(index)][key] = {"tensor": name}
            else:
                opt_state[str(index)][key] = value
    return tensors, {"state": opt_state, "param_groups": opt["param_groups"]}


def load_optimizer_tensors(optimizer: torch.optim.Optimizer, record: dict, tensors: dict) -> None:
    """Inverse of :func:`optimizer_tensors`."""
    state = {
        int(index): {k: tensors[v["tensor"]] if isinstance(v, dict) and "tensor" in v else v
                     for k, v in entry.items()}
        for index, entry in record["state"].items()
    }
    optimizer.load_state_dict({"state": state, "param_groups": record["param_groups"]})


def write_checkpoint(directory, tensor_name: str, tensors: dict, record: dict, stale: str) -> Path:
    """Write ``tensors`` into ``directory/tensor_name``, then ``record`` (plus ``"tensors"``) as JSON.

    The JSON file is replaced last and atomically, so a run killed while
    saving leaves the previous checkpoint intact. The checkpoint it replaces
    becomes ``checkpoint.previous.json``; tensor files matching the glob
    ``stale`` that neither names are removed. Returns the JSON file's path.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    tensor_file = directory / tensor_name
    current, previous = directory / CHECKPOINT_JSON, directory / PREVIOUS_JSON
    _write_atomically(tensor_file, lambda p: save_file(tensors, str(p)))
    keep = {tensor_file.name}
    if current.is_file():
        try:
            before = json.loads(current.read_text())
        except ValueError:  # a damaged checkpoint is not worth keeping as the previous one
            before = None
        if isinstance(before, dict) and before.get("tensors") not in (None, tensor_file.name):
            _write_atomically(previous, lambda p: p.write_text(json.dumps(before)))
            keep.add(before["tensors"])
    record = {**record, "tensors": tensor_file.name}
    _write_atomically(current, lambda p: p.write_text(json.dumps(record)))
    for old in directory.glob(stale):
        if old.name not in keep:
            old.unlink()
    return current


def _read_one(json_path: Path, format: str) -> tuple[dict, dict]:
    """``(record, tensors)`` of one checkpoint file, or a :class:`CheckpointError` naming what does not read."""
    from safetensors import SafetensorError

    try:
        record = json.loads(json_path.read_text())
    except (ValueError, UnicodeDecodeError) as error:
        raise CheckpointError(f"{json_path} is damaged: not readable JSON ({error})") from None
    if not isinstance(record, dict) or record.get("format") != format:
        found = record.get("format") if isinstance(record, dict) else type(record).__name__
        raise ValueError(f"{json_path} is not a {format} checkpoint (its format is {found!r})")
    tensor_path = json_path.parent / str(record.get("tensors"))
    if not tensor_path.is_file():
        raise CheckpointError(f"{json_path} names {tensor_path.name}, which is missing")
    try:
        return record, load_file(str(tensor_path))
    except (SafetensorError, OSError, ValueError) as error:
        raise CheckpointError(f"{tensor_path} is damaged or cut short ({error})") from None


def read_checkpoint(directory, format: str) -> tuple[dict, dict] | None:
    """``(record, tensors)`` of the checkpoint in ``directory``, or ``None`` if there is none.

    Raises ``ValueError`` if the checkpoint is not of ``format``, and
    :class:`CheckpointError` (one line, naming the damaged file) if it does not
    read; when the previous checkpoint still reads, the message says how to
    continue from it.
    """
    directory = Path(directory)
    path = directory / CHECKPOINT_JSON
    if not path.is_file():
        return None
    try:
        return _read_one(path, format)
    except CheckpointError as error:
        problem = str(error)
    previous = directory / PREVIOUS_JSON
    if previous.is_file():
        try:
            record, _ = _read_one(previous, format)
        except (CheckpointError, ValueError):
            pass
        else:
            where = f"epoch {record['epoch']}" if "epoch" in record else f"step {record.get('step')}"
            raise CheckpointError(f"{problem}; the previous checkpoint ({where}) still reads: to continue from it, "
                                  f"replace {path} with {previous} and resume again")
    raise CheckpointError(f"{problem}; no earlier checkpoint reads: start the run again")


def save_checkpoint(directory, net: torch.nn.Module, optimizer: torch.optim.Optimizer,
                    epoch: int, history: History, options: dict) -> Path:
    """Save the state after ``epoch`` epochs (counted from 1) into ``directory``.

    ``options`` are the run's hyper-parameters (JSON values); :func:`load_checkpoint`
    returns them so that a resumed run can check it is the same run.
    """
    tensors = module_tensors("model.", net)
    opt_tensors, opt_record = optimizer_tensors("optimizer", optimizer)
    rng_tensors, rng_info = rng_state()
    record = {
        "format": "cnnguide-checkpoint-1",
        "epoch": epoch,
        "options": options,
        "history": history.to_dict(),
        "optimizer": opt_record,
        "rng": rng_info,
    }
    return write_checkpoint(directory, f"epoch-{epoch:04d}.safetensors", {**tensors, **opt_tensors, **rng_tensors},
                            record, stale="epoch-*.safetensors")


def load_checkpoint(directory, net: torch.nn.Module, optimizer: torch.optim.Optimizer):
    """Restore ``net``, ``optimizer`` and the random generators from ``directory``.

    Returns
    -------
    (epoch, history, options) or None
        ``None`` if ``directory`` holds no checkpoint.
    """
    loaded = read_checkpoint(directory, "cnnguide-checkpoint-1")
    if loaded is None:
        return None
    record, tensors = loaded
    load_module_tensors("model.", net, tensors)
    load_optimizer_tensors(optimizer, record["optimizer"], tensors)
    set_rng_state(tensors, record["rng"])
    return record["epoch"], History.from_dict(record["history"]), record["options"]
