"""Undo commands: each one only calls GraphModel, and its undo restores the exact prior state.

Every command edits inside ``model.command_edit()`` (``ModelCommand``), so the model knows the
undo stack tracks the change. Constructor signatures are pinned in docs/architecture.md.
"""
from __future__ import annotations

import copy

import numpy as np
from PySide6.QtGui import QUndoCommand

from engine import GraphError


def _copy_value(value):
    """A private copy of a value (arrays copied, anything else deep-copied, never converted:
    the engine decides what a value is)."""
    if value is None:
        return None
    if isinstance(value, np.ndarray):
        return np.array(value, copy=True)
    return copy.deepcopy(value)


def refused(command: QUndoCommand, model, exc: Exception) -> None:
    """A pushed edit the engine refuses: nothing changed; the command drops off the stack (Qt
    deletes an obsolete command right after push) and the model reports why."""
    command.setObsolete(True)
    model.report_failure(f"{command.text()}: {exc}")


class ModelCommand(QUndoCommand):
    """A command whose ``apply`` / ``revert`` edit the model as the undo stack's edits."""

    model = None
    landed = None       # optional callable("after" | "before"): called once the command is
                        # done / undone (the training session follows where its runs land)

    def redo(self):
        with self.model.command_edit():
            self.apply()
        _landed(self, "after")

    def undo(self):
        with self.model.command_edit():
            self.revert()
        _landed(self, "before")

    def apply(self):
        raise NotImplementedError

    def revert(self):
        raise NotImplementedError


class AddNode(ModelCommand):
    def __init__(self, model, node_id, op, attrs=None, value=None, position=(0, 0), extra=None,
                 parent=None):
        super().__init__(f"Add {op} '{node_id}'", parent)
        self.model, self.node_id, self.op = model, node_id, op
        self.attrs, self.value = copy.deepcopy(attrs), _copy_value(value)
        self.position, self.extra = tuple(position), copy.deepcopy(extra)

    def apply(self):
        try:
            self.model.add_node(self.node_id, self.op, self.attrs, self.value, self.position,
                                self.extra)
        except GraphError as exc:
            refused(self, self.model, exc)

    def revert(self):
        self.model.remove_node(self.node_id)


class Disconnect(ModelCommand):
    def __init__(self, model, target, port, parent=None, keep_order=True):
        super().__init__(f"Disconnect {target}:{port}", parent)
        self.model, self.target, self.port = model, target, port
        self.source = model.source_of(target, port)
        self.extra = model.edge_extra(target, port)
        # a RemoveNodes restores the order once for all its edges (keep_order=False)
        self.order = model.order() if keep_order else None

    def apply(self):
        if self.source is not None:
            self.model.disconnect(self.target, self.port)

    def revert(self):
        if self.source is not None:
            self.model.connect(self.source, self.target, self.port, self.extra)
            if self.order is not None:
                self.model.restore_order(*self.order)


class Connect(ModelCommand):
    """Connect ``source`` to ``target``'s input ``port``, replacing an edge already there."""

    def __init__(self, model, source, target, port, parent=None):
        super().__init__(f"Connect {source} → {target}:{port}", parent)
        self.model, self.source, self.target, self.port = model, source, target, port
        self.old_source = model.source_of(target, port)
        self.old_extra = model.edge_extra(target, port) if self.old_source else {}
        self.order = model.order()

    def apply(self):
        problem = self.model.connect_problem(self.source, self.target, self.port)
        if problem is not None:
            refused(self, self.model, GraphError.of(problem))
            return
        if self.old_source is not None:
            self.model.disconnect(self.target, self.port)
        self.model.connect(self.source, self.target, self.port)

    def revert(self):
        self.model.disconnect(self.target, self.port)
        if self.old_source is not None:
            self.model.connect(self.old_source, self.target, self.port, self.old_extra)
            self.model.restore_order(*self.order)


class RemoveNodes(ModelCommand):
    """Remove nodes; their edges are removed first by child Disconnect commands (Orange style)."""

    def __init__(self, model, node_ids, parent=None):
        ids = set(node_ids)
        order = [n for n in model.node_ids() if n in ids]
        label = f"Delete '{order[0]}'" if len(order) == 1 else f"Delete {len(order)} nodes"
        super().__init__(label, parent)
        self.model = model
        self.old_loss = model.loss
        self.order = model.order()
        self.records = []
        for node_id in order:
            node = model.node(node_id)
            self.records.append((node.id, node.op, dict(node.attrs), _copy_value(node.value),
                                 None if node.position is None else tuple(node.position),
                                 copy.deepcopy(dict(node.extra))))
        edges = [e for e in model.edges() if e.source in ids or e.target in ids]
        # Child commands are held in Python (Qt-parented children crash PySide on teardown).
        # Undo re-adds the edges in order; restore_order then puts nodes and edges back exactly.
        self.edge_commands = [Disconnect(model, edge.target, edge.port, keep_order=False)
                              for edge in edges]

    def apply(self):
        for child in self.edge_commands:
            child.redo()
        for record in self.records:
            self.model.remove_node(record[0])

    def revert(self):
        for node_id, op, attrs, value, position, extra in self.records:
            self.model.add_node(node_id, op, copy.deepcopy(attrs), _copy_value(value), position,
                                copy.deepcopy(extra))
        for child in self.edge_commands:
            child.undo()
        self.model.restore_order(*self.order)
        if self.old_loss is not None and self.model.loss != self.old_loss:
            self.model.set_loss(self.old_loss)


class MoveNodes(ModelCommand):
    """One drag: ``{id: (old_xy, new_xy)}`` for every node that moved."""

    def __init__(self, model, moves: dict, parent=None):
        text = f"Move '{next(iter(moves))}'" if len(moves) == 1 else f"Move {len(moves)} nodes"
        super().__init__(text, parent)
        self.model = model
        self.moves = {k: (tuple(old) if old is not None else None, tuple(new))
                      for k, (old, new) in moves.items()}

    def apply(self):
        for node_id, (_old, new) in self.moves.items():
            self.model.move_node(node_id, new)

    def revert(self):
        for node_id, (old, _new) in self.moves.items():
            self.model.move_node(node_id, old)


class NudgeNodes(MoveNodes):
    """A move by the keyboard (Alt+arrows). Consecutive nudges of the same nodes merge into
    one undo step; nudges that end where they began leave none."""

    ID = 0x6E0D

    def id(self):
        return self.ID

    def mergeWith(self, other) -> bool:
        if not isinstance(other, NudgeNodes) or other.model is not self.model \
                or other.moves.keys() != self.moves.keys():
            return False
        self.moves = {k: (old, other.moves[k][1]) for k, (old, _new) in self.moves.items()}
        self.setText(other.text())
        if all(old == new for old, new in self.moves.values()):
            self.setObsolete(True)
        return True


class SetAttr(ModelCommand):
    def __init__(self, model, node_id, name, value, parent=None):
        super().__init__(f"Set {node_id}.{name}", parent)
        self.model, self.node_id, self.name = model, node_id, name
        self.value = copy.deepcopy(value)
        self.old = copy.deepcopy(model.node(node_id).attrs.get(name))

    def apply(self):
        try:
            self.model.set_attr(self.node_id, self.name, copy.deepcopy(self.value))
        except GraphError as exc:
            refused(self, self.model, exc)

    def revert(self):
        self.model.set_attr(self.node_id, self.name, copy.deepcopy(self.old))


class ChangeOp(ModelCommand):
    """Turn one node, or several, into ``op`` in place (same arity: wires, ids and values
    kept): one undo step that brings back each node's old op and attrs."""

    def __init__(self, model, node_ids, op, attrs=None, parent=None):
        ids = [node_ids] if isinstance(node_ids, str) else list(node_ids)
        text = (f"Change '{ids[0]}' to {op}" if len(ids) == 1
                else f"Change {len(ids)} nodes to {op}")
        super().__init__(text, parent)
        self.model, self.node_ids, self.op = model, ids, op
        self.attrs = copy.deepcopy(attrs)
        self.old = {n: (model.node(n).op, dict(model.node(n).attrs)) for n in ids}

    def apply(self):
        done = []
        try:
            for node_id in self.node_ids:
                self.model.change_op(node_id, self.op, copy.deepcopy(self.attrs))
                done.append(node_id)
        except GraphError as exc:
            for node_id in reversed(done):     # all or nothing
                self.model.change_op(node_id, *copy.deepcopy(self.old[node_id]))
            refused(self, self.model, exc)

    def revert(self):
        for node_id in reversed(self.node_ids):
            self.model.change_op(node_id, *copy.deepcopy(self.old[node_id]))


class SetValue(ModelCommand):
    def __init__(self, model, node_id, value, parent=None):
        super().__init__(f"Set value of '{node_id}'", parent)
        self.model, self.node_id = model, node_id
        self.value = _copy_value(value)
        self.old = _copy_value(model.node(node_id).value)

    def apply(self):
        try:
            self.model.set_value(self.node_id, _copy_value(self.value))
        except (GraphError, ValueError, TypeError) as exc:
            refused(self, self.model, exc)

    def revert(self):
        self.model.set_value(self.node_id, _copy_value(self.old))


class ScrubValue(SetValue):
    """One step of dragging a value on the canvas. The steps of one drag (same ``drag`` token,
    same node) merge into a single undo step; a drag that ends where it began leaves none."""

    ID = 0x5C12

    def __init__(self, model, node_id, value, drag, parent=None):
        super().__init__(model, node_id, value, parent)
        self.setText(f"Drag value of '{node_id}'")
        self.drag = drag

    def id(self):
        return self.ID

    def mergeWith(self, other) -> bool:
        if not isinstance(other, ScrubValue) or (other.drag, other.node_id) != (self.drag,
                                                                                self.node_id):
            return False
        self.value = _copy_value(other.value)
        if self.old is not None and np.array_equal(np.asarray(self.old), np.asarray(self.value)):
            self.setObsolete(True)
        return True


class SetValues(ModelCommand):
    """Several leaves get new values in one step, e.g. "Train 200 steps" (parameters)."""

    def __init__(self, model, values: dict, text: str = "Set values", parent=None):
        super().__init__(text, parent)
        self.model = model
        self.new = {k: _copy_value(v) for k, v in values.items()}
        self.old = {k: _copy_value(model.node(k).value) for k in values}

    def apply(self):
        try:
            self.model.set_values({k: _copy_value(v) for k, v in self.new.items()})
        except GraphError as exc:
            refused(self, self.model, exc)

    def revert(self):
        self.model.set_values({k: _copy_value(v) for k, v in self.old.items()})


class RenameNode(ModelCommand):
    def __init__(self, model, old_id, new_id, parent=None):
        super().__init__(f"Rename '{old_id}' to '{new_id}'", parent)
        self.model, self.old_id, self.new_id = model, old_id, new_id

    def apply(self):
        try:
            self.model.rename_node(self.old_id, self.new_id)
        except GraphError as exc:
            refused(self, self.model, exc)

    def revert(self):
        self.model.rename_node(self.new_id, self.old_id)


class SetLoss(ModelCommand):
    def __init__(self, model, node_id, parent=None):
        super().__init__(f"Set loss to '{node_id}'" if node_id else "Clear loss", parent)
        self.model, self.node_id, self.old = model, node_id, model.loss

    def apply(self):
        try:
            self.model.set_loss(self.node_id)
        except GraphError as exc:
            refused(self, self.model, exc)

    def revert(self):
        self.model.set_loss(self.old)


class InsertFragment(ModelCommand):
    """Insert a fragment (paste, duplicate, template): fresh ids, inner edges kept, positions
    offset. ``node_ids`` lists the inserted ids (the view selects them). The constructor
    raises GraphError, saying why, for a fragment that cannot be inserted whole."""

    def __init__(self, model, fragment: dict, offset=(0, 0), text="Insert", parent=None):
        super().__init__(text, parent)
        self.model = model
        insertion = model.plan_insertion(fragment, offset)
        self.nodes, self.edges = insertion.nodes, insertion.edges
        self.node_ids = [n[0] for n in self.nodes]

    def apply(self):
        for node_id, op, attrs, value, position, extra in self.nodes:
            self.model.add_node(node_id, op, copy.deepcopy(attrs), _copy_value(value), position,
                                copy.deepcopy(extra))
        for src, dst, port, extra in self.edges:
            self.model.connect(src, dst, port, copy.deepcopy(extra))

    def revert(self):
        for node_id in reversed(self.node_ids):
            self.model.remove_node(node_id)


class AutoLayout(ModelCommand):
    """Place nodes at ``positions`` ({id: (x, y)}) in one undo step."""

    def __init__(self, model, positions: dict, parent=None):
        super().__init__("Auto layout", parent)
        self.model = model
        self.new = {k: tuple(v) for k, v in positions.items()}
        self.old = {k: model.node(k).position for k in self.new}

    def apply(self):
        for node_id, pos in self.new.items():
            self.model.move_node(node_id, pos)

    def revert(self):
        for node_id, pos in self.old.items():
            self.model.move_node(node_id, pos)


SETTINGS_TEXT = "Change training settings"


class SetTrainingSections(ModelCommand):
    """The document's data and training sections replaced, one undo step. Settings edits in
    a row (`merge`) become one step; the step that ends a run (recording the data's
    standardisation) does not merge."""

    MERGE_ID = 7801

    def __init__(self, model, data: dict | None, training: dict | None,
                 text: str = SETTINGS_TEXT, merge: bool = True, parent=None):
        super().__init__(text, parent)
        self.model, self.merge = model, merge
        self.old = model.training_sections()
        self.new = (copy.deepcopy(data), copy.deepcopy(training))

    def id(self) -> int:
        return self.MERGE_ID if self.merge else -1

    def mergeWith(self, other) -> bool:
        if not isinstance(other, SetTrainingSections) or not other.merge \
                or other.model is not self.model:
            return False
        self.new = other.new
        return True

    def apply(self):
        self.model.set_training_sections(*copy.deepcopy(self.new))

    def revert(self):
        self.model.set_training_sections(*copy.deepcopy(self.old))


class Steps(QUndoCommand):
    """Several commands as one undo step (Python-owned parts: no Qt parent to outlive)."""

    def __init__(self, text: str, parts: list):
        super().__init__(text)
        self.parts = parts

    landed = None       # as ModelCommand.landed, once every part is done / undone

    def redo(self):
        for part in self.parts:
            part.redo()
        _landed(self, "after")

    def undo(self):
        for part in reversed(self.parts):
            part.undo()
        _landed(self, "before")


def _landed(command, where: str) -> None:
    if command.landed is not None:
        command.landed(where)


class ChangeNetwork(ModelCommand):
    """A change of the document's network (``GraphModel.network_change`` and friends: a
    unit, a layer, an activation, adapting to data, a new network) as one undo step; undo
    restores the document exactly."""

    def __init__(self, model, change, parent=None):
        super().__init__(change.text, parent)
        self.model, self.change = model, change

    def apply(self):
        self.model.apply_graph_edit(self.change.forward)

    def revert(self):
        self.model.apply_graph_edit(self.change.backward)
