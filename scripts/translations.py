#!/usr/bin/env python
"""The Chinese pages beside the English ones: make them, keep them in step, say where they fall behind.

A translated executable page (``docs/zh/chapters/NN-slug.py``,
``docs/zh/results.py``, ``docs/zh/distributed.py``) is the English page
with its Markdown cells in Chinese. Its code cells are the English ones, byte
for byte: the Chinese page is never executed on its own but shows the English
page's outputs. Each translated Markdown cell carries, in its header, the
digest of the English cell it translates::

    # %% [markdown] en="3f2a9c1b7d04"

so that when the English cell changes, the translation is known to be stale.
A translated Markdown page (``docs/zh/index.md``, ``docs/zh/build.md``) is cut
into sections at its headings, each opened by the digest of the English
section it translates::

    <!-- en="9b1e03c4d2aa" -->
    ## 为什么还要一本 CNN 教程

::

    python scripts/translations.py sync      # add new chapters and cells, copy the code cells, keep translations
    python scripts/translations.py check     # list stale and untranslated cells; exit 1 if any
    python scripts/translations.py check --warn --brief   # what scripts/test runs: stale cells and counts, exit 0
    python scripts/translations.py words     # the search's word list from the glossary (after editing it)

``sync`` aligns each Chinese file with its English chapter by the digests:
a cell whose English source is unchanged keeps its translation; a changed
English cell keeps the old translation, still marked with the old digest (so
``check`` reports it stale until a translator updates the text and the
digest); a new English cell is copied in English with ``todo="translate"``;
a removed one is dropped. Code cells always come from English.

``words`` writes ``docs/zh/search-words.txt``, the glossary's Chinese terms,
one per line: jieba's user dictionary when the search index is built
(``mkdocs.yml``). Without it jieba cuts 互相关 into 互相 + 关 and 感受野 into
感受 + 野, and a reader searching for the term finds nothing.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
LANGUAGES = {"zh": DOCS / "zh"}
# The translated pages, relative to docs/ (and to docs/<language>/).
EXECUTABLE = ("chapters/*.py", "results.py", "distributed.py")
MARKDOWN = ("index.md", "build.md")
SECTION_MARK = re.compile(r'^<!-- en="([0-9a-f]{12})" -->\n', re.M)
GLOSSARY, SEARCH_WORDS = "glossary.md", "search-words.txt"


def digest(source: str) -> str:
    """The 12-hex-digit digest that ties a translation to its English cell.

    >>> digest("# 2. Cross-correlation")
    'a63ca5309b3f'
    """
    return hashlib.sha256(source.strip().encode("utf-8")).hexdigest()[:12]


def read(path: Path):
    import jupytext

    return jupytext.read(path, fmt="py:percent")


def write(notebook, path: Path) -> None:
    import jupytext

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(jupytext.writes(notebook, fmt="py:percent"), encoding="utf-8")


@dataclass
class Finding:
    """A cell of a translated chapter that is not in step with English."""

    path: Path
    cell: int
    kind: str  # "stale", "untranslated", "code differs", "missing chapter"
    first_line: str

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)} cell {self.cell}: {self.kind}: {self.first_line[:70]}"


def sync_one(english: Path, translated: Path) -> None:
    """Bring ``translated`` in step with ``english`` (see the module docstring)."""
    import nbformat

    source = read(english)
    target = read(translated) if translated.exists() else None
    old_markdown = [] if target is None else [c for c in target.cells if c.cell_type == "markdown"]
    old_keys = [c.metadata.get("en", "") for c in old_markdown]
    new_markdown = [c for c in source.cells if c.cell_type == "markdown"]
    new_keys = [digest(c.source) for c in new_markdown]
    kept: dict[int, object] = {}
    matcher = difflib.SequenceMatcher(a=old_keys, b=new_keys, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            kept.update({j1 + k: old_markdown[i1 + k] for k in range(j2 - j1)})
        elif tag == "replace":  # changed English cells: the old translation stays, marked stale by its digest
            kept.update({j1 + k: old_markdown[i1 + k] for k in range(min(i2 - i1, j2 - j1))})
    cells, m = [], 0
    for cell in source.cells:
        if cell.cell_type != "markdown":
            cells.append(nbformat.v4.new_code_cell(cell.source, metadata=dict(cell.metadata)))
            continue
        old = kept.get(m)
        if old is not None and old.metadata.get("todo") != "translate":
            cells.append(nbformat.v4.new_markdown_cell(old.source, metadata={"en": old.metadata.get("en", "")}))
        else:
            cells.append(nbformat.v4.new_markdown_cell(cell.source, metadata={"en": new_keys[m], "todo": "translate"}))
        m += 1
    source.cells = cells
    # Keep the two keys of a translated cell in its header, and no other metadata.
    source.metadata["jupytext"] = {"cell_metadata_filter": "en,todo,-all", "notebook_metadata_filter": "-all"}
    write(source, translated)


def check_one(english: Path, translated: Path) -> list[Finding]:
    """The cells of ``translated`` that are stale, untranslated, or whose code differs from English."""
    if not translated.exists():
        return [Finding(translated, 0, "missing chapter", english.name)]
    source, target = read(english).cells, read(translated).cells
    findings = []
    code_en = [c.source for c in source if c.cell_type == "code"]
    code_zh = [c.source for c in target if c.cell_type == "code"]
    if code_en != code_zh:
        first = next((i for i, (a, b) in enumerate(zip(code_en, code_zh)) if a != b), min(len(code_en), len(code_zh)))
        findings.append(Finding(translated, first, "code differs",
                                f"code cell {first} (English {len(code_en)} code cells, here {len(code_zh)})"))
    current = {digest(c.source) for c in source if c.cell_type == "markdown"}
    for i, cell in enumerate(target):
        if cell.cell_type != "markdown":
            continue
        line = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
        if cell.metadata.get("todo") == "translate":
            findings.append(Finding(translated, i, "untranslated", line))
        elif cell.metadata.get("en") not in current:
            findings.append(Finding(translated, i, "stale", line))
    return findings


def pairs(language: str, patterns=EXECUTABLE):
    """(English page, translated page) for every page matching ``patterns`` under docs/."""
    folder = LANGUAGES[language]
    english = sorted({p for pattern in patterns for p in DOCS.glob(pattern)})
    return [(page, folder / page.relative_to(DOCS)) for page in english]


def sections(markdown: str) -> list[str]:
    """A Markdown page cut at its headings (outside code fences); the text before the first is a section too.

    >>> [s.splitlines()[0] for s in sections("# A\\ntext\\n```\\n# not a heading\\n```\\n## B\\nmore\\n")]
    ['# A', '## B']
    """
    cuts, fenced = [0], False
    lines = markdown.splitlines(keepends=True)
    offset = 0
    for line in lines:
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and line.startswith("#") and offset:
            cuts.append(offset)
        offset += len(line)
    cuts.append(len(markdown))
    return [markdown[a:b] for a, b in zip(cuts, cuts[1:]) if markdown[a:b].strip()]


def check_markdown(english: Path, translated: Path) -> list[Finding]:
    """The sections of a translated Markdown page that are stale, missing or not marked with their source."""
    if not translated.exists():
        return [Finding(translated, 0, "missing chapter", english.name)]
    current = [digest(s) for s in sections(english.read_text(encoding="utf-8"))]
    text = translated.read_text(encoding="utf-8")
    marks = list(SECTION_MARK.finditer(text))
    findings = []
    for i, mark in enumerate(marks):
        if mark.group(1) not in current:
            findings.append(Finding(translated, i, "stale", text[mark.end():].strip().splitlines()[0]))
    marks = [m.group(1) for m in marks]
    for i, key in enumerate(current):
        if key not in marks:
            first = sections(english.read_text(encoding="utf-8"))[i].strip().splitlines()[0]
            findings.append(Finding(translated, i, "untranslated", f"English section {i}: {first}"))
    return findings


def check_all(language: str) -> list[Finding]:
    """Every finding for ``language``: the executable pages, then the Markdown pages."""
    return ([f for english, translated in pairs(language) for f in check_one(english, translated)]
            + [f for english, translated in pairs(language, MARKDOWN) for f in check_markdown(english, translated)])


def glossary_terms(glossary: str) -> list[str]:
    r"""The Chinese terms in a glossary's table (its second column), each alternative on its own.

    >>> glossary_terms("| English | 中文 | 说明 |\n| --- | --- | --- |\n| pooling | 池化（最大池化 / 平均池化） | 第 7 章 |\n")
    ['池化', '最大池化', '平均池化']
    """
    terms = []
    for line in glossary.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 2 or cells[1] in ("中文", "") or set(cells[1]) <= set("-: "):
            continue
        for part in re.split(r"[（）()/、，,；;和]| 或 ", cells[1]):
            if re.fullmatch(r"[\u4e00-\u9fff]{2,}", part.strip()) and part.strip() not in terms:
                terms.append(part.strip())
    return terms


def search_words(language: str) -> str:
    """The text of ``docs/<language>/search-words.txt``: the glossary's terms, one per line."""
    glossary = (LANGUAGES[language] / GLOSSARY).read_text(encoding="utf-8")
    return "".join(f"{term}\n" for term in glossary_terms(glossary))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="translations.py", description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("sync", "check", "words"))
    parser.add_argument("--language", choices=sorted(LANGUAGES), default="zh")
    parser.add_argument("--warn", action="store_true", help="check: report, but exit 0")
    parser.add_argument("--brief", action="store_true", help="check: list all but the untranslated cells, then the counts")
    args = parser.parse_args(argv)
    if args.action == "sync":
        for english, translated in pairs(args.language):
            sync_one(english, translated)
        print(f"synced {len(pairs(args.language))} pages into {LANGUAGES[args.language].relative_to(ROOT)}"
              f" (the Markdown pages {', '.join(MARKDOWN)} are translated by hand, section by section)")
        return 0
    if args.action == "words":
        path, words = LANGUAGES[args.language] / SEARCH_WORDS, search_words(args.language)
        path.write_text(words, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}: {len(words.splitlines())} terms")
        return 0
    findings = check_all(args.language)
    counts = {kind: sum(f.kind == kind for f in findings) for kind in ("missing chapter", "code differs", "stale",
                                                                        "untranslated")}
    for finding in findings:
        if not (args.brief and finding.kind == "untranslated"):
            print(finding)
    print(f"{args.language}: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))
    return 0 if args.warn or not findings else 1


if __name__ == "__main__":
    sys.exit(main())
