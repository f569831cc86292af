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


@dataclass
class Trace:
    """One forward (and usually backward) pass, in the order the engine computed it."""
    loss: str | None
    order: list
    forward_steps: list
    backward_steps: list
    values: dict
    grads: dict

    @classmethod
    def record(cls, loss, order, values, grads, forward_records, backward_records, node_ops):
        """A Trace over raw records: forward ``(node, inputs, value)`` and backward
        ``(source, target, port, upstream, contribution, grad_after)`` tuples; ``node_ops``
        maps an op node to ``(Op, attrs)`` for ``local_derivative``. Steps are built lazily."""
        trace = cls.__new__(cls)
        trace.loss, trace.order, trace.values, trace.grads = loss, order, values, grads
        trace._forward_records = forward_records
        trace._backward_records = backward_records
        trace._node_ops = node_ops
        return trace

    def with_backward(self, loss, grads, backward_records) -> "Trace":
        """A new Trace: this forward pass followed by a backward pass of ``loss``."""
        d = self.__dict__
        return Trace.record(loss, self.order, self.values, grads, d.get("_forward_records", ()),
                            backward_records, d.get("_node_ops", {}))

    def __getattr__(self, name):
        # Only reached for attributes not set yet: the lazily built step lists.
        if name == "forward_steps":
            steps = [ForwardStep(*r) for r in self.__dict__.get("_forward_records", ())]
        elif name == "backward_steps":
            steps = [BackwardStep(*r) for r in self.__dict__.get("_backward_records", ())]
        else:
            raise AttributeError(name)
        self.__dict__[name] = steps
        return steps

    def inputs_of(self, node: str) -> tuple:
        """The input ids (one per port) of an op node, () for a leaf."""
        inputs = self.__dict__.get("_inputs")
        if inputs is None:
            inputs = self.__dict__["_inputs"] = {s.node: s.inputs for s in self.forward_steps}
        return inputs.get(node, ())

    def local_derivative(self, i: int) -> np.ndarray | None:
        """d target / d source for backward step ``i``.

        Shaped like the source when both are single numbers; shaped like the target (one partial
        derivative per output element, inputs broadcast) when the target's op is elementwise;
        ``None`` otherwise (then only the Jacobian-vector product ``contribution`` is shown).
        """
        cache = self.__dict__.setdefault("_local_cache", {})
        if i in cache:
            return cache[i]
        step = self.backward_steps[i]
        result = None
        op_attrs = self.__dict__.get("_node_ops", {}).get(step.target)
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
