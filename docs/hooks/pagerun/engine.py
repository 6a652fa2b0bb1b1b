"""Which pages to execute, executing them, and the notebooks MkDocs renders.

:class:`Engine` is what the MkDocs hook (``docs/hooks/execute_pages.py``)
talks to. For every executable page it decides, from the page's code key and
the inputs recorded when it last ran (:mod:`pagerun.keys`), whether the stored
output still holds; executes the others in a :class:`~pagerun.scheduler.Pool`;
stores what they produced (:mod:`pagerun.store`); and writes, for each page,
the notebook MkDocs renders: the page's current text with the stored outputs
(prose edits show at once, nothing re-executes), or, while ``mkdocs serve``
is still executing it, the text with a notice saying so.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import platform
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import jupytext
import nbformat

from .keys import FileDigests, InputRules, code_key, environment_fingerprint
from .scheduler import Job, Outcome, Pool
from .store import Store, page_id

log = logging.getLogger("mkdocs.hooks.pagerun")

DEFAULT_SECONDS = 60.0  # expected time of a page never executed here


def machine() -> dict:
    """The machine executing the pages: cores, CPU model, system."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cores": os.cpu_count() or 1, "cpu": model, "system": platform.platform(terse=True)}


def default_workers(cores: int) -> int:
    """Workers when ``CNNGUIDE_WORKERS`` is unset: one per core (see README, "Build times")."""
    return max(1, cores)


@dataclass
class PageState:
    """One executable page in one build."""

    src_path: str  # under docs/, e.g. "chapters/13-resnet.py"
    source: Path
    page: str  # store id
    key: str
    notebook: object  # the current source, read with jupytext
    status: str = "stale"  # "cached", "executed", "queued", "running", "failed", "stale"
    entry: dict | None = None
    reason: str = ""
    error: dict | None = None

    @property
    def name(self) -> str:
        return Path(self.src_path).stem


@dataclass
class Settings:
    root: Path
    cache: Path  # the page store
    workers: int
    threads: int
    cores: int
    kernel: str = "python3"
    data_roots: list = field(default_factory=list)
    timeout: int | None = None

    @classmethod
    def from_environment(cls, root: Path, cache: Path, kernel: str = "python3") -> "Settings":
        cores = os.cpu_count() or 1
        workers = int(os.environ.get("CNNGUIDE_WORKERS") or default_workers(cores))
        if workers < 1:
            raise ValueError(f"CNNGUIDE_WORKERS must be at least 1, got {workers}")
        threads = int(os.environ.get("CNNGUIDE_THREADS") or max(1, cores // workers))
        data_roots = [Path("/usr/share/datasets"), Path.home() / ".cache" / "cnnguide"]
        if os.environ.get("CNNGUIDE_DATA"):
            data_roots.append(Path(os.environ["CNNGUIDE_DATA"]))
        timeout = int(os.environ["CNNGUIDE_CELL_TIMEOUT"]) if os.environ.get("CNNGUIDE_CELL_TIMEOUT") else None
        return cls(root=root, cache=cache, workers=workers, threads=threads, cores=cores, kernel=kernel,
                   data_roots=data_roots, timeout=timeout)


class Engine:
    def __init__(self, settings: Settings, estimates: dict[str, float] | None = None):
        self.settings = settings
        self.store = Store(settings.cache)
        self.rules = InputRules(settings.root, settings.data_roots)
        self.digests = FileDigests()
        self.hints = estimates or {}
        self.pool = Pool(settings.workers, settings.threads, cores=settings.cores, root=settings.root,
                         trace_roots=self.rules.trace_roots, kernel=settings.kernel,
                         scratch=settings.cache / "work", timeout=settings.timeout)
        self.machine = machine()
        self._lock = threading.Lock()
        self._executed: dict[tuple[str, str], dict] = {}  # (page, key) -> entry, run by this process
        self._failed: dict[tuple[str, str], dict] = {}  # (page, key) -> {"error", "inputs"}
        self.states: dict[str, PageState] = {}

    # -- deciding ---------------------------------------------------------------
    def plan(self, pages: list[tuple[str, Path]]) -> list[PageState]:
        """The state of each ``(src_path, abs_path)`` page: cached, or why it must execute."""
        environment = environment_fingerprint()
        pending = self.pool.pending()
        states = []
        for src_path, source in pages:
            notebook = jupytext.read(source)
            state = PageState(src_path, Path(source), page_id(src_path),
                              code_key(notebook, self.settings.kernel, environment), notebook)
            self._classify(state, pending.get(state.page))
            states.append(state)
        self.states = {s.page: s for s in states}
        return states

    def _classify(self, state: PageState, pending) -> None:
        if pending and pending[0] == state.key:
            state.status = pending[1]
            return
        entry = self.store.lookup(state.page, state.key)
        if entry is not None:
            changed = self.rules.changed(entry["inputs"], self.digests)
            if not changed:
                state.entry = entry
                state.status = "executed" if (state.page, state.key) in self._executed else "cached"
                return
            state.reason = "inputs changed: " + ", ".join(changed[:5]) + (" ..." if len(changed) > 5 else "")
        else:
            state.reason = "new code (no stored output for these code cells)"
        failed = self._failed.get((state.page, state.key))
        if failed and not self.rules.changed(failed["inputs"], self.digests):
            state.status, state.error = "failed", failed["error"]
            return
        state.status = "stale"

    # -- executing -----------------------------------------------------------------
    def submit_stale(self, start: bool = True) -> list[PageState]:
        """Queue every stale page (longest expected first); start the pool if ``start``."""
        stale = [s for s in self.states.values() if s.status == "stale"]
        for state in stale:
            log.info("executing %s: %s", state.name, state.reason)
            estimate = self.store.seconds().get(state.page) or self.hints.get(state.page) or DEFAULT_SECONDS
            self.pool.submit(Job(state.page, state.source, state.key, estimate, self._finished))
            state.status = "queued"
        if start:
            self.pool.start()
        return stale

    def wait(self) -> list[PageState]:
        """Wait for the pool; return the pages that failed (their state carries the error)."""
        self.pool.wait()
        for state in self.states.values():
            if state.status in ("queued", "running"):
                self._classify(state, None)
        return [s for s in self.states.values() if s.status == "failed"]

    def _finished(self, job: Job, outcome: Outcome) -> None:
        if outcome.status == "cancelled":
            return
        inputs = self.rules.digests(self.rules.inputs(outcome.trace_lines()), self.digests)
        if outcome.status != "ok":
            error = outcome.result.get("error", {})
            with self._lock:
                self._failed[(job.page, job.key)] = {"error": error, "inputs": inputs}
            log.error("failed %s in %.1f s: code cell %s (%s)", Path(job.source).stem, outcome.seconds,
                      error.get("code_cell", "?"), error.get("first_line", ""))
            self.store.touch_done(job.page)
            return
        touched = [n for n in inputs if _modified_since(self.rules.locate(n), outcome.started)]
        entry = {
            "page": job.page, "key": job.key, "inputs": inputs, "environment": environment_fingerprint(),
            "seconds": outcome.seconds, "cpu_seconds": outcome.result.get("cpu_seconds"),
            "threads": outcome.result.get("threads"), "worker": outcome.slot + 1,
            "workers": self.settings.workers, "threads_per_worker": self.settings.threads,
            "executed_at": dt.datetime.fromtimestamp(outcome.started).astimezone().isoformat(timespec="seconds"),
            "machine": self.machine,
        }
        notebook = nbformat.read(outcome.folder / "notebook.ipynb", as_version=4)
        if touched:
            # An input changed while the page ran: its output may mix old and new.
            log.warning("%s: %s changed while it executed; not kept, it executes again",
                        Path(job.source).stem, ", ".join(touched))
        else:
            self.store.save(job.page, job.key, notebook, entry)
            with self._lock:
                self._executed[(job.page, job.key)] = entry
        log.info("executed %s in %.1f s (worker %d of %d, %s thread%s at the end)", Path(job.source).stem,
                 outcome.seconds, outcome.slot + 1, self.settings.workers, entry["threads"],
                 "" if entry["threads"] == 1 else "s")
        self.store.touch_done(job.page)

    def close(self) -> None:
        self.pool.close()

    # -- rendering ---------------------------------------------------------------
    def render_path(self, state: PageState) -> Path:
        """Write the notebook MkDocs renders for ``state``; return its path."""
        return self._render(state, state.notebook, state.src_path)

    def render_translation(self, state: PageState, source: Path, src_path: str) -> Path:
        """Write the notebook MkDocs renders for a translation of ``state``'s page; return its path.

        The translation (``source``, served as ``src_path``) has the page's code
        cells and its own Markdown cells: it gets the outputs of the page's
        execution and is never executed itself. ``ValueError`` if its code
        cells differ from the executed page's.
        """
        return self._render(state, jupytext.read(source), src_path)

    def _render(self, state: PageState, text_notebook, src_path: str) -> Path:
        if state.entry is not None:
            notebook = merge_outputs(text_notebook, self.store.notebook(state.page, state.key))
        else:
            notebook = with_notice(text_notebook, self.notice(state))
        path = self.settings.cache / "render" / (os.path.splitext(src_path)[0] + ".ipynb")
        text = nbformat.writes(notebook)
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        return path

    def notice(self, state: PageState) -> str:
        """The notice shown in place of a page's outputs while it is not executed (serve only)."""
        last = self.store.seconds().get(state.page) or self.hints.get(state.page)
        took = f" It took {last:.0f} s the last time." if last else ""
        if state.status == "failed":
            err = state.error or {}
            return (f"<strong>This page failed to execute</strong> at code cell {err.get('code_cell', '?')}"
                    f" (<code>{_escape(err.get('first_line', ''))}</code>). Fix it and save: it executes again."
                    f"<pre>{_escape(err.get('traceback', '')[-4000:])}</pre>")
        return (f"<strong>This page is executing</strong> ({state.status}; {_escape(state.reason)}).{took} "
                "The text is shown without outputs until then; the page reloads by itself when they are ready.")


def _modified_since(path: Path, started: float) -> bool:
    try:
        return path.stat().st_mtime > started
    except OSError:
        return False


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def merge_outputs(source, executed):
    """The current ``source`` notebook with the outputs of ``executed`` (same code cells, by position)."""
    notebook = nbformat.from_dict(source)
    done = [c for c in executed.cells if c.cell_type == "code"]
    mine = [c for c in notebook.cells if c.cell_type == "code"]
    if [c.source for c in done] != [c.source for c in mine]:
        raise ValueError("the stored notebook's code cells differ from the page's")
    for cell, ran in zip(mine, done):
        cell.outputs = ran.get("outputs", [])
        cell.execution_count = ran.get("execution_count")
        if "execution" in ran.get("metadata", {}):
            cell.metadata["execution"] = ran.metadata["execution"]
    for key in ("kernelspec", "language_info"):
        if key in executed.metadata:
            notebook.metadata[key] = executed.metadata[key]
    return notebook


def with_notice(source, html: str):
    """``source`` with an admonition after its first cell (the title stays the title)."""
    notebook = nbformat.from_dict(source)
    cell = nbformat.v4.new_markdown_cell(f'<div class="admonition info cnnguide-pending">'
                                         f'<p class="admonition-title">Not executed yet</p><p>{html}</p></div>')
    notebook.cells.insert(1 if notebook.cells else 0, cell)
    return notebook
