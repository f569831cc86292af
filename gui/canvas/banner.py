"""A slim banner across the top of the canvas: why there are no gradients, in one line.

It shows only when the graph computes values but the loss cannot be differentiated because
something is broken (``log`` of a negative number upstream of the loss, a loss that is not a
scalar) — not while the graph is still being built, where the amber nodes already say what is
missing. The nodes upstream of the failure keep their values; the banner says why their
gradients are gone.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from engine import Kind
from gui.theme import colors

# graph-level problems that stop gradients whatever the user is building
ALWAYS = frozenset({Kind.LOSS_SHAPE, Kind.NONFINITE, Kind.OP_FAILED, Kind.INTERNAL})
HEIGHT = 26


def banner_text(model) -> str:
    """The banner's sentence for the model's last re-run, or ``""`` for none."""
    problem = model.status_problem
    if problem is None or model.grads:
        return ""
    if problem.kind is Kind.BLOCKED:
        if all(p.unfinished for p in model.problems.values()):
            return ""          # still being built: the dashed amber nodes say what is missing
    elif problem.kind not in ALWAYS:
        return ""
    message = problem.message
    return message[:1].upper() + message[1:]


class CanvasBanner(QLabel):
    """The banner, a child of the view's viewport; it follows ``results_changed``."""

    def __init__(self, view):
        super().__init__(view.viewport())
        self.view = view
        self.setObjectName("canvasBanner")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        c = colors.active()
        self.setStyleSheet(f"QLabel#canvasBanner {{ background: {colors.rgba_css(c.banner_fill)}; "
                           f"color: {c.banner_text}; border-bottom: 1px solid {c.node_error}; "
                           "padding: 0 12px; font-weight: 600; }")
        self.full_text = ""
        self.hide()
        view.model.results_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        self.full_text = banner_text(self.view.model)
        self.setToolTip(self.full_text)
        self.place()
        self.setVisible(bool(self.full_text))

    def place(self) -> None:
        """Across the top of the viewport, the sentence elided to fit."""
        width = self.view.viewport().width()
        self.setGeometry(0, 0, width, HEIGHT)
        room = max(0, width - 26)
        self.setText(self.fontMetrics().elidedText(f"⚠ {self.full_text}",
                                                   Qt.TextElideMode.ElideRight, room))
