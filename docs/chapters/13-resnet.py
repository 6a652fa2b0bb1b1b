# %% [markdown]
# # 13. ResNet: learning what to add
#
# [VGG](../11-vgg/) showed that depth pays: 16 and 19 layers beat 11. So why
# not 50, or 150? In 2015 Kaiming He and his colleagues at Microsoft Research
# tried, and found something odd: a plain 56-layer network had a *higher
# training error* than a 20-layer one. This is not overfitting (that would
# show on the test set only); the deeper network is simply harder to
# optimise, even though it could in principle copy the shallow one and set its
# extra layers to the identity.
#
# Their fix makes the identity the default. A **residual block** computes
# some function $F(\mathbf{x})$ with a couple of layers and outputs
#
# $$ \mathbf{y} = \operatorname{ReLU}\big(F(\mathbf{x}) + \mathbf{x}\big). $$
#
# To do nothing, the block only has to push $F$ towards zero, which is easy;
# and the sum gives gradients a path around every block. ResNets won the 2015
# ImageNet competition (ILSVRC 2015), the deepest of them with 152 layers, and
# residual connections are now in nearly every deep network, transformers
# included.
#
# ## The basic block
#
# `cnnguide.models.resnet.BasicBlock` is two 3 × 3 convolutions, each with
# [batch normalisation](../12-batch-normalization/), and a shortcut that adds
# the input back before the last ReLU. Its `forward` is the formula above,
# line by line:

# %%
from cnnguide.figures import show_source
from cnnguide.models.resnet import BasicBlock

show_source(BasicBlock.forward, docstring=False)

# %% [markdown]
# Its layers, for 64 channels on a 24 × 24 map (the shortcut is the identity
# and has no parameters; the convolutions have no bias, since the batch norm
# after each one brings its own shift):

# %%
from cnnguide.models.resnet import BasicBlock
from cnnguide.summary import summarize

summarize(BasicBlock(64, 64), (1, 64, 24, 24))

# %% [markdown]
# The sum $F(\mathbf{x}) + \mathbf{x}$ needs both terms to have the same
# shape. When a block halves the resolution (stride 2) or changes the
# number of channels, the shortcut becomes a **projection**: a 1 × 1
# convolution with the same stride, followed by batch normalisation. It is the
# cheapest learned map that reshapes $\mathbf{x}$:

# %%
from cnnguide.models.resnet import projection_shortcut

show_source(projection_shortcut, docstring=False)

# %%
import torch

from cnnguide.models.resnet import BasicBlock

down = BasicBlock(64, 128, stride=2)
x = torch.randn(2, 64, 24, 24)
print("input", tuple(x.shape), "-> output", tuple(down(x).shape))
branch = sum(p.numel() for name, p in down.named_parameters()
             if not name.startswith("shortcut"))
projection = sum(p.numel() for p in down.shortcut.parameters())
print(f"residual branch: {branch:,} parameters; projection shortcut: {projection:,}")

# %% [markdown]
# The diagram draws this block from the module: the residual branch on the
# left, the projection shortcut on the right, both ending at 128 × 12 × 12 so
# that they can meet at the sum (⊕), and the last ReLU after the sum. In a
# block that keeps its shape, the right-hand path is just the input itself.

# %%
from cnnguide.figures import plot_residual_block

plot_residual_block(down, (1, 64, 24, 24))

# %% [markdown]
# ## Why the identity path helps
#
# Differentiate the block's sum: $\partial \mathbf{y} / \partial \mathbf{x}
# = I + \partial F / \partial \mathbf{x}$ (before the ReLU). Through a stack
# of plain layers the gradient is a *product* of one Jacobian per layer, and a
# product of many factors drifts exponentially — towards zero or towards
# infinity. Through residual blocks each factor contains the identity, so the
# gradient that reaches an early block always includes the one that came
# straight down the shortcuts.
#
# We can watch this at initialisation, before any training. Build three
# stacks of 20 blocks of 16 channels on 16 × 16 inputs, with the book's
# Xavier initialisation:
#
# - **plain, no batch norm**: each block is conv–ReLU–conv–ReLU;
# - **plain, batch norm**: `BasicBlock` without the `+ x` (the class below
#   overrides one line of its `forward`);
# - **residual**: `BasicBlock` itself.
#
# Then run one batch forward, back-propagate the cross-entropy loss, and
# record the norm of the gradient of each block's first convolution weights.

# %%
import torch
from torch import nn

from cnnguide.models.resnet import BasicBlock


class PlainBlock(BasicBlock):
    """BasicBlock without its shortcut: relu(bn2(conv2(relu(bn1(conv1(x))))))."""

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        return self.relu(self.bn2(self.conv2(out)))


def no_norm_block(c):
    return nn.Sequential(nn.Conv2d(c, c, 3, padding=1), nn.ReLU(),
                         nn.Conv2d(c, c, 3, padding=1), nn.ReLU())


def gradient_norms(make_block, depth=20, channels=16, seed=0):
    """Gradient norm of each block's first conv weights, one backward pass at init."""
    torch.manual_seed(seed)
    blocks = [make_block(channels) for _ in range(depth)]
    net = nn.Sequential(nn.Conv2d(1, channels, 3, padding=1), *blocks,
                        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, 10))
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
    x, y = torch.randn(32, 1, 16, 16), torch.randint(0, 10, (32,))
    nn.functional.cross_entropy(net(x), y).backward()
    convs = [next(m for m in b.modules() if isinstance(m, nn.Conv2d)) for b in blocks]
    return [float(conv.weight.grad.norm()) for conv in convs]


norms = {
    "plain, no batch norm": gradient_norms(no_norm_block),
    "plain, batch norm": gradient_norms(lambda c: PlainBlock(c, c)),
    "residual (BasicBlock)": gradient_norms(lambda c: BasicBlock(c, c)),
}
print(f"{'':22s} {'block 1':>9s} {'block 20':>9s} {'block 1 / block 20':>19s}")
for name, values in norms.items():
    ratio = values[0] / values[-1]
    print(f"{name:22s} {values[0]:9.3g} {values[-1]:9.3g} {ratio:19.3g}")

# %%
from cnnguide.figures import gradient_norms_by_depth

gradient_norms_by_depth(norms, title="Gradient norms at initialisation, 20 blocks deep")

# %% [markdown]
# The vertical axis is logarithmic: each step of the grid is a factor of 100.
# The two plain stacks fail in opposite directions. Without normalisation the
# gradient *shrinks* on its way down (from block 20 at the right to block 1
# at the left): the first blocks receive orders of magnitude less gradient
# than the last and barely learn (vanishing gradients). With batch
# normalisation but no shortcut it *grows* towards the input instead — a
# known effect of batch norm in deep plain networks (Yang et al., 2019), so
# the early layers take much larger steps than the late ones. With shortcuts
# the curve is the flattest of the three: its ratio of the first block's
# gradient to the last one's (printed above) is by far the closest to 1, so
# every block gets a usable signal. That is what lets ResNet go to 50, 101 or 152
# layers.
#
# ## ResNet-18 for Fashion-MNIST
#
# ResNet-18 is a stem (7 × 7 convolution with stride 2, batch norm, ReLU,
# 3 × 3 max pooling with stride 2), four stages of two basic blocks each
# (64, 128, 256, 512 channels; every stage after the first starts with a
# stride-2 block and a projection shortcut), a global average pooling and one
# linear layer. The 18 counts the layers with weights on the longest path:
# 1 + 4 · 2 · 2 + 1. The d2l recipe trains it on Fashion-MNIST upsampled to
# 96 × 96. In the table, as everywhere in this series, FLOPs count a
# multiply-accumulate as two operations:

# %%
from cnnguide import models
from cnnguide.summary import summarize

net = models.create("resnet18", num_classes=10, in_channels=1)
summarize(net, (1, 1, 96, 96))

# %% [markdown]
# Eleven million parameters — a quarter of the quarter-width VGG-11's, because
# the global average pooling leaves only $512 \times 10$ weights in the
# classifier — and about 0.64 GFLOPs (0.32 G multiply-accumulates) per
# 96 × 96 image. The module names (`conv1`, `layer1` … `layer4`, `fc`) are
# torchvision's; only the projection is called `shortcut` where torchvision
# says `downsample`.
#
# ## Training ResNet-18 on this page
#
# On this page's CPU, ResNet-18 trains for two epochs on 6,000 training
# images (a tenth of the training set) upsampled to only 32 × 32 (the stem
# and three stride-2 stages take that down to 1 × 1 before the pooling), and
# is tested on 1,000 test images. It uses the recipe's plain SGD and Xavier
# initialisation, in batches of 128 instead of 256, so the learning rate is
# halved too, from 0.05 to 0.025: the step per training example stays the
# recipe's (the "linear scaling rule" of Goyal et al., 2017, read
# backwards).

# %%
import math
import time

from cnnguide import data, models, train
from cnnguide.recipes import get_recipe

resnet = models.create("resnet18", num_classes=10, in_channels=1)
train_iter, test_iter = data.load_fashion_mnist(128, resize=32, device="cpu",
                                                train_size=6000, test_size=1000, seed=0)
recipe = get_recipe("resnet18")
recipe_steps = recipe.epochs * math.ceil(60_000 / recipe.batch_size)
print(f"{len(train_iter)} batches per epoch, {2 * len(train_iter)} SGD steps in all "
      f"(the full recipe: {recipe_steps:,})")
tic = time.perf_counter()
history = train.fit(resnet, train_iter, test_iter, num_epochs=2, lr=0.025, device="cpu",
                    seed=0, callbacks=[train.PrintEpochs()])
print(f"trained in {time.perf_counter() - tic:.1f} s")

# %%
from cnnguide.figures import plot_history

plot_history(history, title="ResNet-18, 2 epochs on a CPU (6,000 images, 32×32)")

# %% [markdown]
# The training curves pass through five points per epoch, each the mean over
# the epoch so far (restarted at each epoch); the test accuracy is measured
# after each of the two epochs. The run is a small fraction
# of the recipe's steps (both numbers are printed above), and the test
# accuracy it reaches, printed above, is to be read against chance, 0.10.
#
# Two things to keep in mind when comparing the training and test curves of
# so short a run. The two are not measured on the same network: the training
# accuracy is a mean over the epoch while the weights change, and the test
# pass runs in evaluation mode, where batch norm normalises with *running
# averages* of the batch statistics, which trail weights that are still
# changing fast (the [batch normalisation chapter](../12-batch-normalization/)
# measures that on LeNet). Either can come out ahead. And 1,000 test images
# measure an accuracy only to within its standard error,
# $\sqrt{a(1-a)/1000}$ for an accuracy $a$; a gap smaller than about two of
# those says nothing. The last epoch's numbers:

# %%
acc, train_acc = history.test_acc[-1], history.train_acc[-1]
se = math.sqrt(acc * (1 - acc) / len(test_iter.labels))  # 1,000 test images
print(f"test accuracy {acc:.3f} ± {se:.3f} (one standard error); training accuracy {train_acc:.3f}")
print(f"training minus test: {train_acc - acc:+.3f} = {(train_acc - acc) / se:+.1f} standard errors")

# %% [markdown]
#
# ## Bottlenecks: deeper for the same cost
#
# ResNet-50 and deeper use the **bottleneck** block: a 1 × 1 convolution
# reduces the channels four-fold, a 3 × 3 convolution works on the reduced
# maps, and another 1 × 1 expands them back
# ([1 × 1 convolutions](../05-one-by-one-convolution/) mix channels at every
# pixel):

# %%
from cnnguide.figures import show_source
from cnnguide.models.resnet import Bottleneck

show_source(Bottleneck.forward, docstring=False)

# %% [markdown]
# ResNet-50 is ResNet-34 with every basic block replaced by a bottleneck
# block: the same stages of 3, 4, 6 and 3 blocks. In the first stage,
# ResNet-34's block is two 3 × 3 convolutions at 64 channels; ResNet-50's
# bottleneck goes 256 → 64 → 64 → 256, so the maps between its blocks are
# four times as wide. The ResNet paper (He et al., 2016, its Figure 5)
# compares exactly these two blocks and calls their time complexity
# "similar". Count their convolution weights, and the multiply-accumulates
# at the first stage's 56 × 56 resolution (ImageNet size), together with a
# third block for scale — a basic block at 256 channels:

# %%
from torch import nn

from cnnguide.models.resnet import BasicBlock, Bottleneck
from cnnguide.summary import summarize


def conv_weights(block):
    return sum(m.weight.numel() for m in block.modules() if isinstance(m, nn.Conv2d))


blocks = {
    "ResNet-34's basic block, 64 channels": (BasicBlock(64, 64), 64),
    "ResNet-50's bottleneck, 256-64-64-256": (Bottleneck(256, 64), 256),
    "a basic block at 256 channels": (BasicBlock(256, 256), 256),
}
weights = {name: conv_weights(block) for name, (block, _) in blocks.items()}
basic64, bottleneck, basic256 = weights.values()
for name, (block, channels) in blocks.items():
    macs = summarize(block, (1, channels, 56, 56)).macs
    print(f"{name:38s} {weights[name]:>9,} weights ({weights[name] / basic64:5.2f} x), "
          f"{macs / 1e6:5.0f} M MACs")
print(f"the basic block at 256 channels has {basic256 / bottleneck:.1f} x the "
      f"bottleneck's weights")

# %% [markdown]
# The bottleneck has slightly *fewer* weights and multiply-accumulates than
# the basic block it replaces (the ratios to that block are in parentheses),
# adds a layer of depth, and carries four times as many channels from block
# to block. A basic block that wide would cost about seventeen times the
# bottleneck (the last line). Both comparisons are true, and they answer
# different questions: against a basic block at the same width, the 1 × 1
# reduction saves almost all the weights; against the block it actually
# replaces, the paper's comparison, it costs about the same. So ResNet-50 has
# 50 layers for little more than ResNet-34's cost. Both columns below count on the meta device;
# remember the convention, FLOPs = 2 × multiply-accumulates:

# %%
import torch

from cnnguide import models
from cnnguide.summary import format_count, summarize

for name in ("resnet18", "resnet34", "resnet50"):
    with torch.device("meta"):
        net = models.create(name, num_classes=1000, in_channels=3)
    s = summarize(net, (1, 3, 224, 224), device="meta")
    print(f"{name}: {s.total_parameters:>11,} parameters, {format_count(s.macs)}MACs "
          f"= {format_count(s.flops)}FLOPs per 224x224 image")

# %% [markdown]
# The ResNet paper's Table 1 gives 1.8, 3.6 and 3.8 billion "FLOPs" for these
# three networks, and counts multiply-adds: they are the MACs column, not the
# FLOPs column. ResNet-18 and ResNet-34 match. Our ResNet-50 is the variant
# that torchvision ships (sometimes called "ResNet v1.5"): in the first block
# of stages 2 to 4 the stride 2 sits on the 3 × 3 convolution, not on the
# first 1 × 1 one as in the paper, so that 1 × 1 convolution runs at the full
# resolution. Moving the stride back gives the paper's count:

# %%
import torch

from cnnguide import models
from cnnguide.summary import format_count, summarize

with torch.device("meta"):
    v1 = models.create("resnet50", num_classes=1000, in_channels=3)
for stage in (v1.layer2, v1.layer3, v1.layer4):
    first = stage[0]
    first.conv1.stride, first.conv2.stride = (2, 2), (1, 1)
with torch.device("meta"):
    v15 = models.create("resnet50", num_classes=1000, in_channels=3)
macs_v1 = summarize(v1, (1, 3, 224, 224), device="meta").macs
macs_v15 = summarize(v15, (1, 3, 224, 224), device="meta").macs
print(f"resnet50, stride on the first 1x1 (the paper's): {format_count(macs_v1)}MACs")
print(f"resnet50, stride on the 3x3 (torchvision's):     {format_count(macs_v15)}MACs, "
      f"{macs_v15 / macs_v1 - 1:.0%} more")

# %% [markdown]
# torchvision's choice costs a little more arithmetic (the percentage
# above). In exchange no convolution throws pixels away unseen: a stride-2
# 1 × 1 convolution skips three quarters of its input pixels without looking
# at them. torchvision's documentation credits the variant with a slightly
# better accuracy, after NVIDIA's measurements.
#
# ## The same network as torchvision's
#
# Because the module names match torchvision's,
# `cnnguide.models.torchvision_weights.from_torchvision` can pour a torchvision
# ResNet's weights into ours — with ImageNet weights (a download, not done
# while building this page) you can then look inside a real ImageNet network
# with code you have read. Here with a randomly initialised torchvision
# ResNet-18: same weights in, same logits out.

# %%
import torch
import torchvision

from cnnguide.models.torchvision_weights import from_torchvision

torch.manual_seed(0)
theirs = torchvision.models.resnet18(weights=None, num_classes=10).eval()
ours = from_torchvision("resnet18", theirs.state_dict())
x = torch.randn(4, 3, 64, 64)
with torch.no_grad():
    difference = (ours(x) - theirs(x)).abs().max().item()
print(f"{sum(p.numel() for p in ours.parameters()):,} parameters copied; "
      f"largest difference between the logits: {difference:.2e}")

# %% [markdown]
# ## Inside the trained network
#
# Take one test image through the stem and the first two stages of the
# ResNet-18 we trained above. At 32 × 32 the stem leaves 8 × 8 maps, and the
# second stage 4 × 4:

# %%
import torch

from cnnguide import data

images, labels = next(iter(test_iter))
resnet.eval()
with torch.no_grad():
    x = images[:1]
    stem = resnet.maxpool(resnet.relu(resnet.bn1(resnet.conv1(x))))
    stage1 = resnet.layer1(stem)
    stage2 = resnet.layer2(stage1)
print("image class:", data.text_labels(labels[0]))
for name, t in (("stem", stem), ("layer1", stage1), ("layer2", stage2)):
    print(f"{name:7s} {tuple(t.shape[1:])}")

# %%
from cnnguide.figures import feature_map_grid

feature_map_grid(images[0], title="The input, upsampled to 32×32", labels=["input"])

# %% [markdown]
# The first stage has no projection: its two blocks add their $F$ to the
# stem's maps and keep the channels where they are, so channel $c$ after
# `layer1` is channel $c$ of the stem plus what two residual branches added
# (and a ReLU). How much of the stem's map survives, channel by channel, is
# measured by the correlation between the two 8 × 8 maps, over the 64
# channels:

# %%
import torch

a, b = stem[0].flatten(1), stage1[0].flatten(1)
a, b = a - a.mean(dim=1, keepdim=True), b - b.mean(dim=1, keepdim=True)
corr = (a * b).sum(dim=1) / (a.norm(dim=1) * b.norm(dim=1)).clamp_min(1e-12)
q = torch.quantile(corr, torch.tensor([0.25, 0.5, 0.75])).tolist()
print("correlation between channel c of the stem and channel c after layer1,")
print(f"over the 64 channels: quartiles {q[0]:.2f}, median {q[1]:.2f}, {q[2]:.2f}")

# %%
from cnnguide.figures import feature_map_grid

feature_map_grid(stem[0], title="The stem's output: the first 16 of 64 maps, 8×8",
                 max_maps=16)

# %%
from cnnguide.figures import feature_map_grid

feature_map_grid(stage1[0], title="After layer1: the same 16 channels, 8×8",
                 max_maps=16)

# %% [markdown]
# Compare the two grids panel by panel: the same channel, before and after
# the first stage, each panel with its own colour scale. At 8 × 8 a map is a
# coarse sketch: the boot is a block of cells, bright or dark against the
# background. Channels with a high correlation (the upper quartile printed
# above) have kept the stem's picture, adjusted: the identity path at work.
# Channels with a low one are dominated by what the two residual branches
# added. In a VGG stage, channel $c$ of the output has no particular relation
# to channel $c$ of the input; in a residual stage, each channel starts from
# a copy.
#
# ## The full recipe on a GPU
#
# The book's run — ResNet-18 at 96 × 96, 10 epochs, plain SGD at 0.05, batch
# 256, Xavier initialisation — is recorded by `scripts/reproduce.py` into
# `docs/recorded/resnet18.json`, shown here when it exists:

# %%
from cnnguide.recorded import report_recorded

report_recorded("resnet18")

# %% [markdown]
# ## What to remember
#
# - A residual block outputs $\operatorname{ReLU}(F(\mathbf{x}) + \mathbf{x})$:
#   it learns what to *add* to its input, and doing nothing is easy.
# - When the shape changes, the shortcut is a strided 1 × 1 convolution with
#   batch norm (a projection); otherwise it is the identity and costs nothing.
# - The sum puts an identity into every block's Jacobian, so gradients neither
#   vanish (plain stacks without normalisation) nor blow up towards the input
#   (plain stacks with batch norm): measured above at 20 blocks.
# - ResNet-18: stem, 4 stages × 2 basic blocks, global average pooling, one
#   linear layer; 11.2 million parameters for Fashion-MNIST.
# - A bottleneck block (1 × 1 reduce, 3 × 3, 1 × 1 expand) costs slightly
#   less than the two-3 × 3 basic block it replaces in ResNet-34 while
#   carrying four times the channels, and a seventeenth of a basic block that
#   wide: ResNet-50 costs little more than ResNet-34.
# - FLOPs here are 2 × multiply-accumulates; the ResNet paper's "1.8 GFLOPs"
#   for ResNet-18 are multiply-adds, 3.6 GFLOPs in this series' convention.
# - Our ResNets load torchvision's weights with `from_torchvision`.
# - Next: [GoogLeNet](../14-googlenet/), from the year before ResNet, went
#   wide instead of deep, and [DenseNet](../15-densenet/) concatenates where
#   ResNet adds.
#
# ## Exercises
#
# 1. How many parameters does `BasicBlock(128, 256, stride=2)` have, and how
#    many of them are in its projection shortcut?
#
#     <details><summary>Answer</summary>
#
#     919,040 in all. The residual branch has $128 \cdot 256 \cdot 9$ +
#     $256 \cdot 256 \cdot 9$ = 884,736 convolution weights and two batch
#     norms of $2 \cdot 256$; the projection has $128 \cdot 256$ = 32,768
#     weights and a batch norm of 512: 33,280 parameters, under 4% of the
#     block.
#
#     </details>
#
# 2. Count the layers with weights on the longest path of ResNet-34 and of
#    ResNet-50 (convolutions outside the shortcuts, plus the final linear
#    layer), and check the names.
#
#     <details><summary>Answer</summary>
#
#     ResNet-34: the stem convolution, 16 basic blocks of 2 convolutions and
#     the linear layer, $1 + 32 + 1 = 34$. ResNet-50: the stem, 16
#     bottleneck blocks of 3 convolutions and the linear layer,
#     $1 + 48 + 1 = 50$. The projection shortcuts (4 in ResNet-50, 3 in
#     ResNet-34) are not counted: they are not on the longest path.
#
#     </details>
#
# 3. Build `models.create("resnet18", zero_init_residual=True)` and feed one
#    of its basic blocks a non-negative input (the output of a ReLU, as in
#    the network). What does the block output, and why?
#
#     <details><summary>Answer</summary>
#
#     Its input, exactly: the largest difference is 0. The last batch norm of
#     the residual branch starts with $\gamma = 0$ and $\beta = 0$, so
#     $F(\mathbf{x}) = 0$ and the block outputs
#     $\operatorname{ReLU}(\mathbf{x}) = \mathbf{x}$ for $\mathbf{x} \ge 0$.
#     The network starts as its stem, the projections and the classifier,
#     and grows into its depth. (`fit`'s default `init="xavier"` resets the
#     batch norms to $\gamma = 1$; train with `init=None` to keep this.)
#
#     </details>
#
# 4. ResNet-34 at 224 × 224 with 3 channels: how many multiply-accumulates
#    per image, and how many FLOPs in this series' convention? Which of the
#    two is the paper's "3.6 billion FLOPs"?
#
#     <details><summary>Answer</summary>
#
#     3.66 G multiply-accumulates (3,663,761,408) = 7.33 GFLOPs. The paper's
#     3.6 billion are multiply-adds: the first number.
#
#     </details>
