"""Helpers for the look's tests: put the look back after a test, read a widget's pixels."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from gui import theme


@pytest.fixture
def default_look():
    """The look the test session uses (system: dark offscreen, 100 %, motion), after the test."""
    yield
    theme.apply_look(QApplication.instance(), "system", 100, False)


def pixels(widget_or_image) -> np.ndarray:
    """(H, W) uint32 0xffRRGGBB of a widget as drawn (``grab``) or of a QImage."""
    image = widget_or_image if isinstance(widget_or_image, QImage) else \
        widget_or_image.grab().toImage()
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    stride = image.bytesPerLine() // 4
    flat = np.frombuffer(image.constBits(), dtype=np.uint32, count=stride * image.height())
    return flat.reshape(image.height(), stride)[:, :image.width()].copy()


def packed(colour: str) -> int:
    return 0xff000000 | int(colour.lstrip("#")[-6:], 16)


def share(widget_or_image, colours) -> float:
    """The share of the pixels that are exactly one of ``colours``."""
    px = pixels(widget_or_image)
    return float(np.isin(px, np.array([packed(c) for c in colours], dtype=np.uint32)).mean())
