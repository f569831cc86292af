"""Ties, kinks and refusals of maximum/minimum, the max/min reductions, reshape and concat.

Pinned by hand (the random cases of test_ops.py stay away from ties): PyTorch splits a tie of
``torch.maximum`` ½/½ and shares ``torch.amax``'s gradient evenly among tied elements; we do
the same. The PyTorch half of each check runs when torch is installed.
"""
from __future__ import annotations

import numpy as np
import pytest

from engine import Graph, GraphError, Kind
from engine.ops import OPS, normalize_attrs

try:
    import torch
except ImportError:  # the numbers pinned here stand on their own
    torch = None


def grads_of(name, attrs, xs, g=None):
    op, attrs = OPS[name], normalize_attrs(name, attrs)
    out = op.forward(xs, attrs)
    g = np.ones(out.shape) if g is None else g
    return out, op.backward(xs, out, g, attrs)


def torch_grads(name, attrs, xs, g):
    if torch is None:
        return None
    from torch_ops import TORCH_OPS
    ts = [torch.tensor(x, requires_grad=True) for x in xs]
    (TORCH_OPS[name](*ts, normalize_attrs(name, attrs)) * torch.tensor(g)).sum().backward()
    return [t.grad.numpy() for t in ts]


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_a_tie_splits_the_gradient_half_and_half(name):
    a = np.array([1.0, 2.0, -3.0, 0.0])
    b = np.array([1.0, 5.0, -4.0, 0.0])
    g = np.array([2.0, 3.0, 4.0, -6.0])
    out, (ga, gb) = grads_of(name, {}, [a, b], g)
    a_wins = [False, False, True, False] if name == "maximum" else [False, True, False, False]
    np.testing.assert_array_equal(out, np.where(a_wins, a, b))
    share = np.where(a_wins, 1.0, 0.0)
    share[[0, 3]] = 0.5                                  # the two ties
    np.testing.assert_array_equal(ga, g * share)
    np.testing.assert_array_equal(gb, g * (1.0 - share))
    reference = torch_grads(name, {}, [a, b], g)
    if reference is not None:
        np.testing.assert_array_equal(ga, reference[0])
        np.testing.assert_array_equal(gb, reference[1])


def test_a_broadcast_tie_sums_the_halves_back():
    a = np.array([[1.0, 2.0, 3.0], [2.0, 2.0, 0.0]])
    b = np.array(2.0)                                    # ties with three elements of a
    out, (ga, gb) = grads_of("maximum", {}, [a, b])
    np.testing.assert_array_equal(ga, [[0.0, 0.5, 1.0], [0.5, 0.5, 0.0]])
    assert gb.shape == () and gb == 1.0 + 1.5 + 1.0      # two losses, three half-ties
    reference = torch_grads("maximum", {}, [a, b], np.ones((2, 3)))
    if reference is not None:
        np.testing.assert_array_equal(ga, reference[0])
        np.testing.assert_array_equal(gb, reference[1])


@pytest.mark.parametrize("name, attrs, expected", [
    ("max", {}, [[0.0, 1 / 3, 1 / 3], [0.0, 1 / 3, 0.0]]),
    ("max", {"axis": 1}, [[0.0, 0.5, 0.5], [0.0, 1.0, 0.0]]),
    ("max", {"axis": 0, "keepdims": True}, [[1.0, 0.5, 1.0], [0.0, 0.5, 0.0]]),
    ("max", {"axis": [0, 1], "keepdims": True}, [[0.0, 1 / 3, 1 / 3], [0.0, 1 / 3, 0.0]]),
    ("max", {"axis": []}, [[1.0] * 3, [1.0] * 3]),
    ("min", {}, [[0.0, 0.0, 0.0], [0.5, 0.0, 0.5]]),
    ("min", {"axis": -1}, [[1.0, 0.0, 0.0], [0.5, 0.0, 0.5]]),
    ("min", {"axis": 0}, [[0.0, 0.5, 0.0], [1.0, 0.5, 1.0]]),
])
def test_tied_extremes_share_the_gradient_evenly(name, attrs, expected):
    x = np.array([[1.0, 3.0, 3.0], [-2.0, 3.0, -2.0]])
    out, (grad,) = grads_of(name, attrs, [x])
    np.testing.assert_allclose(grad, expected, rtol=1e-15)
    assert np.sum(grad) == pytest.approx(np.size(out))  # each output's 1 is shared, not copied
    reference = torch_grads(name, attrs, [x], np.ones(out.shape))
    if reference is not None:
        np.testing.assert_allclose(grad, reference[0], rtol=1e-15)


@pytest.mark.parametrize("name, attrs, expected", [
    ("max", {}, [[0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]),
    ("max", {"axis": 1}, [[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]]),
    ("max", {"axis": 0, "keepdims": True}, [[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]]),
    ("max", {"axis": [0, 1], "keepdims": True}, [[0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]),
    ("max", {"axis": [1, 0]}, [[0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]),
    ("max", {"axis": []}, [[1.0] * 3, [1.0] * 3]),
    ("min", {}, [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0]]),
    ("min", {"axis": -1}, [[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]]),
    ("min", {"axis": 0}, [[0.0, 1.0, 0.0], [1.0, 0.0, 1.0]]),
])
def test_ties_first_send_everything_to_the_first_tied_element(name, attrs, expected):
    x = np.array([[1.0, 3.0, 3.0], [-2.0, 3.0, -2.0]])
    attrs = {**attrs, "ties": "first"}
    out, (grad,) = grads_of(name, attrs, [x])
    np.testing.assert_array_equal(out, grads_of(name, {**attrs, "ties": "split"}, [x])[0])
    np.testing.assert_array_equal(grad, expected)
    reference = torch_grads(name, attrs, [x], np.ones(out.shape))
    if reference is not None:
        np.testing.assert_array_equal(grad, reference[0])


def tied(shape, seed=0):
    """Small integers: many ties along every axis."""
    return np.random.default_rng(seed).integers(0, 3, shape).astype(np.float64)


@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_ties_first_is_torch_max_along_one_axis(name, axis):
    torch = pytest.importorskip("torch")
    x = tied((4, 5, 3))
    for keep in (False, True):
        attrs = {"axis": axis, "keepdims": keep, "ties": "first"}
        g = np.random.default_rng(1).standard_normal(grads_of(name, attrs, [x])[0].shape)
        out, (grad,) = grads_of(name, attrs, [x], g)
        t = torch.tensor(x, requires_grad=True)
        values = getattr(torch, name)(t, dim=axis, keepdim=keep).values
        (values * torch.tensor(g)).sum().backward()
        np.testing.assert_array_equal(out, values.detach().numpy())
        np.testing.assert_array_equal(grad, t.grad.numpy())


@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("axis", [None, 0, 2, [0, 2], [2, 1], [0, 1, 2], []])
@pytest.mark.parametrize("ties", ["split", "first"])
def test_the_pytorch_export_spelling_ties_as_the_engine(name, axis, ties):
    """What ``export --to pytorch`` writes for max / min gives the engine's gradient, ties
    included (run here, in this process)."""
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F  # noqa: N812,F401 - names the written code may use
    x = tied((3, 4, 3), seed=2)
    for keep in (False, True):
        attrs = normalize_attrs(name, {"axis": axis, "keepdims": keep, "ties": ties})
        code = OPS[name].torch_code(["x"], attrs, (3,))
        t = torch.tensor(x, requires_grad=True)
        out = eval(code, {"torch": torch, "F": F, "x": t})
        g = np.random.default_rng(3).standard_normal(tuple(out.shape))
        (out * torch.tensor(g)).sum().backward()
        engine_out, (grad,) = grads_of(name, attrs, [x], g)
        np.testing.assert_array_equal(engine_out, out.detach().numpy(), err_msg=code)
        np.testing.assert_array_equal(grad, t.grad.numpy(), err_msg=code)


def test_ties_is_split_or_first():
    assert normalize_attrs("max", {})["ties"] == "split"
    with pytest.raises(ValueError, match="attr 'ties' must be one of split, first, got 'last'"):
        normalize_attrs("min", {"ties": "last"})


def test_reshape_infers_minus_one_and_concat_splits_the_gradient_back():
    x = np.arange(6.0).reshape(2, 3)
    out, (grad,) = grads_of("reshape", {"shape": [3, -1]}, [x], np.arange(6.0).reshape(3, 2))
    assert out.shape == (3, 2) and grad.shape == (2, 3)
    np.testing.assert_array_equal(grad, x)
    a, b = np.ones((2, 1)), np.zeros((2, 3))
    out, (ga, gb) = grads_of("concat", {"axis": -1}, [a, b], np.arange(8.0).reshape(2, 4))
    np.testing.assert_array_equal(out, [[1, 0, 0, 0], [1, 0, 0, 0]])
    np.testing.assert_array_equal(ga, [[0], [4]])
    np.testing.assert_array_equal(gb, [[1, 2, 3], [5, 6, 7]])


# ---------------------------------------------------------------- refusals in a graph
def graph_with(op, attrs, *values):
    g = Graph()
    for i, v in enumerate(values):
        g.add_node(f"in{i}", "input", value=v)
    g.add_node("node", op, attrs)
    for i in range(len(values)):
        g.connect(f"in{i}", "node", i)
    return g


def test_two_minus_ones_are_a_bad_attr_when_added_or_set():
    g = Graph()
    with pytest.raises(GraphError) as err:
        g.add_node("r", "reshape", {"shape": [-1, 3, -1]})
    assert err.value.kind is Kind.BAD_ATTR and err.value.node == "r"
    assert str(err.value) == ("node 'r': bad attr: attr 'shape' may hold one -1 at most "
                              "(the size to infer), got [-1, 3, -1]")
    g.add_node("r", "reshape", {"shape": [2, -1]})
    with pytest.raises(GraphError) as err:
        g.set_attr("r", "shape", [-1, -1])
    assert err.value.kind is Kind.BAD_ATTR
    assert g.node("r").attrs["shape"] == [2, -1]           # nothing changed


@pytest.mark.parametrize("op, attrs, values, message", [
    ("concat", {"axis": 2}, [np.ones((2, 3)), np.ones((2, 3))],
     "concat: axis 2 is out of range for shape (2, 3)"),
    ("concat", {"axis": 1}, [np.ones((2, 3)), np.ones((3, 3))],
     "concat: shapes (2, 3) and (3, 3) differ off axis 1"),
    ("reshape", {"shape": [4, -1]}, [np.ones((2, 3))],
     "reshape: cannot reshape (2, 3) (6 elements) into (4, -1)"),
    ("maximum", {}, [np.ones(2), np.ones(3)], "maximum: shapes (2,) and (3,) do not broadcast"),
    ("max", {"axis": 1}, [np.ones(3)], "max: axis 1 is out of range for shape (3,)"),
])
def test_shapes_that_do_not_fit_are_shape_problems_naming_the_node(op, attrs, values, message):
    g = graph_with(op, attrs, *values)
    assert g.check()["node"].kind is Kind.SHAPE
    with pytest.raises(GraphError) as err:
        g.forward()
    assert err.value.kind is Kind.SHAPE and err.value.node == "node"
    assert str(err.value) == f"node 'node': {message}"


def test_a_fed_batch_of_another_size_reshapes_with_minus_one():
    g = graph_with("reshape", {"shape": [-1, 2]}, np.ones((2, 3)))
    assert g.forward()["node"].shape == (3, 2)
    assert g.forward({"in0": np.ones((4, 3))})["node"].shape == (6, 2)
    with pytest.raises(GraphError) as err:
        g.forward({"in0": np.ones((1, 3))})
    assert err.value.kind is Kind.SHAPE
