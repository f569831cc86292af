"""What a player step asks the learner in predict mode, and its answer, from the Trace.

- A **forward** step asks for the node's value.
- A **backward** step asks for what flows down its edge into the node that receives it. Where
  several paths meet (the node feeds several others), the step that brings the last
  contribution asks for the sum, and the earlier steps for their own contribution. In node
  granularity a step may bring several contributions to the same node (``mul(x, x)``): it
  asks for their sum. A step that sends to several nodes asks about the first one it sends
  to, unless the caller names another.
- The **update** step asks for a parameter's new value (the first parameter, or the one named).
- The initial and the loss step ask nothing.

For a tensor the question is about one element: the one with the largest |answer|, the first
in row-major order on ties. A prediction counts as right within ``tolerance`` (1e-3 unless
set) relative to the larger of |answer| and the largest number the step card shows for that
element (``scale``), so a learner who multiplies the card's 6-digit numbers is right.

Everything is read from the Trace (values, upstream gradients, contributions, local
derivatives via ``trace.local_derivative``) and the engine's update preview; nothing is
recomputed except the mistakes' values (engine/predict/diagnose.py).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.ops import unbroadcast
from engine.predict import mistakes
from engine.predict.text import element, grad_symbol
from engine.steps import BACKWARD, FORWARD, UPDATE

DEFAULT_TOLERANCE = 1e-3
VALUE, CONTRIBUTION, SUM, NEW_VALUE = "value", "contribution", "sum", "new value"


@dataclass(frozen=True)
class Term:
    """One edge's share of a backward answer, at the asked element.

    ``contribution`` is what flowed along the edge (upstream × local, summed over broadcast
    axes). ``upstream`` / ``local`` are the two factors when the element is one product
    (None for a tensor op with no per-element local derivative, or an input broadcast along
    some axis). ``upstream_alone`` / ``local_alone`` / ``at_output`` are what the edge would
    have sent with the local derivative forgotten, the upstream forgotten, or the local
    derivative evaluated at the target's output (None where that mistake is not defined).
    ``earlier``: it arrived in an earlier player step (the canvas already shows it)."""
    edge: tuple
    contribution: float
    upstream: float | None = None
    local: float | None = None
    upstream_alone: float | None = None
    local_alone: float | None = None
    at_output: float | None = None
    op: str | None = None                  # the target's op
    wrong_local: str | None = None         # "1 − tanh²(0.707107)": the local derivative's
    right_local: str | None = None         #   formula at the output, and at the input
    input_value: float | None = None       # the point the local derivative is taken at
    output_value: float | None = None      # the target's value (the mistaken point)
    earlier: bool = False


@dataclass(frozen=True)
class Question:
    """What player step ``step`` (from 0; the caption says ``step+1``) asks, and its answer."""
    step: int
    caption: str
    phase: str
    node: str                  # the node whose number is asked
    asks: str                  # VALUE, CONTRIBUTION, SUM or NEW_VALUE
    index: tuple               # the element asked; () for a single number
    answer: float
    scale: float               # max(|answer|, the largest number on the card for the element)
    tolerance: float = DEFAULT_TOLERANCE
    loss: str | None = None
    edge: tuple | None = None  # (source, target, port): the edge of a one-edge backward step
    terms: tuple = ()          # backward: every contribution in the answer, in arrival order
    old: float | None = None   # update: θ before, the subtracted step, the gradient
    step_size: float | None = None
    grad: float | None = None
    optimizer: str = ""
    lr: float | None = None
    size: int = 1              # how many numbers the node holds (the element is named if > 1)

    @property
    def allowed_error(self) -> float:
        return self.tolerance * self.scale

    def is_right(self, guess: float) -> bool:
        return close(guess, self.answer, self.allowed_error)

    @property
    def element(self) -> str:
        """``[0, 2]``: the element asked, "" when the node holds one number."""
        return element(self.index) if self.size > 1 else ""

    @property
    def symbol(self) -> str:
        """The quantity asked, in the app's notation: ``u``, ``∂y/∂x``, ``W1[0, 1]``."""
        at = self.element
        if self.asks in (VALUE, NEW_VALUE):
            return f"{self.node}{at}"
        return f"{grad_symbol(self.loss, self.node)}{at}"

    @property
    def prompt(self) -> str:
        """The question in one line."""
        at = self.element
        if self.asks == VALUE:
            return f"What is {self.node}{at}?"
        if self.asks == NEW_VALUE:
            return f"What is {self.node}{at} after one {self.optimizer} step?"
        if self.asks == SUM:
            return (f"What is {self.symbol}, the sum of what arrived along its "
                    f"{len(self.terms)} edges?")
        if self.edge is not None:
            source, target, _port = self.edge
            return f"What flows down {target} → {source}{' at ' + at if at else ''}?"
        return f"What does this step send to {self.node}{at}?"


def close(guess: float, target: float, allowed: float) -> bool:
    guess, target = float(guess), float(target)
    return guess == target or abs(guess - target) <= allowed


def largest_index(array) -> tuple:
    """The element with the largest |value|, the first in row-major order on ties; () for a
    0-d array."""
    a = np.asarray(array, dtype=np.float64)
    if a.ndim == 0:
        return ()
    with np.errstate(invalid="ignore"):
        flat = int(np.argmax(np.abs(a).reshape(-1)))
    return tuple(int(i) for i in np.unravel_index(flat, a.shape))


def _at(array, index: tuple) -> float:
    a = np.asarray(array, dtype=np.float64)
    return float(a[index]) if a.ndim else float(a)


def _scale(answer: float, numbers) -> float:
    found = [abs(float(n)) for n in numbers if n is not None and np.isfinite(n)]
    return max([abs(answer), *found])


def ask(trace, step, update=None, node: str | None = None,
        tolerance: float | None = None) -> Question | None:
    """The question of player step ``step`` (an ``engine.steps.PlayerStep`` or the player's
    StepInfo) over ``trace``; ``update``: the engine's UpdatePreview (for the update step);
    ``node``: the node asked about where a step concerns several (a backward step sending to
    several inputs, the update of several parameters). None for a step that asks nothing.
    ValueError when ``node`` is not one the step concerns."""
    tolerance = DEFAULT_TOLERANCE if tolerance is None else float(tolerance)
    if step.phase == FORWARD:
        return _forward(trace, step, node, tolerance)
    if step.phase == BACKWARD:
        return _backward(trace, step, node, tolerance)
    if step.phase == UPDATE and update is not None:
        return _update(trace, step, update, node, tolerance)
    return None


def _forward(trace, step, node, tolerance) -> Question:
    s = trace.forward_steps[step.forward_index]
    if node is not None and node != s.node:
        raise ValueError(f"{step.caption} computes {s.node}, not {node}")
    index = largest_index(s.value)
    answer = _at(s.value, index)
    op_attrs = trace.op_of(s.node)
    numbers = []
    for source in s.inputs:
        x = np.asarray(trace.values[source], dtype=np.float64)
        if op_attrs is not None and op_attrs[0].elementwise and x.size:
            numbers.append(_at(np.broadcast_to(x, np.shape(s.value)), index))
        elif x.size:
            with np.errstate(invalid="ignore"):
                numbers.append(float(np.max(np.abs(x))))
    return Question(step.index, step.caption, FORWARD, s.node, VALUE, index, answer,
                    _scale(answer, numbers), tolerance, trace.loss, size=int(np.size(s.value)))


def _backward(trace, step, node, tolerance) -> Question:
    steps = trace.backward_steps
    in_step = list(step.backward_indices)
    sources = list(dict.fromkeys(steps[i].source for i in in_step))
    if node is None:
        node = sources[0]
    elif node not in sources:
        raise ValueError(f"{step.caption} sends to {', '.join(sources)}, not {node}")
    arrivals = [i for i, s in enumerate(steps) if s.source == node]
    mine = [i for i in in_step if steps[i].source == node]
    completes = arrivals[-1] in mine
    if completes and len(arrivals) > 1:
        asks, used = SUM, arrivals
    else:
        asks, used = CONTRIBUTION, mine
    with np.errstate(all="ignore"):
        total = sum(np.asarray(steps[i].contribution, dtype=np.float64) for i in used)
    index = largest_index(total)
    answer = _at(total, index)
    terms = tuple(_term(trace, i, index, earlier=i not in mine) for i in used)
    numbers = [n for t in terms for n in (t.contribution, t.upstream, t.local)]
    first = steps[mine[0]]
    edge = (first.source, first.target, first.port) if len(mine) == 1 else None
    return Question(step.index, step.caption, BACKWARD, node, asks, index, answer,
                    _scale(answer, numbers), tolerance, trace.loss, edge, terms,
                    size=int(np.size(total)))


def _term(trace, i: int, index: tuple, earlier: bool) -> Term:
    """Backward step ``i``'s contribution at ``index`` of its source, with the factors and
    the mistaken versions a diagnosis compares against."""
    s = trace.backward_steps[i]
    source_shape = np.shape(trace.values[s.source])
    contribution = _at(s.contribution, index)
    local = trace.local_derivative(i)
    op, attrs = trace.op_of(s.target) or (None, {})
    name = op.name if op is not None else None
    if local is None:                  # a tensor op: no per-element local derivative
        return Term((s.source, s.target, s.port), contribution, op=name, earlier=earlier)
    local = np.asarray(local, dtype=np.float64)
    upstream = np.asarray(s.upstream, dtype=np.float64)
    with np.errstate(all="ignore"):
        shape = np.broadcast_shapes(np.shape(local), np.shape(upstream))
        up_full = np.broadcast_to(upstream, shape)
        local_full = np.broadcast_to(local, shape)
        upstream_alone = _at(_sum_to(up_full, source_shape), index)
        local_alone = _at(_sum_to(local_full, source_shape), index)
        one_product = tuple(shape) == tuple(source_shape) or np.size(local) == 1
        template = mistakes.template(op)
        at_output = point = out_value = wrong_text = right_text = None
        if template is not None:
            x = np.asarray(trace.values[s.source], dtype=np.float64)
            wrong = mistakes.local_at_output(op, x, attrs)
            at_output = _at(_sum_to(up_full * np.broadcast_to(wrong, shape), source_shape),
                            index)
            if one_product:
                out = trace.values[s.target]
                point = _at(np.broadcast_to(x, shape), _full(index, shape))
                out_value = _at(np.broadcast_to(out, shape), _full(index, shape))
                wrong_text = mistakes.formula(op, attrs, template, out_value)
                right_text = mistakes.formula(op, attrs, template, point)
    factors = ((_at(up_full, _full(index, shape)), _at(local_full, _full(index, shape)))
               if one_product else (None, None))
    return Term((s.source, s.target, s.port), contribution, *factors, upstream_alone,
                local_alone, at_output, name, wrong_text, right_text, point, out_value, earlier)


def _full(index: tuple, shape) -> tuple:
    """``index`` of the source as an index into the (equal or scalar-broadcast) full shape."""
    return index if len(index) == len(shape) else tuple(0 for _ in shape)


def _sum_to(array, shape) -> np.ndarray:
    """Sum a broadcast array back to ``shape`` (or reshape a one-element array into it)."""
    array = np.asarray(array, dtype=np.float64)
    if array.size == int(np.prod(shape, dtype=int)) and array.size == 1:
        return array.reshape(shape)
    return unbroadcast(array, tuple(shape))


def _update(trace, step, update, node, tolerance) -> Question | None:
    parameters = list(update.parameters)
    if not parameters:
        return None
    chosen = parameters[0] if node is None else update.of(node)
    if chosen is None:
        raise ValueError(f"{step.caption} updates {', '.join(p.node for p in parameters)}, "
                         f"not {node}")
    index = largest_index(chosen.new)
    answer = _at(chosen.new, index)
    old, size, grad = (_at(chosen.old, index), _at(chosen.step, index),
                       _at(chosen.grad, index))
    lr = float(update.settings.get("lr")) if "lr" in update.settings else None
    return Question(step.index, step.caption, UPDATE, chosen.node, NEW_VALUE, index, answer,
                    _scale(answer, [old, size, grad, lr]), tolerance, trace.loss,
                    old=old, step_size=size, grad=grad, optimizer=update.optimizer, lr=lr,
                    size=int(np.size(chosen.new)))
