"""The parameters of a running training run, shown on the canvas — throttled.

``LiveCanvas`` shows the newest parameters (``pending``, set per snapshot) at most
``LIVE_INTERVAL_MS`` apart, and longer when showing them (the model's re-run, then the canvas's
paint in its own turn of the event loop) costs more than ``LIVE_SHARE`` of the time: the GUI
thread shares the GIL with the worker, so every update slows training. ``shown`` is what the
model got last (the session compares it with the document to see edits from elsewhere).
"""
from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer

from gui.theme import look

LIVE_INTERVAL_MS = 50       # the canvas shows new parameters at most ~20 times a second …
LIVE_SHARE = 0.05           # … and spends at most this share of the time doing it


def live_interval_ms() -> int:
    """The least time between two updates: twice a second with reduce motion."""
    return look.REDUCED_FRAME_MS if look.reduce_motion() else LIVE_INTERVAL_MS


class LiveCanvas(QObject):
    def __init__(self, model, editing, blocked, active, parent=None):
        """`editing()`: the session's own-edit guard; `blocked()`: the document was edited
        elsewhere (show nothing more); `active()`: a worker is running."""
        super().__init__(parent)
        self.model, self.editing, self.blocked, self.active = model, editing, blocked, active
        self.pending = None                # the newest values not yet shown
        self.shown: dict = {}              # the values last pushed to the model
        self.repaint = None                # a callable painting the canvas now (the window's)
        self.cost = 0.0                    # one update (re-run + paint), smoothed
        self._part = 0.0
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._show_pending)

    def start(self, before: dict) -> None:
        self.shown = dict(before)
        self.timer.start(live_interval_ms())

    def stop(self) -> None:
        self.timer.stop()
        self.pending = None

    def _show_pending(self) -> None:
        """Show the newest parameters now (re-run, then paint) and time it: the next update
        waits long enough to keep this under LIVE_SHARE of the time."""
        values = self.pending
        if self.active():
            self.timer.start(int(max(live_interval_ms(), self.cost / LIVE_SHARE * 1000)))
        if values is None or self.blocked():
            return
        self.pending = None
        start = time.perf_counter()
        with self.editing():
            try:
                self.model.show_live_values(values)
                self.model.run_now()
            except Exception:  # noqa: BLE001 - the document changed shape: the run is paused
                return
        self.shown = values
        self._part = time.perf_counter() - start
        if self.repaint is not None:       # the paint in its own turn of the event loop
            QTimer.singleShot(0, self._paint)
        else:
            self._measured(0.0)

    def _paint(self) -> None:
        start = time.perf_counter()
        self.repaint()
        self._measured(time.perf_counter() - start)

    def _measured(self, paint: float) -> None:
        total = self._part + paint
        self.cost = total if not self.cost else 0.6 * self.cost + 0.4 * total
