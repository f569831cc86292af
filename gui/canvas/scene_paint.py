"""Painting the scene's background and foreground: the grid, and the numbers on edges."""
from __future__ import annotations

import math

from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QPen

from gui.display import ACTIVE
from gui.canvas import edge_encoding, style
from gui.canvas.edge_item import EdgeItem
from gui.canvas.node_item import NodeItem

_LABEL_FILL = style.LABEL_FILL
LABELS_BELOW = 0.45     # zoom under which edges drop their numbers
LABEL_SCREEN_PX = 11.5  # the numbers' size on screen (scene size grows as the zoom shrinks)


def draw_edge_labels(scene, painter, rect: QRectF) -> None:
    """The numbers on edges at a constant size on screen, in the middle of the wire; a
    number that would cover a node is left out (the step being played always shows), and
    all are dropped when zoomed out (LABELS_BELOW) and in the overview. A picture sets
    ``scene.label_zoom``: its numbers are sized (and left out) as at that zoom, whatever
    the painter's scale, so an SVG (1 unit per scene unit) shows the PNG's numbers."""
    scale = scene.label_zoom or painter.worldTransform().m11()
    if scale < LABELS_BELOW or scene.overview:
        return
    px = max(9, round(LABEL_SCREEN_PX / scale))
    font = style.pixel_font(px, bold=True)
    metrics = QFontMetricsF(font)
    painter.setFont(font)
    pad = px * 0.35
    reach = QRectF(rect).adjusted(-250, -60, 250, 60)    # a label wider than its edge's box
    edges = [i for i in scene.items(reach) if isinstance(i, EdgeItem)]
    for edge in edges:
        if not edge.label or not edge.isVisible():
            continue
        width = metrics.horizontalAdvance(edge.label) + 2 * pad
        height = metrics.height() + pad * 0.6
        anchor = edge.label_anchor()
        box = QRectF(anchor.x() - width / 2, anchor.y() - height / 2, width, height)
        if not box.intersects(rect):
            continue
        active = edge.display is not None and edge.display.highlight == ACTIVE
        if not active and _covers_a_node(scene, box):
            continue
        painter.setOpacity(edge.opacity())
        colour = edge_encoding.sign_colour(edge.grad_balance)
        painter.setPen(QPen(style.PORT_HIGHLIGHT if active else colour, 1.6 if active else 1.0))
        painter.setBrush(_LABEL_FILL)
        painter.drawRoundedRect(box, height / 2, height / 2)
        painter.setPen(style.TEXT)
        painter.drawText(box, Qt.AlignCenter, edge.label)
    painter.setOpacity(1.0)



def _covers_a_node(scene, box: QRectF) -> bool:
    return any(isinstance(item, NodeItem) for item in scene.items(box))


def draw_grid(painter, rect: QRectF, scale: float, minor_pen, major_pen) -> None:
    """The background grid: minor lines every GRID_STEP, major every fifth; coarser when
    zoomed out, none when the lines would crowd."""
    step = style.GRID_STEP
    if scale * step < 6:
        step *= 5
        if scale * step < 6:
            return
    left = math.floor(rect.left() / step) * step
    top = math.floor(rect.top() / step) * step
    minor, major = [], []
    x = left
    while x < rect.right():
        (major if round(x / step) % 5 == 0 else minor).append(
            QLineF(x, rect.top(), x, rect.bottom()))
        x += step
    y = top
    while y < rect.bottom():
        (major if round(y / step) % 5 == 0 else minor).append(
            QLineF(rect.left(), y, rect.right(), y))
        y += step
    painter.setPen(minor_pen)
    painter.drawLines(minor)
    painter.setPen(major_pen)
    painter.drawLines(major)
