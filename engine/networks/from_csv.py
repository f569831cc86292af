"""A builder network for a CSV: ``main.py new`` and the builder dialog's "from my data".

``network_for_csv(path, ...)`` reads the table, chooses the target's loss and output width
(``engine.networks.targets``), builds the network (``engine.networks.builder``) with rows of
the CSV as its samples (standardised as training will standardise them), and gives it its
sections: ``data`` (the CSV — relative to `folder`, the graph file's folder, when given —,
the target, the test fraction, standardisation on, the features and targets nodes ``x`` and
``y``, the class labels) and ``training`` (Adam, lr 0.01, batches of 32, 2000 steps, the
seed, which also seeds the weights and the test split).
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from engine.graph import Graph
from engine.networks.builder import NetworkSpec, build_network, sample_rows
from engine.networks.targets import CsvColumns, read_columns
from engine.training.data import Fit, prepare
from engine.training.tables import read_table

TRAINING = {"optimizer": "adam", "lr": 0.01, "batch_size": 32, "steps": 2000}


@dataclass(frozen=True)
class CsvNetwork:
    """The graph built for a CSV, the spec it was built from and the CSV's columns."""
    graph: Graph
    spec: NetworkSpec
    columns: CsvColumns

    @property
    def summary(self) -> dict:
        """``{"nodes", "parameters", "weights", "features", "outputs", "loss_op"}``."""
        graph = self.graph
        parameters = [n for n in graph.node_ids() if graph.node(n).op == "parameter"]
        return {"nodes": len(graph.node_ids()), "parameters": len(parameters),
                "weights": sum(graph.node(n).value.size for n in parameters),
                "features": self.spec.inputs, "outputs": self.spec.outputs,
                "loss_op": self.spec.loss_op}


def network_for_csv(path, target=None, task: str | None = None, hidden=(16,),
                    activation="tanh", test_fraction: float = 0.0, seed: int = 0,
                    folder=None) -> CsvNetwork:
    """See the module doc. `activation`: one for every hidden layer, or a sequence of one
    per hidden layer (the builder dialog's). ValueError with one line for a CSV that cannot
    be used (one class, no feature column, a missing value, text where numbers are needed,
    ...) or a bad setting."""
    columns = read_columns(read_table(path), target, task)
    chosen = columns.target
    section = {"csv": os.path.abspath(path), "target": chosen.column,
               "test_fraction": test_fraction, "standardize": True,
               "features": "x", "targets": "y"}
    fit = Fit(chosen.loss_op, "x", "y", len(columns.features), chosen.outputs)
    data = prepare(section, fit, seed)
    if isinstance(activation, str):
        spec = NetworkSpec.of(len(columns.features), chosen.outputs, chosen.loss_op, hidden,
                              activation, seed)
    else:
        spec = NetworkSpec(len(columns.features), chosen.outputs, chosen.loss_op,
                           tuple(int(w) for w in hidden), tuple(activation), int(seed))
    rows = sample_rows(data.train.Y, chosen.labels is not None)
    graph = build_network(spec, (data.train.X[rows], data.train.Y[rows]))
    saved = data.section_for(folder) if folder is not None else dict(data.section)
    saved["standardize"] = True      # measured on the training rows when it trains
    graph.extra["data"] = saved
    graph.extra["training"] = {**TRAINING, "seed": seed}
    return CsvNetwork(graph, spec, columns)
