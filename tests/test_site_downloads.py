"""Each chapter can be downloaded as a notebook (and as its Jupytext source)."""

from __future__ import annotations

import json
from pathlib import Path

import jupytext
import pytest
from _site import is_chapter, site_dir
from test_site_pages import load_hook

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "docs" / "chapters").glob("*.py"))


def test_the_notebook_has_the_chapters_cells(tmp_path):
    hook = load_hook("downloads")
    source = CHAPTERS[0]
    out = hook.write_notebook(source, tmp_path / "x")
    notebook = json.loads(out.read_text())
    assert out.name == source.stem + ".ipynb"
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
    assert len(notebook["cells"]) == len(jupytext.read(source).cells)
    assert all(not c.get("outputs") for c in notebook["cells"] if c["cell_type"] == "code")


def test_the_bar_links_both_files():
    bar = load_hook("downloads").download_bar("10-lenet")
    assert 'href="10-lenet.ipynb" download' in bar and 'href="10-lenet.py" download' in bar


@pytest.mark.site
@pytest.mark.parametrize("source", CHAPTERS, ids=lambda p: p.stem)
def test_every_chapter_page_offers_its_notebook(source):
    site = site_dir()
    folder = site / "chapters" / source.stem
    assert is_chapter(site, folder / "index.html")
    assert f'href="{source.stem}.ipynb"' in (folder / "index.html").read_text(encoding="utf-8")
    notebook = json.loads((folder / f"{source.stem}.ipynb").read_text(encoding="utf-8"))
    assert notebook["nbformat"] == 4
    assert (folder / f"{source.stem}.py").read_text(encoding="utf-8") == source.read_text(encoding="utf-8")


def test_the_notebook_says_how_to_run_it_and_links_to_the_site(tmp_path):
    hook = load_hook("downloads")
    source = next(p for p in CHAPTERS if p.stem.startswith("18-"))
    page = "https://cnnguide.github.io/cnnguide/chapters/18-dcgan/"
    out = hook.write_notebook(source, tmp_path, page, "https://cnnguide.github.io/cnnguide/",
                              "https://github.com/cnnguide/cnnguide")
    cells = json.loads(out.read_text())["cells"]
    first = "".join(cells[0]["source"])
    assert "pip install -e ." in first and "dataset-fashion-mnist" in first and page in first
    assert len(cells) == len(jupytext.read(source).cells) + 1
    prose = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    assert "](../" not in prose and "](https://cnnguide.github.io/cnnguide/chapters/17-adversarial-game/" in prose
