"""NodeItem: one node on the canvas — op symbol, id, shape, value, gradient, ports.

It never edits anything. It draws what its ``NodeDisplay`` says (``show``), which the live view
fills from the model's last re-run and the player from a step of a Trace; it reports where its
ports are. Text and thumbnails are prepared in ``show``; ``paint`` only draws (and skips detail
when zoomed out).
"""
from __future__ import annotations

from html import escape

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from gui.display import ACTIVE, DIM, GRAD_NOT_YET, HIDDEN, PATH, NodeDisplay
from gui.formatting import (describe, describe_short, grad_symbol, node_symbol, shape_text,
                          unfinished_hint)
from gui.canvas import style
from gui.canvas.port_item import OUTPUT, hit_port, input_port_pos, output_port_pos, port_pos
from gui.canvas.text_fit import fit_grad_line, fit_grad_line_in, fit_label, fitting, shrunk_to_fit, two_lines
from gui.canvas.thumbnail import heatmap_pixmap
from gui.theme import colors

_NO_PEN = QPen(Qt.NoPen)
FOCUS_OUTSIDE = 3.0  # the focus ring's outer edge, outside the card (within its bounds)


def compact_value_pixels(lod: float) -> int:
    """Scene pixels of a zoomed-out card's value and gradient lines: about
    ``style.READABLE_PX`` on screen (9 pt) down to a zoom of 0.45, smaller below."""
    return min(26, max(10, round(style.READABLE_PX / lod)))


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
        self.band_bottom = style.card_band_bottom(self.arity)
        self.height = style.card_height(self.arity)
        self._rect = QRectF(0, 0, style.NODE_W, self.height)
        self._bounds = self._rect.adjusted(-style.PORT_R - 3, -style.BADGE_R_MAX - 4,
                                           style.PORT_R + 3, FOCUS_OUTSIDE)  # badges overhang
        #                                                    the top
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
        self.highlight = None          # ACTIVE / DONE / DIM / PATH while the player steps
        self.badges: tuple = ()
        self.whole_ids = False         # vector output: ids drawn whole in a smaller font
        self.pending = False           # "not computed yet": a replay has not reached the node
        self.grad_pending = False
        self.grad_parts = None         # (loss, node, ("= 95.06", "= 95.1")) to fit the line
        self.focus_ring = False        # the keyboard is on this node and the canvas has focus
        self._state = None
        self._tip_args: tuple = (None, "", (), "")
        self._tip_dirty = True
        self._thumbnails = [(None, None), (None, None)]   # (array, pixmap): value, gradient
        self.setZValue(1)
        self.setCacheMode(QGraphicsItem.DeviceCoordinateCache)

    # ------------------------------------------------------------ state from a display record
    def set_symbol(self, attrs) -> None:
        """The op's symbol for these attrs (``x²`` for pow 2); called when attrs change."""
        symbol = node_symbol(self.op, attrs)
        if symbol != self.symbol:
            self.symbol = symbol
            self.update()

    def set_op(self, op, attrs) -> None:
        """The node was changed into another op of the same arity (Change to…): its header
        colour, symbol, port names and tooltip follow; the card keeps its size and wires."""
        if op is self.op:
            self.set_symbol(attrs)
            return
        self.op = op
        self.header_color = style.category_color(op)
        self.port_names = tuple(op.port_names) if op is not None else ()
        self.symbol = None
        self.set_symbol(attrs)
        self._state = None              # redraw the results too (unfinished hints name ports)
        self._tip_dirty = True
        self.update()

    def show(self, display: NodeDisplay, loss: str | None, shape=None) -> None:
        """Draw ``display`` (value, gradient, problem, highlight); repaint only on change.
        ``loss`` names the node differentiated, for the gradient's label ``∂loss/∂node``."""
        node_id = self.node_id
        problem = display.problem
        value, grad = display.value, display.grad
        incomplete = problem is not None and problem.unfinished
        error = problem.message if problem is not None else None
        error_text = unfinished_hint(problem, self.port_names) if incomplete else (error or "")
        if value is not None:
            small = np.size(value) == 1
            value_text = describe(value, "= ")
            value_compact = describe(value, "= ", 3 if small else 2, "…")
            value_short = describe_short(value, "= ")
            if shape is None:
                shape = np.shape(value)
        elif display.value_hidden and problem is None:     # predict mode: asked, not shown
            value_text = value_compact = value_short = f"= {HIDDEN}"
        elif display.value_note and problem is None:
            value_text = value_compact = value_short = display.value_note
        else:
            value_text = value_compact = value_short = ""
        symbol = grad_symbol(loss, node_id)
        if grad is not None:
            small = np.size(grad) == 1
            grad_value = describe(grad, "", 4, " … ")
            grad_text = f"{symbol} {'= ' if small else ''}{grad_value}"
            grad_compact = describe(grad, "∂ ", 3 if small else 2, "…")
            grad_short = describe_short(grad, "∂ ")
            eq = "= " if small else ""
            self.grad_parts = (loss or "L", node_id,
                               (eq + grad_value, eq + describe(grad, "", 3 if small else 2, "…")))
        elif display.grad_hidden:
            grad_text = f"{symbol} = {HIDDEN}"
            grad_compact = grad_short = f"∂ = {HIDDEN}"
            self.grad_parts = (loss or "L", node_id, (f"= {HIDDEN}", f"= {HIDDEN}"))
        elif display.grad_note == GRAD_NOT_YET:
            grad_text = f"{symbol}: {GRAD_NOT_YET}"
            grad_compact = grad_short = f"∂: {GRAD_NOT_YET}"
            not_yet = f": {GRAD_NOT_YET}"    # full and compact cards alike
            self.grad_parts = (loss or "L", node_id, (not_yet, not_yet))
        else:
            grad_text = grad_compact = grad_short = ""
            self.grad_parts = None
        self.pending = (value is None and bool(display.value_note) and problem is None
                        and not display.value_hidden)
        self.grad_pending = grad is None and display.grad_note == GRAD_NOT_YET
        value_pixmap = self._thumbnail(value, 0)
        grad_pixmap = self._thumbnail(grad, 1)
        state = (node_id, error, display.is_loss, shape_text(shape), value_text, value_compact,
                 grad_text, grad_compact, value_pixmap, grad_pixmap, self.symbol, error_text,
                 value_short, grad_short, display.highlight, incomplete, display.badges)
        if state == self._state:
            return
        # the hover summary is built when asked for (``toolTip``), not on every re-run
        self._tip_args = (error, grad_text, display.badges, value_text)
        self._tip_dirty = True
        tail = tuple(t for t in (grad_compact, grad_short) if t)
        self.grad_lines = ((grad_text,) if grad_text else ()) + tail
        self.grad_compact_lines = tail
        self._state = state
        self.incomplete = incomplete
        self.highlight = display.highlight
        self.badges = display.badges
        (self.id_text, self.error, self.is_loss, self.shape_label, self.value_text,
         self.value_compact, self.grad_text, self.grad_compact, self.value_pixmap,
         self.grad_pixmap, _symbol, self.error_text, self.value_short,
         self.grad_short) = state[:14]
        opacity = 0.35 if self.highlight == DIM else 1.0
        if self.opacity() != opacity:
            self.setOpacity(opacity)
        self.update()

    def _thumbnail(self, array, slot: int):
        """The heatmap of ``array`` (None for none / scalars); the same array object as last
        time keeps its pixmap without hashing its content again."""
        if array is None:
            return None
        if array is not self._thumbnails[slot][0]:
            self._thumbnails[slot] = (array, heatmap_pixmap(array, style.THUMB))
        return self._thumbnails[slot][1]

    def toolTip(self) -> str:
        """Full id, op, the error or the op's doc, value and gradient: the hover summary."""
        if self._tip_dirty:
            self._tip_dirty = False
            self.setToolTip(self._tooltip(*self._tip_args))
        return super().toolTip()

    def _tooltip(self, error, grad_text: str, badges=(), value_text: str = "") -> str:
        """Full id, op, the error or the op's doc, the value and the gradient in full (a
        readable summary when the card is small on screen), any badges."""
        tip = [f"<b>{escape(self.node_id, quote=False)}</b> — {self.op.label if self.op else '?'}"]
        if error:
            tip.append(f"<span style='color:{style.NODE_ERROR_TEXT}'>{escape(error, quote=False)}</span>")
        elif self.op is not None:
            tip.append(self.op.doc)
        if value_text.startswith("= "):
            tip.append(f"<span style='color:{style.VALUE.name()}'>"
                       f"{escape(self.node_id, quote=False)} {escape(value_text, quote=False)}"
                       "</span>")
        if grad_text:
            tip.append(f"<span style='color:{style.GRAD.name()}'>"
                       f"{escape(grad_text, quote=False)}</span>")
        for _kind, text in badges:
            tip.append(f"<span style='color:{style.NODE_INCOMPLETE.name()}'>⚠ "
                       f"{escape(text, quote=False)}</span>")
        return "<br>".join(tip)

    def set_focus_ring(self, on: bool) -> None:
        if on != self.focus_ring:
            self.focus_ring = on
            self.update()

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
            if self.focus_ring:
                self._paint_focus_ring(painter, lod)
            return
        if self.highlight == ACTIVE:   # the player's current step
            pen = QPen(style.PORT_HIGHLIGHT, 3.0)
        elif self.highlight == PATH:   # on the path the chain-rule panel points at
            pen = QPen(style.PATH, 3.0)
        elif selected:
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
        else:
            self._paint_header_text(painter)
            self._paint_symbol(painter)
            self._paint_ports(painter)
            self._paint_results(painter)
        if self.badges:
            self._paint_badges(painter, lod)
        if self.focus_ring:
            self._paint_focus_ring(painter, lod)

    def _paint_focus_ring(self, painter, lod: float) -> None:
        """The keyboard's node: a ring in the focus colour round the card, its outer edge
        FOCUS_OUTSIDE beyond it; at least 2 px on screen (thicker inwards when zoomed out)."""
        width = min(max(3.0, 2.0 / max(lod, 1e-3)), 9.0)
        gap = FOCUS_OUTSIDE - width / 2
        painter.setPen(QPen(QColor(colors.active().focus), width))
        painter.setBrush(Qt.NoBrush)
        painter.drawRoundedRect(self._rect.adjusted(-gap, -gap, gap, gap), style.CORNER + gap,
                                style.CORNER + gap)

    def _paint_badges(self, painter, lod: float) -> None:
        """Gradient-health badges: glyph discs on the top-right corner, legible when zoomed
        out (the tooltip says what each means)."""
        r = min(style.BADGE_R_MAX, max(style.BADGE_R, 6.0 / lod))
        painter.setFont(style.pixel_font(int(r * 1.6), bold=True))
        x = style.NODE_W - r - 2
        for kind, _text in self.badges:
            glyph, colour = style.BADGES.get(kind, ("!", style.NODE_INCOMPLETE))
            painter.setPen(QPen(style.BACKGROUND, 1.5))
            painter.setBrush(colour)
            painter.drawEllipse(QPointF(x, -1.0), r, r)
            painter.setPen(style.BACKGROUND)
            painter.drawText(QRectF(x - r, -1.0 - r, 2 * r, 2 * r), Qt.AlignCenter, glyph)
            x -= 2 * r + 3

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
        lines = [((self.value_compact, self.value_short),
                  style.TEXT_MUTED if self.pending else style.VALUE)]
        if self.grad_compact:
            lines.append(("grad", style.TEXT_MUTED if self.grad_pending else style.GRAD))
        elif self.error:
            lines.append(((self.error_text,), self._error_colour()))
        lines = [line for line in lines if line[0] == "grad" or line[0][0]]
        if not lines:
            return
        px = compact_value_pixels(lod)
        font = style.pixel_font(px)
        painter.setFont(font)
        metrics = painter.fontMetrics()
        line_h = px + 3
        top = style.HEADER_H + (self.height - style.HEADER_H - line_h * len(lines)) / 2
        room = int(w - 18)
        for i, (candidates, colour) in enumerate(lines):
            # "−0.0015…0.0012" cut to "−0.0015……" says less than "±0.0015"
            painter.setPen(colour)
            if candidates == "grad":
                line_font, text = self.compact_grad_line(font, room)
                painter.setFont(line_font)
            else:
                painter.setFont(font)
                text = fitting(metrics, room, *candidates)
            painter.drawText(QRectF(10, top + i * line_h, w - 18, line_h),
                             Qt.AlignLeft | Qt.AlignVCenter, text)

    def grad_line(self, metrics, width: int, compact: bool = False) -> str:
        """The gradient line in ``width``: ``∂y/∂x = 95.06`` with both ids (elided in the
        middle only when they must be); the bare ``∂ 95.1`` only when even that cannot fit."""
        if self.grad_parts is None:
            return ""
        loss, node_id, values = self.grad_parts
        text = fit_grad_line(metrics, width, loss, node_id, values[1:] if compact else values)
        if text is not None:
            return text
        return fitting(metrics, width, *self.grad_compact_lines)

    def compact_grad_line(self, font, width: int) -> tuple:
        """``(font, text)`` of a zoomed-out card's gradient line: both ids whole in a font a
        little smaller where that is enough, else as ``grad_line``."""
        if self.grad_parts is not None:
            loss, node_id, values = self.grad_parts
            line_font, text = fit_grad_line_in(font, width, loss, node_id, values[1:])
            if text is not None:
                return line_font, text
        return font, self.grad_line(QFontMetricsF(font), width, compact=True)

    def compact_header(self, lod: float) -> tuple:
        """``(font, text)`` of a zoomed-out card's header, symbol and id, in a font that stays
        legible on screen: shrunk a little, then elided in the middle for a long id."""
        head = style.pixel_font(min(18, max(11, round(11 / lod))), bold=True)
        return fit_label(head, f"{self.symbol}  {self.id_text}", style.NODE_W - 16)

    def _paint_header_text(self, painter) -> None:
        w = style.NODE_W
        painter.setFont(style.FONT_SHAPE)
        painter.setPen(style.HEADER_MUTED)
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
        if self.whole_ids:
            return shrunk_to_fit(style.FONT_ID, self.id_text, room), self.id_text + suffix
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
            painter.setPen(style.TEXT_MUTED if self.pending else style.VALUE)
            painter.drawText(QRectF(9, y, width, style.LINE_H), Qt.AlignLeft | Qt.AlignVCenter,
                             fitting(metrics, width, self.value_text, self.value_compact,
                                     self.value_short))
        if self.grad_text:
            painter.setPen(style.TEXT_MUTED if self.grad_pending else style.GRAD)
            text = self.grad_line(metrics, width)
            if self.whole_ids and self.grad_parts is not None:   # both ids whole, font shrunk
                loss, node_id, values = self.grad_parts
                text = f"∂{loss}/∂{node_id} {values[0]}"
                if metrics.horizontalAdvance(text) > width:
                    text = f"∂{loss}/∂{node_id} {values[-1]}"
                painter.setFont(shrunk_to_fit(style.FONT_VALUE, text, width))
            elif self.grad_parts is not None:    # a font a little smaller before any "…"
                line_font, whole = fit_grad_line_in(style.FONT_VALUE, width, *self.grad_parts)
                if whole is not None:
                    painter.setFont(line_font)
                    text = whole
            painter.drawText(QRectF(9, y + style.LINE_H, width, style.LINE_H),
                             Qt.AlignLeft | Qt.AlignVCenter, text)
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

