"""The canvas as a screen reader reads it: the view is a list named "Canvas", each node one
item of it named from what the node shows.

A node reads ``u: add, value 3.25, ∂y/∂u 31.69, inputs x_squared and one, feeds y``: its id and
op, its value and gradient with the digits its card shows (a tensor: ``value 2×3 tensor, mean
0.1234``), its inputs in port order and the nodes it feeds. Edges are not objects of their own.
A node still being built reads ``incomplete: connect b``; a number the player has not reached
reads as the card says it (``value not computed yet``), and one predict mode hides reads ``?``.
Names are built when asked, from the record the canvas shows (live, or the player's step).

``NodeAccessible`` objects are made when first asked for, registered with Qt, and deleted
(``deleteAccessibleInterface``) when their node goes or the view does.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QAccessible, QAccessibleInterface
from PySide6.QtWidgets import QAccessibleWidget
from shiboken6 import isValid

from gui import accessibility
from gui.display import GRAD_NOT_YET, HIDDEN
from gui.formatting import describe, fmt_number, grad_symbol, shape_text, unfinished_hint

KEYS_TEXT = ("Arrow keys move between nodes, Alt+arrows move the selected nodes, Enter edits "
             "the node's value, F2 renames it, Tab adds a node, Ctrl+E connects two nodes, the "
             "Menu key opens the node's menu. Shift+Tab or F6 leaves the canvas.")


def number_words(array) -> str:
    """A value or gradient as the card shows it: ``3.25``; a tensor ``2×3 tensor, mean 0.1``."""
    a = np.asarray(array, dtype=float)
    if a.size == 1:
        return describe(a)
    finite = a[np.isfinite(a)]
    mean = fmt_number(finite.mean()) if finite.size else "nan"
    return f"{shape_text(a.shape)} tensor, mean {mean}" if a.size else \
        f"{shape_text(a.shape)} tensor, empty"


def _listed(ids) -> str:
    ids = list(ids)
    return ids[0] if len(ids) == 1 else ", ".join(ids[:-1]) + " and " + ids[-1]


def node_name(item, display, loss: str | None) -> str:
    """What a screen reader says for the node ``item`` showing ``display`` (a NodeDisplay)."""
    node_id = item.node_id
    op = item.op.name if item.op is not None else "unknown op"
    parts = [f"{node_id}: {op}"]
    problem = display.problem
    if display.value is not None:
        parts.append(f"value {number_words(display.value)}")
    elif display.value_note and problem is None:
        parts.append(f"value {display.value_note}")
    if display.grad is not None:
        parts.append(f"{grad_symbol(loss, node_id)} {number_words(display.grad)}")
    elif display.grad_note in (GRAD_NOT_YET, HIDDEN):      # "not yet" in a replay; "?"
        parts.append(f"{grad_symbol(loss, node_id)} {display.grad_note}")
    elif display.grad_note and display.value is not None:
        parts.append(f"no gradient: {display.grad_note}")
    if problem is not None:
        if problem.unfinished:
            parts.append(f"incomplete: {unfinished_hint(problem, item.port_names)}")
        else:
            parts.append(f"error: {problem.message}")
    inputs = {edge.port: edge.source_item.node_id for edge in item.edges
              if edge.target_item is item}
    if item.arity:
        names = [inputs.get(p, f"nothing on {item.port_names[p]}"
                            if p < len(item.port_names) else "nothing")
                 for p in range(item.arity)]
        parts.append(f"{'input' if item.arity == 1 else 'inputs'} {_listed(names)}")
    feeds = list(dict.fromkeys(edge.target_item.node_id for edge in item.edges
                               if edge.source_item is item))
    if feeds:
        parts.append(f"feeds {_listed(feeds)}")
    if display.is_loss or (loss == node_id and display.grad is not None):
        parts.append("the loss")
    return ", ".join(parts)


def node_description(item) -> str:
    """The op's one-line doc and the symbol the card shows (``x²`` for pow 2)."""
    if item.op is None:
        return ""
    return f"{item.op.doc} Shown as {item.symbol}."


class NodeAccessible(QAccessibleInterface):
    """One node of the canvas for assistive technology (no QObject of its own)."""

    def __init__(self, canvas_interface, node_id: str):
        super().__init__()
        self.canvas_interface = canvas_interface
        self.node_id = node_id

    # -- what it is
    def _item(self):
        view = self.canvas_interface.view
        if view is None or not isValid(view):
            return None
        return view.graph_scene.nodes.get(self.node_id)

    def isValid(self) -> bool:
        return self._item() is not None

    def object(self):
        return None

    def window(self):
        return self.canvas_interface.window()

    def parent(self):
        return self.canvas_interface

    def child(self, index: int):
        return None

    def childCount(self) -> int:
        return 0

    def indexOfChild(self, child) -> int:
        return -1

    def childAt(self, x: int, y: int):
        return None

    def role(self):
        return QAccessible.Role.ListItem

    def text(self, kind):
        item = self._item()
        if item is None:
            return ""
        if kind == QAccessible.Text.Name:
            scene = item.scene()
            return node_name(item, scene.record.node(self.node_id), scene.record.loss)
        if kind == QAccessible.Text.Description:
            return node_description(item)
        return ""

    def setText(self, kind, text: str) -> None:
        pass

    def state(self):
        state = QAccessible.State()
        item = self._item()
        if item is None:
            state.invalid = True
            return state
        view = self.canvas_interface.view
        state.focusable = True
        state.selectable = True
        state.multiSelectable = True
        state.selected = item.isSelected()
        state.focused = view.hasFocus() and view.current_node == self.node_id
        state.offscreen = not view.mapToScene(view.viewport().rect()).boundingRect() \
            .intersects(item.sceneBoundingRect())
        return state

    def rect(self) -> QRect:
        item = self._item()
        if item is None:
            return QRect()
        view = self.canvas_interface.view
        box = view.mapFromScene(item.sceneBoundingRect()).boundingRect()
        return QRect(view.viewport().mapToGlobal(box.topLeft()), box.size())


class CanvasAccessible(QAccessibleWidget):
    """The canvas view: a list of its nodes, in the document's order."""

    def __init__(self, view):
        super().__init__(view, QAccessible.Role.List, "")
        self.view = view
        self.nodes: dict[str, NodeAccessible] = {}
        nodes = self.nodes
        view.destroyed.connect(lambda *_: _forget_all(nodes))
        view.accessible_interface = self     # the view tells it of removed and renamed nodes

    def _ids(self) -> list[str]:
        view = self.view
        if view is None or not isValid(view):
            return []
        return [n for n in view.model.node_ids() if n in view.graph_scene.nodes]

    def node(self, node_id: str) -> NodeAccessible | None:
        """The node's interface (made and registered when first asked for)."""
        if node_id not in self.view.graph_scene.nodes:
            return None
        interface = self.nodes.get(node_id)
        if interface is None or not isValid(interface):
            interface = self.nodes[node_id] = NodeAccessible(self, node_id)
            accessibility.keep(interface)
        return interface

    def node_removed(self, node_id: str) -> None:
        accessibility.forget(self.nodes.pop(node_id, None))

    def node_renamed(self, old: str, new: str) -> None:
        interface = self.nodes.pop(old, None)
        if interface is not None and isValid(interface):
            interface.node_id = new
            self.nodes[new] = interface

    def forget_all(self) -> None:
        _forget_all(self.nodes)

    def childCount(self) -> int:
        return len(self._ids())

    def child(self, index: int):
        ids = self._ids()
        return self.node(ids[index]) if 0 <= index < len(ids) else None

    def indexOfChild(self, child) -> int:
        node_id = getattr(child, "node_id", None)
        ids = self._ids()
        return ids.index(node_id) if node_id in ids else -1

    def focusChild(self):
        current = self.view.current_node
        return self.node(current) if current is not None and self.view.hasFocus() else None

    def childAt(self, x: int, y: int):
        view = self.view
        point = view.viewport().mapFromGlobal(QPoint(x, y))
        item = view.graph_scene.node_at(view.mapToScene(point))
        return self.node(item.node_id) if item is not None else None


def _forget_all(nodes: dict) -> None:
    for interface in list(nodes.values()):
        accessibility.forget(interface)
    nodes.clear()


def canvas_interface(view) -> CanvasAccessible | None:
    """The view's interface as Qt knows it (made by the factory on first request)."""
    interface = QAccessible.queryAccessibleInterface(view)
    return interface if isinstance(interface, CanvasAccessible) else None


accessibility.register_interface("CanvasView", CanvasAccessible)
