"""What an edge's tooltip says: the value it carries forward and, backwards, the chain-rule
step on it (local derivative × upstream gradient = what flowed back), from the last Trace.

It describes what the canvas shows (the scene's ``DisplayRecord``): during a replay, the step
shown — a value not computed yet is not given, nothing has flowed back before the backward
pass reaches the edge, and a hidden number (predict mode) is "?".
"""
from __future__ import annotations

import numpy as np

from gui.display import HIDDEN, DisplayRecord
from gui.formatting import describe, grad_symbol


def backward_steps(trace) -> dict:
    """{(source, target, port): (index, BackwardStep)} of the last backward pass."""
    if trace is None:
        return {}
    return {(s.source, s.target, s.port): (i, s) for i, s in enumerate(trace.backward_steps)}


def edge_explanation(model, key, steps, record: DisplayRecord | None = None) -> str:
    """What flows along an edge as ``record`` shows it (None: the model's last pass): the
    value forwards; backwards, the chain-rule product."""
    source, target, port = key
    op = model.op(target) if model.has_node(target) else None
    port_name = op.port_names[port] if op is not None and port < len(op.port_names) else port
    lines = [f"<b>{source} → {target}</b> (input {port_name})"]
    replay = record is not None and not record.live
    shown = record.node(source) if replay else None
    value = shown.value if replay else model.values.get(source)
    if value is not None:
        lines.append(f"forward: carries {source} {describe(value, '= ')}")
    elif replay and shown.value_hidden:
        lines.append(f"forward: carries {source} = {HIDDEN}")
    elif replay and shown.value_note:
        lines.append(f"forward: {source} is {shown.value_note}")
    found = steps.get(key)
    if found is None:
        lines.append("backward: no gradient yet (needs a scalar loss downstream)")
        return "<br>".join(lines)
    index, step = found
    loss = model.loss_id
    if replay:
        edge = record.edge(key)
        if edge.contribution is None and not edge.hidden:
            when = f" at {record.caption.split(' · ')[0]}" if record.caption else ""
            lines.append(f"backward: nothing has flowed back along it yet{when}")
            return "<br>".join(lines)
    local = model.trace.local_derivative(index)
    lines.append(f"backward: {grad_symbol(loss, source)} += ∂{target}/∂{source} · "
                 f"{grad_symbol(loss, target)}")
    sent = HIDDEN if replay and record.edge(key).hidden else describe(step.contribution)
    upstream = (HIDDEN if replay and record.node(target).grad_hidden
                else describe(step.upstream))
    if local is not None and np.size(local) == 1 and np.size(step.upstream) == 1:
        lines.append(f"&nbsp;&nbsp;= {describe(local)} × {upstream} = {sent}")
    else:
        lines.append(f"&nbsp;&nbsp;{grad_symbol(loss, target)} {upstream}; sent back {sent}")
    return "<br>".join(lines)
