"""Icons drawn at the size they are shown, in the active colours: a ``QIconEngine`` paints each
one when Qt asks for a pixmap (at the widget's size and device pixel ratio), so icons stay crisp
on any screen and follow a switch of theme without being made again.

``make_icon(name)``: the app's line icons (new, open, save, undo, …) on a 24-unit grid.
``symbol_icon(symbol, colour)``: a palette badge, an op's symbol on its category's colour
(``colour`` may be a function, asked at each paint). ``drawn_icon(draw)``: any drawing
``draw(painter, colour)`` on the 24-unit grid (the player's icons, gui/theme/icons.py).
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Callable

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (QColor, QFont, QFontMetricsF, QIcon, QIconEngine, QPainter,
                           QPainterPath, QPen, QPixmap)

from gui.theme import colors

GRID = 24.0


class DrawnIconEngine(QIconEngine):
    """Paints ``draw(painter, colour)`` (in a ``box``-unit square, or rectangle) scaled to the
    rectangle asked for; the colour is the table's ``icon`` (``disabled`` when disabled), or
    what ``colour()`` returns. Pixmaps are cached per size, mode and colour."""

    def __init__(self, draw: Callable, colour: Callable[[], str] | None = None,
                 box: tuple[float, float] = (GRID, GRID)):
        super().__init__()
        self.draw, self.colour, self.box = draw, colour, box
        self._cache: OrderedDict = OrderedDict()

    def tint(self, mode) -> str:
        table = colors.active()
        if mode == QIcon.Mode.Disabled:
            return table.disabled
        return self.colour() if self.colour is not None else table.icon

    def paint(self, painter: QPainter, rect: QRect, mode, state) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        w, h = self.box
        scale = min(rect.width() / w, rect.height() / h)
        painter.translate(rect.x() + (rect.width() - w * scale) / 2,
                          rect.y() + (rect.height() - h * scale) / 2)
        painter.scale(scale, scale)
        self.draw(painter, self.tint(mode))
        painter.restore()

    def scaledPixmap(self, size: QSize, mode, state, scale: float) -> QPixmap:
        key = (size.width(), size.height(), mode, state, round(scale, 3), self.tint(mode),
               colors.active().name)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        pixmap = QPixmap(max(1, round(size.width() * scale)), max(1, round(size.height() * scale)))
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        self.paint(painter, QRect(0, 0, pixmap.width(), pixmap.height()), mode, state)
        painter.end()
        pixmap.setDevicePixelRatio(scale)
        self._cache[key] = pixmap
        if len(self._cache) > 32:
            self._cache.popitem(last=False)
        return pixmap

    def pixmap(self, size: QSize, mode, state) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def actualSize(self, size: QSize, mode, state) -> QSize:
        w, h = self.box
        scale = min(size.width() / w, size.height() / h)
        return QSize(round(w * scale), round(h * scale))

    def clone(self) -> "DrawnIconEngine":
        return DrawnIconEngine(self.draw, self.colour, self.box)

    def isNull(self) -> bool:
        return False

    def key(self) -> str:
        return "backprop-studio-drawn"


def drawn_icon(draw: Callable, colour: Callable[[], str] | None = None,
               box: tuple[float, float] = (GRID, GRID)) -> QIcon:
    return QIcon(DrawnIconEngine(draw, colour, box))


def _pen(colour: str, width: float) -> QPen:
    pen = QPen(QColor(colour), width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


def _arc_arrow(p: QPainter, clockwise: bool) -> None:
    """An undo (anticlockwise) or redo arrow in a 24×24 box."""
    path = QPainterPath()
    if clockwise:
        path.moveTo(5, 17)
        path.cubicTo(5, 9, 14, 6, 19, 11)
        head = [QPointF(19, 5), QPointF(19, 11), QPointF(13, 11)]
    else:
        path.moveTo(19, 17)
        path.cubicTo(19, 9, 10, 6, 5, 11)
        head = [QPointF(5, 5), QPointF(5, 11), QPointF(11, 11)]
    p.drawPath(path)
    p.drawPolyline(head)


def _draw(name: str, p: QPainter, colour: str) -> None:
    """Icon ``name`` on the 24-unit grid, in ``colour``."""
    p.setPen(_pen(colour, 1.8))
    accent = QColor(colour)
    if name == "new":
        p.drawPolygon([QPointF(6, 3), QPointF(14, 3), QPointF(18, 7), QPointF(18, 21), QPointF(6, 21)])
        p.drawPolyline([QPointF(14, 3), QPointF(14, 7), QPointF(18, 7)])
        p.drawLine(QPointF(9.5, 14), QPointF(14.5, 14))
        p.drawLine(QPointF(12, 11.5), QPointF(12, 16.5))
    elif name == "open":
        p.drawPolyline([QPointF(3, 19), QPointF(3, 5), QPointF(9, 5), QPointF(11, 7.5), QPointF(19, 7.5),
                        QPointF(19, 10)])
        p.drawPolygon([QPointF(3, 19), QPointF(6.5, 10.5), QPointF(21.5, 10.5), QPointF(18, 19)])
    elif name == "save":
        p.drawRoundedRect(QRectF(4, 4, 16, 16), 2, 2)
        p.drawRect(QRectF(8, 4, 8, 5))
        p.drawRoundedRect(QRectF(7.5, 13, 9, 7), 1, 1)
    elif name in ("undo", "redo"):
        _arc_arrow(p, clockwise=name == "redo")
    elif name == "fit":
        for x, y, dx, dy in ((4, 4, 1, 1), (20, 4, -1, 1), (4, 20, 1, -1), (20, 20, -1, -1)):
            p.drawPolyline([QPointF(x, y + 5 * dy), QPointF(x, y), QPointF(x + 5 * dx, y)])
        p.drawRoundedRect(QRectF(9, 9, 6, 6), 1.5, 1.5)
    elif name == "layout":
        p.drawLine(QPointF(7, 7), QPointF(17, 12))
        p.drawLine(QPointF(7, 17), QPointF(17, 12))
        p.setBrush(accent)
        for cx, cy in ((6, 6.5), (6, 17.5), (18, 12)):
            p.drawEllipse(QPointF(cx, cy), 2.8, 2.8)
    elif name in ("run", "step"):
        p.setBrush(accent)
        right = 18 if name == "run" else 15
        p.drawPolygon([QPointF(7, 5), QPointF(right, 12), QPointF(7, 19)])
        if name == "step":
            p.drawLine(QPointF(18.5, 5.5), QPointF(18.5, 18.5))
    elif name in ("zoom_in", "zoom_out"):
        p.drawEllipse(QPointF(10.5, 10.5), 6, 6)
        p.drawLine(QPointF(15, 15), QPointF(20, 20))
        p.drawLine(QPointF(7.5, 10.5), QPointF(13.5, 10.5))
        if name == "zoom_in":
            p.drawLine(QPointF(10.5, 7.5), QPointF(10.5, 13.5))
    elif name == "delete":
        p.drawPolyline([QPointF(4, 7), QPointF(20, 7)])
        p.drawPolygon([QPointF(6.5, 7), QPointF(7.5, 20), QPointF(16.5, 20), QPointF(17.5, 7)])
        p.drawPolyline([QPointF(9.5, 7), QPointF(10, 4), QPointF(14, 4), QPointF(14.5, 7)])
    elif name == "help":
        p.drawEllipse(QPointF(12, 12), 8.5, 8.5)
        path = QPainterPath()
        path.moveTo(9.3, 9.8)
        path.cubicTo(9.3, 6.5, 14.7, 6.5, 14.7, 9.8)
        path.cubicTo(14.7, 12, 12, 12, 12, 14.3)
        p.drawPath(path)
        p.setBrush(accent)
        p.drawEllipse(QPointF(12, 17.2), 0.6, 0.6)
    elif name == "more":           # », the toolbar's overflow menu
        for x in (6.5, 12.5):
            p.drawPolyline([QPointF(x, 7), QPointF(x + 5, 12), QPointF(x, 17)])
    else:
        p.drawEllipse(QPointF(12, 12), 7, 7)


def make_icon(name: str, colour: str | None = None) -> QIcon:
    """A line icon, drawn at the size shown (the table's icon colour, or ``colour``)."""
    return drawn_icon(lambda p, tint: _draw(name, p, tint),
                      (lambda: colour) if colour is not None else None)


BADGE = (44.0, 22.0)      # a palette badge's box (the palette shows it 40 × 20 at 100 %)


def _badge(symbol: str, painter: QPainter, colour: str) -> None:
    rect = QRectF(1, 1, BADGE[0] - 2, BADGE[1] - 2)
    painter.setBrush(QColor(colour))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawRoundedRect(rect, 5, 5)
    painter.setPen(QColor(colors.active().badge_text))
    size_px = 11.5
    font = QFont()
    font.setBold(True)
    font.setPixelSize(round(size_px))
    while size_px > 7 and QFontMetricsF(font).horizontalAdvance(symbol) > rect.width() - 6:
        size_px -= 0.5
        font.setPixelSize(round(size_px))
    painter.setFont(font)
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, symbol)


def symbol_icon(symbol: str, colour) -> QIcon:
    """A rounded badge with an op's symbol on ``colour`` (a colour, or a function giving the
    colour at each paint, so the badge follows a switch of theme)."""
    colour_now = colour if callable(colour) else (lambda: colour)
    return drawn_icon(lambda p, tint: _badge(symbol, p, tint), colour_now, BADGE)
