"""Evaluate whatever can be evaluated: the results an editor shows while a graph is being built.

``Graph.forward`` / ``backward`` stop at the first problem, as a script wants. An editor wants
the opposite: every value that can be known, every problem named at its node, and gradients
whenever a loss can be differentiated. ``evaluate(graph)`` runs the graph without the nodes
that have a problem (and without everything downstream of them): a node that fails at run time
(``log`` of a negative number) is dropped the same way and the rest runs again, so values
upstream of a failure stay known. Nothing here raises; ``graph`` itself is not changed unless
it has no problem at all (then it runs as is and keeps its results and trace).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine.errors import GraphError, Kind, Problem
from engine.graph import Graph
from engine.ops import OPS
from engine.trace import Trace

# Problems of the graph as a whole rather than of one node (the status line says them).
LOSS_KINDS = frozenset({Kind.NO_LOSS, Kind.SEVERAL_SINKS, Kind.LOSS_SHAPE})


@dataclass
class Evaluation:
    """What could be computed, and why the rest could not."""
    values: dict = field(default_factory=dict)     # node id -> value
    grads: dict = field(default_factory=dict)      # node id -> d loss / d node ({} = none)
    problems: dict = field(default_factory=dict)   # node id -> the Problem at that node
    shapes: dict = field(default_factory=dict)     # node id -> shape, where known
    loss: str | None = None                        # the node differentiated
    guessed_loss: bool = False     # no loss chosen and several ends: ``loss`` is the former end
    status: Problem | None = None  # about the whole graph: no loss, several ends, loss blocked
    trace: Trace | None = None     # the pass (forward only when there are no gradients)
    blocked: frozenset = frozenset()   # nodes without a value: a problem there or upstream


def evaluate(graph: Graph, previous_loss: str | None = None) -> Evaluation:
    """Run everything that can run. ``previous_loss``: the end differentiated last time, kept
    while a half-built branch gives the graph a second end (see ``working_loss``)."""
    ev = Evaluation()
    try:
        _evaluate(graph, previous_loss, ev)
    except Exception as exc:  # noqa: BLE001 - a bug of ours becomes a status, never a crash
        ev.status = Problem(Kind.INTERNAL, f"could not evaluate the graph: "
                                           f"{type(exc).__name__}: {exc}")
    return ev


def _evaluate(graph: Graph, previous_loss, ev: Evaluation) -> None:
    problems = graph.check()
    for node_id in [n for n, p in problems.items() if n == "" or p.kind in LOSS_KINDS]:
        ev.status = ev.status or problems.pop(node_id)   # not the node's fault: values show
    ev.problems = problems
    ev.shapes = {k: tuple(v) for k, v in graph.infer_shapes().items()}
    runnable, blocked = _without_problems(graph, problems)
    for _ in range(len(graph.node_ids()) + 1):
        if not runnable.node_ids():
            break
        try:
            ev.values = dict(runnable.forward())
            break
        except GraphError as exc:   # a failure at run time: drop that node too, run the rest
            if exc.node is None or exc.node not in runnable or exc.node in problems:
                ev.status = ev.status or exc.problem
                break
            problems[exc.node] = exc.problem
            runnable, blocked = _without_problems(graph, problems)
    ev.blocked = frozenset(blocked)
    if ev.values:
        _differentiate(graph, runnable, previous_loss, ev)
        ev.trace = runnable.trace
    for node_id, value in ev.values.items():
        ev.shapes.setdefault(node_id, tuple(np.shape(value)))


def _without_problems(graph: Graph, problems: dict) -> tuple[Graph, set]:
    """``graph`` itself when nothing is wrong, else a copy without the nodes that have a
    problem and everything downstream of them; and the set of nodes left out."""
    import networkx as nx   # loaded with the first Graph (engine/graph.py)
    blocked = set()
    for node_id in problems:
        if node_id in graph and node_id not in blocked:
            blocked.add(node_id)
            blocked |= nx.descendants(graph.nx, node_id)
    if not blocked:
        return graph, blocked
    runnable = graph.copy()
    for node_id in blocked:
        runnable.remove_node(node_id)
    return runnable, blocked


def working_loss(graph: Graph, runnable: Graph, values: dict, previous: str | None) -> str | None:
    """While the user builds, a half-made branch adds a second end to the graph; keep
    differentiating the graph's former single end (or the only computed scalar end) rather
    than dropping every gradient. The graph's ``loss`` is not changed."""
    if graph.loss is not None:
        return None
    ends = [n for n in runnable.plan().sinks
            if n in values and np.size(values[n]) == 1 and not OPS[runnable.node(n).op].is_leaf]
    if previous in ends:
        return previous
    return ends[0] if len(ends) == 1 else None


def _culprits(graph: Graph, loss: str, problems: dict) -> list:
    """The problems that keep ``loss`` from being computed: at it, or upstream of it."""
    import networkx as nx
    upstream = nx.ancestors(graph.nx, loss) | {loss}
    return [p for node_id, p in problems.items() if node_id in upstream]


def _differentiate(graph: Graph, runnable: Graph, previous_loss, ev: Evaluation) -> None:
    try:
        loss = graph.loss_node()
    except GraphError as exc:
        loss = working_loss(graph, runnable, ev.values, previous_loss)
        if loss is None:
            ev.status = ev.status or exc.problem
            return
        ev.guessed_loss = True
    culprits = _culprits(graph, loss, ev.problems) if loss in ev.blocked else []
    if culprits and graph.loss is None and all(p.unfinished for p in culprits):
        # the graph's new end is still being built: keep differentiating the former one
        alternative = working_loss(graph, runnable, ev.values, previous_loss)
        if alternative is not None:
            ev.status = ev.status or Problem(
                Kind.BLOCKED, f"showing gradients of {alternative!r}: the graph's end {loss!r} "
                              f"cannot be computed yet", loss)
            loss, ev.guessed_loss = alternative, True
    ev.loss = loss
    if loss in ev.blocked:
        why = f" ({culprits[0].located()})" if culprits else ""
        ev.status = ev.status or Problem(
            Kind.BLOCKED, f"no gradients: the loss {loss!r} cannot be computed{why}", loss)
        return
    try:
        ev.grads = dict(runnable.backward(of=loss))
    except GraphError as exc:
        if exc.node is not None:
            ev.problems.setdefault(exc.node, exc.problem)
        ev.status = ev.status or exc.problem
