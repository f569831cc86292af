"""The model over its input space: a decision-boundary heatmap (2 features) or the fitted
curve (1 feature), with the data points, in the features' own units.

The model is drawn over the plot's whole visible range, at the weights of the newest
snapshot the plots got (the same one as the loss and accuracy curves): the probe's
``Predictor`` evaluates a private copy of the model over a grid of the visible range, again
when the user pans or zooms. Without weights (none yet) the run's own grid over the data's
extent is drawn.

The heatmap is one pyqtgraph ImageItem (RGB, GRID × GRID, set with ``setImage``); each class
has a colour (Okabe–Ito's, lightened or darkened for the theme) and a marker shape of its own,
and a cell's colour is the probability-weighted mix, faded towards the background where the
model is unsure. Training rows are filled markers, held-out rows hollow ones. Hover reads the
prediction under the mouse.
"""
from __future__ import annotations

import textwrap

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, QTimer
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QLabel

from gui import theme
from gui.theme import colors, heatmap
from gui.training.plot_card import PlotCard, fmt, test_colour
from gui.training.probe import CURVE, GRID

STRENGTH = 0.78        # the most confident cell: this far from the background to the colour
NOTE_WIDTH = 20      # characters per line of the note shown when there is nothing to draw
MARKERS = ("o", "s", "t", "d", "star", "h", "t1", "p", "+", "x")   # class k's marker shape
RANGE_DELAY_MS = 40  # a pan or zoom redraws the model over the new range after this pause


def class_colour(k: int) -> np.ndarray:
    """Class k's colour (RGB 0–255) in the active theme."""
    classes = colors.active().classes
    return np.array(colors.rgb(classes[k % len(classes)]), dtype=np.float64)


def class_marker(k: int) -> str:
    """Class k's marker shape (pyqtgraph's symbol names): told apart by more than colour."""
    return MARKERS[k % len(MARKERS)]


def boundary_image(probabilities: np.ndarray, task: str) -> np.ndarray:
    """(GRID, GRID, outputs) predictions → (GRID, GRID, 3) uint8 colours."""
    p = np.asarray(probabilities, dtype=np.float64)
    if task == "regression":
        value = p[..., 0]
        low, high = float(value.min()), float(value.max())
        scale = (value - low) / (high - low) if high > low else np.full_like(value, 0.5)
        return heatmap.LUT[np.clip((scale * 255).round().astype(int), 0, 255)]
    if p.shape[-1] == 1:        # binary: p(class 1)
        p = np.concatenate([1 - p, p], axis=-1)
    p = np.clip(p, 0.0, 1.0)
    k = p.shape[-1]
    mix = p @ np.stack([class_colour(i) for i in range(k)])
    confidence = (p.max(axis=-1, keepdims=True) - 1 / k) / (1 - 1 / k)
    background = np.array(heatmap.COLOURS[1], dtype=np.float64)
    rgb = background + STRENGTH * confidence * (mix - background)
    return np.clip(rgb, 0, 255).astype(np.uint8)


class BoundaryPlot(PlotCard):
    title = "Decision boundary"

    def __init__(self, parent=None):
        super().__init__(parent)
        item = self.plot.getPlotItem()
        self.plot.setAntialiasing(True)
        self.plot.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)   # no blocky cells
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setZValue(-10)
        item.addItem(self.image)
        self.train_dots = pg.ScatterPlotItem(size=7)
        self.test_dots = pg.ScatterPlotItem(size=8, brush=pg.mkBrush(None))
        self.fit_curves: list[pg.PlotDataItem] = []
        item.addItem(self.train_dots)
        item.addItem(self.test_dots)
        self.note = pg.TextItem("", anchor=(0.5, 0.5))
        item.addItem(self.note, ignoreBounds=True)
        self.probe = None
        self.prediction = None       # the run's grid over the probe's extent (a fallback)
        self.values = None           # the weights of the newest snapshot
        self.drawn = None            # (extent, prediction) as drawn: the hover reads it
        self.heading = self.findChild(QLabel, "plotTitle")
        self._range_timer = QTimer(self)
        self._range_timer.setSingleShot(True)
        self._range_timer.setInterval(RANGE_DELAY_MS)
        self._range_timer.timeout.connect(self._redraw_range)
        item.getViewBox().sigRangeChanged.connect(self._range_changed)
        self.restyle_curves()

    def restyle_curves(self) -> None:
        """A change of theme: the dots, the fitted curves and the picture in the new colours
        (the view's range and the weights drawn are kept)."""
        self.note.setColor(theme.MUTED)
        self.note.setFont(theme.ui_font(9))
        probe = self.probe
        if probe is None or not probe.kind:
            return
        if probe.kind == "boundary":
            self._dots(self.train_dots, probe.train, filled=True)
            self._dots(self.test_dots, probe.test, filled=False)
        else:
            item = self.plot.getPlotItem()
            for curve in self.fit_curves:
                item.removeItem(curve)
            self.fit_curves = []
            x_range, y_range = item.getViewBox().viewRange()
            self._curve_points(probe)
            item.setRange(xRange=x_range, yRange=y_range, padding=0)
        self.dirty = self.dirty or self.drawn is not None   # the picture in the new colours

    # ------------------------------------------------------------ a new Trainer
    def set_probe(self, probe) -> None:
        """What to draw (gui/training/probe.py); None: nothing yet."""
        self.probe, self.prediction, self.values, self.drawn = probe, None, None, None
        item = self.plot.getPlotItem()
        for curve in self.fit_curves:
            item.removeItem(curve)
        self.fit_curves = []
        self.image.clear()
        self.image.setVisible(False)
        self.train_dots.clear()
        self.test_dots.clear()
        kind = probe.kind if probe is not None else None
        if self.heading is not None:
            self.heading.setText("Fitted curve" if kind == "curve" and probe.task == "regression"
                                 else "Decision boundary")
        if kind is None:
            reason = probe.reason if probe is not None else "Train to see the model"
            self.note.setText(textwrap.fill(reason, NOTE_WIDTH))   # fits a narrow card
            self.note.setPos(0.5, 0.5)
            item.setLabel("bottom", "")
            item.setLabel("left", "")
            item.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
            self.readout.setText(" ")
            return
        self.note.setText("")
        names = probe.feature_names
        item.setLabel("bottom", names[0] if names else "x")
        if kind == "boundary":
            item.setLabel("left", names[1] if len(names) > 1 else "")
            x0, x1, y0, y1 = probe.extent
            # the plane in true proportion (a circle stays round) unless the two features'
            # ranges differ so much that one would be squashed to a line
            ratio = (x1 - x0) / (y1 - y0) if y1 > y0 else 0.0
            item.getViewBox().setAspectLocked(1 / 3 <= ratio <= 3, 1.0)
            item.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
            self._dots(self.train_dots, probe.train, filled=True)
            self._dots(self.test_dots, probe.test, filled=False)
        else:
            item.getViewBox().setAspectLocked(False)
            self._curve_points(probe)
        self.dirty = True

    def _dots(self, dots, points, filled: bool) -> None:
        if points is None:
            return
        x, y = points.x[:, 0], points.x[:, 1]
        if self.probe.task == "regression":
            value = points.y
            low, high = float(value.min()), float(value.max())
            scale = (value - low) / (high - low) if high > low else np.full(len(value), 0.5)
            colours = [QColor(*heatmap.LUT[int(round(s * 255))]) for s in scale]
            symbols = ["o"] * len(colours)
        else:
            colours = [QColor(*class_colour(int(c)).astype(int)) for c in points.y]
            symbols = [class_marker(int(c)) for c in points.y]
        if filled:    # a rim of the plot's background keeps touching markers apart
            dots.setData(x, y, brush=[pg.mkBrush(c) for c in colours], symbol=symbols,
                         pen=pg.mkPen(theme.BASE, width=1))
        else:
            dots.setData(x, y, pen=[pg.mkPen(c, width=1.6) for c in colours],
                         brush=pg.mkBrush(None), symbol=symbols)

    def _curve_points(self, probe) -> None:
        item = self.plot.getPlotItem()
        regression = probe.task == "regression"
        item.setLabel("left", probe.labels[0] if regression and probe.labels else
                      ("p(class)" if not regression else "y"))
        for points, dots, filled in ((probe.train, self.train_dots, True),
                                     (probe.test, self.test_dots, False)):
            if points is None:
                continue
            if regression:
                colour = QColor(theme.VALUE) if filled else QColor(test_colour())
                if filled:
                    dots.setData(points.x[:, 0], points.y, brush=pg.mkBrush(colour), size=5,
                                 pen=pg.mkPen(None))
                else:
                    dots.setData(points.x[:, 0], points.y, pen=pg.mkPen(colour, width=1.4),
                                 size=6)
            else:
                self._class_strip(dots, points, filled)
        outputs = 1 if regression else max(2, len(probe.labels))
        shown = [0] if regression or outputs == 2 else range(outputs)
        for k in shown:
            colour = theme.C.plot_fit if regression else \
                QColor(*class_colour(1 if outputs == 2 else k).astype(int))
            self.fit_curves.append(item.plot(pen=pg.mkPen(colour, width=2.5)))
        x0, x1 = probe.extent
        item.enableAutoRange(axis="y")
        item.setXRange(x0, x1, padding=0)

    def _class_strip(self, dots, points, filled) -> None:
        colours = [QColor(*class_colour(int(c)).astype(int)) for c in points.y]
        symbols = [class_marker(int(c)) for c in points.y]
        y = (points.y > 0).astype(float) if len(self.probe.labels) <= 2 else points.y * 0 + 0.5
        if filled:
            dots.setData(points.x[:, 0], y, brush=[pg.mkBrush(c) for c in colours],
                         symbol=symbols, pen=pg.mkPen(theme.BASE, width=1))
        else:
            dots.setData(points.x[:, 0], y, pen=[pg.mkPen(c) for c in colours], symbol=symbols)

    # ------------------------------------------------------------ live
    def add(self, snap) -> None:
        if self.probe is None or not self.probe.kind:
            return
        if snap.values:
            self.values = snap.values
            self.dirty = True
        if snap.prediction is not None:
            self.prediction = snap.prediction
            self.dirty = True

    def clear(self) -> None:
        self.prediction = self.values = self.drawn = None
        super().clear()

    def _range_changed(self, *_args) -> None:
        if self.values is not None and not self._drawing:
            self._range_timer.start()

    def _redraw_range(self) -> None:
        self.dirty = True
        self.render()

    _drawing = False

    def visible_range(self) -> tuple:
        (x0, x1), (y0, y1) = self.plot.getPlotItem().getViewBox().viewRange()
        return x0, x1, y0, y1

    def reset_range(self) -> None:
        """The range follows the data's plane (``set_probe``), not the last run."""

    def draw(self) -> None:
        probe = self.probe
        if probe is None or probe.kind is None:
            return
        self._drawing = True
        try:
            drawn = self._over_visible_range() or self._over_extent()
            if drawn is None:
                return
            self.drawn = drawn
            extent, prediction = drawn
            if probe.kind == "boundary":
                self.image.setImage(boundary_image(prediction, probe.task), autoLevels=False,
                                    levels=(0, 255))
                x0, x1, y0, y1 = extent        # the cells tile the extent exactly
                self.image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
                self.image.setVisible(True)
                return
            axis = cell_centres(extent[0], extent[1], len(prediction))
            for k, curve in enumerate(self.fit_curves):
                curve.setData(axis, prediction[:, min(k, prediction.shape[1] - 1)])
        finally:
            self._drawing = False

    def _over_visible_range(self):
        """(visible extent, prediction over it) at the newest weights, or None."""
        probe, values = self.probe, self.values
        predictor = getattr(probe, "predictor", None)
        if values is None or predictor is None:
            return None
        x0, x1, y0, y1 = self.visible_range()
        if not (x1 > x0 and y1 > y0):
            return None
        xs = cell_centres(x0, x1, GRID if probe.kind == "boundary" else CURVE)
        if probe.kind == "boundary":
            ys = cell_centres(y0, y1, GRID)
            gx, gy = np.meshgrid(xs, ys)         # row r = y index, column c = x index
            out = predictor(values, np.column_stack([gx.ravel(), gy.ravel()]))
            return None if out is None else ((x0, x1, y0, y1), out.reshape(GRID, GRID, -1))
        out = predictor(values, xs[:, None])
        return None if out is None else ((x0, x1), out)

    def _over_extent(self):
        """The run's own grid over the data's extent (no weights to evaluate here)."""
        prediction, probe = self.prediction, self.probe
        if prediction is None:
            return None
        if probe.kind == "boundary":
            x0, x1, y0, y1 = probe.extent       # its points are the cells' centres
            grid = prediction.shape[0]
            dx, dy = (x1 - x0) / (grid - 1), (y1 - y0) / (grid - 1)
            return (x0 - dx / 2, x1 + dx / 2, y0 - dy / 2, y1 + dy / 2), prediction
        x0, x1 = probe.extent
        step = (x1 - x0) / (len(prediction) - 1)
        return (x0 - step / 2, x1 + step / 2), prediction

    def latest_text(self) -> str:
        probe = self.probe
        if probe is None or probe.kind is None or self.drawn is None:
            return " "
        if probe.kind == "boundary":
            return "hover for the prediction"
        return "hover to read the fitted value"

    def readout_at(self, x: float, y: float) -> str | None:
        probe = self.probe
        if probe is None or probe.kind is None or self.drawn is None:
            return None
        extent, prediction = self.drawn
        names = probe.feature_names or ("x1", "x2")
        if probe.kind == "curve":
            i = cell_of(x, extent[0], extent[1], len(prediction))
            at = cell_centres(extent[0], extent[1], len(prediction))[i]
            self.show_marker(at)
            return f"{names[0]} {fmt(at, 4)} → {self._describe(prediction[i])}"
        x0, x1, y0, y1 = extent
        col = cell_of(x, x0, x1, prediction.shape[1])
        row = cell_of(y, y0, y1, prediction.shape[0])
        return (f"{names[0]} {fmt(x, 4)}, {names[1] if len(names) > 1 else 'x2'} {fmt(y, 4)} → "
                f"{self._describe(prediction[row, col])}")

    def _describe(self, out: np.ndarray) -> str:
        probe = self.probe
        labels = probe.labels
        if probe.task == "regression":
            return f"{labels[0] if labels else 'y'} = {fmt(float(out[0]), 5)}"
        if out.shape[-1] == 1:
            p = float(out[0])
            k = 1 if p >= 0.5 else 0
            name = labels[k] if len(labels) > k else str(k)
            return f"{name} (p = {p if k else 1 - p:.3f})"
        k = int(np.argmax(out))
        name = labels[k] if len(labels) > k else f"class {k}"
        return f"{name} (p = {float(out[k]):.3f})"


def cell_centres(low: float, high: float, n: int) -> np.ndarray:
    """The centres of `n` equal cells tiling [low, high]."""
    return low + (np.arange(n) + 0.5) * ((high - low) / n)


def cell_of(value: float, low: float, high: float, n: int) -> int:
    """The cell of `n` tiling [low, high] that holds `value` (clipped to the ends)."""
    return int(np.clip(np.floor((value - low) / (high - low) * n), 0, n - 1))
