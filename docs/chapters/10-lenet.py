# %% [markdown]
# # LeNet, end to end
#
# Everything so far — [cross-correlation](../02-cross-correlation/),
# [padding and stride](../03-padding-and-stride/), [channels](../04-channels/),
# [activations](../06-activation-functions/), [pooling](../07-pooling/) and the
# [step from feature maps to classes](../08-feature-maps-to-classes/) — comes
# together in **LeNet-5**, the network Yann LeCun and colleagues published in
# 1998 to read handwritten digits (it ended up reading a large share of the
# cheques written in the United States). This chapter builds it, trains it on
# Fashion-MNIST, looks inside the trained network, and finds out why the 1998
# recipe is so slow to get going — and what today's layers change.
#
# ## The architecture
#
# LeNet has two parts. The **convolutional part** (`net.features`) is two
# blocks of convolution → sigmoid → 2 × 2 average pooling: 6 channels with 5 × 5
# kernels, then 16 channels with 5 × 5 kernels. The **dense part**
# (`net.classifier`) flattens the $16 \times 5 \times 5$ result and applies three
# fully connected layers of 120, 84 and 10 units. Feeding a zero image through
# the network layer by layer shows every shape; `summarize` does this with a
# hook on each layer and also counts parameters and floating-point operations
# (FLOPs, two per multiply-accumulate).

# %%
from cnnguide import models
from cnnguide.summary import summarize

net = models.create("lenet")  # the blog's network: sigmoid, average pooling
summary = summarize(net, (1, 1, 28, 28))
print(summary)

# %% [markdown]
# The first convolution pads the 28 × 28 image by 2 pixels on each side, so its
# output stays 28 × 28 (the original LeNet took 32 × 32 images instead). From
# then on every 5 × 5 convolution takes 4 pixels off the side and every pooling
# layer halves it: 28 → 14 → 10 → 5. Where do the parameters and the
# computation go?

# %%
conv_rows = [row for row in summary.rows if row.type == "Conv2d"]
dense_rows = [row for row in summary.rows if row.type == "Linear"]
for label, rows in (("convolutions", conv_rows), ("dense layers", dense_rows)):
    params = sum(row.parameters for row in rows)
    flops = sum(row.flops for row in rows)
    print(f"{label:>12}: {params:6,} parameters ({params / summary.total_parameters:5.1%}), "
          f"{flops:7,} FLOPs ({flops / summary.flops:5.1%})")

# %% [markdown]
# The convolutions do most of the work with few weights (each 5 × 5 kernel is
# reused at every position), while the dense layers hold almost all the
# weights — the first one alone, $400 \times 120 + 120 = 48{,}120$ of them —
# and do little arithmetic. That split holds for every network of this era,
# and it is what [VGG](../11-vgg/) and its successors set out to change.
#
# ## The data
#
# Fashion-MNIST has the same format as MNIST's digits — 28 × 28 grey images,
# 60,000 for training and 10,000 for testing, ten classes — but shows clothes,
# which makes it harder. `load_fashion_mnist` keeps the images as one `uint8`
# tensor and cuts batches from it, so no image is decoded twice. A CPU builds
# this page, so we train on the first 10,240 training images (the files are
# already shuffled, so the classes stay balanced) and measure accuracy on the
# first 2,000 test images after each epoch; the final test accuracy uses all
# 10,000.

# %%
from cnnguide.data import load_fashion_mnist, text_labels
from cnnguide.figures import image_grid

TRAIN_SIZE, BATCH_SIZE, LR, EPOCHS = 10_240, 256, 0.9, 2
train_iter, test_iter = load_fashion_mnist(BATCH_SIZE, device="cpu", train_size=TRAIN_SIZE,
                                           test_size=2_000, seed=0)
X, y = next(iter(train_iter))
print("one batch:", tuple(X.shape), X.dtype, "| labels:", tuple(y.shape), y.dtype)
print("first labels:", text_labels(y[:4]))
print("training images per class:", train_iter.labels.bincount().tolist())
image_grid(X[:16], y[:16], title="Fashion-MNIST training images")

# %% [markdown]
# ## Training the blog's LeNet
#
# The blog trains with d2l's `train_ch6`: plain mini-batch SGD on the
# cross-entropy loss, Xavier-initialised weights, learning rate 0.9, batches of
# 256. `cnnguide.train.fit` keeps exactly those semantics (a test checks that
# it computes the blog loop's weights bit for bit) but differs in how it runs:
# the whole data set sits on the training device as one tensor, batches are
# slices of it rather than images decoded one by one in `DataLoader` workers,
# and the running loss and accuracy stay on the device as tensors, read once
# per epoch. `train_ch6` calls `float()` on them after every batch, which makes
# the CPU wait for a GPU to finish each batch before it can queue the next.
# Here is the recipe, shortened to 2 epochs over our 10,240 images:

# %%
import time

from cnnguide import models
from cnnguide.train import fit

tic = time.perf_counter()
classic = models.create("lenet")
classic_history = fit(classic, train_iter, test_iter, EPOCHS, LR, device="cpu", seed=0)
print(f"{EPOCHS} epochs x {len(train_iter)} batches = {EPOCHS * len(train_iter)} SGD steps")
print(f"{classic_history} ({time.perf_counter() - tic:.1f} s on this CPU)")
print("training loss by epoch: ", [round(v, 4) for v in classic_history.train_loss])
print("test accuracy by epoch:", [round(v, 4) for v in classic_history.test_acc])

# %% [markdown]
# Nothing happened. The loss sits near $\ln 10 \approx 2.303$, the loss of a
# uniform guess over ten classes, and the accuracy near 10 %, the accuracy of
# chance (the curves are drawn further down, next to a network that does
# learn). Counting its predictions on all 10,000 test images (the column sums
# of its confusion matrix, whose rows are the true classes and columns the
# predicted ones) shows what the network does:

# %%
import math

from cnnguide.data import ImageBatches, read_fashion_mnist
from cnnguide.metrics import confusion_matrix

images, labels = read_fashion_mnist("test")
full_test = ImageBatches(images, labels, batch_size=1_000, shuffle=False)
classic_cm = confusion_matrix(classic, full_test)
predicted = classic_cm.sum(dim=0)  # how often each class was predicted
print(f"ln 10 = {math.log(10):.4f}; final training loss = {classic_history.train_loss[-1]:.4f}")
print(f"test accuracy on all 10,000: {classic_cm.trace() / classic_cm.sum():.4f}")
print("classes predicted:", {text_labels(i): int(n) for i, n in enumerate(predicted) if n > 0})

# %% [markdown]
# The network gives (almost) every image the same answer. It has not failed:
# it is on a **plateau** that the full recipe crosses, only later —
# the full 10-epoch run at the end of this chapter shows when.
#
# ## Why the sigmoid LeNet sits at chance
#
# Look at the network before any training, with the weights `fit` starts from
# (calling it for 0 epochs only initialises them). Two numbers tell the story:
# how much the ten output scores vary from one image to the next, and how
# large the gradient of each weight layer is.

# %%
import torch
from torch import nn

from cnnguide import models
from cnnguide.train import fit

X, y = next(iter(train_iter))
spread, grad_norms = {}, {}
for variant, label in (("classic", "sigmoid, average pooling (blog)"),
                       ("modern", "ReLU, max pooling, batch norm")):
    model = models.create("lenet", variant=variant)
    fit(model, train_iter, test_iter, 0, LR, device="cpu", seed=0)  # initial weights only
    model.train()
    scores = model(X)
    nn.functional.cross_entropy(scores, y).backward()
    spread[label] = scores.std(dim=0).mean().item()  # across the 256 images, averaged over classes
    grad_norms[label] = [m.weight.grad.norm().item() for m in model.modules()
                         if isinstance(m, (nn.Conv2d, nn.Linear))]
    print(f"{label:>32}: output scores vary across images by {spread[label]:.5f} (std); "
          f"gradient norm, output layer / first convolution: {grad_norms[label][-1] / grad_norms[label][0]:.3g}")

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
# on the way back: the first convolution receives a gradient hundreds of
# times smaller than the output layer (the ratios are printed above).
#
# So the only thing SGD can learn quickly is what does not depend on the image:
# the output biases, which converge to the class frequencies — a loss of
# $\ln 10$ when the classes are balanced. To do better, the network has to
# amplify a signal that starts out tiny, and each step amplifies it only a
# little. The large learning rate 0.9 makes each of those tiny-gradient steps
# count; with a "normal" learning rate of 0.1, every step would be nine
# times shorter.
# The modern variant has the same shapes, but ReLU (slope 1 where active) and
# batch normalization keep the signal's scale from layer to layer, so its
# scores already differ between images before any training.
#
# ## The same shapes, today's layers
#
# `models.create("lenet", variant="modern")` swaps the sigmoids for ReLU, the
# average pooling for max pooling, and adds batch normalization after every
# convolution and hidden dense layer ([chapter 12](../12-batch-normalization/)
# explains it). It is trained here exactly like the blog's network: same
# initialisation seed, same 10,240 images in the same order, same learning
# rate 0.9, same 2 epochs.

# %%
import time

from cnnguide import models
from cnnguide.figures import plot_history
from cnnguide.train import fit

tic = time.perf_counter()
modern = models.create("lenet", variant="modern")
modern_history = fit(modern, train_iter, test_iter, EPOCHS, LR, device="cpu", seed=0)
print(f"{modern_history} ({time.perf_counter() - tic:.1f} s on this CPU)")
plot_history(modern_history, recorded=classic_history, recorded_label="blog's LeNet",
             title="Modern LeNet (solid) against the blog's LeNet (dashed), trained the same way")

# %%
from cnnguide.metrics import confusion_matrix

modern_cm = confusion_matrix(modern, full_test)
print(f"{'':>8} {'parameters':>10} {'train loss':>10} {'test acc (2,000)':>16} {'test acc (10,000)':>17}")
for label, model, history, cm in (("blog", classic, classic_history, classic_cm),
                                  ("modern", modern, modern_history, modern_cm)):
    params = sum(p.numel() for p in model.parameters())
    print(f"{label:>8} {params:>10,} {history.train_loss[-1]:>10.3f} {history.test_acc[-1]:>16.3f} "
          f"{(cm.trace() / cm.sum()).item():>17.3f}")

# %% [markdown]
# Same budget, same data, same learning rate: one network is still guessing,
# the other classifies most test images correctly after the same number of steps. (The modern
# variant has a few more parameters, the scales and shifts of batch
# normalization, and fewer biases, which batch normalization makes redundant.)
#
# ## Inside the trained network
#
# From here on we look at the modern network, the one that has learned
# something. Its predictions for the first 16 test images, wrong ones in red:

# %%
from cnnguide.figures import prediction_grid
from cnnguide.metrics import predict

X_test, y_test = next(iter(full_test))
prediction_grid(X_test[:16], y_test[:16], predict(modern, X_test[:16]))

# %% [markdown]
# The confusion matrix over all 10,000 test images shows which mistakes are
# common; the three most frequent are printed above it. Tops are the hard
# part: at 28 × 28 pixels a shirt, a pullover and a coat differ in details
# like a collar or buttons, while trousers, bags and sneakers have shapes of
# their own.

# %%
from cnnguide.data import text_labels
from cnnguide.figures import confusion_matrix_figure

mistakes = modern_cm.clone()
mistakes.fill_diagonal_(0)
for flat in mistakes.flatten().argsort(descending=True)[:3].tolist():
    true, pred = divmod(flat, 10)
    print(f"{int(mistakes[true, pred]):4d} x {text_labels(true)!r} taken for {text_labels(pred)!r}")
confusion_matrix_figure(modern_cm)

# %% [markdown]
# What do the convolutions compute? Here is one test image and the outputs of
# both convolutional blocks (after batch normalization and ReLU): the 6 maps of
# 28 × 28 from the first, which respond to edges and bright or dark regions,
# and the 16 maps of 10 × 10 from the second, coarser combinations of those.

# %%
import torch

from cnnguide.data import text_labels
from cnnguide.figures import feature_map_grid

image = X_test[:1]
modern.eval()
with torch.no_grad():
    first = modern.features[:3](image)[0]  # conv → batch norm → ReLU
    second = modern.features[:7](image)[0]  # ... pool → conv → batch norm → ReLU
print("image:", text_labels(y_test[0]), "| first block:", tuple(first.shape), "| second block:", tuple(second.shape))
feature_map_grid(first, title=f"First convolution block on a test image ({text_labels(y_test[0])})", ncols=6)

# %%
feature_map_grid(second, title="Second convolution block, same image", ncols=8)

# %% [markdown]
# The six 5 × 5 kernels of the first convolution after this short training
# (red: positive weights, blue: negative). They are still rough — a few dozen
# steps move them only part of the way from their random start — but some
# already put a positive region next to a negative one, the pattern of an edge
# detector, which is what the first layer of most trained image networks
# turns into.

# %%
from cnnguide.figures import kernel_grid

kernel_grid(modern.features[0], title="Learned first-layer kernels of the modern LeNet")

# %% [markdown]
# ## The full recipe
#
# The blog's recipe is 10 epochs over all 60,000 training images, many times
# more steps than this page can afford on a CPU (printed below). On a GPU,
# `scripts/reproduce.py` runs it and records the result in
# `docs/recorded/lenet.json`, which this page shows when it exists.

# %%
import math

from IPython.display import display

from cnnguide.figures import plot_history
from cnnguide.recipes import BOOK_ACCURACY, BOOK_SOURCE, get_recipe
from cnnguide.recorded import describe_recorded, load_recorded

recipe = get_recipe("lenet")
recorded_run = load_recorded("lenet")
full_steps = recipe.epochs * math.ceil(60_000 / recipe.batch_size)
print(f"recipe: lr {recipe.lr}, batch {recipe.batch_size}, {recipe.epochs} epochs, {recipe.resize}x{recipe.resize} images: "
      f"{full_steps:,} steps, {full_steps / (EPOCHS * len(train_iter)):.0f} times this page's run")
print(f"quoted: d2l reports test accuracy {BOOK_ACCURACY['lenet']} after 10 epochs ({BOOK_SOURCE})")
if recorded_run is None:
    print("No GPU run of the full recipe has been recorded yet. To record one:")
    print("   ", recipe.command())
else:
    print(describe_recorded(recorded_run))
    print(f"recorded: test accuracy {recorded_run.test_acc[-1]:.3f} after {recorded_run.epochs} epochs")
    print("recorded test accuracy by epoch:", [round(a, 3) for a in recorded_run.test_acc])
    display(plot_history(recorded_run, title="Recorded GPU run of the full recipe (10 epochs of 60,000 images)"))

# %% [markdown]
# ## What to remember
#
# - LeNet is two convolution → activation → pooling blocks followed by three
#   dense layers: 28 → 28 → 14 → 10 → 5 pixels per side, then 400 → 120 → 84
#   → 10 units. Its convolutions do most of the computation, its dense layers
#   hold most of the 61,706 parameters.
# - `cnnguide.train.fit` trains with d2l's `train_ch6` semantics, but keeps
#   the data on the device and reads the running loss and accuracy once per
#   epoch instead of after every batch.
# - The sigmoid, average-pooling LeNet starts on a plateau: at initialisation
#   its outputs barely depend on the image and the gradients reaching the
#   first layers are tiny, so it sits at chance (loss $\ln 10$) until SGD
#   amplifies the signal. That is why the recipe uses the large learning rate
#   0.9 and 10 epochs.
# - The same shapes with ReLU, max pooling and batch normalization learn in a
#   few dozen steps with the same recipe.
# - Looking inside a trained network — predictions, the confusion matrix,
#   feature maps and first-layer kernels — shows what it learned and where it
#   fails: here, telling tops apart.
