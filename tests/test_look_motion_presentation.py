"""Reduce motion and presentation mode (issue 20).

Reduce motion (View menu, saved): playing jumps from settled step to settled step — no pulse
travels (time is driven by a fake clock, no sleeps) — and live plots and the live canvas
redraw at most twice a second. Presentation mode (F11, View ▸ Present): full screen, text at
least 150 %, the palette hidden, the canvas and the panel under it large; Esc leaves the
player first and presentation mode second; the dock layout from before comes back and the
presentation's is never saved."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from gui.player import controller as player_controller
from gui.player.timeline import SETTLED_PULSE
from gui.theme import look
from gui.training import live_canvas
from layout_helpers import settle_layout
from look_helpers import default_look  # noqa: F401 (fixture)
from training_helpers import open_example
from window_fixtures import dialogs, settings, window  # noqa: F401 (fixtures)

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def pulses_while_playing(window, monkeypatch) -> list:
    """Play three steps under a fake clock ticking at 60 Hz; every pulse position shown."""
    clock = {"now": 1000.0}
    monkeypatch.setattr(player_controller.time, "monotonic", lambda: clock["now"])
    player = window.player
    shown = []
    scene = window.canvas.graph_scene
    original = scene.show_replay

    def record(rec):
        shown.extend(edge.pulse for edge in rec.edges.values() if edge.pulse is not None)
        return original(rec)
    monkeypatch.setattr(scene, "show_replay", record)
    player.enter(0)
    player.set_speed(2.0)
    player.play()
    player._timer.stop()                  # the test's clock drives the ticks
    for _ in range(90):                   # 1.5 s: three steps at 2 steps a second
        clock["now"] += 1 / 60
        player._tick()
    player.pause()
    return shown


def test_reduce_motion_jumps_between_settled_steps(window, monkeypatch, default_look):
    open_example(window, "chain_rule")
    moving = pulses_while_playing(window, monkeypatch)
    assert any(0 < p < SETTLED_PULSE for p in moving)          # normally a pulse travels
    window.player.leave()
    action = window.look_menu.reduce_motion
    action.trigger()                                            # View ▸ Reduce Motion
    assert look.reduce_motion() and action.isChecked()
    assert window.settings.value("look/reduce_motion") in (True, "true")
    still = pulses_while_playing(window, monkeypatch)
    assert window.player.current >= 3                           # it went on, step by step …
    assert set(still) <= {SETTLED_PULSE}                        # … with nothing travelling


def test_reduce_motion_redraws_live_plots_at_most_twice_a_second(window, default_look):
    open_example(window, "xor_mlp")
    pacer = window.training.pacer
    pacer.costs = {plot: 0.0005 for plot in pacer.plots}        # quick plots (not measured)
    assert pacer.frame_seconds() < 0.1 and live_canvas.live_interval_ms() < 500
    window.look_menu.reduce_motion.trigger()
    assert pacer.frame_seconds() == 0.5 and live_canvas.live_interval_ms() == 500
    pacer.costs = {plot: 0.2 for plot in pacer.plots}           # slow plots: rarer still
    assert pacer.frame_seconds() == pytest.approx(1.0)


def press_f11(window) -> None:
    QTest.keyClick(window, Qt.Key.Key_F11)
    settle_layout()


def test_presentation_mode_and_esc_in_order(window, default_look):
    window.resize(1280, 720)
    open_example(window, "xor_mlp")
    settle_layout()
    window.look_menu.size_actions["text_size_125"].trigger()
    window.training_dock.show()
    window.training_dock.raise_()
    window.layout_policy.resized()           # the policy's own layout of this window
    settle_layout()
    before = {"state": bytes(window.saveState()), "palette": window.palette_dock.isVisible(),
              "inspector": window.inspector_dock.isVisible(),
              "training": window.training_dock.height()}
    window.activateWindow()
    press_f11(window)
    assert window.presentation.on and window.isFullScreen()
    assert window.look_menu.present.isChecked()
    assert look.current().text_percent == 150                  # max(125, 150)
    assert window.look_menu.size_actions["text_size_125"].isChecked()   # the user's choice
    assert not window.palette_dock.isVisible()
    window.resize(1920, 1080)                   # a projector larger than the window was
    settle_layout()
    assert not window.palette_dock.isVisible() and not window.inspector_dock.isVisible()
    viewport = window.canvas.viewport()
    assert viewport.width() >= 0.6 * window.width()             # the canvas large …
    policy = window.layout_policy                               # … and the panel under it
    assert policy.area_height(policy.current_front()) >= 0.3 * window.height()
    window.player.enter(2)
    settle_layout()
    assert window.player_dock.height() >= 0.3 * window.height()
    QTest.keyClick(window.canvas, Qt.Key.Key_Escape)            # the player goes first …
    settle_layout()
    assert not window.player.active and window.presentation.on
    QTest.keyClick(window.canvas, Qt.Key.Key_Escape)            # … then presentation mode
    settle_layout()
    assert not window.presentation.on and not window.isFullScreen()
    assert "Presentation mode" not in window.statusBar().currentMessage()
    assert look.current().text_percent == 125
    assert window.palette_dock.isVisible() == before["palette"]
    assert window.inspector_dock.isVisible() == before["inspector"]
    # the same docks, tabs and sizes (the layout policy settles the front tab once, ≤ 3 px)
    assert abs(window.training_dock.height() - before["training"]) <= 3


def test_a_text_size_chosen_while_presenting_is_the_one_after(window, default_look):
    open_example(window, "chain_rule")
    window.look_menu.present.trigger()
    settle_layout()
    window.look_menu.size_actions["text_size_200"].trigger()   # larger than 150: shown now
    assert look.current().text_percent == 200
    window.look_menu.size_actions["text_size_90"].trigger()    # smaller: kept for afterwards
    assert look.current().text_percent == 150
    window.look_menu.present.trigger()
    settle_layout()
    assert look.current().text_percent == 90
    assert window.settings.value("look/text_size") in (90, "90")


def test_the_presentations_layout_is_never_saved(window, settings, tmp_path, default_look):
    from PySide6.QtCore import QSettings
    open_example(window, "xor_mlp")
    window.training_dock.show()
    window.training_dock.raise_()
    settle_layout()
    reference = QSettings(str(tmp_path / "before.ini"), QSettings.Format.IniFormat)
    window.layout_policy.save(reference)                        # the layout before presenting
    reference.setValue("window/geometry", window.saveGeometry())
    window.activateWindow()
    press_f11(window)
    assert window.presentation.on and not window.palette_dock.isVisible()
    window.model.mark_saved()
    window.close()                                              # closed while presenting
    QApplication.processEvents()
    assert not window.presentation.on and look.current().text_percent == 100
    for key in ("window/state", "window/dock_heights", "window/collapsed", "window/geometry"):
        assert settings.value(key) == reference.value(key), key
