"""Small widgets of the Training panel: the learning-rate box, the grid of plots, a label
that elides at a word boundary."""
from __future__ import annotations

from PySide6.QtWidgets import QDoubleSpinBox, QGridLayout, QLabel, QWidget


class LearningRateBox(QDoubleSpinBox):
    """A learning rate: arrows multiply or divide by 2 (rates live on a log scale)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setDecimals(6)
        self.setRange(1e-6, 100.0)
        self.setKeyboardTracking(False)

    def stepBy(self, steps: int) -> None:
        self.setValue(self.value() * (2.0 ** steps))

    def textFromValue(self, value: float) -> str:
        return f"{value:.6g}"


class PlotGrid(QWidget):
    """The four plots in a row when the panel is wide, two by two otherwise."""

    def __init__(self, plots, parent=None):
        super().__init__(parent)
        self.plots = plots
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(6)
        self.columns = 0
        self.arrange(2)

    def arrange(self, columns: int) -> None:
        if columns == self.columns:
            return
        self.columns = columns
        for plot in self.plots:
            self.grid.removeWidget(plot)
        for k, plot in enumerate(self.plots):
            self.grid.addWidget(plot, k // columns, k % columns)
        for c in range(4):
            self.grid.setColumnStretch(c, 1 if c < columns else 0)
        for r in range(2):
            self.grid.setRowStretch(r, 1 if r < 4 // columns else 0)


class ElidedLabel(QLabel):
    """One line that never shows half a word: text too wide for the label loses its last
    parts (split at two spaces, else at a space) behind "…"; the tooltip holds it all.
    ``text()`` is the whole text."""

    def __init__(self, text: str = "", parent=None):
        super().__init__(parent)
        self._full = ""
        self.setText(text)

    def setText(self, text: str) -> None:
        self._full = text
        self._elide()

    def text(self) -> str:
        return self._full

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        text, width = self._full, self.contentsRect().width()
        metrics = self.fontMetrics()
        if width <= 0 or metrics.horizontalAdvance(text) <= width:
            QLabel.setText(self, text)
            self.setToolTip("")
            return
        sep = "  " if "  " in text else " "
        parts = text.split(sep)
        while len(parts) > 1:
            parts.pop()
            shown = sep.join(parts) + " …"
            if metrics.horizontalAdvance(shown) <= width:
                break
        else:
            shown = "…"
        QLabel.setText(self, shown)
        self.setToolTip(text)
