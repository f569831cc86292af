"""Your own data: a CSV with a preview and a column mapping.

The dialog reads the file as text cells (``GraphModel.read_table``), previews its first rows,
and maps it onto the graph: the target column goes to the targets input node, every other
column to the features input node. It shows how the target will be encoded for the graph's
loss (class labels → one-hot for softmax_ce, 0/1 for sigmoid_bce, numbers for mse), with the
standardise option and the test fraction. Every change is checked by building a Trainer on
it, so a bad file says why in one line (the file, line and column) and OK stays disabled;
nothing in the document changes until OK.

When the CSV's feature or class count differs from the graph's (read from its layers), the
dialog says exactly what differs and, for a layered network, offers to adapt it: the lines
below say what will change (only the parameters touching the input or the output are resized
and drawn afresh), and OK ("Adapt the network and use this data") applies it and the data as
ONE undo step. "Build a network for this data…" closes the dialog with ``BUILD`` (the panel
opens the network builder on the CSV).
"""
from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox,
                               QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout)

from gui import theme
from gui.model import TrainingError, commands
from gui.training.settings import csv_section

PREVIEW_ROWS = 12
CHECK_DELAY_MS = 120
BUILD = 2              # the dialog's result when the network builder is asked for


class CsvDialog(QDialog):
    def __init__(self, session, path: str | None = None, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Train on your own data (CSV)")
        self.setObjectName("csv_dialog")
        self.session, self.model = session, session.model
        self.table = None
        self.problem: str | None = "choose a CSV file"
        current = session.data
        inputs = [n for n in self.model.node_ids() if self.model.node(n).op == "input"]

        self.path_edit = QLineEdit(path or (current.get("csv") or ""))
        self.path_edit.setPlaceholderText("path/to/data.csv")
        self.path_edit.setAccessibleName("CSV file")
        browse = QPushButton("Browse…")
        browse.setAccessibleName("Browse for a CSV file")
        browse.clicked.connect(self.browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)

        self.preview = QTableWidget(0, 0)
        self.preview.setObjectName("csv_preview")
        self.preview.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.preview.verticalHeader().setVisible(False)
        self.preview.setMinimumHeight(200)
        self.preview.setAccessibleName("The CSV's first rows")
        self.rows_label = QLabel(objectName="muted")

        self.target_box = QComboBox()
        self.target_box.setObjectName("csv_target")
        self.features_label = QLabel()
        self.features_label.setWordWrap(True)
        self.features_node = QComboBox()
        self.targets_node = QComboBox()
        for box, key in ((self.features_node, "features"), (self.targets_node, "targets")):
            box.addItems(inputs)
            if current.get(key) in inputs:
                box.setCurrentText(current[key])
        self.classes_label = QLabel()
        self.classes_label.setWordWrap(True)
        self.standardize = QCheckBox("Standardise the features (mean 0, std 1 over the "
                                     "training rows)")
        self.standardize.setChecked(current.get("standardize", True) is not False)
        self.test_fraction = QDoubleSpinBox()
        self.test_fraction.setRange(0.0, 0.9)
        self.test_fraction.setSingleStep(0.05)
        self.test_fraction.setDecimals(2)
        self.test_fraction.setValue(float(current.get("test_fraction") or 0.0)
                                    if current.get("csv") else 0.2)

        form = QFormLayout()
        form.addRow("Target column", self.target_box)
        form.addRow("Features", self.features_label)
        form.addRow("Features go to", self.features_node)
        form.addRow("Target goes to", self.targets_node)
        form.addRow("Target becomes", self.classes_label)
        form.addRow("", self.standardize)
        form.addRow("Test fraction", self.test_fraction)

        self.error_label = QLabel()
        self.error_label.setObjectName("csv_error")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(f"color: {theme.ERROR};")
        self.adapt_label = QLabel()
        self.adapt_label.setObjectName("csv_adapt")
        self.adapt_label.setWordWrap(True)
        self.adapt_label.setTextFormat(Qt.TextFormat.RichText)
        self.adapt_label.hide()
        self.adaptation = None          # the change OK applies when the widths differ
        self.build_section: dict | None = None
        self.build_button = QPushButton("Build a network for this data…")
        self.build_button.setObjectName("csv_build_network")
        self.build_button.setToolTip("Close this dialog and open the network builder with "
                                     "this CSV: inputs, outputs and loss from its columns")
        self.build_button.clicked.connect(self.build_network)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Use this data")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.addButton(self.build_button, QDialogButtonBox.ButtonRole.ActionRole)

        column = QVBoxLayout(self)
        column.addLayout(row)
        column.addWidget(self.preview, 1)
        column.addWidget(self.rows_label)
        column.addLayout(form)
        column.addWidget(self.adapt_label)
        column.addWidget(self.error_label)
        column.addWidget(self.buttons)
        self.resize(720, 620)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(CHECK_DELAY_MS)
        self._timer.timeout.connect(self.check)
        self.path_edit.editingFinished.connect(self.load)
        self.target_box.currentTextChanged.connect(self._changed)
        for box in (self.features_node, self.targets_node):
            box.currentTextChanged.connect(self._changed)
        self.standardize.toggled.connect(self._changed)
        self.test_fraction.valueChanged.connect(self._changed)
        self._wanted_target = current.get("target") if current.get("csv") else None
        self.load()

    # ------------------------------------------------------------ the file
    def browse(self) -> None:
        start = self.path_edit.text() or str(self.session.folder or Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "Open a CSV file", start,
                                              "CSV files (*.csv *.tsv *.txt);;All files (*)")
        if path:
            self.path_edit.setText(path)
            self.load()

    def set_path(self, path: str) -> None:
        """Show `path` (tests and scripts)."""
        self.path_edit.setText(str(path))
        self.load()

    def _path(self) -> Path | None:
        text = self.path_edit.text().strip()
        if not text:
            return None
        path = Path(text).expanduser()
        if not path.is_absolute() and self.session.folder is not None:
            path = Path(self.session.folder) / path
        return path

    def load(self) -> None:
        """Read the file for the preview; a file that cannot be read says why."""
        path = self._path()
        self.table = None
        self.preview.clear()
        self.preview.setRowCount(0)
        self.preview.setColumnCount(0)
        self.rows_label.setText("")
        if path is None:
            self._show_problem("choose a CSV file")
            return
        try:
            self.table = self.model.read_table(path)
        except ValueError as error:
            self._show_problem(str(error))
            self._fill_targets([])
            return
        table = self.table
        self.preview.setColumnCount(table.width)
        self.preview.setHorizontalHeaderLabels(list(table.names))
        shown = table.rows[:PREVIEW_ROWS]
        self.preview.setRowCount(len(shown))
        for r, cells in enumerate(shown):
            for c, cell in enumerate(cells):
                item = QTableWidgetItem(cell)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                      | Qt.AlignmentFlag.AlignVCenter)
                self.preview.setItem(r, c, item)
        self.preview.resizeColumnsToContents()
        more = len(table) - len(shown)
        self.rows_label.setText(f"{len(table)} rows × {table.width} columns"
                                + (f" (first {len(shown)} shown)" if more > 0 else ""))
        self._fill_targets(table.names)
        self._changed()

    def _fill_targets(self, names) -> None:
        wanted = self._wanted_target or self.target_box.currentText()
        self.target_box.blockSignals(True)
        self.target_box.clear()
        self.target_box.addItems(list(names))
        if names:
            self.target_box.setCurrentText(wanted if wanted in names else names[-1])
        self.target_box.blockSignals(False)

    # ------------------------------------------------------------ checking
    def _changed(self, *_args) -> None:
        self.ok_button.setEnabled(False)
        self._describe()
        self._timer.start()

    def _describe(self) -> None:
        table, target = self.table, self.target_box.currentText()
        if table is not None:
            self.preview.setHorizontalHeaderLabels(
                [f"{n} → target" if n == target else n for n in table.names])
            self.preview.resizeColumnsToContents()      # the longer header fits its column
        if table is None or not target:
            self.features_label.setText("")
            self.classes_label.setText("")
            return
        features = [n for n in table.names if n != target]
        node = self.features_node.currentText() or "?"
        self.features_label.setText(f"{', '.join(features)}  ({len(features)} column"
                                    f"{'s' if len(features) != 1 else ''} → {node})")
        self.classes_label.setText(self._encoding(table, target))

    def _encoding(self, table, target: str) -> str:
        loss = self.model.loss_id
        op = self.model.node(loss).op if loss and self.model.has_node(loss) else None
        node = self.targets_node.currentText() or "?"
        if op not in ("softmax_ce", "sigmoid_bce"):
            return f"the numbers of {target!r} → {node} ({op or 'the loss'})"
        try:
            _codes, labels = table.classes(table.column(target))
        except ValueError as error:
            return str(error)
        shown = ", ".join(labels[:8]) + (", …" if len(labels) > 8 else "")
        if op == "softmax_ce":
            return f"{len(labels)} classes: {shown} → one-hot rows for {node} (softmax_ce)"
        if len(labels) == 2:
            return f"2 classes: {labels[0]} → 0, {labels[1]} → 1 for {node} (sigmoid_bce)"
        return f"{len(labels)} classes ({shown}): sigmoid_bce needs exactly 2"

    def section(self) -> dict:
        """The data section this dialog proposes."""
        path = self._path()
        return csv_section(self.session.data, str(path.resolve()) if path else "",
                           self.target_box.currentText() or None,
                           round(self.test_fraction.value(), 4), self.standardize.isChecked(),
                           self.features_node.currentText() or None,
                           self.targets_node.currentText() or None)

    def check(self) -> str | None:
        """Build a Trainer on the proposed data; the problem (shown) or None (OK enabled).
        A width that differs from a layered network's is no problem: OK adapts it."""
        self._timer.stop()
        self._show_adaptation(None)
        if self.table is None:
            self.ok_button.setEnabled(False)
            return self.problem
        section = self.section()
        adaptation = None
        if self.model.network() is not None:
            try:
                adaptation = self.model.csv_adaptation(section, self.session.folder)
            except ValueError:
                adaptation = None       # the Trainer below says what is wrong with the CSV
        if adaptation is not None and adaptation.change is not None:
            self._show_adaptation(adaptation)
            self.problem = None
            self.error_label.setText("")
            self.ok_button.setEnabled(True)
            return None
        try:
            self.model.make_trainer(section, self.session.training, self.session.folder)
        except (TrainingError, ValueError, TypeError) as error:
            reason = adaptation.reason if adaptation is not None else None
            self._show_problem(str(error) + (f" (cannot adapt: {reason})" if reason else ""))
            return self.problem
        self.problem = None
        self.error_label.setText("")
        self.ok_button.setEnabled(True)
        return None

    def _show_adaptation(self, adaptation) -> None:
        """What differs and what adapting changes (None: nothing to adapt)."""
        self.adaptation = adaptation
        self.ok_button.setText("Use this data" if adaptation is None else
                               "Adapt the network and use this data")
        if adaptation is None:
            self.adapt_label.hide()
            return
        lines = "".join(f"<li>{html.escape(line, quote=False)}</li>" for line in adaptation.change.lines)
        self.adapt_label.setText(
            f'<p style="color:{theme.INCOMPLETE}">⚠ {html.escape(adaptation.message, quote=False)}</p>'
            f"<p>The network can be adapted to it: only the parameters that touch the input "
            f"or the output are resized and drawn afresh; the other layers keep their "
            f"weights. One undo step brings the old graph back.</p><ul>{lines}</ul>")
        self.adapt_label.show()

    def build_network(self) -> None:
        """Close with ``BUILD``: the panel opens the network builder on this CSV."""
        path = self._path()
        if path is None or self.table is None:
            return
        self.build_section = self.section()
        self.done(BUILD)

    def _show_problem(self, text: str) -> None:
        self.problem = text
        self.error_label.setText(f"⚠ {text}")
        self.ok_button.setEnabled(False)

    def accept(self) -> None:
        if self.check() is not None:
            return                      # stays open: the message says why
        if self.adaptation is not None:      # the network and the data in one undo step
            self.session.undo_stack.push(commands.ChangeNetwork(self.model,
                                                                self.adaptation.change))
        else:
            self.session.set_data(self.section())
        super().accept()
