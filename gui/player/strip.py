"""The player strip: a toolbar atop the Player dock with the controls of the player.

⏮ ◀ ▶/⏸ ▶ ⏭, the timeline slider (drag to scrub), "k/N", "Live View", Predict (predict
mode: gui/player/predict.py), then the speed and node/edge granularity (on a narrow strip the
first to go behind its » button). It drives a PlayerController and follows its signals; the same
QActions (with their keys) sit in View ▸ Player.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QSizePolicy, QSlider, QToolBar, QToolButton

from gui.player.controller import SPEEDS
from gui.theme.icons import player_icon


def _label(text: str, buddy) -> QLabel:
    """A small label that names ``buddy`` (a screen reader reads it as the box's name)."""
    label = QLabel(text, objectName="muted")
    label.setContentsMargins(6, 0, 3, 0)
    label.setBuddy(buddy)
    return label


class PlayerStrip(QToolBar):
    def __init__(self, controller, actions: dict, parent=None):
        super().__init__("Player", parent)
        self.controller = controller
        self.actions_by_name = actions
        self.setObjectName("player_strip")
        self.setMovable(False)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        for name in ("first", "back", "play", "forward", "last"):
            self.addAction(actions[name])
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("player_slider")
        self.slider.setMinimumWidth(120)
        self.slider.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.slider.setPageStep(1)
        self.slider.setToolTip("Drag to scrub through the steps")
        self.slider.setAccessibleName("Player step")
        self.slider.valueChanged.connect(self._scrubbed)
        self.addWidget(self.slider)
        self.label = QLabel()             # "step k/N": the card below says the phase
        self.label.setObjectName("player_label")
        self.label.setContentsMargins(8, 0, 8, 0)
        self.addWidget(self.label)
        self.addSeparator()
        self.addAction(actions["live"])
        self.addAction(actions["predict"])          # predict mode (its tally: on the card)
        for name in ("live", "predict"):
            button = self.widgetForAction(actions[name])
            if button is not None:
                button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.addSeparator()                         # the settings last: the first to go to »
        self.speed = QComboBox()
        self.addWidget(_label("speed", self.speed))
        self.speed.setObjectName("player_speed")
        self.speed.setToolTip("Speed: steps per second while playing")
        for s in SPEEDS:
            self.speed.addItem(f"{s:g}×", s)
        self.speed.setCurrentIndex(SPEEDS.index(controller.speed))
        self.speed.currentIndexChanged.connect(
            lambda i: controller.set_speed(self.speed.itemData(i)))
        self.addWidget(self.speed)
        self.granularity = QComboBox()
        self.addWidget(_label("backward", self.granularity))
        self.granularity.setObjectName("player_granularity")
        self.granularity.setToolTip("Backward pass: one step per edge, or per node")
        self.granularity.addItem("per edge", "edge")
        self.granularity.addItem("per node", "node")
        self.granularity.currentIndexChanged.connect(
            lambda i: controller.set_granularity(self.granularity.itemData(i)))
        self.addWidget(self.granularity)
        for button in self.findChildren(QToolButton, "qt_toolbar_ext_button"):
            button.setAccessibleName("More player controls")    # Qt's » has no name
        controller.step_changed.connect(self._follow)
        controller.active_changed.connect(lambda _active: self._follow())
        controller.timeline_changed.connect(self._follow)
        controller.playing_changed.connect(self._playing)
        self._follow()

    def resizeEvent(self, event) -> None:
        """A narrow strip drops the texts of Live View, then Predict, before a control goes
        behind »."""
        super().resizeEvent(event)
        buttons = [self.widgetForAction(self.actions_by_name[n]) for n in ("live", "predict")]
        buttons = [b for b in buttons if b is not None]
        for button in buttons:
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for button in buttons:
            self.layout().invalidate()
            if self.sizeHint().width() - self.speed.sizeHint().width() \
                    - self.granularity.sizeHint().width() <= self.width():
                break
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)

    def _scrubbed(self, value: int) -> None:
        if self._updating:
            return
        if self.controller.current != value or not self.controller.active:
            self.controller.go_to(value)

    _updating = False

    def _follow(self, *_args) -> None:
        """Slider range and position, the step's caption, granularity from the controller."""
        c = self.controller
        self._updating = True
        try:
            self.slider.setRange(0, max(0, c.count - 1))
            self.slider.setValue(c.current if c.active else 0)
            index = self.granularity.findData(c.granularity)
            if index != self.granularity.currentIndex():
                self.granularity.setCurrentIndex(index)
        finally:
            self._updating = False
        if c.active:
            self.label.setText(f"{c.current + 1}/{c.count}")
        else:
            self.label.setText("live")
        self.actions_by_name["live"].setEnabled(c.active)

    def _playing(self, playing: bool) -> None:
        action = self.actions_by_name["play"]
        action.setIcon(player_icon("pause" if playing else "play"))
        action.setText("Pause" if playing else "Play")
