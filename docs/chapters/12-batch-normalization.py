# %% [markdown]
# # 12. Batch normalization
#
# [Chapter 10](../10-lenet/) trained the blog's LeNet with its full recipe, ten
# epochs over all 60,000 images, and saw it start on a plateau: with its
# sigmoids and average pooling it gives every image nearly the same scores at
# first, and sits at chance until SGD has amplified a tiny signal. The same
# shapes with ReLU, max pooling and **batch normalization** had no such
# plateau. Batch normalization (Ioffe and Szegedy, 2015) is the
# ingredient that made deep networks — [ResNet](../13-resnet/),
# [GoogLeNet](../14-googlenet/)'s later versions, [DenseNet](../15-densenet/)
# — routine to train. This chapter says what it computes, implements it from
# scratch, checks it against PyTorch, and puts it into the blog's LeNet
# alone, without the other two changes, to see what it does by itself.
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
# away: with $\gamma = \sqrt{\sigma^2_\mathcal{B} + \epsilon}$ and
# $\beta = \mu_\mathcal{B}$ the layer returns its input unchanged, so
# normalising does not limit what the network can represent (the argument of
# the original paper); it changes how the parameters are laid out for the
# optimiser. A check on one batch, with our layer
# `cnnguide.ops.BatchNorm` (built below) in training mode:

# %%
import torch

from cnnguide.ops import BatchNorm

torch.manual_seed(0)
X = torch.randn(8, 3, 5, 5) * 2 + 3
bn = BatchNorm(3, num_dims=4)
with torch.no_grad():
    mean, var = X.mean(dim=(0, 2, 3)), X.var(dim=(0, 2, 3), unbiased=False)
    bn.weight.copy_(torch.sqrt(var + bn.eps))  # gamma
    bn.bias.copy_(mean)                         # beta
    print(f"max |BN(X) - X| = {(bn(X) - X).abs().max():.1e}")

# %% [markdown]
# The difference is float32 rounding. (With $\gamma = \sigma_\mathcal{B}$,
# leaving out $\epsilon$, the output would be off by a factor
# $\sigma / \sqrt{\sigma^2 + \epsilon}$, invisible here at
# $\sigma^2 \approx 4$, but not for a feature whose variance is near
# $\epsilon$.)
#
# ## Why it helps
#
# The original paper argued that each layer's input distribution keeps
# changing while the layers below it learn — "internal covariate shift" — and
# that fixing the mean and variance removes the problem. That explanation is
# folklore. Santurkar et al. (2018, *How Does Batch Normalization Help
# Optimization?*) injected noise after the normalization, so that the
# distributions kept shifting, and the networks still trained as well as with
# plain batch normalization. What the papers report, and practice confirms,
# is this:
#
# - networks with batch normalization tolerate **much larger learning
#   rates** and are less sensitive to the initialisation (Ioffe and Szegedy
#   trained their batch-normalized Inception network with learning rates 5
#   and 30 times the original's; at 5 times it reached the original's
#   accuracy in 14 times fewer training steps);
# - that makes **deep** stacks much easier to train: before it, the VGG paper
#   started its deeper networks from the weights of a trained shallower one,
#   and [GoogLeNet](../14-googlenet/) added auxiliary classifiers to push
#   gradient into its middle layers;
# - the loss surface is **smoother** (Santurkar et al.): the gradient
#   changes less from one step to the next, so a large step is less likely to
#   overshoot;
# - the batch statistics are noisy estimates, which acts as a mild
#   regulariser (in some of Ioffe and Szegedy's experiments it made dropout
#   unnecessary).
#
# This chapter's experiment, at the end, shows something narrower and more
# basic: on the blog's sigmoid LeNet, batch normalization alone is the
# difference between a network stuck at chance and one that learns, in the
# same few dozen steps.
#
# ## From scratch
#
# `cnnguide.ops.batch_norm` takes the input, $\gamma$, $\beta$ and the running
# statistics, and returns the output with the updated running statistics. After
# checking its arguments, this is all it does (the listing is the library's
# own source, from the line where the computation starts):

# %%
from cnnguide.figures import SourceListing, show_source
from cnnguide.ops import batch_norm

listing = show_source(batch_norm)
lines = listing.code.splitlines(keepends=True)
start = next(i for i, line in enumerate(lines) if "# Statistics per feature" in line)
first_line = listing.first_line + start
SourceListing(listing.name, listing.path, first_line, "".join(lines[start:]))

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
    """Train both layers on the same batches, then evaluate; the largest differences."""
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


for ours, reference, shape in (
        (BatchNorm(6, num_dims=4), nn.BatchNorm2d(6), (16, 6, 10, 10)),
        (BatchNorm(120, num_dims=2), nn.BatchNorm1d(120), (32, 120))):
    print(f"{type(reference).__name__}, input {shape}")
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
    batches_seen = int(bn.num_batches_tracked)
    print(f"  output, eval mode after {batches_seen} batches:", channel_stats(bn(X)))
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
        print(f"{mode:>10} mode: the image's outputs in the two batches "
              f"differ by {gap:.3f}")

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
difference = (with_bias - without_bias).abs().max()
print(f"max |difference| after batch norm: {difference:.1e}")

# %% [markdown]
# Here is the blog's LeNet with a `BatchNorm` (ours) after each convolution and
# each hidden fully connected layer, and without the biases it makes
# redundant — otherwise the same sigmoids and average pooling:

# %%
from torch import nn

from cnnguide.ops import BatchNorm
from cnnguide.summary import summarize


def lenet_bn():
    """The blog's LeNet (sigmoid, average pooling), batch norm before every sigmoid."""
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2, bias=False), BatchNorm(6, num_dims=4),
        nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5, bias=False), BatchNorm(16, num_dims=4),
        nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120, bias=False), BatchNorm(120, num_dims=2),
        nn.Sigmoid(),
        nn.Linear(120, 84, bias=False), BatchNorm(84, num_dims=2), nn.Sigmoid(),
        nn.Linear(84, 10),
    )


summarize(lenet_bn(), (1, 1, 28, 28))

# %% [markdown]
# (FLOPs here count a multiply-accumulate as two operations, in convolutions
# and linear layers only.) Each batch-normalization layer over $C$ features
# adds $2C$ learned parameters, $\gamma$ and $\beta$, twice the $C$ biases it
# makes redundant, plus $2C$ running statistics, which are buffers, not
# parameters. Against the blog's LeNet:

# %%
from cnnguide import models

count = lambda net: sum(p.numel() for p in net.parameters())  # noqa: E731
plain, normalized = models.create("lenet"), lenet_bn()
bn_layers = [m for m in normalized.modules() if isinstance(m, BatchNorm)]
features = sum(m.num_features for m in bn_layers)
print(f"{len(bn_layers)} batch norms over {features} features: "
      f"+{2 * features} (gamma, beta), -{features} biases")
print(f"blog's LeNet {count(plain):,} parameters, with batch norm "
      f"{count(normalized):,} (+{count(normalized) - count(plain)})")

# %% [markdown]
# The arithmetic it adds (a subtraction, a division, a multiplication and an
# addition per value) is not in the FLOPs column, which counts only
# convolutions and linear layers.
#
# ## Its effect on LeNet
#
# Before training, batch normalization already changes the picture of
# [chapter 10](../10-lenet/): there, the blog's LeNet gave every image nearly the
# same output scores. With normalization before each sigmoid, every sigmoid
# receives inputs of mean 0 and variance 1, its steep middle range, and the
# scores vary from image to image from the start. (`fit` for 0 epochs only
# initialises the weights, exactly as the training runs below will.)

# %%
import torch

from cnnguide import models
from cnnguide.data import load_fashion_mnist
from cnnguide.train import fit

TRAIN_SIZE, BATCH_SIZE, EPOCHS = 10_240, 256, 2
train_iter, test_iter = load_fashion_mnist(
    BATCH_SIZE, device="cpu", train_size=TRAIN_SIZE, test_size=2_000, seed=0)
X, y = next(iter(train_iter))
builders = {"without batch norm": lambda: models.create("lenet"),
            "with batch norm": lenet_bn}
for label, build in builders.items():
    net = build()
    fit(net, train_iter, test_iter, 0, 0.9, device="cpu", seed=0)  # initial weights
    with torch.no_grad():
        spread = net.train()(X).std(dim=0).mean().item()
    print(f"{label:>18}: output scores vary across the batch's images by "
          f"{spread:.4f} (std)")

# %% [markdown]
# Now train both the same short way — seed 0, the same
# 10,240 images in the same order, 2 epochs of batches of 256 — at the
# blog's learning rate 0.9, and the batch-normalized one also at 0.1:

# %%
import time

from cnnguide import models
from cnnguide.train import fit

nets, runs = {}, {}
for label, build, lr in (("without BN, lr 0.9", lambda: models.create("lenet"), 0.9),
                         ("with BN, lr 0.9", lenet_bn, 0.9),
                         ("with BN, lr 0.1", lenet_bn, 0.1)):
    tic = time.perf_counter()
    nets[label] = build()
    runs[label] = fit(nets[label], train_iter, test_iter, EPOCHS, lr, device="cpu",
                      seed=0)
    print(f"{label:>18}: trained in {time.perf_counter() - tic:.1f} s")
steps = EPOCHS * len(train_iter)
print(f"{EPOCHS} epochs x {len(train_iter)} batches = {steps} SGD steps each")
print(f"{'run':>18} {'train loss':>10} {'train acc':>9} {'test acc (2,000)':>16}")
for label, h in runs.items():
    print(f"{label:>18} {h.train_loss[-1]:>10.3f} {h.train_acc[-1]:>9.3f} "
          f"{h.test_acc[-1]:>16.3f}")

# %%
from cnnguide.figures import plot_history

plot_history(runs["with BN, lr 0.9"], recorded=runs["without BN, lr 0.9"],
             recorded_label="without BN",
             title="Sigmoid LeNet with batch norm (solid) and without (dashed), lr 0.9")

# %% [markdown]
# The dashed curves, without batch normalization, settle at a loss of
# $\ln 10$ and an accuracy of 0.1 and stay there: the network of chapter 10
# on its plateau. The solid ones, with it, rise above chance. (The training
# curves are means over the epoch so far, five points per epoch, restarted at
# each epoch, hence the step after epoch 1; the test accuracy is measured at
# the end of each epoch.) The only difference between the two runs is the
# normalization layers (and the biases they make redundant), and it is the
# difference between a network stuck at chance and one that learns, in the
# same 80 steps: the table above gives where each run ends.
#
# The batch-normalized network also learns at learning rate 0.1, so it does
# not depend on the blog's unusually large step; the plain sigmoid LeNet, even
# at 0.9, has not left its plateau in these steps (the first row). Which of
# the two learning rates is better for the normalized network, these runs
# cannot say. Their rows in the table differ, and the training loss and the
# test accuracy need not rank them the same way. A gap between two short runs
# has several sources, and one run of each cannot separate them:
#
# - **the test set**: on 2,000 images an accuracy near $p$ has a standard
#   error of $\sqrt{p(1 - p)/2000}$, about one point (printed below); a gap
#   of several points is more than the test sample's noise;
# - **the run itself**: another initialisation seed or another order of the
#   10,240 images gives another 80-step run, and by how much its accuracy
#   moves, one run per learning rate cannot tell; telling the two learning
#   rates apart would take several seeds for each, longer runs, and a gap
#   larger than the spread of each;
# - **the running statistics**: the test pass uses running averages of the
#   batch statistics, which lag behind the weights when the weights move fast,
#   as they do at 0.9 more than at 0.1.
#
# The last one can be measured here. Evaluate each trained network a second
# time in training mode, so that batch norm uses the statistics of each test
# batch of 256 instead of the running averages (on a copy, because training
# mode also updates the running averages; this is a diagnosis, not a way to
# test a network, since each test image then depends on the others in its
# batch):

# %%
import copy
import math

import torch


def accuracy_with_batch_statistics(net, data_iter):
    """Test accuracy with every batch norm using the test batch's own statistics."""
    net = copy.deepcopy(net).train()
    correct = total = 0
    with torch.no_grad():
        for X, y in data_iter:
            correct += (net(X).argmax(dim=1) == y).sum().item()
            total += len(y)
    return correct / total


print(f"{'':>16} {'running averages':>16} {'test batch statistics':>21} "
      f"{'std error':>9}")
for label in ("with BN, lr 0.9", "with BN, lr 0.1"):
    p = runs[label].test_acc[-1]
    own = accuracy_with_batch_statistics(nets[label], test_iter)
    error = math.sqrt(p * (1 - p) / len(test_iter.labels))
    print(f"{label:>16} {p:>16.3f} {own:>21.3f} {error:>9.3f}")

# %% [markdown]
# The first column is the test accuracy of the table above. Where the second
# column is higher, that much of the run's test accuracy was lost to running
# averages that had not caught up with the weights. Whatever gap remains
# between the two learning rates in the second column is a difference between
# the trained networks themselves, for this seed and these 80 steps.
#
# These are the page's own short CPU runs. `scripts/reproduce.py` records
# full-length GPU runs of the blog's LeNet ([its chapter](../10-lenet/) shows
# one once it is recorded), but not of this batch-normalized version, so
# there is no longer run to show here.
#
# ## What to remember
#
# - Batch normalization standardises each feature over the mini-batch — each
#   unit of a dense layer over the examples, each channel of a convolution over
#   the examples and all positions — then applies a learned scale $\gamma$ and
#   shift $\beta$; $\gamma = \sqrt{\sigma^2 + \epsilon}$ and $\beta = \mu$ give
#   back the identity.
# - Training mode uses the batch's statistics and updates running averages;
#   evaluation mode uses the running averages, so outputs no longer depend on
#   the rest of the batch. Call `net.eval()` before testing.
# - PyTorch's conventions: normalise with the biased variance, update the
#   running variance with the unbiased one, and `momentum` (0.1) is the weight
#   of the new batch.
# - Put it between the convolution and the activation, and drop the
#   convolution's bias, which it cancels; it adds $2C$ parameters per layer,
#   twice the biases it replaces.
# - "Internal covariate shift" is the folklore; what is observed is smoother
#   optimisation that tolerates larger learning rates and deeper networks. On
#   the sigmoid LeNet it turns a network stuck at chance into one that learns
#   within the same 80 steps.
# - Running averages lag behind fast-moving weights, so a short run's test
#   accuracy can understate what the network has learned: measure it.
#
# ## Exercises
#
# 1. How many parameters does `nn.BatchNorm2d(64)` have, how many buffers
#    (count the elements of `running_mean` and `running_var`), and how many
#    parameters does a 3 × 3 convolution from 64 to 64 channels save by
#    dropping its bias when it is followed by that batch norm?
#
#     <details><summary>Answer</summary>
#
#     128 parameters ($\gamma$ and $\beta$, 64 each) and 128 running
#     statistics (plus the counter `num_batches_tracked`). The convolution
#     drops 64 biases: `conv_param_count(64, 64, 3)` is 36,928 with them and
#     36,864 without. So batch norm costs 64 more parameters than it saves.
#
#     </details>
#
# 2. A `BatchNorm` in evaluation mode with running mean $m$, running variance
#    $v$, scale $\gamma$ and shift $\beta$ is an affine map
#    $y = a x + b$ per feature, which can be folded into the convolution
#    before it. For $m = 3$, $v = 4$, $\gamma = 2$, $\beta = 1$ and
#    $\epsilon = 10^{-5}$, what are $a$ and $b$ (to three decimals)?
#
#     <details><summary>Answer</summary>
#
#     $a = \gamma / \sqrt{v + \epsilon} = 2 / \sqrt{4.00001}$, which is 1.000 to
#     three decimals (0.9999988), and $b = \beta - a m = 1 - 3a$, which is
#     −2.000. Folding them into the convolution (weights times $a$, bias times
#     $a$ plus $b$) is what inference engines do, so that batch norm costs
#     nothing at test time.
#
#     </details>
#
# 3. In training mode, a batch of 16 values per feature: what factor turns
#    the biased variance the layer normalises with into the unbiased one it
#    stores in `running_var`? And for a convolution's batch of 16 images of
#    10 × 10 positions?
#
#     <details><summary>Answer</summary>
#
#     $n / (n - 1)$: for $n = 16$ it is 16/15 = 1.0667; for the convolution
#     each channel has $n = 16 \cdot 10 \cdot 10$ = 1,600 values, and the
#     factor is 1,600/1,599 = 1.0006, so close to 1 that getting it wrong only
#     shows in the fourth digit.
#
#     </details>
#
# 4. With momentum 0.1, after how many training batches of the same mean
#    $\mu$ has the running mean, starting from 0, covered 90% of the way to
#    $\mu$? (The running mean after $t$ batches is $(1 - 0.9^t)\,\mu$.)
#
#     <details><summary>Answer</summary>
#
#     After 22 batches: $1 - 0.9^{21} = 0.891$ is still short of 0.9, and
#     $1 - 0.9^{22} = 0.902$ passes it. The running averages remember roughly
#     the last ten to twenty batches; a short run in which the weights still
#     change quickly leaves them behind.
#
#     </details>
