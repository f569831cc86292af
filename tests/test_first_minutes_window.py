"""The first ten minutes in the window (issue 10): renaming on the canvas beside the window's
shortcuts (4), an inspector that does not jump (5), a value box that says how to commit and
checks as you type (6), words for what is on screen (7), the leaves table (8), small windows
(9) and Ctrl+Z after a value was applied (11) — with real mouse and key events."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from gui.model import commands
from gui.canvas import style
from gui.inspector.value_field import HINT
from gui.window.layout import INSPECTOR_MIN, PALETTE_MIN, overflow_actions
from gui_helpers import click, drop_palette_item, mouse_drag, port_pos, settle, view_point
from tests.conftest import EXAMPLES
from window_fixtures import dialogs, settings, window  # noqa: F401


def activate(win, widget):
    win.activateWindow()
    QTest.qWaitForWindowActive(win, 1000)
    widget.setFocus()


def header(view, node_id):
    return view.node_item(node_id).mapToScene(QPointF(30, style.HEADER_H / 2))


def geometry_in(inspector, widget):
    return widget.mapTo(inspector, QPoint(0, 0)), widget.size()

def typing_into_the_value_of_x(window):
    """The chain-rule example open, x clicked on the canvas, its value box focused with its
    text selected (typing replaces it); returns the box."""
    window.open_file(EXAMPLES / "chain_rule.json", ask=False)
    settle()
    click(window.canvas, header(window.canvas, "x"))
    edit = window.inspector.value_edit
    activate(window, edit)
    edit.selectAll()
    return edit



# ------------------------------------------------------------------ 4: rename on the canvas
def test_renaming_on_the_canvas_is_not_taken_by_window_shortcuts(window):
    canvas = window.canvas
    canvas.resetTransform()
    canvas.centerOn(100, 50)
    assert drop_palette_item(canvas, "op", "add", (0, 0))
    point = view_point(canvas, header(canvas, "add1"))
    QTest.mouseDClick(canvas.viewport(), Qt.LeftButton, Qt.NoModifier, point)
    editor = canvas.rename_editor
    activate(window, editor)
    zoom = canvas.transform()
    QTest.keyClick(editor, Qt.Key.Key_Backspace)   # Delete/Backspace would delete the node,
    QTest.keyClicks(editor, "f")                   # F would fit the view
    QTest.keyClick(editor, Qt.Key.Key_Return)
    assert window.model.node_ids() == ["f"] and canvas.transform() == zoom
    assert window.inspector.name_edit.text() == "f"
    activate(window, canvas)
    QTest.keyClick(canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.model.node_ids() == ["add1"]


# ------------------------------------------------------------------ 5: no jumping
def test_completing_a_wire_moves_nothing_in_the_inspector(window):
    canvas = window.canvas
    canvas.resetTransform()
    canvas.centerOn(150, 50)
    assert drop_palette_item(canvas, "op", "input", (0, 0))
    assert drop_palette_item(canvas, "op", "add", (260, 0))
    click(canvas, header(canvas, "add1"))
    settle()
    inspector = window.inspector
    assert inspector.node_id == "add1" and inspector.node_hint.isVisible()
    assert inspector.node_hint.text() == "⚠ connect a, b"
    watched = [inspector.name_edit, inspector.loss_box, inspector.ports_label,
               inspector.value_caption, inspector.grad_caption]
    before = [geometry_in(inspector, w) for w in watched]
    mouse_drag(canvas, port_pos(canvas, "x", -1), port_pos(canvas, "add1", 0))
    settle()
    assert inspector.node_hint.isVisible()          # b still open: the hint stays
    assert [geometry_in(inspector, w) for w in watched] == before
    mouse_drag(canvas, port_pos(canvas, "x", -1), port_pos(canvas, "add1", 1))
    window.model.run_now()
    settle()
    assert not inspector.node_hint.isVisible() and window.model.values["add1"] == 2.0
    assert [geometry_in(inspector, w) for w in watched] == before
    assert inspector.ports_text() == "a ← x; b ← x"


# ------------------------------------------------------------------ 6: the value box
def test_the_value_box_says_enter_applies_and_checks_as_you_type(window):
    window.open_file(EXAMPLES / "chain_rule.json", ask=False)
    settle()
    canvas = window.canvas
    click(canvas, header(canvas, "x"))
    field = window.inspector.value_field
    edit = field.edit
    assert field.hint.text() == HINT == "Enter applies · ⇧Enter: new row"
    activate(window, edit)
    edit.selectAll()
    hint_at = geometry_in(window.inspector, field.hint)
    QTest.keyClicks(edit, "1.5.")
    assert edit.property("invalid") and field.hint.text().startswith("⚠ not a number")
    assert geometry_in(window.inspector, field.hint) == hint_at      # the reason takes its place
    QTest.keyClicks(edit, "2")
    QTest.keyClick(edit, Qt.Key.Key_Return)          # Enter on a refused text: kept for fixing
    assert float(window.model.node("x").value) == 1.5 and edit.text() == "1.5.2"
    assert "value of x: not a number or a list" in window.statusBar().currentMessage()
    QTest.keyClick(edit, Qt.Key.Key_Backspace)
    QTest.keyClick(edit, Qt.Key.Key_Backspace)       # "1.5" again: valid, the border clears
    assert not edit.property("invalid") and field.hint.text() == HINT
    for text, reason in (("[[1, 2], [3]]", "rectangular"), ("inf", "finite")):
        edit.selectAll()
        QTest.keyClicks(edit, text)
        assert edit.property("invalid") and reason in field.hint.text()
    edit.selectAll()
    QTest.keyClicks(edit, "2")
    assert not edit.property("invalid")
    QTest.keyClick(edit, Qt.Key.Key_Return)
    assert float(window.model.node("x").value) == 2.0
    edit.selectAll()
    QTest.keyClicks(edit, "0.5")
    QTest.keyClick(edit, Qt.Key.Key_Tab)             # leaving the box applies too
    assert not edit.hasFocus() and float(window.model.node("x").value) == 0.5


def test_leaving_the_box_with_a_refused_text_keeps_the_old_value(window):
    edit = typing_into_the_value_of_x(window)
    QTest.keyClicks(edit, "abc")
    QTest.keyClick(edit, Qt.Key.Key_Tab)
    settle()
    assert float(window.model.node("x").value) == 1.5 and edit.text() == "1.5"
    assert not edit.property("invalid")


# ------------------------------------------------------------------ 7: words for the screen
def test_the_overview_counts_nodes_as_the_canvas_draws_them(window):
    canvas = window.canvas
    for op, at in (("input", (0, 0)), ("add", (250, 0)), ("log", (250, 200))):
        assert drop_palette_item(canvas, "op", op, at)
    window.undo_stack.push(commands.Connect(window.model, "x", "log1", 0))
    window.undo_stack.push(commands.SetValue(window.model, "x", -1.0))
    window.model.run_now()
    canvas.graph_scene.clearSelection()
    settle()
    items = canvas.graph_scene.nodes
    dashed = [n for n, i in items.items() if i.incomplete]
    red = [n for n, i in items.items() if i.error and not i.incomplete]
    assert dashed == ["add1"] and red == ["log1"]
    text = window.inspector.overview.status_label.text()
    assert "1 unfinished node (dashed amber border) · 1 broken node (red)" in text
    assert "red on the canvas" not in text
    assert window.model_label.text().startswith("no loss chosen")   # the graph-level line


# ------------------------------------------------------------------ 8: the leaves table
def test_the_leaves_table_has_shape_and_value_columns(window):
    model = window.model
    window.undo_stack.push(commands.AddNode(model, "x", "input", value=np.ones(16)))
    window.undo_stack.push(commands.AddNode(model, "b1", "parameter", value=np.full(16, 0.5),
                                            position=(0, 120)))
    window.undo_stack.push(commands.AddNode(model, "b2", "parameter", value=0.0,
                                            position=(0, 240)))
    window.undo_stack.push(commands.AddNode(model, "s", "sum", position=(400, 0)))
    window.undo_stack.push(commands.AddNode(model, "p", "mul", position=(200, 0)))
    window.undo_stack.push(commands.AddNode(model, "loss", "add", position=(600, 0)))
    for source, target, port in (("x", "p", 0), ("b1", "p", 1), ("p", "s", 0),
                                 ("s", "loss", 0), ("b2", "loss", 1)):
        window.undo_stack.push(commands.Connect(model, source, target, port))
    model.run_now()
    window.canvas.graph_scene.clearSelection()
    settle()
    overview = window.inspector.overview
    header = [overview.table.horizontalHeaderItem(c).text() for c in range(4)]
    assert header == ["node", "shape", "value", "∂loss/∂node"]
    rows = {r[0]: r[1:] for r in overview.rows()}
    assert rows["b1"] == ("(16,)", "‖·‖ = 2", "‖·‖ = 4")        # a 16-vector, by its norm
    assert rows["b2"] == ("scalar", "0", "1")                   # a number
    assert rows["x"][0] == "(16,)"
    # the table fits its dock: no column is cut at the default width
    table = overview.table
    assert table.horizontalScrollBar().maximum() == 0


# ------------------------------------------------------------------ 9: small windows
@pytest.mark.parametrize("size", [(1000, 700), (800, 560)])
def test_small_windows_keep_a_canvas_and_every_toolbar_action(window, size):
    window.open_file(EXAMPLES / "chain_rule.json", ask=False)
    settle()
    window.resize(*size)
    settle()
    assert (window.width(), window.height()) == size
    viewport = window.canvas.viewport()
    assert viewport.width() >= size[0] / 2 and viewport.height() >= size[1] / 2
    for dock, minimum in ((window.palette_dock, PALETTE_MIN),
                          (window.inspector_dock, INSPECTOR_MIN)):
        assert dock.isHidden() or dock.width() >= minimum, dock.objectName()
    # the palette gives way first (PALETTE_MIN + INSPECTOR_MIN do not fit beside half of 800)
    assert window.palette_dock.isHidden() == (size[0] == 800)
    assert not window.inspector_dock.isHidden()
    toolbar = window.toolbar
    assert not overflow_actions(toolbar)
    for action in toolbar.actions():
        button = toolbar.widgetForAction(action)
        if action.isVisible() and not action.isSeparator() and button is not None \
                and action.text():
            assert button.isVisible(), action.text()
            assert toolbar.rect().contains(button.geometry()), action.text()
    chain = toolbar.widgetForAction(window.actions_by_name["chain_rule"])
    assert chain.isVisible()
    # fitted when opened: still fitted, every node inside the smaller view
    canvas = window.canvas
    assert canvas.fitted
    nodes = canvas.graph_scene.itemsBoundingRect()
    assert canvas.viewport().rect().contains(canvas.mapFromScene(nodes).boundingRect())


def test_docks_come_back_and_a_zoomed_view_is_not_refitted(window):
    window.open_file(EXAMPLES / "chain_rule.json", ask=False)
    settle()
    wide = (window.palette_dock.width(), window.inspector_dock.width())
    window.resize(800, 560)
    settle()
    window.resize(1400, 900)
    settle()
    assert (window.palette_dock.width(), window.inspector_dock.width()) == wide
    canvas = window.canvas
    assert canvas.fitted
    centre = canvas.viewport().rect().center()
    wheel = QWheelEvent(QPointF(centre), QPointF(canvas.viewport().mapToGlobal(centre)),
                        QPoint(0, 0), QPoint(0, 240), Qt.NoButton, Qt.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(canvas.viewport(), wheel)
    zoom = canvas.transform().m11()
    assert not canvas.fitted
    window.resize(1000, 700)
    settle()
    assert canvas.transform().m11() == zoom             # the user's zoom is kept


def test_the_overflow_button_is_visible_when_used(window):
    from PySide6.QtWidgets import QToolButton
    ext = [b for b in window.toolbar.findChildren(QToolButton)
           if b.objectName() == "qt_toolbar_ext_button"]
    assert ext and not ext[0].icon().isNull() and ext[0].toolTip() == "More actions"


# ------------------------------------------------------------------ 11: Ctrl+Z in a field
def test_ctrl_z_after_applying_undoes_the_graph_edit_even_in_the_field(window):
    edit = typing_into_the_value_of_x(window)
    QTest.keyClicks(edit, "2")
    QTest.keyClick(edit, Qt.Key.Key_Return)
    assert float(window.model.node("x").value) == 2.0 and edit.hasFocus()
    QTest.keyClick(edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert float(window.model.node("x").value) == 1.5 and edit.text() == "1.5"
    QTest.keyClick(edit, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert float(window.model.node("x").value) == 2.0
    # while typing, Ctrl+Z is the field's own: the text, not the graph
    count = window.undo_stack.index()
    QTest.keyClicks(edit, "7")
    QTest.keyClick(edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.undo_stack.index() == count and float(window.model.node("x").value) == 2.0
    assert "7" not in edit.text()


def test_ctrl_z_in_an_attr_field_after_enter(window):
    window.open_file(EXAMPLES / "chain_rule.json", ask=False)
    settle()
    click(window.canvas, header(window.canvas, "y"))
    field = window.inspector.attr_editors["exponent"][0]
    activate(window, field)
    field.selectAll()
    QTest.keyClicks(field, "2")
    QTest.keyClick(field, Qt.Key.Key_Return)
    assert window.model.node("y").attrs["exponent"] == 2.0
    QTest.keyClick(field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.model.node("y").attrs["exponent"] == 3.0 and field.text() == "3.0"


def test_clicking_into_a_field_selects_its_text_so_typing_replaces_it(window):
    window.open_file(EXAMPLES / "chain_rule.json", ask=False)
    settle()
    click(window.canvas, header(window.canvas, "y"))
    field = window.inspector.attr_editors["exponent"][0]
    window.activateWindow()
    QTest.qWaitForWindowActive(window, 1000)
    QTest.mouseClick(field, Qt.LeftButton, Qt.NoModifier, QPoint(5, field.height() // 2))
    settle()
    assert field.hasFocus() and field.selectedText() == "3.0"
    QTest.keyClicks(field, "4")
    QTest.keyClick(field, Qt.Key.Key_Return)
    assert window.model.node("y").attrs["exponent"] == 4.0
    click(window.canvas, header(window.canvas, "x"))
    edit = window.inspector.value_edit
    QTest.mouseClick(edit.viewport(), Qt.LeftButton, Qt.NoModifier, QPoint(5, 8))
    settle()
    assert edit.textCursor().selectedText() == "1.5"
    QTest.keyClicks(edit, "2")
    QTest.keyClick(edit, Qt.Key.Key_Return)
    assert float(window.model.node("x").value) == 2.0


def shown_text(table, row: int, column: int) -> str:
    """What a cell shows in its column's width (Qt elides what does not fit)."""
    text = table.item(row, column).text()
    room = table.columnWidth(column) - 6
    return table.fontMetrics().elidedText(text, table.textElideMode(), room)


def test_long_ids_stay_whole_while_the_shape_column_can_give_way(window):
    """An imported model's ids (block.inner.weight, block.outer.weight) differ only in the
    middle: at 1440×900 the table drops the shape column before it elides an id."""
    window.open_file(EXAMPLES / "xor_mlp.json", ask=False)
    for old, new in (("W1", "block.inner.weight"), ("W2", "block.outer.weight"),
                     ("b1", "block.inner.bias"), ("b2", "block.outer.bias")):
        window.undo_stack.push(commands.RenameNode(window.model, old, new))
    window.model.run_now()
    window.canvas.graph_scene.clearSelection()
    window.resize(1440, 900)
    settle()
    table = window.inspector.overview.table
    assert table.horizontalScrollBar().maximum() == 0
    ids = [shown_text(table, row, 0) for row in range(table.rowCount())]
    assert "block.inner.weight" in ids and "block.outer.weight" in ids, ids
    for row in range(table.rowCount()):
        for column in (2, 3):                         # the numbers are whole too
            assert shown_text(table, row, column) == table.item(row, column).text()


@pytest.mark.parametrize("example", ["two_paths", "spiral_classifier"])
def test_the_leaves_table_fits_a_narrow_dock(window, example):
    """At its narrowest the inspector's table gives way by priority (short headers, ‖x‖,
    fewer digits, no shape column): every number is whole, a long id is elided in the
    middle, and nothing is cut down to "…" (a tensor's norm read "‖·‖ = …" at 1024×700)."""
    window.open_file(EXAMPLES / f"{example}.json", ask=False)
    if example == "two_paths":
        window.undo_stack.push(commands.RenameNode(window.model, "z", "the_loss_of_it_all"))
    window.model.run_now()
    window.canvas.graph_scene.clearSelection()
    window.resize(800, 560)
    settle()
    window.resizeDocks([window.inspector_dock], [INSPECTOR_MIN], Qt.Horizontal)  # dragged
    settle()
    table = window.inspector.overview.table
    assert window.inspector_dock.width() <= INSPECTOR_MIN + 10
    assert table.horizontalScrollBar().maximum() == 0
    total = sum(table.columnWidth(c) for c in range(4) if not table.isColumnHidden(c))
    assert total <= table.viewport().width() + 1
    for row in range(table.rowCount()):
        for column in (1, 2, 3):                      # the numbers themselves are not cut
            if not table.isColumnHidden(column):
                assert shown_text(table, row, column) == table.item(row, column).text()
        node = shown_text(table, row, 0)
        assert node == table.item(row, 0).text() or len(node.replace("…", "")) >= 3, node
    header = table.horizontalHeader()
    for column in range(4):
        if not table.isColumnHidden(column):
            text = table.horizontalHeaderItem(column).text()
            assert header.fontMetrics().horizontalAdvance(text) <= table.columnWidth(column) \
                or column == 0, text
    if example == "spiral_classifier":                # tensors: their norms, whole
        assert all(table.item(r, 2).text().startswith("‖") for r in range(table.rowCount())
                   if table.item(r, 1).text() != "scalar")
