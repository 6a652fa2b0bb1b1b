"""MkDocs hook: execute the executable pages first, in parallel, and again only when something they read changed.

mkdocs-jupyter renders the pages it ``include``\\ s; this hook takes its
execution away (``execute: false``) and does it beforehand with
:mod:`pagerun` (``docs/hooks/pagerun/``):

* each page runs in its own worker process and kernel, ``CNNGUIDE_WORKERS`` at
  a time (default: one per core) with ``CNNGUIDE_THREADS`` threads each
  (default: the cores shared out), the longest first by the last build's times;
* a page's output is kept under a key made of its code cells, the environment
  and the files it read while executing (library modules, package data, data
  files, recorded results): a prose edit, or a library edit the page never
  loaded, executes nothing;
* MkDocs then renders, for each page, its current text with the kept outputs.

``mkdocs build`` waits for every execution; a failing cell fails the build,
naming the page and the cell. ``mkdocs serve`` serves at once: a page whose
execution has not finished shows its text with a notice, and the server
rebuilds as each execution ends (it watches the store's ``done/`` folder).

``CNNGUIDE_NO_CACHE=1`` executes every page into a temporary store (CI);
``CNNGUIDE_CACHE_DIR=DIR`` puts the cache in ``DIR`` instead of ``.cache/``.
The build report goes to ``site/build.json`` and into the page "How this site
was built" (``docs/build.md``, at the marker ``<!-- build-report -->``).

A translated page (``docs/zh/chapters/10-lenet.py``, see ``editions.py``) is
not executed: MkDocs renders its text with the outputs of the English page it
translates, whose code cells it must share (else the build fails, naming it).
The report lists the translations and what each took its outputs from.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.utils import get_relative_url

HOOKS = Path(__file__).resolve().parent
if str(HOOKS) not in sys.path:
    sys.path.insert(0, str(HOOKS))

from editions import language_of, original_of, twin_of  # noqa: E402
from pagerun.engine import Engine, Settings  # noqa: E402
from pagerun.report import build_report, report_markdown, write_report  # noqa: E402

log = logging.getLogger("mkdocs.hooks.execute_pages")

ROOT = HOOKS.parents[1]
REPORT_PAGE = "build.md"
REPORT_MARKER = "<!-- build-report -->"
# Expected seconds per page where this machine has no record yet (a fresh clone,
# CI): measured by scripts/measure-build, only used to start the longest first.
HINTS = HOOKS / "page-seconds.json"

# MkDocs loads a hook once per process, so this state lives through every
# rebuild of `mkdocs serve`.
_state: dict = {"command": "build", "engines": {}, "serving": False, "report": None, "urls": {}}


def cache_base() -> Path:
    """The cache folder: ``$CNNGUIDE_CACHE_DIR``, a temporary one under ``CNNGUIDE_NO_CACHE``, or ``.cache``."""
    if os.environ.get("CNNGUIDE_NO_CACHE"):
        if "scratch" not in _state:
            _state["scratch"] = Path(tempfile.mkdtemp(prefix="cnnguide-nocache-"))
            atexit.register(shutil.rmtree, _state["scratch"], ignore_errors=True)
        return _state["scratch"]
    base = Path(os.environ.get("CNNGUIDE_CACHE_DIR") or ".cache")
    return base if base.is_absolute() else ROOT / base


def engine(kernel: str = "python3") -> Engine:
    pages = cache_base() / "pages"
    if pages not in _state["engines"]:
        hints = json.loads(HINTS.read_text()) if HINTS.is_file() else {}
        _state["engines"][pages] = Engine(Settings.from_environment(ROOT, pages, kernel), hints)
    return _state["engines"][pages]


def _plugin(config):
    plugin = config.plugins.get("mkdocs-jupyter")
    if plugin is None:
        raise PluginError("execute_pages.py needs the mkdocs-jupyter plugin, which renders the pages")
    return plugin


def on_startup(command, dirty, **kwargs):
    _state["command"] = command


def on_config(config, **kwargs):
    plugin = _plugin(config)
    plugin.config["execute"] = False  # executed by this hook, before rendering
    plugin.config["include_source"] = False  # downloads.py offers the source
    plugin.config["cache"] = not os.environ.get("CNNGUIDE_NO_CACHE")
    plugin.config["cache_dir"] = str(cache_base() / "mkdocs-jupyter")  # rendered HTML, keyed on the notebook
    return config


@event_priority(-100)  # after mkdocs-jupyter has wrapped the pages it renders (NotebookFile)
def on_files(files, config, **kwargs):
    plugin = _plugin(config)
    # Pages left out by exclude_docs are still in `files` here, and mkdocs-jupyter's wrapper has
    # lost their exclusion mark: ask the exclude_docs patterns themselves. They must not be executed.
    excluded = config["exclude_docs"]
    included = [f for f in files if plugin.should_include(f) and not (excluded and excluded.match_file(f.src_uri))]
    # A translated page (docs/zh/...) is never executed: it shows its English page's outputs.
    pages = [f for f in included if original_of(f.src_uri, config) is None]
    translations = [f for f in included if original_of(f.src_uri, config) is not None]
    run = engine(plugin.config["kernel_name"] or "python3")
    serving = _state["command"] == "serve"
    states = run.plan([(f.src_path, Path(f.abs_src_path)) for f in pages])
    for state in states:
        if state.status == "cached":
            log.info("cached %s", state.name)
    started = time.perf_counter()
    # Serving: the first build renders at once; the workers start after it (on_post_build).
    run.submit_stale(start=not serving or _state["serving"])
    if not serving:
        failures = run.wait()
        if failures:
            raise PluginError("\n\n".join(failure_message(s) for s in failures))
    execution = time.perf_counter() - started
    rendered = []
    for state, file in zip(states, pages):
        # On the plugin's NotebookFile itself: it computes its own path otherwise.
        file.abs_src_path = str(run.render_path(state))
        rendered.append(file.abs_src_path)
    by_page = {state.src_path: state for state in states}
    for file in translations:
        original = original_of(file.src_uri, config)
        if original not in by_page:
            raise PluginError(f"{file.src_uri} translates {original}, which is not an executable page")
        try:
            file.abs_src_path = str(run.render_translation(by_page[original], Path(file.abs_src_path), file.src_path))
        except ValueError:
            raise PluginError(f"{file.src_uri}: its code cells differ from {original}'s, whose outputs it shows; "
                              "run `python scripts/translations.py sync` to copy them") from None
        rendered.append(file.abs_src_path)
    # mkdocs-jupyter now renders the notebooks written above, not the sources.
    plugin.config["include"] = rendered
    _state["report"] = build_report(run, None if serving else execution,
                                    {f.src_path: original_of(f.src_uri, config) for f in translations})
    _state["urls"] = {f.src_path: f.url for f in pages + translations}
    return files


def failure_message(state) -> str:
    err = state.error or {}
    where = f"code cell {err['code_cell']} ({err.get('first_line', '')})" if "code_cell" in err else "its worker"
    return f"{state.src_path} failed at {where}:\n{err.get('traceback', '(no traceback)')}"


def on_page_markdown(markdown, page, config, files, **kwargs):
    # The report page and its translations (zh/build.md), each linking the pages of its own language.
    original = original_of(page.file.src_uri, config) or page.file.src_uri
    if original != REPORT_PAGE or _state["report"] is None:
        return markdown
    lang = language_of(page.file.src_uri, config)
    urls = {}
    for src, url in _state["urls"].items():
        twin = twin_of(src, lang, config)
        if twin in _state["urls"]:
            urls[src] = get_relative_url(_state["urls"][twin], page.url)
    return markdown.replace(REPORT_MARKER, report_markdown(_state["report"], urls, lang))


def on_post_build(config, **kwargs):
    if _state["report"] is not None:
        write_report(_state["report"], Path(config.site_dir))
    if _state["command"] == "serve" and not _state["serving"]:
        _state["serving"] = True
        engine().pool.start()


def on_serve(server, config, builder, **kwargs):
    done = engine().store.done_dir
    done.mkdir(parents=True, exist_ok=True)
    server.watch(str(done))  # an execution ended: rebuild, and its page fills in
    return server


def on_shutdown(**kwargs):
    for run in _state["engines"].values():
        run.close()
