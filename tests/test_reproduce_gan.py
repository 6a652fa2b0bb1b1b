"""scripts/reproduce_gan.py: the plan, its refusals, and smoke runs into tmp_path (never docs/recorded)."""

from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from _commands import load_script
from _commands import script_usage_error as usage_error
from cnnguide import recorded
from cnnguide.gan.history import GANHistory, load_kept_samples

REPO = Path(__file__).resolve().parents[1]
RECORDED = REPO / "docs" / "recorded"


@pytest.fixture(scope="module")
def reproduce():
    return load_script("reproduce_gan")


def recorded_files() -> set:
    return set(RECORDED.glob("gan-*")) if RECORDED.is_dir() else set()


def test_dry_run_prints_the_plan(reproduce, capsys):
    before = recorded_files()
    assert reproduce.main(["--dry-run"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("ring: GAN on the ring of 8 Gaussians: 25,000 steps, batch 512, 100,000 real examples")
    assert out[1].startswith("dcgan: DCGAN on Fashion-MNIST: 25 epochs, batch 128, 60,000 real examples, width 64")
    assert str(RECORDED / "gan-dcgan.json") in out[-1]
    assert recorded_files() == before


def test_unknown_recipe_and_smoke_without_out(reproduce, capsys):
    known = "known: ring, dcgan, cgan, dcgan-cpu, cgan-cpu"
    assert f"unknown recipe(s) ['wgan']; {known}" in usage_error(reproduce, ["--only", "wgan"], capsys)
    assert "--smoke needs --out" in usage_error(reproduce, ["--smoke"], capsys)


def test_refuses_without_cuda_unless_device_cpu(reproduce, capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert "no CUDA device: the full GAN recipes are GPU runs; pass --device cpu" in usage_error(
        reproduce, ["--smoke", "--out", str(tmp_path)], capsys)
    assert "--device cuda: no CUDA device is available" in usage_error(
        reproduce, ["--smoke", "--device", "cuda", "--out", str(tmp_path)], capsys)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("extra, word", [(["--smoke"], "smoke"), (["--steps", "3"], "shortened"), ([], "CPU")])
def test_refuses_cpu_smoke_or_short_runs_into_docs_recorded(reproduce, capsys, extra, word):
    before = recorded_files()
    message = usage_error(reproduce, ["--only", "ring", "--device", "cpu", "--out", str(RECORDED), *extra], capsys)
    assert f"refusing to write a {word}" in message
    assert recorded_files() == before


def test_refuses_the_recorded_dir_named_by_the_environment(reproduce, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("CNNGUIDE_RECORDED_DIR", str(tmp_path))
    assert recorded.recorded_dir() == tmp_path
    assert "refusing to write a smoke run" in usage_error(
        reproduce, ["--smoke", "--device", "cpu", "--out", str(tmp_path)], capsys)
    assert not list(tmp_path.iterdir())


def test_smoke_run_writes_labelled_records(reproduce, capsys, tmp_path):
    before = recorded_files()
    assert reproduce.main(["--smoke", "--device", "cpu", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    table = out[out.rindex("recipe "):]
    assert table.splitlines()[0].split() == ["recipe", "steps", "D", "loss", "G", "loss", "measured", "wall", "time",
                                             "steps/s"]
    for name, steps, measure in (("ring", 4, "mode_coverage"), ("dcgan", 2, "judge"), ("cgan", 2, "label_agreement"),
                                 ("dcgan-cpu", 2, "judge"), ("cgan-cpu", 2, "label_agreement")):
        history = GANHistory.load_json(tmp_path / f"gan-{name}.json")
        meta = history.metadata
        assert history.step == [steps] and meta["smoke"] is True and meta["recipe"] == name
        for key in ("device", "torch", "date", "command", "wall_seconds", "steps_per_sec", measure):
            assert meta[key] not in (None, ""), key
        assert meta["command"] == "python scripts/reproduce_gan.py --smoke --device cpu --out " + str(tmp_path)
        assert meta["device"].startswith("cpu") and recorded.describe_recorded(history).startswith("recorded on cpu")
        samples = load_file(str(tmp_path / meta["samples_file"]))
        assert sorted(samples) == [f"step.{s}" for s in sorted((0, steps))]
        assert samples[f"step.{steps}"].dtype == torch.float16
        kept = load_kept_samples(tmp_path / meta["samples_file"])
        assert sorted(kept) == sorted((0, steps)) and kept[steps].dtype == torch.float32
    assert GANHistory.load_json(tmp_path / "gan-dcgan.json").metadata["judge"]["samples"] == 40
    assert "IS " in table and "/8 modes" in table
    assert recorded_files() == before


def test_kept_samples_are_spread_over_the_run(reproduce):
    kept = reproduce._kept_samples({s: torch.zeros(2, 2) for s in range(0, 25_001, 2_500)})
    assert list(kept) == ["step.0", "step.5000", "step.7500", "step.12500", "step.17500", "step.20000",
                          "step.25000"]
