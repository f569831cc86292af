"""Ctrl+Z in a text field: the field's own undo while its text is being edited; the graph's undo
once the text has been applied (or never touched), even though the field still has focus.

A text field normally claims Ctrl+Z / Ctrl+Shift+Z / Ctrl+Y for itself (Qt's ShortcutOverride).
``pass_undo_to_window(widget)`` installs a filter on every line edit and value box under
``widget`` that lets those keys through to the window's Undo / Redo actions whenever the field
holds no pending edit. The same filter selects a field's text when it is clicked into, so
"click, type, Enter" replaces a value.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit

from gui.inspector.value_edit import ValueEdit

_KEYS = (QKeySequence.StandardKey.Undo, QKeySequence.StandardKey.Redo)
_CTRL_Y = QKeySequence("Ctrl+Y")


def has_pending_edit(widget) -> bool:
    """Text typed into ``widget`` and not applied yet."""
    if isinstance(widget, ValueEdit):
        return widget.dirty
    if isinstance(widget, QLineEdit):
        return widget.isModified()
    return True


class UndoPassthrough(QObject):
    """The event filter (one per panel, shared by its fields). It also selects a field's
    whole text when it is clicked or tabbed into, so typing replaces the value."""

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.FocusIn and event.reason() in (
                Qt.FocusReason.MouseFocusReason, Qt.FocusReason.TabFocusReason,
                Qt.FocusReason.BacktabFocusReason):
            QTimer.singleShot(0, obj, obj.selectAll)   # after the click has placed the cursor
        if event.type() == QEvent.Type.ShortcutOverride and not has_pending_edit(obj):
            combo = QKeySequence(event.keyCombination())
            if any(event.matches(k) for k in _KEYS) or combo == _CTRL_Y:
                event.ignore()          # not the field's: the window's shortcut fires
                return True
        return False


def pass_undo_to_window(widget) -> UndoPassthrough:
    """Install the filter on every text field under ``widget`` (call again after rebuilding);
    an applied or untouched line edit counts as having no pending edit."""
    passthrough = getattr(widget, "_undo_passthrough", None)
    if passthrough is None:
        passthrough = widget._undo_passthrough = UndoPassthrough(widget)
    for field in widget.findChildren(QLineEdit) + widget.findChildren(QPlainTextEdit):
        if field.property("undo_passthrough"):
            continue
        field.setProperty("undo_passthrough", True)
        field.installEventFilter(passthrough)
        if isinstance(field, QLineEdit):
            field.editingFinished.connect(lambda f=field: f.setModified(False))
    return passthrough
