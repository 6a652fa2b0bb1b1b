"""Figures of a class-conditional GAN: its samples one class per row, and how often the judge agrees.

:func:`plot_class_grid` draws generated images sorted by the label they were
asked for -- with :func:`~cnnguide.gan.fit_gan`'s fixed batch,
``history.samples[step]`` and ``history.sample_labels``, so that a grid of a
later step differs from an earlier one only by training.
:func:`plot_label_agreement` draws a :class:`~cnnguide.gan.LabelAgreement`
class by class.
"""

from __future__ import annotations

import math

import torch

from ..data import CLASS_NAMES
from ._base import BookFigure, new_figure

__all__ = ["plot_class_grid", "plot_label_agreement"]


def _rows(labels: torch.Tensor, n: int, class_names) -> list[int]:
    if not isinstance(labels, torch.Tensor) or labels.dtype == torch.bool or labels.is_floating_point():
        raise ValueError("labels must be an integer tensor, got "
                         + (str(labels.dtype) if isinstance(labels, torch.Tensor) else type(labels).__name__))
    if tuple(labels.shape) != (n,):
        raise ValueError(f"expected labels of shape ({n},), one per sample, got {tuple(labels.shape)}")
    present = sorted(set(labels.tolist()))
    unnamed = [c for c in present if not 0 <= c < len(class_names)]
    if unnamed:
        raise ValueError(f"labels {unnamed} have no name among the {len(class_names)} class_names")
    return present


def plot_class_grid(samples: torch.Tensor, labels: torch.Tensor, class_names=CLASS_NAMES, per_class: int | None = None,
                    value_range=(-1.0, 1.0), title: str | None = None) -> BookFigure:
    """Generated images one class per row, the row titled with the class's name.

    Row ``c`` shows the first ``per_class`` samples whose label is ``c``, in
    their order in ``samples``; only the classes present in ``labels`` get a
    row. Images are drawn dark on light, as
    :func:`~cnnguide.figures.plot_samples_over_training` draws them.

    Parameters
    ----------
    samples : torch.Tensor
        ``(N, C, H, W)`` images, e.g. ``history.samples[step]``.
    labels : torch.Tensor
        ``(N,)`` integer labels the samples were drawn for, e.g. ``history.sample_labels``.
    class_names : sequence of str
        Names of the classes, by label (Fashion-MNIST's by default).
    per_class : int, optional
        Images per row; by default as many as the rarest class present has.
    value_range : (float, float)
        What the samples' values span (``tanh``: -1 to 1), mapped from light to dark.
    title : str, optional

    Examples
    --------
    :func:`~cnnguide.gan.fit_gan`'s 64 fixed samples: label ``i * 10 // 64`` for sample ``i``.

    >>> labels = torch.arange(64) * 10 // 64
    >>> fig = plot_class_grid(torch.zeros(64, 1, 28, 28), labels)
    >>> len(fig.axes), fig.axes[9].get_ylabel()
    (10, 'ankle boot')
    >>> fig.alt
    'Generated 28x28 images, one row per asked-for class (t-shirt, trouser, pullover, dress, coat, sandal, shirt, sneaker, bag, ankle boot), 6 images each.'
    >>> plot_class_grid(torch.zeros(64, 1, 28, 28), labels, per_class=7)
    Traceback (most recent call last):
    ...
    ValueError: per_class=7, but class 1 (trouser) has only 6 samples
    """
    if not isinstance(samples, torch.Tensor) or samples.dim() != 4:
        raise ValueError("samples must be images (N, C, H, W), got "
                         + (f"shape {tuple(samples.shape)}" if isinstance(samples, torch.Tensor)
                            else type(samples).__name__))
    labels = labels.cpu() if isinstance(labels, torch.Tensor) else labels
    rows = _rows(labels, len(samples), class_names)
    counts = {c: int((labels == c).sum()) for c in rows}
    if per_class is None:
        per_class = min(counts.values())
    elif isinstance(per_class, bool) or not isinstance(per_class, int) or per_class < 1:
        raise ValueError(f"per_class must be a positive integer, got {per_class!r}")
    short = [c for c in rows if counts[c] < per_class]
    if short:
        c = short[0]
        raise ValueError(f"per_class={per_class}, but class {c} ({class_names[c]}) has only {counts[c]} samples")
    from .gan_training import draw_image_row

    low, high = value_range
    h, w = samples.shape[-2:]
    alt = (f"Generated {h}x{w} images, one row per asked-for class ({', '.join(class_names[c] for c in rows)}), "
           f"{per_class} images each.")
    fig, axes = new_figure(alt, len(rows), 1, figsize=(1.0 * per_class + 1.2, 1.05 * len(rows) + (0.3 if title else 0)),
                           squeeze=False)
    samples = samples.detach().cpu()
    for ax, c in zip(axes[:, 0], rows):
        draw_image_row(ax, samples[labels == c][:per_class], (low, high), class_names[c])
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def plot_label_agreement(agreement, class_names=CLASS_NAMES, reference=None, title: str | None = None) -> BookFigure:
    """Label agreement class by class (bars), the overall value (a line) and chance (dotted).

    Parameters
    ----------
    agreement : LabelAgreement
        From :func:`~cnnguide.gan.label_agreement` or :func:`~cnnguide.gan.generator_label_agreement`.
        A class never asked for (``nan``) gets no bar and the note "not asked".
    class_names : sequence of str
    reference : LabelAgreement, optional
        Drawn as black ticks over the bars: typically real test images with
        their true labels, i.e. the judge's accuracy per class -- a reference,
        not a ceiling (a generator drawing only typical garments can score
        above the real images, hard cases included).
    title : str, optional

    Examples
    --------
    >>> from cnnguide.gan import LabelAgreement
    >>> a = LabelAgreement(overall=0.5, per_class=(0.9, 0.1) + (math.nan,) * 8, counts=(10, 10) + (0,) * 8)
    >>> fig = plot_label_agreement(a)
    >>> len(fig.axes[0].patches), fig.alt
    (2, 'Label agreement by asked-for class, overall 0.500 (chance 0.100): highest t-shirt 0.900, lowest trouser 0.100; 8 classes not asked.')
    """
    per_class = [float(v) for v in agreement.per_class]
    if len(per_class) != len(class_names):
        raise ValueError(f"agreement has {len(per_class)} classes, class_names {len(class_names)}")
    if reference is not None and len(reference.per_class) != len(per_class):
        raise ValueError(f"reference has {len(reference.per_class)} classes, agreement {len(per_class)}")
    asked = [c for c, v in enumerate(per_class) if not math.isnan(v)]
    if not asked:
        raise ValueError("agreement has no class that was asked for (every per_class value is nan)")
    chance = 1 / len(per_class)
    best, worst = max(asked, key=lambda c: per_class[c]), min(asked, key=lambda c: per_class[c])
    missing = len(per_class) - len(asked)
    alt = (f"Label agreement by asked-for class, overall {agreement.overall:.3f} (chance {chance:.3f}): "
           f"highest {class_names[best]} {per_class[best]:.3f}, lowest {class_names[worst]} {per_class[worst]:.3f}"
           + (f"; {missing} classes not asked." if missing else "."))
    fig, ax = new_figure(alt, figsize=(7, 3.6))
    ax.bar(asked, [per_class[c] for c in asked], color="tab:blue", width=0.7, label="agreement")
    for c in set(range(len(per_class))) - set(asked):
        ax.text(c, 0.02, "not asked", rotation=90, ha="center", va="bottom", fontsize=8, color="0.4")
    if reference is not None:
        ref = [(c, float(v)) for c, v in enumerate(reference.per_class) if not math.isnan(float(v))]
        ax.scatter([c for c, _ in ref], [v for _, v in ref], marker="_", s=400, color="black", zorder=3,
                   label="ticks: the judge on real images")
    ax.axhline(agreement.overall, color="tab:orange", linewidth=1.5, label=f"overall {agreement.overall:.3f}")
    ax.axhline(chance, color="0.4", linestyle=":", linewidth=1, label=f"chance {chance:.2f}")
    ax.set_xticks(range(len(class_names)), class_names, rotation=45, ha="right", fontsize=8)
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("judged as the asked-for class")
    ax.grid(axis="y", alpha=0.3)
    # Below the axes, not over the bars: the bars fill the plot's height.
    fig.legend(*ax.get_legend_handles_labels(), fontsize="small", loc="outside lower center", ncols=4,
               frameon=False)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig
