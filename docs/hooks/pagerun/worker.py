"""Execute one page in a fresh kernel: ``python worker.py SOURCE OUT [options]``.

The scheduler (:mod:`pagerun.scheduler`) starts one worker process per page.
The worker reads the Jupytext source, starts a kernel whose environment caps
its threads (``OMP_NUM_THREADS``, ``MKL_NUM_THREADS``) and turns the read
tracer on (``trace/sitecustomize.py`` first on ``PYTHONPATH``), runs the
code cells one by one, and writes into ``OUT``:

* ``notebook.ipynb``: the executed notebook (on success);
* ``result.json``: ``{"status": "ok"|"error", "seconds", "cpu_seconds", "threads", "error"}``,
  where ``error`` names the failing cell (its number among the code cells, its
  first line) and carries the kernel's traceback;
* ``trace.log``: what the kernel and its child processes read.

A file ``OUT/alone`` tells a worker that it is the last one running: before
its next cell it raises the kernel's threads to ``--cores``
(``torch.set_num_threads``), so a long page that finishes alone uses the whole
machine.
``SIGTERM`` shuts the kernel down and exits; so does the end of the process
that started the worker (``mkdocs serve`` stopped without a clean shutdown).
The kernel itself ends within a second of its worker (ipykernel watches its
parent).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import signal
import sys
import threading
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

TRACE_DIR = Path(__file__).resolve().parent / "trace"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")

# Run silently in the kernel, binding no names in the page's namespace.
_MORE_THREADS = (
    "__import__('os').environ.__setitem__('OMP_NUM_THREADS', '{n}'); "
    "__import__('sys').modules.get('torch') and __import__('sys').modules['torch'].set_num_threads({n})"
)


def kernel_environment(threads: int, trace_log: Path, trace_roots: list[str]) -> dict[str, str]:
    """The environment variables a page's kernel starts with (on top of this process's)."""
    path = os.environ.get("PYTHONPATH")
    return {
        "OMP_NUM_THREADS": str(threads),
        "MKL_NUM_THREADS": str(threads),
        "PYTHONPATH": str(TRACE_DIR) + (os.pathsep + path if path else ""),
        "CNNGUIDE_TRACE_READS": str(trace_log),
        "CNNGUIDE_TRACE_ROOTS": os.pathsep.join(trace_roots),
    }


def failure(index: int, cell, error: Exception) -> dict:
    """What the build prints for a failing cell: which one, its first line, the traceback.

    ``error`` is the cell's own exception (:class:`CellExecutionError`), or the
    executor's: a cell over its time limit, a kernel that died.
    """
    first = next((line for line in cell.source.splitlines() if line.strip()), "")
    return {
        "code_cell": index,
        "first_line": first[:120],
        "ename": getattr(error, "ename", type(error).__name__),
        "evalue": getattr(error, "evalue", str(error)),
        "traceback": _ANSI.sub("", str(error)) or type(error).__name__,
    }


class Worker:
    def __init__(self, source: Path, out: Path, kernel: str, threads: int, cores: int, root: Path,
                 trace_roots: list[str], timeout: int | None):
        self.source, self.out, self.kernel = source, out, kernel
        self.threads, self.cores, self.root = threads, cores, root
        self.trace_roots, self.timeout = trace_roots, timeout

    def run(self) -> int:
        self.out.mkdir(parents=True, exist_ok=True)
        notebook = jupytext.read(self.source)
        notebook.metadata["kernelspec"] = {"name": self.kernel, "display_name": "Python 3", "language": "python"}
        os.environ.pop("MPLBACKEND", None)  # it reaches the kernel and inline figures vanish
        os.environ.update(kernel_environment(self.threads, self.out / "trace.log", self.trace_roots))
        client = NotebookClient(notebook, kernel_name=self.kernel, timeout=self.timeout, allow_errors=False,
                                resources={"metadata": {"path": str(self.root)}})
        self.start = start = time.perf_counter()
        result = {"status": "ok", "threads": self.threads}
        try:
            with client.setup_kernel():
                info = client.wait_for_reply(client.kc.kernel_info())
                notebook.metadata["language_info"] = info["content"]["language_info"]
                code_index = 0
                for index, cell in enumerate(notebook.cells):
                    if cell.cell_type != "code":
                        continue
                    code_index += 1
                    self._maybe_use_every_core(client, result)
                    try:
                        client.execute_cell(cell, index, execution_count=code_index)
                    except Exception as error:  # CellExecutionError, CellTimeoutError, DeadKernelError
                        result.update(status="error", error=failure(code_index, cell, error))
                        break
        except BaseException as error:  # the kernel would not start, or this worker was stopped
            if result["status"] == "ok":
                result.update(status="error", error={"traceback": f"{type(error).__name__}: {error}"})
            raise
        finally:
            result["seconds"] = round(time.perf_counter() - start, 2)
            usage = resource.getrusage(resource.RUSAGE_CHILDREN)
            result["cpu_seconds"] = round(usage.ru_utime + usage.ru_stime, 1)
            if result["status"] == "ok":
                nbformat.write(notebook, self.out / "notebook.ipynb")
            (self.out / "result.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
        return 0 if result["status"] == "ok" else 1

    def _maybe_use_every_core(self, client, result) -> None:
        if result["threads"] >= self.cores or not (self.out / "alone").exists():
            return
        msg_id = client.kc.execute(_MORE_THREADS.format(n=self.cores), silent=True, store_history=False)
        client.wait_for_reply(msg_id)
        result["threads"] = self.cores
        result["more_threads_after"] = round(time.perf_counter() - self.start, 1)


def watch_parent(interval: float = 1.0) -> None:
    """End this worker (SIGTERM to itself) once the process that started it has gone."""
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(interval)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, daemon=True).start()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--kernel", default="python3")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--cores", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--root", type=Path, default=Path.cwd())
    parser.add_argument("--trace-root", action="append", default=[])
    parser.add_argument("--timeout", type=int, default=None, help="seconds per cell (default: none)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwinds setup_kernel: the kernel is shut down
    watch_parent()
    worker = Worker(args.source, args.out, args.kernel, args.threads, args.cores, args.root,
                    args.trace_root, args.timeout)
    return worker.run()


if __name__ == "__main__":
    sys.exit(main())
