"""Editing a layered network: add or remove a hidden layer or units, change an activation.

Each operation takes a Graph whose layers ``recognize`` finds (made by the builder, by hand or
by an import), leaves it untouched and returns a new Graph. Existing units keep their weights
exactly; only new rows and columns are drawn fresh, by the parameter's own initialiser (its
``init`` attr) for the new shape, from ``seed`` (default: derived from the parameter's seed
and new shape, so an edit is repeatable). The GUI turns old → new into one undo step with
``engine.networks.graph_edit.graph_edit``.

Hidden layers are numbered 1 … L−1 as in ``Network.layers`` (layer L, the output layer, is
changed by ``engine.networks.adapt``). A builder-named graph (x, W1, xW1, b1, z1, h1, …)
stays builder-named: after a layer is added or removed its nodes are renumbered. Otherwise
new nodes get fresh ids in the layer's own style (``W3``/``z3``/``h3``, or
``hidden2.weight``/``hidden2.matmul``/``hidden2`` for PyTorch's form). Adding or removing a
layer lays the chain out again from left to right.
"""
from __future__ import annotations

import numpy as np

from engine.init import initialize
from engine.networks import builder
from engine.networks.layers import ACTIVATIONS, FORM_IN_OUT, Layer, Network, recognize


class EditError(ValueError):
    """An edit that cannot be made; the message says why in one line."""


# ---------------------------------------------------------------- helpers
def _hidden(network: Network, layer: int) -> Layer:
    count = len(network.hidden)
    if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)) \
            or not 1 <= layer <= count:
        if count == 0:
            raise EditError("this network has no hidden layer")
        raise EditError(f"no hidden layer {layer!r}: the hidden layers are 1 to {count}")
    return network.layers[layer - 1]


def _rng(own_seed, shape, seed):
    """The fresh draws' generator: `seed`'s, else one derived from the parameter's own seed
    and its new shape (an edit is repeatable; another shape draws other numbers)."""
    if seed is not None:
        return np.random.default_rng(seed)
    return np.random.default_rng([int(own_seed or 0), *map(int, shape), 7])


def _resize(graph, node_id: str, axis: int, keep, size: int, seed=None) -> None:
    """Give parameter `node_id` `size` slices along `axis`: the old slices `keep` (in that
    order) first, then fresh ones drawn by its initialiser for the new shape."""
    node = graph.node(node_id)
    old = node.value if node.value is not None else graph.fresh_value(node_id)
    shape = list(old.shape)
    shape[axis] = size
    fresh = initialize(node.attrs.get("init") or "xavier", shape,
                       rng=_rng(node.attrs.get("seed"), shape, seed))
    kept = np.take(old, list(keep), axis=axis)
    index = [slice(None)] * old.ndim
    index[axis] = slice(0, kept.shape[axis])
    fresh[tuple(index)] = kept
    graph.set_attr(node_id, "shape", shape)
    graph.set_value(node_id, fresh)


def in_axis(layer: Layer) -> int:
    """The axis of the layer's weight that runs over its inputs."""
    return 0 if layer.form == FORM_IN_OUT else 1


def out_axis(layer: Layer) -> int:
    """The axis of the layer's weight that runs over its units."""
    return 1 if layer.form == FORM_IN_OUT else 0


def bias_axis(graph, layer: Layer) -> int:
    """The axis of the layer's bias that runs over its units ((out,) or (1, out))."""
    node = graph.node(layer.bias)
    return (node.value.ndim if node.value is not None else len(node.attrs["shape"])) - 1


def _resize_units(graph, network: Network, number: int, keep, size: int, seed) -> None:
    """Hidden layer `number` gets `size` units: the old units `keep`, then fresh ones."""
    layer, after = network.layers[number - 1], network.layers[number]
    _resize(graph, layer.weight, out_axis(layer), keep, size, seed)
    if layer.bias is not None:
        _resize(graph, layer.bias, bias_axis(graph, layer), keep, size, seed)
    _resize(graph, after.weight, in_axis(after), keep, size, seed)


def _finish(old_graph, old: Network, graph, relayout: bool):
    """Renumber a builder-named graph, lay the chain out, refresh the builder's description."""
    network = recognize(graph)
    if builder.is_builder_named(old, old_graph):
        network = _renumber(graph, network)
    if relayout:
        for node_id, position in builder.layout(network).items():
            graph.set_position(node_id, position)
    text = old_graph.extra.get("description")
    if text is not None and text == _describe(old):
        graph.extra["description"] = _describe(network)
    return graph


def _describe(network: Network) -> str | None:
    activations = [layer.activation for layer in network.hidden]
    if any(a is None for a in activations):
        return None
    return builder.description(network.widths, activations, network.loss_op)


def _renumber(graph, network: Network) -> Network:
    """Rename every layer's nodes to the builder's ids (through temporary ids, so that no
    rename meets a name still in use)."""
    names = builder.canonical_names(len(network.layers), network.prediction)
    wanted = {}
    for layer, name in zip(network.layers, names):
        wanted.update({layer.weight: name["weight"], layer.matmul: name["matmul"],
                       layer.bias: name["bias"], layer.pre: name["pre"]})
        if layer.activation_node is not None:
            wanted[layer.activation_node] = name["activation"]
    moves = {old: new for old, new in wanted.items() if old != new}
    temporary = {}
    for old in moves:
        temporary[old] = graph.new_id(f"{old}~renumbering")
        graph.rename_node(old, temporary[old])
    for old, new in moves.items():
        graph.rename_node(temporary[old], new)
    return recognize(graph)


def _free(graph, names) -> bool:
    return all(name not in graph for name in names)


def _new_layer_ids(graph, form: str, source: str, activation: str | None) -> dict:
    """Fresh ids for an added layer, in its form's style."""
    n = 1
    while True:
        if form == FORM_IN_OUT:
            ids = {"weight": f"W{n}", "transpose": None, "matmul": f"{source}W{n}",
                   "bias": f"b{n}", "pre": f"z{n}", "activation": f"h{n}"}
        else:
            base = f"hidden{n}"
            ids = {"weight": f"{base}.weight", "transpose": f"{base}.weight.T",
                   "matmul": f"{base}.matmul", "bias": f"{base}.bias", "pre": base,
                   "activation": f"{base}.{activation}"}
        if _free(graph, [v for v in ids.values() if v is not None]):
            return ids
        n += 1


def _init_for(graph, weight: str, old: str | None, new: str) -> None:
    """Keep a builder-style weight init matching its activation (xavier ↔ he), value kept."""
    node = graph.node(weight)
    if node.attrs.get("init") == builder.weight_init(old) != builder.weight_init(new):
        value = node.value
        graph.set_attr(weight, "init", builder.weight_init(new))
        if value is not None:
            graph.set_value(weight, value)


# ---------------------------------------------------------------- units
def set_units(graph, layer: int, units: int, seed=None):
    """Hidden layer `layer` with `units` units: new ones appended (fresh weights), or the last
    ones removed."""
    network = recognize(graph)
    current = _hidden(network, layer).fan_out
    if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units < 1:
        raise EditError(f"a layer needs at least one unit, got {units!r}")
    new = graph.copy()
    _resize_units(new, network, layer, range(min(current, units)), int(units), seed)
    return _finish(graph, network, new, relayout=False)


def add_unit(graph, layer: int, seed=None):
    """One more unit at the end of hidden layer `layer`."""
    return set_units(graph, layer, _hidden(recognize(graph), layer).fan_out + 1, seed)


def remove_unit(graph, layer: int, unit: int | None = None):
    """Hidden layer `layer` without unit `unit` (default: its last); the others keep their
    weights (the units after it move up one place)."""
    network = recognize(graph)
    width = _hidden(network, layer).fan_out
    unit = width - 1 if unit is None else unit
    if isinstance(unit, bool) or not isinstance(unit, (int, np.integer)) \
            or not 0 <= unit < width:
        raise EditError(f"layer {layer} has units 0 to {width - 1}, not {unit!r}")
    if width == 1:
        raise EditError(f"layer {layer} has one unit left: remove the layer instead")
    new = graph.copy()
    _resize_units(new, network, layer, [k for k in range(width) if k != unit], width - 1, None)
    return _finish(graph, network, new, relayout=False)


# ---------------------------------------------------------------- layers
def add_layer(graph, after: int = None, units: int | None = None, activation: str = "tanh",
              seed=None):
    """A new hidden layer after hidden layer `after` (0: right after the features; default:
    after the last hidden layer) with `units` units (default: as many as flow there, so the
    next layer keeps its weights) and `activation`. The next layer's weight keeps its rows
    for the first units and draws the rest fresh."""
    network = recognize(graph)
    count = len(network.hidden)
    after = count if after is None else after
    if isinstance(after, bool) or not isinstance(after, (int, np.integer)) \
            or not 0 <= after <= count:
        raise EditError(f"a layer goes after hidden layer 0 (the features) to {count}, "
                        f"not {after!r}")
    if activation not in ACTIVATIONS:
        raise EditError(f"unknown activation {activation!r}: choose one of "
                        f"{', '.join(ACTIVATIONS)}")
    flowing = network.widths[after]
    units = flowing if units is None else units
    if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units < 1:
        raise EditError(f"a layer needs at least one unit, got {units!r}")
    following = network.layers[after]
    source = following.input
    new = graph.copy()
    ids = _new_layer_ids(new, following.form, source, activation)
    shape = [flowing, units] if following.form == FORM_IN_OUT else [units, flowing]
    init = builder.weight_init(activation)
    weight_seed = int(seed) if seed is not None else after + 1
    new.add_node(ids["weight"], "parameter", {"init": init, "shape": shape, "seed": weight_seed},
                 initialize(init, shape, rng=_rng(weight_seed, shape, seed)))
    operand = ids["weight"]
    if ids["transpose"] is not None:
        new.add_node(ids["transpose"], "transpose")
        new.connect(ids["weight"], ids["transpose"], 0)
        operand = ids["transpose"]
    new.add_node(ids["matmul"], "matmul")
    new.add_node(ids["bias"], "parameter", {"init": "zeros", "shape": [units], "seed": 0},
                 np.zeros(units))
    new.add_node(ids["pre"], "add")
    new.add_node(ids["activation"], activation)
    new.disconnect(following.matmul, 0)
    new.connect(source, ids["matmul"], 0)
    new.connect(operand, ids["matmul"], 1)
    new.connect(ids["matmul"], ids["pre"], 0)
    new.connect(ids["bias"], ids["pre"], 1)
    new.connect(ids["pre"], ids["activation"], 0)
    new.connect(ids["activation"], following.matmul, 0)
    _order_before(new, list(ids.values()), following.weight)
    if units != flowing:
        _resize(new, following.weight, in_axis(following), range(min(units, flowing)), units,
                seed)
    return _finish(graph, network, new, relayout=True)


def remove_layer(graph, layer: int):
    """The network without hidden layer `layer`: its nodes go, the layer before feeds the
    next one, whose weight keeps its rows for the first units and draws the rest fresh."""
    network = recognize(graph)
    gone = _hidden(network, layer)
    following = network.layers[layer]
    new = graph.copy()
    for node_id in gone.nodes:
        new.remove_node(node_id)
    new.connect(gone.input, following.matmul, 0)
    if gone.fan_in != gone.fan_out:
        _resize(new, following.weight, in_axis(following),
                range(min(gone.fan_in, gone.fan_out)), gone.fan_in)
    return _finish(graph, network, new, relayout=True)


def set_activation(graph, layer: int, activation: str):
    """Hidden layer `layer` with `activation` (weights kept). The node keeps its id, unless
    the id was its old op's name (``relu`` → ``tanh``); a layer without an activation gets
    a new node."""
    network = recognize(graph)
    target = _hidden(network, layer)
    if activation not in ACTIVATIONS:
        raise EditError(f"unknown activation {activation!r}: choose one of "
                        f"{', '.join(ACTIVATIONS)}")
    new = graph.copy()
    if target.activation == activation:
        return new
    consumers = new.consumers(target.output)
    order = new.node_ids()
    if target.activation_node is not None:
        old = new.node(target.activation_node)
        node_id = old.id
        if old.id.split(".")[-1].rstrip("0123456789_") == target.activation:
            node_id = new.new_id(old.id[:len(old.id) - len(old.id.split(".")[-1])]
                                 + activation)
        new.remove_node(old.id)
        new.add_node(node_id, activation, position=old.position, extra=old.extra)
        order = [node_id if n == old.id else n for n in order]
        source = target.pre
    else:
        source = target.pre
        base = f"h{layer}" if target.form == FORM_IN_OUT else f"{target.pre}.{activation}"
        node_id = new.new_id(base)
        new.add_node(node_id, activation)
        for t, port in consumers:
            new.disconnect(t, port)
        order.insert(order.index(target.pre) + 1, node_id)
    new.connect(source, node_id, 0)
    for t, port in consumers:
        new.connect(node_id, t, port)
    new.reorder(order, [(e.target, e.port) for e in graph.edges()])
    _init_for(new, target.weight, target.activation, activation)
    return _finish(graph, network, new, relayout=target.activation_node is None)


def _order_before(graph, ids, anchor: str) -> None:
    """Put the nodes `ids` just before `anchor` in the graph's node order."""
    ids = [i for i in ids if i is not None]
    rest = [n for n in graph.node_ids() if n not in ids]
    at = rest.index(anchor)
    graph.reorder(rest[:at] + ids + rest[at:], [(e.target, e.port) for e in graph.edges()])
