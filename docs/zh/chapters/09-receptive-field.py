# %% [markdown] en="244c92db187b"
# # 9. 感受野
#
# 第一个卷积层的单元只看图像中的一个小窗口——对于 3 × 3 卷积核来说，就是 3 × 3 个像素。第二层的单元看的是*第一层*输出中的一个 3 × 3 窗口，而其中每个单元又各自看着图像中的一个 3 × 3 窗口；合在一起，它们覆盖了 5 × 5 个像素。一个单元的**感受野**是指输入中能够影响该单元取值的区域。感受野随深度增长，正是这种增长使网络能够从边缘（几个像素）走向纹理，再到部件，最后到整个物体。
#
# ## 递推公式
#
# 用卷积核大小 $k$ 和步幅 $s$ 来描述每一层，无论它是卷积层还是池化层。设 $r_l$ 为经过 $l$ 层之后的感受野，$j_l$ 为**跳距**（jump）：第 $l$ 层中两个相邻单元在输入上相隔多少个像素。从一个像素开始，即 $r_0 = j_0 = 1$。第 $l$ 层把感受野扩大 $k_l - 1$ 个其输入层的单元，这些单元彼此相隔 $j_{l-1}$ 个像素；而该层的步幅使跳距成倍增加：
#
# $$ r_l = r_{l-1} + (k_l - 1)\, j_{l-1}, \qquad j_l = j_{l-1}\, s_l. $$
#
# 填充不出现在公式中：它只改变感受野所在的位置，而不改变其大小。`cnnguide.ops.receptive_field` 实现了这一递推，它接受一个从输入开始逐层向上排列的 `(kernel_size, stride)` 对的列表：

# %%
from cnnguide.ops import receptive_field

for depth in range(1, 6):
    field = receptive_field([(3, 1)] * depth)
    print(f"{depth} x (3x3 conv, stride 1): receptive field {field}")

# %% [markdown] en="9f47de716a32"
# 步幅为 1 时，每一层增加 $k - 1 = 2$ 个像素：$d$ 层之后的感受野为 $2d + 1$。这幅图在输入网格上画出了经过三个这样的层中的每一层之后，一个单元所能看到的像素。蓝色阴影来自自动微分（autograd）——即该单元的梯度不为零的那些像素，网络中连接某个像素与该单元的路径越多，颜色就越深——红色方框则是 `receptive_field` 的预测。

# %%
from cnnguide.figures import receptive_field_growth

receptive_field_growth([(3, 1)] * 3)

# %% [markdown] en="e8e11fe57110"
# 注意阴影并不均匀：中心的像素通往该单元的路径比角落多得多。感受野的大小是一个硬性界限；而在感受野内部，通常中心最为重要。Luo 等人（2016）把影响显著的区域称为*有效*感受野，并指出它大致呈高斯分布，只占理论感受野的一小部分。
#
# ## 为什么 VGG 堆叠 3 × 3 卷积核
#
# 两个 3 × 3 层的视野与一个 5 × 5 层相同，三个则与一个 7 × 7 层相同。堆叠的方式代价更低，而且在层与层之间加入了非线性。这是 VGG 论文（Simonyan & Zisserman, 2015）的论点；博客只说实验表明 3 × 3 卷积核的效果更好。设输入和输出都有 $C$ 个通道（这里取 64，不带偏置）：

# %%
from cnnguide.ops import conv_param_count, receptive_field

C = 64
for n, k in [(2, 5), (3, 7)]:
    stack = n * conv_param_count(C, C, 3, bias=False)
    single = conv_param_count(C, C, k, bias=False)
    assert receptive_field([(3, 1)] * n) == receptive_field([(k, 1)]) == k
    print(f"{n} x 3x3: {stack:,} weights  vs  one {k}x{k}: {single:,} weights")

# %% [markdown] en="20d2029b5de0"
# 循环中的断言检查了每一组的感受野都相同。对每一对输入、输出通道而言，堆叠需要 $9n$ 个权重，而单层需要 $k^2$ 个：18 对 25，以及 27 对 49。[VGG](../11-vgg/) 的整个网络就是基于这一观察构建的。
#
# ## 步幅成倍扩大视野
#
# 步幅为 2 会使跳距加倍，因此它*之后*的每一层使感受野增长的速度都会翻倍。ResNet 的起始层（stem）以一个步幅为 2 的 7 × 7 卷积和一个步幅为 2 的 3 × 3 最大池化开始；在 224 × 224 的图像上，特征图已经缩小到了 56 × 56：

# %%
import math

from cnnguide.ops import conv_output_size, receptive_field

stem = [(7, 2), (3, 2)]  # conv 7x7 stride 2, then max pool 3x3 stride 2
side = conv_output_size(224, 7, padding=3, stride=2)
side = conv_output_size(side, 3, padding=1, stride=2)
jump = math.prod(s for _, s in stem)
print(f"after the stem: {side}x{side} map, jump {jump} pixels")
print(f"receptive field: {receptive_field(stem)} pixels")
added = receptive_field(stem + [(3, 1)]) - receptive_field(stem)
print(f"each following 3x3 conv adds (3 - 1) * {jump} = {added} pixels")

# %%
from cnnguide.figures import receptive_field_growth

receptive_field_growth(
    [(7, 2), (3, 2)], labels=["conv 7×7, stride 2", "max pool 3×3, stride 2"]
)

# %% [markdown] en="d6a704322a91"
# 7 × 7 卷积的一个单元看到 7 × 7 个像素。池化的 3 × 3 窗口横跨三个这样的单元，由于步幅的缘故，它们彼此相隔 2 个像素，所以一个池化后的单元在宽度上能看到 $7 + (3 - 1) \cdot 2 = 11$ 个像素。

# %% [markdown] en="031ad657d65d"
# 这张图表比较了堆叠十二层的三种方式：只用步幅为 1 的 3 × 3 卷积；VGG 风格的块，即两个 3 × 3 卷积后接一个步幅为 2 的 2 × 2 池化；以及 ResNet 的起始层后接 3 × 3 卷积。每条曲线在每次遇到步幅之后都会变陡：ResNet 的曲线从一开始就很陡，VGG 风格的曲线在每次池化之后向上弯折，而步幅为 1 的曲线从不弯折。正是尽早下采样让感受野快速增长。

# %%
from cnnguide.figures import receptive_field_vs_depth

receptive_field_vs_depth({
    "3×3, stride 1": [(3, 1)] * 12,
    "VGG-style: 2 × (3×3) then 2×2 pool /2": [(3, 1), (3, 1), (2, 2)] * 4,
    "ResNet stem, then 3×3": [(7, 2), (3, 2)] + [(3, 1)] * 10,
})

# %% [markdown] en="972f28d66d6a"
# ## 用自动微分检验一个例子
#
# 递推公式很容易弄错（差一错误，或者提前一层就应用了跳距），所以我们来直接测量一个感受野。构建一个小的随机网络——一个步幅为 2 的 7 × 7 卷积、一个步幅为 2 的 3 × 3 平均池化和两个 3 × 3 卷积，都不加填充——然后求一个输出单元关于输入的梯度。一个像素能够影响该单元，当且仅当它的梯度不为零。

# %%
import math

import torch
from torch import nn

from cnnguide.ops import receptive_field

layers = [(7, 2), (3, 2), (3, 1), (3, 1)]
torch.manual_seed(0)
net = nn.Sequential(
    nn.Conv2d(1, 4, 7, stride=2),
    nn.AvgPool2d(3, stride=2),
    nn.Conv2d(4, 4, 3),
    nn.Conv2d(4, 1, 3),
).double()

x = torch.randn(1, 1, 64, 64, dtype=torch.float64, requires_grad=True)
y = net(x)
y[0, 0, 2, 3].backward()  # one output unit: row 2, column 3

influence = x.grad[0, 0] != 0
rows = influence.any(dim=1).nonzero().flatten()
cols = influence.any(dim=0).nonzero().flatten()
height, width = len(rows), len(cols)
print("output map:", tuple(y.shape[2:]))
print(f"nonzero gradient: rows {rows.min()}..{rows.max()}, "
      f"columns {cols.min()}..{cols.max()} -> {height}x{width}")
box = influence[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
print("every pixel inside that box is nonzero:", bool(box.all()))
jump = math.prod(s for _, s in layers)
print(f"receptive_field: {receptive_field(layers)}")
print(f"expected top-left corner: ({2 * jump}, {3 * jump})")

# %% [markdown] en="02417849f5af"
# 梯度恰好在一个 $r \times r$ 的正方形上不为零，其中 $r$ 正是递推公式的预测值；这个正方形从第 $2j$ 行、第 $3j$ 列开始——单元 $(u, v)$ 的窗口每前进一步，起点就向后推移 $j$ 个像素。（如果用最大池化代替平均池化，该单元的梯度只会到达那些在各自池化窗口中胜出的像素；而感受野是*可能*影响该单元的像素的集合，仍然是同一个正方形。）
#
# ## 越深的层看得越多
#
# 整个网络的感受野就是其中影响范围最远的那条路径的感受野。遍历 torchvision 的 ResNet-18（不需要权重，只需要各层的形状），保留主路径上的卷积层和池化层——1 × 1 的捷径卷积并不会扩大视野：

# %%
from torch import nn
from torchvision.models import resnet18

from cnnguide.ops import receptive_field


def first(v):
    return v[0] if isinstance(v, tuple) else v


path = [
    (first(m.kernel_size), first(m.stride))
    for m in resnet18().modules()
    if isinstance(m, (nn.Conv2d, nn.MaxPool2d)) and first(m.kernel_size) > 1
]
print(f"{len(path)} layers on the main path")
print(f"receptive field of the last one: {receptive_field(path)} pixels")

# %% [markdown] en="69a0971221ee"
# ResNet-18 最后一个卷积层的单元看到的范围比整张 224 × 224 图像还大（感受野的其余部分落在零填充上）。早期的层感受野只有几个像素，只能响应边缘和色块之类的局部模式；最深的层则可以利用整张图像，这就是它们能够表示“包含一只狗”这类抽象属性的原因。作为对比，经典的 [LeNet](../10-lenet/)（5 × 5 卷积和步幅为 2 的 2 × 2 池化）能达到：

# %%
from cnnguide.ops import receptive_field

lenet = [(5, 1), (2, 2), (5, 1), (2, 2)]  # conv, pool, conv, pool
print("LeNet, after its second pooling layer:", receptive_field(lenet), "pixels")

# %% [markdown] en="1bbe0a639cb2"
# 也就是 28 × 28 数字图像中的一个 16 × 16 区域——足以看清笔画及其排列，其余部分则由后面的全连接层来组合。[第 8 章](../08-feature-maps-to-classes/)已经说明，这些全连接层就是感受野与整个特征图一样大的卷积。
#
# ## 小结
#
# - 感受野是输入中能够影响某个单元的区域；它按 $r_l = r_{l-1} + (k_l - 1)\,j_{l-1}$ 增长，其中跳距 $j_l = j_{l-1} s_l$ 是到目前为止所有步幅的乘积。填充不改变感受野的大小。
# - 堆叠步幅为 1 的 3 × 3 卷积时，每层使感受野增加 2：$2d + 1$。两个 3 × 3 层看到的范围与一个 5 × 5 层相同，但权重更少。
# - 步幅和池化会使之后每一层的增长成倍加快：仅 ResNet 的起始层就能看到 11 × 11 个像素，跳距为 4。
# - 一个单元关于输入的梯度恰好在其感受野上不为零——这是对公式的直接检验。
# - 越深的层看到的图像范围越大，这使它们能够表示更大、更抽象的特征；有效感受野（即影响显著的区域）比理论感受野小。
#
# ## 参考文献
#
# - Luo, W., Li, Y., Urtasun, R. & Zemel, R. (2016). Understanding the effective receptive field in deep convolutional neural networks. *Advances in Neural Information Processing Systems 29 (NIPS 2016)*.
# - Simonyan, K. & Zisserman, A. (2015). Very deep convolutional networks for large-scale image recognition. *International Conference on Learning Representations (ICLR)*; arXiv:1409.1556.

# %% [markdown] en="9ac04a0c9345"
# ## 练习
#
# 1. 像本章处理 ResNet-18 那样，收集 torchvision 的 `vgg16().features` 中卷积层和池化层的 `(kernel_size, stride)` 对（在 `torch.device("meta")` 下构建它）。VGG-16 最后一个卷积层的感受野是多少？它后面的池化层呢？
#
#     <details><summary>答案</summary>
#
#     最后一个卷积层为 196 个像素，最后一个池化层之后为 212 个像素：共 13 个 3 × 3 卷积和 5 个步幅为 2 的 2 × 2 池化，总计 18 层。两者都小于 ResNet-18 的 435，并且都覆盖了 224 像素图像的大部分。
#
#     </details>
#
# 2. 只用步幅为 1 的 3 × 3 卷积、不用池化，需要多少层才能让一个单元看到整张 28 × 28 的图像？
#
#     <details><summary>答案</summary>
#
#     14 层：$d$ 层之后的感受野为 $2d + 1$，在 $d = 14$ 时首次达到 28（29 个像素）。LeNet 的两个池化层只用四层就得到了 16 个像素的感受野。
#
#     </details>
#
# 3. 输入和输出都有 256 个通道且不带偏置时，三个堆叠的 3 × 3 卷积有多少个权重？具有相同感受野的单个 7 × 7 卷积又有多少个？
#
#     <details><summary>答案</summary>
#
#     $3 \cdot 9 \cdot 256^2$ = 1,769,472，而 $49 \cdot 256^2$ = 3,211,264，比例与 64 个通道时相同，都是 27 比 49。
#
#     </details>
#
# 4. ResNet-18 的第一阶段在起始层之后放了四个 3 × 3 卷积。该阶段结束时的感受野是多少？
#
#     <details><summary>答案</summary>
#
#     43 个像素：起始层看到 11 个像素，四个卷积各增加 $(3 - 1) \cdot 4 = 8$，因为起始层的步幅使相邻单元相隔 4 个像素。
#
#     </details>
