"""What an empty canvas says: how to start building, with a way into the network builder and
(once the window offers them, ``offer_lessons``) into the lessons.

A small panel centred on the viewport while the graph has no nodes; it lets every click outside
its buttons through to the canvas and goes away with the first node. "Build a network…" emits
the view's ``build_network_requested`` (the window opens the builder). The one empty-canvas
hint: a second one under it showed through its translucent panel and hid its button.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout

from gui.theme import colors

TEXT = ("Drag an op from the palette, or press <b>Tab</b> here to search for one. "
        "Or open an example (<i>File ▸ Examples</i>), or build a network of layers for "
        "your data.")


class EmptyCanvasHint(QFrame):
    lessons_requested = Signal()

    def __init__(self, view):
        super().__init__(view)          # of the view: the viewport scrolls its children
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
        self.build_button = QPushButton("Build a network…", objectName="empty_build_network")
        self.build_button.setToolTip("Open the network builder: layers, widths and "
                                     "activations, inputs and outputs from your CSV")
        self.build_button.clicked.connect(view.build_network_requested)
        self.button = QPushButton("New here? Take a lesson ▸", objectName="empty_lessons")
        self.button.setToolTip("Short lessons that walk you through backprop on this app "
                               "(Help ▸ Lessons)")
        self.button.clicked.connect(self.lessons_requested)
        self.button.hide()                 # until the window offers the lessons
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(8)
        layout.addWidget(heading, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(text)
        layout.addWidget(self.build_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignHCenter)
        self.setFixedWidth(340)
        model = view.model
        for signal in (model.node_added, model.node_removed, model.graph_reset):
            signal.connect(self.refresh)
        self._watcher = _Resized(self)
        view.installEventFilter(self._watcher)
        self.refresh()

    def offer_lessons(self) -> None:
        """Show "New here? Take a lesson ▸" (its ``lessons_requested`` is now answered)."""
        self.button.show()
        if not self.isHidden():
            self.place()

    def refresh(self, *_args) -> None:
        empty = not self.view.model.node_ids()
        self.setVisible(empty)
        if empty:
            self.place()

    def place(self) -> None:
        self.adjustSize()
        area = self.view.viewport().geometry()
        self.move(area.x() + (area.width() - self.width()) // 2,
                  area.y() + (area.height() - self.height()) // 2)


class _Resized(QObject):
    def __init__(self, hint):
        super().__init__(hint)
        self.hint = hint

    def eventFilter(self, obj, event) -> bool:
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show) and not self.hint.isHidden():
            self.hint.place()
        return False
