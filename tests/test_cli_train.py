"""`main.py train`: JSON result, flags, --save, one-line errors, headless."""
import io
import json
import os
import subprocess
import sys
import textwrap

import pytest

import engine
from engine.cli.train import ProgressBar, main
from engine.training.trainer import Trainer
from tests.conftest import EXAMPLES, ROOT

XOR = str(EXAMPLES / "xor_mlp.json")
SINE = str(EXAMPLES / "sine_regression.json")


def run_cli(*args):
    return subprocess.run([sys.executable, "main.py", "train", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def last_json(stdout):
    return json.loads(stdout.strip().splitlines()[-1])


def test_xor_reaches_full_accuracy_through_main_py():
    result = run_cli(XOR, "--steps", "150")
    assert result.returncode == 0, result.stderr
    assert last_json(result.stdout)["accuracy"] == 1.0
    assert "step 150/150" in result.stderr and "loss" in result.stderr
    assert "Traceback" not in result.stderr


def test_uses_the_files_steps_and_never_loads_qt():
    code = textwrap.dedent(f"""
        import sys, io, contextlib
        import main
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            status = main.main(["train", {XOR!r}])
        print(out.getvalue().strip().splitlines()[-1])
        print(status, sorted(m for m in sys.modules
                             if m.startswith(("PySide6", "pyqtgraph", "gui"))))
    """)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    answer, modules = result.stdout.strip().splitlines()[-2:]
    assert json.loads(answer)["accuracy"] == 1.0 and json.loads(answer)["loss"] < 0.02
    assert modules == "0 []"


def test_flags_override_the_file(capsys):
    assert main([XOR, "--steps", "4", "--optimizer", "sgd", "--lr", "0.3",
                 "--batch-size", "16", "--seed", "7"]) == 0
    result = last_json(capsys.readouterr().out)
    trainer = Trainer(engine.load_graph(XOR), optimizer="sgd", lr=0.3, batch_size=16, seed=7)
    trainer.run(4)
    loss, acc = trainer.evaluate()
    assert result == {"loss": loss, "accuracy": acc, "test_loss": None, "test_accuracy": None}
    assert main([XOR, "--steps", "4"]) == 0
    assert last_json(capsys.readouterr().out)["loss"] != loss


def test_regression_prints_null_accuracy(capsys):
    assert main([SINE, "--steps", "20"]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip().splitlines()[-1].endswith(
        '"accuracy": null, "test_loss": null, "test_accuracy": null}')
    assert "step 20/20" in captured.err and len(captured.err.strip().splitlines()) == 1


def test_save_writes_the_trained_graph(tmp_path, capsys):
    out = tmp_path / "trained.json"
    assert main([XOR, "--steps", "100", "--save", str(out)]) == 0
    reported = last_json(capsys.readouterr().out)
    original, trained = engine.load_graph(XOR), engine.load_graph(out)
    assert trained.data == original.data and trained.training == original.training
    assert trained.extra["description"] == original.extra["description"]
    np = pytest.importorskip("numpy")
    assert not np.array_equal(trained.node("W1").value, original.node("W1").value)
    np.testing.assert_array_equal(trained.node("x").value, original.node("x").value)
    before, _ = Trainer(original).evaluate()
    after, acc = Trainer(trained).evaluate()
    assert after == pytest.approx(reported["loss"], rel=1e-12) and after < before / 10
    assert acc == 1.0


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return str(path)


def xor_dict():
    return json.loads((EXAMPLES / "xor_mlp.json").read_text())


def bad_cases(tmp_path):
    no_data = xor_dict()
    del no_data["data"]
    wrong_features = xor_dict()
    wrong_features["data"]["features"] = "W1"
    return {
        "missing file": ([str(tmp_path / "nope.json")], "nope.json"),
        "bad json": ([write(tmp_path, "bad.json", "{ nope")], "not valid JSON"),
        "no data": ([write(tmp_path, "nodata.json", no_data)], 'no "data" section'),
        "not an input": ([write(tmp_path, "w.json", wrong_features)],
                         "'W1': features must be an input node"),
        "unknown optimizer": ([XOR, "--optimizer", "rmsprop"], "invalid choice"),
        "negative steps": ([XOR, "--steps", "-1"], "--steps must be non-negative"),
        "bad lr": ([XOR, "--lr", "0"], "learning rate must be positive"),
        "no file": ([], "required: FILE"),
        "diverges": ([SINE, "--optimizer", "sgd", "--lr", "1e6", "--batch-size", "0",
                      "--steps", "100"], "try a smaller learning rate"),
        "unwritable save": ([XOR, "--steps", "1", "--save", str(tmp_path / "no" / "x.json")],
                            "cannot save"),
        "save onto a folder": ([XOR, "--steps", "1", "--save", str(tmp_path)], "cannot save"),
    }


@pytest.mark.parametrize("case", ["missing file", "bad json", "no data", "not an input",
                                  "unknown optimizer", "negative steps", "bad lr", "no file",
                                  "diverges", "unwritable save", "save onto a folder"])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, case):
    argv, message = bad_cases(tmp_path)[case]
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("backprop-studio train: ") and message in lines[0]
    assert captured.out == ""


def test_bad_input_through_main_py_has_no_traceback(tmp_path):
    result = run_cli(write(tmp_path, "bad.json", "[1, 2"))
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_help_exits_zero(capsys):
    assert main(["--help"]) == 0
    assert "--batch-size" in capsys.readouterr().out


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_redraws_in_place_on_a_terminal_and_clears_for_errors():
    stream = FakeTerminal()
    bar = ProgressBar(10, stream)
    bar.update(10, 0.5)
    assert stream.getvalue().startswith("\r[####################] step 10/10  loss 0.5")
    bar.clear()
    assert stream.getvalue().endswith("\r\033[K")
    plain = io.StringIO()
    quiet = ProgressBar(4, plain)
    quiet.update(2, 1.0)
    assert plain.getvalue() == ""
    quiet.finish(4, 0.25)
    assert plain.getvalue().startswith("[####################] step 4/4  final loss 0.25")
    assert os.linesep not in plain.getvalue()[:-1]
