"""Predict mode in the player, driven with real keys on the real window: P switches it on, the
asked number is "?" in every view until the learner types a prediction (Enter) or reveals
(Alt+R) / skips (Alt+S, →) it; right within the tolerance; a wrong answer is corrected and,
where one fits, diagnosed — each diagnosis on its own mistake and no other; the tally counts."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from engine.predict import (AT_OUTPUT, KINDS, LOCAL_ALONE, ONE_PATH, SIGN, UPSTREAM_ALONE,
                            WITH_GRADIENT, mistakes)
from engine.predict.text import number
from teach_helpers import open_example, settle, type_text
from test_player_views import chain_rule_panel, edge_tip, overview_row, panel_text, select
from window_fixtures import dialogs, settings, window  # noqa: F401


def key(window, k, modifiers=Qt.KeyboardModifier.NoModifier, widget=None):
    window.activateWindow()
    target = widget or window.canvas
    target.setFocus()
    QTest.keyClick(target, k, modifiers)
    settle()


def go(window, step: int, granularity: str = "edge"):
    """Predict mode on with P, then to player step ``step`` (from 1) with → presses."""
    player = window.player
    player.set_granularity(granularity)
    if not player.predict.enabled:
        key(window, Qt.Key.Key_P)
    assert player.predict.enabled and window.player_actions["predict"].isChecked()
    key(window, Qt.Key.Key_Home)
    for _ in range(step - 1):
        if player.predict.hidden():
            key(window, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier, box(window).field)
        else:
            key(window, Qt.Key.Key_Right)
    assert player.current == step - 1
    player.predict.reset_tally()          # the questions skipped on the way do not count
    return player.predict


def box(window):
    return window.step_card.predict_box


def answer(window, text: str):
    type_text(box(window).field, text)
    return window.player.predict.outcome()


def test_the_right_answer_is_accepted_within_the_tolerance(window):
    open_example(window, "chain_rule")
    predict = go(window, 9)
    question = predict.question()
    assert question.answer == 95.0625 and question.allowed_error == pytest.approx(0.0950625)
    assert window.canvas.node_item("x").grad_text == "∂y/∂x = ?"
    assert "= 31.6875 × 3 = ?" in window.step_card.text()
    outcome = answer(window, "95.06")                 # 0.0025 off: within 1e-3 × 95.0625
    assert outcome.kind == "right" and predict.tally == {"right": 1, "wrong": 0, "skipped": 0}
    assert "✓ Right" in box(window).verdict.text()
    assert window.canvas.node_item("x").grad_text == "∂y/∂x = 95.06"     # revealed
    assert "✓ 1" in box(window).tally.text()


def test_just_outside_the_tolerance_is_wrong_and_is_corrected(window):
    open_example(window, "chain_rule")
    predict = go(window, 9)
    outcome = answer(window, "95.2")                  # 0.1375 off: more than 0.095
    assert outcome.kind == "wrong" and outcome.verdict.diagnosis is None
    verdict = box(window).verdict.text()
    assert "you said 95.2" in verdict and "95.0625" in verdict
    assert window.canvas.node_item("x").grad_text == "∂y/∂x = 95.06"
    assert overview_row(window, "x")[3] == "95.0625"
    assert predict.tally == {"right": 0, "wrong": 1, "skipped": 0}
    type_text(box(window).field, "")                  # Enter after the verdict: no recount
    assert predict.tally["wrong"] == 1


def test_parse_guess_reads_what_a_learner_types():
    from gui.player.predict import NotANumber, parse_guess
    assert parse_guess("95.0625") == 95.0625 and parse_guess("−24") == -24.0
    assert parse_guess("31.6875 × 3") == 95.0625 and parse_guess("2*(0.9-0.85)") == \
        pytest.approx(0.1)
    assert parse_guess("0,5") == 0.5 and parse_guess("1e-6") == 1e-6
    assert parse_guess("2^3") == 8.0 and parse_guess("-(1/4)") == -0.25
    for bad in ("", "twelve", "1/0", "2**1000", "import os", "x", "1,000,000", "nan"):
        with pytest.raises(NotANumber):
            parse_guess(bad)


def test_typed_arithmetic_and_negative_numbers_are_numbers(window):
    open_example(window, "chain_rule")
    go(window, 9)
    assert answer(window, "31.6875 × 3").kind == "right"
    open_example(window, "chain_rule")
    window.model.set_value("x", -1.0)
    window.model.run_now()
    go(window, 9)
    assert box(window).field.text() == ""
    type_text(box(window).field, "twelve")
    assert window.player.predict.outcome() is None and "not a number" in box(window).verdict.text()
    assert answer(window, "-24").kind == "right"


# where each mistake of the list is made: (example, granularity, player step)
MISTAKES = {UPSTREAM_ALONE: ("chain_rule", "edge", 9), LOCAL_ALONE: ("chain_rule", "edge", 9),
            ONE_PATH: ("two_paths", "edge", 9), SIGN: ("chain_rule", "edge", 9),
            AT_OUTPUT: ("neuron", "node", 10), WITH_GRADIENT: ("line_fit", "edge", 12)}


@pytest.mark.parametrize("kind", KINDS)
def test_each_diagnosis_fires_on_its_own_mistake(window, kind):
    """The learner types the mistaken number as the card would print it (6 digits); the
    verdict names that mistake, and no other, with the sentence and both formulas."""
    assert set(MISTAKES) == set(KINDS)
    name, granularity, step = MISTAKES[kind]
    open_example(window, name)
    predict = go(window, step, granularity)
    question = predict.question()
    found = [m for m in mistakes(question) if m.kind == kind]
    assert found, f"{name} step {step} has no {kind} mistake"
    mistake = found[0]
    typed = number(mistake.value).replace("−", "-")
    outcome = answer(window, typed)
    assert outcome.kind == "wrong"
    assert outcome.verdict.diagnosis.kind == kind
    shown = box(window).text()
    assert mistake.sentence in shown.replace("&gt;", ">")
    assert mistake.yours in shown and mistake.right in shown
    assert number(question.answer) in shown
    others = [m for m in mistakes(question) if m.kind != kind]
    assert all(abs(m.value - mistake.value) > question.allowed_error for m in others
               if m.kind in KINDS[:KINDS.index(kind)])       # an earlier one would have won


def test_skip_reveal_and_stepping_back_after_a_reveal(window):
    open_example(window, "chain_rule")
    predict = go(window, 8)                           # u → one: asked
    assert predict.hidden()
    key(window, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier, box(window).field)  # reveal
    assert not predict.hidden() and predict.tally["skipped"] == 1
    assert "Revealed" in box(window).verdict.text()
    key(window, Qt.Key.Key_Right)                     # on to step 9: asked
    assert window.player.current == 8 and predict.hidden()
    key(window, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier, box(window).field)  # skip
    assert window.player.current == 8 and predict.tally["skipped"] == 2  # the last step: stays
    assert not predict.hidden() and window.canvas.node_item("x").grad_text == "∂y/∂x = 95.06"
    key(window, Qt.Key.Key_Left)                      # back after a reveal: still revealed
    assert window.player.current == 7 and not predict.hidden()
    assert window.canvas.node_item("one").grad_text.endswith("31.69")
    key(window, Qt.Key.Key_Right)
    assert not predict.hidden() and predict.tally == {"right": 0, "wrong": 0, "skipped": 2}


def test_leaving_an_asked_step_forward_counts_as_skipped_and_play_stops_at_questions(window, qtbot):
    open_example(window, "chain_rule")
    predict = go(window, 2)                           # x_squared's value: asked
    assert window.canvas.node_item("x_squared").value_text == "= ?"
    key(window, Qt.Key.Key_Right)                     # → past it: skipped, its number out
    assert predict.tally["skipped"] == 1
    key(window, Qt.Key.Key_Left)
    assert not predict.hidden() and window.canvas.node_item("x_squared").value_text == "= 2.25"
    player = window.player
    key(window, Qt.Key.Key_K)                         # Play from step 2 stops at step 3 (u)
    assert not player.playing and player.current == 2 and predict.hidden()
    key(window, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier, box(window).field)
    player.set_speed(8.0)
    key(window, Qt.Key.Key_K)                         # on to the next question: step 4 (y)
    qtbot.waitUntil(lambda: not player.playing, timeout=3000)
    assert player.current == 3 and predict.hidden()
    key(window, Qt.Key.Key_K)                         # at a question Play waits for it
    assert not player.playing and player.current == 3 and predict.hidden()


def test_no_view_shows_the_hidden_number(window):
    """At step 9 of the chain rule, ∂y/∂x = 95.0625 is asked: every view's text — cards,
    edge labels and tooltips, the caption, the step card, the inspector and its overview
    (with the example's description, which quotes it), the status bar and the chain-rule
    panel — says "?" and never the number, however rounded."""
    open_example(window, "chain_rule")
    go(window, 9)
    canvas = window.canvas
    edge = ("x", "x_squared", 0)
    select(window, "x")
    texts = [item.grad_text + item.value_text + item.toolTip()
             for item in canvas.graph_scene.nodes.values()]
    texts += [line.label for line in canvas.graph_scene.edges.values()]
    texts += [edge_tip(window, edge), canvas.caption_overlay.caption,
              canvas.caption_overlay.detail, window.step_card.text(),
              window.inspector.grad_view.text(), window.inspector.value_view.text(),
              window.selection_label.text(), window.model_label.text()]
    window.inspector.set_selection([])
    overview = window.inspector.overview
    texts += [" ".join(row) for row in overview.rows()]
    texts += [overview.description_label.text(), overview.try_label.text(),
              overview.loss_label.text(), overview.status_label.text()]
    texts.append(panel_text(chain_rule_panel(window)))
    joined = "\n".join(texts)
    assert "?" in joined
    for shown in ("95.0625", "95.06", "95.1", "95.062"):
        assert shown not in joined, shown
    answer(window, "95.0625")
    assert "95.0625" in window.step_card.text() and overview_row(window, "x")[3] == "95.0625"


def test_a_tensor_question_points_to_one_element(window):
    from engine.predict import ask
    open_example(window, "xor_mlp")
    player = window.player
    player.go_to(0)
    timeline = player.timeline
    step = next(k for k in range(timeline.count) if (q := ask(
        timeline.trace, timeline.step_info(k), timeline.update)) is not None
        and q.phase == "backward" and q.size > 1) + 1
    predict = go(window, step, "edge")
    question = predict.question()
    assert question.size > 1 and question.element
    pointer = box(window).pointer.text()
    assert question.element in pointer and question.node in pointer
    outcome = answer(window, repr(question.answer))
    assert outcome.kind == "right"


def test_predict_mode_off_shows_every_number_again(window):
    open_example(window, "chain_rule")
    predict = go(window, 9)
    assert predict.hidden()
    key(window, Qt.Key.Key_P)
    assert not predict.enabled and not predict.hidden()
    assert box(window).isHidden()
    assert window.canvas.node_item("x").grad_text == "∂y/∂x = 95.06"
    QApplication.processEvents()


@pytest.mark.parametrize("name", ["line_fit", "xor_mlp"])
def test_the_update_step_hides_the_new_value_and_keeps_what_it_is_made_of(window, name):
    open_example(window, name)
    predict = go(window, window.player.count)
    question = predict.question()
    assert question.phase == "update"
    card = window.step_card.text()
    assert number(question.answer) not in card and number(question.old) in card
    assert number(question.grad) in card
    item = window.canvas.node_item(question.node)
    assert item.value_text == "= ?"
    answer(window, number(question.answer).replace("−", "-"))   # keys type an ASCII minus
    assert predict.outcome().kind == "right" and number(question.answer) in \
        window.step_card.text()
