"""What the architecture diagrams of :mod:`cnnguide.figures.diagrams` are made of.

Three parts, kept apart so that every diagram shares them:

- :func:`layer_label` writes a layer's box label from the module's own
  attributes (kernel size, stride, padding, output channels);
- :func:`trace` runs one forward pass with a hook on every leaf module and
  records what each call received and returned;
- :class:`Canvas` draws labelled boxes, tensor nodes, merge nodes, notes and
  arrows on an axes measured in inches, then sizes the figure to what was
  drawn. Box widths come from the measured width of their text, so labels
  always fit and nothing is scaled down: one inch of drawing is one inch of
  figure (96 px on the site);
- two layouts built on it: :func:`column` (layers top to bottom, shapes on
  the arrows) and :func:`draw_chain` (layers left to right, wrapping into
  rows, shapes under the boxes).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import torch
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path
from torch import nn

from ._base import BookFigure
from .architectures import _check_input_size, _probe

__all__ = [
    "Call", "Canvas", "Node", "box_size", "column", "column_height", "down", "draw_chain", "io_box", "kind_of",
    "layer_label", "numel", "shape_text", "text_size", "trace", "widest", "widest_note",
]

FONT = 9  # points, box labels
NOTE_FONT = 8  # points, tensor shapes beside arrows and under boxes
NOTE_H = NOTE_FONT * 1.3 / 72  # inches, the height of one line of note
PAD = 0.1  # inches of space between a label and its box's edge
GAP = 0.3  # inches between two boxes joined by an arrow (room for a shape note beside it)
CHAIN_GAP = 0.26  # inches between boxes side by side
CHAIN_OVERHANG = 0.05  # inches a shape under a box may reach past the box on each side
EDGE = "#333333"
NOTE = "#444444"
#: Face colour of a box, by the kind of layer in it (pale, so black text reads on all).
FACES = {
    "conv": "#cfe2f3", "pool": "#fce5cd", "norm": "#fff2cc", "act": "#d9ead3",
    "linear": "#e4d7f0", "other": "#eeeeee", "tensor": "#ffffff", "merge": "#f4cccc",
}


def _size2(value) -> str:
    pair = value if isinstance(value, tuple) else (value, value)
    return "×".join(map(str, pair))


def layer_label(module: nn.Module) -> str:
    """The text of a layer's box, read from the module's attributes.

    Secondary settings (stride, padding) go on a second line; defaults
    (stride 1 for a convolution, padding 0) are left out.

    Examples
    --------
    >>> layer_label(nn.Conv2d(1, 6, 5, padding=2))
    'Conv2d 5×5, 6\\npad 2'
    >>> layer_label(nn.AvgPool2d(2, 2)), layer_label(nn.Linear(400, 120)), layer_label(nn.Sigmoid())
    ('AvgPool 2×2\\nstride 2', 'Linear 120', 'Sigmoid')
    >>> layer_label(nn.Conv2d(64, 128, 1, stride=2, bias=False))
    'Conv2d 1×1, 128\\nstride 2'
    """
    extras: list[str] = []
    if isinstance(module, nn.Conv2d):
        head = f"Conv2d {_size2(module.kernel_size)}, {module.out_channels}"
        extras += [] if module.stride in (1, (1, 1)) else [f"stride {_first(module.stride)}"]
        extras += [] if module.padding in (0, (0, 0)) else [f"pad {_first(module.padding)}"]
        extras += [] if module.groups == 1 else [f"groups {module.groups}"]
    elif isinstance(module, (nn.MaxPool2d, nn.AvgPool2d)):
        head = f"{type(module).__name__.removesuffix('2d')} {_size2(module.kernel_size)}"
        extras += [f"stride {_first(module.stride)}"]
        extras += [] if module.padding in (0, (0, 0)) else [f"pad {_first(module.padding)}"]
    elif isinstance(module, (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)):
        head = f"{type(module).__name__.removesuffix('2d')}\nto {_size2(module.output_size)}"
    elif isinstance(module, nn.Linear):
        head = f"Linear {module.out_features}"
    elif isinstance(module, nn.modules.batchnorm._BatchNorm):
        head = "BatchNorm"
    elif isinstance(module, nn.Dropout):
        head = f"Dropout {module.p:g}"
    elif isinstance(module, nn.Identity):
        head = "identity"
    else:
        head = type(module).__name__
    return "\n".join([head, ", ".join(extras)] if extras else [head])


def _first(value):
    """One number for a square setting, the pair otherwise."""
    if isinstance(value, tuple):
        return value[0] if len(set(value)) == 1 else value
    return value


def kind_of(module: nn.Module) -> str:
    """Which face colour a layer's box gets (a key of :data:`FACES`)."""
    if isinstance(module, nn.modules.conv._ConvNd):
        return "conv"
    if isinstance(module, (nn.modules.pooling._MaxPoolNd, nn.modules.pooling._AvgPoolNd,
                           nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)):
        return "pool"
    if isinstance(module, nn.modules.batchnorm._BatchNorm):
        return "norm"
    if isinstance(module, nn.Linear):
        return "linear"
    if type(module).__module__ == "torch.nn.modules.activation":
        return "act"
    return "other"


def shape_text(shape: tuple) -> str:
    """A traced shape without its batch dimension: ``(1, 6, 28, 28)`` → ``'6 × 28 × 28'``."""
    return " × ".join(map(str, shape[1:]))


@dataclass(frozen=True)
class Call:
    """One call of one leaf module in a traced forward pass."""

    name: str  # qualified name inside the traced module ("branch2.1.0")
    module: nn.Module
    in_shape: tuple
    out_shape: tuple
    in_ptr: int  # storage addresses, to tell which tensor fed which layer
    out_ptr: int


def _facts(tensor) -> tuple[tuple, int]:
    if isinstance(tensor, torch.Tensor):
        return tuple(tensor.shape), tensor.data_ptr()
    return (), -1


def trace(net: nn.Module, input_size) -> tuple[list[Call], Call]:
    """One forward pass of ``net`` on zeros of ``input_size``, hooked on every leaf module.

    Returns the leaf calls in execution order and one :class:`Call` for
    ``net`` itself (its input and output). Runs in evaluation mode without
    gradients (through the architecture figures' probe) and leaves ``net``
    as it was.

    Examples
    --------
    >>> calls, whole = trace(nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU()), (1, 1, 8, 8))
    >>> [(c.name, shape_text(c.out_shape)) for c in calls], shape_text(whole.out_shape)
    ([('0', '4 × 6 × 6'), ('1', '4 × 6 × 6')], '4 × 6 × 6')
    """
    size = _check_input_size(input_size)
    if next(net.parameters(), None) is None:
        raise ValueError(f"{type(net).__name__} has no parameters to tell which device to run it on")
    calls: list[Call] = []
    whole: list[Call] = []

    def hook(name: str, into: list):
        def record(module, inputs, output):
            (in_shape, in_ptr), (out_shape, out_ptr) = _facts(inputs[0] if inputs else None), _facts(output)
            into.append(Call(name, module, in_shape, out_shape, in_ptr, out_ptr))
        return record

    handles = [module.register_forward_hook(hook(name or type(module).__name__, calls))
               for name, module in net.named_modules() if next(module.children(), None) is None]
    handles.append(net.register_forward_hook(hook(type(net).__name__, whole)))
    try:
        _probe(net, size, handles)
    except RuntimeError as err:
        raise ValueError(f"{type(net).__name__} cannot run on an input of size {size}: {err}") from err
    return calls, whole[0]


@dataclass(frozen=True)
class Node:
    """Where a drawn box (or circle) sits, in inches, y pointing down."""

    x: float
    y: float
    width: float
    height: float

    @property
    def top(self) -> float:
        return self.y - self.height / 2

    @property
    def bottom(self) -> float:
        return self.y + self.height / 2

    @property
    def left(self) -> float:
        return self.x - self.width / 2

    @property
    def right(self) -> float:
        return self.x + self.width / 2


@functools.lru_cache(maxsize=None)
def _renderer() -> RendererAgg:
    return RendererAgg(1, 1, 96)  # the dpi of the site's PNGs: hinting makes widths differ a little with dpi


@functools.lru_cache(maxsize=4096)
def text_size(text: str, size: float = FONT) -> tuple[float, float]:
    """Width and height of ``text`` in inches, measured as the Agg renderer will typeset it."""
    prop = FontProperties(size=size)
    lines = text.split("\n")
    width = max(_renderer().get_text_width_height_descent(line or " ", prop, ismath=False)[0] for line in lines)
    return width / 96, len(lines) * size * 1.3 / 72


def box_size(text: str, min_width: float = 0.0) -> tuple[float, float]:
    """The size of the box :meth:`Canvas.box` draws around ``text``."""
    width, height = text_size(text)
    return max(width + 2 * PAD, min_width), height + 2 * PAD


class Canvas:
    """A :class:`BookFigure` with one axes in inches (y down) that grows to fit what is drawn.

    Call :meth:`finish` last: it sets the figure size to the drawing's extent
    (plus a margin), so that text keeps its size in points and boxes fit it.
    """

    def __init__(self, alt: str, title: str | None = None):
        self.fig = BookFigure(alt=alt, facecolor="white")
        self.ax = self.fig.add_axes((0, 0, 1, 1))
        self.ax.set_axis_off()
        self.title = title
        self._bounds = [float("inf"), float("inf"), float("-inf"), float("-inf")]

    def _extend(self, left: float, top: float, right: float, bottom: float) -> None:
        b = self._bounds
        self._bounds = [min(b[0], left), min(b[1], top), max(b[2], right), max(b[3], bottom)]

    def box(self, x: float, y: float, text: str, kind: str, *, min_width: float = 0.0, height=None,
            gid: str = "layer") -> Node:
        """A rounded box centred at ``(x, y)`` with ``text`` in it; ``gid`` tells layers from tensors."""
        width, natural = box_size(text, min_width)
        node = Node(x, y, width, height or natural)
        self.ax.add_patch(FancyBboxPatch((node.left, node.top), node.width, node.height, gid=gid,
                                         boxstyle="round,pad=0,rounding_size=0.06", facecolor=FACES[kind],
                                         edgecolor=EDGE, linewidth=0.9, linestyle="--" if kind == "tensor" else "-"))
        self.ax.text(x, y, text, ha="center", va="center", fontsize=FONT, linespacing=1.3, color="black")
        self._extend(node.left, node.top, node.right, node.bottom)
        return node

    def plus(self, x: float, y: float, radius: float = 0.12) -> Node:
        """The ⊕ of a residual addition: a circle with a plus sign."""
        self.ax.add_patch(Circle((x, y), radius, facecolor=FACES["merge"], edgecolor=EDGE, linewidth=0.9,
                                 gid="merge"))
        self.ax.text(x, y, "+", ha="center", va="center", fontsize=11, color="black")
        self._extend(x - radius, y - radius, x + radius, y + radius)
        return Node(x, y, 2 * radius, 2 * radius)

    def note(self, x: float, y: float, text: str, ha: str = "left") -> None:
        """Small text (a tensor's shape) at ``(x, y)``, anchored on its ``ha`` side, centred vertically."""
        width, height = text_size(text, NOTE_FONT)
        self.ax.text(x, y, text, ha=ha, va="center", fontsize=NOTE_FONT, color=NOTE, linespacing=1.2)
        left = {"left": x, "center": x - width / 2, "right": x - width}[ha]
        self._extend(left, y - height / 2, left + width, y + height / 2)

    def arrow(self, *points: tuple[float, float]) -> None:
        """A line through ``points`` with an arrowhead at the last one."""
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        self._extend(min(xs), min(ys), max(xs), max(ys))
        self.ax.add_patch(FancyArrowPatch(path=Path(points), arrowstyle="-|>", mutation_scale=9, color=EDGE,
                                          linewidth=0.9, shrinkA=0, shrinkB=0))

    def finish(self, margin: float = 0.03) -> BookFigure:
        """Add the title, fit the figure to the drawing and return it.

        The margin is small because :meth:`BookFigure.to_png` pads by 0.1 in.
        """
        left, top, right, bottom = self._bounds
        if self.title:
            _, height = text_size(self.title, FONT + 1)
            self.ax.text((left + right) / 2, top - 0.08, self.title, ha="center", va="bottom",
                         fontsize=FONT + 1, fontweight="bold", color="black")
            top -= height + 0.1
        self.fig.set_size_inches(right - left + 2 * margin, bottom - top + 2 * margin)
        self.ax.set_xlim(left - margin, right + margin)
        self.ax.set_ylim(bottom + margin, top - margin)  # y grows downward, like reading
        return self.fig


# Layouts shared by the diagrams: a vertical column of layers, a horizontal chain wrapping into rows.

def down(canvas: Canvas, x: float, y0: float, y1: float, note: str | None = None) -> None:
    """A vertical arrow; ``note`` (a shape) beside its middle."""
    canvas.arrow((x, y0), (x, y1))
    if note:
        canvas.note(x + 0.06, (y0 + y1) / 2, note)


def column(canvas: Canvas, x: float, top: float, calls, width: float) -> list:
    """One box per call, top to bottom from ``top``, joined by arrows that carry each output's shape."""
    nodes = []
    for call in calls:
        label = layer_label(call.module)
        height = box_size(label)[1]
        y = (nodes[-1].bottom + GAP if nodes else top) + height / 2
        node = canvas.box(x, y, label, kind_of(call.module), min_width=width)
        if nodes:
            down(canvas, x, nodes[-1].bottom, node.top, shape_text(previous.out_shape))
        nodes.append(node)
        previous = call
    return nodes


def column_height(calls) -> float:
    return sum(box_size(layer_label(c.module))[1] for c in calls) + GAP * (len(calls) - 1)


def widest(calls) -> float:
    return max(box_size(layer_label(c.module))[0] for c in calls)


def widest_note(shapes) -> float:
    return max(text_size(shape_text(s), NOTE_FONT)[0] for s in shapes)


def rows_of(widths, max_width: float, turn: float, gap: float) -> list[int]:
    """The row of each box when boxes of ``widths`` fill rows of ``max_width`` from the left.

    A row's last box needs ``turn`` more on its right for the line down to
    the next row (the very last box does not).
    """
    rows, x = [], 0.0
    for i, width in enumerate(widths):
        end = x + width + (turn if i < len(widths) - 1 else 0)
        if rows and end > max_width:
            x = 0.0
            rows.append(rows[-1] + 1)
        else:
            rows.append(rows[-1] if rows else 0)
        x += width + gap
    return rows


def draw_chain(canvas: Canvas, items, max_width: float) -> None:
    """``(label, kind, shape)`` boxes left to right, each shape under its box, wrapping into rows."""
    notes = [text_size(shape_text(shape), NOTE_FONT)[0] for _, _, shape in items]
    # A shape may stick out of its box by a little, into the gap; the row width allows for it.
    sizes = [box_size(label, note - 2 * CHAIN_OVERHANG) for (label, _, _), note in zip(items, notes)]
    widths = [w for w, _ in sizes]
    height = max(h for _, h in sizes)
    lane = 0.2  # the line from one row's end to the next row's start runs this far below the notes
    turn = 0.14
    usable = max_width - 2 * CHAIN_OVERHANG
    # Balance the rows: the narrowest width that needs no more rows than max_width does.
    rows = rows_of(widths, usable, turn, CHAIN_GAP)
    while usable > 1 and rows_of(widths, usable - 0.1, turn, CHAIN_GAP)[-1] == rows[-1]:
        usable -= 0.1
    rows = rows_of(widths, usable, turn, CHAIN_GAP)
    row_pitch = height + 0.05 + NOTE_H + 2 * lane
    x, previous, previous_row = 0.0, None, 0
    for (label, kind, shape), width, row in zip(items, widths, rows):
        if row != previous_row:
            x = 0.0
        node = canvas.box(x + width / 2, row * row_pitch + height / 2, label, kind, min_width=width,
                          height=height, gid="tensor" if kind == "tensor" else "layer")
        canvas.note(node.x, node.bottom + 0.05 + NOTE_H / 2, shape_text(shape), ha="center")
        if previous is not None and row == previous_row:
            canvas.arrow((previous.right, node.y), (node.left, node.y))
        elif previous is not None:
            y_lane = previous.bottom + 0.05 + NOTE_H + lane
            canvas.arrow((previous.right, previous.y), (previous.right + turn, previous.y),
                         (previous.right + turn, y_lane), (node.x, y_lane), (node.x, node.top))
        previous, previous_row, x = node, row, x + width + CHAIN_GAP


def numel(shape: tuple) -> int:
    count = 1
    for d in shape:
        count *= d
    return count


def io_box(canvas: Canvas, x: float, top: float, word: str, shape: tuple):
    height = box_size("a\nb")[1]
    return canvas.box(x, top + height / 2, f"{word}\n{shape_text(shape)}", "tensor", gid="tensor")
