"""The GAN training loop: alternating discriminator and generator updates.

One **step** is ``d_steps`` discriminator updates, each on a fresh real batch
and a fresh fake batch, then one generator update on fresh noise (Algorithm 1
of Goodfellow et al., 2014). Both networks use Adam with DCGAN's settings
(``lr=2e-4, betas=(0.5, 0.999)``); what each minimises is a
:class:`~cnnguide.gan.losses.GANLoss` (the non-saturating ``"bce"`` by default).

As in :func:`cnnguide.train.fit`, nothing waits for the GPU between steps: the
logged means and the first non-finite step stay on the device and are read
every ``log_every`` steps (on a CPU, where waiting costs nothing, each loss is
checked at once). Every random number comes from ``seed``: the initial
weights, the noise (its own :class:`torch.Generator`, saved in checkpoints),
the fixed noise the samples are drawn from, and each epoch's shuffle of a
tensor of real examples.

Two more things shape a step. ``unroll=K`` makes each generator update look
ahead at the discriminator K updates later (unrolled GANs, Metz et al.,
2017), and a generator with a ``num_classes`` makes the game conditional:
both networks then take the labels too (see :func:`fit_gan`). The remedies
built into a discriminator (``pack``, ``minibatch_std``, ``spectral_norm``,
:mod:`cnnguide.gan.remedies`) need nothing from the loop but checks and records.
"""

from __future__ import annotations

import secrets
import time

import torch
from torch import nn

from ..train.history import run_metadata
from ..train.progress import show_progress
from ..devices import try_gpu
from .checkpoint import load_gan_checkpoint, save_gan_checkpoint
from .batches import RealBatches, derived_seed
from .history import GANHistory
from .average import GeneratorEMA
from .losses import WGANGPLoss, gan_loss
from .nets import dcgan_init_
from .remedies import discriminator_remedies
from .setup import (NonFiniteGANLossError, call_on_sample, checks_each_step, draw_fixed, fixed_labels,
                    has_batch_norm, latent_dim_of, num_classes_of, positive_int, shared_noise)
from .step import GameStep

__all__ = ["NonFiniteGANLossError", "derived_seed", "fit_gan", "fixed_labels"]

_NEVER = torch.iinfo(torch.int64).max
_NOISE, _FIXED_NOISE = 1, 2  # streams derived from the seed (the shuffles are stream 0)
#: What a checkpoint made before the remedies existed was made with.
_OPTION_DEFAULTS = {"unroll": 0, "gp_weight": None, "num_classes": None, "ema": None, "lr_decay": None,
                    "discriminator_remedies": {"pack": 1, "minibatch_std": False, "spectral_norm": False}}


def _ema_tensors(ema) -> dict:
    return {} if ema is None else {f"ema.{k}": v for k, v in ema.state_dict().items()}


def _linear_decay(optimizer, base: float, start: int, steps: int, share: float):
    """A ``LambdaLR`` that keeps ``base`` until the last ``share`` of ``steps``, then falls linearly to 0.

    Made at step ``start`` (0, or a resumed run's step), so a resumed run
    continues the same schedule.
    """
    begin = steps * (1 - share)

    def factor(step: int) -> float:  # the factor for the update after ``step`` updates
        return 1.0 if step < begin else max(0.0, (steps - step) / (steps - begin))

    for group in optimizer.param_groups:
        group["initial_lr"] = base
    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor, last_epoch=start - 1)


def fit_gan(generator: nn.Module, discriminator: nn.Module, data, *, steps: int | None = None,
            epochs: int | None = None, batch_size: int | None = None, latent_dim: int | None = None,
            d_steps: int = 1, unroll: int = 0, loss="bce", lr: float = 2e-4, betas=(0.5, 0.999),
            lr_d: float | None = None,
            lr_g: float | None = None, scale_to_tanh: bool = False, seed: int | None = None, device=None,
            amp=None, init=dcgan_init_, sample_every: int = 500, num_samples: int = 64, log_every: int = 50,
            checkpoint_every: int | None = None, checkpoint_dir=None, resume: bool = False,
            ema: GeneratorEMA | None = None, lr_decay: float | None = None, on_sample=None,
            progress: bool | None = None, verbose: bool = False) -> GANHistory:
    """Train ``generator`` against ``discriminator`` on ``data``; return the :class:`~cnnguide.gan.GANHistory`.

    Parameters
    ----------
    generator, discriminator : nn.Module
        ``generator`` maps noise ``(N, latent_dim)`` to samples shaped like the
        data; ``discriminator`` maps samples to one logit each, ``(N,)`` (see
        :mod:`cnnguide.gan.nets`), or ``N / pack`` logits for a discriminator
        whose ``pack`` attribute is more than 1 (PacGAN; the batch size must
        then be divisible by ``pack``). Both are moved to ``device``.

        **Conditional GANs.** A generator whose attribute ``num_classes`` is
        not None is conditional: it is called ``generator(z, labels)``, and the
        discriminator must have the same ``num_classes`` and is called
        ``discriminator(x, labels)``. The data must then bring integer labels
        (``(X, y)`` batches, or a tuple ``(X, y)`` of tensors). Fake labels
        are drawn uniformly from the noise generator; the fixed sample batch
        has the labels :func:`fixed_labels`, kept in ``history.sample_labels``,
        and each class the same noise vectors (:func:`shared_noise`).
        The remedies built into the discriminator (``pack``, ``minibatch_std``,
        ``spectral_norm``, see :mod:`cnnguide.gan.remedies`) are read from it
        and recorded in ``history.metadata["discriminator_remedies"]``.
    data : tensor or re-iterable of batches
        Either real examples ``(N, ...)`` (floating point), cut into batches of
        ``batch_size`` and shuffled every epoch by a :class:`torch.Generator`
        seeded from ``seed`` (an incomplete last batch is dropped); or a
        re-iterable of ``(X, y)`` batches such as
        :func:`cnnguide.data.load_fashion_mnist`'s (the labels are ignored
        unless the game is conditional; a batch may also be a bare tensor;
        ``set_epoch`` is called if it exists); or a tuple ``(X, y)`` of
        tensors, cut and shuffled together like a tensor.
    steps, epochs : int
        Exactly one: the total number of steps (generator updates; with
        ``resume``, those already done included), or of passes over ``data``
        by the discriminator, i.e. ``epochs × batches per epoch // (d_steps + unroll)``
        steps (the unrolled look-ahead updates read real batches too).
    batch_size : int, optional
        Examples per batch when ``data`` is a tensor (default 64); an iterable
        of batches brings its own, and giving one then is an error.
    latent_dim : int, optional
        Noise dimensions; by default the generator's ``latent_dim``.
    d_steps : int
        Discriminator updates per generator update (the critic's updates for WGAN-GP, 5 in its paper).
    unroll : int
        Unrolled GAN (Metz et al., 2017) with ``unroll`` look-ahead steps, or
        0 (default) for none. At each generator update, D's weights and its
        optimizer's state are saved, D makes ``unroll`` updates on fresh real
        and fake batches, the generator's loss is computed against that
        unrolled D and G steps, and D and its optimizer are restored exactly
        (bit for bit). This is the **first-order** version: the generator's
        gradient treats the unrolled weights as constants and does not
        backpropagate through the ``unroll`` updates (Metz et al. do; many
        ports do not). The look-ahead losses are not logged.
    loss : str or GANLoss
        ``"bce"`` (non-saturating, default), ``"saturating"`` or ``"wgan-gp"``
        (:class:`~cnnguide.gan.losses.WGANGPLoss`, with the default
        ``gp_weight``; pass ``WGANGPLoss(gp_weight=...)`` for another), see
        :mod:`cnnguide.gan.losses`. WGAN-GP refuses a discriminator with batch
        norm: the penalty is per example, and batch norm makes each output
        depend on the whole batch. What is logged as ``d_real``/``d_fake`` is
        the loss's :meth:`~cnnguide.gan.losses.GANLoss.describe`: D's mean
        probabilities for the BCE losses, the critic's mean scores for WGAN-GP.
    lr, betas : float, (float, float)
        Adam's settings for both networks (DCGAN's by default); ``lr_d`` and
        ``lr_g`` override ``lr`` for one network.
    scale_to_tanh : bool
        Map each real batch from [0, 1] to [-1, 1] (``2x - 1``), the range of a
        ``tanh`` generator such as DCGAN's; the first batch is checked to lie in [0, 1].
        Fashion-MNIST batches need it; the 2-D ring does not.
    seed : int, optional
        Seeds everything random (see the module docstring); ``None`` draws
        one, recorded in ``history.metadata["seed"]``.
    device : torch.device or str, optional
        Default: the first GPU, else the CPU.
    amp : None, False or torch.dtype
        Autocast: ``None`` means bf16 on CUDA and full precision elsewhere.
    init : callable or None
        Applied to both networks with ``net.apply`` after seeding
        (:func:`~cnnguide.gan.nets.dcgan_init_` by default); ``None`` keeps their weights.
    sample_every, num_samples : int
        Every ``sample_every`` steps (and before the first and after the last)
        the generator in evaluation mode (its average, with ``ema``) maps one
        fixed noise batch of ``num_samples`` to samples, kept in
        ``history.samples`` on the CPU.
    log_every : int
        Steps per history entry (the last step is always logged).
    checkpoint_every : int, optional
        With ``checkpoint_dir``: steps between checkpoints, a multiple of
        ``log_every`` (default ``10 × log_every``); the last step is always saved.
    checkpoint_dir : path-like, optional
        Where :mod:`cnnguide.gan.checkpoint` writes.
    ema : GeneratorEMA, optional
        An exponential moving average of the generator's weights
        (:class:`~cnnguide.gan.average.GeneratorEMA`), updated after every
        generator update, moved to ``device``, checkpointed with the run; the
        samples are drawn from it. Its decay is recorded in
        ``history.metadata["ema"]``.
    lr_decay : float, optional
        The share of the run, at its end, over which both learning rates fall
        linearly towards zero (``torch.optim.lr_scheduler.LambdaLR``); e.g.
        0.3 for the last 30 % of the steps. ``None`` (default) keeps them constant.
    on_sample : callable, optional
        Called as ``on_sample(step, sampler)`` after each sample step (step 0
        included), with the network the samples come from (the generator, or
        its average) in evaluation mode: a place to measure the run as it goes.
        Its time is counted in ``history.seconds``.
    resume : bool
        Continue from the checkpoint in ``checkpoint_dir``, if any; its
        hyper-parameters must match. The weights are then those of an
        uninterrupted run bit for bit (with the same data and device); a run
        that stopped between two log steps (``steps`` not a multiple of
        ``log_every``) keeps the history entry it wrote there.
    progress : bool, optional
        A tqdm bar; by default only on a terminal outside CI.
    verbose : bool
        Print the last logged values at every sample step.

    Returns
    -------
    GANHistory

    Raises
    ------
    NonFiniteGANLossError
        When a loss becomes ``nan`` or ``inf``; names the first such step and
        the network (on a GPU, found at the next log step).
    ValueError
        For bad arguments or data (the message names the value).

    Examples
    --------
    >>> from cnnguide.gan.nets import MLPDiscriminator, MLPGenerator
    >>> real = torch.randn(512, 2) * 0.1 + 1.0
    >>> h = fit_gan(MLPGenerator(latent_dim=4), MLPDiscriminator(), real, steps=20, batch_size=64,
    ...             device="cpu", seed=0, log_every=10)
    >>> h.step, sorted(h.samples), tuple(h.samples[20].shape)
    ([10, 20], [0, 20], (64, 2))
    """
    if (steps is None) == (epochs is None):
        raise ValueError(f"give exactly one of steps and epochs, got steps={steps!r}, epochs={epochs!r}")
    positive_int("steps", steps, allow_none=True)
    positive_int("epochs", epochs, allow_none=True)
    for name, value in (("d_steps", d_steps), ("sample_every", sample_every), ("num_samples", num_samples),
                        ("log_every", log_every)):
        positive_int(name, value)
    if isinstance(unroll, bool) or not isinstance(unroll, int) or unroll < 0:
        raise ValueError(f"unroll must be a non-negative integer, got {unroll!r}")
    checkpoint_every = 10 * log_every if checkpoint_every is None else positive_int("checkpoint_every",
                                                                                   checkpoint_every)
    if checkpoint_every % log_every:
        raise ValueError(f"checkpoint_every ({checkpoint_every}) must be a multiple of log_every ({log_every})")
    lr_d, lr_g = (lr if lr_d is None else lr_d), (lr if lr_g is None else lr_g)
    for name, value in (("lr", lr), ("lr_d", lr_d), ("lr_g", lr_g)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            raise ValueError(f"{name} must be a positive number, got {value!r}")
    betas = tuple(float(b) for b in betas)
    if len(betas) != 2 or not all(0 <= b < 1 for b in betas):
        raise ValueError(f"betas must be two numbers in [0, 1), got {betas!r}")
    if resume and checkpoint_dir is None:
        raise ValueError("resume=True needs a checkpoint_dir")
    if init is not None and not callable(init):
        raise ValueError(f"init must be a callable or None, got {init!r}")
    if ema is not None and not isinstance(ema, GeneratorEMA):
        raise ValueError(f"ema must be a GeneratorEMA or None, got {ema!r}")
    if on_sample is not None and not callable(on_sample):
        raise ValueError(f"on_sample must be a callable or None, got {on_sample!r}")
    loss = gan_loss(loss)
    if isinstance(loss, WGANGPLoss) and has_batch_norm(discriminator):
        raise ValueError(f"the wgan-gp loss needs a critic without batch norm, but {type(discriminator).__name__} "
                         "has batch norm: the gradient penalty is per example, and batch norm makes each output "
                         "depend on the whole batch (build it with batch_norm=False)")
    remedies = discriminator_remedies(discriminator)
    positive_int("the discriminator's pack", remedies["pack"])
    num_classes = num_classes_of(generator, discriminator)
    latent_dim = latent_dim_of(generator, latent_dim)
    device = try_gpu() if device is None else torch.device(device)
    seed = secrets.randbits(63) if seed is None and not resume else seed

    real = RealBatches(data, batch_size, device, scale_to_tanh, labelled=num_classes is not None)
    if real.batch_size is not None and real.batch_size % remedies["pack"]:
        raise ValueError(f"batch_size={real.batch_size} is not divisible by the discriminator's "
                         f"pack={remedies['pack']}")
    per_epoch = real.batches_per_epoch
    if epochs is not None:
        if per_epoch is None:
            raise ValueError("epochs needs data whose number of batches is known (a tensor, or an iterable with "
                             "len()); give steps instead")
        steps = epochs * per_epoch // (d_steps + unroll)
        if steps == 0:
            raise ValueError(f"{epochs} epoch(s) of {per_epoch} batch(es) make no step with d_steps={d_steps}"
                             + (f" and unroll={unroll}" if unroll else ""))

    if lr_decay is not None and (isinstance(lr_decay, bool) or not 0 < lr_decay <= 1):
        raise ValueError(f"lr_decay must be a share of the run in (0, 1], got {lr_decay!r}")
    optimizer_g = torch.optim.Adam(generator.parameters(), lr=lr_g, betas=betas)
    optimizer_d = torch.optim.Adam(discriminator.parameters(), lr=lr_d, betas=betas)
    options = {"loss": loss.name or type(loss).__name__, "lr_d": lr_d, "lr_g": lr_g, "betas": list(betas),
               "d_steps": d_steps, "batch_size": real.batch_size, "latent_dim": latent_dim,
               "scale_to_tanh": bool(scale_to_tanh), "num_samples": num_samples, "seed": seed,
               "unroll": unroll, "gp_weight": getattr(loss, "gp_weight", None), "num_classes": num_classes,
               "ema": None if ema is None else ema.decay, "lr_decay": lr_decay, "discriminator_remedies": remedies}
    start, history, state, saved_tensors = 0, None, None, {}
    if resume:
        def check(saved):
            if seed is None:
                options["seed"] = saved["seed"]
            saved = {**_OPTION_DEFAULTS, **saved}  # a checkpoint from before the remedies
            if saved != options:
                raise ValueError(f"the checkpoint in {checkpoint_dir} was made with {saved}, "
                                 f"but fit_gan was called with {options}")

        loaded = load_gan_checkpoint(checkpoint_dir, generator=generator, discriminator=discriminator,
                                     optimizer_g=optimizer_g, optimizer_d=optimizer_d, check_options=check)
        if loaded is not None:
            start, history, saved, state, saved_tensors = loaded
            seed = options["seed"]
            if start > steps:
                raise ValueError(f"the checkpoint in {checkpoint_dir} is at step {start}, past steps={steps}")
        elif seed is None:
            seed = options["seed"] = secrets.randbits(63)
    if history is None:  # a fresh run: seed, initialise
        torch.manual_seed(seed)
        if init is not None:
            generator.apply(init)
            discriminator.apply(init)
    generator.to(device).train()
    discriminator.to(device).train()
    if ema is not None:
        ema.model.to(device)
        if history is None:
            ema.update(generator)  # the average starts at the initial weights
        else:
            ema.load_state_dict({k.removeprefix("ema."): v for k, v in saved_tensors.items() if k.startswith("ema.")})
    sampler = generator if ema is None else ema.module
    real.seed = seed
    noise = torch.Generator(device=device)
    noise.manual_seed(derived_seed(seed, _NOISE))
    if state is not None:
        real.restore(state["real"])
        noise.set_state(saved_tensors["noise"])
    fixed_noise = torch.randn(num_samples, latent_dim, generator=torch.Generator().manual_seed(
        derived_seed(seed, _FIXED_NOISE))).to(device)
    labels = None if num_classes is None else fixed_labels(num_samples, num_classes).to(device)
    if labels is not None:  # one noise vector per column of the class grid, the same in every row
        fixed_noise = shared_noise(fixed_noise, labels)
    if history is None:
        history = GANHistory(metadata={
            **run_metadata(device), "generator": type(generator).__name__,
            "discriminator": type(discriminator).__name__, **options, "steps": steps,
            "amp": str(amp) if amp is not None else ("torch.bfloat16" if device.type == "cuda" else None)})
        history.sample_labels = None if labels is None else labels.cpu()
        history.samples[0] = draw_fixed(sampler, fixed_noise, device, amp, labels)
        call_on_sample(on_sample, 0, sampler)
    history.metadata["steps"] = steps

    schedules = [] if lr_decay is None else [_linear_decay(optimizer, base, start, steps, lr_decay)
                                             for optimizer, base in ((optimizer_g, lr_g), (optimizer_d, lr_d))]
    game = GameStep(generator, discriminator, optimizer_g, optimizer_d, loss, real, noise, latent_dim, d_steps,
                 device, amp, unroll=unroll, num_classes=num_classes, pack=remedies["pack"])
    each_step = checks_each_step(device)
    accumulate = torch.float32 if device.type == "mps" else torch.float64
    sums = torch.zeros(4, dtype=accumulate, device=device)
    first_bad = torch.full((), _NEVER, dtype=torch.int64, device=device)
    since_log = 0
    elapsed = history.seconds[-1] if history.seconds else 0.0
    tic = time.perf_counter()
    bar = None
    if show_progress(progress):
        from tqdm.auto import tqdm

        bar = tqdm(total=steps, initial=start, unit="step", dynamic_ncols=True)
    benchmark = torch.backends.cudnn.benchmark
    torch.backends.cudnn.benchmark = device.type == "cuda" or benchmark
    try:
        for step in range(start + 1, steps + 1):
            d_loss = d_real = d_fake = 0.0
            for _ in range(d_steps):
                loss_d, real_p, fake_p, n = game.discriminator_update()
                if each_step and not torch.isfinite(loss_d):
                    raise NonFiniteGANLossError(step, "discriminator")
                d_loss, d_real, d_fake = d_loss + loss_d, d_real + real_p, d_fake + fake_p
            loss_g = game.generator_update(n)
            if each_step and not torch.isfinite(loss_g):
                raise NonFiniteGANLossError(step, "generator")
            if ema is not None:
                ema.update(generator)
            for schedule in schedules:
                schedule.step()
            with torch.no_grad():
                values = torch.stack([d_loss / d_steps, loss_g, d_real / d_steps, d_fake / d_steps])
                if not each_step:  # 2·step marks the discriminator, 2·step + 1 the generator
                    bad = torch.where(~torch.isfinite(values[0]), 2 * step,
                                      torch.where(~torch.isfinite(values[1]), 2 * step + 1, _NEVER))
                    first_bad = torch.minimum(first_bad, bad)
                sums += values.to(accumulate)
            since_log += 1
            if bar is not None:
                bar.update()
            if step % log_every == 0 or step == steps:
                *means, bad = torch.cat([sums / since_log, first_bad.to(accumulate)[None]]).tolist()  # the sync
                if bad < _NEVER:
                    raise NonFiniteGANLossError(int(bad) // 2, ("discriminator", "generator")[int(bad) % 2])
                history.append(step, **dict(zip(("d_loss", "g_loss", "d_real", "d_fake"), means)),
                               seconds=elapsed + time.perf_counter() - tic)
                sums.zero_()
                since_log = 0
                if bar is not None:
                    bar.set_postfix(d_loss=f"{means[0]:.3f}", g_loss=f"{means[1]:.3f}")
            if step % sample_every == 0 or step == steps:
                history.samples[step] = draw_fixed(sampler, fixed_noise, device, amp, labels)
                call_on_sample(on_sample, step, sampler)
                if verbose:
                    print(f"step {history.last_step}/{steps}: {str(history).split(': ', 1)[1]}, "
                          f"{history.seconds[-1]:.1f} s", flush=True)
            if checkpoint_dir is not None and (step % checkpoint_every == 0 or step == steps):
                save_gan_checkpoint(checkpoint_dir, generator=generator, discriminator=discriminator,
                                    optimizer_g=optimizer_g, optimizer_d=optimizer_d, step=step, history=history,
                                    options=options, state={"real": real.state()},
                                    tensors={"noise": noise.get_state(), **_ema_tensors(ema)})
    finally:
        torch.backends.cudnn.benchmark = benchmark
        if bar is not None:
            bar.close()
    return history
