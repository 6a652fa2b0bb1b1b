"""MkDocs hook: every chapter can be downloaded as a notebook and as its source.

A reader who wants to run a chapter gets ``NN-slug.ipynb`` (converted from the
Jupytext source with jupytext, without outputs: running it is the point) and
the percent-format source ``NN-slug.py``, both written beside the page. A small
bar at the top of each chapter links both.

The source is the page's file under ``docs/``, not ``page.file.abs_src_path``:
``execute_pages.py`` points that at the executed notebook MkDocs renders.

The notebook opens with a cell that says how to get ``cnnguide`` and the data,
and its links point at the site (a relative link means nothing in a
downloaded file).
"""

from __future__ import annotations

import html
import re
import shutil
import sys
from pathlib import Path
from urllib.parse import urljoin

import jupytext
import nbformat

HOOKS = Path(__file__).resolve().parent
if str(HOOKS) not in sys.path:
    sys.path.insert(0, str(HOOKS))

from editions import language_of  # noqa: E402

_chapters: dict[str, tuple[str, str]] = {}  # abs source path -> (abs destination folder, page's absolute URL)

# A Markdown link's target, unless it is absolute already or an anchor on the page.
_LINK = re.compile(r"(\]\()(?!https?://|mailto:|#)([^)\s]+)(\))")

SETUP_CELL = """\
*This notebook is a chapter of [cnnguide]({site}), downloaded from [its page]({page}).*

To run it you need the `cnnguide` library and the Fashion-MNIST files:

```bash
git clone {repo} && cd cnnguide
pip install -e .                           # the library, with torch and torchvision
sudo apt-get install dataset-fashion-mnist # on Debian; elsewhere, set CNNGUIDE_DATA
                                           # to a folder with the four .gz files
```

Then open this notebook from that folder (or any folder, once `cnnguide` is
installed) and run the cells in order."""


def is_notebook_page(page) -> bool:
    return page.file.src_uri.endswith(".py")


# The bar's words in each edition (editions.py): lead, notebook, source.
BAR_WORDS = {
    "en": ("Run this chapter yourself:", "notebook (.ipynb)", "Jupytext source (.py)"),
    "zh": ("自己运行本章：", "notebook（.ipynb）", "Jupytext 源文件（.py）"),
}


def download_bar(stem: str, language: str = "en") -> str:
    """The links for a chapter whose source is ``stem + '.py'`` (relative to the page)."""
    name = html.escape(stem)
    lead, notebook, source = BAR_WORDS.get(language, BAR_WORDS["en"])
    return (
        f'<p class="cnnguide-downloads">{lead} '
        f'<a href="{name}.ipynb" download>{notebook}</a> · '
        f'<a href="{name}.py" download>{source}</a></p>\n'
    )


def absolute_links(markdown: str, page_url: str) -> str:
    """``markdown`` with its relative link targets resolved against the page's absolute URL.

    >>> absolute_links("see [chapter 17](../17-adversarial-game/)", "https://x.io/b/chapters/18-dcgan/")
    'see [chapter 17](https://x.io/b/chapters/17-adversarial-game/)'
    """
    return _LINK.sub(lambda m: m.group(1) + urljoin(page_url, m.group(2)) + m.group(3), markdown)


def write_notebook(source: Path, folder: Path, page_url: str | None = None, site_url: str = "",
                   repo_url: str = "") -> Path:
    """Convert a percent-format chapter to ``folder/<stem>.ipynb``; return its path.

    With ``page_url`` (the page's absolute URL), the notebook starts with a
    cell on getting ``cnnguide`` and the data, and its links are absolute.
    """
    notebook = jupytext.read(source)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    if page_url:
        for cell in notebook.cells:
            if cell.cell_type == "markdown":
                cell.source = absolute_links(cell.source, page_url)
        setup = SETUP_CELL.format(site=site_url or page_url, page=page_url, repo=repo_url or site_url)
        notebook.cells.insert(0, nbformat.v4.new_markdown_cell(setup))
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{source.stem}.ipynb"
    jupytext.write(notebook, out, fmt="ipynb")
    return out


def on_pre_build(config, **kwargs):
    _chapters.clear()


def on_page_content(html_text, page, config, files, **kwargs):
    if not is_notebook_page(page):
        return html_text
    page_url = urljoin(config.site_url or "", page.url)
    _chapters[str(Path(config.docs_dir) / page.file.src_path)] = (str(Path(page.file.abs_dest_path).parent), page_url)
    return download_bar(Path(page.file.src_uri).stem, language_of(page.file.src_uri, config)) + html_text


def on_post_build(config, **kwargs):
    for source, (folder, page_url) in _chapters.items():
        write_notebook(Path(source), Path(folder), page_url, config.site_url or "", config.repo_url or "")
        shutil.copyfile(source, Path(folder) / Path(source).name)
