# %% [markdown] en="368ea877ab43"
# # 17. 对抗博弈
#
# 主题 1 训练网络去*识别*图像，主题 2 则训练网络去*生成*图像。**生成对抗网络**（generative adversarial network，GAN；Goodfellow 等，2014，"Generative Adversarial Nets"）用两个相互对抗的网络来完成这件事：
#
# - **生成器** $G$ 把随机噪声 $z$ 变成一个样本 $G(z)$；
# - **判别器** $D$ 查看一个样本，给出它是真实样本的可能性 $D(x) \in (0, 1)$。
#
# $D$ 的训练目标是区分真实样本和生成样本；$G$ 的训练目标是骗过 $D$。从来没有人告诉 $G$ 真实样本长什么样：它学到的一切都来自 $D$ 的梯度。
#
# 图像的好坏很难用肉眼评判，所以本章先在平面上的点上进行这场博弈：在这里我们确切地知道生成器应当产生什么，也能度量它离目标有多近。[第 18 章](../18-dcgan/)再转向图像。
#
# ## 数据：环上的八个高斯分布
#
# 在二维数据上检验 GAN 的标准测试（unrolled GAN、VEEGAN 和 PacGAN 的论文都用过它）是一个由八个高斯分布组成的混合分布，它们的中心位于一个圆上。这里圆的半径为 2，每个高斯分布的标准差为 0.02；unrolled GAN 论文的参考 notebook（`poolio/unrolled_gan`）和 PacGAN 的代码画的是缩小一半的同一个环（半径 1，标准差 0.01），形状是一样的：下面的所有度量都以标准差为单位。这个分布有八个**模式**（mode），即数据所在的八个彼此分离的位置；一个真正学会了这些数据的生成器，必须在全部八个模式附近都放上样本。

# %%
from cnnguide.figures import plot_real_samples
from cnnguide.gan import ring_centers, ring_of_gaussians

real = ring_of_gaussians(20_000, seed=0)
centers = ring_centers()
print("real samples:", tuple(real.shape))
print("centres:", [tuple(round(v, 3) for v in c) for c in centers.tolist()[:3]], "...")
plot_real_samples(real[:2_000], centers)

# %% [markdown] en="5d4a9ecdf10f"
# `ring_centers` 把各中心放在角度 $2\pi k / 8$ 处，其中 $k = 0, \dots, 7$。（unrolled GAN 论文的参考 notebook 使用的是 `linspace(0, 2π, 8)`，它同时包含 $0$ 和 $2\pi$，即同一个点出现了两次，所以它的“八个高斯组成的环”只有七个不同的模式。）
#
# 为了判断生成的点好不好，我们采用 VEEGAN 论文（Srivastava 等，2017）中的度量，并按 PacGAN 论文（Lin 等，2018）的方式计算：如果一个样本与最近的中心相距不超过三个标准差，它就是**高质量**的；如果至少有一个高质量样本落在某个模式上，这个模式就算被**覆盖**；高质量样本在各模式上的直方图与均匀直方图之间的**反向 KL 散度**，在每个模式都分到应有的份额时为 0，在所有样本都集中在一个模式上时为 $\ln 8 \approx 2.08$。真实样本以及只来自单个模式的样本，可以为这三个数提供标定：

# %%
import math

from cnnguide.gan import mode_coverage

print("real data:    ", mode_coverage(real, centers, std=0.02))
print("one mode only:", mode_coverage(real[real[:, 0] > 1.9], centers, std=0.02))
print(f"ln 8 = {math.log(8):.3f}")

# %% [markdown] en="a6db4784770e"
# 即使是真实样本，也不是 100 % 都“高质量”：二维高斯分布有 $1 - e^{-9/2} \approx 98.9\,\%$ 的概率质量落在距中心三个标准差以内，这正是一个与数据完全吻合的生成器的得分（生成的点云比数据更紧凑的生成器——崩溃的生成器就可能如此——得分会更高）。
#
# ## 两个参与者
#
# 两个参与者都是小型多层感知机：两个各含 128 个 ReLU 单元的隐藏层。生成器把一个 16 维的高斯噪声向量映射为一个点；判别器把一个点映射为一个数，即 **logit** $\ell$，且 $D(x) = \sigma(\ell)$。它返回的是 logit 而不是概率：下面的损失函数在 `binary_cross_entropy_with_logits` 内部施加 sigmoid，这样能保持数值精确，而分两步计算 $\log \sigma(\ell)$ 则可能被舍入成 $\log 0$。

# %%
from cnnguide.gan.nets import MLPDiscriminator, MLPGenerator
from cnnguide.summary import summarize

generator = MLPGenerator(latent_dim=16)
discriminator = MLPDiscriminator()
summarize(generator, (1, 16))

# %%
summarize(discriminator, (1, 2))

# %% [markdown] en="d40964bbc255"
# ## 纸面上的博弈
#
# Goodfellow 等人把这场博弈写成一个值，$D$ 要最大化它，$G$ 要最小化它：
#
# $$\min_G \max_D \; V(D, G) = \mathbb{E}_{x \sim p_{data}}[\log D(x)]
#   + \mathbb{E}_{z}[\log(1 - D(G(z)))].$$
#
# $D$ 在真实数据上说“真”（接近 1）、在生成数据上说“假”（接近 0）时获益；$G$ 在 $D$ 对它的样本说“真”时获益。
#
# **最优判别器。** 固定生成器，把它的样本的密度记作 $p_{model}$。$V$ 是对 $x$ 的积分，被积函数为 $p_{data}(x) \log D(x) + p_{model}(x) \log(1 - D(x))$，而对每个 $x$，函数 $a \log y + b \log(1 - y)$ 在 $y = a / (a + b)$ 处取得最大值。因此
#
# $$D^*(x) = \frac{p_{data}(x)}{p_{data}(x) + p_{model}(x)}.$$
#
# 把 $D^*$ 代回去，得到 $V = -\log 4 + 2\,\mathrm{JSD}(p_{data} \,\|\,
# p_{model})$，其中 JSD 是 Jensen–Shannon 散度：面对最优判别器，生成器最小化的是它自己的分布与数据分布之间的一种距离，只有两者相等时这个距离才为零（此时处处有 $D^* = \tfrac12$）。这是书面上的（极小极大）博弈；下面实际使用的生成器损失会改变 $G$ 所最小化的东西。所有这些推导都建立在 $D^*$ 的公式之上，而这个公式无需代数推导就能验证：冻结一个“生成器”（这里是取自某个高斯分布的一组固定样本），单独训练一个判别器，再把它学到的结果与 $D^*$ 比较。

# %%
import torch

from cnnguide.gan.theory import optimal_discriminator, train_discriminator

def gaussian(x, mean, std):
    return torch.exp(-0.5 * ((x - mean) / std) ** 2) / (std * math.sqrt(2 * math.pi))

noise = torch.Generator().manual_seed(0)
data_1d = 0.5 * torch.randn(5_000, 1, generator=noise) + 1.0   # p_data = N(1, 0.5²)
fake_1d = 0.8 * torch.randn(5_000, 1, generator=noise) - 0.5   # p_model = N(-0.5, 0.8²)
torch.manual_seed(0)
d_1d = MLPDiscriminator(in_dim=1, hidden=32)
losses = train_discriminator(d_1d, data_1d, fake_1d, steps=1_000, lr=3e-3)

x = torch.linspace(-3, 3, 301)
p_data, p_model = gaussian(x, 1.0, 0.5), gaussian(x, -0.5, 0.8)
d_star = optimal_discriminator(p_data, p_model)
with torch.no_grad():
    learned = torch.sigmoid(d_1d(x.unsqueeze(1)))
inside = (x > -1.5) & (x < 2.0)  # where both sample sets have points
gap = (learned - d_star)[inside].abs().max().item()
print(f"largest gap between the trained D and D* on [-1.5, 2]: {gap:.3f}")

# %%
from cnnguide.figures import optimal_discriminator_figure

optimal_discriminator_figure(x, p_data, p_model, d_star, trained=learned)

# %% [markdown] en="567a9dcfad7b"
# 训练得到的判别器（虚线）在有样本的地方紧跟 $D^*$（实线）；在两端，两组样本的点都不多，它只能外推。在 $p_{data} = p_{model}$ 处，两条曲线都穿过 $\tfrac12$：在那里，一个点是真是假的可能性相同。
#
# **书面博弈为何会停滞。** 训练初期，生成器的样本很差，$D$ 能轻易地拒绝它们，$D(G(z))$ 接近 0。看看这时生成器的损失 $\log(1 - D(G(z)))$ 传回了什么。设 $D(G(z)) = \sigma(\ell)$，它对 logit 的导数是 $-\sigma(\ell) = -D(G(z))$：恰恰在生成器最差的时候，这个导数**消失**了。因此 Goodfellow 等人改为训练 $G$ 去*最大化* $\log D(G(z))$，即**非饱和**（non-saturating）损失，它的导数为 $-(1 - D(G(z)))$：当 $D$ 占上风时接近 $-1$。两种损失把 $G$ 推向同一个方向，也有相同的不动点；区别在于推的力度。自动微分可以把它测出来：

# %%
from cnnguide.gan.theory import generator_loss_gradient

verdicts = torch.tensor([1e-4, 1e-2, 0.5])
for name in ("saturating", "bce"):
    grads = generator_loss_gradient(name, verdicts)
    print(f"{name:>10}: at D(G(z)) = 1e-4, 1e-2, 0.5:",
          [f"{g:.4f}" for g in grads.tolist()])

# %%
from cnnguide.figures import generator_gradient_figure

generator_gradient_figure()

# %% [markdown] en="a545f771c5ef"
# 在 $D(G(z)) = 10^{-4}$ 处，饱和损失传回的梯度约为 $10^{-4}$，只有非饱和损失的万分之一。库中的这两种损失都是用 `binary_cross_entropy_with_logits` 写成的；本章的生成器用非饱和损失 `"bce"` 训练（这是 DCGAN 的选择；第 20 章还会遇到另一种，即 WGAN-GP 的损失）：

# %%
from cnnguide.figures import show_source
from cnnguide.gan.losses import GANLoss, NonSaturatingLoss

show_source(GANLoss.discriminator_loss, docstring=False)

# %%
show_source(NonSaturatingLoss.generator_loss)

# %% [markdown] en="413c4c5c7786"
# ## 在环上训练
#
# `cnnguide.gan.fit_gan` 按照论文中算法 1 的方式交替进行两种更新：先用一个真实小批量和一个生成小批量对判别器做一步 Adam 更新，再用新采样的噪声对生成器做一步 Adam 更新。下面是库中实际运行的这两种更新。`_real` 取出下一个真实小批量，`_z` 取出一批噪声，`_fakes` 把噪声变成与真实样本数目相同的虚假样本。其余的辅助函数是为后面的章节准备的，在这里不起作用：在这个无条件的博弈中，`_labels` 返回 `None`（在条件博弈中，它为每个虚假样本随机抽取一个类别），`_G` 和 `_D` 把这些标签传给条件生成器和条件判别器（[第 19 章](../19-conditional-gan/)），而 `_penalty` 对这种损失为 0（WGAN-GP 的梯度惩罚就放在这里，[第 20 章](../20-mode-collapse/)）。

# %%
from cnnguide.gan.step import GameStep

show_source(GameStep.discriminator_update)

# %%
show_source(GameStep.generator_step)

# %% [markdown] en="907921e2987e"
# 我们训练 3,000 步，小批量大小为 256，两个网络都使用学习率为 $10^{-3}$、$\beta_1 = 0.5$ 的 Adam（DCGAN 的 $2 \times 10^{-4}$ 是为图像调出来的；在这个环上它进展太慢，不适合在 CPU 上构建的页面）。每隔 500 步，生成器都把同一批固定的 2,000 个噪声向量映射为点，因此图中展示的是同一个生成器的变化，而不是新的随机抽样。

# %%
import time

from cnnguide.gan import fit_gan
from cnnguide.gan.nets import default_init_

tic = time.perf_counter()
history = fit_gan(generator, discriminator, real, steps=3_000, batch_size=256, lr=1e-3,
                  init=default_init_, seed=0, device="cpu", sample_every=500,
                  num_samples=2_000, log_every=50)
print(history)
print(f"{time.perf_counter() - tic:.0f} s on this CPU")

# %%
from cnnguide.figures import plot_ring_samples

shown = {step: history.samples[step] for step in (0, 1_000, 2_000, 3_000)}
plot_ring_samples(real[:2_000], shown, centers=centers)

# %% [markdown] en="ce1595282998"
# 每个子图显示训练中某一时刻生成器对这批固定噪声的映射结果（灰色：真实点；圆圈：八个中心）。下面每隔 500 步给出的数字说明了每幅图离数据有多远：

# %%
for step, samples in sorted(history.samples.items()):
    print(f"step {step:>5}: {mode_coverage(samples, centers, std=0.02)}")

# %% [markdown] en="b3532ab5c59d"
# 最后一行有多好？这两个数回答的是不同的问题，各有各的参照：覆盖率的参照是全部 8 个模式；高质量比例的参照是真实数据自身的比例，已在本章开头打印出来（没有生成器能超过它）：

# %%
final = mode_coverage(history.samples[history.step[-1]], centers, std=0.02)
ceiling = mode_coverage(real, centers, std=0.02)
print(f"after {history.step[-1]:,} steps: {final.modes} of 8 modes, {final.high_quality:.1%} of the "
      f"samples high quality")
print(f"real data:         {ceiling.modes} of 8 modes, {ceiling.high_quality:.1%} high quality")
print(f"the generator's high-quality share is {final.high_quality / ceiling.high_quality:.0%} of the data's")

# %% [markdown] en="9581f4451608"
# 生成器可能早早就找到了模式在*哪里*，却要很久才学会它们有*多窄*：在半径为 2 的环上，一个点只有在距中心三个标准差（即 0.06）以内才算高质量。在上面的图中，第 2,000 步时宽大的橙色点云到最后一个子图时已变成沿着环的一条细带，在各中心处更密：生成器已经找到了这个圆，但仍把许多点散布在模式之间没有数据的弧段上，而它在各中心处的点团也比灰色点宽。（生成器是其噪声的连续映射；要把它的输出切分成八个彼此分离的簇，需要很长时间。）要缩小这一差距，需要比本页的 3,000 步多得多的训练步数（[第 20 章](../20-mode-collapse/)训练得更久）。
#
# 从上往下读这些行：第 0 步时，未训练的生成器把点放在原点附近的一小团里，离每个中心都很远（没有任何高质量样本时，反向 KL 没有定义：`nan`）。之后的情况是这次运行自己的经历，已打印在上面；换一个 `seed` 重新运行，模式出现的顺序就会改变，有时还会漏掉某个模式——[第 20 章](../20-mode-collapse/)针对一个原始 GAN 和几种补救方法，各用十个种子来度量覆盖率。
#
# 损失能告诉我们的不如图多。与分类器的损失不同，这两个损失都不应当稳步下降：每个参与者的进步就是对方的损失，所以这些曲线显示的是博弈的平衡，而不是样本的质量。点线标出了它们在均衡点 $D = \tfrac12$ 处的值：判别器为 $2 \log 2 \approx 1.386$（它是真实项与虚假项之和），生成器为 $\log 2 \approx 0.693$。

# %%
from cnnguide.figures import plot_gan_history

plot_gan_history(history)

# %% [markdown] en="dfcf95d324ba"
# 最后，把训练结束时的判别器画成一张平面上的图：颜色表示 $D(x)$，即它认为一个点是真实的概率；图上还叠加了真实点和生成器的最后一批样本。

# %%
from cnnguide.figures import plot_decision_surface

plot_decision_surface(discriminator, real[:2_000], history.samples[history.step[-1]])

# %% [markdown] en="91ccde74fbe3"
# 判别器学到的并不是“这个环”。它学到的是*此时此刻*哪里的真实点比生成点多（即上面 $D^*$ 的公式）：生成器放得过多的区域看起来是假的，放得不足的区域看起来是真的，而生成器接下来的几步会把点从前一种区域移到后一种区域。远离所有点的地方，图上显示的只是网络的外推结果；那里没有任何样本能告诉它什么。
#
# ## 小结
#
# - GAN 由两个网络组成：把噪声映射为样本的生成器，以及给样本打分、判断其真假的判别器；生成器只通过判别器的梯度来学习。
# - 面对固定的生成器，最优判别器为 $D^* = p_{data} / (p_{data} + p_{model})$，于是在极小极大博弈中，生成器最小化的是它的分布与数据分布之间的 Jensen–Shannon 散度。
# - 当判别器占上风时，极小极大损失 $\log(1 - D(G(z)))$ 几乎不给生成器梯度；非饱和损失 $-\log D(G(z))$ 解决了这个问题，也是 DCGAN 的选择。（它不再最小化 Jensen–Shannon 散度；其他损失，如合页损失和 WGAN-GP 的损失，也很常用。）
# - 在模式已知的二维数据上，有三个数能说明生成器做得如何：覆盖的模式数、高质量样本的比例，以及模式直方图相对于均匀分布的反向 KL 散度。GAN 的损失则说明不了。
#
# ## 练习
#
# 1. 如果在某个点 $x$ 处 $p_{data}(x) = 3\,p_{model}(x)$，那么 $D^*(x)$ 是多少？用 `cnnguide.gan.theory.optimal_discriminator` 验证。
#
#    <details><summary>答案</summary>
#    D* = 3/(3 + 1) = 0.75：落在那里的真实点是虚假点的三倍。
#    </details>
#
# 2. 在 $D(G(z)) = 0.01$ 处，非饱和损失（对 logit）的梯度是饱和损失梯度的多少倍？使用 `generator_loss_gradient`。
#
#    <details><summary>答案</summary>
#    饱和损失的梯度为 −0.01，非饱和损失的梯度为 −0.99：大 99 倍。一般地，这个比值为 (1 − D)/D。
#    </details>
#
# 3. 一个生成器把它所有的高质量样本放在八个模式中的两个上，每个模式各占一半。它覆盖的模式数和反向 KL 散度分别是多少？用 `ring_of_gaussians` 构造这样的样本，并用 `mode_coverage` 验证。
#
#    <details><summary>答案</summary>
#    2 个模式；反向 KL = 2 · ½ · ln(½ · 8) = ln 4 ≈ 1.386。
#    </details>
#
# 4. 用 `loss="saturating"`（`fit_gan` 的一个选项）训练同样的 GAN，同样训练 3,000 步。把打印出的模式覆盖情况与上面的运行相比较，并查看 `history.d_fake`：在训练早期，判别器对虚假样本的判断是怎样变化的？
#
#    <details><summary>答案</summary>
#    对每个虚假样本，饱和损失传回 −D(G(z))，非饱和损失传回 −(1 − D(G(z)))（见练习 2），所以 `history.d_fake` 说明了每个生成器得到了多少梯度。在这个环上，判别器从未占上风：在本站构建机器上的一次运行中（2026-12-07，种子 0），饱和损失那次运行的 `d_fake` 从 0.43 开始，从未低于 0.33（均值 0.38），所以它的生成器得到的梯度约为非饱和损失梯度的 0.38 / 0.62 ≈ 0.6，从未消失；它的表现也并不更差：在第 3,000 步时覆盖了 8 个模式中的 8 个，高质量样本占 71 %，而与它一同度量的非饱和损失运行只有 33 %。支持非饱和损失的理由在于判别器占上风、以接近 0 的 `d_fake` 拒绝虚假样本的情形，就像在图像上训练的最初几步那样（第 18 章中 D(G(z)) 的曲线）：那时饱和损失的生成器几乎什么也学不到。一个小型博弈的单个种子只能说明哪种损失在*这里*表现更好，不能说明一般情况。
#    </details>
#
# 5. 本章的判别器和生成器各有两个含 128 个单元的隐藏层。它们各有多少个参数？用 `summarize` 查看，并手工验证：一个 `Linear(a, b)` 层有 $ab + b$ 个参数。
#
#    <details><summary>答案</summary>
#    生成器：(16·128 + 128) + (128·128 + 128) + (128·2 + 2) = 18,946。判别器：(2·128 + 128) + (128·128 + 128) + (128·1 + 1) = 17,025。
#    </details>
