"""A training pass asks for a few gradients (``backward(wrt=..., record=False)``): it skips the
steps and ports nobody needs, yet gives the requested gradients bit for bit; passes nobody
records run as generated code (engine/compiled_pass.py) with the plan's loop as the fallback."""
import dataclasses
import re

import numpy as np
import pytest

from engine import Graph, GraphError, graph_from_dict
from engine.ops import OPS
from engine.plan import FPChecks
from graph_generator import random_graph

SEEDS = range(60)


def random_runnable(seed) -> Graph:
    graph = graph_from_dict(random_graph(seed), source=f"random {seed}.json")
    graph.forward()
    return graph


def requested(graph, seed) -> list:
    """A random choice of nodes: leaves and op nodes, reached or not by the loss."""
    rng = np.random.default_rng(seed)
    ids = graph.node_ids()
    return [str(n) for n in rng.choice(ids, size=int(rng.integers(1, min(6, len(ids)) + 1)),
                                      replace=False)]


def same_bits(a, b) -> bool:
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


# ---------------------------------------------------------------- the same numbers
@pytest.mark.parametrize("seed", SEEDS)
def test_pruned_gradients_equal_the_full_pass_bit_for_bit(seed):
    graph = random_runnable(seed)
    full = graph.backward(record=False)
    wrt = requested(graph, seed)
    pruned = graph.backward(record=False, wrt=wrt)
    assert list(pruned) == wrt and graph.grads is pruned and graph.trace is None
    for nid in wrt:
        assert same_bits(pruned[nid], full[nid]), nid


@pytest.mark.parametrize("seed", SEEDS)
def test_parameter_gradients_of_the_loop_and_the_generated_pass_agree(seed):
    graph = random_runnable(seed)
    full = graph.backward()                          # recorded: the loop, every edge
    params = [n for n in graph.node_ids() if graph.node(n).op in ("parameter", "input")]
    plan, loss = graph.plan(), graph.loss_node()
    with FPChecks():
        looped, _ = plan.run_backward(graph.values, loss, False, tuple(params))
        generated = plan.gradients(graph.values, loss, tuple(params))
    for nid in params:
        if nid in looped:
            assert same_bits(looped[nid], full[nid]) and same_bits(generated[nid], full[nid])
        else:   # the loss does not depend on it
            assert not full[nid].any() and same_bits(generated[nid], full[nid])


@pytest.mark.parametrize("seed", SEEDS)
def test_unrecorded_forward_gives_the_recorded_values(seed):
    graph = graph_from_dict(random_graph(seed))
    recorded = {k: v for k, v in graph.forward().items()}
    unrecorded = graph.forward(record=False)
    assert graph.plan()._fast_forward not in (None, False)   # the generated code ran
    assert list(unrecorded) == list(recorded)
    assert all(same_bits(unrecorded[k], recorded[k]) for k in recorded)


def test_requested_nodes_the_loss_does_not_depend_on_get_zeros():
    g = Graph()
    g.add_node("x", "input", value=[1.0, 2.0])
    g.add_node("w", "parameter", value=[3.0, 4.0])
    g.add_node("spare", "parameter", value=[[1.0, 2.0]])
    g.add_node("m", "mul")
    g.add_node("L", "sum")
    g.connect("x", "m", 0)
    g.connect("w", "m", 1)
    g.connect("m", "L", 0)
    g.loss = "L"
    grads = g.backward(record=False, wrt=["spare", "w", "L"])
    assert list(grads) == ["spare", "w", "L"]
    np.testing.assert_array_equal(grads["spare"], [[0.0, 0.0]])
    np.testing.assert_array_equal(grads["w"], [1.0, 2.0])
    assert float(grads["L"]) == 1.0


def test_an_unknown_requested_node_is_a_clear_error():
    g = Graph()
    g.add_node("x", "parameter", value=2.0)
    g.add_node("s", "square")
    g.connect("x", "s", 0)
    for record in (False, True):
        with pytest.raises(GraphError, match="no node 'ghost'"):
            g.backward(record=record, wrt=["x", "ghost"])


def test_a_recorded_pass_with_wrt_still_records_every_edge():
    g = mlp_graph()
    grads = g.backward(wrt=["W"])
    assert list(grads) == ["W"]
    edges = {(s.source, s.target, s.port) for s in g.trace.backward_steps}
    assert ("x", "mm", 0) in edges and ("y", "loss", 1) in edges   # nobody asked, but recorded
    assert set(g.trace.grads) == set(g.node_ids())


# ---------------------------------------------------------------- the work skipped
def mlp_graph() -> Graph:
    """x @ W + b, tanh, against y with mse; a side branch c = exp(x) that only an input feeds."""
    rng = np.random.default_rng(0)
    g = Graph()
    g.add_node("x", "input", value=rng.normal(size=(5, 3)))
    g.add_node("y", "input", value=rng.normal(size=(5, 2)))
    g.add_node("W", "parameter", value=rng.normal(size=(3, 2)))
    g.add_node("b", "parameter", value=rng.normal(size=(2,)))
    g.add_node("c", "exp")
    g.add_node("cs", "sum", {"axis": 1, "keepdims": True})
    g.add_node("mm", "matmul")
    g.add_node("z", "add")
    g.add_node("zc", "add")
    g.add_node("h", "tanh")
    g.add_node("loss", "mse")
    for s, t, p in [("x", "mm", 0), ("W", "mm", 1), ("mm", "z", 0), ("b", "z", 1),
                    ("x", "c", 0), ("c", "cs", 0), ("z", "zc", 0), ("cs", "zc", 1),
                    ("zc", "h", 0), ("h", "loss", 0), ("y", "loss", 1)]:
        g.connect(s, t, p)
    g.loss = "loss"
    return g


class CountingOps:
    """Replaces ops in the registry with ones whose backward counts its calls and records the
    `needs` it was given (the plan resolves ops when it is built)."""

    def __init__(self, monkeypatch, names):
        self.calls = {name: [] for name in names}
        for name in names:
            op = OPS[name]
            monkeypatch.setitem(OPS, name, dataclasses.replace(op, backward=self.wrap(op)))

    def wrap(self, op):
        calls = self.calls[op.name]
        if op.takes_needs:
            def backward(xs, out, g, attrs, needs=None):   # None: not given (all needed)
                calls.append(needs)
                return op.backward(xs, out, g, attrs, *(() if needs is None else (needs,)))
        else:
            def backward(xs, out, g, attrs):
                calls.append(None)
                return op.backward(xs, out, g, attrs)
        return backward


@pytest.mark.parametrize("generated", [True, False])
def test_steps_and_ports_nobody_needs_are_skipped(monkeypatch, generated):
    counting = CountingOps(monkeypatch, ["matmul", "mse", "exp", "sum", "add", "tanh"])
    g = mlp_graph()
    full = g.backward(record=False)
    assert counting.calls == {"matmul": [None], "mse": [None], "exp": [None], "sum": [None],
                              "add": [None, None], "tanh": [None]}
    for calls in counting.calls.values():
        calls.clear()
    if not generated:
        monkeypatch.setattr("engine.plan._compiled", lambda *args: False)
    grads = g.backward(record=False, wrt=["W", "b"])
    # x and y need no gradient, and neither does the side branch from x: exp and sum never
    # run, zc's second input and matmul's first are skipped, mse's target is not computed
    assert counting.calls == {"matmul": [(False, True)], "mse": [(True, False)], "exp": [],
                              "sum": [], "add": [(True, False), None], "tanh": [None]}
    for nid in ("W", "b"):
        assert same_bits(grads[nid], full[nid])


def test_an_op_that_ignores_needs_still_serves_a_pruned_pass():
    g = Graph()
    g.add_node("a", "input", value=[1.0, 2.0])
    g.add_node("w", "parameter", value=[3.0])
    g.add_node("cat", "concat", {"axis": 0})
    g.add_node("L", "sum")
    g.connect("a", "cat", 0)
    g.connect("w", "cat", 1)
    g.connect("cat", "L", 0)
    assert not OPS["concat"].takes_needs
    steps = g.plan().pruned_steps("L", ("w",))
    assert [(s.node, s.ports, s.needs) for s in steps] == [
        ("L", ((0, "cat"),), None), ("cat", ((1, "w"),), None)]
    np.testing.assert_array_equal(g.backward(record=False, wrt=["w"])["w"], [1.0])


def test_pruned_steps_follow_the_rule():
    """A source needs a gradient iff it is requested or one of its inputs needs one."""
    g = mlp_graph()
    steps = g.plan().pruned_steps("loss", ("b",))
    assert [s.node for s in steps] == ["loss", "h", "zc", "z"]
    assert {s.node: s.ports for s in steps} == {
        "loss": ((0, "h"),), "h": ((0, "zc"),), "zc": ((0, "z"),), "z": ((1, "b"),)}
    assert g.plan().pruned_steps("loss", ("x",))[-1].node == "c"   # x reaches the loss twice
    assert g.plan().pruned_steps("loss", ("y",)) == [g.plan().pruned_steps("loss", ("y",))[0]]


# ---------------------------------------------------------------- the fast path falls back
def test_a_non_finite_value_names_the_node_in_an_unrecorded_pass_too():
    g = Graph()
    g.add_node("x", "input", value=[1.0, -1.0])
    g.add_node("l", "log")
    g.add_node("L", "sum")
    g.connect("x", "l", 0)
    g.connect("l", "L", 0)
    messages = []
    for record in (True, False, False):
        with pytest.raises(GraphError) as info:
            g.forward(record=record)
        messages.append((str(info.value), info.value.node))
    assert messages[0] == messages[1] == messages[2] == (
        "node 'l': log of a non-positive value produced nan", "l")


def sqrt_at_zero() -> Graph:
    """sqrt'(0) is inf: a checked op."""
    g = Graph()
    g.add_node("x", "parameter", value=[0.0, 4.0])
    g.add_node("f", "sqrt")
    g.add_node("L", "sum")
    g.connect("x", "f", 0)
    g.connect("f", "L", 0)
    return g


def overflowing_product() -> Graph:
    """L = Σ (x·w)·k with x·w = 1 but d/dw = k·x = 1e400: an op that raises overflows."""
    g = Graph()
    g.add_node("x", "input", value=[1e200])
    g.add_node("w", "parameter", value=[1e-200])
    g.add_node("k", "constant", value=[1e200])
    g.add_node("f", "mul")
    g.add_node("m", "mul")
    g.add_node("L", "sum")
    for s, t, p in [("x", "f", 0), ("w", "f", 1), ("f", "m", 0), ("k", "m", 1), ("m", "L", 0)]:
        g.connect(s, t, p)
    return g


@pytest.mark.parametrize("build, requested", [(sqrt_at_zero, ["x"]),
                                              (overflowing_product, ["w"])])
def test_a_non_finite_gradient_names_the_node_in_a_pruned_pass_too(build, requested):
    g = build()
    errors = []
    for record in (True, False, False):
        g.forward(record=record)
        with pytest.raises(GraphError) as info:
            g.backward(record=record, wrt=None if record else requested)
        errors.append((str(info.value), info.value.node, info.value.port))
    assert errors[0] == errors[1] == errors[2]
    assert errors[0][1] == "f" and re.search(r"(is|overflowed to) inf", errors[0][0])


def test_the_generated_code_is_readable_and_names_the_nodes():
    g = mlp_graph()
    g.forward(record=False)
    g.backward(record=False, wrt=["W", "b"])
    plan = g.plan()
    forward = plan._fast_forward.source
    backward = next(iter(plan._fast_gradients.values())).source
    assert "# mm = matmul(x, W)" in forward and "# zc = add(z, cs)" in forward
    assert "# through mm (matmul)" in backward and "(False, True)" in backward
    assert "exp" not in backward   # the side branch is not differentiated


def test_a_node_id_that_is_no_identifier_is_fine():
    g = Graph()
    g.add_node("x 'quoted'\nline", "parameter", value=[2.0, 3.0])
    g.add_node("sq)#", "square")
    g.add_node("L", "sum")
    g.connect("x 'quoted'\nline", "sq)#", 0)
    g.connect("sq)#", "L", 0)
    assert float(g.forward(record=False)["L"]) == 13.0
    grads = g.backward(record=False, wrt=["x 'quoted'\nline"])
    np.testing.assert_array_equal(grads["x 'quoted'\nline"], [4.0, 6.0])
    assert g.plan()._fast_forward is not False
