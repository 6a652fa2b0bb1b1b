# %% [markdown]
# # 10. LeNet, end to end
#
# Everything so far — [cross-correlation](../02-cross-correlation/),
# [padding and stride](../03-padding-and-stride/), [channels](../04-channels/),
# [activations](../06-activation-functions/), [pooling](../07-pooling/) and the
# [step from feature maps to classes](../08-feature-maps-to-classes/) — comes
# together in **LeNet**. Yann LeCun and colleagues at Bell Labs trained the
# first version in 1989 ("Backpropagation Applied to Handwritten Zip Code
# Recognition"): the first convolutional network whose kernels were learned
# by backpropagation rather than designed by hand. The best-known version,
# **LeNet-5**, came in 1998 ("Gradient-Based Learning Applied to Document
# Recognition", LeCun, Bottou, Bengio and Haffner) and read a large share of
# the cheques written in the United States.
#
# The network the blog trains, and this chapter, is d2l's simplified LeNet-5.
# It keeps LeNet-5's shapes — two convolution and pooling stages, then three
# dense layers of 120, 84 and 10 units — but not all its details: LeNet-5 used
# a scaled tanh ($1.7159 \tanh(\tfrac23 x)$), subsampling layers with a
# trainable weight and bias per channel, a second convolution in which each
# output channel saw only some of the input channels, and a last layer of
# radial basis functions. The training recipe, too, is d2l's (Xavier
# initialisation, plain SGD at learning rate 0.9, 10 epochs), not the 1998
# paper's.
#
# This chapter builds the network, trains it with the full recipe on
# Fashion-MNIST, finds out why it is so slow to get going, and shows what
# today's layers change.
#
# ## The architecture
#
# LeNet has two parts. The **convolutional part** (`net.features`) is two
# blocks of convolution → sigmoid → 2 × 2 average pooling: 6 channels with
# 5 × 5 kernels, then 16 channels with 5 × 5 kernels. The **dense part**
# (`net.classifier`) flattens the $16 \times 5 \times 5$ result and applies
# three fully connected layers. The blog writes it as one `nn.Sequential`; the
# library builds the same layers, and a modern variant of them, in one class:

# %%
from cnnguide.figures import show_source
from cnnguide.models.lenet import LeNet

show_source(LeNet.__init__)

# %% [markdown]
# The diagram below is drawn from the network object itself: each box is a
# layer (its label read from the layer's settings) and under it the shape its
# output has when a 1 × 28 × 28 image goes through (a real forward pass).

# %%
from cnnguide import models
from cnnguide.figures import plot_sequential

net = models.create("lenet")  # the blog's network: sigmoid, average pooling
plot_sequential(net, (1, 1, 28, 28))

# %% [markdown]
# The first convolution pads the 28 × 28 image by 2 pixels on each side, so
# its output stays 28 × 28 (LeNet-5 took 32 × 32 images instead). From then on
# every 5 × 5 convolution takes 4 pixels off the side and every pooling layer
# halves it: 28 → 14 → 10 → 5. `summarize` traces the same forward pass with
# a hook on each layer and also counts parameters and floating-point
# operations:

# %%
from cnnguide.summary import summarize

summary = summarize(net, (1, 1, 28, 28))
summary

# %% [markdown]
# Where do the parameters and the computation go?

# %%
from cnnguide.tables import Table

rows = []
for label, kind in (("convolutions", "Conv2d"), ("dense layers", "Linear")):
    layers = [row for row in summary.rows if row.type == kind]
    params = sum(row.parameters for row in layers)
    flops = sum(row.flops for row in layers)
    rows.append((label, f"{params:,}", f"{params / summary.total_parameters:.1%}",
                 f"{flops:,}", f"{flops / summary.flops:.1%}"))
Table(("layers", "parameters", "share", "FLOPs", "share"), rows, align="lrrrr")

# %% [markdown]
# The convolutions do most of the work with few weights (each 5 × 5 kernel is
# reused at every position), while the dense layers hold almost all the
# weights — the first one alone, $400 \times 120 + 120 = 48{,}120$ of them —
# and do little arithmetic. [VGG](../11-vgg/) keeps this split: its three
# dense layers still hold most of its parameters. Replacing the dense layers
# by global average pooling, which has no weights at all, came with
# Network in Network (Lin et al., 2013) and GoogLeNet
# ([chapter 14](../14-googlenet/)).
#
# ## The data
#
# Fashion-MNIST has the same format as MNIST's digits — 28 × 28 grey images,
# 60,000 for training and 10,000 for testing, ten classes — but shows
# clothes, which makes it harder. `load_fashion_mnist` keeps the images as one
# `uint8` tensor and cuts batches from it, so no image is decoded twice.

# %%
from cnnguide.data import load_fashion_mnist, text_labels
from cnnguide.figures import image_grid

BATCH_SIZE, LR, EPOCHS = 256, 0.9, 10  # the book's recipe
train_iter, test_iter = load_fashion_mnist(BATCH_SIZE, device="cpu", seed=0)
X, y = next(iter(train_iter))
print("one batch:", tuple(X.shape), X.dtype, "| labels:", tuple(y.shape), y.dtype)
print("first labels:", text_labels(y[:4]))
print("training images per class:", train_iter.labels.bincount().tolist())
image_grid(X[:16], y[:16], title="Fashion-MNIST training images")

# %% [markdown]
# ## The training loop
#
# The blog trains with d2l's `train_ch6`. The library keeps a copy of it,
# exactly as the blog runs it, as the baseline that the benchmarks and tests
# measure the library's own loop against:

# %%
from cnnguide.train.blog_loop import train_ch6

show_source(train_ch6, docstring=False)

# %% [markdown]
# Plain mini-batch SGD on the cross-entropy loss, Xavier-initialised weights,
# the running loss and accuracy summed in an `Accumulator`. That last part is
# where the time goes on a GPU: `metric.add` calls `float()` on the loss and
# the accuracy after every batch, and each call makes the CPU wait until the
# GPU has finished that batch before Python can queue the next one.
#
# `cnnguide.train.fit` computes the same weights (a test checks that it does,
# bit for bit) but keeps those sums on the device as tensors and reads them
# once per epoch — or at a few points within it, for the curves:

# %%
from cnnguide.train.sums import EpochSums

show_source(EpochSums)

# %% [markdown]
# It also keeps the whole data set on the training device as one tensor,
# cutting batches as slices rather than decoding images one by one in
# `DataLoader` workers. Everything around the loop — printing, checkpoints,
# the live plot — is a callback, so `fit` itself stays short.
#
# ## Training the blog's LeNet: the full recipe
#
# Ten epochs over all 60,000 images, batches of 256, learning rate 0.9 —
# 2,350 SGD steps. The curves are drawn as the run goes (`LivePlot` redraws
# them after every epoch in a notebook), with five points per epoch for the
# training loss and accuracy, and the test accuracy on all 10,000 test images
# after each epoch.

# %%
import time

from cnnguide.figures import LivePlot
from cnnguide.train import fit

tic = time.perf_counter()
classic = models.create("lenet")
classic_history = fit(classic, train_iter, test_iter, EPOCHS, LR, device="cpu",
                      seed=0, callbacks=[LivePlot(title="The blog's LeNet")])
print(classic_history)
print(f"{time.perf_counter() - tic:.0f} s on this CPU")

# %% [markdown]
# The curve starts flat: for a while the training loss sits at
# $\ln 10 \approx 2.303$, the loss of a uniform guess over ten classes, and
# the accuracy near 10 %, the accuracy of chance. Then the loss drops and the
# network starts to learn. How long the plateau lasts is measured, not
# guessed:

# %%
import math

points = classic_history.points  # (epoch, train loss, train acc) tuples
stuck = [epoch for epoch, loss, _ in points if loss > math.log(10) - 0.05]
print(f"ln 10 = {math.log(10):.4f}")
print(f"points within 0.05 of ln 10: {len(stuck)} of {len(points)}, "
      f"the last at epoch {max(stuck, default=0):.1f}")
print("test accuracy by epoch:", [round(a, 3) for a in classic_history.test_acc])

# %% [markdown]
# (Each point is the mean training loss since the start of its epoch, so the
# curve lags a little behind the network.)
#
# ## Why the sigmoid LeNet sits at chance
#
# Look at the network before any training, with the weights `fit` starts
# from (calling it for 0 epochs only initialises them). Two numbers tell the
# story: how much the ten output scores vary from one image to the next, and
# how large the gradient of each weight layer is.

# %%
from torch import nn

spread, grad_norms = {}, {}
for variant, label in (("classic", "sigmoid, average pooling (blog)"),
                       ("modern", "ReLU, max pooling, batch norm")):
    model = models.create("lenet", variant=variant)
    fit(model, train_iter, test_iter, 0, LR, device="cpu", seed=0)  # init only
    model.train()
    scores = model(X)
    nn.functional.cross_entropy(scores, y).backward()
    spread[label] = scores.std(dim=0).mean().item()  # across the 256 images
    grad_norms[label] = [m.weight.grad.norm().item() for m in model.modules()
                         if isinstance(m, (nn.Conv2d, nn.Linear))]
for label in spread:
    ratio = grad_norms[label][0] / grad_norms[label][-1]
    print(f"{label}:\n  scores vary across images by {spread[label]:.5f} (std)\n"
          f"  gradient norm, first conv / output layer: {ratio:.3g}")

# %%
from cnnguide.figures import gradient_norms_by_depth

gradient_norms_by_depth(grad_norms, title="LeNet at initialisation",
                        xlabel="weight layer (1 = first convolution, 5 = output layer)")

# %% [markdown]
# At initialisation the blog's network gives every image practically the same
# scores. Each sigmoid maps its inputs to values near 0.5 with a slope of at
# most $\tfrac14$, and average pooling smooths what little variation is left,
# so by the time an image reaches the output layer, the differences between
# images have shrunk by orders of magnitude. The gradients shrink the same way
# on the way back: the figure's blue line falls from the output layer (right)
# to the first convolution (left), and the printed ratio, first convolution
# over output layer, is far below 1 for the sigmoid network.
#
# So the only thing SGD can learn quickly is what does not depend on the
# image: the output biases, which converge to the class frequencies — a loss
# of $\ln 10$ when the classes are balanced. To do better, the network has to
# amplify a signal that starts out tiny, and each step amplifies it only a
# little. The large learning rate 0.9 makes each of those tiny-gradient steps
# count; with a "normal" learning rate of 0.1, every step would be nine times
# shorter. The modern variant has the same shapes, but ReLU (slope 1 where
# active) and batch normalization keep the signal's scale from layer to
# layer, so its scores already differ between images before any training.
#
# ## The same shapes, today's layers
#
# `models.create("lenet", variant="modern")` swaps the sigmoids for ReLU, the
# average pooling for max pooling, and adds batch normalization after every
# convolution and hidden dense layer ([chapter 12](../12-batch-normalization/)
# explains it). We train it exactly like the blog's network — same
# initialisation seed, same images in the same order, same learning rate 0.9
# — but for 2 epochs only, and compare it with the blog's network after its
# own first 2 epochs.

# %%
from cnnguide.figures import plot_history

tic = time.perf_counter()
modern = models.create("lenet", variant="modern")
modern_history = fit(modern, train_iter, test_iter, 2, LR, device="cpu", seed=0)
print(f"{modern_history} ({time.perf_counter() - tic:.0f} s)")
plot_history(modern_history, recorded=classic_history, recorded_label="blog's LeNet",
             title="Modern LeNet (solid) against the blog's LeNet (dashed)")

# %%
def params(model):
    return f"{sum(p.numel() for p in model.parameters()):,}"

Table(("network", "parameters", "test acc, 2 epochs", "test acc, 10 epochs"),
      [("blog", params(classic), f"{classic_history.test_acc[1]:.3f}",
        f"{classic_history.test_acc[-1]:.3f}"),
       ("modern", params(modern), f"{modern_history.test_acc[-1]:.3f}", "not run")],
      align="lrrr")

# %% [markdown]
# Same data, same learning rate, same number of steps: compare the two
# networks' accuracies after 2 epochs in the table. (The modern variant has a
# few more parameters, the scales and shifts of batch normalization, and
# fewer biases, which batch normalization makes redundant.)
#
# ## Inside a trained network
#
# From here on we look at the modern network. Its predictions for the first
# 16 test images, wrong ones in red:

# %%
from cnnguide.figures import prediction_grid
from cnnguide.metrics import predict

X_test, y_test = next(iter(test_iter))
prediction_grid(X_test[:16], y_test[:16], predict(modern, X_test[:16]))

# %% [markdown]
# The confusion matrix over all 10,000 test images counts, for each true
# class (rows), how often each class was predicted (columns); the three most
# frequent mistakes are printed above it.

# %%
from cnnguide.figures import confusion_matrix_figure
from cnnguide.metrics import confusion_matrix

modern_cm = confusion_matrix(modern, test_iter)
mistakes = modern_cm.clone()
mistakes.fill_diagonal_(0)
for flat in mistakes.flatten().argsort(descending=True)[:3].tolist():
    true, pred = divmod(flat, 10)
    n = int(mistakes[true, pred])
    print(f"{n:4d} x {text_labels(true)!r} taken for {text_labels(pred)!r}")
confusion_matrix_figure(modern_cm)

# %% [markdown]
# Read the off-diagonal cells, and the printed list: on Fashion-MNIST the
# mistakes usually gather among the tops — T-shirts, pullovers, coats and
# shirts — which at 28 × 28 pixels differ in details like a collar or
# buttons, while trousers, bags and sneakers have shapes of their own.
#
# What do the convolutions compute? Here is one test image and the outputs of
# both convolutional blocks (after batch normalization and ReLU): the 6 maps
# of 28 × 28 from the first, and the 16 maps of 10 × 10 from the second.

# %%
import torch

from cnnguide.figures import feature_map_grid

image = X_test[:1]
modern.eval()
with torch.no_grad():
    first = modern.features[:3](image)[0]  # conv → batch norm → ReLU
    second = modern.features[:7](image)[0]  # ... pool → conv → batch norm → ReLU
name = text_labels(y_test[0])
print(f"image: {name} | first block: {tuple(first.shape)} | "
      f"second block: {tuple(second.shape)}")
feature_map_grid(first, title=f"First convolution block on a test image ({name})", ncols=6)

# %% [markdown]
# Each first-block map is the image filtered by one kernel: some light up on
# the garment's edges, some on its bright or dark regions (a map that is dark
# everywhere has a kernel this image does not excite). The second block's
# maps are coarser, combinations of the first block's responses:

# %%
feature_map_grid(second, title="Second convolution block, same image", ncols=8)

# %% [markdown]
# And the six 5 × 5 kernels of the first convolution after training (red:
# positive weights, blue: negative). Look for kernels that put a positive
# region next to a negative one: that is the pattern of an edge detector,
# which is what the first layer of most trained image networks turns into.

# %%
from cnnguide.figures import kernel_grid

kernel_grid(modern.features[0], title="Learned first-layer kernels of the modern LeNet")

# %% [markdown]
# ## The network in your browser
#
# Draw on the canvas below (dark ink on white, as in the figures above), or
# pick a test image and add strokes: the page runs the modern network this
# chapter has just trained, with its weights exported into the page, and
# shows every layer's output and the ten class probabilities. Try drawing a
# sneaker. (Without JavaScript you see the static figure instead.)

# %%
from cnnguide.figures import live_lenet

live_lenet(modern, X_test[:8], y_test[:8])

# %% [markdown]
# ## The recipe on a GPU
#
# The run above is the book's full recipe, so its final test accuracy can be
# set beside the one d2l prints:

# %%
from cnnguide.recipes import BOOK_ACCURACY, BOOK_SOURCE

print(f"this page, 10 epochs on a CPU: {classic_history.test_acc[-1]:.3f}")
print(f"d2l, quoted:                    {BOOK_ACCURACY['lenet']:.3f}")
print("source of the quote:", BOOK_SOURCE[:60], "...")

# %% [markdown]
# d2l's number is one run on one GPU, with its own random initialisation and
# shuffles, so the two need not agree to the third digit. On a GPU,
# `scripts/reproduce.py` runs the same recipe to measure the library's speed
# there; this page shows that recorded run once it exists.

# %%
from cnnguide.recorded import report_recorded

report_recorded("lenet")

# %% [markdown]
# ## What to remember
#
# - LeNet is two convolution → activation → pooling blocks followed by three
#   dense layers: 28 → 28 → 14 → 10 → 5 pixels per side, then 400 → 120 → 84
#   → 10 units. Its convolutions do most of the computation, its dense layers
#   hold most of the 61,706 parameters.
# - `cnnguide.train.fit` trains with d2l's `train_ch6` semantics, but keeps
#   the data on the device and reads the running loss and accuracy a few
#   times per epoch instead of after every batch.
# - The sigmoid, average-pooling LeNet starts on a plateau: at initialisation
#   its outputs barely depend on the image and the gradients reaching the
#   first layers are tiny, so it sits at chance (loss $\ln 10$) until SGD
#   amplifies the signal. That is why the recipe uses the large learning rate
#   0.9 and 10 epochs.
# - The same shapes with ReLU, max pooling and batch normalization learn with
#   the same recipe from the first steps.
# - Looking inside a trained network — predictions, the confusion matrix,
#   feature maps and first-layer kernels — shows what it learned and where it
#   fails: here, telling tops apart.
#
# ## Exercises
#
# 1. Without padding, the first convolution would see the 28 × 28 image
#    directly. What would the side length be after each layer of
#    `net.features`, and how many inputs would the first dense layer get?
#    Use `cnnguide.ops.conv_output_size`.
#
#    <details><summary>Answer</summary>
#    28 → 24 (conv) → 12 (pool) → 8 (conv) → 4 (pool): 16 × 4 × 4 = 256 inputs
#    instead of 400.
#    </details>
#
# 2. How many parameters does the blog's LeNet have in its convolutions and
#    how many in its dense layers? Check the table above by hand:
#    a `Conv2d(c_in, c_out, 5)` has $25\,c_{in} c_{out} + c_{out}$.
#
#    <details><summary>Answer</summary>
#    Convolutions: (25·1·6 + 6) + (25·6·16 + 16) = 156 + 2,416 = 2,572.
#    Dense layers: 48,120 + 10,164 + 850 = 59,134. Together 61,706.
#    </details>
#
# 3. How many SGD steps does the full recipe take, with batches of 256 over
#    60,000 images for 10 epochs (the last, smaller batch of each epoch
#    included)?
#
#    <details><summary>Answer</summary>
#    ⌈60,000 / 256⌉ = 235 batches per epoch, 2,350 steps in all.
#    </details>
#
# 4. Train the blog's LeNet with learning rate 0.1 instead of 0.9 for the
#    same 10 epochs. Where is the training loss at the end, compared with the
#    run above? Relate it to the plateau.
#
#    <details><summary>Answer</summary>
#    It spends most of the 10 epochs on the plateau. In a run on this site's
#    build machine (2026-12-07, seed 0, measured as above), 34 of the 50
#    points lie within 0.05 of ln 10, the last at epoch 6.8; the loss leaves
#    the plateau in the seventh epoch and ends at 1.11, with a test accuracy
#    of 0.59, far behind the run above. Each step is nine times shorter, so
#    the tiny initial signal takes many more steps to amplify: the plateau
#    lasts about five times as long as the run above's (not nine times: the
#    time to escape is not proportional to the step), and only three epochs
#    are left for learning.
#    </details>
#
# 5. The modern variant drops the biases of the layers followed by batch
#    normalization but adds a scale and a shift per channel. How many
#    parameters does it have? Use `summarize` and explain the difference
#    from 61,706.
#
#    <details><summary>Answer</summary>
#    61,932: the four layers before batch norm lose 6 + 16 + 120 + 84 = 226
#    biases and gain 2 × 226 = 452 scales and shifts, 226 more than 61,706.
#    </details>
