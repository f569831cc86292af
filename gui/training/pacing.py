"""When the Training panel's plots are drawn while a run goes.

``PlotPacer(plots, parent, after)`` draws the plots one per timer tick, in turn — a frame is
spread out, so the UI answers between them — and keeps a whole frame (all four) within
``RENDER_SHARE`` of the time, at most ~20 frames a second: the GUI thread shares the GIL with
the worker, so drawing slows training. Each draw is timed: handing the data over, and the
plot's paints (whenever Qt does them).
"""
from __future__ import annotations

import time

from PySide6.QtCore import QTimer

RENDER_MS = 50            # plots redraw at most ~20 times a second …
RENDER_SHARE = 0.06       # … and spend at most this share of the time drawing


class PlotPacer:
    def __init__(self, plots, parent, after, running=None):
        self.plots, self.parent, self.after = plots, parent, after
        self.running = running or (lambda: getattr(parent, "running", False))
        self.timer = QTimer(parent)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._next)
        self.costs: dict = {}          # plot -> seconds its last render + paint took
        self.turn = 0                  # round robin: the plot drawn next

    def schedule(self) -> None:
        if self.timer.isActive():
            return
        frame = max(RENDER_MS / 1000, sum(self.costs.values()) / RENDER_SHARE)
        self.timer.start(int(1000 * frame / len(self.plots)))

    def stop(self) -> None:
        self.timer.stop()

    def _next(self) -> None:
        plots = self.plots
        for k in range(len(plots)):
            plot = plots[(self.turn + k) % len(plots)]
            if plot.dirty:
                self.turn = (self.turn + k + 1) % len(plots)
                self.draw(plot)
                break
        self.after()
        if self.running() or any(p.dirty for p in plots):
            self.schedule()

    def draw(self, plot) -> None:
        """Hand the plot its new data (Qt paints it soon). Its cost is the time that took
        plus every paint of the plot since its previous draw (``TimedPlotWidget``)."""
        start = time.perf_counter()
        plot.render()
        cost = time.perf_counter() - start + plot.plot.take_paint_seconds()
        old = self.costs.get(plot)
        self.costs[plot] = cost if old is None else 0.6 * old + 0.4 * cost

    def render_all(self) -> None:
        """Draw every plot that has new data now."""
        for plot in self.plots:
            if plot.dirty:
                self.draw(plot)
        self.after()
