# %% [markdown]
# # 20. Mode collapse: seen, measured over seeds, and countered
#
# A generator that has found one kind of sample the discriminator accepts has
# no reason, in a single step, to draw anything else. The discriminator then
# learns to reject that kind, the generator moves its mass to another one, and
# the two can chase each other around the data without the generator ever
# covering all of it. This is **mode collapse**: the samples are plausible,
# but they come from a few of the data's modes. The blog closes its GAN
# series with it, and with how to "keep the network healthy".
#
# Papers measure collapse for one setting each, in their own set-up, and the
# numbers move with it: the same "DCGAN" covers anywhere from about 30 to 628
# of stacked MNIST's 1,000 modes in PacGAN's Table 3, depending on the
# discriminator's size alone. So this chapter shows
# collapse happen, then measures the vanilla GAN and five remedies over five
# seeds each, at equal generator steps, with the spread.
#
# ## Seen on the ring
#
# The ring of eight Gaussians of [chapter 17](../17-adversarial-game/) has
# modes we can count. `cnnguide.gan.compare` holds a game sized to collapse
# fast on a CPU: a small generator (noise of 16, two hidden layers of 64)
# against a larger discriminator (three hidden layers of 128), Adam at
# $10^{-3}$ for both, batches of 64, 800 generator steps. All the ring runs
# of this chapter are trained here, at once: that game and the five remedies
# below, from seeds 0 to 4 each, two runs at a time in separate processes
# of one thread each. The
# table of results comes later; first a look at the vanilla runs.

# %%
import time

from cnnguide.gan.compare import REMEDIES, run_ring_table

tic = time.perf_counter()
runs = run_ring_table(REMEDIES, seeds=range(5), steps=800, workers=2)
print(f"{len(runs)} runs of 800 steps in {time.perf_counter() - tic:.0f} s")

# %% [markdown]
# Every 50 steps each run's generator draws the same 512 noise vectors. For
# the vanilla run (of the five) whose samples changed modes most often, the
# heatmap shows the share of them near each mode, step by step, with the
# samples themselves at four steps below it.

# %%
from cnnguide.figures import plot_modes_over_steps
from cnnguide.gan import mode_turnover, modes_over_steps, ring_centers
from cnnguide.gan.compare import STD


def turnover(run):
    return mode_turnover(modes_over_steps(run.samples, ring_centers(), STD)[1])


vanilla = max((r for r in runs if r.setting == "GAN"), key=lambda r: sum(turnover(r)))
print(f"seed {vanilla.seed}, after 800 steps, on 2,500 fresh samples: {vanilla.coverage}")
plot_modes_over_steps(vanilla.samples, ring_centers(), STD, scatter_steps=[100, 200, 400, 800])

# %% [markdown]
# Read each column as a moment of training. A mode that lights up and then
# goes dark is mass the generator moved elsewhere; the bottom row is the
# share of samples near no mode at all (the generator is still between
# modes). The number of modes entered or left between consecutive columns
# (holding at least 5 % of the samples) measures the hopping:

# %%
steps = modes_over_steps(vanilla.samples, ring_centers(), STD)[0]
changes = turnover(vanilla)
for start in range(0, len(changes), 8):
    print("  ".join(f"{a}->{b}: {t}" for a, b, t in zip(steps[start:], steps[start + 1:], changes[start:start + 8])))
print("modes covered by the five vanilla runs:", [r.coverage.modes for r in runs if r.setting == "GAN"])

# %% [markdown]
# ## Seen on Fashion-MNIST
#
# Images have no centres to count, but they have classes, and the judge of
# [chapter 18](../18-dcgan/) names them. Below, a short unconditional DCGAN
# run (width 16, 600 steps); at every sample step the judge classifies the
# generator's 200 fixed samples. A healthy generator keeps all ten rows
# lit; collapse shows as rows going dark, and hopping as the bright cells
# moving between rows.

# %%
from cnnguide.data import load_fashion_mnist
from cnnguide.figures import plot_class_histogram_over_training
from cnnguide.gan import DCGANDiscriminator, DCGANGenerator, fit_gan

train_iter, _ = load_fashion_mnist(64, device="cpu", train_size=12_800, seed=0)
dcgan = fit_gan(DCGANGenerator(width=16), DCGANDiscriminator(width=16), train_iter, steps=600,
                scale_to_tanh=True, seed=0, device="cpu", sample_every=50, num_samples=200, log_every=50)
plot_class_histogram_over_training(dcgan)

# %% [markdown]
# ## Five remedies
#
# Each remedy changes the vanilla game in one respect (WGAN-GP's is the
# loss, with the critic steps and optimiser settings its paper uses), and
# each is an option of the library and of `cnnguide gan train ring` and
# `dcgan`.
#
# **Minibatch standard deviation** (Karras et al., 2018, ProGAN;
# `--minibatch-std`). A discriminator that judges one sample at a time
# cannot see that a batch is all alike. This layer computes, over groups of
# four samples, the standard deviation of every feature, averages it to one
# number per group, and appends it as an extra feature before the last layer:
# a collapsed batch has a tell-tale small value.

# %%
from cnnguide.figures import show_source
from cnnguide.gan import MinibatchStd

show_source(MinibatchStd.forward, docstring=False)

# %% [markdown]
# **Packing** (Lin et al., 2018, PacGAN; `--pack M`). The discriminator
# judges $m$ samples at once, all real or all fake: its first layer takes
# them side by side. A set of $m$ samples from a collapsed generator is
# much less likely to look like $m$ independent draws from the data.

# %%
from cnnguide.gan import pack_samples

show_source(pack_samples)

# %% [markdown]
# **Unrolling** (Metz et al., 2017; `--unroll K`, `fit_gan(unroll=K)`). The
# generator is updated against the discriminator it *will* face: the
# discriminator takes $K$ extra steps, the generator answers that
# look-ahead discriminator, and the discriminator's weights and Adam state
# are put back exactly. A generator that only exploits the current
# discriminator's weak spot gains less, because the look-ahead has already
# closed it. Ours is the first-order version: the generator's gradient does
# not flow back through the $K$ steps (Metz et al. differentiate through
# them). Each generator step costs $K$ extra discriminator updates.
#
# **WGAN-GP** (Gulrajani et al., 2017; `--loss wgan-gp`). The discriminator
# becomes a *critic* with an unbounded score, trained to separate real from
# fake by the difference of their mean scores, and kept 1-Lipschitz by a
# penalty $\lambda\,(\lVert \nabla_{\hat x} D(\hat x) \rVert - 1)^2$ on
# points $\hat x$ between real and fake samples. The critic's gradient
# does not vanish where the samples are far from the data, so no mode is
# abandoned for lack of signal. The paper's toy experiments use
# $\lambda = 0.1$ and 5 critic steps; we keep $\lambda$ and use 2 critic
# steps per generator step to fit this page's budget.

# %%
from cnnguide.gan import WGANGPLoss

show_source(WGANGPLoss.discriminator_penalty, docstring=False)

# %% [markdown]
# **Spectral normalisation** (Miyato et al., 2018; `--spectral-norm`). Every
# weight matrix of the discriminator is divided by its largest singular
# value, estimated by a power iteration at each step (torch's
# `parametrizations.spectral_norm`), which bounds how sharply the
# discriminator can change with its input.
#
# ## Measured over seeds
#
# Every setting from seeds 0 to 4, 800 generator steps each, measured on
# 2,500 fresh samples: modes covered (at least one high-quality sample, as
# in PacGAN's code),
# the share of high-quality samples (within three standard deviations of a
# mode) and the reverse KL from the uniform mode histogram (0 when every
# mode is drawn equally often, $\ln 8 \approx 2.08$ for one mode). The runs
# were trained at the start of the chapter, two at a time; the seconds are
# each run's own.

# %%
from cnnguide.gan.compare import remedies_table, summarize_runs

remedies_table(runs, steps=800)

# %% [markdown]
# Beside it, PacGAN's Table 1 for the same ring, quoted (Lin et al., 2018,
# Table 1; their networks: a generator of four hidden layers of 400 units, a
# discriminator of three of 200, trained far longer than here):

# %%
from cnnguide.tables import Table

Table(("setting (PacGAN, Table 1)", "modes (of 8)", "high quality", "reverse KL"),
      (("GAN", "6.3 ± 0.5", "98.2 %", "0.45"), ("PacGAN2", "7.9 ± 0.1", "95.6 %", "0.07")),
      align="lrrr", notes=("quoted from Lin et al. (2018), PacGAN, Table 1; not measured here",))

# %% [markdown]
# What this build measured, read off the table by code rather than by a
# sentence that a rerun could contradict: which settings covered more modes
# on average than the vanilla GAN, which kept its share of high-quality
# samples, and whether any reached PacGAN2's level (7.9 modes with 95 % high
# quality).

# %%
summary = summarize_runs(runs)
base = summary["GAN"]
for name, s in summary.items():
    if name == "GAN":
        continue
    modes, quality = s["modes"][0] - base["modes"][0], 100 * (s["high_quality"][0] - base["high_quality"][0])
    print(f"{name:24s} modes {modes:+.1f}, high quality {quality:+.1f} points, "
          f"{s['seconds'][0] / base['seconds'][0]:.1f}x the vanilla run's time")
reached = [n for n, s in summary.items() if s["modes"][0] >= 7.9 and s["high_quality"][0] >= 0.95]
print("PacGAN2's level (>= 7.9 modes, >= 95 % high quality) reached by:", ", ".join(reached) or "none")

# %% [markdown]
# Two things to read in it. Modes and quality are separate numbers: a
# generator can spread over every mode with samples that miss them all by
# more than three standard deviations, and a collapsed one can put all its
# samples precisely on two modes. And 800 steps is a small budget: the
# papers' numbers come from runs hundreds of times longer, where a remedy
# that has spread the mass also has time to sharpen it.
# `scripts/bench_gan_remedies.py --steps 5000` prints the same table for
# longer runs.
#
# ## On Fashion-MNIST
#
# The same flags apply to `cnnguide gan train dcgan`, which measures the
# result with the judge (classes covered, Fréchet distance) in
# `metrics.json`, for example:
#
# ```bash
# cnnguide gan train dcgan --pack 2 --out runs/dcgan-pack2
# cnnguide gan train dcgan --minibatch-std --out runs/dcgan-mbstd
# cnnguide gan train dcgan --spectral-norm --out runs/dcgan-sn
# cnnguide gan train dcgan --loss wgan-gp --d-steps 5 --out runs/dcgan-wgan-gp
# cnnguide gan train dcgan --unroll 5 --out runs/dcgan-unroll5
# ```
#
# Each full run takes hours on a CPU like the one that builds this site, so
# none runs at build, and this page shows no Fashion-MNIST numbers for them.
# (WGAN-GP builds the critic without batch norm: the penalty is per example,
# and batch norm mixes examples.)
#
# ## What to remember
#
# - Mode collapse is the generator covering few of the data's modes, often
#   hopping between them as the discriminator catches up.
# - Measure it: modes covered, high-quality share and reverse KL on data with
#   known modes; the judge's class histogram on images. Over several seeds,
#   with the spread, because one run says little.
# - The remedies attack different causes: minibatch std and packing let the
#   discriminator see a batch's lack of variety; unrolling makes the
#   generator answer a discriminator that has already adapted; WGAN-GP and
#   spectral normalisation keep the discriminator's gradients informative.
#   They cost more per step, by different amounts.
#
# ## Exercises
#
# 1. What reverse KL does a generator have whose high-quality samples all lie
#    in one mode of the eight? In two modes, equally?
#
#     <details><summary>Answer</summary>
#
#     $\mathrm{KL}(p \,\|\, u) = \sum_i p_i \ln(p_i / u_i)$ with $u_i = 1/8$:
#     one mode gives $\ln 8 = 2.079$, two equal modes $\ln 4 = 1.386$.
#
#     </details>
#
# 2. How many inputs does the first layer of the ring's PacGAN2 discriminator
#    take, and how many logits does it give for a batch of 64 samples?
#
#     <details><summary>Answer</summary>
#
#     Two samples of two coordinates side by side: 4 inputs. A batch of 64
#     samples is 32 packs, so 32 logits.
#
#     </details>
#
# 3. A critic $D(x) = w^\top x$ with $\lVert w \rVert = 3$. What gradient
#    penalty does WGAN-GP add with $\lambda = 0.1$?
#
#     <details><summary>Answer</summary>
#
#     The gradient is $w$ everywhere, so the penalty is
#     $0.1 \cdot (3 - 1)^2 = 0.4$, whatever the interpolates.
#
#     </details>
#
# 4. With `--unroll 3`, how many discriminator updates does one generator
#    step cost, and how many of them change the discriminator that the next
#    step starts from?
#
#     <details><summary>Answer</summary>
#
#     Four: the ordinary one and three look-ahead updates. Only the ordinary
#     one is kept; the three look-ahead updates are undone, weights and Adam
#     state alike.
#
#     </details>
