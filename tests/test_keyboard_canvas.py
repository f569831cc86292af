"""The canvas and the window by keyboard alone, with real key events (issue 19)."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent, QCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu

from conftest import EXAMPLES
from gui.theme import colors
from window_fixtures import dialogs, settings, window  # noqa: F401 (fixtures)

K = Qt.Key
ALT, SHIFT = Qt.KeyboardModifier.AltModifier, Qt.KeyboardModifier.ShiftModifier


def open_example(win, name):
    assert win.open_file(EXAMPLES / f"{name}.json", ask=False)
    win.model.run_now()
    QApplication.processEvents()


def focus_canvas(win):
    win.activateWindow()
    win.canvas.setFocus()
    QApplication.processEvents()


def press(widget, key, modifiers=Qt.KeyboardModifier.NoModifier):
    QTest.keyClick(widget, key, modifiers)
    QApplication.processEvents()


def type_text(widget, text):
    QTest.keyClicks(widget, text)
    QApplication.processEvents()


def focused():
    return QApplication.focusWidget()


def keys_go_to():
    """Where a key goes on a real display: an open popup (a completion list) first."""
    return QApplication.activePopupWidget() or focused()


def test_arrows_walk_to_the_nearest_node_in_their_direction(window):
    open_example(window, "chain_rule")        # x (0,0)  x_squared (200,0)  one (200,140)
    focus_canvas(window)                      # u (400,50)  y (600,50)
    canvas = window.canvas
    walk = [(K.Key_Down, "x"), (K.Key_Right, "x_squared"), (K.Key_Down, "one"),
            (K.Key_Right, "u"), (K.Key_Right, "y"), (K.Key_Right, "y"), (K.Key_Left, "u"),
            (K.Key_Up, "x_squared"), (K.Key_Left, "x")]
    for key, expected in walk:
        press(canvas, key)
        assert canvas.selected_nodes() == [expected], key
        assert canvas.current_node == expected
    press(canvas, K.Key_Right, SHIFT)
    assert canvas.selected_nodes() == ["x", "x_squared"]
    assert not window.player_dock.is_built or not window.player.active


def test_in_the_player_left_and_right_step_while_up_and_down_still_move(window):
    open_example(window, "chain_rule")
    focus_canvas(window)
    canvas = window.canvas
    press(canvas, K.Key_Home)
    player = window.player
    assert player.active and player.current == 0
    press(canvas, K.Key_Right)
    press(canvas, K.Key_Right)
    assert player.current == 2 and canvas.selected_nodes() == []
    press(canvas, K.Key_Left)
    assert player.current == 1
    press(canvas, K.Key_Down)
    assert canvas.selected_nodes() == ["x"] and player.active and player.current == 1


def test_alt_arrows_move_the_selection_and_a_run_of_moves_is_one_undo_step(window):
    open_example(window, "chain_rule")
    focus_canvas(window)
    canvas, model, stack = window.canvas, window.model, window.undo_stack
    canvas.select_nodes(["u", "y"])
    steps = stack.count()
    for _ in range(3):
        press(canvas, K.Key_Right, ALT)
    press(canvas, K.Key_Down, ALT | SHIFT)
    assert model.node("u").position == (430.0, 51.0)
    assert model.node("y").position == (630.0, 51.0)
    assert canvas.node_item("u").pos().toTuple() == (430.0, 51.0)
    assert stack.count() == steps + 1
    canvas.select_nodes(["x"])                      # other nodes: a step of their own
    press(canvas, K.Key_Up, ALT)
    assert stack.count() == steps + 2 and model.node("x").position == (0.0, -10.0)
    stack.undo()
    stack.undo()
    assert model.node("u").position == (400.0, 50.0) and model.node("x").position == (0, 0)
    canvas.select_nodes(["one"])
    press(canvas, K.Key_Left, ALT)
    press(canvas, K.Key_Right, ALT)                 # back where it was: no step at all
    assert stack.count() == steps and model.node("one").position == (200, 140)


def test_enter_edits_the_value_in_the_inspector_and_esc_comes_back(window):
    open_example(window, "chain_rule")
    focus_canvas(window)
    canvas = window.canvas
    press(canvas, K.Key_Down)                        # x
    press(canvas, K.Key_Return)
    editor = window.inspector.value_edit
    assert focused() is editor and editor.textCursor().selectedText() == "1.5"
    type_text(editor, "2")
    press(editor, K.Key_Return)
    assert float(window.model.node("x").value) == 2.0
    window.model.run_now()
    assert float(window.model.grads["x"]) == 6 * 2 * (2 ** 2 + 1) ** 2
    press(editor, K.Key_Escape)
    assert focused() is canvas and canvas.current_node == "x"
    press(canvas, K.Key_Return)
    type_text(window.inspector.value_edit, "7")         # typed, not applied …
    press(window.inspector.value_edit, K.Key_Escape)    # … Esc puts the value back
    assert focused() is canvas and float(window.model.node("x").value) == 2.0
    press(canvas, K.Key_Right)                           # an op: its first setting
    press(canvas, K.Key_Return)
    assert focused() is window.inspector.attr_editors["exponent"][0]
    press(focused(), K.Key_Escape)
    assert focused() is canvas


def test_ctrl_e_connects_by_name_in_one_undo_step_and_a_refusal_says_why(window):
    open_example(window, "chain_rule")
    model, stack = window.model, window.undo_stack
    window.undo_stack.push(__import__("gui.model.commands", fromlist=["x"]).Disconnect(
        model, "u", 1))
    focus_canvas(window)
    canvas = window.canvas
    canvas.select_nodes(["one"])
    steps = stack.count()
    press(canvas, K.Key_E, Qt.KeyboardModifier.ControlModifier)
    dialog = canvas.connect_dialog
    assert dialog.isVisible() and dialog.source.currentText() == "one"
    assert dialog.target.currentText() == "u.b"          # the free port that takes it
    press(focused(), K.Key_Return)
    assert model.source_of("u", 1) == "one" and stack.count() == steps + 1
    assert not dialog.isVisible() and focused() is canvas     # back where the keys were
    stack.undo()
    assert model.source_of("u", 1) is None
    canvas.select_nodes(["y"])
    press(canvas, K.Key_E, Qt.KeyboardModifier.ControlModifier)
    dialog = canvas.connect_dialog
    target = dialog.target.lineEdit()
    target.selectAll()
    type_text(target, "x_squared.x")
    press(target, K.Key_Return)                          # y → x_squared: a cycle
    assert dialog.isVisible() and "cycle" in dialog.reason.text()
    assert window.statusBar().currentMessage().startswith("⚠ Cannot connect y → x_squared")
    assert model.source_of("x_squared", 0) == "x" and stack.index() == steps
    press(focused(), K.Key_Escape)
    assert not dialog.isVisible()


def visible_menus():
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QMenu) and w.isVisible()]


def test_menu_key_and_shift_f10_open_the_nodes_menu_once_at_the_node(window):
    open_example(window, "chain_rule")
    focus_canvas(window)
    canvas = window.canvas
    canvas.select_nodes(["x"])           # at the left: the menu fits on the small test screen
    press(canvas, K.Key_Menu)
    # what X11 sends after the key press: Qt's keyboard context-menu event, at (0, 0)
    QApplication.sendEvent(canvas, QContextMenuEvent(QContextMenuEvent.Reason.Keyboard,
                                                     QPoint(0, 0), canvas.mapToGlobal(
                                                         QPoint(0, 0))))
    QApplication.processEvents()
    (menu,) = visible_menus()
    texts = [a.text() for a in menu.actions() if a.text()]
    assert "Use as loss" in texts and "Connect…  (Ctrl+E)" in texts and "Delete" in texts
    item = canvas.node_item("x")
    card = canvas.mapFromScene(item.sceneBoundingRect()).boundingRect()
    assert card.contains(canvas.viewport().mapFromGlobal(menu.pos()))
    menu.close()
    QApplication.processEvents()
    press(canvas, K.Key_F10, SHIFT)
    (menu,) = visible_menus()
    connect = next(a for a in menu.actions() if a.text().startswith("Connect"))
    connect.trigger()
    QApplication.processEvents()
    assert canvas.connect_dialog.source.currentText() == "x"
    canvas.connect_dialog.reject()
    canvas.select_nodes([])
    press(canvas, K.Key_Menu)                            # nothing selected: the canvas's menu
    (menu,) = visible_menus()
    assert [a.text() for a in menu.actions()][:2] == ["Add node…", "Paste here"]
    centre = canvas.viewport().rect().center()
    assert (canvas.viewport().mapFromGlobal(menu.pos()) - centre).manhattanLength() <= 2
    menu.close()


def test_tab_adds_shift_tab_and_f6_leave_and_f6_goes_round_the_panels(window):
    open_example(window, "chain_rule")
    focus_canvas(window)
    canvas = window.canvas
    press(canvas, K.Key_Tab)
    assert canvas.quick_search.isVisible() and focused() is canvas.quick_search.edit
    press(focused(), K.Key_Escape)
    assert focused() is canvas
    press(canvas, K.Key_Backtab, SHIFT)
    assert focused() is not canvas and not canvas.isAncestorOf(focused())
    window.training_dock.raise_()              # the bottom panel's front tab: training
    focus_canvas(window)
    order = []
    for _ in range(4):
        press(focused(), K.Key_F6)
        order.append(focused())
    assert window.inspector.isAncestorOf(order[0])
    assert window.training.isAncestorOf(order[1])
    assert window.palette.isAncestorOf(order[2])
    assert order[3] is canvas
    press(canvas, K.Key_F6, SHIFT)
    assert focused() is order[2]
    press(focused(), K.Key_F6, SHIFT)
    assert focused() is order[1]              # each panel gets back the control it had
    window.chain_rule_dock.raise_()            # labels only, nothing to focus: passed over
    order[0].setFocus()                        # in the inspector
    QApplication.processEvents()
    press(order[0], K.Key_F6)
    assert focused() is order[2]
    canvas.select_nodes(["x"])                 # now the tab lists x's path to the loss
    QApplication.processEvents()
    window.inspector.setFocus()
    press(window.inspector, K.Key_F6)
    (row,) = window.chain_rule_dock.widget().rows
    assert focused() is row and row.property("hovered")      # picked out on the canvas too
    assert row.accessibleName() == ("Path 1: x → x_squared → u → y. ∂y/∂x = ∂y/∂u · "
                                    "∂u/∂x_squared · ∂x_squared/∂x = 31.6875 · 1 · 3 = "
                                    "95.0625, 100% of the gradient")


def test_single_key_shortcuts_act_only_on_the_canvas(window):
    open_example(window, "chain_rule")
    canvas = window.canvas
    canvas.resetTransform()
    window.activateWindow()
    window.palette.tree.setFocus()
    QApplication.processEvents()
    for key in (K.Key_F, K.Key_K, K.Key_N, K.Key_P):
        press(window.palette.tree, key)
    assert canvas.transform().m11() == 1.0                  # F did not fit
    assert not window.player_dock.is_built or not window.player.active     # K did not play
    assert not window.player_actions["predict"].isChecked()                # nor P predict
    window.palette.search.setFocus()
    type_text(window.palette.search, "fk")
    assert window.palette.search.text() == "fk"
    focus_canvas(window)
    press(canvas, K.Key_F)
    assert canvas.fitted
    press(canvas, K.Key_K)
    assert window.player.playing
    press(canvas, K.Key_K)
    assert not window.player.playing
    press(canvas, K.Key_P)
    assert window.player.predict.enabled


def test_the_chain_rule_example_built_by_keyboard_alone(window):
    """Tab adds, Enter edits, F2 renames, Ctrl+E connects, arrows move between nodes: the
    chain-rule example, every number equal to the shipped file's."""
    QCursor.setPos(window.palette.mapToGlobal(QPoint(5, 5)))    # the mouse is off the canvas
    focus_canvas(window)
    canvas, model = window.canvas, window.model

    def add(op, name):
        press(canvas, K.Key_Tab)
        type_text(canvas.quick_search.edit, op)
        press(canvas.quick_search.edit, K.Key_Return)
        assert focused() is canvas
        (node,) = canvas.selected_nodes()
        press(canvas, K.Key_F2)
        editor = canvas.rename_editor
        assert focused() is editor
        type_text(editor, name)
        press(editor, K.Key_Return)
        assert focused() is canvas and canvas.selected_nodes() == [name]
        return name

    def set_field(text):
        press(canvas, K.Key_Return)
        type_text(focused(), text)
        press(focused(), K.Key_Return)
        press(focused(), K.Key_Escape)
        assert focused() is canvas

    def connect(target, source=None):
        press(canvas, K.Key_E, Qt.KeyboardModifier.ControlModifier)
        dialog = canvas.connect_dialog
        assert focused() is dialog.source
        if source is not None:                           # From: typed over the selected node
            dialog.source.lineEdit().selectAll()
            type_text(dialog.source.lineEdit(), source)
        press(keys_go_to(), K.Key_Tab)                   # (the completion list has the keys)
        assert focused() is dialog.target and not QApplication.activePopupWidget()
        dialog.target.lineEdit().selectAll()
        type_text(dialog.target.lineEdit(), target)
        assert keys_go_to() is dialog.target.completer().popup()     # it lists the matches
        press(keys_go_to(), K.Key_Return)
        if dialog.isVisible():                           # refused: it says why, Esc closes
            reason = dialog.reason.text()
            press(focused(), K.Key_Escape)
            assert not dialog.isVisible()
            return reason
        assert focused() is canvas
        return None

    add("input", "x")
    set_field("1.5")
    for _ in range(2):
        press(canvas, K.Key_Right, ALT | SHIFT)          # nudge it a little (undoable)
    add("pow", "x_squared")                              # goes to the right of x
    assert canvas.node_item("x_squared").pos().x() > canvas.node_item("x").pos().x()
    press(canvas, K.Key_Left)
    assert canvas.selected_nodes() == ["x"]
    assert connect("x_squared.x") is None                # From: the selected node, x
    press(canvas, K.Key_Right)
    assert canvas.selected_nodes() == ["x_squared"]
    add("add", "u")
    assert connect("u.b") == "Cannot connect u → u.b: a node cannot feed itself"
    assert connect("u.a", source="x_squared") is None
    add("constant", "one")
    set_field("1")
    assert connect("u.b") is None
    add("pow", "y")
    set_field("3")                                       # y's exponent
    assert connect("y.x", source="u") is None
    assert focused() is canvas
    model.run_now()
    shipped = __import__("engine").load_graph(EXAMPLES / "chain_rule.json")
    assert sorted(model.node_ids()) == sorted(shipped.node_ids())
    assert {(e.source, e.target, e.port) for e in model.edges()} == \
        {(e.source, e.target, e.port) for e in shipped.edges()}
    assert model.node("y").attrs["exponent"] == 3.0
    grads = shipped.backward()
    for node_id, grad in grads.items():
        assert np.array_equal(model.grads[node_id], grad), node_id
    assert float(model.grads["x"]) == 95.0625


def test_the_neuron_view_chooses_a_weight_by_keyboard(window):
    from gui.accessibility import announcer
    from network_graphs import hand_built
    window.open_graph(hand_built((2, 3, 2), ["tanh"], "softmax_ce", rows=4, seed=3), None, "net")
    window.model.run_now()
    window.network.show_neurons(True)
    QApplication.processEvents()
    page = window.network.page
    said = []
    announcer().announced.connect(said.append)
    page.picture.setFocus()
    QApplication.processEvents()
    none = Qt.KeyboardModifier.NoModifier
    walk = [(K.Key_Down, none, (1, 0, 0)),               # none chosen: the first weight
            (K.Key_Down, none, (1, 0, 1)), (K.Key_Down, SHIFT, (1, 1, 1)),
            (K.Key_Down, none, (1, 1, 2)), (K.Key_Down, none, (1, 1, 2)),   # kept in the layer
            (K.Key_Right, none, (2, 1, 1)), (K.Key_Left, none, (1, 1, 1))]
    for key, mods, chosen in walk:
        press(page.picture, key, mods)
        assert page.chosen == chosen, key
        chain = page.chain
        assert (chain.layer, chain.i, chain.j) == chosen and chain.agrees
    assert said[-1] == "Weight L1.weight: unit 1 to unit 1"
    assert f"∂L/∂L1.weight[1,1]" in page.chain_view.toPlainText()
    assert page.picture.accessibleName().endswith("weight L1.weight: unit 1 to unit 1")
    assert not window.player_dock.is_built or not window.player.active     # → stayed here
    image = page.picture.grab().toImage()
    assert image.pixelColor(image.width() // 2, 1).name() == colors.active().focus   # ring
