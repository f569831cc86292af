"""Predict mode, headless (engine/predict): what each player step asks, its answer and
tolerance, and the six diagnoses — each fires on its own mistake and on no other. Every
mistaken value the tests type is computed here from the Trace or by hand, not read from the
module under test."""
import math

import numpy as np
import pytest

from conftest import EXAMPLES
from engine import Graph, load_graph
from engine.predict import (AT_OUTPUT, CONTRIBUTION, KINDS, LOCAL_ALONE, NEW_VALUE, ONE_PATH,
                            SIGN, SUM, UPSTREAM_ALONE, VALUE, WITH_GRADIENT, ask, check,
                            diagnose, largest_index, mistakes)
from engine.steps import player_steps
from engine.training.update_preview import preview_update


def passed(graph):
    graph.forward()
    graph.backward()
    return graph.trace


def setup(name_or_graph, granularity="edge"):
    graph = (load_graph(EXAMPLES / f"{name_or_graph}.json") if isinstance(name_or_graph, str)
             else name_or_graph)
    trace = passed(graph)
    params = [n for n in graph.node_ids() if graph.node(n).op == "parameter"]
    update = preview_update(graph.training, trace.values, trace.grads, params)
    steps = player_steps(trace, granularity, bool(update.parameters))
    return graph, trace, update, steps


def question(name_or_graph, k, granularity="edge", node=None, tolerance=None):
    """The question of player step k (from 1, as the caption counts)."""
    graph, trace, update, steps = setup(name_or_graph, granularity)
    return ask(trace, steps[k - 1], update, node, tolerance), trace, graph


def mul_xx(x=3.0):
    g = Graph()
    g.add_node("x", "input", value=x)
    g.add_node("y", "mul")
    g.connect("x", "y", 0)
    g.connect("x", "y", 1)
    return g


# ---------------------------------------------------------------- what each step asks
def test_steps_ask_values_edges_sums_and_the_new_parameter():
    g, trace, update, steps = setup("two_paths")
    asked = [ask(trace, s, update) for s in steps]
    assert asked[0] is None and asked[4] is None              # initial, loss seed
    assert [q.asks for q in asked[1:4]] == [VALUE] * 3
    assert asked[3].answer == float(trace.values["z"])
    assert [q.asks for q in asked[5:]] == [CONTRIBUTION, CONTRIBUTION, CONTRIBUTION, SUM]
    # t receives twice: the earlier arrival asks its own contribution, the last one the sum
    first, last = asked[7], asked[8]
    assert first.node == last.node == "t"
    assert first.answer == float(trace.backward_steps[2].contribution)
    assert last.answer == float(trace.grads["t"])
    assert [t.earlier for t in last.terms] == [True, False]


def test_edge_granularity_asks_each_contribution_then_the_sum_node_granularity_the_sum():
    _g, trace, update, steps = setup(mul_xx(3.0), "edge")
    questions = [ask(trace, s, update) for s in steps if s.phase == "backward"]
    assert [(q.asks, q.answer) for q in questions] == [(CONTRIBUTION, 3.0), (SUM, 6.0)]
    _g, trace, update, steps = setup(mul_xx(3.0), "node")
    (q,) = [ask(trace, s, update) for s in steps if s.phase == "backward"]
    assert (q.asks, q.answer, len(q.terms)) == (SUM, 6.0, 2)


def test_a_step_sending_to_several_nodes_asks_the_first_or_the_one_named():
    q, trace, _g = question("neuron", 14, "node")           # x1w1 sends to x1 and w1
    assert q.node == "x1" and q.answer == float(trace.grads["x1"])
    q, trace, _g = question("neuron", 14, "node", node="w1")
    assert q.node == "w1" and q.answer == float(trace.grads["w1"])
    with pytest.raises(ValueError, match="sends to x1, w1, not b"):
        question("neuron", 14, "node", node="b")


def test_the_update_asks_a_parameters_new_value():
    q, trace, _g = question("line_fit", 12)
    assert (q.asks, q.node) == (NEW_VALUE, "w")
    assert q.answer == pytest.approx(1.0 - 0.1 * float(trace.grads["w"]), rel=1e-15)
    q, trace, _g = question("line_fit", 12, node="b")
    assert q.answer == pytest.approx(0.0 - 0.1 * float(trace.grads["b"]), abs=1e-15)


def test_a_tensor_asks_its_largest_element_first_in_row_major_order_on_ties():
    assert largest_index(np.array([1.0, -3.0, 3.0])) == (1,)
    assert largest_index(np.array([[0.0, 2.0], [-2.0, 1.0]])) == (0, 1)
    assert largest_index(np.array(5.0)) == ()
    g = Graph()
    g.add_node("x", "input", value=[[1.0, -3.0], [3.0, 0.5]])
    g.add_node("t", "tanh")
    g.add_node("L", "sum")
    g.connect("x", "t", 0)
    g.connect("t", "L", 0)
    q, trace, _g = question(g, 2)                          # forward tanh
    assert q.index == (0, 1) and q.answer == math.tanh(-3.0) and q.element == "[0, 1]"
    q, trace, _g = question(g, 5)                          # L → t: all ones, a tie
    assert q.index == (0, 0) and q.answer == 1.0
    q, trace, _g = question(g, 6)                          # t → x: 1 − tanh², largest at 0.5
    assert q.index == (1, 1)
    assert q.answer == pytest.approx(1 - math.tanh(0.5) ** 2, rel=1e-15)


# ---------------------------------------------------------------- right within tolerance
def test_right_within_1e_3_of_the_larger_of_the_answer_and_the_cards_numbers():
    q, _t, _g = question("chain_rule", 9)                  # 31.6875 × 3 = 95.0625
    assert q.scale == 95.0625 and q.tolerance == 1e-3
    assert check(q, 95.0625 * (1 + 0.9e-3)).right
    assert not check(q, 95.0625 * (1 + 1.1e-3)).right
    assert check(q, 95.06).right                           # the card's 6 digits multiplied
    g = load_graph(EXAMPLES / "two_paths.json")
    g.set_value("t", -2.0)                                 # the two paths cancel: the sum is 0
    q, trace, _g = question(g, 9)
    assert q.answer == 0.0 and q.scale == 4.0              # the upstream ∂z/∂y = x = 4
    assert check(q, 3.9e-3).right and not check(q, 4.1e-3).right


def test_a_lessons_tolerance_replaces_the_default():
    q, _t, _g = question("chain_rule", 9, tolerance=0.05)
    assert check(q, 95.0625 * 1.04).right and not check(q, 95.0625 * 1.06).right


# ---------------------------------------------------------------- the diagnoses
def chain_edge():
    """chain_rule, step 9: x_squared → x, upstream ∂y/∂x_squared = 31.6875, local 2x = 3."""
    q, trace, _g = question("chain_rule", 9)
    s = trace.backward_steps[3]
    return q, {UPSTREAM_ALONE: float(s.upstream), LOCAL_ALONE: 2 * 1.5,
               SIGN: -float(trace.grads["x"])}


def sum_at_t():
    """two_paths, step 9: t's two contributions, y·dy/dt and x's path."""
    q, trace, _g = question("two_paths", 9)
    t = 0.5
    via_y, via_x = t * t * math.exp(t), math.exp(t) * 2 * t
    return q, {ONE_PATH: via_y, SIGN: -(via_y + via_x), LOCAL_ALONE: via_y + 2 * t}


def tanh_edge():
    """neuron, edge granularity, step 11: o = tanh(n) sends to n; the at-output mistake
    evaluates 1 − tanh² at o instead of n."""
    q, trace, _g = question("neuron", 11)
    o, n = float(trace.values["o"]), float(trace.values["n"])
    upstream = float(trace.grads["o"])
    return q, {UPSTREAM_ALONE: upstream, LOCAL_ALONE: 1 - math.tanh(n) ** 2,
               SIGN: -upstream * (1 - math.tanh(n) ** 2),
               AT_OUTPUT: upstream * (1 - math.tanh(o) ** 2)}


def sigmoid_edge():
    g = Graph()
    g.add_node("z", "input", value=1.5)
    g.add_node("s", "sigmoid")
    g.add_node("k", "constant", value=3.0)
    g.add_node("L", "mul")
    g.connect("z", "s", 0)
    g.connect("s", "L", 0)
    g.connect("k", "L", 1)
    q, trace, _g = question(g, 7)                          # s → z
    sig = lambda v: 1 / (1 + math.exp(-v))                # noqa: E731
    s = sig(1.5)
    return q, {UPSTREAM_ALONE: 3.0, LOCAL_ALONE: s * (1 - s), SIGN: -3.0 * s * (1 - s),
               AT_OUTPUT: 3.0 * sig(s) * (1 - sig(s))}


def sgd_update():
    q, trace, _g = question("line_fit", 12)
    g = float(trace.grads["w"])
    return q, {WITH_GRADIENT: 1.0 + 0.1 * g, SIGN: -(1.0 - 0.1 * g)}


CASES = {"chain": chain_edge, "sum": sum_at_t, "tanh": tanh_edge, "sigmoid": sigmoid_edge,
         "update": sgd_update}


@pytest.mark.parametrize("case", CASES)
def test_each_diagnosis_fires_on_its_own_mistake_and_on_no_other(case):
    q, expected = CASES[case]()
    for kind, value in expected.items():
        found = diagnose(q, value)
        assert found is not None and found.kind == kind, (case, kind, value, found)
        verdict = check(q, value)
        assert not verdict.right and verdict.diagnosis == found
    # a wrong number that is none of the mistakes gets no diagnosis
    assert diagnose(q, q.answer * 1.37 + 0.11) is None
    # and the right answer is right, never diagnosed
    assert check(q, q.answer).right and check(q, q.answer).diagnosis is None


def test_every_kind_is_covered_by_the_cases():
    covered = {kind for make in CASES.values() for kind in make()[1]}
    assert covered == set(KINDS)


def test_one_path_matches_either_path():
    q, trace, _g = question("two_paths", 9)
    for step in trace.backward_steps[2:]:
        assert diagnose(q, float(step.contribution)).kind == ONE_PATH


def test_a_mistake_that_gives_the_right_answer_is_not_offered():
    q, _t, _g = question("chain_rule", 7)           # add: the upstream alone is the answer
    assert UPSTREAM_ALONE not in {d.kind for d in mistakes(q)}
    assert check(q, q.answer).right


def test_when_two_mistakes_give_the_same_value_the_first_in_the_list_wins():
    g = Graph()                                      # L = x · (−1): the upstream alone (1) is
    g.add_node("x", "input", value=2.0)              # also the answer with its sign flipped
    g.add_node("m", "constant", value=-1.0)
    g.add_node("L", "mul")
    g.connect("x", "L", 0)
    g.connect("m", "L", 1)
    q, _t, _g = question(g, 4)                       # L → x: 1 × (−1) = −1
    assert q.answer == -1.0
    kinds = [d.kind for d in mistakes(q) if d.value == 1.0]
    assert kinds == [UPSTREAM_ALONE, SIGN]
    assert diagnose(q, 1.0).kind == UPSTREAM_ALONE


def test_each_diagnosis_says_what_went_wrong_with_both_formulas():
    q, _expected = chain_edge()
    found = diagnose(q, 31.6875)
    assert found.sentence.endswith(".") and "local derivative" in found.sentence
    assert found.yours == "∂y/∂x = 31.6875"
    assert found.right == "∂y/∂x = 31.6875 × 3 = 95.0625"
    q, expected = tanh_edge()
    found = diagnose(q, expected[AT_OUTPUT])
    assert found.yours == "∂loss/∂n = (−0.585786) × (1 − tanh²(0.707107)) = −0.36863"
    assert found.right == "∂loss/∂n = (−0.585786) × (1 − tanh²(0.881374)) = −0.292893"
    assert "output o = 0.707107" in found.sentence and "input n = 0.881374" in found.sentence
    q, expected = sgd_update()
    found = diagnose(q, expected[WITH_GRADIENT])
    assert found.yours == "w = θ + lr·g = 1 + 0.1 × 0.25 = 1.025"
    assert found.right == "w = θ − lr·g = 1 − 0.1 × 0.25 = 0.975"
    q, expected = sum_at_t()
    found = diagnose(q, expected[ONE_PATH])
    assert found.right == "∂z/∂t = 0.41218 + 1.64872 × 1 = 2.0609"


def test_adam_steps_against_the_gradient_too():
    q, trace, _g = question("neuron", 20)                  # adam's first step: lr·sign(g)
    assert q.optimizer == "adam" and q.node == "w1"
    g = float(trace.grads["w1"])
    step = 0.05 * g / (abs(g) + 1e-8)
    assert q.answer == pytest.approx(-3.0 - step, rel=1e-12)
    assert diagnose(q, -3.0 + step).kind == WITH_GRADIENT
