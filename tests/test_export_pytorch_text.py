"""The PyTorch export's text, checked without torch: every parameter is an ``nn.Parameter``,
float64 is the default dtype before any tensor is made, and each loss op is written as
docs/cli.md says (its table under ``--to pytorch``)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from engine import Graph, load_graph
from engine.export import read_program, to_pytorch

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "resources" / "examples").glob("*.json"))
DTYPE = "torch.set_default_dtype(torch.float64)"


def documented_losses() -> dict:
    """``{op: PyTorch code}`` from the table in docs/cli.md's ``--to pytorch`` paragraph."""
    text = (ROOT / "docs" / "cli.md").read_text()
    section = text[text.index("**`--to pytorch`**"):text.index("**`--to svg`**")]
    return dict(re.findall(r"^\| `(\w+)` \| `([^`]+)`", section, flags=re.M))


def test_the_docs_name_every_loss():
    assert set(documented_losses()) == {"mse", "sigmoid_bce", "softmax_ce"}


def test_most_examples_have_parameters_to_check():
    with_parameters = [p for p in EXAMPLES if '"op": "parameter"' in p.read_text()]
    assert len(with_parameters) >= 8   # chain_rule, two_paths and used_twice have none

@pytest.mark.parametrize("op, ports", [("mse", ("prediction", "target")),
                                       ("sigmoid_bce", ("logits", "target")),
                                       ("softmax_ce", ("logits", "target"))])
def test_each_loss_is_written_as_documented(op, ports):
    g = Graph()
    for name in ports:
        g.add_node(name, "input", value=np.full((2, 3), 0.5))
    g.add_node("loss", op)
    for port, name in enumerate(ports):
        g.connect(name, "loss", port)
    code = [line.split("  # ")[0] for line in to_pytorch(g).splitlines()]
    assert f"        loss = {documented_losses()[op]}" in code


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_parameter_is_an_nn_parameter_in_float64(path):
    graph = load_graph(path)
    source = to_pytorch(graph, path.stem)
    compile(source, path.name, "exec")
    lines = source.splitlines()
    program = read_program(graph, path.stem)
    parameters = program.leaf_ids("parameter")
    for nid in parameters:
        line = (f"        self.{program.names[nid]} = nn.Parameter(PARAMETER_VALUES"
                f"[{json.dumps(nid)}].clone())")
        assert line in lines, nid
    assert source.count("nn.Parameter(") == len(parameters)
    first_tensor = min(i for i, line in enumerate(lines) if "torch.tensor(" in line)
    assert lines.index(DTYPE) < first_tensor
    assert not re.search(r"dtype=torch\.float(32|16)|\.float\(\)|\.half\(\)", source)
