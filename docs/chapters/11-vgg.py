# %% [markdown]
# # VGG: networks built from one block
#
# [LeNet](../10-lenet/) was designed layer by layer: a 5 × 5 convolution here,
# a pooling there, sizes chosen by hand. In 2014 Karen Simonyan and Andrew
# Zisserman, of Oxford's Visual Geometry Group, asked a simpler question: what
# if the whole convolutional part were *one block repeated*, and depth were the
# only thing you turned up? Their networks, VGG-11 to VGG-19, came second in
# that year's ImageNet competition and set the pattern most later networks
# follow: think in blocks, not in layers.
#
# This chapter builds the block, computes why it uses only 3 × 3 kernels,
# counts the whole family's parameters and operations, trains a small VGG for
# real on this page, and looks at what its filters respond to.
#
# ## The VGG block
#
# A VGG block is a few 3 × 3 convolutions with padding 1, each followed by a
# ReLU, and then a 2 × 2 max pooling with stride 2. The padding keeps height
# and width through the convolutions (a 3 × 3 kernel with padding 1 gives
# $n - 3 + 2 + 1 = n$, see [padding and stride](../03-padding-and-stride/)),
# so only the pooling changes the size: every block halves the resolution.
# `cnnguide.models.vgg.vgg_block` builds one:

# %%
import torch

from cnnguide.models.vgg import vgg_block

block = vgg_block(num_convs=2, in_channels=64, out_channels=128)
print(block)

x = torch.zeros(1, 64, 56, 56)
for layer in block:
    x = layer(x)
    print(f"{layer.__class__.__name__:10s} -> {tuple(x.shape)}")

# %% [markdown]
# ## Why only 3 × 3?
#
# A stack of two 3 × 3 convolutions sees a 5 × 5 window of its input, and a
# stack of three sees 7 × 7 (each layer adds $k - 1 = 2$ pixels to the
# [receptive field](../09-receptive-field/)). With $C$ channels in and out,
# one $k \times k$ layer has $k^2 C^2$ weights, so the stacks cost
#
# $$ 2 \cdot 9 C^2 = 18 C^2 \ \text{vs}\ 25 C^2, \qquad 3 \cdot 9 C^2 = 27 C^2 \ \text{vs}\ 49 C^2 . $$
#
# Let the code count them, for the widths VGG actually uses, and check the
# receptive fields with the recurrence of chapter 9:

# %%
from cnnguide.ops import conv_param_count, receptive_field

for C in (64, 256, 512):
    for n, k in ((2, 5), (3, 7)):
        assert receptive_field([(3, 1)] * n) == receptive_field([(k, 1)]) == k
        stack = n * conv_param_count(C, C, 3, bias=False)
        single = conv_param_count(C, C, k, bias=False)
        print(f"C = {C:3d}: {n} x 3x3 = {stack:>10,} weights ({stack // C**2} C²)   "
              f"one {k}x{k} = {single:>10,} ({single // C**2} C²)   saves {1 - stack / single:.0%}")

# %% [markdown]
# Three 3 × 3 layers see as far as one 7 × 7 layer with 45% fewer weights,
# and they put two more ReLUs in between, so the function they compute is
# more non-linear than any single layer's. Small kernels, many of them: that is
# the whole idea.
#
# ## The family
#
# A VGG network is five blocks, with channels doubling 64 → 128 → 256 → 512
# and staying at 512, then three fully connected layers (4096, 4096, classes).
# The members differ only in how many convolutions each block holds, which is
# why `VGG_CONFIGS` is the whole definition:

# %%
from cnnguide.models.vgg import VGG_CONFIGS

for name, config in VGG_CONFIGS.items():
    convs = sum(n for n, _ in config)
    print(f"{name}: convolutions per block {[n for n, _ in config]}, "
          f"channels {[c for _, c in config]} -> {convs} conv + 3 linear = {convs + 3} layers")

# %% [markdown]
# At ImageNet's configuration (3 colour channels, 224 × 224 pixels, 1,000
# classes) the parameter and operation counts come from
# `cnnguide.summary.summarize`. The networks are built on PyTorch's `meta`
# device, which gives tensors shapes but no memory, so counting VGG-19's
# 144 million parameters takes milliseconds:

# %%
import torch

from cnnguide import models
from cnnguide.summary import format_count, summarize

with torch.device("meta"):
    family = {name: models.create(name, num_classes=1000, in_channels=3) for name in VGG_CONFIGS}

print(f"{'model':6s} {'parameters':>13s} {'in the 3 linear layers':>23s} {'FLOPs per 224x224 image':>24s}")
for name, net in family.items():
    s = summarize(net, (1, 3, 224, 224), device="meta")
    linear = sum(p.numel() for p in net.classifier.parameters())
    print(f"{name:6s} {s.total_parameters:>13,} {linear / s.total_parameters:>23.0%} {format_count(s.flops):>24s}")

# %%
from cnnguide.figures import parameter_count_bars

parameter_count_bars(family, title="VGG at ImageNet size (3×224×224, 1000 classes)", log=False)

# %% [markdown]
# Two things stand out. The depth is almost free in parameters: going from 8
# to 16 convolutions adds only 11 million to VGG-11's 133 million, because
# 86–93% of every member's parameters sit in the three fully connected
# layers — the first one alone, $512 \cdot 7 \cdot 7 \times 4096$ weights, holds
# 103 million. The depth is not free in computation: the convolutions do almost all the
# arithmetic, and VGG-19 needs more than twice VGG-11's FLOPs. Later networks
# ([ResNet](../13-resnet/), [GoogLeNet](../14-googlenet/)) replace those huge
# linear layers with a global average pooling.
#
# ## VGG-11 for Fashion-MNIST
#
# The d2l book trains VGG-11 on Fashion-MNIST with every block a quarter as
# wide (16, 32, 64, 128, 128 channels; the 4096-wide linear layers stay), on
# one grey channel upsampled from 28 × 28 to 224 × 224 so that the five
# halvings end at 7 × 7. The option is `width_multiplier=0.25`:

# %%
from cnnguide import models
from cnnguide.summary import summarize

net = models.create("vgg11", num_classes=10, in_channels=1, width_multiplier=0.25)
print(summarize(net, (1, 1, 224, 224)))

# %% [markdown]
# Even at a quarter of the width, the 224 × 224 input makes this a network
# of about a billion FLOPs per image, while 42 of its 43 million parameters are
# the two big linear layers. One epoch is 60,000 such images forward and
# backward: a job for a GPU. The full recipe — 10 epochs, plain SGD at
# learning rate 0.05, batch 128 — runs through `scripts/reproduce.py` (see
# the end of this page and the [results](../../results/)).
#
# ## Training a small VGG on this page
#
# This page is built on a CPU, so it trains a smaller member of the same
# family for real: three VGG blocks (16, 32 and 64 channels) on the
# original 28 × 28 images, with a 128-wide classifier. The `VGG` class takes
# any list of `(num_convs, channels)` blocks. Why not the quarter-width VGG-11
# itself, at the smallest size its five halvings allow (32 × 32)? Count the
# work per image:

# %%
from cnnguide import models
from cnnguide.models.vgg import VGG
from cnnguide.summary import format_count, summarize

small_vgg = VGG(((1, 16), (1, 32), (2, 64)), num_classes=10, in_channels=1, hidden_features=128)
vgg11 = models.create("vgg11", num_classes=10, in_channels=1, width_multiplier=0.25)
small, big = summarize(small_vgg, (1, 1, 28, 28)), summarize(vgg11, (1, 1, 32, 32))
print(f"small VGG at 28x28:          {small.total_parameters:>10,} parameters, {format_count(small.flops)}FLOPs per image")
print(f"VGG-11 (1/4 width) at 32x32: {big.total_parameters:>10,} parameters, {format_count(big.flops)}FLOPs per image "
      f"({big.flops / small.flops:.0f} times more)")

# %% [markdown]
# Most of VGG-11's arithmetic at this size is in its 4096-wide linear layers;
# on a two-core CPU it could not see enough images to learn much within this
# page's budget of under a minute. The small VGG can: it trains below for
# four epochs on 15,000 training images (a quarter of the training set) in
# batches of 32, with the recipe's plain SGD and Xavier initialisation at
# learning rate 0.1 — the book's method, only with fewer and smaller steps.
# (With a few dozen steps, as in an earlier version of this page, the same
# network barely leaves chance level: without batch normalisation, a plain
# stack of ReLU layers under plain SGD needs a few hundred steps to get going.)

# %%
import time

from cnnguide import data, train

train_iter, test_iter = data.load_fashion_mnist(32, device="cpu", train_size=15000, test_size=1000, seed=0)
print(f"{len(train_iter)} batches per epoch, {4 * len(train_iter):,} SGD steps in all; "
      f"{len(test_iter.labels):,} test images")
tic = time.perf_counter()
history = train.fit(small_vgg, train_iter, test_iter, num_epochs=4, lr=0.1,
                    device="cpu", seed=0, callbacks=[train.PrintEpochs()])
print(f"trained in {time.perf_counter() - tic:.1f} s")

# %%
from cnnguide.figures import plot_history

plot_history(history, title="Small VGG, 4 epochs on a CPU (15,000 images, 28×28)")

# %% [markdown]
# The test accuracy printed above is measured on 1,000 images the network
# never saw; chance is 0.10. The full recipe goes further — it takes 4,690
# steps over all 60,000 images at 224 × 224, see the end of the page — but
# the same blocks, loss and loop that the GPU run uses have clearly learned
# here to tell the ten kinds of clothing apart. Where the training accuracy
# lies below the test accuracy, there are two reasons: it is averaged over
# each epoch while the network is still improving, and it is measured with
# dropout switched on, which silences half of the classifier's hidden units
# on every step; the test pass switches dropout off.
#
# ## What the filters respond to
#
# Pass one test image through the trained network's blocks and look at the
# output of each: the first block's 16 maps are the image filtered by 16
# learned 3 × 3 kernels (edges, light and dark regions); each later block
# works on half the resolution and has more channels.

# %%
import torch

from cnnguide import data
from cnnguide.figures import feature_map_grid

image, label = next(iter(test_iter))
x = image[:1]
print("image class:", data.text_labels(label[0]))
small_vgg.eval()
maps = []
with torch.no_grad():
    for block in small_vgg.features:
        x = block(x)
        maps.append(x[0])
        silent = int((x[0].flatten(1).amax(dim=1) == 0).sum())
        print(f"after block {len(maps)}: {tuple(x.shape[1:])}, {silent} of {x.shape[1]} maps all zero")

# %%
from cnnguide.figures import feature_map_grid

feature_map_grid(maps[0], title=f"Block 1: 16 maps, {maps[0].shape[1]}×{maps[0].shape[2]}", max_maps=16)

# %%
from cnnguide.figures import feature_map_grid

feature_map_grid(maps[2], title=f"Block 3: the first 16 of 64 maps, {maps[2].shape[1]}×{maps[2].shape[2]}", max_maps=16)

# %% [markdown]
# Some maps are entirely dark: their ReLU output is zero everywhere on this
# image, because the pattern their kernel looks for does not occur in it
# (and after a short run some units may not have found a pattern at all). The
# first block's maps are still recognisable pictures of the garment; by
# the third block, at 3 × 3 pixels, each map says *whether* a pattern occurs
# in a region rather than drawing it. The kernels that made the first maps:

# %%
from cnnguide.figures import kernel_grid

kernel_grid(small_vgg.features[0][0], title="Block 1: the 16 learned 3×3 kernels")

# %% [markdown]
# ## The full recipe on a GPU
#
# The book's run — the quarter-width VGG-11 at 224 × 224, 10 epochs, plain
# SGD at 0.05, batch 128, Xavier initialisation — is recorded by
# `scripts/reproduce.py` into `docs/recorded/vgg11.json`, and this page
# shows it when it exists:

# %%
from cnnguide.recorded import report_recorded

report_recorded("vgg11")

# %% [markdown]
# ## What to remember
#
# - A VGG block is $n$ 3 × 3 convolutions (padding 1) with ReLU, then a 2 × 2
#   max pool of stride 2: the convolutions keep the size, the pool halves it.
# - Stacked 3 × 3 kernels reach as far as one large kernel with fewer weights
#   ($18C^2$ vs $25C^2$ for 5 × 5, $27C^2$ vs $49C^2$ for 7 × 7) and more
#   non-linearity.
# - VGG-11 to VGG-19 differ only in convolutions per block; each has 133–144
#   million parameters at ImageNet size, 86–93% of them in the three fully
#   connected layers, while the convolutions do the arithmetic.
# - The d2l recipe trains VGG-11 at a quarter width on 224 × 224 Fashion-MNIST:
#   about a billion FLOPs per image, a GPU job; on a CPU a three-block VGG from
#   the same `vgg_block` learns the task in well under a minute.
# - Next: [batch normalisation](../12-batch-normalization/) makes such deep
#   stacks train faster, and [ResNet](../13-resnet/) makes them train at all
#   beyond a few dozen layers.
