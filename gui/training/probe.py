"""What the panel draws of the model itself: the decision boundary or the fitted curve.

``Probe.of(trainer)`` (GUI thread, once per Trainer) decides what can be drawn — a heatmap of
the prediction over the plane for 2 input features, a curve over the line for 1 — and lays out
the grid in the **features' units** (the CSV's, before standardisation) together with the data
points. ``probe.sampler`` is what a run takes along to its worker (an
``engine.training.live.GridSampler``: the grid in the trainer's units), and
``probe.sample(trainer)`` runs it here; both give plain arrays. No Qt here.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gui.model.predictor import Predictor
from gui.model.training_runs import GridSampler

GRID = 56          # heatmap cells per side
CURVE = 240        # points of a fitted curve
MAX_POINTS = 1500  # data points drawn (a larger set is shown evenly thinned)
PAD = 0.08         # margin around the data, as a fraction of its range


@dataclass(frozen=True)
class Points:
    """Data rows to draw, in the features' units: x (rows × features) and per row a class
    index (classification) or the target value (regression)."""
    x: np.ndarray
    y: np.ndarray


@dataclass(frozen=True)
class Probe:
    kind: str | None             # "boundary", "curve" or None (then `reason` says why)
    reason: str
    task: str                    # binary, multiclass, regression
    labels: tuple                # class names (classification) or ("y",)
    feature_names: tuple
    extent: tuple                # (x0, x1, y0, y1) in the features' units; curve: (x0, x1)
    grid: np.ndarray | None      # rows to predict, in the trainer's units (standardised)
    axis: np.ndarray | None      # curve: the x of each grid row, in the features' units
    train: Points | None
    test: Points | None
    probabilities: bool          # predict(..., probabilities=True)
    predictor: object = None     # Predictor: the model at any weights over any rows

    @classmethod
    def of(cls, trainer) -> "Probe":
        data, test = trainer.dataset, trainer.test_dataset
        width = data.X.shape[1] if data.X.ndim == 2 else 0
        task = data.task
        labels = tuple(trainer.labels or data.target_names or ("y",))
        names = tuple(data.feature_names) or tuple(f"x{k + 1}" for k in range(width))
        if trainer.prediction_node() is None:
            return cls._none("no prediction to draw: the loss is not mse, sigmoid_bce or "
                             "softmax_ce", task, labels, names)
        if width not in (1, 2):
            return cls._none(f"the decision boundary needs 1 or 2 input features; this data "
                             f"has {width}", task, labels, names)
        scaler = trainer.standardization
        units = (lambda X: scaler.invert(X)) if scaler is not None else (lambda X: X)
        to_trainer = (lambda X: scaler.apply(X)) if scaler is not None else (lambda X: X)
        train_pts = _points(units(data.X), data.Y, task)
        test_pts = _points(units(test.X), test.Y, task) if test is not None else None
        every = np.vstack([p.x for p in (train_pts, test_pts) if p is not None])
        low, high = every.min(axis=0), every.max(axis=0)
        span = np.where(high > low, high - low, 1.0)
        low, high = low - PAD * span, high + PAD * span
        probabilities = trainer.loss_op in ("sigmoid_bce", "softmax_ce")
        if width == 2:
            xs = np.linspace(low[0], high[0], GRID)
            ys = np.linspace(low[1], high[1], GRID)
            gx, gy = np.meshgrid(xs, ys)             # row r = y index, column c = x index
            grid = np.column_stack([gx.ravel(), gy.ravel()])
            return cls("boundary", "", task, labels, names,
                       (low[0], high[0], low[1], high[1]), to_trainer(grid), None,
                       train_pts, test_pts, probabilities,
                       Predictor(trainer, probabilities, to_trainer))
        axis = np.linspace(low[0], high[0], CURVE)
        return cls("curve", "", task, labels, names, (low[0], high[0]),
                   to_trainer(axis[:, None]), axis, train_pts, test_pts, probabilities,
                   Predictor(trainer, probabilities, to_trainer))

    @classmethod
    def _none(cls, reason, task, labels, names) -> "Probe":
        return cls(None, reason, task, labels, names, (), None, None, None, None, False)

    @property
    def sampler(self) -> GridSampler | None:
        """The prediction over the grid, as a run computes it: boundary → (GRID, GRID,
        outputs), curve → (CURVE, outputs); probabilities for sigmoid_bce / softmax_ce.
        None when nothing is drawn."""
        if self.grid is None:
            return None
        shape = (GRID, GRID, -1) if self.kind == "boundary" else (len(self.grid), -1)
        return GridSampler(self.grid, self.probabilities, shape)

    def sample(self, trainer) -> np.ndarray | None:
        """The sampler's prediction for `trainer` now (None when nothing is drawn or it is
        not finite)."""
        sampler = self.sampler
        return None if sampler is None else sampler.sample(trainer)


def _points(X: np.ndarray, Y: np.ndarray, task: str) -> Points:
    if len(X) > MAX_POINTS:
        keep = np.linspace(0, len(X) - 1, MAX_POINTS).astype(int)
        X, Y = X[keep], Y[keep]
    if task == "multiclass":
        y = Y.argmax(axis=1)
    elif task == "binary":
        y = (Y[:, 0] > 0.5).astype(int)
    else:
        y = Y[:, 0]
    return Points(np.asarray(X, dtype=np.float64), np.asarray(y))
