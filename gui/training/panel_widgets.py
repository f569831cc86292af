"""Small widgets of the Training panel: the learning-rate box, the grid of plots (which reflows
from a row or two by two to tabs as room shrinks), a label that elides at a word boundary."""
from __future__ import annotations

import math

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (QDoubleSpinBox, QGridLayout, QLabel, QLayout, QTabBar,
                               QVBoxLayout, QWidget)

from gui.theme import look

MIN_PLOT = QSize(200, 140)     # every plot shown: its drawing area, axes included (100 % text)
TAB_PADDING = 20               # px beside each tab's text (TAB_STYLE's padding and more)
ASPECT = 1.6                   # the width : height a plot's cell is chosen nearest to
SHORT_TITLES = {"Gradient norms": "Gradients", "Decision boundary": "Boundary"}
SHORTEST_TITLES = {"Accuracy": "Acc.", "Gradient norms": "Grad.", "Decision boundary": "Bound."}


def min_plot() -> QSize:
    """MIN_PLOT at the text size (axes' labels grow with it)."""
    s = look.text_scale()
    return QSize(round(MIN_PLOT.width() * s), round(MIN_PLOT.height() * s))


FIELD_NAMES = {"n_box": "Rows in the data set", "noise_box": "Noise",
               "data_seed_box": "Data seed", "classes_box": "Spiral arms",
               "test_box": "Test fraction", "lr_box": "Learning rate",
               "batch_box": "Batch size", "steps_box": "Steps per run",
               "seed_box": "Training seed"}


def name_fields(panel) -> None:
    """What a screen reader calls the panel's fields (the labels beside them are short)."""
    for attribute, text in FIELD_NAMES.items():
        getattr(panel, attribute).setAccessibleName(text)


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
    """The plots, arranged for the room they have, each at least ``MIN_PLOT`` (its drawing
    area, axes included) whenever it is shown: all of them when they fit (a row, two by two,
    or a column — the shape whose cells are nearest ``ASPECT``), else two or one at a time
    behind tabs ("Loss · Accuracy" | "Gradients · Boundary", or a tab per plot). Never a
    scroll bar: ``minimumSizeHint`` is one plot's."""

    arranged = Signal(int)      # the width of one cell, after a new arrangement

    def __init__(self, plots, parent=None):
        super().__init__(parent)
        self.plots = plots
        self.tabs = QTabBar()
        self.tabs.setObjectName("plot_tabs")     # its look: the application's style sheet
        self.tabs.setDrawBase(False)
        self.tabs.setExpanding(False)
        self.tabs.setUsesScrollButtons(False)
        self.tabs.setElideMode(Qt.TextElideMode.ElideRight)
        self.tabs.currentChanged.connect(self._page_chosen)
        self.tabs.hide()
        self.grid = QGridLayout()
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(6)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)   # ours, below
        column.addWidget(self.tabs)
        column.addLayout(self.grid, 1)
        self.per_page, self.shape, self.page = 0, (0, 0), 0
        self.arrange(len(plots), (2, (len(plots) + 1) // 2))

    # -- sizes ---------------------------------------------------------------------------------
    def card_minimum(self) -> QSize:
        """The least size of a plot card whose plot gets MIN_PLOT: its title row and read-out
        around it (the largest over the plots)."""
        width = height = 0
        for card in self.plots:
            column = card.layout()
            m = column.contentsMargins()
            rows = (card.header.sizeHint().height(), min_plot().height(),
                    card.readout.fontMetrics().height())      # one line of read-out
            height = max(height, m.top() + m.bottom() + sum(rows)
                         + column.spacing() * (len(rows) - 1))
            width = max(width, m.left() + m.right() + min_plot().width())
        return QSize(width, height)

    def tab_height(self) -> int:
        return self.tabs.sizeHint().height() + self.layout().spacing()

    def minimumSizeHint(self) -> QSize:
        card = self.card_minimum()
        return QSize(card.width(), card.height() + self.tab_height())

    def sizeHint(self) -> QSize:
        card = self.card_minimum()
        return QSize(2 * card.width() + 6, 2 * card.height() + 6)

    def choose(self, width: int, height: int) -> tuple[int, tuple[int, int]]:
        """(plots per page, (columns, rows)) for a grid of ``width`` × ``height``."""
        card, gap, n = self.card_minimum(), self.grid.spacing(), len(self.plots)
        for per_page in dict.fromkeys((n, 2, 1)):
            room = height if per_page == n else height - self.tab_height()
            shapes = [(c, -(-per_page // c)) for c in range(1, per_page + 1)]
            fits = [(c, r) for c, r in shapes
                    if c * card.width() + (c - 1) * gap <= width
                    and r * card.height() + (r - 1) * gap <= room]
            if fits:
                def misfit(shape):
                    c, r = shape
                    cell = ((width - (c - 1) * gap) / c) / max(1, (room - (r - 1) * gap) / r)
                    return abs(math.log(cell / ASPECT))
                return per_page, min(fits, key=misfit)
        return 1, (1, 1)

    # -- arranging -----------------------------------------------------------------------------
    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        per_page, shape = self.choose(self.width(), self.height())
        self.arrange(per_page, shape)
        if self.tabs.count():
            self._label_tabs()
        self.arranged.emit(self.cell_width())

    def cell_width(self) -> int:
        columns = max(1, self.shape[0])
        return (self.width() - (columns - 1) * self.grid.spacing()) // columns

    def pages(self) -> list[list]:
        step = max(1, self.per_page)
        return [self.plots[i:i + step] for i in range(0, len(self.plots), step)]

    @staticmethod
    def page_title(page: list, names: dict) -> str:
        return " · ".join(names.get(card.title, card.title) for card in page)

    def _label_tabs(self) -> None:
        """Tab texts that fit the width: short titles, else the shortest ones."""
        pages = self.pages()
        metrics = self.tabs.fontMetrics()
        for names in (SHORT_TITLES, SHORTEST_TITLES):
            texts = [self.page_title(page, names) for page in pages]
            needed = sum(metrics.horizontalAdvance(t) + TAB_PADDING for t in texts)
            if needed <= self.width():
                break
        for index, text in enumerate(texts):
            self.tabs.setTabText(index, text)

    def arrange(self, per_page: int, shape: tuple[int, int]) -> None:
        if (per_page, shape) == (self.per_page, self.shape):
            return
        first = self.page * max(1, self.per_page)         # the first plot shown stays shown
        self.per_page, self.shape = per_page, shape
        pages = self.pages()
        self.page = min(first // per_page, len(pages) - 1)
        self.tabs.blockSignals(True)
        while self.tabs.count():
            self.tabs.removeTab(0)
        if len(pages) > 1:
            for page in pages:
                self.tabs.addTab(self.page_title(page, {}))
                self.tabs.setTabToolTip(self.tabs.count() - 1, " · ".join(c.title for c in page))
            self.tabs.setCurrentIndex(self.page)
            self._label_tabs()
        self.tabs.blockSignals(False)
        self.tabs.setVisible(len(pages) > 1)
        self._fill()

    def show_card(self, card) -> None:
        """The page that holds ``card`` in front."""
        page = self.plots.index(card) // max(1, self.per_page)
        if self.tabs.count() > page:
            self.tabs.setCurrentIndex(page)       # its signal fills the grid

    def _page_chosen(self, index: int) -> None:
        if 0 <= index < len(self.pages()):
            self.page = index
            self._fill()

    def _fill(self) -> None:
        for plot in self.plots:
            self.grid.removeWidget(plot)
        columns, rows = self.shape
        shown = self.pages()[self.page]
        for k, plot in enumerate(shown):
            self.grid.addWidget(plot, k // columns, k % columns)
        for plot in self.plots:
            plot.setVisible(plot in shown)
        for c in range(len(self.plots)):
            self.grid.setColumnStretch(c, 1 if c < columns else 0)
            self.grid.setRowStretch(c, 1 if c < rows else 0)

    def shown(self) -> list:
        """The plots on screen now."""
        return list(self.pages()[self.page])

    def show_plot(self, card) -> None:
        """Bring ``card``'s page to the front."""
        for index, page in enumerate(self.pages()):
            if card in page and index != self.page:
                self.tabs.setCurrentIndex(index)


class ElidedLabel(QLabel):
    """Up to `lines` lines that never show half a word: text too wide for one line goes on
    the next (broken before "→", else between its parts: split at two spaces, else at a
    space); what still does not fit loses its last parts behind "…", the tooltip holding it
    all. The label keeps the height of `lines` lines (hovering never moves the layout).
    ``text()`` is the whole text."""

    def __init__(self, text: str = "", parent=None, lines: int = 1):
        super().__init__(parent)
        self._full = ""
        self.lines = 1
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.set_lines(lines)
        self.setText(text)

    def set_lines(self, lines: int) -> None:
        """Keep the height of `lines` lines and use them."""
        self.lines = max(1, int(lines))
        self.setMinimumHeight(self.fontMetrics().lineSpacing() * self.lines + 2
                              if self.lines > 1 else 0)
        self._elide()

    def setFont(self, font) -> None:
        super().setFont(font)
        self.set_lines(self.lines)

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
        wrapped = self._wrapped(text, width) if self.lines > 1 else None
        if wrapped is not None:
            QLabel.setText(self, wrapped)
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

    def _wrapped(self, text: str, width: int) -> str | None:
        """`text` on at most ``lines`` lines of `width` (None when it does not fit)."""
        metrics = self.fontMetrics()
        if " → " in text:
            head, tail = text.split(" → ", 1)
            rows = [head, "→ " + tail]
        else:
            sep = "  " if "  " in text else " "
            rows = [""]
            for part in text.split(sep):
                joined = f"{rows[-1]}{sep}{part}" if rows[-1] else part
                if not rows[-1] or metrics.horizontalAdvance(joined) <= width:
                    rows[-1] = joined
                else:
                    rows.append(part)
        if len(rows) <= self.lines and all(metrics.horizontalAdvance(r) <= width for r in rows):
            return "\n".join(rows)
        return None
