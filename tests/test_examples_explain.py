"""Examples explain themselves: each has a description and "try" lines that survive a save;
vanishing_gradients shows the vanishing-gradient badge on its early nodes until its sigmoids
are changed in place (Graph.change_op); the player's steps (engine/steps.py) are the ones the
timeline shows."""
import json

import numpy as np
import pytest

from conftest import EXAMPLES
from engine import GraphError, Kind, load_graph, save_graph
from engine.health import VANISHING, gradient_health
from engine.io import dumps
from engine.steps import frame_count, player_steps
from gui.player.timeline import Timeline

PINNED = {"chain_rule", "two_paths", "neuron", "xor_mlp", "spiral_classifier",
          "sine_regression", "softmax_classifier", "iris_classifier", "fruit_classifier",
          "vanishing_gradients"}
NAMES = sorted(p.stem for p in EXAMPLES.glob("*.json"))
SIGMOIDS = [f"s{k}" for k in range(1, 11)]


def test_the_pinned_examples_are_shipped():
    assert PINNED <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_every_example_loads_with_a_description_and_try_lines(name):
    path = EXAMPLES / f"{name}.json"
    graph = load_graph(path)
    assert dumps(graph) == path.read_text()          # canonical: save → load → save is stable
    assert isinstance(graph.extra.get("description"), str) and len(graph.extra["description"]) > 40
    tries = graph.extra.get("try")
    assert isinstance(tries, list) and len(tries) >= 2
    assert all(isinstance(t, str) and t.strip() and t.endswith(".") for t in tries)


def test_try_lines_are_kept_on_save(tmp_path):
    graph = load_graph(EXAMPLES / "two_paths.json")
    save_graph(graph, tmp_path / "a.json")
    saved = json.loads((tmp_path / "a.json").read_text())
    assert saved["try"] == json.loads((EXAMPLES / "two_paths.json").read_text())["try"]
    save_graph(load_graph(tmp_path / "a.json"), tmp_path / "b.json")
    assert json.loads((tmp_path / "b.json").read_text()) == saved


# ---------------------------------------------------------------- vanishing gradients
def badges(graph) -> dict:
    graph.forward()
    graph.backward()
    return {n: {b.kind for b in found} for n, found in gradient_health(graph.trace).items()}


def test_vanishing_gradients_marks_its_early_nodes():
    graph = load_graph(EXAMPLES / "vanishing_gradients.json")
    assert len(SIGMOIDS) == sum(graph.node(n).op == "sigmoid" for n in graph.node_ids())
    found = badges(graph)
    vanishing = {n for n, kinds in found.items() if VANISHING in kinds}
    assert {"x", "w1", "z", "s1"} <= vanishing
    assert not vanishing & {"s9", "s10", "w_out", "b"}
    assert abs(float(graph.grads["w1"])) < 1e-6 * abs(float(graph.grads["w_out"]))


@pytest.mark.parametrize("op", ["relu", "tanh"])
def test_changing_the_sigmoids_in_place_removes_the_badges(op):
    graph = load_graph(EXAMPLES / "vanishing_gradients.json")
    edges = [(e.source, e.target, e.port) for e in graph.edges()]
    for node in SIGMOIDS:
        graph.change_op(node, op)
    assert badges(graph) == {}
    assert [(e.source, e.target, e.port) for e in graph.edges()] == edges
    assert abs(float(graph.grads["w1"])) > 1e-2


# ---------------------------------------------------------------- change an op in place
def test_change_op_keeps_id_wires_value_and_position_and_computes_the_new_op():
    graph = load_graph(EXAMPLES / "neuron.json")
    position = graph.node("o").position
    assert graph.change_op("o", "relu") == ("tanh", {})
    node = graph.node("o")
    assert (node.op, node.position) == ("relu", position)
    assert graph.input_sources("o") == ["n"] and ("loss", 0) in graph.consumers("o")
    values = graph.forward()
    assert float(values["o"]) == max(float(values["n"]), 0.0)
    grads = graph.backward()
    assert float(grads["n"]) == float(grads["o"])        # relu passes a positive input on


def test_change_op_keeps_shared_attrs_and_refuses_another_arity():
    graph = load_graph(EXAMPLES / "xor_mlp.json")
    graph.add_node("total", "sum", attrs={"axis": 0})
    graph.connect("h1", "total", 0)
    graph.change_op("total", "mean")
    assert graph.node("total").attrs == {"axis": 0, "keepdims": False}
    version = graph.version
    with pytest.raises(GraphError, match="arity must be the same") as info:
        graph.change_op("h1", "add")
    assert info.value.kind == Kind.PORT and graph.node("h1").op == "tanh"
    with pytest.raises(GraphError, match="unknown op 'tanhh'"):
        graph.change_op("h1", "tanhh")
    assert graph.version == version
    graph.change_op("z1", "mul")                          # add → mul: same wires
    values = graph.forward()
    np.testing.assert_array_equal(values["z1"], values["xW1"] * values["b1"])


# ---------------------------------------------------------------- the player's steps
@pytest.mark.parametrize("name", ["two_paths", "neuron", "xor_mlp", "used_twice"])
@pytest.mark.parametrize("granularity", ["edge", "node"])
def test_the_engines_steps_are_the_players(name, granularity):
    graph = load_graph(EXAMPLES / f"{name}.json")
    graph.forward()
    graph.backward()
    trace = graph.trace
    has_parameters = any(graph.node(n).op == "parameter" for n in graph.node_ids())
    steps = player_steps(trace, granularity, has_parameters)
    from engine.training.update_preview import preview_update
    update = preview_update(graph.training, trace.values, trace.grads,
                            [n for n in graph.node_ids() if graph.node(n).op == "parameter"])
    timeline = Timeline(trace, graph.node_ids(), [(e.source, e.target, e.port)
                                                  for e in graph.edges()], granularity, update)
    assert len(steps) == timeline.count == frame_count(trace, granularity, has_parameters)
    for step, info in zip(steps, timeline.steps):
        assert (step.index, step.count, step.phase, step.node, step.edges, step.forward_index,
                step.backward_indices) == (info.index, info.count, info.phase, info.node,
                                           info.edges, info.forward_index,
                                           info.backward_indices)
        assert step.caption == info.caption and step.number == info.index + 1
