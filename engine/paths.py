"""Every path from a node to the loss: the chain rule as products along paths, summed.

The gradient of the loss with respect to a node is the sum, over every path from the node to
the loss, of the product of the local derivatives along that path (the seeds' "multiply along
a chain, add where paths meet"). ``paths_to_loss(trace, node)`` reads all of it from a
``Trace`` — it never re-derives the maths:

- each edge of a path is a backward step of the Trace; its local derivative ∂target/∂source
  comes from ``Trace.local_derivative`` (a number when both ends are scalars, one partial per
  element for an elementwise op) or does not exist as one number (a tensor op such as matmul:
  only the vector–Jacobian product exists, and the report says so instead of faking one);
- a path's contribution is the loss's seed passed back along that path alone, step by step
  through each op's own backward (a vector–Jacobian product), so it is exact for tensors too;
- the number of paths is counted by dynamic programming over the DAG (it can be exponential);
  at most ``limit`` paths are built: the ones with the largest contributions, found by keeping
  the ``limit`` largest suffixes at every node (exact when every step is scalar, since
  magnitudes then multiply; a beam otherwise). What the unlisted paths add together is the
  engine's gradient minus the listed ones (the sum over all paths is linear).
"""
from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np

SCALAR = "scalar"            # ∂target/∂source is one number
ELEMENTWISE = "elementwise"  # one partial derivative per element (a diagonal Jacobian)
JACOBIAN = "jacobian"        # no single number: only the vector–Jacobian product exists

DEFAULT_LIMIT = 12


@dataclass(frozen=True, eq=False)
class Factor:
    """The local derivative ∂target/∂source of one edge (``source`` into ``port`` of
    ``target``); ``value`` is a number (SCALAR), an array shaped like the target
    (ELEMENTWISE) or None (JACOBIAN)."""
    source: str
    target: str
    port: int
    kind: str
    value: np.ndarray | None

    @property
    def number(self) -> float | None:
        return float(np.reshape(self.value, -1)[0]) if self.kind == SCALAR else None


@dataclass(frozen=True, eq=False)
class Path:
    """One path ``nodes[0] → … → nodes[-1]`` (the loss). ``factors`` run from the loss end
    down to the node, as the seeds write them (∂L/∂out · ∂out/∂h · ∂h/∂w); ``contribution`` is
    what this path adds to d loss / d node, shaped like the node."""
    nodes: tuple
    factors: tuple
    contribution: np.ndarray

    @property
    def edges(self) -> tuple:
        """``(source, target, port)`` of every edge, from the node to the loss."""
        return tuple((f.source, f.target, f.port) for f in reversed(self.factors))

    @property
    def scalar(self) -> bool:
        """Every local derivative is one number: the contribution is their product."""
        return all(f.kind == SCALAR for f in self.factors)

    @property
    def product(self) -> float | None:
        """The product of the local derivatives (1 for the loss itself), or None for a path
        with a tensor step."""
        if not self.scalar:
            return None
        return math.prod(f.number for f in self.factors)

    @property
    def magnitude(self) -> float:
        return _magnitude(self.contribution)


@dataclass(frozen=True, eq=False)
class PathReport:
    """The paths from ``node`` to ``loss`` and how they add up to the gradient."""
    node: str
    loss: str | None
    count: int                # every path from node to loss (exact, however many)
    paths: tuple              # all of them when count <= limit, else the largest ones
    gradient: np.ndarray | None   # the engine's d loss / d node
    exact_ranking: bool = True    # the listed paths are surely the largest (all steps scalar)
    reason: str = ""          # why there are no paths (no loss, no dependence), else ""

    @property
    def complete(self) -> bool:
        return len(self.paths) == self.count

    @property
    def hidden(self) -> int:
        """How many paths are not listed."""
        return self.count - len(self.paths)

    @property
    def listed_sum(self) -> np.ndarray | None:
        """The sum of the listed paths' contributions (the whole gradient when complete)."""
        if not self.paths:
            return None
        total = self.paths[0].contribution
        for path in self.paths[1:]:
            total = total + path.contribution
        return np.asarray(total, dtype=np.float64)

    @property
    def rest(self) -> np.ndarray | None:
        """What the unlisted paths add together: the gradient minus the listed paths (the sum
        over paths is linear), or None when every path is listed."""
        if self.complete or self.gradient is None:
            return None
        listed = self.listed_sum
        return self.gradient - (0.0 if listed is None else listed)


def _magnitude(array) -> float:
    a = np.asarray(array, dtype=np.float64)
    if a.size == 0:
        return 0.0
    with np.errstate(all="ignore"):
        m = float(abs(a.reshape(-1)[0])) if a.size == 1 else float(np.sqrt(np.sum(np.square(a))))
    return m if not math.isnan(m) else math.inf   # a nan path is shown first, not hidden


def backward_edges(trace) -> dict:
    """{source: [(target, port, backward step index)]} of the Trace's backward pass."""
    out: dict = {}
    for i, step in enumerate(trace.backward_steps):
        out.setdefault(step.source, []).append((step.target, step.port, i))
    return out


def count_paths(trace, node: str, edges: dict | None = None) -> int:
    """The number of paths from ``node`` to the loss (dynamic programming over the DAG)."""
    if trace is None or not trace.has_backward:
        return 0
    edges = backward_edges(trace) if edges is None else edges
    reach = _reachable(node, edges)
    counts = {trace.loss: 1}
    for v in reversed(trace.order):
        if v in reach and v != trace.loss:
            counts[v] = sum(counts.get(t, 0) for t, _port, _i in edges.get(v, ()))
    return counts.get(node, 0)


def _reachable(node: str, edges: dict) -> set:
    seen, stack = {node}, [node]
    while stack:
        for target, _port, _i in edges.get(stack.pop(), ()):
            if target not in seen:
                seen.add(target)
                stack.append(target)
    return seen


class _Suffix:
    """A path from some node to the loss, as a linked list (shared tails, no copying)."""
    __slots__ = ("grad", "magnitude", "step", "rest")

    def __init__(self, grad, magnitude, step, rest):
        self.grad = grad          # d loss / d this node along this suffix only
        self.magnitude = magnitude
        self.step = step          # the backward step index of the first edge (None: the loss)
        self.rest = rest


def paths_to_loss(trace, node: str, limit: int = DEFAULT_LIMIT) -> PathReport:
    """Every path from ``node`` to the trace's loss (at most ``limit`` built: the largest)."""
    if trace is None or not trace.has_backward:
        return PathReport(node, None, 0, (), None, reason="no loss to differentiate")
    loss = trace.loss
    gradient = trace.grads.get(node)
    if node not in trace.values:
        return PathReport(node, loss, 0, (), gradient, reason=f"{node!r} has no value")
    if node == loss:
        seed = np.ones_like(trace.values[loss])
        return PathReport(node, loss, 1, (Path((loss,), (), seed),), gradient)
    edges = backward_edges(trace)
    if node not in edges:
        return PathReport(node, loss, 0, (), gradient,
                          reason=f"the loss {loss!r} does not depend on {node!r}")
    steps = trace.backward_steps
    reach = _reachable(node, edges)
    if any(trace.op_of(v) is None for v in reach if v != node):
        return PathReport(node, loss, count_paths(trace, node, edges), (), gradient,
                          reason="the trace has no op information (built by hand)")
    limit = max(1, int(limit))
    scalar = all(np.size(trace.values[v]) == 1 for v in reach)
    if scalar:    # magnitudes multiply: plain floats, and the ranking is exact
        locals_ = {}
        for v in reach:
            for _target, _port, i in edges.get(v, ()):
                local = trace.local_derivative(i)
                locals_[i] = float(np.reshape(local, -1)[0]) if local is not None else math.nan

        def extend(i, suffix):
            g = locals_[i] * suffix.grad
            return _Suffix(g, abs(g) if g == g else math.inf, i, suffix)
        seed = _Suffix(1.0, 1.0, None, None)
    else:

        def extend(i, suffix):
            g = _pass_back(trace, steps[i], i, suffix.grad)
            return _Suffix(g, _magnitude(g), i, suffix)
        seed = _Suffix(np.ones_like(trace.values[loss]), 1.0, None, None)
    counts, best = {loss: 1}, {loss: [seed]}
    for v in reversed(trace.order):
        if v not in reach or v == loss:
            continue
        counts[v] = sum(counts[t] for t, _port, _i in edges[v])
        candidates = [extend(i, suffix) for target, _port, i in edges[v]
                      for suffix in best[target]]
        best[v] = heapq.nlargest(limit, candidates, key=_by_magnitude)
    shape = np.shape(trace.values[node])
    factors: dict = {}    # paths share edges: one Factor per edge
    paths = tuple(_materialize(trace, steps, node, s, shape, factors) for s in best[node])
    return PathReport(node, loss, counts[node], paths, gradient, exact_ranking=scalar)


def _by_magnitude(suffix: _Suffix) -> float:
    return suffix.magnitude


def _pass_back(trace, step, i: int, grad):
    """``grad`` (d loss / d target along one suffix) sent back along backward step ``i``: the
    vector–Jacobian product through the target's own backward."""
    source_value = trace.values[step.source]
    if np.size(source_value) == 1 and np.size(trace.values[step.target]) == 1:
        local = trace.local_derivative(i)
        if local is not None:
            with np.errstate(all="ignore"):
                return np.reshape(np.asarray(local * grad, dtype=np.float64),
                                  np.shape(source_value))
    op, attrs = trace.op_of(step.target)
    xs = [trace.values[s] for s in trace.inputs_of(step.target)]
    with np.errstate(all="ignore"):
        out = op.backward(xs, trace.values[step.target], grad, attrs)[step.port]
    return np.asarray(out, dtype=np.float64)


def _materialize(trace, steps, node: str, suffix: _Suffix, shape, cache: dict) -> Path:
    nodes, factors = [node], []
    contribution = np.reshape(np.asarray(suffix.grad, dtype=np.float64), shape)
    while suffix.step is not None:
        step = steps[suffix.step]
        factor = cache.get(suffix.step)
        if factor is None:
            factor = cache[suffix.step] = local_factor(trace, suffix.step)
        factors.append(factor)
        nodes.append(step.target)
        suffix = suffix.rest
    return Path(tuple(nodes), tuple(reversed(factors)), contribution)


def local_factor(trace, i: int) -> Factor:
    """The local derivative of backward step ``i`` as a ``Factor``."""
    step = trace.backward_steps[i]
    local = trace.local_derivative(i)
    if local is None:
        kind = JACOBIAN
    elif (np.size(local) == 1 and np.size(trace.values[step.source]) == 1
          and np.size(trace.values[step.target]) == 1):
        kind = SCALAR
    else:
        kind = ELEMENTWISE
    return Factor(step.source, step.target, step.port, kind, local)
