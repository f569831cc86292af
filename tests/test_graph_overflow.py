"""Floating-point overflow anywhere in a pass stops at the node that caused it, named.

Keeps ``Op.raises_forward`` / ``Op.raises_backward`` honest: each op trusted to raise on its own
is overflowed here (or cannot make a non-finite number from finite inputs)."""
import numpy as np
import pytest

from engine import OPS, Graph, GraphError, Kind

OVERFLOWED = {"add", "sub", "mul", "matmul", "mse", "sum", "leaky_relu"}
CANNOT_OVERFLOW = {"neg", "abs", "tanh", "relu", "transpose"}   # finite in, finite out


def test_every_op_trusted_to_raise_is_overflowed_here():
    trusted = {name for name, op in OPS.items() if op.raises_forward or op.raises_backward}
    assert trusted <= OVERFLOWED | CANNOT_OVERFLOW


def test_engine_runs_with_warnings_as_errors_on_overflow():
    g = Graph()
    g.add_node("x", "input", value=1000.0)
    g.add_node("e", "exp")
    g.connect("x", "e", 0)
    with pytest.raises(GraphError, match="node 'e': exp overflowed to inf"):
        g.forward()


@pytest.mark.parametrize("op, values", [
    ("add", [1e308, 1e308]), ("sub", [1e308, -1e308]), ("mul", [1e200, 1e200]),
    ("matmul", [np.full((1, 2), 1e200), np.full((2, 1), 1e200)]),
    ("mse", [np.array([1e200]), np.array([-1e200])]),
    ("sum", [np.array([1e308, 1e308])]), ("leaky_relu", [-1e10]),
])
def test_overflow_in_any_op_names_the_node(op, values):
    g = Graph()
    for i, v in enumerate(values):
        g.add_node(f"v{i}", "input", value=v)
    g.add_node("o", op, {"slope": 1e300} if op == "leaky_relu" else None)
    for i in range(len(values)):
        g.connect(f"v{i}", "o", i)
    with pytest.raises(GraphError, match=f"node 'o': {op} overflowed to -?inf") as e:
        g.forward()
    assert e.value.kind is Kind.NONFINITE


def test_overflowing_gradient_sum_names_the_node():
    g = Graph()
    g.add_node("x", "input", value=1e-10)
    for k in ("k1", "k2"):
        g.add_node(k, "constant", value=1e308)
        g.add_node(f"m{k}", "mul")
        g.connect("x", f"m{k}", 0)
        g.connect(k, f"m{k}", 1)
    g.add_node("L", "add")
    g.connect("mk1", "L", 0)
    g.connect("mk2", "L", 1)
    assert float(g.forward()["L"]) == pytest.approx(2e298)
    with pytest.raises(GraphError, match="node 'x': its gradient overflowed to inf"):
        g.backward()


def test_overflow_inside_a_backward_names_the_node():
    g = Graph()
    g.add_node("a", "input", value=1e200)
    g.add_node("b", "input", value=1e-200)
    g.add_node("k", "constant", value=1e200)
    g.add_node("m", "mul")
    g.add_node("L", "mul")
    g.connect("a", "m", 0)
    g.connect("b", "m", 1)
    g.connect("m", "L", 0)
    g.connect("k", "L", 1)
    assert float(g.forward()["L"]) == pytest.approx(1e200)
    with pytest.raises(GraphError, match="node 'm': the gradient mul sends to 'b' overflowed to inf"):
        g.backward()
