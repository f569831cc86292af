"""Widgets drawn over the canvas: the step caption (top) and the edge legend (bottom left).

Both follow the scene's display record, so the live view and a replay look alike: the caption
shows when the record has one ("step 6/9 · backward" and what the step does), the legend when
some edge carries a gradient. They are children of the view (not of its viewport, which scrolls
its children when panning) and let the mouse through.
"""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QWidget

from gui.canvas import edge_encoding, style

_PANEL = style.OVERLAY_FILL
_BORDER = style.OVERLAY_BORDER
MARGIN = 10


class _Overlay(QWidget):
    def __init__(self, parent):
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.hide()

    def _panel(self, painter: QPainter) -> None:
        """The rounded panel, drawn without antialiasing: an antialiased translucent panel
        costs ~1 ms a frame, this one ~0.03 ms."""
        painter.setRenderHint(QPainter.Antialiasing, False)
        painter.setPen(QPen(_BORDER, 1.0))
        painter.setBrush(_PANEL)
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0, 0, -1, -1), 6, 6)
        painter.setRenderHint(QPainter.Antialiasing)


class CaptionOverlay(_Overlay):
    """``step k/N · phase`` in bold and the step's one line below it, centred at the top."""

    def __init__(self, parent):
        super().__init__(parent)
        self.caption, self.detail = "", ""
        self.caption_font = style.pixel_font(15, bold=True)
        self.detail_font = style.pixel_font(13)

    def set_text(self, caption: str, detail: str) -> None:
        if (caption, detail) == (self.caption, self.detail):
            return
        self.caption, self.detail = caption, detail
        self.setVisible(bool(caption))
        self.place()
        self.update()

    def detail_lines(self, room: float) -> list[str]:
        """The step's line, or two when it does not fit ``room``: cut after a "; " (the
        clause nearest the middle), never inside a number."""
        metrics = QFontMetricsF(self.detail_font)
        if not self.detail or metrics.horizontalAdvance(self.detail) <= room:
            return [self.detail] if self.detail else []
        cuts = [i for i in range(len(self.detail)) if self.detail.startswith("; ", i)]
        if not cuts:
            return [self.detail]
        middle = len(self.detail) / 2
        cut = min(cuts, key=lambda i: abs(i - middle))
        return [self.detail[:cut + 1], self.detail[cut + 2:]]

    def _room(self) -> float:
        """The widest the text may be: the parent's width less the margins and padding."""
        return self.parentWidget().width() - 2 * MARGIN - 28

    def sizeHint(self) -> QSize:
        lines = self.detail_lines(self._room())
        metrics = QFontMetricsF(self.detail_font)
        width = max([QFontMetricsF(self.caption_font).horizontalAdvance(self.caption)]
                    + [metrics.horizontalAdvance(line) for line in lines])
        return QSize(round(width * 1.08) + 40, 14 + 21 * (1 + len(lines)))  # glyph fallbacks

    def place(self) -> None:
        parent = self.parentWidget()
        hint = self.sizeHint()
        width = min(hint.width(), parent.width() - 2 * MARGIN)
        self.setGeometry((parent.width() - width) // 2, MARGIN, width, hint.height())

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        self._panel(painter)
        rect = QRectF(self.rect()).adjusted(14, 7, -14, -7)
        painter.setFont(self.caption_font)
        painter.setPen(style.PORT_HIGHLIGHT)
        metrics = QFontMetricsF(self.caption_font)
        painter.drawText(QRectF(rect.left(), rect.top(), rect.width(), 21), Qt.AlignCenter,
                         metrics.elidedText(self.caption, Qt.ElideRight, rect.width()))
        painter.setFont(self.detail_font)
        painter.setPen(style.TEXT)
        metrics = QFontMetricsF(self.detail_font)
        for row, line in enumerate(self.detail_lines(self._room()), start=1):
            painter.drawText(QRectF(rect.left(), rect.top() + 21 * row, rect.width(), 21),
                             Qt.AlignCenter,
                             metrics.elidedText(line, Qt.ElideRight, rect.width()))


class EdgeLegend(_Overlay):
    """What an edge's colour and width mean, in the bottom-left corner."""

    WIDTH, HEIGHT = 200, 92

    def __init__(self, parent):
        super().__init__(parent)
        self.font = style.pixel_font(12)
        self.title_font = style.pixel_font(12, bold=True)
        self.resize(self.WIDTH, self.HEIGHT)

    def place(self) -> None:
        parent = self.parentWidget()
        self.move(MARGIN, parent.height() - self.HEIGHT - MARGIN)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        self._panel(painter)
        painter.setFont(self.title_font)
        painter.setPen(style.TEXT)
        painter.drawText(QRectF(12, 5, self.WIDTH - 24, 18), Qt.AlignLeft | Qt.AlignVCenter,
                         "edges: what flowed back")
        painter.setFont(self.font)
        for text, colour, y in (("+", edge_encoding.POSITIVE, 34),
                                ("−", edge_encoding.NEGATIVE, 52)):
            painter.setPen(QPen(colour, 4.0, Qt.SolidLine, Qt.RoundCap))
            painter.drawLine(QPointF(14, y), QPointF(40, y))
            painter.setPen(style.TEXT)
            painter.drawText(QRectF(46, y - 9, 14, 18), Qt.AlignLeft | Qt.AlignVCenter, text)
        x = 112
        for s in (0.0, 0.5, 1.0):     # width: log scale of the size
            painter.setPen(QPen(style.TEXT_MUTED, edge_encoding.width(s), Qt.SolidLine,
                                Qt.RoundCap))
            painter.drawLine(QPointF(x, 56), QPointF(x, 30))
            x += 26
        painter.setPen(style.TEXT_MUTED)
        painter.drawText(QRectF(10, 64, 84, 22), Qt.AlignLeft | Qt.AlignVCenter, "colour: sign")
        painter.drawText(QRectF(98, 64, self.WIDTH - 104, 22), Qt.AlignLeft | Qt.AlignVCenter,
                         "width: size (log)")
