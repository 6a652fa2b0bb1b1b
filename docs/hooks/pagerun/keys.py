"""What a page's execution depends on, and whether that has changed.

A page's output is kept (:mod:`pagerun.store`) under two parts of a key:

* the **code key**: the page's code cells (their source and tags, in order),
  the kernel and the environment: Python's version and the versions of the
  libraries that execute the page. Prose is not in it: editing a sentence
  re-renders the page and re-executes nothing;
* the **inputs** it read while executing, recorded by the tracer
  (``trace/sitecustomize.py``) in the kernel and every process it started:
  library modules (``__pycache__`` byte-code counts as its ``.py`` source),
  each loaded module's package data (the judge's weights, read by
  safetensors' Rust code, which the tracer cannot see), data files, recorded
  results, files it looked for and did not find, and the folders of
  :data:`LISTED_BY_MODULE` for the modules it loaded. Each is stored with a
  digest of its contents (``absent`` for a missing file, the sorted names for
  a listed folder); the output is reused only while every digest still
  matches. A library file the page never loaded is not an input.

Files the page wrote are its outputs, not inputs; files under the project's
ignored folders (``.venv``, ``.cache``, ``site``...) are never inputs.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from importlib import metadata
from pathlib import Path

# What executes a page and shapes its outputs: upgrading any of them
# re-executes every page (when in doubt, re-execute).
DISTRIBUTIONS = (
    "torch", "torchvision", "numpy", "matplotlib", "pillow", "safetensors", "torchmetrics", "tqdm",
    "ipykernel", "ipython", "nbclient", "nbformat", "jupytext", "nbconvert", "mkdocs-jupyter", "pygments",
)  # fmt: skip
# Folders of the project whose files are never a page's inputs: tools, caches, outputs.
IGNORED = (".venv", ".git", ".cache", "site", ".hypothesis", ".pytest_cache", "build", "runs", "node_modules")
PYTHON_SUFFIXES = (".py", ".pyc", ".pyo", ".so", ".pyd")
# Folders a module looks into with a stat (``Path.exists``), which the tracer
# cannot see: a page that loaded the module depends on the folder's listing.
# cnnguide.recorded finds recorded runs by name, and pages say "none recorded
# yet" when a file is absent: recording one must execute them again.
LISTED_BY_MODULE = {"cnnguide/recorded.py": ("docs/recorded",)}
ABSENT = "absent"


def environment_fingerprint(distributions=DISTRIBUTIONS) -> dict[str, str]:
    """Python's version and the installed versions of ``distributions``."""
    versions = {"python": sys.version.split()[0]}
    for name in distributions:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = ABSENT
    return versions


def code_cells(notebook) -> list[dict]:
    """The code cells that execute: their source and tags, in order."""
    return [
        {"source": cell.source, "tags": sorted(cell.get("metadata", {}).get("tags", []))}
        for cell in notebook.cells
        if cell.cell_type == "code"
    ]


def code_key(notebook, kernel: str, environment: dict[str, str]) -> str:
    """Digest of what runs (the code cells), where (the kernel) and with what (the versions)."""
    text = json.dumps({"cells": code_cells(notebook), "kernel": kernel, "environment": environment},
                      sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def source_of(path: str) -> str:
    """The source file behind a byte-code file (``pkg/__pycache__/m.cpython-311.pyc`` -> ``pkg/m.py``)."""
    folder, name = os.path.split(path)
    if os.path.basename(folder) != "__pycache__" or not name.endswith((".pyc", ".pyo")):
        return path
    return os.path.join(os.path.dirname(folder), name.split(".", 1)[0] + ".py")


class FileDigests:
    """Digests of files' contents, each computed once while the file is unchanged.

    A serve session checks the same inputs before every rebuild; a file whose
    size, modification time, change time and inode are unchanged is not read
    again. A file modified in the last two seconds is always read: a rewrite
    of the same size within the clock's granularity would keep its time
    stamps (git's "racily clean" files).
    """

    RECENT = 2.0  # seconds

    def __init__(self):
        self._memo: dict[str, tuple[tuple[int, int], str]] = {}

    def digest(self, path: Path) -> str:
        """``sha256:…`` of a file, ``dir:…`` of a folder's sorted names, or ``absent``."""
        try:
            stat = path.stat()
        except OSError:
            return ABSENT
        if path.is_dir():
            names = "\0".join(sorted(os.listdir(path)))
            return "dir:" + hashlib.sha256(names.encode()).hexdigest()[:16]
        stamp = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
        known = self._memo.get(str(path))
        if known and known[0] == stamp:
            return known[1]
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        value = "sha256:" + h.hexdigest()[:20]
        if time.time() - stat.st_mtime > self.RECENT:
            self._memo[str(path)] = (stamp, value)
        return value


class InputRules:
    """Which traced paths are a page's inputs, and how they are named in the key.

    Parameters
    ----------
    root : Path
        The project; its files are named relative to it (``cnnguide/gan/losses.py``).
    data_roots : sequence of Path
        Other folders whose files count (the data sets); named by absolute path.
    """

    def __init__(self, root: Path, data_roots=()):
        self.root = Path(root).resolve()
        self.data_roots = [Path(r).resolve() for r in data_roots]

    @property
    def trace_roots(self) -> list[str]:
        """The folders the tracer reports on."""
        return [str(self.root), *(str(r) for r in self.data_roots)]

    def name(self, path: str) -> str | None:
        """The key's name for ``path``, or None if it is not an input."""
        p = Path(path)
        try:
            rel = p.relative_to(self.root)
        except ValueError:
            return path if any(p.is_relative_to(r) for r in self.data_roots) else None
        parts = rel.parts
        if not parts or parts[0] in IGNORED or "__pycache__" in parts:
            return None
        return rel.as_posix()

    def locate(self, name: str) -> Path:
        """The file a key name stands for."""
        return Path(name) if os.path.isabs(name) else self.root / name

    def inputs(self, trace_lines) -> list[str]:
        """The input names in a tracer log: reads and listings, minus what the page wrote.

        A module's package data (the non-Python files beside a loaded ``.py``
        file) is added: those may be read by code the tracer cannot see.
        """
        read, listed, written = set(), set(), set()
        for line in trace_lines:
            kind, _, path = line.rstrip("\n").partition("\t")
            if not path:
                continue
            path = source_of(path)
            {"r": read, "l": listed, "w": written}.get(kind, set()).add(path)
        names = set()
        for path in read - written:
            name = self.name(path)
            if name is None:
                continue
            names.add(name)
            if name.endswith(".py") and not os.path.isabs(name):
                names.update(self._package_data(self.locate(name).parent))
                names.update(LISTED_BY_MODULE.get(name, ()))
        for path in listed:
            name = self.name(path)
            if name is not None:
                names.add(name)
        return sorted(names)

    def _package_data(self, folder: Path) -> list[str]:
        if not (folder / "__init__.py").is_file():
            return []
        return [
            self.name(str(f)) for f in sorted(folder.iterdir())
            if f.is_file() and not f.name.startswith(".") and not f.name.endswith(PYTHON_SUFFIXES)
            and not f.name.endswith("~") and self.name(str(f)) is not None
        ]  # fmt: skip

    def digests(self, names, files: FileDigests) -> dict[str, str]:
        """``{name: digest}`` for the inputs as they are now."""
        return {name: files.digest(self.locate(name)) for name in names}

    def changed(self, recorded: dict[str, str], files: FileDigests) -> list[str]:
        """The recorded inputs whose contents differ now (empty: the output still holds)."""
        return [name for name, digest in recorded.items() if files.digest(self.locate(name)) != digest]
