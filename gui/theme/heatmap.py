"""The app's one mapping of numbers to colours: a diverging map centred on 0.

Below zero ``negative``, at zero ``zero``, above zero ``positive`` (the colour table's roles),
over symmetric limits ±max|x|, so the sign and the pattern of a tensor read at a glance. The
canvas's thumbnails (gui/canvas/thumbnail.py), the inspector's and the step card's heatmaps,
the edges' sign colours and the decision boundary all use it. numpy only.
"""
from __future__ import annotations

import numpy as np

from gui.theme import colors

_C = colors.active()
COLOURS = (colors.rgb(_C.negative), colors.rgb(_C.zero), colors.rgb(_C.positive))
LUT = np.stack([np.interp(np.linspace(0, 1, 256), (0.0, 0.5, 1.0), channel)
                for channel in zip(*COLOURS)], axis=1).astype(np.uint8)   # 256 × RGB


def as_grid(a: np.ndarray) -> np.ndarray:
    """The 2-D layout shown: a vector is one row (1×n), >2-D is rows × last axis."""
    return a.reshape(1, -1) if a.ndim <= 1 else a.reshape(-1, a.shape[-1])


def symmetric_limit(a: np.ndarray) -> float:
    """max |x| over the finite entries (0 when there are none): colours run over ±this."""
    finite = a[np.isfinite(a)]
    return float(np.max(np.abs(finite))) if finite.size else 0.0
