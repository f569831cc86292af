"""Every colour the app draws with, as named roles: one table per theme.

This is the bottom of the GUI: no Qt, no other ``gui`` module. The widgets' style sheet and
palette (``gui.theme``), the canvas (``gui.canvas.style``), the heatmaps, the player, the
chain-rule panel and the training plots all read their colours from the active table
(``active()``), never write their own. A new theme is one more ``Colors(...)`` in ``THEMES``
with every role filled in.

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
    base: str              # text fields, tables
    raised: str            # buttons, menus, tooltips, table headers
    border: str            # borders of fields and buttons, separators, scroll handles
    hover: str             # a row or button under the mouse
    selected: str          # a selected row, a pressed button
    text: str
    muted: str             # secondary text: captions, dock titles, units
    disabled: str          # disabled text and icons
    placeholder: str       # a field's grey hint
    accent: str            # checked boxes, links, the selection in a field
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
    negative: str          # heatmaps, edges, the chain-rule panel: below zero …
    zero: str              # … zero (the middle of the diverging map) …
    positive: str          # … above zero
    contribution_negative: str   # the chain-rule panel's bars of a negative contribution
    strong_cell_text: str  # a heatmap cell's number on a strong colour
    classes: tuple         # class k of a classifier (boundary, data points), after − and +
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
    window="#202228", panel="#262930", base="#1a1c21", raised="#2d3139", border="#393d47",
    hover="#323743", selected="#2f4366", text="#e3e6ec", muted="#9aa1ad", disabled="#5b616d",
    placeholder="#6b7280", accent="#4f8fea", focus="#6ea8ff", on_accent="#ffffff", shadow="#000000",
    error="#ff6b6b", error_background="#3d2327", warning="#e0a84a",
    warning_background="#3a3020", ok="#5fd38d", value="#7fd1ff", grad="#ffa657",
    emphasis="#f5c26b", icon="#c9ced8", badge_text="#ffffff",
    canvas="#1b1d23", grid_minor="#23262e", grid_major="#2c3039",
    node_body="#2a2d35", node_border="#40444f", node_selected="#f5c26b", node_error="#ff5c5c",
    node_error_body="#3d2327", node_incomplete="#e0a84a", node_error_text="#ff7070",
    node_text="#e8eaef",
    node_text_muted="#9aa1ad", node_header_text_muted="#c8ffffff", symbol="#f3f4f7",
    categories={"Inputs & parameters": "#3f7cc4", "Arithmetic": "#4c9a68",
                "Activations": "#c7852f", "Matrix": "#8a67c9", "Reductions": "#2f9c9c",
                "Losses": "#c2558a"},
    parameter="#6a5acd", other_category="#6b7280",
    port_fill="#c9ced8", port_empty="#1b1d23", port_ring="#aab1bd", port_highlight="#f5c26b",
    path="#5eead4", path_glow="#5a5eead4", spotlight="#b0f5c26b",
    badge_vanishing="#e0a84a", badge_exploding="#ff5c5c", badge_dead_relu="#a78bfa",
    edge="#8c93a0", edge_selected="#f5c26b", edge_emphasis="#d9dde6", edge_wire="#f5c26b",
    pulse_ring="#dcffffff", edge_label_fill="#eb1b1d23", overlay_fill="#e4202228",
    overlay_border="#40444f", banner_text="#ffb3b3", banner_fill="#eb3d2327",
    search_fill="#262932", search_border="#4a4f5c", search_field_border="#3d414c",
    negative="#468cff", zero="#262930", positive="#ff9632", contribution_negative="#6cb6ff",
    strong_cell_text="#15171b",
    classes=("#468cff", "#ff9632", "#5ac878", "#be82f5", "#ff6973", "#e6d250", "#3cc8c8",
             "#f078be", "#aaaaaa", "#8c6e46"),
    plot_train="#7fd1ff", plot_test="#f0c674", plot_fit="#ffa657",
    plot_pens=("#7fd1ff", "#ffa657", "#7ee787", "#d2a8ff", "#ff7b72", "#f0c674", "#56d4dd",
               "#f778ba", "#a5d6ff", "#ffdf5d"),
    plot_legend_fill="#be1a1c21",
)

THEMES = {DARK.name: DARK}
_active = DARK


def active() -> Colors:
    """The table in use (only Dark for now)."""
    return _active


def role_names() -> list[str]:
    """Every role a table fills in (the contrast checks of a new theme walk these)."""
    return [f.name for f in fields(Colors) if f.name != "name"]


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
