"""Matrix and shape ops (matmul, transpose, reshape, concat), reductions (sum, mean, max, min)
and softmax."""
from __future__ import annotations

import numpy as np

from engine.ops.base import (BOTH, Op, as_axis, check_axis, check_bool, check_int, check_new_shape, fmt,
                       normalize_axes, register)

asarray = np.asarray


# ---------------------------------------------------------------- matrix
MATRIX_RANKS = (1, 2)


def matmul_fwd(xs, attrs):
    a, b = xs
    if a.ndim not in MATRIX_RANKS or b.ndim not in MATRIX_RANKS:
        matmul_shape([a.shape, b.shape], attrs)  # raises the clear error
    try:
        return asarray(a @ b)
    except ValueError:
        matmul_shape([a.shape, b.shape], attrs)  # the clear error instead of numpy's
        raise


def matmul_bwd(xs, out, g, attrs, needs=BOTH):
    a, b = xs
    need_a, need_b = needs
    if a.ndim == 2 and b.ndim == 2:          # (n,k) @ (k,m) -> (n,m)
        return [g @ b.T if need_a else None, a.T @ g if need_b else None]
    if a.ndim == 1 and b.ndim == 2:          # (k,) @ (k,m) -> (m,)
        return [b @ g if need_a else None, np.outer(a, g) if need_b else None]
    if a.ndim == 2:                          # (n,k) @ (k,) -> (n,)
        return [np.outer(g, b) if need_a else None, g @ a if need_b else None]
    return [asarray(g * b) if need_a else None,   # (k,) @ (k,) -> ()
            asarray(g * a) if need_b else None]


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


# ---------------------------------------------------------------- reshape and concat
def reshape_fwd(xs, attrs):
    reshape_shape([xs[0].shape], attrs)  # the clear error instead of numpy's
    return xs[0].reshape(attrs["shape"])


def reshape_bwd(xs, out, g, attrs):
    return [g.reshape(xs[0].shape)]


def reshape_shape(in_shapes, attrs):
    s, target = tuple(in_shapes[0]), list(attrs["shape"])
    size = int(np.prod(s))
    known = int(np.prod([n for n in target if n != -1]))
    if -1 in target:
        if known == 0 or size % known:
            raise ValueError(f"reshape: cannot reshape {fmt(s)} ({size} elements) into "
                             f"{fmt(target)}")
        target[target.index(-1)] = size // known
    elif known != size:
        raise ValueError(f"reshape: cannot reshape {fmt(s)} ({size} elements) into "
                         f"{fmt(target)} ({known} elements)")
    return tuple(target)


def concat_fwd(xs, attrs):
    concat_shape([xs[0].shape, xs[1].shape], attrs)  # the clear error instead of numpy's
    return np.concatenate([xs[0], xs[1]], axis=attrs["axis"])


def concat_bwd(xs, out, g, attrs):
    ga, gb = np.split(g, [xs[0].shape[attrs["axis"]]], axis=attrs["axis"])
    return [ga, gb]


def concat_shape(in_shapes, attrs):
    a, b = (tuple(s) for s in in_shapes)
    axis = attrs["axis"]
    if not a or not b:
        raise ValueError(f"concat: a 0-d input has no axis to join along: {fmt(a)} and {fmt(b)}")
    if len(a) != len(b):
        raise ValueError(f"concat: a and b need the same number of axes: {fmt(a)} vs {fmt(b)}")
    if not -len(a) <= axis < len(a):
        raise ValueError(f"concat: axis {axis} is out of range for shape {fmt(a)}")
    axis %= len(a)
    if a[:axis] + a[axis + 1:] != b[:axis] + b[axis + 1:]:
        raise ValueError(f"concat: shapes {fmt(a)} and {fmt(b)} differ off axis {axis}")
    return a[:axis] + (a[axis] + b[axis],) + a[axis + 1:]


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


def extreme_fwd(name, reduce):
    def forward(xs, attrs):
        x = xs[0]
        extreme_shape(name)([x.shape], attrs)  # the clear error instead of numpy's
        return asarray(reduce(x, axis=as_axis(attrs["axis"]), keepdims=attrs["keepdims"]))
    return forward


def extreme_bwd(xs, out, g, attrs):
    """max / min: the gradient goes to the extreme element; tied extremes share it evenly
    (like torch.amax / torch.amin)."""
    x = xs[0]
    axes = normalize_axes("max", attrs["axis"], x.ndim, x.shape)
    if not attrs["keepdims"]:
        out, g = np.expand_dims(out, axes), np.expand_dims(g, axes)
    hit = x == out
    return [np.where(hit, g / hit.sum(axis=axes, keepdims=True), 0.0)]


def extreme_shape(name):
    rule = reduction_shape(name)

    def shape(in_shapes, attrs):
        s = tuple(in_shapes[0])
        axes = normalize_axes(name, attrs["axis"], len(s), s)
        if any(s[a] == 0 for a in axes):
            raise ValueError(f"{name}: no elements to take the {name} of in shape {fmt(s)}")
        return rule(in_shapes, attrs)
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
register(Op("max", 1, "Reductions", "max",
            "Largest element over axis (null = all; an int or a list of ints); tied largest "
            "elements share the gradient evenly.",
            {"axis": None, "keepdims": False}, ("x",), extreme_fwd("max", np.max), extreme_bwd,
            extreme_shape("max"), label="Max", checks=REDUCTION_CHECKS))
register(Op("min", 1, "Reductions", "min",
            "Smallest element over axis (null = all; an int or a list of ints); tied smallest "
            "elements share the gradient evenly.",
            {"axis": None, "keepdims": False}, ("x",), extreme_fwd("min", np.min), extreme_bwd,
            extreme_shape("min"), label="Min", checks=REDUCTION_CHECKS))
register(Op("reshape", 1, "Matrix", "reshape",
            "The same elements in a new shape (row-major); one size may be -1 (inferred).",
            {"shape": [-1]}, ("x",), reshape_fwd, reshape_bwd, reshape_shape, label="Reshape",
            checks={"shape": check_new_shape}))
register(Op("concat", 2, "Matrix", "concat",
            "a and b joined along axis; every other axis must match.",
            {"axis": 0}, ("a", "b"), concat_fwd, concat_bwd, concat_shape, label="Concat",
            checks={"axis": check_int("axis")}))
register(Op("softmax", 1, "Activations", "softmax",
            "exp(x) / Σ exp(x) along axis, numerically stable.",
            {"axis": -1}, ("x",), softmax_fwd, softmax_bwd, softmax_shape,
            label="Softmax", checks={"axis": check_int("axis")}))
