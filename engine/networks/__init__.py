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
"""
from engine.networks.adapt import Adaptation, Change, CsvFit, adapt, adapt_to_csv, csv_fit
from engine.networks.builder import NetworkSpec, build_network
from engine.networks.chain import ChainPath, Factor, RowTerm, WeightChain, weight_chain
from engine.networks.editing import (EditError, add_layer, add_unit, remove_layer,
                                     remove_unit, set_activation, set_units)
from engine.networks.from_csv import CsvNetwork, network_for_csv
from engine.networks.graph_edit import GraphEdit, apply_edit, graph_edit
from engine.networks.layers import (ACTIVATIONS, FORM_IN_OUT, FORM_OUT_IN, Layer, Network,
                                    NotLayered, network_or_reason, recognize)
from engine.networks.targets import Target, choose_target, read_columns
from engine.networks.widths import DataWidths, data_widths

__all__ = ["Adaptation", "Change", "CsvFit", "adapt", "adapt_to_csv", "csv_fit", "NetworkSpec",
           "build_network", "ChainPath", "Factor", "RowTerm", "WeightChain", "weight_chain",
           "EditError", "add_layer", "add_unit", "remove_layer", "remove_unit",
           "set_activation", "set_units", "CsvNetwork", "network_for_csv", "GraphEdit",
           "apply_edit", "graph_edit", "ACTIVATIONS", "FORM_IN_OUT", "FORM_OUT_IN", "Layer",
           "Network", "NotLayered", "network_or_reason", "recognize", "Target",
           "choose_target", "read_columns", "DataWidths", "data_widths"]
