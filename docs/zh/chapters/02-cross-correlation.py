# %% [markdown] en="48dd88e2cc17"
# # 2. 互相关
#
# [第 1 章](../01-why-convolutions/)论证了这样一种层：它的单元只看图像的一小块区域，并在各个位置之间共享权重。本章从零开始构建这种层的核心运算：让一个小的权重矩阵——**卷积核**——在输入上滑动，在每个位置把重叠的数两两相乘，再全部加起来。
#
# 深度学习库把这种运算称为*卷积*。从数学上讲，它是**互相关**；示例之后的一节会解释二者的区别，以及为什么这个区别对学习无关紧要。
#
# ## 一次一个窗口
#
# 取一个 3 × 3 的输入和一个 2 × 2 的卷积核。把卷积核放在输入的左上角，将重叠的四对数分别相乘再相加：这个和就是输出左上角的元素。然后向右移动一列，重复上述操作；到达一行的末尾后，再向下移动一行。用符号表示，对于输入 $X$ 和 $h \times w$ 的卷积核 $K$，
#
# $$Y_{i,j} = \sum_{a=0}^{h-1} \sum_{b=0}^{w-1} X_{i+a,\, j+b}\, K_{a,b}.$$
#
# `cnnguide.ops.corr2d` 就是把这个公式写成对输出位置的循环（有意写得便于阅读；快速版本后面再讲）。下面是它的代码，直接从库中读取；开头的几项检查会在输入有误时给出清楚的提示：

# %%
from cnnguide.figures import show_source
from cnnguide.ops import corr2d

show_source(corr2d, docstring=False)

# %% [markdown] en="6614dac85c28"
# 两重循环遍历输出的行和列；每个元素都是一个窗口与卷积核逐元素相乘后的和，`(X[i : i + h, j : j + w] * K).sum()`。在 3 × 3 的输入和 2 × 2 的卷积核上：

# %%
import torch

X = torch.arange(9.0).reshape(3, 3)
K = torch.arange(4.0).reshape(2, 2)
corr2d(X, K)

# %% [markdown] en="7f633c9f7e52"
# 下图展示了第一个数是怎么算出来的，这正是博客中的算例：$0 \times 0 + 1 \times 1 + 3 \times 2 + 4 \times 3 = 19$。图中的每个数——网格以及写在下方的求和式——都是在构建页面时由 `cnnguide.ops` 计算出来的。

# %%
from cnnguide.figures import cross_correlation_figure

cross_correlation_figure(X, K)

# %% [markdown] en="806400599c30"
# 右下角的元素用的是右下角的窗口：

# %%
cross_correlation_figure(X, K, position=(1, 1))

# %% [markdown] en="f23a980d8cf8"
# 动画按顺序依次经过全部四个窗口：先从左到右，再从上到下。

# %%
import tempfile
from pathlib import Path

from cnnguide.figures import sliding_window_animation

gif_dir = Path(tempfile.mkdtemp())
sliding_window_animation(X, K, gif_dir / "corr2d.gif")

# %% [markdown] en="a3c02dac513f"
# 一个 $n_h \times n_w$ 的输入和一个 $k_h \times k_w$ 的卷积核可以容纳 $(n_h - k_h + 1) \times (n_w - k_w + 1)$ 个窗口，这也就是输出的形状：这里是 $(3 - 2 + 1) \times (3 - 2 + 1) = 2 \times 2$。[第 3 章](../03-padding-and-stride/)会介绍如何控制它。
#
# PyTorch 自带的卷积计算出的数完全相同。它处理的是带通道的批量数据，所以输入和卷积核前面要加上两个大小为 1 的维度：

# %%
import torch.nn.functional as F

torch_result = F.conv2d(X.reshape(1, 1, 3, 3), K.reshape(1, 1, 2, 2))
print(torch_result)
print("same as corr2d:", torch.equal(torch_result[0, 0], corr2d(X, K)))

# %% [markdown] en="3427d96514fb"
# 还是这个例子，现在轮到你亲手操作。把鼠标悬停在某个输出单元格上，可以看到它的窗口和求和式；也可以按 Play 观看窗口滑动。滑块可以改变输入大小、卷积核大小，以及下一章将要介绍的填充、步幅和膨胀（dilation）。页面按 PyTorch 的规则计算每个数，浏览器测试会将它们与 PyTorch 核对。如果没有 JavaScript，则会再次显示上面的图。

# %%
from cnnguide.figures.explorers import convolution_explorer

convolution_explorer(X, K)

# %% [markdown] en="98a6d246ec6c"
# ## 卷积还是互相关？
#
# 信号处理和数学中的卷积在滑动之前会先**翻转卷积核**：$(X * K)_{i,j} = \sum_{a,b} X_{i+a,\,j+b}\,K_{h-1-a,\,w-1-b}$。也就是说，卷积核是倒过来与窗口对应的。NumPy 为一维信号提供了这两种运算，各自都按教科书上的定义实现，因此我们可以借助不是自己写的代码来验证二者的关系：用 $k$ 做卷积，等于用反转后的 $k$ 做互相关。（两者都使用“valid”形式，即卷积核始终位于信号之内，下标从 0 开始计数。）

# %%
import numpy as np

x = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0])
k = np.array([1.0, 2.0, -1.0])
print("np.convolve(x, k)        ", np.convolve(x, k, mode="valid"))
print("np.correlate(x, k[::-1]) ", np.correlate(x, k[::-1], mode="valid"))
print("np.correlate(x, k)       ", np.correlate(x, k, mode="valid"), " <- differs")


# %% [markdown] en="07eb67d93c25"
# 在二维情形下，“反转”指的是既上下翻转，又左右翻转。下面是按定义写出的真正的二维卷积，与使用翻转后卷积核的 `corr2d` 并列比较：

# %%
def true_convolution(X, K):
    """(X * K)[i, j] = sum over a, b of X[i + a, j + b] * K[h - 1 - a, w - 1 - b]."""
    h, w = K.shape
    rows, cols = X.shape[0] - h + 1, X.shape[1] - w + 1

    def entry(i, j):
        pairs = ((a, b) for a in range(h) for b in range(w))
        return sum(X[i + a, j + b] * K[h - 1 - a, w - 1 - b] for a, b in pairs)

    return torch.tensor([[entry(i, j) for j in range(cols)] for i in range(rows)])


print("true convolution:       ", true_convolution(X, K).tolist())
print("corr2d, flipped kernel: ", corr2d(X, torch.flip(K, dims=(0, 1))).tolist())
print("corr2d, kernel as is:   ", corr2d(X, K).tolist())

# %% [markdown] en="f40aabca76d8"
# 所以，一个不翻转卷积核的“卷积”层，计算的是用翻转后卷积核做的真正卷积。博客说，已有证明表明，用哪一种运算“几乎不影响”卷积层的输出。准确的说法比这更强：因为网络的卷积核是**学习**得到的，选哪一种运算完全不影响网络能表示什么：翻转的层会学到的任何卷积核，不翻转的层都会学到它的镜像，并产生相同的输出。我们将在本章末尾看到这一点。省去翻转可以少一步运算，所以所有框架计算的都是互相关，却仍然称之为卷积；本站从现在起也这样做。
#
# ## 初次应用：检测边缘
#
# 滑动一个小卷积核为什么有用？来看一张白色（1）的图像，它的中间有一条黑色（0）的带：

# %%
image = torch.ones(6, 8)
image[:, 2:6] = 0
image

# %% [markdown] en="e1ea76ec56e5"
# 卷积核 $[1, -1]$ 用每个像素减去它右边的邻居。二者相等时结果为 0；由白变黑处结果为 1，由黑变白处结果为 $-1$。第 1 列处的窗口正好跨在第一条边缘上：

# %%
edge_kernel = torch.tensor([[1.0, -1.0]])
cross_correlation_figure(image, edge_kernel, position=(0, 1))

# %% [markdown] en="acada7ff727d"
# 整个输出标出了黑带的两条边缘，除此之外什么也没有。同一个卷积核作用在转置后的图像上（其边缘是水平的）则什么也找不到：这个卷积核只能看到沿行方向的变化。

# %%
print(corr2d(image, edge_kernel))
largest = corr2d(image.T, edge_kernel).abs().max().item()
print("on the transposed image, largest |output|:", largest)

# %% [markdown] en="1110cf5188e5"
# ## 学习卷积核
#
# 上面的卷积核是我们手工选的。卷积网络则通过梯度下降来**学习**卷积核。`cnnguide.ops.Conv2D` 是一个带有可学习卷积核和标量偏置的层；它的前向传播是 `corr2d(X, weight) + bias`，自动微分（autograd）可以直接对这个循环求导。我们把图像和想要的边缘图交给它，从一个随机的 1 × 2 卷积核出发，最小化平方误差：

# %%
from cnnguide.ops import Conv2D

torch.manual_seed(0)
target = corr2d(image, edge_kernel)
layer = Conv2D(kernel_size=(1, 2))
print("initial kernel:", layer.weight.detach().numpy().round(3))
optimizer = torch.optim.SGD(layer.parameters(), lr=0.01)
for step in range(1, 61):
    optimizer.zero_grad()
    loss = ((layer(image) - target) ** 2).sum()
    loss.backward()
    optimizer.step()
    if step % 10 == 0:
        print(f"step {step:2d}: loss {loss.item():.6f}")
print("learned kernel:", layer.weight.detach().numpy().round(3))
print(f"learned bias: {layer.bias.item():.1e}")

# %% [markdown] en="9e30298752fa"
# 打印出的损失逐渐降向零，学到的卷积核接近 $[1, -1]$，偏置接近零：六十个小步就从一张示例图像中恢复出了卷积核。（学习率很重要：损失是对 42 个输出求和得到的，所以梯度很大；学习率超过约 0.016 时，普通的梯度下降会冲过头而发散；练习 4 会计算这个阈值。）现在来做前面承诺过的翻转测试：用 $[1, -1]$ 做**真正的卷积**来生成目标，再训练一次。互相关层无法翻转，所以它应该学到镜像卷积核 $[-1, 1]$，并且同样好地拟合目标：

# %%
torch.manual_seed(0)
target_conv = true_convolution(image, edge_kernel)
layer = Conv2D(kernel_size=(1, 2))
optimizer = torch.optim.SGD(layer.parameters(), lr=0.01)
for step in range(60):
    optimizer.zero_grad()
    loss = ((layer(image) - target_conv) ** 2).sum()
    loss.backward()
    optimizer.step()
print(f"final loss {loss.item():.6f}")
print("learned kernel:", layer.weight.detach().numpy().round(3))
print("flipped [1, -1]:", torch.flip(edge_kernel, dims=(0, 1)).numpy())

# %% [markdown] en="e6f7e8c55a06"
# ## 小结
#
# - 卷积层让卷积核在输入上滑动，并在每个位置对卷积核与其下方窗口的逐元素乘积求和。
# - $n_h \times n_w$ 的输入和 $k_h \times k_w$ 的卷积核给出 $(n_h - k_h + 1) \times (n_w - k_w + 1)$ 的输出。
# - 深度学习中的“卷积”其实是互相关：不翻转卷积核。真正的卷积等于用翻转后的卷积核做互相关；由于卷积核是学习得到的，训练察觉不到这个区别。
# - 固定的卷积核可以检测某种特征，例如用 $[1, -1]$ 检测竖直边缘；而网络则通过梯度下降从数据中学习卷积核。
#
# 下一章：[填充和步幅](../03-padding-and-stride/)，决定输出大小的两个旋钮。

# %% [markdown] en="a178de420612"
# ## 练习
#
# 1. 用 `corr2d` 计算 4 × 4 的输入 `torch.arange(16.0).reshape(4, 4)` 与本章卷积核 `K` 的互相关。输出的形状是什么？它左上角和右下角的元素各是多少？
#
#     <details><summary>答案</summary>
#
#     输出是 3 × 3。左上角的元素是 $0 \cdot 0 + 1 \cdot 1 + 4 \cdot 2 + 5 \cdot 3 = 24$，右下角的元素是 $10 \cdot 0 + 11 \cdot 1 + 14 \cdot 2 + 15 \cdot 3 = 84$。
#
#     </details>
#
# 2. 一张 Fashion-MNIST 图像的大小是 28 × 28。一个 5 × 5 的卷积核在不填充时会在它上面产生多少个输出？这需要多少次乘加运算？用 `cnnguide.summary.summarize(nn.Conv2d(1, 1, 5, bias=False), (1, 1, 28, 28)).macs` 验证第二个数。
#
#     <details><summary>答案</summary>
#
#     $28 - 5 + 1 = 24$，所以共有 24 × 24 = 576 个输出，每个都是 25 个乘积之和：共 14,400 次乘加运算，`summarize` 报告的也是这个数（若把一次乘法和一次加法算作两次，则是 28,800 次浮点运算）。
#
#     </details>
#
# 3. 把黑带图像和卷积核都转置：`corr2d(image.T, edge_kernel.T)`。有多少个输出非零？它们在哪里？
#
#     <details><summary>答案</summary>
#
#     12 个：卷积核 $[1, -1]^\top$ 用每个像素减去它下方的邻居，所以它标出转置后黑带的两条水平边缘，每条边缘对应一行 6 个输出（7 × 6 输出中的第 1 行和第 5 行）。
#
#     </details>
#
# 4. 学习实验中的损失是两个卷积核权重和偏置的二次函数：42 个输出中的每一个都是 $w_1 x_{i,j} + w_2 x_{i,j+1} + b$。当学习率超过 $2/\lambda_\max$ 时，二次函数上的梯度下降会发散，其中 $\lambda_\max$ 是其黑塞矩阵 $2A^\top A$ 的最大特征值（每个输出对应 $A$ 的一行：$x_{i,j}$、$x_{i,j+1}$、1）。用 `torch.linalg.eigvalsh` 计算这个阈值，并试一试 `lr=0.03`。
#
#     <details><summary>答案</summary>
#
#     $\lambda_\max \approx 124.3$，所以阈值约为 0.0161：本章用的 0.01 会收敛，而 0.03 会让损失无界地增长，直到溢出为无穷大。
#
#     </details>
