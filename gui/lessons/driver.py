"""LessonDriver: plays a lesson's steps on the real app — the same documents, undo steps, player,
predict mode and training panel a learner uses by hand.

Showing lesson step n does its parts in the order docs/lessons.md pins: ``open``, ``change`` and
``set`` (one undo step, "Lesson: …"), then ``select``, ``highlight`` and ``panel``, then
``play`` (predict mode off) or ``predict`` (predict mode on, asking about the lesson's node with
its tolerance), then ``train`` (N steps, or pause). Going forward one step edits the document
the learner has; going back, restarting or resuming opens the lesson's own version of the
document as it was before step n (``LessonGuide.document``) and edits from there, so every step
starts from the numbers its text was written for.

The step is *ready* when its ``wait`` is satisfied and its prediction answered; Next waits for
that, Skip does not. Progress is remembered per lesson (gui/lessons/progress.py).
"""
from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from gui.model import commands, files
from gui.lessons.progress import LessonProgress

TEXT_REFRESH_MS = 150       # the prose's numbers follow the graph, at most this often


class LessonDriver(QObject):
    shown = Signal(int)          # lesson step n is on screen (from 1)
    text_changed = Signal()      # the prose (or its reveal) has new numbers
    ready_changed = Signal(bool) # Next may go on
    ended = Signal()             # the lesson was closed

    def __init__(self, window, parent=None):
        super().__init__(parent or window)
        self.window, self.model = window, window.model
        self.progress = LessonProgress(window.settings)
        self.guide = None
        self.current = 0
        self.answered = False        # the step's prediction has an outcome
        self.ready = True
        self._own_document = False   # the document open is the lesson's
        self._loading = False
        self._start_values: dict = {}
        self._start_trained = 0
        self._refresh = QTimer(self)
        self._refresh.setSingleShot(True)
        self._refresh.setInterval(TEXT_REFRESH_MS)
        self._refresh.timeout.connect(self._follow)
        self.model.results_changed.connect(self._refresh.start)
        self.model.graph_reset.connect(self._document_replaced)

    # ------------------------------------------------------------ starting and ending
    @property
    def active(self) -> bool:
        return self.guide is not None

    def start(self, path, at: int | None = None) -> bool:
        """Start the lesson in ``path`` at step ``at`` (default: where the learner left it,
        or 1). False when the lesson cannot be read (the window says why) or the learner
        keeps their unsaved document."""
        try:
            guide = self.model.lesson_guide(path)
        except ValueError as error:           # the engine's LessonError: file, step, cause
            self.window.show_error("Cannot open the lesson", str(error))
            return False
        if not self._own_document and not self.window.maybe_save():
            return False
        self.close(quiet=True)
        predict = self.window.player.predict
        self._predict_before = predict.enabled    # given back when the lesson ends
        predict.reset_tally()                     # each lesson counts its own answers
        self.guide = guide
        self._loading = False
        step, done = self.progress.where(guide.path)
        n = at if at is not None else (1 if done else step)
        self._own_document = True             # asked above: no second question
        return self.go_to(max(1, min(n, guide.count)))

    def close(self, quiet: bool = False) -> None:
        """End the lesson (its progress stays); the app is left as it is."""
        if self.guide is None:
            return
        self.guide = None
        self.current = 0
        self.window.canvas.graph_scene.set_spotlight(())
        if self.window.player_dock.is_built:
            predict = self.window.player.predict
            predict.clear_focus()
            predict.go_on = None
            predict.set_enabled(getattr(self, "_predict_before", False))
        if not quiet:
            self.ended.emit()

    # ------------------------------------------------------------ moving
    def next(self) -> bool:
        """The next step, once this one is ready (the last step: the lesson is done)."""
        if not self.ready:
            return False
        return self.skip()

    def skip(self) -> bool:
        """The next step, ready or not."""
        if self.guide is None:
            return False
        if self.current >= self.guide.count:
            self.progress.finish(self.guide.path)
            self.close()
            return True
        return self._show(self.current + 1, continuing=True)

    def back(self) -> bool:
        if self.guide is None or self.current <= 1:
            return False
        self.go_to(self.current - 1)
        return True

    def restart(self) -> None:
        if self.guide is not None:
            self.progress.restart(self.guide.path)
            self.go_to(1)

    def go_to(self, n: int) -> bool:
        """Lesson step ``n``, from the lesson's own document as it was before it."""
        return self._show(n, continuing=False)

    def _show(self, n: int, continuing: bool) -> bool:
        guide = self.guide
        step = guide.step(n)
        continuing = continuing and self._own_document
        if (step.open or not continuing) and not self._own_document \
                and not self.window.maybe_save():
            return False                   # the learner keeps their own unsaved document
        self.current = n
        self.progress.remember(guide.path, n)
        self.answered = False
        self._edit(n, step, continuing)
        self._point(step)
        self._drive_player(step)
        self._drive_training(step)
        self._start_values = guide.leaf_values()
        self._start_trained = self._trained_total()
        self._update_ready()
        self.shown.emit(n)
        return True

    # ------------------------------------------------------------ the step's parts
    def _edit(self, n: int, step, continuing: bool) -> None:
        guide, window = self.guide, self.window
        if step.open:
            self._open(guide.opened(n), n)
        elif not continuing:
            self._open(guide.document(n - 1), n)
        parts = [commands.ChangeOp(self.model, c.node, c.op, c.attrs or None)
                 for c in step.changes]
        parts += [commands.SetValue(self.model, s.node, s.value) for s in step.sets]
        if parts:
            window.undo_stack.push(commands.Steps(f"Lesson: {self._edit_text(step)}", parts))
            self.model.run_now()

    @staticmethod
    def _edit_text(step) -> str:
        changed = [f"{c.node} → {c.op}" for c in step.changes]
        set_ = [f"{s.node} = {s.value}" for s in step.sets]
        text = ", ".join(changed + set_)
        return text if len(text) < 60 else f"{len(changed) + len(set_)} edits"

    def _open(self, graph, n: int) -> None:
        self.window.leave_player()
        name = f"{files.example_title(self.guide.example_at(n))} (example)"
        self._loading = True
        try:
            self.window.open_graph(graph, None, name)
        finally:
            self._loading = False
        self._own_document = True
        self.model.run_now()

    def _document_replaced(self) -> None:
        if not self._loading:
            self._own_document = False     # the learner opened something else

    def _point(self, step) -> None:
        window = self.window
        if step.select:
            window.reveal_node(step.select)
        window.canvas.graph_scene.set_spotlight(step.highlight)
        docks = {"inspector": window.inspector_dock, "chain_rule": window.chain_rule_dock,
                 "step_card": window.player_dock, "training": window.training_dock}
        dock = docks.get("training" if step.plot else step.panel)
        if dock is not None:
            dock.show()
            dock.raise_()
        if step.plot:
            window.training.show_plot(step.plot)

    def _drive_player(self, step) -> None:
        window = self.window
        if step.play is None and step.predict is None:
            return
        if window.player_dock.isHidden():       # the dock takes room: the graph is fitted again
            QTimer.singleShot(0, window.canvas.fit_view)
        if step.play == "off":
            window.leave_player()
            return
        player = window.player
        predict = player.predict
        player.set_granularity(self.guide.granularity)
        if step.predict is not None:
            k = step.predict.step - 1
            predict.focus(k, step.predict.node, self.guide.tolerance(self.current))
            predict.go_on = self._go_on
            player.go_to(k)
            predict.set_enabled(True)       # after the move: no step passed on the way counts
            window.player_dock.show()
            window.player_dock.raise_()
            QTimer.singleShot(0, lambda: window.step_card.predict_box.field.setFocus())
        else:
            predict.set_enabled(False)
            player.go_to(step.play - 1)

    def _drive_training(self, step) -> None:
        if step.train is None:
            return
        training = self.window.training
        if step.train == "pause":
            training.pause(wait=True)
        else:
            self.window.training_dock.show()
            self.window.training_dock.raise_()
            training.start(steps=step.train)

    def _go_on(self) -> bool:
        """Enter on the step card after a verdict: the lesson's next step, when the card's
        question is this step's."""
        step = self.guide.step(self.current) if self.guide else None
        if step is None or step.predict is None or not self.answered:
            return False
        return self.next()

    # ------------------------------------------------------------ following the learner
    def prediction_answered(self, outcome) -> None:
        """Predict mode answered (or revealed) a question: the step's, if it asked one."""
        predict = self.guide.step(self.current).predict if self.guide else None
        if predict is not None and outcome.question.step == predict.step - 1:
            self.answered = True
            self._update_ready()
            self.text_changed.emit()

    def _trained_total(self) -> int:
        window = self.window
        if not window.training_dock.is_built:
            return 0
        return window.training.session.step_count

    def _follow(self) -> None:
        if self.guide is not None:
            self._update_ready()
            self.text_changed.emit()

    def player_moved(self, *_args) -> None:
        if self.guide is not None:
            self._update_ready()

    def _update_ready(self) -> None:
        guide, n = self.guide, self.current
        step = guide.step(n)
        player = self.window.player if self.window.player_dock.is_built else None
        shown = player.current + 1 if player is not None and player.active else None
        trained = self._trained_total() - self._start_trained
        waiting = guide.waiting(n, shown, trained, self._start_values)
        ready = not waiting and (step.predict is None or self.answered)
        if ready != self.ready:
            self.ready = ready
            self.ready_changed.emit(ready)

    def texts(self) -> tuple[str, str, bool]:
        """The step's text, its reveal (once the prediction is answered, else "") and
        whether their numbers are the learner's graph's (False: the lesson's own)."""
        text, live = self.guide.text(self.current)
        reveal, live_reveal = ("", True)
        if self.answered:
            reveal, live_reveal = self.guide.reveal(self.current)
        return text, reveal, live and live_reveal

    def waiting_for(self) -> str:
        """What the step waits for, in a few words ("" when nothing)."""
        if self.guide is None or self.ready:
            return ""
        step = self.guide.step(self.current)
        if step.predict is not None and not self.answered:
            return "Type your prediction on the step card (Enter), or Reveal it."
        wait = step.wait
        if wait is None:
            return ""
        return {"value": f"Change the value of {wait.node}.",
                "op": f"Change {wait.node} to {wait.op} (right-click it ▸ Change to…).",
                "step": f"Show player step {wait.step}.",
                "trained": f"Train {wait.steps} steps."}[wait.kind]

__all__ = ["LessonDriver"]
