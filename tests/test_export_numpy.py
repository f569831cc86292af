"""The numpy export computes exactly what the engine computes: every op case of test_ops.py,
names that are not Python identifiers, paths that meet, nodes off the loss, refusals.

The scripts are executed in this process (``exec``, not ``__main__``); tests/test_export_scripts.py
runs them as a user would, in subprocesses.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from engine import Graph, GraphError, Kind
from engine.export import read_program, to_numpy, to_pytorch
from engine.ops import OPS, normalize_attrs

sys.path.insert(0, str(Path(__file__).parent))
from test_ops import CASES, LEAVES, case_rng, make_inputs  # noqa: E402


def run_script(text: str) -> dict:
    """The script's namespace after running it as a module (``main`` not called)."""
    namespace = {"__name__": "exported"}
    exec(compile(text, "<exported>", "exec"), namespace)
    return namespace


def passes(text: str):
    """(values, grads) of the exported script's forward and backward with its own values."""
    ns = run_script(text)
    values = ns["forward"](dict(ns["VALUES"]))
    return values, ns["backward"](values)


def op_graph(name, attrs, shapes, domains) -> Graph:
    """in0, in1 → the op → × a random constant R → sum: every output element matters."""
    xs = make_inputs(name, normalize_attrs(name, attrs), shapes, domains)
    g = Graph()
    for i, x in enumerate(xs):
        g.add_node(f"in{i}", "input" if i == 0 else "parameter", value=x)
    g.add_node("op", name, attrs)
    for i in range(len(xs)):
        g.connect(f"in{i}", "op", i)
    out_shape = OPS[name].forward(xs, normalize_attrs(name, attrs)).shape
    g.add_node("R", "constant", value=case_rng(name, "R", shapes).standard_normal(out_shape))
    g.add_node("weighted", "mul")
    g.add_node("L", "sum")
    for s, t, p in [("op", "weighted", 0), ("R", "weighted", 1), ("weighted", "L", 0)]:
        g.connect(s, t, p)
    return g


@pytest.mark.parametrize("name, attrs, shapes, domains", CASES)
def test_every_op_case_is_bit_for_bit_the_engine(name, attrs, shapes, domains):
    g = op_graph(name, attrs, shapes, domains)
    values, grads = passes(to_numpy(g))
    engine_values, engine_grads = g.forward(), g.backward()
    for nid in g.node_ids():
        np.testing.assert_array_equal(values[nid], engine_values[nid], err_msg=nid)
        np.testing.assert_array_equal(grads[nid], engine_grads[nid], err_msg=nid)
        assert np.shape(grads[nid]) == engine_grads[nid].shape


@pytest.mark.parametrize("op", ["max", "min"])
@pytest.mark.parametrize("ties", ["split", "first"])
def test_tied_extremes_are_bit_for_bit_the_engine(op, ties):
    """The random cases have no ties; here every row and column has some."""
    g = Graph()
    g.add_node("x", "parameter", value=np.array([[1.0, 3.0, 3.0, 0.0], [3.0, 0.0, 1.0, 0.0]]))
    for nid, axis in [("all", None), ("rows", 1), ("cols", 0)]:
        g.add_node(nid, op, {"axis": axis, "ties": ties})
        g.connect("x", nid, 0)
    g.add_node("w", "constant", value=np.array([0.5, -1.5]))
    for nid, node_op, sources in [("rw", "mul", ("rows", "w")), ("cs", "sum", ("cols",)),
                                  ("s1", "add", ("all", "cs")), ("L", "add", ("s1", "rw"))]:
        g.add_node(nid, node_op, {"axis": None} if node_op == "sum" else None)
        for port, source in enumerate(sources):
            g.connect(source, nid, port)
    g.add_node("loss", "sum")
    g.connect("L", "loss", 0)
    text = to_numpy(g)
    assert ("first_extreme_grad" in text) == (ties == "first")
    assert ("def extreme_grad" in text) == (ties == "split")
    values, grads = passes(text)
    engine_grads = g.backward()
    np.testing.assert_array_equal(grads["x"], engine_grads["x"])


def test_paths_that_meet_add_up_in_the_engines_order():
    g = Graph()
    g.add_node("t", "input", value=np.array([0.5, -1.5]))
    for nid, op in [("sq", "mul"), ("e", "exp"), ("z", "mul"), ("L", "sum")]:
        g.add_node(nid, op)
    for s, t, p in [("t", "sq", 0), ("t", "sq", 1), ("t", "e", 0), ("sq", "z", 0), ("e", "z", 1),
                    ("z", "L", 0)]:
        g.connect(s, t, p)
    text = to_numpy(g)
    assert text.count("d_t = d_t + ") == 2          # three edges leave t: two additions
    values, grads = passes(text)
    np.testing.assert_array_equal(grads["t"], g.backward()["t"])
    program = read_program(g)
    steps = [(s.source, s.target, s.port) for s in g.trace.backward_steps]
    assert [(e.source, e.target, e.port) for e in program.backward] == steps


def test_ids_that_are_not_python_names_and_nodes_off_the_loss():
    g = Graph()
    odd = ["h 1", "class", "1x", "x.y", "d_x", "x", "naïve", "quote\"and\nnewline", "forward",
           "train"]
    for i, nid in enumerate(odd):
        g.add_node(nid, "parameter" if i % 2 else "input", value=float(i + 1))
    g.add_node("unused", "input", value=np.ones((2, 2)))
    total = odd[0]
    for i, nid in enumerate(odd[1:]):
        g.add_node(f"s{i}", "mul")
        g.connect(total, f"s{i}", 0)
        g.connect(nid, f"s{i}", 1)
        total = f"s{i}"
    g.loss = total
    for text in (to_numpy(g), to_pytorch(g)):
        compile(text, "<exported>", "exec")          # every name is valid Python
        assert "quote\\\"and\\nnewline" in text      # the id, escaped, never raw
    values, grads = passes(to_numpy(g))
    engine_grads = g.backward()
    for nid in g.node_ids():
        np.testing.assert_array_equal(grads[nid], engine_grads[nid], err_msg=nid)
    assert np.array_equal(grads["unused"], np.zeros((2, 2)))


def test_the_json_line_reports_inputs_and_parameters_in_file_order(capsys):
    g = Graph()
    g.add_node("w", "parameter", value=[[1.0, 2.0]])
    g.add_node("c", "constant", value=3.0)
    g.add_node("x", "input", value=[[0.5], [-1.0]])
    g.add_node("m", "matmul")
    g.add_node("s", "mul")
    for s, t, p in [("w", "m", 0), ("x", "m", 1), ("m", "s", 0), ("c", "s", 1)]:
        g.connect(s, t, p)
    ns = run_script(to_numpy(g))
    assert ns["main"]([]) == 0
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert list(line["grads"]) == ["w", "x"]
    assert line["loss"] == pytest.approx(-4.5)
    assert line["grads"] == {"w": [[1.5, -3.0]], "x": [[3.0], [6.0]]}


def test_a_parameter_without_value_is_initialised_as_the_engine_does():
    g = Graph()
    g.add_node("W", "parameter", {"init": "normal", "shape": [2, 3], "seed": 4})
    g.add_node("L", "sum")
    g.connect("W", "L", 0)
    values, _ = passes(to_numpy(g))
    np.testing.assert_array_equal(values["W"], g.fresh_value("W"))
    assert g.node("W").value is None                 # the exported graph is left unchanged


@pytest.mark.parametrize("edit, kind", [
    (lambda g: g.add_node("lone", "sum"), Kind.UNCONNECTED),
    (lambda g: g.set_value("a", np.ones(5)), Kind.SHAPE),
])
def test_a_graph_that_cannot_run_is_the_engines_error(edit, kind):
    g = Graph()
    g.add_node("a", "input", value=np.ones(3))
    g.add_node("b", "input", value=np.ones(3))
    g.add_node("m", "maximum")
    g.add_node("L", "sum")
    for s, t, p in [("a", "m", 0), ("b", "m", 1), ("m", "L", 0)]:
        g.connect(s, t, p)
    g.loss = "L"
    edit(g)
    for export in (to_numpy, to_pytorch):
        with pytest.raises(GraphError) as err:
            export(g)
        assert err.value.kind is kind


def test_a_data_section_the_trainer_refuses_leaves_the_reason_in_the_script(capsys):
    g = Graph()
    g.add_node("x", "input", value=np.ones((4, 2)))
    g.add_node("W", "parameter", value=np.ones((2, 1)))
    g.add_node("m", "matmul")
    g.add_node("L", "mean")
    for s, t, p in [("x", "m", 0), ("W", "m", 1), ("m", "L", 0)]:
        g.connect(s, t, p)
    g.extra["data"] = {"dataset": "xor", "features": "x", "targets": "nowhere"}
    program = read_program(g)
    assert program.training is None and "'nowhere' is not in the graph" in program.no_training
    ns = run_script(to_numpy(g))
    with pytest.raises(SystemExit) as done:
        ns["main"](["--train"])
    assert done.value.code == 2
    assert "cannot train:" in capsys.readouterr().err and "nowhere" in ns["NO_TRAINING"]


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_the_training_arithmetic_is_the_trainers_own_source(optimizer):
    """The script's update, minibatch order and accuracy are the very functions the Trainer
    runs (engine/training/rules.py, metrics.py), their source copied word for word: the two
    cannot drift apart. The PyTorch script takes the same minibatch order."""
    import inspect
    import textwrap

    from conftest import EXAMPLES
    from engine import load_graph
    from engine.training import metrics, rules
    from engine.training.trainer import Trainer
    graph = load_graph(EXAMPLES / "xor_mlp.json")
    graph.extra["training"] = {**graph.extra["training"], "optimizer": optimizer}
    trainer = Trainer(graph.copy())
    rule = type(trainer.optimizer).rule
    assert rule is rules.UPDATES[optimizer]
    numpy_text, torch_text = to_numpy(graph), to_pytorch(graph)
    for function in (rule, rules.next_batch, metrics.accuracy):
        assert textwrap.dedent(inspect.getsource(function)).strip() in numpy_text
    for function in (rules.next_batch, metrics.accuracy):
        assert textwrap.dedent(inspect.getsource(function)).strip() in torch_text
    assert f"new = {{p: {rule.__name__}(v[p], grads[p], state[p], **SETTINGS)" in numpy_text
