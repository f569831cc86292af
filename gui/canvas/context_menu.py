"""The canvas's right-click menu: what can be done with the node, edge or empty spot under the
cursor (built by ``build_context_menu``; the view shows it)."""
from __future__ import annotations

from PySide6.QtWidgets import QMenu

import engine
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
        add_change_menu(menu, view, node_id)
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


def add_change_menu(menu: QMenu, view, node_id: str) -> QMenu | None:
    """"Change to…": the ops with as many inputs as ``node_id``'s, by palette category; the
    choice changes every selected node of that arity in place (wires and ids kept), one undo
    step."""
    model = view.model
    choices = model.ops_like(node_id)
    if not choices:
        return None
    arity = model.op(node_id).arity
    targets = [n for n in view.selected_nodes() if model.has_node(n)
               and model.op(n).arity == arity and model.op(n).is_leaf == model.op(node_id).is_leaf]
    if node_id not in targets:
        targets = [node_id]
    what = node_id if len(targets) == 1 else f"{len(targets)} nodes"
    sub = menu.addMenu("Change to…")
    sub.setObjectName("change_to_menu")
    sub.setToolTipsVisible(True)
    sub.setToolTip(f"Turn {what} into another op with {arity} input{'s' * (arity != 1)}, "
                   "keeping its wires and id (one undo step)")
    category = None
    for name in choices:
        op = engine.OPS[name]
        if op.category != category:
            if category is not None:
                sub.addSeparator()
            category = op.category
            heading = sub.addAction(category)        # a greyed title: every style shows it
            heading.setEnabled(False)
            font = heading.font()
            font.setBold(True)
            heading.setFont(font)
        action = sub.addAction(f"{op.label or name}\t{op.symbol}",
                               lambda n=name: view.controller.change_op(targets, n))
        action.setObjectName(f"change_to_{name}")
        action.setData(name)
        action.setToolTip(op.doc.split("\n")[0])
    return sub
