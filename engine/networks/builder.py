"""The network builder: a layered graph from widths, activations and a loss.

``build_network(spec)`` writes an ordinary graph with the examples' ids and layout::

    x → xW1 (W1) → z1 (b1) → h1 → h1W2 (W2) → z2 (b2) → h2 → ... → logits (bL) → loss ← y

The last layer's output is ``logits`` before softmax_ce / sigmoid_bce and ``prediction``
before mse (as in sine_regression). Weights are ``xavier`` (``he`` in front of a relu or
leaky_relu) with seeds ``seed``, ``seed + 1``, ... per layer; biases ``zeros``. Values are
drawn at once, so the file holds them. Nodes sit left to right, 170 apart, on one row
(y = 110) with the parameters above (y = 0), each one column left of the node it feeds, so
every wire runs forward; in PyTorch's form the transpose takes the weight's place and the
weight sits one column left of it, higher up (y = -110).

``canonical_names`` and ``layout`` are shared with the editing operations, which keep a
builder-named network builder-named.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.graph import Graph
from engine.init import initialize
from engine.networks.layers import ACTIVATIONS, FORM_OUT_IN, LOSS_OPS, Network, recognize

STEP, ROW, PARAMETER_ROW, TRANSPOSED_ROW = 170, 110, 0, -110
SAMPLE_ROWS = 6            # rows in a sample (two of each of three classes)
MAX_SAMPLE_CLASSES = 8     # a sample from data shows one row of each class, up to this many


@dataclass(frozen=True)
class NetworkSpec:
    """What to build: widths, one activation per hidden layer, the loss, the seed."""
    inputs: int
    outputs: int
    loss_op: str = "mse"
    hidden: tuple[int, ...] = (16,)
    activations: tuple[str, ...] = ("tanh",)
    seed: int = 0

    def __post_init__(self):
        for name, width in [("inputs", self.inputs), ("outputs", self.outputs),
                            *(("hidden width", w) for w in self.hidden)]:
            if isinstance(width, bool) or not isinstance(width, (int, np.integer)) or width < 1:
                raise ValueError(f"{name} must be a whole number of at least 1, got {width!r}")
        if self.loss_op not in LOSS_OPS:
            raise ValueError(f"unknown loss {self.loss_op!r}: choose one of {', '.join(LOSS_OPS)}")
        if len(self.activations) != len(self.hidden):
            raise ValueError(f"{len(self.hidden)} hidden layers need as many activations, "
                             f"got {len(self.activations)}")
        for activation in self.activations:
            if activation not in ACTIVATIONS:
                raise ValueError(f"unknown activation {activation!r}: choose one of "
                                 f"{', '.join(ACTIVATIONS)}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, (int, np.integer)) \
                or self.seed < 0:
            raise ValueError(f"seed must be a non-negative whole number, got {self.seed!r}")

    @classmethod
    def of(cls, inputs, outputs, loss_op="mse", hidden=(16,), activation="tanh", seed=0):
        """A spec with the same activation in every hidden layer."""
        hidden = tuple(int(w) for w in hidden)
        return cls(int(inputs), int(outputs), loss_op, hidden, (activation,) * len(hidden),
                   int(seed))

    @property
    def widths(self) -> tuple[int, ...]:
        return (self.inputs, *self.hidden, self.outputs)


def head_name(loss_op: str) -> str:
    """The last layer's output id: ``logits`` before a classification loss, else
    ``prediction``."""
    return "logits" if loss_op in ("softmax_ce", "sigmoid_bce") else "prediction"


def weight_init(activation: str | None) -> str:
    return "he" if activation in ("relu", "leaky_relu") else "xavier"


def canonical_names(count: int, head: str) -> list[dict]:
    """The builder's ids for a network of `count` layers: per layer a dict with keys input,
    weight, matmul, bias, pre, activation (None for the last layer, whose pre is `head`)."""
    names = []
    for k in range(1, count + 1):
        source = "x" if k == 1 else f"h{k - 1}"
        last = k == count
        names.append({"input": source, "weight": f"W{k}", "matmul": f"{source}W{k}",
                      "bias": f"b{k}", "pre": head if last else f"z{k}",
                      "activation": None if last else f"h{k}"})
    return names


def is_builder_named(network: Network, graph) -> bool:
    """True when every layer carries the builder's ids (x, W1, xW1, b1, z1, h1, ..., y,
    loss), in the in_out form with biases and hidden activations."""
    if (network.features, network.targets, network.loss) != ("x", "y", "loss"):
        return False
    head = network.prediction
    if head not in ("logits", "prediction"):
        return False
    for layer, names in zip(network.layers, canonical_names(len(network.layers), head)):
        if layer.form == FORM_OUT_IN or layer.bias is None:
            return False
        if (layer.weight, layer.matmul, layer.bias, layer.pre, layer.activation_node) != (
                names["weight"], names["matmul"], names["bias"], names["pre"],
                names["activation"]):
            return False
    return True


def layout(network: Network) -> dict:
    """Clean left-to-right positions for every node of the chain (see the module doc)."""
    positions = {network.features: (0, ROW)}
    column = 0
    for layer in network.layers:
        if layer.form == FORM_OUT_IN:     # the transpose takes the weight's place
            positions[layer.weight] = ((column - 1) * STEP, TRANSPOSED_ROW)
            positions[layer.transpose] = (column * STEP, PARAMETER_ROW)
        else:
            positions[layer.weight] = (column * STEP, PARAMETER_ROW)
        column += 1
        positions[layer.matmul] = (column * STEP, ROW)
        if layer.bias is not None:
            positions[layer.bias] = (column * STEP, PARAMETER_ROW)
            column += 1
            positions[layer.bias_add] = (column * STEP, ROW)
        if layer.activation_node is not None:
            column += 1
            positions[layer.activation_node] = (column * STEP, ROW)
    positions[network.targets] = (column * STEP, PARAMETER_ROW)
    positions[network.loss] = ((column + 1) * STEP, ROW)
    return positions


def made_up_sample(spec: NetworkSpec, rows: int = SAMPLE_ROWS):
    """(X, Y) sample rows when there is no data: standard-normal features (2 decimals);
    classes in turn for a classifier, zeros for a regression."""
    rng = np.random.default_rng(spec.seed)
    X = np.round(rng.standard_normal((rows, spec.inputs)), 2)
    if spec.loss_op == "softmax_ce":
        Y = np.eye(spec.outputs)[np.arange(rows) % spec.outputs]
    elif spec.loss_op == "sigmoid_bce":
        Y = (np.arange(rows * spec.outputs) % 2).reshape(rows, spec.outputs).astype(float)
    else:
        Y = np.zeros((rows, spec.outputs))
    return X, Y


def sample_rows(Y: np.ndarray, classes: bool, count: int | None = None) -> np.ndarray:
    """Which rows of a data set make a good sample, in row order: for classes, rows of each
    class in turn (the first of each, then the second of each, ...; at most
    MAX_SAMPLE_CLASSES classes) up to `count` (default SAMPLE_ROWS, at least one per class
    shown); for numbers `count` (default 6) rows spread evenly."""
    n = len(Y)
    if not classes:
        return np.unique(np.linspace(0, n - 1, min(n, count or 6)).round().astype(int))
    codes = Y.argmax(axis=1) if Y.shape[1] > 1 else Y[:, 0].round().astype(int)
    groups = [np.flatnonzero(codes == c).tolist() for c in np.unique(codes)]
    groups = groups[:MAX_SAMPLE_CLASSES]
    count = min(max(count or SAMPLE_ROWS, len(groups)), sum(map(len, groups)))
    chosen, depth = [], 0
    while len(chosen) < count:
        for group in groups:
            if depth < len(group) and len(chosen) < count:
                chosen.append(group[depth])
        depth += 1
    return np.array(sorted(chosen), dtype=int)


def description(widths, activations, loss_op: str) -> str:
    """The builder's description of a network, e.g. 'A 4-16-3 network from the builder:
    x (4 features) → W1, b1 → tanh (16 units) → W2, b2 → logits (3) → softmax_ce against
    one-hot y.'"""
    head = head_name(loss_op)
    parts = [f"x ({widths[0]} feature{'s' if widths[0] != 1 else ''})"]
    for k, (width, activation) in enumerate(zip(widths[1:-1], activations), start=1):
        parts.append(f"W{k}, b{k} → {activation} ({width} unit{'s' if width != 1 else ''})")
    last = len(widths) - 1
    parts.append(f"W{last}, b{last} → {head} ({widths[-1]})")
    against = {"softmax_ce": "one-hot y", "sigmoid_bce": "y (0/1)", "mse": "y"}[loss_op]
    return (f"A {'-'.join(map(str, widths))} network from the builder: "
            f"{' → '.join(parts)} → {loss_op} against {against}.")


def build_network(spec: NetworkSpec, sample=None) -> Graph:
    """A new Graph for `spec` (see the module doc). `sample` is (X, Y): the rows the input
    nodes hold (default ``made_up_sample``). The graph's ``extra`` holds its description;
    the caller adds ``data`` and ``training`` sections."""
    X, Y = made_up_sample(spec) if sample is None else sample
    X, Y = np.array(X, dtype=np.float64), np.array(Y, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != spec.inputs or Y.shape != (len(X), spec.outputs):
        raise ValueError(f"the sample must be rows of {spec.inputs} features and "
                         f"{spec.outputs} targets, got {X.shape} and {Y.shape}")
    head = head_name(spec.loss_op)
    names = canonical_names(len(spec.hidden) + 1, head)
    widths = spec.widths
    graph = Graph()
    graph.add_node("x", "input", value=X)
    for k, layer in enumerate(names):
        activation = spec.activations[k] if layer["activation"] else None
        shape = [widths[k], widths[k + 1]]
        init = weight_init(activation)
        graph.add_node(layer["weight"], "parameter",
                       {"init": init, "shape": shape, "seed": spec.seed + k},
                       initialize(init, shape, spec.seed + k))
        graph.add_node(layer["matmul"], "matmul")
        graph.add_node(layer["bias"], "parameter", {"init": "zeros", "shape": shape[1:],
                                                    "seed": 0}, np.zeros(shape[1]))
        graph.add_node(layer["pre"], "add")
        graph.connect(layer["input"], layer["matmul"], 0)
        graph.connect(layer["weight"], layer["matmul"], 1)
        graph.connect(layer["matmul"], layer["pre"], 0)
        graph.connect(layer["bias"], layer["pre"], 1)
        if activation:
            graph.add_node(layer["activation"], activation)
            graph.connect(layer["pre"], layer["activation"], 0)
    graph.add_node("y", "input", value=Y)
    graph.add_node("loss", spec.loss_op)
    graph.connect(head, "loss", 0)
    graph.connect("y", "loss", 1)
    graph.loss = "loss"
    for node_id, position in layout(recognize(graph)).items():
        graph.set_position(node_id, position)
    graph.extra["description"] = description(widths, spec.activations, spec.loss_op)
    return graph
