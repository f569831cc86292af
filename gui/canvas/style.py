"""Fonts, sizes and the colours of the canvas (read from the colour table, gui/theme/colors.py).

The colours are the active theme's, re-read on every switch (``gui.theme.look``): read them as
``style.NAME`` when drawing, never copy them at import. Sizes are in scene units; the text size
reaches the canvas as its zoom (Actual Size returns to it)."""
from __future__ import annotations

from functools import lru_cache

from PySide6.QtGui import QColor, QFont

from gui.theme import colors, look

GRID_STEP = 20

NODE_W = 148.0                 # the seed examples space columns 170 apart, rows 110
HEADER_H = 22.0
PORT_TOP = HEADER_H + 15.0     # y of the first port
PORT_GAP = 20.0
PORT_R = 5.0
LINE_H = 14.0
BODY_MIN = HEADER_H + 34.0     # the symbol/thumbnail band ends here at the least
THUMB = 28                     # tensor heatmap edge, in scene pixels
CARD_GAP = 16.0                # the least room a new card keeps from the others
CORNER = 6.0
COMPACT_BELOW = 0.8            # zoom under which nodes switch to big-font summary cards
READABLE_PX = 12               # on-screen pixels of a zoomed-out card's numbers (9 pt at 96 dpi)
BADGE_R = 7.5                  # at 1:1; up to BADGE_R_MAX when zoomed out
BADGE_R_MAX = 13.0
EDGE_WIDTH = 2.2

_C = colors.active()
BACKGROUND = GRID_MINOR = GRID_MAJOR = NODE_BODY = NODE_BORDER = NODE_SELECTED = QColor()
NODE_ERROR = NODE_ERROR_BODY = NODE_INCOMPLETE = TEXT = TEXT_MUTED = HEADER_TEXT = QColor()
HEADER_MUTED = SYMBOL = VALUE = GRAD = PARAMETER_COLOR = DEFAULT_CATEGORY = QColor()
PORT_FILL = PORT_EMPTY = PORT_RING = PORT_HIGHLIGHT = PATH = PATH_GLOW = FOCUS = QColor()
SPOTLIGHT = QColor()
EDGE = EDGE_SELECTED = EDGE_EMPHASIS = EDGE_WIRE = PULSE_RING = LABEL_FILL = QColor()
OVERLAY_FILL = OVERLAY_BORDER = NEGATIVE = POSITIVE = BADGE_GLYPH = QColor()
NODE_ERROR_TEXT = ""
CATEGORY_COLORS: dict = {}
BADGES: dict = {}


@look.on_change
def _reload() -> None:
    """The active table's colours as QColors (every switch of theme; readers read
    ``style.NAME`` when they draw)."""
    global _C, BACKGROUND, GRID_MINOR, GRID_MAJOR, NODE_BODY, NODE_BORDER, NODE_SELECTED
    global NODE_ERROR, NODE_ERROR_BODY, NODE_INCOMPLETE, TEXT, TEXT_MUTED, HEADER_TEXT
    global HEADER_MUTED, SYMBOL, VALUE, GRAD, PARAMETER_COLOR, DEFAULT_CATEGORY
    global PORT_FILL, PORT_EMPTY, PORT_RING, PORT_HIGHLIGHT, PATH, PATH_GLOW, FOCUS, SPOTLIGHT
    global EDGE, EDGE_SELECTED, EDGE_EMPHASIS, EDGE_WIRE, PULSE_RING, LABEL_FILL
    global OVERLAY_FILL, OVERLAY_BORDER, NEGATIVE, POSITIVE, BADGE_GLYPH
    global NODE_ERROR_TEXT, CATEGORY_COLORS, BADGES
    c = _C = colors.active()
    BACKGROUND, GRID_MINOR, GRID_MAJOR = QColor(c.canvas), QColor(c.grid_minor), QColor(c.grid_major)
    NODE_BODY, NODE_BORDER = QColor(c.node_body), QColor(c.node_border)
    NODE_SELECTED, NODE_ERROR = QColor(c.node_selected), QColor(c.node_error)
    NODE_ERROR_BODY, NODE_INCOMPLETE = QColor(c.node_error_body), QColor(c.node_incomplete)
    NODE_ERROR_TEXT = c.node_error_text        # in a tooltip's rich text
    TEXT, TEXT_MUTED = QColor(c.node_text), QColor(c.node_text_muted)
    HEADER_TEXT, HEADER_MUTED = QColor(c.node_header_text), QColor(c.node_header_text_muted)
    SYMBOL, VALUE, GRAD = QColor(c.symbol), QColor(c.value), QColor(c.grad)
    CATEGORY_COLORS = {name: QColor(colour) for name, colour in c.categories.items()}
    PARAMETER_COLOR, DEFAULT_CATEGORY = QColor(c.parameter), QColor(c.other_category)
    PORT_FILL, PORT_EMPTY = QColor(c.port_fill), QColor(c.port_empty)
    PORT_RING, PORT_HIGHLIGHT = QColor(c.port_ring), QColor(c.port_highlight)
    PATH, PATH_GLOW, FOCUS = QColor(c.path), QColor(c.path_glow), QColor(c.focus)
    SPOTLIGHT = QColor(c.spotlight)            # a node a lesson points at
    # gradient-health badges on a node's corner: kind -> (glyph, colour)
    BADGES = {"vanishing": ("↓", QColor(c.badge_vanishing)),
              "exploding": ("↑", QColor(c.badge_exploding)),
              "dead_relu": ("✕", QColor(c.badge_dead_relu))}
    BADGE_GLYPH = QColor(c.badge_glyph)
    EDGE, EDGE_SELECTED = QColor(c.edge), QColor(c.edge_selected)
    EDGE_EMPHASIS, EDGE_WIRE = QColor(c.edge_emphasis), QColor(c.edge_wire)
    PULSE_RING, LABEL_FILL = QColor(c.pulse_ring), QColor(c.edge_label_fill)
    OVERLAY_FILL, OVERLAY_BORDER = QColor(c.overlay_fill), QColor(c.overlay_border)
    NEGATIVE = QColor(c.negative)    # the sign of what flowed back (the heatmaps' colours)
    POSITIVE = QColor(c.positive)


_reload()


def font(size: float, bold: bool = False, family: str = "") -> QFont:
    f = QFont(family) if family else QFont()
    f.setPointSizeF(size)
    f.setBold(bold)
    f.setHintingPreference(QFont.PreferNoHinting)
    return f


@lru_cache(maxsize=64)
def pixel_font(pixels: int, bold: bool = False) -> QFont:
    """A font ``pixels`` scene units tall (cached: paint never builds fonts)."""
    f = QFont()
    f.setPixelSize(int(pixels))
    f.setBold(bold)
    return f


FONT_ID = font(8.5, bold=True)
FONT_SHAPE = font(7.0)
FONT_SYMBOL = font(15.0, bold=True)
FONT_PORT = font(6.5)
FONT_VALUE = font(8.5)  # the numbers a user came for: legible at 100 %


def category_color(op) -> QColor:
    return QColor(_C.op_colour(op))


def card_band_bottom(arity: int) -> float:
    """Where a card's symbol and ports band ends (its value and gradient lines below)."""
    return max(BODY_MIN, PORT_TOP + (max(arity, 1) - 1) * PORT_GAP + 10)


def card_height(arity: int) -> float:
    """The height of the card of a node with ``arity`` inputs (NodeItem.height)."""
    return card_band_bottom(arity) + 2 * LINE_H + 5
