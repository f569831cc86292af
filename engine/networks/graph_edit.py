"""The difference between two graphs as one list of edits, so a GUI can push any network
edit (a layer, a unit, an adapt) as one undo step made of its ordinary commands.

``graph_edit(old, new)`` compares by node id. A node whose op changed (or that was renamed:
an id gone, another new) is removed and added. ``apply_edit(graph, edit)`` applies an edit
in place, in this order — the order a GUI's commands must follow too:

1. ``disconnect`` the edges (target, port) among kept nodes that ``new`` does not have;
2. ``remove`` nodes (with their edges);
3. ``add`` nodes (entries: id, op, attrs, value (an array or None), position, extra);
4. ``attrs``: {node: {name: value}} on kept nodes (a parameter's new shape drops its value…);
5. ``values``: {node: array} (… which comes back here);
6. ``connect`` edges (source, target, port);
7. ``positions``, the ``loss``, the top-level sections (``extra``), and the node and edge
   ``order``.

After that ``graph_to_dict(graph) == graph_to_dict(new)``.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class GraphEdit:
    """See the module doc. Empty when the graphs are the same."""
    disconnect: tuple = ()          # (target, port)
    remove: tuple = ()              # node ids
    add: tuple = ()                 # dicts: id, op, attrs, value, position, extra
    attrs: dict = field(default_factory=dict)      # node -> {name: value}
    values: dict = field(default_factory=dict)     # node -> array
    connect: tuple = ()             # (source, target, port)
    positions: dict = field(default_factory=dict)  # node -> (x, y)
    loss: str | None = None
    loss_changed: bool = False
    extra: dict | None = None       # the new top-level sections, when they changed
    order: tuple = ()               # every node id of the new graph, in order
    edge_order: tuple = ()          # every (target, port) of the new graph, in order

    @property
    def empty(self) -> bool:
        return not (self.disconnect or self.remove or self.add or self.attrs or self.values
                    or self.connect or self.positions or self.loss_changed
                    or self.extra is not None)


def _same_value(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return a.shape == b.shape and np.array_equal(a, b)


def graph_edit(old, new) -> GraphEdit:
    """The edits that turn `old` into `new` (see the module doc)."""
    old_ids, new_ids = set(old.node_ids()), set(new.node_ids())
    replaced = {n for n in old_ids & new_ids if old.node(n).op != new.node(n).op}
    remove = tuple(n for n in old.node_ids() if n not in new_ids or n in replaced)
    kept = old_ids - set(remove)
    add, attrs, values, positions = [], {}, {}, {}
    for node_id in new.node_ids():
        node = new.node(node_id)
        if node_id not in kept:
            add.append({"id": node_id, "op": node.op, "attrs": copy.deepcopy(node.attrs),
                        "value": node.value, "position": node.position,
                        "extra": copy.deepcopy(node.extra)})
            continue
        before = old.node(node_id)
        changed = {k: v for k, v in node.attrs.items() if before.attrs.get(k) != v}
        if changed:
            attrs[node_id] = copy.deepcopy(changed)
        reset = node.op == "parameter" and {"init", "shape", "seed"} & set(changed)
        if node.value is not None and (reset or not _same_value(before.value, node.value)):
            values[node_id] = node.value
        if before.position != node.position and node.position is not None:
            positions[node_id] = node.position
    old_edges = {(e.source, e.target, e.port) for e in old.edges()}
    new_edges = {(e.source, e.target, e.port) for e in new.edges()}
    disconnect = tuple((t, p) for s, t, p in ((e.source, e.target, e.port) for e in old.edges())
                       if (s, t, p) not in new_edges and s in kept and t in kept)
    connect = tuple((e.source, e.target, e.port) for e in new.edges()
                    if (e.source, e.target, e.port) not in old_edges
                    or e.source not in kept or e.target not in kept)
    extra = copy.deepcopy(new.extra) if new.extra != old.extra else None
    order_changed = old.node_ids() != new.node_ids() or \
        [(e.target, e.port) for e in old.edges()] != [(e.target, e.port) for e in new.edges()]
    return GraphEdit(disconnect, remove, tuple(add), attrs, values, connect, positions,
                     new.loss, new.loss != old.loss, extra,
                     tuple(new.node_ids()) if order_changed or add or remove else (),
                     tuple((e.target, e.port) for e in new.edges())
                     if order_changed or connect else ())


def apply_edit(graph, edit: GraphEdit) -> None:
    """Apply `edit` to `graph` in place, in the module doc's order."""
    for target, port in edit.disconnect:
        graph.disconnect(target, port)
    for node_id in edit.remove:
        graph.remove_node(node_id)
    for entry in edit.add:
        graph.add_node(entry["id"], entry["op"], entry["attrs"], entry["value"],
                       entry["position"], entry["extra"])
    for node_id, changes in edit.attrs.items():
        for name, value in changes.items():
            graph.set_attr(node_id, name, value)
    if edit.values:
        graph.set_values(dict(edit.values))
    for source, target, port in edit.connect:
        graph.connect(source, target, port)
    for node_id, position in edit.positions.items():
        graph.set_position(node_id, position)
    if edit.loss_changed:
        graph.loss = edit.loss
    if edit.extra is not None:
        graph.extra = copy.deepcopy(edit.extra)
    if edit.order or edit.edge_order:
        graph.reorder(edit.order or graph.node_ids(),
                      edit.edge_order or [(e.target, e.port) for e in graph.edges()])
