"""File ▸ Import PyTorch Model…, as far as the model is concerned: what a model file offers
(read without running it), the ``main.py import`` command line and its outcome, and the
imported graph laid out by layers.

The import itself runs in another process (``engine.torch_import.runner``): the dialog
(gui/window/import_dialog.py) starts it with QProcess, so the user's code, torch's start-up and
its global state never enter the app. This module never imports torch.

    classes = model_classes("model.py")          # [ModuleClass(name, arguments, ...)]; or
                                                 # ModelFileError with one line
    argv = import_command("model.py", "Net", [(8, 2)], "out.json", loss="ce")
    result = read_outcome(status, stdout, stderr)   # .ok, .summary, .notices, .error
    graph = read_imported("out.json")            # positions set: layers left to right
"""
from __future__ import annotations

import importlib.util
import os

from engine.networks import network_or_reason
from engine.networks.builder import ROW, STEP, layout
from engine.torch_import import runner, source_file
from engine.torch_import.problems import TORCH_MISSING
from gui.model import files
from gui.model.auto_layout import layered_positions

LOSSES = ("ce", "bce", "mse", "none")
__all__ = ["ModelFileError", "model_classes", "main_class", "first_width", "torch_installed",
           "TORCH_MISSING", "import_command", "read_outcome", "read_imported",
           "layer_positions", "LOSSES"]

main_class = source_file.main_class
first_width = source_file.first_width


class ModelFileError(Exception):
    """The model file cannot be read; ``str(e)`` is one line for the user."""


def torch_installed() -> bool:
    """Whether PyTorch can be imported here (found without importing it: that takes ~2 s)."""
    try:
        return importlib.util.find_spec("torch") is not None
    except (ImportError, ValueError):
        return False


def model_classes(path) -> list:
    """The file's ``nn.Module`` classes (``source_file.ModuleClass``), read without running
    it; ModelFileError naming the file (and line) when it cannot be read or parsed."""
    name = os.path.basename(os.fspath(path))
    try:
        return source_file.module_classes(path)
    except SyntaxError as error:
        raise ModelFileError(f"{name}:{error.lineno}: syntax error: {error.msg}") from None
    except UnicodeDecodeError:
        raise ModelFileError(f"{name}: not a text file (it is not UTF-8)") from None
    except IsADirectoryError:
        raise ModelFileError(f"{name}: is a folder, not a Python file") from None
    except FileNotFoundError:
        raise ModelFileError(f"{path}: no such file") from None
    except OSError as error:
        raise ModelFileError(f"{name}: {error.strerror or error}") from None
    except (ValueError, RecursionError) as error:
        raise ModelFileError(f"{name}: cannot read it ({error})") from None


def import_command(model, class_name: str, shapes, out, loss: str = "none", weights=None,
                   seed: int = 0) -> list[str]:
    """The argv of ``python main.py import …`` (the program first)."""
    return runner.command_line(model, class_name, shapes, out, loss=loss, weights=weights,
                               seed=seed)


def read_outcome(status: int, stdout: str, stderr: str):
    """What a finished import said (``runner.Outcome``: ok, summary, notices, error)."""
    return runner.outcome(status, stdout, stderr)


def read_imported(path):
    """The graph the import wrote, every node placed: layers left to right when it is a
    chain of dense layers, else the auto layout. DocumentError when it cannot be read."""
    graph = files.read_graph(path)
    for node_id, position in layer_positions(graph).items():
        graph.set_position(node_id, position)
    return graph


def layer_positions(graph) -> dict:
    """``{id: (x, y)}`` for every node of an engine graph: the network builder's layout when
    the graph is a layered network (engine.networks), with any node outside the chain on a
    row below it; otherwise the auto layout (gui/model/auto_layout.py)."""
    network, _reason = network_or_reason(graph)
    if network is None:
        return layered_positions(graph)
    positions = dict(layout(network))
    rest = [n for n in graph.node_ids() if n not in positions]
    if rest:
        below = max(y for _, y in positions.values()) + ROW + STEP
        others = layered_positions(_Subgraph(graph, rest))
        top = min(y for _, y in others.values())
        positions.update({n: (x, y - top + below) for n, (x, y) in others.items()})
    return positions


class _Subgraph:
    """The nodes ``ids`` of a graph and the edges among them, as the auto layout reads them."""

    def __init__(self, graph, ids):
        self.graph = graph
        self.ids = list(ids)
        keep = set(ids)
        self._edges = [e for e in graph.edges() if e.source in keep and e.target in keep]

    def node_ids(self):
        return self.ids

    def edges(self):
        return self._edges

    def node(self, node_id):
        return self.graph.node(node_id)
