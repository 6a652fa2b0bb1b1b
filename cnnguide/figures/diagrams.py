"""Architecture diagrams drawn from the model objects: one box per layer, the traced shapes on them.

Nothing here is typed in: each diagram runs one forward pass of the module on
zeros (hooks on every leaf, see :func:`cnnguide.figures._diagram.trace`),
labels every box from the layer's attributes (:func:`layer_label`) and writes
the shapes that pass produced. Change the model and the drawing changes.

- :func:`plot_sequential` -- a chain of layers (LeNet, a whole VGG), left to right, wrapping into rows;
- :func:`plot_vgg_block` -- 3×3 convolutions with ReLU, then the max pool;
- :func:`plot_residual_block` -- main path, shortcut (identity or 1×1 projection), ⊕, ReLU;
- :func:`plot_inception_block` -- four parallel branches concatenated along the channels;
- :func:`plot_dense_block` -- every layer's output concatenated to its input, the channels growing;
- :func:`plot_block` -- whichever of the four block diagrams fits the block.

Boxes are coloured by kind (convolution, pooling, normalisation, activation,
linear); dashed boxes are tensors (input, output), red ones merges (⊕,
concatenation). The figures have an opaque white background, like the other
figures, so they read the same in the site's dark mode.
"""

from __future__ import annotations

from torch import nn

from ..models.densenet import DenseBlock
from ..models.googlenet import Inception
from ..models.resnet import BasicBlock, Bottleneck
from ._base import BookFigure
from ._diagram import (GAP, Canvas, box_size, column, column_height, down, draw_chain, io_box, kind_of, layer_label,
                       numel, shape_text, trace, widest, widest_note)

__all__ = [
    "layer_label", "plot_block", "plot_dense_block", "plot_inception_block", "plot_residual_block",
    "plot_sequential", "plot_vgg_block",
]

MAX_WIDTH = 7.0  # inches of drawing: with its margin, at most about 700 px at the site's 96 dpi


def _inline(label: str) -> str:
    return label.replace("\n", ", ")


def _named(name: str, input_shape: tuple, title: str | None) -> str:
    return f"{name} on a {shape_text(input_shape)} input" if title is None else title


def _check_chain(net: nn.Module, calls, whole) -> None:
    # A chain means each layer consumes exactly what the one before produced
    # (the same storage: in-place ReLUs and flattening views count as the same
    # tensor). A shortcut, a branch or a concatenation breaks that.
    if not calls:
        raise ValueError(f"plot_sequential found no layers in {type(net).__name__}")
    produced, before = (whole.in_ptr, whole.in_shape), "the input"
    for call in [*calls, None]:
        ptr, shape = (whole.out_ptr, whole.out_shape) if call is None else (call.in_ptr, call.in_shape)
        if (ptr, numel(shape)) != (produced[0], numel(produced[1])):
            where = "the output" if call is None else f"{call.name} ({type(call.module).__name__})"
            raise ValueError(
                f"plot_sequential draws a chain of layers, but in {type(net).__name__} {where} is not "
                f"{before}: draw a branching block with plot_block")
        if call is not None:
            produced, before = (call.out_ptr, call.out_shape), f"what {call.name} produced"


def plot_sequential(net: nn.Module, input_size, *, max_width: float = MAX_WIDTH,
                    title: str | None = None) -> BookFigure:
    """A chain of layers, one box per layer call, with the output shape of each under it.

    One forward pass on zeros of ``input_size`` lists the leaf modules in the
    order they run and the shape each returns; boxes go left to right and
    wrap into a new row where ``max_width`` inches are used up.

    Parameters
    ----------
    net : nn.Module
        A network whose layers form a chain (each consumes the previous one's
        output), such as LeNet or VGG.
    input_size : tuple of int
        ``(1, channels, height, width)`` of the input.
    max_width : float
        Width of a row, in inches (7 in, with the margins about 700 px on the site).
    title : str, optional
        Heading; by default the network's class and the input shape. ``""`` for none.

    Raises
    ------
    ValueError
        If a layer does not take the previous layer's output (a residual or
        concatenating block: use :func:`plot_block`), or ``input_size`` is not
        four positive integers.

    Examples
    --------
    >>> from cnnguide import models
    >>> fig = plot_sequential(models.create("lenet"), (1, 1, 28, 28))
    >>> len([p for p in fig.axes[0].patches if p.get_gid() == "layer"])
    12
    >>> print(fig.alt)
    LeNet drawn layer by layer from a 1 × 28 × 28 input: Conv2d 5×5, 6, pad 2 → 6 × 28 × 28;
    Sigmoid → 6 × 28 × 28; AvgPool 2×2, stride 2 → 6 × 14 × 14; ...; Linear 10 → 10.
    """
    return _plot_chain(net, input_size, type(net).__name__, max_width, title)


def _plot_chain(net: nn.Module, input_size, name: str, max_width: float, title: str | None) -> BookFigure:
    calls, whole = trace(net, input_size)
    _check_chain(net, calls, whole)
    steps = "; ".join(f"{_inline(layer_label(c.module))} → {shape_text(c.out_shape)}" for c in calls)
    alt = f"{name} drawn layer by layer from a {shape_text(whole.in_shape)} input: {steps}."
    canvas = Canvas(alt, _named(name, whole.in_shape, title))
    items = [("input", "tensor", whole.in_shape)]
    items += [(layer_label(c.module), kind_of(c.module), c.out_shape) for c in calls]
    draw_chain(canvas, items, max_width)
    return canvas.finish()


def _describe(block: nn.Module) -> str:
    if type(block) is nn.Sequential:
        return f"Sequential({', '.join(type(m).__name__ for m in block)})"
    return type(block).__name__


def _is_vgg_block(block: nn.Module) -> bool:
    layers = list(block) if type(block) is nn.Sequential else []
    return (len(layers) >= 3 and len(layers) % 2 == 1 and isinstance(layers[-1], nn.MaxPool2d)
            and all(isinstance(a, nn.Conv2d) and isinstance(b, nn.ReLU) for a, b in zip(layers[:-1:2], layers[1::2])))


def plot_vgg_block(block: nn.Module, input_size, *, max_width: float = MAX_WIDTH,
                   title: str | None = None) -> BookFigure:
    """A VGG block (:func:`cnnguide.models.vgg.vgg_block`): its convolutions and ReLUs, then the max pool.

    Drawn as a chain (:func:`plot_sequential`, whose ``max_width`` and
    ``title`` it takes), after checking that the block is one: an
    ``nn.Sequential`` of ``Conv2d, ReLU`` pairs ending in ``MaxPool2d``.

    Examples
    --------
    >>> from cnnguide.models.vgg import vgg_block
    >>> print(plot_vgg_block(vgg_block(2, 3, 64), (1, 3, 32, 32)).alt)
    VGG block drawn layer by layer from a 3 × 32 × 32 input: Conv2d 3×3, 64, pad 1 → 64 × 32 × 32;
    ReLU → 64 × 32 × 32; Conv2d 3×3, 64, pad 1 → 64 × 32 × 32; ReLU → 64 × 32 × 32;
    MaxPool 2×2, stride 2 → 64 × 16 × 16.
    >>> plot_vgg_block(nn.Sequential(nn.Conv2d(3, 8, 3), nn.Sigmoid(), nn.MaxPool2d(2)), (1, 3, 8, 8))
    Traceback (most recent call last):
    ...
    ValueError: plot_vgg_block draws a VGG block (an nn.Sequential of Conv2d, ReLU pairs then a MaxPool2d,
    as vgg_block builds), got Sequential(Conv2d, Sigmoid, MaxPool2d)
    """
    if not _is_vgg_block(block):
        raise ValueError("plot_vgg_block draws a VGG block (an nn.Sequential of Conv2d, ReLU pairs then a "
                         f"MaxPool2d, as vgg_block builds), got {_describe(block)}")
    return _plot_chain(block, input_size, "VGG block", max_width, title)


def _steps(calls) -> str:
    return ", ".join(f"{_inline(layer_label(c.module))} ({shape_text(c.out_shape)})" for c in calls)


def plot_residual_block(block: nn.Module, input_size, *, title: str | None = None) -> BookFigure:
    """A residual block: main path, shortcut, the ⊕ that adds them, the ReLU after.

    The main path is every layer call outside ``block.shortcut`` except the
    last (the ReLU applied to the sum); the shortcut is drawn as a line
    labelled *identity*, or as its boxes (1×1 convolution and batch norm)
    when the block projects. Every arrow carries the shape traced on it.

    Parameters
    ----------
    block : BasicBlock or Bottleneck
        From :mod:`cnnguide.models.resnet`.
    input_size : tuple of int
        ``(1, channels, height, width)``; ``channels`` must be the block's input channels.
    title : str, optional
        Heading; by default the block's class and the input shape. ``""`` for none.

    Examples
    --------
    >>> fig = plot_residual_block(BasicBlock(64, 128, stride=2), (1, 64, 56, 56))
    >>> print(fig.alt)
    BasicBlock on a 64 × 56 × 56 input. Main path: Conv2d 3×3, 128, stride 2, pad 1 (128 × 28 × 28),
    BatchNorm (128 × 28 × 28), ReLU (128 × 28 × 28), Conv2d 3×3, 128, pad 1 (128 × 28 × 28),
    BatchNorm (128 × 28 × 28). Shortcut: Conv2d 1×1, 128, stride 2 (128 × 28 × 28),
    BatchNorm (128 × 28 × 28). The two are added (128 × 28 × 28) and passed through ReLU:
    output 128 × 28 × 28.
    >>> plot_residual_block(nn.Conv2d(3, 3, 1), (1, 3, 8, 8))
    Traceback (most recent call last):
    ...
    ValueError: plot_residual_block draws a BasicBlock or Bottleneck, got Conv2d
    """
    if not isinstance(block, (BasicBlock, Bottleneck)):
        raise ValueError(f"plot_residual_block draws a BasicBlock or Bottleneck, got {_describe(block)}")
    calls, whole = trace(block, input_size)
    in_shortcut = {id(m) for m in block.shortcut.modules()}
    shortcut = [c for c in calls if id(c.module) in in_shortcut]
    main = [c for c in calls if id(c.module) not in in_shortcut]
    main, final = main[:-1], main[-1]  # the last call is the ReLU of the sum
    identity = all(isinstance(c.module, nn.Identity) for c in shortcut)
    alt = (f"{type(block).__name__} on a {shape_text(whole.in_shape)} input. Main path: {_steps(main)}. "
           f"Shortcut: {'identity' if identity else _steps(shortcut)}. The two are added "
           f"({shape_text(final.in_shape)}) and passed through {layer_label(final.module)}: "
           f"output {shape_text(whole.out_shape)}.")
    canvas = Canvas(alt, _named(type(block).__name__, whole.in_shape, title))

    source = io_box(canvas, 0, 0, "input", whole.in_shape)
    path = column(canvas, 0, source.bottom + GAP, main, widest(main))
    down(canvas, 0, source.bottom, path[0].top)
    plus = canvas.plus(0, path[-1].bottom + GAP + 0.12)
    down(canvas, 0, path[-1].bottom, plus.top, shape_text(main[-1].out_shape))
    # The shortcut runs to the right of the main path's boxes and shape notes.
    room = max(widest(main) / 2, 0.06 + widest_note(c.out_shape for c in main)) + 0.4
    if identity:
        x = room
        canvas.arrow((source.right, source.y), (x, source.y), (x, plus.y), (plus.right, plus.y))
        canvas.note(x + 0.06, (path[0].top + path[-1].bottom) / 2, f"identity\n{shape_text(whole.in_shape)}")
    else:
        width = widest(shortcut)
        x = room + width / 2
        middle = (path[0].top + path[-1].bottom) / 2
        boxes = column(canvas, x, middle - column_height(shortcut) / 2, shortcut, width)
        canvas.arrow((source.right, source.y), (x, source.y), (x, boxes[0].top))
        canvas.arrow((x, boxes[-1].bottom), (x, plus.y), (plus.right, plus.y))
        canvas.note(x + 0.06, (boxes[-1].bottom + plus.y) / 2, shape_text(shortcut[-1].out_shape))
    relu = column(canvas, 0, plus.bottom + GAP, [final], widest(main))[0]
    down(canvas, 0, plus.bottom, relu.top, shape_text(final.in_shape))
    sink = io_box(canvas, 0, relu.bottom + GAP, "output", whole.out_shape)
    down(canvas, 0, relu.bottom, sink.top)
    return canvas.finish()


def _by_child(block: nn.Module, calls) -> dict[str, list]:
    """The leaf calls grouped by the child of ``block`` they belong to, in the children's order."""
    groups = {name: [c for c in calls if c.name.split(".")[0] == name] for name, _ in block.named_children()}
    return {name: group for name, group in groups.items() if group}


def plot_inception_block(block: nn.Module, input_size, *, title: str | None = None) -> BookFigure:
    """An Inception block: its four branches side by side, then the concatenation along the channels.

    Each branch is a column of boxes, one per layer call, with the traced
    shape on every arrow; the concatenation box adds up the channels each
    branch produced.

    Parameters
    ----------
    block : Inception
        From :mod:`cnnguide.models.googlenet`.
    input_size : tuple of int
        ``(1, channels, height, width)``; ``channels`` must be the block's input channels.
    title : str, optional
        Heading; by default the block's class and the input shape. ``""`` for none.

    Examples
    --------
    >>> fig = plot_inception_block(Inception(192, 64, (96, 128), (16, 32), 32), (1, 192, 28, 28))
    >>> print(fig.alt)
    Inception block on a 192 × 28 × 28 input, 4 parallel branches. branch1: Conv2d 1×1, 64 (64 × 28 × 28),
    ReLU (64 × 28 × 28). branch2: ... The outputs are concatenated along the channels,
    64 + 128 + 32 + 32 = 256: output 256 × 28 × 28.
    """
    if not isinstance(block, Inception):
        raise ValueError(f"plot_inception_block draws an Inception block, got {_describe(block)}")
    calls, whole = trace(block, input_size)
    branches = _by_child(block, calls)
    channels = [group[-1].out_shape[1] for group in branches.values()]
    total = whole.out_shape[1]
    sum_text = f"{' + '.join(map(str, channels))} = {total}"
    parts = " ".join(f"{name}: {_steps(group)}." for name, group in branches.items())
    alt = (f"Inception block on a {shape_text(whole.in_shape)} input, {len(branches)} parallel branches. {parts} "
           f"The outputs are concatenated along the channels, {sum_text}: output {shape_text(whole.out_shape)}.")
    canvas = Canvas(alt, _named("Inception block", whole.in_shape, title))

    width = widest(calls)
    pitch = max(width + 0.3, width / 2 + 0.06 + widest_note(c.out_shape for c in calls) + 0.2)
    middle = (len(branches) - 1) * pitch / 2
    source = io_box(canvas, middle, 0, "input", whole.in_shape)
    bus = source.bottom + 0.2  # the input fans out to the branches along this line
    bottoms = []
    for i, group in enumerate(branches.values()):
        boxes = column(canvas, i * pitch, bus + 0.22, group, width)
        canvas.arrow((middle, source.bottom), (middle, bus), (i * pitch, bus), (i * pitch, boxes[0].top))
        bottoms.append(boxes[-1].bottom)
    label = f"concatenate along channels\n{sum_text}"
    join = canvas.box(middle, max(bottoms) + GAP + 0.1 + box_size(label)[1] / 2, label, "merge",
                      min_width=(len(branches) - 1) * pitch + width, gid="merge")
    for i, (bottom, group) in enumerate(zip(bottoms, branches.values())):
        canvas.arrow((i * pitch, bottom), (i * pitch, join.top))
        canvas.note(i * pitch + 0.06, bottom + 0.17, shape_text(group[-1].out_shape))
    sink = io_box(canvas, middle, join.bottom + GAP, "output", whole.out_shape)
    down(canvas, middle, join.bottom, sink.top)
    return canvas.finish()


def _dense_layer_label(name: str, group) -> str:
    """``denselayer1`` over its layers, a line per convolution (``BatchNorm → ReLU → Conv2d 3×3, 10, pad 1``)."""
    lines, line = [], []
    for call in group:
        line.append(_inline(layer_label(call.module)))
        if isinstance(call.module, nn.Conv2d):
            lines.append(" → ".join(line))
            line = []
    if line:
        lines.append(" → ".join(line))
    return "\n".join([name, *lines])


def plot_dense_block(block: nn.Module, input_size, *, title: str | None = None) -> BookFigure:
    """A dense block: each layer's output concatenated to its input, so the channels grow layer by layer.

    Down the middle, each dense layer (its BN, ReLU and convolutions on one
    box) and the concatenation after it; on the right, the line that carries
    the layer's input around it into that concatenation. The concatenation
    boxes add the channels, ``before + new = after``, all traced.

    Parameters
    ----------
    block : DenseBlock
        From :mod:`cnnguide.models.densenet`.
    input_size : tuple of int
        ``(1, channels, height, width)``; ``channels`` must be the block's input channels.
    title : str, optional
        Heading; by default the block's class and the input shape. ``""`` for none.

    Examples
    --------
    >>> fig = plot_dense_block(DenseBlock(2, 3, growth_rate=10, bn_size=None), (1, 3, 8, 8))
    >>> print(fig.alt)
    Dense block of 2 layers on a 3 × 8 × 8 input. Each layer (BatchNorm → ReLU → Conv2d 3×3, 10, pad 1)
    computes 10 new channels from all the channels before it, and they are concatenated to its input: the
    channels grow 3 → 13 → 23. Output 23 × 8 × 8.
    """
    if not isinstance(block, DenseBlock):
        raise ValueError(f"plot_dense_block draws a DenseBlock, got {_describe(block)}")
    calls, whole = trace(block, input_size)
    layers = _by_child(block, calls)
    ins = [group[0].in_shape for group in layers.values()]
    outs = [group[-1].out_shape for group in layers.values()]
    afters = [*ins[1:], whole.out_shape]  # what each concatenation produced, as the next layer received it
    labels = [_dense_layer_label(name, group) for name, group in layers.items()]
    grown = sorted({o[1] for o in outs})
    new = (f"{grown[0]} new channels" if len(grown) == 1 else f"{', '.join(map(str, grown))} new channels")
    growth = " → ".join(str(s[1]) for s in [ins[0], *afters])
    first = labels[0].split("\n", 1)[1].replace("\n", ", ")
    alt = (f"Dense block of {len(layers)} layers on a {shape_text(whole.in_shape)} input. Each layer ({first}) "
           f"computes {new} from all the channels before it, and they are concatenated to its input: the "
           f"channels grow {growth}. Output {shape_text(whole.out_shape)}.")
    canvas = Canvas(alt, _named("Dense block", whole.in_shape, title))

    width = max(box_size(label)[0] for label in labels)
    skip = width / 2 + 0.06 + widest_note([*outs, *afters]) + 0.25  # x of the lines around the layers
    previous = io_box(canvas, 0, 0, "input", whole.in_shape)
    for i, (label, before, out, after) in enumerate(zip(labels, ins, outs, afters)):
        layer = canvas.box(0, previous.bottom + GAP + box_size(label)[1] / 2, label, "conv", min_width=width)
        down(canvas, 0, previous.bottom, layer.top, shape_text(before) if i else None)
        text = f"concatenate: {before[1]} + {out[1]} = {after[1]}"
        join = canvas.box(0, layer.bottom + GAP + box_size(text)[1] / 2, text, "merge", gid="merge")
        down(canvas, 0, layer.bottom, join.top, shape_text(out))
        canvas.arrow((previous.right, previous.y), (skip, previous.y), (skip, join.y), (join.right, join.y))
        previous = join
    sink = io_box(canvas, 0, previous.bottom + GAP, "output", whole.out_shape)
    down(canvas, 0, previous.bottom, sink.top)
    return canvas.finish()


def plot_block(block: nn.Module, input_size, *, title: str | None = None) -> BookFigure:
    """The diagram that fits ``block``: residual, Inception, dense or VGG block.

    Dispatches on the block classes of :mod:`cnnguide.models` (and on the
    layer pattern of :func:`~cnnguide.models.vgg.vgg_block`, a plain ``nn.Sequential``).

    Examples
    --------
    >>> plot_block(BasicBlock(8, 8), (1, 8, 6, 6)).alt.split(".")[0]
    'BasicBlock on a 8 × 6 × 6 input'
    >>> plot_block(nn.Linear(4, 2), (1, 1, 1, 4))
    Traceback (most recent call last):
    ...
    ValueError: plot_block draws a BasicBlock, Bottleneck, Inception, DenseBlock or VGG block, got Linear
    """
    if isinstance(block, (BasicBlock, Bottleneck)):
        return plot_residual_block(block, input_size, title=title)
    if isinstance(block, Inception):
        return plot_inception_block(block, input_size, title=title)
    if isinstance(block, DenseBlock):
        return plot_dense_block(block, input_size, title=title)
    if _is_vgg_block(block):
        return plot_vgg_block(block, input_size, title=title)
    raise ValueError(
        f"plot_block draws a BasicBlock, Bottleneck, Inception, DenseBlock or VGG block, got {_describe(block)}")
