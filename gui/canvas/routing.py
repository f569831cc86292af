"""Wires that go around nodes: bend points for a wire whose plain curve would pass under a card.

A forward wire (its input right of its output) is drawn as the plain cubic of ``wire_path``
when that curve touches no other card. Otherwise the cards between its ends are grouped into
columns (cards whose x ranges overlap), and in each column the wire runs straight through the
free band nearest to the line between its ends; between columns it bends with horizontal
tangents, where no card can be. The auto-layout leaves such a band in every layer a long wire
crosses (``gui/model/auto_layout.py``), so after an auto-layout no wire passes under a card.

Pure geometry on plain floats, so tests can check it without a scene.
"""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPainterPath

MARGIN = 8.0       # room kept between a wire and a card above or below it
PAD = 14.0         # how far before / after a column the wire is already level
SAMPLES = 48       # points checked along a plain curve
CLEARANCE = 3.0    # a plain curve closer than this to a card is routed round it


def sample(path: QPainterPath, count: int = SAMPLES) -> np.ndarray:
    """Points along ``path`` (an n×2 array): its lines and cubic segments evaluated directly,
    at least ``count + 1`` points and about one every few pixels of its length."""
    per_pixel = max(count, int(path.length() / 6)) / max(path.length(), 1e-9)
    elements = [path.elementAt(i) for i in range(path.elementCount())]
    points = [np.array([[elements[0].x, elements[0].y]])] if elements else []
    i = 1
    while i < len(elements):
        e = elements[i]
        p0 = (elements[i - 1].x, elements[i - 1].y)
        if e.isCurveTo() and i + 2 < len(elements):
            c1, c2, p3 = (e.x, e.y), (elements[i + 1].x, elements[i + 1].y), \
                (elements[i + 2].x, elements[i + 2].y)
            span = math.dist(p0, c1) + math.dist(c1, c2) + math.dist(c2, p3)
            t = np.linspace(0.0, 1.0, max(4, int(span * per_pixel) + 1))[1:, None]
            u = 1 - t
            points.append(u ** 3 * p0 + 3 * u * u * t * c1 + 3 * u * t * t * c2 + t ** 3 * p3)
            i += 3
        else:
            end = (e.x, e.y)
            t = np.linspace(0.0, 1.0, max(2, int(math.dist(p0, end) * per_pixel) + 1))[1:, None]
            points.append((1 - t) * np.array(p0) + t * np.array(end))
            i += 1
    return np.vstack(points) if points else np.empty((0, 2))


def hits(points, rect: tuple) -> bool:
    """Does any of ``points`` (an n×2 array) lie strictly inside ``rect`` = (left, top,
    right, bottom)?"""
    left, top, right, bottom = rect
    x, y = points[:, 0], points[:, 1]
    return bool(np.any((x > left) & (x < right) & (y > top) & (y < bottom)))


def columns(obstacles, x0: float, x1: float) -> list[tuple[float, float, list]]:
    """The obstacles strictly between x0 and x1 grouped by overlapping x ranges, left to right:
    ``[(left, right, [rect, ...]), ...]``."""
    inside = sorted((r for r in obstacles if r[2] > x0 and r[0] < x1), key=lambda r: r[0])
    groups: list = []
    for rect in inside:
        if groups and rect[0] < groups[-1][1]:
            left, right, members = groups[-1]
            groups[-1] = (left, max(right, rect[2]), members + [rect])
        else:
            groups.append((rect[0], rect[2], [rect]))
    return groups


def free_y(rects, ideal: float, margin: float = MARGIN) -> float:
    """The y nearest ``ideal`` that keeps ``margin`` away from every rect (a free band)."""
    blocked = sorted((r[1] - margin, r[3] + margin) for r in rects)
    merged: list = []
    for top, bottom in blocked:
        if merged and top <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], bottom))
        else:
            merged.append((top, bottom))
    for top, bottom in merged:
        if top < ideal < bottom:
            return top if ideal - top <= bottom - ideal else bottom
    return ideal


def waypoints(start: tuple, end: tuple, obstacles) -> list[tuple[float, float]] | None:
    """Bend points for a forward wire from ``start`` to ``end`` around ``obstacles`` (rects
    ``(left, top, right, bottom)``, the wire's own cards excluded): a level run through each
    column crossed; None when the layout leaves no way (a card straddles an end, or the wire
    runs backwards)."""
    (sx, sy), (ex, ey) = start, end
    if ex <= sx:
        return None
    groups = columns(obstacles, sx, ex)
    if any(left <= sx or right >= ex for left, right, _ in groups):
        return None              # a card straddles one end: nothing sensible to route
    edges = [sx] + [x for left, right, _ in groups for x in (left, right)] + [ex]
    points: list = []
    for i, (left, right, rects) in enumerate(groups):
        before = min(PAD, (left - edges[2 * i]) / 2)
        after = min(PAD, (edges[2 * i + 3] - right) / 2)
        t = ((left + right) / 2 - sx) / (ex - sx)
        y = free_y(rects, sy + (ey - sy) * t)
        points += [(left - before, y), (right + after, y)]
    return points


def through(start: QPointF, points, end: QPointF) -> QPainterPath:
    """A path from ``start`` to ``end`` through ``points``: level runs joined by cubics with
    horizontal tangents (x only grows along each one, so it stays between its two ends)."""
    path = QPainterPath(start)
    previous = (start.x(), start.y())
    for x, y in list(points) + [(end.x(), end.y())]:
        px, py = previous
        if abs(py - y) < 0.5:
            path.lineTo(x, y)
        else:
            dx = (x - px) / 2
            path.cubicTo(QPointF(px + dx, py), QPointF(x - dx, y), QPointF(x, y))
        previous = (x, y)
    return path


def _as_tuples(rects) -> list[tuple]:
    return [(r.left(), r.top(), r.right(), r.bottom()) if isinstance(r, QRectF) else tuple(r)
            for r in rects]


def clear(plain: QPainterPath, obstacles) -> bool:
    """Does ``plain`` keep CLEARANCE away from every one of ``obstacles``?"""
    rects = _as_tuples(obstacles)
    if not rects:
        return True
    points = sample(plain)
    boxes = np.asarray(rects, dtype=float) + (-CLEARANCE, -CLEARANCE, CLEARANCE, CLEARANCE)
    x, y = points[:, :1], points[:, 1:]          # every point against every card at once
    inside = (x > boxes[:, 0]) & (x < boxes[:, 2]) & (y > boxes[:, 1]) & (y < boxes[:, 3])
    return not bool(inside.any())


def detour(start: QPointF, end: QPointF, obstacles) -> QPainterPath | None:
    """The wire through bend points round ``obstacles`` (every card between its ends), or
    None when there is no way round."""
    bends = waypoints((start.x(), start.y()), (end.x(), end.y()), _as_tuples(obstacles))
    return through(start, bends, end) if bends else None


def routed(start: QPointF, end: QPointF, plain: QPainterPath, obstacles) -> QPainterPath:
    """``plain`` when it touches none of ``obstacles`` (QRectF or 4-tuples); else the wire
    through bend points around them (``plain`` again when there is no way round)."""
    if clear(plain, obstacles):
        return plain
    return detour(start, end, obstacles) or plain
