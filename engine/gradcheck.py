"""Finite-difference checks of the engine's gradients (float64 central differences).

``numeric_gradient`` perturbs one element of one node's value at a time (a leaf, or an
intermediate node whose value is replaced while everything downstream is recomputed) and
measures the loss; ``check_gradients`` compares every node's backward gradient with it.
The checks run on a copy of the graph, so its own results (values, grads, trace) are untouched.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CHECK_ELEMENTS = 64      # check_node perturbs at most this many elements of a tensor


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


def numeric_gradient(graph, node_id: str, of: str | None = None, eps: float = 1e-6,
                     indices=None):
    """d loss / d node_id by central differences, shaped like the node's value. ``indices``
    (element index tuples): perturb only those; the other elements are nan."""
    graph = graph.copy()
    values = graph.forward()
    loss = graph.loss_node(of)
    plan = graph.plan()
    leaves = {nid: values[nid] for nid, _node in plan.leaves}
    base = np.array(values[node_id], dtype=np.float64)
    grad = np.zeros_like(base) if indices is None else np.full_like(base, np.nan)
    with np.errstate(all="ignore"):
        for index in (np.ndindex(base.shape) if indices is None else indices):
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


@dataclass(frozen=True, eq=False)
class NodeCheck:
    """Central differences against the backward pass for one node."""
    node: str
    numeric: np.ndarray     # shaped like the node; nan where an element was not perturbed
    analytic: np.ndarray
    checked: int            # elements perturbed
    size: int               # elements in the node
    difference: float       # max |numeric − analytic| over the checked elements
    eps: float

    @property
    def agrees(self) -> bool:
        """Within what float64 central differences can promise (≈ eps² truncation plus
        rounding of loss / eps): 10⁻⁵ relative to the gradient's scale (at least 1)."""
        scale = max(1.0, float(np.max(np.abs(self.analytic))) if self.analytic.size else 1.0)
        return bool(self.difference <= 1e-5 * scale)


def check_node(graph, node_id: str, analytic, of: str | None = None, eps: float = 1e-6,
               max_elements: int = CHECK_ELEMENTS) -> NodeCheck:
    """Compare ``analytic`` (the backward pass's d loss / d node_id) with central differences
    through the engine, on a copy of ``graph``. A tensor with more than ``max_elements``
    elements is checked on that many, evenly spread, always including its largest gradient."""
    analytic = np.asarray(analytic, dtype=np.float64)
    size = analytic.size
    indices = None
    if size > max_elements:
        flat = set(np.linspace(0, size - 1, max_elements - 1).round().astype(int).tolist())
        flat.add(int(np.argmax(np.abs(analytic))))
        indices = [np.unravel_index(k, analytic.shape) for k in sorted(flat)]
    numeric = numeric_gradient(graph, node_id, of, eps, indices)
    mask = np.ones(analytic.shape, bool)
    if indices is not None:
        mask[...] = False
        for index in indices:
            mask[index] = True
    with np.errstate(all="ignore"):
        diff = np.abs(numeric - analytic)[mask]
    difference = float(np.max(diff)) if diff.size else 0.0   # nan stays nan: no agreement
    return NodeCheck(node_id, numeric, analytic, int(mask.sum()), size, difference, eps)
