"""Drawing a small matrix of numbers as a grid of labelled cells.

The convolution figures all show the same thing: a few matrices side by side,
joined by operators (``⋆``, ``=``), with some cells highlighted. This module
draws that picture; the figure modules only decide *which* matrices, computed
by :mod:`cnnguide.ops`, and which cells to highlight.

Each grid is drawn in its own axes in "cell" coordinates: cell ``(i, j)``
covers ``[j, j+1] x [i, i+1]`` with row 0 at the top. All panels of a row share
one vertical extent and their widths are proportional to their column counts,
so a cell has the same size in every panel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import torch
from matplotlib.patches import Rectangle

from cnnguide.ops._checks import as_pair

from ._base import new_figure

__all__ = [
    "Region", "Panel", "format_number", "pair_text", "as_matrix", "check_position", "check_drawable",
    "grid_figure", "grid_row", "draw_grid", "product_sum_text",
]

#: Largest grid (rows or columns) that still reads well with a number in every cell.
MAX_CELLS = 16
#: Inches per cell at the figure's size; pages render at 96 dpi.
CELL_INCHES = 0.42
#: Width, in cells, of the columns that hold the operators between grids.
GAP = 0.9
#: Font sizes of operators whose glyphs are small in the default font.
_OPERATOR_SIZE = {"⋆": 30}
#: Height, in cells, of the title line above each grid.
TITLE_ROWS = 0.9


@dataclass(frozen=True)
class Region:
    """A rectangle of cells to highlight: rows ``top..top+height-1``, columns ``left..left+width-1``.

    ``filled`` regions get a translucent fill; the others only an outline, drawn
    ``inset`` cells inside the rectangle so that overlapping outlines stay apart.
    """

    top: int
    left: int
    height: int = 1
    width: int = 1
    color: str = "tab:blue"
    filled: bool = True
    inset: float = 0.0
    linewidth: float = 2.5


@dataclass
class Panel:
    """One matrix to draw: its values, a title, highlighted regions and cell masks.

    ``muted`` cells (e.g. zero padding) get a grey background; ``hidden`` cells
    are drawn empty (an output not computed yet, in the animation).
    """

    values: np.ndarray
    title: str = ""
    regions: Sequence[Region] = field(default_factory=tuple)
    muted: np.ndarray | None = None
    hidden: np.ndarray | None = None


def as_matrix(values, name: str = "matrix") -> torch.Tensor:
    """Return ``values`` as a 2-D float tensor, or raise ``ValueError``.

    >>> as_matrix([[1, 2], [3, 4]]).dtype
    torch.float32
    >>> as_matrix([1, 2])
    Traceback (most recent call last):
    ...
    ValueError: matrix must be 2-D (height, width), got shape (2,)
    """
    t = torch.as_tensor(values).detach().to(torch.float32)
    if t.dim() != 2:
        raise ValueError(f"{name} must be 2-D (height, width), got shape {tuple(t.shape)}")
    check_drawable(t.shape, name)
    return t


def pair_text(pair) -> str:
    """Write a (height, width) pair briefly: ``1`` for ``(1, 1)``, ``(3, 2)`` otherwise.

    >>> pair_text((1, 1)), pair_text((3, 2))
    ('1', '(3, 2)')
    """
    return str(pair[0]) if pair[0] == pair[1] else str(tuple(pair))


def check_position(position, out_shape, name: str = "position") -> tuple[int, int]:
    """Return ``position`` as ``(row, column)`` after checking it lies inside ``out_shape``."""
    i, j = as_pair(position, name, minimum=0)
    if i >= out_shape[0] or j >= out_shape[1]:
        raise ValueError(f"{name} {(i, j)} is outside the {out_shape[0]}x{out_shape[1]} output")
    return i, j


def check_drawable(shape, name: str) -> None:
    """Raise ``ValueError`` if a grid of ``shape`` is empty or too large to draw with numbers."""
    if any(s < 1 for s in shape):
        raise ValueError(f"{name} must not be empty, got shape {tuple(shape)}")
    if any(s > MAX_CELLS for s in shape[-2:]):
        raise ValueError(
            f"{name} has shape {tuple(shape)}: at most {MAX_CELLS} rows and columns can be drawn as numbers"
        )


def format_number(value: float) -> str:
    """Format a cell value: integers without decimals, others with up to two; a true minus sign.

    >>> format_number(19.0), format_number(-1.0), format_number(2.25), format_number(1 / 3)
    ('19', '−1', '2.25', '0.33')
    """
    v = float(value)
    if abs(v - round(v)) < 1e-6:
        text = str(int(round(v)))
    else:
        text = f"{v:.2f}".rstrip("0").rstrip(".")
    if text in ("-0", "-0.0"):
        text = "0"
    return text.replace("-", "\u2212")


def product_sum_text(window, kernel, result) -> str:
    """Write out an elementwise product sum, e.g. ``0×0 + 1×1 + 3×2 + 4×3 = 19``.

    ``result`` is the value the operator computed; it is written after ``=`` as
    given, so a figure shows what the library returned, not a re-computation.

    >>> product_sum_text([[0, 1], [3, 4]], [[0, 1], [2, 3]], 19.0)
    '0×0 + 1×1 + 3×2 + 4×3 = 19'
    >>> product_sum_text([[2]], [[-1]], -2.0)
    '2×(−1) = −2'
    """
    a = np.asarray(window, dtype=float).ravel()
    b = np.asarray(kernel, dtype=float).ravel()
    if a.shape != b.shape:
        raise ValueError(f"window and kernel differ in size: {a.size} vs {b.size} values")

    def operand(v):
        s = format_number(v)
        return f"({s})" if s.startswith("\u2212") else s

    terms = " + ".join(f"{operand(x)}×{operand(w)}" for x, w in zip(a, b))
    return f"{terms} = {format_number(result)}"


def draw_grid(ax, panel: Panel, width: float, height: float) -> None:
    """Draw ``panel`` into ``ax`` as numbered cells, centred in a box of ``width`` x ``height`` cells."""
    values = np.asarray(panel.values, dtype=float)
    h, w = values.shape
    muted = np.zeros_like(values, dtype=bool) if panel.muted is None else np.asarray(panel.muted, bool)
    hidden = np.zeros_like(values, dtype=bool) if panel.hidden is None else np.asarray(panel.hidden, bool)
    labels = [[format_number(v) for v in row] for row in values]
    # Shrink the digits so the longest number still fits inside its cell.
    longest = max(len(t) for row in labels for t in row)
    fontsize = {1: 11, 2: 11, 3: 9.5, 4: 8}.get(longest, 7)
    for i in range(h):
        for j in range(w):
            face = "#e6e6e6" if muted[i, j] else "white"
            ax.add_patch(Rectangle((j, i), 1, 1, facecolor=face, edgecolor="#555555", linewidth=1))
            if not hidden[i, j]:
                color = "#777777" if muted[i, j] else "black"
                ax.text(j + 0.5, i + 0.5, labels[i][j], ha="center", va="center", fontsize=fontsize, color=color)
    for r in panel.regions:
        if r.top < 0 or r.left < 0 or r.top + r.height > h or r.left + r.width > w:
            raise ValueError(f"region {r} lies outside the {h}x{w} grid {panel.title!r}")
        x, y = r.left + r.inset, r.top + r.inset
        rw, rh = r.width - 2 * r.inset, r.height - 2 * r.inset
        if r.filled:
            ax.add_patch(Rectangle((x, y), rw, rh, facecolor=r.color, alpha=0.25, edgecolor="none", zorder=1.5))
        ax.add_patch(Rectangle((x, y), rw, rh, fill=False, edgecolor=r.color, linewidth=r.linewidth, zorder=3))
    if panel.title:
        ax.text(w / 2, -0.2, panel.title, ha="center", va="bottom", fontsize=10)
    _set_box(ax, w, h, width, height)


def _set_box(ax, w: float, h: float, width: float, height: float) -> None:
    # Equal aspect and the same box for every panel of a row/column keep cells
    # the same size everywhere; one extra row on top holds the title.
    dx, dy = (width - w) / 2, (height - h) / 2
    ax.set_xlim(-dx, w + dx)
    ax.set_ylim(h + dy, -dy - TITLE_ROWS)
    ax.set_aspect("equal")
    ax.axis("off")


def grid_figure(alt: str, rows: Sequence[Sequence[Panel | None]], operators=None, caption: str | None = None):
    """A figure of matrices laid out in rows, joined by operator symbols.

    Parameters
    ----------
    alt : str
        The figure's alt text.
    rows : sequence of sequences of Panel or None
        The grids, row by row; every row has the same number of slots and
        ``None`` leaves a slot empty.
    operators : sequence of sequences of str, optional
        For each row, the symbols drawn between consecutive slots (e.g. ``"⋆"``,
        ``"="``, or ``""`` for none).
    caption : str, optional
        Text under the grids (e.g. the product sum of the highlighted window).

    Returns
    -------
    BookFigure

    Examples
    --------
    >>> fig = grid_figure("Two 2x2 matrices.", [[Panel(np.eye(2), "I"), Panel(np.ones((2, 2)))]], [["+"]])
    >>> sorted(t.get_text() for t in fig.axes[0].texts)
    ['0', '0', '1', '1', 'I']
    >>> fig.axes[1].texts[0].get_text()
    '+'
    """
    rows = [list(r) for r in rows]
    if not rows or not rows[0]:
        raise ValueError("grid_figure needs at least one panel")
    ncols = len(rows[0])
    if any(len(r) != ncols for r in rows):
        raise ValueError(f"every row needs {ncols} slots, got {[len(r) for r in rows]}")
    operators = [[""] * (ncols - 1) for _ in rows] if operators is None else [list(o) for o in operators]
    if len(operators) != len(rows) or any(len(o) != ncols - 1 for o in operators):
        raise ValueError(f"operators must give {ncols - 1} symbols for each of the {len(rows)} rows")
    for r in rows:
        for p in r:
            if p is not None:
                check_drawable(np.shape(p.values), f"panel {p.title!r}")

    def shape(p):
        return np.shape(p.values) if p is not None else (0, 0)

    def width(p):
        # A column is as wide as its widest grid or title (about 0.2 cells a
        # character at 10 pt), so titles never push the layout to shrink the cells.
        return 0 if p is None else max(np.shape(p.values)[1], 0.2 * len(p.title))

    col_w = [max(width(r[c]) for r in rows) + 0.2 for c in range(ncols)]
    row_h = [max(shape(p)[0] for p in r) + 0.1 for r in rows]
    widths = [x for c in range(ncols) for x in ((col_w[c], GAP) if c < ncols - 1 else (col_w[c],))]
    heights = [h + TITLE_ROWS for h in row_h]
    size = (sum(widths) * CELL_INCHES + 0.3,
            sum(heights) * CELL_INCHES + 0.3 + (0.35 * (caption.count("\n") + 1) if caption else 0.0))
    # "compressed" layout is made for fixed-aspect axes: no white bands between rows.
    fig, axes = new_figure(alt, len(rows), len(widths), figsize=size, squeeze=False, layout="compressed",
                           gridspec_kw={"width_ratios": widths, "height_ratios": heights})
    for i, r in enumerate(rows):
        for c, p in enumerate(r):
            ax = axes[i, 2 * c]
            if p is None:
                _set_box(ax, 0, 0, col_w[c], row_h[i])
            else:
                draw_grid(ax, p, col_w[c], row_h[i])
            if c < ncols - 1:
                ax = axes[i, 2 * c + 1]
                _set_box(ax, 0, 0, GAP, row_h[i])
                if operators[i][c]:
                    ax.text(0, 0, operators[i][c], ha="center", va="center",
                            fontsize=_OPERATOR_SIZE.get(operators[i][c], 16), in_layout=False)
    if caption:
        fig.supxlabel(caption, fontsize=11)
    return fig


def grid_row(alt: str, panels: Sequence[Panel], operators: Sequence[str] = (), caption: str | None = None):
    """:func:`grid_figure` with a single row of ``panels`` joined by ``operators``.

    >>> fig = grid_row("A 2x2 matrix.", [Panel(np.eye(2), "I")])
    >>> len(fig.axes)
    1
    """
    ops_row = [list(operators)] if operators else None
    return grid_figure(alt, [list(panels)], ops_row, caption)
