"""The inspector's heatmap is laid out from the tensor's shape every time (issue 15 item 6): the
image, the colour bar and the caption never overlap and never leave a gap, whatever shape came
before — also when a parameter's shape changes during training (spiral ▸ W1 ▸ [6, 24])."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

from gui.inspector.heatmap import MAX_HEIGHT, SPACING, image_size
from gui.inspector.tensor_view import TensorView
from training_helpers import open_example
from window_fixtures import dialogs, settings, window  # noqa: F401  (fixtures)

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

SHAPES = [(2,), (6, 24), (24, 6), (1, 1), (64, 64), (6, 24), (2,), (24, 6)]


def rect_in(widget, ancestor) -> QRect:
    return QRect(widget.mapTo(ancestor, QPoint(0, 0)), widget.size())


def assert_laid_out(view: TensorView) -> None:
    """Image, colour bar, caption: stacked in that order, no overlap, gaps of SPACING."""
    heatmap = view.heatmap
    assert view.stack.currentWidget() is heatmap
    image = rect_in(heatmap.view, view)
    scale = rect_in(heatmap.low, view).united(rect_in(heatmap.bar, view)) \
        .united(rect_in(heatmap.high, view))
    caption = rect_in(heatmap.readout, view)
    stack = rect_in(view.stack, view)
    rows, cols = heatmap.shown.shape
    assert image.height() == image_size(rows, cols, heatmap.layout_width())[1] <= MAX_HEIGHT
    assert image.width() <= heatmap.width()
    assert scale.top() - image.bottom() - 1 == SPACING, (image, scale)
    assert caption.top() - scale.bottom() - 1 == SPACING, (scale, caption)
    assert caption.height() >= heatmap.readout.fontMetrics().height()
    assert caption.bottom() == stack.bottom(), (caption, stack)      # the end: no gap
    assert stack.height() == heatmap.content_height()


def test_each_shape_lays_out_the_heatmap_afresh(qtbot):
    host = QWidget()
    qtbot.addWidget(host)
    column = QVBoxLayout(host)
    view = TensorView()
    column.addWidget(view)
    column.addStretch(1)
    host.resize(300, 600)
    host.show()
    rng = np.random.default_rng(0)
    try:
        for shape in SHAPES:
            view.set_array(rng.normal(size=shape))
            QApplication.processEvents()
            if shape == (1, 1):                      # one element: a number and its shape
                assert view.stack.currentWidget() is view.scalar
                number, caption = rect_in(view.stack, view), rect_in(view.caption, view)
                assert view.caption.text() == "shape (1, 1)"
                assert caption.top() > number.bottom()
                continue
            assert_laid_out(view)
        host.resize(220, 600)                        # a narrower dock: laid out again
        QApplication.processEvents()
        assert_laid_out(view)
    finally:
        host.close()


def test_a_new_shape_during_training_keeps_image_bar_and_caption_apart(window, qtbot):
    """While the run goes new values keep arriving: each selection's layout settles, and
    stays, image over bar over caption (it used to stay overlapped)."""
    open_example(window, "spiral_classifier")
    inspector = window.inspector
    window.canvas.select_nodes(["W1"])
    panel = window.training
    assert panel.start(100000)
    try:
        for node in ("W1", "b1", "logits", "W2", "W1"):          # selections during the run
            window.canvas.select_nodes([node])
            qtbot.waitUntil(lambda: assert_laid_out(inspector.value_view), timeout=3000)
        shape = inspector.attr_editors["shape"][0]
        shape.setText("[6, 24]")
        shape.editingFinished.emit()
        qtbot.waitUntil(lambda: inspector.value_view.heatmap.array.shape == (6, 24),
                        timeout=3000)
        qtbot.waitUntil(lambda: assert_laid_out(inspector.value_view), timeout=3000)
        for node in ("b1", "W1"):
            window.canvas.select_nodes([node])
            qtbot.waitUntil(lambda: assert_laid_out(inspector.value_view), timeout=3000)
    finally:
        panel.pause(wait=True)
