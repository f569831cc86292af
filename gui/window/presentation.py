"""Presentation mode (F11, View ▸ Present): for a projector in front of a room.

On: the window fills the screen, text is at least ``look.PRESENTATION_TEXT`` % (the larger of
that and the user's size), the palette and the inspector step aside, and the panel under the
canvas (the player, the training plots) takes a large share of the height beside a large
canvas. Esc leaves the player first and presentation mode second (``MainWindow.escape``).

Off: everything as it was — the window's geometry and state, the dock layout and the layout
policy's memory (each tab's height, what it collapsed), the text size. The presentation's
layout is never saved: closing the window while presenting saves the layout from before
(``MainWindow.closeEvent`` leaves presentation mode first).
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication

from gui import theme
from gui.theme import look
from gui.window.dock_policy import BOTTOM

BOTTOM_SHARE = 0.42      # the panel under the canvas, of the window's height, while presenting
ENTER_MESSAGE = "Presentation mode: Esc or F11 to leave"


class _Layout(dict):
    """Settings held in memory (what ``DockPolicy.save`` writes, kept for later)."""

    def setValue(self, key: str, value) -> None:
        self[key] = value

    def value(self, key: str, default=None):
        return self.get(key, default)


class Presentation(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.on = False
        self._saved = None
        self.text_before = look.current().text_percent   # the user's text size, while on

    def toggle(self) -> None:
        self.leave() if self.on else self.enter()

    def enter(self) -> None:
        if self.on:
            return
        window, policy = self.window, self.window.layout_policy
        if policy.front is not None:
            policy._remember(policy.front)         # the user's height of the front tab, kept
        with policy.chrome.normal():
            state = window.saveState()
        layout = _Layout()
        policy.save(layout)                        # what closing now would save: kept for it
        self._saved = {
            "state": state, "geometry": window.saveGeometry(), "layout": layout,
            "rect": window.geometry(),
            "window_state": window.windowState(),
            "heights": dict(policy.heights), "collapsed": list(policy.collapsed),
            "history": list(policy.history),
        }
        self.text_before = look.current().text_percent
        self.on = True
        window.installEventFilter(self)
        app = QApplication.instance()
        theme.apply_look(app, text_percent=max(look.current().text_percent,
                                               look.PRESENTATION_TEXT))
        for dock in (window.palette_dock, window.inspector_dock):
            dock.hide()
            if dock in policy.collapsed:       # put away, not collapsed: the policy must not
                policy.collapsed.remove(dock)  # bring it back on the larger screen
        window.showFullScreen()
        self._share_bottom(window.height())
        policy.front = None
        policy.resized()
        window.canvas.fit_view()
        self._sync_action()
        window.show_message(ENTER_MESSAGE)

    def leave(self) -> dict | None:
        """Back to the layout, geometry and text size from before; returns the settings the
        layout policy had saved before presenting (None when not presenting)."""
        if not self.on:
            return None
        window, policy, saved = self.window, self.window.layout_policy, self._saved
        self.on = False
        window.removeEventFilter(self)
        theme.apply_look(QApplication.instance(), text_percent=self.text_before)
        if saved["window_state"] & Qt.WindowState.WindowFullScreen:
            window.showFullScreen()
        elif saved["window_state"] & Qt.WindowState.WindowMaximized:
            window.showMaximized()
        else:
            window.showNormal()
            window.setGeometry(saved["rect"])      # exactly where it was (restoreGeometry
            #                                        would shrink it to the screen's size)
        with policy.chrome.normal():
            window.restoreState(saved["state"])
        policy.heights = saved["heights"]
        policy.collapsed = [d for d in saved["collapsed"] if d.isHidden()]
        policy.history = saved["history"]
        policy.front = None
        policy.resized()
        window.canvas.fit_view()
        if window.statusBar().currentMessage().startswith(ENTER_MESSAGE):
            window.statusBar().clearMessage()      # it no longer holds
        self._saved = None
        self._sync_action()
        return dict(saved["layout"], **{"window/geometry": saved["geometry"]})

    def _sync_action(self) -> None:
        action = self.window.actions_by_name.get("present")
        if action is not None and action.isChecked() != self.on:
            action.setChecked(self.on)

    def _share_bottom(self, height: int) -> None:
        """The panels under the canvas: ``BOTTOM_SHARE`` of the window's ``height``."""
        window, policy = self.window, self.window.layout_policy
        policy.heights = {dock.objectName(): round(height * BOTTOM_SHARE)
                          for dock in policy.docks() if window.dockWidgetArea(dock) == BOTTOM}

    def eventFilter(self, obj, event) -> bool:
        """Esc that no control took (it reached the window): out of the player, then out of
        presentation mode. A new size (full screen arrives late from a window manager, a
        projector is plugged in): the panels under the canvas keep their share of it."""
        if obj is self.window and event.type() == QEvent.Type.Resize:
            self._share_bottom(event.size().height())
        if obj is self.window and event.type() == QEvent.Type.KeyPress \
                and event.key() == Qt.Key.Key_Escape:
            self.window.escape()
            return True
        return super().eventFilter(obj, event)
