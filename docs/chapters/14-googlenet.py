# %% [markdown]
# # GoogLeNet: wider, not only deeper
#
# [VGG](../11-vgg/) made networks deeper by stacking one kind of layer, the
# 3 × 3 convolution. GoogLeNet (Szegedy et al., *Going deeper with
# convolutions*, 2014), the winner of that year's ImageNet classification
# challenge, asked a different question: *which* kernel size should a layer
# use? Small kernels see fine detail, large ones see more context, and the right
# choice changes from image to image. Its answer is to use several at once,
# side by side, and let training decide how much each one contributes. The
# network grows **wider** — parallel branches — as well as deeper.
#
# The building block that does this is the **Inception block**. This chapter
# builds it, measures what makes it affordable (the 1 × 1 convolutions of
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
# output has $c_1 + c_2 + c_3 + c_4$ channels. Here is the paper's block
# "3a", on the 28 × 28 map with 192 channels it receives in the full network:

# %%
import torch

from cnnguide.models.googlenet import Inception

block = Inception(192, 64, (96, 128), (16, 32), 32)  # in, c1, (reduce, c2), (reduce, c3), c4
x = torch.randn(1, 192, 28, 28)
for name, branch in block.named_children():
    print(f"{name}: {tuple(x.shape)} -> {tuple(branch(x).shape)}")
print(f"concatenated: {tuple(block(x).shape)}   ({' + '.join(str(branch(x).shape[1]) for branch in block.children())} channels)")

# %% [markdown]
# The four numbers of channels are *hyper-parameters*: the paper gives each
# block its own split (its Table 1), with most channels going to the 3 × 3
# branch. The block never chooses a kernel size; it offers them all.
#
# ## What the 1 × 1 reductions buy
#
# Branches 2 and 3 start with a 1 × 1 convolution that cuts the channels
# before the expensive kernel: 192 → 96 before the 3 × 3, and 192 → 16 before
# the 5 × 5. A $k \times k$ convolution from $c_\text{in}$ to $c_\text{out}$
# channels has $c_\text{in}\, c_\text{out}\, k^2$ weights and, on an
# $h \times w$ output, $h\, w\, c_\text{in}\, c_\text{out}\, k^2$
# multiply-accumulates (MACs). Putting a 1 × 1 reduction to $r$ channels in
# front replaces $c_\text{in} c_\text{out} k^2$ by
# $c_\text{in} r + r\, c_\text{out} k^2$, a large saving when
# $r \ll c_\text{in}$.
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
with_reductions = {"1×1": block.branch1, "1×1 → 3×3": block.branch2, "1×1 → 5×5": block.branch3, "pool → 1×1": block.branch4}
without_reductions = {
    "1×1": block.branch1,
    "1×1 → 3×3": conv_relu(192, 128, kernel_size=3, padding=1),  # 3x3 straight from 192 channels
    "1×1 → 5×5": conv_relu(192, 32, kernel_size=5, padding=2),   # 5x5 straight from 192 channels
    "pool → 1×1": block.branch4,
}
input_size = (1, 192, 28, 28)
totals = {}
for variant, branches in {"with": with_reductions, "without": without_reductions}.items():
    counts = [summarize(m, input_size) for m in branches.values()]
    totals[variant] = (sum(s.total_parameters for s in counts), sum(s.macs for s in counts))
    print(f"{variant:>7} 1×1 reductions: {totals[variant][0]:>9,} parameters, {totals[variant][1]:>12,} MACs per image")
print(f"the reductions divide the parameters by {totals['without'][0] / totals['with'][0]:.2f} "
      f"and the MACs by {totals['without'][1] / totals['with'][1]:.2f}")

# %%
from cnnguide.figures import branch_cost_bars

branch_cost_bars({"with 1×1 reductions": with_reductions, "without": without_reductions}, input_size)

# %% [markdown]
# The 5 × 5 branch shows the effect most clearly: reading 192 channels
# directly, its 5 × 5 kernels need almost ten times the weights of the
# 1 × 1 → 5 × 5 pair. Over the whole block the reductions cut parameters and
# arithmetic by a factor of about 2.4, and the saving compounds over nine
# blocks. The price is that the 3 × 3 and 5 × 5 kernels only see 96 and 16
# mixtures of the input channels. The paper's bet is that the input channels
# are redundant enough for this to lose little.
#
# ## The whole network
#
# GoogLeNet is a stem much like the start of a plain CNN (7 × 7 convolution
# with stride 2, max pooling, 1 × 1 and 3 × 3 convolutions, max pooling), then
# nine Inception blocks in three groups (3a–3b, 4a–4e, 5a–5b) with a 3 × 3
# max pooling of stride 2 between the groups, and finally global average
# pooling and one linear layer ([chapter 8](../08-feature-maps-to-classes/)
# shows why global pooling replaced the large dense layers). Five stride-2
# steps divide the image side by 32: the book's 96 × 96 Fashion-MNIST images
# reach the last blocks at 3 × 3.
#
# The table lists every layer's output shape, parameters and FLOPs
# (1 MAC = 2 FLOPs) for one 1 × 96 × 96 image:

# %%
from cnnguide import models
from cnnguide.summary import summarize

net = models.create("googlenet", num_classes=10, in_channels=1)
print(summarize(net, (1, 1, 96, 96)))

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
handles = [module.register_forward_hook(lambda m, i, out, name=name: shapes.__setitem__(name, tuple(out.shape[1:])))
           for name, module in net.named_modules() if isinstance(module, Inception)]
with torch.no_grad():
    net.eval()(torch.zeros(1, 1, 96, 96))
for handle in handles:
    handle.remove()
for name, shape in shapes.items():
    print(f"{name}: {shape}")
assert [shape[0] for shape in shapes.values()] == [256, 480, 512, 512, 512, 528, 832, 832, 1024]

# %%
from cnnguide import models
from cnnguide.figures import inception_channel_split

inception_channel_split(models.create("googlenet", num_classes=10, in_channels=1), (1, 1, 96, 96))

# %% [markdown]
# In every block the 3 × 3 branch gets the largest share of the channels
# (tied with the 1 × 1 branch in 5b) and the 5 × 5 branch a small one, at
# most a fifth: the expensive kernel is used sparingly.
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
    theirs = torchvision.models.googlenet(weights=None, aux_logits=False, init_weights=False)
    vgg16 = torchvision.models.vgg16(weights=None)
count = lambda net: sum(p.numel() for p in net.parameters())  # noqa: E731
print(f"cnnguide googlenet:    {count(ours):,} parameters, branch 3 kernel {ours.inception3a.branch3[1][0].kernel_size}")
print(f"torchvision googlenet: {count(theirs):,} parameters, branch 3 kernel {theirs.inception3a.branch3[1].conv.kernel_size}, "
      f"{sum(isinstance(m, torch.nn.BatchNorm2d) for m in theirs.modules())} batch norms")
print(f"torchvision vgg16:     {count(vgg16):,} parameters, {count(vgg16) / count(ours):.0f} times ours")

# %% [markdown]
# Both are about twenty times smaller than VGG-16, although GoogLeNet is
# deeper: its longest path crosses 22 layers with weights (3 in the stem, 2
# in each of the 9 blocks, the final linear layer) to VGG-16's 16. The paper also trains
# two **auxiliary classifiers** attached to blocks 4a and 4d, whose losses
# (weighted 0.3) push gradient into the middle of a network that has no batch
# norm and no shortcuts; `models.create("googlenet", aux_logits=True)` adds
# them. The book's recipe, like most reimplementations, leaves them out.
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
# This short run departs from the recipe in three ways. With no batch
# normalisation, GoogLeNet is slow to leave chance level: in a few hundred
# steps, the recipe's Xavier initialisation and plain SGD at learning rate 0.1
# barely move the loss. So it keeps the network's own He (Kaiming)
# initialisation, which preserves the signal's variance through ReLU layers;
# it uses SGD with momentum 0.9, which builds up speed along directions the
# gradients agree on; and, since momentum multiplies the effective step size
# by about ten, a small learning rate, 0.005, in batches of 64.

# %%
import time

from cnnguide import data, models, train

net = models.create("googlenet", num_classes=10, in_channels=1)
train_iter, test_iter = data.load_fashion_mnist(64, device="cpu", train_size=6144, test_size=1000, seed=0)
tic = time.perf_counter()
history = train.fit(net, train_iter, test_iter, num_epochs=4, lr=0.005, momentum=0.9, init=None,
                    device="cpu", seed=0, callbacks=[train.PrintEpochs()])
steps = 4 * len(train_iter)
print(f"trained in {time.perf_counter() - tic:.1f} s ({steps} SGD steps; the full recipe takes "
      f"{10 * -(-60_000 // 128):,}); test accuracy on the first {len(test_iter.labels):,} test images")

# %%
from cnnguide.figures import plot_history

plot_history(history, title="GoogLeNet, 4 short epochs on a CPU (6,144 images, 28×28)")

# %% [markdown]
# The loss falls steadily, and the test accuracy printed above is far from
# the 10 % of chance: the network does learn. Read it as a check that the
# network trains, not as GoogLeNet's accuracy — a few hundred steps on small
# images is a sliver of the recipe. The recorded GPU run at the end of the
# page is the real measurement.
#
# ## Inside the trained network
#
# The network is convolutional up to its global pooling, so it accepts any
# input size; feeding it one test image at 96 × 96 gives larger, easier to
# read maps. First, eight of the 64 maps of the stem's 7 × 7 convolution:

# %%
import torch

from cnnguide import data
from cnnguide.figures import feature_map_grid

images, labels = data.read_fashion_mnist("test")
image = torch.nn.functional.interpolate(images[:1, None].float() / 255, size=96, mode="bilinear", antialias=True)
maps = {}
hooks = [net.stem[0].register_forward_hook(lambda m, i, out: maps.__setitem__("stem", out[0])),
         net.inception3a.register_forward_hook(lambda m, i, out: maps.__setitem__("3a", out[0]))]
with torch.no_grad():
    prediction = net.eval()(image).argmax(1).item()
for hook in hooks:
    hook.remove()
print(f"test image 0: a {data.text_labels(labels[0])}, predicted {data.text_labels(prediction)}")
feature_map_grid(maps["stem"], title="Stem convolution (7×7, stride 2): 8 of 64 maps", max_maps=8)

# %% [markdown]
# Block 3a's output is the concatenation of its four branches, so its channel
# index says which branch made a map: channels 0–63 come from the 1 × 1
# branch, 64–191 from the 3 × 3 branch, 192–223 from the 5 × 5 branch and
# 224–255 from the pooling branch. Three maps from each:

# %%
from cnnguide.figures import feature_map_grid

branch_starts = {"1×1": 0, "3×3": 64, "5×5": 192, "pool": 224}
picked = [start + k for start in branch_starts.values() for k in range(3)]
feature_map_grid(maps["3a"][picked], title="Inception 3a: three maps from each branch (12×12)", ncols=6,
                 labels=[f"{name} #{k}" for name in branch_starts for k in range(3)])

# %% [markdown]
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
#   2.4 (the 5 × 5 branch alone by almost 10).
# - GoogLeNet is a stem, nine Inception blocks (256 to 1,024 channels),
#   global average pooling and one linear layer: about 7 million parameters
#   at ImageNet size, about twenty times fewer than VGG-16.
# - torchvision's `googlenet` adds batch normalisation and uses 3 × 3 kernels
#   in the third branch; ours follows the paper (5 × 5, no batch norm), and
#   the parameter counts differ accordingly.
# - Without batch norm the network starts learning slowly; the next idea,
#   [ResNet](../13-resnet/)'s shortcuts, and [DenseNet](../15-densenet/)'s
#   concatenations attack that problem directly.
