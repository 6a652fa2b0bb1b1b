"""The activation functions and their derivatives, taken by autograd.

- :func:`activation_curves` -- sigmoid, tanh and ReLU (left) and their slopes (right).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from ._base import BookFigure, new_figure

__all__ = ["activation_curves"]

# The activations of Part 1, as torch functions so that autograd can differentiate them.
_ACTIVATIONS = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}


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
