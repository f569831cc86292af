"""Never lose work: unsaved changes are autosaved beside the user's settings and offered back
after a crash.

While the document has unsaved changes, ``Autosaver`` writes it every ``interval`` seconds
(60 by default; ``BACKPROP_STUDIO_AUTOSAVE_SECONDS`` or the setting ``autosave/seconds``
changes it) to ``<settings folder>/recovery/recovery-<pid>.json`` — a normal graph file — with a
small ``.meta.json`` beside it naming the document. A clean exit (saved or discarded) deletes
both. A recovery file whose process is gone means a crash: ``pending_recoveries`` lists them and
the window offers to restore the newest (``MainWindow.offer_recovery``).
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QTimer, Signal

from gui.model import files

DEFAULT_SECONDS = 60.0
ENV_SECONDS = "BACKPROP_STUDIO_AUTOSAVE_SECONDS"
SETTING_SECONDS = "autosave/seconds"


def settings_folder(settings: QSettings) -> Path:
    """The folder of the user's settings file (recovery files and the log live beside it)."""
    return Path(settings.fileName()).resolve().parent


def recovery_folder(settings: QSettings) -> Path:
    return settings_folder(settings) / "recovery"


def autosave_seconds(settings: QSettings) -> float:
    """The interval: the environment wins, then the setting, then 60 s."""
    for raw in (os.environ.get(ENV_SECONDS), settings.value(SETTING_SECONDS)):
        try:
            seconds = float(raw)
        except (TypeError, ValueError):
            continue
        if seconds > 0:
            return seconds
    return DEFAULT_SECONDS


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def pending_recoveries(settings: QSettings) -> list[tuple[Path, dict]]:
    """Recovery files left by processes that are gone (a crash), newest first, with their
    meta data: ``{"name", "path", "saved_at"}``."""
    folder = recovery_folder(settings)
    found = []
    for graph_file in folder.glob("recovery-*.json"):
        if graph_file.name.endswith(".meta.json"):
            continue
        try:
            pid = int(graph_file.stem.split("-", 1)[1])
        except (IndexError, ValueError):
            continue
        if _alive(pid):
            continue
        meta_file = graph_file.with_suffix(".meta.json")
        try:
            meta = json.loads(meta_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = {}
        meta.setdefault("saved_at", graph_file.stat().st_mtime)
        found.append((graph_file, meta))
    return sorted(found, key=lambda item: item[1].get("saved_at", 0), reverse=True)


def discard(graph_file: Path) -> None:
    for path in (graph_file, graph_file.with_suffix(".meta.json")):
        try:
            path.unlink()
        except OSError:
            pass


class Autosaver(QObject):
    """Writes the window's document to its recovery file while it has unsaved changes."""

    saved = Signal(str)      # the recovery file written

    def __init__(self, window, settings: QSettings, seconds: float | None = None):
        super().__init__(window)
        self.window = window
        folder = recovery_folder(settings)
        self.path = folder / f"recovery-{os.getpid()}.json"
        self._changed = False
        model = window.model
        for signal in (model.results_changed, model.node_moved, model.modified_changed):
            signal.connect(self._note_change)
        self.timer = QTimer(self)
        self.timer.setInterval(round(1000 * (seconds or autosave_seconds(settings))))
        self.timer.timeout.connect(self.autosave)
        self.timer.start()

    def _note_change(self, *_args) -> None:
        self._changed = True

    def autosave(self) -> bool:
        """Write now if there are unsaved changes not yet autosaved; True when written."""
        model = self.window.model
        if not model.modified:
            self.clear()
            return False
        if not self._changed and self.path.exists():
            return False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            files.write_graph(model, self.path)
            meta = {"name": self.window.display_name,
                    "path": str(self.window.path) if self.window.path else None,
                    "saved_at": time.time()}
            self.path.with_suffix(".meta.json").write_text(json.dumps(meta), encoding="utf-8")
        except (files.DocumentError, OSError):
            return False      # a full disk must not disturb the user: the next tick tries again
        self._changed = False
        self.saved.emit(str(self.path))
        return True

    def clear(self) -> None:
        """No unsaved changes any more (saved, discarded, clean exit): no recovery file."""
        if self.path.exists():
            discard(self.path)
