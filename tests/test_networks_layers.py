"""Dense layers recognised from the structure alone: the shipped examples, hand-built graphs in
both forms (x @ W + b and PyTorch's x @ transpose(W) + b), bias-free layers — and graphs that
are not layered, refused with a reason that names the node."""
import pytest

import engine
from conftest import EXAMPLES
from engine.networks.layers import (FORM_IN_OUT, FORM_OUT_IN, NotLayered, network_or_reason,
                                    recognize)
from network_graphs import hand_built

SHIPPED = {"xor_mlp": (2, 4, 1), "spiral_classifier": (2, 24, 3),
           "softmax_classifier": (3, 3), "iris_classifier": (4, 8, 3),
           "fruit_classifier": (2, 8, 3), "sine_regression": (1, 16, 1)}


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_network_is_recognised(name):
    graph = engine.load_graph(EXAMPLES / f"{name}.json")
    network = recognize(graph)
    assert network.widths == SHIPPED[name]
    assert network.loss == "loss" and network.loss_op == graph.node("loss").op
    assert (network.features, network.targets) == ((graph.data or {}).get("features", "X"),
                                                   (graph.data or {}).get("targets", "Y"))
    assert all(layer.form == FORM_IN_OUT and layer.bias for layer in network.layers)
    assert [layer.activation for layer in network.layers] == ["tanh"] * (
        len(SHIPPED[name]) - 2) + [None]
    assert network.prediction == graph.input_sources("loss")[0]


def test_a_two_layer_example_in_detail():
    network = recognize(engine.load_graph(EXAMPLES / "iris_classifier.json"))
    first, last = network.layers
    assert (first.input, first.weight, first.matmul, first.bias, first.pre, first.output) == (
        "x", "W1", "xW1", "b1", "z1", "h1")
    assert (last.input, last.weight, last.matmul, last.bias, last.pre, last.output) == (
        "h1", "W2", "h1W2", "b2", "logits", "logits")
    assert (first.fan_in, first.fan_out, last.fan_in, last.fan_out) == (4, 8, 8, 3)
    assert first.weight_index(2, 5) == (2, 5)
    assert network.parameters == ("W1", "b1", "W2", "b2")
    assert network.layer_of("z1") is first and network.layer_of("loss") is None
    assert network.nodes == set(engine.load_graph(EXAMPLES / "iris_classifier.json").node_ids())


def test_pytorchs_form_with_bias_on_either_port_and_named_activations():
    graph = hand_built((3, 5, 4, 2), ["relu", "relu"], form="out_in")
    network = recognize(graph)
    assert network.widths == (3, 5, 4, 2) and network.features == "input"
    fc1, fc2, fc3 = network.layers
    assert (fc1.weight, fc1.transpose, fc1.matmul, fc1.bias, fc1.pre, fc1.output) == (
        "fc1.weight", "fc1.weight.T", "fc1.matmul", "fc1.bias", "fc1", "relu")
    assert fc2.output == "relu_1" and fc3.output == "fc3" and fc3.activation is None
    assert fc1.form == FORM_OUT_IN and fc1.weight_shape == (5, 3)
    assert fc1.weight_index(2, 4) == (4, 2)      # the line from unit 2 to unit 4 is W[4, 2]


def test_bias_free_layers_and_an_activation_before_an_mse_loss():
    graph = hand_built((2, 3, 1), ["sigmoid"], "mse", bias=False, last_activation="tanh")
    network = recognize(graph)
    assert [layer.bias for layer in network.layers] == [None, None]
    assert [layer.pre for layer in network.layers] == ["L1.matmul", "L2.matmul"]
    assert [layer.activation for layer in network.layers] == ["sigmoid", "tanh"]
    assert network.prediction == "tanh"


def test_leaky_relu_keeps_its_slope():
    graph = hand_built((2, 3, 2), ["leaky_relu"])
    graph.set_attr("leaky_relu", "slope", 0.2)
    assert recognize(graph).layers[0].slope == 0.2


def without_edge(graph, target, port):
    graph.disconnect(target, port)
    return graph


NOT_LAYERED = {
    "neuron.json's scalar weights": (lambda: engine.load_graph(EXAMPLES / "neuron.json"),
                                     "'weighted_sum' is an add, not a matmul"),
    "a loss that is a sum": (lambda: engine.load_graph(EXAMPLES / "two_paths.json"),
                             "the loss 'z' is a mul"),
    "W @ x": (lambda: _weight_first(), "multiplies the weight 'W' from the left"),
    "a skip connection": (lambda: _skip(), "'skip' adds 'relu' and 'L2', neither a bias"),
    "a hidden output read elsewhere": (lambda: _peek(), "'relu' also feeds 'peek'"),
    "a shared weight": (lambda: _shared(), "'L1.weight' also feeds"),
    "a bias that is an input": (lambda: _input_bias(), "'L1' adds 'offset' and 'L1.matmul', "
                                                       "neither a bias parameter"),
    "a softmax before the loss": (lambda: _softmax_head(), "'probs' is a softmax, not a matmul"),
    "widths that do not chain": (lambda: _unchained(), "'L2.weight' takes 4 inputs but the "
                                                       "layer before gives 3"),
    "an unconnected input": (lambda: without_edge(hand_built((2, 3, 2), ["tanh"]), "loss", 1),
                             "has an unconnected input"),
}


def _weight_first():
    g = engine.Graph()
    g.add_node("x", "input", value=[[1.0, 2.0]])
    g.add_node("W", "parameter", value=[[1.0], [2.0]])
    g.add_node("y", "input", value=[[1.0]])
    g.add_node("Wx", "matmul")
    g.add_node("loss", "mse")
    g.connect("W", "Wx", 0)
    g.connect("x", "Wx", 1)
    g.connect("Wx", "loss", 0)
    g.connect("y", "loss", 1)
    return g


def _skip():
    g = hand_built((2, 2, 2), ["relu"], "mse")
    g.add_node("skip", "add")
    g.disconnect("loss", 0)
    g.connect("relu", "skip", 0)
    g.connect("L2", "skip", 1)
    g.connect("skip", "loss", 0)
    return g


def _peek():
    g = hand_built((2, 2, 2), ["relu"], "mse")
    g.add_node("peek", "sum")
    g.connect("relu", "peek", 0)
    return g


def _shared():
    g = hand_built((2, 2, 2), ["tanh"])
    g.disconnect("L2.matmul", 1)
    g.connect("L1.weight", "L2.matmul", 1)
    g.remove_node("L2.weight")
    return g


def _input_bias():
    g = hand_built((2, 3, 2), ["tanh"])
    g.remove_node("L1.bias")
    g.add_node("offset", "input", value=[0.0, 0.0, 0.0])
    g.connect("offset", "L1", 0)
    return g


def _softmax_head():
    g = hand_built((2, 3, 2), ["tanh"], "mse")
    g.disconnect("loss", 0)
    g.add_node("probs", "softmax")
    g.connect("L2", "probs", 0)
    g.connect("probs", "loss", 0)
    return g


def _unchained():
    g = hand_built((2, 3, 2), ["tanh"])
    g.set_value("L2.weight", [[0.1] * 2] * 4)
    return g


@pytest.mark.parametrize("case", NOT_LAYERED)
def test_graphs_that_are_not_layered_are_refused_with_the_reason(case):
    make, reason = NOT_LAYERED[case]
    graph = make()
    with pytest.raises(NotLayered) as caught:
        recognize(graph)
    assert reason in caught.value.reason, caught.value.reason
    assert network_or_reason(graph) == (None, caught.value.reason)
    assert "\n" not in caught.value.reason


def test_asking_never_raises():
    assert network_or_reason(engine.Graph())[0] is None
    assert "empty" in network_or_reason(engine.Graph())[1]
