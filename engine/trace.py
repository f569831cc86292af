"""The record of the last pass: what the animations replay instead of recomputing math.

A pass records plain tuples (references to the arrays it computed, never copies); the
``ForwardStep`` / ``BackwardStep`` objects are built the first time someone asks for them, so
recording costs the hot loop almost nothing. Arrays in a Trace are never mutated.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ForwardStep:
    """``node`` was computed from ``inputs`` (one id per port) and produced ``value``."""
    node: str
    inputs: tuple
    value: np.ndarray


@dataclass(frozen=True)
class BackwardStep:
    """Gradient flowing back along the edge ``source → target`` (into ``port`` of ``target``)."""
    source: str
    target: str
    port: int
    upstream: np.ndarray      # d loss / d target, complete when this step runs
    contribution: np.ndarray  # local derivative × upstream, shaped like source
    grad_after: np.ndarray    # source's accumulated gradient after adding the contribution


class Trace:
    """One forward (and usually backward) pass, in the order the engine computed it.

    ``loss`` is None for a forward-only pass (no loss could be differentiated); then
    ``backward_steps`` is empty and ``grads`` is {}. ``node_ops`` maps an op node to
    ``(Op, attrs)`` for ``local_derivative``. Step lists are built the first time they are read.
    """

    def __init__(self, loss, order, values, grads, forward_records=(), backward_records=(),
                 node_ops=None):
        self.loss = loss
        self.order = order
        self.values = values
        self.grads = grads
        self._forward_records = forward_records    # (node, inputs, value) tuples
        self._backward_records = backward_records  # (source, target, port, upstream,
        self._node_ops = node_ops or {}            #  contribution, grad_after) tuples
        self._forward_steps = None
        self._backward_steps = None
        self._inputs = None
        self._local_cache = {}

    def __repr__(self) -> str:
        return (f"Trace(loss={self.loss!r}, {len(self._forward_records)} forward steps, "
                f"{len(self._backward_records)} backward steps)")

    @property
    def has_backward(self) -> bool:
        return self.loss is not None and bool(self.grads)

    @property
    def forward_steps(self) -> list:
        if self._forward_steps is None:
            self._forward_steps = [ForwardStep(*r) for r in self._forward_records]
        return self._forward_steps

    @property
    def backward_steps(self) -> list:
        if self._backward_steps is None:
            self._backward_steps = [BackwardStep(*r) for r in self._backward_records]
        return self._backward_steps

    def with_backward(self, loss, grads, backward_records) -> "Trace":
        """A new Trace: this forward pass followed by a backward pass of ``loss``."""
        return Trace(loss, self.order, self.values, grads, self._forward_records,
                     backward_records, self._node_ops)

    def op_of(self, node: str):
        """``(Op, attrs)`` of an op node as it was in this pass, or None (a leaf)."""
        return self._node_ops.get(node)

    def inputs_of(self, node: str) -> tuple:
        """The input ids (one per port) of an op node, () for a leaf."""
        if self._inputs is None:
            self._inputs = {s.node: s.inputs for s in self.forward_steps}
        return self._inputs.get(node, ())

    def local_derivative(self, i: int) -> np.ndarray | None:
        """d target / d source for backward step ``i``.

        Shaped like the source when both are single numbers; shaped like the target (one partial
        derivative per output element, inputs broadcast) when the target's op is elementwise;
        ``None`` otherwise (then only the Jacobian-vector product ``contribution`` is shown).
        """
        cache = self._local_cache
        if i in cache:
            return cache[i]
        step = self.backward_steps[i]
        result = None
        op_attrs = self._node_ops.get(step.target)
        if op_attrs is not None:  # None for a Trace built by hand: no op information
            op, attrs = op_attrs
            inputs = self.inputs_of(step.target)
            xs = [self.values[s] for s in inputs]
            out = self.values[step.target]
            with np.errstate(all="ignore"):
                if out.size == 1 and self.values[step.source].size == 1:
                    grads = op.backward(xs, out, np.ones_like(out), attrs)
                    result = np.asarray(grads[step.port], dtype=np.float64)
                elif getattr(op, "elementwise", False):
                    xs = [np.broadcast_to(x, out.shape) for x in xs]
                    grads = op.backward(xs, out, np.ones_like(out), attrs)
                    result = np.asarray(grads[step.port], dtype=np.float64)
        cache[i] = result
        return result
