"""Straight-line Python for the passes nobody records (training steps, predictions).

The Plan's loops (``Plan.run_forward`` / ``Plan.run_backward``) look every value up in a dict
and unpack a step record per node: on a small graph that bookkeeping costs about as much as
the arithmetic. ``forward_function(plan)`` and ``gradient_function(plan, loss, wrt)`` write
the same op calls, in the same order, as one Python function with a local variable per node
(as the numpy export does), compiled once per plan; ``function.source`` shows it.

They are only a fast path. They raise on anything unusual — a floating-point error, an op
refusing its inputs, a result to check that is not finite (``Redo``) — and the Plan then runs
its loop on the same inputs, which deals with it as always (and names the node: a GraphError
is the expected end of such a pass). Both give the same numbers, bit for bit. Ops return numpy
arrays, never numpy scalars (tests/test_ops.py checks every case), so results are used as they
come.

A *real* fallback — a function that cannot be written, or a fast pass that raised where the
loop then succeeded — is a bug in the generated code. ``fell_back`` logs it once per plan
(logger ``engine.compiled_pass``; the loop then runs that graph's passes), and with the
environment variable ``BACKPROP_STUDIO_STRICT_FAST_PASS=1`` (set by tests/conftest.py) it
raises ``FastPassError`` instead, so the tests check the generated code rather than trust it.
"""
from __future__ import annotations

import logging
import os

import numpy as np

from engine.gradient_sums import accumulate, seed
from engine.values import is_finite

STRICT_ENV = "BACKPROP_STUDIO_STRICT_FAST_PASS"
log = logging.getLogger(__name__)
FAILURES: list = []   # FastPassErrors raised in this process (tests/conftest.py fails on any)


class Redo(Exception):
    """A result of the fast path needs the careful loop (it is not finite)."""


class FastPassError(RuntimeError):
    """Under ``BACKPROP_STUDIO_STRICT_FAST_PASS=1``: the fast pass could not be written, or it
    raised where the loop then succeeded."""


def strict() -> bool:
    return os.environ.get(STRICT_ENV) == "1"


def fell_back(plan, what: str, error: BaseException) -> None:
    """A real fallback to the plan's loop (``what`` happened, because of ``error``): raise
    ``FastPassError`` when strict, else log it once per plan."""
    reason = f"{type(error).__name__}: {error}"
    if strict():
        failure = FastPassError(f"the fast pass {what} ({reason})")
        FAILURES.append(failure)
        raise failure from error
    if not plan.fallback_logged:
        plan.fallback_logged = True
        log.warning("the fast pass %s (%s); this graph's passes take the plan's loop", what,
                    reason, exc_info=error)


def forward_function(plan):
    """``run(vals)``: every op node's value, computed from the leaves in `vals`, added to it
    (nothing is added when it raises)."""
    code = _Code(plan)
    outputs = []
    for nid, forward, attrs, _first, _take, check, step in plan.forward_runs:
        args = code.inputs(step.sources)   # before `nid` is defined
        out = code.define(nid)
        code.line(f"{out} = {code.const(forward)}({args}, {code.const(attrs)})",
                  f"{nid} = {step.op.name}({', '.join(step.sources)})")
        if check:
            code.check(out)
        outputs.append(nid)
    values = "".join(code.use(nid) + ", " for nid in outputs)
    code.line(f"vals.update(zip({code.const(tuple(outputs))}, ({values})))")
    return code.function("forward_pass")


def gradient_function(plan, loss: str, wrt: tuple):
    """``run(vals) -> {id: gradient}`` of `loss` for the nodes in `wrt` from the values of a
    forward pass, through ``Plan.pruned_steps`` (zeros where the loss does not depend on a
    node)."""
    runs, unreached = plan.pruned_runs(loss, wrt)
    code = _Code(plan)
    grads = {loss: code.gradient(loss)}
    code.line(f"{grads[loss]} = {code.const(seed)}({code.use(loss)}.shape)", f"d{loss}")
    for nid, backward, attrs, _first, _take, needs, ports, check, step in runs:
        args = f"{code.inputs(step.sources)}, {code.use(nid)}, {grads[nid]}, {code.const(attrs)}"
        if needs is not None:
            args += f", {needs!r}"
        code.line(f"c = {code.const(backward)}({args})", f"through {nid} ({step.op.name})")
        if nid not in wrt:
            code.line(f"del {grads[nid]}")   # used up: its memory can serve the next arrays
        for port, source, fresh in ports:
            name = grads.setdefault(source, code.gradient(source))
            if check:
                code.line(f"x = c[{port}]")
                code.check("x")
            value = "x" if check else f"c[{port}]"
            code.line(f"{name} = {value}" if fresh else
                      f"{name} = {code.const(accumulate)}({source!r}, {name}, {value})",
                      f"d{source}" if fresh else f"d{source} += ...")
    zeros = code.const(np.zeros_like)
    items = [f"{nid!r}: {zeros}({code.use(nid)})" if nid in unreached else
             f"{nid!r}: {grads[nid]}" for nid in wrt]
    code.line(f"return {{{', '.join(items)}}}")
    return code.function("gradient_pass")


class _Code:
    """The source of one pass function and the objects it refers to (as its globals)."""

    def __init__(self, plan):
        self.index = {nid: i for i, nid in enumerate(plan.order)}
        self.loads, self.lines, self.known = [], [], set()
        self.names = {"is_finite": is_finite, "Redo": Redo}

    def line(self, text: str, comment: str = "") -> None:
        comment = " ".join(comment.split())   # a node id may hold a line break
        self.lines.append(f"    {text}  # {comment}" if comment else f"    {text}")

    def const(self, value) -> str:
        """A global name for `value` in the generated function."""
        name = f"k{len(self.names)}"
        self.names[name] = value
        return name

    def use(self, nid: str) -> str:
        """The local variable holding `nid`'s value: read from ``vals`` on entry unless the
        function computes it."""
        name = f"v{self.index[nid]}"
        if nid not in self.known:
            self.known.add(nid)
            self.loads.append(f"    {name} = vals[{nid!r}]")
        return name

    def define(self, nid: str) -> str:
        """The local variable for a value the function computes."""
        self.known.add(nid)
        return f"v{self.index[nid]}"

    def gradient(self, nid: str) -> str:
        """The local variable for `nid`'s gradient."""
        return f"g{self.index[nid]}"

    def inputs(self, sources: tuple) -> str:
        names = [self.use(s) for s in sources]
        return f"({names[0]},)" if len(names) == 1 else f"({', '.join(names)})"

    def check(self, name: str) -> None:
        """A line making sure an op's result is finite (ops whose results must be checked)."""
        self.line(f"if not is_finite({name}): raise Redo")

    def function(self, name: str):
        source = "\n".join([f"def {name}(vals):", *self.loads, *self.lines]) + "\n"
        exec(compile(source, f"<{name}>", "exec"), self.names)
        function = self.names[name]
        function.source = source    # for reading (and debugging) what runs
        return function
