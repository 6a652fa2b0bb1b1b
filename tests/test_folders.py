"""Competition folders: both layouts, the test folder, colour modes, every bad input, stratified splits."""

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from cnnguide.data import ImageBatches
from cnnguide.data.folders import FolderDataError, read_folders, read_images
from cnnguide.data.splits import stratified_folds, stratified_split


def save(path, value=0, size=(6, 4), mode="L"):
    """A flat image of ``size`` (width, height) whose pixels are all ``value``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, value).save(path)
    return path


def class_folders(root, counts={"cat": 2, "dog": 3}):
    for c, (name, n) in enumerate(counts.items()):
        for i in range(n):
            save(root / "train" / name / f"{i}.png", value=10 * c + i)
    return root


def csv_layout(root, rows=(("a1", "cat"), ("a2", "dog"), ("a3", "cat")), header="id,label"):
    for k, (image_id, _) in enumerate(rows):
        save(root / "train" / f"{image_id}.png", value=k)
    lines = [header] + [f"{i},{label}" for i, label in rows]
    (root / "train.csv").write_text("\n".join(lines) + "\n")
    return root


# --- the two layouts -----------------------------------------------------------------


def test_class_folders_layout(tmp_path):
    class_folders(tmp_path)
    data = read_folders(tmp_path)
    assert data.layout == "class folders" and data.test is None
    assert data.classes == ("cat", "dog")
    train = data.train
    assert train.images.dtype == torch.uint8 and tuple(train.images.shape) == (5, 1, 4, 6)
    assert train.labels.tolist() == [0, 0, 1, 1, 1]
    # Each image's pixels are the value it was written with: decoded, not just counted.
    assert train.images[:, 0, 0, 0].tolist() == [0, 1, 10, 11, 12]
    assert [f.parent.name for f in train.files] == ["cat", "cat", "dog", "dog", "dog"]


def test_csv_layout_ids_with_and_without_extension(tmp_path):
    csv_layout(tmp_path, rows=(("a1", "cat"), ("a2.png", "dog"), ("a3", "cat")))
    data = read_folders(tmp_path)
    assert data.layout == "csv"
    assert data.classes == ("cat", "dog")
    assert data.train.ids == ("a1", "a2.png", "a3")
    assert data.train.labels.tolist() == [0, 1, 0]
    assert data.train.images[:, 0, 0, 0].tolist() == [0, 1, 2]


def test_numeric_labels_in_numeric_order_and_extra_columns(tmp_path):
    for k in range(3):
        save(tmp_path / "train" / f"{k}.png")
    (tmp_path / "train.csv").write_text("id,width,label\n0,6,10\n1,6,9\n2,6,2\n")
    data = read_folders(tmp_path)
    assert data.classes == ("2", "9", "10")
    assert data.train.labels.tolist() == [2, 1, 0]


def test_test_folder_sorted_by_id_with_the_training_size_and_channels(tmp_path):
    class_folders(tmp_path)
    for i in (10, 2, 1):
        save(tmp_path / "test" / f"{i}.jpg", size=(12, 8), value=i)
    data = read_folders(tmp_path, size=(4, 6))
    assert data.test.ids == ("1", "2", "10")
    assert data.test.labels is None and data.test.classes == ()
    assert tuple(data.test.images.shape) == (3, 1, 4, 6)
    with pytest.raises(ValueError, match="no labels"):
        data.test.batches(2)


def test_resize_to_a_chosen_size(tmp_path):
    save(tmp_path / "train" / "a" / "0.png", size=(10, 20))
    save(tmp_path / "train" / "b" / "0.png", size=(30, 30))
    data = read_folders(tmp_path, size=16)
    assert tuple(data.train.images.shape) == (2, 1, 16, 16)


def test_batches_are_image_batches_like_fashion_mnist(tmp_path):
    class_folders(tmp_path)
    train = read_folders(tmp_path).train
    batches = train.batches(2, shuffle=True, seed=0)
    assert isinstance(batches, ImageBatches) and len(batches) == 3
    X, y = next(iter(batches))
    assert X.dtype == torch.float32 and tuple(X.shape) == (2, 1, 4, 6) and y.dtype == torch.int64
    assert sorted(torch.cat([y for _, y in batches]).tolist()) == [0, 0, 1, 1, 1]


# --- colour modes ---------------------------------------------------------------------


def test_all_grey_stays_one_channel_mixed_becomes_rgb(tmp_path):
    save(tmp_path / "train" / "a" / "0.png", value=100)
    save(tmp_path / "train" / "b" / "0.png", value=(255, 0, 0), mode="RGB")
    data = read_folders(tmp_path)
    assert data.channels == 3
    grey, red = data.train.images
    assert grey[:, 0, 0].tolist() == [100, 100, 100]  # the grey value copied into R, G and B
    assert red[:, 0, 0].tolist() == [255, 0, 0]


def test_channels_forced(tmp_path):
    save(tmp_path / "train" / "a" / "0.png", value=(255, 0, 0), mode="RGB")
    save(tmp_path / "train" / "b" / "0.png", value=(0, 0, 255, 128), mode="RGBA")
    grey = read_folders(tmp_path, channels=1).train.images
    assert grey.shape[1] == 1
    assert grey[:, 0, 0, 0].tolist() == [76, 29]  # ITU-R 601 luma: 0.299 R, 0.114 B
    assert read_folders(tmp_path, channels=3).train.images.shape[1] == 3
    with pytest.raises(ValueError, match="channels must be None, 1 or 3"):
        read_folders(tmp_path, channels=2)


def test_sixteen_bit_images_refused(tmp_path):
    path = tmp_path / "train" / "a" / "0.png"
    path.parent.mkdir(parents=True)
    Image.fromarray(np.full((4, 4), 40_000, dtype=np.uint16)).save(path)
    with pytest.raises(FolderDataError, match=r"0\.png: mode 'I;16' .*8 bits"):
        read_folders(tmp_path)


# --- every bad input names its file or CSV line --------------------------------------


def test_truncated_image_named(tmp_path):
    class_folders(tmp_path)
    good = save(tmp_path / "x.png", size=(64, 64), mode="RGB", value=(1, 2, 3))
    bad = tmp_path / "train" / "dog" / "1.png"
    bad.write_bytes(good.read_bytes()[:-30])
    good.unlink()
    with pytest.raises(FolderDataError, match=r"1 image\(s\) cannot be used: .*dog/1\.png: cannot decode"):
        read_folders(tmp_path)


def test_every_unreadable_image_listed(tmp_path):
    class_folders(tmp_path)
    for name in ("cat/0.png", "dog/2.png"):
        (tmp_path / "train" / name).write_bytes(b"not an image")
    with pytest.raises(FolderDataError, match=r"(?s)2 image\(s\).*cat/0\.png.*dog/2\.png"):
        read_folders(tmp_path)


def test_empty_class_folder(tmp_path):
    class_folders(tmp_path)
    (tmp_path / "train" / "bird").mkdir()
    with pytest.raises(FolderDataError, match=r"class folder .*bird holds no images"):
        read_folders(tmp_path)


def test_image_in_no_class(tmp_path):
    class_folders(tmp_path)
    save(tmp_path / "train" / "stray.png")
    with pytest.raises(FolderDataError, match=r"stray\.png is in no class"):
        read_folders(tmp_path)


def test_csv_row_whose_image_is_missing(tmp_path):
    csv_layout(tmp_path)
    (tmp_path / "train" / "a2.png").unlink()
    with pytest.raises(FolderDataError, match=r"train\.csv line 3: no image for id 'a2'"):
        read_folders(tmp_path)


def test_image_with_no_csv_row(tmp_path):
    csv_layout(tmp_path)
    save(tmp_path / "train" / "b9.png")
    with pytest.raises(FolderDataError, match=r"b9\.png has no row in .*train\.csv"):
        read_folders(tmp_path)


@pytest.mark.parametrize("text, message", [
    ("picture,label\na1,cat\n", "cannot tell which column holds the image ids"),
    ("id,label\na1,cat\na1,dog\n", "line 3: id 'a1' already on line 2"),
    ("id,label\na1,\n", "line 2: empty label"),
    ("id,label\n", "has no rows"),
])
def test_bad_csv_rows(tmp_path, text, message):
    save(tmp_path / "train" / "a1.png")
    (tmp_path / "train.csv").write_text(text)
    with pytest.raises(FolderDataError, match=message):
        read_folders(tmp_path)


def test_ambiguous_csv_id(tmp_path):
    csv_layout(tmp_path)
    save(tmp_path / "train" / "a1.jpg")
    with pytest.raises(FolderDataError, match=r"line 2: id 'a1' matches 2 files: a1\.jpg, a1\.png"):
        read_folders(tmp_path)


def test_non_image_file_named_and_hidden_files_skipped(tmp_path):
    class_folders(tmp_path)
    (tmp_path / "train" / "cat" / ".DS_Store").write_bytes(b"\0")
    assert len(read_folders(tmp_path).train) == 5
    (tmp_path / "train" / "cat" / "notes.txt").write_text("hello")
    with pytest.raises(FolderDataError, match=r"notes\.txt: not an image"):
        read_folders(tmp_path)


def test_sizes_differ_without_resize(tmp_path):
    save(tmp_path / "train" / "a" / "0.png", size=(6, 4))
    save(tmp_path / "train" / "b" / "0.png", size=(8, 4))
    with pytest.raises(FolderDataError, match=r"0\.png is 6x4 pixels but .*b/0\.png is 8x4.*resize"):
        read_folders(tmp_path)


def test_layout_problems(tmp_path):
    with pytest.raises(FolderDataError, match="neither train/ nor a label table"):
        read_folders(tmp_path)
    with pytest.raises(FolderDataError, match="is not a folder"):
        read_folders(tmp_path / "missing")
    csv_layout(tmp_path)
    save(tmp_path / "train" / "cat" / "0.png")
    with pytest.raises(FolderDataError, match="remove train.csv to use the class-folder layout"):
        read_folders(tmp_path)


def test_test_folder_problems(tmp_path):
    save(tmp_path / "7.png")
    save(tmp_path / "7.jpg")
    with pytest.raises(FolderDataError, match="have the same id '7'"):
        read_images(tmp_path)
    (tmp_path / "7.jpg").unlink()
    save(tmp_path / "sub" / "1.png")
    with pytest.raises(FolderDataError, match="sub is a folder"):
        read_images(tmp_path)


# --- stratified splits ----------------------------------------------------------------


def test_holdout_is_stratified_and_disjoint():
    counts = [500, 300, 120, 50, 7]
    labels = torch.cat([torch.full((n,), c) for c, n in enumerate(counts)])[torch.randperm(977)]
    train, val = stratified_split(labels, holdout=0.2, seed=3)
    assert sorted(torch.cat([train, val]).tolist()) == list(range(977))
    for c, n in enumerate(counts):
        assert int((labels[val] == c).sum()) == round(0.2 * n)  # each class in its own proportion
    again = stratified_split(labels, holdout=0.2, seed=3)
    assert torch.equal(again[1], val)
    assert not torch.equal(stratified_split(labels, holdout=0.2, seed=4)[1], val)


def test_holdout_keeps_one_of_each_side_and_refuses_singletons():
    train, val = stratified_split(torch.tensor([0, 0, 1, 1, 1]), holdout=0.01)
    assert len(val) == 2 and len(train) == 3
    with pytest.raises(ValueError, match="class 2 has 1 example"):
        stratified_split(torch.tensor([0, 0, 1, 1, 2]))
    with pytest.raises(ValueError, match="holdout must be a fraction"):
        stratified_split(torch.tensor([0, 0]), holdout=1.0)


def test_folds_partition_and_balance_each_class():
    labels = torch.tensor([0] * 10 + [1] * 7 + [2] * 5)
    folds = stratified_folds(labels, k=3, seed=0)
    assert sorted(torch.cat(folds).tolist()) == list(range(22))
    for c in range(3):
        per_fold = [int((labels[f] == c).sum()) for f in folds]
        assert max(per_fold) - min(per_fold) <= 1
    assert max(map(len, folds)) - min(map(len, folds)) <= 1
    with pytest.raises(ValueError, match="class 2 has 5 example"):
        stratified_folds(labels, k=6)
