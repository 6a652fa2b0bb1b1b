"""Tables that print as aligned text and display as HTML.

A :class:`Table` holds cells that are already formatted (``"61,706"``,
``"0.789"``). ``print(table)`` gives aligned columns for terminals and the
``cnnguide`` command; a notebook (and the site, whose pages are executed
notebooks) displays the same table as an HTML ``<table>`` through
``_repr_html_``, instead of a block of text that wraps on a narrow screen.
Used by :mod:`cnnguide.summary` and :mod:`cnnguide.recipes`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

__all__ = ["Table"]

# Inline styles: a notebook output keeps them, whatever stylesheet the page has,
# and they name no colours, so light and dark themes both work.
_NUMBER = "text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap"
_TEXT = "text-align: left"


@dataclass(frozen=True)
class Table:
    """Rows of formatted cells under a header, with an optional totals row and notes.

    Attributes
    ----------
    header : tuple of str
        Column names.
    rows : tuple of tuple of str
        The body, one tuple of cells per row, as long as ``header``.
    align : str
        One letter per column, ``"l"`` (text) or ``"r"`` (numbers, right-aligned);
        empty means all left.
    total : tuple of str, optional
        A last row set apart from the body: after a rule in text, in the
        ``<tfoot>`` in HTML.
    notes : tuple of str
        Lines under the table: printed after it; in HTML, a paragraph under
        the table (not a row spanning it, which would set the table's width).
    caption : str, optional
        The HTML ``<caption>``; printed above the text table.

    Examples
    --------
    >>> t = Table(("layer", "parameters"), (("conv", "156"), ("linear", "48,120")), align="lr",
    ...           total=("total", "48,276"), notes=("biases included",))
    >>> print(t)
    layer   parameters
    ------------------
    conv           156
    linear      48,120
    ------------------
    total       48,276
    biases included
    >>> print(t._repr_html_())  # doctest: +ELLIPSIS
    <div class="cnnguide-table-wrap">
    <table class="cnnguide-table">
    <thead><tr><th style="text-align: left">layer</th><th style="text-align: right...">parameters</th></tr></thead>
    <tbody>
    <tr><td style="text-align: left">conv</td><td style="text-align: right...">156</td></tr>
    ...
    </table>
    <p class="cnnguide-table-notes">biases included</p>
    </div>
    """

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    align: str = ""
    total: tuple[str, ...] | None = None
    notes: tuple[str, ...] = ()
    caption: str | None = None

    def __post_init__(self):
        n = len(self.header)
        object.__setattr__(self, "header", tuple(str(cell) for cell in self.header))
        object.__setattr__(self, "rows", tuple(tuple(str(cell) for cell in row) for row in self.rows))
        object.__setattr__(self, "notes", tuple(self.notes))
        align = self.align or "l" * n
        if len(align) != n or set(align) - {"l", "r"}:
            raise ValueError(f"align must have one 'l' or 'r' per column ({n}), got {self.align!r}")
        object.__setattr__(self, "align", align)
        if self.total is not None:
            object.__setattr__(self, "total", tuple(str(cell) for cell in self.total))
        for i, row in enumerate([*self.rows, *([self.total] if self.total is not None else [])]):
            if len(row) != n:
                what = "the total row" if i == len(self.rows) else f"row {i}"
                raise ValueError(f"{what} has {len(row)} cells, but the header has {n}: {row!r}")

    def text(self) -> str:
        """Aligned columns: header, rule, rows; then a rule, the totals row and the notes, if any."""
        lines = [*([self.total] if self.total is not None else [])]
        widths = [max(len(line[i]) for line in [self.header, *self.rows, *lines]) for i in range(len(self.header))]

        def render(cells) -> str:
            return "  ".join(cell.rjust(w) if a == "r" else cell.ljust(w)
                             for cell, w, a in zip(cells, widths, self.align)).rstrip()

        rule = "-" * (sum(widths) + 2 * (len(widths) - 1))
        out = [*([self.caption] if self.caption else []), render(self.header), rule, *map(render, self.rows)]
        if self.total is not None or self.notes:
            out.append(rule)
        if self.total is not None:
            out.append(render(self.total))
        return "\n".join([*out, *self.notes])

    def __str__(self) -> str:
        return self.text()

    def _repr_pretty_(self, printer, cycle) -> None:  # IPython's plain-text display: the text table
        printer.text(self.text())

    def _repr_html_(self) -> str:
        """The table as HTML (well-formed XML, every cell escaped), its notes in a paragraph under it.

        Both sit in a ``<div class="cnnguide-table-wrap">``, which the site's
        stylesheet lets scroll sideways should a table still not fit a phone.
        """
        esc = html.escape

        def cells(tag: str, row) -> str:
            return "".join(f'<{tag} style="{_NUMBER if a == "r" else _TEXT}">{esc(cell)}</{tag}>'
                           for cell, a in zip(row, self.align))

        parts = ['<div class="cnnguide-table-wrap">', '<table class="cnnguide-table">']
        if self.caption:
            parts.append(f"<caption>{esc(self.caption)}</caption>")
        parts.append(f"<thead><tr>{cells('th', self.header)}</tr></thead>")
        parts.append("<tbody>")
        parts += [f"<tr>{cells('td', row)}</tr>" for row in self.rows]
        parts.append("</tbody>")
        if self.total is not None:
            parts += ["<tfoot>", f"<tr>{cells('th', self.total)}</tr>", "</tfoot>"]
        parts.append("</table>")
        if self.notes:
            parts.append('<p class="cnnguide-table-notes">' + "<br/>".join(esc(n) for n in self.notes) + "</p>")
        parts.append("</div>")
        return "\n".join(parts)
