"""GraphModel's network API (a mixin of ``GraphModel``; see gui/model/graph_model.py).

The builder, the neuron view and the CSV dialog see the document's dense layers through this
mixin, as plain data: the recognised ``Network`` (ids and widths, no arrays), the chain of one
weight (``WeightChain``: numbers), what the data asks of a network (``DataShape``). Every
change of the network — a unit, a layer, an activation, adapting to a CSV, building one — is
computed by ``engine.networks`` on a copy of the graph and handed out as a ``NetworkChange``:
the edits that turn the document into the new graph and back, which one undo command
(``commands.ChangeNetwork``) applies through ``apply_graph_edit``. The document itself is
edited only there.
"""
from __future__ import annotations

import copy
import os
from dataclasses import dataclass

from engine.networks.layers import ACTIVATIONS, LOSS_OPS, network_or_reason



@dataclass(frozen=True)
class NetworkChange:
    """One change of the document as one undo step: ``forward`` turns the document as it was
    when the change was made into the new graph, ``backward`` turns that back exactly.
    ``lines`` say what changes, in words (adapting to data)."""
    text: str
    forward: object           # engine.networks.GraphEdit
    backward: object
    lines: tuple = ()
    summary: str = ""         # the new network, e.g. "4 → 8 → 3 · softmax_ce"


@dataclass(frozen=True)
class DataShape:
    """What data asks of a network: its features, outputs and loss, and why."""
    source: str               # "wine.csv: target cultivar" / "the built-in spiral data"
    features: int
    outputs: int
    loss_op: str
    target: str               # "3 classes (1, 2, 3)" / "numbers"
    why: str                  # how the loss was chosen, in words
    columns: tuple = ()       # every column of a CSV (a target chooser's items)
    target_column: str | None = None
    section: dict | None = None   # the data section it was read from (a CSV: absolute path)


@dataclass(frozen=True)
class CsvAdaptation:
    """A CSV against the document: ``message`` says what differs ('' when nothing does);
    ``change`` adapts the graph and names the CSV in one step (None when it fits, or cannot
    be adapted: ``reason`` says why)."""
    message: str
    change: NetworkChange | None
    reason: str | None = None

    @property
    def differs(self) -> bool:
        return bool(self.message)


def state_widths(graph) -> tuple:
    """The units per level of a graph's network ((4, 8, 3)), or () when it has none."""
    network = network_or_reason(graph)[0]
    return network.widths if network is not None else ()


def describe_network(network) -> str:
    """'4 → 8 tanh → 3 · softmax_ce'."""
    parts = [str(network.inputs)]
    for layer in network.hidden:
        parts.append(f"{layer.fan_out} {layer.activation or 'linear'}")
    parts.append(str(network.outputs))
    return " → ".join(parts) + f" · {network.loss_op}"


class NetworkAccess:
    """Needs ``_graph``, ``command_edit``, the editing methods and signals of GraphModel."""

    ACTIVATIONS = ACTIVATIONS
    LOSS_OPS = LOSS_OPS
    _network_state = None

    # ------------------------------------------------------------ reading
    def _forget_network(self, *_args) -> None:
        self._network_state = None

    def network_state(self) -> tuple:
        """(Network, None) when the document is a chain of dense layers, else (None, the
        engine's reason in one sentence). Read again after every structural edit."""
        if self._network_state is None:
            self._network_state = network_or_reason(self._graph)
        return self._network_state

    def network(self):
        """The document's ``Network`` (node ids and widths), or None."""
        return self.network_state()[0]

    def network_summary(self) -> str:
        network = self.network()
        return describe_network(network) if network is not None else ""

    def weight_chain(self, layer: int, i: int, j: int, detail_row: int | None = 0,
                     row: int | None = None, numeric: bool = True):
        """∂L/∂W[i, j] of layer `layer` by the chain rule on the document's samples, with the
        engine's gradient and a central difference beside it (``engine.networks.WeightChain``;
        `row`: a one-row pass of that row). ValueError for a unit out of range."""
        from engine.networks.chain import weight_chain
        return weight_chain(self._graph, layer, i, j, row=row, detail_row=detail_row,
                            numeric=numeric, network=self.network())

    # ------------------------------------------------------------ changes
    def _change(self, text: str, old, new, lines=()) -> NetworkChange:
        from engine.networks.graph_edit import graph_edit
        from engine.networks.layers import network_or_reason as state
        network = state(new)[0]
        return NetworkChange(text, graph_edit(old, new), graph_edit(new, old), tuple(lines),
                             describe_network(network) if network is not None else "")

    def network_change(self, action: str, text: str, **arguments) -> NetworkChange:
        """A change of the document's layers: `action` is add_unit, remove_unit, set_units,
        add_layer, remove_layer or set_activation (``engine.networks.editing``, with its
        arguments). ValueError (EditError, NotLayered) with one line when it cannot be made."""
        from engine.networks import editing
        if action not in ("add_unit", "remove_unit", "set_units", "add_layer", "remove_layer",
                          "set_activation"):
            raise ValueError(f"unknown network change {action!r}")
        old = self._graph.copy()
        new = getattr(editing, action)(old, **arguments)
        return self._change(text, old, new)

    def resize_change(self, inputs: int, outputs: int, loss_op: str | None = None) -> NetworkChange:
        """The network taking `inputs` features and predicting `outputs` (with `loss_op`):
        only the parameters touching the input or the output are resized and drawn afresh."""
        from engine.networks.adapt import adapt
        old = self._graph.copy()
        adaptation = adapt(old, inputs, outputs, loss_op)
        what = []
        network = self.network()
        if network is not None and inputs != network.inputs:
            what.append(f"{inputs} inputs")
        if network is not None and outputs != network.outputs:
            what.append(f"{outputs} outputs")
        if loss_op is not None and network is not None and loss_op != network.loss_op:
            what.append(loss_op)
        return self._change(f"Network: {', '.join(what) or 'resize'}", old, adaptation.graph,
                            adaptation.lines)

    def csv_adaptation(self, section: dict, folder=None) -> CsvAdaptation:
        """The CSV of a data `section` against the document (see ``CsvAdaptation``): the
        change, when the widths differ, resizes and redraws only the parameters touching the
        input or the output, gives the inputs rows of the CSV and makes `section` the
        document's data. ValueError for a CSV that cannot be read."""
        from engine.networks.adapt import adapt_to_csv, csv_fit
        fit = csv_fit(self._graph, section, folder)
        message = fit.message()
        if not fit.differs:
            return CsvAdaptation("", None)
        old = self._graph.copy()
        try:
            adaptation, _fit, _data = adapt_to_csv(old, section, folder)
        except ValueError as exc:
            return CsvAdaptation(message, None, str(exc))
        new = adaptation.graph
        new.extra["data"] = copy.deepcopy(section)
        return CsvAdaptation(message, self._change(f"Adapt the network to {fit.source}", old,
                                                   new, adaptation.lines))

    def built_network_change(self, inputs: int, outputs: int, loss_op: str, hidden,
                             activations, seed: int = 0, csv: dict | None = None) -> NetworkChange:
        """The document replaced by a fresh builder network (one undo step). With `csv`
        ({"csv": path, "target": column or None, "task": None/classify/regress,
        "test_fraction": f}) the widths and loss come from the CSV and the network gets its
        data and training sections; otherwise the document's own data and training sections
        are kept."""
        from engine.networks.builder import NetworkSpec, build_network
        old = self._graph.copy()
        if csv is not None:
            from engine.networks.from_csv import network_for_csv
            built = network_for_csv(csv["csv"], csv.get("target"), csv.get("task"),
                                    tuple(hidden), tuple(activations),
                                    float(csv.get("test_fraction") or 0.0), int(seed))
            new = built.graph
        else:
            new = build_network(NetworkSpec(int(inputs), int(outputs), loss_op,
                                            tuple(int(w) for w in hidden), tuple(activations),
                                            int(seed)))
            for key in ("data", "training"):
                if isinstance(old.extra.get(key), dict):
                    new.extra[key] = copy.deepcopy(old.extra[key])
        widths = "-".join(str(w) for w in state_widths(new))
        return self._change(f"Build a {widths} network" if widths else "Build a network", old,
                            new)

    def data_shape(self, section: dict | None = None, task: str | None = None, folder=None):
        """What the data of `section` (default: the document's data section) asks of a
        network, or None when there is none. `task` (classify / regress) overrides how a
        CSV's target is read. ValueError with one line for data that cannot be read."""
        if section is None:
            section = self._graph.extra.get("data")
        if not isinstance(section, dict):
            return None
        if section.get("csv"):
            from engine.networks.targets import read_columns
            from engine.training.tables import read_table
            path = section["csv"]
            if not os.path.isabs(path) and folder is not None:
                path = os.path.join(os.fspath(folder), path)
            table = read_table(path)
            columns = read_columns(table, section.get("target"), task)
            target = columns.target
            return DataShape(f"{table.source}: target {target.column}",
                             len(columns.features), target.outputs, target.loss_op,
                             target.description, target.why, tuple(table.names),
                             target.column, {**section, "csv": os.path.abspath(path)})
        if section.get("dataset"):
            from engine.training.datasets import make_dataset
            options = {k: section[k] for k in ("n", "noise", "seed", "classes") if k in section}
            data = make_dataset(section["dataset"], **options)
            loss = {"binary": "sigmoid_bce", "multiclass": "softmax_ce"}.get(data.task, "mse")
            target = "numbers" if data.task == "regression" else \
                f"{data.classes} classes"
            return DataShape(f"the built-in {data.name} data", data.X.shape[1],
                             data.Y.shape[1], loss, target, f"{data.name} is a {data.task} set",
                             section=dict(section))
        return None

    # ------------------------------------------------------------ applying
    def apply_graph_edit(self, edit) -> None:
        """Apply an engine GraphEdit through the model's own edits (signals and all), in the
        order ``engine.networks.graph_edit`` prescribes; undo commands call this."""
        for target, port in edit.disconnect:
            self.disconnect(target, port)
        for node_id in edit.remove:
            self.remove_node(node_id)
        for entry in edit.add:
            self.add_node(entry["id"], entry["op"], entry["attrs"], entry["value"],
                          entry["position"], entry["extra"])
        for node_id, changes in edit.attrs.items():
            for name, value in changes.items():
                self.set_attr(node_id, name, value)
        if edit.values:
            self.set_values(dict(edit.values))
        for source, target, port in edit.connect:
            self.connect(source, target, port)
        for node_id, position in edit.positions.items():
            self.move_node(node_id, position)
        if edit.loss_changed:
            self.set_loss(edit.loss)
        if edit.extra is not None:
            sections = {k: self._graph.extra.get(k) for k in ("data", "training")}
            self._graph.extra = copy.deepcopy(edit.extra)
            if sections != {k: self._graph.extra.get(k) for k in ("data", "training")}:
                self.training_changed.emit()
            self._edited(rerun=False)
        if edit.order or edit.edge_order:
            self.restore_order(edit.order or self.node_ids(),
                               edit.edge_order or [(e.target, e.port) for e in self.edges()])
