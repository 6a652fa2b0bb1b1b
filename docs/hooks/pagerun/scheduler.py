"""A pool of page workers: the longest page first, each in its own process and kernel.

``Pool(workers=2, threads=1)`` keeps at most two workers (:mod:`pagerun.worker`)
running, each kernel capped at one thread. A queued page waits for a free
slot; the slot takes the page expected to run longest (by the seconds it took
last time), so that short pages fill the end instead of a long one starting
last. When nothing is queued and a single worker is left, that worker is told
(a file ``alone`` in its folder) to give its kernel every core before its next
cell.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

log = logging.getLogger("mkdocs.hooks.pagerun")

WORKER = Path(__file__).resolve().with_name("worker.py")
ALONE = "alone"  # the flag file: "you are the last worker running, use every core"


@dataclass
class Job:
    """One page to execute: its id, source, code key and expected seconds."""

    page: str
    source: Path
    key: str
    estimate: float
    on_done: Callable[["Job", "Outcome"], None]


@dataclass
class Outcome:
    """What a worker left: status, timings, the executed notebook's folder and its trace."""

    status: str  # "ok", "error" or "cancelled"
    folder: Path
    slot: int
    started: float  # time.time()
    result: dict = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return float(self.result.get("seconds", 0.0))

    def trace_lines(self) -> list[str]:
        try:
            return (self.folder / "trace.log").read_text(encoding="utf-8", errors="surrogateescape").splitlines()
        except OSError:
            return []


class Pool:
    """Run :class:`Job` s in ``workers`` processes of ``threads`` threads each."""

    def __init__(self, workers: int, threads: int, *, cores: int, root: Path, trace_roots: list[str],
                 kernel: str = "python3", scratch: Path | None = None, timeout: int | None = None):
        self.workers, self.threads, self.cores = workers, threads, cores
        self.root, self.trace_roots, self.kernel, self.timeout = root, trace_roots, kernel, timeout
        self.scratch = Path(scratch or tempfile.gettempdir())
        self._queue: list[Job] = []
        self._running: dict[int, tuple[Job, subprocess.Popen, Path]] = {}
        self._busy = 0  # jobs taken from the queue whose result is not yet handled
        self._lock = threading.Condition()
        self._slots: list[threading.Thread] = []
        self._closed = False

    # -- what callers see -------------------------------------------------------
    def submit(self, job: Job) -> None:
        """Queue ``job``, replacing a queued job of the same page (its code has changed since)."""
        with self._lock:
            self._queue = [queued for queued in self._queue if queued.page != job.page]
            self._queue.append(job)
            self._lock.notify_all()

    def pending(self) -> dict[str, tuple[str, str]]:
        """``{page: (code key, "queued" | "running")}``."""
        with self._lock:
            state = {job.page: (job.key, "queued") for job in self._queue}
            state.update({job.page: (job.key, "running") for job, _, _ in self._running.values()})
            return state

    def start(self) -> None:
        """Start the slots (idempotent)."""
        with self._lock:
            while len(self._slots) < self.workers:
                slot = threading.Thread(target=self._serve_slot, args=(len(self._slots),),
                                        name=f"pagerun-slot-{len(self._slots)}", daemon=True)
                self._slots.append(slot)
                slot.start()

    def wait(self) -> None:
        """Block until nothing is queued or running."""
        with self._lock:
            while self._queue or self._busy:
                self._lock.wait(timeout=1.0)

    def close(self) -> None:
        """Drop the queue and stop the running workers (their kernels shut down with them)."""
        with self._lock:
            self._closed = True
            self._queue.clear()
            running = [proc for _, proc, _ in self._running.values()]
            self._lock.notify_all()
        for proc in running:
            stop(proc)

    # -- the slots ----------------------------------------------------------------
    def _next(self) -> Job | None:
        with self._lock:
            while not self._queue and not self._closed:
                self._lock.wait()
            if self._closed:
                return None
            job = max(self._queue, key=lambda j: j.estimate)
            self._queue.remove(job)
            self._busy += 1  # in the same breath: wait() must never see the job nowhere
            return job

    def _serve_slot(self, slot: int) -> None:
        while (job := self._next()) is not None:
            outcome = self._execute(slot, job)
            try:
                job.on_done(job, outcome)
            except Exception:  # a failing callback must not kill the slot
                log.exception("pagerun: handling the result of %s failed", job.page)
            finally:
                shutil.rmtree(outcome.folder, ignore_errors=True)
                with self._lock:  # only now is the job over for wait()
                    self._busy -= 1
                    self._lock.notify_all()

    def _execute(self, slot: int, job: Job) -> Outcome:
        self.scratch.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=f"{job.page}-", dir=self.scratch))
        # Run by path, not with -m: nothing of the hooks' folder reaches the kernel's sys.path.
        command = [sys.executable, str(WORKER), str(job.source), str(folder),
                   "--kernel", self.kernel, "--threads", str(self.threads), "--cores", str(self.cores),
                   "--root", str(self.root)]
        command += [arg for root in self.trace_roots for arg in ("--trace-root", root)]
        if self.timeout:
            command += ["--timeout", str(self.timeout)]
        started = time.time()
        with self._lock:
            if self._closed:
                return Outcome("cancelled", folder, slot, started)
            proc = subprocess.Popen(command, cwd=self.root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            self._running[slot] = (job, proc, folder)
            self._tell_the_last_one()
        output, _ = proc.communicate()
        with self._lock:
            del self._running[slot]
            self._tell_the_last_one()
        try:
            result = json.loads((folder / "result.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            tail = output.decode(errors="replace")[-3000:]
            status = "cancelled" if self._closed else "error"
            result = {"status": status, "error": {"traceback": f"the worker exited with {proc.returncode}:\n{tail}"}}
        return Outcome(result.get("status", "error"), folder, slot, started, result)

    def _tell_the_last_one(self) -> None:
        """With the lock held: let a worker left alone with an empty queue use every core."""
        if self.threads >= self.cores or self._queue or len(self._running) != 1:
            return
        (_, _, folder), = self._running.values()
        (folder / ALONE).touch()


def stop(proc: subprocess.Popen, grace: float = 5.0) -> None:
    """SIGTERM a worker (it shuts its kernel down), then SIGKILL it (its kernel follows within a second)."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
