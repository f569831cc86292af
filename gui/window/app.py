"""Application start-up: the window, the file to open, crash recovery and error handling (the
QApplication itself, its identity and theme: gui/window/application.py).

`run_app(path)` is what `python main.py [FILE]` calls. An unexpected Python exception never shows
a traceback to the user: it is written to a log file beside the user's settings (and stderr) and
reported in the status bar and a message box naming the log; the window and the document stay.

`BACKPROP_STUDIO_EXIT_AFTER_SHOW=1` makes the app print `shown-after <seconds>` (time since the
process started) once the window is first painted, and quit — the start-up benchmark's hook.
"""
from __future__ import annotations

import os
import signal
import sys
import time
import traceback

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from gui.window.application import make_application, quiet_qt_messages

EXIT_AFTER_SHOW = "BACKPROP_STUDIO_EXIT_AFTER_SHOW"
_IMPORTED_AT = time.perf_counter()


def process_age() -> float:
    """Seconds since this process started (Linux /proc; else since this module was imported)."""
    try:
        with open("/proc/self/stat") as f:
            start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
        return max(0.0, uptime - start_ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return time.perf_counter() - _IMPORTED_AT


def log_path(settings=None) -> Path:
    """The log file: ``logs/backprop-studio.log`` beside the user's settings."""
    from gui.window.recovery import settings_folder
    return settings_folder(settings if settings is not None else QSettings()) / "logs" \
        / "backprop-studio.log"


class ErrorReporter:
    """sys.excepthook: write the traceback to the log file (and stderr); tell the user in one
    friendly sentence that names the log. The window and its document stay as they were."""

    def __init__(self, window=None, log_file: Path | None = None):
        self.window = window
        self.log_file = log_file
        self._showing = False

    def write_log(self, exc_type, exc, tb) -> Path | None:
        """Append the traceback, time-stamped; the log's path, or None if it cannot be written."""
        path = self.log_file or log_path(getattr(self.window, "settings", None))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "a", encoding="utf-8") as log:
                log.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} "
                          f"(Backprop Studio, pid {os.getpid()})\n")
                log.write("".join(traceback.format_exception(exc_type, exc, tb)))
        except OSError:
            return None
        return path

    def __call__(self, exc_type, exc, tb) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            QApplication.quit()
            return
        traceback.print_exception(exc_type, exc, tb, file=sys.stderr)
        path = self.write_log(exc_type, exc, tb)
        text = f"Unexpected error: {exc_type.__name__}: {exc}".strip()
        where = f"Details were written to {path}." if path else "Details were written to stderr."
        window = self.window
        if window is None:
            return
        try:
            window.show_message(f"{text} ({where[:-1].lower()})", 15000)
            if not self._showing:
                self._showing = True
                try:
                    QMessageBox.critical(window, "Unexpected error",
                                         f"{text}\n\nYour graph is still open; consider saving "
                                         f"it under a new name. {where}")
                finally:
                    self._showing = False
        except Exception:  # noqa: BLE001 - the reporter itself must never raise
            pass


class _ExitAfterShow(QObject):
    """Quits after the window's first paint and prints how long start-up took."""

    def __init__(self, window):
        super().__init__(window)
        self.done = False
        window.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        if not self.done and event.type() == QEvent.Type.Paint:
            self.done = True
            print(f"shown-after {process_age():.3f}", flush=True)
            QTimer.singleShot(0, QApplication.quit)
        return False


def run_app(path: str | None = None) -> int:
    """Start the GUI, optionally opening `path`; returns the exit code."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)     # Ctrl+C in the terminal quits
    app = make_application(sys.argv[:1])
    quiet_qt_messages()
    from gui.window.main_window import MainWindow            # after QApplication: widgets need it

    reporter = ErrorReporter()
    sys.excepthook = reporter
    window = MainWindow()
    reporter.window = window
    exit_after_show = os.environ.get(EXIT_AFTER_SHOW) == "1"
    if not exit_after_show:
        window.restore_layout()
    if exit_after_show:
        _ExitAfterShow(window)
    window.show()
    if not exit_after_show and window.offer_recovery():
        path = None                          # the restored document wins over FILE
    if path:
        window.open_file(path, ask=False)   # a bad file: the window is up and says why
    return app.exec()
