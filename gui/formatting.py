"""Numbers, tensors, gradients and node states as text: one notation for the whole app.

The canvas, the inspector, the status bar and the tooltips all use these, so a value reads the
same everywhere and a gradient is always written ``∂y/∂x`` (the loss's id over the node's id).
"""
from __future__ import annotations

import numpy as np

from engine import Kind

_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def fmt_number(x: float, digits: int = 4) -> str:
    """Compact, ``digits`` significant digits, with a real minus sign: 0.4621, −1.235e-05, 12."""
    x = float(x)
    text = "0" if x == 0 else f"{x:.{digits}g}"  # never "−0"
    return text.replace("-", "−", 1) if text.startswith("-") else text


def shape_text(shape) -> str:
    """``2×3``; ``scalar`` for a 0-d shape; "" when unknown."""
    if shape is None:
        return ""
    if len(shape) == 0:
        return "scalar"
    return "×".join(str(n) for n in shape)


def describe(value, prefix: str = "", digits: int = 4, sep: str = " … ",
             with_shape: bool = False) -> str:
    """``= 0.4621`` for a scalar (with ``prefix="= "``); ``min … max`` for a tensor, after its
    shape with ``with_shape`` (``2×3 −0.5 … 0.25``); ``—`` for None."""
    if value is None:
        return f"{prefix}—"
    a = np.asarray(value, dtype=float)
    if a.size == 1:
        return f"{prefix}{fmt_number(a.reshape(-1)[0], digits)}"
    shape = f"{shape_text(a.shape)} " if with_shape else ""
    if a.size == 0:
        return f"{prefix}{shape}(empty)"
    finite = a[np.isfinite(a)]
    if finite.size == 0:
        return f"{prefix}{shape}nan"
    lo_digits = min(digits, 3)
    return (f"{prefix}{shape}{fmt_number(finite.min(), lo_digits)}{sep}"
            f"{fmt_number(finite.max(), lo_digits)}")


def describe_short(value, prefix: str = "") -> str:
    """The shortest honest summary of a tensor, ``±0.079`` (its largest magnitude), for a card
    too narrow for ``min … max``; a scalar stays ``= 0.46``."""
    a = np.asarray(value)
    if a.size <= 1:
        return describe(value, prefix, 3)
    finite = np.abs(a[np.isfinite(a)])
    if finite.size == 0:
        return f"{prefix}nan"
    return f"{prefix}±{fmt_number(finite.max(), 2)}"


def norm(value) -> float:
    """The Euclidean norm ‖·‖ of an array, the app's only one (0 for an empty array; a nan or
    inf in the array makes it nan or inf, without a warning)."""
    with np.errstate(all="ignore"):
        return float(np.linalg.norm(np.asarray(value, dtype=float).reshape(-1)))


def norm_text(value, digits: int = 3, of: str = "·") -> str:
    """The app's one norm summary: ``‖·‖ = 0.41`` (``‖θ‖ = 0.41`` with ``of="θ"``)."""
    return f"‖{of}‖ = {fmt_number(norm(value), digits)}"


def shape_words(value) -> str:
    """``4×2``; ``vector of 4`` for one axis (a bare ``4`` would read as a number)."""
    shape = np.shape(value)
    return f"vector of {shape[0]}" if len(shape) == 1 else shape_text(shape)


def is_number(value) -> bool:
    """One element: written as a number, not summarised as a tensor."""
    return np.size(value) == 1


def short_summary(value, digits: int = 6) -> str:
    """A number (``95.0625``), or a tensor's shape and norm (``4×2, ‖·‖ = 0.41``)."""
    if is_number(value):
        return fmt_number(np.asarray(value, dtype=float).reshape(-1)[0], digits)
    return f"{shape_words(value)}, {norm_text(value)}"


def sum_text(parts, total, digits: int = 6) -> str:
    """Where contributions meet, the sum that makes the total (the app's one spelling of it):
    ``0.41218 + 1.64872 = 2.0609`` for numbers (a negative term subtracts: ``1 − 0.5 = 0.5``),
    ``the sum of 3 contributions = 4×2, ‖·‖ = 0.41`` for tensors. ``total`` is the sum itself,
    as computed (never recomputed here)."""
    parts = list(parts)
    if all(is_number(p) for p in parts) and is_number(total):
        terms = " + ".join(fmt_number(np.asarray(p, dtype=float).reshape(-1)[0], digits)
                           for p in parts).replace("+ −", "− ")
        return f"{terms} = {short_summary(total, digits)}"
    return f"the sum of {len(parts)} contributions = {short_summary(total, digits)}"


def grad_symbol(loss: str | None, node_id: str) -> str:
    """The app's one notation for a gradient: ``∂y/∂x`` (loss id over node id); with no loss
    yet, ``∂L/∂x``."""
    return f"∂{loss or 'L'}/∂{node_id}"


def node_symbol(op, attrs) -> str:
    """The op's symbol, specialised by its attrs where that says more: ``x²``, ``x³``, ``x⁻¹``,
    ``x^0.5`` for a power node (the palette's generic ``xⁿ`` otherwise)."""
    if op is None:
        return "?"
    if op.name == "pow" and attrs:
        try:
            exponent = float(attrs.get("exponent"))
        except (TypeError, ValueError):
            return op.symbol
        if not np.isfinite(exponent):
            return op.symbol
        if exponent == int(exponent) and abs(exponent) < 1e6:
            return "x" + str(int(exponent)).translate(_SUPERSCRIPT)
        return "x^" + fmt_number(exponent, 4)
    return op.symbol


def unfinished_hint(problem, port_names) -> str:
    """A short line for a node still being built (``connect a, b``, ``needs a value``); the
    problem's own message for anything else."""
    if problem is None:
        return ""
    if problem.kind is Kind.UNCONNECTED and problem.ports:
        return "connect " + ", ".join(str(port_names[p]) if p < len(port_names) else str(p)
                                      for p in problem.ports)
    if problem.kind is Kind.MISSING_VALUE:
        return "needs a value"
    return problem.message
