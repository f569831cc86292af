"""File ▸ Import PyTorch Model…, driven as a user drives it: the path typed, the loss chosen
with the keyboard, Import and Cancel clicked. The dialog lists classes without running the file
and says first that importing runs it; the shipped MLP imports (a real ``main.py import``
process), opens laid out by layers and the player steps through its backward pass; a refusal
names its reason and keeps the open document; Cancel stops the process; without torch the
dialog says to run ``make torch``."""
from __future__ import annotations

import os
import re
import textwrap

import pytest
from PySide6.QtCore import QProcess, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from shiboken6 import isValid

from conftest import EXAMPLES, ROOT
from gui.model import pytorch_import
from window_fixtures import dialogs, settings, window  # noqa: F401 (fixtures)

MODELS = ROOT / "resources" / "models"
IMPORT_TIMEOUT_MS = 180_000          # torch's start on a busy machine


def write(tmp_path, text: str, name: str = "model.py"):
    path = tmp_path / name
    path.write_text("import torch\nfrom torch import nn\n\n" + textwrap.dedent(text))
    return path


def open_dialog(win):
    win.actions_by_name["import_torch"].trigger()
    QApplication.processEvents()
    dialog = win.import_dialog
    assert dialog.isVisible()
    return dialog


def choose_file(qtbot, dialog, path) -> None:
    dialog.file_edit.setFocus()
    dialog.file_edit.selectAll()
    QTest.keyClicks(dialog.file_edit, str(path))
    QTest.keyClick(dialog.file_edit, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: not dialog._reload.isActive())
    QApplication.processEvents()


def type_into(edit, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    QTest.keyClicks(edit, text)


def choose_loss(dialog, letter: str) -> None:
    dialog.loss_box.setFocus()
    QTest.keyClicks(dialog.loss_box, letter)        # the combo's keyboard search


def click(button) -> None:
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    QApplication.processEvents()


def key(win, k) -> None:
    win.activateWindow()
    win.canvas.setFocus()
    QTest.keyClick(win.canvas, k)
    QApplication.processEvents()


def open_example(win, name: str) -> None:
    assert win.open_file(EXAMPLES / f"{name}.json", ask=False)
    win.model.run_now()


def test_the_dialog_warns_first_and_lists_classes_without_running_the_file(qtbot, window,
                                                                           tmp_path):
    path = write(tmp_path, """
        raise SystemExit("this file must not run")

        class Block(nn.Module):
            def __init__(self, width):
                super().__init__()
                self.fc = nn.Linear(width, width)

            def forward(self, x):
                return self.fc(x)

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.block = Block(5)
                self.head = nn.Linear(5, 1)

            def forward(self, x, mask):
                return self.head(self.block(x) * mask)
    """)
    dialog = open_dialog(window)
    assert "runs this file's Python code" in dialog.trust.text()
    choose_file(qtbot, dialog, path)
    assert [dialog.class_box.itemText(i) for i in range(dialog.class_box.count())] == \
        ["Block", "Net"]
    assert dialog.class_box.currentText() == "Net"          # the one built with no arguments
    assert list(dialog.shape_edits) == ["x", "mask"]
    assert dialog.shape_edits["x"].text() == "8,5"          # from nn.Linear(5, 1)
    assert dialog.shape_edits["mask"].text() == ""
    click(dialog.import_button)                             # mask has no shape yet
    assert dialog.process is None
    assert dialog.message.text() == ("Input shape of mask: give positive sizes separated by "
                                     "commas, batch axis first, such as 8,2")
    dialog.class_box.setFocus()
    QTest.keyClick(dialog.class_box, Qt.Key.Key_Up)         # Block: forward(x)
    assert dialog.class_box.currentText() == "Block" and list(dialog.shape_edits) == ["x"]

    broken = tmp_path / "broken.py"
    broken.write_text("import torch\n\nclass Net(torch.nn.Module:\n    pass\n")
    choose_file(qtbot, dialog, broken)
    assert dialog.message.text() == "broken.py:3: syntax error: invalid syntax"
    assert dialog.class_box.count() == 0
    click(dialog.import_button)
    assert dialog.process is None
    assert dialog.message.text() == "broken.py defines no nn.Module class to import"


def test_without_torch_the_dialog_says_to_run_make_torch(qtbot, window, monkeypatch):
    monkeypatch.setattr(pytorch_import, "torch_installed", lambda: False)
    dialog = open_dialog(window)
    choose_file(qtbot, dialog, MODELS / "spiral_mlp.py")
    assert "run `make torch`" in dialog.message.text()
    assert not dialog.import_button.isEnabled()
    QTest.keyClick(dialog, Qt.Key.Key_Return)
    assert dialog.process is None and dialog.isVisible()


def test_cancel_stops_the_running_import_and_keeps_the_document(qtbot, window, tmp_path,
                                                                monkeypatch):
    monkeypatch.setattr(pytorch_import, "torch_installed", lambda: True)
    open_example(window, "xor_mlp")
    before = window.model.document()
    path = write(tmp_path, """
        import time
        time.sleep(600)          # a model file that never finishes loading

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(2, 1)

            def forward(self, x):
                return self.fc(x)
    """)
    dialog = open_dialog(window)
    choose_file(qtbot, dialog, path)
    click(dialog.import_button)
    process = dialog.process
    assert process is not None and not dialog.import_button.isEnabled()
    assert not dialog.file_edit.isEnabled() and dialog.progress.isVisible()
    assert dialog.message.text().startswith("Importing Net: running model.py and PyTorch")
    QApplication.processEvents()                    # the message and the bar take room: the
    for field in (dialog.file_edit, dialog.class_box, dialog.loss_box, dialog.weights_edit,
                  dialog.seed):                     # dialog grows, no field is squeezed
        assert field.height() >= field.sizeHint().height(), field
    qtbot.waitUntil(lambda: process.state() == QProcess.ProcessState.Running, timeout=20_000)
    pid, out_dir = process.processId(), dialog.out_dir
    click(dialog.cancel_button)
    qtbot.waitUntil(lambda: dialog.process is None, timeout=20_000)
    assert dialog.isVisible()                       # Cancel stopped the import, not the dialog
    assert dialog.message.text() == "Import cancelled: nothing was imported."
    assert dialog.import_button.isEnabled() and dialog.file_edit.isEnabled()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)                             # the process is gone
    assert not os.path.exists(out_dir)
    assert window.model.document() == before and window.display_name == "XOR MLP (example)"
    click(dialog.cancel_button)                     # now it closes the dialog
    assert not dialog.isVisible()


def test_a_refused_model_names_the_reason_and_keeps_the_open_document(qtbot, window, dialogs,
                                                                      tmp_path):
    pytest.importorskip("torch")
    open_example(window, "xor_mlp")
    window.canvas.select_nodes(["W1"])
    window.canvas.delete_selection()
    assert window.modified
    before = window.model.document()
    path = write(tmp_path, """
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(1, 1, 3)

            def forward(self, x):
                return self.conv(x).sum()
    """)
    dialog = open_dialog(window)            # Save / Discard / Cancel was asked: Discard
    assert dialogs.kinds() == ["warning"]
    choose_file(qtbot, dialog, path)
    type_into(dialog.shape_edits["x"], "1,1,5,5")
    choose_loss(dialog, "n")
    assert dialog.loss_box.currentData() == "none"
    click(dialog.import_button)
    qtbot.waitUntil(lambda: dialog.process is None, timeout=IMPORT_TIMEOUT_MS)
    assert dialog.isVisible()
    assert dialog.message.text().startswith(
        "Not imported: model.py: conv (nn.Conv2d) is not supported: supported modules are ")
    assert "\n" not in dialog.message.text() and "Traceback" not in dialog.message.text()
    assert dialog.shape_edits["x"].text() == "1,1,5,5"          # nothing to type again
    assert window.model.document() == before and window.modified
    assert window.undo_stack.canUndo()                         # the deletion is still there


def test_the_shipped_mlp_imports_opens_by_layers_and_the_player_steps_back_through_it(
        qtbot, window, tmp_path):
    pytest.importorskip("torch")
    dialog = open_dialog(window)
    choose_file(qtbot, dialog, MODELS / "spiral_mlp.py")
    assert dialog.class_box.currentText() == "SpiralMLP"
    assert dialog.shape_edits["x"].text() == "8,2"
    choose_loss(dialog, "c")
    assert dialog.loss_box.currentData() == "ce"
    click(dialog.import_button)
    qtbot.waitUntil(lambda: not isValid(dialog) or dialog.process is None,
                    timeout=IMPORT_TIMEOUT_MS)
    assert not isValid(dialog) or not dialog.isVisible(), dialog.message.text()

    model = window.model
    qtbot.waitUntil(window.isActiveWindow)           # the app hands the keys back to the canvas
    assert QApplication.focusWidget() is window.canvas
    assert window.windowTitle().endswith("SpiralMLP (imported)*") and window.path is None
    message = window.statusBar().currentMessage()
    assert message.startswith("Imported SpiralMLP from spiral_mlp.py: 20 nodes, 6 parameters "
                              "(371 weights); loss and gradients equal PyTorch's to within ")
    assert "drop (nn.Dropout) elided" in message
    assert float(re.search(r"within (\S+)", message).group(1).replace("−", "-")) < 1e-12
    assert model.loss_id == "loss" and not model.problems
    x = {n: model.node(n).position[0] for n in model.node_ids()}
    chain = ["x", "fc1.matmul", "fc1", "act1", "fc2.matmul", "fc2", "act2", "fc3.matmul", "fc3",
             "loss"]
    assert [x[n] for n in chain] == sorted(x[n] for n in chain)       # layers left to right
    assert len({model.node(n).position[1] for n in chain}) == 1       # on one row
    for edge in model.edges():                                      # every wire runs forward
        assert x[edge.source] < x[edge.target], edge

    key(window, Qt.Key.Key_Home)
    player = window.player
    assert player.active and player.current == 0
    # 1 initial + 12 ops forward + the loss's seed + 19 edges back + the update
    assert player.count == 1 + 12 + 1 + 19 + 1
    key(window, Qt.Key.Key_End)
    assert window.canvas.caption_overlay.caption == "step 34/34 · update"
    key(window, Qt.Key.Key_Left)
    assert window.canvas.caption_overlay.caption == "step 33/34 · backward"
    assert window.step_card.text().splitlines()[1].startswith("fc1.weight.T → fc1.weight")
    shown = window.canvas.node_item("fc1.weight").grad_text
    assert shown and shown.startswith("∂")
    key(window, Qt.Key.Key_Escape)
    assert not player.active

    again = open_dialog(window)              # the settings that worked come back
    assert again.file_edit.text() == str((MODELS / "spiral_mlp.py").resolve())
    assert again.loss_box.currentData() == "ce" and again.shape_edits["x"].text() == "8,2"
    click(again.cancel_button)


def test_an_imported_graph_is_laid_out_by_its_layers_else_by_the_auto_layout():
    import engine
    from engine.networks.builder import layout
    from engine.networks.layers import recognize
    from gui.model.auto_layout import layered_positions
    from network_graphs import hand_built
    layered = hand_built((3, 5, 2), ["tanh"], form="out_in")
    assert pytorch_import.layer_positions(layered) == layout(recognize(layered))
    layered.add_node("extra", "constant", value=1.0)     # outside the chain: a row below
    positions = pytorch_import.layer_positions(layered)
    assert positions["extra"][1] > max(y for n, (_, y) in positions.items() if n != "extra")
    plain = engine.load_graph(EXAMPLES / "two_paths.json")
    assert pytorch_import.layer_positions(plain) == layered_positions(plain)


@pytest.mark.parametrize("stored", ["not json", '["a list"]', '{"%s": {"class": "SpiralMLP", '
                                    '"shapes": {"x": 8}, "seed": "x", "loss": "hinge", '
                                    '"weights": 1}}'])
def test_remembered_settings_that_do_not_fit_are_ignored(qtbot, window, stored):
    path = (MODELS / "spiral_mlp.py").resolve()
    window.settings.setValue("import/models", stored.replace("%s", str(path)))
    window.settings.setValue("import/last_file", str(path))
    dialog = open_dialog(window)
    assert dialog.class_box.currentText() == "SpiralMLP"
    assert dialog.shape_edits["x"].text() == "8,2" and dialog.seed.value() == 0
    assert dialog.loss_box.currentData() in pytorch_import.LOSSES
