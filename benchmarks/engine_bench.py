"""Engine speed: the public default path against hand-written numpy and PyTorch eager.

    python benchmarks/engine_bench.py [--quick]

1. A 2-16-16-1 tanh MLP with an MSE loss on a batch of 256: ``graph.forward(feeds)`` then
   ``graph.backward()`` (Trace recorded, every node's gradient), against numpy computing the
   same six parameter gradients by hand, and against PyTorch eager (float64) when installed.
2. A 1,000-node scalar chain of tanh: microseconds per node, forward and backward.
Times are medians over batches of repeated passes; the engine's gradients are checked
against numpy's before anything is timed.
"""
from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from engine import Graph  # noqa: E402

BATCH, SIZES = 256, (2, 16, 16, 1)
PARAMS = ("W1", "b1", "W2", "b2", "W3", "b3")


def make_data(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(BATCH, SIZES[0]))
    Y = rng.normal(size=(BATCH, SIZES[-1]))
    params = {}
    for i, (fan_in, fan_out) in enumerate(zip(SIZES, SIZES[1:]), start=1):
        params[f"W{i}"] = rng.normal(scale=1 / np.sqrt(fan_in), size=(fan_in, fan_out))
        params[f"b{i}"] = rng.normal(scale=0.1, size=(fan_out,))
    return X, Y, params


def make_graph(X, Y, params) -> Graph:
    g = Graph()
    g.add_node("X", "input", value=X)
    g.add_node("Y", "input", value=Y)
    h = "X"
    for i in range(1, len(SIZES)):
        g.add_node(f"W{i}", "parameter", value=params[f"W{i}"])
        g.add_node(f"b{i}", "parameter", value=params[f"b{i}"])
        g.add_node(f"mm{i}", "matmul")
        g.add_node(f"z{i}", "add")
        g.connect(h, f"mm{i}", 0)
        g.connect(f"W{i}", f"mm{i}", 1)
        g.connect(f"mm{i}", f"z{i}", 0)
        g.connect(f"b{i}", f"z{i}", 1)
        h = f"z{i}"
        if i < len(SIZES) - 1:
            g.add_node(f"h{i}", "tanh")
            g.connect(h, f"h{i}", 0)
            h = f"h{i}"
    g.add_node("loss", "mse")
    g.connect(h, "loss", 0)
    g.connect("Y", "loss", 1)
    g.loss = "loss"
    return g


def numpy_pass(X, Y, W1, b1, W2, b2, W3, b3):
    """Forward and backward by hand, written as tightly as plain numpy allows."""
    z1 = X @ W1
    z1 += b1
    h1 = np.tanh(z1)
    z2 = h1 @ W2
    z2 += b2
    h2 = np.tanh(z2)
    out = h2 @ W3
    out += b3
    d = out - Y
    loss = np.mean(d * d)
    g_out = d * (2.0 / d.size)
    gW3 = h2.T @ g_out
    gb3 = g_out.sum(axis=0)
    g_z2 = g_out @ W3.T
    g_z2 *= 1.0 - h2 * h2
    gW2 = h1.T @ g_z2
    gb2 = g_z2.sum(axis=0)
    g_z1 = g_z2 @ W2.T
    g_z1 *= 1.0 - h1 * h1
    gW1 = X.T @ g_z1
    gb1 = g_z1.sum(axis=0)
    return loss, (gW1, gb1, gW2, gb2, gW3, gb3)


def median_time(fn, repeat: int, batches: int) -> float:
    """Median seconds per call over ``batches`` batches of ``repeat`` calls."""
    return interleaved({"fn": fn}, repeat, batches)["fn"]


def interleaved(fns: dict, repeat: int, batches: int, ratios: dict | None = None) -> dict:
    """Median seconds per call of each function, timed in alternating batches so that a
    busy machine slows every contender alike. ``ratios`` receives, per function, the median
    over batches of its time divided by the first function's time in the same batch."""
    for fn in fns.values():
        fn()
    times = {name: [] for name in fns}
    for _ in range(batches):
        for name, fn in fns.items():
            start = time.perf_counter()
            for _ in range(repeat):
                fn()
            times[name].append((time.perf_counter() - start) / repeat)
    if ratios is not None:
        first = next(iter(times.values()))
        for name, t in times.items():
            ratios[name] = statistics.median(a / b for a, b in zip(t, first))
    return {name: statistics.median(t) for name, t in times.items()}


def torch_runner(X, Y, params):
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)  # tensors this small gain nothing from threads on a busy machine
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    tX = torch.tensor(X, dtype=torch.float64)
    tY = torch.tensor(Y, dtype=torch.float64)

    def run():
        for p in t.values():
            p.grad = None
        h1 = torch.tanh(tX @ t["W1"] + t["b1"])
        h2 = torch.tanh(h1 @ t["W2"] + t["b2"])
        out = h2 @ t["W3"] + t["b3"]
        loss = ((out - tY) ** 2).mean()
        loss.backward()
        return loss
    run()
    return run, {k: p.grad.numpy() for k, p in t.items()}


def chain_graph(n=1000) -> Graph:
    g = Graph()
    g.add_node("n0", "input", value=0.5)
    for i in range(1, n):
        g.add_node(f"n{i}", "tanh")
        g.connect(f"n{i - 1}", f"n{i}", 0)
    return g


def main(argv=None) -> int:
    quick = "--quick" in (argv if argv is not None else sys.argv[1:])
    repeat, batches = (50, 5) if quick else (100, 41)
    X, Y, params = make_data()
    g = make_graph(X, Y, params)
    feeds = {"X": X, "Y": Y}

    def engine_pass():
        g.forward(feeds)
        return g.backward()

    grads = engine_pass()
    loss, np_grads = numpy_pass(X, Y, *(params[k] for k in PARAMS))
    assert np.isclose(float(g.values["loss"]), loss, rtol=1e-12)
    for k, ref in zip(PARAMS, np_grads):
        np.testing.assert_allclose(grads[k], ref, rtol=1e-10, atol=1e-14)
    assert len(g.trace.backward_steps) > 0

    contenders = {"hand-written numpy": lambda: numpy_pass(X, Y, *(params[k] for k in PARAMS)),
                  "engine (forward(feeds) + backward(), Trace)": engine_pass}
    ratios = {}
    rows = list(interleaved(contenders, repeat, batches, ratios).items())[::-1]
    t_engine = rows[0][1]
    engine_over_numpy = ratios[rows[0][0]]
    t_torch = None
    runner = torch_runner(X, Y, params)
    if runner is not None:  # timed on its own: torch's thread pool would disturb the others
        run, torch_grads = runner
        for k in PARAMS:
            np.testing.assert_allclose(grads[k], torch_grads[k], rtol=1e-10, atol=1e-14)
        t_torch = median_time(run, repeat, batches)
        rows.append(("PyTorch eager float64", t_torch))

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"MLP {'-'.join(map(str, SIZES))} tanh + MSE, batch {BATCH}, forward + backward "
          f"(load average {load:.2f} on {os.cpu_count()} cores)")
    print(f"{'':46s} {'median':>10s}")
    for name, t in rows:
        print(f"{name:46s} {t * 1e6:8.1f} µs")
    print(f"{'ratio engine / numpy':46s} {engine_over_numpy:8.2f} ×   (goal ≤ 1.5; "
          "median of per-batch ratios)")
    if t_torch is not None:
        print(f"{'ratio engine / torch':46s} {t_engine / t_torch:8.2f} ×")

    n = 1000
    c = chain_graph(n)
    c.forward()
    c.backward()
    t_fwd = median_time(c.forward, 5 if quick else 20, batches)
    t_bwd = median_time(c.backward, 5 if quick else 20, batches)
    print()
    print(f"{n}-node scalar tanh chain")
    print(f"{'forward':46s} {t_fwd * 1e6 / n:8.2f} µs/node  ({t_fwd * 1e3:.2f} ms)")
    print(f"{'backward':46s} {t_bwd * 1e6 / n:8.2f} µs/node  ({t_bwd * 1e3:.2f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
