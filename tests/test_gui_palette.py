"""The palette: every registered op and template, live search, its drag data dropped on the
canvas (enter → move → drop, as Qt delivers it), double-click to add at the view centre."""
from __future__ import annotations

import math

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from engine.ops import CATEGORIES, OPS
from gui.canvas import mime
from gui.panels.palette import PaletteWidget
from gui.model.templates import TEMPLATES
from gui_helpers import drop_mime
from window_fixtures import dialogs, settings, window  # noqa: F401


@pytest.fixture
def palette(qtbot):
    widget = PaletteWidget()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_lists_every_registered_op_and_template_grouped_in_category_order(palette):
    entries = palette.entries()
    assert sorted(n for k, n in entries if k == "op") == sorted(OPS)
    assert [n for k, n in entries if k == "template"] == list(TEMPLATES)
    groups = [palette.tree.topLevelItem(i).text(0) for i in range(palette.tree.topLevelItemCount())]
    assert groups == [c for c in CATEGORIES if any(op.category == c for op in OPS.values())] \
        + ["Templates"]
    mul = palette.entry_item("op", "mul")
    assert mul.parent().text(0) == OPS["mul"].category
    assert OPS["mul"].doc in mul.toolTip(0) and mul.text(0) == OPS["mul"].label


def test_a_newly_registered_op_appears(palette, monkeypatch):
    import dataclasses
    fake = dataclasses.replace(OPS["relu"], name="swish_test", label="Swish (test)")
    monkeypatch.setitem(OPS, "swish_test", fake)
    palette.populate()
    item = palette.entry_item("op", "swish_test")
    assert item is not None and item.parent().text(0) == "Activations"


def test_search_filters_live_and_clears(palette, qtbot):
    qtbot.keyClicks(palette.search, "relu")
    visible = palette.entries(visible_only=True)
    assert ("op", "relu") in visible and ("op", "leaky_relu") in visible
    assert ("op", "mul") not in visible and len(visible) < len(palette.entries())
    hidden_groups = [palette.tree.topLevelItem(i).text(0)
                     for i in range(palette.tree.topLevelItemCount())
                     if palette.tree.topLevelItem(i).isHidden()]
    assert "Losses" in hidden_groups and "Activations" not in hidden_groups
    palette.search.clear()
    assert palette.entries(visible_only=True) == palette.entries()


def test_search_matches_symbols_and_descriptions_and_can_find_nothing(palette):
    palette.search.setText("@")
    assert palette.entries(visible_only=True) == [("op", "matmul")]
    palette.search.setText("no such op at all")
    assert palette.entries(visible_only=True) == []


def test_enter_in_search_activates_the_first_match(palette, qtbot):
    with qtbot.waitSignal(palette.entry_activated) as signal:
        palette.search.setText("sigmoid bce")
        QTest.keyClick(palette.search, Qt.Key.Key_Return)
    assert signal.args == ["op", "sigmoid_bce"]


def test_drag_data_is_the_canvas_mime(palette):
    data = palette.tree.mimeData([palette.entry_item("op", "tanh")])
    assert mime.decode(data) == ("op", "tanh")
    label = next(iter(TEMPLATES))
    assert mime.decode(palette.tree.mimeData([palette.entry_item("template", label)])) == \
        ("template", label)
    assert palette.tree.mimeTypes() == [mime.OP_MIME]


def test_dropping_the_palette_drag_on_the_canvas_makes_a_node_there(window):
    palette, canvas = window.palette, window.canvas
    data = palette.tree.mimeData([palette.entry_item("op", "sigmoid")])
    target = canvas.mapToScene(canvas.viewport().rect().center()) + QPointF(-120, 60)
    assert drop_mime(canvas, data, target)
    (node_id,) = window.model.graph.node_ids()
    node = window.model.graph.node(node_id)
    assert node.op == "sigmoid"
    item_centre = canvas.node_item(node_id).sceneBoundingRect().center()
    assert math.dist((item_centre.x(), item_centre.y()), (target.x(), target.y())) < 120
    assert window.windowTitle().endswith("*")
    window.undo_stack.undo()
    assert window.model.graph.node_ids() == []


def test_dropping_a_template_inserts_its_nodes(window):
    label = next(iter(TEMPLATES))
    data = window.palette.tree.mimeData([window.palette.entry_item("template", label)])
    assert drop_mime(window.canvas, data, QPointF(0, 0))
    assert len(window.model.graph.node_ids()) == len(TEMPLATES[label]["nodes"])
    assert len(window.model.graph.edges()) == len(TEMPLATES[label]["edges"])


def double_click(widget, point):
    """A real double click: press/release, then the double-click press/release."""
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    QTest.mouseDClick(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)


def test_double_click_adds_the_op_at_the_view_centre(window, qtbot):
    tree = window.palette.tree
    item = window.palette.entry_item("op", "exp")
    tree.scrollToItem(item)
    point = tree.visualItemRect(item).center()
    double_click(tree.viewport(), point)
    (node_id,) = window.model.graph.node_ids()
    assert window.model.graph.node(node_id).op == "exp"
    canvas = window.canvas
    centre = canvas.mapToScene(canvas.viewport().rect().center())
    item_centre = canvas.node_item(node_id).sceneBoundingRect().center()
    assert math.dist((item_centre.x(), item_centre.y()), (centre.x(), centre.y())) < 120
    double_click(tree.viewport(), point)
    first, second = (window.model.graph.node(n).position for n in window.model.graph.node_ids())
    assert first != second          # a second add does not land exactly on the first


def test_long_template_labels_take_split_label_and_keep_the_full_name_in_the_tooltip(palette):
    from gui.panels.palette import split_label
    assert split_label("Neuron (w·x + b → tanh)") == "Neuron\nw·x + b → tanh"
    assert split_label("Dense layer") == "Dense layer"
    for label in TEMPLATES:
        item = palette.entry_item("template", label)
        assert item.text(0) == split_label(label) and label in item.toolTip(0)
        height = palette.tree.visualItemRect(item).height()
        plain = palette.tree.visualItemRect(palette.entry_item("op", "add")).height()
        assert height > plain if "\n" in item.text(0) else height == plain
