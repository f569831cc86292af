"""Help beside the canvas: the chain rule on a graph, the player, predict mode, lessons and
the keys — in a dock, so the graph it talks about stays usable while reading (Help ▸ The Chain
Rule, F1).

``install_help(window)`` adds the Help dock (built when first shown) to the left of the canvas,
tabbed with the palette; ``show_help(window)`` brings it forward.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QTextBrowser

from gui import theme
from gui.actions import LazyDock, declare_needs

CHAIN_RULE_TEXT = f"""<h3>The chain rule, on a graph</h3>
<p>Every node computes a value from its inputs: the <b>forward</b> pass runs left to right and
ends at the loss <i>L</i>. The <b>backward</b> pass asks how <i>L</i> changes when each earlier
node changes: the gradient <span style="color:{theme.GRAD}">∂L/∂node</span>. Values are shown in
<span style="color:{theme.VALUE}">blue</span>, gradients in
<span style="color:{theme.GRAD}">orange</span>.</p>

<h4>One path: multiply the local derivatives</h4>
<p>When <i>y</i> depends on <i>x</i> through <i>u</i>:</p>
<p style="margin-left:24px; font-size:12pt"><nobr><code>dy/dx = dy/du · du/dx</code></nobr></p>
<p><i>File → Examples → Chain rule</i>: y = u³ with u = x² + 1, at x = 1.5.
Then u = 3.25, dy/du = 3u² = 31.6875 and du/dx = 2x = 3, so
dy/dx = 31.6875 · 3 = <b>95.0625</b>. Select <i>x</i>: the inspector shows that number.</p>

<h4>Several paths: add them up</h4>
<p>When <i>t</i> reaches <i>z</i> along several paths, each path contributes its product and
the contributions add:</p>
<p style="margin-left:24px; font-size:12pt"><nobr><code>dz/dt = ∂z/∂x · dx/dt + ∂z/∂y · dy/dt</code></nobr></p>
<p><i>File → Examples → Two paths</i>: z = x · y with x = t² and y = eᵗ, at t = 0.5.
dz/dt = y · 2t + x · eᵗ = 1.6487 · 1 + 0.25 · 1.6487 = <b>2.0609</b>.</p>

<h4>What each node does</h4>
<p>A node that knows its upstream gradient ∂L/∂z passes to each input the local derivative
times it: <code>∂L/∂x = ∂z/∂x · ∂L/∂z</code>. Where a node feeds several others, what flows
back along each wire is added. Hover a wire on the canvas to see its step, or press
<b>Play</b> to watch the whole pass, one step at a time.</p>

<h4>The player</h4>
<p><b>K</b> or a tap of <b>Space</b> play / pause · <b>Home</b> <b>End</b> the first / last
step · <b>→</b> <b>←</b> one step while the player runs (in the live view the arrows move
between nodes) · <b>Esc</b> back to the live view. Each step shows on the canvas and on the
step card under it.</p>

<h4>Predict mode: commit to a number first</h4>
<p>Press <b>P</b> (or Predict on the player's strip). Each step then hides the number it would
show — a value going forward, what flows down an edge going back, the sum where paths meet, a
parameter's new value at the update — as <b>?</b>, everywhere. Type your prediction on the step
card and press <b>Enter</b>; you may type the arithmetic (<code>31.6875 × 3</code>). It is
right within a thousandth of the largest number involved (the answer or the card's), so the
card's six digits multiplied out are right. A wrong one gets the answer and, where one fits, the
mistake it looks like: the upstream gradient alone, the local derivative alone, one path
where several meet, the sign flipped, a derivative taken at the output, a step along the
gradient.</p>
<p><b>Alt+R</b> reveals the number, <b>Alt+S</b> (or <b>→</b>) skips to the next step;
<b>Enter</b> after a verdict goes on. The card keeps the session's tally: right, wrong,
skipped.</p>

<h4>Lessons</h4>
<p><i>Help → Lessons</i>: seven short walks, from the derivative as a slope to vanishing
gradients, that drive the app for you. Right-click a node ▸ <i>Change to…</i> turns it into
another op with as many inputs (tanh → ReLU, add → mul), keeping its wires: one undo step.</p>

<p><b>Keys:</b> F fit · Tab quick add · Del delete · Ctrl+D duplicate · Ctrl+Z undo ·
Space+drag pan · wheel zoom · double-click a header: rename · drag a scalar's value: scrub it
and watch every gradient follow.</p>
<p><b>Without a mouse:</b> the arrow keys move between nodes (Shift adds to the selection) ·
Alt+arrows move the selected nodes (Alt+Shift: by 1 px) · Enter edits the node's value in the
inspector, Esc comes back · F2 renames it · Ctrl+E connects two nodes · the Menu key or
Shift+F10 opens the node's menu · Tab on the canvas adds a node, Shift+Tab or F6 leaves the
canvas · F6 / Shift+F6 go round the panels. One-letter keys (F, K, N, P) work while the canvas
has the focus.</p>"""
HELP_WIDTH = 360
HELP_MIN = 220


def install_help(window) -> LazyDock:
    """The Help dock on the left, tabbed with the palette, hidden until asked for."""
    dock = LazyDock("Help", window, _browser, "help_dock")
    dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                     | QDockWidget.DockWidgetFeature.DockWidgetClosable
                     | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
    dock.hide()            # tabbed with the palette when first shown (beside_palette)
    declare_needs(dock, (HELP_MIN, 200), HELP_WIDTH, collapse_order=15)
    window.help_dock = dock
    return dock


def _browser() -> QTextBrowser:
    browser = QTextBrowser()
    browser.setObjectName("help_text")
    browser.setAccessibleName("Help: the chain rule, the player and the keys")
    browser.setOpenExternalLinks(False)
    browser.setHtml(CHAIN_RULE_TEXT)
    return browser


def beside_palette(window, dock) -> None:
    """Show ``dock`` in a tab beside the palette (where it was put when hidden), unless the
    user moved it elsewhere."""
    palette = window.palette_dock
    if dock.isHidden() and not dock.isFloating() and not palette.isHidden() \
            and window.dockWidgetArea(palette) == window.dockWidgetArea(dock) \
            and dock not in window.tabifiedDockWidgets(palette):
        window.tabifyDockWidget(palette, dock)
    dock.show()


def show_help(window) -> None:
    """Bring the Help dock forward (the canvas stays usable beside it)."""
    dock = window.help_dock
    beside_palette(window, dock)
    dock.raise_()
    if dock.width() < HELP_WIDTH:
        window.resizeDocks([dock], [HELP_WIDTH], Qt.Orientation.Horizontal)
