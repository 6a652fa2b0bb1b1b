"""The page cache (docs/hooks/pagerun): what a page's key is made of, tested on a small project.

What must hold: a page's stored output is reused while its code cells, the
environment and every file it read are unchanged; a prose edit executes
nothing; a library file the page did not load changes nothing; one it loaded,
a data file or a recorded result it read (or looked for), re-executes it; a
failing cell is reported with the page and the cell.
"""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "hooks"))

from pagerun import keys  # noqa: E402
from pagerun.engine import Engine, Settings, merge_outputs  # noqa: E402
from pagerun.store import page_id  # noqa: E402


def notebook(text: str):
    return jupytext.reads(textwrap.dedent(text), fmt="py:percent")


ENV = {"python": "3.11.7", "torch": "2.14.1"}
PAGE = """\
# %% [markdown]
# # A page
# Some prose.

# %%
x = 1 + 1
print(x)
"""


# --- the code key ----------------------------------------------------------------------


def test_prose_is_not_in_the_code_key():
    edited = PAGE.replace("Some prose.", "Other prose, longer.")
    assert keys.code_key(notebook(PAGE), "python3", ENV) == keys.code_key(notebook(edited), "python3", ENV)


@pytest.mark.parametrize("change", [
    lambda page, env: (page.replace("1 + 1", "1 + 2"), env),
    lambda page, env: (page + "\n# %%\nprint(3)\n", env),
    lambda page, env: (page.replace("# %%\nx", "# %% tags=['raises-exception']\nx"), env),
    lambda page, env: (page, {**env, "torch": "2.15.0"}),
    lambda page, env: (page, {**env, "python": "3.12.1"}),
], ids=["code-edit", "new-cell", "tag", "torch-upgrade", "python-upgrade"])
def test_code_and_environment_are_in_the_code_key(change):
    page, env = change(PAGE, ENV)
    assert keys.code_key(notebook(page), "python3", env) != keys.code_key(notebook(PAGE), "python3", ENV)


def test_the_environment_names_torch_and_the_rendering_stack():
    env = keys.environment_fingerprint()
    assert {"python", "torch", "nbclient", "jupytext", "mkdocs-jupyter"} <= set(env)


# --- which traced paths are inputs ---------------------------------------------------------


@pytest.fixture
def project(tmp_path):
    """A small project: a package with two modules and package data, a data folder, a page each."""
    root = tmp_path / "project"
    (root / "pkg" / "sub").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "a.py").write_text("A = 1\n")
    (root / "pkg" / "b.py").write_text("B = 2\n")
    (root / "pkg" / "weights.bin").write_bytes(b"\x00\x01")
    (root / "pkg" / "sub" / "__init__.py").write_text("")
    (root / "pkg" / "sub" / "c.py").write_text("C = 3\n")
    (root / "data").mkdir()
    (root / "data" / "numbers.txt").write_text("41\n")
    (root / "docs").mkdir()
    (root / "docs" / "uses_a.py").write_text(
        "# %% [markdown]\n# # Uses a\n\n# %%\nfrom pkg.a import A\nprint(A + int(open('data/numbers.txt').read()))\n")
    (root / "docs" / "uses_b.py").write_text(
        "# %% [markdown]\n# # Uses b\n\n# %%\nimport os\nfrom pkg.b import B\n"
        "print(B, os.path.exists('recorded/run.json') or 'no run recorded')\n"
        "try:\n    open('recorded/run.json').read()\nexcept FileNotFoundError:\n    pass\n")
    return root


def test_inputs_from_a_trace(project):
    rules = keys.InputRules(project, data_roots=[project.parent / "datasets"])
    data = project.parent / "datasets" / "set.gz"
    trace = [
        f"r\t{project}/pkg/__pycache__/a.cpython-311.pyc",  # an import: counts as its source
        f"r\t{project}/pkg/__init__.py",
        f"r\t{project}/data/numbers.txt",
        f"r\t{project}/recorded/missing.json",  # looked for, absent: still an input
        f"w\t{project}/out/figure.png",  # written: an output
        f"r\t{project}/out/figure.png",
        f"r\t{project}/.venv/lib/site.py",  # the environment: its versions are in the code key
        f"r\t{project}/.cache/pages/x.ipynb",
        f"r\t{data}",
        f"l\t{project}/data",
        "r\t/usr/lib/python3.11/os.py",
    ]
    assert rules.inputs(trace) == sorted([
        "pkg/a.py", "pkg/__init__.py", "pkg/weights.bin",  # package data beside a loaded module
        "data/numbers.txt", "recorded/missing.json", str(data), "data",
    ])


def test_package_data_is_only_the_loaded_modules_folder(project):
    rules = keys.InputRules(project)
    assert rules.inputs([f"r\t{project}/pkg/sub/c.py"]) == ["pkg/sub/c.py"]


def test_recorded_runs_folder_comes_with_the_recorded_module(tmp_path):
    (tmp_path / "cnnguide").mkdir()
    (tmp_path / "cnnguide" / "__init__.py").write_text("")
    (tmp_path / "cnnguide" / "recorded.py").write_text("")
    names = keys.InputRules(tmp_path).inputs([f"r\t{tmp_path}/cnnguide/recorded.py"])
    assert "docs/recorded" in names


def test_digests_follow_contents_not_times(project):
    files = keys.FileDigests()
    rules = keys.InputRules(project)
    recorded = rules.digests(["pkg/a.py", "recorded/run.json", "data"], files)
    assert recorded["recorded/run.json"] == keys.ABSENT and recorded["data"].startswith("dir:")
    (project / "pkg" / "a.py").touch()
    assert rules.changed(recorded, files) == []
    (project / "pkg" / "a.py").write_text("A = 10\n")
    (project / "data" / "more.txt").write_text("")
    (project / "recorded").mkdir()
    (project / "recorded" / "run.json").write_text("{}")
    assert rules.changed(recorded, files) == ["pkg/a.py", "recorded/run.json", "data"]


# --- executing pages in a real kernel --------------------------------------------------------


def make_engine(project, workers=1):
    settings = Settings(root=project, cache=project / ".cache" / "pages", workers=workers, threads=1, cores=2,
                        data_roots=[])
    return Engine(settings)


def plan(engine, project):
    states = engine.plan([(p.name, p) for p in sorted((project / "docs").glob("*.py"))])
    return {s.name: s for s in states}


def execute(engine, project):
    states = plan(engine, project)
    engine.submit_stale()
    failures = engine.wait()
    return {s.name: s.status for s in states.values()}, failures


@pytest.mark.slow
def test_a_page_executes_again_only_when_something_it_read_changed(project):
    engine = make_engine(project, workers=2)
    assert execute(engine, project)[0] == {"uses_a": "executed", "uses_b": "executed"}
    states = plan(engine, project)
    assert {n: s.status for n, s in states.items()} == {"uses_a": "executed", "uses_b": "executed"}
    inputs = states["uses_a"].entry["inputs"]
    assert {"pkg/a.py", "pkg/__init__.py", "pkg/weights.bin", "data/numbers.txt"} <= set(inputs)
    assert "pkg/b.py" not in inputs
    assert "recorded/run.json" in states["uses_b"].entry["inputs"]

    fresh = make_engine(project)  # another build: what it did not run itself is "cached"
    assert {n: s.status for n, s in plan(fresh, project).items()} == {"uses_a": "cached", "uses_b": "cached"}

    # A prose edit: nothing to execute, and the page shows the new prose with the stored output.
    page = project / "docs" / "uses_a.py"
    page.write_text(page.read_text().replace("# # Uses a", "# # Uses a, retitled"))
    states = plan(fresh, project)
    assert states["uses_a"].status == "cached"
    rendered = jupytext.read(fresh.render_path(states["uses_a"]))
    assert "retitled" in rendered.cells[0].source and rendered.cells[1].outputs[0]["text"] == "42\n"

    # A library file that uses_a loaded, not uses_b.
    (project / "pkg" / "a.py").write_text("A = 2\n")
    states = plan(fresh, project)
    assert (states["uses_a"].status, states["uses_b"].status) == ("stale", "cached")
    assert "pkg/a.py" in states["uses_a"].reason

    # A data file it read; then a recorded result the other page looked for.
    (project / "pkg" / "a.py").write_text("A = 1\n")
    assert plan(fresh, project)["uses_a"].status == "cached"  # back as it was: the stored output holds
    (project / "data" / "numbers.txt").write_text("40\n")
    (project / "recorded").mkdir()
    (project / "recorded" / "run.json").write_text("{}")
    assert {n: s.status for n, s in plan(fresh, project).items()} == {"uses_a": "stale", "uses_b": "stale"}
    assert execute(fresh, project)[0] == {"uses_a": "executed", "uses_b": "executed"}
    rendered = jupytext.read(fresh.render_path(plan(fresh, project)["uses_a"]))
    assert rendered.cells[1].outputs[0]["text"] == "41\n"


@pytest.mark.slow
def test_a_failing_cell_is_named(project):
    (project / "docs" / "uses_a.py").write_text(
        "# %% [markdown]\n# # Fails\n\n# %%\nx = 1\n\n# %%\n# the second code cell\nraise ValueError('boom')\n")
    engine = make_engine(project)
    statuses, failures = execute(engine, project)
    assert statuses["uses_a"] == "failed" and statuses["uses_b"] == "executed"
    error = failures[0].error
    assert error["code_cell"] == 2 and error["first_line"] == "# the second code cell"
    assert "ValueError" in error["traceback"] and "boom" in error["traceback"]
    # The failure is remembered for this code and these inputs: not executed again until one changes.
    assert plan(engine, project)["uses_a"].status == "failed"


def test_merge_keeps_the_new_prose_and_the_old_outputs():
    source = notebook(PAGE.replace("Some prose.", "New prose."))
    executed = notebook(PAGE)
    executed.cells[1].outputs = [{"output_type": "stream", "name": "stdout", "text": "2\n"}]
    merged = merge_outputs(source, executed)
    assert "New prose." in merged.cells[0].source and merged.cells[1].outputs[0]["text"] == "2\n"
    with pytest.raises(ValueError, match="code cells differ"):
        merge_outputs(notebook(PAGE.replace("1 + 1", "1 + 3")), executed)


def test_page_ids():
    assert page_id("chapters/13-resnet.py") == "chapters--13-resnet"
    assert page_id("results.py") == "results"


# --- the real site ----------------------------------------------------------------------------


@pytest.mark.site
def test_the_build_report_shows_what_each_page_read():
    from _site import site_dir

    report = json.loads((site_dir() / "build.json").read_text(encoding="utf-8"))
    pages = {Path(p["page"]).stem: p for p in report["pages"]}
    assert len(pages) == len(list((ROOT / "docs" / "chapters").glob("*.py"))) + 2
    for name, page in pages.items():
        assert page["status"] in ("executed", "cached") and page["seconds"] is not None
        inputs = page["key"]["inputs"]
        assert "cnnguide/__init__.py" in inputs, name
        if name[:2].isdigit() and int(name[:2]) <= 16:
            assert not [i for i in inputs if i.startswith("cnnguide/gan/")], f"{name} depends on the GAN package"
    for name in ("17-adversarial-game", "18-dcgan", "19-conditional-gan", "20-mode-collapse"):
        assert "cnnguide/gan/losses.py" in pages[name]["key"]["inputs"]
    assert "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz" in pages["10-lenet"]["key"]["inputs"]
    # Read by safetensors' Rust code, which the tracer cannot see: there as the judge module's package data.
    assert "cnnguide/gan/judge_weights.safetensors" in pages["18-dcgan"]["key"]["inputs"]


@pytest.mark.site
def test_a_built_site_has_no_placeholder_and_reports_every_page():
    from _site import html_pages, site_dir

    site = site_dir()
    assert not [p for p in html_pages(site) if "cnnguide-pending" in p.read_text(encoding="utf-8")]
    page = (site / "build" / "index.html").read_text(encoding="utf-8")
    report = json.loads((site / "build.json").read_text(encoding="utf-8"))
    assert "build-report" not in page, "the report's marker was not replaced"
    for record in report["pages"]:
        assert f">{Path(record['page']).stem}</a>" in page
    assert f"{report['machine']['cores']} cores" in page and report["machine"]["cpu"] in page
