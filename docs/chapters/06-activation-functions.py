# %% [markdown]
# # 6. Activation functions
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
# the single equivalent kernel
K = corr2d(F.pad(K1, (2, 2, 2, 2)), torch.flip(K2, dims=(0, 1)))
one_layer = conv2d(X, K[None, None])

print("equivalent kernel:", tuple(K.shape))
print("outputs:", tuple(two_layers.shape), tuple(one_layer.shape))
print(f"max |two layers - one layer| = {(two_layers - one_layer).abs().max():.1e}")
print(f"float64 machine epsilon      = {torch.finfo(torch.float64).eps:.1e}")

# %% [markdown]
# The two outputs differ only by rounding: compare the difference with the
# machine epsilon printed below it, the relative precision of a float64. The
# same holds for any number of channels and with biases: a composition of affine
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
    """Relative error of the best (least-squares) single conv with bias, X -> target."""
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

print("relative error of the best single 5x5 convolution:")
print(f"  conv -> conv:         {best_single_conv_error(X, linear_stack, 5):.1e}")
print(f"  conv -> ReLU -> conv: {best_single_conv_error(X, relu_stack, 5):.1%}")

# %% [markdown]
# Without an activation the stack *is* a single convolution — the fit is exact
# to rounding error. With one ReLU in the middle, the best single convolution
# still misses a large fraction of the output: the two-layer network computes
# something no single layer can. That is the whole reason for activation
# functions.
#
# The blog goes further: with activations, it says, a network can approximate
# essentially any function. The theorem behind that sentence, the *universal
# approximation theorem*, is about **width**, not depth: one hidden layer of
# sigmoid units, followed by a linear output, can approximate any continuous
# function on a closed, bounded region as closely as we like, given enough
# units (Cybenko, 1989). Hornik (1991)
# showed the same for any bounded, non-constant activation, and Leshno et al.
# (1993) for any continuous activation that is not a polynomial, ReLU
# included. The theorem says nothing about how many units that takes, or
# whether training finds the weights; why depth helps is a separate question
# that it does not answer.
#
# ## Why the sigmoid saturates
#
# The derivative of the sigmoid is $\sigma'(x) = \sigma(x)\,(1 - \sigma(x))$,
# largest at $x = 0$ where both factors are $\tfrac12$. Autograd confirms the
# maximum and shows how quickly it decays:

# %%
import torch

x = torch.tensor([0.0, 2.0, 5.0, 10.0], dtype=torch.float64, requires_grad=True)
print("f'(x) at x =", "".join(f"{v:>10g}" for v in x.tolist()))
for name, f in [("sigmoid", torch.sigmoid), ("tanh", torch.tanh), ("relu", torch.relu)]:
    (grad,) = torch.autograd.grad(f(x).sum(), x)
    print(f"{name:<12}", "".join(f"{g:>10.2e}" for g in grad.tolist()))

# -10 to 10 in steps of 0.001
grid = (torch.arange(-10_000, 10_001, dtype=torch.float64) / 1000).requires_grad_()
(slope,) = torch.autograd.grad(torch.sigmoid(grid).sum(), grid)
print(f"largest sigmoid slope on [-10, 10]: {slope.max():.6f}")
print(f"at x = {grid[slope.argmax()]:.3f}")

# %% [markdown]
# (ReLU has no derivative at 0; PyTorch uses 0 there, the first entry of its
# row.) Backpropagation multiplies one such factor per layer. Even at its best, each
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
# unchanged wherever the unit is active, the main reason modern networks use it.
# Its own weakness is the other side: a unit whose input is negative for every
# example gets zero gradient and can "die". The classic [LeNet](../10-lenet/)
# of chapter 10 uses sigmoids; its modern variant, VGG, ResNet, GoogLeNet and
# DenseNet use ReLU.
#
# Next, [pooling](../07-pooling/) shrinks feature maps and makes them tolerate
# small shifts of a feature.
#
# ## What to remember
#
# - Convolutions are linear. Without an activation between them, any stack of
#   convolutions equals one convolution (here: two 3 × 3 layers = one 5 × 5,
#   up to float64 rounding).
# - One ReLU in between is enough to break this: no single convolution fits
#   the two-layer output.
# - Sigmoid maps to $(0, 1)$ with slope at most $\tfrac14$; tanh maps to
#   $(-1, 1)$ with slope at most 1; both saturate for large inputs, so gradients
#   vanish through many layers.
# - ReLU, $\max(0, x)$, has slope 1 where active and 0 elsewhere: cheap, no
#   saturation for positive inputs, the default in modern CNNs.
# - The universal approximation theorem is about width: one hidden layer with
#   enough units approximates any continuous function on a closed, bounded
#   region.
#
# ## References
#
# - Cybenko, G. (1989). Approximation by superpositions of a sigmoidal
#   function. *Mathematics of Control, Signals and Systems*, 2(4), 303–314.
# - Hornik, K. (1991). Approximation capabilities of multilayer feedforward
#   networks. *Neural Networks*, 4(2), 251–257.
# - Leshno, M., Lin, V. Y., Pinkus, A. & Schocken, S. (1993). Multilayer
#   feedforward networks with a nonpolynomial activation function can
#   approximate any function. *Neural Networks*, 6(6), 861–867.

# %% [markdown]
# ## Exercises
#
# 1. Use autograd to find the sigmoid's slope at $x = 3$, and check it
#    against $\sigma(x)(1 - \sigma(x))$.
#
#     <details><summary>Answer</summary>
#
#     $\sigma(3) \approx 0.9526$, so the slope is about 0.0452, less than a
#     fifth of its value at 0.
#
#     </details>
#
# 2. Even at its steepest each sigmoid layer multiplies the gradient by at
#    most $\tfrac14$. After how many layers is that bound below $10^{-6}$?
#
#     <details><summary>Answer</summary>
#
#     10: $0.25^{9} \approx 3.8 \times 10^{-6}$ but
#     $0.25^{10} \approx 9.5 \times 10^{-7}$.
#
#     </details>
#
# 3. Repeat the ten-layer experiment with tanh, starting from 0.5 and from 0.
#    Why is the gradient so much larger than through ten sigmoids? (Hint:
#    iterate the sigmoid from 0.5 many times and look at where it settles.)
#
#     <details><summary>Answer</summary>
#
#     Through ten tanh layers the gradient is about 0.223 from 0.5, and
#     exactly 1 from 0. Repeated tanh pulls its input towards 0, where its
#     slope is 1. Repeated sigmoid settles at the point where
#     $\sigma(x) = x$, about 0.659, where its slope is
#     $0.659 \cdot (1 - 0.659) \approx 0.225$: each layer shrinks the
#     gradient about fourfold.
#
#     </details>
#
# 4. Two 5 × 5 convolutions without an activation between them equal one
#    convolution. Of what size? Build its kernel as the chapter did (how much
#    padding does $K_1$ need now?) and check.
#
#     <details><summary>Answer</summary>
#
#     9 × 9: each layer adds 4 to the window. Pad $K_1$ by 4 on every side and
#     cross-correlate it with $K_2$ flipped; the one-layer output then matches
#     the two-layer output up to rounding.
#
#     </details>
