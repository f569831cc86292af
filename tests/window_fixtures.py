"""Fixtures for the main-window tests: a real MainWindow with private QSettings, and message
boxes / file dialogs replaced by recorders so no test ever blocks on a modal dialog.

Import the fixtures into a test module: `from window_fixtures import dialogs, settings, window`.
"""
from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QEvent, QSettings
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

import engine
from gui.window.application import make_application
from gui.window.main_window import MainWindow


class Dialogs:
    """Records every message box; `answer` is what QMessageBox.warning/question return."""

    def __init__(self):
        self.shown: list[tuple[str, str, str]] = []   # (kind, title, text)
        self.answer = QMessageBox.StandardButton.Discard
        self.save_path: str | None = None             # what the Save As dialog returns
        self.open_path: str | None = None

    def kinds(self) -> list[str]:
        return [kind for kind, _, _ in self.shown]

    def texts(self) -> str:
        return "\n".join(f"{title}: {text}" for _, title, text in self.shown)


@pytest.fixture
def dialogs(monkeypatch) -> Dialogs:
    rec = Dialogs()

    def recorder(kind, returns):
        def show(parent, title, text, *args, **kwargs):
            rec.shown.append((kind, title, text))
            return returns() if callable(returns) else returns
        return show

    monkeypatch.setattr(QMessageBox, "warning", recorder("warning", lambda: rec.answer))
    monkeypatch.setattr(QMessageBox, "question", recorder("question", lambda: rec.answer))
    monkeypatch.setattr(QMessageBox, "critical", recorder("critical", QMessageBox.StandardButton.Ok))
    monkeypatch.setattr(QMessageBox, "information", recorder("information",
                                                             QMessageBox.StandardButton.Ok))
    monkeypatch.setattr(QMessageBox, "about", recorder("about", None))
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (rec.save_path or "", ""))
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda *a, **k: (rec.open_path or "", ""))
    return rec


@pytest.fixture
def settings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, settings, dialogs) -> MainWindow:
    make_application()          # the app's identity and theme on pytest-qt's QApplication
    win = MainWindow(settings=settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.model.mark_saved()   # closing at teardown must not prompt
    win.close()
    win.deleteLater()           # free it now: leaked windows slow every later test
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()


def write_graph_file(path, nodes, edges, loss=None) -> str:
    doc = {"format": "backprop-studio-graph", "version": 1, "nodes": nodes, "edges": edges}
    if loss:
        doc["loss"] = loss
    path.write_text(json.dumps(doc))
    return str(path)


def square_graph_file(path, x=3.0) -> str:
    """y = x · x, with positions: the smallest graph with a value and a gradient."""
    return write_graph_file(path, [
        {"id": "x", "op": "input", "attrs": {}, "value": x, "position": [0, 0]},
        {"id": "y", "op": "mul", "attrs": {}, "position": [240, 0]},
    ], [{"source": "x", "target": "y", "port": 0}, {"source": "x", "target": "y", "port": 1}])


def graph_dict(win: MainWindow) -> dict:
    return engine.graph_to_dict(win.model.graph)
