# %% [markdown]
# # 19. Conditional GAN: asking for a class
#
# The DCGAN of [chapter 18](../18-dcgan/) draws a garment, but which one is
# up to the noise. A **conditional GAN** (Mirza and Osindero, 2014,
# "Conditional Generative Adversarial Nets") gives both players the label
# $y$: the generator draws $G(z, y)$, the discriminator judges the pair
# $D(x, y)$, and the game of [chapter 17](../17-adversarial-game/) is played
# class by class. At its optimum the generator's samples for label $y$ follow
# the data's images of class $y$.
#
# Two questions decide the design: how the generator receives the label, and
# how the discriminator does. This chapter answers both, trains the result on
# Fashion-MNIST, and measures it with the judge of chapter 18: does a sample
# asked to be a sneaker look like a sneaker to a classifier?
#
# ## The generator: the label beside the noise
#
# Mirza and Osindero feed a one-hot label to the generator beside the noise
# (in their MNIST model each first passes through a hidden layer of its own,
# then the two are joined). We append a learnt embedding $e(y)$ of the label
# to the noise instead and feed the longer vector to chapter 18's generator
# unchanged. An embedding lookup is a linear map of the
# one-hot vector, and the generator's first layer is linear too, so with as
# many embedding dimensions as classes the two describe the same functions;
# the embedding only starts its rows at the scale of the noise.

# %%
from cnnguide.figures import show_source
from cnnguide.gan import ConditionalDCGANGenerator, ProjectionDiscriminator

show_source(ConditionalDCGANGenerator.forward, docstring=False)

# %% [markdown]
# ## The discriminator: a projection
#
# The discriminator could get the label the same way, as extra input
# channels. Miyato and Koyama (2018, "cGANs with Projection Discriminator")
# derived another form from what the optimal discriminator computes, the log
# ratio of the data's and the generator's densities of $(x, y)$: with
# features $\phi(x)$, an unconditional output $\psi$ and one learnt vector
# $V_y$ per class,
#
# $$D(x, y) = \psi(\phi(x)) + \langle V_y, \phi(x) \rangle .$$
#
# The class enters as an inner product with the features. They found it
# better than concatenating the label to the input or a hidden layer, and it
# keeps the unconditional network intact: $\phi$ and $\psi$ are chapter 18's
# discriminator, and with $V = 0$ (where it starts) it *is* that
# discriminator. That is why we chose it.

# %%
show_source(ProjectionDiscriminator.forward, docstring=False)

# %% [markdown]
# What the label costs in parameters, at the width this page trains:

# %%
from cnnguide.gan import DCGANDiscriminator, DCGANGenerator


def parameters(net):
    return sum(p.numel() for p in net.parameters())


WIDTH = 32
generator, discriminator = ConditionalDCGANGenerator(width=WIDTH), ProjectionDiscriminator(width=WIDTH)
for name, conditional, plain in (("generator", generator, DCGANGenerator(width=WIDTH)),
                                 ("discriminator", discriminator, DCGANDiscriminator(width=WIDTH))):
    print(f"{name}: {parameters(conditional):,} parameters, "
          f"{parameters(conditional) - parameters(plain):,} more than chapter 18's")

# %% [markdown]
# ## Training on a CPU
#
# `fit_gan` sees that the generator has `num_classes` and plays the
# conditional game: every real batch brings its labels, every fake batch gets
# labels drawn uniformly, and the fixed noise batch it draws samples from is
# asked for each class in turn, 10 samples per class. The run uses the CPU
# settings of chapter 18's recorded run (width 32, batches of 64 from all
# 60,000 images, Adam at a learning rate of $8 \times 10^{-4}$ for both
# players, chosen with `scripts/tune_gan.py --conditional`) for 3,000 steps.
#
# Like chapter 18's live run, it computes in bfloat16 (`amp=torch.bfloat16`;
# pass `amp=False` on a CPU without AVX-512 BF16 instructions). Measured with
# `scripts/tune_gan.py --conditional` on 2026-12-08, one thread per run, the
# 3,000 steps took 139 and 141 s in bf16 for seeds 0 and 1 against 203 and
# 193 s in full precision, and reached label agreements (measured as below)
# of 0.907 and 0.910 against 0.904 and 0.914: as good a generator in about
# two thirds of the time.

# %%
import time

import torch

from cnnguide.data import load_fashion_mnist
from cnnguide.gan import fit_gan

STEPS, BATCH, LR = 3_000, 64, 8e-4
train_iter, _ = load_fashion_mnist(BATCH, device="cpu", seed=0)
tic = time.perf_counter()
history = fit_gan(generator, discriminator, train_iter, steps=STEPS, lr=LR, scale_to_tanh=True,
                  seed=0, device="cpu", amp=torch.bfloat16, sample_every=1000, num_samples=100,
                  log_every=50)
print(history)
print(f"{time.perf_counter() - tic:.0f} s on this CPU")

# %% [markdown]
# One row per class asked for, ten samples each. The fixed batch holds ten
# noise vectors, one per column, and every row uses the same ten: within a
# row only the noise varies the garment, and down a column only the label
# does, so a column shows what one noise vector becomes under each label:

# %%
from cnnguide.figures import plot_class_grid

plot_class_grid(history.samples[STEPS], history.sample_labels)

# %% [markdown]
# ## Label agreement
#
# A picture invites squinting, so here is a number. The **label agreement**
# is the share of samples that the judge (chapter 18's classifier, trained
# on the real images) puts in the class they were asked for: 500 fresh
# samples of each class. A generator that ignored its label would score about
# 0.1, one class in ten. The judge is not perfect either: on real test images
# with their true labels the same measure is the judge's accuracy, the
# reference to read each class against. (It is not a ceiling: a generator
# that draws only the most typical garments of a class can score above the
# real images, which include the hard cases.)

# %%
from cnnguide.data import read_fashion_mnist
from cnnguide.gan import generator_label_agreement, label_agreement

agreement = generator_label_agreement(generator, per_class=500, seed=0)
images, labels = read_fashion_mnist("test")
real = label_agreement(images[:2000, None] / 255, labels[:2000])
print(f"label agreement of the generator: {agreement.overall:.3f}")
print(f"the judge on 2,000 real test images with their labels: {real.overall:.3f}")

# %%
from cnnguide.figures import plot_label_agreement

plot_label_agreement(agreement, reference=real)

# %% [markdown]
# The bars are the generator's agreement per class, the ticks the judge's
# accuracy on real images of that class. A bar far below its tick is a class
# the generator has not learnt to draw yet, or draws as another class; the
# classes the judge itself confuses on real images (shirt, T-shirt, pullover
# and coat look alike at 28 × 28) have low ticks too.
#
# ## A longer run
#
# The recipe `cgan-cpu` is this page's setting trained for 40,000 steps:
# `scripts/reproduce_gan.py --only cgan-cpu --device cpu --allow-cpu`
# records it under `docs/recorded/`, labelled with the machine, date, torch
# version, command and wall time, and measures its label agreement on 10,000
# samples, 1,000 of each class, drawn from the moving average of the
# generator's weights (decay 0.999, as in chapter 18's recording; the raw
# generator's agreement is printed beside it). (`cgan` is the `dcgan` recipe's
# setting, the paper's batches of 128 with the width 64 and 25 epochs of
# PyTorch's DCGAN example, for the conditional networks: a GPU run.)
# `cnnguide gan train cgan-cpu` runs the same recipe and writes the label
# agreement into `metrics.json`.

# %%
import textwrap

from IPython.display import display

from cnnguide.gan import GANHistory, load_kept_samples
from cnnguide.recorded import describe_recorded, recorded_path

path = recorded_path("gan-cgan-cpu")
if not path.exists():
    print("No run of the cgan-cpu recipe is recorded yet. To record one (about half an hour on 2 cores):")
    print("    python scripts/reproduce_gan.py --only cgan-cpu --device cpu --allow-cpu")
else:
    run = GANHistory.load_json(path)
    print(textwrap.fill(describe_recorded(run), 96, break_on_hyphens=False, break_long_words=False))
    print(f"{run.last_step:,} steps; label agreement {run.metadata['label_agreement']['overall']:.3f}, "
          f"judge FID {run.metadata['judge']['judge_fid']:.2f} ({run.metadata['judge']['samples']:,} samples)")
    raw = run.metadata.get("raw_generator")
    if raw:
        print(f"the raw generator: label agreement {raw['label_agreement']['overall']:.3f}, "
              f"judge FID {raw['judge']['judge_fid']:.2f}")
    kept = load_kept_samples(path.with_name(run.metadata["samples_file"]))
    display(plot_class_grid(kept[max(kept)], run.sample_labels, title=f"The recorded run after {max(kept):,} steps"))

# %% [markdown]
# ## What to remember
#
# - A conditional GAN gives both players the label. The generator can take it
#   beside the noise (one-hot or embedded: the same functions); the
#   projection discriminator adds $\langle V_y, \phi(x) \rangle$ to an
#   unconditional discriminator's output.
# - `fit_gan` plays the conditional game when the generator has
#   `num_classes`: real labels with real images, uniform labels for fakes.
# - Label agreement asks the judge whether a sample is the class that was
#   asked for: 0.1 for a generator that ignores its label, the judge's own
#   accuracy for real images.
#
# ## Exercises
#
# 1. The conditional generator at width 32 has 31,460 parameters more than
#    chapter 18's. Where are they?
#
#     <details><summary>Answer</summary>
#
#     The embedding holds $10 \times 10 = 100$. The first transposed
#     convolution now takes $100 + 10$ inputs instead of 100: ten more input
#     channels, each with a $64 \times 7 \times 7$ kernel: $10 \cdot 64 \cdot 49$ = 31,360.
#     Together 31,460.
#
#     </details>
#
# 2. And the projection discriminator's 31,360 extra parameters?
#
#     <details><summary>Answer</summary>
#
#     One vector $V_y$ per class, as long as the flattened features
#     $\phi(x)$: $64 \times 7 \times 7$ = 3,136 values, times 10 classes: 31,360.
#
#     </details>
#
# 3. What label agreement does a generator score that draws excellent images
#    but ignores its label, if every class is asked for equally often?
#
#     <details><summary>Answer</summary>
#
#     About 0.1: whatever class the judge sees, it matches the asked-for
#     label one time in ten on average, because the asked labels are
#     balanced and independent of the images. The test suite checks it with
#     real images of random classes.
#
#     </details>
#
# 4. Set the projection's class vectors to zero
#    (`discriminator.embed.weight.data.zero_()`). What does the
#    discriminator compute then, and what does that tell the generator about
#    its label?
#
#     <details><summary>Answer</summary>
#
#     With $V = 0$ the logit is $\psi(\phi(x))$: chapter 18's unconditional
#     discriminator. It no longer depends on the label, so its gradients give
#     the generator no reason to draw the class it was asked for, only to
#     draw something that looks real.
#
#     </details>
