# %% [markdown] en="a4fc8ada84c8"
# # 16. 竞赛基线
#
# 本专题中的网络都是按 d2l 一书的方式训练的：以恒定的学习率用普通 SGD 训练十轮，不做数据增强。这套训练方案的用途是讲解网络，而不是赢得什么：它省略了动量、权重衰减、学习率调度和数据增强，而这些技术都比它所训练的大多数网络还要古老。继续参加图像竞赛的读者需要再进一步：让库读取竞赛的图像，得到一个**强大而诚实的基线**——说它强大，是因为它使用了当今参赛方案所用的技术；说它诚实，是因为每一个选择都是在从训练数据中划分出的验证集上做出的，从不依据测试集。
#
# 本章构建这个基线，并带着它走完一场完整的竞赛：一个图像文件夹、一套可以逐项关闭各个组成部分的训练方案、一次 `cnnguide` 命令的运行、一个提交文件，以及一个按照排行榜的计算方式得出的分数。
#
# ## 竞赛文件夹
#
# 竞赛发放图像的布局有好几种。要么每个类别一个文件夹，即 `train/<class>/*.png`（torchvision 的 `ImageFolder`），要么在图像文件夹旁边放一张标签表：带有 `id` 和 `label` 两列的 `train.csv`、带有 `id,breed` 的 `labels.csv`（d2l 的狗品种数据集）、`trainLabels.csv`（Kaggle 上的 CIFAR-10），图像位于 `train/`、`images/` 或 `train_images/` 中，id 可能带也可能不带文件扩展名。待预测的图像放在 `test/` 中，或者列在 `sample_submission.csv` 里，而主办方不会公开它们的标签。`cnnguide.data.layouts` 能识别以上所有布局；遇到两张表或两个文件夹都可能是所指的那一个时，它会停下来并列出它们的名字（此时命令接受 `--labels FILE`、`--images DIR`、`--id-column`、`--label-column`）。
#
# 为了得到一场知道答案的竞赛，我们自己造一场：把 2,500 张 Fashion-MNIST 训练图像以 PNG 文件的形式写入各个类别文件夹，再把 2,000 张测试图像的标签写入答案文件 `answers.csv`。`write_competition` 负责布置这个文件夹（放在一个临时文件夹中，因此下面打印的路径都是相对于它的）：

# %%
import os
import tempfile
import textwrap
from pathlib import Path

from cnnguide import data
from cnnguide.data.competition import write_competition

os.chdir(tempfile.mkdtemp(prefix="cnnguide-ch16-"))
images, labels = data.read_fashion_mnist("train")
test_images, test_labels = data.read_fashion_mnist("test")
TRAIN, TEST = 2_500, 2_000
key = write_competition("comp", (images[:TRAIN], labels[:TRAIN]),
                        (test_images[:TEST], test_labels[:TEST]), data.CLASS_NAMES)
for folder in sorted(Path("comp/train").iterdir()):
    print(f"{str(folder) + '/':24} {len(list(folder.glob('*.png'))):4} PNG files")
print(f"{'comp/test/':24} {len(list(Path('comp/test').glob('*.png'))):4} PNG files")
print(key, "begins:", " ".join(key.read_text().splitlines()[:3]))

# %% [markdown] en="7edad0025066"
# `read_folders` 能把这两种布局中的任意一种读回来。与 `load_fashion_mnist` 一样，它把每张图像只解码一次（用 Pillow，多线程）到一个 `uint8` 张量中，这里的形状为 `(N, 1, 28, 28)`；之后训练时就在设备上从这个张量中切出小批量，与处理 Fashion-MNIST 时完全一样。颜色是针对整个数据集统一决定的：如果每张图像都是灰度图，就用一个通道，否则用三个通道（此时灰度图像的值会被复制到 R、G、B 中），或者按 `channels=` 强制指定。尺寸不一的图像需要用 `size=` 指定要缩放到的尺寸。

# %%
from cnnguide.data.folders import read_folders

comp = read_folders("comp")
print(comp.layout, "layout,", comp.channels, "channel(s)")
print("train:", comp.train)
print("test: ", comp.test, "ids", comp.test.ids[:3], "...")
print(textwrap.fill("classes: " + ", ".join(comp.classes), 78))

# %% [markdown] en="ad0f6ab690ec"
# 手工布置的文件夹难免有错，而一个跳过无法读取内容的加载器会把这些错误掩盖起来：模型实际训练用的数据比你以为的少，或者某张测试图像得不到预测。这里不会悄无声息地丢掉任何东西；每个错误都会报错，并指出对应的文件或 CSV 行。下面是在竞赛的一个小副本中出现的四种错误：

# %%
import shutil

from cnnguide.data.folders import FolderDataError


def show_error(root):
    try:
        read_folders(root)
    except FolderDataError as error:
        print(textwrap.fill(" ".join(str(error).split()), 78, subsequent_indent="    "))


for name in ("bag", "coat"):
    shutil.copytree(f"comp/train/{name}", f"small/train/{name}")
png = sorted(Path("small/train/bag").glob("*.png"))[0]
png.write_bytes(png.read_bytes()[:100])  # a truncated download
show_error("small")
png.unlink()
Path("small/train/dress").mkdir()  # a class folder left empty
show_error("small")
Path("small/train/dress").rmdir()
shutil.copy("comp/test/0.png", "small/train/0.png")  # an image in no class
show_error("small")
Path("small/train/0.png").unlink()
write_competition("csv", (images[:20], labels[:20]), (images[:0], labels[:0]),
                  data.CLASS_NAMES, layout="csv")
Path("csv/train/7.png").unlink()  # a CSV row whose image is missing
show_error("csv")

# %% [markdown] en="b5aca1eb9dbf"
# ## 验证：分层留出
#
# 测试标签是隐藏的，所以每一个决定——保留哪一轮、使用哪套训练方案——都依据从训练集中留出的图像来做。逐个类别地抽取这些图像（**分层**）可以使每个类别在两部分中所占的比例保持相同，这样就不会因为运气不好而让某个类别在验证集中缺席。我们留出五分之一：

# %%
import torch

from cnnguide.data.splits import stratified_split
from cnnguide.tables import Table

train_idx, val_idx = stratified_split(comp.train.labels, holdout=0.2, seed=0)
train_counts = torch.bincount(comp.train.labels[train_idx], minlength=10)
val_counts = torch.bincount(comp.train.labels[val_idx], minlength=10)
Table(("class", "training", "validation", "validation share"),
      [(name, str(int(t)), str(int(v)), f"{v / (t + v):.1%}")
       for name, t, v in zip(comp.classes, train_counts, val_counts)], align="lrrr")

# %% [markdown] en="b9cd19c63e3b"
# `stratified_folds(labels, k)` 以同样的方式把样本分到 k 折中，用于单个留出集太小时的 k 折交叉验证。
#
# ## 逐项看训练方案
#
# `cnnguide.recipes.BASELINE` 是一个 `ModernRecipe`：一个冻结的数据类（frozen dataclass），它的字段就是下面介绍的各个组成部分，每一项都可以用 `without(...)` 关闭。

# %%
from cnnguide.recipes import BASELINE

Table(("setting", "value"), [(k, repr(v)) for k, v in BASELINE.settings().items()])

# %% [markdown] en="0326fc391d95"
# **数据增强。** 每张训练图像先被填充，再在一个随机偏移处裁剪回原来的尺寸（平移量最多为 `crop_padding` × 边长，边长为 28 时即 2 像素），并以一半的概率左右翻转。网络在每一轮看到的每件服装的图像都略有不同，因此无法简单地记住训练集。随机擦除（把一个随机矩形涂掉）也已实现，但默认关闭。第一行是八张训练图像，第二行是训练方案对它们做的增强，第三行是同样的增强再加上随机擦除（被擦除的像素取背景的值）：

# %%
import torch

from cnnguide.figures import image_grid
from cnnguide.train.augment import BatchAugment

torch.manual_seed(0)
picks = torch.arange(8) * (len(comp.train) // 8)  # the images lie class by class
X = comp.train.images[picks].float() / 255
rows = torch.cat([X, BASELINE.augmentation(28)(X),
                  BatchAugment(padding=2, flip=True, erasing=1.0)(X)])
image_grid(rows, torch.cat([comp.train.labels[picks]] * 3), ncols=8, names=comp.classes,
           title="Originals; cropped and flipped; and with random erasing")

# %% [markdown] en="e44f9caf7f90"
# **翻转何时是错的。** 镜像的外套仍然是外套，因此翻转能让 Fashion-MNIST 的训练图像免费翻倍。但镜像的 2 根本不是数字，镜像的字母会变成另一个字母，或者什么字母都不是；在任何镜像图像属于另一个类别的数据中（箭头、左手和右手、指示方向的路标），翻转会教给网络错误的标签。翻转测试时增强（TTA）则会让情况更糟：它把每个预测与一张网络被教会误读的图像的预测取平均。对于这类数据，请用 `--augment crop`（或 `none`）训练：运行会记录这一设置，随后 `cnnguide predict` 在预测时也不做翻转。
#
# torchvision 的 `transforms.v2` 每次调用只抽取一组随机参数：如果把它作用于一个批量，它会在同一位置裁剪全部 128 张图像。如果对每张图像分别调用，则每张图像、每个变换都要付出一次 Python 调用的代价。因此，`BatchAugment` 以张量的形式为每张图像抽取参数，并用少数几个作用于整个批量的操作来应用它们——对整个批量调用 torchvision 的 `pad` 和 `horizontal_flip`，用一次 gather 完成裁剪，用一个掩码完成擦除。测试会用相同的参数，将每张图像与 `transforms.v2.functional.crop`、`horizontal_flip` 和 `erase` 的结果逐一核对。

# %%
from cnnguide.figures import show_source

show_source(BatchAugment.apply)

# %% [markdown] en="fae121ba6c5f"
# **动量和权重衰减。** 带 Nesterov 动量的 SGD 沿着梯度的滑动平均方向前进，从而平滑掉小批量带来的噪声。训练方案的动量为 0.9，但在下面的调度下它并不固定在这个值：torch 的 `OneCycleLR` 让它在 0.95 和 0.85 之间循环变化，在学习率达到峰值处最低（Smith，2018；调度那一单元会把它打印出来）。权重衰减（5 × 10⁻⁴）把卷积层和线性层的权重拉向零。偏置和批量归一化的参数不做衰减：它们决定的是一层输出的范围，而不是它的复杂度。设置 `optimizer="adamw"` 则换用 AdamW。

# %%
from cnnguide import models
from cnnguide.train.optim import parameter_groups

lenet = models.create("lenet", variant="modern")
for group in parameter_groups(lenet, BASELINE.weight_decay):
    shapes = sorted({tuple(p.shape) for p in group["params"]}, key=len)
    print(f"weight decay {group['weight_decay']:g}: {len(group['params'])} tensors, "
          f"e.g. {shapes[0]} and {shapes[-1]}")

# %% [markdown] en="c4bcfeb8d107"
# **带预热的调度。** 在前 15 % 的步数中，学习率从峰值的二十五分之一开始上升——早期的梯度大而不可靠，批量归一化的统计量也还在趋于稳定——然后沿半个余弦曲线下降到几乎为零，这样最后几轮就以小步幅走进极小值，而不是在它周围来回跳动。这就是 torch 的 `OneCycleLR`；`schedule="cosine"` 则是先 `LinearLR` 再 `CosineAnnealingLR`。下面是本章各次运行所用的调度，按调度器逐步设置的值画出：

# %%
from torch import nn

from cnnguide.figures import schedule_figure

EPOCHS, BATCH = 20, BASELINE.batch_size
steps = EPOCHS * -(-len(train_idx) // BATCH)


def schedule(kind):
    """The learning rate and the momentum the scheduler sets at each step."""
    sgd = torch.optim.SGD(nn.Linear(1, 1).parameters(), lr=BASELINE.lr, momentum=BASELINE.momentum)
    scheduler = BASELINE.replace(schedule=kind).make_schedule(sgd, steps)
    rates, momenta = [], []
    for _ in range(steps):
        rates.append(sgd.param_groups[0]["lr"])
        momenta.append(sgd.param_groups[0]["momentum"])
        sgd.step()
        scheduler.step()
    return rates, momenta


print(f"{EPOCHS} epochs, {len(train_idx):,} images, batches of {BATCH}: {steps} steps")
onecycle, momenta = schedule("onecycle")
peak = max(range(steps), key=onecycle.__getitem__)
print(f"onecycle's momentum: {momenta[0]:.2f} at the first step,\n"
      f"  {momenta[peak]:.2f} at the peak learning rate (step {peak}), {momenta[-1]:.2f} at the last")
schedule_figure({"onecycle (the baseline)": onecycle, "cosine (linear warm-up)": schedule("cosine")[0]},
                title=f"Learning rate over the {steps} steps")

# %% [markdown] en="964cc269b88c"
# （本书的训练方案在整个训练过程中保持学习率不变：LeNet 为 0.9，批量大小为 256。）
#
# **标签平滑。** 使用硬目标的交叉熵会不断奖励网络把正确类别的概率推得越来越接近 1，而网络做到这一点的方式是放大它的 logits——这种过度自信无法泛化。标签平滑（Szegedy 等，2016）改为以一个软化的目标来训练：真实类别上为 $1 - \varepsilon$，再在每个类别上加上 $\varepsilon / K$。这就是 `nn.CrossEntropyLoss(label_smoothing=ε)`；手写出来是这样的：

# %%
eps = BASELINE.label_smoothing
torch.manual_seed(0)
logits, y = torch.randn(4, 10), torch.tensor([0, 3, 9, 9])
target = torch.full((4, 10), eps / 10)
target[torch.arange(4), y] += 1 - eps
by_hand = -(target * logits.log_softmax(dim=1)).sum(dim=1).mean()
print("target of a class-0 image:", " ".join(f"{v:.2f}" for v in target[0]))
print(f"by hand {by_hand:.6f}, torch {BASELINE.loss()(logits, y):.6f}")

# %% [markdown] en="69b48c13bd44"
# **权重的滑动平均（EMA）。** 每一步之后，训练方案都会更新 `torch.optim.swa_utils.AveragedModel` 对权重的指数滑动平均，被评估和保留下来的正是这个平均值。任何单独一步的权重都带有最近几个批量的噪声；它们在最近若干步上的平均则更靠近 SGD 来回游走的那片区域的中心。衰减率为 $d$ 的平均大约能记住 $1/(1-d)$ 步，因此训练方案按运行总步数的一个比例来设定衰减率（`ema=0.05`）：短的运行记忆短，长的运行记忆长。

# %%
decay = BASELINE.ema_decay(steps)
print(f"this chapter's runs: {steps:,} steps, decay {decay:.5f}, remembers ~{1 / (1 - decay):.0f} steps")

# %% [markdown] en="ad511cca1781"
# 短训练早期，平均值中仍有很大一部分是网络开始时的权重，而预热又让学习率保持在较小的值，所以即使原始权重已经开始学习，平均模型在第一轮之后的验证准确率也可能接近随机猜测的水平。再往下的消融实验中包括不使用平均的同一次运行；本页会把两者第一轮的结果都打印出来。
#
# **最佳轮次与翻转测试时增强。** 每一轮之后，训练方案都会测量验证准确率，并保留到目前为止最佳一轮的权重（`KeepBest`），这样一次较早达到峰值的运行就不会停在较差的一轮上。预测时，每张测试图像都会被分类两次：一次是原图，一次是镜像，然后对两个概率向量取平均（`tta_probabilities`）：网络在训练时见过镜像图像，因此这两张都是它熟悉的图像，而它们的错误会部分相互抵消。
#
# **混合精度**（在 GPU 上使用 bf16 autocast）改变的是速度，而不是训练方案；在 CPU 上一切都以全精度运行。
#
# 所有这些都经由与本书训练方案相同的 `fit` 完成，它以参数的形式接收各个组成部分——一个优化器工厂、一个调度器工厂、一个损失函数、一个逐批量的数据增强，以及用于滑动平均和最佳轮次的回调：

# %%
from cnnguide.train.modern import ModernRecipe

show_source(ModernRecipe.fit)

# %% [markdown] en="5034eb3d213c"
# ## 端到端：从文件夹到提交
#
# 这正是读者面对自己的竞赛时要做的事。`cnnguide train MODEL --data DIR` 用基线训练方案在该文件夹上训练（使用 `--data` 时默认就是基线训练方案），并分层留出一部分数据；这里训练的是采用当今各种层的 LeNet（`variant=modern`），留出五分之一，训练上文所说的 20 轮。在 Python 中，由 `main` 接收该命令的参数：

# %%
import json
import time

from cnnguide.cli import main

tic = time.perf_counter()
status = main(["train", "lenet", "-o", "variant=modern", "--data", "comp",
               "--holdout", "0.2", "--epochs", str(EPOCHS), "--device", "cpu",
               "--out", "runs/comp", "--quiet"])
baseline_seconds = time.perf_counter() - tic
run = json.loads(Path("runs/comp/run.json").read_text())
print(f"exit status {status}; {run['train_images']:,} training and "
      f"{run['validation_images']:,} validation images, {run['resize']} px")
files = ", ".join(sorted(p.name for p in Path("runs/comp").iterdir()))
print(textwrap.fill(f"the run folder: {files}", 78))

# %%
from cnnguide.figures import plot_history
from cnnguide.train import History

cli_history = History.load_json("runs/comp/metrics.json")
print(f"best epoch {cli_history.metadata['best_epoch']} of {cli_history.epochs}: "
      f"validation accuracy {cli_history.metadata['best_acc']:.3f} "
      f"(last epoch {cli_history.test_acc[-1]:.3f})")
plot_history(cli_history, title="LeNet (modern), the baseline recipe, on comp/",
             evaluated_on="validation")

# %% [markdown] en="43dc80c47855"
# `cnnguide predict` 从运行的文件夹中读回网络、类别、图像尺寸和通道数，用翻转测试时增强预测 `comp/test/` 中的每张图像（在终端中会显示进度条），然后写出提交文件：每张测试图像一行 `id,label`，标签的拼写与训练文件夹的名称一致。

# %%
from cnnguide.data.competition import score_submission

main(["predict", "runs/comp", "--data", "comp", "--out", "submission.csv",
      "--device", "cpu", "--quiet"])
print("\n".join(Path("submission.csv").read_text().splitlines()[:4]), "\n...")
leaderboard = score_submission("submission.csv", "comp/answers.csv")
print(f"leaderboard score (accuracy on {TEST:,} hidden labels): {leaderboard:.4f}")

# %% [markdown] en="732058b55d7a"
# 提交之前，`cnnguide evaluate` 会显示网络在哪里出错。给定该运行训练时所用的文件夹，它只对该运行留出的图像打分（其余的图像它已经学过了），并打印准确率及其标准误差，以及每个类别的准确率；它还会在 `runs/comp/evaluation/` 中写入一个混淆矩阵和置信度最高的那些错误：

# %%
from cnnguide.figures import SavedPicture

main(["evaluate", "runs/comp", "--data", "comp", "--device", "cpu", "--quiet", "--mistakes", "16"])
written = json.loads(Path("runs/comp/evaluation/evaluation.json").read_text())
SavedPicture("runs/comp/evaluation/mistakes.png", written["figures"]["mistakes.png"], width=640)

# %% [markdown] en="e2b84e46b6ea"
# ## 每个组成部分值多少
#
# 现在用本书的训练方案，以及每次去掉一个组成部分的基线，来参加同一场竞赛。每次运行的预算都相同：同样的 2,000 张训练图像，同样训练 20 轮，因此每次运行看到的训练样本数相同（本书训练方案的批量大小为 256，因而步数只有一半）。每次运行都在相同的验证图像上评判，并在相同的隐藏测试标签上打分；训练方案中包含翻转测试时增强的就使用它：本书的训练方案不用，去掉数据增强的基线也不用——它们的网络在训练中从未见过镜像图像。基线那一行就是上面命令的运行结果。

# %%
from cnnguide import train
from cnnguide.data.competition import predict_images, read_submission

answers = read_submission("comp/answers.csv")
test_y = torch.tensor([comp.classes.index(answers[i]) for i in comp.test.ids])
train_part, val_part = comp.train.subset(train_idx), comp.train.subset(val_idx)
val_iter = val_part.batches(512)


def test_accuracy(net, tta):
    probabilities = predict_images(net, comp.test.images, device="cpu", tta=tta)
    return (probabilities.argmax(dim=1) == test_y).float().mean().item()


def run_variant(recipe):
    torch.manual_seed(0)
    net = models.create("lenet", variant="modern")
    if recipe is None:  # the book's: plain SGD at 0.9, batches of 256, Xavier, constant
        batches = train_part.batches(256, shuffle=True, seed=0)
        history = train.fit(net, batches, val_iter, EPOCHS, 0.9, "cpu", seed=0)
        return history, test_accuracy(net, tta=False)
    batches = train_part.batches(recipe.batch_size, shuffle=True, seed=0)
    history = recipe.fit(net, batches, val_iter, device="cpu", seed=0)
    return history, test_accuracy(net, tta=recipe.tta)


baseline = BASELINE.replace(epochs=EPOCHS)
variants = {"book's recipe": None, **{f"baseline without {piece.replace('_', ' ')}":
            baseline.without(piece) for piece in
            ("augmentation", "momentum", "weight_decay", "schedule", "label_smoothing", "ema")}}


def kept(history):
    """The weights a run keeps and tests, and their validation accuracy: the best epoch's, or the last."""
    if "best_epoch" in history.metadata:
        return f"best, epoch {history.metadata['best_epoch']}", history.metadata["best_acc"]
    return f"last, epoch {history.epochs}", history.test_acc[-1]


results, histories = {}, {}
tic = time.perf_counter()
for name, recipe in variants.items():
    histories[name], acc = run_variant(recipe)
    results[name] = (*kept(histories[name]), acc)
print(f"{len(variants)} runs in {time.perf_counter() - tic:.0f} s "
      f"(the baseline's took {baseline_seconds:.0f} s)")

# %% [markdown] en="1e306d6fdf77"
# 下面是使用和不使用滑动平均时的第一轮（命令运行的曲线就从这里开始），以及这一轮结束后平均值中仍然保留的初始权重的比例，对 $s$ 步而言为 $d^{\,s}$：

# %%
per_epoch = steps // EPOCHS
no_ema = histories["baseline without ema"]
print(f"epoch 1 validation accuracy: {cli_history.test_acc[0]:.3f} with the average, "
      f"{no_ema.test_acc[0]:.3f} without (chance: {1 / len(comp.classes):.3f})")
print(f"after {per_epoch} steps the average keeps {decay ** per_epoch:.0%} of the starting weights; "
      f"by epoch 3 ({3 * per_epoch} steps) {decay ** (3 * per_epoch):.1%}")

# %%
from cnnguide.figures import ablation_figure

results = {"baseline": (*kept(cli_history), leaderboard), **results}
rows = [(name, which, f"{val:.4f}", f"{acc:.4f}") for name, (which, val, acc) in results.items()]
Table(("run", "weights kept", "validation acc", "test acc"), rows, align="llrr",
      notes=("both accuracies are those of the weights each run keeps: the book's recipe keeps the last "
             "epoch's, the baseline's KeepBest the best validation epoch's",))

# %%
test_accs = {name: acc for name, (_, _, acc) in results.items()}
ablation_figure(test_accs, reference="baseline", n=TEST,
                title=f"Test accuracy, {EPOCHS} epochs of 2,000 images each")

# %% [markdown] en="191c6850fcc9"
# 本章一开始要做的比较，由计算得出，而不是凭空断言：

# %%
from cnnguide.cli.runs import load_classifier

standard_error = (leaderboard * (1 - leaderboard) / TEST) ** 0.5
book_acc = results["book's recipe"][2]
verdict = "beats" if leaderboard > book_acc else "does not beat"
print(f"baseline {leaderboard:.4f}, book's recipe {book_acc:.4f}: at equal budget")
print(f"the baseline {verdict} the book's recipe ({leaderboard - book_acc:+.4f}, "
      f"{abs(leaderboard - book_acc) / standard_error:.1f} standard errors)")
adds = {name[len("baseline without "):]: leaderboard - acc
        for name, (_, _, acc) in results.items() if name.startswith("baseline without")}
net, _ = load_classifier("runs/comp")  # the command's network, to score it without TTA
adds["flip TTA"] = leaderboard - test_accuracy(net, tta=False)
for piece, gain in adds.items():
    print(f"{piece:>16} adds {gain:+.4f} ({gain / standard_error:+.1f} standard errors)")
print(f"standard error of an accuracy near {leaderboard:.2f} on {TEST:,} images: {standard_error:.4f}")
within = [piece for piece, gain in adds.items() if abs(gain) < 2 * standard_error]
print(f"{len(within)} of the {len(adds)} pieces add less than 2 standard errors, within this "
      f"measurement's noise:\n  {', '.join(within) if within else 'none'}")

# %% [markdown] en="dcd9e3812a72"
# 每一行“adds”应当这样理解：它是去掉该组成部分让这次运行付出的代价——在 2,000 张测试图像上、针对一个随机种子、以这样一个准确率的标准误差为单位。小于大约两个标准误差的差异，换一个测试集或换一个种子就可能反过来，最后一行统计的正是有多少个组成部分属于这种情况（四舍五入后显示为 2.0 的一行，实际仍可能略小于两个标准误差）。在这个预算下，如果某个组成部分那一行显示的差异不到两个标准误差，那么它既没有被证明有帮助，也没有被证明有害；图中的误差线显示的是同样的结论。在小预算下相信任何消融实验之前，有两个效应值得了解。起正则化作用的组成部分——数据增强、标签平滑——会减慢对训练集的拟合，只有当运行长到没有它们就会过拟合时才会见效；用 2,000 张图像训练 20 轮是很短的。此外，各组成部分之间有重叠：调度最后的低学习率和滑动平均都会抑制最后几步的噪声，因此二者同时存在时，每一个的作用都比它单独存在时小。
#
# ## 在 GPU 上运行完整训练方案
#
# 在 GPU 上，基线用全部 60,000 张训练图像（留出之后为 54,000 张）、以本书的图像尺寸训练每个网络 30 轮——这是本书预算的三倍；与这里一样，LeNet 采用当今的各种层（`cnnguide.recipes.BASELINE_OPTIONS`：使用 sigmoid 的 LeNet 在这套训练方案下走不出平台期）——并记录所保留权重在翻转测试时增强下的测试准确率。对 ResNet-18，目标是 0.95：即 Fashion-MNIST 基准表为它列出的 0.949，两者之差远小于 10,000 张测试图像上准确率的标准误差（约 0.002），并且远高于本书的 10 轮所达到的 0.918。这次运行由脚本记录，生成之后会显示在这里：

# %%
from cnnguide.recorded import report_recorded

report_recorded("resnet18", recipe="baseline")

# %% [markdown] en="c81dff83c3cc"
# `python scripts/reproduce.py --recipe baseline` 会记录全部五个网络；[结果页](../../results/) 把每个网络的结果与本书训练方案的结果以及基准表并列比较。
#
# ## 小结
#
# - 竞赛文件夹由类别文件夹或图像文件夹旁的一张标签表，再加上 `test/` 或一个示例提交文件组成；`read_folders` 能识别常见的布局，把图像一次性解码到一个 `uint8` 张量中，并指出每一个它无法独自解决的文件、表格行或歧义。
# - 翻转适用于镜像后仍属同一类别的数据；对于数字、文字以及任何区分左右的东西，请用 `--augment crop` 训练。
# - 一切都依据从训练数据中分层划分出的验证集来决定；测试标签只用来给最终结果打分。
# - 基线训练方案：裁剪加翻转的数据增强、Nesterov 动量、只作用于权重的权重衰减、先预热再余弦衰减且每一步都更新的调度、标签平滑、权重的滑动平均、保留最佳轮次、翻转测试时增强——每一项都可以用 `BASELINE.without(...)` 关闭。
# - `cnnguide train MODEL --data DIR`、`cnnguide evaluate RUN --data DIR`，然后 `cnnguide predict RUN --data DIR --out submission.csv`，就构成了一份完整的竞赛提交。
# - 消融实验只是在一个预算、一个随机种子下衡量一个组成部分；正则化手段需要较长的运行才能见效，而作用相同的组成部分会相互重叠。
#
# ## 练习
#
# 1. 基线在 GPU 上的一次运行以 128 为批量大小，在 54,000 张图像上训练 30 轮。这一共是多少个优化器步？`BASELINE.ema_decay` 给滑动平均设定的衰减率是多少？这个平均大约能记住多少步？
#
#     <details><summary>答案</summary>
#
#     每轮 ⌈54,000 / 128⌉ = 422 个批量，所以共 30 × 422 = 12,660 步。平均应当记住其中的 5 %，即 633 步，因此衰减率为 1 − 1/633 ≈ 0.99842。
#
#     </details>
#
# 2. 在 10 个类别上使用 $\varepsilon = 0.1$ 的标签平滑时，网络在一张图像上能达到的最小训练损失是多少？为什么本章的训练损失曲线从不接近 0？
#
#     <details><summary>答案</summary>
#
#     损失是预测概率相对于目标（真实类别上为 0.91，其他每个类别上为 0.01）的交叉熵，当预测等于目标时它最小；此时它等于目标的熵，$-(0.91 \ln 0.91 + 9 \times 0.01 \ln 0.01) \approx
#     0.500$。因此这些曲线按其构造就始终高于这个下限。
#
#     </details>
#
# 3. 基线的数据增强（不含随机擦除）能从一张 28 × 28 的训练图像生成多少种不同的图像？
#
#     <details><summary>答案</summary>
#
#     填充量为 0.075 × 28 = 2.1，取整为 2 像素，因此裁剪的偏移在纵向取 2 · 2 + 1 = 5 个值、在横向也取 5 个值：共 25 种裁剪，每种翻转或不翻转，共 50 种图像。
#
#     </details>
#
# 4. 把同一场竞赛布置成一张表而不是类别文件夹（`write_competition(..., layout="csv")`），并用同样的命令在其上训练。运行会有什么变化？
#
#     <details><summary>答案</summary>
#
#     类别相同（经过排序，来自文件夹名或 CSV 中的标签），图像及其尺寸和通道数也相同。但它们的顺序不同：类别文件夹是逐类读取的，每个文件夹中的文件按文件名的文本顺序排序，而 CSV 是逐行读取的。分层留出抽取的是位置，因此它留出的是另外一些图像，运行结果的差异大约相当于换一个随机种子的运行。
#
#     </details>
