"""Griffe extension: render the package's reST-flavoured docstrings well in the API reference.

The docstrings are numpy style, written to read well in ``help()`` and in the
source, with a few reStructuredText habits that Markdown shows raw:

* Sphinx roles, ``:func:`corr2d``` or ``:mod:`~cnnguide.ops.pooling```, become
  code that links to the object's entry when it has one (an *optional* autorefs
  cross-reference: a target that is not documented, such as ``torch`` or a
  private helper, stays plain code and breaks nothing); in a parameter's
  type (``costs : mapping of str to :class:`StepCost```), which the reference
  shows as code, a role becomes the bare name;
* ``>>>`` examples outside an ``Examples`` section (which griffe already renders
  as code) would be Markdown block quotes: they are fenced as ``pycon`` code;
* a paragraph ending in ``::`` introduces a literal block in reST: the colon is
  halved, the indented block below is already a Markdown code block;
* reST simple tables (``=====  =====`` borders) become Markdown tables.

Loaded by mkdocstrings-python (``extensions:`` in mkdocs.yml). The source
docstrings are left as they are; only what the reference pages show changes.
"""

from __future__ import annotations

import re

from griffe import Extension, Object

ROLE = re.compile(r":(?:py:)?(?:func|class|meth|mod|attr|data|exc|obj|const|term)::?`(~?)([^`<>]+?)`")
SECTION_UNDERLINE = re.compile(r"^\s*-{3,}\s*$")
TABLE_BORDER = re.compile(r"^\s*=+(?: +=+)+\s*$")


def _resolve(obj: Object, name: str) -> str | None:
    """The full path of ``name`` as seen from ``obj``, or None outside this package."""
    if name.startswith("cnnguide"):
        return name
    scope = obj
    while scope is not None:
        try:
            path = scope.resolve(name)
        except Exception:  # griffe raises NameResolutionError, or KeyError on odd names
            path = None
        if path:
            return path if path.startswith("cnnguide") else None
        scope = scope.parent
    return None


def convert_roles(text: str, obj: Object | None = None) -> str:
    """Turn Sphinx roles into code, linked through autorefs when the target is in the package."""

    def replace(match: re.Match) -> str:
        tilde, name = match.groups()
        name = name.strip()
        target = name.rstrip("()")
        shown = target.rsplit(".", 1)[-1] if tilde else target
        path = _resolve(obj, target) if obj is not None else (target if target.startswith("cnnguide") else None)
        code = f"<code>{shown}</code>"
        if path is None:
            return f"`{shown}`"
        return f'<autoref identifier="{path}" optional>{code}</autoref>'

    return ROLE.sub(replace, text)


def _is_section_header(lines: list[str], i: int) -> bool:
    return i + 1 < len(lines) and bool(lines[i].strip()) and bool(SECTION_UNDERLINE.match(lines[i + 1]))


def fence_doctests(text: str) -> str:
    """Fence ``>>>`` blocks that are not in an ``Examples`` section (griffe renders those itself)."""
    lines = text.split("\n")
    out: list[str] = []
    section = ""
    in_fence = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        if not in_fence and _is_section_header(lines, i):
            section = lines[i].strip().lower()
        if not in_fence and section != "examples" and line.lstrip().startswith(">>>"):
            indent = line[: len(line) - len(line.lstrip())]
            block = []
            while i < len(lines) and lines[i].strip():
                block.append(lines[i])
                i += 1
            out += [f"{indent}```pycon", *block, f"{indent}```"]
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


def literal_block_colons(text: str) -> str:
    """reST's ``Paragraph::`` shows as ``Paragraph:``; a lone ``::`` line disappears."""
    lines = []
    for line in text.split("\n"):
        if line.strip() == "::":
            lines.append("")
        elif line.rstrip().endswith("::") and not line.lstrip().startswith((">>>", "...")):
            lines.append(line.rstrip()[:-1])
        else:
            lines.append(line)
    return "\n".join(lines)


def _columns(border: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"=+", border)]


def simple_tables(text: str) -> str:
    """Convert reST simple tables (border, header, border, rows, border) into Markdown tables."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        if not TABLE_BORDER.match(lines[i]):
            out.append(lines[i])
            i += 1
            continue
        borders = [i]
        j = i + 1
        while j < len(lines) and len(borders) < 3:
            if TABLE_BORDER.match(lines[j]):
                borders.append(j)
            elif not lines[j].strip():
                break
            j += 1
        if len(borders) < 3:
            out.append(lines[i])
            i += 1
            continue
        cols = _columns(lines[i])
        indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]

        def cells(line: str) -> list[str]:
            bounds = [c[0] for c in cols] + [None]
            return [line[bounds[k]:bounds[k + 1]].strip() for k in range(len(cols))]

        rows: list[list[str]] = []
        for k in range(borders[1] + 1, borders[2]):
            row = cells(lines[k])
            if rows and not row[0]:  # continuation line: the first column is blank
                rows[-1] = [f"{a} {b}".strip() for a, b in zip(rows[-1], row)]
            else:
                rows.append(row)
        header = [" ".join(cells(lines[k])[c] for k in range(borders[0] + 1, borders[1])).strip()
                  for c in range(len(cols))]
        out.append(indent + "| " + " | ".join(header) + " |")
        out.append(indent + "|" + "|".join(" --- " for _ in cols) + "|")
        out += [indent + "| " + " | ".join(r) + " |" for r in rows]
        i = borders[2] + 1
    return "\n".join(out)


# A numpy-style entry line, ``name : type``: mkdocstrings shows the type as code
# (escaped), so markup there would show raw.
ENTRY = re.compile(r"^(\s*[\w*][\w*, ]* : )(.+)$", re.M)


def plain_roles_in_types(text: str) -> str:
    """In ``name : type`` lines, a role becomes its name alone: ``:class:`~a.B``` -> ``B``."""

    def bare(match: re.Match) -> str:
        tilde, name = match.groups()
        name = name.strip().rstrip("()")
        return name.rsplit(".", 1)[-1] if tilde else name

    return ENTRY.sub(lambda m: m.group(1) + ROLE.sub(bare, m.group(2)), text)


def convert(text: str, obj: Object | None = None) -> str:
    text = plain_roles_in_types(text)
    text = simple_tables(text)
    text = fence_doctests(text)
    text = literal_block_colons(text)
    return convert_roles(text, obj)


class ReSTDocstrings(Extension):
    """Rewrite every docstring of a package once it is fully loaded (names resolve then)."""

    def on_package(self, *, pkg, **kwargs):
        seen = set()
        stack = [pkg]
        while stack:
            obj = stack.pop()
            if obj.is_alias or id(obj) in seen:
                continue
            seen.add(id(obj))
            if obj.docstring is not None:
                obj.docstring.value = convert(obj.docstring.value, obj)
            stack.extend(member for member in obj.members.values() if not member.is_alias)
