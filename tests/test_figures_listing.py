"""show_source: the library's code as the chapters show it."""

import inspect

import pytest

from cnnguide.figures import show_source
from cnnguide.models.resnet import BasicBlock
from cnnguide.ops import corr2d


def test_listing_is_the_source_with_its_place():
    listing = show_source(corr2d)
    lines, first = inspect.getsourcelines(corr2d)
    assert listing.code == "".join(lines)
    assert listing.first_line == first
    assert listing.last_line == first + len(lines) - 1
    assert listing.path == "cnnguide/ops/correlation.py"
    assert listing.name == "cnnguide.ops.correlation.corr2d"


def test_method_listing_is_dedented_and_can_drop_its_docstring():
    listing = show_source(BasicBlock.forward, docstring=False)
    lines, first = inspect.getsourcelines(BasicBlock.forward)
    assert (listing.first_line, listing.last_line) == (first, first + len(lines) - 1)
    assert listing.code.startswith("def forward(")
    assert inspect.getdoc(BasicBlock.forward) is None or \
        inspect.getdoc(BasicBlock.forward).splitlines()[0] not in listing.code


def test_markdown_is_a_python_block_with_a_caption():
    md = show_source(corr2d, docstring=False)._repr_markdown_()
    assert "````python\ndef corr2d(" in md
    assert "`cnnguide/ops/correlation.py`, lines" in md


def test_code_typed_at_runtime_is_refused():
    namespace = {}
    exec("def f():\n    return 1\n", namespace)
    with pytest.raises(ValueError, match="no source found"):
        show_source(namespace["f"])
