"""Every number a shipped lesson states or expects equals the engine's result on its example.

Generated from the lesson files: for each placeholder in each step's text and reveal, and each
prediction (its answer and the teacher's ``expect``), the number the lesson model gives is
compared with one computed here another way — finite differences of the loss (float64,
central), an edge's contribution as the gradient of a private copy of its source that feeds
only that edge, the optimizer's first step written out by hand. No number is copied."""
import numpy as np
import pytest

from conftest import ROOT
from engine.gradcheck import numeric_gradient
from engine.lessons import LessonRun, shipped_lessons
from engine.lessons import placeholders as ph
from engine.predict.text import number
from engine.steps import BACKWARD, FORWARD, UPDATE

RUNS = {p.name: LessonRun.read(p) for p in shipped_lessons()}
EPS = 1e-6
H = 1e-3        # Richardson: (4·D(H/2) − D(H)) / 3 is exact to O(H⁴), with little rounding


def close(got, want, rel=1e-6, floor=1e-14):
    return abs(float(got) - float(want)) <= rel * abs(float(want)) + floor


def derivative(graph, node, indices=None):
    """d loss / d node by central differences, Richardson-extrapolated (gradients of 10⁻⁷
    come out to 7 digits, where a plain 10⁻⁶ step would lose half of them to rounding)."""
    coarse = numeric_gradient(graph, node, eps=H, indices=indices)
    fine = numeric_gradient(graph, node, eps=H / 2, indices=indices)
    return (4 * fine - coarse) / 3


def fd(graph, node, index):
    value = np.asarray(graph.forward(record=False)[node])
    index = index if value.ndim else ()
    return float(derivative(graph, node, [index])[index])


def fd_array(graph, node):
    return derivative(graph, node)


def probe(graph, edge):
    """What flowed along ``edge``: the gradient of a copy of its source that feeds only it."""
    source, target, port = edge
    g = graph.copy()
    g.forward()
    value = np.array(g.values[source], dtype=np.float64)
    g.disconnect(target, port)
    g.add_node("__probe__", "constant", value=value)
    g.connect("__probe__", target, port)
    return derivative(g, "__probe__")


def local_fd(graph, edge, index):
    """∂target/∂(its input at port) at ``index`` (elementwise, or one number each)."""
    source, target, port = edge
    g = graph.copy()
    values = g.forward()
    op = __import__("engine").OPS[g.node(target).op]
    attrs = g.node(target).attrs
    xs = [np.array(values[s], dtype=np.float64) for s in g.input_sources(target)]
    out_shape = np.shape(values[target])
    at = index if np.size(xs[port]) > 1 else ()
    up, down = [x.copy() for x in xs], [x.copy() for x in xs]
    up[port][at] += EPS
    down[port][at] -= EPS
    diff = (op.forward(up, attrs) - op.forward(down, attrs)) / (2 * EPS)
    return float(np.asarray(diff).reshape(out_shape)[index if len(out_shape) else ()])


def steps_of(graph, granularity):
    """The player's steps, counted here from the pinned rule (independent of engine.steps):
    [(phase, node, edges)]."""
    g = graph.copy()
    g.forward()
    g.backward()
    trace = g.trace
    rows = [("initial", None, ())]
    rows += [(FORWARD, s.node, ()) for s in trace.forward_steps]
    rows.append(("loss", trace.loss, ()))
    back = [(s.source, s.target, s.port) for s in trace.backward_steps]
    if granularity == "edge":
        rows += [(BACKWARD, e[0], (e,)) for e in back]
    else:
        groups = []
        for e in back:
            if groups and groups[-1][-1][1] == e[1]:
                groups[-1].append(e)
            else:
                groups.append([e])
        rows += [(BACKWARD, None, tuple(grp)) for grp in groups]
    if any(g.node(n).op == "parameter" for n in g.node_ids()):
        rows.append((UPDATE, None, ()))
    return rows, back


def optimizer_step(graph, parameter):
    """The graph's optimizer, first step from a fresh state, written out by hand."""
    training = {"optimizer": "adam", "lr": 0.05, **(graph.training or {})}
    lr, g = float(training["lr"]), fd_array(graph, parameter)
    old = np.asarray(graph.node(parameter).value, dtype=np.float64)
    if training["optimizer"] == "adam":      # m̂ = g, v̂ = g² after one step
        return old - lr * g / (np.abs(g) + training.get("eps", 1e-8))
    return old - lr * g                      # sgd; momentum's first velocity is g


def expected_answer(graph, granularity, k, node):
    """(answer array, node) of player step k as the issue's rules define it."""
    rows, back = steps_of(graph, granularity)
    phase, step_node, edges = rows[k - 1]
    if phase == FORWARD:
        return np.asarray(graph.copy().forward()[step_node]), step_node
    if phase == UPDATE:
        params = [n for n in graph.node_ids() if graph.node(n).op == "parameter"]
        node = node or params[0]
        return optimizer_step(graph, node), node
    node = node or edges[0][0]
    arrivals = [e for e in back if e[0] == node]
    mine = [e for e in edges if e[0] == node]
    if arrivals[-1] in mine and len(arrivals) > 1:
        return fd_array(graph, node), node                 # the sum: the whole gradient
    return sum(probe(graph, e) for e in mine), node


def largest(array):
    a = np.asarray(array)
    return tuple(int(i) for i in np.unravel_index(int(np.argmax(np.abs(a))), a.shape)) \
        if a.ndim else ()


def independent(p, graph, granularity):
    """The placeholder's number, computed here."""
    if p.asked is not None:
        array, _n = expected_answer(graph, granularity, p.asked, None)
        p = ph.Placeholder(p.source, p.kind, p.node, largest(array), step=p.step,
                           amount=p.amount, at=p.at)
    index = p.index if p.index is not None else ()
    if p.kind == "value":
        return np.asarray(graph.copy().forward()[p.node])[index]
    if p.kind in ("grad", "fd"):
        return fd(graph, p.node, index)
    if p.kind == "slope":
        g = graph.copy()
        loss = g.loss_node()
        before = float(g.forward()[loss])
        value = np.array(g.node(p.node).value, dtype=np.float64)
        value[index] += p.amount
        g.set_value(p.node, value)
        return (float(g.forward()[loss]) - before) / p.amount
    if p.kind == "lr":
        return float({"lr": 0.05, **(graph.training or {})}["lr"])
    if p.kind == "steps":
        return float(len(steps_of(graph, granularity)[0]))
    if p.kind == "new":
        return optimizer_step(graph, p.node)[index]
    if p.kind == "overwrite":
        _rows, back = steps_of(graph, granularity)
        return probe(graph, [e for e in back if e[0] == p.node][-1])[index]
    array, node = expected_answer(graph, granularity, p.step, p.node)
    at = largest(array)
    if p.kind == "answer":
        return array[at]
    if p.kind == "element":
        return "" if np.size(array) == 1 else "[" + ", ".join(map(str, at)) + "]"
    rows, _back = steps_of(graph, granularity)
    edge = next(e for e in rows[p.step - 1][2] if e[0] == node)
    target_index = at if np.size(graph.copy().forward()[edge[1]]) > 1 else ()
    if p.kind == "upstream":
        return fd(graph, edge[1], target_index)
    if p.kind == "local":
        return local_fd(graph, edge, target_index)
    return probe(graph, edge)[at]                           # product


CASES = [(name, n, field, p) for name, run in RUNS.items() for n in range(1, run.count + 1)
         for field in ("text", "reveal") for p in ph.placeholders(getattr(run.step(n), field))]


@pytest.mark.parametrize("name, n, field, p", CASES,
                         ids=[f"{c[0][:2]}-step{c[1]}-{c[2]}-{c[3].source}" for c in CASES])
def test_every_number_a_lesson_states_is_the_engines(name, n, field, p):
    run = RUNS[name]
    state_step = n if p.at is None else p.at
    got = ph.evaluate(p, run.state(state_step))
    want = independent(p, run.graph_at(state_step), run.lesson.granularity)
    if isinstance(want, str):
        assert got == want
        return
    assert close(got, want), (got, want)
    assert ph.text_of(got) in getattr(run, field)(n)


PREDICTIONS = [(name, s.number) for name, run in RUNS.items() for s in run.lesson.steps
               if s.predict is not None]


@pytest.mark.parametrize("name, n", PREDICTIONS, ids=[f"{c[0][:2]}-step{c[1]}" for c in PREDICTIONS])
def test_every_prediction_expects_the_engines_answer(name, n):
    run = RUNS[name]
    predict = run.step(n).predict
    question = run.question(n)
    array, node = expected_answer(run.graph_at(n), run.lesson.granularity, predict.step,
                                  predict.node)
    at = largest(array)
    assert question.node == node and question.index == at
    assert close(question.answer, array[at]), (question.answer, array[at])
    if predict.expect is not None:     # the teacher's number, written in the file
        assert question.is_right(predict.expect)
        assert number(predict.expect) == number(array[at]) or \
            abs(predict.expect - array[at]) <= 1e-3 * abs(array[at])


def test_the_lessons_state_numbers_and_ask_for_many_predictions():
    assert len(CASES) >= 100 and len(PREDICTIONS) >= 25
    assert all(RUNS[name].lesson.predictions >= 2 for name in RUNS)
    assert ROOT.joinpath("resources/lessons").is_dir()
