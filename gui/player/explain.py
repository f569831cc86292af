"""The step card's content for step k of a Timeline, as plain data (no Qt).

Backward: the upstream gradient, the local derivative symbolic and numeric
(``∂h1/∂z1 = 1 − tanh²(z1) = 0.42``), the product sent down the edge and, where a node feeds
several others, the sum of what arrived once the last contribution is in
(``0.30 + 0.52 = 0.82``). Tensors without a scalar local derivative get the vector–Jacobian
product named, with shapes and norms, and the arrays themselves for heatmaps. Every number is
read from the Trace (``trace.local_derivative`` for local derivatives) or the engine's update
preview; scalars are written with 6 significant digits (``95.0625``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gui.formatting import (describe, fmt_number, grad_symbol, norm, norm_text, shape_text,
                            shape_words)
from gui.player import derivatives as d
from gui.player.timeline import BACKWARD, FORWARD, INITIAL, LOSS, UPDATE

DIGITS = 6
MAX_LEAVES = 8
MAX_TENSORS = 4


@dataclass(frozen=True)
class Line:
    label: str
    text: str
    kind: str = ""            # "value", "grad" or "" (how the card colours it)


@dataclass(frozen=True)
class Tensor:
    label: str
    array: np.ndarray
    kind: str = "grad"        # "value", "grad", "local"


@dataclass(frozen=True)
class Explanation:
    caption: str              # "step 6/9 · backward"
    title: str                # the step in one line
    lines: tuple = ()
    tensors: tuple = ()

    def text(self) -> str:
        """Everything the card says, as plain text (tests, the clipboard)."""
        rows = [f"{line.label}: {line.text}" if line.label else line.text for line in self.lines]
        return "\n".join([self.caption, self.title, *rows])


def number(x) -> str:
    return fmt_number(np.asarray(x).reshape(-1)[0], DIGITS)


def summary(array) -> str:
    """``95.0625`` for a scalar; ``4×2, −0.12 … 0.3, ‖·‖ = 0.41`` for a tensor (``all 0``
    when every element is the same)."""
    if d.is_scalar(array):
        return number(array)
    a = np.asarray(array)
    if a.size and np.all(a == a.flat[0]):
        spread = f"all {fmt_number(a.flat[0], 3)}"
    else:
        spread = describe(a, "", 3, " … ")
    return f"{shape_words(a)}, {spread}, {norm_text(a)}"


def explain(timeline, k: int) -> Explanation:
    info = timeline.step_info(k)
    builder = {INITIAL: _initial, FORWARD: _forward, LOSS: _loss, BACKWARD: _backward,
               UPDATE: _update}[info.phase]
    lines, tensors = builder(timeline, info)
    return Explanation(info.caption, info.title, tuple(lines), tuple(tensors[:MAX_TENSORS]))


def _initial(timeline, info):
    trace = timeline.trace
    computed = {s.node for s in trace.forward_steps}
    leaves = [n for n in timeline.node_ids if n in trace.values and n not in computed]
    lines = [Line(n, summary(trace.values[n]), "value") for n in leaves[:MAX_LEAVES]]
    if len(leaves) > MAX_LEAVES:
        lines.append(Line("", f"+ {len(leaves) - MAX_LEAVES} more leaves"))
    lines.append(Line("next", f"{len(computed)} op node{'s' if len(computed) != 1 else ''} "
                              f"computed in order, then the backward pass"
                      if timeline.loss else f"{len(computed)} op nodes computed in order"))
    return lines, []


def _forward(timeline, info):
    trace = timeline.trace
    step = trace.forward_steps[info.forward_index]
    lines, tensors = [], []        # the title already says what it computes
    for source in step.inputs:
        value = trace.values[source]
        lines.append(Line(f"input {source}", summary(value), "value"))
        if not d.is_scalar(value):
            tensors.append(Tensor(source, value, "value"))
    lines.append(Line("value", f"{step.node} = {summary(step.value)}", "value"))
    if not d.is_scalar(step.value):
        tensors.append(Tensor(step.node, step.value, "value"))
    return lines, tensors[-MAX_TENSORS:]


def _loss(timeline, info):
    trace, loss = timeline.trace, timeline.loss
    seed = trace.grads[loss]
    return [Line("loss", f"{loss} = {summary(trace.values[loss])}", "value"),
            Line("seed", f"{grad_symbol(loss, loss)} = {summary(seed)}  "
                         "(how the loss changes with itself)", "grad"),
            Line("next", "each step sends a gradient one edge back: "
                         "upstream gradient × local derivative")], []


def _backward(timeline, info):
    if len(info.backward_indices) > 1:
        return _node_step(timeline, info)
    return _edge(timeline, info.backward_indices[0])


def _node_step(timeline, info):
    """A node sending its gradient along several edges at once (node by node): the upstream
    gradient once, then per edge one row — the local derivative and what is sent back —
    and the source's gradient (its own row only where several paths meet)."""
    trace, loss = timeline.trace, timeline.loss
    first = trace.backward_steps[info.backward_indices[0]]
    upstream = grad_symbol(loss, first.target)
    lines = [Line("upstream", f"{upstream} = {summary(first.upstream)}", "grad")]
    tensors = [] if d.is_scalar(first.upstream) else [Tensor(upstream, first.upstream)]
    for j in info.backward_indices:
        step = trace.backward_steps[j]
        sent, arrived = _sent_back(timeline, j), _accumulated(timeline, j)
        if arrived.label == "gradient":          # the only path: the gradient is complete
            lines.append(Line(f"→ {step.source}", f"{sent}  (its only path: "
                                                  f"{grad_symbol(loss, step.source)} complete)",
                              "grad"))
        else:
            lines += [Line(f"→ {step.source}", sent, "grad"), arrived]
        if not d.is_scalar(step.contribution):
            tensors.append(Tensor(f"sent to {step.source}", step.contribution))
    return lines, tensors


def _sent_back(timeline, j: int) -> str:
    """One edge of a node step in a line: ``∂u/∂x = 2·x = 3; sent back 31.6875 × 3 =
    95.0625`` (a tensor: the product named, then what was sent)."""
    trace, loss = timeline.trace, timeline.loss
    step = trace.backward_steps[j]
    op, attrs = trace.op_of(step.target) or (None, {})
    inputs = trace.inputs_of(step.target)
    local, local_name = trace.local_derivative(j), f"∂{step.target}/∂{step.source}"
    symbolic = d.local_text(op, attrs, step.port, inputs, step.target)
    if local is not None and d.is_scalar(local) and d.is_scalar(step.upstream) \
            and d.is_scalar(step.contribution):
        numeric = number(local)
        rule = f"{local_name} = {symbolic}" + ("" if symbolic == numeric else f" = {numeric}")
        return (f"{rule}; sent back {number(step.upstream)} × {numeric} = "
                f"{number(step.contribution)}")
    rule = d.vjp_text(op, attrs, step.port, inputs, step.target, grad_symbol(loss, step.target))
    note = d.broadcast_note(np.shape(local) if local is not None else None,
                            np.shape(step.contribution))
    return f"{rule}{', ' + note if note else ''} = {summary(step.contribution)}"


def _edge(timeline, j: int):
    trace, loss = timeline.trace, timeline.loss
    step = trace.backward_steps[j]
    source, target, port = step.source, step.target, step.port
    op, attrs = trace.op_of(target) or (None, {})
    inputs = trace.inputs_of(target)
    upstream_name = grad_symbol(loss, target)
    local_name = f"∂{target}/∂{source}"
    symbolic = d.local_text(op, attrs, port, inputs, target)
    local = trace.local_derivative(j)
    lines = [Line("upstream", f"{upstream_name} = {summary(step.upstream)}", "grad")]
    tensors = []
    scalar = d.is_scalar(step.upstream) and d.is_scalar(step.contribution)
    if local is not None and d.is_scalar(local) and scalar:
        numeric = number(local)
        lines.append(Line("local", f"{local_name} = {symbolic}"
                                   + ("" if symbolic == numeric else f" = {numeric}")))
        lines.append(Line("sent back", f"{upstream_name} · {local_name} = "
                                       f"{number(step.upstream)} × {number(local)} = "
                                       f"{number(step.contribution)}", "grad"))
    elif local is not None:       # elementwise on tensors: one local derivative per element
        lines.append(Line("local", f"{local_name} = {symbolic}, elementwise: {summary(local)}"))
        note = d.broadcast_note(np.shape(local), np.shape(step.contribution))
        lines.append(Line("sent back", f"{upstream_name} ⊙ {local_name}"
                                       f"{', ' + note if note else ''} = "
                                       f"{summary(step.contribution)}", "grad"))
        tensors += [Tensor(upstream_name, step.upstream), Tensor(local_name, local, "local")]
    else:                         # no scalar local derivative: a vector–Jacobian product
        vjp = d.vjp_text(op, attrs, port, inputs, target, upstream_name)
        lines.append(Line("local", f"no single number: the vector–Jacobian product "
                                   f"{vjp}  ({shape_text(np.shape(step.upstream))} → "
                                   f"{shape_text(np.shape(step.contribution))})"))
        lines.append(Line("sent back", summary(step.contribution), "grad"))
        if not d.is_scalar(step.upstream):
            tensors.append(Tensor(upstream_name, step.upstream))
    if not d.is_scalar(step.contribution):
        tensors.append(Tensor(f"sent to {source}", step.contribution))
    lines.append(_accumulated(timeline, j))
    return lines, tensors


def _accumulated(timeline, j: int) -> Line:
    """How ``source``'s gradient stands after step j: complete, so far, or the sum."""
    trace, loss = timeline.trace, timeline.loss
    step = trace.backward_steps[j]
    arrivals = timeline.arrivals(step.source)
    name = grad_symbol(loss, step.source)
    position = arrivals.index(j) + 1
    if len(arrivals) == 1:
        return Line("gradient", f"{name} = {summary(step.grad_after)}  (its only path: complete)",
                    "grad")
    if position < len(arrivals):
        return Line("so far", f"{name} = {summary(step.grad_after)}  ({position} of "
                              f"{len(arrivals)} contributions; the sum is complete when the "
                              f"last one arrives)", "grad")
    return Line("sum", f"{name} = {timeline.fan_in_sum(j)}  (the sum over {len(arrivals)} "
                       "paths)", "grad")


def _update(timeline, info):
    u = timeline.update
    options = ", ".join(f"{_setting_name(k)} = {v:g}" for k, v in u.settings.items()
                        if k != "lr")                 # lr: in the title and every row
    lines = [Line("rule", u.formula + (f";  {options}" if options else ""))]
    if u.problem:
        lines.append(Line("note", u.problem))
    tensors = []
    for p in u.parameters:
        lines.append(Line(p.node, update_text(u, p, timeline.loss), "value"))
        if not d.is_scalar(p.old):
            tensors.append(Tensor(f"{p.node}: new − old", p.change, "value"))
    return lines, tensors


def update_text(update, p, loss) -> str:
    """The change that happens, written as it happens: ``w ← w − 0.1 · ∂L/∂w = 0.5 − 0.1 ×
    0.3 = 0.47   (new − old = −0.03)`` for a number; for a tensor the rule, then new − old
    signed per element (``= −0.05 for all 4 (each drops)``, or its range and how many drop
    and rise) and the norm before → after."""
    g = grad_symbol(loss, p.node)
    direction = g if update.direction == "g" else update.direction
    lr = fmt_number(update.settings["lr"], DIGITS)
    rule = f"{p.node} ← {p.node} − {lr} · {direction}"
    if d.is_scalar(p.old):
        d_value = np.asarray(p.direction if p.direction is not None else p.grad).reshape(-1)[0]
        times = number(d_value) if d_value >= 0 else f"({number(d_value)})"
        why = "" if update.direction == "g" else f"; {g} = {number(p.grad)}"
        return (f"{rule} = {number(p.old)} − {lr} × {times} = {number(p.new)}   "
                f"(new − old = {signed(p.change)}{why})")
    return (f"{rule}: {change_text(p.change)};  ‖{p.node}‖ {fmt_number(norm(p.old), 4)} → "
            f"{fmt_number(norm(p.new), 4)}")


def signed(x, digits: int = 3) -> str:
    """``+0.05`` / ``−0.05`` / ``0``: a change with its direction always written."""
    x = float(np.asarray(x).reshape(-1)[0])
    text = fmt_number(x, digits)
    return f"+{text}" if x > 0 else text


def change_text(change) -> str:
    """new − old of a tensor, signed: ``new − old = −0.05 for all 4 (each drops)``, or
    ``new − old from −0.05 to +0.05 (3 drop, 5 rise)``."""
    c = np.asarray(change, dtype=np.float64).reshape(-1)
    finite = c[np.isfinite(c)]
    if finite.size == 0:
        return "new − old is not finite"
    low, high = signed(finite.min()), signed(finite.max())
    drop, rise = int(np.sum(finite < 0)), int(np.sum(finite > 0))
    if low == high:
        what = "each drops" if drop == c.size else "each rises" if rise == c.size else \
            "none changes" if drop == rise == 0 else f"{drop} drop, {rise} rise"
        return f"new − old = {low} for all {c.size} ({what})"
    counts = [f"{n} {word}" for n, word in ((drop, "drop"), (rise, "rise"),
                                            (c.size - drop - rise, "stay")) if n]
    return f"new − old from {low} to {high} ({', '.join(counts)})"


def _setting_name(key: str) -> str:
    return {"beta1": "β1", "beta2": "β2", "eps": "ε", "momentum": "μ"}.get(key, key)
