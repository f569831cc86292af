"""GraphModel's teaching API (a mixin of ``GraphModel``; see gui/model/graph_model.py): the ops
a node can be changed into, an example's "try" lines, and lessons.

A lesson (``engine.lessons``) keeps its own copies of its example, one per edit it makes: they
are engine Graphs, so they stay in gui/model. ``model.lesson_guide(path)`` wraps one lesson in a
``LessonGuide``, which answers the GUI in plain data — the steps (frozen dataclasses of text,
ids and numbers), texts with their numbers filled in from the graph the learner sees, whether a
step's ``wait`` is satisfied — and hands the lesson's version of the document to the window to
open, as ``files.read_graph`` hands a file's.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import engine


@dataclass(frozen=True)
class LessonInfo:
    """One lesson file, for the list: its title, one-sentence summary and step count; a file
    that cannot be read says why in ``problem`` (the list shows it, greyed)."""
    path: Path
    title: str
    summary: str = ""
    steps: int = 0
    problem: str = ""


class LessonAccess:
    """Needs ``_graph``, ``values`` and ``node`` of GraphModel."""

    def ops_like(self, node_id: str) -> list[str]:
        """The ops ``node_id`` can be changed into (Change to…): as many inputs, leaf or not
        as it is, its own op left out, in the registry's (the palette's) order."""
        own = engine.OPS[self._graph.node(node_id).op]
        return [name for name, op in engine.OPS.items() if op.arity == own.arity
                and op.is_leaf == own.is_leaf and name != own.name]

    def try_lines(self) -> list[str]:
        """The document's "try" lines (what to try with an example), [] when none."""
        lines = self._graph.extra.get("try")
        if not isinstance(lines, list):
            return []
        return [t.strip() for t in lines if isinstance(t, str) and t.strip()]

    @staticmethod
    def lessons(directory=None) -> list[LessonInfo]:
        """The shipped lessons, in file-name order."""
        from engine.lessons import LessonError, read_lesson, shipped_lessons
        found = []
        for path in shipped_lessons() if directory is None else shipped_lessons(Path(directory)):
            try:
                lesson = read_lesson(path)
            except LessonError as error:
                found.append(LessonInfo(path, path.stem.replace("_", " "), problem=error.cause))
                continue
            found.append(LessonInfo(path, lesson.title, lesson.summary, len(lesson.steps)))
        return found

    def lesson_guide(self, path) -> "LessonGuide":
        """The lesson in ``path``, checked (LessonError naming the file, step and cause)."""
        from engine.lessons import LessonRun
        run = LessonRun.read(path)
        run.check()
        return LessonGuide(self, run)


class LessonGuide:
    """One lesson for the GUI. Steps count from 1, as the lesson file and ``--check`` do."""

    def __init__(self, model, run):
        self.model, self._run = model, run
        lesson = run.lesson
        self.path, self.title, self.summary = lesson.path, lesson.title, lesson.summary
        self.granularity = lesson.granularity

    @property
    def count(self) -> int:
        return self._run.count

    def step(self, n: int):
        """Lesson step ``n``: an ``engine.lessons.LessonStep`` (frozen: text, ids, numbers)."""
        return self._run.step(n)

    def example_at(self, n: int) -> Path:
        """The example file the lesson has open at step ``n``."""
        return self._run.example_at(n)

    def document(self, n: int):
        """The lesson's own version of its document by the end of step ``n``'s edits (0: its
        example as opened), as a new engine Graph for the window to open."""
        return self._run.graph_at(n).copy()

    def opened(self, n: int):
        """A fresh copy of the example step ``n`` opens (its ``open``), for the window."""
        return engine.load_graph(self._run.example_at(n))

    # ------------------------------------------------------------ prose
    def text(self, n: int) -> tuple[str, bool]:
        """Step ``n``'s text with its numbers from the graph the learner sees; when that
        graph cannot give them (a node the text names was deleted, the graph is broken), the
        lesson's own numbers. Returns ``(text, live)``."""
        return self._filled(self._run.text, n)

    def reveal(self, n: int) -> tuple[str, bool]:
        """What step ``n`` says once its prediction is answered ("" when nothing)."""
        if not self._run.step(n).reveal:
            return "", True
        return self._filled(self._run.reveal, n)

    def _filled(self, fill, n: int) -> tuple[str, bool]:
        try:
            return fill(n, self.model._graph), True
        except Exception:  # noqa: BLE001 - the learner's graph differs: the lesson's numbers
            return fill(n), False

    def tolerance(self, n: int) -> float | None:
        return self._run.tolerance(n)

    # ------------------------------------------------------------ waiting for the learner
    def waiting(self, n: int, player_step: int | None, trained: int, values_at_start: dict) -> bool:
        """True while step ``n``'s ``wait`` is not satisfied by the document and the app:
        ``player_step`` the player's step shown (from 1; None in the live view), ``trained``
        training steps since the step began, ``values_at_start`` from ``leaf_values``."""
        wait = self._run.step(n).wait
        if wait is None:
            return False
        from engine.lessons import Situation
        graph = self.model._graph
        ops = {wait.node: graph.node(wait.node).op} if wait.node in graph else {}
        situation = Situation(values=self.leaf_values(), ops=ops, player_step=player_step,
                              trained=trained, values_at_start=values_at_start)
        return self._run.waiting(n, situation)

    def leaf_values(self) -> dict:
        """{node id: its value now} for the nodes a ``wait`` may watch."""
        graph = self.model._graph
        return {n: graph.node(n).value for n in graph.node_ids()
                if graph.node(n).value is not None}


__all__ = ["LessonAccess", "LessonGuide", "LessonInfo"]
