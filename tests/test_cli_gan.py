"""``cnnguide gan train`` and ``cnnguide summary`` of the GAN networks, run in-process through main(argv)."""

import json

import pytest
import torch
from safetensors.torch import load_file

from _commands import run_ok, usage_error
from cnnguide.cli import main
from cnnguide.gan.history import GANHistory

RING = ["--steps", "6", "--train-size", "512", "--batch-size", "64", "--device", "cpu"]
DCGAN = ["--train-size", "64", "--batch-size", "16", "--width", "4", "--device", "cpu", "--eval-samples", "40"]




def test_ring_writes_metrics_curves_samples_and_checkpoint(tmp_path, capsys):
    out = tmp_path / "ring"
    argv = ["gan", "train", "ring", *RING, "--out", str(out)]
    printed = run_ok(argv, capsys).out
    assert printed.startswith(f"training ring on cpu (steps 6, train_size 512, batch_size 64, seed 0")
    assert "mode coverage of 2500 samples: " in printed
    for name in ("metrics.json", "metrics.csv", "curves.png", "samples.png", "checkpoint.json", "run.json",
                 "step-0000006.safetensors"):
        assert (out / name).is_file(), name
    assert (out / "samples.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    record = json.loads((out / "metrics.json").read_text())
    meta = record["metadata"]
    assert record["step"] == [6] and record["sample_steps"] == [0, 6]
    assert meta["command"] == "cnnguide " + " ".join(argv) and meta["recipe"] == "ring"
    assert (meta["batch_size"], meta["lr_g"], meta["lr_d"], meta["train_size"]) == (64, 1e-3, 1e-4, 512)
    assert meta["parameters"] == {"generator": 256 * 128 + 128 + 128 * 128 + 128 + 128 * 2 + 2,
                                  "discriminator": 2 * 128 + 128 + 128 * 128 + 128 + 128 + 1}
    coverage = meta["mode_coverage"]
    assert coverage["of"] == 8 and coverage["samples"] == 2500 and 0 <= coverage["modes"] <= 8
    assert len(coverage["counts"]) == 8 and 0 <= coverage["high_quality"] <= 1
    for key in ("device", "torch", "date"):
        assert meta[key]
    assert (out / "metrics.csv").read_text().splitlines()[0] == "step,d_loss,g_loss,d_real,d_fake,seconds"


def test_dcgan_resume_equals_an_uninterrupted_run(tmp_path, capsys):
    cut, straight = tmp_path / "cut", tmp_path / "straight"
    run_ok(["gan", "train", "dcgan", "--steps", "2", *DCGAN, "--quiet", "--out", str(cut)], capsys)
    # Resume: the sizes, width and seed come back from run.json.
    printed = run_ok(["gan", "train", "dcgan", "--steps", "4", "--device", "cpu", "--resume", "--eval-samples", "40",
                      "--out", str(cut)], capsys).out
    assert "the judge on 40 samples: Inception Score " in printed
    assert printed.startswith("resuming dcgan at step 2 on cpu (steps 4, train_size 64, batch_size 16, seed 0, "
                              "width 4")
    run_ok(["gan", "train", "dcgan", "--steps", "4", *DCGAN, "--quiet", "--out", str(straight)], capsys)
    a, b = load_file(str(cut / "step-0000004.safetensors")), load_file(str(straight / "step-0000004.safetensors"))
    nets = [k for k in a if k.startswith(("generator.", "discriminator."))]
    assert len(nets) > 10 and all(torch.equal(a[k], b[k]) for k in nets)
    resumed = GANHistory.load_json(cut / "metrics.json")
    assert resumed.step == [2, 4] and resumed.metadata["width"] == 4
    judged = resumed.metadata["judge"]
    assert judged["samples"] == judged["real_test_images"] == 40 and sum(judged["class_histogram"]) == 40
    assert 1 <= judged["inception_score"] <= 10 and judged["judge_fid"] > 0 and 1 <= judged["classes_covered"] <= 10
    assert len(resumed.metadata["commands"]) == 2 and "--resume" in resumed.metadata["command"]
    # The interrupted run logged its stop (step 2) and then the window 3-4; the straight run one window 1-4
    # (the recipe logs every 50 steps, and always the last): same weights, one more history entry.
    assert GANHistory.load_json(straight / "metrics.json").step == [4]


def test_resume_with_other_settings_is_refused(tmp_path, capsys):
    out = tmp_path / "run"
    run_ok(["gan", "train", "dcgan", "--steps", "1", *DCGAN, "--quiet", "--out", str(out)], capsys)
    assert "holds a run of 'dcgan', not 'ring'" in usage_error(
        ["gan", "train", "ring", *RING, "--resume", "--out", str(out)], capsys)
    assert "was trained with --batch-size 16, not 8" in usage_error(
        ["gan", "train", "dcgan", "--steps", "2", "--batch-size", "8", "--resume", "--out", str(out)], capsys)
    # Without run.json, the checkpoint's own record of the hyper-parameters is checked by fit_gan.
    (out / "run.json").unlink()
    assert main(["gan", "train", "dcgan", "--steps", "2", *DCGAN, "--lr-g", "0.1", "--quiet", "--resume",
                 "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("cnnguide gan train: error: ") and "was made with" in err[0]


@pytest.mark.parametrize("argv, message", [
    (["gan", "train", "wgan"], "unknown GAN model 'wgan'; known: ring, dcgan, cgan"),
    (["gan", "train", "ring", "--steps", "0"], "argument --steps: expected a positive integer, got '0'"),
    (["gan", "train", "ring", "--steps", "2", "--epochs", "1"], "argument --epochs: not allowed with argument --steps"),
    (["gan", "train", "ring", "--width", "8"], "--width applies to dcgan and cgan, not to ring"),
    (["gan", "train", "ring", "--loss", "lsgan"], "argument --loss: invalid choice: 'lsgan'"),
    (["gan", "train", "ring", "--lr-g", "-1"], "argument --lr-g: expected a positive finite number, got '-1'"),
    (["gan", "train", "dcgan", "--device", "tpu"], "argument --device: invalid choice"),
    (["gan", "train", "dcgan", "--eval-samples", "1"], "argument --eval-samples: expected an integer >= 2, got '1'"),
    (["gan"], "the following arguments are required: COMMAND"),
    (["summary", "dcgan_generator", "--size", "32"], "--size does not apply to dcgan_generator"),
    (["summary", "mlp_generator", "--in-channels", "3"], "--in-channels does not apply to mlp_generator"),
    (["summary", "dcgan_discriminator", "--num-classes", "2"], "--num-classes does not apply to dcgan_discriminator"),
    (["summary", "dcgan_generator", "-o", "depth=3"], r"cannot build dcgan_generator: dcgan_generator: unknown"),
])
def test_bad_input_is_a_one_line_usage_error(argv, message, capsys):
    assert message in usage_error(argv, capsys)


def test_summary_of_gan_networks(capsys):
    out = run_ok(["summary", "dcgan_generator", "-o", "width=32"], capsys).out
    lines = out.splitlines()
    assert lines[0] == "dcgan_generator, input (1, 100)"
    assert "ConvTranspose2d" in out and "Per input of 100 values: " in lines[-1]
    out = run_ok(["summary", "dcgan_discriminator", "--in-channels", "3"], capsys).out
    assert out.splitlines()[0] == "dcgan_discriminator, input (1, 3, 28, 28)"
    assert "unknown model 'gan'; known models: " in usage_error(["summary", "gan"], capsys)
    assert "mlp_generator" in usage_error(["summary", "gan"], capsys)


def test_help(capsys):
    for argv in (["gan", "--help"], ["gan", "train", "--help"]):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for flag in ("--steps", "--epochs", "--train-size", "--batch-size", "--width", "--device", "--seed", "--out",
                 "--resume", "--loss", "--d-steps", "--lr-g", "--lr-d", "ring, dcgan, cgan"):
        assert flag in out


def test_cgan_trains_and_records_label_agreement(tmp_path, capsys):
    out = tmp_path / "cgan"
    run_ok(["gan", "train", "cgan", "--steps", "2", "--train-size", "32", "--batch-size", "16", "--width", "4",
            "--eval-samples", "20", "--device", "cpu", "--quiet", "--out", str(out)], capsys)
    metrics = json.loads((out / "metrics.json").read_text())
    agreed = metrics["metadata"]["label_agreement"]
    assert 0 <= agreed["overall"] <= 1 and agreed["counts"] == [2] * 10  # every class asked for equally often
    assert metrics["metadata"]["generator"] == "ConditionalDCGANGenerator"


def test_cgan_refuses_the_discriminator_remedies(capsys):
    for flags in (["--pack", "2"], ["--spectral-norm"], ["--loss", "wgan-gp"]):
        line = usage_error(["gan", "train", "cgan", *flags, "--steps", "1"], capsys)
        assert "not to cgan's projection discriminator" in line


def test_the_parser_names_every_gan_network_without_importing_the_gan_package():
    import subprocess
    import sys

    from cnnguide.cli import GAN_NETWORKS
    from cnnguide.gan import registry

    assert list(GAN_NETWORKS) == registry.names()
    code = ("import sys\nfrom cnnguide.cli import build_parser, main\nbuild_parser()\nmain(['summary', 'lenet'])\n"
            "print(sorted(m for m in sys.modules if m.startswith('cnnguide.gan')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1] == "[]"
