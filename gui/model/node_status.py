"""What the inspector says about a node's state, in the canvas's words: the node's own symbol
for its header chip (``x³  Power``) and, for a node still being built, the canvas's short amber
hint (``connect x``) rather than the engine's sentence in alarm red."""
from __future__ import annotations

from gui.formatting import node_symbol, unfinished_hint


def badge_text(model, node_id: str) -> str:
    node = model.node(node_id)
    return f"{node_symbol(node.op_info, node.attrs)}  {node.op_info.label}"


def error_parts(model, node_id: str) -> tuple[str, str, str]:
    """``(hint, detail, error)`` of the node's problem: an unfinished node gets
    ``("⚠ connect x", sentence, "")``, a broken one ``("", "", sentence)``, a healthy one three
    empty strings."""
    problem = model.problems.get(node_id)
    if problem is None:
        return "", "", ""
    if not problem.unfinished:
        return "", "", problem.message
    port_names = model.node(node_id).op_info.port_names
    return "⚠ " + unfinished_hint(problem, port_names), problem.message, ""


def attention_summary(model) -> str:
    """How many nodes need attention, in the canvas's own words: unfinished ones are drawn
    with a dashed amber border, broken ones in red (``""`` when none)."""
    problems = list(model.problems.values())
    unfinished = sum(1 for p in problems if p.unfinished)
    broken = len(problems) - unfinished
    parts = []
    if unfinished:
        parts.append(f"{unfinished} unfinished node{'s' if unfinished > 1 else ''} "
                     "(dashed amber border)")
    if broken:
        parts.append(f"{broken} broken node{'s' if broken > 1 else ''} (red)")
    return " · ".join(parts)
