"""What a screen reader gets from a window's controls: each control's accessible name, each
combo box's label, the scroll areas that take the focus.

``unnamed(root)`` lists the showing controls under ``root`` (push and tool buttons, check boxes,
radio buttons, spin boxes, sliders, line edits and text views, tables, trees and lists, tab
pages) whose accessible Name is empty — a placeholder or a tooltip is not a name — and the
showing combo boxes no label names (a QLabel buddy or a QFormLayout row).
"""
from __future__ import annotations

from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractScrollArea,
                               QAbstractSlider, QAbstractSpinBox, QComboBox, QFormLayout,
                               QGraphicsView, QHeaderView, QLabel, QLineEdit, QPlainTextEdit,
                               QScrollBar, QTabBar, QTextEdit, QWidget)

CONTROLS = (QAbstractButton, QAbstractSpinBox, QAbstractSlider, QLineEdit, QTextEdit,
            QPlainTextEdit, QAbstractItemView)


def accessible_name(widget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.text(QAccessible.Text.Name).strip() if interface is not None else ""


def has_name(widget) -> bool:
    name = accessible_name(widget)
    if not name:
        return False
    if widget.accessibleName().strip():
        return True
    if isinstance(widget, QAbstractButton) and widget.text().replace("&", "").strip():
        return True
    # a name Qt took from the tooltip or the placeholder does not count
    hints = {widget.toolTip().strip()}
    if isinstance(widget, (QLineEdit, QTextEdit, QPlainTextEdit)):
        hints.add(widget.placeholderText().strip())
    return name not in hints


def combo_label(combo: QComboBox) -> QLabel | None:
    """The label that names ``combo``: a QLabel whose buddy it is, or its QFormLayout row's."""
    window = combo.window()
    for label in window.findChildren(QLabel):
        if label.buddy() is combo and label.text().strip():
            return label
    parent = combo.parentWidget()
    while parent is not None:
        for form in parent.findChildren(QFormLayout):
            label = form.labelForField(combo)
            if isinstance(label, QLabel) and label.text().strip():
                return label
        parent = parent.parentWidget() if parent is not window else None
    return None


def _part_of_another_control(widget) -> bool:
    parent = widget.parentWidget()
    return isinstance(widget, QLineEdit) and isinstance(parent, (QAbstractSpinBox, QComboBox))


def unnamed(root: QWidget, where: str = "") -> list[str]:
    """One line per showing control under ``root`` that a screen reader could not name."""
    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisible() or isinstance(widget, (QScrollBar, QHeaderView)):
            continue
        kind = type(widget).__name__
        label = f"{where}: {kind} {widget.objectName()!r} in {type(widget.parentWidget()).__name__}"
        if isinstance(widget, QComboBox):
            if combo_label(widget) is None:
                found.append(f"{label}: a combo box with no label")
        elif isinstance(widget, QTabBar):
            for i in range(widget.count()):
                if not widget.tabText(i).strip() and not widget.accessibleTabName(i).strip():
                    found.append(f"{label}: tab {i} has no name")
        elif isinstance(widget, CONTROLS) and not _part_of_another_control(widget):
            if not has_name(widget):
                found.append(f"{label}: no accessible name")
    return found


def focusable_scroll_areas(root: QWidget) -> list[str]:
    """Showing scroll areas that only frame other widgets yet take the focus (a Tab stop
    nobody can see)."""
    found = []
    for widget in root.findChildren(QAbstractScrollArea):
        if not widget.isVisible() or isinstance(widget, (QAbstractItemView, QTextEdit,
                                                         QPlainTextEdit, QGraphicsView)):
            continue
        if widget.focusPolicy() & widget.focusPolicy().TabFocus:
            found.append(f"{type(widget).__name__} {widget.objectName()!r} in "
                         f"{type(widget.parentWidget()).__name__}")
    return found
