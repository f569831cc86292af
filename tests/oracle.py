"""An independent reference for format-v1 graphs: it never imports ``engine``.

Written from the op tables of the file format (docs/file-format.md) alone:

* ``evaluate(doc)`` — a small float64 numpy evaluator of a format-v1 dict;
* ``fd_grads(doc, of=None)`` — d loss / d node for EVERY node by central finite differences
  (a 5-point stencil with Richardson extrapolation; the step follows each element's scale);
* ``torch_grads(doc, of=None)`` — values and gradients from PyTorch autograd (when installed).
"""
from __future__ import annotations

import numpy as np

LEAVES = ("input", "constant", "parameter")
ARITY = {**{op: 0 for op in LEAVES},
         **{op: 2 for op in ("add", "sub", "mul", "div", "matmul", "mse", "sigmoid_bce",
                             "softmax_ce", "maximum", "minimum", "concat")},
         **{op: 1 for op in ("neg", "exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu",
                             "leaky_relu", "pow", "transpose", "sum", "mean", "softmax", "sin",
                             "cos", "square", "reciprocal", "max", "min", "reshape")}}
DEFAULTS = {"leaky_relu": {"slope": 0.01}, "pow": {"exponent": 2.0},
            "sum": {"axis": None, "keepdims": False}, "mean": {"axis": None, "keepdims": False},
            "softmax": {"axis": -1}, "max": {"axis": None, "keepdims": False},
            "min": {"axis": None, "keepdims": False}, "reshape": {"shape": [-1]},
            "concat": {"axis": 0}}


# ---------------------------------------------------------------------------- structure
def topo_order(doc) -> list[str]:
    """Kahn's algorithm over the edges, ties broken by file order."""
    ids = [n["id"] for n in doc["nodes"]]
    indeg = {i: 0 for i in ids}
    out = {i: [] for i in ids}
    for e in doc["edges"]:
        indeg[e["target"]] += 1
        out[e["source"]].append(e["target"])
    ready = [i for i in ids if indeg[i] == 0]
    order = []
    while ready:
        nid = ready.pop(0)
        order.append(nid)
        for t in out[nid]:
            indeg[t] -= 1
            if indeg[t] == 0:
                ready.append(t)
    assert len(order) == len(ids), "cycle"
    return order


def inputs_of(doc) -> dict[str, list[str]]:
    """node id -> its sources, by port."""
    ports = {n["id"]: [None] * ARITY[n["op"]] for n in doc["nodes"]}
    for e in doc["edges"]:
        ports[e["target"]][e["port"]] = e["source"]
    return ports


def sinks(doc) -> list[str]:
    fed = {e["source"] for e in doc["edges"]}
    return [n["id"] for n in doc["nodes"] if n["id"] not in fed]


def loss_id(doc, of=None) -> str:
    if of is not None:
        return of
    if doc.get("loss") is not None:
        return doc["loss"]
    (only,) = sinks(doc)
    return only


def descendants(doc, nid) -> set[str]:
    out = {}
    for e in doc["edges"]:
        out.setdefault(e["source"], set()).add(e["target"])
    seen, todo = set(), [nid]
    while todo:
        for t in out.get(todo.pop(), ()):
            if t not in seen:
                seen.add(t)
                todo.append(t)
    return seen


# ---------------------------------------------------------------------------- numpy ops
def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _log_softmax_last(z):
    m = z.max(axis=-1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=-1, keepdims=True))


def apply_op(op: str, attrs: dict, xs: list[np.ndarray]) -> np.ndarray:
    """One op of the design table, on float64 arrays."""
    a = {**DEFAULTS.get(op, {}), **(attrs or {})}
    x = xs[0] if xs else None
    y = xs[1] if len(xs) > 1 else None
    if op == "add":
        return x + y
    if op == "sub":
        return x - y
    if op == "mul":
        return x * y
    if op == "div":
        return x / y
    if op == "neg":
        return -x
    if op == "exp":
        return np.exp(x)
    if op == "log":
        return np.log(x)
    if op == "sqrt":
        return np.sqrt(x)
    if op == "abs":
        return np.abs(x)
    if op == "tanh":
        return np.tanh(x)
    if op == "sigmoid":
        return 1.0 / (1.0 + np.exp(-x))
    if op == "relu":
        return np.maximum(x, 0.0)
    if op == "leaky_relu":
        return np.where(x > 0, x, a["slope"] * x)
    if op == "pow":
        return np.power(x, float(a["exponent"]))
    if op == "matmul":
        return np.asarray(np.matmul(x, y))
    if op == "transpose":
        return x.T
    if op == "sum":
        return np.asarray(np.sum(x, axis=_axis(a["axis"]), keepdims=bool(a["keepdims"])))
    if op == "mean":
        return np.asarray(np.mean(x, axis=_axis(a["axis"]), keepdims=bool(a["keepdims"])))
    if op == "softmax":
        e = np.exp(x - x.max(axis=a["axis"], keepdims=True))
        return e / e.sum(axis=a["axis"], keepdims=True)
    if op == "sin":
        return np.sin(x)
    if op == "cos":
        return np.cos(x)
    if op == "square":
        return x ** 2
    if op == "reciprocal":
        return 1.0 / x
    if op == "maximum":
        return np.maximum(x, y)
    if op == "minimum":
        return np.minimum(x, y)
    if op == "max":
        return np.asarray(np.amax(x, axis=_axis(a["axis"]), keepdims=bool(a["keepdims"])))
    if op == "min":
        return np.asarray(np.amin(x, axis=_axis(a["axis"]), keepdims=bool(a["keepdims"])))
    if op == "reshape":
        return np.reshape(x, a["shape"])
    if op == "concat":
        return np.concatenate([x, y], axis=a["axis"])
    if op == "mse":
        return np.asarray(np.mean((x - y) ** 2))
    if op == "sigmoid_bce":
        return np.asarray(np.mean(np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x)))))
    if op == "softmax_ce":
        per_row = -(y * _log_softmax_last(x)).sum(axis=-1)
        return np.asarray(np.mean(per_row))
    raise KeyError(op)


# ---------------------------------------------------------------------------- evaluation
class Evaluator:
    """Forward values of a doc, with cheap re-evaluation when one node's value is overridden."""

    def __init__(self, doc):
        self.doc = doc
        self.order = topo_order(doc)
        self.nodes = {n["id"]: n for n in doc["nodes"]}
        self.ports = inputs_of(doc)
        self.values = {}
        for nid in self.order:
            self.values[nid] = self._compute(nid, self.values)
        self._below = {}

    def _compute(self, nid, values):
        node = self.nodes[nid]
        if node["op"] in LEAVES:
            return np.array(node["value"], dtype=np.float64)
        return apply_op(node["op"], node.get("attrs") or {},
                        [values[s] for s in self.ports[nid]])

    def loss_with(self, nid, value, loss):
        """The loss when node ``nid`` holds ``value`` (its descendants recomputed)."""
        if nid == loss:
            return float(np.asarray(value).reshape(-1)[0])
        below = self._below.get(nid)
        if below is None:
            below = self._below[nid] = descendants(self.doc, nid)
        if loss not in below:
            return float(np.asarray(self.values[loss]).reshape(-1)[0])
        values = dict(self.values)
        values[nid] = value
        for other in self.order:
            if other in below:
                values[other] = self._compute(other, values)
        return float(np.asarray(values[loss]).reshape(-1)[0])


def evaluate(doc) -> dict[str, np.ndarray]:
    """Every node's forward value."""
    return Evaluator(doc).values


def fd_grads(doc, of=None, rel_step=1e-3) -> tuple[dict, dict]:
    """(values, d loss / d node for every node) by central finite differences.

    Each element gets a step h = rel_step · max(0.1, |x|) (its own scale); the 5-point stencil
    is combined at h and h/2 by Richardson extrapolation (error O(h⁶)).
    """
    ev = Evaluator(doc)
    loss = loss_id(doc, of)
    grads = {}
    for nid in ev.order:
        base = ev.values[nid]
        g = np.zeros(base.shape)
        below = descendants(doc, nid)
        if nid == loss or loss in below:
            flat = base.reshape(-1)
            for i in range(flat.size):
                h = rel_step * max(0.1, abs(flat[i]))

                def f(t, i=i):
                    bumped = flat.copy()
                    bumped[i] += t
                    return ev.loss_with(nid, bumped.reshape(base.shape), loss)

                def d5(s):
                    return (-f(2 * s) + 8 * f(s) - 8 * f(-s) + f(-2 * s)) / (12 * s)

                g.reshape(-1)[i] = (64 * d5(h / 2) - d5(h)) / 63
        grads[nid] = g
    return ev.values, grads


# ---------------------------------------------------------------------------- torch
def torch_grads(doc, of=None) -> tuple[dict, dict]:
    """(values, gradients) from PyTorch autograd in float64."""
    import torch
    from torch_ops import TORCH_OPS

    nodes = {n["id"]: n for n in doc["nodes"]}
    ports = inputs_of(doc)
    t = {}
    for nid in topo_order(doc):
        node = nodes[nid]
        if node["op"] in LEAVES:
            t[nid] = torch.tensor(node["value"], dtype=torch.float64, requires_grad=True)
        else:
            a = {**DEFAULTS.get(node["op"], {}), **(node.get("attrs") or {})}
            t[nid] = TORCH_OPS[node["op"]](*[t[s] for s in ports[nid]], a)
            t[nid].retain_grad()
    loss = t[loss_id(doc, of)]
    loss.backward(torch.ones_like(loss))
    values = {k: v.detach().numpy().copy() for k, v in t.items()}
    grads = {k: (np.zeros(values[k].shape) if v.grad is None else v.grad.numpy().copy())
             for k, v in t.items()}
    return values, grads


def close(a, b, rtol=1e-6, atol=1e-9) -> bool:
    """np.allclose with equal shapes required."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def assert_matches(result: dict, values: dict, grads: dict, what="", rtol=1e-6, atol=1e-9):
    """``result`` = the CLI's {"values", "grads"}: every node, both maps, close to the oracle."""
    assert list(result["values"]) == list(result["grads"])
    assert set(result["values"]) == set(values), what
    for nid in values:
        got_v, got_g = np.asarray(result["values"][nid]), np.asarray(result["grads"][nid])
        assert close(got_v, values[nid], rtol, atol), f"{what}: value of {nid!r}: {got_v} vs {values[nid]}"
        assert close(got_g, grads[nid], rtol, atol), (
            f"{what}: grad of {nid!r}: {got_g} vs {grads[nid]}; max diff "
            f"{np.max(np.abs(got_g - grads[nid])) if got_g.shape == grads[nid].shape else 'shape'}")
