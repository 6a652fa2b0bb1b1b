# %% [markdown]
# # 18. DCGAN: a convolutional GAN on Fashion-MNIST
#
# [Chapter 17](../17-adversarial-game/) played the adversarial game on points
# in the plane with two small MLPs. For images the players become
# convolutional networks. Early attempts at that were notoriously unstable;
# Radford, Metz and Chintala (2016, "Unsupervised Representation Learning
# with Deep Convolutional Generative Adversarial Networks") found a set of
# architectural rules that made it train reliably, **DCGAN**:
#
# - no pooling: the discriminator downsamples with **strided convolutions**,
#   the generator upsamples with **transposed convolutions**;
# - no fully connected hidden layers;
# - **batch normalization** in both networks, except the generator's output
#   layer and the discriminator's input layer;
# - ReLU in the generator, with $\tanh$ at its output; LeakyReLU with slope
#   0.2 in the discriminator;
# - Adam with learning rate $2 \times 10^{-4}$ and $\beta_1 = 0.5$, weights
#   drawn from $\mathcal{N}(0, 0.02^2)$.
#
# This chapter builds the one new operator, the transposed convolution, from
# scratch; builds DCGAN for 28 × 28 images; trains it on Fashion-MNIST; and
# measures the result with numbers instead of squinting at samples.
#
# ## Transposed convolution
#
# A convolution with stride 2 maps a large image to a small one. The generator
# needs the opposite: a layer that maps a small feature map to a larger one,
# with learned weights. A **transposed convolution** does it: every input
# element scales a copy of the kernel, the copies are placed `stride` apart
# in the output, and where they overlap they add up.

# %%
import torch

from cnnguide.figures import transposed_conv_figure

X = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
transposed_conv_figure(X, K)

# %% [markdown]
# Each of the four input elements contributes one scaled copy of the
# 2 × 2 kernel (the four small grids), and the 3 × 3 output is their sum.
# The library computes it exactly that way, one scaled kernel copy per input
# pixel, added back into place with `torch.nn.functional.fold`:

# %%
from cnnguide.figures import show_source
from cnnguide.ops import conv_transpose2d

show_source(conv_transpose2d, docstring=False)

# %% [markdown]
# It agrees with PyTorch's own `conv_transpose2d`, values and gradients; the
# test suite checks that on random shapes, and here is one case:

# %%
import torch.nn.functional as F

gen = torch.Generator().manual_seed(0)
x = torch.randn(2, 3, 5, 5, generator=gen, dtype=torch.float64)
k = torch.randn(3, 4, 3, 3, generator=gen, dtype=torch.float64)
ours = conv_transpose2d(x, k, stride=2, padding=1, output_padding=1)
theirs = F.conv_transpose2d(x, k, stride=2, padding=1, output_padding=1)
print("output shape:", tuple(ours.shape))
print("largest difference from torch:", (ours - theirs).abs().max().item())

# %% [markdown]
# **Zero insertion.** The same result comes from an ordinary convolution:
# insert `stride − 1` zeros between the input elements, pad the border with
# `kernel − 1 − padding` zeros, and slide the kernel rotated by 180° over it.
# That is where the name "fractionally strided convolution" comes from, and
# why the layer can create detail: the kernel is what fills the gaps.

# %%
from cnnguide.figures import zero_insertion_figure

zero_insertion_figure(X, K, stride=2)

# %% [markdown]
# **Why "transposed".** A convolution is a linear map, so it is a matrix $C$
# applied to the flattened input; the transposed convolution applies $C^T$.
# (It is not the inverse: it restores the shape, not the values.) A matrix
# and its transpose satisfy $\langle Cx, y \rangle = \langle x, C^T y \rangle$
# for all $x$ and $y$, which we can check on random tensors, with
# convolution and transposed convolution sharing one kernel:

# %%
from cnnguide.ops import conv2d

x = torch.randn(1, 4, 8, 8, generator=gen, dtype=torch.float64)
y = torch.randn(1, 3, 4, 4, generator=gen, dtype=torch.float64)
w = torch.randn(3, 4, 3, 3, generator=gen, dtype=torch.float64)  # conv: 4 -> 3 channels
left = (conv2d(x, w, stride=2, padding=1) * y).sum()
right = (x * conv_transpose2d(y, w, stride=2, padding=1, output_padding=1)).sum()
print(f"<conv(x), y> = {left.item():.10f}")
print(f"<x, convT(y)> = {right.item():.10f}")

# %% [markdown]
# This is also how autograd computes a convolution's gradient with respect
# to its input: backpropagating through a convolution *is* a transposed
# convolution with the same kernel.
#
# **Output size.** A transposed convolution maps a side of $n$ to
# $(n - 1)s - 2p + k + p_{out}$, PyTorch's formula, where $p_{out}$ is its
# `output_padding` argument; it inverts the convolution's
# $\lfloor (n + 2p - k)/s \rfloor + 1$, and $p_{out}$ picks among the input
# sizes that the floor maps to the same output.
# DCGAN's generator for 28 × 28 images goes 1 → 7 → 14 → 28:

# %%
from cnnguide.ops import conv_output_size, conv_transpose_output_size

side = 1
for k, s, p in ((7, 1, 0), (4, 2, 1), (4, 2, 1)):
    new = conv_transpose_output_size(side, k, padding=p, stride=s)
    back = conv_output_size(new, k, padding=p, stride=s)
    print(f"kernel {k}, stride {s}, padding {p}: {side} -> {new} "
          f"(a convolution maps {new} back to {back})")
    side = new

# %% [markdown]
# ## The networks
#
# The generator projects a 100-dimensional noise vector to a 7 × 7 map with a
# transposed convolution, then doubles the side twice. Its input is 1 × 1, so
# that first layer multiplies the noise by a matrix, exactly what a fully
# connected layer does, and the paper itself describes it so. "No fully
# connected *hidden* layers" is about the layers in between, which are all
# convolutions. The discriminator mirrors the generator with stride-2
# convolutions and ends in a single logit, a 7 × 7 convolution over the
# 7 × 7 map: again one weighted sum of the whole map, a linear output layer
# written as a convolution. `width` sets the number of
# channels; the paper's networks are wider than what a CPU can train while
# this page builds.

# %%
from cnnguide.gan.nets import DCGANDiscriminator, DCGANGenerator, dcgan_init_
from cnnguide.summary import summarize

WIDTH = 32
generator = DCGANGenerator(latent_dim=100, width=WIDTH)
discriminator = DCGANDiscriminator(width=WIDTH)
summarize(generator, (1, 100))

# %%
summarize(discriminator, (1, 1, 28, 28))

# %% [markdown]
# Batch norm sits after every layer but the last of each network (the
# generator's image layer and the discriminator's logit) and the
# discriminator's first, as the paper prescribes. DCGAN's initialisation
# draws convolution weights from $\mathcal{N}(0, 0.02^2)$, batch-norm scales
# from $\mathcal{N}(1, 0.02^2)$ and sets biases to 0. (d2l's DCGAN section
# draws the batch-norm scales from $\mathcal{N}(0, 0.02^2)$ too, which starts
# every normalised activation at about 2 % of its scale; the paper's
# reference code and PyTorch's DCGAN example use 1.) The statistics after
# `dcgan_init_`:

# %%
from torch import nn

_ = torch.manual_seed(0)
generator.apply(dcgan_init_)
convs = [m.weight for m in generator.modules() if isinstance(m, nn.ConvTranspose2d)]
scales = [m.weight for m in generator.modules() if isinstance(m, nn.BatchNorm2d)]
conv_w, bn_w = torch.cat([w.flatten() for w in convs]), torch.cat([w.flatten() for w in scales])
print(f"transposed-conv weights: mean {conv_w.mean():+.4f}, std {conv_w.std():.4f}")
print(f"batch-norm scales:       mean {bn_w.mean():+.4f}, std {bn_w.std():.4f}")

# %% [markdown]
# ## A judge for generated images
#
# Chapter 17 could count modes because it knew where they were. For images
# we need something that knows what Fashion-MNIST looks like: a **judge**, a
# classifier trained on the real data, whose predictions and features give
# numbers for a set of generated images. The standard scores in papers,
# Inception Score and FID, use an Inception-v3 network trained on ImageNet,
# whose weights would have to be downloaded; our judge is a small CNN trained
# on Fashion-MNIST by `scripts/train_judge.py` in this repository, and its
# weights ship with the package. Its numbers are therefore **not comparable
# with Inception-based numbers in papers**, only with each other.

# %%
from cnnguide.gan import judge_accuracy, judge_manifest

manifest = judge_manifest()
print(f"judge: {manifest['parameters']:,} parameters, trained by "
      f"scripts/train_judge.py ({manifest['recipe']['epochs']} epochs)")
print(f"its accuracy on the 10,000 test images, measured now: {judge_accuracy():.4f}")

# %% [markdown]
# From the judge's predictions on a set of generated images:
#
# - the **class histogram** and the number of **classes covered** (a class
#   counts when at least 1 % of the samples fall in it): a generator that
#   draws only sneakers covers one class;
# - a classifier-based **Inception Score**, $\exp \mathbb{E}_x\,
#   \mathrm{KL}(p(y \mid x) \,\|\, p(y))$: high when each image is clearly
#   one class (confident predictions) *and* the classes are balanced; at most
#   10 here.
#
# From its penultimate features (a 128-dimensional vector per image):
#
# - the **judge Fréchet distance** (`judge_fid`), the distance between two
#   Gaussians fitted to the features of two image sets, computed by
#   torchmetrics' FID with our judge as the feature extractor;
# - **precision and recall** for generative models (Kynkäänniemi et al.,
#   2019): the share of generated images that fall inside the region real
#   images occupy in feature space (quality), and the share of real images
#   inside the generated images' region (variety).
#
# What a classifier judge cannot see: it was trained to tell the ten classes
# apart, so its features respond to what separates a sandal from a sneaker —
# outlines, proportions, textures typical of a class — and much less to what
# a person notices first in a generated image: blur, streaks, speckle,
# broken edges. An image with a shirt's outline and a smudged inside can be
# a confident shirt. High scores from this judge mean class-typical,
# varied images; the grids of samples remain part of the evidence.
#
# Numbers need a scale. Here they are for real images against real images
# (the best a generator can hope for, with the same number of images) and
# for real images against uniform noise (a generator that learned nothing):

# %%
from cnnguide.gan import judge_reference

N = 5_000
ref = judge_reference(n=N)
print(f"judge FID, real vs real:  {ref.real_vs_real:8.2f}   ({N:,} images each)")
print(f"judge FID, real vs noise: {ref.real_vs_noise:8.2f}")
print(f"Inception Score of real test images: {ref.inception_real.mean:.2f}")
pr = ref.precision_recall_real
print(f"precision / recall, real vs real: {pr.precision:.3f} / {pr.recall:.3f}")

# %% [markdown]
# ## Training on a CPU
#
# The paper trains with batches of 128 for several epochs on a GPU. This page
# is built on a CPU, so the run below is sized for one: a width-32 DCGAN,
# 8,000 steps with batches of 64 drawn from all 60,000 training images (about
# eight and a half epochs), the paper's initialisation and Adam's
# $\beta = (0.5, 0.999)$, but a learning rate of $10^{-3}$ for both players
# instead of the paper's $2 \times 10^{-4}$. `scripts/tune_gan.py` chose
# these: it trains candidate settings (widths, batch sizes, learning rates, a
# hinge loss with spectral norm, an average of the generator's weights) and
# prints the judge's scores against CPU seconds; on a CPU budget of a few
# minutes, the narrow network with the larger steps drew the best garments
# per second, and the scores kept improving with the learning rate up to
# $10^{-3}$ ($1.2 \times 10^{-3}$ did no better). The choice holds on other
# seeds: measured in full precision on 2026-12-07 with seeds 1 and 2, 8,000
# steps at $10^{-3}$ reached an Inception Score of 6.01 and 6.05 (judge FID
# 7.32 and 7.11), at $8 \times 10^{-4}$ 5.96 and 5.95 (FID 7.75 and 7.37).
# The `dcgan-cpu` recipe, which runs much longer below, is the same network
# and batch size at $8 \times 10^{-4}$, the rate this page used before that
# last screen.
#
# The run computes in **bfloat16** where that is safe: `amp=torch.bfloat16`
# makes `fit_gan` run both networks under `torch.autocast`, so the
# convolutions multiply 16-bit numbers (bfloat16 keeps float32's range with
# fewer digits), while the weights, Adam's moments and the losses stay in 32
# bits. The machines that build this site have AVX-512 BF16 instructions for
# it, and `scripts/bench_gan.py`, which times this network's steps both ways
# in one process, printed ratios of 1.40 with one thread and 1.31 with two on
# 2026-12-07. The garments did not suffer: measured with
# `scripts/tune_gan.py` the same day, 8,000 bf16 steps reached Inception
# Scores of 6.03, 6.06, 6.07 and 6.04 for seeds 0 to 3 (judge FID 7.30, 7.25,
# 7.12 and 7.17), against 6.04, 6.01 and 6.05 in full precision for seeds 0
# to 2. Fewer steps fell short: 6,000 bf16 steps whose learning rates fall
# linearly to 0 over the last 30 % or 50 % of the run reached 5.77 and 5.83
# for seed 0 (judge FID 8.28 and 8.17; `scripts/tune_gan.py`, 2026-12-08).
# On a CPU without those instructions autocast is emulated and slower:
# pass `amp=False` there.
#
# `scale_to_tanh=True` maps the images from [0, 1] to [−1, 1], the range of
# the generator's $\tanh$ output. Every 1,000 steps the generator draws the
# same 64 noise vectors, so the rows below show one generator learning.

# %%
import time

import torch

from cnnguide.data import load_fashion_mnist
from cnnguide.gan import fit_gan

STEPS, BATCH, LR = 8_000, 64, 1e-3
train_iter, _ = load_fashion_mnist(BATCH, device="cpu", seed=0)
tic = time.perf_counter()
history = fit_gan(generator, discriminator, train_iter, steps=STEPS, lr=LR, scale_to_tanh=True,
                  seed=0, device="cpu", amp=torch.bfloat16, sample_every=1000, num_samples=64,
                  log_every=50)
print(history)
print(f"{time.perf_counter() - tic:.0f} s on this CPU")

# %%
from cnnguide.figures import plot_samples_over_training

plot_samples_over_training(history, steps=[0, 1_000, 2_000, 4_000, 6_000, STEPS], per_step=10)

# %% [markdown]
# Each row is one moment of training, from the untrained generator (top: its
# outputs are all close to 0, mid-grey) down to the last step; each column is
# one fixed noise vector, so a column shows one sample taking shape: within
# the first thousand steps blobs become silhouettes, and later rows add
# the details (collars, straps, soles). The curves show the two players'
# losses and the discriminator's verdicts:

# %%
from cnnguide.figures import plot_gan_history

plot_gan_history(history)

# %% [markdown]
# ## Measuring the samples
#
# Now the judge's numbers for 5,000 fresh samples of the trained generator,
# beside the reference values above (the Fréchet distance against 5,000 test
# images):

# %%
from cnnguide.gan import (
    classes_covered, inception_score, judge_fid, judge_precision_recall, seeded_fakes,
)
from cnnguide.data import read_fashion_mnist

fakes = seeded_fakes(generator, N, seed=1)  # in [0, 1], from noise seed 1
test_images, _ = read_fashion_mnist("test")
real = test_images[:N, None] / 255
print(f"classes covered: {classes_covered(fakes)} of 10")
print(f"Inception Score: {inception_score(fakes).mean:.2f} (real: {ref.inception_real.mean:.2f})")
print(f"judge FID to real: {judge_fid(real, fakes):.2f} "
      f"(real vs real {ref.real_vs_real:.2f}, noise {ref.real_vs_noise:.2f})")
pr = judge_precision_recall(real, fakes)
print(f"precision / recall: {pr.precision:.3f} / {pr.recall:.3f}")

# %% [markdown]
# Read each number against its reference line: the Fréchet distance between
# the real-vs-real and the real-vs-noise values says how far the generator
# has come; precision says how many samples look like some real image,
# recall how much of the real data's variety the samples reach.
#
# ## Which category works well?
#
# d2l's DCGAN section ends with the exercise "apply DCGAN on Fashion-MNIST
# and see which category works well". The judge answers it with numbers:
# for each class, how many of the 5,000 samples it puts there, how sure it is
# of them, and (where there are enough of them) the Fréchet distance between
# those samples and the real test images of that class.

# %%
from cnnguide.gan import per_class_scores
from cnnguide.tables import Table

rows = per_class_scores(fakes, min_count=50)
Table(("class", "samples", "mean confidence", "judge FID to the class"),
      [(r.name, f"{r.count:,}", f"{r.mean_confidence:.3f}",
        "—" if r.fid is None else f"{r.fid:.1f}") for r in rows],
      align="lrrr", notes=("FID only for classes with at least 50 samples",))

# %% [markdown]
# A class that many samples fall into, with a high mean confidence and a
# small distance to its real images, is one the generator draws well; a class
# with few samples is one it rarely produces, and one with well over a tenth
# of them may be over-produced rather than drawn well: read the count beside
# the distance. The distances of classes with different sample counts are not
# strictly comparable (a Fréchet distance estimated from fewer images comes
# out larger, and below 129 images a class's covariance of the judge's 128
# features cannot have full rank), which is why they are rough and classes
# under 50 samples get none. Which classes come out on top depends on this short
# run: the table, not this sentence, is the answer for the network above.
#
# ## A longer run, recorded
#
# A build can afford a few minutes; the same network trained for about
# three quarters of an hour does better. `scripts/reproduce_gan.py` trains
# the `dcgan-cpu` recipe (the network and batches above at a learning rate
# of $8 \times 10^{-4}$, for 60,000 steps) and records the result under
# `docs/recorded/`, labelled with the machine, date, torch version, command
# and wall time; the judge measures it as above, on 10,000 samples against
# the 10,000 test images. A long run draws its samples from an exponential
# moving average of the generator's weights (decay 0.999, about the last
# thousand steps), as ProGAN, StyleGAN and BigGAN do: each step's weights
# carry the noise of that step's game. The average's batch norm statistics
# are recomputed from its own outputs (BigGAN's "standing statistics"),
# because the averaged running statistics were measured on the raw
# generator's activations. Whether the average helps depends on the horizon
# (over 5,000 steps at $8 \times 10^{-4}$ it did not, in `scripts/tune_gan.py`), so the
# recording measures three generators every 10,000 steps on 2,000 samples:
# the average it samples from, the raw generator, and the average with the
# averaged statistics. This page shows the recording when there is one,
# with its fixed-noise samples over training, to set beside the live run's
# rows above. (The paper's batches of 128, with the width 64 and 25 epochs of
# PyTorch's DCGAN example, are the `dcgan` recipe, a GPU run.)

# %%
import textwrap

from cnnguide.gan import GANHistory, get_gan_recipe, load_kept_samples
from cnnguide.recorded import describe_recorded, recorded_path

recipe = get_gan_recipe("dcgan-cpu")
path = recorded_path("gan-dcgan-cpu")
recorded = None
if not path.exists():
    print("No run of the dcgan-cpu recipe is recorded yet. To record one (about 45 minutes on 2 cores):")
    print("    python scripts/reproduce_gan.py --only dcgan-cpu --device cpu --allow-cpu")
else:
    recorded = GANHistory.load_json(path)
    scores = recorded.metadata["judge"]
    print(textwrap.fill(describe_recorded(recorded), 96, break_on_hyphens=False, break_long_words=False))
    print(f"{recorded.last_step:,} steps; classes covered {scores['classes_covered']}, "
          f"Inception Score {scores['inception_score']:.2f}, judge FID {scores['judge_fid']:.2f} "
          f"({scores['samples']:,} samples)")
    for what, key in (("raw generator", "raw_generator"), ("averaged statistics", "average_with_averaged_statistics")):
        if key in recorded.metadata:
            other = recorded.metadata[key]["judge"]
            print(f"  {what}: Inception Score {other['inception_score']:.2f}, judge FID {other['judge_fid']:.2f}")

# %%
from cnnguide.gan import measures_table

measures_table(recorded) if recorded is not None else None

# %%
from IPython.display import display

if recorded is not None:
    recorded.samples = load_kept_samples(path.with_name(recorded.metadata["samples_file"]))
    display(plot_samples_over_training(recorded, steps=sorted(recorded.samples), per_step=10,
                                       title="The recorded run: one fixed noise batch"))

# %% [markdown]
# ## What to remember
#
# - A transposed convolution scatters a scaled copy of the kernel for every
#   input element and adds the overlaps; it equals zero insertion, padding
#   and an ordinary convolution with the rotated kernel, and it is the
#   adjoint (transpose) of a convolution, not its inverse.
# - DCGAN's rules — strided and transposed convolutions, batch norm in both
#   networks but not at G's output or D's input, ReLU/tanh in G, LeakyReLU in
#   D, Adam at $2 \times 10^{-4}$ with $\beta_1 = 0.5$ — are what made
#   convolutional GANs trainable.
# - Without a judge, GAN results are pictures. A classifier trained on the
#   data gives numbers: classes covered, an Inception Score, a Fréchet
#   distance and precision/recall, each read against real-vs-real and
#   real-vs-noise references.
#
# ## Exercises
#
# 1. What output size does a transposed convolution with kernel 4, stride 2,
#    padding 1 give for a 7 × 7 input, and what does a convolution with the
#    same settings give for that output? Use `conv_transpose_output_size` and
#    `conv_output_size`.
#
#    <details><summary>Answer</summary>
#    (7 − 1)·2 − 2 + 4 = 14, and ⌊(14 + 2 − 4)/2⌋ + 1 = 7: the two undo each
#    other's shape change.
#    </details>
#
# 2. With kernel 3, stride 2 and padding 1, a convolution maps both a 7 × 7
#    and an 8 × 8 input to 4 × 4. What `output_padding` makes a transposed
#    convolution map 4 × 4 back to 8 × 8?
#
#    <details><summary>Answer</summary>
#    Without it, (4 − 1)·2 − 2 + 3 = 7; output_padding = 1 gives 8.
#    </details>
#
# 3. How many parameters do the chapter's width-32 generator and
#    discriminator have? Read them off `summarize`, and say which layer of the
#    generator holds the most.
#
#    <details><summary>Answer</summary>
#    Generator: 347,073, of which 313,600 = 100 × 64 × 7 × 7 are the weights of
#    the first transposed convolution (no bias: batch norm follows it).
#    Discriminator: 36,577.
#    </details>
#
# 4. Train the same DCGAN with d2l's batch-norm initialisation (scales from
#    N(0, 0.02²)): write a function that calls `dcgan_init_` and then resets
#    every `BatchNorm2d` weight with `nn.init.normal_(m.weight, 0, 0.02)`,
#    pass it as `init=` to `fit_gan`, train both initialisations for 1,000
#    steps (width 32, batches of 64, learning rate $8 \times 10^{-4}$, seed 0)
#    and compare the judge's numbers on 5,000 samples.
#
#    <details><summary>Answer</summary>
#    d2l's initialisation starts further behind and is still behind after
#    1,000 steps. In a run on this site's build machine (2026-12-07, seed 0):
#    the untrained generator's 64 fixed samples have a standard deviation of
#    0.006 with the paper's initialisation and below 0.0001 with d2l's (every
#    normalised activation starts at about 2 % of its scale, so the outputs
#    are one flat grey); after 1,000 steps the paper's initialisation gives
#    judge FID 18.2 and Inception Score 4.46, d2l's 23.8 and 3.89, both with
#    all 10 classes covered. Whether the gap closes in a longer run is
#    yours to measure.
#    </details>
