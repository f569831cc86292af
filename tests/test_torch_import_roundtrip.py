"""The shipped example models: imported from the command line as the README shows, exported
back with ``export --to pytorch`` (the same loss and gradients as the original module), and
trained with ``train --data`` on built-in data sets; start-up never imports torch."""
from __future__ import annotations

import json
import sys

import numpy as np
import pytest

from conftest import ROOT, run_process

MODELS = ROOT / "resources" / "models"
SHIPPED = [("spiral_mlp.py", "SpiralMLP", (8, 2), "ce"),
           ("residual.py", "ResidualNet", (8, 4), "mse")]


def test_no_engine_module_imports_torch_at_import_time():
    code = ("import sys, pkgutil, importlib; sys.path.insert(0, sys.argv[1]); import main, "
            "engine; [importlib.import_module(m.name) for m in pkgutil.walk_packages("
            "engine.__path__, 'engine.')]; print(sorted(m for m in sys.modules "
            "if m.split('.')[0] == 'torch'))")
    done = run_process([sys.executable, "-c", code, str(ROOT)], capture_output=True, text=True,
                       timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


torch = pytest.importorskip("torch")

from engine import load_graph, save_graph  # noqa: E402
from engine.cli.export import main as export_main  # noqa: E402
from engine.cli.import_model import main as import_main  # noqa: E402
from engine.cli.train import main as train_main  # noqa: E402
from engine.torch_import import import_model  # noqa: E402
from engine.torch_import import runner  # noqa: E402
from engine.training.datasets import make_dataset  # noqa: E402
from script_runner import run as run_script  # noqa: E402
from torch_import_helpers import (close, module_result, recipe_module,  # noqa: E402
                                  write_model)


def test_the_readme_command_imports_the_spiral_mlp(tmp_path):
    """Through the runner a GUI can use: ``main.py import`` in a process of its own."""
    out = tmp_path / "spiral_mlp.json"
    argv = runner.command_line("resources/models/spiral_mlp.py", "SpiralMLP", [(8, 2)], out,
                               loss="ce")
    assert argv[2:] == ["import", "resources/models/spiral_mlp.py", "--class", "SpiralMLP",
                        "--input-shape", "8,2", "--loss", "ce", "--seed", "0", "--out",
                        str(out)]
    done = run_process(argv, cwd=ROOT, capture_output=True, text=True, timeout=120)
    result = runner.outcome(done.returncode, done.stdout, done.stderr)
    assert result.ok, done.stderr
    summary = result.summary
    assert summary["parameters"] == 6 and summary["weights"] == 2 * 16 + 16 + 16 * 16 + 16 \
        + 16 * 3 + 3
    assert 0 <= summary["max_abs_diff"] <= 1e-12
    assert result.notices[0].startswith("imported in eval mode")
    assert "drop (nn.Dropout) elided: in eval mode it passes its input through" in \
        result.notices
    data = json.loads(out.read_text())
    assert "data" not in data and "training" not in data
    assert "spiral_mlp.py" in data["description"] and "SpiralMLP" in data["description"]
    graph = load_graph(out)
    assert summary["nodes"] == len(graph.node_ids())
    for layer in ("fc1", "fc2", "fc3"):
        assert graph.node(f"{layer}.weight").op == "parameter"
        assert graph.input_sources(f"{layer}.weight.T") == [f"{layer}.weight"]
        assert graph.node(f"{layer}.matmul").op == "matmul"
        assert graph.input_sources(layer) == [f"{layer}.matmul", f"{layer}.bias"]
    assert graph.node("fc1.weight").value.shape == (16, 2)        # PyTorch's (out, in)
    assert graph.input_sources("fc1.matmul") == ["x", "fc1.weight.T"]
    assert graph.input_sources("loss") == ["fc3", "target"]
    assert graph.node("loss").op == "softmax_ce" and graph.loss == "loss"
    from engine.networks.layers import FORM_OUT_IN, recognize
    network = recognize(graph)      # the layers the app's network view shows
    assert [(la.weight, la.transpose, la.matmul, la.bias_add, la.activation_node, la.form)
            for la in network.layers] == [
        ("fc1.weight", "fc1.weight.T", "fc1.matmul", "fc1", "act1", FORM_OUT_IN),
        ("fc2.weight", "fc2.weight.T", "fc2.matmul", "fc2", "act2", FORM_OUT_IN),
        ("fc3.weight", "fc3.weight.T", "fc3.matmul", "fc3", None, FORM_OUT_IN)]
    target = graph.node("target").value
    assert target.shape == (8, 3) and set(np.unique(target)) == {0.0, 1.0}
    np.testing.assert_array_equal(target.sum(axis=1), np.ones(8))


def test_the_runner_reads_a_refusal_and_a_failed_proof():
    refused = runner.outcome(2, "", "backprop-studio import: note: imported in eval mode\n"
                             "backprop-studio import: model.py: conv (nn.Conv2d) is not "
                             "supported: supported modules are nn.Linear\n")
    assert not refused.ok and refused.status == 2 and refused.summary is None
    assert refused.error.startswith("model.py: conv (nn.Conv2d) is not supported")
    failed = runner.outcome(1, "", "backprop-studio import: proof failed: the value of node "
                            "'act' (nn.ReLU) differs\n")
    assert failed.status == 1 and failed.error.startswith("proof failed: the value of node")
    assert runner.outcome(0, "", "").error == "the import printed no summary"


@pytest.mark.parametrize("file, cls, shape, loss", SHIPPED)
def test_the_round_trip_through_export_gives_the_modules_numbers(tmp_path, capsys, file, cls,
                                                                 shape, loss):
    graph_file, script = tmp_path / "graph.json", tmp_path / "model_export.py"
    save_graph(import_model(MODELS / file, cls, [shape], loss=loss).graph, graph_file)
    assert export_main([str(graph_file), "--to", "pytorch", "--out", str(script)]) == 0
    capsys.readouterr()
    dtype = torch.get_default_dtype()
    try:
        done = run_script(str(script), [])
    finally:
        torch.set_default_dtype(dtype)
    assert done["status"] == 0, done["stderr"]
    exported = json.loads(done["stdout"].strip().splitlines()[-1])

    graph = load_graph(graph_file)
    module = recipe_module(MODELS / file, cls)
    expected_loss, expected_grads = module_result(module, graph, loss)
    assert close(exported["loss"], expected_loss)
    assert set(expected_grads) <= set(exported["grads"])
    for name, grad in expected_grads.items():
        assert close(exported["grads"][name], grad), name


def write_csv(path, dataset, labels: bool):
    """The data set as a CSV: feature columns, then the class label (or the number)."""
    X, Y = dataset.X, dataset.Y
    rows = [",".join([f"x{i + 1}" for i in range(X.shape[1])] + ["y"])]
    for x, y in zip(X, Y):
        target = (str(int(np.argmax(y)) if y.size > 1 else int(y[0])) if labels
                  else repr(float(y[0])))
        rows.append(",".join([repr(float(v)) for v in x] + [target]))
    path.write_text("\n".join(rows) + "\n")
    return path


BINARY = """
class XorNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(2, 8)
        self.out = nn.Linear(8, 1)

    def forward(self, x):
        return self.out(torch.tanh(self.hidden(x)))
"""
REGRESSION = """
class SineNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1))

    def forward(self, x):
        return self.layers(x)
"""


@pytest.mark.parametrize("loss, dataset, model, cls", [
    ("ce", "spiral", None, "SpiralMLP"),
    ("bce", "xor", BINARY, "XorNet"),
    ("mse", "sine", REGRESSION, "SineNet"),
])
def test_an_imported_graph_trains_on_a_built_in_data_set(tmp_path, capsys, loss, dataset,
                                                         model, cls):
    path = MODELS / "spiral_mlp.py" if model is None else write_model(tmp_path, model)
    features = 1 if dataset == "sine" else 2
    graph_file = tmp_path / "imported.json"
    assert import_main([str(path), "--class", cls, "--input-shape", f"8,{features}",
                        "--loss", loss, "--out", str(graph_file)]) == 0
    csv = write_csv(tmp_path / "data.csv", make_dataset(dataset, n=120, seed=1),
                    labels=loss != "mse")
    common = [str(graph_file), "--data", str(csv), "--features", "x", "--targets", "target",
              "--optimizer", "adam", "--lr", "0.02", "--batch-size", "32", "--seed", "0"]
    losses = []
    for steps in (0, 150):
        capsys.readouterr()
        assert train_main(common + ["--steps", str(steps)]) == 0
        losses.append(json.loads(capsys.readouterr().out.strip().splitlines()[-1])["loss"])
    assert losses[1] < 0.7 * losses[0], losses


def test_a_dialog_can_list_the_classes_and_arguments_without_running_the_file(tmp_path):
    from engine.torch_import.source_file import module_classes
    shipped = module_classes(MODELS / "residual.py")
    assert [(m.name, m.arguments) for m in shipped] == [("ResidualBlock", ["x"]),
                                                        ("ResidualNet", ["x"])]
    path = write_model(tmp_path, """
        raise SystemExit("never run")

        class Base(nn.Module):
            def forward(self, x, y, scale=2.0):
                return x

        class Child(Base):
            pass

        class Stack(torch.nn.Sequential):
            pass

        class Other:
            def forward(self, z):
                return z
    """)
    assert [(m.name, m.arguments) for m in module_classes(path)] == [
        ("Base", ["x", "y"]), ("Child", ["x", "y"]), ("Stack", ["input"])]
