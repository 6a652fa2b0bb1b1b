"""The page cache on disk: executed notebooks, the inputs they read, and how long they took.

Layout under the cache folder (``.cache/pages`` unless ``CNNGUIDE_CACHE_DIR``)::

    runs/<page>/<code key>/notebook.ipynb   the executed notebook
    runs/<page>/<code key>/entry.json       inputs {name: digest}, seconds, worker, date, machine
    done/<page>                             touched when an execution ends (``mkdocs serve`` watches it)
    seconds.json                            each page's last execution time, to start the longest first

``<page>`` is the page's path under ``docs/`` with ``/`` as ``--`` and no
suffix (``chapters--13-resnet``). Entries are written to a scratch folder and
renamed into place, so a reader never sees half of one. Each page keeps its
few most recent code keys (switching a branch back and forth stays cached).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

import nbformat

KEEP = 3  # code keys kept per page


def page_id(src_path: str) -> str:
    """A file-name-safe id for a page's path under ``docs/`` (``chapters/13-resnet.py`` -> ``chapters--13-resnet``)."""
    return os.path.splitext(src_path)[0].replace("\\", "/").replace("/", "--")


class Store:
    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.done_dir = self.folder / "done"
        self._lock = threading.Lock()  # the pool's slots save from several threads

    def _entry_dir(self, page: str, key: str) -> Path:
        return self.folder / "runs" / page / key

    def lookup(self, page: str, key: str) -> dict | None:
        """The entry stored for ``page`` under code ``key``, or None."""
        try:
            entry = json.loads((self._entry_dir(page, key) / "entry.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return entry if (self._entry_dir(page, key) / "notebook.ipynb").is_file() else None

    def notebook(self, page: str, key: str):
        return nbformat.read(self._entry_dir(page, key) / "notebook.ipynb", as_version=4)

    def save(self, page: str, key: str, notebook, entry: dict) -> None:
        """Store an execution atomically, prune old keys of the page, and note its time."""
        final = self._entry_dir(page, key)
        final.parent.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(dir=final.parent, prefix=".new-"))
        nbformat.write(notebook, scratch / "notebook.ipynb")
        (scratch / "entry.json").write_text(json.dumps(entry, indent=1), encoding="utf-8")
        if final.exists():
            shutil.rmtree(final)
        scratch.rename(final)
        os.utime(final)
        others = sorted((d for d in final.parent.iterdir() if d.is_dir() and d != final),
                        key=lambda d: d.stat().st_mtime, reverse=True)
        for old in others[KEEP - 1:]:
            shutil.rmtree(old, ignore_errors=True)
        self.record_seconds(page, entry["seconds"])

    def touch_done(self, page: str) -> None:
        self.done_dir.mkdir(parents=True, exist_ok=True)
        (self.done_dir / page).write_text(f"{time.time()}\n")

    def seconds(self) -> dict[str, float]:
        """Each page's last execution time in seconds (empty if none recorded here)."""
        try:
            return json.loads((self.folder / "seconds.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def record_seconds(self, page: str, seconds: float) -> None:
        with self._lock:
            times = self.seconds()
            times[page] = round(seconds, 1)
            path = self.folder / "seconds.json"
            scratch = path.with_suffix(".tmp")
            scratch.write_text(json.dumps(times, indent=1, sort_keys=True), encoding="utf-8")
            scratch.replace(path)
