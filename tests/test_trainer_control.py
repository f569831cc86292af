"""The Trainer as the training panel drives it: pause and resume, reset, re-initialise,
changing the rate or the optimizer while training, metrics, threads, and non-finite values."""
import threading

import numpy as np
import pytest

import engine
from engine.training.datasets import Dataset
from engine.training.optim import Adam
from engine.training.trainer import Trainer, TrainingError
from tests.conftest import EXAMPLES


def example(name):
    return engine.load_graph(EXAMPLES / f"{name}.json")


def params_of(trainer):
    return {p: v.copy() for p, v in trainer.parameter_values().items()}


def assert_same(a, b):
    assert a.keys() == b.keys()
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_run_100_is_run_40_then_run_60_bit_for_bit(optimizer):
    whole = Trainer(example("xor_mlp"), optimizer=optimizer, lr=0.05)
    parts = Trainer(example("xor_mlp"), optimizer=optimizer, lr=0.05)
    losses = whole.run(100)
    assert parts.run(40) + parts.run(60) == losses == whole.history
    assert_same(params_of(whole), params_of(parts))


def test_pause_with_stop_then_resume_continues_the_same_run():
    whole = Trainer(example("spiral_classifier"))
    whole.run(100)
    paused = Trainer(example("spiral_classifier"))

    def pause_at_37(step, loss):
        if step == 37:
            paused.stop()                  # as the panel's Pause button does
    paused.run(1000, callback=pause_at_37)
    assert len(paused.history) == 37 and not paused.running
    paused.run(63)
    assert paused.history == whole.history
    assert_same(params_of(whole), params_of(paused))


def test_stop_from_another_thread_and_a_stop_before_run():
    trainer = Trainer(example("xor_mlp"))
    started = threading.Event()
    result = {}

    def work():
        result["losses"] = trainer.run(10 ** 6, callback=lambda step, loss: started.set())
    worker = threading.Thread(target=work)
    worker.start()
    assert started.wait(10)
    trainer.stop()
    worker.join(10)
    assert not worker.is_alive() and 0 < len(result["losses"]) < 10 ** 6
    trainer.stop()                      # a pause pressed before the run starts is kept
    assert trainer.run(50) == [] and trainer.run(3) != []


def test_reset_restores_the_same_initial_weights_and_replays_the_run():
    graph = example("xor_mlp")
    initial = {p: graph.node(p).value.copy() for p in ("W1", "b1", "W2", "b2")}
    trainer = Trainer(graph)
    first = trainer.run(30)
    trainer.reset()
    assert trainer.history == [] and trainer.step_count == 0
    assert_same(params_of(trainer), initial)
    assert trainer.run(30) == first


def test_reset_after_an_edit_keeps_what_was_added():
    graph = example("xor_mlp")
    trainer = Trainer(graph)
    first = graph.node("W1").value.copy()
    trainer.run(5)
    graph.remove_node("b2")
    graph.add_node("bias", "parameter", value=[0.5])
    graph.connect("bias", "logits", 1)
    trainer.reset()
    np.testing.assert_array_equal(graph.node("W1").value, first)
    assert graph.node("bias").value.tolist() == [0.5] and "bias" in trainer.parameters
    assert np.isfinite(trainer.run(3)).all()


def test_reinitialize_draws_new_weights_that_reset_returns_to():
    trainer = Trainer(example("xor_mlp"))
    before = params_of(trainer)
    trainer.run(5)
    fresh = trainer.reinitialize(7)
    assert trainer.history == []
    assert not np.array_equal(fresh["W1"], before["W1"])
    np.testing.assert_array_equal(fresh["b1"], 0)                  # zeros stay zeros
    again = Trainer(example("xor_mlp")).reinitialize(7)
    assert_same(fresh, again)                                      # the seed decides
    assert not np.array_equal(Trainer(example("xor_mlp")).reinitialize(8)["W1"], fresh["W1"])
    losses = trainer.run(10)
    trainer.reset()
    assert_same(params_of(trainer), fresh) and trainer.run(10) == losses


def test_learning_rate_change_keeps_adams_state():
    a = Trainer(example("xor_mlp"))
    b = Trainer(example("xor_mlp"))
    a.run(10)
    b.run(10)
    a.set_learning_rate(0.01)
    b.optimizer = Adam(0.01)                # what a change that drops the state would do
    a.step()
    b.step()
    assert a.optimizer.lr == 0.01
    assert not np.allclose(a.parameter_values()["W1"], b.parameter_values()["W1"], rtol=1e-3)
    with pytest.raises(TrainingError, match="learning rate must be positive"):
        a.set_learning_rate(0)
    assert a.optimizer.lr == 0.01


def test_optimizer_change_while_training():
    trainer = Trainer(example("xor_mlp"))
    trainer.run(5)
    adam = trainer.optimizer
    assert trainer.set_optimizer("adam", lr=0.02) is adam and adam.lr == 0.02   # state kept
    sgd = trainer.set_optimizer("sgd")
    assert sgd.name == "sgd" and sgd.lr == 0.02 and trainer.optimizer is sgd
    before = params_of(trainer)
    trainer.step()
    grads = trainer.gradients()
    for p in before:          # one plain SGD step from the last parameters
        np.testing.assert_allclose(trainer.parameter_values()[p], before[p] - 0.02 * grads[p],
                                   rtol=1e-14, atol=1e-17)
    momentum = trainer.set_optimizer("momentum", momentum=0.5)
    assert momentum.momentum == 0.5 and momentum.state == {}
    with pytest.raises(TrainingError, match="unknown optimizer 'rmsprop'"):
        trainer.set_optimizer("rmsprop")
    assert trainer.optimizer is momentum


def test_gradient_norms_are_those_of_the_last_step():
    graph = example("xor_mlp")
    trainer = Trainer(graph, batch_size=0)
    assert trainer.gradient_norms() == {}
    X, Y = trainer.dataset.X, trainer.dataset.Y
    reference = graph.copy()
    reference.forward({"x": X, "y": Y})
    grads = reference.backward()
    trainer.step()
    norms = trainer.gradient_norms()
    assert list(norms) == trainer.parameters
    for p, norm in norms.items():
        assert norm == pytest.approx(np.linalg.norm(grads[p]), rel=1e-12)


def test_metrics_predict_and_the_test_split():
    graph = example("xor_mlp")
    graph.data["test_fraction"] = 0.25
    trainer = Trainer(graph)
    assert (len(trainer.dataset), len(trainer.test_dataset)) == (150, 50)
    trainer.run(150)
    metrics = trainer.metrics()
    assert list(metrics) == ["loss", "accuracy", "test_loss", "test_accuracy"]
    assert metrics["accuracy"] == 1.0 and metrics["test_accuracy"] == 1.0
    assert (metrics["test_loss"], metrics["test_accuracy"]) == trainer.evaluate_test()
    probabilities = trainer.predict(trainer.test_dataset.X, probabilities=True)
    assert ((probabilities > 0.5) == (trainer.test_dataset.Y > 0.5)).all()
    no_split = Trainer(example("sine_regression"))
    assert no_split.evaluate_test() is None
    assert no_split.metrics()["test_loss"] is None and no_split.metrics()["accuracy"] is None
    curve = no_split.predict(np.linspace(-3, 3, 7)[:, None])
    assert curve.shape == (7, 1)


def test_softmax_probabilities_sum_to_one():
    trainer = Trainer(example("spiral_classifier"))
    p = trainer.predict(np.random.default_rng(0).normal(size=(50, 2)), probabilities=True)
    assert p.shape == (50, 3) and (p > 0).all()
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-14)


def test_calls_from_another_thread_wait_for_the_current_step():
    trainer = Trainer(example("spiral_classifier"))
    done = threading.Event()
    worker = threading.Thread(target=lambda: (trainer.run(300), done.set()))
    worker.start()
    seen = []
    while not done.is_set():
        trainer.set_learning_rate(0.02)
        seen.append(trainer.evaluate()[0])
        values = trainer.parameter_values()
        assert all(np.isfinite(v).all() for v in values.values())
    worker.join()
    assert len(trainer.history) == 300 and seen and all(np.isfinite(seen))


def test_sections_for_saving():
    trainer = Trainer(example("xor_mlp"), optimizer="momentum", lr=0.1)
    assert trainer.training_section() == {"optimizer": "momentum", "lr": 0.1, "batch_size": 32,
                                          "steps": 300, "seed": 0, "momentum": 0.9}
    assert trainer.data_section(EXAMPLES) == example("xor_mlp").data


# ---------------------------------------------------------------- non-finite values

def log_graph():
    """p = x·w + b > 0 at the start; log1 = log(p); loss = mse(log1, y). A large learning rate
    pushes b below zero, where log has no value."""
    g = engine.Graph()
    g.add_node("x", "input", value=[[0.0]])
    g.add_node("y", "input", value=[[0.0]])
    g.add_node("w", "parameter", value=[[0.1]])
    g.add_node("b", "parameter", value=[1.0])
    for nid, op in [("xw", "matmul"), ("p", "add"), ("log1", "log"), ("loss", "mse")]:
        g.add_node(nid, op)
    for s, t, port in [("x", "xw", 0), ("w", "xw", 1), ("xw", "p", 0), ("b", "p", 1),
                       ("p", "log1", 0), ("log1", "loss", 0), ("y", "loss", 1)]:
        g.connect(s, t, port)
    g.loss = "loss"
    return g


def log_data():
    X = np.linspace(-1, 1, 20)[:, None]
    return Dataset(X, np.full((20, 1), -3.0), "regression", "down")


def test_a_diverging_rate_stops_naming_the_node_and_keeps_the_last_good_parameters():
    trainer = Trainer(log_graph(), optimizer="sgd", lr=3.0, dataset=log_data(), batch_size=5,
                      features="x", targets="y")
    with pytest.raises(TrainingError) as caught:
        trainer.run(100)
    error = caught.value
    step = len(trainer.history) + 1
    assert str(error) == (f"node 'log1': log of a non-positive value produced nan at step "
                          f"{step} (the training diverged: try a smaller learning rate)")
    assert (error.node, error.step, error.kind) == ("log1", step, engine.Kind.NONFINITE)
    replay = Trainer(log_graph(), optimizer="sgd", lr=3.0, dataset=log_data(), batch_size=5,
                     features="x", targets="y")
    replay.run(step - 1)                   # the parameters after the last good step
    assert_same(params_of(trainer), params_of(replay))
    assert trainer.history == replay.history


def test_a_non_finite_update_names_the_parameter_and_keeps_optimizer_state():
    trainer = Trainer(example("sine_regression"), optimizer="adam", lr=0.02, batch_size=0)
    replay = Trainer(example("sine_regression"), optimizer="adam", lr=0.02, batch_size=0)
    trainer.run(5)
    replay.run(6)
    before = params_of(trainer)
    trainer.set_learning_rate(1e308)
    with pytest.raises(TrainingError, match=r"^node '(W1|b1|W2|b2)': its new value is not "
                       r"finite \(-?inf\) at step 6 \(the training diverged") as caught:
        trainer.step()
    assert caught.value.node in trainer.parameters and caught.value.step == 6
    assert_same(params_of(trainer), before) and len(trainer.history) == 5
    trainer.set_learning_rate(0.02)        # Adam's moments and step count were kept
    trainer.step()
    for p, value in params_of(replay).items():   # (full batches, rows in another order)
        np.testing.assert_allclose(trainer.parameter_values()[p], value, rtol=1e-9)


def test_initial_weights_that_already_fail_say_so():
    graph = log_graph()
    graph.set_value("b", [-1.0])
    with pytest.raises(TrainingError, match=r"^node 'log1': log of a non-positive value "
                       r"produced nan before any training step$") as caught:
        Trainer(graph, dataset=log_data(), features="x", targets="y")
    assert caught.value.node == "log1" and caught.value.step == 0


def test_data_that_does_not_fit_names_the_input_node(tmp_path):
    (tmp_path / "three.csv").write_text("a,b,c,k\n1,2,3,x\n4,5,6,y\n")
    with pytest.raises(TrainingError, match="3 feature columns") as caught:
        Trainer(example("spiral_classifier"), data={"csv": "three.csv", "features": "x",
                                                    "targets": "y"}, folder=tmp_path)
    assert caught.value.node == "x" and caught.value.kind is engine.Kind.SHAPE
    (tmp_path / "two.csv").write_text("a,b,k\n1,2,x\n4,5,y\n")
    with pytest.raises(TrainingError, match="2 classes") as caught:
        Trainer(example("spiral_classifier"), data={"csv": str(tmp_path / "two.csv"),
                                                    "features": "x", "targets": "y"})
    assert caught.value.node == "y"


def test_an_update_that_overflows_is_refused_like_any_non_finite_one():
    graph = example("sine_regression")
    trainer = Trainer(graph, optimizer="sgd", lr=1e308, batch_size=0)
    before = params_of(trainer)
    with pytest.raises(TrainingError, match=r"^node '\w+': its new value is not finite "
                       r"\(-?inf\) at step 1$"):
        trainer.step()
    assert_same(params_of(trainer), before)
    assert np.geterr()["over"] == "warn"          # numpy's error state is left as it was
