"""The fast pass is tested, not trusted (engine/compiled_pass.py).

Under the tests (``BACKPROP_STUDIO_STRICT_FAST_PASS=1``, tests/conftest.py) a fast pass that
cannot be written, or that raises where the plan's loop then succeeds, is a FastPassError; in
the app it is logged once per plan and the loop takes over. A fast pass that fails where the
loop fails too (a value that is not finite, named by the loop) is the expected way and neither.
"""
from __future__ import annotations

import logging

import numpy as np
import pytest

from engine import Graph, GraphError, Kind
from engine import compiled_pass


@pytest.fixture
def failures():
    """The strict failures this test provokes on purpose (cleared, so conftest lets them be)."""
    yield compiled_pass.FAILURES
    compiled_pass.FAILURES.clear()


@pytest.fixture
def app_mode(monkeypatch):
    monkeypatch.delenv(compiled_pass.STRICT_ENV)


def small_graph() -> Graph:
    g = Graph()
    g.add_node("x", "input", value=np.array([0.5, -1.5]))
    g.add_node("w", "parameter", value=np.array([2.0, 3.0]))
    g.add_node("m", "mul")
    g.add_node("t", "tanh")
    g.add_node("L", "sum")
    for s, t, p in [("x", "m", 0), ("w", "m", 1), ("m", "t", 0), ("t", "L", 0)]:
        g.connect(s, t, p)
    return g


def expected():
    g = small_graph()
    return g.forward(), g.backward()


def unwritable(*args):
    raise RuntimeError("cannot write this")


def raising(*args):
    def run(vals):
        raise RuntimeError("the generated code is wrong")
    return run


def test_the_tests_run_strict():
    assert compiled_pass.strict()


def test_the_real_fast_pass_runs_and_agrees_with_the_loop():
    g = small_graph()
    values = g.forward(record=False)
    grads = g.backward(record=False, wrt=["w"])
    plan = g.plan()
    assert callable(plan._fast_forward) and all(map(callable, plan._fast_gradients.values()))
    want_values, want_grads = expected()
    np.testing.assert_array_equal(values["L"], want_values["L"])
    np.testing.assert_array_equal(grads["w"], want_grads["w"])
    assert compiled_pass.FAILURES == []


@pytest.mark.parametrize("function", ["forward_function", "gradient_function"])
@pytest.mark.parametrize("broken", [unwritable, raising], ids=["unwritable", "raising"])
def test_strict_a_real_fallback_is_an_error(monkeypatch, failures, function, broken):
    monkeypatch.setattr(compiled_pass, function, broken)
    g = small_graph()
    with pytest.raises(compiled_pass.FastPassError) as err:
        g.forward(record=False)
        g.backward(record=False, wrt=["w"])
    assert "the fast pass" in str(err.value)
    assert len(failures) == 1 and failures[0] is err.value


@pytest.mark.parametrize("function", ["forward_function", "gradient_function"])
@pytest.mark.parametrize("broken", [unwritable, raising], ids=["unwritable", "raising"])
def test_in_the_app_a_real_fallback_is_logged_once_and_the_loop_answers(
        monkeypatch, caplog, app_mode, function, broken):
    monkeypatch.setattr(compiled_pass, function, broken)
    g = small_graph()
    want_values, want_grads = expected()
    with caplog.at_level(logging.WARNING, logger="engine.compiled_pass"):
        for _ in range(3):
            values = g.forward(record=False)
            grads = g.backward(record=False, wrt=["w"])
            np.testing.assert_array_equal(values["L"], want_values["L"])
            np.testing.assert_array_equal(grads["w"], want_grads["w"])
    records = [r for r in caplog.records if r.name == "engine.compiled_pass"]
    assert len(records) == 1 and records[0].levelno == logging.WARNING
    assert "the fast pass" in records[0].getMessage() and "plan's loop" in records[0].getMessage()
    assert compiled_pass.FAILURES == []


def test_a_value_that_is_not_finite_is_the_loops_to_name_not_a_fallback(caplog):
    g = Graph()
    g.add_node("x", "parameter", value=np.array([1.0, 800.0]))
    g.add_node("e", "exp")
    g.add_node("L", "sum")
    g.connect("x", "e", 0)
    g.connect("e", "L", 0)
    with caplog.at_level(logging.WARNING, logger="engine.compiled_pass"):
        with pytest.raises(GraphError) as err:
            g.forward(record=False)
    assert err.value.kind is Kind.NONFINITE and err.value.node == "e"
    assert compiled_pass.FAILURES == [] and not caplog.records
    assert callable(g.plan()._fast_forward)          # still on: the fast pass was right
