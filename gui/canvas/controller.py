"""CanvasController: turns what the user asked for on the canvas into undo commands.

Items and the view only report intent (connect these ports, these nodes moved, delete that);
the controller checks it against the model, explains refusals through ``status_message`` and
pushes one command (or one macro) per user action.
"""
from __future__ import annotations

from functools import cache

import numpy as np
from PySide6.QtCore import QObject, QPointF, Signal
from PySide6.QtWidgets import QApplication

import engine
from gui.model import commands as cmd
from gui.model.auto_layout import layered_positions
from gui.model.naming import default_id
from gui.model.templates import TEMPLATES
from gui.canvas import mime, style
from gui.canvas.port_item import OUTPUT

# paste (with the mouse off the canvas) and duplicate: one major grid cell right and down,
# which clears a card's height, so the copy never hides its original
PASTE_STEP = 5.0 * style.GRID_STEP
# a fresh leaf computes at once (a scalar the inspector can change) instead of starting red
DEFAULT_VALUES = {"input": 1.0, "constant": 1.0, "parameter": 0.5}
CARD_H = 90.0     # a card's height with up to two inputs (NodeItem.height)
SEARCH_STEP, SEARCH_RINGS = 12.0, 60   # a new card looks this far (720 px) for free space


@cache
def _offsets() -> np.ndarray:
    """Where a new card may move to look for room, nearest first (right, then down, first
    among equals)."""
    steps = np.arange(-SEARCH_RINGS, SEARCH_RINGS + 1) * SEARCH_STEP
    dx, dy = (a.ravel() for a in np.meshgrid(steps, steps, indexing="ij"))
    order = np.lexsort((-dy, -dx, dx * dx + dy * dy))
    return np.stack([dx[order], dy[order]], axis=1)


class CanvasController(QObject):
    status_message = Signal(str)   # information ("copied 2 node(s)")
    refused = Signal(str)          # an action refused, and why (shown as a warning)
    inserted = Signal(list)  # ids of nodes a command just created (the view selects them)

    def __init__(self, model, undo_stack, parent=None):
        super().__init__(parent)
        self.model, self.stack = model, undo_stack
        self._paste_count = 0

    # ------------------------------------------------------------ nodes
    def add_node(self, op: str, scene_pos: QPointF, within=None) -> str | None:
        """Add an ``op`` node centred under ``scene_pos`` — or, where cards are, in the
        nearest free space (inside ``within``, the scene rect on screen, when there is room
        there); returns its id."""
        if op not in engine.OPS:
            self.refused.emit(f"unknown op {op!r}")
            return None
        node_id = default_id(self.model, op)
        position = self.free_spot(scene_pos.x() - style.NODE_W / 2,
                                  scene_pos.y() - style.HEADER_H / 2, engine.OPS[op].arity,
                                  within)
        self.stack.push(cmd.AddNode(self.model, node_id, op, value=DEFAULT_VALUES.get(op),
                                    position=position))
        self.inserted.emit([node_id])
        return node_id

    def free_spot(self, x: float, y: float, arity: int = 1, within=None) -> tuple:
        """Where a new card (top-left ``x``, ``y``) may go: there, or the nearest place around
        it where it keeps ``style.CARD_GAP`` from every other card (adding where a node
        already sits must not hide one under the other); places inside ``within`` (a QRectF:
        what the view shows) first."""
        width, height, gap = style.NODE_W, style.card_height(arity), style.CARD_GAP
        reach = SEARCH_RINGS * SEARCH_STEP + max(width, height) + gap
        cards = []
        for node_id in self.model.node_ids():
            node = self.model.node(node_id)
            if node.position is None:
                continue
            cx, cy = node.position
            if abs(cx - x) < reach and abs(cy - y) < reach:
                arity_of = node.op_info.arity if node.op_info is not None else 1
                cards.append((cx, cy, cx + style.NODE_W, cy + style.card_height(arity_of)))
        if not cards:
            return (round(x), round(y))
        boxes = np.array(cards, dtype=float)
        offsets = _offsets()
        if within is not None:                            # on screen first, nearest first
            spots = offsets + (x, y)
            shown = ((spots[:, 0] >= within.left()) & (spots[:, 1] >= within.top())
                     & (spots[:, 0] + width <= within.right())
                     & (spots[:, 1] + height <= within.bottom()))
            offsets = np.concatenate([offsets[shown], offsets[~shown]])
        for start in range(0, len(offsets), 2048):        # the nearest spots first
            spots = offsets[start:start + 2048] + (x, y)
            left, top = spots[:, :1], spots[:, 1:]
            overlap = ((boxes[:, 0] < left + width + gap) & (boxes[:, 2] + gap > left)
                       & (boxes[:, 1] < top + height + gap) & (boxes[:, 3] + gap > top))
            free = np.flatnonzero(~overlap.any(axis=1))
            if free.size:
                return (round(spots[free[0]][0]), round(spots[free[0]][1]))
        return (round(x + reach), round(y))              # crowded all round: beyond them

    def add_connected(self, op: str, scene_pos: QPointF, wire_from: tuple[str, int]) -> str | None:
        """A wire dropped on empty canvas, then an op chosen: add it there, wired to the port
        the wire came from (its first input, or its output into that input), as one step."""
        info = engine.OPS.get(op)
        if info is None or not self.model.has_node(wire_from[0]):
            return self.add_node(op, scene_pos)
        from_output = wire_from[1] == OUTPUT
        if from_output and info.arity == 0:
            return self.add_node(op, scene_pos)
        node_id = default_id(self.model, op)
        x = scene_pos.x() - (0.0 if from_output else style.NODE_W)
        position = (round(x), round(scene_pos.y() - style.PORT_TOP))
        self.stack.beginMacro(f"Add {op} and connect")
        self.stack.push(cmd.AddNode(self.model, node_id, op, value=DEFAULT_VALUES.get(op),
                                    position=position))
        if from_output:
            self.stack.push(cmd.Connect(self.model, wire_from[0], node_id, 0))
        else:
            self.stack.push(cmd.Connect(self.model, node_id, wire_from[0], wire_from[1]))
        self.stack.endMacro()
        self.inserted.emit([node_id])
        return node_id

    def insert_fragment(self, fragment: dict, scene_pos: QPointF | None, text: str,
                        offset=None) -> list[str]:
        """Insert ``fragment`` with its top-left at ``scene_pos`` (or shifted by ``offset``)."""
        nodes = [n for n in fragment.get("nodes", []) if isinstance(n, dict)]
        unknown = sorted({str(n.get("op")) for n in nodes if n.get("op") not in engine.OPS})
        if not nodes or unknown:
            self.refused.emit(f"cannot insert: unknown op {', '.join(unknown)}" if unknown
                                     else "nothing to insert")
            return []
        try:
            if offset is None:
                xs = [float((n.get("position") or (0, 0))[0]) for n in nodes]
                ys = [float((n.get("position") or (0, 0))[1]) for n in nodes]
                offset = (round(scene_pos.x() - min(xs)), round(scene_pos.y() - min(ys)))
            command = cmd.InsertFragment(self.model, fragment, offset, text)
        except (engine.GraphError, TypeError, ValueError, IndexError) as exc:
            # a malformed fragment: refuse it whole, insert nothing
            self.refused.emit(f"cannot insert: {exc}")
            return []
        self.stack.push(command)
        self.inserted.emit(command.node_ids)
        return command.node_ids

    def insert_template(self, name: str, scene_pos: QPointF) -> list[str]:
        if name not in TEMPLATES:
            self.refused.emit(f"unknown template {name!r}")
            return []
        return self.insert_fragment(TEMPLATES[name], scene_pos, f"Insert {name}")

    def move_nodes(self, moves: dict) -> None:
        """``{id: (old_xy, new_xy)}`` from one drag; unmoved nodes are dropped."""
        moves = {k: (old, new) for k, (old, new) in moves.items()
                 if self.model.has_node(k) and tuple(old) != tuple(new)}
        if moves:
            self.stack.push(cmd.MoveNodes(self.model, moves))

    def nudge(self, moves: dict) -> None:
        """``{id: (old_xy, new_xy)}`` from the keyboard (Alt+arrows); nudges of the same nodes
        in a row are one undo step."""
        moves = {k: (tuple(old), tuple(new)) for k, (old, new) in moves.items()
                 if self.model.has_node(k)}
        if moves:
            self.stack.push(cmd.NudgeNodes(self.model, moves))

    def delete(self, node_ids, edges=()) -> None:
        """Delete nodes (with their edges) and the edges ``(source, target, port)``, one step."""
        node_ids = [n for n in node_ids if self.model.has_node(n)]
        loose = [e for e in edges if e[0] not in node_ids and e[1] not in node_ids
                 and self.model.source_of(e[1], e[2]) == e[0]]
        if not node_ids and not loose:
            return
        self.stack.beginMacro("Delete")
        for source, target, port in loose:
            self.stack.push(cmd.Disconnect(self.model, target, port))
        if node_ids:
            self.stack.push(cmd.RemoveNodes(self.model, node_ids))
        self.stack.endMacro()

    def set_loss(self, node_id: str | None) -> None:
        if node_id != self.model.loss:
            self.stack.push(cmd.SetLoss(self.model, node_id))

    def change_op(self, node_ids, op: str) -> bool:
        """Change to…: turn ``node_ids`` into ``op`` in place, one undo step (the model
        refuses another arity, and the status bar says why)."""
        ids = [n for n in node_ids if self.model.has_node(n) and self.model.node(n).op != op]
        if not ids:
            return False
        before = self.stack.count()
        self.stack.push(cmd.ChangeOp(self.model, ids, op))
        return self.stack.count() > before

    def disconnect_inputs(self, node_ids) -> None:
        """Remove every edge into ``node_ids`` as one step."""
        edges = [(e.source, e.target, e.port) for e in self.model.edges()
                 if e.target in set(node_ids)]
        if edges:
            self.delete([], edges)

    def auto_layout(self, origin=(0.0, 0.0)) -> None:
        positions = layered_positions(self.model)
        if positions:
            positions = {k: (x + origin[0], y + origin[1]) for k, (x, y) in positions.items()}
            self.stack.push(cmd.AutoLayout(self.model, positions))

    # ------------------------------------------------------------ edges
    def why_not(self, a: tuple[str, int], b: tuple[str, int]) -> engine.Problem | None:
        """Why ports ``a`` and ``b`` (node id, port) cannot be wired, or None."""
        (node_a, port_a), (node_b, port_b) = a, b
        if port_a == OUTPUT and port_b == OUTPUT:
            return engine.Problem(engine.Kind.PORT,
                                  "an output cannot feed an output: drop on an input port")
        if port_a != OUTPUT and port_b != OUTPUT:
            return engine.Problem(engine.Kind.PORT,
                                  "an input cannot feed an input: connect an output to an input")
        source, (target, port) = (node_a, b) if port_a == OUTPUT else (node_b, a)
        return self.model.connect_problem(source, target, port)

    def connect(self, source: str, target: str, port: int) -> bool:
        """Wire ``source`` into ``target[port]`` (replacing what was there), or explain why not."""
        problem = self.model.connect_problem(source, target, port)
        if problem is not None:
            self.refused.emit(f"Cannot connect {source} → {target}: {problem}")
            return False
        if self.model.source_of(target, port) == source:
            return False
        self.stack.push(cmd.Connect(self.model, source, target, port))
        return True

    def rewire(self, old_target: str, old_port: int, source: str, target: str | None,
               port: int | None) -> bool:
        """An edge picked up from ``old_target[old_port]``: drop it on ``target[port]``, or on
        nothing (``target`` None) to disconnect it."""
        if target == old_target and port == old_port:
            return False
        if target is None:
            self.stack.push(cmd.Disconnect(self.model, old_target, old_port))
            return True
        problem = self.model.connect_problem(source, target, port)
        if problem is not None:
            self.refused.emit(f"Cannot connect {source} → {target}: {problem}")
            return False
        self.stack.beginMacro(f"Re-wire {source} → {target}:{port}")
        self.stack.push(cmd.Disconnect(self.model, old_target, old_port))
        self.stack.push(cmd.Connect(self.model, source, target, port))
        self.stack.endMacro()
        return True

    # ------------------------------------------------------------ clipboard
    def copy(self, node_ids) -> bool:
        if not node_ids:
            return False
        fragment = self.model.fragment(node_ids)
        mime.release_clipboard_at_exit()
        QApplication.clipboard().setMimeData(mime.fragment_mime_data(fragment))
        self._paste_count = 0
        self.status_message.emit(f"copied {len(fragment['nodes'])} node(s)")
        return True

    def paste(self, scene_pos: QPointF | None = None) -> list[str]:
        fragment = mime.fragment_from_mime(QApplication.clipboard().mimeData())
        if fragment is None:
            self.status_message.emit("nothing to paste")
            return []
        self._paste_count += 1
        if scene_pos is None:
            step = PASTE_STEP * self._paste_count
            return self.insert_fragment(fragment, None, "Paste",
                                        offset=self._clear_offset(fragment, step))
        return self.insert_fragment(fragment, scene_pos, "Paste")

    def duplicate(self, node_ids) -> list[str]:
        if not node_ids:
            return []
        fragment = self.model.fragment(node_ids)
        return self.insert_fragment(fragment, None, "Duplicate",
                                    offset=self._clear_offset(fragment, PASTE_STEP))

    def _clear_offset(self, fragment: dict, step: float) -> tuple:
        """(step, step), or further steps down-right while a copied card would cover a card
        already on the canvas."""
        cards = [tuple(n.position) for n in (self.model.node(i) for i in self.model.node_ids())
                 if n.position is not None]
        copies = [tuple(n.get("position") or (0, 0)) for n in fragment.get("nodes", [])
                  if isinstance(n, dict)]
        offset = step
        for _ in range(50):
            if not any(abs(x + offset - cx) < style.NODE_W and abs(y + offset - cy) < CARD_H
                       for x, y in copies for cx, cy in cards):
                break
            offset += PASTE_STEP
        return (offset, offset)
