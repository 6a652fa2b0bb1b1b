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
                    title: str | None = None, xlabel: str = "test accuracy",
                    n: int | None = None) -> BookFigure:
    """One dot per training run, with ±2 standard errors, and the reference run's accuracy as a dashed line.

    Dots, not bars: the axis is zoomed on the runs' range, where a bar's
    length would mean nothing. With ``n`` (the images each accuracy was
    measured on), each dot gets the sampling error of its accuracy,
    ``±2·sqrt(a(1 - a)/n)``: runs whose intervals overlap the reference's
    are not told apart by this measurement.

    Parameters
    ----------
    accuracies : mapping of str to float
        Each run's accuracy (0 to 1), in the order to draw them (top first).
    reference : str, optional
        The run drawn as a vertical line across the others (e.g. the full recipe).
    n : int, optional
        Test images per accuracy, for the error bars.

    Examples
    --------
    >>> fig = ablation_figure({"book": 0.80, "baseline": 0.86, "no flip": 0.84}, reference="baseline", n=2000)
    >>> fig.alt
    'Test accuracy per run, ±2 standard errors (2,000 images): book 0.800 ± 0.018, baseline 0.860 ± 0.016, no flip 0.840 ± 0.016; the dashed line is baseline.'
    """
    if not accuracies:
        raise ValueError("ablation_figure needs at least one run")
    if reference is not None and reference not in accuracies:
        raise ValueError(f"reference {reference!r} is not one of the runs: {', '.join(accuracies)}")
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
        raise ValueError(f"n must be a positive integer, got {n!r}")
    names, values = list(accuracies), np.asarray(list(accuracies.values()), dtype=float)
    if not np.all((values >= 0) & (values <= 1)):
        raise ValueError(f"accuracies must be from 0 to 1, got {values.tolist()}")
    errors = 2 * np.sqrt(values * (1 - values) / n) if n else np.zeros_like(values)
    what = xlabel[0].upper() + xlabel[1:]
    if n:
        alt = (f"{what} per run, ±2 standard errors ({n:,} images): "
               + ", ".join(f"{name} {v:.3f} ± {e:.3f}" for name, v, e in zip(names, values, errors)))
    else:
        alt = f"{what} per run: " + ", ".join(f"{name} {v:.3f}" for name, v in zip(names, values))
    alt += f"; the dashed line is {reference}." if reference else "."
    fig, ax = new_figure(alt, figsize=(6.4, 0.35 * len(names) + 1.0))
    y = np.arange(len(names))[::-1]
    for yi, name, v, e in zip(y, names, values, errors):
        colour = "C1" if name == reference else "C0"
        ax.errorbar(v, yi, xerr=e if n else None, fmt="o", color=colour, capsize=3)
        ax.text(v, yi + 0.18, f"{v:.3f}", ha="center", fontsize=8)
    low, high = (values - errors).min(), (values + errors).max()
    pad = max(0.01, 0.1 * (high - low))
    ax.set_xlim(max(0.0, low - pad), min(1.0, high + pad))
    ax.set_ylim(-0.6, len(names) - 0.4)
    ax.set_yticks(y, names, fontsize=8)
    ax.set_xlabel(xlabel + (" (±2 standard errors)" if n else ""))
    ax.grid(axis="x", alpha=0.3)
    if reference is not None:
        ax.axvline(accuracies[reference], color="C1", linestyle="--", linewidth=1)
    if title:
        ax.set_title(title, fontsize=10)
    return fig
