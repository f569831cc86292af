"""Helpers for the teaching tests (predict mode, lessons, Change to…): open an example, drive a
real right-click menu, type into the focused widget."""
from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu

from conftest import EXAMPLES


def open_example(window, name: str) -> None:
    assert window.open_file(EXAMPLES / f"{name}.json", ask=False)
    window.model.run_now()
    QApplication.processEvents()


def settle(rounds: int = 3) -> None:
    for _ in range(rounds):
        QApplication.processEvents()


def node_point(window, node_id: str) -> QPoint:
    """The viewport pixel at the middle of ``node_id``'s card."""
    canvas = window.canvas
    item = canvas.node_item(node_id)
    canvas.ensureVisible(item, 20, 20)
    return canvas.mapFromScene(item.sceneBoundingRect().center())


def right_click_menu(window, node_id: str, path: list) -> list:
    """Right-click ``node_id`` on the canvas and pick ``path`` (texts, or a submenu's action's
    data) through the real popup menus with the keyboard: each submenu opened with →, the
    last entry chosen with Enter. Returns the texts of the menus seen, level by level."""
    seen, failures = [], []

    def walk():
        menu = QApplication.activePopupWidget()
        try:
            assert isinstance(menu, QMenu), "no menu came up"
            for want in path:
                seen.append([a.text() for a in menu.actions()])
                action = next((a for a in menu.actions()
                               if a.text().startswith(want) or a.data() == want), None)
                assert action is not None, f"no {want!r} in the menu: {seen[-1]}"
                menu.setActiveAction(action)
                if action.menu() is None:
                    QTest.keyClick(menu, Qt.Key.Key_Return)
                    return
                QTest.keyClick(menu, Qt.Key.Key_Right)      # opens the submenu
                assert action.menu().isVisible(), f"{want} did not open"
                menu = action.menu()
            menu.close()
        except Exception as error:  # noqa: BLE001 - reported after the menu closed
            failures.append(error)
            while QApplication.activePopupWidget() is not None:
                QApplication.activePopupWidget().close()

    settle()                          # a pending fit of a just-opened document first
    viewport = window.canvas.viewport()
    point = node_point(window, node_id)
    QTest.mouseMove(viewport, point)
    QTest.mouseClick(viewport, Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier,
                     point)
    # what a window system sends after a right click (QTest's clicks go to the widget
    # directly, so Qt never makes one from them); the menu is walked once it is up
    QTimer.singleShot(30, walk)
    QApplication.sendEvent(viewport, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, point,
                                                       viewport.mapToGlobal(point)))
    settle()
    if failures:
        raise failures[0]
    return seen


def type_text(widget, text: str, enter: bool = True) -> None:
    """Click ``widget`` (a line edit) and type ``text`` key by key, then Enter."""
    widget.setFocus()
    QTest.keyClicks(widget, text)
    if enter:
        QTest.keyClick(widget, Qt.Key.Key_Return)
    settle()
