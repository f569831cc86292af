"""Gradient health: which nodes' gradients vanish, explode, or sit behind a dead ReLU.

``gradient_health(trace)`` is a pure function of one pass (values, gradients, ops): it returns
``{node id: (Badge, ...)}`` for the nodes with something to say, each badge a ``(kind, text)``
pair whose text is one line a user can act on.

- **vanishing**: the largest |gradient| of a node the loss depends on is below
  ``VANISH_RATIO`` (10⁻⁶) of the largest gradient in the graph that is not exploding itself
  (the loss's own seed of 1 included, so an all-small graph is judged against 1; an exploding
  one would make every ordinary gradient look vanished), and so is everything that
  arrived along each of its edges before it was summed (local derivative × upstream). So a
  gradient shrunk by a product of small factors (saturated activations, tiny weights) is
  flagged, but not one that is small only because contributions cancelled (a bias summed over
  a balanced batch). An exact 0 is not "vanishing": it comes from one zero factor (an input
  of 0, a ReLU's flat side — a dead ReLU has its own badge), not from shrinking. Nodes the
  loss does not depend on have a zero gradient by definition and get no badge.
- **exploding**: the largest |gradient| exceeds ``EXPLODE_ABOVE`` (10⁶), or is not finite.
  At 10⁶ a single SGD step with a typical learning rate of 0.01 moves a value by 10⁴ — far past
  any sensible scale, so training diverges; and products of such factors along a few more
  layers reach float64's overflow (≈ 1.8·10³⁰⁸), where the engine stops with a non-finite
  gradient. The threshold is absolute: a gradient does not need a comparison to be too big.
- **dead ReLU**: every input of a ``relu`` node is ≤ 0 on the whole batch, so it outputs 0
  everywhere and its derivative is 0 everywhere: nothing flows back through it, whatever the
  loss. (Leaky ReLU cannot die.)
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

VANISHING = "vanishing"
EXPLODING = "exploding"
DEAD_RELU = "dead_relu"

VANISH_RATIO = 1e-6
EXPLODE_ABOVE = 1e6


class Badge(NamedTuple):
    kind: str     # VANISHING, EXPLODING or DEAD_RELU
    text: str     # one line: what is wrong and what it means


def _g(x: float) -> str:
    return f"{x:.3g}".replace("-", "−")


def _largest(array) -> float:
    """max |array|; inf when anything is not finite; 0 for an empty array."""
    a = np.asarray(array, dtype=np.float64)
    if a.size == 0:
        return 0.0
    if not np.all(np.isfinite(a)):
        return float("inf")
    return float(np.max(np.abs(a)))


def dependents(trace) -> set:
    """The nodes the trace's loss depends on (the loss included); empty without a backward."""
    if trace is None or not trace.has_backward:
        return set()
    return {trace.loss} | {step.source for step in trace.backward_steps}


def gradient_health(trace) -> dict:
    """{node id: (Badge, ...)} for every node whose gradient vanishes or explodes, or whose
    ReLU is dead on the whole batch; nodes with nothing to report are left out."""
    badges: dict = {}
    if trace is None:
        return badges
    for node, badge in _dead_relus(trace):
        badges.setdefault(node, []).append(badge)
    depends = dependents(trace)
    grads = trace.grads
    sizes = {n: _largest(grads[n]) for n in depends if n in grads}
    # against the largest gradient that is not itself exploding: next to one gradient of 10⁹
    # an ordinary gradient of 1 has not vanished
    top = max((m for m in sizes.values() if m <= EXPLODE_ABOVE), default=0.0)
    loss = trace.loss
    by_source: dict = {}
    for i, step in enumerate(trace.backward_steps):
        by_source.setdefault(step.source, []).append(i)
    for node in trace.order:
        if node == loss or node not in sizes:
            continue
        m = sizes[node]
        symbol = f"∂{loss}/∂{node}"
        if not np.isfinite(m):
            badge = Badge(EXPLODING, f"exploding gradient: {symbol} is not finite (inf or nan)")
        elif m > EXPLODE_ABOVE:
            badge = Badge(EXPLODING, f"exploding gradient: |{symbol}| reaches {_g(m)} (> 10⁶); "
                                     f"one step at lr 0.01 would move it by {_g(m * 0.01)}")
        elif 0 < m < VANISH_RATIO * top and \
                arriving(trace, node, by_source.get(node, ())) < VANISH_RATIO * top:
            badge = Badge(VANISHING, f"vanishing gradient: |{symbol}| ≤ {_g(m)}, under 10⁻⁶ of "
                                     f"the largest in the graph ({_g(top)}); updates barely "
                                     "move it")
        else:
            continue
        badges.setdefault(node, []).append(badge)
    return {node: tuple(found) for node, found in badges.items()}


def arriving(trace, node: str, indices=None) -> float:
    """The largest |local derivative × upstream| that reached ``node`` along any one edge,
    before a broadcast sum or other edges could cancel it (the contribution itself where the
    local derivative is not one number per element). ``indices``: the backward steps whose
    source is ``node``, when the caller knows them."""
    steps = trace.backward_steps
    if indices is None:
        indices = [i for i, s in enumerate(steps) if s.source == node]
    largest = 0.0
    for i in indices:
        step = steps[i]
        local = trace.local_derivative(i)
        with np.errstate(all="ignore"):
            sent = step.contribution if local is None else local * step.upstream
        largest = max(largest, _largest(sent))
    return largest


def _dead_relus(trace):
    """(node, Badge) for every ReLU whose input is ≤ 0 everywhere."""
    for step in trace.forward_steps:
        op_attrs = trace.op_of(step.node)
        if op_attrs is None or op_attrs[0].name != "relu" or not step.inputs:
            continue
        x = trace.values.get(step.inputs[0])
        if x is None:
            continue
        x = np.asarray(x)
        if x.size and bool(np.all(x <= 0)):
            where = "its input is" if x.size == 1 else f"all {x.size} of its inputs are"
            yield step.node, Badge(DEAD_RELU, f"dead ReLU: {where} ≤ 0 on this batch, so it "
                                              "outputs 0 and passes no gradient back")
