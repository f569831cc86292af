"""GraphModel: the GUI's only door to the engine — a QObject over one ``engine.Graph``.

Every edit goes through a method here and is announced by a past-tense signal; the canvas and
the inspector redraw from those signals. After each edit a debounced re-run (``check``,
``infer_shapes``, forward, and backward when a scalar loss exists) refreshes ``values``,
``grads``, ``errors``, ``shapes`` and ``status``, then ``results_changed`` fires. An engine
exception never escapes a re-run: it becomes an error on its node or the status line.
"""
from __future__ import annotations

import copy
import weakref

import networkx as nx
import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal
from shiboken6 import isValid

import engine
from engine import Graph, GraphError
from engine.ops import OPS

RERUN_DELAY_MS = 30
LOSS_PROBLEM = "loss must be a scalar"
# how to choose a loss in the app (the engine's message says only "choose one as the loss")
LOSS_HOW = "right-click the node to differentiate → Use as loss"


def as_value(value):
    """A JSON-ish value (number, nested lists, array) as a float64 array; None stays None."""
    if value is None:
        return None
    return np.array(value, dtype=np.float64)


class GraphModel(QObject):
    node_added = Signal(str)
    node_removed = Signal(str)
    edge_added = Signal(str, str, int)
    edge_removed = Signal(str, str, int)
    node_moved = Signal(str)
    node_changed = Signal(str)
    node_renamed = Signal(str, str)
    graph_reset = Signal()
    results_changed = Signal()
    modified_changed = Signal(bool)
    edit_failed = Signal(str)      # an edit the engine refused (nothing changed): why

    def __init__(self, graph: Graph | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._graph = graph if graph is not None else Graph()
        self._modified = False
        self._undo_stack = None
        self.values: dict = {}
        self.grads: dict = {}
        self.errors: dict[str, str] = {}
        self.shapes: dict[str, tuple] = {}
        self.status = ""
        self.loss_id: str | None = None
        self._auto_loss: str | None = None   # the single end last differentiated, see _working_loss
        self.trace = None              # the engine Trace of the last successful backward pass
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(RERUN_DELAY_MS)
        self._timer.timeout.connect(self.run_now)
        self.run_now()

    # ------------------------------------------------------------ read access
    @property
    def graph(self) -> Graph:
        """The engine graph, for reading; edit only through this model's methods."""
        return self._graph

    def has_node(self, node_id: str) -> bool:
        return self._graph.nx.has_node(node_id)

    def node(self, node_id: str):
        return self._graph.node(node_id)

    def op(self, node_id: str):
        return engine.OPS[self._graph.node(node_id).op]

    def edges_of(self, node_id: str) -> list:
        """Every edge into or out of ``node_id`` (inputs by port, then outputs)."""
        g = self._graph.nx
        ins = sorted((d["edge"] for _s, _t, d in g.in_edges(node_id, data=True)),
                     key=lambda e: e.port)
        return ins + [d["edge"] for _s, _t, d in g.out_edges(node_id, data=True)]

    def source_of(self, target: str, port: int) -> str | None:
        sources = self._graph.input_sources(target)
        return sources[port] if 0 <= port < len(sources) else None

    def edge_extra(self, target: str, port: int) -> dict:
        source = self.source_of(target, port)
        if source is None:
            return {}
        edge = self._graph.nx.edges[source, target, port].get("edge")
        return dict(edge.extra or {}) if edge is not None else {}

    def new_id(self, prefix: str) -> str:
        return self._graph.new_id(prefix)

    def connect_problem(self, source: str, target: str, port: int) -> str | None:
        """Why ``source → target:port`` is refused, or None. An occupied input is not a problem
        here: the GUI replaces its edge."""
        if source == target:
            return "a node cannot feed itself"
        g = self._graph.nx
        if not (g.has_node(source) and g.has_node(target)):
            return "no such node"
        if nx.has_path(g, target, source):
            path = nx.shortest_path(g, target, source)
            return "would create a cycle: " + " → ".join([source, *path])
        arity = engine.OPS[self._graph.node(target).op].arity
        if not 0 <= port < arity:
            return f"port {port} out of range: {self._graph.node(target).op} has {arity} inputs"
        return None

    # ------------------------------------------------------------ editing
    def add_node(self, node_id, op, attrs=None, value=None, position=None, extra=None):
        node = self._graph.add_node(node_id, op, attrs=copy.deepcopy(attrs), value=as_value(value),
                                    position=tuple(position) if position is not None else None,
                                    extra=copy.deepcopy(extra))
        self.node_added.emit(node_id)
        self._edited()
        return node

    def remove_node(self, node_id: str) -> None:
        edges = self.edges_of(node_id)
        self._graph.remove_node(node_id)
        for edge in edges:
            self.edge_removed.emit(edge.source, edge.target, edge.port)
        for results in (self.values, self.grads, self.errors, self.shapes):
            results.pop(node_id, None)
        self.node_removed.emit(node_id)
        self._edited()

    def connect(self, source: str, target: str, port: int, extra=None) -> None:
        self._graph.connect(source, target, port, extra=copy.deepcopy(extra))
        self.edge_added.emit(source, target, port)
        self._edited()

    def disconnect(self, target: str, port: int) -> str | None:
        source = self._graph.disconnect(target, port)
        if source is not None:
            self.edge_removed.emit(source, target, port)
            self._edited()
        return source

    def move_node(self, node_id: str, position) -> None:
        self._graph.set_position(node_id, None if position is None else tuple(position))
        self.node_moved.emit(node_id)
        self._edited(rerun=False)

    def set_attr(self, node_id: str, name: str, value) -> None:
        self._graph.set_attr(node_id, name, copy.deepcopy(value))
        self.node_changed.emit(node_id)
        self._edited()

    def set_value(self, node_id: str, value) -> None:
        self._graph.set_value(node_id, as_value(value))
        self.node_changed.emit(node_id)
        self._edited()

    def rename_node(self, old_id: str, new_id: str) -> None:
        self._graph.rename_node(old_id, new_id)
        for results in (self.values, self.grads, self.errors, self.shapes):
            if old_id in results:
                results[new_id] = results.pop(old_id)
        if self.loss_id == old_id:
            self.loss_id = new_id
        if self._auto_loss == old_id:
            self._auto_loss = new_id
        self.node_renamed.emit(old_id, new_id)
        self.node_changed.emit(new_id)
        self._edited()

    def order(self) -> tuple[list, list]:
        """The graph's node order and edge order ((target, port) keys), for ``restore_order``."""
        return self._graph.node_ids(), [(e.target, e.port) for e in self._graph.edges()]

    def restore_order(self, node_ids, edge_keys) -> None:
        """Put nodes and edges back in a recorded order (an undo re-adds at the end, but the
        saved file's order must come back exactly). Only reorders what still exists."""
        self._graph.reorder(node_ids, edge_keys)

    def report_failure(self, message: str) -> None:
        self.edit_failed.emit(message)

    def set_loss(self, node_id: str | None) -> None:
        """Name the node to differentiate (None: the single sink)."""
        self._graph.loss = node_id
        self._edited()

    def load_graph(self, graph: Graph) -> None:
        """Replace the whole graph (open file, new document); results are recomputed at once."""
        self._timer.stop()
        self._graph = graph
        self.values, self.grads, self.errors, self.shapes = {}, {}, {}, {}
        self.loss_id = self._auto_loss = self.trace = None
        self.status = ""
        self.graph_reset.emit()
        self.run_now()

    # ------------------------------------------------------------ fragments
    def fragment(self, node_ids) -> dict:
        """A format-v1-like dict of ``node_ids`` and the edges among them (for copy / duplicate)."""
        wanted = [n for n in self._graph.node_ids() if n in set(node_ids)]
        chosen = set(wanted)
        nodes = []
        for node_id in wanted:
            node = self._graph.node(node_id)
            record = {"id": node.id, "op": node.op, "attrs": copy.deepcopy(node.attrs)}
            if node.value is not None:
                record["value"] = np.asarray(node.value).tolist()
            if node.position is not None:
                record["position"] = [float(node.position[0]), float(node.position[1])]
            for key, val in (node.extra or {}).items():
                record.setdefault(key, copy.deepcopy(val))
            nodes.append(record)
        edges = []
        for edge in self._graph.edges():
            if edge.source in chosen and edge.target in chosen:
                record = {"source": edge.source, "target": edge.target, "port": edge.port}
                for key, val in (edge.extra or {}).items():
                    record.setdefault(key, copy.deepcopy(val))
                edges.append(record)
        return {"nodes": nodes, "edges": edges}

    # ------------------------------------------------------------ modified flag
    @property
    def modified(self) -> bool:
        return self._modified

    def set_modified(self, modified: bool) -> None:
        if modified != self._modified:
            self._modified = modified
            self.modified_changed.emit(modified)

    def bind_undo_stack(self, stack) -> None:
        """Tie ``modified`` to the stack's clean state (undo back to the save point = clean)."""
        if self._undo_stack is stack:
            return
        self._undo_stack = stack
        ref = weakref.ref(self)

        def on_clean_changed(clean: bool) -> None:  # a plain function: safe during teardown
            model = ref()
            if model is not None and isValid(model):
                model.set_modified(not clean)

        stack.cleanChanged.connect(on_clean_changed)
        self.set_modified(not stack.isClean())

    # ------------------------------------------------------------ results
    def _edited(self, rerun: bool = True) -> None:
        if self._undo_stack is None:
            self.set_modified(True)
        if rerun:
            self._timer.start()

    def run_now(self) -> None:
        """Recompute every result now (the debounce timer does this ~30 ms after an edit)."""
        self._timer.stop()
        g = self._graph
        status = ""
        try:
            errors = {str(k): str(v) for k, v in g.check().items()}
        except Exception as exc:  # noqa: BLE001 - an engine bug must not reach the user
            errors, status = {}, f"could not check the graph: {exc}"
        for node_id in [k for k, v in errors.items() if k == "" or v.startswith(LOSS_PROBLEM)]:
            # not the node's fault: the values still show, the status line explains
            message = errors.pop(node_id)
            status = status or (f"node '{node_id}': {message}" if node_id else message)
        try:
            shapes = {k: tuple(v) for k, v in g.infer_shapes().items()}
        except Exception:  # noqa: BLE001
            shapes = {}
        values, grads, loss_id = {}, {}, None
        runnable, blocked = self._runnable(errors)
        with np.errstate(all="ignore"):
            if runnable is not None and runnable.node_ids():
                values, status = self._forward(runnable, errors, status)
            if values:
                loss_id, grads, status = self._backward(g, runnable, blocked, status, values)
        for node_id, value in values.items():
            shapes.setdefault(node_id, tuple(np.shape(value)))
        self.values, self.grads, self.errors, self.shapes = values, grads, errors, shapes
        self.status, self.loss_id = status, loss_id
        self.trace = runnable.trace if grads and runnable is not None else None
        self.results_changed.emit()

    def _working_loss(self, graph, runnable, values) -> str | None:
        """While the user builds, a half-made branch adds a second end to the graph; keep
        differentiating the graph's former single end (or the only computed scalar end) rather
        than dropping every gradient. The file's ``loss`` is not changed."""
        if graph.loss is not None or runnable is None:
            return None
        ends = [n for n in runnable.node_ids()
                if runnable.nx.out_degree(n) == 0 and n in values and np.size(values[n]) == 1
                and not OPS[runnable.node(n).op].is_leaf]
        if self._auto_loss in ends:
            return self._auto_loss
        return ends[0] if len(ends) == 1 else None

    def _runnable(self, errors):
        """The graph itself, or a copy without the broken nodes and everything downstream."""
        if not errors:
            return self._graph, set()
        g = self._graph.nx
        blocked = set()
        for node_id in errors:
            if g.has_node(node_id) and node_id not in blocked:
                blocked.add(node_id)
                blocked |= nx.descendants(g, node_id)
        try:
            runnable = self._graph.copy()
            for node_id in blocked:
                runnable.remove_node(node_id)
        except Exception:  # noqa: BLE001
            return None, blocked
        return runnable, blocked

    @staticmethod
    def _forward(runnable, errors, status):
        try:
            return dict(runnable.forward()), status
        except GraphError as exc:
            if exc.node is not None:
                errors.setdefault(exc.node, exc.message)
            return {}, status or str(exc)
        except Exception as exc:  # noqa: BLE001
            return {}, status or f"forward pass failed: {exc}"

    def _backward(self, graph, runnable, blocked, status, values):
        try:
            loss_id = graph.loss_node()
            if graph.loss is None:
                self._auto_loss = loss_id
        except GraphError as exc:
            loss_id = self._working_loss(graph, runnable, values)
            if loss_id is None:
                return None, {}, status or str(exc).replace("choose one as the loss", LOSS_HOW)
            status = status or (f"showing gradients of '{loss_id}' (the graph has several "
                                f"ends; {LOSS_HOW} to choose another)")
        except Exception as exc:  # noqa: BLE001
            return None, {}, status or f"no loss: {exc}"
        if loss_id in blocked:
            return loss_id, {}, status or f"loss '{loss_id}' cannot be computed yet: see the marked nodes"
        try:
            return loss_id, dict(runnable.backward(of=loss_id)), status
        except GraphError as exc:
            return loss_id, {}, status or str(exc)
        except Exception as exc:  # noqa: BLE001
            return loss_id, {}, status or f"backward pass failed: {exc}"
