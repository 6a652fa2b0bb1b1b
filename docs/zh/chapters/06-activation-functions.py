# %% [markdown] en="ce9ecdcd77e9"
# # 6. 激活函数
#
# 到目前为止的每个运算——互相关、填充、步幅、通道，以及[上一章](../05-one-by-one-convolution/)的 1 × 1 卷积——计算的都是输入的加权和。加权和是**线性**的，而线性映射叠加起来仍然是一个线性映射：无论堆叠多少个卷积层，只要中间没有别的东西，网络能表示的就只是单个卷积所能表示的。这个“别的东西”就是作用在层输出的每个单元上的**激活函数** $\sigma$：
#
# $$ y = \sigma\left(W \star x + b\right), $$
#
# 其中 $W \star x$ 是输入窗口 $x$ 与卷积核 $W$ 的互相关，$b$ 是该层的偏置。本章介绍三种经典的选择，用数值实验证明没有激活函数时增加深度毫无用处，并通过测量说明 sigmoid 为什么不再受青睐。
#
# ## Sigmoid、tanh 和 ReLU
#
# $$ \operatorname{sigmoid}(x) = \frac{1}{1 + e^{-x}}, \qquad
#    \tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}, \qquad
#    \operatorname{ReLU}(x) = \max(0, x). $$
#
# 训练还需要它们的导数，因为反向传播会逐层把这些导数相乘。下图用自动微分而不是手工推导来求导数。

# %%
from cnnguide.figures import activation_curves

activation_curves(("sigmoid", "tanh", "relu"), x_min=-6, x_max=6)

# %% [markdown] en="26cc8744db38"
# sigmoid 把所有值压缩到 $(0, 1)$ 中，tanh 则压缩到 $(-1, 1)$ 中；两者在远离零的地方都很平坦。ReLU 对正输入是恒等映射，对其他输入则为零——它“几乎是线性的”，但我们将会看到，仅仅这一个拐点就足够了。在特征图上，ReLU 保留卷积核产生正响应的位置，并让其余位置归零。下面的边缘卷积核在一个亮正方形的一侧产生负响应，在另一侧产生正响应；经过 ReLU 后只剩下一条边缘：

# %%
import torch

from cnnguide.figures import feature_map_grid
from cnnguide.ops import conv2d

image = torch.zeros(1, 1, 12, 12)
image[0, 0, 3:9, 3:9] = 1.0
edges = torch.tensor([[[[1.0, 0.0, -1.0]] * 3]])
response = conv2d(image, edges, padding=1)
feature_map_grid(
    torch.cat([image, response, torch.relu(response)], dim=1)[0],
    title="ReLU keeps the positive responses",
    labels=["image", "conv(image)", "relu(conv(image))"],
)

# %% [markdown] en="b7550ad540da"
# ## 没有激活函数，两层就等于一层
#
# 取两个不带偏置的单通道卷积，卷积核分别为 3 × 3 的 $K_1$ 和 $K_2$。把求和展开写出来，
#
# $$ (X \star K_1) \star K_2\,[i, j]
#    = \sum_{a,b,c,d} X[i+a+c,\, j+b+d]\, K_1[a, b]\, K_2[c, d]
#    = (X \star K)[i, j], \qquad
#    K[p, q] = \sum_{\substack{a + c = p \\ b + d = q}} K_1[a, b]\, K_2[c, d]. $$
#
# 合成的卷积核 $K$ 是 5 × 5 的，而且它本身也是一个互相关：把 $K_1$ 四周各填充 2 个零，再与在两个方向上都翻转过的 $K_2$ 做互相关。我们用 `corr2d` 构造它，并比较一层与两层的结果：

# %%
import torch
import torch.nn.functional as F

from cnnguide.ops import conv2d, corr2d

torch.manual_seed(0)
X = torch.randn(1, 1, 16, 16, dtype=torch.float64)
K1 = torch.randn(3, 3, dtype=torch.float64)
K2 = torch.randn(3, 3, dtype=torch.float64)

two_layers = conv2d(conv2d(X, K1[None, None]), K2[None, None])
# the single equivalent kernel
K = corr2d(F.pad(K1, (2, 2, 2, 2)), torch.flip(K2, dims=(0, 1)))
one_layer = conv2d(X, K[None, None])

print("equivalent kernel:", tuple(K.shape))
print("outputs:", tuple(two_layers.shape), tuple(one_layer.shape))
print(f"max |two layers - one layer| = {(two_layers - one_layer).abs().max():.1e}")
print(f"float64 machine epsilon      = {torch.finfo(torch.float64).eps:.1e}")

# %% [markdown] en="a9def2dbdace"
# 两个输出只相差舍入误差：把这个差值与打印在它下面的机器精度（machine epsilon，即 float64 的相对精度）比较一下就知道了。对任意数量的通道、带偏置时结论同样成立：仿射映射的复合仍是仿射映射。我们无需推导任何公式就能验证这一点。单个 5 × 5 卷积看到的输入窗口，恰好就是两个堆叠的 3 × 3 层所看到的窗口，所以如果*有*某个单层卷积能重现这两层的结果，那么用最小二乘法找到的最佳 5 × 5 卷积也一定能。每个输出位置给出一个方程：窗口中的 $3 \cdot 5 \cdot 5$ 个像素加上一个常数 1（对应偏置），乘以未知的权重。

# %%
import torch
import torch.nn.functional as F
from torch import nn


def best_single_conv_error(X, target, kernel_size):
    """Relative error of the best (least-squares) single conv with bias, X -> target."""
    windows = F.unfold(X, kernel_size)[0].T  # one row per output position
    A = torch.cat([windows, torch.ones(len(windows), 1, dtype=X.dtype)], dim=1)
    B = target[0].flatten(1).T  # one column per output channel
    fit = A @ torch.linalg.lstsq(A, B).solution
    return ((fit - B).norm() / B.norm()).item()


torch.manual_seed(0)
conv_a = nn.Conv2d(3, 8, 3).double()  # 3 -> 8 channels, with bias
conv_b = nn.Conv2d(8, 4, 3).double()  # 8 -> 4 channels, with bias
X = torch.randn(1, 3, 32, 32, dtype=torch.float64)

with torch.no_grad():
    linear_stack = conv_b(conv_a(X))
    relu_stack = conv_b(torch.relu(conv_a(X)))

print("relative error of the best single 5x5 convolution:")
print(f"  conv -> conv:         {best_single_conv_error(X, linear_stack, 5):.1e}")
print(f"  conv -> ReLU -> conv: {best_single_conv_error(X, relu_stack, 5):.1%}")

# %% [markdown] en="673767a65736"
# 没有激活函数时，这两层*就是*单个卷积——拟合在舍入误差范围内是精确的。中间加上一个 ReLU 后，最佳的单个卷积仍有很大一部分输出无法拟合：两层网络计算出了任何单层都无法计算的东西。这就是需要激活函数的全部原因。
#
# 原博客还更进一步地指出：有了激活函数，网络几乎可以逼近任何函数。这句话背后的定理，即*万能逼近定理*（universal approximation theorem），讲的是**宽度**而不是深度：只要单元足够多，一个由 sigmoid 单元组成的隐藏层后接一个线性输出，就能在闭的有界区域上以任意精度逼近任何连续函数（Cybenko, 1989）。Hornik（1991）证明了对任何有界且非常数的激活函数都有同样的结论，Leshno 等人（1993）则证明了对任何不是多项式的连续激活函数（包括 ReLU）同样成立。该定理没有说明需要多少个单元，也没有说明训练能否找到这些权重；深度为什么有帮助是另一个问题，这个定理并没有回答。
#
# ## 为什么 sigmoid 会饱和
#
# sigmoid 的导数为 $\sigma'(x) = \sigma(x)\,(1 - \sigma(x))$，在 $x = 0$ 处最大，此时两个因子都是 $\tfrac12$。自动微分证实了这个最大值，并展示了导数衰减得有多快：

# %%
import torch

x = torch.tensor([0.0, 2.0, 5.0, 10.0], dtype=torch.float64, requires_grad=True)
print("f'(x) at x =", "".join(f"{v:>10g}" for v in x.tolist()))
for name, f in [("sigmoid", torch.sigmoid), ("tanh", torch.tanh), ("relu", torch.relu)]:
    (grad,) = torch.autograd.grad(f(x).sum(), x)
    print(f"{name:<12}", "".join(f"{g:>10.2e}" for g in grad.tolist()))

# -10 to 10 in steps of 0.001
grid = (torch.arange(-10_000, 10_001, dtype=torch.float64) / 1000).requires_grad_()
(slope,) = torch.autograd.grad(torch.sigmoid(grid).sum(), grid)
print(f"largest sigmoid slope on [-10, 10]: {slope.max():.6f}")
print(f"at x = {grid[slope.argmax()]:.3f}")

# %% [markdown] en="0159361960a4"
# （ReLU 在 0 处不可导；PyTorch 在那里取 0，即它那一行的第一个数。）反向传播每经过一层就乘上一个这样的因子。即使在最好的情况下，每个 sigmoid 层也会把梯度乘以一个至多为 $\tfrac14$ 的因子；连续十层会把梯度缩小约一百万倍。我们让一个数连续通过十个 sigmoid，再用自动微分求输入处的梯度：

# %%
import torch

for name, f in [("sigmoid", torch.sigmoid), ("relu", torch.relu)]:
    x = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    y = x
    for _ in range(10):
        y = f(y)
    y.backward()
    print(f"10 x {name}: d output / d input = {x.grad.item():.3e}")
print(f"bound for the sigmoid: 0.25 ** 10 = {0.25**10:.3e}")

# %% [markdown] en="a5c68931bcbb"
# 这就是**梯度消失**：深层 sigmoid 网络的前几层几乎学不到东西；而当某个单元的输入很大时，sigmoid 十分平坦，这个单元就完全停止学习（它*饱和*了）。tanh 在原点处的斜率为 1，但同样会饱和。ReLU 在单元处于激活状态的地方原样传递梯度，这是现代网络使用它的主要原因。它自身的弱点在另一侧：如果某个单元对每个样本的输入都是负的，它得到的梯度就为零，可能会“死亡”。第 10 章中经典的 [LeNet](../10-lenet/) 使用 sigmoid；它的现代变体以及 VGG、ResNet、GoogLeNet 和 DenseNet 都使用 ReLU。
#
# 接下来，[池化](../07-pooling/)会缩小特征图，并使其能够容忍特征的小幅平移。
#
# ## 小结
#
# - 卷积是线性的。如果中间没有激活函数，任何卷积的堆叠都等于一个卷积（这里：两个 3 × 3 层 = 一个 5 × 5 层，误差在 float64 舍入范围内）。
# - 中间加一个 ReLU 就足以打破这一点：没有哪个单层卷积能拟合两层的输出。
# - sigmoid 映射到 $(0, 1)$，斜率至多为 $\tfrac14$；tanh 映射到 $(-1, 1)$，斜率至多为 1；两者在输入很大时都会饱和，因此梯度经过许多层后会消失。
# - ReLU，即 $\max(0, x)$，在激活处斜率为 1，其他地方为 0：计算代价低，对正输入不会饱和，是现代 CNN 的默认选择。
# - 万能逼近定理讲的是宽度：一个拥有足够多单元的隐藏层就能在闭的有界区域上逼近任何连续函数。
#
# ## 参考文献
#
# - Cybenko, G. (1989). Approximation by superpositions of a sigmoidal function. *Mathematics of Control, Signals and Systems*, 2(4), 303–314.
# - Hornik, K. (1991). Approximation capabilities of multilayer feedforward networks. *Neural Networks*, 4(2), 251–257.
# - Leshno, M., Lin, V. Y., Pinkus, A. & Schocken, S. (1993). Multilayer feedforward networks with a nonpolynomial activation function can approximate any function. *Neural Networks*, 6(6), 861–867.

# %% [markdown] en="e2fd3272046b"
# ## 练习
#
# 1. 用自动微分求 sigmoid 在 $x = 3$ 处的斜率，并与 $\sigma(x)(1 - \sigma(x))$ 核对。
#
#     <details><summary>答案</summary>
#
#     $\sigma(3) \approx 0.9526$，所以斜率约为 0.0452，不到它在 0 处的值的五分之一。
#
#     </details>
#
# 2. 即使在最陡的地方，每个 sigmoid 层也只会把梯度乘以至多 $\tfrac14$。经过多少层后，这个上界会低于 $10^{-6}$？
#
#     <details><summary>答案</summary>
#
#     10 层：$0.25^{9} \approx 3.8 \times 10^{-6}$，但 $0.25^{10} \approx 9.5 \times 10^{-7}$。
#
#     </details>
#
# 3. 用 tanh 重做十层实验，分别从 0.5 和 0 开始。为什么梯度比经过十个 sigmoid 时大得多？（提示：从 0.5 开始反复迭代 sigmoid 多次，看看它最终停在哪里。）
#
#     <details><summary>答案</summary>
#
#     经过十个 tanh 层，从 0.5 开始时梯度约为 0.223，从 0 开始时则恰好为 1。反复应用 tanh 会把输入拉向 0，而 tanh 在那里的斜率为 1。反复应用 sigmoid 则会停在满足 $\sigma(x) = x$ 的点，约为 0.659，该处的斜率为 $0.659 \cdot (1 - 0.659) \approx 0.225$：每一层都把梯度缩小约四倍。
#
#     </details>
#
# 4. 两个 5 × 5 卷积之间没有激活函数时等于一个卷积。这个卷积有多大？像本章那样构造它的卷积核（现在 $K_1$ 需要填充多少？）并验证。
#
#     <details><summary>答案</summary>
#
#     9 × 9：每一层都让窗口增大 4。把 $K_1$ 四周各填充 4，再与翻转后的 $K_2$ 做互相关；这时单层的输出与两层的输出在舍入误差范围内一致。
#
#     </details>
