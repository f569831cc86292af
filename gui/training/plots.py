"""Live training plots (pyqtgraph): loss, accuracy, gradient norms.

Each plot is a ``PlotCard`` (gui/training/plot_card.py): a title row (with its own
controls), a pyqtgraph PlotWidget and a read-out line under it. Data arrive as Snapshots (``add``, cheap: appended to ``Series``);
``render()`` — called by the panel's timer, at most ~20 times a second — hands the arrays to
``curve.setData``. Hovering a plot shows the exact numbers of the nearest step in the
read-out (and a vertical marker); otherwise the read-out shows the newest numbers.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QLabel, QSlider

from gui import theme
from gui.training.plot_card import (PlotCard, cheap_curve, fmt, grey_curve, legend_entry,
                                    log10_safe, series_pen, split_at, test_colour,
                                    train_colour, upto)
from gui.training.series import Series, Smoothed

GRADIENT_SMOOTHING = 0.95          # per-step norms are noisy: drawn smoothed, read raw


class LossPlot(PlotCard):
    """Batch loss per step (raw faint, smoothed bright) and the test loss at each snapshot."""

    title = "Loss"
    log_axis = True

    def __init__(self, parent=None):
        super().__init__(parent)
        self.log_box = QCheckBox("log y")
        self.log_box.setToolTip("Logarithmic loss axis")
        self.log_box.setChecked(True)
        self.smooth = QSlider(Qt.Orientation.Horizontal)
        self.smooth.setRange(0, 99)
        self.smooth.setValue(90)
        self.smooth.setMinimumWidth(28)       # shrinks first when the panel is narrow
        self.smooth.setMaximumWidth(70)
        self.smooth.setToolTip("Smoothing of the batch loss (exponential moving average)")
        self.smooth.setAccessibleName("Loss smoothing")
        self.smooth_label = QLabel()
        self.smooth_label.setObjectName("muted")
        self.header.addWidget(self.log_box)
        self.smooth_word = QLabel("smooth", objectName="muted")
        self.header.addWidget(self.smooth_word)
        self.header.addWidget(self.smooth)
        self.header.addWidget(self.smooth_label)
        self.batch = Series()
        self.test = Series()
        self.full = Series()          # the loss over all training rows at each snapshot
        self.smoothed = Smoothed(self.batch, self.smooth.value() / 100)
        item = self.plot.getPlotItem()
        item.setLabel("bottom", "step")
        self.add_legend((-4, 4))
        self.raw_curve = item.plot()
        self.train_curve = item.plot(name="train (batch)")
        self.test_curve = item.plot()
        self.restyle_curves()
        for curve in (self.raw_curve, self.train_curve, self.test_curve):
            cheap_curve(curve)
        self.train_grey, self.test_grey = grey_curve(item), grey_curve(item)
        self.log_box.toggled.connect(self._set_log)
        self.smooth.valueChanged.connect(self._set_smoothing)
        self._set_log(True)
        self._set_smoothing(self.smooth.value())

    def restyle_curves(self) -> None:
        faint = QColor(train_colour())
        faint.setAlpha(55)
        self.raw_curve.setPen(pg.mkPen(faint, width=1))
        self.train_curve.setPen(series_pen(train_colour(), 0, 2))
        self.test_curve.setPen(series_pen(test_colour(), 1, 2))     # dashed: not by colour alone

    def _set_log(self, on: bool) -> None:
        self.plot.getPlotItem().getAxis("left").log = on
        self.dirty = True
        self.render()
        self.plot.getPlotItem().enableAutoRange(axis="y")

    def _set_smoothing(self, value: int) -> None:
        self.smoothed.set_weight(min(value, 99) / 100)
        self.smooth_label.setText(f"{value / 100:.2f}")
        self.dirty = True
        self.render()

    def clear(self) -> None:
        for series in (self.batch, self.test, self.full):
            series.clear()
        self.smoothed.update()
        super().clear()

    def add(self, snap) -> None:
        if len(snap.losses):
            self.batch.extend(np.arange(snap.first, snap.first + len(snap.losses)) + self.offset,
                              snap.losses)
            self.dirty = True
        for step, metrics in snap.all_metrics():
            if metrics.get("loss") is not None:
                self.full.append(step + self.offset, metrics["loss"])
                self.dirty = True
            if metrics.get("test_loss") is not None:
                self.test.append(step + self.offset, metrics["test_loss"])
                self.dirty = True

    offset = 0

    def draw(self) -> None:
        log = self.log_box.isChecked()
        show = log10_safe if log else (lambda y: y)
        smooth = self.smoothed.update()
        if self.smoothed.weight > 0:
            n = upto(self.batch.x, self.shown)
            self.raw_curve.setData(self.batch.x[:n], show(self.batch.y[:n]))
        else:
            self.raw_curve.setData([], [])
        for (x, y), curve, grey in (((smooth.x, smooth.y), self.train_curve, self.train_grey),
                                    ((self.test.x, self.test.y), self.test_curve,
                                     self.test_grey)):
            cx, cy, gx, gy = split_at(x, show(y), self.shown)
            curve.setData(cx, cy)
            grey.setData(gx, gy)
        legend_entry(self.legend, self.test_curve, "test", len(self.test) > 0)

    def latest_text(self) -> str:
        """The numbers of the shown step (the newest, or where an undo went back to)."""
        batch, full, test = (upto(s.x, self.shown) for s in (self.batch, self.full, self.test))
        if not batch and not full:
            return " "
        parts = []
        if batch:
            parts.append(f"step {int(self.batch.x[batch - 1])}")
        if full:
            parts.append(f"train {fmt(self.full.y[full - 1])}")
        if test:
            parts.append(f"test {fmt(self.test.y[test - 1])}")
        return "  ".join(parts)

    def readout_at(self, x: float, y: float) -> str | None:
        i = self.batch.nearest(x)
        if i is None:
            return None
        step = self.batch.x[i]
        self.show_marker(step)
        smooth = self.smoothed.values
        parts = [f"step {int(step)}", f"batch {fmt(self.batch.y[i])}"]
        if self.smoothed.weight > 0 and i < len(smooth):
            parts.append(f"smoothed {fmt(smooth.y[i])}")
        j = self.test.nearest(step)
        if j is not None:
            parts.append(f"test {fmt(self.test.y[j])} (step {int(self.test.x[j])})")
        if self.undone(step):
            parts.append("(undone)")
        return "  ".join(parts)


class AccuracyPlot(PlotCard):
    """Accuracy on the training rows and the held-out rows, in percent."""

    title = "Accuracy"
    offset = 0
    empty_y = (0.0, 100.0)
    auto_y = False

    def __init__(self, parent=None):
        super().__init__(parent)
        self.train = Series()
        self.test = Series()
        item = self.plot.getPlotItem()
        item.setLabel("bottom", "step")
        item.setYRange(0, 100, padding=0.02)
        item.getViewBox().setLimits(yMin=-5, yMax=105)
        self.add_legend((-4, -4))
        self.train_curve = cheap_curve(item.plot(name="train"))
        self.test_curve = cheap_curve(item.plot())
        self.train_grey, self.test_grey = grey_curve(item), grey_curve(item)
        self.note = pg.TextItem("", anchor=(0.5, 0.5))
        item.addItem(self.note, ignoreBounds=True)
        self.restyle_curves()
        self.set_available(True)

    def restyle_curves(self) -> None:
        self.train_curve.setPen(series_pen(train_colour(), 0, 2))
        self.test_curve.setPen(series_pen(test_colour(), 1, 2))
        self.note.setColor(theme.MUTED)
        self.note.setFont(theme.ui_font(9))

    def set_available(self, available: bool, why: str = "") -> None:
        self.available = available
        self.note.setText("" if available else why)
        self.note.setPos(0.5, 50)

    def clear(self) -> None:
        self.train.clear()
        self.test.clear()
        super().clear()

    def add(self, snap) -> None:
        for step, metrics in snap.all_metrics():
            for key, series in (("accuracy", self.train), ("test_accuracy", self.test)):
                if metrics.get(key) is not None:
                    series.append(step + self.offset, 100 * metrics[key])
                    self.dirty = True

    def draw(self) -> None:
        for series, curve, grey in ((self.train, self.train_curve, self.train_grey),
                                    (self.test, self.test_curve, self.test_grey)):
            cx, cy, gx, gy = split_at(series.x, series.y, self.shown)
            curve.setData(cx, cy)
            grey.setData(gx, gy)
        legend_entry(self.legend, self.test_curve, "test", len(self.test) > 0)

    def latest_text(self) -> str:
        n, m = upto(self.train.x, self.shown), upto(self.test.x, self.shown)
        if not n:
            return " "
        text = f"step {int(self.train.x[n - 1])}  train {self.train.y[n - 1]:.1f}%"
        if m:
            text += f"  test {self.test.y[m - 1]:.1f}%"
        return text

    def readout_at(self, x: float, y: float) -> str | None:
        i = self.train.nearest(x)
        if i is None:
            return None
        step = self.train.x[i]
        self.show_marker(step)
        text = f"step {int(step)}  train {self.train.y[i]:.2f}%"
        j = self.test.nearest(step)
        if j is not None:
            text += f"  test {self.test.y[j]:.2f}%"
        return text + ("  (undone)" if self.undone(step) else "")


class GradientPlot(PlotCard):
    """The L2 norm of each parameter's gradient over time (log scale): vanishing and
    exploding gradients show at a glance."""

    title = "Gradient norms"
    offset = 0
    log_axis = True

    def __init__(self, parent=None):
        super().__init__(parent)
        self.greys: dict[str, pg.PlotDataItem] = {}
        self.series: dict[str, Series] = {}
        self.smoothed: dict[str, Smoothed] = {}
        self.curves: dict[str, pg.PlotDataItem] = {}
        item = self.plot.getPlotItem()
        item.setLabel("bottom", "step")
        self.add_legend((-4, 4), columns=2)

    def set_parameters(self, names) -> None:
        """One curve per parameter (a new Trainer)."""
        names = list(names)
        if names == list(self.series):
            return
        item = self.plot.getPlotItem()
        for curve in self.curves.values():
            item.removeItem(curve)
            self.legend.removeItem(curve)
        for curve in getattr(self, "greys", {}).values():
            item.removeItem(curve)
        self.series = {n: Series() for n in names}
        self.smoothed = {n: Smoothed(series, GRADIENT_SMOOTHING)
                         for n, series in self.series.items()}
        self.curves = {}
        for name in names:
            self.curves[name] = cheap_curve(item.plot(name=name))
        self.greys = {name: grey_curve(item) for name in names}
        self.restyle_curves()
        self.dirty = True

    def restyle_curves(self) -> None:
        """Each parameter's line: a colour of its own and a dash pattern of its own."""
        pens = theme.C.plot_pens
        for k, curve in enumerate(self.curves.values()):
            curve.setPen(series_pen(pens[k % len(pens)], k, 1.8))

    def clear(self) -> None:
        for series in self.series.values():
            series.clear()
        super().clear()

    def add(self, snap) -> None:
        norms = snap.norms            # {parameter: norms of the steps first..step}
        if not norms:
            return
        for name, values in norms.items():
            series = self.series.get(name)
            values = np.asarray(values, dtype=np.float64)
            if series is None or not len(values):
                continue
            steps = np.arange(snap.step - len(values) + 1, snap.step + 1) + self.offset
            keep = np.isfinite(values)
            series.extend(steps[keep], values[keep])
            self.dirty = True

    def draw(self) -> None:
        for name, curve in self.curves.items():
            series = self.smoothed[name].update()
            cx, cy, gx, gy = split_at(series.x, log10_safe(series.y), self.shown)
            curve.setData(cx, cy)
            self.greys[name].setData(gx, gy)

    def latest_text(self) -> str:
        counts = {n: upto(s.x, self.shown) for n, s in self.series.items()}
        last = [(n, s.y[counts[n] - 1]) for n, s in self.series.items() if counts[n]]
        if not last:
            return " "
        return "  ".join(f"{n} {fmt(v, 3)}" for n, v in last)

    def readout_at(self, x: float, y: float) -> str | None:
        parts, step = [], None
        for name, series in self.series.items():
            i = series.nearest(x)
            if i is None:
                continue
            step = series.x[i]
            parts.append(f"{name} {fmt(series.y[i], 4)}")
        if step is None:
            return None
        self.show_marker(step)
        return f"step {int(step)}  " + "  ".join(parts) + \
            ("  (undone)" if self.undone(step) else "")
