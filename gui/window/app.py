"""Application start-up: QApplication, identity for QSettings, theme, icon, error handling.

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

from PySide6.QtCore import QEvent, QObject, QSettings, QTimer, qInstallMessageHandler
from PySide6.QtGui import QPixmapCache
from PySide6.QtWidgets import QApplication, QMessageBox

from gui import theme

APP_NAME = "Backprop Studio"
ORGANISATION = "Backprop Studio"
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


def make_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication (created once), named for QSettings, themed, with the window icon."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(list(argv) if argv else [sys.argv[0] if sys.argv else APP_NAME])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORGANISATION)
    app.setOrganizationDomain("backprop-studio.invalid")
    if not app.property("backprop_studio_themed"):   # once: a new style sheet re-polishes
        theme.apply_theme(app)                         # every widget in the process
        app.setWindowIcon(theme.app_icon())
        app.setProperty("backprop_studio_themed", True)
        # canvas item caches live in QPixmapCache: room for a screenful of nodes at any zoom
        QPixmapCache.setCacheLimit(max(QPixmapCache.cacheLimit(), 64 * 1024))
        collect_garbage_between_events(app)
    return app


def collect_garbage_between_events(app) -> None:
    """Python's cyclic garbage collector, run from a timer in the GUI thread instead of at any
    allocation: a collection that starts inside a Qt call (e.g. a signal disconnect, which holds
    a Qt mutex) can finalise objects that need the same mutex and freeze the app, and one in a
    worker thread can delete Qt objects there. pyqtgraph's GarbageCollector does exactly this."""
    from pyqtgraph.util.garbage_collector import GarbageCollector
    app._backprop_studio_gc = GarbageCollector(interval=1.0)


# Platform-plugin chatter that says nothing to a user (the offscreen plugin prints it per window).
_NOISE = ("This plugin does not support",)


def _qt_message(_mode, _context, message: str) -> None:
    if not message.startswith(_NOISE):
        print(message, file=sys.stderr)


def quiet_qt_messages() -> None:
    """Send Qt's messages to stderr, minus the platform plugin's meaningless notices.
    (Not done in make_application: tests keep pytest-qt's own handler.)"""
    qInstallMessageHandler(_qt_message)


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
