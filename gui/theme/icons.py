"""The player's line icons (play, pause, step, first, last, predict), drawn like the app's
others."""
from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

from gui.theme import colors


def _triangle(p: QPainter, left: float, right: float, flip: bool = False) -> None:
    if flip:
        p.drawPolygon([QPointF(right, 6), QPointF(left, 12), QPointF(right, 18)])
    else:
        p.drawPolygon([QPointF(left, 6), QPointF(right, 12), QPointF(left, 18)])


def _draw(name: str, p: QPainter, colour: QColor) -> None:
    p.setPen(Qt.NoPen)
    p.setBrush(colour)
    if name == "play":
        _triangle(p, 7, 19)
    elif name == "pause":
        p.drawRoundedRect(7, 6, 3.5, 12, 1, 1)
        p.drawRoundedRect(13.5, 6, 3.5, 12, 1, 1)
    elif name == "step_forward":
        _triangle(p, 6, 15)
        p.drawRect(16, 6, 2.5, 12)
    elif name == "step_back":
        _triangle(p, 9, 18, flip=True)
        p.drawRect(5.5, 6, 2.5, 12)
    elif name == "first":
        _triangle(p, 8, 14, flip=True)
        _triangle(p, 13, 19, flip=True)
        p.drawRect(5, 6, 2.5, 12)
    elif name == "last":
        _triangle(p, 5, 11)
        _triangle(p, 10, 16)
        p.drawRect(16.5, 6, 2.5, 12)
    elif name == "live":
        p.drawEllipse(QPointF(12, 12), 4, 4)
        p.setBrush(Qt.NoBrush)
        pen = p.pen()
        pen.setStyle(Qt.SolidLine)
        pen.setColor(colour)
        pen.setWidthF(1.8)
        p.setPen(pen)
        p.drawEllipse(QPointF(12, 12), 8, 8)
    elif name == "predict":          # a question mark in a speech bubble: "your guess?"
        pen = p.pen()
        pen.setStyle(Qt.SolidLine)
        pen.setColor(colour)
        pen.setWidthF(1.8)
        p.setPen(pen)
        p.setBrush(Qt.NoBrush)
        p.drawRoundedRect(4, 4, 16, 13, 3, 3)
        p.drawLine(QPointF(8, 17), QPointF(7, 21))
        p.drawLine(QPointF(7, 21), QPointF(12, 17))
        font = p.font()
        font.setPixelSize(11)
        font.setBold(True)
        p.setFont(font)
        p.drawText(4, 4, 16, 13, Qt.AlignCenter, "?")


def player_icon(name: str) -> QIcon:
    icon = QIcon()
    table = colors.active()
    for mode, tint in ((QIcon.Mode.Normal, table.icon), (QIcon.Mode.Disabled, table.disabled)):
        pixmap = QPixmap(48, 48)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.scale(2, 2)
        _draw(name, painter, QColor(tint))
        painter.end()
        icon.addPixmap(pixmap, mode)
    return icon
