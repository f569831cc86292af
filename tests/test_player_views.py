"""Inside the player every view describes the step shown (issue 15, item 10): the canvas, the
inspector and its overview of the leaves, node and edge tooltips, the status bar and the
chain-rule panel all read the one record the canvas shows. A hidden number (predict mode) is
"?" in every one of them, and never the number."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolTip

from conftest import EXAMPLES
from gui.canvas import style
from gui.display import HIDDEN, hide
from gui_helpers import click
from window_fixtures import dialogs, settings, window  # noqa: F401 (fixtures)


def open_example(win, name):
    assert win.open_file(EXAMPLES / f"{name}.json", ask=False)
    win.model.run_now()
    QApplication.processEvents()


def key(win, k):
    win.activateWindow()
    win.canvas.setFocus()
    QTest.keyClick(win.canvas, k)
    QApplication.processEvents()


def select(win, node_id):
    """A real click on the node's header (selection is not an edit: the replay stays)."""
    item = win.canvas.node_item(node_id)
    click(win.canvas, item.mapToScene(30, 8))
    assert win.inspector.selection == [node_id]


def chain_rule_panel(win):
    win.chain_rule_dock.show()
    win.chain_rule_dock.raise_()
    QApplication.processEvents()
    win.layout_policy.settle()       # the tab in front changed: the canvas takes its new size
    QApplication.processEvents()
    panel = win.chain_rule_dock.widget()
    panel.refresh()
    return panel


def panel_text(panel) -> str:
    labels = [panel.title, panel.subtitle, panel.health_label, panel.sum_label,
              panel.engine_value, panel.check_value]
    rows = [label.text() for row in panel.rows for label in (row.route, row.equation)]
    notes = [w.text() for w in panel.scroll.widget().findChildren(type(panel.title))]
    return "\n".join([label.text() for label in labels] + rows + notes)


def edge_tip(win, key_) -> str:
    """The tooltip Qt shows for a hover over the middle of the edge ``key_``."""
    edge = win.canvas.graph_scene.edges[key_]
    viewport = win.canvas.viewport()
    at = win.canvas.mapFromScene(edge.label_anchor())
    QApplication.sendEvent(viewport, QHelpEvent(QEvent.Type.ToolTip, at,
                                                viewport.mapToGlobal(at)))
    text = QToolTip.text()
    assert text == win.canvas.graph_scene.edge_tooltip(key_)
    return text


def overview_row(win, node_id):
    return next(r for r in win.inspector.overview.rows() if r[0] == node_id)


def test_at_step_one_no_view_shows_the_final_pass(window):
    """two_paths: z = x·y, x = t², y = eᵗ at t = 0.5; ∂z/∂t = 2.0609 is the final answer."""
    open_example(window, "two_paths")
    key(window, Qt.Key.Key_Home)
    assert window.player.active and window.player.current == 0
    overview = window.inspector.overview
    assert overview.loss_label.text() == "Loss z: not computed yet"
    assert overview_row(window, "t")[2:] == ("0.5", "not yet")
    assert "2.0609" not in window.model_label.text() + overview.loss_label.text()
    select(window, "t")
    inspector = window.inspector
    assert inspector.value_view.text() == "0.5"
    assert inspector.grad_view.text().startswith("not yet")
    assert "step 1/9" in inspector.grad_caption.text()
    assert window.selection_label.text() == "t = 0.5"
    assert "step 1/9" in window.model_label.text()
    tip = edge_tip(window, ("x", "z", 0))
    assert "x is not computed yet" in tip and "nothing has flowed back along it yet at " \
        "step 1/9" in tip
    panel = chain_rule_panel(window)
    assert "has not reached t yet" in panel.step_note and not panel.rows
    assert "2.0609" not in panel_text(panel) + window.selection_label.text()


def test_stepping_with_the_keys_every_view_follows_the_step(window, qtbot):
    open_example(window, "two_paths")
    select(window, "t")
    key(window, Qt.Key.Key_End)                       # the last step: both paths are in
    inspector, panel = window.inspector, chain_rule_panel(window)
    assert inspector.grad_view.text() == "2.0609"
    assert window.selection_label.text() == "t = 0.5   ∂z/∂t = 2.0609"
    assert len(panel.rows) == 2 and panel.step_note == ""
    assert "complete at step 9/9" in panel.subtitle.text()
    key(window, Qt.Key.Key_Left)                      # one of the two contributions is in
    first = window.canvas.graph_scene.record.node("t").grad
    assert 0 < float(first) < 2.06
    assert inspector.grad_view.text() == f"{float(first):.6g}"
    assert window.selection_label.text() == f"t = 0.5   ∂z/∂t = {float(first):.6g}"
    assert "1 of 2 contributions have arrived" in panel.step_note and not panel.rows
    tip = edge_tip(window, ("t", "y", 0)) + edge_tip(window, ("t", "x", 0))
    assert tip.count("nothing has flowed back") == 1          # one edge has, one has not
    window.inspector.set_selection([])                         # the overview of the leaves
    assert overview_row(window, "t")[3] == f"{float(first):.6g}"
    key(window, Qt.Key.Key_Home)
    assert overview_row(window, "t")[3] == "not yet"
    window.player.set_speed(20)
    key(window, Qt.Key.Key_K)                                   # play the pass ...
    assert window.player.playing
    qtbot.waitUntil(lambda: not window.player.playing, timeout=5000)
    assert overview_row(window, "t")[3] == "2.0609"             # ... the views followed it
    key(window, Qt.Key.Key_Home)
    key(window, Qt.Key.Key_Right)                               # x = t² computed: 0.25
    assert window.inspector.overview.loss_label.text() == "Loss z: not computed yet"
    window.player.leave()                                       # the live view again
    assert overview_row(window, "t")[3] == "2.0609"
    assert window.inspector.overview.loss_label.text() == "Loss z = 0.41218"


def test_a_hidden_number_is_a_question_mark_in_every_view(window):
    """What predict mode does (issue 17): the record hides x_squared's value, x's gradient and
    what flowed back from x_squared to x. Every view shows "?" and none shows the numbers
    (2.25, and 95.0625 however it is rounded)."""
    open_example(window, "chain_rule")
    key(window, Qt.Key.Key_End)
    edge = ("x", "x_squared", 0)
    window.player.set_record_filter(
        lambda record, step: hide(record, values=["x_squared"], grads=["x"], edges=[edge]))
    canvas = window.canvas
    square, x = canvas.node_item("x_squared"), canvas.node_item("x")
    assert square.value_text == "= ?" and x.grad_text == "∂y/∂x = ?"
    assert square.value_pixmap is None and x.grad_pixmap is None and not square.pending
    line = canvas.graph_scene.edges[edge]
    assert line.label == HIDDEN and line.grad_strength is None    # no width, no sign
    assert line.pen_colour() == style.EDGE.name()                 # the plain wire's grey
    assert canvas.caption_overlay.caption == "step 9/9 · backward"
    node_tips = square.toolTip() + x.toolTip()
    assert "x_squared = ?" in node_tips and "∂y/∂x = ?" in node_tips
    tips = edge_tip(window, edge) + edge_tip(window, ("x_squared", "u", 0))
    assert "x_squared = ?" in tips and "= 3 × 31.69 = ?" in tips
    overview = window.inspector.overview
    assert overview_row(window, "x")[2:] == ("1.5", HIDDEN)
    row = next(r for r in range(overview.table.rowCount())
               if overview.table.item(r, 0).text() == "x")
    cell_tips = " ".join(overview.table.item(row, c).toolTip() for c in range(4))
    select(window, "x")
    inspector = window.inspector
    assert inspector.grad_view.text() == HIDDEN
    assert window.selection_label.text() == "x = 1.5   ∂y/∂x = ?"
    panel = chain_rule_panel(window)
    assert HIDDEN in panel.step_note and not panel.rows
    views = [node_tips, tips, cell_tips, window.selection_label.text(),
             inspector.grad_view.text(), panel_text(panel), square.value_text, x.grad_text,
             line.label, canvas.caption_overlay.detail]
    select(window, "x_squared")
    assert inspector.value_view.text() == HIDDEN
    views += [inspector.value_view.text(), window.selection_label.text()]
    for number in ("2.25", "95.06", "95.1", "95.0625"):
        assert number not in "\n".join(views), number
    window.player.set_record_filter(None)                      # revealed
    assert inspector.value_view.text() == "2.25" and x.grad_text == "∂y/∂x = 95.06"
    assert line.label == "95.1"


def card_fits(win) -> bool:
    """The step card shows all it says with no scroll bar (the layout has settled)."""
    QApplication.processEvents()
    card = win.step_card
    return card.fits() and not card.scroll.verticalScrollBar().isVisible()


def test_every_per_node_card_and_the_update_card_fit_at_1440_by_900(window):
    """Issue 15 item 11: no scrolling for xor_mlp's update card and every per-node card of
    xor_mlp (tensors) and two_paths (where paths meet), walked with the arrow keys."""
    window.resize(1440, 900)
    open_example(window, "xor_mlp")
    key(window, Qt.Key.Key_End)
    assert window.player.step_info().phase == "update" and card_fits(window)
    for name in ("xor_mlp", "two_paths"):
        open_example(window, name)
        key(window, Qt.Key.Key_Home)
        window.findChild(type(window.actions_by_name["fit"]), "player_granularity_node").trigger()
        assert window.player.granularity == "node"
        for _ in range(window.player.count - 1):
            key(window, Qt.Key.Key_Right)
            assert card_fits(window), (name, window.step_card.text())
    layouts = window.step_card.layout_mode
    assert layouts in ("below", "beside", "small", "small beside")
