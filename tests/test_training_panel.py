"""The Training panel driven as a user drives it (real mouse clicks on its buttons): the XOR
network trains to 100% in the worker, pause / resume is the same run bit for bit, Reset and
Re-initialise, one undo step per run, live values on the canvas, a diverging run names and
reveals its node, closing the window or opening another file stops the worker."""
from __future__ import annotations

import json

import numpy as np
from PySide6.QtWidgets import QApplication

from engine.training import live

from training_helpers import (click, open_example, parameters, reference_trainer, show_plot,
                              undo_texts, wait_idle)
from window_fixtures import dialogs, settings, window  # noqa: F401 (fixtures)

LONG = 10 ** 6     # a run that only a pause ends


def test_xor_trains_to_100_percent_in_the_worker_as_one_undo_step(window, qtbot):
    open_example(window, "xor_mlp")
    panel = window.training
    before = parameters(window)
    seen = []                                    # a short run may end before we look
    panel.session.state_changed.connect(
        lambda: seen.append((panel.running, panel.train_button.text())))
    click(panel.train_button)
    assert (True, "Pause") in seen
    assert window.training_dock.isVisible()
    wait_idle(qtbot, panel)
    metrics = panel.metrics()
    assert metrics["step"] == 300 and metrics["accuracy"] == 1.0
    assert metrics["loss"] < 0.05 and metrics["test_loss"] is None
    assert undo_texts(window) == ["Train 300 steps"]
    assert window.modified and window.windowTitle().endswith("*")
    after = parameters(window)
    trained = panel.session.trainer.parameter_values()
    assert all(np.array_equal(after[p], trained[p]) for p in after)
    assert not all(np.array_equal(after[p], before[p]) for p in after)
    assert len(panel.loss_plot.batch) == 300 and panel.accuracy_plot.train.y[-1] == 100.0
    assert panel.boundary_plot.prediction is not None
    assert "acc 100.0%" in panel.status_label.text()
    window.undo_stack.undo()                     # the whole run is one step
    assert all(np.array_equal(parameters(window)[p], before[p]) for p in before)


def test_pause_and_resume_is_the_same_run_bit_for_bit(window, qtbot):
    open_example(window, "xor_mlp")
    panel = window.training
    STEPS = 8000                                 # long enough that the pause lands mid-run
    panel.steps_box.setValue(STEPS)
    reference = reference_trainer(window)
    reference.run(STEPS)
    panel.session.hold_at(1000)                  # the test hook: the worker waits there
    click(panel.train_button)
    with qtbot.waitSignal(panel.session.worker.held, timeout=20000) as held:
        pass
    assert held.args == [1000] and panel.session.step_count == 1000
    click(panel.train_button)                    # pause, mid-run
    wait_idle(qtbot, panel)
    paused_at = panel.session.step_count
    assert paused_at == 1000 and panel.session.paused
    assert panel.train_button.text() == "Resume"
    assert undo_texts(window)[-1] == f"Train {paused_at} steps"
    click(panel.train_button)                    # resume
    wait_idle(qtbot, panel)
    assert panel.session.step_count == STEPS
    assert undo_texts(window)[-2:] == [f"Train {paused_at} steps",
                                       f"Train {STEPS - paused_at} steps"]
    expected = reference.parameter_values()
    got = parameters(window)
    assert all(np.array_equal(got[p], expected[p]) for p in expected), "not bit-identical"
    assert len(panel.loss_plot.batch) == STEPS
    assert np.array_equal(panel.loss_plot.batch.y, np.array(reference.history))


def test_reset_restores_identical_weights_and_repeats_the_run(window, qtbot):
    open_example(window, "xor_mlp")
    panel = window.training
    initial = parameters(window)
    click(panel.train_button)
    wait_idle(qtbot, panel)
    first_run = parameters(window)
    click(panel.reset_button)
    assert all(np.array_equal(parameters(window)[p], initial[p]) for p in initial)
    assert panel.session.step_count == 0 and panel.metrics()["step"] == 0
    assert len(panel.loss_plot.batch) == 300 and panel.loss_plot.shown == 0   # greyed, kept
    assert undo_texts(window)[-1] == "Reset weights"
    click(panel.train_button)
    wait_idle(qtbot, panel)
    assert all(np.array_equal(parameters(window)[p], first_run[p]) for p in first_run)


def test_reset_after_the_trainer_was_rebuilt_returns_the_runs_initial_weights(window, qtbot):
    """A new batch size typed into the panel rebuilds the Trainer at the next Train (from the
    trained weights); Reset still goes back to the weights the run started from, and training
    again from them is a headless run with the new batch size, bit for bit."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    open_example(window, "xor_mlp")
    panel = window.training
    initial = parameters(window)
    panel.start(40)
    wait_idle(qtbot, panel)
    first = panel.session.trainer
    panel.batch_box.setFocus()
    panel.batch_box.selectAll()
    QTest.keyClicks(panel.batch_box, "16")
    QTest.keyClick(panel.batch_box, Qt.Key.Key_Return)
    assert panel.session.training["batch_size"] == 16
    panel.start(40)
    wait_idle(qtbot, panel)
    assert panel.session.trainer is not first and panel.session.trainer.batch_size == 16
    assert panel.session.step_count == 80
    click(panel.reset_button)
    assert all(np.array_equal(parameters(window)[p], initial[p]) for p in initial)
    assert panel.session.step_count == 0
    reference = reference_trainer(window)
    reference.run(40)
    panel.start(40)
    wait_idle(qtbot, panel)
    expected = reference.parameter_values()
    assert all(np.array_equal(parameters(window)[p], expected[p]) for p in expected)


def test_reinitialise_draws_new_weights_and_reset_comes_back_to_them(window, qtbot):
    open_example(window, "xor_mlp")
    panel = window.training
    initial = parameters(window)
    click(panel.reinit_button)
    fresh = parameters(window)
    assert any(not np.array_equal(fresh[p], initial[p]) for p in initial)
    assert undo_texts(window)[-1].startswith("Re-initialise weights (seed ")
    panel.start(50)
    wait_idle(qtbot, panel)
    click(panel.reset_button)
    assert all(np.array_equal(parameters(window)[p], fresh[p]) for p in fresh)
    click(panel.reinit_button)
    assert any(not np.array_equal(parameters(window)[p], fresh[p]) for p in fresh)


def test_step_takes_one_batch(window, qtbot):
    open_example(window, "xor_mlp")
    panel = window.training
    reference = reference_trainer(window)
    reference.step()
    click(panel.step_button)
    wait_idle(qtbot, panel)
    assert panel.session.step_count == 1 and undo_texts(window) == ["Train 1 step"]
    expected = reference.parameter_values()
    assert all(np.array_equal(parameters(window)[p], expected[p]) for p in expected)


def test_the_canvas_shows_live_values_without_flooding_the_undo_stack(window, qtbot):
    open_example(window, "spiral_classifier")
    panel = window.training
    before = parameters(window)
    panel.start(LONG)
    qtbot.waitUntil(lambda: not np.array_equal(window.model.node("W1").value, before["W1"]),
                    timeout=20000)
    assert panel.running and undo_texts(window) == [] and window.modified
    shown = window.canvas.node_item("W1").value_text
    qtbot.waitUntil(lambda: window.canvas.node_item("W1").value_text != shown, timeout=20000)
    click(panel.train_button)
    wait_idle(qtbot, panel)
    assert len(undo_texts(window)) == 1 and undo_texts(window)[0].startswith("Train ")


def test_learning_rate_and_optimizer_change_while_training(window, qtbot):
    open_example(window, "xor_mlp")
    panel = window.training
    panel.start(LONG)
    qtbot.waitUntil(lambda: panel.session.step_count > 20, timeout=20000)
    assert panel.lr_box.isEnabled() and panel.optimizer_box.isEnabled()
    assert not panel.batch_box.isEnabled()
    panel.lr_box.setValue(0.0125)
    assert panel.session.trainer.optimizer.lr == 0.0125
    panel.optimizer_box.setCurrentIndex(panel.optimizer_box.findData("momentum"))
    panel.optimizer_box.activated.emit(panel.optimizer_box.currentIndex())
    assert panel.session.trainer.optimizer.name == "momentum"
    count = panel.session.step_count
    qtbot.waitUntil(lambda: panel.session.step_count > count + 20, timeout=20000)
    assert panel.running
    panel.pause(wait=True)
    assert window.model.training_sections()[1]["optimizer"] == "momentum"
    assert window.model.training_sections()[1]["lr"] == 0.0125


def test_a_diverging_learning_rate_stops_naming_and_revealing_the_node(window, qtbot):
    open_example(window, "sine_regression")
    panel = window.training
    panel.optimizer_box.setCurrentIndex(panel.optimizer_box.findData("sgd"))
    panel.optimizer_box.activated.emit(panel.optimizer_box.currentIndex())
    panel.lr_box.setValue(5.0)
    click(panel.train_button)
    wait_idle(qtbot, panel)
    message = panel.error_label.text()
    assert panel.error_label.isVisible()
    assert "node 'loss'" in message and "mse overflowed to inf at step" in message
    step = panel.session.error.step
    assert panel.session.error.node == "loss" and step > 1
    assert window.canvas.selected_nodes() == ["loss"]
    assert "node 'loss'" in window.statusBar().currentMessage()
    kept = parameters(window)                       # the last good parameters
    assert all(np.isfinite(v).all() for v in kept.values())
    assert undo_texts(window)[-1] == f"Train {step - 1} steps"
    assert panel.session.step_count == step - 1


def test_a_graph_that_cannot_train_says_why_and_changes_nothing(window, qtbot, tmp_path):
    open_example(window, "xor_mlp")
    panel = window.training
    data = dict(panel.session.data, features="nope")
    panel.session.set_data(data)
    count = window.undo_stack.count()
    click(panel.train_button)
    assert not panel.running and "'nope'" in panel.error_label.text()
    assert window.undo_stack.count() == count


def test_closing_the_window_stops_the_worker_and_keeps_the_run(window, qtbot, dialogs):
    open_example(window, "xor_mlp")
    panel = window.training
    panel.start(LONG)
    qtbot.waitUntil(lambda: panel.session.step_count > 10, timeout=20000)
    worker = panel.session.worker
    from PySide6.QtWidgets import QMessageBox
    dialogs.answer = QMessageBox.StandardButton.Cancel
    window.close()                                  # asks: the run made the document modified
    assert worker.isFinished() and not panel.running
    assert dialogs.kinds() == ["warning"] and window.isVisible()
    assert undo_texts(window)[-1].startswith("Train ")
    dialogs.answer = QMessageBox.StandardButton.Discard
    panel.start(LONG)
    qtbot.waitUntil(lambda: panel.session.step_count > 10, timeout=20000)
    worker = panel.session.worker
    window.close()
    assert worker.isFinished() and not window.isVisible()


def test_opening_another_file_stops_the_worker_and_drops_the_run(window, qtbot):
    open_example(window, "xor_mlp")
    panel = window.training
    panel.start(LONG)
    qtbot.waitUntil(lambda: panel.session.step_count > 10, timeout=20000)
    worker = panel.session.worker
    open_example(window, "spiral_classifier")
    assert worker.isFinished() and not panel.running
    assert undo_texts(window) == [] and not window.modified
    assert panel.session.trainer is None and len(panel.loss_plot.batch) == 0
    assert panel.dataset_box.currentText() == "spiral" and panel.classes_box.isVisible()


def test_undoing_a_run_and_training_again_starts_from_the_undone_weights(window, qtbot):
    open_example(window, "xor_mlp")
    panel = window.training
    initial = parameters(window)
    panel.start(100)
    wait_idle(qtbot, panel)
    window.undo_stack.undo()
    reference = reference_trainer(window)
    reference.run(100)
    panel.start(100)
    wait_idle(qtbot, panel)
    assert all(np.array_equal(parameters(window)[p], reference.parameter_values()[p])
               for p in initial)
    assert panel.session.step_count == 100


def test_settings_and_trained_weights_are_saved_in_the_file(window, qtbot, tmp_path):
    open_example(window, "xor_mlp")
    panel = window.training
    panel.n_box.setValue(120)
    panel.noise_box.setValue(0.2)
    panel.batch_box.setValue(16)
    panel.steps_box.setValue(150)
    assert undo_texts(window) == ["Change training settings"]     # one merged step
    click(panel.train_button)
    wait_idle(qtbot, panel)
    path = tmp_path / "trained.json"
    assert window.save_as(str(path))
    doc = json.loads(path.read_text())
    assert doc["data"]["n"] == 120 and doc["data"]["noise"] == 0.2
    assert doc["training"]["batch_size"] == 16 and doc["training"]["steps"] == 150
    saved = {n["id"]: np.array(n["value"]) for n in doc["nodes"] if n["op"] == "parameter"}
    current = parameters(window)
    assert all(np.allclose(saved[p], current[p], rtol=0, atol=1e-12) for p in current)
    window.undo_stack.undo()
    window.undo_stack.undo()
    assert window.model.training_sections()[0]["n"] == 200
    assert panel.n_box.value() == 200                 # the panel follows an undo


def test_sine_regression_draws_the_fitted_curve(window, qtbot):
    open_example(window, "sine_regression")
    panel = window.training
    panel.start(300)
    wait_idle(qtbot, panel)
    boundary = panel.boundary_plot
    assert boundary.probe.kind == "curve" and boundary.heading.text() == "Fitted curve"
    x, y = boundary.fit_curves[0].getData()
    assert len(x) == 240 and np.all(np.isfinite(y))
    assert np.corrcoef(np.sin(x[40:-40]), y[40:-40])[0, 1] > 0.9
    assert panel.metrics()["accuracy"] is None
    assert panel.accuracy_plot.note.toPlainText().startswith("no accuracy")
    assert not boundary.plot.getPlotItem().getViewBox().state["aspectLocked"]  # x and y differ


def test_the_decision_boundary_keeps_the_planes_true_proportions(window, qtbot):
    open_example(window, "spiral_classifier")
    panel = window.training
    panel.start(50)
    wait_idle(qtbot, panel)
    box = panel.boundary_plot.plot.getPlotItem().getViewBox()
    assert box.state["aspectLocked"] == 1.0
    (x0, x1), (y0, y1) = box.viewRange()
    pixels = box.size()
    x_per_px, y_per_px = (x1 - x0) / pixels.width(), (y1 - y0) / pixels.height()
    assert abs(x_per_px / y_per_px - 1) < 0.02          # a unit is as long across as up


def test_hovering_a_plot_shows_exact_numbers(window, qtbot):
    open_example(window, "xor_mlp")
    panel = window.training
    panel.start(200)
    wait_idle(qtbot, panel)
    from PySide6.QtCore import QPoint
    from PySide6.QtTest import QTest
    plot = panel.loss_plot.plot
    box = plot.getPlotItem().vb
    point = plot.mapFromScene(box.mapViewToScene(box.viewRect().center()))
    QTest.mouseMove(plot.viewport(), QPoint(point.x(), point.y()))
    QApplication.processEvents()
    text = panel.loss_plot.readout.text()
    assert text.startswith("step ") and "batch " in text
    step = int(text.split()[1])
    assert 1 <= step <= 200
    assert f"batch {panel.loss_plot.batch.y[step - 1]:.5g}" in text
    show_plot(panel, panel.boundary_plot)
    boundary = panel.boundary_plot.plot
    box = boundary.getPlotItem().vb
    point = boundary.mapFromScene(box.mapViewToScene(box.viewRect().center()))
    QTest.mouseMove(boundary.viewport(), QPoint(point.x(), point.y()))
    QApplication.processEvents()
    assert "→" in panel.boundary_plot.readout.text() and "p = " in \
        panel.boundary_plot.readout.text()


def test_the_gradient_norm_plot_gets_every_steps_norms(window, qtbot):
    """The worker hands over, per step, the L2 norm of each parameter's gradient: the same
    numbers a headless trainer gives step by step."""
    open_example(window, "xor_mlp")
    panel = window.training
    reference = reference_trainer(window)
    snaps = []
    panel.session.snapshot.connect(snaps.append)
    click(panel.train_button)
    wait_idle(qtbot, panel)
    got = {p: np.concatenate([s.norms[p] for s in snaps if p in s.norms])
           for p in reference.parameters}
    expected = {p: [] for p in reference.parameters}
    for _ in range(300):
        reference.step()
        for p, norm in reference.gradient_norms().items():
            expected[p].append(norm)
    for p in reference.parameters:
        assert len(got[p]) == 300
        np.testing.assert_allclose(got[p], expected[p], rtol=1e-12, atol=0)


def test_a_narrower_window_shows_every_plot_without_scrolling_sideways(window, qtbot):
    """At 1250 px (docks at their default widths) the panel's controls and the plots shown
    fit the Training dock's width: nothing is cut off behind a horizontal scroll bar, and
    every plot is reached by its tab, at least 200×140."""
    open_example(window, "spiral_classifier")
    window.resize(1250, 850)
    panel = window.training
    window.training_dock.show()
    window.training_dock.raise_()
    QApplication.processEvents()
    QApplication.processEvents()
    assert panel.scroller.horizontalScrollBar().maximum() == 0
    visible = panel.scroller.viewport().rect()
    for plot in panel.plots:
        show_plot(panel, plot)
        box = plot.rect().translated(plot.mapTo(panel.scroller.viewport(), plot.rect().topLeft()))
        assert visible.contains(box), type(plot).__name__
        assert plot.plot.width() >= 200 and plot.plot.height() >= 140, type(plot).__name__


def test_a_fast_run_still_draws_its_accuracy_and_test_curves_point_by_point(window, qtbot,
                                                                           monkeypatch):
    """Iris trains 200 steps in a blink: the worker measures the full-set metrics along the
    way (every 2nd step here), so the curves have points, each equal to a headless
    trainer's metrics at that step. The time budget for measuring is lifted here: how many
    points fit in it depends on the machine's speed (CI once drew 47 under load)."""
    monkeypatch.setattr(live, "MEASURE_FREE", 600.0)
    open_example(window, "iris_classifier")
    panel = window.training
    reference = reference_trainer(window)
    click(panel.train_button)
    wait_idle(qtbot, panel)
    train, test = panel.accuracy_plot.train, panel.accuracy_plot.test
    steps = set(train.x.astype(int))
    assert set(range(0, 201, 2)) <= steps and len(test) == len(train), sorted(steps)
    assert len(panel.loss_plot.test) == len(train)
    expected = {0: reference.metrics()}        # the initial weights' point
    for step in range(1, 201):
        reference.step()
        if step in steps:
            expected[step] = reference.metrics()
    for x, y, ty in zip(train.x, train.y, test.y):
        m = expected[int(x)]
        assert y == 100 * m["accuracy"] and ty == 100 * m["test_accuracy"]


def test_measuring_the_curves_stays_within_its_time_budget(window, qtbot, monkeypatch):
    """With no time to spare for measuring, the accuracy curve has only the snapshots'
    points, not one every 2nd step: measuring never slows training beyond its share (the
    budget itself, on a clock the test drives: tests/test_training_live.py)."""
    monkeypatch.setattr(live, "MEASURE_FREE", 0.0)
    monkeypatch.setattr(live, "MEASURE_SHARE", 0.0)
    open_example(window, "iris_classifier")
    panel = window.training
    snaps = []
    panel.session.snapshot.connect(snaps.append)
    click(panel.train_button)
    wait_idle(qtbot, panel)
    assert all(not s.measured for s in snaps) and snaps[-1].final
    assert len(panel.accuracy_plot.train) == sum(1 for s in snaps if s.metrics) >= 2
    assert panel.session.step_count == 200


def test_a_burst_of_edits_refreshes_the_panel_and_player_once(window, qtbot):
    """Deleting every node at once (one command, many node signals) refills the panel's
    input choices once and tells the player strip once, not once per node: on a 1,000-node
    graph that was the difference between 1 s and 15 s."""
    open_example(window, "spiral_classifier")
    panel = window.training
    fills, changes = [], []
    original = panel._fill_inputs
    panel._fill_inputs = lambda: (fills.append(1), original())[1]
    window.model.edits_settled.disconnect(original)
    window.model.edits_settled.connect(panel._fill_inputs)
    window.player.timeline_changed.connect(lambda: changes.append(1))
    count = len(window.model.node_ids())
    window.canvas.select_all()
    window.canvas.delete_selection()
    assert window.model.node_ids() == [] and count > 10
    QApplication.processEvents()
    assert len(fills) == 1 and len(changes) <= 2
    assert panel.features_box.count() == 1                 # the data's node, "(missing)"
    assert panel.features_box.itemText(0).endswith("(missing)")
    window.undo_stack.undo()
    QApplication.processEvents()
    assert len(fills) == 2
    assert [panel.features_box.itemText(i) for i in range(panel.features_box.count())] \
        == window.model.ids_of_op("input")
