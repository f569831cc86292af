"""The empty canvas's hint: how to start, with a button that opens the network builder.

A child of the view's viewport, centred; shown while the document has no node. The button
emits the view's ``build_network_requested`` (the window opens the builder).
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

TEXT = ("An empty graph. Drag ops from the palette, or press Tab on the canvas to search "
        "for one — or build a network of layers for your data:")


class EmptyHint(QWidget):
    def __init__(self, view):
        super().__init__(view.viewport())
        self.view = view
        self.setObjectName("emptyHint")
        label = QLabel(TEXT, objectName="muted", wordWrap=True)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.button = QPushButton("Build a network…")
        self.button.setObjectName("empty_build_network")
        self.button.setToolTip("Open the network builder: layers, widths and activations, "
                               "inputs and outputs from your CSV")
        self.button.clicked.connect(view.build_network_requested)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(10)
        column.addWidget(label)
        column.addWidget(self.button, 0, Qt.AlignmentFlag.AlignHCenter)
        self.setFixedWidth(380)
        view.model.node_added.connect(self.refresh)
        view.model.node_removed.connect(self.refresh)
        view.model.graph_reset.connect(self.refresh)
        self.refresh()

    def refresh(self, *_args) -> None:
        self.setVisible(not self.view.model.node_ids())
        if self.isVisible():
            self.place()

    def place(self) -> None:
        viewport = self.view.viewport()
        self.adjustSize()
        self.move((viewport.width() - self.width()) // 2,
                  (viewport.height() - self.height()) // 2)
