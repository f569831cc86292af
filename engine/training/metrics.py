"""What the training numbers mean: accuracy for each loss, and probabilities from its input."""
from __future__ import annotations

import numpy as np

LOSS_OPS_WITH_ACCURACY = ("sigmoid_bce", "softmax_ce", "mse")


def accuracy(loss_op: str, prediction: np.ndarray, targets: np.ndarray) -> float | None:
    """Fraction of rows classified right, judged from the loss's first input; None when the
    loss or the targets are not a classification."""
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


def to_probabilities(loss_op: str, out: np.ndarray) -> np.ndarray:
    """The loss's first input as probabilities: sigmoid of logits for sigmoid_bce, softmax
    over the last axis for softmax_ce; anything else as it is."""
    if loss_op == "sigmoid_bce":
        return 0.5 * (1.0 + np.tanh(0.5 * out))
    if loss_op == "softmax_ce":
        e = np.exp(out - out.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    return out
