"""Backprop Studio's engine: computation graphs, forward and reverse-mode passes, files.

Numpy + networkx only (never Qt), usable from a notebook::

    import engine
    g = engine.Graph()
    g.add_node("x", "input", value=2.0)
    g.add_node("y", "mul")
    g.connect("x", "y", 0); g.connect("x", "y", 1)
    g.forward(); g.backward()["x"]   # array(4.)

The names below are imported when first used (PEP 562), so ``import engine`` — and the
command line's ``--help``, ``--version`` and usage errors, which import ``engine.cli`` — load
neither numpy nor networkx.
"""
from __future__ import annotations

__all__ = ["Graph", "Node", "Edge", "Trace", "ForwardStep", "BackwardStep", "GraphError",
           "Kind", "Problem", "FileFormatError", "OPS", "load_graph", "save_graph", "graph_from_dict",
           "graph_to_dict"]


def __getattr__(name: str):
    """``engine.Graph`` and the other names of ``__all__``, from the module that defines them."""
    if name in ("FileFormatError", "GraphError", "Kind", "Problem"):
        from engine import errors as module
    elif name in ("Edge", "Graph", "Node"):
        from engine import graph as module
    elif name in ("graph_from_dict", "graph_to_dict", "load_graph", "save_graph"):
        from engine import io as module
    elif name == "OPS":
        from engine import ops as module
    elif name in ("BackwardStep", "ForwardStep", "Trace"):
        from engine import trace as module
    else:
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    value = globals()[name] = getattr(module, name)
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
