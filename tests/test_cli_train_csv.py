"""`main.py train FILE --data CSV ...`: the user's own data through the command line."""
import hashlib
import json

import numpy as np
import pytest

import engine
from engine.cli.train import main
from engine.training.trainer import Trainer
from tests.conftest import EXAMPLES

XOR = EXAMPLES / "xor_mlp.json"
IRIS = EXAMPLES / "iris_classifier.json"
FRUIT = EXAMPLES / "fruit_classifier.json"
KEYS = ["loss", "accuracy", "test_loss", "test_accuracy"]


def last_json(text):
    return json.loads(text.strip().splitlines()[-1])


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def softmax_graph(tmp_path, classes=3, features=2, data=None):
    """The spiral classifier's shape with `features` inputs and `classes` outputs."""
    doc = json.loads((EXAMPLES / "spiral_classifier.json").read_text())
    nodes = {n["id"]: n for n in doc["nodes"]}
    nodes["x"]["value"] = [[0.0] * features]
    nodes["y"]["value"] = [[1.0] + [0.0] * (classes - 1)]
    nodes["W1"].update(value=None, attrs={"init": "xavier", "shape": [features, 8], "seed": 0})
    nodes["b1"].update(value=[0.0] * 8, attrs={"init": "zeros", "shape": [8], "seed": 0})
    nodes["W2"].update(value=None, attrs={"init": "xavier", "shape": [8, classes], "seed": 1})
    nodes["b2"].update(value=[0.0] * classes, attrs={"init": "zeros", "shape": [classes],
                                                     "seed": 0})
    for node in nodes.values():
        if node.get("value") is None:
            node.pop("value", None)
    doc["data"] = data if data is not None else {"features": "x", "targets": "y"}
    doc["training"] = {"optimizer": "adam", "lr": 0.05, "batch_size": 16, "steps": 200,
                       "seed": 0}
    path = tmp_path / "model.json"
    path.write_text(json.dumps(doc))
    return path


def text_label_csv(tmp_path, name="animals.csv"):
    """Two well separated blobs per class, labels as words."""
    rng = np.random.default_rng(0)
    centers = {"owl": (0.0, 3.0), "cat": (3.0, 0.0), "bee": (-3.0, -3.0)}
    lines = ["size,speed,animal"]
    for _ in range(30):
        for label, (cx, cy) in centers.items():
            x, y = rng.normal((cx, cy), 0.5)
            lines.append(f"{100 + 10 * x:.3f},{y:.3f},{label}")
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def test_text_labels_train_a_softmax_classifier(tmp_path, capsys):
    graph = softmax_graph(tmp_path)
    csv = text_label_csv(tmp_path)
    assert main([str(graph), "--data", str(csv), "--test-fraction", "0.2"]) == 0
    result = last_json(capsys.readouterr().out)
    assert list(result) == KEYS
    assert result["accuracy"] == 1.0 and result["test_accuracy"] == 1.0


@pytest.mark.parametrize("example", [FRUIT, IRIS], ids=["fruits", "iris"])
def test_the_csv_examples_train_from_their_data_section(example, capsys):
    before = digest(example)
    assert main([str(example)]) == 0
    result = last_json(capsys.readouterr().out)
    assert result["accuracy"] >= 0.95 and result["test_accuracy"] >= 0.9
    assert digest(example) == before                # the graph file is never written


def test_iris_through_data_flags(tmp_path, capsys):
    graph = softmax_graph(tmp_path, classes=3, features=4)
    assert main([str(graph), "--data", str(EXAMPLES / "iris.csv"), "--target", "species",
                 "--steps", "300", "--test-fraction", "0.2"]) == 0
    result = last_json(capsys.readouterr().out)
    assert result["accuracy"] > 0.95 and result["test_accuracy"] > 0.9


def test_save_records_the_data_and_retrains_without_data_flags(tmp_path, capsys):
    graph = softmax_graph(tmp_path)
    csv = text_label_csv(tmp_path)
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "trained.json"
    before = digest(graph)
    assert main([str(graph), "--data", str(csv), "--test-fraction", "0.25", "--steps", "50",
                 "--seed", "3", "--save", str(out)]) == 0
    first = last_json(capsys.readouterr().out)
    assert digest(graph) == before
    data = json.loads(out.read_text())["data"]
    assert data["csv"] == "../animals.csv" and data["target"] == "animal"
    assert data["test_fraction"] == 0.25 and data["labels"] == ["bee", "cat", "owl"]
    assert (data["features"], data["targets"]) == ("x", "y")
    trainer = Trainer(engine.load_graph(graph), data={"csv": str(csv), "test_fraction": 0.25,
                                                      "features": "x", "targets": "y"}, seed=3)
    assert data["standardize"] == {"mean": trainer.standardization.mean.tolist(),
                                   "std": trainer.standardization.std.tolist()}
    # the saved model, evaluated from its own data section, gives the numbers printed
    saved = Trainer(engine.load_graph(out), folder=out.parent, seed=3)
    assert saved.metrics() == pytest.approx(first, rel=1e-12)
    assert main([str(out), "--steps", "0", "--seed", "3"]) == 0
    assert last_json(capsys.readouterr().out) == pytest.approx(first, rel=1e-12)


def test_no_standardize_feeds_the_numbers_as_they_are(tmp_path, capsys):
    graph = softmax_graph(tmp_path)
    csv = text_label_csv(tmp_path)
    out = tmp_path / "raw.json"
    assert main([str(graph), "--data", str(csv), "--no-standardize", "--steps", "1",
                 "--save", str(out)]) == 0
    assert json.loads(out.read_text())["data"]["standardize"] is False
    trainer = Trainer(engine.load_graph(out), folder=tmp_path)
    assert trainer.standardization is None and trainer.dataset.X[:, 0].mean() > 50


def test_without_data_the_four_keys_are_there_too(capsys):
    assert main([str(XOR), "--steps", "50", "--test-fraction", "0.2"]) == 0
    result = last_json(capsys.readouterr().out)
    assert list(result) == KEYS and result["test_accuracy"] is not None


def test_features_and_targets_flags_choose_the_nodes(tmp_path, capsys):
    graph = softmax_graph(tmp_path, data={})
    csv = text_label_csv(tmp_path)
    assert main([str(graph), "--data", str(csv), "--steps", "1"]) == 2
    assert "no 'features' and 'targets' input node" in capsys.readouterr().err
    assert main([str(graph), "--data", str(csv), "--steps", "1", "--features", "x",
                 "--targets", "y"]) == 0


def bad_csvs(tmp_path):
    def csv(name, text):
        path = tmp_path / name
        path.write_text(text)
        return str(path)
    good_rows = "1,2,owl\n3,4,cat\n5,6,bee\n"
    return {
        "missing value": ([csv("m.csv", "a,b,k\n" + good_rows + "7,,owl\n")],
                          "m.csv, line 5, column 'b': missing value"),
        "text in a feature": ([csv("t.csv", "a,b,k\n" + good_rows + "7,fast,owl\n")],
                              "t.csv, line 5, column 'b': 'fast' is not a number"),
        "unknown target": ([csv("u.csv", "a,b,k\n" + good_rows), "--target", "kind"],
                           "u.csv: no column named 'kind' (columns: a, b, k)"),
        "column count": ([csv("c.csv", "a,b,c,k\n1,2,3,owl\n")],
                         "c.csv: 3 feature columns (a, b, c) but the features node 'x' takes 2"),
        "header, no rows": ([csv("h.csv", "a,b,k\n")],
                            "h.csv: the file has a header but no data rows"),
        "missing file": ([str(tmp_path / "gone.csv")], "gone.csv: cannot read the CSV: no such "
                         "file"),
        "class count": ([csv("k.csv", "a,b,k\n1,2,owl\n3,4,cat\n")],
                        "k.csv: column 'k' has 2 classes (cat, owl) but the targets node 'y' "
                        "takes 3"),
        "target without csv": (["--target", "k"], "--target names a column of a CSV"),
        "bad fraction": ([csv("f.csv", "a,b,k\n" + good_rows), "--test-fraction", "1"],
                         "--test-fraction must be from 0 up to (not including) 1"),
        "decimal comma": ([csv("d.csv", "a;b;k\n1,5;2;owl\n3;4;cat\n5;6;bee\n")],
                          "d.csv, line 2, column 'a': '1,5' is not a number: the file writes "
                          "decimals with a comma (and separates its cells with semicolons)"),
    }


CASES = ["missing value", "text in a feature", "unknown target", "column count",
         "header, no rows", "missing file", "class count", "target without csv", "bad fraction",
         "decimal comma"]


@pytest.mark.parametrize("case", CASES)
def test_bad_csv_exit_2_one_line_and_nothing_written(tmp_path, capsys, case):
    graph = softmax_graph(tmp_path)
    before = digest(graph)
    argv, message = bad_csvs(tmp_path)[case]
    out = tmp_path / "out.json"
    flags = ["--data", *argv] if case != "target without csv" else argv
    assert main([str(graph), *flags, "--save", str(out)]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and captured.out == ""
    assert lines[0].startswith("backprop-studio train: ") and message in lines[0], lines[0]
    assert digest(graph) == before and not out.exists()
