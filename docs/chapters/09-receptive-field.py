# %% [markdown]
# # 9. Receptive field
#
# A unit of the first convolutional layer looks at a small window of the
# image — 3 × 3 pixels for a 3 × 3 kernel. A unit of the second layer looks at
# a 3 × 3 window of the *first layer's* output, and each of those units looked
# at its own 3 × 3 window of the image; together they cover 5 × 5 pixels. The
# **receptive field** of a unit is the region of the input that can influence
# its value. It grows with depth, and that growth is what lets a network go
# from edges (a few pixels) to textures, to parts, to whole objects.
#
# ## The recurrence
#
# Describe each layer, convolution or pooling, by its kernel size $k$ and
# stride $s$. Let $r_l$ be the receptive field after $l$ layers and $j_l$ the
# **jump**: how many input pixels apart two neighbouring units of layer $l$
# are. Start with one pixel, $r_0 = j_0 = 1$. Layer $l$ widens the field by
# $k_l - 1$ of its own input's units, each $j_{l-1}$ pixels apart, and its
# stride multiplies the jump:
#
# $$ r_l = r_{l-1} + (k_l - 1)\, j_{l-1}, \qquad j_l = j_{l-1}\, s_l. $$
#
# Padding does not appear: it shifts where the field sits, not its size.
# `cnnguide.ops.receptive_field` implements this for a list of
# `(kernel_size, stride)` pairs from the input up:

# %%
from cnnguide.ops import receptive_field

for depth in range(1, 6):
    field = receptive_field([(3, 1)] * depth)
    print(f"{depth} x (3x3 conv, stride 1): receptive field {field}")

# %% [markdown]
# With stride 1 every layer adds $k - 1 = 2$ pixels: the field after $d$
# layers is $2d + 1$. The figure shows, on the input grid, the pixels one
# unit sees after each of three such layers. The blue shading comes from
# autograd — the pixels where the unit's gradient is nonzero, darker where more
# paths through the network connect the pixel to the unit — and the red square
# is what `receptive_field` predicts.

# %%
from cnnguide.figures import receptive_field_growth

receptive_field_growth([(3, 1)] * 3)

# %% [markdown]
# Notice that the shading is not uniform: the centre pixels reach the unit
# through many more paths than the corners. The field's size is a hard limit;
# within it, the centre usually matters most. Luo et al. (2016) call the
# region of sizeable influence the *effective* receptive field, and show that
# it is roughly Gaussian and occupies only a fraction of the theoretical one.
#
# ## Why VGG stacks 3 × 3 kernels
#
# Two 3 × 3 layers see as far as one 5 × 5 layer, and three see as far as one
# 7 × 7. The stack is cheaper and puts a non-linearity between the layers.
# This is the argument of the VGG paper (Simonyan & Zisserman, 2015); the blog
# says only that experiments show 3 × 3 kernels to work better. With $C$
# channels in and out (here 64, no bias):

# %%
from cnnguide.ops import conv_param_count, receptive_field

C = 64
for n, k in [(2, 5), (3, 7)]:
    stack = n * conv_param_count(C, C, 3, bias=False)
    single = conv_param_count(C, C, k, bias=False)
    assert receptive_field([(3, 1)] * n) == receptive_field([(k, 1)]) == k
    print(f"{n} x 3x3: {stack:,} weights  vs  one {k}x{k}: {single:,} weights")

# %% [markdown]
# The assertion in the loop checks that each pair has the same field. Per
# pair of channels the stack costs $9n$ weights against $k^2$: 18 against 25,
# and 27 against 49. [VGG](../11-vgg/) builds its whole network from this
# observation.
#
# ## Strides multiply the reach
#
# A stride of 2 doubles the jump, so every layer *after* it grows the field
# twice as fast. ResNet's stem starts with a 7 × 7 convolution of stride 2 and
# a 3 × 3 max pooling of stride 2; on a 224 × 224 image the feature map is
# already down to 56 × 56:

# %%
import math

from cnnguide.ops import conv_output_size, receptive_field

stem = [(7, 2), (3, 2)]  # conv 7x7 stride 2, then max pool 3x3 stride 2
side = conv_output_size(224, 7, padding=3, stride=2)
side = conv_output_size(side, 3, padding=1, stride=2)
jump = math.prod(s for _, s in stem)
print(f"after the stem: {side}x{side} map, jump {jump} pixels")
print(f"receptive field: {receptive_field(stem)} pixels")
added = receptive_field(stem + [(3, 1)]) - receptive_field(stem)
print(f"each following 3x3 conv adds (3 - 1) * {jump} = {added} pixels")

# %%
from cnnguide.figures import receptive_field_growth

receptive_field_growth(
    [(7, 2), (3, 2)], labels=["conv 7×7, stride 2", "max pool 3×3, stride 2"]
)

# %% [markdown]
# One unit of the 7 × 7 convolution sees 7 × 7 pixels. The pooling's 3 × 3
# window spans three of those units, 2 pixels apart because of the stride, so
# one pooled unit sees $7 + (3 - 1) \cdot 2 = 11$ pixels across.

# %% [markdown]
# The chart compares three ways of stacking twelve layers: 3 × 3 convolutions
# with stride 1 only; VGG-style blocks of two 3 × 3 convolutions followed by a
# 2 × 2 pooling of stride 2; and ResNet's stem followed by 3 × 3
# convolutions. Each curve steepens after every stride: the ResNet line is
# steep from the start, the VGG-style line bends upward after each pooling, and
# the stride-1 line never bends. Downsampling early is what makes the field
# grow quickly.

# %%
from cnnguide.figures import receptive_field_vs_depth

receptive_field_vs_depth({
    "3×3, stride 1": [(3, 1)] * 12,
    "VGG-style: 2 × (3×3) then 2×2 pool /2": [(3, 1), (3, 1), (2, 2)] * 4,
    "ResNet stem, then 3×3": [(7, 2), (3, 2)] + [(3, 1)] * 10,
})

# %% [markdown]
# ## Checking one case with autograd
#
# The recurrence is easy to get wrong (off by one, or a jump applied one layer
# too early), so let's measure a receptive field directly. Build a small random
# network — a 7 × 7 convolution of stride 2, a 3 × 3 average pooling of
# stride 2 and two 3 × 3 convolutions, no padding — and take the gradient of
# one output unit with respect to the input. A pixel can influence the unit
# exactly when its gradient is nonzero.

# %%
import math

import torch
from torch import nn

from cnnguide.ops import receptive_field

layers = [(7, 2), (3, 2), (3, 1), (3, 1)]
torch.manual_seed(0)
net = nn.Sequential(
    nn.Conv2d(1, 4, 7, stride=2),
    nn.AvgPool2d(3, stride=2),
    nn.Conv2d(4, 4, 3),
    nn.Conv2d(4, 1, 3),
).double()

x = torch.randn(1, 1, 64, 64, dtype=torch.float64, requires_grad=True)
y = net(x)
y[0, 0, 2, 3].backward()  # one output unit: row 2, column 3

influence = x.grad[0, 0] != 0
rows = influence.any(dim=1).nonzero().flatten()
cols = influence.any(dim=0).nonzero().flatten()
height, width = len(rows), len(cols)
print("output map:", tuple(y.shape[2:]))
print(f"nonzero gradient: rows {rows.min()}..{rows.max()}, "
      f"columns {cols.min()}..{cols.max()} -> {height}x{width}")
box = influence[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
print("every pixel inside that box is nonzero:", bool(box.all()))
jump = math.prod(s for _, s in layers)
print(f"receptive_field: {receptive_field(layers)}")
print(f"expected top-left corner: ({2 * jump}, {3 * jump})")

# %% [markdown]
# The gradient is nonzero on exactly an $r \times r$ square, where $r$ is what
# the recurrence predicts, and the square starts at row $2j$ and column $3j$ —
# unit $(u, v)$'s window begins $j$ pixels further for each step. (With max
# pooling instead of average pooling, the gradient of the unit would only
# reach the pixels whose values won their pooling windows; the receptive field
# is the set of pixels that *could* influence the unit, which is the same
# square.)
#
# ## Deeper layers see more
#
# A whole network's field is the field of its farthest-reaching path. Walking through
# torchvision's ResNet-18 (weights are not needed, only the layer shapes) and
# keeping the convolutions and poolings of the main path — the 1 × 1
# shortcut convolutions add no reach:

# %%
from torch import nn
from torchvision.models import resnet18

from cnnguide.ops import receptive_field


def first(v):
    return v[0] if isinstance(v, tuple) else v


path = [
    (first(m.kernel_size), first(m.stride))
    for m in resnet18().modules()
    if isinstance(m, (nn.Conv2d, nn.MaxPool2d)) and first(m.kernel_size) > 1
]
print(f"{len(path)} layers on the main path")
print(f"receptive field of the last one: {receptive_field(path)} pixels")

# %% [markdown]
# The units of ResNet-18's last convolution see more than the whole
# 224 × 224 image (the rest of their field falls on the zero padding). Early
# layers, with fields of a few pixels, can only respond to local patterns such
# as edges and colour blobs; the deepest ones can draw on the whole image, which
# is why they can represent abstract properties like "contains a dog". For
# comparison, the classic [LeNet](../10-lenet/) (5 × 5 convolutions and 2 × 2
# pooling with stride 2) reaches:

# %%
from cnnguide.ops import receptive_field

lenet = [(5, 1), (2, 2), (5, 1), (2, 2)]  # conv, pool, conv, pool
print("LeNet, after its second pooling layer:", receptive_field(lenet), "pixels")

# %% [markdown]
# A 16 × 16 patch of a 28 × 28 digit — enough for strokes and their
# arrangement, and the fully connected layers that follow combine the rest.
# [Chapter 8](../08-feature-maps-to-classes/) showed those layers are
# convolutions with a field as large as the map.
#
# ## What to remember
#
# - The receptive field is the input region that can affect a unit; it grows
#   as $r_l = r_{l-1} + (k_l - 1)\,j_{l-1}$, with the jump $j_l = j_{l-1} s_l$
#   the product of the strides so far. Padding does not change its size.
# - Stacked 3 × 3 convolutions with stride 1 grow it by 2 per layer: $2d + 1$.
#   Two 3 × 3 layers see as much as a 5 × 5 with fewer weights.
# - Strides and pooling multiply the growth of every later layer: ResNet's
#   stem alone sees 11 × 11 pixels with a jump of 4.
# - The gradient of one unit with respect to the input is nonzero exactly on
#   its receptive field — a direct check of the formula.
# - Deeper layers see more of the image, which is what lets them represent
#   larger, more abstract features; the effective field, where the influence
#   is sizeable, is smaller than the theoretical one.
#
# ## References
#
# - Luo, W., Li, Y., Urtasun, R. & Zemel, R. (2016). Understanding the
#   effective receptive field in deep convolutional neural networks.
#   *Advances in Neural Information Processing Systems 29 (NIPS 2016)*.
# - Simonyan, K. & Zisserman, A. (2015). Very deep convolutional networks for
#   large-scale image recognition. *International Conference on Learning
#   Representations (ICLR)*; arXiv:1409.1556.

# %% [markdown]
# ## Exercises
#
# 1. Collect the `(kernel_size, stride)` pairs of the convolutions and
#    poolings in torchvision's `vgg16().features` (build it under
#    `torch.device("meta")`), as the chapter did for ResNet-18. What is the
#    receptive field of VGG-16's last convolution, and of the pooling after
#    it?
#
#     <details><summary>Answer</summary>
#
#     196 pixels for the last convolution, 212 after the last pooling: 13
#     convolutions of 3 × 3 and 5 poolings of 2 × 2 with stride 2, 18 layers
#     in all. Both are smaller than ResNet-18's 435, and both cover most of a
#     224-pixel image.
#
#     </details>
#
# 2. How many 3 × 3 convolutions with stride 1, and no pooling, does it take
#    before one unit sees a whole 28 × 28 image?
#
#     <details><summary>Answer</summary>
#
#     14: the field after $d$ layers is $2d + 1$, which first reaches 28 at
#     $d = 14$ (29 pixels). LeNet's two poolings get a 16-pixel field from
#     just four layers.
#
#     </details>
#
# 3. With 256 channels in and out and no biases, how many weights do three
#    stacked 3 × 3 convolutions have, and how many one 7 × 7 convolution
#    with the same field?
#
#     <details><summary>Answer</summary>
#
#     $3 \cdot 9 \cdot 256^2$ = 1,769,472 against $49 \cdot 256^2$ =
#     3,211,264, the same ratio of 27 to 49 as with 64 channels.
#
#     </details>
#
# 4. ResNet-18's first stage puts four 3 × 3 convolutions after the stem.
#    What is the receptive field at the end of that stage?
#
#     <details><summary>Answer</summary>
#
#     43 pixels: the stem sees 11, and each of the four convolutions adds
#     $(3 - 1) \cdot 4 = 8$, because the stem's strides make neighbouring
#     units 4 pixels apart.
#
#     </details>
