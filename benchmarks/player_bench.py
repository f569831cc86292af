"""Player benchmark: one player frame on a 500-node graph in the app, also while the window is
resized, and `render` frames at 1280×800 with their PNG — beside references measured in the
same run (a plain repaint of the same canvas; encoding a PNG alone).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/player_bench.py

A player frame = the player moves to the next step (the display record of that step is built
from the Trace and handed to the canvas) and the canvas viewport repaints. Animation frames (a
pulse on its way) are timed too. Goals (issue 7): ≤ 16 ms a frame in the app, ≤ 60 ms a
rendered frame including its PNG.
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from gui_bench import big_graph  # noqa: E402  (the same generated graph, 500 nodes here)

NODES = 500
GOALS = {"app": 0.016, "render": 0.060}


def graph_with_gradients(n: int) -> dict:
    """gui_bench's generated graph, with constants that do not multiply gradients by 0."""
    doc = big_graph(n)
    for node in doc["nodes"]:
        if node["op"] == "constant":
            node["value"] = 0.5 + 0.01 * (int(node["id"][1:]) % 7)
    return doc


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.2f} ms"


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def app_frames(app, path: Path, scratch: Path) -> dict:
    from PySide6.QtCore import QSettings
    from gui.window.main_window import MainWindow

    settings = QSettings(str(scratch / "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings)
    window.resize(1400, 900)
    window.show()
    app.processEvents()
    assert window.open_file(path, ask=False)
    window.model.run_now()
    app.processEvents()
    canvas, player = window.canvas, window.player
    results = {}
    for zoom_name, prepare in (("fitted", canvas.fit_view), ("1:1", lambda: _one(canvas))):
        player.leave()
        prepare()
        app.processEvents()
        canvas.viewport().repaint()
        plain = statistics.median(timed(canvas.viewport().repaint) for _ in range(15))
        assert player.go_to(0)
        app.processEvents()
        count = player.count
        picks = list(range(1, count, max(1, count // 120)))
        steps = [timed(lambda k=k: (player.go_to(k), canvas.viewport().repaint()))
                 for k in picks]
        timeline = player.timeline
        pulses = []          # while playing: the pulse of step k moves, tick after tick
        for k in picks:
            for progress in (0.2, 0.4, 0.6):
                pulses.append(timed(lambda k=k, p=progress: (
                    canvas.graph_scene.show_replay(timeline.record_at(k, p)),
                    canvas.viewport().repaint())))
        results[zoom_name] = (plain, statistics.median(steps), max(steps),
                              statistics.median(pulses), len(picks), count)
    player.go_to(0)
    canvas.fit_view()
    sizes = [(1400, 900), (1200, 800), (1000, 700), (1300, 850)]
    resized, relayout = [], []
    for i, k in enumerate(range(1, min(player.count, 121))):
        # the window's own work for a resize (layouts, docks, every widget repainted) ...
        relayout.append(timed(lambda i=i: (window.resize(*sizes[i % len(sizes)]),
                                           app.processEvents())))
        # ... and the player's frame at the new size
        resized.append(timed(lambda k=k: (player.go_to(k), canvas.viewport().repaint())))
    results["resizing"] = (statistics.median(resized), max(resized), len(resized),
                           statistics.median(relayout))
    window.model.mark_saved()
    window.close()
    return results


def _one(canvas) -> None:
    canvas.resetTransform()
    canvas.centerOn(canvas.graph_scene.itemsBoundingRect().center())


def render_frames(app, path: Path, scratch: Path) -> tuple:
    """Frames as render_animation makes them (paint here, PNG on 2 worker threads): wall time
    per frame over 41 frames spread over the pass; and the parts alone."""
    from concurrent.futures import ThreadPoolExecutor

    from engine import load_graph
    from gui.model import GraphModel
    from gui.player.png import rgb_rows, write_png
    from gui.player.render import FrameRenderer

    renderer = FrameRenderer(GraphModel(load_graph(path)), (1280, 800))
    count = renderer.count
    picks = list(range(0, count, max(1, count // 40)))
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        for k in picks:
            image = renderer.frame(k)
            pool.submit(write_png, scratch / f"frame_{k:04d}.png", *rgb_rows(image))
    wall = (time.perf_counter() - start) / len(picks)
    paint = statistics.median(timed(lambda k=k: renderer.frame(k)) for k in picks[:15])
    png = statistics.median(timed(lambda: write_png(scratch / "one.png", *rgb_rows(image)))
                            for _ in range(10))
    qt_png = statistics.median(timed(lambda: image.save(str(scratch / "qt.png"), "PNG"))
                               for _ in range(5))
    renderer.close()
    return wall, paint, png, qt_png, len(picks), count


def main() -> int:
    from gui.window.application import make_application
    app = make_application()
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        path = scratch / "big.json"
        path.write_text(json.dumps(graph_with_gradients(NODES)))
        frames = app_frames(app, path, scratch)
        rendered = render_frames(app, path, scratch)

    print(f"Player benchmark ({NODES}-node graph, offscreen, {os.cpu_count()} CPUs)")
    for zoom in ("fitted", "1:1"):
        plain, step, worst, pulse, n, count = frames[zoom]
        verdict = "ok" if step <= GOALS["app"] else "SLOW"
        print(f"app frame, {zoom:<6}  step {ms(step)} (worst {ms(worst)}), pulse frame "
              f"{ms(pulse)}; plain repaint {ms(plain)} → ×{step / plain:.2f}  "
              f"[{n} of {count} steps]  goal 16 ms: {verdict}")
    median, worst, n, relayout = frames["resizing"]
    print(f"app frame while resizing  {ms(median)} (worst {ms(worst)}) over {n} steps, "
          f"goal 16 ms: {'ok' if median <= GOALS['app'] else 'SLOW'}; the window's own "
          f"relayout per resize {ms(relayout)}")
    wall, paint, png, qt_png, n, count = rendered
    print(f"render 1280×800: {ms(wall)} a frame incl. PNG (paint {ms(paint)}, our PNG "
          f"{ms(png)}, Qt's PNG writer {ms(qt_png)} → ×{png / qt_png:.2f})  [{n} of {count} "
          f"frames]  goal 60 ms: {'ok' if wall <= GOALS['render'] else 'SLOW'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
