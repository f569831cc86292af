"""The math of the shipped examples, and whole-graph finite-difference checks on random
multi-op tensor graphs (broadcasting, reductions, reused nodes)."""
import math

import numpy as np
import pytest

from conftest import EXAMPLES
from engine import Graph, load_graph
from engine.gradcheck import check_gradients

# ---------------------------------------------------------------- the example files


@pytest.mark.parametrize("x", [-1.5, -0.5, 0.0, 1.0, 1.5, 2.5])
def test_chain_rule_file_gives_6x_times_x2_plus_1_squared(x):
    g = load_graph(EXAMPLES / "chain_rule.json")
    assert float(g.node("x").value) == 1.5
    g.set_value("x", x)
    values, grads = g.forward(), g.backward()
    assert float(values["y"]) == pytest.approx((x * x + 1) ** 3, rel=1e-15)
    assert float(grads["x"]) == pytest.approx(6 * x * (x * x + 1) ** 2, rel=1e-14, abs=1e-14)


def test_chain_rule_file_at_its_own_x():
    grads = load_graph(EXAMPLES / "chain_rule.json").backward()
    assert float(grads["x"]) == 95.0625   # 9 · 3.25², exact in binary


@pytest.mark.parametrize("t", [-1.0, 0.5, 1.7])
def test_two_paths_file_sums_both_paths(t):
    g = load_graph(EXAMPLES / "two_paths.json")
    g.set_value("t", t)
    grads = g.backward()
    x, y = t * t, math.exp(t)
    assert float(grads["x"]) == pytest.approx(y)       # ∂z/∂x
    assert float(grads["y"]) == pytest.approx(x)       # ∂z/∂y
    assert float(grads["t"]) == pytest.approx(y * 2 * t + x * math.exp(t), rel=1e-14)


def test_neuron_file_matches_micrograd_by_hand():
    g = load_graph(EXAMPLES / "neuron.json")
    values, grads = g.forward(), g.backward()
    o = math.tanh(2 * -3 + 0 * 1 + 6.8813735870195432)
    assert float(values["o"]) == pytest.approx(o, rel=1e-15)
    assert o == pytest.approx(math.sqrt(0.5), rel=1e-12)
    dL_do = 2 * (o - 1.0)
    dL_dn = dL_do * (1 - o * o)
    expected = {"o": dL_do, "n": dL_dn, "b": dL_dn, "x1w1": dL_dn, "x2w2": dL_dn,
                "x1": dL_dn * -3.0, "w1": dL_dn * 2.0, "x2": dL_dn * 1.0, "w2": dL_dn * 0.0,
                "target": -dL_do}
    for node, value in expected.items():
        assert float(grads[node]) == pytest.approx(value, rel=1e-12, abs=1e-15), node
    assert float(grads["n"]) / dL_do == pytest.approx(0.5)   # micrograd: do/dn = 0.5


def test_softmax_classifier_file_matches_numpy():
    g = load_graph(EXAMPLES / "softmax_classifier.json")
    X, W, b, Y = (g.node(k).value for k in ("X", "W", "b", "Y"))
    logits = X @ W + b
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    loss = -np.mean(np.sum(Y * np.log(p), axis=1))
    values, grads = g.forward(), g.backward()
    assert float(values["loss"]) == pytest.approx(loss, rel=1e-14)
    g_logits = (p - Y) / len(X)
    np.testing.assert_allclose(grads["logits"], g_logits, rtol=1e-12)
    np.testing.assert_allclose(grads["W"], X.T @ g_logits, rtol=1e-12)
    np.testing.assert_allclose(grads["b"], g_logits.sum(axis=0), rtol=1e-12, atol=1e-17)


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.json")))
def test_every_example_passes_a_finite_difference_check(name):
    g = load_graph(EXAMPLES / name)
    grads = g.backward()
    errors = check_gradients(g)
    for node, error in errors.items():
        assert error <= 1e-6 * max(1.0, float(np.abs(grads[node]).max(initial=0))), node


# ---------------------------------------------------------------- random graphs
SHAPES = [(3, 4), (4,), (1, 4), (3, 1), (), (4, 2)]


def random_graph(seed: int, n_ops: int = 12) -> Graph:
    """A random, well-conditioned tensor graph whose single loss depends on every node."""
    rng = np.random.default_rng(seed)
    g = Graph()
    shape, positive, bounded = {}, set(), set()

    def leaf(s, pos=False):
        nid = g.new_id("leaf")
        value = rng.uniform(0.5, 1.5, s) if pos else rng.uniform(-1.0, 1.0, s)
        g.add_node(nid, str(rng.choice(["input", "constant", "parameter"])), value=value)
        shape[nid] = tuple(s)
        bounded.add(nid)
        if pos:
            positive.add(nid)
        return nid

    def node(op, inputs, out_shape, attrs=None, pos=False, bound=False):
        nid = g.new_id(op)
        g.add_node(nid, op, attrs)
        for port, src in enumerate(inputs):
            g.connect(src, nid, port)
        shape[nid] = tuple(out_shape)
        if pos:
            positive.add(nid)
        if bound:
            bounded.add(nid)
        return nid

    def pick(pool=None):
        pool = sorted(pool if pool is not None else shape, key=list(shape).index)
        if not pool:
            return None
        weights = np.linspace(1.0, 3.0, len(pool))   # favour recent nodes, reuse old ones
        return pool[rng.choice(len(pool), p=weights / weights.sum())]

    for s in SHAPES[:3]:
        leaf(s, pos=bool(rng.integers(2)))
    for _ in range(n_ops):
        kind = rng.choice(["binary", "binary", "unary", "unary", "reduce", "matmul", "softmax"])
        a = pick()
        if kind == "binary":
            op = str(rng.choice(["add", "sub", "mul", "div"]))
            pool = [n for n in shape if _broadcasts(shape[a], shape[n])]
            if op == "div":
                pool = [n for n in pool if n in positive]
            if op == "sub":
                pool = [n for n in pool if n != a]   # a − a would sit on relu/abs kinks
            b = pick(pool) or leaf(shape[a], pos=True)
            out = np.broadcast_shapes(shape[a], shape[b])
            pos = op in ("add", "mul", "div") and a in positive and b in positive
            node(op, [a, b], out, pos=pos and a in bounded and b in bounded)
        elif kind == "unary":
            op = str(rng.choice(["neg", "tanh", "sigmoid", "abs", "relu", "leaky_relu", "exp",
                                 "log", "sqrt", "pow", "transpose"]))
            if op in ("log", "sqrt"):
                a = pick(positive) or leaf(shape[a], pos=True)
            if op in ("exp", "pow"):
                a = pick(bounded)
            attrs = {"exponent": float(rng.choice([2.0, 3.0, 0.5] if a in positive
                                                  else [2.0, 3.0]))} if op == "pow" else None
            out = shape[a][::-1] if op == "transpose" else shape[a]
            pos = op in ("exp", "sigmoid") or (op in ("sqrt", "pow") and a in positive)
            bound = op in ("tanh", "sigmoid", "neg", "abs", "relu", "leaky_relu",
                           "transpose") and a in bounded or op in ("tanh", "sigmoid")
            node(op, [a], out, attrs, pos=pos and (a in bounded or op == "sigmoid"),
                 bound=bound or (op == "exp" and a in bounded))
        elif kind == "reduce":
            nd = len(shape[a])
            axis = None if nd == 0 or rng.integers(3) == 0 else (
                int(rng.integers(-nd, nd)) if rng.integers(2) else list(range(nd))[:1])
            keep = bool(rng.integers(2))
            out = np.sum(np.zeros(shape[a]), axis=None if axis is None else tuple(
                np.atleast_1d(axis)), keepdims=keep).shape
            op = str(rng.choice(["sum", "mean"]))
            node(op, [a], out, {"axis": axis, "keepdims": keep},
                 bound=op == "mean" and a in bounded)
        elif kind == "matmul":
            a = pick([n for n in shape if len(shape[n]) in (1, 2)]) or leaf((3, 4))
            k = shape[a][-1]
            pool = [n for n in shape if len(shape[n]) in (1, 2) and shape[n][0] == k]
            b = pick(pool) or leaf((k, int(rng.integers(1, 4))))
            out = np.matmul(np.zeros(shape[a]), np.zeros(shape[b])).shape
            node("matmul", [a, b], out)
        else:
            a = pick([n for n in shape if len(shape[n]) >= 1]) or leaf((3, 4))
            axis = int(rng.choice([-1, 0]))
            node("softmax", [a], shape[a], {"axis": axis}, pos=True, bound=True)

    # a loss term against a target, then every sink summed into one scalar loss
    a = pick([n for n in shape if len(shape[n]) >= 1 and n in bounded]) or leaf((3, 4))
    loss_op = str(rng.choice(["mse", "sigmoid_bce", "softmax_ce"]))
    if loss_op == "softmax_ce":
        target = rng.uniform(0.1, 1.0, shape[a])
        target /= target.sum(axis=-1, keepdims=True)
    else:
        target = rng.uniform(0.0, 1.0, shape[a])
    y = g.new_id("target")
    g.add_node(y, "input", value=target)
    shape[y] = shape[a]
    node(loss_op, [a, y], ())
    total = None
    for sink in g.plan().sinks:
        s = sink if shape[sink] == () else node("sum", [sink], ())
        total = s if total is None else node("add", [total, s], ())
    g.loss = total
    return g


def _broadcasts(a, b) -> bool:
    try:
        np.broadcast_shapes(a, b)
        return True
    except ValueError:
        return False


@pytest.mark.parametrize("seed", range(25))
def test_random_graph_gradients_match_finite_differences(seed):
    g = random_graph(seed)
    assert g.check() == {}
    grads = g.backward()
    assert set(grads) == set(g.node_ids())
    for node in g.node_ids():
        assert grads[node].shape == g.values[node].shape, node
    errors = check_gradients(g)
    for node, error in errors.items():
        scale = max(1.0, float(np.abs(grads[node]).max(initial=0)))
        assert error <= 1e-6 * scale, (seed, node, error)


def test_random_graphs_reuse_nodes_broadcast_and_reduce():
    graphs = [random_graph(seed) for seed in range(25)]
    ops = {g.node(n).op for g in graphs for n in g.node_ids()}
    assert {"add", "mul", "matmul", "sum", "mean", "softmax", "div", "log"} <= ops
    fan_out = sum(1 for g in graphs for n in g.node_ids() if len(g.consumers(n)) > 1)
    assert fan_out >= 25
    shapes = [g.infer_shapes() for g in graphs]
    broadcasts = sum(1 for g, sh in zip(graphs, shapes) for n in g.node_ids()
                     if g.node(n).op in ("add", "sub", "mul", "div")
                     and len({sh[s] for s in g.input_sources(n)}) > 1)
    assert broadcasts >= 25
