"""Predict mode on the step card: the card's content with the asked number hidden, and the box
where the learner types a prediction and reads the verdict.

``masked(explanation, question, timeline, info)`` rewrites the lines that would show the asked number (the
forward value, what flows down the edge and the gradient it makes, the parameter's new value)
with "?", keeps the numbers the learner computes from (inputs, upstream gradient, local
derivative, contributions that arrived earlier) and drops the heatmap of the hidden result.
``PredictBox`` is the question, the answer field (Enter checks), Reveal and Skip, and the
verdict: ✓, or ✗ with the right answer, the diagnosis's sentence and both formulas.
"""
from __future__ import annotations

from dataclasses import replace
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QFrame, QGridLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QToolButton, QVBoxLayout)

from engine.predict import SUM
from engine.steps import BACKWARD, FORWARD, UPDATE
from engine.predict.text import number, signed
from gui import accessibility, theme
from gui.accessibility import plain
from gui.player.explain import summary
from gui.player.predict import (HIDDEN, RIGHT, SKIPPED, WRONG, hidden_results, hidden_title,
                                without)

REVEAL_KEY, SKIP_KEY = "Alt+R", "Alt+S"
_RESULT_LABELS = ("gradient", "so far", "sum")


def masked(explanation, question, timeline, info):
    """The step card's explanation of step ``info`` with the number ``question`` asks hidden."""
    title = hidden_title(explanation.title, timeline, info, question)
    results = [summary(r) for r in hidden_results(timeline, info, question)]
    if question.phase == FORWARD:
        lines = tuple(replace(line, text=f"{question.node} = {HIDDEN}")
                      if line.label == "value" else line for line in explanation.lines)
        tensors = tuple(t for t in explanation.tensors if t.label != question.node)
    elif question.phase == BACKWARD:
        lines = _backward_lines(explanation.lines, question, results)
        tensors = tuple(t for t in explanation.tensors
                        if not t.label.startswith("sent to"))
    elif question.phase == UPDATE:
        lines = tuple(_update_line(line, question) for line in explanation.lines)
        tensors = tuple(t for t in explanation.tensors if not t.label.startswith(question.node))
    else:
        return explanation
    return replace(explanation, caption=f"{explanation.caption} · predict", title=title,
                   lines=lines, tensors=tensors)


def _backward_lines(lines, question, results) -> tuple:
    """Lines about edges into the asked node keep upstream and local; what they send and the
    gradient they make read "?"; a sum shows the earlier contributions beside the "?"."""
    out, about_node, sent = [], True, iter(results)
    for line in lines:
        if line.label == "edge":          # node granularity: "target → source  (…)"
            source = line.text.split("→", 1)[1].split()[0] if "→" in line.text else ""
            about_node = source == question.node
        if about_node and line.label == "sent back":
            line = replace(line, text=without(line.text, next(sent, "")))
        elif about_node and line.label in _RESULT_LABELS:
            line = replace(line, text=_hidden_result(question))
        out.append(line)
    return tuple(out)


def _hidden_result(question) -> str:
    if question.asks == SUM:
        parts = [signed(t.contribution) if t.earlier else HIDDEN for t in question.terms]
        return f"{question.symbol} = {' + '.join(parts)} = {HIDDEN}"
    return f"{question.symbol} = {HIDDEN}"


def _update_line(line, question):
    """The asked parameter's row without its new value (and the change, which gives it)."""
    if line.label != question.node:
        return line
    if question.size > 1:            # the asked element: its old value and gradient
        at = question.element
        return replace(line, text=f"{question.node}{at} ← {number(question.old)} − {HIDDEN} "
                                  f"= {HIDDEN}   (∂{question.loss or 'L'}/∂{question.node}{at} "
                                  f"= {number(question.grad)})")
    text = line.text.split("(new − old")[0].rstrip()
    head, found, _tail = text.rpartition(number(question.answer))
    return replace(line, text=f"{head}{HIDDEN}" if found else f"{question.node} ← {HIDDEN}")


class PredictBox(QFrame):
    """The question, the answer field and the verdict, at the top of the step card."""

    submitted = Signal(str)
    reveal_requested = Signal()
    skip_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("predict_box")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        c = theme.C
        self.setStyleSheet(f"QFrame#predict_box {{ border: 1px solid {c.accent}; "
                           f"border-radius: 6px; }}")
        self.prompt = QLabel(wordWrap=True, objectName="predict_prompt")
        self.prompt.setFont(theme.ui_font(10.5, bold=True))
        self.tally = QLabel(objectName="predict_tally")
        self.tally.setToolTip("Your predictions this session: right, wrong, skipped")
        self.tally.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.pointer = QLabel(objectName="muted", wordWrap=True)     # a tensor's element
        self._told = None                       # the outcome last announced
        self.field = QLineEdit(objectName="predict_field")
        self.field.setAccessibleName("Your prediction")
        self.field.setPlaceholderText("your prediction (arithmetic is fine: 2 × 0.5)")
        self.field.setFont(theme.mono_font(10))
        self.field.setClearButtonEnabled(True)
        for button in self.field.findChildren(QToolButton):       # the clear button
            button.setAccessibleName("Clear the prediction")
        self.field.returnPressed.connect(lambda: self.submitted.emit(self.field.text()))
        self.check = QPushButton("Check  ⏎", objectName="predict_check")
        self.check.setToolTip("Check your prediction (Enter)")
        self.check.clicked.connect(lambda: self.submitted.emit(self.field.text()))
        self.reveal = QPushButton("Reveal", objectName="predict_reveal")
        self.reveal.setToolTip(f"Show the number without answering ({REVEAL_KEY}; counted as "
                               "skipped)")
        self.reveal.clicked.connect(self.reveal_requested)
        self.skip = QPushButton("Skip", objectName="predict_skip")
        self.skip.setToolTip(f"Show the number and go on to the next step ({SKIP_KEY}, or →)")
        self.skip.clicked.connect(self.skip_requested)
        for name, key, signal in (("reveal", REVEAL_KEY, self.reveal_requested),
                                  ("skip", SKIP_KEY, self.skip_requested)):
            action = QAction(self)
            action.setObjectName(f"predict_{name}_key")
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(signal)
            self.addAction(action)
        self.verdict = QLabel(wordWrap=True, objectName="predict_verdict",
                              textFormat=Qt.TextFormat.RichText)
        self.verdict.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.formulas = QGridLayout()
        self.formulas.setHorizontalSpacing(10)
        self._formula_labels = []
        for row, name in enumerate(("yours", "right")):
            label = QLabel(name, objectName="muted")
            text = QLabel(objectName=f"predict_{name}")
            text.setFont(theme.mono_font(10))
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            text.setWordWrap(True)
            self.formulas.addWidget(label, row, 0, Qt.AlignmentFlag.AlignTop)
            self.formulas.addWidget(text, row, 1)
            self._formula_labels.append((label, text))
        self.formulas.setColumnStretch(1, 1)
        row = QHBoxLayout()
        row.addWidget(self.field, 1)
        for button in (self.check, self.reveal, self.skip):
            row.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(5)
        top = QHBoxLayout()
        top.addWidget(self.prompt, 1)
        top.addWidget(self.tally)
        layout.addLayout(top)
        layout.addWidget(self.pointer)
        layout.addLayout(row)
        layout.addWidget(self.verdict)
        layout.addLayout(self.formulas)
        self.hide()

    def show_question(self, question, outcome=None, tally=None) -> None:
        """Ask ``question`` (None: hide the box), or show how it ended; ``tally``: the
        session's {"right", "wrong", "skipped"}."""
        if question is None:
            self.hide()
            return
        if tally is not None:
            self.tally.setText(f"✓ {tally['right']}   ✗ {tally['wrong']}   "
                               f"skipped {tally['skipped']}")
        self.prompt.setText(question.prompt)
        self.field.setAccessibleName(f"Your prediction: {plain(question.prompt)}")
        self.pointer.setText(f"Asked: element {question.element} of {question.node}, the "
                             "one largest in size (rows and columns count from 0)."
                             if question.element else "")
        self.pointer.setVisible(bool(question.element))
        open_ = outcome is None
        self.field.setReadOnly(not open_)
        self.check.setText("Check  ⏎" if open_ else "Next  ⏎")
        self.check.setToolTip("Check your prediction (Enter)" if open_
                              else "Go on: the next step (Enter)")
        for button in (self.reveal, self.skip):
            button.setVisible(open_)
        if open_:
            self.field.clear()
            self.verdict.setText("")
        else:
            if outcome.verdict is not None:
                self.field.setText(number(outcome.verdict.guess))
            self.verdict.setText(verdict_html(outcome))
            if outcome is not self._told:             # once per answer, not per redraw
                self._told = outcome
                accessibility.announce(plain(self.verdict.text()), self)
        self.verdict.setVisible(not open_)
        diagnosis = outcome.verdict.diagnosis if outcome and outcome.verdict else None
        for (label, text), formula in zip(self._formula_labels,
                                          (diagnosis.yours, diagnosis.right) if diagnosis
                                          else ("", "")):
            text.setText(formula)
            label.setVisible(bool(formula))
            text.setVisible(bool(formula))
        self.show()

    def say(self, text: str) -> None:
        """A short note under the field (an answer that is not a number)."""
        self.verdict.setText(f"<span style='color:{theme.C.warning}'>{escape(text)}</span>")
        self.verdict.show()
        self.field.selectAll()            # the next keys replace what was refused

    def text(self) -> str:
        """What the box says, as plain text (tests)."""
        if self.isHidden():
            return ""
        parts = [self.prompt.text(), self.pointer.text(), self.field.text(),
                 self.verdict.text()]
        parts += [t.text() for _, t in self._formula_labels if t.isVisible()]
        return "\n".join(p for p in parts if p)


def verdict_html(outcome) -> str:
    q = outcome.question
    answer = f"<b>{escape(q.symbol)} = {number(q.answer)}</b>"
    if outcome.kind == RIGHT:
        return (f"<span style='color:{theme.C.ok}'>✓ Right:</span> {answer} "
                f"(yours: {number(outcome.verdict.guess)})")
    if outcome.kind == SKIPPED:
        return f"<span style='color:{theme.C.muted}'>Revealed:</span> {answer}"
    assert outcome.kind == WRONG
    text = (f"<span style='color:{theme.C.error}'>✗ Not quite:</span> you said "
            f"{number(outcome.verdict.guess)}; the answer is {answer}.")
    diagnosis = outcome.verdict.diagnosis
    if diagnosis is not None:
        text += f"<br>{escape(diagnosis.sentence)}"
    return text


__all__ = ["masked", "PredictBox", "verdict_html", "REVEAL_KEY", "SKIP_KEY"]
