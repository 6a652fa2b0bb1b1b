# %% [markdown]
# # 4. Channels, weight sharing and sparse connectivity
#
# So far inputs were single grids of numbers. A colour image has three: red,
# green and blue **channels**. And a layer that could detect only one pattern
# would be poor, so real layers compute many output channels at once, one per
# pattern. This chapter extends cross-correlation to both, counts the
# parameters of a real layer, and then makes the two properties that give
# convolutions their economy — **sparse connectivity** and **weight sharing** —
# visible with autograd.
#
# ## Several input channels
#
# With $C$ input channels the kernel gets $C$ slices too, one per channel.
# Each channel is cross-correlated with its own slice, and the $C$ results are
# **added** into a single output grid:
#
# $$Y = \sum_{c=0}^{C-1} X_c \star K_c.$$
#
# `corr2d_multi_in` does exactly that; its code, after the checks, is one
# line:

# %%
from cnnguide.figures import show_source
from cnnguide.ops import corr2d_multi_in

show_source(corr2d_multi_in, docstring=False)

# %% [markdown]
# Two 3 × 3 channels and a 2 × 2 × 2 kernel; the figure below draws the same
# sums, with the top-left output of each channel and their sum highlighted:

# %%
import torch

from cnnguide.ops import corr2d, corr2d_multi_in

X = torch.stack([torch.arange(9.0), torch.arange(1.0, 10.0)]).reshape(2, 3, 3)
K = torch.stack([torch.arange(4.0), torch.arange(1.0, 5.0)]).reshape(2, 2, 2)
print("channel 0:", corr2d(X[0], K[0]).tolist())
print("channel 1:", corr2d(X[1], K[1]).tolist())
print("sum:      ", corr2d_multi_in(X, K).tolist())

# %%
from cnnguide.figures import multi_in_channel_figure

multi_in_channel_figure(X, K)

# %% [markdown]
# However many input channels there are, one kernel produces **one** output
# channel: the channels are fused by the sum.
#
# ## Several output channels
#
# To get $O$ output channels, use $O$ such kernels, each of shape
# $C \times k_h \times k_w$, and stack their results. The weights of the layer
# form one tensor of shape $(O, C, k_h, k_w)$. `corr2d_multi_in_out` is one
# `corr2d_multi_in` per kernel, stacked:

# %%
from cnnguide.ops import corr2d_multi_in_out

show_source(corr2d_multi_in_out, docstring=False)

# %% [markdown]
# Here three kernels, `K`, `K + 1` and `K + 2`, give three output channels:

# %%
K3 = torch.stack([K, K + 1, K + 2])
Y3 = corr2d_multi_in_out(X, K3)
print("weights:", tuple(K3.shape), "-> output:", tuple(Y3.shape))

# %%
from cnnguide.figures import multi_out_channel_figure

multi_out_channel_figure(X, K3)

# %% [markdown]
# This is the whole computation of a convolutional layer (plus one bias per
# output channel). The fast `conv2d` of `cnnguide.ops` and PyTorch's own
# `F.conv2d` agree with the loop:

# %%
import torch.nn.functional as F

from cnnguide.ops import conv2d

batched = X.unsqueeze(0)  # a batch of one: (1, C, H, W)
print("conv2d == corr2d_multi_in_out:", torch.allclose(conv2d(batched, K3)[0], Y3))
print("F.conv2d == corr2d_multi_in_out:", torch.allclose(F.conv2d(batched, K3)[0], Y3))

# %% [markdown]
# ## A real layer: a 3 × 8 × 8 image in, five 3 × 3 kernels
#
# First, the order in which shapes are written. The blog writes a batch of
# images as (samples, height, width, channels), as TensorFlow and image files
# do, so an 8 × 8 colour image is "8 × 8 × 3" there. PyTorch puts the
# channels first: (N, C, H, W), batch, channels, height, width. The same image
# is a tensor of shape (3, 8, 8), or (1, 3, 8, 8) as a batch of one, and this
# book writes every shape in that order, as the code prints it.
#
# Take that image and a layer with five output channels, 3 × 3 kernels,
# stride 1 and no padding. Each of the five kernels has shape (3, 3, 3), one
# 3 × 3 slice per colour channel, and its own bias:

# %%
from torch import nn

torch.manual_seed(0)
layer = nn.Conv2d(in_channels=3, out_channels=5, kernel_size=3)
image = torch.randn(1, 3, 8, 8)
out = layer(image)
print("input: ", tuple(image.shape), "  output:", tuple(out.shape))
print("weight:", tuple(layer.weight.shape), "  bias:", tuple(layer.bias.shape))
print("parameters:", sum(p.numel() for p in layer.parameters()))

# %% [markdown]
# The output has shape (1, 5, 6, 6): five channels of 6 × 6. The layer has
# $3 \cdot 3 \cdot 3 \cdot 5 + 5 = 140$
# parameters: 135 weights and 5 biases. `conv_param_count` gives the same
# count from the shapes alone. What would a fully connected layer need to map
# the same 8 · 8 · 3 = 192 inputs to the same 6 · 6 · 5 = 180 outputs?

# %%
from cnnguide.ops import conv_param_count, dense_param_count

conv = conv_param_count(in_channels=3, out_channels=5, kernel_size=3)
dense = dense_param_count(8 * 8 * 3, 6 * 6 * 5)
print(f"convolution:     {conv:>6,} parameters")
print(f"fully connected: {dense:>6,} parameters  (192 x 180 weights + 180 biases)")
print(f"ratio: {dense / conv:.0f} to 1")
print(f"the blog's 8x8x3x3x3x3x5: {8 * 8 * 3 * 3 * 3 * 3 * 5:,}")

# %% [markdown]
# The dense layer needs 34,740 parameters, about 248 times as many, for the
# same input and output shapes — and the gap grows with the image, because the
# convolution's count does not depend on the image size at all.
#
# The blog makes the same comparison. Its count for the convolution,
# $3 \times 3 \times 3 \times 5 + 5$, is right. Its dense side is not. It
# contrasts the layer with "8x8x3x3x3x3x5" weights, a product that counts
# nothing (last line above); the dense layer between the same shapes has the
# 192 × 180 weights and 180 biases printed above. And for one 3 × 3 kernel
# slice on one 8 × 8 channel it gives the dense equivalent as a 9 × 81
# weight matrix, where the map from 64 inputs to 36 outputs is a 36 × 64
# matrix ([chapter 1](../01-why-convolutions/) builds it).
#
# Two properties explain the difference.
#
# ## Sparse connectivity: each output sees 27 inputs
#
# A fully connected output depends on all 192 inputs. A convolution output
# depends only on the 3 × 3 window under the kernel, in each of the 3
# channels: 27 inputs. Autograd can show it: the gradient of one output with
# respect to the input is nonzero exactly where that output looks.

# %%
image = torch.randn(1, 3, 8, 8, requires_grad=True)
out = layer(image)
out[0, 0, 2, 3].backward()  # output channel 0, row 2, column 3
touched = image.grad[0] != 0
print("inputs that affect this output:", int(touched.sum()), "of", image[0].numel())
print("rows:", touched.any(dim=(0, 2)).nonzero().flatten().tolist(),
      " columns:", touched.any(dim=(0, 1)).nonzero().flatten().tolist(),
      " channels:", touched.any(dim=(1, 2)).nonzero().flatten().tolist())
print(touched[0].int())  # channel 0: the 3x3 window at row 2, column 3

# %% [markdown]
# The 27 inputs are rows 2–4 and columns 3–5 of every channel: the window of
# output (2, 3). Neighbouring pixels are strongly related and distant ones
# much less, so looking locally loses little — and deeper layers widen the
# view ([chapter 9](../09-receptive-field/)).
#
# ## Weight sharing: the same 27 weights everywhere
#
# Every position of output channel 0 is computed with the **same** 3 × 3 × 3
# kernel and the same bias. We can recompute all 36 outputs of that channel
# by hand, each from its own window and the one shared kernel:

# %%
w, b = layer.weight[0], layer.bias[0]  # the one kernel of output channel 0: (3, 3, 3)
x = image[0].detach()
by_hand = torch.stack([
    torch.stack([(x[:, i : i + 3, j : j + 3] * w).sum() + b for j in range(6)])
    for i in range(6)
])
difference = (by_hand - layer(x.unsqueeze(0))[0, 0]).abs().max().item()
print(f"largest difference from the layer: {difference:.1e}  (float32 rounding)")

# %% [markdown]
# Sharing shows in the gradients too. Each kernel weight is used at all 36
# positions, so its gradient collects a contribution from each: the gradient
# of the sum of channel 0's outputs with respect to its kernel is the sum of
# the 36 windows.

# %%
layer.zero_grad()
layer(x.unsqueeze(0))[0, 0].sum().backward()
window_sum = sum(x[:, i : i + 3, j : j + 3] for i in range(6) for j in range(6))
same = torch.allclose(layer.weight.grad[0], window_sum, atol=1e-5)
print("kernel gradient == sum of the 36 windows:", same)

# %% [markdown]
# For a single channel, a dense map from 64 inputs to 36 outputs would have
# $36 \times 64 = 2304$ independent weights; in the convolution's matrix each
# row has only 9 nonzero entries, and every row uses the same 9 kernel
# values ([chapter 1](../01-why-convolutions/) builds the matrix explicitly).
#
# Sharing is also why one output channel is called a **feature map**: all its
# units detect the same pattern, each at its own position, so the map says
# *where* the pattern occurs. Different output channels learn different
# patterns — which is why networks use many.
#
# ## What to remember
#
# - With $C$ input channels a kernel has shape $C \times k_h \times k_w$; the
#   per-channel correlations are summed into one output channel.
# - $O$ output channels need $O$ kernels: weights of shape $(O, C, k_h, k_w)$
#   plus $O$ biases, i.e. $O(Ck_hk_w + 1)$ parameters.
# - Shapes are (N, C, H, W) in PyTorch (the blog, like TensorFlow, writes
#   height × width × channels). (1, 3, 8, 8) → (1, 5, 6, 6) with 3 × 3
#   kernels costs 140 parameters; a fully connected layer between the same
#   shapes costs 34,740.
# - **Sparse connectivity**: each output depends on $Ck_hk_w$ inputs (27
#   here), not on all of them. **Weight sharing**: the same kernel is used at
#   every position.
#
# Previous: [padding and stride](../03-padding-and-stride/). Next:
# [1 × 1 convolutions](../05-one-by-one-convolution/), the case $k_h = k_w = 1$.

# %% [markdown]
# ## Exercises
#
# 1. A layer maps 64 channels to 128 with 3 × 3 kernels. What shape is its
#    weight tensor, and how many parameters does it have
#    (`conv_param_count`)?
#
#     <details><summary>Answer</summary>
#
#     The weights have shape (128, 64, 3, 3): 128 kernels, each with one
#     3 × 3 slice per input channel. With the 128 biases that makes
#     $128 \cdot (64 \cdot 9 + 1)$ = 73,856 parameters.
#
#     </details>
#
# 2. With padding 1, that layer turns a (64, 32, 32) map into a
#    (128, 32, 32) one. How many parameters would a fully connected layer
#    between the same shapes have (`dense_param_count`)?
#
#     <details><summary>Answer</summary>
#
#     `dense_param_count(32 * 32 * 64, 32 * 32 * 128)` is 8,590,065,664:
#     65,536 inputs times 131,072 outputs, plus 131,072 biases. That is more
#     than a hundred thousand times the convolution's count, and over 32 GB
#     as float32.
#
#     </details>
#
# 3. How many input values can one output of that 64 → 128 layer depend on?
#    Check with autograd as the chapter did, on a small input such as
#    `torch.randn(1, 64, 5, 5)`.
#
#     <details><summary>Answer</summary>
#
#     $C k_h k_w = 64 \cdot 3 \cdot 3 = 576$: a 3 × 3 window in each of the
#     64 channels. The gradient of an output away from the border is nonzero
#     at exactly 576 inputs, however large the input (fewer at the border,
#     where part of the window lies on the padding).
#
#     </details>
#
# 4. How many multiply-accumulates does the chapter's (3, 8, 8) → (5, 6, 6)
#    layer perform per image? Count by hand, then compare with
#    `cnnguide.summary.summarize(layer, (1, 3, 8, 8)).macs`.
#
#     <details><summary>Answer</summary>
#
#     Each of the $5 \cdot 6 \cdot 6 = 180$ outputs is a sum of 27 products:
#     4,860 multiply-accumulates, the number `summarize` reports (it does
#     not count the bias additions). As floating-point operations, counting
#     a multiplication and an addition as two, that is 9,720.
#
#     </details>
