"""Forward and backward passes: the chain rule, accumulation over paths, the cached plan."""
import numpy as np
import pytest

from engine import Graph, GraphError
from engine.gradcheck import check_gradients, numeric_gradient
from graphs import build, chain, matmul_sum, two_paths


@pytest.mark.parametrize("x", [-2.0, -0.3, 0.0, 0.7, 1.5, 3.0])
def test_chain_rule_seed_example(x):
    g = chain(x)
    assert float(g.forward()["y"]) == pytest.approx((x * x + 1) ** 3)
    assert float(g.backward()["x"]) == pytest.approx(6 * x * (x * x + 1) ** 2, rel=1e-12)


@pytest.mark.parametrize("t", [-1.0, 0.0, 0.5, 2.0])
def test_two_paths_gradients_add_up(t):
    g = two_paths(t)
    grads = g.backward()
    x, y = t * t, np.exp(t)
    along_x = y * 2 * t       # ∂z/∂x · dx/dt
    along_y = x * np.exp(t)   # ∂z/∂y · dy/dt
    assert float(grads["t"]) == pytest.approx(along_x + along_y, rel=1e-12)
    into_t = [s.contribution for s in g.trace.backward_steps if s.source == "t"]
    assert sorted(float(c) for c in into_t) == pytest.approx(sorted([along_x, along_y]))


def test_mul_x_x_uses_two_edges_and_accumulates():
    g = Graph()
    g.add_node("x", "input", value=3.0)
    g.add_node("m", "mul")
    g.connect("x", "m", 0)
    g.connect("x", "m", 1)
    assert sorted(k for _, _, k in g.nx.edges(keys=True)) == [0, 1]
    g.forward()
    assert float(g.backward()["x"]) == 6.0


def test_fan_out_to_three_nodes_accumulates_without_mutating():
    g = build([("x", "input", np.array([1.0, 2.0])), ("a", "exp"), ("b", "tanh"), ("c", "neg"),
               ("ab", "add"), ("abc", "add"), ("L", "sum")],
              [("x", "a", 0), ("x", "b", 0), ("x", "c", 0), ("a", "ab", 0), ("b", "ab", 1),
               ("ab", "abc", 0), ("c", "abc", 1), ("abc", "L", 0)])
    x = np.array([1.0, 2.0])
    grads = g.backward()
    expected = np.exp(x) + (1 - np.tanh(x) ** 2) - 1
    np.testing.assert_allclose(grads["x"], expected, rtol=1e-12)
    # add hands one array to both inputs: accumulation must not have written into it
    np.testing.assert_array_equal(grads["ab"], np.ones(2))
    np.testing.assert_array_equal(grads["c"], np.ones(2))
    assert max(check_gradients(g).values()) < 1e-7


def test_two_backward_passes_give_identical_gradients():
    g = two_paths()
    first = {k: v.copy() for k, v in g.backward().items()}
    second = g.backward()
    assert first.keys() == second.keys()
    for k in first:
        np.testing.assert_array_equal(first[k], second[k])


def test_nodes_the_loss_ignores_get_zeros_of_their_shape():
    g = chain()
    g.add_node("side", "input", value=np.ones((2, 3)))
    g.add_node("side_sum", "sum")
    g.connect("side", "side_sum", 0)
    g.loss = "y"
    grads = g.backward()
    np.testing.assert_array_equal(grads["side"], np.zeros((2, 3)))
    assert grads["side_sum"].shape == ()
    assert "side" not in {s.source for s in g.trace.backward_steps}


def test_backward_runs_forward_when_values_are_stale():
    g = chain()
    g.forward()
    g.set_value("x", 2.0)
    assert float(g.backward()["x"]) == pytest.approx(6 * 2 * 25)


def test_plan_is_cached_until_the_structure_changes():
    g = chain()
    g.forward()
    plan = g.plan()
    g.set_value("x", 0.25)
    g.forward()
    assert g.plan() is plan
    g.set_attr("y", "exponent", 2)
    assert g.plan() is not plan
    assert float(g.forward()["y"]) == pytest.approx((0.25 ** 2 + 1) ** 2)


def test_shape_change_of_a_leaf_is_revalidated():
    g = matmul_sum()
    g.forward()
    g.set_value("b", np.ones((2, 1)))
    with pytest.raises(GraphError) as err:
        g.forward()
    assert err.value.node == "m" and "(2, 3)" in err.value.message


def test_thousand_node_chain_forward_and_backward():
    g = Graph()
    g.add_node("n0", "input", value=0.5)
    for i in range(1, 1001):
        g.add_node(f"n{i}", "mul" if i % 2 else "tanh")
        g.connect(f"n{i - 1}", f"n{i}", 0)
        if i % 2:
            g.add_node(f"k{i}", "constant", value=1.001)
            g.connect(f"k{i}", f"n{i}", 1)
    g.loss = "n1000"
    values = g.forward()
    grads = g.backward()
    x, d = 0.5, 1.0
    for i in range(1, 1001):
        if i % 2:
            x, d = x * 1.001, d * 1.001
        else:
            x, d = np.tanh(x), d * (1 - np.tanh(x) ** 2)
    assert float(values["n1000"]) == pytest.approx(x, rel=1e-12)
    assert float(grads["n0"]) == pytest.approx(d, rel=1e-10)
    assert len(g.trace.backward_steps) == 1500


def test_numeric_gradient_of_an_intermediate_node():
    g = chain(0.7)
    g.backward()
    u = 0.7 ** 2 + 1
    assert float(numeric_gradient(g, "u")) == pytest.approx(3 * u * u, rel=1e-8)
    assert float(numeric_gradient(g, "x")) == pytest.approx(6 * 0.7 * u * u, rel=1e-8)
    assert g.trace.loss == "y"   # the graph's own results are left alone


def test_a_one_element_loss_of_any_rank_is_seeded_with_ones_of_its_shape():
    g = Graph()
    g.add_node("x", "input", value=[[0.5, -1.0]])
    g.add_node("W", "parameter", value=[[0.1], [0.2]])
    g.add_node("mm", "matmul")
    g.connect("x", "mm", 0)
    g.connect("W", "mm", 1)
    assert g.check() == {}
    grads = g.backward()
    np.testing.assert_array_equal(grads["mm"], np.ones((1, 1)))
    np.testing.assert_allclose(grads["W"], [[0.5], [-1.0]])
    assert g.trace.backward_steps[0].upstream.shape == (1, 1)


# ------------------------------------------------------------------ insertion order is not run order
def consumer_first(graph_builder):
    """The same graph with its nodes added in reverse (every consumer before its inputs)."""
    from engine import Graph
    original = graph_builder()
    g = Graph()
    for nid in reversed(original.node_ids()):
        node = original.node(nid)
        g.add_node(nid, node.op, dict(node.attrs), node.value)
    for edge in original.edges():
        g.connect(edge.source, edge.target, edge.port)
    g.loss = original.loss
    return original, g


@pytest.mark.parametrize("builder", [chain, two_paths, matmul_sum])
def test_nodes_added_consumer_first_run_in_topological_order(builder):
    original, reordered = consumer_first(builder)
    assert reordered.node_ids() == list(reversed(original.node_ids()))
    expected = original.backward()
    got = reordered.backward()
    for nid in original.node_ids():
        np.testing.assert_allclose(got[nid], expected[nid], rtol=1e-15)
    order = [s.node for s in reordered.trace.forward_steps]
    for step in reordered.trace.forward_steps:   # every input computed before its consumer
        assert all(order.index(i) < order.index(step.node) for i in step.inputs if i in order)


def test_a_file_listing_consumers_first_loads_and_runs(tmp_path):
    import json

    import engine
    doc = {"format": "backprop-studio-graph", "version": 1,
           "nodes": [{"id": "z", "op": "mul"}, {"id": "y", "op": "exp"},
                     {"id": "x", "op": "pow", "attrs": {"exponent": 2}},
                     {"id": "t", "op": "input", "value": 0.5}],
           "edges": [{"source": "x", "target": "z", "port": 0},
                     {"source": "y", "target": "z", "port": 1},
                     {"source": "t", "target": "x", "port": 0},
                     {"source": "t", "target": "y", "port": 0}]}
    path = tmp_path / "consumer_first.json"
    path.write_text(json.dumps(doc))
    g = engine.load_graph(path)
    assert float(g.backward()["t"]) == pytest.approx(1.25 * np.exp(0.5))
