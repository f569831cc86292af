"""Gradient health (engine/health.py): vanishing, exploding and dead-ReLU badges on constructed
graphs, and none on the shipped examples."""
import numpy as np
import pytest

import engine
from conftest import EXAMPLES
from engine.evaluate import evaluate
from engine.health import DEAD_RELU, EXPLODING, VANISHING, gradient_health
from graphs import build


def health(graph):
    graph.backward()
    return gradient_health(graph.trace)


def kinds(found) -> dict:
    return {node: sorted(b.kind for b in badges) for node, badges in found.items()}


def test_a_saturated_tanh_makes_the_gradient_vanish_upstream():
    g = build([("x", "input", 1.0), ("w", "parameter", 9.0), ("z", "mul"), ("h", "tanh"),
               ("c", "constant", 2.0), ("L", "mul")],
              [("x", "z", 0), ("w", "z", 1), ("z", "h", 0), ("h", "L", 0), ("c", "L", 1)])
    found = health(g)
    assert kinds(found) == {"x": [VANISHING], "w": [VANISHING], "z": [VANISHING]}
    text = found["w"][0].text
    assert text.startswith("vanishing gradient: |∂L/∂w| ≤ ") and "10⁻⁶" in text
    assert "\n" not in text


def test_a_product_of_large_factors_explodes():
    nodes, edges, previous = [("x", "input", 1.0)], [], "x"
    for k in range(3):
        nodes += [(f"c{k}", "constant", 1000.0), (f"m{k}", "mul")]
        edges += [(previous, f"m{k}", 0), (f"c{k}", f"m{k}", 1)]
        previous = f"m{k}"
    g = build(nodes, edges)
    found = health(g)
    assert kinds(found) == {"x": [EXPLODING]}      # ∂m2/∂x = 10⁹; the rest ≤ 10⁶
    assert "reaches 1e+09 (> 10⁶)" in found["x"][0].text


def test_a_dead_relu_is_badged_and_the_exact_zeros_behind_it_are_not_vanishing():
    g = build([("x", "input", np.array([[-1.0, -2.0], [-0.5, 0.0]])), ("r", "relu"),
               ("L", "sum")], [("x", "r", 0), ("r", "L", 0)])
    found = health(g)
    assert kinds(found) == {"r": [DEAD_RELU]}
    assert found["r"][0].text == ("dead ReLU: all 4 of its inputs are ≤ 0 on this batch, so "
                                  "it outputs 0 and passes no gradient back")
    alive = build([("x", "input", np.array([-1.0, 0.5])), ("r", "relu"), ("L", "sum")],
                  [("x", "r", 0), ("r", "L", 0)])
    assert health(alive) == {}
    leaky = build([("x", "input", -1.0), ("r", "leaky_relu"), ("L", "neg")],
                  [("x", "r", 0), ("r", "L", 0)])
    assert health(leaky) == {}


def test_cancelled_contributions_and_nodes_the_loss_ignores_are_not_vanishing():
    # b's gradient is the sum of +1 and -1 over a balanced batch: it cancels to 0, not vanishes
    g = build([("a", "input", np.array([1.0, -1.0])), ("b", "parameter", np.array([0.0])),
               ("s", "add"), ("t", "input", np.array([0.0, 0.0])), ("m", "mul"),
               ("L", "sum"), ("u", "input", 1.0), ("v", "neg")],
              [("a", "s", 0), ("b", "s", 1), ("s", "m", 0), ("a", "m", 1), ("m", "L", 0),
               ("u", "v", 0)])
    g.loss = "L"
    grads = g.backward()
    assert float(grads["b"][0]) == 0.0
    assert gradient_health(g.trace) == {}


def test_the_thresholds_are_relative_for_vanishing_and_absolute_for_exploding():
    def scaled(c):
        return build([("x", "input", 1.0), ("c", "constant", c), ("m", "mul")],
                     [("x", "m", 0), ("c", "m", 1)])
    assert kinds(health(scaled(1e-7))) == {"x": [VANISHING]}    # 1e-7 < 1e-6 × 1 (the seed)
    assert health(scaled(1e-5)) == {}
    assert health(scaled(1e6)) == {}                             # not above 10⁶
    assert kinds(health(scaled(2e6))) == {"x": [EXPLODING]}


def test_no_trace_or_a_forward_only_trace_has_no_gradient_badges():
    assert gradient_health(None) == {}
    g = build([("x", "input", -1.0), ("r", "relu"), ("a", "neg"), ("b", "neg")],
              [("x", "r", 0), ("r", "a", 0), ("r", "b", 0)])
    ev = evaluate(g)          # two ends, no loss: values only
    assert not ev.grads
    assert kinds(gradient_health(ev.trace)) == {"r": [DEAD_RELU]}


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_the_shipped_examples_are_healthy(path):
    """All but vanishing_gradients, which shows the badge on purpose
    (tests/test_examples_explain.py)."""
    ev = evaluate(engine.load_graph(path))
    assert ev.grads and ev.status is None
    found = gradient_health(ev.trace)
    if path.stem == "vanishing_gradients":
        assert set(found) == {"x", "w1", "z", "s1"}
    else:
        assert found == {}
