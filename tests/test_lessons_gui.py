"""Lessons in the app: the Lessons dock (Help ▸ Lessons, the empty canvas's way in) runs a lesson
on the real app — its example, selections, rings, the player and predict mode — step by step;
Next waits for predictions and for what the learner must do (typed values, Change to…, done
with real keys and menus); the prose's numbers follow the graph; progress is remembered."""
from __future__ import annotations

import json

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel

from engine.lessons import LESSONS_DIR
from engine.predict.text import number
from teach_helpers import right_click_menu, settle, type_text
from window_fixtures import dialogs, settings, window  # noqa: F401

SEVERAL_PATHS = LESSONS_DIR / "03_several_paths.json"
VANISHING = LESSONS_DIR / "06_vanishing_gradients.json"
SLOPE = LESSONS_DIR / "01_derivative_as_slope.json"


def lessons(window):
    window.actions_by_name["lessons"].trigger()       # Help ▸ Lessons
    settle()
    assert window.lessons_dock.isVisible()
    return window.lessons_dock.widget()


def press(button) -> None:
    assert button.isEnabled(), button.text()
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    settle()


def type_value(window, node_id: str, text: str) -> None:
    """Select ``node_id`` and type ``text`` into the inspector's value box, then Enter."""
    window.canvas.select_nodes([node_id])
    settle()
    edit = window.inspector.value_field.edit
    window.activateWindow()
    edit.setFocus()
    edit.selectAll()
    QTest.keyClicks(edit, text)
    QTest.keyClick(edit, Qt.Key.Key_Return)
    window.model.run_now()
    settle(6)


def test_a_lesson_runs_from_start_to_end_through_the_dock(window, settings):
    panel = lessons(window)
    titles = [card.title_label.text() for card in panel.cards]
    assert titles[2] == "3. Several paths" and len(titles) == 7
    assert panel.cards[2].start_button.text() == "Start ▸"
    press(panel.cards[2].start_button)
    driver = panel.driver
    guide = driver.guide
    predict = window.player.predict
    assert window.windowTitle().endswith("Two paths (example)")
    answered = 0
    while True:
        n = driver.current
        step = guide.step(n)
        text = panel.lesson_text()
        assert f"step {n} of {guide.count}" in text and "{" not in text
        assert window.canvas.graph_scene.spotlight == tuple(step.highlight)
        if step.select:
            assert window.inspector.selection == [step.select]
        if step.predict is not None:
            assert not panel.next_button.isEnabled()          # Next waits for the answer
            assert predict.enabled and window.player.current == step.predict.step - 1
            question = predict.question()
            assert predict.hidden() and not panel.reveal.isVisible()
            type_text(window.step_card.predict_box.field, number(question.answer))
            assert predict.outcome().kind == "right"
            answered += 1
            assert panel.reveal.isVisible() and number(question.answer) in panel.reveal.text()
        if step.wait is not None:                             # the last: "type −2 for t"
            assert step.wait.kind == "value" and not panel.next_button.isEnabled()
            type_value(window, "t", "-2")
            assert float(window.model.grads["t"]) == 0.0 or \
                abs(float(window.model.grads["t"])) < 1e-12
        if n == guide.count:
            assert panel.next_button.text().replace("&", "") == "Finish"
            press(panel.next_button)
            break
        press(panel.next_button)
    assert answered == 4 and predict.tally["right"] == 4
    assert not driver.active and panel.pages.currentIndex() == 0
    assert not predict.enabled                 # the lesson gives predict mode back as it found it
    assert "done ✓" in panel.cards[2].text()
    assert str(settings.value("lessons/03_several_paths/done")).lower() == "true"
    press(panel.cards[0].start_button)         # the next lesson counts its own answers
    assert sum(predict.tally.values()) == 0


def test_progress_is_remembered_and_a_lesson_can_be_restarted(window, settings):
    panel = lessons(window)
    panel.start(SEVERAL_PATHS)
    press(panel.next_button)
    press(panel.next_button)
    assert panel.driver.current == 3
    press(panel.all_button)                                   # back to the list
    assert panel.pages.currentIndex() == 0
    assert "step 3 of 7" in panel.cards[2].text()
    assert int(settings.value("lessons/03_several_paths/step")) == 3
    assert panel.cards[2].start_button.text() == "Continue ▸"
    assert panel.cards[2].over_button.isVisible() and not panel.cards[1].over_button.isVisible()
    press(panel.cards[2].start_button)
    assert panel.driver.current == 3 and predict_step(window) == 6
    press(panel.back_button)
    assert panel.driver.current == 2
    press(panel.restart_button)
    assert panel.driver.current == 1 and not panel.back_button.isEnabled()
    press(panel.skip_button)                                   # Skip step: always allowed
    press(panel.skip_button)
    assert panel.driver.current == 3 and not panel.next_button.isEnabled()
    press(panel.skip_button)                                   # past an unanswered question
    assert panel.driver.current == 4


def predict_step(window) -> int:
    return window.player.current + 1


def test_back_gives_the_step_the_numbers_its_text_was_written_for(window):
    panel = lessons(window)
    panel.start(SLOPE, at=3)                                  # x = 1.51 (steps 2 and 3 set x)
    assert float(window.model.node("x").value) == 1.51
    press(panel.back_button)
    assert float(window.model.node("x").value) == 1.6
    assert "from 1.5 to 1.6" in panel.lesson_text()
    press(panel.next_button)
    assert float(window.model.node("x").value) == 1.51
    window.undo_stack.undo()                                  # the lesson's edit is one step
    assert float(window.model.node("x").value) == 1.6


def test_the_prose_follows_the_graph_the_learner_changes(window):
    panel = lessons(window)
    panel.start(SLOPE, at=1)
    assert "Right now x = 1.5 and y = 34.3281" in panel.lesson_text()
    type_value(window, "x", "2")
    settle(4)
    QTest.qWait(200)                                          # the refill is throttled
    assert "Right now x = 2 and y = 125." in panel.lesson_text()


def test_a_wait_for_change_to_is_satisfied_through_the_context_menu(window):
    panel = lessons(window)
    panel.start(VANISHING, at=11)
    assert {window.model.node(f"s{k}").op for k in range(1, 11)} == {"tanh"}
    assert not panel.next_button.isEnabled()
    assert "Change s5 to sigmoid" in panel.lesson_text()
    before = float(window.model.grads["w1"])
    assert number(before) in panel.lesson_text()
    right_click_menu(window, "s5", ["Change to", "sigmoid"])
    window.model.run_now()
    settle()
    QTest.qWait(200)
    assert window.model.node("s5").op == "sigmoid"
    assert panel.next_button.isEnabled()
    after = float(window.model.grads["w1"])
    assert abs(after) < abs(before) and number(after) in panel.lesson_text()


def test_a_step_about_a_plot_brings_it_in_sight(window):
    window.resize(1024, 700)                       # the plots share tabs at this size
    settle()
    panel = lessons(window)
    panel.start(VANISHING, at=6)                   # "watch the gradient-norm plot"
    settle()
    training = window.training
    assert window.training_dock.isVisible()
    assert training.plot_grid.tabs.isVisible() and training.gradient_plot.isVisible()
    assert not training.loss_plot.isVisible()
    training.pause(wait=True)


def test_a_training_step_trains_and_the_next_one_pauses_and_plays(window):
    panel = lessons(window)
    panel.start(LESSONS_DIR / "05_forward_backward_update.json", at=9)
    session = window.training.session
    assert session.wait(60000)
    settle()
    assert session.step_count == 300
    w = float(window.model.node("w").value)
    assert abs(w - 1.5) < 0.2                                 # the line the data came from
    press(panel.next_button)
    assert window.player.active and window.player.current == 11
    assert not window.player.predict.enabled


def test_the_empty_canvas_offers_the_lessons(window):
    hint = window.canvas_hint
    assert hint.isVisible()
    cards = [w for w in window.canvas.findChildren(QLabel)
             if w.isVisible() and "empty graph" in w.text().lower()]
    assert len(cards) == 1                                 # one card, not two on each other
    viewport = window.canvas.viewport().rect()             # the hint is the viewport's child
    assert viewport.contains(hint.geometry())
    assert abs(hint.geometry().center().x() - viewport.center().x()) <= 2
    assert hint.button.isVisible() and hint.lessons_button.isVisible()
    QTest.mouseClick(hint.lessons_button, Qt.MouseButton.LeftButton)
    settle()
    assert window.lessons_dock.isVisible()
    assert window.lessons_dock.widget().pages.currentIndex() == 0
    window.open_file(str(SEVERAL_PATHS.parent.parent / "examples" / "chain_rule.json"),
                     ask=False)
    settle()
    assert not hint.isVisible()


def test_a_broken_lesson_is_refused_with_its_file_step_and_cause(window, dialogs, tmp_path):
    data = json.loads(SEVERAL_PATHS.read_text())
    data["steps"][1]["select"] = "tt"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(data))
    panel = lessons(window)
    assert not panel.start(path)
    kind, title, text = dialogs.shown[-1]
    assert title == "Cannot open the lesson"
    assert "broken.json: step 2: unknown node 'tt'" in text
    assert not panel.driver.active
    QApplication.processEvents()


def test_a_lesson_asks_before_replacing_unsaved_work(window, dialogs):
    from PySide6.QtWidgets import QMessageBox
    from gui.model import commands
    window.undo_stack.push(commands.AddNode(window.model, "mine", "input", value=1.0))
    dialogs.answer = QMessageBox.StandardButton.Cancel
    panel = lessons(window)
    assert not panel.start(SEVERAL_PATHS)
    assert window.model.node_ids() == ["mine"] and dialogs.kinds() == ["warning"]
    dialogs.answer = QMessageBox.StandardButton.Discard
    assert panel.start(SEVERAL_PATHS)
    assert "t" in window.model.node_ids()
    press(panel.next_button)                                  # lesson edits: no more questions
    assert dialogs.kinds() == ["warning", "warning"]
    QTest.mouseMove(window.canvas.viewport(), QPoint(5, 5))


def test_a_prediction_keeps_the_step_card_in_front_after_an_edit_or_back(window):
    """Step 6 of the chain-rule lesson sets x, then asks: the player left and came back, and
    the chain-rule tab that was in front before must not come over the card's question."""
    from layout_helpers import front_bottom_tab, settle_layout
    window.resize(1440, 900)
    window.show()
    panel = lessons(window)
    panel.start(LESSONS_DIR / "02_chain_rule.json")           # step 1 brings the chain rule
    settle_layout()
    assert front_bottom_tab(window) == "Chain rule"
    for _ in range(4):                                         # to step 5, a prediction
        if not panel.next_button.isEnabled():
            type_text(window.step_card.predict_box.field,
                      number(window.player.predict.question().answer))
        press(panel.next_button)
    settle_layout()
    assert panel.driver.current == 5 and front_bottom_tab(window) == "Player"
    type_text(window.step_card.predict_box.field, "95.0625")
    press(panel.next_button)                                   # step 6: x = −1, then predict
    settle_layout()
    assert panel.driver.current == 6 and front_bottom_tab(window) == "Player"
    press(panel.back_button)                                   # the document is opened again
    settle_layout()
    assert panel.driver.current == 5 and front_bottom_tab(window) == "Player"


def test_the_inspector_fits_its_dock_while_a_lesson_plays_a_network(window):
    """Step 10 of lesson 4 selects W1 and shows the update step: the results' captions name
    the player's step, and the inspector's page must still fit the dock (nothing cut)."""
    from layout_helpers import settle_layout
    window.resize(1296, 810)
    window.show()
    panel = lessons(window)
    panel.start(LESSONS_DIR / "04_neuron_to_network.json", at=10)
    settle_layout()
    scroll = window.inspector.scroll
    assert window.inspector.selection == ["W1"]
    assert "step 15/15" in window.inspector.value_caption.text()
    assert scroll.widget().width() <= scroll.viewport().width()


def test_the_empty_canvas_has_one_hint_whose_buttons_are_on_top(window):
    """One card on the empty canvas offers both ways in, and nothing covers either button: a
    real click at its centre reaches it (two hints once lay on top of each other)."""
    window.resize(1440, 900)
    window.show()
    settle()
    hint = window.canvas.empty_hint
    assert hint is window.canvas_hint and hint.isVisible()
    for button in (hint.button, hint.lessons_button):
        assert button.isVisible()
        centre = button.mapTo(window, button.rect().center())
        assert window.childAt(centre) is button, window.childAt(centre)
    QTest.mouseClick(hint.button, Qt.MouseButton.LeftButton)          # "Build a network…"
    settle()
    assert window.network.dock.isVisible()
