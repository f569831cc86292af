"""``export --to svg|png``: the graph itself, with values and gradients, offscreen.

The SVG is valid XML whose ``<text>`` elements name every node whole (never elided), with the
gradient of each node written as ``∂loss/∂node``; gradient-coloured edges survive as gradient
fills. The PNG's size follows ``--scale``.
"""
from __future__ import annotations

import collections
import contextlib
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
from PySide6.QtGui import QImage

import main as main_py
from conftest import EXAMPLES

import engine
from gui.canvas import style

SVG = "{http://www.w3.org/2000/svg}"
LONG = {"format": "backprop-studio-graph", "version": 1, "loss": "the_total_loss_of_this_batch",
        "nodes": [
            {"id": "features_of_every_example", "op": "input", "value": [[0.5, -1.0], [2.0, 0.25]]},
            {"id": "b", "op": "parameter", "value": [0.3, -0.6]},
            {"id": "largest_of_both_inputs", "op": "maximum"},
            {"id": "joined_along_the_rows", "op": "concat", "attrs": {"axis": 0}},
            {"id": "as_one_long_row", "op": "reshape", "attrs": {"shape": [1, -1]}},
            {"id": "the_total_loss_of_this_batch", "op": "max"}],
        "edges": [
            {"source": "features_of_every_example", "target": "largest_of_both_inputs", "port": 0},
            {"source": "b", "target": "largest_of_both_inputs", "port": 1},
            {"source": "largest_of_both_inputs", "target": "joined_along_the_rows", "port": 0},
            {"source": "features_of_every_example", "target": "joined_along_the_rows", "port": 1},
            {"source": "joined_along_the_rows", "target": "as_one_long_row", "port": 0},
            {"source": "as_one_long_row", "target": "the_total_loss_of_this_batch", "port": 0}]}


def export(path, kind, out, *extra):
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        status = main_py.main(["export", str(path), "--to", kind, "--out", str(out), *extra])
    assert status == 0, err.getvalue()


def texts(svg_path) -> list[str]:
    root = ET.parse(svg_path).getroot()          # valid XML, or this raises
    assert root.tag == f"{SVG}svg"
    return ["".join(t.itertext()).strip() for t in root.iter(f"{SVG}text")]


@pytest.mark.parametrize("name", sorted(p.stem for p in EXAMPLES.glob("*.json")))
def test_the_svg_of_each_example_names_every_node_in_text(qapp, tmp_path, name):
    path = EXAMPLES / f"{name}.json"
    export(path, "svg", tmp_path / "g.svg")
    found = texts(tmp_path / "g.svg")
    doc = json.loads(path.read_text())
    for node in doc["nodes"]:
        assert node["id"] in found or f"{node['id']}  ◆" in found, node["id"]
    loss = doc["loss"]
    assert any(t.startswith(f"∂{loss}/∂{doc['nodes'][0]['id']} ") for t in found)


def test_long_ids_are_never_elided_and_edges_keep_their_colours(qapp, tmp_path):
    path = tmp_path / "long.json"
    path.write_text(json.dumps(LONG))
    export(path, "svg", tmp_path / "long.svg")
    found = texts(tmp_path / "long.svg")
    ids = [node["id"] for node in LONG["nodes"]]
    for t in found:
        if t.startswith("∂"):                      # a gradient line names both ids whole
            assert any(t.startswith(f"∂{LONG['loss']}/∂{nid} ") for nid in ids), t
        elif "…" in t:                               # else only a value range may hold a …
            assert t.startswith("= ") or t.startswith("∂"), t
    for node in LONG["nodes"]:
        nid = node["id"]
        assert nid in found or f"{nid}  ◆" in found, nid
        assert any(t.startswith(f"∂{LONG['loss']}/∂{nid} ") for t in found), nid
    text = (tmp_path / "long.svg").read_text()
    from gui.window.export_image import _scene_for        # the colours the canvas gives each edge
    _app, _model, scene = _scene_for(engine.load_graph(path))
    strokes = set(re.findall(r'stroke="(#[0-9a-f]{6})"', text))
    colours = {edge.pen_colour() for edge in scene.edges.values()}
    assert colours <= strokes and colours - {style.EDGE.name()}    # signed, not plain grey


def test_the_png_follows_the_scale(qapp, tmp_path):
    export(EXAMPLES / "two_paths.json", "png", tmp_path / "one.png", "--scale", "1")
    export(EXAMPLES / "two_paths.json", "png", tmp_path / "two.png")        # default 2
    one, two = QImage(str(tmp_path / "one.png")), QImage(str(tmp_path / "two.png"))
    assert not one.isNull() and one.width() > 300 and one.height() > 100
    assert abs(two.width() - 2 * one.width()) <= 2 and abs(two.height() - 2 * one.height()) <= 2
    corner = one.pixelColor(2, 2)            # the canvas background, not transparent
    assert corner.alpha() == 255 and corner.lightness() < 60


class LabelSpy:
    """Records the numbers ``scene_paint.draw_edge_labels`` writes on edges (through a proxy
    painter that passes every call on)."""

    def __init__(self, monkeypatch):
        import gui.canvas.scene as scene_module
        self.drawn: list[str] = []
        real = scene_module.draw_edge_labels
        spy = self

        class Proxy:
            def __init__(self, painter):
                self._painter = painter

            def __getattr__(self, name):
                return getattr(self._painter, name)

            def drawText(self, *args):
                spy.drawn.append(args[-1])
                return self._painter.drawText(*args)

        monkeypatch.setattr(scene_module, "draw_edge_labels",
                            lambda scene, painter, rect: real(scene, Proxy(painter), rect))

    def take(self) -> list[str]:
        drawn, self.drawn = sorted(self.drawn), []
        return drawn


@pytest.mark.parametrize("name", sorted(p.stem for p in EXAMPLES.glob("*.json")))
def test_the_svg_carries_the_numbers_on_edges_the_png_shows_as_text(qapp, tmp_path, monkeypatch,
                                                                    name):
    """The SVG (one unit per scene unit) draws the same edge numbers as the default PNG (two
    pixels per unit), as real <text>; before, its bigger numbers covered nodes and were left
    out (none at all on spiral_classifier)."""
    spy = LabelSpy(monkeypatch)
    export(EXAMPLES / f"{name}.json", "png", tmp_path / "g.png")
    in_png = spy.take()
    export(EXAMPLES / f"{name}.json", "svg", tmp_path / "g.svg")
    assert spy.take() == in_png and len(in_png) >= 3
    found = collections.Counter(texts(tmp_path / "g.svg"))
    assert not collections.Counter(in_png) - found, (in_png, found)


def test_two_paths_svg_shows_its_gradient_numbers_and_whole_ids(qapp, tmp_path):
    export(EXAMPLES / "two_paths.json", "svg", tmp_path / "g.svg")
    found = texts(tmp_path / "g.svg")
    # z = x·y, x = t², y = eᵗ at t = 0.5: what flows back along each edge, as the PNG shows
    # it — t→x 1.649·2t, t→y 0.25·eᵗ, x→z y = 1.649, y→z x = 0.25
    assert found.count("1.65") == 2 and found.count("0.412") == 1 and found.count("0.25") == 1
    for node_id in ("t", "x", "y"):
        assert node_id in found
    assert "z  ◆" in found and not any("…" in t for t in found)


def test_a_png_at_any_scale_shows_the_same_edge_numbers(qapp, tmp_path, monkeypatch):
    """The level of detail does not follow --scale: a small PNG keeps the numbers, a large
    one does not drop those near a node."""
    spy = LabelSpy(monkeypatch)
    drawn = {}
    for scale in ("0.4", "1", "2", "4"):
        export(EXAMPLES / "spiral_classifier.json", "png", tmp_path / "g.png", "--scale", scale)
        drawn[scale] = spy.take()
    assert len(drawn["2"]) >= 5 and all(d == drawn["2"] for d in drawn.values()), drawn
