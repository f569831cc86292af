"""Small graphs the engine tests share: the seed's chain-rule and two-paths examples, and
``build`` for writing a graph as a list of nodes and a list of edges."""
import numpy as np

from engine import Graph


def build(nodes, edges=(), graph=None) -> Graph:
    """Add ``nodes`` — ``(id, op)``, ``(id, op, attrs)`` with attrs a dict, or ``(id, op,
    value)`` for a leaf — then ``edges`` ``(source, target, port)``, to ``graph`` (a new one
    when None), in the order given."""
    g = Graph() if graph is None else graph
    for nid, op, *rest in nodes:
        extra = rest[0] if rest else None
        if isinstance(extra, dict):
            g.add_node(nid, op, extra)
        else:
            g.add_node(nid, op, value=extra)
    for source, target, port in edges:
        g.connect(source, target, port)
    return g


def chain(x=1.5):
    """y = (x² + 1)³, the seed's chain-rule example."""
    return build([("x", "input", x), ("sq", "pow", {"exponent": 2}), ("one", "constant", 1.0),
                  ("u", "add"), ("y", "pow", {"exponent": 3})],
                 [("x", "sq", 0), ("sq", "u", 0), ("one", "u", 1), ("u", "y", 0)])


def two_paths(t=0.5):
    """z = x·y with x = t², y = eᵗ."""
    return build([("t", "input", t), ("x", "pow", {"exponent": 2}), ("y", "exp"), ("z", "mul")],
                 [("t", "x", 0), ("t", "y", 0), ("x", "z", 0), ("y", "z", 1)])


def matmul_sum(b=None):
    """L = sum(a @ b) with a of ones (2, 3) and b of ones (3, 1) unless given."""
    b = np.ones((3, 1)) if b is None else b
    return build([("a", "input", np.ones((2, 3))), ("b", "input", b), ("m", "matmul"),
                  ("L", "sum")],
                 [("a", "m", 0), ("b", "m", 1), ("m", "L", 0)])
