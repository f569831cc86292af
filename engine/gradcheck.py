"""Finite-difference checks of the engine's gradients (float64 central differences).

``numeric_gradient`` perturbs one element of one node's value at a time (a leaf, or an
intermediate node whose value is replaced while everything downstream is recomputed) and
measures the loss; ``check_gradients`` compares every node's backward gradient with it.
The checks run on a copy of the graph, so its own results (values, grads, trace) are untouched.
"""
from __future__ import annotations

import numpy as np


def _loss_after(plan, leaves: dict, loss: str, node_id: str, value: np.ndarray) -> float:
    """The loss when ``node_id``'s value is replaced by ``value`` (no checks, no Trace)."""
    vals = dict(leaves)
    if node_id in vals:
        vals[node_id] = value
    for nid, op, attrs, sources, *_ in plan.steps:
        if nid == node_id:
            vals[nid] = value
        else:
            vals[nid] = op.forward([vals[s] for s in sources], attrs)
    return float(np.sum(vals[loss]))


def numeric_gradient(graph, node_id: str, of: str | None = None, eps: float = 1e-6):
    """d loss / d node_id by central differences, shaped like the node's value."""
    graph = graph.copy()
    values = graph.forward()
    loss = graph.loss_node(of)
    plan = graph.plan()
    leaves = {nid: values[nid] for nid, _node in plan.leaves}
    base = np.array(values[node_id], dtype=np.float64)
    grad = np.zeros_like(base)
    with np.errstate(all="ignore"):
        for index in np.ndindex(base.shape):
            bumped = base.copy()
            bumped[index] = base[index] + eps
            up = _loss_after(plan, leaves, loss, node_id, bumped)
            bumped[index] = base[index] - eps
            down = _loss_after(plan, leaves, loss, node_id, bumped)
            grad[index] = (up - down) / (2 * eps)
    return grad


def check_gradients(graph, of: str | None = None, eps: float = 1e-6) -> dict:
    """{node id: max |backward − numeric|} over every node of the graph."""
    graph = graph.copy()
    analytic = graph.backward(of)
    errors = {}
    for nid in graph.node_ids():
        numeric = numeric_gradient(graph, nid, of, eps)
        diff = np.abs(np.asarray(analytic[nid]) - numeric)
        errors[nid] = float(diff.max()) if diff.size else 0.0
    return errors
