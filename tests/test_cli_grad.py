"""`python main.py grad FILE [--of NODE]`: JSON on stdout, or one line on stderr and exit 2."""
import json
import subprocess
import sys

import numpy as np
import pytest

from conftest import EXAMPLES, ROOT
from engine import Graph, save_graph
from graphs import build
from engine.cli.grad import main


def run_cli(*args):
    return subprocess.run([sys.executable, "main.py", "grad", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def one_line_error(capsys, argv):
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_chain_rule_through_main_py():
    result = run_cli(EXAMPLES / "chain_rule.json")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert set(data) == {"values", "grads"}
    ids = ["x", "x_squared", "one", "u", "y"]
    assert list(data["values"]) == ids and list(data["grads"]) == ids
    assert data["values"]["y"] == pytest.approx(3.25 ** 3)
    assert data["grads"]["x"] == pytest.approx(95.0625, rel=1e-15)
    assert data["grads"]["y"] == 1.0


def test_tensors_come_out_as_nested_lists(capsys):
    assert main([str(EXAMPLES / "softmax_classifier.json")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert np.array(data["values"]["X"]).shape == (4, 3)
    assert np.array(data["grads"]["W"]).shape == (3, 3)
    assert isinstance(data["values"]["loss"], float)


def test_of_replaces_the_loss_and_ignored_nodes_get_zeros(capsys):
    assert main([str(EXAMPLES / "two_paths.json"), "--of", "x"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["grads"]["t"] == pytest.approx(1.0)          # dx/dt = 2t at t = 0.5
    assert data["grads"]["y"] == 0.0 and data["grads"]["z"] == 0.0


def test_of_a_non_scalar_node_is_refused(capsys):
    line = one_line_error(capsys, [str(EXAMPLES / "softmax_classifier.json"), "--of", "logits"])
    assert "node 'logits': loss must be a scalar: add a sum or mean node" in line
    assert "(4, 3)" in line


def test_of_an_unknown_node_is_refused(capsys):
    line = one_line_error(capsys, [str(EXAMPLES / "chain_rule.json"), "--of", "nope"])
    assert "no node 'nope'" in line


def test_non_finite_value_names_the_node(tmp_path):
    g = build([("x", "input", 0.0), ("L", "log")], [("x", "L", 0)])
    save_graph(g, tmp_path / "log0.json")
    result = run_cli(tmp_path / "log0.json")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"backprop-studio grad: {tmp_path / 'log0.json'}: node 'L': "
        "log of a non-positive value produced -inf"]


def test_non_finite_gradient_is_refused(tmp_path, capsys):
    g = build([("x", "input", 0.0), ("r", "sqrt")], [("x", "r", 0)])
    save_graph(g, tmp_path / "sqrt0.json")
    line = one_line_error(capsys, [str(tmp_path / "sqrt0.json")])
    assert "node 'r': the gradient sqrt sends to 'x' is inf: the derivative of sqrt is inf here" in line


def test_bad_graph_names_the_node(tmp_path, capsys):
    g = build([("a", "input", 1.0), ("m", "mul")], [("a", "m", 0)])
    save_graph(g, tmp_path / "open.json")
    line = one_line_error(capsys, [str(tmp_path / "open.json")])
    assert line.endswith("node 'm': input 1 (b) of 'm' is not connected")


def test_several_sinks_are_named(tmp_path, capsys):
    g = Graph()
    g.add_node("a", "input", value=1.0)
    g.add_node("b", "input", value=2.0)
    save_graph(g, tmp_path / "two.json")
    assert "several sinks (a, b)" in one_line_error(capsys, [str(tmp_path / "two.json")])


def test_bad_file_is_one_line(tmp_path, capsys):
    (tmp_path / "bad.json").write_text('{"format": "backprop-studio-graph", "version": 1,')
    line = one_line_error(capsys, [str(tmp_path / "bad.json")])
    assert "bad.json: not valid JSON (line 1, column" in line
    assert "cannot read it" in one_line_error(capsys, [str(tmp_path / "missing.json")])


@pytest.mark.parametrize("argv", [[], ["a.json", "--wat"], ["a.json", "--of"]])
def test_usage_errors_are_one_line_and_exit_2(capsys, argv):
    line = one_line_error(capsys, argv)
    assert line.startswith("backprop-studio grad: ")


def test_usage_error_through_main_py():
    result = run_cli()
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_help_exits_0(capsys):
    assert main(["--help"]) == 0
    assert "--of" in capsys.readouterr().out


def test_grad_imports_no_qt():
    code = ("import sys, io, contextlib; from engine.cli.grad import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    main([{str(EXAMPLES / 'neuron.json')!r}])\n"
            "print(sorted(m.split('.')[0] for m in sys.modules "
            "if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'gui', 'scipy', 'matplotlib')))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
