"""MkDocs hook: make the chapter pages light and self-contained.

mkdocs-jupyter renders each chapter with nbconvert's JupyterLab template, which
puts into every page, ahead of the notebook itself:

* about 590 KB of JupyterLab and Pygments CSS in ``<style>`` blocks;
* a MathJax 2 ``<script>`` from cdnjs.cloudflare.com (or ``src=""`` when
  ``custom_mathjax_url`` is empty) with its configuration; the site already
  loads its own MathJax 3 (``docs/assets/mathjax``), which typesets the chapters;
* a Mermaid loader that imports its library from cdnjs when a page has a diagram;
* after the notebook, a broken copy of the Pygments CSS (for ``.ipynb`` sources).

In the notebook itself, heading permalinks become Material's (``headerlink``,
which search leaves out of titles) and outputs are kept out of the search index
(``data-search-exclude``).

This hook removes the two scripts (the site must work offline and load nothing
from elsewhere) and the broken copy, and moves the CSS into one shared stylesheet,
``assets/stylesheets/notebook-<digest>.css``, which the browser fetches once for
all chapters. The ``<link>`` takes the place of the first ``<style>`` block, so
the cascade, and thus the notebook styling, is the same as before.

Anything remote that a future template adds is caught by ``offline.py``.
It works on the rendered page content (``on_page_content``), so chapters served
from mkdocs-jupyter's cache are treated the same way as freshly executed ones.
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

from mkdocs.utils import get_relative_url

log = logging.getLogger("mkdocs.hooks.notebook_pages")

WRAPPER = '<div class="jupyter-wrapper">'
STYLESHEET_DIR = "assets/stylesheets"

_MATHJAX = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.S)
_MERMAID = re.compile(
    r'<script type="module">(?:(?!</script>).)*?jp-Mermaid.*?<!-- End of mermaid configuration -->', re.S
)
_REQUIREJS = re.compile(r'<script src="[^"]*require(?:\.min)?\.js"></script>')
_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.S)
# nbconvert's heading permalinks; Material's own are class="headerlink", which its
# search leaves out of section titles (else every chapter heading ends in "¶").
_ANCHOR = re.compile(r'<a class="anchor-link" href="(#[^"]*)">¶</a>')
# Executed outputs (printed numbers, tables, listings of the library's source)
# stay out of the search index: a search for "convolution" should find prose and
# code cells, not the whole source of conv_transpose2d shown as an output.
_OUTPUT_AREA = '<div class="jp-OutputArea jp-Cell-outputArea">'

# mkdocs-jupyter 0.26 appends, after a rendered .ipynb (the executed notebooks
# are .ipynb), a <style> holding the Python repr of a list of the Pygments CSS
# that the header already has: no valid CSS, and a copy.
_TRAILING_CSS_LIST = re.compile(r"\s*<style>\s*\[.*\]\s*</style>\s*$", re.S)

# Stylesheets collected during a build: file name -> CSS text.
_stylesheets: dict[str, str] = {}


def split_notebook(html: str) -> tuple[str, str] | None:
    """Split a rendered chapter into (template header, notebook body), or None if not a chapter."""
    at = html.find(WRAPPER)
    if at < 0:
        return None
    return html[:at], html[at:]


def strip_remote_scripts(header: str) -> str:
    """Remove nbconvert's MathJax 2, Mermaid and RequireJS loaders from a chapter's header."""
    header = _MATHJAX.sub("", header)
    header = _MERMAID.sub("", header)
    return _REQUIREJS.sub("", header)


def extract_styles(header: str) -> tuple[str, str]:
    """Remove the ``<style>`` blocks from ``header``; return (header with a marker, their CSS).

    The marker ``<!--notebook-css-->`` stands where the first block was.
    """
    blocks = _STYLE.findall(header)
    if not blocks:
        return header, ""
    first = True

    def replace(match: re.Match) -> str:
        nonlocal first
        marker = "<!--notebook-css-->" if first else ""
        first = False
        return marker

    return _STYLE.sub(replace, header), "\n".join(b.strip() for b in blocks) + "\n"


def stylesheet_name(css: str) -> str:
    """Content-addressed file name: a new mkdocs-jupyter CSS gets a new URL (no stale cache)."""
    return f"notebook-{hashlib.sha256(css.encode()).hexdigest()[:10]}.css"


def rewrite_chapter(html: str, page_url: str) -> tuple[str, str | None, str]:
    """Rewrite one rendered chapter; return (html, stylesheet name or None, CSS)."""
    parts = split_notebook(html)
    if parts is None:
        return html, None, ""
    header, body = parts
    body = _TRAILING_CSS_LIST.sub("\n", body)
    body = _ANCHOR.sub(r'<a class="headerlink" href="\1" title="Permanent link">¶</a>', body)
    body = body.replace(_OUTPUT_AREA, _OUTPUT_AREA[:-1] + " data-search-exclude>")
    header = strip_remote_scripts(header)
    header, css = extract_styles(header)
    name = None
    if css:
        name = stylesheet_name(css)
        href = get_relative_url(f"{STYLESHEET_DIR}/{name}", page_url)
        header = header.replace("<!--notebook-css-->", f'<link rel="stylesheet" href="{href}">')
    return header + body, name, css


def on_pre_build(config, **kwargs):
    _stylesheets.clear()


def on_page_content(html, page, config, files, **kwargs):
    html, name, css = rewrite_chapter(html, page.url)
    if name is not None:
        _stylesheets[name] = css
    return html


def on_post_build(config, **kwargs):
    out = Path(config.site_dir) / STYLESHEET_DIR
    out.mkdir(parents=True, exist_ok=True)
    for name, css in _stylesheets.items():
        (out / name).write_text(css, encoding="utf-8")
    if len(_stylesheets) > 1:
        log.info("notebook CSS differs between chapters: %d stylesheets", len(_stylesheets))
