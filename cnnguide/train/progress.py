"""A progress bar for the training loops, shown on interactive terminals only."""

from __future__ import annotations

import os
import sys

__all__ = ["progress_bar", "show_progress"]


def show_progress(progress) -> bool:
    if progress is not None:
        return bool(progress)
    # Interactive terminals only: site builds, notebooks run by a builder and CI
    # logs would fill with carriage-return garbage.
    return sys.stderr.isatty() and not os.environ.get("CI")


def progress_bar(progress, total: int | None):
    """A tqdm bar over the batches, or a disabled one whose methods do nothing."""
    if show_progress(progress):
        from tqdm.auto import tqdm

        return tqdm(total=total, unit="batch", dynamic_ncols=True)
    from tqdm import tqdm

    return tqdm(total=total, disable=True)
