"""Predict mode: the player hides the number a step would show until the learner commits to one.

``PredictMode`` follows a PlayerController. While it is on, a step that asks something (the
engine's ``engine.predict.ask``: a forward step asks the node's value, a backward step what
flows down its edge — the sum where paths meet — the update a parameter's new value) is shown
with that number hidden (``mask``) until the learner answers, reveals or skips it. Playing stops
at such a step. The verdict, the diagnosis of a wrong answer and the session's tally (right,
wrong, skipped) come from ``engine.predict.check``; nothing here computes math.

    mode.set_enabled(True)
    mode.question()             # what the step shown asks (engine.predict.Question) or None
    mode.submit("95.06")        # -> Outcome (right / wrong with the answer and a diagnosis)
    mode.reveal(); mode.skip()  # show it without answering (counted as skipped); skip moves on
    mode.focus(step, node, tolerance)   # a lesson: ask about ``node`` at player step ``step``

Leaving an unanswered step forward (→, Play, the slider) counts as skipping it: the next steps
show its number anyway. Going back leaves it open. Answers are kept while the pass is the same
(stepping back to an answered step shows it revealed); a new pass starts afresh.
"""
from __future__ import annotations

import ast
import math
import operator
from dataclasses import dataclass, replace

from PySide6.QtCore import QObject, Signal

from engine.predict import Verdict, ask, check
from engine.steps import BACKWARD, FORWARD
from gui.display import HIDDEN, hide
from gui.formatting import short_summary

RIGHT, WRONG, SKIPPED = "right", "wrong", "skipped"


@dataclass(frozen=True)
class Outcome:
    """How a question ended: ``kind`` RIGHT, WRONG or SKIPPED (revealed without an answer);
    ``verdict`` (the engine's: the guess, the answer, a diagnosis) for an answer."""
    question: object
    kind: str
    verdict: Verdict | None = None


def hidden_results(timeline, info, question) -> list:
    """The asked numbers of step ``info`` as arrays: the forward value, the new parameter
    value, or what this step sends to the asked node (one per edge)."""
    trace = timeline.trace
    if question.phase == FORWARD:
        return [trace.forward_steps[info.forward_index].value]
    if question.phase == BACKWARD:
        steps = trace.backward_steps
        return [steps[j].contribution for j in info.backward_indices
                if steps[j].source == question.node]
    return []


def without(text: str, shown: str) -> str:
    """``text`` with the last ``shown`` in it replaced by "?"."""
    head, found, tail = text.rpartition(shown) if shown else ("", "", text)
    return f"{head}{HIDDEN}{tail}" if found else text


def hidden_title(title: str, timeline, info, question) -> str:
    """A step's one line with the asked number as "?": ``x_squared = x ** 2 = ?``,
    ``x_squared → x: ∂y/∂x += … = 31.6875 × 3 = ?`` (a sum after it is dropped)."""
    title = title.split(";")[0]
    for result in hidden_results(timeline, info, question):
        title = without(title, short_summary(result))
    return title


class NotANumber(ValueError):
    pass


_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.Div: operator.truediv, ast.Pow: operator.pow}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}


def parse_guess(text: str) -> float:
    """The learner's number: ``95.0625``, ``−24`` (a real minus), ``1e-6``, ``0,5`` (a
    decimal comma), or a little arithmetic with the card's numbers (``31.6875 × 3``,
    ``2*(0.9-0.85)``). NotANumber with a short reason otherwise."""
    cleaned = (text.strip().replace("−", "-").replace("×", "*").replace("·", "*")
               .replace("÷", "/").replace("^", "**"))
    if not cleaned:
        raise NotANumber("type a number first")
    if "," in cleaned and "." not in cleaned and cleaned.count(",") == 1:
        cleaned = cleaned.replace(",", ".")
    try:
        tree = ast.parse(cleaned, mode="eval")
        value = float(_evaluate(tree.body))
    except (SyntaxError, ValueError, TypeError, ZeroDivisionError, OverflowError):
        raise NotANumber(f"'{text.strip()}' is not a number") from None
    if not math.isfinite(value):
        raise NotANumber(f"'{text.strip()}' is not a finite number")
    return value


def _evaluate(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
            and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _evaluate(node.left), _evaluate(node.right)
        if isinstance(node.op, ast.Pow) and abs(right) > 64:
            raise ValueError("too large")
        return _BINARY[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_evaluate(node.operand))
    raise ValueError("not arithmetic")


class PredictMode(QObject):
    changed = Signal()          # on / off, the step's question, an outcome, the tally
    answered = Signal(object)   # an Outcome, for the step shown

    def __init__(self, player, model, parent=None):
        super().__init__(parent or player)
        self.player, self.model = player, model
        self.enabled = False
        self.tally = {RIGHT: 0, WRONG: 0, SKIPPED: 0}
        self._questions: dict = {}     # (granularity, k, node, tolerance) -> Question | None
        self._outcomes: dict = {}      # (granularity, k, node) -> Outcome
        self._focus: dict = {}         # k -> (node, tolerance): what a lesson asks there
        self._trace = None
        self._shown = None             # the step last shown (to see a question left forward)
        self.go_on = None              # () -> bool: a lesson takes "go on" after a verdict
        player.step_changed.connect(self._step_changed)
        player.active_changed.connect(self._active_changed)
        player.timeline_changed.connect(self._timeline_changed)

    # ------------------------------------------------------------ switching
    def set_enabled(self, on: bool) -> None:
        on = bool(on)
        if on == self.enabled:
            return
        self.enabled = on
        self._shown = self.player.current if self.player.active else None
        self._redraw()
        self.changed.emit()

    def reset_tally(self) -> None:
        self.tally = {RIGHT: 0, WRONG: 0, SKIPPED: 0}
        self.changed.emit()

    def focus(self, step: int, node: str | None = None, tolerance: float | None = None) -> None:
        """What a lesson asks at player step ``step`` (from 0): about ``node`` (where the step
        concerns several), right within ``tolerance``. Its earlier answer there is forgotten,
        so the lesson's question is asked afresh."""
        self._focus[int(step)] = (node, tolerance)
        for key in [k for k in self._outcomes if k[1] == int(step)]:
            del self._outcomes[key]
        self._redraw()
        self.changed.emit()

    def clear_focus(self) -> None:
        self._focus.clear()

    # ------------------------------------------------------------ reading
    def question(self, k: int | None = None):
        """What step ``k`` (the step shown when None) asks, or None (predict mode off, not in
        the player, a step that asks nothing)."""
        if not self.enabled or not self.player.active:
            return None
        timeline = self.player.timeline
        k = self.player.current if k is None else k
        node, tolerance = self._focus.get(k, (None, None))
        key = (timeline.granularity, k, node, tolerance)
        if key not in self._questions:
            try:
                found = ask(timeline.trace, timeline.step_info(k), timeline.update, node,
                            tolerance)
            except (ValueError, IndexError, KeyError):
                found = None
            self._questions[key] = found
        return self._questions[key]

    def outcome(self, k: int | None = None) -> Outcome | None:
        question = self.question(k)
        if question is None:
            return None
        return self._outcomes.get(self._key(question))

    def hidden(self, k: int | None = None) -> bool:
        """Step ``k``'s number is hidden: it asks, and has not been answered or revealed."""
        return self.question(k) is not None and self.outcome(k) is None

    def _key(self, question) -> tuple:
        return (self.player.timeline.granularity, question.step, question.node)

    # ------------------------------------------------------------ answering
    def submit(self, text: str) -> Outcome:
        """Check the learner's answer to the step shown (NotANumber for text that is not a
        number, ValueError when nothing is asked). An answered question keeps its outcome."""
        question = self.question()
        if question is None:
            raise ValueError("this step asks nothing")
        done = self._outcomes.get(self._key(question))
        if done is not None:
            return done
        verdict = check(question, parse_guess(text))
        return self._finish(Outcome(question, RIGHT if verdict.right else WRONG, verdict))

    def reveal(self) -> Outcome | None:
        """Show the step's number without an answer (counted as skipped)."""
        question = self.question()
        if question is None:
            return None
        done = self._outcomes.get(self._key(question))
        return done or self._finish(Outcome(question, SKIPPED))

    def skip(self) -> None:
        """Reveal (counted as skipped) and go on to the next step."""
        self.reveal()
        self.player.go_to(self.player.current + 1)

    def _finish(self, outcome: Outcome) -> Outcome:
        self._outcomes[self._key(outcome.question)] = outcome
        self.tally[outcome.kind] += 1
        self._redraw()
        self.answered.emit(outcome)
        self.changed.emit()
        return outcome

    # ------------------------------------------------------------ following the player
    def _step_changed(self, k: int) -> None:
        previous, self._shown = self._shown, k
        if previous is not None and k > previous and self.hidden(previous):
            question = self.question(previous)        # left forward: its number is out now
            self._outcomes[self._key(question)] = Outcome(question, SKIPPED)
            self.tally[SKIPPED] += 1
        self.changed.emit()

    def _active_changed(self, active: bool) -> None:
        self._shown = self.player.current if active else None
        self.changed.emit()

    def _timeline_changed(self) -> None:
        timeline = self.player.timeline
        trace = timeline.trace if timeline is not None else None
        if trace is not None and trace is not self._trace:
            self._trace = trace                  # a new pass: new numbers, new questions
            self._questions.clear()
            self._outcomes.clear()
        self.changed.emit()

    def _redraw(self) -> None:
        self.player.reshow()

    # ------------------------------------------------------------ what the views show
    def stops_at(self, k: int) -> bool:
        """Playing stops at a step whose number is hidden."""
        return self.hidden(k)

    def mask(self, record, info):
        """``record`` (the DisplayRecord of step ``info``) with the asked number hidden — "?"
        in every view (``gui.display.hide``): the node's value (forward, update), or its
        gradient and the edges bringing it (backward); the canvas caption's line ends in "?".
        The player's record filter."""
        k = info.index
        if not self.hidden(k):
            return record
        question = self.question(k)
        node = question.node
        detail = hidden_title(record.detail, self.player.timeline, info, question)
        if question.phase == BACKWARD:
            edges = [key for key in info.edges if key[0] == node]
            record = hide(record, grads=[node], edges=edges, detail=detail)
        else:
            record = hide(record, values=[node], detail=detail)
        return replace(record, caption=f"{record.caption} · predict")
