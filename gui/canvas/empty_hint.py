"""What an empty canvas says: how to start building, with buttons into the builder and more.

One card, a child of the view's viewport, centred; shown while the document has no node, gone
with the first one. Clicks outside its buttons reach the canvas. "Build a network…" emits the
view's ``build_network_requested`` (the window opens the builder); rooms above the canvas add
their own way in with ``add_button`` (the lessons add "New here? Take a lesson ▸").
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from gui.theme import colors

TEXT = ("Drag an op from the palette, or press <b>Tab</b> here to search for one. "
        "Open an example (<i>File ▸ Examples</i>), or build a network of layers for your data.")


class EmptyHint(QFrame):
    def __init__(self, view):
        super().__init__(view.viewport())
        self.view = view
        self.setObjectName("empty_canvas_hint")
        c = colors.active()
        self.setStyleSheet(f"QFrame#empty_canvas_hint {{ background: "
                           f"{colors.rgba_css(c.overlay_fill)}; border: 1px solid "
                           f"{colors.rgba_css(c.overlay_border)}; border-radius: 8px; }}"
                           "QFrame#empty_canvas_hint QLabel { background: transparent; "
                           "border: none; }")
        heading = QLabel("An empty graph", objectName="heading")
        text = QLabel(TEXT, wordWrap=True, textFormat=Qt.TextFormat.RichText)
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.button = QPushButton("Build a network…", objectName="empty_build_network")
        self.button.setToolTip("Open the network builder: layers, widths and activations, "
                               "inputs and outputs from your CSV")
        self.button.clicked.connect(view.build_network_requested)
        self.buttons = QHBoxLayout()
        self.buttons.setSpacing(8)
        self.buttons.addStretch(1)
        self.buttons.addWidget(self.button)
        self.buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(8)
        layout.addWidget(heading, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(text)
        layout.addLayout(self.buttons)
        self.setFixedWidth(400)
        model = view.model
        for signal in (model.node_added, model.node_removed, model.graph_reset):
            signal.connect(self.refresh)
        self.refresh()

    def add_button(self, text: str, name: str, tooltip: str, slot) -> QPushButton:
        """A further way in, after the builder's button."""
        button = QPushButton(text, objectName=name)
        button.setToolTip(tooltip)
        button.clicked.connect(slot)
        self.buttons.insertWidget(self.buttons.count() - 1, button)
        self.refresh()
        return button

    def refresh(self, *_args) -> None:
        empty = not self.view.model.node_ids()
        self.setVisible(empty)
        if empty:
            self.place()

    def place(self) -> None:
        viewport = self.view.viewport()
        self.adjustSize()
        self.move((viewport.width() - self.width()) // 2,
                  (viewport.height() - self.height()) // 2)
