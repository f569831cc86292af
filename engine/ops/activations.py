"""Activations: tanh, sigmoid, relu, leaky_relu (elementwise) and softmax (along an axis).

Each op is defined once, top to bottom: forward, backward, then its registration with the
player's text, the numpy spelling and the PyTorch spelling. ``sigmoid`` and ``softmax`` are
kernels: an exported script holds the engine's own code for them.
"""
from __future__ import annotations

import numpy as np

from engine.ops.base import (Numpy, Op, Text, check_int, check_number, normalize_axes, register,
                             unary_op)
from engine.ops.kernels import kernel

asarray = np.asarray
ACTIVATIONS = "Activations"


# ---------------------------------------------------------------- tanh
def tanh_fwd(xs, attrs):
    return asarray(np.tanh(xs[0]))


def tanh_bwd(xs, out, g, attrs):
    return [asarray(g * (1.0 - out * out))]


unary_op(
    "tanh", ACTIVATIONS, "Tanh", "tanh", "Hyperbolic tangent.", tanh_fwd, tanh_bwd,
    text=Text("tanh({x})", local=("1 − tanh²({x})",), at_output="1 − tanh²({out})"),
    numpy=Numpy("np.tanh({x})", ("{g} * (1.0 - {out} * {out})",)),
    torch="torch.tanh({x})",
    torch_forms=("torch.tanh", "torch.Tensor.tanh", "torch.nn.functional.tanh",
                 "torch.nn.Tanh"),
    raises=True)


# ---------------------------------------------------------------- sigmoid
@kernel
def sigmoid(x):
    """1 / (1 + e^-x), stable both ways: e = exp(-|x|) never overflows, and 1/(1+e) and
    e/(1+e) keep full precision."""
    e = np.exp(-np.abs(x))
    r = 1.0 / (1.0 + e)
    return np.where(x >= 0, r, e * r)


def sigmoid_fwd(xs, attrs):
    return asarray(sigmoid(xs[0]))


def sigmoid_bwd(xs, out, g, attrs):
    return [asarray(g * (out * (1.0 - out)))]


unary_op(
    "sigmoid", ACTIVATIONS, "Sigmoid", "σ", "1 / (1 + e^−x), numerically stable.",
    sigmoid_fwd, sigmoid_bwd,
    text=Text("σ({x})", local=("σ({x})·(1 − σ({x}))",), at_output="σ({out})·(1 − σ({out}))"),
    numpy=Numpy("sigmoid({x})", ("{g} * ({out} * (1.0 - {out}))",), (sigmoid,)),
    torch="torch.sigmoid({x})",
    torch_forms=("torch.sigmoid", "torch.Tensor.sigmoid", "torch.nn.functional.sigmoid",
                 "torch.nn.Sigmoid"))


# ---------------------------------------------------------------- relu
def relu_fwd(xs, attrs):
    return asarray(np.maximum(xs[0], 0.0))


def relu_bwd(xs, out, g, attrs):
    return [asarray(np.where(xs[0] > 0, g, 0.0))]  # relu'(0) = 0


unary_op(
    "relu", ACTIVATIONS, "ReLU", "ReLU", "max(x, 0) (gradient 0 at 0).", relu_fwd, relu_bwd,
    text=Text("max({x}, 0)", local=("1 if {x} > 0, else 0",)),
    numpy=Numpy("np.maximum({x}, 0.0)", ("np.where({x} > 0, {g}, 0.0)",)),
    torch="torch.relu({x})",
    torch_forms=("torch.relu", "torch.Tensor.relu", "torch.nn.functional.relu",
                 "torch.nn.ReLU"),
    raises=True)


# ---------------------------------------------------------------- leaky_relu
def leaky_relu_fwd(xs, attrs):
    x = xs[0]
    return asarray(np.where(x > 0, x, attrs["slope"] * x))


def leaky_relu_bwd(xs, out, g, attrs):
    return [asarray(np.where(xs[0] > 0, g, attrs["slope"] * g))]  # leaky_relu'(0) = slope


unary_op(
    "leaky_relu", ACTIVATIONS, "Leaky ReLU", "LReLU",
    "x for x > 0, slope × x otherwise (gradient = slope at 0).", leaky_relu_fwd, leaky_relu_bwd,
    attrs={"slope": 0.01}, checks={"slope": check_number("slope")},
    text=Text("max({x}, {slope}·{x})", local=("1 if {x} > 0, else {slope}",)),
    numpy=Numpy("np.where({x} > 0, {x}, {slope} * {x})",
                ("np.where({x} > 0, {g}, {slope} * {g})",)),
    torch="F.leaky_relu({x}, {slope})",
    torch_forms=("torch.nn.functional.leaky_relu", "torch.nn.LeakyReLU"),
    raises=True)


# ---------------------------------------------------------------- softmax
@kernel
def softmax(x, axis):
    """exp(x) / sum(exp(x)) along axis, stable: the largest exponent is 0."""
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def softmax_fwd(xs, attrs):
    return softmax(xs[0], attrs["axis"])


def softmax_bwd(xs, out, g, attrs):
    return [out * (g - (g * out).sum(axis=attrs["axis"], keepdims=True))]


def softmax_shape(in_shapes, attrs):
    s = tuple(in_shapes[0])
    normalize_axes("softmax", attrs["axis"], len(s), s)
    return s


def softmax_text_fields(attrs, f, number) -> dict:
    axis = attrs.get("axis", -1)
    return {"along": "" if axis == -1 else f" along axis {axis}"}


register(Op(
    "softmax", 1, ACTIVATIONS, "softmax", "exp(x) / Σ exp(x) along axis, numerically stable.",
    {"axis": -1}, ("x",), softmax_fwd, softmax_bwd, softmax_shape, label="Softmax",
    checks={"axis": check_int("axis")},
    text=Text("softmax({x}){along}", local=("s·(1 − s), s = softmax({x})",),
              vjp=("s ⊙ ({g} − Σ {g} ⊙ s), s = softmax({x})",), fields=softmax_text_fields),
    numpy=Numpy("softmax({x}, {axis})",
                ("{out} * ({g} - ({g} * {out}).sum(axis={axis}, keepdims=True))",), (softmax,)),
    torch="torch.softmax({x}, dim={axis})",
    torch_forms=("torch.softmax", "torch.Tensor.softmax", "torch.nn.functional.softmax",
                 "torch.nn.Softmax")))
