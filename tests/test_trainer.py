"""Trainer: defaults from the file, minibatches, updates, accuracy, errors, the examples."""
import numpy as np
import pytest

import engine
from engine import Kind
from engine.training.datasets import Dataset, make_dataset
from engine.training.optim import SGD, Momentum
from engine.training.trainer import Trainer, TrainingError, accuracy
from tests.conftest import EXAMPLES


def example(name):
    return engine.load_graph(EXAMPLES / f"{name}.json")


@pytest.fixture
def xor():
    return example("xor_mlp")


def test_defaults_come_from_the_file(xor):
    trainer = Trainer(xor)
    assert type(trainer.optimizer).__name__ == "Adam" and trainer.optimizer.lr == 0.05
    assert trainer.batch_size == 32 and trainer.default_steps == xor.training["steps"]
    assert trainer.dataset.name == "xor" and len(trainer.dataset) == 200
    assert (trainer.features, trainer.targets, trainer.loss) == ("x", "y", "loss")
    assert trainer.parameters == ["W1", "b1", "W2", "b2"]


def test_explicit_arguments_override(xor):
    data = make_dataset("xor", n=40, seed=5)
    trainer = Trainer(xor, optimizer=Momentum(0.1), dataset=data, batch_size=8, seed=3)
    assert isinstance(trainer.optimizer, Momentum) and trainer.dataset is data
    assert trainer.batch_size == 8 and trainer.seed == 3
    assert Trainer(xor, optimizer="sgd", lr=0.5).optimizer.lr == 0.5
    for size in (0, None, 500):
        xor.training["batch_size"] = size
        assert Trainer(xor).batch_size == 200


def test_xor_mlp_reaches_full_accuracy_with_its_own_steps(xor):
    trainer = Trainer(xor)
    loss_before, _ = trainer.evaluate()
    losses = trainer.run()
    loss, acc = trainer.evaluate()
    assert len(losses) == len(trainer.history) == xor.training["steps"]
    assert acc == 1.0 and loss < 0.02 < loss_before


@pytest.mark.parametrize("seed", range(6))
def test_xor_is_reliable_across_shuffling_and_data_seeds(seed):
    graph = example("xor_mlp")
    graph.data["seed"] = seed
    trainer = Trainer(graph, seed=seed)
    trainer.run(120)
    assert trainer.evaluate()[1] == 1.0


@pytest.mark.parametrize("name, steps", [("spiral_classifier", 400), ("sine_regression", 400)])
def test_other_examples_reduce_the_loss(name, steps):
    trainer = Trainer(example(name))
    before, acc_before = trainer.evaluate()
    trainer.run(steps)
    after, acc_after = trainer.evaluate()
    assert after < 0.5 * before
    if name == "spiral_classifier":
        assert acc_after > acc_before and acc_after > 0.6
    else:
        assert acc_before is acc_after is None


def test_step_updates_parameters_with_new_arrays_and_keeps_inputs(xor):
    x_value, y_value = xor.node("x").value.copy(), xor.node("y").value.copy()
    trainer = Trainer(xor)
    trainer.record = True                  # keep each step's Trace (off by default: speed)
    trainer.step()
    trace, old_w = xor.trace, xor.node("W1").value
    held = {k: v.copy() for k, v in trace.values.items()}
    held_grads = {k: v.copy() for k, v in trace.grads.items()}
    loss = trainer.step()
    assert isinstance(loss, float) and trainer.history[-1] == loss
    assert xor.node("W1").value is not old_w and not np.array_equal(xor.node("W1").value, old_w)
    for k in held:                         # the previous Trace is never written into
        np.testing.assert_array_equal(trace.values[k], held[k])
        np.testing.assert_array_equal(trace.grads[k], held_grads[k])
    np.testing.assert_array_equal(xor.node("x").value, x_value)
    np.testing.assert_array_equal(xor.node("y").value, y_value)
    assert xor.values["x"].shape == (32, 2)       # the last pass was a minibatch


def test_step_is_one_sgd_update_from_the_graphs_gradients(xor):
    trainer = Trainer(xor, optimizer=SGD(0.1), batch_size=0)
    before = {p: xor.node(p).value.copy() for p in trainer.parameters}
    xor.forward({"x": trainer.dataset.X, "y": trainer.dataset.Y})
    grads = xor.backward()
    trainer.step()
    for p in trainer.parameters:
        np.testing.assert_allclose(xor.node(p).value, before[p] - 0.1 * grads[p], rtol=1e-13)


def test_minibatches_cover_each_epoch_and_are_seeded(xor):
    data = make_dataset("xor", n=10)
    trainer = Trainer(xor, dataset=data, batch_size=4, seed=1)
    rows = np.concatenate([trainer.next_rows() for _ in range(5)])
    assert len(rows) == 20 and sorted(rows[:10]) == list(range(10))
    assert sorted(rows[10:]) == list(range(10))
    again = Trainer(xor, dataset=data, batch_size=4, seed=1)
    np.testing.assert_array_equal(np.concatenate([again.next_rows() for _ in range(5)]), rows)


def test_same_seed_same_history(xor):
    a = Trainer(xor.copy(), seed=4)
    b = Trainer(xor.copy(), seed=4)
    c = Trainer(xor.copy(), seed=5)
    assert a.run(20) == b.run(20) != c.run(20)


def test_run_callback_and_stop(xor):
    trainer = Trainer(xor)
    seen = []
    losses = trainer.run(50, callback=lambda step, loss: seen.append((step, loss)) or step < 7)
    assert len(losses) == 7 and [s for s, _ in seen] == list(range(1, 8))
    trainer.run(3)
    assert len(trainer.history) == 10
    trainer.run(100, callback=lambda step, loss: trainer.stop())
    assert len(trainer.history) == 11


def test_predict_reads_the_prediction_node(xor):
    trainer = Trainer(xor)
    trainer.run(100)
    grid = np.array([[1.0, 1.0], [-1.0, 1.0], [1.0, -1.0], [-1.0, -1.0]])
    logits = trainer.predict(grid)
    assert logits.shape == (4, 1)
    np.testing.assert_array_equal(logits[:, 0] > 0, [False, True, True, False])


def test_parameters_without_values_are_initialised_by_the_graph():
    graph = example("sine_regression")
    for p in ("W1", "W2"):
        graph.set_value(p, None)
    trainer = Trainer(graph)
    trainer.run(5)
    assert graph.node("W1").value.shape == (1, 16)


def test_user_csv_dataset(xor, tmp_path):
    rows = ["a,b,label"] + [f"{sx * 1.1},{sy * 0.9},{int(sx != sy)}"
                            for sx in (-1, 1) for sy in (-1, 1)] * 5
    (tmp_path / "mine.csv").write_text("\n".join(rows))
    trainer = Trainer(xor, data={"csv": "mine.csv", "features": "x", "targets": "y",
                                 "standardize": False}, folder=tmp_path, batch_size=0)
    trainer.run(150)
    assert trainer.evaluate()[1] == 1.0


# ---------------------------------------------------------------- accuracy rules

@pytest.mark.parametrize("op, prediction, targets, expected", [
    ("sigmoid_bce", [[2.0], [-1.0], [0.5], [-3.0]], [[1], [0], [0], [0]], 0.75),
    ("softmax_ce", [[2, 1, 0], [0, 0, 5]], [[1, 0, 0], [1, 0, 0]], 0.5),
    ("mse", [[0.9], [0.4], [0.6]], [[1], [0], [0]], 2 / 3),
    ("mse", [[0.3], [-0.2]], [[1], [-1]], 1.0),
    ("mse", [[0.2, 0.7], [0.9, 0.1]], [[0, 1], [0, 1]], 0.5),
    ("mse", [[0.3], [1.7]], [[0.25], [2.0]], None),
    ("sigmoid_bce", [[1.0]], [[0.3]], None),
    ("mse", [[1.0], [0.0]], [[1.0, 0.0]], None),
    ("sum", [[1.0]], [[1.0]], None),
])
def test_accuracy_rules(op, prediction, targets, expected):
    result = accuracy(op, np.array(prediction, float), np.array(targets, float))
    assert result == (pytest.approx(expected) if expected is not None else None)


def test_sum_of_squares_loss_has_no_accuracy():
    graph = engine.Graph()
    graph.extra["data"] = {"dataset": "linear", "features": "x", "targets": "y"}
    graph.add_node("x", "input")
    graph.add_node("y", "input")
    graph.add_node("w", "parameter", value=[[0.0]])
    graph.add_node("b", "parameter", value=0.0)
    for nid, op in [("xw", "matmul"), ("p", "add"), ("d", "sub"), ("sq", "mul"), ("L", "mean")]:
        graph.add_node(nid, op)
    for s, t, port in [("x", "xw", 0), ("w", "xw", 1), ("xw", "p", 0), ("b", "p", 1),
                       ("p", "d", 0), ("y", "d", 1),
                       ("d", "sq", 0), ("d", "sq", 1), ("sq", "L", 0)]:
        graph.connect(s, t, port)
    trainer = Trainer(graph, optimizer="sgd", lr=0.3, batch_size=0)
    trainer.run(200)
    loss, acc = trainer.evaluate()
    assert acc is None and loss < 0.02
    assert float(graph.node("w").value[0, 0]) == pytest.approx(1.5, abs=0.05)
    assert float(graph.node("b").value) == pytest.approx(-0.5, abs=0.05)


# ---------------------------------------------------------------- errors

def test_missing_or_wrong_features_and_targets(xor):
    del xor.data["features"]
    with pytest.raises(TrainingError, match="names no 'features' input node") as caught:
        Trainer(xor)
    assert caught.value.kind == Kind.NO_DATA_NODE and caught.value.role == "features"
    xor.data["features"] = "nope"
    with pytest.raises(TrainingError, match="features node 'nope' is not in the graph"):
        Trainer(xor)
    xor.data["features"] = "W1"
    with pytest.raises(TrainingError, match="node 'W1': features must be an input node"):
        Trainer(xor)


def test_no_dataset(xor):
    del xor.data["dataset"]
    with pytest.raises(TrainingError, match="no dataset") as caught:
        Trainer(xor)
    assert caught.value.kind == Kind.NO_DATASET
    xor.data["dataset"] = "mnist"
    with pytest.raises(TrainingError, match="unknown dataset 'mnist'"):
        Trainer(xor)


@pytest.mark.parametrize("dataset, node", [("sine", "xW1"), ("spiral", "loss")])
def test_data_that_does_not_fit_names_the_node(xor, dataset, node):
    with pytest.raises(TrainingError, match=rf"does not fit the graph .*node '{node}'"):
        Trainer(xor, dataset=dataset)


def test_bad_training_section(xor):
    xor.training["optimizer"] = "rmsprop"
    with pytest.raises(TrainingError, match="unknown optimizer 'rmsprop'"):
        Trainer(xor)
    xor.training.update(optimizer="adam", batch_size=-3)
    with pytest.raises(TrainingError, match="batch_size must be a non-negative integer"):
        Trainer(xor)


def test_nothing_to_train():
    graph = engine.Graph()
    graph.extra["data"] = {"dataset": "xor", "features": "x", "targets": "y"}
    graph.add_node("x", "input")
    graph.add_node("y", "input")
    graph.add_node("L", "mse")
    graph.connect("x", "L", 0)
    graph.connect("y", "L", 1)
    with pytest.raises(TrainingError, match="nothing to train: the graph has no parameter nodes") \
            as caught:
        Trainer(graph)
    assert caught.value.kind == Kind.NO_PARAMETERS


def test_diverging_loss_is_an_error_and_keeps_parameters_finite():
    graph = example("sine_regression")
    trainer = Trainer(graph, optimizer=SGD(1e6), batch_size=0)
    with pytest.raises(TrainingError, match=r"^node '\w+': .* at step \d+ \(the training "
                       r"diverged: try a smaller learning rate\)$") as caught:
        trainer.run(50)
    assert caught.value.kind is engine.Kind.NONFINITE and caught.value.node in graph
    assert caught.value.step == len(trainer.history) + 1
    assert all(np.isfinite(graph.node(p).value).all() for p in trainer.parameters)


def test_dataset_object_is_used_as_given(xor):
    data = Dataset(np.array([[1.0, 1.0], [1.0, -1.0]]), np.array([[0.0], [1.0]]),
                   "binary", "two")
    trainer = Trainer(xor, dataset=data)
    assert trainer.batch_size == 2
    trainer.run(200)
    assert trainer.evaluate()[1] == 1.0


def test_section_numbers_written_as_floats_and_bad_seed(xor):
    xor.training.update(steps=50.0, batch_size=16.0)
    trainer = Trainer(xor)
    assert (trainer.default_steps, trainer.batch_size) == (50, 16)
    xor.training["seed"] = "abc"
    with pytest.raises(TrainingError, match="seed must be a non-negative integer"):
        Trainer(xor)


def test_edits_between_steps_are_picked_up(xor):
    trainer = Trainer(xor)
    trainer.step()
    xor.remove_node("b2")
    xor.add_node("b2", "constant", value=[0.25])
    xor.connect("b2", "logits", 1)
    trainer.step()
    assert trainer.parameters == ["W1", "b1", "W2"]
    assert xor.node("b2").value.tolist() == [0.25]
    for p in ("W1", "b1", "W2"):
        xor.remove_node(p)
    with pytest.raises(TrainingError, match="nothing to train"):
        trainer.step()


def test_optimizer_options_from_the_training_section(xor):
    xor.training.update(optimizer="momentum", momentum=0.5, beta1=0.3)
    assert Trainer(xor).optimizer.momentum == 0.5
    xor.training.update(optimizer="adam")
    assert Trainer(xor).optimizer.beta1 == 0.3


def test_sections_that_are_not_objects(xor):
    xor.extra["data"] = "xor"
    with pytest.raises(TrainingError, match="the data section must be an object"):
        Trainer(xor)


def test_training_trajectory_matches_torch():
    """The whole loop — minibatches, forward, backward, Adam — step for step against PyTorch."""
    torch = pytest.importorskip("torch")
    graph = example("xor_mlp")
    trainer = Trainer(graph)
    params = {p: torch.tensor(graph.node(p).value, requires_grad=True)
              for p in trainer.parameters}
    adam = torch.optim.Adam(list(params.values()), lr=trainer.optimizer.lr)
    X, Y = torch.tensor(trainer.dataset.X), torch.tensor(trainer.dataset.Y)
    used = []
    ours = trainer.run(40, callback=lambda step, loss: used.append(trainer.last_rows))
    theirs = []
    for rows in used:
        rows = torch.tensor(rows)
        hidden = torch.tanh(X[rows] @ params["W1"] + params["b1"])
        logits = hidden @ params["W2"] + params["b2"]
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, Y[rows])
        adam.zero_grad()
        loss.backward()
        adam.step()
        theirs.append(loss.item())
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)
    for p, tensor in params.items():
        np.testing.assert_allclose(graph.node(p).value, tensor.detach().numpy(), rtol=1e-9,
                                   atol=1e-12)


def test_epochs_and_parameter_values(xor):
    trainer = Trainer(xor, batch_size=50)
    first = trainer.parameter_values()
    frozen = {k: v.copy() for k, v in first.items()}
    trainer.run(6)
    assert trainer.epochs == 1.5
    latest = trainer.parameter_values()
    assert set(latest) == {"W1", "b1", "W2", "b2"}
    for k in first:
        np.testing.assert_array_equal(first[k], frozen[k])   # old arrays untouched
        np.testing.assert_array_equal(latest[k], xor.node(k).value)
        assert not np.array_equal(latest[k], first[k])


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_published_values_are_copies_never_written_by_later_steps(xor, optimizer):
    """The trainer updates its parameters in place (one flat vector); what it hands out —
    parameter_values(), the values a recorded step's Trace holds, the arrays given to it —
    is never written afterwards."""
    trainer = Trainer(xor, optimizer=optimizer, batch_size=50)
    given = {p: xor.node(p).value for p in trainer.parameters}
    given_copy = {p: v.copy() for p, v in given.items()}
    trainer.run(3)
    published = trainer.parameter_values()
    kept = {p: v.copy() for p, v in published.items()}
    for p, v in published.items():
        assert not np.shares_memory(v, xor.node(p).value)
    trainer.record = True
    trainer.step()
    traced = {p: xor.trace.values[p] for p in [*trainer.parameters, trainer.features]}
    traced_copy = {p: v.copy() for p, v in traced.items()}
    trainer.record = False
    trainer.run(3)
    for p in trainer.parameters:
        np.testing.assert_array_equal(published[p], kept[p])
        np.testing.assert_array_equal(given[p], given_copy[p])
        assert not np.array_equal(xor.node(p).value, kept[p])     # training went on
    for p in traced:                        # the parameters and the batch the pass was fed
        np.testing.assert_array_equal(traced[p], traced_copy[p])


def test_a_dataset_that_is_not_finite_is_refused_at_once_naming_the_node(xor):
    X = np.array([[0.0, 1.0], [np.nan, 2.0], [1.0, 1.0]])
    Y = np.array([[0.0], [1.0], [np.inf]])
    with pytest.raises(TrainingError, match=r"^the mine data is not finite \(nan in the "
                       r"features\)$") as caught:
        Trainer(xor, dataset=Dataset(X, np.zeros((3, 1)), "binary", "mine"))
    assert caught.value.node == "x"
    with pytest.raises(TrainingError, match=r"\(inf in the targets\)$") as caught:
        Trainer(xor, dataset=Dataset(np.zeros((3, 2)), Y, "binary", "mine"))
    assert caught.value.node == "y"


@pytest.mark.parametrize("name", ["xor_mlp", "spiral_classifier", "sine_regression",
                                  "fruit_classifier", "iris_classifier"])
def test_examples_are_canonical_and_laid_out_left_to_right(name):
    from engine.io import dumps
    path = EXAMPLES / f"{name}.json"
    graph = engine.load_graph(path)
    assert dumps(graph) == path.read_text()          # save → load → save is stable
    assert graph.extra["description"] and graph.check() == {}
    xs = {nid: graph.node(nid).position[0] for nid in graph.node_ids()}
    assert xs["x"] == min(xs.values()) and xs["loss"] == max(xs.values())
    for edge in graph.edges():
        assert xs[edge.source] <= xs[edge.target], edge
