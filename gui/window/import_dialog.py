"""File ▸ Import PyTorch Model…: a small ``nn.Module`` from a Python file, as a new document.

The dialog asks for the file, the class (listed from the file without running it), one input
shape per argument of ``forward``, the loss, an optional weights file and the seed. It says,
before anything runs, that importing runs the file's code. Import starts ``main.py import`` in
another process (QProcess: PyTorch takes seconds to start, the user's code may never return,
and neither may block or touch the app); the dialog shows it working and Cancel stops it.

On success the graph opens as a new, unsaved document named after the class, laid out by
layers, and the status bar says what was imported (nodes, parameters, weights and the largest
difference from PyTorch). It is unsaved on purpose: nothing is written where the user did not
ask (the process writes to a temporary folder, removed at once), and Save asks where, as for an
example. A refusal keeps the dialog open with its one line, every field as it was, and the
open document untouched. Without PyTorch the dialog says to run ``make torch``.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QProcess, Qt, QTimer
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QProgressBar, QPushButton,
                               QSpinBox, QVBoxLayout, QWidget)

from gui import theme
from gui.formatting import fmt_number
from gui.model import files, pytorch_import as torch_import
from gui.window.import_memory import ImportMemory

MODELS_DIR = files.ROOT / "resources" / "models"
MESSAGE_MS = 30000                   # the status bar keeps the import's summary this long
DEFAULT_BATCH = 8
LOSS_TEXTS = {
    "ce": "ce: softmax cross-entropy on the output as logits (classes)",
    "bce": "bce: sigmoid binary cross-entropy on the output as logits (0/1)",
    "mse": "mse: mean squared error against a target (numbers)",
    "none": "none: the output is the loss (it must hold one number)",
}
FIELD_NAMES = {"--input-shape": "input shape", "--loss": "loss", "--weights": "weights",
               "--seed": "seed", "--class": "class"}
TRUST_TEXT = ("<b>Importing runs this file's Python code</b>, as <code>python MODEL.py</code> "
              "would (its <code>if __name__ == \"__main__\":</code> block excepted): import "
              "only files you trust. A weights file is read as tensors only and never runs "
              "code.")


class ImportDialog(QDialog):
    """The import's settings, the running process and its outcome (see the module doc)."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.setWindowTitle("Import PyTorch Model")
        self.setObjectName("import_dialog")
        self.process: QProcess | None = None
        self.out_dir: str | None = None
        self.cancelled = False
        self.classes: list = []
        self.shape_edits: dict[str, QLineEdit] = {}
        self.memory = ImportMemory(window.settings)
        self.torch = torch_import.torch_installed()
        self._build()
        self.clock = QElapsedTimer()
        self.ticker = QTimer(self, interval=500)
        self.ticker.timeout.connect(self._show_progress)
        self._reload = QTimer(self, singleShot=True, interval=150)
        self._reload.timeout.connect(self.load_classes)
        self.file_edit.textChanged.connect(self._reload.start)
        self.class_box.currentIndexChanged.connect(self.class_changed)
        last = self.memory.last_file()
        if last is not None:
            self.file_edit.setText(str(last))
            self.load_classes()
        else:
            self.class_changed()
        self.idle()

    def _build(self) -> None:
        """The warning, the fields, the message line, the busy bar and the buttons."""
        self.trust = QLabel(TRUST_TEXT, objectName="import_trust", wordWrap=True)
        self.trust.setStyleSheet(f"border: 1px solid {theme.INCOMPLETE}; border-radius: 5px; "
                                 "padding: 8px;")
        self.file_edit = QLineEdit(objectName="import_file")
        self.file_edit.setPlaceholderText("path/to/model.py")
        self.file_edit.setAccessibleName("Model file")
        browse = QPushButton("Browse…", objectName="import_browse")
        browse.setAccessibleName("Browse for the model file")
        browse.clicked.connect(self.browse)
        self.class_box = QComboBox(objectName="import_class")
        self.class_box.setMinimumContentsLength(18)
        self.shapes = QWidget()
        self.shapes_form = QFormLayout(self.shapes)
        self.shapes_form.setContentsMargins(0, 0, 0, 0)
        self.shapes_hint = QLabel(objectName="muted", wordWrap=True)
        self.loss_box = QComboBox(objectName="import_loss")
        for loss in torch_import.LOSSES:
            self.loss_box.addItem(LOSS_TEXTS[loss], loss)
        self.loss_box.setCurrentIndex(self.loss_box.findData("mse"))
        self.weights_edit = QLineEdit(objectName="import_weights")
        self.weights_edit.setPlaceholderText("optional: a state_dict saved with torch.save")
        self.weights_edit.setAccessibleName("Weights file (optional)")
        weights_browse = QPushButton("Browse…")
        weights_browse.setAccessibleName("Browse for a weights file")
        weights_browse.clicked.connect(self.browse_weights)
        self.seed = QSpinBox(objectName="import_seed", minimum=0, maximum=2**31 - 1)
        self.seed.setToolTip("torch.manual_seed before the module is built and the sample "
                             "inputs are drawn")

        form = QFormLayout()
        form.addRow("Model file", _row(self.file_edit, browse))
        form.addRow("Class", self.class_box)
        form.addRow("Input shapes", self.shapes)
        form.addRow("", self.shapes_hint)
        form.addRow("Loss", self.loss_box)
        form.addRow("Weights", _row(self.weights_edit, weights_browse))
        form.addRow("Seed", self.seed)
        self.fields = [self.file_edit, browse, self.class_box, self.shapes, self.loss_box,
                       self.weights_edit, weights_browse, self.seed]

        self.message = QLabel(objectName="import_message", wordWrap=True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress = QProgressBar(objectName="import_progress", minimum=0, maximum=0)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.import_button.setText("Import")
        self.import_button.setObjectName("import_run")
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setObjectName("import_cancel")
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)

        column = QVBoxLayout(self)
        column.addWidget(self.trust)
        column.addLayout(form)
        column.addWidget(self.message)
        column.addWidget(self.progress)
        column.addWidget(self.buttons)
        self.setMinimumWidth(620)

    # ------------------------------------------------------------ the fields
    def browse(self) -> None:
        current = Path(self.file_edit.text()).expanduser()
        start = str(current if current.is_file() else MODELS_DIR)
        path, _ = QFileDialog.getOpenFileName(self, "Import a PyTorch model", start,
                                              "Python files (*.py);;All files (*)")
        if path:
            self.file_edit.setText(path)
            self.load_classes()

    def browse_weights(self) -> None:
        start = self.weights_edit.text() or str(self.model_path().parent)
        path, _ = QFileDialog.getOpenFileName(self, "Weights (a state_dict)", start,
                                              "PyTorch state (*.pt *.pth);;All files (*)")
        if path:
            self.weights_edit.setText(path)

    def model_path(self) -> Path:
        return Path(self.file_edit.text().strip()).expanduser()

    def load_classes(self) -> None:
        """List the file's module classes (the file is read, never run)."""
        self._reload.stop()
        path = self.model_path()
        self.classes = []
        problem = None
        if path.is_file():
            try:
                self.classes = torch_import.model_classes(path)
            except torch_import.ModelFileError as error:
                problem = str(error)
            else:
                if not self.classes:
                    problem = f"{path.name} defines no nn.Module class"
        self.class_box.blockSignals(True)
        self.class_box.clear()
        for model in self.classes:
            self.class_box.addItem(model.name, model)
        wanted = self.memory.of(path).get("class") or getattr(
            torch_import.main_class(self.classes), "name", None)
        if wanted is not None and self.class_box.findText(wanted) >= 0:
            self.class_box.setCurrentIndex(self.class_box.findText(wanted))
        self.class_box.blockSignals(False)
        self.class_changed()
        self.say(problem, error=bool(problem))

    def class_changed(self) -> None:
        """One shape field per argument of the chosen class's ``forward``."""
        while self.shapes_form.rowCount():
            self.shapes_form.removeRow(0)
        self.shape_edits = {}
        model = self.class_box.currentData()
        memory = self.memory.of(self.model_path())
        same_class = model is not None and memory.get("class") == model.name
        names = ([] if model is None else ["inputs"] if model.arguments is None
                 else list(model.arguments))
        for k, name in enumerate(names):
            edit = QLineEdit(objectName=f"import_shape_{name}")
            edit.setPlaceholderText("batch,features, such as 8,2")
            edit.setAccessibleName(f"Input shape of {name}")
            remembered = memory.get("shapes", {}).get(name) if same_class else None
            width = torch_import.first_width(self.model_path(), model.name) \
                if model is not None and k == 0 else None
            edit.setText(remembered or (f"{DEFAULT_BATCH},{width}" if width else ""))
            self.shapes_form.addRow(name, edit)
            self.shape_edits[name] = edit
        if model is None:
            hint = "one field per argument of forward, once the file is chosen"
        elif model.arguments is None:
            hint = (f"{model.name}.forward is not in this file: give one shape per argument "
                    "of forward, separated by ;")
        elif not model.arguments:
            hint = f"{model.name}.forward takes no inputs: there is nothing to import"
        else:
            hint = "sizes separated by commas, batch axis first (one per argument of forward)"
        self.shapes_hint.setText(hint)
        if same_class:
            index = self.loss_box.findData(memory.get("loss"))
            if index >= 0:
                self.loss_box.setCurrentIndex(index)
            self.weights_edit.setText(memory["weights"])
            self.seed.setValue(memory["seed"])

    def settings_problem(self):
        """``(settings, None)`` for the import, or ``(None, one line)`` saying what to fix."""
        path = self.model_path()
        if not self.file_edit.text().strip():
            return None, "Choose the Python file that defines your model."
        if not path.is_file():
            return None, f"{path}: no such file"
        model = self.class_box.currentData()
        if model is None:
            return None, f"{path.name} defines no nn.Module class to import"
        if model.arguments == []:
            return None, f"{model.name}.forward takes no inputs: there is nothing to import"
        shapes = []
        for name, edit in self.shape_edits.items():
            texts = edit.text().split(";") if model.arguments is None else [edit.text()]
            for text in texts:
                shape = parse_shape(text)
                if shape is None:
                    return None, (f"Input shape of {name}: give positive sizes separated by "
                                  "commas, batch axis first, such as 8,2")
                shapes.append(shape)
        weights = self.weights_edit.text().strip() or None
        if weights and not Path(weights).expanduser().is_file():
            return None, f"Weights: {weights}: no such file"
        return {"model": path.resolve(), "class_name": model.name, "shapes": shapes,
                "loss": self.loss_box.currentData(), "seed": self.seed.value(),
                "weights": str(Path(weights).expanduser().resolve()) if weights else None}, None

    # ------------------------------------------------------------ running
    def start(self) -> bool:
        """Run the import in another process; False (and the reason shown) when it cannot."""
        if self.process is not None or not self.torch:
            return False
        settings, problem = self.settings_problem()
        if problem:
            self.say(problem, error=True)
            return False
        self.settings_used = settings
        self.out_dir = tempfile.mkdtemp(prefix="backprop-import-")
        out = Path(self.out_dir) / "imported.json"
        argv = torch_import.import_command(settings["model"], settings["class_name"],
                                           settings["shapes"], out, loss=settings["loss"],
                                           weights=settings["weights"], seed=settings["seed"])
        self.out_path = out
        self.cancelled = False
        self.process = QProcess(self)
        self.process.setProgram(argv[0])
        self.process.setArguments(argv[1:])
        self.process.setWorkingDirectory(str(settings["model"].parent))
        self.process.finished.connect(self._finished)
        self.process.errorOccurred.connect(self._failed_to_start)
        self.running(True)
        self.process.start()
        return True

    def cancel(self) -> None:
        """Stop the running import (its code may be waiting for ever)."""
        if self.process is not None:
            self.cancelled = True
            self.process.kill()

    def _failed_to_start(self, error) -> None:
        if error == QProcess.ProcessError.FailedToStart and self.process is not None:
            message = f"Cannot start the import: {self.process.errorString()}"
            self._done()
            self.say(message, error=True)

    def _finished(self, status: int, exit_status) -> None:
        process = self.process
        if process is None:
            return
        stdout = bytes(process.readAllStandardOutput()).decode("utf-8", "replace")
        stderr = bytes(process.readAllStandardError()).decode("utf-8", "replace")
        crashed = exit_status == QProcess.ExitStatus.CrashExit
        self._done(keep_output=True)
        if self.cancelled:
            self._remove_output()
            self.say("Import cancelled: nothing was imported.")
            return
        if crashed:
            self._remove_output()
            self.say("Not imported: the import process stopped unexpectedly "
                     f"({process.errorString()}).", error=True)
            return
        result = torch_import.read_outcome(status, stdout, stderr)
        if not result.ok:
            self._remove_output()
            self.say(f"Not imported: {in_dialog_words(result.error)}", error=True)
            return
        try:
            graph = torch_import.read_imported(self.out_path)
        except files.DocumentError as error:
            self.say(f"Not imported: the imported graph cannot be read ({error})", error=True)
            return
        finally:
            self._remove_output()
        used = self.settings_used
        self.memory.remember(used["model"], used["class_name"],
                             {n: e.text().strip() for n, e in self.shape_edits.items()},
                             used["loss"], used["weights"], used["seed"])
        open_imported(self.window, graph, self.settings_used, result)
        self.accept()
        self.window.activateWindow()          # the keys go to the canvas: K plays at once
        self.window.canvas.setFocus()

    def _done(self, keep_output: bool = False) -> None:
        if self.process is not None:
            self.process.deleteLater()
        self.process = None
        self.running(False)
        if not keep_output:
            self._remove_output()

    def _remove_output(self) -> None:
        if self.out_dir is not None:
            shutil.rmtree(self.out_dir, ignore_errors=True)
            self.out_dir = None

    # ------------------------------------------------------------ the look
    def running(self, on: bool) -> None:
        for field in self.fields:
            field.setEnabled(not on)
        self.import_button.setEnabled(not on and self.torch)
        self.cancel_button.setToolTip("Stop the import" if on else "")
        self.progress.setVisible(on)
        self.grow()
        if on:
            self.clock.start()
            self.ticker.start()
            self._show_progress()
        else:
            self.ticker.stop()

    def _show_progress(self) -> None:
        seconds = self.clock.elapsed() // 1000
        name = self.settings_used["class_name"]
        self.say(f"Importing {name}: running {self.settings_used['model'].name} and PyTorch, "
                 f"then checking every value and gradient… {seconds} s  (PyTorch takes a few "
                 "seconds to start; Cancel stops it)")

    def idle(self) -> None:
        self.running(False)
        self.say(None)

    def say(self, text: str | None, error: bool = False) -> None:
        """One line under the fields (an error in red); with nothing to say and no PyTorch,
        that it is missing and how to get it."""
        if not text and not self.torch:
            missing = torch_import.TORCH_MISSING
            text, error = missing[:1].upper() + missing[1:] + ".", True
        self.message.setText(text or "")
        self.message.setStyleSheet(f"color: {theme.ERROR if error else theme.MUTED};")
        self.message.setProperty("error", bool(error and text))
        self.grow()

    def grow(self) -> None:
        """As tall as the fields, the message and the progress bar need: a dialog shown
        before them would otherwise squeeze its fields to make room."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        need = (layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth()
                else layout.totalSizeHint().height())
        if need > self.height():
            self.resize(self.width(), need)

    def reject(self) -> None:
        """Cancel: stops a running import (the dialog stays), else closes the dialog."""
        if self.process is not None:
            self.cancel()
            return
        super().reject()

    def done(self, result: int) -> None:
        if self.process is not None:        # closed while running: stop it, leave nothing
            self.cancelled = True
            process = self.process
            process.kill()
            process.waitForFinished(3000)
            self._done()
        super().done(result)


def parse_shape(text: str) -> tuple | None:
    """``"8, 2"`` → (8, 2); None unless every size is a positive whole number."""
    parts = [p.strip() for p in text.split(",")]
    if not parts or not all(p.isdigit() and int(p) > 0 for p in parts):
        return None
    return tuple(int(p) for p in parts)


def in_dialog_words(message: str) -> str:
    """The command line's reason, with its flags named as the dialog's fields."""
    for flag, field in FIELD_NAMES.items():
        message = message.replace(flag, field)
    return message


def summary_text(class_name: str, file_name: str, result) -> str:
    """What was imported, in one line: nodes, parameters, weights, the largest difference
    from PyTorch, and the import's notices."""
    s = result.summary
    parameters, weights = s.get("parameters", 0), s.get("weights", 0)
    text = (f"Imported {class_name} from {file_name}: {s.get('nodes')} nodes, {parameters} "
            f"parameter{'s' if parameters != 1 else ''} ({weights} "
            f"weight{'s' if weights != 1 else ''}); loss and "
            f"gradients equal PyTorch's to within {fmt_number(s.get('max_abs_diff', 0), 2)}")
    if result.notices:
        text += " · " + "; ".join(result.notices)
    return text


def open_imported(window, graph, settings: dict, result) -> None:
    """Make the imported graph the window's document: unsaved, named after the class."""
    window.leave_player()
    window.open_graph(graph, None, f"{settings['class_name']} (imported)")
    window.model.mark_modified()          # not on disk yet: closing asks to save it
    window.show_message(summary_text(settings["class_name"], settings["model"].name, result),
                        MESSAGE_MS)


def open_import_dialog(window) -> ImportDialog | None:
    """File ▸ Import PyTorch Model…: the current document's unsaved changes first (as Open
    does), then the dialog (window-modal, not blocking: ``window.import_dialog``)."""
    if not window.maybe_save():
        return None
    dialog = ImportDialog(window)
    window.import_dialog = dialog
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog


def _row(*widgets) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    for k, widget in enumerate(widgets):
        layout.addWidget(widget, 1 if k == 0 else 0)
    return row
