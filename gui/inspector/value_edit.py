"""A text field for a node's value that shows a matrix one row per line.

Enter applies (as in a line edit), Shift+Enter starts a new line, leaving the field applies too,
Esc puts the node's value back (and the inspector returns the focus to the canvas);
`editingFinished` fires once per edit (``finished_by`` says whether Enter or leaving the field
did it). Numbers are written in full precision (repr), so what the user sees is exactly what
the engine computes with. The parsers here read what the user typed as data, or say why they
cannot (`InputError`); whether the data is a valid value is the engine's rule.
"""
from __future__ import annotations

import ast
import json

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontMetrics, QTextOption
from PySide6.QtWidgets import QPlainTextEdit

from gui import theme

MAX_LINES = 8


def format_value(value) -> str:
    """Nested-list text of an array: scalars as a number, a matrix one row per line."""
    if value is None:
        return ""
    a = np.asarray(value, dtype=float)
    if a.ndim <= 1:
        return json.dumps(a.tolist())
    rows = [json.dumps(row) for row in a.reshape(-1, a.shape[-1]).tolist()] if a.ndim == 2 \
        else [json.dumps(block) for block in a.tolist()]
    return "[" + ",\n ".join(rows) + "]"


class InputError(ValueError):
    """Text the user typed that cannot become a value; str() says why."""


def _literal(text: str, refusal: str):
    """``text`` read as JSON, else as a Python literal; InputError(refusal) when neither."""
    try:
        return json.loads(text)
    except ValueError:
        try:
            return ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            raise InputError(refusal) from None


def parse_value(text: str):
    """What the user typed: ``2.5``, ``[1, 2]`` or ``[[1, 2], [3, 4]]`` read as a number or
    nested lists (InputError when it is neither). Whether that is a valid value — rectangular,
    numbers only, finite — is the engine's rule: ``GraphModel.value_problem``."""
    text = text.strip()
    if not text:
        raise InputError("enter a number or a list such as [[1, 2], [3, 4]]")
    try:
        return float(text)              # also "inf" / "nan": the engine says why not
    except ValueError:
        return _literal(text, f"not a number or a list: {text[:40]!r}")


def parse_json_attr(text: str):
    """An attr typed as JSON: `null`, `0`, `[0, 1]`; Python spellings (None, True) accepted."""
    text = text.strip()
    if text.lower() in ("", "null", "none"):
        return None
    return _literal(text, f"not valid: {text[:40]!r} (try null, 0 or [0, 1])")


# what an attr left unset means, shown in its empty field
UNSET_MEANS = {"axis": "none: every axis", "shape": "none: from its value"}


def attr_text(value) -> str:
    """An attr as its field shows it: unset is an empty field (its placeholder says why)."""
    return "" if value is None else json.dumps(value)


class ValueEdit(QPlainTextEdit):
    editingFinished = Signal()
    cancelled = Signal()       # Esc with typed text not applied: the node's value comes back

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFont(theme.mono_font(9.5))
        self.setTabChangesFocus(True)
        self.setWordWrapMode(QTextOption.WrapMode.NoWrap)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self._dirty = False
        self.finished_by = ""          # "enter" or "focus": what ended the last edit
        self.textChanged.connect(self._changed)
        self._fit_height()

    # QLineEdit-like API (the inspector and tests use these)
    def text(self) -> str:
        return self.toPlainText()

    def setText(self, text: str) -> None:
        self.blockSignals(True)
        self.setPlainText(text)
        self.blockSignals(False)
        self._dirty = False
        self._fit_height()
        self.moveCursor(self.textCursor().MoveOperation.Start)

    def _changed(self) -> None:
        self._dirty = True
        self._fit_height()

    def _fit_height(self) -> None:
        """As tall as its rows (up to MAX_LINES), plus room for a horizontal scroll bar."""
        text_lines = self.toPlainText().split("\n")
        lines = min(len(text_lines), MAX_LINES)
        metrics = QFontMetrics(self.font())
        widest = max(metrics.horizontalAdvance(line) for line in text_lines)
        scrollbar = 12 if widest > self.viewport().width() - 8 else 0
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded
                                        if len(text_lines) > MAX_LINES
                                        else Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFixedHeight(int(lines * metrics.lineSpacing() + 2 * self.document().documentMargin()
                                + 2 * self.frameWidth() + 10 + scrollbar))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_height()

    @property
    def dirty(self) -> bool:
        """Typed text not applied yet."""
        return self._dirty

    def _finish(self, by: str) -> None:
        if self._dirty:
            self._dirty = False
            self.finished_by = by
            self.editingFinished.emit()

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape:
            if self._dirty:
                self._dirty = False
                self.cancelled.emit()
            event.ignore()           # and on to the inspector: back to the canvas
            return
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self._finish("enter")
            event.accept()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        self._finish("focus")
