"""Stacked ring GANs (cnnguide.gan.stacked), the generator's moving average and the hinge loss."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from cnnguide.gan import GeneratorEMA, fit_gan, gan_loss
from cnnguide.gan.compare import RingSetting
from cnnguide.gan.nets import DCGANDiscriminator, DCGANGenerator, MLPDiscriminator, MLPGenerator
from cnnguide.gan.remedies import MinibatchStd
from cnnguide.gan.stacked import StackedMLP, _Game, standard_error, train_ring_seeds


def test_stacked_mlp_is_each_seeds_own_mlp():
    net = StackedMLP([3, 8, 8, 2], seeds=[4, 7])
    x = torch.randn(2, 5, 3)
    for k, seed in enumerate([4, 7]):
        torch.manual_seed(seed)  # nn.Linear's draws, layer by layer, as StackedMLP makes them
        mlp = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))
        torch.testing.assert_close(net(x)[k], mlp(x[k]))


def test_stacked_minibatch_std_matches_the_layer():
    net = StackedMLP([2, 6, 1], seeds=[0, 1], minibatch_std=True)
    assert net.weights[-1].shape == (2, 7, 1)
    from cnnguide.gan.stacked import _minibatch_std

    x = torch.randn(2, 8, 6)
    for k in range(2):
        torch.testing.assert_close(_minibatch_std(x)[k], MinibatchStd()(x[k])[:, -1:])


def test_stacked_spectral_norm_brings_the_largest_singular_value_to_one():
    net = StackedMLP([2, 16, 16, 1], seeds=[0, 1, 2], spectral_norm=True)
    for _ in range(30):  # one power iteration per training forward pass
        net(torch.randn(3, 4, 2))
    for i, w in enumerate(net.weights):
        sigma = torch.linalg.matrix_norm(net._normalized(i, w.detach()), ord=2)
        torch.testing.assert_close(sigma, torch.ones(3), atol=1e-3, rtol=0)


def test_train_ring_seeds_is_reproducible_and_measures_each_seed():
    setting = RingSetting("minibatch std", minibatch_std=True)
    a = train_ring_seeds(setting, seeds=[0, 1], steps=30, sample_every=15, eval_samples=200)
    b = train_ring_seeds(setting, seeds=[0, 1], steps=30, sample_every=15, eval_samples=200)
    assert [r.seed for r in a] == [0, 1] and [r.coverage for r in a] == [r.coverage for r in b]
    assert all(torch.equal(x.samples[30], y.samples[30]) for x, y in zip(a, b))
    assert a[0].samples[30].shape == (512, 2) and not torch.equal(a[0].samples[30], a[1].samples[30])


def test_every_remedy_trains_stacked():
    for setting in (RingSetting("PacGAN2", pack=2), RingSetting("sn", spectral_norm=True),
                    RingSetting("wgan", loss="wgan-gp", d_steps=2, gp_weight=0.1, betas=(0.5, 0.9)),
                    RingSetting("hinge", loss="hinge"), RingSetting("unrolled", unroll=2),
                    RingSetting("unrolled through", unroll=2, unroll_through=True)):
        runs = train_ring_seeds(setting, seeds=[3, 4], steps=6, sample_every=3, eval_samples=100)
        assert all(torch.isfinite(r.samples[6]).all() for r in runs), setting.name


def test_unrolling_through_the_steps_makes_the_lookahead_depend_on_the_generator():
    setting = RingSetting("unrolled", unroll=3, unroll_through=True)
    data = torch.randn(2, 256, 2)
    game = _Game(setting, [0, 1], data, 1e-3, 1e-3, (0.5, 0.999), torch.Generator().manual_seed(0))
    for _ in range(3):  # Adam has moments to start from
        game.d_update()
    unrolled = game._unrolled_params(3)
    grads = torch.autograd.grad(sum(p.sum() for p in unrolled), game.G.weights[0], allow_unused=True)[0]
    assert grads is not None and grads.abs().sum() > 0, "the look-ahead weights must depend on G's weights"
    # And they are Adam's updates: three steps of torch.optim.Adam on the same losses move D alike.
    assert all(not torch.equal(u.detach(), p.detach()) for u, p in zip(unrolled, game.D.parameters_list()))


def test_plain_gradient_steps_are_sgd_updates_of_each_seed():
    """A game with ``"optimizer": "sgd"`` moves every weight by exactly -lr times its own seed's gradient."""
    from cnnguide.gan.compare import HOPPING_GAME

    setting = RingSetting("GAN", game=dict(HOPPING_GAME, batch_size=8))
    data = torch.randn(2, 64, 2)
    game = _Game(setting, [0, 1], data, 0.05, 0.05, (0.5, 0.999), torch.Generator().manual_seed(0))
    assert isinstance(game.opt_d, torch.optim.SGD) and isinstance(game.opt_g, torch.optim.SGD)
    before = [p.detach().clone() for p in game.D.parameters()]
    real, fake = game.real(), game.G(game.noise()).detach()
    grads = torch.autograd.grad(game.d_loss(real, fake), list(game.D.parameters()))
    for p, g in zip(game.D.parameters(), grads):
        p.grad = g
    game.opt_d.step()
    for p, b, g in zip(game.D.parameters(), before, grads):
        torch.testing.assert_close(p.detach(), b - 0.05 * g)
    # Each seed's gradient is its own batch mean's: seed 1's data does not touch seed 0's weights.
    data2 = data.clone()
    data2[1] += 5.0
    game2 = _Game(setting, [0, 1], data2, 0.05, 0.05, (0.5, 0.999), torch.Generator().manual_seed(0))
    real2 = game2.real()
    grads2 = torch.autograd.grad(game2.d_loss(real2, fake), list(game2.D.parameters()))
    torch.testing.assert_close(grads2[0][0], grads[0][0])
    assert not torch.allclose(grads2[0][1], grads[0][1])


def test_the_hopping_game_trains_stacked_and_refuses_what_it_cannot():
    from cnnguide.gan.compare import HOPPING_GAME, run_ring

    runs = train_ring_seeds(RingSetting("GAN", game=dict(HOPPING_GAME)), seeds=[0, 1], steps=10, sample_every=5,
                            eval_samples=100)
    assert all(torch.isfinite(r.samples[10]).all() for r in runs)
    with pytest.raises(ValueError, match="writes out Adam's update"):
        train_ring_seeds(RingSetting("u", unroll=2, unroll_through=True, game=dict(HOPPING_GAME)), seeds=[0])
    with pytest.raises(ValueError, match="run_ring trains Adam games only"):
        run_ring(RingSetting("GAN", game=dict(HOPPING_GAME)), seed=0, steps=2)
    with pytest.raises(ValueError, match="'adam' or 'sgd', got 'rmsprop'"):
        train_ring_seeds(RingSetting("GAN", game=dict(HOPPING_GAME, optimizer="rmsprop")), seeds=[0], steps=1)


def test_standard_error():
    assert standard_error([5.0]) == 0.0
    assert abs(standard_error([1.0, 3.0]) - 1.0) < 1e-12


def test_hinge_loss_margins():
    loss = gan_loss("hinge")
    assert loss.discriminator_loss(torch.tensor([1.0, 3.0]), torch.tensor([-1.0, -5.0])).item() == 0.0
    assert loss.discriminator_loss(torch.tensor([0.0]), torch.tensor([0.0])).item() == 2.0


def test_fit_gan_samples_from_the_generators_average():
    real = torch.randn(256, 2) * 0.1 + 1.0
    g, d = MLPGenerator(latent_dim=4, hidden=16), MLPDiscriminator(hidden=16)
    ema = GeneratorEMA(g, decay=0.9)
    steps = []
    history = fit_gan(g, d, real, steps=20, batch_size=32, device="cpu", seed=0, ema=ema, sample_every=10,
                      log_every=10, on_sample=lambda step, sampler: steps.append((step, sampler is ema.module,
                                                                                  sampler.training)))
    assert steps == [(0, True, False), (10, True, False), (20, True, False)]
    assert ema.updates == 21 and history.metadata["ema"] == 0.9  # the start, then every generator update
    fixed = torch.randn(64, 4, generator=torch.Generator().manual_seed(0))  # not fit_gan's fixed noise
    with torch.no_grad():
        assert not torch.equal(ema.module(fixed), g(fixed)), "the average is not the last weights"


def test_resume_with_ema_equals_uninterrupted_run(tmp_path):
    def make():
        return DCGANGenerator(latent_dim=8, width=4), DCGANDiscriminator(width=4)

    data = torch.rand(64, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    options = dict(batch_size=16, scale_to_tanh=True, device="cpu", seed=3, log_every=4, sample_every=4,
                   num_samples=4)
    g_full, d_full = make()
    ema_full = GeneratorEMA(g_full, decay=0.95)
    fit_gan(g_full, d_full, data, steps=12, ema=ema_full, checkpoint_dir=tmp_path / "full", **options)
    g_cut, d_cut = make()
    fit_gan(g_cut, d_cut, data, steps=8, ema=GeneratorEMA(g_cut, decay=0.95), checkpoint_dir=tmp_path / "cut",
            **options)
    g_res, d_res = make()
    ema_res = GeneratorEMA(g_res, decay=0.95)
    fit_gan(g_res, d_res, data, steps=12, ema=ema_res, checkpoint_dir=tmp_path / "cut", resume=True, **options)
    full, resumed = ema_full.state_dict(), ema_res.state_dict()
    assert full.keys() == resumed.keys() and all(torch.equal(full[k], resumed[k]) for k in full)
