"""The remedies table of chapter 20: runs, their summary, and the benchmark script."""

import math

import pytest

from _commands import load_script
from cnnguide.gan.compare import REMEDIES, RingSetting, remedies_table, run_ring, run_ring_table, summarize_runs


def test_a_run_is_reproducible_from_its_seed_and_measured_on_fresh_samples():
    a, b = (run_ring(RingSetting("GAN"), seed=3, steps=30, sample_every=10, eval_samples=200) for _ in range(2))
    assert a.coverage == b.coverage and sorted(a.samples) == [0, 10, 20, 30]
    assert sum(a.coverage.counts) == round(a.coverage.high_quality * 200)


def test_every_remedy_trains_and_workers_give_the_same_numbers_as_one_process():
    one = run_ring_table(REMEDIES, seeds=[0], steps=8, sample_every=4)
    two = run_ring_table(REMEDIES, seeds=[0], steps=8, sample_every=4, workers=2)
    assert [r.setting for r in one] == [s.name for s in REMEDIES]
    def numbers(runs):  # repr: nan (no high-quality sample yet) equals nan
        return [(r.setting, r.coverage.modes, r.coverage.counts, repr(r.coverage.reverse_kl)) for r in runs]

    assert numbers(one) == numbers(two)
    table = remedies_table(one, steps=8)
    assert len(table.rows) == len(REMEDIES) and "8 generator steps per run" in table.notes[0]


def test_the_summary_is_mean_and_sample_std_and_leaves_undefined_kl_out():
    from cnnguide.gan.coverage import ModeCoverage

    runs = [("GAN", ModeCoverage(2, 0.5, 1.0, (1,) * 8)), ("GAN", ModeCoverage(4, 0.7, math.nan, (0,) * 8)),
            ("GAN", ModeCoverage(6, 0.9, 3.0, (1,) * 8))]
    from cnnguide.gan.compare import RingRun

    s = summarize_runs([RingRun(name, i, c, 1.0, {}) for i, (name, c) in enumerate(runs)])["GAN"]
    assert s["modes"] == (4.0, 2.0) and s["reverse_kl"][0] == 2.0 and s["undefined_kl"] == 1
    assert s["high_quality"][0] == pytest.approx(0.7)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="workers must be a positive integer, got 0"):
        run_ring_table(workers=0)
    with pytest.raises(ValueError, match="steps must be a positive integer, got -1"):
        run_ring(RingSetting("GAN"), 0, steps=-1)


def test_the_table_shows_the_standard_error_as_pacgan_does():
    from cnnguide.gan.compare import RingRun
    from cnnguide.gan.coverage import ModeCoverage

    runs = [RingRun("GAN", i, ModeCoverage(m, 0.5, 1.0, (1,) * 8), 2.0, {}) for i, m in enumerate((2, 4, 6, 8))]
    (row,) = remedies_table(runs).rows
    # modes 2, 4, 6, 8: sd 2.58, standard error 2.58 / sqrt(4) = 1.29
    assert row[2] == "5.0 ± 1.3" and "standard error" in remedies_table(runs).notes[0]


def test_tune_ring_records_every_seed_and_reads_back(tmp_path, capsys):
    import json

    from cnnguide.gan.compare import recorded_ring_runs

    script = load_script("tune_ring")
    out = tmp_path / "ring.json"
    script.main(["--seeds", "2", "--steps", "20", "--sample-every", "10", "--only", "GAN", "spectral norm",
                 "--json", str(out)])
    printed = capsys.readouterr().out
    assert "20 generator steps; mean ± standard error over 2 seeds" in printed and "spectral norm" in printed
    record = json.loads(out.read_text())
    assert {"date", "device", "cores", "torch", "command", "wall_seconds"} <= set(record)
    runs = recorded_ring_runs(record)[20]
    assert [(r.setting, r.seed) for r in runs] == [("GAN", 0), ("GAN", 1), ("spectral norm", 0), ("spectral norm", 1)]
    assert remedies_table(runs, steps=20).rows[1][0] == "spectral norm"
