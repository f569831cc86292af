"""The arithmetic of training, written once: each optimizer's update and the minibatch order.

The Trainer runs these functions, and the exported numpy script carries their source word for
word (``inspect.getsource``; the PyTorch script takes the minibatch order), so the app and an
export cannot drift apart. Keep them plain: numpy and math only, no name from this project, so
the source runs as it stands in a script of its own.

An update takes a parameter's value and gradient, the parameter's optimizer state (a dict it
may write: a copy private to this step) and the optimizer's settings, and returns the new
value as a new array. The rules are elementwise, so the Trainer updates all parameters at once
as one flat vector (the same numbers as one parameter at a time).
"""
from __future__ import annotations

import math

import numpy as np


def sgd_update(value, grad, state, lr):
    """SGD (as torch.optim.SGD): value - lr * grad."""
    return value - lr * grad


def momentum_update(value, grad, state, lr, momentum):
    """SGD with momentum (as torch.optim.SGD, no dampening): the velocity is the gradient at
    the first step, then momentum * velocity + grad; the value moves by -lr * velocity."""
    velocity = state.get("velocity")
    velocity = grad.copy() if velocity is None else momentum * velocity + grad
    state["velocity"] = velocity
    return value - lr * velocity


def adam_update(value, grad, state, lr, beta1, beta2, eps):
    """Adam with bias correction (as torch.optim.Adam, amsgrad off): running means of the
    gradient (m) and of its square (v); the value moves by -lr * m_hat / (sqrt(v_hat) + eps)
    with m_hat = m / (1 - beta1**t) and v_hat = v / (1 - beta2**t) at step t."""
    t = state.get("t", 0) + 1
    m = beta1 * state.get("m", 0.0) + (1.0 - beta1) * grad
    v = beta2 * state.get("v", 0.0) + (1.0 - beta2) * grad * grad
    state.update(t=t, m=m, v=v)
    step_size = lr / (1.0 - beta1 ** t)
    denom = np.sqrt(v) / math.sqrt(1.0 - beta2 ** t) + eps
    return value - step_size * (m / denom)


UPDATES = {"sgd": sgd_update, "momentum": momentum_update, "adam": adam_update}


def next_batch(queue, at, batch_size, rng, n):
    """Where the next minibatch's rows are: (queue, start), the rows being
    queue[start:start + batch_size]; the caller goes on from start + batch_size.

    The rows come from a seeded stream of shuffled epochs, rng.permutation(n) after
    rng.permutation(n), cut into batches of exactly batch_size rows: a batch at an epoch
    boundary ends one epoch and begins the next. `queue` holds the stream's rows drawn so
    far, the unused ones from `at` on; when fewer than batch_size are left, the next epochs
    are drawn and a new queue begins with the rows left."""
    left = len(queue) - at
    if left >= batch_size:
        return queue, at
    parts = [queue[at:]] if left else []
    while left < batch_size:
        parts.append(rng.permutation(n))
        left += n
    return (parts[0] if len(parts) == 1 else np.concatenate(parts)), 0
