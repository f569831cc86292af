"""Training in the app: steps per second with the live plots and the canvas on, against the
same Trainer headless, and how fast the UI answers while the worker trains.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/training_gui_bench.py [--quick]

1. **Throughput.** The XOR MLP example (2-4-1 tanh, batch 32, Adam). Headless:
   ``Trainer.run(N)`` in this thread, nothing else running. In the app: a shown MainWindow
   with the example open, the Training panel's ``start(N)`` — the run on its worker,
   snapshots every 50 ms, the loss / accuracy / gradient / boundary plots redrawn, the
   parameters pushed to the canvas (a model re-run and repaint) at most ~20×/s — timed by the
   wall clock from ``start`` to the final snapshot's arrival in the GUI thread (the copy of the
   trainer sent to the worker and its progress brought back included). Rounds alternate
   headless / app; the ratio is the median of per-round ratios. Goal: app ≥ 80% of headless.
2. **Latency.** While the worker trains (a long run of the spiral example), the GUI thread is
   probed two ways: a 10 ms QTimer whose lateness is recorded, and synthetic input — a key
   press posted to the canvas every 20 ms, timed from ``postEvent`` to its delivery in an event
   filter. Goal: the UI answers within 50 ms (p99 and max are printed).

Both are measured for each place a run can go (gui/training/worker.py ``MODE``): ``process``
(the app's choice: a worker process of its own) and ``thread`` (the same run on a thread of
the GUI's process, sharing its GIL) — ``--mode`` picks one. Timing is wall-clock on a machine
that may be busy; the ratio's rounds interleave so a slow moment hits both sides.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import os
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QKeyEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

EXAMPLES = ROOT / "resources" / "examples"
GOAL_RATIO = 0.80
GOAL_LATENCY_MS = 50.0


def make_window(app, settings_path):
    from gui.window.main_window import MainWindow
    window = MainWindow(settings=QSettings(str(settings_path), QSettings.Format.IniFormat))
    window.resize(1600, 1000)
    window.show()
    app.processEvents()
    return window


def open_example(window, app, name: str) -> None:
    window.model.mark_saved()
    window.open_file(EXAMPLES / f"{name}.json", ask=False)
    for _ in range(3):
        app.processEvents()


def headless_rate(window, steps: int) -> tuple[float, float]:
    """Steps per second of ``Trainer.run`` here, by the wall clock and by this thread's CPU."""
    session = window.training.session
    trainer = window.model.make_trainer(session.data, session.training, session.folder)
    start, cpu = time.perf_counter(), time.thread_time()
    trainer.run(steps)
    return steps / (time.perf_counter() - start), steps / (time.thread_time() - cpu)


def app_rate(window, app, steps: int) -> tuple[float, int, float, float]:
    """Steps per second of one run in the panel (by the wall clock, from start to the final
    snapshot's arrival), how many canvas updates it made, the share of the run's time the GUI
    thread spent on the CPU, and the steps per CPU second of the worker."""
    panel = window.training
    panel.reset()
    shown = [0]
    update = lambda: shown.__setitem__(0, shown[0] + 1)  # noqa: E731
    window.model.results_changed.connect(update)
    last = []
    arrived = lambda snap: last.append((snap, time.perf_counter()))  # noqa: E731
    panel.session.snapshot.connect(arrived)
    cpu = time.thread_time()
    start = time.perf_counter()
    panel.start(steps)
    panel.session.wait(120000)
    cpu = time.thread_time() - cpu
    window.model.results_changed.disconnect(update)
    panel.session.snapshot.disconnect(arrived)
    final, end = last[-1]
    assert final.final and final.steps_run == steps, "the run did not finish"
    return steps / (end - start), shown[0], cpu / (end - start), steps / final.cpu


def throughput(app, window, rounds: int, steps: int, modes) -> None:
    """Each round: headless, then the app with the run on each of `modes` in turn, so a busy
    moment of the machine hits every contender of that round."""
    from gui.training import worker
    open_example(window, app, "xor_mlp")
    headless_rate(window, 300)                       # warm up every side
    for mode in modes:
        worker.MODE = mode
        app_rate(window, app, 300)
    rows = {mode: [] for mode in modes}              # (ratio, app, headless, shown, busy, cpu)
    for _ in range(rounds):
        h, h_cpu = headless_rate(window, steps)
        for mode in modes:
            worker.MODE = mode
            g, shown, busy, by_worker = app_rate(window, app, steps)
            rows[mode].append((g / h, g, h, shown, busy, by_worker / h_cpu))
    print(f"XOR MLP, {steps} steps × {rounds} rounds (headless and each place a run can go "
          "in every round)")
    for mode in modes:
        ratio, g, h, shown, busy, cpu = (statistics.median(c) for c in zip(*rows[mode]))
        verdict = "OK" if ratio >= GOAL_RATIO else "MISSED"
        print(f"  the run on a {mode}:")
        print(f"    headless Trainer.run     {h:8.0f} steps/s")
        print(f"    app (worker, plots, canvas) {g:5.0f} steps/s   ({shown:g} canvas re-runs per "
              f"run, GUI thread on the CPU {busy:.0%} of the time)")
        print(f"    per CPU second, worker / headless {cpu:.2f}   (what a run costs the worker "
              "itself: snapshots, measuring; waiting for the GIL or a core is not CPU)")
        print(f"    ratio app / headless     {ratio:8.2f}   goal ≥ {GOAL_RATIO:.2f}  {verdict}")


class Probe(QObject):
    """Records when posted key events reach the canvas."""

    def __init__(self):
        super().__init__()
        self.posted: dict[int, float] = {}
        self.delays: list[float] = []

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_F24:
            sent = self.posted.pop(event.nativeScanCode(), None)
            if sent is not None:
                self.delays.append((time.perf_counter() - sent) * 1000)
            return True
        return False


def latency(app, window, seconds: float, mode: str) -> None:
    from gui.training import worker
    worker.MODE = mode
    open_example(window, app, "spiral_classifier")
    panel = window.training
    probe = Probe()
    target = window.canvas.viewport()
    target.installEventFilter(probe)
    lateness: list[float] = []
    tick = {"last": None}

    def on_tick():
        now = time.perf_counter()
        if tick["last"] is not None:
            lateness.append(max(0.0, (now - tick["last"]) * 1000 - 10))
        tick["last"] = now

    def post_key():
        number = len(probe.posted) + len(probe.delays) + 1
        event = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_F24, Qt.KeyboardModifier.NoModifier,
                          number, 0, 0)
        probe.posted[number] = time.perf_counter()
        QApplication.postEvent(target, event)

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(10)
    timer.timeout.connect(on_tick)
    poster = QTimer()
    poster.setTimerType(Qt.TimerType.PreciseTimer)
    poster.setInterval(20)
    poster.timeout.connect(post_key)
    panel.start(10 ** 7)
    timer.start()
    poster.start()
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.001)
    timer.stop()
    poster.stop()
    steps = panel.session.step_count
    panel.pause(wait=True)
    target.removeEventFilter(probe)
    for name, values in (("input event → delivery", probe.delays),
                         ("10 ms timer lateness", lateness)):
        values = sorted(values)
        p50 = values[len(values) // 2]
        p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
        verdict = "OK" if p99 <= GOAL_LATENCY_MS else "MISSED"
        print(f"  {name:24s} p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   max {values[-1]:6.1f} ms"
              f"   ({len(values)} samples)  goal p99 ≤ {GOAL_LATENCY_MS:.0f} ms  {verdict}")
    print(f"  (the worker took {steps} steps meanwhile)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke test)")
    parser.add_argument("--mode", choices=("process", "thread", "both"), default="both",
                        help="where the run goes (default: both)")
    args = parser.parse_args(argv)
    modes = ("process", "thread") if args.mode == "both" else (args.mode,)
    from gui.window.application import make_application
    app = make_application(["training_gui_bench"])
    import tempfile
    with tempfile.TemporaryDirectory() as scratch:
        window = make_window(app, Path(scratch) / "bench.ini")
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"Training in the app (benchmarks/training_gui_bench.py; load average "
              f"{load:.2f} on {os.cpu_count()} cores)")
        throughput(app, window, rounds=2 if args.quick else 5,
                   steps=2000 if args.quick else 12000, modes=modes)
        for mode in modes:
            print(f"UI latency while the worker ({mode}) trains the spiral example")
            latency(app, window, seconds=1.5 if args.quick else 6.0, mode=mode)
        window.model.mark_saved()
        window.close_without_asking()
    return 0


if __name__ == "__main__":
    sys.exit(main())
