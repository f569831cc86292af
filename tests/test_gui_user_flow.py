"""Acceptance: a new user builds y = (x² + 1)³ with the mouse and reads dy/dx off the canvas.

Palette drags are delivered as Qt delivers them (enter → move → drop on the viewport) carrying
the mime data the real palette produces; wires are real QTest press/move/release on the viewport
from port to port; values and exponents go through the commands the inspector pushes. Then
the gradient the user reads on the x node is checked, and every step undoes.

The tests at the end pin the friction fixes found by driving the app on a real X server.
"""
import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from gui.model import commands
from gui.canvas import style
from gui.canvas.edge_item import wire_path
from engine import Kind, Problem
from gui.formatting import node_symbol, unfinished_hint
from gui.canvas.port_item import OUTPUT
from gui_helpers import drop_mime, make_canvas, mouse_drag, port_pos, view_point

import engine

X = 1.5
DYDX = 6 * X * (X**2 + 1) ** 2   # 95.0625, exact in binary


@pytest.fixture
def canvas(qtbot):
    # 1:1, the default zoom a new user starts at
    return make_canvas(qtbot, size=(1100, 700), center=(300, 150))


@pytest.fixture
def palette(qtbot):
    from gui.panels.palette import PaletteWidget
    widget = PaletteWidget()
    qtbot.addWidget(widget)
    return widget


def palette_drop(view, palette, name: str, scene_xy) -> str:
    """Drag palette entry ``name`` onto the canvas at ``scene_xy``; returns the new node's id."""
    entry = palette.entry_item("op", name)
    assert entry is not None, f"the palette has no {name!r} entry"
    before = set(view.model.graph.node_ids())
    assert drop_mime(view, palette.tree.mimeData([entry]), QPointF(*scene_xy))
    (new,) = set(view.model.graph.node_ids()) - before
    return new


def wire(view, source: str, target: str, port: int) -> None:
    """Press on ``source``'s output, move to ``target``'s input ``port``, release."""
    mouse_drag(view, port_pos(view, source, OUTPUT), port_pos(view, target, port), steps=8)


def build_the_seed_graph(view, palette, stack):
    """Drop, wire and set values as a user would; returns the ids and the undo-stack counts
    after each step."""
    model = view.model
    counts = []
    ids = {}
    for key, op, xy in (("x", "input", (0, 0)), ("sq", "pow", (220, 0)),
                        ("one", "constant", (220, 130)), ("add", "add", (440, 60)),
                        ("cube", "pow", (660, 60))):
        ids[key] = palette_drop(view, palette, op, xy)
        counts.append(stack.count())
    for source, target, port in (("x", "sq", 0), ("sq", "add", 0), ("one", "add", 1),
                                 ("add", "cube", 0)):
        wire(view, ids[source], ids[target], port)
        assert model.source_of(ids[target], port) == ids[source], (source, target)
        counts.append(stack.count())
    stack.push(commands.RenameNode(model, ids["x"], "x"))   # the inspector's name field
    ids["x"] = "x"
    stack.push(commands.SetValue(model, "x", np.array(X)))   # the inspector's value field
    stack.push(commands.SetAttr(model, ids["sq"], "exponent", 2.0))
    stack.push(commands.SetAttr(model, ids["cube"], "exponent", 3.0))
    stack.push(commands.SetValue(model, ids["one"], np.array(1.0)))
    counts.append(stack.count())
    return ids, counts


def test_build_y_equals_x2_plus_1_cubed_and_read_the_gradient(canvas, palette):
    model, stack, view = canvas
    ids, counts = build_the_seed_graph(view, palette, stack)
    assert counts[:9] == list(range(1, 10))   # every drop and every wire: one undo step
    model.run_now()
    QApplication.processEvents()

    assert model.status == "" and model.loss_id == ids["cube"]
    assert float(model.grads["x"]) == DYDX == 95.0625
    assert float(model.values[ids["cube"]]) == pytest.approx((X**2 + 1) ** 3, rel=1e-15)
    x_item = view.node_item("x")
    assert x_item.value_text == "= 1.5"
    assert x_item.grad_text == f"∂{ids['cube']}/∂x = 95.06"      # what the user reads on the canvas
    assert x_item.error is None and x_item.symbol == "in"
    assert view.node_item(ids["sq"]).symbol == "x²"
    assert view.node_item(ids["cube"]).symbol == "x³"
    assert view.node_item(ids["cube"]).is_loss
    # readable at the default zoom: the full (not compact) card, value font ≥ 8 pt
    assert view.zoom() == 1.0 and view.zoom() >= style.COMPACT_BELOW
    assert style.FONT_VALUE.pointSizeF() >= 8.0
    # the engine agrees with a central finite difference
    g = model.graph.copy()
    h = 1e-6
    f = [float(g.forward({"x": np.array(X + d)})[ids["cube"]]) for d in (h, -h)]
    assert (f[0] - f[1]) / (2 * h) == pytest.approx(DYDX, rel=1e-8)


def test_every_step_of_the_build_undoes_and_redoes(canvas, palette):
    model, stack, view = canvas
    ids, _counts = build_the_seed_graph(view, palette, stack)
    model.run_now()
    done = stack.count()
    for _ in range(done):
        stack.undo()
    model.run_now()
    assert model.graph.node_ids() == [] and view.graph_scene.nodes == {}
    for _ in range(done):
        stack.redo()
    model.run_now()
    QApplication.processEvents()
    assert float(model.grads["x"]) == 95.0625
    assert view.node_item("x").grad_text == f"∂{ids['cube']}/∂x = 95.06"
    assert len(view.graph_scene.edges) == 4


def test_the_live_wire_is_shown_and_the_target_port_lights_up(canvas, palette):
    model, _stack, view = canvas
    a = palette_drop(view, palette, "input", (0, 0))
    p = palette_drop(view, palette, "pow", (250, 0))
    viewport = view.viewport()
    start = view_point(view, port_pos(view, a, OUTPUT))
    end = view_point(view, port_pos(view, p, 0))
    QTest.mouseMove(viewport, start)
    QTest.mousePress(viewport, Qt.LeftButton, Qt.NoModifier, start)
    middle = QPoint((start.x() + end.x()) // 2, start.y() + 30)
    QTest.mouseMove(viewport, middle)
    assert view._wire is not None and view._wire.isVisible()
    assert view.node_item(p).highlight_port is None       # nothing under the cursor yet
    QTest.mouseMove(viewport, end + QPoint(3, 2))           # near the port, not dead on it
    assert view.node_item(p).highlight_port == 0
    QTest.mouseRelease(viewport, Qt.LeftButton, Qt.NoModifier, end + QPoint(3, 2))
    QApplication.processEvents()
    assert model.source_of(p, 0) == a
    assert view._wire is None and view.node_item(p).highlight_port is None


def test_unfinished_nodes_say_what_to_connect(canvas, palette):
    model, _stack, view = canvas
    add = palette_drop(view, palette, "add", (0, 0))
    model.run_now()
    item = view.node_item(add)
    assert "are not connected" in item.error
    assert item.incomplete                     # amber "being built", not red "broken"
    assert item.error_text == "connect a, b" and item.error in item.toolTip()
    x = palette_drop(view, palette, "input", (-250, 0))
    wire(view, x, add, 0)
    model.run_now()
    assert item.incomplete and item.error_text == "connect b"
    wire(view, x, add, 1)
    model.run_now()
    assert item.error is None and item.error_text == ""


# ------------------------------------------------------------------ friction fixes, pinned
def test_the_power_node_shows_its_exponent_and_follows_edits_and_undo(canvas, palette):
    model, stack, view = canvas
    p = palette_drop(view, palette, "pow", (0, 0))
    item = view.node_item(p)
    assert item.symbol == "x²"                 # the default exponent, 2
    stack.push(commands.SetAttr(model, p, "exponent", 3.0))
    assert item.symbol == "x³"
    stack.push(commands.SetAttr(model, p, "exponent", -1.0))
    assert item.symbol == "x⁻¹"
    stack.push(commands.SetAttr(model, p, "exponent", 0.5))
    assert item.symbol == "x^0.5"
    stack.undo()
    stack.undo()
    assert item.symbol == "x³"


def test_node_symbol_and_hints():
    pow_op, mul = engine.OPS["pow"], engine.OPS["mul"]
    assert node_symbol(pow_op, {"exponent": 12.0}) == "x¹²"
    assert node_symbol(pow_op, {"exponent": 0.0}) == "x⁰"
    assert node_symbol(pow_op, {"exponent": -2.5}) == "x^−2.5"
    assert node_symbol(pow_op, {"exponent": float("nan")}) == pow_op.symbol
    assert node_symbol(pow_op, {}) == pow_op.symbol
    assert node_symbol(mul, {}) == mul.symbol and node_symbol(None, {}) == "?"
    unconnected = Problem(Kind.UNCONNECTED, "input 1 (b) of 'm' is not connected", "m", 1, (1,))
    assert unfinished_hint(unconnected, ("a", "b")) == "connect b"
    both = Problem(Kind.UNCONNECTED, "inputs … are not connected", "m", 0, (0, 1))
    assert unfinished_hint(both, ("a", "b")) == "connect a, b"
    assert unfinished_hint(Problem(Kind.MISSING_VALUE, "this input has no value", "x"),
                           ()) == "needs a value"
    assert unfinished_hint(Problem(Kind.SHAPE, "shape mismatch", "m"), ("a",)) == "shape mismatch"


def test_a_wire_into_a_node_below_runs_between_the_rows_not_behind_the_source():
    start, end = QPointF(148, 37), QPointF(0, 193)     # output of a node at (0, 0) → one below
    path = wire_path(start, end)
    source_body = (0.0, 0.0, 148.0, 90.0)
    for i in range(1, 100):
        p = path.pointAtPercent(i / 100)
        inside = (source_body[0] + 2 < p.x() < source_body[2] - 2
                  and source_body[1] < p.y() < source_body[3])
        assert not inside, f"the wire crosses its source node at {p}"
    assert path.pointAtPercent(0.0) == start and path.pointAtPercent(1.0) == end
    forward = wire_path(QPointF(0, 0), QPointF(200, 50))
    assert forward.boundingRect().left() >= 0 and forward.boundingRect().right() <= 200


# ------------------------------------------------------------------ the examples, as opened
@pytest.mark.parametrize("name", ["xor_mlp", "softmax_classifier", "spiral_classifier"])
def test_tensor_examples_show_thumbnails_value_first_and_numbers_that_fit(qtbot, name):
    from PySide6.QtGui import QFontMetrics

    from gui.canvas.text_fit import fitting
    from tests.conftest import EXAMPLES

    model, _stack, view = make_canvas(qtbot, engine.load_graph(EXAMPLES / f"{name}.json"),
                                      size=(800, 690))     # the canvas of a 1400-wide window
    model.run_now()
    view.fit_view()
    QApplication.processEvents()
    assert model.errors == {} and model.status == ""
    tensors = [i for i in view.graph_scene.nodes.values() if i.value_pixmap is not None]
    assert tensors, "a tensor example shows heatmap thumbnails"
    for item in tensors:
        places = item.thumbnail_places()
        colours = [colour for _pm, colour, _x, _y in places]
        assert colours[0] == style.VALUE
        if item.grad_pixmap is not None:
            assert colours == [style.VALUE, style.GRAD]
            assert places[0][2] + places[0][0].width() < places[1][2]   # side by side
        assert places[-1][2] + places[-1][0].width() <= style.NODE_W - 14
    # every number line fits unelided: on full cards, and on compact ones (a fitted wide
    # example in a 1400-wide window is drawn at about half size)
    room = int(style.NODE_W - 18)
    full = QFontMetrics(style.FONT_VALUE)
    compact = QFontMetrics(style.pixel_font(min(17, max(10, round(8.5 / 0.5)))))
    for item in view.graph_scene.nodes.values():
        for metrics, lines in ((full, ((item.value_text, item.value_compact, item.value_short),
                                       item.grad_lines)),
                               (compact, ((item.value_compact, item.value_short),
                                          (item.grad_compact, item.grad_short)))):
            for candidates in lines:
                shown = fitting(metrics, room, *candidates)
                assert shown and not shown.endswith("…"), (item.node_id, candidates, shown)


def test_short_summaries_and_two_line_messages():
    from PySide6.QtGui import QFontMetrics

    from gui.canvas.text_fit import fitting, two_lines
    from gui.formatting import describe_short

    assert describe_short(np.array([[-0.0015, 0.0012]]), "∂ ") == "∂ ±0.0015"
    assert describe_short(np.array(0.46213), "= ") == "= 0.462"
    with np.errstate(invalid="ignore"):
        assert describe_short(np.array([np.nan, np.nan]), "= ") == "= nan"
    metrics = QFontMetrics(style.FONT_VALUE)
    wide = "∂L/∂· −0.0564 … 0.151"
    assert fitting(metrics, 10_000, wide, "∂ ±0.15") == wide
    assert fitting(metrics, metrics.horizontalAdvance("∂ ±0.15"), wide, "∂ ±0.15") == "∂ ±0.15"
    width = 130
    text = two_lines(metrics, "node 'h1': shape mismatch: (4, 2) @ (3, 1) cannot multiply", width)
    first, second = text.split("\n")
    assert metrics.horizontalAdvance(first) <= width and metrics.horizontalAdvance(second) <= width
    assert two_lines(metrics, "short", width) == "short"


def test_a_refused_target_turns_red_and_says_why_before_the_release(canvas, palette):
    model, stack, view = canvas
    a = palette_drop(view, palette, "input", (0, 0))
    p = palette_drop(view, palette, "pow", (250, 0))
    q = palette_drop(view, palette, "pow", (500, 0))
    wire(view, a, p, 0)
    wire(view, p, q, 0)
    messages = []
    view.refused.connect(messages.append)
    viewport = view.viewport()
    start = view_point(view, port_pos(view, q, OUTPUT))
    over = view_point(view, port_pos(view, p, 0)) + QPoint(2, 1)
    QTest.mouseMove(viewport, start)
    QTest.mousePress(viewport, Qt.LeftButton, Qt.NoModifier, start)
    QTest.mouseMove(viewport, QPoint((start.x() + over.x()) // 2, start.y() + 40))
    QTest.mouseMove(viewport, over)
    QTest.mouseMove(viewport, over + QPoint(1, 0))
    item = view.node_item(p)
    assert item.highlight_port == 0 and item.highlight_refused
    assert len(messages) == 1 and "cycle" in messages[0]     # said once, while hovering
    QTest.mouseRelease(viewport, Qt.LeftButton, Qt.NoModifier, over)
    QApplication.processEvents()
    assert model.source_of(p, 0) == a and stack.count() == 5   # nothing changed
    assert item.highlight_port is None and not item.highlight_refused


def test_quick_search_is_as_tall_as_its_matches(canvas):
    _model, _stack, view = canvas
    view.open_quick_search()
    search = view.quick_search
    full = search.height()
    QTest.keyClicks(search.edit, "tanh")
    assert 1 <= search.list.count() <= 3 and search.height() < full / 2
    # every match is visible without scrolling
    last = search.list.visualItemRect(search.list.item(search.list.count() - 1))
    assert last.bottom() <= search.list.viewport().height()
    QTest.keyClicks(search.edit, "zzzz")
    assert search.list.count() == 0 and search.isVisible() and search.height() > 40
