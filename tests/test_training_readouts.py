"""The plots' read-outs (issue 15, item 9): a hover text fits its card (two lines, never cut
to "… (p = …"), the decision boundary covers the whole visible range and is drawn again over
a new range after a zoom, and mid-run the boundary, the curves and the panel's numbers all
show the same snapshot (a run held at an exact step by the session's hook)."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel

from gui.training.boundary_plot import boundary_image
from training_helpers import click, open_example, reference_trainer, show_plot, wait_idle
from window_fixtures import dialogs, settings, window  # noqa: F401 (fixtures)


def hover_at(plot_card, x: float, y: float) -> None:
    widget = plot_card.plot
    box = widget.getPlotItem().vb
    from PySide6.QtCore import QPointF
    point = widget.mapFromScene(box.mapViewToScene(QPointF(x, y)))
    QTest.mouseMove(widget.viewport(), QPoint(point.x(), point.y()))
    QApplication.processEvents()


def visible_text(label) -> str:
    return QLabel.text(label)              # what the label shows (its own wrapping / elision)


@pytest.mark.parametrize("size", [(1440, 900), (1024, 700)])
def test_hover_texts_fit_their_cards(window, qtbot, size):
    window.resize(*size)
    open_example(window, "xor_mlp")
    panel = window.training
    panel.start(120)
    wait_idle(qtbot, panel)
    for plot in panel.plots:
        show_plot(panel, plot)
        (x0, x1), (y0, y1) = plot.plot.getPlotItem().vb.viewRange()
        x, y = x0 + 0.7 * (x1 - x0), y0 + 0.3 * (y1 - y0)
        if plot is not panel.boundary_plot:
            x = 60                                    # a step with every number
        hover_at(plot, x, y)
        full, shown = plot.readout.text(), visible_text(plot.readout)
        assert plot.hovering and full.strip(), type(plot).__name__
        assert "…" not in shown, (type(plot).__name__, full, shown)
        assert shown.split() == full.split(), (type(plot).__name__, full, shown)  # all of it
        metrics = plot.readout.fontMetrics()
        width = plot.readout.contentsRect().width()
        assert all(metrics.horizontalAdvance(line) <= width for line in shown.split("\n"))
        assert plot.readout.height() >= metrics.lineSpacing() * shown.count("\n") + \
            metrics.lineSpacing()
    assert "(p = " in panel.boundary_plot.readout.text()


def test_the_boundary_covers_the_visible_range_and_follows_a_zoom(window, qtbot):
    open_example(window, "xor_mlp")
    panel = window.training
    panel.start(60)
    wait_idle(qtbot, panel)
    plot = panel.boundary_plot
    show_plot(panel, plot)
    qtbot.waitUntil(lambda: plot.drawn is not None and
                    np.allclose(plot.drawn[0], plot.visible_range()), timeout=5000)
    rect = plot.image.mapRectToParent(plot.image.boundingRect())
    x0, x1, y0, y1 = plot.visible_range()
    assert np.allclose([rect.left(), rect.right(), rect.top(), rect.bottom()],
                       [x0, x1, y0, y1])
    assert x0 < plot.probe.extent[0] and x1 > plot.probe.extent[1]   # wider than the data
    plot.plot.getPlotItem().vb.scaleBy((3.0, 3.0))                  # zoom out
    wider = plot.visible_range()
    assert wider[1] - wider[0] > 2.5 * (x1 - x0)
    qtbot.waitUntil(lambda: np.allclose(plot.drawn[0], plot.visible_range()), timeout=5000)
    # the picture is the model over that range, at the trained weights
    extent, prediction = plot.drawn
    corner = plot.probe.predictor(panel.session.latest.values,
                                  np.array([[extent[0] + (extent[1] - extent[0]) / 112,
                                             extent[2] + (extent[3] - extent[2]) / 112]]))
    # to the last bits but BLAS's: a 56×56 batch and one row may round the matmul differently
    assert np.allclose(prediction[0, 0], corner[0], rtol=1e-12, atol=0)


def test_mid_run_the_boundary_the_curves_and_the_numbers_show_one_snapshot(window, qtbot):
    open_example(window, "xor_mlp")
    panel = window.training
    session = panel.session
    panel.steps_box.setValue(2000)
    show_plot(panel, panel.boundary_plot)
    reference = reference_trainer(window)
    reference.run(150)
    session.hold_at(150)
    click(panel.train_button)
    qtbot.waitUntil(lambda: panel.pacer.latest is not None and
                    panel.pacer.latest[0].step == 150 and
                    not any(p.dirty for p in panel.plots), timeout=30000)
    assert panel.running
    assert panel.status_label.text().startswith("step 150 ")
    assert panel.accuracy_plot.latest_text().startswith("step 150 ")
    assert panel.loss_plot.latest_text().startswith("step 150 ")
    plot = panel.boundary_plot
    extent, prediction = plot.drawn
    assert np.allclose(extent, plot.visible_range())
    expected = plot.probe.predictor(reference.parameter_values(),
                                    np.array([[extent[0] + (extent[1] - extent[0]) / 112,
                                               extent[2] + (extent[3] - extent[2]) / 112]]))
    # the weights of step 150 (to the last bits but BLAS's: a 56×56 batch and one row may
    # round the matmul differently)
    assert np.allclose(prediction[0, 0], expected[0], rtol=1e-12, atol=0)
    assert np.array_equal(plot.image.image, boundary_image(prediction, plot.probe.task))
    session.pause(wait=True)
