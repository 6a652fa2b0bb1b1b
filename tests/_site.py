"""Helpers for the tests of the built site (``tests/test_site_*.py``).

The site is built by ``scripts/test`` (cold, strict) and found through the
``CNNGUIDE_SITE_DIR`` environment variable. Run as a script, this module prints
every page's size::

    python tests/_site.py site/
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import re
import sys
import threading
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def site_dir() -> Path:
    """The built site, or skip the calling test when none was built."""
    value = os.environ.get("CNNGUIDE_SITE_DIR")
    if not value:
        pytest.skip("CNNGUIDE_SITE_DIR is not set: scripts/test builds the site and sets it")
    site = Path(value)
    if not (site / "index.html").is_file():
        pytest.fail(f"CNNGUIDE_SITE_DIR={value} has no index.html: build the site first")
    return site


def html_pages(site: Path) -> list[Path]:
    """Every page of the site (``404.html`` excepted: it is served for any URL, with absolute links)."""
    return sorted(p for p in site.rglob("*.html") if p.relative_to(site).as_posix() != "404.html")


def page_url(site: Path, page: Path) -> str:
    """The URL path of ``page`` relative to the site root: ``chapters/01-x/`` for ``chapters/01-x/index.html``."""
    rel = page.relative_to(site).as_posix()
    return rel[: -len("index.html")] if rel.endswith("index.html") else rel


def is_chapter(site: Path, page: Path) -> bool:
    """A chapter page, English (``chapters/``) or translated (``zh/chapters/``)."""
    return page.relative_to(site).as_posix().startswith(("chapters/", "zh/chapters/"))


@functools.lru_cache(maxsize=1)
def site_url_path() -> str:
    """The path part of ``site_url`` in mkdocs.yml (``/cnnguide/``), which absolute links start with."""
    match = re.search(r"^site_url:\s*(\S+)", (ROOT / "mkdocs.yml").read_text(), re.M)
    if not match:
        return "/"
    path = re.sub(r"^[a-z]+://[^/]+", "", match.group(1))
    return path if path.endswith("/") else path + "/"


class Elements(HTMLParser):
    """Collect (tag, attributes) of every start tag of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


@functools.lru_cache(maxsize=None)
def elements(page: Path) -> tuple[tuple[str, dict], ...]:
    parser = Elements()
    parser.feed(page.read_text(encoding="utf-8"))
    parser.close()
    return tuple(parser.tags)


@contextlib.contextmanager
def serve(site: Path):
    """Serve ``site`` on 127.0.0.1 on a free port; yield the base URL (ending in ``/``)."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(site), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def page_sizes(site: Path) -> list[tuple[str, int]]:
    """(URL path, bytes) of every page, largest first."""
    return sorted(((page_url(site, p) or "/", p.stat().st_size) for p in html_pages(site)), key=lambda t: -t[1])


def format_sizes(site: Path) -> str:
    rows = page_sizes(site)
    total = sum(size for _, size in rows)
    shared = sorted((site / "assets" / "stylesheets").glob("notebook-*.css"))
    width = max([len(url) for url, _ in rows] + [len(f"(shared) {c.name}") for c in shared] + [11])
    lines = [f"{'page':<{width}}  {'KB':>8}"]
    lines += [f"{url:<{width}}  {size / 1024:8.1f}" for url, size in rows]
    for css in shared:
        lines.append(f"{'(shared) ' + css.name:<{width}}  {css.stat().st_size / 1024:8.1f}")
    lines.append(f"{'total pages':<{width}}  {total / 1024:8.1f}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(format_sizes(Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "site")))
