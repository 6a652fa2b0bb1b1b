# %% [markdown]
# # Why convolutions
#
# Before convolutional networks, feeding a picture to a neural network meant
# treating it like any other vector of numbers: flatten the pixels and connect
# every one of them to every unit of the next layer. Images break that recipe
# in two ways.
#
# 1. **Size.** Even a modest picture has hundreds of thousands of numbers, and
#    a fully connected layer pays one weight per input *per unit*.
# 2. **Invariance.** A cat is a cat whether it sits in the top-left corner or
#    the bottom-right. A fully connected layer has no idea that two pixels are
#    neighbours, nor that the same pattern can appear anywhere; it would have
#    to learn the cat separately at every position.
#
# This chapter measures both problems with code, and shows the two ideas that
# solve them: **local connections** and **shared weights**. Every number below
# is computed when the page is built.
#
# ## Problem 1: images are big

# %%
grey = 512 * 512  # one grey channel
colour = 1024 * 1024 * 3  # red, green and blue channels
print(f"512 x 512 grey image:      {grey:>9,} inputs")
print(f"1024 x 1024 colour image:  {colour:>9,} inputs")

# %% [markdown]
# A 512 × 512 grey image is 262,144 numbers (a figure sometimes misquoted as
# 252,144 — the multiplication above is the check). Now connect it to a modest
# hidden layer of 1,000 units. A fully connected layer has one weight per
# (input, unit) pair plus one bias per unit, $n_\text{out}(n_\text{in} + 1)$
# parameters. A convolution with 64 kernels of size 3 × 3 has
# $c_\text{out}(c_\text{in} k^2 + 1)$, and — this is the point — the image size
# does not appear in that formula. `cnnguide.ops` has both counts:

# %%
from cnnguide.ops import conv_param_count, dense_param_count

fc = dense_param_count(512 * 512, 1000)
conv = conv_param_count(in_channels=1, out_channels=64, kernel_size=3)
print(f"fully connected, 262,144 -> 1,000: {fc:>13,} parameters ({fc * 4 / 2**30:.2f} GiB as float32)")
print(f"3x3 convolution, 1 -> 64 channels: {conv:>13,} parameters")
print(f"ratio: {fc / conv:,.0f} to 1")
print(f"the colour image into the same dense layer: {dense_param_count(colour, 1000):,} parameters")

# %% [markdown]
# A single dense layer on a 512 × 512 image needs about a gigabyte of weights
# before the network has learned anything. The convolution needs 640 numbers,
# whatever the image size. The figure draws both counts as the image grows
# (note the logarithmic axis: each grid line is ten times the one below).

# %%
from cnnguide.figures import parameter_growth

parameter_growth(image_sizes=(28, 64, 128, 256, 512, 1024), hidden_units=1000, out_channels=64)

# %% [markdown]
# ## Where the saving comes from
#
# A convolution *is* a linear layer — a very particular one. Take an 8 × 8
# image and one 3 × 3 kernel: the output is 6 × 6 (the next chapters explain
# why). Any linear map from 64 inputs to 36 outputs is a 36 × 64 matrix, so we
# can recover the convolution's matrix by pushing the 64 one-pixel images
# through it, one column each:

# %%
import torch

from cnnguide.ops import conv2d, conv_output_size

torch.manual_seed(0)
kernel = torch.randn(1, 1, 3, 3)
one_pixel_images = torch.eye(64).reshape(64, 1, 8, 8)  # image p has a single 1 at pixel p
M = conv2d(one_pixel_images, kernel).reshape(64, -1).T  # column p = response to pixel p

side = conv_output_size(8, kernel_size=3)
print("output side:", side, "| matrix shape:", tuple(M.shape))
print("entries a dense layer would learn:      ", M.numel())
print("nonzero entries (local connections):    ", int((M != 0).sum()))
print("distinct nonzero values (shared weights):", torch.unique(M[M != 0]).numel())

# %% [markdown]
# Two things shrink the count from 2,304 to 9:
#
# - **Local connections.** Each output unit looks at a 3 × 3 window, not the
#   whole image: 9 of its 64 possible weights are nonzero, so the matrix has
#   $36 \times 9 = 324$ nonzero entries. Nearby pixels are strongly related and
#   distant ones much less, so little is lost.
# - **Weight sharing.** Every window uses the *same* nine weights — the kernel
#   — so those 324 entries take only 9 distinct values. A feature detector
#   that is useful in one place is useful everywhere.
#
# ## Problem 2: the same object in a different place
#
# Weight sharing also answers the second problem. Because the same kernel
# slides over every position, shifting the input shifts the output by the same
# amount: a convolution is **shift-equivariant**. A fully connected layer has
# no such property. Let's check both on a small image with a bright square,
# using a vertical-edge kernel for the convolution and a random dense layer of
# the same input and output size.

# %%
import torch
from torch import nn

from cnnguide.ops import conv2d

image = torch.zeros(1, 1, 16, 16)
image[0, 0, 3:7, 2:6] = 1.0  # a bright 4x4 square, away from the borders
shifted = torch.roll(image, shifts=(5, 6), dims=(2, 3))  # the same square, 5 down and 6 right

edges = torch.tensor([[[[1.0, 0.0, -1.0]] * 3]])  # responds to left/right edges
out, out_shifted = conv2d(image, edges, padding=1), conv2d(shifted, edges, padding=1)
gap = (torch.roll(out, shifts=(5, 6), dims=(2, 3)) - out_shifted).abs().max()
print(f"convolution: max |shift(conv(x)) - conv(shift(x))| = {gap:.1e}")

torch.manual_seed(0)
dense = nn.Linear(256, 256)
d_out, d_shifted = dense(image.flatten()), dense(shifted.flatten())
gap = (torch.roll(d_out.reshape(16, 16), (5, 6), (0, 1)) - d_shifted.reshape(16, 16)).abs().max()
print(f"dense layer: max |shift(dense(x)) - dense(shift(x))| = {gap:.2f}")

# %% [markdown]
# The convolution's response moved with the square, exactly; the dense layer's
# response to the shifted square is unrelated to its response to the original.
# The grid shows the image, its shift, and the edge map of each (dark =
# left edge, bright = right edge):

# %%
from cnnguide.figures import feature_map_grid

maps = torch.cat([image, shifted, out, out_shifted], dim=1)[0]
feature_map_grid(
    maps,
    title="The edge map moves with the object",
    labels=["image", "shifted image", "conv(image)", "conv(shifted image)"],
)

# %% [markdown]
# Equivariance is not yet invariance: the edge map *moved*, it did not stay
# put. A classifier wants an answer that does not depend on the position at
# all; pooling ([chapter 7](../07-pooling/)) buys a little of that locally, and
# global average pooling ([chapter 8](../08-feature-maps-to-classes/)) buys all
# of it.
#
# Rotation is a different story. A convolution is *not* rotation-equivariant
# in general — a kernel tuned to vertical edges does not respond to horizontal
# ones:

# %%
rotated = torch.rot90(image, 1, dims=(2, 3))
out_rotated = conv2d(rotated, edges, padding=1)
gap = (torch.rot90(out, 1, dims=(2, 3)) - out_rotated).abs().max()
print(f"max |rot(conv(x)) - conv(rot(x))| = {gap:.1f}")

# %% [markdown]
# Robustness to rotations, scale changes and lighting is something a CNN
# *learns*, from many kernels and from training images that show objects in
# many poses (data augmentation); it is not built into the operator.
#
# ## The road ahead
#
# The rest of Part 1 builds the convolutional layer piece by piece, each
# operator written from scratch in `cnnguide.ops` and tested against PyTorch:
#
# - [Cross-correlation](../02-cross-correlation/): the sliding window that deep
#   learning calls convolution;
# - [Padding and stride](../03-padding-and-stride/): controlling the output size;
# - [Channels](../04-channels/): colour images and many kernels at once;
# - [1 × 1 convolutions](../05-one-by-one-convolution/): mixing channels pixel by pixel;
# - [Activation functions](../06-activation-functions/): why a stack of convolutions needs a non-linearity;
# - [Pooling](../07-pooling/): downsampling and local invariance;
# - [From feature maps to classes](../08-feature-maps-to-classes/): flattening vs global average pooling;
# - [Receptive field](../09-receptive-field/): how much of the image one unit sees.
#
# ## What to remember
#
# - A 512 × 512 grey image is 262,144 inputs; a 1024 × 1024 colour image is
#   3,145,728. A fully connected layer on them costs hundreds of millions to
#   billions of weights.
# - A convolution's parameter count, $c_\text{out}(c_\text{in} k^2 + 1)$, does
#   not depend on the image size.
# - A convolution is a linear layer whose matrix is mostly zeros (**local
#   connections**) and whose nonzero entries repeat the same few kernel values
#   (**weight sharing**).
# - Weight sharing makes convolutions **shift-equivariant**: move the object,
#   and its features move with it. Invariance to position comes later from
#   pooling; robustness to rotation is learned from data.
