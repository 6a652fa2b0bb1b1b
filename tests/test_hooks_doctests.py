"""The examples in the docstrings of the site's hooks (``docs/hooks``), which pytest does not collect."""

import doctest
import importlib.util
from pathlib import Path

import pytest

HOOKS = Path(__file__).resolve().parent.parent / "docs" / "hooks"


@pytest.mark.parametrize("name", ["editions", "heading_ids"])
def test_hook_docstring_examples(name):
    spec = importlib.util.spec_from_file_location(f"hook_{name}", HOOKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = doctest.testmod(module)
    assert result.attempted > 0, f"{name}.py has no examples"
    assert result.failed == 0
