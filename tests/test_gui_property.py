"""Random edit sequences through the canvas controller and undo commands (hypothesis stateful).

After every step: the scene mirrors the model, a re-run hits no bug of ours, and undo followed
by redo gives the same saved JSON. At the end, undo of everything gives the empty graph and redo
of everything gives the same saved JSON again.

CI runs the "ci" profile (derandomized, a fixed number of examples). For a longer, random search
run ``HYPOTHESIS_PROFILE=nightly make test PYTEST_ARGS="tests/test_gui_property.py
--hypothesis-seed=N"`` (profiles in tests/conftest.py)."""
import json

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from PySide6.QtCore import QPointF
from PySide6.QtGui import QUndoStack

import engine
from gui.model import commands as cmd
from gui.canvas.controller import CanvasController
from gui.canvas.scene import GraphScene
from gui.model import GraphModel

OPS = ["input", "constant", "parameter", "add", "mul", "neg", "tanh", "exp", "pow", "sum",
       "matmul", "mse", "leaky_relu"]
VALUES = st.one_of(st.floats(-3, 3, allow_nan=False), st.just([1.0, -2.0]),
                   st.just([[0.5, 1.0], [2.0, -1.0]]))
index = st.integers(min_value=0, max_value=50)


def saved(model) -> str:
    return json.dumps(engine.graph_to_dict(model.graph), sort_keys=True)


class CanvasEdits(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.model = GraphModel(engine.Graph())
        self.stack = QUndoStack()
        self.scene = GraphScene(self.model)
        self.controller = CanvasController(self.model, self.stack)
        self.messages = []
        self.controller.refused.connect(self.messages.append)

    def pick(self, i):
        ids = self.model.node_ids()
        return ids[i % len(ids)] if ids else None

    def pick_two(self, i, j) -> list:
        """One or two distinct node ids, sorted (empty on an empty graph)."""
        return sorted({self.pick(i), self.pick(j)} - {None})

    @rule(op=st.sampled_from(OPS), x=st.integers(-500, 500), y=st.integers(-500, 500),
          value=VALUES)
    def add(self, op, x, y, value):
        node_id = self.controller.add_node(op, QPointF(x, y))
        if op in ("input", "constant") and node_id:
            self.stack.push(cmd.SetValue(self.model, node_id, value))

    @rule(i=index, j=index)
    def remove(self, i, j):
        ids = self.pick_two(i, j)
        if ids:
            self.controller.delete(ids)

    @rule(i=index, j=index, port=st.integers(0, 2))
    def connect(self, i, j, port):
        source, target = self.pick(i), self.pick(j)
        if source is None:
            return
        before, count = saved(self.model), self.stack.count()
        problem = self.model.connect_problem(source, target, port)
        self.controller.connect(source, target, port)
        if problem is not None:   # refused: a message, nothing changed
            assert saved(self.model) == before and self.stack.count() == count
            assert problem.message in self.messages[-1]

    @rule(i=index, dx=st.integers(-100, 100), dy=st.integers(-100, 100))
    def move(self, i, dx, dy):
        node_id = self.pick(i)
        if node_id is not None:
            old = self.model.node(node_id).position or (0, 0)
            self.controller.move_nodes({node_id: (old, (old[0] + dx, old[1] + dy))})

    @rule(i=index, exponent=st.sampled_from([1.0, 2.0, 3.0, 0.5]))
    def set_attr(self, i, exponent):
        node_id = self.pick(i)
        if node_id is not None and self.model.node(node_id).op == "pow":
            self.stack.push(cmd.SetAttr(self.model, node_id, "exponent", exponent))

    @rule(i=index, value=VALUES)
    def set_value(self, i, value):
        node_id = self.pick(i)
        if node_id is not None and self.model.node(node_id).op in ("input", "constant"):
            self.stack.push(cmd.SetValue(self.model, node_id, value))

    @rule(i=index, j=index)
    def paste(self, i, j):
        ids = self.pick_two(i, j)
        if ids:
            self.controller.duplicate(ids)

    @rule(i=index, name=st.sampled_from(["a", "b", "loss", "h1"]))
    def rename(self, i, name):
        node_id = self.pick(i)
        if node_id is not None and not self.model.has_node(name):
            self.stack.push(cmd.RenameNode(self.model, node_id, name))

    @rule(i=index)
    def set_loss(self, i):
        self.controller.set_loss(self.pick(i))

    @rule(i=index, j=index, port=st.integers(0, 1))
    def rewire_or_cut(self, i, j, port):
        edges = self.model.edges()
        if not edges:
            return
        edge = edges[i % len(edges)]
        if j % 3 == 0:
            self.controller.delete([], [(edge.source, edge.target, edge.port)])
        else:
            self.controller.rewire(edge.target, edge.port, edge.source, self.pick(j), port)

    @rule(i=index, j=index, scale=st.floats(-2, 2, allow_nan=False))
    def set_values(self, i, j, scale):
        ids = [n for n in self.pick_two(i, j) if self.model.node(n).op in ("input", "parameter")
               and self.model.node(n).value is not None]
        if ids:
            values = {n: self.model.node(n).value * scale for n in ids}
            self.stack.push(cmd.SetValues(self.model, values, "Train 1 step"))

    @rule()
    def layout(self):
        self.controller.auto_layout()

    @rule()
    def undo(self):
        self.stack.undo()

    @rule()
    def redo(self):
        self.stack.redo()

    @invariant()
    def scene_mirrors_model(self):
        model = self.model
        assert set(self.scene.nodes) == set(model.node_ids())
        assert set(self.scene.edges) == {(e.source, e.target, e.port) for e in model.edges()}
        for node_id, item in self.scene.nodes.items():
            position = model.node(node_id).position
            if position is not None:
                assert (item.pos().x(), item.pos().y()) == tuple(map(float, position))

    @invariant()
    def a_rerun_hits_no_bug(self):
        self.model.run_now()
        model = self.model
        assert model.internal_error is None, model.internal_error
        assert set(model.values) <= set(model.node_ids())
        for node_id in model.node_ids():   # every node: a value, a problem, or one upstream
            assert (node_id in model.values or node_id in model.problems
                    or node_id in model.blocked or model.status), node_id

    @invariant()
    def undo_then_redo_is_the_same_document(self):
        if not self.stack.canUndo():
            return
        before = saved(self.model)
        self.stack.undo()
        self.stack.redo()
        assert saved(self.model) == before

    def teardown(self):
        while self.stack.canRedo():
            self.stack.redo()
        top = saved(self.model)
        while self.stack.canUndo():
            self.stack.undo()
        assert self.model.node_ids() == [] and self.scene.nodes == {}
        while self.stack.canRedo():
            self.stack.redo()
        assert saved(self.model) == top
        self.scene.deleteLater()


def test_random_edit_sequences(qapp):
    run_state_machine_as_test(
        CanvasEdits,
        settings=settings(stateful_step_count=25, deadline=None,
                          suppress_health_check=list(HealthCheck)))
