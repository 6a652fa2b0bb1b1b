# %% [markdown] en="18fe78d9cb7d"
# # 1. 为什么需要卷积
#
# 在卷积网络出现之前，把一张图片输入神经网络，就意味着像对待其他任何数值向量一样对待它：把像素展平，再把每一个像素连接到下一层的每一个单元。图像从两个方面打破了这种做法。
#
# 1. **规模**：即便是一张不大的图片也有几十万个数值，而全连接层要为*每个单元*的每个输入各付出一个权重。
# 2. **不变性**：猫无论蹲在左上角还是右下角，都是猫。全连接层既不知道哪两个像素彼此相邻，也不知道同一个图案可以出现在任何位置；它必须在每个位置上分别学会识别猫。
#
# 本章用代码度量这两个问题，并介绍解决它们的两个思想：**局部连接**和**权重共享**。下面的每个数字都是在构建页面时计算出来的。
#
# ## 问题 1：图像很大

# %%
grey = 512 * 512  # one grey channel
colour = 1024 * 1024 * 3  # red, green and blue channels
print(f"512 x 512 grey image:      {grey:>9,} inputs")
print(f"1024 x 1024 colour image:  {colour:>9,} inputs")

# %% [markdown] en="421f79a1300d"
# 一张 512 × 512 的灰度图像有 262,144 个数值。本站所依据的博客在这里写的是 252,144，这是错了一位数字的笔误，上面的乘法可以为证。现在把这张图像连接到一个规模不大、含 1,000 个单元的隐藏层。全连接层为每一对（输入，单元）配一个权重，再为每个单元配一个偏置，共有 $n_\text{out}(n_\text{in} + 1)$ 个参数。一个含 64 个 3 × 3 卷积核的卷积层有 $c_\text{out}(c_\text{in} k^2 + 1)$ 个参数，而且——这正是关键所在——图像大小根本不出现在这个公式中。`cnnguide.ops` 提供了这两种计数：

# %%
from cnnguide.ops import conv_param_count, dense_param_count

fc = dense_param_count(512 * 512, 1000)
conv = conv_param_count(in_channels=1, out_channels=64, kernel_size=3)
print(f"fully connected, 262,144 -> 1,000: {fc:>13,} parameters")
print(f"  as float32: {fc * 4 / 2**30:.2f} GiB")
print(f"3x3 convolution, 1 -> 64 channels: {conv:>13,} parameters")
print(f"ratio: {fc / conv:,.0f} to 1")
print(f"colour image -> 1,000 units: {dense_param_count(colour, 1000):,} parameters")

# %% [markdown] en="4817c4cba866"
# 在 512 × 512 的图像上，单单一个全连接层就需要大约 1 GB 的权重，而这时网络还什么都没有学到。卷积则只需要 640 个数，与图像大小无关。下图画出了这两种参数量随图像增大的变化。注意纵轴是对数坐标：每条网格线都是它下面那条的十倍，所以图像边长每翻一倍（像素变为四倍），全连接层的那条直线就上升为原来的四倍，而卷积的那条线始终保持水平。

# %%
from cnnguide.figures import parameter_growth

parameter_growth(
    image_sizes=(28, 64, 128, 256, 512, 1024), hidden_units=1000, out_channels=64
)

# %% [markdown] en="1d9a6cbad349"
# ## 节省从何而来
#
# 卷积*本身就是*一个线性层——一种非常特殊的线性层。取一张 8 × 8 的图像和一个 3 × 3 的卷积核：输出是 6 × 6（接下来几章会解释原因）。任何从 64 个输入到 36 个输出的线性映射都是一个 36 × 64 的矩阵，因此我们可以把 64 张单像素图像逐一送入卷积，每张得到矩阵的一列，从而还原出卷积对应的矩阵：

# %%
import torch

from cnnguide.ops import conv2d, conv_output_size

torch.manual_seed(0)
kernel = torch.randn(1, 1, 3, 3)
# image p is all zeros but for a single 1 at pixel p
one_pixel_images = torch.eye(64).reshape(64, 1, 8, 8)
# column p of M is the response to pixel p
M = conv2d(one_pixel_images, kernel).reshape(64, -1).T

side = conv_output_size(8, kernel_size=3)
print("output side:", side, "| matrix shape:", tuple(M.shape))
print("entries a dense layer would learn:      ", M.numel())
print("nonzero entries (local connections):    ", int((M != 0).sum()))
print("distinct nonzero values (shared weights):", torch.unique(M[M != 0]).numel())

# %% [markdown] en="fb8f9ec2f688"
# 有两点把参数个数从 2,304 压缩到了 9：
#
# - **局部连接**：每个输出单元只看一个 3 × 3 的窗口，而不是整张图像；在它可能有的 64 个权重中，只有 9 个非零，所以矩阵有 $36 \times 9 = 324$ 个非零元素。相邻像素之间关系密切，相距较远的像素之间关系则弱得多，因此损失很小。
# - **权重共享**：每个窗口都使用*同样的*九个权重——也就是卷积核——所以这 324 个元素只取 9 个不同的值。在一处有用的特征检测器，在任何地方都有用。
#
# ## 问题 2：同一物体出现在不同位置
#
# 权重共享同样解决了第二个问题。由于同一个卷积核会滑过每个位置，输入平移多少，输出也就平移多少：卷积具有**平移等变性**（shift-equivariant）。有两处细节需要注意：这只在步幅为 1 时成立（步幅为 2 的层只能跟上偶数个像素的平移——见练习 3），而且只在远离边界处成立，因为边界处[第 3 章](../03-padding-and-stride/)的零填充不会随图像一起移动。全连接层没有这样的性质。我们在一张小图像上检验这两者：图像中有一个远离边界的亮方块；卷积使用一个竖直边缘卷积核，全连接层则是一个输入、输出大小与之相同的随机全连接层。

# %%
import torch
from torch import nn

from cnnguide.ops import conv2d

image = torch.zeros(1, 1, 16, 16)
image[0, 0, 3:7, 2:6] = 1.0  # a bright 4x4 square, away from the borders
# the same square, 5 down and 6 right
shifted = torch.roll(image, shifts=(5, 6), dims=(2, 3))

edges = torch.tensor([[[[1.0, 0.0, -1.0]] * 3]])  # responds to left/right edges
out, out_shifted = conv2d(image, edges, padding=1), conv2d(shifted, edges, padding=1)
gap = (torch.roll(out, shifts=(5, 6), dims=(2, 3)) - out_shifted).abs().max()
print(f"convolution: max |shift(conv(x)) - conv(shift(x))| = {gap:.1e}")

torch.manual_seed(0)
dense = nn.Linear(256, 256)
d_out, d_shifted = dense(image.flatten()), dense(shifted.flatten())
moved = torch.roll(d_out.reshape(16, 16), (5, 6), (0, 1))
gap = (moved - d_shifted.reshape(16, 16)).abs().max()
print(f"dense layer: max |shift(dense(x)) - dense(shift(x))| = {gap:.2f}")

# %% [markdown] en="911a2209d119"
# 第一行度量的是：卷积对平移后方块的响应，与平移后的原响应相差多远；第二行对全连接层做同样的度量，而全连接层对平移后方块的响应与它对原方块的响应毫无关系。网格中显示了图像、平移后的图像，以及二者各自的边缘图（暗 = 左边缘，亮 = 右边缘）：两张边缘图是同一个图案，只是和方块一样移动了 5 行、6 列。

# %%
from cnnguide.figures import feature_map_grid

maps = torch.cat([image, shifted, out, out_shifted], dim=1)[0]
feature_map_grid(
    maps,
    title="The edge map moves with the object",
    labels=["image", "shifted image", "conv(image)", "conv(shifted image)"],
)

# %% [markdown] en="68fecd5935bf"
# 等变还不是不变：边缘图*移动*了，而不是留在原地。分类器想要的是一个完全不依赖位置的答案。池化（[第 7 章](../07-pooling/)）能在局部容忍小的平移。全局平均池化（[第 8 章](../08-feature-maps-to-classes/)）则更进一步：它对*最后一个*特征图的每个通道求平均，因此最终的“投票”与特征在该图中的哪个位置被激活无关。但这仍然达不到对*图像*平移的不变性：它下面的各层只是近似平移等变——步幅只能跟上部分平移，边界处的处理也不一样——所以把图像移动一个像素，就可能改变一个真实网络的预测（Azulay & Weiss, 2019; Zhang, 2019）。
#
# 博客声称，图像经过旋转或翻转之后，CNN 仍能同样好地识别它。作为算子本身的性质，这是错误的。卷积一般*不*具有旋转等变性——针对竖直边缘调好的卷积核对水平边缘没有响应。把方块旋转一下，比较“旋转后图像的边缘图”和“旋转后的边缘图”：

# %%
rotated = torch.rot90(image, 1, dims=(2, 3))
out_rotated = conv2d(rotated, edges, padding=1)
gap = (torch.rot90(out, 1, dims=(2, 3)) - out_rotated).abs().max()
print(f"max |rot(conv(x)) - conv(rot(x))| = {gap:.1f}")

# %% [markdown] en="e8ba3ed9bece"
# 打印出的差值远不为零：旋转后图像的边缘图标出的是旋转后方块的竖直边缘，而旋转后的边缘图标出的则是原来的竖直边缘，它们现在变成了水平边缘。对旋转、尺度变化和光照的鲁棒性，是 CNN *学习*得来的：靠的是许多卷积核，以及展示物体各种姿态的训练图像（数据增强）；它并没有内置在算子之中。
#
# ## 后续内容
#
# 基础部分的其余章节将一步一步地搭建起卷积层，每个算子都在 `cnnguide.ops` 中从零写出，并与 PyTorch 对照测试：
#
# - [互相关](../02-cross-correlation/)：深度学习中称为卷积的滑动窗口运算；
# - [填充和步幅](../03-padding-and-stride/)：控制输出的大小；
# - [通道、权重共享与稀疏连接](../04-channels/)：彩色图像与同时使用多个卷积核；
# - [1 × 1 卷积](../05-one-by-one-convolution/)：逐像素地混合通道；
# - [激活函数](../06-activation-functions/)：为什么堆叠的卷积需要非线性；
# - [池化](../07-pooling/)：下采样与局部不变性；
# - [从特征图到类别](../08-feature-maps-to-classes/)：展平与全局平均池化的对比；
# - [感受野](../09-receptive-field/)：一个单元能看到图像的多大范围。
#
# ## 小结
#
# - 一张 512 × 512 的灰度图像有 262,144 个输入；一张 1024 × 1024 的彩色图像有 3,145,728 个。在它们上面接一个全连接层，要花费数亿到数十亿个权重。
# - 卷积的参数量 $c_\text{out}(c_\text{in} k^2 + 1)$ 与图像大小无关。
# - 卷积是一个线性层，它的矩阵大部分元素为零（**局部连接**），而非零元素反复取卷积核中同样的几个值（**权重共享**）。
# - 权重共享使卷积具有**平移等变性**（步幅为 1、远离边界时）：物体移动，它的特征也随之移动。池化增加了局部的容忍度，全局平均池化让最后一步忽略位置，但整个网络只是近似平移不变；对旋转的鲁棒性则是从数据中学到的。
#
# ## 参考文献
#
# - Azulay, A. & Weiss, Y. (2019). Why do deep convolutional networks generalize so poorly to small image transformations? *Journal of Machine Learning Research*, 20(184), 1–25.
# - Zhang, R. (2019). Making convolutional networks shift-invariant again. *Proceedings of the 36th International Conference on Machine Learning (ICML)*, PMLR 97, 7324–7334.

# %% [markdown] en="79c714e09f9f"
# ## 练习
#
# 1. 一张 224 × 224 的彩色图像（ImageNet 的常用尺寸）输入一个有 4,096 个单元的全连接层。用 `cnnguide.ops.dense_param_count` 计算该层的参数个数，再用 `conv_param_count` 计算一个从 3 个颜色通道到 64 个通道的 3 × 3 卷积的参数个数。
#
#     <details><summary>答案</summary>
#
#     `dense_param_count(224 * 224 * 3, 4096)` 等于 616,566,784：4,096 个单元中的每一个都有 150,528 个权重和一个偏置。`conv_param_count(3, 64, 3)` 等于 1,792，而且对任意大小的图像都保持为 1,792。
#
#     </details>
#
# 2. 仿照本章对 8 × 8 图像的做法，构造 10 × 10 图像上 3 × 3 卷积的矩阵（把 `torch.eye(100)` 送入 `conv2d`）。它的形状是什么？有多少个元素非零？这些非零元素取多少个不同的值？
#
#     <details><summary>答案</summary>
#
#     输出是 8 × 8（`conv_output_size(10, 3)` 等于 8），所以矩阵是 64 × 100，共 6,400 个元素。64 行中的每一行在其窗口的 9 个像素处各有一个非零元素：共 576 个非零元素，只取卷积核的 9 个值。
#
#     </details>
#
# 3. 带上步幅重复平移测试：`conv2d(image, edges, padding=1, stride=2)`。先把方块向下、向右各平移 2 个像素，再各平移 1 个像素。在哪种情况下，平移后图像的输出是原输出平移后的副本？
#
#     <details><summary>答案</summary>
#
#     把图像平移 2 个像素，输出恰好平移 1 格：最大差值为 0。平移 1 个像素则根本得不到平移副本，因为步幅为 2 的窗口此时在方块的其他位置上取样。步幅为 $s$ 的层只对 $s$ 的整数倍的平移具有等变性。
#
#     </details>
#
# 4. 找一个 3 × 3 卷积核，使本章的旋转测试打印出 0。
#
#     <details><summary>答案</summary>
#
#     任何在 90° 旋转下保持不变的卷积核都可以，例如由九个 1 组成的方框卷积核，或者各行为 (0, 1, 0)、(1, −4, 1)、(0, 1, 0) 的拉普拉斯卷积核：在各边填充相同的正方形图像上，旋转输入之后，输出也随之旋转。这样的卷积核对竖直边缘和水平边缘一视同仁；它无法区分二者。
#
#     </details>
