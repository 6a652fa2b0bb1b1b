"""scripts/reproduce.py and the recipe table it trains from.

The smoke runs go through the real code path (data, model, loop, JSON) on
tiny subsets, writing to tmp_path; nothing here writes into docs/recorded.
"""

import json
from pathlib import Path

import pytest

from _commands import load_script
from _commands import script_usage_error as usage_error
from cnnguide import models, recorded
from cnnguide.recipes import BENCHMARK_ACCURACY, BOOK_ACCURACY, RECIPES, get_recipe, recipe_table
from cnnguide.train import History

REPO = Path(__file__).resolve().parents[1]
RECORDED = REPO / "docs" / "recorded"


@pytest.fixture(scope="module")
def reproduce():
    return load_script("reproduce")


def recorded_files() -> set:
    return set(RECORDED.glob("*.json")) if RECORDED.is_dir() else set()


# --- the recipes ----------------------------------------------------------------------


def test_recipes_are_the_books():
    assert list(RECIPES) == ["lenet", "vgg11", "googlenet", "resnet18", "densenet_small"]
    table = {name: (r.lr, r.batch_size, r.resize, r.epochs) for name, r in RECIPES.items()}
    assert table == {
        "lenet": (0.9, 256, 28, 10),
        "vgg11": (0.05, 128, 224, 10),
        "googlenet": (0.1, 128, 96, 10),
        "resnet18": (0.05, 256, 96, 10),
        "densenet_small": (0.1, 256, 96, 10),
    }
    assert set(BOOK_ACCURACY) == set(RECIPES)
    assert set(BENCHMARK_ACCURACY) <= set(RECIPES)


@pytest.mark.parametrize("name", list(RECIPES))
def test_every_recipe_builds_a_registered_model(name):
    assert name in models.names()
    net = get_recipe(name).build()
    assert net.__class__.__name__ == models.create(name).__class__.__name__


def test_recipes_name_existing_chapter_slugs():
    for recipe in RECIPES.values():
        assert recipe.chapter[:3] in {"10-", "11-", "13-", "14-", "15-"} and "/" not in recipe.chapter


def test_vgg_recipe_is_quarter_width():
    net = get_recipe("vgg11").build()
    assert [block[0].out_channels for block in net.features] == [16, 32, 64, 128, 128]


def test_recipe_table_and_errors():
    table = str(recipe_table())
    assert len(table.splitlines()) == 2 + len(RECIPES)
    assert "224x224" in table and "0.922" in table
    html = recipe_table()._repr_html_()
    assert html.count("<tr>") == 1 + len(RECIPES)
    assert "width_multiplier=0.25" in html and "VGG-11 (¼ width)" in html
    with pytest.raises(ValueError, match="known recipes: lenet"):
        get_recipe("alexnet")


# --- the script ---------------------------------------------------------------------------


def test_dry_run_prints_the_plan(reproduce, capsys):
    before = recorded_files()
    assert reproduce.main(["--dry-run", "--only", "vgg11,resnet18"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(str(recipe_table(["vgg11", "resnet18"])))
    assert "lenet" not in out.split("would write")[0]
    assert str(RECORDED / "vgg11.json") in out
    assert recorded_files() == before


def test_unknown_name_is_a_usage_error(reproduce, capsys):
    assert "unknown recipe(s) ['alexnet']" in usage_error(reproduce, ["--only", "lenet,alexnet", "--dry-run"], capsys)


def test_smoke_needs_an_out_folder(reproduce, capsys):
    before = recorded_files()
    assert "--smoke needs --out" in usage_error(reproduce, ["--smoke", "--only", "lenet"], capsys)
    assert recorded_files() == before


@pytest.mark.parametrize("extra", [["--smoke"], ["--epochs", "1"], []])
def test_refuses_to_write_cpu_or_short_runs_into_docs_recorded(reproduce, capsys, extra):
    before = recorded_files()
    argv = ["--only", "lenet", "--device", "cpu", "--out", str(RECORDED), *extra]
    assert "refusing to write" in usage_error(reproduce, argv, capsys)
    assert recorded_files() == before


def test_refuses_the_recorded_dir_named_by_the_environment(reproduce, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("CNNGUIDE_RECORDED_DIR", str(tmp_path))
    assert recorded.recorded_dir() == tmp_path
    message = usage_error(reproduce, ["--smoke", "--only", "lenet", "--device", "cpu", "--out", str(tmp_path)], capsys)
    assert "refusing to write a smoke run" in message
    assert not list(tmp_path.iterdir())


def check_record(path: Path, name: str, loop: str):
    history = History.load_json(path)
    meta = history.metadata
    assert history.epochs == 1
    for key in ("device", "torch", "date", "command", "wall_seconds", "examples_per_sec", "final_test_acc"):
        assert meta[key] not in (None, ""), key
    assert meta["final_test_acc"] == history.test_acc[-1]
    assert 0.0 <= meta["final_test_acc"] <= 1.0
    assert meta["recipe"] == name and meta["loop"] == loop and meta["smoke"] is True
    assert meta["book_acc"] == BOOK_ACCURACY[name]
    assert meta["command"].startswith("python scripts/reproduce.py ") and "--smoke" in meta["command"]
    assert meta["device"].startswith("cpu")
    return meta


def test_smoke_run_writes_a_labelled_record(reproduce, capsys, tmp_path):
    before = recorded_files()
    assert reproduce.main(["--smoke", "--only", "lenet", "--device", "cpu", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    meta = check_record(tmp_path / "lenet.json", "lenet", "fast")
    assert (meta["train_size"], meta["batch_size"], meta["resize"]) == (64, 32, 28)
    table = out[out.rindex("network  "):]  # the final table comes after the recipe table
    assert table.splitlines()[0].split() == ["network", "test", "acc", "book", "acc", "wall", "time", "examples/s"]
    assert f"{meta['final_test_acc']:.3f}" in table and "0.789" in table
    assert recorded_files() == before
    # The file reads back through the loader the pages use.
    assert History.load_json(tmp_path / "lenet.json").test_acc == [meta["final_test_acc"]]


def test_blog_loop_smoke(reproduce, capsys, tmp_path):
    assert reproduce.main(["--smoke", "--loop", "blog", "--only", "lenet", "--device", "cpu",
                           "--out", str(tmp_path)]) == 0
    meta = check_record(tmp_path / "lenet-blog-loop.json", "lenet", "blog")
    assert json.loads((tmp_path / "lenet-blog-loop.json").read_text())["metadata"]["loop"] == "blog"
    assert meta["examples_per_sec"] > 0


def test_blog_loop_refuses_compile(reproduce, capsys, tmp_path):
    assert "--compile" in usage_error(reproduce, ["--loop", "blog", "--compile", "--out", str(tmp_path)], capsys)


@pytest.mark.slow
def test_smoke_run_of_all_five(reproduce, capsys, tmp_path):
    assert reproduce.main(["--smoke", "--device", "cpu", "--out", str(tmp_path)]) == 0
    for name in RECIPES:
        check_record(tmp_path / f"{name}.json", name, "fast")


# --- the baseline recipe ----------------------------------------------------------------


def test_baseline_dry_run_names_its_files(reproduce, capsys):
    assert reproduce.main(["--dry-run", "--recipe", "baseline", "--only", "resnet18"]) == 0
    out = capsys.readouterr().out
    assert "with the baseline recipe instead: ModernRecipe(name='baseline'" in out
    assert str(RECORDED / "resnet18-baseline.json") in out


@pytest.mark.parametrize("extra", [["--smoke"], ["--epochs", "10"], []])
def test_baseline_refuses_cpu_or_short_runs_into_docs_recorded(reproduce, capsys, extra):
    before = recorded_files()
    argv = ["--recipe", "baseline", "--only", "lenet", "--device", "cpu", "--out", str(RECORDED), *extra]
    assert "refusing to write" in usage_error(reproduce, argv, capsys)
    assert recorded_files() == before


def test_baseline_refuses_the_blog_loop(reproduce, capsys, tmp_path):
    argv = ["--recipe", "baseline", "--loop", "blog", "--out", str(tmp_path)]
    assert "--recipe baseline trains through cnnguide's loop" in usage_error(reproduce, argv, capsys)


def test_baseline_smoke_run_writes_a_labelled_record(reproduce, capsys, tmp_path):
    assert reproduce.main(["--smoke", "--recipe", "baseline", "--only", "lenet", "--device", "cpu",
                           "--out", str(tmp_path)]) == 0
    history = History.load_json(tmp_path / "lenet-baseline.json")
    meta = history.metadata
    assert meta["recipe"] == "lenet-baseline" and meta["recipe_settings"]["name"] == "baseline"
    assert meta["validation_images"] == 10 and meta["train_size"] == 64 and meta["epochs"] == 1  # >= 1 a class
    assert 0 <= meta["final_test_acc"] <= 1 and 0 <= meta["final_test_acc_without_tta"] <= 1
    assert meta["best_epoch"] == 1 and meta["command"].startswith("python scripts/reproduce.py --smoke")
    assert meta["model_options"] == {"variant": "modern"}  # recipes.BASELINE_OPTIONS
    assert not (tmp_path / "lenet.json").exists()
