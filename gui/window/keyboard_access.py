"""The main window by keyboard alone.

``install_keyboard_access(window)`` (the window's last construction step):

* single-key shortcuts (F fit, N neurons, K play, any one character key) act only while the
  canvas — or the neuron view standing in for it — has the focus: their actions move from the
  window to the canvas with a widget-with-children context (WCAG 2.1.4);
* F6 / Shift+F6 cycle the focus through the visible panels in a fixed order: the palette, the
  canvas, the inspector (or the builder in front of it), the lessons and help docks where shown,
  then the bottom panel's front tab; each panel gets back the control it last had focused;
* Enter on a node puts the focus in the inspector's value box (``edit_requested``); Esc in the
  inspector returns it to the canvas;
* Edit ▸ Connect… (Ctrl+E) opens the canvas's connect dialog.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QDockWidget, QWidget

from gui.actions import menu_named, single_key

CANVAS = "canvas"
BOTTOM = "bottom"
# the F6 order: docks by object name, the canvas and the bottom panel's front tab
CYCLE = ("palette_dock", CANVAS, "inspector_dock", "builder_dock", "lessons_dock",
         "help_dock", BOTTOM)


def install_keyboard_access(window) -> None:
    canvas_only(window)
    cycle_next = _window_action(window, "focus_next_panel", "Next Panel", "F6",
                                lambda: cycle_focus(window, 1))
    cycle_back = _window_action(window, "focus_previous_panel", "Previous Panel", "Shift+F6",
                                lambda: cycle_focus(window, -1))
    connect = _window_action(window, "connect", "Co&nnect…", "Ctrl+E",
                             lambda: window.canvas.open_connect_dialog())
    connect.setToolTip("Connect a node's output to an input port, by keyboard (Ctrl+E)")
    edit = menu_named(window, "Edit")
    anchor = window.actions_by_name.get("select_all")
    edit.insertAction(anchor, connect) if anchor in edit.actions() else edit.addAction(connect)
    view = menu_named(window, "View")
    view.addSeparator()
    view.addActions([cycle_next, cycle_back])
    window.canvas.edit_requested.connect(lambda node_id: edit_node(window, node_id))
    window.inspector.escaped.connect(lambda: back_to_canvas(window))
    network = getattr(window, "network", None)
    if network is not None:       # the neuron view stands in for the canvas: its keys too
        network.toggle.toggled.connect(lambda on: on and _give_page_keys(window))


def _window_action(window, name, text, key, slot) -> QAction:
    action = QAction(text, window)
    action.setObjectName(name)
    action.setShortcut(QKeySequence(key))
    action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
    action.triggered.connect(lambda checked=False: slot())
    window.addAction(action)
    window.actions_by_name[name] = action
    return action


def canvas_actions(window) -> list[QAction]:
    """The window's actions whose shortcut is one character key."""
    return [a for a in window.actions() if single_key(a)]


def canvas_only(window) -> None:
    """Move the window's single-key shortcuts to the canvas (menus and toolbar keep them)."""
    for action in canvas_actions(window):
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        window.removeAction(action)
        window.canvas.addAction(action)
        window.canvas_keys = [*getattr(window, "canvas_keys", []), action]


def _give_page_keys(window) -> None:
    page = window.network.page
    for action in getattr(window, "canvas_keys", []):
        if action not in page.actions():
            page.addAction(action)


# ---------------------------------------------------------------- F6
def cycle_targets(window) -> list[QWidget]:
    """The panels F6 visits now, in order: each a visible dock's content, or the central
    widget shown (the canvas or the neuron view)."""
    docks = {d.objectName(): d for d in window.findChildren(QDockWidget)}
    targets = []
    for name in CYCLE:
        if name == CANVAS:
            targets.append(window.centralWidget().currentWidget()
                           if hasattr(window.centralWidget(), "currentWidget")
                           else window.centralWidget())
        elif name == BOTTOM:
            targets += [_content(d) for d in _front_bottom_docks(window, docks.values())]
        elif name in docks and _showing(docks[name]):
            targets.append(_content(docks[name]))
    return [t for t in targets if t is not None]


def _content(dock) -> QWidget | None:
    return QDockWidget.widget(dock)       # (a LazyDock shown is built already)


def _showing(dock) -> bool:
    """A dock the user can see: open and, when tabbed, the front tab."""
    content = _content(dock)      # a tab behind another is "visible" at zero height
    return dock.isVisible() and content is not None and content.isVisible() \
        and content.height() > 0 and not dock.visibleRegion().isEmpty()


def _front_bottom_docks(window, docks) -> list:
    bottom = [d for d in docks if window.dockWidgetArea(d) == Qt.DockWidgetArea.BottomDockWidgetArea
              and not d.isFloating() and _showing(d)]
    return sorted(bottom, key=lambda d: d.geometry().x())   # tabbed: the front one only


def cycle_focus(window, step: int) -> QWidget | None:
    """F6 (``step`` 1) / Shift+F6 (−1): the focus to the next / previous panel."""
    targets = cycle_targets(window)
    if not targets:
        return None
    focus = QApplication.focusWidget()
    here = next((i for i, t in enumerate(targets)
                 if focus is not None and (t is focus or t.isAncestorOf(focus))), None)
    if here is None:        # the focus is on none of them (the toolbar, nowhere): the canvas
        here = next((i for i, t in enumerate(targets) if t is window.canvas), 0) - step
    for offset in range(1, len(targets) + 1):      # a panel with nothing to focus is passed
        target = targets[(here + step * offset) % len(targets)]
        if target.isAncestorOf(focus) or target is focus:
            return None
        focused = focus_panel(target)
        if focused is not None:
            return focused
    return None


def focus_panel(panel: QWidget) -> QWidget | None:
    """Focus ``panel``: the control it last had focused, else its first one that takes Tab."""
    remembered = panel.focusWidget()
    if remembered is not None and remembered is not panel and panel.isAncestorOf(remembered) \
            and remembered.isVisible() and remembered.isEnabled():
        remembered.setFocus(Qt.FocusReason.OtherFocusReason)
        return remembered
    if panel.focusPolicy() & Qt.FocusPolicy.TabFocus:
        panel.setFocus(Qt.FocusReason.OtherFocusReason)
        return panel
    for child in panel.findChildren(QWidget):
        if child.focusPolicy() & Qt.FocusPolicy.TabFocus and child.isVisible() \
                and child.isEnabled() and not isinstance(child, QDockWidget):
            child.setFocus(Qt.FocusReason.OtherFocusReason)
            return child
    return None


# ---------------------------------------------------------------- canvas ↔ inspector
def edit_node(window, node_id: str) -> None:
    """Enter on a node: the inspector shows it, the focus goes to its value box."""
    dock = window.inspector_dock
    if dock.isHidden():
        dock.show()
    dock.raise_()
    inspector = window.inspector
    if inspector.node_id != node_id:
        inspector.set_selection([node_id])
    if inspector.focus_editor() is None:
        window.show_message(f"{node_id} has nothing to edit in the inspector")


def back_to_canvas(window) -> None:
    """Esc in the inspector: the focus returns to the canvas (its node keeps the ring)."""
    canvas = window.canvas
    if window.centralWidget().isAncestorOf(canvas) and canvas.isVisible():
        canvas.setFocus(Qt.FocusReason.ShortcutFocusReason)
    else:
        focus_panel(window.centralWidget())
