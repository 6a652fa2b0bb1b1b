"""Test-time augmentation, the submission file and its score, and writing a competition folder."""

import csv

import pytest
import torch
from torch import nn

from cnnguide.data.competition import (predict_images, read_submission, score_submission, tta_accuracy,
                                  tta_probabilities, write_competition, write_submission)
from cnnguide.data.folders import read_folders


class LeftHalf(nn.Module):
    """Class 0's score is the mean of the left half, class 1's of the right half: a flip swaps them."""

    def forward(self, X):
        w = X.shape[-1] // 2
        return torch.stack([X[..., :w].mean((1, 2, 3)), X[..., w:].mean((1, 2, 3))], dim=1) * 10


def test_flip_tta_averages_the_two_views_probabilities():
    X = torch.zeros(3, 1, 2, 4)
    X[0, ..., :2] = 1  # bright on the left
    X[1, ..., 2:] = 1  # bright on the right
    net = LeftHalf()
    plain = tta_probabilities(net, X, flip=False)
    mirror = net(X.flip(-1)).softmax(1)
    torch.testing.assert_close(tta_probabilities(net, X), (plain + mirror) / 2)
    # This network disagrees with itself under a flip: the average is exactly a tie.
    torch.testing.assert_close(tta_probabilities(net, X), torch.full((3, 2), 0.5))
    assert plain[0].argmax() == 0 and plain[1].argmax() == 1


def test_predict_images_scales_like_training_batches_and_batches_consistently():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.Linear(12, 4))
    images = torch.randint(0, 256, (7, 1, 3, 4), dtype=torch.uint8)
    expected = tta_probabilities(net, images.float() / 255)
    for batch_size in (1, 3, 100):
        got = predict_images(net, images, batch_size=batch_size, progress=False)
        torch.testing.assert_close(got, expected)
    with pytest.raises(ValueError, match="uint8 of shape"):
        predict_images(net, images.float())


class Lopsided(nn.Module):
    """Logits (left mean, 3 x right mean): an image bright on the left is class 0 by a small margin,
    its mirror image class 1 by a large one."""

    def forward(self, X):
        w = X.shape[-1] // 2
        return torch.stack([X[..., :w].mean((1, 2, 3)), 3 * X[..., w:].mean((1, 2, 3))], dim=1)


def test_tta_accuracy_counts_the_averaged_predictions():
    net = Lopsided()
    X = torch.zeros(2, 1, 2, 4)
    X[0, ..., :2] = 1  # logits (1, 0); mirrored (0, 3)
    X[1, ..., :2], X[1, ..., 2:] = 1, 0.1  # logits (1, 0.3); mirrored (0.1, 3)
    y = torch.tensor([0, 1])
    averaged = (net(X).softmax(1) + net(X.flip(-1)).softmax(1)) / 2
    assert averaged.argmax(1).tolist() == [1, 1]  # the mirror views' confidence wins
    assert tta_accuracy(net, [(X, y)], flip=False) == 0.5
    assert tta_accuracy(net, [(X, y)], flip=True) == 0.5
    assert tta_accuracy(net, [(X, torch.tensor([1, 1]))], flip=True) == 1.0
    assert tta_accuracy(net, [(X, torch.tensor([1, 1]))], flip=False) == 0.0


def test_submission_format_round_trip_and_score(tmp_path):
    path = write_submission(tmp_path / "out" / "submission.csv", ["10", "2", "x y"], ["ankle boot", "bag", "9"])
    lines = path.read_text().splitlines()
    assert lines == ["id,label", "10,ankle boot", "2,bag", "x y,9"]
    with path.open(newline="") as handle:
        assert list(csv.reader(handle))[0] == ["id", "label"]
    assert read_submission(path) == {"10": "ankle boot", "2": "bag", "x y": "9"}
    key = write_submission(tmp_path / "key.csv", ["2", "10", "x y"], ["bag", "bag", "9"])
    assert score_submission(path, key) == pytest.approx(2 / 3)


def test_submission_problems():
    with pytest.raises(ValueError, match="2 ids but 1 labels"):
        write_submission("never.csv", ["a", "b"], ["x"])
    with pytest.raises(ValueError, match="not unique"):
        write_submission("never.csv", ["a", "a"], ["x", "y"])
    with pytest.raises(ValueError, match="has 1 id.* not in the answer key, e.g. 'z'"):
        score_submission({"a": "1", "z": "1"}, {"a": "1"})


def test_repeated_id_in_a_submission_refused(tmp_path):
    (tmp_path / "s.csv").write_text("id,label\n1,a\n1,b\n")
    with pytest.raises(ValueError, match="line 3: id '1' appears twice"):
        read_submission(tmp_path / "s.csv")


@pytest.mark.parametrize("layout", ["class folders", "csv"])
def test_written_competition_reads_back(tmp_path, layout):
    g = torch.Generator().manual_seed(0)
    images = torch.randint(0, 256, (9, 3, 5, 4), dtype=torch.uint8, generator=g)
    labels = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1, 2])
    key = write_competition(tmp_path, (images[:6], labels[:6]), (images[6:], labels[6:]),
                            ["red", "green", "blue"], layout=layout)
    data = read_folders(tmp_path)
    assert data.layout == layout and set(data.classes) == {"red", "green", "blue"}
    order = sorted(range(6), key=lambda i: (["red", "green", "blue"][labels[i]], i)) \
        if layout == "class folders" else range(6)
    for got, i in zip(data.train.images, order):
        assert torch.equal(got, images[i])  # PNG is lossless
    assert [data.classes[c] for c in data.train.labels] == [["red", "green", "blue"][labels[i]] for i in order]
    assert torch.equal(data.test.images, images[6:])
    assert read_submission(key) == {"0": "red", "1": "green", "2": "blue"}
