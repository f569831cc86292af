"""Layered graphs built by hand, node by node, for the network tests: in the builder's form
(x @ W + b) or in PyTorch's (x @ transpose(W) + b, ids as the coming import writes them)."""
from __future__ import annotations

import numpy as np

import engine

ACTIVATION_IDS = {"tanh": "tanh", "relu": "relu", "sigmoid": "sigmoid",
                  "leaky_relu": "leaky_relu"}


def hand_built(widths, activations, loss_op="softmax_ce", form="in_out", bias=True, rows=5,
               seed=0, last_activation=None) -> engine.Graph:
    """A graph of dense layers of `widths` (inputs, hidden…, outputs); `activations` one per
    hidden layer (None: none). In the out_in form, layer k is ``fc{k}`` with nodes
    ``fc{k}.weight`` (out, in), ``fc{k}.weight.T``, ``fc{k}.matmul``, ``fc{k}.bias`` and the
    add ``fc{k}``; activations are named like PyTorch's fx nodes (``relu``, ``relu_1``)."""
    rng = np.random.default_rng(seed)
    g = engine.Graph()
    g.add_node("input", "input", value=rng.standard_normal((rows, widths[0])))
    source, used = "input", {}
    layers = len(widths) - 1
    for k in range(1, layers + 1):
        fan_in, fan_out = widths[k - 1], widths[k]
        name = f"fc{k}" if form == "out_in" else f"L{k}"
        weight = f"{name}.weight"
        shape = (fan_out, fan_in) if form == "out_in" else (fan_in, fan_out)
        g.add_node(weight, "parameter", value=rng.uniform(-0.8, 0.8, shape))
        operand = weight
        if form == "out_in":
            g.add_node(f"{weight}.T", "transpose")
            g.connect(weight, f"{weight}.T", 0)
            operand = f"{weight}.T"
        matmul = f"{name}.matmul"
        g.add_node(matmul, "matmul")
        g.connect(source, matmul, 0)
        g.connect(operand, matmul, 1)
        out = matmul
        if bias:
            g.add_node(f"{name}.bias", "parameter", value=rng.uniform(-0.3, 0.3, fan_out))
            g.add_node(name, "add")
            g.connect(f"{name}.bias", name, 0)     # the bias on port 0: either port counts
            g.connect(matmul, name, 1)
            out = name
        activation = activations[k - 1] if k < layers else last_activation
        if activation:
            count = used.get(activation, 0)
            used[activation] = count + 1
            node = activation if count == 0 else f"{activation}_{count}"
            g.add_node(node, activation)
            g.connect(out, node, 0)
            out = node
        source = out
    if loss_op == "softmax_ce":
        target = np.eye(widths[-1])[rng.integers(0, widths[-1], rows)]
    elif loss_op == "sigmoid_bce":
        target = rng.integers(0, 2, (rows, widths[-1])).astype(float)
    else:
        target = rng.standard_normal((rows, widths[-1]))
    g.add_node("target", "input", value=target)
    g.add_node("loss", loss_op)
    g.connect(source, "loss", 0)
    g.connect("target", "loss", 1)
    g.loss = "loss"
    return g


WINE_COLUMNS = ("alcohol", "malic_acid", "ash", "alcalinity", "magnesium", "phenols",
                "flavanoids", "nonflavanoid", "proanthocyanins", "color", "hue", "od280",
                "proline")


def wine_like_csv(path, rows=60, seed=0):
    """A small table shaped like scikit-learn's wine data: 13 numeric feature columns (on
    very different scales) and a cultivar label 1, 2 or 3, the classes well apart."""
    rng = np.random.default_rng(seed)
    scales = np.array([13, 2, 2.4, 19, 100, 2.3, 2, 0.4, 1.6, 5, 1, 2.6, 750])
    centers = 1 + 0.25 * rng.standard_normal((3, 13))
    lines = [",".join(WINE_COLUMNS) + ",cultivar"]
    for r in range(rows):
        label = r % 3
        x = scales * (centers[label] + 0.05 * rng.standard_normal(13))
        lines.append(",".join(f"{v:.3f}" for v in x) + f",{label + 1}")
    path.write_text("\n".join(lines) + "\n")
    return path
