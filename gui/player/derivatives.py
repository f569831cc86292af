"""The player's formula text: each op's templates (``Op.text``, defined with the op in
``engine/ops/``) filled with the graph's own ids and the app's number format. No Qt.

The step card writes ``∂h1/∂z1 = 1 − tanh²(z1) = 0.42``: the symbolic part comes from the op's
text, the number from the Trace (never from here). An op without text gets a generic sentence,
so a new op never breaks the card.
"""
from __future__ import annotations

import numbers

import numpy as np

from gui.formatting import fmt_number


class _Fields(dict):
    def __missing__(self, key):   # an unknown placeholder prints as itself, never raises
        return "{" + key + "}"


def fields(op, attrs, inputs, out, upstream: str = "g") -> dict:
    """The placeholders of ``op``'s templates: port names → input ids, out, g, numeric attrs
    in the app's number format, and what the op's text computes from its attrs."""
    attrs = dict(attrs or {})
    names = tuple(op.port_names) if op is not None else ()
    f = _Fields({name: str(inputs[i]) for i, name in enumerate(names) if i < len(inputs)})
    f.update(out=out, g=upstream)
    for key, value in attrs.items():
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            f[key] = fmt_number(value)
    text = _text(op)
    if text is not None and text.fields is not None:
        f.update(text.fields(attrs, f, fmt_number))
    return f


def _text(op):
    return getattr(op, "text", None)


def forward_text(op, attrs, inputs, out) -> str:
    """``u = x_squared + one``; ``y = op(inputs)`` for an op without a template."""
    text = _text(op)
    template = text.formula if text is not None else None
    if template is None:
        name = op.name if op is not None else "?"
        return f"{out} = {name}({', '.join(map(str, inputs))})"
    return f"{out} = {template.format_map(fields(op, attrs, inputs, out))}"


def local_text(op, attrs, port: int, inputs, out) -> str:
    """The symbolic ``∂out/∂input`` of ``port`` (right-hand side only: ``1 − tanh²(z1)``)."""
    text = _text(op)
    rules = text.local if text is not None else ()
    if port >= len(rules):
        return generic_local(op, port)
    return rules[port].format_map(fields(op, attrs, inputs, out))


def at_output_text(op, attrs, inputs, out) -> str:
    """The local derivative evaluated at the output instead of the input, a common mistake
    (``1 − tanh²(h1)`` for h1 = tanh(z1)); "" where the op states none."""
    text = _text(op)
    if text is None or not text.at_output:
        return ""
    return text.at_output.format_map(fields(op, attrs, inputs, out))


def vjp_text(op, attrs, port: int, inputs, out, upstream: str) -> str:
    """What the op sends back through ``port`` as a vector–Jacobian product of ``upstream``.
    Elementwise ops: ``upstream ⊙ local``; others from the op's ``vjp``; else a generic
    sentence."""
    f = fields(op, attrs, inputs, out, upstream)
    text = _text(op)
    rules = text.vjp if text is not None else ()
    if port < len(rules):
        return rules[port].format_map(f)
    if text is not None and op.elementwise and port < len(text.local):
        local = text.local[port].format_map(f)
        if local in ("1", "−1"):
            return upstream if local == "1" else f"−{upstream}"
        return f"{upstream} ⊙ ({local})"
    return f"{upstream} · J, J = the Jacobian of {out} with respect to {port_name(op, port)}"


def generic_local(op, port: int) -> str:
    label = op.label if op is not None else "this op"
    return f"the derivative of {label} with respect to its input {port_name(op, port)}"


def port_name(op, port: int) -> str:
    names = tuple(op.port_names) if op is not None else ()
    return names[port] if port < len(names) else str(port)


def broadcast_note(local_shape, source_shape) -> str:
    """Why a contribution is smaller than its local derivative (a broadcast input)."""
    if local_shape is None or tuple(local_shape) == tuple(source_shape):
        return ""
    return "summed over the axes the input was broadcast along"


def is_scalar(array) -> bool:
    return array is not None and np.size(array) == 1
