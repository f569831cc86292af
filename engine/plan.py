"""The compiled plan: topological order and per-node steps, cached on ``Graph.version``.

``Plan.build(graph)`` resolves, once per structural change, each op node's forward/backward
functions, attrs and input ids in topological order (networkx's iterative sort, so a
1,000-node chain is fine). ``run_forward`` / ``run_backward`` are then tight loops over those
``Step`` records. Leaf values may change freely between passes without invalidating the plan.
"""
from __future__ import annotations

from contextvars import ContextVar
from typing import Callable, NamedTuple

import networkx as nx
import numpy as np

from .errors import GraphError, Kind, Problem
from .values import is_finite, nonfinite_kind

ndarray = np.ndarray
RAISE_FP_ERRORS = {"all": "raise", "under": "ignore"}   # np.errstate for the passes
_CHECKING = ContextVar("backprop_studio_fp_checks", default=False)


class FPChecks:
    """``with FPChecks():`` numpy raises floating-point errors (underflow aside), as the passes
    need. Passes run inside one enter no errstate of their own (an errstate costs as much as a
    few small numpy calls): a training step wraps its forward, backward and update in one.
    Re-entrant. Inside it, do not relax ``np.errstate`` around a pass."""

    __slots__ = ("_errstate", "_token")

    def __enter__(self):
        if _CHECKING.get():
            self._errstate = None
            return self
        self._errstate = np.errstate(**RAISE_FP_ERRORS)
        self._errstate.__enter__()
        self._token = _CHECKING.set(True)
        return self

    def __exit__(self, *exc):
        if self._errstate is not None:
            _CHECKING.reset(self._token)
            self._errstate.__exit__(*exc)
        return False


class Step(NamedTuple):
    """One op node of the plan, resolved once per structural change."""
    node: str
    op: object                  # the Op
    attrs: dict
    sources: tuple              # input ids, one per port (None where unconnected)
    check_forward: bool         # the op's forward results must be checked for nan/inf
    check_backward: bool
    forward: Callable
    backward: Callable
    ports: tuple                # ((port, input id), ...)


def forward_failure(node: str, op, out) -> GraphError:
    return GraphError(Kind.NONFINITE, f"{op.nonfinite_hint} produced {nonfinite_kind(out)}",
                      node)


def backward_failure(node: str, op, source: str, port: int, grad) -> GraphError:
    return GraphError(Kind.NONFINITE, f"the gradient of {op.name} for {source!r} is "
                      f"{nonfinite_kind(grad)}: its derivative is not finite here", node, port)


class Plan:
    """Everything about a graph's structure the passes need, resolved once."""

    def __init__(self, version, order, leaves, steps, node_ops, sinks, cycle):
        self.version = version
        self.order = order          # every node id, topological (None when there is a cycle)
        self.leaves = leaves        # [(id, Node)] of arity-0 nodes, in order
        self.steps = steps          # [Step] per op node, in order
        self.node_ops = node_ops    # id -> (Op, attrs) for op nodes (Trace.local_derivative)
        self.sinks = sinks          # ids with no outgoing edge, in insertion order
        self.cycle = cycle          # a cycle as a list of ids, or None
        self.valid_shapes = set()   # tuples of leaf shapes found valid (the Graph fills it)
        self._backward = {}         # loss id -> the steps it depends on, reversed
        self._unreached = {}        # loss id -> the nodes it does not depend on

    @classmethod
    def build(cls, graph) -> "Plan":
        from .ops import OPS
        g = graph.nx
        index = {nid: i for i, nid in enumerate(graph.node_ids())}
        cycle = None
        try:
            order = list(nx.lexicographical_topological_sort(g, key=index.__getitem__))
        except nx.NetworkXUnfeasible:
            order = None
            cycle = [u for u, _v, *_ in nx.find_cycle(g)]
        leaves, steps, node_ops = [], [], {}
        for nid in order or ():
            node = graph.node(nid)
            op = OPS.get(node.op)
            if op is None or op.arity == 0:
                leaves.append((nid, node))
                continue
            sources = tuple(graph.input_sources(nid))
            steps.append(Step(nid, op, node.attrs, sources, not op.raises_forward,
                              not op.raises_backward, op.forward, op.backward,
                              tuple(enumerate(sources))))
            node_ops[nid] = (op, node.attrs)
        sinks = [nid for nid in index if g.out_degree(nid) == 0]
        return cls(graph.version, order, leaves, steps, node_ops, sinks, cycle)

    # ------------------------------------------------------------------ validation
    def cycle_problem(self, node: str | None = None) -> Problem:
        message = "part of a cycle: " + " → ".join([*self.cycle, self.cycle[0]])
        return Problem(Kind.CYCLE, message, node if node is not None else self.cycle[0])

    def analyze(self, leaf_shapes: dict, problems: dict) -> tuple[dict, dict]:
        """(problems, shapes): every node's ``Problem`` and every shape that can be inferred
        from ``leaf_shapes`` (a node downstream of a problem gets no shape, no problem)."""
        if self.cycle is not None:
            return {nid: self.cycle_problem(nid) for nid in self.cycle}, {}
        shapes = {nid: s for nid, s in leaf_shapes.items() if s is not None}
        for nid, op, attrs, sources, *_ in self.steps:
            missing = tuple(p for p, s in enumerate(sources) if s is None)
            if missing:
                names = ", ".join(f"{p} ({op.port_names[p]})" for p in missing)
                plural = len(missing) > 1
                problems[nid] = Problem(
                    Kind.UNCONNECTED, f"input{'s' if plural else ''} {names} of {nid!r} "
                    f"{'are' if plural else 'is'} not connected", nid, missing[0], missing)
                continue
            in_shapes = [shapes.get(s) for s in sources]
            if any(s is None for s in in_shapes):
                continue  # an error upstream: no shape here, and no second error
            try:
                shapes[nid] = tuple(op.shape(in_shapes, attrs))
            except Exception as exc:
                problems[nid] = Problem(Kind.SHAPE, str(exc) or
                                        f"{op.name} refuses shapes {in_shapes}", nid)
        return problems, shapes

    # ------------------------------------------------------------------ passes
    def run_forward(self, vals: dict, record: bool = True) -> list | None:
        """Compute every op node into ``vals`` (which holds the leaves); return the records
        (None when `record` is false: nobody will replay this pass).

        Runs with floating-point errors raised, so a numpy overflow, division by zero or
        invalid operation stops at the node that caused it; ops that silence such errors on
        purpose (log, div, ...) have their results checked explicitly instead.
        """
        if not _CHECKING.get():
            with FPChecks():
                return self.run_forward(vals, record)
        records = [] if record else None
        append = records.append if record else None
        for nid, op, attrs, sources, check, _, forward, _, _ in self.steps:
            if len(sources) == 2:
                xs = [vals[sources[0]], vals[sources[1]]]
            elif len(sources) == 1:
                xs = [vals[sources[0]]]
            else:
                xs = [vals[s] for s in sources]
            try:
                out = forward(xs, attrs)
            except FloatingPointError:
                with np.errstate(all="ignore"):
                    out = op.forward(xs, attrs)
                check = True
            except Exception as exc:  # an op refusing its inputs: name the node
                raise GraphError(Kind.OP_FAILED, f"{op.name} failed: {exc}", nid) from None
            if out.__class__ is not ndarray:
                out = np.asarray(out, dtype=np.float64)
            if check and not is_finite(out):
                raise forward_failure(nid, op, out)
            vals[nid] = out
            if append is not None:
                append((nid, sources, out))
        return records

    def forward_records(self, vals: dict) -> list:
        """The records ``run_forward`` would have kept, rebuilt from the values it computed."""
        return [(step.node, step.sources, vals[step.node]) for step in self.steps]

    def backward_steps(self, loss: str) -> list:
        """The op nodes the loss depends on (itself included), in reverse topological order."""
        steps = self._backward.get(loss)
        if steps is None:
            needed, steps = {loss}, []
            for step in reversed(self.steps):
                if step.node in needed:
                    steps.append(step)
                    needed.update(step.sources)
            self._backward[loss] = steps
            self._unreached[loss] = [n for n in self.order if n not in needed]
        return steps

    def unreached(self, loss: str) -> list:
        """Nodes the loss does not depend on (their gradient is zero)."""
        self.backward_steps(loss)
        return self._unreached[loss]

    def run_backward(self, vals: dict, loss: str, record: bool = True) -> tuple[dict, list]:
        """Gradients of ``loss`` for every node it depends on, and the per-edge records
        (None when `record` is false).

        Every pass starts from zero; where a node feeds several others its gradient grows as
        ``grad = grad + c`` (a new array: ops such as ``add`` hand one array to two inputs).
        """
        if not _CHECKING.get():
            with FPChecks():
                return self.run_backward(vals, loss, record)
        grads = {loss: np.ones(vals[loss].shape)}
        records = [] if record else None
        append = records.append if record else None
        for nid, op, attrs, sources, _, check, _, backward, ports in self.backward_steps(loss):
            g = grads[nid]
            if len(sources) == 2:
                xs = [vals[sources[0]], vals[sources[1]]]
            elif len(sources) == 1:
                xs = [vals[sources[0]]]
            else:
                xs = [vals[s] for s in sources]
            try:
                contributions = backward(xs, vals[nid], g, attrs)
            except FloatingPointError:
                with np.errstate(all="ignore"):
                    contributions = op.backward(xs, vals[nid], g, attrs)
                check = True
            except Exception as exc:
                raise GraphError(Kind.OP_FAILED, f"the gradient of {op.name} failed: {exc}",
                                 nid) from None
            for port, source in ports:
                c = contributions[port]
                if c.__class__ is not ndarray:
                    c = np.asarray(c, dtype=np.float64)
                if check and not is_finite(c):
                    raise backward_failure(nid, op, source, port, c)
                prev = grads.get(source)
                if prev is None:
                    total = c
                else:
                    total = _accumulate(source, prev, c)
                grads[source] = total
                if append is not None:
                    append((source, nid, port, g, c, total))
        return grads, records


def _accumulate(source, prev, c):
    """prev + c as a new array; GraphError if the sum overflows."""
    try:
        total = prev + c
    except FloatingPointError:
        with np.errstate(all="ignore"):
            total = prev + c
        raise GraphError(Kind.NONFINITE, f"its gradient overflowed to {nonfinite_kind(total)}",
                         source) from None
    if total.__class__ is not ndarray:  # 0-d + 0-d gives a numpy scalar
        total = np.asarray(total)
    return total
