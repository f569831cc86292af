"""When the Training panel's plots are drawn while a run goes.

``PlotPacer(plots, parent, after)`` draws *frames*. Snapshots wait in the pacer (``add``); a
frame starts by handing every plot all the waiting snapshots at once — so the four plots
always show the same moment — and then draws the plots one per timer tick, a few
milliseconds apart, so the UI answers between them. Frames come at most ~20 times a second
and at least once a second, and otherwise keep the drawing within ``RENDER_SHARE`` of the
time: the GUI thread shares the GIL with the worker, so drawing slows training. With reduce
motion (View menu) frames come at most twice a second. Each draw is timed: handing the data
over, and the plot's paints (whenever Qt does them).
"""
from __future__ import annotations

import time

from PySide6.QtCore import QTimer

from gui.theme import look
from gui.training.worker import gui_turn

RENDER_MS = 50            # frames come at most ~20 times a second …
RENDER_SHARE = 0.06       # … spend at most this share of the time drawing …
MAX_FRAME_MS = 1000       # … but show the run at least once a second
GAP_MS = 4                # between two plots of one frame: the UI's events go first


class PlotPacer:
    def __init__(self, plots, parent, after, running=None):
        self.plots, self.parent, self.after = plots, parent, after
        self.running = running or (lambda: getattr(parent, "running", False))
        self.timer = QTimer(parent)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._next)
        self.costs: dict = {}          # plot -> seconds its last render + paint took
        self.pending: list = []        # (snapshot, step offset) not yet handed to the plots
        self.latest = None             # (snapshot, step offset) the plots got last: the
                                       # panel's numbers show it too, so all say one moment
        self.frames = 0                # frames started (tests, benchmarks)

    def add(self, snap, offset: int) -> None:
        """A snapshot for the next frame."""
        self.pending.append((snap, offset))
        self.schedule()

    def clear(self) -> None:
        """The plots start over: waiting snapshots belonged to the old history."""
        self.pending.clear()
        self.latest = None

    def frame_seconds(self) -> float:
        wanted = sum(self.costs.values()) / RENDER_SHARE
        least = look.REDUCED_FRAME_MS if look.reduce_motion() else RENDER_MS
        return min(MAX_FRAME_MS / 1000, max(least / 1000, wanted))

    def _in_frame(self) -> bool:
        return any(p.dirty for p in self.plots)

    def schedule(self) -> None:
        if self.timer.isActive():
            return
        if self._in_frame():
            self.timer.start(GAP_MS)
            return
        self.timer.start(int(1000 * self.frame_seconds()))     # from the last frame's end

    def stop(self) -> None:
        self.timer.stop()

    def _take(self) -> None:
        """Start a frame: every plot gets every waiting snapshot."""
        pending, self.pending = self.pending, []
        if pending:
            self.latest = pending[-1]
        for snap, offset in pending:
            for plot in self.plots:
                plot.offset = offset
                plot.add(snap)
        self.frames += 1

    def _next(self) -> None:
        if not self._in_frame():
            self._take()
        for plot in self.plots:
            if plot.dirty:
                self.draw(plot)
                break
        self.after()
        if self.running() or self._in_frame() or self.pending:
            self.schedule()

    def draw(self, plot) -> None:
        """Hand the plot its new data (Qt paints it soon). Its cost is the time that took
        plus every paint of the plot since its previous draw (``TimedPlotWidget``)."""
        start = time.perf_counter()
        with gui_turn():
            plot.render()
        cost = time.perf_counter() - start + plot.plot.take_paint_seconds()
        old = self.costs.get(plot)
        self.costs[plot] = cost if old is None else 0.6 * old + 0.4 * cost

    def render_all(self) -> None:
        """Hand over every waiting snapshot and draw every plot now (a run ended; a script
        asks)."""
        self._take()
        for plot in self.plots:
            if plot.dirty:
                self.draw(plot)
        self.after()
