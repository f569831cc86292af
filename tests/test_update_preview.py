"""engine.training.update_preview: one step of the graph's own optimizer, previewed — checked against the
update rules written out here (and PyTorch where installed); nothing is changed."""
from __future__ import annotations

import numpy as np
import pytest

import engine
from conftest import EXAMPLES
from engine.training.trainer import DEFAULT_TRAINING
from engine.training.update_preview import preview_update

OLD = {"w": np.array([[0.5, -1.0], [2.0, 0.0]]), "b": np.array(0.25)}
GRAD = {"w": np.array([[0.3, -0.2], [0.0, 4.0]]), "b": np.array(-0.5)}


def test_sgd_is_minus_lr_times_the_gradient():
    preview = preview_update({"optimizer": "sgd", "lr": 0.1}, OLD, GRAD, ["w", "b"])
    assert preview.optimizer == "sgd" and preview.settings == {"lr": 0.1}
    for p in preview.parameters:
        assert np.allclose(p.new, OLD[p.node] - 0.1 * GRAD[p.node])
        assert np.allclose(p.step, 0.1 * GRAD[p.node])
    assert np.array_equal(OLD["w"], [[0.5, -1.0], [2.0, 0.0]])      # inputs untouched


def test_momentum_first_step_uses_the_gradient_as_velocity():
    preview = preview_update({"optimizer": "momentum", "lr": 0.1, "momentum": 0.5}, OLD, GRAD,
                             ["w"])
    (w,) = preview.parameters
    assert preview.settings == {"lr": 0.1, "momentum": 0.5}
    assert np.allclose(w.parts["v"], GRAD["w"]) and np.allclose(w.new, OLD["w"] - 0.1 * GRAD["w"])


def test_adam_first_step_is_the_moment_corrected_step():
    preview = preview_update({"optimizer": "adam", "lr": 0.05}, OLD, GRAD, ["w", "b"])
    for p in preview.parameters:
        g = GRAD[p.node]
        assert np.allclose(p.parts["m̂"], g) and np.allclose(p.parts["v̂"], g * g)
        assert np.allclose(p.parts["m"], 0.1 * g) and np.allclose(p.parts["v"], 0.001 * g * g)
        assert np.allclose(p.new, OLD[p.node] - 0.05 * g / (np.abs(g) + 1e-8))
    assert "m̂" in preview.formula and "√v̂" in preview.formula


def test_adam_matches_pytorch():
    torch = pytest.importorskip("torch")
    preview = preview_update({"optimizer": "adam", "lr": 0.05}, OLD, GRAD, ["w"])
    w = torch.tensor(OLD["w"], requires_grad=True)
    opt = torch.optim.Adam([w], lr=0.05)
    w.grad = torch.tensor(GRAD["w"])
    opt.step()
    assert np.allclose(preview.of("w").new, w.detach().numpy())


def test_defaults_are_the_trainers_and_a_bad_section_says_why():
    preview = preview_update(None, OLD, GRAD, ["b"])
    assert preview.optimizer == DEFAULT_TRAINING["optimizer"]
    assert preview.settings["lr"] == DEFAULT_TRAINING["lr"] and preview.problem == ""
    bad = preview_update({"optimizer": "rmsprop", "lr": 0.1}, OLD, GRAD, ["b"])
    assert bad.optimizer == DEFAULT_TRAINING["optimizer"] and "rmsprop" in bad.problem


def test_parameters_without_a_gradient_are_skipped():
    preview = preview_update({"optimizer": "sgd", "lr": 1.0}, OLD, {"b": GRAD["b"]}, ["w", "b"])
    assert [p.node for p in preview.parameters] == ["b"] and preview.of("w") is None


def test_the_models_preview_uses_the_files_training_section_and_changes_nothing():
    from gui.model import GraphModel
    graph = engine.load_graph(EXAMPLES / "xor_mlp.json")
    before = {n: graph.node(n).value.copy() for n in ("W1", "b1", "W2", "b2")}
    model = GraphModel(graph)
    preview = model.update_preview()
    assert preview.optimizer == "adam" and preview.settings["lr"] == 0.05
    assert [p.node for p in preview.parameters] == ["W1", "b1", "W2", "b2"]
    for p in preview.parameters:
        assert p.grad is model.trace.grads[p.node]
        assert np.array_equal(graph.node(p.node).value, before[p.node])
    assert not model.modified


@pytest.mark.parametrize("section, name", [({"optimizer": "sgd", "lr": 0.1}, "g"),
                                           ({"optimizer": "momentum", "lr": 0.1}, "v"),
                                           ({"optimizer": "adam", "lr": 0.05}, "m̂/(√v̂ + ε)")])
def test_the_step_is_lr_times_the_direction_and_change_is_new_minus_old(section, name):
    preview = preview_update(section, OLD, GRAD, ["w", "b"])
    assert preview.direction == name
    for p in preview.parameters:
        assert np.allclose(section["lr"] * p.direction, p.step, rtol=1e-12, atol=0)
        assert np.array_equal(p.change, p.new - p.old)
        assert np.array_equal(np.sign(p.change), -np.sign(GRAD[p.node]))   # against g
