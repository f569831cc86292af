"""Arithmetic: add, sub, mul, div, maximum, minimum (numpy broadcasting) and the one-input math
ops neg, exp, log, sqrt, abs, square, reciprocal, sin, cos, pow.

Each op is defined once, top to bottom: forward, backward, then its registration with the
player's text, the numpy spelling and the PyTorch spelling. A backward uses the saved output
where that is cheapest (exp, sqrt, reciprocal), never writes into its arguments, and a
two-input backward skips an input whose gradient nobody `needs`.
"""
from __future__ import annotations

import numpy as np

from engine.nonfinite import at_bad
from engine.ops.base import BOTH, Numpy, Text, binary_op, check_number, unary_op
from engine.ops.kernels import kernel, unbroadcast

asarray = np.asarray
ARITHMETIC = "Arithmetic"


# ---------------------------------------------------------------- add
def add_fwd(xs, attrs):
    return asarray(xs[0] + xs[1])


def add_bwd(xs, out, g, attrs, needs=BOTH):
    a, b = xs
    return [unbroadcast(g, a.shape) if needs[0] else None,
            unbroadcast(g, b.shape) if needs[1] else None]


binary_op(
    "add", "Add", "+", "a + b, elementwise with numpy broadcasting.", add_fwd, add_bwd,
    text=Text("{a} + {b}", local=("1", "1")),
    numpy=Numpy("{a} + {b}", ("unbroadcast({g}, {a}.shape)", "unbroadcast({g}, {b}.shape)"),
                (unbroadcast,)),
    torch="{a} + {b}", torch_forms=("operator.add", "torch.add", "torch.Tensor.add"),
    raises=True)


# ---------------------------------------------------------------- sub
def sub_fwd(xs, attrs):
    return asarray(xs[0] - xs[1])


def sub_bwd(xs, out, g, attrs, needs=BOTH):
    a, b = xs
    return [unbroadcast(g, a.shape) if needs[0] else None,
            unbroadcast(asarray(-g), b.shape) if needs[1] else None]


binary_op(
    "sub", "Subtract", "−", "a − b, elementwise with numpy broadcasting.", sub_fwd, sub_bwd,
    text=Text("{a} − {b}", local=("1", "−1")),
    numpy=Numpy("{a} - {b}", ("unbroadcast({g}, {a}.shape)", "unbroadcast(-{g}, {b}.shape)"),
                (unbroadcast,)),
    torch="{a} - {b}", torch_forms=("operator.sub", "torch.sub", "torch.Tensor.sub"),
    raises=True)


# ---------------------------------------------------------------- mul
def mul_fwd(xs, attrs):
    return asarray(xs[0] * xs[1])


def mul_bwd(xs, out, g, attrs, needs=BOTH):
    a, b = xs
    return [unbroadcast(asarray(g * b), a.shape) if needs[0] else None,
            unbroadcast(asarray(g * a), b.shape) if needs[1] else None]


binary_op(
    "mul", "Multiply", "×", "a × b, elementwise with numpy broadcasting.", mul_fwd, mul_bwd,
    text=Text("{a} · {b}", local=("{b}", "{a}")),
    numpy=Numpy("{a} * {b}", ("unbroadcast({g} * {b}, {a}.shape)",
                              "unbroadcast({g} * {a}, {b}.shape)"), (unbroadcast,)),
    torch="{a} * {b}", torch_forms=("operator.mul", "torch.mul", "torch.Tensor.mul"),
    raises=True)


# ---------------------------------------------------------------- div
def div_fwd(xs, attrs):
    with np.errstate(divide="ignore", invalid="ignore"):
        return asarray(xs[0] / xs[1])


def div_bwd(xs, out, g, attrs, needs=BOTH):
    a, b = xs
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ga = asarray(g / b)
        gb = asarray(-ga * a / b) if needs[1] else None
    return [unbroadcast(ga, a.shape), None if gb is None else unbroadcast(gb, b.shape)]


def div_cause(xs, attrs, out, bad):
    """0/0, a division by zero, or (None) a quotient too large for float64."""
    a, b = at_bad(xs[0], out, bad), at_bad(xs[1], out, bad)
    if ((a == 0) & (b == 0)).any():
        return "0/0"
    return "division by zero" if (b == 0).any() else None


binary_op(
    "div", "Divide", "÷", "a ÷ b, elementwise with numpy broadcasting.", div_fwd, div_bwd,
    text=Text("{a} / {b}", local=("1/{b}", "−{a}/{b}²")),
    numpy=Numpy("{a} / {b}", ("unbroadcast({g} / {b}, {a}.shape)",
                              "unbroadcast(-({g} / {b}) * {a} / {b}, {b}.shape)"),
                (unbroadcast,)),
    torch="{a} / {b}", torch_forms=("operator.truediv", "torch.div", "torch.Tensor.div"),
    nonfinite_cause=div_cause)


# ---------------------------------------------------------------- maximum, minimum
@kernel
def tie_share(wins, ties):
    """1 where an input wins, 1/2 where it ties (a tie splits the gradient), 0 where it loses."""
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


def extreme_numpy(fn: str, wins: str) -> Numpy:
    """maximum / minimum: a's share of the gradient is tie_share(a wins, a ties), b's the rest."""
    share = f"tie_share({{a}} {wins} {{b}}, {{a}} == {{b}})"
    return Numpy(f"np.{fn}({{a}}, {{b}})",
                 (f"unbroadcast({{g}} * {share}, {{a}}.shape)",
                  f"unbroadcast({{g}} * (1.0 - {share}), {{b}}.shape)"),
                 (unbroadcast, tie_share))


binary_op(
    "maximum", "Maximum", "max(a,b)", "The larger of a and b, elementwise with numpy "
    "broadcasting; a tie splits the gradient ½/½.", maximum_fwd, maximum_bwd,
    text=Text("max({a}, {b})", local=("1 if {a} > {b}, ½ if equal, else 0",
                                      "1 if {b} > {a}, ½ if equal, else 0")),
    numpy=extreme_numpy("maximum", ">"),
    torch="torch.maximum({a}, {b})",
    torch_forms=("torch.maximum", "torch.Tensor.maximum", "torch.max(a, b)"))
binary_op(
    "minimum", "Minimum", "min(a,b)", "The smaller of a and b, elementwise with numpy "
    "broadcasting; a tie splits the gradient ½/½.", minimum_fwd, minimum_bwd,
    text=Text("min({a}, {b})", local=("1 if {a} < {b}, ½ if equal, else 0",
                                      "1 if {b} < {a}, ½ if equal, else 0")),
    numpy=extreme_numpy("minimum", "<"),
    torch="torch.minimum({a}, {b})",
    torch_forms=("torch.minimum", "torch.Tensor.minimum", "torch.min(a, b)"))


# ---------------------------------------------------------------- neg
def neg_fwd(xs, attrs):
    return asarray(-xs[0])


def neg_bwd(xs, out, g, attrs):
    return [asarray(-g)]


unary_op(
    "neg", ARITHMETIC, "Negate", "−x", "−x", neg_fwd, neg_bwd,
    text=Text("−{x}", local=("−1",)),
    numpy=Numpy("-{x}", ("-{g}",)),
    torch="-{x}", torch_forms=("operator.neg", "torch.neg", "torch.Tensor.neg"), raises=True)


# ---------------------------------------------------------------- exp
def exp_fwd(xs, attrs):
    with np.errstate(over="ignore"):
        return asarray(np.exp(xs[0]))


def exp_bwd(xs, out, g, attrs):
    with np.errstate(over="ignore", invalid="ignore"):
        return [asarray(g * out)]


unary_op(
    "exp", ARITHMETIC, "Exp", "exp", "e to the x", exp_fwd, exp_bwd,
    text=Text("exp({x})", local=("exp({x})",), at_output="exp({out})"),
    numpy=Numpy("np.exp({x})", ("{g} * {out}",)),
    torch="torch.exp({x})", torch_forms=("torch.exp", "torch.Tensor.exp"),
)


# ---------------------------------------------------------------- log
def log_fwd(xs, attrs):
    with np.errstate(divide="ignore", invalid="ignore"):
        return asarray(np.log(xs[0]))


def log_bwd(xs, out, g, attrs):
    with np.errstate(divide="ignore", invalid="ignore"):
        return [asarray(g / xs[0])]


unary_op(
    "log", ARITHMETIC, "Log", "log", "Natural logarithm; needs x > 0.", log_fwd, log_bwd,
    text=Text("log({x})", local=("1/{x}",), at_output="1/{out}"),
    numpy=Numpy("np.log({x})", ("{g} / {x}",)),
    torch="torch.log({x})", torch_forms=("torch.log", "torch.Tensor.log"),
    nonfinite_cause=lambda xs, attrs, out, bad: "log of a non-positive value"
    if (at_bad(xs[0], out, bad) <= 0).any() else None)


# ---------------------------------------------------------------- sqrt
def sqrt_fwd(xs, attrs):
    with np.errstate(invalid="ignore"):
        return asarray(np.sqrt(xs[0]))


def sqrt_bwd(xs, out, g, attrs):
    # d/dx sqrt(x) = 1 / (2 sqrt(x)); at x = 0 this is inf, like PyTorch.
    with np.errstate(divide="ignore", invalid="ignore"):
        return [asarray(g / (2.0 * out))]


unary_op(
    "sqrt", ARITHMETIC, "Square root", "√", "√x; needs x ≥ 0 (gradient inf at 0).",
    sqrt_fwd, sqrt_bwd,
    text=Text("√{x}", local=("1/(2·√{x})",), at_output="1/(2·√{out})"),
    numpy=Numpy("np.sqrt({x})", ("{g} / (2.0 * {out})",)),
    torch="torch.sqrt({x})", torch_forms=("torch.sqrt", "torch.Tensor.sqrt"),
    nonfinite_cause=lambda xs, attrs, out, bad: "sqrt of a negative value"
    if (at_bad(xs[0], out, bad) < 0).any() else None)


# ---------------------------------------------------------------- abs
def abs_fwd(xs, attrs):
    return asarray(np.abs(xs[0]))


def abs_bwd(xs, out, g, attrs):
    return [asarray(g * np.sign(xs[0]))]  # sign(0) = 0: abs'(0) = 0, like PyTorch


unary_op(
    "abs", ARITHMETIC, "Absolute value", "|x|", "|x| (gradient 0 at 0).", abs_fwd, abs_bwd,
    text=Text("|{x}|", local=("sign({x})",), at_output="sign({out})"),
    numpy=Numpy("np.abs({x})", ("{g} * np.sign({x})",)),
    torch="torch.abs({x})", torch_forms=("torch.abs", "torch.Tensor.abs", "abs"), raises=True)


# ---------------------------------------------------------------- square
def square_fwd(xs, attrs):
    return asarray(xs[0] * xs[0])


def square_bwd(xs, out, g, attrs):
    return [asarray(g * (2.0 * xs[0]))]


unary_op(
    "square", ARITHMETIC, "Square", "x²", "x · x (gradient 2x).", square_fwd, square_bwd,
    text=Text("{x}²", local=("2·{x}",), at_output="2·{out}"),
    numpy=Numpy("{x} * {x}", ("{g} * (2.0 * {x})",)),
    torch="torch.square({x})", torch_forms=("torch.square", "torch.Tensor.square"),
)


# ---------------------------------------------------------------- reciprocal
def reciprocal_fwd(xs, attrs):
    with np.errstate(divide="ignore", over="ignore"):
        return asarray(1.0 / xs[0])


def reciprocal_bwd(xs, out, g, attrs):
    # d/dx 1/x = −1/x² = −out²
    with np.errstate(over="ignore", invalid="ignore"):
        return [asarray(g * -(out * out))]


unary_op(
    "reciprocal", ARITHMETIC, "Reciprocal", "1/x", "1 / x; needs x ≠ 0 (gradient −1/x²).",
    reciprocal_fwd, reciprocal_bwd,
    text=Text("1/{x}", local=("−1/{x}²",), at_output="−1/{out}²"),
    numpy=Numpy("1.0 / {x}", ("{g} * -({out} * {out})",)),
    torch="torch.reciprocal({x})", torch_forms=("torch.reciprocal", "torch.Tensor.reciprocal"),
    nonfinite_cause=lambda xs, attrs, out, bad: "reciprocal of zero"
    if (at_bad(xs[0], out, bad) == 0).any() else None)


# ---------------------------------------------------------------- sin, cos
def sin_fwd(xs, attrs):
    return asarray(np.sin(xs[0]))


def sin_bwd(xs, out, g, attrs):
    return [asarray(g * np.cos(xs[0]))]


unary_op(
    "sin", ARITHMETIC, "Sine", "sin", "sin x, x in radians (gradient cos x).", sin_fwd, sin_bwd,
    text=Text("sin({x})", local=("cos({x})",), at_output="cos({out})"),
    numpy=Numpy("np.sin({x})", ("{g} * np.cos({x})",)),
    torch="torch.sin({x})", torch_forms=("torch.sin", "torch.Tensor.sin"))


def cos_fwd(xs, attrs):
    return asarray(np.cos(xs[0]))


def cos_bwd(xs, out, g, attrs):
    return [asarray(g * -np.sin(xs[0]))]


unary_op(
    "cos", ARITHMETIC, "Cosine", "cos", "cos x, x in radians (gradient −sin x).",
    cos_fwd, cos_bwd,
    text=Text("cos({x})", local=("−sin({x})",), at_output="−sin({out})"),
    numpy=Numpy("np.cos({x})", ("{g} * -np.sin({x})",)),
    torch="torch.cos({x})", torch_forms=("torch.cos", "torch.Tensor.cos"))


# ---------------------------------------------------------------- pow
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


_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def power_text(base: str, exponent: float, number) -> str:
    """``x²``, ``u³``, ``x⁻¹``, ``x^0.5``; ``1`` for exponent 0, ``x`` for 1."""
    if exponent == 0:
        return "1"
    if exponent == 1:
        return base
    if float(exponent).is_integer() and abs(exponent) < 100:
        return base + str(int(exponent)).translate(_SUPERSCRIPT)
    return f"{base}^{number(exponent)}"


def power_derivative(base: str, exponent: float, number) -> str:
    """``3·u²``, ``2·x``, ``0.5·x^−0.5``: d/dx of x^n as text."""
    rest = power_text(base, exponent - 1, number)
    if rest == "1":
        return number(exponent)
    return ("" if exponent == 1 else number(exponent) + "·") + rest


def pow_text_fields(attrs, f, number) -> dict:
    n = float(attrs.get("exponent", 2.0))
    return {"power": power_text(f["x"], n, number),
            "power_derivative": power_derivative(f["x"], n, number),
            "power_derivative_at_output": power_derivative(f["out"], n, number)}


def pow_numpy_forward(s):
    p = s.attrs["exponent"]
    return f"{s.x} * {s.x}" if p == 2.0 else f"{s.x} ** {float(p)!r}"


def pow_numpy_backward(s, port):
    p = s.attrs["exponent"]
    if p == 0.0:
        return f"np.zeros_like({s.x})"
    if p == 2.0:
        return f"{s.g} * (2.0 * {s.x})"
    return f"{s.g} * ({float(p)!r} * {s.x} ** {float(p - 1.0)!r})"


unary_op(
    "pow", ARITHMETIC, "Power", "xⁿ", "x ** exponent; a fractional exponent needs x > 0.",
    pow_fwd, pow_bwd, attrs={"exponent": 2.0}, checks={"exponent": check_number("exponent")},
    text=Text("{power}", local=("{power_derivative}",),
              at_output="{power_derivative_at_output}", fields=pow_text_fields),
    numpy=Numpy(pow_numpy_forward, pow_numpy_backward),
    torch="torch.pow({x}, {exponent})",
    torch_forms=("operator.pow", "torch.pow", "torch.Tensor.pow"),
    nonfinite_cause=lambda xs, attrs, out, bad: "pow of a zero or negative base"
    if (at_bad(xs[0], out, bad) <= 0).any() else None)
