"""Training loop: minibatches from a dataset through a Graph, parameters updated by an Optimizer.

``Trainer(graph)`` reads its defaults from the graph's sections (explicit arguments win)::

    "data":     see engine/training/data.py: a built-in "dataset" or the user's "csv",
                "features" / "targets" (input node ids), "test_fraction", "standardize"
    "training": {"optimizer": "adam", "lr": 0.05, "batch_size": 32, "steps": 2000, "seed": 0}

plus, when present in "training", the optimizer's options: ``momentum`` (momentum) and
``beta1``, ``beta2``, ``eps`` (adam).

Each ``step()`` feeds one minibatch to the `features` and `targets` input nodes through
``graph.forward(feeds)`` (feeds apply to that pass only: the input nodes' stored values are
never changed), runs ``backward()``, and gives every ``parameter`` node a new value (new
arrays; arrays held by a Trace or another thread are never written). Steps keep no Trace
unless ``trainer.record`` is True; ``graph.values`` and ``graph.grads`` describe the last pass.

Minibatches are drawn from a seeded stream of shuffled epochs: ``rng =
np.random.default_rng(seed)``, each epoch ``rng.permutation(len(dataset))``, the stream cut
into batches of exactly `batch_size` rows (a batch at an epoch boundary ends one epoch and
starts the next); a `batch_size` of None, 0, or at least the dataset size trains on the full
dataset each step. ``dataset`` is the training rows (after the test split and the
standardisation); ``next_rows()`` draws the next batch's row indices into it.

Non-finite values stop training at once: ``TrainingError`` names the node that produced the
first nan or inf and the step (``.node``, ``.step``, ``.kind``), and the parameters and the
optimizer's state stay as they were after the last good step.

Threads: the trainer mutates its graph, so a GUI trains a ``graph.copy()`` in a worker thread.
Every public method holds the trainer's lock while it runs, so calls from another thread
(``stop``, ``set_learning_rate``, ``set_optimizer``, ``evaluate``, ``predict``, ...) wait for
the current step and take effect between steps; ``run`` releases the lock between steps.
"""
from __future__ import annotations

import math
import threading
from numbers import Integral

import numpy as np

from engine.training.datasets import Dataset
from engine.errors import GraphError, Kind
from engine.training.optim import OPTIMIZERS, Optimizer, make_optimizer
from engine.nonfinite import forward_cause
from engine.plan import FPChecks
from engine.training.data import Fit, Standardization, TrainingData, prepare
from engine.training.metrics import LOSS_OPS_WITH_ACCURACY, accuracy, to_probabilities
from engine.networks.widths import data_widths

DEFAULT_TRAINING = {"optimizer": "adam", "lr": 0.05, "batch_size": 32, "steps": 2000, "seed": 0}
OPTIMIZER_OPTIONS = {"momentum": ("momentum",), "adam": ("beta1", "beta2", "eps")}
DIVERGED_HINT = " (the training diverged: try a smaller learning rate)"


class TrainingError(ValueError):
    """Training cannot start or go on; the message says why. `kind` (an ``engine.Kind`` or
    None), `node` (the node to blame, or None) and `step` (the step that failed, or None)
    let a GUI highlight the node; `role` ("features" or "targets") says which data node a
    NO_DATA_NODE problem, or a SHAPE problem (the data's width does not fit), is about."""

    def __init__(self, message: str, kind: Kind | None = None, node: str | None = None,
                 step: int | None = None, port: int | None = None, role: str | None = None):
        super().__init__(message)
        self.kind, self.node, self.step, self.port, self.role = kind, node, step, port, role


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


def _locked(method):
    def wrapper(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)
    wrapper.__name__, wrapper.__doc__ = method.__name__, method.__doc__
    return wrapper


class Trainer:
    """Trains the `parameter` nodes of `graph`; see the module docstring and the "training"
    section of docs/architecture.md."""

    def __init__(self, graph, optimizer: Optimizer | str | None = None,
                 dataset: Dataset | str | None = None, batch_size: int | None = None,
                 seed: int | None = None, lr: float | None = None,
                 features: str | None = None, targets: str | None = None, *,
                 data: dict | None = None, folder=None, test_dataset: Dataset | None = None):
        """`optimizer`: an Optimizer or a name (with `lr`); `dataset`: a Dataset (used as
        given, with `test_dataset` as its held-out rows) or a built-in name; `data`: a data
        section used instead of the graph's (e.g. the user's CSV), whose relative CSV path is
        taken from `folder` (the graph file's folder); `features` / `targets`: input node ids.
        None means: take it from the graph's sections, then from ``DEFAULT_TRAINING``.
        Raises TrainingError (a ValueError) with one clear line."""
        self.graph = graph
        self._lock = threading.RLock()
        self._stop = False
        self.running = False
        self.record = False
        section = dict(data) if data is not None else _section(graph, "data")
        training = {**DEFAULT_TRAINING, **_section(graph, "training")}
        self.features = self._input_node(features or section.get("features"), "features")
        self.targets = self._input_node(targets or section.get("targets"), "targets")
        self._find_loss_and_parameters()
        self.optimizer = self._optimizer(optimizer, training, lr)
        self.steps = _count(training.get("steps"), "steps")
        self.seed = _count(seed if seed is not None else training.get("seed", 0), "seed",
                           allow_none=True)
        self.data = self._data(dataset, test_dataset, section, folder)
        self.dataset, self.test_dataset = self.data.train, self.data.test
        size = batch_size if batch_size is not None else training.get("batch_size")
        size = _count(size, "batch_size", allow_none=True)
        self.batch_size = len(self.dataset) if not size or size > len(self.dataset) else size
        self._check_fit()
        self.initial_values = {p: self.graph.node(p).value.copy() for p in self.parameters}
        self._restart()

    # ------------------------------------------------------------ setup
    def _input_node(self, node_id, role: str) -> str:
        if not node_id:
            raise TrainingError(f"the graph's data section names no {role!r} input node "
                                f"(add \"{role}\": \"<input node id>\")",
                                Kind.NO_DATA_NODE, role=role)
        if node_id not in self.graph.node_ids():
            raise TrainingError(f"{role} node {node_id!r} is not in the graph", node=None)
        op = self.graph.node(node_id).op
        if op != "input":
            raise TrainingError(f"node {node_id!r}: {role} must be an input node, not {op}",
                                Kind.BAD_VALUE, node_id)
        return node_id

    def _data(self, dataset, test_dataset, section: dict, folder) -> TrainingData:
        if isinstance(dataset, Dataset):
            return TrainingData(dataset, test_dataset, None, None, section)
        if dataset is not None:
            section = {**section, "dataset": dataset}
            section.pop("csv", None)
        if section.get("dataset") is None and section.get("csv") is None:
            raise TrainingError("no dataset: add \"dataset\" (or \"csv\") to the graph's data "
                                "section or pass one to the trainer", Kind.NO_DATASET)
        widths = data_widths(self.graph, self.features, self.targets)   # layers, not samples
        fit = Fit(self.graph.node(self.loss).op, self.features, self.targets, widths.features,
                  widths.targets, widths.features_by, widths.targets_by)
        try:
            return prepare(section, fit, self.seed, folder)
        except (ValueError, TypeError) as error:
            message = str(error) if "csv" in section else f"data: {error}"
            node = getattr(error, "node", None)   # a DataError: the rows' width does not fit
            role = {self.features: "features", self.targets: "targets"}.get(node)
            raise TrainingError(message, Kind.SHAPE if node else None, node,
                                role=role) from None

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
            raise TrainingError(str(error), error.kind, error.node) from None
        self.parameters = [i for i in graph.node_ids() if graph.node(i).op == "parameter"]
        if not self.parameters:
            raise TrainingError("nothing to train: the graph has no parameter nodes",
                                Kind.NO_PARAMETERS)
        self._version = graph.version

    def _refresh(self) -> None:
        if self.graph.version != self._version:
            self._find_loss_and_parameters()

    def _check_fit(self) -> None:
        """One forward on a first batch: a shape that does not fit names the node (and
        parameters without a value get their initial one)."""
        for data in (self.dataset, self.test_dataset):
            if data is None:
                continue
            rows = np.arange(min(self.batch_size, len(data)))
            try:
                self._forward(data.X[rows], data.Y[rows])
            except GraphError as error:
                if error.kind is Kind.NONFINITE:
                    raise TrainingError(f"{error} before any training step",
                                        error.kind, error.node, 0, error.port) from None
                X, Y = data.X, data.Y
                raise TrainingError(
                    f"the {data.name} data does not fit the graph (features "
                    f"{self.features!r} get shape {(len(rows),) + X.shape[1:]}, targets "
                    f"{self.targets!r} get {(len(rows),) + Y.shape[1:]}): {error}",
                    error.kind, error.node, None, error.port) from None

    def _restart(self) -> None:
        """Back to step 0: no history, the optimizer's state and the batch stream fresh."""
        self.optimizer.reset()
        self.history: list[float] = []
        self.rng = np.random.default_rng(self.seed)
        self._order = np.empty(0, dtype=np.intp)
        self._at = 0
        self._Xs = self._Ys = None
        self.last_rows = None
        self._last_grads = None

    # ------------------------------------------------------------ passes
    def _forward(self, X, Y) -> float:
        values = self.graph.forward({self.features: X, self.targets: Y}, record=self.record)
        return values[self.loss].item()

    def _next_batch(self):
        """(rows, X, Y) of the next batch; X and Y are views into this epoch's shuffled copy."""
        at, size, order = self._at, self.batch_size, self._order
        if len(order) - at < size:
            count, n = len(order) - at, len(self.dataset.X)
            parts = [order[at:]] if count else []
            while count < size:
                parts.append(self.rng.permutation(n))
                count += n
            order = self._order = parts[0] if len(parts) == 1 else np.concatenate(parts)
            self._Xs, self._Ys = self.dataset.X[order], self.dataset.Y[order]
            at = 0
        self._at = end = at + size
        return order[at:end], self._Xs[at:end], self._Ys[at:end]

    @_locked
    def next_rows(self) -> np.ndarray:
        """Draw the next batch's row indices into ``dataset`` (the batch is used up)."""
        return self._next_batch()[0]

    @_locked
    def step(self) -> float:
        """One minibatch: forward, backward, update every parameter. Returns the batch loss.
        A nan or inf raises TrainingError (see the module doc); nothing changes then."""
        graph = self.graph
        if graph.version != self._version:
            self._find_loss_and_parameters()
        parameters = self.parameters
        rows, X, Y = self._next_batch()
        step = len(self.history) + 1
        try:
            with FPChecks():     # one np.errstate for both passes and the update
                loss = graph.forward({self.features: X, self.targets: Y},
                                     record=self.record)[self.loss].item()
                if not math.isfinite(loss):
                    raise self._first_nonfinite(graph.values)
                grads = graph.backward(record=self.record, wrt=parameters)
                params = dict(zip(parameters, map(graph.values.__getitem__, parameters)))
                try:
                    new, state = self.optimizer.propose(params, grads)
                except FloatingPointError:  # an overflow: the check below names the parameter
                    with np.errstate(all="ignore"):
                        new, state = self.optimizer.propose(params, grads)
                graph.set_values(new, finite=True)
        except GraphError as error:
            raise self._failure(error, step) from None
        self.optimizer.commit(state)
        self.history.append(loss)
        self.last_rows, self._last_grads = rows, grads
        return loss

    def _first_nonfinite(self, values: dict) -> GraphError:
        """The first node (in order) whose value is not finite, as a GraphError."""
        for node in self.graph.plan().order:
            value = values.get(node)
            if value is not None and not np.isfinite(value).all():
                op, attrs = self.graph.plan().node_ops[node]
                xs = [values[source] for source in self.graph.input_sources(node)]
                return GraphError(Kind.NONFINITE, forward_cause(op, xs, attrs, value), node)
        return GraphError(Kind.NONFINITE, "the loss is not finite", self.loss)

    def _failure(self, error: GraphError, step: int) -> TrainingError:
        if error.kind is Kind.NONFINITE:
            message = f"{error} at step {step}" + (DIVERGED_HINT if step > 1 else "")
        else:
            message = f"step {step}: {error}"
        return TrainingError(message, error.kind, error.node, step, error.port)

    def run(self, steps: int | None = None, callback=None) -> list[float]:
        """Take `steps` steps (default: the training section's `steps`); `callback(step,
        loss)` after each, where `step` counts all steps so far; returning False stops early,
        as does ``stop()`` (from any thread, also just before `run` starts). Returns this
        run's losses. Pausing is ``stop()``; resuming is another ``run``: run(40) then run(60)
        gives exactly run(100)."""
        steps = self.steps if steps is None else _count(steps, "steps")
        losses = []
        self.running = True
        try:
            for _ in range(steps):
                if self._stop:
                    break
                losses.append(self.step())
                if callback is not None and callback(len(self.history), losses[-1]) is False:
                    break
        finally:
            self.running = False
            self._stop = False
        return losses

    def stop(self) -> None:
        """Ask a running (or the next) ``run`` to return after the current step."""
        self._stop = True

    # ------------------------------------------------------------ control
    @_locked
    def reset(self) -> None:
        """Back to the weights this run started from (at construction or the last
        ``reinitialize``), with the optimizer's state, the history and the batch stream fresh:
        training again repeats the run exactly. (Parameters added since keep their values.)"""
        self._refresh()
        self.graph.set_values({p: v for p, v in self.initial_values.items()
                               if p in self.parameters})
        self._restart()

    @_locked
    def reinitialize(self, seed: int) -> dict:
        """New weights drawn by each parameter's initialiser with seeds derived from `seed`
        (``Graph.fresh_value``), then as ``reset``; returns them. They become the weights
        ``reset`` returns to."""
        seed = _count(seed, "seed")
        self._refresh()
        seeds = np.random.SeedSequence(seed).generate_state(len(self.parameters))
        try:
            fresh = {p: self.graph.fresh_value(p, seed=int(s))
                     for p, s in zip(self.parameters, seeds)}
        except GraphError as error:
            raise TrainingError(str(error), error.kind, error.node) from None
        self.initial_values = {p: v.copy() for p, v in fresh.items()}
        self.graph.set_values(fresh)
        self._restart()
        return fresh

    @_locked
    def set_learning_rate(self, lr: float) -> None:
        """A new learning rate from the next step on; the optimizer keeps its state."""
        try:
            self.optimizer.lr = lr
        except ValueError as error:
            raise TrainingError(str(error)) from None

    @_locked
    def set_optimizer(self, optimizer: Optimizer | str, lr: float | None = None,
                      **options) -> Optimizer:
        """Switch optimizer from the next step on: a name (sgd, momentum, adam) keeps the
        current learning rate unless `lr` is given. The same kind with no options only
        changes the rate (its state stays); another kind starts with fresh state."""
        if isinstance(optimizer, Optimizer):
            self.optimizer = optimizer
            return optimizer
        name = optimizer.lower().strip() if isinstance(optimizer, str) else optimizer
        if name == self.optimizer.name and not options:
            self.set_learning_rate(self.optimizer.lr if lr is None else lr)
            return self.optimizer
        try:
            self.optimizer = make_optimizer(name, self.optimizer.lr if lr is None else lr,
                                            **options)
        except ValueError as error:
            raise TrainingError(str(error)) from None
        return self.optimizer

    # ------------------------------------------------------------ results
    @property
    def step_count(self) -> int:
        return len(self.history)

    @property
    def epochs(self) -> float:
        """Passes over the dataset so far (steps × batch size / dataset size)."""
        return len(self.history) * self.batch_size / len(self.dataset)

    @property
    def standardization(self) -> Standardization | None:
        return self.data.standardization

    @property
    def labels(self) -> tuple | None:
        """Class labels in the order of the targets' columns (None for regression)."""
        return self.data.labels

    @property
    def loss_op(self) -> str:
        return self.graph.node(self.loss).op

    @_locked
    def parameter_values(self) -> dict:
        """{parameter id: current value}; the arrays are never mutated afterwards, so they
        can be handed to another thread (e.g. the GUI's model) as they are."""
        return {p: self.graph.node(p).value for p in self.parameters}

    @_locked
    def gradients(self) -> dict:
        """{parameter id: its gradient} of the last step ({} before the first step)."""
        return dict(self._last_grads or {})

    @_locked
    def gradient_norms(self) -> dict:
        """{parameter id: the L2 norm of its gradient} of the last step ({} before one)."""
        return {p: math.sqrt(float(np.vdot(g, g))) for p, g in self.gradients().items()}

    def _measure(self, data: Dataset) -> tuple[float, float | None]:
        try:
            loss = self._forward(data.X, data.Y)
        except GraphError as error:
            raise TrainingError(str(error), error.kind, error.node, None, error.port) from None
        node = self.prediction_node()
        if node is None:
            return loss, None
        return loss, accuracy(self.loss_op, self.graph.values[node], data.Y)

    @_locked
    def evaluate(self) -> tuple[float, float | None]:
        """(loss, accuracy or None) over the training rows, with the current parameters."""
        return self._measure(self.dataset)

    @_locked
    def evaluate_test(self) -> tuple[float, float | None] | None:
        """(loss, accuracy or None) over the held-out rows; None when there is no test split."""
        return None if self.test_dataset is None else self._measure(self.test_dataset)

    @_locked
    def metrics(self) -> dict:
        """{"loss", "accuracy", "test_loss", "test_accuracy"}: None where there is none."""
        loss, acc = self.evaluate()
        test = self.evaluate_test() or (None, None)
        return {"loss": loss, "accuracy": acc, "test_loss": test[0], "test_accuracy": test[1]}

    def prediction_node(self) -> str | None:
        """The node feeding the loss's first port (logits or prediction), if any."""
        sources = self.graph.input_sources(self.loss)
        if self.graph.node(self.loss).op not in LOSS_OPS_WITH_ACCURACY or not sources:
            return None
        return sources[0]

    @_locked
    def predict(self, X, probabilities: bool = False) -> np.ndarray:
        """The prediction node's value for features `X` (rows in the same units as
        ``dataset.X``, i.e. standardised when the data is), e.g. a decision-boundary grid.
        With `probabilities`: sigmoid of the logits for sigmoid_bce, softmax for softmax_ce.
        Raises TrainingError when the loss is not mse, sigmoid_bce or softmax_ce."""
        node = self.prediction_node()
        if node is None:
            raise TrainingError("the loss is not mse, sigmoid_bce or softmax_ce: "
                                "no prediction node to read")
        X = np.asarray(X, dtype=np.float64)
        feeds = {self.features: X,
                 self.targets: np.zeros((len(X),) + self.dataset.Y.shape[1:])}
        try:
            with np.errstate(all="ignore"):
                out = self.graph.forward(feeds, record=False)[node]
        except GraphError as error:
            raise TrainingError(str(error), error.kind, error.node, None, error.port) from None
        return to_probabilities(self.loss_op, out) if probabilities else out

    # ------------------------------------------------------------ saving
    def data_section(self, folder) -> dict:
        """The data section as trained (for a graph file saved in `folder`): the CSV path
        relative to it, the target column, the test fraction, the standardisation."""
        section = self.data.section_for(folder)
        section.update(features=self.features, targets=self.targets)
        return section

    def training_section(self) -> dict:
        """The training section as now set: optimizer (and its options), lr, batch_size,
        steps, seed."""
        opt = self.optimizer
        section = {"optimizer": opt.name, "lr": opt.lr,
                   "batch_size": self.batch_size, "steps": self.steps, "seed": self.seed}
        for key in OPTIMIZER_OPTIONS.get(opt.name, ()):
            section[key] = getattr(opt, key)
        return section


__all__ = ["Trainer", "TrainingError", "accuracy", "DEFAULT_TRAINING", "OPTIMIZERS"]
