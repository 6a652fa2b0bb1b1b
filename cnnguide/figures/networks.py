"""Figures about whole networks: how gradients reach the layers of a deep stack.

They draw values measured on a network (e.g. the norm of each layer's weight
gradient after one backward pass); nothing is typed in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ._base import BookFigure, new_figure

__all__ = ["gradient_norms_by_depth"]


def gradient_norms_by_depth(norms: Mapping[str, Sequence[float]], title: str | None = None,
                            xlabel: str = "block (1 = nearest the input)") -> BookFigure:
    """One line per network: the gradient norm of each layer, from the input to the output, on a log scale.

    Parameters
    ----------
    norms : mapping of str to sequence of float
        For each network (the legend's label), positive gradient norms ordered
        from the layer nearest the input to the one nearest the output.
    title : str, optional
    xlabel : str
        What the positions are (blocks, layers...).

    Raises
    ------
    ValueError
        If ``norms`` is empty, or a sequence is empty or holds a value that is
        not a positive finite number (a log axis cannot show it).

    Examples
    --------
    >>> fig = gradient_norms_by_depth({"plain": [8.0, 4.0, 2.0, 1.0], "residual": [1.2, 1.1, 1.0, 1.0]})
    >>> fig.alt
    'Line chart, log scale, of gradient norms per layer from the input (left) to the output (right). plain: 8 at the first layer, 1 at the last (ratio 8); residual: 1.2 at the first layer, 1 at the last (ratio 1.2).'
    """
    if not norms:
        raise ValueError("gradient_norms_by_depth needs at least one network")
    values = {}
    for name, series in norms.items():
        array = np.asarray(series, dtype=float)
        if array.ndim != 1 or array.size == 0:
            raise ValueError(f"{name!r}: expected a non-empty sequence of numbers, got shape {array.shape}")
        if not np.all(np.isfinite(array) & (array > 0)):
            raise ValueError(f"{name!r}: gradient norms must be positive finite numbers, got {array.tolist()}")
        values[name] = array
    described = "; ".join(
        f"{name}: {a[0]:.3g} at the first layer, {a[-1]:.3g} at the last (ratio {a[0] / a[-1]:.3g})"
        for name, a in values.items())
    fig, ax = new_figure(
        "Line chart, log scale, of gradient norms per layer from the input (left) to the output (right). "
        f"{described}.", figsize=(6.4, 3.4))
    for i, (name, a) in enumerate(values.items()):
        ax.plot(np.arange(1, a.size + 1), a, "o-", color=f"C{i}", label=name, markersize=3)
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("gradient norm of the layer's weights")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(title or "Gradient norms through the depth of the network")
    return fig
