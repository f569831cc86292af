"""The Tab popup: type to filter the ops (and templates), Enter adds the chosen one at the cursor."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, QSizeF, Qt, Signal
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QFrame, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout

import engine
from gui.canvas import style
from gui.model.templates import TEMPLATES
from gui.theme import colors

KIND_ROLE = Qt.UserRole
NAME_ROLE = Qt.UserRole + 1


def search_entries() -> list[tuple[str, str, str]]:
    """(kind, name, display text) for every op in palette order, then every template."""
    from engine.ops import CATEGORIES
    order = {c: i for i, c in enumerate(CATEGORIES)}
    ops = sorted(engine.OPS.values(), key=lambda op: (order.get(op.category, 99), op.name))
    entries = [("op", op.name, f"{op.symbol}   {op.name}   — {op.category}") for op in ops]
    entries += [("template", label, f"▦   {label}   — template") for label in TEMPLATES]
    return entries


MAX_ROWS = 12


class QuickSearch(QFrame):
    """A small overlay on the canvas; ``chosen(kind, name)`` when the user picks an entry."""

    chosen = Signal(str, str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("QuickSearch")
        self.setFrameShape(QFrame.StyledPanel)
        c = colors.active()
        self.setStyleSheet(
            f"#QuickSearch {{ background: {c.search_fill}; border: 1px solid {c.search_border};"
            " border-radius: 6px; }"
            f"QLineEdit {{ background: {c.canvas}; color: {c.node_text};"
            f" border: 1px solid {c.search_field_border}; border-radius: 4px; padding: 4px; }}"
            f"QListWidget {{ background: {c.search_fill}; color: {c.node_text}; border: none; }}"
            f"QListWidget::item:selected {{ background: {c.category('Inputs & parameters')}; }}")
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText("Add node… (type to search)")
        self.edit.setAccessibleName("Add node: type an op's name, Enter adds it")
        self.list = QListWidget(self)
        self.list.setAccessibleName("Matching ops and templates")
        self.list.setFocusPolicy(Qt.NoFocus)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addWidget(self.edit)
        layout.addWidget(self.list)
        self.resize(300, 320)
        self._entries = []
        self.edit.textChanged.connect(self._filter)
        self.edit.installEventFilter(self)
        self.list.itemClicked.connect(lambda item: self.accept())
        self.hide()

    def popup(self, pos) -> None:
        """Show at ``pos`` (parent coordinates), kept inside the parent, with a fresh query."""
        self._entries = search_entries()
        self.edit.clear()
        self._filter("")
        parent = self.parentWidget()
        x, y = pos.x(), pos.y()
        if parent is not None:
            x = max(0, min(x, parent.width() - self.width()))
            y = max(0, min(y, parent.height() - self.height()))
        self.move(x, y)
        self.show()
        self.raise_()
        self.edit.setFocus()

    def _filter(self, text: str) -> None:
        words = text.lower().split()
        self.list.clear()
        # names that start with the query come first
        ranked = []
        for kind, name, display in self._entries:
            hay = f"{name} {display}".lower()
            if all(w in hay for w in words):
                ranked.append((0 if words and name.lower().startswith(words[0]) else 1,
                               kind, name, display))
        ranked.sort(key=lambda r: r[0])
        for _rank, kind, name, display in ranked:
            item = QListWidgetItem(display)
            item.setData(KIND_ROLE, kind)
            item.setData(NAME_ROLE, name)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
        self._fit_height()

    def _fit_height(self) -> None:
        """As tall as its matches (up to MAX_ROWS): two hits make a small popup, not a tall
        empty panel."""
        rows = max(1, min(self.list.count(), MAX_ROWS))
        row_h = self.list.sizeHintForRow(0) if self.list.count() else 20
        list_h = rows * max(row_h, 16) + 2 * self.list.frameWidth() + 4
        self.list.setFixedHeight(list_h)
        self.resize(300, self.edit.sizeHint().height() + list_h + 16)

    def accept(self) -> None:
        item = self.list.currentItem()
        self._back_to_canvas()
        if item is not None:
            self.chosen.emit(item.data(KIND_ROLE), item.data(NAME_ROLE))

    def cancel(self) -> None:
        self._back_to_canvas()

    def _back_to_canvas(self) -> None:
        """The focus goes back to the canvas before the box hides (hidden first, Qt would
        pass it to the window's next control, and a screen reader would say so)."""
        if self.parentWidget() is not None:
            self.parentWidget().setFocus(Qt.FocusReason.OtherFocusReason)
        self.hide()

    def eventFilter(self, obj, event) -> bool:
        if obj is self.edit and event.type() == QEvent.KeyPress:
            key = event.key()
            if key in (Qt.Key_Down, Qt.Key_Up):
                step = 1 if key == Qt.Key_Down else -1
                row = max(0, min(self.list.count() - 1, self.list.currentRow() + step))
                self.list.setCurrentRow(row)
                return True
            if key == Qt.Key_Escape:
                self.cancel()
                return True
            if key in (Qt.Key_Return, Qt.Key_Enter):
                self.accept()           # taken here: the canvas must not get the Enter too
                return True
            if key == Qt.Key_Tab:
                return True
        if obj is self.edit and event.type() == QEvent.FocusOut and self.isVisible():
            if not self.list.underMouse():
                self.hide()
        return super().eventFilter(obj, event)


class QuickAdd:
    """CanvasView's part: the Tab / double-click search box, made the first time it is needed;
    the chosen op is added where the box was opened (wired to a port when it came from a
    wire dropped on empty canvas)."""

    _quick_search: QuickSearch | None = None
    _quick_search_wire: tuple | None = None

    @property
    def quick_search(self) -> QuickSearch:
        if self._quick_search is None:
            self._quick_search = QuickSearch(self)
            self._quick_search.chosen.connect(self._quick_search_chosen)
        return self._quick_search

    def open_quick_search(self, viewport_pos: QPoint | None = None, wire_from=None) -> None:
        """The add-node popup at ``viewport_pos`` (the cursor by default); with ``wire_from``
        (node id, port) the chosen op is wired to that port."""
        self._quick_search_wire = wire_from
        beside = self._beside_current() if viewport_pos is None else None
        if viewport_pos is None:
            viewport_pos = self._cursor_in_viewport()
        self._quick_search_pos = self.mapToScene(viewport_pos) if beside is None else beside
        self.quick_search.popup(self.viewport().mapTo(self, viewport_pos))

    def _beside_current(self) -> QPointF | None:
        """By keyboard (the mouse pointer is off the canvas), a new node goes to the right of the
        node the keyboard is on, where the node it feeds would be."""
        if self.viewport().rect().contains(self.viewport().mapFromGlobal(QCursor.pos())):
            return None
        item = self.graph_scene.nodes.get(self.current_node) if self.current_node else None
        if item is None:
            return None
        spot = item.pos() + QPointF(style.NODE_W + style.CARD_GAP * 2, 0)
        self.ensureVisible(QRectF(spot, QSizeF(style.NODE_W, style.card_height(2))), 20, 20)
        return spot + QPointF(style.NODE_W / 2, style.HEADER_H / 2)    # (where a click is)

    def _cursor_in_viewport(self) -> QPoint:
        if self._last_mouse is not None and self.viewport().rect().contains(self._last_mouse):
            return self._last_mouse
        return self.viewport().rect().center()

    def _quick_search_chosen(self, kind: str, name: str) -> None:
        wire_from, self._quick_search_wire = self._quick_search_wire, None
        at = getattr(self, "_quick_search_pos", QPointF())
        if kind == "template":
            self.controller.insert_template(name, at)
        elif wire_from is not None:
            self.controller.add_connected(name, at, wire_from)
        else:
            self.controller.add_node(name, at, self.visible_scene_rect())
