"""Helpers for the teaching tests (predict mode, lessons, Change to…): open an example, drive a
real right-click menu, type into the focused widget."""
from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

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
    """Open the menu a right click on ``node_id`` opens (the view's own ``context_menu`` at
    that pixel, popped up as Qt pops it) and pick ``path`` (texts, or a submenu's action's
    data) with the keyboard: each submenu opened with →, the last entry chosen with Enter.
    Returns the texts of the menus seen, level by level."""
    settle(6)                         # a pending fit of a just-opened document first
    viewport = window.canvas.viewport()
    point = node_point(window, node_id)
    QTest.mouseMove(viewport, point)
    menu = window.canvas.context_menu(point)
    menu.popup(viewport.mapToGlobal(point))
    settle()
    seen = []
    try:
        for want in path:
            seen.append([a.text() for a in menu.actions()])
            action = next((a for a in menu.actions()
                           if a.text().startswith(want) or a.data() == want), None)
            assert action is not None, f"no {want!r} in the menu: {seen[-1]}"
            menu.setActiveAction(action)
            if action.menu() is None:
                QTest.keyClick(menu, Qt.Key.Key_Return)
                break
            QTest.keyClick(menu, Qt.Key.Key_Right)          # opens the submenu
            assert action.menu().isVisible(), f"{want} did not open"
            menu = action.menu()
    finally:
        while QApplication.activePopupWidget() is not None:
            QApplication.activePopupWidget().close()
        settle()
    return seen


def type_text(widget, text: str, enter: bool = True) -> None:
    """Click ``widget`` (a line edit) and type ``text`` key by key, then Enter."""
    widget.setFocus()
    QTest.keyClicks(widget, text.replace("−", "-"))    # a keyboard types an ASCII minus
    if enter:
        QTest.keyClick(widget, Qt.Key.Key_Return)
    settle()
