"""GraphModel: the GUI's only door to the engine — a QObject over one ``engine.Graph``.

The boundary (docs/architecture.md): no other ``gui`` module holds the ``engine.Graph`` or
calls its methods. They read through this model, which hands out copies and read-only views
(``NodeView``, ``Edge``, read-only arrays), and they edit through its methods, which undo
commands call. Every edit is announced by a past-tense signal. Re-runs are throttled: the
first edit of a burst starts a short timer, so a stream of edits re-runs at most once per
interval and once more after the last edit. A re-run (``engine.evaluate``) refreshes
``values``, ``grads``, ``problems``, ``shapes``, ``trace`` and ``status``, then
``results_changed`` fires. An engine exception never escapes a re-run.
"""
from __future__ import annotations

import copy
import os
import weakref
from contextlib import contextmanager
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal
from shiboken6 import isValid

import engine
from engine import Graph, Kind, Problem
from engine.evaluate import evaluate
from engine.fragments import fragment_dict, plan_insertion

from gui.model.chain_rule_access import ChainRuleAccess
from gui.model.lesson_access import LessonAccess
from gui.model.network_access import NetworkAccess
from gui.model.training_access import TrainingAccess
from gui.model.values import copy_value as _copy

RERUN_INTERVAL_MS = 30
# how to choose a loss in the app (the engine's message says only "choose one as the loss")
LOSS_HOW = "right-click the node to differentiate → Use as loss"


def read_only(array):
    """A read-only view of ``array`` (None stays None): what crosses the boundary."""
    if array is None:
        return None
    view = array.view()
    view.flags.writeable = False
    return view


@dataclass(frozen=True)
class NodeView:
    """A read-only snapshot of one node: attrs and extra copied, value a read-only view."""
    id: str
    op: str
    attrs: MappingProxyType
    value: np.ndarray | None
    position: tuple | None
    extra: MappingProxyType

    @property
    def op_info(self):
        return engine.OPS[self.op]


def __getattr__(name: str):
    """``TrainingError`` (re-exported by gui.model) comes with the engine's trainer, imported
    when first asked for: a window that never trains never loads it."""
    if name == "TrainingError":
        from engine.training.trainer import TrainingError
        return TrainingError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _TrainingVocabulary:
    """A class attribute read from the engine's training modules when first asked for."""

    _sources = {"DATASETS": ("engine.training.datasets", "DATASETS"),
                "OPTIMIZERS": ("engine.training.trainer", "OPTIMIZERS"),
                "DEFAULT_TRAINING": ("engine.training.trainer", "DEFAULT_TRAINING")}

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, instance, owner):
        import importlib
        module, attribute = self._sources[self.name]
        value = getattr(importlib.import_module(module), attribute)
        setattr(owner, self.name, value)      # read once: a plain class attribute from now on
        return value


class GraphModel(TrainingAccess, ChainRuleAccess, NetworkAccess, LessonAccess, QObject):
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
    training_changed = Signal()    # the document's data / training sections were edited
    edits_settled = Signal()       # once after a burst of structural edits (deleting 1,000
                                   # nodes is one burst): for views that rebuild from scratch

    # training vocabulary for gui/training (which may not import the engine's trainer):
    # DATASETS (name -> one-line description), OPTIMIZERS ("sgd", "momentum", "adam") and
    # DEFAULT_TRAINING (the training section's defaults), read when first asked for
    DATASETS = _TrainingVocabulary()
    OPTIMIZERS = _TrainingVocabulary()
    DEFAULT_TRAINING = _TrainingVocabulary()

    def __init__(self, graph: Graph | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._graph = graph if graph is not None else Graph()
        self._modified = False
        self._undo_stack = None
        self._command_depth = 0        # > 0 while an undo command edits (see command_edit)
        self._outside_edits = False    # an edit not on the undo stack since the last save
        self._live = False             # training shows values no undo step describes yet
        self.values: dict = {}
        self.grads: dict = {}
        self.problems: dict[str, Problem] = {}
        self.shapes: dict[str, tuple] = {}
        self.status = ""
        self.status_problem: Problem | None = None
        self.loss_id: str | None = None
        self.blocked: frozenset = frozenset()
        self.trace = None              # the engine Trace of the last pass (forward only or full)
        self.internal_error: str | None = None   # set when a re-run hit a bug of ours
        self._health: dict | None = None   # gradient_health of the last re-run, when asked
        self._previous_loss: str | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(RERUN_INTERVAL_MS)
        self._timer.timeout.connect(self.run_now)
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(0)
        self._settle.timeout.connect(self.edits_settled)
        for signal in (self.node_added, self.node_removed, self.node_changed,
                       self.node_renamed, self.edge_added, self.edge_removed, self.graph_reset):
            signal.connect(self._settle.start)
            signal.connect(self._forget_network)    # the layers are read again when asked
        self.run_now()

    # ------------------------------------------------------------ read access
    @property
    def graph(self) -> Graph:
        """The engine graph itself, for tests and notebooks. GUI modules never use it
        (tests/test_boundary.py): they read through the methods below."""
        return self._graph

    @property
    def errors(self) -> dict[str, str]:
        """node id -> the message of its problem."""
        return {k: p.message for k, p in self.problems.items()}

    @property
    def loss(self) -> str | None:
        """The loss named by the document (None: the graph's single end)."""
        return self._graph.loss

    def has_node(self, node_id: str) -> bool:
        return node_id in self._graph

    def node(self, node_id: str) -> NodeView:
        node = self._graph.node(node_id)
        return NodeView(node.id, node.op, MappingProxyType(copy.deepcopy(node.attrs)),
                        read_only(node.value), node.position,
                        MappingProxyType(copy.deepcopy(node.extra)))

    def op(self, node_id: str):
        return engine.OPS[self._graph.node(node_id).op]

    def node_ids(self) -> list[str]:
        return self._graph.node_ids()

    def edge_count(self) -> int:
        """How many edges (without copying them)."""
        return len(self._graph.edges())

    def edges(self) -> list:
        """Every edge, in order (``engine.Edge``, frozen; its ``extra`` is a copy)."""
        return [engine.Edge(e.source, e.target, e.port, copy.deepcopy(e.extra))
                for e in self._graph.edges()]

    def edges_of(self, node_id: str) -> list:
        """Every edge into or out of ``node_id`` (inputs by port, then outputs)."""
        edges = [e for e in self.edges() if node_id in (e.source, e.target)]
        ins = sorted((e for e in edges if e.target == node_id), key=lambda e: e.port)
        return ins + [e for e in edges if e.source == node_id and e.target != node_id]

    def input_sources(self, node_id: str) -> list:
        """One source id (or None) per input port of ``node_id``."""
        return self._graph.input_sources(node_id)

    def source_of(self, target: str, port: int) -> str | None:
        sources = self._graph.input_sources(target)
        return sources[port] if 0 <= port < len(sources) else None

    def edge_extra(self, target: str, port: int) -> dict:
        edge = next((e for e in self._graph.edges() if (e.target, e.port) == (target, port)),
                    None)
        return copy.deepcopy(edge.extra) if edge is not None else {}

    def description(self) -> str:
        """The document's free-text ``description`` ("" when it has none)."""
        text = self._graph.extra.get("description")
        return text.strip() if isinstance(text, str) else ""

    def new_id(self, base: str, taken=()) -> str:
        return self._graph.new_id(base, taken)

    def connect_problem(self, source: str, target: str, port: int) -> Problem | None:
        """Why ``source → target:port`` is refused, or None. An occupied input is not a problem
        here: the GUI replaces its edge."""
        return self._graph.can_connect(source, target, port, replace=True)

    def fragment(self, node_ids) -> dict:
        """A format-v1-like dict of ``node_ids`` and the edges among them (copy / duplicate)."""
        return fragment_dict(self._graph, node_ids)

    def plan_insertion(self, fragment: dict, offset=(0.0, 0.0)):
        """What inserting ``fragment`` would add (fresh ids); GraphError when it cannot."""
        return plan_insertion(self._graph, fragment, offset)

    def value_problem(self, node_id: str, value) -> Problem | None:
        """Why ``value`` (a number or nested lists) cannot be the value of ``node_id``, by the
        engine's rules, or None: for checking a value while the user types it."""
        return self._graph.value_problem(node_id, _copy(value))

    def fresh_value(self, node_id: str, **attrs) -> np.ndarray:
        """A parameter's value drawn anew from init/shape/seed (``attrs`` override them)."""
        return self._graph.fresh_value(node_id, **attrs)

    def document(self) -> dict:
        """The document as format-v1 data (what Save writes)."""
        return engine.graph_to_dict(self._graph)

    def export_script(self, kind: str, name: str = "graph") -> str:
        """The document as a standalone ``numpy`` or ``pytorch`` script that reproduces its
        loss and gradients (and, with data, its training); GraphError if it cannot run."""
        from engine.export import to_numpy, to_pytorch
        return (to_numpy if kind == "numpy" else to_pytorch)(self._graph, name)

    def clone(self, parent: QObject | None = None) -> "GraphModel":
        """An independent model over a copy of this document (offscreen renders use it)."""
        return GraphModel(self._graph.copy(), parent)

    def parameter_ids(self) -> list[str]:
        """Every ``parameter`` node, in graph order."""
        return self.ids_of_op("parameter")

    def ids_of_op(self, op: str) -> list[str]:
        """Every node of op `op`, in graph order (no views made: cheap on big graphs)."""
        graph = self._graph
        return [n for n in graph.node_ids() if graph.node(n).op == op]

    def update_preview(self):
        """What one step of the graph's own optimizer (its ``training`` section, else the
        Trainer's defaults) would make of the parameters, from the last pass's values and
        gradients: an ``engine.training.update_preview.UpdatePreview``, or None without gradients.
        Nothing is changed."""
        trace = self.trace
        if trace is None or not trace.has_backward:
            return None
        from engine.training.update_preview import preview_update
        return preview_update(self._graph.training, trace.values, trace.grads,
                              self.parameter_ids())

    def save(self, path) -> None:
        """Write the document to ``path`` (atomic); ``engine.FileFormatError`` / ``OSError``.
        A CSV named by the data section is written relative to the file's folder (it is kept
        absolute in memory, so Save As elsewhere still finds it)."""
        graph, data = self._graph, self._graph.extra.get("data")
        csv = data.get("csv") if isinstance(data, dict) else None
        if not isinstance(csv, str) or not os.path.isabs(csv):
            engine.save_graph(graph, path)
            return
        try:
            relative = os.path.relpath(csv, os.path.dirname(os.path.abspath(path)))
        except ValueError:      # another drive (Windows): only the absolute path will do
            relative = csv
        graph.extra["data"] = {**data, "csv": relative.replace(os.sep, "/")}
        try:
            engine.save_graph(graph, path)
        finally:
            graph.extra["data"] = data

    # ------------------------------------------------------------ editing
    def add_node(self, node_id, op, attrs=None, value=None, position=None, extra=None):
        self._graph.add_node(node_id, op, attrs=copy.deepcopy(attrs), value=_copy(value),
                             position=tuple(position) if position is not None else None,
                             extra=copy.deepcopy(extra))
        self.node_added.emit(node_id)
        self._edited()

    def remove_node(self, node_id: str) -> None:
        edges = self.edges_of(node_id)
        self._graph.remove_node(node_id)
        for edge in edges:
            self.edge_removed.emit(edge.source, edge.target, edge.port)
        for results in (self.values, self.grads, self.problems, self.shapes):
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

    def change_op(self, node_id: str, op: str, attrs=None) -> tuple[str, dict]:
        """Turn ``node_id`` into another op of the same arity, keeping its id, wires and value;
        returns the old ``(op, attrs)``. GraphError (nothing changed) for another arity."""
        before = self._graph.change_op(node_id, op, copy.deepcopy(attrs))
        self.node_changed.emit(node_id)
        self._edited()
        return before[0], copy.deepcopy(dict(before[1]))

    def set_value(self, node_id: str, value) -> None:
        """Give a leaf a value; the engine's rule decides what a value is (GraphError)."""
        self._graph.set_value(node_id, _copy(value))
        self.node_changed.emit(node_id)
        self._edited()

    def set_values(self, values: dict) -> None:
        """Give several leaves values at once (e.g. trained parameters): all or nothing, one
        re-run. GraphError, with nothing changed, when one of them is refused."""
        self._graph.set_values({k: _copy(v) for k, v in values.items()})
        for node_id in values:
            self.node_changed.emit(node_id)
        self._edited()

    def rename_node(self, old_id: str, new_id: str) -> None:
        self._graph.rename_node(old_id, new_id)
        for results in (self.values, self.grads, self.problems, self.shapes):
            if old_id in results:
                results[new_id] = results.pop(old_id)
        if self.loss_id == old_id:
            self.loss_id = new_id
        self._health = None
        if self._previous_loss == old_id:
            self._previous_loss = new_id
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
        self._forget_network()
        self._edited()

    def load_graph(self, graph: Graph | None = None) -> None:
        """Replace the whole graph (an opened file; None: a new, empty document); results are
        recomputed at once."""
        self._timer.stop()
        self._graph = graph if graph is not None else Graph()
        self.values, self.grads, self.problems, self.shapes = {}, {}, {}, {}
        self.loss_id = self._previous_loss = self.trace = None
        self.status, self.status_problem = "", None
        self._outside_edits = self._live = False
        self.graph_reset.emit()
        self.run_now()
        self._update_modified()

    # ------------------------------------------------------------ modified flag
    @property
    def modified(self) -> bool:
        return self._modified

    def set_modified(self, modified: bool) -> None:
        if modified != self._modified:
            self._modified = modified
            self.modified_changed.emit(modified)

    def _update_modified(self, clean: bool | None = None) -> None:
        """``clean``: the undo stack's clean state (read from the stack when not given)."""
        stack = self._undo_stack
        if clean is None:
            clean = stack.isClean() if stack is not None else not self._modified
        self.set_modified(self._outside_edits or self._live or not clean)

    def mark_modified(self) -> None:
        """Unsaved changes that no undo step describes (e.g. a document restored after a
        crash): modified until saved."""
        self._outside_edits = True
        self.set_modified(True)

    def mark_saved(self) -> None:
        """The document was written: clean, until the next edit."""
        self._outside_edits = False
        if self._undo_stack is not None:
            self._undo_stack.setClean()
        self._update_modified()

    @contextmanager
    def command_edit(self):
        """Undo commands edit inside this: their edits are tracked by the undo stack's clean
        state. Any other edit marks the document modified until it is saved."""
        self._command_depth += 1
        try:
            yield
        finally:
            self._command_depth -= 1

    def bind_undo_stack(self, stack) -> None:
        """Tie ``modified`` to the stack's clean state (undo back to the save point = clean,
        unless something changed outside the stack since the save)."""
        if self._undo_stack is stack:
            return
        self._undo_stack = stack
        ref = weakref.ref(self)

        def on_clean_changed(clean: bool) -> None:  # a plain function: safe during teardown
            model = ref()
            if model is not None and isValid(model):
                model._update_modified(clean)

        stack.cleanChanged.connect(on_clean_changed)
        self._update_modified()

    # ------------------------------------------------------------ results
    def _edited(self, rerun: bool = True) -> None:
        if self._command_depth == 0:
            self._outside_edits = True
            self.set_modified(True)
        if rerun and not self._timer.isActive():   # throttle: never postpone a due re-run
            self._timer.start()

    @property
    def rerun_pending(self) -> bool:
        """An edit is waiting for the throttled re-run (the results are about to change)."""
        return self._timer.isActive()

    def run_now(self) -> None:
        """Recompute every result now (the throttle timer does this after edits)."""
        self._timer.stop()
        g = self._graph
        ev = evaluate(g, self._previous_loss)
        if ev.status is not None and ev.status.kind is Kind.INTERNAL:
            self.internal_error = ev.status.message
        if ev.loss is not None and not ev.guessed_loss and g.loss is None:
            self._previous_loss = ev.loss
        self.values, self.grads, self.problems = ev.values, ev.grads, ev.problems
        self.shapes, self.blocked, self.trace = ev.shapes, ev.blocked, ev.trace
        self.loss_id = ev.loss
        self.status_problem = ev.status
        self.status = self._status_text(ev)
        self._health = None
        self.results_changed.emit()

    @staticmethod
    def _status_text(ev) -> str:
        """One line about the whole graph, in the app's words."""
        problem = ev.status
        if ev.guessed_loss and (problem is None or problem.kind is Kind.SEVERAL_SINKS):
            return (f"showing gradients of '{ev.loss}' (the graph has several ends; "
                    f"{LOSS_HOW} to choose another)")
        if problem is None:
            return ""
        if problem.kind is Kind.SEVERAL_SINKS:
            return problem.message.replace("choose one as the loss", LOSS_HOW)
        if problem.kind is Kind.BLOCKED:
            return problem.message          # it names the loss and the culprit itself
        return problem.located()

