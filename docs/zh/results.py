# %% [markdown] en="37409c0138a4"
# # 结果
#
# 本页把专题 1 的五个网络按 d2l 一书的训练方案训练后的准确率，与书中打印出的准确率进行比较。本页在构建网站时执行：我们的数字读自 `docs/recorded/` 中记录的运行（每次运行都标注了设备、日期和命令）；还没有记录运行的网络，本页会如实说明，并给出记录它的命令。参考数字都是引用的，并注明了出处。
#
# **目标：** 每个网络都达到或超过书中训练 10 轮后的测试准确率；并且在同一块 GPU 上，五次运行加起来的实际耗时不超过博客训练循环（d2l 的 `train_ch6`）的五分之一。
#
# ## 训练方案
#
# 五个网络的共同设置：用普通的小批量 SGD（不带动量，也不带权重衰减）训练 10 轮，Xavier 均匀初始化，交叉熵损失；Fashion-MNIST 的 60,000 张训练图像缩放到表中所列的尺寸，并在它的 10,000 张测试图像上测试。这张表就是 `cnnguide.recipes.RECIPES`，`scripts/reproduce.py` 正是依据它进行训练的。

# %%
from cnnguide.recipes import recipe_table

recipe_table()

# %% [markdown] en="688c81da217c"
# ## 准确率
#
# 表中的“book”列是 d2l 一书打印的训练 10 轮后的测试准确率（每个网络只运行了一次，所依据的版本和章节在表下注明）；“benchmark”列是 Fashion-MNIST README 的基准表中为该架构列出的最高准确率，训练方式由每位贡献者自行决定（该表为一些行列出了预处理方法，另一些行则没有，而且都没有给出训练预算），因此它只是一个参考，而不是目标。这两列都是引用的数字，只有“ours”列是实测的，取自记录下来的、训练完整时长的运行。LeNet 的完整训练方案还会在每次构建本站时在 CPU 上运行一遍：[第 10 章](../chapters/10-lenet/)把它的测试准确率与书中的准确率并列打印出来。

# %%
from IPython.display import Markdown, display

from cnnguide.recipes import BENCHMARK_ACCURACY, BENCHMARK_SOURCE, BOOK_ACCURACY, BOOK_SOURCE, RECIPES
from cnnguide.recorded import load_recorded

runs = {name: load_recorded(name) for name in RECIPES}
rows = ["| network | ours (recorded) | book (quoted) | benchmark (quoted) | at or above the book? |",
        "|---|---:|---:|---:|---|"]
for name, recipe in RECIPES.items():
    run = runs[name]
    book = BOOK_ACCURACY[name]
    listed = BENCHMARK_ACCURACY.get(name)
    benchmark = f"{listed[1]:.3f} ({listed[0]})" if listed else "not listed"
    if run is None:
        ours, verdict = "not yet recorded", "—"
    else:
        acc = run.final["test_acc"]
        ours, verdict = f"{acc:.3f}", ("yes" if acc >= book else f"no ({acc - book:+.3f})")
    rows.append(f"| [{recipe.title}](../chapters/{recipe.chapter}/) | {ours} | {book:.3f} | {benchmark} | {verdict} |")
display(Markdown("\n".join(rows)))
display(Markdown(f"**Book:** {BOOK_SOURCE}.\n\n**Benchmark:** {BENCHMARK_SOURCE}."))

# %% [markdown] en="13c515e097b1"
# ## 基线训练方案
#
# [第 16 章](../chapters/16-competition-baseline/)的现代训练方案 `cnnguide.recipes.BASELINE`——裁剪加翻转的数据增强、带权重衰减的 Nesterov 动量、one-cycle 学习率调度、标签平滑、权重的滑动平均、按分层留出的 10 % 验证集选出的最佳一轮、翻转测试时增强、训练 30 轮——以本书所用的图像尺寸训练每个网络（LeNet 采用现代的各种层，即 `cnnguide.recipes.BASELINE_OPTIONS`）。“baseline”列是它所保留的权重在 10,000 张测试图像上的测试准确率；本书和基准表的数字与上面一样，都是引用的。

# %%
from IPython.display import Markdown, display

from cnnguide.recipes import BASELINE_TARGET, BENCHMARK_ACCURACY, BOOK_ACCURACY, RECIPES
from cnnguide.recorded import describe_recorded, load_recorded

baselines = {name: load_recorded(f"{name}-baseline") for name in RECIPES}
rows = ["| network | baseline (recorded) | book's recipe (recorded) | book (quoted) "
        "| benchmark (quoted) |", "|---|---:|---:|---:|---:|"]
for name, recipe in RECIPES.items():
    run, book_run = baselines[name], load_recorded(name)
    listed = BENCHMARK_ACCURACY.get(name)
    ours = "not yet recorded"
    if run is not None:
        acc = run.metadata["final_test_acc"]
        ours = f"{acc:.3f}"
        if name in BASELINE_TARGET:
            met = "met" if acc >= BASELINE_TARGET[name] else "missed"
            ours += f" (target {BASELINE_TARGET[name]:.2f}: {met})"
    book_ours = f"{book_run.final['test_acc']:.3f}" if book_run is not None else "not yet recorded"
    benchmark = f"{listed[1]:.3f} ({listed[0]})" if listed else "not listed"
    rows.append(f"| [{recipe.title}](../chapters/{recipe.chapter}/) | {ours} | {book_ours} "
                f"| {BOOK_ACCURACY[name]:.3f} | {benchmark} |")
display(Markdown("\n".join(rows)))
for name, recipe in RECIPES.items():
    run = baselines[name]
    if run is None:
        print(f"{recipe.title}: not yet recorded; on a GPU run\n    {recipe.baseline_command()}")
    else:
        print(f"{recipe.title}: {describe_recorded(run)}\n    best epoch "
              f"{run.metadata.get('best_epoch')} of {run.epochs}, wall time "
              f"{run.metadata.get('wall_seconds', float('nan')):.0f} s")

# %% [markdown] en="4baa4fef272b"
# 我们的每个数字从何而来（或者如何得到它）：

# %%
from cnnguide.recipes import RECIPES
from cnnguide.recorded import describe_recorded

for name, recipe in RECIPES.items():
    run = runs[name]
    if run is None:
        print(f"{recipe.title}: not yet recorded; on a GPU run\n    {recipe.command()}")
    else:
        meta = run.metadata
        print(f"{recipe.title}: {describe_recorded(run)}\n    {run.epochs} epochs, "
              f"wall time {meta.get('wall_seconds', float('nan')):.1f} s, "
              f"{meta.get('examples_per_sec', float('nan')):,.0f} training examples/s")

# %% [markdown] en="147949280717"
# 已记录运行的训练曲线（如果有的话）：

# %%
from IPython.display import display

from cnnguide.figures import plot_history

recorded = {name: run for name, run in runs.items() if run is not None}
if not recorded:
    print("No run is recorded yet. On a GPU, this records all five:\n"
          "    python scripts/reproduce.py")
for name, run in recorded.items():
    display(plot_history(run, title=f"{RECIPES[name].title}, recorded on {run.metadata['device']}"))

# %% [markdown] en="be0c31a8b716"
# ## 实际耗时
#
# 目标的后半部分，是把记录下的五次运行与用博客的训练循环按相同训练方案训练的运行进行比较。博客的循环就是 d2l 的 `train_ch6`，数据由一个 `DataLoader` 提供：它通过 PIL 和 torchvision 的变换逐张解码图像，而且每个批量之后都调用一次 `float()`，让 CPU 等待 GPU。`scripts/reproduce.py --loop blog` 运行这个循环，并记录 `docs/recorded/<name>-blog-loop.json`。只有当全部十次运行都记录在同一台设备上时，才会进行比较。

# %%
import textwrap

from cnnguide.recipes import RECIPES
from cnnguide.recorded import load_recorded

blog = {name: load_recorded(f"{name}-blog-loop") for name in RECIPES}
missing = [name for name in RECIPES if runs[name] is None] + [f"{n}-blog-loop" for n in RECIPES if blog[n] is None]
devices = {run.metadata["device"] for run in [*runs.values(), *blog.values()] if run is not None}
if missing:
    print(textwrap.fill(f"not yet recorded: {', '.join(missing)}", 78, break_on_hyphens=False))
    print("record them on one GPU with\n    python scripts/reproduce.py\n    python scripts/reproduce.py --loop blog")
elif len(devices) > 1:
    print(f"the runs were recorded on different devices ({', '.join(sorted(devices))}); no comparison made")
else:
    from cnnguide.tables import Table

    def seconds(run):
        return run.metadata["wall_seconds"]

    ours_total = sum(seconds(run) for run in runs.values())
    blog_total = sum(seconds(run) for run in blog.values())
    ratio = ours_total / blog_total
    verdict = "meets" if ratio <= 0.2 else "misses"
    display(Table(
        ("network", "ours (s)", "blog loop (s)"),
        [(RECIPES[n].title, f"{seconds(runs[n]):.1f}", f"{seconds(blog[n]):.1f}") for n in RECIPES],
        align="lrr", total=("total", f"{ours_total:.1f}", f"{blog_total:.1f}"),
        caption=f"Wall time on {devices.pop()}",
        notes=(f"ours / blog loop = {ratio:.2f}: {verdict} the goal of at most 0.20",)))

# %% [markdown] en="4637cca6fab1"
# ## GAN
#
# 专题 2 记录的运行，每一次都标注了运行的地点和时间：为 CPU 调整了规模的 DCGAN 和条件 DCGAN（训练方案 `dcgan-cpu` 和 `cgan-cpu`，用[第 18 章](../chapters/18-dcgan/)的评判器在 10,000 个样本上度量），以及圆环上各种补救方法在十个种子上的结果（[第 20 章](../chapters/20-mode-collapse/)）。目标是：DCGAN 的 judge FID 不超过 5；条件 DCGAN 的标签一致率至少为 0.85；有一种补救方法在 8 个模式中至少覆盖 7.5 个，且高质量样本至少占 70 %。

# %%
import json

from cnnguide.gan import GANHistory
from cnnguide.gan.compare import recorded_ring_runs, summarize_runs
from cnnguide.recorded import describe_recorded, recorded_path

for name, goal in (("gan-dcgan-cpu", "judge FID <= 5"), ("gan-cgan-cpu", "label agreement >= 0.85")):
    path = recorded_path(name)
    if not path.exists():
        print(f"{name}: not yet recorded; to record it:\n"
              f"    python scripts/reproduce_gan.py --only {name[4:]} --device cpu --allow-cpu")
        continue
    run = GANHistory.load_json(path)
    judge = run.metadata["judge"]
    line = f"{name}: judge FID {judge['judge_fid']:.2f}, Inception Score {judge['inception_score']:.2f}"
    met = judge["judge_fid"] <= 5
    if "label_agreement" in run.metadata:
        agreement = run.metadata["label_agreement"]["overall"]
        line += f", label agreement {agreement:.3f}"
        met = agreement >= 0.85
    print(f"{line} after {run.last_step:,} steps:\n    {'meets' if met else 'misses'} the goal ({goal})")
    print(textwrap.fill(describe_recorded(run), 96, initial_indent="    ", subsequent_indent="    ",
                        break_on_hyphens=False, break_long_words=False))

path = recorded_path("ring-remedies-12k")
if not path.exists():
    print("ring-remedies-12k: not yet recorded; python scripts/tune_ring.py --help says how")
else:
    record = json.loads(path.read_text())
    for steps, ring_runs in recorded_ring_runs(record).items():
        for setting, s in summarize_runs(ring_runs).items():
            met = s["modes"][0] >= 7.5 and s["high_quality"][0] >= 0.70
            print(f"ring, {setting}, {steps:,} steps: {s['modes'][0]:.1f} modes, {s['high_quality'][0]:.1%} high "
                  f"quality ({s['seeds']} seeds){': meets the goal' if met else ''}")
    print(f"    recorded on {record['device']}, a {record['cores']}-core machine, {record['date'][:10]}, "
          f"torch {record['torch']}, in {record['wall_seconds'] / 60:.0f} min")

# %% [markdown] en="31c173d0febf"
# ## 复现
#
# 在一台有 CUDA GPU 的机器上，在已安装本包的代码检出目录中运行：
#
# ```bash
# python scripts/reproduce.py --dry-run          # 计划：即上面的训练方案表
# python scripts/reproduce.py                    # 全部五个网络，写入 docs/recorded/<name>.json
# python scripts/reproduce.py --only resnet18    # 单个网络
# python scripts/reproduce.py --loop blog        # 博客的循环，用于实际耗时的比较
# ```
#
# 该脚本拒绝把冒烟测试（smoke）运行或轮数不同的运行写入 `docs/recorded`；CPU 上的运行也会被拒绝，除非给出 `--allow-cpu`（此时运行会标注它所用的 CPU）。因此，本页展示的永远只是该训练方案的结果，并注明它在哪里运行。只要 `docs/recorded` 中有文件发生变化，重新构建网站时就会重新执行本页。
