"""Where features put themselves in the main window: a toolbar slot, a named menu, and a dock
whose content is built the first time it is shown (``LazyDock``); where the document's relative
paths start (``document_folder``)."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDockWidget, QWidget


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
