"""NodeItem: one engine node on the canvas — op symbol, id, shape, value, gradient, ports.

It never edits anything: it shows the model's current state (``refresh``) and reports where its
ports are. Text and thumbnails are prepared in ``refresh``; ``paint`` only draws (and skips
detail when zoomed out).
"""
from __future__ import annotations

from html import escape

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from . import style
from .port_item import OUTPUT, hit_port, input_port_pos, output_port_pos, port_pos
from .thumbnail import heatmap_pixmap

_NO_PEN = QPen(Qt.NoPen)
_HEADER_MUTED = QColor(255, 255, 255, 200)
# engine messages that mean "not finished yet" rather than "wrong" ("is/are not connected")
INCOMPLETE_MARKERS = ("not connected", "has no value")
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def node_symbol(op, attrs) -> str:
    """The op's symbol, specialised by its attrs where that says more: ``x²``, ``x³``, ``x⁻¹``,
    ``x^0.5`` for a power node (the palette's generic ``xⁿ`` otherwise)."""
    if op is None:
        return "?"
    if op.name == "pow" and attrs:
        try:
            exponent = float(attrs.get("exponent"))
        except (TypeError, ValueError):
            return op.symbol
        if not np.isfinite(exponent):
            return op.symbol
        if exponent == int(exponent) and abs(exponent) < 1e6:
            return "x" + str(int(exponent)).translate(_SUPERSCRIPT)
        return "x^" + style.fmt_number(exponent, 4)
    return op.symbol


def is_unfinished(error: str | None) -> bool:
    """The engine's message says the node is not finished yet, rather than wrong."""
    return bool(error) and any(marker in error for marker in INCOMPLETE_MARKERS)


def unfinished_hint(error: str, port_names, sources) -> str:
    """A short line for a node still being built ("connect a, b"), instead of the engine's
    long sentence cut off at the node's edge (the tooltip keeps the sentence)."""
    if "not connected" in error and sources:
        missing = [str(port_names[p]) if p < len(port_names) else str(p)
                   for p, s in enumerate(sources) if s is None]
        if missing:
            return "connect " + ", ".join(missing)
    if "has no value" in error:
        return "needs a value"
    return error


def describe(value, prefix: str, digits: int = 4, sep: str = " … ") -> str:
    """``= 0.4621`` for a scalar; ``min … max`` for a tensor."""
    a = np.asarray(value)
    if a.size == 1:
        return f"{prefix}{style.fmt_number(a.reshape(-1)[0], digits)}"
    if a.size == 0:
        return f"{prefix}(empty)"
    finite = a[np.isfinite(a)]
    if finite.size == 0:
        return f"{prefix}nan"
    lo, hi = finite.min(), finite.max()
    lo_digits = 3 if digits >= 3 else digits
    return f"{prefix}{style.fmt_number(lo, lo_digits)}{sep}{style.fmt_number(hi, lo_digits)}"


def describe_short(value, prefix: str) -> str:
    """The shortest honest summary of a tensor, ``±0.079`` (its largest magnitude), for a card
    too narrow for ``min … max``; a scalar stays ``= 0.46``."""
    a = np.asarray(value)
    if a.size <= 1:
        return describe(value, prefix, 3)
    finite = np.abs(a[np.isfinite(a)])
    if finite.size == 0:
        return f"{prefix}nan"
    return f"{prefix}±{style.fmt_number(finite.max(), 2)}"


def grad_names(loss_id, node_id: str, grad, small: bool, digits: int = 4,
               sep: str = " … ") -> tuple:
    """The gradient line, most explicit first: ``∂y/∂x = 95.06``, ``∂y/∂· = 95.06``,
    ``∂L/∂· = 95.06`` (a tensor reads ``∂y/∂W −0.07 … 0.13``)."""
    tail = " = " if small else " "
    loss = loss_id if loss_id else "L"
    prefixes = dict.fromkeys((f"∂{loss}/∂{node_id}", f"∂{loss}/∂·", "∂L/∂·"))
    return tuple(describe(grad, prefix + tail, digits, sep) for prefix in prefixes)


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


def two_lines(metrics, text: str, width: int) -> str:
    """``text`` word-wrapped into at most two lines of ``width``, the second elided."""
    words, first = text.split(" "), ""
    while words and metrics.horizontalAdvance((first + " " + words[0]).strip()) <= width:
        first = (first + " " + words.pop(0)).strip()
    if not first:  # one very long word
        return metrics.elidedText(text, Qt.ElideRight, width)
    rest = " ".join(words)
    return first + ("\n" + metrics.elidedText(rest, Qt.ElideRight, width) if rest else "")


def shape_text(shape) -> str:
    if shape is None:
        return ""
    if len(shape) == 0:
        return "scalar"
    return "×".join(str(n) for n in shape)


class NodeItem(QGraphicsItem):
    def __init__(self, node_id: str, op, position):
        super().__init__()
        self.node_id = node_id
        self.op = op
        self.arity = op.arity if op is not None else 0
        self.edges: list = []
        self.highlight_port: int | None = None
        self.highlight_refused = False
        self.setFlags(QGraphicsItem.ItemIsMovable | QGraphicsItem.ItemIsSelectable
                      | QGraphicsItem.ItemSendsGeometryChanges)
        self.setAcceptHoverEvents(False)
        self.setPos(QPointF(*position))
        ports_bottom = style.PORT_TOP + (max(self.arity, 1) - 1) * style.PORT_GAP + 10
        self.band_bottom = max(style.BODY_MIN, ports_bottom)
        self.height = self.band_bottom + 2 * style.LINE_H + 5
        self._rect = QRectF(0, 0, style.NODE_W, self.height)
        self._bounds = self._rect.adjusted(-style.PORT_R - 3, -3, style.PORT_R + 3, 3)
        self._body_path = QPainterPath()
        self._body_path.addRoundedRect(self._rect, style.CORNER, style.CORNER)
        self._header_path = QPainterPath()
        self._header_path.addRoundedRect(QRectF(0, 0, style.NODE_W, style.HEADER_H + style.CORNER),
                                         style.CORNER, style.CORNER)
        self._header_path = self._header_path.intersected(self._body_path)
        clip = QPainterPath()
        clip.addRect(QRectF(0, 0, style.NODE_W, style.HEADER_H))
        self._header_path = self._header_path.intersected(clip)
        self.header_color = style.category_color(op)
        self.symbol = op.symbol if op is not None else "?"
        self.port_names = tuple(op.port_names) if op is not None else ()
        self.connected_ports: set[int] = set()
        self.id_text = node_id
        self.shape_label = ""
        self.value_text = ""
        self.grad_text = ""            # the gradient named in full: "∂y/∂x = 95.06"
        self.grad_lines: tuple = ()    # what the gradient line may show, longest first
        self.grad_compact_lines: tuple = ()   # the same for a zoomed-out card (fewer digits)
        self.error: str | None = None
        self.error_text = ""           # what the node shows of the error (short when unfinished)
        self.incomplete = False        # the error only says the node is not finished yet
        self.is_loss = False
        self.value_pixmap = None
        self.grad_pixmap = None
        self.value_compact = self.grad_compact = ""
        self.value_short = self.grad_short = ""   # the fallback when a compact line won't fit
        self._state = None
        self._thumbnails = [(None, None), (None, None)]   # (array, pixmap): value, gradient
        self.setZValue(1)
        self.setCacheMode(QGraphicsItem.DeviceCoordinateCache)

    # ------------------------------------------------------------ state from the model
    def refresh(self, model) -> None:
        """Pull id, shape, value, gradient and error from the model; repaint only on change."""
        node_id = self.node_id
        error = model.errors.get(node_id)
        value = model.values.get(node_id)
        grad = model.grads.get(node_id)
        is_loss = model.loss_id == node_id and bool(model.grads)
        shape_label = shape_text(model.shapes.get(node_id))
        node = model.node(node_id) if model.has_node(node_id) else None
        symbol = node_symbol(self.op, node.attrs if node is not None else None)
        incomplete = is_unfinished(error)
        error_text = error or ""
        if incomplete:
            sources = model.graph.input_sources(node_id) if node is not None else []
            error_text = unfinished_hint(error, self.port_names, sources)
        if value is not None:
            small = np.size(value) == 1
            value_text = describe(value, "= ")
            value_compact = describe(value, "= ", 3 if small else 2, "…")
            value_short = describe_short(value, "= ")
        else:
            value_text = value_compact = value_short = ""
        if grad is not None:
            small = np.size(grad) == 1
            grad_named = grad_names(model.loss_id, node_id, grad, small)
            grad_text = grad_named[0]
            grad_compact = describe(grad, "∂ ", 3 if small else 2, "…")
            grad_short = describe_short(grad, "∂ ")
            grad_small_named = grad_names(model.loss_id, node_id, grad, small,
                                          3 if small else 2, "…")
        else:
            grad_named = grad_small_named = ()
            grad_text = grad_compact = grad_short = ""
        value_pixmap = self._thumbnail(value, 0)
        grad_pixmap = self._thumbnail(grad, 1)
        state = (node_id, error, is_loss, shape_label, value_text, value_compact, grad_text,
                 grad_compact, value_pixmap, grad_pixmap, symbol, error_text, value_short, grad_short)
        if state == self._state:
            return
        if self._state is None or self._state[:2] != state[:2] or grad_text != self.grad_text:
            self.setToolTip(self._tooltip(error, grad_text))
        tail = tuple(t for t in (grad_compact, grad_short) if t)
        self.grad_lines = grad_named + tail
        self.grad_compact_lines = grad_small_named + tail
        self._state = state
        self.incomplete = incomplete
        (self.id_text, self.error, self.is_loss, self.shape_label, self.value_text,
         self.value_compact, self.grad_text, self.grad_compact, self.value_pixmap,
         self.grad_pixmap, self.symbol, self.error_text, self.value_short,
         self.grad_short) = state
        self.update()

    def _thumbnail(self, array, slot: int):
        """The heatmap of ``array`` (None for none / scalars); the same array object as last
        time keeps its pixmap without hashing its content again."""
        if array is None:
            return None
        if array is not self._thumbnails[slot][0]:
            self._thumbnails[slot] = (array, heatmap_pixmap(array, style.THUMB))
        return self._thumbnails[slot][1]

    def _tooltip(self, error, grad_text: str) -> str:
        """Full id, op, the error or the op's doc, and the gradient named in full."""
        tip = [f"<b>{escape(self.node_id, quote=False)}</b> — {self.op.label if self.op else '?'}"]
        if error:
            tip.append(f"<span style='color:#ff7070'>{escape(error, quote=False)}</span>")
        elif self.op is not None:
            tip.append(self.op.doc)
        if grad_text:
            tip.append(f"<span style='color:{style.GRAD.name()}'>{escape(grad_text, quote=False)}</span>")
        return "<br>".join(tip)

    def set_connected(self, port: int, connected: bool) -> None:
        (self.connected_ports.add if connected else self.connected_ports.discard)(port)
        self.update()

    def set_highlight(self, port: int | None, refused: bool = False) -> None:
        """Ring ``port`` (None: no port): amber where a wire may land, red where it may not."""
        refused = refused and port is not None
        if port != self.highlight_port or refused != self.highlight_refused:
            self.highlight_port, self.highlight_refused = port, refused
            self.update()

    # ------------------------------------------------------------ geometry
    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        return self._body_path

    def port_scene_pos(self, port: int) -> QPointF:
        return self.mapToScene(port_pos(port))

    def port_at(self, scene_pos: QPointF, radius: float = 11.0) -> int | None:
        return hit_port(self.mapFromScene(scene_pos), self.arity, radius)

    def itemChange(self, change, value):
        if change == QGraphicsItem.ItemPositionHasChanged:
            for edge in self.edges:
                edge.update_path()
        return super().itemChange(change, value)

    def _error_colour(self) -> QColor:
        return style.NODE_INCOMPLETE if self.incomplete else style.NODE_ERROR

    # ------------------------------------------------------------ painting
    def paint(self, painter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        selected = self.isSelected()
        broken = self.error is not None and not self.incomplete
        if lod < 0.3:
            painter.fillRect(self._rect, style.NODE_SELECTED if selected else
                             (style.NODE_ERROR if broken else self.header_color))
            return
        if selected:
            pen = QPen(style.NODE_SELECTED, 2.0)
        elif broken:
            pen = QPen(style.NODE_ERROR, 2.0)
        elif self.incomplete:  # still being built: a dashed amber outline, not an alarm
            pen = QPen(style.NODE_INCOMPLETE, 1.5, Qt.DashLine)
        else:
            pen = QPen(style.NODE_BORDER, 1.0)
        painter.setPen(pen)
        painter.setBrush(style.NODE_ERROR_BODY if broken else style.NODE_BODY)
        painter.drawPath(self._body_path)
        painter.setPen(_NO_PEN)
        painter.setBrush(style.NODE_ERROR if broken else self.header_color)
        painter.drawPath(self._header_path)
        if lod < style.COMPACT_BELOW:
            self._paint_compact(painter, lod)
            return
        self._paint_header_text(painter)
        self._paint_symbol(painter)
        self._paint_ports(painter)
        self._paint_results(painter)

    def _paint_compact(self, painter, lod: float) -> None:
        """Zoomed out (a fitted example in a small window): symbol and id in the header, value
        and gradient in fonts that stay legible on screen; no port names or thumbnails."""
        w = style.NODE_W
        head, text = self.compact_header(lod)
        painter.setFont(head)
        painter.setPen(style.TEXT)
        painter.drawText(QRectF(8, 0, w - 16, style.HEADER_H), Qt.AlignLeft | Qt.AlignVCenter,
                         text)
        self._paint_ports(painter, names=False)
        lines = [((self.value_compact, self.value_short), style.VALUE)]
        if self.grad_compact:
            lines.append((self.grad_compact_lines, style.GRAD))
        elif self.error:
            lines.append(((self.error_text,), self._error_colour()))
        lines = [line for line in lines if line[0][0]]
        if not lines:
            return
        px = min(17, max(10, round(8.5 / lod)))
        painter.setFont(style.pixel_font(px))
        metrics = painter.fontMetrics()
        line_h = px + 3
        top = style.HEADER_H + (self.height - style.HEADER_H - line_h * len(lines)) / 2
        room = int(w - 18)
        for i, (candidates, colour) in enumerate(lines):
            # "−0.0015…0.0012" cut to "−0.0015……" says less than "±0.0015"
            painter.setPen(colour)
            painter.drawText(QRectF(10, top + i * line_h, w - 18, line_h),
                             Qt.AlignLeft | Qt.AlignVCenter, fitting(metrics, room, *candidates))

    def compact_header(self, lod: float) -> tuple:
        """``(font, text)`` of a zoomed-out card's header, symbol and id, in a font that stays
        legible on screen: shrunk a little, then elided in the middle for a long id."""
        head = style.pixel_font(min(17, max(11, round(9.5 / lod))), bold=True)
        return fit_label(head, f"{self.symbol}  {self.id_text}", style.NODE_W - 16)

    def _paint_header_text(self, painter) -> None:
        w = style.NODE_W
        painter.setFont(style.FONT_SHAPE)
        painter.setPen(_HEADER_MUTED)
        shape_w = painter.fontMetrics().horizontalAdvance(self.shape_label) if self.shape_label else 0
        painter.drawText(QRectF(w - 8 - shape_w, 0, shape_w, style.HEADER_H),
                         Qt.AlignRight | Qt.AlignVCenter, self.shape_label)
        painter.setPen(style.TEXT)
        id_font, text = self.header_label(shape_w)
        painter.setFont(id_font)
        painter.drawText(QRectF(9, 0, w - 18, style.HEADER_H), Qt.AlignLeft | Qt.AlignVCenter,
                         text)

    def header_label(self, shape_w: float) -> tuple:
        """``(font, text)`` of the id in the full card's header: shrunk a little, then elided
        in the middle when long (the tooltip has it whole); the loss keeps its ◆."""
        suffix = "  ◆" if self.is_loss else ""
        room = (style.NODE_W - 17 - (shape_w + 6 if shape_w else 0)
                - QFontMetricsF(style.FONT_ID).horizontalAdvance(suffix))
        id_font, text = fit_label(style.FONT_ID, self.id_text, room)
        return id_font, text + suffix

    def _paint_symbol(self, painter) -> None:
        top = style.HEADER_H
        right = style.NODE_W - 14
        if self.value_pixmap is not None:
            right -= self.value_pixmap.width() + 3
        if self.grad_pixmap is not None:
            right -= self.grad_pixmap.width() + 3
        left = 22 if self.arity else 8
        rect = QRectF(left, top, max(right - left, 20), self.band_bottom - top)
        painter.setFont(style.FONT_SYMBOL)
        width = painter.fontMetrics().horizontalAdvance(self.symbol)
        if width > rect.width() - 10:  # "tanh" beside two thumbnails: smaller, never overlapping
            font = QFont(style.FONT_SYMBOL)
            font.setPointSizeF(max(7.0, font.pointSizeF() * (rect.width() - 10) / width))
            painter.setFont(font)
        painter.setPen(style.SYMBOL)
        painter.drawText(rect, Qt.AlignCenter, self.symbol)

    def _paint_ports(self, painter, names: bool = True) -> None:
        painter.setFont(style.FONT_PORT)
        for i in range(self.arity):
            pos = input_port_pos(i)
            self._paint_port(painter, pos, i)
            painter.setPen(style.TEXT_MUTED)
            if names and i < len(self.port_names):
                painter.drawText(QRectF(pos.x() + 8, pos.y() - 8, 60, 16),
                                 Qt.AlignLeft | Qt.AlignVCenter, self.port_names[i])
        self._paint_port(painter, output_port_pos(), OUTPUT)

    def _paint_port(self, painter, pos: QPointF, port: int) -> None:
        highlighted = self.highlight_port == port
        connected = port in self.connected_ports
        r = style.PORT_R + (2.0 if highlighted else 0.0)
        ring = ((style.NODE_ERROR if self.highlight_refused else style.PORT_HIGHLIGHT)
                if highlighted else style.PORT_RING)
        painter.setPen(QPen(ring, 2.0 if highlighted else 1.5))
        painter.setBrush(style.PORT_FILL if (connected or highlighted) else style.PORT_EMPTY)
        painter.drawEllipse(pos, r, r)

    def thumbnail_places(self) -> list:
        """[(pixmap, frame colour, x, y)] of the heatmaps, value left of gradient (they read
        like the two text lines below them), right-aligned in the symbol band."""
        x0 = style.NODE_W - 14
        y0 = style.HEADER_H + (self.band_bottom - style.HEADER_H - style.THUMB) / 2
        places = []
        for pm, colour in ((self.grad_pixmap, style.GRAD), (self.value_pixmap, style.VALUE)):
            if pm is not None:
                x0 -= pm.width()
                places.insert(0, (pm, colour, x0, int(y0 + (style.THUMB - pm.height()) / 2)))
                x0 -= 4
        return places

    def _paint_results(self, painter) -> None:
        w = style.NODE_W
        y = self.band_bottom
        painter.setFont(style.FONT_VALUE)
        painter.setBrush(Qt.NoBrush)
        for pm, colour, x0, top in self.thumbnail_places():
            painter.drawPixmap(int(x0), top, pm)   # framed in the value / gradient colour
            painter.setPen(QPen(colour, 1.0))
            painter.drawRect(QRectF(int(x0) - 0.5, top - 0.5, pm.width() + 1, pm.height() + 1))
        metrics = painter.fontMetrics()
        width = int(w - 18)
        if self.value_text:
            painter.setPen(style.VALUE)
            painter.drawText(QRectF(9, y, width, style.LINE_H), Qt.AlignLeft | Qt.AlignVCenter,
                             fitting(metrics, width, self.value_text, self.value_compact,
                                     self.value_short))
        if self.grad_text:
            painter.setPen(style.GRAD)
            painter.drawText(QRectF(9, y + style.LINE_H, width, style.LINE_H),
                             Qt.AlignLeft | Qt.AlignVCenter,
                             fitting(metrics, width, *self.grad_lines))
        elif self.error:
            painter.setPen(self._error_colour())
            if self.value_text:
                painter.drawText(QRectF(9, y + style.LINE_H, width, style.LINE_H),
                                 Qt.AlignLeft | Qt.AlignVCenter,
                                 metrics.elidedText(self.error_text, Qt.ElideRight, width))
            else:  # no value line: the message may wrap over both lines
                painter.drawText(QRectF(9, y, width, 2 * style.LINE_H),
                                 Qt.AlignLeft | Qt.AlignVCenter,
                                 two_lines(metrics, self.error_text, width))
