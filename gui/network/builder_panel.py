"""The network builder: a layered network by widths and activations, with + and − buttons.

When the document is a layered network (built here, by hand or imported) the panel edits it
directly, TensorFlow-Playground style: − / + on a hidden layer removes or adds a unit, the
activation box changes that layer's activation, ✕ removes the layer, "+ Add a hidden layer"
adds one — each click is one undo step that keeps the other units' weights, and the canvas
shows it at once. The inputs and outputs follow the data when the document has data (its
``data`` section, or a CSV chosen here): the features give the input width, the target the
output width and the loss (≥ 3 classes softmax_ce, 2 sigmoid_bce, numbers mse; the Task box
overrides). "Fit the network to the data" adapts a network whose widths differ.

"Build" writes a fresh network of the widths shown in place of the document's graph (one undo
step, so nothing is lost), with the CSV's data and training sections when a CSV was chosen.
Every change is computed by the model (``GraphModel.network_change`` and friends) and pushed
as a ``commands.ChangeNetwork``.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QFileDialog, QGridLayout, QGroupBox, QHBoxLayout,
                               QLabel, QPushButton, QScrollArea, QSpinBox, QToolButton,
                               QVBoxLayout, QWidget)

from gui.accessibility import label_for
from gui.model import commands

TASKS = (("From the target", None), ("Classify", "classify"), ("Regress", "regress"))
MAX_WIDTH = 4096
DEFAULT = {"inputs": 2, "outputs": 1, "loss": "mse", "hidden": [8], "activations": ["tanh"]}
TEST_FRACTION = 0.2       # rows held out when a network is built for a CSV here


class BuilderPanel(QWidget):
    message = Signal(str)
    laid_out = Signal()       # a network was built, or a layer added or removed: nodes moved

    def __init__(self, model, undo_stack, folder=None, parent=None):
        super().__init__(parent)
        self.setObjectName("network_builder")
        self.model, self.undo_stack = model, undo_stack
        self._folder = folder if callable(folder) else (lambda: folder)
        self.csv = None                   # a DataShape chosen here (a CSV), else None
        self.task: str | None = None
        self.spec = {k: (list(v) if isinstance(v, list) else v) for k, v in DEFAULT.items()}
        self._signature = None
        self.layer_rows: list[dict] = []

        self.status = QLabel(wordWrap=True)
        self.status.setObjectName("builder_status")
        self.data_label = QLabel(wordWrap=True, objectName="muted")
        self.csv_button = QPushButton("Choose a CSV…")
        self.csv_button.setObjectName("builder_csv")
        self.csv_button.setToolTip("Read a CSV: its feature columns give the inputs, its "
                                   "target column the outputs and the loss")
        self.csv_button.clicked.connect(lambda: self.choose_csv())
        self.target_box = self._compact(QComboBox(objectName="builder_target"))
        self.target_box.currentTextChanged.connect(self._target_changed)
        self.task_box = self._compact(QComboBox(objectName="builder_task"))
        for text, task in TASKS:
            self.task_box.addItem(text, task)
        self.task_box.setToolTip("Text labels, and whole numbers with at most 20 distinct "
                                 "values, are classes; other numbers are regressed")
        self.task_box.currentIndexChanged.connect(self._task_changed)
        self.fit_button = QPushButton("Fit the network to the data")
        self.fit_button.setObjectName("builder_fit")
        self.fit_button.clicked.connect(self.fit_to_data)
        data_box = QGroupBox("Data")
        data = QGridLayout(data_box)
        data.addWidget(self.data_label, 0, 0, 1, 2)
        data.addWidget(self.csv_button, 1, 0, 1, 2)
        data.addWidget(label_for(QLabel("Target"), self.target_box), 2, 0)
        data.addWidget(self.target_box, 2, 1)
        data.addWidget(label_for(QLabel("Task"), self.task_box), 3, 0)
        data.addWidget(self.task_box, 3, 1)
        data.addWidget(self.fit_button, 4, 0, 1, 2)

        self.inputs = self._spin("builder_inputs", 1)
        self.inputs.setAccessibleName("Inputs: features per row")
        self.inputs.editingFinished.connect(self._ends_changed)
        self.outputs = self._spin("builder_outputs", 1)
        self.outputs.setAccessibleName("Outputs")
        self.outputs.editingFinished.connect(self._ends_changed)
        self.loss_box = self._compact(QComboBox(objectName="builder_loss"))
        self.loss_box.addItems(list(model.LOSS_OPS))
        self.loss_box.setAccessibleName("Loss")
        self.loss_box.setToolTip("The loss on the outputs")
        self.loss_box.currentTextChanged.connect(self._ends_changed)
        self.layers_box = QGroupBox("Layers")
        self.grid = QGridLayout(self.layers_box)
        self.grid.setHorizontalSpacing(3)
        self.grid.setContentsMargins(6, 8, 6, 8)
        self.add_layer_button = QPushButton("+ Add a hidden layer")
        self.add_layer_button.setObjectName("builder_add_layer")
        self.add_layer_button.clicked.connect(self.add_layer)

        self.build_button = QPushButton("Build")
        self.build_button.setObjectName("builder_build")
        self.build_button.clicked.connect(self.build)
        self.error = QLabel(wordWrap=True, objectName="error")
        self.error.hide()

        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(8, 10, 8, 10)
        column.setSpacing(8)
        column.addWidget(QLabel("Network builder", objectName="heading"))
        column.addWidget(self.status)
        column.addWidget(data_box)
        column.addWidget(self.layers_box)
        column.addWidget(self.build_button)
        column.addWidget(self.error)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)          # it only frames the rows
        scroll.setWidgetResizable(True)
        scroll.setWidget(page)          # a dock narrower than the rows scrolls, never clips
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        for signal in (model.graph_reset, model.edits_settled, model.training_changed):
            signal.connect(self.refresh)
        model.graph_reset.connect(self._forget_csv)
        self.refresh()

    @staticmethod
    def _spin(name: str, low: int) -> QSpinBox:
        spin = QSpinBox(objectName=name)
        spin.setRange(low, MAX_WIDTH)
        spin.setKeyboardTracking(False)
        spin.setFixedWidth(60)
        return spin

    @staticmethod
    def _compact(box: QComboBox) -> QComboBox:
        box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        box.setMinimumContentsLength(6)
        return box

    # ------------------------------------------------------------ reading the document
    @property
    def network(self):
        return self.model.network()

    def data_shape(self):
        """What the data asks of the network (a CSV chosen here, else the document's data),
        or None; a problem reading it goes to the error line."""
        try:
            if self.csv is not None:
                section = {**self.csv.section, "target": self.target_box.currentText() or None}
                return self.model.data_shape(section, self.task)
            return self.model.data_shape(None, self.task, self._folder())
        except ValueError as error:
            self._show_error(str(error))
            return None

    def _forget_csv(self) -> None:
        self.csv = None

    def refresh(self) -> None:
        """Follow the document: its network (edit mode) or the widths to build."""
        network = self.network
        shape = self.data_shape()
        if network is not None:
            self.spec = {"inputs": network.inputs, "outputs": network.outputs,
                         "loss": network.loss_op,
                         "hidden": [layer.fan_out for layer in network.hidden],
                         "activations": [layer.activation or "tanh" for layer in network.hidden]}
        if shape is not None and network is None:
            self.spec.update(inputs=shape.features, outputs=shape.outputs, loss=shape.loss_op)
        self._show_status(network, shape)
        self._show_data(shape)
        self._show_ends(shape)
        signature = (network is None, tuple(self.spec["hidden"]),
                     tuple(self.spec["activations"]))
        if signature != self._signature:
            self._signature = signature
            self._build_rows()
        self.fit_button.setVisible(network is not None and shape is not None and (
            (shape.features, shape.outputs, shape.loss_op) !=
            (network.inputs, network.outputs, network.loss_op)))
        self.build_button.setText("Build afresh" if network is not None else "Build")
        self.build_button.setToolTip(
            "Replace the network with a freshly initialised one of these widths (one undo "
            "step)" if network is not None else
            "Write this network into the document (one undo step: undo brings back what "
            "was there)")

    def _show_status(self, network, shape) -> None:
        if network is not None:
            text = (f"Editing this document's network: {self.model.network_summary()}. "
                    "Each change is one undo step; the other units keep their weights.")
        else:
            reason = self.model.network_state()[1]
            empty = not self.model.node_ids()
            text = ("An empty document: choose the widths (or a CSV) and press Build." if empty
                    else f"This graph is not a layered network ({reason}). Build replaces it "
                         "(one undo step).")
        self.status.setText(text)

    def _show_data(self, shape) -> None:
        if shape is None:
            self.data_label.setText("No data: choose the widths below, or a CSV.")
        else:
            self.data_label.setText(f"{shape.source} — {shape.features} feature"
                                    f"{'s' if shape.features != 1 else ''}, {shape.target} "
                                    f"→ {shape.outputs} output{'s' if shape.outputs != 1 else ''}"
                                    f", {shape.loss_op} ({shape.why})")
        columns = shape.columns if shape is not None else ()
        self.target_box.blockSignals(True)
        if [self.target_box.itemText(k) for k in range(self.target_box.count())] != \
                list(columns):
            self.target_box.clear()
            self.target_box.addItems(list(columns))
        if shape is not None and shape.target_column:
            self.target_box.setCurrentText(shape.target_column)
        self.target_box.blockSignals(False)
        self.target_box.setEnabled(self.csv is not None and bool(columns))
        self.task_box.setEnabled(bool(columns))

    def _show_ends(self, shape) -> None:
        for box, value in ((self.inputs, self.spec["inputs"]),
                           (self.outputs, self.spec["outputs"])):
            box.blockSignals(True)
            box.setValue(int(value))
            box.blockSignals(False)
        self.loss_box.blockSignals(True)
        self.loss_box.setCurrentText(self.spec["loss"])
        self.loss_box.blockSignals(False)
        decided = shape is not None
        why = "set by the data (Fit the network to the data applies it)" if decided else ""
        for box in (self.inputs, self.outputs, self.loss_box):
            box.setEnabled(not decided)
            box.setToolTip(why)

    # ------------------------------------------------------------ the layer rows
    def _build_rows(self) -> None:
        kept = (self.inputs, self.outputs, self.loss_box, self.add_layer_button)
        while self.grid.count():
            widget = self.grid.takeAt(0).widget()
            if widget is not None and widget not in kept:
                widget.hide()
                widget.setParent(None)
                widget.deleteLater()
        self.layer_rows = []
        self.grid.addWidget(label_for(QLabel("Inputs"), self.inputs), 0, 0, 1, 2)
        self.grid.addWidget(self.inputs, 0, 2)
        hidden = QLabel("Hidden layers: units and activation" if self.spec["hidden"] else
                        "No hidden layer", objectName="muted")
        self.grid.addWidget(hidden, 1, 0, 1, 6)
        for k, (units, activation) in enumerate(zip(self.spec["hidden"],
                                                    self.spec["activations"]), start=1):
            self.layer_rows.append(self._layer_row(k, units, activation))
        row = len(self.layer_rows) + 2
        self.grid.addWidget(self.add_layer_button, row, 0, 1, 6)
        self.grid.addWidget(label_for(QLabel("Outputs"), self.outputs), row + 1, 0, 1, 2)
        self.grid.addWidget(self.outputs, row + 1, 2)
        self.grid.addWidget(label_for(QLabel("loss", objectName="muted"), self.loss_box),
                            row + 1, 3)
        self.grid.addWidget(self.loss_box, row + 1, 4, 1, 2)

    def _layer_row(self, k: int, units: int, activation: str) -> dict:
        minus, plus = QToolButton(), QToolButton()
        minus.setText("−")
        plus.setText("+")
        minus.setToolTip(f"One unit fewer in hidden layer {k} (its last)")
        plus.setToolTip(f"One more unit in hidden layer {k}")
        spin = self._spin(f"builder_units_{k}", 1)
        spin.setValue(units)
        spin.setToolTip(f"Units of hidden layer {k}")
        box = self._compact(QComboBox(objectName=f"builder_activation_{k}"))
        box.addItems(list(self.model.ACTIVATIONS))
        box.setCurrentText(activation)
        remove = QToolButton()
        remove.setText("✕")
        remove.setToolTip(f"Remove hidden layer {k}")
        for widget, name in ((minus, "minus"), (plus, "plus"), (remove, "remove")):
            widget.setObjectName(f"builder_{name}_{k}")
            widget.setFixedWidth(24)
            widget.setAccessibleName(widget.toolTip())     # not "−", "+" or "✕"
        spin.setAccessibleName(f"Units of hidden layer {k}")
        box.setAccessibleName(f"Activation of hidden layer {k}")
        minus.clicked.connect(lambda: self.change_units(k, -1))
        plus.clicked.connect(lambda: self.change_units(k, +1))
        spin.editingFinished.connect(lambda: self.set_units(k, spin.value()))
        box.currentTextChanged.connect(lambda text: self.set_activation(k, text))
        remove.clicked.connect(lambda: self.remove_layer(k))
        label = label_for(QLabel(f"{k}"), box)
        label.setToolTip(f"Hidden layer {k}: its units and activation")
        for column, widget in enumerate((label, minus, spin, plus, box, remove)):
            self.grid.addWidget(widget, k + 1, column)
        return {"minus": minus, "plus": plus, "units": spin, "activation": box,
                "remove": remove}

    # ------------------------------------------------------------ edits
    def _push(self, make) -> bool:
        """Push the change `make()` returns as one undo step; a refusal is shown."""
        try:
            change = make()
        except ValueError as error:
            self._show_error(str(error))
            return False
        self.error.hide()
        self.undo_stack.push(commands.ChangeNetwork(self.model, change))
        self.refresh()
        return True

    def _show_error(self, text: str) -> None:
        self.error.setText(f"⚠ {text}")
        self.error.show()

    def _edit(self, action: str, text: str, **arguments) -> bool:
        return self._push(lambda: self.model.network_change(action, text, **arguments))

    def change_units(self, k: int, step: int) -> bool:
        if self.network is None:
            return self.set_units(k, self.spec["hidden"][k - 1] + step)
        action = "add_unit" if step > 0 else "remove_unit"
        return self._edit(action, f"{'Add a unit to' if step > 0 else 'Remove a unit from'} "
                                  f"hidden layer {k}", layer=k)

    def set_units(self, k: int, units: int) -> bool:
        if self.network is None:
            if units >= 1:
                self.spec["hidden"][k - 1] = units
                self._signature = None
                self.refresh()
            return units >= 1
        if units == self.network.layers[k - 1].fan_out:
            return False
        return self._edit("set_units", f"Hidden layer {k}: {units} units", layer=k,
                          units=units)

    def set_activation(self, k: int, activation: str) -> bool:
        if self.network is None:
            self.spec["activations"][k - 1] = activation
            return True
        if activation == self.network.layers[k - 1].activation:
            return False
        return self._edit("set_activation", f"Hidden layer {k}: {activation}", layer=k,
                          activation=activation)

    def remove_layer(self, k: int) -> bool:
        if self.network is None:
            del self.spec["hidden"][k - 1], self.spec["activations"][k - 1]
            self.refresh()
            return True
        return self._edit("remove_layer", f"Remove hidden layer {k}", layer=k) and \
            self._laid_out()

    def add_layer(self) -> bool:
        if self.network is None:
            self.spec["hidden"].append(self.spec["hidden"][-1] if self.spec["hidden"] else 8)
            self.spec["activations"].append(self.spec["activations"][-1]
                                            if self.spec["activations"] else "tanh")
            self.refresh()
            return True
        activation = self.network.hidden[-1].activation if self.network.hidden else "tanh"
        return self._edit("add_layer", "Add a hidden layer", activation=activation or "tanh") \
            and self._laid_out()

    def _laid_out(self) -> bool:
        self.laid_out.emit()
        return True

    def _ends_changed(self, *_args) -> None:
        inputs, outputs, loss = self.inputs.value(), self.outputs.value(), \
            self.loss_box.currentText()
        if self.network is None:
            self.spec.update(inputs=inputs, outputs=outputs, loss=loss)
            return
        network = self.network
        if (inputs, outputs, loss) != (network.inputs, network.outputs, network.loss_op):
            self._push(lambda: self.model.resize_change(inputs, outputs, loss))

    def _target_changed(self, _text: str) -> None:
        self.refresh()

    def _task_changed(self, _index: int) -> None:
        self.task = self.task_box.currentData()
        self.refresh()

    # ------------------------------------------------------------ data
    def choose_csv(self, path: str | None = None) -> bool:
        """Read a CSV (a file dialog when `path` is None) for the widths and the loss."""
        if path is None:
            start = str(self._folder() or Path.home())
            path, _ = QFileDialog.getOpenFileName(self, "A CSV for the network", start,
                                                  "CSV files (*.csv *.tsv *.txt);;All files (*)")
            if not path:
                return False
        return self.use_csv({"csv": str(Path(path).resolve())})

    def use_csv(self, section: dict) -> bool:
        """Take the widths from the CSV of a data `section` (the CSV dialog hands its own)."""
        try:
            self.csv = self.model.data_shape(dict(section), self.task)
        except ValueError as error:
            self._show_error(str(error))
            return False
        self.error.hide()
        self.target_box.clear()
        self.refresh()
        return True

    def fit_to_data(self) -> bool:
        """Adapt the network's inputs and outputs to the data (one undo step)."""
        network, shape = self.network, self.data_shape()
        if network is None or shape is None:
            return False
        if shape.section is not None and shape.section.get("csv"):
            section = {**shape.section, "target": shape.target_column,
                       "features": network.features, "targets": network.targets}
            section.setdefault("test_fraction", TEST_FRACTION)
            section.setdefault("standardize", True)
            adaptation = None
            try:
                adaptation = self.model.csv_adaptation(section, self._folder())
            except ValueError as error:
                self._show_error(str(error))
                return False
            if adaptation.change is None:
                self._show_error(adaptation.reason or "the network fits the data already")
                return False
            return self._push(lambda: adaptation.change)
        return self._push(lambda: self.model.resize_change(shape.features, shape.outputs,
                                                           shape.loss_op))

    def build(self) -> bool:
        """A fresh network of the widths shown, in place of the document's graph."""
        spec, shape = self.spec, self.data_shape()
        csv = None
        if shape is not None and shape.section is not None and shape.section.get("csv") \
                and (self.csv is not None or self.network is None):
            csv = {"csv": shape.section["csv"], "target": shape.target_column,
                   "task": self.task, "test_fraction": shape.section.get("test_fraction",
                                                                         TEST_FRACTION)}
        inputs, outputs, loss = (shape.features, shape.outputs, shape.loss_op) \
            if shape is not None else (spec["inputs"], spec["outputs"], spec["loss"])
        ok = self._push(lambda: self.model.built_network_change(
            inputs, outputs, loss, spec["hidden"], spec["activations"], 0, csv))
        if ok:
            self.csv = None
            self.message.emit(f"Built {self.model.network_summary()}")
            self.refresh()
            self.laid_out.emit()
        return ok
