"""MkDocs hook: the Chinese edition beside the English one, in one build.

The editions are listed in ``extra.alternate`` (see ``editions.py``): English
at the root, Chinese under ``docs/zh/`` and ``/zh/``. One build renders both;
the Chinese executable pages show the English pages' outputs and are never
executed themselves (``execute_pages.py``). This hook makes each page read as
a page of its own edition:

* **navigation**: ``nav`` in ``mkdocs.yml`` lists the English pages and then
  one section per translation (its pages only). A page shows its edition's
  navigation alone, the translation's section unwrapped into its top level,
  and its previous and next links stay within its edition;
* **interface language**: a Chinese page is rendered with Material's Chinese
  labels and ``<html lang="zh">`` (``theme.language`` for that page);
* **language switch**: the header's switch leads to the same page in the
  other language, or to that edition's home page where the page has no twin
  (the API reference is English only).

Material's own switch script looks up each language's ``sitemap.xml`` to find
the twin page, which a one-build site does not have (each lookup would fail
with a 404 in the console); the links here already point at the twin, so the
pages carry no ``<link rel="alternate">`` for it to follow.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

HOOKS = Path(__file__).resolve().parent
if str(HOOKS) not in sys.path:
    sys.path.insert(0, str(HOOKS))

from editions import language_of, languages, twin_of  # noqa: E402

_ALTERNATE_LINK = re.compile(r'\s*<link rel="alternate" href="[^"]*" hreflang="[^"]*">')

# Per build: each edition's navigation, and the settings a page changes and the next one restores.
_state: dict = {"navs": {}, "defaults": None}


def _pages_in(item) -> list[Page]:
    if isinstance(item, Page):
        return [item]
    if isinstance(item, Section):
        return [page for child in item.children for page in _pages_in(child)]
    return []


def _link_in_order(pages: list[Page]) -> None:
    for i, page in enumerate(pages):
        page.previous_page = pages[i - 1] if i > 0 else None
        page.next_page = pages[i + 1] if i + 1 < len(pages) else None


def split_navigation(nav: Navigation, config) -> dict[str, Navigation]:
    """One navigation per edition: the top-level items whose pages are all in it.

    A top-level section holding only a translation's pages is unwrapped: its
    children become that edition's top level.
    """
    own = languages(config)[0]
    items: dict[str, list] = {lang: [] for lang in languages(config)}
    for item in nav.items:
        found = {language_of(page.file.src_uri, config) for page in _pages_in(item)} or {own}
        if len(found) > 1:
            raise ValueError(f"the nav entry {item.title!r} mixes the languages {sorted(found)}: "
                             "give each translation a section of its own")
        lang = found.pop()
        if lang != own and isinstance(item, Section):
            for child in item.children:
                child.parent = None
            items[lang].extend(item.children)
        else:
            items[lang].append(item)
    navs = {}
    for lang, top in items.items():
        pages = [page for item in top for page in _pages_in(item)]
        _link_in_order(pages)
        navs[lang] = Navigation(top, pages)
        if navs[lang].homepage is None:  # a translation's home is its index.md
            navs[lang].homepage = next((p for p in pages if p.file.src_uri == f"{lang}/index.md"), None)
    return navs


def switch_links(src_uri: str, files, config) -> list[dict]:
    """``extra.alternate`` for one page: each edition's twin of it, or that edition's home page."""
    links = []
    for entry in config["extra"]["alternate"]:
        twin = files.get_file_from_path(twin_of(src_uri, entry["lang"], config))
        home = files.get_file_from_path(twin_of("index.md", entry["lang"], config))
        target = twin or home
        links.append({**entry, "link": target.url if target is not None else entry["link"]})
    return links


def on_config(config, **kwargs):
    _state["defaults"] = {"language": config["theme"]["language"],
                          "alternate": [dict(entry) for entry in config["extra"].get("alternate") or []]}
    return config


def on_nav(nav, config, files, **kwargs):
    _state["navs"] = split_navigation(nav, config)
    return nav


def on_page_context(context, page, config, nav, **kwargs):
    lang = language_of(page.file.src_uri, config)
    context["nav"] = _state["navs"].get(lang, nav)
    config["theme"]["language"] = lang
    if config["extra"].get("alternate"):
        config["extra"]["alternate"] = switch_links(page.file.src_uri, _state["files"], config)
    return context


def on_files(files, config, **kwargs):
    _state["files"] = files
    return files


def on_post_page(output, page, config, **kwargs):
    # The next template (a page, or 404.html) starts from the site's own settings.
    config["theme"]["language"] = _state["defaults"]["language"]
    config["extra"]["alternate"] = [dict(entry) for entry in _state["defaults"]["alternate"]]
    return _ALTERNATE_LINK.sub("", output)
