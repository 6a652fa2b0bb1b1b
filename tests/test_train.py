"""The training loop: learns, fails loudly, resumes exactly, records what it did."""

import json
import math

import pytest
import torch
from torch import nn

from cnnguide import data, metrics, train


def blobs(n, seed):
    """Ten well-separated Gaussian blobs drawn as 1x8x8 'images'."""
    g = torch.Generator().manual_seed(seed)
    centres = torch.randn(10, 64, generator=torch.Generator().manual_seed(123)) * 3
    y = torch.randint(0, 10, (n,), generator=g)
    X = centres[y] + torch.randn(n, 64, generator=g)
    return X.reshape(n, 1, 8, 8), y


def small_cnn():
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.AvgPool2d(2),
                         nn.Flatten(), nn.Linear(64, 10))


def as_list(X, y, batch_size):
    return [(X[i:i + batch_size], y[i:i + batch_size]) for i in range(0, len(y), batch_size)]


def shuffled_batches(X, y, batch_size=32, seed=0):
    images = (X - X.min()) / (X.max() - X.min())
    return data.ImageBatches(images.mul(255).round().to(torch.uint8).squeeze(1), y, batch_size,
                             shuffle=True, seed=seed)


def test_learns_held_out_synthetic_data_from_plain_lists():
    train_batches = as_list(*blobs(600, seed=1), 32)
    test_batches = as_list(*blobs(300, seed=2), 100)  # never seen in training
    history = train.fit(small_cnn(), train_batches, test_batches, num_epochs=4, lr=0.1,
                        device="cpu", seed=0)
    assert history.epochs == 4
    assert history.test_acc[-1] > 0.9  # chance is 0.1
    assert history.train_loss[-1] < history.train_loss[0]
    assert all(v > 0 for v in history.examples_per_sec + history.epoch_seconds)
    assert history.metadata["lr"] == 0.1 and "torch" in history.metadata


def test_evaluate_accuracy_and_confusion_matrix_agree():
    test_batches = as_list(*blobs(300, seed=2), 64)
    net = small_cnn()
    train.fit(net, as_list(*blobs(600, seed=1), 32), test_batches, 2, 0.1, device="cpu", seed=0)
    matrix = metrics.confusion_matrix(net, test_batches)
    assert matrix.sum() == 300
    assert matrix.diagonal().sum() / 300 == pytest.approx(train.evaluate_accuracy(net, test_batches))


def test_one_shot_iterator_rejected():
    batches = as_list(*blobs(64, seed=1), 32)
    with pytest.raises(ValueError, match="re-iterable"):
        train.fit(small_cnn(), iter(batches), batches, 1, 0.1, device="cpu")


@pytest.mark.parametrize("each_batch", [True, False], ids=["host-check", "on-device-flag"])
def test_non_finite_loss_names_epoch_and_batch(monkeypatch, each_batch):
    # The GPU path (a flag kept on the device, read at the end of the epoch) runs on the CPU too.
    from cnnguide.train import sums

    monkeypatch.setattr(sums, "_checks_each_batch", lambda device: each_batch)
    X, y = blobs(128, seed=1)
    batches = as_list(X, y, 32)
    bad = batches[2][0].clone()
    bad[0, 0, 0, 0] = float("nan")
    poisoned = batches[:2] + [(bad, batches[2][1])] + batches[3:]
    calls = []

    class SecondEpochPoisoned:
        def __iter__(self):
            calls.append(1)
            return iter(poisoned if len(calls) == 2 else batches)

    with pytest.raises(train.NonFiniteLossError, match="epoch 2, batch 2") as info:
        train.fit(small_cnn(), SecondEpochPoisoned(), batches, 3, 0.1, device="cpu")
    assert (info.value.epoch, info.value.batch) == (2, 2)


def test_resumed_run_equals_uninterrupted_run(tmp_path):
    X, y = blobs(256, seed=1)
    test_batches = as_list(*blobs(100, seed=2), 50)
    options = dict(device="cpu", seed=7, momentum=0.9)

    full = small_cnn()
    expected = train.fit(full, shuffled_batches(X, y), test_batches, 3, 0.05,
                         checkpoint_dir=tmp_path / "full", **options)

    first = small_cnn()
    train.fit(first, shuffled_batches(X, y), test_batches, 1, 0.05, checkpoint_dir=tmp_path / "cut", **options)
    torch.manual_seed(999)  # the resumed run must not depend on the state it finds
    resumed_net = small_cnn()
    resumed = train.fit(resumed_net, shuffled_batches(X, y), test_batches, 3, 0.05,
                        checkpoint_dir=tmp_path / "cut", resume=True, **options)

    for name in ("train_loss", "train_acc", "test_acc"):
        assert getattr(resumed, name) == getattr(expected, name)
    for a, b in zip(full.state_dict().values(), resumed_net.state_dict().values()):
        assert torch.equal(a, b)
    assert sorted(p.name for p in (tmp_path / "cut").iterdir()) == [
        "checkpoint.json", "checkpoint.previous.json", "epoch-0002.safetensors", "epoch-0003.safetensors"]


def test_resume_with_other_hyper_parameters_refused(tmp_path):
    batches = as_list(*blobs(64, seed=1), 32)
    train.fit(small_cnn(), batches, batches, 1, 0.1, device="cpu", checkpoint_dir=tmp_path)
    with pytest.raises(ValueError, match="lr"):
        train.fit(small_cnn(), batches, batches, 2, 0.2, device="cpu", checkpoint_dir=tmp_path, resume=True)


def test_checkpoint_has_no_pickle(tmp_path):
    batches = as_list(*blobs(64, seed=1), 32)
    train.fit(small_cnn(), batches, batches, 1, 0.1, device="cpu", checkpoint_dir=tmp_path)
    record = json.loads((tmp_path / "checkpoint.json").read_text())
    assert record["epoch"] == 1 and record["options"]["lr"] == 0.1
    assert not list(tmp_path.glob("*.pt")) and not list(tmp_path.glob("*.pkl"))


def test_history_json_and_csv_round_trip(tmp_path):
    h = train.History([2.0, 1.0], [0.3, 0.6], [0.4, 0.7], [100.0, 120.0], [1.5, 1.25])
    h.save_json(tmp_path / "h.json", model="lenet", lr=0.9)
    back = train.History.load_json(tmp_path / "h.json")
    assert back.to_dict() | {"metadata": {}} == h.to_dict() | {"metadata": {}}
    assert back.metadata["model"] == "lenet" and {"device", "torch", "date"} <= set(back.metadata)
    rows = (tmp_path / "h.csv").write_text("") or h.save_csv(tmp_path / "h.csv").read_text().splitlines()
    assert rows[0].startswith("epoch,train_loss") and rows[2].startswith("2,1.0,0.6")
    with pytest.raises(ValueError, match="same length"):
        train.History([1.0], [], [], [], [])


def test_bad_arguments_rejected():
    batches = as_list(*blobs(64, seed=1), 32)
    with pytest.raises(ValueError, match="lr"):
        train.fit(small_cnn(), batches, batches, 1, -1.0, device="cpu")
    with pytest.raises(ValueError, match="init"):
        train.fit(small_cnn(), batches, batches, 1, 0.1, device="cpu", init="kaiming")
    with pytest.raises(ValueError, match="checkpoint_dir"):
        train.fit(small_cnn(), batches, batches, 1, 0.1, device="cpu", resume=True)


def test_xavier_init_is_applied_and_none_keeps_weights():
    net = small_cnn()
    before = net[4].weight.detach().clone()
    train.fit(net, [], [], 0, 0.1, device="cpu", init=None)
    assert torch.equal(net[4].weight, before)
    train.fit(net, [], [], 0, 0.1, device="cpu", seed=0)
    bound = math.sqrt(6 / (64 + 10))
    assert not torch.equal(net[4].weight, before) and net[4].weight.abs().max() <= bound


def test_progress_bar_quiet_in_ci_and_forced_on(monkeypatch, capsys):
    from cnnguide.train.progress import show_progress

    monkeypatch.setenv("CI", "true")
    assert show_progress(None) is False
    assert show_progress(True) is True
    batches = as_list(*blobs(64, seed=1), 32)
    train.fit(small_cnn(), batches, batches, 1, 0.1, device="cpu", progress=True, callbacks=[train.PrintEpochs()])
    captured = capsys.readouterr()
    assert "epoch 1/1" in captured.err and "2/2" in captured.err  # the bar, on stderr
    assert captured.out.startswith("epoch 1/1: loss ")


def test_same_weights_as_the_blog_loop():
    """fit with the blog's init computes exactly what d2l's train_ch6 (cnnguide.train.blog_loop) computes."""
    import copy

    from cnnguide.train import blog_loop

    train_batches = as_list(*blobs(256, seed=1), 32)
    test_batches = as_list(*blobs(100, seed=2), 50)
    blog_net = small_cnn()
    our_net = copy.deepcopy(blog_net)
    torch.manual_seed(5)
    blog = blog_loop.train_ch6(blog_net, train_batches, test_batches, 2, 0.3, torch.device("cpu"))

    def init_weights(m):  # the blog's: Xavier weights, biases left as they are
        if type(m) in (nn.Linear, nn.Conv2d):
            nn.init.xavier_uniform_(m.weight)

    ours = train.fit(our_net, train_batches, test_batches, 2, 0.3, device="cpu", seed=5, init=init_weights)
    for a, b in zip(blog_net.state_dict().values(), our_net.state_dict().values()):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    assert ours.test_acc == blog.test_acc
    assert ours.train_acc == blog.train_acc
    assert ours.train_loss == pytest.approx(blog.train_loss, rel=1e-6)


def test_confusion_matrix_refuses_out_of_range_labels():
    X, y = blobs(64, seed=1)
    with pytest.raises(ValueError, match="outside 0..4"):
        metrics.confusion_matrix(small_cnn(), [(X, y)], num_classes=5)


# --- points within epochs ----------------------------------------------------------


@pytest.mark.parametrize("each_batch", [True, False], ids=["host-check", "on-device-flag"])
def test_points_are_running_means_at_evenly_spaced_batches(monkeypatch, each_batch):
    from cnnguide.train import sums

    monkeypatch.setattr(sums, "_checks_each_batch", lambda device: each_batch)
    batches = as_list(*blobs(320, seed=1), 32)  # 10 batches an epoch
    net = small_cnn()
    history = train.fit(net, batches, batches, 2, 0.1, device="cpu", seed=0, points_per_epoch=5)
    assert history.point_epoch == pytest.approx([0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0])
    # The point at each epoch's end is the epoch's mean.
    assert history.point_train_loss[4::5] == history.train_loss
    assert history.point_train_acc[4::5] == history.train_acc
    assert history.metadata["points_per_epoch"] == 5

    # Replay the first epoch by hand: the first point is the mean over its first 2 batches.
    replay = small_cnn()
    train.fit(replay, [], [], 0, 0.1, device="cpu", seed=0)  # the same initial weights
    optimizer = torch.optim.SGD(replay.parameters(), lr=0.1)
    losses, right = [], []
    for X, y in batches[:2]:
        optimizer.zero_grad()
        y_hat = replay(X)
        loss = nn.functional.cross_entropy(y_hat, y)
        loss.backward()
        optimizer.step()
        losses.append(float(loss.detach()) * len(y))
        right.append(int((y_hat.argmax(1) == y).sum()))
    assert history.point_train_loss[0] == pytest.approx(sum(losses) / 64, rel=1e-6)
    assert history.point_train_acc[0] == sum(right) / 64


def test_points_per_epoch_options():
    batches = as_list(*blobs(96, seed=1), 32)  # 3 batches: fewer than the points asked for
    assert train.fit(small_cnn(), batches, batches, 1, 0.1, device="cpu", points_per_epoch=5).point_epoch == \
        pytest.approx([1 / 3, 2 / 3, 1.0])
    none = train.fit(small_cnn(), batches, batches, 2, 0.1, device="cpu", points_per_epoch=0)
    assert none.points == [] and none.epochs == 2

    class NoLength:  # no len(): only the epoch's end can be placed
        def __iter__(self):
            return iter(batches)

    ends = train.fit(small_cnn(), NoLength(), batches, 2, 0.1, device="cpu")
    assert ends.point_epoch == [1.0, 2.0] and ends.point_train_loss == ends.train_loss
    for bad in (-1, 2.5, True):
        with pytest.raises(ValueError, match="points_per_epoch"):
            train.fit(small_cnn(), batches, batches, 1, 0.1, device="cpu", points_per_epoch=bad)


def test_resumed_run_keeps_the_points(tmp_path):
    batches = as_list(*blobs(128, seed=1), 32)
    full = train.fit(small_cnn(), batches, batches, 2, 0.1, device="cpu", seed=3, checkpoint_dir=tmp_path / "a")
    train.fit(small_cnn(), batches, batches, 1, 0.1, device="cpu", seed=3, checkpoint_dir=tmp_path / "b")
    resumed = train.fit(small_cnn(), batches, batches, 2, 0.1, device="cpu", seed=3,
                        checkpoint_dir=tmp_path / "b", resume=True)
    assert resumed.points == full.points and len(full.points) == 8


def test_history_points_saved_in_json_and_csv_and_old_json_loads(tmp_path):
    h = train.History([2.0, 1.0], [0.3, 0.6], [0.4, 0.7], [100.0, 120.0], [1.5, 1.25])
    for point in ((0.5, 2.2, 0.2), (1.0, 2.0, 0.3), (1.5, 1.1, 0.55), (2.0, 1.0, 0.6)):
        h.append_point(*point)
    back = train.History.load_json(h.save_json(tmp_path / "h.json"))
    assert back.points == h.points
    rows = h.save_points_csv(tmp_path / "points.csv").read_text().splitlines()
    assert rows == ["epoch,train_loss,train_acc", "0.5,2.2,0.2", "1.0,2.0,0.3", "1.5,1.1,0.55", "2.0,1.0,0.6"]
    assert len(h.save_csv(tmp_path / "h.csv").read_text().splitlines()) == 3  # one row per epoch, as before

    old = {name: getattr(h, name) for name in ("train_loss", "train_acc", "test_acc", "examples_per_sec",
                                                "epoch_seconds")}
    (tmp_path / "old.json").write_text(json.dumps({**old, "metadata": {"device": "cuda:0"}}))
    loaded = train.History.load_json(tmp_path / "old.json")
    assert loaded.epochs == 2 and loaded.points == []
    with pytest.raises(ValueError, match="point series .* same length"):
        train.History([1.0], [1.0], [1.0], [1.0], [1.0], point_epoch=[0.5, 1.0], point_train_loss=[1.0],
                      point_train_acc=[0.5])


# --- callbacks --------------------------------------------------------------------


def test_callbacks_are_called_in_order_with_the_run(tmp_path):
    calls = []

    class Recorder(train.Callback):
        def on_train_begin(self, history, *, epoch, num_epochs, net, optimizer):
            calls.append(("begin", epoch, num_epochs, history.epochs))

        def on_batch_end(self, history, *, epoch, batch, num_epochs, net, optimizer):
            calls.append(("batch", epoch, batch))

        def on_epoch_end(self, history, *, epoch, num_epochs, net, optimizer):
            assert isinstance(net, nn.Module) and isinstance(optimizer, torch.optim.SGD)
            assert (tmp_path / "checkpoint.json").is_file()  # the checkpoint is saved first
            calls.append(("epoch", epoch, num_epochs, history.epochs))

        def on_train_end(self, history, *, epoch, num_epochs, net, optimizer):
            calls.append(("end", epoch, num_epochs, history.epochs))

    class OnlyEnd:  # duck typing: any object with some of the hooks
        def on_train_end(self, history, **run):
            calls.append(("duck", sorted(run)))

    batches = as_list(*blobs(64, seed=1), 32)
    train.fit(small_cnn(), batches, batches, 2, 0.1, device="cpu", callbacks=[Recorder(), OnlyEnd()],
              checkpoint_dir=tmp_path)
    assert calls == [("begin", 0, 2, 0), ("batch", 1, 0), ("batch", 1, 1), ("epoch", 1, 2, 1),
                     ("batch", 2, 0), ("batch", 2, 1), ("epoch", 2, 2, 2), ("end", 2, 2, 2),
                     ("duck", ["epoch", "net", "num_epochs", "optimizer"])]
    calls.clear()
    train.fit(small_cnn(), batches, batches, 3, 0.1, device="cpu", callbacks=[Recorder()],
              checkpoint_dir=tmp_path, resume=True)
    assert calls == [("begin", 2, 3, 2), ("batch", 3, 0), ("batch", 3, 1), ("epoch", 3, 3, 3), ("end", 3, 3, 3)]


def test_bad_callbacks_rejected():
    batches = as_list(*blobs(64, seed=1), 32)
    with pytest.raises(ValueError, match=r"callbacks\[0\] is the class PrintEpochs; pass an instance"):
        train.fit(small_cnn(), batches, batches, 1, 0.1, device="cpu", callbacks=[train.PrintEpochs])
    with pytest.raises(ValueError, match="must be a list of callbacks"):
        train.fit(small_cnn(), batches, batches, 1, 0.1, device="cpu", callbacks=train.PrintEpochs())
    with pytest.raises(ValueError, match=r"callbacks\[1\] \(str\) has none of the methods on_train_begin"):
        train.fit(small_cnn(), batches, batches, 1, 0.1, device="cpu", callbacks=[train.PrintEpochs(), "x"])


def test_save_checkpoint_callback_restores_and_checks_hyper_parameters(tmp_path):
    batches = as_list(*blobs(64, seed=1), 32)
    net = small_cnn()
    train.fit(net, batches, batches, 1, 0.1, device="cpu", callbacks=[train.SaveCheckpoint(tmp_path)])
    other = small_cnn()
    epoch, history = train.SaveCheckpoint(tmp_path).restore(other, torch.optim.SGD(other.parameters(), lr=0.1))
    assert epoch == 1 and history.epochs == 1
    for a, b in zip(net.state_dict().values(), other.state_dict().values()):
        assert torch.equal(a, b)
    with pytest.raises(ValueError, match="'momentum': 0.9"):
        train.SaveCheckpoint(tmp_path).restore(other, torch.optim.SGD(other.parameters(), lr=0.1, momentum=0.9))
    assert train.SaveCheckpoint(tmp_path / "empty").restore(other, torch.optim.SGD(other.parameters(), lr=1)) is None


def test_the_training_package_imports_no_pictures():
    """cnnguide.train knows no figures: importing it, and training with it, loads neither
    cnnguide.figures nor matplotlib."""
    import subprocess
    import sys

    code = (
        "import sys, torch\n"
        "from torch import nn\n"
        "import cnnguide.train as train\n"
        "X, y = torch.randn(64, 4), torch.randint(0, 2, (64,))\n"
        "batches = [(X[:32], y[:32]), (X[32:], y[32:])]\n"
        "train.fit(nn.Linear(4, 2), batches, batches, 1, 0.1, device='cpu', callbacks=[train.PrintEpochs()])\n"
        "print(sorted(m for m in sys.modules if m.startswith(('cnnguide.figures', 'matplotlib'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                            env={**__import__("os").environ, "OMP_NUM_THREADS": "1"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"
    assert result.stdout.startswith("epoch 1/1: loss ")
