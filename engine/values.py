"""Leaf values: conversion to float64 arrays, finite checks, positions, parameter initialisation.

Shared by ``Graph`` (editing and passes), ``Plan`` (checking op results) and ``io`` (saving).
"""
from __future__ import annotations

import numpy as np

from engine.errors import GraphError, Kind
from engine.init import initialize


def as_value(value, what: str = "value") -> np.ndarray:
    """``value`` as a float64 array; ValueError for ragged lists, strings, booleans."""
    if isinstance(value, np.ndarray) and value.dtype == np.float64:
        return value
    if isinstance(value, (bool, str, bytes, dict)) or value is None:
        raise ValueError(f"{what} must be a number or a rectangular list of numbers")
    try:
        array = np.asarray(value, dtype=np.float64)
    except (ValueError, TypeError):
        raise ValueError(f"{what} must be a number or a rectangular list of numbers") from None
    except OverflowError:  # a JSON integer beyond float64, e.g. 10**400
        raise ValueError(f"{what} holds a number too large for float64") from None
    if array.dtype != np.float64:
        raise ValueError(f"{what} must be a number or a rectangular list of numbers")
    return array


_all_true = np.logical_and.reduce   # what ndarray.all calls, without its Python wrapper


def is_finite(a) -> bool:
    """True when every element of ``a`` is finite (a cheap path for single numbers)."""
    if a.size == 1:
        v = a.item() if isinstance(a, np.ndarray) else float(a)
        return v - v == 0.0  # False for inf and nan
    return bool(_all_true(np.isfinite(a), axis=None))


def nonfinite_kind(a) -> str:
    """'nan', 'inf' or '-inf': the first kind of non-finite number found in ``a``."""
    a = np.asarray(a)
    if np.isnan(a).any():
        return "nan"
    if np.isposinf(a).any():
        return "inf"
    return "-inf"


def checked_position(node_id, position):
    """``position`` as an (x, y) tuple (ints kept, other numbers as floats), or None."""
    if position is None:
        return None
    try:
        x, y = position
        return (float(x) if not isinstance(x, int) else x, float(y) if not isinstance(y, int)
                else y)
    except (TypeError, ValueError):
        raise GraphError(Kind.BAD_VALUE, f"a position is two numbers, not {position!r}",
                         node_id) from None


def initial_value(node) -> np.ndarray:
    """A value-less parameter's value from its ``init``, ``shape`` and ``seed`` attrs."""
    shape = node.attrs.get("shape")
    if shape is None:
        raise GraphError(Kind.MISSING_VALUE,
                         "this parameter has no value and no shape to initialise", node.id)
    try:
        return initialize(node.attrs.get("init", "xavier"), tuple(shape),
                          seed=node.attrs.get("seed", 0))
    except ValueError as exc:
        raise GraphError(Kind.BAD_ATTR, f"cannot initialise: {exc}", node.id) from None
