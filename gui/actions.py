"""Where features put themselves in the main window: a toolbar slot, a named menu, a dock
whose content is built the first time it is shown (``LazyDock``), what a dock needs to be
useful (``declare_needs``: the window's layout policy, gui/window/dock_policy.py, reads it),
where the document's relative paths start (``document_folder``), and which shortcuts are one
character key (``single_key``: they belong to the canvas)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDockWidget, QWidget

_MODIFIERS = (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
              | Qt.KeyboardModifier.MetaModifier)


def single_key(action) -> bool:
    """``action`` has a shortcut that is one character key (F, K, N, Space …), with no Ctrl,
    Alt or Meta: such keys act only where the canvas has the focus (WCAG 2.1.4), never while
    the user types or works elsewhere."""
    for sequence in action.shortcuts():
        if sequence.count() != 1:
            continue
        combination = sequence[0]
        key = combination.key()
        if not combination.keyboardModifiers() & _MODIFIERS \
                and Qt.Key.Key_Space.value <= key.value <= Qt.Key.Key_AsciiTilde.value:
            return True
    return False


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


def document_folder(window):
    """Where the document's relative paths start: its file's folder; the examples' folder
    for an example (opened untitled); None for a new document."""
    if getattr(window, "path", None) is not None:
        return window.path.parent
    if "(example)" in getattr(window, "display_name", ""):
        from gui.model import files
        return files.EXAMPLES_DIR
    return None


def menu_named(window, title: str):
    """The window's menu `title` ("View" for "&View"), made when it is missing."""
    for action in window.menuBar().actions():
        if action.menu() is not None and action.text().replace("&", "") == title:
            return action.menu()
    return window.menuBar().addMenu(f"&{title}")


class LazyDock(QDockWidget):
    """A dock whose content ``build()`` makes the first time the dock is shown (its tab comes
    to the front, View ▸ shows it) or the content is asked for (``widget()``, ``content()``).
    A feature whose dock is hidden or behind another tab so costs nothing at start-up: its
    modules (and pyqtgraph) are imported by ``build``. ``when_built(callback)`` runs
    ``callback(content)`` then, or at once when it is built already."""

    built = Signal(object)

    def __init__(self, title: str, parent, build, name: str | None = None):
        super().__init__(title, parent)
        self.setObjectName(name or f"{title.lower()}_dock")
        self._build = build
        self._content = None
        self._building = False
        super().setWidget(QWidget())          # a placeholder until it is built
        self.visibilityChanged.connect(self._visible)

    @property
    def is_built(self) -> bool:
        return self._content is not None

    def content(self):
        """The content, built now if it was not yet."""
        if self._content is None and not self._building:
            self._building = True
            try:
                content = self._build()
            finally:
                self._building = False
            placeholder = super().widget()
            super().setWidget(content)
            placeholder.deleteLater()
            self._content = content
            self.built.emit(content)
        return self._content

    def widget(self):
        """The content (built on first request), never the placeholder."""
        return self.content()

    def when_built(self, callback) -> None:
        if self._content is not None:
            callback(self._content)
        else:
            self.built.connect(callback)

    def _visible(self, visible: bool) -> None:
        if visible:
            self.content()


Size = tuple[int, int]


@dataclass
class DockNeeds:
    """What a dock's content needs (gui/window/dock_policy.py lays the window out from it).

    ``minimum``: the content's size (without the dock's title bar) below which it is no use;
    a dock that cannot get it collapses rather than shrink further (a function: asked each
    time, e.g. from the content's fonts). ``preferred``: its size across its area when it
    opens — its height under the canvas, its width beside it (a function or a number).
    ``collapse_order``: who gives way first when docks do not fit (lower goes first)."""

    minimum: Callable[[], Size] | Size = (0, 0)
    preferred: Callable[[], int] | int | None = None
    collapse_order: int = 50

    def minimum_size(self) -> Size:
        return self.minimum() if callable(self.minimum) else self.minimum

    def preferred_size(self) -> int | None:
        return self.preferred() if callable(self.preferred) else self.preferred


def declare_needs(dock: QDockWidget, minimum: Callable[[], Size] | Size = (0, 0),
                  preferred: Callable[[], int] | int | None = None,
                  collapse_order: int = 50) -> DockNeeds:
    """Tell the window's layout policy what ``dock`` needs (see ``DockNeeds``)."""
    dock.layout_needs = DockNeeds(minimum, preferred, collapse_order)
    return dock.layout_needs


def needs_of(dock: QDockWidget) -> DockNeeds:
    """The dock's declared needs; a dock that declared none needs its minimum size hint."""
    needs = getattr(dock, "layout_needs", None)
    if needs is None:
        content = QDockWidget.widget(dock)          # a LazyDock's placeholder is not built
        hint = content.minimumSizeHint() if content is not None else None
        needs = DockNeeds((hint.width(), hint.height()) if hint is not None else (0, 0))
    return needs
