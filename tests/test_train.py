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
    from cnnguide.train import loop

    monkeypatch.setattr(loop, "_checks_each_batch", lambda device: each_batch)
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
    assert sorted(p.name for p in (tmp_path / "cut").iterdir()) == ["checkpoint.json", "epoch-0003.safetensors"]


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
    from cnnguide.train import loop

    monkeypatch.setenv("CI", "true")
    assert loop._show_progress(None) is False
    assert loop._show_progress(True) is True
    batches = as_list(*blobs(64, seed=1), 32)
    train.fit(small_cnn(), batches, batches, 1, 0.1, device="cpu", progress=True, verbose=True)
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


def test_live_plot_outside_a_notebook_warns_and_trains():
    batches = as_list(*blobs(64, seed=1), 32)
    with pytest.warns(UserWarning, match="live_plot needs a notebook"):
        history = train.fit(small_cnn(), batches, batches, 1, 0.1, device="cpu", live_plot=True)
    assert history.epochs == 1


def test_live_plot_in_a_notebook_updates_one_output(monkeypatch):
    IPython = pytest.importorskip("IPython")
    import IPython.display

    shown = []

    class Handle:
        def update(self, fig):
            shown.append(("update", fig))

    def display(fig, display_id=False):
        shown.append(("display", fig))
        return Handle()

    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    monkeypatch.setattr(IPython.display, "display", display)
    batches = as_list(*blobs(64, seed=1), 32)
    train.fit(small_cnn(), batches, batches, 3, 0.1, device="cpu", live_plot=True)
    assert [kind for kind, _ in shown] == ["display", "update", "update"]
    assert "3 epochs" in shown[-1][1].alt
