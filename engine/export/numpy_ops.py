"""Every op as numpy source text: the engine's own kernels, written out for an exported script.

``NUMPY[op]`` is a ``Code(forward, backward, helpers)``: ``forward(site)`` is the expression
of the node's value, ``backward(site, port)`` the expression of the gradient that flows back
along the edge into ``port`` (the local derivative times the node's gradient ``site.g``), and
``helpers`` the names of the functions of ``HELPERS`` these use. The expressions compute
exactly what the op's ``forward`` / ``backward`` in ``engine/ops_*.py`` compute, in the same
order, so an exported script's numbers are the engine's (tests/test_export_numpy.py checks
every op). Shapes are read at run time (``x.shape``), so a script works for any batch size;
only the number of axes is fixed when the graph is exported.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from engine.ops.base import normalize_axes


@dataclass(frozen=True)
class Site:
    """One op node as the code sees it: Python names of its inputs, value and gradient."""
    args: tuple        # names of the inputs, by port
    out: str           # name of the node's value
    g: str             # name of the node's gradient
    attrs: dict
    ndims: tuple       # number of axes of each input

    @property
    def x(self) -> str:
        return self.args[0]

    @property
    def b(self) -> str:
        return self.args[1]


@dataclass(frozen=True)
class Code:
    forward: Callable
    backward: Callable
    helpers: tuple = ()


HELPERS = {
    "unbroadcast": '''
def unbroadcast(g, shape):
    """Sum g back down to shape, undoing numpy broadcasting."""
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape)
''',
    "spread": '''
def spread(g, shape, axes=()):
    """A reduction's gradient copied back over the axes it reduced (axes: those it dropped)."""
    out = np.empty(shape)
    out[...] = np.expand_dims(g, axes)
    return out
''',
    "tie_share": '''
def tie_share(wins, ties):
    """1 where an input wins, 1/2 where it ties (a tie splits the gradient), 0 where it loses."""
    return np.where(wins, 1.0, np.where(ties, 0.5, 0.0))
''',
    "extreme_grad": '''
def extreme_grad(x, out, g, axes, keepdims):
    """max / min: the gradient goes to the extreme elements, shared evenly among ties."""
    if not keepdims:
        out, g = np.expand_dims(out, axes), np.expand_dims(g, axes)
    hit = x == out
    return np.where(hit, g / hit.sum(axis=axes, keepdims=True), 0.0)
''',
    "sigmoid": '''
def sigmoid(x):
    """1 / (1 + e^-x), stable both ways."""
    e = np.exp(-np.abs(x))
    r = 1.0 / (1.0 + e)
    return np.where(x >= 0, r, e * r)
''',
    "softmax": '''
def softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)
''',
    "log_softmax": '''
def log_softmax(z):
    """log softmax over the last axis."""
    s = z - z.max(axis=-1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=-1, keepdims=True))


def rows(z):
    """The number of rows of z: one per vector along the last axis."""
    return z.size // z.shape[-1] if z.shape[-1] else 0
''',
    "mse": '''
def mse(p, y):
    """Mean squared error over all elements."""
    d = p - y
    return np.vdot(d, d) / d.size
''',
    "sigmoid_bce": '''
def sigmoid_bce(z, y):
    """Binary cross-entropy on logits z: mean of max(z, 0) - z*y + log(1 + e^-|z|)."""
    terms = np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))
    return terms.sum() / z.size
''',
    "softmax_ce": '''
def softmax_ce(z, y):
    """Cross-entropy over the last axis: mean over rows of -sum(y * log_softmax(z))."""
    return -np.vdot(y, log_softmax(z)) / rows(z)
''',
}
HELPER_NEEDS = {"sigmoid_bce": ("sigmoid",), "softmax_ce": ("log_softmax",)}


# ---------------------------------------------------------------- attrs as source text
def num(value) -> str:
    """A float as Python source that reads back exactly."""
    return repr(float(value))


def axis_args(attrs) -> str:
    """``, axis=(0, 2), keepdims=True`` as the engine passes them to numpy."""
    axis, text = attrs["axis"], ""
    if axis is not None:
        text += f", axis={tuple(axis) if isinstance(axis, list) else axis}"
    if attrs["keepdims"]:
        text += ", keepdims=True"
    return text


def reduced(site) -> tuple:
    """The reduced axes, non-negative and sorted."""
    return normalize_axes("export", site.attrs["axis"], site.ndims[0], (None,) * site.ndims[0])


def dropped(site) -> tuple:
    """The axes a reduction removed and its gradient must get back (none with keepdims; none
    for a reduction over everything, whose gradient is one number)."""
    return () if site.attrs["keepdims"] or site.attrs["axis"] is None else reduced(site)


def count(site) -> str:
    """How many elements each mean averages, read from the input's shape at run time."""
    if site.attrs["axis"] is None:
        return f"{site.x}.size"
    axes = reduced(site)
    if not axes:
        return "1"
    factors = " * ".join(f"{site.x}.shape[{a}]" for a in axes)
    return factors if len(axes) == 1 else f"({factors})"


def spread_call(site) -> str:
    axes = dropped(site)
    return f"spread({site.g}, {site.x}.shape{f', {axes}' if axes else ''})"


def shape_literal(shape) -> str:
    return repr(tuple(shape))


# ---------------------------------------------------------------- the table
def both(fwd, bwd0, bwd1, helpers=("unbroadcast",)) -> Code:
    return Code(fwd, lambda s, port: (bwd0, bwd1)[port](s), helpers)


def one(fwd, bwd, helpers=()) -> Code:
    return Code(fwd, lambda s, port: bwd(s), helpers)


def _pow_forward(s):
    p = s.attrs["exponent"]
    return f"{s.x} * {s.x}" if p == 2.0 else f"{s.x} ** {num(p)}"


def _pow_backward(s):
    p = s.attrs["exponent"]
    if p == 0.0:
        return f"np.zeros_like({s.x})"
    if p == 2.0:
        return f"{s.g} * (2.0 * {s.x})"
    return f"{s.g} * ({num(p)} * {s.x} ** {num(p - 1.0)})"


def _matmul_backward(s, port):
    a, b, g = s.args[0], s.args[1], s.g
    rule = {(2, 2): (f"{g} @ {b}.T", f"{a}.T @ {g}"),
            (1, 2): (f"{b} @ {g}", f"np.outer({a}, {g})"),
            (2, 1): (f"np.outer({g}, {b})", f"{g} @ {a}"),
            (1, 1): (f"{g} * {b}", f"{g} * {a}")}[s.ndims]
    return rule[port]


def _extreme(name):
    return one(lambda s: f"np.{name}({s.x}{axis_args(s.attrs)})",
               lambda s: f"extreme_grad({s.x}, {s.out}, {s.g}, {reduced(s)}, "
                         f"{bool(s.attrs['keepdims'])})", ("extreme_grad",))


def _concat_part(s, port):
    k = s.attrs["axis"]
    return f"np.split({s.g}, [{s.args[0]}.shape[{k}]], axis={k})[{port}]"


def _maximum(compare):
    share = lambda s: f"tie_share({s.x} {compare} {s.b}, {s.x} == {s.b})"  # noqa: E731
    return both(lambda s: f"np.{'maximum' if compare == '>' else 'minimum'}({s.x}, {s.b})",
                lambda s: f"unbroadcast({s.g} * {share(s)}, {s.x}.shape)",
                lambda s: f"unbroadcast({s.g} * (1.0 - {share(s)}), {s.b}.shape)",
                ("unbroadcast", "tie_share"))


NUMPY = {
    "add": both(lambda s: f"{s.x} + {s.b}", lambda s: f"unbroadcast({s.g}, {s.x}.shape)",
                lambda s: f"unbroadcast({s.g}, {s.b}.shape)"),
    "sub": both(lambda s: f"{s.x} - {s.b}", lambda s: f"unbroadcast({s.g}, {s.x}.shape)",
                lambda s: f"unbroadcast(-{s.g}, {s.b}.shape)"),
    "mul": both(lambda s: f"{s.x} * {s.b}", lambda s: f"unbroadcast({s.g} * {s.b}, {s.x}.shape)",
                lambda s: f"unbroadcast({s.g} * {s.x}, {s.b}.shape)"),
    "div": both(lambda s: f"{s.x} / {s.b}", lambda s: f"unbroadcast({s.g} / {s.b}, {s.x}.shape)",
                lambda s: f"unbroadcast(-({s.g} / {s.b}) * {s.x} / {s.b}, {s.b}.shape)"),
    "maximum": _maximum(">"),
    "minimum": _maximum("<"),
    "neg": one(lambda s: f"-{s.x}", lambda s: f"-{s.g}"),
    "exp": one(lambda s: f"np.exp({s.x})", lambda s: f"{s.g} * {s.out}"),
    "log": one(lambda s: f"np.log({s.x})", lambda s: f"{s.g} / {s.x}"),
    "sqrt": one(lambda s: f"np.sqrt({s.x})", lambda s: f"{s.g} / (2.0 * {s.out})"),
    "abs": one(lambda s: f"np.abs({s.x})", lambda s: f"{s.g} * np.sign({s.x})"),
    "square": one(lambda s: f"{s.x} * {s.x}", lambda s: f"{s.g} * (2.0 * {s.x})"),
    "reciprocal": one(lambda s: f"1.0 / {s.x}", lambda s: f"{s.g} * -({s.out} * {s.out})"),
    "sin": one(lambda s: f"np.sin({s.x})", lambda s: f"{s.g} * np.cos({s.x})"),
    "cos": one(lambda s: f"np.cos({s.x})", lambda s: f"{s.g} * -np.sin({s.x})"),
    "pow": one(_pow_forward, _pow_backward),
    "tanh": one(lambda s: f"np.tanh({s.x})", lambda s: f"{s.g} * (1.0 - {s.out} * {s.out})"),
    "sigmoid": one(lambda s: f"sigmoid({s.x})", lambda s: f"{s.g} * ({s.out} * (1.0 - {s.out}))",
                   ("sigmoid",)),
    "relu": one(lambda s: f"np.maximum({s.x}, 0.0)", lambda s: f"np.where({s.x} > 0, {s.g}, 0.0)"),
    "leaky_relu": one(
        lambda s: f"np.where({s.x} > 0, {s.x}, {num(s.attrs['slope'])} * {s.x})",
        lambda s: f"np.where({s.x} > 0, {s.g}, {num(s.attrs['slope'])} * {s.g})"),
    "softmax": one(
        lambda s: f"softmax({s.x}, {s.attrs['axis']})",
        lambda s: f"{s.out} * ({s.g} - ({s.g} * {s.out}).sum(axis={s.attrs['axis']}, "
                  f"keepdims=True))", ("softmax",)),
    "matmul": Code(lambda s: f"{s.x} @ {s.b}", _matmul_backward),
    "transpose": one(lambda s: f"{s.x}.T", lambda s: f"{s.g}.T"),
    "reshape": one(lambda s: f"{s.x}.reshape({shape_literal(s.attrs['shape'])})",
                   lambda s: f"{s.g}.reshape({s.x}.shape)"),
    "concat": Code(lambda s: f"np.concatenate([{s.x}, {s.b}], axis={s.attrs['axis']})",
                   _concat_part),
    "sum": one(lambda s: f"np.sum({s.x}{axis_args(s.attrs)})", spread_call, ("spread",)),
    "mean": one(lambda s: f"np.sum({s.x}{axis_args(s.attrs)}) / {count(s)}",
                lambda s: f"{spread_call(s)} / {count(s)}", ("spread",)),
    "max": _extreme("max"),
    "min": _extreme("min"),
    "mse": both(lambda s: f"mse({s.x}, {s.b})",
                lambda s: f"({s.x} - {s.b}) * (2.0 * {s.g} / {s.x}.size)",
                lambda s: f"-(({s.x} - {s.b}) * (2.0 * {s.g} / {s.x}.size))", ("mse",)),
    "sigmoid_bce": both(lambda s: f"sigmoid_bce({s.x}, {s.b})",
                        lambda s: f"(sigmoid({s.x}) - {s.b}) * ({s.g} / {s.x}.size)",
                        lambda s: f"{s.x} * -({s.g} / {s.x}.size)", ("sigmoid_bce",)),
    "softmax_ce": both(
        lambda s: f"softmax_ce({s.x}, {s.b})",
        lambda s: f"(np.exp(log_softmax({s.x})) * {s.b}.sum(axis=-1, keepdims=True) - {s.b}) "
                  f"* ({s.g} / rows({s.x}))",
        lambda s: f"log_softmax({s.x}) * -({s.g} / rows({s.x}))", ("softmax_ce",)),
}


def helpers_for(op_names) -> list:
    """The helper functions the given ops need, each once, in ``HELPERS`` order."""
    wanted = set()
    for name in op_names:
        for helper in NUMPY[name].helpers:
            wanted.add(helper)
            wanted.update(HELPER_NEEDS.get(helper, ()))
    return [HELPERS[h].strip("\n") for h in HELPERS if h in wanted]
