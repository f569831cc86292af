"""Edit ▸ Connect… (Ctrl+E): wire two nodes without a mouse.

From lists the nodes (the selected one first chosen); To lists every input port as
``node.port`` (``u.b``), the first one that would accept From chosen. Both are combo boxes one
can type into. OK wires them as one undo step, through the canvas's controller: a refused
connection says why in the dialog and in the status bar, as a drag does, and the dialog stays
open to choose again.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel,
                               QVBoxLayout)

from shiboken6 import isValid

from gui import accessibility


def port_entries(view) -> list[tuple[str, str, int]]:
    """``(text, node, port)`` for every input port on the canvas, in the document's order."""
    entries = []
    for node_id in view.model.node_ids():
        item = view.graph_scene.nodes.get(node_id)
        if item is None:
            continue
        for port in range(item.arity):
            name = item.port_names[port] if port < len(item.port_names) else str(port)
            entries.append((f"{node_id}.{name}", node_id, port))
    return entries


class ConnectDialog(QDialog):
    def __init__(self, view, source: str | None = None):
        super().__init__(view.window())
        self.setWindowTitle("Connect")
        self.setObjectName("connect_dialog")
        self.view = view
        self.ports = port_entries(view)
        self.source = QComboBox(editable=True)
        self.source.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.source.addItems(view.model.node_ids())
        self.target = QComboBox(editable=True)
        self.target.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.target.addItems([text for text, _node, _port in self.ports])
        self._popups = {}
        for box in (self.source, self.target):
            box.completer().setFilterMode(Qt.MatchFlag.MatchContains)
            box.completer().setCompletionMode(box.completer().CompletionMode.PopupCompletion)
            self._popups[box.completer().popup()] = box
            box.completer().popup().installEventFilter(self)
        self.reason = QLabel(objectName="error", wordWrap=True)
        self.reason.hide()
        form = QFormLayout()
        form.addRow("&From (output of)", self.source)
        form.addRow("&To (node.port)", self.target)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Connect")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.reason)
        layout.addWidget(buttons)
        if source is not None:
            self.source.setCurrentText(source)
        self.source.currentTextChanged.connect(lambda _text: self._choose_target())
        self._choose_target()
        self.source.setFocus()
        self.source.lineEdit().selectAll()

    def eventFilter(self, obj, event) -> bool:
        """While a completion list shows it has the keys: Enter takes the highlighted name
        and connects, Tab takes it and goes on to the next field (the list alone would only
        close on either)."""
        box = self._popups.get(obj)
        if box is not None and event.type() == QEvent.Type.KeyPress and event.key() in (
                Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            index = obj.currentIndex()
            if index.isValid():
                box.setCurrentText(index.data())
            obj.hide()
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.accept()
            else:
                self.focusNextPrevChild(event.key() == Qt.Key.Key_Tab)
            return True
        return super().eventFilter(obj, event)

    def _choose_target(self) -> None:
        """The first input port that would take From (an empty one before an occupied one)."""
        source = self.source.currentText().strip()
        model = self.view.model
        if not model.has_node(source):
            return
        free = [i for i, (_text, node, port) in enumerate(self.ports)
                if model.connect_problem(source, node, port) is None]
        empty = [i for i in free if model.source_of(self.ports[i][1], self.ports[i][2]) is None]
        if empty or free:
            self.target.setCurrentIndex((empty or free)[0])

    def chosen(self) -> tuple[str, str, int] | str:
        """``(source, target, port)`` as typed, or why it is not one."""
        source = self.source.currentText().strip()
        target = self.target.currentText().strip()
        if not self.view.model.has_node(source):
            return f"there is no node {source!r} to connect from" if source else \
                "choose the node to connect from"
        for text, node, port in self.ports:
            if text == target:
                return source, node, port
        node, _dot, port = target.rpartition(".")
        if self.view.model.has_node(node) and port.isdigit():
            return source, node, int(port)
        return f"{target!r} is not an input port: write node.port, e.g. u.b" if target else \
            "choose the input port to connect to"

    def accept(self) -> None:
        choice = self.chosen()
        if isinstance(choice, str):
            self._refuse(choice)
            return
        source, target, port = choice
        model = self.view.model
        problem = model.connect_problem(source, target, port)
        if problem is None and model.source_of(target, port) == source:
            super().accept()            # already wired so: nothing to do
            return
        if not self.view.controller.connect(source, target, port):
            self._refuse(f"Cannot connect {source} → {self.target.currentText()}: {problem}")
            return
        accessibility.announce(f"Connected {source} to {self.target.currentText()}", self)
        super().accept()

    def done(self, result: int) -> None:
        """Closed either way: the keyboard goes back to the canvas, where it came from."""
        for box in (self.source, self.target):      # a completion list left open would
            box.completer().popup().hide()          # take the next keys meant for the canvas
        super().done(result)
        view = self.view
        if isValid(view) and view.isVisible():
            view.window().activateWindow()
            view.setFocus(Qt.FocusReason.OtherFocusReason)

    def _refuse(self, text: str) -> None:
        self.reason.setText(text)
        self.reason.show()
        accessibility.announce(text, self, assertive=True)
