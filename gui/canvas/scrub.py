"""Scrubbing: drag sideways on a scalar's value on its card to change it continuously.

The numbers area of a card (its value and gradient lines) of an input, constant or parameter
holding one number is a scrub handle: the cursor turns into ↔ over it, and a drag changes the
value by a step per screen pixel that suits its size (1 % of it, at least 0.01; Shift: ten times
finer, Ctrl: ten times coarser). Each step re-runs the graph at once, so every value and
gradient on the canvas follows the drag. The whole drag is one undo step (``ScrubValue``
commands merge); Escape puts the value back.
"""
from __future__ import annotations

import itertools
import math

import numpy as np
from PySide6.QtCore import QRectF, Qt

from gui.model import commands
from gui.canvas import style
from gui.canvas.node_item import NodeItem

SCRUB_OPS = frozenset({"input", "constant", "parameter"})
_drags = itertools.count(1)


def value_zone(item: NodeItem, zoom: float) -> QRectF:
    """Where on ``item`` (local coordinates) a drag scrubs: the numbers under the symbol."""
    if zoom < style.COMPACT_BELOW:
        top = style.HEADER_H + (item.height - style.HEADER_H) * 0.3
    else:
        top = item.band_bottom - 2
    return QRectF(0, top, style.NODE_W, item.height - top)


def step_per_pixel(value: float, modifiers=Qt.NoModifier) -> float:
    """1 % of the value's size per screen pixel (at least 0.01), a power of ten."""
    step = 10.0 ** math.floor(math.log10(max(abs(value), 1.0) * 0.01))
    if modifiers & Qt.ShiftModifier:
        step /= 10
    if modifiers & Qt.ControlModifier:
        step *= 10
    return step


class ValueScrubber:
    """The view's scrub gesture: ``press`` / ``move`` / ``release`` return True when they
    handled the mouse event (the view then does nothing else with it)."""

    def __init__(self, view):
        self.view = view
        self.node_id: str | None = None
        self._start_x = 0
        self._start_value = 0.0
        self._drag = 0
        self._moved = False

    @property
    def active(self) -> bool:
        return self.node_id is not None

    def scrubbable(self, viewport_pos) -> NodeItem | None:
        """The card whose value handle is under ``viewport_pos``, or None."""
        view = self.view
        item = view.itemAt(viewport_pos)
        if not isinstance(item, NodeItem) or item.op is None or item.op.name not in SCRUB_OPS:
            return None
        if not view.model.has_node(item.node_id):
            return None
        value = view.model.node(item.node_id).value
        if value is None or np.size(value) != 1 or np.ndim(value) != 0:
            return None
        local = item.mapFromScene(view.mapToScene(viewport_pos))
        return item if value_zone(item, view.transform().m11()).contains(local) else None

    def hover(self, viewport_pos) -> bool:
        """↔ over a value handle (True), else the caller's cursor."""
        if self.scrubbable(viewport_pos) is None:
            return False
        self.view.viewport().setCursor(Qt.SizeHorCursor)
        return True

    def press(self, event) -> bool:
        if event.button() != Qt.LeftButton:
            return False
        pos = event.position().toPoint()
        item = self.scrubbable(pos)
        if item is None:
            return False
        self.node_id = item.node_id
        self._start_x = pos.x()
        self._start_value = float(self.view.model.node(item.node_id).value)
        self._drag = next(_drags)
        self._moved = False
        self.view.select_nodes([item.node_id])
        self.view.viewport().setCursor(Qt.SizeHorCursor)
        self.view.graph_scene.live_drag = True     # big graphs: what is on screen first
        return True

    def move(self, event) -> bool:
        if not self.active:
            return False
        dx = event.position().x() - self._start_x
        step = step_per_pixel(self._start_value, event.modifiers())
        value = round(self._start_value + dx * step, max(0, -math.floor(math.log10(step))))
        self._set(value)
        return True

    def _set(self, value: float) -> None:
        model = self.view.model
        current = float(model.node(self.node_id).value)
        if value == current:
            return
        self._moved = True
        self.view.undo_stack.push(commands.ScrubValue(model, self.node_id, np.float64(value),
                                                      self._drag))
        model.run_now()             # live: values and gradients follow every step

    def release(self, event) -> bool:
        if not self.active or event.button() != Qt.LeftButton:
            return False
        node_id, self.node_id = self.node_id, None
        self._end_live()
        if self._moved:
            value = self.view.model.node(node_id).value
            self.view.status_message.emit(f"{node_id} = {float(value):g} (drag again, or "
                                          "Ctrl+Z to undo the whole drag)")
        return True

    def cancel(self) -> bool:
        """Escape during a drag: the value it started from comes back."""
        if not self.active:
            return False
        self._set(self._start_value)
        self.node_id = None
        self._end_live()
        return True

    def _end_live(self) -> None:
        scene = self.view.graph_scene
        scene.live_drag = False
        scene.catch_up(budget=None)          # every card up to date when the drag ends
        self.view.viewport().unsetCursor()
