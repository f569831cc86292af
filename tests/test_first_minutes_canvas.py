"""The first ten minutes on the canvas (issue 10): upstream values survive a downstream error
and a banner says why gradients are gone (1), one gradient notation everywhere (3), paste and
duplicate beside the originals (10), numbers readable in the fitted XOR view (12), and
scrubbing a value by dragging it (13) — with real mouse and key events on a real window."""
from __future__ import annotations

import re

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from gui.canvas import style
from gui.canvas.node_item import compact_value_pixels
from gui.canvas.scene import backward_steps, edge_explanation
from gui.canvas.text_fit import fitting
from gui_helpers import click, drop_palette_item, mouse_drag, port_pos, settle, view_point
from tests.conftest import EXAMPLES
from window_fixtures import dialogs, settings, window  # noqa: F401


def type_value(win, text: str) -> None:
    edit = win.inspector.value_edit
    edit.setFocus()
    edit.selectAll()
    QTest.keyClick(edit, Qt.Key.Key_Backspace)
    QTest.keyClicks(edit, text)
    QTest.keyClick(edit, Qt.Key.Key_Return)
    settle()


def press(win, key, modifiers=Qt.KeyboardModifier.ControlModifier):
    """A shortcut typed on the canvas of the active window (offscreen, a window loses its
    activation after some edits: ask for it back and wait)."""
    win.activateWindow()
    QTest.qWaitForWindowActive(win, 1000)
    win.canvas.setFocus()
    QTest.keyClick(win.canvas, key, modifiers)


def header_point(view, node_id):
    item = view.node_item(node_id)
    return item.mapToScene(QPointF(30, style.HEADER_H / 2))


def card(item) -> QRectF:
    return QRectF(item.pos().x(), item.pos().y(), style.NODE_W, item.height)


# ------------------------------------------------------------------ 1: a downstream error
def build_negative_into_log(win):
    """x → log → pow by palette drops and wires; then x = −1 typed into the inspector."""
    canvas = win.canvas
    canvas.resetTransform()
    canvas.centerOn(300, 60)
    for op, at in (("input", (0, 0)), ("log", (230, 0)), ("pow", (460, 0))):
        assert drop_palette_item(canvas, "op", op, at)
    mouse_drag(canvas, port_pos(canvas, "x", -1), port_pos(canvas, "log1", 0))
    mouse_drag(canvas, port_pos(canvas, "log1", -1), port_pos(canvas, "pow1", 0))
    click(canvas, header_point(canvas, "x"))
    type_value(win, "-1")
    win.model.run_now()
    settle()


def test_values_upstream_of_a_failure_stay_and_the_banner_says_why(window):
    build_negative_into_log(window)
    canvas, model = window.canvas, window.model
    assert float(model.values["x"]) == -1.0
    assert canvas.node_item("x").value_text == "= −1"              # the Input node
    assert window.inspector.node_id == "x"
    assert window.inspector.value_view.text().replace("-", "−") == "−1"   # the inspector
    assert "x = −1" in window.selection_label.text()               # the status bar
    assert "log1" not in model.values and "pow1" not in model.values
    assert canvas.node_item("log1").error.startswith("log of a non-positive value")
    assert not model.grads
    assert window.inspector.grad_view.text() == "the loss cannot be computed"
    banner = canvas.banner
    assert banner.isVisible() and banner.geometry().topLeft() == QPoint(0, 0)
    assert banner.width() == canvas.viewport().width()
    assert banner.full_text == ("No gradients: the loss 'pow1' cannot be computed (node 'log1': "
                                "log of a non-positive value produced nan)")
    # one line: the banner is as tall as one line of its font, elided when narrow
    assert banner.height() < 2 * banner.fontMetrics().height()
    type_value(window, "2")
    model.run_now()
    settle()
    assert not banner.isVisible() and model.grads


def test_no_banner_while_the_graph_is_only_unfinished(window):
    canvas = window.canvas
    assert drop_palette_item(canvas, "op", "add", (0, 0))
    window.model.run_now()
    settle()
    assert window.model.problems and not canvas.banner.isVisible()


# ------------------------------------------------------------------ 3: one notation
def test_every_view_writes_the_gradient_the_same_way(window):
    window.open_file(EXAMPLES / "chain_rule.json", ask=False)
    settle()
    canvas, model = window.canvas, window.model
    click(canvas, header_point(canvas, "one"))
    assert window.inspector.node_id == "one"
    symbol = "∂y/∂one"
    item = canvas.node_item("one")
    metrics = QFontMetrics(style.FONT_VALUE)
    seen = {
        "node card": item.grad_line(metrics, int(style.NODE_W - 18)),
        "node tooltip": item.toolTip(),
        "inspector": window.inspector.grad_caption.text(),
        "status bar": window.selection_label.text(),
        "edge tooltip": edge_explanation(model, ("one", "u", 1), backward_steps(model.trace)),
    }
    for where, text in seen.items():
        assert symbol in text, where
        assert "∂·" not in text and "∂L/" not in text and "∂loss/" not in text, where
    canvas.graph_scene.clearSelection()
    settle()
    table = window.inspector.overview.table
    assert table.horizontalHeaderItem(3).text() == "∂y/∂node"
    row = [table.item(r, 0).text() for r in range(table.rowCount())].index("one")
    assert symbol in table.item(row, 3).toolTip()


# ------------------------------------------------------------------ 10: paste, duplicate
def test_paste_lands_at_the_mouse_or_beside_the_original_and_duplicate_clears_it(window):
    window.open_file(EXAMPLES / "chain_rule.json", ask=False)
    settle()
    canvas, model = window.canvas, window.model
    click(canvas, header_point(canvas, "u"))
    press(window, Qt.Key.Key_C)
    target = QPointF(300, 300)
    point = view_point(canvas, target)
    QTest.mouseMove(canvas.viewport(), point)
    press(window, Qt.Key.Key_V)
    pasted = canvas.selected_nodes()
    assert len(pasted) == 1 and pasted[0] != "u"
    header = card(canvas.node_item(pasted[0]))
    assert header.contains(canvas.mapToScene(point))             # under the mouse
    assert abs(header.center().x() - canvas.mapToScene(point).x()) <= 2
    # the mouse leaves the canvas (e.g. for the Edit menu): the copy goes beside the original
    QApplication.sendEvent(canvas.viewport(), QEvent(QEvent.Type.Leave))
    press(window, Qt.Key.Key_V)
    beside = canvas.selected_nodes()[0]
    u = model.node("u").position
    assert model.node(beside).position[0] - u[0] >= 100
    assert not card(canvas.node_item(beside)).intersects(card(canvas.node_item("u")))
    # duplicate: one grid step (a major grid cell) right and down, clear of the original
    step = 5 * style.GRID_STEP
    for original, steps in (("y", 1), ("x", 4)):   # below x: `one`, then the pasted copies
        click(canvas, header_point(canvas, original))
        press(window, Qt.Key.Key_D)
        copy = canvas.selected_nodes()[0]
        ox, oy = model.node(original).position
        assert model.node(copy).position == (ox + steps * step, oy + steps * step)
        others = [card(i) for n, i in canvas.graph_scene.nodes.items() if n != copy]
        assert not any(card(canvas.node_item(copy)).intersects(r) for r in others)


# ------------------------------------------------------------------ 12: readable at fit
def test_the_fitted_xor_view_prints_its_numbers_at_9_points(window):
    window.resize(1400, 900)
    window.open_file(EXAMPLES / "xor_mlp.json", ask=False)
    settle()
    canvas = window.canvas
    canvas.fit_view()
    zoom = canvas.transform().m11()
    assert zoom < style.COMPACT_BELOW        # zoomed out: the big-font summary cards
    pixels = compact_value_pixels(zoom)
    assert pixels * zoom >= style.READABLE_PX - 0.5 == 11.5      # 12 px = 9 pt at 96 dpi
    metrics = QFontMetrics(style.pixel_font(pixels))
    room = int(style.NODE_W - 18)
    for node_id, item in canvas.graph_scene.nodes.items():
        shown = fitting(metrics, room, item.value_compact, item.value_short)
        assert shown in (item.value_compact, item.value_short), node_id   # never cut
        assert metrics.horizontalAdvance(shown) <= room
        assert item.grad_line(metrics, room, compact=True), node_id
        # and a hover gives the full value and gradient in the tooltip font
        assert item.value_text in item.toolTip() and item.grad_text in item.toolTip()
    assert canvas.node_item("loss").value_text in canvas.node_item("loss").toolTip()


# ------------------------------------------------------------------ 13: scrub a value
def value_handle(canvas, node_id):
    item = canvas.node_item(node_id)
    return view_point(canvas, item.mapToScene(QPointF(60, item.band_bottom + 7)))


def test_dragging_a_scalar_value_scrubs_it_live_as_one_undo_step(window):
    window.open_file(EXAMPLES / "chain_rule.json", ask=False)
    settle()
    canvas, model, stack = window.canvas, window.model, window.undo_stack
    canvas.resetTransform()
    canvas.centerOn(300, 80)
    settle()
    start = value_handle(canvas, "x")
    viewport = canvas.viewport()
    QTest.mouseMove(viewport, start)
    assert viewport.cursor().shape() == Qt.CursorShape.SizeHorCursor
    position = model.node("x").position
    steps = stack.count()
    QTest.mousePress(viewport, Qt.LeftButton, Qt.NoModifier, start)
    seen = []
    for dx in (10, 20, 35, 50):
        QTest.mouseMove(viewport, start + QPoint(dx, 0))
        x = float(model.node("x").value)
        # live: the graph has re-run and the canvas shows the new numbers already
        assert float(model.values["y"]) == pytest.approx((x * x + 1) ** 3)
        assert float(model.grads["x"]) == pytest.approx(6 * x * (x * x + 1) ** 2)
        assert canvas.node_item("y").value_text == f"= {np.round((x * x + 1) ** 3, 10):.4g}"
        seen.append(x)
    QTest.mouseRelease(viewport, Qt.LeftButton, Qt.NoModifier, start + QPoint(50, 0))
    assert seen == sorted(seen) and len(set(seen)) == 4 and seen[-1] == pytest.approx(2.0)
    assert model.node("x").position == position                  # scrubbing is no move
    assert stack.count() == steps + 1                           # the whole drag: one step
    stack.undo()
    model.run_now()
    assert float(model.node("x").value) == 1.5
    assert float(model.grads["x"]) == pytest.approx(95.0625)


def test_escape_puts_a_scrubbed_value_back_and_leaves_no_undo_step(window):
    window.open_file(EXAMPLES / "chain_rule.json", ask=False)
    settle()
    canvas, stack = window.canvas, window.undo_stack
    canvas.resetTransform()
    canvas.centerOn(300, 80)
    start = value_handle(canvas, "one")
    steps = stack.count()
    QTest.mousePress(canvas.viewport(), Qt.LeftButton, Qt.NoModifier, start)
    QTest.mouseMove(canvas.viewport(), start + QPoint(-30, 0))
    assert float(window.model.node("one").value) == pytest.approx(0.7)
    QTest.keyClick(canvas, Qt.Key.Key_Escape)
    QTest.mouseRelease(canvas.viewport(), Qt.LeftButton, Qt.NoModifier, start)
    assert float(window.model.node("one").value) == 1.0 and stack.count() == steps


def test_only_a_scalar_leafs_numbers_scrub(window):
    window.open_file(EXAMPLES / "xor_mlp.json", ask=False)
    settle()
    canvas = window.canvas
    canvas.resetTransform()
    canvas.centerOn(0, 0)
    for node_id in ("W1", "z1"):          # a matrix; an op
        assert canvas.scrubber.scrubbable(value_handle(canvas, node_id)) is None
    window.open_file(EXAMPLES / "chain_rule.json", ask=False)
    settle()
    canvas.resetTransform()
    canvas.centerOn(300, 80)
    assert canvas.scrubber.scrubbable(value_handle(canvas, "x")) is not None
    assert canvas.scrubber.scrubbable(view_point(canvas, header_point(canvas, "x"))) is None
    assert re.fullmatch(r"x", canvas.scrubber.scrubbable(value_handle(canvas, "x")).node_id)


def test_scrubbing_a_big_graph_updates_the_screen_first_and_everything_by_the_release(window):
    """300 nodes: during the drag the cards on screen follow at once, the others catch up
    when the event loop is free, and all are current when the mouse is released."""
    import engine
    g = engine.Graph()
    g.add_node("x", "input", value=0.5, position=(0, 0))
    previous = "x"
    for i in range(100):
        g.add_node(f"c{i}", "constant", value=1.001, position=(i * 400 + 200, 150))
        g.add_node(f"m{i}", "mul", position=(i * 400 + 200, 0))
        g.add_node(f"n{i}", "tanh", position=(i * 400 + 400, 0))
        g.connect(previous, f"m{i}", 0)
        g.connect(f"c{i}", f"m{i}", 1)
        g.connect(f"m{i}", f"n{i}", 0)
        previous = f"n{i}"
    window.open_graph(g, None, "chain")
    settle()
    canvas, model = window.canvas, window.model
    canvas.resetTransform()
    canvas.centerOn(200, 50)
    settle()
    start = value_handle(canvas, "x")
    viewport = canvas.viewport()
    QTest.mousePress(viewport, Qt.LeftButton, Qt.NoModifier, start)
    QTest.mouseMove(viewport, start + QPoint(40, 0))
    x = float(model.node("x").value)
    assert x == pytest.approx(0.9)
    near, far = canvas.node_item("m0"), canvas.node_item("n99")
    assert near.value_text == f"= {x * 1.001:.4g}"                # on screen: at once
    assert far.value_text != f"= {float(model.values['n99']):.4g}"   # far away: not yet
    QTest.mouseRelease(viewport, Qt.LeftButton, Qt.NoModifier, start + QPoint(40, 0))
    for node_id, item in canvas.graph_scene.nodes.items():
        value = float(model.values[node_id])
        assert item.value_text == f"= {value:.4g}".replace("-", "−"), node_id
