"""The neuron view in the main window, used as a user uses it: the toolbar toggle (and N), the
Weights / Gradients switch, the row box, clicking a weight's line for its chain, the op view
and the neuron view picking the same things, the player and a training run followed, both
layer forms, bias-free layers and a layer too wide to draw whole."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from conftest import EXAMPLES
from gui.formatting import fmt_number
from gui.network.neuron_frame import GRADIENTS, WEIGHTS
from network_graphs import hand_built
from window_fixtures import dialogs, settings, window  # noqa: F401 (fixtures)


def open_graph(win, graph, name="net"):
    win.open_graph(graph, None, name)
    win.model.run_now()
    QApplication.processEvents()


def open_example(win, name):
    assert win.open_file(EXAMPLES / f"{name}.json", ask=False)
    win.model.run_now()
    QApplication.processEvents()


def click(widget, point=None):
    point = widget.rect().center() if point is None else point
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(round(point.x()), round(point.y())))
    QApplication.processEvents()


def toolbar_button(win, name="neuron_view"):
    return win.toolbar.widgetForAction(win.actions_by_name[name])


def neurons_on(win):
    click(toolbar_button(win))
    page = win.network.page
    assert win.network.showing and page.isVisible()
    return page


def click_line(page, layer, i, j):
    point = page.picture.line_point(layer, i, j, 0.55)
    assert point is not None and page.picture.line_at(point) == (layer, i, j)
    click(page.picture, point)


def test_the_toggle_is_disabled_with_the_reason_on_a_graph_without_layers(window):
    open_example(window, "chain_rule")
    button = toolbar_button(window)
    assert not button.isEnabled()
    assert "pow" in button.toolTip() and "mse, sigmoid_bce or softmax_ce" in button.toolTip()
    click(button)
    assert not window.network.showing and window.network.stack.currentWidget() is window.canvas
    open_example(window, "xor_mlp")
    assert button.isEnabled() and "neurons" in button.toolTip()
    neurons_on(window)
    window.network.page.setFocus()
    QTest.keyClick(window.network.page, Qt.Key.Key_N)        # N: back to the op view
    assert not window.network.showing and window.canvas.isVisible()


def test_weights_gradients_and_the_row_shown(window):
    open_example(window, "iris_classifier")
    page = neurons_on(window)
    model = window.model
    frame = page.frame
    assert [level.units for level in frame.levels] == [4, 8, 3] and frame.row == 0
    h1 = model.values["h1"]
    np.testing.assert_array_equal(frame.levels[1].values, h1[0])
    np.testing.assert_array_equal(frame.links[0].matrix, model.values["W1"])
    click(page.gradients_button)
    frame = page.frame
    assert frame.mode == GRADIENTS and page.gradients_button.isChecked()
    # row 0's own term of ∂L/∂W1: ∂L/∂z1[0, j] · x[0, i]
    np.testing.assert_allclose(frame.links[0].matrix,
                               np.outer(model.values["x"][0], model.grads["z1"][0]),
                               rtol=0, atol=0)
    page.row_box.setFocus()
    QTest.keyClick(page.row_box, Qt.Key.Key_Down)            # row 1
    assert page.frame.row == 1
    np.testing.assert_array_equal(page.frame.levels[1].values, h1[1])
    QTest.keyClick(page.row_box, Qt.Key.Key_Up)
    QTest.keyClick(page.row_box, Qt.Key.Key_Up)              # above row 0: the batch's mean
    frame = page.frame
    assert frame.row is None
    np.testing.assert_allclose(frame.levels[1].values, h1.mean(axis=0), rtol=1e-15)
    np.testing.assert_array_equal(frame.links[1].matrix, model.grads["W2"])
    click(page.weights_button)
    assert page.frame.mode == WEIGHTS
    np.testing.assert_array_equal(page.frame.links[1].matrix, model.values["W2"])


def test_every_line_of_a_2_3_2_network_reads_its_chain_equal_to_the_engine(window):
    open_graph(window, hand_built((2, 3, 2), ["tanh"], "softmax_ce", rows=4, seed=3))
    page = neurons_on(window)
    grads = window.model.grads
    for layer, weight, (fan_in, fan_out) in ((1, "L1.weight", (2, 3)),
                                             (2, "L2.weight", (3, 2))):
        for i in range(fan_in):
            for j in range(fan_out):
                click_line(page, layer, i, j)
                chain = page.chain
                assert (chain.layer, chain.i, chain.j) == (layer, i, j)
                assert chain.index == (i, j) and chain.agrees
                engine = float(grads[weight][i, j])
                assert abs(chain.total - engine) <= 1e-12 * max(1.0, abs(engine))
                assert abs(chain.numeric - engine) <= 1e-6 * max(1.0, abs(engine))
                assert page.chain_view.isVisible()
                text = page.chain_view.toPlainText()
                assert f"∂L/∂{weight}[{i},{j}]" in text and "row 0 (the row shown)" in \
                    text.lower()
                assert "engine's ∂L/∂w" in text and "row 0 alone" in text
                assert text.count("✓") == 3 and "✗" not in text


def test_a_picked_line_is_its_element_in_the_op_view_and_back(window, qtbot):
    open_example(window, "iris_classifier")
    page = neurons_on(window)
    click_line(page, 1, 2, 5)
    assert window.canvas.selected_nodes() == ["W1"]
    assert window.inspector.node_id == "W1" and window.inspector.marked == ("W1", (2, 5))
    heatmap = window.inspector.value_view.heatmap
    assert heatmap.marker.isVisible() and heatmap.marker.rect().topLeft().toTuple() == (5, 2)
    # a cell of W2 clicked in the inspector's heatmap picks its line in the neuron view
    window.canvas.select_nodes(["W2"])
    QApplication.processEvents()
    assert page.picture.chosen_layer == 2 and page.chosen is None   # the layer's lines
    heatmap = window.inspector.value_view.heatmap
    qtbot.waitUntil(lambda: heatmap.view.isVisible())
    point = heatmap.view.mapFromScene(heatmap.image.mapToScene(QPointF(2.5, 7.5)))   # [7, 2]
    click(heatmap.view.viewport(), point)
    assert page.chosen == (2, 7, 2) and page.picture.chosen == (2, 7, 2)
    assert window.inspector.marked == ("W2", (7, 2))
    # a unit node picked in the op view picks out its column
    window.canvas.select_nodes(["h1"])
    QApplication.processEvents()
    assert page.picture.chosen_level == 1 and page.chosen is None
    assert window.inspector.marked is None


def test_pytorch_form_without_biases_joins_i_to_j_by_w_j_i(window):
    graph = hand_built((3, 4, 2), ["relu"], "mse", form="out_in", bias=False, rows=5, seed=1)
    open_graph(window, graph)
    page = neurons_on(window)
    model = window.model
    frame = page.frame
    np.testing.assert_array_equal(frame.links[0].matrix, model.values["fc1.weight"].T)
    seen = []
    window.network.page.weight_chosen.connect(lambda node, index: seen.append((node, index)))
    click_line(page, 1, 2, 3)                       # x[2] → unit 3 of fc1: fc1.weight[3, 2]
    assert seen == [("fc1.weight", (3, 2))]
    assert page.chain.index == (3, 2) and page.chain.agrees
    assert page.chain.total == pytest.approx(float(model.grads["fc1.weight"][3, 2]),
                                             rel=1e-12, abs=1e-15)
    assert window.inspector.marked == ("fc1.weight", (3, 2))


def test_a_layer_over_64_units_is_a_stated_sample(window):
    open_graph(window, hand_built((4, 100, 3), ["tanh"], "softmax_ce", rows=3))
    page = neurons_on(window)
    level = page.frame.levels[1]
    assert level.units == 100 and len(level.shown) == 24 and level.hidden_units == 76
    assert level.sample_text() == "0–11, 88–99 of 100 shown"
    assert page.frame.links[0].matrix.shape == (4, 24)
    assert page.frame.links[1].matrix.shape == (24, 3)
    click_line(page, 2, 99, 1)                       # a sampled unit keeps its real index
    assert page.chain.i == 99 and page.chain.agrees
    assert page.picture.unit_point(1, 50) is None    # not drawn: one of the "76 more"
    value = float(window.model.values["tanh"][0, 88])     # hand_built names it after its op
    assert page.picture.tooltip_at(page.picture.unit_point(1, 88)) == \
        f"tanh[88] = {fmt_number(value, 6)} (row 0)"


def test_the_neuron_view_follows_the_player(window):
    open_example(window, "xor_mlp")
    page = neurons_on(window)
    page.setFocus()
    QTest.keyClick(page, Qt.Key.Key_End)                 # the player's keys work here
    player = window.player
    assert player.active
    QTest.keyClick(page, Qt.Key.Key_Home)
    QApplication.processEvents()
    frame = page.frame
    assert not frame.live and frame.caption.startswith("step 1/")
    assert np.isnan(frame.levels[1].values).all()           # nothing computed yet
    assert not np.isnan(frame.levels[0].values).any()       # the inputs are there
    timeline = player.timeline
    h1_step = next(k for k in range(timeline.count)
                   if timeline.step_info(k).phase == "forward"
                   and timeline.step_info(k).node == "h1")
    for _ in range(h1_step):
        QTest.keyClick(page, Qt.Key.Key_Right)
    frame = page.frame
    assert frame.levels[1].active and not np.isnan(frame.levels[1].values).any()
    assert np.isnan(frame.levels[2].values).all()            # logits: not yet
    w2_step = next(k for k in range(timeline.count)
                   if timeline.step_info(k).phase == "backward"
                   and any(e[0] == "W2" for e in timeline.step_info(k).edges))
    for _ in range(w2_step - h1_step):
        QTest.keyClick(page, Qt.Key.Key_Right)
    frame = page.frame
    assert frame.links[1].lit and frame.links[1].kind == GRADIENTS
    assert not frame.links[0].lit and frame.links[0].kind == WEIGHTS   # W1: not reached
    trace = player.timeline.trace                        # row 0's term: ∂L/∂logits[0] h1[0]
    np.testing.assert_array_equal(frame.links[1].matrix,
                                  np.outer(trace.values["h1"][0], trace.grads["logits"][0]))
    QTest.keyClick(page, Qt.Key.Key_Escape)              # Esc: back to the live view
    assert not player.active and page.frame.live and page.caption.text() == ""


def test_the_lines_follow_a_training_run(window, qtbot):
    open_example(window, "xor_mlp")
    page = neurons_on(window)
    session = window.training.session
    before = np.array(window.model.values["W1"])
    session.hold_at(5)                                  # the test hook: the run waits there
    window.actions_by_name["train"].trigger()
    try:
        with qtbot.waitSignal(session.worker.held, timeout=20000):
            pass
        seen = session.latest.values                    # the weights after step 5
        assert session.latest.step == 5
        qtbot.waitUntil(lambda: page.frame is not None and np.array_equal(
            page.frame.links[0].matrix, seen["W1"]), timeout=5000)
        assert not np.array_equal(page.frame.links[0].matrix, before)
        np.testing.assert_array_equal(page.frame.links[1].matrix, seen["W2"])
    finally:
        session.pause(wait=True)


def test_the_chain_keeps_the_readers_place_while_the_numbers_change(window, qtbot):
    open_example(window, "iris_classifier")
    page = neurons_on(window)
    click_line(page, 1, 2, 5)
    bar = page.chain_view.verticalScrollBar()
    assert bar.maximum() > 0
    bar.setValue(bar.maximum())
    place = bar.value()
    W1 = np.array(window.model.values["W1"])
    W1[2, 5] += 0.25
    window.model.show_live_values({"W1": W1})          # as a training run shows weights
    window.model.run_now()
    qtbot.waitUntil(lambda: page.chain.weight_value == W1[2, 5], timeout=3000)
    assert bar.value() == place
    click_line(page, 2, 0, 1)                          # another weight: from its top
    assert page.chain.weight == "W2" and bar.value() == 0
    window.model.end_live_values({"W1": np.array(window.model.graph.node("W1").value)})
