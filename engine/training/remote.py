"""Training in a worker process: the worker's loop, and starting and reusing workers.

``python -m engine.training.remote FD`` serves one connection (a socket handed over as file
descriptor FD). It receives ``("run", run, trainer, steps, options, sampler)`` — a pickled
Trainer, a copy of the caller's — and runs it as an ``engine.training.live.LiveRun``, whose
messages go back over the same connection and end with ``("done", run, final snapshot,
progress)``; ``("quit",)`` or the other end closing ends the worker. Commands for a run that
has ended are ignored.

``acquire(mode)`` gives a worker: ``"process"`` (its own interpreter, so a run never waits
for the GIL while the GUI draws: the default) or ``"thread"`` (the same loop and messages on a
thread of this process; the fallback when no process can be started). ``release(worker)``
keeps an idle one for the next run, so a process starts once per session; ``prestart`` starts
one ahead of time (a process imports numpy for a while; messages wait in the socket meanwhile).
"""
from __future__ import annotations

import atexit
import gc
import os
import pickle
import signal
import socket
import subprocess
import sys
import threading
import warnings
from multiprocessing.connection import Connection
from pathlib import Path

MODES = ("process", "thread")
# one BLAS thread in a worker process: the matrices of a step are small, and a second BLAS
# thread would fight the GUI thread for a core (and spin while it waits, a fifth of a run)
BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
COMMAND = [sys.executable, "-m", "engine.training.remote"]   # + the socket's descriptor
KEEP_IDLE = 2          # idle workers kept for the next runs
ROOT = Path(__file__).resolve().parents[2]   # the folder holding the engine package


class Channel:
    """A LiveRun's end of the connection: send, poll (None when nothing came), wait."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def send(self, message) -> None:
        self.conn.send(message)

    def poll(self):
        return self.conn.recv() if self.conn.poll() else None

    def wait(self):
        return self.conn.recv()


def collect_young() -> None:
    """The cyclic garbage collector's young generations when they are due (as an automatic
    collection would, but at a moment we choose: between two steps, after a snapshot)."""
    counts = gc.get_count()
    for generation, (count, threshold) in enumerate(zip(counts, THRESHOLDS)):
        if count <= threshold:
            break
        gc.collect(generation)


THRESHOLDS = gc.get_threshold()


def serve(conn: Connection, wait_turn=None, own_process: bool = False) -> None:
    """The worker's loop (module doc). `wait_turn`: see ``LiveRun`` (thread mode). In a
    process of its own the garbage collector runs after each snapshot and between runs
    rather than at any allocation: a training step allocates many small objects, and
    automatic collections cost a run about a tenth of its speed (a thread leaves the GC to
    the GUI, which collects on a timer of its own)."""
    from engine.training.live import LiveRun
    channel = Channel(conn)
    if own_process:
        gc.freeze()                        # what the imports made lives as long as we do
    try:
        while True:
            message = conn.recv()
            if message[0] == "quit":
                return
            if message[0] != "run":
                continue                   # a command for a run that has ended
            _, run, payload, steps, options, sampler = message
            if own_process:
                gc.disable()
            try:
                LiveRun(pickle.loads(payload), steps, channel, run, options, sampler,
                        wait_turn, tidy=collect_young if own_process else None).go()
            finally:
                if own_process:
                    gc.enable()
                    gc.collect()
    except (EOFError, OSError, KeyboardInterrupt):
        return                             # the other end is gone
    finally:
        conn.close()


class Worker:
    """Our end of a worker: ``send`` (any thread), ``recv`` (one reader), ``close``."""

    def __init__(self, conn: Connection, mode: str, process=None, thread=None):
        self.conn, self.mode, self.process, self.thread = conn, mode, process, thread
        self._lock = threading.Lock()
        self.broken = False

    def send(self, message) -> None:
        with self._lock:
            self.conn.send(message)

    def recv(self):
        return self.conn.recv()

    def alive(self) -> bool:
        if self.broken or self.conn.closed:
            return False
        if self.process is not None:
            return self.process.poll() is None
        return self.thread is not None and self.thread.is_alive()

    def close(self, timeout: float = 2.0) -> None:
        """End the worker (it also ends when this end closes); a process that does not end
        within `timeout` seconds is killed."""
        try:
            if not self.conn.closed:
                self.send(("quit",))
                self.conn.close()
        except OSError:
            pass
        if self.process is not None:
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start(mode: str = "process", wait_turn=None) -> Worker:
    """A new worker; a "process" that cannot be started raises OSError."""
    if mode not in MODES:
        raise ValueError(f"unknown worker mode {mode!r}: choose one of {', '.join(MODES)}")
    ours, theirs = socket.socketpair()
    if mode == "thread":
        thread = threading.Thread(target=serve, args=(Connection(theirs.detach()), wait_turn),
                                  name="training worker", daemon=True)
        thread.start()
        return Worker(Connection(ours.detach()), mode, thread=thread)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    for name in BLAS_THREADS:               # unless the user chose otherwise
        env.setdefault(name, "1")
    try:
        process = subprocess.Popen(
            [*COMMAND, str(theirs.fileno())],
            pass_fds=(theirs.fileno(),), env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)   # it talks over the socket
    except (OSError, ValueError) as error:
        ours.close()
        raise OSError(f"cannot start a training process: {error}") from None
    finally:
        theirs.close()
    return Worker(Connection(ours.detach()), mode, process=process)


_idle: list = []
_idle_lock = threading.Lock()
_processes_work = True


def processes_fail() -> None:
    """A worker process died before it could answer: from now on runs go to threads."""
    global _processes_work
    _processes_work = False


def acquire(mode: str = "process", wait_turn=None) -> Worker:
    """An idle worker of `mode`, or a new one (a thread when a process cannot start)."""
    if mode == "process" and not _processes_work:
        mode = "thread"
    if mode == "process":
        with _idle_lock:
            while _idle:
                worker = _idle.pop()
                if worker.alive():
                    return worker
                worker.close()
    try:
        return start(mode, wait_turn)
    except OSError:
        return start("thread", wait_turn)


def release(worker: Worker) -> None:
    """A worker whose run has ended: kept for the next run (a process), else closed."""
    with _idle_lock:
        if worker.mode == "process" and worker.alive() and len(_idle) < KEEP_IDLE:
            _idle.append(worker)
            return
    worker.close()


def prestart(mode: str = "process") -> None:
    """Have an idle worker ready for the next run (a process takes a while to start)."""
    if mode != "process" or not _processes_work:
        return
    with _idle_lock:
        if any(w.mode == mode and w.alive() for w in _idle):
            return
    try:
        worker = start(mode)
    except OSError:
        return
    release(worker)


@atexit.register
def _close_idle() -> None:
    with _idle_lock:
        while _idle:
            _idle.pop().close()


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl+C is the app's: it closes us
    warnings.simplefilter("ignore")                # this process has no one to tell
    serve(Connection(int(argv[0])), own_process=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
