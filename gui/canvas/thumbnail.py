"""Small heatmaps of tensors: a diverging colormap centred on 0, cached by content.

The colour mapping (``COLOURS``, ``LUT``, ``as_grid``, ``symmetric_limit``) is the app's one
mapping of numbers to colours: the inspector's heatmaps (gui/inspector/tensor_view.py) use it too.
"""
from __future__ import annotations

from collections import OrderedDict

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap

# blue (negative) → near-black (0) → orange (positive): readable on the dark canvas
COLOURS = ((70, 140, 255), (38, 41, 48), (255, 150, 50))
LUT = np.stack([np.interp(np.linspace(0, 1, 256), (0.0, 0.5, 1.0), channel)
                for channel in zip(*COLOURS)], axis=1).astype(np.uint8)   # 256 × RGB
MAX_CELLS = 64
_CACHE: OrderedDict = OrderedDict()
_CACHE_SIZE = 1024


def as_grid(a: np.ndarray) -> np.ndarray:
    """The 2-D layout shown: a vector is one row (1×n), >2-D is rows × last axis."""
    return a.reshape(1, -1) if a.ndim <= 1 else a.reshape(-1, a.shape[-1])


def symmetric_limit(a: np.ndarray) -> float:
    """max |x| over the finite entries (0 when there are none): colours run over ±this."""
    finite = a[np.isfinite(a)]
    return float(np.max(np.abs(finite))) if finite.size else 0.0


def as_matrix(array) -> np.ndarray | None:
    """The grid a thumbnail shows, strided to at most MAX_CELLS a side; None for scalars."""
    a = np.asarray(array, dtype=np.float64)
    if a.size <= 1:
        return None
    a = as_grid(a)
    rows = max(1, -(-a.shape[0] // MAX_CELLS))
    cols = max(1, -(-a.shape[1] // MAX_CELLS))
    return a[::rows, ::cols]


def heatmap_image(array) -> QImage | None:
    m = as_matrix(array)
    if m is None:
        return None
    with np.errstate(all="ignore"):
        finite = np.where(np.isfinite(m), m, 0.0)
        scale = symmetric_limit(m) or 1.0
        idx = np.clip(np.rint((finite / scale + 1.0) * 127.5), 0, 255).astype(np.uint8)
    rgb = np.ascontiguousarray(LUT[idx])
    h, w = rgb.shape[:2]
    image = QImage(rgb.data, w, h, 3 * w, QImage.Format_RGB888)
    return image.copy()  # own the pixels: rgb dies with this frame


def heatmap_pixmap(array, size: int) -> QPixmap | None:
    """A ``size``-bounded pixmap (aspect kept, crisp cells), cached by the array's content."""
    a = np.asarray(array)
    if a.size <= 1:
        return None
    if a.size <= 65536:
        content = hash(a.tobytes())
    else:  # big: what the thumbnail shows, plus a checksum of the rest
        with np.errstate(all="ignore"):
            content = (hash(as_matrix(a).tobytes()), float(np.sum(a, dtype=np.float64)))
    key = (a.shape, a.dtype.str, content, size)
    pixmap = _CACHE.get(key)
    if pixmap is not None:
        _CACHE.move_to_end(key)
        return pixmap
    image = heatmap_image(a)
    if image is None:
        return None
    image = image.scaled(size, size, Qt.KeepAspectRatio, Qt.FastTransformation)
    pixmap = QPixmap.fromImage(image)
    _CACHE[key] = pixmap
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return pixmap
