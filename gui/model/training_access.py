"""GraphModel's training API (a mixin of ``GraphModel``; see gui/model/graph_model.py).

The training panel (gui/training) gets an engine Trainer over a copy of the graph and calls its
methods (a run trains a copy of it on a worker process: gui/model/training_runs.py); the
document changes only through the methods below and undo commands (docs/architecture.md, the
boundary).
"""
from __future__ import annotations

import copy
import os

from gui.model.values import copy_value as _copy


class TrainingAccess:
    """The data and training sections, Trainers over a copy, and live values while a run
    goes. Needs ``_graph``, ``_timer``, ``_live``, the signals and ``_edited`` /
    ``_update_modified`` / ``set_modified`` of GraphModel."""

    def training_sections(self) -> tuple[dict | None, dict | None]:
        """Copies of the document's ``data`` and ``training`` sections (None when absent or
        not an object)."""
        return tuple(copy.deepcopy(s) if isinstance(s, dict) else None
                     for s in (self._graph.data, self._graph.training))

    def set_training_sections(self, data: dict | None, training: dict | None) -> None:
        """Replace the ``data`` and ``training`` sections (None removes one); undo commands
        call this (gui/training/settings.py)."""
        for key, section in (("data", data), ("training", training)):
            if section is None:
                self._graph.extra.pop(key, None)
            else:
                self._graph.extra[key] = copy.deepcopy(section)
        self.training_changed.emit()
        self._edited(rerun=False)

    def resolve_data_path(self, folder) -> None:
        """Make a relative CSV path in the data section absolute, read from `folder` (the
        document's folder): the same document, so nothing is marked modified."""
        data = self._graph.extra.get("data")
        csv = data.get("csv") if isinstance(data, dict) else None
        if isinstance(csv, str) and csv and not os.path.isabs(csv) and folder is not None:
            data["csv"] = os.path.normpath(os.path.join(os.fspath(folder), csv))

    def make_trainer(self, data: dict | None = None, training: dict | None = None,
                     folder=None):
        """An ``engine.training.trainer.Trainer`` over a copy of the graph made now, trained on the
        `data` section (default: the document's) with the `training` settings (default: the
        document's); a relative CSV path is read from `folder`. TrainingError (one line, with
        ``.node`` where a node is to blame) when it cannot train."""
        from engine.training.trainer import Trainer
        graph = self._graph.copy()
        if training is not None:
            graph.extra["training"] = copy.deepcopy(training)
        return Trainer(graph, data=copy.deepcopy(data) if data is not None else None,
                       folder=folder)

    @staticmethod
    def read_table(path):
        """The CSV at `path` as an ``engine.training.tables.Table`` of text cells (a preview and a
        column mapping); ValueError naming the file, line and column."""
        from engine.training.tables import read_table
        return read_table(path)

    def show_live_values(self, values: dict) -> None:
        """Show parameter values while training runs: the canvas and every reader see them
        (one throttled re-run), but no undo step records them yet — the run ends with one
        ``SetValues`` ("Train N steps"). The document counts as modified meanwhile.
        GraphError (nothing changed) when one is refused."""
        self._graph.set_values({k: _copy(v) for k, v in values.items()})
        self._live = True
        for node_id in values:
            self.node_changed.emit(node_id)
        if not self._timer.isActive():
            self._timer.start()
        self.set_modified(True)

    def end_live_values(self, restore: dict | None = None) -> None:
        """Training stopped: put `restore` (the values before the run) back without an undo
        step, so the run's one command can record old → new; the modified flag follows the
        undo stack again."""
        if restore:
            self._graph.set_values({k: _copy(v) for k, v in restore.items()})
            for node_id in restore:
                self.node_changed.emit(node_id)
            if not self._timer.isActive():
                self._timer.start()
        self._live = False
        self._update_modified()
