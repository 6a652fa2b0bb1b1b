"""``cnnguide train --data`` and ``cnnguide predict`` on folders laid out by hand: trains, learns, submits."""

import json

import numpy as np
import pytest
from PIL import Image

from cnnguide.cli import main
from cnnguide.data.competition import read_submission, score_submission

CLASSES = ("horizontal", "vertical", "ring")


def picture(kind, rng, size):
    """A noisy grey picture of horizontal stripes, vertical stripes or a ring, at a random phase."""
    h, w = size
    yy, xx = np.mgrid[0:h, 0:w] / max(h, w) * 28
    phase = rng.uniform(0, 2 * np.pi)
    if kind == "horizontal":
        image = np.sin(yy * 1.3 + phase)
    elif kind == "vertical":
        image = np.sin(xx * 1.3 + phase)
    else:
        r = np.hypot(yy - 14 + rng.uniform(-3, 3), xx - 14 + rng.uniform(-3, 3))
        image = np.cos(r * 0.9 + phase)
    image = 127 + 90 * image + rng.normal(0, 25, size=(h, w))
    return Image.fromarray(np.clip(image, 0, 255).astype(np.uint8))


def lay_out(root, layout="class folders", per_class=40, test_per_class=10, seed=0):
    """A competition folder as a reader might make it: mixed sizes, .png and .jpg, RGB among the grey."""
    rng = np.random.default_rng(seed)
    answers, rows = {}, []
    (root / "train").mkdir(parents=True)
    (root / "test").mkdir()
    for c, kind in enumerate(CLASSES):
        for i in range(per_class):
            image = picture(kind, rng, (28, 28) if i % 3 else (40, 36))
            if i % 5 == 0:
                image = image.convert("RGB")  # a colour file among grey ones
            name = f"{kind[:1]}{i:03d}.{'jpg' if i % 4 == 0 else 'png'}"
            if layout == "class folders":
                (root / "train" / kind).mkdir(exist_ok=True)
                image.save(root / "train" / kind / name, quality=95)
            else:
                image.save(root / "train" / name, quality=95)
                rows.append(f"{name.rsplit('.', 1)[0]},{kind}")
        for i in range(test_per_class):
            image_id = f"{c * test_per_class + i + 1}"
            picture(kind, rng, (28, 28)).save(root / "test" / f"{image_id}.png")
            answers[image_id] = kind
    if layout == "csv":
        (root / "train.csv").write_text("id,label\n" + "\n".join(rows) + "\n")
    return answers


@pytest.mark.slow
@pytest.mark.parametrize("layout", ["class folders", "csv"])
def test_train_then_predict_a_hand_laid_folder(tmp_path, layout, capsys):
    answers = lay_out(tmp_path / "comp", layout)
    run = tmp_path / "run"
    status = main(["train", "lenet", "-o", "variant=modern", "--data", str(tmp_path / "comp"),
                   "--epochs", "8", "--batch-size", "16", "--lr", "0.05", "--device", "cpu", "--out", str(run)])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "baseline recipe" in out and "108 images (12 held out)" in out
    for name in ("run.json", "metrics.json", "metrics.csv", "metrics-points.csv", "curves.png",
                 "model.safetensors", "best.safetensors", "best.json"):
        assert (run / name).is_file(), name
    recorded = json.loads((run / "run.json").read_text())
    assert recorded["classes"] == sorted(CLASSES) and recorded["channels"] == 3 and recorded["resize"] == 28
    assert recorded["model_options"] == {"variant": "modern"}
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["metadata"]["recipe_settings"]["name"] == "baseline" == metrics["metadata"]["recipe"]

    submission = tmp_path / "submission.csv"
    assert main(["predict", str(run), "--data", str(tmp_path / "comp"), "--out", str(submission),
                 "--device", "cpu"]) == 0
    assert "30 rows" in capsys.readouterr().out
    lines = submission.read_text().splitlines()
    assert lines[0] == "id,label" and len(lines) == 31
    assert [line.split(",")[0] for line in lines[1:]] == [str(i) for i in range(1, 31)]  # numeric order
    assert {line.split(",")[1] for line in lines[1:]} <= set(CLASSES)
    assert score_submission(read_submission(submission), answers) > 0.8  # it learned (chance: 1/3)


def test_book_recipe_on_a_folder_and_prediction_without_tta(tmp_path, capsys):
    lay_out(tmp_path / "comp", per_class=12, test_per_class=2)
    run = tmp_path / "run"
    assert main(["train", "lenet", "-o", "variant=modern", "--data", str(tmp_path / "comp"), "--recipe", "book",
                 "--epochs", "1", "--device", "cpu", "--out", str(run), "--quiet", "--channels", "1"]) == 0
    recorded = json.loads((run / "run.json").read_text())
    assert recorded["recipe"] == "book" and recorded["channels"] == 1 and recorded["lr"] == 0.9
    assert recorded["model_options"] == {"variant": "modern"}  # given with -o
    assert not (run / "best.safetensors").exists()
    assert main(["predict", str(run), "--data", str(tmp_path / "comp" / "test"), "--out",
                 str(tmp_path / "s.csv"), "--quiet"]) == 0
    assert len((tmp_path / "s.csv").read_text().splitlines()) == 7


def test_baseline_trains_lenet_with_todays_layers_unless_told(tmp_path):
    lay_out(tmp_path / "comp", per_class=6, test_per_class=1)
    for extra, variant in (([], "modern"), (["-o", "variant=classic"], "classic")):
        run = tmp_path / variant
        assert main(["train", "lenet", *extra, "--data", str(tmp_path / "comp"), "--epochs", "1", "--batch-size", "4",
                     "--device", "cpu", "--out", str(run), "--quiet"]) == 0
        assert json.loads((run / "run.json").read_text())["model_options"] == {"variant": variant}


def test_bad_folder_is_a_one_line_error_naming_the_file(tmp_path, capsys):
    lay_out(tmp_path / "comp", per_class=3, test_per_class=1)
    (tmp_path / "comp" / "train" / "ring" / "r001.png").write_bytes(b"\x89PNG broken")
    status = main(["train", "lenet", "--data", str(tmp_path / "comp"), "--device", "cpu", "--out",
                   str(tmp_path / "run"), "--quiet"])
    assert status == 1
    err = capsys.readouterr().err
    assert "cnnguide train: error: 1 image(s) cannot be used" in err and "ring/r001.png" in err


@pytest.mark.parametrize("argv, message", [
    (["--resume"], "cannot be resumed"),
    (["--train-size", "10"], "apply to Fashion-MNIST"),
    (["--holdout", "1.5"], "expected a fraction"),
])
def test_usage_errors(tmp_path, capsys, argv, message):
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "lenet", "--data", str(tmp_path), *argv])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_predict_needs_a_run_trained_on_folders(tmp_path, capsys):
    assert main(["predict", str(tmp_path), "--data", str(tmp_path), "--out", str(tmp_path / "s.csv")]) == 1
    assert "holds no run.json: it is not the output folder of a cnnguide training run" in capsys.readouterr().err
