"""Every colour the app draws with, as named roles: one table per theme (Dark, Light).

This is the bottom of the GUI: no Qt, no other ``gui`` module. The widgets' style sheet and
palette (``gui.theme``), the canvas (``gui.canvas.style``), the heatmaps, the player, the
chain-rule panel and the training plots all read their colours from the active table
(``active()``) when they draw, never write their own, and follow a live switch
(``gui.theme.look``). A new theme is one more ``Colors(...)`` in ``THEMES`` with every role
filled in.

``PAIRS`` says which role is drawn on which, and how much contrast that needs (WCAG 2.1:
4.5:1 for text, 3:1 for large text, borders, focus rings and graphics; disabled controls are
exempt but kept at 2.5:1 and clearly dimmer); ``EXEMPT`` names the roles that are on no pair
and why. tests/test_theme_contrast.py computes every pair of every table, and that every role
is on a pair or exempt.

Colours are strings Qt parses: ``#rrggbb``, or ``#aarrggbb`` with alpha first (Qt's order);
``rgba_css`` turns the latter into a style sheet's ``rgba(…)``.
"""
from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Colors:
    """One theme's colours, by role."""
    name: str
    # -- widgets -----------------------------------------------------------------------------
    window: str            # window, menu bar, toolbar, dock titles, status bar
    panel: str             # dock contents, lists, scroll areas
    base: str              # text fields, tables, plots
    raised: str            # buttons, menus, tooltips, table headers
    border: str            # borders of fields and buttons, scroll handles, plot axes
    divider: str           # separators and grid lines between areas told apart otherwise
    hover: str             # a row or button under the mouse
    selected: str          # a selected row, a pressed button
    text: str
    muted: str             # secondary text: captions, dock titles, units
    disabled: str          # disabled text, borders and icons
    placeholder: str       # a field's grey hint
    accent: str            # checked boxes, the selection in a field
    link: str              # a link in text
    focus: str             # the keyboard focus ring (controls, the canvas, the focused node):
    #                        at least 3:1 against every surface it is drawn on
    on_accent: str         # text on the accent colour
    shadow: str
    error: str             # an error message
    error_background: str  # a field whose text is refused
    warning: str           # amber: a node being built, the status bar's refusals
    warning_background: str
    ok: str                # a check that passed (✓)
    value: str             # values are drawn in a cool colour everywhere …
    grad: str              # … gradients in a warm one
    emphasis: str          # the player's step caption, a highlighted port
    icon: str              # line icons
    badge_text: str        # the text on a palette badge (on a category colour)
    # -- canvas -------------------------------------------------------------------------------
    canvas: str            # the scene's background
    grid_minor: str
    grid_major: str
    node_body: str
    node_border: str
    node_selected: str
    node_error: str
    node_error_body: str
    node_incomplete: str
    node_error_text: str   # a node's error in its tooltip
    node_text: str
    node_text_muted: str
    node_header_text: str         # a node's id on its header (the category colour)
    node_header_text_muted: str   # the shape in a node's header, on the category colour
    symbol: str            # an op's big symbol in a node's body
    categories: dict       # node header per op category (the palette's badges too)
    parameter: str         # a parameter's header
    other_category: str    # an op without a category, a template
    port_fill: str
    port_empty: str
    port_ring: str
    port_highlight: str
    path: str              # a path the chain-rule panel points at
    path_glow: str
    spotlight: str         # a node a lesson points at: the ring around its card
    badge_vanishing: str
    badge_exploding: str
    badge_dead_relu: str
    badge_glyph: str       # the glyph on a gradient-health badge
    edge: str              # a wire with nothing on it (and a balanced tensor gradient)
    edge_selected: str
    edge_emphasis: str
    edge_wire: str         # the wire being dragged
    pulse_ring: str        # the ring around the player's travelling dot
    edge_label_fill: str   # behind the numbers on edges
    overlay_fill: str      # the caption and legend panels over the canvas
    overlay_border: str
    banner_text: str       # the canvas's error banner
    banner_fill: str
    search_fill: str       # Tab quick-add
    search_border: str
    search_field_border: str
    # -- numbers as colours --------------------------------------------------------------------
    negative: str          # heatmaps, edges, the chain-rule panel: below zero (darker) …
    zero: str              # … zero (the middle of the diverging map) …
    positive: str          # … above zero (brighter: the sign survives a greyscale projector)
    contribution_negative: str   # the chain-rule panel's bars of a negative contribution
    cell_text_dark: str    # a heatmap cell's number: whichever of these two contrasts more
    cell_text_light: str   # with the cell's colour
    classes: tuple         # class k of a classifier (boundary, data points), from Okabe–Ito
    # -- plots ---------------------------------------------------------------------------------
    plot_train: str
    plot_test: str
    plot_fit: str          # a regression's fitted curve
    plot_pens: tuple       # one per series (gradient norms of each parameter)
    plot_legend_fill: str

    def category(self, name: str | None) -> str:
        """The colour of an op category (``other_category`` for an unknown one)."""
        return self.categories.get(name, self.other_category)

    def op_colour(self, op) -> str:
        """A node header's colour: the op's category, parameters their own."""
        if op is None:
            return self.other_category
        if op.name == "parameter":
            return self.parameter
        return self.category(op.category)

    def class_colour(self, k: int) -> str:
        return self.classes[k % len(self.classes)]


DARK = Colors(
    name="dark",
    window="#202228", panel="#262930", base="#1a1c21", raised="#2d3139", border="#767d8b",
    divider="#393d47", hover="#353a46", selected="#283a58", text="#e3e6ec", muted="#a3aab6",
    disabled="#6a707c", placeholder="#8a919d", accent="#2f6fd6", link="#7fb0ff", focus="#cfe0ff",
    on_accent="#ffffff", shadow="#000000",
    error="#ff7b7b", error_background="#3d2327", warning="#e8b04f",
    warning_background="#3a3020", ok="#5fd38d", value="#7fd1ff", grad="#ffa657",
    emphasis="#f5c26b", icon="#c9ced8", badge_text="#ffffff",
    canvas="#1b1d23", grid_minor="#23262e", grid_major="#2c3039",
    node_body="#2a2d35", node_border="#737a88", node_selected="#f5c26b", node_error="#c2373d",
    node_error_body="#3d2327", node_incomplete="#e8b04f", node_error_text="#ff8a8a",
    node_text="#e8eaef", node_text_muted="#a9afba", node_header_text="#ffffff",
    node_header_text_muted="#e6ffffff", symbol="#f3f4f7",
    categories={"Inputs & parameters": "#2f67a8", "Arithmetic": "#2e6e47",
                "Activations": "#8f5a14", "Matrix": "#6a4bb0", "Reductions": "#1f6b6b",
                "Losses": "#a23e70"},
    parameter="#5a4bb8", other_category="#575e6b",
    port_fill="#c9ced8", port_empty="#1b1d23", port_ring="#aab1bd", port_highlight="#f5c26b",
    path="#5eead4", path_glow="#5a5eead4", spotlight="#b0f5c26b",
    badge_vanishing="#e8b04f", badge_exploding="#ff6b6b", badge_dead_relu="#b79cff",
    badge_glyph="#1b1d23",
    edge="#8c93a0", edge_selected="#f5c26b", edge_emphasis="#d9dde6", edge_wire="#f5c26b",
    pulse_ring="#dcffffff", edge_label_fill="#eb1b1d23", overlay_fill="#e4202228",
    overlay_border="#40444f", banner_text="#ffb3b3", banner_fill="#eb3d2327",
    search_fill="#262932", search_border="#767d8b", search_field_border="#767d8b",
    negative="#3b78d8", zero="#262930", positive="#ffab52", contribution_negative="#6cb6ff",
    cell_text_dark="#000000", cell_text_light="#ffffff",
    # Okabe–Ito's blue, vermillion, bluish green and yellow, lightened for a dark background
    # (each at least 3:1 on it, each a marker of its own); then the rest of the palette
    classes=("#169ff4", "#de650c", "#53fec2", "#e1d631", "#e08fc0", "#e69f00", "#8fd0f5",
             "#c0c4cc", "#f0a07a", "#a8e0b0"),
    plot_train="#7fd1ff", plot_test="#f0c674", plot_fit="#ffa657",
    plot_pens=("#56b4e9", "#e69f00", "#2fd4a0", "#f0e442", "#e08fc0", "#ff8a5c", "#b0b6c2",
               "#a58cff", "#9ee6ff", "#ffd5a0"),
    plot_legend_fill="#be1a1c21",
)

LIGHT = Colors(
    name="light",
    window="#eef0f3", panel="#f8f9fa", base="#ffffff", raised="#e6e9ee", border="#80878f",
    divider="#cdd2da", hover="#dde3ec", selected="#d6e4f8", text="#1b1f26", muted="#4f5662",
    disabled="#8a909b", placeholder="#646b77", accent="#1f62cc", link="#1f5bbd", focus="#08357f",
    on_accent="#ffffff", shadow="#9aa1ad",
    error="#b3261e", error_background="#fde8e7", warning="#7f5300",
    warning_background="#fbefd5", ok="#1c7a3e", value="#0b63a5", grad="#a04300",
    emphasis="#8a4b00", icon="#3a404b", badge_text="#ffffff",
    canvas="#e9ecf0", grid_minor="#e0e4e9", grid_major="#d3d8df",
    node_body="#ffffff", node_border="#6f7683", node_selected="#b35900", node_error="#b3261e",
    node_error_body="#fdeceb", node_incomplete="#8f5d00", node_error_text="#a8201a",
    node_text="#1b1f26", node_text_muted="#555c68", node_header_text="#ffffff",
    node_header_text_muted="#e6ffffff", symbol="#262b33",
    categories={"Inputs & parameters": "#2a62a6", "Arithmetic": "#2b6b44",
                "Activations": "#8a5410", "Matrix": "#6646ad", "Reductions": "#1d6767",
                "Losses": "#a0386c"},
    parameter="#5646b5", other_category="#5a616e",
    port_fill="#5a616e", port_empty="#ffffff", port_ring="#5a616e", port_highlight="#b35900",
    path="#0c7c70", path_glow="#500c7c70", spotlight="#e0b35900",
    badge_vanishing="#8f5d00", badge_exploding="#b3261e", badge_dead_relu="#6a48c8",
    badge_glyph="#ffffff",
    edge="#6b7280", edge_selected="#b35900", edge_emphasis="#262b33", edge_wire="#b35900",
    pulse_ring="#dc1b1f26", edge_label_fill="#ebffffff", overlay_fill="#f0ffffff",
    overlay_border="#c3c9d2", banner_text="#8c1d18", banner_fill="#f2fde8e7",
    search_fill="#ffffff", search_border="#6f7683", search_field_border="#6f7683",
    negative="#1c4f9c", zero="#f2f4f7", positive="#c46a00", contribution_negative="#1f62cc",
    cell_text_dark="#000000", cell_text_light="#ffffff",
    # Okabe–Ito's blue, vermillion, bluish green and reddish purple, darkened for a light
    # background (each at least 3:1 on it, each a marker of its own); then the rest
    classes=("#2a6799", "#de650c", "#14a479", "#71034e", "#8a7f00", "#b06d00", "#3b8fc2",
             "#5a616e", "#c2557f", "#2e7d32"),
    plot_train="#0b63a5", plot_test="#9a5b00", plot_fit="#b04a05",
    plot_pens=("#0072b2", "#b36b00", "#007a58", "#8a7f00", "#b0457f", "#c0520a", "#5a616e",
               "#6a48c8", "#2f8fc7", "#8c5a2b"),
    plot_legend_fill="#e6ffffff",
)

THEMES = {DARK.name: DARK, LIGHT.name: LIGHT}
_active = DARK

# -- what is drawn on what ---------------------------------------------------------------------
TEXT, LARGE, GRAPHIC, DISABLED = "text", "large", "graphic", "disabled"
NEEDS = {TEXT: 4.5, LARGE: 3.0, GRAPHIC: 3.0, DISABLED: 2.5}
DIMMER = 0.6     # disabled text: at most this share of the enabled text's contrast


def _pairs(kind: str, fgs: str, bgs: str) -> list[tuple[str, str, str]]:
    return [(fg, bg, kind) for fg in fgs.split() for bg in bgs.split()]


# (foreground role, background role, kind). A role holding several colours (categories,
# classes, plot_pens) stands for each of them; "a/b" is the translucent a composited over b.
PAIRS = (
    _pairs(TEXT, "text muted", "window panel base raised hover selected")
    + _pairs(TEXT, "text", "error_background warning_background")
    + _pairs(TEXT, "placeholder", "base")
    + _pairs(TEXT, "on_accent", "accent")
    + _pairs(TEXT, "link", "window panel base raised")
    + _pairs(TEXT, "error", "window panel base error_background")
    + _pairs(TEXT, "warning", "window panel warning_background")
    + _pairs(TEXT, "ok", "panel base")
    + _pairs(TEXT, "value grad", "panel base raised selected node_body")
    + _pairs(TEXT, "emphasis", "panel base")
    + _pairs(TEXT, "badge_text node_header_text node_header_text_muted",
             "categories parameter other_category")
    + _pairs(TEXT, "node_header_text node_header_text_muted", "node_error")
    + _pairs(TEXT, "node_text", "node_body node_error_body search_fill edge_label_fill/canvas")
    + _pairs(TEXT, "node_text_muted", "node_body edge_label_fill/canvas")
    + _pairs(TEXT, "node_text node_text_muted port_highlight", "overlay_fill/canvas")
    + _pairs(TEXT, "node_error_text", "raised")
    + _pairs(TEXT, "banner_text", "banner_fill/canvas")
    + _pairs(TEXT, "muted", "plot_legend_fill/base")
    + _pairs(LARGE, "symbol", "node_body")
    + _pairs(GRAPHIC, "border", "window panel base")
    + _pairs(GRAPHIC, "focus", "window panel base raised hover selected canvas node_body "
                      "border")                   # a ring in place of a border: 3:1 to it too
    + _pairs(GRAPHIC, "accent", "base")                          # a checked box
    + _pairs(GRAPHIC, "icon", "window raised")
    + _pairs(GRAPHIC, "node_border node_selected node_error node_incomplete path spotlight "
                      "port_highlight edge edge_selected edge_emphasis edge_wire value grad "
                      "negative positive badge_vanishing badge_exploding badge_dead_relu "
                      "search_border", "canvas")
    + _pairs(GRAPHIC, "badge_glyph", "badge_vanishing badge_exploding badge_dead_relu")
    + _pairs(GRAPHIC, "port_ring port_fill", "node_body")
    + _pairs(GRAPHIC, "search_field_border", "search_fill")
    + _pairs(GRAPHIC, "grad contribution_negative", "raised")   # the chain-rule panel's bars
    + _pairs(GRAPHIC, "classes plot_train plot_test plot_fit plot_pens", "base")
    + _pairs(DISABLED, "disabled", "window panel base raised")
)
# on no pair, and why
EXEMPT = {
    "shadow": "the 3-D edge Qt's style draws under raised controls, never a boundary alone",
    "divider": "separates areas already told apart by their backgrounds and contents",
    "grid_minor": "the canvas's grid is a guide for placing nodes, not content",
    "grid_major": "the canvas's grid is a guide for placing nodes, not content",
    "path_glow": "a halo under the path's own line (path, checked)",
    "pulse_ring": "a ring around the player's dot (value and grad, checked)",
    "overlay_border": "the caption and legend panels are told by their text (checked)",
    "zero": "the middle of the diverging map: a cell of zero (cell text checked on it)",
    "port_empty": "the inside of an empty port, whose ring is checked",
    "cell_text_dark": "checked against every colour of the heatmap map (the better of the two)",
    "cell_text_light": "checked against every colour of the heatmap map (the better of the two)",
}


def active() -> Colors:
    """The table in use."""
    return _active


def set_active(name: str) -> Colors:
    """Make the table ``name`` the one in use (``gui.theme.look`` applies it everywhere)."""
    global _active
    _active = THEMES[name]
    return _active


def role_names() -> list[str]:
    """Every role a table fills in (the contrast checks of a new theme walk these)."""
    return [f.name for f in fields(Colors) if f.name != "name"]


def colours_of(table: Colors, role: str) -> list[str]:
    """The colours of ``role`` in ``table``: one, or each of a dict's or tuple's; ``a/b`` is
    ``a`` over ``b`` (kept as the pair of colours)."""
    value = getattr(table, role)
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, tuple):
        return list(value)
    return [value]


def rgb(colour: str) -> tuple[int, int, int]:
    """``#rrggbb`` or ``#aarrggbb`` → (r, g, b), 0–255."""
    digits = colour.lstrip("#")
    return tuple(int(digits[i:i + 2], 16) for i in range(len(digits) - 6, len(digits), 2))


def alpha(colour: str) -> int:
    """The alpha of ``#aarrggbb`` (255 for ``#rrggbb``)."""
    digits = colour.lstrip("#")
    return int(digits[:2], 16) if len(digits) == 8 else 255


def rgba_css(colour: str) -> str:
    """A colour for a style sheet: ``#rrggbb`` as it is, ``#aarrggbb`` as ``rgba(r, g, b, a)``."""
    if len(colour.lstrip("#")) != 8:
        return colour
    r, g, b = rgb(colour)
    return f"rgba({r}, {g}, {b}, {alpha(colour)})"
