"""Checkpoints without pickle: tensors in safetensors, everything else in JSON.

A checkpoint folder holds ``epoch-NNNN.safetensors`` (weights, optimizer
tensors such as momentum buffers, the torch random-number generator states) and
``checkpoint.json`` (epoch, history, hyper-parameters, the optimizer's
non-tensor state, Python's and numpy's generator states). ``checkpoint.json``
names its tensor file and is replaced last and atomically, so a run killed
while saving leaves the previous checkpoint intact. Loading a checkpoint never
executes code from the files, unlike ``torch.load`` of a pickle.
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

__all__ = ["load_checkpoint", "save_checkpoint"]

CHECKPOINT_JSON = "checkpoint.json"


def _write_atomically(path: Path, write) -> None:
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    os.replace(tmp, path)


def _rng_state() -> tuple[dict, dict]:
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


def _set_rng_state(tensors: dict, info: dict) -> None:
    torch.set_rng_state(tensors["rng.torch"])
    cuda = [tensors[k] for k in sorted(k for k in tensors if k.startswith("rng.cuda."))]
    if cuda and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(cuda[: torch.cuda.device_count()])
    version, internal, gauss = info["python"]
    random.setstate((version, tuple(internal), gauss))
    kind, keys, pos, has_gauss, cached = info["numpy"]
    np.random.set_state((kind, np.array(keys, dtype=np.uint32), pos, has_gauss, cached))


def save_checkpoint(directory, net: torch.nn.Module, optimizer: torch.optim.Optimizer,
                    epoch: int, history: History, options: dict) -> Path:
    """Save the state after ``epoch`` epochs (counted from 1) into ``directory``.

    ``options`` are the run's hyper-parameters (JSON values); :func:`load_checkpoint`
    returns them so that a resumed run can check it is the same run.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    # clone(): safetensors refuses tensors that share memory (tied weights) and
    # wants them contiguous (channels_last weights are not, in NCHW terms).
    tensors = {f"model.{k}": v.detach().cpu().contiguous().clone() for k, v in net.state_dict().items()}
    opt = optimizer.state_dict()
    opt_state = {}
    for index, entry in opt["state"].items():
        opt_state[str(index)] = {}
        for key, value in entry.items():
            if torch.is_tensor(value):
                name = f"optimizer.{index}.{key}"
                tensors[name] = value.detach().cpu().contiguous().clone()
                opt_state[str(index)][key] = {"tensor": name}
            else:
                opt_state[str(index)][key] = value
    rng_tensors, rng_info = _rng_state()
    tensors.update(rng_tensors)

    tensor_file = directory / f"epoch-{epoch:04d}.safetensors"
    _write_atomically(tensor_file, lambda p: save_file(tensors, str(p)))
    record = {
        "format": "cnnguide-checkpoint-1",
        "epoch": epoch,
        "tensors": tensor_file.name,
        "options": options,
        "history": history.to_dict(),
        "optimizer": {"state": opt_state, "param_groups": opt["param_groups"]},
        "rng": rng_info,
    }
    _write_atomically(directory / CHECKPOINT_JSON, lambda p: p.write_text(json.dumps(record)))
    for old in directory.glob("epoch-*.safetensors"):
        if old.name != tensor_file.name:
            old.unlink()
    return directory / CHECKPOINT_JSON


def load_checkpoint(directory, net: torch.nn.Module, optimizer: torch.optim.Optimizer):
    """Restore ``net``, ``optimizer`` and the random generators from ``directory``.

    Returns
    -------
    (epoch, history, options) or None
        ``None`` if ``directory`` holds no checkpoint.
    """
    path = Path(directory) / CHECKPOINT_JSON
    if not path.is_file():
        return None
    record = json.loads(path.read_text())
    if record.get("format") != "cnnguide-checkpoint-1":
        raise ValueError(f"{path} is not a cnnguide checkpoint")
    tensors = load_file(str(Path(directory) / record["tensors"]))
    weights = {k.removeprefix("model."): v for k, v in tensors.items() if k.startswith("model.")}
    net.load_state_dict(weights)
    state = {
        int(index): {k: tensors[v["tensor"]] if isinstance(v, dict) and "tensor" in v else v
                     for k, v in entry.items()}
        for index, entry in record["optimizer"]["state"].items()
    }
    optimizer.load_state_dict({"state": state, "param_groups": record["optimizer"]["param_groups"]})
    _set_rng_state(tensors, record["rng"])
    return record["epoch"], History.from_dict(record["history"]), record["options"]
