"""Matrix and shape ops: matmul, transpose, reshape, concat.

Each op is defined once, top to bottom: forward, backward, shape rule, then its registration
with the player's text, the numpy spelling and the PyTorch spelling.
"""
from __future__ import annotations

import numpy as np

from engine.ops.base import BOTH, Numpy, Op, Text, check_int, check_new_shape, fmt, register

asarray = np.asarray
MATRIX = "Matrix"


# ---------------------------------------------------------------- matmul
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


def matmul_numpy_backward(s, port):
    """matmul_bwd's four cases, by the operands' ranks."""
    a, b, g = s.args[0], s.args[1], s.g
    rule = {(2, 2): (f"{g} @ {b}.T", f"{a}.T @ {g}"),
            (1, 2): (f"{b} @ {g}", f"np.outer({a}, {g})"),
            (2, 1): (f"np.outer({g}, {b})", f"{g} @ {a}"),
            (1, 1): (f"{g} * {b}", f"{g} * {a}")}[s.ndims]
    return rule[port]


register(Op(
    "matmul", 2, MATRIX, "@", "Matrix product a @ b (np.matmul) of 1-D or 2-D operands.",
    {}, ("a", "b"), matmul_fwd, matmul_bwd, matmul_shape, label="MatMul",
    text=Text("{a} @ {b}", local=("{b}", "{a}"), vjp=("{g} @ {b}ᵀ", "{a}ᵀ @ {g}")),
    numpy=Numpy("{a} @ {b}", matmul_numpy_backward),
    torch="{a} @ {b}",
    torch_forms=("operator.matmul", "torch.matmul", "torch.Tensor.matmul", "torch.mm"),
    raises_forward=True, raises_backward=True))


# ---------------------------------------------------------------- transpose
def transpose_fwd(xs, attrs):
    return xs[0].T


def transpose_bwd(xs, out, g, attrs):
    return [g.T]


def transpose_shape(in_shapes, attrs):
    return tuple(in_shapes[0])[::-1]


def transpose_torch(args, attrs, ndims):
    if ndims[0] == 2:
        return f"{args[0]}.T"
    return f"{args[0]}.permute({tuple(reversed(range(ndims[0])))})"


register(Op(
    "transpose", 1, MATRIX, "ᵀ", "Reverses the axes (a.T).",
    {}, ("x",), transpose_fwd, transpose_bwd, transpose_shape, label="Transpose",
    text=Text("{x}ᵀ", local=("1",), vjp=("({g})ᵀ",)),
    numpy=Numpy("{x}.T", ("{g}.T",)),
    torch=transpose_torch,
    torch_forms=("torch.t", "torch.Tensor.t", "torch.Tensor.T", "torch.transpose",
                 "torch.Tensor.transpose"),
    raises_forward=True, raises_backward=True))


# ---------------------------------------------------------------- reshape
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


register(Op(
    "reshape", 1, MATRIX, "reshape",
    "The same elements in a new shape (row-major); one size may be -1 (inferred).",
    {"shape": [-1]}, ("x",), reshape_fwd, reshape_bwd, reshape_shape, label="Reshape",
    checks={"shape": check_new_shape},
    text=Text("reshape({x})", local=("1",), vjp=("{g} reshaped back to the shape of {x}",)),
    numpy=Numpy("{x}.reshape({shape})", ("{g}.reshape({x}.shape)",)),
    torch="{x}.reshape({shape})",
    torch_forms=("torch.reshape", "torch.Tensor.reshape", "torch.Tensor.view",
                 "torch.flatten", "torch.Tensor.flatten", "torch.nn.Flatten")))


# ---------------------------------------------------------------- concat
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


register(Op(
    "concat", 2, MATRIX, "concat", "a and b joined along axis; every other axis must match.",
    {"axis": 0}, ("a", "b"), concat_fwd, concat_bwd, concat_shape, label="Concat",
    checks={"axis": check_int("axis")},
    text=Text("concat({a}, {b})", local=("1", "1"),
              vjp=("the part of {g} where {a} was placed", "the part of {g} where {b} was placed")),
    numpy=Numpy("np.concatenate([{a}, {b}], axis={axis})",
                ("np.split({g}, [{a}.shape[{axis}]], axis={axis})[0]",
                 "np.split({g}, [{a}.shape[{axis}]], axis={axis})[1]")),
    torch="torch.cat([{a}, {b}], dim={axis})", torch_forms=("torch.cat", "torch.concat")))
