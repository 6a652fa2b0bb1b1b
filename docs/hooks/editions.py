"""The site's editions: English at the root, each translation under ``docs/<lang>/``.

Not a hook: the hooks ``execute_pages.py``, ``languages.py`` and
``downloads.py`` import it. The languages come from ``extra.alternate`` in
``mkdocs.yml`` (Material's language switch): the first entry is the site's own
language, served from the root; every other entry's pages live under
``docs/<lang>/`` and each translates the page at the same path below the root
(``docs/zh/chapters/10-lenet.py`` translates ``docs/chapters/10-lenet.py``).
"""

from __future__ import annotations


def languages(config) -> list[str]:
    """The ``lang`` of every edition, the site's own first.

    >>> languages({"extra": {"alternate": [{"lang": "en"}, {"lang": "zh"}]}})
    ['en', 'zh']
    """
    alternate = (config["extra"] or {}).get("alternate") or []
    if alternate:
        return [entry["lang"] for entry in alternate]
    theme = config["theme"]
    return [theme["language"] if "language" in theme else "en"]


def language_of(src_uri: str, config) -> str:
    """The edition a page belongs to, by the folder it lives in.

    >>> config = {"extra": {"alternate": [{"lang": "en"}, {"lang": "zh"}]}}
    >>> language_of("zh/chapters/10-lenet.py", config), language_of("chapters/10-lenet.py", config)
    ('zh', 'en')
    """
    own, *translated = languages(config)
    first = src_uri.split("/", 1)[0]
    return first if first in translated and "/" in src_uri else own


def original_of(src_uri: str, config) -> str | None:
    """The page a translated page translates; None for a page of the site's own language.

    >>> original_of("zh/results.py", {"extra": {"alternate": [{"lang": "en"}, {"lang": "zh"}]}})
    'results.py'
    """
    if language_of(src_uri, config) == languages(config)[0]:
        return None
    return src_uri.split("/", 1)[1]


def twin_of(src_uri: str, language: str, config) -> str:
    """Where the page at ``src_uri`` lives in ``language`` (whether or not it exists).

    >>> config = {"extra": {"alternate": [{"lang": "en"}, {"lang": "zh"}]}}
    >>> twin_of("chapters/02-cross-correlation.py", "zh", config), twin_of("zh/index.md", "en", config)
    ('zh/chapters/02-cross-correlation.py', 'index.md')
    """
    original = original_of(src_uri, config) or src_uri
    return original if language == languages(config)[0] else f"{language}/{original}"
