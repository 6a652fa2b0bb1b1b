# %% [markdown] en="5c43db35b3ed"
# # 14. GoogLeNet：不只更深，而且更宽
#
# [VGG](../11-vgg/) 通过堆叠同一种层——3 × 3 卷积——让网络变得更深。GoogLeNet（Szegedy et al., *Going deeper with convolutions*, 2014）在同一届 ImageNet 竞赛（ILSVRC 2014）中夺得了分类任务的冠军（VGG 位居第二），它提出了一个不同的问题：一层应该用*哪种*大小的卷积核？小卷积核能看到精细的细节，大卷积核能看到更多的上下文，而合适的选择因图像而异。它的回答是同时使用几种，并排放置，让训练来决定每一种贡献多少。网络不仅变得更深，也变得**更宽**——即并行的分支。
#
# 本系列按思想而不是按时间排序：这里 GoogLeNet 排在 [ResNet](../13-resnet/) 之后，但它早一年问世，既没有批量归一化，也没有捷径连接，这一点在训练时会显现出来。
#
# 它的基本构件是 **Inception 块**。本章将构建这个块，衡量是什么让它的代价变得可以承受（[第 5 章](../05-one-by-one-convolution/)中的 1 × 1 卷积），组装出整个网络，简短地训练它，并观察它的内部。
#
# ## Inception 块：四个分支，一次拼接
#
# Inception 块把同一个输入送入四个分支：
#
# 1. 一个 1 × 1 卷积；
# 2. 一个 1 × 1 卷积，接一个 3 × 3 卷积；
# 3. 一个 1 × 1 卷积，接一个 5 × 5 卷积；
# 4. 一个 3 × 3 最大池化（步幅为 1），接一个 1 × 1 卷积。
#
# 每个卷积后面都接一个 ReLU。每个分支都保持高和宽不变（3 × 3 卷积填充 1，5 × 5 卷积填充 2，步幅全部为 1），因此它们的输出可以**沿通道维拼接**：块的输出有 $c_1 + c_2 + c_3 + c_4$ 个通道。下面是我们的 `cnnguide.models.googlenet.Inception`，去掉了文档字符串（`conv_relu` 是一个卷积后接一个 ReLU）：

# %%
from cnnguide.figures import show_source
from cnnguide.models.googlenet import Inception

show_source(Inception, docstring=False)

# %% [markdown] en="609991e2d7ec"
# 论文中的块“3a”，作用在它在完整网络中接收到的 192 通道、28 × 28 的特征图上：

# %%
import torch

from cnnguide.models.googlenet import Inception

# in_channels, c1, (reduce, c2), (reduce, c3), c4
block = Inception(192, 64, (96, 128), (16, 32), 32)
x = torch.randn(1, 192, 28, 28)
widths = []
for name, branch in block.named_children():
    y = branch(x)
    widths.append(str(y.shape[1]))
    print(f"{name}: {tuple(x.shape)} -> {tuple(y.shape)}")
print(f"concatenated: {tuple(block(x).shape)}   ({' + '.join(widths)} channels)")

# %% [markdown] en="4b58f4eb335c"
# 下图根据模块画出，并标注了一次前向传播中的形状：四列都从同一个输入出发，都保持 28 × 28 不变，各自结束于不同的通道数；底部的红框把它们堆叠在一起。中间两列顶部那两个较窄的 1 × 1 卷积（96 和 16 个通道）正是下一节要讨论的内容。

# %%
from cnnguide.figures import plot_inception_block

plot_inception_block(block, (1, 192, 28, 28))

# %% [markdown] en="254430074eca"
# 这四个通道数是*超参数*：论文为每个块给出了各自的划分（见其表 1），大部分通道分给了 3 × 3 分支。块从不选择卷积核的大小；它把各种大小都提供出来。
#
# ## 1 × 1 缩减换来了什么
#
# 分支 2 和分支 3 都以一个 1 × 1 卷积开头，在昂贵的卷积核之前先削减通道数：3 × 3 之前是 192 → 96，5 × 5 之前是 192 → 16。把 1 × 1 卷积用作层的想法来自 *Network in Network*（Lin, Chen and Yan, 2013），GoogLeNet 论文也为此引用了它；GoogLeNet 使用它们主要是为了削减通道数。一个从 $c_\text{in}$ 个通道到 $c_\text{out}$ 个通道的 $k \times k$ 卷积有 $c_\text{in}\, c_\text{out}\, k^2$ 个权重，在 $h \times w$ 的输出上需要 $h\, w\, c_\text{in}\, c_\text{out}\, k^2$ 次乘加（MACs）。在它前面加一个缩减到 $r$ 个通道的 1 × 1 卷积，就把 $c_\text{in} c_\text{out} k^2$ 换成了 $c_\text{in} r + r\, c_\text{out} k^2$，当 $r \ll c_\text{in}$ 时节省很大。
#
# 为了在块 3a 上看到这一点，我们构建一个**不带**缩减的同样的块——3 × 3 和 5 × 5 卷积直接读取 192 个输入通道，输出通道数不变——并在 192 × 28 × 28 的输入上用 [`summarize`](../../../reference/summary/) 统计两者。（池化分支之后的 1 × 1 卷积并不是放在更大卷积核前面的缩减：它决定了该分支的宽度，所以两种变体都保留它。）

# %%
from cnnguide.models.googlenet import Inception, conv_relu
from cnnguide.summary import summarize

block = Inception(192, 64, (96, 128), (16, 32), 32)
with_reductions = {"1×1": block.branch1, "1×1 → 3×3": block.branch2,
                   "1×1 → 5×5": block.branch3, "pool → 1×1": block.branch4}
without_reductions = {
    "1×1": block.branch1,
    "1×1 → 3×3": conv_relu(192, 128, kernel_size=3, padding=1),  # 3x3 from 192 channels
    "1×1 → 5×5": conv_relu(192, 32, kernel_size=5, padding=2),   # 5x5 from 192 channels
    "pool → 1×1": block.branch4,
}
input_size = (1, 192, 28, 28)
totals = {}
for variant, branches in (("with", with_reductions), ("without", without_reductions)):
    counts = [summarize(m, input_size) for m in branches.values()]
    params, macs = sum(s.total_parameters for s in counts), sum(s.macs for s in counts)
    totals[variant] = params, macs
    print(f"{variant:>7} 1×1 reductions: {params:>9,} parameters, "
          f"{macs:>12,} MACs per image")
(p_with, m_with), (p_without, m_without) = totals["with"], totals["without"]
print(f"the reductions divide the parameters by {p_without / p_with:.2f} "
      f"and the MACs by {m_without / m_with:.2f}")

# %%
from cnnguide.figures import branch_cost_bars

branch_cost_bars({"with 1×1 reductions": with_reductions,
                  "without": without_reductions}, input_size)

# %% [markdown] en="7f37f1b6e119"
# 两个面板都使用对数坐标轴，因此每对柱子之间相同的间距代表相同的倍数。1 × 1 分支和池化分支在两种变体中是一样的。5 × 5 分支的效果最明显：直接读取 192 个通道时，它的 5 × 5 卷积核所需的权重和计算量几乎是 1 × 1 → 5 × 5 组合的十倍。就整个块而言，缩减把参数量和计算量削减了上面打印出的倍数，而网络的九个块都以同样的方式节省。代价是 3 × 3 和 5 × 5 卷积核只能看到输入通道的 96 种和 16 种混合。论文押注的是：输入通道的冗余足够大，这样做损失很小。
#
# ## 整个网络
#
# GoogLeNet 由以下部分组成：一个与普通 CNN 开头很相似的起始层（stem）（步幅为 2 的 7 × 7 卷积、最大池化、1 × 1 和 3 × 3 卷积、最大池化），然后是分成三组（3a–3b、4a–4e、5a–5b）的九个 Inception 块，组与组之间是步幅为 2 的 3 × 3 最大池化，最后是全局平均池化和一个线性层。用全局平均池化取代 VGG 中庞大的全连接层，是它从 Network in Network 借鉴的另一个思想（[第 8 章](../08-feature-maps-to-classes/)说明了它为什么有效）。五次步幅为 2 的操作把图像边长除以 32：书中 96 × 96 的 Fashion-MNIST 图像到达最后几个块时只有 3 × 3。
#
# 下表列出了对一张 1 × 96 × 96 图像，每一层的输出形状、参数量和 FLOPs（FLOPs 把一次乘加计为 2 次运算，只统计卷积层和线性层）：

# %%
from cnnguide import models
from cnnguide.summary import summarize

net = models.create("googlenet", num_classes=10, in_channels=1)
summarize(net, (1, 1, 96, 96))

# %% [markdown] en="d5f34f0eadc7"
# 挂在九个块上的钩子把它们的输出通道数与论文表 1 中的数值（256, 480, 512, 512, 512, 528, 832, 832, 1024）进行核对；下图展示了每个块如何在各分支之间分配这些通道，同样是实测得到的。

# %%
import torch

from cnnguide import models
from cnnguide.models.googlenet import Inception

net = models.create("googlenet", num_classes=10, in_channels=1)
shapes = {}


def record(name):
    return lambda module, inputs, out: shapes.__setitem__(name, tuple(out.shape[1:]))


handles = [module.register_forward_hook(record(name))
           for name, module in net.named_modules() if isinstance(module, Inception)]
with torch.no_grad():
    net.eval()(torch.zeros(1, 1, 96, 96))
for handle in handles:
    handle.remove()
for name, shape in shapes.items():
    print(f"{name}: {shape}")
table_1 = [256, 480, 512, 512, 512, 528, 832, 832, 1024]
assert [shape[0] for shape in shapes.values()] == table_1

# %%
from cnnguide import models
from cnnguide.figures import inception_channel_split

inception_channel_split(models.create("googlenet", num_classes=10, in_channels=1),
                        (1, 1, 96, 96))

# %% [markdown] en="02043ddf78da"
# 每个块对应一根柱子，从顶部的 3a 到底部的 5b，柱子的长度是块的输出通道数，颜色代表四个分支。在每个块中，3 × 3 分支（橙色）都得到最大份额的通道（在 5b 中与 1 × 1 分支并列），而 5 × 5 分支（绿色）只得到一小部分，至多五分之一：昂贵的卷积核用得很节省。沿着网络向下，柱子也越来越长，从 256 个通道增加到 1,024 个，而特征图越来越小（右侧标出的尺寸）。
#
# ### 我们的实现与 torchvision 的实现
#
# 本网络遵循论文。torchvision 的 `googlenet` 有两处有意的不同，参数量把两处都体现了出来：它在每个卷积之后都加了**批量归一化**（论文发表于 2014 年，早于批量归一化的提出；有了批量归一化，卷积的偏置就是多余的，因此被去掉了）；此外，由于它所移植的权重中一个由来已久的怪癖，它的第三个分支使用 **3 × 3** 卷积核，而论文中是 5 × 5。在 ImageNet 配置下（3 个通道、1,000 个类别、不带辅助分类器），在 meta 设备上统计（只有形状，不分配权重）：

# %%
import torch
import torchvision

from cnnguide import models

with torch.device("meta"):
    ours = models.create("googlenet", num_classes=1000, in_channels=3)
    theirs = torchvision.models.googlenet(weights=None, aux_logits=False,
                                          init_weights=False)
    vgg16 = torchvision.models.vgg16(weights=None)
count = lambda net: sum(p.numel() for p in net.parameters())  # noqa: E731
batch_norms = sum(isinstance(m, torch.nn.BatchNorm2d) for m in theirs.modules())
print(f"cnnguide googlenet:    {count(ours):,} parameters, "
      f"branch 3 kernel {ours.inception3a.branch3[1][0].kernel_size}")
print(f"torchvision googlenet: {count(theirs):,} parameters, "
      f"branch 3 kernel {theirs.inception3a.branch3[1].conv.kernel_size}")
print(f"                       {batch_norms} batch norms")
print(f"torchvision vgg16:     {count(vgg16):,} parameters, "
      f"{count(vgg16) / count(ours):.0f} times ours")

# %% [markdown] en="3402dbc763ad"
# 两者都比 VGG-16 小约二十倍，尽管 GoogLeNet 更深：它的最长路径穿过 22 个带权重的层（起始层 3 个，9 个块各 2 个，再加最后的线性层），而 VGG-16 是 16 个。论文还训练了两个连接在块 4a 和 4d 上的**辅助分类器**，它们的损失（权重为 0.3）把梯度推入这个既没有批量归一化、也没有捷径连接的网络的中部；`models.create("googlenet", aux_logits=True)` 会加上它们。本书的训练方案和大多数复现一样，没有使用它们。
#
# ## 简短地训练一下
#
# 完整训练方案（见下文）在 96 × 96 的图像上训练 10 轮；这远远超出了本页在构建时用 CPU 所能做到的。因此这里改为在 6,144 张保持原始尺寸 28 × 28 的图像上训练 4 轮。起始层把边长从 28 缩小到 4（28 → 14 → 7 → 4），因此块 3a–3b 在 4 × 4 的特征图上工作，4a–4e 在 2 × 2 上，5a–5b 则只有一个位置：网络无需上采样就能运行，因为每个池化的填充都使特征图至少保持 1 × 1，而更大的输入只会多花时间。
#
# 这次短训练在三个方面偏离了训练方案。没有批量归一化时，用训练方案中的 Xavier 初始化和学习率为 0.1 的普通 SGD，GoogLeNet 迟迟无法脱离随机猜测的水平（下面会测量）。因此这次训练保留了网络自身的 He（Kaiming）初始化，它能让信号的方差在经过 ReLU 层时保持不变；使用动量为 0.9 的 SGD，它会沿着各次梯度方向一致的方向积累速度；并且，由于动量把有效步长放大了约十倍（$1 / (1 - 0.9)$），使用较小的学习率 0.005，小批量大小为 64。

# %%
import math
import time

from cnnguide import data, models, train
from cnnguide.recipes import get_recipe

net = models.create("googlenet", num_classes=10, in_channels=1)
train_iter, test_iter = data.load_fashion_mnist(64, device="cpu", train_size=6144,
                                                test_size=1000, seed=0)
tic = time.perf_counter()
history = train.fit(net, train_iter, test_iter, num_epochs=4, lr=0.005, momentum=0.9,
                    init=None, device="cpu", seed=0, callbacks=[train.PrintEpochs()])
recipe = get_recipe("googlenet")
recipe_steps = recipe.epochs * math.ceil(60_000 / recipe.batch_size)
print(f"trained in {time.perf_counter() - tic:.1f} s: {4 * len(train_iter)} SGD steps "
      f"(the full recipe takes {recipe_steps:,})")
print(f"test accuracy on the first {len(test_iter.labels):,} test images")

# %%
from cnnguide.figures import plot_history

plot_history(history, title="GoogLeNet, 4 short epochs on a CPU (6,144 images, 28×28)")

# %% [markdown] en="4046ee66fb8f"
# 左侧面板跟踪各轮的训练损失，右侧面板显示训练准确率以及每轮结束后的测试准确率（训练曲线是该轮到当时为止的平均值，每轮五个点，每轮重新开始计算）；随机猜测的准确率是 0.10，上面打印出的最后一个测试准确率说明了网络达到了什么程度。请把它看作网络能够训练的一个检验，而不是 GoogLeNet 的准确率——在小图像上训练几百步只是训练方案的一小部分。本页末尾记录的 GPU 运行才是真正的测量。
#
# 为什么不用训练方案自身的初始化和优化器？下面是两种设置各自的前 32 步，使用相同的前 2,048 张训练图像，顺序也相同：一种是训练方案的 Xavier 初始化加学习率为 0.1 的普通 SGD，另一种是本页的设置。（`fit` 打印的是该轮的平均训练损失；$\ln 10 \approx 2.303$ 是在十个类别上均匀猜测时的损失。）

# %%
import math

from cnnguide import data, models, train

first_steps, few_test = data.load_fashion_mnist(64, device="cpu", train_size=32 * 64,
                                                test_size=64, seed=0)
print(f"{len(first_steps)} steps of 64 images; ln 10 = {math.log(10):.3f}")
for label, settings in (("recipe (Xavier, SGD, lr 0.1)   ", dict(lr=0.1)),
                        ("page (He, momentum, lr 0.005)  ",
                         dict(lr=0.005, momentum=0.9, init=None))):
    short = train.fit(models.create("googlenet", num_classes=10, in_channels=1),
                      first_steps, few_test, num_epochs=1, device="cpu", seed=0,
                      **settings)
    print(f"{label}: mean training loss {short.train_loss[0]:.3f}, "
          f"accuracy {short.train_acc[0]:.3f}")

# %% [markdown] en="65406c3af95d"
# 打印出的平均值说明了在这 32 步中，每种设置让损失偏离 $\ln 10$ 多远。三处改动——初始化、动量还是步长——哪一处最重要，这两次运行无法区分；而且 32 步也说明不了训练方案的设置在完整的 10 轮之后会达到什么水平：下面记录的 GPU 运行用的正是这些设置。
#
# ## 训练后网络的内部
#
# 在全局池化之前，网络都是卷积的，因此它可以接受任意大小的输入。在 96 × 96 下，它的特征图更大，也更容易看清，但网络是在 28 × 28 下训练的，而在 96 × 96 下，每件衣物相对于卷积核都放大了 3.4 倍。首先来看这对它的预测有什么影响：在两种尺寸下对前 256 张测试图像分类，以及测试图像 0 的结果。

# %%
import torch
import torch.nn.functional as F

from cnnguide import data

images, labels = data.read_fashion_mnist("test")
small = images[:256, None].float() / 255
large = F.interpolate(small, size=96, mode="bilinear", antialias=True)
net.eval()
with torch.no_grad():
    at_28, at_96 = net(small).argmax(1), net(large).argmax(1)
for size, predicted in ((28, at_28), (96, at_96)):
    print(f"at {size}x{size}: {(predicted == labels[:256]).float().mean():.3f} of 256 "
          f"right; test image 0 ({data.text_labels(labels[0])}): "
          f"{data.text_labels(predicted[0])}")

# %% [markdown] en="cfa21473589c"
# 在训练时所用的尺寸 28 × 28 下，这 256 张图像（上面 1,000 张测试图像的四分之一）上的准确率衡量的是训练后的网络本身。96 × 96 那一行则展示了尺度变化对一个在单一尺寸下训练的网络有什么影响：它的卷积核学到的是几个像素宽的模式，现在看到的却是大得多的形状的平滑片段；后面各层接收到的特征图与训练时见过的任何特征图都不一样，因此那里的预测并不是网络真正的答案。如果测试图像 0 在 96 × 96 下被预测错了，那是这种不匹配造成的，而不是 GoogLeNet 的性质；完整训练方案在 96 × 96 下训练，也在 96 × 96 下测试。下面的特征图是用来观察卷积核做了什么，而不是看网络得出了什么结论。起始层 7 × 7 卷积的 64 张特征图中的 8 张：

# %%
from cnnguide.figures import feature_map_grid

image = large[:1]
maps = {}
hooks = [net.stem[0].register_forward_hook(
             lambda m, i, out: maps.__setitem__("stem", out[0])),
         net.inception3a.register_forward_hook(
             lambda m, i, out: maps.__setitem__("3a", out[0]))]
with torch.no_grad():
    net(image)
for hook in hooks:
    hook.remove()
feature_map_grid(maps["stem"], title="Stem convolution (7×7, stride 2): 8 of 64 maps",
                 max_maps=8)

# %% [markdown] en="d1c1c3137630"
# 每个面板都有自己的颜色刻度，值越大越亮。在这个尺度下，一个 7 × 7 卷积核只覆盖靴子的一小块，因此起始层的特征图要么是衣物的平滑副本（衣物亮的地方就亮），要么挑出了轮廓的某些部分（亮度发生变化的地方）。块 3a 的输出是四个分支的拼接，因此通道索引就表明了一张特征图来自哪个分支：通道 0–63 来自 1 × 1 分支，64–191 来自 3 × 3 分支，192–223 来自 5 × 5 分支，224–255 来自池化分支。每个分支各取三张：

# %%
from cnnguide.figures import feature_map_grid

branch_starts = {"1×1": 0, "3×3": 64, "5×5": 192, "pool": 224}
picked = [start + k for start in branch_starts.values() for k in range(3)]
size = "×".join(map(str, maps["3a"].shape[1:]))
labels = [f"{name} #{k}" for name in branch_starts for k in range(3)]
feature_map_grid(maps["3a"][picked], ncols=6, labels=labels,
                 title=f"Inception 3a: three maps from each branch ({size})")

# %% [markdown] en="4002bcda5765"
# 块 3a 工作在输入边长的八分之一上，所以这些特征图的每个单元格代表图像中一个 8 × 8 的区域（并且能看到它周围更大的范围），特征图也很粗糙。这十二张图都来自同一个输入；不同的只是分支。1 × 1 分支的特征图是每个位置上起始层各通道的混合；3 × 3 和 5 × 5 分支的特征图在更大的范围内组合相邻的位置；池化分支先在 3 × 3 邻域上取最大值，这会让亮的单元格扩散开来。暗的面板是 ReLU 输出在这张图像上为零的特征图。
#
# ## 在 GPU 上运行完整训练方案
#
# 本书的训练方案——在全部 60,000 张 96 × 96 图像上训练 10 轮，学习率为 0.1 的普通 SGD，批量大小 128，Xavier 初始化——由 `scripts/reproduce.py` 记录到 `docs/recorded/googlenet.json` 中，若该文件存在，结果就显示在这里：

# %%
from cnnguide.recorded import report_recorded

report_recorded("googlenet")

# %% [markdown] en="74c68f844fc8"
# ## 小结
#
# - Inception 块在同一个输入上并排运行 1 × 1、3 × 3、5 × 5 卷积和一个池化，并把它们的输出沿通道维拼接；填充让每个分支都保持输入的高和宽，拼接才能进行。
# - 3 × 3 和 5 × 5 卷积核前面的 1 × 1 卷积先缩减通道数；在块 3a 中，它们把参数量和乘加次数除以约 2.4（单是 5 × 5 分支就接近 10）。把 1 × 1 卷积用作层和全局平均池化，这两个思想都来自 Network in Network（2013）。
# - GoogLeNet 由起始层、九个 Inception 块（256 到 1,024 个通道）、全局平均池化和一个线性层组成：在 ImageNet 尺寸下约有 700 万个参数，约为 VGG-16 的二十分之一。
# - torchvision 的 `googlenet` 加入了批量归一化，并在第三个分支中使用 3 × 3 卷积核；我们的实现遵循论文（5 × 5，无批量归一化），参数量也相应不同。
# - 没有批量归一化或捷径连接，这个网络在普通 SGD 下起步很慢；当时的对策是精心的初始化和辅助分类器。批量归一化（次年提出）和 [ResNet](../13-resnet/) 的捷径连接，以及后来 [DenseNet](../15-densenet/) 的拼接，都直接针对这个问题。
# - 在一种图像尺寸下训练的网络，不能拿到另一种尺寸下测试：在新的尺度下，它的卷积核看到的是别的模式。
#
# ## 练习
#
# 1. 构建块 3b，即 `Inception(256, 128, (128, 192), (32, 96), 64)`。它有多少个输出通道？多少个参数？
#
#     <details><summary>答案</summary>
#
#     $128 + 192 + 96 + 64 = 480$ 个通道，正是论文表 1 中的 480；参数有 388,736 个（它的六个卷积的权重和偏置）。
#
#     </details>
#
# 2. 块 5b 的 5 × 5 分支先把 832 个通道缩减到 48 个，再用一个 5 × 5 卷积得到 128 个通道。用 `conv_param_count` 统计它的参数量，以及一个直接从 832 个通道到 128 个通道的 5 × 5 卷积的参数量。缩减把参数量除以了多少？
#
#     <details><summary>答案</summary>
#
#     有缩减时：`conv_param_count(832, 48, 1)` + `conv_param_count(48, 128, 5)` = 39,984 + 153,728 = 193,712。没有缩减时：`conv_param_count(832, 128, 5)` = 2,662,528。缩减把参数量除以 13.7，比块 3a 中更多，因为这个块的输入更宽。
#
#     </details>
#
# 3. 在 ImageNet 配置下，GoogLeNet 的分类器（它唯一的线性层）有多少个参数？VGG-16 的三个线性层加起来有多少个？
#
#     <details><summary>答案</summary>
#
#     GoogLeNet：$1024 \cdot 1000 + 1000$ = 1,025,000。VGG-16：123,642,856，是前者的 121 倍。全局平均池化留给分类器的是一个长度为 1,024 的向量，而 VGG 的是 $512 \cdot 7 \cdot 7$ = 25,088 个值，后面还跟着两个宽度为 4,096 的隐藏层。
#
#     </details>
#
# 4. 在 meta 设备上汇总（summarize）224 × 224、3 通道、1,000 个类别的 GoogLeNet。一张图像需要多少次乘加？按本系列的约定是多少 FLOPs？论文提到的预算是“15 亿次乘加”（1.5 billion multiply-adds）：它是这两个数中的哪一个？
#
#     <details><summary>答案</summary>
#
#     1.58 G 次乘加（1,582,671,872）= 3.17 GFLOPs。论文中 15 亿次乘加的预算是第一个数的概数；若按这里的方式以 FLOPs 计，大约是 30 亿。
#
#     </details>
