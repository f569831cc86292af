"""How wide the rows a graph takes are, read from its layers, not from its samples.

The values stored in the features and targets input nodes are samples (a few rows to step
through); loading data replaces them. So the width the graph *takes* is read from what
consumes the features and what produces the prediction:

- features: when the features node feeds port 0 of a matmul, the rows of the other operand
  (``W`` in ``x @ W``, ``W`` (out, in) in ``x @ transpose(W)``) — the first layer's inputs.
  Where the features feed anything else (``neuron.json``'s scalar mul), the sample's width
  stands, as before.
- targets: the width of the prediction (the loss's first input), its shape inferred with
  features of the width above; failing that, the targets sample's width.

``data_widths`` never raises and never runs a pass (shape inference only).
"""
from __future__ import annotations

from dataclasses import dataclass

from engine.ops import OPS


@dataclass(frozen=True)
class DataWidths:
    """The row widths a graph takes (None when unknown) and the node that says so: a weight
    or the prediction node; None when the width is the sample's."""
    features: int | None
    targets: int | None
    features_by: str | None = None
    targets_by: str | None = None


def _sample_width(graph, node_id) -> int | None:
    value = graph.node(node_id).value
    return int(value.shape[-1]) if value is not None and value.ndim == 2 else None


def _leaf_shapes(graph) -> dict:
    shapes = {}
    for node_id in graph.node_ids():
        node = graph.node(node_id)
        if node.op not in OPS or OPS[node.op].arity != 0:
            continue
        if node.value is not None:
            shapes[node_id] = tuple(node.value.shape)
        elif node.attrs.get("shape") is not None:
            shapes[node_id] = tuple(node.attrs["shape"])
        else:
            shapes[node_id] = None
    return shapes


def _weight_behind(graph, node_id: str) -> str:
    """The parameter a matmul's operand comes from (through a transpose), else the operand."""
    node = graph.node(node_id)
    if node.op == "transpose":
        source = graph.input_sources(node_id)[0]
        if source is not None and graph.node(source).op == "parameter":
            return source
    return node_id


def data_widths(graph, features: str, targets: str) -> DataWidths:
    """See the module doc. Unknown node ids give None widths."""
    try:
        return _widths(graph, features, targets)
    except Exception:   # an unfinished graph: nothing is known
        return DataWidths(None, None)


def _widths(graph, features, targets) -> DataWidths:
    if features not in graph or targets not in graph:
        return DataWidths(None, None)
    plan = graph.plan()
    leaves = _leaf_shapes(graph)
    _, shapes = plan.analyze(dict(leaves), {})
    f_width = f_by = None
    for target, port in graph.consumers(features):
        if graph.node(target).op != "matmul" or port != 0:
            continue
        operand = graph.input_sources(target)[1]
        shape = shapes.get(operand) if operand is not None else None
        if shape is not None and len(shape) >= 2:
            f_width, f_by = int(shape[-2]), _weight_behind(graph, operand)
            break
    if f_width is None:
        f_width = _sample_width(graph, features)
    t_width = t_by = None
    prediction = _prediction(graph)
    if prediction is not None:
        if f_width is not None:
            rows = leaves.get(features)
            rows = rows[0] if rows is not None and len(rows) == 2 else 1
            leaves[features] = (rows, f_width)
            _, shapes = plan.analyze(leaves, {})
        shape = shapes.get(prediction)
        if shape is not None and len(shape) == 2:
            t_width, t_by = int(shape[-1]), prediction
    if t_width is None:
        t_width = _sample_width(graph, targets)
    return DataWidths(f_width, t_width, f_by, t_by)


def _prediction(graph) -> str | None:
    """The loss's first input (the logits or prediction), when the loss is mse, sigmoid_bce
    or softmax_ce."""
    try:
        loss = graph.loss if graph.loss is not None else graph.loss_node()
    except Exception:
        return None
    if graph.node(loss).op not in ("mse", "sigmoid_bce", "softmax_ce"):
        return None
    return graph.input_sources(loss)[0]
