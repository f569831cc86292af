"""Auto-layout: positions for a graph's nodes, left to right by topological layers.

Reads the graph through GraphModel (node ids and edges), returns ``{id: (x, y)}``; the canvas
applies it as one undo step (``commands.AutoLayout``).
"""
from __future__ import annotations

import networkx as nx


def layered_positions(model, x_gap: float = 200.0, y_gap: float = 125.0) -> dict:
    """Left-to-right layout by topological layers (``nx.topological_generations``); within a
    layer, nodes sort by the mean row of their inputs to reduce crossings."""
    g = nx.MultiDiGraph()
    ids = model.node_ids()
    g.add_nodes_from(ids)
    g.add_edges_from((e.source, e.target, e.port) for e in model.edges())
    order = {n: i for i, n in enumerate(ids)}
    rows: dict = {}
    positions = {}
    for x, layer in enumerate(nx.topological_generations(g)):
        def key(n):
            preds = [rows[p] for p in g.predecessors(n) if p in rows]
            return (sum(preds) / len(preds) if preds else -1.0, order[n])
        layer = sorted(layer, key=key)
        top = -(len(layer) - 1) * y_gap / 2
        for i, node_id in enumerate(layer):
            rows[node_id] = i - (len(layer) - 1) / 2
            positions[node_id] = (x * x_gap, top + i * y_gap)
    return positions
