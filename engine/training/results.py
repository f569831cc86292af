"""What a Trainer reports and hands on (mixins of ``engine.training.trainer.Trainer``).

``Results``: the loss and accuracy on the full training and test rows, and predictions (e.g. a
decision boundary's grid). ``Transfer``: a Trainer pickles (without its lock; the graph as a
fresh copy), so a run can be made on a copy in another process; ``progress(since)`` then
carries what that run changed — weights, optimizer state, the batch stream, the losses — and
``adopt(progress)`` puts it into the original, which goes on exactly as the copy would have.
Pickle a trainer while no step runs.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from engine.errors import GraphError
from engine.training.datasets import Dataset
from engine.training.errors import TrainingError
from engine.training.metrics import LOSS_OPS_WITH_ACCURACY, accuracy, to_probabilities
from engine.training.optim import Optimizer


def locked(method):
    """A Trainer method that holds the trainer's lock while it runs."""
    def wrapper(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)
    wrapper.__name__, wrapper.__doc__ = method.__name__, method.__doc__
    return wrapper


@dataclass
class Progress:
    """What steps changed in a Trainer since step `start`: carried from a copy that made a
    run (another process) back to the original (``Trainer.adopt``)."""
    start: int                  # the step count the run started from
    losses: list                # the batch losses of steps start + 1, ...
    values: dict                # parameter -> value now
    optimizer: Optimizer        # with its state
    rng: np.random.Generator
    queue: np.ndarray
    at: int
    last_rows: np.ndarray | None
    last_grads: dict | None


class Results:
    """Needs the Trainer's graph, loss, features, targets, dataset, test_dataset, _forward."""

    def _measure(self, data: Dataset) -> tuple[float, float | None]:
        try:
            loss = self._forward(data.X, data.Y)
        except GraphError as error:
            raise TrainingError(str(error), error.kind, error.node, None, error.port) from None
        node = self.prediction_node()
        if node is None:
            return loss, None
        return loss, accuracy(self.loss_op, self.graph.values[node], data.Y)

    @locked
    def evaluate(self) -> tuple[float, float | None]:
        """(loss, accuracy or None) over the training rows, with the current parameters."""
        return self._measure(self.dataset)

    @locked
    def evaluate_test(self) -> tuple[float, float | None] | None:
        """(loss, accuracy or None) over the held-out rows; None when there is no test split."""
        return None if self.test_dataset is None else self._measure(self.test_dataset)

    @locked
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

    @locked
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


class Transfer:
    """Needs the Trainer's run state (history, optimizer, rng, _queue, _at, ...)."""

    def __getstate__(self) -> dict:
        """For pickling: no lock, the graph as a fresh copy (no compiled plan), no bound
        vector (the copy binds its own at its first step)."""
        with self._lock:
            state = dict(self.__dict__)
            state["graph"] = self.graph.copy()
            state["_nodes"] = None
            state.update(_lock=None, _bound=None, _Xs=None, _Ys=None, _buffers=None,
                         running=False, _stop=False, _version=None)
            return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()
        self._find_loss_and_parameters()

    @locked
    def progress(self, since: int) -> Progress:
        """What the steps after step `since` changed, for ``adopt`` on the trainer this one
        was copied from when it stood at `since`."""
        return Progress(since, self.history[since:], self.parameter_values(), self.optimizer,
                        self.rng, self._queue, self._at, self.last_rows, self._last_grads)

    @locked
    def adopt(self, progress: Progress) -> None:
        """Go on from a copy's run (``progress``): the weights, the optimizer and its state,
        the batch stream and the losses become this trainer's. The copy must have started at
        this trainer's step count (ValueError otherwise: this trainer changed meanwhile)."""
        if progress.start != len(self.history):
            raise ValueError(f"the run started at step {progress.start}, this trainer is at "
                             f"step {len(self.history)}")
        self._refresh()
        self.graph.set_values({p: v for p, v in progress.values.items()
                               if p in self.parameters}, finite=True)
        self.optimizer, self.rng = progress.optimizer, progress.rng
        self._queue, self._at, self._Xs, self._Ys = progress.queue, progress.at, None, None
        self.history.extend(progress.losses)
        self.last_rows, self._last_grads = progress.last_rows, progress.last_grads
        self.last_flat_gradient = None
