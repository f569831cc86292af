"""The computation graph: nodes and port-keyed edges over a ``networkx.MultiDiGraph``.

Editing calls (``add_node``, ``connect``, ``set_attr``, ...) keep the graph valid as a DAG and
bump ``version`` on every structural or attr change; ``check`` / ``infer_shapes`` say what is
wrong or known without running anything; ``forward`` / ``backward`` run the cached ``Plan`` and
leave the last pass in ``trace``. networkx is imported when the first Graph is made, not
with this module (``engine.cli``'s help and the GUI's vocabulary never load it).
"""
from __future__ import annotations

import copy
import math
import re
from operator import attrgetter

import numpy as np

from engine.errors import GraphError, Kind, Problem
from engine.ops import OPS, normalize_attrs
from engine.ops.base import fmt
from engine.leaf_values import LeafValues
from engine.nodes import Edge, Node
from engine.plan import Plan
from engine.trace import Trace
from engine.values import checked_position, initial_value, is_finite, nonfinite_kind

INIT_ATTRS = ("init", "shape", "seed")  # changing one re-initialises a parameter
_SHAPE = attrgetter("shape")


class Graph(LeafValues):
    """A computation graph; see ``docs/architecture.md`` for the contract. Giving leaves their
    values and gathering a pass's leaf values live in ``engine/leaf_values.py``."""

    def __init__(self):
        import networkx as nx   # here, not at the top: see the module's docstring
        self.nx = nx.MultiDiGraph()
        self.extra: dict = {}
        self.trace: Trace | None = None
        self.values: dict = {}
        self.grads: dict = {}
        self.version = 0
        self._loss: str | None = None
        self._nodes: dict[str, Node] = {}
        self._edges: dict[tuple[str, int], Edge] = {}  # (target, port) -> Edge, in order
        self._plan: Plan | None = None
        self._fresh = False           # values match the current structure and leaf values
        self._finite_ok: dict = {}    # leaf id -> the array last found finite
        self._fed_ok: dict = {}       # leaf id -> the fed array last found finite
        self._analysis_key = None
        self._analysis = ({}, {})

    # ------------------------------------------------------------------ properties
    @property
    def loss(self) -> str | None:
        return self._loss

    @loss.setter
    def loss(self, node_id: str | None):
        if node_id is not None and node_id not in self._nodes:
            raise GraphError(Kind.NO_NODE, f"no node {node_id!r} to use as the loss")
        self._loss = node_id

    @property
    def data(self) -> dict | None:
        return self.extra.get("data")

    @property
    def training(self) -> dict | None:
        return self.extra.get("training")

    def _changed(self):
        self.version += 1
        self._fresh = False

    # ------------------------------------------------------------------ reading
    def node(self, node_id: str) -> Node:
        try:
            return self._nodes[node_id]
        except KeyError:
            raise GraphError(Kind.NO_NODE, f"no node {node_id!r}") from None

    def __contains__(self, node_id) -> bool:
        return node_id in self._nodes

    def __repr__(self) -> str:
        return (f"Graph({len(self._nodes)} nodes, {len(self._edges)} edges, "
                f"loss={self._loss!r})")

    def node_ids(self) -> list[str]:
        return list(self._nodes)

    def edges(self) -> list[Edge]:
        return list(self._edges.values())

    def input_sources(self, node_id: str) -> list[str | None]:
        node = self.node(node_id)
        op = OPS.get(node.op)
        arity = op.arity if op else 1 + max((p for t, p in self._edges if t == node_id),
                                            default=-1)
        edges = self._edges
        return [e.source if (e := edges.get((node_id, port))) else None for port in range(arity)]

    def consumers(self, node_id: str) -> list[tuple[str, int]]:
        """(target, port) pairs fed by ``node_id``, in edge order."""
        return [(e.target, e.port) for e in self._edges.values() if e.source == node_id]

    def new_id(self, base: str, taken=()) -> str:
        """An id used neither in the graph nor in ``taken``: ``base`` itself, else its prefix
        without a number suffix and the first free number (``mul`` → ``mul2``, ``mul2`` →
        ``mul3``)."""
        base = base or "node"
        if base not in self._nodes and base not in taken:
            return base
        prefix = re.sub(r"\d+$", "", base) or base
        n = 2
        while f"{prefix}{n}" in self._nodes or f"{prefix}{n}" in taken:
            n += 1
        return f"{prefix}{n}"

    # ------------------------------------------------------------------ editing
    def add_node(self, node_id, op, attrs=None, value=None, position=None, extra=None) -> Node:
        """Add a node; attrs are merged over the op's defaults and checked."""
        if not isinstance(node_id, str) or not node_id:
            raise GraphError(Kind.BAD_ID, "a node id must be a non-empty string")
        if node_id in self._nodes:
            raise GraphError(Kind.DUPLICATE_ID, "this id is already used", node_id)
        if op not in OPS:
            raise GraphError(Kind.UNKNOWN_OP, f"unknown op {op!r}", node_id)
        try:
            attrs = normalize_attrs(op, attrs)
        except ValueError as exc:
            raise GraphError(Kind.BAD_ATTR, f"bad attr: {exc}", node_id) from None
        if value is not None:
            value = self._leaf_value(node_id, op, value)
        node = Node(node_id, op, attrs, value, checked_position(node_id, position),
                    dict(extra or {}))
        self._nodes[node_id] = node
        self.nx.add_node(node_id, node=node)
        self._changed()
        return node

    def remove_node(self, node_id: str) -> None:
        self.node(node_id)
        for key in [k for k, e in self._edges.items() if node_id in (e.source, e.target)]:
            del self._edges[key]
        self.nx.remove_node(node_id)
        del self._nodes[node_id]
        self._finite_ok.pop(node_id, None)
        self._fed_ok.pop(node_id, None)
        if self._loss == node_id:
            self._loss = None
        self._changed()

    def can_connect(self, source, target, port, replace: bool = False) -> Problem | None:
        """None when ``source → target[port]`` may be added, else the ``Problem`` saying why
        not (kinds: no_node, self_loop, unknown_op, port, occupied, cycle). With ``replace``,
        an occupied input is no refusal (the caller disconnects it first). Never raises."""
        def refuse(kind, message):
            return Problem(kind, message, target if target in self._nodes else None,
                           port if isinstance(port, int) and not isinstance(port, bool) else None)
        try:
            if source not in self._nodes:
                return refuse(Kind.NO_NODE, f"no node {source!r}")
            if target not in self._nodes:
                return refuse(Kind.NO_NODE, f"no node {target!r}")
            if source == target:
                return refuse(Kind.SELF_LOOP, "a node cannot feed itself")
            op = OPS.get(self._nodes[target].op)
            if op is None:
                return refuse(Kind.UNKNOWN_OP, f"{target!r} has an unknown op")
            if isinstance(port, bool) or not isinstance(port, (int, np.integer)):
                return refuse(Kind.PORT, f"port must be an integer, not {port!r}")
            if not 0 <= port < op.arity:
                has = "no inputs" if op.arity == 0 else (
                    f"{op.arity} input" + ("s" if op.arity > 1 else ""))
                return refuse(Kind.PORT, f"port {port} out of range: {op.name} has {has}")
            if not replace and (target, int(port)) in self._edges:
                return refuse(Kind.OCCUPIED, f"input {port} of {target!r} is already connected")
            import networkx as nx   # loaded by __init__ already: a dict look-up
            if nx.has_path(self.nx, target, source):
                path = nx.shortest_path(self.nx, target, source)
                return refuse(Kind.CYCLE, "would create a cycle: " + " → ".join([source, *path]))
            return None
        except Exception as exc:  # never raise to a GUI asking "may I?"
            return Problem(Kind.INTERNAL, f"cannot connect: {exc}")

    def connect(self, source, target, port, extra=None) -> Edge:
        problem = self.can_connect(source, target, port)
        if problem is not None:
            raise GraphError.of(problem)
        edge = Edge(source, target, int(port), dict(extra or {}))
        self._edges[(target, int(port))] = edge
        self.nx.add_edge(source, target, key=int(port), edge=edge)
        self._changed()
        return edge

    def disconnect(self, target, port) -> str | None:
        """Remove the edge into ``target[port]``; return its source (None if there was none)."""
        edge = self._edges.pop((target, port), None)
        if edge is None:
            return None
        self.nx.remove_edge(edge.source, target, key=port)
        self._changed()
        return edge.source

    def set_attr(self, node_id, name, value) -> None:
        """Change one attr. On a ``parameter``, changing init/shape/seed re-initialises it."""
        node = self.node(node_id)
        try:
            attrs = normalize_attrs(node.op, {**node.attrs, name: value})
        except ValueError as exc:
            raise GraphError(Kind.BAD_ATTR, f"bad attr: {exc}", node_id) from None
        if attrs == node.attrs:
            return  # unchanged: keep the plan, and a parameter keeps its (trained) value
        node.attrs = attrs  # a new dict: plans and traces keep the old one
        if node.op == "parameter" and name in INIT_ATTRS:
            node.value = None
        self._changed()

    def change_op(self, node_id, op: str, attrs=None) -> tuple[str, dict]:
        """Turn ``node_id`` into another op of the same arity, keeping its id, wires, value,
        position and extra keys (tanh → relu, add → mul). Attrs the new op shares with the old
        one are kept, ``attrs`` override them, the rest take the new op's defaults. Returns the
        old ``(op, attrs)`` (what an undo restores). GraphError when the op is unknown, has
        another number of inputs, or an attr is bad; nothing changes then."""
        node = self.node(node_id)
        new = OPS.get(op)
        if new is None:
            raise GraphError(Kind.UNKNOWN_OP, f"unknown op {op!r}", node_id)
        old = OPS.get(node.op)
        if old is None or old.arity != new.arity:
            has = "?" if old is None else old.arity
            raise GraphError(Kind.PORT, f"cannot change {node.op} ({has} inputs) to {op} "
                                        f"({new.arity} inputs): the arity must be the same",
                             node_id)
        kept = {k: v for k, v in node.attrs.items() if k in new.attrs}
        try:
            merged = normalize_attrs(op, {**kept, **dict(attrs or {})})
        except ValueError as exc:
            raise GraphError(Kind.BAD_ATTR, f"bad attr: {exc}", node_id) from None
        before = (node.op, node.attrs)
        if (op, merged) != before:
            node.op, node.attrs = op, merged
            self._changed()
        return before

    def fresh_value(self, node_id, **attrs) -> np.ndarray:
        """A parameter's value drawn anew from its ``init``, ``shape`` and ``seed`` (``attrs``
        override them; a missing shape is the current value's). Changes nothing."""
        node = self.node(node_id)
        if node.op != "parameter":
            raise GraphError(Kind.BAD_VALUE, f"only a parameter is initialised, not a {node.op}",
                             node_id)
        merged = {**node.attrs, **attrs}
        if merged.get("shape") is None and node.value is not None:
            merged["shape"] = list(node.value.shape)
        return initial_value(Node(node_id, node.op, merged))

    def set_position(self, node_id, position) -> None:
        self.node(node_id).position = checked_position(node_id, position)

    def rename_node(self, old: str, new: str) -> None:
        """Rename, keeping the node's place in the order, its edges and the loss."""
        node = self.node(old)
        if old == new:
            return
        if not isinstance(new, str) or not new:
            raise GraphError(Kind.BAD_ID, "a node id must be a non-empty string", old)
        if new in self._nodes:
            raise GraphError(Kind.DUPLICATE_ID, f"cannot rename to {new!r}: that id is already used",
                             old)
        node.id = new
        self._nodes = {(new if k == old else k): v for k, v in self._nodes.items()}
        self._edges = {
            (new if t == old else t, p): Edge(new if e.source == old else e.source,
                                             new if e.target == old else e.target, p, e.extra)
            for (t, p), e in self._edges.items()}
        import networkx as nx
        self.nx = nx.relabel_nodes(self.nx, {old: new}, copy=True)
        for (t, p), e in self._edges.items():
            self.nx.edges[e.source, e.target, p]["edge"] = e
        for cache in (self._finite_ok, self._fed_ok):
            if old in cache:
                cache[new] = cache.pop(old)
        if self._loss == old:
            self._loss = new
        self.values, self.grads, self.trace = {}, {}, None
        self._changed()

    def reorder(self, node_ids, edge_keys) -> None:
        """Put nodes and edges (keys ``(target, port)``) in the given order, so an undo that
        re-adds them restores the file's order; anything not listed keeps its place after."""
        rank = {n: i for i, n in enumerate(node_ids)}
        self._nodes = dict(sorted(self._nodes.items(), key=lambda kv: rank.get(kv[0], len(rank))))
        rank = {k: i for i, k in enumerate(edge_keys)}
        self._edges = dict(sorted(self._edges.items(), key=lambda kv: rank.get(kv[0], len(rank))))

    def copy(self) -> "Graph":
        """An independent copy (values copied too); results and trace are not carried over."""
        other = Graph()
        for node in self._nodes.values():
            other.add_node(node.id, node.op, dict(node.attrs),
                           None if node.value is None else node.value.copy(),
                           node.position, copy.deepcopy(node.extra))
        for edge in self._edges.values():
            other.connect(edge.source, edge.target, edge.port, copy.deepcopy(edge.extra))
        other._loss = self._loss
        other.extra = copy.deepcopy(self.extra)
        return other

    # ------------------------------------------------------------------ analysis
    def plan(self) -> Plan:
        """The compiled plan for the current structure (rebuilt only after a change)."""
        plan = self._plan
        if plan is None or plan.version != self.version:
            plan = self._plan = Plan.build(self)
        return plan

    def _leaf_shape(self, node: Node, problems: dict):
        """The leaf's shape, or None with a problem recorded."""
        if node.value is not None:
            if self._finite_ok.get(node.id) is not node.value:
                if not is_finite(node.value):
                    problems[node.id] = Problem(
                        Kind.NONFINITE, f"its value is not finite ({nonfinite_kind(node.value)})",
                        node.id)
                    return None
                self._finite_ok[node.id] = node.value
            return node.value.shape
        if node.op == "parameter":
            if node.attrs.get("shape") is None:
                problems[node.id] = Problem(
                    Kind.MISSING_VALUE, "this parameter has no value and no shape to initialise",
                    node.id)
                return None
            return tuple(node.attrs["shape"])
        problems[node.id] = Problem(Kind.MISSING_VALUE, f"this {node.op} has no value", node.id)
        return None

    def _current_analysis(self) -> tuple[dict, dict]:
        plan = self.plan()
        problems = {}
        leaf_shapes = {nid: self._leaf_shape(node, problems) for nid, node in plan.leaves
                       if node.op in OPS}
        key = (self.version, self._loss, tuple(leaf_shapes.items()), tuple(problems.items()))
        if key != self._analysis_key:
            problems, shapes = plan.analyze(leaf_shapes, problems)
            loss_problem = self._loss_shape_problem(plan, shapes)
            if loss_problem and loss_problem.node not in problems:
                problems[loss_problem.node] = loss_problem
            self._analysis_key, self._analysis = key, (problems, shapes)
        return self._analysis

    def check(self) -> dict[str, Problem]:
        """Every problem, node id -> ``Problem`` (kind, message, port); {} when forward and
        backward can run. Never raises: an engine bug becomes a problem of kind internal."""
        try:
            return dict(self._current_analysis()[0])
        except Exception as exc:  # never raise to a GUI that is only asking
            return {"": Problem(Kind.INTERNAL, f"cannot check this graph: {exc}")}

    def infer_shapes(self) -> dict[str, tuple]:
        """Every shape that can be inferred from the leaves; never raises."""
        try:
            return dict(self._current_analysis()[1])
        except Exception:
            return {}

    def loss_problem(self) -> Problem | None:
        """Why no loss can be chosen (empty graph, several sinks), or None. Never raises."""
        try:
            self._loss_id(self.plan(), None)
            return None
        except GraphError as exc:
            return exc.problem
        except Exception as exc:
            return Problem(Kind.INTERNAL, f"cannot choose a loss: {exc}")

    def _loss_id(self, plan: Plan, of: str | None) -> str:
        if of is not None:
            if of not in self._nodes:
                raise GraphError(Kind.NO_NODE, f"no node {of!r} to differentiate")
            return of
        if self._loss is not None:
            return self._loss
        if not plan.sinks:
            raise GraphError(Kind.NO_LOSS, "the graph is empty: add nodes and a loss")
        if len(plan.sinks) > 1:
            raise GraphError(Kind.SEVERAL_SINKS, f"no loss chosen and several sinks "
                             f"({', '.join(plan.sinks)}): choose one as the loss")
        return plan.sinks[0]

    def _loss_shape_problem(self, plan, shapes) -> Problem | None:
        try:
            loss = self._loss_id(plan, None)
        except GraphError:
            return None
        shape = shapes.get(loss)
        if shape is not None and math.prod(shape) != 1:
            return Problem(Kind.LOSS_SHAPE, scalar_message(shape), loss)
        return None

    def loss_node(self, of: str | None = None) -> str:
        """The node to differentiate; GraphError when none, ambiguous or not a scalar."""
        loss = self._loss_id(self.plan(), of)
        if self._fresh and loss in self.values:
            shape = self.values[loss].shape
        else:
            shape = self.infer_shapes().get(loss)
        if shape is not None and math.prod(shape) != 1:
            raise GraphError(Kind.LOSS_SHAPE, scalar_message(shape), loss)
        return loss

    # ------------------------------------------------------------------ passes
    def forward(self, feeds: dict | None = None, record: bool = True) -> dict[str, np.ndarray]:
        """Compute every node. ``feeds`` ({leaf id: array}) replace leaf values for this pass.
        ``record=False`` keeps no Trace (``trace`` is None): for passes nobody will replay."""
        plan = self.plan()
        if plan.cycle is not None:
            raise GraphError.of(plan.cycle_problem())
        # Let go of the previous pass first: its arrays are freed (unless someone else holds
        # them) and this pass reuses that memory while it is still in the cache.
        self.values, self.grads, self.trace = {}, {}, None
        self._fresh = False
        vals = self._leaf_values(plan, feeds)
        shapes = tuple(map(_SHAPE, vals.values()))
        if shapes not in plan.valid_shapes:  # e.g. a new batch size: check every node once
            problems, _ = plan.analyze({k: v.shape for k, v in vals.items()}, {})
            if problems:
                first = next(n for n in plan.order if n in problems)
                raise GraphError.of(problems[first])
            if len(plan.valid_shapes) > 32:
                plan.valid_shapes.clear()
            plan.valid_shapes.add(shapes)
        records = plan.run_forward(vals, record)
        self.values, self.grads = vals, {}
        self._fresh = True
        if record:
            loss = self._loss if self._loss is not None else (
                plan.sinks[0] if len(plan.sinks) == 1 else None)
            self.trace = Trace(loss, plan.order, vals, {}, records, (), plan.node_ops)
        return vals

    def backward(self, of: str | None = None, record: bool = True,
                 wrt=None) -> dict[str, np.ndarray]:
        """Gradient of the loss (``of`` overrides it) for every node, zeros where it does not
        depend on the node. Runs ``forward()`` first when the values are stale.
        ``record=False`` keeps no Trace (``trace`` is None); a recorded backward after an
        unrecorded forward records both (the forward steps are the values already computed).
        ``wrt`` (node ids, e.g. the parameters) returns (and keeps in ``grads``) only those
        nodes' gradients; without a record, the pass then skips every step and input whose
        gradient leads to none of them (the same numbers, less work: a training step)."""
        if not self._fresh or self._plan is None or self._plan.version != self.version:
            self.forward(record=record)
        plan = self._plan
        vals = self.values
        loss = self._loss_id(plan, of)
        shape = vals[loss].shape
        if len(shape) and math.prod(shape) != 1:
            raise GraphError(Kind.LOSS_SHAPE, scalar_message(shape), loss)
        if wrt is not None:
            wrt = tuple(wrt)
            missing = record and [nid for nid in wrt if nid not in self._nodes]
            if missing:   # (a pruned pass checks its ids once, when it is planned)
                raise GraphError(Kind.NO_NODE, f"no node {missing[0]!r} to differentiate for")
        if wrt is not None and not record:   # (a Trace needs every edge's contribution)
            self.grads = grads = plan.gradients(vals, loss, wrt)
            self.trace = None
            return grads
        every, records = plan.run_backward(vals, loss, record)
        for nid in plan.unreached(loss):
            every[nid] = np.zeros_like(vals[nid])
        grads = every if wrt is None else dict(zip(wrt, map(every.__getitem__, wrt)))
        self.grads = grads
        if not record:
            self.trace = None
        else:
            trace = self.trace or Trace(loss, plan.order, vals, {}, plan.forward_records(vals),
                                        (), plan.node_ops)
            self.trace = trace.with_backward(loss, every, records)
        return grads


def scalar_message(shape) -> str:
    return f"loss must be a scalar: add a sum or mean node (its shape is {fmt(shape)})"

