"""Ready-made fragments the palette offers: drop one and get a small, wired sub-graph.

Each template is a format-v1-like fragment: ``nodes`` (ids are renamed to fresh ones on insert)
with positions relative to the drop point, and ``edges`` between them.
"""
from __future__ import annotations


def _node(node_id, op, position, value=None, attrs=None):
    node = {"id": node_id, "op": op, "attrs": dict(attrs or {}), "position": list(position)}
    if value is not None:
        node["value"] = value
    return node


def _edge(source, target, port):
    return {"source": source, "target": target, "port": port}


NEURON = {
    "nodes": [
        _node("w", "parameter", (0, 0), value=0.5),
        _node("x", "input", (0, 125), value=1.5),
        _node("wx", "mul", (200, 60)),
        _node("b", "parameter", (200, 200), value=0.1),
        _node("z", "add", (400, 120)),
        _node("y", "tanh", (600, 120)),
    ],
    "edges": [_edge("w", "wx", 0), _edge("x", "wx", 1), _edge("wx", "z", 0),
              _edge("b", "z", 1), _edge("z", "y", 0)],
}

DENSE_LAYER = {
    "nodes": [
        _node("x", "input", (0, 0), value=[[0.5, -1.0]]),
        _node("W", "parameter", (0, 170), value=[[0.2, -0.4, 0.7], [0.5, 0.1, -0.3]]),
        _node("xW", "matmul", (200, 80)),
        _node("b", "parameter", (200, 260), value=[0.1, 0.0, -0.1]),
        _node("z", "add", (400, 160)),
        _node("h", "tanh", (600, 160)),
    ],
    "edges": [_edge("x", "xW", 0), _edge("W", "xW", 1), _edge("xW", "z", 0),
              _edge("b", "z", 1), _edge("z", "h", 0)],
}

MSE_LOSS = {
    "nodes": [
        _node("prediction", "input", (0, 0), value=0.8),
        _node("target", "input", (0, 160), value=1.0),
        _node("loss", "mse", (200, 80)),
    ],
    "edges": [_edge("prediction", "loss", 0), _edge("target", "loss", 1)],
}

TEMPLATES: dict[str, dict] = {
    "Neuron (w·x + b → tanh)": NEURON,
    "Dense layer": DENSE_LAYER,
    "MSE loss": MSE_LOSS,
}
