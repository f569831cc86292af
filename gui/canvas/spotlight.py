"""The ring a lesson draws around the cards it talks about ("look here").

A child item of the card, stacked behind it, so it moves with a dragged card and never covers
its ports or numbers. ``GraphScene.set_spotlight(ids)`` puts rings on those cards.
"""
from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem

from gui.canvas import style

MARGIN = 12      # between the card and the ring (clear of the ports)
WIDTH = 5


class SpotlightRing(QGraphicsItem):
    def __init__(self, card):
        super().__init__(card)
        self.setFlag(QGraphicsItem.ItemStacksBehindParent)
        self.setAcceptedMouseButtons(Qt.NoButton)
        self._ring = QRectF(0, 0, style.NODE_W, card.height).adjusted(-MARGIN, -MARGIN,
                                                                      MARGIN, MARGIN)

    def boundingRect(self) -> QRectF:
        return self._ring.adjusted(-WIDTH, -WIDTH, WIDTH, WIDTH)

    def shape(self) -> QPainterPath:
        return QPainterPath()       # never under the mouse: clicks reach the canvas

    def paint(self, painter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setPen(QPen(style.SPOTLIGHT, WIDTH))
        painter.setBrush(Qt.NoBrush)
        painter.drawRoundedRect(self._ring, 14, 14)


def set_ring(card, on: bool) -> None:
    """Put a ring around ``card`` (a NodeItem), or take it away."""
    rings = [c for c in card.childItems() if isinstance(c, SpotlightRing)]
    if on and not rings:
        SpotlightRing(card)
    elif not on:
        for ring in rings:
            ring.setParentItem(None)
            if ring.scene() is not None:
                ring.scene().removeItem(ring)
