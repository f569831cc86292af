"""The user's own CSV in the Training panel: the dialog's preview and column mapping, every
bad file says why in one line and changes nothing, and fruits.csv (text class labels) trains
the spiral's softmax classifier once mapped onto it."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication

from conftest import EXAMPLES
from gui.training.csv_dialog import CsvDialog
from training_helpers import (click, open_example, undo_texts, use_csv_through_dialog,
                              wait_idle)
from window_fixtures import dialogs, settings, window  # noqa: F401 (fixtures)

FRUITS = EXAMPLES / "fruits.csv"
GOOD = "width_cm,height_cm,fruit\n" + "".join(
    f"{w},{h},{f}\n" for w, h, f in [(7, 7.5, "apple"), (5, 8, "lemon"), (9, 9, "orange"),
                                     (7.2, 7.1, "apple"), (5.1, 8.3, "lemon"), (8.8, 9.2, "orange")])
BAD = {   # file text → the phrase the message must contain
    "missing_value": (GOOD.replace("5,8,lemon", "5,,lemon"),
                      "line 3, column 'height_cm': missing value"),
    "text_in_a_feature": (GOOD.replace("9,9,orange", "9,big,orange"),
                          "line 4, column 'height_cm': 'big' is not a number"),
    "header_without_rows": ("width_cm,height_cm,fruit\n", "has a header but no data rows"),
    "ragged_row": (GOOD.replace("9,9,orange", "9,orange"), "line 4: expected 3 values, found 2"),
}
# widths that differ from the layered network's: the dialog says what differs and offers to
# adapt it (tests/test_network_gui.py adapts one through the dialog)
DIFFERING = {
    "too_many_features": ("a,b,c,fruit\n1,2,3,apple\n4,5,6,lemon\n7,8,9,orange\n",
                          "3 feature columns (a, b, c) but the features node 'x' takes 2"),
    "four_classes": (GOOD + "6,6,plum\n", "4 classes (apple, lemon, orange, plum) but the "
                                          "targets node 'y' takes 3"),
}


def unchanged(window):
    session = window.training.session
    return (json.dumps(session.data, sort_keys=True),
            json.dumps(window.model.training_sections(), sort_keys=True),
            undo_texts(window), window.modified)


def dialog_for(window, qtbot, path) -> CsvDialog:
    dialog = CsvDialog(window.training.session, str(path), window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: not dialog._timer.isActive(), timeout=5000)
    return dialog


@pytest.mark.parametrize("case", sorted(BAD))
def test_every_bad_csv_says_why_and_changes_nothing(window, qtbot, tmp_path, case):
    open_example(window, "spiral_classifier")
    before = unchanged(window)
    text, phrase = BAD[case]
    path = tmp_path / f"{case}.csv"
    path.write_text(text)
    dialog = dialog_for(window, qtbot, path)
    assert phrase in dialog.error_label.text(), dialog.error_label.text()
    assert dialog.error_label.text().count("\n") == 0, "one line"
    assert not dialog.ok_button.isEnabled()
    dialog.accept()                                   # even forced, OK refuses
    assert dialog.isVisible() and dialog.result() == 0
    assert unchanged(window) == before


@pytest.mark.parametrize("case", sorted(DIFFERING))
def test_a_differing_width_is_said_and_adapting_waits_for_ok(window, qtbot, tmp_path, case):
    open_example(window, "spiral_classifier")
    before = unchanged(window)
    text, phrase = DIFFERING[case]
    path = tmp_path / f"{case}.csv"
    path.write_text(text)
    dialog = dialog_for(window, qtbot, path)
    assert phrase in dialog.adapt_label.text(), dialog.adapt_label.text()
    assert dialog.ok_button.isEnabled() and dialog.ok_button.text().startswith("Adapt")
    assert unchanged(window) == before                # nothing changes until OK
    dialog.reject()
    assert unchanged(window) == before


def test_a_differing_width_is_refused_where_the_graph_has_no_layers(window, qtbot, tmp_path):
    open_example(window, "line_fit")                  # x * w + b: no matmul to resize
    before = unchanged(window)
    path = tmp_path / "two_features.csv"
    path.write_text("a,b,y\n1,2,3\n4,5,6\n7,8,9\n")
    dialog = dialog_for(window, qtbot, path)
    assert "does not fit the graph" in dialog.error_label.text(), dialog.error_label.text()
    assert not dialog.ok_button.isEnabled() and dialog.adapt_label.isHidden()
    assert unchanged(window) == before


def test_a_missing_file_says_so_and_changes_nothing(window, qtbot, tmp_path):
    open_example(window, "spiral_classifier")
    before = unchanged(window)
    dialog = dialog_for(window, qtbot, tmp_path / "nowhere.csv")
    assert "nowhere.csv: cannot read the file: no such file" in dialog.error_label.text()
    assert not dialog.ok_button.isEnabled() and dialog.preview.rowCount() == 0
    dialog.accept()
    assert unchanged(window) == before


def test_the_preview_mapping_and_class_labels(window, qtbot):
    open_example(window, "spiral_classifier")
    dialog = dialog_for(window, qtbot, FRUITS)
    assert dialog.error_label.text() == "" and dialog.ok_button.isEnabled()
    assert dialog.preview.columnCount() == 3 and dialog.preview.rowCount() == 12
    assert dialog.preview.horizontalHeaderItem(2).text() == "fruit → target"
    header = dialog.preview.horizontalHeader()              # the whole header text shows
    wanted = header.fontMetrics().horizontalAdvance("fruit → target")
    assert header.sectionSize(2) >= wanted
    assert dialog.preview.item(0, 0).text() == "4.6"
    assert "rows × 3 columns" in dialog.rows_label.text()
    assert dialog.target_box.currentText() == "fruit"
    assert dialog.features_label.text().startswith("width_cm, height_cm  (2 columns → x)")
    assert dialog.classes_label.text() == ("3 classes: apple, lemon, orange → one-hot rows "
                                           "for y (softmax_ce)")
    dialog.target_box.setCurrentText("height_cm")    # the fruit names become a feature
    qtbot.waitUntil(lambda: not dialog._timer.isActive(), timeout=5000)
    assert "line 2, column 'fruit': 'lemon' is not a number" in dialog.error_label.text()
    assert dialog.features_label.text().startswith("width_cm, fruit")
    assert not dialog.ok_button.isEnabled()
    dialog.target_box.setCurrentText("fruit")
    qtbot.waitUntil(lambda: dialog.ok_button.isEnabled(), timeout=5000)
    click(dialog.ok_button)                             # a real click on OK applies it
    assert dialog.result() == 1 and not dialog.isVisible()
    assert window.training.session.data["csv"] == os.path.abspath(FRUITS)
    assert undo_texts(window) == ["Change training settings"]


def test_fruits_csv_with_text_labels_trains_a_softmax_classifier(window, qtbot, tmp_path):
    open_example(window, "spiral_classifier")
    panel = window.training

    use_csv_through_dialog(qtbot, panel, FRUITS, test_fraction=0.25)
    data = panel.session.data
    assert data["csv"] == os.path.abspath(FRUITS) and data["target"] == "fruit"
    assert data["standardize"] is True and data["test_fraction"] == 0.25
    assert undo_texts(window) == ["Change training settings"]
    assert panel.dataset_box.currentText() == "Your CSV…" and "fruits.csv" in \
        panel.csv_label.text()
    panel.steps_box.setValue(400)
    click(panel.train_button)
    wait_idle(qtbot, panel)
    metrics = panel.metrics()
    assert metrics["accuracy"] >= 0.95 and metrics["test_accuracy"] >= 0.9
    assert panel.session.trainer.labels == ("apple", "lemon", "orange")
    boundary = panel.boundary_plot
    assert boundary.probe.kind == "boundary" and boundary.probe.feature_names == \
        ("width_cm", "height_cm")
    x0, x1, y0, y1 = boundary.probe.extent              # in centimetres, not standardised
    assert 3 < x0 < 5 and 9 < x1 < 12 and 5 < y0 < 7 and 9 < y1 < 12
    section = window.model.training_sections()[0]
    assert section["labels"] == ["apple", "lemon", "orange"]
    assert set(section["standardize"]) == {"mean", "std"}
    path = tmp_path / "fruity.json"
    assert window.save_as(str(path))
    saved = json.loads(path.read_text())["data"]
    assert saved["csv"] == os.path.relpath(FRUITS, tmp_path).replace(os.sep, "/")
    assert window.model.training_sections()[0]["csv"] == os.path.abspath(FRUITS)


def test_an_example_reads_its_csv_from_the_examples_folder(window, qtbot):
    open_example(window, "iris_classifier")
    panel = window.training
    assert window.model.training_sections()[0]["csv"] == str(EXAMPLES / "iris.csv")
    assert not window.modified
    click(panel.train_button)
    wait_idle(qtbot, panel)
    metrics = panel.metrics()
    assert metrics["accuracy"] > 0.9 and metrics["test_accuracy"] > 0.85
    assert panel.boundary_plot.probe.kind is None
    note = " ".join(panel.boundary_plot.note.toPlainText().split())   # wrapped to fit
    assert "needs 1 or 2 input features; this data has 4" in note


def test_an_unknown_target_column_in_the_file_is_a_clear_error(window, qtbot):
    open_example(window, "fruit_classifier")
    panel = window.training
    panel.session.set_data(dict(panel.session.data, target="colour"))
    count = window.undo_stack.count()
    click(panel.train_button)
    assert not panel.running
    assert "no column named 'colour'" in panel.error_label.text()
    assert window.undo_stack.count() == count
    QApplication.processEvents()
    assert np.isfinite(window.model.node("W1").value).all()
