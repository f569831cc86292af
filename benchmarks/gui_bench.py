"""GUI benchmark: start-up, opening a 1,000-node graph, repainting it — beside a bare scene.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/gui_bench.py

Start-up is measured black-box, in subprocesses, with Python's bytecode cache in place (a
first, uncounted run writes it to a scratch folder, as any installed app has it): the wall time
of ``main.py shot`` of a 3-node graph, from Popen until the PNG is written and the process has
exited; and of ``main.py FILE`` with BACKPROP_STUDIO_EXIT_AFTER_SHOW=1, from Popen until the
window's first paint ("shown-after"). Beside them, in the same run, the floor: a bare Qt
window with numpy, shown and grabbed. One more run under ``-X importtime`` says where the
start-up's imports go. The rest runs in this process: `MainWindow.open_file` on a generated
1,000-node graph, then `viewport().repaint()` fitted and at 1:1 (median of several), and the
same repaint of a plain QGraphicsScene with 1,000 rect-and-text items, as the floor Qt sets.
"""
from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOALS = {"start-up: shot of 3 nodes": 1.0, "start-up: window shown": 1.0,
         "open 1,000-node graph": 1.0,
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


THREE_NODES = {"format": "backprop-studio-graph", "version": 1, "loss": "z",
               "nodes": [{"id": "x", "op": "input", "attrs": {}, "value": 2.0, "position": [0, 0]},
                         {"id": "y", "op": "input", "attrs": {}, "value": 0.5,
                          "position": [0, 120]},
                         {"id": "z", "op": "mul", "attrs": {}, "position": [180, 60]}],
               "edges": [{"source": "x", "target": "z", "port": 0},
                         {"source": "y", "target": "z", "port": 1}]}
BARE_WINDOW = """
import numpy
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
app = QApplication([])
window = QMainWindow()
window.setCentralWidget(QLabel("a bare window"))
window.resize(1400, 900)
window.show()
app.processEvents()
window.grab().save(__import__("sys").argv[1])
"""


def startup_env(scratch: Path) -> dict:
    """Offscreen, no user settings, bytecode cached in ``scratch`` (written by the first run)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(scratch),
           "XDG_CONFIG_HOME": str(scratch), "PYTHONPYCACHEPREFIX": str(scratch / "pycache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def wall_time(args, env, until: str | None = None) -> float:
    """Seconds from Popen until the process exits (or prints a line starting with ``until``)."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    for line in proc.stdout:
        if until is not None and line.startswith(until):
            elapsed = time.perf_counter() - start
            proc.wait(timeout=60)
            return elapsed
    proc.wait(timeout=60)
    if proc.returncode != 0 or until is not None:
        raise RuntimeError(f"{' '.join(args)} failed (exit {proc.returncode})")
    return time.perf_counter() - start


def time_startup(runs: int = 7) -> dict:
    """Median wall times of the shot, the app's first paint and the bare window; and the
    start-up's imports by package (ms, one run under -X importtime)."""
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        graph = scratch / "three.json"
        graph.write_text(json.dumps(THREE_NODES))
        env = startup_env(scratch)
        shot = ["main.py", "shot", str(graph), "--out", str(scratch / "shot.png")]
        app = ["main.py", str(graph)]
        bare = ["-c", BARE_WINDOW, str(scratch / "bare.png")]
        shown_env = {**env, "BACKPROP_STUDIO_EXIT_AFTER_SHOW": "1"}
        for args in (shot, bare):
            wall_time(args, env)                      # writes the bytecode cache
        times = {"shot": [], "shown": [], "bare": []}
        for _ in range(runs):
            times["shot"].append(wall_time(shot, env))
            times["shown"].append(wall_time(app, shown_env, until="shown-after"))
            times["bare"].append(wall_time(bare, env))
        result = {name: statistics.median(values) for name, values in times.items()}
        proc = subprocess.run([sys.executable, "-X", "importtime", *shot], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=60)
        result["imports"] = import_breakdown(proc.stderr)
    return result


def import_breakdown(importtime: str) -> dict:
    """-X importtime's self times summed by top package (ms); ours by room (gui.canvas …)."""
    groups: dict[str, float] = {}
    for line in importtime.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if not match:
            continue
        parts = match.group(2).split(".")
        name = ".".join(parts[:2]) if parts[0] == "gui" else parts[0]
        name = {"shiboken6": "PySide6", "shibokensupport": "PySide6"}.get(name, name)
        groups[name] = groups.get(name, 0.0) + int(match.group(1)) / 1000
    return dict(sorted(groups.items(), key=lambda item: -item[1]))


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
    startup = time_startup()
    from PySide6.QtCore import QSettings

    from gui.window.application import make_application
    app = make_application()
    from gui.window.main_window import MainWindow

    bare = startup["bare"]
    rows = [("start-up: shot of 3 nodes", startup["shot"],
             f"Popen → PNG written, exited; bare Qt window + numpy {bare:.3f} s "
             f"(×{startup['shot'] / bare:.2f})"),
            ("start-up: window shown", startup["shown"],
             f"Popen → first paint of main.py FILE (×{startup['shown'] / bare:.2f} the bare one)")]
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
    total = sum(startup["imports"].values())
    top = ", ".join(f"{name} {ms:.0f}" for name, ms in list(startup["imports"].items())[:10])
    print(f"start-up imports: {total:.0f} ms in all (self times, ms): {top}")
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
