"""Small heatmaps of tensors on the nodes, cached by content, in the app's one mapping of
numbers to colours (gui/theme/heatmap.py)."""
from __future__ import annotations

from collections import OrderedDict

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap

from gui.theme.heatmap import LUT, as_grid, symmetric_limit

MAX_CELLS = 64
_CACHE: OrderedDict = OrderedDict()
_CACHE_SIZE = 1024


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
