# %% [markdown]
# # Activation functions
#
# Every operator so far — cross-correlation, padding, stride, channels, the
# 1 × 1 convolution of [the previous chapter](../05-one-by-one-convolution/) — computes
# weighted sums of its inputs. Weighted sums are **linear**, and a stack of
# linear maps is still one linear map: however many convolutional layers we
# pile up, without something else in between the network can only represent
# what a single convolution can. The "something else" is an **activation
# function** $\sigma$ applied to every unit of a layer's output:
#
# $$ y = \sigma\left(W \star x + b\right), $$
#
# where $W \star x$ is the cross-correlation of the input window $x$ with the
# kernel $W$ and $b$ the layer's bias. This chapter shows the three classic
# choices, proves numerically that without them depth buys nothing, and
# measures why the sigmoid fell out of favour.
#
# ## Sigmoid, tanh and ReLU
#
# $$ \operatorname{sigmoid}(x) = \frac{1}{1 + e^{-x}}, \qquad
#    \tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}, \qquad
#    \operatorname{ReLU}(x) = \max(0, x). $$
#
# Training needs their derivatives too, since backpropagation multiplies them
# layer after layer. The figure takes them with autograd rather than by hand.

# %%
from cnnguide.figures import activation_curves

activation_curves(("sigmoid", "tanh", "relu"), x_min=-6, x_max=6)

# %% [markdown]
# The sigmoid squashes everything into $(0, 1)$ and tanh into $(-1, 1)$; both
# are flat far from zero. ReLU is the identity for positive inputs and zero
# otherwise — it is "almost linear", yet that one kink is enough, as we will
# see. On a feature map, ReLU keeps the places where a kernel responds
# positively and silences the rest. Here an edge kernel responds negatively
# on one side of a bright square and positively on the other; after ReLU only
# one edge remains:

# %%
import torch

from cnnguide.figures import feature_map_grid
from cnnguide.ops import conv2d

image = torch.zeros(1, 1, 12, 12)
image[0, 0, 3:9, 3:9] = 1.0
edges = torch.tensor([[[[1.0, 0.0, -1.0]] * 3]])
response = conv2d(image, edges, padding=1)
feature_map_grid(
    torch.cat([image, response, torch.relu(response)], dim=1)[0],
    title="ReLU keeps the positive responses",
    labels=["image", "conv(image)", "relu(conv(image))"],
)

# %% [markdown]
# ## Without an activation, two layers are one
#
# Take two bias-free single-channel convolutions with 3 × 3 kernels $K_1$ and
# $K_2$. Writing out the sums,
#
# $$ (X \star K_1) \star K_2\,[i, j]
#    = \sum_{a,b,c,d} X[i+a+c,\, j+b+d]\, K_1[a, b]\, K_2[c, d]
#    = (X \star K)[i, j], \qquad
#    K[p, q] = \sum_{\substack{a + c = p \\ b + d = q}} K_1[a, b]\, K_2[c, d]. $$
#
# The combined kernel $K$ is 5 × 5, and it is itself a cross-correlation: of
# $K_1$, zero-padded by 2 on every side, with $K_2$ flipped in both directions.
# Let's build it with `corr2d` and compare one layer with two:

# %%
import torch
import torch.nn.functional as F

from cnnguide.ops import conv2d, corr2d

torch.manual_seed(0)
X = torch.randn(1, 1, 16, 16, dtype=torch.float64)
K1 = torch.randn(3, 3, dtype=torch.float64)
K2 = torch.randn(3, 3, dtype=torch.float64)

two_layers = conv2d(conv2d(X, K1[None, None]), K2[None, None])
K = corr2d(F.pad(K1, (2, 2, 2, 2)), torch.flip(K2, dims=(0, 1)))  # the single equivalent kernel
one_layer = conv2d(X, K[None, None])

print("equivalent kernel:", tuple(K.shape), "| outputs:", tuple(two_layers.shape), tuple(one_layer.shape))
print(f"max |two layers - one layer| = {(two_layers - one_layer).abs().max():.1e}")
print(f"float64 machine epsilon      = {torch.finfo(torch.float64).eps:.1e}")

# %% [markdown]
# The two computations agree to the last few bits of a float64. The same
# holds for any number of channels and with biases: a composition of affine
# maps is affine. We can check that without deriving any formula. A single
# 5 × 5 convolution sees exactly the input window the two stacked 3 × 3 layers
# see, so if *any* single convolution reproduces the stack, the best 5 × 5 one
# found by least squares will. Each output position gives one equation: the
# window's $3 \cdot 5 \cdot 5$ pixels plus a constant 1 (for the bias) times the
# unknown weights.

# %%
import torch
import torch.nn.functional as F
from torch import nn


def best_single_conv_error(X, target, kernel_size):
    """Relative error of the least-squares best single conv (with bias) mapping X to target."""
    windows = F.unfold(X, kernel_size)[0].T  # one row per output position
    A = torch.cat([windows, torch.ones(len(windows), 1, dtype=X.dtype)], dim=1)
    B = target[0].flatten(1).T  # one column per output channel
    fit = A @ torch.linalg.lstsq(A, B).solution
    return ((fit - B).norm() / B.norm()).item()


torch.manual_seed(0)
conv_a = nn.Conv2d(3, 8, 3).double()  # 3 -> 8 channels, with bias
conv_b = nn.Conv2d(8, 4, 3).double()  # 8 -> 4 channels, with bias
X = torch.randn(1, 3, 32, 32, dtype=torch.float64)

with torch.no_grad():
    linear_stack = conv_b(conv_a(X))
    relu_stack = conv_b(torch.relu(conv_a(X)))

print(f"conv -> conv:        best single 5x5 conv misses by {best_single_conv_error(X, linear_stack, 5):.1e}")
print(f"conv -> ReLU -> conv: best single 5x5 conv misses by {best_single_conv_error(X, relu_stack, 5):.1%}")

# %% [markdown]
# Without an activation the stack *is* a single convolution — the fit is exact
# to rounding error. With one ReLU in the middle, the best single convolution
# still misses a large fraction of the output: the two-layer network computes
# something no single layer can. That is the whole reason for activation
# functions; with them, a deep enough network can approximate essentially any
# function of its input.
#
# ## Why the sigmoid saturates
#
# The derivative of the sigmoid is $\sigma'(x) = \sigma(x)\,(1 - \sigma(x))$,
# largest at $x = 0$ where both factors are $\tfrac12$. Autograd confirms the
# maximum and shows how quickly it decays:

# %%
import torch

x = torch.tensor([0.0, 2.0, 5.0, 10.0], dtype=torch.float64, requires_grad=True)
for name, f in [("sigmoid", torch.sigmoid), ("tanh", torch.tanh), ("relu", torch.relu)]:
    (grad,) = torch.autograd.grad(f(x).sum(), x)
    print(f"{name:8s} f'(x) at x = 0, 2, 5, 10:", [f"{g:.2e}" for g in grad.tolist()])

grid = (torch.arange(-10_000, 10_001, dtype=torch.float64) / 1000).requires_grad_()  # steps of 0.001
(slope,) = torch.autograd.grad(torch.sigmoid(grid).sum(), grid)
print(f"largest sigmoid slope on [-10, 10]: {slope.max():.6f} at x = {grid[slope.argmax()]:.3f}")

# %% [markdown]
# Backpropagation multiplies one such factor per layer. Even at its best, each
# sigmoid layer scales the gradient by at most $\tfrac14$; ten of them in a row
# shrink it by about a million. Let's push a number through ten sigmoids and
# ask autograd for the gradient at the input:

# %%
import torch

for name, f in [("sigmoid", torch.sigmoid), ("relu", torch.relu)]:
    x = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    y = x
    for _ in range(10):
        y = f(y)
    y.backward()
    print(f"10 x {name}: d output / d input = {x.grad.item():.3e}")
print(f"bound for the sigmoid: 0.25 ** 10 = {0.25**10:.3e}")

# %% [markdown]
# This is the **vanishing gradient**: the early layers of a deep sigmoid
# network barely learn, and when a unit's input is large the sigmoid is flat
# and that unit stops learning altogether (it *saturates*). Tanh has slope 1 at
# the origin but saturates in the same way. ReLU passes the gradient through
# unchanged wherever the unit is active, which is why modern networks use it.
# Its own weakness is the other side: a unit whose input is negative for every
# example gets zero gradient and can "die". The classic [LeNet](../10-lenet/)
# of chapter 10 uses sigmoids; its modern variant and every later network in
# this book use ReLU.
#
# Next, [pooling](../07-pooling/) shrinks feature maps and buys a little
# invariance to where a feature appears.
#
# ## What to remember
#
# - Convolutions are linear. Without an activation between them, any stack of
#   convolutions equals one convolution (here: two 3 × 3 layers = one 5 × 5,
#   matching to float64 precision).
# - One ReLU in between is enough to break this: no single convolution fits
#   the two-layer output.
# - Sigmoid maps to $(0, 1)$ with slope at most $\tfrac14$; tanh maps to
#   $(-1, 1)$ with slope at most 1; both saturate for large inputs, so gradients
#   vanish through many layers.
# - ReLU, $\max(0, x)$, has slope 1 where active and 0 elsewhere: cheap, no
#   saturation for positive inputs, the default in modern CNNs.
