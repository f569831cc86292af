"""A run that reports as it goes (engine/training/live.py) and runs on a worker process
(engine/training/remote.py): snapshot pacing on a clock the test drives, the hold hook, commands
between steps, a run carried back bit for bit, from a process and from a thread."""
from __future__ import annotations

import pickle
import sys

import numpy as np
import pytest

import engine
from conftest import EXAMPLES
from engine.training import remote
from engine.training.live import LiveRun, RunOptions
from engine.training.trainer import Trainer


def xor_trainer(**training) -> Trainer:
    graph = engine.load_graph(EXAMPLES / "xor_mlp.json")
    graph.extra["training"] = {**graph.extra["training"], **training}
    return Trainer(graph)


class Clock:
    """Seconds that pass only when read: `tick` per reading."""

    def __init__(self, tick: float):
        self.now, self.tick = 0.0, tick

    def __call__(self) -> float:
        self.now += self.tick
        return self.now


class Channel:
    """A LiveRun's channel in memory: what it sent, and the commands it gets when it waits
    (held) — polling finds nothing."""

    def __init__(self, replies=()):
        self.sent, self.replies = [], list(replies)

    def send(self, message):
        self.sent.append(message)

    def poll(self):
        return None

    def wait(self):
        return self.replies.pop(0)

    def snapshots(self):
        return [m[2] for m in self.sent if m[0] in ("snapshot", "done")]


def test_snapshots_come_every_interval_of_the_clock_and_measuring_keeps_its_budget():
    """On a clock that moves 1 ms per reading: no time for measuring → the curves get only
    the snapshots' points, at most one per interval; all the time in the world → a point every
    steps/MEASURES steps, each equal to a reference trainer's metrics at that step."""
    steps = 200
    frugal = Channel()
    clock = Clock(0.001)
    options = RunOptions(interval=0.05, measure_free=0.0, measure_share=0.0)
    LiveRun(xor_trainer(), steps, frugal, 1, options, clock=clock).go()
    snaps = frugal.snapshots()
    assert all(not s.measured for s in snaps)
    assert len(snaps) <= 2 + clock.now / options.interval
    assert [s.final for s in snaps].count(True) == 1 and snaps[-1].step == steps
    generous = Channel()
    options = RunOptions(interval=0.05, measures=100, measure_free=600.0)
    LiveRun(xor_trainer(), steps, generous, 2, options, clock=Clock(0.001)).go()
    points = dict(m for s in generous.snapshots() for m in s.all_metrics())
    assert set(range(2, steps + 1, 2)) <= set(points)
    reference = xor_trainer()
    for step in range(1, steps + 1):
        reference.step()
        if step in points:
            assert points[step] == reference.metrics()


def test_a_held_run_takes_commands_at_that_exact_step_and_goes_on_bit_for_bit():
    """The test hook: held after step 10, the run shows step 10, says "held", takes a new
    learning rate and goes on — the same weights as a trainer whose rate changed at step 10."""
    trainer = xor_trainer()
    channel = Channel([("lr", 7, 0.01), ("release", 7)])
    LiveRun(trainer, 30, channel, 7, RunOptions(hold_at=10)).go()
    held = [i for i, m in enumerate(channel.sent) if m[0] == "held"]
    assert len(held) == 1 and channel.sent[held[0]][2] == 10
    assert channel.sent[held[0] - 1][2].step == 10            # the step shown while held
    reference = xor_trainer()
    reference.run(10)
    reference.set_learning_rate(0.01)
    reference.run(20)
    assert trainer.step_count == 30 and trainer.optimizer.lr == 0.01
    for p, value in reference.parameter_values().items():
        assert np.array_equal(trainer.parameter_values()[p], value)


def test_stopping_a_held_run_ends_it_at_that_step_and_other_runs_commands_are_ignored():
    trainer = xor_trainer()
    channel = Channel([("stop", 99), ("lr", 99, 0.5), ("stop", 4)])
    LiveRun(trainer, 1000, channel, 4, RunOptions(hold_at=5)).go()
    kind, run, final, progress = channel.sent[-1]
    assert (kind, run, final.final, final.step, final.error) == ("done", 4, True, 5, None)
    assert trainer.step_count == 5 and trainer.optimizer.lr == 0.05
    assert progress.start == 0 and len(progress.losses) == 5


def test_a_trainer_copied_to_another_process_and_back_goes_on_as_if_it_never_left():
    """run(40) on a pickled copy, carried back (progress → adopt), then run(60) here is
    run(100): weights, optimizer state and batch stream bit for bit."""
    for optimizer in ("momentum", "adam"):
        here = xor_trainer(optimizer=optimizer, batch_size=48)
        there = pickle.loads(pickle.dumps(here))
        there.run(40)
        here.adopt(there.progress(0))
        here.run(60)
        reference = xor_trainer(optimizer=optimizer, batch_size=48)
        reference.run(100)
        assert here.history == reference.history
        for p, value in reference.parameter_values().items():
            assert np.array_equal(here.parameter_values()[p], value)
    with pytest.raises(ValueError, match="this trainer is at step 100"):
        here.adopt(there.progress(0))


@pytest.mark.parametrize("mode", remote.MODES)
def test_a_worker_runs_a_copy_and_sends_the_run_back(mode):
    """The real worker (its own process, or a thread): a run's messages, in order, and its
    progress equal to the same run here. A thread calls the GUI-turn hook between steps."""
    turns = []
    worker = remote.start(mode, wait_turn=lambda: turns.append(1))
    try:
        trainer = xor_trainer()
        worker.send(("run", 3, pickle.dumps(trainer), 25, RunOptions(hold_at=20), None))
        messages = []
        while not messages or messages[-1][0] != "done":
            messages.append(worker.recv())
            if messages[-1][0] == "held":
                worker.send(("release", 3))
        assert [m[0] for m in messages].count("held") == 1
        trainer.adopt(messages[-1][3])
    finally:
        worker.close()
    reference = xor_trainer()
    reference.run(25)
    assert trainer.history == reference.history
    assert turns == ([1] * 25 if mode == "thread" else [])


def test_a_process_that_cannot_run_sends_the_run_to_a_thread(qtbot, monkeypatch):
    """A worker process that dies before its first word (here: an interpreter that exits at
    once): the run goes to a thread instead, and so do later runs; nothing is lost."""
    from gui.training.worker import TrainingRun
    monkeypatch.setattr(remote, "COMMAND", [sys.executable, "-c", "raise SystemExit(3)"])
    monkeypatch.setattr(remote, "_processes_work", True)
    monkeypatch.setattr(remote, "_idle", [])
    trainer = xor_trainer()
    run = TrainingRun(trainer, 20, mode="process")
    snaps = []
    run.snapshot.connect(snaps.append)
    run.start()
    qtbot.waitUntil(lambda: bool(snaps) and snaps[-1].final, timeout=20000)
    run.wait()
    assert run.mode == "thread" and snaps[-1].error is None and trainer.step_count == 20
    later = remote.acquire("process")
    assert later.mode == "thread"
    later.close()
    reference = xor_trainer()
    reference.run(20)
    assert trainer.history == reference.history


def test_a_worker_process_killed_mid_run_ends_the_run_with_one_line(qtbot):
    """The process dies while held at step 5: the GUI hears that the run ended, with a clear
    line, and the trainer stays where the run began (its progress never came back)."""
    from gui.training.worker import TrainingRun
    trainer = xor_trainer()
    run = TrainingRun(trainer, 50, hold_at=5, mode="process")
    snaps = []
    run.snapshot.connect(snaps.append)
    with qtbot.waitSignal(run.held, timeout=20000):
        run.start()
    assert run.mode == "process" and snaps[-1].step == 5
    run._worker.process.kill()
    qtbot.waitUntil(lambda: snaps[-1].final, timeout=20000)
    run.wait()
    assert snaps[-1].error.message.startswith("training stopped: the worker ended unexpectedly")
    assert trainer.step_count == 0
