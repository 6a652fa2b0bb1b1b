"""Figures that compare architectures: branch costs, channel widths and growth, training-step costs.

Every number drawn comes from a forward pass of the network with hooks
(:func:`cnnguide.summary.summarize` or hooks registered here) or from a
:class:`cnnguide.memory.StepCost` measured by the caller.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import torch
from torch import nn

from ..summary import format_count, summarize
from ._base import BookFigure, new_figure

__all__ = ["branch_cost_bars", "dense_channel_growth", "inception_channel_split", "step_cost_bars"]

_BRANCH_COLOURS = ("tab:blue", "tab:orange", "tab:green", "tab:red")


def _check_input_size(input_size) -> tuple[int, ...]:
    size = tuple(input_size)
    if len(size) != 4 or any(isinstance(d, bool) or not isinstance(d, int) or d < 1 for d in size):
        raise ValueError(f"input_size must be four positive integers (batch, channels, height, width), got {size!r}")
    return size


def branch_cost_bars(variants: Mapping[str, Mapping[str, nn.Module]], input_size) -> BookFigure:
    """Parameters and MACs per image of each branch, for one or more variants of a block.

    Each branch is run alone on zeros of ``input_size`` through
    :func:`cnnguide.summary.summarize`; the left panel shows its parameters,
    the right panel its multiply-accumulates per image, one bar per variant,
    both on a logarithmic axis, each bar labelled with its count.

    Parameters
    ----------
    variants : mapping of str to mapping of str to nn.Module
        ``{variant name: {branch name: module}}``; every variant must name the
        same branches, in the same order.
    input_size : tuple of int
        ``(1, channels, height, width)`` of the block's input.

    Examples
    --------
    >>> branches = {"1×1": nn.Conv2d(8, 4, 1), "3×3": nn.Conv2d(8, 4, 3, padding=1)}
    >>> fig = branch_cost_bars({"block": branches}, (1, 8, 6, 6))
    >>> fig.alt
    'Parameters and multiply-accumulates per 8x6x6 input of each branch (1×1, 3×3) for block; in total 328 parameters and 11.5 k MACs.'
    """
    size = _check_input_size(input_size)
    if not variants:
        raise ValueError("variants is empty: give at least one {variant: {branch: module}}")
    names = [list(branches) for branches in variants.values()]
    if not names[0] or any(n != names[0] for n in names):
        raise ValueError(f"every variant must have the same, non-empty list of branches, got {names}")
    branch_names = names[0]
    costs = {
        variant: [(s.total_parameters, s.macs) for s in (summarize(m, size) for m in branches.values())]
        for variant, branches in variants.items()
    }
    totals = "; ".join(
        f"{format_count(sum(p for p, _ in c))} parameters and {format_count(sum(m for _, m in c))} MACs"
        + (f" for {v}" if len(variants) > 1 else "")
        for v, c in costs.items()
    )
    image = "x".join(map(str, size[1:]))
    alt = (f"Parameters and multiply-accumulates per {image} input of each branch ({', '.join(branch_names)}) "
           f"for {' and '.join(variants)}; in total {totals}.")
    fig, axes = new_figure(alt, 1, 2, figsize=(9, 3.2))
    x = np.arange(len(branch_names))
    width = 0.8 / len(variants)
    for panel, (ax, label) in enumerate(zip(axes, ("parameters", "MACs per image"))):
        for i, (variant, cost) in enumerate(costs.items()):
            values = [c[panel] for c in cost]
            bars = ax.bar(x + (i - (len(variants) - 1) / 2) * width, values, width, color=f"C{i}", label=variant)
            ax.bar_label(bars, [format_count(v) for v in values], fontsize=7, padding=2)
        ax.set_yscale("log")
        ax.set_xticks(x, branch_names)
        ax.set_ylabel(label)
        ax.margins(y=0.25)
        ax.grid(axis="y", alpha=0.3)
    axes[0].set_title("Parameters per branch")
    axes[1].set_title(f"MACs per {image} input")
    if len(variants) > 1:
        axes[0].legend(fontsize="small")
    return fig


def _inception_blocks(net: nn.Module) -> list[tuple[str, nn.Module]]:
    from ..models.googlenet import Inception

    blocks = [(name, m) for name, m in net.named_modules() if isinstance(m, Inception)]
    if not blocks:
        raise ValueError(f"{type(net).__name__} has no Inception blocks")
    return blocks



def _probe(net: nn.Module, size, handles) -> None:
    """Run ``net`` once on zeros of ``size`` in eval mode so its hooks record; then remove
    the hooks (``handles``) and put the mode back, whatever happens."""
    device = next(net.parameters()).device
    was_training = net.training
    try:
        net.eval()
        with torch.no_grad():
            net(torch.zeros(size, device=device))
    finally:
        net.train(was_training)
        for handle in handles:
            handle.remove()

def inception_channel_split(net: nn.Module, input_size=(1, 1, 96, 96)) -> BookFigure:
    """How each Inception block divides its output channels among its four branches, measured.

    One forward pass on zeros with a hook on every branch records the
    channels each branch actually outputs; the figure stacks them into one
    horizontal bar per block, labelled with the block's output shape.

    Parameters
    ----------
    net : nn.Module
        A network containing :class:`cnnguide.models.googlenet.Inception` blocks.
    input_size : tuple of int
        Input shape for the forward pass (the spatial sizes in the labels depend on it).

    Examples
    --------
    >>> from cnnguide.models.googlenet import Inception
    >>> fig = inception_channel_split(nn.Sequential(Inception(8, 4, (2, 6), (2, 3), 5)), (1, 8, 4, 4))
    >>> fig.alt
    'Output channels of 1 Inception blocks split by branch: 0 is 18 channels (4 + 6 + 3 + 5).'
    """
    size = _check_input_size(input_size)
    blocks = _inception_blocks(net)
    measured: dict[str, list[int]] = {name: [] for name, _ in blocks}
    shapes: dict[str, tuple] = {}
    handles = []
    for name, block in blocks:
        handles.append(block.register_forward_hook(
            lambda m, i, out, name=name: shapes.__setitem__(name, tuple(out.shape[1:]))))
        for branch in (block.branch1, block.branch2, block.branch3, block.branch4):
            handles.append(branch.register_forward_hook(
                lambda m, i, out, name=name: measured[name].append(out.shape[1])))
    _probe(net, size, handles)

    labels = [name.removeprefix("inception") for name, _ in blocks]
    parts = ", ".join(f"{label} is {sum(measured[n])} channels ({' + '.join(map(str, measured[n]))})"
                      for label, (n, _) in zip(labels, blocks))
    alt = f"Output channels of {len(blocks)} Inception blocks split by branch: {parts}."
    fig, ax = new_figure(alt, figsize=(8, 0.45 * len(blocks) + 1.4))
    y = np.arange(len(blocks))[::-1]
    left = np.zeros(len(blocks))
    branch_names = ("1×1", "1×1 → 3×3", "1×1 → 5×5", "pool → 1×1")
    for b in range(4):
        widths = np.array([measured[n][b] for n, _ in blocks])
        bars = ax.barh(y, widths, left=left, color=_BRANCH_COLOURS[b], label=branch_names[b])
        ax.bar_label(bars, [str(w) for w in widths], label_type="center", fontsize=7, color="white")
        left += widths
    for yi, (name, _), total in zip(y, blocks, left):
        ax.annotate(f"{int(total)} → {' × '.join(map(str, shapes[name]))}", (total, yi), xytext=(4, 0),
                    textcoords="offset points", va="center", fontsize=8)
    ax.set_yticks(y, labels)
    ax.set_xlabel("output channels")
    ax.set_xlim(0, left.max() * 1.3)
    ax.set_title(f"Channels per branch, measured on a {'×'.join(map(str, size[1:]))} input")
    ax.legend(fontsize="small", loc="upper right")
    return fig


def dense_channel_growth(net: nn.Module, input_size=(1, 1, 96, 96)) -> BookFigure:
    """Channels of the feature map after each dense layer and transition of a DenseNet, measured.

    Hooks on every :class:`~cnnguide.models.densenet.DenseLayer` and
    :class:`~cnnguide.models.densenet.Transition` record the channels going
    in and coming out during one forward pass on zeros. Inside a block the
    count climbs by the growth rate at every layer (the concatenation keeps
    everything); each transition cuts it (and the resolution).

    Examples
    --------
    >>> from cnnguide.models.densenet import DenseNet
    >>> net = DenseNet((2, 2), growth_rate=8, num_init_features=16, num_classes=10, in_channels=1)
    >>> dense_channel_growth(net, (1, 1, 32, 32)).alt
    'Channels after each of 6 steps of a DenseNet: starts at 16, climbs by 8 per dense layer, ends at 32 (peak 32).'
    """
    from ..models.densenet import DenseLayer, Transition

    size = _check_input_size(input_size)
    steps: list[tuple[str, str, int, int]] = []  # (label, kind, channels, spatial side)
    handles = []
    for name, module in net.named_modules():
        if isinstance(module, DenseLayer):
            def record(m, inputs, out, name=name):
                if not steps:
                    steps.append(("stem", "stem", inputs[0].shape[1], inputs[0].shape[-1]))
                steps.append((name, "layer", inputs[0].shape[1] + out.shape[1], out.shape[-1]))
            handles.append(module.register_forward_hook(record))
        elif isinstance(module, Transition):
            handles.append(module.register_forward_hook(
                lambda m, i, out, name=name: steps.append((name, "transition", out.shape[1], out.shape[-1]))))
    if not handles:
        raise ValueError(f"{type(net).__name__} has no DenseLayer or Transition modules")
    _probe(net, size, handles)

    channels = np.array([c for _, _, c, _ in steps])
    layer_rises = {int(channels[i] - channels[i - 1]) for i in range(1, len(steps)) if steps[i][1] == "layer"}
    rise = ", ".join(map(str, sorted(layer_rises)))
    alt = (f"Channels after each of {len(steps)} steps of a DenseNet: starts at {channels[0]}, climbs by {rise} "
           f"per dense layer, ends at {channels[-1]} (peak {channels.max()}).")
    fig, ax = new_figure(alt, figsize=(9, 3.4))
    x = np.arange(len(steps))
    ax.step(x, channels, where="post", color="0.6", linewidth=1)
    colours = {"stem": "black", "layer": "tab:blue", "transition": "tab:red"}
    for kind, label in (("stem", "stem output"), ("layer", "after a dense layer"), ("transition", "after a transition")):
        idx = [i for i, s in enumerate(steps) if s[1] == kind]
        ax.plot(x[idx], channels[idx], "o", color=colours[kind], label=label, markersize=5)
    for i, (_, kind, c, side) in enumerate(steps):
        last_of_block = kind == "layer" and (i + 1 == len(steps) or steps[i + 1][1] != "layer")
        if kind in ("stem", "transition") or last_of_block:
            ax.annotate(f"{c}\n{side}×{side}", (i, c), xytext=(0, 6), textcoords="offset points",
                        ha="center", fontsize=7)
    # One tick per block, not per layer: DenseNet-121 has 62 steps, whose names
    # would be unreadably small. The stem and each transition mark the bounds.
    marks = [i for i, s in enumerate(steps) if s[1] != "layer"]
    names = ["stem" if steps[i][1] == "stem" else f"transition {k}" for k, i in enumerate(marks)]
    ax.set_xticks(x[marks], names, fontsize=9)
    ax.set_xlabel(f"steps in order: {sum(s[1] == 'layer' for s in steps)} dense layers between the marked steps",
                  fontsize=9)
    ax.set_ylabel("channels")
    ax.set_ylim(0, channels.max() * 1.25)
    ax.set_title(f"Channels through the network ({'×'.join(map(str, size[1:]))} input)")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize="small", loc="upper left")
    return fig


def step_cost_bars(costs: Mapping) -> BookFigure:
    """Side-by-side bars of what a training step costs several networks.

    Four panels: parameters, activation memory saved for backward per image,
    MACs per image and forward-and-backward time per image, one bar per
    network, each labelled with its value.

    Parameters
    ----------
    costs : mapping of str to :class:`cnnguide.memory.StepCost`
        Measured by :func:`cnnguide.memory.training_step_cost`.

    Examples
    --------
    >>> from cnnguide.memory import StepCost
    >>> fig = step_cost_bars({"a": StepCost(1000, 8_000_000, 8, 5_000_000, 0.08),
    ...                       "b": StepCost(2000, 4_000_000, 8, 9_000_000, 0.04)})
    >>> fig.alt
    'Training-step costs: a has 1 k parameters, saves 1 MB of activations per image, 5 M MACs and 10.0 ms per image; b has 2 k parameters, saves 0.5 MB of activations per image, 9 M MACs and 5.0 ms per image.'
    """
    if not costs:
        raise ValueError("costs is empty")
    names = list(costs)
    panels = (
        ("parameters (M)", [c.parameters / 1e6 for c in costs.values()], "{:.2f}"),
        ("saved activations (MB / image)", [c.saved_bytes_per_image / 1e6 for c in costs.values()], "{:.2f}"),
        ("forward MACs (M / image)", [c.macs / 1e6 for c in costs.values()], "{:.0f}"),
        ("forward + backward (ms / image)", [c.seconds_per_image * 1e3 for c in costs.values()], "{:.1f}"),
    )
    parts = "; ".join(
        f"{n} has {format_count(c.parameters)} parameters, saves {c.saved_bytes_per_image / 1e6:.3g} MB of "
        f"activations per image, {format_count(c.macs)} MACs and {c.seconds_per_image * 1e3:.1f} ms per image"
        for n, c in costs.items())
    fig, axes = new_figure(f"Training-step costs: {parts}.", 1, 4, figsize=(12, 3.2))
    for ax, (title, values, fmt) in zip(axes, panels):
        bars = ax.bar(range(len(names)), values, color=[f"C{i}" for i in range(len(names))])
        ax.bar_label(bars, [fmt.format(v) for v in values], fontsize=8, padding=2)
        ax.set_xticks(range(len(names)), names, rotation=20, fontsize=8)
        ax.set_title(title, fontsize=9)
        ax.margins(y=0.2)
        ax.grid(axis="y", alpha=0.3)
    return fig
