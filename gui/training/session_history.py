"""How a TrainingSession keeps every set of weights reachable (a mixin of TrainingSession).

Every weights change the session makes — a run (Train, Step), Reset, Re-init — is one undo
command that carries the ``Mark`` it goes from and the one it goes to (gui/training/
timeline.py). When an undo or redo lands on a mark, the session *arrives* there: a Trainer
from the weights now in the document (fresh optimizer state), the step counter at the mark's
step, the panel's numbers those of the restored weights, and the plots on the mark's timeline
— the curves after that step (an undone run) greyed, coloured again by a redo. An undo or redo
while a run goes first pauses the run (``UndoStack`` settlers, gui/model/undo_stack.py), so
the run so far is its own undo step. Weights put back by another command (an inspector edit
undone) are recognised by their fingerprint. Needs the session's ``model``, ``undo_stack``,
``trainer``, ``probe``, ``step_count``, ``step_offset``, ``_prepare`` and signals.
"""
from __future__ import annotations

import numpy as np
from shiboken6 import isValid

from gui.training.timeline import Mark, Timeline, fingerprint
from gui.training.worker import still_snapshot

PENDING_TEXT = "the run so far (pauses it)"


class RunHistory:
    timeline: Timeline
    epoch_offset = 0.0
    _arriving = False

    def _init_history(self) -> None:
        self.timeline = Timeline()
        self._seen: dict = {}               # fingerprint of weights -> the Mark they are at
        stack = self.undo_stack
        if hasattr(stack, "add_settler"):
            stack.add_settler(self._settle)
            settle = self._settle              # not self: the session is going
            self.destroyed.connect(lambda *_: isValid(stack) and stack.remove_settler(settle))

    def mark(self) -> Mark:
        """Where the weights shown now sit: this timeline, this step."""
        snap = self.latest
        epochs = self.epoch_offset + (snap.epochs if snap is not None else 0.0)
        return Mark(self.timeline, self.step_count, epochs)

    def document_weights(self) -> dict:
        trainer = self.trainer
        names = trainer.parameters if trainer is not None else self.model.parameter_ids()
        return {p: self.model.node(p).value for p in names if self.model.has_node(p)}

    # ------------------------------------------------------------ undo / redo
    def _settle(self) -> None:
        """Before the history moves: a run going on is paused and committed."""
        if self.running:
            self.pause(wait=True)

    def _pending(self, on: bool) -> None:
        set_pending = getattr(self.undo_stack, "set_pending", None)
        if set_pending is not None:
            set_pending(self, PENDING_TEXT if on else None)

    def _marked(self, command, before: Mark, after: Mark):
        """`command` arrives at `before` when undone and `after` when (re)done."""
        def landed(where: str) -> None:
            if self._own:                   # the session's own push: it is there already
                return
            mark = before if where == "before" else after
            if self._arrive(mark):
                self.message.emit(
                    f"Undone: the weights of step {mark.step} (the undone steps are greyed; "
                    "Redo brings them back)" if where == "before" else
                    f"Redone: the weights of step {mark.step}")
        command.landed = landed
        return command

    def _remember(self, mark: Mark, values: dict | None = None) -> None:
        weights = self.document_weights() if values is None else values
        if weights:
            self._seen[fingerprint(weights)] = mark

    def _arrive(self, mark: Mark) -> bool:
        """The document's weights are `mark`'s (an undo, a redo): a Trainer from them, the
        step counter at its step, the plots on its timeline."""
        self._weights_replaced = False
        if not self._restart_trainer():
            self._stale.discard("values")
            self._stale.add("document")
            self._arriving = True
            try:
                ready = self._prepare(quiet=True)
            finally:
                self._arriving = False
            if not ready:
                return False
        trainer = self.trainer
        if mark.timeline.initial is not None and \
                mark.timeline.initial.keys() == trainer.initial_values.keys():
            trainer.initial_values = {k: v.copy() for k, v in mark.timeline.initial.items()}
        self.step_offset, self._target = mark.step, None
        self.timeline = mark.timeline
        sampler = self.probe.sampler if self.probe is not None else None
        self.latest = still_snapshot(trainer, sampler)
        self.epoch_offset = mark.epochs
        self._remember(mark)
        self.history_moved.emit(mark.timeline, mark.step)
        self.state_changed.emit()
        return True

    def _restart_trainer(self) -> bool:
        """Only the weights changed since the Trainer was built (same graph, same settings):
        it starts afresh from the document's weights — step 0, fresh optimizer state and
        batch stream, as a rebuilt one would — without rebuilding it or its pictures. False
        when it must be rebuilt."""
        trainer = self.trainer
        if trainer is None or self._stale - {"document", "values"} or \
                self.structure() != self._built_structure:
            return False
        weights = self.document_weights()
        if weights.keys() != trainer.initial_values.keys() or any(
                np.shape(weights[k]) != np.shape(v) for k, v in trainer.initial_values.items()):
            return False
        initial = trainer.initial_values
        trainer.initial_values = {k: np.array(v, copy=True) for k, v in weights.items()}
        trainer.reset()
        trainer.initial_values = initial
        self._stale = set()
        return True

    _built_structure = None

    def structure(self) -> tuple:
        """The document's graph without its values: each node's id, op and attributes, and
        the wires (a Trainer built from it trains the same graph)."""
        model = self.model
        nodes = tuple((i, model.node(i).op, repr(sorted(model.node(i).attrs.items())))
                      for i in model.node_ids())
        return nodes, repr(model.edges())

    def _arrive_by_fingerprint(self) -> bool:
        """Weights put back from elsewhere (an undone inspector edit): the mark they had."""
        mark = self._seen.get(fingerprint(self.document_weights()))
        return mark is not None and self._arrive(mark)

    # ------------------------------------------------------------ timelines
    def _new_timeline(self) -> None:
        """The plots start over from the weights in the document (step 0)."""
        weights = self.document_weights()
        self.timeline = Timeline(initial={k: v.copy() for k, v in weights.items()
                                          if v is not None} or None)
        self.step_offset, self.epoch_offset = 0, 0.0
        self.history_cleared.emit()

    def _branch_if_behind(self) -> None:
        """A run from an earlier step than the timeline's end replaces the greyed rest: it
        goes on a branch (the old timeline stays for a redo until the run is committed)."""
        step = self.step_count
        if self.timeline.end > step:
            self.timeline = self.timeline.branch(step)
            self.history_moved.emit(self.timeline, step)

    def _record(self, snap) -> None:
        self.timeline.add(snap, self.step_offset)

    @staticmethod
    def _differs(a: dict, b: dict) -> bool:
        return any(not np.array_equal(a[k], b[k]) for k in a)

    def _restart_history(self, weights: dict | None = None) -> None:
        """The plots start over at step 0 from `weights` (default: the trainer's)."""
        self.step_offset, self.epoch_offset = 0, 0.0
        self._target = None
        self.latest = None
        self.timeline = Timeline(initial={k: np.array(v, copy=True) for k, v in
                                          (weights or self.trainer.parameter_values()).items()})
        self.history_cleared.emit()
        self.trainer_changed.emit(self.probe)
        self._emit_still()

    def _emit_still(self, record: bool = True) -> None:
        """A snapshot of the trainer as it stands (after reset / re-initialise): the first
        point of a new timeline (`record`), or only the numbers shown."""
        snap = still_snapshot(self.trainer, self.probe.sampler if self.probe else None)
        self.latest = snap
        if record:
            self._record(snap)
            self.snapshot.emit(snap)
        self.state_changed.emit()
