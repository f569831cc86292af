"""The canvas by keyboard alone (a mixin of CanvasView).

* Arrow keys move the selection to the nearest node in that direction (Shift+arrows add it to
  the selection); with nothing selected they go to the first node in reading order. While the
  player shows a step, → and ← are the player's (its actions' shortcuts), ↑ and ↓ still move.
* Alt+arrows move the selected nodes 10 px, Alt+Shift+arrows 1 px; moves in a row are one
  undo step (``NudgeNodes``).
* Enter asks for the node's editor in the inspector (``edit_requested``); F2 renames the node
  in place.
* The Menu key and Shift+F10 open the current node's context menu at the node (the empty
  canvas's menu at the centre when no node is selected). Qt's own keyboard context-menu event
  is ignored, so the menu opens once.
* The *current node* is where the keyboard is: the node the arrows start from, drawn with the
  focus ring while the canvas has the focus, and the interface a screen reader is told has
  the focus (gui/canvas/accessible.py).
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QAccessible, QColor, QContextMenuEvent, QPainter, QPen
from shiboken6 import isValid

from gui import accessibility
from gui.canvas import style
from gui.canvas.accessible import canvas_interface
from gui.theme import colors

ARROWS = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0),
          Qt.Key.Key_Up: (0, -1), Qt.Key.Key_Down: (0, 1)}
NUDGE, FINE_NUDGE = 10.0, 1.0
FOCUS_RING = 3          # px of the canvas's focus ring
SIDEWAYS_COST = 2.0     # how much a step sideways counts against a node in the arrow's way


def centre(item) -> QPointF:
    """The middle of the node's header (cards differ in height, never in their headers)."""
    return item.pos() + QPointF(style.NODE_W / 2, style.HEADER_H / 2)


def reading_order(items) -> list:
    """Top to bottom, then left to right (rows are a header's height apart)."""
    return sorted(items, key=lambda i: (round(i.pos().y() / style.HEADER_H), i.pos().x()))


def nearest(items, origin, direction) -> object | None:
    """The item whose centre lies nearest ``origin``'s in ``direction`` ((dx, dy), one axis):
    the distance along the arrow, plus sideways distance counted ``SIDEWAYS_COST`` times."""
    start = centre(origin)
    best, best_cost = None, None
    for item in items:
        if item is origin:
            continue
        delta = centre(item) - start
        along = delta.x() * direction[0] + delta.y() * direction[1]
        across = abs(delta.y()) if direction[0] else abs(delta.x())
        if along <= 0.5:
            continue
        cost = along + SIDEWAYS_COST * across
        if best_cost is None or cost < best_cost:
            best, best_cost = item, cost
    return best


class CanvasKeyboard:
    """Keyboard navigation, nudging and the keyboard context menu of CanvasView."""

    current_node: str | None = None
    accessible_interface = None       # set by CanvasAccessible when Qt first asks for it
    keyboard_menu = None              # the menu the Menu key opened (while it shows)

    def _init_keyboard(self) -> None:
        accessibility.install_factory()       # (make_application has, unless a test made the
        self.current_node = None              # view alone)
        self._spoken_name = ""
        self.setAccessibleName("Canvas")
        from gui.canvas.accessible import KEYS_TEXT
        self.setAccessibleDescription(KEYS_TEXT)
        model = self.model
        model.node_removed.connect(self._keyboard_node_removed)
        model.node_renamed.connect(self._keyboard_node_renamed)
        model.graph_reset.connect(self._keyboard_reset)
        self.graph_scene.record_shown.connect(self._name_may_have_changed)

    # ------------------------------------------------------------ the current node
    def set_current_node(self, node_id: str | None) -> None:
        """Make ``node_id`` the node the keyboard is on (its focus ring, the screen reader's
        focus)."""
        if node_id is not None and node_id == self.current_node:
            return                            # told already (the selection got there first)
        old = self.graph_scene.nodes.get(self.current_node) if self.current_node else None
        self.current_node = node_id if node_id in self.graph_scene.nodes else None
        new = self.graph_scene.nodes.get(self.current_node) if self.current_node else None
        if old is not None and old is not new:
            old.set_focus_ring(False)
        if new is not None:
            new.set_focus_ring(self.hasFocus())
        self._tell_focus()

    def _follow_selection(self, selected: list) -> None:
        """The selection changed (by mouse, keys, or a command): the current node follows."""
        if self.current_node not in selected:
            self.set_current_node(selected[0] if selected else None)
        else:
            self._tell_focus(QAccessible.Event.Selection)

    def _tell_focus(self, kind=QAccessible.Event.Focus) -> None:
        interface = self._node_interface(self.current_node)
        if interface is not None and self.hasFocus():
            self._spoken_name = interface.text(QAccessible.Text.Name)
            accessibility.send_event(interface, kind)

    def _node_interface(self, node_id):
        if node_id is None:
            return None
        interface = self.accessible_interface
        if interface is None or not isValid(interface):
            interface = canvas_interface(self)
        return interface.node(node_id) if interface is not None else None

    def _name_may_have_changed(self) -> None:
        """A new record is shown (an edit, a player step): the focused node's name follows."""
        if not self.hasFocus() or self.current_node is None:
            return
        interface = self._node_interface(self.current_node)
        if interface is not None:
            text = interface.text(QAccessible.Text.Name)
            if text != self._spoken_name:
                self._spoken_name = text
                accessibility.send_event(interface, QAccessible.Event.NameChanged)

    def _keyboard_node_removed(self, node_id: str) -> None:
        interface = self.accessible_interface
        if interface is not None and isValid(interface):
            interface.node_removed(node_id)
        if node_id == self.current_node:
            self.current_node = None

    def _keyboard_node_renamed(self, old: str, new: str) -> None:
        interface = self.accessible_interface
        if interface is not None and isValid(interface):
            interface.node_renamed(old, new)
        if old == self.current_node:
            self.current_node = new

    def _keyboard_reset(self) -> None:
        interface = self.accessible_interface
        if interface is not None and isValid(interface):
            interface.forget_all()
        self.current_node = None

    # ------------------------------------------------------------ keys
    def overrides_shortcut(self, event) -> bool:
        """Keys the canvas takes before any shortcut: the arrows in the live view (while the
        player shows a step, → and ← are its shortcuts)."""
        key = event.key()
        if key not in ARROWS:
            return False
        replaying = self.graph_scene.replaying
        return not (replaying and key in (Qt.Key.Key_Left, Qt.Key.Key_Right)
                    and not event.modifiers() & Qt.KeyboardModifier.AltModifier)

    def keyboard_key(self, event) -> bool:
        """Handle a key press of the keyboard's own (True when it was one)."""
        key, mods = event.key(), event.modifiers()
        if key in ARROWS:
            dx, dy = ARROWS[key]
            if mods & Qt.KeyboardModifier.AltModifier:
                step = FINE_NUDGE if mods & Qt.KeyboardModifier.ShiftModifier else NUDGE
                self.nudge_selection(dx * step, dy * step)
            else:
                extend = bool(mods & Qt.KeyboardModifier.ShiftModifier)
                self.move_selection((dx, dy), extend=extend)
            return True
        plain = mods in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and plain:
            node = self.current_node or (self.selected_nodes() or [None])[0]
            if node is not None:
                self.edit_requested.emit(node)
                return True
            return False
        if key == Qt.Key.Key_F2 and plain:
            node = self.current_node or (self.selected_nodes() or [None])[0]
            if node is not None:
                self.rename_inline(node)
            return node is not None
        if key == Qt.Key.Key_Menu or (key == Qt.Key.Key_F10
                                      and mods & Qt.KeyboardModifier.ShiftModifier):
            self.open_keyboard_menu()
            return True
        return False

    def move_selection(self, direction, extend: bool = False) -> str | None:
        """Select the nearest node in ``direction`` ((dx, dy)); the first node in reading
        order when none is current. ``extend`` adds it to the selection."""
        items = list(self.graph_scene.nodes.values())
        if not items:
            return None
        origin = self.graph_scene.nodes.get(self.current_node) if self.current_node else None
        if origin is None:
            selected = self.selected_nodes()
            origin = self.graph_scene.nodes.get(selected[0]) if selected else None
        target = reading_order(items)[0] if origin is None else \
            nearest(items, origin, direction) or origin
        chosen = target.node_id
        if extend:
            self.select_nodes([*self.selected_nodes(), chosen])
        else:
            self.select_nodes([chosen])
        self.set_current_node(chosen)
        self.ensureVisible(target, 40, 40)
        return chosen

    def nudge_selection(self, dx: float, dy: float) -> None:
        """Move the selected nodes by (dx, dy) scene pixels (one undo step for a run)."""
        moves = {}
        for node_id in self.selected_nodes():
            item = self.graph_scene.nodes[node_id]
            old = (item.pos().x(), item.pos().y())
            moves[node_id] = (old, (old[0] + dx, old[1] + dy))
        self.controller.nudge(moves)
        current = self.graph_scene.nodes.get(self.current_node) if self.current_node else None
        if current is not None:
            self.ensureVisible(current, 40, 40)

    # ------------------------------------------------------------ the keyboard context menu
    def open_keyboard_menu(self):
        """The current (else first selected) node's context menu, at the node; the empty
        canvas's menu at the centre when no node is selected. Returns the menu (shown)."""
        node_id = self.current_node
        selected = self.selected_nodes()
        if node_id not in selected:
            node_id = selected[0] if selected else None
        item = self.graph_scene.nodes.get(node_id) if node_id else None
        if item is not None:
            self.ensureVisible(item, 40, 40)
            at = self.mapFromScene(item.pos() + QPointF(style.NODE_W / 2, style.HEADER_H))
        else:
            at = self.viewport().rect().center()
        menu = self.context_menu(at, item=item if item is not None else False)
        if self.keyboard_menu is not None and isValid(self.keyboard_menu):
            self.keyboard_menu.close()
        self.keyboard_menu = menu
        menu.aboutToHide.connect(menu.deleteLater)
        menu.popup(self.viewport().mapToGlobal(at))
        return menu

    def keyboard_context_event(self, event) -> bool:
        """Qt's context-menu event from the keyboard (the key press has opened it already)."""
        return event.reason() == QContextMenuEvent.Reason.Keyboard

    # ------------------------------------------------------------ focus
    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        self._focus_changed(True)

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        self._focus_changed(False)

    def _focus_changed(self, focused: bool) -> None:
        item = self.graph_scene.nodes.get(self.current_node) if self.current_node else None
        if item is not None:
            item.set_focus_ring(focused)
        self.viewport().update()             # the canvas's own ring comes or goes
        if focused:
            self._tell_focus()

    def paint_focus_ring(self) -> None:
        """While the canvas has the focus: a ring round its edge in the focus colour."""
        if not self.hasFocus():
            return
        painter = QPainter(self.viewport())
        painter.setPen(QPen(QColor(colors.active().focus), FOCUS_RING * 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(self.viewport().rect())   # half the pen falls outside: FOCUS_RING px
        painter.end()


def handle_shortcut_override(view, event) -> bool:
    """``event()``'s part: True when the canvas takes ``event`` (a ShortcutOverride)."""
    if event.type() == QEvent.Type.ShortcutOverride and view.overrides_shortcut(event):
        event.accept()
        return True
    return False

