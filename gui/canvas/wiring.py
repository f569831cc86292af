"""Drawing a wire on the canvas: from an output or an input port, or by picking up a connected
input's edge; the port it would land on lights up (red when refused, and why is said before
the release); the release hands the controller a connect or re-wire. A mixin of CanvasView."""
from __future__ import annotations

from PySide6.QtCore import QPointF

from gui.canvas.edge_item import WireItem
from gui.canvas.node_item import NodeItem
from gui.canvas.port_item import OUTPUT


class WireDrawing:
    """The wire being drawn: ``_wire`` (the live WireItem), ``_wire_from`` ((node, port) it
    started at), ``_picked_edge`` (an edge lifted off its input), ``_highlighted`` (the node
    whose port is lit)."""

    def _start_wire(self, node: NodeItem, port: int) -> None:
        if port == OUTPUT:
            self._wire_from = (node.node_id, OUTPUT)
            anchor, from_output = node.port_scene_pos(OUTPUT), True
        else:
            source = self.model.source_of(node.node_id, port)
            edge = self.graph_scene.edges.get((source, node.node_id, port)) if source else None
            if edge is not None:  # pick the edge up: it follows the cursor from its source
                self._picked_edge = edge
                edge.setVisible(False)
                self._wire_from = (source, OUTPUT)
                anchor, from_output = edge.source_item.port_scene_pos(OUTPUT), True
            else:
                self._wire_from = (node.node_id, port)
                anchor, from_output = node.port_scene_pos(port), False
        self._wire = WireItem(anchor, from_output)
        self.graph_scene.addItem(self._wire)

    def _wire_target(self, scene_pos: QPointF):
        """Where a wire released here would land: the port under the cursor, or — over a node's
        body — its first free input (from an output) or its output (from an input)."""
        node, port = self._port_at(scene_pos)
        if node is not None or self._wire_from is None:
            return node, port
        node = self.graph_scene.node_at(scene_pos)
        if node is None or node.node_id == self._wire_from[0]:
            return None, None
        if self._wire_from[1] != OUTPUT:
            return node, OUTPUT
        if node.arity == 0:
            return None, None
        sources = self.model.input_sources(node.node_id)
        free = [i for i, src in enumerate(sources) if src is None]
        return node, (free[0] if free else 0)

    def _finish_wire(self, scene_pos: QPointF) -> None:
        node, port = self._wire_target(scene_pos)
        picked = self._picked_edge
        wire_from = self._wire_from
        self._end_wire()
        target = (node.node_id, port) if node is not None else None
        if picked is not None:
            old_source, old_target, old_port = picked.key
            if target is None:
                self.controller.rewire(old_target, old_port, old_source, None, None)
                return
            problem = self.controller.why_not(wire_from, target)
            if problem is not None:
                self.refused.emit(f"Cannot connect: {problem}")
                return
            self.controller.rewire(old_target, old_port, old_source, target[0], target[1])
            return
        if target is None:  # dropped on empty canvas: offer to add a node wired to it
            self.open_quick_search(self.mapFromScene(scene_pos), wire_from)
            return
        problem = self.controller.why_not(wire_from, target)
        if problem is not None:
            self.refused.emit(f"Cannot connect: {problem}")
            return
        if wire_from[1] == OUTPUT:
            self.controller.connect(wire_from[0], target[0], target[1])
        else:
            self.controller.connect(target[0], wire_from[0], wire_from[1])

    def _end_wire(self) -> None:
        if self._wire is not None:
            self.graph_scene.removeItem(self._wire)
        if self._picked_edge is not None and self._picked_edge.scene() is not None:
            self._picked_edge.setVisible(True)
        self._wire = self._wire_from = self._picked_edge = self._wire_problem = None
        self._set_highlight(None, None)

    def _port_at(self, scene_pos: QPointF):
        """The port under the cursor: about 10 screen pixels of reach at any zoom."""
        radius = max(8.0, min(22.0, 10.0 / self.transform().m11()))
        return self.graph_scene.port_at(scene_pos, radius)

    def _set_highlight(self, node: NodeItem | None, port, refused: bool = False) -> None:
        """Light up the port a wire would land on (red when it would be refused)."""
        if self._highlighted is not None and self._highlighted is not node:
            self._highlighted.set_highlight(None)
        self._highlighted = node
        if node is not None:
            node.set_highlight(port, refused)

