"""Each op's forward rule and local derivatives as text, port by port, in the graph's own ids.

The step card writes ``∂h1/∂z1 = 1 − tanh²(z1) = 0.42``: the symbolic part comes from these
tables, the number from the Trace (never from here). Templates name an op's inputs by its port
names (``{a}``, ``{x}``, ``{logits}``), and ``{out}`` / ``{g}`` (the upstream gradient). An op
missing from a table gets a generic sentence, so a new op never breaks the card. No Qt.
"""
from __future__ import annotations

import numpy as np

from gui.formatting import fmt_number

_SUPERSCRIPT = str.maketrans("0123456789-.", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻·")

# the value a node computes: y = …
FORWARD = {
    "add": "{a} + {b}", "sub": "{a} − {b}", "mul": "{a} · {b}", "div": "{a} / {b}",
    "neg": "−{x}", "exp": "exp({x})", "log": "log({x})", "sqrt": "√{x}", "abs": "|{x}|",
    "tanh": "tanh({x})", "sigmoid": "σ({x})", "relu": "max({x}, 0)",
    "leaky_relu": "max({x}, {slope}·{x})", "pow": "{power}",
    "matmul": "{a} @ {b}", "transpose": "{x}ᵀ", "sum": "Σ {x}{over}", "mean": "mean({x}){over}",
    "softmax": "softmax({x}){along}", "mse": "mean(({prediction} − {target})²)",
    "sigmoid_bce": "BCE(σ({logits}), {target})", "softmax_ce": "CE(softmax({logits}), {target})",
    "sin": "sin({x})", "cos": "cos({x})", "square": "{x}²", "reciprocal": "1/{x}",
    "maximum": "max({a}, {b})", "minimum": "min({a}, {b})", "max": "max({x}){over}",
    "min": "min({x}){over}", "reshape": "reshape({x})", "concat": "concat({a}, {b})",
}

# ∂out/∂input, elementwise (and for any op when both ends hold one number)
LOCAL = {
    "add": ("1", "1"),
    "sub": ("1", "−1"),
    "mul": ("{b}", "{a}"),
    "div": ("1/{b}", "−{a}/{b}²"),
    "neg": ("−1",),
    "exp": ("exp({x})",),
    "log": ("1/{x}",),
    "sqrt": ("1/(2·√{x})",),
    "abs": ("sign({x})",),
    "tanh": ("1 − tanh²({x})",),
    "sigmoid": ("σ({x})·(1 − σ({x}))",),
    "relu": ("1 if {x} > 0, else 0",),
    "leaky_relu": ("1 if {x} > 0, else {slope}",),
    "pow": ("{power_derivative}",),
    "sin": ("cos({x})",),
    "cos": ("−sin({x})",),
    "square": ("2·{x}",),
    "reciprocal": ("−1/{x}²",),
    "maximum": ("1 if {a} > {b}, ½ if equal, else 0", "1 if {b} > {a}, ½ if equal, else 0"),
    "minimum": ("1 if {a} < {b}, ½ if equal, else 0", "1 if {b} < {a}, ½ if equal, else 0"),
    # not elementwise: the form these take when every end is a single number
    "matmul": ("{b}", "{a}"),
    "transpose": ("1",),
    "sum": ("1",),
    "mean": ("1/n",),
    "softmax": ("s·(1 − s), s = softmax({x})",),
    "max": ("1 at the largest element (shared by ties), else 0",),
    "min": ("1 at the smallest element (shared by ties), else 0",),
    "reshape": ("1",),
    "concat": ("1", "1"),
    "mse": ("2·({prediction} − {target})/n", "−2·({prediction} − {target})/n"),
    "sigmoid_bce": ("(σ({logits}) − {target})/n", "−{logits}/n"),
    "softmax_ce": ("(softmax({logits}) − {target})/rows", "−log_softmax({logits})/rows"),
}

# what flows back when no scalar local derivative exists: the vector–Jacobian product
VJP = {
    "matmul": ("{g} @ {b}ᵀ", "{a}ᵀ @ {g}"),
    "transpose": ("({g})ᵀ",),
    "sum": ("{g} copied to every element of {x} that was summed",),
    "mean": ("{g}/n copied to every element of {x} that was averaged",),
    "softmax": ("s ⊙ ({g} − Σ {g} ⊙ s), s = softmax({x})",),
    "max": ("{g} to the largest element of {x} (split evenly between ties), 0 elsewhere",),
    "min": ("{g} to the smallest element of {x} (split evenly between ties), 0 elsewhere",),
    "reshape": ("{g} reshaped back to the shape of {x}",),
    "concat": ("the part of {g} where {a} was placed", "the part of {g} where {b} was placed"),
    "mse": ("{g} · 2·({prediction} − {target})/n", "{g} · −2·({prediction} − {target})/n"),
    "sigmoid_bce": ("{g} · (σ({logits}) − {target})/n", "{g} · −{logits}/n"),
    "softmax_ce": ("{g} · (softmax({logits}) − {target})/rows",
                   "{g} · −log_softmax({logits})/rows"),
}


class _Fields(dict):
    def __missing__(self, key):   # an unknown placeholder prints as itself, never raises
        return "{" + key + "}"


def power_text(base: str, exponent: float) -> str:
    """``x²``, ``u³``, ``x⁻¹``, ``x^0.5``; ``1`` for exponent 0, ``x`` for 1."""
    if exponent == 0:
        return "1"
    if exponent == 1:
        return base
    if float(exponent).is_integer() and abs(exponent) < 100:
        return base + str(int(exponent)).translate(_SUPERSCRIPT)
    return f"{base}^{fmt_number(exponent)}"


def fields(op, attrs, inputs, out, upstream: str = "g") -> dict:
    """The placeholders of ``op``'s templates: port names → input ids, out, g, attrs."""
    attrs = dict(attrs or {})
    names = tuple(op.port_names) if op is not None else ()
    f = _Fields({name: str(inputs[i]) for i, name in enumerate(names) if i < len(inputs)})
    f.update(out=out, g=upstream, slope=fmt_number(attrs.get("slope", 0.01)))
    x = f.get("x", "x")
    if op is not None and op.name == "pow":
        n = float(attrs.get("exponent", 2.0))
        f["power"] = power_text(x, n)
        coefficient = "" if n == 1 else fmt_number(n) + "·"
        rest = power_text(x, n - 1)
        f["power_derivative"] = fmt_number(n) if rest == "1" else coefficient + rest
    axis = attrs.get("axis")
    f["over"] = "" if axis is None else f" over axis {axis}"
    f["along"] = "" if axis in (None, -1) else f" along axis {axis}"
    return f


def forward_text(op, attrs, inputs, out) -> str:
    """``u = x_squared + one``; ``y = op(inputs)`` for an op without a template."""
    template = FORWARD.get(op.name) if op is not None else None
    if template is None:
        name = op.name if op is not None else "?"
        return f"{out} = {name}({', '.join(map(str, inputs))})"
    return f"{out} = {template.format_map(fields(op, attrs, inputs, out))}"


def local_text(op, attrs, port: int, inputs, out) -> str:
    """The symbolic ``∂out/∂input`` of ``port`` (right-hand side only: ``1 − tanh²(z1)``)."""
    rules = LOCAL.get(op.name) if op is not None else None
    if not rules or port >= len(rules):
        return generic_local(op, port)
    return rules[port].format_map(fields(op, attrs, inputs, out))


def vjp_text(op, attrs, port: int, inputs, out, upstream: str) -> str:
    """What the op sends back through ``port`` as a vector–Jacobian product of ``upstream``.
    Elementwise ops: ``upstream ⊙ local``; others from ``VJP``; else a generic sentence."""
    f = fields(op, attrs, inputs, out, upstream)
    rules = VJP.get(op.name) if op is not None else None
    if rules and port < len(rules):
        return rules[port].format_map(f)
    if op is not None and op.elementwise and op.name in LOCAL and port < len(LOCAL[op.name]):
        local = LOCAL[op.name][port].format_map(f)
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
