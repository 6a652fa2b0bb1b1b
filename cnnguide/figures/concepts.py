"""Pictures of the ideas around the convolution: cost, non-linearity, reach, features.

- :func:`parameter_growth` -- weights of a fully connected layer vs a convolution as images grow;
- :func:`parameter_count_bars` -- parameter counts of real modules side by side (e.g. classifier heads);
- :func:`activation_curves` -- sigmoid, tanh and ReLU with their derivatives, taken by autograd;
- :func:`receptive_field_growth` -- the input pixels one unit sees, layer after layer;
- :func:`receptive_field_vs_depth` -- receptive field against depth for several layer stacks;
- :func:`feature_map_grid` and :func:`kernel_grid` -- a layer's activations and a conv layer's weights.

Every number drawn comes from :mod:`cnnguide.ops`, autograd, or the tensors passed in.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import torch
from matplotlib.patches import Rectangle
from matplotlib.ticker import EngFormatter
from torch import nn
from torch.nn import functional as F

from ..ops import conv_param_count, dense_param_count, receptive_field
from ._base import BookFigure, new_figure

__all__ = [
    "activation_curves",
    "feature_map_grid",
    "kernel_grid",
    "parameter_count_bars",
    "parameter_growth",
    "receptive_field_growth",
    "receptive_field_vs_depth",
]

# The activations of Part 1, as torch functions so that autograd can differentiate them.
_ACTIVATIONS = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}


def _count(n: int) -> str:
    return f"{n:,}"


def _as_array(x, name: str, ndim: int) -> np.ndarray:
    """A float numpy copy of a tensor/array with exactly ``ndim`` dimensions."""
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    try:
        a = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be a tensor or array of numbers, got {type(x).__name__}") from err
    if a.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {tuple(a.shape)}")
    if a.size == 0:
        raise ValueError(f"{name} is empty (shape {tuple(a.shape)})")
    if not np.isfinite(a).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return a


def parameter_growth(
    image_sizes: Sequence[int] = (28, 64, 128, 256, 512, 1024),
    in_channels: int = 1,
    hidden_units: int = 1000,
    out_channels: int = 64,
    kernel_size: int = 3,
) -> BookFigure:
    """Weights of a fully connected layer vs a convolution as the image grows.

    The dense layer maps all ``size*size*in_channels`` pixels to ``hidden_units``
    units; the convolution has ``out_channels`` kernels of ``kernel_size``
    squared times ``in_channels`` weights, whatever the image size. Counts (bias
    included) come from :func:`cnnguide.ops.dense_param_count` and
    :func:`cnnguide.ops.conv_param_count`; the y axis is logarithmic.

    Examples
    --------
    >>> fig = parameter_growth((28, 512))
    >>> int(fig.axes[0].lines[0].get_ydata()[-1])  # 512*512 inputs -> 1000 units, with biases
    262145000
    """
    sizes = list(image_sizes)
    if not sizes or any(not isinstance(s, int) or s < 1 for s in sizes):
        raise ValueError(f"image_sizes must be positive integers, got {image_sizes!r}")
    if sorted(set(sizes)) != sizes:
        raise ValueError(f"image_sizes must be strictly increasing, got {image_sizes!r}")
    dense = [dense_param_count(s * s * in_channels, hidden_units) for s in sizes]
    conv = [conv_param_count(in_channels, out_channels, kernel_size) for _ in sizes]
    fig, ax = new_figure(
        f"Log-scale line chart: a fully connected layer from a {sizes[-1]}x{sizes[-1]} image to "
        f"{hidden_units} units needs {_count(dense[-1])} parameters, while a {kernel_size}x{kernel_size} "
        f"convolution with {out_channels} output channels needs {_count(conv[-1])} at every image size.",
        figsize=(6.4, 3.8),
    )
    ax.plot(sizes, dense, "o-", label=f"fully connected → {hidden_units} units")
    ax.plot(sizes, conv, "s-", label=f"{kernel_size}×{kernel_size} conv, {out_channels} channels")
    for x, y in ((sizes[-1], dense[-1]), (sizes[-1], conv[-1]), (sizes[0], dense[0])):
        ax.annotate(_count(y), (x, y), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=8)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(sizes, [f"{s}×{s}" for s in sizes], fontsize=8)
    ax.set_xlabel(f"image size ({in_channels} channel{'s' * (in_channels > 1)})")
    ax.set_ylabel("parameters (weights + biases)")
    ax.set_title("A dense layer grows with the image; a convolution does not")
    ax.legend(loc="center right", fontsize=8)
    ax.grid(True, which="major", alpha=0.3)
    return fig


def parameter_count_bars(
    modules: Mapping[str, nn.Module], title: str | None = None, log: bool = True
) -> BookFigure:
    """Horizontal bars of the parameter counts of some modules, each labelled with its count.

    With ``log=True`` the axis is logarithmic from 1, so bar lengths compare
    orders of magnitude; with ``log=False`` they compare the counts themselves.

    Examples
    --------
    >>> heads = {"a": nn.Linear(10, 2), "b": nn.Linear(100, 2)}
    >>> [int(bar.get_width()) for bar in parameter_count_bars(heads).axes[0].patches]
    [22, 202]
    """
    if not modules:
        raise ValueError("parameter_count_bars needs at least one module")
    counts = {}
    for name, module in modules.items():
        if not isinstance(module, nn.Module):
            raise ValueError(f"{name!r} is a {type(module).__name__}, not a torch.nn.Module")
        counts[name] = sum(p.numel() for p in module.parameters())
        if counts[name] == 0 and log:
            raise ValueError(f"module {name!r} has no parameters to draw on a log scale")
    names = list(counts)
    desc = "; ".join(f"{n}: {_count(c)}" for n, c in counts.items())
    fig, ax = new_figure(
        f"Bar chart of parameter counts{' on a log scale' * log}. {desc}.",
        figsize=(6.4, 0.6 + 0.55 * len(names)),
    )
    bars = ax.barh(range(len(names)), [counts[n] for n in names], color="C0")
    ax.bar_label(bars, labels=[_count(counts[n]) for n in names], padding=3, fontsize=8)
    ax.set_yticks(range(len(names)), names)
    ax.invert_yaxis()
    if log:
        ax.set_xscale("log")
        ax.set_xlim(1, max(counts.values()) * 20)
    else:
        ax.set_xlim(0, max(counts.values()) * 1.2)
        ax.xaxis.set_major_formatter(EngFormatter())  # 100 M rather than a 1e8 offset
    ax.set_xlabel("parameters")
    ax.set_title(title or "Parameter counts")
    return fig


def activation_curves(
    names: Sequence[str] = ("sigmoid", "tanh", "relu"), x_min: float = -6.0, x_max: float = 6.0, num: int = 601
) -> BookFigure:
    """The activation functions (left) and their derivatives (right).

    Derivatives are computed by autograd, not written out: ``y.sum().backward()``
    on the sampled curve gives ``f'(x)`` at every sample. The legend reports each
    derivative's maximum (0.25 for the sigmoid, at 0).

    Examples
    --------
    >>> fig = activation_curves(("sigmoid",))
    >>> round(float(max(fig.axes[1].lines[0].get_ydata())), 4)
    0.25
    """
    unknown = [n for n in names if n not in _ACTIVATIONS]
    if not names or unknown:
        raise ValueError(f"names must be a non-empty subset of {sorted(_ACTIVATIONS)}, got {list(names)}")
    if not x_min < x_max or num < 3:
        raise ValueError(f"need x_min < x_max and num >= 3, got {x_min}, {x_max}, {num}")
    fig, (ax_f, ax_d) = new_figure("Activation functions.", 1, 2, figsize=(9, 3.4))
    max_slopes = []
    for i, name in enumerate(names):
        x = torch.linspace(x_min, x_max, num, dtype=torch.float64, requires_grad=True)
        y = _ACTIVATIONS[name](x)
        y.sum().backward()  # each y_i depends on x_i only, so the gradient is f'(x_i)
        xs, ys, ds = x.detach().numpy(), y.detach().numpy(), x.grad.numpy()
        ax_f.plot(xs, ys, color=f"C{i}", label=name)
        ax_d.plot(xs, ds, color=f"C{i}", label=f"{name}'  (max {ds.max():.3g})")
        max_slopes.append(f"{name} {ds.max():.3g}")
    for ax, title in ((ax_f, "f(x)"), (ax_d, "f'(x), by autograd")):
        ax.axhline(0, color="0.6", lw=0.8)
        ax.axvline(0, color="0.6", lw=0.8)
        ax.set_xlabel("x")
        ax.set_title(title)
        ax.legend(fontsize=8)
        ax.grid(True, alpha=0.3)
    fig.alt = (
        f"Two panels: the curves of {', '.join(names)} on [{x_min:g}, {x_max:g}] and their derivatives "
        f"computed by autograd, whose largest values are: {', '.join(max_slopes)}."
    )
    return fig


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


def _grid_shape(n: int, ncols: int | None) -> tuple[int, int]:
    ncols = min(n, 8) if ncols is None else ncols
    if not isinstance(ncols, int) or ncols < 1:
        raise ValueError(f"ncols must be a positive int, got {ncols!r}")
    ncols = min(ncols, n)
    return math.ceil(n / ncols), ncols


def feature_map_grid(
    maps,
    title: str | None = None,
    max_maps: int = 16,
    ncols: int | None = None,
    labels: Sequence[str] | None = None,
) -> BookFigure:
    """The first ``max_maps`` channels of a ``(C, H, W)`` activation, one panel each.

    Each map has its own colour scale (brighter = larger activation), since
    channels differ in range. Panels are titled ``labels[i]``, or by channel
    index when no labels are given.

    Examples
    --------
    >>> fig = feature_map_grid(torch.rand(6, 8, 8), max_maps=4)
    >>> len(fig.axes[0].images), sum(len(ax.images) for ax in fig.axes)
    (1, 4)
    """
    a = _as_array(maps, "maps", 3)
    if not isinstance(max_maps, int) or max_maps < 1:
        raise ValueError(f"max_maps must be a positive int, got {max_maps!r}")
    c, h, w = a.shape
    n = min(c, max_maps)
    if labels is not None and len(labels) < n:
        raise ValueError(f"got {len(labels)} labels for {n} maps")
    nrows, ncols = _grid_shape(n, ncols)
    fig, axes = new_figure(
        f"A grid of {n} of {c} feature maps, each {h}x{w}, bright where the channel responds strongly.",
        nrows,
        ncols,
        figsize=(1.5 * ncols, 1.5 * nrows + 0.4),
        squeeze=False,
    )
    for i, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if i < n:
            ax.imshow(a[i], cmap="viridis")
            ax.set_title(labels[i] if labels is not None else f"ch {i}", fontsize=8)
    fig.suptitle(title or f"{n} of {c} feature maps ({h}×{w})", fontsize=10)
    return fig


def kernel_grid(weight, title: str | None = None, max_out: int = 16, max_in: int = 8) -> BookFigure:
    """A convolution's kernels: one row per output channel, one column per input channel.

    ``weight`` is an ``(O, C, h, w)`` tensor or an :class:`torch.nn.Conv2d`. All
    panels share one diverging colour scale centred on 0 (red positive, blue
    negative), so strengths compare across kernels. With one input channel the
    kernels are laid out in rows of 8 instead.

    Examples
    --------
    >>> fig = kernel_grid(nn.Conv2d(2, 3, 5).weight)
    >>> sum(len(ax.images) for ax in fig.axes)
    6
    """
    if isinstance(weight, nn.Conv2d):
        weight = weight.weight
    w = _as_array(weight, "weight", 4)
    if any(not isinstance(m, int) or m < 1 for m in (max_out, max_in)):
        raise ValueError(f"max_out and max_in must be positive ints, got {max_out!r}, {max_in!r}")
    o, c, kh, kw = w.shape
    shown = w[:max_out, :max_in]
    vmax = float(np.abs(shown).max()) or 1.0
    if c == 1:
        nrows, ncols = _grid_shape(shown.shape[0], None)
        cells = [(shown[i, 0], f"{i}") for i in range(shown.shape[0])]
    else:
        nrows, ncols = shown.shape[:2]
        cells = [(shown[i, j], f"{i}←{j}") for i in range(nrows) for j in range(ncols)]
    fig, axes = new_figure(
        f"A grid of {len(cells)} {kh}x{kw} kernels from a convolution weight of shape {(o, c, kh, kw)}, "
        "red for positive weights and blue for negative.",
        nrows,
        ncols,
        figsize=(0.9 * ncols + 0.9, 0.9 * nrows + 0.5),
        squeeze=False,
    )
    image = None
    for ax, cell in zip(axes.flat, cells + [None] * (axes.size - len(cells))):
        ax.set_axis_off()
        if cell is not None:
            image = ax.imshow(cell[0], cmap="RdBu_r", vmin=-vmax, vmax=vmax)
            ax.set_title(cell[1], fontsize=6)
    fig.colorbar(image, ax=axes, shrink=0.8 if nrows <= 4 else 0.3, aspect=25, label="weight")
    fig.suptitle(title or f"Kernels (out←in), weight shape {tuple(w.shape)}", fontsize=10)
    return fig
