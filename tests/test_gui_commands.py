"""Every undo command: do, undo (exact prior state, saved JSON included), redo."""
import json

import numpy as np
import pytest
from PySide6.QtGui import QUndoStack

import engine
from engine import GraphError, Kind
from gui.model import commands as cmd
from gui.model.auto_layout import layered_positions
from gui.model import GraphModel
from gui.model.templates import TEMPLATES


def saved(model) -> str:
    return json.dumps(engine.graph_to_dict(model.graph), sort_keys=True)


@pytest.fixture
def model(qtbot):
    m = GraphModel(engine.Graph())
    m.add_node("x", "input", value=2.0, position=(0, 0), extra={"note": "kept"})
    m.add_node("w", "parameter", value=[0.5], position=(0, 120))
    m.add_node("y", "mul", position=(200, 40))
    m.add_node("z", "tanh", position=(400, 40))
    m.connect("x", "y", 0)
    m.connect("w", "y", 1, extra={"label": "weight"})
    m.connect("y", "z", 0)
    m.run_now()
    return m


@pytest.fixture
def stack():
    return QUndoStack()


def roundtrip(model, stack, command):
    """Push, undo, redo; assert undo restores the exact JSON; return the JSON after redo."""
    before = saved(model)
    stack.push(command)
    after = saved(model)
    assert after != before
    stack.undo()
    assert saved(model) == before
    stack.redo()
    assert saved(model) == after
    return after


def test_add_node(model, stack):
    roundtrip(model, stack, cmd.AddNode(model, "e", "exp", position=(10, 20)))
    assert model.node("e").position == (10, 20)


def test_remove_nodes_restores_edges_attrs_values_extra(model, stack):
    roundtrip(model, stack, cmd.RemoveNodes(model, ["y"]))
    assert not model.has_node("y") and model.graph.edges() == []
    stack.undo()   # same node and edge order, attrs, values, extra keys: the JSON is identical
    assert model.edge_extra("y", 1) == {"label": "weight"}


def test_remove_leaf_keeps_extra_and_value(model, stack):
    roundtrip(model, stack, cmd.RemoveNodes(model, ["x"]))
    stack.undo()
    assert model.node("x").extra == {"note": "kept"}
    assert float(model.node("x").value) == 2.0


def test_remove_the_loss_restores_it(model, stack):
    model.set_loss("z")
    stack.push(cmd.RemoveNodes(model, ["z"]))
    stack.undo()
    assert model.graph.loss == "z"


def test_connect_and_replace(model, stack):
    model.add_node("c", "constant", value=3.0)
    roundtrip(model, stack, cmd.Connect(model, "c", "y", 1))   # replaces w → y:1
    assert model.source_of("y", 1) == "c"
    stack.undo()
    assert model.source_of("y", 1) == "w" and model.edge_extra("y", 1) == {"label": "weight"}


def test_disconnect(model, stack):
    roundtrip(model, stack, cmd.Disconnect(model, "y", 1))
    assert model.source_of("y", 1) is None


def test_move_nodes_is_one_step_for_all(model, stack):
    roundtrip(model, stack, cmd.MoveNodes(model, {"x": ((0, 0), (5, 6)),
                                                   "y": ((200, 40), (205, 46))}))
    assert stack.count() == 1
    assert model.node("x").position == (5, 6) and model.node("y").position == (205, 46)


def test_set_attr(model, stack):
    model.add_node("p", "pow", position=(0, 300))
    roundtrip(model, stack, cmd.SetAttr(model, "p", "exponent", 3.0))
    assert model.node("p").attrs["exponent"] == 3.0


def test_set_value(model, stack):
    roundtrip(model, stack, cmd.SetValue(model, "x", [[1.0, 2.0]]))
    np.testing.assert_array_equal(model.node("x").value, [[1.0, 2.0]])


def test_rename(model, stack):
    roundtrip(model, stack, cmd.RenameNode(model, "y", "product"))
    assert model.source_of("z", 0) == "product"


def test_insert_fragment_renames_and_offsets(model, stack):
    fragment = model.fragment(["x", "y"])
    command = cmd.InsertFragment(model, fragment, (300, 0))
    roundtrip(model, stack, command)
    assert command.node_ids == ["x2", "y2"]
    assert model.node("y2").position == (500, 40)
    assert model.source_of("y2", 0) == "x2"          # inner edge kept
    assert model.source_of("y2", 1) is None           # w was not copied
    assert model.node("x2").extra == {"note": "kept"}


def test_fresh_ids_strip_number_suffixes(model):
    assert model.new_id("y") == "y2"
    assert model.new_id("y", {"y2"}) == "y3"
    assert model.new_id("new") == "new"


def test_a_fragment_that_cannot_build_is_refused_whole(model):
    before = model.node_ids()
    fragment = {"nodes": [{"id": "p", "op": "input", "value": 1.0},
                          {"id": "q", "op": "no_such_op"}], "edges": []}
    with pytest.raises(GraphError) as err:
        cmd.InsertFragment(model, fragment, (0, 0))
    assert err.value.kind is Kind.UNKNOWN_OP and model.node_ids() == before


@pytest.mark.parametrize("label", list(TEMPLATES))
def test_templates_insert_and_compute(qtbot, stack, label):
    m = GraphModel(engine.Graph())
    command = cmd.InsertFragment(m, TEMPLATES[label], (100, 100))
    stack.push(command)
    m.run_now()
    assert m.errors == {}
    assert len(m.values) == len(TEMPLATES[label]["nodes"])
    stack.undo()
    assert m.graph.node_ids() == []


def test_auto_layout_by_topological_layers(model, stack):
    positions = layered_positions(model)
    assert positions["x"][0] == positions["w"][0] < positions["y"][0] < positions["z"][0]
    roundtrip(model, stack, cmd.AutoLayout(model, positions))
    assert stack.count() == 1


def test_set_loss_command(model, stack):
    model.add_node("n", "neg")
    model.connect("x", "n", 0)
    roundtrip(model, stack, cmd.SetLoss(model, "n"))
    assert model.graph.loss == "n"


def test_undo_of_delete_keeps_the_file_order_for_later_redo(model, stack):
    """Delete a middle node, undo, then edit on: redo-from-empty must give the same file."""
    stack.push(cmd.AddNode(model, "e", "exp", position=(0, 300)))
    stack.push(cmd.RemoveNodes(model, ["w"]))
    stack.undo()
    stack.push(cmd.AddNode(model, "f", "neg", position=(0, 400)))
    top = saved(model)
    assert [n["id"] for n in json.loads(top)["nodes"]] == ["x", "w", "y", "z", "e", "f"]
    while stack.canUndo():
        stack.undo()
    while stack.canRedo():
        stack.redo()
    assert saved(model) == top


@pytest.mark.parametrize("make", [
    lambda m: cmd.SetAttr(m, "x", "slope", 2.0),            # input has no such attr
    lambda m: cmd.SetValue(m, "y", 3.0),                    # mul computes its value
    lambda m: cmd.RenameNode(m, "y", "z"),                  # id taken
    lambda m: cmd.AddNode(m, "x", "neg"),                   # id taken
    lambda m: cmd.Connect(m, "z", "y", 0),                  # cycle
    lambda m: cmd.SetLoss(m, "nope"),
])
def test_refused_edits_change_nothing_and_leave_no_step(model, stack, make):
    failures = []
    model.edit_failed.connect(failures.append)
    before = saved(model)
    stack.push(make(model))
    assert saved(model) == before
    assert stack.count() == 0
    assert len(failures) == 1
