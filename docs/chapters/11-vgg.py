# %% [markdown]
# # 11. VGG: networks built from one block
#
# [LeNet](../10-lenet/) was designed layer by layer: a 5 × 5 convolution here,
# a pooling there, sizes chosen by hand. In 2014 Karen Simonyan and Andrew
# Zisserman, of Oxford's Visual Geometry Group, asked a simpler question: what
# if the whole convolutional part were *one block repeated*, and depth were the
# only thing you turned up? Their networks, VGG-11 to VGG-19, came second in
# the classification task of that year's ImageNet competition (ILSVRC 2014),
# behind [GoogLeNet](../14-googlenet/), and set the pattern most later
# networks follow: think in blocks, not in layers.
#
# This chapter builds the block, computes why it uses only 3 × 3 kernels,
# counts the whole family's parameters and operations, trains a small VGG for
# real on this page, and looks at what its filters respond to — and at the
# filters that respond to nothing.
#
# ## The VGG block
#
# A VGG block is a few 3 × 3 convolutions with padding 1, each followed by a
# ReLU, and then a 2 × 2 max pooling with stride 2. The padding keeps height
# and width through the convolutions (a 3 × 3 kernel with padding 1 gives
# $n - 3 + 2 + 1 = n$, see [padding and stride](../03-padding-and-stride/)),
# so only the pooling changes the size: every block halves the resolution.
# `cnnguide.models.vgg.vgg_block` builds one; here is its code, without the
# docstring:

# %%
from cnnguide.figures import show_source
from cnnguide.models.vgg import vgg_block

show_source(vgg_block, docstring=False)

# %% [markdown]
# A block of two convolutions from 64 to 128 channels, on a 56 × 56 input,
# layer by layer:

# %%
import torch

from cnnguide.models.vgg import vgg_block

block = vgg_block(num_convs=2, in_channels=64, out_channels=128)
x = torch.zeros(1, 64, 56, 56)
for index, layer in enumerate(block):
    x = layer(x)
    print(f"{index}: {layer.__class__.__name__:10s} -> {tuple(x.shape)}")

# %% [markdown]
# The same block drawn from the module itself (the shapes under the boxes come
# from a forward pass): the two convolutions change only the channels, 64 to
# 128, and the last box, the pooling, halves the height and width.

# %%
from cnnguide.figures import plot_vgg_block

plot_vgg_block(block, (1, 64, 56, 56))

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
        print(f"C = {C}: {n} × 3×3 = {stack:,} ({stack // C**2} C²), "
              f"one {k}×{k} = {single:,} ({single // C**2} C²), "
              f"saves {1 - stack / single:.0%}")

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

print("channels of the five blocks, in every member:",
      [c for _, c in VGG_CONFIGS["vgg11"]])
for name, config in VGG_CONFIGS.items():
    assert [c for _, c in config] == [c for _, c in VGG_CONFIGS["vgg11"]]
    convs = [n for n, _ in config]
    print(f"{name}: convolutions per block {convs} -> "
          f"{sum(convs)} conv + 3 linear = {sum(convs) + 3} layers")

# %% [markdown]
# At ImageNet's configuration (3 colour channels, 224 × 224 pixels, 1,000
# classes) the parameter and operation counts come from
# `cnnguide.summary.summarize`. As everywhere in this series, **FLOPs count a
# multiply-accumulate as two operations** (FLOPs = 2 × MACs, convolutions and
# linear layers only); papers and model zoos often quote multiply-adds, half
# these numbers, under the same name. The networks are built on PyTorch's
# `meta` device, which gives tensors shapes but no memory, so counting
# VGG-19's 144 million parameters takes milliseconds:

# %%
import torch

from cnnguide import models
from cnnguide.summary import format_count, summarize

with torch.device("meta"):
    family = {name: models.create(name, num_classes=1000, in_channels=3)
              for name in VGG_CONFIGS}

print(f"{'model':6s} {'parameters':>12s}  {'in the 3 linear layers':>22s}  "
      f"{'FLOPs per 224x224 image':>23s}")
for name, net in family.items():
    s = summarize(net, (1, 3, 224, 224), device="meta")
    linear = sum(p.numel() for p in net.classifier.parameters())
    print(f"{name:6s} {s.total_parameters:>12,}  {linear / s.total_parameters:>22.0%}  "
          f"{format_count(s.flops):>23s}")

# %%
from cnnguide.figures import parameter_count_bars

parameter_count_bars(family, title="VGG at ImageNet size (3×224×224, 1000 classes)",
                     log=False)

# %% [markdown]
# The four bars are almost the same length: depth is nearly free in
# parameters. Going from 8 to 16 convolutions adds only 11 million to
# VGG-11's 133 million, because 86–93% of every member's parameters sit in the
# three fully connected layers — the first one alone, $512 \cdot 7 \cdot 7
# \times 4096$ weights, holds 103 million. Depth is not free in computation:
# the convolutions do almost all the arithmetic, and VGG-19 needs more than
# twice VGG-11's FLOPs (the last column above). GoogLeNet, VGG's rival in the
# same 2014 competition, did without those huge linear layers: it ends with a
# global average pooling, an idea it took from *Network in Network* (Lin, Chen
# and Yan, 2013), and [ResNet](../13-resnet/) (2015) kept it.
#
# ## VGG-11 for Fashion-MNIST
#
# The d2l book trains VGG-11 on Fashion-MNIST with every block a quarter as
# wide (16, 32, 64, 128, 128 channels; the 4096-wide linear layers stay), on
# one grey channel upsampled from 28 × 28 to 224 × 224 so that the five
# halvings end at 7 × 7. The option is `width_multiplier=0.25`; the table
# lists every layer:

# %%
from cnnguide import models
from cnnguide.summary import summarize

net = models.create("vgg11", num_classes=10, in_channels=1, width_multiplier=0.25)
summarize(net, (1, 1, 224, 224))

# %% [markdown]
# Even at a quarter of the width, the 224 × 224 input makes this a network
# of about a billion FLOPs per image (the last line of the table), while 42 of
# its 43 million parameters are the two big linear layers. One epoch is 60,000
# such images forward and backward: a job for a GPU. The full recipe — 10
# epochs, plain SGD at learning rate 0.05, batch 128 — runs through
# `scripts/reproduce.py` (see the end of this page and the
# [results](../../results/)).
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

small_vgg = VGG(((1, 16), (1, 32), (2, 64)), num_classes=10, in_channels=1,
                hidden_features=128)
vgg11 = models.create("vgg11", num_classes=10, in_channels=1, width_multiplier=0.25)
small, big = summarize(small_vgg, (1, 1, 28, 28)), summarize(vgg11, (1, 1, 32, 32))
in_linear = sum(row.flops for row in big.rows if row.type == "Linear") / big.flops
print(f"small VGG at 28x28:   {small.total_parameters:>10,} parameters, "
      f"{format_count(small.flops)}FLOPs per image")
print(f"VGG-11 (¼) at 32x32: {big.total_parameters:>10,} parameters, "
      f"{format_count(big.flops)}FLOPs per image")
print(f"VGG-11 needs {big.flops / small.flops:.0f} times the FLOPs, "
      f"{in_linear:.0%} of them in its linear layers")

# %% [markdown]
# At 32 × 32 the convolutions of VGG-11 have little left to do, but its
# classifier does not shrink: the adaptive pooling always hands it 7 × 7 maps,
# so the two 4096-wide layers cost what they cost at 224 × 224. On a shared
# CPU, in the few minutes a page build can spend, it would see too few images
# to learn much. The small VGG trains below for four epochs on 15,000
# training images (a quarter of the training set) in batches of 32, with the
# recipe's plain SGD and Xavier initialisation at learning rate 0.1 — the
# book's method, with fewer steps, on smaller batches, at twice its learning
# rate.

# %%
import math
import time

from cnnguide import data, train
from cnnguide.recipes import get_recipe

train_iter, test_iter = data.load_fashion_mnist(32, device="cpu", train_size=15000,
                                                test_size=1000, seed=0)
recipe = get_recipe("vgg11")
recipe_steps = recipe.epochs * math.ceil(60_000 / recipe.batch_size)
print(f"{len(train_iter)} batches per epoch, {4 * len(train_iter):,} steps "
      f"(the full recipe: {recipe_steps:,}); {len(test_iter.labels):,} test images")
tic = time.perf_counter()
history = train.fit(small_vgg, train_iter, test_iter, num_epochs=4, lr=0.1,
                    device="cpu", seed=0, callbacks=[train.PrintEpochs()])
print(f"trained in {time.perf_counter() - tic:.1f} s")

# %%
from cnnguide.figures import plot_history

plot_history(history, title="Small VGG, 4 epochs on a CPU (15,000 images, 28×28)")

# %% [markdown]
# The left panel is the training loss, the right one the training accuracy
# and the accuracy on 1,000 test images the network never saw. The training
# curves pass through five points per epoch, each the mean over the epoch so
# far, so each epoch's curve starts afresh (hence the drop just after each
# epoch boundary: the new mean no longer includes the worse early batches);
# the test accuracy is measured once, at the end of each epoch. Chance is
# 0.10; how far above it the network ends is the last test
# accuracy printed above. The full recipe takes many more steps over all
# 60,000 images at 224 × 224 (its result is at the end of the page), but it
# runs the same blocks, loss and loop.
#
# Where the training accuracy lies below the test accuracy, there are two
# reasons: it is averaged over each epoch while the network is still
# improving, and it is measured with dropout switched on, which silences half
# of the classifier's hidden units on every step; the test pass switches
# dropout off.
#
# ## What the filters respond to
#
# Pass one test image through the trained network's blocks and look at the
# output of each: each block works on half the resolution of the one before
# and has more channels. The last number on each line counts the maps that
# are zero at every position for this image:

# %%
import torch

from cnnguide import data

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
        print(f"after block {len(maps)}: {tuple(x.shape[1:])}, "
              f"{silent} of {x.shape[1]} maps all zero")

# %% [markdown]
# A map can be zero on one image because the pattern its kernel looks for is
# not in that image. But a ReLU unit can also be **dead**: its input is
# negative at every position of *every* image, so it outputs zero always. A
# dead unit also stops learning. The derivative of the ReLU is 0 wherever its
# input is negative, so no gradient reaches the kernel or the bias in front of
# it, and plain SGD, which moves a weight only along its gradient, leaves them
# as they are. In the first layer, whose input is the image itself, a unit
# that is dead on every training image therefore stays dead for good. Deeper
# in the network a dead unit's kernel is frozen too, but its input is the
# output of the layers below, which keep learning, and they can bring it back
# to life.
#
# To tell the two cases apart, run all 1,000 test images through the network
# and keep, for every channel of every ReLU, its largest output. A channel
# whose largest output is 0 is dead on the whole test set. The same count on
# the initial weights (`fit` for 0 epochs with the same seed only
# initialises the network, exactly as the training run did) says whether the
# units were dead from the start:

# %%
import torch
from torch import nn

from cnnguide import train
from cnnguide.models.vgg import VGG


def relu_peaks(net, data_iter):
    """The largest output of every channel of every ReLU in net.features."""
    peaks = {}
    net.eval()
    with torch.no_grad():
        for X, _ in data_iter:
            for b, block in enumerate(net.features, start=1):
                for i, layer in enumerate(block):
                    X = layer(X)
                    if isinstance(layer, nn.ReLU):  # after conv i // 2 + 1 of block b
                        key, peak = f"block {b}, conv {i // 2 + 1}", X.amax((0, 2, 3))
                        peaks[key] = torch.maximum(peaks.get(key, peak), peak)
    return peaks


initial = VGG(((1, 16), (1, 32), (2, 64)), num_classes=10, in_channels=1,
              hidden_features=128)
train.fit(initial, train_iter, test_iter, num_epochs=0, lr=0.1, device="cpu", seed=0)
after, before = relu_peaks(small_vgg, test_iter), relu_peaks(initial, test_iter)
print(f"dead units on the {len(test_iter.labels):,} test images")
for key in after:
    n_after, n_before = int((after[key] == 0).sum()), int((before[key] == 0).sum())
    print(f"  {key}: {n_after:2d} of {len(after[key])} after training, "
          f"{n_before:2d} at initialisation")

dead = after["block 1, conv 1"] == 0
w, w0 = small_vgg.features[0][0].weight, initial.features[0][0].weight
moved = (w - w0).abs().amax(dim=(1, 2, 3))
print("block 1, largest change of any weight of a kernel during training:")
print("  dead units:", [round(v, 3) for v in moved[dead].tolist()])
print(f"  live units: {moved[~dead].min():.3f} to {moved[~dead].max():.3f}")
print(f"  mean |weight| of the kernels: dead {w[dead].abs().mean():.3f}, "
      f"live {w[~dead].abs().mean():.3f}")

# %% [markdown]
# The printed counts show how many units are dead after training, layer by
# layer, and how many were already dead before the first step (in the deeper
# layers the two need not be the same units). The last lines
# say how far the first layer's kernels moved. A unit that was dead on every
# training image from the first step on never received a gradient, so its
# kernel did not move at all (a change of exactly 0); a unit that died later
# kept the changes it made while it was alive, and has not moved since. Dead
# units are the best-known weakness of the ReLU. A large update can push a
# unit's bias and weights so far negative that it never fires again, which is
# why a learning rate that is too high can kill many units. The common
# remedies are a smaller learning rate, an activation
# with a small slope for negative inputs (leaky ReLU; the ReLU itself is in
# [activation functions](../06-activation-functions/)) or batch
# normalisation ([next chapter](../12-batch-normalization/)), which re-centres
# each unit's input on every batch. A dead unit costs its arithmetic and
# contributes nothing: a layer with half its units dead computes like a layer
# half as wide.
#
# Between dead and busy there are units that fire rarely. For each unit of
# the first layer, the share of the test images on which it fires anywhere:

# %%
import torch

first_layer = small_vgg.features[0][:2]  # the first convolution and its ReLU
with torch.no_grad():
    fires = torch.cat([first_layer(X).amax(dim=(2, 3)) > 0 for X, _ in test_iter])
share = fires.float().mean(dim=0).tolist()
for start in (0, 8):
    values = " ".join(f"{v:4.2f}" for v in share[start:start + 8])
    print(f"ch {start:2d}-{start + 7:2d}: {values}")

# %% [markdown]
# A share of 0 is a dead unit, 1 a unit that fires on every image. A unit
# that fires on few images receives a gradient only from those, so it learns
# slowly and its map is dark on most images. The 16 maps of the first block
# for the test image, with the units that are dead on the whole test set
# marked:

# %%
from cnnguide.figures import feature_map_grid

labels = [f"ch {c}" + (" dead" if dead[c] else "") for c in range(16)]
size = "×".join(map(str, maps[0].shape[1:]))
feature_map_grid(maps[0], title=f"Block 1: 16 maps, {size}", max_maps=16, labels=labels)

# %% [markdown]
# Each panel has its own colour scale, so a map that is zero everywhere is a
# flat dark square. The live maps are still recognisable pictures of the
# garment, each stressing something different: its outline, its bright
# areas, or the dark background around it. (On a black pixel and its black
# neighbours a unit outputs only its bias, so a map that is bright on the
# background comes from a unit with a positive bias.)
# Maps that are dark here but not marked dead belong to units that do fire,
# on other images. The third block's maps, at 3 × 3 pixels:

# %%
from cnnguide.figures import feature_map_grid

size = "×".join(map(str, maps[2].shape[1:]))
feature_map_grid(maps[2], title=f"Block 3: the first 16 of 64 maps, {size}",
                 max_maps=16)

# %% [markdown]
# At this resolution a map no longer draws the garment. Each of its 9 cells
# sees a large part of the image (the receptive field has grown with every
# layer), and a bright cell says that the unit's pattern occurs in that
# region. The kernels that made the first block's maps:

# %%
from cnnguide.figures import kernel_grid

kernel_grid(small_vgg.features[0][0], title="Block 1: the 16 learned 3×3 kernels")

# %% [markdown]
# All panels share one colour scale, red for positive weights and blue for
# negative, so kernels compare directly. Where a kernel is red on one side
# and blue on the other it responds to a change of brightness in that
# direction, an edge. Where it is mostly one colour it responds to brightness
# (red) or darkness (blue) itself. The kernels of dead units stopped changing
# when they died; the mean absolute weights printed above say whether they
# are also the pale ones, still close to their small random initial values.
# Pale kernels of live units belong, as a rule, to the units that fire
# rarely (the shares printed above): they have had few images to learn from.
#
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
#   about a billion FLOPs per image (two per multiply-accumulate), a GPU job;
#   on a CPU a three-block VGG from the same `vgg_block` learns the task in a
#   few epochs.
# - A ReLU unit whose input is negative on every image is dead: it outputs
#   zero and receives no gradient, so plain SGD never revives it. Count them
#   before reading a feature map.
# - Next: [batch normalisation](../12-batch-normalization/) makes such deep
#   stacks train faster, and [ResNet](../13-resnet/) makes them train at all
#   beyond a few dozen layers.
#
# ## Exercises
#
# 1. Four stacked 3 × 3 convolutions (padding 1, $C$ channels in and out, no
#    bias) against one 9 × 9 convolution: check with `receptive_field` that
#    they see the same window, and count both with `conv_param_count` at
#    $C = 512$. What fraction of the weights does the stack save?
#
#     <details><summary>Answer</summary>
#
#     `receptive_field([(3, 1)] * 4)` is 9, the window of one 9 × 9 layer.
#     The stack has $4 \cdot 9 C^2 = 36 C^2$ weights, 9,437,184 at $C = 512$;
#     the single layer $81 C^2$, 21,233,664. The stack needs $36/81 = 4/9$ of
#     the weights: it saves 56%, more than the 45% of three layers against
#     7 × 7, and it has three ReLUs in between.
#
#     </details>
#
# 2. How many of VGG-16's parameters (ImageNet configuration, 1,000 classes)
#    are in its thirteen convolutions? Build it on the meta device and add up
#    the parameters of its `Conv2d` modules.
#
#     <details><summary>Answer</summary>
#
#     14,714,688, weights and biases: 10.6% of its 138,357,544 parameters.
#     The other 89% are the three linear layers.
#
#     </details>
#
# 3. How many parameters does the first linear layer of VGG-11 (ImageNet
#    configuration) have, and what share of the network's total is that?
#
#     <details><summary>Answer</summary>
#
#     It maps $512 \cdot 7 \cdot 7$ = 25,088 inputs to 4,096 outputs:
#     25,088 · 4,096 weights and 4,096 biases, 102,764,544 parameters, 77.3%
#     of VGG-11's 132,863,336. One layer holds more than three quarters of the
#     network.
#
#     </details>
#
# 4. Summarize the quarter-width VGG-11 on 96 × 96 instead of 224 × 224
#    images. By what factor do the convolutions' FLOPs shrink, and what
#    happens to the linear layers' FLOPs? Why?
#
#     <details><summary>Answer</summary>
#
#     The convolutions' FLOPs shrink by $(224/96)^2 = 5.44$, the ratio of
#     the areas: every convolution does the same work at each of $(96/224)^2$
#     times as many positions. The linear layers' FLOPs stay at 85,016,576,
#     because the adaptive average pooling always hands them 7 × 7 maps (at
#     96 × 96 the blocks end at 3 × 3, and the pooling spreads each value over
#     several of the 7 × 7 positions). The total is 257,540,096 FLOPs per
#     image, a third of them in the classifier.
#
#     </details>
