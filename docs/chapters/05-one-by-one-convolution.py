# %% [markdown]
# # 1 × 1 convolution
#
# A convolution is supposed to combine *neighbouring* pixels, so a 1 × 1
# kernel sounds useless: its window is a single pixel. But with several
# channels ([chapter 4](../04-channels/)) a 1 × 1 kernel still does something
# important. It loses the view of neighbours, yet keeps the sum over channels:
# each output pixel becomes a weighted combination of the input's channels **at
# that same pixel**. Networks from GoogLeNet to ResNet use it everywhere, to
# mix channels and, above all, to change their number cheaply.
#
# ## A linear layer at every pixel
#
# With $C$ input channels and $O$ output channels, a 1 × 1 layer has weights
# of shape $(O, C, 1, 1)$ — really an $O \times C$ matrix $W$ — and computes
#
# $$Y_{o,i,j} = \sum_{c=0}^{C-1} W_{o,c}\, X_{c,i,j}.$$
#
# Height and width are untouched; only the channel count changes, from $C$ to
# $O$. The figure follows one pixel through three input channels and a 2 × 3
# weight matrix:

# %%
import torch

from cnnguide.figures import one_by_one_figure

X = torch.arange(27.0).reshape(3, 3, 3)  # 3 channels of 3 x 3
K = torch.tensor([[1.0, 0.0, -1.0], [1.0, 2.0, 1.0]]).reshape(2, 3, 1, 1)  # 2 output channels
one_by_one_figure(X, K, position=(1, 2))

# %% [markdown]
# ## It is one matrix product
#
# Line the $H \cdot W$ pixels up as the columns of a $C \times HW$ matrix. The
# layer is then a single product, $(O \times C) \cdot (C \times HW)$: a fully
# connected layer applied to every pixel with the same weights.
# `corr2d_multi_in_out_1x1` computes it that way; it must agree with the
# general sliding-window `corr2d_multi_in_out`, with a per-pixel `nn.Linear`,
# and with PyTorch's `nn.Conv2d(kernel_size=1)`:

# %%
from torch import nn

from cnnguide.ops import corr2d_multi_in_out, corr2d_multi_in_out_1x1

torch.manual_seed(0)
X = torch.randn(3, 5, 5)
K = torch.randn(2, 3, 1, 1)
Y = corr2d_multi_in_out_1x1(X, K)

conv = nn.Conv2d(3, 2, kernel_size=1, bias=False)
linear = nn.Linear(3, 2, bias=False)
with torch.no_grad():
    conv.weight.copy_(K)
    linear.weight.copy_(K.reshape(2, 3))
    by_conv = conv(X.unsqueeze(0))[0]
    by_linear = linear(X.permute(1, 2, 0)).permute(2, 0, 1)  # channels last, then back

print("output shape:", tuple(Y.shape))
for name, other in [("corr2d_multi_in_out", corr2d_multi_in_out(X, K)),
                    ("nn.Conv2d(kernel_size=1)", by_conv), ("nn.Linear per pixel", by_linear)]:
    print(f"matrix product vs {name:<25} max difference {(Y - other).abs().max().item():.1e}")

# %% [markdown]
# All three agree. Because it is a plain matrix product, a
# 1 × 1 layer is also one of the fastest layers a network can have.
#
# ## Changing the number of channels
#
# A 1 × 1 layer can map any number of channels to any other without touching
# height and width:

# %%
features = torch.randn(1, 256, 28, 28)
print("256 -> 64 channels:", tuple(nn.Conv2d(256, 64, kernel_size=1)(features).shape))
print("256 -> 512 channels:", tuple(nn.Conv2d(256, 512, kernel_size=1)(features).shape))

# %% [markdown]
# That makes it the tool for **bottlenecks**. A 3 × 3 convolution costs
# $9 C_\text{in} C_\text{out}$ weights, so it is expensive on many channels.
# Squeeze the channels with a 1 × 1 layer first, do the 3 × 3 work on fewer
# channels, and expand again if needed. `conv_param_count` counts the
# parameters (weights and biases):

# %%
from cnnguide.ops import conv_param_count

direct = conv_param_count(256, 256, kernel_size=3)
bottleneck = {
    "1x1, 256 -> 64": conv_param_count(256, 64, kernel_size=1),
    "3x3,  64 -> 64": conv_param_count(64, 64, kernel_size=3),
    "1x1,  64 -> 256": conv_param_count(64, 256, kernel_size=1),
}
print(f"3x3 conv, 256 -> 256 directly: {direct:>8,} parameters")
for name, count in bottleneck.items():
    print(f"  bottleneck {name:<17} {count:>8,}")
total = sum(bottleneck.values())
print(f"bottleneck total:              {total:>8,} parameters  ({direct / total:.1f}x fewer)")

# %% [markdown]
# The three-layer bottleneck maps 256 channels to 256 channels with a 3 × 3
# view, like the direct layer, for about an eighth of the parameters — and of
# the multiply-adds, since every weight is used once per pixel. This is the
# block of the deeper ResNets ([chapter 13](../13-resnet/)). GoogLeNet
# ([chapter 14](../14-googlenet/)) uses the same trick before its 3 × 3 and 5 × 5
# branches. The multiply-adds on a 56 × 56 feature map:

# %%
pixels = 56 * 56
weights_direct = 256 * 256 * 9
weights_bottleneck = 256 * 64 + 64 * 64 * 9 + 64 * 256
print(f"direct:     {weights_direct * pixels / 1e6:,.0f} million multiply-adds")
print(f"bottleneck: {weights_bottleneck * pixels / 1e6:,.0f} million multiply-adds")

# %% [markdown]
# The price is capacity: the 3 × 3 layer in the middle sees only 64 channels.
# In practice deep networks lose little by it and gain the depth that the
# saving pays for. Extra non-linearities between the layers
# ([chapter 6](../06-activation-functions/)) make the bottleneck more than one
# linear map in disguise.
#
# ## What to remember
#
# - A 1 × 1 convolution is a fully connected layer across channels, applied
#   at every pixel with shared weights; it keeps height and width.
# - It is one matrix product, $(O \times C)\cdot(C \times HW)$, and equals
#   `nn.Conv2d(C, O, kernel_size=1)` and a per-pixel `nn.Linear(C, O)`.
# - It changes the channel count cheaply: a 256 → 64 → 256 bottleneck around
#   a 3 × 3 layer costs about 8 times fewer parameters than a direct 3 × 3
#   layer on 256 channels.
#
# Previous: [channels](../04-channels/). Next:
# [activation functions](../06-activation-functions/).
