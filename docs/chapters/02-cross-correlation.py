# %% [markdown]
# # 2. Cross-correlation
#
# [Chapter 1](../01-why-convolutions/) argued for layers whose units look at a
# small patch of the image and share their weights across positions. This
# chapter builds that layer's core operation from nothing: slide a small
# matrix of weights — the **kernel** — over the input, and at every position
# multiply the overlapping numbers and add them up.
#
# Deep-learning libraries call this *convolution*. Mathematically it is
# **cross-correlation**; the section after the example explains the difference
# and why it does not matter for learning.
#
# ## One window at a time
#
# Take a 3 × 3 input and a 2 × 2 kernel. Put the kernel on the top-left corner
# of the input, multiply the four pairs of numbers that overlap, and add: that
# sum is the top-left entry of the output. Then move one column right and
# repeat; at the end of a row, move one row down. In symbols, for an input $X$
# and an $h \times w$ kernel $K$,
#
# $$Y_{i,j} = \sum_{a=0}^{h-1} \sum_{b=0}^{w-1} X_{i+a,\, j+b}\, K_{a,b}.$$
#
# `cnnguide.ops.corr2d` is that formula written as a loop over output positions
# (readable on purpose; a fast version comes later). Here is its code, read
# from the library; the checks at the top give a clear message on bad input:

# %%
from cnnguide.figures import show_source
from cnnguide.ops import corr2d

show_source(corr2d, docstring=False)

# %% [markdown]
# Two loops run over the output's rows and columns; each entry is the sum of
# a window times the kernel, `(X[i : i + h, j : j + w] * K).sum()`. On the
# 3 × 3 input and the 2 × 2 kernel:

# %%
import torch

X = torch.arange(9.0).reshape(3, 3)
K = torch.arange(4.0).reshape(2, 2)
corr2d(X, K)

# %% [markdown]
# The figure shows where the first number comes from: the blog's worked
# example, $0 \times 0 + 1 \times 1 + 3 \times 2 + 4 \times 3 = 19$. Every
# number on it — the grids and the sum written underneath — is computed by
# `cnnguide.ops` when the page is built.

# %%
from cnnguide.figures import cross_correlation_figure

cross_correlation_figure(X, K)

# %% [markdown]
# The bottom-right entry uses the bottom-right window:

# %%
cross_correlation_figure(X, K, position=(1, 1))

# %% [markdown]
# The animation runs through all four windows in order: left to right, then top
# to bottom.

# %%
import tempfile
from pathlib import Path

from cnnguide.figures import sliding_window_animation

gif_dir = Path(tempfile.mkdtemp())
sliding_window_animation(X, K, gif_dir / "corr2d.gif")

# %% [markdown]
# An $n_h \times n_w$ input and a $k_h \times k_w$ kernel leave room for
# $(n_h - k_h + 1) \times (n_w - k_w + 1)$ windows, which is the output's shape:
# here $(3 - 2 + 1) \times (3 - 2 + 1) = 2 \times 2$. [Chapter 3](../03-padding-and-stride/)
# shows how to control it.
#
# PyTorch's own convolution computes exactly the same numbers. It works on
# batches with channels, so the input and kernel get two leading dimensions of
# size 1:

# %%
import torch.nn.functional as F

torch_result = F.conv2d(X.reshape(1, 1, 3, 3), K.reshape(1, 1, 2, 2))
print(torch_result)
print("same as corr2d:", torch.equal(torch_result[0, 0], corr2d(X, K)))

# %% [markdown]
# The same example, now in your hands. Hover over an output cell to see its
# window and its sum, or press Play to watch the window slide. The sliders
# change the input size, the kernel size and the padding, stride and dilation
# that the next chapter introduces. The page computes every number with
# PyTorch's rules, and the browser tests check them against PyTorch. Without
# JavaScript, the figure above is shown again.

# %%
from cnnguide.figures.explorers import convolution_explorer

convolution_explorer(X, K)

# %% [markdown]
# ## Convolution or cross-correlation?
#
# The convolution of signal processing and mathematics **flips the kernel**
# before sliding it: $(X * K)_{i,j} = \sum_{a,b} X_{i+a,\,j+b}\,K_{h-1-a,\,w-1-b}$.
# The kernel is read backwards against the window. NumPy has both operations
# for one-dimensional signals, each by its textbook definition, so we can check
# the relation with code that is not ours: convolving with $k$ is correlating
# with $k$ reversed. (Both use the "valid" form, in which the kernel stays
# inside the signal, with indices counted from 0.)

# %%
import numpy as np

x = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0])
k = np.array([1.0, 2.0, -1.0])
print("np.convolve(x, k)        ", np.convolve(x, k, mode="valid"))
print("np.correlate(x, k[::-1]) ", np.correlate(x, k[::-1], mode="valid"))
print("np.correlate(x, k)       ", np.correlate(x, k, mode="valid"), " <- differs")

# %% [markdown]
# In two dimensions, "reversed" means flipped both upside down and left to
# right. Here is the true 2-D convolution, written from its definition, next to
# `corr2d` with a flipped kernel:


# %%
def true_convolution(X, K):
    """(X * K)[i, j] = sum over a, b of X[i + a, j + b] * K[h - 1 - a, w - 1 - b]."""
    h, w = K.shape
    rows, cols = X.shape[0] - h + 1, X.shape[1] - w + 1

    def entry(i, j):
        pairs = ((a, b) for a in range(h) for b in range(w))
        return sum(X[i + a, j + b] * K[h - 1 - a, w - 1 - b] for a, b in pairs)

    return torch.tensor([[entry(i, j) for j in range(cols)] for i in range(rows)])


print("true convolution:       ", true_convolution(X, K).tolist())
print("corr2d, flipped kernel: ", corr2d(X, torch.flip(K, dims=(0, 1))).tolist())
print("corr2d, kernel as is:   ", corr2d(X, K).tolist())

# %% [markdown]
# So a "convolutional" layer that does not flip computes the true convolution
# with the flipped kernel. The blog says that, as has been proven, using one or
# the other "hardly affects" a convolutional layer's output. The precise
# statement is stronger: because a network **learns** its kernels, the choice
# changes nothing about what it can represent: whatever kernel a flipping layer
# would learn, a non-flipping layer learns its mirror image and produces the
# same outputs. We will see this happen at the end of the chapter. Skipping
# the flip saves a step, so every framework computes cross-correlation and
# still calls it convolution; this site does the same from now on.
#
# ## A first use: finding edges
#
# Why would sliding a small kernel be useful? Take an image that is white (1)
# with a black (0) band in the middle:

# %%
image = torch.ones(6, 8)
image[:, 2:6] = 0
image

# %% [markdown]
# The kernel $[1, -1]$ subtracts each pixel's right neighbour from it. Where
# the two are equal the result is 0; where white turns black it is 1, and
# where black turns white it is $-1$. The window at column 1 straddles the
# first edge:

# %%
edge_kernel = torch.tensor([[1.0, -1.0]])
cross_correlation_figure(image, edge_kernel, position=(0, 1))

# %% [markdown]
# The whole output marks both edges of the band, and nothing else. The same
# kernel on the transposed image, whose edges are horizontal, finds nothing:
# this kernel only sees changes along a row.

# %%
print(corr2d(image, edge_kernel))
largest = corr2d(image.T, edge_kernel).abs().max().item()
print("on the transposed image, largest |output|:", largest)

# %% [markdown]
# ## Learning the kernel
#
# Here we chose the kernel by hand. A convolutional network instead **learns**
# it by gradient descent. `cnnguide.ops.Conv2D` is a layer with a learnable
# kernel and a scalar bias; its forward pass is `corr2d(X, weight) + bias`, and
# autograd differentiates through the loop. We give it the image and the edge
# map we want, start from a random 1 × 2 kernel, and minimise the squared
# error:

# %%
from cnnguide.ops import Conv2D

torch.manual_seed(0)
target = corr2d(image, edge_kernel)
layer = Conv2D(kernel_size=(1, 2))
print("initial kernel:", layer.weight.detach().numpy().round(3))
optimizer = torch.optim.SGD(layer.parameters(), lr=0.01)
for step in range(1, 61):
    optimizer.zero_grad()
    loss = ((layer(image) - target) ** 2).sum()
    loss.backward()
    optimizer.step()
    if step % 10 == 0:
        print(f"step {step:2d}: loss {loss.item():.6f}")
print("learned kernel:", layer.weight.detach().numpy().round(3))
print(f"learned bias: {layer.bias.item():.1e}")

# %% [markdown]
# The printed loss falls towards zero, and the learned kernel is close to
# $[1, -1]$, with a bias near zero: sixty small steps recover the kernel from
# one example image. (The learning rate matters: the loss is a sum over 42
# outputs, so its gradient is large, and above a learning rate of about 0.016
# plain gradient descent overshoots and diverges; exercise 4 computes the
# threshold.) Now the promised test of the flip: make the target with the
# **true convolution** by $[1, -1]$ and train again. A cross-correlation
# layer cannot flip, so it should learn the mirrored kernel $[-1, 1]$, and
# fit the target just as well:

# %%
torch.manual_seed(0)
target_conv = true_convolution(image, edge_kernel)
layer = Conv2D(kernel_size=(1, 2))
optimizer = torch.optim.SGD(layer.parameters(), lr=0.01)
for step in range(60):
    optimizer.zero_grad()
    loss = ((layer(image) - target_conv) ** 2).sum()
    loss.backward()
    optimizer.step()
print(f"final loss {loss.item():.6f}")
print("learned kernel:", layer.weight.detach().numpy().round(3))
print("flipped [1, -1]:", torch.flip(edge_kernel, dims=(0, 1)).numpy())

# %% [markdown]
# ## What to remember
#
# - A convolutional layer slides a kernel over its input and, at each position,
#   sums the elementwise product of the kernel and the window under it.
# - An $n_h \times n_w$ input and a $k_h \times k_w$ kernel give an
#   $(n_h - k_h + 1) \times (n_w - k_w + 1)$ output.
# - Deep learning's "convolution" is cross-correlation: no kernel flip. True
#   convolution equals cross-correlation with the flipped kernel, and since
#   kernels are learned, the difference is invisible to training.
# - A fixed kernel can detect a feature, such as $[1, -1]$ for vertical edges;
#   a network learns its kernels from data by gradient descent instead.
#
# Next: [padding and stride](../03-padding-and-stride/), the two knobs that set
# the output's size.

# %% [markdown]
# ## Exercises
#
# 1. Cross-correlate the 4 × 4 input `torch.arange(16.0).reshape(4, 4)` with
#    the chapter's kernel `K` using `corr2d`. What shape is the output, and
#    what are its top-left and bottom-right entries?
#
#     <details><summary>Answer</summary>
#
#     The output is 3 × 3. Its top-left entry is
#     $0 \cdot 0 + 1 \cdot 1 + 4 \cdot 2 + 5 \cdot 3 = 24$ and its bottom-right
#     entry is $10 \cdot 0 + 11 \cdot 1 + 14 \cdot 2 + 15 \cdot 3 = 84$.
#
#     </details>
#
# 2. A Fashion-MNIST image is 28 × 28. How many outputs does one 5 × 5 kernel
#    produce on it without padding, and how many multiply-accumulates does
#    that take? Check the second number with
#    `cnnguide.summary.summarize(nn.Conv2d(1, 1, 5, bias=False), (1, 1, 28, 28)).macs`.
#
#     <details><summary>Answer</summary>
#
#     $28 - 5 + 1 = 24$, so 24 × 24 = 576 outputs, each a sum of 25 products:
#     14,400 multiply-accumulates, which `summarize` also reports (and 28,800
#     floating-point operations, counting a multiplication and an addition
#     as two).
#
#     </details>
#
# 3. Transpose both the band image and the kernel: `corr2d(image.T,
#    edge_kernel.T)`. How many outputs are nonzero, and where are they?
#
#     <details><summary>Answer</summary>
#
#     12: the kernel $[1, -1]^\top$ subtracts each pixel's lower neighbour
#     from it, so it marks the two horizontal edges of the transposed band,
#     one row of 6 outputs each (rows 1 and 5 of the 7 × 6 output).
#
#     </details>
#
# 4. The loss of the learning experiment is a quadratic function of the two
#    kernel weights and the bias: each of the 42 outputs is
#    $w_1 x_{i,j} + w_2 x_{i,j+1} + b$. Gradient descent on a quadratic
#    diverges when the learning rate exceeds $2/\lambda_\max$, where
#    $\lambda_\max$ is the largest eigenvalue of its Hessian $2A^\top A$ (one
#    row of $A$ per output: $x_{i,j}$, $x_{i,j+1}$, 1). Compute the threshold
#    with `torch.linalg.eigvalsh`, and try `lr=0.03`.
#
#     <details><summary>Answer</summary>
#
#     $\lambda_\max \approx 124.3$, so the threshold is about 0.0161: the
#     chapter's 0.01 converges, and 0.03 makes the loss grow without bound
#     until it overflows to infinity.
#
#     </details>
