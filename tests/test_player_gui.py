"""The player in the main window, driven as a user drives it: K, Space (a tap plays, a drag
pans), → / ←, Home / End, the slider dragged with the mouse; the step card's numbers; an edit
leaves the player; stepping back restores exactly what the canvas showed."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QFontMetricsF
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionSlider

from conftest import EXAMPLES
from gui.model import commands
from gui.display import NOT_YET
from gui.formatting import fmt_number
from gui.player.timeline import SETTLED_PULSE
from gui_helpers import mouse_drag
from window_fixtures import dialogs, settings, window  # noqa: F401 (fixtures)


def open_example(win, name):
    assert win.open_file(EXAMPLES / f"{name}.json", ask=False)
    win.model.run_now()
    QApplication.processEvents()


def key(win, k, modifiers=Qt.KeyboardModifier.NoModifier):
    win.activateWindow()
    win.canvas.setFocus()
    QTest.keyClick(win.canvas, k, modifiers)
    QApplication.processEvents()


def shown(win) -> dict:
    """What every node item shows: value and gradient lines, highlight; and edge looks."""
    scene = win.canvas.graph_scene
    nodes = {n: (i.value_text, i.grad_text, i.highlight, i.pending)
             for n, i in scene.nodes.items()}
    edges = {k: (e.label, e.grad_strength, e.grad_balance, e.pen_colour())
             for k, e in scene.edges.items()}
    return {"nodes": nodes, "edges": edges, "caption": win.canvas.caption_overlay.caption,
            "card": win.step_card.text()}


def test_arrows_home_end_step_through_and_the_card_shows_the_seeds_numbers(window):
    open_example(window, "chain_rule")
    player = window.player
    key(window, Qt.Key.Key_Right)           # the live view: → selects a node, the player waits
    assert not player.active and window.canvas.selected_nodes() == ["x"]
    key(window, Qt.Key.Key_Home)
    assert player.active and player.current == 0 and window.player_dock.isVisible()
    assert window.canvas.graph_scene.replaying
    assert window.canvas.node_item("u").value_text == NOT_YET       # not computed yet
    key(window, Qt.Key.Key_Right)
    assert player.current == 1 and window.canvas.node_item("x_squared").value_text == "= 2.25"
    key(window, Qt.Key.Key_End)
    assert player.current == player.count - 1 == 8
    card = window.step_card.text()
    assert "31.6875 × 3 = 95.0625" in card and "∂x_squared/∂x = 2·x = 3" in card
    assert window.canvas.node_item("x").grad_text == "∂y/∂x = 95.06"
    assert window.canvas.caption_overlay.caption == "step 9/9 · backward"
    key(window, Qt.Key.Key_Left)
    assert player.current == 7
    key(window, Qt.Key.Key_Home)
    assert player.current == 0 and "step 1/9 · initial" in window.step_card.text()


def test_two_paths_card_shows_the_sum_over_both_paths(window):
    """The card's sum line, read alone, holds the total (the step's title says the sum as
    well: a test reading the whole card once let a sum line with the last term pass)."""
    open_example(window, "two_paths")
    key(window, Qt.Key.Key_End)
    total = fmt_number(float(window.model.grads["t"]), 6)
    assert total == "2.0609"
    assert window.step_card.row("sum") == f"∂z/∂t = 0.41218 + 1.64872 = {total}  " \
                                          "(the sum over 2 paths)"
    key(window, Qt.Key.Key_Left)
    assert window.step_card.row("sum") is None
    assert "1 of 2 contributions" in window.step_card.row("so far")


def test_stepping_back_restores_exactly_what_was_shown(window):
    open_example(window, "xor_mlp")
    key(window, Qt.Key.Key_Home)
    seen = [shown(window)]
    for _ in range(window.player.count - 1):
        key(window, Qt.Key.Key_Right)
        seen.append(shown(window))
    assert len({str(s["caption"]) for s in seen}) == len(seen)
    for k in reversed(range(len(seen))):
        assert window.player.current == k
        assert shown(window) == seen[k]
        key(window, Qt.Key.Key_Left)


def test_k_plays_and_pauses_and_play_runs_to_the_end(window, qtbot):
    open_example(window, "chain_rule")
    player = window.player
    key(window, Qt.Key.Key_K)
    assert player.playing and player.active
    qtbot.waitUntil(lambda: any(e.display is not None and e.display.pulse is not None
                                and e.display.pulse < 0.88
                                for e in window.canvas.graph_scene.edges.values()), timeout=3000)
    key(window, Qt.Key.Key_K)
    assert not player.playing and player.active
    player.set_speed(40)
    player.play()
    qtbot.waitUntil(lambda: not player.playing, timeout=5000)
    assert player.current == player.count - 1


def test_a_space_tap_plays_but_space_and_drag_pans(window, qtbot):
    open_example(window, "chain_rule")
    canvas, player = window.canvas, window.player
    canvas.setFocus()
    QTest.keyClick(canvas, Qt.Key.Key_Space)           # a tap: press and release, no drag
    assert player.playing
    player.pause()
    before = (canvas.horizontalScrollBar().value(), canvas.verticalScrollBar().value())
    QTest.keyPress(canvas, Qt.Key.Key_Space)
    mouse_drag(canvas, (200, 200), (320, 260), scene=False)
    QTest.keyRelease(canvas, Qt.Key.Key_Space)
    QApplication.processEvents()
    after = (canvas.horizontalScrollBar().value(), canvas.verticalScrollBar().value())
    assert after != before and not player.playing         # panned, and did not toggle


def test_dragging_the_slider_scrubs(window):
    open_example(window, "xor_mlp")
    key(window, Qt.Key.Key_Home)
    slider = window.player_strip.slider
    QApplication.processEvents()
    option = QStyleOptionSlider()
    slider.initStyleOption(option)
    handle = slider.style().subControlRect(QStyle.ComplexControl.CC_Slider, option,
                                           QStyle.SubControl.SC_SliderHandle, slider)
    start = handle.center()
    QTest.mousePress(slider, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for x in range(start.x(), slider.width() + 40, 12):
        QTest.mouseMove(slider, QPoint(x, start.y()))
    QTest.mouseRelease(slider, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       QPoint(slider.width() - 2, start.y()))
    QApplication.processEvents()
    assert window.player.current == window.player.count - 1
    assert window.canvas.caption_overlay.caption.startswith("step 20/20")


def test_an_edit_leaves_the_player_for_the_live_view(window):
    open_example(window, "chain_rule")
    key(window, Qt.Key.Key_End)
    assert window.player.active
    window.undo_stack.push(commands.SetValue(window.model, "x", 2.0))
    QApplication.processEvents()
    assert not window.player.active and not window.canvas.graph_scene.replaying
    assert not window.player_dock.isVisible()
    assert window.canvas.caption_overlay.isHidden()
    window.model.run_now()
    assert window.canvas.node_item("x").value_text == "= 2"


def test_leave_is_what_training_calls(window):
    open_example(window, "xor_mlp")
    window.player.go_to(5)
    window.player.leave()
    assert not window.player.active and window.canvas.graph_scene.record.live


def test_granularity_keeps_the_place_and_the_menu_follows(window):
    open_example(window, "xor_mlp")
    player = window.player
    player.go_to(12)                     # h1W2 → h1, edge by edge
    index = player.step_info().backward_indices[0]
    node_item = window.findChild(type(window.actions_by_name["fit"]), "player_granularity_node")
    node_item.trigger()
    assert player.granularity == "node" and player.count == 15
    assert index in player.step_info().backward_indices
    assert window.player_strip.granularity.currentData() == "node"
    assert window.step_card.text().startswith(f"step {player.current + 1}/15")
    assert "h1W2 sends ∂loss/∂h1W2 back to h1, W2" in window.step_card.text()


def test_update_step_shows_the_optimizer_and_new_values(window):
    open_example(window, "xor_mlp")
    key(window, Qt.Key.Key_End)
    card = window.step_card.text()
    assert "adam" in card and "m̂" in card
    assert "b2: b2 ← b2 − 0.05 · m̂/(√v̂ + ε) = 0 − 0.05 × 0 = 0   (new − old = 0;" in card
    w2 = window.model.update_preview().of("W2")
    assert window.canvas.graph_scene.record.node("W2").value is not None
    assert not window.model.modified and w2 is not None


def test_arrow_keys_stay_with_text_fields(window):
    open_example(window, "chain_rule")
    search = window.palette.search
    search.setFocus()
    search.setText("tanh")
    QTest.keyClick(search, Qt.Key.Key_Left)
    QTest.keyClick(search, Qt.Key.Key_Home)
    assert search.cursorPosition() == 0 and not window.player.active


def test_export_animation_dialog_writes_the_frames(window, tmp_path):
    from gui.player.export_dialog import ExportAnimationDialog
    open_example(window, "two_paths")
    dialog = ExportAnimationDialog(window)
    dialog.folder.setText(str(tmp_path / "frames"))
    dialog.gif.setText(str(tmp_path / "a.gif"))
    dialog.width.setValue(640)
    dialog.height.setValue(400)
    assert dialog.export()
    frames = sorted((tmp_path / "frames").glob("frame_*.png"))
    assert len(frames) == dialog.frames == 9 and (tmp_path / "a.gif").exists()
    assert window.canvas.graph_scene.record.live       # the app's canvas was left alone


def test_the_strips_buttons_and_the_toolbars_play_are_real_buttons(window, qtbot):
    open_example(window, "chain_rule")
    play = window.toolbar.widgetForAction(window.player.actions["play"])
    assert play is not None and play.isVisible()
    QTest.mouseClick(play, Qt.MouseButton.LeftButton)
    assert window.player.playing and window.player_dock.isVisible()
    QTest.mouseClick(play, Qt.MouseButton.LeftButton)
    assert not window.player.playing
    strip = window.player_strip
    start = window.player.current
    QTest.mouseClick(strip.widgetForAction(window.player.actions["forward"]),
                     Qt.MouseButton.LeftButton)
    assert window.player.current == start + 1
    QTest.mouseClick(strip.widgetForAction(window.player.actions["live"]),
                     Qt.MouseButton.LeftButton)
    assert not window.player.active and not window.player_dock.isVisible()


def test_nothing_to_play_says_why(window):
    key(window, Qt.Key.Key_K)
    assert not window.player.active
    assert "Nothing to play" in window.statusBar().currentMessage()


def overlay_hits(win) -> list:
    """(node, overlay) pairs where a shown overlay covers part of a node on the canvas."""
    canvas, hits = win.canvas, []
    for name, overlay in (("caption", canvas.caption_overlay), ("legend", canvas.legend)):
        if overlay.isHidden():
            continue
        area = overlay.geometry()
        for nid, item in canvas.graph_scene.nodes.items():
            box = canvas.mapFromScene(item.sceneBoundingRect()).boundingRect()
            box.translate(canvas.viewport().pos())          # viewport → view coordinates
            if box.intersects(area):
                hits.append((nid, name))
    return hits


@pytest.mark.parametrize("size", [(1400, 900), (1150, 800), (1000, 700)])
def test_a_fitted_view_keeps_every_node_clear_of_the_caption_and_the_legend(window, size):
    window.resize(*size)
    for name in ("chain_rule", "two_paths", "xor_mlp"):
        open_example(window, name)
        canvas = window.canvas
        assert canvas.fitted and not canvas.legend.isHidden()          # live: the legend
        assert overlay_hits(window) == [], name
        key(window, Qt.Key.Key_End)                                    # the player opens
        QApplication.processEvents()
        assert not canvas.caption_overlay.isHidden() and canvas.fitted
        assert overlay_hits(window) == [], name
        key(window, Qt.Key.Key_Escape)
        QApplication.processEvents()


@pytest.mark.parametrize("size", [(1400, 900), (1000, 700)])
def test_stepping_from_forward_into_backward_keeps_the_view_still(window, size):
    """The legend comes with the first backward step; its room is kept from the first step
    of the player, so the graph does not jump up (a user saw it move ~50 px)."""
    window.resize(*size)
    open_example(window, "chain_rule")
    canvas = window.canvas
    key(window, Qt.Key.Key_Home)                        # the player opens at step 1: forward
    QApplication.processEvents()
    assert canvas.legend.isHidden() and canvas.fitted
    before, shown = canvas.transform(), canvas.mapToScene(canvas.viewport().rect()).boundingRect()
    saw_legend = False
    for _ in range(window.player.count - 1):
        key(window, Qt.Key.Key_Right)
        QApplication.processEvents()
        saw_legend = saw_legend or not canvas.legend.isHidden()
        assert canvas.transform() == before, window.canvas.caption_overlay.caption
        assert canvas.mapToScene(canvas.viewport().rect()).boundingRect() == shown
        assert overlay_hits(window) == []
    assert saw_legend


def test_a_canvas_squeezed_by_a_small_window_drops_the_legend_and_gets_it_back(window):
    """At 800×560 with the Training panel up, the legend covered most of a 40-px-high
    canvas (seen under Xvfb): below room for it, it goes, and the fitted graph uses the
    whole canvas; a larger window brings it back. (The canvas keeps half the window's
    height now: a window 340 px tall squeezes it that far.)"""
    window.resize(1400, 900)
    open_example(window, "chain_rule")
    canvas = window.canvas
    assert not canvas.legend.isHidden()
    window.resize(800, 340)
    QApplication.processEvents()
    assert canvas.viewport().height() < 2 * canvas.legend.HEIGHT
    assert canvas.legend.isHidden() and canvas.fitted
    window.resize(1400, 900)
    QApplication.processEvents()
    assert not canvas.legend.isHidden() and canvas.fitted, canvas.viewport().size()
    assert overlay_hits(window) == []


def build_by_hand(win) -> None:
    """x → square → loss-less chain y = x²·c, dropped and wired with the mouse in a new
    document, values set as the inspector sets them."""
    from gui_helpers import drop_palette_item, port_pos
    canvas, model = win.canvas, win.model
    ids = {}
    for key, op, xy in (("x", "input", (0, 0)), ("sq", "square", (230, 0)),
                        ("c", "constant", (230, 140)), ("m", "mul", (460, 60))):
        before = set(model.node_ids())
        assert drop_palette_item(canvas, "op", op, QPointF(*xy))
        (ids[key],) = set(model.node_ids()) - before
    for source, target, port in (("x", "sq", 0), ("sq", "m", 0), ("c", "m", 1)):
        mouse_drag(canvas, port_pos(canvas, ids[source], -1), port_pos(canvas, ids[target], port),
                   steps=8)
        assert model.source_of(ids[target], port) == ids[source]
    win.undo_stack.push(commands.SetValue(model, ids["x"], np.array(1.5)))
    win.undo_stack.push(commands.SetValue(model, ids["c"], np.array(2.0)))
    model.run_now()
    QApplication.processEvents()


def test_building_by_hand_the_view_does_not_jump_when_gradients_appear(window):
    window.resize(1200, 800)
    window.new_document()
    QApplication.processEvents()
    canvas = window.canvas
    assert canvas.fitted and canvas.legend.isHidden()
    before = canvas.transform()
    centre = canvas.mapToScene(canvas.viewport().rect().center())
    build_by_hand(window)
    assert not canvas.legend.isHidden()                      # gradients flow: the legend
    assert canvas.transform() == before                      # … and the view stayed put
    assert canvas.mapToScene(canvas.viewport().rect().center()) == centre


def test_the_player_makes_room_when_its_caption_would_cover_a_hand_built_graph(window):
    window.resize(1200, 800)
    window.new_document()
    QApplication.processEvents()
    build_by_hand(window)
    canvas = window.canvas
    top = canvas.graph_scene.itemsBoundingRect().top()
    canvas.centerOn(QPointF(230, top + canvas.viewport().height() / 2 - 20))  # nodes at the top
    assert not canvas.fitted
    window.activateWindow()
    QTest.qWaitForWindowActive(window, 1000)
    key(window, Qt.Key.Key_End)
    QApplication.processEvents()
    assert not canvas.caption_overlay.isHidden()
    assert overlay_hits(window) == [] or all(o == "legend" for _n, o in overlay_hits(window))


class Clock:
    """The player's clock, moved by the test (``time.monotonic`` in gui/player/controller)."""

    def __init__(self):
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


def test_pausing_mid_animation_shows_the_settled_step(window, qtbot, monkeypatch):
    """K in the middle of a step's pulse: the canvas, the card and the caption show the step
    settled — what stepping to it shows — never the frame the pulse had reached."""
    from gui.player import controller as controller_module
    clock = Clock()
    monkeypatch.setattr(controller_module, "time", clock)
    open_example(window, "two_paths")
    player = window.player
    key(window, Qt.Key.Key_End)
    key(window, Qt.Key.Key_Left)              # the last step plays next: the sum where t meets
    key(window, Qt.Key.Key_K)
    assert player.playing and player.current == player.count - 1
    clock.now += 0.3 / player.speed           # a third of the way: the pulse is on the wire
    scene = window.canvas.graph_scene
    qtbot.waitUntil(lambda: any(0 < (e.pulse or 0) < 0.6 for e in scene.record.edges.values()),
                    timeout=2000)             # the player's next tick drew that frame
    midway = shown(window)
    assert window.canvas.node_item("t").grad_text != "∂z/∂t = 2.061"   # not arrived yet
    key(window, Qt.Key.Key_K)
    assert not player.playing and player.current == player.count - 1
    paused = shown(window)
    assert all(e.pulse in (None, SETTLED_PULSE) for e in scene.record.edges.values())
    key(window, Qt.Key.Key_Left)
    key(window, Qt.Key.Key_Right)             # the same step, reached by stepping
    assert paused == shown(window) != midway
    assert window.canvas.node_item("t").grad_text == "∂z/∂t = 2.061"


def test_a_long_step_line_wraps_at_a_clause_never_inside_a_number(window):
    window.resize(900, 640)
    open_example(window, "two_paths")
    overlay = window.canvas.caption_overlay
    player = window.player
    wrapped = 0
    for k in range(player.count):
        player.go_to(k)
        QApplication.processEvents()
        room = overlay._room()
        lines = overlay.detail_lines(room)
        if len(lines) == 2:
            wrapped += 1
            assert lines[0].endswith(";") and "; ".join([lines[0][:-1], lines[1]]) == \
                overlay.detail                       # nothing lost between the two lines
            assert overlay.height() >= overlay.sizeHint().height()
        metrics = QFontMetricsF(overlay.detail_font)
        assert all(metrics.horizontalAdvance(line) <= room for line in lines) or len(lines) == 1
    assert wrapped > 0                                 # at this width some lines need two
