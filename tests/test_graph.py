"""Graph editing and validation: ids, attrs, connections, messages that name the node."""
import numpy as np
import pytest

from engine import Graph, GraphError, Kind, Problem
from engine.graph import Edge
from graphs import chain, two_paths


# ---------------------------------------------------------------- editing
def test_add_node_merges_attrs_over_defaults_and_converts_values():
    g = Graph()
    node = g.add_node("a", "leaky_relu")
    assert node.attrs == {"slope": 0.01}
    x = g.add_node("x", "input", value=[[1, 2]])
    assert x.value.dtype == np.float64 and x.value.shape == (1, 2)
    assert g.add_node("s", "input", value=3).value.shape == ()
    assert g.node_ids() == ["a", "x", "s"]


@pytest.mark.parametrize("call, message", [
    (lambda g: g.add_node("x", "input"), "node 'x': this id is already used"),
    (lambda g: g.add_node("q", "frobnicate"), "node 'q': unknown op 'frobnicate'"),
    (lambda g: g.add_node("q", "leaky_relu", {"slope": "steep"}), "node 'q': bad attr"),
    (lambda g: g.add_node("q", "sum", {"colour": 1}), "unknown attr 'colour'"),
    (lambda g: g.add_node("q", "mul", value=1.0), "only input, constant and parameter"),
    (lambda g: g.add_node("q", "input", value=[[1], [1, 2]]), "rectangular list"),
    (lambda g: g.add_node("", "input"), "non-empty string"),
])
def test_add_node_refuses_with_a_reason(call, message):
    g = Graph()
    g.add_node("x", "input", value=1.0)
    with pytest.raises(GraphError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call(g)
    assert g.node_ids() == ["x"]


def test_version_bumps_on_structure_and_attrs_but_not_on_values():
    g = chain()
    v = g.version
    g.set_value("x", 2.0)
    g.set_position("x", (10, 20))
    assert g.version == v
    g.set_attr("y", "exponent", 4)
    assert g.version == v + 1
    g.disconnect("u", 1)
    assert g.version == v + 2


def refusal(problem):
    """(kind, message) of a can_connect answer."""
    return None if problem is None else (problem.kind, problem.message)


def test_can_connect_reasons():
    g = chain()
    g.add_node("m", "mul")
    assert g.can_connect("x", "m", 0) is None
    assert refusal(g.can_connect("m", "m", 0)) == (Kind.SELF_LOOP, "a node cannot feed itself")
    assert refusal(g.can_connect("x", "m", 2)) == (Kind.PORT,
                                                   "port 2 out of range: mul has 2 inputs")
    assert refusal(g.can_connect("x", "one", 0)) == (
        Kind.PORT, "port 0 out of range: constant has no inputs")
    assert refusal(g.can_connect("x", "u", 0)) == (Kind.OCCUPIED,
                                                   "input 0 of 'u' is already connected")
    assert refusal(g.can_connect("y", "sq", 0)) == (Kind.OCCUPIED,
                                                    "input 0 of 'sq' is already connected")
    g.disconnect("sq", 0)
    problem = g.can_connect("y", "sq", 0)
    assert refusal(problem) == (Kind.CYCLE, "would create a cycle: y → sq → u → y")
    assert (problem.node, problem.port) == ("sq", 0)
    assert refusal(g.can_connect("nope", "m", 0)) == (Kind.NO_NODE, "no node 'nope'")
    assert g.can_connect("x", "m", "0").kind is Kind.PORT
    with pytest.raises(GraphError) as err:
        g.connect("y", "sq", 0)
    assert err.value.kind is Kind.CYCLE and (err.value.node, err.value.port) == ("sq", 0)
    with pytest.raises(GraphError, match="would create a cycle"):
        g.connect("y", "sq", 0)


def test_disconnect_returns_old_source_and_input_sources_follow():
    g = chain()
    assert g.input_sources("u") == ["sq", "one"]
    assert g.disconnect("u", 1) == "one"
    assert g.disconnect("u", 1) is None
    assert g.input_sources("u") == ["sq", None]


def test_remove_node_removes_its_edges_and_clears_the_loss():
    g = chain()
    g.loss = "y"
    g.remove_node("u")
    assert [(e.source, e.target) for e in g.edges()] == [("x", "sq")]
    assert g.loss == "y"
    g.remove_node("y")
    assert g.loss is None
    with pytest.raises(GraphError, match="no node 'u'"):
        g.node("u")


def test_rename_keeps_order_edges_and_loss():
    g = chain()
    g.loss = "y"
    g.rename_node("u", "inner")
    assert g.node_ids() == ["x", "sq", "one", "inner", "y"]
    assert g.input_sources("y") == ["inner"]
    assert g.input_sources("inner") == ["sq", "one"]
    g.rename_node("y", "out")
    assert g.loss == "out"
    assert float(g.backward()["x"]) == pytest.approx(95.0625)
    with pytest.raises(GraphError, match="already used"):
        g.rename_node("x", "sq")


def test_new_id_and_copy():
    g = chain()
    assert g.new_id("mul") == "mul"
    g.add_node("mul", "mul")
    assert g.new_id("mul") == "mul2"
    assert g.new_id("mul", taken={"mul2"}) == "mul3"
    assert g.new_id("x7") == "x7" and g.new_id("") == "node"
    c = g.copy()
    c.set_value("x", 9.0)
    assert float(g.node("x").value) == 1.5
    assert [e for e in c.edges()] == g.edges()


def test_parameter_without_value_is_initialised_from_attrs():
    g = Graph()
    g.add_node("W", "parameter", {"init": "xavier", "shape": [3, 2], "seed": 4})
    g.add_node("s", "sum")
    g.connect("W", "s", 0)
    first = g.forward()["W"]
    assert first.shape == (3, 2) and np.all(first != 0)
    g.set_attr("W", "seed", 5)   # changing the init attrs re-initialises
    assert not np.allclose(g.forward()["W"], first)
    g.set_attr("W", "seed", 4)
    assert np.array_equal(g.forward()["W"], first)
    g.set_value("W", np.ones((3, 2)))
    version = g.version
    g.set_attr("W", "seed", 4)   # the same value again: nothing changes, the value stays
    assert g.version == version and np.all(g.node("W").value == 1.0)


# ---------------------------------------------------------------- validation
def test_check_names_node_and_cause():
    g = Graph()
    g.add_node("a", "input", value=np.ones((4, 2)))
    g.add_node("b", "input", value=np.ones((3, 1)))
    g.add_node("h1", "matmul")
    g.add_node("m", "mul")
    g.add_node("x", "input")
    g.add_node("after", "relu")
    g.connect("a", "h1", 0)
    g.connect("b", "h1", 1)
    g.connect("a", "m", 0)
    g.connect("h1", "after", 0)
    problems = g.check()
    assert "(4, 2)" in problems["h1"].message and "(3, 1)" in problems["h1"].message
    assert problems["h1"].kind is Kind.SHAPE
    assert problems["m"].message == "input 1 (b) of 'm' is not connected"
    assert (problems["m"].kind, problems["m"].port, problems["m"].ports) == (Kind.UNCONNECTED,
                                                                            1, (1,))
    assert (problems["x"].kind, problems["x"].message) == (Kind.MISSING_VALUE,
                                                           "this input has no value")
    assert "after" not in problems          # downstream of an error: no second error
    shapes = g.infer_shapes()
    assert shapes["a"] == (4, 2) and "h1" not in shapes and "after" not in shapes
    with pytest.raises(GraphError, match="node 'x': this input has no value"):
        g.forward()
    g.set_value("x", 1.0)
    with pytest.raises(GraphError) as err:
        g.forward()
    assert err.value.node == "h1" and str(err.value).startswith("node 'h1': ")


def test_every_unconnected_input_is_named():
    g = Graph()
    g.add_node("m", "mse")
    (problem,) = g.check().values()
    assert problem == Problem(Kind.UNCONNECTED,
                              "inputs 0 (prediction), 1 (target) of 'm' are not connected",
                              "m", 0, (0, 1))
    assert problem.unfinished


def test_check_and_infer_shapes_never_raise_and_are_cached():
    g = chain()
    assert g.check() == {}
    assert g.infer_shapes() == {"x": (), "sq": (), "one": (), "u": (), "y": ()}
    assert g.check() is not g.check()        # callers get their own dict


def test_non_scalar_loss_is_named_with_its_shape():
    g = Graph()
    g.add_node("x", "input", value=np.ones((4, 1)))
    g.add_node("h", "tanh")
    g.connect("x", "h", 0)
    expected = "loss must be a scalar: add a sum or mean node (its shape is (4, 1))"
    assert g.check() == {"h": Problem(Kind.LOSS_SHAPE, expected, "h")}
    with pytest.raises(GraphError) as err:
        g.backward()
    assert err.value.node == "h" and err.value.message == expected
    assert err.value.kind is Kind.LOSS_SHAPE
    g.forward()   # forward needs no loss
    with pytest.raises(GraphError, match="loss must be a scalar"):
        g.loss_node()


def test_several_sinks_without_a_loss_are_named():
    g = two_paths()
    g.add_node("c", "constant", value=2.0)
    g.add_node("d", "neg")
    g.connect("c", "d", 0)
    with pytest.raises(GraphError, match=r"several sinks \(z, d\)"):
        g.backward()
    assert "several sinks (z, d)" in g.loss_problem().message
    assert g.loss_problem().kind is Kind.SEVERAL_SINKS
    g.loss = "z"
    assert g.loss_problem() is None
    assert float(g.backward()["t"]) == pytest.approx(1.25 * np.exp(0.5))
    assert float(g.backward(of="d")["c"]) == -1.0


def test_empty_graph_and_unknown_loss():
    g = Graph()
    with pytest.raises(GraphError, match="empty"):
        g.backward()
    with pytest.raises(GraphError, match="no node 'q'"):
        g.loss = "q"


def test_non_finite_values_name_the_node():
    g = Graph()
    g.add_node("x", "input", value=0.0)
    g.add_node("L", "log")
    g.connect("x", "L", 0)
    with pytest.raises(GraphError) as err:
        g.forward()
    assert str(err.value) == "node 'L': log of a non-positive value produced -inf"
    g.set_value("x", -1.0)
    with pytest.raises(GraphError, match="node 'L': log of a non-positive value produced nan"):
        g.forward()
    g.set_value("x", np.inf)
    with pytest.raises(GraphError, match=r"node 'x': its value is not finite \(inf\)"):
        g.forward()
    assert g.check() == {"x": Problem(Kind.NONFINITE, "its value is not finite (inf)", "x")}


def test_non_finite_gradient_names_the_node():
    g = Graph()
    g.add_node("x", "input", value=0.0)
    g.add_node("r", "sqrt")
    g.connect("x", "r", 0)
    assert float(g.forward()["r"]) == 0.0
    with pytest.raises(GraphError, match="node 'r': the gradient sqrt sends to 'x' is inf: the derivative of sqrt is inf here"):
        g.backward()


def test_feeds_replace_leaf_values_for_one_pass():
    g = chain()
    assert float(g.forward({"x": 2.0})["y"]) == 125.0
    assert float(g.backward()["x"]) == pytest.approx(6 * 2 * 25)
    assert float(g.node("x").value) == 1.5
    with pytest.raises(GraphError, match="node 'u': cannot feed it"):
        g.forward({"u": 1.0})
    with pytest.raises(GraphError, match="node 'x': the fed value is not finite"):
        g.forward({"x": np.nan})


def test_input_without_value_can_be_fed():
    g = chain()
    g.set_value("x", None)
    with pytest.raises(GraphError, match="node 'x': this input has no value"):
        g.forward()
    assert float(g.forward({"x": 0.0})["y"]) == 1.0


def test_a_cycle_slipped_in_behind_the_api_is_named():
    g = two_paths()
    g.disconnect("x", 0)
    # connect() refuses cycles; simulate a graph that holds one anyway
    g._edges[("x", 0)] = Edge("z", "x", 0)
    g.nx.add_edge("z", "x", key=0)
    g.version += 1
    problems = g.check()
    assert problems["x"].message.startswith("part of a cycle: ")
    assert problems["x"].kind is Kind.CYCLE and problems["z"].node == "z"
    assert set(problems) == {"x", "z"}
    with pytest.raises(GraphError, match="part of a cycle"):
        g.forward()


def test_reorder_restores_node_and_edge_order():
    g = Graph()
    for name in ("a", "b", "c"):
        g.add_node(name, "input", value=1.0)
    g.add_node("s", "add")
    g.connect("a", "s", 0)
    g.connect("b", "s", 1)
    g.reorder(["c", "s", "a"], [("s", 1), ("s", 0)])
    assert g.node_ids() == ["c", "s", "a", "b"]
    assert [(e.target, e.port) for e in g.edges()] == [("s", 1), ("s", 0)]
