"""TrainingSession: the training panel's logic and its Python API (no widgets).

    session.start(steps=None)   # train on the worker until the run's target; resume a pause
    session.pause(wait=False)   # stop after the current step; the run becomes ONE undo step
    session.step()              # one batch (on the worker too)
    session.reset()             # back to the run's initial weights (an undo step)
    session.reinitialize(seed)  # new initial weights from the parameters' initialisers
    session.metrics()           # {"step", "epochs", "loss", "accuracy", "test_loss", ...}
    session.running, session.step_count, session.trainer, session.probe

The session owns one engine Trainer over a copy of the document (``GraphModel.make_trainer``)
and a ``TrainingRun`` per run, which trains a copy of it on a worker process and, when the run
ends, brings the run's progress back into it (gui/training/worker.py): between runs the
session's Trainer is the whole truth, and during a run the snapshots are (``latest``,
``step_count``). While a run goes, the latest parameters are shown on the
canvas by ``LiveCanvas`` (gui/training/live_canvas.py, throttled) through
``GraphModel.show_live_values`` — no undo step each time; when the run stops (finished,
paused, failed) the values before it are put back and ONE ``SetValues`` "Train N steps"
records before → after (with the data section as trained when that changed, e.g. the
standardisation recorded). Learning rate and optimizer change
while training; other settings rebuild the Trainer at the next start, keeping the weights it
started from, so Reset still returns to them. An edit of the document from elsewhere (the
inspector, a structural edit) pauses the run and the next start reads the document afresh;
opening another document stops the worker and drops the run.

Undo never loses a run (gui/training/session_history.py): an undo or redo while a run goes
first pauses it, so the run so far is its own undo step; every run, Reset and Re-init is one
undo step that carries where on the plots it goes from and to, so after an undo or redo the
panel shows the restored weights' step and numbers, the undone steps' curves greyed, and Train
starts a new run from those weights (fresh optimizer state, the step counter going on).
"""
from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from gui.model import TrainingError
from gui.training.live_canvas import LiveCanvas
from gui.training.messages import cannot_train, in_panel_terms, plural as _plural, stop_text
from gui.training.probe import Probe
from gui.training.session_document import DATA_REBUILD, FollowsDocument
from gui.training.session_history import RunHistory
from gui.training.timeline import Mark
from gui.model.commands import SETTINGS_TEXT, SetTrainingSections, SetValues, Steps
from gui.training.settings import guess_nodes, sections_of
from gui.training.worker import Failure, TrainingRun, prestart


class TrainingSession(RunHistory, FollowsDocument, QObject):
    snapshot = Signal(object)          # every worker Snapshot, in order (plots append)
    trainer_changed = Signal(object)   # a new Trainer (its Probe; None when there is none)
    history_cleared = Signal()         # plots start over (re-initialise, new data, new weights)
    history_moved = Signal(object, int)  # (Timeline, step): the plots show this timeline, in
                                         # colour up to the step (an undo, a redo, Reset)
    state_changed = Signal()           # running / idle, step count, target
    settings_changed = Signal()        # data / training settings (re)read from the document
    failed = Signal(str, str)          # message, node to blame ("" when none)
    message = Signal(str)              # information for the status bar
    about_to_start = Signal()          # the player leaves, the dock comes up
    run_started = Signal(int)          # a run of N steps began (announced to screen readers)
    run_ended = Signal(str)            # a run ended: "Training paused at step …: loss …"

    def __init__(self, model, undo_stack, folder=None, parent=None):
        super().__init__(parent)
        self.model, self.undo_stack = model, undo_stack
        self._folder = folder if callable(folder) else (lambda: folder)
        self.trainer = None
        self.probe: Probe | None = None
        self.worker: TrainingRun | None = None
        self.latest = None                 # the last Snapshot
        self.error: Failure | None = None
        self.step_offset = 0               # plots continue across a rebuilt Trainer
        self._target: int | None = None    # the trainer step at which the run ends
        self._stale: set = set()           # why the Trainer must be rebuilt at the next start
        self._own = 0                      # > 0 while this session edits the document
        self._foreign = False              # the document was edited elsewhere during a run
        self._before: dict = {}            # parameters at the start of the run
        self._run_start = 0
        self._hold_at: int | None = None   # test hook: hold the next run after this step
        self.data, self.training, self.stored = sections_of(model)
        self.live = LiveCanvas(model, self._editing, lambda: self._foreign,
                               lambda: self.worker is not None, self)
        self._init_history()
        self._connect_model()
        QTimer.singleShot(0, self._adopt_folder)   # made for a document already open

    # ------------------------------------------------------------ read
    @property
    def running(self) -> bool:
        return self.worker is not None

    @property
    def step_count(self) -> int:
        """Steps shown on the plots' axis (the trainer's — during a run, the latest
        snapshot's — plus earlier trainers' of this run)."""
        worker, snap = self.worker, self.latest
        if worker is not None and snap is not None and snap.run == worker.run_id:
            return self.step_offset + snap.step
        return self.step_offset + (self.trainer.step_count if self.trainer is not None else 0)

    @property
    def folder(self):
        return self._folder()

    @property
    def run_end(self) -> int | None:
        """The plots' step at which the run going (or paused) ends; None when there is none."""
        return None if self._target is None else self.step_offset + self._target

    @property
    def paused(self) -> bool:
        """A run was paused before its target (Train resumes it)."""
        return (not self.running and self.trainer is not None and self._target is not None
                and self.trainer.step_count < self._target and not self._stale)

    def metrics(self) -> dict:
        """The newest numbers: step, epochs, and loss / accuracy on the training rows,
        test_loss / test_accuracy on the held-out rows (None where there are none)."""
        snap = self.latest
        result = {"step": self.step_count,
                  "epochs": self.epoch_offset + (snap.epochs if snap else 0.0),
                  "loss": None, "accuracy": None, "test_loss": None, "test_accuracy": None}
        if snap is not None and snap.metrics:
            result.update(snap.metrics)
        return result

    def metrics_of(self, snap, offset: int) -> dict:
        """``metrics()`` as they were at `snap` (the plots' step `offset` + its step)."""
        result = {"step": offset + snap.step, "epochs": self.epoch_offset + snap.epochs,
                  "loss": None, "accuracy": None, "test_loss": None, "test_accuracy": None}
        if snap.metrics:
            result.update(snap.metrics)
        return result

    # ------------------------------------------------------------ settings
    def reload_settings(self) -> None:
        """Read the document's sections again (another document, an undo)."""
        self.data, self.training, self.stored = sections_of(self.model)
        self.settings_changed.emit()

    def guess_missing_nodes(self) -> None:
        """Features / targets the data section leaves open, guessed from the graph as it is
        now (inputs added since it was read): in memory only, the document is not edited."""
        if self.data.get("features") and self.data.get("targets"):
            return
        features, targets = guess_nodes(self.model)
        self.data = {**self.data, "features": self.data.get("features") or features}
        if not self.data.get("targets"):
            others = [i for i in self.model.ids_of_op("input") if i != self.data["features"]]
            self.data["targets"] = targets if targets in others else \
                (others[0] if others else None)

    def set_data(self, data: dict) -> None:
        """New data settings: one (merging) undo step. New data start a new run: the plots
        start over and the Trainer is rebuilt at once (the decision boundary shows the new
        points), from the current weights — Reset / Re-init give initial ones."""
        if data == self.data:
            return
        trained = self.trainer is not None and self.trainer.step_count > 0
        self.data = copy.deepcopy(data)
        self._stale.add(DATA_REBUILD)
        self._write_sections()
        if self.trainer is not None and not self.running:
            self._stale.add("values")              # a new run: the plots start over
            if self._prepare(quiet=True):
                self._restart_history()
                if trained:
                    self.message.emit("New data: a new run from the current weights "
                                      "(Reset or Re-init for initial ones)")
        self.state_changed.emit()

    def set_training(self, **changes) -> None:
        """Change training settings (optimizer, lr, batch_size, steps, seed). The learning
        rate and the optimizer apply from the next step, even mid-run."""
        training = {**self.training, **changes}
        if training == self.training:
            return
        old, self.training = self.training, training
        trainer = self.trainer
        if trainer is not None:
            try:
                if training["optimizer"] != old["optimizer"]:
                    trainer.set_optimizer(training["optimizer"], lr=float(training["lr"]))
                    if self.worker is not None:     # the running copy too, between steps
                        self.worker.set_optimizer(training["optimizer"], float(training["lr"]))
                elif training["lr"] != old["lr"]:
                    trainer.set_learning_rate(float(training["lr"]))
                    if self.worker is not None:
                        self.worker.set_learning_rate(float(training["lr"]))
            except (TrainingError, ValueError, TypeError) as error:
                self.training = old
                self.failed.emit(str(error), "")
                return
            if any(training.get(k) != old.get(k) for k in ("batch_size", "seed")):
                self._stale.add("training")
            if training.get("steps") != old.get("steps") and not self.running:
                self._target = None
        self._write_sections()

    def _write_sections(self, text: str = SETTINGS_TEXT) -> None:
        with self._editing():
            self.undo_stack.push(SetTrainingSections(self.model, self.data, self.training, text))
        self.stored = True

    # ------------------------------------------------------------ act
    def start(self, steps: int | None = None) -> bool:
        """Train: resume a paused run, or start one of `steps` steps (default: the training
        section's). False (and ``failed``) when the graph cannot train."""
        if self.running:
            return True
        if not self._prepare():
            return False
        trainer = self.trainer
        if steps is not None:
            self._target = trainer.step_count + max(0, int(steps))
        elif self._target is None or trainer.step_count >= self._target:
            self._target = trainer.step_count + int(self.training.get("steps") or 0)
        remaining = self._target - trainer.step_count
        if remaining <= 0:
            return False
        self._launch(remaining)
        return True

    def step(self) -> bool:
        """One batch (through the worker, like a run of one step)."""
        if self.running:
            return False
        if not self._prepare():
            return False
        self._launch(1)
        return True

    def pause(self, wait: bool = False) -> None:
        """Stop after the current step; the run is committed when the worker ends (at once
        with `wait`)."""
        worker = self.worker
        if worker is None:
            return
        worker.stop()
        if wait:
            worker.wait()
            self._drain()

    def hold_at(self, step: int | None) -> None:
        """Test hook: hold the run going (or else the next one) after step `step` of the
        plots' axis, showing that step; the worker's ``held`` signal says when, and
        ``release_hold`` lets the run go on (Pause ends it there). None: no hold."""
        if self.worker is not None and step is not None:
            self.worker.hold_at(int(step) - self.step_offset)
        else:
            self._hold_at = None if step is None else int(step)

    def release_hold(self) -> None:
        """Test hook: a held run goes on."""
        self._hold_at = None
        if self.worker is not None:
            self.worker.release()

    def toggle(self) -> None:
        self.pause() if self.running else self.start()

    def reset(self) -> bool:
        """Pause a run, then back to the weights the run started from (step 0): one undo
        step; the curves stay, greyed (an undo of the Reset shows them again)."""
        self.pause(wait=True)
        if not self._prepare():
            return False
        before = self.mark()
        self.trainer.reset()
        values = self.trainer.parameter_values()
        initial = self.timeline.initial
        if initial is not None and initial.keys() == values.keys() and \
                not self._differs(initial, values):
            self.step_offset, self.epoch_offset, self._target = 0, 0.0, None
            self.latest = None
            self._emit_still(record=False)
            self.history_moved.emit(self.timeline, 0)
        else:
            self._restart_history()
        self._commit_values(values, "Reset weights", before)
        self.message.emit("Reset: back to the initial weights")
        return True

    def reinitialize(self, seed: int | None = None) -> bool:
        """New initial weights drawn with `seed` (default: the next one); plots start over."""
        self.pause(wait=True)
        if not self._prepare():
            return False
        seed = self._next_seed() if seed is None else int(seed)
        before = self.mark()
        try:
            fresh = self.trainer.reinitialize(seed)
        except TrainingError as error:
            self.failed.emit(str(error), error.node or "")
            return False
        self._init_seed = seed
        self._restart_history(fresh)
        self._commit_values(fresh, f"Re-initialise weights (seed {seed})", before)
        self.message.emit(f"New initial weights (seed {seed})")
        return True

    def shutdown(self, commit: bool = True) -> None:
        """Stop the worker and wait for it (closing the window; another document)."""
        worker = self.worker
        if worker is None:
            return
        worker.stop()
        worker.wait()
        if commit:
            self._drain()
        else:
            self._drop_worker()

    def wait(self, timeout_ms: int = 60000) -> bool:
        """Block (processing events) until the run ends; True when it did (scripts, CLI)."""
        from PySide6.QtCore import QCoreApplication, QDeadlineTimer
        deadline = QDeadlineTimer(timeout_ms)
        while self.running and not deadline.hasExpired():
            QCoreApplication.processEvents()
            if self.worker is not None:
                self.worker.wait(10)
        QCoreApplication.processEvents()
        return not self.running

    # ------------------------------------------------------------ internals
    _init_seed = 0

    def _next_seed(self) -> int:
        return self._init_seed + 1

    def _prepare(self, quiet: bool = False) -> bool:
        """A Trainer that matches the document and the settings, built when needed
        (`quiet`: a failure is not reported — the next Train says it)."""
        if self.trainer is not None and not self._stale:
            return True
        old = self.trainer
        reason = cannot_train(self.model, self.data)
        try:
            if reason is not None:        # nothing written: a failed Train changes nothing
                raise TrainingError(reason)
            trainer = self.model.make_trainer(self.data, self.training, self.folder)
        except (TrainingError, ValueError, TypeError) as error:
            if not quiet:
                node = getattr(error, "node", None) or ""
                self.failed.emit(in_panel_terms(error), node)
            return False
        if not self.stored:               # the first run: the file keeps what it trained on
            self._write_sections()
        prestart()                        # a worker gets ready while the user looks
        continuing = old is not None and self._same_parameters(old, trainer)
        if continuing:
            trainer.initial_values = {k: v.copy() for k, v in old.initial_values.items()}
        if self._arriving:
            pass                          # the caller sets the step and the timeline
        elif continuing and "values" not in self._stale:
            self.step_offset += old.step_count
            self.epoch_offset += old.epochs
            if self.latest is not None:       # its epochs counted from the old trainer's 0
                self.latest = replace(self.latest, epochs=self.latest.epochs - old.epochs)
        else:
            self._weights_replaced = False
            self._new_timeline()
        self.trainer, self._stale, self.error = trainer, set(), None
        self._built_structure = self.structure()
        self._target = None
        try:
            self.probe = Probe.of(trainer)
        except Exception as error:  # noqa: BLE001 - no picture is better than no training
            self.probe = Probe._none(f"cannot draw the model: {error}", "", (), ())
        self.trainer_changed.emit(self.probe)
        return True

    @staticmethod
    def _same_parameters(old, new) -> bool:
        a, b = old.initial_values, new.initial_values
        return a.keys() == b.keys() and all(a[k].shape == b[k].shape for k in a)

    def _launch(self, steps: int) -> None:
        self.about_to_start.emit()
        trainer = self.trainer
        self.error = None
        self._foreign = False
        self._before = {p: _copied(self.model.node(p).value)
                        for p in trainer.parameters if self.model.has_node(p)}
        self._run_start = trainer.step_count
        self._branch_if_behind()
        self._run_mark = self.mark()
        self._remember(self._run_mark, self._before)
        hold = None if self._hold_at is None else self._hold_at - self.step_offset
        self._hold_at = None                 # the hook holds one run
        self.worker = TrainingRun(trainer, steps, self.probe.sampler if self.probe else None,
                                  hold_at=hold)
        self.worker.snapshot.connect(self._on_snapshot)
        self.live.start(self._before)
        self.worker.start()
        self._pending(True)
        self.state_changed.emit()
        self.run_started.emit(steps)

    def _on_snapshot(self, snap) -> None:
        if self.worker is None or snap.run != self.worker.run_id:
            return                        # a run dropped (another document): ignore the rest
        self.latest = snap
        self.live.pending = snap.values
        self._record(snap)
        self.snapshot.emit(snap)
        if snap.final:
            self._finish(snap)

    def _drain(self) -> None:
        """Deliver the worker's queued snapshots now (its final one commits the run)."""
        from PySide6.QtCore import QCoreApplication
        QCoreApplication.sendPostedEvents(self)
        if self.worker is not None:      # no final snapshot came: end the run without it
            self._drop_worker()

    def _finish(self, snap) -> None:
        worker = self.worker
        worker.wait()
        self._drop_worker()
        done = self.trainer.step_count - self._run_start
        final = snap.values
        changed = self.differing(self.live.shown) if self._foreign else set()
        restore = {k: v for k, v in self._before.items() if k not in changed}
        with self._editing():
            self.model.end_live_values(restore)
        commit = {k: v for k, v in final.items() if k in restore}
        if self._foreign:
            self._stale.add("values" if changed else "document")
        if done > 0 and commit:
            self._commit_run(commit, done)
        self.state_changed.emit()
        if snap.error is not None:
            self.error = snap.error
            self.failed.emit(snap.error.message, snap.error.node or "")
            self.run_ended.emit(f"Training stopped: {snap.error.message}")
        elif done > 0:
            text = stop_text(worker.stop_requested, done, self.step_count, self.metrics())
            self.message.emit(text)
            self.run_ended.emit(text)

    def _drop_worker(self) -> None:
        worker, self.worker = self.worker, None
        self.live.stop()
        self._pending(False)
        if worker is not None:
            worker.snapshot.disconnect(self._on_snapshot)
            worker.deleteLater()
        self.state_changed.emit()

    def _commit_run(self, values: dict, steps: int) -> None:
        """ONE undo step for the run: the parameters before → after, and the data section as
        trained when it records more (the standardisation, the class labels)."""
        text = f"Train {_plural(steps, 'step')}"
        parts = [SetValues(self.model, values, text)]
        trained = self._trained_data_section()
        if trained is not None:
            self.data = trained
            parts.append(SetTrainingSections(self.model, trained, self.training, text,
                                             merge=False))
        command = parts[0] if len(parts) == 1 else Steps(text, parts)
        after = self.mark()
        self._marked(command, self._run_mark, after)
        with self._editing():
            self.undo_stack.push(command)
        self._remember(after)

    def _trained_data_section(self) -> dict | None:
        section = dict(self.trainer.data.section)
        section.update(features=self.trainer.features, targets=self.trainer.targets)
        current, _ = self.model.training_sections()
        return None if section == current else section

    def _commit_values(self, values: dict, text: str, before: Mark) -> None:
        """One undo step to `values` (Reset, Re-init), from `before` to where the session
        stands now."""
        values = {k: v for k, v in values.items() if self.model.has_node(k)}
        if not self.differing(values):
            return
        after = self.mark()
        command = self._marked(SetValues(self.model, values, text), before, after)
        with self._editing():
            self.undo_stack.push(command)
        self._remember(after)


def _copied(value):
    return None if value is None else np.array(value, copy=True)

