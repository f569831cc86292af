"""Numbers as the step card writes them: 6 significant digits and a real minus sign.

The same notation as the GUI's ``fmt_number(x, 6)``, so a formula in a diagnosis shows the very
numbers the learner read off the card.
"""
from __future__ import annotations

import numpy as np

DIGITS = 6


def number(x, digits: int = DIGITS) -> str:
    """``95.0625``, ``−0.5``, ``1.23457e-07``; ``0`` (never ``−0``)."""
    x = float(np.asarray(x).reshape(-1)[0])
    text = "0" if x == 0 else f"{x:.{digits}g}"
    return text.replace("-", "−", 1) if text.startswith("-") else text


def signed(x) -> str:
    """A number written after an operator: ``(−0.5)`` for a negative one, else as is."""
    text = number(x)
    return f"({text})" if text.startswith("−") else text


def element(index: tuple) -> str:
    """``[0, 2]`` for an element of a tensor, "" for a single number."""
    return "" if not index else "[" + ", ".join(str(int(i)) for i in index) + "]"


def grad_symbol(loss, node: str) -> str:
    """``∂y/∂x``: the loss's id over the node's id (``∂L/∂x`` without a loss)."""
    return f"∂{loss or 'L'}/∂{node}"
