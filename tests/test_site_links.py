"""Every internal link and anchor of the built site resolves.

A walk of the built HTML (not of the sources), so it also covers the links
written inside chapters, which mkdocs-jupyter copies into the pages as they are,
and the links MkDocs, Material and mkdocstrings generate.
"""

from __future__ import annotations

import functools
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from _site import elements, html_pages, page_url, site_dir, site_url_path

pytestmark = pytest.mark.site

# Attributes that point at another file of the site.
LINKING = {"a": "href", "link": "href", "img": "src", "script": "src", "source": "src", "iframe": "src"}


@functools.lru_cache(maxsize=None)
def anchors(page: Path) -> frozenset[str]:
    """The ids (and ``<a name>``) a URL fragment can point at in ``page``."""
    found = set()
    for tag, attrs in elements(page):
        if attrs.get("id"):
            found.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            found.add(attrs["name"])
    return frozenset(found)


def target_file(site: Path, page: Path, path: str) -> Path | None:
    """The file a link's path (already without query and fragment) leads to, or None."""
    if path.startswith("/"):
        prefix = site_url_path()
        if not path.startswith(prefix):
            return None
        target = site / unquote(path[len(prefix):])
    else:
        target = page.parent / unquote(path)
    target = target.resolve()
    if site.resolve() not in (target, *target.parents):
        return None  # escapes the site
    if target.is_dir():
        target = target / "index.html"
    return target if target.is_file() else None


def broken_links(site: Path, page: Path) -> list[str]:
    broken = []
    for tag, attrs in elements(page):
        attr = LINKING.get(tag)
        url = attrs.get(attr) if attr else None
        if url is None:
            continue
        parts = urlsplit(url.strip())
        if parts.scheme or parts.netloc:
            continue  # external (http, mailto, data: ...): not this test's business
        if tag == "link" and "canonical" in (attrs.get("rel") or ""):
            continue
        target = page if not parts.path else target_file(site, page, parts.path)
        if target is None:
            broken.append(f"<{tag} {attr}={url!r}>: no such file")
            continue
        fragment = unquote(parts.fragment)
        if fragment and target.suffix == ".html" and fragment not in anchors(target):
            broken.append(f"<{tag} {attr}={url!r}>: no id {fragment!r} in {page_url(site, target) or '/'}")
    return broken


def test_internal_links_and_anchors_resolve():
    site = site_dir()
    pages = html_pages(site)
    assert pages, "the site has no pages"
    report = []
    for page in pages:
        for problem in broken_links(site, page):
            report.append(f"{page_url(site, page) or '/'}: {problem}")
    assert not report, f"{len(report)} broken links:\n" + "\n".join(report)


def test_every_chapter_in_the_nav_is_a_page():
    """Each chapter source gives a page (a chapter left out of nav is still built, but unreachable)."""
    site = site_dir()
    chapters = sorted((Path(__file__).resolve().parents[1] / "docs" / "chapters").glob("[0-9][0-9]-*.py"))
    missing = [c.name for c in chapters if not (site / "chapters" / c.stem / "index.html").is_file()]
    assert not missing, f"chapters without a page: {missing}"
    home = elements(site / "index.html")
    nav = {attrs.get("href") for tag, attrs in home if tag == "a"}
    unlinked = [c.stem for c in chapters if f"chapters/{c.stem}/" not in nav]
    assert not unlinked, f"chapters missing from the navigation (mkdocs.yml nav): {unlinked}"
