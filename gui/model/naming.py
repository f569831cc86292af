"""Names a student expects: defaults for new nodes, and the rules a new name must follow.

A leaf of a small graph gets a letter, as on paper: inputs ``x, y, z, t, s``, constants ``c, k``,
parameters ``w, b, v``. Everything else (ops, and leaves once the letters are used or the graph
is big) gets its op name with a number: ``pow1``, ``add1``, ``pow2``. Both the inspector's name
field and the canvas's header editor check a new name with ``rename_problem``.
"""
from __future__ import annotations

SMALL_GRAPH = 12      # nodes; in a bigger graph single letters say too little
LETTERS = {"input": "xyzts", "constant": "ck", "parameter": "wbv"}


def default_id(model, op: str, taken=()) -> str:
    """A fresh, readable id for a new ``op`` node (see the module docstring)."""
    ids = set(model.node_ids()) | set(taken)
    if len(ids) < SMALL_GRAPH:
        for letter in LETTERS.get(op, ""):
            if letter not in ids:
                return letter
    number = 1
    while f"{op}{number}" in ids:
        number += 1
    return f"{op}{number}"


def rename_problem(model, old: str, new: str) -> str | None:
    """Why ``old`` cannot be renamed to ``new`` (in a few words), or None."""
    if not new:
        return "a node needs a name"
    if any(ch.isspace() for ch in new):
        return "names cannot contain spaces"
    if new != old and model.has_node(new):
        return f"the name '{new}' is already used by another node"
    return None
