"""What one optimizer step would do to a graph's parameters, without doing it.

The player's update phase shows "the graph's own optimizer step": the optimizer the graph's
``training`` section names (the Trainer's defaults otherwise), taken once from a fresh state on
the gradients of one pass. ``preview_update`` returns, per parameter, the old value, the
gradient, the new value and the named parts of the formula, so the GUI can write
``θ ← θ − lr·g`` with numbers without knowing any optimizer. Nothing is changed: the arrays are
the caller's (never written) or new.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine.training.optim import make_optimizer
from engine.training.trainer import DEFAULT_TRAINING, OPTIMIZER_OPTIONS

FORMULAS = {
    "sgd": "θ ← θ − lr·g",
    "momentum": "v ← g (first step: v starts at 0, so v = g);  θ ← θ − lr·v",
    "adam": ("m ← (1−β1)·g,  v ← (1−β2)·g²;  m̂ = m/(1−β1),  v̂ = v/(1−β2);  "
             "θ ← θ − lr·m̂/(√v̂ + ε)  (first step: m̂ = g, v̂ = g²)"),
}
# what the learning rate multiplies in each rule (θ ← θ − lr·direction)
DIRECTIONS = {"sgd": "g", "momentum": "v", "adam": "m̂/(√v̂ + ε)"}


@dataclass(frozen=True)
class ParameterUpdate:
    """One parameter: ``old`` − ``step`` = ``new``, ``step`` = lr · ``direction`` (the
    gradient for SGD, the velocity for momentum, m̂/(√v̂ + ε) for Adam); ``parts`` names the
    formula's pieces (``{"m̂": array, "v̂": array}`` for Adam, ``{"v": array}`` for
    momentum). ``change`` = new − old, signed: negative where the parameter drops."""
    node: str
    old: np.ndarray
    grad: np.ndarray
    step: np.ndarray          # what is subtracted: new = old − step
    new: np.ndarray
    parts: dict = field(default_factory=dict)
    direction: np.ndarray | None = None   # what lr multiplies (UpdatePreview.direction)

    @property
    def change(self) -> np.ndarray:
        """new − old: what the step does to each element (negative: it drops)."""
        return np.asarray(self.new, dtype=np.float64) - self.old


@dataclass(frozen=True)
class UpdatePreview:
    optimizer: str            # sgd, momentum, adam
    settings: dict            # lr and the optimizer's options, as used
    formula: str              # the rule in words and symbols
    parameters: tuple         # ParameterUpdate per parameter, in graph order
    problem: str = ""         # why the section could not be used ("" when it could)
    direction: str = "g"      # the symbol of what lr multiplies (DIRECTIONS)

    def of(self, node: str) -> ParameterUpdate | None:
        return next((p for p in self.parameters if p.node == node), None)


def training_settings(section) -> tuple[str, dict, str]:
    """(optimizer name, settings, problem) from a graph's ``training`` section; a bad section
    falls back to the Trainer's defaults and says why in ``problem``."""
    training = {**DEFAULT_TRAINING, **(section if isinstance(section, dict) else {})}
    name = training.get("optimizer")
    options = {k: training[k] for k in OPTIMIZER_OPTIONS.get(name, ()) if k in training}
    try:
        optimizer = make_optimizer(name, training.get("lr"), **options)
        return optimizer.name, {"lr": optimizer.lr, **_options(optimizer)}, ""
    except (ValueError, TypeError) as error:
        fallback = make_optimizer(DEFAULT_TRAINING["optimizer"], DEFAULT_TRAINING["lr"])
        return (fallback.name, {"lr": fallback.lr, **_options(fallback)},
                f"training section: {error}; showing the default {fallback.name}")


def _options(optimizer) -> dict:
    return {k: getattr(optimizer, k) for k in ("momentum", "beta1", "beta2", "eps")
            if hasattr(optimizer, k)}


def preview_update(section, values: dict, grads: dict, parameters) -> UpdatePreview:
    """One step of the optimizer ``section`` names on ``parameters`` (ids with a value and a
    gradient in ``values`` / ``grads``; others are skipped)."""
    name, settings, problem = training_settings(section)
    options = {k: v for k, v in settings.items() if k != "lr"}
    optimizer = make_optimizer(name, settings["lr"], **options)
    ids = [p for p in parameters if p in values and p in grads]
    params = {p: values[p] for p in ids}
    with np.errstate(all="ignore"):
        new = optimizer.step(params, {p: grads[p] for p in ids})
        updates = []
        for p in ids:
            old = np.asarray(values[p], dtype=np.float64)
            state = optimizer.parameter_state(p) or {}
            parts, direction = {}, np.asarray(grads[p], dtype=np.float64)
            if name == "momentum":
                parts = {"v": state["velocity"]}
                direction = state["velocity"]
            elif name == "adam":
                t = state["t"]
                parts = {"m": state["m"], "v": state["v"],
                         "m̂": state["m"] / (1.0 - optimizer.beta1 ** t),
                         "v̂": state["v"] / (1.0 - optimizer.beta2 ** t)}
                direction = parts["m̂"] / (np.sqrt(parts["v̂"]) + optimizer.eps)
            updates.append(ParameterUpdate(p, old, np.asarray(grads[p]), old - new[p], new[p],
                                           parts, np.asarray(direction, dtype=np.float64)))
    return UpdatePreview(name, settings, FORMULAS[name], tuple(updates), problem,
                         DIRECTIONS[name])
