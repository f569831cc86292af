"""The canvas's right-click menu: what can be done with the node, edge or empty spot under the
cursor (built by ``build_context_menu``; the view shows it)."""
from __future__ import annotations

from PySide6.QtWidgets import QMenu

from gui.canvas.edge_item import EdgeItem
from gui.canvas.node_item import NodeItem


def build_context_menu(view, viewport_pos, item=None) -> QMenu:
    """The menu for what is under ``viewport_pos`` of ``view`` (built, not shown); for
    ``item`` when given (the keyboard's menu: the current node; False: the empty canvas)."""
    menu = QMenu(view)
    controller = view.controller
    if item is None:
        item = view.itemAt(viewport_pos)
    if isinstance(item, NodeItem):
        if not item.isSelected():
            view.select_nodes([item.node_id])
        node_id = item.node_id
        loss = menu.addAction("Use as loss", lambda: controller.set_loss(node_id))
        loss.setEnabled(view.model.loss != node_id)
        menu.addAction("Rename…  (double-click the header)", lambda: view.rename_inline(node_id))
        menu.addAction("Connect…  (Ctrl+E)", lambda: view.open_connect_dialog(node_id))
        menu.addAction("Duplicate", view.duplicate_selection)
        menu.addAction("Copy", view.copy_selection)
        menu.addAction("Disconnect inputs",
                       lambda: controller.disconnect_inputs(view.selected_nodes()))
        menu.addSeparator()
        menu.addAction("Delete", view.delete_selection)
    elif isinstance(item, EdgeItem):
        key = item.key
        menu.addAction("Delete edge", lambda: controller.delete([], [key]))
    else:
        menu.addAction("Add node…", lambda: view.open_quick_search(viewport_pos))
        paste_at = view.mapToScene(viewport_pos)
        menu.addAction("Paste here", lambda: controller.paste(paste_at))
        menu.addSeparator()
        menu.addAction("Auto-layout", view.auto_layout)
        menu.addAction("Fit view", view.fit_view)
    return menu
