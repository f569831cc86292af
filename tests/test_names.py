"""Names a student expects (issue 10, item 4): readable distinct defaults, and renaming by one
double-click on the node's header — Enter renames as one undo step, Escape cancels, a refused
name says why."""
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

import engine
from gui.canvas import style
from gui.model import GraphModel
from gui.model.naming import default_id, rename_problem
from gui_helpers import drop_palette_item, make_canvas, view_point


@pytest.fixture
def canvas(qtbot):
    return make_canvas(qtbot, center=(300, 100))


def build_by_drops(view):
    """The chain-rule example's nodes, dropped from the palette one by one."""
    for op, x, y in (("input", 0, 0), ("pow", 220, 0), ("constant", 220, 160),
                     ("add", 440, 60), ("pow", 660, 60)):
        assert drop_palette_item(view, "op", op, (x, y))


def double_click_header(view, node_id, dx=40.0):
    item = view.node_item(node_id)
    point = view_point(view, item.mapToScene(QPointF(dx, style.HEADER_H / 2)))
    QTest.mouseMove(view.viewport(), point)
    QTest.mouseDClick(view.viewport(), Qt.LeftButton, Qt.NoModifier, point)
    QApplication.processEvents()


def test_new_nodes_get_maths_names_then_op_names_with_numbers(canvas):
    model, _stack, view = canvas
    build_by_drops(view)
    assert model.node_ids() == ["x", "pow1", "c", "add1", "pow2"]
    assert drop_palette_item(view, "op", "input", (0, 300))
    assert drop_palette_item(view, "op", "parameter", (0, 450))
    assert model.node_ids()[-2:] == ["y", "w"]


def test_big_graphs_name_leaves_by_op_and_number():
    graph = engine.Graph()
    for i in range(12):
        graph.add_node(f"n{i}", "neg")
    model = GraphModel(graph)
    assert default_id(model, "input") == "input1"
    assert default_id(model, "neg") == "neg1"


def test_double_click_on_the_header_renames_in_one_undo_step(canvas):
    model, stack, view = canvas
    build_by_drops(view)
    steps = stack.count()
    double_click_header(view, "pow2")
    editor = view.rename_editor
    assert editor.isVisible() and editor.hasFocus() and editor.selectedText() == "pow2"
    QTest.keyClicks(editor, "y")             # typing replaces the selected name
    QTest.keyClick(editor, Qt.Key_Return)
    QApplication.processEvents()
    assert not editor.isVisible()
    assert "y" in model.node_ids() and "pow2" not in model.node_ids()
    assert view.node_item("y").id_text == "y"
    assert stack.count() == steps + 1
    stack.undo()
    assert "pow2" in model.node_ids() and "y" not in model.node_ids()


def test_typing_letters_in_the_editor_does_not_trigger_shortcuts(canvas):
    """'f' would fit the view and Backspace delete the node if the window's actions saw them."""
    model, _stack, view = canvas
    build_by_drops(view)
    double_click_header(view, "add1")
    editor = view.rename_editor
    QTest.keyClick(editor, Qt.Key_Backspace)
    QTest.keyClicks(editor, "f_u")
    QTest.keyClick(editor, Qt.Key_Enter)
    assert "f_u" in model.node_ids()


def test_escape_cancels_the_rename(canvas):
    model, stack, view = canvas
    build_by_drops(view)
    steps = stack.count()
    double_click_header(view, "c")
    QTest.keyClicks(view.rename_editor, "one")
    QTest.keyClick(view.rename_editor, Qt.Key_Escape)
    assert not view.rename_editor.isVisible()
    assert "c" in model.node_ids() and stack.count() == steps


def test_a_refused_name_says_why_and_keeps_the_editor_open(canvas, qtbot):
    model, stack, view = canvas
    build_by_drops(view)
    steps = stack.count()
    double_click_header(view, "c")
    editor = view.rename_editor
    with qtbot.waitSignal(view.refused) as refusal:
        QTest.keyClicks(editor, "x")
        QTest.keyClick(editor, Qt.Key_Return)
    assert refusal.args[0] == "Cannot rename 'c': the name 'x' is already used by another node"
    assert editor.isVisible() and editor.property("invalid")
    assert stack.count() == steps
    editor.selectAll()
    with qtbot.waitSignal(view.refused) as refusal:
        QTest.keyClicks(editor, "my one")
        QTest.keyClick(editor, Qt.Key_Return)
    assert "names cannot contain spaces" in refusal.args[0]
    QTest.keyClick(editor, Qt.Key_Escape)
    assert model.node_ids() == ["x", "pow1", "c", "add1", "pow2"]


def test_double_click_on_the_body_does_not_rename(canvas):
    _model, _stack, view = canvas
    build_by_drops(view)
    double_click_header(view, "add1", dx=70)   # the header: opens
    view.rename_editor.cancel()
    item = view.node_item("add1")
    point = view_point(view, item.mapToScene(QPointF(74, style.HEADER_H + 30)))
    QTest.mouseDClick(view.viewport(), Qt.LeftButton, Qt.NoModifier, point)
    assert not view.rename_editor.isVisible()


def test_rename_rules():
    model = GraphModel()
    model.add_node("x", "input", value=1.0)
    model.add_node("y", "neg")
    assert rename_problem(model, "y", "") == "a node needs a name"
    assert rename_problem(model, "y", "x") == "the name 'x' is already used by another node"
    assert rename_problem(model, "y", "a b") == "names cannot contain spaces"
    assert rename_problem(model, "y", "y") is None and rename_problem(model, "y", "u") is None
