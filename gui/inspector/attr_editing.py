"""The inspector's attr editors: one field per attr of the node's op, checked with the engine's
own attr checks before anything is pushed, refused with a message while the old value stays;
a parameter's init/shape/seed and its value, and Re-initialise, as undo steps.

``AttrEditing`` is a mixin of ``Inspector`` (it reads ``model``, ``undo_stack``, ``node_id``,
``attr_editors``, ``feedback`` and ``refused``).
"""
from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QWidget

from engine import GraphError
from gui.model import commands
from gui.inspector.value_edit import UNSET_MEANS, InputError, attr_text, parse_json_attr


class AttrEditing:
    """Editing the attrs (and a parameter's value) of the node shown."""

    def _attr_editor(self, name: str, default, current) -> QWidget:
        """A typed editor for one attr; its edits go through `_set_attr`."""
        choices = getattr(self.model.op(self.node_id).checks.get(name), "choices", None)
        if choices:
            editor = QComboBox()
            editor.addItems([str(c) for c in choices])
            setter = lambda v: editor.setCurrentText(str(v))  # noqa: E731
            editor.currentTextChanged.connect(lambda text: self._set_attr(name, text))
        elif isinstance(default, bool):
            editor = QCheckBox()
            setter = lambda v: editor.setChecked(bool(v))  # noqa: E731
            editor.toggled.connect(lambda on: self._set_attr(name, bool(on)))
        elif isinstance(default, (int, float)):
            editor = QLineEdit()
            kind = int if isinstance(default, int) else float
            setter = lambda v: editor.setText(repr(kind(v)))  # noqa: E731
            editor.editingFinished.connect(lambda: self._set_attr_text(name, editor.text(), kind))
        else:   # axis, shape and anything JSON-shaped
            editor = QLineEdit()
            editor.setToolTip(f"{name}: empty (none), an int, or a list such as [0, 1]")
            editor.setPlaceholderText(UNSET_MEANS.get(name, "none"))
            setter = lambda v: editor.setText(attr_text(v))  # noqa: E731
            editor.editingFinished.connect(lambda: self._set_attr_text(name, editor.text()))
        editor.setObjectName(f"attr_{name}")
        self.attr_editors[name] = (editor, setter)
        self._set_editor(name, current)
        return editor

    def _set_editor(self, name: str, value) -> None:
        editor, setter = self.attr_editors[name]
        editor.blockSignals(True)
        try:
            setter(value)
            editor.setProperty("invalid", False)
            editor.style().unpolish(editor)
            editor.style().polish(editor)
        finally:
            editor.blockSignals(False)

    # -- edits -------------------------------------------------------------------------------
    def _refuse(self, text: str, editor: QWidget | None = None) -> None:
        self.feedback.setText(text)
        self.feedback.show()
        self.refused.emit(text)
        if editor is not None:
            editor.setProperty("invalid", True)
            editor.style().unpolish(editor)
            editor.style().polish(editor)

    def _accept(self) -> None:
        self.feedback.hide()

    def _set_attr_text(self, name: str, text: str, kind=None) -> None:
        try:
            if kind is not None:
                try:
                    value = kind(text.strip())
                except ValueError:
                    what = "a whole number" if kind is int else "a number"
                    raise InputError(f"{name} must be {what}, got {text.strip()[:30]!r}") from None
            else:
                value = parse_json_attr(text)
        except InputError as error:
            self._restore_attr(name)
            self._refuse(f"{name}: {error}")
            return
        self._set_attr(name, value)

    def _set_attr(self, name: str, value) -> None:
        if self.node_id is None:
            return
        node = self.model.node(self.node_id)
        op = node.op_info
        try:
            checked = op.checks[name](value) if name in op.checks else value
        except (ValueError, TypeError) as error:
            self._restore_attr(name)
            self._refuse(f"{self.node_id}: {error}; kept {attr_text(node.attrs.get(name)) or 'none'}")
            return
        self._accept()
        if checked == node.attrs.get(name):
            self._set_editor(name, checked)
            return
        if node.op == "parameter" and name in ("init", "shape", "seed"):
            self._set_parameter_attr(node, name, checked)
        else:
            self.undo_stack.push(commands.SetAttr(self.model, self.node_id, name, checked))

    def _set_parameter_attr(self, node, name: str, value) -> None:
        """init / shape / seed re-draw a parameter's value (the engine clears it). One undo
        step that also brings the old value back: [keep old value, SetAttr, SetValue(new)]."""
        try:
            new = self.model.fresh_value(node.id, **{name: value})
        except GraphError as error:
            new = None
            if node.value is not None or node.attrs.get("shape") is not None:
                self._refuse(f"{node.id}: {error.message}")
                return
        self.undo_stack.beginMacro(f"Set {node.id}.{name}")
        try:
            if node.value is not None:
                self.undo_stack.push(commands.SetValue(self.model, node.id, node.value))
            self.undo_stack.push(commands.SetAttr(self.model, node.id, name, value))
            if new is not None:
                self.undo_stack.push(commands.SetValue(self.model, node.id, new))
        finally:
            self.undo_stack.endMacro()

    def _restore_attr(self, name: str) -> None:
        if self.node_id is not None and name in self.attr_editors:
            self._set_editor(name, self.model.node(self.node_id).attrs.get(name))

    def _apply_value(self, array) -> None:
        """A valid value from the value box (checked by the engine's rule as it was typed)."""
        if self.node_id is None:
            return
        self._accept()
        self.undo_stack.push(commands.SetValue(self.model, self.node_id, array))

    def reinitialise(self) -> None:
        """A fresh value from the parameter's init / shape / seed, as one undoable SetValue."""
        if self.node_id is None:
            return
        node = self.model.node(self.node_id)
        try:
            value = self.model.fresh_value(self.node_id)
        except GraphError:
            self._refuse(f"{self.node_id}: set a shape first (e.g. [2, 3]) to initialise a value")
            return
        self._accept()
        self.undo_stack.push(commands.SetValue(self.model, self.node_id, value))
        self.message.emit(f"{self.node_id}: re-initialised ({node.attrs.get('init')}, "
                          f"shape {tuple(value.shape)}, seed {node.attrs.get('seed')})")
