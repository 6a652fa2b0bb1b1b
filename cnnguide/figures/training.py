"""Figures of training runs: learning curves, predictions, confusion matrices.

They draw what :func:`cnnguide.train.fit` recorded (a
:class:`~cnnguide.train.History`), what a network predicted, and the counts of
:func:`cnnguide.metrics.confusion_matrix`. :class:`LivePlot` is the callback
that redraws the curves in a notebook while ``fit`` runs.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
import torch

from ..train.callbacks import Callback
from ._base import BookFigure, new_figure

__all__ = ["LivePlot", "confusion_matrix_figure", "plot_history", "prediction_grid"]

_SERIES = ("train_loss", "train_acc", "test_acc")
_POINTS = {"train_loss": "point_train_loss", "train_acc": "point_train_acc"}
_LABELS = {"train_loss": "train loss", "train_acc": "train acc", "test_acc": "test acc"}
_COLOURS = {"train_loss": "tab:blue", "train_acc": "tab:orange", "test_acc": "tab:green"}


def _series(history, source: str) -> dict[str, tuple[list[float], list[float]]]:
    """``name -> (x, y)``: the points within epochs where there are any, else one per epoch."""
    record = history if isinstance(history, Mapping) else history.to_dict()
    missing = [name for name in _SERIES if name not in record]
    if missing:
        raise ValueError(f"{source} lacks the series {missing}")
    values = {name: [float(v) for v in record[name]] for name in _SERIES}
    if len({len(v) for v in values.values()}) != 1 or not values["train_loss"]:
        raise ValueError(f"{source} must have the same, non-zero number of epochs in every series")
    epochs = [float(e) for e in range(1, len(values["train_loss"]) + 1)]
    curves = {name: (epochs, values[name]) for name in _SERIES}
    points = {name: [float(v) for v in record.get(name) or []] for name in ("point_epoch", *_POINTS.values())}
    if points["point_epoch"]:
        if len({len(v) for v in points.values()}) != 1:
            raise ValueError(f"{source}'s point series differ in length: "
                             f"{ {name: len(v) for name, v in points.items()} }")
        for name, point_name in _POINTS.items():
            curves[name] = (points["point_epoch"], points[point_name])
    return curves


def plot_history(history, title: str | None = None, recorded=None,
                 recorded_label: str = "recorded", evaluated_on: str = "test") -> BookFigure:
    """Loss (left) and accuracies (right) of a training run, against epochs.

    Where the history has points within the epochs (:func:`cnnguide.train.fit`
    records 5 per epoch by default), the training loss and accuracy are drawn
    through them, at fractional epochs, so that even a 2-epoch run is a curve;
    the test accuracy is measured once per epoch and drawn at each epoch's end.
    A history without points (saved before they existed) is drawn one point
    per epoch.

    Parameters
    ----------
    history : History or mapping
        Anything with lists ``train_loss``, ``train_acc``, ``test_acc`` (and
        optionally ``point_epoch``, ``point_train_loss``, ``point_train_acc``).
    title : str, optional
    recorded : History or mapping, optional
        Another run (e.g. a recorded GPU run) drawn dashed for comparison.
    recorded_label : str
        How the legend names ``recorded``.
    evaluated_on : str
        What the per-epoch accuracy was measured on (``"validation"`` for a
        run judged on a held-out share of its training set), for the legend
        and the alt text.

    Examples
    --------
    >>> fig = plot_history({"train_loss": [2.3, 0.9], "train_acc": [0.1, 0.65], "test_acc": [0.3, 0.7]})
    >>> fig.alt
    'Training curves over 2 epochs: the training loss goes from 2.300 to 0.900; test accuracy ends at 0.700.'

    With two points per epoch, the training curves have four points:

    >>> fig = plot_history({"train_loss": [1.6, 0.9], "train_acc": [0.4, 0.65], "test_acc": [0.5, 0.7],
    ...                     "point_epoch": [0.5, 1, 1.5, 2], "point_train_loss": [2.0, 1.6, 1.0, 0.9],
    ...                     "point_train_acc": [0.3, 0.4, 0.6, 0.65]})
    >>> fig.axes[0].lines[0].get_xdata().tolist(), fig.axes[1].lines[1].get_xdata().tolist()
    ([0.5, 1.0, 1.5, 2.0], [1.0, 2.0])
    """
    curves = _series(history, "history")
    other = _series(recorded, "recorded") if recorded is not None else None
    n = len(curves["test_acc"][1])
    loss = curves["train_loss"][1]
    within = curves["train_loss"][0] != curves["test_acc"][0]  # drawn through points within the epochs
    alt = (f"Training curves over {n} epoch{'s' if n > 1 else ''}"
           + (f", the training loss and accuracy at {len(loss)} points within the epochs" if within else "")
           + f": the training loss goes from {loss[0]:.3f} to {loss[-1]:.3f}; "
           f"{evaluated_on} accuracy ends at {curves['test_acc'][1][-1]:.3f}")
    if other is not None:
        alt += f" ({recorded_label} run, dashed: {other['test_acc'][1][-1]:.3f})"
    fig, (ax_loss, ax_acc) = new_figure(alt + ".", 1, 2, figsize=(8, 3))
    labels = {**_LABELS, "test_acc": f"{evaluated_on} acc"}
    for ax, names in ((ax_loss, ("train_loss",)), (ax_acc, ("train_acc", "test_acc"))):
        for name in names:
            x, y = curves[name]
            dense = len(x) > n  # a curve through points within the epochs: no marker at each
            ax.plot(x, y, "-" if dense else "o-", color=_COLOURS[name], label=labels[name], markersize=3)
            if other is not None:
                ax.plot(*other[name], "--", color=_COLOURS[name], alpha=0.7,
                        label=f"{labels[name]} ({recorded_label})")
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
        ax.xaxis.get_major_locator().set_params(integer=True)
        if within or (other is not None and other["train_loss"][0] != other["test_acc"][0]):
            ax.set_xlim(left=0)  # the curves start within the first epoch
    ax_loss.set_ylabel("cross-entropy")
    ax_acc.set_ylabel("accuracy")
    if title:
        fig.suptitle(title)
    return fig


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return get_ipython() is not None


class LivePlot(Callback):
    """A :func:`~cnnguide.train.fit` callback: in a notebook, redraw the curves in place after each epoch.

    Each epoch replaces the figure of one output with :func:`plot_history` of
    the run so far, titled with the epoch; a new ``fit`` call starts a new
    output. Outside a notebook (no IPython) it warns when made and draws nothing.

    Parameters
    ----------
    title : str, optional
        Put before "epoch k of n" in the figure's title.

    Examples
    --------
    ::

        from cnnguide import figures, train
        history = train.fit(net, train_iter, test_iter, 10, 0.9, callbacks=[figures.LivePlot()])
    """

    def __init__(self, title: str | None = None):
        self.title = title
        self.handle = None
        self.enabled = _in_notebook()
        if not self.enabled:
            warnings.warn("LivePlot needs a notebook (IPython); it will draw nothing", stacklevel=2)

    def on_train_begin(self, history, *, epoch, num_epochs, net, optimizer):
        self.handle = None

    def on_epoch_end(self, history, *, epoch, num_epochs, net, optimizer):
        if not self.enabled:
            return
        from IPython.display import display

        label = f"epoch {epoch} of {num_epochs}"
        fig = plot_history(history, title=f"{self.title}, {label}" if self.title else label)
        if self.handle is None:
            self.handle = display(fig, display_id=True)
        else:
            self.handle.update(fig)


def _to_numpy_images(images) -> np.ndarray:
    """``(N, H, W)`` grey or ``(N, H, W, 3)`` colour images in [0, 1] for ``imshow`` (``uint8`` is divided by 255)."""
    scale = 255.0 if getattr(images, "dtype", None) in (torch.uint8, np.uint8) else 1.0
    array = images.detach().float().cpu().numpy() if isinstance(images, torch.Tensor) else np.asarray(images, float)
    array = array / scale
    if array.ndim == 4 and array.shape[1] == 1:
        array = array[:, 0]
    elif array.ndim == 4 and array.shape[1] == 3:
        array = array.transpose(0, 2, 3, 1).clip(0, 1)
    if array.ndim not in (3, 4):
        raise ValueError(f"images must have shape (N, H, W), (N, 1, H, W) or (N, 3, H, W), got {array.shape}")
    return array


def prediction_grid(images, true_labels, predicted_labels, ncols: int = 8, names=None,
                    confidences=None, title: str | None = None, what: str = "test images") -> BookFigure:
    """Images titled with the predicted and the true class; wrong ones in red.

    Parameters
    ----------
    images : tensor or array
        ``(N, H, W)`` or ``(N, 1, H, W)`` grey images (drawn dark on light), or
        ``(N, 3, H, W)`` colour ones.
    true_labels, predicted_labels : sequence of int
        Class indices, ``N`` each.
    ncols : int
        Images per row.
    names : sequence of str, optional
        Class names; Fashion-MNIST's by default.
    confidences : sequence of float, optional
        The probability given to each prediction, shown under it.
    title : str, optional
    what : str
        What the images are, for the alt text ("held-out images").

    Examples
    --------
    >>> fig = prediction_grid(torch.zeros(3, 1, 28, 28), [0, 1, 2], [0, 1, 6])
    >>> fig.alt
    '3 test images with their predicted and true classes; 1 of the 3 predictions is wrong (marked in red).'
    """
    from ..data import CLASS_NAMES

    names = CLASS_NAMES if names is None else tuple(names)
    array = _to_numpy_images(images)
    true = [int(v) for v in (true_labels.tolist() if hasattr(true_labels, "tolist") else true_labels)]
    pred = [int(v) for v in (predicted_labels.tolist() if hasattr(predicted_labels, "tolist") else predicted_labels)]
    n = len(array)
    if not (len(true) == len(pred) == n) or n == 0:
        raise ValueError(f"need as many true and predicted labels as images ({n}), "
                         f"got {len(true)} and {len(pred)}")
    if any(not 0 <= v < len(names) for v in true + pred):
        raise ValueError(f"labels must be from 0 to {len(names) - 1}")
    if ncols < 1:
        raise ValueError(f"ncols must be positive, got {ncols}")
    wrong = sum(t != p for t, p in zip(true, pred))
    confidences = None if confidences is None else [float(c) for c in confidences]
    if confidences is not None and len(confidences) != n:
        raise ValueError(f"need one confidence per image ({n}), got {len(confidences)}")
    alt = (f"{n} {what} with their predicted and true classes; {wrong} of the {n} predictions "
           f"{'is' if wrong == 1 else 'are'} wrong (marked in red).")
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig, axes = new_figure(alt, nrows, ncols, figsize=(1.3 * ncols, 1.6 * nrows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    if title:
        fig.suptitle(title, fontsize=9)
    for i, (ax, image, t, p) in enumerate(zip(axes.flat, array, true, pred)):
        ax.imshow(image, cmap="gray_r") if image.ndim == 2 else ax.imshow(image)
        ok = t == p
        label = f"{names[p]}" if ok else f"✗ {names[p]}\n(true: {names[t]})"
        if confidences is not None:
            label += f"\np = {confidences[i]:.2f}"
        ax.set_title(label, fontsize=7, color="black" if ok else "tab:red")
        if not ok:  # a red frame as well as red text, for readers who cannot tell the colours apart
            ax.axis("on")
            ax.set_xticks([]), ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_color("tab:red"), spine.set_linewidth(2)
    return fig


def confusion_matrix_figure(matrix, labels=None) -> BookFigure:
    """A confusion matrix as a heat map: rows true classes, columns predictions.

    Parameters
    ----------
    matrix : tensor or array
        Square counts, as returned by :func:`cnnguide.metrics.confusion_matrix`.
    labels : sequence of str, optional
        Class names; Fashion-MNIST's by default.

    Examples
    --------
    >>> fig = confusion_matrix_figure(torch.tensor([[8, 2], [1, 9]]), ["cat", "dog"])
    >>> fig.alt
    "Confusion matrix of 20 examples, 17 classified correctly; the most frequent mistake is 'cat' taken for 'dog' (2 times)."
    """
    from ..data import CLASS_NAMES

    counts = matrix.detach().cpu().numpy() if isinstance(matrix, torch.Tensor) else np.asarray(matrix)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1] or (counts < 0).any():
        raise ValueError(f"matrix must be a square array of counts, got shape {counts.shape}")
    labels = list(CLASS_NAMES if labels is None else labels)
    k = counts.shape[0]
    if len(labels) != k:
        raise ValueError(f"need {k} labels, got {len(labels)}")
    off = counts.astype(float).copy()
    np.fill_diagonal(off, -1)
    t, p = np.unravel_index(np.argmax(off), off.shape)
    total, right = int(counts.sum()), int(np.trace(counts))
    alt = f"Confusion matrix of {total} examples, {right} classified correctly"
    if k > 1 and counts[t, p] > 0:
        alt += (f"; the most frequent mistake is '{labels[t]}' taken for '{labels[p]}' "
                f"({int(counts[t, p])} times)")
    fig, ax = new_figure(alt + ".", figsize=(1.0 + 0.55 * k, 0.8 + 0.5 * k))
    # Colour by the fraction of each true class, so rare and common classes compare.
    rows = counts.sum(axis=1, keepdims=True)
    share = np.divide(counts, rows, out=np.zeros(counts.shape, dtype=float), where=rows > 0)
    image = ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    for i in range(k):
        for j in range(k):
            ax.text(j, i, int(counts[i, j]), ha="center", va="center", fontsize=7,
                    color="white" if share[i, j] > 0.5 else "black")
    ax.set_xticks(range(k), labels, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(k), labels, fontsize=8)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    fig.colorbar(image, ax=ax, label="fraction of the true class", shrink=0.8)
    return fig
