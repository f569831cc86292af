"""`main.py new --data CSV ... --out FILE` and `main.py train FILE --data CSV --adapt`: the
JSON lines, the files they write, and one clear line with exit status 2 for what they refuse."""
import json
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

import engine
import main as main_py
from conftest import EXAMPLES, ROOT
from engine.cli.new import main as new_main
from engine.cli.train import main as train_main
from engine.networks.layers import recognize
from network_graphs import wine_like_csv


def last_json(text):
    return json.loads(text.strip().splitlines()[-1])


def one_error(capsys, prog):
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert captured.out == "" and len(lines) == 1 and "Traceback" not in captured.err
    assert lines[0].startswith(f"backprop-studio {prog}: "), lines
    return lines[0]


@pytest.fixture
def iris_csv(tmp_path):
    return shutil.copy(EXAMPLES / "iris.csv", tmp_path / "iris.csv")


def test_new_writes_a_network_that_train_then_trains(tmp_path, iris_csv, capsys):
    (tmp_path / "nets").mkdir()
    out = tmp_path / "nets" / "iris.json"
    assert new_main(["--data", str(iris_csv), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert last_json(captured.out) == {"nodes": 12, "parameters": 4, "weights": 131,
                                       "features": 4, "outputs": 3, "loss_op": "softmax_ce"}
    assert "a 4-16-3 network (tanh, 131 weights)" in captured.err
    doc = json.loads(out.read_text())
    assert doc["data"] == {"csv": "../iris.csv", "target": "species", "test_fraction": 0.0,
                           "standardize": True, "features": "x", "targets": "y",
                           "labels": ["setosa", "versicolor", "virginica"]}
    assert doc["training"] == {"optimizer": "adam", "lr": 0.01, "batch_size": 32,
                               "steps": 2000, "seed": 0}
    assert [n["id"] for n in doc["nodes"]] == ["x", "W1", "xW1", "b1", "z1", "h1", "W2",
                                               "h1W2", "b2", "logits", "y", "loss"]
    graph = engine.load_graph(out)
    assert graph.check() == {} and recognize(graph).widths == (4, 16, 3)
    moved = tmp_path / "moved"                     # the CSV and the file move together
    (moved / "nets").mkdir(parents=True)
    shutil.move(out, moved / "nets" / "iris.json")
    shutil.move(iris_csv, moved / "iris.csv")
    assert train_main([str(moved / "nets" / "iris.json"), "--steps", "300"]) == 0
    assert last_json(capsys.readouterr().out)["accuracy"] >= 0.95


def csv_file(tmp_path, name, header, rows):
    path = tmp_path / name
    path.write_text(header + "\n" + "\n".join(",".join(map(str, r)) for r in rows) + "\n")
    return path


@pytest.mark.parametrize("target, task, loss_op, outputs", [
    ("whole", None, "sigmoid_bce", 1),           # 2 whole numbers: classes
    ("grade", None, "softmax_ce", 5),            # 5 whole numbers: classes
    ("grade", "regress", "mse", 1),
    ("price", None, "mse", 1),                   # not whole: numbers
    ("price", "classify", "softmax_ce", 24),
    ("many", None, "mse", 1),                    # 24 distinct whole numbers: numbers
])
def test_the_target_chooses_the_loss(tmp_path, capsys, target, task, loss_op, outputs):
    rows = [(r, r % 3, r % 2, r % 5 + 1, r + 0.5, r * 7) for r in range(24)]
    path = csv_file(tmp_path, "t.csv", "a,b,whole,grade,price,many", rows)
    flags = ["--target", target] + (["--task", task] if task else [])
    assert new_main(["--data", str(path), *flags, "--out", str(tmp_path / "t.json")]) == 0
    result = last_json(capsys.readouterr().out)
    assert (result["loss_op"], result["outputs"], result["features"]) == (loss_op, outputs, 5)


def test_hidden_layers_activation_and_seed(tmp_path, iris_csv, capsys):
    def new(*flags):
        out = tmp_path / "n.json"
        assert new_main(["--data", str(iris_csv), "--out", str(out), *flags]) == 0
        return last_json(capsys.readouterr().out), json.loads(out.read_text())

    result, doc = new("--hidden", "8,4", "--activation", "relu", "--seed", "5",
                      "--test-fraction", "0.2")
    assert result == {"nodes": 17, "parameters": 6, "weights": 4 * 8 + 8 + 8 * 4 + 4 + 4 * 3
                      + 3, "features": 4, "outputs": 3, "loss_op": "softmax_ce"}
    assert {n["op"] for n in doc["nodes"] if n["id"] in ("h1", "h2")} == {"relu"}
    assert doc["data"]["test_fraction"] == 0.2 and doc["training"]["seed"] == 5
    assert new("--hidden", "8,4", "--activation", "relu", "--seed", "5",
               "--test-fraction", "0.2")[1] == doc
    assert new("--hidden", "8,4", "--activation", "relu", "--seed", "6",
               "--test-fraction", "0.2")[1]["nodes"][1] != doc["nodes"][1]
    assert new("--hidden", "none")[0]["nodes"] == 7


@pytest.mark.parametrize("case", ["one class", "no feature columns", "text to regress",
                                  "bad hidden", "no folder", "no csv", "no out", "fraction"])
def test_new_refuses_in_one_line_and_writes_nothing(tmp_path, capsys, case):
    one = csv_file(tmp_path, "one.csv", "a,b,k", [(1, 2, "owl"), (3, 4, "owl")])
    lone = csv_file(tmp_path, "lone.csv", "k", [(1,), (2,)])
    out = tmp_path / "n.json"
    argv, message = {
        "one class": (["--data", one], "one.csv: column 'k' has one class ('owl')"),
        "no feature columns": (["--data", lone], "lone.csv: no feature columns"),
        "text to regress": (["--data", one, "--task", "regress"], "holds text ('owl')"),
        "bad hidden": (["--data", one, "--hidden", "4,0"], "--hidden takes whole numbers"),
        "no folder": (["--data", one, "--out", tmp_path / "no" / "n.json"], "does not exist"),
        "no csv": (["--data", tmp_path / "gone.csv"], "gone.csv: cannot read the CSV"),
        "no out": (["--data", one, "--out"], "expected one argument"),
        "fraction": (["--data", one, "--test-fraction", "1"], "--test-fraction must be"),
    }[case]
    if "--out" not in argv:
        argv = [*argv, "--out", out]
    assert new_main([str(a) for a in argv]) == 2
    assert message in one_error(capsys, "new")
    assert not out.exists()


def test_train_adapt_resizes_iris_to_a_13_feature_csv(tmp_path, capsys):
    wine = wine_like_csv(tmp_path / "wine.csv")
    graph = shutil.copy(EXAMPLES / "iris_classifier.json", tmp_path / "iris.json")
    assert train_main([str(graph), "--data", str(wine)]) == 2
    line = one_error(capsys, "train")
    assert "13 feature columns" in line and "takes 4" in line and "--adapt" in line
    out = tmp_path / "wine_net.json"
    assert train_main([str(graph), "--data", str(wine), "--adapt", "--test-fraction", "0.25",
                       "--save", str(out)]) == 0
    captured = capsys.readouterr()
    result = last_json(captured.out)
    assert result["accuracy"] == 1.0 and result["test_accuracy"] == 1.0
    assert "adapted W1: (4, 8) → (13, 8), drawn afresh (xavier, seed 0)" in captured.err
    assert "adapted x: sample (6, 4) → (6, 13), rows of wine.csv" in captured.err
    saved = engine.load_graph(out)
    assert saved.check() == {} and recognize(saved).widths == (13, 8, 3)
    assert saved.data["csv"] == "wine.csv" and saved.data["target"] == "cultivar"
    assert train_main([str(out), "--steps", "0"]) == 0              # it trains as it is now
    assert last_json(capsys.readouterr().out)["test_accuracy"] == 1.0
    assert train_main([str(out), "--data", str(wine), "--adapt", "--steps", "0"]) == 0
    assert "already fits wine.csv (13 features, 3 outputs)" in capsys.readouterr().err
    assert train_main([str(graph), "--adapt"]) == 2
    assert "--adapt fits the graph to a CSV: pass --data CSV" in one_error(capsys, "train")


def test_new_and_train_run_headless_through_main_py(tmp_path, iris_csv):
    """One fresh interpreter: `new` then `train` through main.py, Qt never imported."""
    out = tmp_path / "n.json"
    code = textwrap.dedent(f"""
        import contextlib, io, json, sys
        import main
        runs = []
        for argv in ({json.dumps(["new", "--data", str(iris_csv), "--out", str(out)])},
                     {json.dumps(["train", str(out), "--steps", "20"])}):
            stdout = io.StringIO()
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(io.StringIO()):
                runs.append([main.main(argv), stdout.getvalue()])
        qt = sorted(m for m in sys.modules if m.startswith(("PySide6", "shiboken6")))
        print(json.dumps({{"runs": runs, "qt": qt}}))
    """)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY",
                                                            "QT_QPA_PLATFORM")}
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    assert [status for status, _ in report["runs"]] == [0, 0] and report["qt"] == []
    assert last_json(report["runs"][0][1])["loss_op"] == "softmax_ce"
    assert last_json(report["runs"][1][1])["accuracy"] is not None


def test_the_program_lists_new():
    assert "new" in main_py.__doc__
    from engine.cli import COMMANDS, usage
    assert "new" in COMMANDS and "new --data CSV --out FILE" in usage()


def test_network_for_csv_is_the_same_network_for_the_builder_dialog(tmp_path, iris_csv):
    """The API behind `new`: without a folder (an unsaved document) the CSV stays absolute."""
    from engine.networks.from_csv import network_for_csv
    built = network_for_csv(iris_csv, hidden=(5,), seed=2)
    assert built.graph.data["csv"] == str(iris_csv) and built.spec.widths == (4, 5, 3)
    assert built.summary == {"nodes": 12, "parameters": 4, "weights": 43, "features": 4,
                             "outputs": 3, "loss_op": "softmax_ce"}
    assert built.columns.target.labels == ("setosa", "versicolor", "virginica")
    # six sample rows, two of each species, standardised as training will standardise them
    y = built.graph.node("y").value
    assert y.shape == (6, 3) and (y.sum(axis=0) == 2).all()
    assert abs(built.graph.node("x").value).max() < 3
