"""A lesson walked through headless: the example at each lesson step, its texts with their
numbers filled in, its questions with their answers, and a full check of everything it names.

``LessonRun(lesson)`` replays the lesson's edits (open, change, set) in order on its own copy
of the example, so ``state(n)`` is the example as the lesson has set it up by step n (after
that step's edits). The GUI drives the real app from the same ``Lesson`` and asks this model
for the texts (``text(n, graph)``: with ``graph`` the live one, whose numbers the learner may
have changed), for what to play and predict, and whether a step's ``wait`` is satisfied
(``waiting(n, situation)``). ``check()`` is ``lessons --check``.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from engine.errors import FileFormatError, GraphError
from engine.io import load_graph
from engine.lessons import placeholders as ph
from engine.lessons.format import (PLAYER_OFF, TRAIN_PAUSE, Lesson, LessonError,
                                   read_lesson)
from engine.lessons.state import State, StepOutOfRange
from engine.ops import OPS
from engine.predict.text import number

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLES_DIR = ROOT / "resources" / "examples"
LESSONS_DIR = ROOT / "resources" / "lessons"


def shipped_lessons(directory: Path = LESSONS_DIR) -> list:
    """The lesson files shipped with the app, in file-name order."""
    return sorted(directory.glob("*.json")) if directory.is_dir() else []


def example_path(name: str, lesson_path) -> Path:
    """A shipped example's name (``chain_rule``), or a path relative to the lesson file."""
    if "/" not in name and "\\" not in name and not name.endswith(".json"):
        return EXAMPLES_DIR / f"{name}.json"
    return (Path(lesson_path).parent / name).resolve()


@dataclass
class Situation:
    """What the app shows, for a step's ``wait``: plain data the GUI fills in."""
    values: dict = field(default_factory=dict)        # node id -> value now
    ops: dict = field(default_factory=dict)           # node id -> op name now
    player_step: int | None = None                    # the step shown, from 1 (None: live)
    trained: int = 0                                  # training steps since the step began
    values_at_start: dict = field(default_factory=dict)   # node id -> value when it began


class LessonRun:
    def __init__(self, lesson: Lesson):
        self.lesson = lesson
        self._graphs: dict = {}      # lesson step -> the graph after its edits
        self._states: dict = {}      # lesson step of the last edit -> State

    @classmethod
    def read(cls, path) -> "LessonRun":
        return cls(read_lesson(path))

    @property
    def count(self) -> int:
        return len(self.lesson.steps)

    def step(self, n: int):
        """Lesson step ``n`` (from 1)."""
        return self.lesson.steps[n - 1]

    def fail(self, n: int, cause: str):
        raise LessonError(self.lesson.path, n, cause)

    # ------------------------------------------------------------ the example, step by step
    def example_at(self, n: int) -> Path:
        """The example file open at lesson step ``n`` (the last ``open`` so far)."""
        name = self.lesson.example
        for step in self.lesson.steps[:n]:
            name = step.open or name
        return example_path(name, self.lesson.path)

    def _last_edit(self, n: int) -> int:
        return max((s.number for s in self.lesson.steps[:n] if s.edits), default=0)

    def graph_at(self, n: int):
        """The graph as the lesson has set it up by the end of step ``n``'s edits (0: the
        example as opened). Shared: copy it before changing it."""
        n = self._last_edit(n)
        if n not in self._graphs:
            self._graphs[n] = self._edited(n)
        return self._graphs[n]

    def _edited(self, n: int):
        if n == 0:
            return self._load(self.lesson.example, 0)
        step = self.step(n)
        graph = (self._load(step.open, n) if step.open
                 else self.graph_at(self._last_edit(n - 1)).copy())
        for change in step.changes:
            try:
                graph.change_op(change.node, change.op, change.attrs)
            except GraphError as error:
                self.fail(n, f"change: {self._unknown(error, change.node, graph)}")
        for item in step.sets:
            try:
                node = graph.node(item.node)
                if node.op not in ("input", "constant", "parameter"):
                    self.fail(n, f"set: {item.node} is a {node.op} node; only an input, "
                                 f"constant or parameter is given a value")
                graph.set_value(item.node, item.value)
            except GraphError as error:
                self.fail(n, f"set: {self._unknown(error, item.node, graph)}")
        return graph

    def _load(self, name: str, n: int):
        path = example_path(name, self.lesson.path)
        if path.parent == EXAMPLES_DIR and not path.exists():
            names = sorted(p.stem for p in EXAMPLES_DIR.glob("*.json"))
            close = difflib.get_close_matches(name, names, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"shipped: {', '.join(names)}"
            self.fail(n, f"the example {name!r} does not load: no shipped example has that "
                         f"name ({hint})")
        try:
            return load_graph(path)
        except (FileFormatError, GraphError, OSError, ValueError) as error:
            self.fail(n, f"the example {name!r} does not load ({error})")

    def state(self, n: int) -> State:
        """The example's pass and player steps as of lesson step ``n``."""
        key = self._last_edit(n)
        if key not in self._states:
            try:
                self._states[key] = State(self.graph_at(key), self.lesson.granularity)
            except GraphError as error:
                self.fail(max(key, 1), f"the example does not run: {error}")
        return self._states[key]

    @staticmethod
    def _unknown(error: GraphError, node: str, graph) -> str:
        if node not in graph:
            return unknown_node(node, graph)
        return str(error)

    # ------------------------------------------------------------ what the GUI asks
    def text(self, n: int, graph=None) -> str:
        """Step ``n``'s text with its numbers; ``graph``: the live graph to read "now" from
        (the lesson's own state when None); ``@k`` placeholders read the lesson's state."""
        return self._fill(self.step(n).text, n, graph)

    def reveal(self, n: int, graph=None) -> str:
        """The text shown after step ``n``'s prediction is answered ("" when none)."""
        return self._fill(self.step(n).reveal, n, graph) if self.step(n).reveal else ""

    def _fill(self, text: str, n: int, graph) -> str:
        now = self.state(n) if graph is None else State(graph, self.lesson.granularity)
        return ph.fill(text, lambda k: now if k is None else self.state(k))

    def tolerance(self, n: int) -> float | None:
        """The relative tolerance of step ``n``'s prediction (None: the default 1e-3)."""
        predict = self.step(n).predict
        if predict is None:
            return None
        return predict.tolerance if predict.tolerance is not None else self.lesson.tolerance

    def question(self, n: int):
        """What step ``n``'s prediction asks, on the lesson's own state (engine.predict)."""
        predict = self.step(n).predict
        if predict is None:
            return None
        return self.state(n).question(predict.step, predict.node, self.tolerance(n))

    def waiting(self, n: int, situation: Situation) -> bool:
        """True while step ``n``'s ``wait`` is not satisfied by what the app shows."""
        wait = self.step(n).wait
        if wait is None:
            return False
        if wait.kind == "op":
            return situation.ops.get(wait.node) != wait.op
        if wait.kind == "value":
            now, before = situation.values.get(wait.node), situation.values_at_start.get(wait.node)
            return now is None or before is None or np.array_equal(now, before)
        if wait.kind == "step":
            return situation.player_step != wait.step
        return situation.trained < wait.steps

    # ------------------------------------------------------------ checking
    def check(self) -> int:
        """Resolve everything the lesson names; LessonError for the first problem. Returns
        the number of predictions."""
        for step in self.lesson.steps:
            self._check_step(step)
        return self.lesson.predictions

    def _check_step(self, step) -> None:
        n = step.number
        graph = self.graph_at(n)
        state = self.state(n)
        for node in (step.select, *step.highlight):
            if node is not None and node not in graph:
                self.fail(n, unknown_node(node, graph))
        if isinstance(step.play, int):
            self._player_step(n, state, step.play)
        if step.predict is not None:
            self._check_prediction(step, state)
        for name, text in (("text", step.text), ("reveal", step.reveal)):
            self._check_text(n, name, text)
        if isinstance(step.train, int):
            self._check_training(n, graph)
        wait = step.wait
        if wait is not None:
            if wait.node is not None and wait.node not in graph:
                self.fail(n, f"wait: {unknown_node(wait.node, graph)}")
            if wait.op is not None and wait.op not in OPS:
                self.fail(n, f"wait: unknown op {wait.op!r}")
            if wait.step is not None:
                self._player_step(n, state, wait.step)
        assert step.play in (None, PLAYER_OFF) or isinstance(step.play, int)
        assert step.train in (None, TRAIN_PAUSE) or isinstance(step.train, int)

    def _player_step(self, n: int, state: State, k: int):
        try:
            return state.step(k)
        except StepOutOfRange as error:
            self.fail(n, str(error))

    def _check_prediction(self, step, state: State) -> None:
        n, predict = step.number, step.predict
        self._player_step(n, state, predict.step)
        if predict.node is not None and predict.node not in state.graph:
            self.fail(n, f"predict: {unknown_node(predict.node, state.graph)}")
        try:
            question = self.question(n)
        except ValueError as error:
            self.fail(n, f"predict: {error}")
        if predict.expect is not None and not question.is_right(predict.expect):
            self.fail(n, f"predict: expects {number(predict.expect)} but the engine's answer "
                         f"at player step {predict.step} is {number(question.answer)}")
        for p in ph.placeholders(step.text):
            value = self._evaluate(n, "text", p)
            if not isinstance(value, str) and np.size(value) == 1 and \
                    number(value) == number(question.answer) and \
                    p.at is None and p.kind not in ("lr", "steps"):
                self.fail(n, f"text: {p.source} = {number(value)} gives the prediction's "
                             "answer away (move it to \"reveal\")")

    def _check_text(self, n: int, name: str, text: str) -> None:
        if not text:
            return
        try:
            found = ph.placeholders(text)
        except ph.PlaceholderError as error:
            self.fail(n, f"{name}: {error}")
        for p in found:
            if p.at is not None and p.at > n:
                self.fail(n, f"{name}: {p.source} reads lesson step {p.at}, which comes later")
            self._evaluate(n, name, p)

    def _evaluate(self, n: int, name: str, p):
        state = self.state(n if p.at is None else p.at)
        if p.node is not None and p.node not in state.graph:
            self.fail(n, f"{name}: {p.source}: {unknown_node(p.node, state.graph)}")
        try:
            return ph.evaluate(p, state)
        except (ph.PlaceholderError, StepOutOfRange, ValueError, GraphError) as error:
            self.fail(n, f"{name}: {p.source}: {error}")

    def _check_training(self, n: int, graph) -> None:
        from engine.training.trainer import Trainer, TrainingError
        folder = self.example_at(n).parent
        try:
            Trainer(graph.copy(), folder=folder)
        except (TrainingError, ValueError) as error:
            self.fail(n, f"train: the example cannot be trained ({error})")


def unknown_node(node: str, graph) -> str:
    ids = graph.node_ids()
    shown = ", ".join(ids[:12]) + (", …" if len(ids) > 12 else "")
    return f"unknown node {node!r} (the example's nodes: {shown})"
