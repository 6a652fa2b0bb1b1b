# %% [markdown] en="6d6f0b78bb43"
# # 超越单块 GPU
#
# 本书中的每个网络都在单个设备上训练。当读者把竞赛基线用到真实规模的数据集上时，单块 GPU 就会成为瓶颈，这时该用的是 PyTorch 自带的工具：`DistributedDataParallel`（DDP），并由 `torchrun` 启动各个进程。`cnnguide train` 和 `cnnguide.train.fit` 无需任何修改就能在它之下运行。本页给出相关命令，说明一次运行分散到多个进程时有哪些变化，并在构建本站的这台 CPU 机器上实际运行一次，进程组使用 gloo 后端（NCCL 是用于 GPU 的）。
#
# ## 命令
#
# 一台机器、四块 GPU，每块 GPU 一个进程：
#
# ```bash
# torchrun --nproc-per-node 4 -m cnnguide train resnet18 --device cuda --out runs/r18
# cnnguide train resnet18 --device cuda --out runs/r18 --nproc-per-node 4   # 作用相同，写法更短
# ```
#
# 两台机器、每台八块 GPU：在两台机器上运行同一条命令，用 torchrun 的 rendezvous（会合）选项指定一个两台机器都能访问到的主机和端口（作业 id 可以是两者共用的任意字符串）：
#
# ```bash
# torchrun --nnodes 2 --nproc-per-node 8 --rdzv-backend c10d \
#     --rdzv-endpoint node0.example.org:29500 --rdzv-id resnet18-run1 \
#     -m cnnguide train resnet18 --device cuda --out /shared/runs/r18
# ```
#
# `cnnguide train` 的 `--nproc-per-node` 通过 `python -m torch.distributed.run --standalone` 启动各个进程（也就是只在本机上运行的 torchrun）；多台机器则需要直接使用 torchrun。一次运行同样可以用 `--resume` 恢复，而不论它最初是用多少个进程启动的：检查点中只保存一份权重。
#
# ## 哪些会变，哪些不变
#
# - **批量。** `--batch-size` 仍然是*全局*批量：每个进程读取同一个打乱后的批量，并保留其中连续的一份（各份的大小至多相差一个样本）。DDP 对各进程的梯度取平均；用每个进程那一份的大小给它的平均损失加权，就能把这个平均变成整个批量上的平均。因此，同一条命令无论在一个进程还是多个进程上，计算出的更新都相同，下面的测试会检查这一点。
# - **学习率。** 没有任何东西会自动为你重新缩放。把 256 的批量分到四块 GPU 上，训练方案保持不变；而为了让四块 GPU 都忙起来把批量增大到 1,024，就是另一套训练方案了。这种情况通常的出发点是带预热的线性缩放规则（Goyal 等，2017，"Accurate, Large Minibatch SGD"：批量乘以 k 时学习率也乘以 k，并在最初几轮中逐渐升到该值），而且必须在数据上加以检验。
# - **批量归一化。** 每个进程用自己那一份数据的统计量做归一化，所以带批量归一化的网络计算出的结果不再与单个进程的相同（下面的第二次测量显示了差别有多大）。`--sync-batchnorm`（`fit(..., sync_batchnorm=True)`）借助 `torch.nn.SyncBatchNorm` 让统计量取自全局批量；torch 只在 GPU 上支持它，在 CPU 上，运行在开始之前就会被拒绝。
# - **数据。** 打乱以轮次为种子，因此在每个进程中都相同；每个进程读取全部数据，再保留自己的那一份。这种做法简单而精确，对于常驻在设备上的 Fashion-MNIST 也没有任何开销；如果数据集太大，无法在每个进程中都读取一遍，就需要 `DistributedSampler`，而本库没有使用它。
# - **输出。** 只有 rank 0（0 号进程）负责打印，并写入检查点、`run.json`、`metrics.json`（其中记录了 `world_size`）、CSV 文件和曲线。如果某个回调保存着结果所依赖的状态，例如基线中权重的滑动平均，它就会在每个进程中运行。
# - **故障。** 一个进程抛出异常就会终止整个作业：torchrun 会停止其他进程，以非零状态退出，并打印出失败的那个 rank 的错误。如果一个进程没有报错就消失了，其他进程会在下一次集合通信处等待，最多等 `CNNGUIDE_DIST_TIMEOUT` 秒（默认 300 秒），然后报错退出，而不是一直挂起。
#
# ## 在本机上实测一次运行
#
# 同一条命令——在 6,000 张 Fashion-MNIST 图像上短时间训练使用 ReLU 和最大池化的 LeNet（`-o variant=relu`：这个网络在两个短轮次之内就能学到东西，而且没有批量归一化）——分别用一个进程和两个进程各运行一次，两次都通过 torchrun 启动，这样两者承担的启动开销相同。`--nproc-per-node` 调用的就是 `cnnguide.cli.launch.relaunch`；下面先打印出它在两个进程时运行的命令，可以直接复制粘贴。

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

# %% [markdown] en="224dda0f0c9e"
# 每次运行的 `metrics.json` 保存着它的训练历史和 world size（进程总数），检查点则保存着权重。`cnnguide.cli.launch.compare_runs` 把两次运行并排列出：实际耗时（包括启动时间）、运行自己测得的训练速度、最终的测试准确率，以及两次运行的权重之间的最大差值。

# %%
from cnnguide.cli.launch import compare_runs, max_weight_difference

# The sentence below the table says the weights agree closely: this build checks it.
plain_difference = max_weight_difference(runs / "p1", runs / "p2")
assert plain_difference < 1e-3
compare_runs({p: runs / f"p{p}" for p in (1, 2)}, seconds)

# %% [markdown] en="388a7be64fe1"
# 两次运行的权重相差在千分之一以内：两个进程计算的更新与一个进程相同，只是求和的顺序不同。float32 对这些和的舍入方式不同，两轮训练又会把舍入误差一路带下去，所以权重和准确率的最后几位数字可能不同。这张表不是基准测试，两个时间列也都不能说明多一个设备能带来多少收益。在 CPU 上，两个进程分享的是一个进程本来独自使用的那些核心（核心数已在上方打印出来），而且每个批量之后还要交换一次梯度；实际耗时中还包括启动时间，并且本站的页面是两个一组同时执行的，所以任何一次运行都可能与另一个页面共用了机器。“examples/s”是每次运行自己测得的训练速度。只有当每个进程都有自己的设备时，数据并行才能带来收益。
#
# ### 带批量归一化的情形
#
# LeNet 的现代变体带有批量归一化。在一个进程上，它用每个 256 个样本的批量的统计量做归一化；在两个进程上，每个进程用自己那 128 个样本的统计量做归一化。于是，同一条命令会得到不同的权重：

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

# %% [markdown] en="53ee5ac70a51"
# 这个差异并不是需要修复的 bug：这是一种不同的归一化，两次运行随后便沿着不同的路径前进。两个短轮次之后，它们的测试准确率也不同，如上面打印的结果所示；哪一个领先、领先多少，只是这一对短时间运行（几百步、2,000 张测试图像）的运气，而不是哪一种设置的性质。在较长的运行中，在较小的份额上做归一化会带来什么影响，需要用完整的训练方案来回答。在 GPU 上，`--sync-batchnorm` 可以恢复全局批量的统计量。
#
# ## 练习
#
# 1. 一次运行在 3 个进程上使用 `--batch-size 256`。每个进程每个批量计算多少个样本？它的平均损失的权重是多少？
#
#     <details><summary>答案</summary>
#
#     256 = 3 × 85 + 1，所以各份分别是 86、85 和 85 个样本。权重等于份额 × 进程数 / 批量：$86 \cdot 3 / 256 = 1.0078$ 和 $85 \cdot 3 / 256 = 0.9961$（`cnnguide.train.distributed.loss_weight`）。DDP 对梯度取平均，所以结果就是全部 256 个样本上的平均。
#
#     </details>
#
# 2. 为什么每个进程都必须用相同的种子来打乱数据？
#
#     <details><summary>答案</summary>
#
#     每个进程保留的都是它认为是同一个批量中的一份。如果打乱的方式各不相同，各份之间就会有重叠，又会漏掉一些样本，一轮也就不再是对数据的一次完整遍历。
#
#     </details>
#
# 3. 你从批量为 128 的单块 GPU 换到八块 GPU，并希望每块 GPU 每一步仍然计算 128 个样本。如果单 GPU 的训练方案所用的学习率是 0.1，那么应该从多大的全局批量出发？按照线性缩放规则，学习率又该从多少出发？
#
#     <details><summary>答案</summary>
#
#     全局批量为 $8 \times 128 = 1024$，学习率为 $8 \times 0.1 = 0.8$，并在最初几轮中通过预热逐渐达到该值（Goyal 等，2017）；然后把准确率与单 GPU 的运行进行对照检查。
#
#     </details>
#
# 4. 手动用 `--epochs 1` 和 `--nproc-per-node 2` 运行上面的测量，然后在一个进程上用 `--epochs 2 --resume` 继续训练。得到的权重与用两个进程训练两轮的运行一致吗？
#
#     <details><summary>答案</summary>
#
#     应该一致，一致的程度与上面两次运行相同：检查点保存了一份权重、优化器的状态和各个随机数生成器，而第 2 轮的打乱只取决于种子和轮次。`tests/test_distributed.py` 中的测试用两个进程恢复运行的情形检查了同样的事情。
#
#     </details>
