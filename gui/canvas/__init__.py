"""The node-editor canvas: scene, items, view and the controller that turns gestures into
undo commands."""
from gui.canvas.view import CanvasView

__all__ = ["CanvasView"]
