"""The player's timeline and step card content, without Qt: steps by the pinned formula, every
record read from the Trace (the same arrays, in the Trace's order), stepping back restores
exactly, and every number the card prints is the Trace's."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import engine
from conftest import EXAMPLES, ROOT
from engine.evaluate import evaluate
from engine.training.update_preview import preview_update
from graphs import build
from gui.display import ACTIVE, GRAD_NOT_YET, NOT_YET
from gui.formatting import fmt_number
from gui.player import derivatives
from gui.player.explain import explain
from gui.player.timeline import (BACKWARD, FORWARD, INITIAL, LOSS, UPDATE, Timeline,
                                 frame_count)


def timeline_of(graph, granularity="edge"):
    trace = evaluate(graph).trace
    params = [n for n in graph.node_ids() if graph.node(n).op == "parameter"]
    update = preview_update(graph.training, trace.values, trace.grads, params) \
        if params and trace.has_backward else None
    edges = [(e.source, e.target, e.port) for e in graph.edges()]
    return Timeline(trace, graph.node_ids(), edges, granularity, update), trace


def example(name):
    return engine.load_graph(EXAMPLES / f"{name}.json")


def n6(x) -> str:
    return fmt_number(np.asarray(x).reshape(-1)[0], 6)


@pytest.mark.parametrize("name, edge, node", [
    ("chain_rule", 1 + 3 + 1 + 4, 1 + 3 + 1 + 3),      # no parameters: no update
    ("two_paths", 1 + 3 + 1 + 4, 1 + 3 + 1 + 3),
    ("xor_mlp", 1 + 6 + 1 + 11 + 1, 1 + 6 + 1 + 6 + 1),
])
def test_frame_count_follows_the_pinned_formula(name, edge, node):
    graph = example(name)
    assert timeline_of(graph, "edge")[0].count == edge
    assert timeline_of(graph, "node")[0].count == node
    trace = evaluate(graph).trace
    has_parameters = any(graph.node(n).op == "parameter" for n in graph.node_ids())
    assert frame_count(trace, "edge", has_parameters) == edge
    assert frame_count(trace, "node", has_parameters) == node


def test_a_graph_without_a_loss_plays_its_forward_pass_only():
    graph = build([("a", "input", 1.0), ("b", "input", 2.0), ("s", "add"), ("t", "add")],
                  [("a", "s", 0), ("b", "s", 1), ("a", "t", 0), ("b", "t", 1)])  # two ends
    timeline, trace = timeline_of(graph)
    assert not trace.has_backward
    assert timeline.count == 1 + 2
    assert [timeline.step_info(k).phase for k in range(3)] == [INITIAL, FORWARD, FORWARD]


def test_phases_in_order_and_captions_say_step_k_of_n():
    timeline, _ = timeline_of(example("xor_mlp"))
    phases = [timeline.step_info(k).phase for k in range(timeline.count)]
    assert phases == [INITIAL] + [FORWARD] * 6 + [LOSS] + [BACKWARD] * 11 + [UPDATE]
    captions = [timeline.record_at(k).caption for k in range(timeline.count)]
    assert captions[0] == "step 1/20 · initial" and captions[-1] == "step 20/20 · update"
    assert len(set(captions)) == len(captions)          # consecutive frames always differ


def test_forward_steps_equal_the_traces_in_order_and_values():
    timeline, trace = timeline_of(example("xor_mlp"))
    ops = [s.node for s in trace.forward_steps]
    initial = timeline.record_at(0)
    for node in ops:
        assert initial.node(node).value is None and initial.node(node).value_note == NOT_YET
    for leaf in ("x", "W1", "b1", "y"):
        assert initial.node(leaf).value is trace.values[leaf]
    for i, step in enumerate(trace.forward_steps):
        k = 1 + i
        info = timeline.step_info(k)
        assert (info.phase, info.node, info.forward_index) == (FORWARD, step.node, i)
        record = timeline.record_at(k)
        assert record.node(step.node).value is step.value          # the Trace's own array
        assert record.node(step.node).highlight == ACTIVE
        for later in ops[i + 1:]:
            assert record.node(later).value_note == NOT_YET
        for port, source in enumerate(step.inputs):
            edge = record.edge((source, step.node, port))
            assert edge.highlight == ACTIVE and edge.pulse is not None and not edge.backward
        # halfway through the step the pulse travels and the value has not arrived yet
        moving = timeline.record_at(k, 0.5)
        assert moving.node(step.node).value is None
        assert moving.edge((step.inputs[0], step.node, 0)).pulse == 0.5


def test_backward_steps_equal_the_traces_and_gradients_accumulate_as_recorded():
    timeline, trace = timeline_of(example("two_paths"))
    loss_step = 1 + len(trace.forward_steps)
    seed = timeline.record_at(loss_step)
    assert seed.node("z").grad is trace.grads["z"] and float(seed.node("z").grad) == 1.0
    assert seed.node("t").grad is None and seed.node("t").grad_note == GRAD_NOT_YET
    for i, step in enumerate(trace.backward_steps):
        k = loss_step + 1 + i
        info = timeline.step_info(k)
        assert info.backward_indices == (i,)
        assert info.edges == ((step.source, step.target, step.port),)
        record = timeline.record_at(k)
        assert record.node(step.source).grad is step.grad_after
        edge = record.edge((step.source, step.target, step.port))
        assert edge.contribution is step.contribution and edge.backward
        assert edge.highlight == ACTIVE
    # t is reached twice: after the first contribution it holds that one, after both the sum
    first, second = [i for i, s in enumerate(trace.backward_steps) if s.source == "t"]
    after_first = timeline.record_at(loss_step + 1 + first).node("t").grad
    assert after_first is trace.backward_steps[first].contribution
    final = timeline.record_at(loss_step + 1 + second).node("t").grad
    assert np.isclose(float(final), 1.25 * np.exp(0.5))   # y·2t + x·eᵗ at t = 0.5


def test_node_granularity_groups_a_targets_edges():
    timeline, trace = timeline_of(example("xor_mlp"), "node")
    backward = [timeline.step_info(k) for k in range(timeline.count)
                if timeline.step_info(k).phase == BACKWARD]
    targets = [trace.backward_steps[info.backward_indices[0]].target for info in backward]
    assert targets == ["loss", "logits", "h1W2", "h1", "z1", "xW1"]
    covered = [i for info in backward for i in info.backward_indices]
    assert covered == list(range(len(trace.backward_steps)))


def test_update_step_shows_new_parameter_values_without_changing_the_trace():
    graph = example("xor_mlp")
    timeline, trace = timeline_of(graph)
    record = timeline.record_at(timeline.count - 1)
    update = timeline.update
    for p in update.parameters:
        assert record.node(p.node).value is p.new
        assert record.node(p.node).highlight == ACTIVE
        assert trace.values[p.node] is not p.new
    assert np.array_equal(graph.node("W1").value, trace.values["W1"])   # document unchanged


def _update_graph(training):
    """L = w · sum(x @ W): ∂L/∂w = −4.5 (w rises), ∂L/∂W = [[0.5, 0.5], [−1, −1]] (the
    first row drops, the second rises)."""
    graph = build([("x", "input", np.array([[1.0, -2.0]])),
                   ("W", "parameter", np.array([[0.5, -1.0], [2.0, 0.0]])),
                   ("w", "parameter", 0.5), ("xW", "matmul"), ("s", "sum"), ("L", "mul")],
                  [("x", "xW", 0), ("W", "xW", 1), ("xW", "s", 0), ("s", "L", 0),
                   ("w", "L", 1)])
    graph.extra["training"] = training
    return graph


@pytest.mark.parametrize("training, direction", [
    ({"optimizer": "sgd", "lr": 0.1}, "∂L/∂w"),
    ({"optimizer": "momentum", "lr": 0.1, "momentum": 0.9}, "v"),
    ({"optimizer": "adam", "lr": 0.05}, "m̂/(√v̂ + ε)")])
def test_the_update_card_writes_the_change_that_happens(training, direction):
    """Issue 15 item 7: "θ ← θ − lr · d" with the numbers, and new − old signed, for every
    optimizer, on a scalar (that rises) and a tensor (half drops, half rises)."""
    timeline, _ = timeline_of(_update_graph(training))
    card = explain(timeline, timeline.count - 1)
    rows = {line.label: line.text for line in card.lines}
    update, lr = timeline.update, fmt_number(training["lr"], 6)
    w = update.of("w")
    d = float(w.direction)
    assert d < 0 and float(w.change) > 0                     # the gradient is negative: w rises
    assert rows["w"].startswith(f"w ← w − {lr} · {direction} = 0.5 − {lr} × ({n6(d)}) = "
                                f"{n6(w.new)}   (new − old = +{fmt_number(float(w.change), 3)}")
    assert float(w.new) == pytest.approx(0.5 - training["lr"] * d, rel=1e-12)
    big = update.of("W")
    assert np.array_equal(big.change, big.new - big.old)
    assert (big.change[0] < 0).all() and (big.change[1] > 0).all()
    low, high = fmt_number(big.change.min(), 3), fmt_number(big.change.max(), 3)
    assert rows["W"].startswith(f"W ← W − {lr} · {direction.replace('w', 'W')}: new − old "
                                f"from {low} to +{high} (2 drop, 2 rise)")
    assert low.startswith("−")
    heatmap = next(t for t in card.tensors if t.label == "W: new − old")
    assert np.array_equal(heatmap.array, big.change)
    assert "step" not in rows["W"] + rows["w"]


def test_xors_update_says_every_weight_of_w2_drops():
    timeline, _ = timeline_of(example("xor_mlp"))
    rows = {line.label: line.text for line in explain(timeline, timeline.count - 1).lines}
    w2 = timeline.update.of("W2")
    assert (w2.change < 0).all()
    assert rows["W2"].startswith("W2 ← W2 − 0.05 · m̂/(√v̂ + ε): new − old = −0.05 for all 4 "
                                 "(each drops)")


def _snapshot(record):
    nodes = {n: (id(d.value), id(d.grad), d.value_note, d.grad_note, d.highlight)
             for n, d in record.nodes.items()}
    edges = {k: (id(e.contribution), e.highlight, e.pulse, e.backward)
             for k, e in record.edges.items()}
    return nodes, edges, record.caption, record.detail


@pytest.mark.parametrize("name", ["chain_rule", "two_paths", "xor_mlp"])
def test_stepping_back_restores_exactly(name):
    timeline, _ = timeline_of(example(name))
    forward = [_snapshot(timeline.record_at(k)) for k in range(timeline.count)]
    for k in reversed(range(timeline.count)):
        timeline.record_at(k, 0.3)              # an animation frame in between changes nothing
        assert _snapshot(timeline.record_at(k)) == forward[k]


def test_the_card_on_the_chain_rule_prints_the_seeds_numbers():
    timeline, trace = timeline_of(example("chain_rule"))
    texts = [explain(timeline, k).text() for k in range(timeline.count)]
    last = texts[-1]        # x_squared → x: 31.6875 × 3 = 95.0625 = 6x(x²+1)² at x = 1.5
    assert "∂x_squared/∂x = 2·x = 3" in last
    assert "∂y/∂x_squared · ∂x_squared/∂x = 31.6875 × 3 = 95.0625" in last
    assert 6 * 1.5 * (1.5 ** 2 + 1) ** 2 == 95.0625
    assert "∂y/∂u = 3·u² = 31.6875" in texts[5]
    assert "u = x_squared + one" in texts[2] and "u = 3.25" in texts[2]


def test_every_scalar_number_on_the_card_is_the_traces():
    for name in ("chain_rule", "two_paths"):
        timeline, trace = timeline_of(example(name))
        for k in range(timeline.count):
            info = timeline.step_info(k)
            text = explain(timeline, k).text()
            for i in info.backward_indices:
                s = trace.backward_steps[i]
                local = trace.local_derivative(i)
                assert (f"{n6(s.upstream)} × {n6(local)} = {n6(s.contribution)}") in text
                assert n6(s.grad_after) in text
            if info.phase == FORWARD:
                step = trace.forward_steps[info.forward_index]
                assert f"{step.node} = {n6(step.value)}" in text
                for source in step.inputs:
                    assert f"input {source}: {n6(trace.values[source])}" in text


def sum_line(card) -> str | None:
    """The card's "sum" line alone (the step's title says the sum too: never read both)."""
    return next((line.text for line in card.lines if line.label == "sum"), None)


def test_the_sum_where_two_paths_meet_appears_when_the_last_contribution_arrives():
    timeline, trace = timeline_of(example("two_paths"))
    cards = [explain(timeline, k) for k in range(timeline.count)]
    parts = [s.contribution for s in trace.backward_steps if s.source == "t"]
    total = trace.grads["t"]
    expected = f"∂z/∂t = {n6(parts[0])} + {n6(parts[1])} = {n6(total)}"
    assert expected == "∂z/∂t = 0.41218 + 1.64872 = 2.0609"
    assert sum_line(cards[-1]) == f"{expected}  (the sum over 2 paths)"
    assert sum_line(cards[-2]) is None and "1 of 2 contributions" in cards[-2].text()
    assert cards[-1].title.endswith(f";  {expected}")     # the step's title, the same words


def test_a_tensor_sum_where_paths_meet_shows_its_total():
    """x (a vector) reaches s along two paths: the sum line summarises the total gradient,
    not one of the contributions."""
    graph = build([("x", "input", [1.0, -2.0, 3.0]), ("sq", "pow", {"exponent": 2}),
                   ("e", "exp"), ("m", "add"), ("s", "sum")],
                  [("x", "sq", 0), ("x", "e", 0), ("sq", "m", 0), ("e", "m", 1), ("m", "s", 0)])
    timeline, trace = timeline_of(graph)
    line = sum_line(explain(timeline, timeline.count - 1))
    total = trace.grads["x"]
    assert line == f"∂s/∂x = the sum of 2 contributions = vector of 3, " \
                   f"‖·‖ = {fmt_number(np.linalg.norm(total), 3)}  (the sum over 2 paths)"
    last = [s.contribution for s in trace.backward_steps if s.source == "x"][-1]
    assert fmt_number(np.linalg.norm(last), 3) != fmt_number(np.linalg.norm(total), 3)


def test_tensors_name_the_vector_jacobian_product_with_shapes_and_norms():
    timeline, trace = timeline_of(example("xor_mlp"))
    index = next(i for i, s in enumerate(trace.backward_steps)
                 if (s.source, s.target) == ("W1", "xW1"))
    k = next(k for k in range(timeline.count)
             if timeline.step_info(k).backward_indices == (index,))
    card = explain(timeline, k)
    assert "vector–Jacobian product xᵀ @ ∂loss/∂xW1" in card.text()
    assert "(4×4 → 2×4)" in card.text() and "‖·‖" in card.text()
    assert any(t.array is trace.backward_steps[index].contribution for t in card.tensors)
    tanh = next(k for k in range(timeline.count) if "h1 → z1" in timeline.step_info(k).title)
    assert "∂h1/∂z1 = 1 − tanh²(z1), elementwise" in explain(timeline, tanh).text()


def test_every_op_has_a_symbolic_derivative_for_every_port():
    for name, op in engine.OPS.items():
        if op.is_leaf:
            continue
        inputs = [f"in{i}" for i in range(op.arity)]
        for port in range(op.arity):
            text = derivatives.local_text(op, op.attrs, port, inputs, "out")
            assert text and "{" not in text and "the derivative of" not in text, (name, port)
            assert derivatives.vjp_text(op, op.attrs, port, inputs, "out", "g")
        assert derivatives.forward_text(op, op.attrs, inputs, "out").startswith("out = ")


def test_a_new_op_gets_a_generic_text_rather_than_an_error():
    class NewOp:
        name, label, arity, elementwise = "gelu", "GELU", 1, True
        port_names, attrs = ("x",), {}
    assert derivatives.local_text(NewOp, {}, 0, ["a"], "h") == \
        "the derivative of GELU with respect to its input x"
    assert "Jacobian" in derivatives.vjp_text(NewOp, {}, 0, ["a"], "h", "g")
    assert derivatives.forward_text(NewOp, {}, ["a"], "h") == "h = gelu(a)"


def test_pow_texts_follow_the_exponent():
    op = engine.OPS["pow"]
    assert derivatives.local_text(op, {"exponent": 3.0}, 0, ["u"], "y") == "3·u²"
    assert derivatives.local_text(op, {"exponent": 2.0}, 0, ["x"], "y") == "2·x"
    assert derivatives.local_text(op, {"exponent": 0.5}, 0, ["x"], "y") == "0.5·x^−0.5"
    assert derivatives.forward_text(op, {"exponent": 2.0}, ["t"], "x") == "x = t²"


def test_the_mistake_at_the_output_reads_in_the_graphs_ids():
    ops = engine.OPS
    assert derivatives.at_output_text(ops["tanh"], {}, ["z1"], "h1") == "1 − tanh²(h1)"
    assert derivatives.at_output_text(ops["sigmoid"], {}, ["z"], "p") == "σ(p)·(1 − σ(p))"
    assert derivatives.at_output_text(ops["pow"], {"exponent": 3.0}, ["u"], "y") == "3·y²"
    assert derivatives.at_output_text(ops["relu"], {}, ["z"], "h") == ""


def test_max_texts_follow_the_ties_attr():
    op = engine.OPS["max"]
    split = {"axis": 1, "keepdims": False, "ties": "split"}
    first = {**split, "ties": "first"}
    assert derivatives.forward_text(op, split, ["x"], "m") == "m = max(x) over axis 1"
    assert "(split evenly between ties)" in derivatives.vjp_text(op, split, 0, ["x"], "m", "g")
    assert "the first of tied ones" in derivatives.vjp_text(op, first, 0, ["x"], "m", "g")
    assert "the first of tied ones" in derivatives.local_text(op, first, 0, ["x"], "m")


def test_the_plain_player_modules_import_no_qt():
    code = ("import sys; import gui.player.timeline, gui.player.explain, gui.player.derivatives;"
            "print('PySide6' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_a_node_step_says_the_upstream_once_and_one_row_per_edge():
    """Node by node, a step that sends along several edges fits the card: the upstream
    gradient once, each edge's local derivative and what it sends in one row, and the
    source's gradient on a row of its own only where several paths meet."""
    timeline, trace = timeline_of(example("chain_rule"), "node")
    k = next(s.index for s in timeline.steps if len(s.backward_indices) > 1)
    rows = [(line.label, line.text) for line in explain(timeline, k).lines]
    assert rows == [
        ("upstream", "∂y/∂u = 31.6875"),
        ("→ x_squared", "∂u/∂x_squared = 1; sent back 31.6875 × 1 = 31.6875  (its only path: "
                        "∂y/∂x_squared complete)"),
        ("→ one", "∂u/∂one = 1; sent back 31.6875 × 1 = 31.6875  (its only path: ∂y/∂one "
                  "complete)")]
    timeline, trace = timeline_of(example("used_twice"), "node")
    k = next(s.index for s in timeline.steps if len(s.backward_indices) > 1)
    labels = [line.label for line in explain(timeline, k).lines]
    assert labels == ["upstream", "→ x", "so far", "→ h"]
