# %% [markdown] en="1be1acf91509"
# # 3. 填充和步幅
#
# 在[第 2 章](../02-cross-correlation/)中，3 × 3 的输入和 2 × 2 的卷积核得到了 2 × 2 的输出：输出比输入小，因为卷积核必须完全落在输入之内。每个卷积层都有两项设置控制着输出的大小：**填充**在输入周围加上一圈零，使卷积核也能盖住边缘；**步幅**让卷积核每次移动不止一步。把这些数算对，网络中各层的形状才能彼此衔接，所以本章先推导公式，再用真实的 PyTorch 层来验证它。
#
# ## 输出为什么会缩小
#
# 沿一个维度，长度为 $n$ 的输入和长度为 $k$ 的卷积核可以容纳 $n - k + 1$ 个位置。少掉的这 $k - 1$ 对一层来说不算多，但会逐层累积。`conv_output_size` 计算输出的长度：

# %%
from cnnguide.ops import conv_output_size

size = 32
sizes = [size]
for layer in range(10):
    size = conv_output_size(size, kernel_size=3)
    sizes.append(size)
print("side after each 3x3 layer without padding:")
print(sizes)

# %% [markdown] en="acfb27f3ac49"
# 十个 3 × 3 的层吃掉了 32 像素宽的图像中的 20 个像素。边界也没有被充分利用：角上的像素只落在一个窗口里，中央的像素则落在九个窗口里。自动求导可以统计覆盖每个像素的窗口数：使用全为 1 的卷积核时，所有输出之和对某个像素的梯度，就等于包含该像素的窗口个数。

# %%
import torch

from cnnguide.ops import conv2d


def coverage(n, k, padding=0, stride=1):
    """How many k x k windows cover each pixel of an n x n input."""
    X = torch.zeros(1, 1, n, n, requires_grad=True)
    conv2d(X, torch.ones(1, 1, k, k), padding=padding, stride=stride).sum().backward()
    return X.grad[0, 0].int()


print("6x6 input, 3x3 windows, no padding:\n", coverage(6, 3))
print("padding 1:\n", coverage(6, 3, padding=1))

# %% [markdown] en="b7edceeef7d4"
# 不填充时，角上的像素只参与一次计算，中央的像素则参与九次，所以位于边界的内容几乎传不到下一层。填充阻止了尺寸的缩小，也让计数变得均匀，但并不完全均匀：填充为 1 时，每个像素至少落在四个窗口里，而角上的像素被看到的次数仍然比中央的少。
#
# ## 填充
#
# 填充 $p$ 会在输入的上方和下方各加 $p$ 行零，在左侧和右侧各加 $p$ 列零。图中灰色的单元格就是填充；3 × 3 的输入现在产生 4 × 4 的输出，在每个方向上都比输入大一。

# %%
from cnnguide.figures import padding_figure

X = torch.arange(9.0).reshape(3, 3)
K = torch.arange(4.0).reshape(2, 2)
padding_figure(X, K, padding=1)

# %% [markdown] en="35ecb0d57b8e"
# 最常见的情形是：4 × 4 的输入、3 × 3 的卷积核、填充为 1。不填充时输出是 2 × 2；填充之后，输出是 4 × 4——**与输入大小相同**。（全为 1 的卷积核使每个输出都等于其窗口内的元素之和，便于核对。）
#
# 博客对填充的动机有另一种说法：它说，对于 4 × 4 的输入和 3 × 3 的卷积核，窗口向右移动时会发现缺了一列。这是错误的。不填充时，窗口可以放在第 0 列和第 1 列，第二个位置覆盖第 1 到第 3 列，包括最后一列——每个像素都被访问到了，正如上面的覆盖计数所示。填充改变的是边界像素被使用的*频繁程度*，以及输出缩小的程度。

# %%
X4 = torch.arange(16.0).reshape(4, 4)
box = torch.ones(3, 3)
padding_figure(X4, box, padding=1)

# %% [markdown] en="7200dd1c8800"
# 动画展示了该层的每一个窗口，包括填充部分：

# %%
import tempfile
from pathlib import Path

from cnnguide.figures import sliding_window_animation

gif_dir = Path(tempfile.mkdtemp())
sliding_window_animation(X4, box, gif_dir / "padding.gif", padding=1)

# %% [markdown] en="5cb3cab2a82c"
# 填充为 $p$ 时，输入长度变为 $n + 2p$，因此输出有 $n + 2p - k + 1$ 个元素。对于奇数的卷积核大小 $k$，填充 $p = (k-1)/2$ 能保持尺寸不变；这是卷积核几乎总是取奇数（3、5、7）的原因之一，也是 3 × 3 卷积核的“same”填充为 1 的原因。高和宽上的填充可以不同，例如对于 5 × 3 的卷积核：

# %%
from cnnguide.ops import conv2d

X = torch.randn(1, 1, 8, 8)
for kernel, padding in [((3, 3), 1), ((5, 5), 2), ((5, 3), (2, 1))]:
    Y = conv2d(X, torch.randn(1, 1, *kernel), padding=padding)
    print(f"8x8, kernel {kernel}, padding {padding}: output {tuple(Y.shape[-2:])}")

# %% [markdown] en="6b820996cadd"
# 填充总是必要的吗？博客认为，对大图像的分类来说并非如此：边界只占像素的一小部分，一个每层损失几个像素的网络依然能正常工作。对于 224 × 224 的图像，最外面的一圈占

# %%
n = 224
print(f"{(n * n - (n - 2) ** 2) / (n * n):.1%} of the pixels")

# %% [markdown] en="f3f7ea24bbb2"
# 不过在深度网络中，正是填充让各层得以堆叠而不致图像消失，它还让形状易于推算。
#
# ## 步幅
#
# **步幅**是窗口每一步移动的距离。步幅为 $s$ 时，窗口每次跳过 $s - 1$ 个位置，所以输出在该方向上的长度大约变为原来的 $s$ 分之一；网络会利用这一点有意地缩小特征图。下面用竖直方向步幅 3、水平方向步幅 2 访问填充为 1 的 3 × 3 输入。每个彩色边框是一个窗口，同一颜色的输出单元格就是它的结果。看右侧那一列填充：没有窗口到达它，因为横向再走第三步就放不下卷积核了。下面的公式用向下取整舍去这样的剩余部分。竖直方向上，窗口高 2 行，但相隔 3 行，所以输入的中间一行（3, 4, 5）根本不会被访问：步幅大于卷积核时会跳过像素。

# %%
from cnnguide.figures import stride_figure

X = torch.arange(9.0).reshape(3, 3)
stride_figure(X, K, stride=(3, 2), padding=1)

# %% [markdown] en="56a89b77114a"
# 在填充为 1 的 5 × 5 输入上，用 3 × 3 的卷积核、步幅 2，会使边长减半（向上取整）；相邻的窗口重叠一列：

# %%
X5 = torch.arange(25.0).reshape(5, 5)
stride_figure(X5, box, stride=2, padding=1)

# %%
sliding_window_animation(X5, box, gif_dir / "stride.gif", padding=1, stride=2)

# %% [markdown] en="6a2d092a3c18"
# ## 输出大小公式
#
# 沿一个维度，填充后的输入长度为 $n + 2p$。第一个窗口从位置 0 开始，后面的窗口依次从 $s, 2s, \dots$ 开始，而最后一个起始位置必须给卷积核留出空间：它至多为 $n + 2p - k$。因此起始位置的个数为
#
# $$\left\lfloor \frac{n + 2p - k}{s} \right\rfloor + 1.$$
#
# 只要 $s$ 不能整除 $n + 2p - k$，向下取整 $\lfloor\cdot\rfloor$ 就会起作用：末尾剩下的行或列根本不会被访问。同一个公式分别适用于高和宽，也适用于池化窗口（[第 7 章](../07-pooling/)）。
#
# 与其轻信这个公式，不如把它与真实的 `nn.Conv2d` 层产生的形状比较一下。这些例子包括 LeNet 的第一层、AlexNet 的第一层和 ResNet 的起始层（stem）；在标为“yes”的行中，除法不能整除，向下取整会改变结果。`conv_output_size` 就是用代码写出的这个公式（卷积核的膨胀 $d$ 除非另行设置，否则为 1，所以它的跨度 $d(k - 1) + 1$ 就是 $k$）：

# %%
from cnnguide.figures import show_source

show_source(conv_output_size, docstring=False)

# %%
import math

from torch import nn

cases = [  # (n, kernel, padding, stride)
    (28, 5, 2, 1),  # LeNet: "same" 5x5
    (4, 3, 1, 1),  # the 4x4 example above
    (3, 2, 1, (3, 2)),  # the stride figure, height and width
    (8, 3, 0, 2),
    (227, 11, 0, 4),  # AlexNet's first layer
    (224, 11, 0, 4),  # the same layer on a 224-pixel image
    (224, 11, 2, 4),  # torchvision's AlexNet pads by 2 instead
    (224, 7, 3, 2),  # ResNet's stem
]
row = "{:>4} {:>3} {:>2} {:>6} | {:>11} {:>6} | {:>10} {:>10}"
print(row.format("n", "k", "p", "s", "(n+2p-k)/s", "floor?", "formula", "nn.Conv2d"))
for n, k, p, s in cases:
    sh, sw = (s, s) if isinstance(s, int) else s
    layer = nn.Conv2d(1, 1, kernel_size=k, padding=p, stride=(sh, sw))
    actual = tuple(layer(torch.zeros(1, 1, n, n)).shape[-2:])
    formula = tuple(conv_output_size(n, k, padding=p, stride=st) for st in (sh, sw))
    exact = [(n + 2 * p - k) / st for st in (sh, sw)]
    floor = "yes" if any(e != math.floor(e) for e in exact) else "no"
    ratio = " / ".join(f"{e:g}" for e in dict.fromkeys(exact))
    check = "" if formula == actual else "   MISMATCH"
    print(row.format(n, k, p, str(s), ratio, floor, str(formula), str(actual)) + check)

# %% [markdown] en="87df95564ef3"
# 如果公式与 `nn.Conv2d` 不一致，那一行的末尾就会出现 MISMATCH。看两个算例：ResNet 的起始层把 224 变为 $\lfloor (224 + 6 - 7)/2 \rfloor + 1 = \lfloor 111.5 \rfloor + 1 = 112$，而 AlexNet 的 11 × 11、步幅为 4 的层在 227 像素的图像上得到 $\lfloor (227 - 11)/4 \rfloor + 1 = 55$，在 224 像素的图像上却只得到 $\lfloor 53.25 \rfloor + 1 = 54$。AlexNet 论文（Krizhevsky, Sutskever & Hinton, 2012）说的是 224 × 224 的输入和 55 × 55 的第一个特征图，没有哪个不带填充的层能让二者对得上；有些实现给这一层输入 227 像素的裁剪图像，而 torchvision 的实现则填充 2，$\lfloor (224 + 4 - 11)/4 \rfloor + 1 = 55$（表格的倒数第二行）。
#
# 下面的探索器从步幅示意图的设置开始：5 × 5 的输入、全为 1 的 3 × 3 卷积核、填充 1、步幅 2。改变任何一项设置，探索器都会用公式算出输出大小，并代入具体数值。例如，把填充设为 0、输入大小设为 6：这时 $6 - 3 = 3$ 不是 2 的倍数，被向下取整舍去的最后一行和最后一列会用斜线阴影标出。（填充为 1 时，向下取整舍去的只有填充部分。）膨胀 $d$ 使卷积核的各个元素彼此相隔 $d$，于是卷积核跨越 $d(k - 1) + 1$ 个像素。当卷积核的跨度超过填充后的输入时，PyTorch 会拒绝这样的层，探索器也一样。

# %%
from cnnguide.figures.explorers import convolution_explorer

convolution_explorer(X5, box, padding=1, stride=2)

# %% [markdown] en="e40dbe0a949d"
# ## 小结
#
# - 沿一个维度的输出长度为 $\lfloor (n + 2p - k)/s \rfloor + 1$，高和宽分别计算。`cnnguide.ops.conv_output_size` 计算的就是它，结果与 `nn.Conv2d` 一致。
# - 奇数大小的卷积核配合填充 $p = (k-1)/2$ 可保持尺寸不变（“same”卷积）；3 × 3 卷积核配填充 1 是最常见的情形。
# - 不填充时每个像素仍会被访问到，但边界像素所在的窗口更少，而且特征图每层缩小 $k - 1$；填充解决了缩小的问题，并使覆盖次数更加均匀。
# - 步幅 $s$ 使尺寸大约除以 $s$；当 $s$ 不能整除 $n + 2p - k$ 时，向下取整会舍去剩余的行或列。
#
# 下一章：[通道、权重共享与稀疏连接](../04-channels/)——彩色图像与同时使用多个卷积核。
#
# ## 参考文献
#
# - Krizhevsky, A., Sutskever, I. & Hinton, G. E. (2012). ImageNet classification with deep convolutional neural networks. *Advances in Neural Information Processing Systems 25 (NIPS 2012)*, 1097–1105.

# %% [markdown] en="4bd42580daab"
# ## 练习
#
# 1. 一张 100 × 100 的图像先经过一个填充为 1、步幅为 2 的 5 × 5 卷积，再经过一个步幅为 2、不填充的 3 × 3 卷积。用 `conv_output_size` 求出每一层之后的边长。
#
#     <details><summary>答案</summary>
#
#     第一层之后为 $\lfloor (100 + 2 - 5)/2 \rfloor + 1 = 49$（除法会余下一半，被向下取整舍去），然后是 $\lfloor (49 - 3)/2 \rfloor + 1 = 24$。
#
#     </details>
#
# 2. 在 28 × 28 的图像上，最多能堆叠多少个不填充的 3 × 3 卷积，直到下一个再也放不下？（当卷积核大于输入时，`conv_output_size` 会抛出 `ValueError`。）
#
#     <details><summary>答案</summary>
#
#     13 个：每一层使边长减少 2 个像素，所以 13 层之后特征图是 2 × 2，3 × 3 的卷积核放不进去。
#
#     </details>
#
# 3. 对 6 × 6 的输入和 3 × 3 的卷积核使用本章的 `coverage` 函数。填充为 1 时，角上的像素、边的中间的像素和内部的像素分别被多少个窗口覆盖？
#
#     <details><summary>答案</summary>
#
#     分别是 4、6 和 9。不填充时，角上的像素只落在 1 个窗口中，而中央的四个像素各落在 9 个窗口中。
#
#     </details>
#
# 4. 用大小为 3、步幅为 3 的窗口在不填充的情况下扫描一行 10 个像素。有多少个输出？有多少个像素从未被访问？填充为 1 时又有什么变化？（试试 `coverage(10, 3, stride=3)`，并查看其中的一行。）
#
#     <details><summary>答案</summary>
#
#     共有 $\lfloor (10 - 3)/3 \rfloor + 1 = 3$ 个输出，它们的窗口覆盖第 0 到第 8 个像素：有 1 个像素（最后一个）从未被访问。填充为 1 时有 $\lfloor (10 + 2 - 3)/3 \rfloor + 1 = 4$ 个窗口，合起来覆盖了每一个像素。
#
#     </details>
#
# 5. 对于步幅为 1 的 7 × 7 卷积，多大的填充能保持尺寸不变？为什么对于 4 × 4 的卷积核，两侧相同的填充无论取多少都做不到这一点？
#
#     <details><summary>答案</summary>
#
#     $p = (7 - 1)/2 = 3$。卷积核大小为 4 时，输出有 $n + 2p - 3$ 个元素，而 $2p = 3$ 没有整数解。PyTorch 的 `padding="same"` 对偶数卷积核仍能保持尺寸不变，方法是一侧比另一侧多填充一些。
#
#     </details>
