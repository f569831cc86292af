"""Colours, fonts and sizes of the canvas (one dark theme, in one place)."""
from __future__ import annotations

from functools import lru_cache

from PySide6.QtGui import QColor, QFont

BACKGROUND = QColor("#1b1d23")
GRID_MINOR = QColor("#23262e")
GRID_MAJOR = QColor("#2c3039")
GRID_STEP = 20

NODE_W = 148.0                 # the seed examples space columns 170 apart, rows 110
HEADER_H = 22.0
PORT_TOP = HEADER_H + 15.0     # y of the first port
PORT_GAP = 20.0
PORT_R = 5.0
LINE_H = 14.0
BODY_MIN = HEADER_H + 34.0     # the symbol/thumbnail band ends here at the least
THUMB = 28                     # tensor heatmap edge, in scene pixels
CORNER = 6.0
COMPACT_BELOW = 0.8            # zoom under which nodes switch to big-font summary cards
READABLE_PX = 12               # on-screen pixels of a zoomed-out card's numbers (9 pt at 96 dpi)

NODE_BODY = QColor("#2a2d35")
NODE_BORDER = QColor("#40444f")
NODE_SELECTED = QColor("#f5c26b")
NODE_ERROR = QColor("#ff5c5c")
NODE_ERROR_BODY = QColor("#3d2327")
NODE_INCOMPLETE = QColor("#e0a84a")
TEXT = QColor("#e8eaef")
TEXT_MUTED = QColor("#9aa1ad")
SYMBOL = QColor("#f3f4f7")
VALUE = QColor("#7fd1ff")
GRAD = QColor("#ffa657")

CATEGORY_COLORS = {
    "Inputs & parameters": QColor("#3f7cc4"),
    "Arithmetic": QColor("#4c9a68"),
    "Activations": QColor("#c7852f"),
    "Matrix": QColor("#8a67c9"),
    "Reductions": QColor("#2f9c9c"),
    "Losses": QColor("#c2558a"),
}
PARAMETER_COLOR = QColor("#6a5acd")
DEFAULT_CATEGORY = QColor("#6b7280")

PORT_FILL = QColor("#c9ced8")
PORT_EMPTY = QColor("#1b1d23")
PORT_RING = QColor("#aab1bd")
PORT_HIGHLIGHT = QColor("#f5c26b")

PATH = QColor("#5eead4")          # a path the chain-rule panel points at
PATH_GLOW = QColor(94, 234, 212, 90)
# gradient-health badges on a node's corner: kind -> (glyph, colour)
BADGES = {"vanishing": ("↓", QColor("#e0a84a")), "exploding": ("↑", QColor("#ff5c5c")),
          "dead_relu": ("✕", QColor("#a78bfa"))}
BADGE_R = 7.5                  # at 1:1; up to BADGE_R_MAX when zoomed out
BADGE_R_MAX = 13.0

EDGE = QColor("#8c93a0")
EDGE_SELECTED = QColor("#f5c26b")
EDGE_EMPHASIS = QColor("#d9dde6")
EDGE_WIRE = QColor("#f5c26b")
EDGE_WIDTH = 2.2


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
    if op is None:
        return DEFAULT_CATEGORY
    if op.name == "parameter":
        return PARAMETER_COLOR
    return CATEGORY_COLORS.get(op.category, DEFAULT_CATEGORY)
