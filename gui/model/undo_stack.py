"""The document's undo stack: a QUndoStack that first settles work in progress.

``UndoStack.undo()`` / ``redo()`` / ``setIndex()`` call every *settler* first (``add_settler``):
a training run going on is paused there, so the run so far becomes its own undo step before
the history moves (the undo then undoes that run). While such work goes on, ``pending`` names
it ("the run so far"): the window's Undo action stays enabled and says what it will undo.
Call ``undo()`` / ``redo()`` on this object (the window's actions do): ``createUndoAction``
would reach QUndoStack's C++ slots and skip the settlers.
"""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QUndoStack


class UndoStack(QUndoStack):
    pending_changed = Signal()      # ``pending`` changed (a run started or ended)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._settlers: list = []
        self._pending: dict = {}     # owner -> text of the work in progress

    def add_settler(self, settle) -> None:
        """`settle()` runs before every move of the history (it may push a command)."""
        self._settlers.append(settle)

    def remove_settler(self, settle) -> None:
        if settle in self._settlers:
            self._settlers.remove(settle)

    def set_pending(self, owner, text: str | None) -> None:
        """Work in progress of `owner` that an undo would first settle (None: none)."""
        old = dict(self._pending)
        if text is None:
            self._pending.pop(owner, None)
        else:
            self._pending[owner] = text
        if self._pending != old:
            self.pending_changed.emit()

    @property
    def pending(self) -> str | None:
        return next(iter(self._pending.values()), None)

    def settle(self) -> None:
        for settle in list(self._settlers):
            settle()

    def undo(self) -> None:
        self.settle()
        super().undo()

    def redo(self) -> None:
        self.settle()
        super().redo()

    def setIndex(self, index: int) -> None:
        self.settle()
        super().setIndex(index)
