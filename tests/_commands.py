"""Helpers shared by the tests of the ``cnnguide`` command and of the scripts in ``scripts/``."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from cnnguide.cli import main

REPO = Path(__file__).resolve().parents[1]


def run_ok(argv, capsys):
    """Run ``cnnguide ARGV``; it must succeed. Returns what it printed."""
    assert main(argv) == 0
    return capsys.readouterr()


def usage_error(argv, capsys) -> str:
    """Run ``cnnguide ARGV``; it must refuse with a one-line usage error (no traceback). Returns that line."""
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    last = captured.err.strip().splitlines()[-1]
    assert last.startswith("cnnguide") and ": error: " in last
    return last


def load_script(name: str):
    """The module ``scripts/NAME.py``, imported from its file (the scripts are not a package)."""
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there while the file runs
    spec.loader.exec_module(module)
    return module


def script_usage_error(script, argv, capsys) -> str:
    """Run a script's ``main(argv)``; it must exit 2. Returns the last line of its error output."""
    with pytest.raises(SystemExit) as exit_info:
        script.main(argv)
    assert exit_info.value.code == 2
    return capsys.readouterr().err.strip().splitlines()[-1]
