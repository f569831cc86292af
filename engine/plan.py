"""The compiled plan: topological order and per-node steps, cached on ``Graph.version``.

``Plan.build(graph)`` resolves, once per structural change, each op node's forward/backward
functions, attrs and input ids in topological order (networkx's iterative sort, so a
1,000-node chain is fine). ``run_forward`` / ``run_backward`` are then tight loops over those
tuples. Leaf values may change freely between passes without invalidating the plan.
"""
from __future__ import annotations

import networkx as nx
import numpy as np

from .errors import GraphError
from .values import is_finite, nonfinite_kind

ndarray = np.ndarray

try:  # numpy >= 2: switch error handling with one contextvar set (np.errstate costs ~4×)
    from numpy._core._ufunc_config import _extobj_contextvar, _make_extobj

    _RAISING = _make_extobj(all="raise", under="ignore")

    def raise_fp_errors():
        """Make numpy raise FloatingPointError on overflow, 0-division and invalid results."""
        return _extobj_contextvar.set(_RAISING)

    def restore_fp_errors(token) -> None:
        _extobj_contextvar.reset(token)
except (ImportError, AttributeError, TypeError):  # pragma: no cover - older numpy
    def raise_fp_errors():
        state = np.errstate(all="raise", under="ignore")
        state.__enter__()
        return state

    def restore_fp_errors(token) -> None:
        token.__exit__(None, None, None)

# What a non-finite result most likely means, per op (the message names the node as well).
NONFINITE_HINTS = {
    "log": "log of a non-positive value",
    "sqrt": "sqrt of a negative value",
    "div": "division by zero",
    "pow": "pow of a zero or negative base",
    "exp": "exp of a large value",
    "mean": "mean over zero elements",
    **{name: f"{name} of large values" for name in ("add", "sub", "mul", "matmul", "sum", "mse",
                                                    "softmax_ce", "sigmoid_bce")},
}


# Ops whose forward / backward leave numpy's floating-point errors on: under
# ``np.errstate(all="raise")`` a non-finite result from finite inputs raises there, so their
# outputs need no explicit check. Every other op (and any op added later) is checked.
# tests/test_graph_overflow.py overflows each of them to keep this list honest.
RAISING_FORWARD = frozenset({"add", "sub", "mul", "neg", "abs", "tanh", "relu", "leaky_relu",
                             "matmul", "transpose", "sum"})  # not mse: np.vdot stays quiet
RAISING_BACKWARD = frozenset({"add", "sub", "mul", "neg", "abs", "tanh", "relu", "leaky_relu",
                              "matmul", "transpose", "sum", "mse"})


def forward_failure(node: str, op, out) -> GraphError:
    hint = NONFINITE_HINTS.get(op.name, op.name)
    return GraphError(node, f"{hint} produced {nonfinite_kind(out)}")


def backward_failure(node: str, op, source: str, grad) -> GraphError:
    return GraphError(node, f"the gradient of {op.name} for {source!r} is "
                            f"{nonfinite_kind(grad)}: its derivative is not finite here")


class Plan:
    """Everything about a graph's structure the passes need, resolved once."""

    def __init__(self, version, order, leaves, steps, node_ops, sinks, cycle):
        self.version = version
        self.order = order          # every node id, topological (None when there is a cycle)
        self.leaves = leaves        # [(id, Node)] of arity-0 nodes, in order
        # per op node, in order: (id, op, attrs, input ids, check forward?, check backward?,
        #                        op.forward, op.backward, ((port, input id), ...))
        self.steps = steps
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
            steps.append((nid, op, node.attrs, sources, op.name not in RAISING_FORWARD,
                          op.name not in RAISING_BACKWARD, op.forward, op.backward,
                          tuple(enumerate(sources))))
            node_ops[nid] = (op, node.attrs)
        sinks = [nid for nid in index if g.out_degree(nid) == 0]
        return cls(graph.version, order, leaves, steps, node_ops, sinks, cycle)

    # ------------------------------------------------------------------ validation
    def cycle_message(self) -> str:
        return "part of a cycle: " + " → ".join([*self.cycle, self.cycle[0]])

    def analyze(self, leaf_shapes: dict, problems: dict) -> tuple[dict, dict]:
        """(problems, shapes): every node's problem and every shape that can be inferred
        from ``leaf_shapes`` (a node downstream of a problem gets no shape, no problem)."""
        if self.cycle is not None:
            return {nid: self.cycle_message() for nid in self.cycle}, {}
        shapes = {nid: s for nid, s in leaf_shapes.items() if s is not None}
        for nid, op, attrs, sources, *_ in self.steps:
            missing = [p for p, s in enumerate(sources) if s is None]
            if missing:
                names = ", ".join(f"{p} ({op.port_names[p]})" for p in missing)
                plural = len(missing) > 1
                problems[nid] = (f"input{'s' if plural else ''} {names} of {nid!r} "
                                 f"{'are' if plural else 'is'} not connected")
                continue
            in_shapes = [shapes.get(s) for s in sources]
            if any(s is None for s in in_shapes):
                continue  # an error upstream: no shape here, and no second error
            try:
                shapes[nid] = tuple(op.shape(in_shapes, attrs))
            except Exception as exc:
                problems[nid] = str(exc) or f"{op.name} refuses shapes {in_shapes}"
        return problems, shapes

    # ------------------------------------------------------------------ passes
    def run_forward(self, vals: dict) -> list:
        """Compute every op node into ``vals`` (which holds the leaves); return the records.

        Runs with floating-point errors raised, so a numpy overflow, division by zero or
        invalid operation stops at the node that caused it; ops that silence such errors on
        purpose (log, div, ...) have their results checked explicitly instead.
        """
        records = []
        append = records.append
        token = raise_fp_errors()
        try:
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
                    raise GraphError(nid, f"{op.name} failed: {exc}") from None
                if out.__class__ is not ndarray:
                    out = np.asarray(out, dtype=np.float64)
                if check and not is_finite(out):
                    raise forward_failure(nid, op, out)
                vals[nid] = out
                append((nid, sources, out))
        finally:
            restore_fp_errors(token)
        return records

    def backward_steps(self, loss: str) -> list:
        """The op nodes the loss depends on (itself included), in reverse topological order."""
        steps = self._backward.get(loss)
        if steps is None:
            needed, steps = {loss}, []
            for step in reversed(self.steps):
                if step[0] in needed:
                    steps.append(step)
                    needed.update(step[3])
            self._backward[loss] = steps
            self._unreached[loss] = [n for n in self.order if n not in needed]
        return steps

    def unreached(self, loss: str) -> list:
        """Nodes the loss does not depend on (their gradient is zero)."""
        self.backward_steps(loss)
        return self._unreached[loss]

    def run_backward(self, vals: dict, loss: str) -> tuple[dict, list]:
        """Gradients of ``loss`` for every node it depends on, and the per-edge records.

        Every pass starts from zero; where a node feeds several others its gradient grows as
        ``grad = grad + c`` (a new array: ops such as ``add`` hand one array to two inputs).
        """
        grads = {loss: np.ones(vals[loss].shape)}
        records = []
        append = records.append
        token = raise_fp_errors()
        try:
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
                    raise GraphError(nid, f"the gradient of {op.name} failed: {exc}") from None
                for port, source in ports:
                    c = contributions[port]
                    if c.__class__ is not ndarray:
                        c = np.asarray(c, dtype=np.float64)
                    if check and not is_finite(c):
                        raise backward_failure(nid, op, source, c)
                    prev = grads.get(source)
                    if prev is None:
                        total = c
                    else:
                        total = _accumulate(source, prev, c)
                    grads[source] = total
                    append((source, nid, port, g, c, total))
        finally:
            restore_fp_errors(token)
        return grads, records


def _accumulate(source, prev, c):
    """prev + c as a new array; GraphError if the sum overflows."""
    try:
        total = prev + c
    except FloatingPointError:
        with np.errstate(all="ignore"):
            total = prev + c
        raise GraphError(source, f"its gradient overflowed to {nonfinite_kind(total)}") from None
    if total.__class__ is not ndarray:  # 0-d + 0-d gives a numpy scalar
        total = np.asarray(total)
    return total
