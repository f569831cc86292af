"""Backprop Studio's engine: computation graphs, forward and reverse-mode passes, files.

Numpy + networkx only (never Qt), usable from a notebook::

    import engine
    g = engine.Graph()
    g.add_node("x", "input", value=2.0)
    g.add_node("y", "mul")
    g.connect("x", "y", 0); g.connect("x", "y", 1)
    g.forward(); g.backward()["x"]   # array(4.)
"""
from engine.errors import FileFormatError, GraphError, Kind, Problem
from engine.graph import Edge, Graph, Node
from engine.io import graph_from_dict, graph_to_dict, load_graph, save_graph
from engine.ops import OPS
from engine.trace import BackwardStep, ForwardStep, Trace

__all__ = ["Graph", "Node", "Edge", "Trace", "ForwardStep", "BackwardStep", "GraphError",
           "Kind", "Problem", "FileFormatError", "OPS", "load_graph", "save_graph", "graph_from_dict",
           "graph_to_dict"]
