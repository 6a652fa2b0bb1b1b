# %% [markdown]
# # Batch normalization
#
# [Chapter 10](../10-lenet/) ended with a puzzle: the blog's LeNet, with its
# sigmoids, sat at chance for its whole short training run, while the same
# shapes with ReLU, max pooling and **batch normalization** learned at once.
# Batch normalization (Ioffe and Szegedy, 2015) is the ingredient that made
# deep networks — [ResNet](../13-resnet/), [GoogLeNet](../14-googlenet/)'s
# later versions, [DenseNet](../15-densenet/) — routine to train. This chapter
# says what it computes, implements it from scratch, checks it against
# PyTorch, and puts it into LeNet.
#
# ## What it computes
#
# During training, a batch-normalization layer standardises each feature over
# the current mini-batch $\mathcal{B}$, then scales and shifts it by two
# learned parameters:
#
# $$
# \hat{x} = \frac{x - \mu_\mathcal{B}}{\sqrt{\sigma^2_\mathcal{B} + \epsilon}},
# \qquad y = \gamma \odot \hat{x} + \beta,
# $$
#
# where $\mu_\mathcal{B}$ and $\sigma^2_\mathcal{B}$ are the batch's mean and
# variance of that feature and $\epsilon$ (PyTorch uses $10^{-5}$) keeps the
# division safe. What counts as "a feature" depends on the layer before:
#
# - after a **fully connected** layer, the input is $(N, D)$ and each of the
#   $D$ units is normalised over the $N$ examples;
# - after a **convolution**, the input is $(N, C, H, W)$ and each channel is
#   normalised over the $N$ examples *and* all $H \times W$ positions, because
#   a convolution applies the same kernel everywhere — every position of a
#   channel is the same feature. So there are $C$ means, $C$ variances, and
#   $C$ pairs $(\gamma, \beta)$.
#
# The scale $\gamma$ and shift $\beta$ give back what the standardisation took
# away: with $\gamma = \sigma_\mathcal{B}$ and $\beta = \mu_\mathcal{B}$ the
# layer would be the identity, so normalising never limits what the network
# can represent; it only changes how the parameters are laid out for the
# optimiser.
#
# ## Why it helps
#
# The original paper argued that each layer's input distribution keeps
# changing while the layers below it learn — "internal covariate shift" — and
# that fixing the mean and variance removes the problem. That explanation is
# folklore. Santurkar et al. (2018, *How Does Batch Normalization Help
# Optimization?*) injected noise after the normalization, so that the
# distributions kept shifting, and the networks still trained as well as with
# plain batch normalization. What is robustly observed is this:
#
# - networks with batch normalization train with **much larger learning
#   rates** and are far less sensitive to the initialisation;
# - that is what makes **deeper networks** trainable at all with plain SGD;
# - the loss surface is **smoother**: the gradient changes less from one step
#   to the next, so a large step is less likely to overshoot;
# - the batch statistics are noisy estimates, which acts as a mild
#   regulariser.
#
# We will see the first two on LeNet at the end of the chapter.
#
# ## From scratch
#
# `cnnguide.ops.batch_norm` takes the input, $\gamma$, $\beta$ and the running
# statistics, and returns the output with the updated running statistics. After
# checking its arguments, this is all it does:

# %%
import inspect

from cnnguide.ops import batch_norm

source = inspect.getsource(batch_norm)
print(source[source.index("    # Statistics per feature"):])

# %% [markdown]
# Three details follow PyTorch's conventions, and getting them wrong gives a
# layer that *almost* matches `nn.BatchNorm2d`:
#
# 1. The batch is normalised with the **biased** variance (divided by $n$,
#    the number of values per feature), but the running variance is updated
#    with the **unbiased** one (divided by $n - 1$).
# 2. `momentum` is the weight of the **new** batch:
#    $\text{running} \leftarrow (1 - m)\,\text{running} + m\,\text{batch}$, with
#    $m = 0.1$ by default. Some texts, d2l among them, call $0.9$ the momentum
#    and mean the weight of the old value.
# 3. Inputs in half precision are normalised in float32, as PyTorch's kernels
#    do, so that the means of thousands of values keep their digits.
#
# The layer `cnnguide.ops.BatchNorm(num_features, num_dims)` wraps the function
# with PyTorch's names for its state: $\gamma$ is `weight`, $\beta$ is `bias`,
# and the buffers are `running_mean`, `running_var` and `num_batches_tracked`,
# so a state dict moves freely between it and `nn.BatchNorm2d`.
#
# ## Checked against PyTorch
#
# Three training steps on different batches, then one evaluation, with the same
# random $\gamma$ and $\beta$ in both layers; we compare the outputs, the running
# statistics and the gradients with respect to the input, $\gamma$ and $\beta$.

# %%
import torch
from torch import nn

from cnnguide.ops import BatchNorm


def compare(ours, reference, shape, steps=3):
    """Train both layers on the same batches, then evaluate; return the largest differences."""
    torch.manual_seed(0)
    with torch.no_grad():
        reference.weight.uniform_(0.5, 1.5)
        reference.bias.normal_()
    ours.load_state_dict(reference.state_dict())
    diffs = {}

    def record(name, a, b):
        diffs[name] = max(diffs.get(name, 0.0), (a - b).abs().max().item())

    for step in range(steps):
        X = torch.randn(shape) * (2 + step) + 3 * step
        X1, X2 = X.clone().requires_grad_(), X.clone().requires_grad_()
        out1, out2 = ours(X1), reference(X2)
        upstream = torch.randn(out1.shape)
        (out1 * upstream).sum().backward()
        (out2 * upstream).sum().backward()
        record("train output", out1, out2)
        record("running mean", ours.running_mean, reference.running_mean)
        record("running var", ours.running_var, reference.running_var)
        record("grad of input", X1.grad, X2.grad)
    record("grad of gamma", ours.weight.grad, reference.weight.grad)
    record("grad of beta", ours.bias.grad, reference.bias.grad)
    ours.eval(), reference.eval()
    X = torch.randn(shape)
    record("eval output", ours(X), reference(X))
    return diffs


for label, ours, reference, shape in (
        ("BatchNorm2d, input (16, 6, 10, 10)", BatchNorm(6, num_dims=4), nn.BatchNorm2d(6), (16, 6, 10, 10)),
        ("BatchNorm1d, input (32, 120)", BatchNorm(120, num_dims=2), nn.BatchNorm1d(120), (32, 120))):
    print(label)
    for name, diff in compare(ours, reference, shape).items():
        print(f"    max |ours - torch| {name:>14}: {diff:.1e}")

# %% [markdown]
# The differences are float32 rounding, from adding the same numbers in a
# different order. (The test suite runs the same comparison in float64 on
# random shapes, with tolerances a million times tighter.)
#
# ## Training mode and evaluation mode
#
# In training mode the layer uses the statistics of the current batch; in
# evaluation mode (`net.eval()`) it uses the running averages. Take a batch
# whose 3 channels have means near 3 and standard deviations near 2, and
# a fresh layer (running mean 0, running variance 1):

# %%
import torch

from cnnguide.ops import BatchNorm


def channel_stats(Y):
    means = Y.mean(dim=(0, 2, 3)).tolist()
    stds = Y.std(dim=(0, 2, 3)).tolist()
    return " ".join(f"{m:6.3f}/{s:5.3f}" for m, s in zip(means, stds))


torch.manual_seed(0)
batches = [torch.randn(32, 3, 8, 8) * 2 + 3 for _ in range(60)]
bn = BatchNorm(3, num_dims=4)
X = batches[0]
print("per channel, mean/std of")
print("  the input:                      ", channel_stats(X))
print("  output, training mode:          ", channel_stats(bn(X)))
with torch.no_grad():
    bn.eval()
    print("  output, eval mode after 1 batch:", channel_stats(bn(X)))
    bn.train()
    for batch in batches[1:]:
        bn(batch)
    bn.eval()
    print(f"  output, eval mode after {int(bn.num_batches_tracked)} batches:", channel_stats(bn(X)))
print("running mean:", [round(v, 3) for v in bn.running_mean.tolist()])
print("running var: ", [round(v, 3) for v in bn.running_var.tolist()])

# %% [markdown]
# In training mode every channel comes out with mean 0 and standard deviation
# 1, whatever the running statistics. After a single batch the running mean has
# only moved a tenth of the way from 0 towards 3, so evaluation mode shifts and
# scales the data wrongly; after enough batches the running averages settle
# near the true mean and variance and the two modes agree. This is why a
# network with batch normalization must be switched with `net.eval()` before
# testing — and why `cnnguide.train.fit` and `evaluate_accuracy` do it for you.
#
# The other difference: in training mode, an example's output depends on the
# *other examples in its batch*. The same image, normalised inside two different
# batches, comes out differently; in evaluation mode it does not.

# %%
import torch

from cnnguide.ops import BatchNorm

torch.manual_seed(1)
image = torch.randn(1, 3, 8, 8)
batch_a = torch.cat([image, torch.randn(15, 3, 8, 8)])
batch_b = torch.cat([image, torch.randn(15, 3, 8, 8) * 3 + 1])
bn = BatchNorm(3, num_dims=4)
with torch.no_grad():
    for mode in ("training", "evaluation"):
        bn.train(mode == "training")
        gap = (bn(batch_a)[0] - bn(batch_b)[0]).abs().max().item()
        print(f"{mode:>10} mode: the image's output differs between the two batches by up to {gap:.3f}")

# %% [markdown]
# It also means a training batch needs more than one value per feature: with a
# single value the variance is 0 and the unbiased variance is undefined.
# `BatchNorm` refuses such a batch with a `ValueError`, as PyTorch does.
#
# ## Where it goes in a convolutional network
#
# The usual place is **after the convolution (or fully connected layer) and
# before the activation**: convolution → batch norm → activation → pooling.
# The normalization then controls the scale of what the activation receives —
# for a sigmoid, whether it works in its steep middle or its flat tails. A side
# effect: the layer subtracts each channel's mean, so a bias added by the
# convolution just before it cancels out exactly. That is why convolutions
# followed by batch norm are built with `bias=False`.

# %%
import torch
from torch import nn

from cnnguide.ops import BatchNorm

torch.manual_seed(0)
conv = nn.Conv2d(3, 4, kernel_size=3)
X = torch.randn(8, 3, 10, 10)
bn = BatchNorm(4, num_dims=4)
with torch.no_grad():
    with_bias = bn(conv(X))
    without_bias = bn(nn.functional.conv2d(X, conv.weight))  # the same kernels, no bias
print("conv bias:", [round(b, 3) for b in conv.bias.tolist()])
print(f"max |difference| after batch norm: {(with_bias - without_bias).abs().max():.1e}")

# %% [markdown]
# Here is the blog's LeNet with a `BatchNorm` (ours) after each convolution and
# each hidden fully connected layer, and without the biases it makes
# redundant — otherwise the same sigmoids and average pooling:

# %%
from torch import nn

from cnnguide.ops import BatchNorm
from cnnguide.summary import summarize


def lenet_bn():
    """The blog's LeNet (sigmoid, average pooling) with batch normalization before every sigmoid."""
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2, bias=False), BatchNorm(6, num_dims=4), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5, bias=False), BatchNorm(16, num_dims=4), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120, bias=False), BatchNorm(120, num_dims=2), nn.Sigmoid(),
        nn.Linear(120, 84, bias=False), BatchNorm(84, num_dims=2), nn.Sigmoid(),
        nn.Linear(84, 10),
    )


print(summarize(lenet_bn(), (1, 1, 28, 28)))

# %% [markdown]
# Batch normalization adds $2C$ learned parameters per layer ($\gamma$ and
# $\beta$), about as many as the biases it replaces, and a little arithmetic
# that the FLOPs column does not count.
#
# ## Its effect on LeNet
#
# Before training, batch normalization already changes the picture of
# [chapter 10](../10-lenet/): there, the blog's LeNet gave every image nearly the
# same output scores. With normalization before each sigmoid, every sigmoid
# works in its steep middle range, and the scores vary from image to image
# from the start. (`fit` for 0 epochs only initialises the weights, exactly as
# the training runs below will.)

# %%
import torch

from cnnguide import models
from cnnguide.data import load_fashion_mnist
from cnnguide.train import fit

TRAIN_SIZE, BATCH_SIZE, EPOCHS = 10_240, 256, 2
train_iter, test_iter = load_fashion_mnist(BATCH_SIZE, device="cpu", train_size=TRAIN_SIZE,
                                           test_size=2_000, seed=0)
X, y = next(iter(train_iter))
for label, build in (("without batch norm", lambda: models.create("lenet")), ("with batch norm", lenet_bn)):
    net = build()
    fit(net, train_iter, test_iter, 0, 0.9, device="cpu", seed=0)  # initial weights only
    with torch.no_grad():
        spread = net.train()(X).std(dim=0).mean().item()
    print(f"{label:>18}: output scores vary across the batch's images by {spread:.4f} (std)")

# %% [markdown]
# Now train both the same short way as in chapter 10 — same seed, the same
# 10,240 images in the same order, 2 epochs of batches of 256 — at the
# blog's learning rate 0.9, and the batch-normalized one also at 0.1:

# %%
import time

from cnnguide import models
from cnnguide.train import fit

runs = {}
for label, build, lr in (("without BN, lr 0.9", lambda: models.create("lenet"), 0.9),
                         ("with BN, lr 0.9", lenet_bn, 0.9),
                         ("with BN, lr 0.1", lenet_bn, 0.1)):
    tic = time.perf_counter()
    runs[label] = fit(build(), train_iter, test_iter, EPOCHS, lr, device="cpu", seed=0)
    print(f"{label:>18}: {runs[label]} ({time.perf_counter() - tic:.1f} s)")

# %%
from cnnguide.figures import plot_history

plot_history(runs["with BN, lr 0.9"], recorded=runs["without BN, lr 0.9"], recorded_label="without BN",
             title="Sigmoid LeNet with batch norm (solid) and without (dashed), lr 0.9")

# %%
print(f"{'run':>18} {'train loss':>10} {'train acc':>9} {'test acc (2,000)':>16}")
for label, history in runs.items():
    print(f"{label:>18} {history.train_loss[-1]:>10.3f} {history.train_acc[-1]:>9.3f} {history.test_acc[-1]:>16.3f}")

# %% [markdown]
# The only difference between the first two runs is the normalization layers
# (and the biases they make redundant), and it is the difference between a
# network stuck at chance and one that classifies most test images after a
# few dozen steps. Batch normalization does not need the blog's unusually
# large learning rate either: at 0.1 the normalised network learns about as
# well — with so few steps the last digits are noise — whereas the plain
# sigmoid LeNet needs 0.9 and many more steps just to leave its plateau.
#
# These are the page's own short CPU runs. The recorded full-length GPU runs
# (`scripts/reproduce.py`) cover the blog's LeNet — see
# [its chapter](../10-lenet/) — but not this batch-normalized
# version, so there is no longer run to show here.
#
# ## What to remember
#
# - Batch normalization standardises each feature over the mini-batch — each
#   unit of a dense layer over the examples, each channel of a convolution over
#   the examples and all positions — then applies a learned scale $\gamma$ and
#   shift $\beta$.
# - Training mode uses the batch's statistics and updates running averages;
#   evaluation mode uses the running averages, so outputs no longer depend on
#   the rest of the batch. Call `net.eval()` before testing.
# - PyTorch's conventions: normalise with the biased variance, update the
#   running variance with the unbiased one, and `momentum` (0.1) is the weight
#   of the new batch.
# - Put it between the convolution and the activation, and drop the
#   convolution's bias, which it cancels.
# - "Internal covariate shift" is the folklore; what is observed is smoother
#   optimisation that tolerates larger learning rates and deeper networks. On
#   the sigmoid LeNet it turns a network stuck at chance into one that learns
#   within a few dozen steps.
