"""Wiring and moving with real mouse events on the canvas viewport."""
import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from gui.canvas.port_item import OUTPUT
from gui_helpers import make_canvas, mouse_drag, node_center, port_pos


@pytest.fixture
def canvas(qtbot):
    return make_canvas(qtbot, center=(300, 150))


def add(model, node_id, op, pos, value=None):
    model.add_node(node_id, op, value=value, position=pos)


def test_port_to_port_drag_connects_and_gradient_shows(canvas):
    model, stack, view = canvas
    add(model, "x", "input", (0, 0), value=3.0)
    add(model, "sq", "mul", (300, 0))
    mouse_drag(view, port_pos(view, "x", OUTPUT), port_pos(view, "sq", 0))
    mouse_drag(view, port_pos(view, "x", OUTPUT), port_pos(view, "sq", 1))
    assert model.graph.input_sources("sq") == ["x", "x"]
    assert stack.count() == 2
    model.run_now()
    assert float(model.grads["x"]) == 6.0
    item = view.node_item("x")
    assert item.grad_text == "∂sq/∂x = 6" and item.value_text == "= 3"
    assert view.graph_scene.edges[("x", "sq", 0)].grad_strength is not None


def test_drag_from_input_to_output_connects_too(canvas):
    model, stack, view = canvas
    add(model, "x", "input", (0, 0), value=1.0)
    add(model, "n", "neg", (300, 0))
    mouse_drag(view, port_pos(view, "n", 0), port_pos(view, "x", OUTPUT))
    assert model.source_of("n", 0) == "x"


def test_valid_target_port_is_highlighted_while_dragging(canvas, qtbot):
    from PySide6.QtTest import QTest
    model, _stack, view = canvas
    add(model, "x", "input", (0, 0), value=1.0)
    add(model, "n", "neg", (300, 0))
    vp = view.viewport()
    start = view.mapFromScene(port_pos(view, "x", OUTPUT))
    over = view.mapFromScene(port_pos(view, "n", 0))
    QTest.mousePress(vp, Qt.LeftButton, Qt.NoModifier, start)
    QTest.mouseMove(vp, over)
    assert view.node_item("n").highlight_port == 0
    assert view._wire is not None
    QTest.mouseRelease(vp, Qt.LeftButton, Qt.NoModifier, over)
    assert view._wire is None and view.node_item("n").highlight_port in (None, 0)


def test_cycle_is_refused_with_its_reason(canvas, qtbot):
    model, stack, view = canvas
    add(model, "a", "input", (0, 0), value=1.0)
    add(model, "b", "neg", (250, 0))
    add(model, "c", "exp", (500, 0))
    model.connect("a", "b", 0)
    model.connect("b", "c", 0)
    messages = []
    view.refused.connect(messages.append)
    before = [(e.source, e.target, e.port) for e in model.graph.edges()]
    mouse_drag(view, port_pos(view, "c", OUTPUT), port_pos(view, "b", 0))
    assert [(e.source, e.target, e.port) for e in model.graph.edges()] == before
    assert stack.count() == 0
    assert messages and "would create a cycle: c → b → c" in messages[-1]


@pytest.mark.parametrize("start,end,reason", [
    (("a", OUTPUT), ("b", OUTPUT), "output cannot feed an output"),
    (("b", 0), ("c", 0), "input cannot feed an input"),
    (("b", OUTPUT), ("b", 0), "cannot feed itself"),
])
def test_impossible_wires_are_refused(canvas, start, end, reason):
    model, stack, view = canvas
    add(model, "a", "input", (0, 0), value=1.0)
    add(model, "b", "neg", (250, 0))
    add(model, "c", "exp", (500, 0))
    messages = []
    view.refused.connect(messages.append)
    mouse_drag(view, port_pos(view, *start), port_pos(view, *end))
    assert model.graph.edges() == [] and stack.count() == 0
    assert reason in messages[-1]


def test_dropping_on_an_occupied_input_replaces_its_edge(canvas):
    model, stack, view = canvas
    add(model, "a", "input", (0, 0), value=1.0)
    add(model, "b", "input", (0, 150), value=2.0)
    add(model, "n", "neg", (300, 50))
    model.connect("a", "n", 0)
    mouse_drag(view, port_pos(view, "b", OUTPUT), port_pos(view, "n", 0))
    assert model.source_of("n", 0) == "b"
    assert set(view.graph_scene.edges) == {("b", "n", 0)}
    stack.undo()
    assert model.source_of("n", 0) == "a"
    assert set(view.graph_scene.edges) == {("a", "n", 0)}


def test_picking_an_edge_up_rewires_or_disconnects(canvas):
    model, stack, view = canvas
    add(model, "a", "input", (0, 0), value=1.0)
    add(model, "m", "mul", (300, 0))
    model.connect("a", "m", 0)
    mouse_drag(view, port_pos(view, "m", 0), port_pos(view, "m", 1))   # move it to port b
    assert model.graph.input_sources("m") == [None, "a"]
    mouse_drag(view, port_pos(view, "m", 1), QPointF(150, 300))        # drop on nothing
    assert model.graph.edges() == []
    stack.undo()
    stack.undo()
    assert model.graph.input_sources("m") == ["a", None]


def test_move_drag_is_one_undo_step(canvas):
    model, stack, view = canvas
    add(model, "a", "input", (0, 0), value=1.0)
    add(model, "n", "neg", (300, 0))
    model.connect("a", "n", 0)
    start = node_center(view, "n")
    mouse_drag(view, start, start + QPointF(60, 40), steps=8)
    assert stack.count() == 1
    assert model.node("n").position == pytest.approx((360, 40))
    edge = view.graph_scene.edges[("a", "n", 0)]
    assert edge.boundingRect().contains(view.node_item("n").port_scene_pos(0))
    stack.undo()
    assert model.node("n").position == pytest.approx((300, 0))
    assert view.node_item("n").pos() == QPointF(300, 0)


def test_multi_selection_moves_together(canvas):
    model, stack, view = canvas
    add(model, "a", "input", (0, 0), value=1.0)
    add(model, "b", "input", (0, 150), value=1.0)
    add(model, "c", "input", (300, 0), value=1.0)
    view.select_nodes(["a", "b"])
    start = node_center(view, "a")
    mouse_drag(view, start, start + QPointF(50, 20))
    assert stack.count() == 1
    assert model.node("a").position == pytest.approx((50, 20))
    assert model.node("b").position == pytest.approx((50, 170))
    assert model.node("c").position == (300, 0)
    stack.undo()
    assert model.node("b").position == pytest.approx((0, 150))


def test_rubber_band_selects_the_nodes_inside(canvas):
    model, _stack, view = canvas
    add(model, "a", "input", (0, 0), value=1.0)
    add(model, "b", "input", (0, 150), value=1.0)
    add(model, "c", "input", (400, 0), value=1.0)
    selections = []
    view.selection_changed.connect(selections.append)
    mouse_drag(view, QPointF(-30, -30), QPointF(200, 280))
    assert view.selected_nodes() == ["a", "b"]
    assert selections[-1] == ["a", "b"]


def test_click_selects_an_edge_and_delete_removes_it(canvas):
    model, stack, view = canvas
    add(model, "a", "input", (0, 0), value=1.0)
    add(model, "n", "neg", (300, 0))
    model.connect("a", "n", 0)
    edge = view.graph_scene.edges[("a", "n", 0)]
    from gui_helpers import click
    click(view, edge._path.pointAtPercent(0.5))
    assert edge.isSelected()
    view.delete_selection()
    assert model.graph.edges() == []
    stack.undo()
    assert model.source_of("n", 0) == "a"
    assert np.isfinite(float(model.values.get("a", 1.0)))


def test_wire_dropped_on_empty_canvas_offers_a_connected_node(canvas):
    from PySide6.QtTest import QTest
    model, stack, view = canvas
    add(model, "x", "input", (0, 0), value=0.5)
    drop = QPointF(300, 200)
    mouse_drag(view, port_pos(view, "x", OUTPUT), drop)
    assert view.quick_search.isVisible()
    QTest.keyClicks(view.quick_search.edit, "tanh")
    QTest.keyClick(view.quick_search.edit, Qt.Key_Return)
    assert model.source_of("tanh1", 0) == "x"
    assert view.node_item("tanh1").port_scene_pos(0) == drop
    assert stack.count() == 1              # add + connect is one undo step
    stack.undo()
    assert model.graph.node_ids() == ["x"]


def test_wire_from_an_input_dropped_on_empty_canvas_feeds_it(canvas):
    from PySide6.QtTest import QTest
    model, _stack, view = canvas
    add(model, "n", "neg", (300, 0))
    mouse_drag(view, port_pos(view, "n", 0), QPointF(50, 50))
    QTest.keyClicks(view.quick_search.edit, "constant")
    QTest.keyClick(view.quick_search.edit, Qt.Key_Return)
    assert model.source_of("n", 0) == "c"
    model.run_now()
    assert model.errors == {} and float(model.values["n"]) == -1.0   # fresh leaves hold 1.0


def test_wiring_works_zoomed_out_with_screen_sized_port_reach(canvas):
    model, _stack, view = canvas
    add(model, "x", "input", (0, 0), value=1.0)
    add(model, "n", "neg", (300, 0))
    view.resetTransform()
    view.scale(0.5, 0.5)
    view.centerOn(200, 50)
    near_out = port_pos(view, "x", OUTPUT) + QPointF(12, 6)    # 6-7 screen pixels off
    near_in = port_pos(view, "n", 0) + QPointF(-10, -8)
    mouse_drag(view, near_out, near_in)
    assert model.source_of("n", 0) == "x"


def test_wire_released_on_a_node_body_takes_its_first_free_input(canvas):
    model, _stack, view = canvas
    add(model, "a", "input", (0, 0), value=2.0)
    add(model, "b", "input", (0, 150), value=3.0)
    add(model, "m", "mul", (300, 60))
    body = view.node_item("m").mapToScene(QPointF(100, 60))
    mouse_drag(view, port_pos(view, "a", OUTPUT), body)
    mouse_drag(view, port_pos(view, "b", OUTPUT), body)
    assert model.graph.input_sources("m") == ["a", "b"]
    model.run_now()
    assert float(model.values["m"]) == 6.0
