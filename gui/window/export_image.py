"""The graph as a picture: SVG (text stays text) or PNG at any scale, offscreen.

``export_svg(graph, path)`` and ``export_png(graph, path, scale=2.0)`` hand ``graph`` (as
``engine.load_graph`` returned it) to a ``GraphModel``, let it run, and render a
``GraphScene`` — the graph itself, not the window — with every node's value and gradient. The
scene is switched to vector mode first, so an SVG holds real ``<text>`` and ``<path>``
elements and node ids are drawn whole; the numbers on edges are sized as at one zoom
(``LABEL_ZOOM``), so the SVG and a PNG at any scale carry the same ones, as text in the
SVG. Needs a QApplication; one is made (offscreen when no
platform is chosen) if there is none.
"""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QRectF, QSize, QSizeF
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgGenerator

MARGIN = 24.0     # scene units around the nodes
LABEL_ZOOM = 2.0  # pictures draw the numbers on edges as the canvas does at this zoom (the
#                   PNG's default scale): SVG and PNG at any scale show the same numbers


class ImageError(Exception):
    """The picture could not be written; the message says why."""


def _scene_for(source):
    """(app, model, scene) for ``source`` — an engine graph as ``engine.load_graph`` returned
    it, or a GraphModel (the app hands over ``model.clone()``) — run and drawn in vector mode."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from gui.window.application import make_application
    app = make_application()
    from gui.canvas.scene import GraphScene
    from gui.model import GraphModel

    model = source if isinstance(source, GraphModel) else GraphModel(source)
    model.run_now()
    scene = GraphScene(model)
    scene.set_vector_mode(True)
    scene.label_zoom = LABEL_ZOOM
    app.processEvents()
    return app, model, scene


def _source_rect(scene) -> QRectF:
    rect = QRectF()
    for item in scene.items():
        if item.isVisible():
            rect = rect.united(item.sceneBoundingRect())
    if rect.isEmpty():
        rect = QRectF(0, 0, 200, 100)
    return rect.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)


def export_svg(graph, path, title: str | None = None) -> None:
    """Write ``graph`` (or a GraphModel) as an SVG at ``path`` (one SVG unit per scene
    unit)."""
    app, model, scene = _scene_for(graph)
    source = _source_rect(scene)
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setResolution(96)     # one SVG unit = one CSS pixel
    generator.setSize(QSize(round(source.width()), round(source.height())))
    generator.setViewBox(QRectF(0, 0, source.width(), source.height()))
    generator.setTitle(title or Path(path).stem)
    generator.setDescription("A computation graph drawn by Backprop Studio, with every "
                             "node's value and gradient.")
    painter = QPainter()
    if not painter.begin(generator):
        raise ImageError(f"cannot write {path}")
    try:
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setRenderHint(QPainter.TextAntialiasing)
        scene.render(painter, QRectF(0, 0, source.width(), source.height()), source)
    finally:
        painter.end()
    _check_written(path)


def export_png(graph, path, scale: float = 2.0) -> None:
    """Write ``graph`` (or a GraphModel) as a PNG at ``path``, ``scale`` pixels per scene
    unit."""
    if not 0 < scale <= 16:
        raise ImageError(f"scale must be above 0 and at most 16, got {scale:g}")
    app, model, scene = _scene_for(graph)
    source = _source_rect(scene)
    size = QSizeF(source.width() * scale, source.height() * scale).toSize()
    image = QImage(size, QImage.Format_ARGB32_Premultiplied)
    image.fill(scene.backgroundBrush().color())
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setRenderHint(QPainter.TextAntialiasing)
        painter.setRenderHint(QPainter.SmoothPixmapTransform)
        scene.render(painter, QRectF(0, 0, size.width(), size.height()), source)
    finally:
        painter.end()
    if not image.save(str(path), "PNG"):
        raise ImageError(f"cannot write {path}")


def _check_written(path) -> None:
    if not Path(path).is_file() or Path(path).stat().st_size == 0:
        raise ImageError(f"cannot write {path}")
