"""The display record: what the canvas shows of each node and edge, whoever decided it.

Canvas items draw only from a ``DisplayRecord``. The live view fills one from the model's last
re-run (``live_record``); the backprop player fills one from a step of a ``Trace``. The canvas
cannot tell the two apart, so "the graph as it was at step k" is just another record.

A node's value and gradient are either known (an array) or not, and when not, the record says
why in a few words (``value_note``/``grad_note``): "not computed yet" while a replay has not
reached the node, which is visibly different from a value of 0.

Every view that shows numbers reads the record the canvas shows (``GraphScene.record``, with
its ``record_shown`` signal): the node cards, edge labels and tooltips, the inspector and its
overview of the leaves, the status bar's read-outs and the chain-rule panel. So during a replay
they all describe the step shown, never the final pass.

A number can also be *hidden* (``hide``): it exists, but the learner is asked to predict it.
A hidden value or gradient is ``None`` with the note ``HIDDEN``; a hidden edge has ``note ==
HIDDEN`` and no contribution. Every view draws it as "?" and nothing of the number leaks (no
heatmap, no edge width or colour, no tooltip).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from engine import Problem

NOT_YET = "not computed yet"      # a replay has not reached this node
GRAD_NOT_YET = "not yet"          # the backward pass has not reached it
HIDDEN = "?"                      # there is a number, hidden: the learner predicts it

# highlight of a node or an edge in a replay
ACTIVE = "active"       # the step being shown
DONE = "done"           # reached earlier in this phase
DIM = "dim"             # not part of the step
PATH = "path"           # on a path the chain-rule panel points at


@dataclass(frozen=True, eq=False)   # holds arrays: compared by identity
class NodeDisplay:
    value: np.ndarray | None = None
    grad: np.ndarray | None = None
    value_note: str = ""        # why there is no value ("" when there is one, or no reason)
    grad_note: str = ""         # why there is no gradient
    problem: Problem | None = None
    highlight: str | None = None
    is_loss: bool = False
    badges: tuple = ()          # (kind, one-line explanation), e.g. gradient health

    @property
    def value_hidden(self) -> bool:
        return self.value is None and self.value_note == HIDDEN

    @property
    def grad_hidden(self) -> bool:
        return self.grad is None and self.grad_note == HIDDEN


@dataclass(frozen=True, eq=False)   # holds arrays: compared by identity
class EdgeDisplay:
    contribution: np.ndarray | None = None   # what flowed back along the edge (backward)
    highlight: str | None = None
    pulse: float | None = None     # 0..1: where a travelling pulse is along the edge
    backward: bool = False         # the pulse travels from target back to source
    note: str = ""                 # HIDDEN: what flowed back is hidden (contribution None)

    @property
    def hidden(self) -> bool:
        return self.note == HIDDEN


@dataclass
class DisplayRecord:
    """Per node and per edge (``(source, target, port)``) what to draw; ``caption`` names the
    step in a replay ("step 4/12 · backward"), "" in the live view; ``detail`` says what the
    step does in one line. ``edge_scale`` is the contribution size that draws an edge at full
    width (None: the largest in this record; a replay pins it so widths do not jump)."""
    nodes: dict = field(default_factory=dict)
    edges: dict = field(default_factory=dict)
    loss: str | None = None
    caption: str = ""
    live: bool = True
    detail: str = ""
    edge_scale: float | None = None

    def node(self, node_id: str) -> NodeDisplay:
        return self.nodes.get(node_id) or _EMPTY_NODE

    def edge(self, key) -> EdgeDisplay:
        return self.edges.get(key) or _EMPTY_EDGE


_EMPTY_NODE = NodeDisplay()
_EMPTY_EDGE = EdgeDisplay()


def live_record(model) -> DisplayRecord:
    """The record of the model's last re-run: every value and gradient there is; where there
    is none, why not (a problem at the node, one upstream, or no loss to differentiate)."""
    nodes = {}
    loss = model.loss_id
    no_grad = no_gradient_note(model)
    health = model.gradient_health()
    for node_id in model.node_ids():
        problem = model.problems.get(node_id)
        value = model.values.get(node_id)
        grad = model.grads.get(node_id)
        value_note = ""
        if value is None and problem is None and node_id in model.blocked:
            value_note = "waiting for an input"
        nodes[node_id] = NodeDisplay(
            value=value, grad=grad, value_note=value_note,
            grad_note="" if grad is not None or value is None else no_grad,
            problem=problem, is_loss=loss == node_id and bool(model.grads),
            badges=tuple(health.get(node_id, ())))
    edges = {}
    trace = model.trace
    if trace is not None and model.grads:
        for step in trace.backward_steps:
            edges[(step.source, step.target, step.port)] = EdgeDisplay(step.contribution)
    return DisplayRecord(nodes, edges, loss if model.grads else None)


def current_record(records, model) -> DisplayRecord:
    """The record the canvas shows (``records``: the GraphScene, which holds ``record`` and
    emits ``record_shown``), or with no canvas the model's live record: what a view that shows
    numbers reads."""
    return records.record if records is not None else live_record(model)


def hide(record: DisplayRecord, values=(), grads=(), edges=(),
         detail: str = "") -> DisplayRecord:
    """``record`` with the values of ``values``, the gradients of ``grads`` (node ids) and
    what flowed along ``edges`` (keys ``(source, target, port)``) hidden: every view shows "?"
    for them (predict mode: the learner is asked for the number first). A hidden gradient
    also hides the node's gradient-health badges (they would tell its size). The step's one
    line (``detail``, the canvas caption's second line, written with the numbers) is replaced
    by ``detail``: "" drops it."""
    if not (values or grads or edges):
        return record
    nodes = dict(record.nodes)
    for n in {*values, *grads}:
        shown = record.node(n)
        changes = {}
        if n in values:
            changes.update(value=None, value_note=HIDDEN)
        if n in grads:
            changes.update(grad=None, grad_note=HIDDEN, badges=())
        nodes[n] = replace(shown, **changes)
    lines = dict(record.edges)
    for key in edges:
        key = tuple(key)
        lines[key] = replace(record.edge(key), contribution=None, note=HIDDEN)
    return replace(record, nodes=nodes, edges=lines, detail=detail)


def with_path(record: DisplayRecord, node_ids, edge_keys, every_node=(),
              every_edge=()) -> DisplayRecord:
    """``record`` with one path picked out: its nodes and edges ``PATH``, every other node and
    edge (those of the record and ``every_node`` / ``every_edge``) ``DIM`` — the chain-rule
    panel's hover."""
    node_ids, edge_keys = set(node_ids), set(edge_keys)
    nodes = {n: replace(record.node(n), highlight=PATH if n in node_ids else DIM)
             for n in {*record.nodes, *every_node, *node_ids}}
    edges = {k: replace(record.edge(k), highlight=PATH if k in edge_keys else DIM)
             for k in {*record.edges, *every_edge, *edge_keys}}
    return replace(record, nodes=nodes, edges=edges)


def no_gradient_note(model) -> str:
    """Why a computed node has no gradient, in a few words (the inspector says it too)."""
    if model.grads:
        return "the loss does not depend on it"
    if model.loss_id is None:
        return "no loss to differentiate"
    return "the loss cannot be computed"
