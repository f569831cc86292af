"""Scrub benchmark: dragging a value on a 500-node graph — from the mouse move to the redrawn
canvas, beside a plain repaint of the same view measured in the same run.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/scrub_bench.py

A real MainWindow opens two generated 500-node graphs in which every node depends on the
input ``x`` (every value and gradient changes with it): a deep chain, laid out by the app, and
a hub (``x`` feeds 166 nodes) on a grid, whose long wires make even a plain repaint slow at
1:1. The mouse is pressed on ``x``'s value and moved one pixel at a time with QTest; each step
is timed from the move event (the scrubber pushes the edit, the graph re-runs, every card on
screen takes its new numbers) until ``viewport().repaint()`` returns. Medians of many steps,
at 1:1 around ``x`` and with the whole graph fitted, beside a plain repaint of the same view;
the goal is 50 ms per step.
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

GOAL = 0.050
NODES = 500
STEPS = 40


def wide_graph(n: int = NODES) -> dict:
    """``n`` scalar nodes that all move with the input ``x``: ``x · c_i`` for many constants,
    multiplied in pairs, then summed pairwise down to one loss (no value or gradient stands
    still)."""
    k = (n + 1) // 3
    nodes = [{"id": "x", "op": "input", "attrs": {}, "value": 0.5}]
    edges = []
    level = []
    for i in range(k):
        nodes.append({"id": f"c{i}", "op": "constant", "attrs": {}, "value": 0.5 + 0.01 * i})
        nodes.append({"id": f"m{i}", "op": "mul", "attrs": {}})
        edges += [{"source": "x", "target": f"m{i}", "port": 0},
                  {"source": f"c{i}", "target": f"m{i}", "port": 1}]
        level.append(f"m{i}")
    count = 0
    while len(level) > 1:
        nxt = []
        op = "mul" if level[0].startswith("m") else "add"    # x² first: gradients move too
        for a, b in zip(level[::2], level[1::2]):
            node_id = f"s{count}"
            count += 1
            nodes.append({"id": node_id, "op": op, "attrs": {}})
            edges += [{"source": a, "target": node_id, "port": 0},
                      {"source": b, "target": node_id, "port": 1}]
            nxt.append(node_id)
        level = nxt + (level[-1:] if len(level) % 2 else [])
    cols = 40
    for i, node in enumerate(nodes):
        node["position"] = [(i % cols) * 230.0, (i // cols) * 150.0]
    return {"format": "backprop-studio-graph", "version": 1, "nodes": nodes, "edges": edges,
            "loss": level[0]}


def chain_graph(n: int = NODES) -> dict:
    """``n`` scalar nodes in a deep chain ``u ← u · c + b`` from the input ``x``, squared at
    the end (every value moves with ``x``, and so does every gradient); no positions: the
    app lays it out."""
    k = (n - 2) // 4
    nodes = [{"id": "x", "op": "input", "attrs": {}, "value": 0.5}]
    edges = []
    previous = "x"
    for i in range(k):
        nodes += [{"id": f"c{i}", "op": "constant", "attrs": {}, "value": 1.0 + 0.001 * (i % 5 - 2)},
                  {"id": f"m{i}", "op": "mul", "attrs": {}},
                  {"id": f"b{i}", "op": "constant", "attrs": {}, "value": 0.01},
                  {"id": f"s{i}", "op": "add", "attrs": {}}]
        edges += [{"source": previous, "target": f"m{i}", "port": 0},
                  {"source": f"c{i}", "target": f"m{i}", "port": 1},
                  {"source": f"m{i}", "target": f"s{i}", "port": 0},
                  {"source": f"b{i}", "target": f"s{i}", "port": 1}]
        previous = f"s{i}"
    nodes.append({"id": "loss", "op": "pow", "attrs": {"exponent": 2.0}})
    edges.append({"source": previous, "target": "loss", "port": 0})
    return {"format": "backprop-studio-graph", "version": 1, "nodes": nodes, "edges": edges,
            "loss": "loss"}


def handle(canvas):
    """The viewport point of x's value (None when it cannot be grabbed at this zoom)."""
    from PySide6.QtCore import QPointF
    item = canvas.node_item("x")
    start = canvas.mapFromScene(item.mapToScene(QPointF(60, item.height - 12)))
    return start if canvas.scrubber.scrubbable(start) is not None else None


def drag_times(window, steps: int) -> list[float]:
    """Seconds per drag step (mouse move → re-run → repaint done)."""
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    canvas = window.canvas
    start = handle(canvas)
    viewport = canvas.viewport()
    QTest.mousePress(viewport, Qt.LeftButton, Qt.NoModifier, start)
    times = []
    loss = window.model.loss_id
    before = {k: float(v) for k, v in window.model.values.items()}
    grads = {k: float(v) for k, v in window.model.grads.items()}
    for dx in range(1, steps + 1):
        t0 = time.perf_counter()
        QTest.mouseMove(viewport, start + QPoint(dx, 0))
        viewport.repaint()
        times.append(time.perf_counter() - t0)
    QTest.mouseRelease(viewport, Qt.LeftButton, Qt.NoModifier, start + QPoint(steps, 0))
    values = window.model.values
    assert all(float(values[k]) != v for k, v in before.items() if k[0] in "ms"), \
        "a value did not follow the drag"
    assert float(window.model.grads["x"]) != grads["x"] and loss == window.model.loss_id
    window.undo_stack.undo()
    return times


def repaint_time(window, runs: int) -> float:
    viewport = window.canvas.viewport()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        viewport.repaint()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def main() -> int:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from gui.window.application import make_application
    app = make_application()
    from gui.window.main_window import MainWindow

    rows = []
    graphs = (("deep chain, auto-laid-out", chain_graph()),
              ("hub: x feeds 166 (grid)", wide_graph()))
    with tempfile.TemporaryDirectory() as scratch:
        window = MainWindow(settings=QSettings(str(Path(scratch) / "s.ini"),
                                               QSettings.Format.IniFormat))
        window.resize(1400, 900)
        window.show()
        for graph_name, doc in graphs:
            path = Path(scratch) / "big.json"
            path.write_text(json.dumps(doc))
            window.open_file(path, ask=False)
            app.processEvents()
            assert len(window.model.node_ids()) >= NODES - 3
            canvas = window.canvas
            def at_zoom(zoom):
                canvas.resetTransform()
                canvas.scale(zoom, zoom)
                canvas.centerOn(canvas.node_item("x"))

            for view_name, place in (("1:1 at x", lambda: at_zoom(1.0)),
                                     ("zoom 0.5 at x", lambda: at_zoom(0.5)),
                                     ("fitted", canvas.fit_view)):
                place()
                QApplication.processEvents()
                if handle(canvas) is None:            # x is a speck: nothing to grab
                    rows.append((f"{graph_name}, {view_name}", None, None, None))
                    continue
                drag_times(window, 5)                  # warm up caches
                steps = drag_times(window, STEPS)
                rows.append((f"{graph_name}, {view_name}", statistics.median(steps), max(steps),
                             repaint_time(window, 15)))
        window.close_without_asking()

    print(f"Scrub benchmark: drag the input of a {NODES}-node graph ({os.cpu_count()} CPUs, "
          f"offscreen, 1400×900 window)")
    print(f"{'graph, view':<38}{'median step':>13}{'slowest':>10}{'plain repaint':>15}"
          f"{'step/repaint':>14}{'goal':>8}")
    for name, median, slowest, repaint in rows:
        if median is None:
            print(f"{name:<38}{'(x too small on screen to grab)':>44}")
            continue
        verdict = "ok" if median <= GOAL else "SLOW"
        print(f"{name:<38}{median * 1000:10.1f} ms{slowest * 1000:7.1f} ms"
              f"{repaint * 1000:12.1f} ms{median / repaint:13.1f}×{GOAL * 1000:5.0f} ms  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
