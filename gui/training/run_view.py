"""What the Training panel shows of a run (a mixin of TrainingPanel, gui/training/panel.py):
the buttons and settings while a run goes (disabled with a tooltip saying why; Reset and
Re-init stay enabled: they pause the run, then act), the status line (during a run, the
numbers of the snapshot the plots show), and the plots following the session — snapshots
through the pacer, a cleared history, and an undo or redo that moves the weights shown along
a timeline (the curves after that step greyed). Needs the panel's widgets, ``session``,
``pacer`` and ``plots``."""
from __future__ import annotations

from gui.theme.icons import player_icon
from gui.training.messages import metric_parts

PAUSE_TO_CHANGE = "Pause to change: the run uses this setting until it stops."
STEP_WHILE_RUNNING = ("Step is off while training runs: pause first (the Pause button), "
                      "then Step takes one batch at a time.")


def set_running_look(widget, running: bool, why: str) -> None:
    """Disable `widget` while a run goes, its tooltip saying why; put its own tooltip back
    after."""
    own = widget.property("idle_tooltip")
    if own is None:
        own = widget.toolTip()
        widget.setProperty("idle_tooltip", own)
    widget.setEnabled(not running)
    widget.setToolTip(f"{why}\n{own}" if running and own else (why if running else own))


class RunView:
    def _train_clicked(self) -> None:
        self.session.toggle()

    def update_state(self) -> None:
        s = self.session
        running = s.running
        self.train_button.setText("Pause" if running else ("Resume" if s.paused else "Train"))
        self.train_button.setIcon(player_icon("pause" if running else "play"))
        set_running_look(self.step_button, running, STEP_WHILE_RUNNING)
        for widget in self.fixed_while_running():
            set_running_look(widget, running, PAUSE_TO_CHANGE)
            if widget in self.labels:                    # its caption greys with it
                self.labels[widget].setEnabled(not running)
        self._status()
        if running:
            self._schedule_render()
        else:
            self.pacer.stop()
            self.render()

    def fixed_while_running(self) -> list:
        """The data and settings controls a run cannot take mid-way (the learning rate and
        the optimizer can: they stay enabled; Reset and Re-init pause the run, then act)."""
        return [self.dataset_box, self.csv_button, self.n_box, self.noise_box,
                self.data_seed_box, self.classes_box, self.test_box, self.features_box,
                self.targets_box, self.batch_box, self.steps_box, self.seed_box]

    def _status(self) -> None:
        """Step, epoch, loss and accuracy: while a run goes, those of the snapshot the plots
        show (the numbers and the pictures say the same moment)."""
        frame = self.pacer.latest if self.session.running else None
        m = self.session.metrics() if frame is None else self.session.metrics_of(*frame)
        parts = [f"step {m['step']}", f"epoch {m['epochs']:.1f}", *metric_parts(m, short=True)]
        lines = [" · ".join(parts[:2]), " · ".join(parts[2:4]), " · ".join(parts[4:])]
        lines = [line for line in lines if line]
        self.status_label.setText("\n".join(lines))
        height = self.status_label.fontMetrics().lineSpacing() * len(lines) + 2
        self.status_label.setMinimumHeight(height)      # never clipped, whatever it says

    # ------------------------------------------------------------ plots
    def _on_trainer(self, probe) -> None:
        trainer = self.session.trainer
        self.boundary_plot.set_probe(probe)
        self.gradient_plot.set_parameters(trainer.parameters if trainer is not None else [])
        classification = probe is not None and probe.task in ("binary", "multiclass")
        self.accuracy_plot.set_available(
            classification or trainer is None,
            "no accuracy: the targets are numbers (regression)")
        self._schedule_render()

    def _clear_plots(self) -> None:
        self.pacer.clear()
        for plot in self.plots:
            plot.clear()
        self._timeline = self.session.timeline
        self._schedule_render()

    _timeline = None        # the session's Timeline the plots hold

    def _show_history(self, timeline, step: int) -> None:
        """The weights shown are those of `step` on `timeline` (an undo, a redo, Reset): the
        plots hold that timeline, in colour up to the step and greyed after it; the boundary
        and the numbers are the restored weights'."""
        if timeline is not self._timeline:
            self.pacer.clear()
            for plot in self.plots:
                plot.clear()
            for snap, offset in timeline.records:
                for plot in self.plots:
                    plot.offset = offset
                    plot.add(snap)
            self._timeline = timeline
        for plot in self.plots:
            plot.set_shown(step)
        latest = self.session.latest
        if latest is not None:
            self.boundary_plot.add(latest)
        self._status()
        self.render()

    def _on_snapshot(self, snap) -> None:
        if self.plots[0].shown is not None:                  # a run: every curve in colour
            for plot in self.plots:
                plot.set_shown(None)
        self.pacer.add(snap, self.session.step_offset)     # the plots get it at the next frame

    def _schedule_render(self) -> None:
        self.pacer.schedule()

    def render(self) -> None:
        """Draw every plot that has new data now (a run ended; a script asks)."""
        self.pacer.render_all()
