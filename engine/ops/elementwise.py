"""Elementwise ops: arithmetic (numpy broadcasting), maximum/minimum, math and activations.

Each op is a forward/backward pair side by side; the table at the bottom registers them.
Backward uses the saved output where that is cheapest (exp, tanh, sigmoid, sqrt) and never
writes into its arguments; a two-input backward skips an input whose gradient nobody `needs`.
"""
from __future__ import annotations

import numpy as np

from engine.ops.base import BOTH, Op, broadcast_shape, check_number, register, unbroadcast

asarray = np.asarray


# ---------------------------------------------------------------- arithmetic (2 inputs)
def add_fwd(xs, attrs):
    return asarray(xs[0] + xs[1])


def add_bwd(xs, out, g, attrs, needs=BOTH):
    a, b = xs
    return [unbroadcast(g, a.shape) if needs[0] else None,
            unbroadcast(g, b.shape) if needs[1] else None]


def sub_fwd(xs, attrs):
    return asarray(xs[0] - xs[1])


def sub_bwd(xs, out, g, attrs, needs=BOTH):
    a, b = xs
    return [unbroadcast(g, a.shape) if needs[0] else None,
            unbroadcast(asarray(-g), b.shape) if needs[1] else None]


def mul_fwd(xs, attrs):
    return asarray(xs[0] * xs[1])


def mul_bwd(xs, out, g, attrs, needs=BOTH):
    a, b = xs
    return [unbroadcast(asarray(g * b), a.shape) if needs[0] else None,
            unbroadcast(asarray(g * a), b.shape) if needs[1] else None]


def div_fwd(xs, attrs):
    with np.errstate(divide="ignore", invalid="ignore"):
        return asarray(xs[0] / xs[1])


def div_bwd(xs, out, g, attrs, needs=BOTH):
    a, b = xs
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ga = asarray(g / b)
        gb = asarray(-ga * a / b) if needs[1] else None
    return [unbroadcast(ga, a.shape), None if gb is None else unbroadcast(gb, b.shape)]


def tie_share(wins, ties):
    """1 where a input wins, ½ where it ties, 0 where it loses (PyTorch splits a tie ½/½)."""
    return np.where(wins, 1.0, np.where(ties, 0.5, 0.0))


def maximum_fwd(xs, attrs):
    return asarray(np.maximum(xs[0], xs[1]))


def maximum_bwd(xs, out, g, attrs, needs=BOTH):
    a, b = xs
    share = tie_share(a > b, a == b)
    return [unbroadcast(asarray(g * share), a.shape) if needs[0] else None,
            unbroadcast(asarray(g * (1.0 - share)), b.shape) if needs[1] else None]


def minimum_fwd(xs, attrs):
    return asarray(np.minimum(xs[0], xs[1]))


def minimum_bwd(xs, out, g, attrs, needs=BOTH):
    a, b = xs
    share = tie_share(a < b, a == b)
    return [unbroadcast(asarray(g * share), a.shape) if needs[0] else None,
            unbroadcast(asarray(g * (1.0 - share)), b.shape) if needs[1] else None]


# ---------------------------------------------------------------- unary math
def neg_fwd(xs, attrs):
    return asarray(-xs[0])


def neg_bwd(xs, out, g, attrs):
    return [asarray(-g)]


def exp_fwd(xs, attrs):
    with np.errstate(over="ignore"):
        return asarray(np.exp(xs[0]))


def exp_bwd(xs, out, g, attrs):
    with np.errstate(over="ignore", invalid="ignore"):
        return [asarray(g * out)]


def log_fwd(xs, attrs):
    with np.errstate(divide="ignore", invalid="ignore"):
        return asarray(np.log(xs[0]))


def log_bwd(xs, out, g, attrs):
    with np.errstate(divide="ignore", invalid="ignore"):
        return [asarray(g / xs[0])]


def sqrt_fwd(xs, attrs):
    with np.errstate(invalid="ignore"):
        return asarray(np.sqrt(xs[0]))


def sqrt_bwd(xs, out, g, attrs):
    # d/dx sqrt(x) = 1 / (2 sqrt(x)); at x = 0 this is inf, like PyTorch.
    with np.errstate(divide="ignore", invalid="ignore"):
        return [asarray(g / (2.0 * out))]


def square_fwd(xs, attrs):
    return asarray(xs[0] * xs[0])


def square_bwd(xs, out, g, attrs):
    return [asarray(g * (2.0 * xs[0]))]


def reciprocal_fwd(xs, attrs):
    with np.errstate(divide="ignore", over="ignore"):
        return asarray(1.0 / xs[0])


def reciprocal_bwd(xs, out, g, attrs):
    # d/dx 1/x = −1/x² = −out²
    with np.errstate(over="ignore", invalid="ignore"):
        return [asarray(g * -(out * out))]


def sin_fwd(xs, attrs):
    return asarray(np.sin(xs[0]))


def sin_bwd(xs, out, g, attrs):
    return [asarray(g * np.cos(xs[0]))]


def cos_fwd(xs, attrs):
    return asarray(np.cos(xs[0]))


def cos_bwd(xs, out, g, attrs):
    return [asarray(g * -np.sin(xs[0]))]


def abs_fwd(xs, attrs):
    return asarray(np.abs(xs[0]))


def abs_bwd(xs, out, g, attrs):
    return [asarray(g * np.sign(xs[0]))]  # sign(0) = 0: abs'(0) = 0, like PyTorch


def pow_fwd(xs, attrs):
    x, p = xs[0], attrs["exponent"]
    if not float(p).is_integer() and not (x > 0).all():
        raise ValueError("pow: a fractional exponent needs x > 0")
    if p == 2.0:
        return asarray(x * x)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        return asarray(x ** p)


def pow_bwd(xs, out, g, attrs):
    x, p = xs[0], attrs["exponent"]
    if p == 0.0:
        return [np.zeros_like(x)]  # x ** 0 == 1 everywhere, like PyTorch
    if p == 2.0:
        return [asarray(g * (2.0 * x))]
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        return [asarray(g * (p * x ** (p - 1.0)))]


# ---------------------------------------------------------------- activations
def tanh_fwd(xs, attrs):
    return asarray(np.tanh(xs[0]))


def tanh_bwd(xs, out, g, attrs):
    return [asarray(g * (1.0 - out * out))]


def sigmoid_fwd(xs, attrs):
    # Stable both ways: e = exp(-|x|) never overflows; 1/(1+e) and e/(1+e) keep full precision.
    x = xs[0]
    e = np.exp(-np.abs(x))
    r = 1.0 / (1.0 + e)
    return asarray(np.where(x >= 0, r, e * r))


def sigmoid_bwd(xs, out, g, attrs):
    return [asarray(g * (out * (1.0 - out)))]


def relu_fwd(xs, attrs):
    return asarray(np.maximum(xs[0], 0.0))


def relu_bwd(xs, out, g, attrs):
    return [asarray(np.where(xs[0] > 0, g, 0.0))]  # relu'(0) = 0


def leaky_relu_fwd(xs, attrs):
    x = xs[0]
    return asarray(np.where(x > 0, x, attrs["slope"] * x))


def leaky_relu_bwd(xs, out, g, attrs):
    return [asarray(np.where(xs[0] > 0, g, attrs["slope"] * g))]  # leaky_relu'(0) = slope


# ---------------------------------------------------------------- shape rules and the table
def same_as_input(in_shapes, attrs):
    return tuple(in_shapes[0])


def broadcasting(name):
    def shape(in_shapes, attrs):
        return broadcast_shape(name, in_shapes[0], in_shapes[1])
    return shape


ARITHMETIC = [
    # name, label, symbol, doc, forward, backward
    ("add", "Add", "+", "a + b, elementwise with numpy broadcasting.", add_fwd, add_bwd),
    ("sub", "Subtract", "−", "a − b, elementwise with numpy broadcasting.", sub_fwd, sub_bwd),
    ("mul", "Multiply", "×", "a × b, elementwise with numpy broadcasting.", mul_fwd, mul_bwd),
    ("div", "Divide", "÷", "a ÷ b, elementwise with numpy broadcasting.", div_fwd, div_bwd),
    ("maximum", "Maximum", "max(a,b)", "The larger of a and b, elementwise with numpy "
     "broadcasting; a tie splits the gradient ½/½.", maximum_fwd, maximum_bwd),
    ("minimum", "Minimum", "min(a,b)", "The smaller of a and b, elementwise with numpy "
     "broadcasting; a tie splits the gradient ½/½.", minimum_fwd, minimum_bwd),
]
UNARY = [
    # name, label, symbol, category, doc, forward, backward
    ("neg", "Negate", "−x", "Arithmetic", "−x", neg_fwd, neg_bwd),
    ("exp", "Exp", "exp", "Arithmetic", "e to the x", exp_fwd, exp_bwd),
    ("log", "Log", "log", "Arithmetic", "Natural logarithm; needs x > 0.", log_fwd, log_bwd),
    ("sqrt", "Square root", "√", "Arithmetic", "√x; needs x ≥ 0 (gradient inf at 0).",
     sqrt_fwd, sqrt_bwd),
    ("abs", "Absolute value", "|x|", "Arithmetic", "|x| (gradient 0 at 0).", abs_fwd, abs_bwd),
    ("square", "Square", "x²", "Arithmetic", "x · x (gradient 2x).", square_fwd, square_bwd),
    ("reciprocal", "Reciprocal", "1/x", "Arithmetic", "1 / x; needs x ≠ 0 (gradient −1/x²).",
     reciprocal_fwd, reciprocal_bwd),
    ("sin", "Sine", "sin", "Arithmetic", "sin x, x in radians (gradient cos x).", sin_fwd, sin_bwd),
    ("cos", "Cosine", "cos", "Arithmetic", "cos x, x in radians (gradient −sin x).",
     cos_fwd, cos_bwd),
    ("tanh", "Tanh", "tanh", "Activations", "Hyperbolic tangent.", tanh_fwd, tanh_bwd),
    ("sigmoid", "Sigmoid", "σ", "Activations", "1 / (1 + e^−x), numerically stable.",
     sigmoid_fwd, sigmoid_bwd),
    ("relu", "ReLU", "ReLU", "Activations", "max(x, 0) (gradient 0 at 0).", relu_fwd, relu_bwd),
]

# ops whose forward and backward leave numpy's floating-point errors raised (Op.raises_*)
RAISING = {"add", "sub", "mul", "neg", "abs", "tanh", "relu", "leaky_relu"}
HINTS = {"log": "log of a non-positive value", "sqrt": "sqrt of a negative value",
         "div": "division by zero", "pow": "pow of a zero or negative base",
         "exp": "exp of a large value", "reciprocal": "reciprocal of zero",
         "square": "square of a large value",
         **{name: f"{name} of large values" for name in ("add", "sub", "mul")}}


def _facts(name: str) -> dict:
    raising = name in RAISING
    return {"raises_forward": raising, "raises_backward": raising,
            "nonfinite_hint": HINTS.get(name, "")}


for _name, _label, _symbol, _doc, _fwd, _bwd in ARITHMETIC:
    register(Op(_name, 2, "Arithmetic", _symbol, _doc, {}, ("a", "b"), _fwd, _bwd,
                broadcasting(_name), elementwise=True, label=_label, **_facts(_name)))

for _name, _label, _symbol, _cat, _doc, _fwd, _bwd in UNARY:
    register(Op(_name, 1, _cat, _symbol, _doc, {}, ("x",), _fwd, _bwd, same_as_input,
                elementwise=True, label=_label, **_facts(_name)))

register(Op("pow", 1, "Arithmetic", "xⁿ",
            "x ** exponent; a fractional exponent needs x > 0.",
            {"exponent": 2.0}, ("x",), pow_fwd, pow_bwd, same_as_input, elementwise=True,
            label="Power", checks={"exponent": check_number("exponent")}, **_facts("pow")))
register(Op("leaky_relu", 1, "Activations", "LReLU",
            "x for x > 0, slope × x otherwise (gradient = slope at 0).",
            {"slope": 0.01}, ("x",), leaky_relu_fwd, leaky_relu_bwd, same_as_input,
            elementwise=True, label="Leaky ReLU", checks={"slope": check_number("slope")},
            **_facts("leaky_relu")))
