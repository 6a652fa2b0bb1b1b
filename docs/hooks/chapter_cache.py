"""MkDocs hook: key mkdocs-jupyter's cache on the chapters *and* the library.

mkdocs-jupyter caches each executed chapter under a key made from the chapter's
own text and the plugin options only. A change to ``cnnguide`` would then leave
every page showing output of the old code. This hook points the plugin's cache at
a directory named after a digest of everything a chapter can read besides its own
text (the package, the recorded GPU results, the project metadata, and the
versions of Python and of the libraries that execute and render the chapters), so
that:

* an edited chapter gets a new key inside the directory and is re-executed alone
  (that key is the plugin's own: the chapter's bytes plus the plugin options);
* any change to the library, to a recorded result or to an installed version
  selects a fresh directory and re-executes every chapter (when in doubt,
  re-execute: a page must never show the output of code that is gone);
* ``CNNGUIDE_NO_CACHE=1`` turns the cache off, as CI does, for a cold build;
  ``CNNGUIDE_CACHE_DIR=DIR`` keeps it in ``DIR`` instead of ``.cache/mkdocs-jupyter``.

It works the same for ``mkdocs build`` and ``mkdocs serve``: MkDocs 1.6's
``serve`` reloads ``mkdocs.yml`` and calls ``on_config`` again before every
rebuild (``mkdocs/commands/serve.py``: ``builder()`` -> ``get_config()`` ->
``build()`` -> ``plugins.on_config``), and it watches ``cnnguide/`` (the
``watch:`` setting), so saving a library file rebuilds with a new digest.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import sys
from importlib import metadata
from pathlib import Path

log = logging.getLogger("mkdocs.hooks.chapter_cache")

ROOT = Path(__file__).resolve().parents[2]
# What a chapter may read besides its own text. Hash contents, not timestamps:
# a checkout or `touch` must not invalidate anything.
INPUTS = ["cnnguide", "docs/recorded", "pyproject.toml"]
# What executes the chapters and renders their pages: an upgrade of any of them
# can change an output, so it re-executes everything.
DISTRIBUTIONS = [
    "torch", "torchvision", "numpy", "matplotlib", "pillow", "safetensors",
    "ipykernel", "nbconvert", "nbformat", "jupytext", "mkdocs-jupyter", "pygments",
]
# How many library versions keep their cached pages (switching branches back
# and forth stays fast). A directory is named after its digest, so an old one
# is never wrong, only unused.
KEEP = 4


def _input_files(top: Path):
    """The files under ``top`` that can influence a chapter, in a stable order.

    Everything counts (data files too), except byte-code, hidden files and editor
    back-ups, which change without the code changing.
    """
    files = [top] if top.is_file() else sorted(top.rglob("*")) if top.is_dir() else []
    for f in files:
        rel = f.relative_to(top) if f != top else Path(f.name)
        if not f.is_file() or "__pycache__" in rel.parts or f.suffix in {".pyc", ".pyo"}:
            continue
        if any(part.startswith(".") for part in rel.parts) or f.name.endswith("~"):
            continue
        if f.suffix in {".swp", ".swo", ".tmp"} or f.name.startswith("#"):
            continue
        yield f


def environment_fingerprint(distributions: list[str] = DISTRIBUTIONS) -> str:
    """Python's version and the installed versions of ``distributions``."""
    parts = [f"python={sys.version.split()[0]}"]
    for name in distributions:
        try:
            parts.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name}=absent")
    return ";".join(parts)


def inputs_digest(inputs: list[str] = INPUTS, root: Path = ROOT, environment: str | None = None) -> str:
    """Digest of the relative paths and bytes of every input file, and of the environment.

    ``inputs`` are paths relative to ``root``; a missing one counts as empty.
    """
    h = hashlib.sha256()
    h.update((environment_fingerprint() if environment is None else environment).encode())
    h.update(b"\0")
    for name in inputs:
        for f in _input_files(root / name):
            h.update(f.relative_to(root).as_posix().encode())
            h.update(b"\0")
            h.update(f.read_bytes())
            h.update(b"\0")
    return h.hexdigest()[:16]


def select_cache_dir(base: Path, digest: str, keep: int = KEEP) -> Path:
    """The cache directory for ``digest`` under ``base``; prune all but the ``keep`` newest.

    ``base`` may already be a ``lib-*`` directory (a config object reused by
    ``mkdocs serve``): its parent is used then.
    """
    if base.name.startswith("lib-"):
        base = base.parent
    cache_dir = base / f"lib-{digest}"
    cache_dir.mkdir(parents=True, exist_ok=True)
    os.utime(cache_dir)  # mark as most recently used
    others = sorted(
        (d for d in base.glob("lib-*") if d != cache_dir and d.is_dir()),
        key=lambda d: d.stat().st_mtime,
        reverse=True,
    )
    for old in others[max(keep - 1, 0):]:
        shutil.rmtree(old, ignore_errors=True)
    return cache_dir


def on_config(config, **kwargs):
    plugin = config.plugins.get("mkdocs-jupyter")
    if plugin is None:
        return config
    if os.environ.get("CNNGUIDE_NO_CACHE"):
        plugin.config["cache"] = False
        log.info("chapter cache off (CNNGUIDE_NO_CACHE): every chapter executes")
        return config
    if not plugin.config["cache"]:
        return config
    # CNNGUIDE_CACHE_DIR puts the cache elsewhere (scripts/measure-build times
    # a cold build against an empty one without touching the project's).
    base = Path(os.environ.get("CNNGUIDE_CACHE_DIR") or plugin.config["cache_dir"])
    if not base.is_absolute():
        # Relative to the project, not to wherever `mkdocs` was started from.
        base = Path(config.config_file_path or ROOT / "mkdocs.yml").resolve().parent / base
    cache_dir = select_cache_dir(base, inputs_digest())
    plugin.config["cache_dir"] = str(cache_dir)
    log.info("chapter cache: %s", cache_dir)
    return config
