"""The example as a lesson has set it up at one of its steps: a graph, its last pass, the
player's steps over that pass and the optimizer step the player would preview.

A ``State`` owns its graph (a copy: the caller's graph, values and Trace are never touched).
It runs one forward and backward pass, as the app does for a graph without problems, and cuts
the Trace into the player's steps in the lesson's granularity (engine/steps.py), so step k
here is step k in the player's caption.
"""
from __future__ import annotations

import numpy as np

from engine.errors import GraphError, Kind
from engine.predict import ask
from engine.steps import player_steps
from engine.training.update_preview import preview_update


class StepOutOfRange(ValueError):
    pass


class State:
    def __init__(self, graph, granularity: str):
        """``graph``: copied, never changed; GraphError when the copy cannot run a pass."""
        self.graph = graph.copy()
        self.granularity = granularity
        g = self.graph
        g.forward()
        self.loss = g.loss_node()
        g.backward(self.loss)
        self.trace = g.trace
        self.values, self.grads = self.trace.values, self.trace.grads
        parameters = [n for n in g.node_ids() if g.node(n).op == "parameter"]
        self.update = preview_update(g.training, self.values, self.grads, parameters)
        has_update = self.trace.has_backward and bool(self.update.parameters)
        self.steps = player_steps(self.trace, granularity, has_update)

    @property
    def count(self) -> int:
        return len(self.steps)

    def step(self, k: int):
        """Player step ``k``, counted from 1 as the caption counts."""
        if not 1 <= k <= len(self.steps):
            raise StepOutOfRange(f"player step {k} is beyond the last ({len(self.steps)} steps "
                                 f"in {self.granularity} granularity)")
        return self.steps[k - 1]

    def question(self, k: int, node: str | None = None, tolerance: float | None = None):
        """What player step ``k`` asks (engine.predict.Question); ValueError when it asks
        nothing or ``node`` is not one it concerns."""
        step = self.step(k)
        question = ask(self.trace, step, self.update, node, tolerance)
        if question is None:
            raise ValueError(f"player step {k} ({step.phase}) asks nothing: predictions are "
                             f"asked at forward, backward and update steps")
        return question

    def node_value(self, node: str) -> np.ndarray:
        self.graph.node(node)                      # GraphError for an unknown node
        return np.asarray(self.values[node])

    def node_grad(self, node: str) -> np.ndarray:
        self.graph.node(node)
        return np.asarray(self.grads[node])

    def loss_with(self, node: str, index: tuple, delta: float) -> float:
        """The loss when element ``index`` of leaf ``node`` is moved by ``delta``."""
        graph = self.graph.copy()
        leaf = graph.node(node)
        if leaf.value is None:
            raise GraphError(Kind.BAD_VALUE, f"{node} is not an input, constant or parameter: only a "
                                   "value the graph is given can be nudged")
        value = np.array(leaf.value, dtype=np.float64)
        value[index] += delta
        graph.set_value(node, value)
        return float(np.sum(graph.forward(record=False)[self.loss]))
