"""The window on small screens and over time (issue 15 items 4 and 5): the canvas keeps half
the window, each plot shown and the step card keep their least sizes, docks that do not fit
collapse and come back, no text is cut down to "…", and the dock layout never drifts — each
tab under the canvas keeps its own height, leaving the player brings back the tab that was in
front, and a restart restores what the user had."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenuBar

from gui.window.main_window import MainWindow
from layout_helpers import drag_height, front_bottom_tab, settle_layout, texts_elided_to_nothing
from training_helpers import open_example, show_plot, wait_idle
from window_fixtures import dialogs, settings, window  # noqa: F401  (fixtures)

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

SMALL_SCREENS = [(1024, 700), (1280, 720), (800, 600)]


def press(window, key) -> None:
    """A key on the canvas, where the player's keys live."""
    window.activateWindow()
    window.canvas.setFocus()
    QTest.keyClick(window.canvas, key)
    settle_layout()


def assert_canvas_keeps_half(window) -> None:
    viewport = window.canvas.viewport()
    assert viewport.width() >= window.width() / 2, (viewport.size(), window.size())
    assert viewport.height() >= window.height() / 2, (viewport.size(), window.size())


@pytest.mark.parametrize("size", SMALL_SCREENS, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("example", ["xor_mlp", "spiral_classifier"])
def test_a_small_screen_keeps_the_canvas_every_plot_and_the_step_card(window, qtbot, size,
                                                                      example):
    window.resize(*size)
    open_example(window, example)
    panel = window.training
    panel.steps_box.setValue(30)
    window.training_dock.show()
    window.training_dock.raise_()
    panel.start()
    wait_idle(qtbot, panel)
    settle_layout()
    assert (window.width(), window.height()) == size         # nothing made the window grow
    assert front_bottom_tab(window) == "Training"
    assert_canvas_keeps_half(window)
    bars = panel.scroller.horizontalScrollBar(), panel.scroller.verticalScrollBar()
    assert [bar.maximum() for bar in bars] == [0, 0]          # no plot behind a scroll bar
    for plot in panel.plots:                                  # each reached, each big enough
        show_plot(panel, plot)
        for shown in panel.plot_grid.shown():
            assert shown.plot.width() >= 200 and shown.plot.height() >= 140, \
                (shown.title, shown.plot.size())
        assert texts_elided_to_nothing(window) == []
        assert_canvas_keeps_half(window)
    press(window, Qt.Key.Key_End)                              # the player: its step card
    assert front_bottom_tab(window) == "Player"
    card = window.step_card
    assert card.width() >= 300 and card.height() >= 120, card.size()
    assert_canvas_keeps_half(window)
    assert texts_elided_to_nothing(window) == []
    assert window.canvas.transform().m11() >= 0.3       # the nodes are drawn, not blank boxes


def test_docks_that_do_not_fit_collapse_and_come_back(window):
    open_example(window, "two_paths")
    palette = window.palette_dock
    view_palette = palette.toggleViewAction()
    window.resize(800, 600)
    settle_layout()
    assert palette.isHidden() and not view_palette.isChecked()     # collapsed, not squeezed
    assert not window.inspector_dock.isHidden()
    assert_canvas_keeps_half(window)
    window.resize(1440, 900)
    settle_layout()
    assert not palette.isHidden() and view_palette.isChecked()     # back by itself
    view_palette.trigger()                                         # the user closes it …
    window.resize(800, 600)
    settle_layout()
    window.resize(1440, 900)
    settle_layout()
    assert palette.isHidden()                                      # … and it stays closed


def test_short_windows_put_the_toolbar_in_the_menu_row_and_tabs_lose_their_titles(window):
    open_example(window, "xor_mlp")
    settle_layout()
    toolbar = window.toolbar
    tall_canvas = window.canvas.viewport().height()
    window.resize(1024, 700)
    settle_layout()
    assert isinstance(toolbar.parentWidget(), QMenuBar) and toolbar.isVisible()
    assert toolbar.geometry().bottom() < window.menuBar().height()
    for action in toolbar.actions():           # every button there, inside the row
        button = toolbar.widgetForAction(action)
        if action.isVisible() and not action.isSeparator() and action.text() \
                and button is not None:
            assert button.isVisible() and toolbar.rect().contains(button.geometry()), \
                action.text()
    chain, training = window.chain_rule_dock, window.training_dock
    assert chain.titleBarWidget() is not None and chain.titleBarWidget().height() <= 0
    menu = window.layout_policy.chrome.tab_menu(training)         # right-click on its tab
    assert [a.text() for a in menu.actions()] == ["Float Training", "Close Training"]
    window.resize(1440, 900)
    settle_layout()
    assert toolbar.parentWidget() is window and toolbar.isVisible()
    assert chain.titleBarWidget() is None
    assert window.canvas.viewport().height() == tall_canvas


def canvas_height(window) -> int:
    return window.canvas.viewport().height()


def test_showing_the_training_tab_does_not_shrink_the_chain_rule_tab(window, settings):
    """The canvas was 585 px with the Chain rule tab; once the Training tab had been shown
    it stayed 370 px, and so after a restart."""
    window.resize(1440, 900)
    open_example(window, "two_paths")
    settle_layout()
    assert front_bottom_tab(window) == "Chain rule"
    first = canvas_height(window)
    window.training_dock.raise_()
    settle_layout()
    with_training = canvas_height(window)
    assert with_training < first
    for _ in range(2):
        window.chain_rule_dock.raise_()
        settle_layout()
        assert canvas_height(window) == first
        window.training_dock.raise_()
        settle_layout()
        assert canvas_height(window) == with_training
    window.chain_rule_dock.raise_()
    settle_layout()
    drag_height(window, window.chain_rule_dock, 300)          # the user's own height …
    mine = canvas_height(window)
    assert mine < first
    window.training_dock.raise_()
    settle_layout()
    window.chain_rule_dock.raise_()
    settle_layout()
    assert canvas_height(window) == mine                      # … is kept for that tab
    window.model.mark_saved()
    window.close()                                            # saves the layout
    again = MainWindow(settings=QSettings(settings.fileName(), QSettings.Format.IniFormat))
    try:
        again.restore_layout()
        again.show()
        again.resize(1440, 900)              # (offscreen screens are smaller than that)
        open_example(again, "two_paths")
        settle_layout()
        assert front_bottom_tab(again) == "Chain rule" and canvas_height(again) == mine
        again.training_dock.raise_()
        settle_layout()
        assert canvas_height(again) == with_training
    finally:
        again.model.mark_saved()
        again.close()
        again.deleteLater()


@pytest.mark.parametrize("tab", ["Chain rule", "Training"])
def test_esc_leaves_the_player_for_the_tab_that_was_in_front(window, tab):
    window.resize(1440, 900)
    open_example(window, "two_paths")
    dock = window.chain_rule_dock if tab == "Chain rule" else window.training_dock
    dock.raise_()
    settle_layout()
    height = canvas_height(window)
    press(window, Qt.Key.Key_End)
    assert front_bottom_tab(window) == "Player"
    press(window, Qt.Key.Key_Escape)
    assert front_bottom_tab(window) == tab
    assert canvas_height(window) == height


def test_reset_layout_puts_every_panel_back(window):
    window.resize(1440, 900)
    open_example(window, "two_paths")
    settle_layout()
    start = (window.palette_dock.width(), window.inspector_dock.width(),
             canvas_height(window))
    window.inspector_dock.toggleViewAction().trigger()              # closed
    window.training_dock.raise_()
    settle_layout()
    drag_height(window, window.training_dock, 250)
    window.resizeDocks([window.palette_dock], [300], Qt.Orientation.Horizontal)
    settle_layout()
    reset = window.actions_by_name["reset_layout"]
    assert reset in window.menuBar().actions()[2].menu().actions()   # View ▸ Reset Layout
    reset.trigger()
    settle_layout()
    assert not window.inspector_dock.isHidden()
    assert front_bottom_tab(window) == "Chain rule"
    assert (window.palette_dock.width(), window.inspector_dock.width(),
            canvas_height(window)) == start
    QApplication.processEvents()
