"""Auto-layout: positions for a graph's nodes, left to right in layers (a Sugiyama-style layout).

Reads the graph through GraphModel (node ids and edges), returns ``{id: (x, y)}``; the canvas
applies it as one undo step (``commands.AutoLayout``).

1. Layers: each node one layer right of its latest input; then every source, and every
   node that depends on no input node (a weight's transpose), moves as late as its consumers
   allow, so a constant sits just left of the op that reads it instead of in layer 0 with a
   wire running under the nodes between.
2. An edge that still spans several layers gets a placeholder in each layer it crosses: a slot
   the wire runs through, so no node is put in its way (the canvas routes the wire there,
   ``gui/canvas/routing.py``).
3. Order within a layer: barycentre sweeps (down, then up) to reduce crossings.
4. Rows: each layer is stacked, then shifted so its wires run as straight as they can.
"""
from __future__ import annotations

import statistics

import networkx as nx

NODE_ANCHOR = 37.0      # y of a card's first port below its top (style.PORT_TOP)
PORT_GAP = 20.0         # between a card's inputs (style.PORT_GAP)
DUMMY_GAP = 40.0        # the height of a slot a long wire passes through
SWEEPS = 4


def layer_of_nodes(graph: nx.DiGraph, order: dict, data=frozenset()) -> dict:
    """node → layer: one right of its latest input; then, from the right, every source, and
    every node that depends on no ``data`` node (an input: it depends on parameters and
    constants alone, as the transpose of a weight does), as late as its consumers allow;
    empty layers squeezed out."""
    ordered = list(nx.topological_sort(graph))
    layer = {}
    for node in ordered:
        preds = list(graph.predecessors(node))
        layer[node] = max((layer[p] + 1 for p in preds), default=0)
    fixed = set()          # nodes that depend on no input
    for node in ordered:
        if node not in data and all(p in fixed for p in graph.predecessors(node)):
            fixed.add(node)
    for node in reversed(ordered):
        succs = list(graph.successors(node))
        if succs and (node in fixed or graph.in_degree(node) == 0):
            layer[node] = min(layer[s] for s in succs) - 1
    used = sorted(set(layer.values()))
    index = {value: i for i, value in enumerate(used)}
    return {node: index[value] for node, value in layer.items()}


def _with_placeholders(graph: nx.DiGraph, layer: dict) -> tuple[nx.DiGraph, dict]:
    """A copy in which every edge spanning k > 1 layers runs through k − 1 placeholder nodes
    (tuples ``("wire", source, target, i)``) instead. Each edge keeps ``port``: the input it
    ends at (0 into a placeholder)."""
    proper = nx.DiGraph()
    proper.add_nodes_from(graph.nodes)
    layers = dict(layer)
    for source, target, port in graph.edges(data="port"):
        span = layer[target] - layer[source]
        previous = source
        for i in range(1, span):
            dummy = ("wire", source, target, i)
            layers[dummy] = layer[source] + i
            proper.add_edge(previous, dummy, port=0)
            previous = dummy
        proper.add_edge(previous, target, port=port)
    return proper, layers


def _order_layers(proper: nx.DiGraph, layers: dict, order: dict) -> list[list]:
    """Entries of each layer, top to bottom, after barycentre sweeps."""
    count = max(layers.values(), default=-1) + 1
    rows: list[list] = [[] for _ in range(count)]

    def rank(entry):
        return order.get(entry, order.get(entry[1], 0) if isinstance(entry, tuple) else 0)

    for entry in sorted(layers, key=lambda e: (rank(e), str(e))):
        rows[layers[entry]].append(entry)

    position = {e: k for row in rows for k, e in enumerate(row)}

    def sweep(indices, neighbours):
        for i in indices:
            def key(entry):
                near = [position[n] for n in neighbours(entry)]
                return (sum(near) / len(near) if near else position[entry], position[entry])
            rows[i] = sorted(rows[i], key=key)
            position.update((e, k) for k, e in enumerate(rows[i]))

    for _ in range(SWEEPS):
        sweep(range(1, count), proper.predecessors)
        sweep(range(count - 2, -1, -1), proper.successors)
    return rows


def _stack(rows: list[list], y_gap: float, dummy_gap: float, anchor: float) -> dict:
    """entry → the y of its wire anchor (a card's first port; a placeholder's middle), each
    layer stacked from 0."""
    anchors = {}
    for row in rows:
        top = 0.0
        for entry in row:
            if isinstance(entry, tuple):
                anchors[entry] = top + dummy_gap / 2
                top += dummy_gap
            else:
                anchors[entry] = top + anchor
                top += y_gap
    return anchors


def _straighten(rows: list[list], proper: nx.DiGraph, anchors: dict, port_gap: float) -> None:
    """Shift layers up or down so the main wires run straight: left to right, each layer by the
    median offset to what feeds the first input of its entries; then right to left, layers of
    sources level with the inputs they feed; finally everything centred on y = 0."""
    def shift(row, deltas):
        if deltas:
            d = statistics.median(deltas)
            for e in row:
                anchors[e] += d

    for row in rows[1:]:
        deltas = []
        for e in row:
            inputs = sorted((port, source) for source, _, port in proper.in_edges(e, data="port"))
            if inputs:
                port, source = inputs[0]
                deltas.append(anchors[source] - port * port_gap - anchors[e])
        shift(row, deltas)
    for i in range(len(rows) - 2, -1, -1):
        if all(proper.in_degree(e) == 0 for e in rows[i]):
            shift(rows[i], [anchors[t] + port * port_gap - anchors[e] for e in rows[i]
                            for _, t, port in proper.out_edges(e, data="port")])
    values = list(anchors.values())
    if values:
        middle = (min(values) + max(values)) / 2
        for e in anchors:
            anchors[e] -= middle


def layered_positions(model, x_gap: float = 200.0, y_gap: float = 125.0,
                      dummy_gap: float = DUMMY_GAP, anchor: float = NODE_ANCHOR,
                      port_gap: float = PORT_GAP) -> dict:
    """``{id: (x, y)}``, the top-left corner of each node's card: layers ``x_gap`` apart, cards
    ``y_gap`` apart in a layer, a ``dummy_gap`` slot where a long wire crosses a layer."""
    ids = model.node_ids()
    if not ids:
        return {}
    graph = nx.DiGraph()
    graph.add_nodes_from(ids)
    for e in model.edges():     # mul(x, x): one wire to lay out, at its first input
        if not graph.has_edge(e.source, e.target) or e.port < graph[e.source][e.target]["port"]:
            graph.add_edge(e.source, e.target, port=e.port)
    order = {n: i for i, n in enumerate(ids)}
    layer = layer_of_nodes(graph, order, {n for n in ids if model.node(n).op == "input"})
    proper, layers = _with_placeholders(graph, layer)
    rows = _order_layers(proper, layers, order)
    anchors = _stack(rows, y_gap, dummy_gap, anchor)
    _straighten(rows, proper, anchors, port_gap)
    return {n: (layer[n] * x_gap, round(anchors[n] - anchor, 1)) for n in ids}
