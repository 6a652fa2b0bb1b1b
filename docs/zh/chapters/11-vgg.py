# %% [markdown] en="4c9cb508f6ae"
# # 11. VGG：由同一个块重复搭成的网络
#
# [LeNet](../10-lenet/) 是逐层设计出来的：这里放一个 5 × 5 卷积，那里放一个池化，各层尺寸都靠手工挑选。2014 年，牛津大学视觉几何组（Visual Geometry Group）的 Karen Simonyan 和 Andrew Zisserman 提出了一个更简单的问题：如果整个卷积部分只是*重复同一个块*，而深度是唯一需要调大的东西，结果会怎样？他们的网络 VGG-11 到 VGG-19 在当年 ImageNet 竞赛（ILSVRC 2014）的分类任务中获得第二名，仅次于 [GoogLeNet](../14-googlenet/)，并确立了此后大多数网络所遵循的模式：以块为单位来思考，而不是以层为单位。
#
# 本章先搭建这个块，计算它为什么只用 3 × 3 卷积核，统计整个家族的参数量和运算量，在本页上真正训练一个小型 VGG，然后观察它的卷积核对什么有响应——以及那些对什么都没有响应的卷积核。
#
# ## VGG 块
#
# 一个 VGG 块由几个填充为 1 的 3 × 3 卷积组成，每个卷积后接一个 ReLU，最后是一个步幅为 2 的 2 × 2 最大池化。填充使卷积保持高和宽不变（3 × 3 卷积核加填充 1 得到 $n - 3 + 2 + 1 = n$，见[填充和步幅](../03-padding-and-stride/)），所以只有池化会改变尺寸：每个块都把分辨率减半。`cnnguide.models.vgg.vgg_block` 用来构建一个块，下面是它的代码（不含文档字符串）：

# %%
from cnnguide.figures import show_source
from cnnguide.models.vgg import vgg_block

show_source(vgg_block, docstring=False)

# %% [markdown] en="d009e1d1710e"
# 以一个含两个卷积、通道数从 64 变为 128 的块为例，作用在 56 × 56 的输入上，逐层来看：

# %%
import torch

from cnnguide.models.vgg import vgg_block

block = vgg_block(num_convs=2, in_channels=64, out_channels=128)
x = torch.zeros(1, 64, 56, 56)
for index, layer in enumerate(block):
    x = layer(x)
    print(f"{index}: {layer.__class__.__name__:10s} -> {tuple(x.shape)}")

# %% [markdown] en="59b195896f6e"
# 下面是直接由模块本身画出的同一个块（方框下方的形状来自一次前向传播）：两个卷积只改变通道数，从 64 变为 128；最后一个方框是池化，它把高和宽减半。

# %%
from cnnguide.figures import plot_vgg_block

plot_vgg_block(block, (1, 64, 56, 56))

# %% [markdown] en="16832bc21ffd"
# ## 为什么只用 3 × 3？
#
# 两个堆叠的 3 × 3 卷积能看到输入上 5 × 5 的窗口，三个堆叠则能看到 7 × 7（每一层都让[感受野](../09-receptive-field/)增加 $k - 1 = 2$ 个像素）。输入和输出都有 $C$ 个通道时，一个 $k \times k$ 的层有 $k^2 C^2$ 个权重，因此这些堆叠的代价是
#
# $$ 2 \cdot 9 C^2 = 18 C^2 \ \text{vs}\ 25 C^2, \qquad 3 \cdot 9 C^2 = 27 C^2 \ \text{vs}\ 49 C^2 . $$
#
# 让代码按 VGG 实际使用的几种宽度来数一数，并用第 9 章的递推公式验证感受野：

# %%
from cnnguide.ops import conv_param_count, receptive_field

for C in (64, 256, 512):
    for n, k in ((2, 5), (3, 7)):
        assert receptive_field([(3, 1)] * n) == receptive_field([(k, 1)]) == k
        stack = n * conv_param_count(C, C, 3, bias=False)
        single = conv_param_count(C, C, k, bias=False)
        print(f"C = {C}: {n} × 3×3 = {stack:,} ({stack // C**2} C²), "
              f"one {k}×{k} = {single:,} ({single // C**2} C²), "
              f"saves {1 - stack / single:.0%}")

# %% [markdown] en="99cab16ab477"
# 三个 3 × 3 层与一个 7 × 7 层看得一样远，权重却少 45%；而且它们之间还多了两个 ReLU，所以它们计算的函数比任何单层的函数都更加非线性。用小卷积核，而且用很多个：这就是全部的思想。
#
# ## VGG 家族
#
# 一个 VGG 网络由五个块组成，通道数按 64 → 128 → 256 → 512 逐块翻倍，然后保持在 512，之后是三个全连接层（4096、4096、类别数）。家族成员之间唯一的区别是每个块包含几个卷积，因此 `VGG_CONFIGS` 就是全部的定义：

# %%
from cnnguide.models.vgg import VGG_CONFIGS

print("channels of the five blocks, in every member:",
      [c for _, c in VGG_CONFIGS["vgg11"]])
for name, config in VGG_CONFIGS.items():
    assert [c for _, c in config] == [c for _, c in VGG_CONFIGS["vgg11"]]
    convs = [n for n, _ in config]
    print(f"{name}: convolutions per block {convs} -> "
          f"{sum(convs)} conv + 3 linear = {sum(convs) + 3} layers")

# %% [markdown] en="f97c3cb27b52"
# 在 ImageNet 的配置下（3 个颜色通道、224 × 224 像素、1,000 个类别），参数量和运算量由 `cnnguide.summary.summarize` 统计。与本系列其他各处一样，**FLOPs 把一次乘加运算算作两次运算**（FLOPs = 2 × MACs，只统计卷积层和线性层）；论文和模型库常常以同一个名字给出乘加次数，即这里数字的一半。这些网络构建在 PyTorch 的 `meta` 设备上，该设备只赋予张量形状而不分配内存，所以统计 VGG-19 的 1.44 亿个参数只需几毫秒：

# %%
import torch

from cnnguide import models
from cnnguide.summary import format_count, summarize

with torch.device("meta"):
    family = {name: models.create(name, num_classes=1000, in_channels=3)
              for name in VGG_CONFIGS}

print(f"{'model':6s} {'parameters':>12s}  {'in the 3 linear layers':>22s}  "
      f"{'FLOPs per 224x224 image':>23s}")
for name, net in family.items():
    s = summarize(net, (1, 3, 224, 224), device="meta")
    linear = sum(p.numel() for p in net.classifier.parameters())
    print(f"{name:6s} {s.total_parameters:>12,}  {linear / s.total_parameters:>22.0%}  "
          f"{format_count(s.flops):>23s}")

# %%
from cnnguide.figures import parameter_count_bars

parameter_count_bars(family, title="VGG at ImageNet size (3×224×224, 1000 classes)",
                     log=False)

# %% [markdown] en="fd9c25c7b670"
# 四根柱子几乎一样长：增加深度在参数量上几乎没有代价。从 8 个卷积增加到 16 个，只在 VGG-11 的 1.33 亿个参数之上多了 1100 万个，因为每个成员都有 86–93% 的参数位于三个全连接层中——仅第一个全连接层就有 $512 \cdot 7 \cdot 7
# \times 4096$ 个权重，即 1.03 亿个。但深度在计算量上并非没有代价：几乎所有的算术运算都由卷积完成，VGG-19 所需的 FLOPs 是 VGG-11 的两倍多（上面输出的最后一列）。GoogLeNet 是 VGG 在同一届 2014 年竞赛中的对手，它舍弃了这些庞大的线性层：它以全局平均池化结尾，这一想法取自 *Network in Network*（Lin、Chen 和 Yan，2013），[ResNet](../13-resnet/)（2015）也沿用了它。
#
# ## 用于 Fashion-MNIST 的 VGG-11
#
# d2l 一书在 Fashion-MNIST 上训练 VGG-11 时，把每个块的宽度都缩小为四分之一（16、32、64、128、128 个通道；宽 4096 的线性层保持不变），输入是单个灰度通道，从 28 × 28 上采样到 224 × 224，使五次减半后正好得到 7 × 7。对应的选项是 `width_multiplier=0.25`；下表列出了每一层：

# %%
from cnnguide import models
from cnnguide.summary import summarize

net = models.create("vgg11", num_classes=10, in_channels=1, width_multiplier=0.25)
summarize(net, (1, 1, 224, 224))

# %% [markdown] en="3efca0b0d531"
# 即使宽度只有四分之一，224 × 224 的输入也使它成为每张图像约 10 亿次 FLOPs 的网络（见表格最后一行），而它的 4300 万个参数中有 4200 万个属于那两个大的线性层。一轮要对 60,000 张这样的图像做前向和反向传播：这是 GPU 的活儿。完整的训练方案——10 轮、学习率 0.05 的普通 SGD、批量大小 128——通过 `scripts/reproduce.py` 运行（见本页末尾和[结果](../../results/)）。
#
# ## 在本页上训练一个小型 VGG
#
# 本页是在 CPU 上构建的，所以这里真正训练的是同一家族中一个更小的成员：三个 VGG 块（16、32 和 64 个通道），作用在原始的 28 × 28 图像上，分类器宽 128。`VGG` 类接受任意由 `(num_convs, channels)` 块组成的列表。为什么不直接用四分之一宽度的 VGG-11 本身，并取它五次减半所允许的最小尺寸（32 × 32）呢？数一数每张图像的计算量：

# %%
from cnnguide import models
from cnnguide.models.vgg import VGG
from cnnguide.summary import format_count, summarize

small_vgg = VGG(((1, 16), (1, 32), (2, 64)), num_classes=10, in_channels=1,
                hidden_features=128)
vgg11 = models.create("vgg11", num_classes=10, in_channels=1, width_multiplier=0.25)
small, big = summarize(small_vgg, (1, 1, 28, 28)), summarize(vgg11, (1, 1, 32, 32))
in_linear = sum(row.flops for row in big.rows if row.type == "Linear") / big.flops
print(f"small VGG at 28x28:   {small.total_parameters:>10,} parameters, "
      f"{format_count(small.flops)}FLOPs per image")
print(f"VGG-11 (¼) at 32x32: {big.total_parameters:>10,} parameters, "
      f"{format_count(big.flops)}FLOPs per image")
print(f"VGG-11 needs {big.flops / small.flops:.0f} times the FLOPs, "
      f"{in_linear:.0%} of them in its linear layers")

# %% [markdown] en="279679cf5a71"
# 在 32 × 32 下，VGG-11 的卷积已经没有多少工作可做，但它的分类器并不会缩小：自适应池化总是交给它 7 × 7 的特征图，所以两个宽 4096 的层的开销与在 224 × 224 下一样。在共享的 CPU 上，在构建一个页面所能花的几分钟里，它能见到的图像太少，学不到多少东西。下面的小型 VGG 在 15,000 张训练图像（训练集的四分之一）上训练四轮，小批量大小为 32，采用训练方案中的普通 SGD 和 Xavier 初始化，学习率为 0.1——也就是书中的方法，只是步数更少、小批量更小，学习率是书中的两倍。

# %%
import math
import time

from cnnguide import data, train
from cnnguide.recipes import get_recipe

train_iter, test_iter = data.load_fashion_mnist(32, device="cpu", train_size=15000,
                                                test_size=1000, seed=0)
recipe = get_recipe("vgg11")
recipe_steps = recipe.epochs * math.ceil(60_000 / recipe.batch_size)
print(f"{len(train_iter)} batches per epoch, {4 * len(train_iter):,} steps "
      f"(the full recipe: {recipe_steps:,}); {len(test_iter.labels):,} test images")
tic = time.perf_counter()
history = train.fit(small_vgg, train_iter, test_iter, num_epochs=4, lr=0.1,
                    device="cpu", seed=0, callbacks=[train.PrintEpochs()])
print(f"trained in {time.perf_counter() - tic:.1f} s")

# %%
from cnnguide.figures import plot_history

plot_history(history, title="Small VGG, 4 epochs on a CPU (15,000 images, 28×28)")

# %% [markdown] en="7168ca7774f9"
# 左图是训练损失，右图是训练准确率以及网络从未见过的 1,000 张测试图像上的准确率。训练曲线每轮经过五个点，每个点都是本轮到此为止的平均值，所以每一轮的曲线都重新开始（这就是每个轮次边界之后紧接着出现下降的原因：新的平均值不再包含较差的早期批量）；测试准确率在每轮结束时测量一次。随机猜测的准确率是 0.10；网络最终比它高出多少，就看上面打印的最后一个测试准确率。完整的训练方案要在全部 60,000 张 224 × 224 图像上走多得多的步数（其结果在本页末尾），但它运行的是相同的块、相同的损失和相同的训练循环。
#
# 如果训练准确率低于测试准确率，原因有两个：一是它是在网络仍在改进的过程中对每一轮取的平均；二是它是在开启 dropout 的情况下测得的，dropout 在每一步都让分类器一半的隐藏单元沉默；而测试时会关闭 dropout。
#
# ## 卷积核对什么有响应
#
# 让一张测试图像依次通过训练好的网络中的各个块，并查看每个块的输出：每个块处理的分辨率是前一个块的一半，通道数则更多。每行最后的数字统计的是：对这张图像而言，在每个位置上都为零的特征图有多少个：

# %%
import torch

from cnnguide import data

image, label = next(iter(test_iter))
x = image[:1]
print("image class:", data.text_labels(label[0]))
small_vgg.eval()
maps = []
with torch.no_grad():
    for block in small_vgg.features:
        x = block(x)
        maps.append(x[0])
        silent = int((x[0].flatten(1).amax(dim=1) == 0).sum())
        print(f"after block {len(maps)}: {tuple(x.shape[1:])}, "
              f"{silent} of {x.shape[1]} maps all zero")

# %% [markdown] en="bbf23cab7dac"
# 一个特征图在某张图像上为零，可能是因为它的卷积核所寻找的模式不在这张图像中。但 ReLU 单元也可能是**死亡**的：它的输入在*每一张*图像的每个位置上都为负，所以它的输出始终为零。死亡单元也会停止学习。ReLU 的导数在输入为负的地方都是 0，所以没有梯度能到达它前面的卷积核和偏置；而普通 SGD 只沿梯度方向移动权重，于是它们保持原样。在第一层，输入就是图像本身，因此在每张训练图像上都死亡的单元将永远死亡。在网络更深处，死亡单元的卷积核同样被冻结，但它的输入是下面各层的输出，这些层仍在学习，它们可以让它重新活过来。
#
# 为了区分这两种情况，让全部 1,000 张测试图像通过网络，并为每个 ReLU 的每个通道记录它的最大输出。最大输出为 0 的通道在整个测试集上都是死亡的。在初始权重上做同样的统计（用相同的种子调用 `fit` 训练 0 轮只会初始化网络，与训练时完全一样），就能知道这些单元是否从一开始就是死亡的：

# %%
import torch
from torch import nn

from cnnguide import train
from cnnguide.models.vgg import VGG


def relu_peaks(net, data_iter):
    """The largest output of every channel of every ReLU in net.features."""
    peaks = {}
    net.eval()
    with torch.no_grad():
        for X, _ in data_iter:
            for b, block in enumerate(net.features, start=1):
                for i, layer in enumerate(block):
                    X = layer(X)
                    if isinstance(layer, nn.ReLU):  # after conv i // 2 + 1 of block b
                        key, peak = f"block {b}, conv {i // 2 + 1}", X.amax((0, 2, 3))
                        peaks[key] = torch.maximum(peaks.get(key, peak), peak)
    return peaks


initial = VGG(((1, 16), (1, 32), (2, 64)), num_classes=10, in_channels=1,
              hidden_features=128)
train.fit(initial, train_iter, test_iter, num_epochs=0, lr=0.1, device="cpu", seed=0)
after, before = relu_peaks(small_vgg, test_iter), relu_peaks(initial, test_iter)
print(f"dead units on the {len(test_iter.labels):,} test images")
for key in after:
    n_after, n_before = int((after[key] == 0).sum()), int((before[key] == 0).sum())
    print(f"  {key}: {n_after:2d} of {len(after[key])} after training, "
          f"{n_before:2d} at initialisation")

dead = after["block 1, conv 1"] == 0
w, w0 = small_vgg.features[0][0].weight, initial.features[0][0].weight
moved = (w - w0).abs().amax(dim=(1, 2, 3))
print("block 1, largest change of any weight of a kernel during training:")
print("  dead units:", [round(v, 3) for v in moved[dead].tolist()])
print(f"  live units: {moved[~dead].min():.3f} to {moved[~dead].max():.3f}")
print(f"  mean |weight| of the kernels: dead {w[dead].abs().mean():.3f}, "
      f"live {w[~dead].abs().mean():.3f}")

# %% [markdown] en="1c8b24f9a06c"
# 打印出的计数逐层给出训练后有多少单元是死亡的，以及在第一步之前就已经死亡的有多少（在较深的层中，两者不一定是同一批单元）。最后几行说明第一层的卷积核移动了多远。从第一步起就在每张训练图像上都死亡的单元从未收到过梯度，所以它的卷积核完全没有移动（变化恰好为 0）；后来才死亡的单元保留了它活着时所做的改变，此后就再也没有移动过。死亡单元是 ReLU 最广为人知的弱点。一次较大的更新可能把某个单元的偏置和权重推到很负的值，使它再也不会被激活，这就是学习率过高会杀死大量单元的原因。常见的补救办法有：更小的学习率；对负输入带有小斜率的激活函数（leaky ReLU；ReLU 本身见[激活函数](../06-activation-functions/)）；或者批量归一化（[下一章](../12-batch-normalization/)），它在每个批量上都把每个单元的输入重新中心化。死亡单元照样消耗算术运算，却毫无贡献：一个有一半单元死亡的层，计算起来就像一个宽度只有一半的层。
#
# 在死亡单元和繁忙单元之间，还有很少被激活的单元。对第一层的每个单元，统计它在图像任意位置被激活的测试图像所占的比例：

# %%
import torch

first_layer = small_vgg.features[0][:2]  # the first convolution and its ReLU
with torch.no_grad():
    fires = torch.cat([first_layer(X).amax(dim=(2, 3)) > 0 for X, _ in test_iter])
share = fires.float().mean(dim=0).tolist()
for start in (0, 8):
    values = " ".join(f"{v:4.2f}" for v in share[start:start + 8])
    print(f"ch {start:2d}-{start + 7:2d}: {values}")

# %% [markdown] en="d8b415513876"
# 比例为 0 的是死亡单元，为 1 的是在每张图像上都会被激活的单元。只在少数图像上被激活的单元只能从这些图像获得梯度，所以学得很慢，它的特征图在大多数图像上都是暗的。下面是这张测试图像在第一个块中的 16 个特征图，其中在整个测试集上都死亡的单元已被标出：

# %%
from cnnguide.figures import feature_map_grid

labels = [f"ch {c}" + (" dead" if dead[c] else "") for c in range(16)]
size = "×".join(map(str, maps[0].shape[1:]))
feature_map_grid(maps[0], title=f"Block 1: 16 maps, {size}", max_maps=16, labels=labels)

# %% [markdown] en="638ea140b1d0"
# 每个子图都有自己的色标，所以处处为零的特征图就是一个均匀的暗色方块。活着的特征图仍然能认出是那件衣物的图像，各自强调不同的东西：它的轮廓、它的明亮区域，或者它周围的暗色背景。（在一个黑色像素及其同样黑色的邻域上，单元只输出它的偏置，所以在背景上明亮的特征图来自偏置为正的单元。）在这里是暗的、但没有标为死亡的特征图，属于确实会被激活的单元，只是在别的图像上。第三个块的特征图，大小为 3 × 3 像素：

# %%
from cnnguide.figures import feature_map_grid

size = "×".join(map(str, maps[2].shape[1:]))
feature_map_grid(maps[2], title=f"Block 3: the first 16 of 64 maps, {size}",
                 max_maps=16)

# %% [markdown] en="a3ef7ce205b8"
# 在这个分辨率下，特征图已经画不出衣物了。它的 9 个格子中，每一个都能看到图像的很大一部分（感受野随着每一层而增大），一个亮的格子表示该单元的模式出现在对应的区域中。下面是生成第一个块的特征图的那些卷积核：

# %%
from cnnguide.figures import kernel_grid

kernel_grid(small_vgg.features[0][0], title="Block 1: the 16 learned 3×3 kernels")

# %% [markdown] en="3b5a52cc1679"
# 所有子图共用一个色标，红色表示正权重，蓝色表示负权重，所以卷积核之间可以直接比较。如果一个卷积核一侧红、另一侧蓝，它就对该方向上的亮度变化（即边缘）有响应。如果它基本上只有一种颜色，它就对亮（红色）或暗（蓝色）本身有响应。死亡单元的卷积核在单元死亡时就停止了变化；上面打印的平均绝对权重说明它们是否也正是那些颜色较浅、仍接近其较小随机初始值的卷积核。活着的单元中颜色较浅的卷积核，通常属于很少被激活的单元（见上面打印的比例）：它们可供学习的图像很少。
#
# ## 在 GPU 上运行完整的训练方案
#
# 书中的训练——四分之一宽度的 VGG-11、224 × 224 输入、10 轮、学习率 0.05 的普通 SGD、批量大小 128、Xavier 初始化——由 `scripts/reproduce.py` 记录到 `docs/recorded/vgg11.json` 中，该文件存在时，本页就会展示它：

# %%
from cnnguide.recorded import report_recorded

report_recorded("vgg11")

# %% [markdown] en="3e54a494275a"
# ## 小结
#
# - 一个 VGG 块由 $n$ 个带 ReLU 的 3 × 3 卷积（填充为 1）组成，之后是一个步幅为 2 的 2 × 2 最大池化：卷积保持尺寸不变，池化把尺寸减半。
# - 堆叠的 3 × 3 卷积核能看到与一个大卷积核同样远的范围，权重却更少（对 5 × 5 是 $18C^2$ 对 $25C^2$，对 7 × 7 是 $27C^2$ 对 $49C^2$），非线性也更强。
# - VGG-11 到 VGG-19 的区别只在于每个块中卷积的个数；在 ImageNet 规模下，每个成员都有 1.33 亿～1.44 亿个参数，其中 86–93% 位于三个全连接层中，而算术运算则由卷积完成。
# - d2l 的训练方案在 224 × 224 的 Fashion-MNIST 上训练四分之一宽度的 VGG-11：每张图像约 10 亿次 FLOPs（每次乘加运算算作两次），是 GPU 的活儿；在 CPU 上，用同一个 `vgg_block` 搭成的三块 VGG 几轮之内就能学会这个任务。
# - 如果一个 ReLU 单元的输入在每张图像上都为负，它就是死亡的：它输出零，也收不到梯度，所以普通 SGD 永远无法让它复活。在解读特征图之前，先数一数这样的单元。
# - 接下来：[批量归一化](../12-batch-normalization/)让这样的深层堆叠训练得更快，而 [ResNet](../13-resnet/) 则让超过几十层的堆叠得以训练。
#
# ## 练习
#
# 1. 四个堆叠的 3 × 3 卷积（填充为 1，输入输出都是 $C$ 个通道，无偏置）对比一个 9 × 9 卷积：用 `receptive_field` 验证它们看到的窗口相同，并在 $C = 512$ 时用 `conv_param_count` 分别统计两者的参数量。这个堆叠节省了多大比例的权重？
#
#     <details><summary>答案</summary>
#
#     `receptive_field([(3, 1)] * 4)` 等于 9，正是一个 9 × 9 层的窗口。堆叠有 $4 \cdot 9 C^2 = 36 C^2$ 个权重，在 $C = 512$ 时为 9,437,184；单个层有 $81 C^2$ 个，即 21,233,664。堆叠只需要 $36/81 = 4/9$ 的权重：节省了 56%，比三个层对比 7 × 7 时的 45% 更多，而且它们之间还有三个 ReLU。
#
#     </details>
#
# 2. VGG-16（ImageNet 配置，1,000 个类别）的参数中有多少位于它的十三个卷积中？在 meta 设备上构建它，并把其中 `Conv2d` 模块的参数加起来。
#
#     <details><summary>答案</summary>
#
#     14,714,688 个，包括权重和偏置：占它 138,357,544 个参数的 10.6%。其余 89% 是三个线性层。
#
#     </details>
#
# 3. VGG-11（ImageNet 配置）的第一个线性层有多少个参数？它占整个网络参数总数的多大比例？
#
#     <details><summary>答案</summary>
#
#     它把 $512 \cdot 7 \cdot 7$ = 25,088 个输入映射到 4,096 个输出：有 25,088 · 4,096 个权重和 4,096 个偏置，共 102,764,544 个参数，占 VGG-11 的 132,863,336 个参数的 77.3%。一个层就占了整个网络的四分之三以上。
#
#     </details>
#
# 4. 用 96 × 96 而不是 224 × 224 的图像对四分之一宽度的 VGG-11 做统计（summarize）。卷积的 FLOPs 缩小了多少倍？线性层的 FLOPs 又会怎样？为什么？
#
#     <details><summary>答案</summary>
#
#     卷积的 FLOPs 缩小的倍数是 $(224/96)^2 = 5.44$，即两者面积之比：每个卷积在每个位置上做的工作不变，但位置数只有原来的 $(96/224)^2$ 倍。线性层的 FLOPs 仍为 85,016,576，因为自适应平均池化总是交给它们 7 × 7 的特征图（在 96 × 96 下，各块最终输出 3 × 3，池化把每个值铺到 7 × 7 中的若干个位置上）。每张图像总共 257,540,096 次 FLOPs，其中三分之一在分类器中。
#
#     </details>
