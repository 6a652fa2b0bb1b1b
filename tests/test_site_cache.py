"""The chapter cache (docs/hooks/chapter_cache.py), without building anything.

What must hold: a library change re-executes every chapter (new cache
directory), an edited chapter re-executes alone (new key inside the directory,
mkdocs-jupyter's own), and nothing else invalidates anything.
"""

from __future__ import annotations

import importlib.util
import os
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def hook():
    spec = importlib.util.spec_from_file_location("chapter_cache_under_test", ROOT / "docs/hooks/chapter_cache.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def project(tmp_path):
    """A small project: a package, recorded results, pyproject, and a chapter."""
    (tmp_path / "cnnguide" / "ops").mkdir(parents=True)
    (tmp_path / "cnnguide" / "__init__.py").write_text("")
    (tmp_path / "cnnguide" / "ops" / "conv.py").write_text("def conv(x):\n    return x\n")
    (tmp_path / "docs" / "recorded").mkdir(parents=True)
    (tmp_path / "docs" / "recorded" / "resnet.json").write_text('{"accuracy": 0.9}')
    (tmp_path / "docs" / "chapters").mkdir()
    (tmp_path / "docs" / "chapters" / "01-x.py").write_text("# %% [markdown]\n# # X\n")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    return tmp_path


def digest(hook, root, environment="env-1"):
    return hook.inputs_digest(root=root, environment=environment)


def test_digest_is_stable(hook, project):
    assert digest(hook, project) == digest(hook, project)
    assert len(digest(hook, project)) == 16


@pytest.mark.parametrize(
    "change",
    [
        lambda p: (p / "cnnguide/ops/conv.py").write_text("def conv(x):\n    return -x\n"),
        lambda p: (p / "cnnguide/ops/pool.py").write_text("POOL = 1\n"),  # a new module
        lambda p: (p / "cnnguide/ops/conv.py").unlink(),  # a removed module
        lambda p: (p / "cnnguide/ops/conv.py").rename(p / "cnnguide/ops/conv2.py"),  # a rename
        lambda p: (p / "cnnguide/ops/weights.bin").write_bytes(b"\x00\x01"),  # data, not only .py
        lambda p: (p / "docs/recorded/resnet.json").write_text('{"accuracy": 0.8}'),
        lambda p: (p / "pyproject.toml").write_text("[project]\nname = 'y'\n"),
    ],
    ids=["edit", "add", "remove", "rename", "data-file", "recorded-result", "pyproject"],
)
def test_library_changes_change_the_digest(hook, project, change):
    before = digest(hook, project)
    change(project)
    assert digest(hook, project) != before


@pytest.mark.parametrize(
    "change",
    [
        lambda p: (p / "docs/chapters/01-x.py").write_text("# %% [markdown]\n# # Y\n"),  # the plugin's own key
        lambda p: (p / "docs/chapters/02-new.py").write_text("# %%\n1\n"),
        lambda p: (p / "cnnguide/__pycache__").mkdir() or (p / "cnnguide/__pycache__/x.pyc").write_bytes(b"1"),
        lambda p: (p / "cnnguide/ops/.conv.py.swp").write_bytes(b"editor"),
        lambda p: (p / "cnnguide/ops/conv.py~").write_text("backup"),
        lambda p: os.utime(p / "cnnguide/ops/conv.py", (0, 0)),  # touch: contents count, not times
    ],
    ids=["chapter-edit", "chapter-new", "bytecode", "swap-file", "backup-file", "mtime"],
)
def test_other_changes_keep_the_digest(hook, project, change):
    before = digest(hook, project)
    change(project)
    assert digest(hook, project) == before


def test_environment_is_part_of_the_digest(hook, project):
    assert digest(hook, project, "torch=2.14.1") != digest(hook, project, "torch=2.15.0")
    fingerprint = hook.environment_fingerprint()
    assert fingerprint.startswith("python=") and "torch=" in fingerprint and "mkdocs-jupyter=" in fingerprint


def test_real_project_digest_covers_the_package(hook):
    files = [f.relative_to(ROOT).as_posix() for f in hook._input_files(ROOT / "cnnguide")]
    assert "cnnguide/__init__.py" in files
    assert not [f for f in files if "__pycache__" in f]


def test_cache_dir_selection_and_pruning(hook, tmp_path):
    base = tmp_path / ".cache" / "mkdocs-jupyter"
    first = hook.select_cache_dir(base, "a" * 16, keep=2)
    assert first == base / f"lib-{'a' * 16}" and first.is_dir()
    # `mkdocs serve` may hand back a config whose cache_dir is already a lib-* dir.
    assert hook.select_cache_dir(first, "a" * 16, keep=2) == first
    (first / "chapter.json").write_text("{}")
    time.sleep(0.01)
    second = hook.select_cache_dir(base, "b" * 16, keep=2)
    assert second != first and first.is_dir(), "the previous library version is kept (keep=2)"
    time.sleep(0.01)
    third = hook.select_cache_dir(base, "c" * 16, keep=2)
    assert sorted(p.name for p in base.iterdir()) == sorted([second.name, third.name]), "the oldest is pruned"
    # Switching back to a kept version finds its pages again.
    assert hook.select_cache_dir(base, "b" * 16, keep=2) == second


def fake_config(tmp_path, cache_dir=".cache/mkdocs-jupyter", cache=True):
    plugin = SimpleNamespace(config={"cache": cache, "cache_dir": cache_dir})
    return SimpleNamespace(
        plugins={"mkdocs-jupyter": plugin}, config_file_path=str(tmp_path / "mkdocs.yml")
    ), plugin


def test_on_config_points_the_plugin_at_the_library_dir(hook, tmp_path, monkeypatch):
    monkeypatch.delenv("CNNGUIDE_NO_CACHE", raising=False)
    monkeypatch.delenv("CNNGUIDE_CACHE_DIR", raising=False)
    monkeypatch.setattr(hook, "inputs_digest", lambda: "0123456789abcdef")
    config, plugin = fake_config(tmp_path)
    hook.on_config(config)
    assert Path(plugin.config["cache_dir"]) == tmp_path / ".cache/mkdocs-jupyter/lib-0123456789abcdef"
    assert plugin.config["cache"] is True
    # Rebuilds under `mkdocs serve` call on_config again: a new digest, a new dir.
    monkeypatch.setattr(hook, "inputs_digest", lambda: "fedcba9876543210")
    hook.on_config(config)
    assert Path(plugin.config["cache_dir"]) == tmp_path / ".cache/mkdocs-jupyter/lib-fedcba9876543210"


def test_cache_dir_env_moves_the_cache(hook, tmp_path, monkeypatch):
    monkeypatch.delenv("CNNGUIDE_NO_CACHE", raising=False)
    monkeypatch.setenv("CNNGUIDE_CACHE_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setattr(hook, "inputs_digest", lambda: "0123456789abcdef")
    config, plugin = fake_config(tmp_path)
    hook.on_config(config)
    assert Path(plugin.config["cache_dir"]) == tmp_path / "elsewhere/lib-0123456789abcdef"


def test_no_cache_env_turns_the_cache_off(hook, tmp_path, monkeypatch):
    monkeypatch.setenv("CNNGUIDE_NO_CACHE", "1")
    config, plugin = fake_config(tmp_path)
    hook.on_config(config)
    assert plugin.config["cache"] is False
    assert not (tmp_path / ".cache").exists()


def test_chapter_edit_changes_only_its_own_key(tmp_path):
    """mkdocs-jupyter's key: the chapter's bytes and the options; inside one library directory."""
    plugin = pytest.importorskip("mkdocs_jupyter.plugin")
    options = {k: "" for k in ("kernel_name", "theme", "highlight_extra_classes", "custom_mathjax_url")}
    options.update(allow_errors=False, show_input=True, no_input=False, no_prompt=False,
                   remove_tag_config={}, include_requirejs=False, toc_depth=6)
    a, b = tmp_path / "01-a.py", tmp_path / "02-b.py"
    a.write_text("# %%\n1\n")
    b.write_text("# %%\n2\n")
    key_a, key_b = (plugin._compute_cache_key(p, options, True) for p in (a, b))
    a.write_text("# %%\n10\n")
    assert plugin._compute_cache_key(a, options, True) != key_a
    assert plugin._compute_cache_key(b, options, True) == key_b
