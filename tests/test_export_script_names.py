"""An exported script names itself right: its usage text (``--help``) shows the file's own
name, read at run time — not the graph's name, never ``.py.py`` — and still does after the
file is renamed; ``--train`` is offered only by a script that can train. Exports go through
``main.main`` as a user types them; the scripts run in subprocesses. (The GUI's File ▸ Export
path is tested in tests/test_gui_export_menu.py.)"""
from __future__ import annotations

import contextlib
import io
import json
import sys

import pytest

import main as main_py
from conftest import EXAMPLES, run_process

# x → square → add(·, c) → pow 3: no data section, so nothing to train on
NO_DATA = {
    "format": "backprop-studio-graph", "version": 1,
    "nodes": [{"id": "x", "op": "input", "value": 2.0},
              {"id": "square1", "op": "square"},
              {"id": "c", "op": "constant", "value": 1.0},
              {"id": "add1", "op": "add"},
              {"id": "pow1", "op": "pow", "attrs": {"exponent": 3.0}}],
    "edges": [{"source": "x", "target": "square1", "port": 0},
              {"source": "square1", "target": "add1", "port": 0},
              {"source": "c", "target": "add1", "port": 1},
              {"source": "add1", "target": "pow1", "port": 0}],
}


def export(graph_path, kind, out) -> None:
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        status = main_py.main(["export", str(graph_path), "--to", kind, "--out", str(out)])
    assert status == 0, stderr.getvalue()


def run(script, *args):
    done = run_process([sys.executable, str(script), *args], capture_output=True, text=True,
                       timeout=120, cwd=script.parent)
    return done.returncode, done.stdout, done.stderr


def assert_names_itself(script, help_text: str, graph_stem: str) -> None:
    name = script.name
    assert f"usage: {name} " in help_text, help_text
    assert f"python {name}\n" in help_text or f"python {name} [" in help_text, help_text
    assert ".py.py" not in help_text
    assert f"python {graph_stem}.py" not in help_text      # the graph's name is not the script's


def kinds():
    """numpy always; pytorch where torch is installed (its script imports torch at once)."""
    return ["numpy", pytest.param("pytorch", marks=pytest.mark.skipif(
        __import__("importlib").util.find_spec("torch") is None, reason="torch not installed"))]


@pytest.mark.parametrize("kind", kinds())
def test_a_script_without_data_names_itself_and_does_not_offer_to_train(kind, tmp_path):
    graph = tmp_path / "mine.json"
    graph.write_text(json.dumps(NO_DATA))
    script = tmp_path / "cli_mine.py"
    export(graph, kind, script)
    status, help_text, err = run(script, "--help")
    assert status == 0, err
    assert_names_itself(script, help_text, "mine")
    assert "--train" not in help_text and "--steps" not in help_text
    assert "This script cannot train: the graph has no \"data\" section" in help_text
    assert "mine.json" in help_text                      # the graph it came from is named
    # asked anyway, it refuses in one line that names the script
    status, out, err = run(script, "--train")
    assert status == 2 and out == ""
    assert err.strip() == ("cli_mine.py: cannot train: the graph has no \"data\" section to "
                           "train on")
    # and its gradients are the chain rule's: d(x²+1)³/dx = 6x(x²+1)² = 300 at x = 2
    status, out, err = run(script)
    assert status == 0, err
    assert json.loads(out.strip().splitlines()[-1]) == {"loss": 125.0, "grads": {"x": 300.0}}


@pytest.mark.parametrize("kind", kinds())
def test_a_renamed_script_names_its_new_self(kind, tmp_path):
    script = tmp_path / "xor.py"
    export(EXAMPLES / "xor_mlp.json", kind, script)
    renamed = script.rename(tmp_path / "my xor model.py")
    status, help_text, err = run(renamed, "--help")
    assert status == 0, err
    assert_names_itself(renamed, help_text, "xor_mlp")
    assert "xor.py" not in help_text
    # a graph with data offers --train, with the script's own name
    assert f"python {renamed.name} --train [--steps N] [--seed S]" in help_text
    assert "--train" in help_text.split("options:")[1]
    assert "cannot train" not in help_text


def test_the_file_itself_holds_no_script_name(tmp_path):
    """The name is read at run time: the file's text never spells a script name of its own."""
    graph = tmp_path / "mine.json"
    graph.write_text(json.dumps(NO_DATA))
    script = tmp_path / "cli_mine.py"
    export(graph, "numpy", script)
    text = script.read_text()
    assert "cli_mine" not in text and "mine.py" not in text
    assert "python <this file>" in text and "--train" not in text.split('"""')[1]
