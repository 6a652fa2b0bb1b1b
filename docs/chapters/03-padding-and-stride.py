# %% [markdown]
# # 3. Padding and stride
#
# In [chapter 2](../02-cross-correlation/) a 3 × 3 input and a 2 × 2 kernel gave
# a 2 × 2 output: the output is smaller than the input because the kernel must
# fit entirely inside it. Two settings of every convolutional layer control the
# output's size: **padding** adds a border of zeros so the kernel can also sit
# over the edges, and **stride** moves the kernel more than one step at a time.
# Getting these numbers right is what makes the shapes of a network fit
# together, so this chapter derives the formula and then checks it against
# real PyTorch layers.
#
# ## Why the output shrinks
#
# Along one dimension, an input of length $n$ and a kernel of length $k$ leave
# room for $n - k + 1$ positions. That loss of $k - 1$ is small for one layer
# but adds up. `conv_output_size` computes the output length:

# %%
from cnnguide.ops import conv_output_size

size = 32
sizes = [size]
for layer in range(10):
    size = conv_output_size(size, kernel_size=3)
    sizes.append(size)
print("side after each 3x3 layer without padding:")
print(sizes)

# %% [markdown]
# Ten 3 × 3 layers eat 20 pixels of a 32-pixel image. The border is also
# under-used: a corner pixel lies in a single window, a central one in nine.
# Autograd counts the windows that cover each pixel: with a kernel of ones,
# the gradient of the sum of all outputs with respect to a pixel is the
# number of windows containing it.

# %%
import torch

from cnnguide.ops import conv2d


def coverage(n, k, padding=0, stride=1):
    """How many k x k windows cover each pixel of an n x n input."""
    X = torch.zeros(1, 1, n, n, requires_grad=True)
    conv2d(X, torch.ones(1, 1, k, k), padding=padding, stride=stride).sum().backward()
    return X.grad[0, 0].int()


print("6x6 input, 3x3 windows, no padding:\n", coverage(6, 3))
print("padding 1:\n", coverage(6, 3, padding=1))

# %% [markdown]
# Without padding the corners take part in one computation and the centre in
# nine, so whatever sits at the border barely reaches the next layer. Padding
# stops the shrinking and evens the count out, though not completely: with
# padding 1 every pixel lies in at least four windows, and the corners are
# still seen less often than the centre.
#
# ## Padding
#
# Padding by $p$ adds $p$ rows of zeros above and below the input and $p$
# columns left and right. The grey cells in the figure are the padding; the
# 3 × 3 input now yields a 4 × 4 output, one larger than the input in each
# direction.

# %%
from cnnguide.figures import padding_figure

X = torch.arange(9.0).reshape(3, 3)
K = torch.arange(4.0).reshape(2, 2)
padding_figure(X, K, padding=1)

# %% [markdown]
# The most common case: a 4 × 4 input, a 3 × 3 kernel and padding 1. Without
# padding the output would be 2 × 2; with it, the output is 4 × 4 — the
# **same size as the input**. (The kernel of ones makes each output the sum
# of its window, easy to check.)
#
# The blog motivates padding differently: with a 4 × 4 input and a 3 × 3
# kernel, it says, the window moving right finds a column missing. That is
# wrong. Without padding the window fits at columns 0 and 1, and the second
# position covers columns 1 to 3, the last column included — every pixel is
# visited, as the coverage counts above show. What padding changes is how
# *often* the border pixels are used and how much the output shrinks.

# %%
X4 = torch.arange(16.0).reshape(4, 4)
box = torch.ones(3, 3)
padding_figure(X4, box, padding=1)

# %% [markdown]
# The animation shows every window of that layer, padding included:

# %%
import tempfile
from pathlib import Path

from cnnguide.figures import sliding_window_animation

gif_dir = Path(tempfile.mkdtemp())
sliding_window_animation(X4, box, gif_dir / "padding.gif", padding=1)

# %% [markdown]
# With padding $p$ the input is $n + 2p$ long, so the output has
# $n + 2p - k + 1$ entries. For an odd kernel $k$, padding $p = (k-1)/2$ keeps
# the size unchanged; that is one reason kernels are almost always odd (3, 5,
# 7), and why "same" padding for a 3 × 3 kernel is 1. Padding may differ between height
# and width, e.g. for a 5 × 3 kernel:

# %%
from cnnguide.ops import conv2d

X = torch.randn(1, 1, 8, 8)
for kernel, padding in [((3, 3), 1), ((5, 5), 2), ((5, 3), (2, 1))]:
    Y = conv2d(X, torch.randn(1, 1, *kernel), padding=padding)
    print(f"8x8, kernel {kernel}, padding {padding}: output {tuple(Y.shape[-2:])}")

# %% [markdown]
# Is padding always needed? The blog argues that for classifying large images
# it is not: the border is a small share of the pixels, and a network that
# loses a few pixels per layer still works. For a 224 × 224 image the
# outermost ring is

# %%
n = 224
print(f"{(n * n - (n - 2) ** 2) / (n * n):.1%} of the pixels")

# %% [markdown]
# In deep networks, though, padding is what lets layers stack without the
# image vanishing, and it keeps shapes simple to reason about.
#
# ## Stride
#
# The **stride** is how far the window moves at each step. With stride $s$ the
# window skips $s - 1$ positions, so the output is roughly $s$ times smaller in
# that direction; a network uses this to shrink its feature maps on purpose.
# Below, the 3 × 3 input padded by 1 is visited with stride 3 down and 2
# across. Each coloured outline is one window, and the output cell of the same
# colour is its result. Look at the right-hand column of padding: no window
# reaches it, because a third step across would not leave room for the
# kernel. The formula below drops such leftovers with a floor. Going down,
# the windows are 2 rows tall but 3 rows apart, so the input's middle row
# (3, 4, 5) is never visited at all: a stride larger than the kernel skips
# pixels.

# %%
from cnnguide.figures import stride_figure

X = torch.arange(9.0).reshape(3, 3)
stride_figure(X, K, stride=(3, 2), padding=1)

# %% [markdown]
# Stride 2 with a 3 × 3 kernel on a 5 × 5 input padded by 1 halves the side
# (rounding up); neighbouring windows overlap by one column:

# %%
X5 = torch.arange(25.0).reshape(5, 5)
stride_figure(X5, box, stride=2, padding=1)

# %%
sliding_window_animation(X5, box, gif_dir / "stride.gif", padding=1, stride=2)

# %% [markdown]
# ## The output-size formula
#
# Along one dimension, the padded input has length $n + 2p$. The first window
# starts at position 0, the next ones at $s, 2s, \dots$, and the last start
# position must leave room for the kernel: it is at most $n + 2p - k$. The
# number of start positions is therefore
#
# $$\left\lfloor \frac{n + 2p - k}{s} \right\rfloor + 1.$$
#
# The floor $\lfloor\cdot\rfloor$ matters whenever $s$ does not divide
# $n + 2p - k$: the leftover rows or columns at the end are simply never
# visited. The same formula holds for height and width separately, and for
# pooling windows ([chapter 7](../07-pooling/)).
#
# Rather than trust it, compare it with the shapes that real `nn.Conv2d`
# layers produce. The cases include LeNet's first layer, AlexNet's first layer
# and ResNet's stem; in the rows marked "yes" the division is not exact and the
# floor changes the answer. `conv_output_size` is the formula in code (the
# dilation $d$ of a kernel is 1 unless set, so its span $d(k - 1) + 1$ is just
# $k$):

# %%
from cnnguide.figures import show_source

show_source(conv_output_size, docstring=False)

# %%
import math

from torch import nn

cases = [  # (n, kernel, padding, stride)
    (28, 5, 2, 1),  # LeNet: "same" 5x5
    (4, 3, 1, 1),  # the 4x4 example above
    (3, 2, 1, (3, 2)),  # the stride figure, height and width
    (8, 3, 0, 2),
    (227, 11, 0, 4),  # AlexNet's first layer
    (224, 11, 0, 4),  # the same layer on a 224-pixel image
    (224, 11, 2, 4),  # torchvision's AlexNet pads by 2 instead
    (224, 7, 3, 2),  # ResNet's stem
]
row = "{:>4} {:>3} {:>2} {:>6} | {:>11} {:>6} | {:>10} {:>10}"
print(row.format("n", "k", "p", "s", "(n+2p-k)/s", "floor?", "formula", "nn.Conv2d"))
for n, k, p, s in cases:
    sh, sw = (s, s) if isinstance(s, int) else s
    layer = nn.Conv2d(1, 1, kernel_size=k, padding=p, stride=(sh, sw))
    actual = tuple(layer(torch.zeros(1, 1, n, n)).shape[-2:])
    formula = tuple(conv_output_size(n, k, padding=p, stride=st) for st in (sh, sw))
    exact = [(n + 2 * p - k) / st for st in (sh, sw)]
    floor = "yes" if any(e != math.floor(e) for e in exact) else "no"
    ratio = " / ".join(f"{e:g}" for e in dict.fromkeys(exact))
    check = "" if formula == actual else "   MISMATCH"
    print(row.format(n, k, p, str(s), ratio, floor, str(formula), str(actual)) + check)

# %% [markdown]
# A row would end in MISMATCH if the formula and `nn.Conv2d` disagreed. Two
# worked cases: ResNet's stem turns 224 into
# $\lfloor (224 + 6 - 7)/2 \rfloor + 1 = \lfloor 111.5 \rfloor + 1 = 112$,
# and AlexNet's 11 × 11, stride-4 layer gives
# $\lfloor (227 - 11)/4 \rfloor + 1 = 55$ on a 227-pixel image but only
# $\lfloor 53.25 \rfloor + 1 = 54$ on a 224-pixel one. The AlexNet paper
# (Krizhevsky, Sutskever & Hinton, 2012) speaks of 224 × 224 inputs and a
# 55 × 55 first feature map, which no padding-free layer can reconcile; some
# implementations feed the layer 227-pixel crops, and torchvision's pads by 2,
# $\lfloor (224 + 4 - 11)/4 \rfloor + 1 = 55$ (the table's second-last row).
#
# The explorer below starts from the stride figure's setting: the 5 × 5 input,
# the 3 × 3 kernel of ones, padding 1 and stride 2. Change any setting and the
# output size is worked out with the formula, numbers included. For example,
# set the padding to 0 and the input size to 6: then $6 - 3 = 3$ is not a
# multiple of 2, and the last row and column, which the floor leaves out, are
# hatched. (With padding 1, the floor leaves out only padding.) A dilation $d$
# spaces the kernel's taps $d$ apart, so the kernel spans $d(k - 1) + 1$
# pixels. Where a kernel spans more than the padded input, PyTorch refuses the
# layer, and so does the explorer.

# %%
from cnnguide.figures.explorers import convolution_explorer

convolution_explorer(X5, box, padding=1, stride=2)

# %% [markdown]
# ## What to remember
#
# - Output length along one dimension: $\lfloor (n + 2p - k)/s \rfloor + 1$,
#   for height and width separately. `cnnguide.ops.conv_output_size` computes
#   it, and it agrees with `nn.Conv2d`.
# - Padding $p = (k-1)/2$ with an odd kernel keeps the size ("same"
#   convolution); a 3 × 3 kernel with padding 1 is the everyday case.
# - Without padding every pixel is still visited, but border pixels lie in
#   fewer windows and the map shrinks by $k - 1$ per layer; padding fixes the
#   shrinking and evens out the coverage.
# - Stride $s$ divides the size by about $s$; when $s$ does not divide
#   $n + 2p - k$, the floor drops the leftover rows or columns.
#
# Next: [channels](../04-channels/) — colour images and many kernels at once.
#
# ## References
#
# - Krizhevsky, A., Sutskever, I. & Hinton, G. E. (2012). ImageNet
#   classification with deep convolutional neural networks. *Advances in
#   Neural Information Processing Systems 25 (NIPS 2012)*, 1097–1105.

# %% [markdown]
# ## Exercises
#
# 1. A 100 × 100 image goes through a 5 × 5 convolution with padding 1 and
#    stride 2, then a 3 × 3 convolution with stride 2 and no padding. Use
#    `conv_output_size` to find the side after each layer.
#
#     <details><summary>Answer</summary>
#
#     $\lfloor (100 + 2 - 5)/2 \rfloor + 1 = 49$ after the first layer (the
#     division leaves a half, which the floor drops), then
#     $\lfloor (49 - 3)/2 \rfloor + 1 = 24$.
#
#     </details>
#
# 2. How many 3 × 3 convolutions without padding can be stacked on a 28 × 28
#    image before the next one no longer fits? (`conv_output_size` raises a
#    `ValueError` when the kernel is larger than the input.)
#
#     <details><summary>Answer</summary>
#
#     13: each layer takes 2 pixels off the side, so after 13 layers the map
#     is 2 × 2, and a 3 × 3 kernel does not fit in it.
#
#     </details>
#
# 3. Use the chapter's `coverage` function on a 6 × 6 input with a 3 × 3
#    kernel. With padding 1, how many windows cover a corner pixel, a pixel
#    in the middle of an edge, and an inner pixel?
#
#     <details><summary>Answer</summary>
#
#     4, 6 and 9. Without padding a corner pixel lies in only 1 window, and
#     each of the four central pixels in 9.
#
#     </details>
#
# 4. A row of 10 pixels is scanned by a window of 3 with stride 3 and no
#    padding. How many outputs are there, and how many pixels are never
#    visited? What changes with padding 1? (Try `coverage(10, 3, stride=3)` and
#    look at one of its rows.)
#
#     <details><summary>Answer</summary>
#
#     $\lfloor (10 - 3)/3 \rfloor + 1 = 3$ outputs, whose windows cover
#     pixels 0 to 8: 1 pixel, the last, is never visited. With padding 1
#     there are $\lfloor (10 + 2 - 3)/3 \rfloor + 1 = 4$ windows, which together
#     cover every pixel.
#
#     </details>
#
# 5. What padding keeps the size of a 7 × 7 convolution with stride 1? Why
#    can no padding, the same on both sides, do that for a 4 × 4 kernel?
#
#     <details><summary>Answer</summary>
#
#     $p = (7 - 1)/2 = 3$. With a kernel of 4 the output has $n + 2p - 3$
#     entries, and $2p = 3$ has no integer solution. PyTorch's
#     `padding="same"` still keeps the size for even kernels by padding one
#     side more than the other.
#
#     </details>
