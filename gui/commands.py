"""Undo commands: each one only calls GraphModel, and its undo restores the exact prior state.

Constructor signatures are pinned in docs/architecture.md (the window pushes some of these).
"""
from __future__ import annotations

import copy
import re

import networkx as nx
import numpy as np
from PySide6.QtGui import QUndoCommand

from engine import GraphError

NODE_KEYS = ("id", "op", "attrs", "value", "position")
EDGE_KEYS = ("source", "target", "port")


def _copy_value(value):
    return None if value is None else np.array(value, dtype=np.float64, copy=True)


def fresh_id(model, base: str, taken: set) -> str:
    """An id unused in the model and not in ``taken``: ``base``, else ``prefix2``, ``prefix3``…"""
    if not model.has_node(base) and base not in taken:
        return base
    prefix = re.sub(r"\d+$", "", base) or base
    n = 2
    while model.has_node(f"{prefix}{n}") or f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


def refused(command: QUndoCommand, model, exc: Exception) -> None:
    """A pushed edit the engine refuses: nothing changed; the command drops off the stack (Qt
    deletes an obsolete command right after push) and the model reports why."""
    command.setObsolete(True)
    model.report_failure(f"{command.text()}: {exc}")


class AddNode(QUndoCommand):
    def __init__(self, model, node_id, op, attrs=None, value=None, position=(0, 0), extra=None,
                 parent=None):
        super().__init__(f"Add {op} '{node_id}'", parent)
        self.model, self.node_id, self.op = model, node_id, op
        self.attrs, self.value = copy.deepcopy(attrs), _copy_value(value)
        self.position, self.extra = tuple(position), copy.deepcopy(extra)

    def redo(self):
        try:
            self.model.add_node(self.node_id, self.op, self.attrs, self.value, self.position,
                                self.extra)
        except GraphError as exc:
            refused(self, self.model, exc)

    def undo(self):
        self.model.remove_node(self.node_id)


class Disconnect(QUndoCommand):
    def __init__(self, model, target, port, parent=None, keep_order=True):
        super().__init__(f"Disconnect {target}:{port}", parent)
        self.model, self.target, self.port = model, target, port
        self.source = model.source_of(target, port)
        self.extra = model.edge_extra(target, port)
        # a RemoveNodes restores the order once for all its edges (keep_order=False)
        self.order = model.order() if keep_order else None

    def redo(self):
        if self.source is not None:
            self.model.disconnect(self.target, self.port)

    def undo(self):
        if self.source is not None:
            self.model.connect(self.source, self.target, self.port, self.extra)
            if self.order is not None:
                self.model.restore_order(*self.order)


class Connect(QUndoCommand):
    """Connect ``source`` to ``target``'s input ``port``, replacing an edge already there."""

    def __init__(self, model, source, target, port, parent=None):
        super().__init__(f"Connect {source} → {target}:{port}", parent)
        self.model, self.source, self.target, self.port = model, source, target, port
        self.old_source = model.source_of(target, port)
        self.old_extra = model.edge_extra(target, port) if self.old_source else {}
        self.order = model.order()

    def redo(self):
        problem = self.model.connect_problem(self.source, self.target, self.port)
        if problem is not None:
            refused(self, self.model, GraphError(problem))
            return
        if self.old_source is not None:
            self.model.disconnect(self.target, self.port)
        self.model.connect(self.source, self.target, self.port)

    def undo(self):
        self.model.disconnect(self.target, self.port)
        if self.old_source is not None:
            self.model.connect(self.old_source, self.target, self.port, self.old_extra)
            self.model.restore_order(*self.order)


class RemoveNodes(QUndoCommand):
    """Remove nodes; their edges are removed first by child Disconnect commands (Orange style)."""

    def __init__(self, model, node_ids, parent=None):
        ids = set(node_ids)
        order = [n for n in model.graph.node_ids() if n in ids]
        label = f"Delete '{order[0]}'" if len(order) == 1 else f"Delete {len(order)} nodes"
        super().__init__(label, parent)
        self.model = model
        self.old_loss = model.graph.loss
        self.order = model.order()
        self.records = []
        for node_id in order:
            node = model.node(node_id)
            self.records.append((node.id, node.op, copy.deepcopy(node.attrs),
                                 _copy_value(node.value),
                                 None if node.position is None else tuple(node.position),
                                 copy.deepcopy(node.extra)))
        edges = [e for e in model.graph.edges() if e.source in ids or e.target in ids]
        # children undo in reverse creation order: create them reversed so undo re-adds the
        # edges in their original order
        # child commands held in Python (Qt-parented child commands crash PySide on teardown)
        self.edge_commands = [Disconnect(model, edge.target, edge.port, keep_order=False)
                              for edge in edges]

    def redo(self):
        for child in self.edge_commands:
            child.redo()
        for record in self.records:
            self.model.remove_node(record[0])

    def undo(self):
        for node_id, op, attrs, value, position, extra in self.records:
            self.model.add_node(node_id, op, copy.deepcopy(attrs), _copy_value(value), position,
                                copy.deepcopy(extra))
        for child in self.edge_commands:
            child.undo()
        self.model.restore_order(*self.order)
        if self.old_loss is not None and self.model.graph.loss != self.old_loss:
            self.model.set_loss(self.old_loss)


class MoveNodes(QUndoCommand):
    """One drag: ``{id: (old_xy, new_xy)}`` for every node that moved."""

    def __init__(self, model, moves: dict, parent=None):
        text = f"Move '{next(iter(moves))}'" if len(moves) == 1 else f"Move {len(moves)} nodes"
        super().__init__(text, parent)
        self.model = model
        self.moves = {k: (tuple(old) if old is not None else None, tuple(new))
                      for k, (old, new) in moves.items()}

    def redo(self):
        for node_id, (_old, new) in self.moves.items():
            self.model.move_node(node_id, new)

    def undo(self):
        for node_id, (old, _new) in self.moves.items():
            self.model.move_node(node_id, old)


class SetAttr(QUndoCommand):
    def __init__(self, model, node_id, name, value, parent=None):
        super().__init__(f"Set {node_id}.{name}", parent)
        self.model, self.node_id, self.name = model, node_id, name
        self.value = copy.deepcopy(value)
        self.old = copy.deepcopy(model.node(node_id).attrs.get(name))

    def redo(self):
        try:
            self.model.set_attr(self.node_id, self.name, copy.deepcopy(self.value))
        except GraphError as exc:
            refused(self, self.model, exc)

    def undo(self):
        self.model.set_attr(self.node_id, self.name, copy.deepcopy(self.old))


class SetValue(QUndoCommand):
    def __init__(self, model, node_id, value, parent=None):
        super().__init__(f"Set value of '{node_id}'", parent)
        self.model, self.node_id = model, node_id
        self.value = _copy_value(value)
        self.old = _copy_value(model.node(node_id).value)

    def redo(self):
        try:
            self.model.set_value(self.node_id, _copy_value(self.value))
        except (GraphError, ValueError, TypeError) as exc:
            refused(self, self.model, exc)

    def undo(self):
        self.model.set_value(self.node_id, _copy_value(self.old))


class RenameNode(QUndoCommand):
    def __init__(self, model, old_id, new_id, parent=None):
        super().__init__(f"Rename '{old_id}' to '{new_id}'", parent)
        self.model, self.old_id, self.new_id = model, old_id, new_id

    def redo(self):
        try:
            self.model.rename_node(self.old_id, self.new_id)
        except GraphError as exc:
            refused(self, self.model, exc)

    def undo(self):
        self.model.rename_node(self.new_id, self.old_id)


class SetLoss(QUndoCommand):
    def __init__(self, model, node_id, parent=None):
        super().__init__(f"Set loss to '{node_id}'" if node_id else "Clear loss", parent)
        self.model, self.node_id, self.old = model, node_id, model.graph.loss

    def redo(self):
        try:
            self.model.set_loss(self.node_id)
        except GraphError as exc:
            refused(self, self.model, exc)

    def undo(self):
        self.model.set_loss(self.old)


class InsertFragment(QUndoCommand):
    """Insert a fragment (paste, duplicate, template): fresh ids, inner edges kept, positions
    offset. ``node_ids`` lists the inserted ids (the view selects them)."""

    def __init__(self, model, fragment: dict, offset=(0, 0), text="Insert", parent=None):
        super().__init__(text, parent)
        self.model = model
        nodes = [n for n in fragment.get("nodes", []) if isinstance(n, dict) and "id" in n]
        taken: set = set()
        self.id_map = {}
        for node in nodes:
            self.id_map[node["id"]] = new = fresh_id(model, str(node["id"]), taken)
            taken.add(new)
        dx, dy = float(offset[0]), float(offset[1])
        self.nodes = []
        for node in nodes:
            pos = node.get("position") or (0, 0)
            extra = {k: copy.deepcopy(v) for k, v in node.items() if k not in NODE_KEYS}
            self.nodes.append((self.id_map[node["id"]], node["op"], copy.deepcopy(node.get("attrs")),
                               node.get("value"), (float(pos[0]) + dx, float(pos[1]) + dy), extra))
        self.edges = []
        used_ports = set()
        for edge in fragment.get("edges", []):
            src, dst = self.id_map.get(edge.get("source")), self.id_map.get(edge.get("target"))
            port = edge.get("port", 0)
            if src is None or dst is None or (dst, port) in used_ports:
                continue
            used_ports.add((dst, port))
            extra = {k: copy.deepcopy(v) for k, v in edge.items() if k not in EDGE_KEYS}
            self.edges.append((src, dst, int(port), extra))
        self.node_ids = [n[0] for n in self.nodes]

    def redo(self):
        for node_id, op, attrs, value, position, extra in self.nodes:
            self.model.add_node(node_id, op, copy.deepcopy(attrs), value, position,
                                copy.deepcopy(extra))
        for src, dst, port, extra in self.edges:
            self.model.connect(src, dst, port, copy.deepcopy(extra))

    def undo(self):
        for node_id in reversed(self.node_ids):
            self.model.remove_node(node_id)


class AutoLayout(QUndoCommand):
    """Place nodes at ``positions`` ({id: (x, y)}) in one undo step."""

    def __init__(self, model, positions: dict, parent=None):
        super().__init__("Auto layout", parent)
        self.model = model
        self.new = {k: tuple(v) for k, v in positions.items()}
        self.old = {k: model.node(k).position for k in self.new}

    def redo(self):
        for node_id, pos in self.new.items():
            self.model.move_node(node_id, pos)

    def undo(self):
        for node_id, pos in self.old.items():
            self.model.move_node(node_id, pos)


def layered_positions(graph, x_gap: float = 200.0, y_gap: float = 125.0) -> dict:
    """Left-to-right layout by topological layers (``nx.topological_generations``); within a
    layer, nodes sort by the mean row of their inputs to reduce crossings."""
    g = graph.nx
    order = {n: i for i, n in enumerate(graph.node_ids())}
    rows: dict = {}
    positions = {}
    for x, layer in enumerate(nx.topological_generations(g)):
        def key(n):
            preds = [rows[p] for p in g.predecessors(n) if p in rows]
            return (sum(preds) / len(preds) if preds else -1.0, order[n])
        layer = sorted(layer, key=key)
        top = -(len(layer) - 1) * y_gap / 2
        for i, node_id in enumerate(layer):
            rows[node_id] = i - (len(layer) - 1) / 2
            positions[node_id] = (x * x_gap, top + i * y_gap)
    return positions
