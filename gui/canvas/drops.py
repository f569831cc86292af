"""Palette drops on the canvas: an op or a template dragged from the palette lands where it is
dropped (mime type ``application/x-backprop-studio-op``, ``gui/canvas/mime.py``)."""
from __future__ import annotations

from gui.canvas import mime


class PaletteDrops:
    """Mixed into ``CanvasView`` (before QGraphicsView): accepts palette drags, lets anything
    else through to the view."""

    def dragEnterEvent(self, event) -> None:
        if mime.decode(event.mimeData()) is not None:
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:
        if mime.decode(event.mimeData()) is not None:
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event) -> None:
        decoded = mime.decode(event.mimeData())
        if decoded is None:
            super().dropEvent(event)
            return
        kind, name = decoded
        scene_pos = self.mapToScene(event.position().toPoint())
        if kind == "template":
            self.controller.insert_template(name, scene_pos)
        else:
            self.controller.add_node(name, scene_pos)
        event.acceptProposedAction()
        self.setFocus()
