"""Reductions: sum, mean, max, min over ``axis`` (null = every axis, an int or a list of ints;
negatives count from the end), keeping each reduced axis with size 1 when ``keepdims``.

``max`` and ``min`` take ``ties``: "split" (the default) shares the gradient evenly among tied
extreme elements, like ``torch.amax``; "first" sends all of it to the first of them in
row-major order over the reduced axes (along one axis: the lowest index), like
``torch.max(x, dim)``. Each op is defined once, top to bottom: forward, backward, then its
registration with the player's text, the numpy spelling and the PyTorch spelling.
"""
from __future__ import annotations

import numpy as np

from engine.ops.base import (Numpy, Op, Text, as_axis, check_axis, check_bool, check_choice, fmt,
                             normalize_axes, register)
from engine.ops.kernels import kernel

asarray = np.asarray
REDUCTIONS = "Reductions"
TIES = ("split", "first")


def reduced_axes(name: str, x, attrs) -> tuple:
    """The axes ``attrs`` reduces, non-negative and sorted."""
    return normalize_axes(name, attrs["axis"], x.ndim, x.shape)


def dropped_axes(name: str, x, attrs) -> tuple:
    """The reduced axes the value lost (none with keepdims; none for a reduction over every
    axis, whose gradient is one number)."""
    if attrs["keepdims"] or attrs["axis"] is None:
        return ()
    return reduced_axes(name, x, attrs)


def reduction_shape(name):
    def shape(in_shapes, attrs):
        s = tuple(in_shapes[0])
        axes = normalize_axes(name, attrs["axis"], len(s), s)
        if attrs["keepdims"]:
            return tuple(1 if i in axes else n for i, n in enumerate(s))
        return tuple(n for i, n in enumerate(s) if i not in axes)
    return shape


@kernel
def spread(g, shape, axes=()):
    """A reduction's gradient copied back over the axes it reduced (axes: those it dropped)."""
    out = np.empty(shape)
    out[...] = np.expand_dims(g, axes)
    return out


# ---------------------------------------------------------------- sum
def sum_fwd(xs, attrs):
    return asarray(np.sum(xs[0], axis=as_axis(attrs["axis"]), keepdims=attrs["keepdims"]))


def sum_bwd(xs, out, g, attrs):
    x = xs[0]
    return [spread(g, x.shape, dropped_axes("sum", x, attrs))]


# ---------------------------------------------------------------- mean
def reduced_count(x, attrs) -> int:
    if attrs["axis"] is None:
        return x.size
    return int(np.prod([x.shape[a] for a in reduced_axes("mean", x, attrs)]))


def mean_fwd(xs, attrs):
    x = xs[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        return asarray(np.sum(x, axis=as_axis(attrs["axis"]), keepdims=attrs["keepdims"])
                       / reduced_count(x, attrs))


def mean_bwd(xs, out, g, attrs):
    x = xs[0]
    grad = spread(g, x.shape, dropped_axes("mean", x, attrs))
    with np.errstate(divide="ignore", invalid="ignore"):
        grad /= reduced_count(x, attrs)  # grad is our own fresh array
    return [grad]


# ---------------------------------------------------------------- max, min
@kernel
def extreme_grad(x, out, g, axes, keepdims):
    """max / min, ties "split": the gradient goes to the extreme elements, shared evenly among
    ties (like torch.amax)."""
    if not keepdims:
        out, g = np.expand_dims(out, axes), np.expand_dims(g, axes)
    hit = x == out
    return np.where(hit, g / hit.sum(axis=axes, keepdims=True), 0.0)


@kernel
def first_extreme_grad(x, out, g, axes, keepdims):
    """max / min, ties "first": all of the gradient goes to the first extreme element in
    row-major order over the reduced axes (like torch.max(x, dim) along one axis)."""
    if not keepdims:
        out = np.expand_dims(out, axes)
    kept = [a for a in range(x.ndim) if a not in axes]
    order = kept + list(axes)                     # the reduced axes last, in order
    moved = tuple(x.shape[a] for a in order)
    rows = moved[:len(kept)]
    hit = np.transpose(x == out, order).reshape(rows + (int(np.prod(moved[len(kept):])),))
    first = np.argmax(hit, axis=-1)[..., None]    # the first True of each row
    grad = np.zeros(hit.shape)
    np.put_along_axis(grad, first, np.reshape(g, rows)[..., None], axis=-1)
    return np.transpose(grad.reshape(moved), np.argsort(order))


def extreme_fwd(name, reduce):
    def forward(xs, attrs):
        x = xs[0]
        extreme_shape(name)([x.shape], attrs)  # the clear error instead of numpy's
        return asarray(reduce(x, axis=as_axis(attrs["axis"]), keepdims=attrs["keepdims"]))
    return forward


def extreme_bwd(name):
    def backward(xs, out, g, attrs):
        """The gradient to the extreme element; ties by ``attrs["ties"]``."""
        x = xs[0]
        grad = first_extreme_grad if attrs["ties"] == "first" else extreme_grad
        return [grad(x, out, g, reduced_axes(name, x, attrs), attrs["keepdims"])]
    return backward


def extreme_shape(name):
    rule = reduction_shape(name)

    def shape(in_shapes, attrs):
        s = tuple(in_shapes[0])
        axes = normalize_axes(name, attrs["axis"], len(s), s)
        if any(s[a] == 0 for a in axes):
            raise ValueError(f"{name}: no elements to take the {name} of in shape {fmt(s)}")
        return rule(in_shapes, attrs)
    return shape


# ---------------------------------------------------------------- the spellings
def reduction_text_fields(attrs, f, number) -> dict:
    axis = attrs.get("axis")
    first = attrs.get("ties") == "first"
    return {"over": "" if axis is None else f" over axis {axis}",
            "tie_rule": "(the first of tied ones)" if first else "(shared by ties)",
            "tie_share": "(all of it to the first of tied ones)" if first
            else "(split evenly between ties)"}


def numpy_axis_args(attrs) -> str:
    """``, axis=(0, 2), keepdims=True`` as the engine passes them to numpy."""
    axis, text = attrs["axis"], ""
    if axis is not None:
        text += f", axis={tuple(axis) if isinstance(axis, list) else axis}"
    if attrs["keepdims"]:
        text += ", keepdims=True"
    return text


def site_axes(s, dropped: bool = False) -> tuple:
    """The site's reduced axes (or only those its value lost, as ``dropped_axes``)."""
    if dropped and (s.attrs["keepdims"] or s.attrs["axis"] is None):
        return ()
    return normalize_axes("reduce", s.attrs["axis"], s.ndims[0], (None,) * s.ndims[0])


def numpy_spread(s) -> str:
    axes = site_axes(s, dropped=True)
    return f"spread({s.g}, {s.x}.shape{f', {axes}' if axes else ''})"


def numpy_count(s) -> str:
    """How many elements each mean averages, read from the input's shape at run time."""
    if s.attrs["axis"] is None:
        return f"{s.x}.size"
    axes = site_axes(s)
    if not axes:
        return "1"
    factors = " * ".join(f"{s.x}.shape[{a}]" for a in axes)
    return factors if len(axes) == 1 else f"({factors})"


def extreme_numpy(name: str) -> Numpy:
    def backward(s, port):
        kernel_name = "first_extreme_grad" if s.attrs["ties"] == "first" else "extreme_grad"
        return (f"{kernel_name}({s.x}, {s.out}, {s.g}, {site_axes(s)}, "
                f"{bool(s.attrs['keepdims'])})")
    return Numpy(lambda s: f"np.{name}({s.x}{numpy_axis_args(s.attrs)})", backward,
                 lambda attrs: (first_extreme_grad,) if attrs["ties"] == "first"
                 else (extreme_grad,))


def torch_axes(attrs, ndim: int):
    """The attrs' axes as PyTorch's ``dim``: None for a full reduction torch can do alone."""
    axis = attrs["axis"]
    if axis is None:
        return None if not attrs["keepdims"] or ndim == 0 else list(range(ndim))
    return [axis] if isinstance(axis, int) else list(axis)


def torch_reduction(fn: str):
    """sum / mean / amax / amin over the attrs' axis, keepdims as the engine means them."""
    def code(args, attrs, ndims):
        x, axes = args[0], torch_axes(attrs, ndims[0])
        if axes is None:
            return f"torch.{fn}({x})"
        if not axes:
            return f"{x}.clone()"   # no axes: nothing to reduce (torch would reduce them all)
        dim = axes[0] if len(axes) == 1 else tuple(axes)
        return f"torch.{fn}({x}, dim={dim}{', keepdim=True' if attrs['keepdims'] else ''})"
    return code


def torch_extreme(name: str):
    """``torch.amax`` (ties split evenly), or for ties "first" ``torch.max(x, dim).values``:
    over several axes, along the reduced axes moved last and flattened into one."""
    split = torch_reduction(f"a{name}")

    def code(args, attrs, ndims):
        if attrs["ties"] != "first":
            return split(args, attrs, ndims)
        x, ndim, keep = args[0], ndims[0], attrs["keepdims"]
        axes = torch_axes(attrs, ndim)
        axes = list(range(ndim)) if axes is None else sorted(a % ndim for a in axes)
        if not axes:
            return f"{x}.clone()"
        if len(axes) == 1:
            return f"torch.{name}({x}, dim={axes[0]}{', keepdim=True' if keep else ''}).values"
        order = [a for a in range(ndim) if a not in axes] + axes
        moved = x if order == list(range(ndim)) else f"{x}.permute({tuple(order)})"
        text = f"torch.{name}({moved}.flatten(start_dim={ndim - len(axes)}), dim=-1).values"
        return text + ("".join(f".unsqueeze({a})" for a in axes) if keep else "")
    return code


# ---------------------------------------------------------------- the table
def reduction_op(name, label, symbol, doc, forward, backward, shape, text, numpy, torch,
                 torch_forms, **more):
    attrs = {"axis": None, "keepdims": False, **more.pop("attrs", {})}
    checks = {"axis": check_axis, "keepdims": check_bool("keepdims"), **more.pop("checks", {})}
    register(Op(name, 1, REDUCTIONS, symbol, doc, attrs, ("x",), forward, backward, shape,
                label=label, checks=checks, text=text, numpy=numpy, torch=torch,
                torch_forms=torch_forms, **more))


reduction_op(
    "sum", "Sum", "Σ", "Sum over axis (null = all; an int or a list of ints).",
    sum_fwd, sum_bwd, reduction_shape("sum"),
    Text("Σ {x}{over}", local=("1",), vjp=("{g} copied to every element of {x} that was summed",),
         fields=reduction_text_fields),
    Numpy(lambda s: f"np.sum({s.x}{numpy_axis_args(s.attrs)})", lambda s, port: numpy_spread(s),
          (spread,)),
    torch_reduction("sum"), ("torch.sum", "torch.Tensor.sum"),
    raises_forward=True, raises_backward=True)
reduction_op(
    "mean", "Mean", "μ", "Mean over axis (null = all; an int or a list of ints).",
    mean_fwd, mean_bwd, reduction_shape("mean"),
    Text("mean({x}){over}", local=("1/n",),
         vjp=("{g}/n copied to every element of {x} that was averaged",),
         fields=reduction_text_fields),
    Numpy(lambda s: f"np.sum({s.x}{numpy_axis_args(s.attrs)}) / {numpy_count(s)}",
          lambda s, port: f"{numpy_spread(s)} / {numpy_count(s)}", (spread,)),
    torch_reduction("mean"), ("torch.mean", "torch.Tensor.mean"),
    nonfinite_cause=lambda xs, attrs, out, bad: "mean over zero elements"
    if np.asarray(xs[0]).size == 0 else None)

TIES_ATTR = {"attrs": {"ties": "split"}, "checks": {"ties": check_choice("ties", TIES)}}
reduction_op(
    "max", "Max", "max",
    "Largest element over axis (null = all; an int or a list of ints); tied largest elements "
    "share the gradient evenly (ties \"split\") or the first of them takes it all (\"first\").",
    extreme_fwd("max", np.max), extreme_bwd("max"), extreme_shape("max"),
    Text("max({x}){over}", local=("1 at the largest element {tie_rule}, else 0",),
         vjp=("{g} to the largest element of {x} {tie_share}, 0 elsewhere",),
         fields=reduction_text_fields),
    extreme_numpy("max"), torch_extreme("max"),
    ("torch.amax", "torch.Tensor.amax", "torch.max", "torch.Tensor.max"), **TIES_ATTR)
reduction_op(
    "min", "Min", "min",
    "Smallest element over axis (null = all; an int or a list of ints); tied smallest elements "
    "share the gradient evenly (ties \"split\") or the first of them takes it all (\"first\").",
    extreme_fwd("min", np.min), extreme_bwd("min"), extreme_shape("min"),
    Text("min({x}){over}", local=("1 at the smallest element {tie_rule}, else 0",),
         vjp=("{g} to the smallest element of {x} {tie_share}, 0 elsewhere",),
         fields=reduction_text_fields),
    extreme_numpy("min"), torch_extreme("min"),
    ("torch.amin", "torch.Tensor.amin", "torch.min", "torch.Tensor.min"), **TIES_ATTR)
