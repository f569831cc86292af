"""What the neuron view draws, worked out from a display record (numpy only, no Qt).

``neuron_frame(network, record, mode, row)`` reads the network's layers (a recognised
``Network``: ids and widths) against a ``DisplayRecord`` — the live one, a player's step, or
the live one while training shows new weights — and returns a ``NeuronFrame``:

- one ``Level`` per column of units: the features, each hidden layer, the outputs. A unit's
  number is its value for the row shown (``row``), or the mean over the rows (``row`` None);
  NaN where the record has no value yet (a replay that has not computed the layer).
- one ``Links`` per layer: a matrix (shown inputs × shown units) of the weights, or of the
  gradients ∂L/∂w — of the batch's loss for the mean, of the row's own term
  ∂L/∂z[r, j] · a[r, i] for one row. In a replay's backward phase a layer whose weight's
  gradient has arrived shows it whatever the mode ("lit"): the gradient lights the lines up
  as it flows back.

Layers wider than ``MAX_UNITS`` show a stated sample: their first and last ``SAMPLE_EACH``
units, and "+ k more" between them.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gui.display import ACTIVE

WEIGHTS, GRADIENTS = "weights", "gradients"
MAX_UNITS = 64            # a layer this wide is drawn whole …
SAMPLE_EACH = 12          # … a wider one by its first and last this many units


@dataclass(frozen=True)
class Level:
    """One column of units."""
    node: str                  # the node holding the units' values (x, h1, logits)
    title: str                 # "h1 · tanh"
    kind: str                  # what its units are: "inputs", "units" or "outputs"
    units: int                 # the layer's width
    shown: np.ndarray          # the unit indices drawn, ascending
    values: np.ndarray         # per shown unit (NaN: not computed yet)
    active: bool = False       # the player's step is about this layer
    nodes: tuple = ()          # every node whose selection picks this column out

    @property
    def hidden_units(self) -> int:
        return self.units - len(self.shown)

    @property
    def gap_after(self) -> int | None:
        """The place in ``shown`` after which "+ k more" is drawn (None: all shown)."""
        if not self.hidden_units:
            return None
        return int(np.flatnonzero(np.diff(self.shown) > 1)[0])

    def sample_text(self) -> str:
        """'0–11, 88–99 of 100 shown' ('' when every unit is)."""
        if not self.hidden_units:
            return ""
        k = self.gap_after
        first, last = self.shown[:k + 1], self.shown[k + 1:]
        return f"{first[0]}–{first[-1]}, {last[0]}–{last[-1]} of {self.units} shown"


@dataclass(frozen=True)
class Links:
    """The lines of one layer: ``matrix[a, b]`` joins shown input a to shown unit b."""
    layer: int                 # 1-based, as in Network.layers
    weight: str                # the parameter node
    kind: str                  # WEIGHTS or GRADIENTS: what the matrix holds
    matrix: np.ndarray | None  # None: nothing to show yet (a gradient not arrived)
    lit: bool = False          # a replay's gradient has arrived here
    active: bool = False
    nodes: tuple = ()          # every node whose selection picks this layer's lines out


@dataclass(frozen=True)
class NeuronFrame:
    levels: tuple
    links: tuple
    mode: str
    row: int | None            # None: the mean over the rows
    rows: int                  # rows in the batch
    caption: str = ""          # a replay's "step k/N · phase"
    detail: str = ""
    live: bool = True
    scales: tuple = ()         # ((kind, the largest |entry| of that kind shown), ...)

    def scale(self, kind: str | None = None) -> float:
        """The |entry| drawn at full width for lines of `kind` (default: the mode's)."""
        return dict(self.scales).get(kind or self.mode, 0.0)

    def level_of(self, node_id: str) -> int | None:
        return next((k for k, level in enumerate(self.levels) if node_id in level.nodes), None)

    def links_of(self, node_id: str) -> int | None:
        return next((k for k, links in enumerate(self.links) if node_id in links.nodes), None)


def sample(units: int) -> np.ndarray:
    """The unit indices drawn for a layer of `units` (see the module doc)."""
    if units <= MAX_UNITS:
        return np.arange(units)
    return np.concatenate([np.arange(SAMPLE_EACH), np.arange(units - SAMPLE_EACH, units)])


def rows_of(value) -> np.ndarray | None:
    """A batch node's value as (rows, units) (a single row for a vector), else None."""
    if value is None:
        return None
    a = np.asarray(value, dtype=np.float64)
    if a.ndim == 1:
        return a[None, :]
    return a if a.ndim == 2 else None


def _pick(value, row: int | None) -> np.ndarray | None:
    """One row of a (rows, units) value, or the mean over the rows."""
    a = rows_of(value)
    if a is None or len(a) == 0:
        return None
    if row is None:
        return a.mean(axis=0)
    return a[row] if 0 <= row < len(a) else None


def _active(record, nodes) -> bool:
    if any(record.node(n).highlight == ACTIVE for n in nodes):
        return True
    return any(edge.highlight == ACTIVE and (key[0] in nodes or key[1] in nodes)
               for key, edge in record.edges.items())


def batch_rows(network, record) -> int:
    a = rows_of(record.node(network.features).value)
    return 0 if a is None else len(a)


def neuron_frame(network, record, mode: str = WEIGHTS, row: int | None = None) -> NeuronFrame:
    """See the module doc."""
    rows = batch_rows(network, record)
    if row is not None and not 0 <= row < max(rows, 1):
        row = None
    levels = [_level(network.features, network.features, network.inputs, record, row,
                     (network.features,), False, "inputs")]
    for layer in network.layers:
        last = layer is network.layers[-1]
        name = layer.output
        title = name if last and not layer.activation else \
            f"{name} · {layer.activation or 'linear'}"
        nodes = tuple(dict.fromkeys(n for n in (layer.output, layer.bias, layer.bias_add,
                                                layer.activation_node) if n is not None))
        levels.append(_level(layer.output, title, layer.fan_out, record, row, nodes,
                             _active(record, nodes), "outputs" if last else "units"))
    backward = not record.live and any(record.node(layer.weight).grad is not None
                                       for layer in network.layers)
    links = []
    for number, layer in enumerate(network.layers, start=1):
        before, after = levels[number - 1], levels[number]
        links.append(_links(number, layer, record, mode, row, before.shown, after.shown,
                            backward))
    scales = tuple((kind, max((float(np.max(np.abs(np.nan_to_num(l.matrix, posinf=0.0,
                                                                     neginf=0.0))))
                               for l in links if l.kind == kind and l.matrix is not None
                               and l.matrix.size), default=0.0))
                   for kind in (WEIGHTS, GRADIENTS))
    return NeuronFrame(tuple(levels), tuple(links), mode, row, rows, record.caption,
                       record.detail, record.live, scales)


def _level(node, title, units, record, row, nodes, active, kind) -> Level:
    shown = sample(units)
    picked = _pick(record.node(node).value, row)
    values = np.full(len(shown), np.nan)
    if picked is not None and picked.shape[-1] == units:
        values = picked[shown]
    return Level(node, title, kind, units, shown, values, active, nodes)


def _links(number, layer, record, mode, row, ins, outs, backward) -> Links:
    nodes = tuple(n for n in (layer.weight, layer.transpose) if n is not None)
    active = _active(record, (*nodes, layer.matmul))
    grad = record.node(layer.weight).grad
    lit = backward and grad is not None
    kind = GRADIENTS if mode == GRADIENTS or lit else WEIGHTS
    matrix = None
    if kind == WEIGHTS:
        value = record.node(layer.weight).value
        if value is not None and value.shape == layer.weight_shape:
            matrix = layer.matrix(np.asarray(value))
    elif row is None:
        if grad is not None and grad.shape == layer.weight_shape:
            matrix = layer.matrix(np.asarray(grad))
    else:        # one row's term: ∂L/∂z[r, j] · a[r, i]
        a = rows_of(record.node(layer.input).value)
        delta = rows_of(record.node(layer.pre).grad)
        if a is not None and delta is not None and row < len(a) and row < len(delta):
            matrix = np.outer(a[row], delta[row])
    if matrix is not None:
        matrix = matrix[np.ix_(ins, outs)]
    return Links(number, layer.weight, kind, matrix, lit, active,
                 (*nodes, layer.matmul))
