"""Every op's gradient against float64 central finite differences, plus the registry's rules.

One helper (`check_gradients`) does the work, tinygrad test_ops style; CASES lists every op with
many shapes (0-d, vectors, matrices, broadcasting, every axis form). `test_ops_torch.py` reuses
CASES and `make_inputs` to cross-check the same cases against PyTorch.
"""
from __future__ import annotations

import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.ops import CATEGORIES, OPS, Op, normalize_attrs, register, unbroadcast

EPS, RTOL, ATOL = 1e-6, 1e-6, 1e-8
LEAVES = ("input", "constant", "parameter")


# ---------------------------------------------------------------- the cases
def case(name, shapes, attrs=None, domains=None, tag=""):
    """One parametrised case; `domains` says how to draw each input (see `draw`)."""
    attrs = attrs or {}
    label = f"{name}{attrs or ''}{list(shapes)}{tag}".replace(" ", "")
    return pytest.param(name, attrs, [tuple(s) for s in shapes], domains, id=label)


BROADCAST_PAIRS = [((), ()), ((3,), (3,)), ((2, 3), (2, 3)), ((3, 1), (1, 4)), ((1, 4), (3, 1)),
                   ((2, 3), (3,)), ((3,), (2, 3)), ((), (2, 3)), ((2, 3), ()),
                   ((2, 1, 3), (4, 1))]
UNARY_SHAPES = [(), (5,), (2, 3), (2, 3, 2)]
UNARY = ["neg", "exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "leaky_relu", "sin", "cos",
         "square", "reciprocal"]
POSITIVE = {"log": ("pos",), "sqrt": ("pos",), "reciprocal": ("nonzero",)}
EXPONENTS = [2, 3, -1, -2, 0.5, 1.5, -0.5, 0, 1]
AXES = [None, 0, -1, 1, [0, 1], [0, 2], [-1, 0], []]


def pow_domain(p):
    if not float(p).is_integer():
        return ("pos",)
    return ("nonzero",) if p < 0 else ("any",)


CASES = (
    [case(op, pair, domains=("any", "nonzero") if op == "div" else None)
     for op in ("add", "sub", "mul", "div", "maximum", "minimum") for pair in BROADCAST_PAIRS]
    + [case(op, [s], domains=POSITIVE.get(op)) for op in UNARY for s in UNARY_SHAPES]
    + [case("leaky_relu", [(2, 3)], {"slope": 0.2})]
    + [case("pow", [s], {"exponent": p}, pow_domain(p)) for p in EXPONENTS for s in [(), (2, 3)]]
    + [case("matmul", pair) for pair in [((3, 4), (4, 2)), ((4,), (4, 2)), ((3, 4), (4,)),
                                         ((4,), (4,)), ((1, 1), (1, 1))]]
    + [case("transpose", [s]) for s in [(), (3,), (2, 3), (2, 3, 4)]]
    + [case(op, [(2, 3, 4)], {"axis": axis, "keepdims": keep})
       for op in ("sum", "mean", "max", "min") for axis in AXES for keep in (False, True)]
    + [case(op, [s], {"axis": axis}) for op in ("sum", "mean", "max", "min")
       for s, axis in [((), None), ((5,), None), ((5,), 0), ((2, 3), 1), ((2, 3), -2)]]
    + [case(op, [s], {"axis": axis, "keepdims": keep, "ties": "first"}) for op in ("max", "min")
       for s, axis in [((2, 3, 4), None), ((2, 3, 4), 0), ((2, 3, 4), -1), ((2, 3, 4), [0, 2]),
                       ((2, 3, 4), []), ((), None), ((5,), 0)] for keep in (False, True)]
    + [case("reshape", [s], {"shape": new}) for s, new in [
        ((2, 3), [3, 2]), ((2, 3), [-1]), ((), [1, 1]), ((2, 3, 4), [4, -1]), ((6,), [2, -1, 1]),
        ((1, 1), [])]]
    + [case("concat", pair, {"axis": axis}) for pair, axis in [
        (((2, 3), (2, 4)), 1), (((2, 3), (1, 3)), 0), (((3,), (2,)), 0), (((3,), (2,)), -1),
        (((2, 3, 2), (2, 1, 2)), -2), (((2, 3), (2, 3)), -1)]]
    + [case("softmax", [s], {"axis": axis})
       for s, axis in [((4,), -1), ((2, 3), -1), ((2, 3), 0), ((2, 3, 4), 1), ((1, 1), 0)]]
    + [case("mse", [s, s]) for s in [(), (4,), (3, 2)]]
    + [case("sigmoid_bce", [s, s], domains=("any", "prob")) for s in [(), (4,), (3, 2)]]
    + [case("softmax_ce", [s, s], domains=("any", tgt), tag=f"-{tgt}")
       for s in [(5,), (3, 4), (2, 3, 4)] for tgt in ("onehot", "soft", "pos")]
)


# ---------------------------------------------------------------- drawing inputs
def draw(rng, shape, domain):
    """Random float64 inputs away from kinks (|x| ≥ 0.2) and invalid domains."""
    if domain == "pos":
        return rng.uniform(0.5, 2.0, shape)
    if domain == "nonzero":
        return rng.choice([-1.0, 1.0], shape) * rng.uniform(0.5, 2.0, shape)
    if domain == "prob":
        return rng.uniform(0.0, 1.0, shape)
    if domain == "onehot":
        k = shape[-1]
        return np.eye(k)[rng.integers(0, k, shape[:-1])].reshape(shape)
    if domain == "soft":
        w = rng.uniform(0.1, 1.0, shape)
        return w / w.sum(axis=-1, keepdims=True)
    return rng.choice([-1.0, 1.0], shape) * rng.uniform(0.2, 2.0, shape)  # "any"


def case_rng(name, attrs, shapes):
    return np.random.default_rng(zlib.crc32(repr((name, attrs, shapes)).encode()))


def make_inputs(name, attrs, shapes, domains=None, rng=None):
    rng = rng or case_rng(name, attrs, shapes)
    domains = domains or ("any",) * len(shapes)
    return [np.asarray(draw(rng, s, d), dtype=np.float64) for s, d in zip(shapes, domains)]


def numeric_gradient(f, xs, k):
    """Central finite differences of the scalar f(xs) with respect to xs[k]."""
    grad = np.zeros_like(xs[k])
    for i in np.ndindex(xs[k].shape):
        plus, minus = xs[k].copy(), xs[k].copy()
        plus[i] += EPS
        minus[i] -= EPS
        fp = f(xs[:k] + [plus] + xs[k + 1:])
        fm = f(xs[:k] + [minus] + xs[k + 1:])
        grad[i] = (fp - fm) / (2 * EPS)
    return grad


def check_gradients(name, attrs, shapes, domains=None):
    """backward(g = R) must match the finite-difference gradient of sum(forward(xs) * R)."""
    op, attrs = OPS[name], normalize_attrs(name, attrs)
    xs = make_inputs(name, attrs, shapes, domains)
    out = op.forward(xs, attrs)
    r = case_rng(name, "R", shapes).standard_normal(out.shape)
    grads = op.backward(xs, out, r, attrs)
    assert len(grads) == op.arity
    for k, x in enumerate(xs):
        assert grads[k].shape == x.shape, f"port {k}: {grads[k].shape} != {x.shape}"
        numeric = numeric_gradient(lambda ys: float(np.sum(op.forward(ys, attrs) * r)), xs, k)
        np.testing.assert_allclose(grads[k], numeric, rtol=RTOL, atol=ATOL,
                                   err_msg=f"{name} port {k} ({op.port_names[k]})")


# ---------------------------------------------------------------- gradients
@pytest.mark.parametrize("name, attrs, shapes, domains", CASES)
def test_gradient_matches_finite_differences(name, attrs, shapes, domains):
    check_gradients(name, attrs, shapes, domains)


def test_every_registered_op_has_a_gradient_check():
    checked = {p.values[0] for p in CASES}
    missing = set(OPS) - set(LEAVES) - checked
    assert not missing, f"ops without a gradient check: {sorted(missing)}"


@st.composite
def broadcast_pair(draw_):
    ndim = draw_(st.integers(0, 3))
    full = draw_(st.lists(st.integers(1, 3), min_size=ndim, max_size=ndim))
    shapes = []
    for _ in range(2):
        keep = draw_(st.integers(0, ndim))  # keep the last `keep` axes, some squeezed to 1
        shapes.append(tuple(n if draw_(st.booleans()) else 1 for n in full[ndim - keep:]))
    return shapes


@settings(max_examples=40, deadline=None)
@given(op=st.sampled_from(["add", "sub", "mul", "div"]), shapes=broadcast_pair())
def test_random_broadcast_shapes(op, shapes):
    check_gradients(op, {}, shapes, ("any", "nonzero"))


@settings(max_examples=40, deadline=None)
@given(op=st.sampled_from(["sum", "mean"]),
       shape=st.lists(st.integers(1, 3), min_size=1, max_size=4).map(tuple),
       data=st.data(), keepdims=st.booleans())
def test_random_reduction_axes(op, shape, data, keepdims):
    axes = data.draw(st.lists(st.integers(-len(shape), len(shape) - 1), unique_by=lambda a: a
                              % len(shape), max_size=len(shape)))
    axis = data.draw(st.sampled_from([None, axes] + ([axes[0]] if axes else [])))
    check_gradients(op, {"axis": axis, "keepdims": keepdims}, [shape])


# ---------------------------------------------------------------- kinks and stability
@pytest.mark.parametrize("name, attrs, expected", [
    ("relu", {}, 0.0), ("abs", {}, 0.0), ("leaky_relu", {}, 0.01),
    ("leaky_relu", {"slope": 0.3}, 0.3), ("sqrt", {}, np.inf),
    ("pow", {"exponent": 2}, 0.0), ("pow", {"exponent": 0}, 0.0), ("pow", {"exponent": 3}, 0.0),
])
def test_derivative_at_zero_follows_pytorch(name, attrs, expected):
    op, attrs = OPS[name], normalize_attrs(name, attrs)
    x = np.zeros(3)
    out = op.forward([x], attrs)
    (grad,) = op.backward([x], out, np.ones(3), attrs)
    np.testing.assert_array_equal(grad, np.full(3, expected))


def test_extreme_inputs_stay_finite_and_exact():
    big = np.array([-800.0, -40.0, 0.0, 40.0, 800.0])
    sig = OPS["sigmoid"].forward([big], {})
    assert sig[0] == 0.0 and sig[-1] == 1.0 and sig[2] == 0.5
    assert sig[1] == pytest.approx(np.exp(-40.0), rel=1e-15)
    soft = OPS["softmax"].forward([np.array([1000.0, 0.0, -1000.0])], {"axis": -1})
    np.testing.assert_array_equal(soft, [1.0, 0.0, 0.0])
    y = np.array([0.0, 1.0, 0.5, 1.0, 0.0])
    bce = OPS["sigmoid_bce"].forward([big, y], {})
    assert bce == pytest.approx((0 + 40 + np.log(2) + 0 + 800) / 5, rel=1e-14)
    ce = OPS["softmax_ce"].forward([np.array([1000.0, 0.0]), np.array([0.0, 1.0])], {})
    assert ce == pytest.approx(1000.0, rel=1e-15)
    for name, xs in [("sigmoid_bce", [big, y]), ("softmax_ce", [big, np.eye(5)[1]])]:
        out = OPS[name].forward(xs, {})
        assert all(np.isfinite(g).all() for g in OPS[name].backward(xs, out, np.ones(()), {}))


def test_fractional_pow_needs_positive_x():
    for x in (np.array([1.0, -2.0]), np.array(0.0)):
        for p in (0.5, 1.5, -0.5):
            with pytest.raises(ValueError, match="pow: a fractional exponent needs x > 0"):
                OPS["pow"].forward([x], {"exponent": p})
    inv = OPS["pow"].forward([np.array([-2.0, 4.0])], {"exponent": -1.0})
    np.testing.assert_array_equal(inv, [-0.5, 0.25])


def test_elementwise_flag_means_a_diagonal_jacobian():
    for op in OPS.values():
        if op.is_leaf:
            continue
        shapes = [(2, 3)] * op.arity
        attrs = normalize_attrs(op.name, {})
        if op.name == "matmul":
            shapes = [(2, 3), (3, 3)]
        xs = make_inputs(op.name, attrs, shapes, ("pos",) * op.arity)
        out = op.forward(xs, attrs)
        if out.shape != (2, 3):
            assert not op.elementwise, op.name
            continue
        g = np.zeros((2, 3))
        g[1, 2] = 1.0
        grads = op.backward(xs, out, g, attrs)
        others = [np.delete(gr.ravel(), 5) for gr in grads]   # every entry but [1, 2]
        # maximum / minimum send the element's gradient to one input only: the other gets 0
        diagonal = not any(o.any() for o in others) and any(gr[1, 2] != 0 for gr in grads)
        assert op.elementwise == diagonal, op.name


# ---------------------------------------------------------------- shapes
@pytest.mark.parametrize("name, attrs, shapes, domains", CASES)
def test_shape_rule_agrees_with_forward(name, attrs, shapes, domains):
    op, attrs = OPS[name], normalize_attrs(name, attrs)
    out = op.forward(make_inputs(name, attrs, shapes, domains), attrs)
    assert isinstance(out, np.ndarray) and out.dtype == np.float64
    assert op.shape(shapes, attrs) == out.shape


@pytest.mark.parametrize("name, attrs, shapes, message", [
    ("add", {}, [(3, 2), (4,)], "add: shapes (3, 2) and (4,) do not broadcast"),
    ("div", {}, [(2,), (3, 3)], "div: shapes (2,) and (3, 3) do not broadcast"),
    ("matmul", {}, [(4, 2), (3, 1)], "matmul: inner dimensions differ: (4, 2) @ (3, 1)"),
    ("matmul", {}, [(3,), (2,)], "matmul: inner dimensions differ: (3,) @ (2,)"),
    ("matmul", {}, [(2, 3, 4), (4, 2)], "matmul: operands must be 1-D or 2-D, got (2, 3, 4) @ (4, 2)"),
    ("matmul", {}, [(), (3,)], "matmul: operands must be 1-D or 2-D, got () @ (3,)"),
    ("mse", {}, [(4, 1), (4,)], "mse: prediction and target shapes differ: (4, 1) vs (4,)"),
    ("sigmoid_bce", {}, [(2,), (3,)], "sigmoid_bce: logits and target shapes differ: (2,) vs (3,)"),
    ("softmax_ce", {}, [(), ()], "softmax_ce: logits need at least 1 axis, got shape ()"),
    ("mse", {}, [(0, 3), (0, 3)], "mse: the inputs are empty: (0, 3)"),
    ("sum", {"axis": 2}, [(2, 3)], "sum: axis 2 is out of range for shape (2, 3)"),
    ("mean", {"axis": [0, -2]}, [(2, 3)], "mean: repeated axis in [0, -2]"),
    ("sum", {"axis": 0}, [()], "sum: axis 0 is out of range for shape ()"),
    ("softmax", {"axis": -3}, [(2, 3)], "softmax: axis -3 is out of range for shape (2, 3)"),
    ("max", {"axis": 2}, [(2, 3)], "max: axis 2 is out of range for shape (2, 3)"),
    ("min", {"axis": 1}, [(2, 0)], "min: no elements to take the min of in shape (2, 0)"),
    ("max", {}, [(0,)], "max: no elements to take the max of in shape (0,)"),
    ("reshape", {"shape": [4, -1]}, [(2, 3)],
     "reshape: cannot reshape (2, 3) (6 elements) into (4, -1)"),
    ("reshape", {"shape": [4, 2]}, [(2, 3)],
     "reshape: cannot reshape (2, 3) (6 elements) into (4, 2) (8 elements)"),
    ("reshape", {"shape": [0, -1]}, [(0, 3)],
     "reshape: cannot reshape (0, 3) (0 elements) into (0, -1)"),
    ("concat", {"axis": 2}, [(2, 3), (2, 3)], "concat: axis 2 is out of range for shape (2, 3)"),
    ("concat", {"axis": -3}, [(2, 3), (2, 3)], "concat: axis -3 is out of range for shape (2, 3)"),
    ("concat", {}, [(2, 3), (2, 4)], "concat: shapes (2, 3) and (2, 4) differ off axis 0"),
    ("concat", {}, [(2, 3), (3,)], "concat: a and b need the same number of axes: (2, 3) vs (3,)"),
    ("concat", {}, [(), ()], "concat: a 0-d input has no axis to join along: () and ()"),
    ("maximum", {}, [(3, 2), (4,)], "maximum: shapes (3, 2) and (4,) do not broadcast"),
    ("parameter", {}, [], "parameter: no value and no 'shape' attr"),
    ("input", {}, [], "input: the shape comes from its value"),
])
def test_shape_errors_are_clear(name, attrs, shapes, message):
    with pytest.raises(ValueError) as err:
        OPS[name].shape(shapes, normalize_attrs(name, attrs))
    assert message in str(err.value)


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min"])
def test_a_reductions_backward_names_itself_in_an_axis_error(name):
    """Called directly with an axis the input lacks, each backward says which op it is (a
    mean's said "sum", a min's "max")."""
    attrs = normalize_attrs(name, {"axis": 2})
    with pytest.raises(ValueError, match=f"^{name}: axis 2 is out of range for shape \\(2, 3\\)"):
        OPS[name].backward([np.ones((2, 3))], np.ones((2, 1)), np.ones((2, 1)), attrs)


@pytest.mark.parametrize("name, attrs, shapes", [
    ("add", {}, [(3, 2), (4,)]), ("matmul", {}, [(4, 2), (3, 1)]),
    ("matmul", {}, [(2, 3, 4), (4, 2)]), ("matmul", {}, [(4,), (2, 4, 3)]),
    ("mse", {}, [(4, 1), (4,)]), ("sigmoid_bce", {}, [(4, 1), (1, 4)]),
    ("softmax_ce", {}, [(3,), (2, 3)]), ("softmax_ce", {}, [(), ()]), ("mse", {}, [(0,), (0,)]),
    ("sum", {"axis": 2}, [(2, 3)]), ("mean", {"axis": [0, -2]}, [(2, 3)]),
    ("softmax", {"axis": -3}, [(2, 3)]), ("max", {"axis": 2}, [(2, 3)]), ("min", {}, [(0,)]),
    ("reshape", {"shape": [4, -1]}, [(2, 3)]), ("reshape", {"shape": [4, 2]}, [(2, 3)]),
    ("concat", {"axis": 2}, [(2, 3), (2, 3)]), ("concat", {}, [(2, 3), (2, 4)]),
    ("concat", {}, [(2, 3), (3,)]), ("minimum", {}, [(3, 2), (4,)]),
])
def test_forward_refuses_what_the_shape_rule_refuses(name, attrs, shapes):
    attrs = normalize_attrs(name, attrs)
    with pytest.raises(ValueError) as err:
        OPS[name].shape(shapes, attrs)
    message = str(err.value)
    with pytest.raises(ValueError) as err:
        OPS[name].forward([np.ones(s) for s in shapes], attrs)
    if name in ("matmul", "mse", "sigmoid_bce", "softmax_ce", "max", "min", "reshape", "concat"):
        assert str(err.value) == message


def test_leaves():
    for name in LEAVES:
        op = OPS[name]
        assert op.arity == 0 and op.port_names == () and op.is_leaf
        assert op.backward([], np.ones(2), np.ones(2), {}) == []
        with pytest.raises(ValueError, match="leaf"):
            op.forward([], {})
    assert OPS["parameter"].attrs == {"init": "xavier", "shape": None, "seed": 0}
    assert OPS["parameter"].shape([], normalize_attrs("parameter", {"shape": [2, 3]})) == (2, 3)


def test_unbroadcast_fast_path_and_sums():
    g = np.arange(24.0).reshape(2, 3, 4)
    assert unbroadcast(g, (2, 3, 4)) is g
    np.testing.assert_array_equal(unbroadcast(g, (4,)), g.sum(axis=(0, 1)))
    np.testing.assert_array_equal(unbroadcast(g, (3, 1)), g.sum(axis=(0, 2))[:, None])
    np.testing.assert_array_equal(unbroadcast(g, ()), g.sum())


# ---------------------------------------------------------------- no mutation
@pytest.mark.parametrize("name, attrs, shapes, domains", CASES)
def test_backward_never_writes_into_its_arguments(name, attrs, shapes, domains):
    op, attrs = OPS[name], normalize_attrs(name, attrs)
    xs = make_inputs(name, attrs, shapes, domains)
    out = op.forward(xs, attrs)
    g = np.full(out.shape, 0.75)
    saved = [a.copy() for a in [*xs, out, g]]
    for a in [*xs, out, g]:
        a.setflags(write=False)
    grads = op.backward(xs, out, g, attrs)
    for before, after in zip(saved, [*xs, out, g]):
        np.testing.assert_array_equal(before, after)
    for gr, x in zip(grads, xs):
        assert isinstance(gr, np.ndarray) and gr.dtype == np.float64 and gr.shape == x.shape


# ---------------------------------------------------------------- attrs and registry
def test_normalize_attrs_merges_defaults_and_accepts_json_values():
    assert normalize_attrs("sum", None) == {"axis": None, "keepdims": False}
    assert normalize_attrs("mean", {"axis": 1.0}) == {"axis": 1, "keepdims": False}
    assert normalize_attrs("sum", {"axis": (0.0, -1)})["axis"] == [0, -1]
    assert normalize_attrs("pow", {"exponent": 3}) == {"exponent": 3.0}
    assert normalize_attrs("parameter", {"shape": [2, 3.0], "seed": 7.0, "init": "he"}) == {
        "init": "he", "shape": [2, 3], "seed": 7}
    attrs = normalize_attrs("leaky_relu", {})
    attrs["slope"] = 5
    assert OPS["leaky_relu"].attrs == {"slope": 0.01}
    assert normalize_attrs("add", {}) == {}


@pytest.mark.parametrize("op, attrs, message", [
    ("foo", {}, "unknown op 'foo'"),
    ("leaky_relu", {"slop": 0.1}, "unknown attr 'slop' for leaky_relu"),
    ("add", {"axis": 0}, "unknown attr 'axis' for add"),
    ("sum", {"axis": "rows"}, "attr 'axis' must be null, an int or a list of ints"),
    ("sum", {"axis": 1.5}, "attr 'axis' must be null, an int or a list of ints"),
    ("mean", {"axis": [0, "a"]}, "attr 'axis' must be null, an int or a list of ints"),
    ("mean", {"axis": True}, "attr 'axis' must be null, an int or a list of ints"),
    ("softmax", {"axis": None}, "attr 'axis' must be an int"),
    ("pow", {"exponent": "2"}, "attr 'exponent' must be a number"),
    ("pow", {"exponent": float("nan")}, "attr 'exponent' must be a finite number"),
    ("leaky_relu", {"slope": None}, "attr 'slope' must be a number"),
    ("sum", {"keepdims": 1}, "attr 'keepdims' must be true or false"),
    ("parameter", {"init": "uniform"}, "attr 'init' must be one of zeros, normal, xavier, he"),
    ("parameter", {"shape": [2, -1]}, "attr 'shape' must be null or a list of non-negative ints"),
    ("parameter", {"seed": 0.5}, "attr 'seed' must be an int"),
    ("mse", [1, 2], "attrs of mse must be an object"),
    ("reshape", {"shape": [-1, 2, -1]}, "attr 'shape' may hold one -1 at most (the size to infer)"),
    ("reshape", {"shape": None},
     "attr 'shape' must be a list of non-negative ints (one may be -1)"),
    ("reshape", {"shape": [2, -2]}, "attr 'shape' must be a list of non-negative ints"),
    ("concat", {"axis": 0.5}, "attr 'axis' must be an int"),
    ("concat", {"axis": None}, "attr 'axis' must be an int"),
    ("max", {"axis": "rows"}, "attr 'axis' must be null, an int or a list of ints"),
])
def test_normalize_attrs_errors(op, attrs, message):
    with pytest.raises(ValueError) as err:
        normalize_attrs(op, attrs)
    assert message in str(err.value)


def test_register_twice_raises():
    with pytest.raises(ValueError, match="'add' is already registered"):
        register(OPS["add"])
    twin = Op("test_twin", 1, "Arithmetic", "t", "doc", {}, ("x",), lambda xs, a: xs[0],
              lambda xs, out, g, a: [g], lambda s, a: s[0])
    try:
        assert register(twin) is twin and OPS["test_twin"] is twin
        with pytest.raises(ValueError, match="already registered"):
            register(twin)
    finally:
        del OPS["test_twin"]


SYMBOLS = {"input": "in", "constant": "c", "parameter": "θ", "add": "+", "sub": "−", "mul": "×",
           "div": "÷", "neg": "−x", "exp": "exp", "log": "log", "sqrt": "√", "abs": "|x|",
           "tanh": "tanh", "sigmoid": "σ", "relu": "ReLU", "leaky_relu": "LReLU", "pow": "xⁿ",
           "matmul": "@", "transpose": "ᵀ", "sum": "Σ", "mean": "μ", "softmax": "softmax",
           "mse": "MSE", "sigmoid_bce": "BCE", "softmax_ce": "CE", "sin": "sin", "cos": "cos",
           "square": "x²", "reciprocal": "1/x", "maximum": "max(a,b)", "minimum": "min(a,b)",
           "max": "max", "min": "min", "reshape": "reshape", "concat": "concat"}


def test_registry_metadata():
    assert CATEGORIES == ["Inputs & parameters", "Arithmetic", "Activations", "Matrix",
                          "Reductions", "Losses"]
    assert {name: op.symbol for name, op in OPS.items()} == SYMBOLS
    assert {op.category for op in OPS.values()} == set(CATEGORIES)
    for op in OPS.values():
        assert op.doc and op.label and len(op.port_names) == op.arity
    assert OPS["leaky_relu"].label == "Leaky ReLU"
    assert OPS["mse"].port_names == ("prediction", "target")
    assert OPS["softmax_ce"].port_names == ("logits", "target")
    assert OPS["pow"].attrs == {"exponent": 2.0} and OPS["softmax"].attrs == {"axis": -1}
