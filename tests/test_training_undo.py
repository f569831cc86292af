"""Undo during a training run never loses work (issue 15, item 1), driven with real keys and
clicks: the repro (XOR: Train, Reset, 20000 steps, Train, Ctrl+Z at step 7707 — the worker held
there by the session's test hook, never a sleep), Edit ▸ Undo from the menu bar, redo, and
Train after an undo or a redo. The state-machine test of every order of the actions is in
tests/test_training_undo_machine.py."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from test_training_readouts import hover_at
from training_helpers import (click, open_example, parameters, reference_trainer, show_plot,
                              undo_texts, wait_idle)
from window_fixtures import dialogs, settings, window  # noqa: F401 (fixtures)


def same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def type_steps(panel, steps: int) -> None:
    panel.steps_box.setFocus()
    panel.steps_box.selectAll()
    QTest.keyClicks(panel.steps_box, str(steps))
    QTest.keyClick(panel.steps_box, Qt.Key.Key_Return)
    QApplication.processEvents()


def train_held_at(qtbot, panel, step: int) -> None:
    """Click Train with the worker told to hold after `step` (the test hook), and wait there."""
    session = panel.session
    session.hold_at(step)
    click(panel.train_button)
    # the snapshot of `step` comes just before the worker holds there (a short run may be
    # held before a signal spy could be connected)
    qtbot.waitUntil(lambda: session.latest is not None and session.latest.run ==
                    session.worker.run_id and session.step_count == step, timeout=30000)
    QApplication.processEvents()
    assert panel.running and panel.session.step_count == step


def test_ctrl_z_mid_run_pauses_commits_the_run_and_undoes_it_redo_brings_it_back(window,
                                                                                 qtbot):
    """The repro: Train, Reset, steps 20000, Train, Ctrl+Z (canvas focused) at step 7707."""
    open_example(window, "xor_mlp")
    panel = window.training
    initial = parameters(window)
    initial_loss = reference_trainer(window).metrics()["loss"]
    click(panel.train_button)
    wait_idle(qtbot, panel)
    first_run = parameters(window)
    click(panel.reset_button)
    assert same(parameters(window), initial)
    type_steps(panel, 20000)
    reference = reference_trainer(window)
    reference.run(7707)
    train_held_at(qtbot, panel, 7707)
    undo = window.actions_by_name["undo"]
    assert undo.isEnabled() and "run so far" in undo.text()
    window.canvas.setFocus()
    QTest.keyClick(window.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    QApplication.processEvents()
    # paused, the run so far is its own undo step, and that step is undone
    assert not panel.running
    assert undo_texts(window) == ["Train 300 steps", "Reset weights",
                                  "Change training settings", "Train 7707 steps"]
    assert window.undo_stack.index() == 3
    assert same(parameters(window), initial)             # the weights the run started from
    assert panel.steps_box.value() == 20000              # the settings were not undone
    m = panel.metrics()
    assert m["step"] == 0 and m["loss"] == initial_loss
    assert panel.status_label.text().startswith("step 0 ")
    loss = panel.loss_plot
    assert len(loss.batch) == 7707 and loss.shown == 0   # the run's curves stay, greyed
    assert len(loss.train_grey.xData) > 1 and loss.train_grey.xData[-1] == 7707
    assert panel.accuracy_plot.shown == 0 and panel.gradient_plot.shown == 0
    assert "greyed" in window.statusBar().currentMessage()
    show_plot(panel, loss)                               # hovering the grey part says so
    hover_at(loss, 5000, float(np.mean(loss.plot.getPlotItem().vb.viewRange()[1])))
    text = loss.readout.text()
    assert 4900 < int(text.split()[1]) < 5100 and text.endswith("(undone)"), text
    # redo: the trained weights of step 7707, in colour again
    QTest.keyClick(window.canvas, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    QApplication.processEvents()
    assert same(parameters(window), reference.parameter_values())
    m = panel.metrics()
    assert m["step"] == 7707 and m["loss"] == reference.metrics()["loss"]
    assert loss.shown == 7707 and len(loss.train_grey.xData or []) == 0
    # every set of weights seen stays reachable: back through Reset to the first run
    for _ in range(3):
        window.undo_stack.undo()
    assert same(parameters(window), first_run) and panel.metrics()["step"] == 300
    assert loss.shown == 300 and len(loss.batch) == 300       # the first run's curves


def test_edit_menu_undo_mid_run_then_train_goes_on_from_the_step_shown(window, qtbot):
    """Edit ▸ Undo (clicked in the menu bar) while running: the run is undone; Train then
    starts a new run from the weights shown with a fresh optimizer, counting from step 0;
    after a redo, Train goes on from the redone step."""
    open_example(window, "xor_mlp")
    panel = window.training
    initial = parameters(window)
    train_held_at(qtbot, panel, 120)
    click_menu(window, "Edit", "undo")
    assert not panel.running and same(parameters(window), initial)
    assert undo_texts(window)[-1] == "Train 120 steps" and window.undo_stack.index() == 0
    assert panel.metrics()["step"] == 0 and panel.train_button.text() == "Train"
    reference = reference_trainer(window)
    reference.run(50)
    panel.start(50)
    wait_idle(qtbot, panel)
    assert same(parameters(window), reference.parameter_values())
    assert panel.metrics()["step"] == 50
    assert len(panel.loss_plot.batch) == 50 and panel.loss_plot.shown is None
    # the new run replaced the undone one; undo it and redo it, then train on from there
    window.undo_stack.undo()
    window.undo_stack.redo()
    assert panel.metrics()["step"] == 50
    fresh = reference_trainer(window)        # from the redone weights, a fresh optimizer
    fresh.run(30)
    panel.start(30)
    wait_idle(qtbot, panel)
    assert same(parameters(window), fresh.parameter_values())
    assert panel.metrics()["step"] == 80 and panel.loss_plot.batch.x[-1] == 80


def click_menu(window, title: str, action_name: str) -> None:
    """Open the menu bar's `title` menu with a click, then click the action's row."""
    bar = window.menuBar()
    menu_action = next(a for a in bar.actions() if a.text().replace("&", "") == title)
    QTest.mouseClick(bar, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     bar.actionGeometry(menu_action).center())
    menu = menu_action.menu()
    QApplication.processEvents()
    assert menu.isVisible()
    action = window.actions_by_name[action_name]
    QTest.mouseClick(menu, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     menu.actionGeometry(action).center())
    QApplication.processEvents()


def test_reset_and_reinit_mid_run_pause_the_run_then_act_as_undo_steps(window, qtbot):
    """Reset mid-run (a real click: it is enabled) pauses, commits the run, then resets;
    undo brings the run's weights back. Re-init mid-run does the same."""
    open_example(window, "xor_mlp")
    panel = window.training
    initial = parameters(window)
    reference = reference_trainer(window)
    reference.run(40)
    train_held_at(qtbot, panel, 40)
    click(panel.reset_button)
    assert not panel.running and same(parameters(window), initial)
    assert undo_texts(window)[-2:] == ["Train 40 steps", "Reset weights"]
    assert panel.metrics()["step"] == 0 and panel.loss_plot.shown == 0
    window.undo_stack.undo()
    assert same(parameters(window), reference.parameter_values())
    assert panel.metrics()["step"] == 40
    window.undo_stack.redo()
    train_held_at(qtbot, panel, 25)
    click(panel.reinit_button)
    assert not panel.running
    assert undo_texts(window)[-2] == "Train 25 steps"
    assert undo_texts(window)[-1].startswith("Re-initialise weights (seed ")
    assert panel.metrics()["step"] == 0 and len(panel.loss_plot.batch) == 0   # a new start
    window.undo_stack.undo()
    assert panel.metrics()["step"] == 25 and len(panel.loss_plot.batch) == 25


def test_while_running_step_and_the_fixed_settings_are_greyed_saying_why(window, qtbot):
    open_example(window, "xor_mlp")
    panel = window.training
    own = {w: w.toolTip() for w in panel.fixed_while_running()}
    step_tip = panel.step_button.toolTip()
    train_held_at(qtbot, panel, 10)
    assert not panel.step_button.isEnabled()
    assert panel.step_button.toolTip().startswith("Step is off while training runs: pause")
    for widget in panel.fixed_while_running():
        assert not widget.isEnabled(), widget
        assert widget.toolTip().startswith("Pause to change"), widget
    assert not panel.labels[panel.n_box].isEnabled()        # "n" greys with its box
    assert panel.labels[panel.lr_box].isEnabled()
    for widget in (panel.lr_box, panel.optimizer_box, panel.reset_button, panel.reinit_button,
                   panel.train_button):
        assert widget.isEnabled(), widget          # these work mid-run
    toolbar_step = window.actions_by_name["train_step"]
    assert not toolbar_step.isEnabled() and "pause first" in toolbar_step.toolTip()
    click(panel.train_button)                      # pause
    wait_idle(qtbot, panel)
    assert panel.step_button.isEnabled() and panel.step_button.toolTip() == step_tip
    assert all(w.isEnabled() and w.toolTip() == own[w] for w in panel.fixed_while_running())
    assert panel.labels[panel.n_box].isEnabled()
    assert toolbar_step.isEnabled()


def test_weights_put_back_by_undoing_an_edit_take_their_step_back(window, qtbot):
    """An edit of a weight from elsewhere (the inspector's command) starts the panel over;
    undoing it puts the trained weights back, and the panel knows them: step 50 again, with
    the run's curves."""
    from gui.model.commands import SetValue
    open_example(window, "xor_mlp")
    panel = window.training
    panel.start(50)
    wait_idle(qtbot, panel)
    trained = parameters(window)
    window.undo_stack.push(SetValue(window.model, "b2", np.array([3.0])))
    qtbot.waitUntil(lambda: panel.metrics()["step"] == 0, timeout=5000)
    assert len(panel.loss_plot.batch) == 0                 # edited weights: a new start
    window.undo_stack.undo()
    qtbot.waitUntil(lambda: panel.metrics()["step"] == 50, timeout=5000)
    assert same(parameters(window), trained)
    assert len(panel.loss_plot.batch) == 50 and panel.loss_plot.shown == 50
    assert panel.metrics()["loss"] == reference_trainer(window).metrics()["loss"]
