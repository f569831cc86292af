"""The network features in the main window: the neuron view beside the op view, the builder.

``install_network(window)`` (from the window's dock set-up) puts the canvas in a stack with
the neuron view (``NeuronPage``, built the first time it is shown), adds the Network builder
dock (tabbed with the inspector, built when first shown) and ``window.network`` — a
``NetworkFeature`` with ``show_neurons(on)``, ``open_builder(section=None)`` and
``new_network()``. ``add_network_controls(window, toolbar)`` adds the Neurons toggle to the
toolbar (disabled, with the engine's reason as its tooltip, while the graph is not layered),
View ▸ Neuron View / Network Builder and File ▸ New Network….

The op view and the neuron view select the same things: a line picked in the neuron view
selects its weight node and outlines the element in the inspector's heatmaps; a node picked
on the canvas picks out its layer's lines or its column of units, and a heatmap cell of a
weight picks out its line.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QStackedWidget

from gui.actions import (LazyDock, declare_needs, document_folder, insert_tool_action,
                         menu_named)

BUILDER_WIDTH = 360      # the builder when it opens: its rows unclipped (hidden layers, CSV)
BUILDER_MIN = 300        # narrower, its rows are cut off (the dock collapses instead)
NEURONS_TIP = "Show the network as neurons and weights (N)"


class NetworkFeature:
    def __init__(self, window):
        self.window = window
        model, canvas = window.model, window.canvas
        self.stack = QStackedWidget()
        self.stack.setObjectName("central_stack")
        window.takeCentralWidget()
        self.stack.addWidget(canvas)
        window.setCentralWidget(self.stack)
        self._page = None
        self.toggle = QAction("Neurons", window)
        self.toggle.setObjectName("neuron_view")
        self.toggle.setCheckable(True)
        self.toggle.setShortcut(QKeySequence("N"))
        self.toggle.toggled.connect(self.show_neurons)
        window.addAction(self.toggle)
        self.new_action = QAction("New &Network…", window)
        self.new_action.setObjectName("new_network")
        self.new_action.setToolTip("A new document with a network built by layers")
        self.new_action.triggered.connect(lambda checked=False: self.new_network())
        self.dock = LazyDock("Network builder", window, self._build_builder, "builder_dock")
        self.dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                              | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        declare_needs(self.dock, (BUILDER_MIN, 300), BUILDER_WIDTH, collapse_order=25)
        self.dock.hide()
        self._tabbed = False        # tabbed with the inspector when first opened
        for signal in (model.results_changed, model.graph_reset):
            signal.connect(self.follow_document)
        canvas.selection_changed.connect(self._canvas_selection)
        canvas.build_network_requested.connect(lambda: self.open_builder())
        window.inspector.element_clicked.connect(self._element_clicked)
        self.follow_document()

    # ------------------------------------------------------------ the neuron view
    @property
    def page(self):
        """The NeuronPage, built the first time it is asked for."""
        if self._page is None:
            from gui.network.neuron_page import NeuronPage
            window = self.window
            self._page = NeuronPage(window.model, window.canvas.graph_scene)
            self._page.weight_chosen.connect(self._weight_chosen)
            self._page.node_chosen.connect(self._node_chosen)
            self._page.escaped.connect(lambda: window.leave_player())
            player = getattr(window, "player_actions", {})
            self._page.addActions([a for a in player.values() if a.shortcut()])
            self.stack.addWidget(self._page)
        return self._page

    @property
    def showing(self) -> bool:
        return self._page is not None and self.stack.currentWidget() is self._page

    def show_neurons(self, on: bool) -> bool:
        """The neuron view (True) or the op view; False when the graph is not layered."""
        if on and self.window.model.network() is None:
            self.toggle.setChecked(False)
            return False
        if on:
            page = self.page
            self.stack.setCurrentWidget(page)
            page.refresh()
            page.show_node_selection(self.window.canvas.selected_nodes())
            page.setFocus()
        else:
            self.stack.setCurrentWidget(self.window.canvas)
        if self.toggle.isChecked() != on:
            self.toggle.setChecked(on)
        return True

    def follow_document(self) -> None:
        """The toggle is enabled only for a layered graph; its tooltip says why not."""
        network, reason = self.window.model.network_state()
        self.toggle.setEnabled(network is not None)
        self.toggle.setToolTip(NEURONS_TIP if network is not None else
                               f"No neuron view: {reason}")
        if network is None and self.showing:
            self.show_neurons(False)
            self.window.show_message(f"Back to the op view: {reason}")

    # ------------------------------------------------------------ one selection
    def _weight_chosen(self, node_id: str, index: tuple) -> None:
        window = self.window
        window.canvas.select_nodes([node_id])
        window.inspector.set_selection([node_id])
        window.inspector.mark_element(node_id, index)

    def _node_chosen(self, node_id: str) -> None:
        self.window.canvas.select_nodes([node_id])
        self.window.inspector.mark_element(node_id, None)

    def _canvas_selection(self, node_ids) -> None:
        marked = self.window.inspector.marked
        if marked is not None and list(node_ids) != [marked[0]]:
            self.window.inspector.mark_element(marked[0], None)
        if self._page is not None:
            self._page.show_node_selection(list(node_ids))

    def _element_clicked(self, node_id: str, index: tuple) -> None:
        network = self.window.model.network()
        layer = network.layer_of(node_id) if network is not None else None
        if layer is None or layer.weight != node_id:
            return
        self.window.inspector.mark_element(node_id, index)
        self.page.choose_element(node_id, index)

    # ------------------------------------------------------------ the builder
    def _build_builder(self):
        from gui.network.builder_panel import BuilderPanel
        window = self.window
        panel = BuilderPanel(window.model, window.undo_stack, lambda: document_folder(window))
        panel.message.connect(window.show_message)
        panel.laid_out.connect(lambda: QTimer.singleShot(0, window.canvas.fit_view))
        return panel

    @property
    def builder(self):
        return self.dock.widget()

    def open_builder(self, section: dict | None = None):
        """Show the builder (with the CSV of a data `section` when given)."""
        inspector = getattr(self.window, "inspector_dock", None)
        if not self._tabbed and inspector is not None and not inspector.isFloating():
            self.window.tabifyDockWidget(inspector, self.dock)
            self._tabbed = True
        self.dock.show()
        self.dock.raise_()
        if self.dock.width() < BUILDER_WIDTH:     # tabbed with a narrower inspector
            self.window.resizeDocks([self.dock], [BUILDER_WIDTH], Qt.Orientation.Horizontal)
        builder = self.builder
        if section is not None and section.get("csv"):
            builder.use_csv(section)
        return builder

    def new_network(self) -> bool:
        """File ▸ New Network…: a new document (after asking to save) and the builder."""
        if not self.window.new_document():
            return False
        self.open_builder()
        return True


def install_network(window) -> NetworkFeature:
    window.network = NetworkFeature(window)
    return window.network


def add_network_controls(window, toolbar) -> None:
    """The Neurons toggle on the toolbar (before the player's ▶ Play), View ▸ Neuron View and
    Network Builder, File ▸ New Network…."""
    feature = window.network
    insert_tool_action(toolbar, feature.toggle, getattr(window, "run_toolbar_separator", None))
    view = menu_named(window, "View")
    view.addSeparator()
    view.addAction(feature.toggle)
    view.addAction(feature.dock.toggleViewAction())
    file_menu = menu_named(window, "File")
    new = window.actions_by_name.get("new")
    actions = file_menu.actions()
    if new is not None and new in actions and actions.index(new) + 1 < len(actions):
        file_menu.insertAction(actions[actions.index(new) + 1], feature.new_action)
    else:
        file_menu.addAction(feature.new_action)
    window.actions_by_name["neuron_view"] = feature.toggle
    window.actions_by_name["new_network"] = feature.new_action
