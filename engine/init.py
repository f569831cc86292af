"""Parameter initialisers: fill a `parameter` node that has no value.

`initialize(name, shape, seed=0, rng=None)` returns a new float64 array of `shape`:

- ``zeros``  — all zeros.
- ``normal`` — N(0, 0.1²): small random values (std ``NORMAL_STD`` = 0.1), enough to break
  symmetry without saturating tanh/sigmoid.
- ``xavier`` — Glorot uniform, U(−a, a) with a = sqrt(6 / (fan_in + fan_out)).
- ``he``     — Kaiming normal, N(0, 2 / fan_in), for relu layers.

Fans follow this engine's convention ``y = x @ W``: a weight of shape ``(..., in, out)`` has
fan_in = in and fan_out = out (leading dims are a stack of independent matrices). A 1-D
shape ``(n,)`` is a column ``x @ w`` (fan_in = n, fan_out = 1); a 0-d shape has fans of 1; a
zero-sized shape gives an empty array.

The same name, shape and seed always give the same array. Passing ``rng`` (a
``numpy.random.Generator``) draws from it instead of a fresh generator seeded with ``seed``.
"""
from __future__ import annotations

import math
from numbers import Integral

import numpy as np

NORMAL_STD = 0.1
INITIALIZERS = ("zeros", "normal", "xavier", "he")


def fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of `shape` used as ``x @ W``."""
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return max(shape[0], 1), 1
    return max(shape[-2], 1), max(shape[-1], 1)


def normalize_shape(shape) -> tuple[int, ...]:
    """`shape` as a tuple of non-negative ints; ValueError with the reason otherwise."""
    if shape is None:
        return ()
    if isinstance(shape, Integral) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        dims = tuple(shape)
    except TypeError:
        raise ValueError(f"shape must be a list of non-negative integers, got {shape!r}") from None
    for dim in dims:
        if isinstance(dim, bool) or not isinstance(dim, Integral) or dim < 0:
            raise ValueError(f"shape must be a list of non-negative integers, got {list(dims)!r}")
    return tuple(int(d) for d in dims)


def initialize(name: str, shape, seed: int | None = 0,
               rng: np.random.Generator | None = None) -> np.ndarray:
    """A new float64 array of `shape` filled by the initialiser `name` (see module doc)."""
    if name not in INITIALIZERS:
        raise ValueError(f"unknown initializer {name!r}: choose one of {', '.join(INITIALIZERS)}")
    shape = normalize_shape(shape)
    if name == "zeros":
        return np.zeros(shape, dtype=np.float64)
    if rng is None:
        rng = np.random.default_rng(seed)
    fan_in, fan_out = fans(shape)
    if name == "normal":
        values = rng.normal(0.0, NORMAL_STD, size=shape)
    elif name == "xavier":
        limit = math.sqrt(6.0 / (fan_in + fan_out))
        values = rng.uniform(-limit, limit, size=shape)
    else:  # he
        values = rng.normal(0.0, math.sqrt(2.0 / fan_in), size=shape)
    return np.asarray(values, dtype=np.float64)
