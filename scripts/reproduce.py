#!/usr/bin/env python
"""Train the book's five networks with the book's recipe and record each run.

::

    python scripts/reproduce.py                    # all five, 10 epochs each, on the first GPU
    python scripts/reproduce.py --only vgg11,resnet18
    python scripts/reproduce.py --dry-run          # print the recipe table and stop
    python scripts/reproduce.py --loop blog        # the same recipes through the blog's training loop
    python scripts/reproduce.py --smoke --out /tmp/smoke   # tiny subsets, 1 epoch: checks the code path
    python scripts/reproduce.py --recipe baseline --only resnet18   # chapter 16's modern recipe

The recipes (learning rate, batch size, image size, epochs) live in
:mod:`cnnguide.recipes`. Each run writes ``<out>/<name>.json`` (``<name>-blog-loop.json``
with ``--loop blog``): the per-epoch history and, in its metadata, the final test
accuracy, wall time, examples per second, device, torch version, date and the
exact command. ``--recipe baseline`` trains :data:`cnnguide.recipes.BASELINE`
instead (chapter 16's modern recipe, its own number of epochs) and writes
``<name>-baseline.json``: it holds a stratified 10 % of the training images
out to pick the best epoch by, and records the test accuracy of the weights it
keeps, with flip test-time augmentation. ``<out>`` defaults to ``docs/recorded``, which the chapters and the
results page read; a smoke run, a run with a non-recipe number of epochs, or a
CPU run (without ``--allow-cpu``) is refused there, so a page never shows such a
number as the recipe's result.

``--loop blog`` measures what the goal on the results page is measured against:
d2l's ``train_ch6`` as the blog post runs it -- images decoded one at a time
through PIL and torchvision transforms in ``DataLoader`` workers, and a
``float()`` host synchronisation after every batch for the running loss and
accuracy. Same network, recipe and device, so the two wall times compare.
"""

from __future__ import annotations

import argparse
import math
import shlex
import sys
import tempfile
import time
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run from a checkout without installing the package
    sys.path.insert(0, str(REPO))

from cnnguide import data, recorded, train  # noqa: E402
from cnnguide.train import blog_loop  # noqa: E402
from cnnguide.recipes import BASELINE, BASELINE_OPTIONS, BASELINE_TARGET, BOOK_ACCURACY, RECIPES, get_recipe, recipe_table  # noqa: E402

# --smoke: enough to run every line of the real path, in seconds on a CPU.
SMOKE = {"train_size": 64, "test_size": 64, "batch_size": 32, "resize": 32, "epochs": 1}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reproduce.py",
        description="Train the book's five networks with its 10-epoch recipes and record each run as JSON.",
        epilog="Recipes: " + ", ".join(RECIPES) + " (see cnnguide/recipes.py).",
    )
    parser.add_argument("--only", metavar="NAME[,NAME]", help="comma-separated recipe names (default: all five)")
    parser.add_argument("--epochs", type=int, help="epochs per network (default: the recipe's, 10)")
    parser.add_argument("--device", help="torch device, e.g. cuda:0 (default: the first GPU, else the CPU)")
    parser.add_argument("--out", type=Path, help="folder for the JSON files (default: docs/recorded)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the initial weights and the shuffles")
    parser.add_argument("--compile", action="store_true", help="torch.compile the networks (fast loop only)")
    parser.add_argument("--loop", choices=("fast", "blog"), default="fast",
                        help="cnnguide.train.fit (fast) or the blog's d2l train_ch6 loop (blog)")
    parser.add_argument("--recipe", choices=("book", "baseline"), default="book",
                        help="the book's recipes (default) or chapter 16's modern baseline "
                             f"({BASELINE.epochs} epochs; writes <name>-baseline.json)")
    parser.add_argument("--dry-run", action="store_true", help="print the plan (the recipe table) and stop")
    parser.add_argument("--smoke", action="store_true",
                        help=f"tiny run for tests: {SMOKE['train_size']} training and {SMOKE['test_size']} test "
                             f"images, batch {SMOKE['batch_size']}, {SMOKE['resize']} px (LeNet 28), 1 epoch")
    parser.add_argument("--allow-cpu", action="store_true", help="allow a CPU run to write into docs/recorded")
    parser.add_argument("--data-root", type=Path, help="folder holding the four Fashion-MNIST .gz files")
    return parser


def _names(parser, only: str | None) -> list[str]:
    if only is None:
        return list(RECIPES)
    names = [name.strip() for name in only.split(",") if name.strip()]
    unknown = [name for name in names if name not in RECIPES]
    if unknown or not names:
        parser.error(f"--only: unknown recipe(s) {unknown or [only]}; known: {', '.join(RECIPES)}")
    return names


def _settings(recipe, args) -> dict:
    """What this run uses: the recipe, or the smoke sizes."""
    settings = {"lr": recipe.lr, "batch_size": recipe.batch_size, "resize": recipe.resize,
                "epochs": recipe.epochs, "train_size": None, "test_size": None}
    if args.recipe == "baseline":
        settings.update(lr=BASELINE.lr, batch_size=BASELINE.batch_size, epochs=BASELINE.epochs)
    if args.smoke:
        settings.update(SMOKE)
        settings["resize"] = 28 if recipe.resize == 28 else SMOKE["resize"]  # LeNet takes 28x28 only
    if args.epochs is not None:
        settings["epochs"] = args.epochs
    return settings


# --- one run -----------------------------------------------------------------------------


def run_baseline(name: str, args, device: torch.device, command: str) -> dict:
    """Train one network with BASELINE, write ``<name>-baseline.json``, return the final table's row."""
    from cnnguide.data.competition import tta_accuracy
    from cnnguide.data.splits import stratified_split

    recipe = get_recipe(name)
    settings = _settings(recipe, args)
    resize = None if settings["resize"] == 28 else settings["resize"]
    if args.smoke:  # enough steps for the one-cycle schedule's rise and fall
        settings["batch_size"] = 16
    baseline = BASELINE.replace(epochs=settings["epochs"], batch_size=settings["batch_size"])
    images, labels = data.read_fashion_mnist("train", args.data_root)
    test_images, test_labels = data.read_fashion_mnist("test", args.data_root)
    images, labels = images[:settings["train_size"]], labels[:settings["train_size"]]
    test_images, test_labels = test_images[:settings["test_size"]], test_labels[:settings["test_size"]]
    train_idx, val_idx = stratified_split(labels, 0.1, seed=args.seed)
    images, labels, test_images, test_labels = (t.to(device) for t in (images, labels, test_images, test_labels))
    train_iter = data.ImageBatches(images[train_idx], labels[train_idx], settings["batch_size"], True,
                                   seed=args.seed, resize=resize)
    val_iter = data.ImageBatches(images[val_idx], labels[val_idx], 500, False, resize=resize)
    test_iter = data.ImageBatches(test_images, test_labels, 500, False, resize=resize)
    options = {**recipe.options, **BASELINE_OPTIONS.get(name, {})}
    torch.manual_seed(args.seed)
    net = recipe.build(**options)
    parameters = sum(p.numel() for p in net.parameters())
    print(f"\n{recipe.title} ({name}{''.join(f', {k}={v}' for k, v in options.items())}), baseline recipe: {settings['epochs']} epochs, peak lr {baseline.lr:g}, "
          f"batch {settings['batch_size']}, {settings['resize']} px, {len(train_idx):,} training and "
          f"{len(val_idx):,} validation images, {parameters:,} parameters on {device}", flush=True)
    tic = time.perf_counter()
    history = baseline.fit(net, train_iter, val_iter, device=device, seed=args.seed, compile=args.compile,
                           progress=False, callbacks=[train.PrintEpochs(evaluated_on="validation")])
    wall = time.perf_counter() - tic
    throughput = len(train_idx) * history.epochs / sum(len(train_idx) / r for r in history.examples_per_sec)
    test_acc = tta_accuracy(net, test_iter, flip=baseline.tta)
    plain_acc = tta_accuracy(net, test_iter, flip=False)
    path = history.save_json(
        args.out / f"{name}-baseline.json", recipe=f"{name}-baseline", title=recipe.title, model=name,
        model_options=options, loop="fast", smoke=args.smoke, **settings, seed=args.seed,
        compile=args.compile, parameters=parameters, validation_images=len(val_idx),
        final_test_acc=test_acc, final_test_acc_without_tta=plain_acc, book_acc=BOOK_ACCURACY[name],
        wall_seconds=wall, examples_per_sec=throughput, command=command)
    print(f"test accuracy {test_acc:.4f} (without flip TTA {plain_acc:.4f}), best epoch "
          f"{history.metadata.get('best_epoch')}; wrote {path}", flush=True)
    return {"title": recipe.title, "name": name, "test_acc": test_acc, "book_acc": BOOK_ACCURACY[name],
            "wall": wall, "throughput": throughput}


def run_recipe(name: str, args, device: torch.device, command: str) -> dict:
    """Train one recipe, write its JSON, and return the row of the final table."""
    if args.recipe == "baseline":
        return run_baseline(name, args, device, command)
    recipe = get_recipe(name)
    settings = _settings(recipe, args)
    resize = None if settings["resize"] == 28 else settings["resize"]
    torch.manual_seed(args.seed)
    net = recipe.build()
    parameters = sum(p.numel() for p in net.parameters())
    print(f"\n{recipe.title} ({name}): {settings['epochs']} epochs, lr {settings['lr']:g}, "
          f"batch {settings['batch_size']}, {settings['resize']} px, {parameters:,} parameters, "
          f"{args.loop} loop on {device}", flush=True)
    tic = time.perf_counter()
    if args.loop == "blog":
        with tempfile.TemporaryDirectory() as scratch:
            # d2l's four loader workers; none in a smoke run, where starting them would cost more than the run.
            train_iter, test_iter = blog_loop.blog_data_loaders(
                settings["batch_size"], resize, scratch=scratch, root=args.data_root,
                train_size=settings["train_size"], test_size=settings["test_size"],
                num_workers=0 if args.smoke else 4)
            torch.manual_seed(args.seed)
            history = blog_loop.train_ch6(net, train_iter, test_iter, settings["epochs"], settings["lr"], device)
    else:
        train_iter, test_iter = data.load_fashion_mnist(
            settings["batch_size"], resize=resize, device=device, root=args.data_root,
            train_size=settings["train_size"], test_size=settings["test_size"], seed=args.seed)
        history = train.fit(net, train_iter, test_iter, settings["epochs"], settings["lr"], device=device,
                            init="xavier", seed=args.seed, compile=args.compile, progress=False,
                            callbacks=[train.PrintEpochs()])
    wall = time.perf_counter() - tic
    # Training throughput over all epochs: examples seen / seconds spent training.
    examples = len(train_iter.dataset) if hasattr(train_iter, "dataset") else train_iter.labels.shape[0]
    train_seconds = sum(examples / rate for rate in history.examples_per_sec)
    throughput = examples * history.epochs / train_seconds
    test_acc = history.final["test_acc"]
    stem = name if args.loop == "fast" else f"{name}-blog-loop"
    path = history.save_json(
        args.out / f"{stem}.json", recipe=name, title=recipe.title, model=name, model_options=recipe.options,
        loop=args.loop, smoke=args.smoke, **settings, seed=args.seed, compile=args.compile,
        parameters=parameters, final_test_acc=test_acc, book_acc=BOOK_ACCURACY[name],
        wall_seconds=wall, examples_per_sec=throughput, command=command)
    print(f"wrote {path}", flush=True)
    return {"title": recipe.title, "name": name, "test_acc": test_acc, "book_acc": BOOK_ACCURACY[name],
            "wall": wall, "throughput": throughput}


def final_table(rows: list[dict]) -> str:
    """network, test acc, book's acc, wall time, examples/s; then the total wall time."""
    header = ("network", "test acc", "book acc", "wall time", "examples/s")
    body = [(r["title"], f"{r['test_acc']:.3f}", f"{r['book_acc']:.3f}", f"{r['wall']:.1f} s",
             f"{r['throughput']:,.0f}") for r in rows]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    lines = ["  ".join([line[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(line[1:], widths[1:])])
             for line in [header, *body]]
    lines.insert(1, "-" * len(lines[0]))
    lines.append(f"total wall time: {sum(r['wall'] for r in rows):.1f} s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    names = _names(parser, args.only)
    if args.epochs is not None and args.epochs < 1:
        parser.error(f"--epochs must be a positive integer, got {args.epochs}")
    if args.compile and args.loop == "blog":
        parser.error("--compile applies to the fast loop only; the blog's loop does not compile")
    if args.recipe == "baseline" and args.loop == "blog":
        parser.error("--recipe baseline trains through cnnguide's loop; the blog's loop runs the book's recipe")
    if args.out is None:
        if args.smoke:
            parser.error("--smoke needs --out: a smoke run is never written into docs/recorded")
        args.out = recorded.recorded_dir()

    print(recipe_table(names))
    if args.recipe == "baseline":
        print(f"with the baseline recipe instead: {BASELINE}")
    if args.smoke:
        print(f"smoke run: {SMOKE}")
    elif args.epochs is not None:
        print(f"epochs overridden: {args.epochs}")
    if args.dry_run:
        stem = "-baseline" if args.recipe == "baseline" else ""
        print(f"would write {', '.join(str(args.out / f'{n}{stem}.json') for n in names)}")
        return 0

    device = train.try_gpu() if args.device is None else torch.device(args.device)
    planned = {n: BASELINE.epochs if args.recipe == "baseline" else RECIPES[n].epochs for n in names}
    refusal = recorded.recording_refusal(
        args.out, smoke=args.smoke, on_cpu=device.type == "cpu", allow_cpu=args.allow_cpu,
        shortened=args.epochs is not None and any(args.epochs != planned[n] for n in names),
        also_protected=[REPO / "docs" / "recorded"])
    if refusal:
        parser.error(refusal)

    command = shlex.join(["python", "scripts/reproduce.py", *argv])
    rows = [run_recipe(name, args, device, command) for name in names]
    print()
    print(final_table(rows))
    below = [r["title"] for r in rows if r["test_acc"] < r["book_acc"] and not args.smoke]
    if below:
        print(f"below the book's accuracy: {', '.join(below)}")
    for row in rows if args.recipe == "baseline" and not args.smoke else ():
        target = BASELINE_TARGET.get(row["name"])
        if target is not None:
            verdict = "met" if row["test_acc"] >= target else "missed"
            print(f"{row['title']}: test accuracy {row['test_acc']:.4f}, target {target:.2f}: {verdict}")
    return 0 if all(math.isfinite(r["test_acc"]) for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
