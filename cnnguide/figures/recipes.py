"""Figures of a training recipe: its learning-rate schedules, and what each of its pieces is worth.

Both draw measured or computed values: the learning rates a torch scheduler
actually set, step by step, and the accuracies of training runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ._base import BookFigure, new_figure

__all__ = ["ablation_figure", "schedule_figure"]


def schedule_figure(rates: Mapping[str, Sequence[float]], title: str | None = None) -> BookFigure:
    """One line per schedule: the learning rate at every optimizer step.

    Parameters
    ----------
    rates : mapping of str to sequence of float
        For each schedule (the legend's label), the learning rate of each step.

    Examples
    --------
    >>> fig = schedule_figure({"constant": [0.1] * 4, "warm-up": [0.01, 0.1, 0.05, 0.0]})
    >>> fig.alt
    'Learning rate against the optimizer step. constant: from 0.1, peak 0.1 at step 0, ends at 0.1 after 4 steps; warm-up: from 0.01, peak 0.1 at step 1, ends at 0 after 4 steps.'
    """
    if not rates:
        raise ValueError("schedule_figure needs at least one schedule")
    arrays = {}
    for name, series in rates.items():
        a = np.asarray(series, dtype=float)
        if a.ndim != 1 or a.size == 0 or not np.all(np.isfinite(a)):
            raise ValueError(f"{name!r}: expected a non-empty sequence of finite numbers")
        arrays[name] = a
    described = "; ".join(f"{name}: from {a[0]:.3g}, peak {a.max():.3g} at step {int(a.argmax())}, "
                          f"ends at {a[-1]:.3g} after {a.size} steps" for name, a in arrays.items())
    fig, ax = new_figure(f"Learning rate against the optimizer step. {described}.", figsize=(6.4, 3.0))
    for i, (name, a) in enumerate(arrays.items()):
        ax.plot(np.arange(a.size), a, color=f"C{i}", label=name)
    ax.set_xlabel("optimizer step")
    ax.set_ylabel("learning rate")
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def ablation_figure(accuracies: Mapping[str, float], reference: str | None = None,
                    title: str | None = None, xlabel: str = "test accuracy") -> BookFigure:
    """Horizontal bars, one per training run, with the reference run's accuracy as a dashed line.

    Parameters
    ----------
    accuracies : mapping of str to float
        Each run's accuracy (0 to 1), in the order to draw them (top first).
    reference : str, optional
        The run drawn as a vertical line across the others (e.g. the full recipe).

    Examples
    --------
    >>> fig = ablation_figure({"book": 0.80, "baseline": 0.86, "no flip": 0.84}, reference="baseline")
    >>> fig.alt
    'Bar chart of test accuracy per run: book 0.800, baseline 0.860, no flip 0.840; the dashed line is baseline.'
    """
    if not accuracies:
        raise ValueError("ablation_figure needs at least one run")
    if reference is not None and reference not in accuracies:
        raise ValueError(f"reference {reference!r} is not one of the runs: {', '.join(accuracies)}")
    names, values = list(accuracies), np.asarray(list(accuracies.values()), dtype=float)
    if not np.all((values >= 0) & (values <= 1)):
        raise ValueError(f"accuracies must be from 0 to 1, got {values.tolist()}")
    alt = (f"Bar chart of {xlabel} per run: " + ", ".join(f"{n} {v:.3f}" for n, v in zip(names, values))
           + (f"; the dashed line is {reference}." if reference else "."))
    fig, ax = new_figure(alt, figsize=(6.4, 0.35 * len(names) + 1.0))
    y = np.arange(len(names))[::-1]
    ax.barh(y, values, color=["C1" if n == reference else "C0" for n in names])
    for yi, v in zip(y, values):
        ax.text(v, yi, f" {v:.3f}", va="center", fontsize=8)
    low = max(0.0, values.min() - 0.05)
    ax.set_xlim(low, min(1.0, values.max() + 0.04))
    ax.set_yticks(y, names, fontsize=8)
    ax.set_xlabel(xlabel)
    if reference is not None:
        ax.axvline(accuracies[reference], color="C1", linestyle="--", linewidth=1)
    if title:
        ax.set_title(title, fontsize=10)
    return fig
