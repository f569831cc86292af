"""The Training panel in the main window: one call from the window's dock set-up, one from
its toolbar.

``install_training(window)`` creates the Training dock under the canvas (a tab beside the chain
rule and the player; the window's layout policy gives it its height, gui/actions.DockNeeds). Its panel, ``window.training`` (the TrainingPanel, gui/training/panel.py),
is built the first time the tab is shown or the panel is asked for: then it is wired to the
status bar, reveals the node a nan came from, makes the player leave before a run, and stops
the worker cleanly when the window closes or the application quits.
``add_training_controls(window, toolbar)`` adds ▶ Train / Step to the toolbar's Run slot and
View ▸ Training.
"""
from __future__ import annotations

import weakref

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QDockWidget
from shiboken6 import isValid

from gui.accessibility import announce
from gui.actions import LazyDock, declare_needs, document_folder, insert_tool_action, menu_named

PANEL_HEIGHT = 400          # preferred: the window's policy caps it (the canvas keeps its share)
UNBUILT_MINIMUM = (560, 230)     # the panel's least useful size before it is built


class _CloseGuard(QObject):
    """Pauses training (one undo step for the run) before the window decides to close, so
    the unsaved-changes question knows about the trained weights and no thread outlives it."""

    def __init__(self, session, parent):
        super().__init__(parent)
        self.session = session

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Close:
            self.session.shutdown(commit=True)
        return False


def install_training(window) -> LazyDock:
    """The Training dock, tabbed with the chain rule; its panel (pyqtgraph, the session, the
    worker) is built the first time the tab is shown or ``window.training`` is asked for."""
    dock = LazyDock("Training", window, lambda: _build_panel(window, dock), "training_dock")
    dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                     | QDockWidget.DockWidgetFeature.DockWidgetClosable
                     | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    neighbour = getattr(window, "chain_rule_dock", None)
    if neighbour is not None:
        window.tabifyDockWidget(neighbour, dock)
        neighbour.raise_()
    window.training_dock = dock
    declare_needs(dock, lambda: dock.widget().useful_minimum() if dock.is_built
                  else UNBUILT_MINIMUM, PANEL_HEIGHT)

    def on_document() -> None:
        """Another document: the Training tab comes to the front only when the file is about
        training (a data or training section, or parameters to train); otherwise the
        Chain rule tab does."""
        if neighbour is None or dock.isHidden() or neighbour.isHidden() \
                or neighbour not in window.tabifiedDockWidgets(dock):
            return
        data, training = window.model.training_sections()
        about_training = data is not None or training is not None or \
            bool(window.model.parameter_ids())
        (dock if about_training else neighbour).raise_()

    window.model.graph_reset.connect(on_document)
    return dock


def _build_panel(window, dock):
    """The Training panel and its session, wired to the window (once, when first needed)."""
    from gui.training.messages import plural
    from gui.training.panel import TrainingPanel

    panel = TrainingPanel(window.model, window.undo_stack, lambda: document_folder(window))
    session = panel.session

    def bring_up() -> None:
        leave_player = getattr(window, "leave_player", None)
        if leave_player is not None:
            leave_player()
        if dock.isHidden():
            dock.show()
        dock.raise_()

    session.about_to_start.connect(bring_up)
    session.run_started.connect(lambda steps: announce(
        f"Training started: {plural(steps, 'step')}", window))
    session.run_ended.connect(lambda text: announce(text, window))
    session.live.repaint = lambda: window.canvas.viewport().repaint()
    panel.message.connect(window.show_message)
    panel.warning.connect(window.show_warning)
    panel.node_failed.connect(window.reveal_node)
    network = getattr(window, "network", None)      # the builder (gui/network), when there
    if network is not None:
        panel.network_requested.connect(network.open_builder)
    window.installEventFilter(_CloseGuard(session, window))
    app = QApplication.instance()
    if app is not None:
        ref = weakref.ref(session)

        def on_quit() -> None:       # a plain function: the window may be gone by then
            alive = ref()
            if alive is not None and isValid(alive):
                alive.shutdown(commit=False)

        app.aboutToQuit.connect(on_quit)
    return panel


STEP_TIP = "One training step on one batch (Ctrl+Shift+T)"
STEP_WHILE_RUNNING = "Train Step is off while training runs: pause first (Ctrl+T)"


def add_training_controls(window, toolbar) -> None:
    """▶ Train / Step in the toolbar's Run slot (before ``window.run_toolbar_anchor``) and
    View ▸ Training (the dock). They build the panel when first used."""
    train = QAction("Train", window)
    train.setObjectName("train")
    train.setShortcut(QKeySequence("Ctrl+T"))
    train.setToolTip("Train the graph on its data; again to pause (Ctrl+T)")
    train.triggered.connect(lambda checked=False: window.training.session.toggle())
    step = QAction("Train Step", window)
    step.setObjectName("train_step")
    step.setShortcut(QKeySequence("Ctrl+Shift+T"))
    step.setToolTip(STEP_TIP)
    step.triggered.connect(lambda checked=False: window.training.session.step())
    for action in (train, step):
        window.addAction(action)
        window.actions_by_name[action.objectName()] = action

    def follow_session(panel) -> None:
        session = panel.session

        def follow() -> None:
            train.setText("Pause" if session.running else "Train")
            step.setEnabled(not session.running)
            step.setToolTip(STEP_WHILE_RUNNING if session.running else STEP_TIP)

        session.state_changed.connect(follow)
        follow()

    window.training_dock.when_built(follow_session)
    button = insert_tool_action(toolbar, train, getattr(window, "run_toolbar_anchor", None),
                                Qt.ToolButtonStyle.ToolButtonTextOnly)
    if button is not None:
        button.setObjectName("toolbar_train")
    view = menu_named(window, "View")
    view.addSeparator()
    view.addAction(window.training_dock.toggleViewAction())
    view.addActions([train, step])
