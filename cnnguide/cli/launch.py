"""``cnnguide train --nproc-per-node N``: start the command again under torch's launcher, ``torchrun``.

``torchrun --nproc-per-node N -m cnnguide train ...`` starts N processes on
this machine, each running the same command with ``RANK``, ``WORLD_SIZE`` and
``LOCAL_RANK`` in its environment; :func:`cnnguide.train.fit` then trains
data-parallel (see :mod:`cnnguide.train.distributed`). ``--nproc-per-node``
saves typing that line: the command runs itself through
``python -m torch.distributed.run --standalone`` (torchrun's own module; a
rendezvous on this machine at a free port) without the option, and returns its
exit status. Several machines need torchrun's own ``--nnodes`` and rendezvous
options, so they are started with ``torchrun`` directly (see the page "Beyond
one GPU").
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

__all__ = ["OPTION", "compare_runs", "launcher_command", "max_weight_difference", "relaunch"]

#: The option of ``cnnguide train`` that starts the processes.
OPTION = "--nproc-per-node"


def launcher_command(argv: list[str], nproc: int) -> list[str]:
    """The torchrun command line that runs ``cnnguide`` with ``argv`` less ``--nproc-per-node``, ``nproc`` times.

    Examples
    --------
    >>> launcher_command(["train", "lenet", "--nproc-per-node", "2", "--quiet"], 2)[1:]
    ['-m', 'torch.distributed.run', '--standalone', '--nproc-per-node', '2', '-m', 'cnnguide', 'train', 'lenet', '--quiet']
    >>> launcher_command(["train", "lenet", "--nproc-per-node=4"], 4)[-3:]
    ['cnnguide', 'train', 'lenet']
    """
    rest, skip = [], False
    for item in argv:
        if skip:
            skip = False
        elif item == OPTION:
            skip = True  # its value follows
        elif not item.startswith(OPTION + "="):
            rest.append(item)
    return [sys.executable, "-m", "torch.distributed.run", "--standalone", OPTION, str(nproc),
            "-m", "cnnguide", *rest]


def relaunch(argv: list[str], nproc: int) -> int:
    """Run ``cnnguide argv`` in ``nproc`` processes through torchrun; return its exit status.

    torchrun ends every process when one fails and exits non-zero, printing
    the failed rank's error.

    Raises
    ------
    ValueError
        Inside a process torchrun started already (``WORLD_SIZE`` is set):
        launching from there would start processes within processes.
    """
    if "WORLD_SIZE" in os.environ:
        raise ValueError(f"{OPTION} inside a distributed run (WORLD_SIZE={os.environ['WORLD_SIZE']} is set): "
                         "torchrun already started the processes; leave the option out")
    env = dict(os.environ)
    if nproc > 1:
        # torchrun sets this itself when it is unset, with a banner about it; set it here, quietly, instead.
        env.setdefault("OMP_NUM_THREADS", "1")
    return subprocess.run(launcher_command(argv, nproc), env=env).returncode


def _final_weights(folder: Path) -> dict:
    from safetensors.torch import load_file

    checkpoints = sorted(folder.glob("epoch-*.safetensors"))
    if not checkpoints:
        raise ValueError(f"{folder} holds no checkpoint (epoch-*.safetensors)")
    # The checkpoint also holds the optimizer's state and the random generators: the weights are "model.*".
    return {k: v for k, v in load_file(checkpoints[-1]).items() if k.startswith("model.")}


def max_weight_difference(a, b) -> float:
    """The largest absolute difference between the final weights of two ``cnnguide train`` runs' folders.

    Raises ``ValueError`` when a folder holds no checkpoint or the two
    checkpoints differ in names or shapes.
    """
    wa, wb = _final_weights(Path(a)), _final_weights(Path(b))
    if {k: v.shape for k, v in wa.items()} != {k: v.shape for k, v in wb.items()}:
        raise ValueError(f"the weights in {b} differ in names or shapes from those in {a}")
    return max((wa[k].double() - wb[k].double()).abs().max().item() for k in wa)


def compare_runs(folders: dict, seconds: dict | None = None):
    """Runs of ``cnnguide train`` side by side: world size, time, speed, accuracy, weights against the first.

    Parameters
    ----------
    folders : dict
        A label (e.g. the number of processes) -> a run's output folder.
    seconds : dict, optional
        The same labels -> wall-clock seconds measured around each run.

    Returns
    -------
    cnnguide.tables.Table
        One row per run: its ``world_size`` (from ``metrics.json``), the wall
        time, the mean examples per second over its epochs, the final test
        accuracy, and the largest absolute difference between its final
        weights and the first run's.

    Raises
    ------
    ValueError
        When a folder lacks ``metrics.json`` or a checkpoint, or the runs'
        weights do not have the same names and shapes.
    """
    from ..tables import Table

    rows, first = [], None
    for label, folder in folders.items():
        folder = Path(folder)
        if not (folder / "metrics.json").is_file():
            raise ValueError(f"{folder} holds no metrics.json: not a finished cnnguide train run")
        metrics = json.loads((folder / "metrics.json").read_text())
        difference = None if first is None else max_weight_difference(first, folder)
        first = folder if first is None else first
        speeds = metrics["examples_per_sec"]
        wall = "" if seconds is None or label not in seconds else f"{seconds[label]:.1f}"
        rows.append((str(label), str(metrics["metadata"].get("world_size")), wall,
                     f"{sum(speeds) / len(speeds):,.0f}", f"{metrics['test_acc'][-1]:.4f}",
                     "0 (reference)" if difference is None else f"{difference:.2e}"))
    return Table(("run", "world size", "wall seconds", "examples/s", "test acc", "max |weight difference|"),
                 tuple(rows), align="lrrrrr",
                 notes=("wall seconds: the whole command, start-up included; examples/s: the run's own "
                        "measurement, mean over epochs",))
