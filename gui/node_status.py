"""What the inspector says about a node's state, in the canvas's words: the node's own symbol
for its header chip (``x³  Power``) and, for a node still being built, the canvas's short amber
hint (``connect x``) rather than the engine's sentence in alarm red."""
from __future__ import annotations

from engine import ops as engine_ops
from gui.canvas.node_item import is_unfinished, node_symbol, unfinished_hint


def badge_text(model, node_id: str) -> str:
    node = model.node(node_id)
    op = engine_ops.OPS[node.op]
    return f"{node_symbol(op, node.attrs)}  {op.label}"


def error_parts(model, node_id: str, error: str) -> tuple[str, str, str]:
    """``(hint, detail, error)``: an unfinished node gets ``("⚠ connect x", sentence, "")``,
    a broken one ``("", "", sentence)``, a healthy one three empty strings."""
    if not error:
        return "", "", ""
    if not is_unfinished(error):
        return "", "", error
    op = engine_ops.OPS[model.node(node_id).op]
    sources = model.graph.input_sources(node_id)
    return "⚠ " + unfinished_hint(error, op.port_names, sources), error, ""
