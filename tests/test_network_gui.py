"""The network builder and graphs that fit the data, in the main window, driven with the mouse
and keys: + / − on a layer's units, adding and removing layers, an activation, each one undo
step that keeps the other weights and undoes exactly; a network built for a CSV the app has
never seen from the empty canvas; iris_classifier adapted to a 13-feature CSV through the CSV
dialog; ``shot --view neurons``."""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QPushButton, QScrollArea, QSpinBox, QToolButton

from conftest import EXAMPLES, ROOT
from network_graphs import wine_like_csv
from training_helpers import open_example, undo_texts, use_csv_through_dialog, wait_idle
from window_fixtures import dialogs, graph_dict, settings, window  # noqa: F401 (fixtures)


def click(widget):
    assert widget.isVisible() and widget.isEnabled(), widget.objectName()
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     widget.rect().center())
    QApplication.processEvents()


def builder_of(win):
    builder = win.network.open_builder()
    QApplication.processEvents()
    return builder


def child(builder, cls, name):
    found = builder.findChild(cls, name)
    assert found is not None, name
    return found


def value(win, node):
    return np.array(win.model.node(node).value)


def seven_feature_csv(path, rows=90, seed=4):
    """Seven numeric features, three well separated classes named by text."""
    rng = np.random.default_rng(seed)
    names = ("petal", "stem", "leaf", "root", "seed", "bud", "bark")
    centres = 3 * rng.standard_normal((3, 7))
    lines = [",".join(names) + ",kind"]
    for r in range(rows):
        k = r % 3
        x = centres[k] + 0.4 * rng.standard_normal(7)
        lines.append(",".join(f"{v:.3f}" for v in x) + f",{('ash', 'elm', 'oak')[k]}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_plus_minus_layers_and_activation_are_one_undo_step_each(window):
    open_example(window, "iris_classifier")
    builder = builder_of(window)
    before = graph_dict(window)
    W1, b1, W2 = value(window, "W1"), value(window, "b1"), value(window, "W2")
    steps = window.undo_stack.count()

    click(child(builder, QToolButton, "builder_plus_1"))            # 8 → 9 units
    assert value(window, "W1").shape == (4, 9) and value(window, "W2").shape == (9, 3)
    np.testing.assert_array_equal(value(window, "W1")[:, :8], W1)
    np.testing.assert_array_equal(value(window, "b1")[:8], b1)
    np.testing.assert_array_equal(value(window, "W2")[:8], W2)
    np.testing.assert_array_equal(value(window, "b2"), np.zeros(3))
    assert window.undo_stack.count() == steps + 1
    assert undo_texts(window)[-1] == "Add a unit to hidden layer 1"
    window.undo_stack.undo()
    assert graph_dict(window) == before

    click(child(builder, QToolButton, "builder_minus_1"))           # 8 → 7 units
    np.testing.assert_array_equal(value(window, "W1"), W1[:, :7])
    np.testing.assert_array_equal(value(window, "W2"), W2[:7])
    window.undo_stack.undo()
    assert graph_dict(window) == before

    spin = child(builder, QSpinBox, "builder_units_1")
    spin.setFocus()
    spin.selectAll()
    QTest.keyClicks(spin, "12")
    QTest.keyClick(spin, Qt.Key.Key_Return)                         # typed: 12 units
    QApplication.processEvents()
    assert value(window, "W1").shape == (4, 12)
    np.testing.assert_array_equal(value(window, "W1")[:, :8], W1)
    window.undo_stack.undo()
    assert graph_dict(window) == before

    click(child(builder, QPushButton, "builder_add_layer"))          # a second hidden layer
    network = window.model.network()
    assert network.widths == (4, 8, 8, 3) and window.model.has_node("h2")
    np.testing.assert_array_equal(value(window, "W1"), W1)
    np.testing.assert_array_equal(value(window, "W3"), W2)         # renumbered, kept
    box = child(builder, QComboBox, "builder_activation_2")
    box.setFocus()
    QTest.keyClick(box, Qt.Key.Key_Down)                             # tanh → relu
    QApplication.processEvents()
    assert window.model.node("h2").op == "relu"
    click(child(builder, QToolButton, "builder_remove_1"))          # the first hidden layer goes
    assert window.model.network().widths == (4, 8, 3)
    assert window.model.node("h1").op == "relu"
    assert undo_texts(window)[-3:] == ["Add a hidden layer", "Hidden layer 2: relu",
                                       "Remove hidden layer 1"]
    for _ in range(3):
        window.undo_stack.undo()
    assert graph_dict(window) == before


def test_iris_adapted_to_13_features_through_the_csv_dialog_trains_and_undoes(window, qtbot,
                                                                               tmp_path):
    open_example(window, "iris_classifier")
    before = graph_dict(window)
    W1, W2 = value(window, "W1"), value(window, "W2")
    path = wine_like_csv(tmp_path / "wine.csv")
    panel = window.training
    window.training_dock.show()
    window.training_dock.raise_()
    QApplication.processEvents()
    use_csv_through_dialog(qtbot, panel, path)
    window.model.run_now()
    QApplication.processEvents()
    assert value(window, "W1").shape == (13, 8)
    np.testing.assert_array_equal(value(window, "W2"), W2)       # 3 classes: the rest is kept
    assert value(window, "x").shape[1] == 13
    assert window.model.status == "" and not window.model.problems
    assert window.canvas.banner.isHidden()                        # no red banner left
    assert undo_texts(window)[-1] == "Adapt the network to wine.csv"
    assert window.model.training_sections()[0]["csv"] == str(path)
    assert panel.start(150)
    wait_idle(qtbot, panel)
    metrics = panel.session.metrics()
    assert metrics["step"] == 150 and metrics["accuracy"] >= 0.9, metrics
    while window.undo_stack.canUndo():
        window.undo_stack.undo()
    assert graph_dict(window) == before                           # the 4-feature graph back
    np.testing.assert_array_equal(value(window, "W1"), W1)


def test_a_network_for_a_new_csv_from_the_empty_canvas(window, dialogs, qtbot, tmp_path):
    path = seven_feature_csv(tmp_path / "plants.csv")
    hint = window.canvas.empty_hint
    assert hint.isVisible()
    window.resize(1440, 900)
    click(hint.button)                                            # "Build a network…"
    builder = window.network.builder
    assert window.network.dock.isVisible() and builder.isVisible()
    QApplication.processEvents()
    scroll = builder.findChild(QScrollArea)                       # its rows fit, unclipped
    assert not scroll.horizontalScrollBar().isVisible()
    dialogs.open_path = str(path)
    click(child(builder, QPushButton, "builder_csv"))             # "Choose a CSV…"
    assert "7 features" in builder.data_label.text() and "3 classes" in builder.data_label.text()
    click(child(builder, QPushButton, "builder_build"))
    window.model.run_now()
    assert window.model.network().widths == (7, 8, 3)
    assert window.model.network().loss_op == "softmax_ce"
    assert not hint.isVisible() and window.model.status == ""
    assert undo_texts(window) == ["Build a 7-8-3 network"]
    data, training = window.model.training_sections()
    assert data["csv"] == str(path) and data["target"] == "kind" and training["optimizer"] == "adam"
    panel = window.training
    assert panel.start(200)
    wait_idle(qtbot, panel)
    assert panel.session.metrics()["accuracy"] >= 0.95
    window.model.mark_saved()
    window.actions_by_name["new_network"].trigger()               # File ▸ New Network…
    QApplication.processEvents()
    assert window.model.node_ids() == [] and window.network.dock.isVisible()
    assert builder.build_button.text() == "Build"


def test_the_csv_dialog_opens_the_builder_on_its_csv(window, qtbot, tmp_path):
    open_example(window, "xor_mlp")
    path = seven_feature_csv(tmp_path / "plants.csv")
    panel = window.training
    window.training_dock.show()
    window.training_dock.raise_()
    QApplication.processEvents()

    def in_the_dialog():
        dialog = panel.csv_dialog
        if dialog is None or not dialog.isVisible():
            return
        poll.stop()
        dialog.set_path(str(path))
        qtbot.waitUntil(lambda: dialog.ok_button.isEnabled(), timeout=5000)
        assert dialog.adapt_label.isVisible()       # xor's 2 inputs: the dialog could adapt
        dialog.build_button.click()

    poll = QTimer()
    poll.setInterval(20)
    poll.timeout.connect(in_the_dialog)
    poll.start()
    QTest.mouseClick(panel.csv_button, Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    builder = window.network.builder
    assert window.network.dock.isVisible() and builder.csv is not None
    assert builder.csv.features == 7 and builder.fit_button.isVisible()
    click(builder.fit_button)                                      # fit xor to it: one step
    assert window.model.network().widths == (7, 4, 3)
    assert undo_texts(window)[-1] == "Adapt the network to plants.csv"


def test_shot_view_neurons(tmp_path):
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    out = tmp_path / "neurons.png"
    run = subprocess.run([sys.executable, "main.py", "shot", str(EXAMPLES / "xor_mlp.json"),
                          "--view", "neurons", "--out", str(out)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert out.stat().st_size > 10_000
    refused = subprocess.run([sys.executable, "main.py", "shot",
                              str(EXAMPLES / "chain_rule.json"), "--view", "neurons", "--out",
                              str(tmp_path / "no.png")], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and not (tmp_path / "no.png").exists()
    assert refused.stderr.strip().count("\n") == 0
    assert "chain_rule.json has no neuron view: the loss 'y' is a pow" in refused.stderr
