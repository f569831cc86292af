"""The inspector: typed editors whose edits are undoable commands, refusals that keep the old
value, and results that follow the model's re-runs — on a real MainWindow."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QCheckBox, QComboBox, QLineEdit

from engine.init import initialize
from gui.model import commands
from gui.inspector.value_edit import InputError, parse_value
from gui_helpers import click
from window_fixtures import dialogs, settings, square_graph_file, window  # noqa: F401


def add(win, node_id, op, **kwargs):
    win.undo_stack.push(commands.AddNode(win.model, node_id, op, **kwargs))
    win.model.run_now()


def select(win, node_id):
    win.canvas.select_nodes([node_id])
    assert win.inspector.node_id == node_id


def type_into(editor: QLineEdit, text: str) -> None:
    """Select all, type, press Enter — as a user edits a field."""
    editor.setFocus()
    editor.selectAll()
    QTest.keyClick(editor, Qt.Key.Key_Backspace)
    QTest.keyClicks(editor, text)
    QTest.keyClick(editor, Qt.Key.Key_Return)


def editor(win, name):
    return win.inspector.attr_editors[name][0]


def test_clicking_a_node_on_the_canvas_shows_it(window, tmp_path):
    window.open_file(square_graph_file(tmp_path / "sq.json", x=3.0))
    window.canvas.fit_view()
    centre = window.canvas.node_item("y").sceneBoundingRect().center()
    click(window.canvas, centre)
    assert window.inspector.node_id == "y"
    assert window.inspector.value_view.text() == "9"
    assert window.inspector.grad_view.text() == "1"
    assert "y = 9" in window.selection_label.text()


def test_float_attr_edit_goes_through_the_undo_stack(window):
    add(window, "r", "leaky_relu")
    select(window, "r")
    slope = editor(window, "slope")
    type_into(slope, "0.2")
    assert window.model.node("r").attrs["slope"] == 0.2
    assert window.undo_stack.count() == 2 and window.windowTitle().endswith("*")
    window.undo_stack.undo()
    assert window.model.node("r").attrs["slope"] == 0.01
    assert slope.text() == "0.01"
    window.undo_stack.redo()
    assert slope.text() == "0.2"


@pytest.mark.parametrize("name, text", [("slope", "abc"), ("slope", "inf"), ("slope", "")])
def test_invalid_number_is_refused_and_the_old_value_kept(window, name, text):
    add(window, "r", "leaky_relu")
    select(window, "r")
    before = window.undo_stack.count()
    type_into(editor(window, name), text)
    assert window.model.node("r").attrs[name] == 0.01
    assert window.undo_stack.count() == before
    assert editor(window, name).text() == "0.01"
    assert window.inspector.feedback.isVisible() and "slope" in window.inspector.feedback.text()
    assert "slope" in window.statusBar().currentMessage()


def test_axis_as_text_and_keepdims_checkbox(window):
    add(window, "m", "input", value=[[1.0, 2.0], [3.0, 4.0]])
    add(window, "s", "sum")
    window.undo_stack.push(commands.Connect(window.model, "m", "s", 0))
    select(window, "s")
    axis = editor(window, "axis")
    assert axis.text() == "" and axis.placeholderText() == "none: every axis"
    type_into(axis, "[0, 1]")
    assert window.model.node("s").attrs["axis"] == [0, 1]
    type_into(axis, "1")
    assert window.model.node("s").attrs["axis"] == 1
    type_into(axis, "[0, 1.5]")        # the engine's own attr check refuses it
    assert window.model.node("s").attrs["axis"] == 1 and axis.text() == "1"
    assert "axis" in window.inspector.feedback.text()
    keepdims = editor(window, "keepdims")
    assert isinstance(keepdims, QCheckBox)
    keepdims.click()
    window.model.run_now()
    assert window.model.node("s").attrs["keepdims"] is True
    assert window.model.values["s"].shape == (2, 1)
    for _ in range(3):
        window.undo_stack.undo()
    assert window.model.node("s").attrs == {"axis": None, "keepdims": False}
    assert axis.text() == "" and not keepdims.isChecked()


def test_value_editor_accepts_nested_lists_and_refuses_ragged_ones(window):
    add(window, "x", "input", value=1.0)
    select(window, "x")
    value = window.inspector.value_edit
    type_into(value, "[[1, 2], [3, 4]]")
    np.testing.assert_array_equal(window.model.node("x").value, [[1, 2], [3, 4]])
    assert window.inspector.value_field.shape_label.text() == "shape (2, 2)"
    count = window.undo_stack.count()
    for bad in ("[[1, 2], [3]]", "nan", "hello", "[1, 'a']"):
        type_into(value, bad)
        np.testing.assert_array_equal(window.model.node("x").value, [[1, 2], [3, 4]])
        assert window.undo_stack.count() == count
        assert "value of x" in window.inspector.feedback.text()
    window.undo_stack.undo()
    assert float(window.model.node("x").value) == 1.0 and value.text() == "1.0"


def test_parse_value_reads_the_text_and_the_engine_judges_it():
    assert parse_value("2.5") == 2.5
    assert parse_value("[1, 2]") == [1, 2]
    assert parse_value("((1, 2), (3, 4))") == ((1, 2), (3, 4))
    with pytest.raises(InputError, match="enter"):
        parse_value("")
    with pytest.raises(InputError, match="not a number or a list"):
        parse_value("1.5.2")
    from gui.model import GraphModel
    model = GraphModel()
    model.add_node("x", "input", value=1.0)
    model.add_node("n", "neg")
    assert model.value_problem("x", parse_value("((1, 2), (3, 4))")) is None
    for text, reason in (("[[1], [2, 3]]", "rectangular"), ("inf", "finite"),
                         ("nan", "finite"), ("'abc'", "number")):
        assert reason in model.value_problem("x", parse_value(text)).message
    assert "only input, constant" in model.value_problem("n", 1.0).message


def test_rename_refuses_duplicates_and_is_undoable(window):
    add(window, "a", "input", value=1.0)
    add(window, "b", "neg")
    window.undo_stack.push(commands.Connect(window.model, "a", "b", 0))
    select(window, "b")
    name = window.inspector.name_edit
    type_into(name, "a")
    assert window.model.graph.node_ids() == ["a", "b"] and name.text() == "b"
    assert "already used" in window.inspector.feedback.text()
    type_into(name, "negated")
    assert window.model.graph.node_ids() == ["a", "negated"]
    assert window.inspector.node_id == "negated"
    window.undo_stack.undo()
    assert window.model.graph.node_ids() == ["a", "b"]
    assert window.inspector.node_id == "b" and name.text() == "b"


def test_parameter_shape_init_seed_and_reinitialise(window):
    add(window, "W", "parameter")
    select(window, "W")
    assert isinstance(editor(window, "init"), QComboBox)
    type_into(editor(window, "shape"), "[2, 3]")
    editor(window, "init").setCurrentText("he")
    type_into(editor(window, "seed"), "1.5")
    assert "whole number" in window.inspector.feedback.text()
    type_into(editor(window, "seed"), "7")
    assert window.model.node("W").attrs == {"init": "he", "shape": [2, 3], "seed": 7}
    drawn = initialize("he", (2, 3), 7)
    np.testing.assert_array_equal(window.model.node("W").value, drawn)
    type_into(window.inspector.value_edit, "[[0, 0, 0], [0, 0, 0]]")
    window.inspector.reinitialise()
    np.testing.assert_array_equal(window.model.node("W").value, drawn)
    window.undo_stack.undo()
    np.testing.assert_array_equal(window.model.node("W").value, np.zeros((2, 3)))


def test_reinitialise_button_click(window):
    from PySide6.QtWidgets import QPushButton
    add(window, "W", "parameter", value=[[0.0, 0.0]], attrs={"init": "normal", "seed": 3})
    select(window, "W")
    button = next(b for b in window.inspector.findChildren(QPushButton) if b.text() == "Re-initialise")
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    np.testing.assert_array_equal(window.model.node("W").value, initialize("normal", (1, 2), 3))


def test_results_follow_reruns(window, tmp_path):
    window.open_file(square_graph_file(tmp_path / "sq.json", x=3.0))
    select(window, "x")
    assert window.inspector.value_view.text() == "3"
    assert window.inspector.grad_view.text() == "6"
    type_into(window.inspector.value_edit, "4")
    window.model.run_now()
    assert window.inspector.value_view.text() == "4"
    assert window.inspector.grad_view.text() == "8"
    assert "∂y/∂x = 8" in window.selection_label.text()


def tensor_graph(window, value):
    add(window, "x", "input", value=value)
    add(window, "w", "parameter", value=np.ones(np.shape(value)))
    add(window, "p", "mul")
    add(window, "s", "sum")
    for source, target, port in (("x", "p", 0), ("w", "p", 1), ("p", "s", 0)):
        window.undo_stack.push(commands.Connect(window.model, source, target, port))
    window.model.run_now()


def test_tensor_results_show_heatmaps_on_symmetric_limits(window):
    tensor_graph(window, [[1.0, -2.0, 3.0], [0.5, 0.0, -4.0]])
    select(window, "w")
    value, grad = window.inspector.value_view, window.inspector.grad_view
    for view, expected in ((value, np.ones((2, 3))), (grad, [[1.0, -2.0, 3.0], [0.5, 0.0, -4.0]])):
        assert view.stack.currentWidget() is view.heatmap and view.heatmap.isVisible()
        np.testing.assert_array_equal(view.heatmap.image.image, expected)
    heat = grad.heatmap
    assert heat.image.levels.tolist() == [-4.0, 4.0]          # centred on 0, symmetric
    assert (heat.low.text(), heat.high.text()) == ("−4", "+4")
    assert heat.shown_numbers() == ["1", "−2", "3", "0.5", "0", "−4"]    # the app's minus
    assert heat.readout.text() == "2×3 · min −4 · max 3"
    # the colours: blue for the most negative cell, orange for the most positive
    r_neg, _, b_neg = heat.image.lut[0][:3]
    r_pos, _, b_pos = heat.image.lut[-1][:3]
    assert b_neg > r_neg and r_pos > b_pos


def test_a_re_run_updates_the_same_heatmap_widgets(window):
    tensor_graph(window, [[1.0, -2.0, 3.0]])
    select(window, "w")
    heat = window.inspector.grad_view.heatmap
    image, view = heat.image, heat.view
    window.undo_stack.push(commands.SetValue(window.model, "x", np.array([[5.0, 6.0, -7.0]])))
    window.model.run_now()
    assert heat.image is image and heat.view is view          # setImage only, no new widgets
    np.testing.assert_array_equal(image.image, [[5.0, 6.0, -7.0]])
    assert image.levels.tolist() == [-7.0, 7.0]


def hover(widget, pos: QPoint) -> None:
    """A mouse move with no button held, as the window system delivers it (offscreen
    QTest.mouseMove finds no widget under a point inside a scroll area)."""
    event = QMouseEvent(QEvent.Type.MouseMove, QPointF(pos), QPointF(widget.mapToGlobal(pos)),
                        Qt.MouseButton.NoButton, Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier)
    QTest.qWait(60)         # pyqtgraph's scene drops moves closer together than its rate limit
    QApplication.sendEvent(widget, event)


def test_hovering_a_cell_reads_its_full_precision_value(window):
    tensor_graph(window, [[0.1, -2.0], [1.0 / 3.0, 4.0]])
    select(window, "w")
    heat = window.inspector.grad_view.heatmap
    view = heat.view
    window.inspector.scroll.ensureWidgetVisible(view)      # as a user scrolls to it
    QApplication.processEvents()           # the view box takes its new size (as before a hover)
    scene_point = heat.box.mapViewToScene(QPointF(0.5, 1.5))     # column 0, row 1
    hover(view.viewport(), view.mapFromScene(scene_point))
    assert heat.readout.text() == f"[1, 0] = {1.0 / 3.0!r}"
    hover(view.viewport(), view.mapFromScene(heat.box.mapViewToScene(QPointF(1.5, 0.5))))
    assert heat.readout.text() == "[0, 1] = -2.0"
    hover(view.viewport(), QPoint(view.viewport().width() + 5, 2))      # off the cells
    assert heat.readout.text().startswith("2×2 · min −2")


def test_vectors_are_a_one_row_strip_and_scalars_a_big_number(window):
    tensor_graph(window, list(np.linspace(-1, 1, 24)))
    select(window, "w")
    heat = window.inspector.grad_view.heatmap
    assert heat.image.image.shape == (1, 24)
    assert heat.view.height() <= 26 and heat.view.width() > 10 * heat.view.height()
    assert heat.shown_numbers() == []                          # cells too narrow to print in
    window.undo_stack.push(commands.SetValue(window.model, "x", np.array(2.5)))
    window.undo_stack.push(commands.SetValue(window.model, "w", np.array(4.0)))
    window.model.run_now()
    grad = window.inspector.grad_view
    assert grad.stack.currentWidget() is grad.scalar and grad.text() == "2.5"
    assert grad.scalar.font().pointSizeF() >= 16


def test_big_tensors_are_strided_and_indexed_in_the_original(window):
    big = np.arange(1000 * 3, dtype=float).reshape(1000, 3)
    tensor_graph(window, big)
    select(window, "w")
    heat = window.inspector.grad_view.heatmap
    assert heat.image.image.shape == (334, 3) and heat.steps == (3, 1)
    assert "every 3th shown" in heat.readout.text()
    assert heat.index_at(heat.box.mapViewToScene(QPointF(2.5, 1.5))) == (3, 2)


def test_selection_of_several_and_removal_clear_the_panel(window):
    add(window, "a", "input", value=1.0)
    add(window, "b", "input", value=2.0)
    window.canvas.select_nodes(["a", "b"])
    assert window.inspector.node_id is None
    select(window, "a")
    window.undo_stack.push(commands.RemoveNodes(window.model, ["a"]))
    assert window.inspector.node_id is None


def test_with_nothing_selected_the_overview_lists_leaf_gradients(window, tmp_path):
    window.open_file(square_graph_file(tmp_path / "sq.json", x=3.0))
    window.model.run_now()
    overview = window.inspector.overview
    assert overview.isVisible()
    assert overview.loss_label.text() == "Loss y = 9"
    assert overview.rows() == [("x", "scalar", "3", "6")]
    assert [overview.table.horizontalHeaderItem(c).text() for c in range(4)] == \
        ["node", "shape", "value", "∂y/∂node"]
    overview.table.cellClicked.emit(0, 1)
    assert window.canvas.selected_nodes() == ["x"] and window.inspector.node_id == "x"


def test_the_overview_shows_the_files_description_and_where_its_loss_is_measured(window,
                                                                              tmp_path):
    """A user saw 'Loss = 0.14' in the inspector and 'loss 0.0117' in the Training panel:
    the overview now says the first is on the document's own rows, and shows the file's
    description (which explains it); a graph without either shows neither."""
    from conftest import EXAMPLES
    window.open_file(EXAMPLES / "spiral_classifier.json", ask=False)
    window.model.run_now()
    overview = window.inspector.overview
    assert overview.description_label.isVisible()
    assert overview.description_label.text().startswith("Three interleaved spiral arms")
    assert ("This loss is on the 6 rows in x and y; the Training panel shows the loss on "
            "the training data.") in overview.status_label.text()
    window.open_file(square_graph_file(tmp_path / "sq.json", x=3.0))
    window.model.run_now()
    assert not overview.description_label.isVisible()
    assert overview.status_label.text() == "2 nodes, 2 edges"


def test_loss_checkbox_picks_the_node_to_differentiate(window):
    add(window, "a", "input", value=2.0)
    add(window, "sq", "mul")
    add(window, "ng", "neg")
    for target, port in (("sq", 0), ("sq", 1), ("ng", 0)):
        window.undo_stack.push(commands.Connect(window.model, "a", target, port))
    window.model.run_now()
    assert window.model.loss_id is None and "sq" in window.model.status
    select(window, "ng")
    box = window.inspector.loss_box
    assert not box.isChecked()
    box.click()
    window.model.run_now()
    assert window.model.graph.loss == "ng" and float(window.model.grads["a"]) == -1.0
    assert box.isChecked() and window.inspector.grad_view.text() == "1"
    window.undo_stack.undo()
    window.model.run_now()
    assert window.model.graph.loss is None and not box.isChecked()


def test_overview_names_tensor_gradients_by_their_norm(window):
    tensor_graph(window, [[3.0, 4.0]])
    rows = dict((r[0], r[1:]) for r in window.inspector.overview.rows())
    # shape and value in separate columns: a 2-vector is never mistaken for the number 2
    assert rows["x"] == ("(1, 2)", "‖·‖ = 5", "‖·‖ = 1.414")
    assert rows["w"] == ("(1, 2)", "‖·‖ = 1.414", "‖·‖ = 5")
    item = window.inspector.overview.table.item(1, 3)
    assert "∂s/∂w" in item.toolTip() and "norm ‖·‖ = 5" in item.toolTip()
    assert "‖·‖ is the norm" in window.inspector.overview.caption.text()


def test_overview_lists_at_most_forty_leaves(window):
    for i in range(45):
        window.model.add_node(f"c{i}", "constant", value=float(i), position=(0, 40 * i))
    window.model.run_now()
    overview = window.inspector.overview
    assert len(overview.rows()) == 40 and "first 40 of 45" in overview.caption.text()


def test_matrix_values_show_one_row_per_line_and_accept_shift_enter(window):
    from gui.inspector.value_edit import format_value
    assert format_value([[1.0, 2.0], [3.0, 4.0]]) == "[[1.0, 2.0],\n [3.0, 4.0]]"
    assert format_value(0.1) == "0.1" and format_value([0.5]) == "[0.5]"
    add(window, "x", "input", value=[[0.1, 0.2], [0.3, 0.4]])
    select(window, "x")
    edit = window.inspector.value_edit
    assert edit.text() == "[[0.1, 0.2],\n [0.3, 0.4]]"
    edit.setFocus()
    edit.selectAll()
    QTest.keyClick(edit, Qt.Key.Key_Backspace)
    QTest.keyClicks(edit, "[[1, 2],")
    QTest.keyClick(edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert window.model.node("x").value[0, 0] == 0.1       # Shift+Enter is a new line only
    QTest.keyClicks(edit, "[3, 4], [5, 6]]")
    QTest.keyClick(edit, Qt.Key.Key_Return)
    assert window.model.node("x").value.shape == (3, 2)
    assert edit.text() == "[[1.0, 2.0],\n [3.0, 4.0],\n [5.0, 6.0]]"


def test_inputs_line_names_the_sources_and_follows_wiring(window):
    add(window, "a", "input", value=1.0)
    add(window, "m", "mul")
    select(window, "m")
    assert window.inspector.ports_text() == "a ← ⚠ not connected; b ← ⚠ not connected"
    window.undo_stack.push(commands.Connect(window.model, "a", "m", 1))
    assert window.inspector.ports_text() == "a ← ⚠ not connected; b ← a"
    window.undo_stack.push(commands.RenameNode(window.model, "a", "x"))
    assert window.inspector.ports_text().endswith("b ← x")


def test_new_seed_redraws_a_parameter_and_undo_brings_the_old_value_back(window):
    add(window, "W", "parameter", value=[[0.1, 0.2, 0.3]])
    select(window, "W")
    type_into(editor(window, "seed"), "5")
    np.testing.assert_array_equal(window.model.node("W").value, initialize("xavier", (1, 3), 5))
    editor(window, "init").setCurrentText("zeros")
    np.testing.assert_array_equal(window.model.node("W").value, np.zeros((1, 3)))
    window.undo_stack.undo()
    window.undo_stack.undo()
    np.testing.assert_array_equal(window.model.node("W").value, [[0.1, 0.2, 0.3]])
    assert window.model.node("W").attrs["seed"] == 0 and window.undo_stack.count() == 3
    window.undo_stack.redo()
    np.testing.assert_array_equal(window.model.node("W").value, initialize("xavier", (1, 3), 5))


def test_a_scalar_parameters_shape_reads_as_unset_not_null(window):
    add(window, "w", "parameter", value=0.5)
    select(window, "w")
    shape = editor(window, "shape")
    assert shape.text() == "" and shape.placeholderText() == "none: from its value"
    type_into(shape, "[2, 3]")
    assert window.model.node("w").attrs["shape"] == [2, 3]
    type_into(shape, "")
    assert window.model.node("w").attrs["shape"] is None and shape.text() == ""
