"""The house reads top-down: no import cycles, and no room imports from a room above it.

Every ``import`` of a project module counts, wherever it is written: at the top, inside a
function (a deferred import still ties the two modules together) or under ``TYPE_CHECKING``.

The GUI's rooms, from the bottom (docs/architecture.md): the engine; the GUI's base (the model,
the theme and its colour table, formatting, the display record, the window's action slots);
the canvas; the inspector; the panels (palette, chain rule); the player; training; the window.
A module may import from its own room and from rooms below it.
"""
from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("gui",)
LAYERS = (                       # low → high; a room is "gui.<name>" (a package or a module)
    {"engine"},
    {"gui", "gui.model", "gui.theme", "gui.formatting", "gui.display", "gui.actions"},
    {"gui.canvas"},
    {"gui.inspector"},
    {"gui.panels"},
    {"gui.player"},
    {"gui.training"},
    {"gui.window"},
)


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules(root: Path = ROOT, packages=PACKAGES) -> dict[str, ast.AST]:
    """{dotted name: parsed source} of every module in ``packages``."""
    return {module_name(p, root): ast.parse(p.read_text(encoding="utf-8"), str(p))
            for package in packages for p in sorted((root / package).rglob("*.py"))}


def imported_modules(name: str, tree: ast.AST, known) -> set[str]:
    """The project modules ``name`` imports anywhere in its source (``from a import b`` is
    module ``a.b`` when that is a module, else ``a``); relative imports resolved."""
    package = name if any(k.startswith(name + ".") for k in known) else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            candidates = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                          for alias in node.names]
        else:
            continue
        for candidate in candidates:
            while candidate and candidate not in known:
                candidate = candidate.rpartition(".")[0]
            if candidate and candidate != name:
                found.add(candidate)
    return found


def import_graph(modules: dict) -> nx.DiGraph:
    graph = nx.DiGraph()
    known = set(modules)
    for name, tree in modules.items():
        graph.add_node(name)
        graph.add_edges_from((name, target) for target in imported_modules(name, tree, known))
    return graph


def cycles(graph: nx.DiGraph) -> list[list[str]]:
    """One cycle through each group of modules that import each other, shortest first."""
    found = []
    for group in nx.strongly_connected_components(graph):
        if len(group) > 1:
            sub = graph.subgraph(group)
            start = min(group)
            cycle = min((c for c in nx.simple_cycles(sub) if start in c), key=len)
            at = cycle.index(start)
            found.append(cycle[at:] + cycle[:at])       # read from its first module
    return sorted(found)


def layer_of(module: str, layers=LAYERS) -> int | None:
    """The index of the room ``module`` lives in (its longest matching room name)."""
    best, index = "", None
    for i, rooms in enumerate(layers):
        for room in rooms:
            if (module == room or module.startswith(room + ".")) and len(room) > len(best):
                best, index = room, i
    return index


def upward_imports(graph: nx.DiGraph, layers=LAYERS) -> list[str]:
    found = []
    for source, target in graph.edges:
        low, high = layer_of(source, layers), layer_of(target, layers)
        if low is not None and high is not None and high > low:
            found.append(f"{source} imports {target}")
    return sorted(found)


@pytest.fixture(scope="module")
def graph() -> nx.DiGraph:
    modules = project_modules()
    modules.update({"engine": ast.parse("")})   # the engine as one room under the GUI
    return import_graph(modules)


def test_no_import_cycles(graph):
    assert cycles(graph) == []


def test_no_room_imports_from_a_room_above_it(graph):
    assert upward_imports(graph) == []


def test_every_gui_module_lives_in_a_room(graph):
    assert [m for m in graph if layer_of(m) is None] == []


def test_the_checks_see_a_cycle_and_an_upward_import(tmp_path):
    """The checks above can fail: a cycle closed inside a function, one closed under
    TYPE_CHECKING, and a canvas module reaching up into the player are all caught."""
    files = {
        "gui/__init__.py": "",
        "gui/canvas/__init__.py": "",
        "gui/canvas/view.py": "def later():\n    from gui.player import strip\n",
        "gui/player/__init__.py": "",
        "gui/player/strip.py": "from ..canvas import view\n",
        "gui/model/__init__.py": "from typing import TYPE_CHECKING\n"
                                 "if TYPE_CHECKING:\n    from gui.model.files import x\n",
        "gui/model/files.py": "import gui.model\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    fake = import_graph(project_modules(tmp_path))
    assert cycles(fake) == [["gui.canvas.view", "gui.player.strip"],
                            ["gui.model", "gui.model.files"]]
    assert upward_imports(fake) == ["gui.canvas.view imports gui.player.strip"]
