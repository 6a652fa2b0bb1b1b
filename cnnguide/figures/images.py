"""Pictures of the data itself: a grid of images titled with their classes."""

from __future__ import annotations

import math

import numpy as np
import torch

from ._base import BookFigure, new_figure

__all__ = ["image_grid"]


def image_grid(images, labels=None, ncols: int = 8, names=None, title: str | None = None) -> BookFigure:
    """Grey images in a grid, each titled with the name of its class.

    Parameters
    ----------
    images : tensor or array
        ``(N, H, W)`` or ``(N, 1, H, W)``; ``uint8`` or floats, drawn dark on
        light (``gray_r``) on one shared scale from the smallest to the largest value.
    labels : sequence of int, optional
        Class indices, one per image.
    ncols : int
        Images per row.
    names : sequence of str, optional
        Class names; Fashion-MNIST's by default.
    title : str, optional

    Examples
    --------
    >>> fig = image_grid(torch.zeros(3, 28, 28, dtype=torch.uint8), [0, 9, 9])
    >>> fig.alt
    '3 images, 28x28 pixels, labelled t-shirt, ankle boot, ankle boot.'
    >>> image_grid(torch.zeros(3, 28, 28), [0, 1])
    Traceback (most recent call last):
    ...
    ValueError: need one label per image (3), got 2
    """
    from ..data import CLASS_NAMES

    array = images.detach().cpu().float().numpy() if isinstance(images, torch.Tensor) else np.asarray(images, float)
    if array.ndim == 4 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 3 or len(array) == 0:
        raise ValueError(f"images must have shape (N, H, W) or (N, 1, H, W) with N >= 1, got {array.shape}")
    names = CLASS_NAMES if names is None else tuple(names)
    n, h, w = array.shape
    if labels is not None:
        labels = [int(v) for v in (labels.tolist() if hasattr(labels, "tolist") else labels)]
        if len(labels) != n:
            raise ValueError(f"need one label per image ({n}), got {len(labels)}")
        if any(not 0 <= v < len(names) for v in labels):
            raise ValueError(f"labels must be from 0 to {len(names) - 1}")
    if isinstance(ncols, bool) or not isinstance(ncols, int) or ncols < 1:
        raise ValueError(f"ncols must be a positive int, got {ncols!r}")
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    alt = f"{n} images, {h}x{w} pixels"
    alt += f", labelled {', '.join(names[v] for v in labels)}." if labels is not None else "."
    fig, axes = new_figure(alt, nrows, ncols, figsize=(1.2 * ncols, 1.4 * nrows + (0.3 if title else 0)),
                           squeeze=False)
    low, high = float(array.min()), float(array.max())
    for i, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if i < n:
            ax.imshow(array[i], cmap="gray_r", vmin=low, vmax=high if high > low else low + 1)
            if labels is not None:
                ax.set_title(names[labels[i]], fontsize=8)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig
