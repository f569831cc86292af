"""Optimizers: turn gradients into new parameter values.

``opt.step(params, grads)`` takes ``{id: array}`` dicts and returns ``{id: new array}`` for
every id in `params`. It never mutates its inputs: a Trace or the GUI may still hold them.
State (momentum buffers, Adam moments and step counts) is kept per parameter id; a parameter
whose shape changed since the last step starts afresh; ``reset()`` forgets everything.
``propose(params, grads) -> (new values, new state)`` computes a step without keeping its
state, and ``commit(state)`` keeps it: a caller that refuses the new values (not finite)
leaves the optimizer as it was. ``lr`` may be changed between steps; the state stays.

The update rules match ``torch.optim`` (SGD, SGD with momentum and no dampening, Adam with
bias correction), so a run can be checked against PyTorch step by step.
"""
from __future__ import annotations

import math
from itertools import repeat
from operator import attrgetter, is_

import numpy as np

OPTIMIZERS = ("sgd", "momentum", "adam")
_SHAPE, _DTYPE, _FLOAT64 = attrgetter("shape"), attrgetter("dtype"), np.dtype(np.float64)
_reshape = np.ndarray.reshape


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

    def parameter_state(self, pid) -> dict | None:
        """The state kept for parameter ``pid`` (momentum buffer, Adam moments and step
        count), wherever it lives; None before its first step."""
        if self._flat is not None and any(p == pid for p, _shape in self._flat.layout):
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

    def propose(self, params: dict, grads: dict) -> tuple[dict, object]:
        """(new values, new state) for a step, leaving this optimizer's state unchanged.

        The update rules are elementwise, so all parameters are updated at once as one flat
        vector (a few numpy calls instead of a few per parameter; the same arithmetic, so
        the same numbers). The new values are views into that vector, never written again.
        """
        if not params:
            return {}, {}
        flat = self._flat
        if flat is not None:   # the usual case: the same parameters as last time
            x, g = flat.gather(params, grads)
            if g is not None:
                return flat.propose(self, x, g)
        values, gradients = {}, {}
        for pid, value in params.items():
            grad = grads.get(pid)
            if grad is None:
                raise ValueError(f"no gradient for parameter {pid!r}")
            if value.__class__ is not np.ndarray or value.dtype != np.float64:
                value = np.asarray(value, dtype=np.float64)
            if grad.__class__ is not np.ndarray or grad.dtype != np.float64:
                grad = np.asarray(grad, dtype=np.float64)
            if grad.shape != value.shape:
                raise ValueError(f"gradient of {pid!r} has shape {grad.shape}, "
                                 f"the parameter has shape {value.shape}")
            values[pid], gradients[pid] = value, grad
        layout = tuple([(pid, v.shape) for pid, v in values.items()])
        flat = self._flat if self._flat is not None and self._flat.layout == layout \
            else self._regroup(layout)
        if flat is None:
            return self._propose_each(values, gradients)
        return flat.propose(self, *flat.gather(values, gradients))

    def _propose_each(self, values: dict, gradients: dict) -> tuple[dict, dict]:
        updated, states = {}, {}
        for pid, value in values.items():
            state = self.state.get(pid)
            state = {"shape": value.shape} if state is None or state["shape"] != value.shape \
                else state.copy()
            updated[pid] = self.update(value, gradients[pid], state)
            states[pid] = state
        return updated, states

    def _regroup(self, layout) -> "_Flat | None":
        """A flat group for `layout` from the per-parameter states, or None when they
        cannot share one (e.g. a parameter added later has taken fewer steps)."""
        if self._flat is not None:
            self.state.update(self._flat.states())
            self._flat = None
        states = [self.state.get(pid) for pid, shape in layout]
        states = [s if s is not None and s["shape"] == shape else None
                  for s, (_, shape) in zip(states, layout)]
        if all(s is None for s in states):
            return _Flat(layout, {}, {})
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
        return _Flat(layout, scalars, {k: np.concatenate([s[k].ravel() for s in states])
                                       for k in keys})

    def commit(self, state) -> None:
        """Keep the state a ``propose`` returned."""
        if isinstance(state, _Flat):
            if self.state:
                for pid, _ in state.layout:
                    self.state.pop(pid, None)
            self._flat = state
        else:
            self.state.update(state)

    def update(self, value: np.ndarray, grad: np.ndarray, state: dict) -> np.ndarray:
        """The new value; may write into `state` (a copy private to this step)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lr={self.lr:g})"


class SGD(Optimizer):
    """p ← p − lr · g"""

    name = "sgd"

    def update(self, value, grad, state):
        return value - self._lr * grad


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
        return value - self._lr * velocity

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
        step_size = self._lr / (1.0 - self.beta1 ** t)
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


class _Layout:
    """Where each parameter of a flat group lives in the flat vectors (computed once)."""

    def __init__(self, layout):
        self.layout = layout                        # ((id, shape), ...) in order
        self.ids = tuple(pid for pid, _ in layout)
        self.shapes = [shape for _, shape in layout]
        self.bounds, start = [], 0                  # (id, start, stop, shape)
        for pid, shape in layout:
            size = math.prod(shape)
            self.bounds.append((pid, start, start + size, shape))
            start += size
        self.slices = [slice(a, b) for _, a, b, _ in self.bounds]


def _float64_arrays(arrays: list, shapes: list) -> bool:
    """Whether `arrays` are float64 numpy arrays of `shapes` (checked by C loops: this runs
    every training step)."""
    return (all(map(is_, map(type, arrays), repeat(np.ndarray)))
            and list(map(_SHAPE, arrays)) == shapes
            and all(map(is_, map(_DTYPE, arrays), repeat(_FLOAT64))))


class _Flat:
    """The state of parameters updated together, as flat arrays (parameters in order, each
    raveled), and the flat vector of the values it last proposed (whose views the caller
    gets back and, usually, hands in again: then no copying is needed)."""

    def __init__(self, layout, scalars: dict, arrays: dict, x=None, views=None):
        self.where = layout if layout.__class__ is _Layout else _Layout(layout)
        self.scalars, self.arrays = scalars, arrays
        self.x, self.views = x, views   # views: the values handed out, in layout order

    @property
    def layout(self) -> tuple:
        return self.where.layout

    @property
    def bounds(self) -> list:
        return self.where.bounds

    def gather(self, params: dict, grads: dict) -> tuple:
        """(values, gradients) as flat vectors when `params` and `grads` are float64 arrays of
        this layout, in its order; (None, None) otherwise. The values are not copied when
        they are the views this group handed out last time."""
        where = self.where
        if tuple(params) != where.ids:
            return None, None
        values = list(params.values())
        if self.views is not None and all(map(is_, values, self.views)):
            x = self.x
        elif _float64_arrays(values, where.shapes):
            x = np.concatenate(values, axis=None)
        else:
            return None, None
        gradients = list(map(grads.get, where.ids))
        try:
            if list(map(_SHAPE, gradients)) != where.shapes:
                return None, None
        except AttributeError:   # not an array
            return None, None
        g = np.concatenate(gradients, axis=None)   # float64 unless one was not
        return (x, g) if g.dtype is _FLOAT64 and g.shape == x.shape else (None, None)

    def split(self, flat: np.ndarray) -> list:
        """Views of `flat`, one per parameter, in layout order."""
        return list(map(_reshape, map(flat.__getitem__, self.where.slices), self.where.shapes))

    def states(self) -> dict:
        """Per-parameter state dicts (views into the flat arrays)."""
        states = {}
        for pid, a, b, shape in self.bounds:
            state = {"shape": shape, **self.scalars}
            state.update({k: v[a:b].reshape(shape) for k, v in self.arrays.items()})
            states[pid] = state
        return states

    def propose(self, optimizer: Optimizer, x: np.ndarray, g: np.ndarray):
        """One step of `optimizer` on the flat values `x` and gradients `g` (``gather``)."""
        state = {"shape": x.shape, **self.scalars, **self.arrays}
        new_x = optimizer.update(x, g, state)
        del state["shape"]
        arrays, scalars = {}, {}
        for key, value in state.items():   # (none for SGD)
            (arrays if isinstance(value, np.ndarray) else scalars)[key] = value
        views = self.split(new_x)
        return dict(zip(self.where.ids, views)), _Flat(self.where, scalars, arrays, new_x, views)
