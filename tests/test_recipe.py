"""The modern recipe's pieces: schedules, label smoothing, fit's new hooks, EMA, best epoch, the recipe."""

import math

import pytest
import torch
from torch import nn

from cnnguide import data, train
from cnnguide.train.modern import PIECES, ModernRecipe
from cnnguide.train.optim import make_optimizer, make_schedule, parameter_groups
from cnnguide.train.weights import BEST_JSON, BEST_WEIGHTS, EMA, KeepBest


def lrs(kind, total=100, warmup=0.15, lr=0.2, momentum=0.9):
    sgd = torch.optim.SGD(nn.Linear(2, 2).parameters(), lr=lr, momentum=momentum)
    schedule = make_schedule(sgd, kind, total, warmup)
    rates = []
    for _ in range(total):
        rates.append(sgd.param_groups[0]["lr"])
        sgd.step()
        schedule.step()
    return rates


def test_onecycle_values_at_chosen_steps():
    rates = lrs("onecycle")
    peak, start = 0.2, 0.2 / 25
    end = start / 1e4
    assert rates[0] == pytest.approx(start)
    assert rates[14] == pytest.approx(peak)  # warm-up: 15 % of 100 steps, the peak at step 14
    assert rates.index(max(rates)) == 14
    for t in (7, 30, 56, 80, 99):
        if t <= 14:
            expected = peak + (start - peak) * (1 + math.cos(math.pi * t / 14)) / 2
        else:
            expected = end + (peak - end) * (1 + math.cos(math.pi * (t - 14) / 85)) / 2
        assert rates[t] == pytest.approx(expected, rel=1e-6), t


def test_cosine_with_linear_warmup_values_at_chosen_steps():
    rates = lrs("cosine", total=40, warmup=0.25)
    assert rates[0] == pytest.approx(0.2 * 0.01)
    assert rates[5] == pytest.approx(0.2 * (0.01 + 0.99 * 5 / 10))
    assert rates[10] == pytest.approx(0.2)
    for k in (1, 15, 29):
        assert rates[10 + k] == pytest.approx(0.2 * (1 + math.cos(math.pi * k / 30)) / 2)
    assert lrs(None, total=5) == [0.2] * 5


def test_onecycle_cycles_sgd_momentum_inversely():
    sgd = torch.optim.SGD(nn.Linear(2, 2).parameters(), lr=0.1, momentum=0.9)
    schedule = make_schedule(sgd, "onecycle", 20, 0.25)
    momenta = []
    for _ in range(20):
        momenta.append(sgd.param_groups[0]["momentum"])
        sgd.step()
        schedule.step()
    assert momenta[0] == pytest.approx(0.95) and min(momenta) == pytest.approx(0.85)


def test_schedule_arguments_checked():
    sgd = torch.optim.SGD(nn.Linear(2, 2).parameters(), lr=0.1)
    with pytest.raises(ValueError, match="schedule must be one of"):
        make_schedule(sgd, "step", 10)
    with pytest.raises(ValueError, match="total_steps must be a positive integer"):
        make_schedule(sgd, "cosine", 0)
    with pytest.raises(ValueError, match="warmup must be a fraction"):
        make_schedule(sgd, "cosine", 10, warmup=1.0)
    with pytest.raises(ValueError, match="onecycle schedule needs at least 3 steps"):
        make_schedule(sgd, "onecycle", 2)
    assert len(lrs("onecycle", total=3, warmup=0.01)) == 3  # the rise is stretched to 2 steps


def test_weight_decay_only_on_weights_and_nesterov():
    net = nn.Sequential(nn.Conv2d(1, 3, 3), nn.BatchNorm2d(3), nn.Flatten(), nn.Linear(3, 2))
    groups = parameter_groups(net, 1e-3)
    assert [p.dim() for p in groups[0]["params"]] == [4, 2]
    assert all(p.dim() == 1 for p in groups[1]["params"]) and groups[1]["weight_decay"] == 0
    sgd = make_optimizer(net, "sgd", 0.1)
    assert sgd.defaults["nesterov"] and sgd.defaults["momentum"] == 0.9
    assert not make_optimizer(net, "sgd", 0.1, momentum=0).defaults["nesterov"]
    adamw = make_optimizer(net, "adamw", 1e-3, weight_decay=0.05)
    assert type(adamw).__name__ == "AdamW" and adamw.param_groups[0]["weight_decay"] == 0.05


def test_label_smoothing_equals_torch_and_the_formula():
    torch.manual_seed(0)
    logits, y = torch.randn(16, 10, dtype=torch.float64), torch.randint(0, 10, (16,))
    eps = ModernRecipe().label_smoothing
    ours = ModernRecipe().loss()(logits, y)
    torch.testing.assert_close(ours, nn.CrossEntropyLoss(label_smoothing=eps)(logits, y))
    # The target puts 1 - eps on the true class and eps / K on every class.
    target = torch.full((16, 10), eps / 10, dtype=torch.float64)
    target[torch.arange(16), y] += 1 - eps
    torch.testing.assert_close(ours, -(target * logits.log_softmax(1)).sum(1).mean())
    assert ModernRecipe().without("label_smoothing").loss()(logits, y) == pytest.approx(
        nn.functional.cross_entropy(logits, y).item())


# --- fit's optional pieces ---------------------------------------------------------------


def blobs(n, seed):
    g = torch.Generator().manual_seed(seed)
    centres = torch.randn(4, 64, generator=torch.Generator().manual_seed(7)) * 3
    y = torch.randint(0, 4, (n,), generator=g)
    X = (centres[y] + torch.randn(n, 64, generator=g)).reshape(n, 1, 8, 8)
    return [(X[i:i + 32], y[i:i + 32]) for i in range(0, n, 32)]


def small_cnn():
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                         nn.AvgPool2d(2), nn.Flatten(), nn.Linear(64, 4))


def test_fit_uses_the_given_optimizer_scheduler_loss_and_augmentation():
    seen = {"augment": 0, "loss": 0, "steps": []}

    def augment(X):
        seen["augment"] += 1
        return X.flip(-1)

    def loss_fn(logits, y):
        seen["loss"] += 1
        return nn.functional.cross_entropy(logits, y)

    class Recorder(train.Callback):
        def on_batch_end(self, history, *, epoch, batch, num_epochs, net, optimizer):
            seen["steps"].append(optimizer.param_groups[0]["lr"])

    batches = blobs(128, 1)
    history = train.fit(small_cnn(), batches, blobs(64, 2), 2, 0.1, "cpu", seed=0,
                        optimizer=lambda net: torch.optim.AdamW(net.parameters(), lr=0.01),
                        scheduler=lambda opt, total: torch.optim.lr_scheduler.LinearLR(
                            opt, 1.0, 0.5, total_iters=total),
                        loss_fn=loss_fn, augment=augment, callbacks=[Recorder()])
    assert seen["augment"] == seen["loss"] == 8  # 2 epochs x 4 batches; test batches not augmented
    assert seen["steps"][0] == pytest.approx(0.01 * (1 - 0.5 / 8)) and seen["steps"][-1] == pytest.approx(0.005)
    assert history.metadata["optimizer"] == "AdamW" and history.metadata["scheduler"] == "LinearLR"


def test_fit_rejects_inconsistent_pieces(tmp_path):
    batches = blobs(64, 1)
    factory = lambda net: torch.optim.SGD(net.parameters(), lr=0.1)  # noqa: E731
    with pytest.raises(ValueError, match="give them to the optimizer"):
        train.fit(small_cnn(), batches, batches, 1, 0.1, "cpu", momentum=0.9, optimizer=factory)
    with pytest.raises(ValueError, match="scheduler cannot be resumed"):
        train.fit(small_cnn(), batches, batches, 1, 0.1, "cpu", checkpoint_dir=tmp_path, resume=True,
                  scheduler=lambda o, n: None)
    with pytest.raises(ValueError, match="augment must be callable"):
        train.fit(small_cnn(), batches, batches, 1, 0.1, "cpu", augment="flip")


def test_adamw_run_checkpoints(tmp_path):
    batches = blobs(64, 1)
    factory = lambda net: torch.optim.AdamW(net.parameters(), lr=0.01)  # noqa: E731
    train.fit(small_cnn(), batches, batches, 1, 0.01, "cpu", optimizer=factory, checkpoint_dir=tmp_path)
    history = train.fit(small_cnn(), batches, batches, 2, 0.01, "cpu", optimizer=factory,
                        checkpoint_dir=tmp_path, resume=True)
    assert history.epochs == 2


def test_ema_is_what_is_evaluated_and_matches_a_hand_average():
    torch.manual_seed(0)
    net, ema = small_cnn(), EMA(decay=0.8)
    weights = []

    class Snapshot(train.Callback):
        def on_batch_end(self, history, *, epoch, batch, num_epochs, net, optimizer):
            weights.append(net[0].weight.detach().clone())

    batches = blobs(96, 1)
    train.fit(net, batches, blobs(64, 2), 2, 0.1, "cpu", init=None, callbacks=[ema, Snapshot()],
              evaluate=ema.averaged)
    average = weights[0]
    for w in weights[1:]:
        average = 0.8 * average + 0.2 * w
    torch.testing.assert_close(ema.averaged()[0].weight, average)
    assert not torch.equal(ema.averaged()[0].weight, net[0].weight)


def test_keep_best_restores_and_saves_the_best_epoch(tmp_path):
    keep = KeepBest(directory=tmp_path)
    net = nn.Linear(1, 1, bias=False)
    history = train.History()
    for epoch, (w, acc) in enumerate([(1.0, 0.5), (2.0, 0.8), (3.0, 0.7)], start=1):
        net.weight.data.fill_(w)
        history.append(1.0, 0.5, acc, 1.0, 1.0)
        keep.on_epoch_end(history, epoch=epoch, num_epochs=3, net=net, optimizer=None)
    keep.on_train_end(history, epoch=3, num_epochs=3, net=net, optimizer=None)
    assert net.weight.item() == 2.0 and history.metadata["best_epoch"] == 2
    from safetensors.torch import load_file

    assert load_file(str(tmp_path / BEST_WEIGHTS))["weight"].item() == 2.0
    assert (tmp_path / BEST_JSON).read_text().strip() == '{"epoch": 2, "acc": 0.8}'


# --- the recipe ---------------------------------------------------------------------------


def test_pieces_switch_off_independently():
    base = ModernRecipe()
    assert base.without("schedule").schedule is None and base.without("schedule").lr == base.lr
    assert base.without("momentum").momentum == 0 and base.without("momentum").weight_decay == base.weight_decay
    assert base.without("weight_decay").weight_decay == 0 and base.without("weight_decay").momentum == base.momentum
    off = base.without(*PIECES)
    assert (off.crop_padding, off.flip, off.erasing, off.label_smoothing, off.ema, off.keep_best, off.tta,
            off.amp, off.schedule) == (0, False, 0, 0, None, False, False, False, None)
    with pytest.raises(ValueError, match="ema must be a share"):
        base.replace(ema=2.0)


def test_recipe_trains_keeps_the_best_epoch_and_records_itself(tmp_path):
    g = torch.Generator().manual_seed(0)
    labels = torch.randint(0, 2, (240,), generator=g)
    images = torch.randint(0, 100, (240, 12, 12), dtype=torch.uint8, generator=g)
    for image, label in zip(images, labels):
        image[:, 1:5] += 150 if label == 0 else 0
        image[:, 7:11] += 150 if label == 1 else 0
    # A bright band on the left or on the right: a flip swaps the classes, so this recipe flips nothing.
    recipe = ModernRecipe(epochs=3, batch_size=32, lr=0.05, ema=0.3).without("flip", "tta")
    train_iter = data.ImageBatches(images[:160], labels[:160], 32, True, seed=0)
    val_iter = data.ImageBatches(images[160:], labels[160:], 80, False)
    net = small_cnn()
    net[-1] = nn.Linear(4 * 36, 2)
    history = recipe.fit(net, train_iter, val_iter, device="cpu", best_dir=tmp_path)
    assert history.metadata["recipe_settings"]["name"] == "baseline"
    best = history.metadata["best_epoch"]
    assert history.test_acc[best - 1] == max(history.test_acc) == history.metadata["best_acc"]
    assert train.evaluate_accuracy(net, val_iter) == pytest.approx(history.metadata["best_acc"])
    assert (tmp_path / BEST_WEIGHTS).is_file()
    assert max(history.test_acc) > 0.7
