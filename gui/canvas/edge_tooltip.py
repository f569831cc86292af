"""What an edge's tooltip says: the value it carries forward and, backwards, the chain-rule
step on it (local derivative × upstream gradient = what flowed back), from the last Trace."""
from __future__ import annotations

import numpy as np

from gui.formatting import describe, grad_symbol


def backward_steps(trace) -> dict:
    """{(source, target, port): (index, BackwardStep)} of the last backward pass."""
    if trace is None:
        return {}
    return {(s.source, s.target, s.port): (i, s) for i, s in enumerate(trace.backward_steps)}


def edge_explanation(model, key, steps) -> str:
    """What flows along an edge: the value forwards; backwards, the chain-rule product."""
    source, target, port = key
    op = model.op(target) if model.has_node(target) else None
    port_name = op.port_names[port] if op is not None and port < len(op.port_names) else port
    lines = [f"<b>{source} → {target}</b> (input {port_name})"]
    value = model.values.get(source)
    if value is not None:
        lines.append(f"forward: carries {source} {describe(value, '= ')}")
    found = steps.get(key)
    if found is None:
        lines.append("backward: no gradient yet (needs a scalar loss downstream)")
        return "<br>".join(lines)
    index, step = found
    local = model.trace.local_derivative(index)
    loss = model.loss_id
    lines.append(f"backward: {grad_symbol(loss, source)} += ∂{target}/∂{source} · "
                 f"{grad_symbol(loss, target)}")
    if local is not None and np.size(local) == 1 and np.size(step.upstream) == 1:
        lines.append(f"&nbsp;&nbsp;= {describe(local)} × {describe(step.upstream)}"
                     f" = {describe(step.contribution)}")
    else:
        lines.append(f"&nbsp;&nbsp;{grad_symbol(loss, target)} {describe(step.upstream)}; "
                     f"sent back {describe(step.contribution)}")
    return "<br>".join(lines)
