"""The status bar's two read-outs: the model's state (the loss, or what is wrong) and the
selected node's value and gradient.

Both read the record the canvas shows (gui/display.py), so during a replay they describe
the step shown — "x: not computed yet", "∂y/∂x: not yet", "?" for a hidden number — and
never the final pass.
"""
from __future__ import annotations

from gui import theme
from gui.display import HIDDEN, DisplayRecord
from gui.formatting import describe, grad_symbol
from gui.model.node_status import attention_summary


def model_text(model, record: DisplayRecord) -> tuple[str, str]:
    """(text, colour) of the model's state: an error, what needs attention, the loss as the
    record shows it, or the node count."""
    if model.status:
        return model.status, theme.ERROR
    if model.problems:
        broken = any(not p.unfinished for p in model.problems.values())
        return attention_summary(model), theme.ERROR if broken else theme.INCOMPLETE
    loss = model.loss_id
    if loss and loss in model.values:
        name = "loss" if loss == "loss" else f"loss {loss}"
        if record.live:
            return f"{name}{_value_text(model.values[loss], '')}", theme.TEXT
        shown = record.node(loss)
        step = f"   ({record.caption})" if record.caption else ""
        return f"{name}{_value_text(shown.value, shown.value_note)}{step}", theme.TEXT
    return f"{len(model.node_ids())} nodes", theme.MUTED


def selection_text(model, record: DisplayRecord, selected) -> str:
    """``x = 1.5   ∂y/∂x = 95.0625`` for one selected node (as the record shows it), ``3
    selected`` for several, "" for none."""
    if len(selected) != 1:
        return f"{len(selected)} selected" if selected else ""
    node_id = selected[0]
    shown = record.node(node_id)
    if record.live:
        value, grad = model.values.get(node_id), model.grads.get(node_id)
        parts = [f"{node_id} = {describe(value, digits=6, with_shape=True)}"]
        if grad is not None:
            parts.append(f"{grad_symbol(model.loss_id, node_id)} = "
                         f"{describe(grad, digits=6, with_shape=True)}")
        return "   ".join(parts)
    parts = [f"{node_id}{_value_text(shown.value, shown.value_note)}"]
    if shown.grad is not None or shown.grad_note:
        parts.append(f"{grad_symbol(record.loss or model.loss_id, node_id)}"
                     f"{_value_text(shown.grad, shown.grad_note)}")
    return "   ".join(parts)


def _value_text(array, note: str) -> str:
    """`` = 1.5`` / `` = 2×3 −0.5 … 0.25``; `` = ?`` hidden; ``: not computed yet``."""
    if array is not None:
        return f" = {describe(array, digits=6, with_shape=True)}"
    if note == HIDDEN:
        return f" = {HIDDEN}"
    return f": {note}" if note else " = —"
