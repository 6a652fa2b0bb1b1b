# %% [markdown] en="6bdcf7feae3c"
# # 7. 池化
#
# 卷积负责发现模式；但网络还必须应对这样一个事实：同一个模式在不同图像中的位置会略有移动，而且特征图越小，网络的计算代价就越低。**池化**层对这两方面都有帮助。它和卷积一样在输入上滑动一个窗口，但它报告的不是用学到的权重计算的加权和，而是窗口的一个固定的汇总值：**最大值**（最大池化）或**平均值**（平均池化）。它完全没有参数。
#
# ## 最大池化和平均池化
#
# 在[第 2 章](../02-cross-correlation/)的 3 × 3 输入上使用步幅为 1 的 2 × 2 窗口：

# %%
import torch

from cnnguide.ops import pool2d

X = torch.arange(9.0).reshape(3, 3)
print("max pooling:\n", pool2d(X, 2, mode="max"))
print("average pooling:\n", pool2d(X, 2, mode="avg"))

# %% [markdown] en="f278c83c44ad"
# 每个输出是一个窗口中的最大值或平均值。图中的红色方框标出了最大池化从突出显示的窗口中取出的值：

# %%
from cnnguide.figures import pooling_figure

pooling_figure(X)

# %% [markdown] en="d9249d61c73c"
# 最大池化保留每个区域中最强的响应（“这里某处有这个模式吗？”）；平均池化则起平滑作用。卷积层之间通常使用最大池化；而对整个特征图做平均池化是结束一个网络的常用方式（[第 8 章](../08-feature-maps-to-classes/)）。
#
# ## 步幅、填充与输出大小
#
# 池化窗口和卷积一样可以设置步幅和填充，输出大小也遵循同一个公式（[第 3 章](../03-padding-and-stride/)）。对于 $H \times W$ 的输入、$F \times F$ 的窗口、填充 $p$ 和步幅 $S$：
#
# $$H_\text{out} = \left\lfloor \frac{H + 2p - F}{S} \right\rfloor + 1,$$
#
# 宽度同理。
#
# 原博客给出的池化输出大小是 $(H - F)/S + 1$。这个公式缺了两样东西。它没有填充项，所以对每个有填充的层都是错的。它也没有向下取整，所以每当 $S$ 不能整除 $H - F$ 时，它给出的是一个分数——在 7 × 7 的特征图上用步幅为 2 的 2 × 2 窗口时得到 3.5——而一个层输出的行数必须是整数。向下取整所描述的正是 PyTorch 的默认做法：末尾不完整的窗口被丢弃（`nn.MaxPool2d` 也可以用 `ceil_mode=True` 改为向上取整；见练习 2）。下面的比较把原博客的值与正确的值并排打印出来。
#
# 实践中步幅通常等于窗口大小，这样各个窗口不重叠地铺满输入；步幅为 2 的 2 × 2 窗口会把高和宽减半：

# %%
X = torch.arange(16.0).reshape(4, 4)
print(X)
print("2x2, stride 2:\n", pool2d(X, 2, stride=2))

# %%
pooling_figure(X, pool_size=2, stride=2, position=(1, 0))

# %% [markdown] en="b0f14a219c6a"
# `cnnguide.ops.pool2d` 的默认步幅为 1，与前面演算的示例一致；PyTorch 的 `nn.MaxPool2d` 则默认步幅等于窗口大小。对最大池化来说，填充永远不会成为最大值（边界相当于 $-\infty$）；而平均池化会把填充的零计入平均值，这与 PyTorch 的默认做法相同。下面是去掉参数检查之后的代码：

# %%
from cnnguide.figures import show_source

show_source(pool2d, docstring=False)

# %% [markdown] en="ecd07785fbad"
# 它和快速的 `conv2d` 一样，一次性得到所有窗口的视图，再对每个窗口取最大值或平均值。下表在 7 × 7 的输入上，针对几种不同的窗口、步幅和填充，打印出原博客公式的结果、正确公式（`conv_output_size`）的结果、`pool2d` 和 PyTorch 各层的输出宽度，以及数值是否也一致：

# %%
from torch import nn

from cnnguide.ops import conv_output_size

torch.manual_seed(0)
X = torch.randn(1, 1, 7, 7)
row = "{:>6} {:>6} {:>7} | {:>5} {:>7} | {:>6} {:>5} | {}"
print(row.format("window", "stride", "padding", "blog", "formula", "pool2d", "torch",
                 "values equal"))
for window, stride, padding in [(2, 2, 0), (3, 2, 1), (3, 3, 0), (3, 1, 1), (2, 3, 1)]:
    ours = pool2d(X, window, mode="max", stride=stride, padding=padding)
    theirs = nn.MaxPool2d(window, stride=stride, padding=padding)(X)
    ours_avg = pool2d(X, window, mode="avg", stride=stride, padding=padding)
    theirs_avg = nn.AvgPool2d(window, stride=stride, padding=padding)(X)
    blog = (7 - window) / stride + 1
    formula = conv_output_size(7, window, padding=padding, stride=stride)
    equal = torch.equal(ours, theirs) and torch.allclose(ours_avg, theirs_avg)
    print(row.format(window, stride, padding, f"{blog:.3g}", formula,
                     ours.shape[-1], theirs.shape[-1], equal))

# %% [markdown] en="90f418b72fd1"
# 正确的公式、`pool2d` 和 `nn.MaxPool2d`（torch 列）给出的宽度一致；最后一列表示 `pool2d` 计算出的数值是否也与 `nn.MaxPool2d` 和 `nn.AvgPool2d` 相同。原博客的公式在这几行中没有一行是对的：无填充的行需要向下取整，有填充的行需要填充项。
#
# 下面的交互演示从 4 × 4 的示例开始，使用 2 × 2 窗口和步幅 2。你可以在最大池化与平均池化之间切换，也可以改变窗口、步幅、填充和膨胀（dilation）。使用最大池化时，填充显示为 −∞。和 PyTorch 一样，超过窗口一半的填充会被拒绝，平均池化加上膨胀也会被拒绝。

# %%
from cnnguide.figures.explorers import pooling_explorer

pooling_explorer(torch.arange(16.0).reshape(4, 4), 2, stride=2)

# %% [markdown] en="d15f5f17fd73"
# ## 通道与参数
#
# 与卷积不同，池化不对通道求和：它对每个通道单独做池化，因此通道数保持不变。而且它没有任何需要学习的东西：

# %%
X = torch.randn(1, 16, 28, 28)
pool = nn.MaxPool2d(2)
print("input:", tuple(X.shape), " output:", tuple(pool(X).shape))
print("parameters of nn.MaxPool2d:", sum(p.numel() for p in pool.parameters()))
avg_pool = nn.AvgPool2d(2)
print("parameters of nn.AvgPool2d:", sum(p.numel() for p in avg_pool.parameters()))
alone = pool2d(X[0, 5], 2, stride=2)
print("channel 5 pooled alone = channel 5 of the whole:",
      torch.equal(alone, pool(X)[0, 5]))

# %% [markdown] en="9d842e608e9b"
# ## 容忍小幅平移
#
# [第 2 章](../02-cross-correlation/)的边缘检测器 $[1, -1]$ 会在边缘的确切位置上标出边缘。把图像向右移动一个像素，响应也随之移动：在每个位置上，特征图给出的信息都与之前不同了。步幅为 1 的 2 × 2 最大池化在每个位置上报告的是：响应是否出现在一个 2 × 2 邻域内的某处，因此平移后它的响应有一半仍留在原处。红色的单元格是发生了变化的单元格：

# %%
from cnnguide.figures import shift_invariance_figure

image = torch.ones(6, 8)
image[:, 4:] = 0  # white left half, black right half: one vertical edge
edge = torch.tensor([[1.0, -1.0]])
shift_invariance_figure(image, edge, shift=1)

# %% [markdown] en="3c0e80fdfdb8"
# 对于常用的步幅为 2 的 2 × 2 窗口，结果取决于边缘落在哪里。如果边缘仍在同一个池化窗口内，池化后的特征图完全不变；如果它越界进入了下一个窗口，池化后的响应就移动一格（这一格现在相当于输入的两个像素）。我们对每个边缘位置进行测量：平移一个像素后，非零响应中仍留在原处且数值不变的比例。

# %%
from cnnguide.ops import corr2d


def kept(before, after):
    """Share of the nonzero responses in `before` that keep their value in `after`."""
    responses = before != 0
    return ((responses & (after == before)).sum() / responses.sum()).item()


def shift_right(image):
    return torch.cat([image[:, :1], image[:, :-1]], dim=1)


row = "{:>11} | {:>11} {:>12} {:>12}"
print(row.format("edge column", "feature map", "max 2x2, s=1", "max 2x2, s=2"))
rows = []
for column in range(2, 10):
    image = torch.ones(6, 12)
    image[:, column:] = 0
    before, after = corr2d(image, edge), corr2d(shift_right(image), edge)
    pooled = [
        kept(pool2d(before, 2, stride=s), pool2d(after, 2, stride=s)) for s in (1, 2)
    ]
    shares = [kept(before, after), *pooled]
    rows.append(shares)
    print(row.format(column, *(f"{share:.0%}" for share in shares)))
means = torch.tensor(rows).mean(dim=0).tolist()
print(row.format("mean", *(f"{share:.0%}" for share in means)))

# %% [markdown] en="743460b4fd2e"
# 特征图的响应在平移一个像素后无一保留；经过最大池化后，无论用哪种步幅，平均都有一半得以保留（见 mean 这一行）。更大的窗口能容忍更大的平移。这只是局部的容忍，而不是真正的不变性：平移得足够远，池化后的特征图也会改变；而且步幅为 2 的池化对某些边缘位置能保持特征图不变，对另一些则不能。堆叠带步幅的层也解决不了这个问题；输入的小幅平移仍可能改变深度网络的输出（[第 8 章](../08-feature-maps-to-classes/)测量了一个小例子）。
#
# 池化还能让后面的层计算更省：步幅为 2 的 2 × 2 池化把位置数除以四，因此下一个卷积只需做四分之一的计算，而且它的每个单元覆盖原始图像中更大的区域（[第 9 章](../09-receptive-field/)）。原博客还提到了第三个作用：减少过拟合。池化没有需要拟合的权重，所以这个效果是间接的：特征图变小，意味着其后任何全连接层的权重都会更少（[第 8 章](../08-feature-maps-to-classes/)）。
#
# ## 小结
#
# - 池化滑动一个窗口，报告窗口内的最大值或平均值；它**没有参数**，并且对每个通道分别池化，因此**通道数保持不变**。
# - 输出大小：$\lfloor (H + 2p - F)/S \rfloor + 1$，与卷积的公式相同；通常 $S = F$，因此步幅为 2 的 2 × 2 池化会把高和宽减半。原博客的 $(H - F)/S + 1$ 漏掉了填充和向下取整。
# - 最大池化使输出能够容忍输入的小幅平移：把一条边缘平移一个像素后，特征图中没有任何响应留在原处，但最大池化后的响应有一半仍在原处。
#
# 上一章：[激活函数](../06-activation-functions/)。下一章：[从特征图到类别](../08-feature-maps-to-classes/)。

# %% [markdown] en="1e86250f3252"
# ## 练习
#
# 1. ResNet 的起始层（stem）以一个 3 × 3、步幅为 2、填充为 1 的最大池化结束，作用在 112 × 112 的特征图上。输出多大（`conv_output_size`）？原博客的公式 $(H - F)/S + 1$ 又给出多少？
#
#     <details><summary>答案</summary>
#
#     $\lfloor (112 + 2 - 3)/2 \rfloor + 1 = 56$。原博客的公式给出 $(112 - 3)/2 + 1 = 55.5$，这根本不是一个合法的尺寸。
#
#     </details>
#
# 2. 把 `nn.MaxPool2d(2)` 和 `nn.MaxPool2d(2, ceil_mode=True)` 作用在 7 × 7 的特征图上。输出各是多大？第二种情况下最后一个窗口覆盖了哪里？
#
#     <details><summary>答案</summary>
#
#     默认输出 3 × 3，遵循向下取整：第七行和第七列被丢弃。使用 `ceil_mode=True` 时输出为 4 × 4：最后一个窗口从第 6 行（和第 6 列）开始，只覆盖这一行，窗口超出输入的部分被忽略。
#
#     </details>
#
# 3. 用 `pool2d` 对 `torch.arange(16.0).reshape(4, 4)` 做 2 × 2 窗口、步幅为 2 的平均池化。四个输出是什么？
#
#     <details><summary>答案</summary>
#
#     2.5、4.5、10.5 和 12.5（逐行）：四个 2 × 2 块的平均值，例如 $(0 + 1 + 4 + 5)/4 = 2.5$。
#
#     </details>
#
# 4. 用 3 × 3 窗口、步幅 1、填充 1 对一个全为 1 的 3 × 3 特征图做平均池化。角上的输出是多少？为什么不是 1？`nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)` 会给出什么？
#
#     <details><summary>答案</summary>
#
#     约为 0.444，即 $4/9$：角上的窗口包含 4 个 1 和 5 个填充的零，而这些零也计入了平均值（这是 PyTorch 的默认做法，`pool2d` 也遵循这一做法）。使用 `count_include_pad=False` 时只对 4 个真实值求平均，每个输出都是 1。
#
#     </details>
