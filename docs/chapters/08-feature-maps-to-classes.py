# %% [markdown]
# # From feature maps to classes
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
# \times 1$ output. Let's check it by copying the weights of an `nn.Linear`
# into an `nn.Conv2d`, first without bias:

# %%
import torch
from torch import nn

torch.manual_seed(0)
activation = torch.relu(torch.randn(1, 5, 3, 3))  # (batch, channels, height, width)

dense = nn.Linear(5 * 3 * 3, 4096, bias=False)
conv = nn.Conv2d(5, 4096, kernel_size=3, bias=False)
with torch.no_grad():
    # nn.Flatten orders the 45 inputs channel by channel, row by row: the layout of a (5, 3, 3) kernel.
    conv.weight.copy_(dense.weight.reshape(4096, 5, 3, 3))

from_dense = dense(activation.flatten(1))  # (1, 4096)
from_conv = conv(activation)  # (1, 4096, 1, 1)
print("dense:", tuple(from_dense.shape), "| conv:", tuple(from_conv.shape))
print(f"max |dense - conv| = {(from_dense - from_conv.flatten(1)).abs().max():.1e}")

# %% [markdown]
# Same numbers — here even bit for bit, though in general two implementations
# may add the 45 products in different orders and differ by float32 rounding. Our from-scratch `cnnguide.ops.conv2d` agrees too, and so
# does the version with a bias, once the bias is copied as well:

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
    print(f"with bias, nn.Conv2d:      max diff {(reference - conv_b(activation).flatten(1)).abs().max():.1e}")
    print(f"with bias, cnnguide conv2d: max diff {(reference - ours).abs().max():.1e}")

# %% [markdown]
# The parameter count is the same whichever way we write the layer: 4,096
# kernels of $3 \cdot 3 \cdot 5$ weights.

# %%
from cnnguide.ops import conv_param_count, dense_param_count


def n_params(module):
    return sum(p.numel() for p in module.parameters())


print(f"no bias:   conv {conv_param_count(5, 4096, 3, bias=False):,} = dense {dense_param_count(45, 4096, bias=False):,}"
      f" = nn modules {n_params(conv):,}")
print(f"with bias: conv {conv_param_count(5, 4096, 3):,} = dense {dense_param_count(45, 4096):,}"
      f" = nn modules {n_params(conv_b):,}")

# %% [markdown]
# The convolutional form has a bonus: it accepts a *larger* map. On a 5 × 5
# map the same kernels fit at 3 × 3 positions, and each output position is
# exactly the dense layer applied to one 3 × 3 window — a grid of
# classifications for free. This is the idea behind fully convolutional
# networks for segmentation, which replace the dense layers of a classifier by
# convolutions.

# %%
import torch

bigger = torch.relu(torch.randn(1, 5, 5, 5))
with torch.no_grad():
    grid = conv(bigger)  # (1, 4096, 3, 3)
    window = bigger[:, :, 1:4, 2:5]  # the 3x3 window whose top-left corner is (1, 2)
    diff = (grid[:, :, 1, 2] - dense(window.flatten(1))).abs().max()
print("conv on a 5x5 map:", tuple(grid.shape), f"| position (1, 2) vs dense on that window: {diff:.1e}")

# %% [markdown]
# ## Flatten or average?
#
# Flattening keeps *where* each feature was: the weight a unit gives to
# "cat-detector fired" is different at every position. For classification that
# is mostly a burden — a cat in the top-left corner and a cat in the
# bottom-right should get the same score. **Global average pooling (GAP)**
# throws the position away on purpose: it averages each channel over the whole
# map, leaving one number per channel, and only then applies a small dense
# layer (or none). Below, one channel of a feature map fires at two different
# places:

# %%
import torch

from cnnguide.figures import feature_map_grid

maps = torch.zeros(2, 1, 6, 6)  # two examples, one channel, 6x6
maps[0, 0, 0:2, 0:2] = 1.0  # "cat" found top-left
maps[1, 0, 4:6, 3:5] = 1.0  # "cat" found bottom-right
feature_map_grid(maps[:, 0], title="The same feature at two positions", labels=["example 1", "example 2"])

# %%
import torch
from torch import nn

torch.manual_seed(0)
flatten_head = nn.Sequential(nn.Flatten(), nn.Linear(1 * 6 * 6, 1))
gap_head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(1, 1))
with torch.no_grad():
    print("flatten head scores:", [f"{v:+.4f}" for v in flatten_head(maps).flatten().tolist()])
    print("GAP head scores:    ", [f"{v:+.4f}" for v in gap_head(maps).flatten().tolist()])
    print("GAP is the mean over each map:", torch.equal(nn.AdaptiveAvgPool2d(1)(maps).flatten(), maps.mean(dim=(2, 3)).flatten()))

# %% [markdown]
# The flattened head scores the two examples differently; the GAP head cannot
# tell them apart. (Position still matters *inside* the network — the kernels
# of the convolutions see local layouts — but not in the final vote.)
#
# ## What flattening costs
#
# Now a realistic size: the last convolutional stage of VGG or ResNet on a
# 224 × 224 image leaves 512 channels of 7 × 7, and ImageNet has 1,000
# classes. Compare three heads — a single dense layer on the flattened map,
# VGG's head with two hidden layers of 4,096 units, and GAP followed by one
# dense layer. The modules are built on PyTorch's `meta` device, which knows
# shapes but allocates no memory, so counting VGG's head costs nothing:

# %%
from torch import nn

from cnnguide.figures import parameter_count_bars
from cnnguide.ops import dense_param_count

C, H, W, classes = 512, 7, 7, 1000
heads = {
    "flatten → 1000": nn.Sequential(nn.Flatten(), nn.Linear(C * H * W, classes, device="meta")),
    "flatten → 4096 → 4096 → 1000 (VGG)": nn.Sequential(
        nn.Flatten(),
        nn.Linear(C * H * W, 4096, device="meta"), nn.ReLU(),
        nn.Linear(4096, 4096, device="meta"), nn.ReLU(),
        nn.Linear(4096, classes, device="meta"),
    ),
    "GAP → 1000": nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(C, classes, device="meta")),
}
for name, head in heads.items():
    print(f"{name:36s} {sum(p.numel() for p in head.parameters()):>12,} parameters")
flat, gap = dense_param_count(C * H * W, classes), dense_param_count(C, classes)
print(f"check with dense_param_count: flatten {flat:,}, GAP {gap:,}, ratio {flat / gap:.1f}")

# %%
parameter_count_bars(heads, title=f"Classifier heads on a {C}×{H}×{W} map, {classes} classes", log=False)

# %% [markdown]
# A flattening head's weights are multiplied by $H \times W$ — here
# $7 \times 7$ — compared with the GAP head, and in VGG the head holds most of the network's parameters
# (see [the VGG chapter](../11-vgg/)). More parameters mean more memory, slower
# training and an easier time memorising the training set.
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
        print(f"{h}x{w} map -> flatten head output {tuple(flatten_head(features).shape)}")
    except RuntimeError as err:
        print(f"{h}x{w} map -> flatten head fails: {err}")

# %% [markdown]
# That is why [ResNet](../13-resnet/), [GoogLeNet](../14-googlenet/) and
# [DenseNet](../15-densenet/) end with global average pooling: fewer
# parameters, less overfitting, any input size. The price is that the
# convolutions must do all the work of deciding *what* is in the image, since
# the head only sees per-channel averages. The next chapter asks how much of
# the image those last convolutions can actually see: the
# [receptive field](../09-receptive-field/).
#
# ## What to remember
#
# - A fully connected layer on a $C \times H \times W$ map is a convolution
#   with one $C \times H \times W$ kernel per unit: the 3 × 3 × 5 → 4,096 layer
#   is 4,096 kernels of 3 × 3 × 5, i.e. $3 \cdot 3 \cdot 5 \cdot 4096 = 184{,}320$
#   weights (plus 4,096 biases if it has them), with identical outputs.
# - Flattening keeps position and costs $C H W$ weights per output unit.
# - Global average pooling averages each channel to one number: the head
#   costs $C$ weights per output, ignores where a feature appeared, and accepts
#   any input size.
