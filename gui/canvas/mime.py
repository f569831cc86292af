"""Drag-and-drop and clipboard formats of the canvas.

A palette drag carries ``OP_MIME`` with the UTF-8 payload ``op:<name>`` or ``template:<label>``.
Copy/paste puts a graph fragment (format-v1-like JSON of ``nodes`` and ``edges``) on the clipboard
under ``FRAGMENT_MIME``, so a paste works across documents.
"""
from __future__ import annotations

import atexit
import json
import sys

from PySide6.QtCore import QByteArray, QMimeData

OP_MIME = "application/x-backprop-studio-op"
FRAGMENT_MIME = "application/x-backprop-studio-fragment"
KINDS = ("op", "template")


def _to_bytes(data) -> bytes:
    if isinstance(data, QMimeData):
        return bytes(data.data(OP_MIME).data())
    if isinstance(data, QByteArray):
        return bytes(data.data())
    return bytes(data)


def encode(kind: str, name: str) -> bytes:
    """The payload bytes for a palette drag: ``b"op:mul"`` or ``b"template:MSE loss"``."""
    if kind not in KINDS:
        raise ValueError(f"unknown drag kind {kind!r}: expected one of {', '.join(KINDS)}")
    return f"{kind}:{name}".encode("utf-8")


def mime_data(kind: str, name: str) -> QMimeData:
    """A QMimeData ready for ``QDrag.setMimeData`` (the palette's drag)."""
    data = QMimeData()
    data.setData(OP_MIME, QByteArray(encode(kind, name)))
    data.setText(name)
    return data


def decode(data) -> tuple[str, str] | None:
    """``(kind, name)`` from payload bytes, a QByteArray or a QMimeData; None if not ours."""
    if isinstance(data, QMimeData) and not data.hasFormat(OP_MIME):
        return None
    try:
        text = _to_bytes(data).decode("utf-8")
    except (UnicodeDecodeError, TypeError):
        return None
    kind, sep, name = text.partition(":")
    if not sep or kind not in KINDS or not name:
        return None
    return kind, name


def fragment_mime_data(fragment: dict) -> QMimeData:
    """Clipboard data for a copied fragment (also as plain-text JSON for other programs)."""
    text = json.dumps(fragment)
    data = QMimeData()
    data.setData(FRAGMENT_MIME, QByteArray(text.encode("utf-8")))
    data.setText(text)
    return data


def fragment_from_mime(data: QMimeData | None) -> dict | None:
    """The fragment on the clipboard, or None when there is none (or it is not ours)."""
    if data is None or not data.hasFormat(FRAGMENT_MIME):
        return None
    try:
        fragment = json.loads(bytes(data.data(FRAGMENT_MIME).data()).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(fragment, dict) or not isinstance(fragment.get("nodes"), list):
        return None
    return fragment


def _release_clipboard() -> None:
    """Empty the clipboard while Python is still alive (see ``release_clipboard_at_exit``)."""
    widgets = sys.modules.get("PySide6.QtWidgets")
    app = widgets.QApplication.instance() if widgets else None
    if app is not None:
        app.clipboard().clear()


_RELEASE_REGISTERED = []


def release_clipboard_at_exit() -> None:
    """Copy gives Qt a Python-made QMimeData, which Qt's static clipboard deletes after Python
    has finalised: a segfault at exit. The first copy registers an atexit hook that empties the
    clipboard in time (registered here, where the hazard starts, so any QApplication is safe)."""
    if not _RELEASE_REGISTERED:
        atexit.register(_release_clipboard)
        _RELEASE_REGISTERED.append(True)
