"""The Training panel: data and optimisation settings, Train / Step / Reset / Re-initialise,
and the live plots. Widgets only: the logic is ``TrainingSession`` (gui/training/session.py).

Python API (lessons, tests): ``panel.start(steps=None)``, ``panel.pause()``, ``panel.step()``,
``panel.reset()``, ``panel.reinitialize(seed=None)``, ``panel.metrics()``, ``panel.running``,
``panel.session``.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QDoubleSpinBox, QFrame, QGridLayout,
                               QHBoxLayout, QLabel, QPushButton, QScrollArea, QSpinBox, QVBoxLayout, QWidget)

from gui import theme
from gui.theme import look
from gui.theme.icons import player_icon

from gui.training.boundary_plot import BoundaryPlot
from gui.training.pacing import PlotPacer
from gui.training.panel_widgets import LearningRateBox, PlotGrid, name_fields
from gui.training.plots import AccuracyPlot, GradientPlot, LossPlot
from gui.training.run_view import RunView
from gui.training.session import TrainingSession
from gui.training.settings import builtin_section

CSV_ENTRY = "Your CSV…"
OPTIMIZER_NAMES = {"sgd": "SGD", "momentum": "Momentum", "adam": "Adam"}
CONTROLS_WIDTH = 300
NO_NODE = "(none)"        # an input box with no node chosen


class TrainingPanel(RunView, QWidget):
    message = Signal(str)
    warning = Signal(str)
    node_failed = Signal(str)      # the node that produced a nan / inf: reveal it
    network_requested = Signal(dict)   # the CSV dialog's "Build a network for this data…"

    def __init__(self, model, undo_stack, folder=None, parent=None):
        super().__init__(parent)
        self.setObjectName("training_panel")
        self.session = TrainingSession(model, undo_stack, folder, self)
        self.model = model
        self._loading = False
        self.csv_dialog = None         # the CSV dialog while it is open
        self.loss_plot, self.accuracy_plot = LossPlot(), AccuracyPlot()
        self.gradient_plot, self.boundary_plot = GradientPlot(), BoundaryPlot()
        self.plots = [self.loss_plot, self.accuracy_plot, self.gradient_plot,
                      self.boundary_plot]
        controls = self._build_controls()
        scroll = QScrollArea()
        scroll.setWidget(controls)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)    # it only frames the controls
        self.controls_scroll = scroll
        self._fit_controls()
        look.follow(self, self._fit_controls)
        self.plot_grid = PlotGrid(self.plots)
        self.plot_grid.arranged.connect(self._plots_arranged)
        content = QWidget()
        row = QHBoxLayout(content)
        row.setContentsMargins(4, 2, 4, 2)
        row.setSpacing(8)
        self.content_row = row
        row.addWidget(scroll)
        row.addWidget(self.plot_grid, 1)
        outer = QScrollArea()          # a narrow window scrolls the panel, never grows for it
        outer.setWidget(content)
        outer.setWidgetResizable(True)
        outer.setFrameShape(QFrame.Shape.NoFrame)
        outer.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scroller = outer
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(outer)
        self.setMinimumSize(120, 80)
        self.pacer = PlotPacer(self.plots, self, self._status)
        self._wire()
        self.load_settings()
        self.update_state()
        self.boundary_plot.set_probe(None)

    def _fit_controls(self) -> None:
        """The controls' column at the text size (its width is fixed: the plots get the rest)."""
        width = round(CONTROLS_WIDTH * look.text_scale())
        self.controls_scroll.widget().setFixedWidth(width)
        self.controls_scroll.setFixedWidth(width + 14)

    _shown_once = False

    def showEvent(self, event) -> None:
        """The first time it is shown (the panel is built when first needed, maybe after its
        document was opened), empty plots take their empty ranges at their real size."""
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            if self.session.latest is None:
                self._clear_plots()

    def _plots_arranged(self, cell_width: int) -> None:
        """The plots reflow themselves (PlotGrid); a narrow loss plot drops its "smooth"."""
        self.loss_plot.smooth_word.setVisible(cell_width >= 250)

    def useful_minimum(self) -> tuple[int, int]:
        """The least size at which the controls and one plot of at least MIN_PLOT fit with
        no scroll bar (the window's layout policy collapses the dock below it)."""
        margins, gap = self.content_row.contentsMargins(), self.content_row.spacing()
        grid = self.plot_grid.minimumSizeHint()
        return (margins.left() + self.controls_scroll.width() + gap + grid.width()
                + margins.right(), margins.top() + grid.height() + margins.bottom())

    # ------------------------------------------------------------ the API
    def show_plot(self, name: str) -> None:
        """Bring a plot ("loss", "accuracy", "gradients" or "boundary") in sight: its tab in
        front when the plots share tabs."""
        cards = {"loss": self.loss_plot, "accuracy": self.accuracy_plot,
                 "gradients": self.gradient_plot, "boundary": self.boundary_plot}
        self.plot_grid.show_card(cards[name])

    def start(self, steps: int | None = None) -> bool:
        return self.session.start(steps)

    def pause(self, wait: bool = False) -> None:
        self.session.pause(wait)

    def step(self) -> bool:
        return self.session.step()

    def reset(self) -> bool:
        return self.session.reset()

    def reinitialize(self, seed: int | None = None) -> bool:
        return self.session.reinitialize(seed)

    def metrics(self) -> dict:
        return self.session.metrics()

    @property
    def running(self) -> bool:
        return self.session.running

    # ------------------------------------------------------------ building
    def _build_controls(self) -> QWidget:
        box = QWidget()
        box.setObjectName("training_controls")
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 4, 0)
        column.setSpacing(4)
        buttons = QHBoxLayout()
        buttons.setSpacing(4)
        self.train_button = QPushButton("Train")     # drawn icons: no font lacks them
        self.train_button.setIcon(player_icon("play"))
        self.train_button.setObjectName("train_button")
        self.train_button.setToolTip("Train for the steps below; again to pause, again to "
                                     "resume the same run (Ctrl+T)")
        self.step_button = QPushButton("Step")
        self.step_button.setObjectName("step_button")
        self.step_button.setToolTip("One optimizer step on one batch")
        self.reset_button = QPushButton("Reset")
        self.reset_button.setObjectName("reset_button")
        self.reset_button.setToolTip("Back to the run's initial weights, step 0 (a run is "
                                     "paused first); undo brings the weights back")
        self.reinit_button = QPushButton("Re-init")
        self.reinit_button.setObjectName("reinit_button")
        self.reinit_button.setToolTip("Re-initialise: new initial weights from each "
                                      "parameter's initialiser, with a new seed (a run is "
                                      "paused first); undo brings the weights back")
        self.train_button.setMinimumWidth(84)
        for button in (self.train_button, self.step_button, self.reset_button,
                       self.reinit_button):
            buttons.addWidget(button, 2 if button is self.train_button else 1)
        column.addLayout(buttons)
        self.status_label = QLabel(" ")
        self.status_label.setObjectName("training_status")
        theme.set_font(self.status_label, 8.5, mono=True)
        column.addWidget(self.status_label)
        self.error_label = QLabel()
        self.error_label.setObjectName("training_error")
        self.error_label.setWordWrap(True)
        theme.set_tone(self.error_label, "error")
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()
        column.addWidget(self.error_label)
        data_heading = self._heading("Data")
        column.addWidget(data_heading)
        column.addLayout(self._build_data())
        data_heading.setBuddy(self.dataset_box)       # names the data set box for a reader
        column.addWidget(self._heading("Optimization"))
        column.addLayout(self._build_optimization())
        column.addStretch(1)
        box.setFixedWidth(CONTROLS_WIDTH)
        return box

    @staticmethod
    def _heading(text: str) -> QLabel:
        label = QLabel(text)
        font = label.font()
        font.setBold(True)
        label.setFont(font)
        label.setContentsMargins(0, 4, 0, 0)
        return label

    @staticmethod
    def _grid() -> QGridLayout:
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(3)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        return grid

    @staticmethod
    def _label(text: str) -> QLabel:
        label = QLabel(text)
        label.setObjectName("muted")
        return label

    def _build_data(self) -> QGridLayout:
        grid = self._grid()
        self.dataset_box = QComboBox()
        self.dataset_box.setObjectName("dataset_box")
        for name, description in self.model.DATASETS.items():
            self.dataset_box.addItem(name, name)
            self.dataset_box.setItemData(self.dataset_box.count() - 1, description,
                                         Qt.ItemDataRole.ToolTipRole)
        self.dataset_box.addItem(CSV_ENTRY, "csv")
        self.dataset_box.setToolTip("A built-in data set, or your own CSV")
        self.csv_button = QPushButton("CSV…")
        self.csv_button.setObjectName("csv_button")
        self.csv_button.setToolTip("Train on your own CSV: preview and column mapping")
        self.n_box = QSpinBox()
        self.n_box.setRange(4, 100000)
        self.n_box.setSingleStep(50)
        self.n_box.setToolTip("Rows in the data set")
        self.noise_box = QDoubleSpinBox()
        self.noise_box.setRange(0.0, 5.0)
        self.noise_box.setSingleStep(0.05)
        self.noise_box.setDecimals(3)
        self.data_seed_box = QSpinBox()
        self.data_seed_box.setRange(0, 2 ** 31 - 1)
        self.data_seed_box.setToolTip("Seed that generates the data set")
        self.classes_box = QSpinBox()
        self.classes_box.setRange(2, 10)
        self.classes_box.setToolTip("Spiral arms: one class each")
        self.test_box = QDoubleSpinBox()
        self.test_box.setRange(0.0, 0.9)
        self.test_box.setSingleStep(0.05)
        self.test_box.setDecimals(2)
        self.test_box.setToolTip("Fraction of the rows held out for testing")
        self.csv_label = QLabel()
        self.csv_label.setObjectName("muted")
        self.csv_label.setWordWrap(True)
        self.features_box = QComboBox()
        self.targets_box = QComboBox()
        self.features_box.setToolTip("The input node that receives the feature rows")
        self.targets_box.setToolTip("The input node that receives the target rows")
        self.classes_label = self._label("arms")
        self.classes_label.setBuddy(self.classes_box)
        self.labels = {self.classes_box: self.classes_label}   # a setting's caption
        grid.addWidget(self.dataset_box, 0, 0, 1, 2)
        grid.addWidget(self.classes_label, 0, 2)
        grid.addWidget(self.classes_box, 0, 3)
        grid.addWidget(self.csv_label, 1, 0, 1, 4)
        rows = ((2, (("n", self.n_box), ("noise", self.noise_box))),
                (3, (("seed", self.data_seed_box), ("test", self.test_box))),
                (4, (("x →", self.features_box), ("y →", self.targets_box))))
        self.builtin_rows = []
        for row, pairs in rows:
            for k, (text, widget) in enumerate(pairs):
                label = self._label(text)
                label.setBuddy(widget)
                self.labels[widget] = label
                grid.addWidget(label, row, 2 * k)
                grid.addWidget(widget, row, 2 * k + 1)
                if widget in (self.n_box, self.noise_box, self.data_seed_box):
                    self.builtin_rows += [label, widget]
        grid.addWidget(self.csv_button, 5, 0, 1, 4)
        return grid

    def _build_optimization(self) -> QGridLayout:
        grid = self._grid()
        self.optimizer_box = QComboBox()
        self.optimizer_box.setObjectName("optimizer_box")
        for name in self.model.OPTIMIZERS:
            self.optimizer_box.addItem(OPTIMIZER_NAMES.get(name, name), name)
        self.optimizer_box.setToolTip("Changes apply at once, also while training")
        self.lr_box = LearningRateBox()
        self.lr_box.setObjectName("lr_box")
        self.lr_box.setToolTip("Learning rate (arrows: ×2 / ÷2); changes apply at once, "
                               "also while training")
        self.batch_box = QSpinBox()
        self.batch_box.setRange(0, 1000000)
        self.batch_box.setSpecialValueText("all")
        self.batch_box.setToolTip("Rows per step (all: the whole training set)")
        self.steps_box = QSpinBox()
        self.steps_box.setRange(1, 10000000)
        self.steps_box.setSingleStep(100)
        self.steps_box.setToolTip("Steps per run: Train runs this many, pausing keeps the run")
        self.seed_box = QSpinBox()
        self.seed_box.setRange(0, 2 ** 31 - 1)
        self.seed_box.setToolTip("Seed of the minibatch order and the test split")
        rows = ((("method", self.optimizer_box), ("lr", self.lr_box)),
                (("batch", self.batch_box), ("steps", self.steps_box)),
                (("seed", self.seed_box),))
        for r, pairs in enumerate(rows):
            for k, (text, widget) in enumerate(pairs):
                label = self._label(text)
                label.setBuddy(widget)
                self.labels[widget] = label
                grid.addWidget(label, r, 2 * k)
                grid.addWidget(widget, r, 2 * k + 1)
        name_fields(self)
        return grid

    def _wire(self) -> None:
        s = self.session
        self.train_button.clicked.connect(self._train_clicked)
        self.step_button.clicked.connect(lambda: self.session.step())
        self.reset_button.clicked.connect(lambda: self.session.reset())
        self.reinit_button.clicked.connect(lambda: self.session.reinitialize())
        self.csv_button.clicked.connect(self.open_csv_dialog)
        self.dataset_box.activated.connect(self._dataset_chosen)
        for box in (self.n_box, self.data_seed_box, self.classes_box, self.noise_box,
                    self.test_box):
            box.setKeyboardTracking(False)    # typing "3000" is one new data set, not four
            box.valueChanged.connect(self._data_edited)
        for box in (self.features_box, self.targets_box):
            box.activated.connect(self._data_edited)
        self.optimizer_box.activated.connect(self._training_edited)
        self.lr_box.valueChanged.connect(self._training_edited)
        for box in (self.batch_box, self.steps_box, self.seed_box):
            box.valueChanged.connect(self._training_edited)
        s.snapshot.connect(self._on_snapshot)
        s.trainer_changed.connect(self._on_trainer)
        s.history_cleared.connect(self._clear_plots)
        s.history_moved.connect(self._show_history)
        s.state_changed.connect(self.update_state)
        s.settings_changed.connect(self.load_settings)
        s.failed.connect(self._on_failed)
        s.message.connect(self.message)
        s.about_to_start.connect(self._clear_error)
        self.model.graph_reset.connect(self._clear_error)     # another document, or New
        self.model.edits_settled.connect(self._fill_inputs)   # once per burst of edits

    # ------------------------------------------------------------ settings ↔ widgets
    def load_settings(self) -> None:
        """Show the session's settings (the document's sections)."""
        data, training = self.session.data, self.session.training
        self._loading = True
        try:
            csv = data.get("csv")
            index = self.dataset_box.findData("csv" if csv else data.get("dataset", "xor"))
            self.dataset_box.setCurrentIndex(max(index, 0))
            self.n_box.setValue(int(data.get("n", 200)))
            self.noise_box.setValue(float(data.get("noise", 0.1)))
            self.data_seed_box.setValue(int(data.get("seed", 0)))
            self.classes_box.setValue(int(data.get("classes", 3)))
            self.test_box.setValue(float(data.get("test_fraction") or 0.0))
            self._fill_inputs()
            opt = self.optimizer_box.findData(training.get("optimizer", "adam"))
            self.optimizer_box.setCurrentIndex(max(opt, 0))
            self.lr_box.setValue(float(training.get("lr", 0.05)))
            self.batch_box.setValue(int(training.get("batch_size") or 0))
            self.steps_box.setValue(max(1, int(training.get("steps") or 1)))
            self.seed_box.setValue(int(training.get("seed") or 0))
        except (TypeError, ValueError):
            pass                      # a hand-edited file: the Trainer will say what is wrong
        finally:
            self._loading = False
        self._show_data_kind()

    def _fill_inputs(self) -> None:
        """The input nodes to choose from; a role the data section leaves open is guessed
        (targets: another input than the features) or shown as "(none)"."""
        inputs = self.model.ids_of_op("input")
        self.session.guess_missing_nodes()
        data = self.session.data
        loading, self._loading = self._loading, True
        for box, key in ((self.features_box, "features"), (self.targets_box, "targets")):
            box.clear()
            box.addItems(inputs)
            if data.get(key) in inputs:
                box.setCurrentText(data[key])
            elif data.get(key):
                box.addItem(f"{data[key]} (missing)", data[key])
                box.setCurrentIndex(box.count() - 1)
            else:
                box.addItem(NO_NODE, "")
                box.setCurrentIndex(box.count() - 1)
        self._loading = loading

    def _show_data_kind(self) -> None:
        data = self.session.data
        csv = data.get("csv")
        for widget in self.builtin_rows:
            widget.setVisible(not csv)
        spiral = not csv and data.get("dataset") == "spiral"
        self.classes_box.setVisible(spiral)
        self.classes_label.setVisible(spiral)
        self.csv_label.setVisible(bool(csv))
        self.csv_button.setText("Change CSV…" if csv else "Your own CSV…")
        if csv:
            from pathlib import Path
            target = data.get("target") or "the last column"
            self.csv_label.setText(f"{Path(csv).name}: target {target}")
            self.csv_label.setToolTip(str(csv))

    def _node_text(self, box: QComboBox) -> str:
        data = box.currentData()
        return data if data is not None else box.currentText()

    def _data_edited(self, *_args) -> None:
        if self._loading:
            return
        data = dict(self.session.data)
        data["features"] = self._node_text(self.features_box) or data.get("features")
        data["targets"] = self._node_text(self.targets_box) or data.get("targets")
        fraction = round(self.test_box.value(), 4)
        if data.get("csv"):
            if fraction != float(data.get("test_fraction") or 0):
                data.pop("labels", None)
                if isinstance(data.get("standardize"), dict):
                    data["standardize"] = True     # a new split: measured afresh
            data["test_fraction"] = fraction
            if not fraction:
                data.pop("test_fraction")
        else:
            options = {"n": self.n_box.value(), "noise": round(self.noise_box.value(), 6),
                       "seed": self.data_seed_box.value(), "test_fraction": fraction}
            if data.get("dataset") == "spiral":
                options["classes"] = self.classes_box.value()
            data = builtin_section(data, data.get("dataset", "xor"), **options)
        self.session.set_data(data)
        self._show_data_kind()

    def _dataset_chosen(self, index: int) -> None:
        name = self.dataset_box.itemData(index)
        if name == "csv":
            if not self.open_csv_dialog():
                self.load_settings()      # cancelled: back to what the document says
            return
        data = builtin_section(self.session.data, name,
                               test_fraction=round(self.test_box.value(), 4))
        self.session.set_data(data)
        self.load_settings()

    def open_csv_dialog(self, path: str | None = None) -> bool:
        from gui.training.csv_dialog import BUILD, CsvDialog
        dialog = CsvDialog(self.session, path, self.window())
        self.csv_dialog = dialog
        result = dialog.exec()
        self.csv_dialog = None
        if result:
            self.load_settings()
        if result == BUILD:                  # the builder takes the CSV from here
            self.network_requested.emit(dialog.build_section)
        return result == QDialog.DialogCode.Accepted

    def _training_edited(self, *_args) -> None:
        if self._loading:
            return
        self.session.set_training(optimizer=self.optimizer_box.currentData(),
                                  lr=float(f"{self.lr_box.value():.6g}"),
                                  batch_size=self.batch_box.value(),
                                  steps=self.steps_box.value(), seed=self.seed_box.value())

    def _on_failed(self, message: str, node: str) -> None:
        self.error_label.setText(f"⚠ {message}")
        self.error_label.show()
        self.warning.emit(message)
        if node:
            self.node_failed.emit(node)

    def _clear_error(self) -> None:
        self.error_label.hide()
        self.error_label.setText("")
