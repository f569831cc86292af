"""The chain-rule panel and gradient-health badges in the real window: a node selected with a
real click shows its paths to the loss and their sum beside the engine's gradient and the
finite-difference check; a real mouse move over a path row picks out exactly that path on the
canvas; badges reach the node card, its tooltip and the panel."""
from __future__ import annotations

import math
import re

import numpy as np
import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from conftest import EXAMPLES
from gui.model import commands
from gui.canvas import style
from gui.display import DIM, PATH
from gui_helpers import click, node_center
from window_fixtures import dialogs, settings, window, write_graph_file  # noqa: F401


def plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).replace("&nbsp;", " ").strip()


def open_and_select(win, qtbot, path, node_id):
    assert win.open_file(path, ask=False)
    win.canvas.fit_view()
    QApplication.processEvents()
    click(win.canvas, node_center(win.canvas, node_id))       # a real click on the card
    assert win.canvas.selected_nodes() == [node_id]
    panel = win.chain_rule_dock.widget()
    qtbot.waitUntil(lambda: panel.report is not None and panel.report.node == node_id)
    assert panel.wait_for_check()
    qtbot.waitUntil(lambda: panel.check is not None)
    return panel


def hover(widget, point=None) -> None:
    QTest.mouseMove(widget, point if point is not None else widget.rect().center())
    QApplication.processEvents()


def highlights(win) -> tuple[dict, dict]:
    scene = win.canvas.graph_scene
    return ({n: item.highlight for n, item in scene.nodes.items()},
            {k: (e.display.highlight if e.display is not None else None)
             for k, e in scene.edges.items()})


def test_two_paths_sum_equals_the_engine_and_the_finite_difference(window, qtbot):
    panel = open_and_select(window, qtbot, EXAMPLES / "two_paths.json", "t")
    expected = 1.25 * math.exp(0.5)                       # dz/dt = y·2t + x·eᵗ at t = 0.5
    report = panel.report
    assert report.count == 2 and len(panel.rows) == 2
    assert float(report.listed_sum) == pytest.approx(expected, rel=1e-14)
    assert float(report.gradient) == pytest.approx(expected, rel=1e-14)
    assert float(panel.check.numeric) == pytest.approx(expected, rel=1e-8)
    assert panel.check.agrees
    equations = sorted(plain(row.equation.text()) for row in panel.rows)
    assert equations == ["∂z/∂x · ∂x/∂t = 1.64872 · 1 = 1.64872",
                         "∂z/∂y · ∂y/∂t = 0.25 · 1.64872 = 0.41218"]
    assert plain(panel.sum_label.text()) == ("∂z/∂t = ∂z/∂x · ∂x/∂t + ∂z/∂y · ∂y/∂t = "
                                             "1.64872 + 0.41218 = 2.0609")
    assert panel.engine_value.text() == "2.0609" == panel.check_value.text()
    assert plain(panel.sum_diff.text()) == "Σ paths: Δ 0"
    assert re.fullmatch(r"Δ [0-9.e−-]+ ✓", plain(panel.check_diff.text()))
    assert "(z(t + ε) − z(t − ε)) / 2ε" in panel.check_note.text()


def test_the_chain_rule_example_reads_as_the_seeds_product(window, qtbot):
    panel = open_and_select(window, qtbot, EXAMPLES / "chain_rule.json", "x")
    (row,) = panel.rows
    assert plain(row.equation.text()) == ("∂y/∂x = ∂y/∂u · ∂u/∂x_squared · ∂x_squared/∂x = "
                                          "31.6875 · 1 · 3 = 95.0625")
    assert plain(row.route.text()) == "x → x_squared → u → y"
    assert row.path.product == 95.0625 == float(panel.report.gradient)
    assert panel.subtitle.text() == "1 path from x to the loss y"


def test_a_real_mouse_move_over_a_path_row_highlights_exactly_that_path(window, qtbot):
    panel = open_and_select(window, qtbot, EXAMPLES / "two_paths.json", "t")
    rows = {row.path.nodes: row for row in panel.rows}
    hover(rows[("t", "x", "z")])
    nodes, edges = highlights(window)
    assert nodes == {"t": PATH, "x": PATH, "z": PATH, "y": DIM}
    assert edges == {("t", "x", 0): PATH, ("x", "z", 0): PATH, ("t", "y", 0): DIM,
                     ("y", "z", 1): DIM}
    assert window.canvas.graph_scene.nodes["y"].opacity() < 0.5
    assert rows[("t", "x", "z")].property("hovered") is True
    hover(rows[("t", "y", "z")])                           # straight to the other row
    nodes, edges = highlights(window)
    assert nodes == {"t": PATH, "y": PATH, "z": PATH, "x": DIM}
    assert {k for k, h in edges.items() if h == PATH} == {("t", "y", 0), ("y", "z", 1)}
    assert rows[("t", "x", "z")].property("hovered") is False
    hover(window.canvas.viewport(), QPoint(5, 5))          # leave the panel: the live view
    nodes, edges = highlights(window)
    assert set(nodes.values()) == {None} and set(edges.values()) == {None}
    assert window.canvas.graph_scene.nodes["y"].opacity() == 1.0
    assert not window.canvas.graph_scene.showing_path


def test_the_panel_follows_reruns_and_the_selection(window, qtbot):
    panel = open_and_select(window, qtbot, EXAMPLES / "two_paths.json", "t")
    window.undo_stack.push(commands.SetValue(window.model, "t", np.array(1.0)))
    window.model.run_now()
    qtbot.waitUntil(lambda: panel.report is not None and
                    float(panel.report.gradient) == pytest.approx(3 * math.e))
    assert float(panel.report.listed_sum) == pytest.approx(3 * math.e)   # 2e·t + t²·eᵗ at 1
    assert panel.wait_for_check()
    qtbot.waitUntil(lambda: panel.check is not None)
    assert float(panel.check.numeric) == pytest.approx(3 * math.e, rel=1e-8)
    click(window.canvas, node_center(window.canvas, "y"))
    qtbot.waitUntil(lambda: panel.report.node == "y")
    assert [row.path.nodes for row in panel.rows] == [("y", "z")]
    click(window.canvas, window.canvas.node_item("z").mapToScene(20, 220))   # empty canvas
    qtbot.waitUntil(lambda: panel.node_id is None)
    assert panel.rows == [] and panel.title.text() == "Chain rule"


def test_many_paths_are_summarised_in_the_panel(window, qtbot, tmp_path):
    nodes = [{"id": "a0", "op": "input", "value": 0.5, "position": [0, 0]},
             {"id": "b0", "op": "input", "value": 0.25, "position": [0, 150]}]
    edges = []
    for k in range(1, 13):
        nodes += [{"id": f"a{k}", "op": "sub", "position": [200 * k, 0]},
                  {"id": f"b{k}", "op": "mul", "position": [200 * k, 150]}]
        edges += [{"source": f"{s}{k - 1}", "target": f"{t}{k}", "port": p}
                  for t in "ab" for p, s in enumerate("ab")]
    nodes.append({"id": "L", "op": "add", "position": [2800, 75]})
    edges += [{"source": "a12", "target": "L", "port": 0},
              {"source": "b12", "target": "L", "port": 1}]
    path = write_graph_file(tmp_path / "ladder.json", nodes, edges, loss="L")
    panel = open_and_select(window, qtbot, path, "a0")
    assert panel.report.count == 4096 and len(panel.rows) == 12
    assert panel.subtitle.text() == "4,096 paths from a0 to the loss L · the 12 largest shown"
    notes = [w.text() for w in panel.scroll.widget().findChildren(type(panel.title))
             if w.text().startswith("+ ")]
    assert notes and notes[0].startswith("+ 4,084 more paths, adding ")
    route = plain(panel.rows[0].route.text())
    assert route.startswith("a0 → ") and "… 6 more …" in route and route.endswith(" → L")
    assert "… 6 more …" in plain(panel.rows[0].equation.text())


def dead_relu_file(tmp_path) -> str:
    return write_graph_file(tmp_path / "dead.json", [
        {"id": "x", "op": "input", "value": [-1.0, -2.0, -0.5], "position": [0, 0]},
        {"id": "r", "op": "relu", "position": [220, 0]},
        {"id": "c", "op": "constant", "value": 3.0, "position": [220, 140]},
        {"id": "m", "op": "mul", "position": [440, 40]},
        {"id": "L", "op": "sum", "position": [660, 40]},
    ], [{"source": "x", "target": "r", "port": 0}, {"source": "r", "target": "m", "port": 0},
        {"source": "c", "target": "m", "port": 1}, {"source": "m", "target": "L", "port": 0}],
        loss="L")


def test_a_dead_relu_badge_on_the_card_its_tooltip_and_the_panel(window, qtbot, tmp_path):
    panel = open_and_select(window, qtbot, dead_relu_file(tmp_path), "r")
    item = window.canvas.node_item("r")
    assert [kind for kind, _ in item.badges] == ["dead_relu"]
    assert "dead ReLU: all 3 of its inputs are ≤ 0 on this batch" in item.toolTip()
    assert all(window.canvas.node_item(n).badges == () for n in ("x", "c", "m", "L"))
    assert "dead ReLU: all 3 of its inputs are ≤ 0" in plain(panel.health_label.text())
    # the glyph is drawn: the badge colour appears at the card's top-right corner
    window.canvas.resetTransform()
    window.canvas.centerOn(item)
    QApplication.processEvents()
    corner = window.canvas.mapFromScene(item.mapToScene(style.NODE_W - style.BADGE_R - 2, -1))
    image = window.canvas.viewport().grab().toImage()
    colour = style.BADGES["dead_relu"][1]
    near = [QColor(image.pixel(corner.x() + dx, corner.y() + dy))
            for dx in range(-6, 7) for dy in range(-6, 7)]
    assert any(abs(c.red() - colour.red()) + abs(c.green() - colour.green())
               + abs(c.blue() - colour.blue()) < 40 for c in near)
    click(window.canvas, node_center(window.canvas, "x"))
    qtbot.waitUntil(lambda: panel.node_id == "x")
    text = plain(panel.health_label.text())
    assert "gradient health: nothing vanishes or explodes here" in text and "Elsewhere: ✕ r" in text


def test_healthy_examples_show_no_badges(window):
    for path in sorted(EXAMPLES.glob("*.json")):
        assert window.open_file(path, ask=False)
        badged = {n for n, item in window.canvas.graph_scene.nodes.items() if item.badges}
        # vanishing_gradients shows its early nodes' badge on purpose
        assert badged == ({"x", "w1", "z", "s1"} if path.stem == "vanishing_gradients"
                          else set()), path


def test_the_view_menu_toggles_the_chain_rule_dock(window, qtbot):
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    toggle = next(a for a in view.actions() if a.text() == "Chain rule")
    assert window.chain_rule_dock.isVisible() and toggle.isChecked()
    toggle.trigger()
    assert not window.chain_rule_dock.isVisible()
    toggle.trigger()
    assert window.chain_rule_dock.isVisible()


def test_a_failure_while_following_paths_is_said_in_the_panel_not_raised(window, qtbot,
                                                                         monkeypatch):
    import gui.model.chain_rule_access as chain_rule_access
    panel = open_and_select(window, qtbot, EXAMPLES / "two_paths.json", "t")

    def broken(*args):
        raise RuntimeError("boom")
    monkeypatch.setattr(chain_rule_access, "paths_to_loss", broken)
    panel.refresh()
    QApplication.processEvents()
    assert panel.rows == [] and panel.report.reason.startswith("could not follow the paths")
    texts = [w.text() for w in panel.scroll.widget().findChildren(type(panel.title))
             if w.isVisibleTo(panel)]
    assert any("No paths: could not follow the paths (RuntimeError: boom)" in t
               for t in texts), texts
