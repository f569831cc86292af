"""Polish from user testing: the canvas names the loss in its gradient lines, long ids stay
readable, the inspector matches the canvas, the first window size, refused-connection warnings."""
import json
import re

import pytest
from PySide6.QtGui import QFontMetrics, QFontMetricsF
from PySide6.QtWidgets import QApplication

import engine
from engine import io
from gui.canvas import style
from gui.canvas.node_item import compact_value_pixels
from gui.canvas.text_fit import fit_grad_line, fit_grad_line_in
from gui_helpers import click, make_canvas
from tests.conftest import EXAMPLES
from window_fixtures import dialogs, settings, window  # noqa: F401  (fixtures)

DENSE = ("xor_mlp.json", "spiral_classifier.json", "sine_regression.json")

ROOM = int(style.NODE_W - 18)      # the width a card's number lines get


@pytest.fixture
def canvas(qtbot):
    model, stack, view = make_canvas(qtbot)
    view.resetTransform()
    return model, stack, view


def open_example(model, name):
    model.load_graph(engine.load_graph(EXAMPLES / name))
    model.run_now()
    QApplication.processEvents()


def shown_gradient(item, room: int = ROOM) -> str:
    """The gradient line a full card draws (paint uses the same choice)."""
    return item.grad_line(QFontMetrics(style.FONT_VALUE), room)


def test_gradient_lines_name_the_loss_and_the_node(canvas):
    model, _stack, view = canvas
    open_example(model, "chain_rule.json")
    x = view.node_item("x")
    assert x.grad_text == "∂y/∂x = 95.06"
    assert shown_gradient(x) == "∂y/∂x = 95.06"
    assert "∂y/∂x = 95.06" in x.toolTip()
    assert view.node_item("y").grad_text == "∂y/∂y = 1"


def test_long_names_are_elided_in_the_middle_never_to_a_dot(canvas):
    model, _stack, view = canvas
    open_example(model, "neuron.json")
    item = view.node_item("weighted_sum")
    assert item.grad_text == "∂loss/∂weighted_sum = −0.2929"
    assert "∂loss/∂weighted_sum = −0.2929" in item.toolTip()
    metrics = QFontMetrics(style.FONT_VALUE)
    full = metrics.horizontalAdvance("∂loss/∂weighted_sum = −0.2929")
    assert shown_gradient(item, full) == "∂loss/∂weighted_sum = −0.2929"   # room: all of it
    # a little less room: fewer digits first, both ids whole
    assert shown_gradient(item, full - 1) == "∂loss/∂weighted_sum = −0.293"
    for room in (ROOM, 120):     # less room: the ids elided in the middle, never to "·"
        shown = shown_gradient(item, room)
        assert metrics.horizontalAdvance(shown) <= room, (room, shown)
        # "∂loss/∂we…m = −0.293": the node id keeps both of its ends around the "…"
        assert re.fullmatch(r"∂l\S*/∂w\S*…\S* = −0\.293", shown), shown
        assert "∂·" not in shown and "∂L/" not in shown


def test_fit_grad_line_keeps_both_ids(qapp):      # QFontMetrics needs the application
    metrics = QFontMetrics(style.FONT_VALUE)
    line = fit_grad_line(metrics, 150, "cross_entropy_loss", "hidden_weights",
                         ("= 0.12345", "= 0.123"))
    assert line.startswith("∂cr") and "/∂hi" in line and line.endswith("ts = 0.123")
    assert metrics.horizontalAdvance(line) <= 150
    assert fit_grad_line(metrics, 20, "loss", "x", ("= 0.1",)) is None   # far too narrow


def test_a_slightly_smaller_font_keeps_both_ids_whole_before_any_elision(qapp):
    """The loss node of a zoomed-out card read "∂l…s/∂loss = 1": a font a little smaller
    keeps "∂loss/∂loss = 1" whole; only a much narrower room elides the ids."""
    font = style.pixel_font(12)
    whole = "∂loss/∂loss = 1"
    full = QFontMetricsF(font).horizontalAdvance(whole)
    width = int(full * 0.92)
    assert fit_grad_line(QFontMetricsF(font), width, "loss", "loss", ("= 1",)) != whole
    small, text = fit_grad_line_in(font, width, "loss", "loss", ("= 1",))
    assert text == whole and small.pixelSize() < font.pixelSize()
    assert QFontMetricsF(small).horizontalAdvance(text) <= width
    long = ("cross_entropy_loss", "hidden_weights", ("= 0.123",))   # far too long to shrink
    small, text = fit_grad_line_in(font, 150, *long)
    assert small.pixelSize() == font.pixelSize()
    assert text == fit_grad_line(QFontMetricsF(font), 150, *long) and "…" in text


def test_the_xor_loss_card_shows_its_whole_seed_gradient_when_zoomed_out(canvas):
    model, _stack, view = canvas
    open_example(model, "xor_mlp.json")
    view.fit_view()
    QApplication.processEvents()
    item = view.node_item(model.loss_id)
    lod = view.transform().m11()
    font = style.pixel_font(compact_value_pixels(lod))
    line_font, text = item.compact_grad_line(font, ROOM)
    assert text == f"∂{model.loss_id}/∂{model.loss_id} = 1"
    assert QFontMetricsF(line_font).horizontalAdvance(text) <= ROOM


def test_choosing_another_loss_renames_the_gradient_lines(canvas):
    model, _stack, view = canvas
    open_example(model, "chain_rule.json")
    model.set_loss("u")
    model.run_now()
    QApplication.processEvents()
    assert view.node_item("x").grad_text == "∂u/∂x = 3"
    assert "∂u/∂x = 3" in view.node_item("x").toolTip()


def test_zoomed_out_cards_name_the_loss_where_it_fits(canvas):
    model, _stack, view = canvas
    open_example(model, "neuron.json")
    item = view.node_item("x1")
    metrics = QFontMetrics(style.pixel_font(12))
    assert item.grad_line(metrics, ROOM, compact=True) == "∂loss/∂x1 = 0.879"
    assert item.grad_compact_lines == ("∂ 0.879", "∂ 0.879")   # only when nothing else fits


@pytest.mark.parametrize("name", DENSE)
def test_dense_examples_fit_larger_in_a_1400_wide_window(window, name):
    window.resize(1400, 900)
    QApplication.processEvents()
    assert window.open_file(str(EXAMPLES / name))
    window.model.run_now()
    QApplication.processEvents()
    window.canvas.fit_view()
    # two rows, seven columns (the chain x → … → loss; parameters above, one column left of
    # their consumer): fitted at about 2/3 where nine staggered columns gave about 1/2
    assert window.canvas.zoom() > 0.64
    assert {p[1] for p in (window.model.node(n).position for n in window.model.graph.node_ids())} \
        == {0, 110}
    items = list(window.canvas.graph_scene.nodes.values())
    rects = [item.sceneBoundingRect() for item in items]
    for i, a in enumerate(rects):                            # no node hides another
        assert not any(a.intersects(b) for b in rects[i + 1:]), items[i].node_id
    visible = window.canvas.mapToScene(window.canvas.viewport().rect()).boundingRect()
    assert all(visible.contains(r) for r in rects)


@pytest.mark.parametrize("name", DENSE)
def test_dense_examples_keep_plain_positions_and_round_trip(name):
    text = (EXAMPLES / name).read_text()
    doc = json.loads(text)
    assert all(isinstance(c, int) for n in doc["nodes"] for c in n["position"])
    once = io.dumps(io.loads(text))
    assert io.dumps(io.loads(once)) == once
    assert [n["position"] for n in json.loads(once)["nodes"]] == [n["position"]
                                                                 for n in doc["nodes"]]


def test_long_ids_shrink_a_little_then_elide_in_the_middle(canvas):
    from PySide6.QtGui import QFontMetricsF

    from gui.canvas.node_item import fit_label

    model, _stack, view = canvas
    open_example(model, "neuron.json")
    item = view.node_item("weighted_sum")
    shape_w = QFontMetricsF(style.FONT_SHAPE).horizontalAdvance(item.shape_label)
    font, text = item.header_label(shape_w)       # full card: whole, shrunk a little at most
    assert text == "weighted_sum"
    assert style.FONT_ID.pointSizeF() * 0.8 <= font.pointSizeF() <= style.FONT_ID.pointSizeF()
    # zoomed out as the example opens (was "weighted_s…"): whole, in a slightly smaller font
    view.resize(840, 780)
    view.fit_view()
    lod = view.zoom()
    assert lod < style.COMPACT_BELOW
    big = style.pixel_font(min(17, max(11, round(9.5 / lod))), bold=True)
    font, text = item.compact_header(lod)
    assert text == "+  weighted_sum"
    assert big.pixelSize() * 0.8 <= font.pixelSize() < big.pixelSize()
    assert "weighted_sum" in item.toolTip()

    long_id = "hidden_layer_activation_output"
    font, text = fit_label(style.FONT_ID, long_id, 100)
    assert "…" in text and text.startswith("hidden") and text.endswith("output")
    assert QFontMetricsF(font).horizontalAdvance(text) <= 100
    assert font.pointSizeF() == pytest.approx(style.FONT_ID.pointSizeF() * 0.8)
    assert fit_label(style.FONT_ID, "x1", 100) == (style.FONT_ID, "x1")
    # the zoomed-out header (pixel fonts) keeps both ends as well
    font, text = fit_label(style.pixel_font(17, bold=True), "+  " + long_id, 132)
    assert text.startswith("+  hid") and text.endswith("put") and font.pixelSize() < 17


# ------------------------------------------------------------------ inspector = canvas
def _add(win, node_id, op, **kwargs):
    from gui.model import commands
    win.undo_stack.push(commands.AddNode(win.model, node_id, op, **kwargs))
    win.model.run_now()
    QApplication.processEvents()


def test_an_unfinished_node_reads_amber_in_the_inspector_like_on_the_canvas(window):
    from gui import theme
    _add(window, "t", "tanh")
    click_node(window, "t")
    ins = window.inspector
    item = window.canvas.node_item("t")
    assert item.incomplete and item.error_text == "connect x"
    assert ins.node_hint.isVisible() and ins.node_hint.text() == "⚠ connect x"
    assert ins.node_hint.palette().color(ins.node_hint.foregroundRole()).name() \
        == theme.INCOMPLETE == style.NODE_INCOMPLETE.name()
    assert ins.node_detail.isVisible() and ins.node_detail.text() == item.error
    assert ins.node_detail.palette().color(ins.node_detail.foregroundRole()).name() \
        != theme.ERROR
    assert not ins.node_error.isVisible()
    # a real error stays red, without the amber hint
    _add(window, "a", "input", value=[1.0, 2.0])
    _add(window, "b", "input", value=[1.0, 2.0, 3.0])
    from gui.model import commands
    window.undo_stack.push(commands.Connect(window.model, "a", "t", 0))
    _add(window, "m", "add")
    window.undo_stack.push(commands.Connect(window.model, "a", "m", 0))
    window.undo_stack.push(commands.Connect(window.model, "b", "m", 1))
    window.model.run_now()
    click_node(window, "m")
    assert ins.node_error.isVisible() and "shape" in ins.node_error.text()
    assert ins.node_error.palette().color(ins.node_error.foregroundRole()).name() == theme.ERROR
    assert not ins.node_hint.isVisible() and not ins.node_detail.isVisible()


def test_the_inspector_chip_shows_the_nodes_own_symbol(window):
    from gui.model import commands
    _add(window, "cube", "pow", attrs={"exponent": 3.0})
    click_node(window, "cube")
    assert window.inspector.badge.text() == "x³  Power"
    window.undo_stack.push(commands.SetAttr(window.model, "cube", "exponent", 2.0))
    window.model.run_now()
    QApplication.processEvents()
    assert window.inspector.badge.text() == "x²  Power"
    _add(window, "s", "tanh")
    click_node(window, "s")
    assert window.inspector.badge.text() == f"{engine.OPS['tanh'].symbol}  Tanh"


def click_node(win, node_id):
    """A real click on the node's header, as a user selects it."""
    win.canvas.fit_view()
    QApplication.processEvents()
    rect = win.canvas.node_item(node_id).sceneBoundingRect()
    click(win.canvas, rect.center())
    assert win.inspector.node_id == node_id


# ------------------------------------------------------------------ first start
def test_first_start_opens_at_nine_tenths_of_the_screen_centred(window, settings):
    assert settings.value("window/geometry") is None
    window.restore_layout()
    QApplication.processEvents()
    area = window.screen().availableGeometry()
    geometry = window.geometry()
    assert geometry.width() == pytest.approx(0.9 * area.width(), abs=2)
    assert geometry.height() == pytest.approx(0.9 * area.height(), abs=2)
    assert abs(geometry.center().x() - area.center().x()) <= 2
    assert abs(geometry.center().y() - area.center().y()) <= 2


def test_a_saved_layout_wins_over_the_first_start_size(window, settings):
    window.resize(700, 500)
    QApplication.processEvents()
    settings.setValue("window/geometry", window.saveGeometry())
    window.resize(1400, 900)
    window.restore_layout()
    QApplication.processEvents()
    assert (window.width(), window.height()) == (700, 500)


# ------------------------------------------------------------------ refusals stand out
def test_a_refused_connection_is_an_amber_warning_that_then_clears(window, qtbot, monkeypatch):
    from gui import theme
    from gui.window import main_window
    from gui.canvas.port_item import OUTPUT
    from gui_helpers import mouse_drag

    monkeypatch.setattr(main_window, "WARNING_TIMEOUT_MS", 400)
    _add(window, "a", "input", value=2.0, position=(0, 0))
    _add(window, "e", "exp", position=(250, 0))
    window.canvas.fit_view()
    QApplication.processEvents()
    e = window.canvas.node_item("e")
    mouse_drag(window.canvas, e.port_scene_pos(OUTPUT), e.port_scene_pos(0))   # e → e
    assert window.model.graph.input_sources("e") == [None]
    bar = window.statusBar()
    assert bar.currentMessage().startswith("⚠ Cannot connect")
    assert "cannot feed itself" in bar.currentMessage()
    assert bar.property("warning") is True
    assert bar.palette().color(bar.foregroundRole()).name() == theme.INCOMPLETE
    qtbot.waitUntil(lambda: bar.currentMessage() == "", timeout=3000)
    assert not bar.property("warning")
    assert bar.palette().color(bar.foregroundRole()).name() == theme.MUTED
    # ordinary messages stay plain
    window.show_message("copied 1 node(s)")
    assert bar.currentMessage() == "copied 1 node(s)" and not bar.property("warning")
