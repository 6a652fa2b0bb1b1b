"""MkDocs hook: a notebook page's headings and its table of contents agree on each id.

mkdocs-jupyter renders each Markdown cell on its own, so a heading's id comes
from its cell alone, while the page's table of contents is computed once, from
the whole notebook, with Python-Markdown's ASCII-only slug. The two disagree
where a heading has no ASCII letters (a Chinese heading gets the id ``""``, its
contents entry ``#_1``) or where two cells share a heading (both ``vgg``, the
contents ``#vgg`` and ``#vgg_1``): the contents link leads nowhere.

Where they disagree, this hook gives the heading and its contents entry one
id: the heading's Unicode slug (``#网络架构``), made unique on the page.
Headings that already agree keep their ids, so links into the English pages
do not change.
"""

from __future__ import annotations

import html
import logging
import re

from markdown.extensions.toc import slugify_unicode, unique

log = logging.getLogger("mkdocs.hooks.heading_ids")

# A Markdown cell's heading as mkdocs-jupyter writes it: <hN id="...">text<a class="anchor-link" href="#...">
# (notebook_pages.py makes the link a "headerlink" later).
_HEADING = re.compile(r'<h([1-6]) id="([^"]*)">(.*?)<a class="(anchor-link|headerlink)" href="#[^"]*"', re.S)


def _in_order(toc) -> list:
    links = []
    for link in toc:
        links.append(link)
        links.extend(_in_order(link.children))
    return links


def shared_ids(content: str, toc) -> str:
    """Give each heading of ``content`` the id of its ``toc`` entry, in order; change both where they differ.

    >>> from mkdocs.structure.toc import get_toc
    >>> toc = get_toc([{"level": 2, "id": "_1", "name": "网络架构", "children": []}])
    >>> shared_ids('<h2 id="">网络架构<a class="anchor-link" href="#">¶</a></h2>', toc)
    '<h2 id="网络架构">网络架构<a class="anchor-link" href="#网络架构">¶</a></h2>'
    >>> toc.items[0].id
    '网络架构'
    """
    links = _in_order(toc)
    headings = list(_HEADING.finditer(content))
    if len(headings) != len(links):
        log.warning("%d headings but %d contents entries: ids left as they are", len(headings), len(links))
        return content
    taken = {match.group(2) for match, link in zip(headings, links) if match.group(2) == link.id}
    pieces, end = [], 0
    for match, link in zip(headings, links):
        if match.group(2) != link.id:
            link.id = unique(slugify_unicode(html.unescape(link.title), "-"), taken)
        level, text, kind = match.group(1), match.group(3), match.group(4)
        pieces += [content[end:match.start()], f'<h{level} id="{link.id}">{text}<a class="{kind}" href="#{link.id}"']
        end = match.end()
    return "".join(pieces) + content[end:]


def on_page_content(html_text, page, config, files, **kwargs):
    if not page.file.src_uri.endswith((".py", ".ipynb")):
        return html_text  # a Markdown page: one toc extension made both
    return shared_ids(html_text, page.toc)
