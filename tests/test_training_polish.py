"""The Training panel as a new user met it: live plots that keep up with the run and show the
same moment, errors and settings that belong to the open document, a failed Train that
changes nothing, plots that start over (ranges too) with new data, messages that agree with
the step counter, text that fits."""
from __future__ import annotations

from PySide6.QtWidgets import QApplication

from training_helpers import click, open_example, show_plot, wait_idle
from window_fixtures import dialogs, settings, window  # noqa: F401 (fixtures)

LONG = 10 ** 6     # a run that only a pause ends


def last_step(plot) -> int | None:
    """The x of the newest point the plot has drawn (None: nothing drawn)."""
    ends = [int(c.xData[-1]) for c in plot.plot.getPlotItem().listDataItems()
            if c.xData is not None and len(c.xData)]
    return max(ends) if ends else None


def test_every_live_frame_shows_all_plots_at_the_same_step(window, qtbot):
    """While spiral trains, each frame the pacer draws hands the loss, accuracy and gradient
    plots the same latest data: their newest points are at one step, never four moments
    (they once were at steps 1288, 2663 and 3700 while the run was at 4534)."""
    open_example(window, "spiral_classifier")
    panel = window.training
    plots = (panel.loss_plot, panel.accuracy_plot, panel.gradient_plot)
    frames = []
    after = panel.pacer.after

    def record():                                 # after each tick: a frame is done
        if not any(p.dirty for p in panel.plots):  # when no plot waits for its turn
            frames.append([last_step(p) for p in plots])
        after()
    panel.pacer.after = record
    panel.steps_box.setValue(LONG)
    click(panel.train_button)
    qtbot.waitUntil(lambda: panel.session.step_count > 2000 and len(frames) >= 4,
                    timeout=60000)
    click(panel.train_button)                     # pause
    wait_idle(qtbot, panel)
    drawn = [f for f in frames if None not in f]
    assert len(drawn) >= 3
    assert all(len(set(f)) == 1 for f in drawn), drawn
    final = panel.session.latest.step
    assert [last_step(p) for p in plots] == [final - 1] * 3 or \
        [last_step(p) for p in plots] == [final] * 3, ([last_step(p) for p in plots], final)


def test_the_plots_keep_up_with_the_run_while_it_trains(window, qtbot):
    """panel.render() while running: every plot's newest point is the newest snapshot's
    step (nothing queued behind)."""
    open_example(window, "spiral_classifier")
    panel = window.training
    panel.steps_box.setValue(LONG)
    click(panel.train_button)
    qtbot.waitUntil(lambda: panel.session.step_count > 3000, timeout=60000)
    panel.render()
    snap = panel.session.latest.step
    steps = [last_step(p) for p in (panel.loss_plot, panel.accuracy_plot, panel.gradient_plot)]
    click(panel.train_button)
    wait_idle(qtbot, panel)
    assert all(abs(s - snap) <= 1 for s in steps), (steps, snap)


def test_a_failed_train_changes_nothing_and_says_what_to_do_in_panel_terms(window, qtbot,
                                                                           tmp_path, dialogs):
    """two_paths has no parameters: Train says so in the panel's words, writes no sections,
    pushes no undo step and leaves the document unmodified (closing it asks nothing)."""
    open_example(window, "two_paths")
    panel = window.training
    sections = window.model.training_sections()
    window.training_dock.show()
    window.training_dock.raise_()
    QApplication.processEvents()
    click(panel.train_button)
    assert not panel.running
    text = panel.error_label.text()
    assert "no parameters to train" in text and "\"" not in text and "<" not in text, text
    assert window.undo_stack.count() == 0 and not window.modified
    assert window.model.training_sections() == sections
    window.close()                                # nothing to save: no question
    assert dialogs.kinds() == [] and not window.isVisible()


def test_a_graph_without_a_targets_input_asks_for_one_in_panel_terms(window, qtbot):
    """One input only: "Pick the input node that holds the targets (y →)", no JSON advice,
    and nothing written."""
    open_example(window, "xor_mlp")
    model = window.model
    panel = window.training
    data = dict(panel.session.data, targets=None)
    panel.session.data = data                   # as a file without a targets entry reads
    count = window.undo_stack.count()
    click(panel.train_button)
    text = panel.error_label.text()
    assert "Pick the input node that holds the targets (y →)" in text, text
    assert "<input node id>" not in text
    assert window.undo_stack.count() == count
    assert model.training_sections()[0].get("targets") == "y"


def test_opening_another_file_clears_the_old_training_error(window, qtbot):
    open_example(window, "two_paths")
    panel = window.training
    window.training_dock.show()
    window.training_dock.raise_()
    QApplication.processEvents()
    click(panel.train_button)
    assert panel.error_label.isVisible()
    open_example(window, "xor_mlp")
    assert not panel.error_label.isVisible() and panel.error_label.text() == ""
    click(panel.train_button)
    assert not panel.error_label.isVisible()
    wait_idle(qtbot, panel)


def front_tab(window) -> str:
    """The text of the bottom dock tab in front (Chain rule / Training)."""
    from PySide6.QtWidgets import QTabBar
    QApplication.processEvents()
    for bar in window.findChildren(QTabBar):
        texts = [bar.tabText(i) for i in range(bar.count())]
        if "Training" in texts:
            return texts[bar.currentIndex()]
    return ""


def test_the_training_tab_comes_up_only_for_a_file_about_training(window, qtbot):
    """After a run (Training in front), two_paths — no sections, no parameters — brings the
    Chain rule tab back; xor_mlp (sections) brings Training up again. two_paths' one input
    is not offered as its own targets."""
    open_example(window, "xor_mlp")
    panel = window.training
    assert front_tab(window) == "Training"
    click(panel.step_button)
    wait_idle(qtbot, panel)
    open_example(window, "two_paths")
    assert front_tab(window) == "Chain rule"
    assert panel.features_box.currentText() == "t"
    assert panel.targets_box.currentText() == "(none)"
    open_example(window, "xor_mlp")
    assert front_tab(window) == "Training"
    assert (panel.features_box.currentText(), panel.targets_box.currentText()) == ("x", "y")


def test_a_new_graph_with_two_inputs_defaults_the_targets_to_the_other_one(window, qtbot):
    from gui.model.commands import AddNode
    window.model.mark_saved()
    assert window.new_document()
    assert front_tab(window) == "Chain rule"
    for name in ("x", "y"):
        window.undo_stack.push(AddNode(window.model, name, "input", value=0.0))
    QApplication.processEvents()
    panel = window.training
    assert panel.features_box.currentText() == "x"
    assert panel.targets_box.currentText() == "y"
    assert panel.session.data["targets"] == "y"


def x_range(plot):
    return plot.plot.getPlotItem().vb.viewRange()[0]


def test_cleared_plots_forget_the_last_runs_scale(window, qtbot):
    """After 300 steps the plots span 0–300; Re-init and opening another file start the axes
    over (auto-range again), so the next run is not drawn at the old scale. (Reset keeps the
    run's curves, greyed: an undo of it brings them back.)"""
    open_example(window, "xor_mlp")
    panel = window.training
    curves = (panel.loss_plot, panel.accuracy_plot, panel.gradient_plot)
    click(panel.train_button)
    wait_idle(qtbot, panel)
    QApplication.processEvents()
    for plot in curves:                  # (a plot behind a tab takes its range when shown)
        show_plot(panel, plot)
        assert x_range(plot)[1] > 250, (type(plot).__name__, x_range(plot))
    panel.accuracy_plot.plot.getPlotItem().setXRange(-1000, 1000)   # as a zoom leaves it
    click(panel.reinit_button)
    QApplication.processEvents()
    for plot in curves:
        show_plot(panel, plot)
        assert x_range(plot)[1] < 10, (type(plot).__name__, x_range(plot))
        assert plot.plot.getPlotItem().vb.autoRangeEnabled()[0]
    assert panel.accuracy_plot.plot.getPlotItem().vb.viewRange()[1][1] <= 105
    click(panel.train_button)
    wait_idle(qtbot, panel)
    QApplication.processEvents()
    for plot in curves:
        show_plot(panel, plot)
        assert 250 < x_range(plot)[1] < 400, (type(plot).__name__, x_range(plot))
    open_example(window, "spiral_classifier")
    QApplication.processEvents()
    for plot in curves:
        show_plot(panel, plot)
        assert x_range(plot)[1] < 10, (type(plot).__name__, x_range(plot))
    low, high = panel.loss_plot.plot.getPlotItem().vb.viewRange()[1]
    assert low > -1 and high < 2          # the log axis no longer reaches down to 1e-10


def test_the_pause_message_names_the_step_the_panel_shows(window, qtbot):
    """Pause, Resume, Pause: the status bar says the step the panel's counter shows and how
    many steps this run took, never only the latter."""
    open_example(window, "spiral_classifier")
    panel = window.training
    panel.steps_box.setValue(LONG)
    messages = []
    panel.message.connect(messages.append)
    click(panel.train_button)
    qtbot.waitUntil(lambda: panel.session.step_count > 200, timeout=60000)
    click(panel.train_button)
    wait_idle(qtbot, panel)
    first = panel.session.step_count
    assert messages[-1].startswith(f"Training paused at step {first}:"), messages[-1]
    click(panel.train_button)                                 # Resume
    qtbot.waitUntil(lambda: panel.session.step_count > first + 200, timeout=60000)
    click(panel.train_button)
    wait_idle(qtbot, panel)
    step = panel.session.step_count
    assert messages[-1].startswith(
        f"Training paused at step {step} ({step - first} steps this run): loss "), messages[-1]
    assert f"step {step} " in panel.status_label.text() + " "
    assert window.statusBar().currentMessage() == messages[-1]


def test_status_line_captions_and_top_ticks_are_never_cut(window, qtbot):
    """With a test split the status has three lines and gets the height for them; a caption
    too long for its plot ends with "…" after a whole entry (the tooltip has it all); each
    plot keeps room above its area for the top tick label's upper half."""
    from PySide6.QtWidgets import QLabel
    window.resize(1100, 900)
    open_example(window, "spiral_classifier")
    panel = window.training
    panel.test_box.setValue(0.2)
    panel.steps_box.setValue(300)
    click(panel.train_button)
    wait_idle(qtbot, panel)
    QApplication.processEvents()
    status = panel.status_label
    assert status.text().count("\n") == 2 and "test acc" in status.text()
    assert status.height() >= status.sizeHint().height(), (status.height(), status.sizeHint())
    show_plot(panel, panel.gradient_plot)
    caption = panel.gradient_plot.readout
    full = caption.text()
    caption.resize(120, caption.height())                     # a narrow plot
    shown = QLabel.text(caption)
    assert shown.endswith(" …") and caption.toolTip() == full, (shown, full)
    assert full.startswith(shown[:-2]) and full[len(shown) - 2:].startswith("  "), shown
    assert caption.fontMetrics().horizontalAdvance(shown) <= caption.contentsRect().width()
    for plot in panel.plots:                      # the plot area starts below half a label
        show_plot(panel, plot)
        top = plot.plot.getPlotItem().vb.sceneBoundingRect().top()
        assert top >= plot.plot.fontMetrics().height() / 2, (type(plot).__name__, top)


def test_new_data_from_the_csv_dialog_start_a_new_run_from_the_current_weights(window, qtbot):
    """Spiral trained, then Your own CSV… ▸ fruits.csv ▸ OK: the button reads Train (not
    Resume), the plots start over, the boundary shows the fruits at once, the weights are
    the trained ones, and the status bar says so."""
    import numpy as np
    from conftest import EXAMPLES
    from training_helpers import parameters, use_csv_through_dialog
    open_example(window, "spiral_classifier")
    panel = window.training
    panel.steps_box.setValue(LONG)
    click(panel.train_button)
    qtbot.waitUntil(lambda: panel.session.step_count > 100, timeout=60000)
    click(panel.train_button)
    wait_idle(qtbot, panel)
    assert panel.train_button.text() == "Resume"
    trained = parameters(window)

    use_csv_through_dialog(qtbot, panel, EXAMPLES / "fruits.csv")
    QApplication.processEvents()
    assert panel.train_button.text() == "Train"
    assert len(panel.loss_plot.batch) == 0 and panel.session.step_count == 0
    assert all(len(s) == 0 for s in panel.gradient_plot.series.values())
    rows = len(panel.session.trainer.dataset)
    assert len(panel.boundary_plot.train_dots.data) == rows
    assert all(np.array_equal(parameters(window)[p], trained[p]) for p in trained)
    assert "new run from the current weights" in window.statusBar().currentMessage()
    click(panel.train_button)
    qtbot.waitUntil(lambda: panel.session.step_count > 50, timeout=60000)
    click(panel.train_button)
    wait_idle(qtbot, panel)
    assert panel.loss_plot.batch.x[0] <= 1               # the new run counts from 0


def test_undoing_a_run_does_not_leave_the_panel_claiming_its_result(window, qtbot):
    """Train 300 steps, Ctrl+Z: the weights are the initial ones again and the panel says
    so — step 0, the initial loss, the run's curves kept but greyed after step 0 — not
    "step 300 · acc 100%"."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from training_helpers import reference_trainer
    open_example(window, "xor_mlp")
    panel = window.training
    initial_loss = reference_trainer(window).metrics()["loss"]
    click(panel.train_button)
    wait_idle(qtbot, panel)
    assert panel.metrics()["step"] == 300 and panel.metrics()["accuracy"] == 1.0
    window.canvas.setFocus()
    QTest.keyClick(window.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: panel.metrics()["step"] == 0, timeout=5000)
    QApplication.processEvents()
    assert panel.metrics()["loss"] == initial_loss
    assert panel.status_label.text().startswith("step 0 ")
    assert len(panel.loss_plot.batch) == 300 and panel.loss_plot.shown == 0
    assert "greyed" in window.statusBar().currentMessage()
    for plot in panel.plots[:3]:        # one point at step 0: never "step (x0.001)"
        assert "x0.001" not in plot.plot.getPlotItem().getAxis("bottom").labelString()
    click(panel.train_button)                          # trains again from the undone weights
    wait_idle(qtbot, panel)
    assert panel.metrics()["step"] == 300


def test_while_the_gui_draws_a_worker_thread_waits_its_turn(monkeypatch):
    """With the run on a thread of this process (the fallback), a plot's paint under a
    running worker took several times its own cost (the two threads traded the GIL every half
    millisecond). While the GUI thread draws (``gui_turn``, which nests) the worker waits
    between steps, at most GUI_TURN_MAX; when nothing is drawn it does not wait at all (the
    thread calls this between every two steps: tests/test_training_live.py)."""
    from gui.training import worker
    calls = []

    class Idle:
        def __init__(self, event):
            self.event = event

        def is_set(self):
            return self.event.is_set()

        def set(self):
            self.event.set()

        def clear(self):
            self.event.clear()

        def wait(self, timeout):
            calls.append(timeout)
            return True

    monkeypatch.setattr(worker, "_gui_idle", Idle(worker._gui_idle))
    worker._wait_for_gui()
    assert calls == []
    with worker.gui_turn():
        with worker.gui_turn():
            pass
        assert not worker._gui_idle.is_set()
        worker._wait_for_gui()
    assert calls == [worker.GUI_TURN_MAX] and worker._gui_idle.is_set()


def test_in_a_small_window_the_training_panel_leaves_the_canvas_room(window):
    """At 800×560 the Training dock grew to 400 px and left a 40-px canvas: the canvas now
    keeps half the window's height, whatever the panel wants."""
    window.resize(800, 560)
    QApplication.processEvents()
    open_example(window, "xor_mlp")              # a training example: the tab comes up
    window.training_dock.show()
    window.training_dock.raise_()
    QApplication.processEvents()
    assert not window.training_dock.visibleRegion().isEmpty()
    assert window.canvas.viewport().height() >= 560 / 2


def test_the_panel_words_a_training_problem_by_its_kind_not_its_wording():
    """The panel turns the engine's file-format advice into its own terms by the error's
    kind and role; a reworded engine message changes nothing."""
    from engine import Kind
    from engine.training.trainer import TrainingError
    from gui.training import messages
    reworded = "some other words"
    assert messages.in_panel_terms(TrainingError(reworded, Kind.NO_DATA_NODE, role="targets")) \
        == messages.PICK_TARGETS_TEXT
    assert messages.in_panel_terms(TrainingError(reworded, Kind.NO_DATA_NODE,
                                                 role="features")) == messages.PICK_FEATURES_TEXT
    assert messages.in_panel_terms(TrainingError(reworded, Kind.NO_PARAMETERS)) \
        == messages.NO_PARAMETERS_TEXT
    assert messages.in_panel_terms(TrainingError("names no 'targets' input node")) \
        == "names no 'targets' input node"           # no kind: the engine's line as it is


def test_typing_a_data_size_makes_one_new_data_set_not_one_per_digit(window, qtbot):
    """Each new data setting rebuilds the Trainer (the boundary shows the new points), so
    typing "250" in n must not build data sets of 2 and 25 first: the value applies on Enter."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    open_example(window, "spiral_classifier")
    panel = window.training
    seen = []
    panel.session.trainer_changed.connect(lambda _probe: seen.append(panel.session.data["n"]))
    panel.n_box.setFocus()
    panel.n_box.selectAll()
    QTest.keyClicks(panel.n_box, "250")
    assert seen == [] and panel.session.data["n"] == 300
    QTest.keyClick(panel.n_box, Qt.Key.Key_Return)
    assert panel.session.data["n"] == 250
    assert seen in ([], [250])                 # at most one rebuild, never for 2 or 25
