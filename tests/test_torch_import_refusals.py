"""What the import refuses: exit status 2, one line naming the file and line (or the module
path) and the cause, no traceback, nothing written; a failed proof is exit 1 naming the node."""
from __future__ import annotations

import json
import sys

import pytest

torch = pytest.importorskip("torch")

from engine.cli.import_model import main  # noqa: E402
from engine.torch_import import mappings  # noqa: E402
from torch_import_helpers import write_model  # noqa: E402

LINEAR = """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)
{init}
    def forward(self, x):
{body}
"""


def net(init: str = "", body: str = "return self.fc(x).sum()") -> str:
    """A model file whose forward ends in ``body`` (one or more lines)."""
    indent = lambda text: "\n".join("        " + line for line in text.splitlines())  # noqa
    return LINEAR.format(init=indent(init), body=indent(body))


def run(tmp_path, capsys, source, *flags, shapes=("3,4",), cls="Net"):
    path = write_model(tmp_path, source)
    out = tmp_path / "out.json"
    argv = [str(path), "--class", cls, *[a for s in shapes for a in ("--input-shape", s)],
            *flags, "--out", str(out)]
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err, out


def refused(tmp_path, capsys, source, *flags, **kwargs) -> str:
    status, out, err, written = run(tmp_path, capsys, source, *flags, **kwargs)
    assert status == 2, err
    assert not written.exists()
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


# the line of ``body`` in the file LINEAR writes: imports (4 lines), then the class
BODY_LINE = 12


@pytest.mark.parametrize("init, body, expected", [
    ("self.conv = nn.Conv2d(1, 1, 3)", "return self.conv(x).sum()",
     "model.py: conv (nn.Conv2d) is not supported: supported modules are nn.Linear"),
    ("self.norm = nn.BatchNorm1d(4)", "return self.norm(x).sum()",
     "model.py: norm (nn.BatchNorm1d) is not supported: supported modules are"),
    ("", "return torch.erf(x).sum()",
     f"model.py:{BODY_LINE}: torch.erf is not supported: supported functions are"),
    ("", "return F.gelu(x).sum()", f"model.py:{BODY_LINE}: F.gelu is not supported"),
    ("", "return x.cumsum(0).sum()",
     f"model.py:{BODY_LINE}: the method .cumsum() (Tensor.cumsum) is not supported: "
     "supported methods are"),
    ("", "return (x > 0).sum()", f"model.py:{BODY_LINE}: the operator > is not supported"),
    ("", "if x.sum() > 0:\n    return x.sum()\nreturn -x.sum()",
     f"model.py:{BODY_LINE}: control flow that depends on a tensor's values"),
    ("", "return x[:, 0].sum()",
     f"model.py:{BODY_LINE}: operator.getitem: indexing or slicing a tensor"),
    ("", "return torch.cat([x, x, x], 1).sum()",
     f"model.py:{BODY_LINE}: torch.cat: cat of 3 tensors is not supported"),
    ("", "return x.view(x.size(0) * 2, -1).sum()",
     f"model.py:{BODY_LINE}: Tensor.view: a size computed from the batch size"),
    ("", "return x.max(1).indices.sum()",
     f"model.py:{BODY_LINE}: Tensor.sum: the indices of max/min are not differentiable"),
    ("", "return (2 ** x).sum()", f"model.py:{BODY_LINE}: operator.pow: a tensor exponent"),
    ("", "return torch.add(x, x, alpha=2).sum()",
     f"model.py:{BODY_LINE}: torch.add: the argument alpha=2 is not supported"),
    ("", "return x.sum() / x.size(0)",
     f"model.py:{BODY_LINE}: operator.truediv: a number computed from the batch size"),
    ("", "return F.softmax(x).sum()", f"model.py:{BODY_LINE}: F.softmax: softmax needs dim"),
    ("", "return torch.transpose(x.view(3, 2, 2), 0, 2).sum()",
     f"model.py:{BODY_LINE}: torch.transpose: transpose(0, 2) of a 3-D tensor"),
    ("", "return (x @ x).sum()", f"model.py:{BODY_LINE}: while running Net.forward: "
     "RuntimeError: mat1 and mat2 shapes cannot be multiplied (3x4 and 3x4)"),
    ("", "return torch.matmul(x.view(3, 2, 2), x.view(3, 2, 2)).sum()",
     f"model.py:{BODY_LINE}: matmul (torch.matmul): matmul: operands must be 1-D or 2-D"),
    ("self.act = nn.ReLU(inplace=True)", "y = self.act(x)\nreturn (x + y).sum()",
     "model.py: the traced module does not compute what the module computes"),
    ("", "return x.sqrt().sum()", f"model.py:{BODY_LINE}: sqrt (Tensor.sqrt): sqrt of a negative value produced nan"),
    ("", "return self.fc(x), x", "model.py: Net.forward returns a tuple: it must return one"),
    ("", "return self.fc(x)", "model.py: the output has shape (3, 3): with --loss none it "
     "must hold one number"),
    ('self.register_buffer("labels", torch.tensor([0, 1, 2]))',
     "return F.cross_entropy(self.fc(x), self.labels)",
     f"model.py:{BODY_LINE}: F.cross_entropy: the target must have the input's shape (3, 3) "
     "(as one-hot rows or probabilities for cross-entropy), got (3,) int64"),
    ("", "return F.mse_loss(x, x.tanh(), reduction='sum')",
     f"model.py:{BODY_LINE}: F.mse_loss: reduction='sum' is not supported (only "
     "reduction='mean')"),
    ("self.crit = nn.MSELoss(reduction='none')", "return self.crit(x, x.tanh()).sum()",
     "crit (nn.MSELoss): reduction='none' is not supported"),
    ("self.register_buffer('pw', torch.ones(4))",
     "return F.binary_cross_entropy_with_logits(x, x.sigmoid(), pos_weight=self.pw)",
     "F.binary_cross_entropy_with_logits: pos_weight is not supported"),
    ("", "return F.cross_entropy(x.view(3, 2, 2), x.view(3, 2, 2).softmax(1))",
     "F.cross_entropy: cross-entropy over axis 1 of a tensor with more than 2 axes"),
    ("self.register_buffer('bad', torch.tensor([float('nan')]))",
     "return (x * self.bad).sum()", f"model.py:{BODY_LINE}: bad (constant): its value is not finite (nan)"),
    ("", "return x.sum() * 0 + self.fc.weight.sum()", None),
])
def test_each_refusal_names_its_line_and_cause(tmp_path, capsys, init, body, expected):
    source = net(init, body)
    if expected is None:   # sanity: the template itself imports
        status, out, err, written = run(tmp_path, capsys, source)
        assert status == 0 and written.exists(), err
        return
    line = refused(tmp_path, capsys, source)
    assert line.startswith("backprop-studio import: ")
    assert expected in line, line


def test_a_linear_layer_on_a_batch_of_sequences_is_refused(tmp_path, capsys):
    line = refused(tmp_path, capsys, net(body="return self.fc(x).sum()"), shapes=("2,3,4",))
    assert "model.py:12: fc (nn.Linear): the input has shape (2, 3, 4): the engine's matmul" \
        " takes 1-D and 2-D operands" in line


@pytest.mark.parametrize("source, cls, expected", [
    ("x = 1\n", "Net", "model.py: no class 'Net' (it defines no nn.Module subclass)"),
    (net(), "Nope", "model.py: no class 'Nope' (it defines Net)"),
    ("def f(:\n", "Net", "model.py:5: while running model.py: syntax error: invalid syntax"),
    ("x = 1 / 0\n", "Net", "model.py:5: while running model.py: ZeroDivisionError: division "
     "by zero"),
    ("import no_such_module_here\n", "Net", "ModuleNotFoundError: No module named "
     "'no_such_module_here'"),
    (net("raise ValueError('bad size')"), "Net", "model.py:10: while building Net(): "
     "ValueError: bad size"),
    (net(body="return x.nope()"), "Net", f"model.py:{BODY_LINE}: "),
    ("class Net:\n    pass\n", "Net", "model.py: Net is not an nn.Module subclass"),
    ("class Net(nn.Module):\n    def __init__(self, width):\n        super().__init__()\n",
     "Net", "while building Net(): TypeError:"),
    (net(body="return x.sum()").replace("forward(self, x)", "forward(self, target)")
     .replace("x.sum()", "target.sum()"), "Net", "Net.forward has an argument named "
     "'target', the name of the import's own target node"),
    (net(body="return loss.sum()").replace("forward(self, x)", "forward(self, loss)"), "Net",
     "an argument named 'loss'"),
    (net("self.loss = nn.Parameter(torch.ones(3))"), "Net",
     "Net has a parameter named 'loss', the name of the import's own loss node"),
    (net(body="return x.sum()").replace("forward(self, x)", "forward(self, *xs)"), "Net",
     "Net.forward takes *xs"),
])
def test_problems_of_the_file_are_one_line(tmp_path, capsys, source, cls, expected):
    line = refused(tmp_path, capsys, source, cls=cls)
    assert expected in line, line


def test_the_count_of_input_shapes_must_match_forward(tmp_path, capsys):
    line = refused(tmp_path, capsys, net(), shapes=("3,4", "3,4"))
    assert "Net.forward takes 1 argument (x) but 2 --input-shape were given" in line


@pytest.mark.parametrize("flags, expected", [
    (["--input-shape", "3,x"], "--input-shape '3,x': give positive sizes"),
    (["--loss", "huber"], "invalid choice: 'huber'"),
    (["--weights", "/nonexistent/w.pt"], "/nonexistent/w.pt: no such file"),
])
def test_bad_flags_are_usage_errors(tmp_path, capsys, flags, expected):
    line = refused(tmp_path, capsys, net(), *flags)
    assert expected in line, line


def test_weights_that_are_not_tensors_are_refused_without_running_them(tmp_path, capsys):
    import pickle
    weights = tmp_path / "evil.pt"
    torch.save({"fc.weight": torch.zeros(3, 4), "note": print}, weights)
    line = refused(tmp_path, capsys, net(), "--weights", str(weights))
    assert "evil.pt: not a state_dict of tensors (it is read with weights_only=True" in line
    wrong = tmp_path / "wrong.pt"
    torch.save({"fc.weight": torch.zeros(2, 2)}, wrong)
    line = refused(tmp_path, capsys, net(), "--weights", str(wrong))
    assert "wrong.pt: does not fit the module:" in line and "fc.bias" in line
    assert pickle  # (torch.save pickles; weights_only refuses the function)


def test_a_wrong_mapping_fails_the_proof_with_exit_1_naming_the_node(tmp_path, capsys,
                                                                      monkeypatch):
    from engine.torch_import import handlers
    monkeypatch.setitem(mappings.HANDLERS, "torch.nn.ReLU", handlers.unary("tanh"))
    source = net("self.act = nn.ReLU()", "return self.act(self.fc(x)).sum()")
    status, out, err, written = run(tmp_path, capsys, source)
    assert status == 1 and not written.exists() and out == ""
    assert err.strip() == err.strip().splitlines()[0]
    assert "proof failed: the value of node 'act' (nn.ReLU) differs from PyTorch's" in err


def test_a_wrong_gradient_fails_the_proof_naming_the_node():
    from engine.torch_import.builder import Check
    from engine.torch_import.problems import ProofFailed
    from engine.torch_import.proof import prove
    import numpy as np
    a = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    b = (a * 3).sum()
    b.backward()
    checks = [Check("a", a, "input")]
    prove(checks, {"a": np.array([1.0, 2.0])}, {"a": np.array([3.0, 3.0])})
    with pytest.raises(ProofFailed, match="the gradient of node 'a'") as failure:
        prove(checks, {"a": np.array([1.0, 2.0])}, {"a": np.array([3.0, 3.0 + 1e-8])})
    assert failure.value.node == "a"
    with pytest.raises(ProofFailed, match="the value of node 'a'"):
        prove(checks, {"a": np.array([1.0, 2.0 + 1e-8])}, {"a": np.array([3.0, 3.0])})
    prove(checks, {"a": np.array([1.0, 2.0 + 1e-9])}, {"a": np.array([3.0, 3.0])})


def test_success_prints_notices_on_stderr_and_json_last_on_stdout(tmp_path, capsys):
    source = net("self.drop = nn.Dropout(0.3)\nself.same = nn.Identity()",
                 "return self.same(self.drop(self.fc(x))).sum()")
    status, out, err, written = run(tmp_path, capsys, source)
    assert status == 0
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["nodes"] == 7 and summary["parameters"] == 2 and summary["weights"] == 15
    assert summary["max_abs_diff"] <= 1e-12
    assert "eval mode" in err and "drop (nn.Dropout) elided" in err and \
        "same (nn.Identity) elided" in err
    assert json.loads(written.read_text())["loss"] == "loss"


def test_the_models_prints_go_to_stderr(tmp_path, capsys):
    status, out, err, _ = run(tmp_path, capsys, "print('hello from the model')\n" + net())
    assert status == 0 and "hello from the model" in err
    json.loads(out.strip().splitlines()[-1])


def test_without_torch_one_line_says_make_torch(tmp_path):
    """A subprocess where ``import torch`` fails."""
    from conftest import ROOT, run_process
    path = write_model(tmp_path, net())
    code = ("import sys; sys.modules['torch'] = None; sys.path.insert(0, sys.argv[1]); "
            "import main; sys.exit(main.main(sys.argv[2:]))")
    done = run_process([sys.executable, "-c", code, str(ROOT), "import", str(path), "--class",
                        "Net", "--input-shape", "3,4", "--out", str(tmp_path / "o.json")],
                       capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "make torch" in done.stderr
    assert not (tmp_path / "o.json").exists() and done.stdout == ""


def test_help_says_that_importing_runs_the_models_code(capsys):
    assert main(["--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "Importing runs the code in MODEL.py" in text and "weights_only=True" in text
    assert "make torch" in text
