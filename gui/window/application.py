"""The QApplication: one per process, named for QSettings, themed, with the window icon, and
Python's garbage collector moved to a timer in the GUI thread.

Everything that needs an application and nothing of the main window imports this module: the
app (gui/window/app.py), ``shot`` and ``render`` (gui/window/cli.py), and the pictures
(gui/window/export_image.py), which ``main.py export --to svg|png`` runs without a window.
"""
from __future__ import annotations

import gc
import sys

from PySide6.QtCore import QObject, QTimer, qInstallMessageHandler
from PySide6.QtGui import QPixmapCache
from PySide6.QtWidgets import QApplication

from gui import accessibility, theme

APP_NAME = "Backprop Studio"
ORGANISATION = "Backprop Studio"
GC_INTERVAL_MS = 1000


def make_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication (created once), named for QSettings, themed, with the window icon."""
    accessibility.install_factory()      # before any widget is asked for its interface
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


class GarbageCollector(QObject):
    """Python's cyclic garbage collector, run from a timer in the GUI thread instead of at any
    allocation: a collection that starts inside a Qt call (e.g. a signal disconnect, which holds
    a Qt mutex) can finalise objects that need the same mutex and freeze the app, and one in a
    worker thread can delete Qt objects there. Each tick collects the generations whose counts
    passed the thresholds Python would have used (as pyqtgraph's GarbageCollector does)."""

    def __init__(self, parent, interval_ms: int = GC_INTERVAL_MS):
        super().__init__(parent)
        self.threshold = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(interval_ms)

    def check(self) -> None:
        l0, l1, l2 = gc.get_count()
        if l0 > self.threshold[0]:
            gc.collect(0)
            if l1 > self.threshold[1]:
                gc.collect(1)
                if l2 > self.threshold[2]:
                    gc.collect(2)


def collect_garbage_between_events(app) -> None:
    """Once per application: the garbage collector runs between events (``GarbageCollector``)."""
    if getattr(app, "_backprop_studio_gc", None) is None:
        app._backprop_studio_gc = GarbageCollector(app)


# Platform-plugin chatter that says nothing to a user (the offscreen plugin prints it per window).
_NOISE = ("This plugin does not support",)


def _qt_message(_mode, _context, message: str) -> None:
    if not message.startswith(_NOISE):
        print(message, file=sys.stderr)


def quiet_qt_messages() -> None:
    """Send Qt's messages to stderr, minus the platform plugin's meaningless notices.
    (Not done in make_application: tests keep pytest-qt's own handler.)"""
    qInstallMessageHandler(_qt_message)
