"""Training loop: minibatches from a dataset through a Graph, parameters updated by an Optimizer.

``Trainer(graph)`` reads its defaults from the graph's sections (explicit arguments win)::

    "data":     see engine/training/data.py: a built-in "dataset" or the user's "csv",
                "features" / "targets" (input node ids), "test_fraction", "standardize"
    "training": {"optimizer": "adam", "lr": 0.05, "batch_size": 32, "steps": 2000, "seed": 0}

plus, when present in "training", the optimizer's options: ``momentum`` (momentum) and
``beta1``, ``beta2``, ``eps`` (adam).

Each ``step()`` feeds one minibatch to the `features` and `targets` input nodes through
``graph.forward(feeds)`` (feeds apply to that pass only: the input nodes' stored values are
never changed), runs ``backward()``, and updates every ``parameter`` node by the optimizer's
rule (``engine.training.rules``). **The parameters are updated in place**: the trainer keeps
them as one flat vector whose views are the parameter nodes' values, and writes each step's
new values into it once they are known to be finite. Whoever hands them on copies them:
``parameter_values()`` returns copies, a worker's snapshots carry copies, and with
``trainer.record`` True (each step keeps its Trace) every step writes a fresh vector instead,
so a Trace's values stay as its pass saw them. A value given from outside (``reset``,
``graph.set_value``) is never written: the next step copies it into a new vector. The batches,
likewise, are views of two buffers the trainer rewrites with each new epoch's rows (copies when
recording). Steps keep no Trace unless ``trainer.record`` is True; ``graph.grads`` describe
the last pass, and ``graph.values`` too, but for the parameters, which hold their updated
values, and the fed batch, which a later epoch overwrites.

Minibatches follow ``engine.training.rules.next_batch``: a seeded stream of shuffled epochs
(``rng = np.random.default_rng(seed)``, each epoch ``rng.permutation(len(dataset))``) cut into
batches of exactly `batch_size` rows; a `batch_size` of None, 0, or at least the dataset size
trains on the full dataset each step. ``dataset`` is the training rows (after the test split
and the standardisation); ``next_rows()`` draws the next batch's row indices into it.

Non-finite values stop training at once: ``TrainingError`` names the node that produced the
first nan or inf and the step (``.node``, ``.step``, ``.kind``), and the parameters and the
optimizer's state stay as they were after the last good step.

Threads: the trainer mutates its graph, so a GUI trains a ``graph.copy()``. Every public
method holds the trainer's lock while it runs, so calls from another thread (``stop``,
``set_learning_rate``, ``set_optimizer``, ``evaluate``, ``predict``, ...) wait for the current
step and take effect between steps; ``run`` releases the lock between steps.

Processes: a run made on a pickled copy comes back with ``progress`` / ``adopt``
(engine/training/results.py).
"""
from __future__ import annotations

import math
import threading
from numbers import Integral
from operator import attrgetter, is_

import numpy as np

from engine.errors import GraphError, Kind
from engine.networks.widths import data_widths
from engine.nonfinite import forward_cause
from engine.plan import FPChecks
from engine.training.data import Fit, Standardization, TrainingData, prepare
from engine.training.datasets import Dataset
from engine.training.errors import TrainingError
from engine.training.metrics import accuracy
from engine.training.optim import OPTIMIZERS, Layout, Optimizer, make_optimizer
from engine.training.results import Progress, Results, Transfer, locked
from engine.training.batches import Batches
from engine.values import initial_value, is_finite, nonfinite_kind

DEFAULT_TRAINING = {"optimizer": "adam", "lr": 0.05, "batch_size": 32, "steps": 2000, "seed": 0}
OPTIMIZER_OPTIONS = {"momentum": ("momentum",), "adam": ("beta1", "beta2", "eps")}
DIVERGED_HINT = " (the training diverged: try a smaller learning rate)"


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


_VALUE = attrgetter("value")


class Trainer(Batches, Results, Transfer):
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
        self.default_steps = _count(training.get("steps"), "steps")   # a run's length
        self.seed = _count(seed if seed is not None else training.get("seed", 0), "seed",
                           allow_none=True)
        self.data = self._data(dataset, test_dataset, section, folder)
        self.dataset, self.test_dataset = self.data.train, self.data.test
        size = batch_size if batch_size is not None else training.get("batch_size")
        size = _count(size, "batch_size", allow_none=True)
        self.batch_size = len(self.dataset) if not size or size > len(self.dataset) else size
        self._check_finite()
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
        self._nodes = [graph.node(p) for p in self.parameters]
        self._bound = None          # (flat vector, its views, Layout): the nodes' values
        self._version = graph.version

    def _refresh(self) -> None:
        if self.graph.version != self._version:
            self._find_loss_and_parameters()

    def _check_finite(self) -> None:
        """Every row is finite (a CSV's and a built-in set's always are; a Dataset given to
        the trainer may not be): the batches drawn from them are trusted."""
        for data in (self.dataset, self.test_dataset):
            for array, node, what in ((data.X if data else None, self.features, "features"),
                                      (data.Y if data else None, self.targets, "targets")):
                if array is not None and not is_finite(np.asarray(array, dtype=np.float64)):
                    raise TrainingError(f"the {data.name} data is not finite "
                                        f"({nonfinite_kind(array)} in the {what})",
                                        Kind.NONFINITE, node)

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
        self._queue = np.empty(0, dtype=np.intp)
        self._at = 0
        self._Xs = self._Ys = self._buffers = None
        self.last_rows = None
        self._last_grads = None
        self.last_flat_gradient = None    # (all parameters' gradients of the last step in one
                                          # new vector, its Layout): read, never write

    # ------------------------------------------------------------ passes
    def _forward(self, X, Y) -> float:
        values = self.graph.forward({self.features: X, self.targets: Y}, record=self.record)
        return values[self.loss].item()

    def _flat_parameters(self) -> tuple:
        """(flat vector, its views, Layout) of the parameters, which are the views: bound
        again (the values copied into a new vector) when a node got another array."""
        bound = self._bound
        if bound is not None and all(map(is_, map(_VALUE, self._nodes), bound[1])):
            return bound
        values = {p: node.value if node.value is not None else initial_value(node)
                  for p, node in zip(self.parameters, self._nodes)}   # (as a pass would)
        where = Layout.of(values)
        if bound is not None and bound[2].layout == where.layout:
            where = bound[2]                   # the optimizer's flat state stays in use
        return self._bind(np.concatenate(list(values.values()), axis=None), where)

    def _bind(self, flat: np.ndarray, where: Layout) -> tuple:
        views = where.split(flat)
        self.graph.set_values(dict(zip(where.ids, views)), finite=True)
        self._bound = (flat, views, where)
        return self._bound

    @locked
    def step(self) -> float:
        """One minibatch: forward, backward, update every parameter. Returns the batch loss.
        A nan or inf raises TrainingError (see the module doc); nothing changes then."""
        graph = self.graph
        if graph.version != self._version:
            self._find_loss_and_parameters()
        parameters = self.parameters
        step = len(self.history) + 1
        try:
            x, _views, where = self._flat_parameters()
            rows, X, Y = self._next_batch()
            with FPChecks():     # one np.errstate for both passes and the update
                loss = graph.forward({self.features: X, self.targets: Y},
                                     record=self.record)[self.loss].item()
                if not math.isfinite(loss):
                    raise self._first_nonfinite(graph.values)
                grads = graph.backward(record=self.record, wrt=parameters)
                g = np.concatenate(list(map(grads.__getitem__, parameters)), axis=None)
                if g.size != x.size:
                    raise GraphError(Kind.SHAPE, "a gradient does not match its parameter")
                try:    # finite values and gradients, no floating-point error: all finite
                    new, state = self.optimizer.propose_flat(where, x, g)  # (numpy_settings)
                except FloatingPointError:  # an overflow: name the parameter
                    with np.errstate(all="ignore"):
                        new, state = self.optimizer.propose_flat(where, x, g)
                    bad = where.first_not_finite(new)
                    if bad is not None:
                        part = new[where.slices[where.ids.index(bad)]]
                        raise GraphError(Kind.NONFINITE, "its new value is not finite "
                                         f"({nonfinite_kind(part)})", bad) from None
        except GraphError as error:
            raise self._failure(error, step) from None
        if self.record:         # the Trace holds this pass's values: a new vector
            self._bind(new, where)
        else:
            np.copyto(x, new)   # in place: the nodes' values are views of x
            graph.values_written()
        self.optimizer.commit(state)
        self.history.append(loss)
        self.last_rows, self._last_grads, self.last_flat_gradient = rows, grads, (g, where)
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
        steps = self.default_steps if steps is None else _count(steps, "steps")
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
    @locked
    def reset(self) -> None:
        """Back to the weights this run started from (at construction or the last
        ``reinitialize``), with the optimizer's state, the history and the batch stream fresh:
        training again repeats the run exactly. (Parameters added since keep their values.)"""
        self._refresh()
        self.graph.set_values({p: v for p, v in self.initial_values.items()
                               if p in self.parameters})
        self._restart()

    @locked
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

    @locked
    def set_learning_rate(self, lr: float) -> None:
        """A new learning rate from the next step on; the optimizer keeps its state."""
        try:
            self.optimizer.lr = lr
        except ValueError as error:
            raise TrainingError(str(error)) from None

    @locked
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

    @locked
    def parameter_values(self) -> dict:
        """{parameter id: a copy of its current value}: the trainer updates its own arrays in
        place, these are the caller's (never written by the trainer), so they can be handed
        to another thread (e.g. the GUI's model) as they are."""
        self._refresh()
        return {p: np.array(self.graph.node(p).value, copy=True) for p in self.parameters}


    @locked
    def gradients(self) -> dict:
        """{parameter id: its gradient} of the last step ({} before the first step)."""
        return dict(self._last_grads or {})

    @locked
    def gradient_norms(self) -> dict:
        """{parameter id: the L2 norm of its gradient} of the last step ({} before one)."""
        return {p: math.sqrt(float(np.vdot(g, g))) for p, g in self.gradients().items()}

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
                   "batch_size": self.batch_size, "steps": self.default_steps,
                   "seed": self.seed}
        for key in OPTIMIZER_OPTIONS.get(opt.name, ()):
            section[key] = getattr(opt, key)
        return section


__all__ = ["Trainer", "TrainingError", "Progress", "accuracy", "DEFAULT_TRAINING",
           "OPTIMIZERS"]
