# %% [markdown]
# # 1. Why convolutions
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
# A 512 × 512 grey image is 262,144 numbers. The blog this site follows writes
# 252,144 here; that is a slip of one digit, as the multiplication above shows.
# Now connect the image to a modest hidden layer of 1,000 units. A fully
# connected layer has one weight per
# (input, unit) pair plus one bias per unit, $n_\text{out}(n_\text{in} + 1)$
# parameters. A convolution with 64 kernels of size 3 × 3 has
# $c_\text{out}(c_\text{in} k^2 + 1)$, and — this is the point — the image size
# does not appear in that formula. `cnnguide.ops` has both counts:

# %%
from cnnguide.ops import conv_param_count, dense_param_count

fc = dense_param_count(512 * 512, 1000)
conv = conv_param_count(in_channels=1, out_channels=64, kernel_size=3)
print(f"fully connected, 262,144 -> 1,000: {fc:>13,} parameters")
print(f"  as float32: {fc * 4 / 2**30:.2f} GiB")
print(f"3x3 convolution, 1 -> 64 channels: {conv:>13,} parameters")
print(f"ratio: {fc / conv:,.0f} to 1")
print(f"colour image -> 1,000 units: {dense_param_count(colour, 1000):,} parameters")

# %% [markdown]
# A single dense layer on a 512 × 512 image needs about a gigabyte of weights
# before the network has learned anything. The convolution needs 640 numbers,
# whatever the image size. The figure draws both counts as the image grows.
# Mind the logarithmic axis: each grid line is ten times the one below, so the
# dense layer's straight line climbs by a factor of four every time the side
# doubles (four times the pixels), while the convolution's line stays flat.

# %%
from cnnguide.figures import parameter_growth

parameter_growth(
    image_sizes=(28, 64, 128, 256, 512, 1024), hidden_units=1000, out_channels=64
)

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
# image p is all zeros but for a single 1 at pixel p
one_pixel_images = torch.eye(64).reshape(64, 1, 8, 8)
# column p of M is the response to pixel p
M = conv2d(one_pixel_images, kernel).reshape(64, -1).T

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
# amount: a convolution is **shift-equivariant**. Two fine prints: this holds
# for a stride of 1 (a stride-2 layer only follows shifts by an even number of
# pixels — exercise 3), and only away from the borders, where the zero padding
# of [chapter 3](../03-padding-and-stride/) does not move with the image. A
# fully connected layer has no such property. Let's check both on a small
# image with a bright square far from the borders, using a vertical-edge
# kernel for the convolution and a random dense layer of the same input and
# output size.

# %%
import torch
from torch import nn

from cnnguide.ops import conv2d

image = torch.zeros(1, 1, 16, 16)
image[0, 0, 3:7, 2:6] = 1.0  # a bright 4x4 square, away from the borders
# the same square, 5 down and 6 right
shifted = torch.roll(image, shifts=(5, 6), dims=(2, 3))

edges = torch.tensor([[[[1.0, 0.0, -1.0]] * 3]])  # responds to left/right edges
out, out_shifted = conv2d(image, edges, padding=1), conv2d(shifted, edges, padding=1)
gap = (torch.roll(out, shifts=(5, 6), dims=(2, 3)) - out_shifted).abs().max()
print(f"convolution: max |shift(conv(x)) - conv(shift(x))| = {gap:.1e}")

torch.manual_seed(0)
dense = nn.Linear(256, 256)
d_out, d_shifted = dense(image.flatten()), dense(shifted.flatten())
moved = torch.roll(d_out.reshape(16, 16), (5, 6), (0, 1))
gap = (moved - d_shifted.reshape(16, 16)).abs().max()
print(f"dense layer: max |shift(dense(x)) - dense(shift(x))| = {gap:.2f}")

# %% [markdown]
# The first line measures how far the convolution's response to the shifted
# square is from the shifted response; the second does the same for the dense
# layer, whose response to the shifted square is unrelated to its response to
# the original. The grid shows the image, its shift, and the edge map of each
# (dark = left edge, bright = right edge): the two edge maps are the same
# pattern, moved by the same 5 rows and 6 columns as the square.

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
# all. Pooling ([chapter 7](../07-pooling/)) tolerates small shifts locally.
# Global average pooling ([chapter 8](../08-feature-maps-to-classes/)) goes
# further: it averages each channel of the *last* feature map, so the final
# vote does not depend on where in that map a feature fired. That still falls
# short of invariance to shifts of the *image*: the layers below it are only
# approximately shift-equivariant — strides follow only some shifts, and
# borders are treated differently — so moving an image by a pixel can change
# a real network's prediction (Azulay & Weiss, 2019; Zhang, 2019).
#
# The blog claims that a CNN recognises an image just as well after it is
# rotated or flipped. As a property of the operator, that is wrong. A
# convolution is *not* rotation-equivariant in general — a kernel tuned to
# vertical edges does not respond to horizontal ones. Rotate the square and
# compare the edge map of the rotated image with the rotated edge map:

# %%
rotated = torch.rot90(image, 1, dims=(2, 3))
out_rotated = conv2d(rotated, edges, padding=1)
gap = (torch.rot90(out, 1, dims=(2, 3)) - out_rotated).abs().max()
print(f"max |rot(conv(x)) - conv(rot(x))| = {gap:.1f}")

# %% [markdown]
# The printed difference is far from zero: the rotated image's edge map marks
# the vertical edges of the rotated square, while the rotated edge map marks
# what were vertical edges and are now horizontal ones. Robustness to
# rotations, scale changes and lighting is something a CNN *learns*, from many
# kernels and from training images that show objects in many poses (data
# augmentation); it is not built into the operator.
#
# ## The road ahead
#
# The rest of the fundamentals builds the convolutional layer piece by piece, each
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
# - Weight sharing makes convolutions **shift-equivariant** (stride 1, away
#   from the borders): move the object, and its features move with it.
#   Pooling adds local tolerance and global average pooling makes the last
#   step ignore position, but a whole network is only approximately
#   shift-invariant; robustness to rotation is learned from data.
#
# ## References
#
# - Azulay, A. & Weiss, Y. (2019). Why do deep convolutional networks
#   generalize so poorly to small image transformations? *Journal of Machine
#   Learning Research*, 20(184), 1–25.
# - Zhang, R. (2019). Making convolutional networks shift-invariant again.
#   *Proceedings of the 36th International Conference on Machine Learning
#   (ICML)*, PMLR 97, 7324–7334.

# %% [markdown]
# ## Exercises
#
# 1. A 224 × 224 colour image (the usual ImageNet size) goes into a fully
#    connected layer of 4,096 units. Use `cnnguide.ops.dense_param_count` to
#    count that layer's parameters, and `conv_param_count` for a 3 × 3
#    convolution from the 3 colour channels to 64 channels.
#
#     <details><summary>Answer</summary>
#
#     `dense_param_count(224 * 224 * 3, 4096)` is 616,566,784: each of the
#     4,096 units has 150,528 weights and a bias. `conv_param_count(3, 64, 3)`
#     is 1,792, and it stays 1,792 for an image of any size.
#
#     </details>
#
# 2. Build the matrix of a 3 × 3 convolution on a 10 × 10 image the way the
#    chapter did for 8 × 8 (push `torch.eye(100)` through `conv2d`). What is
#    its shape, how many of its entries are nonzero, and how many distinct
#    values do they take?
#
#     <details><summary>Answer</summary>
#
#     The output is 8 × 8 (`conv_output_size(10, 3)` is 8), so the matrix is
#     64 × 100, with 6,400 entries. Each of the 64 rows has a nonzero entry
#     for each of the 9 pixels of its window: 576 nonzero entries, taking
#     only the 9 values of the kernel.
#
#     </details>
#
# 3. Repeat the shift test with a stride: `conv2d(image, edges, padding=1,
#    stride=2)`. Shift the square by 2 pixels down and right, then by 1. In
#    which case is the output of the shifted image a shifted copy of the
#    original output?
#
#     <details><summary>Answer</summary>
#
#     Shifting the image by 2 pixels shifts the output by exactly 1 cell: the
#     largest difference is 0. Shifting it by 1 pixel gives no shifted copy
#     at all, because the stride-2 windows now sample the square at other
#     places. A layer with stride $s$ is equivariant only to shifts by
#     multiples of $s$.
#
#     </details>
#
# 4. Find a 3 × 3 kernel for which the chapter's rotation test prints 0.
#
#     <details><summary>Answer</summary>
#
#     Any kernel that a 90° rotation leaves unchanged, such as the box of
#     nine ones or the Laplacian with rows (0, 1, 0), (1, −4, 1), (0, 1, 0):
#     on a square image with the same padding on every side, rotating the
#     input then rotates the output. Such a kernel treats vertical and
#     horizontal edges alike; it cannot tell them apart.
#
#     </details>
