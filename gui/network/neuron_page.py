"""The neuron view: the document's dense layers as units and weights, beside the op view.

``NeuronPage`` shows a ``NeuronPicture`` of the network the model recognises, drawn from the
canvas scene's display record — so it follows whatever the canvas shows: the live results,
the player's step (forward: units light up as they are computed; backward: each layer's lines
show ∂L/∂w as it arrives), and the weights a training run shows live. A bar above it switches
between weights and gradients and chooses the row shown (or the batch's mean).

Clicking a line picks that weight: the chain panel at the side shows its chain
(gui/network/weight_chain_text.py) and ``weight_chosen(node, index)`` tells the window, which
selects the node and marks the element in the inspector. ``show_node_selection`` is the
other way round: a weight node picked in the op view picks out its layer's lines, a unit
node its column, and one element (``choose_weight``) its line.
"""
from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QHBoxLayout, QLabel, QSplitter,
                               QTextBrowser, QToolButton, QVBoxLayout, QWidget)

from gui import accessibility, theme
from gui.network.neuron_frame import GRADIENTS, WEIGHTS, batch_rows, neuron_frame
from gui.network.neuron_picture import NeuronPicture
from gui.network.weight_chain_text import chain_html

CHAIN_WIDTH = 400          # the chain panel beside the picture: at most this wide …
CHAIN_SHARE = 0.38         # … and this share of the page
CHAIN_DELAY_MS = 300       # the chain is worked out again at most this often while it changes
MEAN = -1                  # the row box's data for the batch's mean


class NeuronPage(QWidget):
    weight_chosen = Signal(str, tuple)    # the weight node and its element (W[i, j] / W[j, i])
    node_chosen = Signal(str)             # a column clicked: its node
    escaped = Signal()                    # Esc (the player leaves, as on the canvas)

    def __init__(self, model, scene, parent=None):
        super().__init__(parent)
        self.setObjectName("neuron_page")
        self.model, self.scene = model, scene
        self.network = None
        self.mode, self.row = WEIGHTS, 0      # row None: the batch's mean
        self.chosen: tuple | None = None          # (layer, i, j)
        self.chain = None                         # the WeightChain shown
        self.frame = None
        self._dirty = True

        self.weights_button = self._mode_button("Weights", WEIGHTS,
                                                "Lines show the weights w: colour the sign, "
                                                "width the size")
        self.gradients_button = self._mode_button("Gradients ∂L/∂w", GRADIENTS,
                                                  "Lines show ∂L/∂w: of the batch's loss, or "
                                                  "one row's term of it")
        self.weights_button.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.weights_button)
        group.addButton(self.gradients_button)
        self.row_box = QComboBox()
        self.row_box.setObjectName("neuron_row")
        self.row_box.setToolTip("The row whose values colour the units (and whose term the "
                                "gradients show), or the batch's mean")
        self.row_box.currentIndexChanged.connect(self._row_changed)
        self.summary = QLabel(objectName="muted")
        self.caption = QLabel()
        self.caption.setStyleSheet(f"color: {theme.C.emphasis}; font-weight: 600;")
        bar = QHBoxLayout()
        bar.setContentsMargins(8, 6, 8, 4)
        bar.addWidget(QLabel("Show"))
        bar.addWidget(self.weights_button)
        bar.addWidget(self.gradients_button)
        bar.addSpacing(12)
        row_label = QLabel("Row")
        row_label.setBuddy(self.row_box)        # names the box for a screen reader
        bar.addWidget(row_label)
        bar.addWidget(self.row_box)
        bar.addSpacing(12)
        bar.addWidget(self.caption)
        bar.addStretch(1)
        bar.addWidget(self.summary)

        self.picture = NeuronPicture()
        self.picture.setAccessibleName("The network's neurons: click a line to read its "
                                       "weight's chain rule")
        self.picture.weight_clicked.connect(self.choose_weight)
        self.picture.weight_stepped.connect(self.step_weight)
        self.picture.level_clicked.connect(self._level_clicked)
        self.chain_view = QTextBrowser()
        self.chain_view.setObjectName("weight_chain")
        self.chain_view.setOpenLinks(False)
        self.chain_view.setAccessibleName("The chosen weight's chain rule")
        self.chain_view.setMinimumWidth(260)
        self.chain_view.hide()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.picture)
        self.splitter.addWidget(self.chain_view)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setChildrenCollapsible(False)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addLayout(bar)
        column.addWidget(self.splitter, 1)

        self._chain_timer = QTimer(self)
        self._chain_timer.setSingleShot(True)
        self._chain_timer.setInterval(CHAIN_DELAY_MS)
        self._chain_timer.timeout.connect(self.refresh_chain)
        scene.record_shown.connect(self._record_shown)
        model.graph_reset.connect(self._forget_choice)
        self.refresh()

    def _mode_button(self, text: str, mode: str, tip: str) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setCheckable(True)
        button.setToolTip(tip)
        button.setObjectName(f"neuron_{mode}")
        button.toggled.connect(lambda on: on and self.set_mode(mode))
        return button

    # ------------------------------------------------------------ what is shown
    def set_mode(self, mode: str) -> None:
        if mode == self.mode:
            return
        self.mode = mode
        (self.gradients_button if mode == GRADIENTS else self.weights_button).setChecked(True)
        self.refresh()

    def set_row(self, row: int | None) -> None:
        """The row shown (None: the batch's mean)."""
        index = self.row_box.findData(MEAN if row is None else row)
        if index >= 0:
            self.row_box.setCurrentIndex(index)

    def _row_changed(self, index: int) -> None:
        data = self.row_box.itemData(index)
        row = None if data is None or data == MEAN else int(data)
        if row != self.row:
            self.row = row
            self.refresh()
            self._chain_timer.start(0)

    def _fill_rows(self, rows: int) -> None:
        if self.row_box.count() == rows + 1:
            return
        self.row_box.blockSignals(True)
        self.row_box.clear()
        self.row_box.addItem(f"Mean over the batch ({rows} rows)", MEAN)
        for r in range(rows):
            self.row_box.addItem(f"Row {r}", r)
        wanted = MEAN if self.row is None or rows == 0 else min(self.row, rows - 1)
        self.row_box.setCurrentIndex(max(0, self.row_box.findData(wanted)))
        self.row = None if wanted == MEAN else wanted
        self.row_box.blockSignals(False)

    def _record_shown(self) -> None:
        self._dirty = True
        if self.isVisible():
            self.refresh()
            if self.chosen is not None and self.scene.record.live:
                self._chain_timer.start()

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.escaped.emit()
            return
        super().keyPressEvent(event)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._dirty:
            self.refresh()

    def refresh(self) -> None:
        """Draw the network as the scene's record shows it now."""
        self._dirty = False
        network = self.model.network()
        if network != self.network:
            self.network = network
            if network is None or (self.chosen is not None and not self._valid(self.chosen)):
                self._forget_choice()
        if network is None:
            self.frame = None
            self.picture.set_frame(None)
            self.summary.setText("")
            return
        record = self.scene.record
        self._fill_rows(batch_rows(network, record))
        self.frame = neuron_frame(network, record, self.mode, self.row)
        self.picture.set_frame(self.frame)
        caption = "" if record.live else record.caption
        self.caption.setText(caption)
        self.caption.setToolTip(record.detail)
        self.summary.setText("" if caption else self.model.network_summary())
        self.picture.setAccessibleDescription(caption or self.model.network_summary())

    # ------------------------------------------------------------ choosing
    def _valid(self, weight) -> bool:
        layer, i, j = weight
        network = self.network
        return network is not None and 1 <= layer <= len(network.layers) \
            and i < network.layers[layer - 1].fan_in and j < network.layers[layer - 1].fan_out

    def choose_weight(self, layer: int, i: int, j: int) -> None:
        """Pick weight (i → j) of `layer`: its line, its chain, and ``weight_chosen``."""
        if not self._valid((layer, i, j)):
            return
        self.chosen = (layer, i, j)
        self.picture.set_chosen(weight=self.chosen)
        self.refresh_chain(keep_place=False)
        lay = self.network.layers[layer - 1]
        self.weight_chosen.emit(lay.weight, tuple(lay.weight_index(i, j)))

    def step_weight(self, d_layer: int, d_i: int, d_j: int) -> None:
        """The keyboard's move from the chosen weight (the first weight when none is):
        to the next layer, or to the next unit on either end, kept inside the layer."""
        network = self.network
        if network is None or not network.layers:
            return
        if self.chosen is None:
            self.choose_weight(1, 0, 0)
        else:
            layer, i, j = self.chosen
            layer = min(max(layer + d_layer, 1), len(network.layers))
            lay = network.layers[layer - 1]
            self.choose_weight(layer, min(max(i + d_i, 0), lay.fan_in - 1),
                               min(max(j + d_j, 0), lay.fan_out - 1))
        layer, i, j = self.chosen
        name = f"{self.network.layers[layer - 1].weight}: unit {i} to unit {j}"
        self.picture.setAccessibleName(f"The network's neurons, weight {name}")
        accessibility.announce(f"Weight {name}", self.picture)

    def choose_element(self, node_id: str, index) -> None:
        """An element of a weight picked in the op view (the inspector's heatmap)."""
        network = self.network or self.model.network()
        layer = network.layer_of(node_id) if network is not None else None
        if layer is None or node_id != layer.weight or len(index) != 2:
            return
        i, j = (index[0], index[1]) if layer.weight_index(0, 1) == (0, 1) else (index[1],
                                                                                index[0])
        if self.chosen != (layer.index, i, j):
            self.chosen = (layer.index, i, j)
            self.picture.set_chosen(weight=self.chosen)
            self.refresh_chain(keep_place=False)

    def show_node_selection(self, node_ids) -> None:
        """The op view's selection: a weight's layer, a unit node's column, or nothing."""
        frame = self.frame
        if frame is None:
            return
        if len(node_ids) != 1:
            if self.chosen is None:
                self.picture.set_chosen()
            return
        node = node_ids[0]
        links, level = frame.links_of(node), frame.level_of(node)
        if self.chosen is not None and links is not None \
                and frame.links[links].layer == self.chosen[0]:
            return                       # the weight's own node: the line stays picked
        self._forget_choice()
        if links is not None:
            self.picture.set_chosen(layer=frame.links[links].layer)
        elif level is not None:
            self.picture.set_chosen(level=level)

    def _level_clicked(self, level: int) -> None:
        if self.frame is not None:
            self._forget_choice()
            self.picture.set_chosen(level=level)
            self.node_chosen.emit(self.frame.levels[level].node)

    def _forget_choice(self) -> None:
        self.chosen = self.chain = None
        self.chain_view.hide()
        self.picture.set_chosen()

    def refresh_chain(self, keep_place: bool = True) -> None:
        """Work out the picked weight's chain on the document's samples and show it (at the
        reader's place in the text, unless another weight was picked)."""
        self._chain_timer.stop()
        if self.chosen is None or self.network is None:
            return
        layer, i, j = self.chosen
        try:
            self.chain = self.model.weight_chain(layer, i, j, detail_row=self.row or 0)
            one_row = None if self.row is None else \
                self.model.weight_chain(layer, i, j, row=self.row, numeric=False)
        except ValueError as error:
            self.chain_view.setHtml(f'<p style="color:{theme.ERROR}">{escape(str(error))}</p>')
            self.chain_view.show()
            return
        levels = self.frame.levels if self.frame is not None else None
        names = (levels[layer - 1].node, levels[layer].node) if levels else ("in", "out")
        record = self.scene.record
        rows = len(self.chain.rows)
        bar = self.chain_view.verticalScrollBar()
        kept = bar.value() if keep_place else 0     # a live refresh keeps the reader's place
        self.chain_view.setHtml(chain_html(self.chain, names[0], names[1], self.row, rows,
                                           one_row, "" if record.live else record.caption))
        bar.setValue(kept)
        if self.chain_view.isHidden():
            self.chain_view.show()
            width = min(CHAIN_WIDTH, int(self.width() * CHAIN_SHARE))
            self.splitter.setSizes([self.width() - width, width])
