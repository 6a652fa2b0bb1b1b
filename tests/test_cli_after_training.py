"""After training: ``evaluate``, ``gan sample``, ``gan score``, ``--augment``, and damaged files named in one line."""

import json

import numpy as np
import pytest
from PIL import Image

from cnnguide.cli import main
from cnnguide.data.competition import read_submission, score_submission

from test_cli_baseline import CLASSES, lay_out


@pytest.fixture(scope="module")
def folder_run(tmp_path_factory):
    """A LeNet trained for 3 epochs on a small hand-laid folder, without flips."""
    root = tmp_path_factory.mktemp("comp")
    answers = lay_out(root / "comp", per_class=30, test_per_class=6)
    run = root / "run"
    assert main(["train", "lenet", "--data", str(root / "comp"), "--epochs", "3", "--batch-size", "16",
                 "--lr", "0.05", "--device", "cpu", "--out", str(run), "--quiet", "--augment", "crop"]) == 0
    return root, run, answers


@pytest.fixture(scope="module")
def gan_run(tmp_path_factory):
    """A tiny DCGAN run with a moving average of its generator, and a ring run without one."""
    root = tmp_path_factory.mktemp("gan")
    dcgan, ring = root / "dcgan", root / "ring"
    assert main(["gan", "train", "dcgan", "--width", "4", "--steps", "3", "--train-size", "64", "--batch-size", "16",
                 "--ema", "0.9", "--eval-samples", "20", "--device", "cpu", "--out", str(dcgan), "--quiet"]) == 0
    assert main(["gan", "train", "ring", "--steps", "3", "--train-size", "512", "--batch-size", "64",
                 "--eval-samples", "50", "--device", "cpu", "--out", str(ring), "--quiet"]) == 0
    return dcgan, ring


# --- --augment ---------------------------------------------------------------------------------


def test_augment_is_recorded_and_no_flip_means_no_flipped_predictions(folder_run):
    _, run, _ = folder_run
    recorded = json.loads((run / "run.json").read_text())
    assert recorded["augment"] == "crop" and recorded["tta"] is False and recorded["kind"] == "classifier"
    settings = json.loads((run / "metrics.json").read_text())["metadata"]["recipe_settings"]
    assert settings["flip"] is False and settings["tta"] is False and settings["crop_padding"] > 0


def test_augment_none_leaves_every_training_image_as_it_is(tmp_path, monkeypatch):
    from cnnguide.train import loop

    lay_out(tmp_path / "comp", per_class=6, test_per_class=1)
    seen = []
    original = loop.fit

    def spy(net, train_iter, test_iter, *args, augment=None, **kwargs):
        seen.append(augment)
        return original(net, train_iter, test_iter, *args, augment=augment, **kwargs)

    monkeypatch.setattr(loop, "fit", spy)
    assert main(["train", "lenet", "--data", str(tmp_path / "comp"), "--epochs", "1", "--batch-size", "4",
                 "--device", "cpu", "--out", str(tmp_path / "run"), "--quiet", "--augment", "none"]) == 0
    assert seen == [None]  # no augmentation function at all: the batches reach the network unchanged
    settings = json.loads((tmp_path / "run" / "metrics.json").read_text())["metadata"]["recipe_settings"]
    assert (settings["flip"], settings["crop_padding"], settings["erasing"], settings["tta"]) == (False, 0.0, 0.0, False)


def test_augment_is_for_the_baseline_recipe(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "lenet", "--data", str(tmp_path), "--recipe", "book", "--augment", "flip"])
    assert exit_info.value.code == 2 and "--augment applies to the baseline recipe" in capsys.readouterr().err


def test_the_last_line_says_validation_not_test(tmp_path, capsys):
    lay_out(tmp_path / "comp", per_class=6, test_per_class=1)
    assert main(["train", "lenet", "--data", str(tmp_path / "comp"), "--epochs", "1", "--batch-size", "4",
                 "--device", "cpu", "--out", str(tmp_path / "run")]) == 0
    out = capsys.readouterr().out
    assert "validation acc" in out and "test acc" not in out


# --- evaluate ---------------------------------------------------------------------------------


def test_evaluate_on_the_runs_own_folder_scores_the_held_out_images(folder_run, capsys):
    root, run, _ = folder_run
    assert main(["evaluate", str(run), "--data", str(root / "comp"), "--device", "cpu", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "the 9 images" in out and "held out for validation" in out and "± " in out
    for name in CLASSES:
        assert name in out
    written = json.loads((run / "evaluation" / "evaluation.json").read_text())
    assert sum(c["images"] for c in written["per_class"]) == 9 and written["tta"] is False
    assert 0 <= written["accuracy"] <= 1 and written["standard_error"] >= 0
    assert sum(map(sum, written["confusion_matrix"])) == 9
    assert (run / "evaluation" / "confusion.png").stat().st_size > 1000


def test_evaluate_on_another_labelled_folder_draws_the_confident_mistakes(folder_run, tmp_path, capsys):
    root, run, answers = folder_run
    for image_id, kind in answers.items():  # the test images, laid out as class folders
        (tmp_path / "labelled" / kind).mkdir(parents=True, exist_ok=True)
        Image.open(root / "comp" / "test" / f"{image_id}.png").save(tmp_path / "labelled" / kind / f"{image_id}.png")
    out_dir = tmp_path / "eval"
    assert main(["evaluate", str(run), "--data", str(tmp_path / "labelled"), "--out", str(out_dir), "--quiet",
                 "--device", "cpu"]) == 0
    written = json.loads((out_dir / "evaluation.json").read_text())
    assert sum(c["images"] for c in written["per_class"]) == len(answers)
    wrong = round((1 - written["accuracy"]) * len(answers))
    assert (out_dir / "mistakes.png").is_file() == (wrong > 0)


def test_evaluate_refuses_what_it_cannot_score(folder_run, gan_run, tmp_path, capsys):
    root, run, _ = folder_run
    assert main(["evaluate", str(run)]) == 1
    assert "give the labelled images to score with --data DIR" in capsys.readouterr().err
    assert main(["evaluate", str(gan_run[0]), "--data", str(root / "comp")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is a GAN run (dcgan); score it with cnnguide gan score" in err
    (tmp_path / "other" / "zebra").mkdir(parents=True)
    Image.new("L", (28, 28)).save(tmp_path / "other" / "zebra" / "1.png")
    assert main(["evaluate", str(run), "--data", str(tmp_path / "other")]) == 1
    assert "classes the run never learnt: zebra" in capsys.readouterr().err


# --- gan sample and gan score -------------------------------------------------------------------


def test_gan_sample_draws_a_seeded_grid_from_the_average(gan_run, tmp_path, capsys):
    dcgan, _ = gan_run
    a, b, raw = tmp_path / "a.png", tmp_path / "b.png", tmp_path / "raw.png"
    assert main(["gan", "sample", str(dcgan), "--n", "9", "--seed", "4", "--out", str(a)]) == 0
    assert "moving average of the weights" in capsys.readouterr().out
    assert main(["gan", "sample", str(dcgan), "--n", "9", "--seed", "4", "--out", str(b)]) == 0
    assert main(["gan", "sample", str(dcgan), "--n", "9", "--seed", "4", "--out", str(raw), "--raw"]) == 0
    grid = np.asarray(Image.open(a))
    assert grid.shape[:2] == (3 * 28 + 4 * 2, 3 * 28 + 4 * 2)  # 3 x 3 with 2-pixel frames
    assert np.array_equal(grid, np.asarray(Image.open(b)))  # seeded: the same picture
    assert not np.array_equal(grid, np.asarray(Image.open(raw)))


def test_gan_sample_of_the_ring_is_a_scatter(gan_run, tmp_path):
    _, ring = gan_run
    assert main(["gan", "sample", str(ring), "--n", "100", "--out", str(tmp_path / "ring.png")]) == 0
    assert (tmp_path / "ring.png").stat().st_size > 1000


def test_gan_score_prints_and_writes_the_measures(gan_run, tmp_path, capsys):
    dcgan, ring = gan_run
    assert main(["gan", "score", str(dcgan), "--samples", "20", "--out", str(tmp_path / "s.json")]) == 0
    out = capsys.readouterr().out
    assert "Inception Score" in out and "judge FID" in out
    written = json.loads((tmp_path / "s.json").read_text())
    assert written["weights"] == "average" and written["judge"]["samples"] == 20 and written["step"] == 3
    assert main(["gan", "score", str(ring), "--samples", "50"]) == 0
    assert "mode coverage of 50 samples" in capsys.readouterr().out


def test_gan_commands_refuse_a_classifier_run_in_one_line(folder_run, capsys):
    _, run, _ = folder_run
    for command in ("sample", "score"):
        assert main(["gan", command, str(run)]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "is a classifier run (lenet), not a GAN run" in err


def test_gan_sample_label_needs_a_conditional_run(gan_run, capsys):
    assert main(["gan", "sample", str(gan_run[0]), "--label", "3"]) == 1
    assert "label 3 does not apply: the generator takes no labels" in capsys.readouterr().err


# --- damaged files --------------------------------------------------------------------------------


def cut_short(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def test_a_damaged_model_file_is_named_by_predict_and_evaluate(folder_run, tmp_path, capsys):
    import shutil

    root, run, _ = folder_run
    broken = tmp_path / "broken"
    shutil.copytree(run, broken)
    cut_short(broken / "model.safetensors")
    for argv in (["predict", str(broken), "--data", str(root / "comp"), "--out", str(tmp_path / "s.csv")],
                 ["evaluate", str(broken), "--data", str(root / "comp")]):
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "broken/model.safetensors is damaged or cut short" in err
    (broken / "run.json").write_text('{"model": "lenet", ')
    assert main(["evaluate", str(broken), "--data", str(root / "comp")]) == 1
    assert "run.json is damaged: not readable JSON" in capsys.readouterr().err


def test_a_damaged_gan_checkpoint_is_named_by_sample_and_score(gan_run, tmp_path, capsys):
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(gan_run[0], broken)
    tensors = json.loads((broken / "checkpoint.json").read_text())["tensors"]
    cut_short(broken / tensors)
    for command in ("sample", "score"):
        assert main(["gan", command, str(broken), "--out", str(tmp_path / "x.png")]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and f"{tensors} is damaged or cut short" in err


def test_resume_names_the_damaged_checkpoint_and_offers_the_previous_one(tmp_path, capsys):
    run = tmp_path / "run"
    argv = ["train", "lenet", "--epochs", "2", "--train-size", "256", "--test-size", "64", "--batch-size", "64",
            "--device", "cpu", "--out", str(run), "--quiet"]
    assert main(argv) == 0
    assert (run / "checkpoint.previous.json").is_file() and (run / "epoch-0001.safetensors").is_file()
    cut_short(run / "epoch-0002.safetensors")
    assert main([*argv[:3], "3", *argv[4:], "--resume"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "epoch-0002.safetensors is damaged or cut short" in err
    assert "the previous checkpoint (epoch 1) still reads" in err and "checkpoint.previous.json" in err
    (run / "checkpoint.previous.json").replace(run / "checkpoint.json")
    assert main([*argv[:3], "3", *argv[4:], "--resume"]) == 0  # continues from epoch 1
    metrics = json.loads((run / "metrics.json").read_text())
    assert len(metrics["test_acc"]) == 3


def test_a_prediction_from_a_folder_run_scores_on_its_key(folder_run, tmp_path):
    root, run, answers = folder_run
    submission = tmp_path / "s.csv"
    assert main(["predict", str(run), "--data", str(root / "comp"), "--out", str(submission), "--quiet"]) == 0
    assert score_submission(read_submission(submission), answers) > 0.5  # learnt something (chance: 1/3)


def test_evaluate_a_fashion_mnist_run_on_the_test_set(tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["train", "lenet", "--epochs", "1", "--train-size", "512", "--test-size", "64", "--batch-size", "64",
                 "--device", "cpu", "--out", str(run), "--quiet"]) == 0
    assert main(["evaluate", str(run), "--quiet", "--mistakes", "8"]) == 0
    out = capsys.readouterr().out
    assert "Fashion-MNIST's 10,000 test images" in out and "ankle boot" in out
    written = json.loads((run / "evaluation" / "evaluation.json").read_text())
    assert sum(c["images"] for c in written["per_class"]) == 10_000
    assert set(written["figures"]) == {"confusion.png", "mistakes.png"}


def test_predict_says_when_a_dataset_folder_has_nothing_to_predict(folder_run, tmp_path, capsys):
    import shutil

    root, run, _ = folder_run
    shutil.copytree(root / "comp", tmp_path / "comp")
    shutil.rmtree(tmp_path / "comp" / "test")
    assert main(["predict", str(run), "--data", str(tmp_path / "comp"), "--out", str(tmp_path / "s.csv")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "holds training data" in err and "no images to predict" in err


def test_folder_flags_without_a_folder_are_usage_errors(capsys):
    for argv in (["--augment", "none"], ["--labels", "x.csv"]):
        with pytest.raises(SystemExit) as exit_info:
            main(["train", "lenet", *argv])
        assert exit_info.value.code == 2 and "applies to --data DIR" in capsys.readouterr().err
