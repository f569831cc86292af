"""The training worker: ``Trainer.run`` on a QThread, streaming snapshots as plain data.

``TrainingRun(trainer, steps, probe)`` runs `steps` steps on its own thread. Every
``interval`` seconds (at least; longer when a snapshot itself is costly) it reads the trainer
between two steps — the batch losses since the last snapshot, the metrics on the full
training and test rows, each parameter's gradient norm and value, the probe's prediction
grid — and emits them as a ``Snapshot`` through the ``snapshot`` signal (queued to the GUI
thread). The last snapshot (``final``) comes when the run ends: finished, paused
(``pause()``, from the GUI thread) or failed (``error``). The worker never touches a widget
or the document.
"""
from __future__ import annotations

import math
import time
import itertools
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QThread, Signal

INTERVAL = 0.05       # s between snapshots: the GUI refreshes at most ~20 times a second
MAX_SHARE = 0.1       # snapshots may take at most this share of the worker's time
MEASURES = 100        # a run measures the full-set metrics about this often in all …
MEASURE_SHARE = 0.05  # … while that takes at most this share of the worker's time
MEASURE_FREE = 0.05   # s: plus this much in all (a run of a second gets every point)
SWITCH_INTERVAL = 0.0005  # s: while a worker runs Python, the GUI thread waits at most this
                          # long for the GIL at each call into Python (default 5 ms: a repaint
                          # with many Python callbacks would stall the UI for tens of ms)


@dataclass(frozen=True)
class Failure:
    """Why a run stopped early: the message, the node to blame (or None), the step."""
    message: str
    node: str | None = None
    step: int | None = None
    nonfinite: bool = False


@dataclass(frozen=True)
class Snapshot:
    step: int                       # the trainer's steps so far
    first: int                      # the step of losses[0] (losses are steps first..step)
    losses: np.ndarray              # batch losses since the previous snapshot
    epochs: float
    metrics: dict | None            # loss, accuracy, test_loss, test_accuracy (full sets)
    norms: dict                     # parameter -> gradient L2 norms of the steps since the
                                    # previous snapshot (one per step, ending at `step`)
    values: dict                    # parameter -> value (arrays never mutated)
    prediction: np.ndarray | None   # the probe's grid (Probe.sample), or None
    final: bool = False
    error: Failure | None = None
    elapsed: float = 0.0            # seconds since the run started
    steps_run: int = 0              # steps this run took so far
    run: int = 0                    # which run sent it (TrainingRun.run_id)
    measured: tuple = ()            # ((step, metrics), ...) measured since the previous
                                    # snapshot, before `step` (a fast run's curve has points)

    def all_metrics(self) -> list:
        """[(step, metrics)] of this snapshot in step order, its own last."""
        return [*self.measured, *([(self.step, self.metrics)] if self.metrics else [])]


GUI_TURN_MAX = 0.1      # s: a worker waits at most this long while the GUI thread draws
_gui_idle = threading.Event()
_gui_idle.set()
_gui_turns = 0


@contextmanager
def gui_turn():
    """The GUI thread draws (a plot, the canvas): running workers wait between steps
    instead of taking the GIL back every SWITCH_INTERVAL, so a paint takes its own time
    rather than several times it (the UI answers sooner, and the worker loses no more
    than the paint). GUI thread only; nests."""
    global _gui_turns
    _gui_turns += 1
    _gui_idle.clear()
    try:
        yield
    finally:
        _gui_turns -= 1
        if _gui_turns == 0:
            _gui_idle.set()


_switch_lock = threading.Lock()
_switch_users = 0
_switch_before = 0.0


@contextmanager
def _short_switch_interval():
    """SWITCH_INTERVAL while any worker runs (the setting is process-wide, so overlapping
    workers count themselves; the last one out puts the old interval back)."""
    global _switch_users, _switch_before
    with _switch_lock:
        if _switch_users == 0:
            _switch_before = sys.getswitchinterval()
            sys.setswitchinterval(min(_switch_before, SWITCH_INTERVAL))
        _switch_users += 1
    try:
        yield
    finally:
        with _switch_lock:
            _switch_users -= 1
            if _switch_users == 0:
                sys.setswitchinterval(_switch_before)


def gradient_norms(rows: list, parameters) -> dict:
    """{parameter: the L2 norm of its gradient at each step} from one {parameter: gradient}
    dict per step (nan where a step has none), computed in one numpy call per parameter."""
    norms = {}
    for p in parameters:
        grads = [row.get(p) for row in rows]
        if grads and all(g is not None and g.shape == grads[0].shape for g in grads):
            stacked = np.stack(grads).reshape(len(grads), -1)
            norms[p] = np.sqrt(np.einsum("ij,ij->i", stacked, stacked))
        else:
            norms[p] = np.array([np.nan if g is None else math.sqrt(float(np.vdot(g, g)))
                                 for g in grads], dtype=np.float64)
    return norms


def _finite_or_none(metrics: dict | None) -> dict | None:
    if metrics is None:
        return None
    return {k: (v if v is None or math.isfinite(v) else None) for k, v in metrics.items()}


class TrainingRun(QThread):
    """One run of `steps` steps of `trainer` on a worker thread (see the module doc)."""

    snapshot = Signal(object)
    _ids = itertools.count(1)

    def __init__(self, trainer, steps: int, probe=None, interval: float = INTERVAL,
                 yield_gil: bool = False, parent=None):
        super().__init__(parent)
        self.trainer, self.steps, self.probe = trainer, int(steps), probe
        self.interval = interval
        self.yield_gil = yield_gil
        self.pause_requested = False
        self.run_id = next(self._ids)
        self._sent = trainer.step_count
        self._start_count = trainer.step_count
        self._next = 0.0
        self._started = 0.0
        self._grads: list = []          # per step since the last snapshot: its gradients
        self._measured: list = []       # (step, metrics) since the last snapshot
        self._measure_every = max(1, self.steps // MEASURES)
        self._measure_cost = 0.0

    def pause(self) -> None:
        """Stop after the current step (from the GUI thread); the final snapshot follows."""
        self.pause_requested = True
        self.trainer.stop()

    # ------------------------------------------------------------ worker thread
    def run(self) -> None:
        with _short_switch_interval():
            self._run()

    def _run(self) -> None:
        self._started = time.perf_counter()
        self._next = self._started + self.interval
        error = None
        try:
            if self.trainer.step_count == 0:      # the plots start from the initial weights
                self.snapshot.emit(self._take())
            losses = self.trainer.run(self.steps, self._each)
            if not losses and self.steps and not self.pause_requested:
                # a stop() that arrived after the previous run had ended: it is used up now
                self.trainer.run(self.steps, self._each)
        except ValueError as exc:          # TrainingError: one clear line, maybe a node
            kind = getattr(exc, "kind", None)
            error = Failure(str(exc), getattr(exc, "node", None), getattr(exc, "step", None),
                            getattr(kind, "value", kind) == "nonfinite")
        except Exception as exc:  # noqa: BLE001 - a bug of ours: said in the panel, not raised
            error = Failure(f"training stopped: {type(exc).__name__}: {exc}")
        try:
            self.snapshot.emit(self._take(final=True, error=error))
        except Exception as exc:  # noqa: BLE001 - the GUI must still hear that the run ended
            self.snapshot.emit(Snapshot(self.trainer.step_count, self._sent, np.empty(0), 0.0,
                                        None, {}, {}, None, True,
                                        error or Failure(f"training stopped: {exc}"),
                                        run=self.run_id))

    def _each(self, step: int, loss: float):
        if not _gui_idle.is_set():
            _gui_idle.wait(GUI_TURN_MAX)              # the GUI thread draws: let it
        self._grads.append(self.trainer.gradients())   # norms at the snapshot, all at once
        now = time.perf_counter()
        if step % self._measure_every == 0 and now < self._next \
                and self._measure_cost <= MEASURE_FREE + MEASURE_SHARE * (now - self._started):
            try:
                self._measured.append((step, _finite_or_none(self.trainer.metrics())))
            except ValueError:
                pass
            self._measure_cost += time.perf_counter() - now
        if now >= self._next:
            self.snapshot.emit(self._take())
            done = time.perf_counter()
            self._next = done + max(self.interval, (done - now) / MAX_SHARE)
        elif self.yield_gil:
            time.sleep(0)      # let the GUI thread take the GIL between steps
        return None

    def _take(self, final: bool = False, error: Failure | None = None) -> Snapshot:
        trainer = self.trainer
        history = trainer.history
        count = len(history)
        first = self._sent + 1
        losses = np.array(history[self._sent:count], dtype=np.float64)
        self._sent = count
        metrics = prediction = None
        try:
            metrics = _finite_or_none(trainer.metrics())
        except ValueError:
            metrics = None
        if self.probe is not None:
            try:
                prediction = self.probe.sample(trainer)
            except ValueError:
                prediction = None
        rows, self._grads = self._grads, []
        measured, self._measured = tuple(m for m in self._measured if m[1]), []
        norms = gradient_norms(rows, trainer.parameters)
        return Snapshot(count, first, losses, trainer.epochs, metrics,
                        norms, trainer.parameter_values(), prediction,
                        final, error, time.perf_counter() - self._started,
                        count - self._start_count, self.run_id, measured)
