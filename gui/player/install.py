"""The player in the main window: one call from the window's dock set-up, one from its menus.

``install_player(window)`` creates the player's QActions (K play/pause, → / ← step, Home / End,
and Space tapped on the canvas) and the Player dock under the canvas — the strip of controls
above the step card — shown while a replay runs. The PlayerController over the window's
canvas, the strip and the card are built the first time the player is used
(``window.player``): a window that never replays never imports them.
``add_player_controls(window, toolbar)`` adds ▶ Play to the main toolbar, View ▸ Player and
File ▸ Export animation…. The keys act where the player lives — the canvas, the strip, the
card — so arrow keys keep working in the palette, the inspector and text fields; K, a character
key, acts on the canvas only. In the live view the canvas keeps ← and → for moving between
nodes (gui/canvas/keyboard.py): Home, End, K, a tap of Space and ▶ Play enter the player.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QDockWidget, QVBoxLayout, QWidget

from gui.accessibility import announce, first_sentence
from gui.actions import LazyDock, declare_needs, insert_tool_action, menu_named, single_key
from gui.theme.icons import player_icon

PANEL_HEIGHT = 360      # the Player dock when it opens: strip, card and a row of heatmaps …
SCALAR_PANEL_HEIGHT = 250   # … or, when every value is a number, strip and card only
PREDICT_PANEL_HEIGHT = 380  # predict mode: the question and the verdict above the card
CARD_MIN = (300, 120)   # the step card, at its smallest (the window's policy keeps it)
STRIP_HEIGHT = 40       # the strip's height before it is built
_ACTIONS = (  # name, text, key, tip, icon
    ("play", "Play", "K", "Play / pause the passes (K, or tap Space on the canvas)", "play"),
    ("forward", "Step Forward", "Right", "Next step (→)", "step_forward"),
    ("back", "Step Back", "Left", "Previous step (←)", "step_back"),
    ("first", "First Step", "Home", "First step (Home)", "first"),
    ("last", "Last Step", "End", "Last step (End)", "last"),
    ("live", "Live View", None, "Leave the player: back to the live results (Esc)", "live"),
    ("predict", "Predict", "P", "Predict mode: each step's number stays hidden until you "
     "predict it (P)", "predict"),
)


def install_player(window) -> LazyDock:
    """The player's actions (with their keys, on the canvas) and the Player dock under the
    canvas, hidden until a replay starts. The controller, the strip and the step card are
    built the first time the player is used (``window.player``) or its dock shown."""
    canvas = window.canvas
    slots = {"play": "toggle", "forward": "step_forward", "back": "step_back",
             "first": "first", "last": "last", "live": "leave"}
    actions = {}
    for name, text, key, tip, icon in _ACTIONS:
        action = QAction(player_icon(icon), text, window)
        action.setObjectName(f"player_{name}")
        if key:
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.setToolTip(tip)
        if name == "predict":
            action.setCheckable(True)
            action.triggered.connect(lambda checked: window.player.predict.set_enabled(checked))
        else:
            action.triggered.connect(
                lambda checked=False, slot=slots[name]: getattr(window.player, slot)())
        actions[name] = action
    actions["live"].setEnabled(False)
    canvas.space_tapped.connect(lambda: window.player.toggle())
    canvas.escaped.connect(lambda: window.leave_player())     # Esc: back to the live view
    dock = LazyDock("Player", window, lambda: _build(window, actions, dock), "player_dock")
    dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                     | QDockWidget.DockWidgetFeature.DockWidgetClosable)
    # the bottom area lies under the canvas only: the palette and inspector keep their height
    window.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
    window.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    neighbour = getattr(window, "chain_rule_dock", None)
    if neighbour is not None:        # one bottom panel at a time: tabs, the player on top
        window.tabifyDockWidget(neighbour, dock)
    dock.hide()
    declare_needs(dock, lambda: _minimum(dock), lambda: _panel_height(window.player)
                  if dock.is_built else PANEL_HEIGHT)
    canvas.addActions([a for a in actions.values() if a.shortcut()])
    window.player_actions, window.player_dock = actions, dock
    return dock


def _build(window, actions, dock) -> QWidget:
    """Controller, strip and step card (``panel.player``, ``.strip``, ``.card``), wired."""
    from gui.player.controller import PlayerController
    from gui.player.explain import explain
    from gui.player.predict import PredictMode
    from gui.player.predict_card import masked
    from gui.player.step_card import StepCard
    from gui.player.strip import PlayerStrip

    player = PlayerController(window.model, window.canvas.graph_scene, window)
    player.actions = actions
    predict = player.predict = PredictMode(player, window.model)
    player.set_record_filter(predict.mask)       # what predict mode hides, no view shows
    card = StepCard()
    strip = PlayerStrip(player, actions)
    panel = QWidget()
    column = QVBoxLayout(panel)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(0)
    column.addWidget(strip)
    column.addWidget(card, 1)
    # the arrows, Home and End step from the strip and the card too; K only on the canvas
    panel.addActions([a for a in actions.values() if a.shortcut() and not single_key(a)])
    panel.player, panel.strip, panel.card, panel.predict = player, strip, card, predict

    def on_step(k: int) -> None:
        explanation = explain(player.timeline, k)
        question = predict.question(k)
        if predict.hidden(k):
            explanation = masked(explanation, question, player.timeline,
                                 player.timeline.step_info(k))
        card.show_explanation(explanation)
        card.predict_box.show_question(question, predict.outcome(k), predict.tally)

    def on_predict() -> None:
        actions["predict"].setChecked(predict.enabled)
        height = _panel_height(player)        # the window's policy caps it (canvas first)
        if predict.enabled and dock.isVisible() and dock.height() < height:
            window.resizeDocks([dock], [height], Qt.Orientation.Vertical)
        if player.active:
            on_step(player.current)
        else:
            card.predict_box.show_question(None)

    def on_answer_typed(text: str) -> None:
        from gui.player.predict import NotANumber
        if predict.outcome() is not None:      # answered: Enter goes on (a lesson's step,
            if predict.go_on is None or not predict.go_on():     # else the player's)
                player.step_forward()
            return
        try:
            predict.submit(text)
        except NotANumber as why:
            card.predict_box.say(str(why))

    predict.changed.connect(on_predict)
    box = card.predict_box
    box.submitted.connect(on_answer_typed)
    box.reveal_requested.connect(predict.reveal)
    box.skip_requested.connect(predict.skip)

    def on_active(active: bool) -> None:
        if active:      # the window's policy gives it its height (and brings back the
            if dock.isHidden():     # tab that was in front when it is hidden again)
                dock.show()
            dock.raise_()
        else:
            card.show_hint()
            dock.hide()

    player.step_changed.connect(on_step)
    player.step_changed.connect(lambda _k: announce_step(card, window))    # once, when drawn
    player.active_changed.connect(on_active)
    player.message.connect(window.show_warning)
    return panel


def announce_step(card, window) -> None:
    """The step the card shows, for a screen reader: its caption and the card's first
    sentence ("step 6/9 · backward. y → u: ∂y/∂u += …")."""
    caption = card.caption.text()
    sentence = first_sentence(card.title.text())
    announce(f"{caption}. {sentence}" if sentence else caption, window.canvas)


def _minimum(dock) -> tuple[int, int]:
    """Strip and step card at their smallest."""
    strip = dock.widget().strip.sizeHint().height() if dock.is_built else STRIP_HEIGHT
    return CARD_MIN[0], strip + CARD_MIN[1]


def _panel_height(player) -> int:
    """Room for heatmaps only when the graph has tensors, and for the question in predict
    mode: the canvas keeps the rest (the window's policy keeps it at least half)."""
    if player.predict is not None and player.predict.enabled:
        return PREDICT_PANEL_HEIGHT
    timeline = player.timeline
    values = timeline.trace.values.values() if timeline is not None else ()
    return PANEL_HEIGHT if any(v.size > 1 for v in values) else SCALAR_PANEL_HEIGHT


def add_player_controls(window, toolbar) -> None:
    """▶ Play on the main toolbar, View ▸ Player and File ▸ Export animation… (called while
    the window builds its toolbar, after its menus)."""
    # ▶ Play beside the view buttons, before the Run / Step slot of training
    insert_tool_action(toolbar, window.player_actions["play"],
                       getattr(window, "run_toolbar_separator", None))
    add_player_menus(window, menu_named(window, "File"), menu_named(window, "View"))


def add_player_menus(window, file_menu, view_menu) -> None:
    """View ▸ Player (controls, granularity, the Player panel) and File ▸ Export animation…."""
    actions = window.player_actions
    menu = view_menu.addMenu("&Player")
    menu.addActions([actions[n] for n in ("play", "forward", "back", "first", "last")])
    menu.addSeparator()
    group = QActionGroup(menu)
    for value, text in (("edge", "Backward &Edge by Edge"), ("node", "Backward &Node by Node")):
        action = menu.addAction(text)
        action.setCheckable(True)
        action.setChecked(value == "edge")           # the player's default
        action.setObjectName(f"player_granularity_{value}")
        action.triggered.connect(lambda checked=False, v=value: window.player.set_granularity(v))
        group.addAction(action)

    def follow(panel) -> None:
        player = panel.player
        player.timeline_changed.connect(lambda: [a.setChecked(a.objectName().endswith(
            player.granularity)) for a in group.actions()])

    window.player_dock.when_built(follow)
    menu.addSeparator()
    menu.addAction(actions["predict"])
    menu.addAction(actions["live"])
    menu.addAction(window.player_dock.toggleViewAction())

    export = QAction("Export &Animation…", window)
    export.setObjectName("export_animation")
    export.setToolTip("Write every player step as PNG frames and a GIF")
    export.triggered.connect(lambda checked=False: _export(window))
    quit_action = window.actions_by_name.get("quit")
    if quit_action is not None and quit_action in file_menu.actions():
        file_menu.insertAction(quit_action, export)
        file_menu.insertSeparator(quit_action)
    else:
        file_menu.addAction(export)
    window.actions_by_name["export_animation"] = export


def _export(window) -> None:
    from gui.player.export_dialog import ExportAnimationDialog
    ExportAnimationDialog(window).exec()
