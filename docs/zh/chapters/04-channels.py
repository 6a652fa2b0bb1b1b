# %% [markdown] en="c3d54696df39"
# # 4. 通道、权重共享与稀疏连接
#
# 到目前为止，输入都只是单个数字网格。而一张彩色图像有三个网格：红、绿、蓝三个**通道**。此外，只能检测一种模式的层用处不大，所以实际的层会同时计算许多输出通道，每个通道对应一种模式。本章把互相关推广到这两种情形，统计一个实际的层有多少参数，然后借助自动微分直观地展示让卷积如此节省参数的两个性质——**稀疏连接**和**权重共享**。
#
# ## 多输入通道
#
# 有 $C$ 个输入通道时，卷积核也有 $C$ 个切片，每个通道一个。每个通道与自己的切片做互相关，再把这 $C$ 个结果**相加**，得到单个输出网格：
#
# $$Y = \sum_{c=0}^{C-1} X_c \star K_c.$$
#
# `corr2d_multi_in` 做的正是这件事；除去参数检查，它的代码只有一行：

# %%
from cnnguide.figures import show_source
from cnnguide.ops import corr2d_multi_in

show_source(corr2d_multi_in, docstring=False)

# %% [markdown] en="8f40b2debc90"
# 取两个 3 × 3 的通道和一个 2 × 2 × 2 的卷积核；下面的图画出了同样的求和，并突出显示了每个通道左上角的输出以及它们的和：

# %%
import torch

from cnnguide.ops import corr2d, corr2d_multi_in

X = torch.stack([torch.arange(9.0), torch.arange(1.0, 10.0)]).reshape(2, 3, 3)
K = torch.stack([torch.arange(4.0), torch.arange(1.0, 5.0)]).reshape(2, 2, 2)
print("channel 0:", corr2d(X[0], K[0]).tolist())
print("channel 1:", corr2d(X[1], K[1]).tolist())
print("sum:      ", corr2d_multi_in(X, K).tolist())

# %%
from cnnguide.figures import multi_in_channel_figure

multi_in_channel_figure(X, K)

# %% [markdown] en="7a81e4d3f6be"
# 无论有多少个输入通道，一个卷积核都只产生**一个**输出通道：各通道通过求和融合在一起。
#
# ## 多输出通道
#
# 要得到 $O$ 个输出通道，就使用 $O$ 个这样的卷积核，每个的形状为 $C \times k_h \times k_w$，再把它们的结果堆叠起来。该层的权重构成一个形状为 $(O, C, k_h, k_w)$ 的张量。`corr2d_multi_in_out` 就是对每个卷积核调用一次 `corr2d_multi_in`，再把结果堆叠起来：

# %%
from cnnguide.ops import corr2d_multi_in_out

show_source(corr2d_multi_in_out, docstring=False)

# %% [markdown] en="5d9a38a4d0f0"
# 这里用三个卷积核 `K`、`K + 1` 和 `K + 2` 得到三个输出通道：

# %%
K3 = torch.stack([K, K + 1, K + 2])
Y3 = corr2d_multi_in_out(X, K3)
print("weights:", tuple(K3.shape), "-> output:", tuple(Y3.shape))

# %%
from cnnguide.figures import multi_out_channel_figure

multi_out_channel_figure(X, K3)

# %% [markdown] en="279208fb9f4c"
# 这就是卷积层的全部计算（再加上每个输出通道一个偏置）。`cnnguide.ops` 中快速的 `conv2d` 和 PyTorch 自带的 `F.conv2d` 都与这个循环的结果一致：

# %%
import torch.nn.functional as F

from cnnguide.ops import conv2d

batched = X.unsqueeze(0)  # a batch of one: (1, C, H, W)
print("conv2d == corr2d_multi_in_out:", torch.allclose(conv2d(batched, K3)[0], Y3))
print("F.conv2d == corr2d_multi_in_out:", torch.allclose(F.conv2d(batched, K3)[0], Y3))

# %% [markdown] en="1b031e0fb098"
# ## 一个实际的层：输入 3 × 8 × 8 的图像，使用五个 3 × 3 卷积核
#
# 首先说明形状的书写顺序。原博客像 TensorFlow 和图像文件那样，把一批图像写成 (样本, 高, 宽, 通道)，所以一张 8 × 8 的彩色图像在那里写作“8 × 8 × 3”。PyTorch 则把通道放在前面：(N, C, H, W)，即批量、通道、高、宽。同一张图像是形状为 (3, 8, 8) 的张量，作为只含一张图像的批量则是 (1, 3, 8, 8)；本书的所有形状都按这个顺序书写，与代码打印的一致。
#
# 取这张图像和一个有五个输出通道的层：卷积核为 3 × 3，步幅为 1，不填充。五个卷积核的形状都是 (3, 3, 3)，即每个颜色通道一个 3 × 3 切片，并且每个卷积核都有自己的偏置：

# %%
from torch import nn

torch.manual_seed(0)
layer = nn.Conv2d(in_channels=3, out_channels=5, kernel_size=3)
image = torch.randn(1, 3, 8, 8)
out = layer(image)
print("input: ", tuple(image.shape), "  output:", tuple(out.shape))
print("weight:", tuple(layer.weight.shape), "  bias:", tuple(layer.bias.shape))
print("parameters:", sum(p.numel() for p in layer.parameters()))

# %% [markdown] en="c7c37e10c99b"
# 输出的形状是 (1, 5, 6, 6)：五个 6 × 6 的通道。该层共有 $3 \cdot 3 \cdot 3 \cdot 5 + 5 = 140$ 个参数：135 个权重和 5 个偏置。`conv_param_count` 仅凭形状就能算出同样的数目。如果用全连接层把同样的 8 · 8 · 3 = 192 个输入映射到同样的 6 · 6 · 5 = 180 个输出，又需要多少参数呢？

# %%
from cnnguide.ops import conv_param_count, dense_param_count

conv = conv_param_count(in_channels=3, out_channels=5, kernel_size=3)
dense = dense_param_count(8 * 8 * 3, 6 * 6 * 5)
print(f"convolution:     {conv:>6,} parameters")
print(f"fully connected: {dense:>6,} parameters  (192 x 180 weights + 180 biases)")
print(f"ratio: {dense / conv:.0f} to 1")
print(f"the blog's 8x8x3x3x3x3x5: {8 * 8 * 3 * 3 * 3 * 3 * 5:,}")

# %% [markdown] en="709e57421bb7"
# 在输入和输出形状相同的情况下，全连接层需要 34,740 个参数，大约是卷积层的 248 倍——而且图像越大，差距越大，因为卷积层的参数数目与图像大小完全无关。
#
# 原博客也做了同样的比较。它对卷积层的计数 $3 \times 3 \times 3 \times 5 + 5$ 是正确的，但全连接一侧的计数不对。它拿来对比的是“8x8x3x3x3x3x5”个权重，这个乘积并不是任何东西的计数（见上面输出的最后一行）；相同形状之间的全连接层有上面打印的 192 × 180 个权重和 180 个偏置。此外，对于一个 3 × 3 卷积核切片作用在一个 8 × 8 通道上的情形，它给出的等价全连接形式是一个 9 × 81 的权重矩阵，而从 64 个输入到 36 个输出的映射其实是一个 36 × 64 的矩阵（[第 1 章](../01-why-convolutions/)构造了这个矩阵）。
#
# 有两个性质可以解释这种差距。
#
# ## 稀疏连接：每个输出只看 27 个输入
#
# 全连接层的一个输出依赖全部 192 个输入。而卷积的一个输出只依赖卷积核所覆盖的 3 × 3 窗口，3 个通道各一个，共 27 个输入。自动微分可以展示这一点：某个输出关于输入的梯度，恰好在该输出所“看”的位置上非零。

# %%
image = torch.randn(1, 3, 8, 8, requires_grad=True)
out = layer(image)
out[0, 0, 2, 3].backward()  # output channel 0, row 2, column 3
touched = image.grad[0] != 0
print("inputs that affect this output:", int(touched.sum()), "of", image[0].numel())
print("rows:", touched.any(dim=(0, 2)).nonzero().flatten().tolist(),
      " columns:", touched.any(dim=(0, 1)).nonzero().flatten().tolist(),
      " channels:", touched.any(dim=(1, 2)).nonzero().flatten().tolist())
print(touched[0].int())  # channel 0: the 3x3 window at row 2, column 3

# %% [markdown] en="bd7bc0c08f07"
# 这 27 个输入位于每个通道的第 2–4 行、第 3–5 列，也就是输出 (2, 3) 的窗口。相邻像素之间关联很强，相距较远的像素关联则弱得多，所以只看局部损失不大——而且更深的层会扩大视野（[第 9 章](../09-receptive-field/)）。
#
# ## 权重共享：处处使用同样的 27 个权重
#
# 输出通道 0 的每个位置都用**同一个** 3 × 3 × 3 卷积核和同一个偏置来计算。我们可以手工重新计算该通道的全部 36 个输出，每个输出都由它自己的窗口和这一个共享的卷积核算出：

# %%
w, b = layer.weight[0], layer.bias[0]  # the one kernel of output channel 0: (3, 3, 3)
x = image[0].detach()
by_hand = torch.stack([
    torch.stack([(x[:, i : i + 3, j : j + 3] * w).sum() + b for j in range(6)])
    for i in range(6)
])
difference = (by_hand - layer(x.unsqueeze(0))[0, 0]).abs().max().item()
print(f"largest difference from the layer: {difference:.1e}  (float32 rounding)")

# %% [markdown] en="bd6652bde2d2"
# 权重共享在梯度中也有体现。每个卷积核权重在全部 36 个位置上都会用到，因此它的梯度汇集了每个位置的贡献：通道 0 所有输出之和关于其卷积核的梯度，等于这 36 个窗口之和。

# %%
layer.zero_grad()
layer(x.unsqueeze(0))[0, 0].sum().backward()
window_sum = sum(x[:, i : i + 3, j : j + 3] for i in range(6) for j in range(6))
same = torch.allclose(layer.weight.grad[0], window_sum, atol=1e-5)
print("kernel gradient == sum of the 36 windows:", same)

# %% [markdown] en="e1bf64be639d"
# 对单个通道而言，从 64 个输入到 36 个输出的全连接映射有 $36 \times 64 = 2304$ 个独立的权重；而在卷积对应的矩阵中，每一行只有 9 个非零元素，并且每一行用的都是同样的 9 个卷积核数值（[第 1 章](../01-why-convolutions/)显式地构造了这个矩阵）。
#
# 权重共享也是一个输出通道被称为**特征图**的原因：其中所有单元检测的都是同一种模式，只是各自位于不同的位置，因此这张图告诉我们该模式出现在*哪里*。不同的输出通道学习不同的模式——这正是网络要使用许多通道的原因。
#
# ## 小结
#
# - 有 $C$ 个输入通道时，卷积核的形状为 $C \times k_h \times k_w$；各通道的互相关结果相加，得到一个输出通道。
# - $O$ 个输出通道需要 $O$ 个卷积核：形状为 $(O, C, k_h, k_w)$ 的权重，再加上 $O$ 个偏置，即 $O(Ck_hk_w + 1)$ 个参数。
# - PyTorch 中的形状顺序是 (N, C, H, W)（原博客与 TensorFlow 一样，写作高 × 宽 × 通道）。用 3 × 3 卷积核把 (1, 3, 8, 8) 变为 (1, 5, 6, 6) 需要 140 个参数；相同形状之间的全连接层则需要 34,740 个。
# - **稀疏连接**：每个输出只依赖 $Ck_hk_w$ 个输入（这里是 27 个），而不是全部输入。**权重共享**：每个位置都使用同一个卷积核。
#
# 上一章：[填充和步幅](../03-padding-and-stride/)。下一章：[1 × 1 卷积](../05-one-by-one-convolution/)，即 $k_h = k_w = 1$ 的情形。

# %% [markdown] en="ed94310b0245"
# ## 练习
#
# 1. 一个层用 3 × 3 卷积核把 64 个通道映射为 128 个通道。它的权重张量是什么形状？它有多少个参数（`conv_param_count`）？
#
#     <details><summary>答案</summary>
#
#     权重的形状为 (128, 64, 3, 3)：128 个卷积核，每个卷积核对每个输入通道各有一个 3 × 3 切片。加上 128 个偏置，共有 $128 \cdot (64 \cdot 9 + 1)$ = 73,856 个参数。
#
#     </details>
#
# 2. 填充为 1 时，该层把 (64, 32, 32) 的特征图变为 (128, 32, 32) 的特征图。相同形状之间的全连接层会有多少个参数（`dense_param_count`）？
#
#     <details><summary>答案</summary>
#
#     `dense_param_count(32 * 32 * 64, 32 * 32 * 128)` 为 8,590,065,664：65,536 个输入乘以 131,072 个输出，再加上 131,072 个偏置。这是卷积层参数数目的十万倍以上，以 float32 存储要超过 32 GB。
#
#     </details>
#
# 3. 这个 64 → 128 的层的一个输出可以依赖多少个输入值？像本章那样用自动微分在一个小输入（例如 `torch.randn(1, 64, 5, 5)`）上验证。
#
#     <details><summary>答案</summary>
#
#     $C k_h k_w = 64 \cdot 3 \cdot 3 = 576$：64 个通道中各一个 3 × 3 窗口。对远离边界的输出而言，无论输入有多大，其梯度都恰好在 576 个输入处非零（在边界处则更少，因为窗口有一部分落在填充上）。
#
#     </details>
#
# 4. 本章中 (3, 8, 8) → (5, 6, 6) 的层对每张图像要执行多少次乘加运算？先手工计算，再与 `cnnguide.summary.summarize(layer, (1, 3, 8, 8)).macs` 比较。
#
#     <details><summary>答案</summary>
#
#     $5 \cdot 6 \cdot 6 = 180$ 个输出中的每一个都是 27 个乘积之和：共 4,860 次乘加运算，正是 `summarize` 报告的数字（它不计偏置的加法）。若按浮点运算计数，把一次乘法和一次加法算作两次运算，则是 9,720 次。
#
#     </details>
