"""What a training run measured, epoch by epoch, and how it is saved."""

from __future__ import annotations

import csv
import datetime
import json
import os
import platform
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path

import torch

__all__ = ["History", "run_metadata", "write_with_metadata"]

_SERIES = ("train_loss", "train_acc", "test_acc", "examples_per_sec", "epoch_seconds")
_POINTS = ("point_epoch", "point_train_loss", "point_train_acc")


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo`` on Linux), else what :mod:`platform` knows.

    >>> isinstance(cpu_model(), str) and len(cpu_model()) > 0
    True
    """
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def run_metadata(device=None) -> dict:
    """Facts about this run's setting: device name, the machine's cores, torch version, Python, date (UTC).

    Examples
    --------
    >>> sorted(run_metadata("cpu"))
    ['cores', 'date', 'device', 'platform', 'python', 'torch']
    """
    device = torch.device("cpu" if device is None else device)
    if device.type == "cuda":
        name = f"{device} ({torch.cuda.get_device_name(device)})"
    else:
        name = f"{device} ({cpu_model()}, {torch.get_num_threads()} threads)"
    return {
        "device": name,
        "cores": os.cpu_count(),
        "torch": torch.__version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }



def write_with_metadata(path, record: dict, metadata: dict) -> Path:
    """Write ``record`` as JSON with a ``"metadata"`` key: this process's :func:`run_metadata`
    updated by ``metadata``. Used by every history that saves a run (classifiers' and GANs')."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**record, "metadata": {**run_metadata(), **metadata}}, indent=2) + "\n")
    return path

@dataclass
class History:
    """Per-epoch measurements of a :func:`cnnguide.train.fit` run.

    Attributes
    ----------
    train_loss : list of float
        Mean cross-entropy over the epoch's training examples.
    train_acc : list of float
        Fraction of training examples classified correctly during the epoch
        (while the weights were still changing, as in d2l).
    test_acc : list of float
        Accuracy on the test set after the epoch.
    examples_per_sec : list of float
        Training examples divided by the wall-clock time of the training pass,
        data loading included (the evaluation is not included).
    epoch_seconds : list of float
        Wall-clock time of the whole epoch, evaluation included.
    metadata : dict
        Free-form facts about the run (model, device, hyper-parameters...).
    point_epoch, point_train_loss, point_train_acc : list of float
        Points *within* the epochs, for curves that move between epoch ends
        (as d2l's animator draws them): at each point, the training loss and
        accuracy averaged over the batches of the epoch so far, and where the
        point lies, in epochs (``1.4`` = 40 % into the second epoch).
        :func:`~cnnguide.train.fit` records ``points_per_epoch`` of them per
        epoch, the last at the epoch's end; empty in histories saved before
        points existed.

    Examples
    --------
    >>> h = History([0.9, 0.5], [0.6, 0.8], [0.7, 0.82], [1e4, 1.1e4], [6.1, 5.5])
    >>> h.epochs, h.final["test_acc"]
    (2, 0.82)
    >>> print(h)
    2 epochs: loss 0.500, train acc 0.800, test acc 0.820, 11000.0 examples/sec
    >>> h.append_point(0.5, 1.2, 0.45)
    >>> h.points
    [(0.5, 1.2, 0.45)]
    """

    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    test_acc: list[float] = field(default_factory=list)
    examples_per_sec: list[float] = field(default_factory=list)
    epoch_seconds: list[float] = field(default_factory=list)
    metadata: dict = field(default_factory=dict)
    point_epoch: list[float] = field(default_factory=list)
    point_train_loss: list[float] = field(default_factory=list)
    point_train_acc: list[float] = field(default_factory=list)

    def __post_init__(self):
        for kind, series in (("series", _SERIES), ("point series", _POINTS)):
            lengths = {name: len(getattr(self, name)) for name in series}
            if len(set(lengths.values())) > 1:
                raise ValueError(f"all {kind} of a History must have the same length, got {lengths}")

    @property
    def epochs(self) -> int:
        """Number of epochs recorded."""
        return len(self.train_loss)

    @property
    def final(self) -> dict[str, float]:
        """The last epoch's values, by series name."""
        if not self.epochs:
            raise ValueError("the history is empty")
        return {name: getattr(self, name)[-1] for name in _SERIES}

    @property
    def points(self) -> list[tuple[float, float, float]]:
        """The within-epoch points as ``(epoch, train_loss, train_acc)`` tuples."""
        return list(zip(self.point_epoch, self.point_train_loss, self.point_train_acc))

    def append(self, train_loss, train_acc, test_acc, examples_per_sec, epoch_seconds) -> None:
        """Record one epoch."""
        for name, value in zip(_SERIES, (train_loss, train_acc, test_acc, examples_per_sec, epoch_seconds)):
            getattr(self, name).append(float(value))

    def append_point(self, epoch, train_loss, train_acc) -> None:
        """Record one point within an epoch; ``epoch`` is fractional (``1.4``)."""
        for name, value in zip(_POINTS, (epoch, train_loss, train_acc)):
            getattr(self, name).append(float(value))

    def to_dict(self) -> dict:
        """The series (lists of floats), the points and the metadata, as plain Python."""
        return {**{name: list(getattr(self, name)) for name in (*_SERIES, *_POINTS)},
                "metadata": dict(self.metadata)}

    @classmethod
    def from_dict(cls, data: dict) -> History:
        """Inverse of :meth:`to_dict`; unknown keys raise ``ValueError``.

        The point series may be absent (files written before they existed).
        """
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown History fields: {sorted(unknown)}")
        missing = set(_SERIES) - set(data)
        if missing:
            raise ValueError(f"History data lacks the series {sorted(missing)}")
        return cls(**{k: (dict(v) if k == "metadata" else [float(x) for x in v]) for k, v in data.items()})

    def save_json(self, path, **metadata) -> Path:
        """Write the history as JSON, with metadata.

        The device name, torch and Python versions and the date are added
        automatically (:func:`~cnnguide.train.fit` records them in
        ``.metadata`` when the run starts; a history built by hand gets this
        process's CPU and the current date); ``metadata`` adds or overrides
        keys, e.g. ``model="lenet", lr=0.9``.
        """
        return write_with_metadata(path, self.to_dict(), {**self.metadata, **metadata})

    @classmethod
    def load_json(cls, path) -> History:
        """Read a file written by :meth:`save_json`; its metadata is in ``.metadata``."""
        return cls.from_dict(json.loads(Path(path).read_text()))

    def save_csv(self, path) -> Path:
        """Write one row per epoch: ``epoch, train_loss, train_acc, test_acc, ...``.

        The points within epochs have rows of their own, in the file that
        :meth:`save_points_csv` writes.
        """
        return _write_csv(path, ["epoch", *_SERIES],
                          ([i + 1, *(getattr(self, name)[i] for name in _SERIES)] for i in range(self.epochs)))

    def save_points_csv(self, path) -> Path:
        """Write one row per point within the epochs: ``epoch, train_loss, train_acc``.

        ``epoch`` is fractional (``1.4`` = 40 % into the second epoch); the
        losses and accuracies are those of :attr:`point_train_loss` and
        :attr:`point_train_acc`.
        """
        return _write_csv(path, ["epoch", "train_loss", "train_acc"], self.points)

    def summary(self, evaluated_on: str = "test") -> str:
        """One line on the last epoch; ``evaluated_on`` names the data scored after each epoch.

        A run that picks its best epoch on held-out training images says
        ``validation``: that score is not a test score.
        """
        if not self.epochs:
            return "0 epochs"
        f = self.final
        return (f"{self.epochs} epochs: loss {f['train_loss']:.3f}, train acc {f['train_acc']:.3f}, "
                f"{evaluated_on} acc {f['test_acc']:.3f}, {f['examples_per_sec']:.1f} examples/sec")

    def __str__(self) -> str:
        return self.summary()


def _write_csv(path, header, rows) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path
