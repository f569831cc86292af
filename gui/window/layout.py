"""The main window in a small screen: docks that give way to the canvas, a toolbar whose every
action stays reachable (the policy that decides who gets what: gui/window/dock_policy.py).

- Docks are resizable down to sensible minimums (``PALETTE_MIN``, ``INSPECTOR_MIN``). When the
  window is resized, the side docks share the width the policy leaves them (at most
  ``DOCK_SHARE`` of the window's), in proportion to the widths wanted (what the user last set,
  else their preferred widths), and grow back to those widths when there is room again.
- The toolbar shows text beside its icons while that fits, icons only when it does not, and its
  overflow button (») lists whatever is still cut off.
"""
from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QToolButton

from gui import theme

PALETTE_MIN = 165
INSPECTOR_MIN = 250
DOCK_SHARE = 0.45              # of the window's width, for both side docks together
ALWAYS_ICON_ONLY = frozenset({"zoom_in", "zoom_out", "undo", "redo"})


class DockBalancer:
    """Keeps the side docks within their share of the window as it is resized."""

    def __init__(self, window, docks_and_widths):
        self.window = window
        self.docks = [dock for dock, _ in docks_and_widths]
        self.preferred = [width for _, width in docks_and_widths]
        self.wanted = list(self.preferred)
        self.applied: list | None = None
        for dock, minimum in zip(self.docks, (PALETTE_MIN, INSPECTOR_MIN)):
            dock.setMinimumWidth(minimum)
            dock.widget().setMinimumWidth(0)

    def _side_docks(self):
        return [(i, d) for i, d in enumerate(self.docks) if d.isVisible() and not d.isFloating()]

    def reset(self) -> None:
        """Forget the widths the user set (View ▸ Reset Layout)."""
        self.wanted = list(self.preferred)
        self.applied = None

    def balance(self, room: float | None = None) -> None:
        """Give each visible docked dock its wanted width, scaled down to fit ``room`` (and
        the share)."""
        docks = self._side_docks()
        if not docks:
            return
        current = [d.width() for _, d in docks]
        if self.applied is not None and len(self.applied) == len(current) \
                and any(abs(c - a) > 3 for c, a in zip(current, self.applied)):
            for (i, _), width in zip(docks, current):   # the user dragged a dock's edge
                self.wanted[i] = width
        wanted = [self.wanted[i] for i, _ in docks]
        room = min(self.window.width() * DOCK_SHARE, room if room is not None else 1e9)
        scale = min(1.0, room / max(1, sum(wanted)))
        widths = [max(d.minimumWidth(), round(w * scale)) for (_, d), w in zip(docks, wanted)]
        if widths != current:
            self.window.resizeDocks([d for _, d in docks], widths, Qt.Orientation.Horizontal)
        # what was asked for (the docks take it when the window lays itself out)
        self.applied = widths if self.window.isVisible() else None


def text_buttons(toolbar) -> list[QToolButton]:
    """The toolbar's buttons that may show text beside their icon."""
    buttons = []
    for action in toolbar.actions():
        button = toolbar.widgetForAction(action)
        if isinstance(button, QToolButton) and action.objectName() not in ALWAYS_ICON_ONLY:
            buttons.append(button)
    return buttons


def fit_toolbar(toolbar, width: int) -> bool:
    """Text beside icons if the whole toolbar fits ``width``, else icons only (True: text)."""
    buttons = text_buttons(toolbar)
    for button in buttons:
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    toolbar.layout().invalidate()
    fits = toolbar.sizeHint().width() <= width
    if not fits:
        for button in buttons:
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        toolbar.layout().invalidate()
    return fits


def show_overflow_button(toolbar) -> None:
    """Give the toolbar's overflow button a visible » and a tooltip (the default one is drawn
    dark on the dark toolbar)."""
    for button in toolbar.findChildren(QToolButton):
        if button.objectName() == "qt_toolbar_ext_button":
            button.setIcon(theme.make_icon("more"))
            button.setToolTip("More actions")
            button.setAccessibleName("More actions")
            button.setMinimumWidth(22)


def overflow_actions(toolbar) -> list:
    """The toolbar's actions cut off at its current width (those the » menu lists)."""
    hidden = []
    for action in toolbar.actions():
        widget = toolbar.widgetForAction(action)
        if action.isVisible() and not action.isSeparator() and widget is not None \
                and isinstance(widget, QToolButton) and not widget.isVisible():
            hidden.append(action)
    return hidden


def fit_to_screen(window, fraction: float) -> None:
    """``window`` at ``fraction`` of its screen's available area, centred (a first start)."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return
    area = screen.availableGeometry()
    rect = QRect(0, 0, round(area.width() * fraction), round(area.height() * fraction))
    rect.moveCenter(area.center())
    window.setGeometry(rect)
