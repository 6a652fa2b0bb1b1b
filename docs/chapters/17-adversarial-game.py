# %% [markdown]
# # 17. The adversarial game
#
# Topic 1 trained networks to *recognise* images. Topic 2 trains them to
# *make* images. A **generative adversarial network** (GAN; Goodfellow et al.,
# 2014, "Generative Adversarial Nets") does it with two networks that play
# against each other:
#
# - the **generator** $G$ turns random noise $z$ into a sample $G(z)$;
# - the **discriminator** $D$ looks at a sample and says how likely it is to
#   be real, $D(x) \in (0, 1)$.
#
# $D$ is trained to tell real samples from generated ones; $G$ is trained to
# fool $D$. Nobody ever tells $G$ what a real sample looks like: everything it
# learns comes through $D$'s gradient.
#
# Images are hard to judge by eye, so this chapter plays the game on points
# in the plane first, where we know exactly what the generator should
# produce and can measure how close it gets. [Chapter 18](../18-dcgan/)
# moves to images.
#
# ## The data: eight Gaussians on a ring
#
# The standard test for GANs on 2-D data (used by the unrolled-GAN, VEEGAN and
# PacGAN papers) is a mixture of eight Gaussians whose centres lie on a
# circle. Here the circle has radius 2 and each Gaussian standard deviation
# 0.02; the unrolled-GAN paper's reference notebook (`poolio/unrolled_gan`)
# and PacGAN's code draw the same ring at half the scale (radius 1, standard
# deviation 0.01), which is the same shape: every measure below is in units
# of the standard deviation. It has eight **modes**, eight separate places where the data
# lives, and a generator that has really learned the data must put samples
# near all eight.

# %%
from cnnguide.figures import plot_real_samples
from cnnguide.gan import ring_centers, ring_of_gaussians

real = ring_of_gaussians(20_000, seed=0)
centers = ring_centers()
print("real samples:", tuple(real.shape))
print("centres:", [tuple(round(v, 3) for v in c) for c in centers.tolist()[:3]], "...")
plot_real_samples(real[:2_000], centers)

# %% [markdown]
# `ring_centers` places the centres at the angles $2\pi k / 8$ for
# $k = 0, \dots, 7$. (The unrolled-GAN paper's reference notebook uses
# `linspace(0, 2π, 8)`, which includes both $0$ and $2\pi$: the same point
# twice, so its "ring of eight" has seven distinct modes.)
#
# To say whether generated points are good we use the measures of the VEEGAN
# paper (Srivastava et al., 2017), as the PacGAN paper (Lin et al., 2018)
# computes them: a sample is **high quality** if it lies within three
# standard deviations of its nearest centre; a mode is **covered** if at least
# one high-quality sample lands on it; and the **reverse KL divergence**
# between the histogram of high-quality samples over the modes and the uniform
# histogram is 0 when every mode gets its share and $\ln 8 \approx 2.08$ when
# all samples sit on one mode. Real samples, and samples from a single mode,
# calibrate the three numbers:

# %%
import math

from cnnguide.gan import mode_coverage

print("real data:    ", mode_coverage(real, centers, std=0.02))
print("one mode only:", mode_coverage(real[real[:, 0] > 1.9], centers, std=0.02))
print(f"ln 8 = {math.log(8):.3f}")

# %% [markdown]
# Even real samples are not 100 % "high quality": a 2-D Gaussian puts
# $1 - e^{-9/2} \approx 98.9\,\%$ of its mass within three standard deviations
# of its centre: what a generator that matches the data exactly scores (one
# that draws tighter clouds than the data, as a collapsed one may, scores
# higher).
#
# ## The two players
#
# Both players are small multilayer perceptrons: two hidden layers of 128 ReLU
# units. The generator maps a 16-dimensional Gaussian noise vector to a point;
# the discriminator maps a point to a single number, a **logit** $\ell$, with
# $D(x) = \sigma(\ell)$. It returns the logit, not the probability: the losses
# below apply the sigmoid inside `binary_cross_entropy_with_logits`, which
# stays accurate where $\log \sigma(\ell)$ computed in two steps would round
# to $\log 0$.

# %%
from cnnguide.gan.nets import MLPDiscriminator, MLPGenerator
from cnnguide.summary import summarize

generator = MLPGenerator(latent_dim=16)
discriminator = MLPDiscriminator()
summarize(generator, (1, 16))

# %%
summarize(discriminator, (1, 2))

# %% [markdown]
# ## The game on paper
#
# Goodfellow et al. write the game as one value that $D$ maximises and $G$
# minimises:
#
# $$\min_G \max_D \; V(D, G) = \mathbb{E}_{x \sim p_{data}}[\log D(x)]
#   + \mathbb{E}_{z}[\log(1 - D(G(z)))].$$
#
# $D$ gains by saying "real" (close to 1) on real data and "fake" (close to 0)
# on generated data; $G$ gains when $D$ says "real" on its samples.
#
# **The best discriminator.** Fix the generator, and call $p_{model}$ the
# density of its samples. $V$ is an integral over $x$ of
# $p_{data}(x) \log D(x) + p_{model}(x) \log(1 - D(x))$, and for each $x$ the
# function $a \log y + b \log(1 - y)$ is largest at $y = a / (a + b)$. So
#
# $$D^*(x) = \frac{p_{data}(x)}{p_{data}(x) + p_{model}(x)}.$$
#
# Substituting $D^*$ back gives $V = -\log 4 + 2\,\mathrm{JSD}(p_{data} \,\|\,
# p_{model})$, where JSD is the Jensen–Shannon divergence: against the best
# discriminator, the generator minimises a distance between its distribution
# and the data's, zero only when they are equal (and then $D^* = \tfrac12$
# everywhere). That is the written (minimax) game; the generator loss used
# in practice, below, changes what $G$ minimises. The formula for $D^*$, on
# which all of this rests, can be checked without algebra: freeze a
# "generator" (here a fixed set of samples from a Gaussian), train a
# discriminator alone, and compare what it learned with $D^*$.

# %%
import torch

from cnnguide.gan.theory import optimal_discriminator, train_discriminator

def gaussian(x, mean, std):
    return torch.exp(-0.5 * ((x - mean) / std) ** 2) / (std * math.sqrt(2 * math.pi))

noise = torch.Generator().manual_seed(0)
data_1d = 0.5 * torch.randn(5_000, 1, generator=noise) + 1.0   # p_data = N(1, 0.5²)
fake_1d = 0.8 * torch.randn(5_000, 1, generator=noise) - 0.5   # p_model = N(-0.5, 0.8²)
torch.manual_seed(0)
d_1d = MLPDiscriminator(in_dim=1, hidden=32)
losses = train_discriminator(d_1d, data_1d, fake_1d, steps=1_000, lr=3e-3)

x = torch.linspace(-3, 3, 301)
p_data, p_model = gaussian(x, 1.0, 0.5), gaussian(x, -0.5, 0.8)
d_star = optimal_discriminator(p_data, p_model)
with torch.no_grad():
    learned = torch.sigmoid(d_1d(x.unsqueeze(1)))
inside = (x > -1.5) & (x < 2.0)  # where both sample sets have points
gap = (learned - d_star)[inside].abs().max().item()
print(f"largest gap between the trained D and D* on [-1.5, 2]: {gap:.3f}")

# %%
from cnnguide.figures import optimal_discriminator_figure

optimal_discriminator_figure(x, p_data, p_model, d_star, trained=learned)

# %% [markdown]
# The trained discriminator (dashed) follows $D^*$ (solid) where the samples
# are; at the edges, where neither set has many points, it only extrapolates.
# Where $p_{data} = p_{model}$ both cross $\tfrac12$: there, a point is as
# likely to be real as fake.
#
# **Why the written game stalls.** Early in training the generator's samples
# are poor, $D$ rejects them easily, and $D(G(z))$ is close to 0. Look at what
# the generator's loss $\log(1 - D(G(z)))$ sends back then. With
# $D(G(z)) = \sigma(\ell)$, its derivative with respect to the logit is
# $-\sigma(\ell) = -D(G(z))$: it **vanishes** exactly when the generator is
# worst. Goodfellow et al. therefore train $G$ to *maximise*
# $\log D(G(z))$ instead, the **non-saturating** loss, whose derivative is
# $-(1 - D(G(z)))$: close to $-1$ when $D$ wins. Both losses push $G$ the same
# way and have the same fixed point; they differ in how hard they push.
# Autograd measures it:

# %%
from cnnguide.gan.theory import generator_loss_gradient

verdicts = torch.tensor([1e-4, 1e-2, 0.5])
for name in ("saturating", "bce"):
    grads = generator_loss_gradient(name, verdicts)
    print(f"{name:>10}: at D(G(z)) = 1e-4, 1e-2, 0.5:",
          [f"{g:.4f}" for g in grads.tolist()])

# %%
from cnnguide.figures import generator_gradient_figure

generator_gradient_figure()

# %% [markdown]
# At $D(G(z)) = 10^{-4}$ the saturating loss passes back about $10^{-4}$,
# ten thousand times less than the non-saturating one. The library's losses
# are both written with `binary_cross_entropy_with_logits`; this chapter's
# generator trains with the non-saturating one, `"bce"` (DCGAN's choice;
# chapter 20 meets another, WGAN-GP's):

# %%
from cnnguide.figures import show_source
from cnnguide.gan.losses import GANLoss, NonSaturatingLoss

show_source(GANLoss.discriminator_loss, docstring=False)

# %%
show_source(NonSaturatingLoss.generator_loss)

# %% [markdown]
# ## Training on the ring
#
# `cnnguide.gan.fit_gan` alternates the two updates, as Algorithm 1 of the
# paper: one Adam step of the discriminator on a real and a generated batch,
# then one Adam step of the generator on fresh noise. Here are the two
# updates, as the library runs them. `_real` draws the next real batch,
# `_z` a batch of noise, and `_fakes` turns noise into as many fakes as
# there are real examples. The other helpers serve later chapters and do
# nothing here: `_labels` returns `None` in this unconditional game (in a
# conditional one it draws a random class for each fake), `_G` and `_D` pass
# those labels on to a conditional generator and discriminator
# ([chapter 19](../19-conditional-gan/)), and `_penalty` is 0 for this loss
# (WGAN-GP's gradient penalty goes there, [chapter 20](../20-mode-collapse/)).

# %%
from cnnguide.gan.step import GameStep

show_source(GameStep.discriminator_update)

# %%
show_source(GameStep.generator_step)

# %% [markdown]
# We train for 3,000 steps with batches of 256 and Adam with learning rate
# $10^{-3}$ and $\beta_1 = 0.5$ for both networks (DCGAN's $2 \times 10^{-4}$ is
# tuned for images; on the ring it moves too slowly for a page built on a
# CPU). Every 500 steps the generator maps the same fixed batch of 2,000
# noise vectors to points, so the pictures show one generator changing, not
# new random draws.

# %%
import time

from cnnguide.gan import fit_gan
from cnnguide.gan.nets import default_init_

tic = time.perf_counter()
history = fit_gan(generator, discriminator, real, steps=3_000, batch_size=256, lr=1e-3,
                  init=default_init_, seed=0, device="cpu", sample_every=500,
                  num_samples=2_000, log_every=50)
print(history)
print(f"{time.perf_counter() - tic:.0f} s on this CPU")

# %%
from cnnguide.figures import plot_ring_samples

shown = {step: history.samples[step] for step in (0, 1_000, 2_000, 3_000)}
plot_ring_samples(real[:2_000], shown, centers=centers)

# %% [markdown]
# Each panel shows the fixed noise batch mapped by the generator at one
# point of training (grey: real points; circles: the eight centres). The
# numbers, for every 500 steps, say how far each picture is from the data:

# %%
for step, samples in sorted(history.samples.items()):
    print(f"step {step:>5}: {mode_coverage(samples, centers, std=0.02)}")

# %% [markdown]
# How good is the last row? The two numbers answer different questions, and
# each has a reference: all 8 modes for coverage, and for the high-quality
# share the real data's own, printed at the top of the chapter (no generator
# can beat it):

# %%
final = mode_coverage(history.samples[history.step[-1]], centers, std=0.02)
ceiling = mode_coverage(real, centers, std=0.02)
print(f"after {history.step[-1]:,} steps: {final.modes} of 8 modes, {final.high_quality:.1%} of the "
      f"samples high quality")
print(f"real data:         {ceiling.modes} of 8 modes, {ceiling.high_quality:.1%} high quality")
print(f"the generator's high-quality share is {final.high_quality / ceiling.high_quality:.0%} of the data's")

# %% [markdown]
# A generator can find *where* the modes are long before it learns *how
# narrow* they are: a point counts as high quality only within three
# standard deviations, 0.06, of a centre, on a ring of radius 2. In the
# pictures above, the wide orange cloud of step 2,000 has become, by the
# last panel, a thin band along the ring, denser at the centres: the
# generator has found the circle but still spreads many points along the
# arcs between the modes, where no data lies, and its clumps at the centres
# are wider than the grey dots. (A generator is a continuous map of its
# noise; cutting its output into eight separate clusters takes it long.)
# Closing that gap takes many more steps than this page's 3,000
# ([chapter 20](../20-mode-collapse/) trains for longer).
#
# Reading the rows from top to bottom: at step 0 the untrained generator
# puts its points in a small blob near the origin, far from every centre
# (where no sample is high quality the reverse KL is undefined: `nan`). What
# follows is this run's own story, printed above; rerun with another `seed` and
# the order in which modes appear changes, and sometimes a mode is missed —
# [chapter 20](../20-mode-collapse/) measures coverage over ten seeds each,
# for a vanilla GAN and several remedies.
#
# The losses tell less than the pictures. Unlike a classifier's loss,
# neither is meant to go steadily down: each player's progress is the other's
# loss, so the curves show the balance of the game, not the quality of the
# samples. The dotted lines mark their values at the equilibrium
# $D = \tfrac12$: $2 \log 2 \approx 1.386$ for the discriminator, which sums
# a real and a fake term, and $\log 2 \approx 0.693$ for the generator.

# %%
from cnnguide.figures import plot_gan_history

plot_gan_history(history)

# %% [markdown]
# Finally, the discriminator at the end of training, as a map of the plane:
# the colour is $D(x)$, the probability it gives a point of being real, with
# the real points and the generator's last samples on top.

# %%
from cnnguide.figures import plot_decision_surface

plot_decision_surface(discriminator, real[:2_000], history.samples[history.step[-1]])

# %% [markdown]
# The discriminator does not learn "the ring". It learns where, *right now*,
# real points outnumber generated ones (the formula for $D^*$ above): regions
# the generator over-fills look fake, regions it under-fills look real, and
# the generator's next steps move points from the first kind to the second.
# Far from all the points the map shows whatever the network extrapolates;
# no sample tells it anything there.
#
# ## What to remember
#
# - A GAN is two networks: a generator that maps noise to samples and a
#   discriminator that scores samples as real or fake; the generator learns
#   only through the discriminator's gradient.
# - Against a fixed generator the best discriminator is
#   $D^* = p_{data} / (p_{data} + p_{model})$, and in the minimax game the
#   generator then minimises the Jensen–Shannon divergence between its
#   distribution and the data's.
# - The minimax loss $\log(1 - D(G(z)))$ gives the generator almost no
#   gradient when the discriminator wins; the non-saturating loss
#   $-\log D(G(z))$ fixes that and is DCGAN's choice. (It no longer minimises
#   the Jensen–Shannon divergence; other losses, such as the hinge loss and
#   WGAN-GP's, are common too.)
# - On 2-D data with known modes, three numbers say how well a generator
#   does: modes covered, the share of high-quality samples, and the reverse
#   KL divergence of the mode histogram from uniform. GAN losses do not.
#
# ## Exercises
#
# 1. For $p_{data}(x) = 3\,p_{model}(x)$ at some point $x$, what is $D^*(x)$?
#    Check with `cnnguide.gan.theory.optimal_discriminator`.
#
#    <details><summary>Answer</summary>
#    D* = 3/(3 + 1) = 0.75: three times as many real points as fake ones land there.
#    </details>
#
# 2. At $D(G(z)) = 0.01$, how many times larger is the non-saturating loss's
#    gradient (with respect to the logit) than the saturating loss's? Use
#    `generator_loss_gradient`.
#
#    <details><summary>Answer</summary>
#    The saturating gradient is −0.01 and the non-saturating one −0.99: 99 times larger.
#    In general the ratio is (1 − D)/D.
#    </details>
#
# 3. A generator puts all its high-quality samples on two of the eight modes,
#    half on each. What are its modes covered and its reverse KL divergence?
#    Build such samples from `ring_of_gaussians` and check with `mode_coverage`.
#
#    <details><summary>Answer</summary>
#    2 modes; reverse KL = 2 · ½ · ln(½ · 8) = ln 4 ≈ 1.386.
#    </details>
#
# 4. Train the same GAN with `loss="saturating"` (an option of `fit_gan`) for
#    the same 3,000 steps. Compare the printed mode coverage with the run above,
#    and look at `history.d_fake`: what does the discriminator's verdict on the
#    fakes do early in training?
#
#    <details><summary>Answer</summary>
#    Per fake, the saturating loss sends back −D(G(z)) and the non-saturating
#    one −(1 − D(G(z))) (exercise 2), so `history.d_fake` says how much
#    gradient each generator received. On this ring the discriminator never
#    wins: in a run on this site's build machine (2026-12-07, seed 0) the
#    saturating run's `d_fake` started at 0.43 and never fell below 0.33
#    (mean 0.38), so its generator got about 0.38 / 0.62 ≈ 0.6 of the
#    non-saturating gradient, never a vanishing one, and it did no worse:
#    8 of 8 modes with 71 % high-quality samples at step 3,000, against 33 %
#    for the non-saturating run measured beside it. The case for the
#    non-saturating loss is a discriminator that wins, rejecting fakes with
#    `d_fake` near 0, as it does in the first steps on images (chapter 18's
#    D(G(z)) trace): there the saturating generator learns almost nothing.
#    One seed of a small game shows which loss did better *here*, not in
#    general.
#    </details>
#
# 5. The chapter's discriminator and generator each have two hidden layers of
#    128 units. How many parameters does each have? Use `summarize` and check
#    by hand: a `Linear(a, b)` layer has $ab + b$.
#
#    <details><summary>Answer</summary>
#    Generator: (16·128 + 128) + (128·128 + 128) + (128·2 + 2) = 18,946.
#    Discriminator: (2·128 + 128) + (128·128 + 128) + (128·1 + 1) = 17,025.
#    </details>
