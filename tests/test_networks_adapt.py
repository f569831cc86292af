"""Graphs fit the data: the widths a graph takes are read from its layers, never from the
samples in its input nodes; adapting a graph to a CSV resizes only the weights that touch the
input or the output, says what changes, and leaves a graph that checks clean and trains."""
import shutil

import numpy as np
import pytest

import engine
from conftest import EXAMPLES
from engine.networks.adapt import adapt, adapt_to_csv, csv_fit
from engine.networks.graph_edit import apply_edit, graph_edit
from engine.networks.layers import NotLayered, recognize
from engine.networks.widths import data_widths
from engine.training.trainer import Trainer
from network_graphs import hand_built, wine_like_csv

IRIS = EXAMPLES / "iris_classifier.json"


@pytest.fixture
def iris(tmp_path):
    for name in ("iris_classifier.json", "iris.csv"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    return engine.load_graph(tmp_path / "iris_classifier.json"), tmp_path


def test_widths_are_read_from_the_layers_not_the_samples(iris):
    graph, folder = iris
    graph.set_value("x", [[0.5, -1.0, 2.0]])          # samples of the wrong widths
    graph.set_value("y", [[1.0, 0.0, 0.0, 0.0, 0.0]])
    widths = data_widths(graph, "x", "y")
    assert (widths.features, widths.targets) == (4, 3)
    assert (widths.features_by, widths.targets_by) == ("W1", "logits")
    trainer = Trainer(graph, folder=folder)       # iris.csv: 4 features, 3 classes: it fits
    trainer.run(50)
    assert trainer.metrics()["accuracy"] > 0.8


def test_a_wider_first_layer_takes_a_wider_csv_whatever_the_sample(iris, tmp_path):
    graph, folder = iris
    wine = wine_like_csv(tmp_path / "wine.csv")
    graph.set_value("W1", np.zeros((13, 8)))      # what the user tried: W1 13 × 8
    graph.set_attr("W1", "shape", [13, 8])
    graph.set_value("W1", np.full((13, 8), 0.1))
    assert graph.node("x").value.shape == (6, 4)  # the sample still 4 wide
    trainer = Trainer(graph, data={"csv": str(wine), "target": "cultivar", "features": "x",
                                   "targets": "y"})
    assert trainer.dataset.X.shape == (60, 13)


def test_pytorchs_form_and_a_graph_without_matmul():
    graph = hand_built((3, 5, 2), ["relu"], form="out_in")
    graph.set_value("input", np.zeros((2, 7)))
    widths = data_widths(graph, "input", "target")
    assert (widths.features, widths.features_by, widths.targets) == (3, "fc1.weight", 2)
    neuron = engine.load_graph(EXAMPLES / "neuron.json")   # x1 feeds a mul: the sample stands
    assert data_widths(neuron, "x1", "target").features is None   # a 0-d sample: unknown
    assert data_widths(neuron, "nope", "target").features is None


def test_a_csv_that_does_not_fit_says_what_differs(iris, tmp_path):
    graph, _ = iris
    wine = wine_like_csv(tmp_path / "wine.csv")
    fit = csv_fit(graph, {"csv": str(wine), "features": "x", "targets": "y"})
    assert (fit.features, fit.graph_features, fit.outputs, fit.graph_outputs) == (13, 4, 3, 3)
    assert fit.differs and fit.classes == ("1", "2", "3")
    assert fit.message() == ("wine.csv: 13 feature columns (alcohol, malic_acid, ash, "
                             "alcalinity, magnesium, phenols, ... 7 more) but the features "
                             "node 'x' takes 4 (it feeds 'W1')")
    xor = engine.load_graph(EXAMPLES / "xor_mlp.json")
    fit = csv_fit(xor, {"csv": str(wine), "features": "x", "targets": "y"})
    assert fit.needed_loss_op == "softmax_ce" and fit.outputs == 3
    assert fit.message().endswith("; column 'cultivar' has 3 classes (1, 2, 3): sigmoid_bce "
                                  "needs exactly 2")


def test_adapting_iris_to_13_features_changes_only_the_first_layer_and_trains(iris, tmp_path):
    graph, _ = iris
    before = engine.graph_to_dict(graph)
    wine = wine_like_csv(tmp_path / "wine.csv")
    section = {"csv": str(wine), "target": "cultivar", "features": "x", "targets": "y"}
    adaptation, fit, data = adapt_to_csv(graph, section)
    new = adaptation.graph
    assert engine.graph_to_dict(graph) == before          # the original is untouched
    assert [c.node for c in adaptation.changes] == ["W1", "x", "y"]
    assert adaptation.lines[0] == "W1: (4, 8) → (13, 8), drawn afresh (xavier, seed 0)"
    assert adaptation.lines[1] == "x: sample (6, 4) → (6, 13), rows of wine.csv"
    assert new.node("W1").attrs["shape"] == [13, 8]
    for kept in ("b1", "W2", "b2"):
        assert np.array_equal(new.node(kept).value, graph.node(kept).value)
    assert np.array_equal(new.node("x").value, data.train.X[[0, 1, 2, 3, 4, 5]])
    assert new.check() == {}                              # no banner: every node computes
    assert np.all(np.isfinite(new.copy().backward()["W1"]))
    trainer = Trainer(new, data=section)
    trainer.run(100)
    assert trainer.metrics()["accuracy"] == 1.0
    copy = graph.copy()
    apply_edit(copy, graph_edit(graph, new))             # one undo step for the GUI
    assert engine.graph_to_dict(copy) == engine.graph_to_dict(new)


def test_a_graph_that_fits_is_left_as_it_is(iris):
    graph, folder = iris
    adaptation, fit, _ = adapt_to_csv(graph, graph.data, folder)
    assert not fit.differs and not adaptation.changed
    assert engine.graph_to_dict(adaptation.graph) == engine.graph_to_dict(graph)


def test_more_classes_resize_the_output_layer_and_switch_a_binary_loss(tmp_path):
    xor = engine.load_graph(EXAMPLES / "xor_mlp.json")
    wine = wine_like_csv(tmp_path / "wine.csv")
    section = {"csv": str(wine), "features": "x", "targets": "y", "test_fraction": 0.25}
    adaptation, _, _ = adapt_to_csv(xor, section)
    new = adaptation.graph
    assert [c.node for c in adaptation.changes] == ["W1", "W2", "b2", "loss", "x", "y"]
    assert new.node("loss").op == "softmax_ce" and new.loss == "loss"
    assert new.node_ids() == xor.node_ids()
    assert np.array_equal(new.node("b1").value, xor.node("b1").value)
    assert recognize(new).widths == (13, 4, 3) and new.check() == {}
    trainer = Trainer(new, data=section)
    trainer.run(150)
    assert trainer.metrics()["test_accuracy"] == 1.0


def test_one_layer_and_pytorchs_form():
    single = engine.load_graph(EXAMPLES / "softmax_classifier.json")
    adaptation = adapt(single, 5, 4)
    assert adaptation.lines[:2] == ("W: (3, 3) → (5, 4), drawn afresh (xavier, seed 0)",
                                    "b: (3,) → (4,), zeros")
    assert adaptation.graph.check() == {} and adaptation.inputs == (3, 5)
    torch_like = hand_built((3, 5, 2), ["relu"], form="out_in")
    new = adapt(torch_like, 6, 4, seed=1).graph
    assert new.node("fc1.weight").value.shape == (5, 6)
    assert new.node("fc2.weight").value.shape == (4, 5)
    assert new.node("fc2.bias").value.shape == (4,) and new.check() == {}
    assert np.array_equal(new.node("fc1.bias").value, torch_like.node("fc1.bias").value)


def test_what_cannot_be_adapted_says_why(tmp_path):
    neuron = engine.load_graph(EXAMPLES / "neuron.json")
    with pytest.raises(NotLayered, match="cannot adapt this graph: 'weighted_sum' is an add"):
        adapt(neuron, 3, 1)
    one_class = tmp_path / "one.csv"
    one_class.write_text("a,b,k\n1,2,owl\n3,4,owl\n")
    with pytest.raises(ValueError, match=r"one.csv: column 'k' has one class \('owl'\)"):
        adapt_to_csv(engine.load_graph(IRIS), {"csv": str(one_class), "features": "x",
                                               "targets": "y"})
