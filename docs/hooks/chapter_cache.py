"""MkDocs hook: key mkdocs-jupyter's cache on the chapters *and* the library.

mkdocs-jupyter caches each executed chapter under a key made from the chapter's
own text and the plugin options only. A change to ``cnnguide`` would then leave
every page showing output of the old code. This hook points the plugin's cache at
a directory named after a digest of everything a chapter can read besides its own
text (the package sources and the recorded GPU results), so that:

* an edited chapter gets a new key inside the directory and is re-executed alone;
* any change to the library, or to a recorded result, selects a fresh directory
  and re-executes every chapter (when in doubt, re-execute);
* ``CNNGUIDE_NO_CACHE=1`` turns the cache off, as CI does, for a cold build.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from pathlib import Path

log = logging.getLogger("mkdocs.hooks.chapter_cache")

ROOT = Path(__file__).resolve().parents[2]
# What a chapter may read besides its own text. Hash contents, not timestamps:
# a checkout or `touch` must not invalidate anything.
INPUTS = [ROOT / "cnnguide", ROOT / "docs" / "recorded", ROOT / "pyproject.toml"]
SUFFIXES = {".py", ".json", ".csv", ".toml", ".txt"}


def inputs_digest(paths: list[Path] = INPUTS) -> str:
    """Digest of the relative paths and bytes of every input file."""
    h = hashlib.sha256()
    for top in paths:
        files = [top] if top.is_file() else sorted(top.rglob("*")) if top.exists() else []
        for f in files:
            if f.is_file() and f.suffix in SUFFIXES and "__pycache__" not in f.parts:
                h.update(str(f.relative_to(ROOT)).encode())
                h.update(b"\0")
                h.update(f.read_bytes())
                h.update(b"\0")
    return h.hexdigest()[:16]


def on_config(config, **kwargs):
    plugin = config.plugins.get("mkdocs-jupyter")
    if plugin is None:
        return config
    if os.environ.get("CNNGUIDE_NO_CACHE"):
        plugin.config["cache"] = False
        log.info("chapter cache off (CNNGUIDE_NO_CACHE): every chapter executes")
        return config
    base = Path(plugin.config["cache_dir"])
    if base.name.startswith("lib-"):  # `mkdocs serve` reuses the loaded config
        base = base.parent
    digest = inputs_digest()
    cache_dir = base / f"lib-{digest}"
    plugin.config["cache_dir"] = str(cache_dir)
    # Older library versions can never be hit again: drop their directories.
    if base.is_dir():
        for old in base.glob("lib-*"):
            if old != cache_dir:
                shutil.rmtree(old, ignore_errors=True)
    log.info("chapter cache: %s", cache_dir)
    return config
