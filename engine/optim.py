"""Optimizers: turn gradients into new parameter values.

``opt.step(params, grads)`` takes ``{id: array}`` dicts and returns ``{id: new array}`` for
every id in `params`. It never mutates its inputs: a Trace or the GUI may still hold them.
State (momentum buffers, Adam moments and step counts) is kept per parameter id; a parameter
whose shape changed since the last step starts afresh; ``reset()`` forgets everything.

The update rules match ``torch.optim`` (SGD, SGD with momentum and no dampening, Adam with
bias correction), so a run can be checked against PyTorch step by step.
"""
from __future__ import annotations

import math

import numpy as np

OPTIMIZERS = ("sgd", "momentum", "adam")


def _check_rate(name: str, value: float, low: float = 0.0, high: float = math.inf,
                high_open: bool = False) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    too_high = value >= high if high_open else value > high
    if not math.isfinite(value) or value < low or too_high:
        bound = f"below {high}" if high_open else "finite"
        raise ValueError(f"{name} must be >= {low} and {bound}, got {value!r}")
    return value


class Optimizer:
    """Base class: validates inputs, keeps per-parameter state, calls `update` per id."""

    name = "optimizer"

    def __init__(self, lr: float):
        self.lr = _check_rate("learning rate", lr)
        if self.lr == 0.0:
            raise ValueError("learning rate must be positive, got 0")
        self.state: dict[str, dict] = {}

    def reset(self) -> None:
        """Forget all state, as if no step had been taken."""
        self.state.clear()

    def step(self, params: dict, grads: dict) -> dict:
        """New values for every parameter in `params`, given `grads` for each of them."""
        updated = {}
        for pid, value in params.items():
            if pid not in grads:
                raise ValueError(f"no gradient for parameter {pid!r}")
            value = np.asarray(value, dtype=np.float64)
            grad = np.asarray(grads[pid], dtype=np.float64)
            if grad.shape != value.shape:
                raise ValueError(f"gradient of {pid!r} has shape {grad.shape}, "
                                 f"the parameter has shape {value.shape}")
            state = self.state.get(pid)
            if state is None or state.get("shape") != value.shape:
                state = self.state[pid] = {"shape": value.shape}
            updated[pid] = self.update(value, grad, state)
        return updated

    def update(self, value: np.ndarray, grad: np.ndarray, state: dict) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lr={self.lr:g})"


class SGD(Optimizer):
    """p ← p − lr · g"""

    name = "sgd"

    def update(self, value, grad, state):
        return value - self.lr * grad


class Momentum(Optimizer):
    """v ← μ·v + g (v = g on the first step);  p ← p − lr · v  (torch SGD, momentum=μ)."""

    name = "momentum"

    def __init__(self, lr: float, momentum: float = 0.9):
        super().__init__(lr)
        self.momentum = _check_rate("momentum", momentum, 0.0, 1.0, high_open=True)

    def update(self, value, grad, state):
        velocity = state.get("velocity")
        velocity = grad.copy() if velocity is None else self.momentum * velocity + grad
        state["velocity"] = velocity
        return value - self.lr * velocity

    def __repr__(self) -> str:
        return f"Momentum(lr={self.lr:g}, momentum={self.momentum:g})"


class Adam(Optimizer):
    """Adam with bias correction (Kingma & Ba; torch.optim.Adam, amsgrad off):
    m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;
    p ← p − lr · (m / (1−β1ᵗ)) / (sqrt(v / (1−β2ᵗ)) + eps)
    """

    name = "adam"

    def __init__(self, lr: float, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        super().__init__(lr)
        self.beta1 = _check_rate("beta1", beta1, 0.0, 1.0, high_open=True)
        self.beta2 = _check_rate("beta2", beta2, 0.0, 1.0, high_open=True)
        self.eps = _check_rate("eps", eps)

    def update(self, value, grad, state):
        t = state.get("t", 0) + 1
        m = self.beta1 * state.get("m", 0.0) + (1.0 - self.beta1) * grad
        v = self.beta2 * state.get("v", 0.0) + (1.0 - self.beta2) * grad * grad
        state.update(t=t, m=m, v=v)
        step_size = self.lr / (1.0 - self.beta1 ** t)
        denom = np.sqrt(v) / math.sqrt(1.0 - self.beta2 ** t) + self.eps
        return value - step_size * (m / denom)

    def __repr__(self) -> str:
        return (f"Adam(lr={self.lr:g}, beta1={self.beta1:g}, beta2={self.beta2:g}, "
                f"eps={self.eps:g})")


_CLASSES = {"sgd": SGD, "momentum": Momentum, "adam": Adam}


def make_optimizer(name: str, lr: float, **kwargs) -> Optimizer:
    """The optimizer called `name` (sgd, momentum, adam) with learning rate `lr`."""
    key = name.lower().strip() if isinstance(name, str) else name
    if key not in _CLASSES:
        raise ValueError(f"unknown optimizer {name!r}: choose one of {', '.join(OPTIMIZERS)}")
    try:
        return _CLASSES[key](lr, **kwargs)
    except TypeError as error:
        raise ValueError(f"bad option for optimizer {key!r}: {error}") from None
