"""What a GAN training run measured, step by step, and the samples it drew on the way."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field, fields
from pathlib import Path

import torch

from ..train.history import write_with_metadata

__all__ = ["GANHistory", "load_kept_samples", "measures_table"]

_SERIES = ("step", "d_loss", "g_loss", "d_real", "d_fake", "seconds")


@dataclass
class GANHistory:
    """Per-logged-step measurements of a :func:`~cnnguide.gan.fit_gan` run, and its samples.

    Each logged value is the mean over the steps since the previous log (a
    step is one generator update, preceded by ``d_steps`` discriminator
    updates; steps are counted from 1).

    Attributes
    ----------
    step : list of int
        The step at which each entry was logged.
    d_loss, g_loss : list of float
        The discriminator's and the generator's losses (see :mod:`cnnguide.gan.losses`;
        for the BCE losses ``2 log 2`` and ``log 2`` at the equilibrium ``D = 1/2``;
        for WGAN-GP the critic's loss, minus the Wasserstein estimate plus the penalty).
    d_real, d_fake : list of float
        What :meth:`~cnnguide.gan.losses.GANLoss.describe` logs, on the batches
        of the discriminator's own updates (before each update): for the BCE
        losses its mean probability that a real example is real, ``D(x)``, and
        that a fake is, ``D(G(z))``; for WGAN-GP the critic's mean scores,
        unbounded (printed under the same names).
    seconds : list of float
        Wall-clock time since the run started (a resumed run continues the count).
    samples : dict of int to Tensor
        The generator's outputs on the run's fixed noise batch, by step (0 is
        before training), on the CPU. Kept in checkpoints, not in the JSON or CSV.
    metadata : dict
        Facts about the run (networks, device, hyper-parameters, seed...).
    sample_labels : Tensor or None
        A conditional run's labels of the fixed batch (one per sample), kept
        with the history's dict (JSON and checkpoints); ``None`` otherwise.

    Examples
    --------
    >>> h = GANHistory()
    >>> h.append(100, d_loss=1.2, g_loss=0.8, d_real=0.6, d_fake=0.4, seconds=1.5)
    >>> h.append(200, d_loss=1.3, g_loss=0.75, d_real=0.55, d_fake=0.45, seconds=3.0)
    >>> h.final["g_loss"], len(h)
    (0.75, 2)
    >>> print(h)
    200 steps: D loss 1.300, G loss 0.750, D(x) 0.550, D(G(z)) 0.450
    """

    step: list[int] = field(default_factory=list)
    d_loss: list[float] = field(default_factory=list)
    g_loss: list[float] = field(default_factory=list)
    d_real: list[float] = field(default_factory=list)
    d_fake: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    samples: dict[int, torch.Tensor] = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)
    sample_labels: torch.Tensor | None = None

    def __post_init__(self):
        lengths = {name: len(getattr(self, name)) for name in _SERIES}
        if len(set(lengths.values())) > 1:
            raise ValueError(f"all series of a GANHistory must have the same length, got {lengths}")

    def __len__(self) -> int:
        """Number of logged entries."""
        return len(self.step)

    @property
    def last_step(self) -> int:
        """The last logged step (0 if nothing is logged yet)."""
        return self.step[-1] if self.step else 0

    @property
    def final(self) -> dict[str, float]:
        """The last entry's values, by series name."""
        if not self.step:
            raise ValueError("the history is empty")
        return {name: getattr(self, name)[-1] for name in _SERIES}

    def append(self, step: int, *, d_loss, g_loss, d_real, d_fake, seconds) -> None:
        """Record one logged step."""
        if self.step and step <= self.step[-1]:
            raise ValueError(f"steps must increase: got {step} after {self.step[-1]}")
        self.step.append(int(step))
        for name, value in (("d_loss", d_loss), ("g_loss", g_loss), ("d_real", d_real),
                            ("d_fake", d_fake), ("seconds", seconds)):
            getattr(self, name).append(float(value))

    def to_dict(self) -> dict:
        """The series and the metadata as plain Python, plus the steps that have samples."""
        labels = {} if self.sample_labels is None else {"sample_labels": self.sample_labels.tolist()}
        return {**{name: list(getattr(self, name)) for name in _SERIES},
                "sample_steps": sorted(self.samples), "metadata": dict(self.metadata), **labels}

    @classmethod
    def from_dict(cls, data: dict, samples: dict | None = None) -> GANHistory:
        """Inverse of :meth:`to_dict`; ``samples`` come separately (they are tensors).

        Unknown keys raise ``ValueError``, and so does a ``samples`` that does
        not match the recorded ``sample_steps``.
        """
        data = dict(data)
        steps = data.pop("sample_steps", None)
        labels = data.pop("sample_labels", None)
        known = {f.name for f in fields(cls)} - {"samples", "sample_labels"}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown GANHistory fields: {sorted(unknown)}")
        missing = set(_SERIES) - set(data)
        if missing:
            raise ValueError(f"GANHistory data lacks the series {sorted(missing)}")
        samples = dict(samples or {})
        if samples and steps is not None and sorted(samples) != sorted(steps):
            raise ValueError(f"samples at steps {sorted(samples)}, but the history names {sorted(steps)}")
        values = {k: [int(x) for x in v] if k == "step" else [float(x) for x in v]
                  for k, v in data.items() if k in _SERIES}
        return cls(**values, samples=samples, metadata=dict(data.get("metadata", {})),
                   sample_labels=None if labels is None else torch.tensor(labels, dtype=torch.int64))

    def save_json(self, path, **metadata) -> Path:
        """Write the series and metadata as JSON (not the samples).

        The device, torch and Python versions and the date are added (see
        :func:`cnnguide.train.run_metadata`); ``metadata`` adds or overrides keys.
        """
        return write_with_metadata(path, self.to_dict(), {**self.metadata, **metadata})

    @classmethod
    def load_json(cls, path) -> GANHistory:
        """Read a file written by :meth:`save_json` (without samples)."""
        data = json.loads(Path(path).read_text())
        data.pop("sample_steps", None)
        return cls.from_dict(data)

    def save_csv(self, path) -> Path:
        """Write one row per logged step: ``step, d_loss, g_loss, d_real, d_fake, seconds``."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(_SERIES)
            for i in range(len(self)):
                writer.writerow([getattr(self, name)[i] for name in _SERIES])
        return path

    def __str__(self) -> str:
        if not self.step:
            return "0 steps"
        f = self.final
        return (f"{f['step']} steps: D loss {f['d_loss']:.3f}, G loss {f['g_loss']:.3f}, "
                f"D(x) {f['d_real']:.3f}, D(G(z)) {f['d_fake']:.3f}")


def load_kept_samples(path) -> dict[int, torch.Tensor]:
    """The fixed-noise samples a recorded run kept: step -> float32 tensor.

    ``scripts/reproduce_gan.py`` keeps up to seven steps' samples in a
    safetensors file (float16) beside the run's JSON, under keys
    ``step.<N>``; its name is in the JSON's metadata (``samples_file``).

    Examples
    --------
    >>> import tempfile
    >>> from safetensors.torch import save_file
    >>> path = Path(tempfile.mkdtemp()) / "run-samples.safetensors"
    >>> save_file({"step.0": torch.zeros(2, 1, 4, 4).half(), "step.500": torch.ones(2, 1, 4, 4).half()}, str(path))
    >>> kept = load_kept_samples(path)
    >>> sorted(kept), kept[500].dtype
    ([0, 500], torch.float32)
    """
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    try:
        tensors = load_file(str(path))
    except (OSError, SafetensorError) as error:
        raise ValueError(f"cannot read the kept samples {path}: {error}") from None
    wrong = [k for k in tensors if not (k.startswith("step.") and k[5:].isdigit())]
    if wrong:
        raise ValueError(f"{path}: keys must be step.<N>, found {wrong[:3]}")
    return {int(k[5:]): t.float() for k, t in sorted(tensors.items(), key=lambda kv: int(kv[0][5:]))}


#: The generators a recording may measure beside the one it samples from, and their column names.
_ALTERNATIVES = (("raw generator", "raw_generator"), ("average, averaged statistics", "average_with_averaged_statistics"))


def measures_table(history: GANHistory, measure: str = "judge_fid"):
    """The judge's ``measure`` over a recording's training, one row per horizon, one column per generator.

    Reads ``history.metadata["measures_over_training"]`` (written by
    ``scripts/reproduce_gan.py --measure-every``); where the run sampled from a
    moving average, the raw generator and the average with averaged batch norm
    statistics measured beside it get columns of their own.

    Examples
    --------
    >>> h = GANHistory(metadata={"measures_over_training": [
    ...     {"step": 10000, "train_seconds": 600.0, "judge": {"judge_fid": 7.5, "samples": 2000},
    ...      "raw_generator": {"judge": {"judge_fid": 7.2}}}]})
    >>> print(measures_table(h))
     steps  minutes  sampled  raw generator
    ---------------------------------------
    10,000       10     7.50           7.20
    ---------------------------------------
    judge FID on 2,000 samples at each horizon
    """
    from ..tables import Table

    points = history.metadata.get("measures_over_training", [])
    columns = [(what, key) for what, key in _ALTERNATIVES if any(key in p for p in points)]
    header = ("steps", "minutes", "sampled", *(what for what, _ in columns))

    def cell(point) -> str:
        value = (point or {}).get("judge", {}).get(measure)
        return "-" if value is None else f"{value:.2f}"

    rows = [(f"{p['step']:,}", f"{p['train_seconds'] / 60:.0f}", cell(p), *(cell(p.get(key)) for _, key in columns))
            for p in points]
    samples = points[0]["judge"].get("samples") if points else None
    what = measure.replace("_", " ").replace("judge fid", "judge FID").replace("inception score", "Inception Score")
    notes = (f"{what} on {samples:,} samples at each horizon",) if samples else ()
    return Table(header, rows, align="r" * len(header), notes=notes)
