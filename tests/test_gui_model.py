"""GraphModel: past-tense signals (recorded into lists, Orange style), debounced results,
errors that never escape, and the modified flag tied to the undo stack."""
import numpy as np
import pytest
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

import engine
from gui.model import GraphModel, graph_model


def record(model, *names):
    log = []
    for name in names:
        getattr(model, name).connect(lambda *args, n=name: log.append((n, *args)))
    return log


@pytest.fixture
def model(qtbot):
    return GraphModel(engine.Graph())


def two_sinks(model):
    """x = 1 feeding two ends, a = exp(x) and b = −x: no single loss."""
    model.add_node("x", "input", value=1.0)
    model.add_node("a", "exp")
    model.add_node("b", "neg")
    model.connect("x", "a", 0)
    model.connect("x", "b", 0)


def test_edits_emit_past_tense_signals(model):
    log = record(model, "node_added", "edge_added", "node_moved", "node_changed",
                 "node_renamed", "edge_removed", "node_removed")
    model.add_node("x", "input", value=2.0, position=(0, 0))
    model.add_node("y", "mul", position=(200, 0))
    model.connect("x", "y", 0)
    model.connect("x", "y", 1)
    model.move_node("y", (210, 5))
    model.set_value("x", 3.0)
    model.rename_node("y", "sq")
    model.remove_node("x")
    assert log == [("node_added", "x"), ("node_added", "y"), ("edge_added", "x", "y", 0),
                   ("edge_added", "x", "y", 1), ("node_moved", "y"), ("node_changed", "x"),
                   ("node_renamed", "y", "sq"), ("node_changed", "sq"),
                   ("edge_removed", "x", "sq", 0), ("edge_removed", "x", "sq", 1),
                   ("node_removed", "x")]
    assert model.graph.node("sq").position == (210, 5)


def test_results_are_debounced_then_current(model, qtbot):
    runs = record(model, "results_changed")
    model.add_node("x", "input", value=3.0)
    model.add_node("y", "mul")
    model.connect("x", "y", 0)
    model.connect("x", "y", 1)
    assert runs == []            # not yet: one re-run after the burst of edits
    qtbot.waitUntil(lambda: len(runs) == 1, timeout=1000)
    assert float(model.values["y"]) == 9.0
    assert float(model.grads["x"]) == 6.0
    assert model.loss_id == "y" and model.status == "" and model.errors == {}
    assert model.shapes["y"] == ()


def test_run_now_forces_a_rerun(model):
    model.add_node("x", "input", value=[1.0, -2.0])
    model.add_node("t", "tanh")
    model.connect("x", "t", 0)
    model.run_now()
    np.testing.assert_allclose(model.values["t"], np.tanh([1.0, -2.0]))
    # a vector sink is no scalar loss: values show, no gradients, the status line says why
    assert model.grads == {}
    assert "scalar" in model.status
    assert model.errors == {}


def test_shape_mismatch_is_a_node_error_and_the_rest_still_runs(model):
    model.add_node("a", "input", value=[[1.0, 2.0]])
    model.add_node("b", "input", value=[[1.0, 2.0, 3.0]])
    model.add_node("m", "matmul")
    model.connect("a", "m", 0)
    model.connect("b", "m", 1)
    model.add_node("c", "input", value=2.0)
    model.add_node("sq", "mul")
    model.connect("c", "sq", 0)
    model.connect("c", "sq", 1)
    model.run_now()
    assert "m" in model.errors and "(1, 2)" in model.errors["m"]
    assert float(model.values["sq"]) == 4.0          # the healthy part is computed
    assert "m" not in model.values


def test_input_without_value_never_raises(model):
    model.add_node("x", "input")
    model.add_node("n", "neg")
    model.connect("x", "n", 0)
    model.run_now()
    assert "x" in model.errors
    assert model.values == {} and model.grads == {}


def test_several_sinks_forward_runs_and_status_explains(model):
    two_sinks(model)
    model.run_now()
    assert float(model.values["a"]) == pytest.approx(np.e)
    assert model.grads == {}
    assert "several sinks" in model.status and "a" in model.status
    assert "Use as loss" in model.status   # says how, in the app's own words


def test_set_loss_picks_the_sink(model):
    two_sinks(model)
    model.set_loss("b")
    model.run_now()
    assert float(model.grads["x"]) == -1.0 and model.status == ""


def test_engine_exception_becomes_status(model, monkeypatch):
    model.add_node("x", "input", value=1.0)
    monkeypatch.setattr(model.graph, "forward", lambda *a, **k: 1 / 0)
    model.run_now()
    assert "could not evaluate the graph: ZeroDivisionError" in model.status
    assert model.internal_error and model.status_problem.kind is engine.Kind.INTERNAL


def test_load_graph_resets_and_runs(model):
    log = record(model, "graph_reset", "results_changed")
    graph = engine.load_graph("resources/examples/chain_rule.json")
    model.load_graph(graph)
    assert [e[0] for e in log] == ["graph_reset", "results_changed"]
    assert float(model.grads["x"]) == pytest.approx(95.0625)


def test_rename_keeps_results(model):
    model.add_node("x", "input", value=2.0)
    model.run_now()
    model.rename_node("x", "z")
    assert float(model.values["z"]) == 2.0 and "x" not in model.values


def test_modified_follows_the_undo_stack(model):
    from gui.model.commands import AddNode
    stack = QUndoStack()
    model.bind_undo_stack(stack)
    log = record(model, "modified_changed")
    stack.push(AddNode(model, "x", "input", value=1.0))
    assert model.modified
    stack.setClean()
    assert not model.modified
    stack.undo()
    assert model.modified
    stack.redo()
    assert not model.modified
    assert log == [("modified_changed", True), ("modified_changed", False),
                   ("modified_changed", True), ("modified_changed", False)]


def test_fragment_keeps_inner_edges_only(model):
    model.add_node("x", "input", value=2.0, position=(0, 0))
    model.add_node("y", "mul", position=(200, 0))
    model.add_node("z", "neg", position=(400, 0))
    model.connect("x", "y", 0)
    model.connect("x", "y", 1)
    model.connect("y", "z", 0)
    frag = model.fragment(["y", "z"])
    assert [n["id"] for n in frag["nodes"]] == ["y", "z"]
    assert frag["edges"] == [{"source": "y", "target": "z", "port": 0}]


def test_connect_problem_names_the_cycle(model):
    for node_id in ("a", "b"):
        model.add_node(node_id, "neg")
    model.connect("a", "b", 0)
    problem = model.connect_problem("b", "a", 0)
    assert (problem.kind, problem.message) == (engine.Kind.CYCLE,
                                               "would create a cycle: b → a → b")
    assert model.connect_problem("a", "a", 0).kind is engine.Kind.SELF_LOOP
    assert model.connect_problem("a", "b", 0) is None    # occupied: the GUI replaces
    assert "out of range" in model.connect_problem("a", "b", 3).message


def test_a_half_built_branch_keeps_the_gradients_shown(model):
    """Dropping a new node makes a second end; the loss differentiated so far stays in use
    (without writing a loss into the file), and the status says how to choose another."""
    model.add_node("x", "input", value=1.5)
    model.add_node("y", "pow", attrs={"exponent": 3.0})
    model.connect("x", "y", 0)
    model.run_now()
    assert float(model.grads["x"]) == pytest.approx(3 * 1.5 ** 2)
    model.add_node("loose", "exp")            # unconnected: not computable yet
    model.add_node("z", "neg")                # computable second end
    model.connect("x", "z", 0)
    model.run_now()
    assert model.loss_id == "y" and float(model.grads["x"]) == pytest.approx(3 * 1.5 ** 2)
    assert "'y'" in model.status and "Use as loss" in model.status
    assert model.graph.loss is None


def test_no_previous_loss_and_two_scalar_ends_asks_for_a_choice(model):
    two_sinks(model)
    model.run_now()
    assert model.grads == {} and model.loss_id is None


# ------------------------------------------------------------------ throttled re-runs
class Clock:
    """Time for the model's timers, moved by the test: a ``QTimer`` stand-in fires when the
    clock passes the moment it was started for (a restart moves that moment)."""

    def __init__(self):
        self.now, self.timers = 0, []

    def timer_class(self):
        clock = self

        class ClockTimer(QObject):
            timeout = Signal()

            def __init__(self, parent=None):
                super().__init__(parent)
                self.interval, self.single, self.due = 0, False, None
                clock.timers.append(self)

            def setInterval(self, ms):
                self.interval = ms

            def setSingleShot(self, single):
                self.single = single

            def start(self):
                self.due = clock.now + self.interval

            def stop(self):
                self.due = None

            def isActive(self):
                return self.due is not None

        return ClockTimer

    def advance(self, ms: int) -> None:
        """``ms`` milliseconds pass, one at a time: due timers fire in order."""
        for _ in range(ms):
            self.now += 1
            for timer in list(self.timers):
                if timer.due is not None and timer.due <= self.now:
                    timer.due = self.now + timer.interval if not timer.single else None
                    timer.timeout.emit()


def test_a_stream_of_edits_re_runs_while_it_lasts(monkeypatch):
    """47 value edits 10 ms apart: re-runs keep coming (at most one per interval), plus the
    last one after the stream; then nothing. The model's timers run on a test clock."""
    clock = Clock()
    monkeypatch.setattr(graph_model, "QTimer", clock.timer_class())
    model = GraphModel(engine.Graph())
    model.add_node("x", "input", value=0.0)
    model.add_node("y", "exp")
    model.connect("x", "y", 0)
    model.run_now()
    runs = record(model, "results_changed")
    interval = graph_model.RERUN_INTERVAL_MS
    for i in range(47):
        model.set_value("x", float(i) / 10)
        clock.advance(10)
    assert len(runs) >= 470 // interval - 1, len(runs)     # a restarted debounce gave 0 here
    clock.advance(interval)
    assert float(model.values["y"]) == pytest.approx(np.exp(4.6))
    settled = len(runs)
    clock.advance(10 * interval)
    assert len(runs) == settled                      # and then it stops


def test_set_values_is_all_or_nothing(model):
    model.add_node("a", "input", value=1.0)
    model.add_node("b", "input", value=2.0)
    model.add_node("s", "add")
    with pytest.raises(engine.GraphError):
        model.set_values({"a": 5.0, "s": 1.0})      # s computes its value: refused
    assert float(model.node("a").value) == 1.0
    model.set_values({"a": 5.0, "b": [1.0, 2.0]})
    assert float(model.node("a").value) == 5.0 and model.node("b").value.shape == (2,)


def test_node_views_are_read_only_copies(model):
    model.add_node("w", "parameter", {"shape": [2], "init": "zeros"}, value=[1.0, 2.0])
    view = model.node("w")
    with pytest.raises(ValueError):
        view.value[0] = 9.0                           # read-only
    with pytest.raises(TypeError):
        view.attrs["seed"] = 3                        # a mapping proxy over a copy
    assert float(model.graph.node("w").value[0]) == 1.0


def test_the_model_takes_the_engines_rule_for_values(model):
    model.add_node("x", "input", value=1.0)
    for bad in ("2.5", True, [[1.0], [2.0, 3.0]]):
        with pytest.raises(engine.GraphError) as err:
            model.set_value("x", bad)
        assert err.value.kind is engine.Kind.BAD_VALUE
    assert float(model.node("x").value) == 1.0


# ------------------------------------------------------------------ modified
def test_training_steps_are_one_undoable_step_that_marks_the_document(model):
    from gui.model import commands as cmd
    stack = QUndoStack()
    model.bind_undo_stack(stack)
    model.add_node("w", "parameter", value=[0.5, -0.5])
    model.mark_saved()
    assert not model.modified
    stack.push(cmd.SetValues(model, {"w": np.array([0.1, 0.2])}, "Train 200 steps"))
    assert model.modified and stack.count() == 1 and stack.undoText() == "Train 200 steps"
    stack.undo()
    np.testing.assert_array_equal(model.node("w").value, [0.5, -0.5])
    assert not model.modified                        # back at the save point


def test_an_edit_outside_the_undo_stack_marks_the_document_until_saved(model, tmp_path):
    stack = QUndoStack()
    model.bind_undo_stack(stack)
    model.add_node("x", "input", value=1.0)
    model.mark_saved()
    assert not model.modified
    model.set_value("x", 2.0)                        # e.g. a script or a worker, not a command
    assert model.modified and stack.isClean()
    model.save(tmp_path / "g.json")
    model.mark_saved()
    assert not model.modified
