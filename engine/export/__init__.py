"""Exports of a graph as code that reproduces the app's numbers (numpy only; never Qt).

``to_numpy(graph)`` is a standalone numpy script, ``to_pytorch(graph)`` a float64 PyTorch
script (writing it needs no torch; running it does). Both print, as their last line, JSON
``{"loss": number, "grads": {id: nested list}}`` for every input and parameter node and, with
``--train [--steps N] [--seed S]``, train as the app's Trainer does and print
``{"loss": ..., "accuracy": ... or null}``. A graph that cannot run raises the engine's
``GraphError``. ``name`` is the graph's name (its file name) the script's docstring shows;
the script's usage text names the script itself, read at run time (``--help``).
"""
from __future__ import annotations

from engine.export.numpy_script import to_numpy_source
from engine.export.program import Program, read_program
from engine.export.pytorch_script import to_pytorch_source


def to_numpy(graph, name: str = "graph") -> str:
    """A readable standalone numpy script for ``graph``; GraphError if it cannot run."""
    return to_numpy_source(read_program(graph, name))


def to_pytorch(graph, name: str = "graph") -> str:
    """A float64 nn.Module script for ``graph``; GraphError if it cannot run."""
    return to_pytorch_source(read_program(graph, name))


__all__ = ["to_numpy", "to_pytorch", "read_program", "Program"]
