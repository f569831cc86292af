"""The step card: what the player's current step computes, in words, formulas and numbers.

A docked panel (it never covers the canvas): the caption and the step's one line, then rows
such as ``upstream  ∂y/∂u = 31.6875``, ``local  ∂x_squared/∂x = 2·x = 3``, ``sent back
31.6875 × 3 = 95.0625`` and, where paths meet, ``sum  ∂z/∂t = 0.41218 + 1.64872 = 2.0609``;
tensors get the inspector's heatmaps (TensorView). The content comes from
``gui.player.explain`` (read from the Trace); this widget only lays it out.

The card fits the room the Player panel gives it, so a step reads without scrolling: many
short rows flow into two columns; the heatmaps sit below the rows, beside them, or — when
neither fits — as small pictures (their numbers in the tooltip). It scrolls only when even
that does not fit.
"""
from __future__ import annotations

from html import escape

import numpy as np
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (QApplication, QBoxLayout, QGridLayout, QHBoxLayout, QLabel, QScrollArea,
                               QSizePolicy, QVBoxLayout, QWidget)

from gui import theme
from gui.canvas.thumbnail import heatmap_pixmap
from gui.formatting import describe, norm_text, shape_text
from gui.player.explain import MAX_TENSORS, Explanation
from gui.player.predict_card import PredictBox
from gui.inspector.tensor_view import TensorView

HINT = ("Press <b>K</b> (or tap <b>Space</b>) on the canvas to play the forward and backward "
        "passes of this graph, <b>Home</b> / <b>End</b> for the first and last step, then "
        "<b>→</b> / <b>←</b> to step. Every number comes from the engine's last pass; any edit "
        "returns to the live view.")
_COLOURS = {"value": theme.VALUE, "grad": theme.GRAD}
# where the heatmaps go (``layout_mode``): big below or beside the rows, small below or beside
BELOW, BESIDE, SMALL, SMALL_BESIDE = "below", "beside", "small", "small beside"
LAST_MODE = SMALL_BESIDE
SMALL_SIDE = 56          # px: the longer side of a small heatmap picture
TWO_COLUMNS_FROM = 5     # rows from which short rows flow into two columns
SETTLE_ROUNDS = 3


class StepCard(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.explanation: Explanation | None = None
        self.layout_mode = BELOW
        self._fitting = False
        self._tensor_count = 0
        self._check = QTimer(self, singleShot=True, interval=0)
        self._check.timeout.connect(self._recheck)
        self.columns = 1
        self.caption = QLabel(objectName="heading")
        self.caption.setStyleSheet(f"color: {theme.C.emphasis};")
        self.title = QLabel(wordWrap=True)
        self.title.setFont(theme.mono_font(10))
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.rows = QGridLayout()
        self.rows.setHorizontalSpacing(12)
        self.rows.setVerticalSpacing(2)
        self._row_labels: list[tuple[QLabel, QLabel]] = []
        self.tensor_row = QHBoxLayout()
        self.tensor_row.setSpacing(14)
        self.tensors: list[tuple[QLabel, TensorView, QWidget]] = []
        self.small: list[tuple[QLabel, QLabel, QWidget]] = []
        for _ in range(MAX_TENSORS):
            self.tensors.append(self._tensor_box())
            self.small.append(self._small_box())
        self.tensor_row.addStretch(1)
        tensor_area = QWidget()
        tensor_area.setLayout(self.tensor_row)
        self.tensor_row.setContentsMargins(0, 0, 0, 0)
        self.tensor_area = tensor_area

        self.body = QWidget()
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(12, 4, 12, 4)
        layout.setSpacing(4)
        head = QHBoxLayout()
        head.addWidget(self.caption)
        head.addWidget(self.title, 1)
        layout.addLayout(head)
        self.predict_box = PredictBox()           # predict mode: the question, the verdict
        layout.addWidget(self.predict_box)
        self.content = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.content.setSpacing(8)
        self.content.addLayout(self.rows, 1)
        self.content.addWidget(tensor_area)
        layout.addLayout(self.content)
        layout.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)     # it only frames the card
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(self.body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll)
        self.show_hint()

    def _tensor_box(self):
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
        return label, view, box

    def _small_box(self):
        """A heatmap as a small picture (no cell numbers: the tooltip has the range)."""
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        label = QLabel(objectName="muted")
        label.setFont(theme.mono_font(9))
        picture = QLabel()
        picture.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        column.addWidget(label)
        column.addWidget(picture)
        column.addStretch(1)
        self.tensor_row.addWidget(box)
        box.hide()
        return label, picture, box

    def show_hint(self) -> None:
        """The live view: how to start the player."""
        self.explanation = None
        self.caption.setText("Step through backprop")
        self.title.setText(HINT)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setFont(theme.ui_font(10))
        self._set_rows(())
        self._set_tensors(())
        self.fit()

    def show_explanation(self, explanation: Explanation) -> None:
        self.explanation = explanation
        self.caption.setText(explanation.caption)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setFont(theme.mono_font(10))
        self.title.setText(explanation.title)
        self._set_rows(explanation.lines)
        self._set_tensors(explanation.tensors)
        self.fit()

    def _set_rows(self, lines) -> None:
        while len(self._row_labels) < len(lines):      # children of the body at once: a
            name = QLabel(self.body, objectName="muted")  # label without a parent is a window
            name.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            text = QLabel(self.body, wordWrap=True)
            text.setFont(theme.mono_font(10))
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
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

    def _place_rows(self, width: int) -> None:
        """Put the shown rows in the grid, reading across: with many rows, short ones two to
        a line (label, text, label, text) and a long one across the whole card."""
        shown = [pair for pair in self._row_labels if not pair[1].isHidden()]
        for name, text in self._row_labels:
            self.rows.removeWidget(name)
            self.rows.removeWidget(text)
        short = self._short(shown, width) if len(shown) >= TWO_COLUMNS_FROM else set()
        row, pair = 0, 0
        for i, (name, text) in enumerate(shown):
            if i in short:
                self.rows.addWidget(name, row, 2 * pair)
                self.rows.addWidget(text, row, 2 * pair + 1)
                row, pair = (row, 1) if pair == 0 else (row + 1, 0)
                continue
            row, pair = (row + 1, 0) if pair else (row, 0)
            self.rows.addWidget(name, row, 0)
            self.rows.addWidget(text, row, 1, 1, 3)
            row += 1
        for column in range(4):
            self.rows.setColumnStretch(column, column % 2)
        for r in range(self.rows.rowCount()):        # extra height (heatmaps beside) goes
            self.rows.setRowStretch(r, 0)            # below the rows, not between them
        self.rows.setRowStretch(row + (pair > 0), 1)
        self.columns = 2 if short else 1

    @staticmethod
    def _short(shown, width: int) -> set:
        """The rows that fit half the card (label and text on one line)."""
        metrics = QFontMetrics(theme.mono_font(10))
        label = max(QFontMetrics(n.font()).horizontalAdvance(n.text()) for n, _ in shown)
        room = width / 2 - label - 60
        return {i for i, (_, t) in enumerate(shown) if metrics.horizontalAdvance(t.text()) <= room}

    def _set_tensors(self, tensors) -> None:
        for i, (label, view, box) in enumerate(self.tensors):
            small_label, picture, small_box = self.small[i]
            if i < len(tensors):
                tensor = tensors[i]
                colour = _COLOURS.get(tensor.kind, theme.TEXT)
                label.setText(tensor.label)
                view.colour = colour
                view.set_array(tensor.array)
                small_label.setText(tensor.label)
                pixmap = heatmap_pixmap(tensor.array, SMALL_SIDE)
                picture.setPixmap(pixmap)
                picture.setFixedSize(pixmap.width() + 2, pixmap.height() + 2)   # hug it
                picture.setStyleSheet(f"border: 1px solid {colour};")
                a = np.asarray(tensor.array)
                picture.setToolTip(f"{tensor.label}: {shape_text(a.shape)}, "
                                   f"{describe(a, digits=4)}, {norm_text(a, 4)} (widen the "
                                   "Player panel for the numbers)")
            box.setVisible(i < len(tensors))
            small_box.setVisible(False)
        self.tensor_area.setVisible(bool(tensors))
        self._tensor_count = len(tensors)

    # ------------------------------------------------------------ fitting the room
    def fit(self, after: str | None = None) -> None:
        """Lay the card out to fit the panel without scrolling where it can: rows in two
        columns when there are many short ones; heatmaps below the rows, else beside them,
        else as small pictures."""
        if self._fitting:
            return
        self._fitting = True
        bar = self.scroll.verticalScrollBar()
        self.scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        try:                         # measured without a scroll bar: the width stays put
            width, room = self._room()
            self._place_rows(width)
            count = self._tensor_count
            modes = (BELOW, BESIDE, SMALL, SMALL_BESIDE) if count else (BELOW,)
            if after in modes:                # the layouts before it were tried: too tall
                modes = modes[modes.index(after) + 1:]
            for mode in modes:
                self._set_mode(mode, count)
                if self._needed(width) <= room:
                    break
        finally:
            self.scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
            bar.setValue(0)
            self._fitting = False
        self._check.start()          # once everything is laid out: still fits?

    def _recheck(self) -> None:
        """After the event loop has laid the card out for real: a layout that turned out
        too tall gives way to the next one."""
        if not self.fits() and self.layout_mode != LAST_MODE and self._tensor_count:
            self.fit(after=self.layout_mode)

    def _room(self) -> tuple[int, int]:
        """(width, height) the body has with no scroll bar."""
        frame = 2 * self.scroll.frameWidth()
        return self.scroll.width() - frame, self.scroll.height() - frame

    def _set_mode(self, mode: str, count: int) -> None:
        self.layout_mode = mode
        self.content.setDirection(QBoxLayout.Direction.LeftToRight
                                  if mode in (BESIDE, SMALL_BESIDE)
                                  else QBoxLayout.Direction.TopToBottom)
        small = mode in (SMALL, SMALL_BESIDE)
        for i in range(MAX_TENSORS):
            self.tensors[i][2].setVisible(i < count and not small)
            self.small[i][2].setVisible(i < count and small)

    def _needed(self, width: int) -> int:
        """The body's height at ``width`` with the current layout. A change deep inside (a
        heatmap's new height) reaches the body one layout request per level: they are
        delivered from the innermost widget out, then the body is laid out at that width
        until its height holds."""
        needed = None
        for _ in range(SETTLE_ROUNDS):
            for widget in self._settle_order():
                QApplication.sendPostedEvents(widget, QEvent.Type.LayoutRequest)
            layout = self.body.layout()
            layout.activate()
            before, needed = needed, (layout.totalHeightForWidth(width)
                                      if layout.hasHeightForWidth()
                                      else layout.totalSizeHint().height())
            if needed == before:
                break
            self.body.resize(width, max(needed, self._room()[1]))
        return needed

    def _settle_order(self) -> list:
        """The shown heatmap boxes' widgets, innermost first, then the card's own."""
        inner = []
        for box in (b for _l, _v, b in self.tensors + self.small if not b.isHidden()):
            inner += [*reversed(box.findChildren(QWidget)), box]
        return [*inner, self.tensor_area, self.body]

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit()

    # ------------------------------------------------------------ reading (tests)
    def row(self, label: str) -> str | None:
        """The text of the card's row named ``label`` ("sum", "upstream", …), alone; None
        when the card shows no such row."""
        for name, text in self._row_labels:
            if not text.isHidden() and name.text() == escape(label):
                return text.text()
        return None

    def text(self) -> str:
        """What the card says, as plain text (tests)."""
        if self.explanation is None:
            return self.caption.text()
        rows = [f"{n.text()}: {t.text()}" if n.text() else t.text()
                for n, t in self._row_labels if not t.isHidden()]
        return "\n".join([self.caption.text(), self.title.text(), self.predict_box.text(),
                          *rows])

    def fits(self) -> bool:
        """Everything on the card is in view (no scrolling needed)."""
        width, room = self._room()
        return self._needed(width) <= room
