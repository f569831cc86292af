"""The main window's layout policy: the canvas first, the docks give way.

- **The canvas keeps half the window.** Its viewport keeps at least ``CANVAS_SHARE`` of the
  window's width and of its height: the docks beside and under it get maximum sizes that leave
  it that room, so neither a smaller window nor a dragged dock edge squeezes it.
- **A dock that does not fit collapses.** Each dock declares what it needs
  (``gui.actions.declare_needs``): the size below which its content is no use. When the window
  is laid out for a new size (start-up, a resize, View ▸ Reset Layout) a docked panel that
  cannot get that room is hidden (unticked in the View menu) instead of being squeezed — the
  side docks in their collapse order (the palette first), each panel under the canvas on its
  own, the tab in front first — and it comes back by itself once the window has room again. A panel the user (or a
  feature, e.g. Train) opens stays open until the next resize; one the user closes stays closed.
- **Each tab under the canvas keeps its own height.** The panels under the canvas share one
  area as tabs; the area takes the height of the tab in front: the one the user gave that tab
  by dragging, else its preferred height. So showing the Training tab once does not leave the
  Chain rule tab tall, and closing the front tab (leaving the player) brings back the tab that
  was in front before it, at its height.
- **Short windows use compact chrome** (gui/window/compact.py).

The heights, and which docks the policy collapsed, are saved with the window's state.
"""
from __future__ import annotations

import json
import math

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QStyle, QTabBar

from gui.actions import needs_of
from gui.window.compact import COMPACT_BELOW, CompactChrome

CANVAS_SHARE = 0.5
SIDE = (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea)
BOTTOM = Qt.DockWidgetArea.BottomDockWidgetArea
UNLIMITED = 16777215           # QWIDGETSIZE_MAX
USER_DRAG = 3                  # px: a height further than this from ours was set by the user


def is_open(dock: QDockWidget) -> bool:
    """Shown, or a tab behind another one (not closed)."""
    return not dock.isHidden()


class LayoutPolicy(QObject):
    def __init__(self, window, balancer):
        super().__init__(window)
        self.window = window
        self.balancer = balancer
        self.chrome = CompactChrome(window)
        self.collapsed: list[QDockWidget] = []     # docks this policy hid, oldest first
        self.heights: dict[str, int] = {}          # a bottom tab's area height, set by the user
        self.front: QDockWidget | None = None      # the bottom tab the area's height is for
        self.applied = 0                           # … the height this policy gave it
        self.history: list[QDockWidget] = []       # bottom tabs, the latest in front last
        self.restore_to: QDockWidget | None = None
        self.closed: QDockWidget | None = None      # the tab whose closing set restore_to
        self.opened_since_resize: set[int] = set()
        self._quiet = False
        self._watched: set[str] = set()
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(0)
        self.timer.timeout.connect(self.settle)
        self.measuring = QTimer(self)
        self.measuring.setSingleShot(True)
        self.measuring.setInterval(0)
        self.measuring.timeout.connect(self._measure)
        self._resizing = False
        window.installEventFilter(self)     # the end of a drag of a dock's edge
        self.watch()

    # -- docks --------------------------------------------------------------------------------
    def docks(self) -> list[QDockWidget]:
        return self.window.findChildren(QDockWidget,
                                        options=Qt.FindChildOption.FindDirectChildrenOnly)

    def watch(self) -> None:
        """Follow every dock of the window (features add theirs as they install)."""
        for dock in self.docks():
            if dock.objectName() in self._watched:
                continue
            self._watched.add(dock.objectName())
            dock.visibilityChanged.connect(lambda visible, d=dock: self._visibility(d, visible))
            dock.topLevelChanged.connect(lambda *_: self.schedule())
            dock.dockLocationChanged.connect(lambda *_: self.schedule())

    def area(self, dock: QDockWidget):
        return None if dock.isFloating() else self.window.dockWidgetArea(dock)

    def bottom_docks(self) -> list[QDockWidget]:
        return [d for d in self.docks() if self.area(d) == BOTTOM and is_open(d)]

    def side_docks(self) -> list[QDockWidget]:
        return [d for d in self.docks() if self.area(d) in SIDE and is_open(d)]

    def tabbed_with(self, dock: QDockWidget) -> list[QDockWidget]:
        """The docks in one tab group with ``dock`` (not itself)."""
        return self.window.tabifiedDockWidgets(dock)

    def current_front(self) -> QDockWidget | None:
        """The bottom tab in front: the last one to come forward that is still open."""
        bottoms = self.bottom_docks()
        shown = [d for d in bottoms if d.isVisible() and not d.visibleRegion().isEmpty()]
        for dock in reversed(self.history):
            if dock in bottoms and (not shown or dock in shown):
                return dock
        return shown[0] if shown else (bottoms[0] if bottoms else None)

    # -- following what the user (and Qt) did --------------------------------------------------
    def _visibility(self, dock: QDockWidget, visible: bool) -> None:
        if self._quiet:
            return
        if visible:
            if dock in self.collapsed:                 # opened by hand: the user's now
                self.collapsed.remove(dock)
            self.opened_since_resize.add(id(dock))
            if self.area(dock) == BOTTOM:
                if self.front is not None and self.front is not dock:
                    self._remember(self.front)
                    self.front = None
                if dock in self.history:
                    self.history.remove(dock)
                self.history.append(dock)
        elif dock.isHidden():                           # closed, not a tab gone behind
            if dock is self.front:
                self._remember(dock, closing=True)
                self.front = None
            if self.history and self.history[-1] is dock:
                earlier = [d for d in self.history[:-1] if is_open(d)]
                self.restore_to = earlier[-1] if earlier else None
                self.closed = dock
            if dock in self.history:
                self.history.remove(dock)
        self.schedule()

    def area_height(self, dock: QDockWidget, closing: bool = False) -> int:
        """The height of ``dock``'s area under the canvas: the dock and its tab bar (what
        ``resizeDocks`` sets); ``closing``: the dock was just closed, its tab with it."""
        docks = self.bottom_docks() + ([dock] if closing else [])
        return dock.height() + self.tabs_height(docks)

    def _remember(self, dock: QDockWidget, closing: bool = False) -> None:
        """The front tab's height, if the user changed it from what the policy gave it."""
        height = self.area_height(dock, closing)
        if (closing or dock.isVisible()) and abs(height - self.applied) > USER_DRAG:
            self.heights[dock.objectName()] = height

    def schedule(self) -> None:
        self.timer.start()

    def resized(self) -> None:
        """A new window size: lay it out afresh (panels opened by hand may collapse now; the
        tab in front takes its own height again, within the new room)."""
        self.opened_since_resize.clear()
        self._resizing = True
        try:
            self.settle()
        finally:
            self._resizing = False

    def _measure(self) -> None:
        """The front tab's height once the window has laid itself out: what the policy gave
        it (a later difference is the user's doing)."""
        if self.front is not None and self.front.isVisible():
            self.applied = self.area_height(self.front)

    def eventFilter(self, obj, event) -> bool:
        if obj is self.window and event.type() == QEvent.Type.MouseButtonRelease:
            QTimer.singleShot(0, self._dragged)       # a dock's edge may have moved
        return super().eventFilter(obj, event)

    def _dragged(self) -> None:
        if self.front is not None:
            self._remember(self.front)
            self._measure()

    # -- the layout ---------------------------------------------------------------------------
    def settle(self) -> None:
        """Apply the policy to the window as it is now (once it is on screen)."""
        if self._quiet or not self.window.isVisible():
            return
        self.watch()
        if self.chrome.set(self.window.height() < COMPACT_BELOW):
            self.balancer.applied = None
        restore, self.restore_to = self.restore_to, None
        reopened = self.closed is not None and is_open(self.closed)   # e.g. the player again
        if restore is not None and not reopened and is_open(restore) \
                and self.area(restore) == BOTTOM:
            restore.raise_()
        self.chrome.update_title_bars()
        self._free_others()
        self._fit_bottom()
        self._fit_sides()

    def _free_others(self) -> None:
        """A floating dock (or one moved elsewhere) is as large as the user makes it."""
        for dock in self.docks():
            area = self.area(dock)
            if area != BOTTOM:
                dock.setMaximumHeight(UNLIMITED)
            if area not in SIDE:
                dock.setMaximumWidth(UNLIMITED)

    def canvas_minimum(self) -> tuple[int, int]:
        """The canvas widget's least size: its viewport at CANVAS_SHARE, plus its frame."""
        canvas = self.window.canvas
        frame_w = canvas.width() - canvas.viewport().width()
        frame_h = canvas.height() - canvas.viewport().height()
        return (math.ceil(self.window.width() * CANVAS_SHARE) + max(0, frame_w),
                math.ceil(self.window.height() * CANVAS_SHARE) + max(0, frame_h))

    def separator(self) -> int:
        return self.window.style().pixelMetric(QStyle.PixelMetric.PM_DockWidgetSeparatorExtent,
                                               None, self.window)

    def dock_area_height(self) -> int:
        """Height between the menu bar / toolbar and the status bar: canvas and bottom docks."""
        window = self.window
        top = 0
        menu = window.menuWidget()
        if menu is not None and menu.isVisible():
            top = menu.geometry().bottom() + 1
        for toolbar in window.findChildren(type(window.toolbar)):
            if toolbar.isVisible() and window.toolBarArea(toolbar) == Qt.ToolBarArea.TopToolBarArea \
                    and toolbar.parentWidget() is window:
                top = max(top, toolbar.geometry().bottom() + 1)
        status = window.statusBar()
        bottom = status.geometry().top() if status.isVisible() else window.height()
        return bottom - top

    def tab_bar_height(self) -> int:
        heights = [bar.sizeHint().height() for bar in self.window.findChildren(
            QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly) if bar.isVisible()]
        return max(heights, default=0)

    @staticmethod
    def title_height(dock: QDockWidget) -> int:
        title = dock.titleBarWidget()
        if title is not None:
            return max(0, title.sizeHint().height()) if title.isVisible() else 0
        content = QDockWidget.widget(dock)
        if content is not None and dock.isVisible() and content.isVisible():
            return max(0, dock.height() - content.height())
        return dock.style().pixelMetric(QStyle.PixelMetric.PM_TitleBarHeight, None, dock)

    def tabs_height(self, docks) -> int:
        """The tab bar under tabbed bottom docks (0 for a dock alone)."""
        return self.tab_bar_height() if len(docks) > 1 else 0

    def bottom_budget(self, docks) -> int:
        """The height a dock under the canvas may take (its title bar included)."""
        return (self.dock_area_height() - self.canvas_minimum()[1] - self.separator()
                - self.tabs_height(docks))

    def fits_under(self, dock: QDockWidget, docks) -> bool:
        return needs_of(dock).minimum_size()[1] + self.title_height(dock) \
            <= self.bottom_budget(docks)

    def _fit_bottom(self) -> None:
        for _ in range(len(self.docks())):         # the tab in front, if it is of no use
            front = self.current_front()
            if front is None or id(front) in self.opened_since_resize \
                    or self.fits_under(front, self.bottom_docks()):
                break
            self._collapse(front)
        for dock in [d for d in self.collapsed if self._was_in(d, BOTTOM)]:
            if self.fits_under(dock, self.bottom_docks() + [dock]):
                self._expand(dock)
        docks = self.bottom_docks()
        budget = max(0, self.bottom_budget(docks))
        for dock in docks:
            dock.setMaximumHeight(max(budget, dock.minimumSizeHint().height()))
        front = self.current_front()
        if front is None:
            self.front = None
            return
        room = budget + self.tabs_height(docks)     # heights are the area's: tabs included
        if front is not self.front or self._resizing:
            wanted = self.heights.get(front.objectName()) or needs_of(front).preferred_size() \
                or self.area_height(front)
            self.front = front
            self.applied = min(wanted, room)
            self.window.resizeDocks([front], [self.applied], Qt.Orientation.Vertical)
        elif self.area_height(front) > room:
            self.window.resizeDocks([front], [room], Qt.Orientation.Vertical)
        self.measuring.start()

    def side_budget(self) -> int:
        """The width the docks beside the canvas may take together (the tab in front under
        the canvas may need more width than the canvas)."""
        front = self.current_front()
        bottom = needs_of(front).minimum_size()[0] if front is not None else 0
        return self.window.width() - max(self.canvas_minimum()[0], bottom)

    def _fit_sides(self) -> None:
        budget = self.side_budget()
        sep = self.separator()

        def total(docks) -> int:
            """Their width together: docks tabbed together share one column."""
            width, seen = 0, set()
            for dock in docks:
                if id(dock) in seen:
                    continue
                column = [d for d in docks if d is dock or d in self.tabbed_with(dock)]
                seen.update(id(d) for d in column)
                width += max(needs_of(d).minimum_size()[0] for d in column) + sep
            return width

        docks = sorted(self.side_docks(), key=lambda d: needs_of(d).collapse_order)
        while docks and total(docks) > budget:
            dock = docks.pop(0)
            if id(dock) in self.opened_since_resize:
                continue
            self._collapse(dock)
        for dock in reversed([d for d in self.collapsed if self._was_in(d, *SIDE)]):
            if total(self.side_docks() + [dock]) <= budget:
                self._expand(dock)
        docks = self.side_docks()
        for dock in docks:
            others = total([d for d in docks if d is not dock and d not in self.tabbed_with(dock)])
            dock.setMaximumWidth(max(budget - others - sep, dock.minimumSizeHint().width()))
        self.balancer.balance(room=budget - sep * len(docks))

    def _was_in(self, dock: QDockWidget, *areas) -> bool:
        return self.window.dockWidgetArea(dock) in areas

    def _collapse(self, dock: QDockWidget) -> None:
        self._quiet = True
        try:
            dock.hide()
        finally:
            self._quiet = False
        if dock not in self.collapsed:
            self.collapsed.append(dock)
        if dock in self.history:
            self.history.remove(dock)
        if dock is self.front:
            self.front = None

    def _expand(self, dock: QDockWidget) -> None:
        self.collapsed.remove(dock)
        self._quiet = True
        try:
            dock.show()
        finally:
            self._quiet = False
        if self.area(dock) == BOTTOM and dock not in self.history:
            self.history.insert(0, dock)

    # -- reset, save, restore -----------------------------------------------------------------
    def reset(self, default_state) -> None:
        """View ▸ Reset Layout: the docks where a first start puts them, at their preferred
        sizes; the user's heights and the policy's memory are forgotten."""
        self.heights.clear()
        self.collapsed.clear()
        self.history.clear()
        self.front, self.restore_to = None, None
        with self.chrome.normal():
            self.window.restoreState(default_state)
        self.balancer.reset()
        self.resized()

    def save(self, settings) -> None:
        """The window's dock state (taken with the toolbar in its own row), each tab's height
        and the docks this policy collapsed."""
        if self.front is not None:
            self._remember(self.front)
        with self.chrome.normal():
            settings.setValue("window/state", self.window.saveState())
        settings.setValue("window/dock_heights", json.dumps(self.heights))
        settings.setValue("window/collapsed", json.dumps([d.objectName() for d in self.collapsed]))

    def restore(self, settings, state) -> None:
        """What ``save`` wrote (nothing: a first start)."""
        if state is not None:
            with self.chrome.normal():
                self.window.restoreState(state)
        try:                               # settings a user may have edited by hand
            heights = json.loads(settings.value("window/dock_heights") or "{}")
            self.heights = {str(k): int(v) for k, v in heights.items()}
        except (TypeError, ValueError, AttributeError):
            self.heights = {}
        try:
            names = {str(n) for n in json.loads(settings.value("window/collapsed") or "[]")}
        except (TypeError, ValueError):
            names = set()
        self.collapsed = [d for d in self.docks() if d.objectName() in names and d.isHidden()]
        self.front = None
        self.resized()
