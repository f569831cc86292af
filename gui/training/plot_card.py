"""The frame every live training plot shares (pyqtgraph): ``PlotCard`` — a title row with
its own controls, a PlotWidget whose paints are timed (``TimedPlotWidget``) and drawn in the
GUI's turn (``worker.gui_turn``), a read-out line that shows the newest numbers or, on hover,
the nearest step's — and the helpers the plots draw with: a log axis, number formats,
downsampled curves. Every card follows the look (``restyle``): a plot made after a switch of
theme or text size takes it when first shown, and a shown one redraws in it."""
from __future__ import annotations

import math
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from gui import theme
from gui.formatting import fmt_number
from gui.theme import look
from gui.training.panel_widgets import ElidedLabel, min_plot
from gui.training.worker import gui_turn

DOWNSAMPLE_FACTOR = 1.0   # pixel columns per min/max pair (pyqtgraph's default: 5)
TOP_MARGIN = 8            # px above the plot area: half a tick label's height
FLOOR = 1e-12        # log axes: a loss or norm of 0 is drawn here
TICK_PT, LABEL_PT, LEGEND_PT = 8.5, 9.0, 8.0    # at 100 % text on a 10 pt desktop
# a series' line: its colour and its dash pattern (so lines differ by more than colour)
DASHES = (None, [6, 3], [1.5, 2.5], [6, 2.5, 1.5, 2.5], [10, 3], [3, 3],
          [6, 2.5, 1.5, 2.5, 1.5, 2.5], [12, 3, 3, 3])


def series_pen(colour, k: int = 0, width: float = 1.6):
    """A pen in ``colour`` with the k-th dash pattern (0: solid)."""
    pen = pg.mkPen(colour, width=width)
    dashes = DASHES[k % len(DASHES)]
    if dashes is not None:
        pen.setDashPattern([d / max(width, 1.0) for d in dashes])
    return pen


def train_colour() -> str:
    return theme.C.plot_train


def test_colour() -> str:
    return theme.C.plot_test


def legend_brush():
    fill = theme.C.plot_legend_fill
    return pg.mkBrush(*theme.colors.rgb(fill), theme.colors.alpha(fill))


def pt_text(size: float) -> str:
    return f"{theme.point_size(size):.1f}pt"


class LogAxis(pg.AxisItem):
    """An axis for data plotted as log10(value) (``log`` on): ticks at whole decades — and at
    2 and 5 times them when the view spans less than two — labelled with the values. pyqtgraph's
    own log mode crowds its minor labels on a short range."""

    MAX_DECADES = 6

    def __init__(self, orientation="left", **kwargs):
        super().__init__(orientation, **kwargs)
        self.log = True

    def tickValues(self, minVal, maxVal, size):
        if not self.log or not (math.isfinite(minVal) and math.isfinite(maxVal)):
            return super().tickValues(minVal, maxVal, size)
        low, high = math.floor(minVal), math.ceil(maxVal)
        step = max(1, math.ceil((high - low) / self.MAX_DECADES))
        major = [d for d in range(low, high + 1, step) if minVal <= d <= maxVal]
        minor = []
        if maxVal - minVal < 2:
            minor = [d + math.log10(m) for d in range(low - 1, high + 1) for m in (2, 5)
                     if minVal <= d + math.log10(m) <= maxVal]
        return [(float(step), major), (0.5, minor)]

    def tickStrings(self, values, scale, spacing):
        if not self.log:
            return super().tickStrings(values, scale, spacing)
        return [power_text(v) for v in values]


def power_text(exponent: float) -> str:
    """10**exponent, short: 0.01, 5, 200, 1e-05, 2e+06."""
    value = 10.0 ** exponent
    if 1e-3 <= value < 1e4:
        return f"{value:.3g}"
    return f"{value:.0e}"


def fmt(value, digits: int = 5) -> str:
    """A read-out's number in the app's one format (gui/formatting.py); "–" for none."""
    return "–" if value is None else fmt_number(value, digits)


class TimedPlotWidget(pg.PlotWidget):
    """A PlotWidget that adds up the time its paints take (``take_paint_seconds``), so
    the pacer knows what drawing really costs, whenever Qt paints."""

    paint_seconds = 0.0

    def paintEvent(self, event) -> None:
        start = time.perf_counter()
        with gui_turn():
            super().paintEvent(event)
        self.paint_seconds += time.perf_counter() - start

    def take_paint_seconds(self) -> float:
        seconds, self.paint_seconds = self.paint_seconds, 0.0
        return seconds


class PlotCard(QWidget):
    """Title row, plot, read-out; subclasses fill ``add`` / ``render`` / ``readout_at``."""

    title = ""

    log_axis = False      # the left axis is a LogAxis (the data are drawn as log10)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName(f"{type(self).__name__}")
        column = QVBoxLayout(self)
        column.setContentsMargins(2, 2, 2, 2)
        column.setSpacing(2)
        self.header = QHBoxLayout()
        self.header.setSpacing(6)
        heading = QLabel(self.title)
        heading.setObjectName("plotTitle")
        theme.set_font(heading, 10, bold=True)
        self.header.addWidget(heading)
        self.header.addStretch(1)
        column.addLayout(self.header)
        axes = {"left": LogAxis("left")} if self.log_axis else {}
        self.plot = TimedPlotWidget(background=theme.BASE, axisItems=axes, enableMenu=False)
        # colours and fonts: restyle(), now and after every change of the look
        self.plot.setMinimumSize(120, 90)
        self.plot.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        item = self.plot.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        item.layout.setContentsMargins(0, TOP_MARGIN, 4, 0)   # the top tick label fits
        for side in ("left", "bottom"):
            item.getAxis(side).enableAutoSIPrefix(False)   # steps are steps, never "(x0.001)"
        self.marker = pg.InfiniteLine(angle=90)
        self.marker.setVisible(False)
        self.marker.setZValue(50)
        item.addItem(self.marker, ignoreBounds=True)
        column.addWidget(self.plot, 1)
        self.readout = ElidedLabel(" ")        # two lines where the card has room for them
        self.readout.setObjectName("muted")
        theme.set_font(self.readout, 8.5, mono=True)
        self.readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.readout.setMinimumWidth(10)
        self.readout.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        column.addWidget(self.readout)
        self.hovering = False
        self.plot.scene().sigMouseMoved.connect(self._hover)
        self.plot.viewport().installEventFilter(self)
        self.dirty = False
        self.legend = None
        self.shown: float | None = None     # the step of the weights shown: later, greyed
        self.style_frame()
        look.follow(self, self.restyle)

    def restyle(self) -> None:
        """A change of the look: the frame (``style_frame``), the curves (``restyle_curves``)
        and the plot drawn again."""
        self.style_frame()
        self.restyle_curves()
        self.dirty = True
        self.render()

    def style_frame(self) -> None:
        """Colours and sizes from the look: background, axes (titles in the text colour, not
        the axis line's), ticks, legend, marker, an undone run's grey curves. Also at
        creation: a card made after a switch is drawn in the look in use."""
        item = self.plot.getPlotItem()
        self.plot.setBackground(theme.BASE)
        item.layout.setContentsMargins(0, round(TOP_MARGIN * look.text_scale()), 4, 0)
        for side in ("left", "bottom"):
            axis = item.getAxis(side)
            axis.setTickFont(theme.ui_font(TICK_PT))
            axis.labelStyle["font-size"] = pt_text(LABEL_PT)
            axis.setPen(theme.BORDER)
            axis.setTextPen(theme.MUTED)     # after setPen: the title takes this colour
        self.marker.setPen(pg.mkPen(theme.MUTED, width=1, style=Qt.PenStyle.DashLine))
        if self.legend is not None:
            self.legend.setBrush(legend_brush())
            self.legend.setPen(pg.mkPen(theme.C.divider))
            self.legend.setLabelTextColor(theme.MUTED)
            self.legend.setLabelTextSize(pt_text(LEGEND_PT))
            for _sample, label in self.legend.items:
                label.setText(label.text)
        for curve in item.listDataItems():
            if getattr(curve, "is_grey", False):
                curve.setPen(grey_pen())

    def restyle_curves(self) -> None:
        """Subclasses: their curves' and items' colours again."""

    def add_legend(self, offset, columns: int = 1):
        """The card's legend (styled by ``restyle``)."""
        self.legend = self.plot.getPlotItem().addLegend(
            offset=offset, labelTextColor=theme.MUTED, brush=legend_brush(),
            labelTextSize=pt_text(LEGEND_PT), colCount=columns)
        return self.legend

    def set_shown(self, step: float | None) -> None:
        """The weights on the canvas are those of `step`: the curves after it belong to an
        undone run and are drawn greyed (None: every curve in colour)."""
        if step != self.shown:
            self.shown = step
            self.dirty = True

    def undone(self, step: float) -> bool:
        return self.shown is not None and step > self.shown

    def resizeEvent(self, event) -> None:
        """A hover text may take a second line while the plot keeps MIN_PLOT's height; a
        card at its least size keeps one line (the read-out's tooltip then holds it all).
        The layout policy counts one line (``PlotGrid.card_minimum``)."""
        super().resizeEvent(event)
        line = self.readout.fontMetrics().lineSpacing()
        plot = self.plot.height() + (line if self.readout.lines > 1 else 0)
        lines = 2 if plot - line >= min_plot().height() else 1
        if lines != self.readout.lines:
            self.readout.set_lines(lines)

    def eventFilter(self, obj, event) -> bool:
        if event.type() == event.Type.Leave:
            self.hovering = False
            self.marker.setVisible(False)
            self.readout.setText(self.latest_text())
        return super().eventFilter(obj, event)

    def _hover(self, scene_pos) -> None:
        box = self.plot.getPlotItem().vb
        if not box.sceneBoundingRect().contains(scene_pos):
            return
        point = box.mapSceneToView(scene_pos)
        text = self.readout_at(point.x(), point.y())
        self.hovering = text is not None
        if text is not None:
            self.readout.setText(text)

    def show_marker(self, x: float | None) -> None:
        self.marker.setVisible(x is not None)
        if x is not None:
            self.marker.setValue(x)

    empty_y = (0.0, 1.0)     # the y range of an empty plot (log axes: 10⁰ … 10¹)

    def clear(self) -> None:
        """No data: the axes start over too (the last run's scale is not kept)."""
        self.dirty = True
        self.shown = None
        self.readout.setText(" ")
        self.show_marker(None)
        self.reset_range()

    def reset_range(self) -> None:
        item = self.plot.getPlotItem()
        item.setRange(xRange=(0.0, 1.0), yRange=self.empty_y, padding=0.02)
        item.enableAutoRange(x=True, y=self.auto_y)

    auto_y = True            # the y axis follows the data (accuracy: fixed 0–100 %)

    def add(self, snap) -> None:
        raise NotImplementedError

    def render(self) -> None:
        """Hand new data to pyqtgraph (only when something arrived since the last time)."""
        if not self.dirty:
            return
        self.dirty = False
        self.draw()
        if not self.hovering:
            self.readout.setText(self.latest_text())

    def draw(self) -> None:
        raise NotImplementedError

    def latest_text(self) -> str:
        return " "

    def readout_at(self, x: float, y: float) -> str | None:
        return None


def cheap_curve(curve):
    """A curve drawn at ~2 points per pixel (the min and max of each pixel column, so spikes
    stay) and only over the visible range: a paint costs the same at step 100 and at step
    100,000 — under software rendering the thousands of segments were what kept the live
    plots behind the run."""
    curve.setClipToView(True)
    curve.setDownsampling(auto=True, method="peak")
    curve.opts["autoDownsampleFactor"] = DOWNSAMPLE_FACTOR
    return curve


def grey_pen():
    """The pen of an undone run's curves: the muted text colour, a little faded."""
    colour = QColor(theme.MUTED)
    colour.setAlpha(170)
    return pg.mkPen(colour, width=1.6)


def grey_curve(item):
    """The greyed twin of a curve: the part of it after the shown step (an undone run);
    ``PlotCard.restyle`` gives it the new theme's grey."""
    curve = cheap_curve(item.plot(pen=grey_pen()))
    curve.setZValue(-1)
    curve.is_grey = True
    return curve


def split_at(x: np.ndarray, y: np.ndarray, shown: float | None):
    """(x, y) up to `shown`, and from the last of those on (the greyed rest, joined to it);
    everything in colour when `shown` is None or past the end."""
    if shown is None or not len(x) or x[-1] <= shown:
        return x, y, x[:0], y[:0]
    k = int(np.searchsorted(x, shown, side="right"))
    j = max(k - 1, 0)
    return x[:k], y[:k], x[j:], y[j:]


def upto(xs: np.ndarray, shown: float | None) -> int:
    """How many of the ascending `xs` are at or before `shown` (all of them when None)."""
    if shown is None:
        return len(xs)
    return int(np.searchsorted(xs, shown, side="right"))


def log10_safe(y: np.ndarray) -> np.ndarray:
    """log10 of values ≥ 0 (0 is drawn at FLOOR)."""
    return np.log10(np.maximum(y, FLOOR))


def legend_entry(legend, curve, name: str, wanted: bool) -> None:
    """Show `curve` in `legend` only while it has data."""
    shown = any(getattr(sample, "item", None) is curve for sample, _label in legend.items)
    if wanted and not shown:
        legend.addItem(curve, name)
    elif shown and not wanted:
        legend.removeItem(curve)
