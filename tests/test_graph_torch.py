"""Whole graphs cross-checked against PyTorch float64: every node's value and gradient."""
import numpy as np
import pytest

from conftest import EXAMPLES
from engine import load_graph
from graphs import build
from test_examples_math import random_graph

torch = pytest.importorskip("torch")
from torch_ops import TORCH_OPS  # noqa: E402


def torch_pass(graph):
    """Every node's value and gradient of the graph's loss, computed by PyTorch."""
    tensors = {}
    for nid in graph.plan().order:
        node = graph.node(nid)
        if node.value is not None and not graph.input_sources(nid):
            tensors[nid] = torch.tensor(node.value, dtype=torch.float64, requires_grad=True)
        else:
            xs = [tensors[s] for s in graph.input_sources(nid)]
            tensors[nid] = TORCH_OPS[node.op](*xs, node.attrs)
            tensors[nid].retain_grad()
    loss = tensors[graph.loss_node()]
    loss.backward()
    values = {k: t.detach().numpy() for k, t in tensors.items()}
    grads = {k: (t.grad.numpy() if t.grad is not None else np.zeros(t.shape))
             for k, t in tensors.items()}
    return values, grads


def assert_matches_torch(graph):
    values, grads = graph.forward(), graph.backward()
    t_values, t_grads = torch_pass(graph)
    for nid in graph.node_ids():
        np.testing.assert_allclose(values[nid], t_values[nid], rtol=1e-12, atol=1e-14,
                                   err_msg=f"value of {nid}")
        assert grads[nid].shape == t_grads[nid].shape, nid
        np.testing.assert_allclose(grads[nid], t_grads[nid], rtol=1e-10, atol=1e-13,
                                   err_msg=f"gradient of {nid}")


@pytest.mark.parametrize("seed", range(40))
def test_random_graphs_match_torch(seed):
    assert_matches_torch(random_graph(seed, n_ops=14))


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.json")))
def test_examples_match_torch(name):
    graph = load_graph(EXAMPLES / name)
    if any(graph.node(n).op not in TORCH_OPS and graph.input_sources(n)
           for n in graph.node_ids()):
        pytest.skip("uses an op this oracle does not map")
    assert_matches_torch(graph)


def test_kinks_follow_torch():
    graph = load_graph(EXAMPLES / "chain_rule.json")
    for op in ("relu", "abs", "leaky_relu"):
        graph.add_node(op, op)
        graph.connect("x", op, 0)
        graph.set_value("x", 0.0)
    build([("s1", "add"), ("s2", "add"), ("s3", "add")],
          [("relu", "s1", 0), ("abs", "s1", 1), ("s1", "s2", 0), ("leaky_relu", "s2", 1),
           ("s2", "s3", 0), ("y", "s3", 1)], graph=graph)
    graph.loss = "s3"
    assert_matches_torch(graph)
    assert float(graph.grads["x"]) == pytest.approx(0.01)   # relu'(0) = abs'(0) = 0
