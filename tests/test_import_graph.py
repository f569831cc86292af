"""The house reads top-down: no import cycles among the project's modules, and no module
imports from a higher layer than its own.

Every import counts — at the top, inside a function, under ``TYPE_CHECKING`` — because each is
a dependency a reader must follow. ``from package import name`` depends on the submodule when
``name`` is one (``from engine import compiled_pass``), else on the package.
"""
from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted([*ROOT.glob("engine/**/*.py"), *ROOT.glob("gui/**/*.py"), ROOT / "main.py"])

# Low to high: a module may import from its own layer and the ones before it. The longest
# matching prefix decides a module's layer.
LAYERS = [
    ("engine", ("engine",)),
    ("gui base", ("gui", "gui.model", "gui.theme", "gui.formatting", "gui.display",
                  "gui.actions")),
    ("canvas", ("gui.canvas",)),
    ("inspector", ("gui.inspector",)),
    ("panels", ("gui.panels",)),
    ("network", ("gui.network",)),
    ("player", ("gui.player",)),
    ("training", ("gui.training",)),
    ("lessons", ("gui.lessons",)),
    ("window", ("gui.window",)),
    ("entry point", ("main",)),
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(module: str, is_package: bool, tree: ast.AST, known) -> set:
    """The project modules ``module``'s code imports, anywhere in it."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:          # relative: from the package (of) this module
                package = module.split(".") if is_package else module.split(".")[:-1]
                package = package[:len(package) - node.level + 1]
                base = ".".join(package + ([base] if base else []))
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in known else base)
    return {name for name in found if name in known and name != module}


def import_graph(sources: dict) -> nx.DiGraph:
    """``{module: (source text, is_package)}`` → the graph of who imports whom."""
    graph = nx.DiGraph()
    graph.add_nodes_from(sources)
    for module, (text, is_package) in sources.items():
        for target in imported(module, is_package, ast.parse(text), sources):
            graph.add_edge(module, target)
    return graph


def project_graph() -> nx.DiGraph:
    return import_graph({module_name(p): (p.read_text(), p.name == "__init__.py")
                         for p in FILES})


def cycles(graph: nx.DiGraph) -> list:
    """Each group of modules that import each other (directly or round a loop)."""
    return [set(c) for c in nx.strongly_connected_components(graph)
            if len(c) > 1 or graph.has_edge(next(iter(c)), next(iter(c)))]


def layer_of(module: str) -> int:
    best, length = None, -1
    for index, (_name, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > length:
                best, length = index, len(prefix)
    return best


def upward(graph: nx.DiGraph) -> list:
    return sorted((a, b) for a, b in graph.edges if layer_of(b) > layer_of(a))


@pytest.fixture(scope="module")
def graph():
    return project_graph()


def test_no_import_cycles(graph):
    found = cycles(graph)
    loops = []
    for c in found:
        around = [u for u, _ in nx.find_cycle(graph.subgraph(c))]
        loops.append(" → ".join(around + around[:1]))
    assert not found, "import cycles: " + "; ".join(loops)


def test_every_module_has_a_layer(graph):
    assert [m for m in graph if layer_of(m) is None] == []


def test_no_module_imports_from_a_higher_layer(graph):
    found = upward(graph)
    assert not found, "imports from a higher layer: " + ", ".join(
        f"{a} ({LAYERS[layer_of(a)][0]}) → {b} ({LAYERS[layer_of(b)][0]})" for a, b in found)


def test_the_checker_counts_imports_in_functions_and_for_type_checking():
    sources = {
        "pkg": ("from pkg import b\n", True),
        "pkg.a": ("def f():\n    from pkg import b\n", False),
        "pkg.b": ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import f\n",
                  False),
        "pkg.c": ("import pkg.a\n", False),
    }
    graph = import_graph(sources)
    assert set(graph.edges) == {("pkg", "pkg.b"), ("pkg.a", "pkg.b"), ("pkg.b", "pkg.a"),
                                ("pkg.c", "pkg.a")}
    assert cycles(graph) == [{"pkg.a", "pkg.b"}]


def test_the_checker_sees_an_import_from_a_higher_layer():
    """A cycle closed inside a function across two rooms, and the canvas (below the player)
    reaching up into it: both caught."""
    sources = {
        "gui": ("", True),
        "gui.canvas": ("", True),
        "gui.canvas.view": ("def later():\n    from gui.player import strip\n", False),
        "gui.player": ("", True),
        "gui.player.strip": ("from ..canvas import view\n", False),
    }
    graph = import_graph(sources)
    assert cycles(graph) == [{"gui.canvas.view", "gui.player.strip"}]
    assert upward(graph) == [("gui.canvas.view", "gui.player.strip")]
