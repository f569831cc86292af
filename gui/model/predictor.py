"""The model at any weights over any rows, for the Training panel's pictures (the decision
boundary over the plot's visible range): a private copy of a Trainer, made and used on the GUI
thread, never the one a run trains (gui/training/probe.py makes one per Trainer)."""
from __future__ import annotations

import pickle

import numpy as np


class Predictor:
    """The model's prediction at given weights (a snapshot's ``values``) for any rows in the
    features' units — the plot's whole visible range, after a pan or a zoom — computed on a
    private copy of the trainer (GUI thread; the run's own trainer is never touched)."""

    def __init__(self, trainer, probabilities: bool, to_trainer):
        self._trainer = pickle.loads(pickle.dumps(trainer, protocol=pickle.HIGHEST_PROTOCOL))
        self.probabilities, self.to_trainer = probabilities, to_trainer

    def __call__(self, values: dict, X: np.ndarray) -> np.ndarray | None:
        """(rows, outputs) predictions for rows `X` at the weights `values`; None when not
        finite or the weights do not fit."""
        trainer = self._trainer
        now = trainer.parameter_values()
        if any(k not in values or np.shape(values[k]) != np.shape(v) for k, v in now.items()):
            return None                  # weights of another graph: nothing to draw
        try:
            trainer.graph.set_values({k: values[k] for k in now})
            out = np.asarray(trainer.predict(self.to_trainer(np.asarray(X, dtype=np.float64)),
                                             probabilities=self.probabilities))
        except (ValueError, TypeError):
            return None
        if out.ndim == 1:
            out = out[:, None]
        return out if np.isfinite(out).all() else None
