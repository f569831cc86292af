"""The "local derivative evaluated at the output" mistake: which ops have it, its value, and
its formula with numbers plugged in.

tanh and sigmoid have derivatives usually written with the output: tanh′(z) = 1 − y² and
σ′(z) = y·(1 − y) with y the node's value. A learner who mixes the two forms plugs y into the
input form: 1 − tanh²(y), σ(y)·(1 − σ(y)).

Each op states the mistake in its definition (``op.text.at_output``, a template in which
``{out}`` stands for the point the derivative is taken at; "" where the mistake gives the right
answer or makes no sense) and computes its value (``op.local_at_output``); this module only
plugs numbers into them.
"""
from __future__ import annotations

import numpy as np

from engine.predict.text import number

class _Fields(dict):
    def __missing__(self, key):       # an unknown placeholder prints as itself, never raises
        return "{" + key + "}"


def template(op) -> str | None:
    """The op's at-output formula (``{out}`` for the point), or None when it has none."""
    if op is None or op.arity != 1 or not op.elementwise:
        return None
    return op.text.at_output or None if op.text is not None else None


def local_at_output(op, x, attrs) -> np.ndarray:
    """The local derivative evaluated at the output y = f(x) instead of at x, elementwise."""
    return np.asarray(op.local_at_output(x, attrs), dtype=np.float64)


def formula(op, attrs, text: str, point: float) -> str:
    """``text`` (an at-output template) with the number ``point`` plugged in:
    ``1 − tanh²(0.707107)``."""
    fields = _Fields(out=number(point), x=number(point))
    extra = op.text.fields if op.text is not None else None
    if callable(extra):
        try:
            fields.update(extra(attrs or {}, fields, number))
        except (KeyError, TypeError, ValueError):
            pass
    return text.format_map(fields)
