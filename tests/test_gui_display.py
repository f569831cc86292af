"""The display record: canvas items draw what it says, whoever filled it (live view or a replay),
and a vector render mode gives real text and paths for SVG."""
import re
import xml.etree.ElementTree as ET

import numpy as np
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF
from PySide6.QtGui import QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QApplication

import engine
from gui.display import ACTIVE, DIM, GRAD_NOT_YET, NOT_YET, DisplayRecord, EdgeDisplay, \
    NodeDisplay, live_record
from gui_helpers import make_canvas
from tests.conftest import EXAMPLES


def chain_rule(qtbot):
    model, stack, view = make_canvas(qtbot)
    model.load_graph(engine.load_graph(EXAMPLES / "chain_rule.json"))
    QApplication.processEvents()
    return model, stack, view


def test_the_live_record_carries_values_gradients_and_why_not(qtbot):
    model, _stack, _view = chain_rule(qtbot)
    record = live_record(model)
    assert record.live and record.loss == "y"
    assert float(record.node("x").grad) == 95.0625 and record.node("y").is_loss
    model.set_value("x", -1.0)
    model.add_node("l", "log")
    model.add_node("n", "neg")
    model.connect("x", "l", 0)
    model.connect("l", "n", 0)
    model.run_now()
    record = live_record(model)
    assert record.node("l").problem.kind is engine.Kind.NONFINITE
    assert float(record.node("x").value) == -1.0                  # upstream of the failure
    assert record.node("n").value is None and record.node("n").value_note   # waiting for l


def test_a_replayed_record_is_drawn_and_not_computed_yet_differs_from_zero(qtbot):
    model, _stack, view = chain_rule(qtbot)
    scene = view.graph_scene
    nodes = {n: NodeDisplay(value_note=NOT_YET) for n in model.node_ids()}
    nodes["x"] = NodeDisplay(value=np.array(0.0), grad_note=GRAD_NOT_YET, highlight=ACTIVE)
    nodes["one"] = NodeDisplay(value=np.array(1.0), highlight=DIM)
    edges = {("x", "x_squared", 0): EdgeDisplay(pulse=0.5)}
    scene.show_replay(DisplayRecord(nodes, edges, loss="y", live=False))
    QApplication.processEvents()
    x, sq = view.node_item("x"), view.node_item("x_squared")
    assert x.value_text == "= 0" and x.grad_text == "∂y/∂x: not yet" and x.grad_pending
    assert sq.value_text == "not computed yet" and sq.pending and sq.grad_text == ""
    assert view.node_item("one").opacity() < 0.5 and x.highlight == ACTIVE
    # a model re-run does not take the picture away from a replay ...
    model.run_now()
    assert view.node_item("x_squared").value_text == "not computed yet"
    # ... until the live view comes back
    scene.show_live()
    assert view.node_item("x_squared").value_text == "= 2.25" and not view.node_item("x_squared").pending
    assert view.node_item("x").grad_text == "∂y/∂x = 95.06"


def test_pending_and_zero_look_different_on_screen(qtbot):
    model, _stack, view = chain_rule(qtbot)
    view.resetTransform()
    view.centerOn(view.node_item("x_squared").sceneBoundingRect().center())
    scene = view.graph_scene

    def value_line_colours(display):
        nodes = {n: NodeDisplay(value=np.array(1.0)) for n in model.node_ids()}
        nodes["x_squared"] = display
        scene.show_replay(DisplayRecord(nodes, {}, loss="y", live=False))
        QApplication.processEvents()
        item = view.node_item("x_squared")
        image = view.grab().toImage()
        top_left = view.mapFromScene(item.mapToScene(9, item.band_bottom))
        return {image.pixelColor(top_left.x() + dx, top_left.y() + dy).name()
                for dx in range(0, 100, 2) for dy in range(4, 16, 2)}

    zero, pending = value_line_colours(NodeDisplay(value=np.array(0.0))), \
        value_line_colours(NodeDisplay(value_note=NOT_YET))
    assert zero != pending


def test_vector_mode_renders_real_text_and_paths_to_svg(qtbot):
    model, _stack, view = chain_rule(qtbot)
    scene = view.graph_scene

    def svg_of():
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        generator = QSvgGenerator()
        generator.setOutputDevice(buffer)
        rect = scene.itemsBoundingRect()
        generator.setSize(rect.size().toSize())
        generator.setViewBox(QRectF(0, 0, rect.width(), rect.height()))
        painter = QPainter(generator)
        scene.render(painter, QRectF(0, 0, rect.width(), rect.height()), rect)
        painter.end()
        return bytes(data).decode("utf-8")

    cached = svg_of()
    assert "<image" in cached                                 # cached items become bitmaps
    scene.set_vector_mode(True)
    svg = svg_of()
    root = ET.fromstring(svg)
    texts = " ".join(t for e in root.iter() if e.tag.endswith("text")
                     for t in e.itertext())
    assert "<image" not in svg and re.search(r"<path", svg)
    for node_id in model.node_ids():
        assert node_id in texts, node_id
    assert "95.06" in texts
    scene.set_vector_mode(False)
    assert "<image" in svg_of()
