"""The look the user chose, and how a change of it reaches everything that draws.

``Look``: the theme asked for (light, dark or system), the one in use, the text size (a
percentage of the desktop's font), reduce motion, and the desktop's font. One per process
(``current()``). ``gui.theme.apply_look`` changes it; then, in this order:

1. the colour table switches (``colors.set_active``);
2. every module's own copy of colours or sizes is re-read: a module that keeps one registers
   a function with ``on_change`` (``gui.canvas.style``, ``gui.theme.heatmap`` do) — readers
   read those names when they draw, never copy them at import;
3. the application's palette, font and style sheet are set (every widget re-polishes);
4. ``signals().changed`` is emitted: a widget that drew colours or sizes into something of its
   own (rich text, a pyqtgraph plot, a pixmap, fixed widths) redraws it — ``follow(widget,
   callback)`` connects one for as long as the widget lives.

No widget of the app is imported here (this is the GUI's bottom layer).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QFont, QGuiApplication

THEME_CHOICES = ("light", "dark", "system")
TEXT_SIZES = (90, 100, 125, 150, 175, 200)    # percent of the desktop's font
PRESENTATION_TEXT = 150                       # presentation mode's text: at least this
REDUCED_FRAME_MS = 500                        # reduce motion: live plots at most twice a second
FALLBACK_THEME = "dark"                       # where the desktop does not say (offscreen, bare X)


@dataclass
class Look:
    choice: str = "system"          # what the user asked for
    theme: str = FALLBACK_THEME     # the table in use (system resolved)
    text_percent: int = 100
    reduce_motion: bool = False
    base_font: QFont | None = None  # the desktop's font, read before the app set any
    listeners: list = field(default_factory=list)

    @property
    def scale(self) -> float:
        return self.text_percent / 100.0


_LOOK = Look()


def current() -> Look:
    return _LOOK


def reduce_motion() -> bool:
    return _LOOK.reduce_motion


def text_scale() -> float:
    """The text size as a factor (1.0 at 100 %)."""
    return _LOOK.scale


def system_theme() -> str | None:
    """What the desktop says (``QStyleHints.colorScheme``): light, dark, or None (unknown)."""
    app = QGuiApplication.instance()
    if app is None:
        return None
    scheme = app.styleHints().colorScheme()
    if scheme == Qt.ColorScheme.Light:
        return "light"
    if scheme == Qt.ColorScheme.Dark:
        return "dark"
    return None


def resolve(choice: str) -> str:
    """The table for a choice: system is what the desktop says, Dark where it says nothing."""
    if choice == "system":
        return system_theme() or FALLBACK_THEME
    return choice


def on_change(callback: Callable[[], None]) -> Callable[[], None]:
    """Run ``callback()`` after every change of the look, before widgets hear of it (a module
    re-reading its colours and sizes); returns it (usable as a decorator)."""
    _LOOK.listeners.append(callback)
    return callback


def run_listeners() -> None:
    for callback in list(_LOOK.listeners):
        callback()


class LookSignals(QObject):
    changed = Signal()


_SIGNALS: list[LookSignals] = []


def signals() -> LookSignals:
    """The one ``LookSignals`` (made on first use; needs a Qt application for its thread)."""
    if not _SIGNALS:
        _SIGNALS.append(LookSignals())
    return _SIGNALS[0]


class _Follower(QObject):
    """Calls back on every change for as long as its owner (its parent) lives."""

    def __init__(self, owner: QObject, callback: Callable[[], None]):
        super().__init__(owner)
        self.callback = callback
        signals().changed.connect(self.fire)

    def fire(self) -> None:
        self.callback()


def follow(owner: QObject, callback: Callable[[], None]) -> QObject:
    """``callback()`` after every change of the look while ``owner`` lives."""
    return _Follower(owner, callback)
