"""Offscreen screenshots of the "first ten minutes" rough edges (issue 10), one PNG per item.

Run from the repository root: ``QT_QPA_PLATFORM=offscreen .venv/bin/python
docs/first_minutes/make_shots.py PREFIX`` writes ``docs/first_minutes/PREFIX_<item>.png``
(``before`` was taken on the commit before the fixes, ``after`` on the fixed app). Scenes are
built through the window's public API, so the same script runs on both.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QPointF, QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

import engine  # noqa: E402
from gui.model import commands  # noqa: E402
from gui.window.app import make_application  # noqa: E402

OUT = Path(__file__).resolve().parent
EXAMPLES = ROOT / "resources" / "examples"


def settle(ms: int = 80) -> None:
    from PySide6.QtTest import QTest
    for _ in range(3):
        QApplication.processEvents()
        QTest.qWait(ms // 3)


def new_window(width=1400, height=900):
    from gui.window.main_window import MainWindow
    scratch = tempfile.mkdtemp()
    win = MainWindow(settings=QSettings(str(Path(scratch) / "s.ini"), QSettings.Format.IniFormat))
    win.resize(width, height)
    win.show()
    settle()
    return win


def save(widget, name: str, prefix: str) -> None:
    settle()
    path = OUT / f"{prefix}_{name}.png"
    widget.grab().save(str(path))
    print(path.relative_to(ROOT))


def broken_log_graph() -> engine.Graph:
    g = engine.Graph()
    g.add_node("x", "input", value=-1.0, position=(0, 0))
    g.add_node("l", "log", position=(220, 0))
    g.add_node("y", "pow", attrs={"exponent": 2.0}, position=(440, 0))
    g.connect("x", "l", 0)
    g.connect("l", "y", 0)
    return g


def shot_broken(prefix):
    win = new_window()
    win.open_graph(broken_log_graph(), None, "broken")
    settle()
    win.canvas.fit_view()
    win.canvas.select_nodes(["x"])
    save(win, "01_negative_into_log", prefix)
    win.close_without_asking()


def shot_layout(prefix):
    win = new_window()
    win.open_file(EXAMPLES / "chain_rule.json", ask=False)
    settle()
    win.canvas.auto_layout()
    settle()
    save(win.canvas, "02_chain_rule_auto_layout", prefix)
    win.close_without_asking()


def shot_grad_labels(prefix):
    win = new_window()
    win.open_file(EXAMPLES / "chain_rule.json", ask=False)
    settle()
    win.canvas.fit_view()
    win.canvas.select_nodes(["one"])
    save(win, "03_gradient_labels", prefix)
    win.close_without_asking()


def shot_names(prefix):
    win = new_window()
    canvas = win.canvas
    canvas.resetTransform()
    canvas.centerOn(300, 100)
    for op, x, y in (("input", 0, 0), ("pow", 220, 0), ("constant", 220, 160),
                     ("add", 440, 60), ("pow", 660, 60)):
        canvas.add_node_at(op, QPointF(x, y))
    settle()
    save(canvas, "04_default_names", prefix)
    win.close_without_asking()


def shot_inspector_hint(prefix):
    win = new_window()
    canvas = win.canvas
    canvas.add_node_at("input", QPointF(0, 0))
    add_id = canvas.add_node_at("add", QPointF(250, 0))
    canvas.select_nodes([add_id])
    save(win.inspector, "05_inspector_unconnected", prefix)
    x_id = [n for n in win.model.node_ids() if n != add_id][0]
    canvas.controller.connect(x_id, add_id, 0)
    canvas.controller.connect(x_id, add_id, 1)
    settle()
    save(win.inspector, "05_inspector_connected", prefix)
    win.close_without_asking()


def shot_value_box(prefix):
    win = new_window()
    win.open_file(EXAMPLES / "chain_rule.json", ask=False)
    settle()
    win.canvas.select_nodes(["x"])
    settle()
    edit = win.inspector.value_edit
    edit.setFocus()
    edit.selectAll()
    edit.insertPlainText("1.5.2")
    save(win.inspector, "06_value_box_typing", prefix)
    win.close_without_asking()


def shot_overview_words(prefix):
    win = new_window()
    canvas = win.canvas
    canvas.add_node_at("input", QPointF(0, 0))
    canvas.add_node_at("add", QPointF(250, 0))
    canvas.add_node_at("log", QPointF(0, 200))
    x_id = win.model.node_ids()[0]
    canvas.controller.connect(x_id, win.model.node_ids()[2], 0)
    win.undo_stack.push(commands.SetValue(win.model, x_id, -1.0))
    settle()
    canvas.fit_view()
    canvas.graph_scene.clearSelection()
    save(win, "07_unfinished_words", prefix)
    win.close_without_asking()


def shot_leaves(prefix):
    win = new_window()
    win.open_file(EXAMPLES / "xor_mlp.json", ask=False)
    settle()
    save(win.inspector, "08_leaves_table", prefix)
    win.close_without_asking()


def shot_small(prefix):
    for w, h in ((1000, 700), (800, 560)):
        win = new_window(w, h)
        win.open_file(EXAMPLES / "chain_rule.json", ask=False)
        settle(200)
        save(win, f"09_window_{w}x{h}", prefix)
        win.close_without_asking()


def shot_paste(prefix):
    win = new_window()
    win.open_file(EXAMPLES / "chain_rule.json", ask=False)
    settle()
    canvas = win.canvas
    canvas.select_nodes(["u"])
    canvas.duplicate_selection()
    settle()
    save(canvas, "10_duplicate", prefix)
    win.close_without_asking()


def shot_xor_fit(prefix):
    win = new_window(1400, 900)
    win.open_file(EXAMPLES / "xor_mlp.json", ask=False)
    settle(200)
    win.canvas.fit_view()
    save(win, "12_xor_fitted_1400x900", prefix)
    win.close_without_asking()


SHOTS = [shot_broken, shot_layout, shot_grad_labels, shot_names, shot_inspector_hint,
         shot_value_box, shot_overview_words, shot_leaves, shot_small, shot_paste, shot_xor_fit]


def main(argv) -> int:
    prefix = argv[1] if len(argv) > 1 else "after"
    only = set(argv[2:])
    make_application()
    for shot in SHOTS:
        if not only or any(word in shot.__name__ for word in only):
            shot(prefix)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
