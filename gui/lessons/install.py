"""Lessons in the main window: the Lessons dock beside the canvas, and the ways in.

``install_lessons(window)`` adds the Help dock and the Lessons dock on the left, each tabbed with
the palette and hidden until asked for (``window.show_lessons()``: Help ▸ Lessons, the empty canvas's "Take a lesson"). Its
panel (gui/lessons/panel.py) is built when first shown; then it follows predict mode's answers,
the player's steps and training, which a step may wait for.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget

from gui.actions import LazyDock, declare_needs
from gui.panels.help import beside_palette, install_help

LESSONS_WIDTH = 360      # the dock when a lesson starts: room for its prose
LESSONS_MIN = 240        # narrower, its prose and buttons are of no use (the dock collapses)
SIDE_MIN_HEIGHT = 220


def install_lessons(window) -> LazyDock:
    """The Help dock (gui/panels/help.py) and the Lessons dock, both beside the canvas."""
    install_help(window)
    dock = LazyDock("Lessons", window, lambda: _build(window), "lessons_dock")
    dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                     | QDockWidget.DockWidgetFeature.DockWidgetClosable
                     | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
    dock.hide()            # tabbed with the palette when first shown (beside_palette)
    declare_needs(dock, (LESSONS_MIN, SIDE_MIN_HEIGHT), LESSONS_WIDTH, collapse_order=30)
    window.lessons_dock = dock
    window.canvas_hint = window.canvas.empty_hint
    window.canvas_hint.lessons_button = window.canvas_hint.add_button(
        "New here? Take a lesson ▸", "empty_lessons",
        "Short lessons that walk you through backprop on this app (Help ▸ Lessons)",
        lambda: show_lessons(window))
    return dock


def _build(window):
    from gui.lessons.panel import LessonsPanel
    panel = LessonsPanel(window)
    driver = panel.driver

    def follow_player(player_panel) -> None:
        player_panel.predict.answered.connect(driver.prediction_answered)
        player_panel.player.step_changed.connect(driver.player_moved)
        player_panel.player.active_changed.connect(driver.player_moved)

    def follow_training(training) -> None:
        training.session.state_changed.connect(driver.player_moved)

    window.player_dock.when_built(follow_player)
    window.training_dock.when_built(follow_training)
    return panel


def show_lessons(window, path=None) -> None:
    """Bring the Lessons dock forward (with the list, or starting the lesson in ``path``)."""
    dock = window.lessons_dock
    beside_palette(window, dock)
    dock.raise_()
    if dock.width() < LESSONS_WIDTH:
        window.resizeDocks([dock], [LESSONS_WIDTH], Qt.Orientation.Horizontal)
    panel = dock.widget()
    if path is not None:
        panel.start(path)
    elif not panel.driver.active:
        panel.show_list()
