"""Fitting text into a node card: the longest candidate that fits, labels shrunk then elided in
the middle, messages over two lines, and gradient labels that keep both ids readable."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetricsF


def fitting(metrics, width: int, *candidates: str) -> str:
    """The first of ``candidates`` (longest first) that fits ``width``; else the last, elided."""
    options = [c for c in candidates if c]
    for text in options:
        if metrics.horizontalAdvance(text) <= width:
            return text
    return metrics.elidedText(options[-1], Qt.ElideRight, width) if options else ""


def fit_label(font: QFont, text: str, width: float, smallest: float = 0.8) -> tuple:
    """``(font, text)`` for a header label in ``width``: as is; else the font shrunk down to
    ``smallest`` of its size; else that font with the text elided in the middle
    (``weigh…_sum``), so both ends of a long id stay readable."""
    metrics = QFontMetricsF(font)
    full = metrics.horizontalAdvance(text)
    if full <= width:
        return font, text
    small = QFont(font)
    if font.pixelSize() > 0:
        small.setPixelSize(max(1, int(font.pixelSize() * max(smallest, width / full))))
    else:
        small.setPointSizeF(font.pointSizeF() * max(smallest, width / full))
    metrics = QFontMetricsF(small)
    if metrics.horizontalAdvance(text) <= width:
        return small, text
    return small, metrics.elidedText(text, Qt.ElideMiddle, width)


def shrunk_to_fit(font: QFont, text: str, width: float) -> QFont:
    """``font``, made as small as it takes for all of ``text`` to fit ``width`` (never elided:
    vector output, where a reader zooms in rather than hovers for a tooltip)."""
    fitted = QFont(font)
    for _ in range(6):    # widths do not scale exactly with the size: shrink until it fits
        full = QFontMetricsF(fitted).horizontalAdvance(text)
        if full <= width:
            return fitted
        ratio = width / full * 0.98
        if fitted.pixelSize() > 0:
            fitted.setPixelSize(max(1, int(fitted.pixelSize() * ratio)))
        else:
            fitted.setPointSizeF(max(0.5, fitted.pointSizeF() * ratio))
    return fitted


def two_lines(metrics, text: str, width: int) -> str:
    """``text`` word-wrapped into at most two lines of ``width``, the second elided."""
    words, first = text.split(" "), ""
    while words and metrics.horizontalAdvance((first + " " + words[0]).strip()) <= width:
        first = (first + " " + words.pop(0)).strip()
    if not first:  # one very long word
        return metrics.elidedText(text, Qt.ElideRight, width)
    rest = " ".join(words)
    return first + ("\n" + metrics.elidedText(rest, Qt.ElideRight, width) if rest else "")


def elide_middle(metrics, text: str, width: float) -> str:
    """``text`` with its middle replaced by ``…`` so it fits ``width``, keeping as many
    characters of both ends as fit ("" when not even one character and ``…`` fit)."""
    if metrics.horizontalAdvance(text) <= width:
        return text
    for keep in range(len(text) - 1, 0, -1):
        head, tail = (keep + 1) // 2, keep // 2
        candidate = text[:head] + "…" + (text[len(text) - tail:] if tail else "")
        if metrics.horizontalAdvance(candidate) <= width:
            return candidate
    return ""


def _joined(head: str, value: str) -> str:   # "∂y/∂x = 95.06", "∂y/∂x: not yet"
    return head + ("" if value.startswith(":") else " ") + value


def fit_grad_line_in(font: QFont, width: int, loss: str, node_id: str, values: tuple,
                     smallest: float = 0.85) -> tuple:
    """``(font, text)``: ``fit_grad_line`` in ``font``, except that where the ids would be
    elided and a font down to ``smallest`` of the size keeps them whole, that font
    (``∂loss/∂loss = 1`` a little smaller rather than ``∂l…s/∂loss = 1``)."""
    metrics = QFontMetricsF(font)
    text = fit_grad_line(metrics, width, loss, node_id, values)
    whole = _joined(f"∂{loss}/∂{node_id}", values[-1])
    if text is None or text.startswith(f"∂{loss}/∂{node_id}"):
        return font, text
    if width / metrics.horizontalAdvance(whole) < smallest:
        return font, text
    return shrunk_to_fit(font, whole, width), whole


def fit_grad_line(metrics, width: int, loss: str, node_id: str, values: tuple) -> str | None:
    """``∂y/∂x = 95.06`` fitted into ``width``: the first of ``values`` (longest first) that
    fits with both ids whole; else the last value with the ids elided in the middle
    (``∂loss/∂weig…sum = 0.5``). The ids are never dropped; None when not even that fits."""
    joined = _joined
    for value in values:
        text = joined(f"∂{loss}/∂{node_id}", value)
        if metrics.horizontalAdvance(text) <= width:
            return text
    value = values[-1]
    room = width - metrics.horizontalAdvance(f"∂/∂ {value}")
    loss_w, node_w = metrics.horizontalAdvance(loss), metrics.horizontalAdvance(node_id)
    least = metrics.horizontalAdvance("x…")      # one character and the ellipsis
    if room < 2 * least:
        return None
    loss_room = min(loss_w, max(least, room * 0.4))      # the card's own id gets the most
    node_room = room - loss_room
    if node_w < node_room:                       # a short node id leaves room to the loss
        loss_room, node_room = room - node_w, node_w
    for _ in range(8):      # widths do not quite add up (kerning): shrink until the line fits
        short_loss = elide_middle(metrics, loss, loss_room)
        short_node = elide_middle(metrics, node_id, node_room)
        if not short_loss or not short_node:
            return None
        text = joined(f"∂{short_loss}/∂{short_node}", value)
        over = metrics.horizontalAdvance(text) - width
        if over <= 0:
            return text
        node_room -= over
    return None
