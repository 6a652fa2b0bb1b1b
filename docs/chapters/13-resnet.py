# %% [markdown]
# # ResNet: learning what to add
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
# and the sum gives gradients a path around every block. ResNet-152 won
# ImageNet 2015, and residual connections are now in nearly every deep
# network, transformers included.
#
# ## The basic block
#
# `cnnguide.models.resnet.BasicBlock` is two 3 × 3 convolutions, each with
# [batch normalisation](../12-batch-normalization/), and a shortcut that adds
# the input back before the last ReLU:

# %%
import torch

from cnnguide.models.resnet import BasicBlock

block = BasicBlock(64, 64)
print(block)
x = torch.randn(2, 64, 24, 24)
print("input", tuple(x.shape), "-> output", tuple(block(x).shape))
print(f"{sum(p.numel() for p in block.parameters()):,} parameters")

# %% [markdown]
# The sum $F(\mathbf{x}) + \mathbf{x}$ needs both terms to have the same
# shape. When a block halves the resolution (stride 2) or changes the
# number of channels, the shortcut becomes a **projection**: a 1 × 1
# convolution with the same stride, followed by batch normalisation. It is the
# cheapest learned map that reshapes $\mathbf{x}$:

# %%
import torch

from cnnguide.models.resnet import BasicBlock

down = BasicBlock(64, 128, stride=2)
print(down.shortcut)
x = torch.randn(2, 64, 24, 24)
print("input", tuple(x.shape), "-> output", tuple(down(x).shape))
branch = sum(p.numel() for name, p in down.named_parameters() if not name.startswith("shortcut"))
projection = sum(p.numel() for p in down.shortcut.parameters())
print(f"residual branch: {branch:,} parameters; projection shortcut: {projection:,}")

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
    return nn.Sequential(nn.Conv2d(c, c, 3, padding=1), nn.ReLU(), nn.Conv2d(c, c, 3, padding=1), nn.ReLU())


def gradient_norms(make_block, depth=20, channels=16, seed=0):
    """Norm of the gradient of each block's first conv weights after one backward pass at initialisation."""
    torch.manual_seed(seed)
    blocks = [make_block(channels) for _ in range(depth)]
    net = nn.Sequential(nn.Conv2d(1, channels, 3, padding=1), *blocks,
                        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, 10))
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
    x, y = torch.randn(32, 1, 16, 16), torch.randint(0, 10, (32,))
    nn.functional.cross_entropy(net(x), y).backward()
    first_convs = [next(m for m in b.modules() if isinstance(m, nn.Conv2d)) for b in blocks]
    return [float(conv.weight.grad.norm()) for conv in first_convs]


norms = {
    "plain, no batch norm": gradient_norms(no_norm_block),
    "plain, batch norm": gradient_norms(lambda c: PlainBlock(c, c)),
    "residual (BasicBlock)": gradient_norms(lambda c: BasicBlock(c, c)),
}
for name, values in norms.items():
    print(f"{name:22s} block 1: {values[0]:9.3g}   block 20: {values[-1]:9.3g}   "
          f"ratio {values[0] / values[-1]:9.3g}")

# %%
from cnnguide.figures import gradient_norms_by_depth

gradient_norms_by_depth(norms, title="Gradient norms at initialisation, 20 blocks deep")

# %% [markdown]
# The two plain stacks fail in opposite directions. Without normalisation the
# gradient *shrinks* on its way down: the first blocks barely learn
# (vanishing gradients). With batch normalisation but no shortcut it *grows*
# towards the input instead — a known effect of batch norm in deep plain
# networks (Yang et al., 2019), so the early layers take huge steps while the
# late ones take small ones. With shortcuts the norms stay within a
# small factor across all 20 blocks: every block gets a usable signal, at any
# depth. That is what lets ResNet go to 50, 101 or 152 layers.
#
# ## ResNet-18 for Fashion-MNIST
#
# ResNet-18 is a stem (7 × 7 convolution with stride 2, batch norm, ReLU,
# 3 × 3 max pooling with stride 2), four stages of two basic blocks each
# (64, 128, 256, 512 channels; every stage after the first starts with a
# stride-2 block and a projection shortcut), a global average pooling and one
# linear layer. The 18 counts the layers with weights: 1 + 4 · 2 · 2 + 1.
# The d2l recipe trains it on Fashion-MNIST upsampled to 96 × 96:

# %%
from cnnguide import models
from cnnguide.summary import summarize

net = models.create("resnet18", num_classes=10, in_channels=1)
print(summarize(net, (1, 1, 96, 96)))

# %% [markdown]
# Eleven million parameters — a quarter of the quarter-width VGG-11's, because
# the global average pooling leaves only $512 \times 10$ weights in the
# classifier — and about 0.6 GFLOPs per 96 × 96 image. The module names
# (`conv1`, `layer1` … `layer4`, `fc`) are torchvision's; only the projection
# is called `shortcut` where torchvision says `downsample`.
#
# ## Training ResNet-18 on this page
#
# On this page's CPU, ResNet-18 trains for two epochs on 6,000 training
# images (a tenth of the training set) upsampled to only 32 × 32 (the stem
# and three stride-2 stages take that down to 1 × 1 before the pooling), and
# is tested on 1,000 test images. It uses the recipe's plain SGD and Xavier
# initialisation, in batches of 128 instead of 256, so the learning rate is
# halved too, from 0.05 to 0.025: each step then moves the weights as far
# per training example as the recipe's do.

# %%
import time

from cnnguide import data, models, train

resnet = models.create("resnet18", num_classes=10, in_channels=1)
train_iter, test_iter = data.load_fashion_mnist(128, resize=32, device="cpu", train_size=6000, test_size=1000, seed=0)
print(f"{len(train_iter)} batches per epoch, {2 * len(train_iter)} SGD steps in all")
tic = time.perf_counter()
history = train.fit(resnet, train_iter, test_iter, num_epochs=2, lr=0.025, device="cpu",
                    seed=0, callbacks=[train.PrintEpochs()])
print(f"trained in {time.perf_counter() - tic:.1f} s")

# %%
from cnnguide.figures import plot_history

plot_history(history, title="ResNet-18, 2 epochs on a CPU (6,000 images, 32×32)")

# %% [markdown]
# The recipe takes 2,350 steps (10 epochs of 235 batches of 256); the number
# printed above is a small fraction of that, yet batch normalisation and the
# shortcuts let all 18 layers learn from the first updates, and the test
# accuracy printed above is far above chance (0.10).
#
# The test accuracy needs one thing more than the training accuracy. In
# evaluation mode, batch norm normalises with *running averages* of the batch
# statistics, each update moving them a tenth of the way towards the current
# batch's. They start at mean 0 and variance 1, and they trail weights that
# are still changing fast, so after only a few dozen updates the network the
# test pass sees is not quite the one that was trained: its test accuracy can
# lag far behind the training accuracy. (An earlier version of this page
# trained for 16 steps on 512 images, and its test accuracy stayed far below
# its training accuracy.) Enough steps, at a step size the
# averages can follow, close the gap; a test set of 1,000 images keeps the
# measured accuracy from jumping with a handful of lucky or unlucky images.
#
# ## Bottlenecks: deeper for less
#
# ResNet-50 and deeper use the **bottleneck** block: a 1 × 1 convolution
# reduces the channels four-fold, a 3 × 3 convolution works on the reduced
# maps, and another 1 × 1 expands them back
# ([1 × 1 convolutions](../05-one-by-one-convolution/) mix channels at every
# pixel). At 256 channels, compare it with a basic block of two 3 × 3
# convolutions:

# %%
from torch import nn

from cnnguide.models.resnet import BasicBlock, Bottleneck


def conv_weights(block):
    return sum(m.weight.numel() for m in block.modules() if isinstance(m, nn.Conv2d))


basic, bottleneck = BasicBlock(256, 256), Bottleneck(256, 64)
for conv in (m for m in bottleneck.modules() if isinstance(m, nn.Conv2d)):
    print(f"bottleneck {conv.kernel_size[0]}x{conv.kernel_size[1]} conv {conv.in_channels:3d} -> {conv.out_channels:3d}: "
          f"{conv.weight.numel():,} weights")
print(f"bottleneck, 256 -> 64 -> 64 -> 256: {conv_weights(bottleneck):,} convolution weights")
print(f"basic block, 2 x 3x3 at 256:        {conv_weights(basic):,} convolution weights "
      f"({conv_weights(basic) / conv_weights(bottleneck):.1f} times more)")

# %% [markdown]
# For a seventeenth of the weights the bottleneck adds a layer of depth; that
# is how ResNet-50 has 50 layers yet only about twice ResNet-18's parameters:

# %%
import torch

from cnnguide import models
from cnnguide.summary import format_count, summarize

for name in ("resnet18", "resnet34", "resnet50"):
    with torch.device("meta"):
        net = models.create(name, num_classes=1000, in_channels=3)
    s = summarize(net, (1, 3, 224, 224), device="meta")
    print(f"{name}: {s.total_parameters:>11,} parameters, {format_count(s.flops)}FLOPs per 224x224 image")

# %% [markdown]
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

# %%
from cnnguide.figures import feature_map_grid

feature_map_grid(stage1[0], title=f"After layer1: the first 16 of 64 maps, {stage1.shape[2]}×{stage1.shape[3]}", max_maps=16)

# %% [markdown]
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
# - Bottleneck blocks (1 × 1 reduce, 3 × 3, 1 × 1 expand) cost a seventeenth of
#   two 3 × 3 convolutions at 256 channels, which makes ResNet-50 and deeper
#   affordable.
# - Our ResNets load torchvision's weights with `from_torchvision`.
# - Next: [GoogLeNet](../14-googlenet/) goes wide instead of deep, and
#   [DenseNet](../15-densenet/) concatenates where ResNet adds.
