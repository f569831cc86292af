"""What clips and what overlaps in a window, measured from the widgets' geometry and fonts: a
one-line text wider than the room its widget gives it (labels, buttons, check boxes, tool
buttons with text, combo boxes), and two visible widgets of one layout that overlap."""
from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import (QAbstractButton, QCheckBox, QComboBox, QLabel, QLayout,
                               QPushButton, QRadioButton, QToolBar, QToolButton,
                               QWidget)

ELLIPSIS = "…"


def _plain_one_line(text: str) -> bool:
    return bool(text.strip()) and "<" not in text and "\n" not in text


def _shown(widget: QWidget) -> bool:
    return widget.isVisible() and not widget.visibleRegion().isEmpty() and QWidget.width(widget) > 0


def clipped_texts(root: QWidget, slack: int = 1) -> list[str]:
    """Every visible one-line text under ``root`` that does not fit its widget (a label that
    elides itself shows "…" and is not clipped)."""
    found = []
    for label in root.findChildren(QLabel):
        if not _shown(label) or label.wordWrap() or (label.pixmap() is not None
                                                     and not label.pixmap().isNull()):
            continue
        shown = QLabel.text(label)
        if not _plain_one_line(shown) or ELLIPSIS in shown and shown != label.text():
            continue
        need = label.fontMetrics().horizontalAdvance(shown) + 2 * label.margin() + max(
            0, label.indent())
        room = label.contentsRect().width()
        if need > room + slack:
            found.append(f"label {shown!r}: {need} px in {room}")
        height = label.fontMetrics().height()
        if height > label.contentsRect().height() + 2:
            found.append(f"label {shown!r}: {height} px high in {label.contentsRect().height()}")
    for button in root.findChildren(QAbstractButton):
        text = button.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
        if not _shown(button) or not _plain_one_line(text):
            continue
        if isinstance(button, QToolButton) and button.toolButtonStyle().name == "ToolButtonIconOnly":
            continue
        metrics = button.fontMetrics()
        need = metrics.horizontalAdvance(text)
        if isinstance(button, (QCheckBox, QRadioButton)):
            need += button.iconSize().width() // 2 + 12     # the indicator beside it
        elif isinstance(button, QPushButton):
            need += 8 + (button.iconSize().width() if not button.icon().isNull() else 0)
        if need > button.width() + slack:
            found.append(f"{type(button).__name__} {text!r}: {need} px in {button.width()}")
        if metrics.height() > button.height() + 1:
            found.append(f"{type(button).__name__} {text!r}: {metrics.height()} px high in "
                         f"{button.height()}")
    for box in root.findChildren(QComboBox):
        if not _shown(box) or box.isEditable() or not box.currentText():
            continue
        need = box.fontMetrics().horizontalAdvance(box.currentText()) + 20
        if need > box.width():
            found.append(f"combo box {box.currentText()!r}: {need} px in {box.width()}")
    return found


def _layout_widgets(layout: QLayout) -> list[QWidget]:
    out = []
    for i in range(layout.count()):
        item = layout.itemAt(i)
        if item.widget() is not None:
            out.append(item.widget())
        elif item.layout() is not None:
            out.extend(_layout_widgets(item.layout()))
    return out


def overlaps(root: QWidget) -> list[str]:
    """Pairs of visible widgets laid out by one layout whose rectangles overlap."""
    found = []
    for parent in [root, *root.findChildren(QWidget)]:
        layout = parent.layout()
        if layout is None or not _shown(parent) or isinstance(parent, QToolBar):
            continue        # a toolbar lays out its own overflow (behind », stale geometry)
        widgets = [w for w in _layout_widgets(layout) if _shown(w) and w.parent() is parent]
        rects = [(w, QRect(w.geometry())) for w in widgets]
        for i, (a, ra) in enumerate(rects):
            for b, rb in rects[i + 1:]:
                common = ra.intersected(rb)
                if common.width() > 1 and common.height() > 1:
                    found.append(f"{_name(a)} and {_name(b)} overlap by {common.width()}×"
                                 f"{common.height()} in {_name(parent)}")
    return found


def _name(widget: QWidget) -> str:
    text = widget.text() if hasattr(widget, "text") and callable(widget.text) else ""
    return f"{type(widget).__name__}({widget.objectName() or text!r})"
