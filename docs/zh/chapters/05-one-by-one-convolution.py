# %% [markdown] en="bd7b3827744f"
# # 5. 1 × 1 卷积
#
# 卷积本应组合*相邻*的像素，所以 1 × 1 卷积核听起来毫无用处：它的窗口只有一个像素。但在有多个通道时（[第 4 章](../04-channels/)），1 × 1 卷积核仍然能做一件重要的事。它失去了对相邻像素的观察，却保留了对通道的求和：每个输出像素都是输入各通道在**同一像素处**的值的加权组合。Lin、Chen 和 Yan 的 *Network In Network*（2013）使它成为独立的一层：他们的“mlpconv”层在每个像素的各通道上运行一个小型多层感知机，这相当于一叠 1 × 1 卷积，中间夹着激活函数。GoogLeNet 和较深的 ResNet（50 层及以上）在每个块中都使用它，DenseNet 则在每个过渡层中使用它，用来混合通道，更重要的是以很低的代价改变通道数。
#
# ## 每个像素上的线性层
#
# 有 $C$ 个输入通道和 $O$ 个输出通道时，1 × 1 层的权重形状为 $(O, C, 1, 1)$——实际上就是一个 $O \times C$ 矩阵 $W$——它计算
#
# $$Y_{o,i,j} = \sum_{c=0}^{C-1} W_{o,c}\, X_{c,i,j}.$$
#
# 高和宽保持不变，只有通道数从 $C$ 变为 $O$。下图跟踪一个像素，它经过三个输入通道和一个 2 × 3 的权重矩阵：三个突出显示的输入值（每个通道一个）与每一行权重相乘，得到两个突出显示的输出。

# %%
import torch

from cnnguide.figures import one_by_one_figure

X = torch.arange(27.0).reshape(3, 3, 3)  # 3 channels of 3 x 3
# 2 output channels, each a weighted sum of the 3 input channels
K = torch.tensor([[1.0, 0.0, -1.0], [1.0, 2.0, 1.0]]).reshape(2, 3, 1, 1)
one_by_one_figure(X, K, position=(1, 2))

# %% [markdown] en="954933e7a91f"
# ## 它就是一次矩阵乘法
#
# 把 $H \cdot W$ 个像素排成一个 $C \times HW$ 矩阵的各列。这样，该层就是单次乘积 $(O \times C) \cdot (C \times HW)$：相当于在每个像素上以相同的权重应用一个全连接层。`corr2d_multi_in_out_1x1` 就是这样计算的，在一次 `@` 的前后各做一次变形（reshape）：

# %%
from cnnguide.figures import show_source
from cnnguide.ops import corr2d_multi_in_out_1x1

show_source(corr2d_multi_in_out_1x1, docstring=False)

# %% [markdown] en="217b9e8d1df6"
# 它的结果必须与通用的滑动窗口实现 `corr2d_multi_in_out`、逐像素的 `nn.Linear` 以及 PyTorch 的 `nn.Conv2d(kernel_size=1)` 一致：

# %%
from torch import nn

from cnnguide.ops import corr2d_multi_in_out, corr2d_multi_in_out_1x1

torch.manual_seed(0)
X = torch.randn(3, 5, 5)
K = torch.randn(2, 3, 1, 1)
Y = corr2d_multi_in_out_1x1(X, K)

conv = nn.Conv2d(3, 2, kernel_size=1, bias=False)
linear = nn.Linear(3, 2, bias=False)
with torch.no_grad():
    conv.weight.copy_(K)
    linear.weight.copy_(K.reshape(2, 3))
    by_conv = conv(X.unsqueeze(0))[0]
    by_linear = linear(X.permute(1, 2, 0)).permute(2, 0, 1)  # channels last, then back

print("output shape:", tuple(Y.shape))
others = {
    "corr2d_multi_in_out": corr2d_multi_in_out(X, K),
    "nn.Conv2d(kernel_size=1)": by_conv,
    "nn.Linear per pixel": by_linear,
}
for name, other in others.items():
    gap = (Y - other).abs().max().item()
    print(f"matrix product vs {name:<25} max difference {gap:.1e}")

# %% [markdown] en="2f9fb943c31a"
# 这三个差值要么为零，要么在 float32 舍入误差的量级。作为一次普通的矩阵乘法，1 × 1 层完全不需要像更大的卷积核那样收集窗口：把输入看作 $C \times HW$，它本身就已经是所需的矩阵。
#
# ## 改变通道数
#
# 1 × 1 层可以把任意数量的通道映射为任意其他数量的通道，而不改变高和宽：

# %%
features = torch.randn(1, 256, 28, 28)
print("256 -> 64 channels:", tuple(nn.Conv2d(256, 64, kernel_size=1)(features).shape))
print("256 -> 512 channels:", tuple(nn.Conv2d(256, 512, kernel_size=1)(features).shape))

# %% [markdown] en="a611bd9da8b2"
# 这使它成为构建**瓶颈**结构的工具。3 × 3 卷积需要 $9 C_\text{in} C_\text{out}$ 个权重，因此在通道很多时代价很高。先用 1 × 1 层压缩通道，在较少的通道上完成 3 × 3 的计算，需要时再扩展回去。`conv_param_count` 统计参数（权重和偏置）的数目：

# %%
from cnnguide.ops import conv_param_count

direct = conv_param_count(256, 256, kernel_size=3)
bottleneck = {
    "1x1, 256 -> 64": conv_param_count(256, 64, kernel_size=1),
    "3x3,  64 -> 64": conv_param_count(64, 64, kernel_size=3),
    "1x1,  64 -> 256": conv_param_count(64, 256, kernel_size=1),
}
print(f"3x3 conv, 256 -> 256 directly: {direct:>8,} parameters")
for name, count in bottleneck.items():
    print(f"  bottleneck {name:<17} {count:>8,}")
total = sum(bottleneck.values())
print(f"bottleneck total:              {total:>8,} parameters")
print(f"{direct / total:.1f} times fewer")

# %% [markdown] en="0ba55f9ec8d0"
# 这个三层的瓶颈结构与直接的那一层一样，以 3 × 3 的视野把 256 个通道映射为 256 个通道，参数却只有后者的大约八分之一——计算量也是如此，因为每个权重在每个输出像素上都恰好用一次。这正是较深的 ResNet 所用的块（[第 13 章](../13-resnet/)）。GoogLeNet（[第 14 章](../14-googlenet/)）在它的 3 × 3 和 5 × 5 分支之前也用了同样的技巧。`cnnguide.summary.summarize` 用乘加运算（MAC）的次数来衡量计算量：每个权重与每个输出像素对应一次乘法和一次加法，不计偏置。（一次 MAC 是两次浮点运算，所以 FLOPs 是这些数字的两倍。）这些层建在 PyTorch 的 `meta` 设备上（它只传播形状，不做实际计算），输入是 56 × 56 的特征图：

# %%
import torch
from torch import nn

from cnnguide.summary import summarize

with torch.device("meta"):
    direct_layer = nn.Conv2d(256, 256, 3, padding=1)
    bottleneck_layers = nn.Sequential(
        nn.Conv2d(256, 64, 1), nn.ReLU(),
        nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(),
        nn.Conv2d(64, 256, 1),
    )
for name, net in [("direct", direct_layer), ("bottleneck", bottleneck_layers)]:
    macs = summarize(net, (1, 256, 56, 56), device="meta").macs
    print(f"{name:<10}  {macs / 1e6:>5,.0f} million MACs per image")

# %% [markdown] en="eb6c4a1adaf1"
# 代价是表达能力：中间的 3 × 3 层只能看到 64 个通道。He 等人（2016）为了让训练时间保持在可承受的范围内，在他们的 50 层、101 层和 152 层 ResNet 中接受了这一代价，而这些更深的瓶颈网络比他们较浅的网络更准确。层与层之间额外的非线性（[第 6 章](../06-activation-functions/)）使瓶颈结构不只是一个伪装起来的线性映射（练习 4 展示了没有它们时会发生什么）。
#
# ## 小结
#
# - 1 × 1 卷积是一个跨通道的全连接层，以共享的权重应用在每个像素上；它保持高和宽不变。
# - 它就是一次矩阵乘法 $(O \times C)\cdot(C \times HW)$，等价于 `nn.Conv2d(C, O, kernel_size=1)`，也等价于逐像素的 `nn.Linear(C, O)`。
# - 它能以很低的代价改变通道数：与直接在 256 个通道上使用 3 × 3 层相比，围绕 3 × 3 层的 256 → 64 → 256 瓶颈结构的参数和 MAC 都少约 8 倍。
# - Network In Network（Lin, Chen & Yan, 2013）最早把它作为独立的层引入。
#
# 上一章：[通道、权重共享与稀疏连接](../04-channels/)。下一章：[激活函数](../06-activation-functions/)。
#
# ## 参考文献
#
# - He, K., Zhang, X., Ren, S. & Sun, J. (2016). Deep residual learning for image recognition. *Proceedings of the IEEE Conference on Computer Vision and Pattern Recognition (CVPR)*, 770–778.
# - Lin, M., Chen, Q. & Yan, S. (2013). Network in network. arXiv:1312.4400; published at ICLR 2014.

# %% [markdown] en="b0d7fac9964b"
# ## 练习
#
# 1. 从 512 个通道到 128 个通道的 1 × 1 卷积（含偏置）有多少个参数（`conv_param_count`）？
#
#     <details><summary>答案</summary>
#
#     $128 \cdot (512 + 1)$ = 65,664：与 `nn.Linear(512, 128)` 相同，它在每个像素上所做的正是这个线性层的运算。
#
#     </details>
#
# 2. 对把 512 个通道压缩到 128 个的情形重新统计瓶颈结构的参数：1 × 1 从 512 到 128，3 × 3 从 128 到 128，1 × 1 从 128 到 512，并与从 512 到 512 的单个 3 × 3 卷积比较。
#
#     <details><summary>答案</summary>
#
#     瓶颈结构有 65,664 + 147,584 + 66,048 = 279,296 个参数，直接的那一层有 2,359,808 个：约为前者的 8.4 倍。
#
#     </details>
#
# 3. GoogLeNet 的一个分支用 5 × 5 卷积（填充为 2）把 192 × 28 × 28 的特征图变为 32 个通道。用 `summarize` 统计它的乘加运算次数：分别直接计算，以及先用 1 × 1 卷积把通道降到 16 个再计算。
#
#     <details><summary>答案</summary>
#
#     直接计算：$28 \cdot 28 \cdot 32 \cdot 192 \cdot 25$ = 120,422,400 次 MAC。先降维：1 × 1 层 2,408,448 次，加上 5 × 5 层 10,035,200 次，共 12,443,648 次，约为直接计算的十分之一。
#
#     </details>
#
# 4. 把两个 1 × 1 卷积堆叠起来，中间不加激活函数，通道数从 8 变为 2 再回到 8。哪个单独的层能计算出同样的结果？它的 $8 \times 8$ 权重矩阵的秩是多少？
#
#     <details><summary>答案</summary>
#
#     一个 1 × 1 卷积，其矩阵是两个权重矩阵的乘积 $W_2 W_1$（$8 \times 2$ 乘以 $2 \times 8$）。它的秩至多为 2（对随机权重，`torch.linalg.matrix_rank` 给出 2）：无论输出通道有多少个，这两层只能传递通道的 2 个独立组合。
#
#     </details>
