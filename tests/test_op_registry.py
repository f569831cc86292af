"""Every op is defined once and completely: forward, backward, the player's text, the numpy and
PyTorch spellings (engine/ops/). An op that lacks a piece fails here, by name; kernels an
exported script holds word for word read nothing but numpy, builtins and other kernels; the
mistake "local derivative at the output" is stated exactly where it differs."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from engine.ops import KERNELS, OPS, Op, normalize_attrs
from engine.ops.kernels import ALLOWED_GLOBALS, global_names, kernel_source
from engine.ops.spelling import Fields, Site, fill

sys.path.insert(0, str(Path(__file__).parent))
from test_ops import CASES, LEAVES  # noqa: E402

OP_NAMES = [name for name in OPS if name not in LEAVES]


def first_case(name):
    """(attrs, shapes) of the op's first case in test_ops.CASES."""
    return next((p.values[1], p.values[2]) for p in CASES if p.values[0] == name)


def unfilled(text: str) -> bool:
    return "{" in text or "}" in text


def missing_pieces(op: Op, attrs: dict, shapes) -> list:
    """What ``op`` lacks (or cannot write) for these attrs and input shapes."""
    missing = [piece for piece in ("forward", "backward", "shape") if not callable(getattr(op, piece))]
    text = op.text
    if text is None or not text.formula:
        missing.append("text.formula")
    elif len(text.local) != op.arity:
        missing.append("text.local for every port")
    elif not op.elementwise and len(text.vjp) != op.arity:
        missing.append("text.vjp for every port (not elementwise)")
    else:
        f = Fields({name: f"in{i}" for i, name in enumerate(op.port_names)})
        f.update(out="out", g="g", **{k: repr(v) for k, v in attrs.items()})
        if text.fields is not None:
            f.update(text.fields(attrs, f, repr))
        for template in (text.formula, *text.local, *text.vjp, text.at_output):
            if unfilled(fill(template, f)):
                missing.append(f"a placeholder of {template!r}")
    if op.numpy is None:
        missing.append("numpy")
    else:
        site = Site(tuple(f"v{i}" for i in range(op.arity)), "out", "g_out", attrs,
                    tuple(len(s) for s in shapes))
        codes = [op.numpy_forward(site)] + [op.numpy_backward(site, p) for p in range(op.arity)]
        if not all(codes) or any(unfilled(c) for c in codes):
            missing.append("numpy code for the value and every port")
        if not all(fn.__name__ in KERNELS for fn in op.numpy.kernels_for(attrs)):
            missing.append("numpy kernels registered with @kernel")
    if op.torch is None:
        missing.append("torch")
    else:
        code = op.torch_code([f"t{i}" for i in range(op.arity)], attrs,
                             tuple(len(s) for s in shapes))
        if not code or unfilled(code):
            missing.append("torch code")
    if not isinstance(op.torch_forms, tuple) or not all(isinstance(f, str) for f in op.torch_forms):
        missing.append("torch_forms as a tuple of names")
    return missing


@pytest.mark.parametrize("name", OP_NAMES)
def test_every_op_has_every_piece(name):
    attrs, shapes = first_case(name)
    assert missing_pieces(OPS[name], normalize_attrs(name, attrs), shapes) == []


@pytest.mark.parametrize("name, attrs, shapes, domains", CASES)
def test_every_case_can_be_written(name, attrs, shapes, domains):
    """Every attr combination of the cases writes text, numpy and PyTorch code."""
    assert missing_pieces(OPS[name], normalize_attrs(name, attrs), shapes) == []


def test_an_op_without_its_spellings_is_caught():
    bare = Op("bare", 1, "Arithmetic", "b", "doc", {}, ("x",), lambda xs, a: xs[0],
              lambda xs, out, g, a: [g], lambda s, a: s[0], elementwise=True)
    assert missing_pieces(bare, {}, [(2,)]) == ["text.formula", "numpy", "torch"]


def test_the_leaves_are_the_only_ops_without_spellings():
    assert {name for name, op in OPS.items() if op.text is None} == set(LEAVES)


# ---------------------------------------------------------------- kernels
@pytest.mark.parametrize("name", list(KERNELS))
def test_a_kernel_reads_only_numpy_builtins_and_kernels(name):
    fn = KERNELS[name]
    assert global_names(fn) <= ALLOWED_GLOBALS | set(KERNELS), name
    namespace = {"np": np, **KERNELS}
    exec(compile(kernel_source(fn), f"<{name}>", "exec"), namespace)   # the script's copy
    copy = namespace[name]
    assert not kernel_source(fn).lstrip().startswith("@")
    assert copy.__code__.co_varnames == fn.__code__.co_varnames
    assert global_names(copy) == global_names(fn)


def test_the_checker_sees_a_kernel_reading_a_module_global():
    def leaky(g):
        return ALLOWED_GLOBALS, np.abs(g)
    assert "ALLOWED_GLOBALS" in global_names(leaky) - {"np"}


# ---------------------------------------------------------------- the mistake at the output
TYPICAL = (0.7, -0.7, 1.3, 2.5)   # typical inputs: either sign, below and above 1


def differs_at_output(op) -> bool:
    """Whether the local derivative at the output differs from the right one somewhere
    typical (where both are finite)."""
    attrs = normalize_attrs(op.name, {})
    with np.errstate(all="ignore"):
        for x in TYPICAL:
            x = np.array(x)
            out = op.forward([x], attrs)
            right = op.backward([x], out, np.ones(()), attrs)[0]
            wrong = op.local_at_output(x, attrs)
            if np.isfinite(right) and np.isfinite(wrong) and not np.isclose(wrong, right):
                return True
    return False


UNARY_ELEMENTWISE = [n for n in OP_NAMES if OPS[n].arity == 1 and OPS[n].elementwise]


@pytest.mark.parametrize("name", UNARY_ELEMENTWISE)
def test_the_mistake_at_the_output_is_stated_exactly_where_it_differs(name):
    op = OPS[name]
    assert bool(op.text.at_output) == differs_at_output(op), name


def test_the_mistake_is_stated_for_the_usual_suspects():
    stated = {n for n in UNARY_ELEMENTWISE if OPS[n].text.at_output}
    assert {"tanh", "sigmoid", "exp", "log", "sqrt", "sin", "cos", "square", "reciprocal",
            "pow", "abs"} <= stated
    assert not stated & {"neg", "relu", "leaky_relu"}   # the same number either way


def test_tanh_and_sigmoid_mistakes_are_the_derivative_at_the_output():
    z = np.array([0.3, -1.2, 2.0])
    y = np.tanh(z)
    np.testing.assert_allclose(OPS["tanh"].local_at_output(z, {}), 1 - np.tanh(y) ** 2,
                               rtol=1e-15)
    s = 1 / (1 + np.exp(-z))
    sy = 1 / (1 + np.exp(-s))
    np.testing.assert_allclose(OPS["sigmoid"].local_at_output(z, {}), sy * (1 - sy), rtol=1e-14)
    right = 1 - y ** 2
    assert not np.allclose(OPS["tanh"].local_at_output(z, {}), right)
    p = {"exponent": 3.0}
    np.testing.assert_allclose(OPS["pow"].local_at_output(z, p), 3 * (z ** 3) ** 2, rtol=1e-14)
    with pytest.raises(ValueError, match="one-input elementwise"):
        OPS["softmax"].local_at_output(z, {"axis": -1})
