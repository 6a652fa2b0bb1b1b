# %% [markdown]
# # 7. Pooling
#
# Convolutions find patterns; the network still has to cope with the fact
# that a pattern moves a little from one image to the next, and it gets
# cheaper as feature maps get smaller. A **pooling** layer helps with both. Like
# a convolution it slides a window over its input, but instead of a weighted
# sum with learned weights it reports a fixed summary of the window: the
# **maximum** (max pooling) or the **mean** (average pooling). It has no
# parameters at all.
#
# ## Max and average pooling
#
# A 2 × 2 window with stride 1 on the 3 × 3 input from
# [chapter 2](../02-cross-correlation/):

# %%
import torch

from cnnguide.ops import pool2d

X = torch.arange(9.0).reshape(3, 3)
print("max pooling:\n", pool2d(X, 2, mode="max"))
print("average pooling:\n", pool2d(X, 2, mode="avg"))

# %% [markdown]
# Each output is the largest value, or the mean, of one window. In the figure
# the red outline marks the value that max pooling takes from the highlighted
# window:

# %%
from cnnguide.figures import pooling_figure

pooling_figure(X)

# %% [markdown]
# Max pooling keeps the strongest response in each region ("is the pattern
# somewhere here?"); average pooling smooths. Max pooling is the usual choice
# between convolutions; average pooling over the whole map is the usual way to
# finish a network ([chapter 8](../08-feature-maps-to-classes/)).
#
# ## Stride, padding and the output size
#
# Pooling windows take a stride and padding just like convolutions, and the
# output size follows the same formula ([chapter 3](../03-padding-and-stride/)).
# For an $H \times W$ input, an $F \times F$ window, padding $p$ and stride $S$:
#
# $$H_\text{out} = \left\lfloor \frac{H + 2p - F}{S} \right\rfloor + 1,$$
#
# and likewise for the width.
#
# The blog gives the pooling output size as $(H - F)/S + 1$. That formula
# lacks two things. It has no padding term, so it is wrong for every padded
# layer. And it has no floor, so whenever $S$ does not divide $H - F$ it
# gives a fraction — 3.5 for a 2 × 2 window with stride 2 on a 7 × 7 map —
# where a layer must output a whole number of rows. The floor says what
# PyTorch does by default: the incomplete window at the end is dropped
# (`nn.MaxPool2d` can round up instead with `ceil_mode=True`; exercise 2).
# The comparison below prints the blog's value next to the correct one.
#
# In practice the stride usually equals the window, so the windows tile the
# input without overlapping; 2 × 2 windows with stride 2 halve height and
# width:

# %%
X = torch.arange(16.0).reshape(4, 4)
print(X)
print("2x2, stride 2:\n", pool2d(X, 2, stride=2))

# %%
pooling_figure(X, pool_size=2, stride=2, position=(1, 0))

# %% [markdown]
# `cnnguide.ops.pool2d` defaults to stride 1, like the worked example;
# PyTorch's `nn.MaxPool2d` defaults to a stride equal to the window. Padding
# for max pooling never wins a maximum (the border acts as $-\infty$), and
# average pooling counts the padded zeros in the mean, as PyTorch does by
# default. Here is the code, after its argument checks:

# %%
from cnnguide.figures import show_source

show_source(pool2d, docstring=False)

# %% [markdown]
# It views every window at once, as the fast `conv2d` does, and takes the
# maximum or the mean of each. On a 7 × 7 input, for several windows, strides
# and paddings, the table prints the blog's formula, the correct formula
# (`conv_output_size`), the output widths of `pool2d` and of PyTorch's layers,
# and whether the values agree too:

# %%
from torch import nn

from cnnguide.ops import conv_output_size

torch.manual_seed(0)
X = torch.randn(1, 1, 7, 7)
row = "{:>6} {:>6} {:>7} | {:>5} {:>7} | {:>6} {:>5} | {}"
print(row.format("window", "stride", "padding", "blog", "formula", "pool2d", "torch",
                 "values equal"))
for window, stride, padding in [(2, 2, 0), (3, 2, 1), (3, 3, 0), (3, 1, 1), (2, 3, 1)]:
    ours = pool2d(X, window, mode="max", stride=stride, padding=padding)
    theirs = nn.MaxPool2d(window, stride=stride, padding=padding)(X)
    ours_avg = pool2d(X, window, mode="avg", stride=stride, padding=padding)
    theirs_avg = nn.AvgPool2d(window, stride=stride, padding=padding)(X)
    blog = (7 - window) / stride + 1
    formula = conv_output_size(7, window, padding=padding, stride=stride)
    equal = torch.equal(ours, theirs) and torch.allclose(ours_avg, theirs_avg)
    print(row.format(window, stride, padding, f"{blog:.3g}", formula,
                     ours.shape[-1], theirs.shape[-1], equal))

# %% [markdown]
# The correct formula, `pool2d` and `nn.MaxPool2d` (the torch column) agree
# on the width; the last column says whether `pool2d` also computed the same
# values as `nn.MaxPool2d` and `nn.AvgPool2d`. The blog's formula is right on
# none of these rows: the unpadded ones need the floor, the padded ones the
# padding term.
#
# The explorer below starts from the 4 × 4 example, with 2 × 2 windows and
# stride 2. Switch between max and average pooling, and change the window,
# stride, padding and dilation. With max pooling, the padding shows as −∞. As
# in PyTorch, padding above half the window is refused, and so is dilation
# with average pooling.

# %%
from cnnguide.figures.explorers import pooling_explorer

pooling_explorer(torch.arange(16.0).reshape(4, 4), 2, stride=2)

# %% [markdown]
# ## Channels and parameters
#
# Unlike a convolution, pooling does not sum over channels: it pools each
# channel on its own, so the channel count is unchanged. And it has nothing to
# learn:

# %%
X = torch.randn(1, 16, 28, 28)
pool = nn.MaxPool2d(2)
print("input:", tuple(X.shape), " output:", tuple(pool(X).shape))
print("parameters of nn.MaxPool2d:", sum(p.numel() for p in pool.parameters()))
avg_pool = nn.AvgPool2d(2)
print("parameters of nn.AvgPool2d:", sum(p.numel() for p in avg_pool.parameters()))
alone = pool2d(X[0, 5], 2, stride=2)
print("channel 5 pooled alone = channel 5 of the whole:",
      torch.equal(alone, pool(X)[0, 5]))

# %% [markdown]
# ## Tolerating small shifts
#
# The edge detector $[1, -1]$ from [chapter 2](../02-cross-correlation/) marks
# an edge exactly where it is. Move the image one pixel to the right and the
# response moves with it: at every position, the feature map now says
# something different. A 2 × 2 max pooling with stride 1 reports, at each
# position, whether the response occurs anywhere in a 2 × 2 neighbourhood, so
# half of its responses are still in place after the shift. The red cells are
# those that changed:

# %%
from cnnguide.figures import shift_invariance_figure

image = torch.ones(6, 8)
image[:, 4:] = 0  # white left half, black right half: one vertical edge
edge = torch.tensor([[1.0, -1.0]])
shift_invariance_figure(image, edge, shift=1)

# %% [markdown]
# With the common 2 × 2 windows at stride 2, the result depends on where the
# edge falls. If it stays inside the same pooling window, the pooled map does
# not change at all; if it crosses into the next window, the pooled response
# moves one cell (which is now two pixels of the input). We measure it for
# every edge position: the share of nonzero responses still in place, with the
# same value, after a one-pixel shift.

# %%
from cnnguide.ops import corr2d


def kept(before, after):
    """Share of the nonzero responses in `before` that keep their value in `after`."""
    responses = before != 0
    return ((responses & (after == before)).sum() / responses.sum()).item()


def shift_right(image):
    return torch.cat([image[:, :1], image[:, :-1]], dim=1)


row = "{:>11} | {:>11} {:>12} {:>12}"
print(row.format("edge column", "feature map", "max 2x2, s=1", "max 2x2, s=2"))
rows = []
for column in range(2, 10):
    image = torch.ones(6, 12)
    image[:, column:] = 0
    before, after = corr2d(image, edge), corr2d(shift_right(image), edge)
    pooled = [
        kept(pool2d(before, 2, stride=s), pool2d(after, 2, stride=s)) for s in (1, 2)
    ]
    shares = [kept(before, after), *pooled]
    rows.append(shares)
    print(row.format(column, *(f"{share:.0%}" for share in shares)))
means = torch.tensor(rows).mean(dim=0).tolist()
print(row.format("mean", *(f"{share:.0%}" for share in means)))

# %% [markdown]
# None of the feature map's responses survive a one-pixel shift; after max
# pooling, half of them do on average, with either stride (the mean row). A
# larger window tolerates a larger shift. This is local tolerance, not true
# invariance: shift far enough and the pooled map changes too, and a stride-2
# pooling keeps the map for some edge positions and not for others. Stacking
# strided layers does not fix that; small shifts of the input can still
# change a deep network's output
# ([chapter 8](../08-feature-maps-to-classes/) measures a small case).
#
# Pooling also makes later layers cheaper: a 2 × 2, stride-2 pooling divides
# the number of positions by four, so the next convolution does a quarter of
# the work, and each of its units covers a larger part of the original image
# ([chapter 9](../09-receptive-field/)). The blog adds a third purpose, less
# overfitting. Pooling has no weights to fit, so the effect is indirect: the
# smaller maps mean fewer weights in any fully connected layer that follows
# ([chapter 8](../08-feature-maps-to-classes/)).
#
# ## What to remember
#
# - Pooling slides a window and reports its maximum or mean; it has **no
#   parameters** and pools each channel separately, so the **channel count is
#   unchanged**.
# - Output size: $\lfloor (H + 2p - F)/S \rfloor + 1$, the same formula as for
#   convolutions; usually $S = F$, so 2 × 2 pooling with stride 2 halves height
#   and width. The blog's $(H - F)/S + 1$ forgets the padding and the floor.
# - Max pooling makes the output tolerate small shifts of the input: after a
#   one-pixel shift of an edge, no feature-map response stays in place, but
#   half of the max-pooled responses do.
#
# Previous: [activation functions](../06-activation-functions/). Next:
# [from feature maps to classes](../08-feature-maps-to-classes/).

# %% [markdown]
# ## Exercises
#
# 1. ResNet's stem ends with a 3 × 3 max pooling, stride 2, padding 1, on a
#    112 × 112 map. What size comes out (`conv_output_size`), and what does
#    the blog's formula $(H - F)/S + 1$ give?
#
#     <details><summary>Answer</summary>
#
#     $\lfloor (112 + 2 - 3)/2 \rfloor + 1 = 56$. The blog's formula gives
#     $(112 - 3)/2 + 1 = 55.5$, which is not even a size.
#
#     </details>
#
# 2. Apply `nn.MaxPool2d(2)` and `nn.MaxPool2d(2, ceil_mode=True)` to a
#    7 × 7 map. What sizes come out, and what does the last window of the
#    second one cover?
#
#     <details><summary>Answer</summary>
#
#     3 × 3 by default, following the floor: the seventh row and column are
#     dropped. With `ceil_mode=True` the output is 4 × 4: the last window
#     starts at row (and column) 6 and covers only that one row, the part of
#     it outside the input being ignored.
#
#     </details>
#
# 3. Average-pool `torch.arange(16.0).reshape(4, 4)` with 2 × 2 windows and
#    stride 2 using `pool2d`. What are the four outputs?
#
#     <details><summary>Answer</summary>
#
#     2.5, 4.5, 10.5 and 12.5 (row by row): the means of the four 2 × 2
#     blocks, for instance $(0 + 1 + 4 + 5)/4 = 2.5$.
#
#     </details>
#
# 4. Average-pool a 3 × 3 map of ones with a 3 × 3 window, stride 1 and
#    padding 1. What is the corner output, and why is it not 1? What does
#    `nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)` give?
#
#     <details><summary>Answer</summary>
#
#     About 0.444, that is $4/9$: the corner window holds 4 ones and 5 padded
#     zeros, and the zeros count towards the mean (PyTorch's default, which
#     `pool2d` follows). With `count_include_pad=False` only the 4 real
#     values are averaged, and every output is 1.
#
#     </details>
