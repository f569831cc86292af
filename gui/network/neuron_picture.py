"""The neuron picture: circles for units, lines for weights, drawn from a ``NeuronFrame``.

A unit's circle is filled by its value on the app's diverging map (blue below zero, orange
above, dark at zero; scaled per column to its largest |value|) and outlined solid when it is
positive, dashed when negative — the sign is told by more than hue. A line's colour is the
sign of what it shows (a weight, or ∂L/∂w), its width and opacity the magnitude (relative to
the largest line shown); negative lines are dashed. Lines with nothing to show yet (a
gradient a replay has not reached) are faint dotted lines.

Clicking a line emits ``weight_clicked(layer, i, j)`` (units of the layer's input and of the
layer, whatever the weight's storage form); clicking a unit ``level_clicked(level)``.
``line_at`` and ``line_point`` give the hit test and a point on a line (tests click there).
"""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from gui import theme
from gui.canvas import style
from gui.formatting import fmt_number
from gui.network.neuron_frame import GRADIENTS
from gui.theme.heatmap import LUT

_C = theme.C
POSITIVE, NEGATIVE = QColor(_C.positive), QColor(_C.negative)
TOP, BOTTOM, SIDE = 54.0, 52.0, 74.0     # room for titles, the legend, value labels
MAX_SPACING, MAX_RADIUS = 46.0, 14.0
MIN_WIDTH, MAX_WIDTH = 0.6, 6.0
HIT = 5.0                                # px around a line that still picks it
TINY = 1e-9                              # a column whose values are all below this is grey


def _line_pen(value: float, scale: float, dim: bool, widest: float = MAX_WIDTH) -> QPen:
    """Colour the sign, width and opacity |value| / scale, dashed when negative."""
    t = min(1.0, abs(value) / scale) if scale > 0 and math.isfinite(value) else 0.0
    colour = QColor(POSITIVE if value >= 0 else NEGATIVE)
    colour.setAlpha(int((50 + 205 * t) * (0.3 if dim else 1.0)))
    pen = QPen(colour, MIN_WIDTH + (widest - MIN_WIDTH) * t)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    if value < 0:
        pen.setStyle(Qt.PenStyle.CustomDashLine)
        pen.setDashPattern([4.0, 2.5] if pen.widthF() < 2 else [2.5, 1.5])
    return pen


class NeuronPicture(QWidget):
    weight_clicked = Signal(int, int, int)    # layer (1-based), input unit i, unit j
    level_clicked = Signal(int)               # column k (0: the features)
    weight_stepped = Signal(int, int, int)    # by keyboard: (Δlayer, Δi, Δj)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("neuron_picture")
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)     # arrows choose a weight
        self.setMinimumSize(320, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.frame = None
        self.chosen: tuple | None = None       # (layer, i, j) picked out
        self.chosen_layer: int | None = None   # a whole layer's lines picked out
        self.chosen_level: int | None = None
        self._geometry = None
        self.title_font = theme.ui_font(9.5, bold=True)
        self.small_font = theme.ui_font(8.5)
        self.number_font = theme.mono_font(8)

    # ------------------------------------------------------------ state
    def set_frame(self, frame) -> None:
        self.frame = frame
        self._geometry = None
        self.update()

    def set_chosen(self, weight=None, layer=None, level=None) -> None:
        self.chosen, self.chosen_layer, self.chosen_level = weight, layer, level
        self.update()

    def resizeEvent(self, event) -> None:
        self._geometry = None
        super().resizeEvent(event)

    # ------------------------------------------------------------ geometry
    def geometry_of_units(self):
        """(x per column, [y per shown unit of each column], [radius per column], [spacing
        per column]): each column spreads its units over the height (at most MAX_SPACING
        apart), its circles as large as that allows."""
        if self._geometry is None and self.frame is not None:
            levels = self.frame.levels
            width, height = float(self.width()), float(self.height())
            count = len(levels)
            xs = [SIDE + k * (width - 2 * SIDE) / max(count - 1, 1) for k in range(count)]
            ys, spacings = [], []
            for level in levels:
                n = len(level.shown) + (1 if level.hidden_units else 0)
                spacing = min(MAX_SPACING, (height - TOP - BOTTOM) / max(n, 1))
                top = TOP + (height - TOP - BOTTOM - n * spacing) / 2 + spacing / 2
                slot = np.arange(len(level.shown), dtype=float)
                if level.hidden_units:
                    slot[level.gap_after + 1:] += 1
                ys.append(top + slot * spacing)
                spacings.append(spacing)
            radii = [max(2.5, min(MAX_RADIUS, spacing * 0.36)) for spacing in spacings]
            self._geometry = (xs, ys, radii, spacings)
        return self._geometry

    def unit_point(self, level: int, unit: int) -> QPointF | None:
        """The centre of a unit's circle (None when it is not drawn)."""
        xs, ys, _r, _s = self.geometry_of_units()
        shown = list(self.frame.levels[level].shown)
        if unit not in shown:
            return None
        return QPointF(xs[level], float(ys[level][shown.index(unit)]))

    def line_point(self, layer: int, i: int, j: int, at: float = 0.5) -> QPointF | None:
        """A point `at` of the way along the line of weight (i → j) of `layer`."""
        a, b = self.unit_point(layer - 1, i), self.unit_point(layer, j)
        if a is None or b is None:
            return None
        return a + (b - a) * at

    def line_at(self, pos: QPointF) -> tuple | None:
        """(layer, i, j) of the line nearest `pos` within a few pixels, else None."""
        if self.frame is None:
            return None
        xs, ys, radii, _s = self.geometry_of_units()
        x, y = pos.x(), pos.y()
        best, best_d = None, HIT
        for k, links in enumerate(self.frame.links):
            x0, x1 = xs[k] + radii[k], xs[k + 1] - radii[k + 1]
            if not x0 <= x <= x1:
                continue
            t = (x - xs[k]) / (xs[k + 1] - xs[k])
            y0, y1 = ys[k][:, None], ys[k + 1][None, :]
            line_y = y0 + (y1 - y0) * t
            slope = (y1 - y0) / (xs[k + 1] - xs[k])
            distance = np.abs(line_y - y) / np.sqrt(1 + slope * slope)
            a, b = np.unravel_index(int(np.argmin(distance)), distance.shape)
            if distance[a, b] < best_d:
                best_d = float(distance[a, b])
                level_in, level_out = self.frame.levels[k], self.frame.levels[k + 1]
                best = (k + 1, int(level_in.shown[a]), int(level_out.shown[b]))
        return best

    def unit_at(self, pos: QPointF) -> tuple | None:
        """(level, unit) of the circle under `pos`, else None."""
        if self.frame is None:
            return None
        xs, ys, radii, _s = self.geometry_of_units()
        for k, level in enumerate(self.frame.levels):
            if abs(pos.x() - xs[k]) <= radii[k] + 2:
                d = np.abs(ys[k] - pos.y())
                if d.size and d.min() <= radii[k] + 2:
                    return k, int(level.shown[int(np.argmin(d))])
        return None

    # ------------------------------------------------------------ events
    def mousePressEvent(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self.frame is None:
            return super().mousePressEvent(event)
        unit = self.unit_at(event.position())
        if unit is not None:
            self.level_clicked.emit(unit[0])
            return
        line = self.line_at(event.position())
        if line is not None:
            self.weight_clicked.emit(*line)

    def keyPressEvent(self, event) -> None:
        """← → the previous / next layer's weights, ↑ ↓ the unit fed (j), Shift+↑ ↓ the
        unit feeding it (i)."""
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        step = {Qt.Key.Key_Left: (-1, 0, 0), Qt.Key.Key_Right: (1, 0, 0),
                Qt.Key.Key_Up: (0, -1, 0) if shift else (0, 0, -1),
                Qt.Key.Key_Down: (0, 1, 0) if shift else (0, 0, 1)}.get(event.key())
        if step is None or self.frame is None:
            return super().keyPressEvent(event)
        self.weight_stepped.emit(*step)

    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        self.update()

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and self.frame is not None \
                and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_Left,
                                    Qt.Key.Key_Right) \
                and (self.frame.live or event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down)):
            event.accept()          # the arrows are ours (← → the player's while it runs)
            return True
        if event.type() == QEvent.Type.ToolTip and self.frame is not None:
            text = self.tooltip_at(QPointF(event.pos()))
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def tooltip_at(self, pos: QPointF) -> str:
        unit = self.unit_at(pos)
        frame = self.frame
        if unit is not None:
            level = frame.levels[unit[0]]
            value = level.values[list(level.shown).index(unit[1])]
            where = "mean over the rows" if frame.row is None else f"row {frame.row}"
            shown = "not computed yet" if np.isnan(value) else fmt_number(float(value), 6)
            return f"{level.node}[{unit[1]}] = {shown} ({where})"
        line = self.line_at(pos)
        if line is None:
            return ""
        layer, i, j = line
        links = frame.links[layer - 1]
        a = list(frame.levels[layer - 1].shown).index(i)
        b = list(frame.levels[layer].shown).index(j)
        what = f"{links.weight} joins {frame.levels[layer - 1].node}[{i}] → " \
               f"{frame.levels[layer].node}[{j}]"
        if links.matrix is None:
            return f"{what}\n∂L/∂w: not yet (the backward pass has not reached it)"
        name = "∂L/∂w" if links.kind == GRADIENTS else "w"
        return f"{what}\n{name} = {fmt_number(float(links.matrix[a, b]), 6)}\nclick: its chain"

    # ------------------------------------------------------------ painting
    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), style.BACKGROUND)
        frame = self.frame
        if frame is None:
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        xs, ys, radii, spacings = self.geometry_of_units()
        for k, links in enumerate(frame.links):
            widest = max(1.5, min(MAX_WIDTH, 0.3 * min(spacings[k], spacings[k + 1])))
            self._paint_links(painter, k, links, xs, ys, widest)
        for k, level in enumerate(frame.levels):
            self._paint_level(painter, k, level, xs[k], ys[k], radii[k], spacings[k])
        if self.hasFocus():                  # the focus ring, as on the canvas
            painter.setPen(QPen(QColor(theme.C.focus), 6))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(self.rect())
        self._paint_chosen(painter, xs, ys)
        self._paint_legend(painter)

    def _paint_links(self, painter, k, links, xs, ys, widest) -> None:
        x0, x1 = xs[k], xs[k + 1]
        y0, y1 = ys[k], ys[k + 1]
        dim = (self.chosen_layer is not None and self.chosen_layer != links.layer) or \
            (self.chosen is not None)
        if links.matrix is None:
            pen = QPen(QColor(_C.edge), 0.6, Qt.PenStyle.DotLine)
            painter.setPen(pen)
            for a in range(len(y0)):
                for b in range(len(y1)):
                    painter.drawLine(QPointF(x0, y0[a]), QPointF(x1, y1[b]))
            return
        matrix = links.matrix
        scale = self.frame.scale(links.kind)
        order = np.argsort(np.abs(np.nan_to_num(matrix)), axis=None)
        for flat in order:
            a, b = divmod(int(flat), matrix.shape[1])
            painter.setPen(_line_pen(float(matrix[a, b]), scale, dim, widest))
            painter.drawLine(QPointF(x0, y0[a]), QPointF(x1, y1[b]))
        if links.lit or links.active:
            painter.setPen(QColor(_C.emphasis))
            painter.setFont(self.small_font)
            text = "∂L/∂w arrived" if links.lit else "this step"
            painter.drawText(QRectF(x0, self.height() - BOTTOM - 14, x1 - x0, 16),
                             Qt.AlignmentFlag.AlignCenter, text)

    def _paint_level(self, painter, k, level, x, ys, radius, spacing) -> None:
        finite = level.values[np.isfinite(level.values)]
        limit = max(float(np.max(np.abs(finite))) if finite.size else 0.0, TINY)
        chosen = self.chosen_level == k
        outline = QColor(_C.node_selected if chosen else
                         _C.emphasis if level.active else _C.node_border)
        for value, y in zip(level.values, ys):
            centre = QPointF(x, float(y))
            if np.isnan(value):
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.setPen(QPen(QColor(_C.muted), 1.0, Qt.PenStyle.DotLine))
            else:
                t = 0.5 + 0.5 * value / limit
                r, g, b = LUT[min(255, max(0, int(round(t * 255))))]
                painter.setBrush(QBrush(QColor(int(r), int(g), int(b))))
                pen = QPen(outline, 2.2 if chosen or level.active else 1.3)
                if value < 0:
                    pen.setStyle(Qt.PenStyle.DashLine)
                painter.setPen(pen)
            painter.drawEllipse(centre, radius, radius)
            if spacing >= 17 and len(level.shown) <= 24 and not np.isnan(value):
                self._paint_number(painter, x, float(y), radius, float(value), k == 0)
        if level.hidden_units:
            y = (ys[level.gap_after] + ys[level.gap_after + 1]) / 2
            painter.setFont(self.small_font)
            text = f"⋮ + {level.hidden_units} more"
            width = QFontMetricsF(self.small_font).horizontalAdvance(text) + 10
            box = QRectF(x - width / 2, y - 9, width, 18)
            painter.setPen(QPen(QColor(_C.overlay_border), 1.0))
            painter.setBrush(QColor(_C.overlay_fill))
            painter.drawRoundedRect(box, 4, 4)
            painter.setPen(style.TEXT)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        painter.setFont(self.title_font)
        painter.setPen(QColor(_C.emphasis) if level.active else style.TEXT)
        box = self._title_box(k, x)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, QFontMetricsF(self.title_font)
                         .elidedText(level.title, Qt.TextElideMode.ElideMiddle, box.width()))
        painter.setFont(self.small_font)
        painter.setPen(style.TEXT_MUTED)
        count = f"{level.units} {level.kind if level.units != 1 else level.kind[:-1]}"
        painter.drawText(box.translated(0, 18), Qt.AlignmentFlag.AlignCenter,
                         QFontMetricsF(self.small_font).elidedText(
                             level.sample_text() or count, Qt.TextElideMode.ElideRight,
                             box.width()))

    def _title_box(self, k: int, x: float) -> QRectF:
        """A column's title: centred over it, as wide as the gap to its neighbours allows,
        kept inside the picture."""
        xs = self.geometry_of_units()[0]
        gap = min((abs(xs[m] - x) for m in (k - 1, k + 1) if 0 <= m < len(xs)), default=320.0)
        width = max(60.0, min(320.0, gap - 8))
        left = min(max(4.0, x - width / 2), self.width() - 4.0 - width)
        return QRectF(left, 8, width, 18)

    def _paint_number(self, painter, x, y, radius, value, left) -> None:
        """A unit's value beside its circle (left of the inputs, right of the others), on a
        patch of the background so the lines under it do not blur it."""
        text = fmt_number(value, 3)
        painter.setFont(self.number_font)
        width = QFontMetricsF(self.number_font).horizontalAdvance(text) + 6
        box = QRectF(x - radius - 3 - width, y - 8, width, 16) if left else \
            QRectF(x + radius + 3, y - 8, width, 16)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(_C.edge_label_fill))
        painter.drawRoundedRect(box, 3, 3)
        painter.setPen(style.TEXT_MUTED)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_chosen(self, painter, xs, ys) -> None:
        if self.chosen is None:
            return
        layer, i, j = self.chosen
        a, b = self.line_point(layer, i, j, 0.0), self.line_point(layer, i, j, 1.0)
        if a is None or b is None:
            return
        painter.setPen(QPen(style.PATH_GLOW, 9.0, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        painter.drawLine(a, b)
        links = self.frame.links[layer - 1]
        pen = QPen(style.PATH, 2.4)
        if links.matrix is not None:
            row = list(self.frame.levels[layer - 1].shown).index(i)
            col = list(self.frame.levels[layer].shown).index(j)
            if links.matrix[row, col] < 0:
                pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawLine(a, b)

    def _paint_legend(self, painter) -> None:
        frame = self.frame
        painter.setFont(self.small_font)
        what = "∂L/∂w" if frame.mode == GRADIENTS else "w"
        where = "the mean over the batch's rows" if frame.row is None \
            else f"row {frame.row} of {frame.rows}"
        y = self.height() - 28.0
        x = 14.0
        for sign, colour, dash in (("+", POSITIVE, False), ("−", NEGATIVE, True)):
            pen = QPen(colour, 3.0)
            if dash:
                pen.setStyle(Qt.PenStyle.CustomDashLine)
                pen.setDashPattern([2.5, 1.5])
            painter.setPen(pen)
            painter.drawLine(QPointF(x, y), QPointF(x + 26, y))
            painter.setPen(style.TEXT)
            painter.drawText(QRectF(x + 30, y - 8, 14, 16), Qt.AlignmentFlag.AlignVCenter, sign)
            x += 50
        metrics = QFontMetricsF(self.small_font)
        room = self.width() - x - 16
        painter.setPen(style.TEXT_MUTED)
        for text, top in ((f"lines: the sign of {what}, width |{what}| (widest "
                           f"{fmt_number(frame.scale(), 3)})", y - 9),
                          (f"circles: each unit's value for {where}", y + 9)):
            painter.drawText(QRectF(x, top, room, 18), Qt.AlignmentFlag.AlignVCenter,
                             metrics.elidedText(text, Qt.TextElideMode.ElideRight, room))
