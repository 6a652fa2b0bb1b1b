# %% [markdown]
# # 8. From feature maps to classes
#
# Convolutions, activations and [pooling](../07-pooling/) turn an image into a
# stack of feature maps: $C$ channels, each an $H \times W$ grid saying where
# some pattern was found. A classifier has to end with one score per class.
# This chapter looks at the last step — how a network goes from a
# $C \times H \times W$ tensor to a vector of class scores — and at the two
# ways to do it: **flatten and use fully connected layers**, as LeNet and VGG
# do, or **global average pooling**, as ResNet, GoogLeNet and DenseNet do.
#
# ## A fully connected layer is a convolution
#
# Suppose the last convolution, after its ReLU, leaves a 3 × 3 map with 5
# channels, and the next layer is fully connected with 4,096 units. Flattening
# gives $5 \cdot 3 \cdot 3 = 45$ numbers, and each unit computes a weighted sum
# of all 45. But a weighted sum of a whole $5 \times 3 \times 3$ block is
# exactly what one convolution kernel of size $5 \times 3 \times 3$ computes
# when it fits the map once. So the fully connected layer is a convolution
# with 4,096 kernels of size 3 × 3 over 5 channels, producing a $4096 \times 1
# \times 1$ output. This is the blog's example. Let's check it by copying the
# weights of an `nn.Linear` into an `nn.Conv2d`, first without bias, as the
# blog writes it:

# %%
import torch
from torch import nn

torch.manual_seed(0)
# (batch, channels, height, width)
activation = torch.relu(torch.randn(1, 5, 3, 3))

dense = nn.Linear(5 * 3 * 3, 4096, bias=False)
conv = nn.Conv2d(5, 4096, kernel_size=3, bias=False)
with torch.no_grad():
    # nn.Flatten orders the 45 inputs channel by channel, row by row:
    # the layout of a (5, 3, 3) kernel.
    conv.weight.copy_(dense.weight.reshape(4096, 5, 3, 3))

from_dense = dense(activation.flatten(1))  # (1, 4096)
from_conv = conv(activation)  # (1, 4096, 1, 1)
print("dense:", tuple(from_dense.shape), "| conv:", tuple(from_conv.shape))
print(f"max |dense - conv| = {(from_dense - from_conv.flatten(1)).abs().max():.1e}")

# %% [markdown]
# The same numbers: the printed difference is zero or float32 rounding (two
# implementations may add the 45 products in different orders). Our
# from-scratch `cnnguide.ops.conv2d` agrees too, and so does the version with
# a bias, once the bias is copied as well:

# %%
import torch
from torch import nn

from cnnguide.ops import conv2d

dense_b = nn.Linear(45, 4096)  # with bias this time
conv_b = nn.Conv2d(5, 4096, kernel_size=3)
with torch.no_grad():
    conv_b.weight.copy_(dense_b.weight.reshape(4096, 5, 3, 3))
    conv_b.bias.copy_(dense_b.bias)
    reference = dense_b(activation.flatten(1))
    ours = conv2d(activation, conv_b.weight, conv_b.bias).flatten(1)
    theirs = conv_b(activation).flatten(1)
    gap = (reference - theirs).abs().max()
    print(f"with bias, nn.Conv2d:       max diff {gap:.1e}")
    print(f"with bias, cnnguide conv2d: max diff {(reference - ours).abs().max():.1e}")

# %% [markdown]
# The blog says that this convolution has no bias, and writes each unit as a
# weighted sum without one. That is wrong for the layer it describes: a fully
# connected layer has one bias per unit (`nn.Linear` has them unless told
# otherwise), and the equivalent convolution has one per kernel. The layer is
# 4,096 kernels of $3 \cdot 3 \cdot 5$ weights **plus 4,096 biases**. The
# parameter count is the same whichever way we write it:

# %%
from cnnguide.ops import conv_param_count, dense_param_count


def n_params(module):
    return sum(p.numel() for p in module.parameters())


for bias, module in [(False, conv), (True, conv_b)]:
    as_conv = conv_param_count(5, 4096, 3, bias=bias)
    as_dense = dense_param_count(45, 4096, bias=bias)
    print(f"bias={bias!s:<5}  conv {as_conv:,} = dense {as_dense:,}"
          f" = nn modules {n_params(module):,}")

# %% [markdown]
# The convolutional form has a bonus: it accepts a *larger* map. On a 5 × 5
# map the same kernels fit at 3 × 3 positions, and each output position is
# exactly the dense layer applied to one 3 × 3 window — a grid of
# classifications for free. This is the idea behind *fully convolutional
# networks* (FCN; Long, Shelhamer & Darrell, 2015), to which the blog points
# for labelling every region of an image: they replace the dense layers of a
# classifier by convolutions, so that the network outputs a coarse grid of
# class scores, and upsample that grid to a label for every pixel (semantic
# segmentation).

# %%
import torch

bigger = torch.relu(torch.randn(1, 5, 5, 5))
with torch.no_grad():
    grid = conv(bigger)  # (1, 4096, 3, 3)
    window = bigger[:, :, 1:4, 2:5]  # the 3x3 window whose top-left corner is (1, 2)
    diff = (grid[:, :, 1, 2] - dense(window.flatten(1))).abs().max()
print("conv on a 5x5 map:", tuple(grid.shape))
print(f"position (1, 2) vs dense on that window: {diff:.1e}")

# %% [markdown]
# ## Flatten or average?
#
# Flattening keeps *where* each feature was: the weight a unit gives to
# "cat-detector fired" is different at every position. For classification that
# is mostly a burden — a cat in the top-left corner and a cat in the
# bottom-right should get the same score. **Global average pooling (GAP)**,
# introduced as the classifier of *Network In Network* (Lin, Chen & Yan, 2013),
# throws the position away on purpose: it averages each channel over the whole
# map, leaving one number per channel, and only then applies a small dense
# layer — or none: in Network In Network the last convolution already has one
# channel per class, and its averages are the class scores. Below, one
# channel of a feature map fires at two different places:

# %%
import torch

from cnnguide.figures import feature_map_grid

maps = torch.zeros(2, 1, 6, 6)  # two examples, one channel, 6x6
maps[0, 0, 0:2, 0:2] = 1.0  # "cat" found top-left
maps[1, 0, 4:6, 3:5] = 1.0  # "cat" found bottom-right
feature_map_grid(
    maps[:, 0],
    title="The same feature at two positions",
    labels=["example 1", "example 2"],
)

# %%
import torch
from torch import nn

torch.manual_seed(0)
flatten_head = nn.Sequential(nn.Flatten(), nn.Linear(1 * 6 * 6, 1))
gap_head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(1, 1))
with torch.no_grad():
    for name, head in [("flatten", flatten_head), ("GAP", gap_head)]:
        scores = head(maps).flatten().tolist()
        print(f"{name:<7} head scores:", [f"{v:+.4f}" for v in scores])
    pooled = nn.AdaptiveAvgPool2d(1)(maps).flatten()
    means = maps.mean(dim=(2, 3)).flatten()
    print("GAP is the mean over each map:", torch.equal(pooled, means))

# %% [markdown]
# The flattened head scores the two examples differently; the GAP head cannot
# tell them apart. (Position still matters *inside* the network — the kernels
# of the convolutions see local layouts — but not in the final vote.)
#
# GAP ignores where a feature fired in the *last* map. That does not make the
# whole network blind to shifts of the *image*, because the layers below are
# only approximately shift-equivariant. Take a random stride-2 convolution
# with ReLU, followed by GAP, and a small random pattern away from the
# borders; shift the image by even and by odd numbers of pixels:

# %%
torch.manual_seed(0)
network = nn.Sequential(
    nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1)
)
image = torch.zeros(1, 1, 32, 32)
image[0, 0, 10:15, 8:12] = torch.rand(5, 4)  # a small pattern, away from the borders
with torch.no_grad():
    reference = network(image)
    print(f"size of the pooled features: {reference.abs().max():.2f}")
    for shift in [(0, 2), (4, 6), (0, 1), (1, 1), (3, 0)]:
        moved = network(torch.roll(image, shift, dims=(2, 3)))
        print(f"shift {shift}: largest change {(moved - reference).abs().max():.1e}")

# %% [markdown]
# Shifts by even numbers of pixels only move the stride-2 map by whole cells,
# and GAP ignores the move: the change is float32 rounding. Odd shifts make
# the stride-2 windows sample the pattern at other places, so the map itself
# changes, and so do its averages. Zero padding adds a second effect near
# the borders. Real networks stack several strides, and small shifts do
# change their predictions (Azulay & Weiss, 2019).
#
# ## What flattening costs
#
# Now a realistic size. On a 224 × 224 image the last convolutional stage of
# VGG-16 leaves 512 channels of 7 × 7, which its classifier flattens; ResNet-18
# and ResNet-34 also end with 512 channels, ResNet-50 and the deeper ResNets
# with 2,048. torchvision's models, built on the `meta` device (which knows
# shapes but allocates no memory), say so:

# %%
import torch
from torchvision.models import resnet18, resnet50, vgg16

with torch.device("meta"):
    nets = {"VGG-16": vgg16(), "ResNet-18": resnet18(), "ResNet-50": resnet50()}
print(f"VGG-16's classifier takes {nets['VGG-16'].classifier[0].in_features:,} inputs")
for name in ("ResNet-18", "ResNet-50"):
    print(f"{name}'s head averages {nets[name].fc.in_features:,} channels")

# %% [markdown]
# The 25,088 inputs of VGG-16's classifier are $512 \times 7 \times 7$, and
# ImageNet has 1,000 classes. Compare three heads — a single dense layer on the flattened map,
# VGG's head with two hidden layers of 4,096 units, and GAP followed by one
# dense layer. Again the modules live on the `meta` device, so counting VGG's
# head costs nothing:

# %%
from torch import nn

from cnnguide.figures import parameter_count_bars
from cnnguide.ops import dense_param_count

C, H, W, classes = 512, 7, 7, 1000
with torch.device("meta"):
    heads = {
        "flatten → 1000": nn.Sequential(nn.Flatten(), nn.Linear(C * H * W, classes)),
        "flatten → 4096 → 4096 → 1000 (VGG)": nn.Sequential(
            nn.Flatten(),
            nn.Linear(C * H * W, 4096), nn.ReLU(),
            nn.Linear(4096, 4096), nn.ReLU(),
            nn.Linear(4096, classes),
        ),
        "GAP → 1000": nn.Sequential(
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(C, classes)
        ),
    }
for name, head in heads.items():
    print(f"{name:36s} {sum(p.numel() for p in head.parameters()):>12,} parameters")
flat, gap = dense_param_count(C * H * W, classes), dense_param_count(C, classes)
print(f"dense_param_count: flatten {flat:,}, GAP {gap:,}, ratio {flat / gap:.1f}")
vgg = nets["VGG-16"]
share = sum(p.numel() for p in vgg.classifier.parameters()) / sum(
    p.numel() for p in vgg.parameters()
)
print(f"VGG-16's classifier holds {share:.0%} of its parameters")

# %%
parameter_count_bars(
    heads, title=f"Classifier heads on a {C}×{H}×{W} map, {classes} classes", log=False
)

# %% [markdown]
# The bars share one linear axis, on which the GAP head's bar is too thin to
# see next to the two flattening heads. A flattening head's weights are multiplied by
# $H \times W$ — here $7 \times 7$ — compared with the GAP head, and in VGG-16
# the classifier holds most of the network's parameters (the share printed
# above; see [the VGG chapter](../11-vgg/)). More parameters mean more memory,
# slower training and an easier time memorising the training set.
#
# ## Any input size
#
# The flattened layer also fixes the input size: it was built for exactly
# $C \cdot H \cdot W$ inputs. GAP produces $C$ numbers whatever $H$ and $W$
# are, so the same head works on larger images:

# %%
import torch
from torch import nn

torch.manual_seed(0)
flatten_head = nn.Sequential(nn.Flatten(), nn.Linear(512 * 7 * 7, 10))
gap_head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, 10))

for h, w in [(7, 7), (10, 13)]:
    features = torch.randn(1, 512, h, w)
    print(f"{h}x{w} map -> GAP head output {tuple(gap_head(features).shape)}")
    try:
        out = flatten_head(features)
        print(f"{h}x{w} map -> flatten head output {tuple(out.shape)}")
    except RuntimeError as err:
        print(f"{h}x{w} map -> flatten head fails ({type(err).__name__}):")
        print(f"  {features[0].numel():,} inputs, built for {512 * 7 * 7:,}")

# %% [markdown]
# That is why [ResNet](../13-resnet/), [GoogLeNet](../14-googlenet/) and
# [DenseNet](../15-densenet/) end with global average pooling: fewer
# parameters, less overfitting (Network In Network's argument: with no
# weights, GAP has nothing to overfit), any input size. The price is that the
# convolutions must do all the work of deciding *what* is in the image, since
# the head only sees per-channel averages. The next chapter asks how much of
# the image those last convolutions can actually see: the
# [receptive field](../09-receptive-field/).
#
# ## What to remember
#
# - A fully connected layer on a $C \times H \times W$ map is a convolution
#   with one $C \times H \times W$ kernel per unit: the 5 × 3 × 3 → 4,096 layer
#   is 4,096 kernels of 5 × 3 × 3, i.e. $5 \cdot 3 \cdot 3 \cdot 4096 = 184{,}320$
#   weights, plus 4,096 biases (the blog's "no bias" is wrong), with
#   identical outputs. Run on a larger map, it gives a grid of outputs: the
#   idea of fully convolutional networks.
# - Flattening keeps position and costs $C H W$ weights per output unit.
# - Global average pooling (from Network In Network) averages each channel to
#   one number: the head costs $C$ weights per output, ignores where in the
#   last map a feature appeared, and accepts any input size. The layers below
#   it are only approximately shift-equivariant, so the network as a whole is
#   only approximately shift-invariant.
#
# ## References
#
# - Azulay, A. & Weiss, Y. (2019). Why do deep convolutional networks
#   generalize so poorly to small image transformations? *Journal of Machine
#   Learning Research*, 20(184), 1–25.
# - Lin, M., Chen, Q. & Yan, S. (2013). Network in network.
#   arXiv:1312.4400; published at ICLR 2014.
# - Long, J., Shelhamer, E. & Darrell, T. (2015). Fully convolutional
#   networks for semantic segmentation. *Proceedings of the IEEE Conference
#   on Computer Vision and Pattern Recognition (CVPR)*, 3431–3440.

# %% [markdown]
# ## Exercises
#
# 1. VGG-16's first fully connected layer maps the flattened 512 × 7 × 7 map
#    to 4,096 units. Written as a convolution, what are its kernels, and how
#    many parameters does it have (`conv_param_count` and
#    `dense_param_count`)?
#
#     <details><summary>Answer</summary>
#
#     4,096 kernels of size 7 × 7 over 512 channels, each with a bias:
#     `conv_param_count(512, 4096, 7)` and, for the 25,088 flattened inputs,
#     `dense_param_count(25088, 4096)` both give 102,764,544.
#
#     </details>
#
# 2. Written with convolutions, VGG-16 can run on a 384 × 384 image. Its five
#    2 × 2, stride-2 poolings (and padded 3 × 3 convolutions, which keep the
#    size) shrink the image before that 7 × 7 layer. How large is the map it
#    sees, and how large is the grid of outputs it produces?
#
#     <details><summary>Answer</summary>
#
#     384 halves five times to 12, so the 7 × 7 kernels see a 12 × 12 map and
#     fit at $12 - 7 + 1 = 6$ positions each way: a 6 × 6 grid of class
#     scores, each from a 224-pixel window of the image, the windows 32 pixels
#     apart. (They match the scores of the 224-pixel crops only roughly: in
#     the large image the windows' borders see their neighbours' pixels, not
#     zero padding.)
#
#     </details>
#
# 3. ResNet-50 ends with 2,048 channels of 7 × 7. How many parameters does
#    its GAP head into 1,000 classes have, and how many would a flattening
#    head into the same 1,000 classes have?
#
#     <details><summary>Answer</summary>
#
#     `dense_param_count(2048, 1000)` is 2,049,000;
#     `dense_param_count(2048 * 7 * 7, 1000)` is 100,353,000, about 49 times
#     as many.
#
#     </details>
#
# 4. In the shift experiment, give the convolution stride 1 instead of 2,
#    then stride 4. Which of the five shifts leave the pooled features
#    unchanged, up to rounding, now? Try (4, 8) as well.
#
#     <details><summary>Answer</summary>
#
#     With stride 1, all five: the map moves with the pattern, and GAP
#     ignores the move. With stride 4, none of them: only shifts by multiples
#     of 4 in both directions just move the map, and (4, 8) is the only such
#     shift among those tried. A layer of stride $s$ keeps GAP's output for
#     shifts by multiples of $s$ only.
#
#     </details>
