"""The engine–GUI boundary (docs/architecture.md), enforced on the source.

- engine/ imports no Qt and nothing from gui/;
- only the model (gui/model/) holds the engine Graph: no other gui module reads ``.nx``, ``.graph`` or
  ``._graph``, and none calls Graph's methods;
- other gui modules import from the engine only its vocabulary (the op registry, problem kinds,
  error types, Trace records, the player's steps of a Trace and the predict mode's questions
  about them) — plus ``engine.load_graph`` in gui/model/files.py, which reads files.
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUI = sorted((ROOT / "gui").rglob("*.py"))
ENGINE = sorted((ROOT / "engine").rglob("*.py"))

VOCABULARY = {"OPS", "CATEGORIES", "Op", "Kind", "Problem", "GraphError", "FileFormatError",
              "Edge", "Trace", "ForwardStep", "BackwardStep", "ops", "errors", "steps", "predict",
              "cli.parsing"}
# modules whose every name is vocabulary: pure functions of a Trace, no Graph behind them, and
# the command line's one-line usage errors (stdlib only)
FREE_MODULES = ("steps", "predict", "cli.parsing")
EXTRA = {"gui/model/files.py": {"load_graph"}}
OWNER = "gui/model/"
GRAPH_ATTRIBUTES = {"nx", "graph", "_graph"}


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def engine_names(tree: ast.AST) -> set:
    """Every name a module takes from the engine: ``from engine(.x) import n`` and the
    attributes read off ``import engine`` (``engine.OPS``)."""
    names, aliases = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and \
                node.module.split(".")[0] == "engine":
            module = node.module.split(".")[1:]
            free = [f for f in FREE_MODULES if ".".join(module + [""]).startswith(f + ".")]
            if free:
                names.add(free[0])
                continue
            names |= {a.name for a in node.names} if not module else set(module) | (
                {a.name for a in node.names} if module[0] in ("ops", "errors") else {"*"})
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name == "engine" or a.name.startswith("engine."):
                    aliases.add(a.asname or "engine")
                    names |= set(a.name.split(".")[1:])
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id in aliases:
            names.add(node.attr)
    return names


@pytest.mark.parametrize("path", ENGINE, ids=relative)
def test_the_engine_imports_no_qt_and_no_gui(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) \
                else [node.module or ""]
            for module in modules:
                assert not module.split(".")[0] in ("PySide6", "shiboken6", "pyqtgraph", "gui"), \
                    f"{relative(path)} imports {module}"


@pytest.mark.parametrize("path", [p for p in GUI if not relative(p).startswith(OWNER)], ids=relative)
def test_only_the_model_holds_the_engine_graph(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            assert node.attr not in GRAPH_ATTRIBUTES, \
                f"{relative(path)}:{node.lineno} reads .{node.attr} (only {OWNER} may)"


@pytest.mark.parametrize("path", [p for p in GUI if not relative(p).startswith(OWNER)], ids=relative)
def test_gui_modules_take_only_the_engines_vocabulary(path):
    allowed = VOCABULARY | EXTRA.get(relative(path), set())
    taken = engine_names(ast.parse(path.read_text()))
    assert taken <= allowed, f"{relative(path)} takes {sorted(taken - allowed)} from the engine"


def test_the_checker_sees_a_violation():
    """The checks above can fail: a module that reaches past the model is caught."""
    bad = ast.parse("import engine\nfrom engine.init import initialize\n"
                    "g = engine.Graph()\nx = model.graph.nx\n")
    assert {"Graph", "init", "*"} <= engine_names(bad)
    assert {n.attr for n in ast.walk(bad) if isinstance(n, ast.Attribute)} & GRAPH_ATTRIBUTES
