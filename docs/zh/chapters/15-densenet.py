# %% [markdown] en="701fa46e42b5"
# # 15. DenseNet：论文里很出色，实践中很少用
#
# [ResNet](../13-resnet/) 把每个块的输入*加*到它的输出上，从而使很深的网络也能训练。DenseNet（Huang、Liu、van der Maaten 和 Weinberger，*Densely connected convolutional networks*，2017）把这一思路又推进了一步：它不做加法，而是做**拼接**；也不是每个块只有一条捷径连接，而是把块中的每一层与它之后的每一层都连接起来。论文报告说，它以更少的参数达到了 ResNet 的准确率，并获得了 CVPR 2017 的最佳论文奖。然而，无论是作为骨干网络还是作为基线，ResNet 仍然是更常见的选择。本章构建 DenseNet，统计它的开销，然后测量它较少被选用的主要原因：内存。
#
# ## 用拼接代替相加
#
# 残差块计算 $x_{l+1} = x_l + f(x_l)$：输出的通道数与输入相同，块新计算出的特征通过求和混入原有的特征之中。稠密层则计算
#
# $$x_{l+1} = [\,x_l,\; f(x_l)\,],$$
#
# 即沿通道维的拼接：原有的通道原封不动地通过，$f$ 只新增 $k$ 个通道，其中 $k$ 称为**增长率**（growth rate）。因此，在稠密块中，第 $l$ 层看到的是块的输入*以及*它之前所有层的输出。这就是我们的 `DenseBlock` 的全部 `forward`：

# %%
from cnnguide.figures import show_source
from cnnguide.models.densenet import DenseBlock

show_source(DenseBlock.forward, docstring=False)

# %% [markdown] en="62df3b1ead9f"
# 比较一个 ResNet 基本块和一个含四层、$k = 32$ 的稠密块的形状，二者的输入都是 64 个通道：

# %%
import torch

from cnnguide.models.densenet import DenseBlock
from cnnguide.models.resnet import BasicBlock

x = torch.randn(2, 64, 24, 24)
residual = BasicBlock(64, 64)
dense = DenseBlock(num_layers=4, in_channels=64, growth_rate=32, bn_size=None)
count = lambda module: sum(p.numel() for p in module.parameters())  # noqa: E731
print(f"ResNet basic block:   {tuple(x.shape)} -> {tuple(residual(x).shape)}, "
      f"{count(residual):,} parameters")
print(f"dense block (4 x 32): {tuple(x.shape)} -> {tuple(dense(x).shape)}, "
      f"{count(dense):,} parameters")
for name, layer in dense.named_children():
    conv = layer.conv
    print(f"  {name}: reads {conv.in_channels} channels, adds {conv.out_channels}")

# %% [markdown] en="7b6b38ad1663"
# 残差块保持 64 个通道；稠密块则把通道数从 64 增加到 $64 + 4 \times 32 = 192$，而且它的每一层读入的输入都比前一层更宽。这里的层采用本书的设计：批量归一化、ReLU，然后是 3 × 3 卷积——即“预激活”顺序，因为每层的输入是来自不同层、尺度各不相同的特征图的拼接，首先要做的就是对它进行归一化。下图是根据该模块画出的块：

# %%
from cnnguide.figures import plot_dense_block

plot_dense_block(dense, (1, 64, 24, 24))

# %% [markdown] en="a8217aac003e"
# 沿主路径向下看：每一层（蓝色）计算 32 个新通道，每个红框把它们追加到所有已经到达这里的内容之后，因此箭头上标注的宽度按 64 → 96 → 128 → 160 → 192 增长，而高和宽保持 24 × 24 不变。右侧的线代表跳跃连接：进入块的内容，以及其后每一层的输出，都会到达之后的每一次拼接，因此块中先前计算出的任何东西都不会被丢弃。
#
# ## 增长率
#
# 设输入有 $c_0$ 个通道、增长率为 $k$，则块中第 $l$ 层之后的特征图有 $c_0 + l\,k$ 个通道。各层可以很窄——每层只新增 32 个通道，而 ResNet 的一个阶段有 64 到 512 个通道——因为按照论文的论证，每一层都可以复用已经计算出的全部特征，而不必重新推导它们。但各层的*输入*不断变宽：如果不踩刹车，一个很长的块最后会有数千个通道。
#
# ## 过渡层
#
# 这个刹车就是两个块之间的**过渡层**：批量归一化、ReLU、一个把通道数减半的 1 × 1 卷积（即论文中的压缩因子 0.5），以及一个把高和宽减半的 2 × 2 平均池化。

# %%
import torch

from cnnguide.models.densenet import Transition

transition = Transition(192, 96)
out = transition(torch.zeros(1, 192, 24, 24))
print(f"transition: (1, 192, 24, 24) -> {tuple(out.shape)}, "
      f"{sum(p.numel() for p in transition.parameters()):,} parameters")
print(f"            = 2·192 (batch norm) + 192·96 (1×1 weights) "
      f"= {2 * 192 + 192 * 96:,}")

# %% [markdown] en="904fd536dd1b"
# 本书的 DenseNet 与 ResNet 使用相同的起始层（stem）（步幅为 2 的 7 × 7 卷积、批量归一化、ReLU、步幅为 2 的 3 × 3 最大池化），接着是四个各含四层、$k = 32$ 的稠密块，除最后一个块外，每个块之后都有一个过渡层，最后是批量归一化和 ReLU、全局平均池化以及全连接分类器。挂在每一层和每个过渡层上的钩子（hook）测量了沿途的通道数（图中标出了每个块结束时的通道数和分辨率）：

# %%
from cnnguide import models
from cnnguide.figures import dense_channel_growth

dense_channel_growth(models.create("densenet_small", num_classes=10, in_channels=1),
                     (1, 1, 96, 96))

# %% [markdown] en="ea6974d291e4"
# 从左到右读图，每个点对应一层：蓝色的点在每个稠密层上升 32，红色的点（过渡层）则降为一半：64 → 192 → 96 → 224 → 112 → 240 → 120 → 248。标注给出了每个块结束时的通道数和分辨率，分辨率在每个过渡层处减半。标准的 ImageNet 模型 DenseNet-121 的各块分别有 6、12、24 和 16 层；它的层是“瓶颈”层（在 3 × 3 卷积之前先用一个 1 × 1 卷积变换到 $4k$ 个通道，以限制读取宽输入的开销）。它的通道数在每个块内增长得多：

# %%
from cnnguide import models
from cnnguide.figures import dense_channel_growth

dense_channel_growth(models.create("densenet121", num_classes=10, in_channels=1),
                     (1, 1, 96, 96))

# %% [markdown] en="fcc92edcef64"
# 同样是锯齿形，只是齿更长：第三个块分 24 步、每步 32 个通道，从 256 个通道爬升到 1,024 个通道，而每个过渡层都把块构建出的通道减半。
#
# ## 逐层看本书的 DenseNet
#
# 对一张 1 × 96 × 96 的 Fashion-MNIST 图像（FLOPs = 2 × MACs，统计卷积层和线性层）：

# %%
from cnnguide import models
from cnnguide.summary import summarize

net = models.create("densenet_small", num_classes=10, in_channels=1)
summarize(net, (1, 1, 96, 96))

# %% [markdown] en="7a4abe9f5a24"
# 该表列出的是网络的各个模块，因此以最后的批量归一化（`features.norm5`）和分类器结束：二者之间的 ReLU 和全局平均池化是 `DenseNet.forward` 中的函数调用（`F.relu`、`F.adaptive_avg_pool2d`），既没有参数，也没有乘加运算，所以不会增加总数。
#
# 参数不到一百万——ResNet-18 有一千一百多万个参数——而在这个输入尺寸下，MACs 还不到 ResNet-18 的 3.19 亿次的一半。在 ImageNet 的配置下（3 个通道、1,000 个类别），我们的 DenseNet-121 与 torchvision 的参数量完全相同，因为它以相同的名称使用了相同的模块（在 meta 设备上统计，那里不会为权重分配内存）：

# %%
import torch
import torchvision

from cnnguide import models

with torch.device("meta"):
    ours = models.create("densenet121", num_classes=1000, in_channels=3)
    theirs = torchvision.models.densenet121(weights=None)
    resnet18 = torchvision.models.resnet18(weights=None)
count = lambda net: sum(p.numel() for p in net.parameters())  # noqa: E731
print(f"cnnguide densenet121:    {count(ours):,} parameters")
print(f"torchvision densenet121: {count(theirs):,} parameters")
print(f"torchvision resnet18:    {count(resnet18):,} parameters")
assert count(ours) == count(theirs) == 7_978_856

# %% [markdown] en="35c27975b7f5"
# ## 简短地训练一下
#
# 完整的训练方案在 96 × 96 的尺寸上训练 10 轮（见下文）。本页只用 6,144 张上采样到 32 × 32 的图像，把本书的 DenseNet 训练简短的六轮，采用训练方案中的 Xavier 初始化、普通 SGD、批量大小 256 和学习率 0.1。起始层把边长缩小为原来的 1/4，三个过渡层各缩小一半，因此最后一个块作用在 1 × 1 的特征图上。Fashion-MNIST 原本的 28 × 28 行不通：起始层之后剩 7 × 7，过渡层之后依次剩 3 × 3 和 1 × 1，第三个过渡层的 2 × 2 池化就没有东西可以池化了。

# %%
import time

from cnnguide import data, models, train

EPOCHS = 6
densenet = models.create("densenet_small", num_classes=10, in_channels=1)
train_iter, test_iter = data.load_fashion_mnist(256, resize=32, device="cpu",
                                                train_size=6144, test_size=1000, seed=0)
tic = time.perf_counter()
history = train.fit(densenet, train_iter, test_iter, num_epochs=EPOCHS, lr=0.1,
                    device="cpu", seed=0, callbacks=[train.PrintEpochs()])
print(f"trained in {time.perf_counter() - tic:.1f} s ({EPOCHS * len(train_iter)} SGD "
      f"steps); test accuracy on the first {len(test_iter.labels):,} test images")

# %%
from cnnguide.figures import plot_history

plot_history(history, title="DenseNet (4 blocks of 4), 6 short epochs on a CPU "
                             "(6,144 images, 32×32)")

# %% [markdown] en="6729b7c8d216"
# 批量归一化使它能够直接用训练方案本身的设置来训练（对比 [GoogLeNet](../14-googlenet/)：它没有批量归一化，本页为它改动了初始化方法和优化器）；左图的训练损失和右图的训练准确率从第一轮起就体现了这一点（二者都是本轮到目前为止的平均值，每轮五个点，每轮开始时重新计算）。测试准确率，即右图中的另一条曲线，是在评估模式下测量的；在评估模式下，批量归一化使用批量统计量的滑动平均，而不是当前批量自身的统计量。每个训练步都把滑动平均向当前批量的统计量移动十分之一，因此它们主要记住的是最近十个左右的批量；而在学习率 0.1 下，权重从一个批量到下一个批量仍然变化很大。于是，滑动平均描述的是一个与正在评估的网络略有不同的网络，所以在最初几轮中，测试准确率可能落后于训练准确率，或者在相邻的轮之间大幅摆动（对比上面打印的两列；[批量归一化一章](../12-batch-normalization/)在 LeNet 上测量了这一效应）。更大的批量（这里是训练方案中的 256）能让每一步和滑动平均都更平稳。下面记录的 GPU 运行步数要多得多，那才是真正的测量结果。
#
# ## 它较少被选用的原因：内存
#
# 训练时占满内存的并不是参数。为了反向传播，autograd 会为每个运算保存其求导所需的张量——每个卷积和每个批量归一化的输入、每个 ReLU 的输出——直到 `backward()` 用完它们为止。在稠密块中，每一层都以对其*拼接后*的输入做批量归一化开始，因此每一层都保存着它之前全部特征的一份自己的副本：一个块的内存随层数的平方增长，尽管它的参数只随层数线性增长。
#
# `cnnguide.memory.training_step_cost` 测量的就是这一点。它在 `torch.autograd.graph.saved_tensors_hooks` 下运行一次训练模式的前向传播，把 autograd 为反向传播保存的每个不同存储（storage）的字节数加起来，不计参数和批量归一化的缓冲区（两个共享内存的已保存张量，例如原地 ReLU 的输出和下一层的输入，只计一次）。这就是一个训练步在峰值时必须保留的激活内存，还不包括梯度和优化器状态。它还统计前向传播的 MACs，并在本页的 CPU 上为一次前向加反向传播计时。下面是 ResNet-18、DenseNet-121（参数比 ResNet-18 少）和本书的 DenseNet 在一批两张 64 × 64 图像上的结果：

# %%
from cnnguide import models
from cnnguide.memory import training_step_cost

costs = {}
for name in ("resnet18", "densenet121", "densenet_small"):
    net = models.create(name, num_classes=10, in_channels=1)
    costs[name] = c = training_step_cost(net, (2, 1, 64, 64), repeats=1)
    print(f"{name}: {c.parameters / 1e6:.2f} M parameters, "
          f"{c.saved_bytes_per_image / 1e6:.2f} MB saved per image,")
    print(f"    {c.macs / 1e6:.0f} M MACs, "
          f"{c.seconds_per_image * 1e3:.1f} ms forward+backward per image")
res, dense = costs["resnet18"], costs["densenet121"]
print(f"densenet121 / resnet18: {dense.parameters / res.parameters:.2f} x the "
      f"parameters, {dense.saved_bytes / res.saved_bytes:.1f} x the saved activations,")
print(f"    {dense.macs / res.macs:.2f} x the MACs, "
      f"{dense.seconds / res.seconds:.1f} x the time")
small = costs["densenet_small"]
print(f"densenet_small / resnet18: {small.parameters / res.parameters:.2f} x the "
      f"parameters, {small.saved_bytes / res.saved_bytes:.1f} x the saved activations")

# %%
from cnnguide.figures import step_cost_bars

step_cost_bars(costs)

# %% [markdown] en="aee271162a76"
# 四个子图在每项指标上把三个网络并排比较。DenseNet-121 的参数约为 ResNet-18 的三分之二，但每张图像保存的激活内存却是它的数倍（第二个子图），因此一块 GPU 能容纳的批量要小好几倍。它每张图像的计算量也更大（第三个子图）。每张图像的时间（第四个子图）是在共享的 CPU 上只测量一次得到的，因此只是一个粗略的参考，每次构建都会有所不同，不像内存和 MAC 计数那样确定。时间还花在了 MAC 计数没有计入的工作上：拼接以及对越来越宽的输入做的批量归一化要搬运大量内存，计算量却很小，而在 GPU 上，搬运数据往往才是较慢的部分。本书的小型 DenseNet 是极端情况：参数只有 ResNet-18 的十五分之一，保存的激活却更多。
#
# 内存也可以用时间换回来：“内存高效”的 DenseNet（Pleiss 等，2017；torchvision 的 `memory_efficient=True`）在反向传播时重新计算每层的拼接和批量归一化，而不是把它们存下来，这会让训练变得更慢。无论哪种方式，ResNet 训练起来都更简单、更快、更节省资源，大多数检测和分割的骨干网络以及围绕它们的工具链，都是在 ResNet 的基础上构建的。DenseNet 留下的持久思想——通过拼接实现特征复用、使用窄层——在以更克制的方式借鉴它们的架构中得以延续。
#
# ## 在 GPU 上运行完整训练方案
#
# 本书的训练方案——用全部 60,000 张 96 × 96 的图像训练 10 轮，普通 SGD，学习率 0.1，批量大小 256，Xavier 初始化——由 `scripts/reproduce.py` 记录到 `docs/recorded/densenet_small.json` 中，该文件存在时会显示在这里：

# %%
from cnnguide.recorded import report_recorded

report_recorded("densenet_small")

# %% [markdown] en="6edf222bc469"
# ## 小结
#
# - 稠密层把它的 $k$ 个新通道（增长率）拼接到输入上，而不是与输入相加，因此块中第 $l$ 层读入 $c_0 + (l - 1)\,k$ 个通道：即块中在它之前计算出的全部内容。
# - 过渡层（批量归一化、ReLU、1 × 1 卷积、2 × 2 平均池化）在块与块之间把通道数和分辨率减半。
# - 本书的 DenseNet 参数不到一百万；DenseNet-121 有 7,978,856 个参数，少于 ResNet-18 的 1170 万。
# - 参数量不等于内存：由于每一层都为反向传播保存自己拼接后的输入，DenseNet-121 每张图像保存的激活是 ResNet-18 的数倍（见上文的测量），计算量也更大——这正是它较少被选用的主要原因。
# - 训练步中保存的激活内存可以用 `torch.autograd.graph.saved_tensors_hooks` 精确测量；决定 GPU 上能容纳多大批量的是它，而不是参数量。
#
# ## 练习
#
# 1. 跟踪 DenseNet-121 中的通道数（起始层之后有 64 个通道；各块分别有 6、12、24 和 16 层，增长率为 32；每个过渡层减半）。每个块输出多少个通道？有多少个通道到达分类器？
#
#     <details><summary>答案</summary>
#
#     第 1 个块：$64 + 6 \cdot 32 = 256$，减半为 128；第 2 个块：$128 + 12 \cdot 32 = 512$，减半为 256；第 3 个块：$256 + 24 \cdot 32$ = 1,024，减半为 512；第 4 个块：$512 + 16 \cdot 32$ = 1,024，分类器在全局平均池化之后读入这些通道。
#
#     </details>
#
# 2. DenseNet-121 第一个块的最后一层读入 $64 + 5 \cdot 32$ 个通道。这个 `DenseLayer`（带瓶颈，`bn_size=4`）有多少个参数？
#
#     <details><summary>答案</summary>
#
#     它读入 224 个通道：一个有 $2 \cdot 224$ 个参数的批量归一化，一个输出 $4 \cdot 32 = 128$ 个通道的 1 × 1 卷积（$224 \cdot 128$ 个权重），一个有 $2 \cdot 128$ 个参数的批量归一化，以及一个输出 32 个通道的 3 × 3 卷积（$128 \cdot 32 \cdot 9$）：448 + 28,672 + 256 + 36,864 = 66,240。
#
#     </details>
#
# 3. DenseNet-121 中的 121 是怎么来的？数一数它的卷积层和线性层。
#
#     <details><summary>答案</summary>
#
#     120 个卷积层和 1 个线性层：起始层的 1 个卷积，$6 + 12 + 24 + 16 = 58$ 个瓶颈层中每层 2 个（共 116 个），以及过渡层中的 3 个，$1 + 116 + 3 = 120$，再加上分类器。
#
#     </details>
#
# 4. 在本章的稠密块中（输入 64 个通道，4 层，增长率 32，作用于 24 × 24 的特征图），每一层的批量归一化都为反向传播保存它的输入。这四个输入一共有多少个值？块的输出有多少个值？如果是 16 层而不是 4 层呢？
#
#     <details><summary>答案</summary>
#
#     各层分别读入 64、96、128 和 160 个通道：共 448 张特征图，每张 576 个值，合计 258,048 个值，而 192 通道的输出有 110,592 个值，前者是后者的 2.33 倍。若有 16 层，它们读入 $16 \cdot 64 + 32 \cdot (0 + 1 +
#     \dots + 15)$ = 4,864 张特征图，共 2,801,664 个值，而 576 通道的输出有 331,776 个值，是 8.44 倍：保存的输入随层数的平方增长，而输出只是线性增长。
#
#     </details>
