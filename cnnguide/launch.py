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

import os
import subprocess
import sys

__all__ = ["OPTION", "launcher_command", "relaunch"]

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
    return subprocess.run(launcher_command(argv, nproc)).returncode
