# %% [markdown]
# # 5. 1 × 1 convolution
#
# A convolution is supposed to combine *neighbouring* pixels, so a 1 × 1
# kernel sounds useless: its window is a single pixel. But with several
# channels ([chapter 4](../04-channels/)) a 1 × 1 kernel still does something
# important. It loses the view of neighbours, yet keeps the sum over channels:
# each output pixel becomes a weighted combination of the input's channels **at
# that same pixel**. Lin, Chen and Yan's *Network In Network* (2013) made it a
# layer of its own: their "mlpconv" layer runs a small multilayer perceptron
# over every pixel's channels, which is a stack of 1 × 1 convolutions with
# activations in between. GoogLeNet and the deeper ResNets (50 layers and
# more) use it in every block, DenseNet in every transition layer, to mix
# channels and, above all, to change their number cheaply.
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
# weight matrix: the three highlighted input values, one per channel, times
# each row of weights give the two highlighted outputs.

# %%
import torch

from cnnguide.figures import one_by_one_figure

X = torch.arange(27.0).reshape(3, 3, 3)  # 3 channels of 3 x 3
# 2 output channels, each a weighted sum of the 3 input channels
K = torch.tensor([[1.0, 0.0, -1.0], [1.0, 2.0, 1.0]]).reshape(2, 3, 1, 1)
one_by_one_figure(X, K, position=(1, 2))

# %% [markdown]
# ## It is one matrix product
#
# Line the $H \cdot W$ pixels up as the columns of a $C \times HW$ matrix. The
# layer is then a single product, $(O \times C) \cdot (C \times HW)$: a fully
# connected layer applied to every pixel with the same weights.
# `corr2d_multi_in_out_1x1` computes it that way, with two reshapes around
# one `@`:

# %%
from cnnguide.figures import show_source
from cnnguide.ops import corr2d_multi_in_out_1x1

show_source(corr2d_multi_in_out_1x1, docstring=False)

# %% [markdown]
# It must agree with the general sliding-window `corr2d_multi_in_out`, with a
# per-pixel `nn.Linear`, and with PyTorch's `nn.Conv2d(kernel_size=1)`:

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
others = {
    "corr2d_multi_in_out": corr2d_multi_in_out(X, K),
    "nn.Conv2d(kernel_size=1)": by_conv,
    "nn.Linear per pixel": by_linear,
}
for name, other in others.items():
    gap = (Y - other).abs().max().item()
    print(f"matrix product vs {name:<25} max difference {gap:.1e}")

# %% [markdown]
# The three differences are zero or at the level of float32 rounding. As a
# plain matrix product, a 1 × 1 layer needs none of the window gathering of a
# larger kernel: the input, viewed as $C \times HW$, already is the matrix.
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
print(f"bottleneck total:              {total:>8,} parameters")
print(f"{direct / total:.1f} times fewer")

# %% [markdown]
# The three-layer bottleneck maps 256 channels to 256 channels with a 3 × 3
# view, like the direct layer, for about an eighth of the parameters — and of
# the work, since every weight is used once per output pixel. This is the
# block of the deeper ResNets ([chapter 13](../13-resnet/)). GoogLeNet
# ([chapter 14](../14-googlenet/)) uses the same trick before its 3 × 3 and
# 5 × 5 branches. `cnnguide.summary.summarize` counts the work as
# multiply-accumulates (MACs): one multiplication and one addition per weight
# and output pixel, biases not counted. (A MAC is two floating-point
# operations, so FLOPs are twice these numbers.) The layers are built on
# PyTorch's `meta` device, which propagates shapes without computing, on a
# 56 × 56 feature map:

# %%
import torch
from torch import nn

from cnnguide.summary import summarize

with torch.device("meta"):
    direct_layer = nn.Conv2d(256, 256, 3, padding=1)
    bottleneck_layers = nn.Sequential(
        nn.Conv2d(256, 64, 1), nn.ReLU(),
        nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(),
        nn.Conv2d(64, 256, 1),
    )
for name, net in [("direct", direct_layer), ("bottleneck", bottleneck_layers)]:
    macs = summarize(net, (1, 256, 56, 56), device="meta").macs
    print(f"{name:<10}  {macs / 1e6:>5,.0f} million MACs per image")

# %% [markdown]
# The price is capacity: the 3 × 3 layer in the middle sees only 64 channels.
# He et al. (2016) took that price for their 50-, 101- and 152-layer ResNets
# to keep training time affordable, and the deeper bottleneck networks were
# more accurate than their shallower ones. Extra non-linearities between the
# layers ([chapter 6](../06-activation-functions/)) make the bottleneck more
# than one linear map in disguise (exercise 4 shows what happens without
# them).
#
# ## What to remember
#
# - A 1 × 1 convolution is a fully connected layer across channels, applied
#   at every pixel with shared weights; it keeps height and width.
# - It is one matrix product, $(O \times C)\cdot(C \times HW)$, and equals
#   `nn.Conv2d(C, O, kernel_size=1)` and a per-pixel `nn.Linear(C, O)`.
# - It changes the channel count cheaply: a 256 → 64 → 256 bottleneck around
#   a 3 × 3 layer costs about 8 times fewer parameters, and MACs, than a
#   direct 3 × 3 layer on 256 channels.
# - Network In Network (Lin, Chen & Yan, 2013) introduced it as a layer.
#
# Previous: [channels](../04-channels/). Next:
# [activation functions](../06-activation-functions/).
#
# ## References
#
# - He, K., Zhang, X., Ren, S. & Sun, J. (2016). Deep residual learning for
#   image recognition. *Proceedings of the IEEE Conference on Computer Vision
#   and Pattern Recognition (CVPR)*, 770–778.
# - Lin, M., Chen, Q. & Yan, S. (2013). Network in network.
#   arXiv:1312.4400; published at ICLR 2014.

# %% [markdown]
# ## Exercises
#
# 1. How many parameters does a 1 × 1 convolution from 512 to 128 channels
#    have, with biases (`conv_param_count`)?
#
#     <details><summary>Answer</summary>
#
#     $128 \cdot (512 + 1)$ = 65,664: the same as `nn.Linear(512, 128)`,
#     which is what it applies at every pixel.
#
#     </details>
#
# 2. Redo the bottleneck count for 512 channels squeezed to 128: 1 × 1
#    from 512 to 128, 3 × 3 from 128 to 128, 1 × 1 from 128 to 512, against
#    one 3 × 3 convolution from 512 to 512.
#
#     <details><summary>Answer</summary>
#
#     The bottleneck has 65,664 + 147,584 + 66,048 = 279,296 parameters, the
#     direct layer 2,359,808: about 8.4 times more.
#
#     </details>
#
# 3. A GoogLeNet branch turns a 192 × 28 × 28 map into 32 channels with a
#    5 × 5 convolution (padding 2). Count its multiply-accumulates with
#    `summarize`, directly and with a 1 × 1 reduction to 16 channels first.
#
#     <details><summary>Answer</summary>
#
#     Directly: $28 \cdot 28 \cdot 32 \cdot 192 \cdot 25$ = 120,422,400 MACs.
#     With the reduction: 2,408,448 for the 1 × 1 layer plus 10,035,200 for
#     the 5 × 5 one, 12,443,648 in all, about a tenth.
#
#     </details>
#
# 4. Stack two 1 × 1 convolutions without an activation between them, from
#    8 channels to 2 and back to 8. Which single layer computes the same, and
#    what is the rank of its $8 \times 8$ weight matrix?
#
#     <details><summary>Answer</summary>
#
#     One 1 × 1 convolution whose matrix is the product $W_2 W_1$ of the two
#     weight matrices ($8 \times 2$ times $2 \times 8$). Its rank is at most
#     2 (`torch.linalg.matrix_rank` gives 2 for random weights): the pair can
#     only pass 2 independent combinations of the channels, whatever the
#     output count.
#
#     </details>
