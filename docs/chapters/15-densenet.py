# %% [markdown]
# # 15. DenseNet: impressive on paper, rarely used
#
# [ResNet](../13-resnet/) made very deep networks trainable by *adding* each
# block's input to its output. DenseNet (Huang, Liu, van der Maaten and
# Weinberger, *Densely connected convolutional networks*, 2017) pushes the
# idea further: instead of adding, it **concatenates**, and instead of one
# shortcut per block, it connects every layer to every later layer of its
# block. The paper reports ResNet's accuracy with fewer parameters, and won a
# best-paper award at CVPR 2017. Yet ResNets remain the more common choice,
# as backbones and as baselines. This chapter builds DenseNet, counts what it
# costs, and then measures the main reason it is chosen less often: memory.
#
# ## Concatenation instead of addition
#
# A residual block computes $x_{l+1} = x_l + f(x_l)$: the output has as many
# channels as the input, and the block's new features are mixed into the old
# ones by the sum. A dense layer computes
#
# $$x_{l+1} = [\,x_l,\; f(x_l)\,],$$
#
# the channel-wise concatenation: the old channels pass through untouched and
# $f$ only adds $k$ new ones, where $k$ is the **growth rate**. In a dense block
# layer $l$ therefore sees the block's input *and* the outputs of all layers
# before it. That is the whole `forward` of our `DenseBlock`:

# %%
from cnnguide.figures import show_source
from cnnguide.models.densenet import DenseBlock

show_source(DenseBlock.forward, docstring=False)

# %% [markdown]
# Compare the shapes of a ResNet basic block and a dense block of four layers
# with $k = 32$, both on 64 channels:

# %%
import torch

from cnnguide.models.densenet import DenseBlock
from cnnguide.models.resnet import BasicBlock

x = torch.randn(2, 64, 24, 24)
residual = BasicBlock(64, 64)
dense = DenseBlock(num_layers=4, in_channels=64, growth_rate=32, bn_size=None)
count = lambda module: sum(p.numel() for p in module.parameters())  # noqa: E731
print(f"ResNet basic block:   {tuple(x.shape)} -> {tuple(residual(x).shape)}, "
      f"{count(residual):,} parameters")
print(f"dense block (4 x 32): {tuple(x.shape)} -> {tuple(dense(x).shape)}, "
      f"{count(dense):,} parameters")
for name, layer in dense.named_children():
    conv = layer.conv
    print(f"  {name}: reads {conv.in_channels} channels, adds {conv.out_channels}")

# %% [markdown]
# The residual block keeps 64 channels; the dense block grows them from 64 to
# $64 + 4 \times 32 = 192$, and each of its layers reads a wider input than the
# one before. The layer here is the book's: batch norm, ReLU, then a 3 × 3
# convolution — the "pre-activation" order, because each layer's input is a
# concatenation of maps from different layers, with different scales, and
# normalising it is the first thing to do. The block drawn from the module:

# %%
from cnnguide.figures import plot_dense_block

plot_dense_block(dense, (1, 64, 24, 24))

# %% [markdown]
# Follow the main path down: each layer (blue) computes 32 new channels, and
# each red box appends them to everything that reached it, so the widths on
# the arrows grow 64 → 96 → 128 → 160 → 192 while the height and width stay
# 24 × 24. The line on the right stands for the skip connections: what
# entered the block, and every layer's output after it, reaches every later
# concatenation, so nothing computed earlier in the block is ever dropped.
#
# ## The growth rate
#
# With $c_0$ input channels and growth rate $k$, the map after layer $l$ of a
# block has $c_0 + l\,k$ channels. Layers can be narrow — 32 new channels each,
# where a ResNet stage has 64 to 512 — because, the paper argues, every layer
# can reuse all the features already computed instead of re-deriving them.
# But the *input* of the layers keeps widening: without a brake, a long block
# would end with thousands of channels.
#
# ## Transition layers
#
# The brake is the **transition layer** between two blocks: batch norm, ReLU,
# a 1 × 1 convolution that halves the channels (the paper's compression
# factor 0.5) and a 2 × 2 average pooling that halves the height and width.

# %%
import torch

from cnnguide.models.densenet import Transition

transition = Transition(192, 96)
out = transition(torch.zeros(1, 192, 24, 24))
print(f"transition: (1, 192, 24, 24) -> {tuple(out.shape)}, "
      f"{sum(p.numel() for p in transition.parameters()):,} parameters")
print(f"            = 2·192 (batch norm) + 192·96 (1×1 weights) "
      f"= {2 * 192 + 192 * 96:,}")

# %% [markdown]
# The book's DenseNet has the same stem as ResNet (7 × 7 convolution with
# stride 2, batch norm, ReLU, 3 × 3 max pooling with stride 2), then four dense
# blocks of four layers with $k = 32$ and a transition after each block but the
# last, then a final batch norm and ReLU, global average pooling and the
# fully connected classifier. Hooks on every layer and transition measure the
# channels on the way (the figure marks the channels and the resolution at the
# end of each block):

# %%
from cnnguide import models
from cnnguide.figures import dense_channel_growth

dense_channel_growth(models.create("densenet_small", num_classes=10, in_channels=1),
                     (1, 1, 96, 96))

# %% [markdown]
# Read the figure left to right, one point per layer: blue points climb by 32
# at every dense layer, red points (the transitions) fall by half:
# 64 → 192 → 96 → 224 → 112 → 240 → 120 → 248. The labels give the channels
# and the resolution at the end of each block, which halves at every
# transition. DenseNet-121, the standard ImageNet model, has blocks of 6, 12,
# 24 and 16 layers; its layers are "bottleneck" layers (a 1 × 1 convolution
# to $4k$ channels before the 3 × 3, to cap the cost of reading the wide
# input). Its channels grow much further inside each block:

# %%
from cnnguide import models
from cnnguide.figures import dense_channel_growth

dense_channel_growth(models.create("densenet121", num_classes=10, in_channels=1),
                     (1, 1, 96, 96))

# %% [markdown]
# The same saw-tooth, with longer teeth: the third block climbs from 256 to
# 1,024 channels in 24 steps of 32, and each transition halves what the block
# built.
#
# ## The book's DenseNet, layer by layer
#
# For one 1 × 96 × 96 Fashion-MNIST image (FLOPs = 2 × MACs, counting
# convolutions and linear layers):

# %%
from cnnguide import models
from cnnguide.summary import summarize

net = models.create("densenet_small", num_classes=10, in_channels=1)
summarize(net, (1, 1, 96, 96))

# %% [markdown]
# The table lists the network's modules, so it ends with the final batch norm
# (`features.norm5`) and the classifier: the ReLU and the global average
# pooling between them are function calls in `DenseNet.forward`
# (`F.relu`, `F.adaptive_avg_pool2d`), with no parameters and no
# multiply-accumulates, so they add nothing to the totals.
#
# Under a million parameters — ResNet-18 has more than eleven million — and
# less than half of ResNet-18's 319 million MACs at this size. At the
# ImageNet configuration (3 channels, 1,000 classes), our DenseNet-121 has
# exactly torchvision's parameters, since it uses the same modules under the
# same names (counted on the meta device, where no weights are allocated):

# %%
import torch
import torchvision

from cnnguide import models

with torch.device("meta"):
    ours = models.create("densenet121", num_classes=1000, in_channels=3)
    theirs = torchvision.models.densenet121(weights=None)
    resnet18 = torchvision.models.resnet18(weights=None)
count = lambda net: sum(p.numel() for p in net.parameters())  # noqa: E731
print(f"cnnguide densenet121:    {count(ours):,} parameters")
print(f"torchvision densenet121: {count(theirs):,} parameters")
print(f"torchvision resnet18:    {count(resnet18):,} parameters")
assert count(ours) == count(theirs) == 7_978_856

# %% [markdown]
# ## Training it briefly
#
# The full recipe trains for 10 epochs at 96 × 96 (below). This page trains
# the book's DenseNet for six short epochs on 6,144 images upsampled to
# 32 × 32, with the recipe's Xavier initialisation, plain SGD, batch size 256
# and learning rate 0.1. The stem divides the side by 4 and the three
# transitions by 2 each, so the last block works on 1 × 1 maps. Fashion-MNIST's
# own 28 × 28 would not do: the stem would leave 7 × 7, the transitions 3 × 3
# and then 1 × 1, and the third transition's 2 × 2 pooling would have nothing
# left to pool.

# %%
import time

from cnnguide import data, models, train

EPOCHS = 6
densenet = models.create("densenet_small", num_classes=10, in_channels=1)
train_iter, test_iter = data.load_fashion_mnist(256, resize=32, device="cpu",
                                                train_size=6144, test_size=1000, seed=0)
tic = time.perf_counter()
history = train.fit(densenet, train_iter, test_iter, num_epochs=EPOCHS, lr=0.1,
                    device="cpu", seed=0, callbacks=[train.PrintEpochs()])
print(f"trained in {time.perf_counter() - tic:.1f} s ({EPOCHS * len(train_iter)} SGD "
      f"steps); test accuracy on the first {len(test_iter.labels):,} test images")

# %%
from cnnguide.figures import plot_history

plot_history(history, title="DenseNet (4 blocks of 4), 6 short epochs on a CPU "
                             "(6,144 images, 32×32)")

# %% [markdown]
# Batch normalisation lets it train with the recipe's own settings (compare
# [GoogLeNet](../14-googlenet/), which has none, and for which this page
# changed the initialisation and the optimiser); the training loss on the
# left and the training accuracy on the right show it from the first epoch
# (both are means over the epoch so far, five points per epoch, restarted at
# each epoch).
# The test accuracy, the other curve on the right, is measured in evaluation
# mode, where batch norm uses running averages of the batch statistics
# instead of the batch's own. Each training step moves them a tenth of the
# way towards the current batch, so they mostly remember the last ten or so
# batches, and at learning rate 0.1 the weights still change a great deal
# from one batch to the next. The running averages then describe a slightly
# different network from the one being evaluated, so in the first epochs the
# test accuracy can lag the training accuracy, or swing from one epoch to the
# next (compare the two columns printed above; the [batch normalisation
# chapter](../12-batch-normalization/) measures this effect on LeNet). Larger
# batches (here the recipe's 256) make both the steps and the averages
# steadier. The recorded GPU run below, with many more steps, is the real
# measurement.
#
# ## Why it is chosen less often: memory
#
# Parameters are not what fills memory during training. For the backward pass
# autograd keeps, for every operation, the tensors its derivative needs — the
# input of each convolution and of each batch norm, the output of each ReLU —
# until `backward()` has used them. In a dense block every layer starts with a
# batch norm of its *concatenated* input, so every layer keeps its own copy of
# all the features before it: the memory of a block grows with the square of
# its number of layers, even though its parameters grow only linearly.
#
# `cnnguide.memory.training_step_cost` measures
# this. Under `torch.autograd.graph.saved_tensors_hooks` it runs one
# training-mode forward pass and adds up the bytes of every distinct storage
# autograd saves for backward, leaving out the parameters and batch-norm
# buffers (two saved tensors sharing memory, such as an in-place ReLU's
# output and the next layer's input, count once). That is the activation
# memory a training step must hold at its peak, before gradients and optimiser
# state. It also counts the forward MACs and times one forward and backward
# pass on this page's CPU. Here for ResNet-18, DenseNet-121 (fewer parameters
# than ResNet-18) and the book's DenseNet, on a batch of two 64 × 64 images:

# %%
from cnnguide import models
from cnnguide.memory import training_step_cost

costs = {}
for name in ("resnet18", "densenet121", "densenet_small"):
    net = models.create(name, num_classes=10, in_channels=1)
    costs[name] = c = training_step_cost(net, (2, 1, 64, 64), repeats=1)
    print(f"{name}: {c.parameters / 1e6:.2f} M parameters, "
          f"{c.saved_bytes_per_image / 1e6:.2f} MB saved per image,")
    print(f"    {c.macs / 1e6:.0f} M MACs, "
          f"{c.seconds_per_image * 1e3:.1f} ms forward+backward per image")
res, dense = costs["resnet18"], costs["densenet121"]
print(f"densenet121 / resnet18: {dense.parameters / res.parameters:.2f} x the "
      f"parameters, {dense.saved_bytes / res.saved_bytes:.1f} x the saved activations,")
print(f"    {dense.macs / res.macs:.2f} x the MACs, "
      f"{dense.seconds / res.seconds:.1f} x the time")
small = costs["densenet_small"]
print(f"densenet_small / resnet18: {small.parameters / res.parameters:.2f} x the "
      f"parameters, {small.saved_bytes / res.saved_bytes:.1f} x the saved activations")

# %%
from cnnguide.figures import step_cost_bars

step_cost_bars(costs)

# %% [markdown]
# The four panels put the three networks side by side on each measure. With
# about two thirds of ResNet-18's parameters, DenseNet-121 saves several times
# more activation memory per image (the second panel), so a GPU fits a batch
# several times smaller. It also does more arithmetic per image (the third).
# The time per image (the fourth) is measured once on a shared CPU, so it is
# only a rough guide that varies from build to build, unlike the memory and
# MAC counts. Time also goes to work the MAC count leaves out: the
# concatenations and the batch norms over ever-wider inputs move a great deal
# of memory while computing little, and on a GPU moving data is often the
# slower part. The book's small DenseNet is the extreme case: a fifteenth of
# ResNet-18's parameters, but more saved activations.
#
# The memory can be traded back for time: the "memory-efficient" DenseNet
# (Pleiss et al., 2017; torchvision's `memory_efficient=True`) recomputes each
# layer's concatenation and batch norm during the backward pass instead of
# storing them, which makes training slower still. Either way, ResNets are
# simpler, faster and leaner to train, and they are what most detection and
# segmentation backbones, and the tooling around them, were built on.
# DenseNet's lasting ideas — feature reuse through concatenation, narrow
# layers — live on in architectures that borrow them more sparingly.
#
# ## The full recipe on a GPU
#
# The book's recipe — 10 epochs of all 60,000 images at 96 × 96, plain SGD at
# learning rate 0.1, batch 256, Xavier initialisation — is recorded by
# `scripts/reproduce.py` into `docs/recorded/densenet_small.json`, shown here
# when it exists:

# %%
from cnnguide.recorded import report_recorded

report_recorded("densenet_small")

# %% [markdown]
# ## What to remember
#
# - A dense layer concatenates its $k$ new channels (the growth rate) to its
#   input instead of adding to it, so layer $l$ of a block reads
#   $c_0 + (l - 1)\,k$ channels: everything computed before it in the block.
# - Transition layers (batch norm, ReLU, 1 × 1 convolution, 2 × 2 average
#   pooling) halve the channels and the resolution between blocks.
# - The book's DenseNet has under a million parameters; DenseNet-121 has
#   7,978,856, fewer than ResNet-18's 11.7 million.
# - Parameters are not memory: because every layer stores its own
#   concatenated input for the backward pass, DenseNet-121 saves several
#   times more activations per image than ResNet-18 (measured above) and does
#   more arithmetic — the main reasons it is chosen less often.
# - The saved-activation memory of a training step is measurable exactly
#   with `torch.autograd.graph.saved_tensors_hooks`; it, not the parameter
#   count, decides the batch size that fits on a GPU.
#
# ## Exercises
#
# 1. Follow the channels through DenseNet-121 (64 channels after the stem;
#    blocks of 6, 12, 24 and 16 layers, growth rate 32; each transition
#    halves). How many channels leave each block, and how many reach the
#    classifier?
#
#     <details><summary>Answer</summary>
#
#     Block 1: $64 + 6 \cdot 32 = 256$, halved to 128; block 2:
#     $128 + 12 \cdot 32 = 512$, halved to 256; block 3:
#     $256 + 24 \cdot 32$ = 1,024, halved to 512; block 4:
#     $512 + 16 \cdot 32$ = 1,024, which the classifier reads after the
#     global average pooling.
#
#     </details>
#
# 2. The last layer of DenseNet-121's first block reads $64 + 5 \cdot 32$
#    channels. How many parameters does that `DenseLayer` (with the
#    bottleneck, `bn_size=4`) have?
#
#     <details><summary>Answer</summary>
#
#     It reads 224 channels: a batch norm of $2 \cdot 224$, a 1 × 1
#     convolution to $4 \cdot 32 = 128$ channels ($224 \cdot 128$ weights), a
#     batch norm of $2 \cdot 128$ and a 3 × 3 convolution to 32
#     ($128 \cdot 32 \cdot 9$): 448 + 28,672 + 256 + 36,864 = 66,240.
#
#     </details>
#
# 3. Where does the 121 in DenseNet-121 come from? Count its convolutions
#    and linear layers.
#
#     <details><summary>Answer</summary>
#
#     120 convolutions and 1 linear layer: the stem's convolution, 2 in each
#     of the $6 + 12 + 24 + 16 = 58$ bottleneck layers (116), and 3 in the
#     transitions, $1 + 116 + 3 = 120$, plus the classifier.
#
#     </details>
#
# 4. In the chapter's dense block (64 channels in, 4 layers of growth 32, on
#    24 × 24 maps), each layer's batch norm saves its input for the backward
#    pass. How many values do those four inputs hold together, and how many
#    does the block's output hold? With 16 layers instead of 4?
#
#     <details><summary>Answer</summary>
#
#     The layers read 64, 96, 128 and 160 channels: 448 maps of 576 values,
#     258,048 values, against 110,592 in the 192-channel output, 2.33 times
#     as many. With 16 layers they read $16 \cdot 64 + 32 \cdot (0 + 1 +
#     \dots + 15)$ = 4,864 maps, 2,801,664 values, against 331,776 in the
#     576-channel output, 8.44 times: the saved inputs grow with the square
#     of the number of layers, the output only linearly.
#
#     </details>
