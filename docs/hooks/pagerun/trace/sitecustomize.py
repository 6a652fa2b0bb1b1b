"""Record which files a page's processes read, for the page cache's key.

The page executor (``docs/hooks/pagerun/worker.py``) puts this folder first on
``PYTHONPATH`` of the kernel it starts, so Python runs this module at start-up
in the kernel *and* in every Python process the page starts (``torchrun``
children, ``multiprocessing`` spawn workers, a ``cnnguide`` command run with
``subprocess``): they inherit the environment.

With ``CNNGUIDE_TRACE_READS=FILE`` set, an audit hook (PEP 578) appends one
line per file opened (``open`` events: ``open()``, ``io.open_code`` used by
imports, ``Path.read_bytes``...) and per folder listed (``os.listdir``,
``os.scandir``) to ``FILE``, once per path and process::

    r<TAB>/abs/path      read (opened without writing), or only tried: a
                         missing file the page looked for counts too
    w<TAB>/abs/path      opened for writing: the page's own output, not an input
    l<TAB>/abs/folder    listed (by the page, not by the import system; an
                         existing folder only)

Only paths under ``CNNGUIDE_TRACE_ROOTS`` (``os.pathsep``-separated folders)
are written: the project and the data folders, not the Python environment,
whose versions are part of the key instead. Lines are appended with
``O_APPEND`` in one ``write`` each, so processes can share the file.

Reads that bypass Python's ``open`` (safetensors' Rust reader, C++ ``fopen``)
are not seen: the key adds a loaded module's package data for that reason
(:mod:`pagerun.keys`).
"""

import os
import sys


def _install(log_path: str, roots: tuple[str, ...]) -> None:
    seen: set[tuple[str, str]] = set()
    fd = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    fspath, getcwd, join, normpath, write = os.fspath, os.getcwd, os.path.join, os.path.normpath, os.write

    def record(kind: str, path) -> None:
        try:
            path = fspath(path)
            if isinstance(path, bytes):
                path = os.fsdecode(path)
            if not isinstance(path, str):
                return  # a file descriptor: opened earlier, by path
            if not path.startswith("/"):
                path = join(getcwd(), path)
            path = normpath(path)
            if not path.startswith(roots) or (kind, path) in seen:
                return
            seen.add((kind, path))
            write(fd, f"{kind}\t{path}\n".encode("utf-8", "surrogateescape"))
        except Exception:  # an audit hook must never break the page
            pass

    def hook(event: str, args) -> None:
        if event == "open":
            path, mode, flags = args
            if path is None:
                return
            writing = (mode is not None and any(c in mode for c in "wax+")) or (
                flags is not None and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
            )
            record("w" if writing else "r", path)
        elif event in ("os.listdir", "os.scandir"):
            # Not the import system's own listings (every package folder it
            # searches), nor folders that do not exist (torch probes for CUDA
            # libraries under every sys.path entry).
            if "importlib" in sys._getframe(1).f_code.co_filename:
                return
            path = args[0] if args and args[0] is not None else "."
            if isinstance(path, (str, bytes, os.PathLike)) and os.path.isdir(path):
                record("l", path)

    sys.addaudithook(hook)
    # Modules imported before the hook (this runs at start-up, so few or none).
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if file:
            record("r", file)


_log = os.environ.get("CNNGUIDE_TRACE_READS")
if _log:
    _roots = os.environ.get("CNNGUIDE_TRACE_ROOTS", "").split(os.pathsep)
    _install(_log, tuple(r.rstrip("/") + "/" for r in _roots if r))
    _install = None  # one hook per process


def _chain() -> None:
    """Run the ``sitecustomize`` this one shadows, if the interpreter has one (Debian's does)."""
    import importlib

    here = os.path.dirname(os.path.abspath(__file__))
    saved = sys.path[:]
    me = sys.modules.pop(__name__, None)
    try:
        sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
        importlib.import_module("sitecustomize")
    except ImportError:
        pass
    finally:
        sys.path[:] = saved
        if me is not None:
            sys.modules[__name__] = me


_chain()
