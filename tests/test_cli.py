"""The ``cnnguide`` command, run in-process through ``main(argv)``."""

import json
import subprocess
import sys

import pytest

from cnnguide import models
from _commands import run_ok, usage_error
from cnnguide.cli import FALLBACK_DEFAULTS, defaults_for, main
from cnnguide.recipes import RECIPES
from cnnguide.train import History

SHORT = ["--epochs", "1", "--train-size", "512", "--test-size", "256", "--device", "cpu"]




# --- summary --------------------------------------------------------------------


def test_summary_lenet(capsys):
    out = run_ok(["summary", "lenet"], capsys).out
    lines = out.splitlines()
    assert lines[0] == "lenet, input (1, 1, 28, 28)"
    assert lines[1].split() == ["Layer", "Type", "Output", "shape", "Parameters", "FLOPs"]
    assert "features.0    Conv2d     (1, 6, 28, 28)          156  235,200" in lines
    assert "Parameters: 61,706 (61.7 k), trainable: 61,706" in lines
    assert "833,040 FLOPs" in lines[-1]


def test_summary_options(capsys):
    out = run_ok(["summary", "lenet", "--in-channels", "3", "--num-classes", "5", "-o", "variant=modern"], capsys).out
    assert "input (1, 3, 28, 28)" in out
    assert "BatchNorm2d" in out and "Sigmoid" not in out
    assert "(1, 5)" in out.splitlines()[-4]
    net = models.create("lenet", num_classes=5, in_channels=3, variant="modern")
    assert f"Parameters: {sum(p.numel() for p in net.parameters()):,}" in out


def test_summary_size(capsys):
    out = run_ok(["summary", "resnet18", "--size", "64"], capsys).out
    assert "input (1, 1, 64, 64)" in out and "(1, 10)" in out


def test_defaults_come_from_the_recipes():
    lenet = defaults_for("lenet")
    assert (lenet.lr, lenet.batch_size, lenet.epochs, lenet.resize) == (0.9, 256, 10, 28)
    for name, recipe in RECIPES.items():
        d = defaults_for(name)
        assert (d.lr, d.batch_size, d.epochs, d.resize, d.options) == (
            recipe.lr, recipe.batch_size, recipe.epochs, recipe.resize, recipe.options)
    # Another member of a family borrows its hyper-parameters, not its options.
    vgg16 = defaults_for("vgg16")
    assert vgg16.recipe == "vgg11" and vgg16.lr == RECIPES["vgg11"].lr and vgg16.options == {}
    assert defaults_for("alexnet") == FALLBACK_DEFAULTS
    # Every registered model's family has a recipe.
    assert all(defaults_for(name).recipe for name in models.names())


# --- usage errors ---------------------------------------------------------------


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "lenet", "--epochs", "-3"], "argument --epochs: expected a positive integer, got '-3'"),
        (["train", "lenet", "--epochs", "two"], "argument --epochs"),
        (["train", "lenet", "--lr", "0"], "argument --lr: expected a positive finite number, got '0'"),
        (["train", "lenet", "--lr", "nan"], "argument --lr"),
        (["train", "lenet", "--batch-size", "0"], "argument --batch-size"),
        (["train", "lenet", "--device", "tpu"], "argument --device: invalid choice"),
        (["summary", "lenet", "--size", "0"], "argument --size: expected a positive integer, got '0'"),
        (["summary", "lenet", "-o", "depth=3"], "cannot build lenet: "),
        (["summary", "lenet", "-o", "variant"], "expected KEY=VALUE"),
        (["summary", "lenet", "--size", "32"], "lenet cannot take 32x32 inputs: LeNet expects input of shape"),
        (["train", "lenet", "--resize", "32", *SHORT], "lenet cannot take 32x32 inputs"),
        ([], "the following arguments are required: COMMAND"),
    ],
)
def test_bad_input_is_a_one_line_usage_error(argv, message, capsys):
    assert message in usage_error(argv, capsys)


@pytest.mark.parametrize("command", ["train", "summary"])
def test_unknown_model_lists_the_known_ones(command, capsys):
    last = usage_error([command, "alexnet"], capsys)
    assert "unknown model 'alexnet'; known models: " + ", ".join(models.names()) in last


def test_help(capsys):
    for argv in (["--help"], ["train", "--help"], ["summary", "--help"]):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for flag in ("--epochs", "--lr", "--batch-size", "--resize", "--device", "--out", "--resume",
                 "--seed", "--train-size", "--test-size", "--compile", "--size", "--num-classes"):
        assert flag in out
    assert "lenet" in out and "resnet18" in out


def test_python_dash_m():
    result = subprocess.run([sys.executable, "-m", "cnnguide", "summary", "lenet"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "61,706" in result.stdout


# --- train ----------------------------------------------------------------------


def test_train_writes_the_four_outputs(tmp_path, capsys):
    out = tmp_path / "run"
    argv = ["train", "lenet", *SHORT, "--out", str(out)]
    printed = run_ok(argv, capsys).out
    assert "epoch 1/1: loss" in printed and "test acc" in printed
    for name in ("metrics.json", "metrics.csv", "metrics-points.csv", "curves.png", "checkpoint.json", "run.json"):
        assert (out / name).is_file(), name
    assert (out / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    record = json.loads((out / "metrics.json").read_text())
    meta = record["metadata"]
    assert meta["model"] == "lenet" and meta["lr"] == 0.9 and meta["batch_size"] == 256
    assert meta["epochs"] == 1 and meta["resize"] == 28 and meta["train_size"] == 512
    assert meta["parameters"] == 61_706
    assert meta["command"] == "cnnguide " + " ".join(argv)
    for key in ("device", "torch", "date"):
        assert meta[key]
    assert len(record["test_acc"]) == 1 and 0 <= record["test_acc"][0] <= 1
    csv_lines = (out / "metrics.csv").read_text().splitlines()
    assert csv_lines[0].startswith("epoch,train_loss") and len(csv_lines) == 2
    points = (out / "metrics-points.csv").read_text().splitlines()
    # 5 points an epoch, but 512 images make only 2 batches of 256: a point after each.
    assert points == ["epoch,train_loss,train_acc", *(",".join(map(str, p)) for p in zip(
        record["point_epoch"], record["point_train_loss"], record["point_train_acc"]))]
    assert record["point_epoch"] == [0.5, 1.0] and record["point_train_loss"][-1] == record["train_loss"][0]


def test_resume_continues_the_run(tmp_path, capsys):
    out = tmp_path / "resumed"
    common = ["--train-size", "512", "--test-size", "256", "--device", "cpu", "--quiet", "--lr", "0.5"]
    run_ok(["train", "lenet", "--epochs", "1", *common, "--out", str(out)], capsys)
    first = History.load_json(out / "metrics.json")
    # Resume: --lr and the sizes come back from run.json.
    printed = run_ok(["train", "lenet", "--epochs", "2", "--device", "cpu", "--resume", "--out", str(out)], capsys)
    resumed = History.load_json(out / "metrics.json")
    assert resumed.epochs == 2 and resumed.metadata["lr"] == 0.5 and resumed.metadata["train_size"] == 512
    assert resumed.train_loss[0] == first.train_loss[0]
    assert resumed.metadata["commands"] == [first.metadata["command"], resumed.metadata["command"]]
    assert "--resume" in resumed.metadata["command"]
    # ... and it equals an uninterrupted two-epoch run.
    straight = tmp_path / "straight"
    run_ok(["train", "lenet", "--epochs", "2", *common, "--out", str(straight)], capsys)
    assert History.load_json(straight / "metrics.json").train_loss == pytest.approx(resumed.train_loss)
    assert "resuming lenet on cpu (epochs 2, lr 0.5" in printed.out
    assert "epoch 2/2: loss" in printed.out and "epoch 1/2" not in printed.out


def test_resume_with_other_settings_is_refused(tmp_path, capsys):
    out = tmp_path / "run"
    run_ok(["train", "lenet", *SHORT, "--quiet", "--out", str(out)], capsys)
    last = usage_error(["train", "resnet18", *SHORT, "--resume", "--out", str(out)], capsys)
    assert "holds a run of 'lenet'" in last
    last = usage_error(["train", "lenet", *SHORT, "--resume", "--lr", "0.1", "--out", str(out)], capsys)
    assert "was trained with --lr 0.9, not 0.1" in last
    # Without run.json, the checkpoint's own record of the hyper-parameters is checked by fit.
    (out / "run.json").unlink()
    assert main(["train", "lenet", *SHORT, "--quiet", "--resume", "--lr", "0.1", "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("cnnguide train: error: ") and "was made with" in err[0]
