# %% [markdown] en="64a4f7951873"
# # 8. 从特征图到类别
#
# 卷积、激活函数和[池化](../07-pooling/)把一张图像变成一叠特征图：$C$ 个通道，每个通道是一个 $H \times W$ 的网格，标明某种模式在哪里被找到。而分类器最后必须为每个类别给出一个分数。本章研究这最后一步——网络如何从一个 $C \times H \times W$ 的张量得到类别分数向量——以及实现它的两种方式：像 LeNet 和 VGG 那样**展平后接全连接层**，或者像 ResNet、GoogLeNet 和 DenseNet 那样使用**全局平均池化**。
#
# ## 全连接层就是卷积
#
# 假设最后一个卷积层经过 ReLU 之后留下一个 5 通道的 3 × 3 特征图，而下一层是有 4,096 个单元的全连接层。展平后得到 $5 \cdot 3 \cdot 3 = 45$ 个数，每个单元对这全部 45 个数计算加权和。而对整个 $5 \times 3 \times 3$ 块求加权和，恰恰就是一个大小为 $5 \times 3 \times 3$ 的卷积核在特征图上恰好放置一次时所计算的东西。因此，这个全连接层就是一个在 5 个通道上使用 4,096 个 3 × 3 卷积核的卷积，输出为 $4096 \times 1
# \times 1$。这是博客中的例子。我们把 `nn.Linear` 的权重复制到 `nn.Conv2d` 中来验证这一点，先按博客的写法，不带偏置：

# %%
import torch
from torch import nn

torch.manual_seed(0)
# (batch, channels, height, width)
activation = torch.relu(torch.randn(1, 5, 3, 3))

dense = nn.Linear(5 * 3 * 3, 4096, bias=False)
conv = nn.Conv2d(5, 4096, kernel_size=3, bias=False)
with torch.no_grad():
    # nn.Flatten orders the 45 inputs channel by channel, row by row:
    # the layout of a (5, 3, 3) kernel.
    conv.weight.copy_(dense.weight.reshape(4096, 5, 3, 3))

from_dense = dense(activation.flatten(1))  # (1, 4096)
from_conv = conv(activation)  # (1, 4096, 1, 1)
print("dense:", tuple(from_dense.shape), "| conv:", tuple(from_conv.shape))
print(f"max |dense - conv| = {(from_dense - from_conv.flatten(1)).abs().max():.1e}")

# %% [markdown] en="d8845420b90a"
# 结果完全相同：打印出的差值为零，或者只是 float32 的舍入误差（两种实现可能以不同的顺序累加这 45 个乘积）。我们从零实现的 `cnnguide.ops.conv2d` 也给出相同的结果；带偏置的版本在把偏置也一并复制过去之后，同样如此：

# %%
import torch
from torch import nn

from cnnguide.ops import conv2d

dense_b = nn.Linear(45, 4096)  # with bias this time
conv_b = nn.Conv2d(5, 4096, kernel_size=3)
with torch.no_grad():
    conv_b.weight.copy_(dense_b.weight.reshape(4096, 5, 3, 3))
    conv_b.bias.copy_(dense_b.bias)
    reference = dense_b(activation.flatten(1))
    ours = conv2d(activation, conv_b.weight, conv_b.bias).flatten(1)
    theirs = conv_b(activation).flatten(1)
    gap = (reference - theirs).abs().max()
    print(f"with bias, nn.Conv2d:       max diff {gap:.1e}")
    print(f"with bias, cnnguide conv2d: max diff {(reference - ours).abs().max():.1e}")

# %% [markdown] en="24c4d3efd044"
# 博客说这个卷积没有偏置，并把每个单元写成不带偏置的加权和。对于它所描述的这个层来说，这是错误的：全连接层的每个单元都有一个偏置（除非另行指定，`nn.Linear` 都带有偏置），与之等价的卷积则是每个卷积核有一个偏置。这个层是 4,096 个各含 $3 \cdot 3 \cdot 5$ 个权重的卷积核，**外加 4,096 个偏置**。无论写成哪种形式，参数量都相同：

# %%
from cnnguide.ops import conv_param_count, dense_param_count


def n_params(module):
    return sum(p.numel() for p in module.parameters())


for bias, module in [(False, conv), (True, conv_b)]:
    as_conv = conv_param_count(5, 4096, 3, bias=bias)
    as_dense = dense_param_count(45, 4096, bias=bias)
    print(f"bias={bias!s:<5}  conv {as_conv:,} = dense {as_dense:,}"
          f" = nn modules {n_params(module):,}")

# %% [markdown] en="eb800bdcb1dc"
# 卷积形式还有一个额外的好处：它能接受*更大*的特征图。在 5 × 5 的特征图上，同样的卷积核可以放在 3 × 3 个位置上，每个输出位置恰好等于把全连接层作用于一个 3 × 3 窗口的结果——我们白白得到了一个分类结果的网格。这正是*全卷积网络*（FCN；Long, Shelhamer & Darrell, 2015）背后的思想，博客在谈到为图像的每个区域打标签时提到了它：全卷积网络把分类器中的全连接层换成卷积，使网络输出一个粗糙的类别分数网格，再对这个网格进行上采样，为每个像素给出一个标签（语义分割）。

# %%
import torch

bigger = torch.relu(torch.randn(1, 5, 5, 5))
with torch.no_grad():
    grid = conv(bigger)  # (1, 4096, 3, 3)
    window = bigger[:, :, 1:4, 2:5]  # the 3x3 window whose top-left corner is (1, 2)
    diff = (grid[:, :, 1, 2] - dense(window.flatten(1))).abs().max()
print("conv on a 5x5 map:", tuple(grid.shape))
print(f"position (1, 2) vs dense on that window: {diff:.1e}")

# %% [markdown] en="7bc400774ca8"
# ## 展平还是平均？
#
# 展平保留了每个特征出现的*位置*：一个单元赋予“猫检测器被激活”的权重在每个位置上都不同。对分类来说，这多半是个负担——左上角的猫和右下角的猫应该得到相同的分数。**全局平均池化**（GAP）作为 *Network In Network*（Lin, Chen & Yan, 2013）的分类器被提出，它有意丢弃位置信息：它在整个特征图上对每个通道求平均，每个通道只留下一个数，然后才接一个小的全连接层——或者干脆不接：在 Network In Network 中，最后一个卷积层已经是每个类别对应一个通道，其平均值就是类别分数。下面，特征图的某一个通道在两个不同的位置被激活：

# %%
import torch

from cnnguide.figures import feature_map_grid

maps = torch.zeros(2, 1, 6, 6)  # two examples, one channel, 6x6
maps[0, 0, 0:2, 0:2] = 1.0  # "cat" found top-left
maps[1, 0, 4:6, 3:5] = 1.0  # "cat" found bottom-right
feature_map_grid(
    maps[:, 0],
    title="The same feature at two positions",
    labels=["example 1", "example 2"],
)

# %%
import torch
from torch import nn

torch.manual_seed(0)
flatten_head = nn.Sequential(nn.Flatten(), nn.Linear(1 * 6 * 6, 1))
gap_head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(1, 1))
with torch.no_grad():
    for name, head in [("flatten", flatten_head), ("GAP", gap_head)]:
        scores = head(maps).flatten().tolist()
        print(f"{name:<7} head scores:", [f"{v:+.4f}" for v in scores])
    pooled = nn.AdaptiveAvgPool2d(1)(maps).flatten()
    means = maps.mean(dim=(2, 3)).flatten()
    print("GAP is the mean over each map:", torch.equal(pooled, means))

# %% [markdown] en="208fa501634a"
# 展平的分类头给两个样本打出不同的分数；GAP 分类头则无法区分它们。（在网络*内部*，位置仍然重要——卷积的卷积核看到的是局部布局——只是在最后的投票中不再起作用。）
#
# GAP 忽略的是特征在*最后一个*特征图中的激活位置。但这并不会让整个网络对*图像*的平移视而不见，因为 GAP 之下的各层只是近似地具有平移等变性。取一个带 ReLU 的随机步幅为 2 的卷积，后接 GAP，再取一个远离边界的小随机图案；把图像分别平移偶数个和奇数个像素：

# %%
torch.manual_seed(0)
network = nn.Sequential(
    nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1)
)
image = torch.zeros(1, 1, 32, 32)
image[0, 0, 10:15, 8:12] = torch.rand(5, 4)  # a small pattern, away from the borders
with torch.no_grad():
    reference = network(image)
    print(f"size of the pooled features: {reference.abs().max():.2f}")
    for shift in [(0, 2), (4, 6), (0, 1), (1, 1), (3, 0)]:
        moved = network(torch.roll(image, shift, dims=(2, 3)))
        print(f"shift {shift}: largest change {(moved - reference).abs().max():.1e}")

# %% [markdown] en="bdab4b1765aa"
# 平移偶数个像素只会让步幅为 2 的特征图移动整数个格子，而 GAP 忽略这种移动：变化只是 float32 的舍入误差。奇数个像素的平移会使步幅为 2 的窗口在别的位置对图案采样，于是特征图本身发生变化，其平均值也随之改变。零填充还会在边界附近带来第二种效应。真实的网络会叠加多次带步幅的下采样，而微小的平移确实会改变它们的预测（Azulay & Weiss, 2019）。
#
# ## 展平的代价
#
# 现在来看一个实际的尺寸。在 224 × 224 的图像上，VGG-16 的最后一个卷积阶段留下 512 个 7 × 7 的通道，由其分类器展平；ResNet-18 和 ResNet-34 同样以 512 个通道结束，ResNet-50 及更深的 ResNet 则以 2,048 个通道结束。在 `meta` 设备（它知道形状，但不分配内存）上构建的 torchvision 模型证实了这一点：

# %%
import torch
from torchvision.models import resnet18, resnet50, vgg16

with torch.device("meta"):
    nets = {"VGG-16": vgg16(), "ResNet-18": resnet18(), "ResNet-50": resnet50()}
print(f"VGG-16's classifier takes {nets['VGG-16'].classifier[0].in_features:,} inputs")
for name in ("ResNet-18", "ResNet-50"):
    print(f"{name}'s head averages {nets[name].fc.in_features:,} channels")

# %% [markdown] en="5bfdfaee094d"
# VGG-16 分类器的 25,088 个输入就是 $512 \times 7 \times 7$，而 ImageNet 有 1,000 个类别。我们来比较三种分类头：在展平的特征图上接单个全连接层；VGG 的分类头，带两个各有 4,096 个单元的隐藏层；以及 GAP 后接一个全连接层。这些模块同样放在 `meta` 设备上，因此统计 VGG 分类头的参数不需要任何开销：

# %%
from torch import nn

from cnnguide.figures import parameter_count_bars
from cnnguide.ops import dense_param_count

C, H, W, classes = 512, 7, 7, 1000
with torch.device("meta"):
    heads = {
        "flatten → 1000": nn.Sequential(nn.Flatten(), nn.Linear(C * H * W, classes)),
        "flatten → 4096 → 4096 → 1000 (VGG)": nn.Sequential(
            nn.Flatten(),
            nn.Linear(C * H * W, 4096), nn.ReLU(),
            nn.Linear(4096, 4096), nn.ReLU(),
            nn.Linear(4096, classes),
        ),
        "GAP → 1000": nn.Sequential(
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(C, classes)
        ),
    }
for name, head in heads.items():
    print(f"{name:36s} {sum(p.numel() for p in head.parameters()):>12,} parameters")
flat, gap = dense_param_count(C * H * W, classes), dense_param_count(C, classes)
print(f"dense_param_count: flatten {flat:,}, GAP {gap:,}, ratio {flat / gap:.1f}")
vgg = nets["VGG-16"]
share = sum(p.numel() for p in vgg.classifier.parameters()) / sum(
    p.numel() for p in vgg.parameters()
)
print(f"VGG-16's classifier holds {share:.0%} of its parameters")

# %%
parameter_count_bars(
    heads, title=f"Classifier heads on a {C}×{H}×{W} map, {classes} classes", log=False
)

# %% [markdown] en="08ad072c183b"
# 这些条形共用一条线性坐标轴，在两个展平分类头的条形旁边，GAP 分类头的条形细得看不见。与 GAP 分类头相比，展平分类头的权重数要乘以 $H \times W$——这里是 $7 \times 7$；而在 VGG-16 中，分类器占了整个网络的大部分参数（比例见上面打印的结果；另见 [VGG 一章](../11-vgg/)）。参数越多，意味着占用的内存越多、训练越慢，也越容易死记硬背训练集。
#
# ## 任意输入尺寸
#
# 展平的层还固定了输入尺寸：它是为恰好 $C \cdot H \cdot W$ 个输入而构建的。而无论 $H$ 和 $W$ 是多少，GAP 都产生 $C$ 个数，因此同一个分类头可以用于更大的图像：

# %%
import torch
from torch import nn

torch.manual_seed(0)
flatten_head = nn.Sequential(nn.Flatten(), nn.Linear(512 * 7 * 7, 10))
gap_head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, 10))

for h, w in [(7, 7), (10, 13)]:
    features = torch.randn(1, 512, h, w)
    print(f"{h}x{w} map -> GAP head output {tuple(gap_head(features).shape)}")
    try:
        out = flatten_head(features)
        print(f"{h}x{w} map -> flatten head output {tuple(out.shape)}")
    except RuntimeError as err:
        print(f"{h}x{w} map -> flatten head fails ({type(err).__name__}):")
        print(f"  {features[0].numel():,} inputs, built for {512 * 7 * 7:,}")

# %% [markdown] en="91e7992d9e15"
# 这就是 [ResNet](../13-resnet/)、[GoogLeNet](../14-googlenet/) 和 [DenseNet](../15-densenet/) 以全局平均池化结尾的原因：参数更少，过拟合更轻（这是 Network In Network 的论点：GAP 没有权重，也就无从过拟合），输入尺寸任意。代价是，判断图像中*有什么*的工作必须全部由卷积层来完成，因为分类头只能看到每个通道的平均值。下一章将探讨最后这些卷积层实际上能看到图像的多大范围，即[感受野](../09-receptive-field/)。
#
# ## 小结
#
# - $C \times H \times W$ 特征图上的全连接层就是一个卷积，每个单元对应一个 $C \times H \times W$ 的卷积核：5 × 3 × 3 → 4,096 的层就是 4,096 个 5 × 3 × 3 的卷积核，即 $5 \cdot 3 \cdot 3 \cdot 4096 = 184{,}320$ 个权重，外加 4,096 个偏置（博客说“没有偏置”是错的），两者输出完全相同。在更大的特征图上运行时，它会给出一个输出网格：这就是全卷积网络的思想。
# - 展平保留了位置信息，每个输出单元要花费 $C H W$ 个权重。
# - 全局平均池化（源自 Network In Network）把每个通道平均成一个数：分类头的每个输出只需 $C$ 个权重，它不关心特征出现在最后一个特征图的什么位置，并且接受任意尺寸的输入。GAP 之下的各层只是近似平移等变的，因此整个网络也只是近似平移不变的。
#
# ## 参考文献
#
# - Azulay, A. & Weiss, Y. (2019). Why do deep convolutional networks generalize so poorly to small image transformations? *Journal of Machine Learning Research*, 20(184), 1–25.
# - Lin, M., Chen, Q. & Yan, S. (2013). Network in network. arXiv:1312.4400; published at ICLR 2014.
# - Long, J., Shelhamer, E. & Darrell, T. (2015). Fully convolutional networks for semantic segmentation. *Proceedings of the IEEE Conference on Computer Vision and Pattern Recognition (CVPR)*, 3431–3440.

# %% [markdown] en="f589bc43b38d"
# ## 练习
#
# 1. VGG-16 的第一个全连接层把展平后的 512 × 7 × 7 特征图映射到 4,096 个单元。如果写成卷积，它的卷积核是什么样的？它有多少个参数（用 `conv_param_count` 和 `dense_param_count` 计算）？
#
#     <details><summary>答案</summary>
#
#     4,096 个作用于 512 个通道的 7 × 7 卷积核，每个都带一个偏置：`conv_param_count(512, 4096, 7)`，以及针对 25,088 个展平输入的 `dense_param_count(25088, 4096)`，结果都是 102,764,544。
#
#     </details>
#
# 2. 用卷积来写，VGG-16 就能在 384 × 384 的图像上运行。它的五个 2 × 2、步幅为 2 的池化层（以及保持尺寸不变的带填充 3 × 3 卷积）会在到达那个 7 × 7 层之前把图像缩小。这一层看到的特征图有多大？它产生的输出网格又有多大？
#
#     <details><summary>答案</summary>
#
#     384 减半五次得到 12，所以 7 × 7 卷积核看到的是 12 × 12 的特征图，在每个方向上可以放在 $12 - 7 + 1 = 6$ 个位置：得到一个 6 × 6 的类别分数网格，每个分数来自图像中一个 224 像素的窗口，相邻窗口相距 32 像素。（它们与 224 像素裁剪图的分数只是大致吻合：在大图像中，窗口的边缘看到的是相邻区域的像素，而不是零填充。）
#
#     </details>
#
# 3. ResNet-50 以 2,048 个 7 × 7 的通道结束。它输出 1,000 个类别的 GAP 分类头有多少个参数？输出同样 1,000 个类别的展平分类头又会有多少个参数？
#
#     <details><summary>答案</summary>
#
#     `dense_param_count(2048, 1000)` 是 2,049,000；`dense_param_count(2048 * 7 * 7, 1000)` 是 100,353,000，约为前者的 49 倍。
#
#     </details>
#
# 4. 在平移实验中，把卷积的步幅从 2 改为 1，再改为 4。现在五种平移中有哪些能让池化后的特征保持不变（在舍入误差范围内）？再试试 (4, 8)。
#
#     <details><summary>答案</summary>
#
#     步幅为 1 时，五种都可以：特征图随图案一起移动，而 GAP 忽略这种移动。步幅为 4 时，一种也不行：只有在两个方向上都是 4 的倍数的平移才仅仅是移动特征图，而在尝试过的平移中只有 (4, 8) 满足这一点。步幅为 $s$ 的层只对 $s$ 的倍数的平移保持 GAP 的输出不变。
#
#     </details>
