# %% [markdown] en="b19ce0b9b0e9"
# # 10. LeNet：完整流程
#
# 到目前为止的所有内容——[互相关](../02-cross-correlation/)、[填充和步幅](../03-padding-and-stride/)、[通道](../04-channels/)、[激活函数](../06-activation-functions/)、[池化](../07-pooling/)以及[从特征图到类别的那一步](../08-feature-maps-to-classes/)——都在 **LeNet** 中汇集到了一起。Yann LeCun 和他在贝尔实验室的同事于 1989 年训练出了第一个版本（“Backpropagation Applied to Handwritten Zip Code Recognition”）：这是第一个通过反向传播学习卷积核、而不是人工设计卷积核的卷积网络。最著名的版本 **LeNet-5** 诞生于 1998 年（“Gradient-Based Learning Applied to Document Recognition”，LeCun、Bottou、Bengio 和 Haffner），它曾读取了美国开出的很大一部分支票。
#
# 博客所训练的网络，也就是本章的网络，是 d2l 简化过的 LeNet-5。它保留了 LeNet-5 的形状——两个卷积和池化阶段，然后是分别有 120、84 和 10 个单元的三个全连接层——但没有保留它的全部细节：LeNet-5 使用的是缩放过的 tanh（$1.7159 \tanh(\tfrac23 x)$），使用每个通道带有一个可训练权重和偏置的下采样层，第二个卷积中每个输出通道只看到部分输入通道，最后一层则是径向基函数。训练方案同样来自 d2l（Xavier 初始化，学习率为 0.9 的普通 SGD，训练 10 轮），而不是来自 1998 年的论文。
#
# 本章构建这个网络，在 Fashion-MNIST 上用完整的训练方案训练它，找出它为什么起步如此缓慢，并展示现代的网络层带来了哪些改变。
#
# ## 网络架构
#
# LeNet 由两部分组成。**卷积部分**（`net.features`）由两个“卷积 → sigmoid → 2 × 2 平均池化”块组成：先是 6 个通道、5 × 5 的卷积核，然后是 16 个通道、5 × 5 的卷积核。**全连接部分**（`net.classifier`）把 $16 \times 5 \times 5$ 的结果展平，再应用三个全连接层。博客把它写成一个 `nn.Sequential`；我们的库则在一个类中构建了同样的层，以及它们的一个现代变体：

# %%
from cnnguide.figures import show_source
from cnnguide.models.lenet import LeNet

show_source(LeNet.__init__)

# %% [markdown] en="f80def85770e"
# 下面的示意图是直接根据网络对象本身绘制的：每个方框是一层（其标签读自该层的设置），方框下方是一张 1 × 28 × 28 的图像通过网络时（真实的前向传播）该层输出的形状。

# %%
from cnnguide import models
from cnnguide.figures import plot_sequential

net = models.create("lenet")  # the blog's network: sigmoid, average pooling
plot_sequential(net, (1, 1, 28, 28))

# %% [markdown] en="8240bdd676bc"
# 第一个卷积在 28 × 28 图像的每一边各填充 2 个像素，因此其输出仍为 28 × 28（LeNet-5 的输入则是 32 × 32 的图像）。此后，每个 5 × 5 卷积使边长减少 4 个像素，每个池化层使边长减半：28 → 14 → 10 → 5。`summarize` 在每一层上挂一个钩子（hook），追踪同样的前向传播，并且还统计参数量和浮点运算次数：

# %%
from cnnguide.summary import summarize

summary = summarize(net, (1, 1, 28, 28))
summary

# %% [markdown] en="561f6d531e22"
# 参数和计算量都花在了哪里？

# %%
from cnnguide.tables import Table

rows = []
for label, kind in (("convolutions", "Conv2d"), ("dense layers", "Linear")):
    layers = [row for row in summary.rows if row.type == kind]
    params = sum(row.parameters for row in layers)
    flops = sum(row.flops for row in layers)
    rows.append((label, f"{params:,}", f"{params / summary.total_parameters:.1%}",
                 f"{flops:,}", f"{flops / summary.flops:.1%}"))
Table(("layers", "parameters", "share", "FLOPs", "share"), rows, align="lrrrr")

# %% [markdown] en="83db8d5f0b34"
# 卷积层用很少的权重完成了大部分计算（每个 5 × 5 卷积核在每个位置上重复使用），而全连接层持有几乎全部的权重——仅第一个全连接层就有 $400 \times 120 + 120 = 48{,}120$ 个——却只做很少的运算。[VGG](../11-vgg/) 保持了这种分工：它的三个全连接层仍然持有其大部分参数。用完全没有权重的全局平均池化取代全连接层，始于 Network in Network（Lin et al., 2013）和 GoogLeNet（[第 14 章](../14-googlenet/)）。
#
# ## 数据集
#
# Fashion-MNIST 与 MNIST 手写数字的格式相同——28 × 28 的灰度图像，60,000 张用于训练，10,000 张用于测试，共十个类别——但内容是服装，因此更难。`load_fashion_mnist` 把所有图像保存为一个 `uint8` 张量，并直接从中切出小批量，因此没有哪张图像会被解码两次。

# %%
from cnnguide.data import load_fashion_mnist, text_labels
from cnnguide.figures import image_grid

BATCH_SIZE, LR, EPOCHS = 256, 0.9, 10  # the book's recipe
train_iter, test_iter = load_fashion_mnist(BATCH_SIZE, device="cpu", seed=0)
X, y = next(iter(train_iter))
print("one batch:", tuple(X.shape), X.dtype, "| labels:", tuple(y.shape), y.dtype)
print("first labels:", text_labels(y[:4]))
print("training images per class:", train_iter.labels.bincount().tolist())
image_grid(X[:16], y[:16], title="Fashion-MNIST training images")

# %% [markdown] en="9dd26de10e89"
# ## 训练循环
#
# 博客使用 d2l 的 `train_ch6` 进行训练。我们的库保留了它的一个副本，与博客运行的版本完全一致，作为基线，供基准测试和测试用来衡量库自己的训练循环：

# %%
from cnnguide.train.blog_loop import train_ch6

show_source(train_ch6, docstring=False)

# %% [markdown] en="087c3b132c22"
# 它在交叉熵损失上运行普通的小批量 SGD，使用 Xavier 初始化的权重，并在一个 `Accumulator` 中累加损失和准确率。在 GPU 上，时间恰恰就耗在最后这一部分：`metric.add` 在每个批量之后都对损失和准确率调用 `float()`，而每次调用都让 CPU 一直等到 GPU 处理完该批量，Python 才能把下一个批量排入队列。
#
# `cnnguide.train.fit` 计算出的权重与之相同（有一个测试逐位检查这一点），但它把这些累加和作为张量保存在设备上，每轮只读取一次——或者为了绘制曲线，在一轮中的少数几个时刻读取：

# %%
from cnnguide.train.sums import EpochSums

show_source(EpochSums)

# %% [markdown] en="254d81d59b8a"
# 它还把整个数据集作为一个张量保存在训练设备上，以切片的方式切出批量，而不是在 `DataLoader` 的工作进程中逐张解码图像。循环之外的一切——打印、检查点、实时绘图——都是回调，因此 `fit` 本身保持简短。
#
# ## 训练博客的 LeNet：完整的训练方案
#
# 在全部 60,000 张图像上训练十轮，批量大小为 256，学习率为 0.9——共 2,350 步 SGD。曲线随训练过程实时绘制（在 notebook 中，`LivePlot` 会在每轮结束后重绘曲线），训练损失和训练准确率每轮取五个点，测试准确率则在每轮结束后在全部 10,000 张测试图像上计算。

# %%
import time

from cnnguide.figures import LivePlot
from cnnguide.train import fit

tic = time.perf_counter()
classic = models.create("lenet")
classic_history = fit(classic, train_iter, test_iter, EPOCHS, LR, device="cpu",
                      seed=0, callbacks=[LivePlot(title="The blog's LeNet")])
print(classic_history)
print(f"{time.perf_counter() - tic:.0f} s on this CPU")

# %% [markdown] en="c194991805b6"
# 曲线一开始是平的：有一段时间，训练损失停留在 $\ln 10 \approx 2.303$，即在十个类别上均匀猜测时的损失，准确率则接近 10 %，即随机猜测的准确率。随后损失开始下降，网络开始学习。这个平台期持续了多久，是测量出来的，而不是猜的：

# %%
import math

points = classic_history.points  # (epoch, train loss, train acc) tuples
stuck = [epoch for epoch, loss, _ in points if loss > math.log(10) - 0.05]
print(f"ln 10 = {math.log(10):.4f}")
print(f"points within 0.05 of ln 10: {len(stuck)} of {len(points)}, "
      f"the last at epoch {max(stuck, default=0):.1f}")
print("test accuracy by epoch:", [round(a, 3) for a in classic_history.test_acc])

# %% [markdown] en="c23328f8cba5"
# （每个点都是从该轮开始到此时为止的平均训练损失，因此曲线会稍稍滞后于网络的实际状态。）
#
# ## 为什么 sigmoid 版 LeNet 停留在随机水平
#
# 我们来看看训练开始之前的网络，使用的是 `fit` 起步时的权重（以 0 轮调用它只会初始化权重）。有两个数字能说明问题：十个输出分数在不同图像之间的变化有多大，以及每个权重层的梯度有多大。

# %%
from torch import nn

spread, grad_norms = {}, {}
for variant, label in (("classic", "sigmoid, average pooling (blog)"),
                       ("modern", "ReLU, max pooling, batch norm")):
    model = models.create("lenet", variant=variant)
    fit(model, train_iter, test_iter, 0, LR, device="cpu", seed=0)  # init only
    model.train()
    scores = model(X)
    nn.functional.cross_entropy(scores, y).backward()
    spread[label] = scores.std(dim=0).mean().item()  # across the 256 images
    grad_norms[label] = [m.weight.grad.norm().item() for m in model.modules()
                         if isinstance(m, (nn.Conv2d, nn.Linear))]
for label in spread:
    ratio = grad_norms[label][0] / grad_norms[label][-1]
    print(f"{label}:\n  scores vary across images by {spread[label]:.5f} (std)\n"
          f"  gradient norm, first conv / output layer: {ratio:.3g}")

# %%
from cnnguide.figures import gradient_norms_by_depth

gradient_norms_by_depth(grad_norms, title="LeNet at initialisation",
                        xlabel="weight layer (1 = first convolution, 5 = output layer)")

# %% [markdown] en="a71eb0b67edd"
# 在初始化时，博客的网络对每张图像给出的分数几乎完全相同。每个 sigmoid 都把输入映射到 0.5 附近的值，斜率至多为 $\tfrac14$，而平均池化又把仅剩的一点差异进一步抹平，所以等到图像到达输出层时，图像之间的差异已经缩小了几个数量级。梯度在反向传播时也以同样的方式缩小：图中的蓝线从输出层（右）向第一个卷积层（左）下降，而打印出的比值（第一个卷积层比输出层）对 sigmoid 网络来说远小于 1。
#
# 因此，SGD 唯一能快速学到的是与图像无关的东西：输出层的偏置，它们会收敛到各类别的频率——在类别均衡时，对应的损失就是 $\ln 10$。要做得更好，网络必须放大一个一开始极其微弱的信号，而每一步只能把它放大一点点。0.9 这样大的学习率让每一个梯度极小的步骤都能发挥作用；如果用 0.1 这样“正常”的学习率，每一步都会短九倍。现代变体具有相同的形状，但 ReLU（激活时斜率为 1）和批量归一化使信号的尺度在层与层之间保持不变，因此它的分数在训练之前就已经因图像而异。
#
# ## 相同的形状，现代的层
#
# `models.create("lenet", variant="modern")` 把 sigmoid 换成 ReLU，把平均池化换成最大池化，并在每个卷积层和隐藏全连接层之后加入批量归一化（[第 12 章](../12-batch-normalization/)会讲解它）。我们用与博客网络完全相同的方式训练它——相同的初始化种子，相同的图像按相同的顺序，相同的学习率 0.9——但只训练 2 轮，并与博客网络自己训练前 2 轮之后的结果进行比较。

# %%
from cnnguide.figures import plot_history

tic = time.perf_counter()
modern = models.create("lenet", variant="modern")
modern_history = fit(modern, train_iter, test_iter, 2, LR, device="cpu", seed=0)
print(f"{modern_history} ({time.perf_counter() - tic:.0f} s)")
plot_history(modern_history, recorded=classic_history, recorded_label="blog's LeNet",
             title="Modern LeNet (solid) against the blog's LeNet (dashed)")

# %%
def params(model):
    return f"{sum(p.numel() for p in model.parameters()):,}"

Table(("network", "parameters", "test acc, 2 epochs", "test acc, 10 epochs"),
      [("blog", params(classic), f"{classic_history.test_acc[1]:.3f}",
        f"{classic_history.test_acc[-1]:.3f}"),
       ("modern", params(modern), f"{modern_history.test_acc[-1]:.3f}", "not run")],
      align="lrrr")

# %% [markdown] en="4691da61bca2"
# 相同的数据、相同的学习率、相同的步数：请在表中比较两个网络训练 2 轮后的准确率。（现代变体的参数稍多一些，多出的是批量归一化的缩放和平移参数；偏置则少一些，因为批量归一化使它们变得多余。）
#
# ## 训练好的网络内部
#
# 从这里开始，我们只看现代网络。它对前 16 张测试图像的预测（错误的预测标为红色）：

# %%
from cnnguide.figures import prediction_grid
from cnnguide.metrics import predict

X_test, y_test = next(iter(test_iter))
prediction_grid(X_test[:16], y_test[:16], predict(modern, X_test[:16]))

# %% [markdown] en="04d021846742"
# 在全部 10,000 张测试图像上的混淆矩阵统计了每个真实类别（行）被预测为各个类别（列）的次数；最常见的三种错误打印在它的上方。

# %%
from cnnguide.figures import confusion_matrix_figure
from cnnguide.metrics import confusion_matrix

modern_cm = confusion_matrix(modern, test_iter)
mistakes = modern_cm.clone()
mistakes.fill_diagonal_(0)
for flat in mistakes.flatten().argsort(descending=True)[:3].tolist():
    true, pred = divmod(flat, 10)
    n = int(mistakes[true, pred])
    print(f"{n:4d} x {text_labels(true)!r} taken for {text_labels(pred)!r}")
confusion_matrix_figure(modern_cm)

# %% [markdown] en="26cc331f9600"
# 请看非对角线上的格子以及打印出的列表：在 Fashion-MNIST 上，错误通常集中在上衣类之间——T 恤、套头衫、外套和衬衫——在 28 × 28 像素下，它们只在领子或纽扣之类的细节上有所区别；而裤子、包和运动鞋则各有独特的形状。
#
# 卷积层计算的是什么？这里是一张测试图像以及两个卷积块的输出（经过批量归一化和 ReLU 之后）：第一个卷积块输出 6 张 28 × 28 的特征图，第二个卷积块输出 16 张 10 × 10 的特征图。

# %%
import torch

from cnnguide.figures import feature_map_grid

image = X_test[:1]
modern.eval()
with torch.no_grad():
    first = modern.features[:3](image)[0]  # conv → batch norm → ReLU
    second = modern.features[:7](image)[0]  # ... pool → conv → batch norm → ReLU
name = text_labels(y_test[0])
print(f"image: {name} | first block: {tuple(first.shape)} | "
      f"second block: {tuple(second.shape)}")
feature_map_grid(first, title=f"First convolution block on a test image ({name})", ncols=6)

# %% [markdown] en="6d7b4a388f62"
# 第一个卷积块的每张特征图都是用一个卷积核对图像滤波的结果：有的在服装的边缘处被点亮，有的在服装明亮或暗淡的区域被点亮（处处都暗的特征图，说明它的卷积核没有被这张图像激发）。第二个卷积块的特征图更粗糙，是第一个卷积块各响应的组合：

# %%
feature_map_grid(second, title="Second convolution block, same image", ncols=8)

# %% [markdown] en="5a346a773eed"
# 最后是训练之后第一个卷积层的六个 5 × 5 卷积核（红色：正权重，蓝色：负权重）。留意那些把正区域与负区域并排放置的卷积核：这是边缘检测器的模式，大多数训练好的图像网络的第一层都会变成这样。

# %%
from cnnguide.figures import kernel_grid

kernel_grid(modern.features[0], title="Learned first-layer kernels of the modern LeNet")

# %% [markdown] en="47cebe05b987"
# ## 在浏览器中运行的网络
#
# 在下面的画布上绘画（白底深色笔迹，与上面的图一样），或者选一张测试图像再添上几笔：页面运行的正是本章刚刚训练好的现代网络，其权重已导出到页面中，页面会显示每一层的输出以及十个类别的概率。试着画一只运动鞋。（没有 JavaScript 时，你看到的是静态图。）

# %%
from cnnguide.figures import live_lenet

live_lenet(modern, X_test[:8], y_test[:8])

# %% [markdown] en="0fd02218dcf7"
# ## 在 GPU 上运行训练方案
#
# 上面的运行使用的是书中完整的训练方案，因此它最终的测试准确率可以与 d2l 打印的结果放在一起比较：

# %%
from cnnguide.recipes import BOOK_ACCURACY, BOOK_SOURCE

print(f"this page, 10 epochs on a CPU: {classic_history.test_acc[-1]:.3f}")
print(f"d2l, quoted:                    {BOOK_ACCURACY['lenet']:.3f}")
print("source of the quote:", BOOK_SOURCE[:60], "...")

# %% [markdown] en="57716df78869"
# d2l 的数字来自在一块 GPU 上的一次运行，有它自己的随机初始化和数据打乱顺序，所以两者不必在小数点后第三位上一致。在 GPU 上，`scripts/reproduce.py` 会运行同样的训练方案，以测量库在 GPU 上的速度；一旦有了这样一次记录下来的运行，本页就会展示它。

# %%
from cnnguide.recorded import report_recorded

report_recorded("lenet")

# %% [markdown] en="62f9601f766a"
# ## 小结
#
# - LeNet 由两个“卷积 → 激活 → 池化”块和随后的三个全连接层组成：每边的像素数为 28 → 28 → 14 → 10 → 5，然后单元数为 400 → 120 → 84 → 10。它的卷积层完成了大部分计算，全连接层则持有 61,706 个参数中的大部分。
# - `cnnguide.train.fit` 按 d2l 的 `train_ch6` 的语义进行训练，但把数据保存在设备上，并且每轮只读取几次累计的损失和准确率，而不是在每个批量之后都读取。
# - 使用 sigmoid 和平均池化的 LeNet 从一个平台期起步：初始化时，它的输出几乎与图像无关，到达前几层的梯度也极小，所以它一直停留在随机水平（损失为 $\ln 10$），直到 SGD 把信号放大。这就是训练方案使用 0.9 这样大的学习率并训练 10 轮的原因。
# - 形状相同、但使用 ReLU、最大池化和批量归一化的网络，用同样的训练方案从最初几步就开始学习。
# - 查看训练好的网络内部——预测结果、混淆矩阵、特征图和第一层卷积核——可以看出它学到了什么、又在哪里出错：在这里是区分不同的上衣。
#
# ## 练习
#
# 1. 如果没有填充，第一个卷积会直接作用于 28 × 28 的图像。`net.features` 中每一层之后的边长分别是多少？第一个全连接层会有多少个输入？请使用 `cnnguide.ops.conv_output_size`。
#
#    <details><summary>答案</summary>
#    28 → 24（卷积）→ 12（池化）→ 8（卷积）→ 4（池化）：16 × 4 × 4 = 256 个输入，而不是 400 个。
#    </details>
#
# 2. 博客的 LeNet 在卷积层中有多少个参数？在全连接层中又有多少个？请手工核对上面的表格：一个 `Conv2d(c_in, c_out, 5)` 有 $25\,c_{in} c_{out} + c_{out}$ 个参数。
#
#    <details><summary>答案</summary>
#    卷积层：(25·1·6 + 6) + (25·6·16 + 16) = 156 + 2,416 = 2,572。全连接层：48,120 + 10,164 + 850 = 59,134。合计 61,706。
#    </details>
#
# 3. 完整的训练方案以 256 为批量大小、在 60,000 张图像上训练 10 轮，一共需要多少步 SGD（包括每轮最后那个较小的批量）？
#
#    <details><summary>答案</summary>
#    每轮 ⌈60,000 / 256⌉ = 235 个批量，总共 2,350 步。
#    </details>
#
# 4. 用学习率 0.1 代替 0.9，同样训练博客的 LeNet 10 轮。与上面的运行相比，最终的训练损失处于什么水平？请把它与平台期联系起来。
#
#    <details><summary>答案</summary>
#    这 10 轮中的大部分时间它都停留在平台期。在本站构建机器上的一次运行中（2026-12-07，种子 0，度量方式同上），50 个点中有 34 个落在 ln 10 的 0.05 以内，最后一个在第 6.8 轮；损失在第七轮离开平台期，最终为 1.11，测试准确率为 0.59，远远落后于上面的运行。每一步都短九倍，因此微弱的初始信号需要多得多的步数才能放大：平台期持续的时间约为上面那次运行的五倍（而不是九倍：逃离平台期所需的时间并不与步长成正比），留给学习的只剩三轮。
#    </details>
#
# 5. 现代变体去掉了后接批量归一化的那些层的偏置，但为每个通道增加了一个缩放参数和一个平移参数。它有多少个参数？请使用 `summarize`，并解释它与 61,706 之间的差异。
#
#    <details><summary>答案</summary>
#    61,932：批量归一化之前的四个层失去了 6 + 16 + 120 + 84 = 226 个偏置，又增加了 2 × 226 = 452 个缩放和平移参数，比 61,706 多 226 个。
#    </details>
