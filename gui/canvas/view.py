"""CanvasView: the node editor — zoom, pan, drops, wiring, moving, quick search, clipboard.

Mouse work is interpreted here and handed to the CanvasController as intent; the scene follows
the model. Keyboard shortcuts other than Tab and Space are QActions of the main window, which
call the public methods below.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QGraphicsView, QMenu
from shiboken6 import isValid

from gui.canvas import style
from gui.canvas.banner import CanvasBanner
from gui.canvas.context_menu import build_context_menu
from gui.canvas.controller import CanvasController
from gui.canvas.drops import PaletteDrops
from gui.canvas.edge_item import EdgeItem
from gui.canvas.keyboard import CanvasKeyboard, handle_shortcut_override
from gui.canvas.empty_hint import EmptyHint
from gui.canvas.node_item import NodeItem
from gui.canvas.overlays import CaptionOverlay, EdgeLegend
from gui.canvas.quick_search import QuickAdd
from gui.canvas.rename_editor import HeaderRenameEditor
from gui.canvas.scene import GraphScene
from gui.canvas.scrub import ValueScrubber
from gui.canvas.wiring import WireDrawing

MIN_SCALE, MAX_SCALE = 0.03, 3.0
OVERVIEW_BELOW = 0.3   # zoom under which edges are drawn as one batch (matches items' LOD)
FIT_MAX_SCALE = 1.2
FIT_MARGIN = 24               # scene pixels around the nodes when fitting
WORLD = QRectF(-500_000, -500_000, 1_000_000, 1_000_000)


class CanvasView(CanvasKeyboard, QuickAdd, PaletteDrops, WireDrawing, QGraphicsView):
    status_message = Signal(str)   # information
    refused = Signal(str)          # an action refused, and why (shown as a warning)
    selection_changed = Signal(list)
    space_tapped = Signal()        # Space pressed and released without panning (play/pause)
    escaped = Signal()             # Esc with no wire or scrub to cancel (the player leaves)
    build_network_requested = Signal()   # the empty canvas's "Build a network…"
    edit_requested = Signal(str)   # Enter on a node: its editor in the inspector, please

    def __init__(self, model, undo_stack, parent=None):
        super().__init__(parent)
        self._fitting = False
        self._fit_transform = None           # the transform fit_view chose, while fitted
        self.model, self.undo_stack = model, undo_stack
        self.graph_scene = GraphScene(model, self)
        self.setScene(self.graph_scene)
        self.controller = CanvasController(model, undo_stack, self)
        self.controller.status_message.connect(self.status_message)
        self.controller.refused.connect(self.refused)
        self.controller.inserted.connect(self._select_ids)
        model.edit_failed.connect(self.refused)
        self.graph_scene.selectionChanged.connect(self._on_selection_changed)
        self.setSceneRect(WORLD)
        self.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing
                            | QPainter.SmoothPixmapTransform)
        self.setViewportUpdateMode(QGraphicsView.MinimalViewportUpdate)
        self.setCacheMode(QGraphicsView.CacheBackground)
        self.setOptimizationFlags(QGraphicsView.DontSavePainterState)
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.AnchorViewCenter)
        self.setDragMode(QGraphicsView.RubberBandDrag)
        self.setRubberBandSelectionMode(Qt.IntersectsItemShape)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setFrameShape(QGraphicsView.NoFrame)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.StrongFocus)
        self.viewport().setMouseTracking(True)
        self._quick_search_pos = QPointF()   # where the Tab box was opened (QuickAdd)
        self._last_mouse = None        # viewport point of the last mouse event
        self._space_down = False
        self._space_panned = False     # a drag happened while Space was held: not a tap
        self._pan_from: QPoint | None = None
        self._wire = None                                  # the live WireItem
        self._wire_from: tuple[str, int] | None = None   # (node id, port) the wire starts at
        self._picked_edge: EdgeItem | None = None          # an edge lifted off its input
        self._wire_problem: str | None = None              # why the port under the wire refuses
        self._highlighted: NodeItem | None = None
        self._move_start: dict | None = None
        self.caption_overlay = CaptionOverlay(self)
        self.legend = EdgeLegend(self)
        self.graph_scene.record_shown.connect(self._follow_record)
        # a view fitted to a document stops counting as fitted once the user adds to it (an
        # overlay appearing then must not make the view jump while they build)
        model.node_added.connect(self._unfit)
        self._follow_record()
        self.rename_editor = HeaderRenameEditor(self)
        self.rename_editor.refused.connect(self.refused)
        self.banner = CanvasBanner(self)     # why there are no gradients, in one line
        self.empty_hint = EmptyHint(self)    # how to start, on an empty graph
        self.scrubber = ValueScrubber(self)  # drag a scalar's value on its card
        self._init_keyboard()                # arrows, Alt+arrows, Enter, Menu (keyboard.py)
        self.connect_dialog = None           # Edit ▸ Connect… while it is open
        self.centerOn(0, 0)

    # ------------------------------------------------------------ public API (contract)
    def node_item(self, node_id: str) -> NodeItem | None:
        return self.graph_scene.nodes.get(node_id)

    def selected_nodes(self) -> list[str]:
        chosen = {i.node_id for i in self.graph_scene.selectedItems() if isinstance(i, NodeItem)}
        return [n for n in self.model.node_ids() if n in chosen]

    def selected_edges(self) -> list[tuple[str, str, int]]:
        return [i.key for i in self.graph_scene.selectedItems() if isinstance(i, EdgeItem)]

    def select_all(self) -> None:
        self._select_items(self.graph_scene.nodes.values(), clear=False)

    def select_nodes(self, node_ids) -> None:
        self._select_ids(list(node_ids))

    def delete_selection(self) -> None:
        nodes, edges = self.selected_nodes(), self.selected_edges()
        self.graph_scene.clearSelection()  # one signal, not one per removed item
        self.controller.delete(nodes, edges)

    def copy_selection(self) -> bool:
        return self.controller.copy(self.selected_nodes())

    def paste(self) -> list[str]:
        """At the mouse when it is over the canvas; else offset from the copied nodes."""
        if self._last_mouse is not None and self.viewport().rect().contains(self._last_mouse):
            at = self.mapToScene(self._last_mouse)     # the first card's header under it
            return self.controller.paste(at - QPointF(style.NODE_W / 2, style.HEADER_H / 2))
        return self.controller.paste()

    def duplicate_selection(self) -> list[str]:
        return self.controller.duplicate(self.selected_nodes())

    def add_node_at(self, op: str, scene_pos) -> str | None:
        return self.controller.add_node(op, QPointF(scene_pos), self.visible_scene_rect())

    def insert_template(self, name: str, scene_pos) -> list[str]:
        return self.controller.insert_template(name, QPointF(scene_pos))

    def auto_layout(self) -> None:
        self.controller.auto_layout()
        self.fit_view()

    def rename_inline(self, node_id: str) -> None:
        """Open the name editor over ``node_id``'s header (Enter renames, Esc cancels)."""
        item = self.node_item(node_id)
        if item is not None:
            self._select_ids([node_id])
            self.rename_editor.start(item)

    def fit_view(self) -> None:
        """Show every node (never magnified beyond FIT_MAX_SCALE) where no overlay covers
        them (below the step caption; above or beside the edge legend). The view stays
        fitted — refitted when it is resized or an overlay comes or goes — until the user
        zooms or pans."""
        self._fitting = True
        try:
            rect = self.graph_scene.itemsBoundingRect()
            if rect.isEmpty():
                self.resetTransform()
                self.centerOn(0, 0)
            else:
                rect = rect.adjusted(-FIT_MARGIN, -FIT_MARGIN, FIT_MARGIN, FIT_MARGIN)
                scale, band = max(
                    ((min(band.width() / rect.width(), band.height() / rect.height(),
                          FIT_MAX_SCALE), band) for band in self._free_bands()),
                    key=lambda pair: pair[0])
                self.resetTransform()
                self.scale(scale, scale)
                shift = (band.center() - QRectF(self.viewport().rect()).center()) / scale
                self.centerOn(rect.center() - shift)
        finally:
            self._fitting = False
        self._fit_transform = self.transform()

    def _free_bands(self) -> list[QRectF]:
        """The parts of the viewport no overlay covers: between the caption and the legend,
        and beside the legend (whichever shows the graph larger is used). While the player
        runs (its caption shows) the legend's room is kept even before the backward steps
        bring the legend, so the graph does not jump when they begin."""
        area = QRectF(self.viewport().rect())
        top = area.top()
        playing = not self.caption_overlay.isHidden()
        if playing:
            top = self.caption_overlay.geometry().bottom() + 4
        if (self.legend.isHidden() and not playing) or not self._room_for_legend():
            return [QRectF(area.left(), top, area.width(), area.bottom() - top)]
        self.legend.place()
        legend = self.legend.geometry()
        bands = [QRectF(area.left(), top, area.width(), legend.top() - 4 - top),
                 QRectF(legend.right() + 4, top, area.right() - legend.right() - 4,
                        area.bottom() - top)]
        return [band for band in bands if band.width() > 40 and band.height() > 40] or [area]

    @property
    def fitted(self) -> bool:
        """The view shows what ``fit_view`` chose (no zoom or pan since)."""
        return self._fit_transform is not None and self.transform() == self._fit_transform

    def resizeEvent(self, event) -> None:
        was_fitted = self.fitted
        self._fitting = True             # the resize's own scrolling is no pan
        try:
            super().resizeEvent(event)
        finally:
            self._fitting = False
        self.banner.place()
        self.empty_hint.place()
        self.caption_overlay.place()
        self.legend.place()
        if self.graph_scene.record is not None:
            self._follow_record()        # the legend goes when the canvas gets too small
        if was_fitted:
            self.fit_view()

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        if not self._fitting:
            self._fit_transform = None   # panned: no longer fitted
        super().scrollContentsBy(dx, dy)
        if self.hasFocus():
            self.viewport().update()     # the focus ring was scrolled with the pixels
        banner = getattr(self, "banner", None)
        if banner is not None:
            banner.move(0, 0)            # scrolling moves the viewport's children: not this one

    def zoom(self) -> float:
        return self.transform().m11()

    def zoom_by(self, factor: float, anchor: QPoint | None = None) -> None:
        """Zoom by ``factor`` (clamped) keeping ``anchor`` (a viewport point) in place."""
        current = self.transform().m11()
        factor = max(MIN_SCALE / current, min(MAX_SCALE / current, factor))
        if anchor is None:
            anchor = self.viewport().rect().center()
        before = self.mapToScene(anchor)
        old_anchor = self.transformationAnchor()
        self.setTransformationAnchor(QGraphicsView.NoAnchor)
        self.scale(factor, factor)
        after = self.mapToScene(anchor)
        delta = after - before
        self.translate(delta.x(), delta.y())
        self.setTransformationAnchor(old_anchor)

    # ------------------------------------------------------------ selection helpers
    def _on_selection_changed(self) -> None:
        if isValid(self) and isValid(self.graph_scene):  # not while Qt tears the scene down
            selected = self.selected_nodes()
            self._follow_selection(selected)
            self.selection_changed.emit(selected)

    def _select_ids(self, ids: list) -> None:
        nodes = self.graph_scene.nodes
        self._select_items([nodes[i] for i in ids if i in nodes], clear=True)

    def _select_items(self, items, clear: bool) -> None:
        """Select many items with one selectionChanged (Qt emits one per item otherwise)."""
        scene = self.graph_scene
        blocked = scene.blockSignals(True)
        try:
            if clear:
                scene.clearSelection()
            for item in items:
                item.setSelected(True)
        finally:
            scene.blockSignals(blocked)
        scene.selectionChanged.emit()

    # ------------------------------------------------------------ overlays
    def _follow_record(self) -> None:
        record = self.graph_scene.record
        was_fitted, shown = self.fitted, self._overlays_shown()
        self.caption_overlay.set_text(record.caption, record.detail)
        self.legend.setVisible(self._room_for_legend() and any(
            e.contribution is not None for e in record.edges.values()))
        self.legend.place()
        now = self._overlays_shown()
        if was_fitted and now != shown:
            self.fit_view()              # keep the nodes clear of the caption and legend
        elif now[0] and not shown[0] and self._caption_covers_nodes():
            self.fit_view()              # the player starts on a graph built by hand

    def _room_for_legend(self) -> bool:
        """A canvas squeezed by a small window keeps its room for the graph: no legend."""
        size = self.viewport().size()
        return (size.height() >= 2 * self.legend.HEIGHT
                and size.width() >= 2 * self.legend.WIDTH)

    def _caption_covers_nodes(self) -> bool:
        area = self.mapToScene(self.caption_overlay.geometry().translated(
            -self.viewport().pos())).boundingRect()
        return any(item.sceneBoundingRect().intersects(area)
                   for item in self.graph_scene.nodes.values())

    def _unfit(self, *_args) -> None:
        self._fit_transform = None

    def _overlays_shown(self) -> tuple:
        return not self.caption_overlay.isHidden(), not self.legend.isHidden()

    def viewportEvent(self, event) -> bool:
        if event.type() == QEvent.Leave:
            self._last_mouse = None      # off the canvas: a paste lands beside the original
        return super().viewportEvent(event)

    def paintEvent(self, event) -> None:
        # the zoom may have changed through any QGraphicsView call (scale, fitInView, ...)
        self.graph_scene.set_overview(self.transform().m11() < OVERVIEW_BELOW)
        super().paintEvent(event)
        self.paint_focus_ring()

    # ------------------------------------------------------------ keyboard
    def event(self, event) -> bool:
        if event.type() == QEvent.KeyPress and event.key() == Qt.Key_Tab:
            self.open_quick_search()
            return True
        if handle_shortcut_override(self, event):
            return True
        return super().event(event)

    def visible_scene_rect(self) -> QRectF:
        """The part of the scene the view shows."""
        return self.mapToScene(self.viewport().rect()).boundingRect()

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key_Space and not event.isAutoRepeat():
            self._space_down = True
            self._space_panned = False
            self.viewport().setCursor(Qt.OpenHandCursor)
            event.accept()
            return
        if event.key() == Qt.Key_Escape and self._wire is not None:
            self._end_wire()
            return
        if event.key() == Qt.Key_Escape and self.scrubber.cancel():
            return
        if event.key() == Qt.Key_Escape:
            self.escaped.emit()
        if self.keyboard_key(event):
            event.accept()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event) -> None:
        if event.key() == Qt.Key_Space and not event.isAutoRepeat():
            tapped = self._space_down and not self._space_panned and self._pan_from is None
            self._space_down = False
            if self._pan_from is None:
                self.viewport().unsetCursor()
            event.accept()
            if tapped:
                self.space_tapped.emit()
            return
        super().keyReleaseEvent(event)

    # ------------------------------------------------------------ wheel: zoom to cursor
    def wheelEvent(self, event) -> None:
        if self.rename_editor.active and not self.rename_editor.commit():
            self.rename_editor.cancel()     # the editor would no longer sit on its header
        delta = event.angleDelta().y() or event.angleDelta().x()
        if delta:
            self.zoom_by(1.0015 ** delta, event.position().toPoint())
        event.accept()

    # ------------------------------------------------------------ mouse
    def mousePressEvent(self, event) -> None:
        pos = event.position().toPoint()
        self._last_mouse = pos
        button = event.button()
        if button == Qt.MiddleButton or (button == Qt.LeftButton and self._space_down):
            self._space_panned = self._space_panned or self._space_down
            self._pan_from = pos
            self.viewport().setCursor(Qt.ClosedHandCursor)
            event.accept()
            return
        if button == Qt.LeftButton:
            node, port = self._port_at(self.mapToScene(pos))
            if node is not None:
                self._start_wire(node, port)
                event.accept()
                return
            if self.scrubber.press(event):
                event.accept()
                return
        super().mousePressEvent(event)
        if button == Qt.LeftButton and isinstance(self.itemAt(pos), NodeItem):
            self._move_start = {i.node_id: i.pos() for i in self.graph_scene.selectedItems()
                                if isinstance(i, NodeItem)}

    def mouseDoubleClickEvent(self, event) -> None:
        pos = event.position().toPoint()
        item = self.itemAt(pos)
        if event.button() == Qt.LeftButton and item is None:
            self.open_quick_search(pos)   # double-click on empty canvas: add a node here
            event.accept()
            return
        if event.button() == Qt.LeftButton and isinstance(item, NodeItem) \
                and item.mapFromScene(self.mapToScene(pos)).y() <= style.HEADER_H:
            self.rename_inline(item.node_id)  # double-click on a header: rename there
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def mouseMoveEvent(self, event) -> None:
        pos = event.position().toPoint()
        self._last_mouse = pos
        if self._pan_from is not None:
            delta = pos - self._pan_from
            self._pan_from = pos
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - delta.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - delta.y())
            event.accept()
            return
        if self.scrubber.move(event):
            event.accept()
            return
        scene_pos = self.mapToScene(pos)
        if self._wire is not None:
            self._wire.set_end(scene_pos)
            node, port = self._wire_target(scene_pos)
            problem = None
            if node is not None and (node.node_id, port) != self._wire_from:
                problem = self.controller.why_not(self._wire_from, (node.node_id, port))
            elif node is not None:
                node = None   # back on the port it started from: nothing to show
            self._set_highlight(node, port, refused=problem is not None)
            if problem is not None and problem != self._wire_problem:
                self.refused.emit(f"Cannot connect: {problem}")  # before the release
            self._wire_problem = problem
            event.accept()
            return
        if event.buttons() == Qt.NoButton:
            node, port = self._port_at(scene_pos)
            self._set_highlight(node, port)
            if not self._space_down:
                if node is not None:
                    self.viewport().setCursor(Qt.CrossCursor)
                elif not self.scrubber.hover(pos):
                    self.viewport().unsetCursor()
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        pos = event.position().toPoint()
        self._last_mouse = pos
        if self._pan_from is not None and event.button() in (Qt.MiddleButton, Qt.LeftButton):
            self._pan_from = None
            if self._space_down:
                self.viewport().setCursor(Qt.OpenHandCursor)
            else:
                self.viewport().unsetCursor()
            event.accept()
            return
        if self._wire is not None and event.button() == Qt.LeftButton:
            self._finish_wire(self.mapToScene(pos))
            event.accept()
            return
        if self.scrubber.release(event):
            event.accept()
            return
        super().mouseReleaseEvent(event)
        event.accept()  # a rubber-band release is handled by the view even with no item under it
        if self._move_start is not None and event.button() == Qt.LeftButton:
            start, self._move_start = self._move_start, None
            moves = {}
            for node_id, old in start.items():
                item = self.graph_scene.nodes.get(node_id)
                if item is not None and item.pos() != old:
                    moves[node_id] = ((old.x(), old.y()), (item.pos().x(), item.pos().y()))
            self.controller.move_nodes(moves)

    # ------------------------------------------------------------ context menu
    def context_menu(self, viewport_pos: QPoint, item=None) -> QMenu:
        """The right-click menu for what is under ``viewport_pos`` (built, not shown); for
        ``item`` instead when given (False: the empty canvas's menu)."""
        return build_context_menu(self, viewport_pos, item)

    def open_connect_dialog(self, source: str | None = None):
        """Edit ▸ Connect…: From (``source``, else the selected node) and To (node.port)."""
        from gui.canvas.connect_dialog import ConnectDialog
        if self.connect_dialog is not None and isValid(self.connect_dialog):
            self.connect_dialog.close()
        selected = self.selected_nodes()
        self.connect_dialog = ConnectDialog(self, source or self.current_node
                                            or (selected[0] if selected else None))
        self.connect_dialog.open()
        return self.connect_dialog

    def contextMenuEvent(self, event) -> None:
        if self.keyboard_context_event(event):
            event.accept()          # the Menu key / Shift+F10 press opened it already
            return
        menu = self.context_menu(event.pos())
        menu.exec(event.globalPos())
        menu.deleteLater()
        event.accept()
