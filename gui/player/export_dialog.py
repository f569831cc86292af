"""File ▸ Export animation…: what `python main.py render` does, from the app.

Choose a folder for the PNG frames, optionally a GIF, the frame size and the granularity; the
frames are rendered from a copy of the document (the canvas and the document are untouched)
one per event-loop turn under a progress dialog that can cancel.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog,
                               QFormLayout, QHBoxLayout, QLineEdit, QMessageBox,
                               QProgressDialog, QPushButton, QSpinBox, QWidget)

from gui.player.render import DEFAULT_SIZE, RenderError, render_animation


class ExportAnimationDialog(QDialog):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.setWindowTitle("Export animation")
        start = window.dialog_dir() / "frames"
        self.folder = QLineEdit(str(start))
        self.folder.setAccessibleName("Frames folder")
        browse = QPushButton("Browse…")
        browse.setAccessibleName("Browse for the frames folder")
        browse.clicked.connect(self._browse)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        self.gif_on = QCheckBox("also write a GIF")
        self.gif_on.setChecked(True)
        self.gif = QLineEdit(str(start.with_name("animation.gif")))
        self.gif.setAccessibleName("GIF file")
        self.gif_on.toggled.connect(self.gif.setEnabled)
        self.width = QSpinBox(minimum=16, maximum=8000, value=DEFAULT_SIZE[0], suffix=" px")
        self.height = QSpinBox(minimum=16, maximum=8000, value=DEFAULT_SIZE[1], suffix=" px")
        self.width.setAccessibleName("Frame width")
        self.height.setAccessibleName("Frame height")
        size_row = QHBoxLayout()
        size_row.addWidget(self.width)
        size_row.addWidget(self.height)
        self.granularity = QComboBox()
        self.granularity.addItem("edge by edge", "edge")
        self.granularity.addItem("node by node", "node")
        self.granularity.setCurrentIndex(self.granularity.findData(window.player.granularity))
        form = QFormLayout(self)
        form.addRow("Frames folder", _wrap(folder_row))
        form.addRow(self.gif_on, self.gif)
        form.addRow("Size (width × height)", _wrap(size_row))
        form.addRow("Backward pass", self.granularity)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        buttons.accepted.connect(self.export)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.frames = 0

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder for the frames",
                                                  self.folder.text())
        if folder:
            self.folder.setText(folder)

    def export(self) -> bool:
        """Render with the chosen settings; True when every frame was written."""
        out = Path(self.folder.text()).expanduser()
        gif = Path(self.gif.text()).expanduser() if self.gif_on.isChecked() else None
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            QMessageBox.warning(self, "Cannot export", f"Cannot create {out}: "
                                                       f"{error.strerror or error}")
            return False
        progress = QProgressDialog("Rendering frames…", "Cancel", 0, 0, self)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)

        def on_frame(k: int, count: int) -> bool:
            progress.setMaximum(count)
            progress.setValue(k + 1)
            return not progress.wasCanceled()

        model = self.window.model.clone(self)
        try:
            self.frames = render_animation(model, out, (self.width.value(), self.height.value()),
                                           self.granularity.currentData(), gif, on_frame)
        except RenderError as error:
            progress.close()
            QMessageBox.warning(self, "Cannot export", str(error))
            return False
        finally:
            model.deleteLater()
        progress.close()
        self.window.show_message(f"Wrote {self.frames} frames to {out}"
                                 + (f" and {gif.name}" if gif is not None else ""))
        self.accept()
        return True


def _wrap(layout) -> QWidget:
    widget = QWidget()
    layout.setContentsMargins(0, 0, 0, 0)
    widget.setLayout(layout)
    return widget
