"""The chain rule for one weight: ∂L/∂W[i, j] as a sum of products, with every number.

For weight element w_ij of layer ℓ (input unit i, unit j; ``W[i, j]`` in the x @ W form,
``W[j, i]`` in PyTorch's x @ transpose(W) form), row r of the batch contributes

    last layer:    ∂L/∂z_j · a_i                      (∂L/∂z_j = ∂L/∂out_j · f′(z_j))
    earlier layer: Σ over the paths j → k → … → m through every unit of the later layers of
                   ∂L/∂out_m · f′(z_m) · W[…, m] · … · W[j, k] · f′(z_j) · a_i

(a factor f′ only where the layer has an activation), and ∂L/∂w_ij = Σ_r (row r's term).
``∂L/∂out`` is the engine's gradient at the prediction (the loss's own derivative, which
already holds the loss's 1/rows); every other factor is a value of the forward pass, so the
total is an independent check of the engine's gradient for W — and a central difference of
the loss for that one element (``engine.gradcheck``) is computed beside it.

``weight_chain(graph, layer, i, j)`` works on a copy (the graph's values and trace are not
touched), on the graph's own samples or on ``feeds`` ({features: X, targets: Y}); ``row=r``
takes row r alone (a one-row pass: its total is that row's own gradient, rows × its term in
the batch, as the losses are means over rows). The paths of ``detail_row`` are listed with
their factors (the largest first, at most ``max_paths``; none when a row has over MAX_TERMS
paths, whose sums are then taken layer by layer); every row's term is always given.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.gradcheck import numeric_gradient
from engine.networks.layers import Layer, Network, recognize

MAX_TERMS = 1_000_000      # rows × paths listed at most; above, the sums go layer by layer
LETTERS = "kmnpqstuv"      # unit names of the later layers in the formula


@dataclass(frozen=True)
class Factor:
    """One number of a path: ``role`` is 'gradient' (∂L/∂out at the prediction), 'slope'
    (an activation's derivative at its z), 'weight' or 'input' (a_i); ``node`` and ``index``
    say where it is (the row first for a batch node); ``text`` e.g. "W2[3,1]"."""
    role: str
    node: str
    index: tuple
    value: float
    text: str


@dataclass(frozen=True)
class ChainPath:
    """One path from the weight to the loss: the unit it passes in each later layer, its
    factors (from the loss back to the weight) and their product."""
    units: tuple[int, ...]
    factors: tuple[Factor, ...]
    value: float


@dataclass(frozen=True)
class RowTerm:
    """One row's term of the sum; ``paths`` listed for the detail row only."""
    row: int
    value: float
    paths: tuple[ChainPath, ...] = ()


@dataclass(frozen=True)
class WeightChain:
    """∂L/∂W[index] by the chain rule, against the engine and finite differences."""
    layer: int                  # 1-based, as in Network.layers
    i: int                      # input unit
    j: int                      # unit of the layer
    weight: str                 # the parameter node
    index: tuple                # the element of W: (i, j) or (j, i)
    weight_value: float
    formula: str                # in symbols, e.g. "∂L/∂W2[i,j] = Σ_r ∂L/∂logits[r,j] · h1[r,i]"
    rows: tuple[RowTerm, ...]   # every row's term
    rows_in_pass: int           # the rows of this pass (1 for a one-row pass)
    path_count: int             # paths per row (product of the later layers' widths)
    detail_row: int | None      # the row whose paths are listed
    total: float                # Σ of the rows' terms
    engine: float               # the engine's ∂L/∂W at index
    numeric: float | None       # central difference of the loss at index (None: not asked)

    @property
    def agrees(self) -> bool:
        """The chain's total equals the engine's gradient (and the central difference) to
        what float64 arithmetic promises."""
        scale = max(1.0, abs(self.engine))
        ok = abs(self.total - self.engine) <= 1e-9 * scale
        return ok and (self.numeric is None or abs(self.numeric - self.engine) <= 1e-5 * scale)


def _slope(layer: Layer, z: np.ndarray, h: np.ndarray) -> np.ndarray:
    """f′(z) of the layer's activation (PyTorch's values at the kinks)."""
    if layer.activation == "tanh":
        return 1.0 - h * h
    if layer.activation == "sigmoid":
        return h * (1.0 - h)
    if layer.activation == "relu":
        return (z > 0).astype(np.float64)
    if layer.activation == "leaky_relu":
        slope = 0.01 if layer.slope is None else layer.slope
        return np.where(z > 0, 1.0, slope)
    return np.ones_like(z)


def _formula(network: Network, number: int) -> str:
    layers = network.layers[number - 1:]
    weight = layers[0].weight
    units = ["j"] + list(LETTERS[:len(layers) - 1])
    pred, last = network.prediction, layers[-1]
    parts = [f"∂L/∂{pred}[r,{units[-1]}]"]
    if last.activation:
        parts.append(f"{last.activation}′({last.pre}[r,{units[-1]}])")
    for m in range(len(layers) - 1, 0, -1):
        a, b = units[m - 1], units[m]
        i, j = layers[m].weight_index(0, 1)
        pair = (a, b) if (i, j) == (0, 1) else (b, a)
        parts.append(f"{layers[m].weight}[{pair[0]},{pair[1]}]")
        if layers[m - 1].activation:
            parts.append(f"{layers[m - 1].activation}′({layers[m - 1].pre}[r,{a}])")
    parts.append(f"{layers[0].input}[r,i]")
    index = "i,j" if layers[0].weight_index(0, 1) == (0, 1) else "j,i"
    sums = "Σ_r " + "".join(f"Σ_{u} " for u in units[1:])
    return f"∂L/∂{weight}[{index}] = {sums}" + " · ".join(parts)


def weight_chain(graph, layer: int, i: int, j: int, feeds: dict | None = None,
                 row: int | None = None, detail_row: int | None = 0, max_paths: int = 64,
                 numeric: bool = True, network: Network | None = None) -> WeightChain:
    """The chain of W[i, j] of layer `layer` (1-based); see the module doc. ValueError for a
    unit out of range; NotLayered when the graph has no layers."""
    network = network or recognize(graph)
    if isinstance(layer, bool) or not 1 <= layer <= len(network.layers):
        raise ValueError(f"no layer {layer!r}: the layers are 1 to {len(network.layers)}")
    own = network.layers[layer - 1]
    if not (0 <= i < own.fan_in and 0 <= j < own.fan_out):
        raise ValueError(f"layer {layer} joins inputs 0 to {own.fan_in - 1} to units 0 to "
                         f"{own.fan_out - 1}, not ({i}, {j})")
    work = graph.copy()
    for node_id, value in (feeds or {}).items():
        work.set_value(node_id, value)
    if row is not None:
        for node_id in (network.features, network.targets):
            value = work.node(node_id).value
            if not 0 <= row < len(value):
                raise ValueError(f"no row {row}: the batch has rows 0 to {len(value) - 1}")
            work.set_value(node_id, value[row:row + 1])
        detail_row = 0
    values = work.forward(record=False)
    grads = work.backward(record=False)
    later = network.layers[layer:]
    rows = len(values[network.features])
    widths = [lay.fan_out for lay in later]
    path_count = math.prod(widths)
    matrices = [lay.matrix(values[lay.weight]) for lay in network.layers]
    slopes = [_slope(lay, values[lay.pre], values[lay.output]) for lay in network.layers]
    g_out = grads[network.prediction]

    def products(batch: slice) -> np.ndarray:
        """Every path's product for the rows of `batch`: shape (rows, k_ℓ+1, …, k_L)."""
        p = values[own.input][batch, i] * slopes[layer - 1][batch, j]
        if not later:
            return p * g_out[batch, j]
        axes = 0
        for m in range(layer, len(network.layers)):
            p = _extend(p, matrices[m][j] if axes == 0 else matrices[m], axes)
            axes += 1
            p = p * _rows_and_units(slopes[m][batch], axes)
        return p * _rows_and_units(g_out[batch], axes)

    if rows * path_count <= MAX_TERMS:
        terms = products(slice(None)).reshape(rows, -1).sum(axis=1)
    else:   # too many paths to list: the same sums, layer by layer (∂L/∂z, backwards)
        delta = g_out * slopes[-1]
        for m in range(len(network.layers) - 1, layer - 1, -1):
            delta = (delta @ matrices[m].T) * slopes[m - 1]
        terms = delta[:, j] * values[own.input][:, i]
    paths = ()
    if detail_row is not None and 0 <= detail_row < rows and path_count <= MAX_TERMS:
        paths = _paths(network, layer, i, j, detail_row, values, matrices, slopes, g_out,
                       products(slice(detail_row, detail_row + 1))[0], max_paths)
    row_terms = tuple(RowTerm(r, float(terms[r]), paths if r == detail_row else ())
                      for r in range(rows))
    index = own.weight_index(i, j)
    engine_value = float(grads[own.weight][index])
    difference = None
    if numeric:
        difference = float(numeric_gradient(work, own.weight, indices=[index])[index])
    return WeightChain(layer, i, j, own.weight, index, float(values[own.weight][index]),
                       _formula(network, layer), row_terms, rows, path_count,
                       detail_row if paths else None, float(terms.sum()), engine_value,
                       difference)


def _extend(p: np.ndarray, edge: np.ndarray, unit_axes: int) -> np.ndarray:
    """p (rows, k1, …, k_a) times one more layer's weights: from the last unit axis (or the
    fixed unit j when there is none yet, `edge` being W's row j) to a new axis."""
    if unit_axes == 0:
        return p[:, None] * edge[None, :]
    shape = (1,) * unit_axes + edge.shape     # broadcast over rows and earlier units
    return p[..., None] * edge.reshape(shape)


def _rows_and_units(a: np.ndarray, axes: int) -> np.ndarray:
    """a (rows, units of the last axis) shaped to broadcast against (rows, k1, …, k_axes)."""
    return a.reshape(a.shape[:1] + (1,) * (axes - 1) + a.shape[1:])


def _paths(network, layer, i, j, r, values, matrices, slopes, g_out, products, limit):
    """The `limit` largest paths of row r, each with its factors."""
    own = network.layers[layer - 1]
    later = network.layers[layer:]
    flat = products.reshape(-1)
    order = np.argsort(-np.abs(flat), kind="stable")[:limit] if later else np.array([0])
    result = []
    for k in order:
        units = tuple(int(u) for u in np.unravel_index(int(k), products.shape)) if later \
            else ()
        chain = [j, *units]
        factors = []
        last = network.layers[-1]
        unit = chain[-1]
        factors.append(Factor("gradient", network.prediction, (r, unit),
                              float(g_out[r, unit]), f"∂L/∂{network.prediction}[{r},{unit}]"))
        if last.activation:
            factors.append(_slope_factor(last, r, unit, slopes[-1]))
        for m in range(len(later), 0, -1):
            lay = network.layers[layer - 1 + m]
            a, b = chain[m - 1], chain[m]
            at = lay.weight_index(a, b)
            factors.append(Factor("weight", lay.weight, at, float(values[lay.weight][at]),
                                  f"{lay.weight}[{at[0]},{at[1]}]"))
            before = network.layers[layer - 2 + m]
            if before.activation:
                factors.append(_slope_factor(before, r, a, slopes[layer - 2 + m]))
        factors.append(Factor("input", own.input, (r, i), float(values[own.input][r, i]),
                              f"{own.input}[{r},{i}]"))
        result.append(ChainPath(units, tuple(factors), float(flat[k])))
    return tuple(result)


def _slope_factor(layer: Layer, r: int, unit: int, slopes) -> Factor:
    return Factor("slope", layer.pre, (r, unit), float(slopes[r, unit]),
                  f"{layer.activation}′({layer.pre}[{r},{unit}])")
