"""Fonts, sizes and the colours of the canvas (read from the colour table, gui/theme/colors.py)."""
from __future__ import annotations

from functools import lru_cache

from PySide6.QtGui import QColor, QFont

from gui.theme import colors

_C = colors.active()        # the colour table: the canvas's colours are read from it
BACKGROUND = QColor(_C.canvas)
GRID_MINOR = QColor(_C.grid_minor)
GRID_MAJOR = QColor(_C.grid_major)
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

NODE_BODY = QColor(_C.node_body)
NODE_BORDER = QColor(_C.node_border)
NODE_SELECTED = QColor(_C.node_selected)
NODE_ERROR = QColor(_C.node_error)
NODE_ERROR_BODY = QColor(_C.node_error_body)
NODE_INCOMPLETE = QColor(_C.node_incomplete)
NODE_ERROR_TEXT = _C.node_error_text     # in a tooltip's rich text
TEXT = QColor(_C.node_text)
TEXT_MUTED = QColor(_C.node_text_muted)
HEADER_MUTED = QColor(_C.node_header_text_muted)
SYMBOL = QColor(_C.symbol)
VALUE = QColor(_C.value)
GRAD = QColor(_C.grad)

CATEGORY_COLORS = {name: QColor(colour) for name, colour in _C.categories.items()}
PARAMETER_COLOR = QColor(_C.parameter)
DEFAULT_CATEGORY = QColor(_C.other_category)

PORT_FILL = QColor(_C.port_fill)
PORT_EMPTY = QColor(_C.port_empty)
PORT_RING = QColor(_C.port_ring)
PORT_HIGHLIGHT = QColor(_C.port_highlight)

PATH = QColor(_C.path)            # a path the chain-rule panel points at
PATH_GLOW = QColor(_C.path_glow)
SPOTLIGHT = QColor(_C.spotlight)   # a node a lesson points at
# gradient-health badges on a node's corner: kind -> (glyph, colour)
BADGES = {"vanishing": ("↓", QColor(_C.badge_vanishing)),
          "exploding": ("↑", QColor(_C.badge_exploding)),
          "dead_relu": ("✕", QColor(_C.badge_dead_relu))}
BADGE_R = 7.5                  # at 1:1; up to BADGE_R_MAX when zoomed out
BADGE_R_MAX = 13.0

EDGE = QColor(_C.edge)
EDGE_SELECTED = QColor(_C.edge_selected)
EDGE_EMPHASIS = QColor(_C.edge_emphasis)
EDGE_WIRE = QColor(_C.edge_wire)
EDGE_WIDTH = 2.2
PULSE_RING = QColor(_C.pulse_ring)
LABEL_FILL = QColor(_C.edge_label_fill)
OVERLAY_FILL = QColor(_C.overlay_fill)
OVERLAY_BORDER = QColor(_C.overlay_border)
NEGATIVE = QColor(_C.negative)    # the sign of what flowed back (the heatmaps' colours)
POSITIVE = QColor(_C.positive)


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
