"""A non-finite value is named at the node where it first appears, with the cause its inputs
show, worded the same in `grad`'s stderr and in the app (issue 15, item 3)."""
from __future__ import annotations

import contextlib
import io
import json

import pytest

import main as main_py
from conftest import EXAMPLES
from gui_helpers import click, settle
from test_first_minutes_canvas import header_point, type_value
from window_fixtures import dialogs, settings, window  # noqa: F401


def graph_file(tmp_path, name, leaves, op, attrs=None):
    """A graph: leaf inputs (id -> value) into one `op` node 'o', summed into 'L'."""
    nodes = [{"id": k, "op": "input", "value": v} for k, v in leaves.items()]
    nodes += [{"id": "o", "op": op, "attrs": attrs or {}},
              {"id": "L", "op": "sum", "attrs": {}}]
    edges = [{"source": k, "target": "o", "port": i} for i, k in enumerate(leaves)]
    edges.append({"source": "o", "target": "L", "port": 0})
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps({"format": "backprop-studio-graph", "version": 1,
                                "nodes": nodes, "edges": edges, "loss": "L"}))
    return path


def chain_rule_at(tmp_path, x):
    doc = json.loads((EXAMPLES / "chain_rule.json").read_text())
    for node in doc["nodes"]:
        if node["id"] == "x":
            node["value"] = x
    path = tmp_path / "chain_rule_big.json"
    path.write_text(json.dumps(doc))
    return path


# (file maker, node named, the whole message) — the five wordings, and their kin
CASES = {
    "overflow": (lambda tmp: chain_rule_at(tmp, 1e100), "y", "pow overflowed to inf"),
    "zero base": (lambda tmp: graph_file(tmp, "zero_base", {"x": 0.0}, "pow",
                                         {"exponent": -1.0}),
                  "o", "pow of a zero or negative base produced inf"),
    "log": (lambda tmp: graph_file(tmp, "log", {"x": [1.0, -2.0]}, "log"),
            "o", "log of a non-positive value produced nan"),
    "0/0": (lambda tmp: graph_file(tmp, "zero_by_zero", {"a": 0.0, "b": 0.0}, "div"),
            "o", "0/0 produced nan"),
    "inf - inf": (lambda tmp: graph_file(tmp, "cancel", {"a": [[1e200, -1e200]],
                                                         "b": [[1e200], [1e200]]}, "matmul"),
                  "o", "matmul overflowed: inf − inf produced nan"),
    "division by zero": (lambda tmp: graph_file(tmp, "by_zero", {"a": 1.0, "b": 0.0}, "div"),
                         "o", "division by zero produced inf"),
    "exp": (lambda tmp: graph_file(tmp, "exp", {"x": 800.0}, "exp"), "o",
            "exp overflowed to inf"),
}


def grad_stderr(path) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main_py.main(["grad", str(path)])
    return status, err.getvalue()


@pytest.mark.parametrize("case", CASES)
def test_grad_names_the_node_and_the_true_cause(tmp_path, case):
    make, node, message = CASES[case]
    path = make(tmp_path)
    status, err = grad_stderr(path)
    assert status == 2
    assert err == f"backprop-studio grad: {path}: node '{node}': {message}\n"


@pytest.mark.parametrize("case", CASES)
def test_the_app_says_the_same(window, tmp_path, case):
    make, node, message = CASES[case]
    assert window.open_file(str(make(tmp_path)))
    window.model.run_now()
    settle()
    assert window.model.problems[node].message == message
    assert window.canvas.node_item(node).error == message
    assert window.canvas.banner.full_text.endswith(f"(node '{node}': {message})")


def test_two_paths_at_a_huge_t_blames_the_square_that_overflowed(tmp_path):
    doc = json.loads((EXAMPLES / "two_paths.json").read_text())
    doc["nodes"][0]["value"] = 1e200
    path = tmp_path / "two_paths_big.json"
    path.write_text(json.dumps(doc))
    assert grad_stderr(path)[1].endswith("node 'x': pow overflowed to inf\n")


def test_typing_a_huge_x_into_the_inspector_says_overflow(window):
    """The new user's repro: chain_rule, x = 1e100 typed into the value box."""
    assert window.open_file(str(EXAMPLES / "chain_rule.json"))
    settle()
    click(window.canvas, header_point(window.canvas, "x"))
    assert window.inspector.node_id == "x"
    type_value(window, "1e100")
    window.model.run_now()
    settle()
    assert window.canvas.node_item("y").error == "pow overflowed to inf"
    assert "zero or negative" not in window.canvas.banner.full_text


def test_an_infinite_derivative_is_told_apart_from_an_overflow(tmp_path):
    path = graph_file(tmp_path, "sqrt0", {"x": 0.0}, "sqrt")
    assert grad_stderr(path)[1].endswith(
        "node 'o': the gradient sqrt sends to 'x' is inf: the derivative of sqrt is inf here\n")
