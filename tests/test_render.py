"""`python main.py render` as a user runs it — one PNG per player step, a GIF with as many
frames, exact sizes, old frames removed, one-line errors — and the edge encoding on real
pixels: an edge's colour follows the sign of what flowed back along it."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
from PIL import Image, ImageChops
from PySide6.QtWidgets import QApplication

from conftest import EXAMPLES, ROOT
from graphs import build
from gui.canvas import edge_encoding, style
from gui_helpers import make_canvas


def run_main(*args, tmp_path):
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    env.pop("QT_QPA_PLATFORM", None)
    env.pop("DISPLAY", None)
    return subprocess.run([sys.executable, "main.py", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_render_writes_one_frame_per_step_and_a_gif_with_as_many(tmp_path):
    out = tmp_path / "frames"
    out.mkdir()
    (out / "frame_0099.png").write_bytes(b"old")            # removed first
    (out / "notes.txt").write_text("kept")
    gif = tmp_path / "chain.gif"
    result = run_main("render", EXAMPLES / "chain_rule.json", "--out", out, "--gif", gif,
                      "--size", "640x400", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"frames": 9}
    frames = sorted(out.glob("frame_*.png"))
    assert [f.name for f in frames] == [f"frame_{k:04d}.png" for k in range(9)]
    assert (out / "notes.txt").exists()
    images = []
    for frame in frames:
        with Image.open(frame) as image:
            assert image.size == (640, 400)
            images.append(image.convert("RGB"))
    for a, b in zip(images, images[1:]):                    # consecutive frames differ
        assert ImageChops.difference(a, b).getbbox() is not None
    with Image.open(gif) as animation:
        assert animation.n_frames == 9 and animation.size == (640, 400)


def test_render_granularity_node_and_the_default_size(tmp_path):
    out = tmp_path / "xor"
    result = run_main("render", EXAMPLES / "xor_mlp.json", "--out", out, "--granularity",
                      "node", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.splitlines()[-1]) == {"frames": 1 + 6 + 1 + 6 + 1}
    with Image.open(out / "frame_0000.png") as image:
        assert image.size == (1280, 800)


def test_render_bad_arguments_and_files_are_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    cases = [("render", EXAMPLES / "chain_rule.json"),
             ("render", EXAMPLES / "chain_rule.json", "--out", tmp_path, "--size", "big"),
             ("render", EXAMPLES / "chain_rule.json", "--out", tmp_path, "--size", "5x5"),
             ("render", EXAMPLES / "chain_rule.json", "--out", tmp_path, "--granularity", "op"),
             ("render", EXAMPLES / "chain_rule.json", "--out", tmp_path / "no" / "dir"),
             ("render", EXAMPLES / "chain_rule.json", "--out", tmp_path, "--gif",
              tmp_path / "no" / "a.gif"),
             ("render", bad, "--out", tmp_path),
             ("render", tmp_path / "missing.json", "--out", tmp_path)]
    for args in cases:
        result = run_main(*args, tmp_path=tmp_path)
        lines = result.stderr.splitlines()
        assert result.returncode == 2 and len(lines) == 1, (args, result.stderr)
        assert "Traceback" not in result.stderr
    assert not list(tmp_path.glob("frame_*.png"))


def test_render_of_an_empty_graph_says_there_is_nothing_to_play(tmp_path):
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"format": "backprop-studio-graph", "version": 1,
                                 "nodes": [], "edges": []}))
    result = run_main("render", empty, "--out", tmp_path / "f", tmp_path=tmp_path)
    assert result.returncode == 2 and "nothing to play" in result.stderr.lower()


def _colour_along(view, edge, fractions=(0.25, 0.3, 0.7, 0.75)) -> list:
    image = view.viewport().grab().toImage()
    colours = []
    for t in fractions:
        point = view.mapFromScene(edge._path.pointAtPercent(t))
        colour = image.pixelColor(point)
        colours.append((colour.red(), colour.green(), colour.blue()))
    return colours


def _close(rgb, target, tolerance=40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(rgb, (target.red(), target.green(),
                                                             target.blue())))


def test_an_edges_colour_follows_the_sign_of_its_contribution(qtbot):
    # y = a · b: a gets b back, b gets a; wires long enough to sample their middle
    graph = build([("a", "input", 1.5), ("b", "input", -0.5), ("y", "mul")],
                  [("a", "y", 0), ("b", "y", 1)])
    graph.set_position("a", (0, 0))
    graph.set_position("b", (0, 260))
    graph.set_position("y", (420, 120))
    model, _stack, view = make_canvas(qtbot, graph, size=(900, 600), center=(290, 170))
    QApplication.processEvents()
    scene = view.graph_scene
    into_a, into_b = scene.edges[("a", "y", 0)], scene.edges[("b", "y", 1)]
    assert into_a.grad_balance == -1.0 and into_b.grad_balance == 1.0
    along = _colour_along(view, into_a, [0.12 + 0.01 * k for k in range(26)]
                          + [0.62 + 0.01 * k for k in range(26)])   # not the number's middle
    dashes = [rgb for rgb in along if _close(rgb, edge_encoding.NEGATIVE)]
    gaps = [rgb for rgb in along if _close(rgb, style.BACKGROUND, 12)]
    assert not [rgb for rgb in along if _close(rgb, edge_encoding.POSITIVE)]
    assert len(dashes) >= 8 and len(gaps) >= 8       # −0.5 flowed back to a: blue, dashed
    for rgb in _colour_along(view, into_b):          # +1.5 flowed back to b: orange
        assert _close(rgb, edge_encoding.POSITIVE), rgb
    model.set_value("b", 0.5)                        # flip the sign of what reaches a
    model.run_now()
    QApplication.processEvents()
    for rgb in _colour_along(view, into_a):
        assert _close(rgb, edge_encoding.POSITIVE), rgb
    from gui.player.controller import PlayerController   # a replay colours the same way
    player = PlayerController(model, scene)
    player.go_to(player.count - 1)
    QApplication.processEvents()
    for rgb in _colour_along(view, into_b, (0.25, 0.3)):
        assert _close(rgb, edge_encoding.POSITIVE), rgb


def test_widths_grow_with_the_log_of_the_size():
    assert edge_encoding.strength(1.0, 1.0) == 1.0
    assert edge_encoding.strength(0.01, 1.0) == 0.5          # two of four decades down
    assert edge_encoding.strength(1e-9, 1.0) == 0.0 and edge_encoding.strength(0.0, 1.0) == 0.0
    assert edge_encoding.width(0.0) < edge_encoding.width(0.5) < edge_encoding.width(1.0)
    assert edge_encoding.balance(np.array([1.0, -1.0])) == 0.0
    assert edge_encoding.balance(np.array([3.0, -1.0])) == 0.5
    assert edge_encoding.sign_colour(0.0) == edge_encoding.NEUTRAL


def _light_pixels(view, scene_point, half=14) -> int:
    """Near-white pixels (label text) in a small square around a scene point."""
    image = view.viewport().grab().toImage()
    centre = view.mapFromScene(scene_point)
    count = 0
    for x in range(centre.x() - half, centre.x() + half):
        for y in range(centre.y() - half // 2, centre.y() + half // 2):
            c = image.pixelColor(x, y)
            count += min(c.red(), c.green(), c.blue()) > 200
    return count


def test_numbers_on_edges_show_at_the_default_zoom_and_go_when_zoomed_out(qtbot):
    import engine
    model, _stack, view = make_canvas(qtbot, engine.load_graph(EXAMPLES / "two_paths.json"),
                                      size=(1000, 700))
    view.fit_view()                                        # the default zoom opening a file
    QApplication.processEvents()
    edge = view.graph_scene.edges[("t", "y", 0)]
    assert edge.label == "0.412"
    assert _light_pixels(view, edge.label_anchor()) > 15
    # long wires, so only the zoom decides: shown at 0.5, dropped at 0.4
    graph = build([("a", "input", 1.5), ("b", "input", -0.5), ("y", "mul")],
                  [("a", "y", 0), ("b", "y", 1)])
    for node, xy in (("a", (0, 0)), ("b", (0, 600)), ("y", (1200, 300))):
        graph.set_position(node, xy)
    model.load_graph(graph)
    QApplication.processEvents()
    edge = view.graph_scene.edges[("a", "y", 0)]
    for zoom, shown in ((0.5, True), (0.4, False)):
        view.resetTransform()
        view.scale(zoom, zoom)
        view.centerOn(edge.label_anchor())
        QApplication.processEvents()
        assert (_light_pixels(view, edge.label_anchor(), half=8) > 4) == shown, zoom
