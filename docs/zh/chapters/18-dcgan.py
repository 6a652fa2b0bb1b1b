# %% [markdown] en="94861a64ee37"
# # 18. DCGAN：Fashion-MNIST 上的卷积 GAN
#
# [第 17 章](../17-adversarial-game/)用两个小型 MLP 在平面上的点上进行了对抗博弈。到了图像上，两个参与者就变成了卷积网络。早期的此类尝试以不稳定著称；Radford、Metz 和 Chintala（2016，"Unsupervised Representation Learning with Deep Convolutional Generative Adversarial Networks"）找到了一组能让训练稳定可靠的架构规则，这就是 **DCGAN**（深度卷积生成对抗网络）：
#
# - 不用池化：判别器用**带步幅的卷积**下采样，生成器用**转置卷积**上采样；
# - 不用全连接的隐藏层；
# - 两个网络都使用**批量归一化**，但生成器的输出层和判别器的输入层除外；
# - 生成器使用 ReLU，输出层使用 $\tanh$；判别器使用斜率为 0.2 的 LeakyReLU；
# - 使用学习率为 $2 \times 10^{-4}$、$\beta_1 = 0.5$ 的 Adam，权重从 $\mathcal{N}(0, 0.02^2)$ 中抽取。
#
# 本章从零实现唯一一个新的算子——转置卷积；为 28 × 28 的图像搭建 DCGAN；在 Fashion-MNIST 上训练它；并用数字而不是眯着眼睛看样本来度量结果。
#
# ## 转置卷积
#
# 步幅为 2 的卷积把大图像映射为小图像。生成器需要的恰好相反：一个带可学习权重、把小特征图映射为大特征图的层。**转置卷积**就能做到这一点：每个输入元素对卷积核的一个副本进行缩放，这些副本在输出中以 `stride` 为间隔放置，重叠的地方相加。

# %%
import torch

from cnnguide.figures import transposed_conv_figure

X = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
transposed_conv_figure(X, K)

# %% [markdown] en="06103444f182"
# 四个输入元素各贡献一个缩放后的 2 × 2 卷积核副本（四个小网格），3 × 3 的输出就是它们的和。库中正是这样计算的：每个输入像素对应一个缩放后的卷积核副本，再用 `torch.nn.functional.fold` 把它们加回到相应的位置：

# %%
from cnnguide.figures import show_source
from cnnguide.ops import conv_transpose2d

show_source(conv_transpose2d, docstring=False)

# %% [markdown] en="b8f22297d462"
# 它与 PyTorch 自带的 `conv_transpose2d` 在数值和梯度上都一致；测试套件在随机形状上检查了这一点，下面是其中一个例子：

# %%
import torch.nn.functional as F

gen = torch.Generator().manual_seed(0)
x = torch.randn(2, 3, 5, 5, generator=gen, dtype=torch.float64)
k = torch.randn(3, 4, 3, 3, generator=gen, dtype=torch.float64)
ours = conv_transpose2d(x, k, stride=2, padding=1, output_padding=1)
theirs = F.conv_transpose2d(x, k, stride=2, padding=1, output_padding=1)
print("output shape:", tuple(ours.shape))
print("largest difference from torch:", (ours - theirs).abs().max().item())

# %% [markdown] en="358c495bd468"
# **插零。** 同样的结果也可以由普通卷积得到：在输入元素之间插入 `stride − 1` 个零，在边界填充 `kernel − 1 − padding` 个零，再把旋转 180° 的卷积核在上面滑动。“分数步幅卷积”（fractionally strided convolution）这个名字就是由此而来的，这也说明了这一层为什么能创造出细节：填补空隙的正是卷积核。

# %%
from cnnguide.figures import zero_insertion_figure

zero_insertion_figure(X, K, stride=2)

# %% [markdown] en="80af76d0edc0"
# **为什么叫“转置”。** 卷积是线性映射，所以它就是作用在展平后的输入上的一个矩阵 $C$；转置卷积作用的则是 $C^T$。（它不是逆运算：它恢复的是形状，而不是数值。）一个矩阵与它的转置对所有 $x$ 和 $y$ 都满足 $\langle Cx, y \rangle = \langle x, C^T y \rangle$，我们可以在随机张量上验证这一点，让卷积和转置卷积共用同一个卷积核：

# %%
from cnnguide.ops import conv2d

x = torch.randn(1, 4, 8, 8, generator=gen, dtype=torch.float64)
y = torch.randn(1, 3, 4, 4, generator=gen, dtype=torch.float64)
w = torch.randn(3, 4, 3, 3, generator=gen, dtype=torch.float64)  # conv: 4 -> 3 channels
left = (conv2d(x, w, stride=2, padding=1) * y).sum()
right = (x * conv_transpose2d(y, w, stride=2, padding=1, output_padding=1)).sum()
print(f"<conv(x), y> = {left.item():.10f}")
print(f"<x, convT(y)> = {right.item():.10f}")

# %% [markdown] en="397144142fff"
# 这也正是自动微分计算卷积对其输入的梯度的方式：通过卷积做反向传播，*就是*用同一个卷积核做转置卷积。
#
# **输出尺寸。** 转置卷积把边长 $n$ 映射为 $(n - 1)s - 2p + k + p_{out}$（这是 PyTorch 的公式），其中 $p_{out}$ 是它的 `output_padding` 参数；这个公式是卷积的 $\lfloor (n + 2p - k)/s \rfloor + 1$ 的逆，而 $p_{out}$ 用来在经向下取整后映射到同一输出的那些输入尺寸中选出一个。用于 28 × 28 图像的 DCGAN 生成器的边长变化是 1 → 7 → 14 → 28：

# %%
from cnnguide.ops import conv_output_size, conv_transpose_output_size

side = 1
for k, s, p in ((7, 1, 0), (4, 2, 1), (4, 2, 1)):
    new = conv_transpose_output_size(side, k, padding=p, stride=s)
    back = conv_output_size(new, k, padding=p, stride=s)
    print(f"kernel {k}, stride {s}, padding {p}: {side} -> {new} "
          f"(a convolution maps {new} back to {back})")
    side = new

# %% [markdown] en="80e3ef10181a"
# ## 网络
#
# 生成器用一个转置卷积把 100 维的噪声向量投影为 7 × 7 的特征图，然后把边长加倍两次。它的输入是 1 × 1 的，所以第一层就是用一个矩阵去乘噪声，这恰恰是全连接层所做的事，论文本身也是这样描述它的。“不用全连接的*隐藏*层”说的是中间的那些层，它们全都是卷积。判别器与生成器镜像对称，使用步幅为 2 的卷积，最后输出一个 logit：在 7 × 7 的特征图上做一个 7 × 7 的卷积，这同样是对整张特征图的一次加权求和，即写成卷积形式的线性输出层。`width` 设定通道数；论文中的网络比本页构建时 CPU 所能训练的网络更宽。

# %%
from cnnguide.gan.nets import DCGANDiscriminator, DCGANGenerator, dcgan_init_
from cnnguide.summary import summarize

WIDTH = 32
generator = DCGANGenerator(latent_dim=100, width=WIDTH)
discriminator = DCGANDiscriminator(width=WIDTH)
summarize(generator, (1, 100))

# %%
summarize(discriminator, (1, 1, 28, 28))

# %% [markdown] en="0575fa5236f5"
# 按照论文的规定，除了每个网络的最后一层（生成器的图像层和判别器的 logit 层）以及判别器的第一层之外，每一层之后都接批量归一化。DCGAN 的初始化从 $\mathcal{N}(0, 0.02^2)$ 中抽取卷积权重，从 $\mathcal{N}(1, 0.02^2)$ 中抽取批量归一化的缩放系数，并把偏置设为 0。（d2l 的 DCGAN 一节中，批量归一化的缩放系数也从 $\mathcal{N}(0, 0.02^2)$ 中抽取，这使得每个归一化后的激活值一开始只有其原有尺度的约 2 %；论文的参考代码和 PyTorch 的 DCGAN 示例用的是 1。）`dcgan_init_` 之后的统计量如下：

# %%
from torch import nn

_ = torch.manual_seed(0)
generator.apply(dcgan_init_)
convs = [m.weight for m in generator.modules() if isinstance(m, nn.ConvTranspose2d)]
scales = [m.weight for m in generator.modules() if isinstance(m, nn.BatchNorm2d)]
conv_w, bn_w = torch.cat([w.flatten() for w in convs]), torch.cat([w.flatten() for w in scales])
print(f"transposed-conv weights: mean {conv_w.mean():+.4f}, std {conv_w.std():.4f}")
print(f"batch-norm scales:       mean {bn_w.mean():+.4f}, std {bn_w.std():.4f}")

# %% [markdown] en="9d2bae82df8e"
# ## 生成图像的评判器
#
# 第 17 章之所以能数模式，是因为它知道模式在哪里。对于图像，我们需要一个知道 Fashion-MNIST 长什么样的东西：一个**评判器**（judge），即在真实数据上训练的分类器，用它的预测和特征为一组生成图像算出数字。论文中的标准分数 Inception Score（IS）和 FID（Fréchet Inception Distance，弗雷歇 Inception 距离）使用的是在 ImageNet 上训练的 Inception-v3 网络，其权重需要下载；我们的评判器是一个在 Fashion-MNIST 上训练的小型 CNN，由本仓库中的 `scripts/train_judge.py` 训练，权重随软件包一起发布。因此，它给出的数字**不能与论文中基于 Inception 的数字比较**，只能相互比较。

# %%
from cnnguide.gan import judge_accuracy, judge_manifest

manifest = judge_manifest()
print(f"judge: {manifest['parameters']:,} parameters, trained by "
      f"scripts/train_judge.py ({manifest['recipe']['epochs']} epochs)")
print(f"its accuracy on the 10,000 test images, measured now: {judge_accuracy():.4f}")

# %% [markdown] en="11402aeaaf93"
# 根据评判器对一组生成图像的预测，可以得到：
#
# - **类别直方图**和**覆盖的类别数**（至少有 1 % 的样本落入的类别才算数）：只会画运动鞋的生成器只覆盖一个类别；
# - 基于分类器的 **Inception Score**，$\exp \mathbb{E}_x\,
#   \mathrm{KL}(p(y \mid x) \,\|\, p(y))$：当每张图像都明确属于某一类（预测很自信）*并且*各类别均衡时，它就高；在这里它最大为 10。
#
# 根据它的倒数第二层特征（每张图像一个 128 维向量），可以得到：
#
# - **评判器弗雷歇距离**（`judge_fid`），即分别拟合两组图像特征的两个高斯分布之间的距离，由 torchmetrics 的 FID 计算，但以我们的评判器作为特征提取器；
# - 生成模型的**精确率和召回率**（Kynkäänniemi 等，2019）：生成图像中落在真实图像于特征空间所占区域之内的比例（质量），以及真实图像中落在生成图像所占区域之内的比例（多样性）。
#
# 分类器评判器看不到的东西：它被训练来区分十个类别，所以它的特征响应的是把凉鞋和运动鞋区分开的那些东西——轮廓、比例、某一类特有的纹理——而对人在生成图像中首先注意到的东西反应要弱得多：模糊、条纹、斑点、断裂的边缘。一张有着衬衫轮廓、内部却糊成一团的图像，完全可能被自信地判为衬衫。这个评判器给出高分，意味着图像具有类别典型性且富于变化；样本网格图仍然是证据的一部分。
#
# 数字需要参照尺度。下面给出真实图像对真实图像（在图像数量相同时，生成器所能期望的最好结果）以及真实图像对均匀噪声（一个什么都没学到的生成器）的数值：

# %%
from cnnguide.gan import judge_reference

N = 5_000
ref = judge_reference(n=N)
print(f"judge FID, real vs real:  {ref.real_vs_real:8.2f}   ({N:,} images each)")
print(f"judge FID, real vs noise: {ref.real_vs_noise:8.2f}")
print(f"Inception Score of real test images: {ref.inception_real.mean:.2f}")
pr = ref.precision_recall_real
print(f"precision / recall, real vs real: {pr.precision:.3f} / {pr.recall:.3f}")

# %% [markdown] en="c44752b01422"
# ## 在 CPU 上训练
#
# 论文在 GPU 上以 128 的批量大小训练若干轮。本页是在 CPU 上构建的，所以下面这次运行的规模是按 CPU 设定的：宽度为 32 的 DCGAN，训练 8,000 步，每个小批量 64 张图像，取自全部 60,000 张训练图像（约八轮半），采用论文的初始化和 Adam 的 $\beta = (0.5, 0.999)$，但两个参与者的学习率都是 $10^{-3}$，而不是论文的 $2 \times 10^{-4}$。这些设置是 `scripts/tune_gan.py` 选出来的：它训练各种候选设置（不同的宽度、批量大小、学习率，带谱归一化的合页损失，生成器权重的平均），并打印评判器分数随 CPU 秒数的变化；在几分钟的 CPU 预算下，步子更大的窄网络每秒画出的服装最好，而且在学习率增大到 $10^{-3}$ 之前，分数一直随之提高（$1.2 \times 10^{-3}$ 并没有更好）。这个选择在其他随机种子上也成立：2026-12-07 以全精度用种子 1 和 2 测得，学习率 $10^{-3}$ 训练 8,000 步的 Inception Score 为 6.01 和 6.05（评判器 FID 7.32 和 7.11），$8 \times 10^{-4}$ 则为 5.96 和 5.95（FID 7.75 和 7.37）。下文训练时间长得多的 `dcgan-cpu` 训练方案使用同样的网络和批量大小，但学习率为 $8 \times 10^{-4}$，即本页在最后这轮筛选之前所用的学习率。
#
# 这次运行在安全的地方用 **bfloat16** 计算：`amp=torch.bfloat16` 让 `fit_gan` 在 `torch.autocast` 下运行两个网络，于是卷积用 16 位的数相乘（bfloat16 保留了 float32 的数值范围，只是有效数字更少），而权重、Adam 的矩估计和损失仍保持 32 位。构建本站的机器有用于这种运算的 AVX-512 BF16 指令；`scripts/bench_gan.py` 在同一个进程里用两种方式为这个网络的训练步计时，2026-12-07 打印出的比值为单线程 1.40、双线程 1.31。生成的服装并没有因此变差：同一天用 `scripts/tune_gan.py` 测得，bf16 训练 8,000 步时，种子 0 到 3 的 Inception Score 分别为 6.03、6.06、6.07 和 6.04（评判器 FID 7.30、7.25、7.12 和 7.17），而全精度下种子 0 到 2 为 6.04、6.01 和 6.05。步数更少就不够了：bf16 下训练 6,000 步、让学习率在最后 30 % 或 50 % 的步数里线性降到 0，种子 0 只达到 5.77 和 5.83（评判器 FID 8.28 和 8.17；`scripts/tune_gan.py`，2026-12-08）。在没有这些指令的 CPU 上，autocast 靠软件模拟，反而更慢：那时请传入 `amp=False`。
#
# `scale_to_tanh=True` 把图像从 [0, 1] 映射到 [−1, 1]，即生成器 $\tanh$ 输出的范围。每隔 1,000 步，生成器都会用同样的 64 个噪声向量生成图像，所以下面的各行展示的是同一个生成器的学习过程。

# %%
import time

import torch

from cnnguide.data import load_fashion_mnist
from cnnguide.gan import fit_gan

STEPS, BATCH, LR = 8_000, 64, 1e-3
train_iter, _ = load_fashion_mnist(BATCH, device="cpu", seed=0)
tic = time.perf_counter()
history = fit_gan(generator, discriminator, train_iter, steps=STEPS, lr=LR, scale_to_tanh=True,
                  seed=0, device="cpu", amp=torch.bfloat16, sample_every=1000, num_samples=64,
                  log_every=50)
print(history)
print(f"{time.perf_counter() - tic:.0f} s on this CPU")

# %%
from cnnguide.figures import plot_samples_over_training

plot_samples_over_training(history, steps=[0, 1_000, 2_000, 4_000, 6_000, STEPS], per_step=10)

# %% [markdown] en="1b7ea22363e3"
# 每一行是训练中的一个时刻，从未训练的生成器（顶部：它的输出都接近 0，即中灰色）一直到最后一步；每一列对应一个固定的噪声向量，所以一列展示的是一个样本逐渐成形的过程：在最初的一千步内，模糊的团块变成轮廓，后面的各行再添上细节（领子、带子、鞋底）。下面的曲线显示两个参与者的损失以及判别器的判断：

# %%
from cnnguide.figures import plot_gan_history

plot_gan_history(history)

# %% [markdown] en="a6b62008d1bb"
# ## 度量样本
#
# 下面是评判器对训练好的生成器新生成的 5,000 个样本给出的数字，与上面的参照值并列（弗雷歇距离是相对于 5,000 张测试图像计算的）：

# %%
from cnnguide.gan import (
    classes_covered, inception_score, judge_fid, judge_precision_recall, seeded_fakes,
)
from cnnguide.data import read_fashion_mnist

fakes = seeded_fakes(generator, N, seed=1)  # in [0, 1], from noise seed 1
test_images, _ = read_fashion_mnist("test")
real = test_images[:N, None] / 255
print(f"classes covered: {classes_covered(fakes)} of 10")
print(f"Inception Score: {inception_score(fakes).mean:.2f} (real: {ref.inception_real.mean:.2f})")
print(f"judge FID to real: {judge_fid(real, fakes):.2f} "
      f"(real vs real {ref.real_vs_real:.2f}, noise {ref.real_vs_noise:.2f})")
pr = judge_precision_recall(real, fakes)
print(f"precision / recall: {pr.precision:.3f} / {pr.recall:.3f}")

# %% [markdown] en="bcccbdfcac28"
# 把每个数字与它的参照行对照着读：弗雷歇距离在真实对真实与真实对噪声这两个值之间所处的位置，说明生成器前进了多远；精确率说明有多少样本看起来像某张真实图像，召回率说明样本覆盖了真实数据多大程度的多样性。
#
# ## 哪个类别效果好？
#
# d2l 的 DCGAN 一节以这样一道练习结尾：“在 Fashion-MNIST 上应用 DCGAN，看看哪个类别效果好”。评判器用数字回答这个问题：对每个类别，给出 5,000 个样本中有多少被它归入该类、它对这些样本有多确定，以及（在样本足够多时）这些样本与该类真实测试图像之间的弗雷歇距离。

# %%
from cnnguide.gan import per_class_scores
from cnnguide.tables import Table

rows = per_class_scores(fakes, min_count=50)
Table(("class", "samples", "mean confidence", "judge FID to the class"),
      [(r.name, f"{r.count:,}", f"{r.mean_confidence:.3f}",
        "—" if r.fid is None else f"{r.fid:.1f}") for r in rows],
      align="lrrr", notes=("FID only for classes with at least 50 samples",))

# %% [markdown] en="11ae508cc8b3"
# 如果一个类别落入的样本多、平均置信度高、与其真实图像的距离小，那么生成器就把这个类别生成得好；样本很少的类别则是它很少生成的类别，而样本数远超过总数十分之一的类别可能是被过度生成了，而不是生成得好：要把样本数和距离对照着读。样本数不同的类别之间，距离并不严格可比（用较少图像估计出的弗雷歇距离会偏大，而且图像少于 129 张时，一个类别在评判器 128 个特征上的协方差矩阵不可能满秩），因此这些距离只是粗略的，样本少于 50 个的类别则不给出距离。哪些类别名列前茅取决于这次短时间的运行：对于上面的网络，答案是那张表，而不是这句话。
#
# ## 一次更长的运行及其记录
#
# 构建一次页面只能负担几分钟；同样的网络训练大约 45 分钟会得到更好的结果。`scripts/reproduce_gan.py` 用 `dcgan-cpu` 训练方案（即上面的网络和小批量，学习率为 $8 \times 10^{-4}$，训练 60,000 步）进行训练，并把结果记录在 `docs/recorded/` 下，标明机器、日期、torch 版本、命令和实际耗时；评判器按上面的方式度量它，用 10,000 个样本与 10,000 张测试图像相比较。长时间运行的样本取自生成器权重的指数滑动平均（衰减率 0.999，大约相当于最近一千步的平均），ProGAN、StyleGAN 和 BigGAN 都是这样做的：每一步的权重都带着那一步博弈的噪声。平均模型的批量归一化统计量是用它自己的输出重新计算的（BigGAN 的“standing statistics”），因为平均得到的滑动统计量是在原始生成器的激活上测得的。平均是否有帮助取决于训练的时长（在 `scripts/tune_gan.py` 中，以 $8 \times 10^{-4}$ 的学习率训练 5,000 步时它并没有帮助），因此这份记录每隔 10,000 步在 2,000 个样本上度量三个生成器：用来采样的平均模型、原始生成器，以及使用平均统计量的平均模型。如果已有记录，本页会展示它，包括它在训练过程中由固定噪声生成的样本，以便与上面实时运行的各行对照。（论文的批量大小 128，加上 PyTorch DCGAN 示例的宽度 64 和 25 轮训练，就是 `dcgan` 训练方案，需要在 GPU 上运行。）

# %%
import textwrap

from cnnguide.gan import GANHistory, get_gan_recipe, load_kept_samples
from cnnguide.recorded import describe_recorded, recorded_path

recipe = get_gan_recipe("dcgan-cpu")
path = recorded_path("gan-dcgan-cpu")
recorded = None
if not path.exists():
    print("No run of the dcgan-cpu recipe is recorded yet. To record one (about 45 minutes on 2 cores):")
    print("    python scripts/reproduce_gan.py --only dcgan-cpu --device cpu --allow-cpu")
else:
    recorded = GANHistory.load_json(path)
    scores = recorded.metadata["judge"]
    print(textwrap.fill(describe_recorded(recorded), 96, break_on_hyphens=False, break_long_words=False))
    print(f"{recorded.last_step:,} steps; classes covered {scores['classes_covered']}, "
          f"Inception Score {scores['inception_score']:.2f}, judge FID {scores['judge_fid']:.2f} "
          f"({scores['samples']:,} samples)")
    for what, key in (("raw generator", "raw_generator"), ("averaged statistics", "average_with_averaged_statistics")):
        if key in recorded.metadata:
            other = recorded.metadata[key]["judge"]
            print(f"  {what}: Inception Score {other['inception_score']:.2f}, judge FID {other['judge_fid']:.2f}")

# %%
from cnnguide.gan import measures_table

measures_table(recorded) if recorded is not None else None

# %%
from IPython.display import display

if recorded is not None:
    recorded.samples = load_kept_samples(path.with_name(recorded.metadata["samples_file"]))
    display(plot_samples_over_training(recorded, steps=sorted(recorded.samples), per_step=10,
                                       title="The recorded run: one fixed noise batch"))

# %% [markdown] en="6e653c7b2900"
# ## 小结
#
# - 转置卷积为每个输入元素散布一个缩放后的卷积核副本，并把重叠部分相加；它等价于先插零、填充，再用旋转后的卷积核做普通卷积；它是卷积的伴随（转置），而不是卷积的逆。
# - DCGAN 的规则——带步幅的卷积和转置卷积，两个网络都用批量归一化但 G 的输出和 D 的输入除外，G 中用 ReLU/tanh，D 中用 LeakyReLU，Adam 的学习率为 $2 \times 10^{-4}$、$\beta_1 = 0.5$——正是让卷积 GAN 变得可以训练的关键。
# - 没有评判器，GAN 的结果就只是一些图片。一个在数据上训练的分类器能给出数字：覆盖的类别数、Inception Score、弗雷歇距离以及精确率/召回率，每个数字都要对照真实对真实和真实对噪声的参照值来读。
#
# ## 练习
#
# 1. 卷积核为 4、步幅为 2、填充为 1 的转置卷积，对 7 × 7 的输入给出多大的输出？相同设置的卷积对这个输出又给出多大的结果？使用 `conv_transpose_output_size` 和 `conv_output_size`。
#
#    <details><summary>答案</summary>
#    (7 − 1)·2 − 2 + 4 = 14，而 ⌊(14 + 2 − 4)/2⌋ + 1 = 7：两者的形状变化互相抵消。
#    </details>
#
# 2. 卷积核为 3、步幅为 2、填充为 1 时，卷积会把 7 × 7 和 8 × 8 的输入都映射为 4 × 4。什么样的 `output_padding` 能让转置卷积把 4 × 4 映射回 8 × 8？
#
#    <details><summary>答案</summary>
#    不加它时为 (4 − 1)·2 − 2 + 3 = 7；output_padding = 1 时得到 8。
#    </details>
#
# 3. 本章宽度为 32 的生成器和判别器各有多少个参数？从 `summarize` 的输出中读出来，并指出生成器的哪一层参数最多。
#
#    <details><summary>答案</summary>
#    生成器：347,073 个，其中 313,600 = 100 × 64 × 7 × 7 个是第一个转置卷积的权重（没有偏置：其后紧跟批量归一化）。判别器：36,577 个。
#    </details>
#
# 4. 用 d2l 的批量归一化初始化（缩放系数取自 N(0, 0.02²)）训练同样的 DCGAN：写一个函数，先调用 `dcgan_init_`，再用 `nn.init.normal_(m.weight, 0, 0.02)` 重置每个 `BatchNorm2d` 的权重，把它作为 `init=` 传给 `fit_gan`，用两种初始化各训练 1,000 步（宽度 32，小批量大小 64，学习率 $8 \times 10^{-4}$，种子 0），然后比较评判器在 5,000 个样本上给出的数字。
#
#    <details><summary>答案</summary>
#    d2l 的初始化起步更落后，训练 1,000 步之后仍然落后。在本站构建机器上的一次运行中（2026-12-07，种子 0）：未训练的生成器的 64 个固定样本，在论文的初始化下标准差为 0.006，在 d2l 的初始化下低于 0.0001（每个归一化后的激活值一开始只有其原有尺度的约 2 %，所以输出是一片均匀的灰色）；训练 1,000 步之后，论文的初始化给出的评判器 FID 为 18.2、Inception Score 为 4.46，d2l 的初始化则为 23.8 和 3.89，两者都覆盖了全部 10 个类别。在更长的运行中这个差距是否会缩小，留给你自己去度量。
#    </details>
