"""The training worker: a run on a worker process, its snapshots relayed to the GUI thread.

``TrainingRun(trainer, steps, sampler)`` sends a copy of `trainer` to a worker
(``engine.training.remote``: its own process by default, so training never waits for the GIL
while the GUI draws) and relays what comes back as Qt signals, from a thread of its own:
``snapshot`` for every ``engine.training.live.Snapshot`` (queued to the GUI thread) and
``held`` when the test hook holds the run at a step. When the run ends — finished, stopped
(``stop()``) or failed (``error``) — the run's progress goes into `trainer` (``Trainer.adopt``:
weights, optimizer state, batch stream, losses), and then the final snapshot is emitted: after
``wait()``, `trainer` stands where the run ended, exactly as if it had run here. Mid-run,
``set_learning_rate`` and ``set_optimizer`` reach the running copy between two steps. The
relay never touches a widget or the document.

``MODE`` "thread" runs the same loop on a thread of this process instead (also the fallback
when no process can be started); then the GIL is shared, so the GUI's drawing takes its turn
(``gui_turn``: the worker waits between steps) and the switch interval is short meanwhile.
"""
from __future__ import annotations

import itertools
import pickle
import sys
import threading
from contextlib import contextmanager, nullcontext

import numpy as np
from PySide6.QtCore import QThread, Signal

from gui.model.training_runs import Failure, RunOptions, Snapshot, remote, still_snapshot

MODE = "process"          # where runs go: "process" or "thread" (see the module doc)
SWITCH_INTERVAL = 0.0005  # s: while a worker thread runs Python, the GUI thread waits at most
                          # this long for the GIL at each call into Python (default 5 ms: a
                          # repaint with many Python callbacks would stall the UI for tens of ms)
GUI_TURN_MAX = 0.1        # s: a worker thread waits at most this long while the GUI draws
_gui_idle = threading.Event()
_gui_idle.set()
_gui_turns = 0

__all__ = ["TrainingRun", "Snapshot", "Failure", "still_snapshot", "gui_turn", "prestart",
           "MODE"]


@contextmanager
def gui_turn():
    """The GUI thread draws (a plot, the canvas): a worker *thread* waits between steps
    instead of taking the GIL back every SWITCH_INTERVAL, so a paint takes its own time rather
    than several times it. A worker process needs no such turn. GUI thread only; nests."""
    global _gui_turns
    _gui_turns += 1
    _gui_idle.clear()
    try:
        yield
    finally:
        _gui_turns -= 1
        if _gui_turns == 0:
            _gui_idle.set()


def _wait_for_gui() -> None:
    if not _gui_idle.is_set():
        _gui_idle.wait(GUI_TURN_MAX)


_switch_lock = threading.Lock()
_switch_users = 0
_switch_before = 0.0


@contextmanager
def _short_switch_interval():
    """SWITCH_INTERVAL while any worker thread runs (the setting is process-wide, so
    overlapping runs count themselves; the last one out puts the old interval back)."""
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


def prestart() -> None:
    """Have a worker ready before the first run (a process takes a while to start)."""
    remote.prestart(MODE)


class TrainingRun(QThread):
    """One run of `steps` steps of a copy of `trainer` on a worker (see the module doc)."""

    snapshot = Signal(object)
    held = Signal(int)             # the test hook holds the run after this step
    _ids = itertools.count(1)

    def __init__(self, trainer, steps: int, sampler=None, hold_at: int | None = None,
                 mode: str | None = None, parent=None):
        super().__init__(parent)
        self.trainer, self.steps, self.sampler = trainer, int(steps), sampler
        self.mode = mode or MODE
        self.stop_requested = False
        self.run_id = next(self._ids)
        self.options = RunOptions.current(hold_at=hold_at)
        self._payload = pickle.dumps(trainer, protocol=pickle.HIGHEST_PROTOCOL)
        self._worker = None
        self._sent = threading.Lock()   # commands wait until the run itself is sent
        self._run_sent = False
        self._commands: list = []       # every command, to send again to a new worker
        self._heard = False             # the worker answered this run

    # ------------------------------------------------------------ GUI thread
    def start(self, *args) -> None:
        self._worker = remote.acquire(self.mode, _wait_for_gui)
        self.mode = self._worker.mode
        super().start(*args)

    def stop(self) -> None:
        """End the run after the current step (from the GUI thread); the final snapshot
        follows and the trainer takes the run's progress."""
        self.stop_requested = True
        self._command("stop")

    def set_learning_rate(self, lr: float) -> None:
        self._command("lr", float(lr))

    def set_optimizer(self, name: str, lr: float) -> None:
        self._command("optimizer", name, float(lr))

    def hold_at(self, step: int) -> None:
        """Test hook: hold the run after the trainer's step `step` (``held`` says when)."""
        self._command("hold", int(step))

    def release(self) -> None:
        """Test hook: a held run goes on."""
        self._command("release")

    def _command(self, kind: str, *args) -> None:
        message = (kind, self.run_id, *args)
        with self._sent:
            self._commands.append(message)
            if not self._run_sent or self.isFinished():
                return                   # sent right after the run itself (or too late)
            try:
                self._worker.send(message)
            except OSError:
                pass                     # the worker is gone: the relay reports it

    # ------------------------------------------------------------ relay thread
    def run(self) -> None:
        switch = _short_switch_interval() if self.mode == "thread" else nullcontext()
        with switch:
            try:
                self._send_run()
                self._relay(self._worker)
            except (EOFError, OSError, pickle.UnpicklingError) as error:
                self._worker.broken = True
                if self.mode != "process" or self._heard:
                    self._lost(error)
                else:                    # the process never answered: it cannot run here
                    self._again_on_a_thread()
        remote.release(self._worker)

    def _send_run(self) -> None:
        with self._sent:
            self._worker.send(("run", self.run_id, self._payload, self.steps, self.options,
                               self.sampler))
            self._run_sent = True
            for message in self._commands:
                self._worker.send(message)

    def _again_on_a_thread(self) -> None:
        """A worker process that dies before its first word (it cannot start here: a broken
        install, no interpreter to run it): this run, and every later one, goes to a thread."""
        remote.release(self._worker)
        remote.processes_fail()
        with self._sent:
            self._run_sent = False
            self._worker = remote.acquire("thread", _wait_for_gui)
            self.mode = "thread"
        with _short_switch_interval():
            try:
                self._send_run()
                self._relay(self._worker)
            except (EOFError, OSError, pickle.UnpicklingError) as error:
                self._worker.broken = True
                self._lost(error)

    def _relay(self, worker) -> None:
        while True:
            kind, run, *rest = worker.recv()
            if run != self.run_id:
                continue
            self._heard = True
            if kind == "snapshot":
                self.snapshot.emit(rest[0])
            elif kind == "held":
                self.held.emit(rest[0])
            elif kind == "done":
                final, progress = rest
                try:
                    self.trainer.adopt(progress)
                except ValueError as error:      # the trainer changed meanwhile: say so
                    final = _ended(final, f"training stopped: {error}")
                self.snapshot.emit(final)
                return

    def _lost(self, error) -> None:
        """The worker died mid-run: the trainer stays where the run began; the GUI hears
        that the run ended."""
        trainer = self.trainer
        self.snapshot.emit(Snapshot(
            trainer.step_count, trainer.step_count + 1, np.empty(0), trainer.epochs, None, {},
            trainer.parameter_values(), None, True,
            Failure(f"training stopped: the worker ended unexpectedly ({error or 'closed'})"),
            run=self.run_id))


def _ended(snap: Snapshot, message: str) -> Snapshot:
    from dataclasses import replace
    return replace(snap, error=Failure(message))
