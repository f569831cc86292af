"""The chain of one weight (for the neuron view): for every weight of a 2-3-2 network, in both
forms, the sum of its paths over the batch equals the engine's gradient element and the
central difference; one row alone equals that row's own gradient (a one-row pass)."""
import math

import numpy as np
import pytest

from engine.networks.builder import NetworkSpec, build_network
from engine.networks.chain import weight_chain
from engine.networks.layers import recognize
from network_graphs import hand_built

FORMS = ["in_out", "out_in"]


def two_three_two(form):
    return hand_built((2, 3, 2), ["tanh"], "softmax_ce", form=form, rows=5, seed=4)


@pytest.mark.parametrize("form", FORMS)
def test_every_weight_of_a_2_3_2_network_equals_the_engine_and_finite_differences(form):
    graph = two_three_two(form)
    network = recognize(graph)
    grads = graph.copy().backward()
    for layer in network.layers:
        for i in range(layer.fan_in):
            for j in range(layer.fan_out):
                chain = weight_chain(graph, layer.index, i, j, network=network)
                index = layer.weight_index(i, j)
                assert chain.index == index and chain.weight == layer.weight
                assert chain.engine == grads[layer.weight][index]
                assert chain.total == pytest.approx(chain.engine, rel=1e-12, abs=1e-15)
                assert chain.numeric == pytest.approx(chain.engine, rel=1e-6, abs=1e-9)
                assert chain.agrees
                assert math.fsum(t.value for t in chain.rows) == pytest.approx(chain.total,
                                                                               abs=1e-15)
                assert chain.path_count == (2 if layer.index == 1 else 1)


@pytest.mark.parametrize("form", FORMS)
def test_the_paths_of_a_row_and_their_factors(form):
    graph = two_three_two(form)
    chain = weight_chain(graph, 1, 1, 2, detail_row=3)
    values = graph.copy().forward()
    term = chain.rows[3]
    assert chain.detail_row == 3 and len(term.paths) == 2
    assert all(not t.paths for t in chain.rows if t.row != 3)
    assert math.fsum(p.value for p in term.paths) == pytest.approx(term.value, abs=1e-15)
    for path in term.paths:
        roles = [f.role for f in path.factors]
        assert roles == ["gradient", "weight", "slope", "input"]
        assert math.prod(f.value for f in path.factors) == pytest.approx(path.value, rel=1e-12)
        weight = path.factors[1]
        assert weight.value == values[weight.node][weight.index]
        assert weight.index == ((2, path.units[0]) if form == "in_out" else (path.units[0], 2))
        assert path.factors[-1].value == values["input"][3, 1]
        slope = path.factors[2]
        assert slope.value == pytest.approx(1 - np.tanh(values[slope.node][3, 2]) ** 2)
    assert abs(term.paths[0].value) >= abs(term.paths[1].value)     # the largest first
    w2 = "L2.weight[j,k]" if form == "in_out" else "fc2.weight[k,j]"
    w1 = "L1.weight[i,j]" if form == "in_out" else "fc1.weight[j,i]"
    head = "L2" if form == "in_out" else "fc2"
    assert chain.formula == (f"∂L/∂{w1} = Σ_r Σ_k ∂L/∂{head}[r,k] · {w2} · "
                             f"tanh′({'L1' if form == 'in_out' else 'fc1'}[r,j]) · input[r,i]")


def test_the_last_layers_chain_is_the_seed_texts_form():
    graph = build_network(NetworkSpec.of(2, 2, "softmax_ce", (3,), seed=1))
    chain = weight_chain(graph, 2, 1, 0)
    assert chain.formula == "∂L/∂W2[i,j] = Σ_r ∂L/∂logits[r,j] · h1[r,i]"
    assert [f.text for f in chain.rows[0].paths[0].factors] == ["∂L/∂logits[0,0]", "h1[0,1]"]


@pytest.mark.parametrize("form", FORMS)
def test_one_row_alone_is_that_rows_own_gradient(form):
    graph = two_three_two(form)
    batch = weight_chain(graph, 1, 0, 1)
    for row in (0, 4):
        alone = weight_chain(graph, 1, 0, 1, row=row)
        one_row = graph.copy()
        for node in ("input", "target"):
            one_row.set_value(node, graph.node(node).value[row:row + 1])
        own = one_row.backward()[alone.weight][alone.index]
        assert alone.rows_in_pass == 1 and len(alone.rows) == 1
        assert alone.engine == own and alone.total == pytest.approx(own, rel=1e-12)
        assert alone.agrees
        # the batch's loss is a mean over its 5 rows: a row's term there is 1/5 of its own
        assert 5 * batch.rows[row].value == pytest.approx(alone.total, rel=1e-12)


def test_a_deeper_relu_network_and_feeds_and_the_graph_left_alone():
    graph = build_network(NetworkSpec.of(3, 4, "softmax_ce", (5, 3, 4), "relu", seed=2))
    rng = np.random.default_rng(0)
    feeds = {"x": rng.standard_normal((7, 3)), "y": np.eye(4)[rng.integers(0, 4, 7)]}
    before = graph.node("x").value.copy()
    chain = weight_chain(graph, 1, 2, 3, feeds=feeds, max_paths=5)
    assert chain.path_count == 3 * 4 * 4 and len(chain.rows) == 7
    assert len(chain.rows[0].paths) == 5 and chain.agrees
    assert chain.formula.startswith("∂L/∂W1[i,j] = Σ_r Σ_k Σ_m Σ_n ∂L/∂logits[r,n] · W4[m,n]")
    assert np.array_equal(graph.node("x").value, before) and graph.trace is None


def test_units_out_of_range_are_refused():
    graph = two_three_two("in_out")
    with pytest.raises(ValueError, match=r"layer 1 joins inputs 0 to 1 to units 0 to 2"):
        weight_chain(graph, 1, 2, 0)
    with pytest.raises(ValueError, match="no layer 3"):
        weight_chain(graph, 3, 0, 0)
    with pytest.raises(ValueError, match="no row 5"):
        weight_chain(graph, 1, 0, 0, row=5)


def test_too_many_paths_to_list_give_the_same_sums(monkeypatch):
    from engine.networks import chain as chain_module
    graph = build_network(NetworkSpec.of(3, 3, "softmax_ce", (4, 4), "sigmoid", seed=5))
    listed = weight_chain(graph, 1, 0, 2)
    monkeypatch.setattr(chain_module, "MAX_TERMS", 10)      # 6 rows × 12 paths: too many
    summed = weight_chain(graph, 1, 0, 2)
    assert summed.agrees and summed.detail_row is None and not summed.rows[0].paths
    for a, b in zip(listed.rows, summed.rows):
        assert a.value == pytest.approx(b.value, rel=1e-12, abs=1e-18)
