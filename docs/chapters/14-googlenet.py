# %% [markdown]
# # 14. GoogLeNet: wider, not only deeper
#
# [VGG](../11-vgg/) made networks deeper by stacking one kind of layer, the
# 3 × 3 convolution. GoogLeNet (Szegedy et al., *Going deeper with
# convolutions*, 2014), which won the classification task of the same
# ImageNet competition (ILSVRC 2014) where VGG came second, asked a different
# question: *which* kernel size should a layer use? Small kernels see fine
# detail, large ones see more context, and the right choice changes from image
# to image. Its answer is to use several at once, side by side, and let
# training decide how much each one contributes. The network grows **wider** —
# parallel branches — as well as deeper.
#
# This series is ordered by ideas, not by dates: GoogLeNet comes after
# [ResNet](../13-resnet/) here, but it is a year older and has neither batch
# normalisation nor shortcuts, which shows when it trains.
#
# The building block is the **Inception block**. This chapter builds it,
# measures what makes it affordable (the 1 × 1 convolutions of
# [chapter 5](../05-one-by-one-convolution/)), assembles the whole network,
# trains it briefly, and looks inside.
#
# ## The Inception block: four branches, one concatenation
#
# An Inception block sends the same input through four branches:
#
# 1. a 1 × 1 convolution;
# 2. a 1 × 1 convolution, then a 3 × 3 convolution;
# 3. a 1 × 1 convolution, then a 5 × 5 convolution;
# 4. a 3 × 3 max pooling (stride 1), then a 1 × 1 convolution.
#
# Each convolution is followed by a ReLU. Every branch keeps the height and
# width (padding 1 for 3 × 3, padding 2 for 5 × 5, stride 1 everywhere), so
# their outputs can be **concatenated along the channel axis**: the block's
# output has $c_1 + c_2 + c_3 + c_4$ channels. Here is our
# `cnnguide.models.googlenet.Inception`, without its docstring (`conv_relu` is
# a convolution followed by a ReLU):

# %%
from cnnguide.figures import show_source
from cnnguide.models.googlenet import Inception

show_source(Inception, docstring=False)

# %% [markdown]
# The paper's block "3a", on the 28 × 28 map with 192 channels it receives in
# the full network:

# %%
import torch

from cnnguide.models.googlenet import Inception

# in_channels, c1, (reduce, c2), (reduce, c3), c4
block = Inception(192, 64, (96, 128), (16, 32), 32)
x = torch.randn(1, 192, 28, 28)
widths = []
for name, branch in block.named_children():
    y = branch(x)
    widths.append(str(y.shape[1]))
    print(f"{name}: {tuple(x.shape)} -> {tuple(y.shape)}")
print(f"concatenated: {tuple(block(x).shape)}   ({' + '.join(widths)} channels)")

# %% [markdown]
# Drawn from the module, with the shapes of a forward pass: four columns that
# all start from the same input and all keep its 28 × 28, each ending at its
# own number of channels; the red box at the bottom stacks them. The narrow
# 1 × 1 convolutions at the top of the two middle columns (96 and 16 channels)
# are what the next section is about.

# %%
from cnnguide.figures import plot_inception_block

plot_inception_block(block, (1, 192, 28, 28))

# %% [markdown]
# The four numbers of channels are *hyper-parameters*: the paper gives each
# block its own split (its Table 1), with most channels going to the 3 × 3
# branch. The block never chooses a kernel size; it offers them all.
#
# ## What the 1 × 1 reductions buy
#
# Branches 2 and 3 start with a 1 × 1 convolution that cuts the channels
# before the expensive kernel: 192 → 96 before the 3 × 3, and 192 → 16 before
# the 5 × 5. The idea of 1 × 1 convolutions as layers comes from *Network in
# Network* (Lin, Chen and Yan, 2013), which the GoogLeNet paper cites for it;
# GoogLeNet uses them mainly to cut the channels. A $k \times k$ convolution
# from $c_\text{in}$ to $c_\text{out}$ channels has
# $c_\text{in}\, c_\text{out}\, k^2$ weights and, on an $h \times w$ output,
# $h\, w\, c_\text{in}\, c_\text{out}\, k^2$ multiply-accumulates (MACs).
# Putting a 1 × 1 reduction to $r$ channels in front replaces
# $c_\text{in} c_\text{out} k^2$ by $c_\text{in} r + r\, c_\text{out} k^2$, a
# large saving when $r \ll c_\text{in}$.
#
# To see it on block 3a, build the same block **without** the reductions — the
# 3 × 3 and 5 × 5 convolutions reading the 192 input channels directly, with the
# same output channels — and count both with
# [`summarize`](../../reference/summary/) on a 192 × 28 × 28 input. (The 1 × 1
# after the pooling branch is not a reduction in front of a larger kernel: it
# sets that branch's width, so both variants keep it.)

# %%
from cnnguide.models.googlenet import Inception, conv_relu
from cnnguide.summary import summarize

block = Inception(192, 64, (96, 128), (16, 32), 32)
with_reductions = {"1×1": block.branch1, "1×1 → 3×3": block.branch2,
                   "1×1 → 5×5": block.branch3, "pool → 1×1": block.branch4}
without_reductions = {
    "1×1": block.branch1,
    "1×1 → 3×3": conv_relu(192, 128, kernel_size=3, padding=1),  # 3x3 from 192 channels
    "1×1 → 5×5": conv_relu(192, 32, kernel_size=5, padding=2),   # 5x5 from 192 channels
    "pool → 1×1": block.branch4,
}
input_size = (1, 192, 28, 28)
totals = {}
for variant, branches in (("with", with_reductions), ("without", without_reductions)):
    counts = [summarize(m, input_size) for m in branches.values()]
    params, macs = sum(s.total_parameters for s in counts), sum(s.macs for s in counts)
    totals[variant] = params, macs
    print(f"{variant:>7} 1×1 reductions: {params:>9,} parameters, "
          f"{macs:>12,} MACs per image")
(p_with, m_with), (p_without, m_without) = totals["with"], totals["without"]
print(f"the reductions divide the parameters by {p_without / p_with:.2f} "
      f"and the MACs by {m_without / m_with:.2f}")

# %%
from cnnguide.figures import branch_cost_bars

branch_cost_bars({"with 1×1 reductions": with_reductions,
                  "without": without_reductions}, input_size)

# %% [markdown]
# Both panels have logarithmic axes, so equal gaps between the bars of a pair
# are equal factors. The 1 × 1 and pooling branches are the same in both
# variants. The 5 × 5 branch shows the effect most clearly: reading 192
# channels directly, its 5 × 5 kernels need almost ten times the weights and
# the arithmetic of the 1 × 1 → 5 × 5 pair. Over the whole block the
# reductions cut parameters and arithmetic by the factors printed above, and
# each of the nine blocks of the network saves in the same way. The price is
# that the 3 × 3 and 5 × 5 kernels only see 96 and 16 mixtures of the input
# channels. The paper's bet is that the input channels are redundant enough
# for this to lose little.
#
# ## The whole network
#
# GoogLeNet is a stem much like the start of a plain CNN (7 × 7 convolution
# with stride 2, max pooling, 1 × 1 and 3 × 3 convolutions, max pooling), then
# nine Inception blocks in three groups (3a–3b, 4a–4e, 5a–5b) with a 3 × 3
# max pooling of stride 2 between the groups, and finally global average
# pooling and one linear layer. Global average pooling in place of VGG's large
# dense layers is the other idea it took from Network in Network
# ([chapter 8](../08-feature-maps-to-classes/) shows why it works). Five
# stride-2 steps divide the image side by 32: the book's 96 × 96
# Fashion-MNIST images reach the last blocks at 3 × 3.
#
# The table lists every layer's output shape, parameters and FLOPs for one
# 1 × 96 × 96 image (FLOPs count a multiply-accumulate as 2 operations, in
# convolutions and linear layers only):

# %%
from cnnguide import models
from cnnguide.summary import summarize

net = models.create("googlenet", num_classes=10, in_channels=1)
summarize(net, (1, 1, 96, 96))

# %% [markdown]
# Hooks on the nine blocks check their output channels against the paper's
# Table 1 (256, 480, 512, 512, 512, 528, 832, 832, 1024); the figure below
# shows how each block splits them among its branches, also measured.

# %%
import torch

from cnnguide import models
from cnnguide.models.googlenet import Inception

net = models.create("googlenet", num_classes=10, in_channels=1)
shapes = {}


def record(name):
    return lambda module, inputs, out: shapes.__setitem__(name, tuple(out.shape[1:]))


handles = [module.register_forward_hook(record(name))
           for name, module in net.named_modules() if isinstance(module, Inception)]
with torch.no_grad():
    net.eval()(torch.zeros(1, 1, 96, 96))
for handle in handles:
    handle.remove()
for name, shape in shapes.items():
    print(f"{name}: {shape}")
table_1 = [256, 480, 512, 512, 512, 528, 832, 832, 1024]
assert [shape[0] for shape in shapes.values()] == table_1

# %%
from cnnguide import models
from cnnguide.figures import inception_channel_split

inception_channel_split(models.create("googlenet", num_classes=10, in_channels=1),
                        (1, 1, 96, 96))

# %% [markdown]
# One bar per block, from 3a at the top to 5b at the bottom, its length the
# block's output channels, its colours the four branches. In every block the
# 3 × 3 branch (orange) gets the largest share of the channels (tied with
# the 1 × 1 branch in 5b) and the 5 × 5 branch (green) a small one, at most a
# fifth: the expensive kernel is used sparingly. The bars also grow down the
# network, from 256 to 1,024 channels, while the maps shrink (the sizes at
# the right).
#
# ### Ours and torchvision's
#
# This network follows the paper. torchvision's `googlenet` differs in two
# deliberate ways, and the parameter counts show both: it puts **batch
# normalisation** after every convolution (the paper, from 2014, predates it;
# with batch norm the convolution biases are redundant and dropped), and,
# through a long-standing quirk of the weights it ported, its third branch uses
# a **3 × 3** kernel where the paper has 5 × 5. At the ImageNet configuration
# (3 channels, 1,000 classes, no auxiliary classifiers), counted on the meta
# device (shapes only, no weights allocated):

# %%
import torch
import torchvision

from cnnguide import models

with torch.device("meta"):
    ours = models.create("googlenet", num_classes=1000, in_channels=3)
    theirs = torchvision.models.googlenet(weights=None, aux_logits=False,
                                          init_weights=False)
    vgg16 = torchvision.models.vgg16(weights=None)
count = lambda net: sum(p.numel() for p in net.parameters())  # noqa: E731
batch_norms = sum(isinstance(m, torch.nn.BatchNorm2d) for m in theirs.modules())
print(f"cnnguide googlenet:    {count(ours):,} parameters, "
      f"branch 3 kernel {ours.inception3a.branch3[1][0].kernel_size}")
print(f"torchvision googlenet: {count(theirs):,} parameters, "
      f"branch 3 kernel {theirs.inception3a.branch3[1].conv.kernel_size}")
print(f"                       {batch_norms} batch norms")
print(f"torchvision vgg16:     {count(vgg16):,} parameters, "
      f"{count(vgg16) / count(ours):.0f} times ours")

# %% [markdown]
# Both are about twenty times smaller than VGG-16, although GoogLeNet is
# deeper: its longest path crosses 22 layers with weights (3 in the stem, 2
# in each of the 9 blocks, the final linear layer) to VGG-16's 16. The paper
# also trains two **auxiliary classifiers** attached to blocks 4a and 4d,
# whose losses (weighted 0.3) push gradient into the middle of a network that
# has no batch norm and no shortcuts; `models.create("googlenet",
# aux_logits=True)` adds them. The book's recipe, like most
# reimplementations, leaves them out.
#
# ## Training it briefly
#
# The full recipe (below) trains for 10 epochs on 96 × 96 images; that is far
# beyond what this page can do on a CPU at build time. Instead it trains for 4
# epochs on 6,144 images at their own size, 28 × 28. The stem takes the side
# from 28 to 4 (28 → 14 → 7 → 4), so blocks 3a–3b work on 4 × 4 maps, 4a–4e
# on 2 × 2 and 5a–5b on a single position: the network needs no upsampling
# to run, because the padding of every pooling keeps the maps at least
# 1 × 1, and a larger input would only cost time.
#
# This short run departs from the recipe in three ways. Without batch
# normalisation, GoogLeNet is slow to leave chance level with the recipe's
# Xavier initialisation and plain SGD at learning rate 0.1 (measured below).
# So the run keeps the network's own He (Kaiming) initialisation, which
# preserves the signal's variance through ReLU layers; it uses SGD with
# momentum 0.9, which builds up speed along directions the gradients agree
# on; and, since momentum multiplies the effective step size by about ten
# ($1 / (1 - 0.9)$), a small learning rate, 0.005, in batches of 64.

# %%
import math
import time

from cnnguide import data, models, train
from cnnguide.recipes import get_recipe

net = models.create("googlenet", num_classes=10, in_channels=1)
train_iter, test_iter = data.load_fashion_mnist(64, device="cpu", train_size=6144,
                                                test_size=1000, seed=0)
tic = time.perf_counter()
history = train.fit(net, train_iter, test_iter, num_epochs=4, lr=0.005, momentum=0.9,
                    init=None, device="cpu", seed=0, callbacks=[train.PrintEpochs()])
recipe = get_recipe("googlenet")
recipe_steps = recipe.epochs * math.ceil(60_000 / recipe.batch_size)
print(f"trained in {time.perf_counter() - tic:.1f} s: {4 * len(train_iter)} SGD steps "
      f"(the full recipe takes {recipe_steps:,})")
print(f"test accuracy on the first {len(test_iter.labels):,} test images")

# %%
from cnnguide.figures import plot_history

plot_history(history, title="GoogLeNet, 4 short epochs on a CPU (6,144 images, 28×28)")

# %% [markdown]
# The left panel follows the training loss through the epochs, the right one
# the training accuracy and, after each epoch, the test accuracy (the training
# curves are means over the epoch so far, five points per epoch, restarted
# at each epoch); chance is 0.10, and the last test accuracy printed above says how far the network got.
# Read it as a check that the network trains, not as GoogLeNet's accuracy — a
# few hundred steps on small images is a sliver of the recipe. The recorded
# GPU run at the end of the page is the real measurement.
#
# Why not the recipe's own initialisation and optimiser? Here are the first 32
# steps of both, on the same first 2,048 training images in the same order:
# the recipe's Xavier initialisation with plain SGD at learning rate 0.1, and
# this page's settings. (`fit` prints the mean training loss over the epoch;
# $\ln 10 \approx 2.303$ is the loss of a uniform guess over the ten classes.)

# %%
import math

from cnnguide import data, models, train

first_steps, few_test = data.load_fashion_mnist(64, device="cpu", train_size=32 * 64,
                                                test_size=64, seed=0)
print(f"{len(first_steps)} steps of 64 images; ln 10 = {math.log(10):.3f}")
for label, settings in (("recipe (Xavier, SGD, lr 0.1)   ", dict(lr=0.1)),
                        ("page (He, momentum, lr 0.005)  ",
                         dict(lr=0.005, momentum=0.9, init=None))):
    short = train.fit(models.create("googlenet", num_classes=10, in_channels=1),
                      first_steps, few_test, num_epochs=1, device="cpu", seed=0,
                      **settings)
    print(f"{label}: mean training loss {short.train_loss[0]:.3f}, "
          f"accuracy {short.train_acc[0]:.3f}")

# %% [markdown]
# The printed means say how far each setting moved the loss away from
# $\ln 10$ in those 32 steps. Which of the three changes matters most —
# the initialisation, the momentum or the step size — these two runs do not
# separate, and 32 steps say nothing about where the recipe's settings would
# be after the full 10 epochs: the recorded GPU run below uses them.
#
# ## Inside the trained network
#
# The network is convolutional up to its global pooling, so it accepts any
# input size. Its maps are larger and easier to read at 96 × 96, but the
# network was trained at 28 × 28, and at 96 × 96 every garment is 3.4 times
# larger relative to its kernels. First, what that does to its predictions:
# the first 256 test images classified at both sizes, and test image 0.

# %%
import torch
import torch.nn.functional as F

from cnnguide import data

images, labels = data.read_fashion_mnist("test")
small = images[:256, None].float() / 255
large = F.interpolate(small, size=96, mode="bilinear", antialias=True)
net.eval()
with torch.no_grad():
    at_28, at_96 = net(small).argmax(1), net(large).argmax(1)
for size, predicted in ((28, at_28), (96, at_96)):
    print(f"at {size}x{size}: {(predicted == labels[:256]).float().mean():.3f} of 256 "
          f"right; test image 0 ({data.text_labels(labels[0])}): "
          f"{data.text_labels(predicted[0])}")

# %% [markdown]
# At 28 × 28, the size it was trained at, the accuracy on these 256 images
# (a quarter of the 1,000 test images above) measures the network as trained.
# The line for 96 × 96 shows what a change of scale does to a network trained
# at one size: its kernels, which learned patterns a few pixels wide, now see
# smooth fragments of much larger shapes, the maps the later layers receive
# are unlike any they were trained on, and the predictions there are not the
# network's real answers. A wrong prediction for test image 0 at 96 × 96 is
# that mismatch, not a property of GoogLeNet; the full recipe trains at
# 96 × 96 and tests at 96 × 96. The maps below are for looking at what the
# filters do, not at what the network concludes. Eight of the 64 maps of the
# stem's 7 × 7 convolution:

# %%
from cnnguide.figures import feature_map_grid

image = large[:1]
maps = {}
hooks = [net.stem[0].register_forward_hook(
             lambda m, i, out: maps.__setitem__("stem", out[0])),
         net.inception3a.register_forward_hook(
             lambda m, i, out: maps.__setitem__("3a", out[0]))]
with torch.no_grad():
    net(image)
for hook in hooks:
    hook.remove()
feature_map_grid(maps["stem"], title="Stem convolution (7×7, stride 2): 8 of 64 maps",
                 max_maps=8)

# %% [markdown]
# Each panel has its own colour scale, bright for large values. At this
# scale a 7 × 7 kernel covers a small patch of the boot, so the stem's maps
# are either smoothed copies of the garment, bright where it is bright, or
# pick out parts of its outline, where the brightness changes. Block 3a's
# output is the concatenation of its four branches, so its channel index says
# which branch made a map: channels 0–63 come from the 1 × 1 branch, 64–191
# from the 3 × 3 branch, 192–223 from the 5 × 5 branch and 224–255 from the
# pooling branch. Three maps from each:

# %%
from cnnguide.figures import feature_map_grid

branch_starts = {"1×1": 0, "3×3": 64, "5×5": 192, "pool": 224}
picked = [start + k for start in branch_starts.values() for k in range(3)]
size = "×".join(map(str, maps["3a"].shape[1:]))
labels = [f"{name} #{k}" for name in branch_starts for k in range(3)]
feature_map_grid(maps["3a"][picked], ncols=6, labels=labels,
                 title=f"Inception 3a: three maps from each branch ({size})")

# %% [markdown]
# Block 3a works at an eighth of the input's side, so each cell of these maps
# stands for an 8 × 8 patch of the image (and sees a wider area around it),
# and the maps are coarse. All
# twelve come from the same input; what differs is the branch. The 1 × 1 maps
# are mixtures of the stem's channels at each position; the 3 × 3 and 5 × 5
# maps combine neighbouring positions, over wider areas; the pooling branch
# first takes the maximum over a 3 × 3 neighbourhood, which spreads bright
# cells. Dark panels are maps whose ReLU output is zero on this image.
#
# ## The full recipe on a GPU
#
# The book's recipe — 10 epochs of all 60,000 images at 96 × 96, plain SGD at
# learning rate 0.1, batch 128, Xavier initialisation — is recorded by
# `scripts/reproduce.py` into `docs/recorded/googlenet.json`, shown here when
# it exists:

# %%
from cnnguide.recorded import report_recorded

report_recorded("googlenet")

# %% [markdown]
# ## What to remember
#
# - An Inception block runs a 1 × 1, a 3 × 3, a 5 × 5 convolution and a
#   pooling side by side on the same input and concatenates their outputs on
#   the channel axis; padding keeps every branch at the input's height and
#   width so that the concatenation works.
# - The 1 × 1 convolutions in front of the 3 × 3 and 5 × 5 kernels shrink
#   the channels first; in block 3a they cut parameters and MACs by about
#   2.4 (the 5 × 5 branch alone by almost 10). 1 × 1 convolutions as layers
#   and global average pooling both come from Network in Network (2013).
# - GoogLeNet is a stem, nine Inception blocks (256 to 1,024 channels),
#   global average pooling and one linear layer: about 7 million parameters
#   at ImageNet size, about twenty times fewer than VGG-16.
# - torchvision's `googlenet` adds batch normalisation and uses 3 × 3 kernels
#   in the third branch; ours follows the paper (5 × 5, no batch norm), and
#   the parameter counts differ accordingly.
# - Without batch norm or shortcuts the network is slow to start with plain
#   SGD; its contemporary answer was careful initialisation and auxiliary
#   classifiers. Batch normalisation (the year after) and
#   [ResNet](../13-resnet/)'s shortcuts, and later
#   [DenseNet](../15-densenet/)'s concatenations, attack the problem directly.
# - A network trained at one image size is not tested at another: at a new
#   scale its kernels see other patterns.
#
# ## Exercises
#
# 1. Build block 3b, `Inception(256, 128, (128, 192), (32, 96), 64)`. How
#    many output channels and parameters does it have?
#
#     <details><summary>Answer</summary>
#
#     $128 + 192 + 96 + 64 = 480$ channels, the 480 of the paper's Table 1,
#     and 388,736 parameters (weights and biases of its six convolutions).
#
#     </details>
#
# 2. Block 5b's 5 × 5 branch reduces 832 channels to 48 before a 5 × 5
#    convolution to 128. Count its parameters with `conv_param_count`, and
#    those of a 5 × 5 convolution from 832 channels straight to 128. By what
#    factor does the reduction divide them?
#
#     <details><summary>Answer</summary>
#
#     With the reduction: `conv_param_count(832, 48, 1)` +
#     `conv_param_count(48, 128, 5)` = 39,984 + 153,728 = 193,712. Without:
#     `conv_param_count(832, 128, 5)` = 2,662,528. The reduction divides the
#     parameters by 13.7, more than in block 3a, because the block's input is
#     wider.
#
#     </details>
#
# 3. At the ImageNet configuration, how many parameters does GoogLeNet's
#    classifier (its one linear layer) have, and how many do VGG-16's three
#    linear layers have together?
#
#     <details><summary>Answer</summary>
#
#     GoogLeNet: $1024 \cdot 1000 + 1000$ = 1,025,000. VGG-16: 123,642,856,
#     121 times as many. Global average pooling leaves the classifier a
#     1,024-long vector instead of VGG's $512 \cdot 7 \cdot 7$ = 25,088
#     values, followed by two 4,096-wide hidden layers.
#
#     </details>
#
# 4. Summarize GoogLeNet at 224 × 224 with 3 channels and 1,000 classes on the
#    meta device. How many multiply-accumulates and how many FLOPs (in this
#    series' convention) does one image cost? The paper speaks of a budget of
#    "1.5 billion multiply-adds": which of the two numbers is that?
#
#     <details><summary>Answer</summary>
#
#     1.58 G multiply-accumulates (1,582,671,872) = 3.17 GFLOPs. The paper's
#     budget of 1.5 billion multiply-adds is a round figure for the first
#     number; in FLOPs, as counted here, it would be about 3 billion.
#
#     </details>
