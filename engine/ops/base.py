"""The op registry's building blocks: the `Op` record, the registry, attr checks, shape helpers.

Each family module (`leaves`, `arithmetic`, `activations`, `matrix`, `reductions`, `losses`)
defines each op once — forward, backward, shape rule, the player's text, the numpy and PyTorch
spellings, side by side — and registers one `Op` per name; `engine.ops` imports them all.
"""
from __future__ import annotations

import inspect
import math
import numbers
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from engine.ops.spelling import Fields, Numpy, Site, Text, fill, literal

CATEGORIES = [
    "Inputs & parameters",
    "Arithmetic",
    "Activations",
    "Matrix",
    "Reductions",
    "Losses",
]


BOTH = (True, True)   # the default `needs` of a two-input backward: every input's gradient


def _no_checks():
    return {}


@dataclass(frozen=True, eq=False)
class Op:
    """One registered operation: its metadata plus forward, backward and shape rules.

    forward(xs, attrs) -> ndarray
    backward(xs, out, g, attrs) -> list of ndarrays, one per input, each of that input's shape;
        never writes into xs, out or g. A backward may take a fifth argument,
        ``needs=BOTH``: one bool per input, False where nobody will read that input's gradient
        (a training pass asked for the parameters' gradients only). It may then put None in
        that place instead of computing it; ignoring `needs` is always correct. ``takes_needs``
        says whether it takes one (read from its signature).
    shape(in_shapes, attrs) -> tuple; raises ValueError with a clear reason.

    How the op is written elsewhere, beside its kernels (every op but the leaves has all three;
    tests/test_op_registry.py checks): ``text`` (a ``Text``: the formula and local derivatives
    the player prints), ``numpy`` (a ``Numpy``: the source ``export --to numpy`` writes) and
    ``torch`` (the PyTorch expression of its value for ``export --to pytorch``: a template, or
    ``torch(args, attrs, ndims) -> str``; autograd does the backward). ``torch_forms`` names
    the PyTorch functions, methods and ``nn`` modules that compute the same thing (for
    importing a PyTorch model).
    """

    name: str
    arity: int
    category: str
    symbol: str
    doc: str
    attrs: dict
    port_names: tuple
    forward: Callable
    backward: Callable
    shape: Callable
    elementwise: bool = False
    label: str = ""
    checks: dict = field(default_factory=_no_checks)  # attr name -> check(value) -> normalized
    # Floating-point facts the passes rely on. ``raises_forward`` / ``raises_backward``: the
    # function leaves numpy's floating-point errors on, so under ``np.errstate(all="raise")`` a
    # non-finite result from finite inputs raises there and needs no explicit check (every other
    # op's results are checked). tests/test_graph_overflow.py overflows each such op.
    raises_forward: bool = False
    raises_backward: bool = False
    # Why a non-finite result came from finite inputs, when the inputs show it:
    # nonfinite_cause(xs, attrs, out, bad) -> "log of a non-positive value" or None (then the
    # result overflowed); `bad` marks the output's non-finite elements. engine/nonfinite.py
    # words every case.
    nonfinite_cause: Callable | None = None
    text: Text | None = None
    numpy: Numpy | None = None
    torch: str | Callable | None = None
    torch_forms: tuple = ()      # "torch.tanh", "torch.Tensor.tanh", "torch.nn.Tanh", ...
    takes_needs: bool = field(init=False, default=False)  # backward(xs, out, g, attrs, needs)

    def __post_init__(self):
        object.__setattr__(self, "takes_needs",
                           "needs" in inspect.signature(self.backward).parameters)
        if not self.label:
            object.__setattr__(self, "label", self.name)
        if len(self.port_names) != self.arity:
            raise ValueError(f"{self.name}: {self.arity} inputs but ports {self.port_names}")
        if self.category not in CATEGORIES:
            raise ValueError(f"{self.name}: unknown category {self.category!r}")
        missing = set(self.attrs) - set(self.checks)
        if missing:
            raise ValueError(f"{self.name}: attrs without a check: {sorted(missing)}")

    @property
    def is_leaf(self) -> bool:
        return self.arity == 0

    # ------------------------------------------------------------ spellings
    def numpy_forward(self, site: Site) -> str:
        """The node's value as a numpy expression over the names in ``site``."""
        code = self.numpy.forward
        return code(site) if callable(code) else fill(code, site.fields(self.port_names))

    def numpy_backward(self, site: Site, port: int) -> str:
        """What flows back into ``port`` as a numpy expression (the node's gradient times the
        local derivative, summed back to the input's shape)."""
        code = self.numpy.backward
        return code(site, port) if callable(code) else \
            fill(code[port], site.fields(self.port_names))

    def torch_code(self, args, attrs: dict, ndims: tuple) -> str:
        """The node's value as a PyTorch expression of the expressions ``args`` of its inputs."""
        if callable(self.torch):
            return self.torch(args, attrs, ndims)
        fields = Fields({name: arg for name, arg in zip(self.port_names, args)})
        fields.update({key: literal(value) for key, value in attrs.items()})
        return fill(self.torch, fields)

    def local_at_output(self, x, attrs: dict):
        """What the mistake ``text.at_output`` gives at input ``x``: the local derivative of a
        one-input elementwise op evaluated at its output y = f(x) instead of at x (for tanh,
        1 − tanh²(y)), elementwise. Floating-point errors are the caller's to set."""
        if self.arity != 1 or not self.elementwise:
            raise ValueError(f"{self.name}: only a one-input elementwise op has a local "
                             "derivative to evaluate at its output")
        y = self.forward([np.asarray(x, dtype=np.float64)], attrs)
        return self.backward([y], self.forward([y], attrs), np.ones(y.shape), attrs)[0]

    def __repr__(self):
        return f"Op({self.name!r}, arity={self.arity})"


OPS: dict[str, Op] = {}


def register(op: Op) -> Op:
    """Add `op` to the registry; a name registered twice is an error."""
    if op.name in OPS:
        raise ValueError(f"op {op.name!r} is already registered")
    OPS[op.name] = op
    return op


def normalize_attrs(op_name: str, attrs: dict | None) -> dict:
    """`attrs` merged over the op's defaults, each value checked and normalized (JSON-friendly)."""
    op = OPS.get(op_name)
    if op is None:
        raise ValueError(f"unknown op {op_name!r}")
    attrs = {} if attrs is None else attrs
    if not isinstance(attrs, dict):
        raise ValueError(f"attrs of {op_name} must be an object, got {type(attrs).__name__}")
    for key in attrs:
        if key not in op.attrs:
            known = ", ".join(op.attrs) or "none"
            raise ValueError(f"unknown attr {key!r} for {op_name} (known: {known})")
    out = dict(op.attrs)
    for key, value in attrs.items():
        out[key] = op.checks[key](value)
    return out


# ---------------------------------------------------------------- attr checks
def _is_int(v) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, numbers.Integral):
        return True
    return isinstance(v, numbers.Real) and math.isfinite(v) and float(v).is_integer()


def check_int(name: str):
    def check(v):
        if not _is_int(v):
            raise ValueError(f"attr {name!r} must be an int")
        return int(v)
    return check


def check_number(name: str):
    def check(v):
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise ValueError(f"attr {name!r} must be a number")
        try:
            value = float(v)
        except OverflowError:  # an int beyond float64, e.g. 10**400
            value = math.inf
        if not math.isfinite(value):
            raise ValueError(f"attr {name!r} must be a finite number")
        return value
    return check


def check_bool(name: str):
    def check(v):
        if not isinstance(v, (bool, np.bool_)):
            raise ValueError(f"attr {name!r} must be true or false")
        return bool(v)
    return check


def check_choice(name: str, choices):
    """A check for an attr with a fixed set of values; ``check.choices`` lists them (editors
    offer them in a drop-down)."""
    def check(v):
        if v not in choices:
            raise ValueError(f"attr {name!r} must be one of {', '.join(choices)}, got {v!r}")
        return v
    check.choices = tuple(choices)
    return check


def check_axis(v):
    """null, an int or a list of ints (integral floats accepted)."""
    if v is None:
        return None
    if _is_int(v):
        return int(v)
    if isinstance(v, (list, tuple)) and all(_is_int(a) for a in v):
        return [int(a) for a in v]
    raise ValueError("attr 'axis' must be null, an int or a list of ints")


def check_shape(v):
    """null or a list of non-negative ints."""
    if v is None:
        return None
    if isinstance(v, (list, tuple)) and all(_is_int(n) and n >= 0 for n in v):
        return [int(n) for n in v]
    raise ValueError("attr 'shape' must be null or a list of non-negative ints")


def check_new_shape(v):
    """A reshape target: a list of non-negative ints, with at most one -1 (inferred)."""
    if not isinstance(v, (list, tuple)) or not all(_is_int(n) and n >= -1 for n in v):
        raise ValueError("attr 'shape' must be a list of non-negative ints (one may be -1)")
    shape = [int(n) for n in v]
    if shape.count(-1) > 1:
        raise ValueError("attr 'shape' may hold one -1 at most (the size to infer), got "
                         f"{shape}")
    return shape


# ---------------------------------------------------------------- shared shape helpers
def fmt(shape) -> str:
    """A shape as Python prints it: (3,), (4, 2), ()."""
    return str(tuple(shape))


def broadcast_shape(name: str, a: tuple, b: tuple) -> tuple:
    try:
        return tuple(np.broadcast_shapes(tuple(a), tuple(b)))
    except ValueError:
        raise ValueError(f"{name}: shapes {fmt(a)} and {fmt(b)} do not broadcast") from None


def same_shape(name: str, ports: tuple, a: tuple, b: tuple) -> None:
    if tuple(a) != tuple(b):
        raise ValueError(f"{name}: {ports[0]} and {ports[1]} shapes differ: {fmt(a)} vs {fmt(b)}")


def normalize_axes(name: str, axis, ndim: int, shape) -> tuple:
    """`axis` (None, int or list) as a sorted tuple of non-negative axes; ValueError if invalid."""
    if axis is None:
        return tuple(range(ndim))
    axes = [axis] if isinstance(axis, int) else list(axis)
    out = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"{name}: axis {a} is out of range for shape {fmt(shape)}")
        out.append(a % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"{name}: repeated axis in {axis}")
    return tuple(sorted(out))


def as_axis(axis):
    """An attr axis as numpy wants it (lists become tuples)."""
    return tuple(axis) if isinstance(axis, list) else axis


# ---------------------------------------------------------------- elementwise ops
def same_as_input(in_shapes, attrs):
    return tuple(in_shapes[0])


def broadcasting(name):
    def shape(in_shapes, attrs):
        return broadcast_shape(name, in_shapes[0], in_shapes[1])
    return shape


def _facts(more: dict) -> dict:
    """``raises=True`` stands for ``raises_forward=raises_backward=True``."""
    if more.pop("raises", False):
        more.update(raises_forward=True, raises_backward=True)
    return more


def unary_op(name: str, category: str, label: str, symbol: str, doc: str, forward, backward,
             **more) -> Op:
    """Register a one-input elementwise op (port ``x``; the value has x's shape)."""
    attrs = more.pop("attrs", {})
    return register(Op(name, 1, category, symbol, doc, attrs, ("x",), forward, backward,
                       same_as_input, elementwise=True, label=label, **_facts(more)))


def binary_op(name: str, label: str, symbol: str, doc: str, forward, backward, **more) -> Op:
    """Register a two-input elementwise op with numpy broadcasting (ports ``a``, ``b``)."""
    return register(Op(name, 2, "Arithmetic", symbol, doc, {}, ("a", "b"), forward, backward,
                       broadcasting(name), elementwise=True, label=label, **_facts(more)))
