"""The network builder and its edits: the examples' ids, initialisers and layout; its default
networks train the built-in data sets; adding or removing a layer or a unit keeps every other
weight exactly, and the edit is one list of changes that turns the old graph into the new."""
import json

import numpy as np
import pytest

import engine
from conftest import EXAMPLES
from engine.networks import editing
from engine.networks.builder import NetworkSpec, build_network, sample_rows
from engine.networks.graph_edit import apply_edit, graph_edit
from engine.networks.layers import recognize
from engine.training.datasets import make_dataset
from engine.training.trainer import Trainer
from network_graphs import hand_built

LOSS_OF_TASK = {"binary": "sigmoid_bce", "multiclass": "softmax_ce", "regression": "mse"}


@pytest.mark.parametrize("name", ["xor_mlp", "spiral_classifier", "iris_classifier",
                                  "fruit_classifier", "sine_regression"])
def test_the_builder_writes_the_shipped_examples_node_for_node(name):
    doc = json.loads((EXAMPLES / f"{name}.json").read_text())
    nodes = {n["id"]: n for n in doc["nodes"]}
    widths = (nodes["W1"]["attrs"]["shape"][0], nodes["W1"]["attrs"]["shape"][1],
              nodes["W2"]["attrs"]["shape"][1])
    sample = (nodes["x"]["value"], nodes["y"]["value"])
    spec = NetworkSpec.of(widths[0], widths[2], nodes["loss"]["op"], widths[1:2])
    built = engine.graph_to_dict(build_network(spec, sample))
    assert built["nodes"] == doc["nodes"]       # ids, ops, attrs, values, positions, order
    assert built["edges"] == doc["edges"] and built["loss"] == "loss"


def test_deeper_networks_follow_the_same_naming_and_layout():
    graph = build_network(NetworkSpec(3, 4, "softmax_ce", (5, 6), ("relu", "sigmoid"), seed=7))
    assert graph.node_ids() == ["x", "W1", "xW1", "b1", "z1", "h1", "W2", "h1W2", "b2", "z2",
                                "h2", "W3", "h2W3", "b3", "logits", "y", "loss"]
    assert [graph.node(n).attrs for n in ("W1", "W2", "W3")] == [
        {"init": "he", "shape": [3, 5], "seed": 7}, {"init": "xavier", "shape": [5, 6],
                                                     "seed": 8},
        {"init": "xavier", "shape": [6, 4], "seed": 9}]
    assert graph.node("h1").op == "relu" and graph.node("h2").op == "sigmoid"
    xs = [graph.node(n).position[0] for n in ("x", "xW1", "z1", "h1", "h1W2", "z2", "h2",
                                              "h2W3", "logits", "loss")]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)
    assert graph.check() == {} and recognize(graph).widths == (3, 5, 6, 4)
    regression = build_network(NetworkSpec.of(2, 1, "mse", ()))
    assert regression.input_sources("loss")[0] == "prediction"
    assert "A 3-5-6-4 network from the builder" in graph.extra["description"]


def test_bad_specs_are_refused_in_one_line():
    for spec, message in [(lambda: NetworkSpec(0, 1), "inputs must be"),
                          (lambda: NetworkSpec(2, 1, "hinge"), "unknown loss 'hinge'"),
                          (lambda: NetworkSpec(2, 1, hidden=(4, 4)), "2 hidden layers need"),
                          (lambda: NetworkSpec(2, 1, activations=("gelu",)),
                           "unknown activation 'gelu'")]:
        with pytest.raises(ValueError, match=message):
            spec()


# The shipped examples on these sets: xor_mlp reaches accuracy 1.0 and sine_regression a loss
# of 0.0140; spiral_classifier reaches 1.0 with 24 hidden units and lr 0.03 in 2000 steps —
# the builder's default 16 units at lr 0.01 get there too, in 6000 steps. circles, moons and
# linear have no example: the bar is every row right, and the noise floor (noise 0.1).
BUILT_IN = {   # name: (data options, steps, accuracy at least, loss at most)
    "xor": ({"n": 200, "noise": 0.1, "seed": 0}, 250, 1.0, None),
    "circles": ({}, 750, 1.0, None),
    "moons": ({}, 1250, 1.0, None),
    "spiral": ({"n": 300, "noise": 0.05, "seed": 0, "classes": 3}, 6000, 1.0, None),
    "linear": ({}, 250, None, 0.012),
    "sine": ({"n": 200, "noise": 0.1, "seed": 0}, 1250, None, 0.0140),
}


@pytest.mark.parametrize("name", BUILT_IN)
def test_the_builders_defaults_train_every_built_in_data_set(name):
    options, steps, accuracy, loss = BUILT_IN[name]
    data = make_dataset(name, **options)
    rows = sample_rows(data.Y, data.task != "regression")
    spec = NetworkSpec.of(data.X.shape[1], data.Y.shape[1], LOSS_OF_TASK[data.task])
    graph = build_network(spec, (data.X[rows], data.Y[rows]))
    graph.extra["data"] = {"dataset": name, **options, "features": "x", "targets": "y"}
    graph.extra["training"] = {"optimizer": "adam", "lr": 0.01, "batch_size": 32,
                               "steps": 2000, "seed": 0}
    trainer = Trainer(graph)
    trainer.run(steps)
    metrics = trainer.metrics()
    if accuracy is not None:
        assert metrics["accuracy"] >= accuracy, metrics
    if loss is not None:
        assert metrics["loss"] <= loss, metrics


# ------------------------------------------------------------------ edits
def values(graph):
    return {n: graph.node(n).value for n in graph.node_ids()
            if graph.node(n).op == "parameter"}


def assert_one_edit(old, new):
    """graph_edit(old, new) applied to a copy of old gives new, and old is untouched."""
    before = engine.graph_to_dict(old)
    copy = old.copy()
    apply_edit(copy, graph_edit(old, new))
    assert engine.graph_to_dict(copy) == engine.graph_to_dict(new)
    assert engine.graph_to_dict(old) == before
    assert new.check() == {}, new.check()


@pytest.fixture
def net():
    return build_network(NetworkSpec(3, 2, "softmax_ce", (4, 5), ("tanh", "relu"), seed=3))


def test_adding_a_unit_keeps_every_weight_and_draws_only_the_new_ones(net):
    new = editing.add_unit(net, 1)
    old, now = values(net), values(new)
    assert recognize(new).widths == (3, 5, 5, 2)
    assert np.array_equal(now["W1"][:, :4], old["W1"]) and now["W1"].shape == (3, 5)
    assert np.array_equal(now["b1"][:4], old["b1"]) and now["b1"][4] == 0
    assert np.array_equal(now["W2"][:4], old["W2"]) and now["W2"].shape == (5, 5)
    assert np.any(now["W1"][:, 4] != 0) and np.any(now["W2"][4] != 0)
    for untouched in ("b2", "W3", "b3"):
        assert np.array_equal(now[untouched], old[untouched])
    assert new.node("W1").attrs["shape"] == [3, 5]
    assert engine.graph_to_dict(editing.add_unit(net, 1)) == engine.graph_to_dict(new)
    assert_one_edit(net, new)


def test_removing_a_unit_removes_its_row_and_column_only(net):
    new = editing.remove_unit(net, 2, 1)
    old, now = values(net), values(new)
    assert recognize(new).widths == (3, 4, 4, 2)
    assert np.array_equal(now["W2"], np.delete(old["W2"], 1, axis=1))
    assert np.array_equal(now["b2"], np.delete(old["b2"], 1))
    assert np.array_equal(now["W3"], np.delete(old["W3"], 1, axis=0))
    assert all(np.array_equal(now[p], old[p]) for p in ("W1", "b1", "b3"))
    assert_one_edit(net, new)
    with pytest.raises(editing.EditError, match="one unit left"):
        editing.remove_unit(editing.set_units(net, 1, 1), 1)


def test_adding_a_layer_renumbers_and_keeps_the_other_layers(net):
    new = editing.add_layer(net, 1, 6, "sigmoid")
    old, now = values(net), values(new)
    network = recognize(new)
    assert network.widths == (3, 4, 6, 5, 2)
    assert [layer.weight for layer in network.layers] == ["W1", "W2", "W3", "W4"]
    assert [layer.activation for layer in network.layers] == ["tanh", "sigmoid", "relu", None]
    assert np.array_equal(now["W1"], old["W1"]) and np.array_equal(now["b1"], old["b1"])
    assert np.array_equal(now["W3"][:4], old["W2"]) and now["W3"].shape == (6, 5)
    assert np.array_equal(now["b3"], old["b2"]) and np.array_equal(now["W4"], old["W3"])
    assert np.array_equal(now["b4"], old["b3"]) and now["W2"].shape == (4, 6)
    assert new.node_ids()[:12] == ["x", "W1", "xW1", "b1", "z1", "h1", "W2", "h1W2", "b2",
                                   "z2", "h2", "W3"]
    assert "A 3-4-6-5-2 network" in new.extra["description"]
    assert_one_edit(net, new)
    same_width = editing.add_layer(net, 0)      # as wide as what flows there: 3
    assert np.array_equal(values(same_width)["W2"], old["W1"])


def test_removing_a_layer_joins_its_neighbours(net):
    new = editing.remove_layer(net, 1)
    old, now = values(net), values(new)
    assert recognize(new).widths == (3, 5, 2)
    assert np.array_equal(now["W1"][:3], old["W2"][:3]) and now["W1"].shape == (3, 5)
    assert np.array_equal(now["b1"], old["b2"]) and np.array_equal(now["W2"], old["W3"])
    assert new.node("h1").op == "relu"
    assert_one_edit(net, new)
    linear = editing.remove_layer(new, 1)
    assert recognize(linear).widths == (3, 2) and linear.node_ids() == [
        "x", "W1", "xW1", "b1", "logits", "y", "loss"]
    with pytest.raises(editing.EditError, match="no hidden layer"):
        editing.remove_layer(linear, 1)


def test_changing_an_activation_keeps_the_weights(net):
    new = editing.set_activation(net, 1, "leaky_relu")
    assert new.node("h1").op == "leaky_relu"
    assert all(np.array_equal(a, b) for a, b in zip(values(net).values(), values(new).values()))
    assert new.node("W1").attrs["init"] == "he" and new.node_ids() == net.node_ids()
    assert_one_edit(net, new)


def test_edits_on_pytorchs_form_keep_its_names():
    graph = hand_built((3, 4, 2), ["relu"], form="out_in")
    wider = editing.add_unit(graph, 1)
    assert wider.node("fc1.weight").value.shape == (5, 3)
    assert np.array_equal(wider.node("fc1.weight").value[:4], graph.node("fc1.weight").value)
    assert np.array_equal(wider.node("fc2.weight").value[:, :4], graph.node("fc2.weight").value)
    assert_one_edit(graph, wider)
    deeper = editing.add_layer(graph, 1, 3, "tanh")
    network = recognize(deeper)
    assert network.widths == (3, 4, 3, 2)
    assert network.layers[1].weight == "hidden1.weight" and network.layers[1].pre == "hidden1"
    assert network.layers[1].transpose == "hidden1.weight.T"
    assert_one_edit(graph, deeper)
    tanh = editing.set_activation(graph, 1, "tanh")
    assert tanh.node("tanh").op == "tanh" and "relu" not in tanh
    assert_one_edit(graph, tanh)


def test_a_layer_without_an_activation_gets_one():
    graph = hand_built((2, 3, 2), [None], bias=False)
    new = editing.set_activation(graph, 1, "sigmoid")
    assert recognize(new).layers[0].activation == "sigmoid"
    assert_one_edit(graph, new)


def test_edits_name_what_they_cannot_do(net):
    for edit, message in [(lambda: editing.add_unit(net, 3), "the hidden layers are 1 to 2"),
                          (lambda: editing.add_layer(net, 5), "goes after hidden layer 0"),
                          (lambda: editing.set_activation(net, 1, "gelu"), "unknown activation"),
                          (lambda: editing.set_units(net, 1, 0), "at least one unit"),
                          (lambda: editing.remove_unit(net, 1, 9), "units 0 to 3")]:
        with pytest.raises(editing.EditError, match=message):
            edit()


@pytest.mark.parametrize("form", ["in_out", "out_in"])
@pytest.mark.parametrize("bias", [True, False])
def test_the_layout_runs_every_wire_forward_in_both_forms(form, bias):
    """A parameter (and, in PyTorch's form, its transpose) sits left of what it feeds, so no
    wire turns back; no two nodes share a place."""
    from engine.networks.builder import layout
    graph = hand_built((3, 5, 4, 2), ["relu", None], form=form, bias=bias)
    positions = layout(recognize(graph))
    assert set(positions) == set(graph.node_ids())
    assert len(set(positions.values())) == len(positions)
    for edge in graph.edges():
        assert positions[edge.source][0] < positions[edge.target][0], edge
