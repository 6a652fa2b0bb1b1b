"""The Chinese edition as built: every English page has its twin, with the same code and outputs.

The Chinese pages live under ``/zh/`` (``docs/zh/``, see ``docs/hooks/editions.py``);
they are rendered with the English pages' outputs and never executed
(``site/build.json`` lists them as translations). Here, on the built site:

* each English page has a Chinese twin, whose code cells and outputs are the
  English page's, byte for byte;
* each edition's pages say their language, show their own navigation only,
  and the language switch leads to the twin (in Chromium, both ways);
* searching 卷积, 互相关, 感受野, 池化, 残差 and 模式崩溃 finds the right chapters
  among the first five results.

The browser checks every page passes (no console error, math typeset, images
loaded) run on the Chinese pages too (``test_site_browser.py``), as do the
explorers and the live LeNet (``test_site_explorers.py``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from _site import Elements, html_pages, page_url, serve, site_dir
from _browser import Visit, browser  # noqa: F401  (the fixture)

pytestmark = pytest.mark.site

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

# What a reader of Chinese searches for, and the chapter that must come up.
SEARCHES = {
    "卷积": "zh/chapters/02-cross-correlation/",
    "互相关": "zh/chapters/02-cross-correlation/",  # one word only with docs/zh/search-words.txt
    "感受野": "zh/chapters/09-receptive-field/",
    "池化": "zh/chapters/07-pooling/",
    "残差": "zh/chapters/13-resnet/",
    "模式崩溃": "zh/chapters/20-mode-collapse/",
}

_CODE = re.compile(r'<div class="jp-Cell jp-CodeCell.*?(?=<div class="jp-Cell |</main>|$)', re.S)


def english_pages() -> list[str]:
    """The English pages that must have a Chinese twin, as URL paths."""
    pages = [f"chapters/{p.stem}/" for p in sorted((DOCS / "chapters").glob("[0-9][0-9]-*.py"))]
    return ["", *pages, "results/", "distributed/", "build/"]


_CELL_ID = re.compile(r' id="cell-id=[^"]*"')


def code_cells(html: str) -> list[str]:
    """The code cells of a rendered chapter, input and output, as HTML (the Markdown cells left out).

    Without the cells' element ids, which jupytext draws at random for each
    notebook it reads (a translation's cells are not the same cells).
    """
    return [_CELL_ID.sub("", m.group(0)) for m in _CODE.finditer(html)]


def test_every_english_page_has_a_chinese_twin_with_the_same_code_and_outputs():
    site = site_dir()
    missing, differing = [], []
    for path in english_pages():
        english, chinese = site / path / "index.html", site / "zh" / path / "index.html"
        if not chinese.is_file():
            missing.append(path)
            continue
        ours, theirs = code_cells(english.read_text(encoding="utf-8")), code_cells(chinese.read_text(encoding="utf-8"))
        if ours != theirs:
            first = next((i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b), min(len(ours), len(theirs)))
            differing.append(f"{path}: code cell {first + 1} of {len(ours)} differs")
    assert not missing, f"no Chinese twin for {missing}"
    assert not differing, "\n".join(differing)


def test_no_chinese_page_was_executed():
    report = json.loads((site_dir() / "build.json").read_text())
    executed = [p["page"] for p in report["pages"]]
    assert executed and not [p for p in executed if p.startswith("zh/")]
    translated = {t["page"]: t["outputs_of"] for t in report["translations"]}
    expected = {f"zh/{p.relative_to(DOCS).as_posix()}": p.relative_to(DOCS).as_posix()
                for p in [*sorted((DOCS / "chapters").glob("*.py")), DOCS / "results.py", DOCS / "distributed.py"]}
    assert translated == expected


def test_each_edition_says_its_language_and_shows_its_own_navigation():
    site = site_dir()
    for page in html_pages(site):
        path = page_url(site, page)
        chinese = path.startswith("zh/")
        html = page.read_text(encoding="utf-8")
        assert f'<html lang="{"zh" if chinese else "en"}"' in html, path
        # The sidebar's links: a Chinese page's lead to Chinese pages (or the English API reference,
        # linked from the text, not the nav), an English page's to English ones.
        nav = html[html.find('<nav class="md-nav md-nav--primary"'):html.find("</nav>", html.find('md-nav--primary'))]
        hrefs = [attrs.get("href", "") for tag, attrs in elements_of(nav) if tag == "a"]
        wrong = [h for h in hrefs if _points_into_zh(path, h) != chinese and not h.startswith(("#", "http"))]
        assert not wrong, f"/{path}: navigation links to the other edition: {wrong[:5]}"


def elements_of(html: str) -> list[tuple[str, dict]]:
    parser = Elements()
    parser.feed(html)
    parser.close()
    return parser.tags


def _points_into_zh(page_path: str, href: str) -> bool:
    from urllib.parse import urljoin

    target = urljoin("http://site/" + page_path, href)
    return target.startswith("http://site/zh/")


def test_the_switch_leads_to_the_twin_both_ways(browser):  # noqa: F811
    site = site_dir()
    with serve(site) as base:
        visit = Visit(browser, base)
        try:
            for english, chinese in [("chapters/13-resnet/", "zh/chapters/13-resnet/"), ("results/", "zh/results/"),
                                     ("", "zh/")]:
                page = visit.open(english)
                page.locator(".md-select__link[hreflang=zh]").first.dispatch_event("click")
                page.wait_for_url(base + chinese)
                assert page.evaluate("() => document.documentElement.lang") == "zh"
                page.locator(".md-select__link[hreflang=en]").first.dispatch_event("click")
                page.wait_for_url(base + english)
                page.close()
            # The API reference is English only: its switch leads to the Chinese home page.
            page = visit.open("reference/ops/")
            assert page.locator(".md-select__link[hreflang=zh]").first.get_attribute("href").rstrip("/").endswith("zh")
            page.close()
            assert not visit.problems, visit.problems
        finally:
            visit.close()


@pytest.mark.parametrize("term", SEARCHES)
def test_chinese_search_finds_the_chapter(browser, term):  # noqa: F811
    site = site_dir()
    with serve(site) as base:
        visit = Visit(browser, base)
        try:
            page = visit.open("zh/")
            page.click(".md-search__form")
            page.keyboard.type(term)
            page.wait_for_selector(".md-search-result__item", timeout=30_000)
            links = page.eval_on_selector_all(".md-search-result__item > a", "as => as.map(a => a.href)")
            found = [re.split("[?#]", link.replace(base, ""))[0] for link in links[:5]]
            assert SEARCHES[term] in found, f"{term}: the first results are {found}"
            assert not visit.problems, visit.problems
        finally:
            visit.close()
