"""Exported scripts run as a user runs them and agree with the app.

Every example and a generated set of random graphs (tests/graph_generator.py, every op,
broadcasting, reductions with axis/keepdims, nodes feeding several ports) go through
``main.py export --to numpy|pytorch``; the scripts run in subprocesses and their JSON line is
compared with ``main.py grad`` (numpy within 1e-12, PyTorch within 1e-6, relative). With
``--train --steps 50`` they reach the app's Trainer's loss for the same seed (numpy within
1e-12, PyTorch within 1e-6) and its accuracy. The examples' numpy scripts run one process
each (``python SCRIPT.py``); the rest go through tests/script_runner.py, so torch starts once.
"""
from __future__ import annotations

import collections
import contextlib
import importlib.util
import io
import json
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

import engine
import main as main_py
from conftest import EXAMPLES, run_process
from engine.training.trainer import Trainer
from graph_generator import ALL_OPS, random_graph

RANDOM_SEEDS = range(4000, 4030)
STEPS = 50
RUNNER = Path(__file__).parent / "script_runner.py"
EXAMPLE_NAMES = sorted(p.stem for p in EXAMPLES.glob("*.json"))


def variant(example, **training):
    doc = json.loads((EXAMPLES / f"{example}.json").read_text())
    doc["training"] = {**doc.get("training", {}), **training}
    return doc


# name -> (graph document, --seed or None)
TRAINING = {
    "xor_adam": (variant("xor_mlp"), None),
    "xor_sgd_full_batch": (variant("xor_mlp", optimizer="sgd", lr=0.5, batch_size=0), None),
    "xor_batches_across_epochs": (variant("xor_mlp", batch_size=48, beta1=0.8, eps=1e-6), 3),
    "spiral_momentum": (variant("spiral_classifier", optimizer="momentum", lr=0.05,
                                momentum=0.8), None),
    "sine_regression_seed_7": (variant("sine_regression"), 7),
}


def call_main(*argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main_py.main([str(a) for a in argv])
    return status, out.getvalue(), err.getvalue()


def last_json(stdout: str) -> dict:
    return json.loads(stdout.strip().splitlines()[-1])


def close(result: dict, grad: dict, rtol: float, what: str) -> None:
    """``result`` (a script's line) against ``grad`` (main.py grad's): loss and every input and
    parameter gradient within ``rtol`` (plus 1e-12 absolute for zeros)."""
    assert result["loss"] == pytest.approx(float(np.sum(grad["loss"])), rel=rtol, abs=1e-12), what
    assert set(result["grads"]) == set(grad["grads"]), what
    for node, value in grad["grads"].items():
        np.testing.assert_allclose(result["grads"][node], value, rtol=rtol, atol=1e-12,
                                   err_msg=f"{what}: {node}")


class Exported:
    """Every graph written to a file, exported both ways through main.py, with the app's
    own answers: ``main.py grad`` for each graph, the Trainer for each training set-up."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.paths = {f"example_{n}": EXAMPLES / f"{n}.json" for n in EXAMPLE_NAMES}
        self.docs = {}
        for seed in RANDOM_SEEDS:
            self.docs[f"random_{seed}"] = random_graph(seed)
        for name, (doc, _) in TRAINING.items():
            self.docs[name] = doc
        for name, doc in self.docs.items():
            self.paths[name] = folder / f"{name}.json"
            self.paths[name].write_text(json.dumps(doc))
        self.grad, self.scripts = {}, {}
        for name, path in self.paths.items():
            status, out, err = call_main("grad", path)
            assert status == 0, err
            data = json.loads(out)
            loss = engine.load_graph(path).loss_node()
            leaves = [n for n, op in ((n["id"], n["op"]) for n in json.loads(
                path.read_text())["nodes"]) if op in ("input", "parameter")]
            self.grad[name] = {"loss": data["values"][loss],
                               "grads": {n: data["grads"][n] for n in leaves}}
            for kind in ("numpy", "pytorch"):
                script = folder / f"{name}_{kind}.py"
                status, out, err = call_main("export", path, "--to", kind, "--out", script)
                assert status == 0 and err == "", err
                self.scripts[name, kind] = script
        self.trained = {}
        for name, (_, seed) in TRAINING.items():
            trainer = Trainer(engine.load_graph(self.paths[name]), seed=seed)
            trainer.run(STEPS)
            self.trained[name] = trainer.evaluate()

    def train_args(self, name) -> list:
        seed = TRAINING[name][1]
        return ["--train", "--steps", str(STEPS)] + ([] if seed is None else ["--seed", str(seed)])

    def run_batch(self, jobs: list) -> list:
        """Run ``jobs`` [(script, args)] in one subprocess (tests/script_runner.py)."""
        jobs_file = self.folder / f"jobs_{len(jobs)}_{id(jobs)}.json"
        results_file = jobs_file.with_suffix(".out.json")
        jobs_file.write_text(json.dumps([{"script": str(s), "args": a} for s, a in jobs]))
        proc = run_process([sys.executable, str(RUNNER), str(jobs_file), str(results_file)],
                           cwd=self.folder, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr[-3000:]
        return json.loads(results_file.read_text())


class Background:
    """A batch of scripts run on a background thread while other work goes on."""

    def __init__(self, exported: Exported, jobs: list):
        self.jobs, self.results, self.error = jobs, None, None
        self.thread = threading.Thread(target=self._run, args=(exported,), daemon=True)
        self.thread.start()

    def _run(self, exported):
        try:
            self.results = exported.run_batch([(s, a) for _, s, a in self.jobs])
        except BaseException as error:  # reported by the test that reads the results
            self.error = error

    def wait(self) -> dict:
        self.thread.join(timeout=600)
        if self.error is not None:
            raise self.error
        return {key: result for (key, _, _), result in zip(self.jobs, self.results)}


def torch_jobs(exported: Exported) -> list:
    chain, paths = exported.scripts["example_chain_rule", "pytorch"], exported.paths
    return ([(name, exported.scripts[name, "pytorch"], []) for name in paths]
            + [(("train", name), exported.scripts[name, "pytorch"], exported.train_args(name))
               for name in TRAINING]
            + [(("device",), chain, ["--device", "cpu"]),
               (("bad device",), chain, ["--device", "nonsense"]),
               (("refuse",), exported.scripts["example_two_paths", "pytorch"], ["--train"])])


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Exported:
    exported = Exported(tmp_path_factory.mktemp("exported"))
    # torch takes seconds to start: its batch runs while the numpy scripts do
    exported.torch = Background(exported, torch_jobs(exported)) \
        if importlib.util.find_spec("torch") else None
    return exported


@pytest.fixture(scope="module")
def numpy_runs(exported) -> dict:
    """Every numpy script: the examples one process each, the rest in one batch."""
    runs = {}
    for name in exported.paths:
        if name.startswith("example_"):
            proc = subprocess.run([sys.executable, exported.scripts[name, "numpy"].name],
                                  cwd=exported.folder, capture_output=True, text=True,
                                  timeout=120)
            runs[name] = {"status": proc.returncode, "stdout": proc.stdout,
                          "stderr": proc.stderr}
    proc = subprocess.run([sys.executable, exported.scripts["xor_adam", "numpy"].name,
                           *exported.train_args("xor_adam")], cwd=exported.folder,
                          capture_output=True, text=True, timeout=120)
    runs["train", "xor_adam"] = {"status": proc.returncode, "stdout": proc.stdout,
                                 "stderr": proc.stderr}
    jobs = [(name, exported.scripts[name, "numpy"], []) for name in exported.paths
            if name not in runs]
    jobs += [(("train", name), exported.scripts[name, "numpy"], exported.train_args(name))
             for name in TRAINING if ("train", name) not in runs]
    jobs.append((("refuse",), exported.scripts["example_two_paths", "numpy"], ["--train"]))
    for (key, _, _), result in zip(jobs, exported.run_batch([(s, a) for _, s, a in jobs])):
        runs[key] = result
    return runs


@pytest.fixture(scope="module")
def torch_runs(exported) -> dict:
    """Every PyTorch script in ONE subprocess: torch starts once."""
    pytest.importorskip("torch")
    return exported.torch.wait()


GRAPHS = [f"example_{n}" for n in EXAMPLE_NAMES] + [f"random_{s}" for s in RANDOM_SEEDS] \
    + list(TRAINING)


@pytest.mark.parametrize("name", GRAPHS)
def test_numpy_script_prints_what_grad_prints(exported, numpy_runs, name):
    run = numpy_runs[name]
    assert run["status"] == 0 and run["stderr"] == "", run["stderr"][-2000:]
    close(last_json(run["stdout"]), exported.grad[name], 1e-12, name)


@pytest.mark.parametrize("name", GRAPHS)
def test_pytorch_script_prints_what_grad_prints(exported, torch_runs, name):
    run = torch_runs[name]
    assert run["status"] == 0 and run["stderr"] == "", run["stderr"][-2000:]
    close(last_json(run["stdout"]), exported.grad[name], 1e-6, name)


@pytest.mark.parametrize("name", list(TRAINING))
def test_numpy_training_is_the_apps_trainer(exported, numpy_runs, name):
    run = numpy_runs["train", name]
    assert run["status"] == 0, run["stderr"][-2000:]
    result = last_json(run["stdout"])
    loss, accuracy = exported.trained[name]
    assert abs(result["loss"] - loss) <= 1e-12 * abs(loss), (result, loss)
    assert result["accuracy"] == accuracy


@pytest.mark.parametrize("name", list(TRAINING))
def test_pytorch_training_is_the_apps_trainer(exported, torch_runs, name):
    run = torch_runs["train", name]
    assert run["status"] == 0, run["stderr"][-2000:]
    result = last_json(run["stdout"])
    loss, accuracy = exported.trained[name]
    assert abs(result["loss"] - loss) <= 1e-6 * abs(loss), (result, loss)
    assert result["accuracy"] == accuracy


def test_training_really_trains(exported):
    """The 50 steps compared above move the loss (a comparison of two idle runs proves
    nothing)."""
    for name in TRAINING:
        before, _ = Trainer(engine.load_graph(exported.paths[name])).evaluate()
        assert exported.trained[name][0] < 0.9 * before, name


def test_pytorch_device_flag(torch_runs):
    assert torch_runs["device",]["status"] == 0
    bad = torch_runs["bad device",]
    assert bad["status"] == 2 and bad["stdout"] == ""
    assert len(bad["stderr"].strip().splitlines()) == 1 and "nonsense" in bad["stderr"]


def test_a_graph_without_data_refuses_to_train_in_one_line(numpy_runs, torch_runs):
    for run in (numpy_runs["refuse",], torch_runs["refuse",]):
        assert run["status"] == 2 and run["stdout"] == ""
        (line,) = run["stderr"].strip().splitlines()
        assert "cannot train" in line and "data" in line


def test_the_random_graphs_cover_every_op_and_shape_feature():
    docs = [random_graph(s) for s in RANDOM_SEEDS]
    ops = collections.Counter(n["op"] for d in docs for n in d["nodes"])
    assert set(ALL_OPS) <= set(ops), set(ALL_OPS) - set(ops)
    reductions = [n.get("attrs", {}) for d in docs for n in d["nodes"]
                  if n["op"] in ("sum", "mean", "max", "min")]
    assert any(a.get("keepdims") for a in reductions)
    assert any(isinstance(a.get("axis"), list) for a in reductions)
    assert any(isinstance(a.get("axis"), int) for a in reductions)
    fed_twice = [(e["source"], e["target"]) for d in docs for e in d["edges"]]
    assert len(fed_twice) > len(set(fed_twice))      # a node feeding two ports of one node
