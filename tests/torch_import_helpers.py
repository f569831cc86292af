"""Helpers of the PyTorch import tests: write a model file, and check an imported graph
against the module itself, built independently by the pinned recipe. Import this module only
after ``pytest.importorskip("torch")``. Not a test module."""
from __future__ import annotations

import importlib.util
import inspect
import itertools
import textwrap

import numpy as np
import torch

F = torch.nn.functional
_names = itertools.count(1)


def write_model(folder, body: str, name: str = "model.py"):
    """``folder/name`` holding the usual imports and ``body`` (dedented)."""
    path = folder / name
    path.write_text("import torch\nimport torch.nn.functional as F\nfrom torch import nn\n\n"
                    + textwrap.dedent(body))
    return path


def load(path, class_name: str):
    spec = importlib.util.spec_from_file_location(f"_test_model_{next(_names)}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, class_name)


def recipe_module(path, class_name: str, seed: int = 0):
    """The module as the recipe builds it: seeded, float32, then float64 and eval."""
    torch.manual_seed(seed)
    return load(path, class_name)().double().eval()


def torch_loss(output, loss: str, target):
    if loss == "none":
        return output
    if loss == "mse":
        return F.mse_loss(output, target)
    if loss == "bce":
        return F.binary_cross_entropy_with_logits(output, target)
    return -(target * F.log_softmax(output, dim=-1)).sum(dim=-1).mean()


def module_result(module, graph, loss: str, inputs=None):
    """(loss, {parameter name: gradient}) of the eager module on the graph's sample inputs
    (or ``inputs``: {argument: array}) and target."""
    names = [n for n, p in inspect.signature(module.forward).parameters.items()
             if p.default is p.empty]
    values = inputs or {n: graph.node(n).value for n in names}
    args = [torch.tensor(values[n], dtype=torch.float64) for n in names]
    target = None if loss == "none" else torch.tensor(graph.node("target").value)
    module.zero_grad(set_to_none=True)
    value = torch_loss(module(*args), loss, target)
    value.sum().backward()
    grads = {n: (p.grad if p.grad is not None else torch.zeros_like(p)).numpy()
             for n, p in module.named_parameters()}
    return value.detach().numpy(), grads


def close(a, b) -> bool:
    """The proof's rule: |a − b| ≤ 1e-9 · max(|b|, max|B|)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return False
    scale = np.max(np.abs(b)) if b.size else 0.0
    return bool(np.all(np.abs(a - b) <= 1e-9 * np.maximum(np.abs(b), scale)))


def assert_equals_module(path, class_name, graph, loss: str, seed: int = 0):
    """The graph's loss and parameter gradients equal the eager module's (not the traced
    one's) on the graph's own sample inputs; every parameter node has the module's value."""
    module = recipe_module(path, class_name, seed)
    expected_loss, expected_grads = module_result(module, graph, loss)
    graph.forward()
    grads = graph.backward()
    assert close(graph.values["loss"].reshape(np.shape(expected_loss)), expected_loss)
    parameters = dict(module.named_parameters())
    for node_id in graph.node_ids():
        if graph.node(node_id).op == "parameter":
            np.testing.assert_array_equal(graph.node(node_id).value,
                                          parameters[node_id].detach().numpy())
            assert close(grads[node_id], expected_grads[node_id]), node_id
