"""Acceptance: ``python main.py grad FILE [--of NODE]`` against an independent oracle.

Graphs are written as format-v1 JSON by ``graph_generator`` (which never imports engine) and
every node's value and gradient is compared with ``oracle`` (numpy + finite differences, and
PyTorch when installed) with np.allclose(rtol=1e-6, atol=1e-9). A few dozen graphs go through
real subprocesses (run two at a time); hundreds more go through ``main.main`` in-process.
"""
import collections
import contextlib
import io
import json
import sys
import threading

import numpy as np
import pytest

import main as main_py
from conftest import ROOT, run_process
from graph_generator import ALL_OPS, EXPONENTS, random_graph, scalar_nodes
from oracle import assert_matches, evaluate, fd_grads, torch_grads

SUBPROCESS_SEEDS = range(20)          # plus 4 --of runs below: 24 subprocesses in all
OF_RUNS = 4
INPROCESS_SEEDS = range(1000, 1160)
TORCH_SEEDS = range(2000, 2060)


def write(tmp_path, doc, name="graph.json"):
    path = tmp_path / name
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f)
    return path


def grad_inprocess(path, *args):
    """(exit status, stdout, stderr) of ``main.main(["grad", path, ...])``."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main_py.main(["grad", str(path), *map(str, args)])
    return status, out.getvalue(), err.getvalue()


def of_node(doc):
    """An intermediate scalar node other than the loss, or None."""
    values = evaluate(doc)
    loss = doc.get("loss")
    candidates = [n for n in scalar_nodes(doc, values) if n != loss]
    return candidates[len(candidates) // 2] if candidates else None


def subprocess_jobs():
    """(name, doc, extra args) for every subprocess run."""
    jobs = [(f"seed{s}", random_graph(s), ()) for s in SUBPROCESS_SEEDS]
    for s in range(100, 200):
        doc = random_graph(s)
        node = of_node(doc)
        if node is not None:
            jobs.append((f"seed{s}-of-{node}", doc, ("--of", node)))
        if len(jobs) == len(SUBPROCESS_SEEDS) + OF_RUNS:
            break
    return jobs


def run_main_py(path, *args):
    return run_process([sys.executable, "main.py", "grad", str(path), *map(str, args)],
                       cwd=ROOT, capture_output=True, text=True, timeout=60)


class BackgroundRuns:
    """``python main.py grad`` for every job, one process at a time on a background thread,
    so the subprocesses use the second core while the in-process tests use the first.
    A job that could not run there (the process failed to start) is run again in its test."""

    def __init__(self, folder):
        self.jobs = [(name, write(folder, doc, f"{name}.json"), args)
                     for name, doc, args in JOBS]
        self.paths = {name: (path, args) for name, path, args in self.jobs}
        self.results = {}
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        for name, path, args in self.jobs:
            try:
                proc = run_main_py(path, *args)
            except Exception:           # noqa: BLE001 - the test runs it again and reports
                continue
            self.results[name] = (proc.returncode, proc.stdout, proc.stderr)

    def result(self, name):
        self.thread.join(timeout=300)
        if name not in self.results:
            path, args = self.paths[name]
            proc = run_main_py(path, *args)
            self.results[name] = (proc.returncode, proc.stdout, proc.stderr)
        return self.results[name]


JOBS = subprocess_jobs()


@pytest.fixture(scope="module", autouse=True)
def background_runs(tmp_path_factory):
    """Started when the module's first test runs; the subprocess tests come last."""
    return BackgroundRuns(tmp_path_factory.mktemp("acceptance"))


@pytest.mark.parametrize("seed", INPROCESS_SEEDS)
def test_random_graph_in_process_matches_finite_differences(tmp_path, seed):
    doc = random_graph(seed)
    status, out, err = grad_inprocess(write(tmp_path, doc))
    assert status == 0 and err == "", err
    values, grads = fd_grads(doc)
    assert_matches(json.loads(out), values, grads, f"seed {seed}")
    of = of_node(doc)
    if of is not None and seed % 3 == 0:
        status, out, err = grad_inprocess(write(tmp_path, doc), "--of", of)
        assert status == 0, err
        values, grads = fd_grads(doc, of=of)
        assert_matches(json.loads(out), values, grads, f"seed {seed} --of {of}")


@pytest.mark.parametrize("seed", TORCH_SEEDS)
def test_random_graph_in_process_matches_torch(tmp_path, seed):
    pytest.importorskip("torch")
    doc = random_graph(seed)
    status, out, err = grad_inprocess(write(tmp_path, doc))
    assert status == 0 and err == "", err
    values, grads = torch_grads(doc)
    assert_matches(json.loads(out), values, grads, f"torch seed {seed}")


def test_the_generated_graphs_cover_every_op_and_feature():
    docs = [random_graph(s) for s in SUBPROCESS_SEEDS]
    ops = collections.Counter(n["op"] for d in docs for n in d["nodes"])
    assert all(ops[op] >= 4 for op in ALL_OPS), ops
    attrs = [(n["op"], n.get("attrs", {})) for d in docs + [random_graph(s) for s in
                                                           INPROCESS_SEEDS] for n in d["nodes"]]
    exponents = {a.get("exponent", 2.0) for op, a in attrs if op == "pow"}
    assert set(map(float, EXPONENTS)) <= exponents
    axes = [a.get("axis") for op, a in attrs if op in ("sum", "mean")]
    assert any(isinstance(x, int) and x < 0 for x in axes)
    assert any(isinstance(x, list) and len(x) > 1 for x in axes)
    assert any(a.get("keepdims") for op, a in attrs if op in ("sum", "mean"))
    assert {a.get("axis", -1) for op, a in attrs if op == "softmax"} == {0, -1}
    assert any(e1["source"] == e2["source"] and e1["target"] == e2["target"]
               for d in docs for e1 in d["edges"] for e2 in d["edges"] if e1 is not e2)
    assert any("loss" not in d for d in docs) and any("loss" in d for d in docs)


# ---------------------------------------------------------------------------- hand-written
def graph(nodes, edges, loss=None, **top):
    """A format-v1 dict; edges as (source, target, port)."""
    doc = {"format": "backprop-studio-graph", "version": 1, "nodes": nodes,
           "edges": [{"source": s, "target": t, "port": p} for s, t, p in edges], **top}
    if loss is not None:
        doc["loss"] = loss
    return doc


def node(nid, op, value=None, **attrs):
    entry = {"id": nid, "op": op, "attrs": attrs}
    if value is not None:
        entry["value"] = value
    return entry


def summed(x_nodes, ops, weight=None):
    """x → op (one node per op, attrs given) → (× weight) → sum → one loss added up."""
    nodes, edges, parts = list(x_nodes), [], []
    for i, (op, attrs) in enumerate(ops):
        nodes.append(node(f"{op}{i}", op, **attrs))
        edges.append(("x", f"{op}{i}", 0))
        last = f"{op}{i}"
        if weight is not None:
            nodes.append(node(f"w{i}", "mul"))
            edges += [(last, f"w{i}", 0), ("wt", f"w{i}", 1)]
            last = f"w{i}"
        nodes.append(node(f"s{i}", "sum"))
        edges.append((last, f"s{i}", 0))
        parts.append(f"s{i}")
    total = parts[0]
    for i, p in enumerate(parts[1:]):
        nodes.append(node(f"t{i}", "add"))
        edges += [(total, f"t{i}", 0), (p, f"t{i}", 1)]
        total = f"t{i}"
    return graph(nodes, edges, loss=total)


X3 = [[[0.3, -1.2], [0.7, 0.4], [-0.5, 1.1]], [[1.3, 0.2], [-0.8, 0.6], [0.9, -0.35]]]
HAND = {
    "broadcasting": graph(
        [node("a", "input", [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]), node("b", "parameter", [0.3, -0.6, 1.2]),
         node("c", "constant", [[2.0], [-3.0]]), node("d", "input", 0.7), node("e", "input", [1.1]),
         node("add", "add"), node("mul", "mul"), node("sub", "sub"), node("div", "div"),
         node("L", "mean")],
        [("a", "add", 0), ("b", "add", 1), ("add", "mul", 0), ("c", "mul", 1), ("d", "sub", 0),
         ("mul", "sub", 1), ("sub", "div", 0), ("e", "div", 1), ("div", "L", 0)], loss="L"),
    "reductions": summed(
        [node("x", "input", X3), node("wt", "constant", 1.7)],
        [("sum", {"axis": [-1, 0], "keepdims": True}), ("mean", {"axis": -2}),
         ("sum", {"axis": 1, "keepdims": False}), ("mean", {"axis": [0, 2], "keepdims": True}),
         ("mean", {"axis": None, "keepdims": True}), ("sum", {})]),
    "softmax_both_axes": summed(
        [node("x", "input", [[0.3, -1.2, 0.5], [0.7, 0.4, -2.0]]),
         node("wt", "constant", [[1.0, -2.0, 0.5], [3.0, 0.25, -1.0]])],
        [("softmax", {"axis": 0}), ("softmax", {"axis": -1}), ("softmax", {}), ("softmax", {"axis": 1})],
        weight=True),
    "softmax_1d": summed([node("x", "input", [0.3, -1.2, 0.5]), node("wt", "constant", [1.0, -2.0, 0.5])],
                         [("softmax", {"axis": 0}), ("softmax", {"axis": -1})], weight=True),
    "losses": graph(
        [node("p", "input", [[0.3, -1.2], [2.0, 0.1]]), node("y", "input", [[0.5, 0.2], [-1.0, 0.4]]),
         node("z", "parameter", [[-4.0, 0.3, 2.5], [0.7, -0.2, 30.0]]),
         node("t", "constant", [[0.2, 0.9, 0.4], [1.0, 0.0, 0.5]]),
         node("q", "input", [[0.1, 0.6, 0.3], [0.5, 0.25, 0.5]]),
         node("mse", "mse"), node("bce", "sigmoid_bce"), node("ce", "softmax_ce"),
         node("a1", "add"), node("a2", "add")],
        [("p", "mse", 0), ("y", "mse", 1), ("z", "bce", 0), ("t", "bce", 1), ("z", "ce", 0),
         ("q", "ce", 1), ("mse", "a1", 0), ("bce", "a1", 1), ("a1", "a2", 0), ("ce", "a2", 1)]),
    "softmax_ce_1d_and_3d": graph(
        [node("z", "input", [0.5, -1.0, 2.0]), node("y", "input", [0.2, 0.3, 0.5]),
         node("Z", "input", X3), node("Y", "input", [[[0.3, 0.7]] * 3, [[0.9, 0.1]] * 3]),
         node("c1", "softmax_ce"), node("c2", "softmax_ce"), node("L", "sub")],
        [("z", "c1", 0), ("y", "c1", 1), ("Z", "c2", 0), ("Y", "c2", 1), ("c1", "L", 0),
         ("c2", "L", 1)]),
    "pow_exponents": summed(
        [node("x", "input", [[0.4, 1.3], [2.2, 0.9]])],
        [("pow", {"exponent": e}) for e in (2, 3, -1, -2, 0.5, 1.5, -0.5, 0.25, 1, 0)]
        + [("pow", {})]),
    "pow_integer_exponents_on_negatives": summed(
        [node("x", "input", [-0.7, -2.0, 1.5])], [("pow", {"exponent": e}) for e in (2, 3, -1, -2)]),
    "reuse": graph(
        [node("x", "input", [0.6, -1.3]), node("xx", "mul"), node("e", "exp"), node("s", "add"),
         node("x2", "add"), node("t", "tanh"), node("m", "mul"), node("L", "sum")],
        [("x", "xx", 0), ("x", "xx", 1), ("x", "e", 0), ("xx", "s", 0), ("e", "s", 1),
         ("x", "x2", 0), ("x", "x2", 1), ("x2", "t", 0), ("s", "m", 0), ("t", "m", 1),
         ("m", "L", 0)]),
    "matmul_ranks": graph(
        [node("v", "input", [0.5, -1.0, 2.0]), node("w", "input", [1.5, 0.25, -0.75]),
         node("M", "parameter", [[0.3, -0.6], [1.2, 0.4], [-0.9, 0.8]]),
         node("N", "parameter", [[0.2, 0.7, -0.1], [0.5, -0.3, 0.6]]),
         node("vw", "matmul"), node("vM", "matmul"), node("Nv", "matmul"), node("MN", "matmul"),
         node("MT", "transpose"), node("vT", "transpose"), node("s1", "sum"), node("s2", "sum"),
         node("s3", "sum"), node("s4", "sum"), node("a1", "add"), node("a2", "mul"), node("a3", "sub"),
         node("a4", "add")],
        [("v", "vw", 0), ("w", "vw", 1), ("v", "vM", 0), ("M", "vM", 1), ("N", "Nv", 0),
         ("v", "Nv", 1), ("M", "MN", 0), ("N", "MN", 1), ("MN", "MT", 0), ("v", "vT", 0),
         ("vM", "s1", 0), ("Nv", "s2", 0), ("MT", "s3", 0), ("vT", "s4", 0), ("vw", "a1", 0),
         ("s1", "a1", 1), ("a1", "a2", 0), ("s2", "a2", 1), ("a2", "a3", 0), ("s3", "a3", 1),
         ("a3", "a4", 0), ("s4", "a4", 1)]),
    "activations": summed(
        [node("x", "input", [[0.3, -1.2, 0.5], [1.7, -0.4, -2.0]])],
        [(op, {}) for op in ("neg", "exp", "abs", "tanh", "sigmoid", "relu", "leaky_relu")]
        + [("leaky_relu", {"slope": 0.3}), ("transpose", {})]),
    "positive_domain": summed([node("x", "input", [0.3, 1.2, 4.5])], [("log", {}), ("sqrt", {})]),
    "math_and_extremes": summed(
        [node("x", "input", [[0.3, -1.2, 0.5], [1.7, -0.4, -2.0]]),
         node("wt", "constant", [[1.0, -2.0, 0.5], [3.0, 0.25, -1.0]])],
        [(op, {}) for op in ("sin", "cos", "square", "reciprocal")]
        + [("max", {"axis": 1}), ("min", {"axis": 0, "keepdims": True}), ("max", {}),
           ("min", {"axis": [-1, 0]}), ("reshape", {"shape": [3, -1]}), ("reshape", {"shape": [6]})]),
    "maximum_and_concat": graph(
        [node("a", "input", [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]), node("b", "parameter", [0.3, -0.6, 1.2]),
         node("mx", "maximum"), node("mn", "minimum"), node("cat", "concat", axis=0),
         node("cat2", "concat", axis=-1), node("w", "constant", [[1.0, 2.0, -1.0]] * 4),
         node("m", "mul"), node("r", "reshape", shape=[2, 2, -1]), node("L", "sum"),
         node("s2", "mean"), node("T", "add")],
        [("a", "mx", 0), ("b", "mx", 1), ("b", "mn", 0), ("a", "mn", 1), ("mx", "cat", 0),
         ("mn", "cat", 1), ("cat", "m", 0), ("w", "m", 1), ("m", "r", 0), ("r", "L", 0),
         ("a", "cat2", 0), ("mn", "cat2", 1), ("cat2", "s2", 0), ("L", "T", 0), ("s2", "T", 1)],
        loss="T"),
}


@pytest.mark.parametrize("name", sorted(HAND))
def test_hand_written_features_match_finite_differences(tmp_path, name):
    status, out, err = grad_inprocess(write(tmp_path, HAND[name]))
    assert status == 0 and err == "", err
    values, grads = fd_grads(HAND[name])
    assert_matches(json.loads(out), values, grads, name)


@pytest.mark.parametrize("name", sorted(HAND))
def test_hand_written_features_match_torch(tmp_path, name):
    pytest.importorskip("torch")
    status, out, err = grad_inprocess(write(tmp_path, HAND[name]))
    assert status == 0, err
    values, grads = torch_grads(HAND[name])
    assert_matches(json.loads(out), values, grads, name)


# ---------------------------------------------------------------------------- pinned behaviours


def one_error_line(status, out, err):
    assert status == 2 and out == ""
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_a_json_number_is_0d_and_a_one_element_list_has_shape_1(tmp_path):
    doc = graph([node("s", "input", 3.0), node("v", "input", [2.0]), node("m", "mul"),
                 node("L", "sum")], [("s", "m", 0), ("v", "m", 1), ("m", "L", 0)])
    status, out, err = grad_inprocess(write(tmp_path, doc))
    data = json.loads(out)
    assert data["values"]["s"] == 3.0 and data["grads"]["s"] == 2.0      # 0-d: plain numbers
    assert data["values"]["v"] == [2.0] and data["grads"]["v"] == [3.0]  # shape (1,)
    assert data["values"]["m"] == [6.0] and data["values"]["L"] == 6.0


def test_every_node_in_both_maps_in_file_order_and_zeros_off_the_loss(tmp_path):
    doc = graph([node("x", "input", [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]),
                 node("unused", "parameter", [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]),
                 node("side", "tanh"), node("side_sum", "mean", axis=0), node("sq", "mul"),
                 node("L", "sum"), node("lone", "constant", 4.0)],
                [("x", "side", 0), ("side", "side_sum", 0), ("x", "sq", 0), ("x", "sq", 1),
                 ("sq", "L", 0)], loss="L")
    status, out, err = grad_inprocess(write(tmp_path, doc))
    assert status == 0, err
    data = json.loads(out)
    ids = [n["id"] for n in doc["nodes"]]
    assert list(data["values"]) == ids and list(data["grads"]) == ids
    assert data["grads"]["unused"] == [[0.0, 0.0]] * 3
    assert data["grads"]["side"] == [[0.0] * 3] * 2 and data["grads"]["side_sum"] == [0.0] * 3
    assert data["grads"]["lone"] == 0.0
    assert np.allclose(data["grads"]["x"], 2 * np.array(doc["nodes"][0]["value"]))


KINKS = summed([node("x", "input", [0.0, 1.0, -1.0])],
               [("relu", {}), ("abs", {}), ("leaky_relu", {"slope": 0.2}), ("leaky_relu", {})])


def test_derivatives_at_kinks_are_pinned(tmp_path):
    data = json.loads(grad_inprocess(write(tmp_path, KINKS))[1])
    assert data["grads"]["x"] == pytest.approx([0.2 + 0.01, 4.0, -0.79], abs=1e-15)


def test_derivatives_at_kinks_follow_pytorch(tmp_path):
    torch = pytest.importorskip("torch")
    data = json.loads(grad_inprocess(write(tmp_path, KINKS))[1])
    x = torch.tensor([0.0, 1.0, -1.0], dtype=torch.float64, requires_grad=True)
    F = torch.nn.functional
    (torch.relu(x) + x.abs() + F.leaky_relu(x, 0.2) + F.leaky_relu(x, 0.01)).sum().backward()
    assert data["grads"]["x"] == pytest.approx(x.grad.tolist(), abs=1e-15)


def test_a_one_element_loss_of_any_rank_is_seeded_with_ones(tmp_path):
    doc = graph([node("x", "input", [[0.5, 2.0]]), node("w", "input", [[3.0], [-1.0]]),
                 node("y", "matmul")], [("x", "y", 0), ("w", "y", 1)])
    data = json.loads(grad_inprocess(write(tmp_path, doc))[1])
    assert data["values"]["y"] == [[-0.5]] and data["grads"]["y"] == [[1.0]]
    assert data["grads"]["x"] == [[3.0, -1.0]] and data["grads"]["w"] == [[0.5], [2.0]]


def test_extreme_logits_stay_finite_and_exact(tmp_path):
    doc = graph([node("z", "input", [[1000.0, -1000.0, 0.0]]), node("y", "input", [[0.2, 0.3, 0.5]]),
                 node("ce", "softmax_ce"), node("bce", "sigmoid_bce"), node("L", "add")],
                [("z", "ce", 0), ("y", "ce", 1), ("z", "bce", 0), ("y", "bce", 1),
                 ("ce", "L", 0), ("bce", "L", 1)])
    status, out, err = grad_inprocess(write(tmp_path, doc))
    assert status == 0, err
    data = json.loads(out)
    bce = (1000 * 0.8 + 1000 * 0.3 + np.log(2)) / 3
    assert data["values"]["ce"] == pytest.approx(0.3 * 2000 + 0.5 * 1000, rel=1e-12)
    assert data["values"]["bce"] == pytest.approx(bce, rel=1e-12)
    sig = np.array([1.0, 0.0, 0.5])
    assert np.allclose(data["grads"]["z"], [[1, 0, 0] - np.array([0.2, 0.3, 0.5])
                                            + (sig - [0.2, 0.3, 0.5]) / 3], rtol=1e-12)


def test_of_an_intermediate_scalar_replaces_the_loss_through_main_py(tmp_path):
    doc = HAND["losses"]
    result = run_main_py(write(tmp_path, doc), "--of", "bce")
    assert result.returncode == 0, result.stderr
    values, grads = fd_grads(doc, of="bce")
    assert_matches(json.loads(result.stdout), values, grads, "--of bce")
    data = json.loads(result.stdout)
    assert data["grads"]["p"] == [[0.0, 0.0]] * 2 and data["grads"]["mse"] == 0.0


def test_of_a_non_scalar_node_exits_2_with_one_line(tmp_path):
    result = run_main_py(write(tmp_path, HAND["losses"]), "--of", "z")
    line = one_error_line(result.returncode, result.stdout, result.stderr)
    assert "'z'" in line and "scalar" in line and "(2, 3)" in line


def test_a_value_that_is_not_finite_exits_2_naming_the_node(tmp_path):
    doc = graph([node("c", "constant", [2.0, -3.0]), node("logc", "log"), node("L", "sum")],
                [("c", "logc", 0), ("logc", "L", 0)])
    result = run_main_py(write(tmp_path, doc))
    line = one_error_line(result.returncode, result.stdout, result.stderr)
    assert "'logc'" in line


@pytest.mark.parametrize("nodes, edges, culprit", [
    ([node("x", "input", -2.0), node("r", "pow", exponent=0.5)], [("x", "r", 0)], "'r'"),
    ([node("x", "input", [0.0, 1.0]), node("r", "sqrt"), node("L", "sum")],
     [("x", "r", 0), ("r", "L", 0)], "'r'"),                  # forward fine, d/dx = inf
    ([node("x", "input", 800.0), node("e", "exp")], [("x", "e", 0)], "'e'"),
    ([node("x", "input", 0.0), node("d", "pow", exponent=-1)], [("x", "d", 0)], "'d'"),
])
def test_more_non_finite_values_exit_2_naming_the_node(tmp_path, nodes, edges, culprit):
    line = one_error_line(*grad_inprocess(write(tmp_path, graph(nodes, edges))))
    assert culprit in line


def test_several_sinks_and_no_loss_is_an_error_naming_them(tmp_path):
    doc = graph([node("x", "input", [1.0, 2.0]), node("first_sink", "sum"),
                 node("second_sink", "mean")], [("x", "first_sink", 0), ("x", "second_sink", 0)])
    result = run_main_py(write(tmp_path, doc))
    line = one_error_line(result.returncode, result.stdout, result.stderr)
    assert "first_sink" in line and "second_sink" in line


# ---------------------------------------------------------------------------- last: subprocess runs
@pytest.mark.parametrize("name, doc, args", JOBS, ids=[j[0] for j in JOBS])
def test_random_graph_through_main_py_matches_finite_differences(background_runs, name, doc,
                                                                 args):
    status, out, err = background_runs.result(name)
    assert status == 0 and err == "", err
    of = args[1] if args else None
    values, grads = fd_grads(doc, of=of)
    assert_matches(json.loads(out), values, grads, name)
