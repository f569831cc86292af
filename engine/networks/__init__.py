"""Networks of dense layers on the op graph (no Qt): recognising them, building and editing
them, fitting them to data, and the chain of one weight.

- ``layers``     — ``recognize(graph) -> Network`` (layers read from the structure) or
  ``NotLayered(reason)``; ``network_or_reason`` never raises.
- ``widths``     — ``data_widths``: the row widths a graph takes, read from its layers.
- ``targets``    — classes or numbers from a CSV's target column: the loss and output width.
- ``builder``    — ``build_network(NetworkSpec)``: the examples' ids and layout.
- ``from_csv``   — ``network_for_csv``: a builder network with its data and training sections.
- ``editing``    — add or remove a hidden layer or units, change an activation.
- ``adapt``      — fit a graph's input and output layers to a CSV (``csv_fit``, ``adapt``).
- ``chain``      — ``weight_chain``: ∂L/∂W[i, j] as the sum of its paths, checked.
- ``graph_edit`` — the difference between two graphs as one list of edits (one undo step).

The names below are imported when first used (PEP 562): asking whether a graph is layered
(``engine.networks.layers``) does not load the training data readers the others need.
"""
from __future__ import annotations

_HOMES = {
    "adapt": ("Adaptation", "Change", "CsvFit", "adapt", "adapt_to_csv", "csv_fit"),
    "builder": ("NetworkSpec", "build_network"),
    "chain": ("ChainPath", "Factor", "RowTerm", "WeightChain", "weight_chain"),
    "editing": ("EditError", "add_layer", "add_unit", "remove_layer", "remove_unit",
                "set_activation", "set_units"),
    "from_csv": ("CsvNetwork", "network_for_csv"),
    "graph_edit": ("GraphEdit", "apply_edit", "graph_edit"),
    "layers": ("ACTIVATIONS", "FORM_IN_OUT", "FORM_OUT_IN", "Layer", "Network", "NotLayered",
               "network_or_reason", "recognize"),
    "targets": ("Target", "choose_target", "read_columns"),
    "widths": ("DataWidths", "data_widths"),
}
_MODULE_OF = {name: module for module, names in _HOMES.items() for name in names}
__all__ = [name for names in _HOMES.values() for name in names]


def __getattr__(name: str):
    """``engine.networks.recognize`` and the other names of ``__all__``, from their module."""
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'engine.networks' has no attribute {name!r}")
    import importlib
    value = globals()[name] = getattr(importlib.import_module(f"engine.networks.{module}"),
                                      name)
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
