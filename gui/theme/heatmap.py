"""The app's one mapping of numbers to colours: a diverging map centred on 0.

Below zero ``negative``, at zero ``zero``, above zero ``positive`` (the colour table's roles),
over symmetric limits ±max|x|, so the sign and the pattern of a tensor read at a glance. The
canvas's thumbnails (gui/canvas/thumbnail.py), the inspector's and the step card's heatmaps,
the edges' sign colours and the decision boundary all use it. ``COLOURS`` and ``LUT`` are the
active theme's, re-made on every switch: read them as ``heatmap.LUT`` when drawing.
A cell's number is printed in ``cell_text(rgb)``, whichever of the table's dark and light cell
texts contrasts more with the cell (at least 4.5:1 on every colour of the map: tested).
"""
from __future__ import annotations

import numpy as np

from gui.theme import colors, look, vision

COLOURS: tuple = ()
LUT = np.zeros((256, 3), dtype=np.uint8)


def make_lut(table) -> np.ndarray:
    """256 × RGB (uint8) from ``negative`` through ``zero`` to ``positive``."""
    stops = (colors.rgb(table.negative), colors.rgb(table.zero), colors.rgb(table.positive))
    return np.stack([np.interp(np.linspace(0, 1, 256), (0.0, 0.5, 1.0), channel)
                     for channel in zip(*stops)], axis=1).astype(np.uint8)


@look.on_change
def _reload() -> None:
    global COLOURS, LUT
    table = colors.active()
    COLOURS = (colors.rgb(table.negative), colors.rgb(table.zero), colors.rgb(table.positive))
    LUT = make_lut(table)


_reload()


def cell_text(rgb, table=None) -> str:
    """The cell text (dark or light) that contrasts more with a cell of colour ``rgb``."""
    table = table or colors.active()
    cell = np.asarray(rgb, dtype=np.float64) / 255
    return max((table.cell_text_dark, table.cell_text_light),
               key=lambda t: vision.ratio(vision.channels(t)[0], cell))


def as_grid(a: np.ndarray) -> np.ndarray:
    """The 2-D layout shown: a vector is one row (1×n), >2-D is rows × last axis."""
    return a.reshape(1, -1) if a.ndim <= 1 else a.reshape(-1, a.shape[-1])


def symmetric_limit(a: np.ndarray) -> float:
    """max |x| over the finite entries (0 when there are none): colours run over ±this."""
    finite = a[np.isfinite(a)]
    return float(np.max(np.abs(finite))) if finite.size else 0.0
