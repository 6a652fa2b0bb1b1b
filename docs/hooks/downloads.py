"""MkDocs hook: every chapter can be downloaded as a notebook and as its source.

A reader who wants to run a chapter gets ``NN-slug.ipynb`` (converted from the
Jupytext source with jupytext, without outputs: running it is the point) and
the percent-format source ``NN-slug.py``, both written beside the page. A small
bar at the top of each chapter links both.

The source is the page's file under ``docs/``, not ``page.file.abs_src_path``:
``execute_pages.py`` points that at the executed notebook MkDocs renders.
"""

from __future__ import annotations

import html
import shutil
from pathlib import Path

import jupytext

_chapters: dict[str, str] = {}  # abs source path -> abs destination folder


def is_notebook_page(page) -> bool:
    return page.file.src_uri.endswith(".py")


def download_bar(stem: str) -> str:
    """The links for a chapter whose source is ``stem + '.py'`` (relative to the page)."""
    name = html.escape(stem)
    return (
        '<p class="cnnguide-downloads">Run this chapter yourself: '
        f'<a href="{name}.ipynb" download>notebook (.ipynb)</a> · '
        f'<a href="{name}.py" download>Jupytext source (.py)</a></p>\n'
    )


def write_notebook(source: Path, folder: Path) -> Path:
    """Convert a percent-format chapter to ``folder/<stem>.ipynb``; return its path."""
    notebook = jupytext.read(source)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{source.stem}.ipynb"
    jupytext.write(notebook, out, fmt="ipynb")
    return out


def on_pre_build(config, **kwargs):
    _chapters.clear()


def on_page_content(html_text, page, config, files, **kwargs):
    if not is_notebook_page(page):
        return html_text
    _chapters[str(Path(config.docs_dir) / page.file.src_path)] = str(Path(page.file.abs_dest_path).parent)
    return download_bar(Path(page.file.src_uri).stem) + html_text


def on_post_build(config, **kwargs):
    for source, folder in _chapters.items():
        write_notebook(Path(source), Path(folder))
        shutil.copyfile(source, Path(folder) / Path(source).name)
