"""A read-only view of one array: a big number for scalars, a heatmap for tensors (laid out
from the tensor's shape each time: gui/inspector/heatmap.py).

The heatmap (gui/inspector/heatmap.py, pyqtgraph) is built the first time a tensor is shown:
a window that shows only numbers never imports pyqtgraph.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget
from PySide6.QtCore import Qt, Signal

from gui import theme
from gui.display import HIDDEN
from gui.formatting import fmt_number


class TensorView(QWidget):
    """Shows an array (or a placeholder text when there is none); a heatmap cell clicked
    emits its index (``cell_clicked``)."""

    cell_clicked = Signal(tuple)

    def __init__(self, colour: str = theme.TEXT, parent=None):
        super().__init__(parent)
        self.colour = colour
        self.caption = QLabel(objectName="muted")
        self.scalar = QLabel(wordWrap=True)
        self.scalar.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._heatmap = None
        self.stack = QStackedWidget()
        self.stack.addWidget(self.scalar)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.stack)
        layout.addWidget(self.caption)
        self.array = None
        self.set_array(None)

    @property
    def heatmap(self):
        """The tensor view (made when first needed)."""
        if self._heatmap is None:
            from gui.inspector.heatmap import Heatmap
            self._heatmap = Heatmap()
            self._heatmap.cell_clicked.connect(self.cell_clicked)
            self.stack.addWidget(self._heatmap)
        return self._heatmap

    def mark(self, index) -> None:
        """Outline one element in the heatmap (None: none)."""
        if self._heatmap is not None:
            self._heatmap.mark(index)

    def set_array(self, array, placeholder: str = "—") -> None:
        self.array = None if array is None else np.asarray(array, dtype=float)
        a = self.array
        if a is not None and a.size > 1:
            self.heatmap.set_array(a)
            self.caption.hide()
            self.stack.setCurrentWidget(self.heatmap)
            self.stack.setFixedHeight(self.heatmap.content_height())
            return
        if a is None or a.size == 0:
            self.scalar.setText(placeholder if a is None else f"empty, shape {tuple(a.shape)}")
            self.scalar.setFont(theme.ui_font(9.5))
            self.scalar.setStyleSheet(f"color: {theme.MUTED}; padding: 2px 0;")
            self.scalar.setToolTip("")
        else:
            number = float(a.reshape(()))
            self.scalar.setText(fmt_number(number, 6))
            self.scalar.setFont(theme.mono_font(17))
            self.scalar.setStyleSheet(f"color: {self.colour}; padding: 0;")
            self.scalar.setToolTip(repr(number))
        self.caption.setText(f"shape {tuple(a.shape)}" if a is not None and a.ndim else "")
        self.caption.setVisible(bool(self.caption.text()))
        self.stack.setCurrentWidget(self.scalar)
        # a placeholder takes a number's height: a result arriving moves nothing below it
        number_height = QFontMetrics(theme.mono_font(17)).height() + 2
        self.stack.setFixedHeight(max(number_height,
                                      self.scalar.heightForWidth(max(self.width(), 260))))

    def set_hidden(self) -> None:
        """A number the learner is asked to predict: a big "?" in the view's colour (no
        heatmap, no shape: nothing of the number)."""
        self.array = None
        self.scalar.setText(HIDDEN)
        self.scalar.setFont(theme.mono_font(17))
        self.scalar.setStyleSheet(f"color: {self.colour}; padding: 0;")
        self.scalar.setToolTip("hidden: predict it, then step on to see it")
        self.caption.hide()
        self.stack.setCurrentWidget(self.scalar)
        self.stack.setFixedHeight(QFontMetrics(theme.mono_font(17)).height() + 2)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._heatmap is not None and self.stack.currentWidget() is self._heatmap:
            self.stack.setFixedHeight(self._heatmap.content_height())

    def text(self) -> str:
        """What is shown, as text (for tests and the clipboard)."""
        if self.stack.currentWidget() is self.scalar:
            return self.scalar.text()
        return np.array2string(self.array, precision=6)
