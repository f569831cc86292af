"""A read-only view of one array: a number for scalars, a tinted table for tensors.

Cells are tinted on a diverging scale (blue positive, red negative, white zero) so the pattern
of a gradient is visible at a glance; tooltips carry the full-precision number.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QStackedWidget,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from gui import theme

MAX_ROWS = 40
MAX_COLS = 24


def format_number(x: float) -> str:
    """Short but honest: 6 significant digits (full precision is in the tooltip)."""
    x = float(x)
    if x == 0:
        return "0"
    return f"{x:.6g}"


def describe(array) -> str:
    """One line for a status bar: the number for a scalar, else shape and range."""
    if array is None:
        return "—"
    a = np.asarray(array, dtype=float)
    if a.size == 1:
        return format_number(a.reshape(()))
    if a.size == 0:
        return f"empty {tuple(a.shape)}"
    with np.errstate(all="ignore"):
        return (f"shape {tuple(a.shape)}, min {format_number(np.nanmin(a))}, "
                f"max {format_number(np.nanmax(a))}")


class TensorView(QWidget):
    """Shows an array (or a placeholder text when there is none)."""

    def __init__(self, colour: str = theme.TEXT, parent=None):
        super().__init__(parent)
        self.colour = colour
        self.caption = QLabel(objectName="muted")
        self.scalar = QLabel(wordWrap=True)
        self.scalar.setFont(theme.mono_font(13))
        self.scalar.setStyleSheet(f"color: {colour}; padding: 2px 0;")
        self.scalar.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setFont(theme.mono_font(9))
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.horizontalHeader().setDefaultSectionSize(56)
        self.table.horizontalHeader().setMinimumSectionSize(36)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.setMinimumHeight(60)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.scalar)
        self.stack.addWidget(self.table)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.stack)
        layout.addWidget(self.caption)
        self.array = None
        self.set_array(None)

    def set_array(self, array, placeholder: str = "—") -> None:
        self.array = None if array is None else np.asarray(array, dtype=float)
        if self.array is None or self.array.size == 1:
            if self.array is None:
                self.scalar.setText(placeholder)
                self.scalar.setFont(theme.ui_font(9.5))
                self.scalar.setStyleSheet(f"color: {theme.MUTED}; padding: 2px 0;")
            else:
                self.scalar.setText(format_number(self.array.reshape(())))
                self.scalar.setFont(theme.mono_font(13))
                self.scalar.setStyleSheet(f"color: {self.colour}; padding: 2px 0;")
            self.scalar.setToolTip("" if self.array is None else repr(float(self.array.reshape(()))))
            self.caption.setText("" if self.array is None else
                                 f"shape {tuple(self.array.shape)}" if self.array.ndim else "")
            self.caption.setVisible(bool(self.caption.text()))
            self.stack.setCurrentWidget(self.scalar)
            self.stack.setFixedHeight(max(26, self.scalar.heightForWidth(max(self.width(), 260))))
            return
        self._fill_table(self.array)

    def _fill_table(self, a: np.ndarray) -> None:
        grid = a.reshape(1, -1) if a.ndim <= 1 else a.reshape(-1, a.shape[-1])
        rows, cols = min(grid.shape[0], MAX_ROWS), min(grid.shape[1], MAX_COLS)
        self.table.clear()
        self.table.setRowCount(rows)
        self.table.setColumnCount(cols)
        with np.errstate(all="ignore"):
            finite = grid[np.isfinite(grid)]
            limit = float(np.max(np.abs(finite))) if finite.size else 0.0
        for r in range(rows):
            for c in range(cols):
                x = float(grid[r, c])
                item = QTableWidgetItem(f"{x:.4g}" if x else "0")
                item.setToolTip(repr(x))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                item.setBackground(theme.tint(x, limit))
                self.table.setItem(r, c, item)
        self.table.setHorizontalHeaderLabels([str(c) for c in range(cols)])
        self.table.setVerticalHeaderLabels([str(r) for r in range(rows)])
        shown = "" if (rows, cols) == grid.shape else f", showing {rows}×{cols}"
        self.caption.setText(f"shape {tuple(a.shape)}{shown}")
        self.caption.setVisible(True)
        self.table.resizeColumnsToContents()
        fits = self.table.horizontalHeader().length() + 40 < max(self.width(), 260)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.Stretch if fits else QHeaderView.ResizeMode.Interactive)
        self.stack.setCurrentWidget(self.table)
        self.table.horizontalScrollBar().setVisible(False)
        header = self.table.horizontalHeader().sizeHint().height()
        content_w = self.table.verticalHeader().sizeHint().width() + \
            self.table.horizontalHeader().length()
        scrollbar = 12 if content_w > max(self.width(), 260) - 4 else 0
        height = header + self.table.verticalHeader().length() + 2 * self.table.frameWidth() \
            + scrollbar
        self.stack.setFixedHeight(min(height, 260))

    def text(self) -> str:
        """What is shown, as text (for tests and the clipboard)."""
        if self.stack.currentWidget() is self.scalar:
            return self.scalar.text()
        return np.array2string(self.array, precision=6)
