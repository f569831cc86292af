"""Never lose work: autosave while modified, clean exits leave nothing, a crash is offered back."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QApplication, QMessageBox

import engine
from gui.model import commands
from gui.window import recovery
from gui_helpers import mouse_drag
from window_fixtures import dialogs, graph_dict, settings, square_graph_file, window  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent


def recovery_files(settings) -> list[Path]:
    return sorted(recovery.recovery_folder(settings).glob("recovery-*"))


def test_autosave_writes_only_unsaved_changes_and_a_clean_close_removes_them(window, settings,
                                                                             tmp_path):
    saver = window.autosaver
    assert saver.timer.interval() == 60_000 and saver.timer.isActive()   # every minute
    window.open_file(square_graph_file(tmp_path / "sq.json"))
    assert not saver.autosave() and recovery_files(settings) == []   # nothing unsaved
    window.undo_stack.push(commands.SetValue(window.model, "x", 7.0))
    assert saver.autosave() and saver.path.exists()     # what the timer does at its tick
    saved = engine.load_graph(saver.path)
    assert float(saved.node("x").value) == 7.0                    # a normal graph file
    meta = json.loads(saver.path.with_suffix(".meta.json").read_text())
    assert meta["name"] == "sq.json" and meta["path"].endswith("sq.json")
    assert not saver.autosave()                                   # nothing new since
    assert window.save()
    assert not saver.autosave() and not saver.path.exists()       # saved: nothing to recover
    window.undo_stack.push(commands.SetValue(window.model, "x", 8.0))
    assert saver.autosave() and saver.path.exists()
    window.close_without_asking()                                 # a deliberate discard
    assert recovery_files(settings) == []


def test_a_move_that_comes_alone_is_autosaved(window, tmp_path):
    """A node dragged on the canvas, with no other edit since the last autosave (no re-run,
    the document was modified already): the next autosave writes the new position."""
    saver = window.autosaver
    window.open_file(square_graph_file(tmp_path / "sq.json"))
    window.undo_stack.push(commands.SetValue(window.model, "x", 5.0))
    window.model.run_now()                        # the edit's re-run is over …
    QApplication.processEvents()                  # … and the view fits the graph it opened
    assert saver.autosave() and not saver.autosave()
    item = window.canvas.node_item("y")
    header = item.mapToScene(item.boundingRect().center().x(), 8)
    before = window.model.node("y").position
    mouse_drag(window.canvas, header, header + QPointF(120, 60))
    after = window.model.node("y").position
    assert after != before and window.undo_stack.undoText().startswith("Move")
    assert saver.autosave()
    assert tuple(engine.load_graph(saver.path).node("y").position) == tuple(after)


def test_recovery_offers_the_newest_autosave_first(window, settings, dialogs, tmp_path):
    """Two sessions crashed: the question names the newer one, and Yes restores it (their
    files' ages say the opposite: the autosave's own time decides)."""
    folder = recovery.recovery_folder(settings)
    folder.mkdir(parents=True)
    for pid, name, x, saved_at, mtime in ((999999990, "older.json", 1.0, 1000.0, 3000.0),
                                          (999999991, "newer.json", 2.0, 2000.0, 2500.0)):
        graph_file = folder / f"recovery-{pid}.json"                # no such processes
        graph_file.write_text(Path(square_graph_file(tmp_path / name, x=x)).read_text())
        graph_file.with_suffix(".meta.json").write_text(json.dumps(
            {"name": name, "path": str(tmp_path / name), "saved_at": saved_at}))
        os.utime(graph_file, (mtime, mtime))
    dialogs.answer = QMessageBox.StandardButton.Yes
    assert window.offer_recovery()
    assert dialogs.kinds() == ["question"] and "newer.json" in dialogs.texts()
    assert "older.json" not in dialogs.texts()
    assert float(window.model.node("x").value) == 2.0 and window.display_name == "newer.json"
    assert recovery_files(settings) == []                        # both offered once


def test_the_interval_can_be_set(settings, monkeypatch):
    assert recovery.autosave_seconds(settings) == 60.0
    settings.setValue(recovery.SETTING_SECONDS, 5)
    assert recovery.autosave_seconds(settings) == 5.0
    monkeypatch.setenv(recovery.ENV_SECONDS, "0.5")
    assert recovery.autosave_seconds(settings) == 0.5


CRASHING_APP = """
import signal, sys
from PySide6.QtCore import QSettings
from gui.window.application import make_application
app = make_application()
from gui.model import commands
from gui.window.main_window import MainWindow
settings = QSettings(sys.argv[1], QSettings.Format.IniFormat)
window = MainWindow(settings=settings)
window.show()
assert window.open_file(sys.argv[2], ask=False)
window.undo_stack.push(commands.SetValue(window.model, "x", 42.0))
window.undo_stack.push(commands.RenameNode(window.model, "y", "square"))
assert window.autosaver.autosave()          # what the autosave timer does at its tick
print("autosaved", flush=True)
signal.pause()                  # until killed: no clean exit, no cleanup
"""


def test_a_killed_session_is_offered_back_and_restores_exactly(window, settings, dialogs,
                                                              tmp_path):
    graph_file = square_graph_file(tmp_path / "work.json", x=3.0)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    with subprocess.Popen([sys.executable, "-c", textwrap.dedent(CRASHING_APP),
                           settings.fileName(), graph_file], cwd=ROOT, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        line = process.stdout.readline()
        process.send_signal(signal.SIGKILL)
        _out, err = process.communicate(timeout=30)
    assert line.strip() == "autosaved", err[-2000:]
    assert process.returncode == -signal.SIGKILL
    assert len(recovery_files(settings)) == 2                    # the graph and its meta data
    dialogs.answer = QMessageBox.StandardButton.Yes
    assert window.offer_recovery()
    assert dialogs.kinds() == ["question"] and "work.json" in dialogs.texts()
    restored = graph_dict(window)
    assert [n["id"] for n in restored["nodes"]] == ["x", "square"]
    assert next(n["value"] for n in restored["nodes"] if n["id"] == "x") == 42.0
    assert window.modified and window.path == Path(graph_file).resolve()
    assert window.windowTitle().endswith("work.json*")
    assert recovery_files(settings) == []                        # offered once
    assert not window.offer_recovery()


def test_declining_a_recovery_discards_it(window, settings, dialogs, tmp_path):
    folder = recovery.recovery_folder(settings)
    folder.mkdir(parents=True)
    dead = folder / "recovery-999999999.json"                     # no such process
    dead.write_text(Path(square_graph_file(tmp_path / "g.json")).read_text())
    dialogs.answer = QMessageBox.StandardButton.No
    assert not window.offer_recovery()
    assert recovery_files(settings) == [] and window.model.node_ids() == []
