"""Ops whose local derivative learners evaluate at the node's output instead of its input.

tanh and sigmoid have derivatives usually written with the output: tanh′(z) = 1 − y² and
σ′(z) = y·(1 − y) with y the node's value. A learner who mixes the two forms plugs y into the
input form: 1 − tanh²(y), σ(y)·(1 − σ(y)). The value of that mistake is computed generically
(the op's own backward evaluated at the output); this table only says which ops have it and
how the wrong formula reads, ``{v}`` standing for the number plugged in.

This table is the one place the rule lives until each op's definition states it itself
(``Op.output_mistake``); ``template(op)`` reads the op first, so moving the rule there needs
no change here.
"""
from __future__ import annotations

OUTPUT_MISTAKES = {
    "tanh": "1 − tanh²({v})",
    "sigmoid": "σ({v})·(1 − σ({v}))",
}


def template(op) -> str | None:
    """The derivative's formula with ``{v}`` for the point it is evaluated at, when ``op`` has
    the "evaluated at the output" mistake; None otherwise."""
    if op is None:
        return None
    stated = getattr(op, "output_mistake", None)
    if isinstance(stated, str) and stated:
        return stated
    return OUTPUT_MISTAKES.get(op.name)
