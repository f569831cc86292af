"""Where every backward pass starts (``seed``) and how a gradient adds up where paths meet
(``accumulate``): shared by the Plan's loop and the compiled fast pass, which must give the
same numbers bit for bit."""
from __future__ import annotations

import numpy as np

from engine.errors import GraphError, Kind
from engine.values import nonfinite_kind

ndarray = np.ndarray
_SEEDS = {}


def seed(shape: tuple) -> ndarray:
    """Ones of the loss's shape, where every backward pass starts: one read-only array per
    shape (every holder only reads it)."""
    ones = _SEEDS.get(shape)
    if ones is None:
        ones = _SEEDS[shape] = np.ones(shape)
        ones.flags.writeable = False
    return ones


def accumulate(source, prev, c):
    """prev + c as a new array; GraphError if the sum overflows."""
    try:
        total = prev + c
    except FloatingPointError:
        with np.errstate(all="ignore"):
            total = prev + c
        raise GraphError(Kind.NONFINITE, f"its gradient overflowed to {nonfinite_kind(total)}",
                         source) from None
    if total.__class__ is not ndarray:  # 0-d + 0-d gives a numpy scalar
        total = np.asarray(total)
    return total
