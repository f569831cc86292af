"""Fitting a layered graph to a CSV whose feature or class count differs from the graph's.

``csv_fit(graph, section)`` compares the CSV (its feature columns, and the classes of its
target when the loss classifies) with the widths the graph takes, read from its layers
(``engine.networks.widths``); ``CsvFit.message`` says what differs in one line.

``adapt(graph, inputs, outputs)`` returns an ``Adaptation``: a new graph in which only the
parameters touching the input (the first layer's weight) or the output (the last layer's
weight and bias) are resized and drawn afresh by their own initialiser and seed; a
sigmoid_bce loss meeting three or more classes becomes softmax_ce. The input nodes' samples
get the new widths (rows of the data when given), so the graph checks clean afterwards.
``Adaptation.lines`` says what changes, in words (for stderr and a dialog's list).

``adapt_to_csv`` does both for a data section, and returns the prepared training data too.
The original graph is never changed.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.graph import Graph
from engine.init import initialize
from engine.networks.builder import sample_rows
from engine.networks.editing import EditError, bias_axis, in_axis, out_axis
from engine.networks.layers import NotLayered, recognize
from engine.networks.widths import data_widths
from engine.training.data import Fit, TrainingData, prepare
from engine.training.tables import read_table

CLASSIFYING = ("softmax_ce", "sigmoid_bce")


@dataclass(frozen=True)
class CsvFit:
    """A CSV against a graph: what each has, and the loss the CSV needs."""
    source: str                  # the CSV's file name
    target: str                  # its target column
    feature_names: tuple         # its feature columns
    classes: tuple | None        # its classes when the loss classifies, else None
    outputs: int                 # the prediction width it needs
    features_node: str | None    # the graph's input nodes for the rows
    targets_node: str | None
    graph_features: int | None   # what the graph takes (None: unknown)
    graph_outputs: int | None
    features_by: str | None      # the node that says so (a weight; the prediction)
    outputs_by: str | None
    loss_op: str                 # the graph's loss
    needed_loss_op: str          # softmax_ce where sigmoid_bce meets 3 or more classes

    @property
    def features(self) -> int:
        return len(self.feature_names)

    @property
    def differs(self) -> bool:
        return (self.features != self.graph_features or self.outputs != self.graph_outputs
                or self.needed_loss_op != self.loss_op)

    def message(self) -> str:
        """What differs, in one line, in the training data's own words ('' when nothing
        does), e.g. "wine.csv: 13 feature columns (alcohol, ...) but the features node 'x'
        takes 4 (it feeds 'W1')"."""
        parts = []
        if self.features != self.graph_features:
            by = f" (it feeds {self.features_by!r})" if self.features_by else ""
            parts.append(f"{_count(self.features, 'feature column')} "
                         f"({_shown(self.feature_names)}) but the features node "
                         f"{self.features_node!r} takes {self.graph_features}{by}")
        counted = None if self.classes is None else \
            f"{_count(len(self.classes), 'class', 'classes')} ({_shown(self.classes)})"
        by = f" (the width of {self.outputs_by!r})" if self.outputs_by else ""
        if self.needed_loss_op != self.loss_op or (self.loss_op == "sigmoid_bce"
                                                    and len(self.classes) != 2):
            parts.append(f"column {self.target!r} has {counted}: {self.loss_op} needs exactly 2")
        elif self.outputs != self.graph_outputs and counted is not None:
            parts.append(f"column {self.target!r} has {counted} but the targets node "
                         f"{self.targets_node!r} takes {self.graph_outputs}{by}")
        elif self.outputs != self.graph_outputs:
            parts.append(f"the target is one column ({self.target!r}) but the targets node "
                         f"{self.targets_node!r} takes {self.graph_outputs}{by}")
        return f"{self.source}: " + "; ".join(parts) if parts else ""


@dataclass(frozen=True)
class Change:
    """One node that an adaptation changes: its shapes (or ops) before and after, in words."""
    node: str
    before: str
    after: str
    text: str


@dataclass(frozen=True)
class Adaptation:
    """The adapted graph (a new one) and what changed; ``lines`` in words."""
    graph: Graph
    changes: tuple[Change, ...]
    inputs: tuple[int, int]          # (before, after)
    outputs: tuple[int, int]

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    @property
    def lines(self) -> tuple[str, ...]:
        return tuple(change.text for change in self.changes)

    @property
    def values(self) -> dict:
        """{node: new value} of every changed leaf."""
        return {c.node: self.graph.node(c.node).value for c in self.changes
                if self.graph.node(c.node).value is not None}


def _count(n: int, word: str, words: str | None = None) -> str:
    return f"{n} {word if n == 1 else words or word + 's'}"


def _shown(names, limit: int = 6) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", ... {len(names) - limit} more" if len(names) > limit else "")


def _shape(value) -> str:
    return "(" + ", ".join(map(str, value.shape)) + ")" if value.ndim != 1 else \
        f"({value.shape[0]},)"


def csv_fit(graph, section: dict, folder=None) -> CsvFit:
    """Compare the section's CSV with `graph` (ValueError: no such file, no feature column,
    an unknown column, a missing label). The section names the csv, the target (default: the last
    column) and the features and targets nodes."""
    path = Path(section["csv"])
    if not path.is_absolute():
        path = Path(folder or ".") / path
    table = read_table(path)
    if table.width < 2:
        raise ValueError(f"{table.source}: no feature columns: the only column, "
                         f"{table.names[0]!r}, is the target")
    target = table.column(section["target"] if section.get("target") is not None else -1)
    features, targets = section.get("features"), section.get("targets")
    loss_op = graph.node(graph.loss_node()).op
    classes, outputs, needed = None, 1, loss_op
    if loss_op in CLASSIFYING:
        _, classes = table.classes(target)
        if loss_op == "softmax_ce" or len(classes) > 2:
            needed, outputs = "softmax_ce", len(classes)
    widths = data_widths(graph, features, targets)
    names = tuple(name for k, name in enumerate(table.names) if k != target)
    return CsvFit(table.source, table.names[target], names, classes, outputs, features,
                  targets, widths.features, widths.targets, widths.features_by,
                  widths.targets_by, loss_op, needed)


def adapt(graph, inputs: int, outputs: int, loss_op: str | None = None, sample=None,
          seed: int | None = None, source: str = "the data") -> Adaptation:
    """`graph` taking `inputs` features and predicting `outputs` (see the module doc).
    `sample` (X, Y): rows for the input nodes, used when anything changes or the samples'
    widths are wrong (`source` names them in the words). `seed`: of the fresh draws (default:
    each parameter's own seed). NotLayered / EditError when the graph cannot be adapted."""
    try:
        network = recognize(graph)
    except NotLayered as exc:
        raise NotLayered(f"cannot adapt this graph: {exc.reason}", exc.node) from None
    for name, width in (("inputs", inputs), ("outputs", outputs)):
        if isinstance(width, bool) or not isinstance(width, (int, np.integer)) or width < 1:
            raise EditError(f"{name} must be a whole number of at least 1, got {width!r}")
    new = graph.copy()
    changes: list[Change] = []
    first, last = network.layers[0], network.layers[-1]
    resized = {}
    if inputs != first.fan_in:
        resized.setdefault(first.weight, []).append((in_axis(first), inputs))
    if outputs != last.fan_out:
        resized.setdefault(last.weight, []).append((out_axis(last), outputs))
        if last.bias is not None:
            resized[last.bias] = [(bias_axis(new, last), outputs)]
    for node_id, sizes in resized.items():
        changes.append(_redraw(new, node_id, sizes, seed))
    if loss_op is not None and loss_op != network.loss_op:
        changes.append(_swap_loss(new, network, loss_op))
    op = loss_op or network.loss_op
    for node_id, width, rows in ((network.features, inputs, 0), (network.targets, outputs, 1)):
        value = new.node(node_id).value
        wrong = value is None or value.ndim != 2 or value.shape[1] != width
        if sample is not None and (changes or wrong):
            fresh, why = np.array(sample[rows], dtype=np.float64), f"rows of {source}"
        elif wrong:
            fresh, why = _made_up(value, width, op if rows else None), f"{width} wide"
        else:
            continue
        before = "none" if value is None else _shape(value)
        new.set_value(node_id, fresh)
        changes.append(Change(node_id, before, _shape(fresh),
                              f"{node_id}: sample {before} → {_shape(fresh)}, {why}"))
    return Adaptation(new, tuple(changes), (first.fan_in, inputs), (last.fan_out, outputs))


def _redraw(graph, node_id: str, sizes, seed) -> Change:
    """Resize a parameter and draw it afresh by its initialiser."""
    node = graph.node(node_id)
    old = node.value if node.value is not None else graph.fresh_value(node_id)
    shape = list(old.shape)
    for axis, size in sizes:
        shape[axis] = size
    init = node.attrs.get("init") or "xavier"
    own = node.attrs.get("seed") or 0
    value = initialize(init, shape, seed=own if seed is None else seed)
    graph.set_attr(node_id, "shape", shape)
    graph.set_value(node_id, value)
    drawn = own if seed is None else seed
    how = "zeros" if init == "zeros" else f"drawn afresh ({init}, seed {drawn})"
    return Change(node_id, _shape(old), _shape(value),
                  f"{node_id}: {_shape(old)} → {_shape(value)}, {how}")


def _swap_loss(graph, network, loss_op: str) -> Change:
    """The loss node with another op (same id, place, edges)."""
    node = graph.node(network.loss)
    old_op, order = node.op, graph.node_ids()
    edges = [(e.source, e.target, e.port) for e in graph.edges() if e.target == node.id]
    graph.remove_node(node.id)
    graph.add_node(node.id, loss_op, position=node.position, extra=node.extra)
    for source, target, port in edges:
        graph.connect(source, target, port)
    graph.loss = node.id
    graph.reorder(order, [(e.target, e.port) for e in graph.edges()])
    return Change(node.id, old_op, loss_op, f"{node.id}: {old_op} → {loss_op} (more than two "
                  "classes: one output per class, one-hot targets)")


def _made_up(value, width: int, loss_op: str | None) -> np.ndarray:
    """A sample of `width` columns: the old one's first columns, zeros after them (for
    targets of a classifier, classes in turn)."""
    rows = value.shape[0] if value is not None and value.ndim == 2 else 1
    if loss_op == "softmax_ce":
        return np.eye(width)[np.arange(rows) % width]
    fresh = np.zeros((rows, width))
    if value is not None and value.ndim == 2:
        keep = min(width, value.shape[1])
        fresh[:, :keep] = value[:, :keep]
    return fresh


def adapt_to_csv(graph, section: dict, folder=None, seed: int | None = 0,
                 init_seed: int | None = None) -> tuple[Adaptation, CsvFit, TrainingData]:
    """Adapt `graph` to the section's CSV: (Adaptation — unchanged when it fits —, the
    CsvFit before adapting, the training data prepared for the adapted graph). `seed` is the
    training seed (the split); `init_seed` that of the fresh draws (see ``adapt``)."""
    fit = csv_fit(graph, section, folder)
    if fit.classes is not None and len(fit.classes) < 2:
        raise ValueError(f"{fit.source}: column {fit.target!r} has one class "
                         f"({fit.classes[0]!r}): there is nothing to tell apart")
    features, targets = section.get("features"), section.get("targets")
    data = prepare(section, Fit(fit.needed_loss_op, features, targets, fit.features,
                                fit.outputs), seed, folder)
    shown = graph.node(features).value if features in graph else None
    count = len(shown) if shown is not None and shown.ndim == 2 else None
    rows = sample_rows(data.train.Y, fit.classes is not None, count)
    sample = (data.train.X[rows], data.train.Y[rows])
    adaptation = adapt(graph, fit.features, fit.outputs, fit.needed_loss_op, sample,
                       init_seed, fit.source)
    return adaptation, fit, data
