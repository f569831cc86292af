"""Where features put their actions in the main window: a toolbar slot and a named menu."""
from __future__ import annotations

from PySide6.QtCore import Qt


def insert_tool_action(toolbar, action, before=None,
                       style=Qt.ToolButtonStyle.ToolButtonTextBesideIcon):
    """Put `action` on `toolbar` before the action `before` (at the end when `before` is
    None or not there); returns its button (None offscreen before it is laid out)."""
    if before is not None and before in toolbar.actions():
        toolbar.insertAction(before, action)
    else:
        toolbar.addAction(action)
    button = toolbar.widgetForAction(action)
    if button is not None:
        button.setToolButtonStyle(style)
    return button


def menu_named(window, title: str):
    """The window's menu `title` ("View" for "&View"), made when it is missing."""
    for action in window.menuBar().actions():
        if action.menu() is not None and action.text().replace("&", "") == title:
            return action.menu()
    return window.menuBar().addMenu(f"&{title}")
