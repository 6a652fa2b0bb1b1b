"""One ring setting trained from many seeds at once, as stacked networks.

The ring's networks are tiny: a step of one run costs Python and kernel
overhead, not arithmetic. Stacking the seeds' weights into tensors with a
leading seed dimension (a layer's weights ``(S, in, out)``) lets one batched
matrix product (``torch.baddbmm``) compute a layer for every seed at once, so
``S`` runs cost little more than one. Each seed keeps its own data (the
ring's points drawn from ``1000 + seed``, as :func:`~cnnguide.gan.compare.run_ring`
draws them), initial weights (PyTorch's default initialisation of a linear
layer, from ``seed``) and Adam moments (Adam is elementwise: one optimizer
over stacked tensors is ``S`` independent ones; a game may ask for plain
gradient steps instead, ``"optimizer": "sgd"``). The losses sum over the
seeds, so each seed's gradient is that of its own batch mean.

The networks and remedies are those of :class:`~cnnguide.gan.compare.RingSetting`:
ReLU MLPs, PacGAN's packing, ProGAN's minibatch standard deviation, spectral
normalization (one power iteration per training forward pass, as
``torch.nn.utils.spectral_norm``), the non-saturating and hinge losses,
WGAN-GP, and unrolling in two forms: **first order** (as
:func:`~cnnguide.gan.fit_gan`: the look-ahead discriminator is a constant) and
**through the steps**, as Metz et al. (2017) define it: the generator's
gradient flows back through the ``K`` look-ahead Adam updates of the
discriminator, which depend on the generator's samples.

The batches and noise of all seeds come from one generator seeded by the
seeds, so a seed's numbers depend on which seeds train with it, and are not
:func:`~cnnguide.gan.compare.run_ring`'s bit for bit.
"""

from __future__ import annotations

import math
import time
import zlib

import torch
import torch.nn.functional as F
from torch import nn

from .coverage import mode_coverage
from .losses import gan_loss
from .toy_data import ring_centers, ring_of_gaussians

__all__ = ["StackedMLP", "train_ring_seeds"]


def _check_positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return value


class StackedMLP(nn.Module):
    """``S`` ReLU MLPs of one shape, their weights stacked: ``(S, B, in)`` -> ``(S, B, out)``.

    Layer ``i`` has weights ``(S, in_i, out_i)`` and biases ``(S, 1, out_i)``,
    initialised for seed ``seeds[s]`` as PyTorch initialises ``nn.Linear``
    (uniform in ``±1/sqrt(in_i)``). ``minibatch_std`` appends, before the
    last layer, the mean standard deviation over groups of 4 examples (as
    :class:`~cnnguide.gan.remedies.MinibatchStd`); ``spectral_norm`` divides
    every weight matrix by its largest singular value, estimated by one power
    iteration per training forward pass.

    Examples
    --------
    >>> net = StackedMLP([2, 8, 1], seeds=[0, 1, 2])
    >>> net(torch.zeros(3, 5, 2)).shape
    torch.Size([3, 5, 1])
    >>> single = nn.Linear(2, 8)  # the same draw as PyTorch's for seed 1
    >>> _ = torch.manual_seed(1); single.reset_parameters()
    >>> StackedMLP([2, 8], seeds=[1]).weights[0][0].T.equal(single.weight.detach())
    True
    """

    def __init__(self, sizes, seeds, *, minibatch_std: bool = False, spectral_norm: bool = False):
        super().__init__()
        sizes = [_check_positive_int("a layer size", s) for s in sizes]
        self.seeds = list(seeds)
        self.minibatch_std, self.spectral_norm = minibatch_std, spectral_norm
        ins = [sizes[i] + (minibatch_std and i == len(sizes) - 2) for i in range(len(sizes) - 1)]
        weights, biases = [[] for _ in ins], [[] for _ in ins]
        with torch.random.fork_rng(devices=[]):  # the caller's global generator is left as it was
            for seed in self.seeds:
                torch.manual_seed(seed)  # nn.Linear's own draws, layer by layer, for this seed
                for i, (n_in, n_out) in enumerate(zip(ins, sizes[1:])):
                    layer = nn.Linear(n_in, n_out)
                    weights[i].append(layer.weight.detach().T.clone())
                    biases[i].append(layer.bias.detach()[None].clone())
        self.weights = nn.ParameterList(torch.stack(w) for w in weights)
        self.biases = nn.ParameterList(torch.stack(b) for b in biases)
        if spectral_norm:
            gen = torch.Generator().manual_seed(self.seeds[0])
            for i, w in enumerate(self.weights):
                self.register_buffer(f"u{i}", F.normalize(torch.randn(w.shape[0], w.shape[2], generator=gen), dim=1))

    def parameters_list(self) -> list[torch.Tensor]:
        """Weights and biases, in the order :meth:`forward_with` takes them."""
        return [*self.weights, *self.biases]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_with(self.parameters_list(), x)

    def _normalized(self, i: int, w: torch.Tensor) -> torch.Tensor:
        u = getattr(self, f"u{i}")  # (S, out): the right singular vector's estimate
        if self.training:
            with torch.no_grad():
                v = F.normalize(torch.bmm(w, u[:, :, None])[:, :, 0], dim=1)  # (S, in)
                u = F.normalize(torch.bmm(v[:, None, :], w)[:, 0], dim=1)
                getattr(self, f"u{i}").copy_(u)
        v = F.normalize(torch.bmm(w, u[:, :, None])[:, :, 0], dim=1).detach()
        sigma = torch.bmm(torch.bmm(v[:, None, :], w), u[:, :, None])  # (S, 1, 1)
        return w / sigma

    def forward_with(self, params: list[torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        """The forward pass with ``params`` (as :meth:`parameters_list`) in place of the module's own."""
        n = len(self.weights)
        weights, biases = params[:n], params[n:]
        for i, (w, b) in enumerate(zip(weights, biases)):
            if i == n - 1 and self.minibatch_std:
                x = torch.cat([x, _minibatch_std(x)], dim=2)
            if self.spectral_norm:
                w = self._normalized(i, w)
            x = torch.baddbmm(b, x, w)
            if i < n - 1:
                x = torch.relu(x)
        return x


def _minibatch_std(x: torch.Tensor, group_size: int = 4, eps: float = 1e-8) -> torch.Tensor:
    """Per seed, :class:`~cnnguide.gan.remedies.MinibatchStd`'s extra feature: ``(S, B, F)`` -> ``(S, B, 1)``."""
    s, b, f = x.shape
    g = min(group_size, b)
    groups = x.reshape(s, b // g, g, f)
    std = torch.sqrt(groups.var(dim=2, unbiased=False) + eps).mean(dim=2)  # (S, B/g)
    return std.repeat_interleave(g, dim=1)[:, :, None]


def _optimizer(game: dict, net: nn.Module, lr: float, betas) -> torch.optim.Optimizer:
    """Adam (with ``betas``) or plain gradient steps, as ``game["optimizer"]`` says (Adam if absent)."""
    name = game.get("optimizer", "adam")
    if name == "adam":
        return torch.optim.Adam(net.parameters(), lr=lr, betas=betas)
    if name == "sgd":
        return torch.optim.SGD(net.parameters(), lr=lr)
    raise ValueError(f"the game's optimizer must be 'adam' or 'sgd', got {name!r}")


class _Game:
    """The stacked networks, their optimizers and one step of the game."""

    def __init__(self, setting, seeds, data, lr_g, lr_d, betas, gen):
        g = setting.game
        self.setting, self.data, self.gen = setting, data, gen
        self.latent, self.batch, self.pack = g["latent_dim"], g["batch_size"], setting.pack
        self.G = StackedMLP([self.latent] + [g["g_hidden"]] * g["g_layers"] + [2], seeds)
        self.D = StackedMLP([2 * self.pack] + [g["d_hidden"]] * g["d_layers"] + [1],
                            [10_000 + s for s in seeds], minibatch_std=setting.minibatch_std,
                            spectral_norm=setting.spectral_norm)
        self.loss = gan_loss(setting.loss, **({"gp_weight": setting.gp_weight} if setting.loss == "wgan-gp" else {}))
        self.opt_g, self.opt_d = (_optimizer(g, net, lr, betas) for net, lr in ((self.G, lr_g), (self.D, lr_d)))
        self.lr, self.betas = lr_d, betas  # the look-ahead steps are the discriminator's
        self.order, self.cursor = None, data.shape[1]

    @property
    def seeds(self) -> int:
        return len(self.G.seeds)

    def real(self) -> torch.Tensor:
        """The next batch of each seed's data, ``(S, B, 2)``; each seed's points reshuffled every epoch."""
        n = self.data.shape[1]
        if self.cursor + self.batch > n:
            self.order = torch.argsort(torch.rand(self.seeds, n, generator=self.gen), dim=1)
            self.cursor = 0
        idx = self.order[:, self.cursor:self.cursor + self.batch]
        self.cursor += self.batch
        return self.data.gather(1, idx[:, :, None].expand(-1, -1, 2))

    def noise(self) -> torch.Tensor:
        return torch.randn(self.seeds, self.batch, self.latent, generator=self.gen)

    def scores(self, x: torch.Tensor, params=None) -> torch.Tensor:
        """The discriminator's outputs, ``(S, B / pack)``, on samples ``(S, B, 2)``."""
        x = x.reshape(self.seeds, self.batch // self.pack, 2 * self.pack)  # PacGAN: consecutive samples joined
        out = self.D(x) if params is None else self.D.forward_with(params, x)
        return out[:, :, 0]

    def d_loss(self, real, fake, params=None):
        loss = self.seeds * self.loss.discriminator_loss(self.scores(real, params).flatten(),
                                                         self.scores(fake, params).flatten())
        if self.setting.loss == "wgan-gp":
            eps = torch.rand(self.seeds, self.batch, 1, generator=self.gen)
            x_hat = (eps * real.detach() + (1 - eps) * fake.detach()).requires_grad_(True)
            out = self.scores(x_hat, params)
            (grad,) = torch.autograd.grad(out.sum(), x_hat, create_graph=True)
            norms = grad.reshape(self.seeds, self.batch // self.pack, -1).norm(dim=2)
            loss = loss + self.seeds * self.setting.gp_weight * ((norms - 1) ** 2).mean()
        return loss

    def d_update(self) -> None:
        real = self.real()
        with torch.no_grad():
            fake = self.G(self.noise())
        self.opt_d.zero_grad(set_to_none=True)
        self.d_loss(real, fake).backward()
        self.opt_d.step()

    def g_loss(self, params=None, fake=None):
        fake = self.G(self.noise()) if fake is None else fake
        return self.seeds * self.loss.generator_loss(self.scores(fake, params).flatten())

    def g_update(self) -> None:
        unroll = self.setting.unroll
        self.opt_g.zero_grad(set_to_none=True)
        if unroll and self.setting.unroll_through:
            loss = self.g_loss(params=self._unrolled_params(unroll))
        elif unroll:
            saved = [p.detach().clone() for p in self.D.parameters()], self._adam_state()
            for _ in range(unroll):
                self.d_update()
            loss = self.g_loss()
            self.opt_g.zero_grad(set_to_none=True)
            loss.backward()
            self._restore(*saved)
            self.opt_g.step()
            return
        else:
            loss = self.g_loss()
        loss.backward()  # D's gradients too; its next update clears them
        self.opt_g.step()

    def _adam_state(self):
        return {k: {n: t.clone() if torch.is_tensor(t) else t for n, t in v.items()}
                for k, v in self.opt_d.state.items()}

    def _restore(self, weights, state) -> None:
        with torch.no_grad():
            for p, w in zip(self.D.parameters(), weights):
                p.copy_(w)
        self.opt_d.state.clear()
        self.opt_d.state.update(state)

    def _unrolled_params(self, unroll: int):
        """The discriminator's weights after ``unroll`` Adam steps, as a differentiable function of G.

        Adam's update written out (``torch.optim.Adam``'s, with its moments and
        step count as they stand), with ``create_graph=True``: the generator's
        loss on the result backpropagates through every look-ahead step.
        """
        params = self.D.parameters_list()
        b1, b2 = self.betas
        state = [self.opt_d.state.get(p, {}) for p in params]
        m = [s["exp_avg"] if s else torch.zeros_like(p) for s, p in zip(state, params)]
        v = [s["exp_avg_sq"] if s else torch.zeros_like(p) for s, p in zip(state, params)]
        t = int(state[0]["step"]) if state[0] else 0
        for _ in range(unroll):
            t += 1
            real, fake = self.real(), self.G(self.noise())  # fakes keep their graph back to G
            grads = torch.autograd.grad(self.d_loss(real, fake, params), params, create_graph=True)
            m = [b1 * mi + (1 - b1) * g for mi, g in zip(m, grads)]
            v = [b2 * vi + (1 - b2) * g * g for vi, g in zip(v, grads)]
            # sqrt(v + 1e-16): finite derivative where a gradient is exactly 0 (a dead ReLU).
            params = [p - self.lr * (mi / (1 - b1 ** t)) / (torch.sqrt(vi / (1 - b2 ** t) + 1e-16) + 1e-8)
                      for p, mi, vi in zip(params, m, v)]
        return params


def train_ring_seeds(setting, seeds, steps: int = 800, *, sample_every: int = 50, eval_samples: int = 2500,
                     num_samples: int = 512):
    """Train ``setting`` from every seed of ``seeds`` at once for ``steps`` generator steps; measure each.

    Returns one :class:`~cnnguide.gan.compare.RingRun` per seed, in order,
    measured as :func:`~cnnguide.gan.compare.run_ring` measures (mode coverage
    of ``eval_samples`` fresh samples from noise seeded ``10_000 + seed``),
    with its samples of a fixed noise batch every ``sample_every`` steps. A
    run's ``seconds`` is the stacked training time divided by the number of seeds.

    Examples
    --------
    >>> from cnnguide.gan.compare import RingSetting
    >>> runs = train_ring_seeds(RingSetting("PacGAN2", pack=2), seeds=[0, 1], steps=20, sample_every=10,
    ...                         eval_samples=100)
    >>> [(r.setting, r.seed, sorted(r.samples)) for r in runs]
    [('PacGAN2', 0, [0, 10, 20]), ('PacGAN2', 1, [0, 10, 20])]
    """
    from .compare import STD, RingRun

    seeds = list(seeds)
    if not seeds or len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be distinct and at least one, got {seeds!r}")
    _check_positive_int("steps", steps)
    g = setting.game
    if g["batch_size"] % setting.pack:
        raise ValueError(f"batch size {g['batch_size']} is not divisible by pack {setting.pack}")
    if setting.unroll_through and g.get("optimizer", "adam") != "adam":
        raise ValueError("unrolling through the look-ahead steps writes out Adam's update; "
                         f"this game's optimizer is {g['optimizer']!r}")
    data = torch.stack([ring_of_gaussians(g["train_size"], std=STD, seed=1000 + s) for s in seeds])
    gen = torch.Generator().manual_seed(zlib.crc32(repr(seeds).encode()))
    game = _Game(setting, seeds, data, g.get("lr_g", g["lr"]), g.get("lr_d", g["lr"]), setting.betas, gen)
    fixed = torch.randn(len(seeds), num_samples, game.latent, generator=torch.Generator().manual_seed(7))
    samples = {}

    def draw(step):
        with torch.no_grad():
            out = game.G(fixed)
        for k, s in enumerate(seeds):
            samples.setdefault(s, {})[step] = out[k].clone()

    draw(0)
    tic = time.perf_counter()
    for step in range(1, steps + 1):
        for _ in range(setting.d_steps):
            game.d_update()
        game.g_update()
        if step % sample_every == 0 or step == steps:
            draw(step)
    seconds = (time.perf_counter() - tic) / len(seeds)
    z = torch.stack([torch.randn(eval_samples, game.latent, generator=torch.Generator().manual_seed(10_000 + s))
                     for s in seeds])
    with torch.no_grad():
        out = game.G(z)
    return [RingRun(setting.name, s, mode_coverage(out[k], ring_centers(), std=STD), seconds, samples[s])
            for k, s in enumerate(seeds)]


def standard_error(values) -> float:
    """The standard error of the mean of ``values``: ``sd / sqrt(n)`` (0 for one value).

    Examples
    --------
    >>> round(standard_error([1.0, 2.0, 3.0, 4.0]), 4)
    0.6455
    """
    values = list(values)
    if len(values) < 2:
        return 0.0
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1) / len(values))
