# %% [markdown] en="5d7160dbbf3a"
# # 12. 批量归一化
#
# [第 10 章](../10-lenet/)按博客的完整训练方案训练了博客中的 LeNet——在全部 60,000 张图像上训练十轮——并看到它一开始停在一个平台期：由于使用 sigmoid 和平均池化，它起初对每张图像给出几乎相同的分数，并一直停留在随机猜测的水平，直到 SGD 把一个微小的信号放大。形状相同、但使用 ReLU、最大池化和**批量归一化**的网络则没有这样的平台期。批量归一化（Ioffe 和 Szegedy，2015）正是让深层网络——[ResNet](../13-resnet/)、[GoogLeNet](../14-googlenet/) 的后续版本、[DenseNet](../15-densenet/)——的训练变得稀松平常的关键要素。本章将说明它计算什么，从零开始实现它，与 PyTorch 的实现对照检验，然后把它单独放进博客的 LeNet 中（不做另外两处改动），看看它本身能起什么作用。
#
# ## 它计算什么
#
# 训练时，批量归一化层在当前小批量 $\mathcal{B}$ 上对每个特征做标准化，然后用两个学习得到的参数对它进行缩放和平移：
#
# $$
# \hat{x} = \frac{x - \mu_\mathcal{B}}{\sqrt{\sigma^2_\mathcal{B} + \epsilon}},
# \qquad y = \gamma \odot \hat{x} + \beta,
# $$
#
# 其中 $\mu_\mathcal{B}$ 和 $\sigma^2_\mathcal{B}$ 是该特征在这个批量上的均值和方差，$\epsilon$（PyTorch 取 $10^{-5}$）保证除法安全。什么算作“一个特征”，取决于前一层：
#
# - 在**全连接**层之后，输入形状为 $(N, D)$，$D$ 个单元中的每一个都在 $N$ 个样本上归一化；
# - 在**卷积**层之后，输入形状为 $(N, C, H, W)$，每个通道在 $N$ 个样本*以及*全部 $H \times W$ 个位置上归一化，因为卷积在所有位置使用同一个卷积核——一个通道的每个位置都是同一个特征。因此共有 $C$ 个均值、$C$ 个方差和 $C$ 对 $(\gamma, \beta)$。
#
# 缩放 $\gamma$ 和平移 $\beta$ 把标准化拿走的东西还了回来：当 $\gamma = \sqrt{\sigma^2_\mathcal{B} + \epsilon}$ 且 $\beta = \mu_\mathcal{B}$ 时，该层原样返回其输入，所以归一化并不限制网络能够表示的东西（这是原论文的论证）；它改变的是参数在优化器面前的排布方式。下面在一个批量上检验这一点，使用我们自己的层 `cnnguide.ops.BatchNorm`（下文将构建它），并处于训练模式：

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

# %% [markdown] en="dbee390fd197"
# 这点差异来自 float32 的舍入误差。（如果取 $\gamma = \sigma_\mathcal{B}$，即漏掉 $\epsilon$，输出就会偏差一个因子 $\sigma / \sqrt{\sigma^2 + \epsilon}$；在这里 $\sigma^2 \approx 4$，这个偏差看不出来，但对于方差接近 $\epsilon$ 的特征就不是这样了。）
#
# ## 它为什么有效
#
# 原论文认为，当下面各层在学习时，每一层输入的分布都在不断变化——即“内部协变量偏移”（internal covariate shift）——而固定均值和方差就能消除这个问题。这种解释只是流传甚广的说法。Santurkar 等人（2018，*How Does Batch Normalization Help Optimization?*）在归一化之后注入噪声，使分布持续偏移，而网络仍然训练得和使用普通批量归一化时一样好。论文所报告、实践也证实的是以下几点：
#
# - 使用批量归一化的网络能承受**大得多的学习率**，对初始化也不那么敏感（Ioffe 和 Szegedy 训练经过批量归一化的 Inception 网络时，分别用了原网络 5 倍和 30 倍的学习率；在 5 倍学习率下，它只用了原来 1/14 的训练步数就达到了原网络的准确率）；
# - 这使得**深层**堆叠更容易训练：在它出现之前，VGG 论文用训练好的较浅网络的权重来初始化更深的网络，而 [GoogLeNet](../14-googlenet/) 则加入了辅助分类器，把梯度送进中间各层；
# - 损失曲面更**平滑**（Santurkar 等人）：梯度在相邻两步之间变化更小，所以大步长不那么容易越过头；
# - 批量统计量是带噪声的估计，这起到了轻微的正则化作用（在 Ioffe 和 Szegedy 的部分实验中，它使 dropout 变得不再必要）。
#
# 本章末尾的实验展示的是一个更窄、也更基本的结论：在博客中使用 sigmoid 的 LeNet 上，仅凭批量归一化，就能在同样几十步之内，把一个停留在随机猜测水平的网络变成一个能够学习的网络。
#
# ## 从零实现
#
# `cnnguide.ops.batch_norm` 接收输入、$\gamma$、$\beta$ 和滑动统计量，返回输出以及更新后的滑动统计量。在检查完参数之后，它所做的全部工作就是下面这些（这段代码就是库本身的源代码，从计算开始的那一行起）：

# %%
from cnnguide.figures import SourceListing, show_source
from cnnguide.ops import batch_norm

listing = show_source(batch_norm)
lines = listing.code.splitlines(keepends=True)
start = next(i for i, line in enumerate(lines) if "# Statistics per feature" in line)
first_line = listing.first_line + start
SourceListing(listing.name, listing.path, first_line, "".join(lines[start:]))

# %% [markdown] en="aa1bb140f01c"
# 有三个细节遵循 PyTorch 的约定，弄错它们，得到的层就只能与 `nn.BatchNorm2d` *几乎*一致：
#
# 1. 对批量做归一化时使用**有偏**方差（除以 $n$，即每个特征的值的个数），但更新滑动方差时使用**无偏**方差（除以 $n - 1$）。
# 2. `momentum` 是**新**批量的权重：$\text{running} \leftarrow (1 - m)\,\text{running} + m\,\text{batch}$，默认 $m = 0.1$。有些教材（包括 d2l）把 $0.9$ 称为动量，指的是旧值的权重。
# 3. 半精度的输入会在 float32 下做归一化，与 PyTorch 的内核一样，这样数千个值的均值才能保住有效数字。
#
# 层 `cnnguide.ops.BatchNorm(num_features, num_dims)` 封装了这个函数，其状态沿用 PyTorch 的命名：$\gamma$ 是 `weight`，$\beta$ 是 `bias`，缓冲区是 `running_mean`、`running_var` 和 `num_batches_tracked`，因此状态字典（state dict）可以在它和 `nn.BatchNorm2d` 之间自由互换。
#
# ## 与 PyTorch 对照检验
#
# 在不同的批量上做三步训练，再做一次评估，两个层使用相同的随机 $\gamma$ 和 $\beta$；我们比较输出、滑动统计量，以及关于输入、$\gamma$ 和 $\beta$ 的梯度。

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

# %% [markdown] en="d3df04d610b0"
# 这些差异是 float32 的舍入误差，来自以不同的顺序累加相同的数。（测试套件在随机形状上用 float64 做同样的比较，容差要严格一百万倍。）
#
# ## 训练模式与评估模式
#
# 在训练模式下，该层使用当前批量的统计量；在评估模式（`net.eval()`）下，它使用滑动平均值。取一个批量，它的 3 个通道的均值都接近 3、标准差都接近 2，再取一个新建的层（滑动均值为 0，滑动方差为 1）：

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

# %% [markdown] en="8a4a31fd2018"
# 在训练模式下，无论滑动统计量是多少，每个通道的输出都是均值 0、标准差 1。只经过一个批量后，滑动均值从 0 向 3 只走了十分之一的路程，所以评估模式对数据的平移和缩放是错误的；经过足够多的批量后，滑动平均值稳定在真实的均值和方差附近，两种模式的结果就一致了。这就是为什么带批量归一化的网络在测试前必须用 `net.eval()` 切换模式——也是 `cnnguide.train.fit` 和 `evaluate_accuracy` 替你这样做的原因。
#
# 另一个区别是：在训练模式下，一个样本的输出取决于*同一批量中的其他样本*。同一张图像放在两个不同的批量中归一化，得到的输出不同；在评估模式下则不会。

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

# %% [markdown] en="e6576bca4660"
# 这也意味着，训练批量中每个特征必须有不止一个值：只有一个值时，方差为 0，无偏方差则没有定义。`BatchNorm` 会像 PyTorch 一样，以 `ValueError` 拒绝这样的批量。
#
# ## 它在卷积网络中的位置
#
# 通常的位置是**在卷积层（或全连接层）之后、激活函数之前**：卷积 → 批量归一化 → 激活函数 → 池化。这样，归一化就控制了激活函数所接收输入的尺度——对于 sigmoid 来说，就是它工作在陡峭的中段还是平坦的两端。一个副作用是：该层会减去每个通道的均值，所以紧挨在它前面的卷积所加的偏置会被恰好抵消。这就是为什么后接批量归一化的卷积在构建时都设置 `bias=False`。

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

# %% [markdown] en="78b6a62815dc"
# 下面是博客中的 LeNet，在每个卷积层和每个隐藏的全连接层之后都加了一个（我们自己的）`BatchNorm`，并去掉了因此变得多余的偏置——其余部分仍是同样的 sigmoid 和平均池化：

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

# %% [markdown] en="5475e46eac40"
# （这里的 FLOPs 把一次乘加运算算作两次运算，且只统计卷积层和线性层。）每个作用于 $C$ 个特征的批量归一化层会增加 $2C$ 个学习参数，即 $\gamma$ 和 $\beta$，是它使之变得多余的 $C$ 个偏置的两倍；此外还有 $2C$ 个滑动统计量，它们是缓冲区，而不是参数。与博客中的 LeNet 对比：

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

# %% [markdown] en="eb84075748d3"
# 它增加的算术运算（每个值一次减法、一次除法、一次乘法和一次加法）不在 FLOPs 一列中，该列只统计卷积层和线性层。
#
# ## 它对 LeNet 的影响
#
# 在训练之前，批量归一化就已经改变了[第 10 章](../10-lenet/)中的情形：在那里，博客中的 LeNet 对每张图像给出的输出分数几乎相同。在每个 sigmoid 之前加上归一化后，每个 sigmoid 接收到的输入均值为 0、方差为 1，正处于它陡峭的中间区段，因此分数从一开始就随图像而变化。（调用 `fit` 训练 0 轮只会初始化权重，与下面的训练完全一样。）

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

# %% [markdown] en="4c414021680e"
# 现在用同一种简短方式训练这两个网络——种子为 0，相同的 10,240 张图像、相同的顺序，2 轮、小批量大小为 256——学习率采用博客的 0.9；批量归一化的网络另外再用 0.1 训练一次：

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

# %% [markdown] en="6daf272caa33"
# 没有批量归一化的虚线停在损失 $\ln 10$、准确率 0.1 处，并一直停在那里：这正是第 10 章中停在平台期的网络。有批量归一化的实线则升到了随机猜测水平之上。（训练曲线是本轮到此为止的平均值，每轮五个点，每轮重新开始，因此第 1 轮之后会出现一个台阶；测试准确率在每轮结束时测量。）两次训练之间唯一的区别是归一化层（以及因此变得多余的偏置），而正是这一区别，在同样的 80 步里，决定了网络是停留在随机猜测水平还是能够学习：上面的表格给出了每次训练的最终结果。
#
# 批量归一化的网络在学习率 0.1 下也能学习，所以它并不依赖博客中异常大的步长；而普通的 sigmoid LeNet 即使在 0.9 下，在这些步数内也没有离开平台期（表中第一行）。对归一化的网络来说，两个学习率哪个更好，这几次训练无法回答。它们在表中的行各不相同，而且训练损失和测试准确率对它们的排序未必一致。两次短训练之间的差距有多个来源，每种设置只训练一次无法把它们区分开：
#
# - **测试集**：在 2,000 张图像上，接近 $p$ 的准确率的标准误差为 $\sqrt{p(1 - p)/2000}$，约为一个百分点（下面会打印出来）；几个百分点的差距就超出了测试样本的噪声；
# - **训练本身**：换一个初始化种子或换一种 10,240 张图像的顺序，就会得到另一次 80 步的训练，而它的准确率会变动多少，每个学习率只训练一次是无法知道的；要区分这两个学习率，需要对每个学习率使用多个种子、训练更长时间，并且差距要大于各自的波动范围；
# - **滑动统计量**：测试时使用的是批量统计量的滑动平均值，当权重变化很快时，它们会滞后于权重，而在 0.9 下权重的变化比在 0.1 下更快。
#
# 最后一个来源可以在这里测量。将每个训练好的网络在训练模式下再评估一次，让批量归一化使用每个大小为 256 的测试批量自身的统计量，而不是滑动平均值（在副本上进行，因为训练模式还会更新滑动平均值；这是一种诊断手段，而不是测试网络的方法，因为这时每张测试图像都依赖于同一批量中的其他图像）：

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

# %% [markdown] en="2d02fffa1c67"
# 第一列是上面表格中的测试准确率。如果第二列更高，高出的部分就是因为滑动平均值没有跟上权重而损失的测试准确率。第二列中两个学习率之间剩下的差距，才是训练出的网络本身的差异——仅针对这个种子和这 80 步而言。
#
# 以上都是本页自己在 CPU 上进行的短训练。`scripts/reproduce.py` 会记录博客中 LeNet 的完整 GPU 训练（一旦有了记录，[它所在的章节](../10-lenet/)就会展示其中一次），但不会记录这个批量归一化的版本，所以这里没有更长的训练结果可以展示。
#
# ## 小结
#
# - 批量归一化在小批量上对每个特征做标准化——全连接层的每个单元在各样本上标准化，卷积的每个通道在各样本和所有位置上标准化——然后施加学习得到的缩放 $\gamma$ 和平移 $\beta$；取 $\gamma = \sqrt{\sigma^2 + \epsilon}$ 和 $\beta = \mu$ 即恢复恒等映射。
# - 训练模式使用批量的统计量并更新滑动平均值；评估模式使用滑动平均值，因此输出不再依赖批量中的其他样本。测试前要调用 `net.eval()`。
# - PyTorch 的约定：用有偏方差做归一化，用无偏方差更新滑动方差，`momentum`（0.1）是新批量的权重。
# - 把它放在卷积和激活函数之间，并去掉卷积的偏置，因为它会抵消这个偏置；每层增加 $2C$ 个参数，是它所替代的偏置数的两倍。
# - “内部协变量偏移”只是流传的说法；实际观察到的是更平滑的优化，能够承受更大的学习率和更深的网络。在 sigmoid LeNet 上，它让一个停留在随机猜测水平的网络在同样的 80 步内变得能够学习。
# - 滑动平均值会滞后于快速变化的权重，因此短训练的测试准确率可能低估网络实际学到的东西：要测量一下。
#
# ## 练习
#
# 1. `nn.BatchNorm2d(64)` 有多少个参数、多少个缓冲区值（数一数 `running_mean` 和 `running_var` 的元素个数）？一个从 64 通道到 64 通道的 3 × 3 卷积，后接这个批量归一化层时去掉偏置，能省下多少个参数？
#
#     <details><summary>答案</summary>
#
#     128 个参数（$\gamma$ 和 $\beta$，各 64 个）和 128 个滑动统计量（另外还有计数器 `num_batches_tracked`）。卷积去掉了 64 个偏置：`conv_param_count(64, 64, 3)` 带偏置时为 36,928，不带时为 36,864。所以批量归一化增加的参数比它省下的多 64 个。
#
#     </details>
#
# 2. 一个处于评估模式的 `BatchNorm`，滑动均值为 $m$、滑动方差为 $v$、缩放为 $\gamma$、平移为 $\beta$，它对每个特征都是一个仿射映射 $y = a x + b$，可以折叠进它前面的卷积中。当 $m = 3$、$v = 4$、$\gamma = 2$、$\beta = 1$、$\epsilon = 10^{-5}$ 时，$a$ 和 $b$ 分别是多少（保留三位小数）？
#
#     <details><summary>答案</summary>
#
#     $a = \gamma / \sqrt{v + \epsilon} = 2 / \sqrt{4.00001}$，保留三位小数为 1.000（0.9999988）；$b = \beta - a m = 1 - 3a$，即 −2.000。把它们折叠进卷积（权重乘以 $a$，偏置乘以 $a$ 再加上 $b$）正是推理引擎的做法，这样批量归一化在测试时就没有任何开销。
#
#     </details>
#
# 3. 在训练模式下，一个批量中每个特征有 16 个值：要把该层归一化所用的有偏方差变成它存入 `running_var` 的无偏方差，需要乘以什么因子？对于一个由 16 张图像、每张 10 × 10 个位置组成的卷积批量呢？
#
#     <details><summary>答案</summary>
#
#     $n / (n - 1)$：当 $n = 16$ 时为 16/15 = 1.0667；对于卷积，每个通道有 $n = 16 \cdot 10 \cdot 10$ = 1,600 个值，因子为 1,600/1,599 = 1.0006，非常接近 1，弄错它只会在第四位数字上显现出来。
#
#     </details>
#
# 4. 动量为 0.1 时，在均值都为 $\mu$ 的训练批量上，从 0 出发的滑动均值要经过多少个批量才走完到 $\mu$ 的 90% 路程？（经过 $t$ 个批量后，滑动均值为 $(1 - 0.9^t)\,\mu$。）
#
#     <details><summary>答案</summary>
#
#     22 个批量之后：$1 - 0.9^{21} = 0.891$ 仍未达到 0.9，而 $1 - 0.9^{22} = 0.902$ 超过了它。滑动平均值大致记住最近十到二十个批量；在权重仍快速变化的短训练中，它们会落在权重后面。
#
#     </details>
