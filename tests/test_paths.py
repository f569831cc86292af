"""Paths to the loss (engine/paths.py) and the one-node finite-difference check: the seeds'
product along a chain and sum over paths, read from the Trace; exponentially many paths counted
exactly and summarised by the largest, without enumerating them."""
import math

import numpy as np
import pytest

from engine import paths
from engine.gradcheck import check_node
from engine.paths import ELEMENTWISE, JACOBIAN, SCALAR, count_paths, paths_to_loss
from graphs import build, chain, matmul_sum, two_paths


def ladder(layers: int):
    """Every layer's two nodes both feed both of the next: 2**layers paths from a0 to L."""
    nodes, edges = [("a0", "input", 0.5), ("b0", "input", 0.25)], []
    for k in range(1, layers + 1):
        nodes += [(f"a{k}", "sub"), (f"b{k}", "mul")]
        edges += [(f"a{k-1}", f"a{k}", 0), (f"b{k-1}", f"a{k}", 1),
                  (f"a{k-1}", f"b{k}", 0), (f"b{k-1}", f"b{k}", 1)]
    nodes.append(("L", "add"))
    edges += [(f"a{layers}", "L", 0), (f"b{layers}", "L", 1)]
    return build(nodes, edges)


def every_path(graph, node, loss):
    """Brute force: every path as a list of (source, target, port) edges."""
    out = {}
    for e in graph.edges():
        out.setdefault(e.source, []).append(e)
    if node == loss:
        return [[]]
    return [[(e.source, e.target, e.port)] + rest for e in out.get(node, ())
            for rest in every_path(graph, e.target, loss)]


def test_two_paths_sum_to_the_engine_gradient_and_the_finite_difference():
    g = two_paths(0.5)
    grads = g.backward()
    report = paths_to_loss(g.trace, "t")
    assert report.count == 2 and report.complete and report.exact_ranking
    by_route = {p.nodes: p for p in report.paths}
    assert set(by_route) == {("t", "x", "z"), ("t", "y", "z")}
    through_x, through_y = by_route[("t", "x", "z")], by_route[("t", "y", "z")]
    # ∂z/∂x · dx/dt = y · 2t and ∂z/∂y · dy/dt = x · eᵗ, the loss end first
    assert [(f.target, f.source) for f in through_x.factors] == [("z", "x"), ("x", "t")]
    assert [f.number for f in through_x.factors] == pytest.approx([math.exp(0.5), 1.0])
    assert [f.number for f in through_y.factors] == pytest.approx([0.25, math.exp(0.5)])
    for path in report.paths:
        assert path.scalar and path.product == pytest.approx(float(path.contribution), rel=1e-15)
    total = float(report.listed_sum)
    assert total == pytest.approx(1.25 * math.exp(0.5), rel=1e-14)
    assert total == pytest.approx(float(grads["t"]), rel=1e-14)
    check = check_node(g, "t", grads["t"])
    assert check.agrees and float(check.numeric) == pytest.approx(total, rel=1e-8)


def test_the_chain_rule_example_is_one_path_whose_product_is_95_0625():
    g = chain(1.5)
    g.backward()
    report = paths_to_loss(g.trace, "x")
    assert report.count == 1
    (path,) = report.paths
    assert path.nodes == ("x", "sq", "u", "y")
    assert [f.kind for f in path.factors] == [SCALAR] * 3
    assert [f.number for f in path.factors] == [31.6875, 1.0, 3.0]   # 3u², 1, 2x
    assert path.product == 95.0625 and float(report.gradient) == 95.0625
    assert path.edges == (("x", "sq", 0), ("sq", "u", 0), ("u", "y", 0))


def test_a_tensor_step_has_no_made_up_local_derivative_but_the_path_is_exact():
    g = matmul_sum(np.array([[1.0], [2.0], [-1.0]]))
    grads = g.backward()
    (path,) = paths_to_loss(g.trace, "b").paths
    assert [f.kind for f in path.factors] == [JACOBIAN, JACOBIAN]
    assert all(f.value is None for f in path.factors) and path.product is None
    np.testing.assert_allclose(path.contribution, grads["b"], rtol=1e-15)


def test_elementwise_steps_and_an_mlp_sum_over_its_paths():
    g = build([("x", "input", np.array([[0.5, -1.0], [2.0, 0.1]])), ("h", "tanh"),
               ("m", "mul"), ("L", "sum")],
              [("x", "h", 0), ("h", "m", 0), ("x", "m", 1), ("m", "L", 0)])
    grads = g.backward()
    report = paths_to_loss(g.trace, "x")
    assert report.count == 2 and not report.exact_ranking
    kinds = {p.nodes: [f.kind for f in p.factors] for p in report.paths}
    assert kinds[("x", "h", "m", "L")] == [JACOBIAN, ELEMENTWISE, ELEMENTWISE]
    np.testing.assert_allclose(report.listed_sum, grads["x"], rtol=1e-14)


def test_x_times_x_is_two_paths_one_per_input_port():
    g = build([("x", "input", 3.0), ("y", "mul")], [("x", "y", 0), ("x", "y", 1)])
    g.backward()
    report = paths_to_loss(g.trace, "x")
    assert report.count == 2
    assert sorted(p.edges for p in report.paths) == [(("x", "y", 0),), (("x", "y", 1),)]
    assert [p.product for p in report.paths] == [3.0, 3.0]


def test_the_loss_itself_unreached_nodes_and_no_loss():
    g = build([("x", "input", 2.0), ("c", "constant", 5.0), ("y", "neg")], [("x", "y", 0)])
    g.loss = "y"
    g.backward()
    itself = paths_to_loss(g.trace, "y")
    assert itself.count == 1 and itself.paths[0].factors == () and itself.paths[0].product == 1
    unreached = paths_to_loss(g.trace, "c")
    assert unreached.count == 0 and "does not depend on 'c'" in unreached.reason
    assert paths_to_loss(None, "x").reason == "no loss to differentiate"


def test_exponentially_many_paths_are_counted_exactly_and_the_largest_listed():
    g = ladder(12)
    grads = g.backward()
    report = paths_to_loss(g.trace, "a0", limit=5)
    assert report.count == 2 ** 12 == count_paths(g.trace, "a0")
    assert len(report.paths) == 5 and report.hidden == 2 ** 12 - 5
    brute = every_path(g, "a0", "L")
    assert len(brute) == 2 ** 12
    locals_ = {(s.source, s.target, s.port): float(g.trace.local_derivative(i))
               for i, s in enumerate(g.trace.backward_steps)}
    products = sorted((math.prod(locals_[e] for e in p) for p in brute), key=abs, reverse=True)
    assert [abs(float(p.contribution)) for p in report.paths] == \
        pytest.approx([abs(x) for x in products[:5]], rel=1e-12)
    assert float(report.rest) == pytest.approx(sum(products[5:]), rel=1e-9, abs=1e-12)
    assert float(report.listed_sum + report.rest) == pytest.approx(float(grads["a0"]))


def test_a_ladder_of_two_to_the_300_paths_is_summarised_with_bounded_work(monkeypatch):
    """Enumerating 2**300 paths would never finish; the work is bounded by edges × limit."""
    g = ladder(300)
    g.backward()
    trace = g.trace
    edges = len(trace.backward_steps)
    calls = []
    original = type(trace).local_derivative
    monkeypatch.setattr(type(trace), "local_derivative",
                        lambda self, i: calls.append(i) or original(self, i))
    report = paths_to_loss(trace, "a0", limit=8)
    assert report.count == 2 ** 300
    assert len(report.paths) == 8 and not report.complete
    assert len(set(calls)) <= edges and len(calls) <= 2 * edges
    assert all(len(p.nodes) == 302 for p in report.paths)


def test_tensor_paths_beyond_the_limit_cost_at_most_edges_times_limit_backward_calls(
        monkeypatch):
    nodes, edges = [("x", "input", np.linspace(-1, 1, 6).reshape(2, 3))], []
    previous = ["x"]
    for k in range(8):   # every layer: tanh and sigmoid of the sum of the previous layer
        nodes += [(f"s{k}", "add"), (f"t{k}", "tanh"), (f"g{k}", "sigmoid")]
        a, b = (previous * 2)[:2]
        edges += [(a, f"s{k}", 0), (b, f"s{k}", 1), (f"s{k}", f"t{k}", 0),
                  (f"s{k}", f"g{k}", 0)]
        previous = [f"t{k}", f"g{k}"]
    nodes += [("last", "add"), ("L", "sum")]
    edges += [(previous[0], "last", 0), (previous[1], "last", 1), ("last", "L", 0)]
    g = build(nodes, edges)
    grads = g.backward()
    calls = []
    monkeypatch.setattr(paths, "_pass_back",
                        lambda *args, real=paths._pass_back: calls.append(1) or real(*args))
    report = paths_to_loss(g.trace, "x", limit=4)
    assert len(calls) <= 4 * len(g.trace.backward_steps)
    assert report.count == 2 * 2 ** 8
    assert len(report.paths) == 4
    np.testing.assert_allclose(report.listed_sum + report.rest, grads["x"], rtol=1e-12)
    small = paths_to_loss(g.trace, "x", limit=10 ** 4)   # everything: the exact sum
    assert small.complete
    np.testing.assert_allclose(small.listed_sum, grads["x"], rtol=1e-12)
    assert len(small.paths) == 512


def test_check_node_samples_a_big_tensor_and_catches_a_wrong_gradient():
    x = np.linspace(-2, 2, 300).reshape(20, 15)
    g = build([("x", "input", x), ("h", "tanh"), ("L", "sum")], [("x", "h", 0), ("h", "L", 0)])
    grads = g.backward()
    check = check_node(g, "x", grads["x"], max_elements=32)
    assert check.size == 300 and 2 <= check.checked <= 32
    assert check.agrees and check.difference < 1e-7
    assert np.isnan(check.numeric).sum() == 300 - check.checked
    worst = np.unravel_index(np.argmax(np.abs(grads["x"])), x.shape)
    assert not np.isnan(check.numeric[worst])      # the largest gradient is always checked
    wrong = grads["x"].copy()
    wrong[worst] += 0.1
    assert not check_node(g, "x", wrong, max_elements=32).agrees
    assert check_node(g, "x", grads["x"]).checked == 64
