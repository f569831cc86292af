"""Renaming on the canvas: double-click a node's header and type.

A line edit over the header, in the header's font at the current zoom. Enter commits the new
name as one undo step (``RenameNode``), Escape cancels, leaving the field commits. A name the
rules refuse (``gui/model/naming.py``) is not applied: the status bar says why, and after Enter the
field stays open with a red border so the name can be fixed.
"""
from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLineEdit

from gui.model import commands
from gui.model.naming import rename_problem
from gui.canvas import style


class HeaderRenameEditor(QLineEdit):
    """One per view; ``start(item)`` opens it over ``item``'s header."""

    refused = Signal(str)

    def __init__(self, view):
        super().__init__(view.viewport())
        self.view = view
        self.node_id: str | None = None
        self.setObjectName("headerRename")
        self.setFrame(False)
        self.hide()
        view.model.node_removed.connect(self._on_removed)
        view.model.graph_reset.connect(self.cancel)

    @property
    def active(self) -> bool:
        return self.node_id is not None

    def start(self, item) -> None:
        """Open over ``item``'s header with its id selected."""
        self.node_id = item.node_id
        self.setAccessibleName(f"New name for {item.node_id}: Enter renames, Esc cancels")
        self.setText(item.node_id)
        self.selectAll()
        self._mark(False)
        self.place(item)
        self.show()
        self.raise_()
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    def place(self, item) -> None:
        """Cover the header of ``item`` at the view's current zoom."""
        header = item.mapRectToScene(QRectF(0, 0, style.NODE_W, style.HEADER_H))
        rect = self.view.mapFromScene(header).boundingRect()
        scale = self.view.transform().m11()
        font = QFont(style.FONT_ID)
        font.setPointSizeF(max(8.0, style.FONT_ID.pointSizeF() * scale))
        self.setFont(font)
        height = max(rect.height(), self.fontMetrics().height() + 6)
        self.setGeometry(rect.x(), rect.y() + (rect.height() - height) // 2,
                         max(rect.width(), 120), height)

    def commit(self) -> bool:
        """Apply the typed name (True), or say why not and keep the field open (False)."""
        if not self.active:
            return True
        old, new = self.node_id, self.text().strip()
        if new == old:
            self.cancel()
            return True
        problem = rename_problem(self.view.model, old, new)
        if problem is not None:
            self.refused.emit(f"Cannot rename '{old}': {problem}")
            self._mark(True)
            return False
        self._close()
        self.view.undo_stack.push(commands.RenameNode(self.view.model, old, new))
        return True

    def cancel(self) -> None:
        if self.active:
            self._close()

    def _close(self) -> None:
        self.node_id = None
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)    # first: else Qt moves the
        self.hide()                                             # focus to the next control

    def _mark(self, invalid: bool) -> None:
        self.setProperty("invalid", invalid)
        self.style().unpolish(self)
        self.style().polish(self)

    def _on_removed(self, node_id: str) -> None:
        if node_id == self.node_id:
            self.cancel()

    # -- keys and focus ---------------------------------------------------------------------
    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.commit()
            event.accept()
            return
        if event.key() == Qt.Key.Key_Escape:
            self.cancel()
            event.accept()
            return
        super().keyPressEvent(event)
        if self.property("invalid"):
            self._mark(False)

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        if self.active and not self.commit():
            self.cancel()           # leaving with a refused name: the old one stays
