"""Exports of a graph as code that reproduces the app's numbers (numpy only; never Qt).

``to_numpy(graph)`` is a standalone numpy script, ``to_pytorch(graph)`` a float64 PyTorch
script (writing it needs no torch; running it does). Both print, as their last line, JSON
``{"loss": number, "grads": {id: nested list}}`` for every input and parameter node and, with
``--train [--steps N] [--seed S]``, train as the app's Trainer does and print
``{"loss": ..., "accuracy": ... or null}``. A graph that cannot run raises the engine's
``GraphError``. ``name`` is the file name the script's docstring shows.
"""
from __future__ import annotations

from .numpy_script import to_numpy_source
from .program import Program, read_program
from .pytorch_script import to_pytorch_source


def to_numpy(graph, name: str = "graph") -> str:
    """A readable standalone numpy script for ``graph``; GraphError if it cannot run."""
    return to_numpy_source(read_program(graph, name), script_name(name))


def to_pytorch(graph, name: str = "graph") -> str:
    """A float64 nn.Module script for ``graph``; GraphError if it cannot run."""
    return to_pytorch_source(read_program(graph, name), script_name(name))


def script_name(name: str) -> str:
    stem = name.rsplit(".", 1)[0] if name.endswith(".json") else name
    return f"{stem}.py"


__all__ = ["to_numpy", "to_pytorch", "read_program", "Program"]
