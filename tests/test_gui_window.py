"""The main window: layout, title star, keyboard shortcuts on the focused canvas, status bar,
help, and the app's start-up hook and error reporter."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from contextlib import redirect_stderr
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDockWidget

from gui.model import commands
from gui.window.app import ErrorReporter
from conftest import EXAMPLES
from window_fixtures import dialogs, graph_dict, settings, square_graph_file, window  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent


def add(win, node_id, op, position=(0, 0), **kwargs):
    win.undo_stack.push(commands.AddNode(win.model, node_id, op, position=position, **kwargs))


def press(win, key, modifiers=Qt.KeyboardModifier.NoModifier):
    win.activateWindow()
    win.canvas.setFocus()
    QTest.keyClick(win.canvas, key, modifiers)


def test_layout_docks_toolbar_menus(window):
    # the canvas in front of the central stack (the neuron view is its other page)
    assert window.centralWidget().currentWidget() is window.canvas
    areas = {d.windowTitle(): window.dockWidgetArea(d) for d in window.findChildren(QDockWidget)}
    assert areas == {"Palette": Qt.DockWidgetArea.LeftDockWidgetArea,
                     "Inspector": Qt.DockWidgetArea.RightDockWidgetArea,
                     "Network builder": Qt.DockWidgetArea.RightDockWidgetArea,
                     "Chain rule": Qt.DockWidgetArea.BottomDockWidgetArea,
                     "Player": Qt.DockWidgetArea.BottomDockWidgetArea,   # strip and card
                     "Training": Qt.DockWidgetArea.BottomDockWidgetArea,
                     "Help": Qt.DockWidgetArea.LeftDockWidgetArea,      # beside the canvas
                     "Lessons": Qt.DockWidgetArea.LeftDockWidgetArea}
    menus = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert menus == ["File", "Edit", "View", "Help"]
    toolbar = [a.objectName() for a in window.toolbar.actions() if a.objectName()]
    for name in ("new", "open", "save", "undo", "redo", "fit", "auto_layout"):
        assert name in toolbar
    assert window.width() >= 1200 and window.height() >= 800
    assert not window.windowIcon().isNull()
    assert window.palette_dock.width() < window.canvas.width()
    assert window.inspector_dock.width() < window.canvas.width()


def test_title_star_follows_the_undo_stack_clean_state(window, tmp_path):
    assert window.windowTitle() == "Backprop Studio — Untitled"
    add(window, "x", "input", value=1.0)
    assert window.windowTitle() == "Backprop Studio — Untitled*"
    window.undo_stack.undo()
    assert window.windowTitle() == "Backprop Studio — Untitled"
    window.undo_stack.redo()
    assert window.save_as(str(tmp_path / "t.json"))
    assert window.windowTitle() == "Backprop Studio — t.json"
    window.undo_stack.undo()
    assert window.windowTitle() == "Backprop Studio — t.json*"


def test_select_all_delete_undo_redo_by_keyboard(window, qtbot):
    add(window, "a", "input", value=1.0)
    add(window, "b", "neg", position=(220, 0))
    window.undo_stack.push(commands.Connect(window.model, "a", "b", 0))
    press(window, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert window.canvas.selected_nodes() == ["a", "b"]
    assert window.inspector.node_id is None and "2 selected" in window.selection_label.text()
    press(window, Qt.Key.Key_Delete)
    assert window.model.graph.node_ids() == []
    press(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.model.graph.node_ids() == ["a", "b"]
    assert len(window.model.graph.edges()) == 1
    press(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier
          | Qt.KeyboardModifier.ShiftModifier)
    assert window.model.graph.node_ids() == []


def test_f_fits_the_graph_and_zoom_actions_zoom(window):
    add(window, "far", "input", value=1.0, position=(4000, 3000))
    window.canvas.resetTransform()
    window.canvas.centerOn(0, 0)
    assert not window.canvas.mapToScene(window.canvas.viewport().rect()).boundingRect() \
        .contains(window.canvas.node_item("far").sceneBoundingRect())
    press(window, Qt.Key.Key_F)
    visible = window.canvas.mapToScene(window.canvas.viewport().rect()).boundingRect()
    assert visible.contains(window.canvas.node_item("far").sceneBoundingRect())
    scale = window.canvas.transform().m11()
    window.actions_by_name["zoom_in"].trigger()
    assert window.canvas.transform().m11() == pytest.approx(scale * 1.25)
    window.actions_by_name["zoom_reset"].trigger()
    assert window.canvas.transform().m11() == 1.0


def test_ctrl_f_searches_the_palette(window):
    press(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.palette.search.hasFocus()
    QTest.keyClicks(window.palette.search, "tanh")
    QTest.keyClick(window.palette.search, Qt.Key.Key_Return)
    (node_id,) = window.model.graph.node_ids()
    assert window.model.graph.node(node_id).op == "tanh"


def test_typing_in_the_inspector_does_not_trigger_canvas_shortcuts(window):
    add(window, "x", "input", value=1.0)
    window.canvas.select_nodes(["x"])
    edit = window.inspector.name_edit
    window.activateWindow()
    edit.setFocus()
    edit.selectAll()
    QTest.keyClicks(edit, "f")
    QTest.keyClick(edit, Qt.Key.Key_Delete)
    assert window.model.graph.node_ids() == ["x"] and edit.text() == "f"


def test_duplicate_copy_paste_and_cut_shortcuts(window):
    add(window, "a", "input", value=1.0)
    window.canvas.select_nodes(["a"])
    press(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert len(window.model.graph.node_ids()) == 2
    window.canvas.select_nodes(["a"])
    press(window, Qt.Key.Key_X, Qt.KeyboardModifier.ControlModifier)
    assert "a" not in window.model.graph.node_ids()
    press(window, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert len(window.model.graph.node_ids()) == 2


def test_status_bar_shows_loss_and_canvas_messages(window, tmp_path):
    window.open_file(square_graph_file(tmp_path / "sq.json", x=3.0))
    window.model.run_now()
    assert window.model_label.text() == "loss y = 9"
    window.canvas.refused.emit("cannot connect: would create a cycle")
    assert window.statusBar().currentMessage() == "⚠ cannot connect: would create a cycle"
    add(window, "lonely", "exp", position=(0, 300))
    window.model.run_now()
    assert window.model_label.text() == window.model.status or "attention" in window.model_label.text()


def test_help_is_a_dock_beside_the_canvas_and_about_a_dialog(window, dialogs):
    """Help is not modal: it opens in a dock, and the canvas takes edits while it shows."""
    assert window.help_dock.isHidden()
    window.actions_by_name["chain_rule"].trigger()
    assert window.help_dock.isVisible() and not window.help_dock.isFloating()
    assert "∂L/∂x" in window.help_dock.widget().toPlainText()
    assert dialogs.kinds() == []
    add(window, "x", "input", value=2.0)
    assert window.model.node_ids() == ["x"] and window.help_dock.isVisible()
    window.actions_by_name["about"].trigger()
    assert dialogs.kinds() == ["about"]


def test_chain_rule_help_quotes_the_examples_numbers_as_the_engine_computes_them():
    from engine import load_graph
    from gui.panels.help import CHAIN_RULE_TEXT
    examples = ROOT / "resources" / "examples"
    assert "dy/dx = dy/du · du/dx" in CHAIN_RULE_TEXT
    assert "dz/dt = ∂z/∂x · dx/dt + ∂z/∂y · dy/dt" in CHAIN_RULE_TEXT
    one_path = load_graph(examples / "chain_rule.json").backward()
    two_paths = load_graph(examples / "two_paths.json").backward()
    assert f"<b>{float(one_path['x']):.6g}</b>" in CHAIN_RULE_TEXT          # 95.0625
    assert f"<b>{float(two_paths['t']):.5g}</b>" in CHAIN_RULE_TEXT          # 2.0609


def test_chain_rule_help_names_the_player_keys_the_player_answers(window):
    """The help lists the player's keys (a user found only F, Tab, Del …); each one it names
    does what it says on the chain-rule example."""
    from PySide6.QtTest import QTest
    from gui.panels.help import CHAIN_RULE_TEXT
    keys = CHAIN_RULE_TEXT.split("<h4>The player</h4>")[1].split("</p>")[0]
    for name in ("K", "Space", "→", "←", "Home", "End", "Esc"):
        assert name in keys, name
    assert window.open_file(ROOT / "resources" / "examples" / "chain_rule.json", ask=False)
    window.model.run_now()
    window.activateWindow()
    window.canvas.setFocus()
    player = window.player
    for key, check in ((Qt.Key.Key_End, lambda: player.current == player.count - 1),
                       (Qt.Key.Key_Left, lambda: player.current == player.count - 2),
                       (Qt.Key.Key_Home, lambda: player.current == 0),
                       (Qt.Key.Key_Right, lambda: player.current == 1),
                       (Qt.Key.Key_K, lambda: player.playing),
                       (Qt.Key.Key_K, lambda: not player.playing),
                       (Qt.Key.Key_Escape, lambda: not player.active)):
        QTest.keyClick(window.canvas, key)
        assert check(), key


def test_the_empty_run_slot_leaves_no_stray_divider_in_the_toolbar(window):
    train = window.actions_by_name["train"]          # Train fills the Run slot
    assert window.run_toolbar_separator.isVisible()
    window.toolbar.removeAction(train)
    assert not window.run_toolbar_separator.isVisible()
    run = QAction("Run", window)
    window.toolbar.insertAction(window.run_toolbar_anchor, run)
    assert window.run_toolbar_separator.isVisible()
    window.toolbar.removeAction(run)
    assert not window.run_toolbar_separator.isVisible()


def test_default_window_gives_the_canvas_the_room_and_keeps_the_docks_readable(window):
    window.resize(1400, 900)
    QApplication.processEvents()
    assert window.canvas.width() >= 830
    palette = window.palette
    assert palette.width() >= palette.preferred_width() - 2
    tree = palette.tree
    for kind, name in palette.entries():
        item = palette.entry_item(kind, name)
        rect = tree.visualItemRect(item)
        lines = item.text(0).split("\n")
        text_width = max(tree.fontMetrics().horizontalAdvance(line) for line in lines)
        assert rect.left() + tree.iconSize().width() + text_width < tree.viewport().width(), name
    # with 36 ops the palette no longer fits 900 px: it scrolls, vertically only, and
    # scrolling brings every entry wholly into view
    assert tree.horizontalScrollBar().maximum() == 0
    for kind, name in palette.entries():
        item = palette.entry_item(kind, name)
        tree.scrollToItem(item)
        assert tree.viewport().rect().contains(tree.visualItemRect(item)), name
    assert window.inspector.width() >= 320


def test_error_reporter_logs_and_tells_the_user(window, dialogs, tmp_path):
    window.open_file(square_graph_file(tmp_path / "sq.json"))
    window.undo_stack.push(commands.SetValue(window.model, "x", 5.0))
    before = graph_dict(window)
    reporter = ErrorReporter(window)
    stderr = io.StringIO()
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        with redirect_stderr(stderr):
            reporter(*sys.exc_info())
    assert "Traceback" in stderr.getvalue() and "boom" in stderr.getvalue()
    assert "boom" in window.statusBar().currentMessage()
    assert dialogs.kinds() == ["critical"] and "Traceback" not in dialogs.texts()
    log = tmp_path / "logs" / "backprop-studio.log"          # beside the settings file
    assert str(log) in dialogs.texts() and "RuntimeError: boom" in log.read_text()
    assert "Traceback (most recent call last)" in log.read_text()
    # the window and the document are still there, unsaved changes and all
    assert window.isVisible() and graph_dict(window) == before and window.modified


def test_app_starts_shows_and_exits_with_the_hook(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "BACKPROP_STUDIO_EXIT_AFTER_SHOW": "1",
           "XDG_CONFIG_HOME": str(tmp_path), "HOME": str(tmp_path)}
    example = ROOT / "resources" / "examples" / "chain_rule.json"
    result = subprocess.run([sys.executable, "main.py", str(example)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    seconds = float(result.stdout.split("shown-after")[1].split()[0])
    assert 0 < seconds < 30
    assert "Traceback" not in result.stderr


def test_app_with_a_bad_file_starts_and_reports_without_traceback(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{oops")
    code = ("import sys; from PySide6.QtWidgets import QMessageBox;"
            "QMessageBox.warning = lambda *a, **k: print('BOX', a[2]) or QMessageBox.StandardButton.Ok;"
            "import main; sys.exit(main.main([sys.argv[1]]))")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "BACKPROP_STUDIO_EXIT_AFTER_SHOW": "1",
           "XDG_CONFIG_HOME": str(tmp_path), "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", code, str(bad)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "BOX" in result.stdout and "bad.json" in result.stdout
    assert "Traceback" not in result.stderr


def test_a_status_message_takes_the_selection_read_outs_room_while_it_shows(window):
    assert window.open_file(str(EXAMPLES / "xor_mlp.json"), ask=False)
    window.model.run_now()
    window.canvas.select_nodes(["W1"])
    window.statusBar().clearMessage()               # "Opened xor_mlp.json" has gone
    QApplication.processEvents()
    label = window.selection_label
    assert label.isVisible() and "W1" in label.text()
    text = "Training done at step 300: loss 0.004847, accuracy 100.0% — a long message"
    window.show_message(text)
    QApplication.processEvents()
    assert not label.isVisible()
    bar = window.statusBar()
    assert bar.fontMetrics().horizontalAdvance(text) < bar.width() - window.model_label.width()
    bar.clearMessage()
    QApplication.processEvents()
    assert label.isVisible() and "W1" in label.text()
