"""View ▸ Theme, Text Size, Reduce Motion and Present: the look's menu items, and the look the
app starts with.

The user's choices are saved in the window's settings (``look/theme``, ``look/text_size``,
``look/reduce_motion``) and read at start-up (``saved_look``); ``--theme`` on the command line
chooses a theme for one run without saving it. Presentation mode (gui/window/presentation.py)
raises the text size for a while without saving that either.
"""
from __future__ import annotations

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QApplication

from gui import theme
from gui.actions import menu_named
from gui.theme import look
from gui.window.presentation import Presentation

THEME_ITEMS = (("light", "&Light"), ("dark", "&Dark"), ("system", "Follow &System"))


def _bool(value) -> bool:
    return value is True or str(value).lower() in ("true", "1")


def saved_look(settings) -> tuple[str, int, bool]:
    """(theme choice, text size %, reduce motion) from ``settings``; what is missing or not
    understood (a hand-edited file, another version) is the default."""
    choice = str(settings.value("look/theme", "system"))
    if choice not in look.THEME_CHOICES:
        choice = "system"
    try:
        size = int(settings.value("look/text_size", 100))
    except (TypeError, ValueError):
        size = 100
    if size not in look.TEXT_SIZES:
        size = 100
    return choice, size, _bool(settings.value("look/reduce_motion", False))


class LookMenu:
    """The View menu's look items, kept ticked as the look changes (from here, the command
    line or the desktop)."""

    def __init__(self, window):
        self.window = window
        view = menu_named(window, "View")
        view.addSeparator()
        self.theme_menu = view.addMenu("&Theme")
        self.theme_actions = self._group(self.theme_menu, [
            (f"theme_{choice}", text, lambda c=choice: self.choose_theme(c))
            for choice, text in THEME_ITEMS])
        self.size_menu = view.addMenu("Text &Size")
        self.size_actions = self._group(self.size_menu, [
            (f"text_size_{size}", f"{size} %", lambda s=size: self.choose_text_size(s))
            for size in look.TEXT_SIZES])
        self.reduce_motion = view.addAction("Reduce &Motion")
        self.reduce_motion.setObjectName("reduce_motion")
        self.reduce_motion.setCheckable(True)
        self.reduce_motion.setToolTip("The player jumps from step to step without pulses; "
                                      "live plots redraw at most twice a second")
        self.reduce_motion.toggled.connect(self.set_reduce_motion)
        self.present = QAction("&Present", window)
        self.present.setObjectName("present")
        self.present.setCheckable(True)
        self.present.setShortcut(QKeySequence("F11"))
        self.present.setToolTip("Presentation mode: full screen, large text, the canvas, the "
                                "player and the plots large (F11 or Esc to leave)")
        self.present.triggered.connect(lambda checked: window.presentation.toggle())
        window.addAction(self.present)
        view.addAction(self.present)
        window.actions_by_name.update({"present": self.present,
                                       "reduce_motion": self.reduce_motion})
        self._scale = look.text_scale()
        look.follow(window, self.sync)
        self.sync()

    def _group(self, menu, items) -> dict:
        group = QActionGroup(menu)
        actions = {}
        for name, text, slot in items:
            action = menu.addAction(text)
            action.setObjectName(name)
            action.setCheckable(True)
            action.triggered.connect(lambda checked=False, s=slot: s())
            group.addAction(action)
            actions[name] = action
        return actions

    # -- choosing -------------------------------------------------------------------------------
    def choose_theme(self, choice: str) -> None:
        theme.apply_look(QApplication.instance(), choice=choice)
        self.window.settings.setValue("look/theme", choice)

    def choose_text_size(self, percent: int) -> None:
        self.window.settings.setValue("look/text_size", percent)
        presentation = self.window.presentation
        if presentation.on:
            presentation.text_before = percent       # what leaving presentation returns to
            percent = max(percent, look.PRESENTATION_TEXT)
        theme.apply_look(QApplication.instance(), text_percent=percent)

    def set_reduce_motion(self, on: bool) -> None:
        if on != look.reduce_motion():
            theme.apply_look(QApplication.instance(), reduce_motion=on)
            self.window.settings.setValue("look/reduce_motion", on)

    def sync(self) -> None:
        """Tick what is in use."""
        state = look.current()
        for name, action in self.theme_actions.items():
            action.setChecked(name == f"theme_{state.choice}")
        presentation = self.window.presentation
        shown = presentation.text_before if presentation.on else state.text_percent
        for name, action in self.size_actions.items():
            action.setChecked(name == f"text_size_{shown}")
        if self.reduce_motion.isChecked() != state.reduce_motion:
            self.reduce_motion.setChecked(state.reduce_motion)
        if look.text_scale() != self._scale:         # larger text: the docks give way first
            self._scale = look.text_scale()
            window = self.window
            window.docks.rescale()
            window.layout_policy.resized()
            window._fit_toolbar()


def install_look(window) -> LookMenu:
    """Presentation mode and the View menu's look items (after the window's menus)."""
    window.presentation = Presentation(window)
    window.look_menu = LookMenu(window)
    return window.look_menu
