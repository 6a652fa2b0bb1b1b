"""The package's face: ``import cnnguide`` is cheap, and every module is reachable from it."""

import subprocess
import sys

import pytest

MODULES = ["cli", "data", "devices", "figures", "gan", "memory", "metrics", "models", "ops", "recipes",
           "recorded", "summary", "tables", "train"]


def run(code):
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_import_cnnguide_imports_nothing_heavy():
    loaded = run("import sys, cnnguide; print(sorted(m for m in sys.modules "
                 "if m.startswith(('cnnguide.', 'torch', 'matplotlib', 'numpy'))))")
    assert loaded == "[]"


def test_modules_are_attributes_imported_on_first_use():
    out = run("import sys, cnnguide\n"
              "assert 'cnnguide.models' not in sys.modules\n"
              "print(cnnguide.models.create('lenet').__class__.__name__, 'cnnguide.models' in sys.modules,\n"
              "      'cnnguide.figures' in sys.modules)")
    assert out == "LeNet True False"


@pytest.mark.parametrize("name", MODULES)
def test_every_module_is_reachable_and_listed(name):
    import importlib

    import cnnguide

    assert name in dir(cnnguide)
    assert getattr(cnnguide, name) is importlib.import_module(f"cnnguide.{name}")


def test_unknown_attribute_raises_attribute_error():
    import cnnguide

    with pytest.raises(AttributeError, match="module 'cnnguide' has no attribute 'model'"):
        cnnguide.model  # noqa: B018
    assert not hasattr(cnnguide, "model")


def test_from_torchvision_is_reachable_from_models():
    import cnnguide
    from cnnguide.models import torchvision_weights

    assert cnnguide.models.from_torchvision is torchvision_weights.from_torchvision
    assert "torchvision" not in run("import sys, cnnguide.models; print([m for m in sys.modules if 'torchvision' == m])")


def test_figures_names_are_imported_from_their_module_on_first_use():
    out = run("import sys\nfrom cnnguide.figures import padding_figure\n"
              "print(padding_figure.__module__, sorted(m for m in sys.modules if m.startswith('cnnguide.gan')))")
    assert out == "cnnguide.figures.convolution []", "drawing a convolution must not import the GAN package"


def test_figures_table_lists_every_modules_public_names():
    import importlib

    from cnnguide import figures

    for module, names in figures._EXPORTS.items():
        assert set(names) <= set(importlib.import_module(f"cnnguide.figures.{module}").__all__), module
    for name in figures.__all__:
        assert getattr(figures, name).__name__ == name
    with pytest.raises(AttributeError, match="has no attribute 'no_such_figure'"):
        figures.no_such_figure  # noqa: B018
