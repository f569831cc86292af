"""The canvas as a screen reader reads it, and what the app announces (issue 19).

Qt is asked exactly what assistive technology asks: ``QAccessible.queryAccessibleInterface``
on the canvas, its children, their names and states. Announcements and accessibility events
are heard on ``gui.accessibility.announcer()`` (PySide6 binds no update handler).
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QAccessible
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from shiboken6 import isValid

from conftest import EXAMPLES
from gui.accessibility import announcer, first_sentence, plain
from gui.canvas.accessible import CanvasAccessible
from gui.display import hide
from gui.formatting import fmt_number
from window_fixtures import dialogs, settings, window  # noqa: F401 (fixtures)

NAME = QAccessible.Text.Name


def open_example(win, name):
    assert win.open_file(EXAMPLES / f"{name}.json", ask=False)
    win.model.run_now()
    QApplication.processEvents()


def canvas_interface(win) -> CanvasAccessible:
    interface = QAccessible.queryAccessibleInterface(win.canvas)
    assert isinstance(interface, CanvasAccessible)      # the factory make_application installs
    return interface


def names(win) -> dict:
    interface = canvas_interface(win)
    children = [interface.child(i) for i in range(interface.childCount())]
    assert all(c.parent() is interface and interface.indexOfChild(c) == i
               for i, c in enumerate(children))
    return {c.node_id: c.text(NAME) for c in children}


def key(win, k, modifiers=Qt.KeyboardModifier.NoModifier):
    win.activateWindow()
    win.canvas.setFocus()
    QTest.keyClick(win.canvas, k, modifiers)
    QApplication.processEvents()


class Heard:
    """Everything announced and every accessibility event sent, in order."""

    def __init__(self):
        self.said, self.events = [], []
        announcer().announced.connect(self.said.append)
        announcer().event_sent.connect(lambda kind, name: self.events.append((kind, name)))


def test_chain_rule_reads_node_by_node_with_the_cards_numbers(window):
    open_example(window, "chain_rule")
    interface = canvas_interface(window)
    assert "Canvas" in interface.text(NAME)
    assert "Shift+Tab or F6 leaves the canvas" in interface.text(QAccessible.Text.Description)
    assert interface.role() == QAccessible.Role.List
    assert names(window) == {
        "x": "x: input, value 1.5, ∂y/∂x 95.06, feeds x_squared",
        "x_squared": "x_squared: pow, value 2.25, ∂y/∂x_squared 31.69, input x, feeds u",
        "one": "one: constant, value 1, ∂y/∂one 31.69, feeds u",
        "u": "u: add, value 3.25, ∂y/∂u 31.69, inputs x_squared and one, feeds y",
        "y": "y: pow, value 34.33, ∂y/∂y 1, input u, the loss"}
    # the digits a card shows, read off the cards themselves
    assert window.canvas.node_item("u").value_text == "= 3.25"
    assert window.canvas.node_item("x").grad_text == "∂y/∂x = 95.06"
    node = interface.child(3)
    assert node.role() == QAccessible.Role.ListItem and node.isValid()
    assert node.text(QAccessible.Text.Description) == \
        "a + b, elementwise with numpy broadcasting. Shown as +."
    item = window.canvas.node_item("u")
    rect = node.rect()
    centre = window.canvas.viewport().mapFromGlobal(rect.center())
    assert window.canvas.mapFromScene(item.sceneBoundingRect()).boundingRect().contains(centre)
    assert interface.childAt(rect.center().x(), rect.center().y()).node_id == "u"


def test_a_tensor_reads_its_shape_and_mean_and_an_unfinished_node_says_why(window):
    open_example(window, "xor_mlp")
    read = names(window)
    W1 = np.asarray(window.model.values["W1"])
    mean = fmt_number(W1.mean())
    shape = "×".join(map(str, W1.shape))
    assert read["W1"].startswith(f"W1: parameter, value {shape} tensor, mean {mean}, "
                                 f"∂{window.model.loss_id}/∂W1 {shape} tensor, mean ")
    window.canvas.add_node_at("sub", QPointF(900, 900))
    QApplication.processEvents()
    (new,) = [n for n in window.model.node_ids() if n.startswith("sub")]
    assert names(window)[new] == f"{new}: sub, incomplete: connect a, b, inputs nothing on a " \
                                 "and nothing on b"


def test_names_follow_the_player_and_a_hidden_number_reads_as_a_question_mark(window):
    open_example(window, "chain_rule")
    player = window.player
    player.go_to(0)
    read = names(window)
    assert read["u"] == "u: add, value not computed yet, inputs x_squared and one, feeds y"
    assert read["x"].startswith("x: input, value 1.5")
    player.go_to(5)                              # y → u: ∂y/∂u arrives
    read = names(window)
    assert read["u"].startswith("u: add, value 3.25, ∂y/∂u 31.69,")
    assert read["x"] == "x: input, value 1.5, ∂y/∂x not yet, feeds x_squared"
    scene = window.canvas.graph_scene
    scene.show_replay(hide(scene.record, values=["u"], grads=["u"]))   # predict mode's filter
    assert names(window)["u"] == "u: add, value ?, ∂y/∂u ?, inputs x_squared and one, feeds y"
    player.leave()
    assert names(window)["u"].startswith("u: add, value 3.25, ∂y/∂u 31.69")


def test_node_interfaces_are_deleted_with_their_nodes_and_follow_a_rename(window):
    open_example(window, "chain_rule")
    interface = canvas_interface(window)
    one = interface.child(2)
    u = interface.child(3)
    uid = QAccessible.uniqueId(u)
    assert QAccessible.accessibleInterface(uid) is not None
    window.canvas.select_nodes(["one"])
    window.canvas.delete_selection()
    QApplication.processEvents()
    assert not isValid(one)                     # deleted through deleteAccessibleInterface
    assert interface.childCount() == 4 and "one" not in names(window)
    window.undo_stack.undo()
    window.model.run_now()
    QApplication.processEvents()
    assert names(window)["one"].startswith("one: constant, value 1")
    window.inspector.set_selection(["u"])
    window.inspector.name_edit.setText("sum_u")
    window.inspector.name_edit.editingFinished.emit()
    window.model.run_now()
    QApplication.processEvents()
    assert isValid(u) and u.node_id == "sum_u"
    assert u.text(NAME).startswith("sum_u: add, value 3.25")


def test_selection_and_focus_changes_send_events(window):
    open_example(window, "chain_rule")
    heard = Heard()
    key(window, Qt.Key.Key_Right)                 # the first node in reading order: x
    assert window.canvas.selected_nodes() == ["x"]
    assert heard.events == [(QAccessible.Event.Focus, names(window)["x"])]    # told once
    node = canvas_interface(window).child(0)
    assert node.state().focused and node.state().selected
    assert canvas_interface(window).focusChild() is node
    key(window, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)  # x_squared added
    assert window.canvas.selected_nodes() == ["x", "x_squared"]
    assert heard.events[-1] == (QAccessible.Event.Focus, names(window)["x_squared"])
    assert canvas_interface(window).child(0).state().selected
    assert not canvas_interface(window).child(0).state().focused
    before = len(heard.events)
    window.canvas.select_nodes(["u"])             # by another view: the reader follows too
    assert heard.events[before:] == [(QAccessible.Event.Focus, names(window)["u"])]


def test_each_player_step_is_announced_as_its_caption_and_the_cards_first_sentence(window):
    open_example(window, "chain_rule")
    heard = Heard()
    key(window, Qt.Key.Key_Home)
    key(window, Qt.Key.Key_Right)
    key(window, Qt.Key.Key_End)
    key(window, Qt.Key.Key_Left)
    card = window.step_card
    assert heard.said == [
        "step 1/9 · initial. the leaves hold their values; nothing is computed yet",
        "step 2/9 · forward. x_squared = x² = 2.25",
        "step 9/9 · backward. x_squared → x: ∂y/∂x += ∂y/∂x_squared · ∂x_squared/∂x = "
        "31.6875 × 3 = 95.0625",
        "step 8/9 · backward. u → one: ∂y/∂one += ∂y/∂u · ∂u/∂one = 31.6875 × 1 = 31.6875"], \
        heard.said
    assert heard.said[-1] == f"{card.caption.text()}. {first_sentence(card.title.text())}"
    assert first_sentence("y = 2.25. Then more.") == "y = 2.25."


def test_training_start_pause_and_done_are_announced_with_loss_and_accuracy(window, qtbot):
    open_example(window, "xor_mlp")
    heard = Heard()
    session = window.training.session
    assert session.start(steps=30)
    qtbot.waitUntil(lambda: not session.running, timeout=20000)
    metrics = session.metrics()
    assert heard.said[0] == "Training started: 30 steps"
    done = heard.said[-1]
    assert done.startswith("Training done at step 30: loss ")
    assert fmt_number(metrics["loss"], 4) in done and f"accuracy {metrics['accuracy']:.1%}" in done
    session.start(steps=1_000_000)
    qtbot.waitUntil(lambda: session.step_count > 30, timeout=20000)
    session.pause(wait=True)
    QApplication.processEvents()
    assert heard.said[-2] == "Training started: 1000000 steps"
    assert heard.said[-1].startswith(f"Training paused at step {session.step_count} (")
    assert "loss " in heard.said[-1] and "accuracy " in heard.said[-1]


def test_predict_mode_announces_the_hidden_step_and_the_verdict(window):
    open_example(window, "chain_rule")
    heard = Heard()
    player = window.player
    player.predict.set_enabled(True)
    key(window, Qt.Key.Key_Home)
    key(window, Qt.Key.Key_Right)                 # x_squared = x² = 2.25, asked
    assert player.predict.hidden()
    assert heard.said[-1] == "step 2/9 · forward · predict. x_squared = x² = ?"
    assert names(window)["x_squared"].startswith("x_squared: pow, value ?")
    box = window.step_card.predict_box
    assert box.field.accessibleName() == f"Your prediction: {plain(box.prompt.text())}"
    box.field.setFocus()
    QTest.keyClicks(box.field, "2.25")
    QTest.keyClick(box.field, Qt.Key.Key_Return)
    QApplication.processEvents()
    assert player.predict.outcome() is not None
    assert heard.said[-1] == plain(box.verdict.text()) == "✓ Right: x_squared = 2.25 (yours: 2.25)"
    assert heard.said.count(heard.said[-1]) == 1          # once, not once per redraw
