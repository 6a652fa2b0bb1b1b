# %% [markdown] en="e1d1823d9829"
# # 19. 条件生成对抗网络：按类别生成
#
# [第 18 章](../18-dcgan/)的 DCGAN 能画出一件衣物，但画的是哪一类，全凭噪声决定。**条件生成对抗网络**（conditional GAN，cGAN；Mirza 和 Osindero，2014，"Conditional Generative Adversarial Nets"）把标签 $y$ 同时交给博弈的双方：生成器生成 $G(z, y)$，判别器对样本与标签组成的一对 $D(x, y)$ 作出判断，于是[第 17 章](../17-adversarial-game/)的博弈按类别逐一进行。在最优点处，生成器对标签 $y$ 生成的样本服从数据中第 $y$ 类图像的分布。
#
# 设计上要回答两个问题：生成器如何接收标签，判别器又如何接收标签。本章依次回答这两个问题，在 Fashion-MNIST 上训练由此得到的模型，并用第 18 章的评判器（judge）来衡量它：一个被要求画成运动鞋的样本，在分类器看来像不像运动鞋？
#
# ## 生成器：把标签放在噪声旁边
#
# Mirza 和 Osindero 把独热（one-hot）标签与噪声一起送入生成器（在他们的 MNIST 模型中，二者先各自经过一个自己的隐藏层，再合并在一起）。我们改为把标签的一个可学习的嵌入 $e(y)$ 拼接到噪声后面，再把这个更长的向量原封不动地送入第 18 章的生成器。查嵌入表相当于对独热向量做一次线性映射，而生成器的第一层也是线性的，所以只要嵌入维数与类别数相同，两种做法能表示的函数就完全相同；嵌入的唯一区别是，它的各行在初始化时与噪声处于同一尺度。

# %%
from cnnguide.figures import show_source
from cnnguide.gan import ConditionalDCGANGenerator, ProjectionDiscriminator

show_source(ConditionalDCGANGenerator.forward, docstring=False)

# %% [markdown] en="553a737d13b1"
# ## 判别器：投影
#
# 判别器也可以用同样的方式接收标签，即把标签作为额外的输入通道。Miyato 和 Koyama（2018，"cGANs with Projection Discriminator"）则从最优判别器所计算的量——数据与生成器在 $(x, y)$ 上的密度之比的对数——出发，推导出了另一种形式：设特征为 $\phi(x)$，无条件输出为 $\psi$，每个类别各有一个可学习的向量 $V_y$，则
#
# $$D(x, y) = \psi(\phi(x)) + \langle V_y, \phi(x) \rangle .$$
#
# 类别通过与特征做内积的方式进入判别器。他们发现，这种做法比把标签拼接到输入或某个隐藏层上效果更好；而且它完整保留了无条件网络：$\phi$ 和 $\psi$ 就是第 18 章的判别器，当 $V = 0$ 时（初始化时正是如此），它*就是*那个判别器。这正是我们选择它的原因。

# %%
show_source(ProjectionDiscriminator.forward, docstring=False)

# %% [markdown] en="6f022385b66e"
# 在本页训练所用的宽度下，加入标签要多付出多少参数：

# %%
from cnnguide.gan import DCGANDiscriminator, DCGANGenerator


def parameters(net):
    return sum(p.numel() for p in net.parameters())


WIDTH = 32
generator, discriminator = ConditionalDCGANGenerator(width=WIDTH), ProjectionDiscriminator(width=WIDTH)
for name, conditional, plain in (("generator", generator, DCGANGenerator(width=WIDTH)),
                                 ("discriminator", discriminator, DCGANDiscriminator(width=WIDTH))):
    print(f"{name}: {parameters(conditional):,} parameters, "
          f"{parameters(conditional) - parameters(plain):,} more than chapter 18's")

# %% [markdown] en="0c329a5eaf61"
# ## 在 CPU 上训练
#
# `fit_gan` 发现生成器带有 `num_classes` 时，就会进行条件博弈：每个真实批量都带着自己的标签，每个假样本批量的标签则均匀随机抽取；用来生成样本图的那批固定噪声会依次被要求生成每个类别，每类 10 个样本。这次运行采用第 18 章中那次记录下来的运行所用的 CPU 设置（宽度 32，从全部 60,000 张图像中取大小为 64 的小批量，双方都使用学习率为 $8 \times 10^{-4}$ 的 Adam，该学习率由 `scripts/tune_gan.py --conditional` 选出），共训练 3,000 步。
#
# 和第 18 章的现场运行一样，它用 bfloat16 计算（`amp=torch.bfloat16`；在没有 AVX-512 BF16 指令的 CPU 上请传入 `amp=False`）。2026-12-08 用 `scripts/tune_gan.py --conditional` 测得（每次运行一个线程），种子 0 和 1 的 3,000 步在 bf16 下用了 139 秒和 141 秒，全精度下用了 203 秒和 193 秒；标签一致率（测法见下文）分别为 0.907 和 0.910，全精度下为 0.904 和 0.914：只用约三分之二的时间，就得到同样好的生成器。

# %%
import time

import torch

from cnnguide.data import load_fashion_mnist
from cnnguide.gan import fit_gan

STEPS, BATCH, LR = 3_000, 64, 8e-4
train_iter, _ = load_fashion_mnist(BATCH, device="cpu", seed=0)
tic = time.perf_counter()
history = fit_gan(generator, discriminator, train_iter, steps=STEPS, lr=LR, scale_to_tanh=True,
                  seed=0, device="cpu", amp=torch.bfloat16, sample_every=1000, num_samples=100,
                  log_every=50)
print(history)
print(f"{time.perf_counter() - tic:.0f} s on this CPU")

# %% [markdown] en="4e1d17faed0a"
# 每一行对应一个所要求的类别，每行十个样本。这批固定噪声包含十个噪声向量，每列一个，每一行都使用同样的这十个向量：在同一行内，只有噪声在改变衣物的样子；沿着一列往下，则只有标签在变，所以一列展示的是同一个噪声向量在各个标签下变成了什么：

# %%
from cnnguide.figures import plot_class_grid

plot_class_grid(history.samples[STEPS], history.sample_labels)

# %% [markdown] en="0d5a9a9d022c"
# ## 标签一致率
#
# 看图总免不了眯着眼睛琢磨，所以这里给出一个数字。**标签一致率**（label agreement）是指评判器（第 18 章在真实图像上训练的分类器）把样本归入其被要求类别的比例：每个类别各取 500 个新样本。一个无视标签的生成器约得 0.1，即十类中的一类。评判器本身也并不完美：在带有真实标签的真实测试图像上，同一度量就是评判器的准确率，读每个类别的结果时都应以它为参照。（它并不是上限：一个只画某类中最典型衣物的生成器，得分可能高于真实图像，因为真实图像中还包含难以判别的样本。）

# %%
from cnnguide.data import read_fashion_mnist
from cnnguide.gan import generator_label_agreement, label_agreement

agreement = generator_label_agreement(generator, per_class=500, seed=0)
images, labels = read_fashion_mnist("test")
real = label_agreement(images[:2000, None] / 255, labels[:2000])
print(f"label agreement of the generator: {agreement.overall:.3f}")
print(f"the judge on 2,000 real test images with their labels: {real.overall:.3f}")

# %%
from cnnguide.figures import plot_label_agreement

plot_label_agreement(agreement, reference=real)

# %% [markdown] en="7e163584834a"
# 柱形是生成器在每个类别上的标签一致率，短横线是评判器在该类真实图像上的准确率。柱形远低于其短横线的类别，要么是生成器还没学会画，要么被画成了别的类别；评判器自己在真实图像上就容易混淆的类别（衬衫、T 恤、套头衫和外套在 28 × 28 下看起来很像），其短横线也较低。
#
# ## 一次更长的运行
#
# 训练方案 `cgan-cpu` 就是本页的设置训练 40,000 步：`scripts/reproduce_gan.py --only cgan-cpu --device cpu --allow-cpu` 会把它记录在 `docs/recorded/` 下，并标注机器、日期、torch 版本、命令和实际耗时；它还会在 10,000 个样本（每类 1,000 个）上测量标签一致率，这些样本由生成器权重的滑动平均生成（衰减率 0.999，与第 18 章的记录相同；未经平均的原始生成器的一致率打印在旁边）。（`cgan` 是把 `dcgan` 训练方案的设置——论文的批量大小 128，加上 PyTorch DCGAN 示例的宽度 64 和 25 轮训练——用于条件网络，需要在 GPU 上运行。）`cnnguide gan train cgan-cpu` 运行的是同一个训练方案，并把标签一致率写入 `metrics.json`。

# %%
import textwrap

from IPython.display import display

from cnnguide.gan import GANHistory, load_kept_samples
from cnnguide.recorded import describe_recorded, recorded_path

path = recorded_path("gan-cgan-cpu")
if not path.exists():
    print("No run of the cgan-cpu recipe is recorded yet. To record one (about half an hour on 2 cores):")
    print("    python scripts/reproduce_gan.py --only cgan-cpu --device cpu --allow-cpu")
else:
    run = GANHistory.load_json(path)
    print(textwrap.fill(describe_recorded(run), 96, break_on_hyphens=False, break_long_words=False))
    print(f"{run.last_step:,} steps; label agreement {run.metadata['label_agreement']['overall']:.3f}, "
          f"judge FID {run.metadata['judge']['judge_fid']:.2f} ({run.metadata['judge']['samples']:,} samples)")
    raw = run.metadata.get("raw_generator")
    if raw:
        print(f"the raw generator: label agreement {raw['label_agreement']['overall']:.3f}, "
              f"judge FID {raw['judge']['judge_fid']:.2f}")
    kept = load_kept_samples(path.with_name(run.metadata["samples_file"]))
    display(plot_class_grid(kept[max(kept)], run.sample_labels, title=f"The recorded run after {max(kept):,} steps"))

# %% [markdown] en="1c114330f56d"
# ## 小结
#
# - 条件 GAN 把标签交给博弈的双方。生成器可以在噪声旁边接收标签（独热编码或嵌入：二者表示的函数相同）；投影判别器则在无条件判别器的输出上加上 $\langle V_y, \phi(x) \rangle$。
# - 当生成器带有 `num_classes` 时，`fit_gan` 进行条件博弈：真实图像配真实标签，假样本配均匀抽取的标签。
# - 标签一致率就是问评判器：样本是否属于被要求的类别。无视标签的生成器得 0.1，真实图像得到的则是评判器自身的准确率。
#
# ## 练习
#
# 1. 宽度为 32 的条件生成器比第 18 章的生成器多 31,460 个参数。它们在哪里？
#
#     <details><summary>答案</summary>
#
#     嵌入有 $10 \times 10 = 100$ 个。第一个转置卷积的输入现在是 $100 + 10$ 个而不是 100 个：多了十个输入通道，每个通道对应一个 $64 \times 7 \times 7$ 的卷积核：$10 \cdot 64 \cdot 49$ = 31,360。合计 31,460。
#
#     </details>
#
# 2. 那么投影判别器多出的 31,360 个参数呢？
#
#     <details><summary>答案</summary>
#
#     每个类别一个向量 $V_y$，长度与展平后的特征 $\phi(x)$ 相同：$64 \times 7 \times 7$ = 3,136 个值，乘以 10 个类别：31,360。
#
#     </details>
#
# 3. 如果每个类别被要求的次数相同，一个能画出极好的图像、却无视标签的生成器，标签一致率是多少？
#
#     <details><summary>答案</summary>
#
#     约 0.1：无论评判器看到的是哪一类，平均每十次只有一次与被要求的标签吻合，因为被要求的标签是均衡的，并且与图像无关。测试套件用随机类别的真实图像检验了这一点。
#
#     </details>
#
# 4. 把投影的类别向量置零（`discriminator.embed.weight.data.zero_()`）。这时判别器计算的是什么？这又向生成器传达了关于其标签的什么信息？
#
#     <details><summary>答案</summary>
#
#     当 $V = 0$ 时，logit 为 $\psi(\phi(x))$：也就是第 18 章的无条件判别器。它不再依赖标签，因此它的梯度不会促使生成器去画被要求的类别，只会促使它画出看起来真实的东西。
#
#     </details>
