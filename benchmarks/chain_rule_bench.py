"""Chain-rule panel speed: paths to the loss, gradient health and a panel refresh, each against
the re-run (``engine.evaluate``: forward + backward) of the same graph, measured in this run.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/chain_rule_bench.py

Graphs (about 500 nodes each):
- ladder: 250 layers whose two nodes both feed both of the next, 2²⁵⁰ paths from the input;
- mesh: the GUI benchmark's 500-node scalar graph (adds, muls, tanhs), paths from its input;
- MLP: a 2-64-64-1 tanh MLP on a batch of 256 (tensor steps), paths from W1.
Goal: selecting a node costs at most a few re-runs, whatever the number of paths.
"""
from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np  # noqa: E402

import engine  # noqa: E402
from engine import Graph  # noqa: E402
from engine.evaluate import evaluate  # noqa: E402
from engine.health import gradient_health  # noqa: E402
from engine.paths import paths_to_loss  # noqa: E402


def ladder(layers: int = 250) -> Graph:
    g = Graph()
    g.add_node("a0", "input", value=0.5)
    g.add_node("b0", "input", value=0.25)
    for k in range(1, layers + 1):
        g.add_node(f"a{k}", "sub")
        g.add_node(f"b{k}", "mul")
        for target in (f"a{k}", f"b{k}"):
            g.connect(f"a{k - 1}", target, 0)
            g.connect(f"b{k - 1}", target, 1)
    g.add_node("L", "add")
    g.connect(f"a{layers}", "L", 0)
    g.connect(f"b{layers}", "L", 1)
    return g


def mesh(n: int = 500) -> Graph:
    from gui_bench import big_graph
    return engine.graph_from_dict(big_graph(n))


def mlp(width: int = 64, batch: int = 256) -> Graph:
    rng = np.random.default_rng(0)
    g = Graph()
    g.add_node("x", "input", value=rng.normal(size=(batch, 2)))
    g.add_node("y", "input", value=rng.normal(size=(batch, 1)))
    previous, sizes = "x", (2, width, width, 1)
    for i, (fan_in, fan_out) in enumerate(zip(sizes, sizes[1:]), 1):
        g.add_node(f"W{i}", "parameter", value=rng.normal(size=(fan_in, fan_out)) / fan_in ** .5)
        g.add_node(f"b{i}", "parameter", value=np.zeros(fan_out))
        for name, op in ((f"m{i}", "matmul"), (f"z{i}", "add")):
            g.add_node(name, op)
        g.connect(previous, f"m{i}", 0)
        g.connect(f"W{i}", f"m{i}", 1)
        g.connect(f"m{i}", f"z{i}", 0)
        g.connect(f"b{i}", f"z{i}", 1)
        previous = f"z{i}"
        if i < 3:
            g.add_node(f"h{i}", "tanh")
            g.connect(previous, f"h{i}", 0)
            previous = f"h{i}"
    g.add_node("loss", "mse")
    g.connect(previous, "loss", 0)
    g.connect("y", "loss", 1)
    return g


def median(fn, repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def panel_refresh(graph: Graph, node: str) -> float:
    """One ChainRulePanel.refresh (paths, rows, totals) in a real window, without the check."""
    from PySide6.QtCore import QSettings
    from gui.window.application import make_application
    from gui.window.main_window import MainWindow
    app = make_application()
    folder = tempfile.mkdtemp()
    window = MainWindow(settings=QSettings(os.path.join(folder, "settings.ini"),
                                           QSettings.Format.IniFormat))
    window.show()
    window.open_graph(graph, None, "bench")
    app.processEvents()
    panel = window.chain_rule_dock.widget()
    panel.node_id = node
    panel._start_check = lambda: None      # the check runs on a worker thread: not timed here
    t = median(panel.refresh)
    window.model.mark_saved()
    window.close()
    shutil.rmtree(folder, ignore_errors=True)
    return t


def main() -> int:
    cases = (("ladder (2²⁵⁰ paths)", ladder(), "a0"), ("mesh", mesh(), "n0"),
             ("MLP 2-64-64-1, batch 256", mlp(), "W1"))
    print(f"{'graph':28s} {'nodes':>5s} {'paths':>10s} {'re-run':>9s} {'paths ×':>8s} "
          f"{'health ×':>9s} {'panel ×':>8s}")
    for name, graph, node in cases:
        rerun = median(lambda: evaluate(graph))
        trace = evaluate(graph).trace
        report = paths_to_loss(trace, node)
        t_paths = median(lambda: paths_to_loss(trace, node))
        t_health = median(lambda: gradient_health(trace))
        t_panel = panel_refresh(graph.copy(), node)
        count = f"{report.count:.3g}" if report.count > 1e6 else f"{report.count}"
        print(f"{name:28s} {len(graph.node_ids()):5d} {count:>10s} {rerun * 1e3:7.1f}ms "
              f"{t_paths / rerun:7.2f}× {t_health / rerun:8.2f}× {t_panel / rerun:7.2f}×")
    print("(× = time / one re-run of the same graph, measured in this run)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
