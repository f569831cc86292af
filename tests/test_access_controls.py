"""Every control a screen reader can name, and a focus ring anyone can see (issue 19).

The walk shows every dock and bottom tab in turn (and the player, the neuron view, nodes of
each kind in the inspector, the dialogs), and fails on a showing control without an
accessible name, a combo box without a label, or a scroll area that only frames other widgets
yet takes the focus.
"""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QApplication, QCheckBox, QComboBox, QDockWidget, QLineEdit,
                               QPlainTextEdit, QPushButton, QSlider, QSpinBox, QTableWidget,
                               QToolButton, QTreeWidget, QVBoxLayout, QWidget)

from access_helpers import focusable_scroll_areas, unnamed
from conftest import EXAMPLES
from gui.theme import colors
from window_fixtures import dialogs, settings, window  # noqa: F401 (fixtures)


def open_example(win, name):
    assert win.open_file(EXAMPLES / f"{name}.json", ask=False)
    win.model.run_now()
    QApplication.processEvents()


def problems(root, where: str) -> list[str]:
    QApplication.processEvents()
    return unnamed(root, where) + [f"{where}: scroll area takes the focus: {s}"
                                   for s in focusable_scroll_areas(root)]


def test_every_control_is_named_with_every_dock_and_tab_shown_in_turn(window):
    window.palette.search.setText("exp")             # its clear button shows
    found = problems(window, "empty document")
    window.palette.search.clear()
    open_example(window, "xor_mlp")
    found += problems(window, "xor_mlp")
    for node_id in ("x", "W1", "h1", "loss"):             # input, parameter, op, loss
        window.canvas.select_nodes([node_id])
        found += problems(window, f"inspector on {node_id}")
    window.canvas.select_nodes([])
    docks = window.findChildren(QDockWidget)
    names = {d.objectName() for d in docks}
    assert {"palette_dock", "inspector_dock", "chain rule_dock", "training_dock",
            "player_dock", "builder_dock"} <= names
    for dock in docks:
        dock.show()
        dock.raise_()
        found += problems(window, dock.objectName())
    window.player.go_to(3)
    found += problems(window, "player at step 4")
    window.player.predict.set_enabled(True)              # predict mode: its answer box
    window.player.go_to(1)
    assert window.player.predict.hidden()
    window.step_card.predict_box.field.setText("2")      # its clear button shows
    found += problems(window, "predict mode, asked")
    assert window.step_card.predict_box.field.accessibleName().startswith(
        "Your prediction: ")                             # … and the question asked
    window.player.predict.set_enabled(False)
    window.leave_player()
    from engine.lessons import LESSONS_DIR
    from gui.lessons.install import show_lessons
    show_lessons(window)                                 # the list of lessons …
    found += problems(window, "lessons list")
    show_lessons(window, LESSONS_DIR / "03_several_paths.json")      # … and one running
    found += problems(window, "a lesson")
    window.lessons_dock.hide()
    window.network.show_neurons(True)
    found += problems(window, "neuron view")
    window.network.show_neurons(False)
    open_example(window, "chain_rule")
    window.canvas.select_nodes(["x_squared"])             # an op with an attr (exponent)
    found += problems(window, "chain_rule, pow selected")
    assert found == [], "\n".join(found)


def test_the_dialogs_name_their_controls(window):
    from gui.player.export_dialog import ExportAnimationDialog
    from gui.training.csv_dialog import CsvDialog
    from gui.window.import_dialog import ImportDialog
    open_example(window, "iris_classifier")
    found = []
    for make in (lambda: CsvDialog(window.training.session, str(EXAMPLES / "iris.csv"),
                                   window),
                 lambda: ImportDialog(window), lambda: ExportAnimationDialog(window),
                 lambda: window.canvas.open_connect_dialog()):
        dialog = make()
        dialog.show()
        found += problems(dialog, dialog.windowTitle())
        dialog.reject()
        dialog.deleteLater()
    assert found == [], "\n".join(found)


def test_the_walk_finds_what_it_is_there_to_find(qtbot):
    """A line edit with only a placeholder, a combo box with no label, a framing scroll
    area that takes the focus: each is reported."""
    from PySide6.QtWidgets import QScrollArea
    host = QWidget()
    column = QVBoxLayout(host)
    edit = QLineEdit(placeholderText="Search ops…", toolTip="Search")
    combo = QComboBox()
    combo.addItem("adam")
    scroll = QScrollArea()
    scroll.setWidget(QWidget())
    for widget in (edit, combo, scroll):
        column.addWidget(widget)
    qtbot.addWidget(host)
    host.show()
    found = problems(host, "test")
    assert len(found) == 3, found
    edit.setAccessibleName("Search ops")
    combo_label = QPushButton("not a label")                 # a button names no combo box
    column.addWidget(combo_label)
    scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    assert problems(host, "test") == ["test: QComboBox '' in QWidget: a combo box with no label"]


# ---------------------------------------------------------------- focus you can see
def _luminance(colour: str) -> float:
    def channel(v: int) -> float:
        v /= 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    r, g, b = colors.rgb(colour)
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


SURFACES = ("window", "panel", "base", "raised", "hover", "selected", "border", "canvas",
            "node_body")


@pytest.mark.parametrize("table", list(colors.THEMES.values()), ids=lambda t: t.name)
def test_the_focus_colour_stands_3_to_1_against_every_surface_it_is_drawn_on(table):
    for surface in SURFACES:
        assert contrast(table.focus, getattr(table, surface)) >= 3.0, surface


def focus_pixels(image) -> int:
    target = QColor(colors.active().focus)
    count = 0
    for y in range(image.height()):
        for x in range(image.width()):
            c = image.pixelColor(x, y)
            if max(abs(c.red() - target.red()), abs(c.green() - target.green()),
                   abs(c.blue() - target.blue())) < 10:
                count += 1
    return count


def test_every_kind_of_control_shows_a_ring_when_focused_and_keeps_its_size(window):
    host = QWidget(window)
    column = QVBoxLayout(host)
    combo = QComboBox()
    combo.addItems(["adam", "sgd"])
    tool = QToolButton()
    tool.setText("tool")
    controls = [QPushButton("Train"), QCheckBox("log y"), QLineEdit("x"), QSpinBox(), combo,
                QSlider(Qt.Orientation.Horizontal), QTreeWidget(), QTableWidget(2, 2),
                QPlainTextEdit("[1, 2]"), tool]
    for control in controls:
        column.addWidget(control)
    host.resize(260, 700)
    host.show()
    window.activateWindow()
    window.canvas.setFocus()
    QApplication.processEvents()
    for control in controls:
        hint, before = control.sizeHint(), control.grab().toImage()
        control.setFocus(Qt.FocusReason.TabFocusReason)
        QApplication.processEvents()
        assert control.hasFocus()
        after = control.grab().toImage()
        ring = focus_pixels(after) - focus_pixels(before)
        # a 2 px ring round the control (at least its two long sides)
        assert ring >= 2 * 2 * min(control.width(), 200) * 0.9, type(control).__name__
        assert control.sizeHint() == hint, type(control).__name__


def test_the_canvas_and_its_current_node_show_the_ring(window):
    open_example(window, "chain_rule")
    canvas = window.canvas
    window.activateWindow()
    window.palette.search.setFocus()
    QApplication.processEvents()
    unfocused = canvas.viewport().grab().toImage()
    assert focus_pixels(unfocused) == 0
    canvas.setFocus()
    canvas.move_selection((1, 0))                 # the keyboard is on x
    QApplication.processEvents()
    focused = canvas.viewport().grab().toImage()
    w, h = focused.width(), focused.height()
    edge = [focused.pixelColor(x, y).name() for x, y in
            ((w // 2, 0), (w // 2, h - 1), (0, h // 2), (w - 1, h // 2), (w // 2, 2))]
    assert edge == [colors.active().focus] * 5      # 3 px all round
    item = canvas.node_item("x")
    assert item.focus_ring and not canvas.node_item("u").focus_ring
    card = canvas.mapFromScene(item.sceneBoundingRect()).boundingRect()
    ring = focused.copy(card.adjusted(-2, -2, 2, 2))
    assert focus_pixels(ring) > 2 * (card.width() + card.height())    # round the whole card
    window.palette.search.setFocus()
    QApplication.processEvents()
    assert not item.focus_ring
