"""Optimizers: turn gradients into new parameter values.

Each optimizer's arithmetic is a plain function of ``engine.training.rules`` (the exported
scripts carry the same source); the classes here hold its settings and its state.

``opt.step(params, grads)`` takes ``{id: array}`` dicts and returns ``{id: new array}`` for
every id in `params`; it never writes into its inputs. State (momentum buffers, Adam moments
and step counts) is kept per parameter id; a parameter whose shape changed since the last step
starts afresh; ``reset()`` forgets everything. ``propose(params, grads) -> (new values, new
state)`` computes a step without keeping its state, and ``commit(state)`` keeps it: a caller
that refuses the new values (not finite) leaves the optimizer as it was. ``lr`` may be changed
between steps; the state stays.

The Trainer keeps its parameters as one flat vector and calls ``propose_flat(layout, x, g)``:
the same arithmetic on all parameters at once (the rules are elementwise: the same numbers),
a few numpy calls per step instead of a few per parameter.

The update rules match ``torch.optim`` (SGD, SGD with momentum and no dampening, Adam with
bias correction), so a run can be checked against PyTorch step by step.
"""
from __future__ import annotations

import math

import numpy as np

from engine.training.rules import adam_update, momentum_update, sgd_update

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


class Layout:
    """Where each parameter lives in a flat vector of parameters (computed once per set of
    parameters and shapes): ``ids``, ``shapes``, ``bounds`` [(id, start, stop, shape)]."""

    def __init__(self, layout):
        self.layout = tuple((pid, tuple(shape)) for pid, shape in layout)
        self.ids = tuple(pid for pid, _ in self.layout)
        self.shapes = [shape for _, shape in self.layout]
        self.bounds, start = [], 0
        for pid, shape in self.layout:
            size = math.prod(shape)
            self.bounds.append((pid, start, start + size, shape))
            start += size
        self.size = start
        self.slices = [slice(a, b) for _, a, b, _ in self.bounds]

    @classmethod
    def of(cls, values: dict) -> "Layout":
        return cls((pid, np.shape(v)) for pid, v in values.items())

    def split(self, flat: np.ndarray) -> list:
        """Views of `flat`, one per parameter, in order."""
        return [flat[s].reshape(shape) for s, shape in zip(self.slices, self.shapes)]

    def first_not_finite(self, flat: np.ndarray) -> str | None:
        """The first parameter whose part of `flat` is not all finite, or None."""
        for pid, a, b, _ in self.bounds:
            if not np.isfinite(flat[a:b]).all():
                return pid
        return None


class Optimizer:
    """Base class: validates inputs, keeps per-parameter state, applies ``rule``."""

    name = "optimizer"
    rule = staticmethod(sgd_update)   # engine.training.rules: (value, grad, state, **settings)

    def __init__(self, lr: float):
        self.lr = lr
        self.state: dict[str, dict] = {}   # per parameter id, when not in the flat group
        self._flat: _Flat | None = None     # the parameters updated together last time

    @property
    def lr(self) -> float:
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        value = _check_rate("learning rate", value)
        if value == 0.0:
            raise ValueError("learning rate must be positive, got 0")
        self._lr = value
        self._as_numpy = None

    def settings(self) -> dict:
        """The rule's settings as its keyword arguments: {"lr": ..., ...}."""
        return {"lr": self._lr}

    def numpy_settings(self) -> dict:
        """``settings()`` as numpy float64 numbers, which the rule's arithmetic is done with
        here: the same numbers as Python floats, but a scalar that overflows (a step size
        computed from a huge rate) raises under ``FPChecks`` like any array, so a step that
        raises no floating-point error from finite values and gradients gives finite ones."""
        if self.__dict__.get("_as_numpy") is None:
            self._as_numpy = {k: np.float64(v) for k, v in self.settings().items()}
        return self._as_numpy

    def parameter_state(self, pid) -> dict | None:
        """The state kept for parameter ``pid`` (momentum buffer, Adam moments and step
        count), wherever it lives; None before its first step."""
        if self._flat is not None and pid in self._flat.where.ids:
            return self._flat.states()[pid]
        return self.state.get(pid)

    def reset(self) -> None:
        """Forget all state, as if no step had been taken."""
        self.state.clear()
        self._flat = None

    def step(self, params: dict, grads: dict) -> dict:
        """New values for every parameter in `params`, given `grads` for each of them."""
        updated, state = self.propose(params, grads)
        self.commit(state)
        return updated

    def update(self, value: np.ndarray, grad: np.ndarray, state: dict) -> np.ndarray:
        """The new value; may write into `state` (a copy private to this step)."""
        return self.rule(value, grad, state, **self.numpy_settings())

    def propose(self, params: dict, grads: dict) -> tuple[dict, object]:
        """(new values, new state) for a step, leaving this optimizer's state unchanged."""
        if not params:
            return {}, {}
        values, gradients = {}, {}
        for pid, value in params.items():
            grad = grads.get(pid)
            if grad is None:
                raise ValueError(f"no gradient for parameter {pid!r}")
            value = np.asarray(value, dtype=np.float64)
            grad = np.asarray(grad, dtype=np.float64)
            if grad.shape != value.shape:
                raise ValueError(f"gradient of {pid!r} has shape {grad.shape}, "
                                 f"the parameter has shape {value.shape}")
            values[pid], gradients[pid] = value, grad
        flat = self._flat
        where = flat.where if flat is not None and flat.where.layout == tuple(
            (pid, v.shape) for pid, v in values.items()) else Layout.of(values)
        x = np.concatenate(list(values.values()), axis=None)
        g = np.concatenate(list(gradients.values()), axis=None)
        new_x, state = self.propose_flat(where, x, g)
        return dict(zip(where.ids, where.split(new_x))), state

    def propose_flat(self, where: Layout, x: np.ndarray, g: np.ndarray):
        """(new flat values, new state) for a step of the parameters laid out by `where`,
        whose values and gradients are the flat vectors `x` and `g` (never written)."""
        flat = self._flat
        if flat is None or flat.where is not where:
            flat = self._regroup(where)
            if flat is None:        # states that cannot share a vector: one at a time
                return self._propose_each(where, x, g)
        return flat.propose(self, x, g)

    def _propose_each(self, where: Layout, x, g) -> tuple[np.ndarray, dict]:
        parts, states = [], {}
        for (pid, a, b, shape), s in zip(where.bounds, where.slices):
            state = self.state.get(pid)
            state = {} if state is None or state["shape"] != shape else dict(state)
            state.pop("shape", None)
            parts.append(np.asarray(self.update(x[s], g[s], state), dtype=np.float64))
            states[pid] = {"shape": shape, **state}
        return np.concatenate(parts, axis=None), states

    def _regroup(self, where: Layout) -> "_Flat | None":
        """A flat group for `where` from the per-parameter states, or None when they
        cannot share one (e.g. a parameter added later has taken fewer steps)."""
        if self._flat is not None:
            self.state.update(self._flat.states())
            self._flat = None
        states = [self.state.get(pid) for pid in where.ids]
        states = [s if s is not None and s["shape"] == shape else None
                  for s, shape in zip(states, where.shapes)]
        if all(s is None for s in states):
            return _Flat(where, {}, {})
        if any(s is None for s in states):
            return None
        first = states[0]
        scalars = {k: v for k, v in first.items() if k != "shape" and
                   not isinstance(v, np.ndarray)}
        keys = set(first) - {"shape"} - set(scalars)
        for s in states:
            if set(s) != set(first) or any(s[k] != v for k, v in scalars.items()) \
                    or any(not isinstance(s[k], np.ndarray) for k in keys):
                return None
        return _Flat(where, scalars, {k: np.concatenate([s[k].ravel() for s in states])
                                      for k in keys})

    def commit(self, state) -> None:
        """Keep the state a ``propose`` (or ``propose_flat``) returned."""
        if isinstance(state, _Flat):
            if self.state:
                for pid in state.where.ids:
                    self.state.pop(pid, None)
            self._flat = state
        else:
            self.state.update(state)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lr={self.lr:g})"


class SGD(Optimizer):
    """p ← p − lr · g"""

    name = "sgd"
    rule = staticmethod(sgd_update)


class Momentum(Optimizer):
    """v ← μ·v + g (v = g on the first step);  p ← p − lr · v  (torch SGD, momentum=μ)."""

    name = "momentum"
    rule = staticmethod(momentum_update)

    def __init__(self, lr: float, momentum: float = 0.9):
        super().__init__(lr)
        self.momentum = _check_rate("momentum", momentum, 0.0, 1.0, high_open=True)

    def settings(self) -> dict:
        return {"lr": self._lr, "momentum": self.momentum}

    def __repr__(self) -> str:
        return f"Momentum(lr={self.lr:g}, momentum={self.momentum:g})"


class Adam(Optimizer):
    """Adam with bias correction (Kingma & Ba; torch.optim.Adam, amsgrad off):
    m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;
    p ← p − lr · (m / (1−β1ᵗ)) / (sqrt(v / (1−β2ᵗ)) + eps)
    """

    name = "adam"
    rule = staticmethod(adam_update)

    def __init__(self, lr: float, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        super().__init__(lr)
        self.beta1 = _check_rate("beta1", beta1, 0.0, 1.0, high_open=True)
        self.beta2 = _check_rate("beta2", beta2, 0.0, 1.0, high_open=True)
        self.eps = _check_rate("eps", eps)

    def settings(self) -> dict:
        return {"lr": self._lr, "beta1": self.beta1, "beta2": self.beta2, "eps": self.eps}

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


class _Flat:
    """The state of parameters updated together, as flat arrays (parameters in order, each
    raveled) and scalars (Adam's step count)."""

    def __init__(self, where: Layout, scalars: dict, arrays: dict):
        self.where, self.scalars, self.arrays = where, scalars, arrays

    @property
    def layout(self) -> tuple:
        return self.where.layout

    def states(self) -> dict:
        """Per-parameter state dicts (views into the flat arrays)."""
        states = {}
        for pid, a, b, shape in self.where.bounds:
            state = {"shape": shape, **self.scalars}
            state.update({k: v[a:b].reshape(shape) for k, v in self.arrays.items()})
            states[pid] = state
        return states

    def propose(self, optimizer: Optimizer, x: np.ndarray, g: np.ndarray):
        """One step of `optimizer` on the flat values `x` and gradients `g`."""
        state = {**self.scalars, **self.arrays}
        new_x = optimizer.rule(x, g, state, **optimizer.numpy_settings())
        if not state:                      # SGD: no state, this one stands
            return new_x, self
        arrays, scalars = {}, {}
        for key, value in state.items():   # (none for SGD)
            (arrays if isinstance(value, np.ndarray) else scalars)[key] = value
        return new_x, _Flat(self.where, scalars, arrays)
