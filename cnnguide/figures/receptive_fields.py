"""How far one unit sees: receptive fields, computed two ways.

- :func:`receptive_field_growth` -- the input pixels one unit sees, layer after layer (by autograd);
- :func:`receptive_field_vs_depth` -- receptive field against depth for several layer stacks.

The sizes come from :func:`cnnguide.ops.receptive_field`; the shaded pixels from autograd.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import torch
from matplotlib.patches import Rectangle
from torch.nn import functional as F

from ..ops import receptive_field
from ._base import BookFigure, new_figure

__all__ = ["receptive_field_growth", "receptive_field_vs_depth"]


def _check_layers(layers) -> list[tuple[int, int]]:
    layers = [tuple(layer) for layer in layers]
    if not layers:
        raise ValueError("layers must contain at least one (kernel_size, stride) pair")
    for layer in layers:
        if len(layer) != 2 or any(not isinstance(v, int) or v < 1 for v in layer):
            raise ValueError(f"each layer must be a (kernel_size, stride) pair of positive ints, got {layer!r}")
    return layers


def _influence(layers: Sequence[tuple[int, int]], input_size: int, unit: int) -> np.ndarray:
    """How many paths join each input pixel to output unit ``(unit, unit)``, by autograd.

    Every layer is a bias-free convolution with an all-ones kernel (a pooling
    window has the same reach), so the gradient counts paths and is nonzero
    exactly on the pixels that can influence the unit.
    """
    x = torch.zeros(1, 1, input_size, input_size, dtype=torch.float64, requires_grad=True)
    y = x
    for k, s in layers:
        y = F.conv2d(y, torch.ones(1, 1, k, k, dtype=torch.float64), stride=s)
    y[0, 0, unit, unit].backward()
    return x.grad[0, 0].numpy()


def receptive_field_growth(
    layers: Sequence[tuple[int, int]], labels: Sequence[str] | None = None, input_size: int | None = None
) -> BookFigure:
    """One panel per layer: the input pixels that one unit of that layer sees.

    ``layers`` lists ``(kernel_size, stride)`` from input to output, without
    padding. Panel ``i`` shades, on the input grid, the pixels whose gradient
    w.r.t. a central unit after layer ``i`` is nonzero (darker = more paths),
    and outlines the ``r x r`` square with ``r = receptive_field(layers[:i+1])``;
    the two agree.

    Examples
    --------
    >>> fig = receptive_field_growth([(3, 1), (3, 1)])
    >>> [p.get_width() for p in fig.axes[1].patches]
    [5]
    """
    layers = _check_layers(layers)
    labels = list(labels) if labels is not None else [f"{k}×{k}, stride {s}" for k, s in layers]
    if len(labels) != len(layers):
        raise ValueError(f"got {len(labels)} labels for {len(layers)} layers")
    rf = [receptive_field(layers[: i + 1]) for i in range(len(layers))]
    jumps = [math.prod(s for _, s in layers[: i + 1]) for i in range(len(layers))]
    margin = jumps[-1] * math.ceil(2 / jumps[-1])  # a multiple of the last jump: centres the last unit
    n = input_size if input_size is not None else rf[-1] + 2 * margin
    if n < rf[-1]:
        raise ValueError(f"input_size {n} is smaller than the final receptive field {rf[-1]}")
    fig, axes = new_figure(
        f"{len(layers)} panels over a {n}x{n} input: the pixels one unit sees grow to "
        + ", ".join(f"{r}x{r}" for r in rf)
        + " after each layer.",
        1,
        len(layers),
        figsize=(2.6 * len(layers), 3.0),
        squeeze=False,
    )
    for i, ax in enumerate(axes[0]):
        out = (n - rf[i]) // jumps[i] + 1  # units along one side after layer i (no padding)
        unit = (out - 1) // 2
        grad = _influence(layers[: i + 1], n, unit)
        ax.imshow(np.ma.masked_equal(grad, 0), cmap="Blues", vmin=0, vmax=grad.max() * 1.1)
        start = unit * jumps[i] - 0.5  # unit u's window starts at input pixel u * jump
        ax.add_patch(Rectangle((start, start), rf[i], rf[i], fill=False, ec="C3", lw=2, zorder=3))
        ax.set_xticks(np.arange(-0.5, n, 1), minor=True)
        ax.set_yticks(np.arange(-0.5, n, 1), minor=True)
        ax.grid(which="minor", color="0.85", lw=0.5 if n <= 40 else 0)
        ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
        ax.set_title(f"after {labels[i]}\nsees {rf[i]}×{rf[i]} pixels", fontsize=9)
    fig.suptitle(
        "blue: input pixels with a nonzero gradient (darker = more paths); red: receptive_field()", fontsize=8
    )
    return fig


def receptive_field_vs_depth(stacks: Mapping[str, Sequence[tuple[int, int]]]) -> BookFigure:
    """Receptive field after each layer, for several stacks of ``(kernel_size, stride)``.

    Examples
    --------
    >>> fig = receptive_field_vs_depth({"3x3": [(3, 1)] * 4})
    >>> fig.axes[0].lines[0].get_ydata().tolist()
    [3, 5, 7, 9]
    """
    if not stacks:
        raise ValueError("receptive_field_vs_depth needs at least one stack")
    curves = {}
    for name, layers in stacks.items():
        layers = _check_layers(layers)
        curves[name] = [receptive_field(layers[: d + 1]) for d in range(len(layers))]
    fig, ax = new_figure(
        "Line chart of receptive field against depth: "
        + "; ".join(f"{name} reaches {c[-1]} pixels after {len(c)} layers" for name, c in curves.items())
        + ".",
        figsize=(6.4, 3.8),
    )
    for i, (name, c) in enumerate(curves.items()):
        depth = np.arange(1, len(c) + 1)
        ax.plot(depth, np.array(c), "o-", color=f"C{i}", label=name, ms=4)
        ax.annotate(str(c[-1]), (depth[-1], c[-1]), textcoords="offset points", xytext=(6, -3), fontsize=8)
    ax.set_xlabel("layers from the input")
    ax.set_ylabel("receptive field (pixels per side)")
    ax.set_title("How far one unit sees")
    ax.legend(fontsize=8)
    ax.grid(True, alpha=0.3)
    return fig
