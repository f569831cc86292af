"""Every disabled control looks disabled (issue 15, item 2): rendered with the app's theme, a
disabled button, spin box, combo box and check box are clearly dimmer than enabled ones — the
brightest pixel (the text) and the fill both differ — not one colour for both states."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QCheckBox, QComboBox, QPushButton, QSpinBox

from gui.window.application import make_application


def pixels(widget) -> np.ndarray:
    image = widget.grab().toImage().convertToFormat(widget.grab().toImage().Format.Format_RGB32)
    width, height = image.width(), image.height()
    data = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.sizeInBytes())
    rows = data.reshape(height, image.bytesPerLine())[:, :width * 4].reshape(height, width, 4)
    return rows[..., 2::-1].astype(np.float64) / 255       # BGRA → RGB


def luminance(rgb: np.ndarray) -> np.ndarray:
    return rgb @ np.array([0.2126, 0.7152, 0.0722])


def make(kind):
    if kind is QComboBox:
        widget = QComboBox()
        widget.addItems(["Adam", "SGD"])
    elif kind is QSpinBox:
        widget = QSpinBox()
        widget.setValue(8888)
    else:
        widget = kind("Reset 8888")
    widget.resize(140, 32)
    return widget


@pytest.mark.parametrize("kind", [QPushButton, QSpinBox, QComboBox, QCheckBox])
def test_a_disabled_control_is_clearly_dimmer_than_an_enabled_one(qtbot, kind):
    make_application()                          # the app's palette and style sheet
    enabled, disabled = make(kind), make(kind)
    disabled.setEnabled(False)
    for widget in (enabled, disabled):
        qtbot.addWidget(widget)
        widget.show()
        qtbot.waitExposed(widget)
    on, off = luminance(pixels(enabled)), luminance(pixels(disabled))
    text_on, text_off = np.percentile(on, 99.5), np.percentile(off, 99.5)
    assert text_off < 0.7 * text_on, (kind.__name__, text_on, text_off)   # the text dims
    assert np.abs(on - off).mean() > 0.01, kind.__name__                  # and the look
