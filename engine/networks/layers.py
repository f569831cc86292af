"""Dense layers recognised from a graph's structure (no marker in the file).

A *layered network* is a chain of dense layers from a features ``input`` node to a loss::

    features → matmul → [add bias] → [activation] → matmul → ... → [add bias] → loss ← targets

Each layer is ``x @ W (+ b)`` with W a ``parameter`` shaped (in, out) — the builder's and the
examples' form, ``FORM_IN_OUT`` — or ``x @ transpose(W) (+ b)`` with W shaped (out, in), as
PyTorch's ``nn.Linear`` stores it, ``FORM_OUT_IN``. The bias (a parameter shaped (out,) or
(1, out), on either port of the add) is optional; so is the activation (tanh, relu, sigmoid,
leaky_relu). The loss is mse, sigmoid_bce or softmax_ce, with the last layer's output on its
first port and a targets ``input`` node on its second.

Every node inside the chain feeds only the next one (a weight only its own layer), so the
chain is all there is between the features and the loss; nodes outside it are ignored.

``recognize(graph)`` returns a ``Network`` or raises ``NotLayered`` whose ``reason`` is one
sentence for people (a disabled toggle's tooltip); ``network_or_reason(graph)`` never raises.
A ``Network`` holds node ids and widths only (no arrays, no graph), so views may keep it.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from engine.errors import GraphError

ACTIVATIONS = ("tanh", "relu", "sigmoid", "leaky_relu")
LOSS_OPS = ("softmax_ce", "sigmoid_bce", "mse")
FORM_IN_OUT = "in_out"     # x @ W, W shaped (in, out)
FORM_OUT_IN = "out_in"     # x @ transpose(W), W shaped (out, in)
DENSE = "a dense layer is x @ W (+ b), then tanh, relu, sigmoid or leaky_relu (or nothing)"


class NotLayered(ValueError):
    """The graph is not a chain of dense layers; ``reason`` says why, ``node`` where."""

    def __init__(self, reason: str, node: str | None = None):
        super().__init__(reason)
        self.reason, self.node = reason, node


@dataclass(frozen=True)
class Layer:
    """One dense layer. Unit i of the layer's input and unit j of its output are joined by
    ``W[i, j]`` in the in_out form and by ``W[j, i]`` in the out_in form (``weight_index``)."""
    index: int                    # 1 = the layer that takes the features
    input: str                    # the node whose rows it takes (features, or the previous output)
    weight: str                   # the parameter node W
    form: str                     # FORM_IN_OUT or FORM_OUT_IN
    transpose: str | None         # the transpose node (out_in form), else None
    matmul: str
    bias: str | None              # the bias parameter, or None for a bias-free layer
    bias_add: str | None          # the add node that adds it
    activation: str | None        # tanh, relu, sigmoid, leaky_relu, or None
    activation_node: str | None
    fan_in: int
    fan_out: int
    slope: float | None = None    # leaky_relu's slope

    @property
    def pre(self) -> str:
        """The pre-activation node z (the bias add, or the matmul without a bias)."""
        return self.bias_add or self.matmul

    @property
    def output(self) -> str:
        """The node holding the layer's output rows (the activation, else ``pre``)."""
        return self.activation_node or self.pre

    @property
    def parameters(self) -> tuple[str, ...]:
        return (self.weight,) if self.bias is None else (self.weight, self.bias)

    @property
    def nodes(self) -> tuple[str, ...]:
        """Every node of the layer, parameters included, in computing order."""
        return tuple(n for n in (self.weight, self.transpose, self.matmul, self.bias,
                                 self.bias_add, self.activation_node) if n is not None)

    @property
    def weight_shape(self) -> tuple[int, int]:
        return (self.fan_in, self.fan_out) if self.form == FORM_IN_OUT else (self.fan_out,
                                                                             self.fan_in)

    def weight_index(self, i: int, j: int) -> tuple[int, int]:
        """W's element joining input unit ``i`` to output unit ``j``."""
        return (i, j) if self.form == FORM_IN_OUT else (j, i)

    def matrix(self, value):
        """W's value as an (in, out) matrix (a view)."""
        return value if self.form == FORM_IN_OUT else value.T


@dataclass(frozen=True)
class Network:
    """A recognised layered network: ids and widths (see the module doc)."""
    features: str
    targets: str
    layers: tuple[Layer, ...]
    loss: str
    loss_op: str

    @property
    def prediction(self) -> str:
        """The node the loss reads its prediction (logits) from: the last layer's output."""
        return self.layers[-1].output

    @property
    def inputs(self) -> int:
        return self.layers[0].fan_in

    @property
    def outputs(self) -> int:
        return self.layers[-1].fan_out

    @property
    def widths(self) -> tuple[int, ...]:
        """Units per level: the inputs, each hidden layer, the outputs (e.g. (4, 8, 3))."""
        return (self.inputs,) + tuple(layer.fan_out for layer in self.layers)

    @property
    def hidden(self) -> tuple[Layer, ...]:
        """The layers before the output layer."""
        return self.layers[:-1]

    @property
    def parameters(self) -> tuple[str, ...]:
        return tuple(p for layer in self.layers for p in layer.parameters)

    @property
    def nodes(self) -> frozenset:
        """Every node of the chain: features, targets, the layers' nodes and the loss."""
        return frozenset({self.features, self.targets, self.loss}).union(
            *(layer.nodes for layer in self.layers))

    def layer_of(self, node_id: str) -> Layer | None:
        """The layer a node belongs to, or None."""
        return next((layer for layer in self.layers if node_id in layer.nodes), None)


def network_or_reason(graph) -> tuple[Network | None, str | None]:
    """(Network, None), or (None, the reason it is not layered). Never raises."""
    try:
        return recognize(graph), None
    except NotLayered as exc:
        return None, exc.reason
    except Exception as exc:   # never raise to a GUI that is only asking
        return None, f"cannot read the graph's layers: {exc}"


def recognize(graph) -> Network:
    """The graph's dense layers; NotLayered with the reason when it has none."""
    return _Reader(graph).network()


class _Reader:
    def __init__(self, graph):
        self.graph = graph

    def op(self, node_id: str) -> str:
        return self.graph.node(node_id).op

    def only_feeds(self, node_id: str, target: str, what: str = "") -> None:
        consumers = self.graph.consumers(node_id)
        others = sorted({t for t, _ in consumers if t != target})
        if others:
            raise NotLayered(f"'{node_id}' also feeds '{others[0]}': in a layered network "
                             f"{what or 'each node'} feeds only the next step", node_id)

    def shape(self, node_id: str) -> tuple | None:
        node = self.graph.node(node_id)
        if node.value is not None:
            return tuple(node.value.shape)
        shape = node.attrs.get("shape")
        return tuple(shape) if shape is not None else None

    def network(self) -> Network:
        graph = self.graph
        try:
            loss = graph.loss_node()
        except GraphError as exc:
            raise NotLayered(f"no loss to train: {exc}") from None
        loss_op = self.op(loss)
        if loss_op not in LOSS_OPS:
            raise NotLayered(f"the loss '{loss}' is {_a(loss_op)}: a layered network ends in "
                             "mse, sigmoid_bce or softmax_ce", loss)
        prediction, targets = graph.input_sources(loss)
        if prediction is None or targets is None:
            raise NotLayered(f"the loss '{loss}' has an unconnected input", loss)
        if self.op(targets) != "input":
            raise NotLayered(f"the loss's targets '{targets}' are {_a(self.op(targets))}, not "
                             "an input node", targets)
        layers, out, seen = [], prediction, set()
        while True:
            if out in seen:   # impossible in a DAG; a guard all the same
                raise NotLayered(f"'{out}' is reached twice", out)
            seen.add(out)
            consumer = loss if not layers else layers[-1].matmul
            self.only_feeds(out, consumer, "a layer's output")
            layer = self.layer(out)
            layers.append(layer)
            source = layer.input
            if self.op(source) == "input":
                self.only_feeds(source, layer.matmul, "the features node")
                break
            out = source
        layers.reverse()
        layers = [replace(layer, index=k + 1) for k, layer in enumerate(layers)]
        for before, after in zip(layers, layers[1:]):
            if after.fan_in != before.fan_out:
                raise NotLayered(f"'{after.weight}' takes {after.fan_in} inputs but the layer "
                                 f"before gives {before.fan_out} ('{before.weight}')",
                                 after.weight)
        return Network(layers[0].input, targets, tuple(layers), loss, loss_op)

    def layer(self, out: str) -> Layer:
        """The layer whose output is ``out`` (read backwards: activation, bias add, matmul)."""
        activation = activation_node = slope = None
        pre = out
        if self.op(out) in ACTIVATIONS:
            activation, activation_node = self.op(out), out
            slope = self.graph.node(out).attrs.get("slope") if activation == "leaky_relu" \
                else None
            pre = self.graph.input_sources(out)[0]
            if pre is None:
                raise NotLayered(f"the input of '{out}' is not connected", out)
            self.only_feeds(pre, out, "a pre-activation")
        bias = bias_add = None
        matmul = pre
        if self.op(pre) == "add":
            bias_add = pre
            a, b = self.graph.input_sources(pre)
            if a is None or b is None:
                raise NotLayered(f"an input of '{pre}' is not connected", pre)
            if self.op(a) == "parameter" and self.op(b) != "parameter":
                a, b = b, a
            if self.op(b) != "parameter":
                raise NotLayered(f"'{pre}' adds '{a}' and '{b}', neither a bias parameter: "
                                 f"{DENSE}", pre)
            matmul, bias = a, b
            self.only_feeds(matmul, pre, "a layer's matmul")
            self.only_feeds(bias, pre, "a bias")
        if self.op(matmul) != "matmul":
            raise NotLayered(f"'{matmul}' is {_a(self.op(matmul))}, not a matmul: {DENSE}", matmul)
        source, operand = self.graph.input_sources(matmul)
        if source is None or operand is None:
            raise NotLayered(f"an input of '{matmul}' is not connected", matmul)
        weight, transpose, form = operand, None, FORM_IN_OUT
        if self.op(operand) == "transpose":
            transpose, form = operand, FORM_OUT_IN
            weight = self.graph.input_sources(operand)[0]
            if weight is None:
                raise NotLayered(f"the input of '{operand}' is not connected", operand)
            self.only_feeds(operand, matmul, "a transposed weight")
        if self.op(weight) != "parameter":
            left = self.op(source) == "parameter"
            raise NotLayered(f"'{matmul}' multiplies " + (
                f"the weight '{source}' from the left (W @ x): a dense layer is x @ W"
                if left else f"by '{weight}', {_a(self.op(weight))}: a layer's weight is a "
                "parameter"), matmul)
        self.only_feeds(weight, transpose or matmul, "a weight")
        shape = self.shape(weight)
        if shape is None or len(shape) != 2:
            raise NotLayered(f"the weight '{weight}' is not a matrix (shape "
                             f"{shape if shape is not None else 'unknown'})", weight)
        fan_in, fan_out = shape if form == FORM_IN_OUT else shape[::-1]
        if bias is not None and self.shape(bias) not in ((fan_out,), (1, fan_out)):
            raise NotLayered(f"the bias '{bias}' has shape {self.shape(bias)}, its layer "
                             f"{fan_out} units ('{weight}')", bias)
        return Layer(0, source, weight, form, transpose, matmul, bias, bias_add, activation,
                     activation_node, int(fan_in), int(fan_out),
                     None if slope is None else float(slope))



def _a(word: str) -> str:
    """'a matmul', 'an add'."""
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"
