"""The package drawn from its imports: every import points downward, with no circle and no grab-bag module.

The graph is read from the source (every ``import`` statement, those inside
functions included: a lazy import still ties two modules together), so it is
the graph a tool such as pydeps would draw.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "cnnguide"
#: The lowest layers: what each of them may import from the package (besides itself).
LAYERS = {
    "cnnguide.ops": set(),
    "cnnguide.models": {"cnnguide.ops"},
}
#: Longest module in lines (the brief's "under about 400"; a docstring-heavy module may reach this).
MAX_LINES = 440


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The package modules that ``name`` imports, resolved (``from . import x`` of a submodule is that submodule)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("cnnguide")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            elif node.module and node.module.startswith("cnnguide"):
                target = node.module
            else:
                continue
            subs = {f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in known}
            found |= subs if subs and len(subs) == len(node.names) else subs | {target}
    return {m for m in found if m in known and m != name}


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(name, path, set(known)) for name, path in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan's algorithm)."""
    index, low, stack, on, found, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_the_graph_is_read():
    edges = graph()
    assert "cnnguide.cli.main" in edges and "cnnguide.cli.train" in edges["cnnguide.cli.main"]
    assert "cnnguide.data.layouts" in edges["cnnguide.data.folders"]


def test_no_import_circles():
    # Package __init__ modules count: a family module that imported `register` from its package's
    # __init__ (which imports the family to register it) was such a circle, now broken by models/registry.py.
    assert cycles(graph()) == []


def test_a_circle_is_found():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("low, allowed", LAYERS.items())
def test_the_low_layers_import_nothing_above_them(low, allowed):
    edges = graph()
    for name, targets in edges.items():
        if name == low or name.startswith(low + "."):
            outside = {t for t in targets if not (t == low or t.startswith(low + "."))}
            above = {t for t in outside if not any(t == a or t.startswith(a + ".") for a in allowed)}
            assert not above, f"{name} imports {sorted(above)}"


def test_training_and_data_know_no_pictures_or_command_line():
    for name, targets in graph().items():
        if name.startswith(("cnnguide.train", "cnnguide.data", "cnnguide.models", "cnnguide.ops")):
            bad = {t for t in targets if t.startswith(("cnnguide.figures", "cnnguide.cli"))}
            assert not bad, f"{name} imports {sorted(bad)}"


def test_no_module_is_a_grab_bag():
    long = {name: n for name, path in modules().items() if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}
