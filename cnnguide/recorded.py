"""Recorded GPU runs: the full training recipes, run by script, read back by the pages.

The site is built on a CPU, so a chapter trains for real but briefly at build
time. The full recipe (10 epochs at the book's image sizes) runs on a GPU through
``scripts/reproduce.py`` or ``cnnguide train``, which write
``docs/recorded/<name>.json`` (a :class:`~cnnguide.train.History` with the
device, torch version, date and exact command in its metadata). Chapters show
that file beside their live run, labelled as recorded; where no run has been
recorded yet they say so instead of showing a number.
"""

from __future__ import annotations

import os
from pathlib import Path

from .train import History

__all__ = ["recording_refusal", "recorded_dir", "recorded_path", "load_recorded", "describe_recorded", "report_recorded"]

# Labels a recorded run must carry before a page may show it.
REQUIRED_METADATA = ("device", "torch", "date", "command")


def recorded_dir() -> Path:
    """Where recorded runs live: ``$CNNGUIDE_RECORDED_DIR``, else ``docs/recorded`` of this checkout.

    Examples
    --------
    >>> recorded_dir().name
    'recorded'
    """
    env = os.environ.get("CNNGUIDE_RECORDED_DIR")
    if env:
        return Path(env)
    # The site is built from a source checkout (editable install): the package
    # sits next to docs/.
    return Path(__file__).resolve().parents[1] / "docs" / "recorded"


def recorded_path(name: str) -> Path:
    """Path of the recorded run called ``name`` (usually a model name)."""
    if not name or "/" in name or name.startswith("."):
        raise ValueError(f"not a recorded-run name: {name!r}")
    return recorded_dir() / f"{name}.json"


def recording_refusal(out, *, smoke: bool, shortened: bool, on_cpu: bool, allow_cpu: bool,
                      also_protected=()) -> str | None:
    """Why a run must not be written into ``out``, or ``None`` if it may.

    ``out`` is protected when it is :func:`recorded_dir` (or one of
    ``also_protected``): the pages show what lies there as a recipe's result,
    so a smoke run, a shortened run, or (without ``allow_cpu``) a CPU run is
    refused there. The scripts that record runs pass the message to their
    parser's ``error``.

    Examples
    --------
    >>> import tempfile
    >>> elsewhere = tempfile.mkdtemp()
    >>> recording_refusal(elsewhere, smoke=True, shortened=False, on_cpu=True, allow_cpu=False) is None
    True
    >>> print(recording_refusal(recorded_dir(), smoke=False, shortened=True, on_cpu=False, allow_cpu=False))
    refusing to write a shortened run into ...: the pages show those files as the recipe's result; use --out elsewhere
    """
    protected = {Path(p).resolve() for p in (recorded_dir(), *also_protected)}
    if Path(out).resolve() not in protected:
        return None
    if smoke or shortened:
        return (f"refusing to write a {'smoke' if smoke else 'shortened'} run into {out}: "
                "the pages show those files as the recipe's result; use --out elsewhere")
    if on_cpu and not allow_cpu:
        return (f"refusing to write a CPU run into {out} (recorded runs are the GPU runs); "
                "pass --allow-cpu to record one anyway, or use --out elsewhere")
    return None


def load_recorded(name: str) -> History | None:
    """The recorded :class:`~cnnguide.train.History` called ``name``, or ``None`` if none exists.

    A file that exists but is unreadable, or lacks the device, torch version,
    date or command, raises ``ValueError``: a page must never show an unlabelled
    number.

    Examples
    --------
    >>> load_recorded("no-such-run") is None
    True
    """
    path = recorded_path(name)
    if not path.is_file():
        return None
    try:
        history = History.load_json(path)
    except (ValueError, KeyError, TypeError) as err:
        raise ValueError(f"recorded run {path} is unreadable: {err}") from err
    missing = [key for key in REQUIRED_METADATA if not history.metadata.get(key)]
    if missing:
        raise ValueError(f"recorded run {path} lacks {', '.join(missing)} in its metadata")
    return history


def describe_recorded(history: History) -> str:
    """One line naming where, when and how a recorded run was made, and how long it took.

    Examples
    --------
    >>> h = History(metadata={"device": "cuda:0 (NVIDIA H200)", "torch": "2.14.1",
    ...                       "date": "2026-11-27T10:00:00+00:00",
    ...                       "command": "python scripts/reproduce.py --only lenet"})
    >>> print(describe_recorded(h))
    recorded on cuda:0 (NVIDIA H200), 2026-11-27, torch 2.14.1: python scripts/reproduce.py --only lenet
    >>> h.metadata.update(device="cpu (AMD EPYC, 2 threads)", cores=2, wall_seconds=3120.4)
    >>> print(describe_recorded(h))
    recorded on cpu (AMD EPYC, 2 threads), a 2-core machine, 2026-11-27, torch 2.14.1, in 52 min: python scripts/reproduce.py --only lenet
    """
    meta = history.metadata
    date = str(meta.get("date", "?"))[:10]
    cores = f", a {meta['cores']}-core machine" if meta.get("cores") else ""
    wall = meta.get("wall_seconds")
    took = "" if wall is None else f", in {wall / 60:.0f} min" if wall >= 600 else f", in {wall:.0f} s"
    return (f"recorded on {meta.get('device', '?')}{cores}, {date}, torch {meta.get('torch', '?')}{took}: "
            f"{meta.get('command', '?')}")


def report_recorded(name: str, recipe: str = "book"):
    """Print what a chapter says about the recorded GPU run of recipe ``name``; return its curves.

    With a recorded run: where, when and how it was made, and its final test
    accuracy beside the book's (quoted from :mod:`cnnguide.recipes`); the
    returned figure shows its curves, labelled as recorded. Without one: a note
    that none is recorded yet and the exact command that records it; returns
    ``None``. ``recipe="baseline"`` reports ``<name>-baseline.json``, the run of
    chapter 16's modern recipe, beside the book's, the benchmark table's and the
    target accuracy.

    Examples
    --------
    >>> import os, tempfile
    >>> with tempfile.TemporaryDirectory() as empty:
    ...     os.environ["CNNGUIDE_RECORDED_DIR"] = empty
    ...     report_recorded("lenet")
    ...     report_recorded("resnet18", recipe="baseline")
    ...     del os.environ["CNNGUIDE_RECORDED_DIR"]
    No GPU run of the full recipe is recorded yet. To record one, on a machine with a GPU:
        python scripts/reproduce.py --only lenet
    No GPU run of the baseline recipe is recorded yet; on a GPU, record it with
        python scripts/reproduce.py --recipe baseline --only resnet18
    """
    # Imported here: the figures and the recipes are only needed by pages, not by
    # the scripts that merely locate or load a run.
    from .figures import plot_history
    from .recipes import BASELINE_TARGET, BENCHMARK_ACCURACY, BOOK_ACCURACY, get_recipe

    if recipe not in ("book", "baseline"):
        raise ValueError(f"recipe must be 'book' or 'baseline', got {recipe!r}")
    book = get_recipe(name)
    baseline = recipe == "baseline"
    run = load_recorded(f"{book.name}-baseline" if baseline else book.name)
    if run is None:
        if baseline:
            print("No GPU run of the baseline recipe is recorded yet; on a GPU, record it with\n"
                  f"    {book.baseline_command()}")
        else:
            print("No GPU run of the full recipe is recorded yet. To record one, on a machine with a GPU:\n"
                  f"    {book.command()}")
        return None
    print(describe_recorded(run))
    acc = run.metadata.get("final_test_acc", run.test_acc[-1]) if baseline else run.test_acc[-1]
    print(f"test accuracy after {run.epochs} epochs: {acc:.3f} (the book prints {BOOK_ACCURACY[book.name]:.3f})")
    if baseline:
        listed = BENCHMARK_ACCURACY.get(book.name)
        if listed:
            print(f"benchmark table: {listed[1]:.3f} ({listed[0]})")
        if book.name in BASELINE_TARGET:
            target = BASELINE_TARGET[book.name]
            print(f"target {target:.3f}: {'met' if acc >= target else 'missed'}")
    label = "baseline recipe" if baseline else "recorded run"
    return plot_history(run, title=f"{book.title}, {label} ({run.metadata['device']})",
                        evaluated_on="validation" if baseline else "test")
