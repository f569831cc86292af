"""The Trace: what the animations replay. Order, per-edge contributions, accumulation,
local derivatives, and arrays that never change once recorded."""
import numpy as np
import pytest

from engine import BackwardStep, ForwardStep, Trace
from graphs import build, chain, matmul_sum, two_paths


def test_forward_steps_follow_the_topological_order():
    g = two_paths()
    g.backward()
    trace = g.trace
    assert trace.loss == "z"
    assert trace.order == ["t", "x", "y", "z"]
    assert [s.node for s in trace.forward_steps] == ["x", "y", "z"]
    assert trace.forward_steps[2].inputs == ("x", "y")
    assert all(isinstance(s, ForwardStep) for s in trace.forward_steps)
    assert trace.forward_steps[0].value is trace.values["x"]   # references, not copies


def test_backward_steps_run_in_reverse_with_complete_upstream():
    g = two_paths()
    grads = g.backward()
    steps = g.trace.backward_steps
    assert [(s.source, s.target, s.port) for s in steps] == [
        ("x", "z", 0), ("y", "z", 1), ("t", "y", 0), ("t", "x", 0)]
    for step in steps:
        assert isinstance(step, BackwardStep)
        np.testing.assert_array_equal(step.upstream, grads[step.target])


def test_contributions_sum_to_each_gradient_and_grad_after_accumulates():
    g = two_paths(0.8)
    grads = g.backward()
    into_t = [s for s in g.trace.backward_steps if s.source == "t"]
    assert len(into_t) == 2
    running = np.zeros(())
    for step in into_t:
        running = running + step.contribution
        np.testing.assert_allclose(step.grad_after, running, rtol=1e-15)
    np.testing.assert_allclose(into_t[-1].grad_after, grads["t"], rtol=0)
    for node in g.node_ids():
        contributions = [s.contribution for s in g.trace.backward_steps if s.source == node]
        if contributions:
            np.testing.assert_allclose(sum(contributions), grads[node], rtol=1e-14)


def test_mul_x_x_records_one_step_per_port():
    g = build([("x", "input", np.array([1.0, -2.0])), ("m", "mul"), ("L", "sum")],
              [("x", "m", 0), ("x", "m", 1), ("m", "L", 0)])
    g.backward()
    steps = [s for s in g.trace.backward_steps if s.target == "m"]
    assert [(s.source, s.port) for s in steps] == [("x", 0), ("x", 1)]
    np.testing.assert_array_equal(steps[0].grad_after, [1.0, -2.0])
    np.testing.assert_array_equal(steps[1].grad_after, [2.0, -4.0])
    np.testing.assert_array_equal(steps[0].contribution, [1.0, -2.0])  # not mutated later


@pytest.mark.parametrize("x", [-1.2, 0.4, 1.5])
def test_local_derivatives_of_the_chain_rule_example(x):
    g = chain(x)
    g.backward()
    trace = g.trace
    u = x * x + 1
    expected = {("u", "y"): 3 * u * u, ("sq", "u"): 1.0, ("one", "u"): 1.0, ("x", "sq"): 2 * x}
    seen = {}
    for i, step in enumerate(trace.backward_steps):
        local = trace.local_derivative(i)
        seen[(step.source, step.target)] = float(local)
        np.testing.assert_allclose(local * step.upstream, step.contribution, rtol=1e-14)
    assert seen == pytest.approx(expected, rel=1e-14)


def test_local_derivative_of_elementwise_broadcast_is_shaped_like_the_target():
    g = build([("v", "input", np.array([1.0, 2.0, 3.0])), ("s", "input", 0.5), ("m", "mul"),
               ("L", "sum")],
              [("v", "m", 0), ("s", "m", 1), ("m", "L", 0)])
    g.backward()
    trace = g.trace
    index = {(s.source, s.target): i for i, s in enumerate(trace.backward_steps)}
    np.testing.assert_array_equal(trace.local_derivative(index["s", "m"]), [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(trace.local_derivative(index["v", "m"]), [0.5, 0.5, 0.5])
    assert trace.local_derivative(index["m", "L"]) is None   # a reduction: no elementwise form


def test_local_derivative_is_none_for_a_matrix_product():
    g = matmul_sum()
    g.backward()
    i = next(i for i, s in enumerate(g.trace.backward_steps) if s.target == "m")
    assert g.trace.local_derivative(i) is None


def test_arrays_are_unchanged_after_a_second_pass():
    g = two_paths(0.3)
    g.backward()
    first = g.trace
    saved_steps = [(s.upstream.copy(), s.contribution.copy(), s.grad_after.copy())
                   for s in first.backward_steps]
    saved_values = {k: v.copy() for k, v in first.values.items()}
    g.set_value("t", 2.0)
    g.backward()
    g.backward()
    assert g.trace is not first
    for step, (up, c, after) in zip(first.backward_steps, saved_steps):
        np.testing.assert_array_equal(step.upstream, up)
        np.testing.assert_array_equal(step.contribution, c)
        np.testing.assert_array_equal(step.grad_after, after)
    for k, v in saved_values.items():
        np.testing.assert_array_equal(first.values[k], v)


def test_forward_only_trace_has_values_and_no_backward_steps():
    g = chain()
    g.forward()
    assert g.trace.backward_steps == [] and g.trace.grads == {}
    assert float(g.trace.values["y"]) == pytest.approx(3.25 ** 3)
    assert g.trace.loss == "y"


def test_a_trace_can_be_built_by_hand():
    value = np.array(2.0)
    trace = Trace("y", ["x", "y"], {"x": np.array(1.0), "y": value},
                  {"x": value, "y": np.ones(())},
                  forward_records=[("y", ("x",), value)],
                  backward_records=[("x", "y", 0, np.ones(()), value, value)])
    assert trace.forward_steps[0].node == "y"
    assert trace.local_derivative(0) is None   # no op information: the player shows the product
    with pytest.raises(Exception):
        trace.forward_steps[0].node = "z"      # steps are frozen


# ------------------------------------------------------------------ every two-input op, both ports
SCALAR_INPUTS = {"div": (1.5, 0.8), "mse": (1.5, -0.5), "sigmoid_bce": (0.7, 1.0)}


def two_input_ops():
    from engine import OPS
    return sorted(name for name, op in OPS.items() if op.arity == 2)


@pytest.mark.parametrize("op", two_input_ops())
@pytest.mark.parametrize("port", [0, 1])
def test_local_derivative_of_every_two_input_op_on_each_port(op, port):
    """d target / d source for the edge into ``port``, against a central difference of the
    op's own forward in that input (scalars; the elementwise branch with vectors)."""
    from engine import OPS
    a, b = SCALAR_INPUTS.get(op) or (1.3, -0.6)
    shape = (1,) if op in ("softmax_ce", "matmul", "concat") else ()
    values = [np.full(shape, a), np.full(shape, b)]
    g = build([("a", "input", values[0]), ("b", "input", values[1]), ("t", op)],
              [("a", "t", 0), ("b", "t", 1)])
    if np.size(g.forward()["t"]) != 1:
        g.add_node("L", "sum")
        g.connect("t", "L", 0)
    g.backward()
    index = next(i for i, s in enumerate(g.trace.backward_steps)
                 if (s.target, s.port) == ("t", port))
    local = g.trace.local_derivative(index)
    if op == "concat":      # (1,) + (1,) → (2,): a 2×1 Jacobian, no single local derivative
        assert local is None
        return
    eps = 1e-6
    up, down = [list(values), list(values)]
    up[port], down[port] = values[port] + eps, values[port] - eps
    forward = OPS[op].forward
    numeric = (np.sum(forward(up, g.node("t").attrs)) -
               np.sum(forward(down, g.node("t").attrs))) / (2 * eps)
    assert local is not None
    assert float(np.sum(local)) == pytest.approx(float(numeric), rel=1e-6, abs=1e-9), (op, port)


def test_local_derivatives_on_the_two_paths_example_read_their_own_port():
    g = two_paths()
    g.backward()
    steps = {(s.source, s.target): i for i, s in enumerate(g.trace.backward_steps)}
    x, y = float(g.values["x"]), float(g.values["y"])
    assert float(g.trace.local_derivative(steps[("x", "z")])) == pytest.approx(y)   # ∂z/∂x = y
    assert float(g.trace.local_derivative(steps[("y", "z")])) == pytest.approx(x)   # ∂z/∂y = x
