"""Never lose work: autosave while modified, clean exits leave nothing, a crash is offered back."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

import engine
from gui.model import commands
from gui.window import recovery
from window_fixtures import dialogs, graph_dict, settings, square_graph_file, window  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent


def recovery_files(settings) -> list[Path]:
    return sorted(recovery.recovery_folder(settings).glob("recovery-*"))


def test_autosave_writes_only_unsaved_changes_and_a_clean_close_removes_them(window, settings,
                                                                             tmp_path, qtbot):
    saver = window.autosaver
    assert saver.timer.interval() == 60_000                       # the default: every minute
    window.open_file(square_graph_file(tmp_path / "sq.json"))
    assert not saver.autosave() and recovery_files(settings) == []   # nothing unsaved
    saver.timer.setInterval(50)
    window.undo_stack.push(commands.SetValue(window.model, "x", 7.0))
    qtbot.waitUntil(lambda: saver.path.exists(), timeout=2000)
    saved = engine.load_graph(saver.path)
    assert float(saved.node("x").value) == 7.0                    # a normal graph file
    meta = json.loads(saver.path.with_suffix(".meta.json").read_text())
    assert meta["name"] == "sq.json" and meta["path"].endswith("sq.json")
    assert window.save()
    qtbot.waitUntil(lambda: not saver.path.exists(), timeout=2000)   # saved: nothing to recover
    window.undo_stack.push(commands.SetValue(window.model, "x", 8.0))
    qtbot.waitUntil(lambda: saver.path.exists(), timeout=2000)
    window.close_without_asking()                                 # a deliberate discard
    assert recovery_files(settings) == []


def test_the_interval_can_be_set(settings, monkeypatch):
    assert recovery.autosave_seconds(settings) == 60.0
    settings.setValue(recovery.SETTING_SECONDS, 5)
    assert recovery.autosave_seconds(settings) == 5.0
    monkeypatch.setenv(recovery.ENV_SECONDS, "0.5")
    assert recovery.autosave_seconds(settings) == 0.5


CRASHING_APP = """
import sys, time
from pathlib import Path
from PySide6.QtCore import QSettings
from gui.window.app import make_application
app = make_application()
from gui import commands
from gui.window.main_window import MainWindow
settings = QSettings(sys.argv[1], QSettings.Format.IniFormat)
window = MainWindow(settings=settings)
window.show()
assert window.open_file(sys.argv[2], ask=False)
window.undo_stack.push(commands.SetValue(window.model, "x", 42.0))
window.undo_stack.push(commands.RenameNode(window.model, "y", "square"))
deadline = time.time() + 20
while not window.autosaver.path.exists() and time.time() < deadline:
    app.processEvents()
    time.sleep(0.01)
print("autosaved", flush=True)
while True:                     # until killed: no clean exit, no cleanup
    app.processEvents()
    time.sleep(0.01)
"""


def test_a_killed_session_is_offered_back_and_restores_exactly(window, settings, dialogs,
                                                              tmp_path):
    graph_file = square_graph_file(tmp_path / "work.json", x=3.0)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", recovery.ENV_SECONDS: "0.1"}
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
