"""Optimizers: hand formulas, torch.optim as an oracle, no mutation, clear errors."""
import math

import numpy as np
import pytest

from engine.training.optim import OPTIMIZERS, SGD, Adam, Momentum, make_optimizer

P0 = {"w": np.array([[1.0, -2.0], [0.5, 3.0]]), "b": np.array([0.25])}


def grads_at(step):
    """A deterministic, changing gradient sequence."""
    return {"w": np.array([[0.3, -1.2], [2.0, 0.0]]) * (1 + 0.5 * math.sin(step)),
            "b": np.array([-0.7 + 0.1 * step])}


def run(opt, steps):
    params = {k: v.copy() for k, v in P0.items()}
    for t in range(steps):
        params = opt.step(params, grads_at(t))
    return params


def test_sgd_formula():
    params = run(SGD(0.1), 3)
    expected = {k: P0[k] - 0.1 * sum(grads_at(t)[k] for t in range(3)) for k in P0}
    for k in P0:
        np.testing.assert_allclose(params[k], expected[k], rtol=0, atol=1e-15)


def test_momentum_formula():
    lr, mu = 0.05, 0.8
    params = run(Momentum(lr, momentum=mu), 4)
    for k in P0:
        p, v = P0[k].copy(), None
        for t in range(4):
            g = grads_at(t)[k]
            v = g if v is None else mu * v + g
            p = p - lr * v
        np.testing.assert_allclose(params[k], p, rtol=0, atol=1e-14)


def test_adam_formula():
    lr, b1, b2, eps = 0.01, 0.8, 0.95, 1e-6
    params = run(Adam(lr, beta1=b1, beta2=b2, eps=eps), 5)
    for k in P0:
        p, m, v = P0[k].copy(), 0.0, 0.0
        for t in range(1, 6):
            g = grads_at(t - 1)[k]
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            p = p - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
        np.testing.assert_allclose(params[k], p, rtol=1e-12, atol=1e-14)


def test_adam_first_step_moves_each_weight_by_lr():
    """Bias correction: the first Adam step is lr · sign(g) wherever |g| >> eps."""
    new = Adam(0.01).step({"w": np.zeros(3)}, {"w": np.array([5.0, -0.02, 300.0])})
    np.testing.assert_allclose(new["w"], [-0.01, 0.01, -0.01], rtol=1e-6)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_matches_torch_optim(name):
    torch = pytest.importorskip("torch")
    torch_params = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True)
                    for k, v in P0.items()}
    ours = make_optimizer(name, 0.03)
    kinds = {"sgd": lambda p: torch.optim.SGD(p, lr=0.03),
             "momentum": lambda p: torch.optim.SGD(p, lr=0.03, momentum=0.9),
             "adam": lambda p: torch.optim.Adam(p, lr=0.03)}
    theirs = kinds[name](list(torch_params.values()))
    params = {k: v.copy() for k, v in P0.items()}
    for t in range(25):
        g = grads_at(t)
        params = ours.step(params, g)
        for k, tp in torch_params.items():
            tp.grad = torch.tensor(g[k], dtype=torch.float64)
        theirs.step()
    for k in P0:
        np.testing.assert_allclose(params[k], torch_params[k].detach().numpy(),
                                   rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_never_mutates_inputs_and_returns_new_arrays(name):
    opt = make_optimizer(name, 0.1)
    params = {k: v.copy() for k, v in P0.items()}
    for t in range(3):
        grads = grads_at(t)
        frozen_p = {k: v.copy() for k, v in params.items()}
        frozen_g = {k: v.copy() for k, v in grads.items()}
        new = opt.step(params, grads)
        for k in params:
            np.testing.assert_array_equal(params[k], frozen_p[k])
            np.testing.assert_array_equal(grads[k], frozen_g[k])
            assert new[k] is not params[k] and not np.shares_memory(new[k], params[k])
            assert not np.shares_memory(new[k], grads[k])
            assert new[k].dtype == np.float64
        params = new


@pytest.mark.parametrize("name", ["momentum", "adam"])
def test_reset_forgets_state(name):
    opt = make_optimizer(name, 0.1)
    first = opt.step(P0, grads_at(0))
    opt.step(first, grads_at(1))
    opt.reset()
    np.testing.assert_array_equal(opt.step(P0, grads_at(0))["w"], first["w"])


def test_state_is_per_parameter_id():
    opt = Momentum(0.1)
    opt.step({"a": np.ones(2)}, {"a": np.ones(2)})
    fresh = opt.step({"b": np.ones(2)}, {"b": np.ones(2)})
    np.testing.assert_allclose(fresh["b"], 0.9)   # no velocity carried over from "a"


def test_shape_change_restarts_that_parameter():
    opt = Adam(0.1)
    opt.step({"a": np.ones(2)}, {"a": np.ones(2)})
    new = opt.step({"a": np.ones(3)}, {"a": np.ones(3)})
    np.testing.assert_allclose(new["a"], 0.9)


def test_scalar_parameters():
    new = Adam(0.5).step({"s": np.array(2.0)}, {"s": np.array(-3.0)})
    assert new["s"].shape == () and float(new["s"]) == pytest.approx(2.5)


def test_missing_or_misshaped_gradient_is_a_clear_error():
    with pytest.raises(ValueError, match="no gradient for parameter 'w'"):
        SGD(0.1).step({"w": np.ones(2)}, {})
    with pytest.raises(ValueError, match=r"gradient of 'w' has shape \(3,\)"):
        SGD(0.1).step({"w": np.ones(2)}, {"w": np.ones(3)})


def test_make_optimizer_names_and_options():
    assert isinstance(make_optimizer("SGD", 0.1), SGD)
    assert make_optimizer("momentum", 0.1, momentum=0.5).momentum == 0.5
    assert make_optimizer("adam", 0.2, beta1=0.5).beta1 == 0.5
    with pytest.raises(ValueError, match="unknown optimizer 'rmsprop': choose one of sgd, "
                                         "momentum, adam"):
        make_optimizer("rmsprop", 0.1)
    with pytest.raises(ValueError, match="bad option for optimizer 'sgd'"):
        make_optimizer("sgd", 0.1, momentum=0.9)


@pytest.mark.parametrize("lr", [0, -0.1, float("nan"), float("inf"), "fast", None])
def test_bad_learning_rate(lr):
    with pytest.raises(ValueError, match="learning rate"):
        SGD(lr)


@pytest.mark.parametrize("kwargs", [{"beta1": 1.0}, {"beta2": -0.1}, {"eps": float("nan")}])
def test_bad_adam_options(kwargs):
    with pytest.raises(ValueError):
        Adam(0.1, **kwargs)


@pytest.mark.parametrize("name", ["sgd", "momentum", "adam"])
def test_a_step_with_no_parameters_changes_nothing(name):
    opt = make_optimizer(name, 0.1)
    assert opt.step({}, {}) == {}
    w = {"w": np.array([1.0, 2.0])}
    opt.step(w, {"w": np.array([0.5, 0.5])})
    state = opt.parameter_state("w")
    assert opt.step({}, {}) == {} and opt.parameter_state("w") is not None
    assert set(state) >= {"shape"}
