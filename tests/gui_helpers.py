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


def make_canvas(qtbot, graph=None, size=(1000, 700), center=None):
    """A shown CanvasView over a fresh GraphModel and QUndoStack: ``(model, stack, view)``;
    with ``center``, at 1:1 zoom centred on that scene point."""
    from PySide6.QtGui import QUndoStack

    import engine
    from gui.canvas import CanvasView
    from gui.model import GraphModel

    model = GraphModel(graph if graph is not None else engine.Graph())
    stack = QUndoStack()
    model.bind_undo_stack(stack)
    view = CanvasView(model, stack)
    view._test_stack = stack  # keep the stack alive as long as the view
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    if center is not None:
        view.resetTransform()
        view.centerOn(*center)
    return model, stack, view


def port_pos(view, node_id: str, port: int):
    """Scene position of a port (``port`` = input index, or -1 for the output)."""
    return view.node_item(node_id).port_scene_pos(port)


def node_center(view, node_id: str):
    """A point on the node's body, away from its ports (where a user grabs it to move it)."""
    item = view.node_item(node_id)
    return item.mapToScene(item.boundingRect().center().x(), 12.0)


def settle():
    """Let queued events run and every model's throttled re-run happen (not a fixed wait)."""
    from shiboken6 import isValid

    from gui.model import GraphModel
    for _ in range(3):
        QApplication.processEvents()
    for widget in QApplication.allWidgets():
        model = getattr(widget, "model", None) if isValid(widget) else None
        if isinstance(model, GraphModel) and isValid(model) and model.rerun_pending:
            model.run_now()
    QApplication.processEvents()
