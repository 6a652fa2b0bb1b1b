"""MkDocs hook: every page works offline and loads nothing from another host.

* Material shows the repository's stars and forks next to the repository link
  by calling ``api.github.com`` from the reader's browser. The link stays; the
  call goes (the ``data-md-component="source"`` marker is what triggers it).
* Then every built page is checked: a ``<script>``, stylesheet, icon, image,
  frame or media element that points at another host is reported as a warning,
  which fails the strict build. Plain links (``<a href>``, ``rel="canonical"``)
  load nothing and are fine.
"""

from __future__ import annotations

import logging
from html.parser import HTMLParser

log = logging.getLogger("mkdocs.hooks.offline")

# Attributes through which a browser fetches something by itself.
_FETCHING = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "audio": ("src",),
    "video": ("src", "poster"),
    "source": ("src", "srcset"),
    "track": ("src",),
    "input": ("src",),
}
# <link rel=...> values that make the browser fetch the href.
_FETCHING_LINKS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload", "modulepreload", "prefetch",
                   "manifest", "preconnect", "dns-prefetch"}


def _is_remote(url: str) -> bool:
    url = url.strip().lower()
    return url.startswith(("http://", "https://", "//"))


class _RemoteLoads(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link":
            rels = set((attrs.get("rel") or "").lower().split())
            if rels & _FETCHING_LINKS and _is_remote(attrs.get("href") or ""):
                self.found.append(f"<link rel={attrs.get('rel')} href={attrs.get('href')}>")
            return
        for name in _FETCHING.get(tag, ()):
            value = attrs.get(name) or ""
            urls = [part.split()[0] for part in value.split(",") if part.strip()] if name == "srcset" else [value]
            for url in urls:
                if _is_remote(url):
                    self.found.append(f"<{tag} {name}={url}>")

    handle_startendtag = handle_starttag


def remote_loads(html: str) -> list[str]:
    """The elements of ``html`` that make a browser fetch from another host."""
    parser = _RemoteLoads()
    parser.feed(html)
    parser.close()
    return parser.found


def on_post_page(output, page, config, **kwargs):
    output = output.replace(' data-md-component="source"', "")
    for load in remote_loads(output):
        log.warning("%s loads a remote resource (the site must work offline): %s", page.file.src_path, load)
    return output
