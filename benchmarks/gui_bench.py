"""GUI benchmark: start-up, opening a 1,000-node graph, repainting it — beside a bare scene.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/gui_bench.py

Start-up runs `python main.py` in a subprocess with BACKPROP_STUDIO_EXIT_AFTER_SHOW=1 (the app
quits after its first paint) and times Popen → the "shown-after" line. The rest runs in this
process: `MainWindow.open_file` on a generated 1,000-node graph, then `viewport().repaint()`
fitted and at 1:1 (median of several), and the same repaint of a plain QGraphicsScene with
1,000 rect-and-text items, as the floor Qt itself sets.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOALS = {"start-up to window shown": 1.5, "open 1,000-node graph": 1.0,
         "repaint fitted": 0.016, "repaint 1:1": 0.016, "select all, delete, undo": 3.0}


def big_graph(n: int = 1000) -> dict:
    """A connected n-node graph of scalars with one sink: leaves, adds, muls and tanhs."""
    nodes, edges = [], []
    cols = 40

    def node(i, op, **extra):
        nodes.append({"id": f"n{i}", "op": op, "attrs": {},
                      "position": [(i % cols) * 230.0, (i // cols) * 150.0], **extra})

    node(0, "input", value=0.5)
    node(1, "parameter", value=-0.3)
    for i in range(2, n):
        kind = i % 4
        if kind == 0:
            node(i, "tanh")
            edges.append({"source": f"n{i - 1}", "target": f"n{i}", "port": 0})
        elif kind == 1:
            node(i, "constant", value=0.01 * (i % 7))
        else:
            node(i, "add" if kind == 2 else "mul")
            a, b = (i - 1, i - 2) if kind == 2 else (i - 1, i - 3)
            edges.append({"source": f"n{a}", "target": f"n{i}", "port": 0})
            edges.append({"source": f"n{b}", "target": f"n{i}", "port": 1})
    # constants nobody reads would be extra sinks: feed each into the next add
    return {"format": "backprop-studio-graph", "version": 1, "nodes": nodes, "edges": edges,
            "loss": f"n{n - 1}"}


def time_startup(runs: int = 5) -> tuple[float, float]:
    """Median wall time Popen → "shown-after", and the app's own measure."""
    walls, own = [], []
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": home,
               "XDG_CONFIG_HOME": home, "BACKPROP_STUDIO_EXIT_AFTER_SHOW": "1"}
        for _ in range(runs):
            start = time.perf_counter()
            proc = subprocess.Popen([sys.executable, "main.py"], cwd=ROOT, env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            for line in proc.stdout:
                if line.startswith("shown-after"):
                    walls.append(time.perf_counter() - start)
                    own.append(float(line.split()[1]))
                    break
            proc.wait(timeout=60)
    return statistics.median(walls), statistics.median(own)


def median_time(fn, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def bare_scene_view(n: int, size):
    from PySide6.QtGui import QBrush, QColor, QPainter, QPen
    from PySide6.QtWidgets import QGraphicsScene, QGraphicsView
    scene = QGraphicsScene()
    for i in range(n):
        x, y = (i % 40) * 230.0, (i // 40) * 150.0
        scene.addRect(x, y, 172, 90, QPen(QColor("#40444f")), QBrush(QColor("#2a2d35")))
        text = scene.addSimpleText(f"n{i}  tanh  = 0.4621")
        text.setBrush(QColor("#e8eaef"))
        text.setPos(x + 8, y + 6)
    view = QGraphicsView(scene)
    view.bench_scene = scene          # the view does not own its scene
    view.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    view.resize(size)
    return view


def repaint_times(view, runs: int) -> tuple[float, float]:
    """Median viewport repaint fitted, then at 1:1 centred on the scene."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication
    rect = view.scene().itemsBoundingRect()
    view.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
    QApplication.processEvents()
    view.viewport().repaint()
    fitted = median_time(view.viewport().repaint, runs)
    view.resetTransform()
    view.centerOn(rect.center())
    QApplication.processEvents()
    view.viewport().repaint()
    one = median_time(view.viewport().repaint, runs)
    return fitted, one


def delete_and_undo(window, app) -> float:
    """Select all 1,000 nodes, delete them and undo the deletion (until redrawn)."""
    start = time.perf_counter()
    window.canvas.select_all()
    window.canvas.delete_selection()
    window.undo_stack.undo()
    app.processEvents()
    elapsed = time.perf_counter() - start
    assert len(window.model.node_ids()) == 1000
    return elapsed


def main() -> int:
    wall, own = time_startup()
    from PySide6.QtCore import QSettings

    from gui.window.app import make_application
    app = make_application()
    from gui.window.main_window import MainWindow

    rows = [("start-up to window shown", wall, f"app's own measure {own:.3f} s")]
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "big.json"
        path.write_text(json.dumps(big_graph()))
        settings = QSettings(str(Path(scratch) / "s.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings=settings)
        window.show()
        app.processEvents()
        opens = []
        for _ in range(3):
            start = time.perf_counter()
            ok = window.open_file(path, ask=False)
            app.processEvents()
            opens.append(time.perf_counter() - start)
            assert ok and len(window.model.node_ids()) == 1000
        problems = len(window.model.errors)
        rows.append(("open 1,000-node graph", statistics.median(opens),
                     f"incl. forward+backward; {problems} node errors"))
        fitted, one = repaint_times(window.canvas, 15)
        bare = bare_scene_view(1000, window.canvas.viewport().size())
        bare.show()
        app.processEvents()
        bare_fitted, bare_one = repaint_times(bare, 15)
        rows.append(("repaint fitted", fitted, f"bare scene {bare_fitted * 1000:.1f} ms"))
        rows.append(("repaint 1:1", one, f"bare scene {bare_one * 1000:.1f} ms"))
        rows.append(("select all, delete, undo", delete_and_undo(window, app),
                     "1,000 nodes, one undo step each way"))
        size = window.canvas.viewport().size()
        window.close_without_asking()
        bare.close()

    print(f"GUI benchmark (offscreen, viewport {size.width()}×{size.height()}, "
          f"{os.cpu_count()} CPUs)")
    print(f"{'measure':<28}{'time':>12}{'goal':>10}  {'':6}note")
    for name, seconds, note in rows:
        goal = GOALS[name]
        unit = (f"{seconds * 1000:9.1f} ms" if goal < 0.1 else f"{seconds:10.3f} s")
        goal_text = f"{goal * 1000:.0f} ms" if goal < 0.1 else f"{goal:.1f} s"
        verdict = "ok" if seconds <= goal else "SLOW"
        print(f"{name:<28}{unit:>12}{goal_text:>10}  {verdict:<6}{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
