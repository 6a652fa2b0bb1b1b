# %% [markdown] en="230f88a90a10"
# # 13. ResNet：学习要加上什么
#
# [VGG](../11-vgg/) 表明深度是有回报的：16 层和 19 层胜过 11 层。那为什么不用 50 层，甚至 150 层呢？2015 年，微软研究院的何恺明（Kaiming He）和同事们做了尝试，却发现了一个奇怪的现象：一个普通的 56 层网络的*训练误差*反而比 20 层的网络*更高*。这不是过拟合（过拟合只会体现在测试集上）；更深的网络只是更难优化——尽管从原理上讲，它完全可以复制那个浅层网络，再把多出来的层设为恒等映射。
#
# 他们的解决办法是让恒等映射成为默认行为。**残差块**用几层计算某个函数 $F(\mathbf{x})$，然后输出
#
# $$ \mathbf{y} = \operatorname{ReLU}\big(F(\mathbf{x}) + \mathbf{x}\big). $$
#
# 要“什么也不做”，残差块只需把 $F$ 推向零，这很容易；而且这个求和为梯度提供了一条绕过每个块的通路。ResNet 赢得了 2015 年的 ImageNet 竞赛（ILSVRC 2015），其中最深的有 152 层；如今残差连接几乎出现在每一个深度网络中，Transformer 也不例外。
#
# ## 基本块
#
# `cnnguide.models.resnet.BasicBlock` 由两个 3 × 3 卷积组成，每个卷积后面都接[批量归一化](../12-batch-normalization/)，外加一条捷径连接，在最后一个 ReLU 之前把输入加回来。它的 `forward` 逐行对应上面的公式：

# %%
from cnnguide.figures import show_source
from cnnguide.models.resnet import BasicBlock

show_source(BasicBlock.forward, docstring=False)

# %% [markdown] en="8d0be8b168a9"
# 下面是它在 64 个通道、24 × 24 特征图上的各层（捷径连接是恒等映射，没有参数；卷积层不带偏置，因为每个卷积后面的批量归一化自带平移项）：

# %%
from cnnguide.models.resnet import BasicBlock
from cnnguide.summary import summarize

summarize(BasicBlock(64, 64), (1, 64, 24, 24))

# %% [markdown] en="82598cfb91a6"
# 求和 $F(\mathbf{x}) + \mathbf{x}$ 要求两项的形状相同。当一个块把分辨率减半（步幅为 2）或改变通道数时，捷径连接就变成一个**投影**：一个步幅相同的 1 × 1 卷积，后接批量归一化。这是能改变 $\mathbf{x}$ 形状的最廉价的可学习映射：

# %%
from cnnguide.models.resnet import projection_shortcut

show_source(projection_shortcut, docstring=False)

# %%
import torch

from cnnguide.models.resnet import BasicBlock

down = BasicBlock(64, 128, stride=2)
x = torch.randn(2, 64, 24, 24)
print("input", tuple(x.shape), "-> output", tuple(down(x).shape))
branch = sum(p.numel() for name, p in down.named_parameters()
             if not name.startswith("shortcut"))
projection = sum(p.numel() for p in down.shortcut.parameters())
print(f"residual branch: {branch:,} parameters; projection shortcut: {projection:,}")

# %% [markdown] en="e25dec378b4d"
# 下图根据模块本身画出了这个块：左边是残差分支，右边是投影捷径连接，两者都以 128 × 12 × 12 结束，因而能在求和处（⊕）汇合，最后一个 ReLU 位于求和之后。在保持形状不变的块中，右边这条路径就是输入本身。

# %%
from cnnguide.figures import plot_residual_block

plot_residual_block(down, (1, 64, 24, 24))

# %% [markdown] en="51266213e055"
# ## 为什么恒等路径有帮助
#
# 对块中的求和求导：$\partial \mathbf{y} / \partial \mathbf{x} = I + \partial F / \partial \mathbf{x}$（ReLU 之前）。在普通层堆叠成的网络中，梯度是各层雅可比矩阵（每层一个）的*乘积*，而许多因子的乘积会呈指数级漂移——要么趋于零，要么趋于无穷。而在残差块中，每个因子都包含单位矩阵，因此到达前面某个块的梯度总是包含沿捷径连接直接传下来的那一部分。
#
# 我们可以在初始化时、任何训练开始之前就观察到这一点。搭建三个堆叠网络，各由 20 个 16 通道的块组成，输入为 16 × 16，采用本书的 Xavier 初始化：
#
# - **plain, no batch norm**（普通堆叠，无批量归一化）：每个块是 conv–ReLU–conv–ReLU；
# - **plain, batch norm**（普通堆叠，带批量归一化）：去掉 `+ x` 的 `BasicBlock`（下面的类重写了其 `forward` 中的一行）；
# - **residual**（残差）：`BasicBlock` 本身。
#
# 然后让一个小批量做一次前向传播，反向传播交叉熵损失，并记录每个块中第一个卷积的权重梯度的范数。

# %%
import torch
from torch import nn

from cnnguide.models.resnet import BasicBlock


class PlainBlock(BasicBlock):
    """BasicBlock without its shortcut: relu(bn2(conv2(relu(bn1(conv1(x))))))."""

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        return self.relu(self.bn2(self.conv2(out)))


def no_norm_block(c):
    return nn.Sequential(nn.Conv2d(c, c, 3, padding=1), nn.ReLU(),
                         nn.Conv2d(c, c, 3, padding=1), nn.ReLU())


def gradient_norms(make_block, depth=20, channels=16, seed=0):
    """Gradient norm of each block's first conv weights, one backward pass at init."""
    torch.manual_seed(seed)
    blocks = [make_block(channels) for _ in range(depth)]
    net = nn.Sequential(nn.Conv2d(1, channels, 3, padding=1), *blocks,
                        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, 10))
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
    x, y = torch.randn(32, 1, 16, 16), torch.randint(0, 10, (32,))
    nn.functional.cross_entropy(net(x), y).backward()
    convs = [next(m for m in b.modules() if isinstance(m, nn.Conv2d)) for b in blocks]
    return [float(conv.weight.grad.norm()) for conv in convs]


norms = {
    "plain, no batch norm": gradient_norms(no_norm_block),
    "plain, batch norm": gradient_norms(lambda c: PlainBlock(c, c)),
    "residual (BasicBlock)": gradient_norms(lambda c: BasicBlock(c, c)),
}
print(f"{'':22s} {'block 1':>9s} {'block 20':>9s} {'block 1 / block 20':>19s}")
for name, values in norms.items():
    ratio = values[0] / values[-1]
    print(f"{name:22s} {values[0]:9.3g} {values[-1]:9.3g} {ratio:19.3g}")

# %%
from cnnguide.figures import gradient_norms_by_depth

gradient_norms_by_depth(norms, title="Gradient norms at initialisation, 20 blocks deep")

# %% [markdown] en="4a39e7d208e5"
# 纵轴是对数刻度：网格的每一格代表 100 倍。两种普通堆叠以相反的方式失败。没有归一化时，梯度在向下传递的过程中（从右边的第 20 块到左边的第 1 块）*不断缩小*：最前面几个块收到的梯度比最后几个块小好几个数量级，几乎学不到东西（梯度消失）。有批量归一化但没有捷径连接时，梯度反而朝输入方向*不断增大*——这是批量归一化在深层普通网络中的一个已知效应（Yang et al., 2019），于是前面的层迈出的步子比后面的层大得多。有了捷径连接，曲线是三条中最平的：它的第一个块梯度与最后一个块梯度之比（已在上面打印出来）远比另外两条曲线的更接近 1，因此每个块都能得到可用的信号。正是这一点让 ResNet 能够做到 50 层、101 层乃至 152 层。
#
# ## 用于 Fashion-MNIST 的 ResNet-18
#
# ResNet-18 由以下部分组成：一个起始层（stem，即步幅为 2 的 7 × 7 卷积、批量归一化、ReLU 和步幅为 2 的 3 × 3 最大池化），四个阶段，每个阶段两个基本块（通道数依次为 64、128、256、512；第一个阶段之后的每个阶段都以一个步幅为 2、带投影捷径连接的块开始），一个全局平均池化和一个线性层。18 指的是最长路径上带权重的层数：1 + 4 · 2 · 2 + 1。d2l 的训练方案在上采样到 96 × 96 的 Fashion-MNIST 上训练它。和本系列其他地方一样，表中的 FLOPs 把一次乘加计为两次运算：

# %%
from cnnguide import models
from cnnguide.summary import summarize

net = models.create("resnet18", num_classes=10, in_channels=1)
summarize(net, (1, 1, 96, 96))

# %% [markdown] en="a0aaf1881f44"
# 参数有一千一百万个，只有四分之一宽度的 VGG-11 的四分之一，因为全局平均池化之后，分类器只剩下 $512 \times 10$ 个权重；计算量为每张 96 × 96 图像约 0.64 GFLOPs（0.32 G 次乘加）。模块名（`conv1`、`layer1` … `layer4`、`fc`）与 torchvision 的一致；只有投影在这里叫 `shortcut`，而 torchvision 叫它 `downsample`。
#
# ## 在本页训练 ResNet-18
#
# 在本页所用的 CPU 上，ResNet-18 在 6,000 张训练图像（训练集的十分之一）上训练两轮，图像只上采样到 32 × 32（起始层和三个步幅为 2 的阶段会在池化之前把它缩小到 1 × 1），并在 1,000 张测试图像上测试。它沿用训练方案中的普通 SGD 和 Xavier 初始化，但批量大小是 128 而不是 256，因此学习率也减半，从 0.05 降到 0.025：这样每个训练样本对应的步长仍与训练方案相同（即把 Goyal et al., 2017 的“线性缩放规则”反过来用）。

# %%
import math
import time

from cnnguide import data, models, train
from cnnguide.recipes import get_recipe

resnet = models.create("resnet18", num_classes=10, in_channels=1)
train_iter, test_iter = data.load_fashion_mnist(128, resize=32, device="cpu",
                                                train_size=6000, test_size=1000, seed=0)
recipe = get_recipe("resnet18")
recipe_steps = recipe.epochs * math.ceil(60_000 / recipe.batch_size)
print(f"{len(train_iter)} batches per epoch, {2 * len(train_iter)} SGD steps in all "
      f"(the full recipe: {recipe_steps:,})")
tic = time.perf_counter()
history = train.fit(resnet, train_iter, test_iter, num_epochs=2, lr=0.025, device="cpu",
                    seed=0, callbacks=[train.PrintEpochs()])
print(f"trained in {time.perf_counter() - tic:.1f} s")

# %%
from cnnguide.figures import plot_history

plot_history(history, title="ResNet-18, 2 epochs on a CPU (6,000 images, 32×32)")

# %% [markdown] en="c5362caed9c8"
# 训练曲线每轮经过五个点，每个点是该轮到当时为止的平均值（每轮重新开始计算）；测试准确率在两轮中的每一轮结束后测量。这次运行只占训练方案步数的一小部分（两个数字都已在上面打印出来），它所达到的测试准确率（同样打印在上面）应当对照随机猜测的 0.10 来解读。
#
# 在比较如此短的一次运行的训练曲线和测试曲线时，有两点要记住。第一，两者并不是在同一个网络上测得的：训练准确率是权重不断变化期间整轮的平均值，而测试是在评估模式下进行的，此时批量归一化用批量统计量的*滑动平均*来归一化，而这些平均值会滞后于仍在快速变化的权重（[批量归一化一章](../12-batch-normalization/)在 LeNet 上测量了这一点）。两者谁高谁低都有可能。第二，1,000 张测试图像测得的准确率只能精确到其标准误差以内，对准确率 $a$ 而言，标准误差为 $\sqrt{a(1-a)/1000}$；小于大约两个标准误差的差距说明不了任何问题。最后一轮的数字：

# %%
acc, train_acc = history.test_acc[-1], history.train_acc[-1]
se = math.sqrt(acc * (1 - acc) / len(test_iter.labels))  # 1,000 test images
print(f"test accuracy {acc:.3f} ± {se:.3f} (one standard error); training accuracy {train_acc:.3f}")
print(f"training minus test: {train_acc - acc:+.3f} = {(train_acc - acc) / se:+.1f} standard errors")

# %% [markdown] en="66e3c19eb66a"
#
# ## 瓶颈块：代价相同，网络更深
#
# ResNet-50 及更深的网络使用**瓶颈**（bottleneck）块：一个 1 × 1 卷积把通道数减少为四分之一，一个 3 × 3 卷积在缩减后的特征图上工作，再用另一个 1 × 1 卷积把通道数扩展回来（[1 × 1 卷积](../05-one-by-one-convolution/)在每个像素处混合各通道）：

# %%
from cnnguide.figures import show_source
from cnnguide.models.resnet import Bottleneck

show_source(Bottleneck.forward, docstring=False)

# %% [markdown] en="086cbbf9e5fa"
# ResNet-50 就是把 ResNet-34 的每个基本块都换成瓶颈块：阶段相同，依次有 3、4、6、3 个块。在第一阶段，ResNet-34 的块是两个 64 通道的 3 × 3 卷积；ResNet-50 的瓶颈块则是 256 → 64 → 64 → 256，因此块与块之间传递的特征图通道数是前者的四倍。ResNet 论文（He et al., 2016，图 5）比较的正是这两种块，并称它们的时间复杂度“相近”。下面统计它们的卷积权重数，以及在第一阶段 56 × 56 分辨率（ImageNet 尺寸）下的乘加次数，并加上第三个块作为参照——一个 256 通道的基本块：

# %%
from torch import nn

from cnnguide.models.resnet import BasicBlock, Bottleneck
from cnnguide.summary import summarize


def conv_weights(block):
    return sum(m.weight.numel() for m in block.modules() if isinstance(m, nn.Conv2d))


blocks = {
    "ResNet-34's basic block, 64 channels": (BasicBlock(64, 64), 64),
    "ResNet-50's bottleneck, 256-64-64-256": (Bottleneck(256, 64), 256),
    "a basic block at 256 channels": (BasicBlock(256, 256), 256),
}
weights = {name: conv_weights(block) for name, (block, _) in blocks.items()}
basic64, bottleneck, basic256 = weights.values()
for name, (block, channels) in blocks.items():
    macs = summarize(block, (1, channels, 56, 56)).macs
    print(f"{name:38s} {weights[name]:>9,} weights ({weights[name] / basic64:5.2f} x), "
          f"{macs / 1e6:5.0f} M MACs")
print(f"the basic block at 256 channels has {basic256 / bottleneck:.1f} x the "
      f"bottleneck's weights")

# %% [markdown] en="9a338768edfc"
# 瓶颈块的权重和乘加次数都比它所替换的基本块略*少*（相对于该基本块的比值在括号中），还多了一层深度，并且块与块之间传递的通道数是原来的四倍。同样宽的基本块的代价大约是瓶颈块的十七倍（最后一行）。两种比较都成立，只是回答的问题不同：与同样宽度的基本块相比，1 × 1 缩减几乎省掉了全部权重；与它实际替换的那个块相比（即论文中的比较），两者代价大致相同。因此 ResNet-50 有 50 层，代价却只比 ResNet-34 多一点。下面两列都是在 meta 设备上统计的；记住约定：FLOPs = 2 × 乘加次数：

# %%
import torch

from cnnguide import models
from cnnguide.summary import format_count, summarize

for name in ("resnet18", "resnet34", "resnet50"):
    with torch.device("meta"):
        net = models.create(name, num_classes=1000, in_channels=3)
    s = summarize(net, (1, 3, 224, 224), device="meta")
    print(f"{name}: {s.total_parameters:>11,} parameters, {format_count(s.macs)}MACs "
          f"= {format_count(s.flops)}FLOPs per 224x224 image")

# %% [markdown] en="7f8629fcc65a"
# ResNet 论文的表 1 给出这三个网络的“FLOPs”分别为 18 亿、36 亿和 38 亿（即 1.8 G、3.6 G 和 3.8 G），而它统计的是乘加次数：对应的是 MACs 一列，而不是 FLOPs 一列。ResNet-18 和 ResNet-34 的数字吻合。我们的 ResNet-50 是 torchvision 所提供的变体（有时称为“ResNet v1.5”）：在第 2 到第 4 阶段的第一个块中，步幅 2 放在 3 × 3 卷积上，而不是像论文中那样放在第一个 1 × 1 卷积上，因此那个 1 × 1 卷积在全分辨率下运行。把步幅移回原处，就得到论文中的计数：

# %%
import torch

from cnnguide import models
from cnnguide.summary import format_count, summarize

with torch.device("meta"):
    v1 = models.create("resnet50", num_classes=1000, in_channels=3)
for stage in (v1.layer2, v1.layer3, v1.layer4):
    first = stage[0]
    first.conv1.stride, first.conv2.stride = (2, 2), (1, 1)
with torch.device("meta"):
    v15 = models.create("resnet50", num_classes=1000, in_channels=3)
macs_v1 = summarize(v1, (1, 3, 224, 224), device="meta").macs
macs_v15 = summarize(v15, (1, 3, 224, 224), device="meta").macs
print(f"resnet50, stride on the first 1x1 (the paper's): {format_count(macs_v1)}MACs")
print(f"resnet50, stride on the 3x3 (torchvision's):     {format_count(macs_v15)}MACs, "
      f"{macs_v15 / macs_v1 - 1:.0%} more")

# %% [markdown] en="4350e9b3a33c"
# torchvision 的选择多花了一点计算量（见上面的百分比）。换来的好处是，没有哪个卷积会不加理会地丢掉像素：步幅为 2 的 1 × 1 卷积会跳过四分之三的输入像素，对它们看都不看。torchvision 的文档根据 NVIDIA 的测量结果，称这一变体的准确率略高。
#
# ## 与 torchvision 相同的网络
#
# 由于模块名与 torchvision 的一致，`cnnguide.models.torchvision_weights.from_torchvision` 可以把 torchvision ResNet 的权重载入我们的网络——有了 ImageNet 权重（需要下载，构建本页时不会下载），你就可以用自己读过的代码查看一个真正的 ImageNet 网络的内部。这里用的是一个随机初始化的 torchvision ResNet-18：输入相同的权重，输出相同的 logits。

# %%
import torch
import torchvision

from cnnguide.models.torchvision_weights import from_torchvision

torch.manual_seed(0)
theirs = torchvision.models.resnet18(weights=None, num_classes=10).eval()
ours = from_torchvision("resnet18", theirs.state_dict())
x = torch.randn(4, 3, 64, 64)
with torch.no_grad():
    difference = (ours(x) - theirs(x)).abs().max().item()
print(f"{sum(p.numel() for p in ours.parameters()):,} parameters copied; "
      f"largest difference between the logits: {difference:.2e}")

# %% [markdown] en="df1c97c7f7f7"
# ## 训练后网络的内部
#
# 让一张测试图像经过上面训练好的 ResNet-18 的起始层和前两个阶段。输入为 32 × 32 时，起始层输出 8 × 8 的特征图，第二阶段输出 4 × 4 的特征图：

# %%
import torch

from cnnguide import data

images, labels = next(iter(test_iter))
resnet.eval()
with torch.no_grad():
    x = images[:1]
    stem = resnet.maxpool(resnet.relu(resnet.bn1(resnet.conv1(x))))
    stage1 = resnet.layer1(stem)
    stage2 = resnet.layer2(stage1)
print("image class:", data.text_labels(labels[0]))
for name, t in (("stem", stem), ("layer1", stage1), ("layer2", stage2)):
    print(f"{name:7s} {tuple(t.shape[1:])}")

# %%
from cnnguide.figures import feature_map_grid

feature_map_grid(images[0], title="The input, upsampled to 32×32", labels=["input"])

# %% [markdown] en="6825144965d9"
# 第一阶段没有投影：它的两个块把各自的 $F$ 加到起始层的特征图上，通道保持原位不变，因此 `layer1` 之后的通道 $c$ 就是起始层的通道 $c$ 加上两个残差分支所加的内容（再经过 ReLU）。起始层的特征图有多少被保留了下来，可以对 64 个通道逐一计算前后两张 8 × 8 特征图之间的相关系数来衡量：

# %%
import torch

a, b = stem[0].flatten(1), stage1[0].flatten(1)
a, b = a - a.mean(dim=1, keepdim=True), b - b.mean(dim=1, keepdim=True)
corr = (a * b).sum(dim=1) / (a.norm(dim=1) * b.norm(dim=1)).clamp_min(1e-12)
q = torch.quantile(corr, torch.tensor([0.25, 0.5, 0.75])).tolist()
print("correlation between channel c of the stem and channel c after layer1,")
print(f"over the 64 channels: quartiles {q[0]:.2f}, median {q[1]:.2f}, {q[2]:.2f}")

# %%
from cnnguide.figures import feature_map_grid

feature_map_grid(stem[0], title="The stem's output: the first 16 of 64 maps, 8×8",
                 max_maps=16)

# %%
from cnnguide.figures import feature_map_grid

feature_map_grid(stage1[0], title="After layer1: the same 16 channels, 8×8",
                 max_maps=16)

# %% [markdown] en="c449e311eae7"
# 逐个面板比较这两组网格：同一个通道在第一阶段之前和之后的样子，每个面板都有自己的颜色刻度。在 8 × 8 下，特征图只是一张粗略的草图：靴子只是一团格子，在背景上或亮或暗。相关系数高的通道（上面打印的上四分位数）保留了起始层的图像，只是做了调整：这正是恒等路径在起作用。相关系数低的通道则以两个残差分支加上的内容为主。在 VGG 的一个阶段中，输出的通道 $c$ 与输入的通道 $c$ 之间没有特别的关系；而在残差阶段中，每个通道都从一份副本出发。
#
# ## 在 GPU 上运行完整训练方案
#
# 书中的训练——ResNet-18，96 × 96 输入，10 轮，学习率 0.05 的普通 SGD，批量大小 256，Xavier 初始化——由 `scripts/reproduce.py` 记录到 `docs/recorded/resnet18.json` 中，若该文件存在，结果就显示在这里：

# %%
from cnnguide.recorded import report_recorded

report_recorded("resnet18")

# %% [markdown] en="8992342a91a0"
# ## 小结
#
# - 残差块输出 $\operatorname{ReLU}(F(\mathbf{x}) + \mathbf{x})$：它学习的是要给输入*加上*什么，而“什么也不做”很容易。
# - 当形状改变时，捷径连接是一个带步幅、后接批量归一化的 1 × 1 卷积（即投影）；否则它就是恒等映射，没有任何代价。
# - 求和在每个块的雅可比矩阵中放入了一个单位矩阵，因此梯度既不会消失（没有归一化的普通堆叠），也不会朝输入方向爆炸（带批量归一化的普通堆叠）：上面在 20 个块的深度上测量过。
# - ResNet-18：起始层、4 个阶段 × 2 个基本块、全局平均池化、一个线性层；用于 Fashion-MNIST 时有 1120 万个参数。
# - 瓶颈块（1 × 1 缩减、3 × 3、1 × 1 扩展）的代价比它在 ResNet-34 中所替换的、由两个 3 × 3 卷积组成的基本块略低，却能传递四倍的通道，代价只有同样宽的基本块的十七分之一：ResNet-50 的代价只比 ResNet-34 多一点。
# - 这里的 FLOPs 是 2 × 乘加次数；ResNet 论文中 ResNet-18 的“1.8 GFLOPs”其实是乘加次数，按本系列的约定是 3.6 GFLOPs。
# - 我们的 ResNet 可以用 `from_torchvision` 加载 torchvision 的权重。
# - 接下来：比 ResNet 早一年的 [GoogLeNet](../14-googlenet/) 选择了变宽而不是变深；[DenseNet](../15-densenet/) 则在 ResNet 做加法的地方改为拼接。
#
# ## 练习
#
# 1. `BasicBlock(128, 256, stride=2)` 有多少个参数？其中有多少个在它的投影捷径连接中？
#
#     <details><summary>答案</summary>
#
#     共 919,040 个。残差分支有 $128 \cdot 256 \cdot 9$ + $256 \cdot 256 \cdot 9$ = 884,736 个卷积权重，以及两个各有 $2 \cdot 256$ 个参数的批量归一化层；投影有 $128 \cdot 256$ = 32,768 个权重和一个有 512 个参数的批量归一化层：共 33,280 个参数，不到整个块的 4%。
#
#     </details>
#
# 2. 统计 ResNet-34 和 ResNet-50 最长路径上带权重的层数（捷径连接之外的卷积，加上最后的线性层），并与它们名字中的数字核对。
#
#     <details><summary>答案</summary>
#
#     ResNet-34：起始层的卷积、16 个各含 2 个卷积的基本块，以及线性层，$1 + 32 + 1 = 34$。ResNet-50：起始层、16 个各含 3 个卷积的瓶颈块，以及线性层，$1 + 48 + 1 = 50$。投影捷径连接（ResNet-50 中有 4 个，ResNet-34 中有 3 个）不计入：它们不在最长路径上。
#
#     </details>
#
# 3. 构建 `models.create("resnet18", zero_init_residual=True)`，给它的某个基本块送入一个非负的输入（即一个 ReLU 的输出，就像在网络中那样）。这个块输出什么？为什么？
#
#     <details><summary>答案</summary>
#
#     恰好是它的输入：最大差值为 0。残差分支的最后一个批量归一化层初始时 $\gamma = 0$、$\beta = 0$，因此 $F(\mathbf{x}) = 0$，对于 $\mathbf{x} \ge 0$，块输出 $\operatorname{ReLU}(\mathbf{x}) = \mathbf{x}$。网络一开始相当于只有起始层、各个投影和分类器，然后逐渐长出它的深度。（`fit` 默认的 `init="xavier"` 会把批量归一化重置为 $\gamma = 1$；要保留这一性质，请用 `init=None` 训练。）
#
#     </details>
#
# 4. ResNet-34 在 224 × 224、3 通道输入下：每张图像需要多少次乘加？按本系列的约定是多少 FLOPs？论文中的“36 亿 FLOPs”（3.6 billion FLOPs）是两者中的哪一个？
#
#     <details><summary>答案</summary>
#
#     3.66 G 次乘加（3,663,761,408）= 7.33 GFLOPs。论文中的 36 亿是乘加次数：即第一个数。
#
#     </details>
