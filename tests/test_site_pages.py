"""Page weight and accessibility of the built site, and the hooks that keep pages light.

``pytest tests/test_site_pages.py -s`` (or ``python tests/_site.py site/``)
prints the size of every page.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from _site import elements, format_sizes, html_pages, is_chapter, page_url, site_dir

ROOT = Path(__file__).resolve().parents[1]
MAX_CHAPTER_BYTES = 2 * 1024 * 1024
# What a chapter page may still carry inline: nbconvert's copy-button script (4 KB)
# and small output styles; JupyterLab's 590 KB of CSS must be in the shared file.
MAX_INLINE_CSS_BYTES = 20 * 1024


def load_hook(name):
    spec = importlib.util.spec_from_file_location(f"{name}_under_test", ROOT / "docs" / "hooks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the built site ---------------------------------------------------------------


@pytest.mark.site
def test_page_sizes(capsys):
    site = site_dir()
    with capsys.disabled():
        print("\n" + format_sizes(site))
    heavy = [
        f"{page_url(site, p)}: {p.stat().st_size / 2**20:.2f} MB"
        for p in html_pages(site)
        if is_chapter(site, p) and p.stat().st_size > MAX_CHAPTER_BYTES
    ]
    assert not heavy, "chapter pages over 2 MB:\n" + "\n".join(heavy)


@pytest.mark.site
def test_every_image_has_alt_text():
    site = site_dir()
    missing = []
    for page in html_pages(site):
        for tag, attrs in elements(page):
            if tag == "img" and not (attrs.get("alt") or "").strip():
                src = (attrs.get("src") or "")[:60]
                missing.append(f"{page_url(site, page) or '/'}: <img src={src!r}>")
    assert not missing, f"{len(missing)} images without alt text:\n" + "\n".join(missing)


@pytest.mark.site
def test_chapters_share_one_notebook_stylesheet():
    site = site_dir()
    chapters = [p for p in html_pages(site) if is_chapter(site, p)]
    if not chapters:
        pytest.skip("no chapter built")
    problems, sheets = [], set()
    for page in chapters:
        html = page.read_text(encoding="utf-8")
        inline = sum(len(m) for m in re.findall(r"<style[^>]*>(.*?)</style>", html, re.S))
        if inline > MAX_INLINE_CSS_BYTES:
            problems.append(f"{page_url(site, page)}: {inline / 1024:.0f} KB of inline CSS")
        if "cdnjs" in html or 'src=""' in html:
            problems.append(f"{page_url(site, page)}: nbconvert's MathJax/Mermaid loader is still there")
        linked = [a.get("href") for t, a in elements(page) if t == "link" and "notebook-" in (a.get("href") or "")]
        if len(linked) != 1:
            problems.append(f"{page_url(site, page)}: links {len(linked)} notebook stylesheets")
            continue
        target = (page.parent / linked[0]).resolve()
        if not target.is_file():
            problems.append(f"{page_url(site, page)}: {linked[0]} is missing")
        sheets.add(target)
    assert not problems, "\n".join(problems)
    assert len(sheets) == 1, f"chapters link different notebook stylesheets: {sorted(map(str, sheets))}"
    (sheet,) = sheets
    css = sheet.read_text(encoding="utf-8")
    # The notebook styling is all there: JupyterLab's cells and the highlighting.
    assert ".jupyter-wrapper" in css and ".highlight-ipynb" in css and ".jp-CodeCell" in css


# --- the hooks, on hand-made input ------------------------------------------------

CHAPTER = """<script>clipboard()</script>
<style type="text/css">.highlight-ipynb .k { color: green }</style>
<style type="text/css">.jupyter-wrapper .jp-Cell { margin: 0 }</style>
<!-- Load mathjax -->
<script src="https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/latest.js?config=TeX-AMS_CHTML-full,Safe"> </script>
<script type="text/x-mathjax-config">init_mathjax();</script>
<!-- End of mathjax configuration --><script type="module">
  document.addEventListener("DOMContentLoaded", async () => {
    const diagrams = document.querySelectorAll(".jp-Mermaid > pre.mermaid");
    const mermaid = (await import("https://cdnjs.cloudflare.com/ajax/libs/mermaid/11.10.0/mermaid.esm.min.mjs")).default;
  });
</script>
<style>.jp-Mermaid:not(.jp-RenderedMermaid) { display: none; }</style>
<!-- End of mermaid configuration --><div class="jupyter-wrapper">
<div class="jp-Notebook"><style>.output-table { border: 0 }</style><p>$x$</p></div></div>
"""


def test_notebook_hook_strips_remote_loaders_and_moves_css():
    hook = load_hook("notebook_pages")
    html, name, css = hook.rewrite_chapter(CHAPTER, "chapters/01-x/")
    assert "cdnjs" not in html and "mathjax" not in html.lower() and "mermaid" not in html.lower()
    assert name is not None and re.fullmatch(r"notebook-[0-9a-f]{10}\.css", name)
    assert f'<link rel="stylesheet" href="../../assets/stylesheets/{name}">' in html
    # The link stands where the first <style> was: after the script, before the notebook.
    assert html.index("clipboard()") < html.index("<link") < html.index("jupyter-wrapper")
    assert ".highlight-ipynb .k" in css and ".jupyter-wrapper .jp-Cell" in css
    assert css.index(".highlight-ipynb") < css.index(".jupyter-wrapper"), "the cascade order is kept"
    # A <style> that an output put inside the notebook stays where it is.
    assert "<style>.output-table { border: 0 }</style>" in html
    assert ".output-table" not in css


def test_notebook_hook_leaves_other_pages_alone():
    hook = load_hook("notebook_pages")
    page = "<h1>Home</h1><style>.x{}</style>"
    assert hook.rewrite_chapter(page, "") == (page, None, "")


def test_notebook_stylesheet_name_follows_its_content():
    hook = load_hook("notebook_pages")
    assert hook.stylesheet_name("a{}") == hook.stylesheet_name("a{}") != hook.stylesheet_name("b{}")


def test_offline_hook_finds_remote_loads():
    hook = load_hook("offline")
    html = """
    <link rel="canonical" href="https://example.org/x/">
    <a href="https://github.com/x/y">repository</a>
    <link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">
    <script src="//cdn.example.org/lib.js"></script>
    <img alt="a" src="data:image/png;base64,AAAA">
    <img alt="b" srcset="small.png 1x, https://example.org/big.png 2x">
    <script src="../assets/javascripts/bundle.js"></script>
    """
    found = hook.remote_loads(html)
    assert len(found) == 3, found
    assert any("fonts.googleapis.com" in f for f in found)
    assert any("cdn.example.org" in f for f in found)
    assert any("example.org/big.png" in f for f in found)


def test_offline_hook_drops_the_repository_api_call():
    hook = load_hook("offline")
    page = type("Page", (), {"file": type("File", (), {"src_path": "index.md"})()})()
    out = hook.on_post_page('<a href="https://github.com/x/y" class="md-source" data-md-component="source">', page, None)
    assert 'data-md-component="source"' not in out and 'href="https://github.com/x/y"' in out


def test_griffe_extension_renders_rest_for_markdown():
    pytest.importorskip("griffe")
    ext = load_hook("griffe_docstrings")
    assert ext.convert_roles("see :func:`~cnnguide.ops.corr2d` and :class:`ValueError`") == (
        'see <autoref identifier="cnnguide.ops.corr2d" optional><code>corr2d</code></autoref> and `ValueError`'
    )
    text = "Intro.\n\n>>> 1 + 1\n2\n\nExamples\n--------\n>>> 2 + 2\n4\n"
    fenced = ext.fence_doctests(text)
    assert fenced.startswith("Intro.\n\n```pycon\n>>> 1 + 1\n2\n```\n")
    assert fenced.endswith("--------\n>>> 2 + 2\n4\n"), "griffe renders the Examples section itself"
    assert ext.literal_block_colons("Typical use::\n\n    f()") == "Typical use:\n\n    f()"
    table = "=== =====\na   b\n=== =====\nx   y\n    more\nz   w\n=== =====\n"
    assert ext.simple_tables(table).split("\n")[:4] == ["| a | b |", "| --- | --- |", "| x | y more |", "| z | w |"]
    # A type is shown as code: a role in it becomes the bare name; in the description it links.
    entry = "costs : mapping of str to :class:`~cnnguide.memory.StepCost`\n    See :class:`~cnnguide.memory.StepCost`."
    converted = ext.convert(entry)
    assert converted.startswith("costs : mapping of str to StepCost\n")
    assert '<autoref identifier="cnnguide.memory.StepCost" optional>' in converted


# A reader's code cell is about 100 characters wide at 1280 px; longer printed lines wrap or scroll.
MAX_OUTPUT_LINE = 100


@pytest.mark.site
def test_printed_output_lines_fit():
    """Every line a page prints (text outputs of its code cells) is at most 100 characters."""
    import html as html_module

    site = site_dir()
    block = re.compile(r'data-mime-type="text/plain"[^>]*>\s*<pre>(.*?)</pre>', re.S)
    long_lines = []
    for page in html_pages(site):
        for text in block.findall(page.read_text(encoding="utf-8")):
            for line in html_module.unescape(re.sub(r"<[^>]+>", "", text)).splitlines():
                if len(line) > MAX_OUTPUT_LINE:
                    long_lines.append(f"/{page_url(site, page)}: {len(line)} characters: {line[:70]}…")
    assert not long_lines, f"{len(long_lines)} printed lines over {MAX_OUTPUT_LINE} characters:\n" + "\n".join(
        long_lines)
