"""Change to…: a node turned into another op of the same arity in place — wires, id, value and
position kept — as ONE undo step, from the canvas's right-click menu (real menus, keys)."""
from __future__ import annotations

import pytest

from engine.health import VANISHING
from gui.model import commands
from teach_helpers import open_example, right_click_menu, settle
from window_fixtures import dialogs, graph_dict, settings, window  # noqa: F401

SIGMOIDS = [f"s{k}" for k in range(1, 11)]


def badges(window) -> dict:
    window.model.run_now()
    return {n: {kind for kind, _ in found}
            for n, found in window.model.gradient_health().items()}


def test_change_to_keeps_wires_and_id_and_is_one_undo_step(window):
    import engine
    open_example(window, "chain_rule")
    before = graph_dict(window)
    menus = right_click_menu(window, "u", ["Change to", "mul"])
    assert window.inspector.node_id == "u"                      # the click selected it
    assert window.inspector.badge.toolTip() == engine.OPS["mul"].doc   # its panel follows
    # the submenu offers the ops with two inputs only, grouped by category
    offered = [t for t in menus[1] if t]
    assert offered[0] == "Arithmetic" and "Matrix" in offered     # category titles
    assert "Multiply\t×" in offered and "Add\t+" not in offered
    assert not any(t.startswith(("Tanh", "Input", "Sum\t")) for t in offered)
    after = graph_dict(window)
    assert [n["op"] for n in after["nodes"] if n["id"] == "u"] == ["mul"]
    assert after["edges"] == before["edges"]                    # wires and ports kept
    assert [n["id"] for n in after["nodes"]] == [n["id"] for n in before["nodes"]]
    assert window.undo_stack.count() == 1
    assert window.undo_stack.undoText() == "Change 'u' to mul"
    window.model.run_now()
    assert float(window.model.values["u"]) == 2.25              # x_squared · one = 2.25 · 1
    assert window.canvas.node_item("u").op.name == "mul"         # the card follows
    window.undo_stack.undo()
    assert graph_dict(window) == before
    assert window.canvas.node_item("u").op.name == "add"
    window.undo_stack.redo()
    assert graph_dict(window) == after


def test_vanishing_gradients_badges_go_after_change_to_relu(window):
    open_example(window, "vanishing_gradients")
    found = badges(window)
    early = {n for n, kinds in found.items() if VANISHING in kinds}
    assert {"x", "w1", "z", "s1"} <= early
    window.canvas.select_nodes(SIGMOIDS)        # all ten selected: one choice changes them all
    right_click_menu(window, "s1", ["Change to", "relu"])
    assert {window.model.node(s).op for s in SIGMOIDS} == {"relu"}
    assert window.undo_stack.count() == 1
    assert window.undo_stack.undoText() == "Change 10 nodes to relu"
    assert not any(VANISHING in kinds for kinds in badges(window).values())
    assert abs(float(window.model.grads["w1"])) > 1e-3
    window.undo_stack.undo()
    assert {window.model.node(s).op for s in SIGMOIDS} == {"sigmoid"}
    assert early <= {n for n, kinds in badges(window).items() if VANISHING in kinds}


def test_one_node_changed_alone_when_it_is_not_in_the_selection(window):
    open_example(window, "vanishing_gradients")
    window.canvas.select_nodes(["s2", "s3"])
    right_click_menu(window, "s5", ["Change to", "tanh"])
    assert [window.model.node(s).op for s in ("s2", "s3", "s5")] == ["sigmoid", "sigmoid",
                                                                     "tanh"]


def test_a_refused_change_leaves_nothing_behind(window):
    open_example(window, "chain_rule")
    before = graph_dict(window)
    refusals = []
    window.model.edit_failed.connect(refusals.append)
    window.undo_stack.push(commands.ChangeOp(window.model, ["u", "y"], "mul"))  # y: 1 input
    settle()
    assert graph_dict(window) == before and window.undo_stack.count() == 0
    assert refusals and "arity" in refusals[0]


@pytest.mark.parametrize("name,node,op", [("two_paths", "z", "add"), ("neuron", "o", "sigmoid")])
def test_change_to_recomputes_like_a_graph_built_that_way(window, name, node, op):
    import engine
    open_example(window, name)
    right_click_menu(window, node, ["Change to", op])
    window.model.run_now()
    reference = engine.graph_from_dict(graph_dict(window))
    reference.forward()
    grads = reference.backward()
    assert window.model.graph.node(node).op == op
    for n, g in grads.items():
        assert window.model.grads[n].tolist() == g.tolist()
