"""The heatmap of a TensorView (pyqtgraph, imported when the first tensor is shown).

A pyqtgraph ImageItem with the app's diverging colours (blue negative, dark at 0, orange
positive, gui/theme/heatmap.py) on symmetric limits ±max|x|, so the sign and the pattern of a
gradient read at a glance. A colour bar with its limits sits below; small tensors print their
numbers in the cells; hovering a cell shows its index and full-precision value. Widgets are
built once: a re-run only calls `setImage` and moves a few labels.

The geometry comes from the tensor's shape and the width, every time (``cell_size``,
``content_height``): the image, the colour bar and the caption are stacked at fixed heights
that add up to the widget's own fixed height, so a new shape — or a new selection during
training — never draws one over another and never leaves a gap between them.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QImage, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsRectItem, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from gui import theme
from gui.formatting import fmt_number, shape_text
from gui.theme.heatmap import LUT, as_grid, symmetric_limit

MAX_SIDE = 400        # longer axes are shown strided (every k-th row / column)
MAX_CELL_W = 72       # px: a 2×4 matrix stays a compact block, not a banner
MAX_CELL_H = 26
MAX_HEIGHT = 200
TEXT_CELLS = 64       # at most this many cells print their number
BAR_HEIGHT = 10
SPACING = 4           # px between the image, the colour bar and the caption
MIN_WIDTH = 160       # the width a heatmap is laid out for before it has one of its own


def cell_size(rows: int, cols: int, width: float) -> tuple[float, float]:
    """A cell's width and height for a grid of rows × cols in ``width`` px: as wide as the
    width allows (at most MAX_CELL_W), as tall as MAX_HEIGHT allows (at most MAX_CELL_H)."""
    return min(width / cols, MAX_CELL_W), min(MAX_CELL_H, MAX_HEIGHT / rows)


def image_size(rows: int, cols: int, width: float) -> tuple[int, int]:
    """The image's size in px for a grid of rows × cols in ``width`` px."""
    cell_w, cell_h = cell_size(rows, cols, width)
    return max(int(cols * cell_w), 24), max(int(rows * cell_h), 12)


def colour_bar_pixmap(width: int, height: int = BAR_HEIGHT) -> QPixmap:
    row = np.ascontiguousarray(np.repeat(LUT[np.linspace(0, 255, max(width, 2)).astype(int)]
                                         [None, :, :], height, axis=0))
    image = QImage(row.data, row.shape[1], height, 3 * row.shape[1], QImage.Format.Format_RGB888)
    return QPixmap.fromImage(image.copy())


class Heatmap(QWidget):
    """The tensor part of a TensorView: image, cell numbers, colour bar, hover read-out; a
    click on a cell emits its index (``cell_clicked``), ``mark(index)`` outlines one cell."""

    cell_clicked = Signal(tuple)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.view = pg.GraphicsView(background=theme.BASE)
        self.view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.view.setFrameShape(pg.GraphicsView.Shape.NoFrame)
        self.view.setMouseTracking(True)
        self.view.viewport().setMouseTracking(True)   # hover read-out without a button held
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.box = pg.ViewBox(enableMouse=False, enableMenu=False, invertY=True, defaultPadding=0)
        self.view.setCentralItem(self.box)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(LUT)
        self.box.addItem(self.image)
        self.grid_lines = QGraphicsPathItem()
        pen = QPen(QColor(theme.PANEL))
        pen.setCosmetic(True)
        self.grid_lines.setPen(pen)
        self.box.addItem(self.grid_lines)
        self.labels: list[pg.TextItem] = []
        self.view.scene().sigMouseMoved.connect(self._hover)
        self.view.scene().sigMouseClicked.connect(self._clicked)
        self.marker = QGraphicsRectItem()
        marker_pen = QPen(QColor(theme.C.node_selected), 2.5)
        marker_pen.setCosmetic(True)
        self.marker.setPen(marker_pen)
        self.marker.setZValue(10)
        self.marker.hide()
        self.box.addItem(self.marker)
        self.marked: tuple | None = None

        self.low = QLabel(objectName="muted")
        self.high = QLabel(objectName="muted")
        for label, align in ((self.low, Qt.AlignmentFlag.AlignLeft),
                             (self.high, Qt.AlignmentFlag.AlignRight)):
            label.setFont(theme.mono_font(8.5))
            label.setAlignment(align | Qt.AlignmentFlag.AlignVCenter)
            label.setFixedWidth(QFontMetrics(label.font()).horizontalAdvance("−0.000e-00"))
        self.bar = QLabel()
        self.bar.setFixedHeight(BAR_HEIGHT)
        self.bar.setScaledContents(True)
        self.bar.setPixmap(colour_bar_pixmap(256))
        self.bar.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.bar.setToolTip("Colour scale: blue negative, dark zero, orange positive; "
                            "symmetric about 0")
        scale = QHBoxLayout()
        scale.setContentsMargins(0, 0, 0, 0)
        scale.setSpacing(6)
        scale.addWidget(self.low)
        scale.addWidget(self.bar, 1)
        scale.addWidget(self.high)
        self.readout = QLabel(objectName="muted")
        self.readout.setFont(theme.mono_font(8.5))
        self.readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.readout.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.readout.setFixedHeight(QFontMetrics(self.readout.font()).height())
        self.scale_height = max(BAR_HEIGHT, QFontMetrics(self.low.font()).height())
        for label in (self.low, self.high):
            label.setFixedHeight(self.scale_height)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(SPACING)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.view, 1)
        row.addStretch(0)
        layout.addLayout(row)
        layout.addLayout(scale)
        layout.addWidget(self.readout)
        self.array: np.ndarray | None = None
        self.shown = np.zeros((1, 1))
        self.steps = (1, 1)
        self.limit = 0.0
        self.summary = ""

    # -- data ----------------------------------------------------------------------------------
    def set_array(self, a: np.ndarray) -> None:
        self.array = a
        grid = as_grid(a)
        self.steps = tuple(max(1, -(-n // MAX_SIDE)) for n in grid.shape)
        self.shown = grid[::self.steps[0], ::self.steps[1]]
        with np.errstate(all="ignore"):
            self.limit = symmetric_limit(a)
            display = np.where(np.isfinite(self.shown), self.shown, 0.0)
            low, high = float(np.nanmin(a)), float(np.nanmax(a))
        level = self.limit or 1.0
        self.image.setImage(display, levels=(-level, level), autoLevels=False)
        self.image.setRect(QRectF(0, 0, self.shown.shape[1], self.shown.shape[0]))
        self.box.setRange(xRange=(0, self.shown.shape[1]), yRange=(0, self.shown.shape[0]),
                          padding=0)
        self.low.setText(f"−{fmt_number(self.limit, 3)}" if self.limit else "0")
        self.high.setText(f"+{fmt_number(self.limit, 3)}" if self.limit else "0")
        shape = shape_text(a.shape)
        strided = "" if self.steps == (1, 1) else f", every {max(self.steps)}th shown"
        self.summary = (f"{shape}{strided} · min {fmt_number(low, 4)} · "
                        f"max {fmt_number(high, 4)}")
        self.readout.setText(self.summary)
        self.view.setToolTip("Hover a cell for its value")
        self.relayout()
        self.mark(self.marked)

    def mark(self, index) -> None:
        """Outline the cell of array element `index` (None: no cell); kept across arrays."""
        self.marked = None if index is None else tuple(int(i) for i in index)
        cell = self._cell_of(self.marked)
        if cell is None:
            self.marker.hide()
            return
        r, c = cell
        self.marker.setRect(QRectF(c, r, 1, 1))
        self.marker.show()

    def _cell_of(self, index) -> tuple | None:
        """The shown cell (row, column) of an array index (None: not shown)."""
        a = self.array
        if index is None or a is None or len(index) != max(a.ndim, 1):
            return None
        if not all(0 <= i < n for i, n in zip(index, a.shape or (1,))):
            return None
        flat = int(np.ravel_multi_index(index, a.shape)) if a.ndim else 0
        width = a.shape[-1] if a.ndim >= 1 else 1
        r, c = divmod(flat, width)
        if r % self.steps[0] or c % self.steps[1]:
            return None
        return r // self.steps[0], c // self.steps[1]

    def _clicked(self, event) -> None:
        index = self.index_at(event.scenePos())
        if index is not None:
            self.cell_clicked.emit(index)

    def content_height(self) -> int:
        """The whole widget's height for the tensor shown: image, colour bar, caption."""
        rows, cols = self.shown.shape
        image_h = image_size(rows, cols, self.layout_width())[1]
        return image_h + SPACING + self.scale_height + SPACING + self.readout.height()

    def layout_width(self) -> int:
        return max(self.width(), MIN_WIDTH)

    def relayout(self) -> None:
        """Image size from the shape and the width; numbers in the cells when they fit; the
        widget's height the sum of its parts."""
        if self.array is None:
            return
        rows, cols = self.shown.shape
        cell_w, cell_h = cell_size(rows, cols, self.layout_width())
        width, height = image_size(rows, cols, self.layout_width())
        self.view.setMinimumWidth(min(width, 24))
        self.view.setMaximumWidth(width)
        self.view.setFixedHeight(height)
        self.setFixedHeight(self.content_height())
        self._grid(rows, cols, cell_w, cell_h)
        self._numbers(rows, cols, cell_w, cell_h)

    def _grid(self, rows: int, cols: int, cell_w: float, cell_h: float) -> None:
        path = QPainterPath()
        if min(cell_w, cell_h) >= 8:
            for c in range(1, cols):
                path.moveTo(c, 0)
                path.lineTo(c, rows)
            for r in range(1, rows):
                path.moveTo(0, r)
                path.lineTo(cols, r)
        self.grid_lines.setPath(path)

    def _numbers(self, rows: int, cols: int, cell_w: float, cell_h: float) -> None:
        texts = []
        if rows * cols <= TEXT_CELLS and self.steps == (1, 1) and cell_h >= 15 and cell_w >= 30:
            texts = [fmt_number(x, 3) for x in self.shown.ravel()]
            metrics = QFontMetrics(theme.mono_font(8))
            if max(metrics.horizontalAdvance(t) for t in texts) > cell_w - 4:
                texts = []
        while len(self.labels) < len(texts):
            label = pg.TextItem(anchor=(0.5, 0.5))
            label.setFont(theme.mono_font(8))
            self.box.addItem(label)
            self.labels.append(label)
        limit = self.limit or 1.0
        for i, label in enumerate(self.labels):
            if i >= len(texts):
                label.hide()
                continue
            r, c = divmod(i, cols)
            strong = abs(float(self.shown[r, c])) / limit > 0.6
            label.setColor(QColor(theme.C.strong_cell_text if strong else theme.TEXT))
            label.setText(texts[i])
            label.setPos(c + 0.5, r + 0.5)
            label.show()

    def shown_numbers(self) -> list[str]:
        """The numbers printed in the cells (empty when the cells are too small)."""
        return [label.textItem.toPlainText() for label in self.labels if label.isVisible()]

    # -- hover ---------------------------------------------------------------------------------
    def index_at(self, scene_pos) -> tuple | None:
        """The array index under a scene point, or None outside the image."""
        point = self.box.mapSceneToView(scene_pos)
        r, c = int(np.floor(point.y())), int(np.floor(point.x()))
        rows, cols = self.shown.shape
        if self.array is None or not (0 <= r < rows and 0 <= c < cols):
            return None
        r, c = r * self.steps[0], c * self.steps[1]
        if self.array.ndim <= 1:
            return (c,)
        width = self.array.shape[-1]
        return tuple(int(i) for i in np.unravel_index(r * width + c, self.array.shape))

    def _hover(self, scene_pos) -> None:
        index = self.index_at(scene_pos)
        if index is None:
            self.readout.setText(self.summary)
            return
        value = float(self.array[index])
        self.readout.setText(f"[{', '.join(map(str, index))}] = {value!r}")

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self.relayout()
