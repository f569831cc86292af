"""Matrix ops (matmul, transpose), reductions (sum, mean) and softmax."""
from __future__ import annotations

import numpy as np

from .ops_base import (Op, as_axis, check_axis, check_bool, check_int, fmt, normalize_axes,
                       register)

asarray = np.asarray


# ---------------------------------------------------------------- matrix
def matmul_fwd(xs, attrs):
    a, b = xs
    if not (0 < a.ndim < 3 and 0 < b.ndim < 3):
        matmul_shape([a.shape, b.shape], attrs)  # raises the clear error
    try:
        return asarray(np.matmul(a, b))
    except ValueError:
        matmul_shape([a.shape, b.shape], attrs)  # the clear error instead of numpy's
        raise


def matmul_bwd(xs, out, g, attrs):
    a, b = xs
    if a.ndim == 2 and b.ndim == 2:          # (n,k) @ (k,m) -> (n,m)
        return [g @ b.T, a.T @ g]
    if a.ndim == 1 and b.ndim == 2:          # (k,) @ (k,m) -> (m,)
        return [b @ g, np.outer(a, g)]
    if a.ndim == 2:                          # (n,k) @ (k,) -> (n,)
        return [np.outer(g, b), g @ a]
    return [asarray(g * b), asarray(g * a)]  # (k,) @ (k,) -> ()


def matmul_shape(in_shapes, attrs):
    a, b = (tuple(s) for s in in_shapes)
    if not (1 <= len(a) <= 2 and 1 <= len(b) <= 2):
        raise ValueError(f"matmul: operands must be 1-D or 2-D, got {fmt(a)} @ {fmt(b)}")
    if a[-1] != b[0]:
        raise ValueError(f"matmul: inner dimensions differ: {fmt(a)} @ {fmt(b)}")
    return a[:-1] + b[1:]


def transpose_fwd(xs, attrs):
    return xs[0].T


def transpose_bwd(xs, out, g, attrs):
    return [g.T]


def transpose_shape(in_shapes, attrs):
    return tuple(in_shapes[0])[::-1]


# ---------------------------------------------------------------- reductions
def sum_fwd(xs, attrs):
    return asarray(np.sum(xs[0], axis=as_axis(attrs["axis"]), keepdims=attrs["keepdims"]))


def spread(x, g, attrs):
    """The upstream gradient of a reduction, copied back over the reduced axes of x."""
    axis = attrs["axis"]
    if not attrs["keepdims"] and axis is not None:
        g = np.expand_dims(g, normalize_axes("sum", axis, x.ndim, x.shape))
    out = np.empty(x.shape)
    out[...] = g
    return out


def sum_bwd(xs, out, g, attrs):
    return [spread(xs[0], g, attrs)]


def reduced_count(x, axis) -> int:
    if axis is None:
        return x.size
    return int(np.prod([x.shape[a] for a in normalize_axes("mean", axis, x.ndim, x.shape)]))


def mean_fwd(xs, attrs):
    x, axis = xs[0], attrs["axis"]
    with np.errstate(divide="ignore", invalid="ignore"):
        return asarray(np.sum(x, axis=as_axis(axis), keepdims=attrs["keepdims"])
                       / reduced_count(x, axis))


def mean_bwd(xs, out, g, attrs):
    x = xs[0]
    grad = spread(x, g, attrs)
    with np.errstate(divide="ignore", invalid="ignore"):
        grad /= reduced_count(x, attrs["axis"])  # grad is our own fresh array
    return [grad]


def reduction_shape(name):
    def shape(in_shapes, attrs):
        s = tuple(in_shapes[0])
        axes = normalize_axes(name, attrs["axis"], len(s), s)
        if attrs["keepdims"]:
            return tuple(1 if i in axes else n for i, n in enumerate(s))
        return tuple(n for i, n in enumerate(s) if i not in axes)
    return shape


# ---------------------------------------------------------------- softmax
def softmax_fwd(xs, attrs):
    x, axis = xs[0], attrs["axis"]
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def softmax_bwd(xs, out, g, attrs):
    return [out * (g - (g * out).sum(axis=attrs["axis"], keepdims=True))]


def softmax_shape(in_shapes, attrs):
    s = tuple(in_shapes[0])
    normalize_axes("softmax", attrs["axis"], len(s), s)
    return s


# ---------------------------------------------------------------- the table
register(Op("matmul", 2, "Matrix", "@",
            "Matrix product a @ b (np.matmul) of 1-D or 2-D operands.",
            {}, ("a", "b"), matmul_fwd, matmul_bwd, matmul_shape, label="MatMul",
            raises_forward=True, raises_backward=True, nonfinite_hint="matmul of large values"))
register(Op("transpose", 1, "Matrix", "ᵀ", "Reverses the axes (a.T).",
            {}, ("x",), transpose_fwd, transpose_bwd, transpose_shape, label="Transpose",
            raises_forward=True, raises_backward=True))

REDUCTION_CHECKS = {"axis": check_axis, "keepdims": check_bool("keepdims")}
register(Op("sum", 1, "Reductions", "Σ",
            "Sum over axis (null = all; an int or a list of ints).",
            {"axis": None, "keepdims": False}, ("x",), sum_fwd, sum_bwd, reduction_shape("sum"),
            label="Sum", checks=REDUCTION_CHECKS, raises_forward=True, raises_backward=True,
            nonfinite_hint="sum of large values"))
register(Op("mean", 1, "Reductions", "μ",
            "Mean over axis (null = all; an int or a list of ints).",
            {"axis": None, "keepdims": False}, ("x",), mean_fwd, mean_bwd,
            reduction_shape("mean"), label="Mean", checks=REDUCTION_CHECKS,
            nonfinite_hint="mean over zero elements"))
register(Op("softmax", 1, "Activations", "softmax",
            "exp(x) / Σ exp(x) along axis, numerically stable.",
            {"axis": -1}, ("x",), softmax_fwd, softmax_bwd, softmax_shape,
            label="Softmax", checks={"axis": check_int("axis")}))
