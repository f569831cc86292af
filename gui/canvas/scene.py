"""GraphScene: follows GraphModel's signals and keeps one NodeItem per node and one EdgeItem per
edge. It never edits the model.

What the items show comes from a ``DisplayRecord``: the live one, rebuilt after every re-run,
or one the player hands over with ``show_replay`` (until ``show_live``). A vector render mode
(``set_vector_mode``) drops the item caches and the grid, so painting into an SVG generator
gives real text and paths instead of cached bitmaps.
"""
from __future__ import annotations


import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, QTimer, Signal
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import QGraphicsScene, QToolTip
from shiboken6 import isValid

from gui.display import DisplayRecord, live_record, with_path
from gui.model.auto_layout import layered_positions
from gui.canvas import edge_encoding, routing, style
from gui.canvas.edge_item import EdgeItem
from gui.canvas.edge_tooltip import backward_steps, edge_explanation
from gui.canvas.node_item import NodeItem
from gui.canvas.scene_paint import draw_edge_labels, draw_grid
from gui.canvas.spotlight import set_ring

EVERYWHERE = QRectF(-1e7, -1e7, 2e7, 2e7)  # a null rect would invalidate nothing in the views
REROUTE_ALL_ABOVE = 40     # cards changed in one edit beyond which every wire is routed again
DEFER_ABOVE = 200          # nodes beyond which a scrub updates what is on screen first
CATCH_UP_CHUNK = 150       # items brought up to date per turn of the event loop after that
OVERVIEW_ZOOM = 0.3        # below it cards are plain blocks (NodeItem.paint)


def card_rect(item) -> QRectF:
    """A node's card in scene coordinates (its body, not the ports sticking out)."""
    return QRectF(item.pos().x(), item.pos().y(), style.NODE_W, item.height)


class GraphScene(QGraphicsScene):
    record_shown = Signal()    # a new record is on the items (overlays follow it)

    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.model = model
        self.nodes: dict[str, NodeItem] = {}
        self.edges: dict[tuple[str, str, int], EdgeItem] = {}
        self._steps: dict = {}
        self._shown: dict = {}            # node id -> (NodeDisplay, loss) on its item
        self._edge_scale = None           # the contribution drawn at full width
        self.record = DisplayRecord()     # what the items show now
        self.replaying = False            # a player's record, not the live one
        self._path_base = None            # the record under a shown path (show_path)
        self.vector_mode = False
        self.label_zoom = None            # pictures: the zoom edge numbers are sized for (one
        #                                   level of detail whatever the output scale)
        self.setBackgroundBrush(style.BACKGROUND)
        self._minor_pen = QPen(style.GRID_MINOR, 0)
        self._major_pen = QPen(style.GRID_MAJOR, 0)
        self._overview_pen = QPen(style.EDGE, 0)
        self.overview = False          # zoomed far out: edges drawn as one batch of lines
        self._overview_lines: list | None = None
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.setInterval(0)
        self._redraw_timer.timeout.connect(self._redraw_overview)
        self._reroute_timer = QTimer(self)       # cards moved: wires find their way again once
        self._reroute_timer.setSingleShot(True)
        self._reroute_timer.setInterval(0)
        self._reroute_timer.timeout.connect(self.reroute_edges)
        model.node_added.connect(self._on_node_added)
        model.node_removed.connect(self._on_node_removed)
        model.edge_added.connect(self._on_edge_added)
        model.edge_removed.connect(self._on_edge_removed)
        model.node_moved.connect(self._on_node_moved)
        model.node_changed.connect(self._on_node_changed)
        model.node_renamed.connect(self._on_node_renamed)
        model.graph_reset.connect(self._on_graph_reset)
        model.results_changed.connect(self.refresh_results)
        self._rebuilding = False
        self.live_drag = False           # a value is being scrubbed: see _show
        self.spotlight: tuple = ()       # nodes a lesson points at (set_spotlight)
        self._pending: list = []         # items left for catch_up
        self._norms: dict = {}
        self._top_norm = 1.0
        self._catch_up = QTimer(self)
        self._catch_up.setSingleShot(True)
        self._catch_up.setInterval(0)
        self._catch_up.timeout.connect(self.catch_up)
        self._cards: dict = {}           # node id -> its card's rect when wires were routed
        self._card_index = None          # (ids, n×4 array) of _cards, rebuilt when they change
        self._dirty_areas: list = []     # where cards changed since: wires there re-route
        for signal in (model.node_added, model.node_removed, model.node_moved):
            signal.connect(self._card_moved)
        model.node_renamed.connect(self._card_renamed)
        self.selectionChanged.connect(self._emphasise_selected_edges)
        self.rebuild()

    # ------------------------------------------------------------ model → items
    def rebuild(self, refresh: bool = True) -> None:
        """Recreate every item (a new graph was loaded); ``refresh``: draw the results too."""
        for item in list(self.nodes.values()) + list(self.edges.values()):
            self.removeItem(item)
        self.spotlight = ()              # the rings went with their cards
        self.nodes.clear()
        self.edges.clear()
        model = self.model
        missing = [n for n in model.node_ids() if model.node(n).position is None]
        layout = layered_positions(model) if missing else {}
        for node_id in model.node_ids():
            self._add_node_item(node_id, layout.get(node_id), refresh=False)
        self._rebuilding = True          # the wires are routed once, all together, afterwards
        try:
            for edge in model.edges():
                self._on_edge_added(edge.source, edge.target, edge.port)
        finally:
            self._rebuilding = False
        self._reroute_everything()
        if refresh:
            self.refresh_results()

    def _on_graph_reset(self) -> None:
        # the model's re-run follows at once (results_changed): the numbers are drawn then, once
        self.rebuild(refresh=False)

    def _add_node_item(self, node_id: str, fallback=None, refresh: bool = True) -> NodeItem:
        node = self.model.node(node_id)
        position = node.position if node.position is not None else (fallback or (0.0, 0.0))
        item = NodeItem(node_id, node.op_info, position)
        item.set_symbol(node.attrs)
        if self.vector_mode:
            item.setCacheMode(NodeItem.NoCache)
            item.whole_ids = True
        self.nodes[node_id] = item
        self.addItem(item)
        if refresh:
            self._show_node(item)
        return item

    def _show_node(self, item: NodeItem) -> None:
        shown = self.record.node(item.node_id)
        self._shown[item.node_id] = (shown, self.record.loss)
        item.show(shown, self.record.loss, self.model.shapes.get(item.node_id))

    def _on_node_added(self, node_id: str) -> None:
        self._add_node_item(node_id)

    def _on_node_removed(self, node_id: str) -> None:
        item = self.nodes.pop(node_id, None)
        if item is None:
            return
        for edge in list(item.edges):
            self._remove_edge_item(edge.key)
        self.removeItem(item)

    def _on_edge_added(self, source: str, target: str, port: int) -> None:
        edge = EdgeItem(self.nodes[source], self.nodes[target], port)
        if self.vector_mode:
            edge.setCacheMode(EdgeItem.NoCache)
        self.edges[(source, target, port)] = edge
        if self.overview:
            edge.setVisible(False)
        self.addItem(edge)
        if not self._rebuilding and len(self._dirty_areas) <= REROUTE_ALL_ABOVE:
            edge.update_path()           # in the scene now: round the cards in its way
        # (many cards changing at once, e.g. an undone delete: all wires are routed after)
        self.edges_moved()

    def _remove_edge_item(self, key) -> None:
        edge = self.edges.pop(key, None)
        if edge is not None:
            edge.detach()
            self.removeItem(edge)
            self.edges_moved()

    def _on_edge_removed(self, source: str, target: str, port: int) -> None:
        self._remove_edge_item((source, target, port))

    def _on_node_moved(self, node_id: str) -> None:
        item = self.nodes.get(node_id)
        position = self.model.node(node_id).position
        if item is not None and position is not None:
            point = QPointF(float(position[0]), float(position[1]))
            if item.pos() != point:
                item.setPos(point)

    def _on_node_changed(self, node_id: str) -> None:
        item = self.nodes.get(node_id)
        if item is not None and self.model.has_node(node_id):
            node = self.model.node(node_id)
            item.set_op(node.op_info, node.attrs)        # Change to… keeps the item

    def _on_node_renamed(self, old: str, new: str) -> None:
        item = self.nodes.pop(old, None)
        if item is None:
            return
        item.node_id = new
        self.nodes[new] = item
        self._show_node(item)
        for key in [k for k in self.edges if old in (k[0], k[1])]:
            edge = self.edges.pop(key)
            self.edges[edge.key] = edge

    def refresh_results(self) -> None:
        """The model re-ran: show the live record (a replay keeps its own until it ends)."""
        self._steps = backward_steps(self.model.trace) if self.model.grads else {}
        if not self.replaying:
            self._show(live_record(self.model))

    def show_replay(self, record: DisplayRecord) -> None:
        """Show a player's record (a step of a Trace) until ``show_live``."""
        self.replaying = True
        self._show(record)

    def show_live(self) -> None:
        """Back to the model's own results."""
        self.replaying = False
        self._show(live_record(self.model))

    def show_path(self, node_ids, edge_keys) -> None:
        """Pick out one path over what is shown (live or a replay): its nodes and edges get
        the ``PATH`` highlight, the rest is dimmed, until ``clear_path``."""
        base = self._path_base or self.record
        self._show(with_path(base, node_ids, edge_keys, self.nodes, self.edges))
        self._path_base = base

    def clear_path(self) -> None:
        """Back to what was shown before ``show_path`` (anything shown since replaces it)."""
        base, self._path_base = self._path_base, None
        if base is not None:
            self._show(base)

    @property
    def showing_path(self) -> bool:
        return self._path_base is not None

    def _show(self, record: DisplayRecord) -> None:
        """Every node draws its part of ``record`` (a node whose display object and loss are
        the ones already shown is skipped: a replay reuses them); edges take the colour of the
        sign and a width for the size of what they carried back (see edge_encoding). While
        ``live_drag`` is on (a value being scrubbed) in a big graph, what is legible on screen
        is updated at once and the rest just after, unless the next step of the drag comes
        first."""
        self._path_base = None     # a new record replaces a shown path
        self.record = record
        scale = record.edge_scale
        if scale is None:
            scale = max((edge_encoding.size(e.contribution) for e in record.edges.values()
                         if e.contribution is not None), default=0.0) or None
        self._edge_scale = scale
        nodes, edges = list(self.nodes.values()), list(self.edges.values())
        if self.live_drag and len(nodes) > DEFER_ABOVE:
            seen = self._legible_area()
            now = [i for i in nodes if seen is not None and seen.intersects(i.sceneBoundingRect())]
            later = [i for i in nodes if seen is None or not seen.intersects(i.sceneBoundingRect())]
            shown = {e for e in edges if seen is not None and e.isVisible()
                     and seen.intersects(e.sceneBoundingRect())}
            self._pending = later + [e for e in edges if e not in shown]
            nodes, edges = now, list(shown)
            self._catch_up.start()
        else:
            self._pending = []
        loss, already, node_of = record.loss, self._shown, record.node
        for item in nodes:
            if record.live or already.get(item.node_id) != (node_of(item.node_id), loss):
                self._show_node(item)
        for edge in edges:
            self._show_edge(edge)
        self.record_shown.emit()

    def _show_edge(self, edge) -> None:
        display = self.record.edge(edge.key)
        if display is not edge.display or self._edge_scale != edge.scale:   # most: unchanged
            edge.show(display, self._edge_scale)

    def _legible_area(self) -> QRectF | None:
        """The part of the scene a view shows with legible cards (None: none does)."""
        area = None
        for view in self.views():
            if view.transform().m11() >= OVERVIEW_ZOOM:
                rect = view.mapToScene(view.viewport().rect()).boundingRect()
                area = rect if area is None else area.united(rect)
        return area

    def catch_up(self, budget: int | None = CATCH_UP_CHUNK) -> None:
        """Bring items left for later up to date (``budget`` at a time; None: all now)."""
        pending, self._pending = self._pending, []
        for i, item in enumerate(pending):
            if budget is not None and i >= budget:
                self._pending = pending[i:]
                self._catch_up.start()
                return
            if item.scene() is not self:
                continue
            if isinstance(item, NodeItem):
                self._show_node(item)
            else:
                self._show_edge(item)

    def set_vector_mode(self, on: bool) -> None:
        """Paint for vector output (SVG): no item caches, no grid, ids never elided (drawn
        whole in a smaller font where they must); back to normal with False."""
        self.vector_mode = on
        mode = NodeItem.NoCache if on else NodeItem.DeviceCoordinateCache
        for item in [*self.nodes.values(), *self.edges.values()]:
            item.setCacheMode(mode)
        for item in self.nodes.values():
            item.whole_ids = on
            item.update()
        self.invalidate(EVERYWHERE, QGraphicsScene.BackgroundLayer)

    def helpEvent(self, event) -> None:
        """Edge tooltips explain the chain-rule step on that edge (built on demand)."""
        for item in self.items(event.scenePos()):
            if isinstance(item, EdgeItem) and item.isVisible():
                QToolTip.showText(event.screenPos(), self.edge_tooltip(item.key))
                event.accept()
                return
            if isinstance(item, NodeItem):
                item.toolTip()          # built on demand: make it current before Qt reads it
                break
        super().helpEvent(event)

    def edge_tooltip(self, key) -> str:
        """What the edge ``key`` carries, as the record shown describes it (a replay: the
        step shown)."""
        return edge_explanation(self.model, key, self._steps, self.record)

    def _emphasise_selected_edges(self) -> None:
        if not isValid(self):
            return
        chosen = {i for i in self.selectedItems() if isinstance(i, NodeItem)}
        for edge in self.edges.values():
            edge.set_emphasis(edge.source_item in chosen or edge.target_item in chosen)

    # ------------------------------------------------------------ wires round cards
    def route_wire(self, edge, start: QPointF, end: QPointF, plain):
        """``plain``, or a path bent round the cards between the wire's ends (routing.py).
        Cheap when nothing is near: only cards within the plain curve's box are checked."""
        if end.x() <= start.x():
            return plain
        ends = (edge.source_item.node_id, edge.target_item.node_id)
        near = self._cards_in(plain.boundingRect().adjusted(-4, -4, 4, 4), ends)
        path = plain
        if near and not routing.clear(plain, near):
            band = QRectF(start.x(), -1e7, end.x() - start.x(), 2e7)
            path = routing.detour(start, end, self._cards_in(band, ends)) or plain
        edge.detoured = path is not plain
        return path

    def _cards_in(self, rect: QRectF, skip=()) -> list[tuple]:
        """(left, top, right, bottom) of the cards overlapping ``rect``, but those of ``skip``
        (node ids); read from the card index, a few vectorised comparisons."""
        if self._card_index is None:
            ids = list(self._cards)
            boxes = np.array([(r.left(), r.top(), r.right(), r.bottom())
                              for r in self._cards.values()], dtype=float).reshape(-1, 4)
            self._card_index = (ids, boxes)
        ids, boxes = self._card_index
        inside = np.flatnonzero((boxes[:, 0] < rect.right()) & (boxes[:, 2] > rect.left())
                                & (boxes[:, 1] < rect.bottom()) & (boxes[:, 3] > rect.top()))
        return [box for i, box in zip(inside.tolist(), boxes[inside].tolist())
                if ids[i] not in skip]

    def _card_moved(self, node_id: str) -> None:
        """A card appeared, moved or went: the wires near where it was and is find their way
        again (once, after the edit)."""
        item = self.nodes.get(node_id)
        old = self._cards.pop(node_id, None)
        if old is not None:
            self._dirty_areas.append(old)
        if item is not None:
            self._cards[node_id] = card_rect(item)
            self._dirty_areas.append(self._cards[node_id])
        self._card_index = None
        if not self._reroute_timer.isActive():
            self._reroute_timer.start()

    def _reroute_everything(self, *_args) -> None:
        self._dirty_areas = [EVERYWHERE]
        self._cards = {n: card_rect(i) for n, i in self.nodes.items()}
        self._card_index = None
        if not self._reroute_timer.isActive():
            self._reroute_timer.start()

    def _card_renamed(self, old: str, new: str) -> None:
        if old in self._cards:
            self._cards[new] = self._cards.pop(old)
            self._card_index = None

    def reroute_edges(self) -> None:
        """Route again the wires that pass where cards were added, removed or moved."""
        self._reroute_timer.stop()
        areas, self._dirty_areas = self._dirty_areas, []
        if len(areas) > REROUTE_ALL_ABOVE or any(area is EVERYWHERE for area in areas):
            edges = list(self.edges.values())
        else:
            found = {}
            for area in areas:
                for item in self.items(area):
                    if isinstance(item, EdgeItem):
                        found[id(item)] = item
            edges = list(found.values())
        for edge in edges:
            if edge.scene() is not self:
                continue
            ends = (edge.source_item.node_id, edge.target_item.node_id)
            if getattr(edge, "detoured", False) or self._cards_in(edge.boundingRect(), ends):
                edge.update_path()      # a plain wire with no card near it stays as it is

    # ------------------------------------------------------------ level of detail
    def set_overview(self, overview: bool) -> None:
        """Far out, ~1,000 edge items cost more to visit than to draw: hide them and draw all
        edges as one batch of straight lines under the nodes."""
        if overview == self.overview:
            return
        self.overview = overview
        for edge in self.edges.values():
            edge.setVisible(not overview)
        self._overview_lines = None
        self.invalidate(EVERYWHERE, QGraphicsScene.BackgroundLayer)

    def edges_moved(self) -> None:
        """An edge appeared, went, or one of its ends moved (many per edit: redraw once)."""
        if self.overview:
            self._overview_lines = None
            if not self._redraw_timer.isActive():
                self._redraw_timer.start()

    def _redraw_overview(self) -> None:
        if self.overview:
            self.invalidate(EVERYWHERE, QGraphicsScene.BackgroundLayer)

    def _edge_lines(self) -> list:
        if self._overview_lines is None:
            out = QPointF(style.NODE_W, style.PORT_TOP)
            self._overview_lines = [
                QLineF(e.source_item.pos() + out,
                       e.target_item.pos() + QPointF(0.0, style.PORT_TOP + e.port * style.PORT_GAP))
                for e in self.edges.values()]
        return self._overview_lines

    # ------------------------------------------------------------ lookup
    def node_at(self, scene_pos: QPointF, ignore=None) -> NodeItem | None:
        for item in self.items(scene_pos):
            if isinstance(item, NodeItem) and item is not ignore:
                return item
        return None

    def port_at(self, scene_pos: QPointF, radius: float = 11.0):
        """(node item, port) within ``radius`` of ``scene_pos`` (ports reach outside their node)."""
        r = radius + 1
        area = QRectF(scene_pos.x() - r, scene_pos.y() - r, 2 * r, 2 * r)
        for item in self.items(area):
            if isinstance(item, NodeItem):
                port = item.port_at(scene_pos, radius)
                if port is not None:
                    return item, port
        return None, None

    # ------------------------------------------------------------ background
    def drawBackground(self, painter, rect: QRectF) -> None:
        inverse, ok = painter.worldTransform().inverted()
        if ok:  # an invalidated "everywhere" must not mean a grid of the whole world
            rect = rect.intersected(inverse.mapRect(QRectF(painter.viewport())))
        painter.fillRect(rect, style.BACKGROUND)
        if self.vector_mode:
            return
        painter.setRenderHint(QPainter.Antialiasing, False)  # hairlines: crisp and fast
        scale = painter.worldTransform().m11()
        self._draw_grid(painter, rect, scale)
        if self.overview:
            painter.setPen(self._overview_pen)
            painter.drawLines(self._edge_lines())


    def set_spotlight(self, node_ids) -> None:
        """Ring the cards of ``node_ids`` (a lesson's "look here"); () for none."""
        ids = tuple(n for n in node_ids if n in self.nodes)
        if ids == self.spotlight:
            return
        for node_id in self.spotlight:
            item = self.nodes.get(node_id)
            if item is not None and isValid(item):
                set_ring(item, False)
        self.spotlight = ids
        for node_id in ids:
            set_ring(self.nodes[node_id], True)

    def drawForeground(self, painter, rect: QRectF) -> None:
        """The numbers on edges (see ``scene_paint.draw_edge_labels``)."""
        draw_edge_labels(self, painter, rect)

    def _draw_grid(self, painter, rect: QRectF, scale: float) -> None:
        draw_grid(painter, rect, scale, self._minor_pen, self._major_pen)
