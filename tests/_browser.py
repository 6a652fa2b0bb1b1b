"""Headless Chromium for the site's browser tests (``test_site_browser``, ``test_site_explorers``, ``test_site_languages``).

A test module imports the ``browser`` fixture and :class:`Visit` from here::

    from _browser import Visit, browser  # noqa: F401  (the fixture)

Every request to another host than the local server is aborted and reported,
so a page that needs the network fails here as it would for a reader without one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"  # Debian's; never `playwright install`
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
_DEFAULT = object()


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="the test extras install playwright")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: scripts/test installs Debian's chromium")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Visit:
    """A browser context on the local server that records everything that went wrong.

    ``problems`` collects requests to other hosts, console errors, uncaught
    exceptions, failed requests and HTTP errors. ``ready`` is a JavaScript
    function each :meth:`open` waits for until it returns something truthy,
    then awaits what it returns (the explorers' ``cnnguide.ready`` promise:
    the figures are mounted); ``None`` for none. ``options`` go to
    ``browser.new_context``.
    """

    def __init__(self, browser, base: str, *, ready: str | None = None, **options):
        self.base, self.ready, self.problems = base, ready, []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, **options)
        self.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base.rstrip("/"))
        self.context.route("**/*", self._route)

    def _route(self, route):
        url = route.request.url
        if url.startswith(self.base) or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.problems.append(f"request to another host: {url}")
            route.abort()

    def open(self, path: str, *, math: bool = False, ready=_DEFAULT):
        """Open ``path``; with ``math``, wait for MathJax to have typeset it; then wait for ``ready``.

        ``page.mathjax_requests`` lists the MathJax scripts the page fetched.
        """
        ready = self.ready if ready is _DEFAULT else ready
        page = self.context.new_page()
        page.mathjax_requests = []
        page.on("request", lambda r: "tex-mml-chtml" in r.url and page.mathjax_requests.append(r.url))
        page.on("console", lambda m: m.type == "error" and self.problems.append(f"console error: {m.text}"))
        page.on("pageerror", lambda e: self.problems.append(f"uncaught exception: {e}"))
        # A load the browser itself abandons (ERR_ABORTED: the page was left while the search
        # worker still fetched its language scripts) is no fault of the site; missing files
        # show as HTTP errors.
        page.on("requestfailed", lambda r: r.failure != "net::ERR_ABORTED"
                and self.problems.append(f"request failed: {r.url} ({r.failure})"))
        page.on("response", lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.url}"))
        page.goto(self.base + path, wait_until="load")
        if math:
            # MathJax is loaded by mathjax-config.js once the page shows math, and typesets on load.
            page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                                   timeout=30_000)
            page.evaluate("() => MathJax.startup.promise")
            page.evaluate("() => MathJax.typesetPromise ? MathJax.typesetPromise() : null")
        if ready:
            page.wait_for_function(ready, timeout=30_000)
            page.evaluate(ready)  # a promise (e.g. the figures being mounted) is awaited
        return page

    def close(self):
        self.context.close()
