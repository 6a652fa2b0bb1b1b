# %% [markdown]
# # Beyond one GPU
#
# Every network in this book trains on one device. When a reader takes the
# competition baseline to a data set of real size, one GPU becomes the
# bottleneck, and the tool to use is PyTorch's own: `DistributedDataParallel`
# (DDP), with the processes started by `torchrun`. `cnnguide train` and
# `cnnguide.train.fit` run under it unchanged. This page gives the commands,
# says what changes when a run is spread over several processes, and runs one
# on the CPU machine that builds this site, with the process group on gloo
# (NCCL is for GPUs).
#
# ## The commands
#
# One machine with four GPUs, one process per GPU:
#
# ```bash
# torchrun --nproc-per-node 4 -m cnnguide train resnet18 --device cuda --out runs/r18
# cnnguide train resnet18 --device cuda --out runs/r18 --nproc-per-node 4   # the same, shorter
# ```
#
# Two machines with eight GPUs each: the same command on both, with torchrun's
# rendezvous options naming one host and port that both can reach (the job id
# is any string the two share):
#
# ```bash
# torchrun --nnodes 2 --nproc-per-node 8 --rdzv-backend c10d \
#     --rdzv-endpoint node0.example.org:29500 --rdzv-id resnet18-run1 \
#     -m cnnguide train resnet18 --device cuda --out /shared/runs/r18
# ```
#
# `--nproc-per-node` of `cnnguide train` starts the processes through
# `python -m torch.distributed.run --standalone` (torchrun, on this machine
# only); several machines need torchrun itself. A run can be resumed in the
# same way, with `--resume`, whatever the number of processes it was started
# with: the checkpoint holds one copy of the weights.
#
# ## What changes, and what does not
#
# - **The batch.** `--batch-size` stays the *global* batch: every process reads
#   the same shuffled batch and keeps a contiguous share of it (the shares
#   differ by at most one example). DDP averages the processes' gradients;
#   weighting each process's mean loss by its share's size turns that average
#   into the mean over the whole batch. So the same command computes the same
#   updates on one process or several, and the test below checks it.
# - **The learning rate.** Nothing is rescaled for you. Spreading a batch of 256
#   over four GPUs leaves the recipe as it was; raising the batch to 1,024 to
#   keep four GPUs busy is a different recipe. The usual starting point for that
#   is the linear scaling rule with a warm-up (Goyal et al., 2017, "Accurate,
#   Large Minibatch SGD": learning rate × k for a batch × k, reached over the
#   first epochs), and it has to be checked on the data.
# - **Batch normalization.** Each process normalises by the statistics of its
#   own share, so a network with batch norm no longer computes what one
#   process would (the second measurement below shows by how much).
#   `--sync-batchnorm` (`fit(..., sync_batchnorm=True)`) makes the statistics
#   those of the global batch, with `torch.nn.SyncBatchNorm`; torch supports it
#   on GPUs only, and on a CPU the run is refused before it starts.
# - **The data.** The shuffle is seeded by the epoch, so it is the same in every
#   process; each reads all of it and keeps its share. That is simple and
#   exact, and for Fashion-MNIST resident on the device it costs nothing; a data
#   set too large to read in every process would need `DistributedSampler`,
#   which this library does not use.
# - **Outputs.** Rank 0 alone prints and writes the checkpoint, `run.json`,
#   `metrics.json` (which records `world_size`), the CSV files and the curves.
#   A callback that keeps state the result depends on, such as the baseline's
#   moving average of the weights, runs in every process.
# - **Failures.** A process that raises ends the job: torchrun stops the others
#   and exits non-zero, printing the failed rank's error. A process that
#   disappears without an error makes the others wait at their next collective
#   for at most `CNNGUIDE_DIST_TIMEOUT` seconds (300 by default) before they
#   fail instead of hanging.
#
# ## A measured run on this machine
#
# The same command, a short run of LeNet with ReLU and max pooling
# (`-o variant=relu`: a network that learns within two short epochs, and has
# no batch norm) on 6,000 Fashion-MNIST images, is run once in one process
# and once in two, both started through torchrun so that both pay the same
# start-up. `cnnguide.cli.launch.relaunch` is what `--nproc-per-node` calls; the
# command it runs for two processes is printed first, ready to paste.

# %%
import os
import shlex
import tempfile
import textwrap
import time
from pathlib import Path

from cnnguide.cli.launch import launcher_command, relaunch

runs = Path(tempfile.mkdtemp())
command = ["train", "lenet", "-o", "variant=relu", "--train-size", "6000", "--test-size", "2000",
           "--epochs", "2", "--lr", "0.03", "--device", "cpu", "--quiet"]
launch = ["python", *launcher_command([*command, "--out", str(runs / "p2")], 2)[1:]]
print(" \\\n    ".join(textwrap.wrap(shlex.join(launch), 72, break_on_hyphens=False, break_long_words=False)))
print(f"this machine: {os.cpu_count()} CPU cores, no GPU in use")

# %%
seconds = {}
for processes in (1, 2):
    tic = time.perf_counter()
    status = relaunch([*command, "--out", str(runs / f"p{processes}")], processes)
    seconds[processes] = time.perf_counter() - tic
    assert status == 0, f"the run in {processes} process(es) failed"

# %% [markdown]
# Each run's `metrics.json` holds its history and the world size; the
# checkpoint holds the weights. `cnnguide.cli.launch.compare_runs` puts them side
# by side: wall time (start-up included), the training speed the run measured
# itself, the final test accuracy, and the largest difference between the two
# runs' weights.

# %%
from cnnguide.cli.launch import compare_runs, max_weight_difference

# The sentence below the table says the weights agree closely: this build checks it.
plain_difference = max_weight_difference(runs / "p1", runs / "p2")
assert plain_difference < 1e-3
compare_runs({p: runs / f"p{p}" for p in (1, 2)}, seconds)

# %% [markdown]
# The weights agree to within a thousandth: the two processes compute the
# same updates as one, summed in a different order. Float32 rounds those sums
# differently and two epochs of training carry the rounding forward, so the
# last digits of the weights and of the accuracy may differ. The table is
# not a benchmark, and neither time column says what a
# second device would buy. On a CPU, two processes share the cores one
# process would have used alone (the number is printed above) and add an
# exchange of gradients after every batch; the wall time also counts
# start-up, and this site's pages are executed two at a time, so either run
# may have shared the machine with another page. "examples/s" is each run's
# own measure of its training speed. Data parallelism pays where each process
# has a device of its own.
#
# ### With batch normalization
#
# LeNet's modern variant has batch norm. On one process it normalises by the
# statistics of each batch of 256; on two, each process normalises by those of
# its 128. The same command then gives different weights:

# %%
bn_seconds = {}
for processes in (1, 2):
    tic = time.perf_counter()
    status = relaunch([*command, "-o", "variant=modern", "--out", str(runs / f"bn{processes}")], processes)
    bn_seconds[processes] = time.perf_counter() - tic
    assert status == 0, f"the run in {processes} process(es) failed"
# Far beyond the plain runs' difference, as the text says: this build checks it.
assert max_weight_difference(runs / "bn1", runs / "bn2") > 10 * plain_difference
compare_runs({p: runs / f"bn{p}" for p in (1, 2)}, bn_seconds)

# %%
import json

acc = {p: json.loads((runs / f"bn{p}" / "metrics.json").read_text())["test_acc"][-1] for p in (1, 2)}
print(f"test accuracy after 2 epochs: {acc[1]:.4f} in one process, {acc[2]:.4f} in two "
      f"({acc[2] - acc[1]:+.4f})")

# %% [markdown]
# The difference is not a bug to fix: it is a different normalisation, and
# the runs then follow different paths. After two short epochs their test
# accuracies differ too, as printed; which one comes out ahead, and by how
# much, is the luck of one pair of short runs (a few hundred steps, 2,000
# test images), not a property of either setting. What normalising over
# smaller shares does in a long run is a question for the full recipe.
# `--sync-batchnorm` restores the global batch's statistics on GPUs.
#
# ## Exercises
#
# 1. A run uses `--batch-size 256` on 3 processes. How many examples does
#    each process compute per batch, and with what weight on its mean loss?
#
#     <details><summary>Answer</summary>
#
#     256 = 3 × 85 + 1, so the shares are 86, 85 and 85 examples. The weights
#     are share × processes / batch: $86 \cdot 3 / 256 = 1.0078$ and
#     $85 \cdot 3 / 256 = 0.9961$ (`cnnguide.train.distributed.loss_weight`).
#     DDP averages the gradients, so the result is the mean over all 256.
#
#     </details>
#
# 2. Why must every process shuffle with the same seed?
#
#     <details><summary>Answer</summary>
#
#     Each keeps a share of what it believes is the same batch. With different
#     shuffles, the shares would overlap and miss examples, and the epoch
#     would no longer be one pass over the data.
#
#     </details>
#
# 3. You move from one GPU with batch 128 to eight GPUs and want each GPU to
#    keep computing 128 examples per step. What global batch and, under the
#    linear scaling rule, what learning rate do you start from if the
#    one-GPU recipe used 0.1?
#
#     <details><summary>Answer</summary>
#
#     A global batch of $8 \times 128 = 1024$ and a learning rate of
#     $8 \times 0.1 = 0.8$, reached by a warm-up over the first epochs
#     (Goyal et al., 2017); then check the accuracy against the one-GPU run.
#
#     </details>
#
# 4. Run the measurement above with `--epochs 1` and `--nproc-per-node 2` by
#    hand, then `--epochs 2 --resume` on one process. Do the weights match
#    the two-process run of two epochs?
#
#     <details><summary>Answer</summary>
#
#     They should, as closely as the runs above agree: the checkpoint holds one copy of the
#     weights, the optimizer's state and the random generators, and the
#     shuffle of epoch 2 depends on the seed and the epoch only. The tests of
#     `tests/test_distributed.py` check the same with two processes resuming.
#
#     </details>
