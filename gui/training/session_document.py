"""How a TrainingSession follows the document it trains (a mixin of TrainingSession):
edits from elsewhere pause a run and mark the Trainer stale, weights replaced by an undo
start the panel over, and another document drops the run. Needs the session's ``model``,
``running``, ``pause``, ``shutdown``, ``_prepare``, ``_restart_history``, the history mixin's
``_arrive_by_fingerprint`` / ``_new_timeline`` and its signals."""
from __future__ import annotations

import contextlib

import numpy as np
from PySide6.QtCore import QTimer

from gui.training.settings import sections_of

DATA_REBUILD = "data"


class FollowsDocument:
    """Follows the model's signals (``_connect_model`` once, from the session's init)."""

    _weights_replaced = False       # an edit from elsewhere replaced the weights

    @contextlib.contextmanager
    def _editing(self):
        """The session's own edits of the document (not "from elsewhere")."""
        self._own += 1
        try:
            yield
        finally:
            self._own -= 1

    def _connect_model(self) -> None:
        model = self.model
        for signal in (model.node_added, model.node_removed, model.node_changed):
            signal.connect(self._on_foreign_edit)
        for signal in (model.edge_added, model.edge_removed):
            signal.connect(self._on_foreign_edit)
        model.node_renamed.connect(self._on_foreign_edit)
        model.training_changed.connect(self._on_sections_edited)
        model.graph_reset.connect(self._on_graph_reset)
        model.edits_settled.connect(self._on_edits_settled)

    def _on_foreign_edit(self, *_args) -> None:
        if self._own:
            return
        if self.running:
            self._foreign = True
            self.pause()
        else:
            self._stale.add("document")
            if self.trainer is not None and self.differing(self.trainer.parameter_values()):
                self._stale.add("values")
                self._weights_replaced = True      # the panel follows once edits settle

    def _on_edits_settled(self) -> None:
        """The weights were replaced from elsewhere (the inspector, an undo of its edit): the
        panel must not go on claiming the old run's step and loss. Weights it showed before
        take their step back (their fingerprint); others start the plots over from them (a
        Trainer rebuilt quietly). An undo of the session's own steps lands at once
        (gui/training/session_history.py)."""
        if not self._weights_replaced or self.running:
            return
        self._weights_replaced = False
        if self._arrive_by_fingerprint():          # weights the panel had shown before
            return
        if self._prepare(quiet=True):
            self._restart_history()
        else:
            self.step_offset, self._target, self.latest = 0, None, None
            self._new_timeline()
            self.state_changed.emit()
        self.message.emit("The weights were changed (an edit): the step counter "
                          "starts over from them")

    def differing(self, values: dict) -> set:
        """The nodes whose value in the document is not the one in ``values`` (or that are
        gone)."""
        return {p for p, v in values.items()
                if not self.model.has_node(p) or not _same(self.model.node(p).value, v)}

    def _on_sections_edited(self) -> None:
        if self._own:
            return
        if self.running:
            self._foreign = True
            self.pause()
        self._stale.add(DATA_REBUILD)
        self.reload_settings()

    def _on_graph_reset(self) -> None:
        """Another document: the run is dropped (it belonged to the old one)."""
        self.shutdown(commit=False)
        self.trainer = self.probe = self.latest = self.error = None
        self._stale, self._target, self.step_offset = set(), None, 0
        self._weights_replaced = False
        self._init_seed = 0
        self._seen.clear()
        self._new_timeline()
        self.trainer_changed.emit(None)
        self.reload_settings()
        self.state_changed.emit()
        QTimer.singleShot(0, self._adopt_folder)

    def _adopt_folder(self) -> None:
        """The document's CSV path, read from its folder, kept absolute in memory."""
        folder = self.folder
        if folder is not None:
            self.model.resolve_data_path(folder)
            self.data, self.training, self.stored = sections_of(self.model)
            self.settings_changed.emit()


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a.shape == b.shape and bool(np.array_equal(a, b))
