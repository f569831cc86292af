"""Training-step speed: ``Trainer.step()`` against the same step hand-written in numpy.

    python benchmarks/train_bench.py [--quick]

The 2-16-16-1 tanh MLP with an MSE loss, batch 256, one step = draw the batch, forward,
backward, optimizer update. Two data sizes: 256 rows (full batch: every step is a new epoch,
shuffled) and 4,096 rows (16 minibatches per epoch). Two optimizers: SGD and Adam. The numpy
reference is what a careful person writes by hand: shuffle once per epoch into contiguous
arrays, slice the batch, compute the six gradients, update in place. PyTorch eager (float64,
one thread) runs the same loop when installed. Before timing, the Trainer and the numpy loop
are run side by side and must agree to 1e-10 (same batches, same arithmetic).

Times are the CPU time of this thread (``time.thread_time``; BLAS runs single-threaded here,
as it should for matrices this small). On a shared virtual machine that clock still runs
faster or slower from one second to the next, so **every contender of every case runs in the
same rounds** (batches of steps, interleaved): the times of two cases compare as well as the
two contenders of one case. (Measured one case after the other, as this script once did, the
SGD cases could come out slower than the Adam ones on both sides — an artifact of when they
ran: per phase, SGD's update costs a fifth of Adam's and everything else is the same.) The
ratio is the median of per-round ratios. Goal: engine / numpy ≤ 1.2.

``--phases`` also prints where a step's time goes (the median of each phase, by the wall
clock): drawing the batch, forward, backward, the update — for the numpy loop and the Trainer.
"""
from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")  # before numpy loads: BLAS on this thread only

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402

from engine.training.datasets import Dataset  # noqa: E402
from engine.training.trainer import Trainer  # noqa: E402
from engine_bench import PARAMS, SIZES, make_graph  # noqa: E402

BATCH = 256
GOAL = 1.2
LR = {"sgd": 0.05, "adam": 0.01}
BETA1, BETA2, EPS = 0.9, 0.999, 1e-8


def make_problem(rows: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, SIZES[0]))
    Y = np.sin(X[:, :1] * 2.0) * np.cos(X[:, 1:])
    params = {}
    for i, (fan_in, fan_out) in enumerate(zip(SIZES, SIZES[1:]), start=1):
        params[f"W{i}"] = rng.normal(scale=1 / np.sqrt(fan_in), size=(fan_in, fan_out))
        params[f"b{i}"] = rng.normal(scale=0.1, size=(fan_out,))
    return X, Y, params


def interleaved(fns: dict, repeat: int, batches: int) -> dict:
    """{name: [seconds per call in each round]}: the functions timed in alternating batches
    of `repeat` calls by this thread's CPU clock, all of them in every round."""
    for fn in fns.values():
        for _ in range(repeat):
            fn()
    times = {name: [] for name in fns}
    for _ in range(batches):
        for name, fn in fns.items():
            start = time.thread_time()
            for _ in range(repeat):
                fn()
            times[name].append((time.thread_time() - start) / repeat)
    return times


class NumpyLoop:
    """The training loop written by hand: per-epoch shuffle, sliced batches, in-place updates.
    Draws its batches exactly as the Trainer does (a seeded stream of epochs)."""

    def __init__(self, X, Y, params, optimizer: str, seed: int = 0):
        self.X, self.Y = X, Y
        self.p = [params[k].copy() for k in PARAMS]
        self.optimizer, self.lr = optimizer, LR[optimizer]
        self.m = [np.zeros_like(p) for p in self.p]
        self.v = [np.zeros_like(p) for p in self.p]
        self.t = 0
        self.rng = np.random.default_rng(seed)
        self.Xs = self.Ys = None
        self.at = len(X)

    def batch(self):
        n = len(self.X)
        if self.at + BATCH > n:  # batch divides n here: a new epoch starts
            order = self.rng.permutation(n)
            self.Xs, self.Ys, self.at = self.X[order], self.Y[order], 0
        a = self.at
        self.at += BATCH
        return self.Xs[a:a + BATCH], self.Ys[a:a + BATCH]

    def step(self) -> float:
        X, Y = self.batch()
        W1, b1, W2, b2, W3, b3 = self.p
        h1 = np.tanh(X @ W1 + b1)
        h2 = np.tanh(h1 @ W2 + b2)
        d = h2 @ W3 + b3 - Y
        loss = np.mean(d * d)
        g = d * (2.0 / d.size)
        g3 = (h2.T @ g, g.sum(axis=0))
        g = (g @ W3.T) * (1.0 - h2 * h2)
        g2 = (h1.T @ g, g.sum(axis=0))
        g = (g @ W2.T) * (1.0 - h1 * h1)
        grads = (X.T @ g, g.sum(axis=0)) + g2 + g3
        if self.optimizer == "sgd":
            for p, gp in zip(self.p, grads):
                p -= self.lr * gp
        else:
            self.t += 1
            step_size = self.lr / (1.0 - BETA1 ** self.t)
            root = np.sqrt(1.0 - BETA2 ** self.t)
            for p, gp, m, v in zip(self.p, grads, self.m, self.v):
                m *= BETA1
                m += (1.0 - BETA1) * gp
                v *= BETA2
                v += (1.0 - BETA2) * gp * gp
                p -= step_size * (m / (np.sqrt(v) / root + EPS))
        return float(loss)


def torch_loop(X, Y, params, optimizer: str, seed: int = 0):
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    ps = [torch.tensor(params[k], dtype=torch.float64, requires_grad=True) for k in PARAMS]
    opt = (torch.optim.SGD(ps, lr=LR["sgd"]) if optimizer == "sgd"
           else torch.optim.Adam(ps, lr=LR["adam"]))
    tX, tY = torch.tensor(X), torch.tensor(Y)
    rng = np.random.default_rng(seed)
    state = {"at": len(X), "Xs": None, "Ys": None}

    def step():
        if state["at"] + BATCH > len(X):
            order = torch.from_numpy(rng.permutation(len(X)))
            state.update(Xs=tX[order], Ys=tY[order], at=0)
        a = state["at"]
        state["at"] += BATCH
        xb, yb = state["Xs"][a:a + BATCH], state["Ys"][a:a + BATCH]
        W1, b1, W2, b2, W3, b3 = ps
        out = torch.tanh(torch.tanh(xb @ W1 + b1) @ W2 + b2) @ W3 + b3
        loss = ((out - yb) ** 2).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss.item()
    return step


def make_trainer(X, Y, params, optimizer: str, seed: int = 0) -> Trainer:
    graph = make_graph(X[:BATCH], Y[:BATCH], params)
    dataset = Dataset(X, Y, "regression", "bench")
    return Trainer(graph, optimizer=optimizer, lr=LR[optimizer], dataset=dataset,
                   batch_size=BATCH, seed=seed, features="X", targets="Y")


def check_same_run(rows: int, optimizer: str) -> None:
    """The Trainer and the numpy loop take the same batches and reach the same weights."""
    X, Y, params = make_problem(rows)
    trainer, loop = make_trainer(X, Y, params, optimizer), NumpyLoop(X, Y, params, optimizer)
    ours = [trainer.step() for _ in range(40)]
    theirs = [loop.step() for _ in range(40)]
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)
    for k, p in zip(PARAMS, loop.p):
        np.testing.assert_allclose(trainer.graph.node(k).value, p, rtol=1e-9, atol=1e-12)


CASES = [(rows, optimizer) for rows in (BATCH, 16 * BATCH) for optimizer in ("sgd", "adam")]


def contenders(rows: int, optimizer: str) -> dict:
    """{"numpy", "engine"[, "torch"]: one training step each} for a case, checked first."""
    check_same_run(rows, optimizer)
    X, Y, params = make_problem(rows)
    trainer, loop = make_trainer(X, Y, params, optimizer), NumpyLoop(X, Y, params, optimizer)
    fns = {"numpy": loop.step, "engine": trainer.step}
    step = torch_loop(X, Y, params, optimizer)
    if step is not None:
        fns["torch"] = step
    return fns


def measure(repeat: int, batches: int) -> dict:
    """{case: {contender: median seconds per step, "ratio": engine / numpy}}, every case's
    contenders interleaved in the same rounds."""
    fns = {(case, name): fn for case in CASES for name, fn in contenders(*case).items()}
    times = interleaved(fns, repeat, batches)
    results = {}
    for case in CASES:
        mine = {name: t for (c, name), t in times.items() if c == case}
        result = {name: statistics.median(t) for name, t in mine.items()}
        result["ratio"] = statistics.median(e / n for e, n in zip(mine["engine"], mine["numpy"]))
        results[case] = result
    return results


def phases(rows: int, optimizer: str, steps: int = 600) -> dict:
    """{"numpy": {phase: median µs}, "engine": {...}}: where a step's time goes."""
    X, Y, params = make_problem(rows)
    clock = time.perf_counter
    loop = NumpyLoop(X, Y, params, optimizer)
    numpy_parts = []
    batch = loop.batch

    def timed_batch():
        start = clock()
        out = batch()
        numpy_parts.append({"batch": clock() - start})
        return out

    loop.batch = timed_batch
    trainer = make_trainer(X, Y, params, optimizer)
    engine_parts = []
    originals = {"batch": trainer._next_batch, "forward": trainer.graph.forward,
                 "backward": trainer.graph.backward}

    def wrap(name, fn):
        def timed(*args, **kwargs):
            start = clock()
            out = fn(*args, **kwargs)
            engine_parts[-1][name] = clock() - start
            return out
        return timed

    trainer._next_batch = wrap("batch", originals["batch"])
    trainer.graph.forward = wrap("forward", originals["forward"])
    trainer.graph.backward = wrap("backward", originals["backward"])
    result = {}
    for name, step, parts in (("numpy", loop.step, numpy_parts),
                              ("engine", trainer.step, engine_parts)):
        for _ in range(steps):
            if name == "engine":
                parts.append({})
            start = clock()
            step()
            parts[-1]["total"] = clock() - start
        result[name] = {k: statistics.median(p[k] for p in parts) * 1e6 for k in parts[0]}
    return result


def main(argv=None) -> int:
    argv = argv if argv is not None else sys.argv[1:]
    quick = "--quick" in argv
    repeat, batches = (20, 11) if quick else (50, 41)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"Training step: MLP {'-'.join(map(str, SIZES))} tanh + MSE, batch {BATCH}, "
          f"Trainer.step() vs hand-written numpy (load average {load:.2f} on "
          f"{os.cpu_count()} cores; all cases in the same rounds)")
    print(f"{'rows':>6s} {'optimizer':>9s} {'numpy µs':>9s} {'engine µs':>10s} "
          f"{'torch µs':>9s} {'engine/numpy':>13s}")
    worst = 0.0
    for (rows, optimizer), r in measure(repeat, batches).items():
        worst = max(worst, r["ratio"])
        torch_text = f"{r['torch'] * 1e6:9.1f}" if "torch" in r else f"{'-':>9s}"
        print(f"{rows:6d} {optimizer:>9s} {r['numpy'] * 1e6:9.1f} {r['engine'] * 1e6:10.1f} "
              f"{torch_text} {r['ratio']:12.2f}×")
    print(f"worst engine / numpy {worst:.2f}× (goal ≤ {GOAL})")
    if "--phases" in argv:
        print("where a step's time goes (median µs, wall clock; update = total − the rest)")
        for rows, optimizer in CASES:
            for name, parts in phases(rows, optimizer).items():
                rest = parts["total"] - sum(v for k, v in parts.items() if k != "total")
                shown = "  ".join(f"{k} {v:6.1f}" for k, v in parts.items() if k != "total")
                print(f"{rows:6d} {optimizer:>9s} {name:>7s}  {shown}  update+rest {rest:6.1f}"
                      f"  total {parts['total']:6.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
