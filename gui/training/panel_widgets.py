"""Small widgets of the Training panel: the learning-rate box and the grid of plots."""
from __future__ import annotations

from PySide6.QtWidgets import QDoubleSpinBox, QGridLayout, QWidget


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
