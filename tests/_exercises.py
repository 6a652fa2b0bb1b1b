"""Read the answers of a chapter's exercises, so tests can check their numbers.

Every chapter ends with a ``## Exercises`` markdown cell: a numbered list whose
items each hide their answer in one ``<details><summary>Answer</summary> ...
</details>`` block. :func:`answers` returns the text of those blocks in order,
and :func:`states` tells whether an answer writes a given number, so a test can
compute the number with the library and check what the page says:

>>> text = "It is <b>24</b>; with padding 1 it is 1,024 (about 1.02 thousand)."
>>> states(text, 24), states(text, 1024), states(text, 1.02, "{:.2f}")
(True, True, True)
>>> states(text, 2), states(text, 102), states(text, 4)
(False, False, False)
>>> states("a slope of −0.25", -0.25, "{:.2f}"), states("0.25", -0.25, "{:.2f}")
(True, False)
>>> states("a slope of −0.25", 0.25, "{:.2f}")
False

A test reads a chapter by its number:

>>> answer(3, 1)            # doctest: +SKIP
'The output is 24 wide ...'
"""

from __future__ import annotations

import re
from pathlib import Path

import jupytext

CHAPTERS = Path(__file__).resolve().parents[1] / "docs" / "chapters"

_DETAILS = re.compile(r"<details>\s*<summary>Answer</summary>(.*?)</details>", re.DOTALL)
_ITEM = re.compile(r"^\d+\.\s", re.MULTILINE)


def chapter_path(number: int) -> Path:
    """The Jupytext source of chapter ``number`` (``docs/chapters/NN-*.py``)."""
    (path,) = CHAPTERS.glob(f"{number:02d}-*.py")
    return path


def exercises_section(number: int) -> str:
    """The markdown of chapter ``number`` from its ``## Exercises`` heading to the next ``## ``."""
    notebook = jupytext.read(chapter_path(number))
    markdown = "\n\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    start = markdown.find("\n## Exercises")
    if start < 0:
        raise AssertionError(f"chapter {number} has no '## Exercises' section")
    end = markdown.find("\n## ", start + 1)
    return markdown[start : end if end >= 0 else None]


def answers(number: int) -> list[str]:
    """The text inside each answer block of chapter ``number``'s exercises, in order.

    Raises ``AssertionError`` unless there is exactly one answer per numbered exercise.
    """
    section = exercises_section(number)
    found = _DETAILS.findall(section)
    items = len(_ITEM.findall(section))
    if len(found) != items:
        raise AssertionError(
            f"chapter {number}: {items} numbered exercises but {len(found)} answer blocks"
        )
    return found


def answer(number: int, exercise: int) -> str:
    """The answer to exercise ``exercise`` (counting from 1) of chapter ``number``."""
    return answers(number)[exercise - 1]


def states(text: str, value: float, fmt: str = "{:,}") -> bool:
    """Whether ``text`` writes ``value``, formatted by ``fmt``, as a whole number.

    "Whole" means not as part of a longer number: 24 is not found in 1,024,
    240, 2.4 or -24. A minus sign may be written as ``-`` or ``−``.
    """
    written = "[-−]".join(re.escape(part) for part in fmt.format(value).split("-"))
    return re.search(rf"(?<![\d.,\-−]){written}(?!\d|[.,]\d)", text) is not None


def assert_states(number: int, exercise: int, value: float, fmt: str = "{:,}") -> None:
    """Fail unless exercise ``exercise`` of chapter ``number`` writes ``value`` in its answer."""
    text = answer(number, exercise)
    assert states(text, value, fmt), (
        f"chapter {number}, exercise {exercise}: the answer does not state "
        f"{fmt.format(value)!r}:\n{text.strip()}"
    )
