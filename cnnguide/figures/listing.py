"""Code listings read from the library itself.

Where the blog prints code, a chapter shows ours with :func:`show_source`. The
listing is read from the installed module at build time, so the page can never
drift from the code that produced its numbers.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from pathlib import Path

__all__ = ["SourceListing", "show_source"]

_PACKAGE_ROOT = Path(__file__).resolve().parents[2]


class SourceListing:
    """The source of one function, class or method, with where it lives.

    Displays as a highlighted Python block in notebooks (and on the site) and as
    plain text in a terminal.

    Attributes
    ----------
    name : str
        The qualified name, e.g. ``cnnguide.ops.correlation.corr2d``.
    path : str
        The file, relative to the project root when it is inside it.
    first_line, last_line : int
        The lines the object spans in its file (its docstring included, even
        when the listing leaves it out).
    code : str
        The source, dedented.
    """

    def __init__(self, name: str, path: str, first_line: int, code: str, last_line: int | None = None):
        self.name, self.path, self.first_line, self.code = name, path, first_line, code
        # The span in the file: with the docstring left out, more lines than are shown.
        self.last_line = last_line if last_line is not None else \
            first_line + code.count("\n") - (1 if code.endswith("\n") else 0)

    @property
    def caption(self) -> str:
        return f"{self.name} ({self.path}, lines {self.first_line}-{self.last_line})"

    def __str__(self) -> str:
        return f"# {self.caption}\n{self.code}"

    def __repr__(self) -> str:
        return f"<SourceListing of {self.caption}>"

    def _repr_markdown_(self) -> str:
        # Backticks inside the code cannot end a four-backtick fence.
        return f"`{self.name}` — `{self.path}`, lines {self.first_line}–{self.last_line}\n\n" \
               f"````python\n{self.code.rstrip()}\n````\n"


def show_source(obj, *, docstring: bool = True) -> SourceListing:
    """The library's source of ``obj`` (a function, class or method), ready to display.

    Parameters
    ----------
    obj : function, class or method
        Anything :func:`inspect.getsource` can read.
    docstring : bool
        Keep the docstring; ``False`` drops it, leaving signature and body (for
        functions and methods whose docstring is long next to their code).

    Raises
    ------
    ValueError
        If the object's source cannot be found (a builtin, or code typed in a notebook).

    Examples
    --------
    >>> from cnnguide.ops import corr2d
    >>> listing = show_source(corr2d, docstring=False)
    >>> listing.name
    'cnnguide.ops.correlation.corr2d'
    >>> listing.code.splitlines()[0]
    'def corr2d(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:'
    >>> "Parameters" in listing.code
    False
    """
    try:
        lines, first = inspect.getsourcelines(obj)
        file = inspect.getsourcefile(obj)
    except (OSError, TypeError) as err:
        raise ValueError(f"no source found for {obj!r}: {err}") from None
    code = textwrap.dedent("".join(lines))
    if not docstring:
        code = _drop_docstring(code)
    path = Path(file).resolve()
    try:
        shown = path.relative_to(_PACKAGE_ROOT).as_posix()
    except ValueError:
        shown = path.name
    module = getattr(obj, "__module__", None) or inspect.getmodule(obj).__name__
    return SourceListing(f"{module}.{obj.__qualname__}", shown, first, code, first + len(lines) - 1)


def _drop_docstring(code: str) -> str:
    """``code`` without the docstring that opens its body (if it has one)."""
    node = ast.parse(code).body[0]
    first = node.body[0] if getattr(node, "body", None) else None
    if not (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)):
        return code
    lines = code.splitlines(keepends=True)
    # ast's line numbers count from 1; drop the whole lines the docstring spans.
    return "".join(lines[:first.lineno - 1] + lines[first.end_lineno:])
