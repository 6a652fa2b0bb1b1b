"""Parameter counts as pictures: why convolutions, and where a network's weights sit.

- :func:`parameter_growth` -- weights of a fully connected layer vs a convolution as images grow;
- :func:`parameter_count_bars` -- parameter counts of real modules side by side (e.g. classifier heads).

The counts come from :mod:`cnnguide.ops` or from the modules passed in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matplotlib.ticker import EngFormatter
from torch import nn

from ..ops import conv_param_count, dense_param_count
from ._base import BookFigure, new_figure

__all__ = ["parameter_count_bars", "parameter_growth"]


def _count(n: int) -> str:
    return f"{n:,}"


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
