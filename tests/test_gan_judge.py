"""The GAN judge (cnnguide.gan.judge), its scores (cnnguide.gan.image_metrics) and its training script.

The shipped weights are tested as shipped (accuracy, manifest, checksum); the
training script runs only on a tiny subset, into tmp_path.
"""

import hashlib
import importlib.util
import json
from pathlib import Path

import pytest
import torch

from cnnguide import data
from cnnguide.gan import judge as judge_module
from cnnguide.gan import (
    JudgeNet, class_histogram, class_probabilities, classes_covered, from_tanh, improved_precision_recall,
    inception_score, judge_accuracy, judge_features, judge_fid, judge_manifest,
    judge_precision_recall, judge_reference, load_judge, per_class_scores,
)  # fmt: skip
from cnnguide.gan.judge import judge

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "cnnguide" / "gan"


@pytest.fixture(scope="module")
def test_images():
    images, labels = data.read_fashion_mnist("test")
    return images[:, None] / 255, labels


@pytest.fixture(scope="module")
def train_judge_script():
    spec = importlib.util.spec_from_file_location("train_judge", REPO / "scripts" / "train_judge.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the shipped judge -------------------------------------------------------------------


@pytest.mark.slow
def test_shipped_judge_reaches_90_percent_on_the_10000_test_images():
    accuracy = judge_accuracy("test")
    assert accuracy >= 0.90
    # The manifest records what the training script measured on the same images.
    assert accuracy == pytest.approx(judge_manifest()["test_accuracy"], abs=2e-4)


def test_manifest_describes_the_shipped_weights():
    weights = SHIPPED / judge_module.WEIGHTS_FILE
    manifest = json.loads((SHIPPED / judge_module.MANIFEST_FILE).read_text())
    assert manifest == judge_manifest()
    assert manifest["sha256"] == hashlib.sha256(weights.read_bytes()).hexdigest()
    assert weights.stat().st_size < 1_000_000
    assert manifest["train_images"] == 60_000 and manifest["test_images"] == 10_000
    assert manifest["command"].endswith("python scripts/train_judge.py")
    assert manifest["seconds"] > 0 and manifest["torch"] and manifest["date"]
    assert manifest["parameters"] == sum(p.numel() for p in JudgeNet().parameters())


def test_judge_is_shared_frozen_and_in_eval_mode():
    net = judge()
    assert net is judge("cpu") and isinstance(net, JudgeNet)
    assert not net.training and not any(p.requires_grad for p in net.parameters())
    fresh = load_judge()
    assert fresh is not net
    x = torch.rand(5, 1, 28, 28)
    torch.testing.assert_close(fresh(x), net(x))


# --- input ---------------------------------------------------------------------------------


def test_from_tanh_maps_minus_one_one_onto_zero_one():
    x = torch.linspace(-1, 1, 2 * 28 * 28).reshape(2, 1, 28, 28)
    y = from_tanh(x)
    torch.testing.assert_close(y, (x + 1) / 2)
    assert y.min() == 0 and y.max() == 1
    assert from_tanh(torch.tanh(torch.randn(3, 1, 28, 28) * 10)).shape == (3, 1, 28, 28)


@pytest.mark.parametrize("images, match", [
    (torch.zeros(2, 28, 28), r"shape \(N, 1, 28, 28\), got \(2, 28, 28\)"),
    (torch.zeros(2, 3, 28, 28), r"got \(2, 3, 28, 28\)"),
    (torch.zeros(0, 1, 28, 28), r"holds no images"),
    (torch.zeros(2, 1, 28, 28, dtype=torch.int64), r"floating point, got torch.int64"),
    (torch.full((2, 1, 28, 28), float("nan")), r"1568 non-finite values"),
    (torch.full((2, 1, 28, 28), 1.01), r"lie in \[-1, 1\], got values from 1.01 to 1.01"),
    ([[0.0]], r"must be a torch.Tensor, got list"),
])  # fmt: skip
def test_from_tanh_refuses_bad_input(images, match):
    with pytest.raises(ValueError, match=match):
        from_tanh(images)


@pytest.mark.parametrize("images, match", [
    (torch.zeros(2, 1, 32, 32), r"must have shape \(N, 1, 28, 28\), got \(2, 1, 32, 32\)"),
    (torch.zeros(2, 1, 28, 28, dtype=torch.uint8), r"got torch.uint8; divide uint8 images by 255"),
    (torch.full((1, 1, 28, 28), float("inf")), r"784 non-finite values"),
    (torch.full((1, 1, 28, 28), -1.0), r"\[0, 1\], got values from -1 to -1; .* needs from_tanh\(\) first"),
    (torch.full((1, 1, 28, 28), 255.0), r"\[0, 1\], got values from 255 to 255$"),
])  # fmt: skip
def test_scores_refuse_what_is_not_an_image_in_zero_one(images, match):
    for score in (class_histogram, judge_features, lambda x: judge_fid(x, x)):
        with pytest.raises(ValueError, match=match):
            score(images)


# --- predictions ---------------------------------------------------------------------------


def test_class_histogram_counts_the_argmax_and_sums_to_n(test_images):
    images, labels = test_images
    x = images[:500]
    counts = class_histogram(x)
    assert counts.shape == (10,) and counts.dtype == torch.int64 and counts.sum() == 500
    assert torch.equal(counts, torch.bincount(class_probabilities(x).argmax(dim=1), minlength=10))
    # Real test images are nearly balanced: the judge's histogram is close to the labels'.
    assert (counts - torch.bincount(labels[:500], minlength=10)).abs().max() <= 15


def test_classes_covered_applies_the_min_fraction_rule(test_images):
    images, labels = test_images
    assert classes_covered(images[:1000]) == 10
    trousers = images[labels == 1][:95]
    bags = images[labels == 8][:5]
    mixed = torch.cat([trousers, bags])
    predicted = class_histogram(mixed)
    assert predicted[1] >= 90 and predicted[8] >= 3
    assert classes_covered(mixed, min_fraction=0.01) == int((predicted >= 1).sum())
    assert classes_covered(mixed, min_fraction=0.2) == 1
    with pytest.raises(ValueError, match=r"min_fraction must be a number in \(0, 1\], got 1.5"):
        classes_covered(mixed, min_fraction=1.5)


def test_judge_features_are_the_penultimate_layer(test_images):
    x = test_images[0][:8]
    features = judge_features(x)
    assert features.shape == (8, 128)
    torch.testing.assert_close(judge().classifier(features).softmax(dim=1), class_probabilities(x))


# --- Inception Score ----------------------------------------------------------------------


@pytest.mark.slow
def test_inception_score_is_high_for_real_images_and_one_for_a_single_image(test_images):
    images, _ = test_images
    real = inception_score(images[:2000])
    assert 8 < real.mean <= 10 and 0 <= real.std < 0.5
    one = inception_score(images[:1].repeat(100, 1, 1, 1))
    assert one.mean == pytest.approx(1.0, abs=1e-5)


def test_inception_score_matches_its_definition(test_images):
    x = test_images[0][:300]
    p = class_probabilities(x).double()
    direct = (p * (p.log() - p.mean(dim=0).log())).sum(dim=1).mean().exp()
    assert inception_score(x, splits=1).mean == pytest.approx(float(direct), rel=1e-4)
    # The split shuffle is seeded: same seed, same score.
    assert inception_score(x, seed=3) == inception_score(x, seed=3)


def test_inception_score_refuses_too_few_images_per_split():
    with pytest.raises(ValueError, match=r"at least 2 images per split: 10 images for splits=10"):
        inception_score(torch.rand(10, 1, 28, 28))
    with pytest.raises(ValueError, match=r"splits must be an integer >= 1, got 0"):
        inception_score(torch.rand(10, 1, 28, 28), splits=0)


# --- Fréchet distance ---------------------------------------------------------------------


def frechet_from_features(fa: torch.Tensor, fb: torch.Tensor) -> float:
    """Independent reference: the closed form with a symmetric square root (eigh), float64."""
    fa, fb = fa.double(), fb.double()
    mu_a, mu_b = fa.mean(0), fb.mean(0)
    cov_a, cov_b = torch.cov(fa.T), torch.cov(fb.T)
    w, v = torch.linalg.eigh(cov_a)
    root_a = v @ torch.diag(w.clamp(min=0).sqrt()) @ v.T
    middle = torch.linalg.eigvalsh(root_a @ cov_b @ root_a).clamp(min=0).sqrt().sum()
    return float((mu_a - mu_b).square().sum() + cov_a.trace() + cov_b.trace() - 2 * middle)


def test_judge_fid_is_zero_for_identical_sets(test_images):
    x = test_images[0][:500]
    assert abs(judge_fid(x, x)) < 1e-3


@pytest.mark.slow
def test_judge_fid_equals_the_closed_form_on_the_judges_float_features(test_images):
    # torchmetrics must hand the judge the [0, 1] floats unchanged (no uint8 rounding).
    images, _ = test_images
    a, b = images[:400], images[400:800]
    expected = frechet_from_features(judge_features(a), judge_features(b))
    assert judge_fid(a, b) == pytest.approx(expected, rel=1e-3)
    assert judge_fid(a, b) == pytest.approx(judge_fid(b, a), rel=1e-3)


def test_judge_fid_refuses_sets_of_one_image():
    with pytest.raises(ValueError, match=r"at least 2 images in each set, b has 1"):
        judge_fid(torch.rand(5, 1, 28, 28), torch.rand(1, 1, 28, 28))


@pytest.mark.slow
def test_reference_real_vs_real_is_far_below_real_vs_noise():
    ref = judge_reference(n=1000)
    assert ref.n == 1000 and ref.seed == 0
    assert 0 < ref.real_vs_real < ref.real_vs_noise / 20
    assert ref.inception_real.mean > 8
    assert min(ref.precision_recall_real) > 0.5
    assert judge_reference(n=1000) is ref  # cached
    with pytest.raises(ValueError, match=r"n must be an integer >= 20, got 5"):
        judge_reference(n=5)


# --- precision and recall -----------------------------------------------------------------


def test_precision_recall_on_known_point_sets():
    real = torch.arange(10.0)[:, None]
    assert improved_precision_recall(real, real, k=1) == (1.0, 1.0)
    assert improved_precision_recall(real, real + 100, k=1) == (0.0, 0.0)
    # A fake cluster on the first three real points: all realistic, little coverage.
    # Fake radii (k=1) are 0.1, so only real points 0, 1, 2 are covered.
    fake = torch.tensor([[0.0], [0.1], [1.0], [1.1], [2.0], [2.1]])
    assert improved_precision_recall(real, fake, k=1) == (1.0, pytest.approx(0.3))
    with pytest.raises(ValueError, match=r"same width and device, got \(10, 1\) on cpu and \(10, 2\)"):
        improved_precision_recall(real, torch.zeros(10, 2))
    with pytest.raises(ValueError, match=r"shape \(N, D\), got torch.float32 \(10,\)"):
        improved_precision_recall(real[:, 0], real)


def test_judge_precision_recall_identical_and_disjoint_sets(test_images):
    x = test_images[0][:300]
    assert judge_precision_recall(x, x) == (1.0, 1.0)
    noise = torch.rand(300, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    precision, recall = judge_precision_recall(x, noise)
    assert precision < 0.05 and recall < 0.05


# --- per class ----------------------------------------------------------------------------


def test_per_class_scores_count_confidence_and_fid(test_images):
    images, labels = test_images
    x = torch.cat([images[labels == 7][:60], images[labels == 3][:10]])  # sneakers, a few dresses
    rows = per_class_scores(x, min_count=50)
    assert [r.name for r in rows] == list(data.CLASS_NAMES)
    assert sum(r.count for r in rows) == 70
    assert rows[7].count >= 55 and rows[7].fid is not None and rows[7].fid > 0
    assert all(r.fid is None for r in rows if r.count < 50)
    assert all(0.1 <= r.mean_confidence <= 1 for r in rows if r.count)
    assert all(r.mean_confidence != r.mean_confidence for r in rows if r.count == 0)  # NaN
    assert rows[7].fraction == pytest.approx(rows[7].count / 70)


# --- the training script ------------------------------------------------------------------


def test_train_script_writes_loadable_weights_and_a_manifest(train_judge_script, tmp_path):
    options = dict(epochs=1, train_size=256, test_size=128, batch_size=64, log=lambda line: None)
    manifest = train_judge_script.train_judge(tmp_path / "a", command="test", **options)
    weights = tmp_path / "a" / judge_module.WEIGHTS_FILE
    assert json.loads((tmp_path / "a" / judge_module.MANIFEST_FILE).read_text()) == manifest
    assert manifest["sha256"] == hashlib.sha256(weights.read_bytes()).hexdigest()
    assert manifest["train_images"] == 256 and manifest["test_images"] == 128
    assert 0 <= manifest["test_accuracy"] <= 1 and manifest["command"] == "test"
    net = load_judge(weights)
    assert isinstance(net, JudgeNet) and not net.training
    # Seeded: a second run gives the same weights, bit for bit.
    again = train_judge_script.train_judge(tmp_path / "b", command="test", **options)
    assert again["sha256"] == manifest["sha256"]


def test_train_script_refuses_a_partial_run_over_the_shipped_weights(train_judge_script, capsys):
    with pytest.raises(SystemExit) as exit_info:
        train_judge_script.main(["--train-size", "100"])
    assert exit_info.value.code == 2
    assert "would overwrite the shipped weights" in capsys.readouterr().err
