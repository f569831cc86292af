"""Training loop: minibatches from a Dataset through a Graph, parameters updated by an Optimizer.

``Trainer(graph)`` reads its defaults from the graph's sections (explicit arguments win)::

    "data":     {"dataset": "xor", "n": 200, "noise": 0.1, "seed": 0, "classes": 3,
                 "features": "<input id>", "targets": "<input id>"}
    "training": {"optimizer": "adam", "lr": 0.05, "batch_size": 32, "steps": 2000, "seed": 0}

plus, when present in "training", the optimizer's options: ``momentum`` (momentum) and
``beta1``, ``beta2``, ``eps`` (adam).

Each ``step()`` feeds one minibatch to the `features` and `targets` input nodes through
``graph.forward(feeds)`` (feeds apply to that pass only: the input nodes' stored values are
never changed), runs ``backward()``, and gives every ``parameter`` node a new value with
``graph.set_value`` (new arrays; arrays held by a Trace are never written). Afterwards
``graph.values``, ``graph.grads`` and ``graph.trace`` describe the last pass run (a minibatch,
or the whole dataset after ``evaluate()``).

Minibatches are drawn from a seeded stream of shuffled epochs, so every batch has exactly
`batch_size` rows (a batch at an epoch boundary ends one epoch and starts the next); a
`batch_size` of None, 0, or at least the dataset size trains on the full dataset each step.

Threads: the trainer mutates its graph, so a GUI should train a ``graph.copy()`` in its worker
thread and publish parameter values from ``run``'s callback (return False to stop early).
"""
from __future__ import annotations

import math
from numbers import Integral

import numpy as np

from .datasets import Dataset, make_dataset
from .errors import GraphError, Kind
from .optim import Optimizer, make_optimizer

DEFAULT_TRAINING = {"optimizer": "adam", "lr": 0.05, "batch_size": 32, "steps": 2000, "seed": 0}
LOSS_OPS_WITH_ACCURACY = ("sigmoid_bce", "softmax_ce", "mse")


OPTIMIZER_OPTIONS = {"momentum": ("momentum",), "adam": ("beta1", "beta2", "eps")}


class TrainingError(ValueError):
    """Training cannot start or go on; the message says why (and names the node)."""


def _section(graph, name: str) -> dict:
    section = graph.extra.get(name)
    if section is None:
        return {}
    if not isinstance(section, dict):
        raise TrainingError(f"the {name} section must be an object of settings, "
                            f"got {type(section).__name__}")
    return dict(section)


def _count(value, what: str, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 2000.0 from a JSON writer is 2000
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 0:
        raise TrainingError(f"{what} must be a non-negative integer, got {value!r}")
    return int(value)


def accuracy(loss_op: str, prediction: np.ndarray, targets: np.ndarray) -> float | None:
    """Fraction of rows classified right, judged from the loss's first input; None when the
    loss or the targets are not a classification (see module doc of the Trainer)."""
    prediction, targets = np.asarray(prediction), np.asarray(targets)
    if prediction.shape != targets.shape or prediction.ndim == 0 or targets.size == 0:
        return None
    zero_one = bool(np.isin(targets, (0.0, 1.0)).all())
    one_hot = zero_one and targets.ndim == 2 and targets.shape[1] > 1 \
        and bool((targets.sum(axis=1) == 1).all())
    if loss_op == "softmax_ce" or (loss_op == "mse" and one_hot):
        if targets.ndim < 1 or targets.shape[-1] < 2:
            return None
        return float(np.mean(prediction.argmax(axis=-1) == targets.argmax(axis=-1)))
    if loss_op == "sigmoid_bce" and zero_one:
        return float(np.mean((prediction > 0) == (targets > 0.5)))
    if loss_op == "mse" and zero_one:
        return float(np.mean((prediction > 0.5) == (targets > 0.5)))
    if loss_op == "mse" and bool(np.isin(targets, (-1.0, 1.0)).all()):
        return float(np.mean((prediction > 0) == (targets > 0)))
    return None


class Trainer:
    """Trains the `parameter` nodes of `graph` on a dataset; see the module docstring."""

    def __init__(self, graph, optimizer: Optimizer | str | None = None,
                 dataset: Dataset | str | None = None, batch_size: int | None = None,
                 seed: int | None = None, lr: float | None = None,
                 features: str | None = None, targets: str | None = None):
        """`optimizer`: an Optimizer or a name (with `lr`); `dataset`: a Dataset or a name;
        `features` / `targets`: input node ids. None means: take it from the graph's
        sections, then from ``DEFAULT_TRAINING``. Raises TrainingError (a ValueError)."""
        self.graph = graph
        data, training = _section(graph, "data"), _section(graph, "training")
        training = {**DEFAULT_TRAINING, **training}
        self.features = self._input_node(features or data.get("features"), "features")
        self.targets = self._input_node(targets or data.get("targets"), "targets")
        self.dataset = self._dataset(dataset, data)
        self.optimizer = self._optimizer(optimizer, training, lr)
        size = batch_size if batch_size is not None else training.get("batch_size")
        size = _count(size, "batch_size", allow_none=True)
        self.batch_size = len(self.dataset) if not size or size > len(self.dataset) else size
        self.steps = _count(training.get("steps"), "steps")
        self.seed = _count(seed if seed is not None else training.get("seed", 0), "seed",
                           allow_none=True)
        self.rng = np.random.default_rng(self.seed)
        self.history: list[float] = []
        self._queue = np.empty(0, dtype=np.intp)
        self._stop = False
        self._find_loss_and_parameters()
        self._check_fit()

    # ------------------------------------------------------------ setup
    def _input_node(self, node_id, role: str) -> str:
        if not node_id:
            raise TrainingError(f"the graph's data section names no {role!r} input node "
                                f"(add \"{role}\": \"<input node id>\")")
        if node_id not in self.graph.node_ids():
            raise TrainingError(f"{role} node {node_id!r} is not in the graph")
        op = self.graph.node(node_id).op
        if op != "input":
            raise TrainingError(f"node {node_id!r}: {role} must be an input node, not {op}")
        return node_id

    def _dataset(self, dataset, data: dict) -> Dataset:
        if isinstance(dataset, Dataset):
            return dataset
        name = dataset if dataset is not None else data.get("dataset")
        if name is None:
            raise TrainingError("no dataset: add \"dataset\" to the graph's data section "
                                "or pass one to the trainer")
        options = {k: data[k] for k in ("n", "noise", "seed", "classes") if k in data}
        try:
            return make_dataset(name, **options)
        except (ValueError, TypeError) as error:
            raise TrainingError(f"data: {error}") from None

    def _optimizer(self, optimizer, training: dict, lr) -> Optimizer:
        if isinstance(optimizer, Optimizer):
            return optimizer
        name = optimizer if optimizer is not None else training.get("optimizer")
        options = {k: training[k] for k in OPTIMIZER_OPTIONS.get(name, ()) if k in training}
        try:
            return make_optimizer(name, lr if lr is not None else training.get("lr"), **options)
        except ValueError as error:
            raise TrainingError(f"training: {error}") from None

    def _find_loss_and_parameters(self) -> None:
        """The loss node and every parameter node; again whenever the graph was edited."""
        graph = self.graph
        try:
            self.loss = graph.loss_node()
        except GraphError as error:
            raise TrainingError(str(error)) from None
        self.parameters = [i for i in graph.node_ids() if graph.node(i).op == "parameter"]
        if not self.parameters:
            raise TrainingError("nothing to train: the graph has no parameter nodes")
        self._version = graph.version

    def _check_fit(self) -> None:
        """One forward on a first batch: a shape that does not fit names the node."""
        rows = np.arange(min(self.batch_size, len(self.dataset)))
        try:
            self._forward(rows)
        except GraphError as error:
            X, Y = self.dataset.X, self.dataset.Y
            raise TrainingError(
                f"the {self.dataset.name} data does not fit the graph (features "
                f"{self.features!r} get shape {(len(rows),) + X.shape[1:]}, targets "
                f"{self.targets!r} get {(len(rows),) + Y.shape[1:]}): {error}") from None

    # ------------------------------------------------------------ passes
    def _feeds(self, rows) -> dict:
        return {self.features: self.dataset.X[rows], self.targets: self.dataset.Y[rows]}

    def _forward(self, rows) -> float:
        with np.errstate(all="ignore"):
            values = self.graph.forward(self._feeds(rows))
        return float(np.asarray(values[self.loss]).reshape(()))

    def next_rows(self) -> np.ndarray:
        while len(self._queue) < self.batch_size:
            self._queue = np.concatenate([self._queue, self.rng.permutation(len(self.dataset))])
        rows, self._queue = self._queue[:self.batch_size], self._queue[self.batch_size:]
        return rows

    def step(self) -> float:
        """One minibatch: forward, backward, update every parameter. Returns the batch loss;
        a loss that is not finite raises TrainingError and leaves the parameters as they were."""
        if self.graph.version != self._version:
            self._find_loss_and_parameters()
        rows = self.next_rows()
        try:
            loss = self._forward(rows)
            if not math.isfinite(loss):
                raise TrainingError(f"the loss became {loss} at step {len(self.history) + 1}: "
                                    f"try a smaller learning rate")
            with np.errstate(all="ignore"):
                grads = self.graph.backward()
            values = self.graph.values
            params = {p: values[p] for p in self.parameters}
            new = self.optimizer.step(params, {p: grads[p] for p in self.parameters})
        except GraphError as error:
            raise TrainingError(self._diverged(error)) from None
        bad = [p for p in self.parameters if not np.isfinite(new[p]).all()]
        if bad:
            raise TrainingError(f"node {bad[0]!r}: the update is not finite at step "
                                f"{len(self.history) + 1}: try a smaller learning rate")
        for p in self.parameters:
            self.graph.set_value(p, new[p])
        self.history.append(loss)
        return loss

    def _diverged(self, error: GraphError) -> str:
        message = f"step {len(self.history) + 1}: {error}"
        if error.kind is Kind.NONFINITE:
            message += ": the training diverged, try a smaller learning rate"
        return message

    def run(self, steps: int | None = None, callback=None) -> list[float]:
        """Take `steps` steps (default: the training section's `steps`); `callback(step,
        loss)` after each, where `step` counts all steps so far; returning False stops early,
        as does ``stop()`` from another thread. Returns this run's losses."""
        steps = self.steps if steps is None else _count(steps, "steps")
        self._stop = False
        losses = []
        for _ in range(steps):
            if self._stop:
                break
            losses.append(self.step())
            if callback is not None and callback(len(self.history), losses[-1]) is False:
                break
        return losses

    def stop(self) -> None:
        """Ask a running ``run`` to return after the current step (safe from another thread)."""
        self._stop = True

    # ------------------------------------------------------------ results
    @property
    def epochs(self) -> float:
        """Passes over the dataset so far (steps × batch size / dataset size)."""
        return len(self.history) * self.batch_size / len(self.dataset)

    def parameter_values(self) -> dict:
        """{parameter id: current value}; the arrays are never mutated afterwards, so they
        can be handed to another thread (e.g. the GUI's model) as they are."""
        return {p: self.graph.node(p).value for p in self.parameters}

    def evaluate(self) -> tuple[float, float | None]:
        """(loss, accuracy or None) over the whole dataset, with the current parameters."""
        rows = np.arange(len(self.dataset))
        try:
            loss = self._forward(rows)
        except GraphError as error:
            raise TrainingError(str(error)) from None
        node = self.prediction_node()
        if node is None:
            return loss, None
        op = self.graph.node(self.loss).op
        return loss, accuracy(op, self.graph.values[node], self.dataset.Y)

    def prediction_node(self) -> str | None:
        """The node feeding the loss's first port (logits or prediction), if any."""
        sources = self.graph.input_sources(self.loss)
        if self.graph.node(self.loss).op not in LOSS_OPS_WITH_ACCURACY or not sources:
            return None
        return sources[0]

    def predict(self, X) -> np.ndarray:
        """The prediction node's value for features `X` (e.g. a decision-boundary grid);
        targets are fed as zeros. Raises TrainingError when the loss is not a known loss op."""
        node = self.prediction_node()
        if node is None:
            raise TrainingError("the loss is not mse, sigmoid_bce or softmax_ce: "
                                "no prediction node to read")
        X = np.asarray(X, dtype=np.float64)
        feeds = {self.features: X,
                 self.targets: np.zeros((len(X),) + self.dataset.Y.shape[1:])}
        try:
            with np.errstate(all="ignore"):
                return self.graph.forward(feeds)[node]
        except GraphError as error:
            raise TrainingError(str(error)) from None
