"""The step card: what the player's current step computes, in words, formulas and numbers.

A docked panel (it never covers the canvas): the caption and the step's one line, then rows
such as ``upstream  ∂y/∂u = 31.6875``, ``local  ∂x_squared/∂x = 2·x = 3``, ``sent back
31.6875 × 3 = 95.0625`` and, where paths meet, ``sum  ∂z/∂t = 0.41218 + 1.64872 = 2.0609``;
tensors get the inspector's heatmaps (TensorView). The content comes from
``gui.player.explain`` (read from the Trace); this widget only lays it out.
"""
from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QGridLayout, QHBoxLayout, QLabel, QScrollArea, QSizePolicy,
                               QVBoxLayout, QWidget)

from gui import theme
from gui.player.explain import MAX_TENSORS, Explanation
from gui.inspector.tensor_view import TensorView

HINT = ("Press <b>K</b> (or tap <b>Space</b>) on the canvas to play the forward and backward "
        "passes of this graph, <b>Home</b> / <b>End</b> for the first and last step, then "
        "<b>→</b> / <b>←</b> to step. Every number comes from the engine's last pass; any edit "
        "returns to the live view.")
_COLOURS = {"value": theme.VALUE, "grad": theme.GRAD}


class StepCard(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.explanation: Explanation | None = None
        self.caption = QLabel(objectName="heading")
        self.caption.setStyleSheet(f"color: {theme.C.emphasis};")
        self.title = QLabel(wordWrap=True)
        self.title.setFont(theme.mono_font(10))
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.rows = QGridLayout()
        self.rows.setHorizontalSpacing(12)
        self.rows.setVerticalSpacing(3)
        self.rows.setColumnStretch(1, 1)
        self._row_labels: list[tuple[QLabel, QLabel]] = []
        self.tensor_row = QHBoxLayout()
        self.tensor_row.setSpacing(14)
        self.tensors: list[tuple[QLabel, TensorView, QWidget]] = []
        for _ in range(MAX_TENSORS):
            box = QWidget()
            box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            label = QLabel(objectName="muted")
            label.setFont(theme.mono_font(9))
            view = TensorView()
            view.setMinimumWidth(190)
            view.setMaximumWidth(300)
            column.addWidget(label)
            column.addWidget(view)
            column.addStretch(1)
            self.tensor_row.addWidget(box)
            box.hide()
            self.tensors.append((label, view, box))
        self.tensor_row.addStretch(1)

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(6)
        head = QHBoxLayout()
        head.addWidget(self.caption)
        head.addWidget(self.title, 1)
        layout.addLayout(head)
        layout.addLayout(self.rows)
        layout.addLayout(self.tensor_row)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)          # it only frames the card
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.show_hint()

    def show_hint(self) -> None:
        """The live view: how to start the player."""
        self.explanation = None
        self.caption.setText("Step through backprop")
        self.title.setText(HINT)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setFont(theme.ui_font(10))
        self._set_rows(())
        self._set_tensors(())

    def show_explanation(self, explanation: Explanation) -> None:
        self.explanation = explanation
        self.caption.setText(explanation.caption)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setFont(theme.mono_font(10))
        self.title.setText(explanation.title)
        self._set_rows(explanation.lines)
        self._set_tensors(explanation.tensors)

    def _set_rows(self, lines) -> None:
        while len(self._row_labels) < len(lines):
            name = QLabel(objectName="muted")
            name.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            text = QLabel(wordWrap=True)
            text.setFont(theme.mono_font(10))
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            row = len(self._row_labels)
            self.rows.addWidget(name, row, 0)
            self.rows.addWidget(text, row, 1)
            self._row_labels.append((name, text))
        for i, (name, text) in enumerate(self._row_labels):
            visible = i < len(lines)
            name.setVisible(visible)
            text.setVisible(visible)
            if visible:
                line = lines[i]
                name.setText(escape(line.label))
                text.setText(line.text)
                if text.property("kind") != line.kind:     # a style sheet costs: only on change
                    text.setProperty("kind", line.kind)
                    text.setStyleSheet(f"color: {_COLOURS.get(line.kind, theme.TEXT)};")

    def _set_tensors(self, tensors) -> None:
        for i, (label, view, box) in enumerate(self.tensors):
            if i < len(tensors):
                tensor = tensors[i]
                label.setText(tensor.label)
                view.colour = _COLOURS.get(tensor.kind, theme.TEXT)
                view.set_array(tensor.array)
                box.show()
            else:
                box.hide()

    def row(self, label: str) -> str | None:
        """The text of the card's row named ``label`` ("sum", "upstream", …), alone; None
        when the card shows no such row."""
        for name, text in self._row_labels:
            if text.isVisible() and name.text() == escape(label):
                return text.text()
        return None

    def text(self) -> str:
        """What the card says, as plain text (tests)."""
        if self.explanation is None:
            return self.caption.text()
        rows = [f"{n.text()}: {t.text()}" if n.text() else t.text()
                for n, t in self._row_labels if t.isVisible()]
        return "\n".join([self.caption.text(), self.title.text(), *rows])
