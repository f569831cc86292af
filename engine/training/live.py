"""A training run that reports as it goes: snapshots of plain data for a live view.

``LiveRun(trainer, steps, channel, options, sampler)`` runs ``trainer.run(steps)`` and, between
two steps, every ``options.interval`` seconds (at least; longer when a snapshot itself is
costly) reads the trainer — the batch losses since the last snapshot, the metrics on the full
training and test rows, each parameter's gradient norms and value (copies), the sampler's
prediction grid — and sends them through the channel as a ``Snapshot``. A fast run also
measures the full-set metrics every few steps between snapshots, within a time budget, so its
curves have points. The last snapshot (``final``) comes when the run ends: finished, stopped
or failed (``error``), together with the run's ``Progress`` (``Trainer.progress``).

It runs wherever the trainer is — in the worker process (engine/training/remote.py) or a
thread — and talks only through the channel (``send(message)``, ``poll() -> message or
None``, ``wait() -> message``). What it sends: ``("snapshot", run, Snapshot)``, ``("held",
run, step)``, ``("done", run, Snapshot, Progress)``. What it reads between steps (commands of
another run are ignored): ``("stop", run)``, ``("lr", run, value)``, ``("optimizer", run,
name, lr)``, ``("hold", run, step)`` and ``("release", run)``. A hold (``options.hold_at`` or
the command) is a test hook: after that step the run sends a snapshot and "held", then waits
for "release" or "stop" — a run paused at an exact step, never a sleep.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

INTERVAL = 0.05       # s between snapshots: a live view refreshes at most ~20 times a second
MAX_SHARE = 0.1       # snapshots may take at most this share of the run's time
MEASURES = 100        # a run measures the full-set metrics about this often in all …
MEASURE_SHARE = 0.05  # … while that takes at most this share of the run's time
MEASURE_FREE = 0.05   # s: plus this much in all (a run of a second gets every point)
POLL = 0.002          # s between two looks at the channel for commands


@dataclass(frozen=True)
class RunOptions:
    """How a run reports; ``current()`` reads this module's settings when the run starts."""
    interval: float = INTERVAL
    max_share: float = MAX_SHARE
    measures: int = MEASURES
    measure_share: float = MEASURE_SHARE
    measure_free: float = MEASURE_FREE
    hold_at: int | None = None      # test hook: hold after this step (the trainer's count)

    @classmethod
    def current(cls, **changes) -> "RunOptions":
        settings = dict(interval=INTERVAL, max_share=MAX_SHARE, measures=MEASURES,
                        measure_share=MEASURE_SHARE, measure_free=MEASURE_FREE)
        return cls(**{**settings, **changes})


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
    values: dict                    # parameter -> value (copies: never written afterwards)
    prediction: np.ndarray | None   # the sampler's grid (GridSampler.sample), or None
    final: bool = False
    error: Failure | None = None
    elapsed: float = 0.0            # seconds since the run started
    steps_run: int = 0              # steps this run took so far
    run: int = 0                    # which run sent it
    measured: tuple = ()            # ((step, metrics), ...) measured since the previous
                                    # snapshot, before `step` (a fast run's curve has points)
    cpu: float = 0.0                # seconds of CPU the run's thread used so far

    def all_metrics(self) -> list:
        """[(step, metrics)] of this snapshot in step order, its own last."""
        return [*self.measured, *([(self.step, self.metrics)] if self.metrics else [])]


@dataclass(frozen=True)
class GridSampler:
    """The model's prediction over fixed rows (a decision boundary's grid): ``sample`` runs
    them through ``Trainer.predict`` and returns them in `shape` (None when not finite)."""
    grid: np.ndarray
    probabilities: bool
    shape: tuple                    # e.g. (56, 56, -1) for a heatmap, (-1, outputs) a curve

    def sample(self, trainer) -> np.ndarray | None:
        out = np.asarray(trainer.predict(self.grid, probabilities=self.probabilities))
        if out.ndim == 1:
            out = out[:, None]
        if not np.isfinite(out).all():
            return None
        return out.reshape(self.shape)


def gradient_norms(rows: list, parameters) -> dict:
    """{parameter: the L2 norm of its gradient at each step} from one (flat gradient of all
    parameters, its ``Layout``) per step (``Trainer.last_flat_gradient``; None where a step
    has none: nan), in a few numpy calls for all steps and parameters at once."""
    where = rows[0][1] if rows and rows[0] is not None else None
    with np.errstate(all="ignore"):      # a huge gradient's norm is inf, not an error
        if where is not None and all(map(_same_layout(where), rows)) \
                and all(b > a for _, a, b, _ in where.bounds):
            stacked = np.stack([g for g, _ in rows])
            sums = np.add.reduceat(stacked * stacked, [a for _, a, _, _ in where.bounds], axis=1)
            norms = np.sqrt(sums)
            found = {pid: norms[:, k] for k, pid in enumerate(where.ids)}
            return {p: found.get(p, np.full(len(rows), np.nan)) for p in parameters}
        return {p: np.array([_norm(row, p) for row in rows], dtype=np.float64)
                for p in parameters}


def _same_layout(where):
    return lambda row: row is not None and row[1] is where


def _norm(row, p) -> float:
    if row is None or p not in row[1].ids:
        return math.nan
    g, where = row
    part = g[where.slices[where.ids.index(p)]]
    return math.sqrt(float(np.vdot(part, part)))


def finite_or_none(metrics: dict | None) -> dict | None:
    if metrics is None:
        return None
    return {k: (v if v is None or math.isfinite(v) else None) for k, v in metrics.items()}


def still_snapshot(trainer, sampler=None, run: int = 0) -> Snapshot:
    """A snapshot of the trainer as it stands (no run: after a reset, a re-initialisation)."""
    try:
        metrics = finite_or_none(trainer.metrics())
        prediction = sampler.sample(trainer) if sampler is not None else None
    except ValueError:
        metrics, prediction = None, None
    return Snapshot(trainer.step_count, trainer.step_count + 1, np.empty(0), trainer.epochs,
                    metrics, {}, trainer.parameter_values(), prediction, run=run)


class LiveRun:
    """One run of `steps` steps of `trainer`, reporting through `channel` (module doc)."""

    def __init__(self, trainer, steps: int, channel, run: int = 0,
                 options: RunOptions | None = None, sampler: GridSampler | None = None,
                 wait_turn=None, clock=time.perf_counter, tidy=None):
        """`wait_turn()`: called between two steps (a worker thread lets the GUI thread
        draw); None in a process of its own. `clock()`: seconds (tests drive it). `tidy()`:
        called after each snapshot (the worker process collects its garbage then)."""
        self.trainer, self.steps, self.channel, self.run_id = trainer, int(steps), channel, run
        self.options = options or RunOptions.current()
        self.sampler, self.wait_turn, self.clock, self.tidy = sampler, wait_turn, clock, tidy
        self.hold_at = self.options.hold_at
        self.stopped = False
        self._start = self._sent = trainer.step_count
        self._started = self._next = self._next_poll = self._cpu = 0.0
        self._grads: list = []          # per step since the last snapshot: its gradients
        self._measured: list = []       # (step, metrics) since the last snapshot
        self._measure_every = max(1, self.steps // self.options.measures)
        self._measure_cost = 0.0

    def go(self) -> None:
        """Run, then send the final snapshot and the progress ("done")."""
        trainer = self.trainer
        self._started, self._cpu = self.clock(), time.thread_time()
        self._next = self._started + self.options.interval
        error = None
        try:
            self._read_commands()
            if trainer.step_count == 0 and not self.stopped:   # curves start at the weights
                self._send(self._take())
            if not self.stopped and self.steps:
                trainer.run(self.steps, self._each)
        except ValueError as exc:          # TrainingError: one clear line, maybe a node
            kind = getattr(exc, "kind", None)
            error = Failure(str(exc), getattr(exc, "node", None), getattr(exc, "step", None),
                            getattr(kind, "value", kind) == "nonfinite")
        except Exception as exc:  # noqa: BLE001 - a bug of ours: said in the panel, not raised
            error = Failure(f"training stopped: {type(exc).__name__}: {exc}")
        try:
            final = self._take(final=True, error=error)
        except Exception as exc:  # noqa: BLE001 - the GUI must still hear that the run ended
            final = Snapshot(trainer.step_count, self._sent, np.empty(0), 0.0, None, {},
                             trainer.parameter_values(), None, True,
                             error or Failure(f"training stopped: {exc}"), run=self.run_id)
        self.channel.send(("done", self.run_id, final, trainer.progress(self._start)))

    # ------------------------------------------------------------ between steps
    def _each(self, step: int, loss: float):
        if self.wait_turn is not None:
            self.wait_turn()
        self._grads.append(self.trainer.last_flat_gradient)   # norms at the snapshot
        now = self.clock()
        options = self.options
        if step % self._measure_every == 0 and now < self._next and self._measure_cost < \
                options.measure_free + options.measure_share * (now - self._started):
            try:
                self._measured.append((step, finite_or_none(self.trainer.metrics())))
            except ValueError:
                pass
            self._measure_cost += self.clock() - now
        if now >= self._next:
            self._send(self._take())
            if self.tidy is not None:
                self.tidy()
            done = self.clock()
            self._next = done + max(options.interval, (done - now) / options.max_share)
        if now >= self._next_poll:
            self._next_poll = now + POLL
            self._read_commands()
        if step == self.hold_at and not self.stopped:
            self._hold(step)
        return False if self.stopped else None

    def _send(self, snap: Snapshot) -> None:
        self.channel.send(("snapshot", self.run_id, snap))

    def _read_commands(self) -> None:
        while (message := self.channel.poll()) is not None:
            self._obey(message)

    def _obey(self, message) -> None:
        kind, run = message[0], message[1] if len(message) > 1 else None
        if run != self.run_id:
            return                                  # meant for another run
        trainer = self.trainer
        if kind == "stop":
            self.stopped = True
            trainer.stop()
        elif kind == "lr":
            trainer.set_learning_rate(message[2])
        elif kind == "optimizer":
            trainer.set_optimizer(message[2], lr=message[3])
        elif kind == "hold":
            self.hold_at = message[2]
            if trainer.step_count == self.hold_at and trainer.step_count > self._start:
                self._hold(self.hold_at)
        elif kind == "release":
            self.hold_at = None

    def _hold(self, step: int) -> None:
        """The test hook: show step `step`, say so, and wait for "release" or "stop"."""
        self._send(self._take())
        self.channel.send(("held", self.run_id, step))
        while self.hold_at == step and not self.stopped:
            self._obey(self.channel.wait())
        self._next = self.clock() + self.options.interval

    def _take(self, final: bool = False, error: Failure | None = None) -> Snapshot:
        trainer = self.trainer
        history = trainer.history
        count = len(history)
        first = self._sent + 1
        losses = np.array(history[self._sent:count], dtype=np.float64)
        self._sent = count
        metrics = prediction = None
        try:
            metrics = finite_or_none(trainer.metrics())
        except ValueError:
            metrics = None
        if self.sampler is not None:
            try:
                prediction = self.sampler.sample(trainer)
            except ValueError:
                prediction = None
        rows, self._grads = self._grads, []
        measured, self._measured = tuple(m for m in self._measured if m[1]), []
        norms = gradient_norms(rows, trainer.parameters)
        return Snapshot(count, first, losses, trainer.epochs, metrics, norms,
                        trainer.parameter_values(), prediction, final, error,
                        self.clock() - self._started, count - self._start,
                        self.run_id, measured, time.thread_time() - self._cpu)
