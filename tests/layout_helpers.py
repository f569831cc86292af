"""Helpers for the layout tests: what a user sees of a window's texts, and of its docks."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QTabBar, QTableWidget

ELLIPSIS = "…"


def _elided(metrics, text: str, mode, width: int) -> str:
    return metrics.elidedText(text, mode, max(0, width))


def texts_elided_to_nothing(window) -> list[str]:
    """Every visible text of the window that shows nothing of itself but "…" (or nothing at
    all): one-line labels (those eliding themselves included), table cells and headers, and
    tab titles."""
    found = []
    for label in window.findChildren(QLabel):
        if not label.isVisible() or label.wordWrap() or label.pixmap() is not None \
                and not label.pixmap().isNull():
            continue
        full = label.text()
        if not full.strip() or "<" in full or "\n" in full:
            continue
        shown = QLabel.text(label)               # an ElidedLabel's own elision
        if shown.strip() in ("", ELLIPSIS):
            found.append(f"label {full!r} shows {shown!r}")
            continue
        room = label.contentsRect().width()
        first = label.fontMetrics().horizontalAdvance(shown[:2])
        if room < first:
            found.append(f"label {full!r} is {room} px wide")
    for table in window.findChildren(QTableWidget):
        if not table.isVisible():
            continue
        header = table.horizontalHeader()
        for column in range(table.columnCount()):
            if table.isColumnHidden(column):
                continue
            width = table.columnWidth(column) - 6
            item = table.horizontalHeaderItem(column)
            if item is not None and item.text() and _elided(
                    header.fontMetrics(), item.text(), header.textElideMode(),
                    width) in ("", ELLIPSIS):
                found.append(f"header {item.text()!r}")
            for row in range(table.rowCount()):
                cell = table.item(row, column)
                if cell is not None and cell.text() and _elided(
                        table.fontMetrics(), cell.text(), table.textElideMode(),
                        width) in ("", ELLIPSIS):
                    found.append(f"cell {cell.text()!r}")
    for bar in window.findChildren(QTabBar):
        if not bar.isVisible():
            continue
        for index in range(bar.count()):
            text = bar.tabText(index)
            shown = _elided(bar.fontMetrics(), text, bar.elideMode(),
                            bar.tabRect(index).width() - 8)
            if text and (shown in ("", ELLIPSIS) or len(shown.replace(ELLIPSIS, "")) < 2):
                found.append(f"tab {text!r} shows {shown!r}")
    return found


def front_bottom_tab(window) -> str:
    """The title of the panel in front under the canvas."""
    shown = [d.windowTitle() for d in (window.chain_rule_dock, window.training_dock,
                                        window.player_dock)
             if d.isVisible() and not d.visibleRegion().isEmpty()]
    assert len(shown) == 1, shown
    return shown[0]


def settle_layout() -> None:
    """Let the window lay itself out (the policy settles in the next turn of the loop)."""
    for _ in range(4):
        QApplication.processEvents()


def drag_height(window, dock, height: int) -> None:
    """The area under the canvas set to ``height`` as a drag of its edge would."""
    window.resizeDocks([dock], [height], Qt.Orientation.Vertical)
    settle_layout()
