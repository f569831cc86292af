"""Backprop Studio's Qt layer. It reaches the engine only through ``gui.model.GraphModel``."""
import atexit
import sys


def _release_clipboard() -> None:
    """Empty the clipboard while Python is still alive.

    Copy puts a QMimeData on the clipboard and Qt takes ownership; Qt's static clipboard is
    destroyed after Python has finalised, and deleting a Python-made QMimeData then segfaults
    the process at exit. Clearing it from an atexit hook deletes it in time.
    """
    widgets = sys.modules.get("PySide6.QtWidgets")
    app = widgets.QApplication.instance() if widgets else None
    if app is not None:
        app.clipboard().clear()


atexit.register(_release_clipboard)
