"""EdgeItem: a smooth cubic wire from an output port to an input port (bent round the cards in
its way, ``routing.py``); WireItem: the live wire that follows the cursor while the user
connects."""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem

from gui.display import ACTIVE, DIM, HIDDEN, PATH
from gui.canvas import edge_encoding as encoding
from gui.canvas import style
from gui.canvas.port_item import OUTPUT


def wire_path(start: QPointF, end: QPointF) -> QPainterPath:
    """A horizontal-tangent cubic from ``start`` (an output) to ``end`` (an input).

    A wire running backwards (its input left of its output, e.g. into a node placed below)
    becomes an S: out to the right, across at half height between the two rows, in from the
    left, so it passes between the nodes instead of behind the source node."""
    span = end.x() - start.x()
    path = QPainterPath(start)
    if span >= 0 or abs(end.y() - start.y()) < 2 * style.PORT_GAP:
        # forwards: half the span; backwards on one row: a short, bounded loop
        dx = max(span * 0.5, 40.0) if span >= 0 else min(max(-span * 0.25, 40.0), 120.0)
        path.cubicTo(QPointF(start.x() + dx, start.y()), QPointF(end.x() - dx, end.y()), end)
        return path
    dx = min(max(-span * 0.25, 40.0), 80.0)
    mid = QPointF((start.x() + end.x()) / 2, (start.y() + end.y()) / 2)
    path.cubicTo(QPointF(start.x() + dx, start.y()), QPointF(start.x() + dx, mid.y()),
                 QPointF(start.x(), mid.y()))
    path.lineTo(QPointF(end.x(), mid.y()))
    path.cubicTo(QPointF(end.x() - dx, mid.y()), QPointF(end.x() - dx, end.y()), end)
    return path


def _looks(display) -> tuple:
    """What of an EdgeDisplay changes the drawing (not the contribution it carries)."""
    if display is None:
        return (None, None, False)
    return (display.highlight, display.pulse, display.backward)


class EdgeItem(QGraphicsItem):
    """``source`` output → ``target`` input ``port``; selectable (Delete removes it)."""

    def __init__(self, source_item, target_item, port: int):
        super().__init__()
        self.source_item, self.target_item, self.port = source_item, target_item, port
        self.setFlag(QGraphicsItem.ItemIsSelectable)
        self.setZValue(0)
        self.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        self.grad_strength: float | None = None  # 0..1 (log scale) once something flowed back
        self.grad_balance = 0.0        # sign of what flowed back: −1 … 1 (see edge_encoding)
        self.label = ""                # the number printed on the edge ("" for none)
        self._label = ""               # the label of ``_contribution``
        self._contribution = None      # the array the encoding above was computed from
        self._norm = 0.0
        self.scale = None              # the contribution drawn at full width
        self.emphasis = False
        self.display = None            # the EdgeDisplay shown (highlight, pulse)
        self._path = QPainterPath()
        self._shape: QPainterPath | None = None
        self._bounds = QRectF()
        self._pen = QPen(style.EDGE, style.EDGE_WIDTH, Qt.SolidLine, Qt.RoundCap)
        source_item.edges.append(self)
        target_item.edges.append(self)
        source_item.set_connected(OUTPUT, True)
        target_item.set_connected(port, True)
        self.update_path()

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.source_item.node_id, self.target_item.node_id, self.port)

    def detach(self) -> None:
        """Forget the end nodes (called when the edge leaves the scene)."""
        for item in (self.source_item, self.target_item):
            if self in item.edges:
                item.edges.remove(self)
        if not any(e.port == self.port and e is not self for e in self.target_item.edges
                   if e.target_item is self.target_item):
            self.target_item.set_connected(self.port, False)
        if not any(e.source_item is self.source_item for e in self.source_item.edges):
            self.source_item.set_connected(OUTPUT, False)

    def update_path(self) -> None:
        start = self.source_item.port_scene_pos(OUTPUT)
        end = self.target_item.port_scene_pos(self.port)
        self.prepareGeometryChange()
        self._path = wire_path(start, end)
        scene = self.scene()
        if scene is not None and hasattr(scene, "route_wire"):   # round the cards in the way
            self._path = scene.route_wire(self, start, end, self._path)
        self._shape = None
        bounds = self._path.boundingRect().adjusted(-8, -8, 8, 8)   # room for a pulse
        mid = self._anchor = self._path.pointAtPercent(0.5)   # where the number is drawn
        self._bounds = bounds.united(QRectF(mid.x() - 90, mid.y() - 24, 180, 48))
        self._restyle()
        scene = self.scene()
        if scene is not None and getattr(scene, "overview", False):
            scene.edges_moved()

    def show(self, display, scale: float | None) -> None:
        """Draw ``display`` (an EdgeDisplay: contribution, highlight, pulse); widths are
        relative to ``scale``, the contribution that gets the full width."""
        if display is self.display and scale == self.scale:
            return
        contribution = display.contribution if display is not None else None
        if contribution is not self._contribution:
            self._contribution = contribution
            if contribution is None:
                self._norm, self.grad_balance, self._label = 0.0, 0.0, ""
            else:
                self._norm = encoding.size(contribution)
                self.grad_balance = encoding.balance(contribution)
                self._label = encoding.label_text(contribution)
        # hidden (predict mode): "?" on a plain wire, nothing of the number's size or sign
        self.label = HIDDEN if display is not None and display.hidden else self._label
        self.scale = scale
        self.grad_strength = (None if contribution is None
                              else encoding.strength(self._norm, scale))
        self.set_display(display)
        self._restyle()
        self.update()

    @property
    def magnitude(self) -> float:
        """The norm of what flowed back along the edge (0 when nothing did)."""
        return self._norm

    def set_display(self, display) -> None:
        """Highlight and pulse from the display record (the player's current step)."""
        if display is not self.display:
            looks = _looks(self.display)
            self.display = display
            if _looks(display) == looks:   # a re-run's fresh record that draws the same
                return
            highlight = display.highlight if display is not None else None
            opacity = 0.3 if highlight == DIM else 1.0
            z = 0.5 if highlight in (ACTIVE, PATH) else 0
            if self.opacity() != opacity:
                self.setOpacity(opacity)
            if self.zValue() != z:
                self.setZValue(z)
            self._restyle()
            self.update()

    def set_emphasis(self, emphasis: bool) -> None:
        """Drawn stronger while one of its nodes is selected."""
        if emphasis != self.emphasis:
            self.emphasis = emphasis
            self._restyle()
            self.update()

    def _restyle(self) -> None:
        active = self.display is not None and self.display.highlight == ACTIVE
        extra = (1.2 if self.emphasis else 0.0) + (1.5 if active else 0.0)
        if self.grad_strength is None:
            colour = style.EDGE_EMPHASIS if self.emphasis else style.EDGE
            self._pen = QPen(colour, style.EDGE_WIDTH + extra, Qt.SolidLine, Qt.RoundCap)
            return
        self._pen = QPen(encoding.sign_colour(self.grad_balance),
                         encoding.width(self.grad_strength) + extra, Qt.SolidLine, Qt.RoundCap)

    def pen_colour(self) -> str:
        """The colour the wire is drawn in (``#rrggbb``)."""
        return self._pen.color().name()

    def label_anchor(self) -> QPointF:
        """Where the edge's number sits: the middle of the wire (kept with the path)."""
        return self._anchor

    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        if self._shape is None:
            stroker = QPainterPathStroker()
            stroker.setWidth(12.0)
            self._shape = stroker.createStroke(self._path)
        return self._shape

    def paint(self, painter, option, widget=None) -> None:
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        if self.isSelected():
            painter.setPen(QPen(style.EDGE_SELECTED, style.EDGE_WIDTH + 1.5, Qt.SolidLine,
                                Qt.RoundCap))
        else:
            painter.setPen(self._pen)
        painter.setBrush(Qt.NoBrush)
        if lod < 0.3:
            painter.drawLine(self._path.pointAtPercent(0.0), self._path.pointAtPercent(1.0))
            return
        if self.display is not None and self.display.highlight == PATH:   # a glow under it
            pen = painter.pen()
            painter.setPen(QPen(style.PATH_GLOW, pen.widthF() + 7, Qt.SolidLine, Qt.RoundCap))
            painter.drawPath(self._path)
            pen.setWidthF(pen.widthF() + 1.0)
            painter.setPen(pen)
        painter.drawPath(self._path)
        pulse = self.display.pulse if self.display is not None else None
        if pulse is not None:   # a dot travelling along the wire (backwards: target → source)
            at = 1.0 - pulse if self.display.backward else pulse
            colour = style.GRAD if self.display.backward else style.VALUE
            painter.setPen(QPen(style.PULSE_RING, 1.5))
            painter.setBrush(colour)
            painter.drawEllipse(self._path.pointAtPercent(min(max(at, 0.0), 1.0)), 6.0, 6.0)


class WireItem(QGraphicsPathItem):
    """The wire being dragged; ``from_output`` says which end is anchored."""

    def __init__(self, anchor: QPointF, from_output: bool):
        super().__init__()
        self.anchor, self.from_output = anchor, from_output
        pen = QPen(style.EDGE_WIRE, style.EDGE_WIDTH, Qt.DashLine, Qt.RoundCap)
        self.setPen(pen)
        self.setZValue(10)
        self.set_end(anchor)

    def set_end(self, pos: QPointF) -> None:
        if self.from_output:
            self.setPath(wire_path(self.anchor, pos))
        else:
            self.setPath(wire_path(pos, self.anchor))
