"""Remedies for mode collapse (WGAN-GP, spectral norm, minibatch std, packing, unrolling) and conditional fit_gan."""

import json

import pytest
import torch
from torch import nn

from _commands import run_ok, usage_error
from cnnguide.gan import nets, registry, training
from cnnguide.gan.batches import RealBatches
from cnnguide.gan.losses import WGANGPLoss, gan_loss
from cnnguide.gan.remedies import MinibatchStd, discriminator_remedies, is_spectral_normed, pack_samples, spectral_norm_
from cnnguide.gan.toy_data import ring_of_gaussians
from cnnguide.gan.step import GameStep
from cnnguide.gan.training import fit_gan, fixed_labels

RING = ["--steps", "4", "--train-size", "256", "--batch-size", "32", "--device", "cpu", "--eval-samples", "40",
        "--quiet"]


def ring(n=512):
    return ring_of_gaussians(n, std=0.05, seed=0)


def tiny_g():
    return nets.MLPGenerator(latent_dim=4, hidden=16)


# --- WGAN-GP ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("w", [[3.0, 4.0], [0.6, 0.8], [0.1, -0.2]])
def test_gradient_penalty_of_a_linear_critic(w):
    w = torch.tensor(w, dtype=torch.float64)
    loss = WGANGPLoss(gp_weight=2.5)
    real, fake = torch.randn(16, 2, dtype=torch.float64), torch.randn(16, 2, dtype=torch.float64)
    penalty = loss.discriminator_penalty(lambda x: x @ w, real, fake, generator=torch.Generator().manual_seed(0))
    assert penalty.item() == pytest.approx(2.5 * (w.norm().item() - 1) ** 2, rel=1e-12)


def test_gradient_penalty_is_differentiable_reproducible_and_per_pack():
    critic = nn.Linear(2, 1, dtype=torch.float64)
    real, fake = torch.randn(8, 2, dtype=torch.float64), torch.randn(8, 2, dtype=torch.float64)
    loss = WGANGPLoss()
    a, b = (loss.discriminator_penalty(lambda x: critic(x).squeeze(1), real, fake,
                                       generator=torch.Generator().manual_seed(1)) for _ in range(2))
    assert a.item() == b.item()
    a.backward()  # the penalty reaches the critic's weights (create_graph=True)
    assert critic.weight.grad is not None and critic.weight.grad.abs().sum() > 0
    # A packing critic: 2 samples per output, the norm over both: sqrt(2)·|w| per pack.
    w = torch.tensor([0.6, 0.8], dtype=torch.float64)
    packed = loss.discriminator_penalty(lambda x: pack_samples(x, 2) @ torch.cat([w, w]), real, fake)
    assert packed.item() == pytest.approx(10 * (2 ** 0.5 - 1) ** 2, rel=1e-12)


def test_wgan_gp_losses_and_logging():
    loss = gan_loss("wgan-gp", gp_weight=3.0)
    assert loss.gp_weight == 3.0 and loss.name == "wgan-gp"
    real, fake = torch.tensor([1.0, 3.0]), torch.tensor([-2.0, 0.0])
    assert loss.discriminator_loss(real, fake).item() == -3.0 and loss.generator_loss(fake).item() == 1.0
    assert [t.item() for t in loss.describe(real, fake)] == [2.0, -1.0]  # mean scores, not sigmoids
    d = nets.MLPDiscriminator(hidden=16)
    history = fit_gan(tiny_g(), d, ring(), steps=6, batch_size=64, d_steps=2, loss=loss, device="cpu", seed=0,
                      log_every=3)
    assert all(map(torch.isfinite, torch.tensor(history.d_loss + history.g_loss)))
    assert history.metadata["loss"] == "wgan-gp" and history.metadata["gp_weight"] == 3.0
    with pytest.raises(ValueError, match="gp_weight must be a positive finite number, got 0"):
        WGANGPLoss(0)
    with pytest.raises(ValueError, match=r"the bce loss takes no option\(s\) \['gp_weight'\]"):
        gan_loss("bce", gp_weight=1.0)


def test_wgan_gp_refuses_batch_norm():
    with pytest.raises(ValueError, match="wgan-gp loss needs a critic without batch norm, but DCGANDiscriminator "
                                         "has batch norm: the gradient penalty is per example"):
        fit_gan(nets.DCGANGenerator(latent_dim=4, width=4), nets.DCGANDiscriminator(width=4),
                torch.rand(16, 1, 28, 28), steps=1, batch_size=8, loss="wgan-gp", device="cpu", seed=0)
    critic = nets.DCGANDiscriminator(width=4, batch_norm=False)
    assert not any(isinstance(m, nn.BatchNorm2d) for m in critic.modules())
    history = fit_gan(nets.DCGANGenerator(latent_dim=4, width=4), critic, torch.rand(16, 1, 28, 28), steps=2,
                      batch_size=8, loss="wgan-gp", scale_to_tanh=True, device="cpu", seed=0, log_every=2)
    assert torch.isfinite(torch.tensor(history.d_loss)).all()


# --- spectral normalization ------------------------------------------------------------------------


@pytest.mark.parametrize("make, shape", [
    (lambda: nets.MLPDiscriminator(hidden=32, spectral_norm=True), (64, 2)),
    (lambda: nets.DCGANDiscriminator(width=4, spectral_norm=True), (8, 1, 28, 28)),
])
def test_spectral_norm_bounds_the_largest_singular_value(make, shape):
    torch.manual_seed(0)
    d = make()
    d.apply(nets.dcgan_init_)  # initialisation writes the underlying weights and restarts the power iteration
    layers = [m for m in d.modules() if isinstance(m, (nn.Linear, nn.Conv2d))]
    assert layers and all(is_spectral_normed(m) for m in layers)
    with torch.no_grad():
        for m in layers:  # large weights: without the norm, sigma would be far from 1
            m.parametrizations.weight.original.mul_(50)
        d.train()
        for _ in range(30):
            d(torch.randn(shape))
    for m in layers:
        sigma = torch.linalg.matrix_norm(m.weight.detach().flatten(1), ord=2).item()
        assert sigma == pytest.approx(1.0, abs=1e-3)
        raw = torch.linalg.matrix_norm(m.parametrizations.weight.original.detach().flatten(1), ord=2).item()
        assert raw > 2
    assert discriminator_remedies(d)["spectral_norm"] is True


def test_spectral_norm_covers_transposed_convolutions_and_default_init_redraws():
    net = spectral_norm_(nn.Sequential(nn.ConvTranspose2d(3, 5, 4), nn.Linear(3, 3)))
    assert all(is_spectral_normed(m) for m in net)
    a, b = nets.MLPDiscriminator(spectral_norm=True), nets.MLPDiscriminator(spectral_norm=True)
    for d in (a, b):
        torch.manual_seed(3)
        d.apply(nets.default_init_)
    assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))
    before = a.net[0].parametrizations.weight.original.clone()
    torch.manual_seed(4)
    a.apply(nets.default_init_)
    assert not torch.equal(before, a.net[0].parametrizations.weight.original)


# --- minibatch standard deviation --------------------------------------------------------------------


@pytest.mark.parametrize("shape, group", [((8, 5), 4), ((8, 3, 4, 4), 4), ((6, 2, 3, 3), 2), ((3, 4), 4)])
def test_minibatch_std_matches_torch_std(shape, group):
    x = torch.randn(shape, dtype=torch.float64)
    out = MinibatchStd(group_size=group)(x)
    assert out.shape == (shape[0], shape[1] + 1, *shape[2:])
    assert torch.equal(out[:, :shape[1]], x)
    g = min(group, shape[0])
    for k in range(shape[0] // g):
        members = x[k * g:(k + 1) * g]
        expected = (members.std(dim=0, unbiased=False) ** 2 + 1e-8).sqrt().mean()
        extra = out[k * g:(k + 1) * g, shape[1]]
        assert torch.allclose(extra, torch.full_like(extra, expected.item()), rtol=1e-12)


def test_minibatch_std_in_the_discriminators_and_bad_batches():
    d = nets.MLPDiscriminator(hidden=8, minibatch_std=True)
    assert isinstance(d.net[-2], MinibatchStd) and d.net[-1].in_features == 9
    dc = nets.DCGANDiscriminator(width=4, minibatch_std=True)
    assert dc.logit.in_channels == 9 and dc(torch.zeros(4, 1, 28, 28)).shape == (4,)
    with pytest.raises(ValueError, match="a batch of N=6 examples is not a multiple of the group size 4"):
        d(torch.zeros(6, 2))
    with pytest.raises(ValueError, match="group_size must be a positive integer, got 0"):
        MinibatchStd(0)
    with pytest.raises(ValueError, match="minibatch_std must be True or False, got 1"):
        nets.MLPDiscriminator(minibatch_std=1)


# --- packing -------------------------------------------------------------------------------------------


def test_packing_shapes_and_what_the_discriminator_sees():
    torch.manual_seed(0)
    d = nets.MLPDiscriminator(hidden=16, pack=2)
    assert d.net[0].in_features == 4
    x = torch.randn(8, 2)
    out = d(x)
    assert out.shape == (4,)
    # Swapping the two samples of a pack changes that pack's logit (D sees them side by side)...
    inside = x.clone()
    inside[[0, 1]] = x[[1, 0]]
    assert not torch.allclose(d(inside)[0], out[0]) and torch.equal(d(inside)[1:], out[1:])
    # ...while moving whole packs only moves the logits.
    across = x.view(4, 2, 2)[[2, 0, 3, 1]].reshape(8, 2)
    assert torch.equal(d(across), out[[2, 0, 3, 1]])
    dc = nets.DCGANDiscriminator(width=4, pack=3)
    assert dc.features[0][0].in_channels == 3 and dc(torch.zeros(6, 1, 28, 28)).shape == (2,)
    assert registry.input_shape(dc) == (3, 1, 28, 28)
    with pytest.raises(ValueError, match="a batch of N=5 samples cannot be cut into packs of 2"):
        d(torch.zeros(5, 2))
    with pytest.raises(ValueError, match="pack must be a positive integer, got 0"):
        nets.MLPDiscriminator(pack=0)


def test_fit_gan_checks_the_pack():
    d = nets.MLPDiscriminator(hidden=16, pack=3)
    with pytest.raises(ValueError, match="batch_size=64 is not divisible by the discriminator's pack=3"):
        fit_gan(tiny_g(), d, ring(), steps=1, batch_size=64, device="cpu", seed=0)
    with pytest.raises(ValueError, match="the discriminator packs 3 samples, but a batch has 8 examples"):
        fit_gan(tiny_g(), d, [(ring(8), None)], steps=1, device="cpu", seed=0)


# --- unrolling -----------------------------------------------------------------------------------------


def test_unrolled_generator_update_restores_the_discriminator_exactly():
    torch.manual_seed(0)
    g, d = tiny_g(), nets.MLPDiscriminator(hidden=16, minibatch_std=True, spectral_norm=True)
    opt_g, opt_d = torch.optim.Adam(g.parameters(), 1e-3), torch.optim.Adam(d.parameters(), 1e-3)
    real = RealBatches(ring(), 32, "cpu", seed=0)
    game = GameStep(g, d, opt_g, opt_d, gan_loss("bce"), real, torch.Generator().manual_seed(0), 4, 1,
                          torch.device("cpu"), None, unroll=3)
    game.discriminator_update()  # Adam has moments to restore
    weights = {k: v.clone() for k, v in d.state_dict().items()}
    moments = [{k: v.clone() for k, v in opt_d.state[p].items()} for p in d.parameters()]
    g_before = [p.clone() for p in g.parameters()]
    assert torch.isfinite(game.generator_update(32))
    assert all(torch.equal(v, weights[k]) for k, v in d.state_dict().items())
    for p, saved in zip(d.parameters(), moments):
        assert all(torch.equal(opt_d.state[p][k], v) for k, v in saved.items())
    assert not all(torch.equal(p, q) for p, q in zip(g.parameters(), g_before))
    # The unrolled D is not D: the generator's step differs from an un-unrolled one from the same state.
    assert real.state()["index"] == 1 + 3  # the look-ahead read fresh real batches


def test_unroll_is_recorded_and_refused_when_resumed_differently(tmp_path):
    options = dict(batch_size=64, device="cpu", seed=0, log_every=2, checkpoint_dir=tmp_path)
    history = fit_gan(tiny_g(), nets.MLPDiscriminator(hidden=16), ring(), steps=2, unroll=2, **options)
    assert history.metadata["unroll"] == 2
    assert history.metadata["discriminator_remedies"] == {"pack": 1, "minibatch_std": False, "spectral_norm": False}
    with pytest.raises(ValueError, match="'unroll': 2.* but fit_gan was called with .*'unroll': 0"):
        fit_gan(tiny_g(), nets.MLPDiscriminator(hidden=16), ring(), steps=4, resume=True, **options)
    with pytest.raises(ValueError, match="'pack': 1.* but fit_gan was called with .*'pack': 2"):
        fit_gan(tiny_g(), nets.MLPDiscriminator(hidden=16, pack=2), ring(), steps=4, unroll=2, resume=True,
                **options)
    with pytest.raises(ValueError, match="unroll must be a non-negative integer, got -1"):
        fit_gan(tiny_g(), nets.MLPDiscriminator(), ring(), steps=1, unroll=-1, device="cpu")


@pytest.mark.parametrize("d_options, fit_options", [
    ({}, {"loss": "wgan-gp", "d_steps": 2}),
    ({"spectral_norm": True}, {}),
    ({"minibatch_std": True}, {}),
    ({"pack": 2}, {}),
    ({}, {"unroll": 2}),
    ({"pack": 2, "minibatch_std": True, "spectral_norm": True}, {"loss": "wgan-gp", "unroll": 1}),
])
def test_each_remedy_trains_on_the_ring(d_options, fit_options):
    history = fit_gan(tiny_g(), nets.MLPDiscriminator(hidden=16, **d_options), ring(), steps=10, batch_size=64,
                      device="cpu", seed=0, log_every=5, **fit_options)
    values = torch.tensor(history.d_loss + history.g_loss + history.d_real + history.d_fake)
    assert history.step == [5, 10] and torch.isfinite(values).all()
    assert history.metadata["discriminator_remedies"] == discriminator_remedies(
        nets.MLPDiscriminator(**d_options))


# --- conditional GANs ------------------------------------------------------------------------------------


class CondG(nn.Module):
    def __init__(self, latent_dim=4, num_classes=3):
        super().__init__()
        self.latent_dim, self.num_classes = latent_dim, num_classes
        self.embed = nn.Embedding(num_classes, 4)
        self.net = nn.Sequential(nn.Linear(latent_dim + 4, 16), nn.ReLU(), nn.Linear(16, 2))
        self.seen = []

    def forward(self, z, labels):
        self.seen.append(labels.clone())
        return self.net(torch.cat([z, self.embed(labels)], 1))


class CondD(nn.Module):
    def __init__(self, num_classes=3):
        super().__init__()
        self.num_classes = num_classes
        self.embed = nn.Embedding(num_classes, 4)
        self.net = nn.Sequential(nn.Linear(2 + 4, 16), nn.ReLU(), nn.Linear(16, 1))
        self.seen = []

    def forward(self, x, labels):
        self.seen.append(labels.clone())
        return self.net(torch.cat([x, self.embed(labels)], 1)).squeeze(1)


def labelled_ring(n=192):
    return ring(n), torch.arange(n) % 3


def test_conditional_labels_reach_both_networks_and_samples():
    g, d = CondG(), CondD()
    X, y = labelled_ring()
    history = fit_gan(g, d, (X, y), steps=4, batch_size=32, device="cpu", seed=0, log_every=2, num_samples=9)
    assert history.sample_labels.tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2] == fixed_labels(9, 3).tolist()
    assert history.metadata["num_classes"] == 3 and history.samples[4].shape == (9, 2)
    assert all(len(s) in (32, 9) and s.min() >= 0 and s.max() < 3 for s in g.seen + d.seen)
    assert len({tuple(s.tolist()) for s in d.seen}) > 2  # real labels and uniform fake labels
    assert torch.isfinite(torch.tensor(history.d_loss)).all()
    # With a wgan-gp critic too (the penalty calls D with the real labels).
    fit_gan(CondG(), CondD(), (X, y), steps=2, batch_size=32, loss="wgan-gp", device="cpu", seed=0, log_every=2)


def test_conditional_iterable_batches_and_resume(tmp_path):
    X, y = labelled_ring(96)
    batches = [(X[i:i + 32], y[i:i + 32]) for i in range(0, 96, 32)]
    kwargs = dict(device="cpu", seed=1, log_every=2, sample_every=2, num_samples=6)

    def make():  # dcgan_init_ leaves embeddings alone: seed them
        torch.manual_seed(0)
        return CondG(), CondD()

    full_g, full_d = make()
    full = fit_gan(full_g, full_d, batches, steps=4, checkpoint_dir=tmp_path / "full", **kwargs)
    fit_gan(*make(), batches, steps=2, checkpoint_dir=tmp_path / "cut", **kwargs)
    g, d = make()
    resumed = fit_gan(g, d, batches, steps=4, checkpoint_dir=tmp_path / "cut", resume=True, **kwargs)
    assert torch.equal(resumed.sample_labels, full.sample_labels)
    assert all(torch.equal(a, b) for a, b in zip(g.state_dict().values(), full_g.state_dict().values()))
    assert resumed.d_loss[-1] == full.d_loss[-1]
    record = json.loads((tmp_path / "cut" / "checkpoint.json").read_text())
    assert record["history"]["sample_labels"] == [0, 0, 1, 1, 2, 2]


@pytest.mark.parametrize("g, d, data, message", [
    (CondG(), CondD(num_classes=4), labelled_ring(), "the generator is conditional with num_classes=3, but the "
                                                      "discriminator's num_classes is 4"),
    (CondG(), nets.MLPDiscriminator(), labelled_ring(), "discriminator's num_classes is None"),
    (tiny_g(), CondD(), ring(), r"the discriminator is conditional \(num_classes=3\) but the generator is not"),
    (CondG(), CondD(), ring(), "a conditional GAN needs labelled data"),
    (CondG(), CondD(), [(ring(32), None)], "a conditional GAN needs .X, y. batches with integer labels"),
    (CondG(), CondD(), (ring(32), torch.zeros(32)), "the labels of .X, y. must be integers"),
])
def test_conditional_refusals(g, d, data, message):
    with pytest.raises(ValueError, match=message):
        fit_gan(g, d, data, steps=1, batch_size=None if isinstance(data, list) else 32, device="cpu", seed=0)


def test_unconditional_run_has_no_sample_labels():
    history = fit_gan(tiny_g(), nets.MLPDiscriminator(hidden=16), (ring(), torch.zeros(512, dtype=torch.long)),
                      steps=2, batch_size=64, device="cpu", seed=0)
    assert history.sample_labels is None and "sample_labels" not in history.to_dict()


# --- the command ---------------------------------------------------------------------------------------


def test_cli_remedy_flags_are_recorded_and_resumed(tmp_path, capsys):
    out = tmp_path / "ring"
    run_ok(["gan", "train", "ring", *RING, "--loss", "wgan-gp", "--gp-weight", "5", "--spectral-norm",
            "--minibatch-std", "--unroll", "2", "--pack", "2", "--out", str(out)], capsys)
    run = json.loads((out / "run.json").read_text())
    assert (run["loss"], run["gp_weight"], run["spectral_norm"], run["minibatch_std"], run["unroll"],
            run["pack"]) == ("wgan-gp", 5.0, True, True, 2, 2)
    meta = json.loads((out / "metrics.json").read_text())["metadata"]
    assert meta["unroll"] == 2 and meta["gp_weight"] == 5.0 and meta["pack"] == 2
    assert meta["discriminator_remedies"] == {"pack": 2, "minibatch_std": True, "spectral_norm": True}
    # Resuming takes the remedies from run.json; giving other ones is refused in one line.
    run_ok(["gan", "train", "ring", "--steps", "6", "--device", "cpu", "--eval-samples", "40", "--quiet",
            "--resume", "--out", str(out)], capsys)
    assert json.loads((out / "metrics.json").read_text())["step"][-1] == 6
    assert "was trained with --unroll 2, not 3" in usage_error(
        ["gan", "train", "ring", "--steps", "8", "--unroll", "3", "--resume", "--out", str(out)], capsys)
    plain = tmp_path / "plain"
    run_ok(["gan", "train", "ring", *RING, "--out", str(plain)], capsys)
    assert "was trained without --spectral-norm" in usage_error(
        ["gan", "train", "ring", "--steps", "8", "--spectral-norm", "--resume", "--out", str(plain)], capsys)
    assert "was trained with --pack 1, not 2" in usage_error(
        ["gan", "train", "ring", "--steps", "8", "--pack", "2", "--resume", "--out", str(plain)], capsys)


@pytest.mark.parametrize("argv, message", [
    (["--unroll", "0"], "argument --unroll: expected a positive integer, got '0'"),
    (["--pack", "1"], "argument --pack: expected an integer >= 2, got '1'"),
    (["--pack", "3"], "--pack 3 needs a batch size divisible by 3, got --batch-size 32"),
    (["--gp-weight", "2"], "--gp-weight applies to --loss wgan-gp, not to --loss bce"),
    (["--gp-weight", "-1", "--loss", "wgan-gp"], "argument --gp-weight: expected a positive finite number"),
    (["--batch-size", "30", "--minibatch-std"], "--minibatch-std groups 4 (packed) samples, but a batch has 30"),
])
def test_cli_bad_remedy_values_are_refused(argv, message, capsys):
    base = ["gan", "train", "ring", "--steps", "2", "--batch-size", "32", "--device", "cpu", "--quiet"]
    assert message in usage_error([*base, *argv], capsys)


def test_cli_wgan_gp_on_dcgan_builds_a_critic_without_batch_norm(tmp_path, capsys):
    out = tmp_path / "dcgan"
    run_ok(["gan", "train", "dcgan", "--steps", "1", "--train-size", "32", "--batch-size", "16", "--width", "4",
            "--device", "cpu", "--eval-samples", "20", "--loss", "wgan-gp", "--quiet", "--out", str(out)], capsys)
    assert json.loads((out / "run.json").read_text())["discriminator_options"] == {"batch_norm": False}


def test_the_curves_of_a_critic_are_drawn_as_scores_not_probabilities():
    from cnnguide.figures import plot_gan_history

    h = {"step": [1, 2], "d_loss": [-3.0, -2.0], "g_loss": [4.0, 5.0], "d_real": [7.0, 8.0],
         "d_fake": [-2.0, -3.0], "metadata": {"loss": "wgan-gp"}}
    scores = plot_gan_history(h).axes[1]
    assert scores.get_ylabel() == "mean critic score" and scores.get_ylim()[1] > 8
    h["metadata"]["loss"] = "bce"
    assert plot_gan_history(h).axes[1].get_ylim() == (-0.02, 1.02)
