"""Text size (issue 20): View ▸ Text Size 90–200 % scales the UI, the plots and the canvas (on
the canvas it is the zoom Actual Size, Ctrl+0, returns to); the desktop's font is the default;
at 200 % nothing clips or overlaps (measured from the widgets' geometry and fonts), the canvas
keeps half the window (the docks collapse first); icons are drawn at the size asked for."""
from __future__ import annotations

import json
import os
import sys

import numpy as np
import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from conftest import ROOT, run_process
from geometry_check import clipped_texts, overlaps
from gui import theme
from gui.theme import look
from layout_helpers import settle_layout
from look_helpers import default_look, pixels  # noqa: F401 (fixture)
from training_helpers import open_example, show_plot, wait_idle
from window_fixtures import dialogs, settings, window  # noqa: F401 (fixtures)

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def choose_size(window, percent: int) -> None:
    window.look_menu.size_actions[f"text_size_{percent}"].trigger()
    settle_layout()


def assert_nothing_clips_or_overlaps(root) -> None:
    assert clipped_texts(root) == []
    assert overlaps(root) == []


def test_the_checks_see_a_clipped_text_and_an_overlap(window):
    from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget
    box = QWidget(window.inspector)
    row = QHBoxLayout(box)
    tight = QLabel("a label far longer than its room")
    tight.setFixedWidth(40)
    row.addWidget(tight)
    box.show()
    settle_layout()
    assert any("a label far longer" in f for f in clipped_texts(box))
    other = QLabel("x", box)
    row.addWidget(other)
    box.show()
    settle_layout()
    other.setGeometry(tight.geometry())
    assert any("overlap" in f for f in overlaps(box))


def test_the_text_size_scales_the_ui_plots_and_canvas_from_the_desktops_font(window, qtbot,
                                                                             default_look):
    desktop = look.current().base_font
    assert QApplication.font().pointSizeF() == pytest.approx(desktop.pointSizeF())
    open_example(window, "xor_mlp")
    panel = window.training
    window.training_dock.show()
    window.training_dock.raise_()
    settle_layout()
    tick = panel.loss_plot.plot.getPlotItem().getAxis("left").style["tickFont"].pointSizeF()
    label = window.inspector.font().pointSizeF()
    choose_size(window, 150)
    assert window.settings.value("look/text_size") in (150, "150")
    assert QApplication.font().pointSizeF() == pytest.approx(1.5 * desktop.pointSizeF())
    assert panel.loss_plot.plot.getPlotItem().getAxis("left").style["tickFont"].pointSizeF() \
        == pytest.approx(1.5 * tick)
    assert window.inspector.font().pointSizeF() \
        == pytest.approx(1.5 * label)
    # the canvas: Actual Size (Ctrl+0) is the text size's zoom
    window.canvas.setFocus()
    QTest.keyClick(window.canvas, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert window.canvas.transform().m11() == pytest.approx(1.5)
    choose_size(window, 90)
    QTest.keyClick(window.canvas, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert window.canvas.transform().m11() == pytest.approx(0.9)
    assert window.look_menu.size_actions["text_size_90"].isChecked()


@pytest.mark.parametrize("size", [(1440, 900), (1280, 720), (1920, 1200)],
                         ids=lambda s: f"{s[0]}x{s[1]}")
def test_at_200_percent_nothing_clips_or_overlaps_and_the_canvas_keeps_half(window, qtbot, size,
                                                                            default_look):
    window.resize(*size)
    open_example(window, "xor_mlp")
    choose_size(window, 200)
    viewport = window.canvas.viewport()
    assert viewport.width() >= size[0] / 2 and viewport.height() >= size[1] / 2
    window.canvas.select_nodes(["W1"])
    settle_layout()
    assert_nothing_clips_or_overlaps(window)
    panel = window.training
    panel.steps_box.setValue(20)
    window.training_dock.show()
    window.training_dock.raise_()
    panel.start()
    wait_idle(qtbot, panel)
    settle_layout()
    assert viewport.width() >= size[0] / 2 and viewport.height() >= size[1] / 2
    for plot in panel.plots:
        show_plot(panel, plot)
        assert_nothing_clips_or_overlaps(window)
    window.player.enter(3)
    settle_layout()
    assert_nothing_clips_or_overlaps(window)
    assert viewport.width() >= size[0] / 2 and viewport.height() >= size[1] / 2


DPR_SCRIPT = """
import json, sys
sys.path[:0] = ["tests", "."]
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from gui.window.application import make_application
app = make_application(["t"], "dark", 200)
from gui.window.main_window import MainWindow
from conftest import ROOT, run_process
from geometry_check import clipped_texts, overlaps
settings = QSettings(sys.argv[1], QSettings.Format.IniFormat)
win = MainWindow(settings=settings)
win.resize(1440, 900)
win.show()
win.open_file("resources/examples/xor_mlp.json", ask=False)
win.model.run_now()
win.canvas.select_nodes(["W1"])
win.training_dock.show()
win.training_dock.raise_()
for _ in range(6):
    app.processEvents()
print(json.dumps({"ratio": win.devicePixelRatioF(), "clipped": clipped_texts(win),
                  "overlaps": overlaps(win), "canvas": win.canvas.viewport().width()}))
win.model.mark_saved()
"""


@pytest.mark.parametrize("ratio", ["1.5", "2"])
def test_at_200_percent_and_a_device_pixel_ratio_nothing_clips(tmp_path, ratio):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_SCALE_FACTOR=ratio)
    result = run_process([sys.executable, "-c", DPR_SCRIPT, str(tmp_path / "s.ini")], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.splitlines()[-1])
    assert found == {"ratio": float(ratio), "clipped": [], "overlaps": [],
                     "canvas": found["canvas"]} and found["canvas"] >= 720


def test_dialogs_fit_their_texts_at_200_percent(window, default_look):
    from gui.player.export_dialog import ExportAnimationDialog
    from gui.training.csv_dialog import CsvDialog
    from conftest import EXAMPLES
    open_example(window, "xor_mlp")
    choose_size(window, 200)
    for dialog in (CsvDialog(window.training.session, str(EXAMPLES / "iris.csv"), window),
                   ExportAnimationDialog(window)):
        dialog.show()
        settle_layout()
        size = dialog.size()
        assert size.width() <= 1440 and size.height() <= 900    # fits a laptop's screen
        assert_nothing_clips_or_overlaps(dialog)
        dialog.close()


def test_icons_are_drawn_at_the_size_asked_for(default_look):
    icon = theme.make_icon("layout")
    small, large = icon.pixmap(QSize(16, 16)), icon.pixmap(QSize(64, 64))
    assert large.size() == QSize(64, 64) and small.size() == QSize(16, 16)
    blown_up = small.scaled(64, 64).toImage()
    drawn = pixels(large.toImage()).astype(np.int64)
    # drawn at 64 px, not a 16 px picture blown up: many pixels differ
    assert np.mean(drawn != pixels(blown_up).astype(np.int64)) > 0.05
    hi_dpi = icon.pixmap(QSize(16, 16), 2.0)
    assert hi_dpi.size() == QSize(32, 32) and hi_dpi.devicePixelRatio() == 2.0


def test_spin_boxes_show_their_arrows(window, default_look):
    open_example(window, "xor_mlp")
    panel = window.training
    window.training_dock.show()
    window.training_dock.raise_()
    settle_layout()
    spin = panel.steps_box
    image = spin.grab().toImage()
    right = image.copy(image.width() - 18, 2, 16, image.height() - 4)
    px = pixels(right)
    from gui.theme import colors
    icon = int(colors.active().icon.lstrip("#"), 16) | 0xff000000
    # the chevrons are drawn in the icon colour (anti-aliased: some pixels near it)
    near = np.abs((px >> 8 & 0xff).astype(int) - (icon >> 8 & 0xff)) < 40
    assert near.sum() >= 6


def test_a_font_written_for_the_desktop(default_look):
    """A size written for a 10 pt desktop follows the desktop's font and the text size."""
    state = look.current()
    before = state.base_font
    try:
        state.base_font = QFont(before)
        state.base_font.setPointSizeF(12)
        theme.apply_look(QApplication.instance(), text_percent=125)
        assert theme.ui_font(10).pointSizeF() == pytest.approx(15.0)
        assert theme.mono_font(8).pointSizeF() == pytest.approx(12.0)
    finally:
        state.base_font = before
