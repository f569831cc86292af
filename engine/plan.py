"""The compiled plan: topological order and per-node steps, cached on ``Graph.version``.

``Plan.build(graph)`` resolves, once per structural change, each op node's forward/backward
functions, attrs and input ids in topological order (networkx's iterative sort, so a
1,000-node chain is fine). ``run_forward`` / ``run_backward`` are then tight loops over those
``Step`` records. Leaf values may change freely between passes without invalidating the plan.

A training pass asks for a few gradients only (``run_backward(..., wrt=parameter ids)``, never
recorded): ``pruned_steps`` then leaves out every backward step and port whose source leads to
no requested node, and tells each op which of its inputs' gradients are needed.
"""
from __future__ import annotations

from contextvars import ContextVar
from operator import itemgetter
from typing import Callable, NamedTuple

import numpy as np

from engine import compiled_pass
from engine.errors import GraphError, Kind, Problem
from engine.gradient_sums import accumulate, seed
from engine.ops import OPS
from engine.nonfinite import backward_cause, forward_cause
from engine.values import is_finite

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
    ports: tuple                # ((port, input id), ...) whose gradients the pass computes
    needs: tuple | None = None  # per port, whether its gradient is needed (None: all are);
                                # passed to a backward that takes it (Op.takes_needs)


def forward_failure(node: str, step: Step, xs, out) -> GraphError:
    """The node where a value first stopped being finite, with the cause its inputs show."""
    return GraphError(Kind.NONFINITE, forward_cause(step.op, xs, step.attrs, out), node)


def backward_failure(node: str, step: Step, xs, out, source: str, port: int,
                     grad) -> GraphError:
    return GraphError(Kind.NONFINITE,
                      backward_cause(step.op, xs, out, step.attrs, source, grad), node, port)


def _inputs(sources: tuple) -> tuple:
    """(first, take) for gathering a step's inputs from the values: ``(vals[first],)`` for one
    input (take is None), ``take(vals)`` (a tuple) for more."""
    return (sources[0], None) if len(sources) == 1 else (None, itemgetter(*sources))


def _forward_run(step: Step) -> tuple:
    """A step as the forward loop unpacks it (a plain tuple: the fastest to unpack)."""
    return (step.node, step.forward, step.attrs, *_inputs(step.sources), step.check_forward,
            step)


def _backward_runs(steps: list) -> list:
    """Steps as the backward loop unpacks them; each port is (port, source, fresh), fresh
    where it brings the source's first contribution (later ones are added to it)."""
    runs, reached = [], set()
    for step in steps:
        ports = []
        for port, source in step.ports:
            ports.append((port, source, source not in reached))
            reached.add(source)
        runs.append((step.node, step.backward, step.attrs, *_inputs(step.sources), step.needs,
                     tuple(ports), step.check_backward, step))
    return runs


class Plan:
    """Everything about a graph's structure the passes need, resolved once."""

    def __init__(self, version, order, leaves, steps, node_ops, sinks, cycle):
        self.version = version
        self.order = order          # every node id, topological (None when there is a cycle)
        self.leaves = leaves        # [(id, Node)] of arity-0 nodes, in order
        self.leaf_ids = tuple(nid for nid, _ in leaves)
        self.leaf_nodes = tuple(node for _, node in leaves)
        self.steps = steps          # [Step] per op node, in order
        self.node_ops = node_ops    # id -> (Op, attrs) for op nodes (Trace.local_derivative)
        self.sinks = sinks          # ids with no outgoing edge, in insertion order
        self.cycle = cycle          # a cycle as a list of ids, or None
        self.valid_shapes = set()   # tuples of leaf shapes found valid (the Graph fills it)
        self.forward_runs = [_forward_run(step) for step in steps]
        self._backward = {}         # loss id -> the steps it depends on, reversed
        self._backward_runs = {}    # loss id -> those steps as the backward loop runs them
        self._unreached = {}        # loss id -> the nodes it does not depend on
        self._pruned = {}           # (loss id, requested ids) -> (runs, requested unreached)
        self._fast_forward = None   # compiled_pass.forward_function (None: not yet; False: off)
        self._fast_gradients = {}   # (loss id, requested ids) -> gradient_function (or False)
        self.fallback_logged = False  # a real fallback to the loops was logged (compiled_pass)

    @classmethod
    def build(cls, graph) -> "Plan":
        import networkx as nx   # loaded with the first Graph (engine/graph.py)
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
        fast = self._fast_forward if not record else False
        failure = None
        if fast is not False:
            if fast is None:
                fast = self._fast_forward = _compiled("forward_function", self)
        if fast is not False:
            try:
                return fast(vals)       # the same pass, as straight-line code
            except Exception as exc:    # the loop below does it again, carefully
                failure = exc
        records = [] if record else None
        append = records.append if record else None
        for nid, forward, attrs, first, take, check, step in self.forward_runs:
            xs = (vals[first],) if take is None else take(vals)
            try:
                out = forward(xs, attrs)
            except Exception as exc:
                out = _forward_again(step, xs, exc)
                check = True
            if out.__class__ is not ndarray:
                out = np.asarray(out, dtype=np.float64)
            if check and not is_finite(out):
                raise forward_failure(nid, step, xs, out)
            vals[nid] = out
            if append is not None:
                append((nid, step.sources, out))
        if failure is not None:         # the fast path failed where the loop did not:
            self._fast_forward = False  # this graph's passes take the loop from now on
            compiled_pass.fell_back(self, "forward raised where the loop did not", failure)
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
            self._backward_runs[loss] = _backward_runs(steps)
            self._unreached[loss] = [n for n in self.order if n not in needed]
        return steps

    def unreached(self, loss: str) -> list:
        """Nodes the loss does not depend on (their gradient is zero)."""
        self.backward_steps(loss)
        return self._unreached[loss]

    def pruned_steps(self, loss: str, wrt: tuple) -> list:
        """``backward_steps(loss)`` cut down to what the gradients of the nodes in `wrt` need.

        A node needs a gradient iff it is requested or one of its inputs, transitively, needs
        one. A step runs only for its ports whose source needs a gradient (none: the step is
        left out), and an op that takes ``needs`` is told which those are. Each kept source
        receives every contribution the full pass would give it, in the same order, so its
        gradient is the same, bit for bit."""
        return [run[-1] for run in self.pruned_runs(loss, wrt)[0]]

    def unreached_of(self, loss: str, wrt: tuple) -> tuple:
        """The nodes of `wrt` that a pass pruned for them leaves without a gradient (zero)."""
        return self.pruned_runs(loss, wrt)[1]

    def pruned_runs(self, loss: str, wrt: tuple) -> tuple:
        key = (loss, wrt)
        pruned = self._pruned.get(key)
        if pruned is None:
            unknown = set(wrt).difference(self.order)
            if unknown:
                raise GraphError(Kind.NO_NODE, f"no node {min(unknown)!r} to differentiate for")
            needing = set(wrt)
            for step in self.steps:   # topological: a step's inputs are decided before it
                if not needing.isdisjoint(step.sources):
                    needing.add(step.node)
            steps, reached = [], {loss}
            for step in self.backward_steps(loss):
                ports = tuple((p, s) for p, s in step.ports if s in needing)
                if not ports:
                    continue
                needs = tuple(s in needing for s in step.sources)
                if all(needs) or not step.op.takes_needs:
                    needs = None
                steps.append(step._replace(ports=ports, needs=needs))
                reached.update(s for _, s in ports)
            if len(self._pruned) > 8:
                self._pruned.clear()
                self._fast_gradients.clear()
            pruned = self._pruned[key] = (
                _backward_runs(steps), tuple(n for n in wrt if n not in reached))
        return pruned

    def gradients(self, vals: dict, loss: str, wrt: tuple) -> dict:
        """{id: gradient of `loss`} for the nodes in `wrt` (zeros where the loss does not
        depend on one), from a pass pruned for them (``pruned_steps``) that records nothing."""
        if not _CHECKING.get():
            with FPChecks():
                return self.gradients(vals, loss, wrt)
        key = (loss, wrt)
        fast = self._fast_gradients.get(key)
        if fast is None:
            self.pruned_runs(loss, wrt)   # an unknown node is the pass's error, not the writer's
            fast = self._fast_gradients[key] = _compiled("gradient_function", self, loss, wrt)
        failure = None
        if fast is not False:
            try:
                return fast(vals)       # the same pass, as straight-line code
            except Exception as exc:    # the loop does it again, carefully
                failure = exc
        grads, _ = self.run_backward(vals, loss, False, wrt)
        for nid in self.unreached_of(loss, wrt):
            grads[nid] = np.zeros_like(vals[nid])
        if failure is not None:         # the fast path failed where the loop did not
            self._fast_gradients[key] = False
            compiled_pass.fell_back(self, "gradients raised where the loop did not", failure)
        return dict(zip(wrt, map(grads.__getitem__, wrt)))

    def run_backward(self, vals: dict, loss: str, record: bool = True,
                     wrt: tuple | None = None) -> tuple[dict, list]:
        """Gradients of ``loss`` for every node it depends on, and the per-edge records
        (None when `record` is false).

        With `wrt` (a tuple of node ids; only when `record` is false), only the steps those
        nodes' gradients need run (``pruned_steps``): the requested nodes (and those between
        them and the loss) get their gradients, others may get none.

        Every pass starts from zero; where a node feeds several others its gradient grows as
        ``grad = grad + c`` (a new array: ops such as ``add`` hand one array to two inputs).
        """
        if not _CHECKING.get():
            with FPChecks():
                return self.run_backward(vals, loss, record, wrt)
        if wrt is None:
            runs = self._backward_runs.get(loss)
            if runs is None:
                self.backward_steps(loss)
                runs = self._backward_runs[loss]
        elif record:
            raise ValueError("a recorded backward pass computes every gradient: no wrt")
        else:
            runs = self.pruned_runs(loss, wrt)[0]
        grads = {loss: seed(vals[loss].shape)}
        records = [] if record else None
        append = records.append if record else None
        for nid, backward, attrs, first, take, needs, ports, check, step in runs:
            xs = (vals[first],) if take is None else take(vals)
            g = grads[nid]
            try:
                if needs is None:
                    contributions = backward(xs, vals[nid], g, attrs)
                else:
                    contributions = backward(xs, vals[nid], g, attrs, needs)
            except Exception as exc:
                contributions = _backward_again(step, xs, vals[nid], g, exc)
                check = True
            for port, source, fresh in ports:
                c = contributions[port]
                if c.__class__ is not ndarray:
                    c = np.asarray(c, dtype=np.float64)
                if check and not is_finite(c):
                    raise backward_failure(nid, step, xs, vals[nid], source, port, c)
                total = grads[source] = c if fresh else accumulate(source, grads[source], c)
                if append is not None:
                    append((source, nid, port, g, c, total))
        return grads, records


def _compiled(name: str, plan: Plan, *args):
    """A pass function of ``engine.compiled_pass``, or False when it cannot be written (the
    loop then runs every pass; ``compiled_pass.fell_back`` says so)."""
    try:
        return getattr(compiled_pass, name)(plan, *args)
    except Exception as exc:
        compiled_pass.fell_back(plan, f"{name} could not be written", exc)
        return False


def _forward_again(step: Step, xs, exc: Exception):
    """After `step`'s forward raised `exc`: a floating-point error is computed again with the
    errors ignored (the caller then checks the result); anything else names the node."""
    if isinstance(exc, FloatingPointError):
        with np.errstate(all="ignore"):
            return step.op.forward(xs, step.attrs)
    raise GraphError(Kind.OP_FAILED, f"{step.op.name} failed: {exc}", step.node) from None


def _backward_again(step: Step, xs, out, g, exc: Exception):
    """``_forward_again`` for the backward of `step`."""
    if isinstance(exc, FloatingPointError):
        with np.errstate(all="ignore"):
            if step.needs is None:
                return step.op.backward(xs, out, g, step.attrs)
            return step.op.backward(xs, out, g, step.attrs, step.needs)
    raise GraphError(Kind.OP_FAILED, f"the gradient of {step.op.name} failed: {exc}",
                     step.node) from None
