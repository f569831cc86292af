"""Why a value stopped being finite, in the same words everywhere (the canvas, ``grad``, the
Training panel): found from the op's own inputs, never guessed from the op's name.

A pass names the node where the first non-finite value appears (its inputs were all finite)
and asks `forward_cause` what happened there. The phrases:

- ``{op} overflowed to inf`` (or ``-inf``): finite inputs, a result too large for float64;
- ``{op} overflowed: inf − inf produced nan``: parts overflowed with opposite signs (a sum of
  products, a loss of huge logits);
- an op's own cause where its inputs show one (`Op.nonfinite_cause`): ``pow of a zero or
  negative base``, ``log of a non-positive value``, ``0/0``, ``division by zero``, … followed by
  ``produced nan`` / ``produced inf``.
"""
from __future__ import annotations

import numpy as np

from engine.values import nonfinite_kind


def bad_positions(out) -> np.ndarray:
    """Where `out` is not finite (a boolean array of its shape)."""
    return ~np.isfinite(np.asarray(out))


def at_bad(x, out, bad) -> np.ndarray:
    """The elements of input `x` (broadcast to the output's shape) where the output is bad."""
    return np.broadcast_to(np.asarray(x), np.shape(out))[bad]


def forward_cause(op, xs, attrs, out) -> str:
    """One phrase saying why `op` turned the finite inputs `xs` into the non-finite `out`."""
    kind = nonfinite_kind(out)
    rule = op.nonfinite_cause
    if rule is not None:
        with np.errstate(all="ignore"):
            phrase = rule(xs, attrs, out, bad_positions(out))
        if phrase:
            return f"{phrase} produced {kind}"
    if kind == "nan":
        return f"{op.name} overflowed: inf − inf produced nan"
    return f"{op.name} overflowed to {kind}"


def backward_cause(op, xs, out, attrs, source: str, contribution) -> str:
    """Why the gradient `op` sends back to `source` is not finite: the op's local derivative is
    infinite there (sqrt at 0), or the derivative × the upstream gradient overflowed."""
    kind = nonfinite_kind(contribution)
    if op.elementwise and len(xs) == 1:
        with np.errstate(all="ignore"):
            local = np.asarray(op.backward(xs, out, np.ones_like(out), attrs)[0])
        if not np.isfinite(local).all():
            return (f"the gradient {op.name} sends to {source!r} is {kind}: the derivative of "
                    f"{op.name} is {nonfinite_kind(local)} here")
    return f"the gradient {op.name} sends to {source!r} overflowed to {kind}"
