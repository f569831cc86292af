"""Compact chrome for short windows (a 1024×768 projector, a 1280×720 laptop, 800×600).

Below ``COMPACT_BELOW`` px of height every pixel of height goes to the canvas and the panels:

- the toolbar joins the menu bar's row (icons only, a little smaller); the menus keep their
  place and their keys, and the toolbar's » lists what does not fit;
- docks that share the area under the canvas as tabs show their tab, not a title bar above
  it as well (right-click a tab to float or close that panel; the View menu lists them all).

``CompactChrome.set(on)`` switches both ways; the window's saved state is always taken with
the toolbar back in its own row (``normal()``), so a restart in a taller window finds it.
"""
from __future__ import annotations

from contextlib import contextmanager

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtWidgets import QDockWidget, QMenu, QTabBar, QWidget

COMPACT_BELOW = 780          # window height, px
ICON = 20                    # the toolbar's icons in its own row …
COMPACT_ICON = 16            # … and in the menu bar's row
NO_TITLE = "compact_no_title"
ROW_STYLE = ("QToolBar { padding: 0px 4px; border: none; spacing: 1px; } "
             "QToolButton { padding: 2px 5px; } QToolBar::separator { margin: 4px 4px; }")


class CompactChrome(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.on = False
        self._tab_bars: set[int] = set()

    # -- the toolbar ----------------------------------------------------------------------
    def set(self, on: bool) -> bool:
        """Compact chrome on or off; True when it changed."""
        if on == self.on:
            return False
        window, toolbar = self.window, self.window.toolbar
        menubar = window.menuBar()
        if on:
            menubar.setCornerWidget(None, Qt.Corner.TopRightCorner)
            toolbar.menus_width = menubar.sizeHint().width() + 8
            window.removeToolBar(toolbar)
            toolbar.setIconSize(QSize(COMPACT_ICON, COMPACT_ICON))
            toolbar.in_menu_row = True
            toolbar.setStyleSheet(ROW_STYLE)
            menubar.setCornerWidget(toolbar, Qt.Corner.TopRightCorner)
            toolbar.show()
        else:
            menubar.setCornerWidget(None, Qt.Corner.TopRightCorner)
            toolbar.in_menu_row = False
            toolbar.setStyleSheet("")
            toolbar.setIconSize(QSize(ICON, ICON))
            window.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
            toolbar.show()
        self.on = on
        self.update_title_bars()
        window.layout().invalidate()
        window.layout().activate()
        return True

    @contextmanager
    def normal(self):
        """The toolbar in its own row for a while (to save or restore the window's state)."""
        was = self.on
        self.set(False)
        try:
            yield
        finally:
            self.set(was)

    # -- the docks under the canvas ----------------------------------------------------------
    def update_title_bars(self) -> None:
        """In compact chrome a docked, tabbed panel shows only its tab; otherwise its title bar."""
        window = self.window
        for dock in window.findChildren(QDockWidget):
            tabbed = any(not other.isHidden() for other in window.tabifiedDockWidgets(dock))
            hide = self.on and tabbed and not dock.isFloating() and not dock.isHidden()
            title = dock.titleBarWidget()
            if hide and title is None:
                empty = QWidget(dock)
                empty.setObjectName(NO_TITLE)
                dock.setTitleBarWidget(empty)
            elif not hide and title is not None and title.objectName() == NO_TITLE:
                dock.setTitleBarWidget(None)
                title.deleteLater()
        self.watch_tab_bars()

    def watch_tab_bars(self) -> None:
        """A context menu (Float, Close) on the tabs of docked panels."""
        for bar in self.window.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if id(bar) not in self._tab_bars:
                self._tab_bars.add(id(bar))
                bar.installEventFilter(self)

    def dock_at(self, bar: QTabBar, index: int) -> QDockWidget | None:
        title = bar.tabText(index)
        for dock in self.window.findChildren(QDockWidget):
            if dock.windowTitle() == title and not dock.isFloating():
                return dock
        return None

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.ContextMenu and isinstance(obj, QTabBar):
            dock = self.dock_at(obj, obj.tabAt(event.pos()))
            if dock is not None:
                self.tab_menu(dock).exec(event.globalPos())
                return True
        return super().eventFilter(obj, event)

    def tab_menu(self, dock: QDockWidget) -> QMenu:
        menu = QMenu(self.window)
        name = dock.windowTitle()
        features = dock.features()
        if features & QDockWidget.DockWidgetFeature.DockWidgetFloatable:
            menu.addAction(f"Float {name}", lambda: dock.setFloating(True))
        if features & QDockWidget.DockWidgetFeature.DockWidgetClosable:
            menu.addAction(f"Close {name}", dock.close)
        return menu
