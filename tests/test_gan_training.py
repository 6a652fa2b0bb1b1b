"""cnnguide.gan.fit_gan: learning the ring, exact resume, non-finite losses, the losses, data checks, history."""

import json
import math

import pytest
import torch
import torch.nn.functional as F

from cnnguide.gan import training
from cnnguide.gan.coverage import mode_coverage
from cnnguide.gan.history import GANHistory
from cnnguide.gan.losses import GANLoss, NonSaturatingLoss, SaturatingLoss, gan_loss
from cnnguide.gan.nets import DCGANDiscriminator, DCGANGenerator, MLPDiscriminator, MLPGenerator, default_init_
from cnnguide.gan.toy_data import ring_centers, ring_of_gaussians
from cnnguide.gan.training import NonFiniteGANLossError, fit_gan


def tiny_mlps(latent_dim=4, hidden=16):
    return MLPGenerator(latent_dim=latent_dim, hidden=hidden), MLPDiscriminator(hidden=hidden)


def blobs(n=256, seed=0):
    return torch.randn(n, 2, generator=torch.Generator().manual_seed(seed)) * 0.1 + 1.0


def states_equal(a, b):
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


# --- learning -------------------------------------------------------------------------------


@pytest.mark.slow
def test_learns_several_modes_of_the_ring():
    # A wider ring (std 0.1 instead of 0.02) and a higher learning rate than the recipe's,
    # so that 400 steps suffice; PyTorch's initialisation learns faster here than DCGAN's.
    std = 0.1
    real = ring_of_gaussians(10_000, std=std, seed=1)
    g, d = MLPGenerator(latent_dim=16), MLPDiscriminator()
    history = fit_gan(g, d, real, steps=400, batch_size=256, lr=2e-3, init=default_init_, device="cpu",
                      seed=0, sample_every=400, num_samples=1000)
    coverage = mode_coverage(history.samples[400], ring_centers(), std=std, min_count=10)
    assert coverage.modes >= 4, coverage
    assert coverage.high_quality > 0.1, coverage
    # The discriminator is not winning outright: both probabilities stay away from 0 and 1.
    assert 0.2 < history.d_real[-1] < 0.9 and 0.1 < history.d_fake[-1] < 0.8


def test_history_entries_samples_and_metadata():
    g, d = tiny_mlps()
    history = fit_gan(g, d, blobs(), steps=25, batch_size=32, device="cpu", seed=3, log_every=10, sample_every=10,
                      num_samples=7)
    assert history.step == [10, 20, 25]
    assert sorted(history.samples) == [0, 10, 20, 25] and history.samples[0].shape == (7, 2)
    assert all(s.device.type == "cpu" for s in history.samples.values())
    assert all(0 <= p <= 1 for p in history.d_real + history.d_fake)
    assert history.seconds == sorted(history.seconds) and history.seconds[0] > 0
    meta = history.metadata
    assert meta["generator"] == "MLPGenerator" and meta["seed"] == 3 and meta["steps"] == 25
    assert (meta["lr_g"], meta["lr_d"], meta["betas"], meta["loss"]) == (2e-4, 2e-4, [0.5, 0.999], "bce")
    assert meta["device"].startswith("cpu")


def test_same_seed_same_run_other_seed_other_run():
    runs = []
    for seed in (0, 0, 1):
        g, d = tiny_mlps()
        runs.append((fit_gan(g, d, blobs(), steps=12, batch_size=32, device="cpu", seed=seed, log_every=4), g))
    assert runs[0][0].d_loss == runs[1][0].d_loss and states_equal(runs[0][1], runs[1][1])
    assert runs[0][0].d_loss != runs[2][0].d_loss


def test_epochs_count_discriminator_passes():
    g, d = tiny_mlps()
    # 256 examples in batches of 32 = 8 batches per epoch; 3 epochs at 2 D updates per step = 12 steps.
    history = fit_gan(g, d, blobs(), epochs=3, batch_size=32, d_steps=2, device="cpu", seed=0, log_every=100)
    assert history.step == [12]


# --- exact resume -------------------------------------------------------------------------------


def run_twice(tmp_path, make, data, **options):
    """(uninterrupted, resumed): 2N steps at once, and N steps then N more from the checkpoint."""
    g_full, d_full = make()
    full = fit_gan(g_full, d_full, data, steps=16, checkpoint_dir=tmp_path / "full", **options)
    g_cut, d_cut = make()
    fit_gan(g_cut, d_cut, data, steps=8, checkpoint_dir=tmp_path / "cut", **options)
    g_res, d_res = make()  # fresh networks: everything comes from the checkpoint
    resumed = fit_gan(g_res, d_res, data, steps=16, checkpoint_dir=tmp_path / "cut", resume=True, **options)
    assert states_equal(g_full, g_res) and states_equal(d_full, d_res)
    for name in ("step", "d_loss", "g_loss", "d_real", "d_fake"):
        assert getattr(full, name) == getattr(resumed, name), name
    assert full.samples.keys() == resumed.samples.keys()
    assert all(torch.equal(full.samples[k], resumed.samples[k]) for k in full.samples)
    return full, resumed


def test_resume_equals_uninterrupted_run_tensor_data(tmp_path):
    # 200 examples in batches of 32: 6 batches per epoch, so both halves cross epoch boundaries mid-way.
    run_twice(tmp_path, tiny_mlps, blobs(200), batch_size=32, d_steps=2, device="cpu", seed=5, log_every=4,
              sample_every=4, checkpoint_every=4)
    assert sorted(p.name for p in (tmp_path / "cut").iterdir()) == [
        "checkpoint.json", "checkpoint.previous.json", "step-0000012.safetensors", "step-0000016.safetensors"]


def test_resume_equals_uninterrupted_run_dcgan_on_image_batches(tmp_path):
    class Batches:  # a re-iterable with set_epoch, as load_fashion_mnist's
        def __init__(self):
            self.images, self.epoch = torch.rand(40, 1, 28, 28, generator=torch.Generator().manual_seed(0)), 0

        def set_epoch(self, epoch):
            self.epoch = epoch

        def __len__(self):
            return 5

        def __iter__(self):
            order = torch.randperm(40, generator=torch.Generator().manual_seed(self.epoch))
            for i in range(5):
                yield self.images[order[8 * i:8 * i + 8]], torch.zeros(8)

    run_twice(tmp_path, lambda: (DCGANGenerator(latent_dim=8, width=4), DCGANDiscriminator(width=4)), Batches(),
              scale_to_tanh=True, device="cpu", seed=1, log_every=4, sample_every=8, num_samples=4)


def test_checkpoint_has_no_pickle_and_refuses_other_settings(tmp_path):
    g, d = tiny_mlps()
    fit_gan(g, d, blobs(), steps=4, batch_size=32, device="cpu", seed=0, checkpoint_dir=tmp_path, log_every=2)
    record = json.loads((tmp_path / "checkpoint.json").read_text())
    assert record["format"] == "cnnguide-gan-checkpoint-1" and record["step"] == 4
    assert record["state"]["real"] == {"epoch": 0, "index": 4}
    assert not [p for p in tmp_path.iterdir() if p.suffix in (".pt", ".pth", ".pkl")]
    with pytest.raises(ValueError, match="was made with .*'lr_g': 0.0002.* but fit_gan was called with .*'lr_g': 0.001"):
        fit_gan(*tiny_mlps(), blobs(), steps=8, batch_size=32, device="cpu", seed=0, lr_g=1e-3,
                checkpoint_dir=tmp_path, resume=True, log_every=2)
    with pytest.raises(ValueError, match="is at step 4, past steps=2"):
        fit_gan(*tiny_mlps(), blobs(), steps=2, batch_size=32, device="cpu", seed=0, checkpoint_dir=tmp_path,
                resume=True, log_every=2)
    # Without a seed, a resumed run takes the checkpoint's.
    history = fit_gan(*tiny_mlps(), blobs(), steps=6, batch_size=32, device="cpu", checkpoint_dir=tmp_path,
                      resume=True, log_every=2)
    assert history.step == [2, 4, 6] and history.metadata["seed"] == 0


# --- non-finite losses ------------------------------------------------------------------------


@pytest.mark.parametrize("each_step", [True, False])
def test_non_finite_loss_names_the_step(monkeypatch, each_step):
    # each_step=False takes the GPU's path (flags on the device, read at the log step) on the CPU.
    monkeypatch.setattr(training, "checks_each_step", lambda device: each_step)
    g, d = tiny_mlps()
    calls = {"n": 0}

    def poison(module, inputs, output):
        calls["n"] += 1
        return output * float("nan") if calls["n"] > 2 * 3 else output  # D runs 3 times a step

    d.register_forward_hook(poison)
    with pytest.raises(NonFiniteGANLossError, match="the discriminator loss is not finite at step 3") as info:
        fit_gan(g, d, blobs(), steps=10, batch_size=32, device="cpu", seed=0, log_every=5)
    assert (info.value.step, info.value.network) == (3, "discriminator")


def test_huge_learning_rate_diverges():
    g, d = tiny_mlps()
    with pytest.raises(NonFiniteGANLossError, match=r"loss is not finite at step \d+ \(counted from 1\)"):
        fit_gan(g, d, blobs(), steps=200, batch_size=32, device="cpu", seed=0, lr=1e30)


# --- the losses ------------------------------------------------------------------------------------


def test_loss_values_and_gradients_on_known_logits():
    logits = torch.tensor([-10.0, -1.0, 0.0, 2.0], dtype=torch.float64)
    sigmoid = torch.sigmoid(logits)
    for loss, value, grad in ((NonSaturatingLoss(), -torch.log(sigmoid), -(1 - sigmoid)),
                              (SaturatingLoss(), torch.log(1 - sigmoid), -sigmoid)):
        for i in range(len(logits)):  # one logit at a time: value and derivative in closed form
            l_i = logits[i:i + 1].clone().requires_grad_(True)
            out = loss.generator_loss(l_i)
            out.backward()
            assert out.item() == pytest.approx(value[i].item(), rel=1e-12)
            assert l_i.grad.item() == pytest.approx(grad[i].item(), rel=1e-12)
    # The point of the non-saturating loss: where D rejects a fake (logit -10), its gradient is ~22,000 times larger.
    ratio = (1 - sigmoid[0]) / sigmoid[0]
    assert ratio.item() == pytest.approx(math.exp(10))
    real, fake = torch.tensor([3.0, -1.0]), torch.tensor([0.5, -2.0])
    expected = F.softplus(-real).mean() + F.softplus(fake).mean()
    for loss in (NonSaturatingLoss(), SaturatingLoss()):
        assert torch.allclose(loss.discriminator_loss(real, fake), expected)
    assert NonSaturatingLoss().discriminator_loss(torch.full((3,), 50.0), torch.full((3,), -50.0)) < 1e-20


def test_saturating_loss_trains_and_is_recorded():
    g, d = tiny_mlps()
    history = fit_gan(g, d, blobs(), steps=4, batch_size=32, device="cpu", seed=0, loss="saturating", log_every=4)
    assert history.metadata["loss"] == "saturating" and history.g_loss[0] < 0  # log(1 - D) < 0
    with pytest.raises(ValueError, match="unknown GAN loss 'lsgan'; known: bce, saturating"):
        gan_loss("lsgan")


def test_a_discriminator_penalty_plugs_in():
    class Penalised(NonSaturatingLoss):
        name = "penalised"

        def discriminator_penalty(self, discriminator, real, fake):
            return (discriminator(real) ** 2).mean() * 0 + 5.0

    history = fit_gan(*tiny_mlps(), blobs(), steps=3, batch_size=32, device="cpu", seed=0, loss=Penalised(),
                      log_every=3)
    assert history.d_loss[0] > 5 and history.metadata["loss"] == "penalised"
    assert isinstance(Penalised(), GANLoss)


# --- bad arguments and data ---------------------------------------------------------------------


@pytest.mark.parametrize("data, options, message", [
    (blobs(), {"steps": 2, "epochs": 1}, "give exactly one of steps and epochs"),
    (blobs(), {}, "give exactly one of steps and epochs, got steps=None, epochs=None"),
    (blobs(), {"steps": 0}, "steps must be a positive integer, got 0"),
    (blobs(), {"steps": 2, "batch_size": 0}, "batch_size must be a positive integer, got 0"),
    (blobs(10), {"steps": 2, "batch_size": 32}, "data has 10 examples, fewer than one batch of batch_size=32"),
    (torch.ones(64, 2, dtype=torch.int64), {"steps": 2}, "must be floating point of shape"),
    (blobs(), {"steps": 2, "lr": -1.0}, "lr must be a positive number, got -1.0"),
    (blobs(), {"steps": 2, "betas": (0.5, 1.5)}, r"betas must be two numbers in \[0, 1\)"),
    (blobs(), {"steps": 2, "log_every": 3, "checkpoint_every": 4}, "must be a multiple of log_every"),
    (blobs(), {"steps": 2, "resume": True}, "resume=True needs a checkpoint_dir"),
    (blobs(), {"steps": 2, "latent_dim": 5}, "latent_dim=5 but the generator takes noise of 4 values"),
    (blobs(), {"steps": 2, "init": "xavier"}, "init must be a callable or None"),
    (blobs(), {"steps": 2, "scale_to_tanh": True}, r"scale_to_tanh=True expects examples in \[0, 1\], got values"),
    (torch.zeros(64, 3), {"steps": 2}, r"the generator makes samples of shape \(2,\), but the real examples have "
                                       r"shape \(3,\)"),
    ([(blobs(8), None)], {"steps": 2, "batch_size": 8}, "batch_size=8 applies to a tensor of examples"),
    (iter([(blobs(8), None)]), {"steps": 2}, "data must be a tensor or a re-iterable of batches"),
    ([], {"steps": 2}, "data yielded no batches"),
    ([("not a tensor", 0)], {"steps": 2}, "each batch must be a floating-point tensor or an"),
    ((b for b in []), {"epochs": 1}, "data must be a tensor or a re-iterable"),
])
def test_bad_arguments_and_data(data, options, message):
    with pytest.raises(ValueError, match=message):
        fit_gan(*tiny_mlps(), data, device="cpu", seed=0, **options)


def test_epochs_need_a_known_length():
    class Endless:
        def __iter__(self):
            yield blobs(8), None

    with pytest.raises(ValueError, match="epochs needs data whose number of batches is known"):
        fit_gan(*tiny_mlps(), Endless(), epochs=1, device="cpu", seed=0)
    history = fit_gan(*tiny_mlps(), Endless(), steps=3, device="cpu", seed=0, log_every=3)  # one batch per epoch
    assert history.step == [3]


# --- the history ------------------------------------------------------------------------------------


def test_history_round_trips_through_json_and_csv(tmp_path):
    history = fit_gan(*tiny_mlps(), blobs(), steps=6, batch_size=32, device="cpu", seed=0, log_every=3)
    path = history.save_json(tmp_path / "h.json", note="x")
    loaded = GANHistory.load_json(path)
    assert loaded.step == history.step and loaded.d_fake == history.d_fake and loaded.samples == {}
    assert loaded.metadata["note"] == "x" and loaded.metadata["torch"] == torch.__version__
    assert json.loads(path.read_text())["sample_steps"] == [0, 6]
    lines = history.save_csv(tmp_path / "h.csv").read_text().splitlines()
    assert lines[0] == "step,d_loss,g_loss,d_real,d_fake,seconds" and len(lines) == 3
    with pytest.raises(ValueError, match="unknown GANHistory fields"):
        GANHistory.from_dict({**history.to_dict(), "extra": []})
    with pytest.raises(ValueError, match="steps must increase: got 6 after 6"):
        history.append(6, d_loss=1, g_loss=1, d_real=0.5, d_fake=0.5, seconds=1)
    with pytest.raises(ValueError, match="the history is empty"):
        GANHistory().final


# --- a learning rate that decays at the end ---------------------------------------------------


def test_lr_decay_falls_linearly_over_the_last_share_and_resumes_exactly(tmp_path):
    from cnnguide.gan.training import _linear_decay

    optimizer = torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))], lr=0.8)
    schedule = _linear_decay(optimizer, 0.8, 0, 10, 0.4)  # steps 7..10 decay
    rates = []
    for _ in range(10):
        rates.append(round(optimizer.param_groups[0]["lr"], 6))
        optimizer.step()  # no gradients: changes nothing, but keeps torch's call order
        schedule.step()
    assert rates == [0.8] * 7 + [0.6, 0.4, 0.2]
    resumed_opt = torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))], lr=0.8)
    _linear_decay(resumed_opt, 0.8, 8, 10, 0.4)  # made at step 8, as a resumed run makes it
    assert round(resumed_opt.param_groups[0]["lr"], 6) == 0.4
    # The whole loop: a 16-step run interrupted at step 12 (its last checkpoint: step 8, inside the decay)
    # and resumed equals an uninterrupted one. (A run of 8 steps would be another schedule.)
    options = dict(steps=16, batch_size=32, device="cpu", seed=3, log_every=4, sample_every=4, checkpoint_every=4,
                   lr_decay=0.75)
    g_full, d_full = tiny_mlps()
    fit_gan(g_full, d_full, blobs(200), checkpoint_dir=tmp_path / "full", **options)

    def interrupt(step, sampler):
        if step == 12:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fit_gan(*tiny_mlps(), blobs(200), checkpoint_dir=tmp_path / "cut", on_sample=interrupt, **options)
    g_res, d_res = tiny_mlps()
    fit_gan(g_res, d_res, blobs(200), checkpoint_dir=tmp_path / "cut", resume=True, **options)
    assert states_equal(g_full, g_res) and states_equal(d_full, d_res)
    with pytest.raises(ValueError, match=r"lr_decay must be a share of the run in \(0, 1\], got 0"):
        fit_gan(*tiny_mlps(), blobs(64), steps=2, batch_size=32, device="cpu", lr_decay=0)


def test_standing_statistics_recompute_batch_norm_from_the_generators_own_outputs():
    from cnnguide.gan.average import GeneratorEMA, standing_statistics
    from cnnguide.gan.nets import DCGANGenerator

    torch.manual_seed(0)
    g = DCGANGenerator(latent_dim=8, width=4)
    ema = GeneratorEMA(g, decay=0.9)
    ema.update(g)
    standing = ema.standing_statistics(batches=4, batch_size=32)
    norm = next(m for m in standing.modules() if isinstance(m, torch.nn.BatchNorm2d))
    # the statistics are those of the copy's own activations: a batch of 128 in train mode gives the same means
    probe = standing_statistics(g, batches=1, batch_size=128)
    probe_norm = next(m for m in probe.modules() if isinstance(m, torch.nn.BatchNorm2d))
    assert torch.allclose(norm.running_mean, probe_norm.running_mean, atol=0.15)
    assert norm.momentum == 0.1 and not standing.training
    assert ema.module.state_dict().keys() == standing.state_dict().keys()
    assert not torch.equal(next(m for m in ema.module.modules() if isinstance(m, torch.nn.BatchNorm2d)).running_mean,
                           norm.running_mean)
