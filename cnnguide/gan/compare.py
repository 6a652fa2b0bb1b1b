"""The remedies for mode collapse compared on the ring: every setting over several seeds, at equal steps.

A :class:`RingSetting` is one way of training the ring's GAN: the vanilla
game, or it with one remedy. :func:`run_ring` trains one setting from one seed
and measures the result as VEEGAN and PacGAN do
(:func:`~cnnguide.gan.coverage.mode_coverage`: modes covered, high-quality
samples, reverse KL); :func:`run_ring_table` does every setting for every
seed, optionally in several worker processes (the networks are tiny, so one
CPU thread each is as fast as two and two processes share two cores), and
:func:`remedies_table` summarises the runs as mean ± standard deviation.

The base game (:data:`COLLAPSING_GAME`) is chosen to collapse fast on a CPU:
a small generator (noise of 16, two hidden layers of 64) against a larger
discriminator (three hidden layers of 128), both with Adam at 1e-3, batches of
64. Every setting keeps it and changes it in one respect (WGAN-GP: the loss
with its critic steps and Adam settings), and every run makes the same
number of *generator* steps; what a step costs differs, and the table says so.

A second game, :data:`HOPPING_GAME`, is the one whose vanilla GAN hops: its
generator gathers its samples on one mode, is pushed off it and settles on
another. :func:`home_modes` lists where a run's samples settled, in turn, and
:func:`hop_count` counts the moves; :func:`turnover` and
:func:`late_turnover` count the modes entered or left between sample steps.
"""

from __future__ import annotations

import math
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace

import torch

from .coverage import ModeCoverage, mode_coverage
from .nets import MLPDiscriminator, MLPGenerator, default_init_
from .recipes import RING_STD
from .toy_data import ring_centers, ring_of_gaussians

__all__ = ["COLLAPSING_GAME", "HOPPING_GAME", "REMEDIES", "RingRun", "RingSetting", "describe_ring_record",
           "home_modes", "hop_count", "late_turnover", "recorded_ring_runs", "remedies_table", "run_ring",
           "run_ring_table", "turnover"]

#: The ring's standard deviation, :data:`cnnguide.gan.recipes.RING_STD`.
STD = RING_STD


@dataclass(frozen=True)
class RingSetting:
    """One way of training the ring's GAN.

    Attributes
    ----------
    name : str
    loss : str
        ``"bce"`` (non-saturating) or ``"wgan-gp"``.
    d_steps : int
        Discriminator (critic) updates per generator update.
    unroll : int
        Look-ahead discriminator updates of the unrolled GAN (0: none).
    unroll_through : bool
        Backpropagate the generator's gradient through the look-ahead updates
        (Metz et al.'s unrolled GAN); otherwise first order. Only
        :func:`~cnnguide.gan.stacked.train_ring_seeds` trains it.
    pack, minibatch_std, spectral_norm
        The discriminator's remedies (:class:`~cnnguide.gan.nets.MLPDiscriminator`).
    gp_weight : float
        WGAN-GP's λ (only with ``loss="wgan-gp"``).
    betas : (float, float)
        Adam's.
    game : dict
        Sizes, learning rates and optimizer; :data:`COLLAPSING_GAME` by default.
    """

    name: str
    loss: str = "bce"
    d_steps: int = 1
    unroll: int = 0
    unroll_through: bool = False
    pack: int = 1
    minibatch_std: bool = False
    spectral_norm: bool = False
    gp_weight: float = 10.0
    betas: tuple[float, float] = (0.5, 0.999)
    game: dict = field(default_factory=lambda: dict(COLLAPSING_GAME))

    def build(self) -> tuple[MLPGenerator, MLPDiscriminator]:
        """The generator and the discriminator of this setting."""
        g = self.game
        generator = MLPGenerator(latent_dim=g["latent_dim"], hidden=g["g_hidden"], layers=g["g_layers"])
        discriminator = MLPDiscriminator(hidden=g["d_hidden"], layers=g["d_layers"], pack=self.pack,
                                         minibatch_std=self.minibatch_std, spectral_norm=self.spectral_norm)
        return generator, discriminator


#: The vanilla game's sizes: it collapses to a few of the 8 modes within a few hundred steps.
#: Both networks use Adam (``"optimizer": "adam"``, Adam's ``betas`` from the setting).
COLLAPSING_GAME = {"latent_dim": 16, "g_hidden": 64, "g_layers": 2, "d_hidden": 128, "d_layers": 3,
                   "batch_size": 64, "lr": 1e-3, "optimizer": "adam", "train_size": 20_000}

#: A game whose vanilla GAN hops: the network sizes of the mixture-of-Gaussians
#: colab of Qin et al.'s ODE-GAN (two hidden ReLU layers of 25 in both
#: networks, noise of 32) trained by plain gradient steps, as that colab's
#: Euler step is, with the discriminator's steps twice the generator's (0.1
#: against 0.05) and batches of 128. Its generator gathers all its samples on
#: one mode, is pushed off it, and settles on another, again and again
#: (``scripts/tune_ring.py --games`` measures the hops against variants).
#: Only :func:`~cnnguide.gan.stacked.train_ring_seeds` trains it.
HOPPING_GAME = {"latent_dim": 32, "g_hidden": 25, "g_layers": 2, "d_hidden": 25, "d_layers": 2,
                "batch_size": 128, "lr": 0.05, "lr_g": 0.05, "lr_d": 0.1, "optimizer": "sgd",
                "train_size": 20_000}

#: The vanilla GAN and the five remedies of the mode-collapse chapter.
REMEDIES = (
    RingSetting("GAN"),
    RingSetting("PacGAN2", pack=2),
    RingSetting("minibatch std", minibatch_std=True),
    RingSetting("unrolled, K=3", unroll=3),
    # The WGAN-GP paper's toy setting: λ = 0.1, Adam's β = (0.5, 0.9); 5 critic steps there, 2 here (cost).
    RingSetting("WGAN-GP, 2 critic steps", loss="wgan-gp", d_steps=2, gp_weight=0.1, betas=(0.5, 0.9)),
    RingSetting("spectral norm", spectral_norm=True),
)


@dataclass(frozen=True)
class RingRun:
    """One trained setting: what it covers at the end, what it cost, and its samples over training.

    Attributes
    ----------
    setting : str
    seed : int
    coverage : ModeCoverage
        Of ``eval_samples`` fresh samples after the last step.
    seconds : float
        Training time (this process, this machine).
    samples : dict
        Step -> the fixed noise batch's samples (CPU), every ``sample_every`` steps.
    """

    setting: str
    seed: int
    coverage: ModeCoverage
    seconds: float
    samples: dict


def run_ring(setting: RingSetting, seed: int, steps: int = 800, *, sample_every: int = 50,
             eval_samples: int = 2500) -> RingRun:
    """Train ``setting`` from ``seed`` for ``steps`` generator steps on the ring; measure it.

    The data (``game["train_size"]`` points) and everything random come from
    ``seed``; the evaluation draws ``eval_samples`` fresh samples from noise
    seeded by ``seed`` too, in evaluation mode.

    Examples
    --------
    >>> run = run_ring(RingSetting("GAN"), seed=0, steps=20, sample_every=10, eval_samples=100)
    >>> run.setting, sorted(run.samples), run.coverage.modes <= 8
    ('GAN', [0, 10, 20], True)
    """
    from .losses import gan_loss
    from .training import fit_gan

    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    g = setting.game
    if g.get("optimizer", "adam") != "adam":
        raise ValueError(f"run_ring trains Adam games only, got optimizer {g['optimizer']!r}; "
                         "use cnnguide.gan.stacked.train_ring_seeds")
    data = ring_of_gaussians(g["train_size"], std=STD, seed=1000 + seed)
    generator, discriminator = setting.build()
    loss = gan_loss(setting.loss, **({"gp_weight": setting.gp_weight} if setting.loss == "wgan-gp" else {}))
    tic = time.perf_counter()
    history = fit_gan(generator, discriminator, data, steps=steps, batch_size=g["batch_size"], lr=g["lr"],
                      betas=setting.betas, loss=loss, d_steps=setting.d_steps, unroll=setting.unroll,
                      init=default_init_, seed=seed, device="cpu", sample_every=sample_every, num_samples=512,
                      log_every=sample_every, progress=False)
    seconds = time.perf_counter() - tic
    z = torch.randn(eval_samples, generator.latent_dim, generator=torch.Generator().manual_seed(10_000 + seed))
    generator.eval()
    with torch.no_grad():
        coverage = mode_coverage(generator(z), ring_centers(), std=STD)
    return RingRun(setting.name, seed, coverage, seconds, dict(history.samples))


def _run_one(job):
    setting, seed, steps, sample_every = job
    torch.set_num_threads(1)  # tiny networks: one thread each, and the workers share the cores
    return run_ring(setting, seed, steps, sample_every=sample_every)


def run_ring_table(settings=REMEDIES, seeds=range(5), steps: int = 800, *, sample_every: int = 50,
                   workers: int = 1) -> list[RingRun]:
    """:func:`run_ring` for every setting and seed, in ``workers`` processes; runs in (setting, seed) order.

    With ``workers > 1`` each process uses one thread: the runs are
    independent, and each one's numbers do not depend on where it ran.
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    jobs = [(s, seed, steps, sample_every) for s in settings for seed in seeds]
    if not jobs:
        raise ValueError("no runs: give at least one setting and one seed")
    if workers == 1:
        return [run_ring(*job[:3], sample_every=sample_every) for job in jobs]
    import multiprocessing

    # "spawn": a fresh interpreter per worker, safe inside a notebook kernel and with torch's threads.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        return list(pool.map(_run_one, jobs))


def _mean_std(values) -> tuple[float, float]:
    values = [v for v in values if math.isfinite(v)]
    if not values:
        return math.nan, math.nan
    t = torch.tensor(values, dtype=torch.float64)
    return t.mean().item(), (t.std().item() if len(values) > 1 else 0.0)


def summarize_runs(runs: list[RingRun]) -> dict:
    """Setting -> ``{"seeds", "modes", "high_quality", "reverse_kl", "seconds"}``, each a (mean, std) pair.

    The reverse KL is undefined for a run with no high-quality sample; such
    runs are left out of its mean, and ``"undefined_kl"`` counts them.

    Examples
    --------
    >>> c = ModeCoverage(modes=2, high_quality=0.5, reverse_kl=1.0, counts=(5, 5, 0, 0, 0, 0, 0, 0))
    >>> s = summarize_runs([RingRun("GAN", 0, c, 2.0, {}), RingRun("GAN", 1, c, 4.0, {})])
    >>> s["GAN"]["modes"], s["GAN"]["seconds"]
    ((2.0, 0.0), (3.0, 1.4142135623730951))
    """
    by_setting: dict[str, list[RingRun]] = {}
    for run in runs:
        by_setting.setdefault(run.setting, []).append(run)
    summary = {}
    for name, group in by_setting.items():
        summary[name] = {
            "seeds": len(group),
            "modes": _mean_std([r.coverage.modes for r in group]),
            "high_quality": _mean_std([r.coverage.high_quality for r in group]),
            "reverse_kl": _mean_std([r.coverage.reverse_kl for r in group]),
            "undefined_kl": sum(not math.isfinite(r.coverage.reverse_kl) for r in group),
            "seconds": _mean_std([r.seconds for r in group]),
        }
    return summary


def remedies_table(runs: list[RingRun], steps: int | None = None):
    """The runs as a :class:`~cnnguide.tables.Table`: per setting, mean ± standard error over its seeds.

    The standard error (standard deviation over the seeds / √seeds) is what
    PacGAN's Table 1 reports after its ±, so the two tables read alike.

    Examples
    --------
    >>> c = ModeCoverage(modes=2, high_quality=0.5, reverse_kl=1.0, counts=(5, 5, 0, 0, 0, 0, 0, 0))
    >>> print(remedies_table([RingRun("GAN", 0, c, 2.0, {}), RingRun("GAN", 1, c, 4.0, {})]))
    ... # doctest: +ELLIPSIS
    setting  seeds  modes (of 8)  high quality  reverse KL  seconds per run
    ...
    GAN          2     2.0 ± 0.0  50.0 ± 0.0 %  1.00 ± 0.00              3.0
    ...
    """
    from ..tables import Table

    rows = []
    for name, s in summarize_runs(runs).items():
        root = math.sqrt(s["seeds"])
        defined = s["seeds"] - s["undefined_kl"]
        kl = ("undefined" if math.isnan(s["reverse_kl"][0])
              else f"{s['reverse_kl'][0]:.2f} ± {s['reverse_kl'][1] / math.sqrt(max(defined, 1)):.2f}")
        if s["undefined_kl"] and not math.isnan(s["reverse_kl"][0]):
            kl += f" ({s['undefined_kl']} undefined)"
        rows.append((name, str(s["seeds"]), f"{s['modes'][0]:.1f} ± {s['modes'][1] / root:.1f}",
                     f"{100 * s['high_quality'][0]:.1f} ± {100 * s['high_quality'][1] / root:.1f} %", kl,
                     f"{s['seconds'][0]:.1f}"))
    notes = ["mean ± standard error over the seeds (as PacGAN's Table 1); high quality: within 3 standard "
             "deviations of a mode; a mode is covered by one high-quality sample or more (cnnguide.gan.coverage)"]
    if steps is not None:
        notes.insert(0, f"{steps:,} generator steps per run")
    return Table(("setting", "seeds", "modes (of 8)", "high quality", "reverse KL", "seconds per run"),
                 tuple(rows), align="lrrrrr", notes=tuple(notes))


def recorded_ring_runs(record: dict) -> dict[int, list[RingRun]]:
    """The runs of a recording by ``scripts/tune_ring.py --json``, by number of steps.

    Each seed becomes a :class:`RingRun` (no samples; ``seconds`` is the
    stacked run's time divided by its seeds), ready for :func:`remedies_table`.

    Examples
    --------
    >>> record = {"rows": [{"setting": "GAN", "steps": 100, "seconds_all_seeds": 4.0, "seeds": [
    ...     {"seed": 0, "modes": 1, "high_quality": 0.9, "reverse_kl": 2.08, "late_turnover": 0},
    ...     {"seed": 1, "modes": 3, "high_quality": 0.0, "reverse_kl": None, "late_turnover": 2}]}]}
    >>> runs = recorded_ring_runs(record)[100]
    >>> [(r.setting, r.coverage.modes, r.seconds) for r in runs]
    [('GAN', 1, 2.0), ('GAN', 3, 2.0)]
    """
    by_steps: dict[int, list[RingRun]] = {}
    for row in record["rows"]:
        seconds = row["seconds_all_seeds"] / len(row["seeds"])
        for seed in row["seeds"]:
            kl = math.nan if seed["reverse_kl"] is None else seed["reverse_kl"]
            coverage = ModeCoverage(modes=seed["modes"], high_quality=seed["high_quality"], reverse_kl=kl,
                                    counts=tuple(seed.get("counts", ())))
            by_steps.setdefault(row["steps"], []).append(RingRun(row["setting"], seed["seed"], coverage, seconds, {}))
    return by_steps


def turnover(run: RingRun) -> list[int]:
    """The modes entered or left between each pair of consecutive sample steps of a ring run.

    See :func:`cnnguide.gan.collapse.mode_turnover`; a mode counts as covered
    as in :func:`~cnnguide.gan.collapse.modes_over_steps` (the ring's std).
    """
    from .collapse import mode_turnover, modes_over_steps

    return mode_turnover(modes_over_steps(run.samples, ring_centers(), STD)[1])


def home_modes(run: RingRun) -> list[tuple[int, int]]:
    """The modes a ring run's fixed samples gathered on, in order, as ``(step, mode)`` at each arrival.

    See :func:`cnnguide.gan.collapse.home_modes` (a mode holding at least
    half of the samples); every entry after the first is a hop.
    """
    from .collapse import home_modes as homes_of, modes_over_steps

    steps, fractions = modes_over_steps(run.samples, ring_centers(), STD)
    return [(steps[j], mode) for j, mode in homes_of(fractions)]


def hop_count(run: RingRun) -> int:
    """How many times the bulk of a ring run's samples moved from one mode and settled on another."""
    return max(len(home_modes(run)) - 1, 0)


def late_turnover(run: RingRun) -> int:
    """The turnover summed over the second half of the run's sample steps: does it still hop at the end?"""
    changes = turnover(run)
    return sum(changes[len(changes) // 2:])


def describe_ring_record(name: str, record: dict) -> str:
    """One line saying where and how a ``scripts/tune_ring.py --json`` recording was made.

    >>> describe_ring_record("ring-4k", {"device": "cpu (AMD EPYC, 1 threads)", "cores": 2,
    ...     "date": "2026-12-07T01:02:03+00:00", "torch": "2.14.1", "wall_seconds": 840.0,
    ...     "command": "python scripts/tune_ring.py --seeds 10"})
    'ring-4k: recorded on cpu (AMD EPYC, 1 threads), a 2-core machine, 2026-12-07, torch 2.14.1, in 14 min: python scripts/tune_ring.py --seeds 10'
    """
    return (f"{name}: recorded on {record['device']}, a {record['cores']}-core machine, {record['date'][:10]}, "
            f"torch {record['torch']}, in {record['wall_seconds'] / 60:.0f} min: {record['command']}")
