"""Shared GUI-test helpers: real mouse drags on a view's viewport and palette drops.

Offscreen, a QDrag never starts from QTest mouse moves, so a palette → canvas drop is delivered
the way Qt delivers it: QDragEnterEvent, QDragMoveEvent, then QDropEvent on the viewport,
carrying the mime data the palette produces (``gui.canvas.mime.mime_data``).
"""
from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QGraphicsView

from gui.canvas import mime


def view_point(view: QGraphicsView, scene_pos) -> QPoint:
    """The viewport pixel showing ``scene_pos`` (a QPointF or an (x, y) pair)."""
    if not isinstance(scene_pos, QPointF):
        scene_pos = QPointF(*scene_pos)
    return view.mapFromScene(scene_pos)


def mouse_drag(view: QGraphicsView, start, end, *, button=Qt.LeftButton,
               modifiers=Qt.NoModifier, steps: int = 6, scene: bool = True) -> None:
    """Press at ``start``, move in ``steps`` steps, release at ``end`` (scene coordinates unless
    ``scene=False``, then viewport pixels)."""
    viewport = view.viewport()
    p0 = view_point(view, start) if scene else QPoint(*start)
    p1 = view_point(view, end) if scene else QPoint(*end)
    QTest.mouseMove(viewport, p0)
    QTest.mousePress(viewport, button, modifiers, p0)
    for i in range(1, steps + 1):
        t = i / steps
        point = QPoint(round(p0.x() + (p1.x() - p0.x()) * t), round(p0.y() + (p1.y() - p0.y()) * t))
        QTest.mouseMove(viewport, point)
    QTest.mouseRelease(viewport, button, modifiers, p1)
    QApplication.processEvents()


def click(view: QGraphicsView, scene_pos, *, button=Qt.LeftButton, modifiers=Qt.NoModifier) -> None:
    point = view_point(view, scene_pos)
    QTest.mouseMove(view.viewport(), point)
    QTest.mouseClick(view.viewport(), button, modifiers, point)
    QApplication.processEvents()


def palette_mime(kind: str, name: str) -> QMimeData:
    """Exactly what the palette puts into its QDrag."""
    return mime.mime_data(kind, name)


def drop_mime(view: QGraphicsView, data: QMimeData, scene_pos=None, *, view_pos=None) -> bool:
    """Deliver enter → move → drop of ``data`` at ``scene_pos`` (or viewport pixel ``view_pos``).
    Returns whether the drop was accepted."""
    target = view.viewport()
    point = QPoint(*view_pos) if view_pos is not None else view_point(view, scene_pos)
    pointf = QPointF(point)
    actions = Qt.CopyAction | Qt.MoveAction
    enter = QDragEnterEvent(point, actions, data, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(target, enter)
    move = QDragMoveEvent(point, actions, data, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(target, move)
    drop = QDropEvent(pointf, actions, data, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(target, drop)
    QApplication.processEvents()
    return drop.isAccepted()


def drop_palette_item(view: QGraphicsView, kind: str, name: str, scene_pos) -> bool:
    """A palette drag of op/template ``name`` dropped at ``scene_pos``."""
    return drop_mime(view, palette_mime(kind, name), scene_pos)


def press_key(widget, key, modifiers=Qt.NoModifier, text: str = "") -> None:
    QTest.keyClick(widget, key, modifiers)
    QApplication.processEvents()
