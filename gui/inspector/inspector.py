"""The inspector: name, op, attrs, value, and the current value and gradient of one node.

Every edit is a QUndoCommand (RenameNode, SetAttr, SetValue) pushed on the window's undo stack,
so Ctrl+Z undoes it. Input is checked before anything is pushed — with the engine's own attr
checks — and refused with a message while the old value stays. The panel follows GraphModel's
signals, so a re-run or an undo updates what it shows. The value and gradient it shows (and
the overview's leaves) are those of the record the canvas shows (``records``, the scene): in
a replay, the step shown; a hidden number is "?".
"""
from __future__ import annotations

import html
import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QScrollArea, QSizePolicy, QVBoxLayout,
                               QWidget)

from gui import theme
from gui.theme import look
from gui.model import commands
from gui.inspector.attr_editing import AttrEditing
from gui.inspector.overview import GraphOverview
from gui.model.naming import rename_problem
from gui.formatting import grad_symbol
from gui.model.node_status import badge_text, error_parts
from gui.inspector.tensor_view import TensorView
from gui.display import current_record, no_gradient_note
from gui.inspector.undo_passthrough import pass_undo_to_window
from gui.inspector.value_field import ValueField


class Inspector(AttrEditing, QWidget):
    """Right-hand panel for the selected node."""

    message = Signal(str)   # feedback for the status bar (re-initialisations)
    refused = Signal(str)   # an edit refused, and why (the status bar shows a warning)
    node_requested = Signal(str)   # "select this node" (a row of the graph overview)
    example_requested = Signal(str)   # "open this example" (links on an empty graph)
    element_clicked = Signal(str, tuple)   # a cell of the node's value or gradient clicked
    escaped = Signal()       # Esc in the inspector: the focus goes back to the canvas

    def __init__(self, model, undo_stack, records=None, parent=None):
        super().__init__(parent)
        self.model = model
        self.undo_stack = undo_stack
        self.records = records      # what the canvas shows: ``.record``, ``.record_shown``
        self._numbers_shown = None  # (node, its NodeDisplay, caption) the results show
        self.node_id: str | None = None
        self.selection: list[str] = []
        self.attr_editors: dict[str, tuple[QWidget, callable]] = {}
        self.value_field: ValueField | None = None
        self._built_op: str | None = None      # the op whose fields the panel shows

        self.scroll = QScrollArea()
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)     # it only frames the fields
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.feedback = QLabel(objectName="error", wordWrap=True)
        self.feedback.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll)
        self.value_view = TensorView("value")
        self.grad_view = TensorView("grad")
        self.marked: tuple | None = None       # (node, index) outlined in the heatmaps
        for view in (self.value_view, self.grad_view):
            view.cell_clicked.connect(
                lambda index: self.node_id and self.element_clicked.emit(self.node_id, index))
        self.overview = GraphOverview(model, records)
        self.overview.node_clicked.connect(self.node_requested)
        self.overview.example_requested.connect(self.example_requested)
        self._build()

        model.node_changed.connect(self._on_node_changed)
        model.node_renamed.connect(self._on_renamed)
        model.node_removed.connect(self._on_removed)
        model.edge_added.connect(self._on_edge)
        model.edge_removed.connect(self._on_edge)
        model.graph_reset.connect(lambda: self.set_selection([]))
        model.results_changed.connect(self.refresh_results)
        look.follow(self, self.restyle)
        if records is not None:
            records.record_shown.connect(self._follow_record)

    # -- public ----------------------------------------------------------------------------
    def set_selection(self, node_ids) -> None:
        node_ids = [n for n in node_ids if self.model.has_node(n)]
        self.selection = list(node_ids)
        new = node_ids[0] if len(node_ids) == 1 else None
        if new != self.node_id or new is None:
            self.node_id = new
            self._build()
        else:
            self._refresh_editors()

    def restyle(self) -> None:
        """A change of theme or text size: what holds colours of its own is drawn again."""
        if self.node_id is not None and self.model.has_node(self.node_id):
            self.badge.setStyleSheet(
                f"background: {theme.category_colour(self.model.node(self.node_id).op_info)};")
            self._refresh_ports()
        self.overview.restyle()
        self.refresh_results()

    def focus_editor(self) -> QWidget | None:
        """Put the focus in the node's value box (else its first setting, else its id): Enter
        on the canvas does. Returns the widget, or None with no node shown."""
        editors = [self.value_edit, *(e for e, _setter in self.attr_editors.values()),
                   getattr(self, "name_edit", None) if self.node_id is not None else None]
        for editor in editors:
            if editor is not None and editor.isVisibleTo(self) and editor.isEnabled():
                editor.setFocus(Qt.FocusReason.ShortcutFocusReason)
                if hasattr(editor, "selectAll"):
                    editor.selectAll()
                self.scroll.ensureWidgetVisible(editor)
                return editor
        return None

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.escaped.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    # -- building ----------------------------------------------------------------------------
    def _build(self) -> None:
        """Rebuild the whole panel for the current node (or the empty state)."""
        self.attr_editors.clear()
        self.value_field = None
        old = self.scroll.takeWidget()
        for view in (self.value_view, self.grad_view, self.overview):
            view.setParent(None)
        if old is not None:
            old.deleteLater()
        page = QWidget()
        self.page = QVBoxLayout(page)
        self.page.setContentsMargins(10, 10, 10, 10)
        self.page.setSpacing(10)
        if self.node_id is None:
            self._build_empty()
        else:
            self._build_node(self.node_id)
        self.page.addWidget(self.feedback)
        self.page.addStretch(1)
        self.scroll.setWidget(page)
        self.feedback.hide()
        pass_undo_to_window(page)
        self._numbers_shown = None       # new captions: show the numbers again
        self.refresh_results()

    def _build_empty(self) -> None:
        if self.selection:
            self.page.addWidget(QLabel(f"{len(self.selection)} nodes selected",
                                       objectName="heading"))
        self.page.addWidget(self.overview)
        hint = QLabel("Click a node on the canvas to edit its settings and see its value and "
                      "gradient. Drag ops from the palette, or press Tab on the canvas to "
                      "search for one.", objectName="muted", wordWrap=True)
        self.page.addWidget(hint)

    def _build_node(self, node_id: str) -> None:
        node = self.model.node(node_id)
        self._built_op = node.op
        op = node.op_info
        colour = theme.category_colour(op)
        badge = self.badge = QLabel(objectName="opBadge")
        badge.setStyleSheet(f"background: {colour};")
        badge.setToolTip(op.doc)
        self._refresh_badge()
        self.name_edit = QLineEdit(node_id)
        theme.set_font(self.name_edit, 11, bold=True)
        self.name_edit.setToolTip("The node's id; press Enter to rename")
        self.name_edit.setAccessibleName("Node id")
        self.name_edit.editingFinished.connect(self._rename)
        head = QHBoxLayout()
        head.addWidget(badge)
        head.addWidget(self.name_edit, 1)
        self.page.addLayout(head)
        doc = QLabel(op.doc, objectName="muted", wordWrap=True)
        self.page.addWidget(doc)
        # one line per input, "⚠ not connected" in amber until wired: the same height either
        # way, so completing a wire moves nothing under the cursor
        self.ports_label = QLabel(objectName="muted", textFormat=Qt.TextFormat.RichText)
        self.ports_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.page.addWidget(self.ports_label)     # first: shown without a parent, a label
        self.ports_label.setVisible(bool(op.port_names))   # is a window (it took the focus)
        self._refresh_ports()
        self.loss_box = QCheckBox("Loss: differentiate this node")
        self.loss_box.setToolTip("Gradients are of this node (it must hold one number). "
                                 "Unticked: the graph's single sink is the loss.")
        self.loss_box.toggled.connect(self._set_loss)
        self.page.addWidget(self.loss_box)

        if op.attrs or op.name in ("input", "constant", "parameter"):
            box = QGroupBox("Settings")
            form = QFormLayout(box)
            form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
            form.setHorizontalSpacing(10)
            form.setVerticalSpacing(6)
            for name, default in op.attrs.items():
                if op.name == "parameter" and name in ("shape", "init", "seed"):
                    continue   # shown with the value below
                form.addRow(name, self._attr_editor(name, default, node.attrs.get(name, default)))
            if op.name in ("input", "constant", "parameter"):
                self._value_rows(form, op)
            self.page.addWidget(box)

        results = QGroupBox("Results")
        rform = QVBoxLayout(results)
        rform.setSpacing(4)
        # wrapped: a player's caption ("· step 12/15 · backward · predict") must not widen
        # the page past the dock (its horizontal scroll bar is off: the rest would be cut)
        self.value_caption = QLabel(objectName="resultCaption", wordWrap=True)
        self.grad_caption = QLabel(objectName="resultCaption", wordWrap=True)
        rform.addWidget(self.value_caption)
        rform.addWidget(self.value_view)
        rform.addSpacing(8)
        rform.addWidget(self.grad_caption)
        rform.addWidget(self.grad_view)
        self.page.addWidget(results)
        # what is wrong, last: it appears and goes without moving anything above it
        # (unfinished: the canvas's amber hint and the engine's sentence; broken: red)
        self.node_hint = QLabel(objectName="incomplete", wordWrap=True)
        self.node_detail = QLabel(wordWrap=True)
        self.node_error = QLabel(objectName="error", wordWrap=True)
        for label in (self.node_hint, self.node_detail, self.node_error):
            label.hide()
            self.page.addWidget(label)

    def _value_rows(self, form: QFormLayout, op) -> None:
        node = self.model.node(self.node_id)
        self.value_field = ValueField(self.model, self.node_id)
        self.value_field.applied.connect(self._apply_value)
        self.value_field.refused.connect(self._refuse)
        form.addRow("value", self.value_field)
        if op.name == "parameter":
            for name in ("shape", "init", "seed"):
                form.addRow(name, self._attr_editor(name, op.attrs[name], node.attrs.get(name)))
            button = QPushButton("Re-initialise")
            button.setToolTip("Draw a new value from init, shape and seed (undoable)")
            button.clicked.connect(self.reinitialise)
            form.addRow("", button)

    @property
    def value_edit(self):
        """The value box of the selected leaf (None for other nodes)."""
        return self.value_field.edit if self.value_field is not None else None

    def _set_loss(self, on: bool) -> None:
        if self.node_id is None:
            return
        explicit = self.model.loss
        if on and explicit != self.node_id:
            self.undo_stack.push(commands.SetLoss(self.model, self.node_id))
        elif not on and explicit == self.node_id:
            self.undo_stack.push(commands.SetLoss(self.model, None))
        self._refresh_loss_box()

    def _refresh_loss_box(self) -> None:
        box = getattr(self, "loss_box", None)
        if box is None or self.node_id is None:
            return
        box.blockSignals(True)
        box.setChecked(self.model.loss == self.node_id
                       or (self.model.loss is None and self.model.loss_id == self.node_id))
        box.blockSignals(False)

    def _rename(self) -> None:
        if self.node_id is None:
            return
        new = self.name_edit.text().strip()
        old = self.node_id
        if new == old:
            self.name_edit.setText(old)
            return
        problem = rename_problem(self.model, old, new)
        if problem:
            self.name_edit.setText(old)
            self._refuse(f"cannot rename '{old}': {problem}")
            return
        self._accept()
        self.undo_stack.push(commands.RenameNode(self.model, old, new))

    # -- following the model -----------------------------------------------------------------
    def _on_node_changed(self, node_id: str) -> None:
        if node_id == self.node_id:
            if self.model.node(node_id).op != self._built_op:   # Change to…: another op's panel
                self._build()
            else:
                self._refresh_editors()

    def _on_renamed(self, old: str, new: str) -> None:
        self.selection = [new if n == old else n for n in self.selection]
        if self.node_id == old:
            self.node_id = new
            self.name_edit.setText(new)
            if self.value_field is not None:
                self.value_field.rename(new)
            self.refresh_results()
        if self.node_id is not None:
            self._refresh_ports()

    def _on_edge(self, source: str, target: str, _port: int) -> None:
        if self.node_id == target:
            self._refresh_ports()

    def _refresh_ports(self) -> None:
        """`Inputs: a ← x, b ← (not connected)`: what feeds each port of the node."""
        if self.node_id is None or not self.model.has_node(self.node_id):
            return
        op = self.model.op(self.node_id)
        lines = []
        for i, name in enumerate(op.port_names):
            source = self.model.source_of(self.node_id, i)
            shown = (html.escape(source) if source else
                     f"<span style='color:{theme.INCOMPLETE}'>⚠ not connected</span>")
            lines.append(f"{html.escape(name)} ← {shown}")
        self.ports_label.setText("Inputs:<br>" + "<br>".join(lines))

    def ports_text(self) -> str:
        """The inputs lines as plain text (``a ← x; b ← ⚠ not connected``)."""
        lines = self.ports_label.text().split("<br>")[1:]
        return "; ".join(html.unescape(_strip_tags(line)) for line in lines)

    def _on_removed(self, node_id: str) -> None:
        if node_id in self.selection:
            self.set_selection([n for n in self.selection if n != node_id])

    def _refresh_editors(self) -> None:
        if self.node_id is None or not self.model.has_node(self.node_id):
            return
        node = self.model.node(self.node_id)
        for name in self.attr_editors:
            self._set_editor(name, node.attrs.get(name))
        self._refresh_value()

    def _refresh_value(self) -> None:
        if self.value_field is not None and self.node_id is not None:
            self.value_field.refresh()

    def _refresh_badge(self) -> None:
        if self.node_id is not None and self.model.has_node(self.node_id):
            self.badge.setText(badge_text(self.model, self.node_id))

    def _show_error(self) -> None:
        """Unfinished: amber hint + the sentence in plain text; broken: the sentence in red."""
        parts = error_parts(self.model, self.node_id)
        for label, text in zip((self.node_hint, self.node_detail, self.node_error), parts):
            label.setText(text)
            label.setVisible(bool(text))

    def refresh_results(self) -> None:
        """Value, gradient and error of the node from the model's last re-run."""
        if self.node_id is None or not self.model.has_node(self.node_id):
            if self.node_id is None:      # after the canvas's record: once per re-run
                self.overview.refresh_numbers()
            return
        self._refresh_loss_box()
        self._refresh_badge()
        self._show_error()
        self._refresh_numbers()

    def _follow_record(self) -> None:
        """The canvas shows another record (a replay's step): show its numbers."""
        if self.node_id is None:
            self.overview.refresh_numbers()
        elif self.model.has_node(self.node_id):
            self._refresh_numbers()

    def _refresh_numbers(self) -> None:
        """The node's value and gradient as the canvas shows them (a replay: at the step
        shown; hidden: "?")."""
        node_id = self.node_id
        record = current_record(self.records, self.model)
        shown = record.node(node_id)
        state = (node_id, shown, record.caption, record.loss)
        if state == self._numbers_shown:
            return
        self._numbers_shown = state
        when = (f" <span style='color:{theme.MUTED}'>· {html.escape(record.caption)}</span>"
                if not record.live and record.caption else "")
        self.value_caption.setText(f"<span style='color:{theme.VALUE}'>■</span>&nbsp; "
                                   f"Value of <b>{html.escape(node_id)}</b>{when}")
        self.grad_caption.setText(f"<span style='color:{theme.GRAD}'>■</span>&nbsp; Gradient "
                                  f"{html.escape(grad_symbol(self.model.loss_id, node_id))}"
                                  f"{when}")
        error = self.model.errors.get(node_id, "")
        if shown.value_hidden:
            self.value_view.set_hidden()
        else:
            self.value_view.set_array(shown.value, placeholder=shown.value_note or (
                "not computed" + (": see below" if error else "")))
        if shown.grad_hidden:
            self.grad_view.set_hidden()
        elif shown.grad is not None or record.live:
            reason = shown.grad_note or (no_gradient_note(self.model)
                                         if shown.value is not None else "not computed")
            self.grad_view.set_array(shown.grad, placeholder=reason)
        else:       # a replay before the backward pass reaches the node
            self.grad_view.set_array(None, placeholder=shown.grad_note or
                                     "not yet: the backward pass has not started")
        self._show_mark()

    def mark_element(self, node_id: str, index) -> None:
        """Outline element `index` of `node_id` in its value and gradient heatmaps (the
        neuron view's weight); None clears it."""
        self.marked = None if index is None else (node_id, tuple(index))
        self._show_mark()

    def _show_mark(self) -> None:
        index = self.marked[1] if self.marked and self.marked[0] == self.node_id else None
        for view in (self.value_view, self.grad_view):
            view.mark(index)


def _strip_tags(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text)
