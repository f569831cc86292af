"""PlayerController: plays a Timeline of the model's last pass on the canvas.

The small API the window, the lessons and the tests drive::

    player.go_to(k)      # show step k (entering the player: the canvas shows the replay)
    player.play(); player.pause(); player.toggle()
    player.current, player.count, player.step_info(k), player.playing, player.active
    player.leave()       # back to the live view (any edit, and starting training, call it)
    player.set_record_filter(f)   # f(record, step_info) -> record, e.g. gui.display.hide(...)
    player.reshow()      # show the current step again (the filter's answer changed)

While playing, a 60 Hz timer moves each step's pulse along its edges for the first part of
the step (what it brings arrives at the end of the pulse), then holds the settled step. Stepping
shows settled steps only, so stepping back restores exactly what was shown. The canvas shows
records through ``GraphScene.show_replay``; nothing here edits the model. A record filter
(predict mode) sees every record before the canvas does: what it hides ("?") no view shows.
"""
from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer, Signal

from gui.display import live_record
from gui.player.timeline import BACKWARD, GRANULARITIES, Timeline, frame_count

SPEEDS = (0.5, 1.0, 2.0, 4.0, 8.0)   # steps per second
PULSE_SHARE = 0.65                    # of a step's time, the pulse travels; then it holds
TICK_MS = 16


class PlayerController(QObject):
    step_changed = Signal(int)       # the step shown (settled), also on entering
    playing_changed = Signal(bool)
    active_changed = Signal(bool)    # entered the player (True) / back to the live view
    timeline_changed = Signal()      # a new timeline: count or granularity changed
    message = Signal(str)            # why the player cannot start

    def __init__(self, model, scene, parent=None):
        super().__init__(parent)
        self.model, self.scene = model, scene
        self.timeline: Timeline | None = None
        self.active = False
        self.playing = False
        self.current = 0
        self.granularity = "edge"
        self.speed = 1.0
        self._started = 0.0            # when the current step began playing (monotonic s)
        self._settled = True           # the canvas shows the current step's end state
        self._entering = False
        self.record_filter = None      # (DisplayRecord, StepInfo) -> DisplayRecord, or None
        self.predict = None            # PredictMode (gui/player/predict.py): Play stops there
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        for signal in (model.node_added, model.node_removed, model.node_changed,
                       model.node_renamed, model.edge_added, model.edge_removed,
                       model.graph_reset, model.results_changed):
            signal.connect(self._graph_changed)
        for signal in (model.edits_settled, model.results_changed):   # once per burst
            signal.connect(self._steps_changed)

    # ------------------------------------------------------------ reading
    @property
    def count(self) -> int:
        """Steps of the current timeline (of the model's last pass when not active)."""
        if self.active:
            return self.timeline.count
        trace = self.model.trace
        if trace is None or not trace.forward_steps and not trace.has_backward:
            return 0
        parameters = any(p in trace.grads for p in self.model.parameter_ids())
        return frame_count(trace, self.granularity, parameters)

    def step_info(self, k: int | None = None):
        timeline = self.timeline if self.active else self._build(quiet=True)
        if timeline is None:
            return None
        return timeline.step_info(self.current if k is None else k)

    # ------------------------------------------------------------ entering and leaving
    def enter(self, k: int = 0) -> bool:
        """Start replaying the model's last pass at step ``k``; False (and ``message``) when
        there is nothing to replay."""
        if not self.active:
            if self.model.rerun_pending:      # an edit is waiting: replay its results
                self._entering = True
                try:
                    self.model.run_now()
                finally:
                    self._entering = False
            timeline = self._build()
            if timeline is None:
                return False
            self.timeline = timeline
            self.active = True
            self.active_changed.emit(True)
            self.timeline_changed.emit()
        self._show(max(0, min(k, self.timeline.count - 1)), announce=True)
        return True

    def leave(self) -> None:
        """Back to the live view (the training panel calls this before it starts)."""
        if not self.active:
            return
        self.pause()
        self.active = False
        self.timeline = None
        self.current = 0
        self.scene.show_live()
        self.active_changed.emit(False)

    def _graph_changed(self, *_args) -> None:
        if self.active and not self._entering:
            self.leave()

    def _steps_changed(self) -> None:
        if not self.active:
            self.timeline_changed.emit()     # the steps a play would have

    def _build(self, quiet: bool = False) -> Timeline | None:
        model = self.model
        trace = model.trace
        if trace is None or not trace.forward_steps and not trace.has_backward:
            if not quiet:
                self.message.emit("Nothing to play yet: " + (model.status or
                                  "add an op node and connect its inputs"))
            return None
        return Timeline(trace, model.node_ids(),
                        [(e.source, e.target, e.port) for e in model.edges()],
                        self.granularity, model.update_preview(), live_record(model))

    # ------------------------------------------------------------ moving
    def go_to(self, k: int) -> bool:
        """Show step ``k`` (clamped to the timeline), pausing a running play."""
        self.pause()
        if not self.active:
            return self.enter(k)
        self._show(max(0, min(int(k), self.timeline.count - 1)))
        return True

    def step_forward(self) -> bool:
        return self.go_to(self.current + 1) if self.active else self.enter(0)

    def step_back(self) -> bool:
        return self.go_to(self.current - 1) if self.active else self.enter(0)

    def first(self) -> bool:
        return self.go_to(0)

    def last(self) -> bool:
        return self.go_to(self.count - 1) if self.active else self.enter(10 ** 9)

    def _show(self, k: int, progress: float = 1.0, announce: bool = False) -> None:
        """Put step ``k`` (``progress`` of the way through) on the canvas; ``step_changed``
        when the step is a new one."""
        changed = announce or k != self.current
        self.current = k
        self._settled = progress >= 1.0
        record = self.timeline.record_at(k, progress)
        if self.record_filter is not None:
            record = self.record_filter(record, self.timeline.step_info(k))
        self.scene.show_replay(record)
        if changed:
            self.step_changed.emit(k)

    def _stops_at(self, k: int) -> bool:
        return self.predict is not None and self.predict.stops_at(k)

    def set_record_filter(self, record_filter) -> None:
        """Pass every record through ``record_filter(record, step_info)`` before the canvas
        (and every view that follows it) shows it — predict mode hides the next number with
        ``gui.display.hide``; None: records as they are. The current step is shown again."""
        self.record_filter = record_filter
        self.reshow()

    def reshow(self) -> None:
        """Show the current step again, settled (e.g. a number was revealed)."""
        if self.active and not self.playing:
            self._show(self.current)

    # ------------------------------------------------------------ playing
    def play(self) -> bool:
        if not self.active and not self.enter(0):
            return False
        if self.playing:
            return True
        if self._stops_at(self.current):
            self.message.emit("Predict first: type your answer on the step card, or reveal "
                              "or skip this step")
            return False
        if self.current >= self.timeline.count - 1:
            self._show(0)
        if self._stops_at(self.current + 1):     # predict mode: the next step asks first
            self._show(self.current + 1)
            return True
        self.playing = True
        self._begin_step(self.current + 1)
        self._timer.start()
        self.playing_changed.emit(True)
        return True

    def pause(self) -> None:
        if not self.playing:
            return
        self.playing = False
        self._timer.stop()
        if self.active:
            self._show(self.current)          # settled: what stepping shows
        self.playing_changed.emit(False)

    def toggle(self) -> None:
        self.pause() if self.playing else self.play()

    def set_speed(self, steps_per_second: float) -> None:
        self.speed = max(0.1, float(steps_per_second))

    def _begin_step(self, k: int) -> None:
        self._started = time.monotonic()
        if self._stops_at(k):          # predict mode: the learner answers first
            self._show(k)
            self.pause()
            return
        self._show(k, 0.0)

    def _tick(self) -> None:
        if not self.active:
            self.pause()
            return
        duration = 1.0 / self.speed
        elapsed = time.monotonic() - self._started
        if elapsed >= duration:
            if self.current >= self.timeline.count - 1:
                self.pause()
                return
            self._begin_step(self.current + 1)
            return
        progress = elapsed / (duration * PULSE_SHARE)
        if progress < 1.0:
            self._show(self.current, progress)
        elif not self._settled:
            self._show(self.current)

    # ------------------------------------------------------------ granularity
    def set_granularity(self, granularity: str) -> None:
        """Node by node or edge by edge; a running replay keeps its place in the pass."""
        if granularity not in GRANULARITIES:
            raise ValueError(f"granularity must be one of {', '.join(GRANULARITIES)}")
        if granularity == self.granularity:
            return
        self.granularity = granularity
        if not self.active:
            self.timeline_changed.emit()
            return
        self.pause()
        old = self.timeline.step_info(self.current)
        self.timeline = self._build(quiet=True)
        self.timeline_changed.emit()
        self._show(self._same_place(old), announce=True)    # a new step, maybe the same k

    def _same_place(self, old) -> int:
        for info in self.timeline.steps:
            if old.phase == BACKWARD and info.phase == BACKWARD:
                if old.backward_indices[0] in info.backward_indices:
                    return info.index
            elif info.phase == old.phase and info.forward_index == old.forward_index:
                return info.index
        return 0
