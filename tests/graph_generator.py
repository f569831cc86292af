"""Random valid format-v1 graphs, written independently of ``engine`` (it never imports it).

``random_graph(seed)`` builds a DAG that mixes every op of the design table with valid shapes:
broadcasting pairs, sum/mean/max/min with int/list/negative axes and keepdims, softmax on axis 0
and -1, the three losses, pow with exponents 2, 3, -1, -2, 0.5, 1.5, -0.5 on positive inputs,
matmul of 1-D/2-D operands, transpose, reshape (with a -1 or without), concat along any axis,
maximum/minimum with broadcasting, sin/cos/square/reciprocal, nodes reused on several paths
(``mul(x, x)`` too) and one scalar loss. Each node's value is checked with the oracle's numpy
evaluator as it is added, so inputs of kinks, ties and domain edges (relu, abs, log, sqrt, pow,
div, reciprocal, maximum, max) stay well away from them.
"""
from __future__ import annotations

import numpy as np

from oracle import apply_op

UNARY = ("neg", "exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "leaky_relu", "pow",
         "transpose", "sum", "mean", "softmax", "sin", "cos", "square", "reciprocal", "max", "min",
         "reshape")
BINARY = ("add", "sub", "mul", "div", "matmul", "maximum", "minimum", "concat")
LOSSES = ("mse", "sigmoid_bce", "softmax_ce")
ALL_OPS = UNARY + BINARY + LOSSES
EXPONENTS = (2, 3, -1, -2, 0.5, 1.5, -0.5)
SHAPES = ((), (1,), (2,), (3,), (4,), (2, 3), (3, 2), (1, 3), (2, 1), (3, 3))
POSITIVE_ONLY = ("log", "sqrt")
WINDOW = 6


class Builder:
    """A graph under construction, with every node's value known."""

    def __init__(self, rng: np.random.Generator, prefix="n"):
        self.rng = rng
        self.prefix = prefix
        self.nodes, self.edges = [], []
        self.values, self.used = {}, {}
        self.leaves = set()
        self.ops_used = []

    # ---------------------------------------------------------------- leaves
    def leaf(self, shape, kind="signed") -> str:
        """A fresh input/constant/parameter; kind: signed (|v| in [0.3, 1.5]), positive, unit."""
        rng = self.rng
        if kind == "positive":
            v = rng.uniform(0.4, 2.0, size=shape)
        elif kind == "unit":
            v = rng.uniform(0.1, 0.9, size=shape)
        elif kind == "soft":
            v = rng.uniform(0.1, 1.0, size=shape)
            if len(shape):
                v = v / v.sum(axis=-1, keepdims=True)
        else:
            v = rng.uniform(0.3, 1.5, size=shape) * rng.choice([-1.0, 1.0], size=shape)
        op = str(rng.choice(["input", "constant", "parameter"]))
        nid = f"{self.prefix}{len(self.nodes)}_{op[:5]}"
        node = {"id": nid, "op": op, "attrs": {}, "value": np.asarray(v).tolist()}
        if op == "parameter" and rng.random() < 0.5:
            node["attrs"] = {"init": "normal", "seed": int(rng.integers(10))}
        self._add(node, np.asarray(v, dtype=np.float64))
        self.leaves.add(nid)
        return nid

    def _add(self, node, value):
        if self.rng.random() < 0.7:
            node["position"] = [int(self.rng.integers(0, 900)), int(self.rng.integers(0, 600))]
        self.nodes.append(node)
        self.values[node["id"]] = value
        self.used[node["id"]] = 0

    # ---------------------------------------------------------------- ops
    def op(self, name, sources, attrs=None, strict=True) -> str | None:
        """Add ``name(sources)`` if its inputs and output are safe; None otherwise.

        ``strict=False`` (the final sums of the loss) lets values grow up to 1000."""
        xs = [self.values[s] for s in sources]
        attrs = attrs or {}
        if strict and not safe_inputs(name, attrs, xs):
            return None
        try:
            with np.errstate(all="raise"):
                out = np.asarray(apply_op(name, attrs, xs), dtype=np.float64)
        except (FloatingPointError, ValueError):
            return None
        limit = 30 if strict else 1000
        if not np.all(np.isfinite(out)) or np.max(np.abs(out), initial=0) > limit or out.size > 12:
            return None
        nid = f"{self.prefix}{len(self.nodes)}_{name}"
        self._add({"id": nid, "op": name, "attrs": attrs}, out)
        for port, s in enumerate(sources):
            self.edges.append({"source": s, "target": nid, "port": port})
            self.used[s] += 1
        self.ops_used.append(name)
        return nid

    def pick(self, ok=lambda v: True) -> str | None:
        """An existing node whose value passes ``ok``, recent ones more likely."""
        ids = [i for i, v in self.values.items() if ok(v)]
        if not ids:
            return None
        w = np.arange(1, len(ids) + 1, dtype=float)
        return ids[int(self.rng.choice(len(ids), p=w / w.sum()))]

    def with_shape(self, shape, kind="signed") -> str:
        """An existing node of exactly ``shape`` (sometimes), else a fresh leaf."""
        if self.rng.random() < 0.4:
            found = self.pick(lambda v: v.shape == tuple(shape) and (
                kind == "signed" or np.min(v, initial=1) > 0.2))
            if found:
                return found
        return self.leaf(tuple(shape), kind)

    def try_add(self, name) -> str | None:
        rng = self.rng
        if name in ("log", "sqrt") or (name == "pow" and rng.random() < 0.8):
            exponent = float(rng.choice(EXPONENTS)) if name == "pow" else None
            x = self.pick(lambda v: v.size and np.min(v) > 0.3 and np.max(v) < 8)
            if x is None or rng.random() < 0.3:
                x = self.leaf(SHAPES[rng.integers(len(SHAPES))], "positive")
            if name != "pow":
                return self.op(name, [x])
            attrs = {} if exponent == 2 and rng.random() < 0.5 else {"exponent": exponent}
            return self.op(name, [x], attrs)
        if name in UNARY:
            x = self.pick(lambda v: v.size > 0)
            if name == "pow":
                return self.op(name, [x], {"exponent": float(rng.choice([2, 3]))})
            if name in ("sum", "mean", "max", "min"):
                return self.op(name, [x], random_reduction(rng, self.values[x].ndim))
            if name == "reshape":
                return self.op(name, [x], {"shape": random_reshape(rng, self.values[x].size)})
            if name == "softmax":
                x = self.pick(lambda v: v.ndim >= 1) or self.leaf((3,))
                axis = int(rng.choice([0, -1]))
                return self.op(name, [x], {} if axis == -1 and rng.random() < 0.3 else {"axis": axis})
            if name == "leaky_relu":
                slope = float(rng.choice([0.01, 0.1, 0.2]))
                return self.op(name, [x], {} if slope == 0.01 else {"slope": slope})
            return self.op(name, [x])
        if name == "matmul":
            return self._matmul()
        if name == "concat":
            return self._concat()
        if name in ("maximum", "minimum"):             # a fresh partner when one ties
            a = self.pick()
            b = self.with_shape(partner_shape(rng, self.values[a].shape))
            return self.op(name, [a, b]) or self.op(name, [b, self.leaf(self.values[a].shape)])
        if name in BINARY:
            a = self.pick()
            if rng.random() < 0.2 and name in ("mul", "add", "sub"):
                return self.op(name, [a, a])           # mul(x, x): one node, two ports
            shape = partner_shape(rng, self.values[a].shape)
            kind = "positive" if name == "div" else "signed"
            b = self.with_shape(shape, kind)
            pair = [a, b] if rng.random() < 0.5 or name == "div" else [b, a]
            return self.op(name, pair)
        # losses
        if name == "softmax_ce":
            z = self.pick(lambda v: v.ndim >= 1) or self.leaf((2, 3))
        else:
            z = self.pick(lambda v: v.size > 0)
        shape = self.values[z].shape
        if rng.random() < 0.25:
            y = self.pick(lambda v: v.shape == shape) or z
        else:
            y = self.leaf(shape, {"mse": "signed", "sigmoid_bce": "unit", "softmax_ce": "soft"}[name])
        return self.op(name, [z, y])

    def _matmul(self):
        rng = self.rng
        a = self.pick(lambda v: v.ndim in (1, 2))
        if a is None:
            a = self.leaf((2, 3))
        sa = self.values[a].shape
        if rng.random() < 0.5:                       # a on the left: b is (n,) or (n, k)
            n = sa[-1]
            b = self.with_shape((n,) if rng.random() < 0.3 else (n, int(rng.integers(1, 4))))
            return self.op("matmul", [a, b])
        n = sa[0]                                     # a on the right: left is (n,) or (m, n)
        b = self.with_shape((n,) if rng.random() < 0.3 else (int(rng.integers(1, 4)), n))
        return self.op("matmul", [b, a])

    def _concat(self):
        rng = self.rng
        a = self.pick(lambda v: v.ndim >= 1) or self.leaf((2,))
        shape = self.values[a].shape
        axis = int(rng.integers(-len(shape), len(shape)))
        other = list(shape)
        other[axis] = int(rng.integers(1, 4))
        b = self.with_shape(tuple(other))
        attrs = {} if axis == 0 and rng.random() < 0.5 else {"axis": axis}
        return self.op("concat", [a, b] if rng.random() < 0.5 else [b, a], attrs)

    # ---------------------------------------------------------------- the loss
    def finish(self, dangling: bool) -> dict:
        """Reduce every sink to a scalar and add them up; maybe leave one node off the loss."""
        rng = self.rng
        scalars = []
        for nid in [i for i, n in self.used.items() if n == 0]:
            v = self.values[nid]
            if v.ndim == 0 and nid not in self.leaves:
                scalars.append(nid)
                continue
            red = str(rng.choice(["sum", "mean"]))
            attrs = {} if rng.random() < 0.5 else {"axis": None, "keepdims": bool(rng.random() < 0.3)}
            scalars.append(self.op(red, [nid], attrs, strict=False))
        total = scalars[0]
        for s in scalars[1:]:
            how = str(rng.choice(["add", "add", "sub", "mul"]))
            total = self.op(how, [total, s], strict=False) or self.op("add", [total, s], strict=False)
        doc = {"format": "backprop-studio-graph", "version": 1,
               "nodes": self.nodes, "edges": self.edges}
        if dangling:
            x = self.pick(lambda v: v.size > 0 and np.max(np.abs(v)) < 5)
            self.op("tanh", [x])
            self.leaf((2,))                           # a leaf nothing uses
            doc["loss"] = total
        elif rng.random() < 0.6:
            doc["loss"] = total
        return doc


def safe_inputs(name, attrs, xs) -> bool:
    """Inputs well away from kinks and domain edges, and small enough to stay tame."""
    x = xs[0]
    if any(v.size and np.max(np.abs(v)) > 20 for v in xs):
        return False
    if name in ("relu", "abs", "leaky_relu"):
        return np.min(np.abs(x), initial=1) > 0.05
    if name in POSITIVE_ONLY:
        return np.min(x, initial=1) > 0.2
    if name == "pow":
        e = float(attrs.get("exponent", 2.0))
        if e in (2.0, 3.0):
            return np.max(np.abs(x), initial=0) < 4
        return np.min(x, initial=1) > 0.2
    if name == "exp":
        return np.max(x, initial=0) < 2.5
    if name == "div":
        return np.min(np.abs(xs[1]), initial=1) > 0.3
    if name == "reciprocal":
        return np.min(np.abs(x), initial=1) > 0.3
    if name == "square":
        return np.max(np.abs(x), initial=0) < 5
    if name in ("maximum", "minimum"):                  # no ties: each element has a winner
        return np.min(np.abs(x - xs[1]), initial=1) > 0.05
    if name in ("max", "min"):
        return extremes_are_unique(x, attrs.get("axis"), 0.05)
    if name == "mul":
        return np.max(np.abs(x), initial=0) * np.max(np.abs(xs[1]), initial=0) < 30
    return True


def extremes_are_unique(x, axis, gap) -> bool:
    """True when the largest and the smallest value over ``axis`` lead the runner-up by
    ``gap`` (finite differences must not cross a tie)."""
    axes = tuple(range(x.ndim)) if axis is None else (
        (axis,) if isinstance(axis, int) else tuple(axis))
    axes = tuple(a % x.ndim for a in axes) if x.ndim else ()
    rest = [a for a in range(x.ndim) if a not in axes]
    groups = np.transpose(x, rest + list(axes)).reshape(
        int(np.prod([x.shape[a] for a in rest])), -1)
    if groups.shape[1] < 2:
        return True
    ordered = np.sort(groups, axis=1)
    return bool(np.all(ordered[:, -1] - ordered[:, -2] > gap)
                and np.all(ordered[:, 1] - ordered[:, 0] > gap))


def random_reshape(rng, size) -> list:
    """A shape of ``size`` elements (0 to 3 axes), one size replaced by -1 half the time."""
    ndim = int(rng.integers(0 if size == 1 else 1, 4))
    shape, left = [], size
    for _ in range(ndim - 1):
        shape.append(int(rng.choice([d for d in range(1, left + 1) if left % d == 0])))
        left //= shape[-1]
    shape = [int(n) for n in rng.permutation(shape + [left])] if ndim else []
    if shape and rng.random() < 0.5:
        shape[int(rng.integers(len(shape)))] = -1
    return shape


def partner_shape(rng, shape) -> tuple:
    """A shape that broadcasts with ``shape`` (same, ones in places, a suffix, or bigger)."""
    shape = tuple(shape)
    choice = rng.integers(5)
    if choice == 0 or not shape:
        return shape if rng.random() < 0.5 or shape else (3,)
    if choice == 1:
        return tuple(1 if rng.random() < 0.5 else d for d in shape)
    if choice == 2:
        return shape[int(rng.integers(1, len(shape) + 1)):]
    if choice == 3 and len(shape) == 1:
        return (2, shape[0])
    return ()


def random_reduction(rng, ndim) -> dict:
    """sum/mean attrs: axis None, an int or a list (negatives too), keepdims either way."""
    keep = bool(rng.random() < 0.5)
    if ndim == 0 or rng.random() < 0.25:
        return {"axis": None, "keepdims": keep} if rng.random() < 0.7 else {}
    axes = [int(a) for a in rng.permutation(ndim)[: int(rng.integers(1, ndim + 1))]]
    axes = [a - ndim if rng.random() < 0.5 else a for a in axes]
    axis = axes[0] if len(axes) == 1 and rng.random() < 0.6 else axes
    return {"axis": axis, "keepdims": keep}


def random_graph(seed: int, size: int | None = None) -> dict:
    """A valid format-v1 dict with a single scalar loss (``doc["loss"]`` or the only sink)."""
    rng = np.random.default_rng(seed)
    b = Builder(rng)
    n_ops = size or int(rng.integers(6, 13))
    # a window of ops that moves on with the seed comes first, so a run of seeds covers them all
    start = (seed * WINDOW) % len(ALL_OPS)
    window = [ALL_OPS[(start + i) % len(ALL_OPS)] for i in range(WINDOW)]
    wanted = [str(op) for op in rng.permutation([op for op in ALL_OPS if op not in window])]
    wanted += [str(op) for op in rng.permutation(window)]      # pop() takes from the end
    for _ in range(4 * n_ops):
        if len(b.ops_used) >= n_ops:
            break
        if not b.values:
            b.leaf(SHAPES[rng.integers(len(SHAPES))])
        name = wanted.pop() if wanted else str(rng.choice(ALL_OPS))
        if b.try_add(name) is None and rng.random() < 0.5:
            wanted.insert(0, name)
    return b.finish(dangling=bool(rng.random() < 0.25))


def scalar_nodes(doc, values) -> list[str]:
    """Non-leaf nodes holding one element (candidates for ``--of``)."""
    return [n["id"] for n in doc["nodes"]
            if n["op"] not in ("input", "constant", "parameter") and values[n["id"]].size == 1]
