"""How an edge shows what flowed back along it: colour = sign, width = size on a log scale.

The sign uses the app's one diverging mapping (the heatmaps' blue for negative, orange for
positive: a pair that colour-blind viewers tell apart). A tensor contribution mixes signs: its
colour is the balance Σc / Σ|c|, from blue (−1) through the plain edge grey (0) to orange (+1).
The width grows with log10 of the contribution's norm, relative to a scale (the largest in the
record, or one the player pins): over DECADES decades from thin to thick, so 1e-4 and 1 both
stay visible and a zero gradient draws the thinnest line.
"""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtGui import QColor

from gui.formatting import describe_short, fmt_number, norm
from gui.canvas import style

NEGATIVE = style.NEGATIVE
POSITIVE = style.POSITIVE
NEUTRAL = style.EDGE
DECADES = 4.0
MIN_WIDTH, MAX_WIDTH = 1.4, 7.5


def size(array) -> float:
    """What an edge's width shows: the norm (gui/formatting.norm), 0 when it is not finite."""
    value = norm(array)
    return value if math.isfinite(value) else 0.0


def balance(array) -> float:
    """Σc / Σ|c| in [−1, 1]: ±1 for a number, 0 for zeros (or nothing finite)."""
    a = np.asarray(array, dtype=np.float64)
    with np.errstate(all="ignore"):
        finite = a[np.isfinite(a)] if a.size > 1 else a.reshape(-1)
        total = float(np.sum(np.abs(finite)))
        if not total or not math.isfinite(total):
            return 0.0
        return max(-1.0, min(1.0, float(np.sum(finite)) / total))


def strength(size: float, top: float | None) -> float:
    """0..1 on a log scale: 1 at ``top``, 0 at ``top``·10^−DECADES or below (and for 0)."""
    if size <= 0 or not top or top <= 0:
        return 0.0
    return max(0.0, min(1.0, 1.0 + math.log10(size / top) / DECADES))


def width(s: float) -> float:
    return MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * s


def _mix(a: QColor, b: QColor, t: float) -> QColor:
    return QColor(round(a.red() + (b.red() - a.red()) * t),
                  round(a.green() + (b.green() - a.green()) * t),
                  round(a.blue() + (b.blue() - a.blue()) * t))


def sign_colour(bal: float) -> QColor:
    """Orange for positive, blue for negative, grey for a balanced or zero contribution."""
    if bal >= 0:
        return _mix(NEUTRAL, POSITIVE, bal)
    return _mix(NEUTRAL, NEGATIVE, -bal)


def label_text(array) -> str:
    """What an edge prints: ``31.7`` for a number, ``±0.079`` (largest magnitude) for a tensor."""
    a = np.asarray(array)
    if a.size == 1:
        return fmt_number(a.reshape(-1)[0], 3)
    return describe_short(a)
