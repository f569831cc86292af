"""Ports: where edges attach. Drawn by their NodeItem (no item per port, so big graphs stay
light); this module holds their identity and geometry."""
from __future__ import annotations

from PySide6.QtCore import QPointF

from gui.canvas import style

OUTPUT = -1  # the port number of a node's (single) output


def input_port_pos(index: int) -> QPointF:
    """Input ``index`` in node-local coordinates (left edge)."""
    return QPointF(0.0, style.PORT_TOP + index * style.PORT_GAP)


def output_port_pos() -> QPointF:
    return QPointF(style.NODE_W, style.PORT_TOP)


def port_pos(port: int) -> QPointF:
    return output_port_pos() if port == OUTPUT else input_port_pos(port)


def hit_port(local: QPointF, arity: int, radius: float = 11.0) -> int | None:
    """The port under node-local point ``local`` (generous radius), or None."""
    candidates = [(OUTPUT, output_port_pos())] + [(i, input_port_pos(i)) for i in range(arity)]
    best, best_d = None, radius * radius
    for port, pos in candidates:
        d = (pos.x() - local.x()) ** 2 + (pos.y() - local.y()) ** 2
        if d <= best_d:
            best, best_d = port, d
    return best
