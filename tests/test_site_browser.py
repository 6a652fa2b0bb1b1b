"""The built site as readers meet it: every page in headless Chromium, offline.

The site is served on 127.0.0.1 and any request to another host is aborted and
reported, so a page that needs the network (a CDN script, a web font, an API
call) fails here as it would for a reader without one. On every page:

* no console error, no uncaught exception, no failed request, no HTTP error;
* every image loaded;
* all math typeset by MathJax (none left raw, no TeX error);
* every code block has a copy button that copies its code;

and the search finds "convolution".
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from _browser import Visit, browser  # noqa: F401  (the fixture)
from _site import html_pages, is_chapter, page_url, serve, site_dir

pytestmark = pytest.mark.site

# Raw TeX left in the visible text after typesetting. A lone "$" is legitimate
# prose ("\$5" in a chapter); a "$" pair around TeX-looking text is not.
RAW_MATH = re.compile(r"\$\$|\\\(|\\\)|\\\[|\\\]|\\begin\{|\$[^$\n]{0,200}[\\^_{}][^$\n]{0,200}\$")
# Material's copy button: `.md-clipboard` up to 9.6, a `.md-code__button` since.
COPY_BUTTON = ".md-clipboard, .md-code__button[data-md-type='copy']"
# The same test on a page's HTML (code excluded) tells whether it has math at all.
_CODE = re.compile(r"<(script|style|pre|code)\b.*?</\1>", re.S | re.I)


def has_math(page: Path) -> bool:
    html = page.read_text(encoding="utf-8")
    return 'class="arithmatex"' in html or bool(RAW_MATH.search(_CODE.sub("", html)))


@pytest.fixture(scope="module")
def site():
    site = site_dir()
    with serve(site) as base:
        yield site, base


def scroll_through(page):
    """Scroll to the bottom in steps, so that lazily loaded images load, then wait for them."""
    page.evaluate(
        """async () => {
            for (let y = 0; y < document.body.scrollHeight; y += window.innerHeight) {
                window.scrollTo(0, y);
                await new Promise(r => setTimeout(r, 50));
            }
            await Promise.all(Array.from(document.images).map(img => img.complete ? null :
                new Promise(r => { img.addEventListener('load', r); img.addEventListener('error', r); })));
        }"""
    )


def check_page(page, has_math_source: bool, chapter: bool) -> list[str]:
    problems = []
    broken = page.evaluate(
        "() => Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0)"
        ".map(i => i.src.slice(0, 80))"
    )
    problems += [f"image did not load: {src}" for src in broken]

    text = page.inner_text("article")
    raw = sorted(set(m.group(0)[:60] for m in RAW_MATH.finditer(text)))
    problems += [f"math left raw: {r!r}" for r in raw]
    typeset = page.locator("article mjx-container").count()
    if has_math_source and typeset == 0:
        problems.append("the page has math but MathJax typeset none")
    errors = page.locator("article mjx-merror").all_inner_texts()
    problems += [f"TeX error: {e}" for e in errors]

    # Markdown and API code blocks: Material's copy button in every <pre> with code.
    no_button = page.evaluate(
        """(button) => Array.from(document.querySelectorAll('article pre > code'))
            .filter(c => !c.closest('.jupyter-wrapper'))
            .filter(c => !c.parentElement.querySelector(button))
            .map(c => c.textContent.slice(0, 60))""",
        COPY_BUTTON,
    )
    problems += [f"code block without a copy button: {t!r}" for t in no_button]
    if chapter:
        # Code cells: mkdocs-jupyter's <clipboard-copy for=ID>, copying the
        # cell source from the (hidden) element with that id.
        cells = page.evaluate(
            """() => Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputArea-editor')).map(e => {
                const button = e.querySelector('clipboard-copy');
                const target = button && document.getElementById(button.getAttribute('for'));
                return {button: !!button, source: target ? target.textContent : null};
            })"""
        )
        problems += [f"code cell {i + 1} has no copy button" for i, c in enumerate(cells) if not c["button"]]
        problems += [f"code cell {i + 1}: copy button copies nothing" for i, c in enumerate(cells)
                     if c["button"] and not (c["source"] or "").strip()]
    return problems


def test_every_page_in_a_browser(browser, site):
    site_path, base = site
    pages = html_pages(site_path)
    assert pages
    visit = Visit(browser, base)
    report = []
    try:
        for file in pages:
            path = page_url(site_path, file)
            visit.problems = []
            math = has_math(file)
            page = visit.open(path, math=math)
            scroll_through(page)
            problems = visit.problems + check_page(page, math, is_chapter(site_path, file))
            if not math and page.mathjax_requests:
                problems.append("MathJax (1.2 MB) loaded on a page without math")
            page.close()
            report += [f"/{path}: {p}" for p in problems]
    finally:
        visit.close()
    assert not report, f"{len(report)} problems:\n" + "\n".join(report)


def test_copy_buttons_copy_the_code(browser, site):
    """Click the first copy button of a chapter and of a Markdown page; read the clipboard."""
    site_path, base = site
    visit = Visit(browser, base)
    try:
        chapters = [p for p in html_pages(site_path) if is_chapter(site_path, p)]
        for file in chapters[:1]:
            page = visit.open(page_url(site_path, file))
            button = page.locator(".jp-CodeCell clipboard-copy").first
            expected = page.evaluate(
                "b => document.getElementById(b.getAttribute('for')).textContent", button.element_handle()
            )
            button.click()
            assert page.evaluate("() => navigator.clipboard.readText()") == expected
            page.close()
        for file in html_pages(site_path):
            page = visit.open(page_url(site_path, file))
            button = page.locator(f"article pre :is({COPY_BUTTON})").first
            if button.count() == 0:
                page.close()
                continue
            expected = page.evaluate("b => b.closest('pre').querySelector('code').innerText", button.element_handle())
            button.click()
            copied = page.evaluate("() => navigator.clipboard.readText()")
            assert copied.strip() == expected.strip(), (page_url(site_path, file), copied, expected)
            page.close()
            break
        else:
            pytest.skip("no Markdown code block with a copy button on any page")
        assert not visit.problems, visit.problems
    finally:
        visit.close()


def test_search_finds_convolution(browser, site):
    _, base = site
    visit = Visit(browser, base)
    try:
        page = visit.open("")
        page.click(".md-search__form")
        page.keyboard.type("convolution")
        page.wait_for_selector(".md-search-result__item", timeout=30_000)
        results = page.locator(".md-search-result__item").count()
        meta = page.inner_text(".md-search-result__meta")
        assert results > 0, meta
        assert not visit.problems, visit.problems
    finally:
        visit.close()


def test_dark_mode_toggle_restyles_chapters(browser, site):
    """The palette toggle switches Material and the notebook cells to the dark scheme."""
    site_path, base = site
    chapters = [p for p in html_pages(site_path) if is_chapter(site_path, p)]
    if not chapters:
        pytest.skip("no chapter built")
    visit = Visit(browser, base)
    try:
        page = visit.open(page_url(site_path, chapters[0]))

        def colours():
            return page.evaluate(
                """() => {
                    const cell = document.querySelector('.jp-CodeCell .jp-InputArea-editor') || document.body;
                    return {scheme: document.body.getAttribute('data-md-color-scheme'),
                            body: getComputedStyle(document.body).backgroundColor,
                            cell: getComputedStyle(cell).backgroundColor};
                }"""
            )

        light = colours()
        page.locator("label.md-header__button[for^='__palette_']:visible").first.click()
        page.wait_for_function("() => document.body.getAttribute('data-md-color-scheme') === 'slate'")
        dark = colours()
        assert light["scheme"] == "default" and dark["scheme"] == "slate"
        assert dark["body"] != light["body"]
        assert dark["cell"] != light["cell"], "code cells keep their light background in dark mode"
        assert not visit.problems, visit.problems
    finally:
        visit.close()


# Wider than its column by at most this much (sub-pixel rounding).
TABLE_SLACK_PX = 2


@pytest.mark.parametrize("width, height, may_scroll", [(1280, 800, False), (390, 844, True)],
                         ids=["desktop", "phone"])
def test_every_table_fits_its_column(browser, site, width, height, may_scroll):
    """Every column of every table is visible: at 1280 px each table fits its column; on a phone a
    table too wide to fit sits in a wrapper that fits the screen and scrolls sideways."""
    site_path, base = site
    visit = Visit(browser, base)
    visit.context.close()
    visit.context = browser.new_context(viewport={"width": width, "height": height})
    visit.context.route("**/*", visit._route)
    report = []
    try:
        for file in html_pages(site_path):
            page = visit.open(page_url(site_path, file))
            too_wide = page.evaluate(
                """([slack, mayScroll]) => {
                    const article = document.querySelector('article');
                    const column = article.getBoundingClientRect().width;
                    const scrolls = (table) => {
                        for (let e = table.parentElement; e && e !== article; e = e.parentElement) {
                            // Material's wrapper may reach into the page's margins on a phone:
                            // it must fit the screen.
                            const overflow = getComputedStyle(e).overflowX, box = e.getBoundingClientRect();
                            if ((overflow === 'auto' || overflow === 'scroll') && box.left >= -slack
                                && box.right <= document.documentElement.clientWidth + slack) return true;
                        }
                        return false;
                    };
                    return Array.from(article.querySelectorAll('table'))
                        .filter(t => t.offsetParent !== null)
                        .map(t => ({width: t.getBoundingClientRect().width, column, table: t,
                                    head: (t.querySelector('tr') || t).innerText.replace(/\\s+/g, ' ').slice(0, 60)}))
                        .filter(t => t.width > t.column + slack && !(mayScroll && scrolls(t.table)))
                        .map(({table, ...rest}) => rest);
                }""",
                [TABLE_SLACK_PX, may_scroll],
            )
            report += [f"/{page_url(site_path, file)}: table {t['head']!r} is {t['width']:.0f} px wide in a "
                       f"{t['column']:.0f} px column" + (", and nothing scrolls it" if may_scroll else "")
                       for t in too_wide]
            page.close()
    finally:
        visit.close()
    assert not report, f"{len(report)} tables too wide at {width} px:\n" + "\n".join(report)
