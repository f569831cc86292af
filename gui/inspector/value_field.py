"""The inspector's value box for a leaf: type a number or nested lists, Enter applies.

The box is checked as the user types, by the engine's rule (``GraphModel.value_problem``): a
value it would refuse gets a red border and the reason in the line under the box, where the
hint ("Enter applies · ⇧Enter: new row") otherwise stands, so nothing moves. Enter or
leaving the box applies a valid value (``applied``); Enter on an invalid one keeps the text
for fixing, leaving the box puts the old value back. Either way the status bar says why.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from gui import theme
from gui.inspector.value_edit import InputError, ValueEdit, format_value, parse_value

HINT = "Enter applies · ⇧Enter: new row"


class ValueField(QWidget):
    applied = Signal(object)     # the new value (a float64 array) the user committed
    refused = Signal(str)        # why a committed text is not a value

    def __init__(self, model, node_id: str, parent=None):
        super().__init__(parent)
        self.model, self.node_id = model, node_id
        self.edit = ValueEdit()
        self.edit.setPlaceholderText("a number, or nested lists: [[1, 2], [3, 4]]")
        self.edit.setToolTip("A number or nested lists, e.g. [[1, 2], [3, 4]]. Enter applies, "
                             "Shift+Enter starts a new row; leaving the box applies too")
        self.hint = QLabel(HINT, objectName="muted", wordWrap=True)
        self.hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        # two lines reserved: a long reason wraps without pushing the fields below
        self.hint.setFixedHeight(2 * self.hint.fontMetrics().lineSpacing() + 2)
        self.shape_label = QLabel(objectName="muted")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        for widget in (self.edit, self.hint, self.shape_label):
            layout.addWidget(widget)
        self.edit.setAccessibleName(f"Value of {node_id}")
        self.edit.setAccessibleDescription("A number or nested lists. Enter applies, Shift+Enter "
                                           "starts a new row, Esc puts the value back")
        self.edit.textChanged.connect(self._validate)
        self.edit.editingFinished.connect(self._commit)
        self.edit.cancelled.connect(self.refresh)
        self.reason: str | None = None
        self.refresh()

    def rename(self, node_id: str) -> None:
        """The node was renamed: the box edits it under its new id."""
        self.node_id = node_id
        self.edit.setAccessibleName(f"Value of {node_id}")

    # -- reading -----------------------------------------------------------------------------
    def check(self, text: str):
        """``(array, None)`` for a valid value, ``(None, reason)`` otherwise."""
        try:
            data = parse_value(text)
        except InputError as error:
            return None, str(error)
        problem = self.model.value_problem(self.node_id, data)
        if problem is not None:
            return None, problem.message
        return np.asarray(data, dtype=np.float64), None

    def refresh(self) -> None:
        """Show the node's current value (after an edit, an undo, a re-initialisation)."""
        if not self.model.has_node(self.node_id):
            return
        node = self.model.node(self.node_id)
        self.edit.setText(format_value(node.value))
        self._show_reason(None)
        if node.value is None:
            self.shape_label.setText("no value yet" + (" — initialised from init/shape/seed"
                                                       if node.op == "parameter" else ""))
        else:
            shape = tuple(np.shape(node.value))
            self.shape_label.setText("a scalar (one number)" if shape == () else f"shape {shape}")

    # -- typing and committing --------------------------------------------------------------
    def _validate(self) -> None:
        self._show_reason(self.check(self.edit.text())[1])

    def _show_reason(self, reason: str | None) -> None:
        self.reason = reason
        self.hint.setText(f"⚠ {reason}" if reason else HINT)
        self.hint.setStyleSheet(f"color: {theme.ERROR};" if reason else "")
        self.hint.setToolTip(reason or "")
        if bool(self.edit.property("invalid")) != bool(reason):
            self.edit.setProperty("invalid", bool(reason))
            self.edit.style().unpolish(self.edit)
            self.edit.style().polish(self.edit)

    def _commit(self) -> None:
        array, reason = self.check(self.edit.text())
        if reason is not None:
            self.refused.emit(f"value of {self.node_id}: {reason}; the old value is kept")
            if self.edit.finished_by == "focus":
                self.refresh()            # leaving the box: the node's value comes back
            return
        node = self.model.node(self.node_id)
        if node.value is not None and np.shape(node.value) == array.shape \
                and np.array_equal(node.value, array):
            return
        self.applied.emit(array)
