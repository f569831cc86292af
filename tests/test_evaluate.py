"""engine.evaluate: everything that can run does; problems are named at their nodes by kind."""
import numpy as np
import pytest

from engine import Graph, Kind
from engine.evaluate import evaluate
from graphs import build, chain, two_paths


def log_of(x):
    """x → log → y (a scalar end)."""
    return build([("x", "input", x), ("y", "log")], [("x", "y", 0)])


def test_a_runnable_graph_runs_as_is_and_keeps_its_trace():
    g = chain()
    ev = evaluate(g)
    assert ev.problems == {} and ev.status is None and ev.loss == "y"
    assert float(ev.grads["x"]) == pytest.approx(95.0625)
    assert ev.trace is g.trace and ev.trace.has_backward


def test_a_failure_downstream_keeps_the_values_upstream():
    g = build([("x", "input", -1.0), ("two", "constant", 2.0), ("m", "mul"), ("y", "log"),
               ("z", "neg")],
              [("x", "m", 0), ("two", "m", 1), ("m", "y", 0), ("y", "z", 0)])
    ev = evaluate(g)
    assert float(ev.values["x"]) == -1.0 and float(ev.values["m"]) == -2.0   # upstream: known
    assert set(ev.blocked) == {"y", "z"} and "y" not in ev.values
    assert ev.problems["y"].kind is Kind.NONFINITE and "log" in ev.problems["y"].message
    assert "z" not in ev.problems                  # downstream: no second error
    assert ev.grads == {} and ev.status.kind is Kind.BLOCKED
    assert "no gradients" in ev.status.message and "node 'y'" in ev.status.message
    assert ev.trace is not None and not ev.trace.has_backward    # forward-only trace


def test_an_unconnected_input_is_unfinished_and_the_rest_differentiates():
    g = two_paths()
    g.add_node("w", "mul")
    g.connect("z", "w", 0)
    ev = evaluate(g, previous_loss="z")
    assert ev.problems["w"].kind is Kind.UNCONNECTED and ev.problems["w"].unfinished
    # the graph's only end is now the half-built w: keep differentiating z meanwhile
    assert ev.loss == "z" and ev.guessed_loss
    assert ev.status.kind is Kind.BLOCKED and "showing gradients of 'z'" in ev.status.message
    assert float(ev.grads["t"]) == pytest.approx(1.25 * np.exp(0.5))


def test_several_ends_keep_the_former_loss():
    g = two_paths()
    g.add_node("c", "constant", value=2.0)
    g.add_node("d", "neg")
    g.connect("c", "d", 0)
    ev = evaluate(g, previous_loss="z")
    assert ev.loss == "z" and ev.guessed_loss and ev.status is None
    ev = evaluate(g)   # two scalar ends and no memory: ask for a choice
    assert ev.grads == {} and ev.status.kind is Kind.SEVERAL_SINKS


def test_a_vector_end_is_a_status_not_a_node_problem():
    g = build([("x", "input", [1.0, 2.0]), ("t", "tanh")], [("x", "t", 0)])
    ev = evaluate(g)
    assert ev.problems == {} and ev.status.kind is Kind.LOSS_SHAPE
    np.testing.assert_allclose(ev.values["t"], np.tanh([1.0, 2.0]))


def test_an_empty_graph_has_nothing_and_says_nothing_wrong_at_a_node():
    ev = evaluate(Graph())
    assert ev.values == {} and ev.problems == {}


def test_evaluate_never_raises(monkeypatch):
    g = chain()
    monkeypatch.setattr(g, "forward", lambda *a, **k: 1 / 0)
    ev = evaluate(g)
    assert ev.status.kind is Kind.INTERNAL and "ZeroDivisionError" in ev.status.message


def test_a_gradient_failure_is_marked_on_its_node():
    ev = evaluate(build([("x", "input", 0.0), ("r", "sqrt")], [("x", "r", 0)]))
    assert float(ev.values["r"]) == 0.0 and ev.grads == {}
    assert ev.problems["r"].kind is Kind.NONFINITE and ev.status.node == "r"
