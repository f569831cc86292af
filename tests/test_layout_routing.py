"""Auto-layout places sources next to their consumers and no wire passes under a card it does not
touch — checked geometrically on every example and on random graphs (issue 10, item 2)."""
import pytest
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtWidgets import QApplication

import engine
from graph_generator import random_graph
from gui.canvas import routing, style
from gui.model.auto_layout import layered_positions
from gui_helpers import make_canvas
from tests.conftest import EXAMPLES


def card(item) -> QRectF:
    return QRectF(item.pos().x(), item.pos().y(), style.NODE_W, item.height)


def wires_under_cards(view) -> list[tuple]:
    """(edge key, node id) for every wire that passes through a card other than its own ends,
    sampled every pixel or so along the drawn path."""
    scene = view.graph_scene
    found = []
    for key, edge in scene.edges.items():
        path = edge._path
        points = routing.sample(path, max(200, int(path.length())))
        for node_id, item in scene.nodes.items():
            if item in (edge.source_item, edge.target_item):
                continue
            r = card(item)
            if routing.hits(points, (r.left(), r.top(), r.right(), r.bottom())):
                found.append((key, node_id))
    return found


def cards_overlapping(view) -> list[tuple]:
    items = list(view.graph_scene.nodes.items())
    return [(a, b) for i, (a, ia) in enumerate(items) for b, ib in items[i + 1:]
            if card(ia).intersects(card(ib))]


def lay_out(view, model, graph) -> None:
    model.load_graph(graph)
    QApplication.processEvents()
    view.auto_layout()
    QApplication.processEvents()


@pytest.fixture
def canvas(qtbot):
    return make_canvas(qtbot, size=(1200, 800))


def test_the_constant_sits_just_left_of_the_add_it_feeds(canvas):
    """The reported bug: `one` in layer 0 sent its wire under the pow node."""
    model, _stack, view = canvas
    lay_out(view, model, engine.load_graph(EXAMPLES / "chain_rule.json"))
    x = {n: model.node(n).position[0] for n in model.node_ids()}
    assert x["one"] == x["x_squared"] == x["u"] - 200
    assert x["x"] < x["x_squared"] < x["u"] < x["y"]
    y = {n: model.node(n).position[1] for n in model.node_ids()}
    assert y["x"] == y["x_squared"] == y["u"] == y["y"]      # the main path runs straight
    assert not wires_under_cards(view)


def test_a_weights_transpose_sits_next_to_the_matmul_it_feeds(canvas):
    """What depends on parameters alone (PyTorch's Wᵀ) moves as late as its consumer allows:
    the second layer's transpose no longer waits in the second column, its wire running
    under the first layer."""
    model, _stack, view = canvas
    graph = engine.Graph()
    graph.add_node("x", "input", value=[[1.0, 2.0]])
    source = "x"
    for k, (fan_in, fan_out) in enumerate([(2, 3), (3, 3), (3, 1)], 1):
        graph.add_node(f"W{k}", "parameter", value=[[0.1 * k] * fan_in] * fan_out)
        graph.add_node(f"W{k}.T", "transpose")
        graph.connect(f"W{k}", f"W{k}.T", 0)
        graph.add_node(f"mm{k}", "matmul")
        graph.connect(source, f"mm{k}", 0)
        graph.connect(f"W{k}.T", f"mm{k}", 1)
        graph.add_node(f"h{k}", "tanh")
        graph.connect(f"mm{k}", f"h{k}", 0)
        source = f"h{k}"
    graph.add_node("loss", "sum")
    graph.connect(source, "loss", 0)
    lay_out(view, model, graph)
    x = {n: model.node(n).position[0] for n in model.node_ids()}
    for k in (1, 2, 3):
        assert x[f"W{k}"] + 200 == x[f"W{k}.T"] == x[f"mm{k}"] - 200
    assert x["x"] == x["mm1"] - 200 and x["mm1"] < x["mm2"] < x["mm3"] < x["loss"]
    assert not wires_under_cards(view) and not cards_overlapping(view)


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.json")))
def test_no_wire_passes_under_a_card_in_any_example(canvas, name):
    model, _stack, view = canvas
    lay_out(view, model, engine.load_graph(EXAMPLES / name))
    assert not cards_overlapping(view)
    assert not wires_under_cards(view)


@pytest.mark.parametrize("seed", range(40))
def test_no_wire_passes_under_a_card_in_random_graphs(canvas, seed):
    model, _stack, view = canvas
    graph = engine.graph_from_dict(random_graph(seed))
    lay_out(view, model, graph)
    assert not cards_overlapping(view)
    assert not wires_under_cards(view), seed


def test_long_wires_bend_round_a_card_in_their_way(canvas):
    """A source that feeds two layers apart: its wire leaves a row for the card between."""
    model, _stack, view = canvas
    g = engine.Graph()
    g.add_node("a", "input", value=1.0)
    g.add_node("b", "exp")
    g.add_node("c", "exp")
    g.add_node("d", "add")
    g.connect("a", "b", 0)
    g.connect("b", "c", 0)
    g.connect("c", "d", 0)
    g.connect("a", "d", 1)             # spans three layers, straight through b and c
    lay_out(view, model, g)
    edge = view.graph_scene.edges[("a", "d", 1)]
    assert edge._path.elementCount() > 4     # bent, not one cubic
    assert not wires_under_cards(view)


def test_a_card_dropped_on_a_wire_pushes_the_wire_round_it(canvas):
    model, _stack, view = canvas
    model.add_node("a", "input", value=1.0, position=(0, 0))
    model.add_node("b", "exp", position=(700, 0))
    model.connect("a", "b", 0)
    QApplication.processEvents()
    assert not wires_under_cards(view)
    model.add_node("c", "neg", position=(330, -20))      # right on the wire
    QApplication.processEvents()
    assert not wires_under_cards(view)


def test_router_finds_the_nearest_free_band():
    cards = [(100, -50, 248, 39), (100, 90, 248, 179)]
    bends = routing.waypoints((0, 0), (400, 0), cards)
    ys = {y for _x, y in bends}
    assert len(ys) == 1
    y = ys.pop()
    assert 39 + routing.MARGIN <= y <= 90 - routing.MARGIN or y <= -50 - routing.MARGIN
    assert routing.waypoints((0, 0), (400, 0), [(-10, -50, 20, 50)]) is None   # straddles
    assert routing.waypoints((400, 0), (0, 0), cards) is None                  # backwards


def test_layout_of_an_empty_graph_is_empty():
    class Empty:
        def node_ids(self):
            return []

        def edges(self):
            return []
    assert layered_positions(Empty()) == {}


def test_routing_keeps_a_plain_curve_when_nothing_is_in_the_way():
    from gui.canvas.edge_item import wire_path
    start, end = QPointF(0, 0), QPointF(300, 40)
    plain = wire_path(start, end)
    assert routing.routed(start, end, plain, [QRectF(100, 200, 148, 89)]) is plain
