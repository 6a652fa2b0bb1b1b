"""Fashion-MNIST: found offline, verified file by file, batched correctly."""

import gzip
import shutil
from pathlib import Path

import pytest
import torch

from cnnguide.data import fashion_mnist as data

FILES = sorted(data._FILES)


@pytest.fixture(scope="module")
def real_folder() -> Path:
    return data.find_fashion_mnist(download=False)


@pytest.fixture
def isolated(monkeypatch, tmp_path):
    """No environment variable, an empty user cache, no system folder."""
    monkeypatch.delenv("CNNGUIDE_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(data, "SYSTEM_DIRS", (tmp_path / "system",))
    return tmp_path


def copy_files(source: Path, target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        shutil.copy(source / name, target / name)
    return target


def test_real_data_found_offline(real_folder):
    train_iter, test_iter = data.load_fashion_mnist(1000, device="cpu", download=False)
    assert (len(train_iter), len(test_iter)) == (60, 10)
    n_train = sum(len(y) for _, y in train_iter)
    n_test = sum(len(y) for _, y in test_iter)
    assert (n_train, n_test) == (60_000, 10_000)
    X, y = next(iter(test_iter))
    assert X.shape == (1000, 1, 28, 28) and X.dtype == torch.float32 and y.dtype == torch.int64
    assert 0 <= X.min() < X.max() <= 1
    assert torch.bincount(data.read_fashion_mnist("train")[1]).tolist() == [6000] * 10


def test_every_example_once_per_epoch_and_reshuffled():
    train_iter, _ = data.load_fashion_mnist(4096, device="cpu", train_size=10_000, seed=3)
    images = data.read_fashion_mnist("train")[0][:10_000]
    first = torch.cat([X for X, _ in train_iter]).mul(255).round().to(torch.uint8).squeeze(1)
    second = torch.cat([y for _, y in train_iter])
    # The same multiset of images, in another order than the file's.
    assert sorted(first.flatten(1).sum(1).tolist()) == sorted(images.flatten(1).sum(1).tolist())
    assert not torch.equal(first, images)
    labels_first = torch.cat([y for _, y in data.load_fashion_mnist(4096, device="cpu", train_size=10_000,
                                                                    seed=3)[0]])
    assert not torch.equal(labels_first, second)  # epoch 2 differs from epoch 1
    train_iter.set_epoch(0)
    assert torch.equal(torch.cat([y for _, y in train_iter]), labels_first)  # reproducible


def test_test_set_not_shuffled_and_last_batch_kept():
    _, test_iter = data.load_fashion_mnist(300, device="cpu", test_size=1000)
    labels = torch.cat([y for _, y in test_iter])
    assert [len(y) for _, y in test_iter] == [300, 300, 300, 100]
    assert torch.equal(labels, data.read_fashion_mnist("test")[1][:1000])


def test_resize_to_32():
    _, test_iter = data.load_fashion_mnist(64, resize=32, device="cpu", test_size=64)
    X, _ = next(iter(test_iter))
    assert X.shape == (64, 1, 32, 32) and 0 <= X.min() and X.max() <= 1 + 1e-6


@pytest.mark.parametrize("bad", [0, 1.5, (32,), (0, 32)])
def test_bad_resize_rejected(bad):
    with pytest.raises(ValueError, match="resize"):
        data.load_fashion_mnist(64, resize=bad, device="cpu")


def test_bad_subset_size_rejected():
    with pytest.raises(ValueError, match="train_size"):
        data.load_fashion_mnist(64, device="cpu", train_size=60_001)


def test_truncated_file_refused_by_name(real_folder, tmp_path):
    folder = copy_files(real_folder, tmp_path / "copy")
    victim = folder / "t10k-labels-idx1-ubyte.gz"
    victim.write_bytes(victim.read_bytes()[:-100])
    with pytest.raises(data.DatasetFileError, match="t10k-labels-idx1-ubyte.gz") as info:
        data.load_fashion_mnist(256, device="cpu", root=folder)
    assert info.value.path == victim and isinstance(info.value, ValueError)


def test_complete_but_corrupted_file_refused(real_folder, tmp_path):
    folder = copy_files(real_folder, tmp_path / "copy")
    victim = folder / "train-labels-idx1-ubyte.gz"
    raw = bytearray(gzip.decompress(victim.read_bytes()))
    raw[5000] = (raw[5000] + 1) % 10  # one label changed: header and length still right
    victim.write_bytes(gzip.compress(bytes(raw), compresslevel=1))
    with pytest.raises(data.DatasetFileError, match=r"train-labels-idx1-ubyte.gz.*SHA-256"):
        data.read_fashion_mnist("train", root=folder)


def test_wrong_header_refused(real_folder, tmp_path):
    folder = copy_files(real_folder, tmp_path / "copy")
    victim = folder / "t10k-labels-idx1-ubyte.gz"
    raw = bytearray(gzip.decompress(victim.read_bytes()))
    raw[3] = 0x03  # magic 2051 (images) instead of 2049 (labels)
    victim.write_bytes(gzip.compress(bytes(raw), compresslevel=1))
    with pytest.raises(data.DatasetFileError, match="IDX header"):
        data.read_fashion_mnist("test", root=folder)


def test_search_order_root_then_env_then_cache_then_system(real_folder, isolated, monkeypatch):
    root, env, cache, system = (copy_files(real_folder, isolated / name)
                                for name in ("root", "env", "cache/cnnguide/fashion-mnist", "system"))
    monkeypatch.setenv("CNNGUIDE_DATA", str(env))
    assert data.find_fashion_mnist(root, download=False) == root
    assert data.find_fashion_mnist(download=False) == env
    monkeypatch.delenv("CNNGUIDE_DATA")
    assert data.find_fashion_mnist(download=False) == cache
    shutil.rmtree(cache)
    assert data.find_fashion_mnist(download=False) == system
    # A folder missing one file is skipped.
    (root / FILES[0]).unlink()
    assert data.find_fashion_mnist(root, download=False) == system


def test_missing_files_give_a_helpful_error(isolated):
    with pytest.raises(data.DatasetNotFoundError, match="apt-get install dataset-fashion-mnist") as info:
        data.load_fashion_mnist(256, device="cpu", root=isolated / "nowhere", download=False)
    assert "CNNGUIDE_DATA" in str(info.value) and "nowhere" in str(info.value)


def test_failed_download_gives_a_helpful_error(isolated, monkeypatch):
    def offline(folder):
        raise OSError("network unreachable")

    monkeypatch.setattr(data, "_download", offline)
    with pytest.raises(data.DatasetNotFoundError, match="network unreachable.*dataset-fashion-mnist"):
        data.find_fashion_mnist()


def test_text_labels():
    assert data.text_labels([0, 9]) == ["t-shirt", "ankle boot"]
    assert data.text_labels(torch.tensor(1)) == "trouser"
    with pytest.raises(ValueError, match="0 to 9"):
        data.text_labels(-1)
